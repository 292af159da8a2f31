//! The `api_key` table.

use chrono::{DateTime, Utc};
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, Row, Transaction, named_params, params};

use super::audit::{append, append_sealed};
use super::classify::{optional_time_at, time_at};
use super::seal;
use crate::audit::{Actor, Event, Seal, key_subject};
use crate::key::{self, ApiKey, Status};
use crate::operator::Action;
use crate::store::filter::{self, Dialect, Order, Param};
use crate::store::{
    Error, FlaggedCounts, KeyExtent, KeyFilter, NotRotatable, Renewal, Result, StoredKey, Visit,
    printable_ascii,
};

/// A key row; `api_key` reads its columns by position.
pub(super) const SELECT_KEY: &str =
    "SELECT id, name, roles, secret_hash, created_at, renewed_at, freezes_at, issued,
            retires_at, replaced_by, last_used_at
     FROM api_key";

fn stored_key(row: &Row) -> rusqlite::Result<StoredKey> {
    Ok(StoredKey {
        key: api_key(row)?,
        secret_hash: row.get(3)?,
    })
}

/// A row of `SELECT_KEY` without its hash, which listings never need.
fn api_key(row: &Row) -> rusqlite::Result<ApiKey> {
    Ok(ApiKey {
        id: row.get(0)?,
        name: row.get(1)?,
        roles: row.get(2)?,
        created_at: time_at(row, 4, "created_at")?,
        renewed_at: time_at(row, 5, "renewed_at")?,
        freezes_at: time_at(row, 6, "freezes_at")?,
        issued: row.get(7)?,
        retires_at: optional_time_at(row, 8, "retires_at")?,
        replaced_by: row.get(9)?,
        last_used_at: optional_time_at(row, 10, "last_used_at")?,
    })
}

pub fn insert_unissued(
    tx: &Transaction,
    key: &ApiKey,
    secret_hash: &str,
    actor: Actor,
) -> Result<bool> {
    let inserted = insert_row(tx, key, secret_hash)?;
    if inserted {
        append_sealed(
            tx,
            &Event::Created { key },
            actor,
            Some(seal::as_meant(
                tx,
                &key.id,
                seal::new_key(key, secret_hash),
            )?),
        )?;
    }
    Ok(inserted)
}

/// Inserts a new, unissued key; false when its ID is taken.
fn insert_row(tx: &Transaction, key: &ApiKey, secret_hash: &str) -> Result<bool> {
    let inserted = tx.execute(
        "INSERT INTO api_key (id, name, roles, secret_hash, created_at, renewed_at, freezes_at, issued)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 0)
         ON CONFLICT (id) DO NOTHING",
        params![
            key.id,
            key.name,
            key.roles,
            secret_hash,
            key.created_at.timestamp(),
            key.renewed_at.timestamp(),
            key.freezes_at.timestamp(),
        ],
    )?;
    Ok(inserted == 1)
}

