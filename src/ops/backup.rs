//! `backup`: a consistent copy of the store, checked as the tool checks any.

use std::path::Path;

use anyhow::{Context, Result, bail};

use crate::App;
use crate::audit;
use crate::operator::Action;
use crate::ops::{busy_timeout, open_authorized};
use crate::store::{self, Open};

/// Copies the store to `path` once the acting operator may, then opens the
/// copy as any store and verifies its audit log: the copy must be one this
/// tool accepts, with an intact log. Returns the copy's verdict.
pub fn backup(app: &App, path: &Path) -> Result<audit::Verdict> {
    let store = open_authorized(app, Action::Backup)?;
    store.backup(path)?;
    let copy = store::open(path, Open::MustExist, busy_timeout()?)
        .map_err(anyhow::Error::from)
        .with_context(|| format!("the backup {} cannot be opened", path.display()))?;
    let verdict = store::verify_audit(copy.as_ref())?;
    if let Err(broken) = &verdict.intact {
        bail!(
            "the backup {} was written, but its audit log does not verify: {}",
            path.display(),
            broken.problem
        );
    }
    Ok(verdict)
}
