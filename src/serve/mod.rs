//! `serve`: key verification over HTTP for API gateways (nginx
//! `auth_request`, Caddy `forward_auth`, Traefik `forwardAuth`, Envoy
//! `ext_authz`), with a cache that is never wrong (`cache`, `watch`) and
//! argon2 on a bounded pool (`pool`).
//!
//! The answers are `verify`'s: the same look-up and secret check
//! (`ops::check_secret`) and the same verdict (`key::Verdict`), judged at
//! the time of each request.

pub mod cache;
mod http;
mod last_use;
pub mod log;
mod metrics;
mod pool;
mod watch;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use chrono::{DateTime, Utc};

use crate::App;
use crate::key::{ApiKey, Roles, Status, Verdict};
use crate::store::{self, Open};
use crate::token::Token;
use cache::{Cache, CachedKey, Digest, Finding, Hit, KeyId, Ticket};
use metrics::{Metrics, Outcome};
use pool::{Pool, Slot};
use watch::Watch;

/// Where to listen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Listen {
    Tcp(std::net::SocketAddr),
    Unix(PathBuf),
}

impl std::str::FromStr for Listen {
    type Err = String;

    fn from_str(text: &str) -> Result<Listen, String> {
        if let Some(path) = text.strip_prefix("unix:") {
            if path.is_empty() {
                return Err(
                    "unix: needs a socket path, as in unix:/run/intergiro-keys/verify.sock".into(),
                );
            }
            return Ok(Listen::Unix(PathBuf::from(path)));
        }
        text.parse().map(Listen::Tcp).map_err(|_| {
            format!(
                "{text:?} is not an address to listen on; give IP:PORT (127.0.0.1:8787, [::1]:8787) or unix:PATH"
            )
        })
    }
}

impl std::fmt::Display for Listen {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Listen::Tcp(address) => write!(f, "{address}"),
            Listen::Unix(path) => write!(f, "unix:{}", path.display()),
        }
    }
}

pub struct Options {
    pub listen: Listen,
    /// argon2 threads.
    pub workers: usize,
    /// Uncached verifications that may wait for an argon2 thread.
    pub queue: usize,
    pub cache_ttl: Duration,
    pub negative_ttl: Duration,
    pub cache_capacity: usize,
    /// How long SIGTERM waits for requests in flight.
    pub drain: Duration,
    /// An audit head recorded earlier (`backup`, `audit --verify`) that
    /// the store's log must hold for `/healthz` to answer 200.
    pub expect_head: Option<String>,
}

/// The time answers are judged at. Debug builds started with
/// `INTERGIRO_KEYS_NOW` (the test suite) run a clock from that moment on.
#[derive(Clone, Copy, Debug)]
pub struct Clock {
    start: Option<(DateTime<Utc>, Instant)>,
}

impl Clock {
    fn new(app: &App) -> Clock {
        #[cfg(debug_assertions)]
        if std::env::var_os("INTERGIRO_KEYS_NOW").is_some() {
            return Clock {
                start: Some((app.now, Instant::now())),
            };
        }
        // On PostgreSQL, the server's clock (as read when the command
        // started) run on by this host's steady clock: answers follow the
        // clock the store's writes are dated by, and no step of this host's.
        if let Some(skew) = app.clock_skew {
            return Clock {
                start: Some((Utc::now() + skew, Instant::now())),
            };
        }
        Clock { start: None }
    }

    pub fn now(&self) -> DateTime<Utc> {
        match self.start {
            Some((at, since)) => {
                at + chrono::Duration::from_std(since.elapsed()).unwrap_or_default()
            }
            None => Utc::now(),
        }
    }
}

/// The answer to a `/verify` request.
#[derive(Debug)]
pub enum Answer {
    Valid(ApiKey),
    MissingRoles(ApiKey, Roles),
    /// 401, with why for the log (never for the client).
    Rejected {
        id: Option<String>,
        why: &'static str,
    },
    Unavailable(String),
    Overloaded,
    BadRequest(String),
}

impl Answer {
    fn outcome(&self) -> Outcome {
        match self {
            Answer::Valid(_) => Outcome::Valid,
            Answer::MissingRoles(..) => Outcome::MissingRole,
            Answer::Rejected {
                why: "no_key" | "malformed",
                ..
            } => Outcome::Malformed,
            Answer::Rejected { .. } => Outcome::Rejected,
            Answer::Unavailable(_) => Outcome::Unavailable,
            Answer::Overloaded => Outcome::Overloaded,
            Answer::BadRequest(_) => Outcome::BadRequest,
        }
    }
}

