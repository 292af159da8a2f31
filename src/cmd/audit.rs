use std::io::Write;
use std::process::ExitCode;

use anyhow::Result;
use serde::Serialize;

use crate::App;
use crate::audit::Entry;
use crate::cli::{AuditArgs, Format};
use crate::cmd::{open_authorized, print_table};
use crate::operator::Action;
use crate::output::{self, JsonArray, sanitize, table_time};
use crate::store::{self, AuditFilter};

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

pub fn run(app: &App, args: AuditArgs) -> Result<ExitCode> {
    let store = open_authorized(app, Action::Audit)?;
    if args.verify {
        let store::AuditVerdict {
            entries: count,
            head,
            intact: verdict,
            tampered,
        } = store::verify_audit(store.as_ref())?;
        let sound = verdict.is_ok() && tampered.is_empty();
        match app.format {
            Format::Json => {
                output::print_json(&serde_json::json!({
                    "intact": sound,
                    "entries": count,
                    "head": head,
                    "break": verdict.as_ref().err(),
                    "tampered": tampered,
                }))?;
            }
            Format::Table => {
                let mut lines = Vec::new();
                match &verdict {
                    Ok(()) if tampered.is_empty() => lines.push(format!(
                        "ok: the audit log's {count} entries form an intact chain (head {}), and every key and operator agrees with it",
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
        key_id: args.key,
        operator: args.operator,
        since: args.since,
    };
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
