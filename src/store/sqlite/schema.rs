//! The schema: format 1.0 as `init` makes it, the append-only list of
//! upgrades to each later format, applied only by `upgrade`, and the marks
//! that say a file is ours.

use rusqlite::{Connection, TransactionBehavior};

use sha2::{Digest, Sha256};

use super::SqliteStore;
use crate::audit::{Actor, Event};
use crate::store::format::{self, Fit, Format, Stored, UpgradePlan};
use crate::store::{Error, NotOurs, Result, Untrusted};

/// Marks the file as ours (`PRAGMA application_id`): "IGKS".
pub const APPLICATION_ID: i32 = 0x4947_4B53;

/// Format 1.0. Times are Unix seconds, UTC. `issued` becomes 1 only once
/// the secret has been written out, so a key whose secret never reached its
/// owner can never be used. `replaced_by` claims a key for the one rotation
/// replacing it; `retires_at` is set once the replacement's secret was
/// written out. An audit entry that writes or removes a key or operator row
/// records the row's subject and seal (a digest of the fields that decide
/// what it may do, inside the entry's hash); `last_used_at` is not audited.
/// The indexes list a large estate in order without sorting it and serve
/// --expiring and --name GLOB (a literal prefix uses the index).
pub const SCHEMA: &str = "CREATE TABLE api_key (
        id           TEXT PRIMARY KEY NOT NULL,
        name         TEXT NOT NULL,
        roles        TEXT NOT NULL,
        secret_hash  TEXT NOT NULL,
        created_at   INTEGER NOT NULL,
        renewed_at   INTEGER NOT NULL,
        freezes_at   INTEGER NOT NULL,
        issued       INTEGER NOT NULL DEFAULT 0 CHECK (issued IN (0, 1)),
        retires_at   INTEGER,
        replaced_by  TEXT,
        last_used_at INTEGER
    ) STRICT;
    CREATE TABLE operator (
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
        hash      TEXT NOT NULL,
        subject   TEXT,
        seal      TEXT
    );
    CREATE INDEX audit_key_id ON audit (key_id);
    CREATE INDEX audit_subject ON audit (subject, seq);
    CREATE TRIGGER audit_append_only_update BEFORE UPDATE ON audit
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
    CREATE TRIGGER audit_append_only_delete BEFORE DELETE ON audit
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
    CREATE INDEX api_key_freezes ON api_key (freezes_at, id);
    CREATE INDEX api_key_name ON api_key (name);
    CREATE INDEX api_key_created ON api_key (created_at, id);
    CREATE INDEX api_key_last_used ON api_key (last_used_at, id);";

/// One upgrade: from the format before it to `to`, in one transaction.
pub struct Step {
    pub to: Format,
    /// What it changes, as `upgrade` lists it.
    pub what: &'static str,
    pub sql: &'static str,
}

/// The upgrades after 1.0, in order. Released entries are never edited or
/// removed: format 1.1 is one more entry. Within a major version a step
/// only adds (tables, indexes, nullable columns), so that a binary one
/// minor older keeps working on the upgraded store.
pub const STEPS: &[Step] = &[];

/// A harmless step to 1.1, in debug builds when
/// `INTERGIRO_KEYS_TEST_NEXT_MINOR=1`: how the tests exercise `upgrade`
/// while 1.0 is the only format.
#[cfg(debug_assertions)]
const TEST_NEXT_MINOR: Step = Step {
    to: Format { major: 1, minor: 1 },
    what: "index the keys by role (a test step)",
    sql: "CREATE INDEX api_key_roles ON api_key (roles, id);",
};

/// The upgrades this build knows, in order.
pub fn steps() -> Vec<&'static Step> {
    let mut steps: Vec<&Step> = STEPS.iter().collect();
    #[cfg(debug_assertions)]
    if std::env::var_os("INTERGIRO_KEYS_TEST_NEXT_MINOR").is_some_and(|value| value == "1") {
        steps.push(&TEST_NEXT_MINOR);
    }
    steps
}

/// Every released format, oldest first: 1.0 and each step's.
#[cfg(test)]
pub fn released() -> Vec<Format> {
    std::iter::once(format::CURRENT)
        .chain(STEPS.iter().map(|step| step.to))
        .collect()
}

/// The format this build writes: 1.0 or that of its last upgrade.
pub fn current() -> Format {
    steps().last().map_or(format::CURRENT, |step| step.to)
}

/// SHA-256 of `sqlite_master` as `SCHEMA` leaves it (`schema_text`): a
/// 1.0 store whose tables, indexes, triggers or views differ in any way,
/// such as a trigger that rewrites a new key's roles, is refused. A test
/// checks it against a store `SCHEMA` makes; change it with the schema.
pub const SCHEMA_DIGEST: &str = "1bf561acb4f1b0c5e2136ccff251b0a2a64b4c372790b04dd65114aa45f9f90a";

