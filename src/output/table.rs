//! Tables and records of keys for people, drawn by comfy-table or streamed.

use std::fmt::Write;

use chrono::{DateTime, Utc};
use comfy_table::{Attribute, Cell, ContentArrangement, Table, presets};

use super::{Columns, RowColor, push_last_used, push_table_time, sanitize, status_label};
use crate::key::{ApiKey, Status};

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

/// Writes a short table held whole: its header (even with no rows) and
/// rows, fitted to the terminal's width when `style` says so.
pub fn write_fitted<R: AsRef<[String]>>(
    out: &mut impl std::io::Write,
    style: Style,
    mut columns: Columns,
    rows: &[R],
) -> anyhow::Result<()> {
    for row in rows {
        columns.measure(row.as_ref());
    }
    if style.fit_terminal
        && let Some(width) = super::screen_width()
    {
        columns.fit(width);
    }
    columns.write_header(out, style.color)?;
    for row in rows {
        columns.write_row(out, row.as_ref(), None)?;
    }
    Ok(())
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
    let mut cells = KeyCells::default();
    cells.fill(key, now);
    cells.0
}

/// `key_cells` refilled row after row, so that a long listing allocates
/// nothing per row.
#[derive(Debug, Default)]
pub struct KeyCells([String; 8]);

impl KeyCells {
    /// The cells of `key`'s row.
    pub fn fill(&mut self, key: &ApiKey, now: DateTime<Utc>) -> &[String; 8] {
        for cell in &mut self.0 {
            cell.clear();
        }
        let [
            id,
            name,
            roles,
            created,
            freezes,
            days,
            last_used,
            status_cell,
        ] = &mut self.0;
        // Whoever can write the file can write any text here.
        id.push_str(&sanitize(&key.id));
        name.push_str(&sanitize(&key.name));
        // ", " lets a narrow terminal wrap between roles.
        for (index, role) in key.roles.iter().enumerate() {
            if index > 0 {
                roles.push_str(", ");
            }
            roles.push_str(role.as_str());
        }
        push_table_time(created, key.created_at);
        push_table_time(freezes, key.freezes_at);
        // Writing to a String cannot fail.
        let _ = write!(days, "{}", key.days_left(now));
        push_last_used(last_used, key.last_used_at, now);
        let status = key.status(now);
        status_cell.push_str(status_label(status));
        if let Some(retires_at) = key.retires_at.filter(|_| status == Status::Retiring) {
            status_cell.push_str(" until ");
            push_table_time(status_cell, retires_at);
        }
        &self.0
    }
}

/// The widest status without its date: "~ retiring", "? unissued".
pub const KEY_STATUS_WIDTH: usize = 10;

/// The `list` table's columns. On a terminal narrower than the table they
/// give way in this order, each step taken only while the table is still
/// too wide (docs/terminal-width.md):
///
/// 1. names and roles are cut to 16 columns (with `…`);
/// 2. CREATED goes, then 3. LAST USED;
/// 4. a retiring key's status loses its "until" date (`show` has it);
/// 5. DAYS LEFT goes;
/// 6. names and roles are cut to 8 columns;
/// 7. ROLES goes, then 8. FREEZES AT.
///
/// ID, NAME and STATUS always stay, and IDs and dates are never cut: the
/// table fits any terminal 40 columns wide or more.
pub fn key_columns() -> Columns {
    use super::Fit::{Drop, Narrow, Shorten};
    Columns::new(&KEY_HEADER)
        .shrinkable(1)
        .shrinkable(2)
        .short_at(7, " until ")
        .plan(&[
            Narrow(16),
            Drop(3),
            Drop(6),
            Shorten(7),
            Drop(5),
            Narrow(8),
            Drop(2),
            Drop(4),
        ])
}

/// The `audit` table's columns, giving way in this order: OPERATOR, ACTION
/// and DETAIL are cut to 24 columns; `#` goes; they are cut to 8; then
/// OPERATOR, OUTCOME and DETAIL go. The time and the key's ID stay whole.
pub fn audit_columns() -> Columns {
    use super::Fit::{Drop, Narrow};
    Columns::new(&[
        "#", "AT (UTC)", "OPERATOR", "ACTION", "KEY", "OUTCOME", "DETAIL",
    ])
    .shrinkable(2)
    .shrinkable(3)
    .shrinkable(6)
    .plan(&[Narrow(24), Drop(0), Narrow(8), Drop(2), Drop(5), Drop(6)])
}

