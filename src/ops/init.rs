//! `init`: a new, empty store with its first administrator; or, with
//! `adopt`, a copy of a PostgreSQL store restored into another database
//! given roles of its own.

use anyhow::{Result, bail};

use crate::App;
use crate::ops::{ensure_administrator, open};
use crate::store::postgres::{Location, PgStore, Reowned, is_url, reown};
use crate::store::{Open, Store};

/// The store `init` made, or adopted.
pub enum Initialized {
    /// A schema on a PostgreSQL server, administered by the login role that
    /// made it.
    Postgres {
        schema: String,
        database: String,
        administrator: String,
    },
    /// A copy of another PostgreSQL store, now with roles of its own (None:
    /// it had them already, and nothing was changed).
    Adopted {
        schema: String,
        database: String,
        reowned: Option<Reowned>,
    },
    /// A database file, administered by the account that made it.
    File,
}

/// Creates the store `app.db` names, which must not exist yet; with
/// `adopt`, gives the PostgreSQL store found there roles of its own.
pub fn init(app: &App, adopt: bool) -> Result<Initialized> {
    let db = app.db.to_string_lossy();
    if adopt && !is_url(&db) {
        bail!(
            "--adopt gives a copy of a PostgreSQL store its own roles; a SQLite file has none (restore it as docs/restore.md says)"
        );
    }
    if is_url(&db) {
        let location = Location::parse(&db)?;
        if adopt {
            return Ok(Initialized::Adopted {
                reowned: reown(&location)?,
                database: location.database(),
                schema: location.schema,
            });
        }
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