/// What checking a text in full (argon2) gave.
#[derive(Clone, Debug)]
enum Checked {
    Found(Finding),
    /// The key's row disagrees with the audit log: rejected, not cached.
    Tampered(String),
    /// The store could not be reached or read.
    Unavailable(String),
    /// The stored hash could not be used (damaged, foreign parameters).
    Damaged(String),
    Overloaded,
}

type InFlight = HashMap<Digest, (Ticket, Arc<tokio::sync::OnceCell<Checked>>)>;

pub struct Server {
    cache: Arc<Cache>,
    watch: Watch,
    argon2: Pool,
    lookups: Arc<Pool>,
    metrics: Arc<Metrics>,
    last_use: last_use::LastUse,
    clock: Clock,
    /// Full checks under way, so that a key is hashed once however many
    /// requests bring it at the same moment.
    in_flight: Mutex<InFlight>,
    /// `Options::expect_head`, and where the log was seen to hold it (0
    /// before).
    expect_head: Option<String>,
    head_seq: std::sync::atomic::AtomicI64,
}

/// Serves until SIGTERM or SIGINT, then drains.
pub fn run(app: &App, options: Options) -> Result<()> {
    // Open once now: a store that is missing, not ours or unreachable is
    // said at once, before anything listens.
    let store = crate::ops::open(app, Open::MustExist)?;
    let location = app.db.to_str().filter(|text| store::postgres::is_url(text));
    if location.is_none() && store.is_read_only() {
        bail!(
            "serve needs to see changes to {} as they are committed, which a read-only open cannot; run it as the account that owns the database",
            app.db.display()
        );
    }
    drop(store);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("serve")
        .build()
        .context("cannot start the server's threads")?;
    runtime.block_on(async move {
        let listener = http::Listener::bind(&options.listen).await?;
        let clock = Clock::new(app);
        let cache = Arc::new(Cache::new(
            options.cache_ttl,
            options.negative_ttl,
            options.cache_capacity,
        )?);
        let metrics = Arc::new(Metrics::default());
        let sqlite = location.is_none();
        // On SQLite one connection, opened before the change counter's (see
        // `pool`); on PostgreSQL two, so that one slow answer does not hold
        // up the others.
        let lookups = Arc::new(Pool::new(
            app,
            "lookup",
            if sqlite { 1 } else { 2 },
            1024,
            0,
            sqlite,
        )?);
        let watch = match location {
            Some(url) => Watch::Postgres(watch::PgWatch::start(
                store::postgres::Location::parse(url)?,
                Arc::clone(&cache),
                Arc::clone(&metrics),
            )?),
            None => Watch::Sqlite(watch::SqliteWatch::open(&app.db)?),
        };
        let server = Arc::new(Server {
            // argon2 needs no store: the row comes from a look-up.
            argon2: Pool::new(app, "argon2", options.workers, options.queue, 10, false)?,
            last_use: last_use::LastUse::start(app, clock, sqlite.then(|| Arc::clone(&lookups)))?,
            lookups,
            cache,
            watch,
            metrics,
            clock,
            expect_head: options.expect_head.clone(),
            head_seq: std::sync::atomic::AtomicI64::new(0),
            in_flight: Mutex::new(HashMap::new()),
        });
        let sweeper = Arc::clone(&server);
        tokio::spawn(async move {
            let mut every = tokio::time::interval(Duration::from_secs(15));
            loop {
                every.tick().await;
                sweeper.cache.sweep(Instant::now());
            }
        });
        log::event(
            "listening",
            &[
                ("address", &listener.address()),
                ("store", &store_shown(app)),
                ("workers", &options.workers.to_string()),
            ],
        );
        http::serve(listener, server, options.drain).await
    })
}

/// The store as logs show it: a URL without its password.
fn store_shown(app: &App) -> String {
    match app.db.to_str().filter(|text| store::postgres::is_url(text)) {
        Some(url) => store::postgres::Location::parse(url)
            .map(|location| location.shown().to_string())
            .unwrap_or_else(|_| "postgresql://…".into()),
        None => app.db.display().to_string(),
    }
}

