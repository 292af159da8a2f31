use std::io::Write;
use std::process::ExitCode;

use anyhow::{Result, bail};
use serde::Serialize;

use crate::App;
use crate::audit::Entry;
use crate::cli::{AuditArgs, Format};
use crate::operator::Action;
use crate::ops::open_authorized;
use crate::output::print_table;
use crate::output::syslog::{self, Syslog};
use crate::output::{self, JsonArray, sanitize, table_time};
use crate::process;
use crate::store::{self, AuditFilter, Store};

/// How often `--follow` looks for new entries: one small query (the log's
/// last sequence number) each time.
const POLL: std::time::Duration = std::time::Duration::from_millis(500);
/// How often it looks whether it was asked to stop.
const STOP_CHECK: std::time::Duration = std::time::Duration::from_millis(50);

/// An entry as a line for log shippers: what happened, where it sits in
/// the chain, and the host that shipped it (the log does not record where
/// a command ran).
#[derive(Serialize)]
struct EntryLine<'a> {
    seq: i64,
    at: String,
    host: &'a str,
    operator: &'a str,
    action: &'a str,
    key_id: Option<&'a str>,
    outcome: &'a str,
    detail: &'a str,
    prev_hash: &'a str,
    hash: &'a str,
}

#[derive(Serialize)]
struct EntryJson<'a> {
    seq: i64,
    at: String,
    operator: &'a str,
    action: &'a str,
    key_id: Option<&'a str>,
    outcome: &'a str,
    detail: &'a str,
    hash: &'a str,
}

