//! The key IDs and names the completion scripts offer for `renew <Tab>`
//! and the other commands that take keys (`INTERGIRO_KEYS_COMPLETE=keys`,
//! `cli::CompleteKeysArgs`), read from the store through its indexes, so
//! that the answer comes at once whatever its size. Only for an operator
//! who may see or change keys.

use std::collections::HashSet;
use std::io::Write;

use anyhow::Result;

use crate::App;
use crate::output::{self, sanitize};

/// Candidates of each kind (IDs, names) at most: a screenful or two.
const MOST: usize = 100;

pub fn run(app: &App, prefix: &str) -> Result<()> {
    let found = crate::ops::complete_keys::complete_keys(app, prefix, MOST)?;
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
