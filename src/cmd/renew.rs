use std::process::ExitCode;

use anyhow::Result;
use serde::Serialize;

use crate::App;
use crate::cli::{Format, RenewArgs};
use crate::ops::Done;
use crate::output::{self, KeyJson, sanitize, table_time};

#[derive(Serialize)]
struct RenewalJson<'a> {
    #[serde(flatten)]
    key: KeyJson<'a>,
    previous_freezes_at: String,
}

pub fn run(app: &App, args: RenewArgs) -> Result<ExitCode> {
    let Done {
        fact: renewals,
        store,
    } = crate::ops::renew::renew(app, &args.ids)?;
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
