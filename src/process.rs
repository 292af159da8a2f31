//! Where a secret could outlive its use in this process, and how it does not:
//! no core dumps, and secrets read and written with plain `read`/`write`
//! calls on buffers we wipe. Std's stdin keeps an 8 KiB `BufReader` and
//! stdout a `LineWriter` that are never wiped, so secrets bypass both.

use std::io;
use std::os::fd::AsFd;

use anyhow::{Context, Result};
use zeroize::{Zeroize, Zeroizing};

/// Turns core dumps off for this process: a dump of its memory would hold
/// whatever secret it was handling. `PR_SET_DUMPABLE` 0 also keeps other
/// processes of the same account from reading its memory through `/proc`
/// or `ptrace`.
pub fn forbid_core_dumps() -> Result<()> {
    nix::sys::resource::setrlimit(nix::sys::resource::Resource::RLIMIT_CORE, 0, 0)
        .context("cannot turn off core dumps (setrlimit RLIMIT_CORE)")?;
    nix::sys::prctl::set_dumpable(false)
        .context("cannot turn off core dumps (prctl PR_SET_DUMPABLE)")?;
    Ok(())
}

/// Reads the first non-blank line from `fd`, without waiting for the end of
/// input, into a buffer that is wiped when dropped. `None` when the line is
/// longer than `limit` bytes.
pub fn read_secret_line(fd: impl AsFd, limit: usize) -> io::Result<Option<Zeroizing<Vec<u8>>>> {
    // Allocated once at full size: a growing vector would leave copies of
    // the secret in the memory it gives back.
    let mut buf = Zeroizing::new(vec![0u8; limit + 1]);
    let mut len = 0;
    let line = loop {
        if let Some(line) = first_line(&buf[..len]) {
            break line;
        }
        if len > limit {
            return Ok(None);
        }
        match nix::unistd::read(fd.as_fd(), &mut buf[len..]) {
            Ok(0) => break first_line_at_end(&buf[..len]),
            Ok(read) => len += read,
            Err(nix::errno::Errno::EINTR) => continue,
            Err(errno) => return Err(errno.into()),
        }
    };
    if line.len() > limit {
        return Ok(None);
    }
    buf.copy_within(line.clone(), 0);
    let line_len = line.len();
    buf[line_len..].zeroize();
    buf.truncate(line_len);
    Ok(Some(buf))
}

/// The byte range of the first line that has something other than
/// whitespace, once its newline has arrived.
fn first_line(bytes: &[u8]) -> Option<std::ops::Range<usize>> {
    let mut start = 0;
    for (index, &byte) in bytes.iter().enumerate() {
        if byte == b'\n' {
            if bytes[start..index].iter().any(|b| !b.is_ascii_whitespace()) {
                return Some(start..index);
            }
            start = index + 1;
        }
    }
    None
}

/// At the end of input: the first non-blank line, ended by a newline or not.
fn first_line_at_end(bytes: &[u8]) -> std::ops::Range<usize> {
    first_line(bytes).unwrap_or_else(|| {
        let start = bytes
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |newline| newline + 1);
        start..bytes.len()
    })
}

/// Writes all of `bytes` to `fd` with plain `write` calls, so no copy is
/// left in a buffer we do not control.
pub fn write_all(fd: impl AsFd, mut bytes: &[u8]) -> io::Result<()> {
    while !bytes.is_empty() {
        match nix::unistd::write(fd.as_fd(), bytes) {
            Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
            Ok(written) => bytes = &bytes[written..],
            Err(nix::errno::Errno::EINTR) => continue,
            Err(errno) => return Err(errno.into()),
        }
    }
    Ok(())
}

/// Whether `fd` discards what is written to it: `/dev/null`, which is also
/// what a closed stdout becomes (Rust's runtime reopens closed standard
/// descriptors on `/dev/null` at start-up).
pub fn discards_output(fd: impl AsFd) -> bool {
    let Ok(target) = nix::sys::stat::fstat(fd) else {
        return false;
    };
    let Ok(null) = nix::sys::stat::stat("/dev/null") else {
        return false;
    };
    let is_char_device = |mode: nix::libc::mode_t| mode & nix::libc::S_IFMT == nix::libc::S_IFCHR;
    is_char_device(target.st_mode) && is_char_device(null.st_mode) && target.st_rdev == null.st_rdev
}

static STOP: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// From now on SIGINT and SIGTERM ask the process to stop
/// (`stop_requested`) instead of ending it at once, so that a long-running
/// command (`audit --follow`) ends after a whole line. A second signal ends
/// it at once (exit 130).
pub fn stop_on_signals() {
    use nix::sys::signal::{SaFlags, SigAction, SigHandler, SigSet, Signal, sigaction};
    extern "C" fn on_signal(_: nix::libc::c_int) {
        // Only async-signal-safe calls here: an atomic swap and _exit(2).
        if STOP.swap(true, std::sync::atomic::Ordering::SeqCst) {
            unsafe { nix::libc::_exit(130) };
        }
    }
    let action = SigAction::new(
        SigHandler::Handler(on_signal),
        SaFlags::SA_RESTART,
        SigSet::empty(),
    );
    for signal in [Signal::SIGINT, Signal::SIGTERM] {
        // SAFETY: the handler only calls async-signal-safe functions.
        let _ = unsafe { sigaction(signal, &action) };
    }
}

/// Whether SIGINT or SIGTERM came since `stop_on_signals`.
pub fn stop_requested() -> bool {
    STOP.load(std::sync::atomic::Ordering::SeqCst)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn read_all_of(input: &[u8], limit: usize) -> Option<Vec<u8>> {
        let (reader, mut writer) = std::io::pipe().unwrap();
        writer.write_all(input).unwrap();
        drop(writer);
        read_secret_line(&reader, limit)
            .unwrap()
            .map(|line| line.to_vec())
    }

    #[test]
    fn the_first_non_blank_line_is_read() {
        assert_eq!(read_all_of(b"key\n", 10).unwrap(), b"key");
        assert_eq!(read_all_of(b"key", 10).unwrap(), b"key");
        assert_eq!(read_all_of(b"\n  \nkey\nmore\n", 20).unwrap(), b"key");
        assert_eq!(read_all_of(b"key\r\n", 10).unwrap(), b"key\r");
        assert_eq!(read_all_of(b"", 10).unwrap(), b"");
        assert_eq!(read_all_of(b"\n\n", 10).unwrap(), b"");
        assert_eq!(read_all_of(b"0123456789\n", 10).unwrap(), b"0123456789");
        assert!(read_all_of(b"0123456789A\n", 10).is_none());
        assert!(read_all_of(&[b'x'; 100], 10).is_none());
    }

    #[test]
    fn a_line_is_answered_before_the_input_ends() {
        let (reader, mut writer) = std::io::pipe().unwrap();
        writer.write_all(b"key\n").unwrap();
        // The writer stays open: reading must not wait for its end.
        let line = read_secret_line(&reader, 10).unwrap().unwrap();
        assert_eq!(line.as_slice(), b"key");
        drop(writer);
    }

    #[test]
    fn dev_null_discards_and_a_pipe_does_not() {
        let null = std::fs::File::create("/dev/null").unwrap();
        assert!(discards_output(&null));
        let (_reader, writer) = std::io::pipe().unwrap();
        assert!(!discards_output(&writer));
    }
}
