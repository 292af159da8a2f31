//! The schema: an append-only list of migrations applied under
//! `PRAGMA user_version`, and the marks that say a file is ours.

use rusqlite::{Connection, TransactionBehavior};

use sha2::{Digest, Sha256};

use super::SqliteStore;
use crate::store::{Error, NotOurs, Result, Untrusted};

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

/// SHA-256 of `sqlite_master` as the migrations leave it (`schema_text`):
/// a store whose tables, indexes, triggers or views differ in any way, such
/// as a trigger that rewrites a new key's roles, is refused. A test checks
/// it against a store the migrations make; change it with the schema.
pub const SCHEMA_DIGEST: &str = "5ffb98961b6ed249c3db8d699bff8f3f959e9831e331405f1e36c411d0817861";

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

    /// Refuses a store whose schema (tables, indexes, triggers, views) is
    /// not exactly the one the migrations make, naming the first object
    /// that differs. Anyone who could write the file could have added it.
    pub(super) fn check_schema(&self) -> Result<()> {
        let mut found = schema_rows(&self.conn).map_err(|err| self.classify(err))?;
        // The log's append-only triggers, dropped, are the log's business:
        // `audit --verify` reports them and the next change puts them back.
        for (name, sql) in super::seal::GUARDS {
            if !found.iter().any(|row| row.0 == "trigger" && row.1 == name) {
                found.push((
                    "trigger".into(),
                    name.into(),
                    "audit".into(),
                    Some(sql.into()),
                ));
            }
        }
        found.sort();
        if digest(&found) == SCHEMA_DIGEST {
            return Ok(());
        }
        let expected = schema_rows(&made_by_migrations()?)?;
        let object = |(kind, name, _, _): &SchemaRow| format!("{kind} {name}");
        let problem = if let Some(extra) = found.iter().find(|row| !expected.contains(row)) {
            match expected
                .iter()
                .find(|row| row.0 == extra.0 && row.1 == extra.1)
            {
                Some(_) => Untrusted::Changed {
                    object: object(extra),
                },
                None => Untrusted::Added {
                    object: object(extra),
                },
            }
        } else if let Some(missing) = expected.iter().find(|row| !found.contains(row)) {
            Untrusted::Missing {
                object: object(missing),
            }
        } else {
            // Same rows, another digest: the constant is stale.
            return Ok(());
        };
        Err(Error::Untrusted {
            location: self.location(),
            problem,
        })
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

/// One row of `sqlite_master`: type, name, table, SQL.
type SchemaRow = (String, String, String, Option<String>);

fn schema_rows(conn: &Connection) -> rusqlite::Result<Vec<SchemaRow>> {
    let mut statement = conn.prepare("SELECT type, name, tbl_name, sql FROM sqlite_master")?;
    let rows = statement.query_map([], |row| {
        Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
    })?;
    let mut rows = rows.collect::<rusqlite::Result<Vec<SchemaRow>>>()?;
    rows.sort();
    Ok(rows)
}

/// What the digest covers: each row's fields, length-prefixed so that no
/// two schemas read alike.
fn schema_text(rows: &[SchemaRow]) -> String {
    let mut text = String::new();
    for (kind, name, table, sql) in rows {
        for field in [
            kind.as_str(),
            name,
            table,
            sql.as_deref().unwrap_or("\u{0}"),
        ] {
            text.push_str(&format!("{}:{field};", field.len()));
        }
        text.push('\n');
    }
    text
}

fn digest(rows: &[SchemaRow]) -> String {
    Sha256::digest(schema_text(rows).as_bytes())
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// A database in memory with the schema the migrations make.
fn made_by_migrations() -> Result<Connection> {
    Ok(SqliteStore::in_memory()?.conn)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_schema_digest_is_that_of_the_schema_the_migrations_make() {
        let made = schema_rows(&made_by_migrations().unwrap()).unwrap();
        assert_eq!(
            digest(&made),
            SCHEMA_DIGEST,
            "the schema changed: set SCHEMA_DIGEST to the digest of\n{}",
            schema_text(&made)
        );
    }
}
