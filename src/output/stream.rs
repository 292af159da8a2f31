//! Output that streams: rows are written as the store yields them, through a
//! buffered writer, and never collected, so memory does not grow with the
//! number of keys.

use std::borrow::Cow;
use std::io::Write;

use anyhow::Result;
use serde::Serialize;
use unicode_width::UnicodeWidthStr;

/// A JSON array written one element at a time, laid out exactly as the pretty
/// form of the whole array would be.
pub struct JsonArray<W: Write> {
    out: W,
    element: Vec<u8>,
    empty: bool,
}

impl<W: Write> JsonArray<W> {
    pub fn new(mut out: W) -> Result<Self> {
        out.write_all(b"[")?;
        Ok(JsonArray {
            out,
            element: Vec::with_capacity(512),
            empty: true,
        })
    }

    pub fn push<T: Serialize + ?Sized>(&mut self, item: &T) -> Result<()> {
        self.element.clear();
        super::json::write_json_value(&mut self.element, item)?;
        self.out
            .write_all(if self.empty { b"\n  " } else { b",\n  " })?;
        // One level deeper: every line of the element gets two more spaces.
        // JSON strings never hold a raw newline, so every newline is layout.
        for (index, line) in self.element.split(|&byte| byte == b'\n').enumerate() {
            if index > 0 {
                self.out.write_all(b"\n  ")?;
            }
            self.out.write_all(line)?;
        }
        self.empty = false;
        Ok(())
    }

    /// Appends an element that `write` lays out itself, exactly as `push`
    /// would: one level deep, without the separator before it.
    pub fn push_written(&mut self, write: impl FnOnce(&mut Vec<u8>) -> Result<()>) -> Result<()> {
        self.element.clear();
        self.element
            .extend_from_slice(if self.empty { b"\n  " } else { b",\n  " });
        write(&mut self.element)?;
        self.out.write_all(&self.element)?;
        self.empty = false;
        Ok(())
    }

    /// Closes the array and returns the writer, not yet flushed.
    pub fn finish(mut self) -> Result<W> {
        self.out
            .write_all(if self.empty { b"]\n" } else { b"\n]\n" })?;
        Ok(self.out)
    }
}

/// The colour of a row in a streamed table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RowColor {
    Yellow,
    Red,
    /// Retiring after a rotation.
    Cyan,
}

/// One step of fitting a table to a terminal narrower than it: a table's
/// steps are taken in their fixed order until its lines fit, so the least
/// important columns go first and the same width always gives the same
/// columns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fit {
    /// Cut the shrinkable columns to at most this many columns, with `…`.
    Narrow(usize),
    /// Leave column `index` out.
    Drop(usize),
    /// Show column `index`'s cells only up to their separator
    /// (`Columns::short_at`): "~ retiring until 2026-…" becomes "~ retiring".
    Shorten(usize),
}

/// A plain table (two spaces between columns, none at the edges, no
/// trailing blanks) written row by row. Column widths come from a first pass
/// over the same rows (`measure`), so no row is held. Fitted to a terminal
/// (`fit`), no line is wider than it: nothing wraps, IDs and dates are never
/// cut.
#[derive(Clone, Debug)]
pub struct Columns {
    header: Vec<&'static str>,
    widths: Vec<usize>,
    /// Columns that may be cut short with `…` to fit a terminal.
    shrinkable: Vec<bool>,
    /// Where a column's cells may be cut when `Fit::Shorten` is taken, and
    /// the widths of their parts before it.
    short_at: Vec<Option<&'static str>>,
    short_widths: Vec<usize>,
    plan: Vec<Fit>,
    shown: Vec<bool>,
    shortened: Vec<bool>,
    /// The width fitted to: the last column gets what is left of it.
    limit: Option<usize>,
    rows: u64,
}

