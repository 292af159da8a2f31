use std::process::ExitCode;

use anyhow::{Context, Result, bail};

use crate::App;
use crate::cli::MigrateArgs;
use crate::operator::Action;
use crate::output;
use crate::store::postgres::{Import, Location, PgStore, is_url};
use crate::store::{self, AuditFilter, KeyFilter};

pub fn run(app: &App, args: MigrateArgs) -> Result<ExitCode> {
    if !is_url(&args.to) {
        bail!(
            "--to takes a PostgreSQL URL (postgresql://user@host/database), not {:?}",
            output::sanitize(&args.to)
        );
    }
    if crate::store::postgres::url_has_password(&args.to) {
        output::note(crate::PASSWORD_ON_COMMAND_LINE);
    }
    let target = Location::parse(&args.to)?;
    let source = crate::ops::open_authorized(app, Action::Migrate)?;
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
            .map(|row| format!("{} ({})", output::sanitize(&row.subject), row.problem))
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

    confirm_grants(app, &args, &target, &import.operators)?;
    let moved = PgStore::initialize_with(&target, Some(&import))?;
    let after = store::verify_audit(&moved)?;
    if let Err(broken) = &after.intact {
        bail!(
            "the moved audit log does not verify at entry {} ({}); drop the schema {} and report this",
            broken.seq,
            broken.problem,
            target.schema
        );
    }
    let without_role: Vec<&str> = import
        .operators
        .iter()
        .map(|operator| operator.name.as_str())
        .filter(|name| !role_exists(&moved, name))
        .collect();
    output::note(format!(
        "Moved {} keys, {} operators and {} audit entries (chain verified before and after) into schema {} of database {}. {} is left as it was.",
        import.keys.len(),
        import.operators.len(),
        import.audit.len(),
        target.schema,
        target.database(),
        app.db.display()
    ));
    if !without_role.is_empty() {
        output::note(format!(
            "Note: no PostgreSQL role for {}; create each (CREATE ROLE name LOGIN PASSWORD ...), then connect it with `intergiro-keys users grant NAME PERMISSION`.",
            without_role.join(", ")
        ));
    }
    Ok(ExitCode::SUCCESS)
}

/// Whether the moved operator `name` can log in: a member of the store's
/// group role has a role.
fn role_exists(store: &PgStore, name: &str) -> bool {
    store.role_exists(name).unwrap_or(false)
}

/// Lists the roles that already exist on the server under the name of an
/// operator being moved: each will be granted the store's permissions (the
/// operators' group role, with ADMIN OPTION for an administrator), which a
/// role that merely shares a name with an account of the SQLite host must
/// not get unasked. Asks on a terminal; without one, --yes is required.
fn confirm_grants(
    app: &App,
    args: &MigrateArgs,
    target: &Location,
    operators: &[crate::operator::Operator],
) -> Result<()> {
    if operators.is_empty() {
        return Ok(());
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
    let granted: Vec<String> = operators
        .iter()
        .filter(|operator| existing.contains(&operator.name))
        .map(|operator| {
            format!(
                "{} ({})",
                output::sanitize(&operator.name),
                operator.permissions
            )
        })
        .collect();
    if granted.is_empty() || args.yes {
        return Ok(());
    }
    let list = granted.join(", ");
    let said = format!(
        "PostgreSQL {} {list} already {} on the server and would be given {} permissions in the store",
        if granted.len() == 1 { "role" } else { "roles" },
        if granted.len() == 1 {
            "exists"
        } else {
            "exist"
        },
        if granted.len() == 1 {
            "these"
        } else {
            "their operators'"
        },
    );
    if !app.interactive {
        bail!(
            "{said}; make sure each is the operator of that name, then run again with --yes; nothing was moved"
        );
    }
    output::note(format!("{said}."));
    if !crate::prompt::confirm("Grant them and move the store?")? {
        bail!("nothing was moved");
    }
    Ok(())
}
