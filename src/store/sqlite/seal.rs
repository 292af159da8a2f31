//! Tamper evidence for a file its operators can write: every key and
//! operator row is bound to the audit entry that last wrote it (the entry
//! carries a digest of the row's security-relevant fields, inside the entry's
//! hash), and the log's append-only triggers are checked and put back.
//!
//! Someone with write access can still rewrite the rows, the log and its
//! chain consistently, or put back an old copy of the file; only a server
//! that enforces every change (the PostgreSQL store) stops that.

use std::collections::{HashMap, HashSet};

use chrono::DateTime;
use rusqlite::{Connection, OptionalExtension, Transaction};

use super::audit::{ENTRY_COLUMNS, entry, insert, last_seq};
use crate::audit::{self, Actor, Event, REMOVED, Seal, Tampered};
use crate::store::{Error, Result, Visit};

/// The triggers that make the log append-only, exactly as the schema
/// (migration v2) creates them.
pub const GUARDS: [(&str, &str); 2] = [
    (
        "audit_append_only_update",
        "CREATE TRIGGER audit_append_only_update BEFORE UPDATE ON audit
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END",
    ),
    (
        "audit_append_only_delete",
        "CREATE TRIGGER audit_append_only_delete BEFORE DELETE ON audit
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END",
    ),
];

/// A key row's sealed fields, as `sealed_key` reads them.
const SEALED_KEY: &str =
    "SELECT id, name, roles, secret_hash, freezes_at, retires_at, replaced_by FROM api_key";

/// An operator row's sealed fields, as `sealed_operator` reads them.
const SEALED_OPERATOR: &str = "SELECT name, permissions, key_roles FROM operator";

/// The fields a key's seal covered, by the schema version that wrote it.
#[derive(Clone, Copy)]
enum KeyFields {
    /// v4 and v5: roles, secret hash and freeze date.
    Plain,
    /// v6: and a rotated key's retirement.
    Retirement,
    /// v7 on: and the name.
    Named,
}

/// The seal of a key row as it is stored now.
pub fn key_seal(conn: &Connection, id: &str) -> Result<Option<Seal>> {
    key_seal_as(conn, id, KeyFields::Named)
}

/// The seal of a key row as the schema that sealed `fields` made it: the
/// migrations compare rows with what the log recorded before them, v4's
/// before the retirement columns exist.
fn key_seal_as(conn: &Connection, id: &str, fields: KeyFields) -> Result<Option<Seal>> {
    let seal = match fields {
        KeyFields::Named => {
            let sql = format!("{SEALED_KEY} WHERE id = ?1");
            conn.query_row(&sql, [id], sealed_key).optional()?
        }
        KeyFields::Plain => conn
            .query_row(
                "SELECT roles, secret_hash, freezes_at FROM api_key WHERE id = ?1",
                [id],
                |row| {
                    Ok(Seal::unnamed_key(
                        id,
                        &row.get::<_, String>("roles")?,
                        &row.get::<_, String>("secret_hash")?,
                        row.get("freezes_at")?,
                        None,
                    ))
                },
            )
            .optional()?,
        KeyFields::Retirement => conn
            .query_row(
                "SELECT roles, secret_hash, freezes_at, retires_at, replaced_by
                 FROM api_key WHERE id = ?1",
                [id],
                |row| {
                    let replaced_by: Option<String> = row.get("replaced_by")?;
                    Ok(Seal::unnamed_key(
                        id,
                        &row.get::<_, String>("roles")?,
                        &row.get::<_, String>("secret_hash")?,
                        row.get("freezes_at")?,
                        row.get::<_, Option<i64>>("retires_at")?
                            .map(|at| (at, replaced_by.as_deref())),
                    ))
                },
            )
            .optional()?,
    };
    Ok(seal)
}

/// `meant`, the seal of the values a command meant to write, after checking
/// that the row holds them: a row stored otherwise (a trigger, or another
/// program, changed it as it was written) is refused, never sealed as it
/// came out.
pub fn as_meant(conn: &Connection, id: &str, meant: Seal) -> Result<Seal> {
    match key_seal(conn, id)? {
        Some(stored) if stored.digest == meant.digest => Ok(meant),
        _ => Err(Error::Tampered {
            subject: meant.subject,
            problem: "it was not stored as written (something changed it as it was written)"
                .to_string(),
        }),
    }
}

