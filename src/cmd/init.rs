use std::process::ExitCode;

use anyhow::Result;

use crate::App;
use crate::cli::InitArgs;
use crate::ops::init::Initialized;
use crate::output;

pub fn run(app: &App, args: InitArgs) -> Result<ExitCode> {
    match crate::ops::init::init(app, args.adopt)? {
        Initialized::Postgres {
            schema,
            database,
            administrator,
        } => output::note(format!(
            "Created the store in schema {schema} of database {database}; role {administrator} is its administrator. Add operators with `intergiro-keys users add ROLE --permission ...` (each a PostgreSQL login role).",
        )),
        Initialized::Adopted {
            schema,
            database,
            reowned: None,
        } => output::note(format!(
            "The store in schema {schema} of database {database} already has roles of its own; nothing was changed."
        )),
        Initialized::Adopted {
            schema,
            database,
            reowned: Some(done),
        } => {
            output::note(format!(
                "The store in schema {schema} of database {database} now has roles of its own: {} owns it and {} holds its operators, in place of {} and {} (the other store's, left as they were). Operators given {}: {}.",
                done.owner,
                done.operators,
                done.old_owner,
                done.old_operators,
                done.operators,
                if done.granted.is_empty() {
                    "none".to_string()
                } else {
                    done.granted.join(", ")
                },
            ));
            if !done.without_role.is_empty() {
                output::note(format!(
                    "intergiro-keys: warning: operators without a login role on this server: {}; create their roles, then `intergiro-keys users grant NAME PERMISSION` connects them",
                    done.without_role.join(", ")
                ));
            }
        }
        Initialized::File => output::note(format!(
            "Created {}; you ({}) are its administrator.",
            app.db.display(),
            app.operator()
        )),
    }
    Ok(ExitCode::SUCCESS)
}
