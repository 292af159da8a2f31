//! The SQLite store: one file per job — opening the file safely (`open`),
//! the schema and its upgrades (`schema`), keys, operators and the audit
//! log, and the generic SQLite helpers (`classify`).
//!
//! Every read-then-write runs in a `BEGIN IMMEDIATE` transaction so that
//! cron, CI and people can run commands at once without losing an update.

mod audit;
mod classify;
mod complete;
mod keys;
mod open;
mod operators;
pub mod reserve;
mod schema;
mod seal;
mod strict;

#[cfg(test)]
mod tests;

use std::path::PathBuf;
use std::time::Duration;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, Transaction, TransactionBehavior};

use crate::audit::{Actor, Entry};
use crate::key::ApiKey;
use crate::operator::{Action, Change, Operator};
use crate::store::{
    AuditFilter, Error, FlaggedCounts, KeyFilter, Renewal, Result, Store, StoredKey, Visit,
};

pub use schema::{APPLICATION_ID, SCHEMA_VERSION};

/// Brings the store at `path` to this build's format (`upgrade`), in
/// `actor`'s name; with `dry_run` only says how. Who may is the command's
/// call, made before.
pub fn upgrade(
    path: &std::path::Path,
    busy_timeout: Duration,
    dry_run: bool,
    actor: Actor,
) -> Result<crate::store::format::UpgradePlan> {
    SqliteStore::open(path, crate::store::Open::ToUpgrade, busy_timeout)?.upgrade(dry_run, actor)
}

/// How long recording a key's use waits for another's lock.
const RECORD_USE_WAIT: Duration = Duration::from_millis(100);

pub struct SqliteStore {
    conn: Connection,
    /// None for a private database in memory.
    path: Option<PathBuf>,
    read_only: bool,
    busy_timeout: Duration,
    /// IDs of rows listings skipped as unreadable (`Store::take_skipped`).
    skipped: std::cell::RefCell<Vec<String>>,
}

impl SqliteStore {
    /// A private database in memory, for tests.
    pub fn in_memory() -> Result<SqliteStore> {
        let mut store = SqliteStore {
            conn: Connection::open_in_memory()?,
            path: None,
            read_only: false,
            busy_timeout: Duration::ZERO,
            skipped: Default::default(),
        };
        store
            .conn
            .pragma_update(None, "application_id", APPLICATION_ID)?;
        store.create_schema()?;
        Ok(store)
    }

    fn location(&self) -> String {
        self.path
            .as_ref()
            .map_or_else(|| ":memory:".to_string(), |path| path.display().to_string())
    }

    fn classify(&self, err: rusqlite::Error) -> Error {
        classify::classify(&self.location(), self.busy_timeout, err)
    }

    /// Runs a read in one deferred transaction, its SQLite errors sorted.
    /// One snapshot for all its statements: a key row and the audit entry
    /// that sealed it must be read as of the same moment, or a change
    /// committed between the two would look like tampering.
    fn read<T>(&self, work: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        let run = || {
            let tx = self.conn.unchecked_transaction()?;
            let value = work(&tx)?;
            tx.commit()?;
            Ok(value)
        };
        run().map_err(|err| classify::reclassify(&self.location(), self.busy_timeout, err))
    }

    /// Runs a change in one immediate transaction: all of it or nothing.
    fn write<T>(&mut self, work: impl FnOnce(&Transaction) -> Result<T>) -> Result<T> {
        if self.read_only {
            return Err(Error::ReadOnly {
                location: self.location(),
            });
        }
        let location = self.location();
        let busy_timeout = self.busy_timeout;
        let run = |conn: &mut Connection| -> Result<T> {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let value = work(&tx)?;
            tx.commit()?;
            Ok(value)
        };
        let value = run(&mut self.conn)
            .map_err(|err| classify::reclassify(&location, busy_timeout, err))?;
        // Room for a revocation when the file system fills up, kept from
        // the first change on (or again, once a full disk has room again).
        if let Some(path) = &self.path {
            reserve::replenish(path);
        }
        Ok(value)
    }
}

impl Store for SqliteStore {
    fn is_read_only(&self) -> bool {
        self.read_only
    }

    fn format(&self) -> Result<crate::store::format::Format> {
        let version = schema::user_version(&self.conn).map_err(|err| self.classify(err))?;
        crate::store::stored_format(&self.location(), version)
    }

    fn owner_uid(&self) -> Result<Option<u32>> {
        use std::os::unix::fs::MetadataExt;
        let Some(path) = &self.path else {
            return Ok(None);
        };
        let metadata = std::fs::metadata(path).map_err(|err| {
            anyhow::Error::new(err).context(format!("cannot read {}", path.display()))
        })?;
        Ok(Some(metadata.uid()))
    }

    fn insert_unissued(&mut self, key: &ApiKey, secret_hash: &str, actor: Actor) -> Result<bool> {
        self.write(|tx| keys::insert_unissued(tx, key, secret_hash, actor))
    }

    fn mark_issued(&mut self, id: &str) -> Result<()> {
        self.write(|tx| keys::mark_issued(tx, id))
    }

    fn discard_unissued(&mut self, id: &str, actor: Actor) -> Result<()> {
        self.write(|tx| keys::discard_unissued(tx, id, actor))
    }

    fn begin_rotation(
        &mut self,
        old_id: &str,
        new: &ApiKey,
        secret_hash: &str,
        actor: Actor,
    ) -> Result<bool> {
        self.write(|tx| keys::begin_rotation(tx, old_id, new, secret_hash, actor))
    }

