//! One module per subcommand: gather input, call the domain and the store,
//! print.

pub mod audit;
pub mod check;
pub mod completions;
pub mod create;
pub mod delete;
pub mod list;
pub mod renew;
pub mod users;
pub mod verify;

use std::fs::File;
use std::io::{IsTerminal, Read};
use std::path::Path;

use anyhow::{Context, Result, bail};
use zeroize::Zeroizing;

use crate::App;
use crate::operator::{Operator, Refusal};
use crate::store::{Open, Store};
use crate::token::{self, Malformed, Token};

/// The most bytes read from stdin when a key is expected; a key is 66.
const MAX_KEY_INPUT: u64 = 4096;

/// Opens the database for `command`, whose acting operator must pass
/// `allowed`. A refusal is recorded in the audit log and changes nothing else.
pub fn open_authorized(
    app: &App,
    open: Open,
    command: &str,
    allowed: impl FnOnce(&Operator) -> Result<(), Refusal>,
) -> Result<Store> {
    let mut store = Store::open(&app.db, open)?;
    store.ensure_administrator(app.actor(), app.uid)?;
    let verdict = match store.operator(app.operator())? {
        Some(operator) => allowed(&operator),
        None => Err(Refusal::NotAnOperator),
    };
    if let Err(refusal) = verdict {
        // Best effort: a read-only database cannot record it.
        let _ = store.record_refusal(app.actor(), command, &refusal.audit_detail());
        bail!(refusal.explain(app.operator(), command));
    }
    Ok(store)
}

/// Checks that every argument looks like a key ID, before any database work.
pub fn check_ids(ids: &[String]) -> Result<()> {
    if let Some(bad) = ids.iter().find(|id| !token::is_id(id)) {
        if bad.starts_with(token::PREFIX) {
            bail!(
                "\"{}\" looks like a whole key, not an ID; never put a key on the command line — pipe it on stdin instead",
                crate::output::sanitize(&bad[..bad.len().min(16)])
            );
        }
        bail!(
            "\"{}\" is not a key ID (IDs are {} letters and digits, as shown by `intergiro-keys list`)",
            crate::output::sanitize(bad),
            token::ID_LEN
        );
    }
    Ok(())
}

/// Reads a presented key from `key_file`, or stdin (on a terminal: asks for
/// it without echo), and parses it. Never reads more than a few KiB.
pub fn read_key(app: &App, key_file: Option<&Path>) -> Result<Result<Token, Malformed>> {
    let bytes = match key_file {
        Some(path) => {
            let file = File::open(path)
                .with_context(|| format!("cannot read the key file {}", path.display()))?;
            read_limited(file)
                .with_context(|| format!("cannot read the key file {}", path.display()))?
        }
        None if std::io::stdin().is_terminal() => {
            if !app.interactive {
                bail!(
                    "the key is read from stdin: pipe it in, e.g. `intergiro-keys verify < key.txt`"
                );
            }
            Some(Zeroizing::new(
                crate::prompt::key_text()?.as_bytes().to_vec(),
            ))
        }
        None => read_limited(std::io::stdin().lock()).context("cannot read the key from stdin")?,
    };
    let Some(bytes) = bytes else {
        return Ok(Err(Malformed::Length));
    };
    match std::str::from_utf8(&bytes) {
        Ok(text) => Ok(Token::parse(text)),
        Err(_) => Ok(Err(Malformed::Characters)),
    }
}

/// At most `MAX_KEY_INPUT` bytes, or None when there is more.
fn read_limited(reader: impl Read) -> std::io::Result<Option<Zeroizing<Vec<u8>>>> {
    // Sized up front so that no reallocation leaves a copy of the key behind.
    let mut bytes = Zeroizing::new(Vec::with_capacity(MAX_KEY_INPUT as usize + 1));
    reader.take(MAX_KEY_INPUT + 1).read_to_end(&mut bytes)?;
    Ok((bytes.len() as u64 <= MAX_KEY_INPUT).then_some(bytes))
}
