//! Rendering for people (comfy-table, sentences) and scripts (JSON).
//! No database access here.

mod stream;

pub use stream::{Columns, JsonArray, RowColor};

use std::borrow::Cow;
use std::io::Write;

use anyhow::Result;
use chrono::{DateTime, SecondsFormat, Utc};
use comfy_table::{Attribute, Cell, Color, ContentArrangement, Table, presets};
use serde::Serialize;

use crate::key::{ApiKey, Roles, Status};

/// A key as scripts see it: never a secret or a hash.
#[derive(Debug, Serialize)]
pub struct KeyJson<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub roles: &'a Roles,
    pub created_at: String,
    pub renewed_at: String,
    pub freezes_at: String,
    pub days_left: i64,
    pub status: Status,
    /// When a rotated key stops working; null for others.
    pub retires_at: Option<String>,
    /// The last use `verify` recorded (to 15 minutes); null: never used.
    pub last_used_at: Option<String>,
}

impl<'a> KeyJson<'a> {
    pub fn new(key: &'a ApiKey, now: DateTime<Utc>) -> Self {
        KeyJson {
            id: &key.id,
            name: &key.name,
            roles: &key.roles,
            created_at: rfc3339(key.created_at),
            renewed_at: rfc3339(key.renewed_at),
            freezes_at: rfc3339(key.freezes_at),
            days_left: key.days_left(now),
            status: key.status(now),
            retires_at: key.retires_at.map(rfc3339),
            last_used_at: key.last_used_at.map(rfc3339),
        }
    }
}

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

fn status_color(status: Status) -> Option<Color> {
    match status {
        Status::Active | Status::Retired => None,
        Status::Expiring => Some(Color::Yellow),
        Status::Retiring => Some(Color::Cyan),
        Status::Frozen | Status::Unissued => Some(Color::Red),
    }
}

/// How tables are drawn.
#[derive(Clone, Copy, Debug)]
pub struct Style {
    /// ANSI colours and bold headers.
    pub color: bool,
    /// Fit the table to the terminal's width (stdout is a terminal).
    pub fit_terminal: bool,
}

/// A plain table: no borders, so it reads like `ls -l` and greps cleanly.
pub fn table(style: Style, header: &[&str]) -> Table {
    let mut table = Table::new();
    table.load_style(presets::NOTHING);
    match terminal_width(&table).filter(|_| style.fit_terminal) {
        Some(width) => {
            table.set_width(width);
            table.set_content_arrangement(ContentArrangement::Dynamic);
        }
        None => {
            table.force_no_tty();
        }
    }
    if style.color {
        table.enforce_styling();
        table.set_header(
            header
                .iter()
                .map(|title| Cell::new(title).add_attribute(Attribute::Bold)),
        );
    } else {
        table.set_header(header.iter().copied());
    }
    table
}

/// The width to fit: `COLUMNS` when set (as shells and clap honour it),
/// else the terminal's; none when unknown or too narrow to wrap sensibly.
fn terminal_width(table: &Table) -> Option<u16> {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|columns| columns.trim().parse::<u16>().ok())
        .or_else(|| table.width())
        .filter(|&width| width >= 20)
}

/// Two spaces between columns and none at the edges, so lines carry no
/// trailing blanks.
fn tighten(table: &mut Table) {
    let last = table.column_count().saturating_sub(1);
    for (index, column) in table.column_iter_mut().enumerate() {
        column.set_padding((0, if index == last { 0 } else { 2 }));
    }
}

/// Renders a table built by `table`.
pub fn render(mut table: Table) -> String {
    tighten(&mut table);
    let lines: Vec<String> = table
        .lines()
        .map(|line| line.trim_end().to_string())
        .collect();
    lines.join("\n")
}

/// The `list` table's header.
pub const KEY_HEADER: [&str; 8] = [
    "ID",
    "NAME",
    "ROLES",
    "CREATED (UTC)",
    "FREEZES AT (UTC)",
    "DAYS LEFT",
    "LAST USED",
    "STATUS",
];

