//! One module per subcommand: gather input, call the domain and the store,
//! print.

pub mod create;
pub mod delete;
pub mod list;
pub mod renew;
pub mod verify;

use std::io::{IsTerminal, Read};

use anyhow::{Context, Result, bail};
use zeroize::Zeroizing;

use crate::App;
use crate::token::{self, Malformed, Token};

/// The most bytes read from stdin when a key is expected; a key is 66.
const MAX_KEY_INPUT: u64 = 4096;

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

/// Reads a presented key from stdin (or, on a terminal, asks for it without
/// echo) and parses it. Never reads more than a few KiB.
pub fn read_key(app: &App) -> Result<Result<Token, Malformed>> {
    let text = if std::io::stdin().is_terminal() {
        if !app.interactive {
            bail!("the key is read from stdin: pipe it in, e.g. `intergiro-keys verify < key.txt`");
        }
        crate::prompt::key_text()?
    } else {
        let mut bytes = Zeroizing::new(Vec::with_capacity(128));
        std::io::stdin()
            .lock()
            .take(MAX_KEY_INPUT + 1)
            .read_to_end(&mut bytes)
            .context("cannot read the key from stdin")?;
        if bytes.len() as u64 > MAX_KEY_INPUT {
            return Ok(Err(Malformed::Length));
        }
        match std::str::from_utf8(&bytes) {
            Ok(text) => Zeroizing::new(text.to_string()),
            Err(_) => return Ok(Err(Malformed::Characters)),
        }
    };
    Ok(Token::parse(&text))
}
