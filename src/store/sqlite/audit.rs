//! The `audit` table: appended to, chained, read; never changed.

use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, Row, Transaction, params};

use super::classify::time;
use crate::audit::{self, Actor, Entry, Event, Record, Seal};
use crate::store::{AuditFilter, Error, Result, Visit};

/// The highest sequence number ever handed out (SQLite's AUTOINCREMENT
/// counter), entries removed since included.
pub fn last_seq(conn: &Connection) -> Result<i64> {
    Ok(conn
        .prepare_cached("SELECT seq FROM sqlite_sequence WHERE name = 'audit'")?
        .query_row([], |row| row.get(0))
        .optional()?
        .unwrap_or(0))
}

/// Appends the entry of `event`, chained to the last one ever written.
pub fn append(tx: &Transaction, event: &Event, actor: Actor) -> Result<()> {
    append_sealed(tx, event, actor, None)
}

/// Appends the entry of `event` with the seal of the row it wrote or
/// removed. Every change goes through here, so it is also where protections
/// of the log found missing are put back, and recorded, first.
pub fn append_sealed(
    tx: &Transaction,
    event: &Event,
    actor: Actor,
    seal: Option<Seal>,
) -> Result<()> {
    super::seal::restore_guards(tx, actor)?;
    insert(tx, event, actor, seal)
}

/// Writes one entry, chained to the last one ever written.
pub(super) fn insert(
    tx: &Transaction,
    event: &Event,
    actor: Actor,
    seal: Option<Seal>,
) -> Result<()> {
    let seq = next_seq(tx, actor)?;
    // Cached statements: an upgrade appends one entry per key.
    let prev_hash: String = tx
        .prepare_cached("SELECT hash FROM audit ORDER BY seq DESC LIMIT 1")?
        .query_row([], |row| row.get(0))
        .optional()?
        .unwrap_or_else(|| audit::GENESIS.to_string());
    let record = event.record(actor);
    let hash = audit::entry_hash(&prev_hash, seq, &record, seal.as_ref());
    tx.prepare_cached(
        "INSERT INTO audit (seq, at, operator, action, key_id, outcome, detail, prev_hash, hash, subject, seal)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?
    .execute(params![
            seq,
            record.at.timestamp(),
            record.operator,
            record.action,
            record.key_id,
            record.outcome,
            record.detail,
            prev_hash,
            hash,
            seal.as_ref().map(|seal| &seal.subject),
            seal.as_ref().map(|seal| &seal.digest),
        ],
    )?;
    Ok(())
}

/// The sequence number of the next entry. A counter set back below the
/// entries (by other means) would make every append collide with an entry:
/// it is put forward again and the repair recorded, as missing triggers
/// are. A counter at its very end cannot go on: that refuses the change.
fn next_seq(tx: &Transaction, actor: Actor) -> Result<i64> {
    let counter = last_seq(tx)?;
    let newest: i64 = tx
        .prepare_cached("SELECT coalesce(max(seq), 0) FROM audit")?
        .query_row([], |row| row.get(0))?;
    if newest > counter {
        tx.execute("DELETE FROM sqlite_sequence WHERE name = 'audit'", [])?;
        tx.execute(
            "INSERT INTO sqlite_sequence (name, seq) VALUES ('audit', ?1)",
            [newest],
        )?;
        let what = format!(
            "the audit log's sequence counter (it said {counter}; entries went up to {newest})"
        );
        insert(tx, &Event::Repaired { what: &what }, actor, None)?;
        return next_seq(tx, actor);
    }
    counter.checked_add(1).ok_or_else(|| Error::Tampered {
        subject: "the audit log".to_string(),
        problem: format!("its sequence counter is at {counter}, the largest there is"),
    })
}

/// The query for `filter`, with its values in order. Only the conditions
/// given are written: `(?1 IS NULL OR key_id = ?1)` would keep SQLite from
/// using the index on `key_id`, and `show` would read the whole log.
pub(super) fn select_entries(filter: &AuditFilter) -> (String, Vec<Value>) {
    let mut conditions = Vec::new();
    let mut values: Vec<Value> = Vec::new();
    if let Some(key_id) = &filter.key_id {
        values.push(key_id.clone().into());
        conditions.push(format!("key_id = ?{}", values.len()));
    }
    if let Some(operator) = &filter.operator {
        values.push(operator.clone().into());
        conditions.push(format!("operator = ?{}", values.len()));
    }
    if let Some(since) = filter.since {
        values.push(since.timestamp().into());
        conditions.push(format!("at >= ?{}", values.len()));
    }
    if let Some(after) = filter.after {
        values.push(after.into());
        conditions.push(format!("seq > ?{}", values.len()));
    }
    let conditions = match conditions.is_empty() {
        true => String::new(),
        false => format!(" WHERE {}", conditions.join(" AND ")),
    };
    (
        format!("SELECT {ENTRY_COLUMNS} FROM audit{conditions} ORDER BY seq"),
        values,
    )
}

/// The columns `entry` reads.
pub(super) const ENTRY_COLUMNS: &str =
    "seq, at, operator, action, key_id, outcome, detail, prev_hash, hash, subject, seal";

pub(super) fn entry(row: &Row) -> rusqlite::Result<Entry> {
    Ok(Entry {
        seq: row.get("seq")?,
        record: Record {
            at: time(row, "at")?,
            operator: row.get("operator")?,
            action: row.get("action")?,
            key_id: row.get("key_id")?,
            outcome: row.get("outcome")?,
            detail: row.get("detail")?,
        },
        seal: match (row.get("subject")?, row.get("seal")?) {
            (Some(subject), Some(digest)) => Some(Seal { subject, digest }),
            _ => None,
        },
        prev_hash: row.get("prev_hash")?,
        hash: row.get("hash")?,
    })
}

pub fn each(conn: &Connection, filter: &AuditFilter, visit: Visit<Entry>) -> Result<()> {
    let (sql, values) = select_entries(filter);
    let mut statement = conn.prepare(&sql)?;
    let mut rows = statement.query(rusqlite::params_from_iter(values))?;
    while let Some(row) = rows.next()? {
        visit(entry(row)?).map_err(Error::Other)?;
    }
    Ok(())
}
