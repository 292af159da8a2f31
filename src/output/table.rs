//! Tables and records of keys for people, drawn by comfy-table or streamed.

use std::fmt::Write;

use chrono::{DateTime, Utc};
use comfy_table::{Attribute, Cell, Color, ContentArrangement, Table, presets};

use super::{
    Columns, RowColor, human_days_left, human_last_used, human_time, push_last_used,
    push_table_time, sanitize, status_label,
};
use crate::key::{ApiKey, Status};

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::key::{Role, Roles};
    use chrono::{Duration, TimeZone};

    fn key(name: &str, created: DateTime<Utc>) -> ApiKey {
        crate::key::issued_test_key(name, Roles::new([Role::Payments]), created)
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
}