impl Server {
    /// Judges the key `text` (None: none given) against the roles
    /// `wanted`.
    pub async fn verify(&self, text: Option<&str>, wanted: &Roles) -> Answer {
        let Some(text) = text else {
            return Answer::Rejected {
                id: None,
                why: "no_key",
            };
        };
        // Shape and checksum first: garbage costs microseconds.
        let token = match Token::parse(text) {
            Ok(token) => token,
            Err(_) => {
                return Answer::Rejected {
                    id: None,
                    why: "malformed",
                };
            }
        };
        let digest = self.cache.digest(text.trim());
        let trusted = match self.watch.check(&self.cache, &self.metrics) {
            Ok(trusted) => trusted,
            Err(watch::Unavailable) => {
                return Answer::Unavailable("the store cannot be read".into());
            }
        };
        let finding = match self.cache.get(&digest, Instant::now(), trusted) {
            Hit::Fresh(finding) => {
                self.metrics
                    .hits
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                finding
            }
            Hit::Stale(finding) => {
                self.metrics
                    .revalidations
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                match self.revalidate(digest, finding).await {
                    Ok(Some(finding)) => finding,
                    Ok(None) => match self.check_in_full(token, digest).await {
                        Ok(finding) => finding,
                        Err(answer) => return answer,
                    },
                    Err(answer) => return answer,
                }
            }
            Hit::Miss => match self.check_in_full(token, digest).await {
                Ok(finding) => finding,
                Err(answer) => return answer,
            },
        };
        self.judge(&digest, finding, wanted)
    }

    /// The answer a finding gives at this moment.
    fn judge(&self, digest: &Digest, finding: Finding, wanted: &Roles) -> Answer {
        let now = self.clock.now();
        let Some(key) = finding.key.map(|key| key.key(&finding.id)) else {
            return Answer::Rejected {
                id: Some(finding.id.as_str().to_string()),
                why: if finding.hash.is_some() {
                    "wrong_secret"
                } else {
                    "unknown_key"
                },
            };
        };
        let verdict = Verdict::of(&key, wanted, now);
        // As `verify` does: any use with the right secret counts, unless
        // the key is not one (unissued, retired).
        if verdict != Verdict::Rejected && self.cache.note_use(digest, key.last_used_at, now) {
            self.last_use.note(&key.id);
        }
        match verdict {
            Verdict::Valid => Answer::Valid(key),
            Verdict::MissingRoles(missing) => Answer::MissingRoles(key, missing),
            Verdict::Frozen => Answer::Rejected {
                id: Some(key.id),
                why: "frozen",
            },
            Verdict::Rejected => Answer::Rejected {
                why: match key.status(now) {
                    Status::Unissued => "unissued",
                    _ => "retired",
                },
                id: Some(key.id),
            },
        }
    }

    /// Re-reads the row of a stale entry: the entry as it now is, or None
    /// when the hash it was checked against is gone (check in full).
    async fn revalidate(
        &self,
        digest: Digest,
        finding: Finding,
    ) -> Result<Option<Finding>, Answer> {
        let ticket = self.cache.ticket();
        let id = finding.id;
        let looked = self
            .lookups
            .run(move |slot| look_up(slot, id.as_str()))
            .await
            .map_err(|pool::Overloaded| Answer::Overloaded)?;
        match looked {
            Looked::Row(row) => {
                let hash = row
                    .as_ref()
                    .map(|stored| cache::hash_print(&stored.secret_hash));
                if hash != finding.hash {
                    self.cache.remove(&digest);
                    return Ok(None);
                }
                let finding = Finding {
                    key: finding
                        .key
                        .and(row.map(|stored| CachedKey::new(stored.key))),
                    ..finding
                };
                self.cache
                    .put(digest, finding.clone(), ticket, Instant::now());
                Ok(Some(finding))
            }
            Looked::Tampered(detail) => {
                self.cache.remove(&digest);
                log::event(
                    "tampered",
                    &[("key_id", finding.id.as_str()), ("detail", &detail)],
                );
                Err(Answer::Rejected {
                    id: Some(finding.id.as_str().to_string()),
                    why: "tampered",
                })
            }
            Looked::Unavailable(detail) => Err(Answer::Unavailable(detail)),
        }
    }

