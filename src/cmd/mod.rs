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
use std::io::IsTerminal;
use std::path::Path;

use anyhow::{Context, Result, bail};
use zeroize::Zeroizing;

use crate::App;
use crate::operator::{Operator, Refusal};
use crate::process::read_secret_line;
use crate::store::{Open, Store};
use crate::token::{self, Malformed, Token};

/// The most bytes read from stdin when a key is expected; a key is 66.
const MAX_KEY_INPUT: usize = 4096;

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
/// it without echo), and parses it. Reads one line, never more than a few
/// KiB, and does not wait for the end of the input. No key at all is an
/// error (exit 2), not a rejected key: an unset variable in a CI script is
/// not a wrong key.
pub fn read_key(app: &App, key_file: Option<&Path>) -> Result<Result<Token, Malformed>> {
    let (bytes, source) = match key_file {
        Some(path) => {
            let read = File::open(path).and_then(|file| read_secret_line(&file, MAX_KEY_INPUT));
            let bytes =
                read.with_context(|| format!("cannot read the key file {}", path.display()))?;
            (bytes, "the key file")
        }
        None if std::io::stdin().is_terminal() => {
            if !app.interactive {
                bail!(
                    "the key is read from stdin: pipe it in, e.g. `intergiro-keys verify < key.txt`"
                );
            }
            let text = crate::prompt::key_text()?;
            (Some(Zeroizing::new(text.as_bytes().to_vec())), "the prompt")
        }
        None => {
            let bytes = read_secret_line(std::io::stdin(), MAX_KEY_INPUT)
                .context("cannot read the key from stdin")?;
            (bytes, "stdin")
        }
    };
    let Some(bytes) = bytes else {
        return Ok(Err(Malformed::Length));
    };
    if bytes.iter().all(u8::is_ascii_whitespace) {
        bail!(
            "no key given: {source} was empty; pass the key on stdin (is the variable that should hold it set?)"
        );
    }
    match std::str::from_utf8(&bytes) {
        Ok(text) => Ok(Token::parse(text)),
        Err(_) => Ok(Err(Malformed::Characters)),
    }
}
