//! Which key an ID or name on the command line means: the "resolve" step
//! of the operations that act on keys. An unknown or ambiguous name is an
//! error that lists the candidates.

use anyhow::{Result, bail};
use chrono::{DateTime, Utc};

use crate::key::{ApiKey, Status};
use crate::operator::Action;
use crate::store::{self, Store};
use crate::text;
use crate::token;

/// What a key is looked up for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LookUp {
    /// A change: a live key, and by name only a row whose seal holds (a
    /// row renamed by other means would have the change act on another
    /// key than the one meant).
    Change,
    /// Showing it: also a key retired after a rotation, by its ID, and by
    /// name a row as stored, which the caller checks and marks.
    Show,
}

/// The key that `text` names for `action`: its ID, or else a name that
/// exactly one live key has (not counting keys retiring after a rotation,
/// when another has the name). An unknown or ambiguous name is an error
/// listing the candidates; a tampered row is `Error::Tampered`, by ID, and
/// by name for a change.
pub fn resolve_key(
    store: &dyn Store,
    text: &str,
    now: DateTime<Utc>,
    look_up: LookUp,
    action: Action,
) -> Result<ApiKey> {
    let with_retired = look_up == LookUp::Show;
    check_not_a_key(text)?;
    let mut retired = None;
    if token::is_id(text)
        && let Some(stored) = store.find_key(text)?
    {
        if with_retired || stored.key.is_live(now) {
            return Ok(stored.key);
        }
        retired = Some(stored.key);
    }
    let named = store.keys_named(text, false, now, action)?;
    if look_up == LookUp::Change {
        // The name is the row's, as sealed, or nothing is done by it.
        for key in &named {
            store.find_key(&key.id)?;
        }
    }
    let shown = text::sanitize(text);
    // During a rotation's grace the old and the new key share the name; the
    // name means the new one.
    let current: Vec<&ApiKey> = named
        .iter()
        .filter(|key| key.status(now) != Status::Retiring)
        .collect();
    if let ([_, _, ..], [key]) = (named.as_slice(), current.as_slice()) {
        return Ok((*key).clone());
    }
    match named.as_slice() {
        [key] => Ok(key.clone()),
        [] => {
            if let Some(key) = retired {
                return Err(retired_key(&key, now));
            }
            let unknown = if token::is_id(text) {
                match deleted_at(store, text).filter(|_| look_up == LookUp::Show) {
                    Some(at) => bail!(
                        "key {text} was deleted at {}; its history: `intergiro-keys audit --key {text}`",
                        text::human_time(at)
                    ),
                    None => format!("no key with ID {text} or that name"),
                }
            } else {
                format!(
                    "no key is named \"{shown}\", and it is not a key ID ({} letters and digits)",
                    token::ID_LEN
                )
            };
            let similar = store.keys_named(text, true, now, action)?;
            if similar.is_empty() {
                bail!("{unknown}; nothing was changed (see the keys with `intergiro-keys list`)");
            }
            bail!(
                "{unknown}; nothing was changed — did you mean {}?",
                describe_candidates(&similar)
            )
        }
        several => bail!(
            "{} keys are named \"{shown}\": {}; give the ID of the one you mean",
            several.len(),
            describe_namesakes(several, now)
        ),
    }
}

/// When the key with ID `id` was deleted, as the audit log says; None when
/// it says nothing of it or cannot be read (the caller then says less).
fn deleted_at(store: &dyn Store, id: &str) -> Option<DateTime<Utc>> {
    let filter = store::AuditFilter {
        key_id: Some(id.to_string()),
        ..store::AuditFilter::default()
    };
    let mut deleted = None;
    store
        .each_audit_entry(&filter, &mut |entry| {
            // `scan --revoke` audits its deletions as `delete` too.
            if entry.record.outcome == "ok" && entry.record.action == Action::Delete.as_str() {
                deleted = Some(entry.record.at);
            }
            Ok(())
        })
        .ok()?;
    deleted
}

/// The error for a change asked of `key`, retired after a rotation.
pub fn retired_key(key: &ApiKey, now: DateTime<Utc>) -> anyhow::Error {
    anyhow::anyhow!(
        "key {} retired at {}, replaced by {}; nothing was changed (its history: `intergiro-keys show {}`)",
        key.id,
        text::human_time(key.retires_at.unwrap_or(now)),
        key.replaced_by
            .as_deref()
            .map_or("another key".into(), text::sanitize),
        key.id
    )
}

/// Every argument resolved to a key ID (`resolve_key`) for `action`, in
/// order. The ID of a tampered key is kept as given: the change itself
/// decides, in its transaction (`delete` removes such a key, the remedy;
/// `renew` refuses).
pub fn resolve_ids(
    store: &dyn Store,
    texts: &[String],
    now: DateTime<Utc>,
    action: Action,
) -> Result<Vec<String>> {
    texts
        .iter()
        .map(
            |text| match resolve_key(store, text, now, LookUp::Change, action) {
                Ok(key) => Ok(key.id),
                Err(err) if is_tampered_key(&err, text) => Ok(text.clone()),
                Err(err) => Err(err),
            },
        )
        .collect()
}

