//! Changes to an operator's permissions: the rule, as a pure function, that
//! every store applies.

use super::{Action, Operator, Permissions};
use crate::key::Roles;

/// What `users grant` or `users revoke` changes about an operator.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    Grant {
        permissions: Permissions,
        key_roles: KeyRolesChange,
    },
    Revoke {
        permissions: Permissions,
    },
}

/// What a grant does to the limit on the roles an operator may give keys.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeyRolesChange {
    Keep,
    Limit(Roles),
    Any,
}

impl Change {
    pub fn action(&self) -> Action {
        match self {
            Change::Grant { .. } => Action::UsersGrant,
            Change::Revoke { .. } => Action::UsersRevoke,
        }
    }

    /// The operator as it is after the change.
    pub fn apply(&self, current: &Operator) -> Operator {
        match self {
            Change::Grant {
                permissions,
                key_roles,
            } => Operator {
                name: current.name.clone(),
                permissions: current.permissions.with(permissions),
                key_roles: match key_roles {
                    KeyRolesChange::Keep => current.key_roles.clone(),
                    KeyRolesChange::Limit(roles) => Some(roles.clone()),
                    KeyRolesChange::Any => None,
                },
            },
            Change::Revoke { permissions } => Operator {
                permissions: current.permissions.without(permissions),
                ..current.clone()
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::key::Role;
    use crate::operator::Permission;

    fn operator(permissions: &[Permission], key_roles: Option<&[Role]>) -> Operator {
        Operator {
            name: "alice".into(),
            permissions: Permissions::new(permissions.iter().copied()),
            key_roles: key_roles.map(|roles| Roles::new(roles.iter().copied())),
        }
    }

    #[test]
    fn grants_and_revocations_change_only_what_they_name() {
        let limited = operator(&[Permission::Create], Some(&[Role::Accounts]));
        let grant = Change::Grant {
            permissions: Permissions::new([Permission::View]),
            key_roles: KeyRolesChange::Keep,
        };
        let granted = grant.apply(&limited);
        assert_eq!(granted.permissions.to_string(), "view,create");
        assert_eq!(granted.key_roles, limited.key_roles);
        let any = Change::Grant {
            permissions: Permissions::default(),
            key_roles: KeyRolesChange::Any,
        };
        assert_eq!(any.apply(&limited).key_roles, None);
        let revoke = Change::Revoke {
            permissions: Permissions::new([Permission::Create]),
        };
        let revoked = revoke.apply(&granted);
        assert_eq!(revoked.permissions.to_string(), "view");
        assert_eq!(revoke.action(), Action::UsersRevoke);
    }
}
