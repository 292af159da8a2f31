//! The SQLite store: opening safely, migrating, and the queries.
//!
//! No printing and no clap here. Every read-then-write runs in a
//! `BEGIN IMMEDIATE` transaction so that cron, CI and people can run commands
//! at once without losing an update.

use std::fs::{self, DirBuilder, OpenOptions};
use std::io::{ErrorKind, Read};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result, anyhow, bail};
use chrono::{DateTime, Utc};
use rusqlite::{Connection, OpenFlags, OptionalExtension, Row, TransactionBehavior, params};

use crate::audit::{self, Entry, Record};
use crate::key::{ApiKey, Roles};
use crate::operator::{Operator, Permission, Permissions};

/// Who is changing the database, and when: every change is audited with it.
#[derive(Clone, Copy, Debug)]
pub struct Actor<'a> {
    pub operator: &'a str,
    pub now: DateTime<Utc>,
}

/// Which audit entries to read.
#[derive(Clone, Debug, Default)]
pub struct AuditFilter {
    pub key_id: Option<String>,
    pub operator: Option<String>,
    pub since: Option<DateTime<Utc>>,
}

/// Marks the file as ours (`PRAGMA application_id`): "IGKS".
pub const APPLICATION_ID: i32 = 0x4947_4B53;

/// How long a writer waits for another's lock before giving up, unless
/// `INTERGIRO_KEYS_BUSY_TIMEOUT` (seconds) says otherwise.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// The busy timeout in force: `INTERGIRO_KEYS_BUSY_TIMEOUT` seconds (0 to
/// 3600), or 10.
pub fn busy_timeout() -> Result<Duration> {
    match std::env::var("INTERGIRO_KEYS_BUSY_TIMEOUT") {
        Err(_) => Ok(BUSY_TIMEOUT),
        Ok(text) => match text.trim().parse::<u64>() {
            Ok(seconds) if seconds <= 3600 => Ok(Duration::from_secs(seconds)),
            _ => bail!(
                "INTERGIRO_KEYS_BUSY_TIMEOUT={text:?} is not a number of seconds from 0 to 3600; unset it for the default of {}",
                BUSY_TIMEOUT.as_secs()
            ),
        },
    }
}

