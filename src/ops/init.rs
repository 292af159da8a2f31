//! `init`: a new, empty store with its first administrator.

use anyhow::{Result, bail};

use crate::App;
use crate::ops::{ensure_administrator, open};
use crate::store::postgres::{Location, PgStore, is_url};
use crate::store::{Open, Store};

/// The store `init` made.
pub enum Initialized {
    /// A schema on a PostgreSQL server, administered by the login role that
    /// made it.
    Postgres {
        schema: String,
        database: String,
        administrator: String,
    },
    /// A database file, administered by the account that made it.
    File,
}

/// Creates the store `app.db` names, which must not exist yet.
pub fn init(app: &App) -> Result<Initialized> {
    let db = app.db.to_string_lossy();
    if is_url(&db) {
        let location = Location::parse(&db)?;
        let store = PgStore::initialize(&location)?;
        return Ok(Initialized::Postgres {
            administrator: store.session_operator().unwrap_or_default().to_string(),
            database: location.database(),
            schema: location.schema,
        });
    }
    if app.db.exists() {
        bail!("{} already exists; nothing was changed", app.db.display());
    }
    let mut store = open(app, Open::CreateIfMissing)?;
    ensure_administrator(app, store.as_mut())?;
    Ok(Initialized::File)
}
