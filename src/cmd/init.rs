use std::process::ExitCode;

use anyhow::{Result, bail};

use crate::App;
use crate::cli::InitArgs;
use crate::output;
use crate::store::postgres::{Location, PgStore, is_url};
use crate::store::{Open, Store};

pub fn run(app: &App, _args: InitArgs) -> Result<ExitCode> {
    let db = app.db.to_string_lossy();
    if is_url(&db) {
        let location = Location::parse(&db)?;
        let store = PgStore::initialize(&location)?;
        let admin = store.session_operator().unwrap_or_default().to_string();
        output::note(format!(
            "Created the store in schema {} of database {}; role {admin} is its administrator. Add operators with `intergiro-keys users add ROLE --permission ...` (each a PostgreSQL login role).",
            location.schema,
            location.database()
        ));
        return Ok(ExitCode::SUCCESS);
    }
    if app.db.exists() {
        bail!("{} already exists; nothing was changed", app.db.display());
    }
    let mut store = crate::ops::open(app, Open::CreateIfMissing)?;
    crate::ops::ensure_administrator(app, store.as_mut())?;
    output::note(format!(
        "Created {}; you ({}) are its administrator.",
        app.db.display(),
        app.operator()
    ));
    Ok(ExitCode::SUCCESS)
}
