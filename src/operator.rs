//! Operators: the people who administer keys, and what each may do.
//!
//! The acting operator is the operating-system account of the process,
//! resolved from its real user id, never from an environment variable.

use std::fmt;
use std::str::FromStr;

use anyhow::Result;
use serde::Serialize;

use crate::key::{Role, Roles};

mod action;
mod change;

pub use action::Action;
pub use change::{Change, KeyRolesChange};

/// What an operator may do. `admin` holds all of them and manages operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, clap::ValueEnum)]
pub enum Permission {
    /// Verify keys and run `check`, nothing else: for CI and monitoring
    /// roles on PostgreSQL (on SQLite these need no permission)
    Verify,
    /// See keys (`list`) and the audit log
    View,
    /// Create keys (`create`), possibly limited to some key roles
    Create,
    /// Renew keys (`renew`)
    Renew,
    /// Delete keys (`delete`)
    Delete,
    /// Everything above, and manage operators (`users`)
    Admin,
}

impl Permission {
    pub const ALL: [Permission; 6] = [
        Permission::Verify,
        Permission::View,
        Permission::Create,
        Permission::Renew,
        Permission::Delete,
        Permission::Admin,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Permission::Verify => "verify",
            Permission::View => "view",
            Permission::Create => "create",
            Permission::Renew => "renew",
            Permission::Delete => "delete",
            Permission::Admin => "admin",
        }
    }
}

impl fmt::Display for Permission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Permission {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// A set of permissions, sorted and without duplicates.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Permissions(Vec<Permission>);

impl Permissions {
    pub fn new(permissions: impl IntoIterator<Item = Permission>) -> Self {
        let mut permissions: Vec<Permission> = permissions.into_iter().collect();
        permissions.sort();
        permissions.dedup();
        Permissions(permissions)
    }

    pub fn iter(&self) -> impl Iterator<Item = Permission> + '_ {
        self.0.iter().copied()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn is_admin(&self) -> bool {
        self.0.contains(&Permission::Admin)
    }

    /// Whether these permissions allow `wanted`: admin allows everything.
    pub fn allows(&self, wanted: Permission) -> bool {
        self.is_admin() || self.0.contains(&wanted)
    }

    pub fn with(&self, added: &Permissions) -> Permissions {
        Permissions::new(self.iter().chain(added.iter()))
    }

    pub fn without(&self, removed: &Permissions) -> Permissions {
        Permissions::new(self.iter().filter(|p| !removed.0.contains(p)))
    }
}

impl fmt::Display for Permissions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.0.iter().map(|p| p.as_str()).collect();
        f.write_str(&names.join(","))
    }
}

impl FromStr for Permissions {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        s.split(',')
            .filter(|part| !part.is_empty())
            .map(|part| {
                Permission::ALL
                    .into_iter()
                    .find(|p| p.as_str() == part)
                    .ok_or_else(|| format!("unknown permission {part:?}"))
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Permissions::new)
    }
}

/// An operator as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Operator {
    pub name: String,
    pub permissions: Permissions,
    /// The key roles this operator may give new keys; `None`: any role.
    pub key_roles: Option<Roles>,
}

/// Why an operator may not do something.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    NotAnOperator,
    Missing(Permission),
    RolesNotAllowed { allowed: Roles, refused: Roles },
}

impl Operator {
    /// Whether this operator may do what needs `permission`.
    pub fn authorize(&self, permission: Permission) -> Result<(), Refusal> {
        if self.permissions.allows(permission) {
            Ok(())
        } else {
            Err(Refusal::Missing(permission))
        }
    }

    /// Whether this operator may create a key with `roles`.
    pub fn authorize_create(&self, roles: &Roles) -> Result<(), Refusal> {
        self.authorize(Permission::Create)?;
        match &self.key_roles {
            Some(allowed) if !self.permissions.is_admin() => {
                let refused = allowed.missing(roles);
                if refused.is_empty() {
                    Ok(())
                } else {
                    Err(Refusal::RolesNotAllowed {
                        allowed: allowed.clone(),
                        refused,
                    })
                }
            }
            _ => Ok(()),
        }
    }
}