/// The schema, one entry per version, applied in order under
/// `PRAGMA user_version`. Never edit or remove an entry: append a new one.
const MIGRATIONS: &[&str] = &[
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
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Whether opening may create a new database.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Open {
    /// Only `create` makes a database; everything else needs one.
    MustExist,
    CreateIfMissing,
}

pub struct Store {
    conn: Connection,
    path: PathBuf,
    read_only: bool,
}

/// A key with its stored hash, as `verify` needs it.
pub struct StoredKey {
    pub key: ApiKey,
    pub secret_hash: String,
}

/// The result of renewing one key.
#[derive(Debug)]
pub struct Renewal {
    pub key: ApiKey,
    pub previous_freezes_at: DateTime<Utc>,
}

impl Store {
    /// Opens the database at `path`, refusing anything that is not an
    /// intergiro-keys database of this or an older schema. A refused file is
    /// never modified.
    pub fn open(path: &Path, open: Open) -> Result<Store> {
        let metadata = match fs::metadata(path) {
            Ok(metadata) => metadata,
            Err(err) if err.kind() == ErrorKind::NotFound => {
                if fs::symlink_metadata(path).is_ok() {
                    bail!(
                        "{} is a symbolic link to a file that does not exist; fix the link or pass another --db",
                        path.display()
                    );
                }
                if open == Open::MustExist {
                    bail!(
                        "no database at {}; create the first key with `intergiro-keys create`, or point --db (or INTERGIRO_KEYS_DB) at an existing one",
                        path.display()
                    );
                }
                initialize(path)?;
                return Store::open(path, Open::MustExist);
            }
            Err(err) => {
                return Err(err).with_context(|| format!("cannot read {}", path.display()));
            }
        };
        if metadata.is_dir() {
            bail!(
                "{} is a directory, not a database; pass --db with the path of a file",
                path.display()
            );
        }
        if !metadata.is_file() {
            bail!(
                "{} is not a regular file; pass --db with the path of a database file",
                path.display()
            );
        }
        check_header(path)?;

        let mut read_only = metadata.permissions().readonly();
        let flags = if read_only {
            OpenFlags::SQLITE_OPEN_READ_ONLY
        } else {
            OpenFlags::SQLITE_OPEN_READ_WRITE
        };
        let conn = Connection::open_with_flags(path, flags | OpenFlags::SQLITE_OPEN_NO_MUTEX)
            .with_context(|| format!("cannot open the database {}", path.display()))?;
        // SQLite falls back to read-only when the OS refuses writing.
        read_only |= conn.is_readonly(rusqlite::MAIN_DB).unwrap_or(false);
        let mut store = Store {
            conn,
            path: path.to_path_buf(),
            read_only,
        };
        store.configure()?;
        store.check_identity()?;
        store.migrate()?;
        Ok(store)
    }

    /// A private database in memory, for tests.
    pub fn open_in_memory() -> Result<Store> {
        let mut store = Store {
            conn: Connection::open_in_memory()?,
            path: PathBuf::from(":memory:"),
            read_only: false,
        };
        store
            .conn
            .pragma_update(None, "application_id", APPLICATION_ID)?;
        store.migrate()?;
        Ok(store)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn configure(&self) -> Result<()> {
        self.conn.busy_timeout(busy_timeout()?)?;
        // FULL: a key whose secret was printed must survive a power cut.
        self.conn
            .pragma_update(None, "synchronous", "FULL")
            .map_err(|err| self.explain(err))?;
        Ok(())
    }

    fn check_identity(&self) -> Result<()> {
        let application_id: i32 = self
            .conn
            .pragma_query_value(None, "application_id", |row| row.get(0))
            .map_err(|err| self.explain(err))?;
        if application_id != APPLICATION_ID {
            bail!(
                "{} is an SQLite database of another program, not of intergiro-keys; it was left untouched",
                self.path.display()
            );
        }
        Ok(())
    }

    fn user_version(&self) -> Result<i64> {
        self.conn
            .pragma_query_value(None, "user_version", |row| row.get(0))
            .map_err(|err| self.explain(err))
    }

    /// Brings the schema up to date in one transaction; refuses a newer one.
    fn migrate(&mut self) -> Result<()> {
        let version = self.user_version()?;
        self.refuse_newer(version)?;
        if version == SCHEMA_VERSION {
            return Ok(());
        }
        if self.read_only {
            bail!(
                "{} needs a schema upgrade (v{version} to v{SCHEMA_VERSION}) but is read-only; run a command that changes keys as its owner first",
                self.path.display()
            );
        }
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|err| explain(&self.path, err))?;
        // Another process may have migrated while we waited for the lock.
        let version: i64 = tx.pragma_query_value(None, "user_version", |row| row.get(0))?;
        if version > SCHEMA_VERSION {
            drop(tx);
            return self.refuse_newer(version);
        }
        for (index, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
            tx.execute_batch(sql)
                .with_context(|| format!("schema migration to v{} failed", index + 1))?;
        }
        tx.pragma_update(None, "user_version", SCHEMA_VERSION)?;
        tx.commit().map_err(|err| explain(&self.path, err))?;
        Ok(())
    }

    fn refuse_newer(&self, version: i64) -> Result<()> {
        if version > SCHEMA_VERSION {
            bail!(
                "{} was written by a newer intergiro-keys (schema v{version}; this one knows up to v{SCHEMA_VERSION}); upgrade intergiro-keys to use it — the file was left untouched",
                self.path.display()
            );
        }
        Ok(())
    }

    fn explain(&self, err: rusqlite::Error) -> anyhow::Error {
        explain(&self.path, err)
    }

    fn require_writable(&self) -> Result<()> {
        if self.read_only {
            bail!(
                "the database {} is read-only; ask its owner for write access (or make it writable with chmod u+w)",
                self.path.display()
            );
        }
        Ok(())
    }

    fn write<T>(&mut self, work: impl FnOnce(&rusqlite::Transaction) -> Result<T>) -> Result<T> {
        self.require_writable()?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|err| explain(&self.path, err))?;
        let value = work(&tx)?;
        tx.commit().map_err(|err| explain(&self.path, err))?;
        Ok(value)
    }

    /// Stores a new key, not yet issued. Returns false when the ID is taken.
    pub fn insert_unissued(
        &mut self,
        key: &ApiKey,
        secret_hash: &str,
        actor: Actor,
    ) -> Result<bool> {
        self.write(|tx| {
            let inserted = tx.execute(
                "INSERT INTO api_key (id, name, roles, secret_hash, created_at, renewed_at, freezes_at, issued)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 0)
                 ON CONFLICT (id) DO NOTHING",
                params![
                    key.id,
                    key.name,
                    key.roles.to_string(),
                    secret_hash,
                    key.created_at.timestamp(),
                    key.renewed_at.timestamp(),
                    key.freezes_at.timestamp(),
                ],
            )?;
            if inserted == 1 {
                append_audit(tx, actor, "create", Some(&key.id), "ok", &format!("roles {}", key.roles))?;
            }
            Ok(inserted == 1)
        })
    }

    /// Makes a key usable once its secret has been written out.
    pub fn mark_issued(&mut self, id: &str) -> Result<()> {
        self.write(|tx| {
            tx.execute("UPDATE api_key SET issued = 1 WHERE id = ?1", [id])?;
            Ok(())
        })
    }

    /// Removes a key whose secret could not be written out.
    pub fn discard_unissued(&mut self, id: &str, actor: Actor) -> Result<()> {
        self.write(|tx| {
            if tx.execute("DELETE FROM api_key WHERE id = ?1 AND issued = 0", [id])? == 1 {
                append_audit(
                    tx,
                    actor,
                    "create",
                    Some(id),
                    "failed",
                    "secret not written out; key discarded",
                )?;
            }
            Ok(())
        })
    }

    /// All keys, those freezing soonest first.
    pub fn list(&self) -> Result<Vec<ApiKey>> {
        let mut statement = self
            .conn
            .prepare(&format!("{SELECT_KEY} ORDER BY freezes_at, id"))
            .map_err(|err| self.explain(err))?;
        let keys = statement
            .query_map([], |row| stored_key_from_row(row).map(|stored| stored.key))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(keys)
    }

    /// How many usable keys are frozen, and how many freeze within `window`.
    pub fn count_flagged(
        &self,
        now: DateTime<Utc>,
        window: chrono::Duration,
    ) -> Result<(u64, u64)> {
        self.conn
            .query_row(
                "SELECT coalesce(sum(freezes_at <= ?1), 0), coalesce(sum(freezes_at > ?1 AND freezes_at <= ?2), 0)
                 FROM api_key WHERE issued = 1",
                params![now.timestamp(), (now + window).timestamp()],
                |row| Ok((row.get::<_, i64>(0)? as u64, row.get::<_, i64>(1)? as u64)),
            )
            .map_err(|err| self.explain(err))
    }

    /// One key by its ID: a single lookup on the primary key.
    pub fn find(&self, id: &str) -> Result<Option<StoredKey>> {
        self.conn
            .query_row(
                &format!("{SELECT_KEY} WHERE id = ?1"),
                [id],
                stored_key_from_row,
            )
            .optional()
            .map_err(|err| self.explain(err))
    }

    /// Renews every key of `ids` to freeze 90 days after `now`, or none of
    /// them when any ID is unknown.
    pub fn renew(&mut self, ids: &[String], actor: Actor) -> Result<Vec<Renewal>> {
        let now = actor.now;
        self.write(|tx| {
            let keys = keys_by_id(tx, ids)?;
            let freezes_at = crate::key::freezes_at(now);
            let mut renewals = Vec::with_capacity(keys.len());
            for key in keys {
                tx.execute(
                    "UPDATE api_key SET renewed_at = ?2, freezes_at = ?3 WHERE id = ?1",
                    params![key.id, now.timestamp(), freezes_at.timestamp()],
                )?;
                append_audit(
                    tx,
                    actor,
                    "renew",
                    Some(&key.id),
                    "ok",
                    &format!("freezes at {}", crate::output::rfc3339(freezes_at)),
                )?;
                let previous_freezes_at = key.freezes_at;
                renewals.push(Renewal {
                    key: ApiKey {
                        renewed_at: now,
                        freezes_at,
                        ..key
                    },
                    previous_freezes_at,
                });
            }
            Ok(renewals)
        })
    }

    /// Deletes every key of `ids`, or none of them when any ID is unknown.
    pub fn delete(&mut self, ids: &[String], actor: Actor) -> Result<Vec<ApiKey>> {
        self.write(|tx| {
            let keys = keys_by_id(tx, ids)?;
            for key in &keys {
                tx.execute("DELETE FROM api_key WHERE id = ?1", [&key.id])?;
                append_audit(
                    tx,
                    actor,
                    "delete",
                    Some(&key.id),
                    "ok",
                    &format!("roles {}", key.roles),
                )?;
            }
            Ok(keys)
        })
    }

    /// Makes sure the database has an administrator. A database without
    /// operators (new, or made by a version without them) gets one: the
    /// acting operator when it runs as the file's owner, else the owner.
    pub fn ensure_administrator(&mut self, actor: Actor, acting_uid: u32) -> Result<()> {
        if self.read_only || self.path.as_os_str() == ":memory:" {
            return Ok(());
        }
        let has_operators: bool = self
            .conn
            .query_row("SELECT EXISTS (SELECT 1 FROM operator)", [], |row| {
                row.get(0)
            })
            .map_err(|err| self.explain(err))?;
        if has_operators {
            return Ok(());
        }
        use std::os::unix::fs::MetadataExt;
        let owner = fs::metadata(&self.path)?.uid();
        let admin = if owner == acting_uid {
            actor.operator.to_string()
        } else {
            crate::operator::account_name(owner)
        };
        self.write(|tx| {
            let has_operators: bool =
                tx.query_row("SELECT EXISTS (SELECT 1 FROM operator)", [], |row| {
                    row.get(0)
                })?;
            if !has_operators {
                insert_operator(
                    tx,
                    &Operator {
                        name: admin.clone(),
                        permissions: Permissions::new([Permission::Admin]),
                        key_roles: None,
                    },
                    actor,
                )?;
                append_audit(
                    tx,
                    Actor {
                        operator: &admin,
                        ..actor
                    },
                    "users add",
                    None,
                    "ok",
                    &format!("{admin}: admin (first administrator: owner of the database)"),
                )?;
            }
            Ok(())
        })
    }

    pub fn operator(&self, name: &str) -> Result<Option<Operator>> {
        self.conn
            .query_row(
                "SELECT name, permissions, key_roles FROM operator WHERE name = ?1",
                [name],
                operator_from_row,
            )
            .optional()
            .map_err(|err| self.explain(err))
    }

    pub fn operators(&self) -> Result<Vec<Operator>> {
        let mut statement = self
            .conn
            .prepare("SELECT name, permissions, key_roles FROM operator ORDER BY name")
            .map_err(|err| self.explain(err))?;
        let operators = statement
            .query_map([], operator_from_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(operators)
    }

    /// Records a refused command. Best effort: a read-only database cannot
    /// record it, and the refusal stands either way.
    pub fn record_refusal(&mut self, actor: Actor, action: &str, detail: &str) -> Result<()> {
        self.write(|tx| append_audit(tx, actor, action, None, "refused", detail))
    }

    /// Adds an operator; refuses a name that is already one.
    pub fn add_operator(&mut self, operator: &Operator, actor: Actor) -> Result<()> {
        self.write(|tx| {
            let exists: bool =
                tx.query_row("SELECT EXISTS (SELECT 1 FROM operator WHERE name = ?1)", [&operator.name], |row| row.get(0))?;
            if exists {
                bail!(
                    "{} is already an operator; change their permissions with `intergiro-keys users grant` or `users revoke`",
                    operator.name
                );
            }
            insert_operator(tx, operator, actor)?;
            append_audit(tx, actor, "users add", None, "ok", &describe_operator(operator))
        })
    }

    /// Replaces an operator's permissions and key-role limit with `change`'s
    /// result, refusing to leave the database without an administrator.
    pub fn update_operator(
        &mut self,
        name: &str,
        action: &str,
        actor: Actor,
        change: impl FnOnce(&Operator) -> Result<Operator>,
    ) -> Result<Operator> {
        self.write(|tx| {
            let current = tx
                .query_row(
                    "SELECT name, permissions, key_roles FROM operator WHERE name = ?1",
                    [name],
                    operator_from_row,
                )
                .optional()?
                .ok_or_else(|| unknown_operator(name))?;
            let updated = change(&current)?;
            tx.execute(
                "UPDATE operator SET permissions = ?2, key_roles = ?3 WHERE name = ?1",
                params![
                    name,
                    updated.permissions.to_string(),
                    updated.key_roles.as_ref().map(|roles| roles.to_string())
                ],
            )?;
            refuse_without_admin(tx)?;
            append_audit(tx, actor, action, None, "ok", &describe_operator(&updated))?;
            Ok(updated)
        })
    }

    pub fn remove_operator(&mut self, name: &str, actor: Actor) -> Result<()> {
        self.write(|tx| {
            if tx.execute("DELETE FROM operator WHERE name = ?1", [name])? == 0 {
                return Err(unknown_operator(name));
            }
            refuse_without_admin(tx)?;
            append_audit(tx, actor, "users remove", None, "ok", name)
        })
    }

    /// Audit entries matching `filter`, oldest first.
    pub fn audit_entries(&self, filter: &AuditFilter) -> Result<Vec<Entry>> {
        let mut statement = self
            .conn
            .prepare(
                "SELECT seq, at, operator, action, key_id, outcome, detail, prev_hash, hash FROM audit
                 WHERE (?1 IS NULL OR key_id = ?1) AND (?2 IS NULL OR operator = ?2) AND (?3 IS NULL OR at >= ?3)
                 ORDER BY seq",
            )
            .map_err(|err| self.explain(err))?;
        let entries = statement
            .query_map(
                params![
                    filter.key_id,
                    filter.operator,
                    filter.since.map(|since| since.timestamp())
                ],
                |row| {
                    Ok(Entry {
                        seq: row.get(0)?,
                        record: Record {
                            at: time_from_row(row, 1)?,
                            operator: row.get(2)?,
                            action: row.get(3)?,
                            key_id: row.get(4)?,
                            outcome: row.get(5)?,
                            detail: row.get(6)?,
                        },
                        prev_hash: row.get(7)?,
                        hash: row.get(8)?,
                    })
                },
            )?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(entries)
    }

    /// Checks the whole audit chain.
    pub fn verify_audit(&self) -> Result<(usize, Result<(), audit::Break>)> {
        let entries = self.audit_entries(&AuditFilter::default())?;
        let last_issued = last_audit_seq(&self.conn)?;
        Ok((entries.len(), audit::verify_chain(&entries, last_issued)))
    }

    #[cfg(test)]
    fn query_plan(&self, sql: &str) -> Vec<String> {
        let mut statement = self
            .conn
            .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
            .unwrap();
        statement
            .query_map([], |row| row.get::<_, String>(3))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap()
    }
}

const SELECT_KEY: &str =
    "SELECT id, name, roles, secret_hash, created_at, renewed_at, freezes_at, issued FROM api_key";

fn stored_key_from_row(row: &Row) -> rusqlite::Result<StoredKey> {
    let roles: String = row.get(2)?;
    let roles = roles.parse::<Roles>().map_err(|err| {
        rusqlite::Error::FromSqlConversionFailure(2, rusqlite::types::Type::Text, err.into())
    })?;
    Ok(StoredKey {
        key: ApiKey {
            id: row.get(0)?,
            name: row.get(1)?,
            roles,
            created_at: time_from_row(row, 4)?,
            renewed_at: time_from_row(row, 5)?,
            freezes_at: time_from_row(row, 6)?,
            issued: row.get(7)?,
        },
        secret_hash: row.get(3)?,
    })
}

fn time_from_row(row: &Row, index: usize) -> rusqlite::Result<DateTime<Utc>> {
    let seconds: i64 = row.get(index)?;
    DateTime::from_timestamp(seconds, 0).ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(
            index,
            rusqlite::types::Type::Integer,
            format!("time {seconds} is out of range").into(),
        )
    })
}

