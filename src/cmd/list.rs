use std::process::ExitCode;

use anyhow::Result;

use crate::App;
use crate::cli::{Format, ListArgs};
use crate::cmd::open_authorized;
use crate::key::freezes_within;
use crate::operator::Permission;
use crate::output::{self, KeyJson};
use crate::store::Open;

pub fn run(app: &App, args: ListArgs) -> Result<ExitCode> {
    let store = open_authorized(app, Open::MustExist, "list", |op| {
        op.authorize(Permission::View)
    })?;
    let mut keys = store.list()?;
    if args.expiring {
        keys.retain(|key| freezes_within(key.freezes_at, app.now, args.within));
    }
    match app.format {
        Format::Json => {
            let json: Vec<KeyJson> = keys.iter().map(|key| KeyJson::new(key, app.now)).collect();
            output::print_json(&json)?;
        }
        Format::Table if keys.is_empty() && args.expiring => {
            output::note(format!("No key freezes within {} days.", args.within));
        }
        Format::Table if keys.is_empty() => {
            output::note(
                "No keys yet. Create the first one with `intergiro-keys create --name NAME --role ROLE`.",
            );
        }
        Format::Table => {
            output::print_line(output::render(output::keys_table(
                &keys,
                app.now,
                app.table_style(),
            )))?;
        }
    }
    if !args.expiring {
        crate::notice::expiring_keys(app, &store);
    }
    Ok(ExitCode::SUCCESS)
}
