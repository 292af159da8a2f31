//! Audit entries to the local syslog: RFC 5424 messages on its Unix
//! datagram socket (`/dev/log`, where rsyslog, syslog-ng and
//! systemd-journald listen).

use std::os::unix::net::UnixDatagram;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use chrono::{DateTime, Utc};

/// facility authpriv (10): security messages kept from general readers.
const AUTHPRIV: u8 = 10;
const NOTICE: u8 = 5;
const INFO: u8 = 6;

pub struct Syslog {
    socket: UnixDatagram,
    path: PathBuf,
}

impl Syslog {
    pub fn connect(path: &Path) -> Result<Syslog> {
        Ok(Syslog {
            socket: connect(path)?,
            path: path.to_path_buf(),
        })
    }

    /// Sends one message; waits while the receiver's queue is full rather
    /// than dropping it. A receiver that restarted (its socket made anew)
    /// is reached again once.
    pub fn send(&mut self, message: &str) -> Result<()> {
        if self.socket.send(message.as_bytes()).is_ok() {
            return Ok(());
        }
        self.socket = connect(&self.path)?;
        self.socket
            .send(message.as_bytes())
            .with_context(|| format!("cannot write to the syslog socket {}", self.path.display()))
            .map(drop)
    }
}

fn connect(path: &Path) -> Result<UnixDatagram> {
    let socket = UnixDatagram::unbound().context("cannot make a socket for syslog")?;
    socket.connect(path).with_context(|| {
        format!(
            "cannot reach the syslog socket {}: is a syslog daemon (rsyslog, systemd-journald) running? Pass --syslog-socket PATH for another socket",
            path.display()
        )
    })?;
    Ok(socket)
}

/// An RFC 5424 message, `<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID
/// SD MSG`, with no structured data (`-`): the message is the entry as
/// JSON. Entries that were refused or failed are notices, the rest info.
pub fn message(at: DateTime<Utc>, host: &str, ok: bool, json: &str) -> String {
    let severity = if ok { INFO } else { NOTICE };
    format!(
        "<{}>1 {} {} intergiro-keys {} audit - {json}",
        AUTHPRIV * 8 + severity,
        at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        header_field(host),
        std::process::id(),
    )
}

/// A header field as RFC 5424 allows: printable ASCII without spaces, at
/// most 255 characters, `-` when empty.
fn header_field(text: &str) -> String {
    let field: String = text
        .chars()
        .map(|c| if c.is_ascii_graphic() { c } else { '_' })
        .take(255)
        .collect();
    if field.is_empty() { "-".into() } else { field }
}

/// This host's name, as the messages and JSON lines carry it.
pub fn hostname() -> String {
    nix::unistd::gethostname()
        .ok()
        .and_then(|name| name.into_string().ok())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn messages_follow_rfc_5424() {
        let at = Utc.with_ymd_and_hms(2026, 1, 1, 12, 0, 0).unwrap();
        let line = message(at, "db 1", true, "{\"seq\":1}");
        let pid = std::process::id();
        assert_eq!(
            line,
            format!("<86>1 2026-01-01T12:00:00Z db_1 intergiro-keys {pid} audit - {{\"seq\":1}}")
        );
        assert!(message(at, "", false, "{}").starts_with("<85>1 2026-01-01T12:00:00Z - "));
    }
}
