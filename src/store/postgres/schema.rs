//! Creating the store's schema, checking its format, and upgrading it.
//!
//! A new store is made from one schema (`schema.sql`), format 1.0. Later
//! formats are reached by `MIGRATIONS`, an append-only list applied only
//! by `upgrade` (the `upgrade` command), never by opening a store: an
//! ordinary command refuses a store of an older format, reads one of a
//! newer minor format (changes within a major format are additive), and
//! refuses one of a newer major format or of the pre-release schemas
//! (v1..v14), leaving it untouched.

use std::time::Duration;

use anyhow::{Context, Result, bail};
use postgres::Client;
use postgres::types::Type;

use super::connect::{Location, quote_identifier};
use super::prove::{Proved, prove, prove_in};
use crate::store::Error;
use crate::store::format::{self, Fit, Format, Stored};

/// The schema of a new store, format 1.0. Every function sets
/// `search_path = pg_catalog, @schema@, pg_temp` (the file says why).
const SCHEMA: &str = include_str!("schema.sql");

/// A step from the format before it to `to`: its SQL, run as the store's
/// owner with `@placeholders@` substituted as the schema's are, and the
/// functions it adds (identity signature, SECURITY DEFINER), which the
/// proof of a store of that format then expects.
pub struct Migration {
    pub to: Format,
    /// One line for `upgrade --dry-run`.
    pub what: &'static str,
    pub sql: &'static str,
    pub functions: &'static [(&'static str, bool)],
}

/// The format a new store starts at, as a number (`status` shows it).
pub const SCHEMA_VERSION: i32 = format::CURRENT.stored() as i32;

/// The steps after 1.0, in order. Append only: never edit or remove one.
const MIGRATIONS: &[Migration] = &[];

/// A harmless step to format 1.1 that the test suite adds (debug builds,
/// `INTERGIRO_KEYS_TEST_NEXT_MINOR=1`) to exercise upgrading before a real
/// 1.1 exists: an owner-owned function nothing calls.
#[cfg(debug_assertions)]
const TEST_NEXT_MINOR: Migration = Migration {
    to: Format { major: 1, minor: 1 },
    what: "add the function format_probe() (a test step)",
    sql: "CREATE FUNCTION format_probe() RETURNS integer LANGUAGE sql IMMUTABLE
          SET search_path = pg_catalog, @schema@, pg_temp AS 'SELECT 1';
          REVOKE ALL ON FUNCTION format_probe() FROM PUBLIC;",
    functions: &[("format_probe()", false)],
};

#[cfg(test)]
thread_local! {
    /// `INTERGIRO_KEYS_TEST_NEXT_MINOR` for one test's thread only: the
    /// store tests run side by side in one process.
    pub(super) static NEXT_MINOR_HERE: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// The migrations this build knows, the test step included when asked for.
pub fn migrations() -> Vec<&'static Migration> {
    MIGRATIONS.iter().chain(test_step()).collect()
}

/// The test step, when the test suite asks for it.
#[cfg(debug_assertions)]
fn test_step() -> Option<&'static Migration> {
    let asked =
        std::env::var_os("INTERGIRO_KEYS_TEST_NEXT_MINOR").is_some_and(|value| value == "1");
    #[cfg(test)]
    let asked = asked || NEXT_MINOR_HERE.with(std::cell::Cell::get);
    asked.then_some(&TEST_NEXT_MINOR)
}

#[cfg(not(debug_assertions))]
fn test_step() -> Option<&'static Migration> {
    None
}

/// The format this build makes and upgrades to.
pub fn written() -> Format {
    migrations()
        .last()
        .map_or(format::CURRENT, |migration| migration.to)
}

/// How a store of `stored` fits this build (against `written()`, which
/// the test step may make the next minor format).
pub fn fit(stored: Format) -> Fit {
    stored.fit_to(written())
}

/// The store's version number, or None when the database has no store in
/// that schema.
pub(super) fn stored_version(
    client: &mut impl postgres::GenericClient,
    schema: &str,
) -> Result<Option<i64>> {
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
    Ok(Some(i64::from(row.get::<_, i32>(0))))
}

