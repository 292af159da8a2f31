//! Operators and the rules on them.

use super::*;
use crate::operator::KeyRolesChange;

pub(super) fn operators_are_added_once_and_listed_by_name(store: &mut dyn Store) {
    assert!(!store.has_operators().unwrap());
    let viewer = Operator {
        name: "zoe".into(),
        permissions: Permissions::new([Permission::View, Permission::Create]),
        key_roles: Some(Roles::new([Role::Accounts])),
    };
    store.add_operator(&viewer, actor()).unwrap();
    store.add_operator(&admin("alice"), actor()).unwrap();
    let err = store.add_operator(&admin("alice"), actor()).unwrap_err();
    assert!(
        matches!(&err, Error::OperatorExists(name) if name == "alice"),
        "{err:?}"
    );
    assert!(store.has_operators().unwrap());
    assert_eq!(store.operator("zoe").unwrap().unwrap(), viewer);
    assert_eq!(store.operator("nobody").unwrap(), None);
    let names: Vec<String> = operators(store)
        .unwrap()
        .into_iter()
        .map(|operator| operator.name)
        .collect();
    assert_eq!(names, ["alice", "zoe"]);
    let trail = audit_trail(store);
    assert_eq!(
        trail[0],
        (
            "users add".to_string(),
            "ok".to_string(),
            "zoe: view,create (key roles accounts)".to_string()
        )
    );
}

pub(super) fn grants_and_revocations_are_applied_and_audited(store: &mut dyn Store) {
    store.add_operator(&admin("root"), actor()).unwrap();
    let bob = Operator {
        name: "bob".into(),
        permissions: Permissions::new([Permission::View]),
        key_roles: None,
    };
    store.add_operator(&bob, actor()).unwrap();
    let grant = Change::Grant {
        permissions: Permissions::new([Permission::Create]),
        key_roles: KeyRolesChange::Limit(Roles::new([Role::Payments])),
    };
    let granted = store.change_operator("bob", &grant, actor()).unwrap();
    assert_eq!(granted.permissions.to_string(), "view,create");
    assert_eq!(store.operator("bob").unwrap().unwrap(), granted);
    let revoke = Change::Revoke {
        permissions: Permissions::new([Permission::View]),
    };
    store.change_operator("bob", &revoke, actor()).unwrap();
    store.remove_operator("bob", actor()).unwrap();
    assert_eq!(store.operator("bob").unwrap(), None);
    let trail: Vec<(String, String)> = audit_trail(store)
        .into_iter()
        .skip(2)
        .map(|(action, _, detail)| (action, detail))
        .collect();
    assert_eq!(
        trail,
        [
            (
                "users grant".to_string(),
                "bob: view,create (key roles payments)".to_string()
            ),
            (
                "users revoke".to_string(),
                "bob: create (key roles payments)".to_string()
            ),
            ("users remove".to_string(), "bob".to_string()),
        ]
    );
}

pub(super) fn the_last_administrator_cannot_be_removed_or_demoted(store: &mut dyn Store) {
    store.add_operator(&admin("root"), actor()).unwrap();
    let before = store.last_audit_seq().unwrap();
    let err = store.remove_operator("root", actor()).unwrap_err();
    assert!(matches!(err, Error::LastAdministrator), "{err:?}");
    let demote = Change::Revoke {
        permissions: Permissions::new([Permission::Admin]),
    };
    let err = store.change_operator("root", &demote, actor()).unwrap_err();
    assert!(matches!(err, Error::LastAdministrator), "{err:?}");
    assert_eq!(store.operator("root").unwrap().unwrap(), admin("root"));
    assert_eq!(
        store.last_audit_seq().unwrap(),
        before,
        "a refused change was audited as done"
    );
    // With a second administrator, the first may go.
    store.add_operator(&admin("alice"), actor()).unwrap();
    store.change_operator("root", &demote, actor()).unwrap();
    store.remove_operator("root", actor()).unwrap();
}

pub(super) fn unknown_operators_are_reported(store: &mut dyn Store) {
    store.add_operator(&admin("root"), actor()).unwrap();
    let err = store.remove_operator("ghost", actor()).unwrap_err();
    assert!(
        matches!(&err, Error::UnknownOperator(name) if name == "ghost"),
        "{err:?}"
    );
    let grant = Change::Grant {
        permissions: Permissions::new([Permission::View]),
        key_roles: KeyRolesChange::Keep,
    };
    let err = store.change_operator("ghost", &grant, actor()).unwrap_err();
    assert!(
        matches!(&err, Error::UnknownOperator(name) if name == "ghost"),
        "{err:?}"
    );
}

pub(super) fn the_first_administrator_is_added_only_to_a_store_without_operators(
    store: &mut dyn Store,
) {
    assert!(store.add_first_administrator("owner", actor()).unwrap());
    assert!(!store.add_first_administrator("someone", actor()).unwrap());
    assert_eq!(store.operator("owner").unwrap().unwrap(), admin("owner"));
    assert_eq!(store.operator("someone").unwrap(), None);
    let mut entries = Vec::new();
    store
        .each_audit_entry(&AuditFilter::default(), &mut |entry| {
            entries.push(entry);
            Ok(())
        })
        .unwrap();
    assert_eq!(entries.len(), 1);
    // Recorded in the new administrator's name, whoever ran the command.
    assert_eq!(entries[0].record.operator, "owner");
    assert_eq!(
        entries[0].record.detail,
        "owner: admin (first administrator: owner of the database)"
    );
}
