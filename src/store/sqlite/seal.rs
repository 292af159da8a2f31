//! Tamper evidence for a file its operators can write: every key and
//! operator row is bound to the audit entry that last wrote it (the entry
//! carries a digest of the row's security-relevant fields, inside the entry's
//! hash), and the log's append-only triggers are checked and put back.
//!
//! Someone with write access can still rewrite the rows, the log and its
//! chain consistently, or put back an old copy of the file; only a server
//! that enforces every change (the PostgreSQL store) stops that.

use std::collections::HashMap;

use rusqlite::{Connection, OptionalExtension, Transaction};

use super::audit::{ENTRY_COLUMNS, entry, insert, last_seq};
use crate::audit::{self, Actor, Event, REMOVED, Seal, SealedKey, Tampered};
use crate::store::{Error, Result, Visit};

/// The triggers that make the log append-only, exactly as the schema
/// creates them.
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
const SEALED_KEY: &str = "SELECT id, name, roles, secret_hash, created_at, issued, freezes_at,
            retires_at, replaced_by FROM api_key";

/// An operator row's sealed fields, as `sealed_operator` reads them.
const SEALED_OPERATOR: &str = "SELECT name, permissions, key_roles FROM operator";

/// The seal of a key row as it is stored now.
pub fn key_seal(conn: &Connection, id: &str) -> Result<Option<Seal>> {
    let sql = format!("{SEALED_KEY} WHERE id = ?1");
    Ok(conn
        .prepare_cached(&sql)?
        .query_row([id], sealed_key)
        .optional()?)
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
    Seal::key(&SealedKey {
        id: &key.id,
        name: &key.name,
        roles: &key.roles.to_string(),
        secret_hash,
        created_at: key.created_at.timestamp(),
        issued: false,
        freezes_at: key.freezes_at.timestamp(),
        retires_at: None,
        replaced_by: None,
    })
}

/// The seal of a row of `SEALED_KEY`.
fn sealed_key(row: &rusqlite::Row) -> rusqlite::Result<Seal> {
    let replaced_by: Option<String> = row.get("replaced_by")?;
    Ok(Seal::key(&SealedKey {
        id: &row.get::<_, String>("id")?,
        name: &row.get::<_, String>("name")?,
        roles: &row.get::<_, String>("roles")?,
        secret_hash: &row.get::<_, String>("secret_hash")?,
        created_at: row.get("created_at")?,
        issued: row.get("issued")?,
        freezes_at: row.get("freezes_at")?,
        retires_at: row.get("retires_at")?,
        replaced_by: replaced_by.as_deref(),
    }))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_guards_are_the_triggers_the_schema_creates() {
        for (name, sql) in GUARDS {
            assert!(super::super::schema::SCHEMA.contains(sql), "{name}");
        }
    }
}