/// The keys of `ids` in the order given; an error naming every unknown ID.
fn keys_by_id(tx: &rusqlite::Transaction, ids: &[String]) -> Result<Vec<ApiKey>> {
    let mut keys = Vec::with_capacity(ids.len());
    let mut unknown = Vec::new();
    for id in ids {
        let found = tx
            .query_row(
                &format!("{SELECT_KEY} WHERE id = ?1"),
                [id],
                stored_key_from_row,
            )
            .optional()?;
        match found {
            Some(stored) if !keys.iter().any(|key: &ApiKey| key.id == stored.key.id) => {
                keys.push(stored.key)
            }
            Some(_) => {}
            None => unknown.push(id.as_str()),
        }
    }
    if !unknown.is_empty() {
        bail!(
            "no key with ID {}; nothing was changed (see the IDs with `intergiro-keys list`)",
            unknown.join(", ")
        );
    }
    Ok(keys)
}

fn operator_from_row(row: &Row) -> rusqlite::Result<Operator> {
    let conversion = |index: usize, err: String| {
        rusqlite::Error::FromSqlConversionFailure(index, rusqlite::types::Type::Text, err.into())
    };
    let permissions: String = row.get(1)?;
    let key_roles: Option<String> = row.get(2)?;
    Ok(Operator {
        name: row.get(0)?,
        permissions: permissions.parse().map_err(|err| conversion(1, err))?,
        key_roles: key_roles
            .map(|roles| roles.parse::<Roles>())
            .transpose()
            .map_err(|err| conversion(2, err))?,
    })
}