/// The format 1.0 keeps in `user_version`.
pub const SCHEMA_VERSION: i64 = format::CURRENT.stored();

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

    /// The store's format, refusing what this build does not use: a
    /// pre-release schema, a newer major format, and (unless `to_upgrade`)
    /// an older one, which only `upgrade` changes. A newer minor format is
    /// used as it is: what it added keeps working under this build.
    pub(super) fn check_format(&mut self, to_upgrade: bool) -> Result<Format> {
        let version = user_version(&self.conn).map_err(|err| self.classify(err))?;
        let empty: bool = self
            .conn
            .query_row("SELECT count(*) = 0 FROM sqlite_master", [], |row| {
                row.get(0)
            })
            .map_err(|err| self.classify(err))?;
        // Marked ours but never given a schema: nothing in it to upgrade.
        if version == 0 && empty && !self.read_only {
            return self.create_schema();
        }
        match Format::from_stored(version) {
            Stored::PreRelease(version) => Err(Error::PreRelease {
                location: self.location(),
                version,
            }),
            Stored::Format(found) => match found.fit_to(current()) {
                Fit::Current | Fit::NewerMinor => Ok(found),
                Fit::OlderMinor | Fit::OlderMajor if to_upgrade => Ok(found),
                Fit::OlderMinor | Fit::OlderMajor => Err(Error::NeedsUpgrade {
                    location: self.location(),
                    from: version,
                    to: current().stored(),
                }),
                Fit::NewerMajor => Err(Error::Newer {
                    location: self.location(),
                    version,
                    known: current().stored(),
                }),
            },
        }
    }

    /// Gives a new database of ours this build's schema, in one transaction.
    pub(super) fn create_schema(&mut self) -> Result<Format> {
        let location = self.location();
        let busy_timeout = self.busy_timeout;
        let classify = |err| super::classify::classify(&location, busy_timeout, err);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(classify)?;
        let to = current();
        if user_version(&tx)? == 0 {
            tx.execute_batch(SCHEMA)?;
            for step in steps() {
                tx.execute_batch(step.sql)?;
            }
            tx.pragma_update(None, "user_version", to.stored())?;
        }
        tx.commit().map_err(classify)?;
        Ok(to)
    }

    /// Refuses a store whose schema (tables, indexes, triggers, views) is
    /// not exactly the one its format has, naming the first object that
    /// differs: anyone who could write the file could have added it. A
    /// newer minor format may have added tables and indexes, never
    /// triggers or views, which could change what this build reads or
    /// writes.
    pub(super) fn check_schema(&self, format: Format) -> Result<()> {
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
        if format == format::CURRENT && digest(&found) == SCHEMA_DIGEST {
            return Ok(());
        }
        let newer = format > current();
        let expected = schema_rows(&made_at(format.min(current()))?)?;
        let object = |(kind, name, _, _): &SchemaRow| format!("{kind} {name}");
        let added_by_newer = |row: &SchemaRow| {
            newer
                && (row.0 == "index" || row.0 == "table")
                && !expected.iter().any(|known| known.1 == row.1)
        };
        let problem = if let Some(extra) = found
            .iter()
            .find(|row| !expected.contains(row) && !added_by_newer(row))
        {
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
            return Ok(());
        };
        Err(Error::Untrusted {
            location: self.location(),
            problem,
        })
    }

    /// Brings the store to this build's format (`upgrade`), recording it
    /// in `actor`'s name, or with `dry_run` only says how.
    pub(super) fn upgrade(&mut self, dry_run: bool, actor: Actor) -> Result<UpgradePlan> {
        if self.read_only && !dry_run {
            return Err(Error::ReadOnly {
                location: self.location(),
            });
        }
        let location = self.location();
        let busy_timeout = self.busy_timeout;
        let classify = |err| super::classify::classify(&location, busy_timeout, err);
        let behavior = if dry_run {
            TransactionBehavior::Deferred
        } else {
            TransactionBehavior::Immediate
        };
        let tx = self
            .conn
            .transaction_with_behavior(behavior)
            .map_err(classify)?;
        // Read again under the lock: another upgrade may have run meanwhile.
        let from = match Format::from_stored(user_version(&tx)?) {
            Stored::Format(from) => from,
            Stored::PreRelease(version) => {
                return Err(Error::PreRelease { location, version });
            }
        };
        let pending: Vec<&Step> = steps().into_iter().filter(|step| step.to > from).collect();
        let plan = UpgradePlan {
            from,
            to: pending.last().map_or(from, |step| step.to),
            steps: pending
                .iter()
                .map(|step| format!("{}: {}", step.to, step.what))
                .collect(),
        };
        if dry_run || pending.is_empty() {
            return Ok(plan);
        }
        for step in &pending {
            tx.execute_batch(step.sql).map_err(|err| {
                Error::Other(
                    anyhow::Error::new(err)
                        .context(format!("the upgrade to format {} failed", step.to)),
                )
            })?;
        }
        tx.pragma_update(None, "user_version", plan.to.stored())?;
        super::audit::append(
            &tx,
            &Event::Upgraded {
                from: plan.from,
                to: plan.to,
            },
            actor,
        )?;
        tx.commit().map_err(classify)?;
        Ok(plan)
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

/// A database in memory with the schema of `format` (1.0, then each step
/// up to it).
fn made_at(format: Format) -> Result<Connection> {
    let conn = Connection::open_in_memory()?;
    give_schema(&conn, format)?;
    Ok(conn)
}

/// The schema of `format` (1.0, then each step up to it), to an empty
/// database.
pub(super) fn give_schema(conn: &Connection, format: Format) -> Result<()> {
    conn.execute_batch(SCHEMA)?;
    for step in steps().into_iter().filter(|step| step.to <= format) {
        conn.execute_batch(step.sql)?;
    }
    conn.pragma_update(None, "user_version", format.stored())?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_schema_digest_is_that_of_the_1_0_schema() {
        let made = schema_rows(&made_at(format::CURRENT).unwrap()).unwrap();
        assert_eq!(
            digest(&made),
            SCHEMA_DIGEST,
            "the schema changed: set SCHEMA_DIGEST to the digest of\n{}",
            schema_text(&made)
        );
    }
}