/// The seal of a new key row as `key` and `secret_hash` write it.
pub fn new_key(key: &crate::key::ApiKey, secret_hash: &str) -> Seal {
    Seal::key(
        &key.id,
        &key.name,
        &key.roles.to_string(),
        secret_hash,
        key.freezes_at.timestamp(),
        None,
    )
}

/// The seal of a row of `SEALED_KEY`.
fn sealed_key(row: &rusqlite::Row) -> rusqlite::Result<Seal> {
    let replaced_by: Option<String> = row.get("replaced_by")?;
    Ok(Seal::key(
        &row.get::<_, String>("id")?,
        &row.get::<_, String>("name")?,
        &row.get::<_, String>("roles")?,
        &row.get::<_, String>("secret_hash")?,
        row.get("freezes_at")?,
        row.get::<_, Option<i64>>("retires_at")?
            .map(|at| (at, replaced_by.as_deref())),
    ))
}

/// The seal of an operator row as it is stored now.
pub fn operator_seal(conn: &Connection, name: &str) -> Result<Option<Seal>> {
    let sql = format!("{SEALED_OPERATOR} WHERE name = ?1");
    Ok(conn.query_row(&sql, [name], sealed_operator).optional()?)
}

/// The seal of a row of `SEALED_OPERATOR`.
fn sealed_operator(row: &rusqlite::Row) -> rusqlite::Result<Seal> {
    Ok(Seal::operator(
        &row.get::<_, String>("name")?,
        &row.get::<_, String>("permissions")?,
        row.get::<_, Option<String>>("key_roles")?.as_deref(),
    ))
}

/// `Error::Tampered` unless the row sealed `current` matches the last audit
/// entry about it, that entry is intact and the log goes on from it: a few
/// indexed lookups.
pub fn check(conn: &Connection, current: &Seal) -> Result<()> {
    let last = conn
        .query_row(
            &format!(
                "SELECT {ENTRY_COLUMNS} FROM audit WHERE subject = ?1 ORDER BY seq DESC LIMIT 1"
            ),
            [&current.subject],
            entry,
        )
        .optional()?;
    let problem = match last {
        None => disagreement(None, current),
        Some(last) => {
            let seq = last.seq;
            let digest = last.seal.as_ref().map(|seal| seal.digest.as_str());
            let next: Option<String> = conn
                .query_row(
                    "SELECT prev_hash FROM audit WHERE seq > ?1 ORDER BY seq LIMIT 1",
                    [seq],
                    |row| row.get(0),
                )
                .optional()?;
            if audit::entry_hash(&last.prev_hash, seq, &last.record, last.seal.as_ref())
                != last.hash
            {
                Some(format!("audit entry {seq}, which wrote it, was changed"))
            // An entry that sealed nothing recorded no digest: the row differs.
            } else if let Some(problem) = disagreement(Some((seq, digest.unwrap_or(""))), current) {
                Some(problem)
            } else if next
                .as_ref()
                .is_some_and(|prev_hash| *prev_hash != last.hash)
            {
                Some(format!("the audit log after entry {seq} was changed"))
            } else if next.is_none() && last_seq(conn)? > seq {
                Some(format!("audit entries after entry {seq} were removed"))
            } else {
                None
            }
        }
    };
    match problem {
        Some(problem) => Err(Error::Tampered {
            subject: current.subject.clone(),
            problem,
        }),
        None => Ok(()),
    }
}

/// How a row sealed `current` disagrees with the last audit entry about it
/// (its sequence number and recorded digest), if it does.
fn disagreement(recorded: Option<(i64, &str)>, current: &Seal) -> Option<String> {
    match recorded {
        None => Some("no audit entry wrote it".to_string()),
        Some((seq, REMOVED)) => Some(format!("audit entry {seq} removed it")),
        Some((seq, digest)) if digest != current.digest => {
            Some(format!("it differs from what audit entry {seq} recorded"))
        }
        Some(_) => None,
    }
}