/// Whether a set of operators keeps at least one administrator: a store
/// never loses its last one.
pub fn has_administrator(mut permissions: impl Iterator<Item = Permissions>) -> bool {
    permissions.any(|permissions| permissions.is_admin())
}

/// Who becomes the first administrator of a store without operators: the
/// acting operator when it runs as the account that owns the store (or the
/// store has no owning account), otherwise that owner, so that whoever
/// happens to run first cannot take over someone else's database.
pub fn first_administrator(acting: &str, acting_uid: u32, owner_uid: Option<u32>) -> String {
    match owner_uid {
        Some(owner) if owner != acting_uid => account_name(owner),
        _ => acting.to_string(),
    }
}

impl Refusal {
    /// One line naming the operator, what is missing, and the command an
    /// administrator runs to allow it.
    pub fn explain(&self, operator: &str, action: Action) -> String {
        let command = action.as_str();
        match self {
            Refusal::NotAnOperator => format!(
                "{operator} is not an operator of this database, so cannot {command}; an administrator can add them with `intergiro-keys users add {operator} --permission {}`",
                crate::operator::Permissions::new(action.permissions())
            ),
            Refusal::Missing(permission) => format!(
                "operator {operator} lacks the {permission} permission needed to {command}; an administrator can grant it with `intergiro-keys users grant {operator} {permission}`"
            ),
            Refusal::RolesNotAllowed { allowed, refused } => {
                let all = Roles::new(allowed.iter().chain(refused.iter()));
                format!(
                    "operator {operator} may create keys with the roles {allowed} only, not {refused}; an administrator can allow it with `intergiro-keys users grant {operator} create --key-roles {all}`"
                )
            }
        }
    }

    /// A short form for the audit log.
    pub fn audit_detail(&self) -> String {
        match self {
            Refusal::NotAnOperator => "not an operator".to_string(),
            Refusal::Missing(permission) => format!("lacks {permission}"),
            Refusal::RolesNotAllowed { refused, .. } => format!("may not assign {refused}"),
        }
    }
}

/// Checks an operator name as given to `users`: an account name, printable,
/// without spaces.
pub fn validate_name(name: &str) -> Result<(), String> {
    if name.is_empty() || name.len() > 64 {
        return Err(
            "an operator name is an operating-system account name of 1 to 64 characters".into(),
        );
    }
    if name
        .chars()
        .any(|c| crate::text::is_hidden(c) || c.is_whitespace() || c == ',')
    {
        return Err(format!(
            "{:?} is not an account name (no spaces, commas, invisible or control characters)",
            crate::text::sanitize(name)
        ));
    }
    Ok(())
}

/// The account name of a user id, or `uid:N` when it has none.
pub fn account_name(uid: u32) -> String {
    match nix::unistd::User::from_uid(nix::unistd::Uid::from_raw(uid)) {
        Ok(Some(user)) => user.name,
        _ => format!("uid:{uid}"),
    }
}

/// Whether an account of this name exists on this host.
pub fn account_exists(name: &str) -> bool {
    name.starts_with("uid:") || matches!(nix::unistd::User::from_name(name), Ok(Some(_)))
}

/// The operator running this process: the account of the real user id.
/// Debug builds (the test suite) may name another with
/// `INTERGIRO_KEYS_OPERATOR`; release builds have no such override.
pub fn acting() -> String {
    #[cfg(debug_assertions)]
    if let Some(name) = std::env::var_os("INTERGIRO_KEYS_OPERATOR") {
        return name.to_string_lossy().into_owned();
    }
    account_name(nix::unistd::getuid().as_raw())
}

