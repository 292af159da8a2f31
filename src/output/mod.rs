//! Rendering for people (comfy-table, sentences), scripts (JSON) and
//! monitoring (Prometheus and OpenMetrics text).
//! No database access here.

mod json;
pub mod metrics;
mod paged;
mod stream;
pub mod syslog;
mod table;
mod text;

pub use json::{KeyJson, print_json, write_json, write_key_element};
pub use paged::{Rows, print_paged, print_table};
pub use stream::{Columns, Fit, JsonArray, RowColor};
pub use table::*;
pub use text::*;

use std::io::Write;

use anyhow::Result;

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

/// Stdout, locked and buffered, for output that streams row by row.
pub fn stdout() -> std::io::BufWriter<std::io::StdoutLock<'static>> {
    std::io::BufWriter::with_capacity(64 * 1024, std::io::stdout().lock())
}

/// Whether the reader of `fd` (a pipe or socket) has gone away, so that
/// writing to it fails with a broken pipe. A broken pipe anywhere else (a
/// server's socket) is a failure, never the quiet end of `| head -1`.
pub fn reader_gone(fd: std::os::fd::BorrowedFd) -> bool {
    use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
    let mut fds = [PollFd::new(fd, PollFlags::POLLOUT)];
    matches!(poll(&mut fds, PollTimeout::ZERO), Ok(n) if n > 0)
        && fds[0]
            .revents()
            .is_some_and(|events| events.intersects(PollFlags::POLLERR | PollFlags::POLLHUP))
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
