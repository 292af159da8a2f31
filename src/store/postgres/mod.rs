//! The PostgreSQL store: a schema whose tables only its owner role touches,
//! and SECURITY DEFINER functions through which operators (PostgreSQL
//! roles) read and change it (`schema.sql`). The server
//! checks every permission and writes every audit entry; this side calls
//! the functions and maps their rows and errors.
//!
//! The operator is the role the connection logs in as (`session_user`),
//! and times come from the server's clock: the `Actor` a caller passes is
//! not trusted for either.

mod clock;
mod connect;
mod prove;
mod recover;
mod reown;
mod schema;
mod upgrade;

#[cfg(test)]
pub(crate) mod testdb;
#[cfg(test)]
mod tests;

use std::cell::{Cell, RefCell};
use std::time::{Duration, Instant};

use anyhow::anyhow;
use chrono::{DateTime, Utc};
use postgres::types::{ToSql, Type};
use postgres::{Client, Row};

pub use clock::{ServerClock, read as read_clock};
pub use connect::{DEFAULT_SCHEMA, Location, is_url, url_has_password};
pub use reown::{Reowned, reown};
pub use schema::{Import, SCHEMA_VERSION, rules};
pub use upgrade::upgrade;

use crate::audit::{Actor, Entry, Record};
use crate::key::{ApiKey, Roles};
use crate::operator::{Action, Change, Operator};
use crate::store::{
    AuditFilter, Error, FlaggedCounts, KeyFilter, NotRotatable, Renewal, Result, Store, StoredKey,
    Visit,
};

pub struct PgStore {
    /// The client needs `&mut` even to read; the trait reads through `&self`.
    client: RefCell<Client>,
    location: Location,
    /// The schema, quoted for SQL.
    schema: String,
    /// How long a change waits for another's row lock (`lock_timeout`).
    busy_timeout: Duration,
    /// IDs of rows listings skipped as unreadable (`Store::take_skipped`).
    skipped: RefCell<Vec<String>>,
    /// Whether a change was confirmed on a new connection after the one
    /// it was sent on was lost as it committed (`Store::confirmed_after_loss`).
    confirmed_after_loss: Cell<bool>,
}

/// The functions called outside a transaction of their own: those that
/// only read (a read waits for no lock), and `record_use`, which sets its
/// own short lock wait (a use is not worth waiting for).
const READS: &[&str] = &[
    "record_use",
    "tampered",
    "find_key",
    "list_keys",
    "count_flagged",
    "keys_named",
    "operators",
    "audit_entries",
    "audit_last_seq",
    "whoami",
    "server_now",
];

/// Whether a role of the name `$1` exists.
const ROLE_EXISTS: &str = "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_roles
                                          WHERE rolname OPERATOR(pg_catalog.=) $1)";

/// `SET LOCAL lock_timeout` to `busy_timeout`, at least a millisecond (0 would
/// mean no limit to PostgreSQL).
fn lock_wait(busy_timeout: Duration) -> String {
    let wait = busy_timeout.as_millis().clamp(1, i32::MAX as u128);
    format!("SET LOCAL lock_timeout = {wait};")
}

/// How long a change waits for a lock unless told otherwise.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

impl PgStore {
    /// Connects to an existing store; refuses a database without one, or
    /// with one of a format this build does not read (`schema::check_version`).
    pub fn open(location: &Location) -> Result<PgStore> {
        PgStore::open_waiting(location, BUSY_TIMEOUT)
    }

    /// `open`, with changes waiting `busy_timeout` at most for a lock that
    /// another transaction holds (then `Error::Busy`, nothing changed), as
    /// SQLite's busy timeout has them wait for the database lock.
    pub fn open_waiting(location: &Location, busy_timeout: Duration) -> Result<PgStore> {
        PgStore::connect(location, busy_timeout, false)
    }

    /// `open_waiting` for the `upgrade` command: a store of an older minor
    /// format is opened too, to decide who may upgrade it.
    pub fn open_to_upgrade(location: &Location, busy_timeout: Duration) -> Result<PgStore> {
        PgStore::connect(location, busy_timeout, true)
    }

    fn connect(location: &Location, busy_timeout: Duration, to_upgrade: bool) -> Result<PgStore> {
        // The connection the server's clock was read on, when there is one.
        let mut client = match clock::take_spare(location) {
            Some(spare) => spare?,
            None => location.connect()?,
        };
        set_test_clock(&mut client, location)?;
        schema::check_version(&mut client, location, to_upgrade)?;
        Ok(PgStore {
            client: RefCell::new(client),
            schema: connect::quote_identifier(&location.schema),
            location: location.clone(),
            busy_timeout,
            skipped: RefCell::default(),
            confirmed_after_loss: Cell::new(false),
        })
    }

    /// Creates the store (see `schema::initialize`) and connects to it.
    pub fn initialize(location: &Location) -> Result<PgStore> {
        PgStore::initialize_with(location, None)
    }

    /// Creates the store holding what `import` carries, in one transaction.
    pub fn initialize_with(location: &Location, import: Option<&Import>) -> Result<PgStore> {
        let mut client = location.connect()?;
        schema::initialize(&mut client, location, import)?;
        drop(client);
        PgStore::open(location)
    }

    /// Sets the clock the store's functions read, in a store the test
    /// suite marked as following it (`setting.test_clock`).
    #[cfg(test)]
    pub(crate) fn set_clock(&self, now: DateTime<Utc>) {
        self.client
            .borrow_mut()
            .batch_execute(&format!("SET intergiro_keys.now = '{}'", now.timestamp()))
            .expect("setting the test clock");
    }

