//! What each command does, in the words of refusals and the audit log, and
//! the one permission it needs.

use std::fmt;

use super::Permission;

/// What a command does, as refusals and the audit log name it; each states
/// the permission it needs once, here.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    List,
    Audit,
    Backup,
    Create,
    Renew,
    Delete,
    /// Replace a key by a new one; needs `create` and `delete`.
    Rotate,
    Show,
    UsersList,
    UsersAdd,
    UsersGrant,
    UsersRevoke,
    UsersRemove,
    /// `scan --revoke`: deletes the working keys a scan found.
    ScanRevoke,
    /// `migrate`: moves the whole store elsewhere.
    Migrate,
    /// `upgrade`: brings the store to this build's format.
    Upgrade,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::List => "list",
            Action::Audit => "audit",
            Action::Backup => "backup",
            Action::Create => "create",
            Action::Renew => "renew",
            Action::Delete => "delete",
            Action::Rotate => "rotate",
            Action::Show => "show",
            Action::UsersList => "users list",
            Action::UsersAdd => "users add",
            Action::UsersGrant => "users grant",
            Action::UsersRevoke => "users revoke",
            Action::UsersRemove => "users remove",
            Action::Migrate => "migrate",
            Action::Upgrade => "upgrade",
            Action::ScanRevoke => "scan --revoke",
        }
    }

    /// The permission an operator needs to do this (`rotate` needs
    /// `delete` as well: see `permissions`).
    pub fn permission(self) -> Permission {
        match self {
            Action::List | Action::Audit | Action::Backup | Action::Show | Action::UsersList => {
                Permission::View
            }
            Action::Create | Action::Rotate => Permission::Create,
            Action::Renew => Permission::Renew,
            Action::Delete | Action::ScanRevoke => Permission::Delete,
            Action::UsersAdd
            | Action::UsersGrant
            | Action::UsersRevoke
            | Action::UsersRemove
            | Action::Migrate
            | Action::Upgrade => Permission::Admin,
        }
    }
}

impl Action {
    /// Every permission an operator needs to do this.
    pub fn permissions(self) -> Vec<Permission> {
        match self {
            Action::Rotate => vec![Permission::Create, Permission::Delete],
            action => vec![action.permission()],
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