/// Proves the schema is the store's (`prove`), then refuses a database
/// without a store, a pre-release store, one of an older format (only
/// `upgrade` changes a store's format; with `to_upgrade`, for the command
/// that does, one of an older minor format is let through) and one of a
/// newer major format.
pub fn check_version(
    client: &mut Client,
    location: &Location,
    to_upgrade: bool,
) -> Result<(), Error> {
    match prove(client, location)? {
        Proved::NoSchema => Err(no_store(location)),
        Proved::Version(version) => match usable(location, version) {
            Err(Error::NeedsUpgrade { .. })
                if to_upgrade
                    && matches!(Format::from_stored(version),
                                Stored::Format(stored) if fit(stored) == Fit::OlderMinor) =>
            {
                Ok(())
            }
            other => other.map(drop),
        },
    }
}

/// The format of a store with version number `version`, if this build
/// reads it.
pub(super) fn usable(location: &Location, version: i64) -> Result<Format, Error> {
    let stored = match Format::from_stored(version) {
        Stored::PreRelease(version) => {
            return Err(Error::PreRelease {
                location: location.shown().to_string(),
                version,
            });
        }
        Stored::Format(stored) => stored,
    };
    match fit(stored) {
        Fit::Current | Fit::NewerMinor => Ok(stored),
        Fit::OlderMinor | Fit::OlderMajor => Err(Error::NeedsUpgrade {
            location: location.shown().to_string(),
            from: stored.stored(),
            to: written().stored(),
        }),
        Fit::NewerMajor => Err(newer(location, version)),
    }
}

pub(super) fn no_store(location: &Location) -> Error {
    Error::NoStore {
        location: location.shown().to_string(),
        schema: location.schema.clone(),
    }
}

fn newer(location: &Location, version: i64) -> Error {
    Error::Newer {
        location: location.shown().to_string(),
        version,
        known: written().stored(),
    }
}

/// `sql` of the schema or a migration, for the schema `quoted_schema` and
/// the operators' group role `operators`, its rules substituted.
pub(super) fn substitute(sql: &str, quoted_schema: &str, operators: &str) -> String {
    let mut sql = sql
        .replace("@schema@", quoted_schema)
        .replace("@operators@", &quote_identifier(operators))
        .replace("@operators_literal@", &super::quote_literal(operators));
    for (placeholder, value) in rules() {
        sql = sql.replace(placeholder, &value);
    }
    sql
}