fn insert_operator(tx: &rusqlite::Transaction, operator: &Operator, actor: Actor) -> Result<()> {
    tx.execute(
        "INSERT INTO operator (name, permissions, key_roles, added_at, added_by) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            operator.name,
            operator.permissions.to_string(),
            operator.key_roles.as_ref().map(|roles| roles.to_string()),
            actor.now.timestamp(),
            actor.operator,
        ],
    )?;
    Ok(())
}

fn describe_operator(operator: &Operator) -> String {
    match &operator.key_roles {
        Some(roles) => format!(
            "{}: {} (key roles {roles})",
            operator.name, operator.permissions
        ),
        None => format!("{}: {}", operator.name, operator.permissions),
    }
}

fn unknown_operator(name: &str) -> anyhow::Error {
    anyhow!("{name} is not an operator; see them with `intergiro-keys users list`")
}

fn refuse_without_admin(tx: &rusqlite::Transaction) -> Result<()> {
    let admins: i64 = tx.query_row(
        "SELECT count(*) FROM operator WHERE ',' || permissions || ',' LIKE '%,admin,%'",
        [],
        |row| row.get(0),
    )?;
    if admins == 0 {
        bail!(
            "that would leave no administrator; make another operator an administrator first (`intergiro-keys users grant NAME admin`); nothing was changed"
        );
    }
    Ok(())
}

