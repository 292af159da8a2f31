//! Printing long output page by page: a table streamed from the store in
//! two passes, or text already made, through the pager on a terminal when
//! it is taller than the screen.

use std::io::Write;

use anyhow::Result;

use crate::App;
use crate::output;

/// Prints `text`, through the pager when it is taller than the terminal's
/// screen (as `print_table` pages a long table).
pub fn print_paged(app: &App, text: &[u8]) -> Result<()> {
    let lines = text.iter().filter(|&&byte| byte == b'\n').count();
    let taller = app.pager && lines >= output::screen_height().unwrap_or(24);
    let mut out = match taller {
        true => crate::pager::Output::pager(),
        false => crate::pager::Output::stdout(),
    };
    out.write_all(text)?;
    out.finish()?;
    Ok(())
}

/// Rows for `print_table`: calls its argument once per row, in order, with
/// the row's cells.
pub type Rows<'a> = &'a dyn Fn(&mut dyn FnMut(&[String]) -> Result<()>) -> Result<()>;

/// Prints a table whose rows `rows` streams from the store, and returns how
/// many there were. A first pass measures the columns without keeping any
/// row; the table is then written row by row, fitted to the terminal's
/// width (in the order `columns` gives), through the pager on a terminal
/// when it is longer than the screen.
pub fn print_table(app: &App, mut columns: output::Columns, rows: Rows) -> Result<u64> {
    rows(&mut |cells| {
        columns.measure(cells);
        Ok(())
    })?;
    let count = columns.rows();
    if count == 0 {
        return Ok(0);
    }
    if app.stdout_is_terminal
        && let Some(width) = output::screen_width()
    {
        columns.fit(width);
    }
    // A terminal that does not tell its size is taken to be the classic 24
    // lines.
    let screen = app
        .stdout_is_terminal
        .then(|| output::screen_height().unwrap_or(24));
    if let Some(height) = screen.filter(|&height| count < height as u64) {
        let mut out = output::stdout();
        columns.write_header(&mut out, app.color)?;
        let mut written = 0;
        rows(&mut |cells| {
            // At most a screenful, whatever was added since the first pass.
            if written + 1 < height {
                columns.write_row(&mut out, cells, None)?;
                written += 1;
            }
            Ok(())
        })?;
        out.flush()?;
        return Ok(count);
    }
    let mut out = match app.pager {
        true => crate::pager::Output::pager(),
        false => crate::pager::Output::stdout(),
    };
    columns.write_header(&mut out, app.color)?;
    rows(&mut |cells| columns.write_row(&mut out, cells, None))?;
    out.finish()?;
    Ok(count)
}
