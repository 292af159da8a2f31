//! The `api_key` table.

use chrono::{DateTime, Utc};
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, Row, Transaction, named_params, params};

use super::audit::{append, append_sealed};
use super::classify::{optional_time_at, time_at};
use super::seal;
use crate::audit::{Actor, Event, Seal, key_subject};
use crate::key::{self, ApiKey, EXPIRING_WITHIN_DAYS, Status};
use crate::operator::Action;

const DAY: i64 = 86_400;
use crate::store::{
    Error, FlaggedCounts, KeyExtent, KeyFilter, KeySort, NotRotatable, Renewal, Result, StoredKey,
    Visit, printable_ascii,
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

pub fn mark_issued(tx: &Transaction, id: &str) -> Result<()> {
    tx.execute("UPDATE api_key SET issued = 1 WHERE id = ?1", [id])?;
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
    mark_issued(tx, new_id)?;
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
    let (sql, values) = select_keys(filter);
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
    let (conditions, mut values) = where_keys(filter);
    let sql = format!(
        "SELECT id, name, roles, freezes_at FROM api_key{conditions}{}",
        limit_of(filter, values.len())
    );
    if let Some(limit) = filter.limit {
        values.push(i64::try_from(limit).unwrap_or(i64::MAX).into());
    }
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

fn limit_of(filter: &KeyFilter, bound: usize) -> String {
    match filter.limit {
        Some(_) => format!(" LIMIT ?{}", bound + 1),
        None => String::new(),
    }
}

/// The query for `filter`, with its values in order.
fn select_keys(filter: &KeyFilter) -> (String, Vec<Value>) {
    let (conditions, mut values) = where_keys(filter);
    let order = match filter.sort {
        KeySort::Freezes => "freezes_at, id",
        KeySort::Id => "id",
        KeySort::Name => "name, id",
        KeySort::Created => "created_at, id",
        // NULL (never used) sorts first in SQLite.
        KeySort::LastUsed => "last_used_at, id",
    };
    let mut sql = format!("{SELECT_KEY}{conditions} ORDER BY {order}");
    sql.push_str(&limit_of(filter, values.len()));
    if let Some(limit) = filter.limit {
        values.push(i64::try_from(limit).unwrap_or(i64::MAX).into());
    }
    (sql, values)
}

/// The WHERE clause for `filter` (empty when it selects every key), with
/// its values in order.
fn where_keys(filter: &KeyFilter) -> (String, Vec<Value>) {
    let mut conditions: Vec<String> = Vec::new();
    let mut values: Vec<Value> = Vec::new();
    let mut bind = |value: Value| {
        values.push(value);
        format!("?{}", values.len())
    };
    let now = filter.now.map(|now| now.timestamp());
    // A freeze date more than 90 days ahead counts as frozen (`key::status`).
    let beyond = filter.now.map(key::latest_honoured_freeze);
    if let Some(time) = filter.freezing_by {
        let by = bind(time.timestamp().into());
        // A key replaced by `rotate` is meant to stop, whatever its freeze.
        conditions.push(match beyond {
            Some(beyond) => format!(
                "retires_at IS NULL AND (freezes_at <= {by} OR freezes_at > {})",
                bind(beyond.into())
            ),
            None => format!("retires_at IS NULL AND freezes_at <= {by}"),
        });
    }
    if filter.issued_only {
        conditions.push("issued = 1".to_string());
    }
    for role in &filter.roles {
        // Roles are stored comma-separated and sorted: "accounts,payments".
        conditions.push(format!(
            "(',' || roles || ',') LIKE {}",
            bind(format!("%,{},%", role.as_str()).into())
        ));
    }
    if let Some(statuses) = &filter.statuses {
        let any: Vec<String> = match (now, beyond) {
            (Some(now), Some(beyond)) => {
                let expiring = now + i64::from(EXPIRING_WITHIN_DAYS) * DAY;
                statuses
                    .iter()
                    .map(|status| match status {
                        // A rotated key is retiring or retired, whatever
                        // its freeze.
                        Status::Active => format!(
                            "(issued = 1 AND retires_at IS NULL AND freezes_at > {} AND freezes_at <= {})",
                            bind(expiring.into()),
                            bind(beyond.into())
                        ),
                        Status::Expiring => format!(
                            "(issued = 1 AND retires_at IS NULL AND freezes_at > {} AND freezes_at <= {})",
                            bind(now.into()),
                            bind(expiring.into())
                        ),
                        Status::Frozen => format!(
                            "(issued = 1 AND retires_at IS NULL AND (freezes_at <= {} OR freezes_at > {}))",
                            bind(now.into()),
                            bind(beyond.into())
                        ),
                        Status::Unissued => "issued = 0".to_string(),
                        Status::Retiring => {
                            format!("(issued = 1 AND retires_at > {})", bind(now.into()))
                        }
                        Status::Retired => {
                            format!("(issued = 1 AND retires_at <= {})", bind(now.into()))
                        }
                    })
                    .collect()
            }
            _ => Vec::new(),
        };
        conditions.push(match any.is_empty() {
            true => "0".to_string(),
            false => format!("({})", any.join(" OR ")),
        });
    }
    if let Some(glob) = &filter.name_glob {
        let pattern = crate::store::glob::sqlite_pattern(glob);
        conditions.push(format!("name GLOB {}", bind(pattern.into())));
    }
    if let Some(time) = filter.live_at {
        conditions.push(format!(
            "(retires_at IS NULL OR retires_at > {})",
            bind(time.timestamp().into())
        ));
    }
    if let Some(name) = &filter.name {
        conditions.push(format!("name = {}", bind(name.clone().into())));
    }
    if let Some(time) = filter.unused_since {
        let since = bind(time.timestamp().into());
        conditions.push(format!(
            "(last_used_at <= {since} OR (last_used_at IS NULL AND created_at <= {since}))"
        ));
    }
    if let Some(time) = filter.created_by_then {
        conditions.push(format!("created_at <= {}", bind(time.timestamp().into())));
    }
    if let Some(operator) = &filter.created_by {
        // One look-up per key, through the index on the log's key ID.
        conditions.push(format!(
            "(SELECT operator FROM audit WHERE audit.key_id = api_key.id \
             AND action IN ('create', 'rotate') AND outcome = 'ok' ORDER BY seq LIMIT 1) = {}",
            bind(operator.clone().into())
        ));
    }
    let conditions = match conditions.is_empty() {
        true => String::new(),
        false => format!(" WHERE {}", conditions.join(" AND ")),
    };
    (conditions, values)
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
