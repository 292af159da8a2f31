//! Text for people: dates, durations, status words, and text from the store
//! made safe for a terminal.

use std::borrow::Cow;

use chrono::{DateTime, SecondsFormat, Utc};

use crate::key::Status;

/// RFC 3339 in UTC with a `Z`, to the second: `2026-11-26T20:17:00Z`.
pub fn rfc3339(time: DateTime<Utc>) -> String {
    use chrono::{Datelike, Timelike};
    // Written by hand: a large listing formats hundreds of thousands of
    // dates, and chrono's general formatter costs several times more.
    match time.year() {
        0..=9999 => format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
            time.year(),
            time.month(),
            time.day(),
            time.hour(),
            time.minute(),
            time.second()
        ),
        _ => time.to_rfc3339_opts(SecondsFormat::Secs, true),
    }
}

/// A time for people: `2026-11-26 20:17 UTC`.
pub fn human_time(time: DateTime<Utc>) -> String {
    time.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// A time in a table whose header says UTC: `2026-11-26 20:17`.
pub fn table_time(time: DateTime<Utc>) -> String {
    use chrono::{Datelike, Timelike};
    match time.year() {
        0..=9999 => format!(
            "{:04}-{:02}-{:02} {:02}:{:02}",
            time.year(),
            time.month(),
            time.day(),
            time.hour(),
            time.minute()
        ),
        _ => time.format("%Y-%m-%d %H:%M").to_string(),
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
    let Some(last) = last_used_at else {
        return "never".to_string();
    };
    let ago = now - last;
    let (n, unit) = if ago.num_minutes() < 1 {
        return "just now".to_string();
    } else if ago.num_hours() < 1 {
        (ago.num_minutes(), "minute")
    } else if ago.num_hours() < 48 {
        (ago.num_hours(), "hour")
    } else {
        (ago.num_days(), "day")
    };
    let plural = if n == 1 { "" } else { "s" };
    format!("{n} {unit}{plural} ago")
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
}
