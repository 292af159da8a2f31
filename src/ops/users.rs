//! `users`: the operators of the store and what each may do. Every change
//! needs the admin permission; a change refused by a rule (the last
//! administrator, an unknown operator, a bad name) is recorded like a
//! refused permission.

use anyhow::{Result, bail};

use crate::App;
use crate::operator::{self, Action, Change, Operator};
use crate::ops::{open_authorized, record_refused};
use crate::store::{self, Store};
use crate::text::sanitize;

/// A change to the operators, as the command understood its arguments.
pub enum Request {
    /// `force`: even an administrator named after no account here.
    Add {
        operator: Operator,
        force: bool,
    },
    Grant {
        name: String,
        change: Change,
    },
    Revoke {
        name: String,
        change: Change,
    },
    Remove {
        name: String,
    },
}

impl Request {
    fn action(&self) -> Action {
        match self {
            Request::Add { .. } => Action::UsersAdd,
            Request::Grant { .. } => Action::UsersGrant,
            Request::Revoke { .. } => Action::UsersRevoke,
            Request::Remove { .. } => Action::UsersRemove,
        }
    }
}

/// What a change did.
pub enum Changed {
    /// `has_account`: whether an account of that name exists here (or the
    /// store knows its callers itself), without which it can never act.
    Added {
        operator: Operator,
        has_account: bool,
    },
    Granted(Operator),
    Revoked(Operator),
    Removed(String),
}

/// The store, once the acting operator may list the operators.
pub fn list(app: &App) -> Result<Box<dyn Store>> {
    open_authorized(app, Action::UsersList)
}

/// Authorizes `action`, then makes the change `request` asks (or refuses
/// the arguments' error it holds), recording a refusal.
pub fn change(app: &App, action: Action, request: Result<Request>) -> Result<Changed> {
    let mut store = open_authorized(app, action)?;
    let changed = request.and_then(|request| {
        debug_assert_eq!(request.action(), action);
        apply(app, store.as_mut(), request)
    });
    if let Err(err) = &changed {
        record_refused(store.as_mut(), action, None, err, app.actor());
    }
    changed
}

fn apply(app: &App, store: &mut dyn Store, request: Request) -> Result<Changed> {
    match request {
        Request::Add { operator, force } => {
            // Operators are this host's accounts, unless the store
            // authenticates its callers itself (PostgreSQL roles): then no
            // account is looked up.
            let has_account =
                store.session_operator().is_some() || operator::account_exists(&operator.name);
            if operator.permissions.is_admin() && !has_account && !force {
                bail!(
                    "there is no account {} on this host, so it could never act as administrator here; check the name, or pass --force to add it anyway",
                    sanitize(&operator.name)
                );
            }
            store.add_operator(&operator, app.actor())?;
            Ok(Changed::Added {
                operator,
                has_account,
            })
        }
        Request::Grant { name, change } => {
            Ok(Changed::Granted(changed(app, store, &name, &change)?))
        }
        Request::Revoke { name, change } => {
            Ok(Changed::Revoked(changed(app, store, &name, &change)?))
        }
        Request::Remove { name } => {
            let operators = store::operators(store)?;
            if operators
                .iter()
                .any(|op| op.name == name && op.permissions.is_admin())
            {
                keep_an_administrator(store, &operators, &name)?;
            }
            store.remove_operator(&name, app.actor())?;
            Ok(Changed::Removed(name))
        }
    }
}

fn changed(app: &App, store: &mut dyn Store, name: &str, change: &Change) -> Result<Operator> {
    if let Some(current) = store.operator(name)?
        && current.permissions.is_admin()
        && !change.apply(&current).permissions.is_admin()
    {
        keep_an_administrator(store, &store::operators(store)?, &current.name)?;
    }
    Ok(store.change_operator(name, change, app.actor())?)
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
