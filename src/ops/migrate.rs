//! `migrate`: a SQLite store moved into a new PostgreSQL schema, its audit
//! chain verified before and after. Between reading the source
//! (`prepare`) and moving it (`Migration::run`) the command may ask
//! whether roles that already exist on the server may be granted the
//! operators' permissions.

use anyhow::{Context, Result, bail};

use crate::App;
use crate::operator::{Action, Operator};
use crate::ops::open_authorized;
use crate::store::postgres::{Import, Location, PgStore};
use crate::store::{self, AuditFilter, KeyFilter};
use crate::text::sanitize;

/// A store read and checked, ready to move.
pub struct Migration {
    pub target: Location,
    pub import: Import,
    /// The operators being moved whose name is already a role on the
    /// server: each would be granted the store's permissions (the
    /// operators' group role, with ADMIN OPTION for an administrator),
    /// which a role that merely shares a name with an account of the
    /// SQLite host must not get unasked.
    pub existing_roles: Vec<Operator>,
}

/// What the move did.
pub struct Moved {
    /// The operators that have no login role on the server yet.
    pub without_role: Vec<String>,
}

/// Reads the store `app.db` names (a SQLite file the acting operator may
/// migrate) whole, once its audit chain verifies and no row was changed
/// outside the tool (the PostgreSQL store keeps no seals, so such a row
/// would arrive as true).
pub fn prepare(app: &App, to: &str) -> Result<Migration> {
    let target = Location::parse(to)?;
    let source = open_authorized(app, Action::Migrate)?;
    if source.session_operator().is_some() {
        bail!("--db is already a PostgreSQL store; migrate moves a SQLite file into one");
    }

    let before = store::verify_audit(source.as_ref())?;
    if let Err(broken) = &before.intact {
        bail!(
            "the audit log of {} is broken at entry {} ({}); nothing was moved — see `intergiro-keys audit --verify`",
            app.db.display(),
            broken.seq,
            broken.problem
        );
    }
    // A row changed outside intergiro-keys is evidence here only: the
    // PostgreSQL store keeps no seals, so it would arrive as true.
    if !before.tampered.is_empty() {
        let rows: Vec<String> = before
            .tampered
            .iter()
            .map(|row| format!("{} ({})", sanitize(&row.subject), row.problem))
            .collect();
        bail!(
            "{} of {} changed outside intergiro-keys: {}; nothing was moved — see `intergiro-keys audit --verify`, then delete such a key, or remove and add such an operator again",
            if rows.len() == 1 { "a row" } else { "rows" },
            app.db.display(),
            rows.join("; ")
        );
    }
    let mut keys = Vec::new();
    let mut missing = Vec::new();
    source.each_key(&KeyFilter::default(), &mut |key| {
        missing.push(key.id);
        Ok(())
    })?;
    for id in missing {
        let stored = source
            .find_key(&id)?
            .with_context(|| format!("key {id} vanished while it was being moved; try again"))?;
        keys.push((stored.key, stored.secret_hash));
    }
    let operators = store::operators(source.as_ref())?;
    let mut audit = Vec::new();
    source.each_audit_entry(&AuditFilter::default(), &mut |entry| {
        audit.push(entry);
        Ok(())
    })?;
    let import = Import {
        source: app.db.display().to_string(),
        last_seq: source.last_audit_seq()?,
        keys,
        operators,
        audit,
    };
    let existing_roles = existing_roles(&target, &import.operators)?;
    Ok(Migration {
        target,
        import,
        existing_roles,
    })
}

impl Migration {
    /// Creates the schema with everything read, and verifies the moved
    /// audit chain.
    pub fn run(&self) -> Result<Moved> {
        let (target, import) = (&self.target, &self.import);
        let moved = PgStore::initialize_with(target, Some(import))?;
        let after = store::verify_audit(&moved)?;
        if let Err(broken) = &after.intact {
            bail!(
                "the moved audit log does not verify at entry {} ({}); drop the schema {} and report this",
                broken.seq,
                broken.problem,
                target.schema
            );
        }
        let without_role = import
            .operators
            .iter()
            .map(|operator| operator.name.clone())
            .filter(|name| !role_exists(&moved, name))
            .collect();
        Ok(Moved { without_role })
    }
}

/// Whether the moved operator `name` can log in: a member of the store's
/// group role has a role.
fn role_exists(store: &PgStore, name: &str) -> bool {
    store.role_exists(name).unwrap_or(false)
}

/// The operators whose name is already a role on the server at `target`.
fn existing_roles(target: &Location, operators: &[Operator]) -> Result<Vec<Operator>> {
    if operators.is_empty() {
        return Ok(Vec::new());
    }
    let mut client = target.connect()?;
    let names: Vec<&str> = operators
        .iter()
        .map(|operator| operator.name.as_str())
        .collect();
    let existing: Vec<String> = client
        .query_typed(
            "SELECT rolname::text FROM pg_catalog.pg_roles
             WHERE rolname::text OPERATOR(pg_catalog.=) ANY ($1)",
            &[(&names, postgres::types::Type::TEXT_ARRAY)],
        )
        .map_err(|err| anyhow::anyhow!("cannot read the server's roles: {err}"))?
        .iter()
        .map(|row| row.get(0))
        .collect();
    drop(client);
    Ok(operators
        .iter()
        .filter(|operator| existing.contains(&operator.name))
        .cloned()
        .collect())
}