/// Every row that disagrees with the last audit entry about it, every row
/// an entry wrote that is gone, and every trigger missing.
pub fn each_tampered(conn: &Connection, visit: Visit<Tampered>) -> Result<()> {
    let mut last: HashMap<String, (i64, String)> = HashMap::new();
    let mut statement = conn.prepare(
        "SELECT subject, seq, seal FROM audit WHERE subject IS NOT NULL AND seal IS NOT NULL ORDER BY seq",
    )?;
    let mut rows = statement.query([])?;
    while let Some(row) = rows.next()? {
        last.insert(row.get("subject")?, (row.get("seq")?, row.get("seal")?));
    }
    let mut report = |subject: String, problem: String| {
        visit(Tampered { subject, problem }).map_err(Error::Other)
    };
    // Each table read in one query, not a lookup per row.
    let mut seals = Vec::new();
    let mut statement = conn.prepare(&format!("{SEALED_KEY} ORDER BY id"))?;
    for seal in statement.query_map([], sealed_key)? {
        seals.push(seal?);
    }
    let mut statement = conn.prepare(&format!("{SEALED_OPERATOR} ORDER BY name"))?;
    for seal in statement.query_map([], sealed_operator)? {
        seals.push(seal?);
    }
    for seal in seals {
        let recorded = last.remove(&seal.subject);
        let problem = disagreement(
            recorded
                .as_ref()
                .map(|(seq, digest)| (*seq, digest.as_str())),
            &seal,
        );
        if let Some(problem) = problem {
            report(seal.subject, problem)?;
        }
    }
    let mut gone: Vec<(String, i64)> = last
        .into_iter()
        .filter(|(_, (_, digest))| digest != REMOVED)
        .map(|(subject, (seq, _))| (subject, seq))
        .collect();
    gone.sort();
    for (subject, seq) in gone {
        report(
            subject,
            format!("audit entry {seq} wrote it, but the row is gone: removed by other means"),
        )?;
    }
    for name in missing_guards(conn)? {
        report(
            format!("trigger {name}"),
            "missing or altered, so the log could be edited; the next change restores it"
                .to_string(),
        )?;
    }
    Ok(())
}

/// The append-only triggers that are missing or not as the schema made them.
pub fn missing_guards(conn: &Connection) -> Result<Vec<&'static str>> {
    let mut missing = Vec::new();
    for (name, sql) in GUARDS {
        let found: Option<String> = conn
            .query_row(
                "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?1 AND tbl_name = 'audit'",
                [name],
                |row| row.get(0),
            )
            .optional()?;
        if found.as_deref() != Some(sql) {
            missing.push(name);
        }
    }
    Ok(missing)
}

/// Puts back missing or altered triggers, and records that it did.
pub fn restore_guards(tx: &Transaction, actor: Actor) -> Result<()> {
    let missing = missing_guards(tx)?;
    if missing.is_empty() {
        return Ok(());
    }
    for name in &missing {
        let sql = GUARDS
            .iter()
            .find(|(guard, _)| guard == name)
            .map(|(_, sql)| *sql)
            .unwrap_or_default();
        tx.execute_batch(&format!("DROP TRIGGER IF EXISTS {name}; {sql};"))?;
    }
    let what = format!(
        "the audit log's append-only triggers ({})",
        missing.join(", ")
    );
    insert(tx, &Event::Repaired { what: &what }, actor, None)
}