    fn finish_rotation(
        &mut self,
        old_id: &str,
        new_id: &str,
        retires_at: DateTime<Utc>,
        actor: Actor,
    ) -> Result<()> {
        self.write(|tx| keys::finish_rotation(tx, old_id, new_id, retires_at, actor))
    }

    fn record_use(
        &mut self,
        id: &str,
        at: DateTime<Utc>,
        stale_after: DateTime<Utc>,
    ) -> Result<bool> {
        if self.read_only {
            return Ok(false);
        }
        // A short wait of its own: `verify` must not stall behind a long
        // change just to note a use.
        self.conn.busy_timeout(RECORD_USE_WAIT)?;
        // Nor wait for the disk: a last use lost to a power cut costs
        // nothing, so this one write skips the sync that keys' changes get
        // (WAL with synchronous=NORMAL stays consistent, only not durable).
        self.conn.pragma_update(None, "synchronous", "NORMAL")?;
        let written = keys::record_use(&self.conn, id, at, stale_after);
        let restored = self
            .conn
            .busy_timeout(self.busy_timeout)
            .and_then(|()| self.conn.pragma_update(None, "synchronous", "FULL"));
        let written =
            written.map_err(|err| classify::reclassify(&self.location(), RECORD_USE_WAIT, err))?;
        restored?;
        Ok(written)
    }

    fn find_key(&self, id: &str) -> Result<Option<StoredKey>> {
        self.read(|conn| keys::find_checked(conn, id))
    }

    fn find_key_as_stored(&self, id: &str) -> Result<Option<StoredKey>> {
        self.read(|conn| keys::find(conn, id))
    }

    fn each_key(&self, filter: &KeyFilter, visit: Visit<ApiKey>) -> Result<()> {
        let mut skipped = Vec::new();
        let result = self.read(|conn| keys::each(conn, filter, visit, &mut skipped));
        self.skipped.borrow_mut().extend(skipped);
        result
    }

    fn take_skipped(&self) -> Vec<String> {
        std::mem::take(&mut self.skipped.borrow_mut())
    }

    fn key_extent(&self, filter: &KeyFilter) -> Result<crate::store::KeyExtent> {
        self.read(|conn| keys::extent(conn, filter))
    }

    fn count_flagged(
        &self,
        now: DateTime<Utc>,
        expiring_by: DateTime<Utc>,
    ) -> Result<FlaggedCounts> {
        self.read(|conn| keys::count_flagged(conn, now, expiring_by))
    }

    fn renew(
        &mut self,
        ids: &[String],
        freezes_at: DateTime<Utc>,
        actor: Actor,
    ) -> Result<Vec<Renewal>> {
        // A refusal is committed with its audit entry, then returned.
        self.write(|tx| keys::renew(tx, ids, freezes_at, actor))?
    }

    fn delete(&mut self, ids: &[String], actor: Actor) -> Result<Vec<ApiKey>> {
        self.write(|tx| keys::delete(tx, ids, actor))
    }

    fn revoke_found(&mut self, found: &[(String, String)], actor: Actor) -> Result<Vec<ApiKey>> {
        self.write(|tx| keys::revoke_found(tx, found, actor))
    }

    fn has_operators(&self) -> Result<bool> {
        self.read(operators::any)
    }

    fn add_first_administrator(&mut self, name: &str, actor: Actor) -> Result<bool> {
        self.write(|tx| operators::add_first_administrator(tx, name, actor))
    }

    fn operator(&self, name: &str) -> Result<Option<Operator>> {
        self.read(|conn| operators::find_checked(conn, name))
    }

    fn each_operator(&self, visit: Visit<Operator>) -> Result<()> {
        self.read(|conn| operators::each(conn, visit))
    }

    fn add_operator(&mut self, operator: &Operator, actor: Actor) -> Result<()> {
        self.write(|tx| operators::add(tx, operator, actor))
    }

    fn change_operator(&mut self, name: &str, change: &Change, actor: Actor) -> Result<Operator> {
        self.write(|tx| operators::change(tx, name, change, actor))
    }

    fn remove_operator(&mut self, name: &str, actor: Actor) -> Result<()> {
        self.write(|tx| operators::remove(tx, name, actor))
    }

    fn record_refusal(
        &mut self,
        action: Action,
        key_id: Option<&str>,
        detail: &str,
        actor: Actor,
    ) -> Result<()> {
        let event = crate::audit::Event::Refused {
            action,
            key_id,
            detail,
        };
        self.write(|tx| audit::append(tx, &event, actor))
    }

    fn each_audit_entry(&self, filter: &AuditFilter, visit: Visit<Entry>) -> Result<()> {
        self.read(|conn| audit::each(conn, filter, visit))
    }

    fn last_audit_seq(&self) -> Result<i64> {
        self.read(audit::last_seq)
    }

    fn each_tampered(&self, visit: Visit<crate::audit::Tampered>) -> Result<()> {
        self.read(|conn| seal::each_tampered(conn, visit))
    }

    fn backup(&self, to: &std::path::Path) -> Result<()> {
        self.read(|conn| open::backup(conn, to))
    }

    fn complete_keys(
        &self,
        prefix: &str,
        live_at: DateTime<Utc>,
        most: usize,
    ) -> Result<crate::store::KeyCompletions> {
        self.read(|conn| complete::keys(conn, prefix, live_at, most))
    }
}
