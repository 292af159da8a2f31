//! `show`: one key, every field, and its story from the audit log.

use std::process::ExitCode;

use anyhow::Result;
use serde::Serialize;

use crate::App;
use crate::audit::Entry;
use crate::cli::{Format, ShowArgs};
use crate::key::{ApiKey, Status};
use crate::ops::show::Shown;
use crate::output::{self, KeyJson, human_days_left, human_last_used, human_time, sanitize};

#[derive(Serialize)]
struct ShowJson<'a> {
    #[serde(flatten)]
    key: KeyJson<'a>,
    issued: bool,
    replaced_by: Option<&'a str>,
    /// Its row was changed outside intergiro-keys: shown as stored, not
    /// trusted.
    tampered: bool,
    events: Vec<EventJson<'a>>,
}

#[derive(Serialize)]
struct EventJson<'a> {
    seq: i64,
    at: String,
    operator: &'a str,
    action: &'a str,
    outcome: &'a str,
    detail: &'a str,
}

pub fn run(app: &App, args: ShowArgs) -> Result<ExitCode> {
    let Shown {
        key,
        tampered,
        events,
    } = crate::ops::show::show(app, &args.key)?;
    if let Some(err) = &tampered {
        // The key's ID comes from the file: escaped, as in errors.
        output::note(format!(
            "intergiro-keys: warning: {}",
            sanitize(&crate::explain::sentence(err))
        ));
    }
    let tampered = tampered.is_some();
    match app.format {
        Format::Json => output::print_json(&ShowJson {
            key: KeyJson::new(&key, app.now),
            issued: key.issued,
            replaced_by: key.replaced_by.as_deref(),
            tampered,
            events: events
                .iter()
                .map(|entry| EventJson {
                    seq: entry.seq,
                    at: output::rfc3339(entry.record.at),
                    operator: &entry.record.operator,
                    action: &entry.record.action,
                    outcome: &entry.record.outcome,
                    detail: &entry.record.detail,
                })
                .collect(),
        })?,
        Format::Table => print_table(app, &key, tampered, &events)?,
    }
    Ok(ExitCode::SUCCESS)
}

fn print_table(app: &App, key: &ApiKey, tampered: bool, events: &[Entry]) -> Result<()> {
    let now = app.now;
    let status = key.status(now);
    let status_text = match tampered {
        true => format!(
            "TAMPERED: changed outside intergiro-keys, not trusted (as stored: {})",
            output::status_label(status)
        ),
        false => output::status_label(status).to_string(),
    };
    let mut fields: Vec<(&str, String)> = vec![
        ("ID", sanitize(&key.id).into_owned()),
        ("Name", sanitize(&key.name).into_owned()),
        ("Roles", key.roles.to_string()),
        ("Status", status_text),
        ("Created", human_time(key.created_at)),
        ("Renewed", human_time(key.renewed_at)),
        (
            "Freezes at",
            format!(
                "{} ({})",
                human_time(key.freezes_at),
                human_days_left(
                    key.days_left(now),
                    crate::key::status(key.freezes_at, now) == Status::Frozen
                )
            ),
        ),
    ];
    if let Some(retires_at) = key.retires_at {
        let label = if status == Status::Retired {
            "Retired at"
        } else {
            "Retires at"
        };
        fields.push((label, human_time(retires_at)));
    }
    if let Some(replacement) = &key.replaced_by {
        fields.push(("Replaced by", sanitize(replacement).into_owned()));
    }
    fields.push((
        "Last used",
        match key.last_used_at {
            Some(at) => format!("{} ({})", human_last_used(Some(at), now), human_time(at)),
            None => "never".to_string(),
        },
    ));
    let mut text = String::new();
    for (label, value) in fields {
        text.push_str(&format!("{label:<12}{value}\n"));
    }
    text.push_str("\nHistory\n");
    let rows: Vec<[String; 6]> = events
        .iter()
        .map(|entry| {
            let record = &entry.record;
            // Text from the file, which anyone who can write it may have edited.
            [
                entry.seq.to_string(),
                output::table_time(record.at),
                sanitize(&record.operator).into_owned(),
                sanitize(&record.action).into_owned(),
                sanitize(&record.outcome).into_owned(),
                output::human_detail(&sanitize(&record.detail)).into_owned(),
            ]
        })
        .collect();
    let mut text = text.into_bytes();
    output::write_fitted(
        &mut text,
        app.table_style(),
        output::history_columns(),
        &rows,
    )?;
    crate::output::print_paged(app, &text)
}
