//! `upgrade` on PostgreSQL. Placeholder until the PostgreSQL store's own
//! `upgrade` (its schema squashed to format 1.0, applied server-side)
//! replaces this file: a PostgreSQL store that opens is at 1.0, the only
//! format so far, so there is nothing to do.

use std::time::Duration;

use super::Location;
use crate::store::Result;
use crate::store::format::{CURRENT, UpgradePlan};

pub fn upgrade(
    _location: &Location,
    _busy_timeout: Duration,
    _dry_run: bool,
) -> Result<UpgradePlan> {
    Ok(UpgradePlan {
        from: CURRENT,
        to: CURRENT,
        steps: Vec::new(),
    })
}
