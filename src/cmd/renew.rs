use std::process::ExitCode;

use anyhow::Result;
use serde::Serialize;

use crate::App;
use crate::cli::{Format, RenewArgs};
use crate::cmd::{open_authorized_about, record_refused, resolve_ids};
use crate::key::{self, Status};
use crate::operator::Action;
use crate::output::{self, KeyJson, human_time, sanitize, table_time};
use crate::store::{self, Store};

#[derive(Serialize)]
struct RenewalJson<'a> {
    #[serde(flatten)]
    key: KeyJson<'a>,
    previous_freezes_at: String,
}

pub fn run(app: &App, args: RenewArgs) -> Result<ExitCode> {
    let mut store = open_authorized_about(app, Action::Renew, &args.ids)?;
    let ids = resolve_ids(store.as_ref(), &args.ids, app.now, Action::Renew)?;
    if let Some((id, err)) = retiring(store.as_ref(), &ids, app.now)? {
        record_refused(store.as_mut(), Action::Renew, Some(&id), &err, app.actor());
        return Err(err);
    }
    let renewals = store.renew(&ids, key::freezes_at(app.now), app.actor())?;
    match app.format {
        Format::Json => {
            let json: Vec<RenewalJson> = renewals
                .iter()
                .map(|renewal| RenewalJson {
                    key: KeyJson::new(&renewal.key, app.now),
                    previous_freezes_at: output::rfc3339(renewal.previous_freezes_at),
                })
                .collect();
            output::print_json(&json)?;
        }
        Format::Table => {
            let mut table = output::table(
                app.table_style(),
                &[
                    "ID",
                    "NAME",
                    "WAS FREEZING AT (UTC)",
                    "NOW FREEZES AT (UTC)",
                ],
            );
            for renewal in &renewals {
                table.add_row([
                    sanitize(&renewal.key.id).into_owned(),
                    sanitize(&renewal.key.name).into_owned(),
                    table_time(renewal.previous_freezes_at),
                    table_time(renewal.key.freezes_at),
                ]);
            }
            output::print_line(output::render(table))?;
        }
    }
    crate::notice::expiring_keys(app, store.as_ref());
    Ok(ExitCode::SUCCESS)
}

/// The first key among `ids` retiring after a rotation, with the error
/// that refuses renewing it: it is meant to stop, and renewing it would not
/// keep it working past its grace, so its replacement is the key to renew.
/// (A rotation finishing after this look-up only means such a key is
/// renewed as before: its retirement stays.)
fn retiring(
    store: &dyn Store,
    ids: &[String],
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Option<(String, anyhow::Error)>> {
    for id in ids {
        let key = match store.find_key(id) {
            Ok(Some(stored)) => stored.key,
            // Refused by the renewal itself, in its transaction.
            Ok(None) | Err(store::Error::Tampered { .. }) => continue,
            Err(err) => return Err(err.into()),
        };
        if key.status(now) != Status::Retiring {
            continue;
        }
        let shown = sanitize(id);
        let renew_instead = match key.replaced_by.as_deref().map(sanitize) {
            Some(new) => {
                format!("renew its replacement {new} instead (`intergiro-keys renew {new}`)")
            }
            None => format!("renew its replacement instead (see `intergiro-keys show {shown}`)"),
        };
        let retires = key
            .retires_at
            .map_or_else(String::new, |at| format!(" at {}", human_time(at)));
        let err = anyhow::anyhow!(
            "key {shown} was rotated and stops working{retires}, so it is not renewed; {renew_instead}; nothing was changed"
        );
        return Ok(Some((id.clone(), err)));
    }
    Ok(None)
}
