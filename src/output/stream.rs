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

/// A plain table (as `output::render` draws one: two spaces between
/// columns, none at the edges) written row by row. Column widths come from a
/// first pass over the same rows (`measure`), so no row is held.
#[derive(Clone, Debug)]
pub struct Columns {
    header: Vec<&'static str>,
    widths: Vec<usize>,
    /// Columns that may be cut short with `…` to fit a terminal.
    shrinkable: Vec<bool>,
    rows: u64,
}

impl Columns {
    pub fn new(header: &[&'static str]) -> Self {
        Columns {
            header: header.to_vec(),
            widths: header.iter().map(|title| width(title)).collect(),
            shrinkable: vec![false; header.len()],
            rows: 0,
        }
    }

    /// Lets column `index` be cut short with `…` when the table is fitted.
    pub fn shrinkable(mut self, index: usize) -> Self {
        self.shrinkable[index] = true;
        self
    }

    /// Widens the columns to hold `cells`.
    pub fn measure<S: AsRef<str>>(&mut self, cells: &[S]) {
        for (width, cell) in self.widths.iter_mut().zip(cells) {
            *width = (*width).max(self::width(cell.as_ref()));
        }
        self.rows += 1;
    }

    /// Widens column `index` to `width`, for rows measured elsewhere.
    pub fn widen(&mut self, index: usize, width: usize) {
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

    /// Narrows the shrinkable columns, widest first, until a line fits
    /// `width`, keeping each at 8 columns at least; the others never shrink,
    /// so IDs and dates are never cut.
    pub fn fit(&mut self, width: usize) {
        const NARROWEST: usize = 8;
        loop {
            let total: usize = self.widths.iter().sum::<usize>() + 2 * (self.widths.len() - 1);
            if total <= width {
                return;
            }
            let widest = self
                .widths
                .iter()
                .enumerate()
                .filter(|&(index, &w)| self.shrinkable[index] && w > NARROWEST)
                .max_by_key(|&(_, &w)| w)
                .map(|(index, _)| index);
            match widest {
                Some(index) => {
                    let over = total - width;
                    let room = self.widths[index] - NARROWEST;
                    self.widths[index] -= over.min(room).min(self.widths[index] / 4).max(1);
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
        let last = self.widths.len() - 1;
        for (index, (cell, &width)) in cells.iter().zip(&self.widths).enumerate() {
            // Only columns allowed to shrink are ever cut.
            let text = match self.shrinkable[index] {
                true => cut(cell.as_ref(), width),
                false => Cow::Borrowed(cell.as_ref()),
            };
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
