//! How changes to the store reach the cache.
//!
//! SQLite: `PRAGMA data_version`, read on a connection kept open, changes
//! whenever another connection commits. It is read before every answer, so
//! a request that starts after a change was committed sees it: every entry
//! read before is then re-validated.
//!
//! PostgreSQL: the schema sends `NOTIFY intergiro_keys_key_change` with the
//! key's ID in every transaction that changes a key (schema.sql), and a
//! dedicated connection LISTENs. Notifications are not replayed after a
//! reconnect, so while that connection is down nothing in the cache is
//! trusted (every answer goes to the store), and once it is back every
//! entry is re-validated before use.

use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use rusqlite::{Connection, OpenFlags};

use super::cache::Cache;
use super::metrics::Metrics;
use crate::store::postgres::Location;

/// The notification channel the schema.sql trigger sends on.
pub const CHANNEL: &str = "intergiro_keys_key_change";

/// How often the PostgreSQL listener checks its connection.
const HEARTBEAT: Duration = Duration::from_secs(1);

pub enum Watch {
    Sqlite(SqliteWatch),
    Postgres(Arc<PgWatch>),
}

/// The store could not be asked whether anything changed.
#[derive(Debug)]
pub struct Unavailable;

impl Watch {
    /// Brings the cache up to date with the store's changes, and says
    /// whether its entries can be trusted now.
    pub fn check(&self, cache: &Cache, metrics: &Metrics) -> Result<bool, Unavailable> {
        match self {
            Watch::Sqlite(watch) => watch.check(cache, metrics).map(|()| true),
            Watch::Postgres(watch) => Ok(watch.trusted.load(Ordering::SeqCst)),
        }
    }

    /// Whether changes reach the cache: always on SQLite (each answer
    /// checks); on PostgreSQL, while the listening connection is up.
    pub fn listening(&self) -> bool {
        match self {
            Watch::Sqlite(_) => true,
            Watch::Postgres(watch) => watch.trusted.load(Ordering::SeqCst),
        }
    }
}

pub struct SqliteWatch {
    conn: Mutex<(Connection, Option<i64>)>,
}

impl SqliteWatch {
    /// Opens its own connection to the database at `path`, which the store
    /// opened before (and so checked).
    pub fn open(path: &Path) -> Result<SqliteWatch> {
        // Read-only, but never `immutable`: it must see others' commits.
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .with_context(|| format!("cannot open the database {}", path.display()))?;
        // WAL: readers do not wait for writers; only a recovery or a
        // checkpoint that resets the log can make this read wait, briefly.
        conn.busy_timeout(std::time::Duration::from_millis(200))?;
        Ok(SqliteWatch {
            conn: Mutex::new((conn, None)),
        })
    }

    fn check(&self, cache: &Cache, metrics: &Metrics) -> Result<(), Unavailable> {
        let mut guard = self
            .conn
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let (conn, seen) = &mut *guard;
        let version: i64 = match conn.query_row("PRAGMA data_version", [], |row| row.get(0)) {
            Ok(version) => version,
            Err(_) => {
                metrics.store_up.store(false, Ordering::SeqCst);
                return Err(Unavailable);
            }
        };
        metrics.store_up.store(true, Ordering::SeqCst);
        if *seen != Some(version) {
            // Still under the lock: no request answers from the cache
            // between the change being seen and the entries marked stale.
            if seen.is_some() {
                cache.all_changed();
                metrics.invalidations.fetch_add(1, Ordering::Relaxed);
            }
            *seen = Some(version);
        }
        Ok(())
    }
}

pub struct PgWatch {
    /// Whether the listening connection is up (its own heartbeat came
    /// back) and every entry read before it was marked stale.
    pub trusted: AtomicBool,
    /// The last time a notification sent on the listening connection took
    /// to come back, in microseconds.
    pub lag_micros: AtomicU64,
}