    pub fn location(&self) -> &Location {
        &self.location
    }

    /// Whether the server has a role of this name.
    pub fn role_exists(&self, name: &str) -> Result<bool> {
        let row = self
            .client
            .borrow_mut()
            .query_typed_one(ROLE_EXISTS, &[(&name, Type::TEXT)])
            .map_err(|err| self.explain(err))?;
        Ok(row.get(0))
    }

    fn explain(&self, err: postgres::Error) -> Error {
        explain(err, &self.location, self.busy_timeout)
    }

    /// Runs `sql`, a read over the store's functions, and hands each row to
    /// `each`: one unnamed statement with its parameters' types given, as
    /// `call_each` runs them (a transaction pooler keeps no named ones).
    fn query_each(
        &self,
        sql: &str,
        params: &[(&(dyn ToSql + Sync), Type)],
        mut each: impl FnMut(&Row) -> Result<()>,
    ) -> Result<()> {
        use postgres::fallible_iterator::FallibleIterator;
        let mut client = self.client.borrow_mut();
        let mut rows = client
            .query_typed_raw(sql, params.iter().cloned())
            .map_err(|err| self.explain(err))?;
        while let Some(row) = rows.next().map_err(|err| self.explain(err))? {
            each(&row)?;
        }
        Ok(())
    }

    /// Calls one of the store's functions that only reads, and hands each
    /// row to `each`. As a transaction pooler (pgbouncer) needs it: the call
    /// is one unnamed statement with its parameters' types given (the
    /// function's, from `prove::FUNCTIONS`), never a named prepared
    /// statement.
    fn call_each(
        &self,
        function: &str,
        params: &[&(dyn ToSql + Sync)],
        mut each: impl FnMut(&Row) -> Result<()>,
    ) -> Result<()> {
        use postgres::fallible_iterator::FallibleIterator;
        let (sql, types) = self.function_call(function, params.len())?;
        let mut client = self.client.borrow_mut();
        let mut rows = client
            .query_typed_raw(&sql, params.iter().copied().zip(types.iter().cloned()))
            .map_err(|err| self.explain(err))?;
        while let Some(row) = rows.next().map_err(|err| self.explain(err))? {
            each(&row)?;
        }
        Ok(())
    }