/// The cells of a key's row in the `list` table.
pub fn key_cells(key: &ApiKey, now: DateTime<Utc>) -> [String; 8] {
    let status = key.status(now);
    [
        // Whoever can write the file can write any text here.
        sanitize(&key.id).into_owned(),
        sanitize(&key.name).into_owned(),
        // ", " lets a narrow terminal wrap between roles.
        key.roles.to_string().replace(',', ", "),
        table_time(key.created_at),
        table_time(key.freezes_at),
        key.days_left(now).to_string(),
        human_last_used(key.last_used_at, now),
        match key.retires_at {
            Some(retires_at) if status == Status::Retiring => {
                format!("{} until {}", status_label(status), table_time(retires_at))
            }
            _ => status_label(status).to_string(),
        },
    ]
}

/// The streamed `list` table's columns: names and roles may be cut with `…`
/// on a narrow terminal; IDs and dates never are.
pub fn key_columns() -> Columns {
    Columns::new(&KEY_HEADER).shrinkable(1).shrinkable(2)
}

/// The colour of a key's row in a streamed table.
pub fn key_row_color(status: Status) -> Option<RowColor> {
    match status {
        Status::Active | Status::Retired => None,
        Status::Expiring => Some(RowColor::Yellow),
        Status::Retiring => Some(RowColor::Cyan),
        Status::Frozen | Status::Unissued => Some(RowColor::Red),
    }
}

/// The `list` table. Flagged rows are coloured (when `color`) and marked.
pub fn keys_table(keys: &[ApiKey], now: DateTime<Utc>, style: Style) -> Table {
    let mut table = table(style, &KEY_HEADER);
    for key in keys {
        let status = key.status(now);
        let color = status_color(status).filter(|_| style.color);
        table.add_row(key_cells(key, now).into_iter().map(|text| match color {
            Some(color) => Cell::new(text).fg(color),
            None => Cell::new(text),
        }));
    }
    // IDs, dates and numbers never wrap inside a cell; names and roles may.
    for index in [0, 3, 4, 5, 6, 7] {
        if let Some(column) = table.column_mut(index) {
            column.set_constraint(comfy_table::ColumnConstraint::ContentWidth);
        }
    }
    table
}

/// Whether `keys` are better shown as records (`key_records`) than as a
/// table on a screen `width` columns wide: when the table's columns, IDs and
/// dates kept whole, would leave names and roles too little room.
pub fn records_fit_better(keys: &[ApiKey], now: DateTime<Utc>, width: usize) -> bool {
    let mut widths = KEY_HEADER.map(|title| title.chars().count());
    for key in keys {
        for (widest, cell) in widths.iter_mut().zip(key_cells(key, now)) {
            *widest = (*widest).max(cell.chars().count());
        }
    }
    let table_width: usize = widths.iter().sum::<usize>() + 2 * (widths.len() - 1);
    // Names and roles wrapped into fewer than 12 columns each read badly.
    let fixed = table_width - widths[1] - widths[2];
    table_width > width && fixed + 2 * 12 > width
}

/// Keys as records, one field a line, for a terminal too narrow for the
/// table (a 60-column split pane, a phone's SSH client):
///
/// ```text
/// 8qX0VXifydhy  ci-deploy
///   roles       payments
///   created     2026-11-26 09:00 UTC
///   freezes at  2027-02-24 09:00 UTC (90 days)
///   last used   3 days ago
///   status      active
/// ```
pub fn key_records(keys: &[ApiKey], now: DateTime<Utc>, style: Style) -> String {
    let mut text = String::new();
    for (index, key) in keys.iter().enumerate() {
        if index > 0 {
            text.push('\n');
        }
        let status = key.status(now);
        let label = match key.retires_at {
            Some(retires_at) if status == Status::Retiring => {
                format!("{} until {}", status_label(status), human_time(retires_at))
            }
            _ => status_label(status).to_string(),
        };
        let status_text = match status_color(status).filter(|_| style.color) {
            Some(Color::Yellow) => format!("\x1b[33m{label}\x1b[0m"),
            Some(Color::Cyan) => format!("\x1b[36m{label}\x1b[0m"),
            Some(_) => format!("\x1b[31m{label}\x1b[0m"),
            None => label,
        };
        text.push_str(&format!(
            "{}  {}\n  roles       {}\n  created     {}\n  freezes at  {} ({})\n  last used   {}\n  status      {status_text}\n",
            sanitize(&key.id),
            sanitize(&key.name),
            key.roles,
            human_time(key.created_at),
            human_time(key.freezes_at),
            human_days_left(key.days_left(now), status == Status::Frozen),
            human_last_used(key.last_used_at, now),
        ));
    }
    text.trim_end().to_string()
}