impl PgWatch {
    /// Starts the listener thread; it reconnects for as long as the process
    /// lives.
    pub fn start(
        location: Location,
        cache: Arc<Cache>,
        metrics: Arc<Metrics>,
    ) -> Result<Arc<PgWatch>> {
        let watch = Arc::new(PgWatch {
            trusted: AtomicBool::new(false),
            lag_micros: AtomicU64::new(0),
        });
        let shared = Arc::clone(&watch);
        std::thread::Builder::new()
            .name("listen".into())
            .spawn(move || {
                let mut wait = Duration::from_millis(100);
                loop {
                    let started = Instant::now();
                    let err = shared.listen(&location, &cache, &metrics);
                    shared.trusted.store(false, Ordering::SeqCst);
                    metrics.store_up.store(false, Ordering::SeqCst);
                    crate::serve::log::event(
                        "notifications_down",
                        &[("detail", &format!("{err:#}"))],
                    );
                    // Back off while the server stays away.
                    if started.elapsed() > Duration::from_secs(10) {
                        wait = Duration::from_millis(100);
                    }
                    std::thread::sleep(wait);
                    wait = (wait * 2).min(Duration::from_secs(2));
                }
            })?;
        Ok(watch)
    }

    /// Listens until the connection fails; returns why.
    fn listen(&self, location: &Location, cache: &Cache, metrics: &Metrics) -> anyhow::Error {
        use postgres::fallible_iterator::FallibleIterator;
        let mut client = match location.connect() {
            Ok(client) => client,
            Err(err) => return anyhow::anyhow!(crate::explain::sentence(&err)),
        };
        let pid: i32 = match client
            .batch_execute(&format!("LISTEN {CHANNEL}"))
            .and_then(|()| client.query_one("SELECT pg_backend_pid()", &[]))
        {
            Ok(row) => row.get(0),
            Err(err) => return err.into(),
        };
        let mut ping_sent: Option<Instant> = None;
        let mut next_ping = Instant::now();
        loop {
            // A connection that does not bring back its own notification
            // (a transaction pooler hands LISTEN and NOTIFY to different
            // server sessions) would never bring others' either.
            if ping_sent.is_some_and(|sent| sent.elapsed() > 3 * HEARTBEAT) {
                return anyhow::anyhow!(
                    "no notification came back within {} s on the LISTEN connection; if --db goes through a transaction pooler (pgbouncer pool_mode=transaction), point it at the server itself",
                    (3 * HEARTBEAT).as_secs()
                );
            }
            if Instant::now() >= next_ping {
                // A heartbeat that also measures the notification delay:
                // a dead connection fails here at the latest.
                if let Err(err) = client.batch_execute(&format!("NOTIFY {CHANNEL}, 'ping'")) {
                    return err.into();
                }
                ping_sent.get_or_insert_with(Instant::now);
                next_ping = Instant::now() + HEARTBEAT;
            }
            let mut notifications = client.notifications();
            let mut iter = notifications.timeout_iter(HEARTBEAT);
            loop {
                match iter.next() {
                    Ok(Some(notification)) => {
                        let payload = notification.payload();
                        if payload == "*" {
                            cache.all_changed();
                            metrics.invalidations.fetch_add(1, Ordering::Relaxed);
                        } else if crate::token::is_id(payload) {
                            cache.changed(super::cache::KeyId::new(payload), Instant::now());
                            metrics.invalidations.fetch_add(1, Ordering::Relaxed);
                        } else if payload == "ping"
                            && notification.process_id() == pid
                            && let Some(sent) = ping_sent.take()
                        {
                            if !self.trusted.load(Ordering::SeqCst) {
                                // Notifications are known to arrive now.
                                // Changes made while no one listened were
                                // never announced: every entry is
                                // re-validated before it is used again.
                                cache.all_changed();
                                metrics.invalidations.fetch_add(1, Ordering::Relaxed);
                                self.trusted.store(true, Ordering::SeqCst);
                                metrics.store_up.store(true, Ordering::SeqCst);
                                crate::serve::log::event("notifications_up", &[]);
                            }
                            let lag = sent.elapsed().as_micros();
                            self.lag_micros
                                .store(u64::try_from(lag).unwrap_or(u64::MAX), Ordering::Relaxed);
                        }
                        if Instant::now() >= next_ping {
                            break;
                        }
                    }
                    Ok(None) => break,
                    Err(err) => return err.into(),
                }
            }
        }
    }
}