    /// Checks `token` against the store with argon2, once for all the
    /// requests that bring the same text while no change is noted.
    async fn check_in_full(&self, token: Token, digest: Digest) -> Result<Finding, Answer> {
        let ticket = self.cache.ticket();
        let cell = {
            let mut in_flight = self
                .in_flight
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            match in_flight.get(&digest) {
                // Begun before a change: its answer may be out of date.
                Some((begun, cell)) if *begun == ticket => Arc::clone(cell),
                _ => {
                    let cell = Arc::new(tokio::sync::OnceCell::new());
                    in_flight.insert(digest, (ticket, Arc::clone(&cell)));
                    cell
                }
            }
        };
        let checked = cell
            .get_or_init(|| async {
                // Refused before the look-up when argon2 could not take it.
                if self.argon2.full() {
                    return Checked::Overloaded;
                }
                self.metrics
                    .misses
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let id = token.id().to_string();
                let looked = self.lookups.run(move |slot| look_up(slot, &id)).await;
                let checked = match looked {
                    Err(pool::Overloaded) => Checked::Overloaded,
                    Ok(Looked::Unavailable(detail)) => Checked::Unavailable(detail),
                    Ok(Looked::Tampered(detail)) => {
                        // Rejected at an unknown key's cost.
                        let _ = self
                            .argon2
                            .run(move |_| crate::hash::verify_dummy(token.secret()).is_ok())
                            .await;
                        Checked::Tampered(detail)
                    }
                    Ok(Looked::Row(row)) => self
                        .argon2
                        .run(move |_| check(&token, row))
                        .await
                        .unwrap_or(Checked::Overloaded),
                };
                if let Checked::Found(finding) = &checked {
                    self.cache
                        .put(digest, finding.clone(), ticket, Instant::now());
                }
                checked
            })
            .await
            .clone();
        {
            let mut in_flight = self
                .in_flight
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            if in_flight
                .get(&digest)
                .is_some_and(|(_, current)| Arc::ptr_eq(current, &cell))
            {
                in_flight.remove(&digest);
            }
        }
        match checked {
            Checked::Found(finding) => Ok(finding),
            Checked::Tampered(detail) | Checked::Damaged(detail) => {
                log::event("refused_row", &[("detail", &detail)]);
                Err(Answer::Rejected {
                    id: None,
                    why: "tampered",
                })
            }
            Checked::Unavailable(detail) => Err(Answer::Unavailable(detail)),
            Checked::Overloaded => Err(Answer::Overloaded),
        }
    }

    /// Whether the store answers and changes reach the cache.
    pub async fn healthy(&self) -> Result<(), String> {
        self.watch
            .check(&self.cache, &self.metrics)
            .map_err(|watch::Unavailable| "the store cannot be read".to_string())?;
        if !self.watch.listening() {
            return Err("the notification connection is down".into());
        }
        // A look-up as answers make them: the store is there, and this
        // identity may read keys.
        match self.lookups.run(|slot| look_up(slot, "000000000000")).await {
            Ok(Looked::Row(_)) => {}
            Ok(Looked::Tampered(detail) | Looked::Unavailable(detail)) => return Err(detail),
            Err(pool::Overloaded) => return Err("too much work queued".into()),
        }
        // A store put back to an older copy (or replaced) lacks the head
        // recorded earlier: its answers may accept keys deleted since.
        let Some(head) = self.expect_head.clone() else {
            return Ok(());
        };
        let shown = head.clone();
        let known = match self.head_seq.load(std::sync::atomic::Ordering::Relaxed) {
            0 => None,
            seq => Some(seq),
        };
        match self
            .lookups
            .run(move |slot| head_seq(slot, &head, known))
            .await
        {
            Ok(Ok(Some(seq))) => {
                self.head_seq
                    .store(seq, std::sync::atomic::Ordering::Relaxed);
                Ok(())
            }
            Ok(Ok(None)) => Err(format!(
                "rolled back: the expected audit head {shown} is not in the store's log (the store was put back to an older copy or replaced; keys deleted since may work again)"
            )),
            Ok(Err(detail)) => Err(detail),
            Err(pool::Overloaded) => Err("too much work queued".into()),
        }
    }