pub fn run(app: &App, args: AuditArgs, jsonl: bool) -> Result<ExitCode> {
    if args.follow && app.format == Format::Json && !jsonl && !args.syslog {
        bail!(
            "--follow prints entries as they are written, which one JSON array cannot hold: use --format jsonl (one object per line)"
        );
    }
    let store = open_authorized(app, Action::Audit)?;
    if args.verify {
        let store::AuditVerdict {
            entries: count,
            head,
            intact: verdict,
            tampered,
        } = store::verify_audit(store.as_ref())?;
        // A head kept elsewhere must still be in the chain: a store put
        // back to an older copy verifies on its own, but lacks it.
        let expected = match &args.expect_head {
            Some(hash) => {
                let mut found = None;
                store.each_audit_entry(&AuditFilter::default(), &mut |entry| {
                    if entry.hash == *hash {
                        found = Some(entry.seq);
                    }
                    Ok(())
                })?;
                Some((hash.clone(), found))
            }
            None => None,
        };
        let rolled_back = expected.as_ref().is_some_and(|(_, found)| found.is_none());
        let sound = verdict.is_ok() && tampered.is_empty() && !rolled_back;
        match app.format {
            Format::Json => {
                output::print_json(&serde_json::json!({
                    "intact": sound,
                    "entries": count,
                    "head": head,
                    "break": verdict.as_ref().err(),
                    "tampered": tampered,
                    "expected_head": expected.as_ref().map(|(hash, found)| serde_json::json!({
                        "hash": hash,
                        "found_at_seq": found,
                    })),
                }))?;
            }
            Format::Table => {
                let mut lines = Vec::new();
                if let Some((hash, found)) = &expected {
                    lines.push(match found {
                        Some(seq) => format!(
                            "ok: the expected head {hash} is entry {seq} of this log"
                        ),
                        None => format!(
                            "rolled back: the expected head {hash} is not in this log; the store was put back to an older copy or replaced (undone changes may include deletions: check the keys deleted since)"
                        ),
                    });
                }
                match &verdict {
                    Ok(()) if tampered.is_empty() && !rolled_back => lines.push(format!(
                        "ok: the audit log's {count} entries form an intact chain (head {}), and every key and operator agrees with it",
                        head.as_deref().map_or("none".into(), sanitize)
                    )),
                    Ok(()) if tampered.is_empty() => lines.push(format!(
                        "the audit log's {count} entries form an intact chain (head {}) on their own",
                        head.as_deref().map_or("none".into(), sanitize)
                    )),
                    Ok(()) => {}
                    Err(broken) => lines.push(format!(
                        "broken: {}; the log was changed outside intergiro-keys",
                        broken.problem
                    )),
                }
                for row in &tampered {
                    lines.push(format!(
                        "tampered: {}: {}",
                        sanitize(&row.subject),
                        row.problem
                    ));
                }
                output::print_line(lines.join("\n"))?;
            }
        }
        return Ok(ExitCode::from(u8::from(!sound)));
    }
    let filter = AuditFilter {
        key_id: args.key.clone(),
        operator: args.operator.clone(),
        since: args.since,
        after: args.after,
    };
    if jsonl || args.syslog || args.follow {
        let sink = match args.syslog {
            true => Sink::Syslog(Syslog::connect(&args.syslog_socket)?),
            false if jsonl => Sink::Lines(output::stdout()),
            false => Sink::Table(output::stdout()),
        };
        return stream(app, store, filter, sink, args.follow);
    }
    match app.format {
        Format::Json => {
            let mut array = JsonArray::new(output::stdout())?;
            store.each_audit_entry(&filter, &mut |entry| array.push(&entry_json(&entry)))?;
            array.finish()?.flush()?;
        }
        Format::Table => {
            let rows = |row: &mut dyn FnMut(&[String]) -> Result<()>| -> Result<()> {
                Ok(store.each_audit_entry(&filter, &mut |entry| {
                    let record = &entry.record;
                    row(&[
                        entry.seq.to_string(),
                        table_time(record.at),
                        sanitize(&record.operator).into_owned(),
                        // Every field is text from the file, which anyone who
                        // can write it may have edited.
                        sanitize(&record.action).into_owned(),
                        record
                            .key_id
                            .as_deref()
                            .map_or_else(|| "-".into(), |id| sanitize(id).into_owned()),
                        sanitize(&record.outcome).into_owned(),
                        sanitize(&record.detail).into_owned(),
                    ])
                })?)
            };
            if print_table(app, output::audit_columns(), &rows)? == 0 {
                output::note("No audit entries match.");
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn entry_json(entry: &Entry) -> EntryJson<'_> {
    EntryJson {
        seq: entry.seq,
        at: output::rfc3339(entry.record.at),
        operator: &entry.record.operator,
        action: &entry.record.action,
        key_id: entry.record.key_id.as_deref(),
        outcome: &entry.record.outcome,
        detail: &entry.record.detail,
        hash: &entry.hash,
    }
}

/// Where streamed entries go.
enum Sink {
    /// JSON lines on stdout.
    Lines(std::io::BufWriter<std::io::StdoutLock<'static>>),
    /// One table-like line per entry on stdout, for people watching.
    Table(std::io::BufWriter<std::io::StdoutLock<'static>>),
    Syslog(Syslog),
}

impl Sink {
    fn send(&mut self, entry: &Entry, host: &str) -> Result<()> {
        let record = &entry.record;
        let line = EntryLine {
            seq: entry.seq,
            at: output::rfc3339(record.at),
            host,
            operator: &record.operator,
            action: &record.action,
            key_id: record.key_id.as_deref(),
            outcome: &record.outcome,
            detail: &record.detail,
            prev_hash: &entry.prev_hash,
            hash: &entry.hash,
        };
        match self {
            Sink::Lines(out) => {
                serde_json::to_writer(&mut *out, &line)?;
                out.write_all(b"\n")?;
            }
            Sink::Table(out) => writeln!(
                out,
                "{}  {}  {}  {}  {}  {}  {}",
                entry.seq,
                table_time(record.at),
                sanitize(&record.operator),
                sanitize(&record.action),
                record.key_id.as_deref().map_or("-".into(), sanitize),
                sanitize(&record.outcome),
                sanitize(&record.detail)
            )?,
            Sink::Syslog(syslog) => {
                let json = serde_json::to_string(&line)?;
                syslog.send(&syslog::message(
                    record.at,
                    host,
                    record.outcome == "ok",
                    &json,
                ))?;
            }
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<()> {
        match self {
            Sink::Lines(out) | Sink::Table(out) => out.flush()?,
            Sink::Syslog(_) => {}
        }
        Ok(())
    }
}

/// Sends the entries `filter` selects, oldest first; with `follow`, then
/// waits for new ones until SIGINT or SIGTERM. Entries are read by
/// sequence number after the last one sent, so none is skipped or sent
/// twice, and a run started with `--after` the last `seq` it printed
/// continues exactly where the previous one stopped. A follower whose store
/// went away for a while (a server restarted) opens it again and goes on.
fn stream(
    app: &App,
    mut store: Box<dyn Store>,
    mut filter: AuditFilter,
    mut sink: Sink,
    follow: bool,
) -> Result<ExitCode> {
    let host = syslog::hostname();
    if follow {
        process::stop_on_signals();
    }
    let mut retries = 0;
    loop {
        match send_new(store.as_ref(), &mut filter, &mut sink, &host, follow) {
            Ok(()) if !follow || process::stop_requested() => return Ok(ExitCode::SUCCESS),
            Ok(()) => retries = 0,
            Err(err) if process::stop_requested() => {
                // The output is whole lines; the stop is what ended it.
                drop(err);
                return Ok(ExitCode::SUCCESS);
            }
            Err(err)
                if follow
                    && retries < RETRIES
                    && crate::exit_code(&err) == crate::EXIT_TEMPORARY =>
            {
                retries += 1;
                output::note(format!(
                    "intergiro-keys: warning: {}; trying again",
                    crate::error_text(&err)
                ));
                pause(RETRY_PAUSE);
                if process::stop_requested() {
                    return Ok(ExitCode::SUCCESS);
                }
                if let Ok(reopened) = open_authorized(app, Action::Audit) {
                    store = reopened;
                }
            }
            Err(err) => return Err(err.context(resume_hint(filter.after))),
        }
    }
}

/// How many times in a row `--follow` tries again when the store cannot be
/// reached, a pause apart: about a minute in all.
const RETRIES: u32 = 12;
const RETRY_PAUSE: std::time::Duration = std::time::Duration::from_secs(5);

/// Sends what is new, then (when following) waits until there is more.
fn send_new(
    store: &dyn Store,
    filter: &mut AuditFilter,
    sink: &mut Sink,
    host: &str,
    follow: bool,
) -> Result<()> {
    // Read before the entries: one written meanwhile changes it, and is
    // then read on the next round if not on this one.
    let head = match follow {
        true => store.last_audit_seq()?,
        false => 0,
    };
    let mut last = filter.after;
    let sent = store.each_audit_entry(filter, &mut |entry| {
        if process::stop_requested() {
            bail!("stopped");
        }
        sink.send(&entry, host)?;
        last = Some(entry.seq);
        Ok(())
    });
    filter.after = last;
    sink.flush()?;
    sent?;
    if follow {
        wait_for_change(store, head)?;
    }
    Ok(())
}

/// Sleeps for `time`, or until a stop was asked for.
fn pause(time: std::time::Duration) {
    let mut waited = std::time::Duration::ZERO;
    while waited < time && !process::stop_requested() {
        std::thread::sleep(STOP_CHECK);
        waited += STOP_CHECK;
    }
}

/// Returns once the log's last sequence number is no longer `head`, or a
/// stop was asked for.
fn wait_for_change(store: &dyn Store, head: i64) -> Result<()> {
    loop {
        pause(POLL);
        if process::stop_requested() || store.last_audit_seq()? != head {
            return Ok(());
        }
    }
}

fn resume_hint(after: Option<i64>) -> String {
    match after {
        Some(seq) => format!("audit stopped after entry {seq}; resume with --after {seq}"),
        None => "audit stopped before any entry; run it again".to_string(),
    }
}