impl Columns {
    pub fn new(header: &[&'static str]) -> Self {
        let widths: Vec<usize> = header.iter().map(|title| width(title)).collect();
        Columns {
            header: header.to_vec(),
            short_widths: widths.clone(),
            widths,
            shrinkable: vec![false; header.len()],
            short_at: vec![None; header.len()],
            plan: vec![Fit::Narrow(8)],
            shown: vec![true; header.len()],
            shortened: vec![false; header.len()],
            limit: None,
            rows: 0,
        }
    }

    /// Lets column `index` be cut short with `…` when the table is fitted.
    pub fn shrinkable(mut self, index: usize) -> Self {
        self.shrinkable[index] = true;
        self
    }

    /// Lets column `index`'s cells lose what follows `separator` when the
    /// table is fitted (`Fit::Shorten`, or no room left in the last column).
    pub fn short_at(mut self, index: usize, separator: &'static str) -> Self {
        self.short_at[index] = Some(separator);
        self
    }

    /// The steps `fit` takes, in order (by default: cut the shrinkable
    /// columns down to 8).
    pub fn plan(mut self, plan: &[Fit]) -> Self {
        self.plan = plan.to_vec();
        self
    }

    /// Widens the columns to hold `cells`.
    pub fn measure<S: AsRef<str>>(&mut self, cells: &[S]) {
        for (index, cell) in cells.iter().enumerate().take(self.widths.len()) {
            let cell = cell.as_ref();
            self.widths[index] = self.widths[index].max(width(cell));
            let short = self.short_at[index].map_or(cell, |separator| before(cell, separator));
            self.short_widths[index] = self.short_widths[index].max(width(short));
        }
        self.rows += 1;
    }

    /// Widens column `index` to `width`, for rows measured elsewhere (the
    /// widest short form of a column that has one stays as measured).
    pub fn widen(&mut self, index: usize, width: usize) {
        self.widths[index] = self.widths[index].max(width);
        if self.short_at[index].is_none() {
            self.short_widths[index] = self.short_widths[index].max(width);
        }
    }

    /// Widens column `index`'s short form (and so the column) to `width`,
    /// for rows measured elsewhere.
    pub fn measure_short(&mut self, index: usize, width: usize) {
        self.short_widths[index] = self.short_widths[index].max(width);
        self.widths[index] = self.widths[index].max(width);
    }

    /// Counts `rows` rows measured elsewhere.
    pub fn count(&mut self, rows: u64) {
        self.rows += rows;
    }

    /// How many rows were measured.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// Whether column `index` is shown (not dropped by `fit`).
    pub fn is_shown(&self, index: usize) -> bool {
        self.shown[index]
    }

    /// The width of column `index` as it stands, cut by at most `cap` when
    /// it may be.
    fn planned(&self, index: usize, cap: usize) -> usize {
        let natural = match self.shortened[index] {
            true => self.short_widths[index],
            false => self.widths[index],
        };
        match self.shrinkable[index] {
            true => natural.min(cap),
            false => natural,
        }
    }

    fn line_width(&self, cap: usize) -> usize {
        let shown = (0..self.widths.len()).filter(|&index| self.shown[index]);
        let (sum, count) = shown.fold((0usize, 0usize), |(sum, count), index| {
            (sum + self.planned(index, cap), count + 1)
        });
        sum + 2 * count.saturating_sub(1)
    }

    /// Fits the table to a terminal `width` columns wide: takes the plan's
    /// steps in order until a line fits, then gives the shrinkable columns
    /// back what room is left, widest cut most. Columns that may not shrink
    /// (IDs, dates) are never cut.
    pub fn fit(&mut self, width: usize) {
        self.limit = Some(width);
        let mut cap = usize::MAX;
        let mut steps = self.plan.clone().into_iter();
        while self.line_width(cap) > width {
            match steps.next() {
                Some(Fit::Narrow(to)) => cap = cap.min(to),
                Some(Fit::Drop(index)) => self.shown[index] = false,
                Some(Fit::Shorten(index)) => self.shortened[index] = true,
                None => break,
            }
        }
        for index in 0..self.widths.len() {
            if self.shortened[index] {
                self.widths[index] = self.short_widths[index];
            }
        }
        // The least cut that fits: the widest shrinkable column first, a
        // quarter at a time, so that two long columns share the cut.
        loop {
            let total = self.line_width(usize::MAX);
            if total <= width {
                return;
            }
            let widest = (0..self.widths.len())
                .filter(|&index| {
                    self.shown[index] && self.shrinkable[index] && self.widths[index] > cap
                })
                .max_by_key(|&index| self.widths[index]);
            match widest {
                Some(index) => {
                    let room = self.widths[index] - cap;
                    let step = (total - width).min(room).min(self.widths[index] / 4).max(1);
                    self.widths[index] -= step;
                }
                None => return,
            }
        }
    }

    pub fn write_header(&self, out: &mut impl Write, bold: bool) -> Result<()> {
        let header = self.header.clone();
        self.write_line(out, &header, bold.then_some("\u{1b}[1m"))
    }

    pub fn write_row<S: AsRef<str>>(
        &self,
        out: &mut impl Write,
        cells: &[S],
        color: Option<RowColor>,
    ) -> Result<()> {
        let code = color.map(|color| match color {
            RowColor::Yellow => "\u{1b}[33m",
            RowColor::Red => "\u{1b}[31m",
            RowColor::Cyan => "\u{1b}[36m",
        });
        self.write_line(out, cells, code)
    }

    fn write_line<S: AsRef<str>>(
        &self,
        out: &mut impl Write,
        cells: &[S],
        code: Option<&str>,
    ) -> Result<()> {
        let mut line = String::with_capacity(128);
        let mut used = 0;
        let Some(last) = (0..self.widths.len())
            .rev()
            .find(|&index| self.shown[index])
        else {
            return Ok(());
        };
        for (index, (cell, &width)) in cells.iter().zip(&self.widths).enumerate() {
            if !self.shown[index] {
                continue;
            }
            let mut text = Cow::Borrowed(cell.as_ref());
            if let Some(separator) = self.short_at[index] {
                // The last column of a fitted table takes what room is left,
                // which rows measured elsewhere (`widen`) may not have
                // foreseen.
                let no_room = index == last
                    && self
                        .limit
                        .is_some_and(|limit| self::width(&text) > limit.saturating_sub(used));
                if self.shortened[index] || no_room {
                    text = Cow::Borrowed(before(cell.as_ref(), separator));
                }
            }
            // Only columns allowed to shrink are ever cut.
            if self.shrinkable[index] {
                text = match text {
                    Cow::Borrowed(text) => cut(text, width),
                    Cow::Owned(text) => Cow::Owned(cut(&text, width).into_owned()),
                };
            }
            match code {
                Some(code) if !text.is_empty() => {
                    line.push_str(code);
                    line.push_str(&text);
                    line.push_str("\u{1b}[0m");
                }
                _ => line.push_str(&text),
            }
            if index < last {
                let mut pad = width.saturating_sub(self::width(&text)) + 2;
                used += width + 2;
                // Whole runs of spaces, not one character at a time.
                const SPACES: &str = "                                ";
                while pad > 0 {
                    let run = pad.min(SPACES.len());
                    line.push_str(&SPACES[..run]);
                    pad -= run;
                }
            }
        }
        out.write_all(line.trim_end().as_bytes())?;
        out.write_all(b"\n")?;
        Ok(())
    }
}

/// `text` up to `separator`, or all of it.
fn before<'a>(text: &'a str, separator: &str) -> &'a str {
    text.split_once(separator)
        .map_or(text, |(before, _)| before)
}

