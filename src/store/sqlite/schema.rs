//! The schema: an append-only list of migrations applied under
//! `PRAGMA user_version`, and the marks that say a file is ours.

use rusqlite::{Connection, TransactionBehavior};

use super::SqliteStore;
use crate::store::{Error, NotOurs, Result};

/// Marks the file as ours (`PRAGMA application_id`): "IGKS".
pub const APPLICATION_ID: i32 = 0x4947_4B53;

/// The schema, one entry per version, applied in order. Never edit or remove
/// an entry: append a new one.
pub const MIGRATIONS: &[&str] = &[
    // v1: API keys. Times are Unix seconds, UTC. `issued` becomes 1 only once
    // the secret has been written out, so a key whose secret never reached
    // its owner can never be used.
    "CREATE TABLE api_key (
        id          TEXT PRIMARY KEY NOT NULL,
        name        TEXT NOT NULL,
        roles       TEXT NOT NULL,
        secret_hash TEXT NOT NULL,
        created_at  INTEGER NOT NULL,
        renewed_at  INTEGER NOT NULL,
        freezes_at  INTEGER NOT NULL,
        issued      INTEGER NOT NULL DEFAULT 0 CHECK (issued IN (0, 1))
    ) STRICT;",
    // v2: operators and the append-only, hash-chained audit log.
    "CREATE TABLE operator (
        name        TEXT PRIMARY KEY NOT NULL,
        permissions TEXT NOT NULL,
        key_roles   TEXT,
        added_at    INTEGER NOT NULL,
        added_by    TEXT NOT NULL
    ) STRICT;
    CREATE TABLE audit (
        seq       INTEGER PRIMARY KEY AUTOINCREMENT,
        at        INTEGER NOT NULL,
        operator  TEXT NOT NULL,
        action    TEXT NOT NULL,
        key_id    TEXT,
        outcome   TEXT NOT NULL,
        detail    TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash      TEXT NOT NULL
    );
    CREATE INDEX audit_key_id ON audit (key_id);
    CREATE TRIGGER audit_append_only_update BEFORE UPDATE ON audit
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
    CREATE TRIGGER audit_append_only_delete BEFORE DELETE ON audit
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;",
    // v3: indexes for listing a large estate in order without sorting it,
    // and for --expiring and --name GLOB (a literal prefix uses the index).
    "CREATE INDEX api_key_freezes ON api_key (freezes_at, id);
    CREATE INDEX api_key_name ON api_key (name);
    CREATE INDEX api_key_created ON api_key (created_at, id);",
    // v4: tamper evidence. An entry that writes or removes a key or operator
    // row records the row's subject and a digest of its security-relevant
    // fields (its seal, part of the entry's hash); the rows found at the
    // upgrade are sealed as found (`seal::seal_existing`).
    "ALTER TABLE audit ADD COLUMN subject TEXT;
    ALTER TABLE audit ADD COLUMN seal TEXT;
    CREATE INDEX audit_subject ON audit (subject, seq);",
    // v5: rotation and last use. `replaced_by` claims a key for the one
    // rotation replacing it; `retires_at` is set once the replacement's
    // secret was written out. `last_used_at` is not audited.
    "ALTER TABLE api_key ADD COLUMN retires_at INTEGER;
    ALTER TABLE api_key ADD COLUMN replaced_by TEXT;
    ALTER TABLE api_key ADD COLUMN last_used_at INTEGER;
    CREATE INDEX api_key_last_used ON api_key (last_used_at, id);",
    // v6: a rotated key's seal covers its `retires_at` and `replaced_by`;
    // keys rotated before are sealed so by `seal::seal_retirements`.
    "",
    // v7: a key's seal covers its name, which commands take for the key;
    // keys sealed before are sealed so by `seal::seal_names`.
    "",
];

/// What a migration's code does, in the migration's transaction.
type MigrationCode = fn(&rusqlite::Transaction) -> Result<()>;

/// Code that goes with a migration, run right after its SQL: the version
/// it belongs to and what it does.
const MIGRATION_CODE: &[(usize, MigrationCode)] = &[
    (4, super::seal::seal_existing),
    (6, super::seal::seal_retirements),
    (7, super::seal::seal_names),
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

pub fn user_version(conn: &Connection) -> rusqlite::Result<i64> {
    conn.pragma_query_value(None, "user_version", |row| row.get(0))
}

impl SqliteStore {
    /// Refuses an SQLite file that another program made.
    pub(super) fn check_identity(&self) -> Result<()> {
        let application_id: i32 = self
            .conn
            .pragma_query_value(None, "application_id", |row| row.get(0))
            .map_err(|err| self.classify(err))?;
        if application_id != APPLICATION_ID {
            let ours_unmarked: bool = application_id == 0
                && user_version(&self.conn).map_err(|err| self.classify(err))? == 0
                && self
                    .conn
                    .query_row(
                        "SELECT count(*) = 3 FROM sqlite_master
                         WHERE type = 'table' AND name IN ('api_key', 'operator', 'audit')",
                        [],
                        |row| row.get(0),
                    )
                    .map_err(|err| self.classify(err))?;
            return Err(Error::NotOurs {
                location: self.location(),
                reason: if ours_unmarked {
                    NotOurs::Dump
                } else {
                    NotOurs::OtherProgram
                },
            });
        }
        Ok(())
    }

    /// Brings the schema up to date in one transaction; refuses a newer one.
    pub(super) fn migrate(&mut self) -> Result<()> {
        let version = user_version(&self.conn).map_err(|err| self.classify(err))?;
        self.refuse_newer(version)?;
        if version == SCHEMA_VERSION {
            return Ok(());
        }
        if self.read_only {
            return Err(Error::NeedsUpgrade {
                location: self.location(),
                from: version,
                to: SCHEMA_VERSION,
            });
        }
        let location = self.location();
        let busy_timeout = self.busy_timeout;
        let classify = |err| super::classify::classify(&location, busy_timeout, err);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(classify)?;
        // Another process may have migrated while we waited for the lock.
        let version = user_version(&tx)?;
        if version > SCHEMA_VERSION {
            drop(tx);
            return self.refuse_newer(version);
        }
        for (index, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
            tx.execute_batch(sql).map_err(|err| {
                Error::Other(
                    anyhow::Error::new(err)
                        .context(format!("schema migration to v{} failed", index + 1)),
                )
            })?;
            for (_, code) in MIGRATION_CODE.iter().filter(|(to, _)| *to == index + 1) {
                code(&tx)?;
            }
        }
        tx.pragma_update(None, "user_version", SCHEMA_VERSION)?;
        tx.commit().map_err(classify)?;
        Ok(())
    }

    fn refuse_newer(&self, version: i64) -> Result<()> {
        if version > SCHEMA_VERSION {
            return Err(Error::Newer {
                location: self.location(),
                version,
                known: SCHEMA_VERSION,
            });
        }
        Ok(())
    }
}
