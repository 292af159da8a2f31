use std::process::ExitCode;

use anyhow::Result;
use serde::Serialize;

use crate::App;
use crate::cli::{Format, RenewArgs};
use crate::key;
use crate::operator::Action;
use crate::ops::{open_authorized_about, record_refused, resolve_ids};
use crate::output::{self, KeyJson, sanitize, table_time};
use crate::store;

#[derive(Serialize)]
struct RenewalJson<'a> {
    #[serde(flatten)]
    key: KeyJson<'a>,
    previous_freezes_at: String,
}

pub fn run(app: &App, args: RenewArgs) -> Result<ExitCode> {
    let mut store = open_authorized_about(app, Action::Renew, &args.ids)?;
    let ids = resolve_ids(store.as_ref(), &args.ids, app.now, Action::Renew)?;
    // A key retiring after a rotation is meant to stop, and renewing it
    // would not keep it working past its grace: the store refuses it, in
    // the renewal's transaction, and the refusal goes into its history.
    let renewals = match store.renew(&ids, key::freezes_at(app.now), app.actor()) {
        Err(store::Error::Retiring {
            id,
            retires_at,
            replaced_by,
        }) => {
            let err = anyhow::Error::from(store::Error::Retiring {
                id: id.clone(),
                retires_at,
                replaced_by,
            });
            record_refused(store.as_mut(), Action::Renew, Some(&id), &err, app.actor());
            return Err(err);
        }
        renewals => renewals?,
    };
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
            let rows: Vec<[String; 4]> = renewals
                .iter()
                .map(|renewal| {
                    [
                        sanitize(&renewal.key.id).into_owned(),
                        sanitize(&renewal.key.name).into_owned(),
                        table_time(renewal.previous_freezes_at),
                        table_time(renewal.key.freezes_at),
                    ]
                })
                .collect();
            let mut text = Vec::new();
            output::write_fitted(
                &mut text,
                app.table_style(),
                output::renewal_columns(),
                &rows,
            )?;
            crate::output::print_paged(app, &text)?;
        }
    }
    crate::cmd::notice_expiring_keys(app, store.as_ref());
    Ok(ExitCode::SUCCESS)
}
