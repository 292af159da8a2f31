use std::process::ExitCode;

use anyhow::Result;

use crate::App;
use crate::cli::InitArgs;
use crate::ops::init::Initialized;
use crate::output;

pub fn run(app: &App, _args: InitArgs) -> Result<ExitCode> {
    match crate::ops::init::init(app)? {
        Initialized::Postgres {
            schema,
            database,
            administrator,
        } => output::note(format!(
            "Created the store in schema {schema} of database {database}; role {administrator} is its administrator. Add operators with `intergiro-keys users add ROLE --permission ...` (each a PostgreSQL login role).",
        )),
        Initialized::File => output::note(format!(
            "Created {}; you ({}) are its administrator.",
            app.db.display(),
            app.operator()
        )),
    }
    Ok(ExitCode::SUCCESS)
}