    fn gauges(&self) -> metrics::Gauges {
        metrics::Gauges {
            cache_entries: self.cache.len(),
            pool_workers: self.argon2.threads,
            pool_busy: self.argon2.busy(),
            pool_queued: self.argon2.queued(),
            trusted: self.watch.listening(),
            notification_lag: match &self.watch {
                Watch::Postgres(watch) => {
                    Some(watch.lag_micros.load(std::sync::atomic::Ordering::Relaxed) as f64 / 1e6)
                }
                Watch::Sqlite(_) => None,
            },
        }
    }
}

/// The sequence number of the entry of hash `head` in the store's audit
/// log, if it holds one. Once `known` (where it was found before), only
/// that entry is read again: a log put back to an older copy lacks it, or
/// holds another there.
fn head_seq(slot: &mut Slot, head: &str, known: Option<i64>) -> Result<Option<i64>, String> {
    let store = slot.store().map_err(|err| format!("{err:#}"))?;
    let filter = store::AuditFilter {
        after: known.map(|seq| seq - 1),
        ..store::AuditFilter::default()
    };
    let mut found = None;
    let mut stopped = false;
    let read = store.each_audit_entry(&filter, &mut |entry| {
        if entry.hash == head {
            found = Some(entry.seq);
        }
        // Nothing further to read once the entry sought was seen.
        stopped = found.is_some() || known.is_some();
        match stopped {
            true => Err(anyhow::anyhow!("the entry sought was read")),
            false => Ok(()),
        }
    });
    match read {
        Ok(()) => Ok(found),
        Err(_) if stopped => Ok(found.filter(|seq| known.is_none_or(|known| *seq == known))),
        Err(err) => {
            let detail = crate::explain::sentence(&err);
            slot.reset();
            Err(detail)
        }
    }
}

/// A row re-read.
enum Looked {
    Row(Option<store::StoredKey>),
    Tampered(String),
    Unavailable(String),
}

fn look_up(slot: &mut Slot, id: &str) -> Looked {
    let store = match slot.store() {
        Ok(store) => store,
        Err(err) => return Looked::Unavailable(format!("{err:#}")),
    };
    match store.find_key(id) {
        Ok(row) => Looked::Row(row),
        Err(tampered @ store::Error::Tampered { .. }) => {
            Looked::Tampered(crate::explain::sentence(&tampered))
        }
        Err(err) => {
            let detail = crate::explain::sentence(&err);
            slot.reset();
            Looked::Unavailable(detail)
        }
    }
}

/// Checks `token` against `row`, the row its ID names (None: no such
/// key), as `verify` does: one argon2 verification whether or not the ID
/// exists.
fn check(token: &Token, row: Option<store::StoredKey>) -> Checked {
    let hash = row
        .as_ref()
        .map(|stored| cache::hash_print(&stored.secret_hash));
    match crate::ops::check_secret(token, row) {
        Ok(key) => Checked::Found(Finding {
            id: KeyId::new(token.id()),
            hash,
            key: key.map(CachedKey::new),
        }),
        Err(err) => Checked::Damaged(format!("key {}: {err:#}", token.id())),
    }
}

/// A duration as `serve`'s options take it: a number of seconds, or a
/// number followed by `s`, `m` or `h`.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let (number, unit) = match text.find(|c: char| !c.is_ascii_digit()) {
        Some(at) => text.split_at(at),
        None => (text, "s"),
    };
    let seconds = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        _ => 0,
    };
    match number.parse::<u64>() {
        Ok(n) if seconds > 0 && n <= 7 * 86_400 => Ok(Duration::from_secs(n * seconds)),
        _ => Err(format!(
            "{text:?} is not a duration; give a number with s, m or h (30s, 10m, 1h)"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_and_addresses_parse_or_say_how() {
        assert_eq!(parse_duration("90"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("10m"), Ok(Duration::from_secs(600)));
        assert_eq!(parse_duration("1h"), Ok(Duration::from_secs(3600)));
        assert!(
            parse_duration("10 minutes")
                .unwrap_err()
                .contains("30s, 10m, 1h")
        );
        assert!(parse_duration("8d").is_err());
        assert_eq!(
            "127.0.0.1:8787".parse::<Listen>(),
            Ok(Listen::Tcp("127.0.0.1:8787".parse().unwrap()))
        );
        assert_eq!(
            "unix:/run/x.sock".parse::<Listen>(),
            Ok(Listen::Unix("/run/x.sock".into()))
        );
        assert!(
            "localhost:8787"
                .parse::<Listen>()
                .unwrap_err()
                .contains("IP:PORT")
        );
    }
}