/// Seals every row written before tamper evidence existed, as found, with
/// one entry each (migration v4). Dated as the log's last entry, so that its
/// times keep going forward.
pub fn seal_existing(tx: &Transaction) -> Result<()> {
    let at: i64 = tx.query_row(
        "SELECT coalesce((SELECT max(at) FROM audit), (SELECT max(renewed_at) FROM api_key), 0)",
        [],
        |row| row.get(0),
    )?;
    let actor = Actor {
        operator: "intergiro-keys",
        now: DateTime::from_timestamp(at, 0).unwrap_or_default(),
    };
    let ids: Vec<String> = tx
        .prepare("SELECT id FROM api_key ORDER BY id")?
        .query_map([], |row| row.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for id in ids {
        let what = audit::key_subject(&id);
        let event = Event::Sealed {
            key_id: Some(&id),
            what: &what,
        };
        insert(tx, &event, actor, key_seal_as(tx, &id, KeyFields::Plain)?)?;
    }
    let names: Vec<String> = tx
        .prepare("SELECT name FROM operator ORDER BY name")?
        .query_map([], |row| row.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for name in names {
        let what = audit::operator_subject(&name);
        let event = Event::Sealed {
            key_id: None,
            what: &what,
        };
        insert(tx, &event, actor, operator_seal(tx, &name)?)?;
    }
    Ok(())
}

/// The migration's own entries, dated as the log's last entry, so that its
/// times keep going forward.
fn at_log_end(tx: &Transaction) -> Result<Actor<'static>> {
    let at: i64 = tx.query_row("SELECT coalesce(max(at), 0) FROM audit", [], |row| {
        row.get(0)
    })?;
    Ok(Actor {
        operator: "intergiro-keys",
        now: DateTime::from_timestamp(at, 0).unwrap_or_default(),
    })
}

/// Seals the retirement of every key rotated before seals covered it
/// (migration v6), once the row is found as the last entry about it sealed
/// it and its `retires_at` and `replaced_by` as its rotation's entry says.
/// A row found otherwise is left as it is, so it is reported as tampered.
pub fn seal_retirements(tx: &Transaction) -> Result<()> {
    let actor = at_log_end(tx)?;
    let rotated: Vec<(String, i64, String)> = tx
        .prepare(
            "SELECT id, retires_at, replaced_by FROM api_key
             WHERE retires_at IS NOT NULL AND replaced_by IS NOT NULL ORDER BY id",
        )?
        .query_map([], |row| {
            Ok((
                row.get("id")?,
                row.get("retires_at")?,
                row.get("replaced_by")?,
            ))
        })?
        .collect::<rusqlite::Result<_>>()?;
    for (id, retires_at, replaced_by) in rotated {
        let Some(retires_at) = DateTime::from_timestamp(retires_at, 0) else {
            continue;
        };
        let subject = audit::key_subject(&id);
        let sealed: Option<String> = tx
            .query_row(
                "SELECT seal FROM audit WHERE subject = ?1 ORDER BY seq DESC LIMIT 1",
                [&subject],
                |row| row.get(0),
            )
            .optional()?
            .flatten();
        let unchanged = key_seal_as(tx, &id, KeyFields::Plain)?.map(|seal| seal.digest) == sealed;
        let rotation = Event::Rotated {
            key_id: &id,
            replaced_by: &replaced_by,
            retires_at,
        }
        .record(actor);
        let recorded: bool = tx.query_row(
            "SELECT count(*) > 0 FROM audit
             WHERE key_id = ?1 AND action = ?2 AND outcome = 'ok' AND detail = ?3",
            rusqlite::params![id, rotation.action, rotation.detail],
            |row| row.get(0),
        )?;
        if unchanged && recorded {
            let event = Event::RetirementSealed { key_id: &id };
            insert(
                tx,
                &event,
                actor,
                key_seal_as(tx, &id, KeyFields::Retirement)?,
            )?;
        }
    }
    Ok(())
}

/// Seals the name of every key (migration v7) whose row is found as the
/// last entry about it sealed it, unless the log shows its name was
/// changed. Before v7 the log recorded no key's name, only that a
/// rotation's replacement took the name of the key it replaces: a pair
/// whose names differ is left as it is, both rows, so both are reported as
/// tampered, as is every row found otherwise. A rename made before the
/// upgrade that no rotation ties to another row cannot be told apart.
pub fn seal_names(tx: &Transaction) -> Result<()> {
    let actor = at_log_end(tx)?;
    // The replacement's entry: `roles …; replaces OLD` (`Event::Replacement`).
    let mut renamed: HashSet<String> = HashSet::new();
    let mut statement = tx.prepare(
        "SELECT new.id, old.id FROM audit a
         JOIN api_key new ON new.id = a.key_id
         JOIN api_key old ON old.id = substr(a.detail, instr(a.detail, '; replaces ') + 11)
         WHERE a.action = ?1 AND a.outcome = 'ok' AND instr(a.detail, '; replaces ') > 0
           AND new.name IS NOT old.name",
    )?;
    let mut rows = statement.query([crate::operator::Action::Rotate.as_str()])?;
    while let Some(row) = rows.next()? {
        renamed.insert(row.get(0)?);
        renamed.insert(row.get(1)?);
    }
    // Each row with the digest of the last entry about it, in one query:
    // a large estate has one row per key to compare.
    let mut found: Vec<(String, Seal)> = Vec::new();
    let mut statement = tx.prepare(
        "SELECT k.id, k.name, k.roles, k.secret_hash, k.freezes_at, k.retires_at, k.replaced_by,
                (SELECT a.seal FROM audit a WHERE a.subject = ?1 || k.id
                 ORDER BY a.seq DESC LIMIT 1) AS sealed
         FROM api_key k ORDER BY k.id",
    )?;
    let mut rows = statement.query([audit::key_subject("")])?;
    while let Some(row) = rows.next()? {
        let id: String = row.get("id")?;
        let sealed: Option<String> = row.get("sealed")?;
        let replaced_by: Option<String> = row.get("replaced_by")?;
        let retirement = row
            .get::<_, Option<i64>>("retires_at")?
            .map(|at| (at, replaced_by.as_deref()));
        let (roles, secret_hash): (String, String) = (row.get("roles")?, row.get("secret_hash")?);
        let freezes_at: i64 = row.get("freezes_at")?;
        let as_sealed = Seal::unnamed_key(&id, &roles, &secret_hash, freezes_at, retirement);
        if Some(as_sealed.digest) != sealed || renamed.contains(&id) {
            continue;
        }
        let name: String = row.get("name")?;
        let seal = Seal::key(&id, &name, &roles, &secret_hash, freezes_at, retirement);
        found.push((id, seal));
    }
    drop(rows);
    drop(statement);
    for (id, seal) in found {
        insert(tx, &Event::NameSealed { key_id: &id }, actor, Some(seal))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    use super::super::schema::{APPLICATION_ID, MIGRATIONS};
    use super::super::{SqliteStore, keys};

    #[test]
    fn rows_from_before_tamper_evidence_are_sealed_as_found() {
        let conn = Connection::open_in_memory().unwrap();
        conn.pragma_update(None, "application_id", APPLICATION_ID)
            .unwrap();
        for sql in &MIGRATIONS[..2] {
            conn.execute_batch(sql).unwrap();
        }
        conn.pragma_update(None, "user_version", 2).unwrap();
        conn.execute_batch(
            "INSERT INTO api_key VALUES ('AbCdEfGhIjKl', 'k', 'accounts', '$h', 0, 0, 7776000, 1);
             INSERT INTO operator VALUES ('root', 'admin', NULL, 0, 'root');",
        )
        .unwrap();
        let mut store = SqliteStore {
            conn,
            path: None,
            read_only: false,
            busy_timeout: std::time::Duration::ZERO,
            skipped: Default::default(),
        };
        store.migrate().unwrap();
        let mut tampered = Vec::new();
        each_tampered(&store.conn, &mut |row| {
            tampered.push(row);
            Ok(())
        })
        .unwrap();
        assert_eq!(tampered, []);
        assert!(
            keys::find_checked(&store.conn, "AbCdEfGhIjKl")
                .unwrap()
                .is_some()
        );

        store
            .conn
            .execute("UPDATE api_key SET roles = 'payments'", [])
            .unwrap();
        let found = keys::find_checked(&store.conn, "AbCdEfGhIjKl");
        assert!(matches!(found, Err(Error::Tampered { .. })));
    }

    #[test]
    fn the_guards_are_the_triggers_the_schema_creates() {
        for (name, sql) in GUARDS {
            assert!(super::super::schema::MIGRATIONS[1].contains(sql), "{name}");
        }
    }
}
