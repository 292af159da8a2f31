//! One module per subcommand: gather the arguments, call the operation
//! (`crate::ops`), print its outcome. What several commands share to gather
//! input or print is here and in `key_input`.

pub mod audit;
pub mod backup;
pub mod check;
pub mod complete_keys;
pub mod completions;
pub mod create;
pub mod delete;
pub mod init;
pub mod key_input;
pub mod list;
pub mod migrate;
pub mod renew;
pub mod rotate;
pub mod scan;
pub mod serve;
pub mod show;
pub mod status;
pub mod upgrade;
pub mod users;
pub mod verify;

use chrono::{DateTime, Utc};

use crate::App;
use crate::store::Store;

/// The latest creation time `--older-than` lets through.
pub fn created_before(
    origin: &crate::cli::OriginFilter,
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    origin
        .older_than
        .map(|days| now - chrono::Duration::days(i64::from(days)))
}

/// Warns, one line each, of the rows the listings skipped as unreadable
/// (`Store::take_skipped`), and returns their IDs, each once.
pub fn warn_skipped(store: &dyn Store) -> Vec<String> {
    let skipped = crate::ops::skipped_rows(store);
    for id in &skipped {
        let id = crate::output::sanitize(id);
        crate::output::note(format!(
            "intergiro-keys: warning: skipped the key row {id}: it cannot be read as a key (changed outside intergiro-keys, or damaged); delete it with `intergiro-keys delete {id}`, or restore a backup (`intergiro-keys audit --verify` checks every row)"
        ));
    }
    skipped
}

/// The notice about keys near their freeze, for a person at a terminal:
/// its facts from the store in one query (a failure only loses the notice),
/// its words from `notice`.
pub fn notice_expiring_keys(app: &App, store: &dyn Store) {
    if !crate::notice::wanted(app) {
        return;
    }
    let expiring_by = app.now + chrono::Duration::days(i64::from(crate::key::EXPIRING_WITHIN_DAYS));
    if let Ok(counts) = store.count_flagged(app.now, expiring_by) {
        crate::notice::expiring_keys(counts.frozen, counts.expiring);
    }
}
