use std::process::ExitCode;

use anyhow::{Result, bail};

use crate::App;
use crate::cli::InitArgs;
use crate::output;
use crate::store::postgres::{Location, PgStore, is_url, reown};
use crate::store::{Open, Store};

pub fn run(app: &App, args: InitArgs) -> Result<ExitCode> {
    let db = app.db.to_string_lossy();
    if args.adopt && !is_url(&db) {
        bail!(
            "--adopt gives a copy of a PostgreSQL store its own roles; a SQLite file has none (restore it as docs/restore.md says)"
        );
    }
    if is_url(&db) {
        let location = Location::parse(&db)?;
        if args.adopt {
            return adopt(&location);
        }
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
    let mut store = super::open(app, Open::CreateIfMissing)?;
    super::ensure_administrator(app, store.as_mut())?;
    output::note(format!(
        "Created {}; you ({}) are its administrator.",
        app.db.display(),
        app.operator()
    ));
    Ok(ExitCode::SUCCESS)
}

/// `init --adopt`: the copy found at `location` gets roles of its own.
fn adopt(location: &Location) -> Result<ExitCode> {
    let Some(done) = reown(location)? else {
        output::note(format!(
            "The store in schema {} of database {} already has roles of its own; nothing was changed.",
            location.schema,
            location.database()
        ));
        return Ok(ExitCode::SUCCESS);
    };
    output::note(format!(
        "The store in schema {} of database {} now has roles of its own: {} owns it and {} holds its operators, in place of {} and {} (the other store's, left as they were). Operators given {}: {}.",
        location.schema,
        location.database(),
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
    Ok(ExitCode::SUCCESS)
}