/// The highest audit sequence number ever handed out, removed entries
/// included.
fn last_audit_seq(conn: &Connection) -> Result<i64> {
    Ok(conn
        .query_row(
            "SELECT seq FROM sqlite_sequence WHERE name = 'audit'",
            [],
            |row| row.get(0),
        )
        .optional()?
        .unwrap_or(0))
}

/// Appends one entry to the audit log, chained to the last one ever written.
fn append_audit(
    tx: &rusqlite::Transaction,
    actor: Actor,
    action: &str,
    key_id: Option<&str>,
    outcome: &str,
    detail: &str,
) -> Result<()> {
    let seq = last_audit_seq(tx)? + 1;
    let prev_hash: String = tx
        .query_row(
            "SELECT hash FROM audit ORDER BY seq DESC LIMIT 1",
            [],
            |row| row.get(0),
        )
        .optional()?
        .unwrap_or_else(|| audit::GENESIS.to_string());
    let record = Record {
        at: actor.now,
        operator: actor.operator.to_string(),
        action: action.to_string(),
        key_id: key_id.map(str::to_string),
        outcome: outcome.to_string(),
        detail: detail.to_string(),
    };
    let hash = audit::entry_hash(&prev_hash, seq, &record);
    tx.execute(
        "INSERT INTO audit (seq, at, operator, action, key_id, outcome, detail, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            seq,
            record.at.timestamp(),
            record.operator,
            record.action,
            record.key_id,
            record.outcome,
            record.detail,
            prev_hash,
            hash
        ],
    )?;
    Ok(())
}