/// Runs `act` on the keys `texts` name for `action`, reading each key once
/// where it can: texts that are all key IDs go to `act` as given, whose
/// transaction checks each key anyway; only when one is unknown there (a
/// name that looks like an ID, a key retired after a rotation) are they
/// resolved (`resolve_ids`), for the error that says which, or for the keys
/// they name. `act` changes all of its keys or none.
pub fn act_on_keys<T>(
    store: &mut dyn Store,
    texts: &[String],
    now: DateTime<Utc>,
    action: Action,
    act: impl Fn(&mut dyn Store, &[String]) -> store::Result<T>,
) -> Result<T> {
    if !texts.is_empty() && texts.iter().all(|text| token::is_id(text)) {
        match act(store, texts) {
            Err(store::Error::UnknownKeys(_)) => {}
            done => return Ok(done?),
        }
    }
    let ids = resolve_ids(store, texts, now, action)?;
    Ok(act(store, &ids)?)
}

/// Whether `err` says that the row of the key with ID `id` was tampered
/// with (not some row found by a name).
fn is_tampered_key(err: &anyhow::Error, id: &str) -> bool {
    err.downcast_ref::<crate::explain::Explained>()
        .is_some_and(|explained| {
            matches!(&explained.error, store::Error::Tampered { subject, .. }
                if *subject == crate::audit::key_subject(id))
        })
}

pub fn is_tampered(err: &anyhow::Error) -> bool {
    err.downcast_ref::<crate::explain::Explained>()
        .is_some_and(|explained| matches!(explained.error, store::Error::Tampered { .. }))
}

/// The most keys sharing a name that an error lists one by one.
const MOST_NAMESAKES: usize = 5;

/// Keys sharing one name, told apart: `3hT9kQ2mXa7B (payments, created
/// 2026-01-01, freezes 2026-04-01)` for each of the first few, joined, then
/// "and N more". The name is said once, by the caller.
fn describe_namesakes(keys: &[ApiKey], now: DateTime<Utc>) -> String {
    let date = |time: DateTime<Utc>| time.format("%Y-%m-%d");
    let mut described: Vec<String> = keys
        .iter()
        .take(MOST_NAMESAKES)
        .map(|key| {
            let state = match key.status(now) {
                Status::Unissued => "unissued".to_string(),
                Status::Frozen => format!("frozen since {}", date(key.freezes_at)),
                Status::Retiring | Status::Retired => format!(
                    "retiring until {}",
                    text::human_time(key.retires_at.unwrap_or(now))
                ),
                Status::Active | Status::Expiring => format!("freezes {}", date(key.freezes_at)),
            };
            format!(
                "{} ({}, created {}, {state})",
                key.id,
                key.roles,
                date(key.created_at)
            )
        })
        .collect();
    if keys.len() > MOST_NAMESAKES {
        described.push(format!("and {} more", keys.len() - MOST_NAMESAKES));
    }
    described.join(", ")
}

/// `"ci-deploy" (3hT9kQ2mXa7B, created 2026-01-01)` for each key, joined.
fn describe_candidates(keys: &[ApiKey]) -> String {
    let described: Vec<String> = keys
        .iter()
        .map(|key| {
            format!(
                "\"{}\" ({}, created {})",
                text::sanitize(&key.name),
                key.id,
                key.created_at.format("%Y-%m-%d")
            )
        })
        .collect();
    described.join(", ")
}

/// Refuses a whole key given where an ID or name belongs: it would sit in
/// the process list and shell history.
fn check_not_a_key(text: &str) -> Result<()> {
    if crate::token::redact(text) != text {
        bail!(
            "\"{}\" looks like a whole key, not an ID; never put a key on the command line — pipe it on stdin instead",
            crate::token::redact(text)
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone};

    use super::*;
    use crate::key::{Role, Roles};

    #[test]
    fn namesakes_are_told_apart_by_roles_dates_and_state() {
        let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 12, 0, 0).unwrap();
        let key = |id: &str, roles: &[Role], created: DateTime<Utc>| {
            let mut key = ApiKey::new(
                id.into(),
                "same".into(),
                Roles::new(roles.iter().copied()),
                created,
            );
            key.issued = true;
            key
        };
        let now = t0 + Duration::days(95);
        let frozen = key("AAAAAAAAAAAA", &[Role::Accounts], t0);
        let mut unissued = key("BBBBBBBBBBBB", &[Role::Payments], now);
        unissued.issued = false;
        let mut retiring = key("CCCCCCCCCCCC", &[Role::Payments], t0 + Duration::days(10));
        retiring.retires_at = Some(now + Duration::hours(20));
        retiring.replaced_by = Some("DDDDDDDDDDDD".into());
        let active = key("DDDDDDDDDDDD", &[Role::Payments, Role::Accounts], now);
        assert_eq!(
            describe_namesakes(&[frozen, unissued, retiring, active.clone()], now),
            "AAAAAAAAAAAA (accounts, created 2026-01-01, frozen since 2026-04-01), \
             BBBBBBBBBBBB (payments, created 2026-04-06, unissued), \
             CCCCCCCCCCCC (payments, created 2026-01-11, retiring until 2026-04-07 08:00 UTC), \
             DDDDDDDDDDDD (accounts,payments, created 2026-04-06, freezes 2026-07-05)"
        );
        let many = vec![active; 8];
        let described = describe_namesakes(&many, now);
        assert_eq!(described.matches("DDDDDDDDDDDD (").count(), 5);
        assert!(described.ends_with(", and 3 more"), "{described}");
    }
}
