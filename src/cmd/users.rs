use std::io::Write;
use std::process::ExitCode;

use anyhow::{Result, anyhow, bail};

use crate::App;
use crate::cli::{Format, UserAddArgs, UserChangeArgs, UsersArgs, UsersCommand};
use crate::operator::{
    self, Action, Change, KeyRolesChange, Operator, Permission, Permissions, parse_key_roles,
};
use crate::ops::users::{Changed, Request};
use crate::output::print_table;
use crate::output::{self, JsonArray, sanitize};

pub fn run(app: &App, args: UsersArgs) -> Result<ExitCode> {
    let (action, request) = match args.command {
        UsersCommand::List => return list(app),
        UsersCommand::Add(args) => (Action::UsersAdd, add(args)),
        UsersCommand::Grant(args) => (Action::UsersGrant, change(args, true)),
        UsersCommand::Revoke(args) => (Action::UsersRevoke, change(args, false)),
        UsersCommand::Remove(args) => {
            (Action::UsersRemove, Ok(Request::Remove { name: args.name }))
        }
    };
    // The arguments' error, if any, is told once the acting operator may
    // make the change, and recorded as a refusal.
    match crate::ops::users::change(app, action, request)? {
        Changed::Added {
            operator,
            has_account,
        } => {
            if !has_account {
                output::note(format!(
                    "Note: there is no account {} on this host; it can act only where such an account exists.",
                    sanitize(&operator.name)
                ));
            }
            print_operator(app, "Added operator", &operator)
        }
        Changed::Granted(operator) => print_operator(app, "Granted to operator", &operator),
        Changed::Revoked(operator) => print_operator(app, "Revoked from operator", &operator),
        Changed::Removed(name) => {
            match app.format {
                Format::Json => {
                    output::print_json(&serde_json::json!({ "name": name, "removed": true }))?
                }
                Format::Table => output::note(format!("Removed operator {}.", sanitize(&name))),
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn list(app: &App) -> Result<ExitCode> {
    let store = crate::ops::users::list(app)?;
    let store = store.as_ref();
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

/// The operator `users add` asks for.
fn add(args: UserAddArgs) -> Result<Request> {
    operator::validate_name(&args.name).map_err(|problem| anyhow!(problem))?;
    let key_roles = parse_key_roles(&args.key_roles);
    let permissions = Permissions::new(args.permissions);
    if key_roles.is_some() && !permissions.allows(Permission::Create) {
        bail!(
            "--key-roles limits what an operator may create, but {} gets no create permission; add --permission create",
            args.name
        );
    }
    Ok(Request::Add {
        operator: Operator {
            name: args.name,
            permissions,
            key_roles,
        },
        force: args.force,
    })
}

/// The change `users grant` (`grant`) or `users revoke` asks for.
fn change(args: UserChangeArgs, grant: bool) -> Result<Request> {
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
    let name = args.name;
    Ok(if grant {
        Request::Grant { name, change }
    } else {
        Request::Revoke { name, change }
    })
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
