//! Creating the store's schema and checking its version.
//!
//! The schema is versioned like the SQLite one: an append-only list of
//! migrations, the version kept in `schema_version`. An older store is
//! brought up to date when it is opened, as a SQLite file is; a store
//! written by a newer version is refused and left untouched.

use std::time::Duration;

use anyhow::{Context, Result, bail};
use postgres::Client;
use postgres::types::Type;

use super::connect::{Location, quote_identifier};
use super::prove::{Proved, prove, prove_in};
use crate::store::Error;

/// One entry per version, applied in order. Never edit or remove one.
/// Every function a migration makes or replaces sets
/// `search_path = pg_catalog, @schema@, pg_temp` (v10 says why).
const MIGRATIONS: &[&str] = &[
    include_str!("v1.sql"),
    include_str!("v2.sql"),
    include_str!("v3.sql"),
    include_str!("v4.sql"),
    include_str!("v5.sql"),
    include_str!("v6.sql"),
    include_str!("v7.sql"),
    include_str!("v8.sql"),
    include_str!("v9.sql"),
    include_str!("v10.sql"),
    include_str!("v11.sql"),
    include_str!("v12.sql"),
    include_str!("v13.sql"),
    include_str!("v14.sql"),
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: i32 = MIGRATIONS.len() as i32;

/// The store's version, or None when the database has no store in that
/// schema.
fn stored_version(client: &mut impl postgres::GenericClient, schema: &str) -> Result<Option<i32>> {
    let table = format!("{}.schema_version", quote_identifier(schema));
    let exists: bool = client
        .query_typed_one(
            "SELECT pg_catalog.to_regclass($1) IS NOT NULL",
            &[(&table, Type::TEXT)],
        )?
        .get(0);
    if !exists {
        return Ok(None);
    }
    let row = client.query_typed_one(&format!("SELECT version FROM {table}"), &[])?;
    Ok(Some(row.get(0)))
}

/// Proves the schema is the store's (`prove`), then refuses
/// a database without a store, or with a newer one; brings an older one up
/// to date (`upgrade`) and proves it again.
pub fn check_version(
    client: &mut Client,
    location: &Location,
    busy_timeout: Duration,
) -> Result<(), Error> {
    match prove(client, location)? {
        Proved::NoSchema => Err(no_store(location)),
        Proved::Version(version) if version > SCHEMA_VERSION => Err(newer(location, version)),
        Proved::Version(version) if version < SCHEMA_VERSION => {
            upgrade(client, location, busy_timeout)?;
            match prove(client, location)? {
                Proved::Version(SCHEMA_VERSION) => Ok(()),
                _ => Err(Error::Other(anyhow::anyhow!(
                    "the store at {} changed while it was being upgraded; run the command again",
                    location.shown()
                ))),
            }
        }
        Proved::Version(_) => Ok(()),
    }
}

fn no_store(location: &Location) -> Error {
    Error::NoStore {
        location: location.shown().to_string(),
        schema: location.schema.clone(),
    }
}

fn newer(location: &Location, version: i32) -> Error {
    Error::Newer {
        location: location.shown().to_string(),
        version: version.into(),
        known: SCHEMA_VERSION.into(),
    }
}

/// Applies the migrations an older store lacks, in one transaction, as its
/// owner role, as opening an older SQLite file does. The connecting role
/// must be able to act as the owner: a role with CREATEROLE, such as the
/// one that ran `init`. Any other is refused with the store untouched.
/// Concurrent upgrades queue on an advisory lock; the later ones find the
/// work done, or give up after `busy_timeout`.
fn upgrade(client: &mut Client, location: &Location, busy_timeout: Duration) -> Result<(), Error> {
    let explain = |err: postgres::Error| super::explain(err, location, busy_timeout);
    let mut tx = client.transaction().map_err(explain)?;
    tx.batch_execute(&format!(
        "{} SET LOCAL search_path = pg_catalog, pg_temp;
         SELECT pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext({}))",
        super::lock_wait(busy_timeout),
        super::quote_literal(&format!("intergiro_keys upgrade {}", location.schema))
    ))
    .map_err(explain)?;
    let from = match stored_version(&mut tx, &location.schema)? {
        None => return Err(no_store(location)),
        Some(version) if version > SCHEMA_VERSION => return Err(newer(location, version)),
        Some(version) if version == SCHEMA_VERSION => return Ok(()),
        Some(version) => version,
    };
    let schema = quote_identifier(&location.schema);
    let row = tx
        .query_typed_one(
            &format!(
                "SELECT n.nspowner::regrole::text, v.operators_role,
                        pg_has_role(current_user, n.nspowner, 'MEMBER')
                 FROM pg_namespace n, {schema}.schema_version v WHERE n.nspname = $1"
            ),
            &[(&location.schema, Type::TEXT)],
        )
        .map_err(explain)?;
    let (owner, operators, member): (String, String, bool) = (row.get(0), row.get(1), row.get(2));
    // `owner` comes from regrole, quoted where it needs to be.
    let steps = format!(
        "{grant}
         SET LOCAL ROLE {owner};
         SET LOCAL search_path = {schema};
         {sql}
         UPDATE schema_version SET version = {SCHEMA_VERSION};
         RESET ROLE;
         {revoke}",
        grant = if member {
            String::new()
        } else {
            format!("GRANT {owner} TO CURRENT_USER;")
        },
        revoke = if member {
            String::new()
        } else {
            format!("REVOKE {owner} FROM CURRENT_USER;")
        },
        sql = migrations_sql(from as usize..MIGRATIONS.len(), &schema, &operators),
    );
    tx.batch_execute(&steps)
        .map_err(|err| match err.as_db_error() {
            Some(db) if db.code().code() == "42501" => Error::UpgradeNotAllowed {
                location: location.shown().to_string(),
                role: location.user().to_string(),
                from: from.into(),
                to: SCHEMA_VERSION.into(),
            },
            _ => Error::Other(anyhow::anyhow!(
                "schema migration from v{from} to v{SCHEMA_VERSION} failed: {}",
                super::connect::error_text(&err)
            )),
        })?;
    tx.commit().map_err(explain)?;
    Ok(())
}