    /// The statement calling `function` with `count` arguments, and their
    /// types.
    fn function_call(&self, function: &str, count: usize) -> Result<(String, Vec<Type>)> {
        let types = prove::argument_types(function);
        if types.len() != count {
            return Err(Error::Other(anyhow!(
                "the store's function {function} takes {} arguments, not {count}",
                types.len(),
            )));
        }
        let placeholders: Vec<String> = (1..=count).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT * FROM {}.{function}({})",
            self.schema,
            placeholders.join(", ")
        );
        Ok((sql, types.to_vec()))
    }

    /// Calls one of the store's functions that changes it, in a transaction
    /// of its own that sets its lock wait with `SET LOCAL` (never on the
    /// session, which another client of a transaction pooler would get
    /// next), and returns its rows: only once the server has committed
    /// them, whatever happens to the connection (`committed`).
    ///
    /// `made` says, of the rows the change returned, whether the store
    /// shows it made: asked only of a server that restarted between the
    /// change's `COMMIT` and the look-up (see `recover`).
    fn change(
        &self,
        function: &str,
        params: &[&(dyn ToSql + Sync)],
        made: impl Fn(&Vec<Row>) -> Result<bool>,
    ) -> Result<Vec<Row>> {
        let (sql, types) = self.function_call(function, params.len())?;
        let settings = self.lock_wait();
        self.committed(
            |client| {
                let sent = match recover::begin(client, &settings) {
                    Ok(sent) => sent,
                    Err(err) => return self.not_committed(err),
                };
                let rows = client
                    .query_typed(
                        &sql,
                        &params
                            .iter()
                            .copied()
                            .zip(types.iter().cloned())
                            .collect::<Vec<_>>(),
                    )
                    .map_err(|err| self.explain(err));
                let rows = match rows {
                    Ok(rows) => rows,
                    Err(err) if recover::is_lost(&err) => {
                        return recover::Attempt::NotCommitted(err);
                    }
                    Err(err) => {
                        let _ = client.batch_execute("ROLLBACK");
                        return recover::Attempt::Failed(err);
                    }
                };
                match client
                    .batch_execute("COMMIT")
                    .map_err(|err| self.explain(err))
                {
                    Ok(()) => recover::Attempt::Done(rows),
                    Err(lost) if recover::is_lost(&lost) => recover::Attempt::InDoubt {
                        sent,
                        value: rows,
                        lost,
                    },
                    Err(err) => recover::Attempt::Failed(err),
                }
            },
            made,
        )
    }

    /// A failure to start a change's transaction: nothing was sent.
    fn not_committed<T>(&self, err: postgres::Error) -> recover::Attempt<T> {
        match self.explain(err) {
            lost if recover::is_lost(&lost) => recover::Attempt::NotCommitted(lost),
            err => recover::Attempt::Failed(err),
        }
    }

    /// Runs `attempt` (one change, in one transaction) until its outcome is
    /// known. A change lost before it was committed is sent again on a new
    /// connection (a few times, for a few seconds); one lost as it was
    /// committing is looked up by its transaction number on a new
    /// connection: made (its value is returned), or not (sent again).
    /// Only a server that cannot be reached again in time leaves the
    /// outcome unknown (`Error::OutcomeUnknown`), or, when nothing can have
    /// been changed, `Error::Unreachable`.
    fn committed<T>(
        &self,
        mut attempt: impl FnMut(&mut Client) -> recover::Attempt<T>,
        made: impl Fn(&T) -> Result<bool>,
    ) -> Result<T> {
        let mut deadline = None;
        let mut resends = 0;
        loop {
            let tried = attempt(&mut self.client.borrow_mut());
            let deadline = *deadline.get_or_insert_with(|| Instant::now() + recover::RECONNECT_FOR);
            let lost = match tried {
                recover::Attempt::Done(value) => return Ok(value),
                recover::Attempt::Failed(err) => return Err(err),
                recover::Attempt::NotCommitted(lost) => lost,
                recover::Attempt::InDoubt { sent, value, lost } => {
                    let Some(mut client) = recover::reconnect(&self.location, deadline) else {
                        return Err(recover::unknown(lost));
                    };
                    let fate = recover::fate(&self.location, &mut client, &sent, deadline);
                    *self.client.borrow_mut() = client;
                    let fate = match fate {
                        // The number may be another transaction's now: the
                        // change itself tells.
                        recover::Fate::Restarted => match made(&value) {
                            Ok(true) => recover::Fate::Committed,
                            Ok(false) => recover::Fate::Aborted,
                            Err(_) => recover::Fate::Unknown,
                        },
                        fate => fate,
                    };
                    match fate {
                        recover::Fate::Committed | recover::Fate::Restarted => {
                            self.confirmed_after_loss.set(true);
                            return Ok(value);
                        }
                        recover::Fate::Aborted => lost,
                        recover::Fate::Unknown => return Err(recover::unknown(lost)),
                    }
                }
            };
            // Known not to be made: worth sending again, on a new connection.
            if resends == recover::RESENDS {
                return Err(lost);
            }
            resends += 1;
            match recover::reconnect(&self.location, deadline) {
                Some(client) => *self.client.borrow_mut() = client,
                None => return Err(lost),
            }
        }
    }

    /// The lock wait of a change, for its own transaction.
    fn lock_wait(&self) -> String {
        lock_wait(self.busy_timeout)
    }

    fn call(&self, function: &str, params: &[&(dyn ToSql + Sync)]) -> Result<Vec<Row>> {
        if !READS.contains(&function) {
            // A change nothing here looks up: after a restart its outcome
            // is unknown.
            return self.change(function, params, |_| {
                Err(Error::Other(anyhow!("{function} is not looked up")))
            });
        }
        let mut all = Vec::new();
        self.call_each(function, params, |row| {
            all.push(row.clone());
            Ok(())
        })?;
        Ok(all)
    }

    /// Runs `work` in one transaction, which also holds the role GRANTs that
    /// go with an operator change; an error from `work` rolls it all back.
    /// A lost connection is handled as for any change (`committed`): `work`
    /// may run again on a new connection. `operator` is the one changed.
    fn in_transaction<T>(
        &self,
        operator: &str,
        made: impl Fn(&T) -> Result<bool>,
        mut work: impl FnMut(&mut postgres::Transaction) -> Result<T>,
    ) -> Result<T> {
        let settings = format!(
            "{} SET LOCAL search_path = pg_catalog, pg_temp;",
            self.lock_wait()
        );
        self.committed(
            |client| {
                let mut tx = match client.transaction() {
                    Ok(tx) => tx,
                    Err(err) => return self.not_committed(err),
                };
                let sent = match recover::begin_in(&mut tx, &settings) {
                    Ok(sent) => sent,
                    Err(err) => return self.not_committed(err),
                };
                let value = match work(&mut tx) {
                    Ok(value) => value,
                    Err(err) if recover::is_lost(&err) => {
                        return recover::Attempt::NotCommitted(err);
                    }
                    Err(err) => return recover::Attempt::Failed(err),
                };
                match tx.commit().map_err(|err| self.explain(err)) {
                    Ok(()) => recover::Attempt::Done(value),
                    Err(lost) if recover::is_lost(&lost) => {
                        recover::Attempt::InDoubt { sent, value, lost }
                    }
                    Err(err) => recover::Attempt::Failed(err),
                }
            },
            made,
        )
        .map_err(|err| recover::about(err, &[], Some(operator)))
    }

    /// Whether the store holds key `id` with this hash (a key this command
    /// stored, its ID and hash being its own).
    fn holds_key(&self, id: &str, secret_hash: &str) -> Result<bool> {
        Ok(self
            .find_key(id)?
            .is_some_and(|stored| stored.secret_hash == secret_hash))
    }

    /// Whether every key of `rows` (a deletion's) is gone.
    fn all_gone(&self, rows: &[Row]) -> Result<bool> {
        for row in rows {
            let id: String = get(row, "id")?;
            if self.find_key(&id)?.is_some() {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// One key by its ID as stored, and how it disagrees with its seal,
    /// if it does.
    fn find_key_as_stored_with_seal(
        &self,
        id: &str,
    ) -> Result<Option<(StoredKey, Option<String>)>> {
        // Typed: one round trip, where preparing the statement first and
        // closing it after would take two more on verify's path.
        let sql = format!("SELECT * FROM {}.find_key($1)", self.schema);
        let rows = self
            .client
            .borrow_mut()
            .query_typed(&sql, &[(&id, postgres::types::Type::TEXT)])
            .map_err(|err| self.explain(err))?;
        rows.first()
            .map(|row| {
                Ok((
                    StoredKey {
                        key: key_from_row(row)?,
                        secret_hash: get(row, "secret_hash")?,
                    },
                    get(row, "seal_problem")?,
                ))
            })
            .transpose()
    }

    fn operators_role(&self) -> Result<String> {
        let sql = format!("SELECT operators_role FROM {}.schema_version", self.schema);
        let row = self
            .client
            .borrow_mut()
            .query_typed_one(&sql, &[])
            .map_err(|err| self.explain(err))?;
        Ok(row.get(0))
    }
}

impl Store for PgStore {
    fn is_read_only(&self) -> bool {
        false
    }

    fn format(&self) -> Result<crate::store::format::Format> {
        let location = self.location.shown().to_string();
        match schema::stored_version(&mut *self.client.borrow_mut(), &self.location.schema)? {
            Some(version) => crate::store::stored_format(&location, version),
            None => Err(Error::NoStore {
                location,
                schema: self.location.schema.clone(),
            }),
        }
    }

    fn owner_uid(&self) -> Result<Option<u32>> {
        Ok(None)
    }

    fn session_operator(&self) -> Option<&str> {
        Some(self.location.user())
    }

    fn confirmed_after_loss(&self) -> bool {
        self.confirmed_after_loss.get()
    }

    fn insert_unissued(&mut self, key: &ApiKey, secret_hash: &str, _actor: Actor) -> Result<bool> {
        let rows = self
            .change(
                "create_key",
                &[&key.id, &key.name, &key.roles.to_string(), &secret_hash],
                |_| self.holds_key(&key.id, secret_hash),
            )
            .map_err(|err| recover::about(err, &[&key.id], None))?;
        Ok(rows.first().is_some_and(|row| row.get::<_, bool>(0)))
    }

    fn mark_issued(&mut self, id: &str) -> Result<()> {
        self.change("mark_issued", &[&id], |_| {
            Ok(self.find_key(id)?.is_some_and(|stored| stored.key.issued))
        })
        .map(drop)
        .map_err(|err| recover::about(err, &[id], None))
    }

    fn discard_unissued(&mut self, id: &str, _actor: Actor) -> Result<()> {
        self.change("discard_unissued", &[&id], |_| {
            Ok(self.find_key(id)?.is_none_or(|stored| stored.key.issued))
        })
        .map(drop)
        .map_err(|err| recover::about(err, &[id], None))
    }

    /// The server claims the old key and stores the new one with the old
    /// key's name and roles, checking create, delete and the caller's
    /// key-role limit itself.
    fn begin_rotation(
        &mut self,
        old_id: &str,
        new: &ApiKey,
        secret_hash: &str,
        _actor: Actor,
    ) -> Result<bool> {
        let rows = self
            .change("begin_rotation", &[&old_id, &new.id, &secret_hash], |_| {
                self.holds_key(&new.id, secret_hash)
            })
            .map_err(|err| recover::about(err, &[old_id, &new.id], None))?;
        Ok(rows.first().is_some_and(|row| row.get::<_, bool>(0)))
    }

    /// The server sets `retires_at` by its own clock: the grace period is
    /// what it is given, counted from its now.
    fn finish_rotation(
        &mut self,
        old_id: &str,
        new_id: &str,
        retires_at: DateTime<Utc>,
        actor: Actor,
    ) -> Result<()> {
        let grace = (retires_at - actor.now).num_seconds();
        self.change("finish_rotation", &[&old_id, &new_id, &grace], |_| {
            Ok(self
                .find_key(new_id)?
                .is_some_and(|stored| stored.key.issued))
        })
        .map(drop)
        .map_err(|err| recover::about(err, &[new_id, old_id], None))
    }

    /// The server records the use at its own time, waiting for a row lock
    /// 0.1 s at most (`Error::Busy` then), as on SQLite.
    fn record_use(
        &mut self,
        id: &str,
        at: DateTime<Utc>,
        stale_after: DateTime<Utc>,
    ) -> Result<bool> {
        let period = (at - stale_after).num_seconds();
        let rows = self.call("record_use", &[&id, &period])?;
        Ok(rows.first().is_some_and(|row| row.get::<_, bool>(0)))
    }

    /// `Error::Tampered` when the server finds the row is not as the audit
    /// entry that last wrote it sealed it (its `seal_problem`).
    fn find_key(&self, id: &str) -> Result<Option<StoredKey>> {
        let found = self.find_key_as_stored_with_seal(id)?;
        match found {
            Some((_, Some(problem))) => Err(Error::Tampered {
                subject: crate::audit::key_subject(id),
                problem,
            }),
            Some((stored, None)) => Ok(Some(stored)),
            None => Ok(None),
        }
    }

    fn find_key_as_stored(&self, id: &str) -> Result<Option<StoredKey>> {
        Ok(self
            .find_key_as_stored_with_seal(id)?
            .map(|(stored, _)| stored))
    }

    /// The server's `list_keys` (which needs `view`) narrowed, ordered and
    /// limited by the server too; rows stream to `visit`.
    fn each_key(&self, filter: &KeyFilter, visit: Visit<ApiKey>) -> Result<()> {
        use postgres::fallible_iterator::FallibleIterator;
        let (sql, values) = select_keys(&self.schema, filter);
        let mut client = self.client.borrow_mut();
        // The filter's operators are the catalogs': not one a database's
        // owner put on its default `search_path`. Pinned for this
        // transaction only, as a transaction pooler needs.
        client
            .batch_execute("BEGIN; SET LOCAL search_path = pg_catalog, pg_temp;")
            .map_err(|err| self.explain(err))?;
        let mut skipped = Vec::new();
        let listed: Result<()> = (|| {
            let mut rows = client
                .query_typed_raw(
                    &sql,
                    values
                        .iter()
                        .map(|(value, kind)| (value.as_ref() as &(dyn ToSql + Sync), kind.clone())),
                )
                .map_err(|err| self.explain(err))?;
            while let Some(row) = rows.next().map_err(|err| self.explain(err))? {
                match key_from_row(&row) {
                    Ok(key) => visit(key)?,
                    // Written by other means: skipped, never taking the
                    // listing down.
                    Err(_) => skipped.push(
                        row.try_get::<_, Option<String>>("id")
                            .ok()
                            .flatten()
                            .unwrap_or_else(|| "(no ID)".to_string()),
                    ),
                }
            }
            Ok(())
        })();
        let end = if listed.is_ok() { "COMMIT" } else { "ROLLBACK" };
        let ended = client.batch_execute(end).map_err(|err| self.explain(err));
        listed?;
        ended?;
        drop(client);
        self.skipped.borrow_mut().extend(skipped);
        Ok(())
    }

    fn take_skipped(&self) -> Vec<String> {
        std::mem::take(&mut self.skipped.borrow_mut())
    }

    /// The server's `keys_named`, which needs the permissions of the
    /// command rather than `view`.
    fn keys_named(
        &self,
        name: &str,
        similar: bool,
        live_at: DateTime<Utc>,
        action: Action,
    ) -> Result<Vec<ApiKey>> {
        let permissions: Vec<&str> = action
            .permissions()
            .into_iter()
            .map(|permission| permission.as_str())
            .collect();
        let rows = self.call(
            "keys_named",
            &[&name, &similar, &live_at.timestamp(), &permissions],
        )?;
        let mut keys = Vec::with_capacity(rows.len());
        for row in &rows {
            // A caller without `view` is given the IDs alone; the rest is
            // read by ID, as verifying a presented key reads it.
            if get::<Option<String>>(row, "roles")?.is_none() {
                let id: String = get(row, "id")?;
                if let Some(stored) = self.find_key(&id)? {
                    keys.push(stored.key);
                }
            } else {
                keys.push(key_from_row(row)?);
            }
        }
        Ok(keys)
    }

    fn count_flagged(
        &self,
        now: DateTime<Utc>,
        expiring_by: DateTime<Utc>,
    ) -> Result<FlaggedCounts> {
        let rows = self.call(
            "count_flagged",
            &[&now.timestamp(), &expiring_by.timestamp()],
        )?;
        let row = rows
            .first()
            .ok_or_else(|| Error::Other(anyhow!("count_flagged returned no row")))?;
        let count = |column: &str| get::<i64>(row, column).map(|n| n as u64);
        Ok(FlaggedCounts {
            issued: count("issued")?,
            frozen: count("frozen")?,
            expiring: count("expiring")?,
            retiring: count("retiring")?,
        })
    }

    /// The server sets the freeze 90 days from its own clock: a client
    /// cannot push a key's freeze further.
    fn renew(
        &mut self,
        ids: &[String],
        _freezes_at: DateTime<Utc>,
        actor: Actor,
    ) -> Result<Vec<Renewal>> {
        let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
        let renewed = self
            .change("renew_keys", &[&ids], |rows| {
                // Each key as the renewal returned it, to the second.
                for row in rows {
                    let renewed = key_from_row(row)?;
                    match self.find_key(&renewed.id)? {
                        Some(stored)
                            if stored.key.freezes_at == renewed.freezes_at
                                && stored.key.renewed_at == renewed.renewed_at => {}
                        _ => return Ok(false),
                    }
                }
                Ok(true)
            })
            .map_err(|err| recover::about(err, &ids, None));
        let rows = match renewed {
            Ok(rows) => rows,
            Err(err) => {
                if let Error::Retiring {
                    id,
                    retires_at,
                    replaced_by,
                } = &err
                {
                    // renew_keys raises, which rolls its transaction back:
                    // the refusal goes into the key's history in its own.
                    let detail =
                        crate::audit::retiring_not_renewed(id, *retires_at, replaced_by.as_deref());
                    let _ = self.record_refusal(Action::Renew, Some(id), &detail, actor);
                }
                return Err(err);
            }
        };
        rows.iter()
            .map(|row| {
                Ok(Renewal {
                    key: key_from_row(row)?,
                    previous_freezes_at: time(get(row, "previous_freezes_at")?)?,
                })
            })
            .collect()
    }

    fn delete(&mut self, ids: &[String], _actor: Actor) -> Result<Vec<ApiKey>> {
        let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
        self.change("delete_keys", &[&ids], |rows| self.all_gone(rows))
            .map_err(|err| recover::about(err, &ids, None))?
            .iter()
            .map(key_from_row)
            .collect()
    }

    fn revoke_found(&mut self, found: &[(String, String)], _actor: Actor) -> Result<Vec<ApiKey>> {
        let ids: Vec<&str> = found.iter().map(|(id, _)| id.as_str()).collect();
        let places: Vec<&str> = found.iter().map(|(_, place)| place.as_str()).collect();
        self.change("revoke_found", &[&ids, &places], |rows| self.all_gone(rows))
            .map_err(|err| recover::about(err, &ids, None))?
            .iter()
            .map(key_from_row)
            .collect()
    }

    /// `init` made the first administrator: a store here always has one.
    fn has_operators(&self) -> Result<bool> {
        Ok(true)
    }

    fn add_first_administrator(&mut self, _name: &str, _actor: Actor) -> Result<bool> {
        Ok(false)
    }

    /// The acting role's own entry needs no permission; anyone else's needs
    /// `view`.
    fn operator(&self, name: &str) -> Result<Option<Operator>> {
        if name == self.location.user() {
            return self
                .call("whoami", &[])?
                .first()
                .map(operator_from_row)
                .transpose();
        }
        let mut found = None;
        self.each_operator(&mut |operator| {
            if operator.name == name {
                found = Some(operator);
            }
            Ok(())
        })?;
        Ok(found)
    }

    fn each_operator(&self, visit: Visit<Operator>) -> Result<()> {
        self.call_each("operators", &[], |row| Ok(visit(operator_from_row(row)?)?))
    }

    /// Adds the operator and grants its role the store's group role, in one
    /// transaction: an administrator gets it WITH ADMIN OPTION, to grant it
    /// in turn.
    fn add_operator(&mut self, operator: &Operator, _actor: Actor) -> Result<()> {
        let group = self.operators_role()?;
        let sql = format!("SELECT {}.add_operator($1, $2, $3)", self.schema);
        let made = |_: &()| Ok(self.operator(&operator.name)?.is_some());
        self.in_transaction(&operator.name, made, |tx| {
            tx.query_typed(
                &sql,
                &[
                    (&operator.name, Type::TEXT),
                    (&operator.permissions.to_string(), Type::TEXT),
                    (
                        &operator.key_roles.as_ref().map(Roles::to_string),
                        Type::TEXT,
                    ),
                ],
            )
            .map_err(|err| self.explain(err))?;
            grant_group(tx, &group, operator, &|err| self.explain(err))
        })
    }

    /// Reads the operator and writes the change in one transaction, the
    /// server keeping other operator changes out until it commits: a change
    /// is never computed from what another has since changed.
    fn change_operator(&mut self, name: &str, change: &Change, _actor: Actor) -> Result<Operator> {
        let group = self.operators_role()?;
        let lock = format!("SELECT * FROM {}.lock_operator($1)", self.schema);
        let sql = format!("SELECT {}.update_operator($1, $2, $3, $4)", self.schema);
        let made = |updated: &Operator| Ok(self.operator(name)?.as_ref() == Some(updated));
        self.in_transaction(name, made, |tx| {
            let explain = |err| self.explain(err);
            let current = tx
                .query_typed(&lock, &[(&name, Type::TEXT)])
                .map_err(explain)?
                .first()
                .map(operator_from_row)
                .transpose()?
                .ok_or_else(|| Error::UnknownOperator(name.to_string()))?;
            let updated = change.apply(&current);
            tx.query_typed(
                &sql,
                &[
                    (&name, Type::TEXT),
                    (&change.action().as_str(), Type::TEXT),
                    (&updated.permissions.to_string(), Type::TEXT),
                    (
                        &updated.key_roles.as_ref().map(Roles::to_string),
                        Type::TEXT,
                    ),
                ],
            )
            .map_err(explain)?;
            if current.permissions.is_admin() && !updated.permissions.is_admin() {
                tx.batch_execute(&format!(
                    "REVOKE ADMIN OPTION FOR {} FROM {}",
                    connect::quote_identifier(&group),
                    connect::quote_identifier(name)
                ))
                .map_err(explain)?;
            }
            grant_group(tx, &group, &updated, &explain)?;
            Ok(updated)
        })
    }

    fn remove_operator(&mut self, name: &str, _actor: Actor) -> Result<()> {
        let group = self.operators_role()?;
        let sql = format!("SELECT {}.remove_operator($1)", self.schema);
        let made = |_: &()| Ok(self.operator(name)?.is_none());
        self.in_transaction(name, made, |tx| {
            let explain = |err| self.explain(err);
            tx.query_typed(&sql, &[(&name, Type::TEXT)])
                .map_err(explain)?;
            // The role may be gone already; the operator entry is what counts.
            if role_exists(tx, name).map_err(explain)? {
                tx.batch_execute(&format!(
                    "REVOKE {} FROM {}",
                    connect::quote_identifier(&group),
                    connect::quote_identifier(name)
                ))
                .map_err(explain)?;
            }
            Ok(())
        })
    }

    fn record_refusal(
        &mut self,
        action: Action,
        key_id: Option<&str>,
        detail: &str,
        _actor: Actor,
    ) -> Result<()> {
        self.call("record_refusal", &[&action.as_str(), &key_id, &detail])
            .map(drop)
    }

    fn each_audit_entry(&self, filter: &AuditFilter, visit: Visit<Entry>) -> Result<()> {
        let since = filter.since.map(|since| since.timestamp());
        // `audit_entries` has no sequence bound; the rows a follower saw
        // are left out here, on the server.
        let after = filter.after.unwrap_or(i64::MIN);
        self.query_each(
            &format!(
                "SELECT * FROM {}.audit_entries($1, $2, $3) WHERE seq > $4 ORDER BY seq",
                self.schema
            ),
            &[
                (&filter.key_id, Type::TEXT),
                (&filter.operator, Type::TEXT),
                (&since, Type::INT8),
                (&after, Type::INT8),
            ],
            |row| {
                let entry = Entry {
                    seq: get(row, "seq")?,
                    record: Record {
                        at: time(get(row, "at")?)?,
                        operator: get(row, "operator")?,
                        action: get(row, "action")?,
                        key_id: get(row, "key_id")?,
                        outcome: get(row, "outcome")?,
                        detail: get(row, "detail")?,
                    },
                    // Only entries moved from a SQLite store have seals.
                    seal: match (get(row, "subject")?, get(row, "seal")?) {
                        (Some(subject), Some(digest)) => {
                            Some(crate::audit::Seal { subject, digest })
                        }
                        _ => None,
                    },
                    prev_hash: get(row, "prev_hash")?,
                    hash: get(row, "hash")?,
                };
                Ok(visit(entry)?)
            },
        )
    }

    fn last_audit_seq(&self) -> Result<i64> {
        let rows = self.call("audit_last_seq", &[])?;
        rows.first().map_or(Ok(0), |row| get(row, "audit_last_seq"))
    }

    /// Operators hold no table privileges, so no row changes but through
    /// the functions that seal it; a row the owner role (or a superuser)
    /// edited is found by the server's `tampered`, which needs `view`.
    fn each_tampered(&self, visit: Visit<crate::audit::Tampered>) -> Result<()> {
        self.call_each("tampered", &[], |row| {
            Ok(visit(crate::audit::Tampered {
                subject: get(row, "subject")?,
                problem: get(row, "problem")?,
            })?)
        })
    }

    /// A server's data is backed up with its own tools.
    fn backup(&self, _to: &std::path::Path) -> Result<()> {
        Err(anyhow::anyhow!(
            "backup copies an SQLite file; back up a PostgreSQL store with pg_dump"
        )
        .into())
    }
}

type Value = Box<dyn ToSql + Sync>;

/// The query for `filter` over `list_keys` (`store::filter`), its values
/// typed as the server takes them.
fn select_keys(schema: &str, filter: &KeyFilter) -> (String, Vec<(Value, Type)>) {
    use crate::store::filter::{self, Dialect, Order, Param};
    let query = filter::select(Dialect::Postgres { schema }, filter, Order::Sorted);
    let values = query
        .params
        .into_iter()
        .map(|param| -> (Value, Type) {
            match param {
                Param::Int(n) => (Box::new(n), Type::INT8),
                Param::NullInt => (Box::new(None::<i64>), Type::INT8),
                Param::Text(text) => (Box::new(text), Type::TEXT),
                Param::Bool(yes) => (Box::new(yes), Type::BOOL),
            }
        })
        .collect();
    (query.sql, values)
}

/// Grants the group role to an operator's role (WITH ADMIN OPTION for an
/// administrator). The role must exist: creating login roles, with their
/// passwords, is the database administrator's job. An error leaves the
/// transaction uncommitted, so the change is rolled back with it.
fn grant_group(
    tx: &mut postgres::Transaction,
    group: &str,
    operator: &Operator,
    explain: &dyn Fn(postgres::Error) -> Error,
) -> Result<()> {
    if !role_exists(tx, &operator.name).map_err(explain)? {
        return Err(Error::Other(anyhow!(
            "there is no PostgreSQL role {name}; create it first (CREATE ROLE {quoted} LOGIN PASSWORD ...), then add it",
            name = operator.name,
            quoted = connect::quote_identifier(&operator.name)
        )));
    }
    let admin = if operator.permissions.is_admin() {
        " WITH ADMIN OPTION"
    } else {
        ""
    };
    tx.batch_execute(&format!(
        "GRANT {} TO {}{admin}",
        connect::quote_identifier(group),
        connect::quote_identifier(&operator.name)
    ))
    .map_err(explain)
}

fn role_exists(
    tx: &mut postgres::Transaction,
    name: &str,
) -> std::result::Result<bool, postgres::Error> {
    tx.query_typed_one(ROLE_EXISTS, &[(&name, Type::TEXT)])
        .map(|row| row.get(0))
}

fn quote_literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// Debug builds (the test suite) pass their clock to the server, which
/// honours it only in a store the test suite marked as its own; release
/// builds never send one.
#[cfg(debug_assertions)]
fn set_test_clock(client: &mut Client, location: &Location) -> Result<()> {
    if let Some(value) = std::env::var_os("INTERGIRO_KEYS_NOW") {
        let value = value.to_string_lossy();
        let now = DateTime::parse_from_rfc3339(&value)
            .map_err(|err| anyhow!("INTERGIRO_KEYS_NOW={value} is not an RFC 3339 time ({err})"))?;
        client
            .batch_execute(&format!("SET intergiro_keys.now = '{}'", now.timestamp()))
            .map_err(|err| match explain(err, location, BUSY_TIMEOUT) {
                lost @ Error::Unreachable { .. } => lost,
                err => Error::Other(anyhow!("cannot set the test clock: {err:?}")),
            })?;
    }
    Ok(())
}

#[cfg(not(debug_assertions))]
fn set_test_clock(_client: &mut Client, _location: &Location) -> Result<()> {
    Ok(())
}

fn get<'a, T: postgres::types::FromSql<'a>>(row: &'a Row, column: &str) -> Result<T> {
    row.try_get(column)
        .map_err(|err| Error::Other(anyhow!("reading column {column}: {err}")))
}

fn time(seconds: i64) -> Result<DateTime<Utc>> {
    DateTime::from_timestamp(seconds, 0)
        .ok_or_else(|| Error::Other(anyhow!("stored time {seconds} is out of range")))
}

fn key_from_row(row: &Row) -> Result<ApiKey> {
    let roles: String = get(row, "roles")?;
    Ok(ApiKey {
        id: get(row, "id")?,
        name: get(row, "name")?,
        roles: roles
            .parse()
            .map_err(|err: String| Error::Other(anyhow!("stored roles: {err}")))?,
        created_at: time(get(row, "created_at")?)?,
        renewed_at: time(get(row, "renewed_at")?)?,
        freezes_at: time(get(row, "freezes_at")?)?,
        issued: get(row, "issued")?,
        retires_at: get::<Option<i64>>(row, "retires_at")?
            .map(time)
            .transpose()?,
        replaced_by: get(row, "replaced_by")?,
        last_used_at: get::<Option<i64>>(row, "last_used_at")?
            .map(time)
            .transpose()?,
    })
}

/// `begin_rotation`'s refusal, from its DETAIL: `<id> unissued`,
/// `<id> retiring <unix seconds>` or `<id> in-progress <replacement>`.
fn not_rotatable(detail: &str) -> Error {
    let mut parts = detail.splitn(3, ' ');
    let (id, kind, rest) = (parts.next(), parts.next(), parts.next());
    let reason = match (kind, rest) {
        (Some("unissued"), _) => Some(NotRotatable::Unissued),
        (Some("retiring"), Some(at)) => at
            .parse::<i64>()
            .ok()
            .and_then(|at| DateTime::from_timestamp(at, 0))
            .map(NotRotatable::Retiring),
        (Some("in-progress"), Some(replacement)) => {
            Some(NotRotatable::InProgress(replacement.to_string()))
        }
        _ => None,
    };
    match (id, reason) {
        (Some(id), Some(reason)) => Error::NotRotatable {
            id: id.to_string(),
            reason,
        },
        _ => Error::Other(anyhow!("the key cannot be rotated ({detail})")),
    }
}

/// `renew_keys`' refusal of a retiring key, from its DETAIL:
/// `<id> <retires_at unix seconds> [<replacement>]`.
fn retiring(detail: &str) -> Error {
    let mut parts = detail.splitn(3, ' ');
    let (id, at, replaced_by) = (parts.next(), parts.next(), parts.next());
    let retires_at = at
        .and_then(|at| at.parse::<i64>().ok())
        .and_then(|at| DateTime::from_timestamp(at, 0));
    match (id, retires_at) {
        (Some(id), Some(retires_at)) => Error::Retiring {
            id: id.to_string(),
            retires_at,
            replaced_by: replaced_by.map(str::to_string),
        },
        _ => Error::Other(anyhow!(
            "the key is retiring and cannot be renewed ({detail})"
        )),
    }
}

fn operator_from_row(row: &Row) -> Result<Operator> {
    let permissions: String = get(row, "permissions")?;
    let key_roles: Option<String> = get(row, "key_roles")?;
    Ok(Operator {
        name: get(row, "name")?,
        permissions: permissions
            .parse()
            .map_err(|err: String| Error::Other(anyhow!("stored permissions: {err}")))?,
        key_roles: key_roles
            .map(|roles| roles.parse::<Roles>())
            .transpose()
            .map_err(|err| Error::Other(anyhow!("stored key roles: {err}")))?,
    })
}

/// A server error as the store's typed error. The functions' own messages
/// are written for users; a lost connection is worth retrying. `busy_timeout`
/// is the session's `lock_timeout`, which a lock not granted ran out.
pub fn explain(err: postgres::Error, location: &Location, busy_timeout: Duration) -> Error {
    let Some(db) = err.as_db_error() else {
        // An I/O error on the server's socket (a broken pipe, a reset) is
        // the connection lost, like a closed one: never taken for a broken
        // pipe on stdout, nor reported as a plain error.
        let lost = std::error::Error::source(&err)
            .is_some_and(|source| source.downcast_ref::<std::io::Error>().is_some());
        if err.is_closed() || lost || err.to_string().contains("connection") {
            return Error::Unreachable {
                location: location.shown().to_string(),
                detail: connect::error_text(&err),
            };
        }
        return Error::Other(anyhow!("PostgreSQL: {}", connect::error_text(&err)));
    };
    let detail = db.detail().unwrap_or_default();
    match db.code().code() {
        "IK001" => Error::UnknownKeys(detail.split(',').map(str::to_string).collect()),
        "IK002" => Error::UnknownOperator(detail.to_string()),
        "IK003" => Error::OperatorExists(detail.to_string()),
        "IK004" => Error::LastAdministrator,
        "IK005" => not_rotatable(detail),
        "IK006" => retiring(detail),
        // A row not as the audit entry that last wrote it sealed it.
        "IK007" => Error::Tampered {
            subject: detail.to_string(),
            problem: db.message().to_string(),
        },
        // deadlock_detected, serialization_failure: the server rolled this
        // transaction back so that another could finish.
        "40P01" | "40001" => Error::Conflict {
            location: location.shown().to_string(),
        },
        "55P03" => Error::Busy {
            location: location.shown().to_string(),
            waited: busy_timeout,
        },
        // The server ended the session (shut down, restarted, or an
        // administrator's pg_terminate_backend), or the connection failed:
        // the connection is lost, as when its socket breaks.
        code if code.starts_with("57P0") || code.starts_with("08") => Error::Unreachable {
            location: location.shown().to_string(),
            detail: connect::error_text(&err),
        },
        "42501" if db.message().starts_with("permission denied for function") => {
            Error::Other(anyhow!(
                "role {user} is not an operator of this store, so the server lets it call none of the store's functions; an administrator adds operators with `users add {user}`",
                user = location.user()
            ))
        }
        _ => Error::Other(anyhow!("{}", db.message())),
    }
}
