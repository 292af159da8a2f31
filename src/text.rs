//! The text rules of the domain, which every output obeys: how a time is
//! written (RFC 3339 for records and JSON, minutes for people), and which
//! characters of a name or stored text are hidden and how they are shown
//! escaped. No terminal, no store: `key`, `operator` and `audit` use these
//! as much as `output` does.

use std::borrow::Cow;
use std::fmt::Write;

use chrono::{DateTime, SecondsFormat, Utc};

/// RFC 3339 in UTC with a `Z`, to the second: `2026-11-26T20:17:00Z`.
pub fn rfc3339(time: DateTime<Utc>) -> String {
    match digits(time, b'T') {
        Some(digits) => {
            let mut text = String::with_capacity(20);
            text.push_str(&digits);
            text.push('Z');
            text
        }
        None => time.to_rfc3339_opts(SecondsFormat::Secs, true),
    }
}

/// `rfc3339` appended to `out`.
pub fn write_rfc3339(out: &mut Vec<u8>, time: DateTime<Utc>) {
    match digits(time, b'T') {
        Some(digits) => {
            out.extend_from_slice(digits.as_bytes());
            out.push(b'Z');
        }
        None => out.extend_from_slice(time.to_rfc3339_opts(SecondsFormat::Secs, true).as_bytes()),
    }
}

/// A time for people: `2026-11-26 20:17 UTC`.
pub fn human_time(time: DateTime<Utc>) -> String {
    time.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// A time in a table whose header says UTC: `2026-11-26 20:17`.
pub fn table_time(time: DateTime<Utc>) -> String {
    let mut text = String::with_capacity(16);
    push_table_time(&mut text, time);
    text
}

/// `table_time` appended to `out`.
pub fn push_table_time(out: &mut String, time: DateTime<Utc>) {
    match digits(time, b' ') {
        Some(digits) => out.push_str(&digits[..16]),
        None => {
            // Writing to a String cannot fail.
            let _ = write!(out, "{}", time.format("%Y-%m-%d %H:%M"));
        }
    }
}

/// `YYYY-MM-DD?HH:MM:SS` with `separator` for `?`, written digit by digit:
/// a large listing formats hundreds of thousands of dates, and `format!`
/// costs many times more. None outside the years 0 to 9999, which need
/// chrono's signs and extra digits.
fn digits(time: DateTime<Utc>, separator: u8) -> Option<Digits> {
    use chrono::{Datelike, Timelike};
    let year = u32::try_from(time.year())
        .ok()
        .filter(|&year| year <= 9999)?;
    let mut text = *b"0000-00-00 00:00:00";
    text[10] = separator;
    for (at, value) in [
        (0, year / 100),
        (2, year % 100),
        (5, time.month()),
        (8, time.day()),
        (11, time.hour()),
        (14, time.minute()),
        (17, time.second()),
    ] {
        text[at] = b'0' + (value / 10) as u8;
        text[at + 1] = b'0' + (value % 10) as u8;
    }
    Some(Digits(text))
}

/// The text `digits` writes: ASCII digits and marks only (the separator
/// is ASCII too).
struct Digits([u8; 19]);

impl std::ops::Deref for Digits {
    type Target = str;

    fn deref(&self) -> &str {
        // Only ASCII is ever written, so this never falls back.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }
}

/// Whether a character acts on the text around it or is invisible instead
/// of being a visible character: controls (escape sequences, carriage
/// returns), format characters (bidi overrides such as U+202E, zero-width
/// spaces) and line or paragraph separators.
pub fn is_hidden(c: char) -> bool {
    use unicode_general_category::{GeneralCategory, get_general_category};
    // ASCII has no format or separator characters: skip the table lookup
    // for the text of nearly every name and date.
    if c.is_ascii() {
        return c.is_ascii_control();
    }
    c.is_control()
        || matches!(
            get_general_category(c),
            GeneralCategory::Format
                | GeneralCategory::LineSeparator
                | GeneralCategory::ParagraphSeparator
        )
}

/// Text from a user or the database made safe for a terminal: hidden
/// characters (see `is_hidden`) are shown escaped instead of acting. The
/// database may have been written by anyone who can write the file.
pub fn sanitize(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_hidden) {
        return Cow::Borrowed(text);
    }
    let mut safe = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => safe.push_str("\\n"),
            '\r' => safe.push_str("\\r"),
            '\t' => safe.push_str("\\t"),
            c if (c as u32) < 0x100 && is_hidden(c) => {
                safe.push_str(&format!("\\x{:02x}", c as u32));
            }
            c if is_hidden(c) => safe.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => safe.push(c),
        }
    }
    Cow::Owned(safe)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(sanitize("plain name"), "plain name");
        assert_eq!(sanitize("a\u{1b}[31mred"), "a\\x1b[31mred");
        assert_eq!(sanitize("line\nbreak\r"), "line\\nbreak\\r");
        assert_eq!(sanitize("\u{9b}csi"), "\\x9bcsi");
        assert_eq!(sanitize("é ü Ω"), "é ü Ω");
    }

    #[test]
    fn bidi_overrides_zero_width_and_separators_are_escaped() {
        assert_eq!(sanitize("pay\u{202e}lanoitan"), "pay\\u{202e}lanoitan");
        assert_eq!(sanitize("a\u{200b}b\u{feff}"), "a\\u{200b}b\\u{feff}");
        assert_eq!(sanitize("a\u{2028}b\u{2029}"), "a\\u{2028}b\\u{2029}");
        assert_eq!(sanitize("tag\u{e0041}"), "tag\\u{e0041}");
        // Ordinary spaces and letters of every script stay as they are.
        assert_eq!(sanitize("Zahlungen für Ω 日本"), "Zahlungen für Ω 日本");
    }

    #[test]
    fn the_ascii_shortcut_agrees_with_the_categories() {
        use unicode_general_category::{GeneralCategory, get_general_category};
        for c in (0u8..=127).map(char::from) {
            let by_category = c.is_control()
                || matches!(
                    get_general_category(c),
                    GeneralCategory::Format
                        | GeneralCategory::LineSeparator
                        | GeneralCategory::ParagraphSeparator
                );
            assert_eq!(is_hidden(c), by_category, "{c:?}");
        }
    }

    #[test]
    fn hand_written_dates_are_chronos() {
        for secs in [
            0,
            1_767_268_800,
            253_402_300_799,
            -62_167_219_200,
            300_000_000_000,
        ] {
            let time = DateTime::from_timestamp(secs, 0).unwrap();
            assert_eq!(
                rfc3339(time),
                time.to_rfc3339_opts(SecondsFormat::Secs, true)
            );
            assert_eq!(table_time(time), time.format("%Y-%m-%d %H:%M").to_string());
            let mut written = Vec::new();
            write_rfc3339(&mut written, time);
            assert_eq!(written, rfc3339(time).as_bytes());
        }
    }

    proptest::proptest! {
        #[test]
        fn hand_written_dates_are_chronos_anywhere(secs in -70_000_000_000i64..300_000_000_000) {
            let time = DateTime::from_timestamp(secs, 0).unwrap();
            proptest::prop_assert_eq!(
                rfc3339(time),
                time.to_rfc3339_opts(SecondsFormat::Secs, true)
            );
            proptest::prop_assert_eq!(table_time(time), time.format("%Y-%m-%d %H:%M").to_string());
        }
    }
}