/// The terminal's width: `COLUMNS` when set, else the terminal's size.
pub fn screen_width() -> Option<usize> {
    screen_size("COLUMNS", |(width, _)| width)
}

/// The terminal's height: `LINES` when set, else the terminal's size.
pub fn screen_height() -> Option<usize> {
    screen_size("LINES", |(_, height)| height)
}

fn screen_size(variable: &str, pick: fn((usize, usize)) -> usize) -> Option<usize> {
    std::env::var(variable)
        .ok()
        .and_then(|value| value.trim().parse::<usize>().ok())
        .or_else(|| {
            terminal_size::terminal_size()
                .map(|(width, height)| pick((usize::from(width.0), usize::from(height.0))))
        })
        .filter(|&size| size > 0)
}

/// Writes a value as pretty JSON and a newline to stdout.
pub fn print_json<T: Serialize + ?Sized>(value: &T) -> Result<()> {
    let mut stdout = std::io::stdout().lock();
    write_json(&mut stdout, value)?;
    stdout.flush()?;
    Ok(())
}

/// Writes a value as pretty JSON and a newline. Hidden characters (see
/// `is_hidden`) in strings are written as `\uXXXX` escapes: the same string
/// to a JSON parser, but nothing a terminal would act on when the JSON is
/// looked at.
pub fn write_json<W: Write, T: Serialize + ?Sized>(mut writer: W, value: &T) -> Result<()> {
    write_json_value(&mut writer, value)?;
    writeln!(writer)?;
    Ok(())
}

/// `write_json` without the newline.
fn write_json_value<W: Write, T: Serialize + ?Sized>(writer: W, value: &T) -> Result<()> {
    let mut serializer = serde_json::Serializer::with_formatter(
        writer,
        SafeFormatter(serde_json::ser::PrettyFormatter::new()),
    );
    value.serialize(&mut serializer).map_err(|err| {
        // serde_json hides the I/O error from the error chain; a closed pipe
        // must stay recognisable as one.
        if err.is_io() {
            anyhow::Error::new(std::io::Error::from(err))
        } else {
            anyhow::Error::new(err)
        }
    })
}

/// Stdout, locked and buffered, for output that streams row by row.
pub fn stdout() -> std::io::BufWriter<std::io::StdoutLock<'static>> {
    std::io::BufWriter::with_capacity(64 * 1024, std::io::stdout().lock())
}

/// serde_json's pretty layout, escaping hidden characters as well as the
/// ones JSON requires.
struct SafeFormatter(serde_json::ser::PrettyFormatter<'static>);

impl serde_json::ser::Formatter for SafeFormatter {
    fn write_string_fragment<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> std::io::Result<()> {
        let mut rest = fragment;
        while let Some((index, c)) = rest.char_indices().find(|&(_, c)| is_hidden(c)) {
            writer.write_all(&rest.as_bytes()[..index])?;
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                write!(writer, "\\u{unit:04x}")?;
            }
            rest = &rest[index + c.len_utf8()..];
        }
        writer.write_all(rest.as_bytes())
    }

    fn begin_array<W: ?Sized + Write>(&mut self, writer: &mut W) -> std::io::Result<()> {
        self.0.begin_array(writer)
    }

    fn end_array<W: ?Sized + Write>(&mut self, writer: &mut W) -> std::io::Result<()> {
        self.0.end_array(writer)
    }

    fn begin_array_value<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.0.begin_array_value(writer, first)
    }

    fn end_array_value<W: ?Sized + Write>(&mut self, writer: &mut W) -> std::io::Result<()> {
        self.0.end_array_value(writer)
    }

    fn begin_object<W: ?Sized + Write>(&mut self, writer: &mut W) -> std::io::Result<()> {
        self.0.begin_object(writer)
    }

    fn end_object<W: ?Sized + Write>(&mut self, writer: &mut W) -> std::io::Result<()> {
        self.0.end_object(writer)
    }

    fn begin_object_key<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.0.begin_object_key(writer, first)
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, writer: &mut W) -> std::io::Result<()> {
        self.0.begin_object_value(writer)
    }

    fn end_object_value<W: ?Sized + Write>(&mut self, writer: &mut W) -> std::io::Result<()> {
        self.0.end_object_value(writer)
    }
}