/// The business rules the functions apply, from where the tool defines
/// them, for the placeholders of the schema: never spelled twice.
pub fn rules() -> Vec<(&'static str, String)> {
    use crate::{hash, key, operator, store, token};
    let permissions = operator::Permission::ALL
        .iter()
        .map(|permission| permission.as_str())
        .collect::<Vec<_>>()
        .join("|");
    vec![
        ("@format@", format::CURRENT.stored().to_string()),
        (
            "@lifetime_seconds@",
            key::lifetime().num_seconds().to_string(),
        ),
        // A freeze date further ahead than a renewal gives, clock slack
        // included, counts as frozen (`key::latest_honoured_freeze`).
        (
            "@latest_freeze_seconds@",
            (key::latest_honoured_freeze(chrono::DateTime::UNIX_EPOCH)).to_string(),
        ),
        (
            "@grace_max_seconds@",
            key::max_grace().num_seconds().to_string(),
        ),
        ("@similar_names@", store::SIMILAR_NAMES.to_string()),
        ("@id_length@", token::ID_LEN.to_string()),
        (
            "@id_pattern@",
            format!("^[0-9A-Za-z]{{{}}}$", token::ID_LEN),
        ),
        ("@name_max_chars@", key::NAME_MAX_CHARS.to_string()),
        ("@key_text_pattern@", key::KEY_TEXT_PATTERN.to_string()),
        ("@roles_pattern@", key::roles_pattern()),
        (
            "@permissions_pattern@",
            format!("^(({permissions})(,({permissions}))*)?$"),
        ),
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
    initialize_with_clock(client, location, import, None)
}

/// `initialize`; with `clock`, a store that follows the test clock from
/// that time on (the store suite's).
pub(super) fn initialize_with_clock(
    client: &mut Client,
    location: &Location,
    import: Option<&Import>,
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
    if let Some(version) = ours
        .then(|| stored_version(&mut tx, schema))
        .transpose()?
        .flatten()
    {
        // A store of a format this build does not read says so; any other
        // is there already.
        usable(location, version)?;
        return Err(Error::StoreExists {
            location: location.shown().to_string(),
            schema: schema.clone(),
        }
        .into());
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
    let mut sql = substitute(SCHEMA, &quoted_schema, &operators);
    for migration in migrations() {
        sql.push_str(&substitute(migration.sql, &quoted_schema, &operators));
        sql.push_str(&format!(
            "\nUPDATE schema_version SET version = {};",
            migration.to.stored()
        ));
    }
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
        "{seal_imported}
         DO $$ DECLARE o operator%ROWTYPE; BEGIN
             IF NOT EXISTS (SELECT 1 FROM operator WHERE name = session_user
                            AND 'admin' = ANY (string_to_array(permissions, ','))) THEN
                 INSERT INTO operator VALUES (session_user, 'admin', NULL, _now(), session_user)
                 ON CONFLICT (name) DO UPDATE SET permissions = 'admin', key_roles = NULL
                 RETURNING * INTO o;
                 PERFORM _audit('users add', NULL, 'ok', session_user || ': admin (first administrator: ran {how})',
                                'operator ' || session_user, _operator_seal(o));
             END IF;
         END $$;
         RESET ROLE;
         GRANT {operators} TO SESSION_USER WITH ADMIN OPTION;",
        operators = quote_identifier(&operators),
        // Moved rows are sealed as this store digests them: the seals
        // their entries carry are the old store's.
        seal_imported = if import.is_some() {
            "SELECT _seal_all('sealed as moved here by migrate');"
        } else {
            ""
        },
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Every rule the functions apply is a placeholder the tool fills in:
    /// none is left unfilled, and none of the tool's numbers is spelled in
    /// the SQL itself.
    #[test]
    fn the_schema_spells_no_rule_and_every_placeholder_is_filled() {
        let sql = substitute(SCHEMA, "\"intergiro_keys\"", "ops");
        let left: Vec<&str> = sql
            .split('@')
            .skip(1)
            .step_by(2)
            .filter(|name| name.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
            .collect();
        assert!(left.is_empty(), "unfilled: {left:?}");
        let lifetime = crate::key::lifetime().num_seconds();
        let forbidden = [
            lifetime.to_string(),
            crate::key::LIFETIME_DAYS.to_string() + " *",
            "86400".to_string(),
            crate::key::max_grace().num_seconds().to_string(),
            crate::key::CLOCK_SLACK_SECONDS.to_string(),
            (lifetime + crate::key::CLOCK_SLACK_SECONDS).to_string(),
            "m=".to_string(),
            "t=".to_string(),
            "{12}".to_string(),
        ];
        for literal in &forbidden {
            assert!(
                !SCHEMA.contains(literal.as_str()),
                "schema.sql spells {literal}"
            );
        }
        // And once filled in, they are the tool's.
        assert!(sql.contains(&format!("v_now + {lifetime}")));
        assert!(sql.contains(&format!(
            "p_now + {}",
            lifetime + crate::key::CLOCK_SLACK_SECONDS
        )));
        assert!(sql.contains(&crate::hash::phc_pattern()));
        assert!(sql.contains(&format!(
            "least(greatest(coalesce(p_grace, 0), 0), {})",
            crate::key::max_grace().num_seconds()
        )));
        assert!(sql.contains(&format!(
            "INSERT INTO schema_version VALUES ({}, 'ops')",
            format::CURRENT.stored()
        )));
    }

    /// Appending a step is one entry: the plan lists the steps after a
    /// store's format, in order, and this build writes the last one's.
    #[test]
    fn a_plan_lists_the_steps_after_the_stores_format() {
        NEXT_MINOR_HERE.with(|next| next.set(true));
        let next = Format { major: 1, minor: 1 };
        assert_eq!(written(), next);
        let plan = super::super::upgrade::plan(format::CURRENT);
        assert_eq!((plan.from, plan.to), (format::CURRENT, next));
        assert_eq!(plan.steps.len(), 1);
        assert!(super::super::upgrade::plan(next).steps.is_empty());
        assert_eq!(fit(format::CURRENT), Fit::OlderMinor);
        NEXT_MINOR_HERE.with(|next| next.set(false));
        assert_eq!(written(), format::CURRENT);
        assert_eq!(fit(next), Fit::NewerMinor);
        assert_eq!(fit(Format { major: 2, minor: 0 }), Fit::NewerMajor);
    }
}
