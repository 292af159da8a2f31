//! Reading a presented key from a file, stdin or the terminal.

use std::fs::File;
use std::io::IsTerminal;
use std::path::Path;

use anyhow::{Context, Result, bail};

use crate::App;
use crate::process::read_secret_line;
use crate::token::{Malformed, Token};

/// The most bytes read from stdin when a key is expected; a key is 66.
const MAX_KEY_INPUT: usize = 4096;

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
            (crate::prompt::key_text(MAX_KEY_INPUT)?, "the prompt")
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