/// Turns SQLite's terse errors into ones that say what to do.
fn explain(path: &Path, err: rusqlite::Error) -> anyhow::Error {
    use rusqlite::ErrorCode;
    let code = err.sqlite_error_code();
    let message = match code {
        Some(ErrorCode::DatabaseBusy) | Some(ErrorCode::DatabaseLocked) => format!(
            "the database {} stayed locked by another process for {} seconds; nothing was changed — try again when it has finished (INTERGIRO_KEYS_BUSY_TIMEOUT sets the wait)",
            path.display(),
            busy_timeout().unwrap_or(BUSY_TIMEOUT).as_secs()
        ),
        Some(ErrorCode::NotADatabase) => format!(
            "{} is not an intergiro-keys database (not a valid SQLite file); it was left untouched",
            path.display()
        ),
        Some(ErrorCode::DatabaseCorrupt) => format!(
            "the database {} is damaged; restore it from a backup",
            path.display()
        ),
        Some(ErrorCode::ReadOnly) | Some(ErrorCode::PermissionDenied) => format!(
            "the database {} cannot be written (read-only file or directory); check its permissions",
            path.display()
        ),
        Some(ErrorCode::CannotOpen) => format!(
            "cannot open the database {} (check the permissions of the file and its directory)",
            path.display()
        ),
        _ => return anyhow!(err).context(format!("database error in {}", path.display())),
    };
    anyhow!(message)
}

/// Refuses a file that does not start with SQLite's header, before SQLite
/// sees it, so that no stray file is ever opened for writing.
fn check_header(path: &Path) -> Result<()> {
    const HEADER: &[u8; 16] = b"SQLite format 3\0";
    let mut file =
        fs::File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut header = [0u8; 16];
    let mut read = 0;
    while read < header.len() {
        match file.read(&mut header[read..]) {
            Ok(0) => break,
            Ok(n) => read += n,
            Err(err) if err.kind() == ErrorKind::Interrupted => {}
            Err(err) => return Err(err).with_context(|| format!("cannot read {}", path.display())),
        }
    }
    if read == 0 {
        bail!(
            "{} is an empty file, not an intergiro-keys database; it was left untouched (remove it, or pass another --db)",
            path.display()
        );
    }
    if read < header.len() || &header != HEADER {
        bail!(
            "{} is not an intergiro-keys database (not an SQLite file); it was left untouched",
            path.display()
        );
    }
    Ok(())
}

/// Makes a new database: built under a temporary name beside the target, then
/// linked into place, so that no other process ever sees it half made. The
/// directory is made 0700 and the file 0600 whatever the umask.
fn initialize(path: &Path) -> Result<()> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    create_private_dir(dir)?;

    let name = path
        .file_name()
        .map(|name| name.to_string_lossy())
        .unwrap_or_default();
    let temporary = dir.join(format!(".{name}.new-{}", std::process::id()));
    let _ = fs::remove_file(&temporary);
    let result = build_new_database(&temporary).and_then(|()| {
        match fs::hard_link(&temporary, path) {
            Ok(()) => Ok(()),
            // Another process made it first: use theirs.
            Err(err) if err.kind() == ErrorKind::AlreadyExists => Ok(()),
            Err(err) => Err(err).with_context(|| format!("cannot create {}", path.display())),
        }
    });
    let _ = fs::remove_file(&temporary);
    result?;
    if let Ok(dir) = fs::File::open(dir) {
        let _ = dir.sync_all();
    }
    Ok(())
}

fn create_private_dir(dir: &Path) -> Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    if let Some(parent) = dir.parent().filter(|parent| !parent.as_os_str().is_empty()) {
        create_private_dir(parent)?;
    }
    match DirBuilder::new().mode(0o700).create(dir) {
        Ok(()) => fs::set_permissions(dir, fs::Permissions::from_mode(0o700))
            .with_context(|| format!("cannot set the permissions of {}", dir.display())),
        Err(err) if err.kind() == ErrorKind::AlreadyExists && dir.is_dir() => Ok(()),
        Err(err) => {
            Err(err).with_context(|| format!("cannot create the directory {}", dir.display()))
        }
    }
}

