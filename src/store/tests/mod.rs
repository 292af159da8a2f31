//! The store's behaviour through the `Store` trait alone: every case takes
//! `&mut dyn Store`, and `against_every_store!` runs each one against every
//! backend, so a new backend inherits the whole suite.

use chrono::{DateTime, TimeZone, Utc};

use super::*;
use crate::key::{Role, Roles};
use crate::operator::{Permission, Permissions};

mod audit;
mod keys;
mod operators;

use audit::*;
use keys::*;
use operators::*;

macro_rules! against_every_store {
    ($($case:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[test]
                fn $case() {
                    let mut store = crate::store::sqlite::SqliteStore::in_memory().unwrap();
                    super::$case(&mut store);
                }
            )*
        }
    };
}

against_every_store!(
    keys_round_trip_and_unissued_keys_can_be_discarded,
    renew_and_delete_change_all_or_nothing,
    keys_are_listed_soonest_freezing_first_and_filtered,
    flagged_keys_are_counted_in_the_store,
    a_visitor_error_stops_the_listing,
    a_rotation_claims_the_old_key_then_retires_it,
    a_retired_key_leaves_listings_counts_and_changes,
    an_abandoned_rotation_leaves_the_old_key_as_it_was,
    uses_are_recorded_at_most_once_per_period,
    keys_are_found_by_name_and_by_disuse,
    every_change_is_audited_in_an_intact_chain,
    audit_entries_are_filtered,
    operators_are_added_once_and_listed_by_name,
    grants_and_revocations_are_applied_and_audited,
    the_last_administrator_cannot_be_removed_or_demoted,
    unknown_operators_are_reported,
    the_first_administrator_is_added_only_to_a_store_without_operators,
);

pub(super) fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 1, 9, 30, 0).unwrap()
}

pub(super) fn actor() -> Actor<'static> {
    Actor {
        operator: "root",
        now: now(),
    }
}

pub(super) fn sample(id: &str) -> ApiKey {
    ApiKey::new(
        id.to_string(),
        format!("key {id}"),
        Roles::new([Role::Accounts, Role::Payments]),
        now(),
    )
}

pub(super) fn ids(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

pub(super) fn key_ids(store: &dyn Store, filter: &KeyFilter) -> Vec<String> {
    keys(store, filter)
        .unwrap()
        .into_iter()
        .map(|key| key.id)
        .collect()
}

pub(super) fn admin(name: &str) -> Operator {
    Operator {
        name: name.into(),
        permissions: Permissions::new([Permission::Admin]),
        key_roles: None,
    }
}

pub(super) fn audit_trail(store: &dyn Store) -> Vec<(String, String, String)> {
    let mut trail = Vec::new();
    store
        .each_audit_entry(&AuditFilter::default(), &mut |entry| {
            let record = entry.record;
            trail.push((record.action, record.outcome, record.detail));
            Ok(())
        })
        .unwrap();
    trail
}

/// The store reports facts; the words users read, with the commands and
/// flags they name, are written in `crate::explain` and the commands.
#[test]
fn the_store_has_no_user_wording() {
    // Spelled in pieces so that this file does not match itself.
    let wording = [
        concat!("intergiro", "-keys "),
        concat!("--", "db"),
        concat!("ch", "mod"),
    ];
    let mut files = vec![std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/store")];
    let mut checked = 0;
    while let Some(path) = files.pop() {
        if path.is_dir() {
            files.extend(
                std::fs::read_dir(&path)
                    .unwrap()
                    .map(|entry| entry.unwrap().path()),
            );
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        for (number, line) in text.lines().enumerate() {
            for words in wording {
                assert!(
                    !line.contains(words),
                    "{}:{}: {line}",
                    path.display(),
                    number + 1
                );
            }
        }
        checked += 1;
    }
    assert!(checked >= 10, "only {checked} files found");
}
