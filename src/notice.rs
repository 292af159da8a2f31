//! The notice about keys near their freeze, shown to people at a terminal
//! after a command, as the portal shows its notifications. Never in scripts,
//! never with JSON. The command gathers the facts; this only words them.

use crate::App;
use crate::cli::Format;
use crate::key::EXPIRING_WITHIN_DAYS;
use crate::output;

/// Whether this run has a person to tell: a terminal, and tables rather
/// than JSON. The command asks before it gathers the notice's facts.
pub fn wanted(app: &App) -> bool {
    app.interactive && app.format == Format::Table
}

/// Prints the notice on stderr for `frozen` and `expiring` keys, the facts
/// the command gathered, when there is something to say.
pub fn expiring_keys(frozen: u64, expiring: u64) {
    if let Some(text) = message(frozen, expiring) {
        match output::screen_width() {
            Some(width) => output::note(output::wrap(&text, width)),
            None => output::note(text),
        }
    }
}

/// "1 key is frozen and 2 keys freeze within 14 days." and the command that
/// lists them, on a line of its own.
pub fn message(frozen: u64, expiring: u64) -> Option<String> {
    let keys = |n: u64| {
        if n == 1 {
            "1 key".to_string()
        } else {
            format!("{n} keys")
        }
    };
    let frozen_part = match frozen {
        0 => None,
        1 => Some("1 key is frozen".to_string()),
        n => Some(format!("{n} keys are frozen")),
    };
    let expiring_part = match expiring {
        0 => None,
        1 => Some(format!("1 key freezes within {EXPIRING_WITHIN_DAYS} days")),
        n => Some(format!(
            "{} freeze within {EXPIRING_WITHIN_DAYS} days",
            keys(n)
        )),
    };
    let text = match (frozen_part, expiring_part) {
        (None, None) => return None,
        (Some(one), None) | (None, Some(one)) => one,
        (Some(frozen), Some(expiring)) => format!("{frozen} and {expiring}"),
    };
    // Two short lines: neither breaks on a narrow terminal.
    Some(format!(
        "{text}.\nSee them with `intergiro-keys list --expiring`."
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_notice_reads_naturally() {
        assert_eq!(message(0, 0), None);
        assert_eq!(
            message(0, 2).unwrap(),
            "2 keys freeze within 14 days.\nSee them with `intergiro-keys list --expiring`."
        );
        assert_eq!(
            message(1, 0).unwrap(),
            "1 key is frozen.\nSee them with `intergiro-keys list --expiring`."
        );
        assert_eq!(
            message(2, 1).unwrap(),
            "2 keys are frozen and 1 key freezes within 14 days.\nSee them with `intergiro-keys list --expiring`."
        );
    }
}
