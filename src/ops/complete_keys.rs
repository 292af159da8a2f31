//! The key IDs and names a shell's completion offers, for an operator who
//! may see or change keys. Nothing is recorded: a shell is drawing its
//! prompt.

use anyhow::{Context, Result};

use crate::App;
use crate::operator::Permission;
use crate::ops::{acting_operator, open};
use crate::store::{KeyCompletions, Open};

/// Up to `most` keys whose ID starts with `prefix` and `most` whose name
/// does, read through the store's indexes; none for an operator who may
/// neither see nor change keys.
pub fn complete_keys(app: &App, prefix: &str, most: usize) -> Result<KeyCompletions> {
    let store = open(app, Open::MustExist)?;
    let acting = acting_operator(app, store.as_ref());
    let operator = store
        .operator(&acting)?
        .context("not an operator of this store")?;
    let allowed = [
        Permission::View,
        Permission::Renew,
        Permission::Delete,
        Permission::Create,
    ]
    .into_iter()
    .any(|permission| operator.permissions.allows(permission));
    if !allowed {
        return Ok(KeyCompletions::default());
    }
    Ok(store.complete_keys(prefix, app.now, most)?)
}