fn build_new_database(path: &Path) -> Result<()> {
    let file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("cannot create {}", path.display()))?;
    file.set_permissions(fs::Permissions::from_mode(0o600))?;
    drop(file);

    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_WRITE)
        .with_context(|| format!("cannot create the database {}", path.display()))?;
    conn.pragma_update(None, "application_id", APPLICATION_ID)?;
    conn.pragma_update_and_check(None, "journal_mode", "WAL", |_| Ok(()))?;
    let mut store = Store {
        conn,
        path: path.to_path_buf(),
        read_only: false,
    };
    store.migrate()?;
    store.conn.close().map_err(|(_, err)| anyhow!(err))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::key::{Role, freezes_at};
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 1, 9, 30, 0).unwrap()
    }

    fn actor() -> Actor<'static> {
        Actor {
            operator: "root",
            now: now(),
        }
    }

    fn sample(id: &str) -> ApiKey {
        ApiKey::new(
            id.to_string(),
            format!("key {id}"),
            Roles::new([Role::Accounts, Role::Payments]),
            now(),
        )
    }

    #[test]
    fn a_new_database_is_migrated_to_the_latest_schema() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested/keys.db");
        let store = Store::open(&path, Open::CreateIfMissing).unwrap();
        assert_eq!(store.user_version().unwrap(), SCHEMA_VERSION);
        let journal: String = store
            .conn
            .pragma_query_value(None, "journal_mode", |row| row.get(0))
            .unwrap();
        assert_eq!(journal, "wal");
        // No temporary file is left behind.
        let names: Vec<_> = fs::read_dir(path.parent().unwrap())
            .unwrap()
            .map(|entry| entry.unwrap().file_name())
            .filter(|name| !name.to_string_lossy().starts_with("keys.db"))
            .collect();
        assert!(names.is_empty(), "{names:?}");
    }

    #[test]
    fn an_older_schema_is_migrated_in_place() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keys.db");
        {
            let conn = Connection::open(&path).unwrap();
            conn.pragma_update(None, "application_id", APPLICATION_ID)
                .unwrap();
            // user_version 0: an empty database of ours, as left by a crash
            // before the first migration.
        }
        let store = Store::open(&path, Open::MustExist).unwrap();
        assert_eq!(store.user_version().unwrap(), SCHEMA_VERSION);
        assert!(store.list().unwrap().is_empty());
    }

    #[test]
    fn a_v1_database_keeps_its_keys_and_gets_its_owner_as_administrator() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keys.db");
        {
            let conn = Connection::open(&path).unwrap();
            conn.pragma_update(None, "application_id", APPLICATION_ID)
                .unwrap();
            conn.execute_batch(MIGRATIONS[0]).unwrap();
            conn.pragma_update(None, "user_version", 1).unwrap();
            conn.execute(
                "INSERT INTO api_key VALUES ('AAAAAAAAAAAA', 'old', 'accounts', '$h', 0, 0, 7776000, 1)",
                [],
            )
            .unwrap();
        }
        let mut store = Store::open(&path, Open::MustExist).unwrap();
        assert_eq!(store.user_version().unwrap(), SCHEMA_VERSION);
        assert_eq!(store.list().unwrap()[0].name, "old");
        // Someone other than the file's owner runs first: the owner becomes
        // the administrator, not them.
        use std::os::unix::fs::MetadataExt;
        let owner = fs::metadata(&path).unwrap().uid();
        let stranger = Actor {
            operator: "stranger",
            now: now(),
        };
        store.ensure_administrator(stranger, owner + 1).unwrap();
        let operators = store.operators().unwrap();
        assert_eq!(operators.len(), 1);
        assert_eq!(operators[0].name, crate::operator::account_name(owner));
        assert!(operators[0].permissions.is_admin());
        assert_eq!(store.verify_audit().unwrap().1, Ok(()));
    }

    #[test]
    fn new_files_are_private_whatever_the_umask() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("data/keys.db");
        Store::open(&path, Open::CreateIfMissing).unwrap();
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&path), 0o600);
        assert_eq!(mode(path.parent().unwrap()), 0o700);
    }

    #[test]
    fn a_missing_database_is_not_created_by_readers() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keys.db");
        let err = Store::open(&path, Open::MustExist).err().unwrap();
        assert!(err.to_string().contains("no database at"), "{err}");
        assert!(!path.exists());
    }

    #[test]
    fn a_newer_schema_is_refused_and_left_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keys.db");
        drop(Store::open(&path, Open::CreateIfMissing).unwrap());
        {
            let conn = Connection::open(&path).unwrap();
            conn.pragma_update(None, "user_version", SCHEMA_VERSION + 1)
                .unwrap();
            conn.pragma_update(None, "journal_mode", "DELETE").unwrap();
        }
        let before = fs::read(&path).unwrap();
        let err = Store::open(&path, Open::CreateIfMissing).err().unwrap();
        assert!(err.to_string().contains("newer intergiro-keys"), "{err}");
        assert_eq!(fs::read(&path).unwrap(), before);
    }

    #[test]
    fn files_that_are_not_ours_are_refused_and_left_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let cases: [(&str, &[u8], &str); 3] = [
            ("empty.db", b"", "empty file"),
            (
                "text.db",
                b"hello, this is not a database\n",
                "not an SQLite file",
            ),
            ("short.db", b"SQLite", "not an SQLite file"),
        ];
        for (name, content, expected) in cases {
            let path = dir.path().join(name);
            fs::write(&path, content).unwrap();
            let err = Store::open(&path, Open::CreateIfMissing).err().unwrap();
            assert!(err.to_string().contains(expected), "{name}: {err}");
            assert_eq!(fs::read(&path).unwrap(), content);
        }
        let other = dir.path().join("other.db");
        Connection::open(&other)
            .unwrap()
            .execute_batch("CREATE TABLE t(x); INSERT INTO t VALUES (1);")
            .unwrap();
        let before = fs::read(&other).unwrap();
        let err = Store::open(&other, Open::CreateIfMissing).err().unwrap();
        assert!(err.to_string().contains("another program"), "{err}");
        assert_eq!(fs::read(&other).unwrap(), before);

        let err = Store::open(dir.path(), Open::CreateIfMissing)
            .err()
            .unwrap();
        assert!(err.to_string().contains("is a directory"), "{err}");
    }

    #[test]
    fn keys_round_trip_and_unissued_keys_can_be_discarded() {
        let mut store = Store::open_in_memory().unwrap();
        let key = sample("AAAAAAAAAAAA");
        assert!(store.insert_unissued(&key, "$hash", actor()).unwrap());
        assert!(
            !store.insert_unissued(&key, "$other", actor()).unwrap(),
            "duplicate ID accepted"
        );
        let found = store.find(&key.id).unwrap().unwrap();
        assert_eq!(found.key, key);
        assert_eq!(found.secret_hash, "$hash");
        assert!(!found.key.issued);
        store.mark_issued(&key.id).unwrap();
        assert!(store.find(&key.id).unwrap().unwrap().key.issued);
        // Issued keys are not discarded.
        store.discard_unissued(&key.id, actor()).unwrap();
        assert!(store.find(&key.id).unwrap().is_some());

        let other = sample("BBBBBBBBBBBB");
        store.insert_unissued(&other, "$h", actor()).unwrap();
        store.discard_unissued(&other.id, actor()).unwrap();
        assert!(store.find(&other.id).unwrap().is_none());
    }

    #[test]
    fn renew_and_delete_change_all_or_nothing() {
        let mut store = Store::open_in_memory().unwrap();
        for id in ["AAAAAAAAAAAA", "BBBBBBBBBBBB"] {
            store.insert_unissued(&sample(id), "$h", actor()).unwrap();
        }
        let later = Actor {
            operator: "root",
            now: now() + chrono::Duration::days(100),
        };
        let ids = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let err = store
            .renew(&ids(&["AAAAAAAAAAAA", "ZZZZZZZZZZZZ"]), later)
            .unwrap_err();
        assert!(err.to_string().contains("ZZZZZZZZZZZZ"), "{err}");
        assert_eq!(
            store.find("AAAAAAAAAAAA").unwrap().unwrap().key.freezes_at,
            freezes_at(now())
        );

        let renewed = store.renew(&ids(&["AAAAAAAAAAAA"]), later).unwrap();
        assert_eq!(renewed[0].previous_freezes_at, freezes_at(now()));
        assert_eq!(
            store.find("AAAAAAAAAAAA").unwrap().unwrap().key.freezes_at,
            freezes_at(later.now)
        );

        assert!(
            store
                .delete(&ids(&["BBBBBBBBBBBB", "ZZZZZZZZZZZZ"]), actor())
                .is_err()
        );
        assert_eq!(store.list().unwrap().len(), 2);
        let deleted = store
            .delete(&ids(&["BBBBBBBBBBBB", "BBBBBBBBBBBB"]), actor())
            .unwrap();
        assert_eq!(deleted.len(), 1);
        assert_eq!(store.list().unwrap().len(), 1);
    }

    #[test]
    fn every_change_is_audited_in_an_intact_chain() {
        let mut store = Store::open_in_memory().unwrap();
        store
            .insert_unissued(&sample("AAAAAAAAAAAA"), "$h", actor())
            .unwrap();
        store.renew(&["AAAAAAAAAAAA".to_string()], actor()).unwrap();
        store
            .delete(&["AAAAAAAAAAAA".to_string()], actor())
            .unwrap();
        store.record_refusal(actor(), "list", "lacks view").unwrap();
        let entries = store.audit_entries(&AuditFilter::default()).unwrap();
        let actions: Vec<(&str, &str)> = entries
            .iter()
            .map(|e| (e.record.action.as_str(), e.record.outcome.as_str()))
            .collect();
        assert_eq!(
            actions,
            [
                ("create", "ok"),
                ("renew", "ok"),
                ("delete", "ok"),
                ("list", "refused")
            ]
        );
        let (count, verdict) = store.verify_audit().unwrap();
        assert_eq!((count, verdict), (4, Ok(())));
    }

    #[test]
    fn the_database_rejects_changes_to_the_audit_log() {
        let mut store = Store::open_in_memory().unwrap();
        store.record_refusal(actor(), "list", "lacks view").unwrap();
        for sql in ["UPDATE audit SET outcome = 'ok'", "DELETE FROM audit"] {
            let err = store.conn.execute(sql, []).unwrap_err();
            assert!(err.to_string().contains("append-only"), "{err}");
        }
    }

    #[test]
    fn the_last_administrator_cannot_be_removed_or_demoted() {
        let mut store = Store::open_in_memory().unwrap();
        let admin = Operator {
            name: "root".into(),
            permissions: Permissions::new([Permission::Admin]),
            key_roles: None,
        };
        store.add_operator(&admin, actor()).unwrap();
        assert!(store.add_operator(&admin, actor()).is_err(), "added twice");
        let err = store.remove_operator("root", actor()).unwrap_err();
        assert!(err.to_string().contains("no administrator"), "{err}");
        let err = store
            .update_operator("root", "users revoke", actor(), |op| {
                Ok(Operator {
                    permissions: Permissions::new([Permission::View]),
                    ..op.clone()
                })
            })
            .unwrap_err();
        assert!(err.to_string().contains("no administrator"), "{err}");
        assert_eq!(store.operator("root").unwrap().unwrap(), admin);
    }

    #[test]
    fn finding_a_key_is_one_primary_key_lookup() {
        let store = Store::open_in_memory().unwrap();
        let plan = store.query_plan(&format!("{SELECT_KEY} WHERE id = 'x'"));
        assert_eq!(plan.len(), 1, "{plan:?}");
        assert!(
            plan[0].starts_with("SEARCH api_key USING INDEX"),
            "{plan:?}"
        );
    }
}