/// Parses `--key-roles accounts,transactions`.
pub fn parse_key_roles(roles: &[Role]) -> Option<Roles> {
    (!roles.is_empty()).then(|| Roles::new(roles.iter().copied()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn operator(permissions: &[Permission], key_roles: Option<&[Role]>) -> Operator {
        Operator {
            name: "alice".into(),
            permissions: Permissions::new(permissions.iter().copied()),
            key_roles: key_roles.map(|roles| Roles::new(roles.iter().copied())),
        }
    }

    #[test]
    fn each_permission_allows_only_itself_and_admin_allows_all() {
        let viewer = operator(&[Permission::View], None);
        assert!(viewer.authorize(Permission::View).is_ok());
        for wanted in [
            Permission::Create,
            Permission::Renew,
            Permission::Delete,
            Permission::Admin,
        ] {
            assert_eq!(viewer.authorize(wanted), Err(Refusal::Missing(wanted)));
        }
        let admin = operator(&[Permission::Admin], None);
        for wanted in Permission::ALL {
            assert!(admin.authorize(wanted).is_ok());
        }
    }

    #[test]
    fn a_creator_limited_to_some_roles_cannot_assign_others() {
        let limited = operator(
            &[Permission::Create],
            Some(&[Role::Accounts, Role::Transactions]),
        );
        assert!(
            limited
                .authorize_create(&Roles::new([Role::Accounts]))
                .is_ok()
        );
        assert!(
            limited
                .authorize_create(&Roles::new([Role::Accounts, Role::Transactions]))
                .is_ok()
        );
        let refusal = limited
            .authorize_create(&Roles::new([Role::Accounts, Role::Payments]))
            .unwrap_err();
        assert_eq!(
            refusal,
            Refusal::RolesNotAllowed {
                allowed: Roles::new([Role::Accounts, Role::Transactions]),
                refused: Roles::new([Role::Payments]),
            }
        );
        let message = refusal.explain("alice", Action::Create);
        assert!(
            message.contains("users grant alice create --key-roles transactions,accounts,payments"),
            "{message}"
        );
        let unlimited = operator(&[Permission::Create], None);
        assert!(unlimited.authorize_create(&Roles::new(Role::ALL)).is_ok());
    }

    #[test]
    fn refusals_name_the_operator_the_permission_and_the_fix() {
        let message = Refusal::Missing(Permission::Delete).explain("bob", Action::Delete);
        assert!(message.contains("bob"));
        assert!(message.contains("delete permission"));
        assert!(message.contains("`intergiro-keys users grant bob delete`"));
        let message = Refusal::NotAnOperator.explain("eve", Action::Renew);
        assert!(
            message.contains("users add eve --permission renew"),
            "{message}"
        );
    }

    #[test]
    fn permissions_round_trip() {
        let p: Permissions = "renew,view,renew".parse().unwrap();
        assert_eq!(p.to_string(), "view,renew");
        assert!("view,root".parse::<Permissions>().is_err());
        assert_eq!(p.without(&"renew".parse().unwrap()).to_string(), "view");
        assert_eq!(
            p.with(&"admin".parse().unwrap()).to_string(),
            "view,renew,admin"
        );
    }

    #[test]
    fn the_owner_of_the_store_becomes_its_first_administrator() {
        assert_eq!(first_administrator("alice", 1000, Some(1000)), "alice");
        assert_eq!(first_administrator("alice", 1000, None), "alice");
        assert_eq!(
            first_administrator("alice", 1000, Some(4_000_000_000)),
            "uid:4000000000"
        );
        assert!(!has_administrator(
            [Permissions::new([Permission::View])].into_iter()
        ));
        assert!(has_administrator(
            [
                Permissions::new([Permission::View]),
                Permissions::new([Permission::Admin])
            ]
            .into_iter()
        ));
    }

    #[test]
    fn the_acting_operator_has_a_name() {
        assert!(!account_name(nix::unistd::getuid().as_raw()).is_empty());
        assert_eq!(account_name(4_000_000_000), "uid:4000000000");
    }

    #[test]
    fn operator_names_are_checked() {
        assert!(validate_name("alice").is_ok());
        assert!(validate_name("uid:1001").is_ok());
        assert!(validate_name("").is_err());
        assert!(validate_name("a b").is_err());
        assert!(validate_name("a,b").is_err());
        assert!(validate_name("root\u{202e}").is_err());
        assert!(validate_name("ro\u{200b}ot").is_err());
        assert!(validate_name("a\u{2028}b").is_err());
    }
}
