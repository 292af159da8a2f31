//! Text for people: dates, durations, status words, and text from the store
//! made safe for a terminal.

use std::borrow::Cow;
use std::fmt::Write;

use chrono::{DateTime, SecondsFormat, Utc};

use crate::key::Status;

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

/// An audit entry's detail for people: the times it records as RFC 3339
/// (`freezes at 2026-04-01T12:00:00Z`, `retires at …`) written as
/// `human_time` writes them. The stored detail, which the audit chain covers
/// and JSON shows, keeps RFC 3339.
pub fn human_detail(detail: &str) -> Cow<'_, str> {
    const PHRASES: [&str; 2] = ["freezes at ", "retires at "];
    const RFC3339_LEN: usize = "2026-04-01T12:00:00Z".len();
    let mut text = String::new();
    let mut rest = detail;
    while let Some((start, phrase)) = PHRASES
        .iter()
        .filter_map(|phrase| rest.find(phrase).map(|start| (start, phrase)))
        .min()
    {
        let time_at = start + phrase.len();
        let time = rest
            .get(time_at..time_at + RFC3339_LEN)
            .filter(|time| time.ends_with('Z'))
            .and_then(|time| DateTime::parse_from_rfc3339(time).ok());
        let end = if time.is_some() {
            time_at + RFC3339_LEN
        } else {
            time_at
        };
        text.push_str(&rest[..time_at]);
        if let Some(time) = time {
            text.push_str(&human_time(time.with_timezone(&Utc)));
        }
        rest = &rest[end..];
    }
    if text.is_empty() {
        return Cow::Borrowed(detail);
    }
    text.push_str(rest);
    Cow::Owned(text)
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

/// "3 days", "1 day", "freezes today", "froze today", "frozen 2 days ago"
/// for a key with `days` left (see `key::days_left`) that is or is not
/// `frozen` yet.
pub fn human_days_left(days: i64, frozen: bool) -> String {
    match days {
        0 if frozen => "froze today".to_string(),
        0 => "freezes today".to_string(),
        1 => "1 day".to_string(),
        d if d > 0 => format!("{d} days"),
        -1 => "frozen 1 day ago".to_string(),
        d => format!("frozen {} days ago", -d),
    }
}

/// How long ago a key was last used: `never`, `just now`, `40 minutes ago`,
/// `5 hours ago`, `3 days ago`.
pub fn human_last_used(last_used_at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> String {
    let mut text = String::new();
    push_last_used(&mut text, last_used_at, now);
    text
}

/// `human_last_used` appended to `out`.
pub fn push_last_used(out: &mut String, last_used_at: Option<DateTime<Utc>>, now: DateTime<Utc>) {
    let Some(last) = last_used_at else {
        return out.push_str("never");
    };
    let ago = now - last;
    let (n, unit) = if ago.num_minutes() < 1 {
        return out.push_str("just now");
    } else if ago.num_hours() < 1 {
        (ago.num_minutes(), "minute")
    } else if ago.num_hours() < 48 {
        (ago.num_hours(), "hour")
    } else {
        (ago.num_days(), "day")
    };
    let plural = if n == 1 { "" } else { "s" };
    // Writing to a String cannot fail.
    let _ = write!(out, "{n} {unit}{plural} ago");
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

/// `text` with each line broken at spaces so that none is wider than
/// `width` columns, for sentences on a narrow terminal (a word wider than
/// that keeps a line of its own).
pub fn wrap(text: &str, width: usize) -> String {
    use unicode_width::UnicodeWidthStr;
    let mut wrapped = String::with_capacity(text.len() + 8);
    for (index, line) in text.split('\n').enumerate() {
        if index > 0 {
            wrapped.push('\n');
        }
        let mut used = 0;
        for word in line.split(' ') {
            let w = word.width();
            if used > 0 && used + 1 + w > width {
                wrapped.push('\n');
                used = 0;
            } else if used > 0 {
                wrapped.push(' ');
                used += 1;
            }
            wrapped.push_str(word);
            used += w;
        }
    }
    wrapped
}

/// The status word, with a marker that survives without colour.
pub fn status_label(status: Status) -> &'static str {
    match status {
        Status::Active => "active",
        Status::Expiring => "! expiring",
        Status::Frozen => "!! frozen",
        Status::Unissued => "? unissued",
        Status::Retiring => "~ retiring",
        Status::Retired => "retired",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};

    #[test]
    fn recorded_times_in_a_detail_read_as_the_rest_of_the_screen() {
        assert_eq!(
            human_detail("replaced by 3hT9kQ2mXa7B; retires at 2026-01-02T13:00:00Z"),
            "replaced by 3hT9kQ2mXa7B; retires at 2026-01-02 13:00 UTC"
        );
        assert_eq!(
            human_detail("freezes at 2026-04-01T12:05:00Z"),
            "freezes at 2026-04-01 12:05 UTC"
        );
        assert_eq!(
            human_detail("freezes at 2026-04-01T12:05:00Z; retires at 2026-01-02T13:00:00Z!"),
            "freezes at 2026-04-01 12:05 UTC; retires at 2026-01-02 13:00 UTC!"
        );
        // Anything else is left as it is.
        for detail in [
            "roles payments; replaces 3hT9kQ2mXa7B",
            "retires at soon",
            "retires at 2026-01-02T13:00:00+01:00",
            "freezes at 2026-13-02T13:00:00Z",
            "retires at 2026-01-02T13:00",
            "retires at ",
            "é retires at é",
        ] {
            assert_eq!(human_detail(detail), detail);
        }
    }

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
    fn last_use_reads_naturally() {
        let now = Utc.with_ymd_and_hms(2026, 1, 10, 0, 0, 0).unwrap();
        let ago = |d: Duration| human_last_used(Some(now - d), now);
        assert_eq!(human_last_used(None, now), "never");
        assert_eq!(ago(Duration::seconds(30)), "just now");
        assert_eq!(ago(Duration::minutes(1)), "1 minute ago");
        assert_eq!(ago(Duration::minutes(59)), "59 minutes ago");
        assert_eq!(ago(Duration::hours(1)), "1 hour ago");
        assert_eq!(ago(Duration::hours(47)), "47 hours ago");
        assert_eq!(ago(Duration::days(3)), "3 days ago");
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

    #[test]
    fn days_left_reads_naturally() {
        assert_eq!(human_days_left(3, false), "3 days");
        assert_eq!(human_days_left(1, false), "1 day");
        assert_eq!(human_days_left(0, false), "freezes today");
        assert_eq!(human_days_left(0, true), "froze today");
        assert_eq!(human_days_left(-1, true), "frozen 1 day ago");
        assert_eq!(human_days_left(-2, true), "frozen 2 days ago");
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

    #[test]
    fn sentences_wrap_at_spaces_to_the_width() {
        let text = "1 key is frozen and 2 keys freeze within 14 days.\nSee them.";
        assert_eq!(
            wrap(text, 40),
            "1 key is frozen and 2 keys freeze within\n14 days.\nSee them."
        );
        assert_eq!(wrap(text, 200), text);
        assert_eq!(wrap("a-very-long-word b", 5), "a-very-long-word\nb");
    }
}