/// Writes text and a newline to stdout, reporting failures (a closed pipe
/// among them) instead of panicking as `println!` would.
pub fn print_line(text: impl std::fmt::Display) -> Result<()> {
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{text}")?;
    stdout.flush()?;
    Ok(())
}

/// A message for people on stderr; failures to write it are ignored.
pub fn note(text: impl std::fmt::Display) {
    let _ = writeln!(std::io::stderr().lock(), "{text}");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::key::Role;
    use chrono::{Duration, TimeZone};

    fn key(name: &str, created: DateTime<Utc>) -> ApiKey {
        crate::key::issued_test_key(name, Roles::new([Role::Payments]), created)
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
    fn json_escapes_hidden_characters_and_still_means_the_same() {
        let text = "x\u{1b}]0;t\u{7}\u{9b}\u{202e}\u{2028}\u{e0041}é";
        let mut bytes = Vec::new();
        write_json(&mut bytes, &serde_json::json!({ "name": text })).unwrap();
        let json = String::from_utf8(bytes).unwrap();
        assert!(!json.chars().any(|c| is_hidden(c) && c != '\n'), "{json:?}");
        assert!(
            json.contains("\\u202e") && json.contains("\\udb40\\udc41"),
            "{json}"
        );
        let parsed: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(parsed["name"], text);
        assert!(json.starts_with("{\n  \"name\": "), "{json}");
    }

    #[test]
    fn a_table_without_colour_has_no_escape_sequences_but_keeps_markers() {
        let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let now = t0 + Duration::days(80);
        let rendered = render(keys_table(
            &[key("evil\u{1b}[31m", t0)],
            now,
            Style {
                color: false,
                fit_terminal: false,
            },
        ));
        assert!(!rendered.contains('\u{1b}'), "{rendered:?}");
        assert!(rendered.contains("! expiring"), "{rendered}");
        assert!(rendered.contains("evil\\x1b[31m"), "{rendered}");
    }

    #[test]
    fn a_coloured_table_colours_flagged_rows() {
        let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let frozen = render(keys_table(
            &[key("k", t0)],
            t0 + Duration::days(91),
            Style {
                color: true,
                fit_terminal: false,
            },
        ));
        assert!(
            frozen.contains("\u{1b}[38;5;9m")
                || frozen.contains("\u{1b}[31m")
                || frozen.contains("\u{1b}[38;5;1m"),
            "{frozen:?}"
        );
        assert!(frozen.contains("!! frozen"));
    }

    #[test]
    fn json_of_a_key_has_no_secret_fields() {
        let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let k = key("k", t0);
        let value = serde_json::to_value(KeyJson::new(&k, t0)).unwrap();
        let fields: Vec<&str> = value
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            fields,
            [
                "created_at",
                "days_left",
                "freezes_at",
                "id",
                "last_used_at",
                "name",
                "renewed_at",
                "retires_at",
                "roles",
                "status"
            ]
        );
        assert_eq!(value["freezes_at"], "2026-04-01T00:00:00Z");
        assert_eq!(value["roles"], serde_json::json!(["payments"]));
        assert_eq!(value["status"], "active");
        assert_eq!(value["retires_at"], serde_json::Value::Null);
        assert_eq!(value["last_used_at"], serde_json::Value::Null);
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
