//! Creating the store's schema and checking its version.
//!
//! The schema is versioned like the SQLite one: an append-only list of
//! migrations, the version kept in `schema_version`. A store written by a
//! newer version is refused and left untouched.

use anyhow::{Context, Result, bail};
use postgres::Client;

use super::connect::{Location, quote_identifier};
use crate::store::Error;

/// One entry per version, applied in order. Never edit or remove one.
const MIGRATIONS: &[&str] = &[include_str!("v1.sql")];

/// The schema version this build writes.
pub const SCHEMA_VERSION: i32 = MIGRATIONS.len() as i32;

/// The store's version, or None when the database has no store in that
/// schema.
fn stored_version(client: &mut impl postgres::GenericClient, schema: &str) -> Result<Option<i32>> {
    let table = format!("{}.schema_version", quote_identifier(schema));
    let exists: bool = client
        .query_one("SELECT to_regclass($1) IS NOT NULL", &[&table])?
        .get(0);
    if !exists {
        return Ok(None);
    }
    let row = client.query_one(&format!("SELECT version FROM {table}"), &[])?;
    Ok(Some(row.get(0)))
}

/// Refuses a database without a store, or with a newer or older one.
pub fn check_version(client: &mut Client, location: &Location) -> Result<(), Error> {
    let version = stored_version(client, &location.schema)
        .map_err(|err| anyhow::anyhow!("cannot read the store's version: {err:#}"))?;
    match version {
        None => Err(Error::NoStore {
            location: location.shown().to_string(),
            schema: location.schema.clone(),
        }),
        Some(version) if version > SCHEMA_VERSION => Err(Error::Newer {
            location: location.shown().to_string(),
            version: version.into(),
            known: SCHEMA_VERSION.into(),
        }),
        // Only v1 exists: an older store cannot be met yet. When v2 comes,
        // its administrator upgrades with `init`.
        Some(version) if version < SCHEMA_VERSION => Err(Error::Other(anyhow::anyhow!(
            "the store in database {} has schema v{version}, older than v{SCHEMA_VERSION}",
            location.database()
        ))),
        Some(_) => Ok(()),
    }
}

/// The names of the store's owner role and operators' group role: one pair
/// per database and schema, so that stores sharing a server stay apart.
fn role_names(database: &str, schema: &str) -> Result<(String, String)> {
    let owner = format!("{database}_{schema}_owner");
    let operators = format!("{database}_{schema}_operators");
    if operators.len() > 63 {
        bail!(
            "the role names for this store ({operators}) would be longer than PostgreSQL's 63 bytes; use a shorter database or schema name"
        );
    }
    Ok((owner, operators))
}

/// Creates the store in `location.schema`: a non-login owner role that owns
/// everything, a group role for its operators, the tables and functions,
/// and the calling role as the first administrator. All in one
/// transaction. Needs a role that may create roles and schemas (a database
/// administrator); the operators it adds need neither.
pub fn initialize(client: &mut Client, location: &Location) -> Result<()> {
    let schema = &location.schema;
    let quoted_schema = quote_identifier(schema);
    let database: String = client.query_one("SELECT current_database()", &[])?.get(0);
    let (owner, operators) = role_names(&database, schema)?;
    let mut tx = client.transaction()?;
    match stored_version(&mut tx, schema)? {
        Some(version) if version > SCHEMA_VERSION => {
            return Err(Error::Newer {
                location: location.shown().to_string(),
                version: version.into(),
                known: SCHEMA_VERSION.into(),
            }
            .into());
        }
        Some(_) => {
            return Err(Error::StoreExists {
                location: location.shown().to_string(),
                schema: schema.clone(),
            }
            .into());
        }
        None => {}
    }
    let schema_exists: bool = tx
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)",
            &[schema],
        )?
        .get(0);
    if schema_exists {
        bail!(
            "database {database} already has a schema {schema} that is not a key store; it was left untouched — pick another with ?schema=NAME in the connection URL"
        );
    }
    let sql = MIGRATIONS
        .iter()
        .map(|migration| {
            migration
                .replace("@schema@", &quoted_schema)
                .replace("@operators@", &quote_identifier(&operators))
        })
        .collect::<Vec<_>>()
        .join("\n");
    let steps = format!(
        "DO $$ BEGIN
             IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = {owner_literal}) THEN
                 CREATE ROLE {owner} NOLOGIN;
             END IF;
             IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = {operators_literal}) THEN
                 CREATE ROLE {operators} NOLOGIN;
             END IF;
         END $$;
         GRANT {owner} TO CURRENT_USER;
         CREATE SCHEMA {quoted_schema} AUTHORIZATION {owner};
         SET LOCAL ROLE {owner};
         SET LOCAL search_path = {quoted_schema};
         {sql}
         CREATE TABLE schema_version (version integer NOT NULL, operators_role text NOT NULL);
         INSERT INTO schema_version VALUES ({SCHEMA_VERSION}, {operators_literal});
         GRANT SELECT ON schema_version TO PUBLIC;
         {test_clock}
         INSERT INTO operator VALUES (session_user, 'admin', NULL, _now(), session_user);
         SELECT _audit('users add', NULL, 'ok', session_user || ': admin (first administrator: ran init)');
         RESET ROLE;
         GRANT {operators} TO SESSION_USER WITH ADMIN OPTION;
         REVOKE {owner} FROM CURRENT_USER;",
        test_clock = test_clock(),
        owner = quote_identifier(&owner),
        operators = quote_identifier(&operators),
        owner_literal = super::quote_literal(&owner),
        operators_literal = super::quote_literal(&operators),
    );
    tx.batch_execute(&steps).map_err(|err| match err.as_db_error() {
        Some(db) if db.code().code() == "42501" => anyhow::anyhow!(
            "role {} may not create the store ({}); run init as a role with CREATEROLE and CREATE on database {database}",
            location.user(),
            db.message()
        ),
        _ => anyhow::Error::from(super::explain(err, location)),
    })?;
    tx.commit().context("cannot commit the new store")?;
    Ok(())
}

/// Debug builds (the test suite) make stores that follow the test clock
/// (`INTERGIRO_KEYS_NOW`) from their first audit entry on; release builds
/// never do.
#[cfg(debug_assertions)]
fn test_clock() -> String {
    match std::env::var_os("INTERGIRO_KEYS_NOW") {
        Some(value) => match chrono::DateTime::parse_from_rfc3339(&value.to_string_lossy()) {
            Ok(now) => format!(
                "INSERT INTO setting VALUES ('test_clock', 'on'); SET LOCAL intergiro_keys.now = '{}';",
                now.timestamp()
            ),
            Err(_) => String::new(),
        },
        None => String::new(),
    }
}

#[cfg(not(debug_assertions))]
fn test_clock() -> String {
    String::new()
}