/// The SQL of the migrations in `versions` (0 is v1), for the schema
/// `quoted_schema` and the operators' group role `operators`.
fn migrations_sql(
    versions: std::ops::Range<usize>,
    quoted_schema: &str,
    operators: &str,
) -> String {
    MIGRATIONS[versions]
        .iter()
        .map(|migration| {
            let mut sql = migration
                .replace("@schema@", quoted_schema)
                .replace("@operators@", &quote_identifier(operators));
            for (placeholder, value) in rules() {
                sql = sql.replace(placeholder, &value);
            }
            sql
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The business rules the functions apply, from where the tool defines
/// them, for the placeholders of the migrations: never spelled twice.
pub fn rules() -> Vec<(&'static str, String)> {
    use crate::{hash, key, token};
    vec![
        (
            "@lifetime_seconds@",
            (key::LIFETIME_DAYS * 86_400).to_string(),
        ),
        (
            "@grace_max_seconds@",
            key::max_grace().num_seconds().to_string(),
        ),
        ("@id_length@", token::ID_LEN.to_string()),
        (
            "@id_pattern@",
            format!("^[0-9A-Za-z]{{{}}}$", token::ID_LEN),
        ),
        ("@name_max_chars@", key::NAME_MAX_CHARS.to_string()),
        ("@key_text_pattern@", key::KEY_TEXT_PATTERN.to_string()),
        ("@roles_pattern@", key::roles_pattern()),
        ("@hash_pattern@", hash::phc_pattern()),
    ]
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

/// What `migrate` carries into a new store: keys with their hashes,
/// operators by name, and the audit log as it is (its hashes unchanged).
pub struct Import {
    /// Where it came from, for the audit entry that records the move.
    pub source: String,
    pub keys: Vec<(crate::key::ApiKey, String)>,
    pub operators: Vec<crate::operator::Operator>,
    pub audit: Vec<crate::audit::Entry>,
    /// The highest audit sequence number the source ever handed out.
    pub last_seq: i64,
}

/// Creates the store in `location.schema`: a non-login owner role that owns
/// everything, a group role for its operators, the tables and functions,
/// and the calling role as the first administrator. All in one
/// transaction. Needs a role that may create roles and schemas (a database
/// administrator); the operators it adds need neither.
pub fn initialize(client: &mut Client, location: &Location, import: Option<&Import>) -> Result<()> {
    initialize_at(client, location, import, SCHEMA_VERSION, None)
}

/// `initialize`, writing the schema as it was at `version` (older ones are
/// made by the tests of upgrading); with `clock`, a store that follows the
/// test clock from that time on (the store suite's).
pub(super) fn initialize_at(
    client: &mut Client,
    location: &Location,
    import: Option<&Import>,
    version: i32,
    clock: Option<chrono::DateTime<chrono::Utc>>,
) -> Result<()> {
    let schema = &location.schema;
    let quoted_schema = quote_identifier(schema);
    let database: String = client
        .query_typed_one("SELECT pg_catalog.current_database()::text", &[])?
        .get(0);
    let (owner, operators) = role_names(&database, schema)?;
    let mut tx = client.transaction()?;
    // What is there already is read only once proved the store's: a planted
    // schema's view would run its maker's code as this (privileged) role.
    let ours = prove_in(&mut tx, location)?;
    match ours
        .then(|| stored_version(&mut tx, schema))
        .transpose()?
        .flatten()
    {
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
        .query_typed_one(
            "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)",
            &[(schema, Type::TEXT)],
        )?
        .get(0);
    if schema_exists {
        bail!(
            "database {database} already has a schema {schema} that is not a key store; it was left untouched — pick another with ?schema=NAME in the connection URL"
        );
    }
    let sql = migrations_sql(0..version as usize, &quoted_schema, &operators);
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
         INSERT INTO schema_version VALUES ({version}, {operators_literal});
         GRANT SELECT ON schema_version TO PUBLIC;
         {test_clock}",
        test_clock = match clock {
            Some(now) => clock_sql(now.timestamp()),
            None => test_clock(),
        },
        owner = quote_identifier(&owner),
        operators = quote_identifier(&operators),
        owner_literal = super::quote_literal(&owner),
        operators_literal = super::quote_literal(&operators),
    );
    let how = if import.is_some() { "migrate" } else { "init" };
    let finish = format!(
        "DO $$ BEGIN
             IF NOT EXISTS (SELECT 1 FROM operator WHERE name = session_user
                            AND 'admin' = ANY (string_to_array(permissions, ','))) THEN
                 INSERT INTO operator VALUES (session_user, 'admin', NULL, _now(), session_user)
                 ON CONFLICT (name) DO UPDATE SET permissions = 'admin', key_roles = NULL;
                 PERFORM _audit('users add', NULL, 'ok', session_user || ': admin (first administrator: ran {how})');
             END IF;
         END $$;
         RESET ROLE;
         GRANT {operators} TO SESSION_USER WITH ADMIN OPTION;",
        operators = quote_identifier(&operators),
    );
    let result = tx
        .batch_execute(&steps)
        .and_then(|()| match import {
            Some(import) => import_rows(&mut tx, import),
            None => Ok(()),
        })
        .and_then(|()| tx.batch_execute(&finish))
        .and_then(|()| match import {
            Some(import) => grant_imported(&mut tx, &operators, import),
            None => Ok(()),
        })
        .and_then(|()| {
            tx.batch_execute(&format!(
                "REVOKE {} FROM CURRENT_USER",
                quote_identifier(&owner)
            ))
        });
    result.map_err(|err| match err.as_db_error() {
        Some(db) if db.code().code() == "42501" => anyhow::anyhow!(
            "role {} may not create the store ({}); run init as a role with CREATEROLE and CREATE on database {database}",
            location.user(),
            db.message()
        ),
        // This session sets no lock_timeout, so no lock runs out.
        _ => anyhow::Error::from(super::explain(err, location, Duration::MAX)),
    })?;
    tx.commit().context("cannot commit the new store")?;
    Ok(())
}

/// Writes the imported rows as the owner, inside the new store's
/// transaction, then records the move in the audit log.
fn import_rows(tx: &mut postgres::Transaction, import: &Import) -> Result<(), postgres::Error> {
    // Unnamed statements with their types, as everywhere: nothing a
    // transaction pooler could mix up between clients.
    let (text, int8, bool) = (Type::TEXT, Type::INT8, Type::BOOL);
    for (key, hash) in &import.keys {
        tx.query_typed(
            "INSERT INTO api_key (id, name, roles, secret_hash, created_at, renewed_at, freezes_at, issued,
                                  retires_at, replaced_by, last_used_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            &[
                (&key.id, text.clone()),
                (&key.name, text.clone()),
                (&key.roles.to_string(), text.clone()),
                (hash, text.clone()),
                (&key.created_at.timestamp(), int8.clone()),
                (&key.renewed_at.timestamp(), int8.clone()),
                (&key.freezes_at.timestamp(), int8.clone()),
                (&key.issued, bool.clone()),
                (&key.retires_at.map(|at| at.timestamp()), int8.clone()),
                (&key.replaced_by, text.clone()),
                (&key.last_used_at.map(|at| at.timestamp()), int8.clone()),
            ],
        )?;
    }
    for operator in &import.operators {
        tx.query_typed(
            "INSERT INTO operator VALUES ($1, $2, $3, _now(), session_user)",
            &[
                (&operator.name, text.clone()),
                (&operator.permissions.to_string(), text.clone()),
                (
                    &operator.key_roles.as_ref().map(|roles| roles.to_string()),
                    text.clone(),
                ),
            ],
        )?;
    }
    for entry in &import.audit {
        let record = &entry.record;
        tx.query_typed(
            "INSERT INTO audit VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            &[
                (&entry.seq, int8.clone()),
                (&record.at.timestamp(), int8.clone()),
                (&record.operator, text.clone()),
                (&record.action, text.clone()),
                (&record.key_id, text.clone()),
                (&record.outcome, text.clone()),
                (&record.detail, text.clone()),
                (&entry.prev_hash, text.clone()),
                (&entry.hash, text.clone()),
                (&entry.seal.as_ref().map(|seal| &seal.subject), text.clone()),
                (&entry.seal.as_ref().map(|seal| &seal.digest), text.clone()),
            ],
        )?;
    }
    let head = import
        .audit
        .last()
        .map_or(crate::audit::GENESIS.to_string(), |entry| {
            entry.hash.clone()
        });
    tx.query_typed(
        "UPDATE audit_head SET last_seq = $1, last_hash = $2",
        &[(&import.last_seq, int8), (&head, text.clone())],
    )?;
    let detail = format!(
        "moved {} keys, {} operators and {} audit entries from {}",
        import.keys.len(),
        import.operators.len(),
        import.audit.len(),
        import.source
    );
    tx.query_typed(
        "SELECT _audit('migrate', NULL, 'ok', $1)",
        &[(&detail, text)],
    )?;
    Ok(())
}

/// Grants the operators' group role to each imported operator whose login
/// role exists (an administrator's WITH ADMIN OPTION).
fn grant_imported(
    tx: &mut postgres::Transaction,
    group: &str,
    import: &Import,
) -> Result<(), postgres::Error> {
    for operator in &import.operators {
        let exists: bool = tx
            .query_typed_one(super::ROLE_EXISTS, &[(&operator.name, Type::TEXT)])?
            .get(0);
        if exists {
            let admin = if operator.permissions.is_admin() {
                " WITH ADMIN OPTION"
            } else {
                ""
            };
            tx.batch_execute(&format!(
                "GRANT {} TO {}{admin}",
                quote_identifier(group),
                quote_identifier(&operator.name)
            ))?;
        }
    }
    Ok(())
}

/// Debug builds (the test suite) make stores that follow the test clock
/// (`INTERGIRO_KEYS_NOW`) from their first audit entry on; release builds
/// never do.
#[cfg(debug_assertions)]
fn test_clock() -> String {
    match std::env::var_os("INTERGIRO_KEYS_NOW") {
        Some(value) => match chrono::DateTime::parse_from_rfc3339(&value.to_string_lossy()) {
            Ok(now) => clock_sql(now.timestamp()),
            Err(_) => String::new(),
        },
        None => String::new(),
    }
}

#[cfg(not(debug_assertions))]
fn test_clock() -> String {
    String::new()
}

/// Marks the new store as following the test clock, set to `now`.
fn clock_sql(now: i64) -> String {
    format!(
        "INSERT INTO setting VALUES ('test_clock', 'on'); SET LOCAL intergiro_keys.now = '{now}';"
    )
}
