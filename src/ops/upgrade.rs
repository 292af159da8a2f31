//! `upgrade`: the store brought to this build's format.

use anyhow::Result;

use crate::App;
use crate::operator::Action;
use crate::ops::{busy_timeout, open_authorized};
use crate::store::{self, format::UpgradePlan};

/// Who may upgrade is decided, and a refusal recorded, as for any
/// operation; the upgrade then takes the store's lock itself. With
/// `dry_run`, the steps are only listed.
pub fn upgrade(app: &App, dry_run: bool) -> Result<UpgradePlan> {
    drop(open_authorized(app, Action::Upgrade)?);
    Ok(store::upgrade(
        &app.db,
        busy_timeout()?,
        dry_run,
        app.actor(),
    )?)
}