/// Issues a new key: recorded in the name of the operator whose entry
/// stored it, dated as the log's last entry (the command that stored it is
/// still running, so that entry is at most moments old).
pub fn mark_issued(tx: &Transaction, id: &str) -> Result<()> {
    let stored_by: Option<(String, i64)> = tx
        .query_row(
            "SELECT operator, (SELECT max(at) FROM audit) FROM audit
             WHERE subject = ?1 ORDER BY seq DESC LIMIT 1",
            [key_subject(id)],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .optional()?;
    let Some((operator, at)) = stored_by else {
        return issue(tx, id, None);
    };
    let now = DateTime::from_timestamp(at, 0).unwrap_or_default();
    issue(
        tx,
        id,
        Some(Actor {
            operator: &operator,
            now,
        }),
    )
}

/// Marks an unissued key issued, after checking its row is as stored, and
/// seals it so (`issued` decides whether the key works). Without `actor`
/// (no entry stored the key) the row is left as it is: it is tampered.
fn issue(tx: &Transaction, id: &str, actor: Option<Actor>) -> Result<()> {
    if let Some(current) = seal::key_seal(tx, id)? {
        seal::check(tx, &current)?;
    }
    let Some(actor) = actor else {
        return Ok(());
    };
    if tx.execute(
        "UPDATE api_key SET issued = 1 WHERE id = ?1 AND issued = 0",
        [id],
    )? == 1
    {
        append_sealed(
            tx,
            &Event::Issued { key_id: id },
            actor,
            seal::key_seal(tx, id)?,
        )?;
    }
    Ok(())
}

pub fn discard_unissued(tx: &Transaction, id: &str, actor: Actor) -> Result<()> {
    if tx.execute("DELETE FROM api_key WHERE id = ?1 AND issued = 0", [id])? == 1 {
        release_claim(tx, id)?;
        append_sealed(
            tx,
            &Event::Discarded { key_id: id },
            actor,
            Some(Seal::removed(key_subject(id))),
        )?;
    }
    Ok(())
}

/// Releases the key that the unissued key `replacement` was to replace.
fn release_claim(tx: &Transaction, replacement: &str) -> Result<()> {
    tx.execute(
        "UPDATE api_key SET replaced_by = NULL WHERE replaced_by = ?1 AND retires_at IS NULL",
        [replacement],
    )?;
    Ok(())
}

pub fn begin_rotation(
    tx: &Transaction,
    old_id: &str,
    new: &ApiKey,
    secret_hash: &str,
    actor: Actor,
) -> Result<bool> {
    // A tampered key is not rotated: the new key would carry the forged
    // roles, and the old row would be sealed as it was forged.
    let old = match find_checked(tx, old_id)? {
        Some(stored) if stored.key.is_live(actor.now) => stored.key,
        _ => return Err(Error::UnknownKeys(vec![old_id.to_string()])),
    };
    let refusal = match (old.status(actor.now), old.retires_at, &old.replaced_by) {
        (Status::Unissued, _, _) => Some(NotRotatable::Unissued),
        (_, Some(retires_at), _) => Some(NotRotatable::Retiring(retires_at)),
        (_, None, Some(replacement)) => Some(NotRotatable::InProgress(replacement.clone())),
        _ => None,
    };
    if let Some(reason) = refusal {
        return Err(Error::NotRotatable { id: old.id, reason });
    }
    if !insert_row(tx, new, secret_hash)? {
        return Ok(false);
    }
    tx.execute(
        "UPDATE api_key SET replaced_by = ?2 WHERE id = ?1",
        params![old.id, new.id],
    )?;
    append_sealed(
        tx,
        &Event::Replacement {
            key: new,
            replaces: &old.id,
        },
        actor,
        Some(seal::as_meant(
            tx,
            &new.id,
            seal::new_key(new, secret_hash),
        )?),
    )?;
    Ok(true)
}

pub fn finish_rotation(
    tx: &Transaction,
    old_id: &str,
    new_id: &str,
    retires_at: DateTime<Utc>,
    actor: Actor,
) -> Result<()> {
    // The old row is sealed below as it then is: not if it was changed by
    // other means while the new secret was being written out.
    if let Some(current) = seal::key_seal(tx, old_id)? {
        seal::check(tx, &current)?;
    }
    issue(tx, new_id, Some(actor))?;
    let retiring = tx.execute(
        "UPDATE api_key SET retires_at = ?3 WHERE id = ?1 AND replaced_by = ?2",
        params![old_id, new_id, retires_at.timestamp()],
    )?;
    if retiring == 1 {
        append_sealed(
            tx,
            &Event::Rotated {
                key_id: old_id,
                replaced_by: new_id,
                retires_at,
            },
            actor,
            seal::key_seal(tx, old_id)?,
        )?;
    }
    Ok(())
}

/// Records a use; a single statement, so it holds the write lock for one
/// short update only.
pub fn record_use(
    conn: &Connection,
    id: &str,
    at: DateTime<Utc>,
    stale_after: DateTime<Utc>,
) -> Result<bool> {
    let written = conn.execute(
        "UPDATE api_key SET last_used_at = ?2
         WHERE id = ?1 AND issued = 1 AND (last_used_at IS NULL OR last_used_at <= ?3)",
        params![id, at.timestamp(), stale_after.timestamp()],
    )?;
    Ok(written == 1)
}

/// One key by its ID: a single lookup on the primary key.
pub fn find(conn: &Connection, id: &str) -> Result<Option<StoredKey>> {
    Ok(conn
        .query_row(&format!("{SELECT_KEY} WHERE id = ?1"), [id], stored_key)
        .optional()?)
}

/// One key by its ID, `Error::Tampered` when its row disagrees with the
/// audit entry that last wrote it.
pub fn find_checked(conn: &Connection, id: &str) -> Result<Option<StoredKey>> {
    let Some(stored) = find(conn, id)? else {
        return Ok(None);
    };
    if let Some(current) = seal::key_seal(conn, id)? {
        seal::check(conn, &current)?;
    }
    Ok(Some(stored))
}

/// Visits every key `filter` selects; a row that is not a key (written by
/// other means) is skipped and its ID added to `skipped`.
pub fn each(
    conn: &Connection,
    filter: &KeyFilter,
    visit: Visit<ApiKey>,
    skipped: &mut Vec<String>,
) -> Result<()> {
    let (sql, values) = query(SELECT_KEY, filter, Order::Sorted);
    let mut statement = conn.prepare(&sql)?;
    let mut rows = statement.query(rusqlite::params_from_iter(values))?;
    while let Some(row) = rows.next()? {
        match api_key(row) {
            Ok(key) => visit(key).map_err(Error::Other)?,
            Err(
                rusqlite::Error::FromSqlConversionFailure(..)
                | rusqlite::Error::InvalidColumnType(..),
            ) => {
                skipped.push(row_id(row));
            }
            Err(err) => return Err(err.into()),
        }
    }
    Ok(())
}

/// A row's ID as text, whatever was stored there.
fn row_id(row: &Row) -> String {
    use rusqlite::types::ValueRef;
    match row.get_ref(0) {
        Ok(ValueRef::Text(text) | ValueRef::Blob(text)) => {
            String::from_utf8_lossy(text).into_owned()
        }
        Ok(ValueRef::Integer(n)) => n.to_string(),
        Ok(ValueRef::Real(x)) => x.to_string(),
        Ok(ValueRef::Null) | Err(_) => "(no ID)".to_string(),
    }
}

/// `KeyExtent` of the keys `filter` selects, measured in one pass over the
/// rows' text as SQLite stores it (no row is kept). SQLite's own aggregates
/// would need a GLOB per row to tell plain text, which costs several times
/// the scan itself.
pub fn extent(conn: &Connection, filter: &KeyFilter) -> Result<KeyExtent> {
    let (sql, values) = query(
        "SELECT id, name, roles, freezes_at FROM api_key",
        filter,
        Order::AsFound,
    );
    let mut statement = conn.prepare(&sql)?;
    let mut rows = statement.query(rusqlite::params_from_iter(values))?;
    let mut extent = KeyExtent::default();
    let (mut soonest, mut latest) = (i64::MAX, i64::MIN);
    while let Some(row) = rows.next()? {
        let text = |index| -> rusqlite::Result<&[u8]> { Ok(row.get_ref(index)?.as_bytes()?) };
        let (id, name, roles) = (text(0)?, text(1)?, text(2)?);
        let freezes_at: i64 = row.get(3)?;
        extent.keys += 1;
        extent.plain &= printable_ascii(id) && printable_ascii(name);
        extent.longest_id = extent.longest_id.max(characters(id));
        extent.longest_name = extent.longest_name.max(characters(name));
        // Shown with a space after each comma.
        let commas = roles.iter().filter(|&&byte| byte == b',').count();
        extent.longest_roles = extent.longest_roles.max(characters(roles) + commas as u64);
        soonest = soonest.min(freezes_at);
        latest = latest.max(freezes_at);
    }
    if extent.keys > 0 {
        extent.soonest_freeze = DateTime::from_timestamp(soonest, 0);
        extent.latest_freeze = DateTime::from_timestamp(latest, 0);
    }
    Ok(extent)
}

/// The number of characters in UTF-8 text: every byte but continuation
/// bytes.
fn characters(text: &[u8]) -> u64 {
    text.iter().filter(|&&byte| byte & 0xC0 != 0x80).count() as u64
}

/// The query for `filter` over `select`, its values as SQLite takes them.
fn query(select: &str, filter: &KeyFilter, order: Order) -> (String, Vec<Value>) {
    let query = filter::select(Dialect::Sqlite { select }, filter, order);
    let values = query
        .params
        .into_iter()
        .map(|param| match param {
            Param::Int(n) => Value::Integer(n),
            Param::NullInt => Value::Null,
            Param::Text(text) => Value::Text(text),
            Param::Bool(yes) => Value::Integer(yes.into()),
        })
        .collect();
    (query.sql, values)
}

pub fn count_flagged(
    conn: &Connection,
    now: DateTime<Utc>,
    expiring_by: DateTime<Utc>,
) -> Result<FlaggedCounts> {
    Ok(conn.query_row(
        // A freeze date more than 90 days ahead counts as frozen
        // (`key::status`).
        "SELECT count(*) AS issued,
                coalesce(sum(retires_at IS NULL
                             AND (freezes_at <= :now OR freezes_at > :beyond)), 0) AS frozen,
                coalesce(sum(retires_at IS NULL AND freezes_at > :now
                             AND freezes_at <= :expiring_by AND freezes_at <= :beyond), 0) AS expiring,
                coalesce(sum(retires_at IS NOT NULL), 0) AS retiring
         FROM api_key WHERE issued = 1 AND (retires_at IS NULL OR retires_at > :now)",
        named_params! {
            ":now": now.timestamp(),
            ":expiring_by": expiring_by.timestamp(),
            ":beyond": key::latest_honoured_freeze(now),
        },
        |row| {
            let count = |column: &str| row.get::<_, i64>(column).map(|n| n as u64);
            Ok(FlaggedCounts {
                issued: count("issued")?,
                frozen: count("frozen")?,
                expiring: count("expiring")?,
                retiring: count("retiring")?,
            })
        },
    )?)
}

/// The renewal of `ids`: `Ok(Err(Error::Retiring))` when a key retiring
/// after a rotation is among them, with its refusal recorded, for the
/// caller to commit (the refusal goes into the key's history); `Err` for
/// anything that rolls back.
pub fn renew(
    tx: &Transaction,
    ids: &[String],
    freezes_at: DateTime<Utc>,
    actor: Actor,
) -> Result<Result<Vec<Renewal>>> {
    // A tampered key is not renewed: that would seal what was forged.
    let keys = keys_by_id(tx, ids, actor.now, find_checked)?;
    // Refused here, in the transaction, so that a rotation finishing after
    // the command looked cannot slip a renewal through.
    if let Some(key) = keys
        .iter()
        .find(|key| key.status(actor.now) == Status::Retiring)
    {
        let retires_at = key.retires_at.unwrap_or(actor.now);
        let detail =
            crate::audit::retiring_not_renewed(&key.id, retires_at, key.replaced_by.as_deref());
        append(
            tx,
            &Event::Refused {
                action: Action::Renew,
                key_id: Some(&key.id),
                detail: &detail,
            },
            actor,
        )?;
        return Ok(Err(Error::Retiring {
            id: key.id.clone(),
            retires_at,
            replaced_by: key.replaced_by.clone(),
        }));
    }
    let mut renewals = Vec::with_capacity(keys.len());
    for key in keys {
        tx.execute(
            "UPDATE api_key SET renewed_at = ?2, freezes_at = ?3 WHERE id = ?1",
            params![key.id, actor.now.timestamp(), freezes_at.timestamp()],
        )?;
        append_sealed(
            tx,
            &Event::Renewed {
                key_id: &key.id,
                freezes_at,
            },
            actor,
            seal::key_seal(tx, &key.id)?,
        )?;
        let previous_freezes_at = key.freezes_at;
        renewals.push(Renewal {
            key: ApiKey {
                renewed_at: actor.now,
                freezes_at,
                ..key
            },
            previous_freezes_at,
        });
    }
    Ok(Ok(renewals))
}

pub fn delete(tx: &Transaction, ids: &[String], actor: Actor) -> Result<Vec<ApiKey>> {
    // A tampered key can always be deleted: that is the remedy.
    let keys = keys_by_id(tx, ids, actor.now, find)?;
    for key in &keys {
        tx.execute("DELETE FROM api_key WHERE id = ?1", [&key.id])?;
        if !key.issued {
            release_claim(tx, &key.id)?;
        }
        append_sealed(
            tx,
            &Event::Deleted { key },
            actor,
            Some(Seal::removed(key_subject(&key.id))),
        )?;
    }
    Ok(keys)
}

pub fn revoke_found(
    tx: &Transaction,
    found: &[(String, String)],
    actor: Actor,
) -> Result<Vec<ApiKey>> {
    let mut deleted: Vec<ApiKey> = Vec::with_capacity(found.len());
    for (id, found_at) in found {
        let Some(stored) = find(tx, id)? else {
            continue;
        };
        if deleted.iter().any(|key| key.id == stored.key.id) {
            continue;
        }
        tx.execute("DELETE FROM api_key WHERE id = ?1", [id])?;
        append_sealed(
            tx,
            &Event::RevokedByScan {
                key: &stored.key,
                found_at,
            },
            actor,
            Some(Seal::removed(key_subject(id))),
        )?;
        deleted.push(stored.key);
    }
    Ok(deleted)
}

/// The keys of `ids` in the order given, each once; `UnknownKeys` naming
/// every unknown ID, and those of keys retired at `now`.
fn keys_by_id(
    tx: &Transaction,
    ids: &[String],
    now: DateTime<Utc>,
    find: fn(&Connection, &str) -> Result<Option<StoredKey>>,
) -> Result<Vec<ApiKey>> {
    let mut keys: Vec<ApiKey> = Vec::with_capacity(ids.len());
    let mut unknown = Vec::new();
    for id in ids {
        match find(tx, id)? {
            Some(stored) if !stored.key.is_live(now) => unknown.push(id.clone()),
            Some(stored) if !keys.iter().any(|key| key.id == stored.key.id) => {
                keys.push(stored.key)
            }
            Some(_) => {}
            None => unknown.push(id.clone()),
        }
    }
    if !unknown.is_empty() {
        return Err(Error::UnknownKeys(unknown));
    }
    Ok(keys)
}
