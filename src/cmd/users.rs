use std::io::Write;
use std::process::ExitCode;

use anyhow::{Result, anyhow, bail};

use crate::App;
use crate::cli::{Format, UserAddArgs, UserChangeArgs, UsersArgs, UsersCommand};
use crate::operator::{
    self, Action, Change, KeyRolesChange, Operator, Permission, Permissions, parse_key_roles,
};
use crate::ops::{open_authorized, record_refused};
use crate::output::print_table;
use crate::output::{self, JsonArray, sanitize};
use crate::store::{self, Store};

pub fn run(app: &App, args: UsersArgs) -> Result<ExitCode> {
    let action = match &args.command {
        UsersCommand::List => Action::UsersList,
        UsersCommand::Add(_) => Action::UsersAdd,
        UsersCommand::Grant(_) => Action::UsersGrant,
        UsersCommand::Revoke(_) => Action::UsersRevoke,
        UsersCommand::Remove(_) => Action::UsersRemove,
    };
    let mut store = open_authorized(app, action)?;
    let result = match args.command {
        UsersCommand::List => list(app, store.as_ref()),
        UsersCommand::Add(args) => add(app, store.as_mut(), args),
        UsersCommand::Grant(args) => change(app, store.as_mut(), args, true),
        UsersCommand::Revoke(args) => change(app, store.as_mut(), args, false),
        UsersCommand::Remove(args) => remove(store.as_mut(), &args.name, app),
    };
    if let Err(err) = &result {
        // A change refused by a rule (the last administrator, an unknown
        // operator, a bad name) is recorded like a refused permission.
        if action.permission() == Permission::Admin {
            record_refused(store.as_mut(), action, None, err, app.actor());
        }
    }
    result
}

fn list(app: &App, store: &dyn Store) -> Result<ExitCode> {
    match app.format {
        Format::Json => {
            let mut array = JsonArray::new(output::stdout())?;
            store.each_operator(&mut |operator| array.push(&operator))?;
            array.finish()?.flush()?;
        }
        Format::Table => {
            let rows = |row: &mut dyn FnMut(&[String]) -> Result<()>| -> Result<()> {
                Ok(store.each_operator(&mut |operator| {
                    row(&[
                        sanitize(&operator.name).into_owned(),
                        operator.permissions.to_string(),
                        operator
                            .key_roles
                            .as_ref()
                            .map_or_else(|| "any".to_string(), |roles| roles.to_string()),
                    ])
                })?)
            };
            print_table(app, output::operator_columns(), &rows)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn add(app: &App, store: &mut dyn Store, args: UserAddArgs) -> Result<ExitCode> {
    operator::validate_name(&args.name).map_err(|problem| anyhow!(problem))?;
    let key_roles = parse_key_roles(&args.key_roles);
    let permissions = Permissions::new(args.permissions);
    if key_roles.is_some() && !permissions.allows(Permission::Create) {
        bail!(
            "--key-roles limits what an operator may create, but {} gets no create permission; add --permission create",
            args.name
        );
    }
    // Operators are this host's accounts, unless the store authenticates
    // its callers itself (PostgreSQL roles): then no account is looked up.
    let exists = store.session_operator().is_some() || operator::account_exists(&args.name);
    if permissions.is_admin() && !exists && !args.force {
        bail!(
            "there is no account {} on this host, so it could never act as administrator here; check the name, or pass --force to add it anyway",
            sanitize(&args.name)
        );
    }
    let operator = Operator {
        name: args.name,
        permissions,
        key_roles,
    };
    store.add_operator(&operator, app.actor())?;
    if !exists {
        output::note(format!(
            "Note: there is no account {} on this host; it can act only where such an account exists.",
            sanitize(&operator.name)
        ));
    }
    print_operator(app, "Added operator", &operator)
}

fn change(app: &App, store: &mut dyn Store, args: UserChangeArgs, grant: bool) -> Result<ExitCode> {
    let permissions = Permissions::new(args.permissions);
    let key_roles = parse_key_roles(&args.key_roles);
    if !grant && (key_roles.is_some() || args.any_key_role) {
        bail!(
            "--key-roles and --any-key-role go with `users grant`; to stop an operator creating keys, revoke create"
        );
    }
    if permissions.is_empty() && key_roles.is_none() && !args.any_key_role {
        bail!(
            "name the permissions to {}: verify, view, create, renew, delete or admin",
            if grant { "grant" } else { "revoke" }
        );
    }
    let change = if grant {
        Change::Grant {
            permissions,
            key_roles: match (key_roles, args.any_key_role) {
                (_, true) => KeyRolesChange::Any,
                (Some(roles), false) => KeyRolesChange::Limit(roles),
                (None, false) => KeyRolesChange::Keep,
            },
        }
    } else {
        Change::Revoke { permissions }
    };
    if let Some(current) = store.operator(&args.name)?
        && current.permissions.is_admin()
        && !change.apply(&current).permissions.is_admin()
    {
        keep_an_administrator(store, &store::operators(store)?, &current.name)?;
    }
    let updated = store.change_operator(&args.name, &change, app.actor())?;
    print_operator(
        app,
        if grant {
            "Granted to operator"
        } else {
            "Revoked from operator"
        },
        &updated,
    )
}

fn remove(store: &mut dyn Store, name: &str, app: &App) -> Result<ExitCode> {
    let operators = store::operators(store)?;
    if operators
        .iter()
        .any(|op| op.name == name && op.permissions.is_admin())
    {
        keep_an_administrator(store, &operators, name)?;
    }
    store.remove_operator(name, app.actor())?;
    match app.format {
        Format::Json => output::print_json(&serde_json::json!({ "name": name, "removed": true }))?,
        Format::Table => output::note(format!("Removed operator {}.", sanitize(name))),
    }
    Ok(ExitCode::SUCCESS)
}

/// Refuses to let `leaving` stop being an administrator unless another
/// administrator is an account that exists here: an administrator named
/// after no account (a typo, a deleted user) can never act.
fn keep_an_administrator(store: &dyn Store, operators: &[Operator], leaving: &str) -> Result<()> {
    if store.session_operator().is_some() {
        // Roles of the server, not accounts of this host: the store keeps
        // its last administrator itself.
        return Ok(());
    }
    let others: Vec<&Operator> = operators
        .iter()
        .filter(|op| op.name != leaving && op.permissions.is_admin())
        .collect();
    if others.iter().any(|op| operator::account_exists(&op.name)) {
        return Ok(());
    }
    let absent: Vec<String> = others
        .iter()
        .map(|op| sanitize(&op.name).into_owned())
        .collect();
    bail!(
        "that would leave no administrator with an account on this host{}; make an existing account an administrator first (`intergiro-keys users grant NAME admin`); nothing was changed",
        if absent.is_empty() {
            String::new()
        } else {
            format!(" ({} has none)", absent.join(", "))
        }
    )
}

fn print_operator(app: &App, verb: &str, operator: &Operator) -> Result<ExitCode> {
    match app.format {
        Format::Json => output::print_json(operator)?,
        Format::Table => output::print_line(format!(
            "{verb} {}: now has {}{}.",
            sanitize(&operator.name),
            if operator.permissions.is_empty() {
                "no permissions".to_string()
            } else {
                operator.permissions.to_string()
            },
            operator
                .key_roles
                .as_ref()
                .map(|roles| format!(" (new keys limited to {roles})"))
                .unwrap_or_default()
        ))?,
    }
    Ok(ExitCode::SUCCESS)
}
