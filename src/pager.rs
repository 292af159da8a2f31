//! Long tables on a terminal go through a pager, as git and gh do:
//! `$INTERGIRO_KEYS_PAGER`, then `$PAGER`, then `less -FRX` (quit at once
//! when the text fits, keep colours, leave the text on the screen).

use std::io::{self, BufWriter, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};

/// Set when the pager stopped reading (quit before the end): the broken
/// pipe that follows is the reader leaving, as with `| head`.
static QUIT: AtomicBool = AtomicBool::new(false);

/// Whether a pager of this process quit before the output ended.
pub fn quit_early() -> bool {
    QUIT.load(Ordering::Relaxed)
}

fn noting_quit<T>(result: io::Result<T>) -> io::Result<T> {
    if let Err(err) = &result
        && err.kind() == io::ErrorKind::BrokenPipe
    {
        QUIT.store(true, Ordering::Relaxed);
    }
    result
}

/// Where a long table goes: the pager's stdin, or stdout when there is no
/// pager to run.
pub enum Output {
    Stdout(BufWriter<io::StdoutLock<'static>>),
    Pager {
        stdin: Option<BufWriter<ChildStdin>>,
        child: Child,
    },
}

/// The pager command, or None when it is set empty or to `cat`.
pub fn command() -> Option<String> {
    let chosen = ["INTERGIRO_KEYS_PAGER", "PAGER"]
        .iter()
        .find_map(|name| std::env::var(name).ok())
        .unwrap_or_else(|| "less -FRX".to_string());
    let chosen = chosen.trim();
    (!chosen.is_empty() && chosen != "cat").then(|| chosen.to_string())
}

impl Output {
    /// Starts the pager, or falls back to stdout when it cannot be started
    /// (a pager is a convenience; the table matters more).
    pub fn pager() -> Output {
        let Some(pager) = command() else {
            return Output::stdout();
        };
        let mut command = Command::new("sh");
        command.arg("-c").arg(&pager).stdin(Stdio::piped());
        if std::env::var_os("LESS").is_none() {
            command.env("LESS", "FRX");
        }
        match command.spawn() {
            Ok(mut child) => match child.stdin.take() {
                Some(stdin) => Output::Pager {
                    stdin: Some(BufWriter::with_capacity(64 * 1024, stdin)),
                    child,
                },
                None => Output::stdout(),
            },
            Err(_) => Output::stdout(),
        }
    }

    pub fn stdout() -> Output {
        Output::Stdout(crate::output::stdout())
    }

    /// Flushes, then waits for the pager to be quit.
    pub fn finish(mut self) -> io::Result<()> {
        let flushed = self.flush();
        if let Output::Pager { stdin, child } = &mut self {
            drop(stdin.take());
            child.wait()?;
        }
        flushed
    }
}

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Output::Stdout(out) => out.write(buf),
            Output::Pager {
                stdin: Some(stdin), ..
            } => noting_quit(stdin.write(buf)),
            Output::Pager { stdin: None, .. } => noting_quit(Err(io::ErrorKind::BrokenPipe.into())),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Output::Stdout(out) => out.flush(),
            Output::Pager {
                stdin: Some(stdin), ..
            } => noting_quit(stdin.flush()),
            Output::Pager { stdin: None, .. } => Ok(()),
        }
    }
}

impl Drop for Output {
    /// Whatever ended the output (the pager quit early, an error), the
    /// terminal goes back to the shell only once the pager has exited.
    fn drop(&mut self) {
        if let Output::Pager { stdin, child } = self {
            drop(stdin.take());
            let _ = child.wait();
        }
    }
}