/// A key's history in `show`: `audit`'s columns but the key's, giving way
/// in the same order: OPERATOR, ACTION and DETAIL cut to 24; `#` goes; they
/// are cut to 8; OUTCOME goes, then OPERATOR.
pub fn history_columns() -> Columns {
    use super::Fit::{Drop, Narrow};
    Columns::new(&["#", "AT (UTC)", "OPERATOR", "ACTION", "OUTCOME", "DETAIL"])
        .shrinkable(2)
        .shrinkable(3)
        .shrinkable(5)
        .plan(&[Narrow(24), Drop(0), Narrow(8), Drop(4), Drop(2)])
}

/// The `users list` table's columns: every one may be cut to 8.
pub fn operator_columns() -> Columns {
    Columns::new(&["OPERATOR", "PERMISSIONS", "KEY ROLES"])
        .shrinkable(0)
        .shrinkable(1)
        .shrinkable(2)
}

/// The `renew` table's columns: the name is cut to 16, the old freeze date
/// goes, the name is cut to 8, then goes: the ID and the new date stay.
pub fn renewal_columns() -> Columns {
    use super::Fit::{Drop, Narrow};
    Columns::new(&[
        "ID",
        "NAME",
        "WAS FREEZING AT (UTC)",
        "NOW FREEZES AT (UTC)",
    ])
    .shrinkable(1)
    .plan(&[Narrow(16), Drop(2), Narrow(8), Drop(1)])
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::key::{Role, Roles};
    use chrono::{Duration, TimeZone};
    use unicode_width::UnicodeWidthStr;

    fn key(name: &str, created: DateTime<Utc>) -> ApiKey {
        crate::key::issued_test_key(name, Roles::new([Role::Payments]), created)
    }

    /// The table of `keys` fitted to `width` (or not fitted), as written.
    fn lines(keys: &[ApiKey], now: DateTime<Utc>, width: Option<usize>) -> String {
        let mut columns = key_columns();
        for key in keys {
            columns.measure(&key_cells(key, now));
        }
        if let Some(width) = width {
            columns.fit(width);
        }
        let mut out = Vec::new();
        columns.write_header(&mut out, false).unwrap();
        for key in keys {
            columns
                .write_row(&mut out, &key_cells(key, now), None)
                .unwrap();
        }
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn names_and_stored_text_keep_their_escapes_and_markers() {
        let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let rendered = lines(&[key("evil\u{1b}[31m", t0)], t0 + Duration::days(80), None);
        assert!(!rendered.contains('\u{1b}'), "{rendered:?}");
        assert!(rendered.contains("! expiring"), "{rendered}");
        assert!(rendered.contains("evil\\x1b[31m"), "{rendered}");
    }

    #[test]
    fn columns_give_way_in_their_order_and_ids_and_dates_are_never_cut() {
        let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let keys = [
            key("a-rather-long-name-for-the-nightly-export", t0),
            key("short", t0),
        ];
        let now = t0 + Duration::days(1);
        let header = |width: usize| {
            let text = lines(&keys, now, Some(width));
            for line in text.lines() {
                assert!(line.width() <= width, "{width}: {line:?}");
            }
            for key in &keys {
                assert!(text.contains(&key.id), "{width}: {text}");
            }
            text.lines().next().unwrap().to_string()
        };
        let all = header(200);
        assert!(
            all.contains("CREATED") && all.contains("LAST USED"),
            "{all}"
        );
        let mut seen = Vec::new();
        for width in (40..200).rev() {
            let titles = header(width);
            // Once a column has gone it stays gone at narrower widths.
            for title in &seen {
                assert!(!titles.contains(title), "{width}: {title} is back");
            }
            for title in ["CREATED", "LAST USED", "DAYS LEFT", "ROLES", "FREEZES AT"] {
                if !titles.contains(title) && !seen.contains(&title) {
                    seen.push(title);
                }
            }
            assert!(
                titles.starts_with("ID") && titles.contains("NAME") && titles.contains("STATUS")
            );
        }
        assert_eq!(
            seen,
            ["CREATED", "LAST USED", "DAYS LEFT", "ROLES", "FREEZES AT"]
        );
    }
}
