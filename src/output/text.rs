//! Text for people: durations, status words, sentences fitted to the
//! terminal. The rules every output shares (times, text made safe for a
//! terminal) are the domain's, in `crate::text`; re-exported here so that
//! commands print through one module.

use std::borrow::Cow;
use std::fmt::Write;

use chrono::{DateTime, Utc};

use crate::key::Status;
pub use crate::text::{
    human_time, is_hidden, push_table_time, rfc3339, sanitize, table_time, write_rfc3339,
};

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
    fn days_left_reads_naturally() {
        assert_eq!(human_days_left(3, false), "3 days");
        assert_eq!(human_days_left(1, false), "1 day");
        assert_eq!(human_days_left(0, false), "freezes today");
        assert_eq!(human_days_left(0, true), "froze today");
        assert_eq!(human_days_left(-1, true), "frozen 1 day ago");
        assert_eq!(human_days_left(-2, true), "frozen 2 days ago");
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
