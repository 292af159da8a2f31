use std::process::ExitCode;

use anyhow::{Result, bail};

use crate::App;
use crate::cli::MigrateArgs;
use crate::operator::Operator;
use crate::output;
use crate::store::postgres::is_url;

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
    let migration = crate::ops::migrate::prepare(app, &args.to)?;
    confirm_grants(app, &args, &migration.existing_roles)?;
    let moved = migration.run()?;
    let (target, import) = (&migration.target, &migration.import);
    output::note(format!(
        "Moved {} keys, {} operators and {} audit entries (chain verified before and after) into schema {} of database {}. {} is left as it was.",
        import.keys.len(),
        import.operators.len(),
        import.audit.len(),
        target.schema,
        target.database(),
        app.db.display()
    ));
    if !moved.without_role.is_empty() {
        output::note(format!(
            "Note: no PostgreSQL role for {}; create each (CREATE ROLE name LOGIN PASSWORD ...), then connect it with `intergiro-keys users grant NAME PERMISSION`.",
            moved.without_role.join(", ")
        ));
    }
    Ok(ExitCode::SUCCESS)
}

/// Names the roles that already exist on the server under the name of an
/// operator being moved (`Migration::existing_roles`) and asks whether to
/// grant them; without a terminal, --yes is required.
fn confirm_grants(app: &App, args: &MigrateArgs, existing: &[Operator]) -> Result<()> {
    let granted: Vec<String> = existing
        .iter()
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
