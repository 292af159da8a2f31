//! The key IDs and names the completion scripts offer for `renew <Tab>`
//! and the other commands that take keys (`INTERGIRO_KEYS_COMPLETE=keys`,
//! `cli::CompleteKeysArgs`), read from the store through its indexes, so
//! that the answer comes at once whatever its size. Only for an operator
//! who may see or change keys.

use std::collections::HashSet;
use std::io::Write;

use anyhow::{Context, Result};

use crate::App;
use crate::operator::Permission;
use crate::ops::{acting_operator, open};
use crate::output::{self, sanitize};
use crate::store::Open;

/// Candidates of each kind (IDs, names) at most: a screenful or two.
const MOST: usize = 100;

pub fn run(app: &App, prefix: &str) -> Result<()> {
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
        return Ok(());
    }
    let found = store.complete_keys(prefix, app.now, MOST)?;
    let mut out = output::stdout();
    // A name several keys share is offered once.
    let mut names = HashSet::new();
    for (name, id) in &found.by_name {
        if names.insert(name.as_str()) {
            writeln!(out, "{}\t{}", sanitize(name), sanitize(id))?;
        }
    }
    for (id, name) in &found.by_id {
        writeln!(out, "{}\t{}", sanitize(id), sanitize(name))?;
    }
    out.flush()?;
    Ok(())
}
