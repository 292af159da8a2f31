//! Keys for shell completion, found through the ID's and the name's
//! indexes: a range of each, so that `renew <Tab>` reads a few rows of
//! 100,000 keys, not all of them.

use chrono::{DateTime, Utc};
use rusqlite::Connection;

use crate::store::{KeyCompletions, Result};

/// Every text starting with `prefix` sorts (bytewise, as SQLite compares
/// text) at or after it and before it followed by the last code point.
fn upper_bound(prefix: &str) -> String {
    format!("{prefix}\u{10FFFF}")
}

pub fn keys(
    conn: &Connection,
    prefix: &str,
    live_at: DateTime<Utc>,
    most: usize,
) -> Result<KeyCompletions> {
    let limit = i64::try_from(most).unwrap_or(i64::MAX);
    let bound = upper_bound(prefix);
    let live_at = live_at.timestamp();
    let mut found = KeyCompletions::default();
    for (column, other, into) in [
        ("id", "name", &mut found.by_id),
        ("name", "id", &mut found.by_name),
    ] {
        let mut statement = conn.prepare_cached(&format!(
            "SELECT {column}, {other} FROM api_key
             WHERE {column} >= ?1 AND {column} < ?2 AND (retires_at IS NULL OR retires_at > ?3)
             ORDER BY {column}, id LIMIT ?4"
        ))?;
        let mut rows = statement.query(rusqlite::params![prefix, bound, live_at, limit])?;
        while let Some(row) = rows.next()? {
            let (text, other): (String, String) = (row.get(0)?, row.get(1)?);
            // The range holds the prefix's code point successors too.
            if text.starts_with(prefix) {
                into.push((text, other));
            }
        }
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::key::{ApiKey, Role, Roles};
    use crate::store::sqlite::SqliteStore;
    use crate::store::{Actor, Store};

    /// The indexed ranges find exactly the keys whose ID or name starts
    /// with the prefix, in order, at most `most` of each.
    #[test]
    fn the_indexed_ranges_find_exactly_the_keys_that_start_with_the_prefix() {
        let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let mut store = SqliteStore::in_memory().unwrap();
        let actor = Actor {
            operator: "alice",
            now: t0,
        };
        let names = [
            "ci-deploy",
            "ci-nightly",
            "ci*",
            "Ci",
            "reporting",
            "é-key",
            "ci",
            "ci-deploy",
        ];
        let mut keys = Vec::new();
        for (index, name) in names.iter().enumerate() {
            let id = format!("{}{index:011}", ["A", "a", "B"][index % 3]);
            let key = ApiKey::new(
                id.clone(),
                name.to_string(),
                Roles::new([Role::Accounts]),
                t0,
            );
            assert!(
                store
                    .insert_unissued(&key, crate::store::tests::HASH, actor)
                    .unwrap()
            );
            store.mark_issued(&id).unwrap();
            keys.push((id, name.to_string()));
        }
        for prefix in [
            "",
            "ci",
            "ci-",
            "ci*",
            "C",
            "A",
            "a0",
            "é",
            "zz",
            "B00000000002",
        ] {
            for most in [1, 2, 50] {
                let mut by_id: Vec<(String, String)> = keys
                    .iter()
                    .filter(|(id, _)| id.starts_with(prefix))
                    .cloned()
                    .collect();
                by_id.sort();
                by_id.truncate(most);
                let mut by_name: Vec<(String, String)> = keys
                    .iter()
                    .filter(|(_, name)| name.starts_with(prefix))
                    .map(|(id, name)| (name.clone(), id.clone()))
                    .collect();
                by_name.sort();
                by_name.truncate(most);
                assert_eq!(
                    store.complete_keys(prefix, t0, most).unwrap(),
                    KeyCompletions { by_id, by_name },
                    "{prefix:?}, {most}"
                );
            }
        }
    }
}