/// The columns `text` takes on a terminal: its length when it is printable
/// ASCII, as nearly every cell is (measuring by Unicode's tables costs more
/// than the rest of writing a row).
fn width(text: &str) -> usize {
    match text.bytes().all(|byte| (b' '..=b'~').contains(&byte)) {
        true => text.len(),
        false => text.width(),
    }
}

/// `text` cut to `width` columns, ending in `…` when cut.
fn cut(text: &str, width: usize) -> Cow<'_, str> {
    if self::width(text) <= width {
        return Cow::Borrowed(text);
    }
    let mut cut = String::with_capacity(width + 3);
    let mut used = 0;
    for c in text.chars() {
        let w = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if used + w + 1 > width {
            break;
        }
        cut.push(c);
        used += w;
    }
    cut.push('…');
    Cow::Owned(cut)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_streamed_json_array_is_the_pretty_array() {
        let items = [
            serde_json::json!({"id": "a", "roles": ["x", "y"], "n": 1}),
            serde_json::json!({"id": "b\nc", "roles": [], "n": 2}),
        ];
        for count in 0..=items.len() {
            let mut array = JsonArray::new(Vec::new()).unwrap();
            for item in &items[..count] {
                array.push(item).unwrap();
            }
            let streamed = String::from_utf8(array.finish().unwrap()).unwrap();
            let whole = serde_json::to_string_pretty(&items[..count]).unwrap() + "\n";
            assert_eq!(streamed, whole);
        }
    }

    #[test]
    fn streamed_columns_line_up_and_carry_no_trailing_blanks() {
        let mut columns = Columns::new(&["ID", "NAME", "LAST"]);
        let rows = [["a", "longer name", ""], ["bbbb", "n", "x"]];
        for row in &rows {
            columns.measure(row);
        }
        let mut out = Vec::new();
        columns.write_header(&mut out, false).unwrap();
        for row in &rows {
            columns.write_row(&mut out, row, None).unwrap();
        }
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "ID    NAME         LAST\na     longer name\nbbbb  n            x\n"
        );
    }

    #[test]
    fn fitting_cuts_only_shrinkable_columns() {
        let mut columns = Columns::new(&["ID", "NAME", "DATE"]).shrinkable(1);
        columns.measure(&[
            "3hT9kQ2mXa7B",
            "a very long name for a key indeed",
            "2026-01-01 00:00",
        ]);
        columns.fit(50);
        let mut out = Vec::new();
        columns
            .write_row(
                &mut out,
                &[
                    "3hT9kQ2mXa7B",
                    "a very long name for a key indeed",
                    "2026-01-01 00:00",
                ],
                None,
            )
            .unwrap();
        let line = String::from_utf8(out).unwrap();
        assert!(line.trim_end().width() <= 50, "{line}");
        assert!(line.starts_with("3hT9kQ2mXa7B  a very"), "{line}");
        assert!(
            line.contains('…') && line.contains("2026-01-01 00:00"),
            "{line}"
        );
    }

    #[test]
    fn the_ascii_width_is_unicodes() {
        for text in [
            "",
            "plain text ~",
            "tab\there",
            "é",
            "日本",
            "a\u{1b}[31m",
            "\u{7f}",
        ] {
            assert_eq!(width(text), text.width(), "{text:?}");
        }
    }

    #[test]
    fn cutting_respects_wide_characters() {
        assert_eq!(cut("日本語のキー", 5), "日本…");
        assert_eq!(cut("short", 5), "short");
    }
}
