use std::process::ExitCode;

use anyhow::Result;

use crate::App;
use crate::cli::{Format, ListArgs};
use crate::cmd::open_authorized;
use crate::operator::Action;
use crate::output::{self, KeyJson};
use crate::store::{self, KeyFilter};

pub fn run(app: &App, args: ListArgs) -> Result<ExitCode> {
    let store = open_authorized(app, Action::List)?;
    let filter = KeyFilter {
        freezing_by: args
            .expiring
            .then(|| app.now + chrono::Duration::days(i64::from(args.within))),
        ..KeyFilter::default()
    };
    let keys = store::keys(store.as_ref(), &filter)?;
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
        crate::notice::expiring_keys(app, store.as_ref());
    }
    Ok(ExitCode::SUCCESS)
}
