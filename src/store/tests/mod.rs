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

/// Runs each case of the first list against every backend, and each of
/// the second against SQLite alone. PostgreSQL runs on the test cluster
/// (`store::postgres::testdb`), following the clock the cases give
/// (`Clocked`); those cases are ignored unless `--include-ignored`.
macro_rules! against_every_store {
    (every: [$($case:ident),* $(,)?], sqlite_only: [$($only:ident),* $(,)?] $(,)?) => {
        mod sqlite {
            $(
                #[test]
                fn $case() {
                    let mut store = crate::store::sqlite::SqliteStore::in_memory().unwrap();
                    super::$case(&mut store);
                }
            )*
            $(
                #[test]
                fn $only() {
                    let mut store = crate::store::sqlite::SqliteStore::in_memory().unwrap();
                    super::$only(&mut store);
                }
            )*
        }
        mod postgres {
            $(
                #[test]
                #[ignore = "needs PostgreSQL: run under tests/pg/cluster.sh with --include-ignored"]
                fn $case() {
                    let mut db = crate::store::postgres::testdb::TestDb::new();
                    let mut store = super::Clocked(db.store_with_test_clock("t_suite", super::now()));
                    super::$case(&mut store);
                }
            )*
        }
    };
}

against_every_store!(
    every: [
        keys_round_trip_and_unissued_keys_can_be_discarded,
        renew_and_delete_change_all_or_nothing,
        keys_are_listed_soonest_freezing_first_and_filtered,
        flagged_keys_are_counted_in_the_store,
        a_visitor_error_stops_the_listing,
        a_rotation_claims_the_old_key_then_retires_it,
        a_retired_key_leaves_listings_counts_and_changes,
        a_retiring_key_is_not_renewed_by_the_store,
        an_abandoned_rotation_leaves_the_old_key_as_it_was,
        uses_are_recorded_at_most_once_per_period,
        keys_are_found_by_name_and_by_disuse,
        keys_are_found_by_name_for_a_command,
        name_patterns_select_the_same_keys_in_every_store,
        every_filter_selects_what_the_domain_says,
        every_change_is_audited_in_an_intact_chain,
    ],
    // On PostgreSQL the operator of every entry is the connection's role,
    // and operators are login roles that `init` starts with one of: its own
    // tests cover them (`store::postgres::tests`).
    sqlite_only: [
        audit_entries_are_filtered,
        operators_are_added_once_and_listed_by_name,
        grants_and_revocations_are_applied_and_audited,
        the_last_administrator_cannot_be_removed_or_demoted,
        unknown_operators_are_reported,
        the_first_administrator_is_added_only_to_a_store_without_operators,
    ],
);

/// A PostgreSQL store whose server clock is set, before each change, to
/// the time the case gives it (the actor's, or a new key's creation), so
/// that the same cases hold on both backends to the second.
struct Clocked(super::postgres::PgStore);

impl Store for Clocked {
    fn is_read_only(&self) -> bool {
        self.0.is_read_only()
    }
    fn format(&self) -> Result<crate::store::format::Format> {
        self.0.format()
    }
    fn owner_uid(&self) -> Result<Option<u32>> {
        self.0.owner_uid()
    }
    fn session_operator(&self) -> Option<&str> {
        self.0.session_operator()
    }
    fn insert_unissued(&mut self, key: &ApiKey, secret_hash: &str, actor: Actor) -> Result<bool> {
        self.0.set_clock(key.created_at);
        self.0.insert_unissued(key, secret_hash, actor)
    }
    fn mark_issued(&mut self, id: &str) -> Result<()> {
        self.0.mark_issued(id)
    }
    fn discard_unissued(&mut self, id: &str, actor: Actor) -> Result<()> {
        self.0.set_clock(actor.now);
        self.0.discard_unissued(id, actor)
    }
    fn begin_rotation(
        &mut self,
        old_id: &str,
        new: &ApiKey,
        secret_hash: &str,
        actor: Actor,
    ) -> Result<bool> {
        self.0.set_clock(new.created_at);
        self.0.begin_rotation(old_id, new, secret_hash, actor)
    }
    fn finish_rotation(
        &mut self,
        old_id: &str,
        new_id: &str,
        retires_at: DateTime<Utc>,
        actor: Actor,
    ) -> Result<()> {
        self.0.set_clock(actor.now);
        self.0.finish_rotation(old_id, new_id, retires_at, actor)
    }
    fn record_use(
        &mut self,
        id: &str,
        at: DateTime<Utc>,
        stale_after: DateTime<Utc>,
    ) -> Result<bool> {
        self.0.set_clock(at);
        self.0.record_use(id, at, stale_after)
    }
    fn find_key(&self, id: &str) -> Result<Option<StoredKey>> {
        self.0.find_key(id)
    }
    fn each_key(&self, filter: &KeyFilter, visit: Visit<ApiKey>) -> Result<()> {
        self.0.each_key(filter, visit)
    }
    fn keys_named(
        &self,
        name: &str,
        similar: bool,
        live_at: DateTime<Utc>,
        action: Action,
    ) -> Result<Vec<ApiKey>> {
        self.0.keys_named(name, similar, live_at, action)
    }
    fn key_extent(&self, filter: &KeyFilter) -> Result<KeyExtent> {
        self.0.key_extent(filter)
    }
    fn count_flagged(
        &self,
        now: DateTime<Utc>,
        expiring_by: DateTime<Utc>,
    ) -> Result<FlaggedCounts> {
        self.0.count_flagged(now, expiring_by)
    }
    fn renew(
        &mut self,
        ids: &[String],
        freezes_at: DateTime<Utc>,
        actor: Actor,
    ) -> Result<Vec<Renewal>> {
        self.0.set_clock(actor.now);
        self.0.renew(ids, freezes_at, actor)
    }
    fn delete(&mut self, ids: &[String], actor: Actor) -> Result<Vec<ApiKey>> {
        self.0.set_clock(actor.now);
        self.0.delete(ids, actor)
    }
    fn revoke_found(&mut self, found: &[(String, String)], actor: Actor) -> Result<Vec<ApiKey>> {
        self.0.set_clock(actor.now);
        self.0.revoke_found(found, actor)
    }
    fn has_operators(&self) -> Result<bool> {
        self.0.has_operators()
    }
    fn add_first_administrator(&mut self, name: &str, actor: Actor) -> Result<bool> {
        self.0.add_first_administrator(name, actor)
    }
    fn operator(&self, name: &str) -> Result<Option<Operator>> {
        self.0.operator(name)
    }
    fn each_operator(&self, visit: Visit<Operator>) -> Result<()> {
        self.0.each_operator(visit)
    }
    fn add_operator(&mut self, operator: &Operator, actor: Actor) -> Result<()> {
        self.0.set_clock(actor.now);
        self.0.add_operator(operator, actor)
    }
    fn change_operator(&mut self, name: &str, change: &Change, actor: Actor) -> Result<Operator> {
        self.0.set_clock(actor.now);
        self.0.change_operator(name, change, actor)
    }
    fn remove_operator(&mut self, name: &str, actor: Actor) -> Result<()> {
        self.0.set_clock(actor.now);
        self.0.remove_operator(name, actor)
    }
    fn record_refusal(
        &mut self,
        action: Action,
        key_id: Option<&str>,
        detail: &str,
        actor: Actor,
    ) -> Result<()> {
        self.0.set_clock(actor.now);
        self.0.record_refusal(action, key_id, detail, actor)
    }
    fn each_audit_entry(&self, filter: &AuditFilter, visit: Visit<Entry>) -> Result<()> {
        self.0.each_audit_entry(filter, visit)
    }
    fn last_audit_seq(&self) -> Result<i64> {
        self.0.last_audit_seq()
    }
    fn each_tampered(&self, visit: Visit<crate::audit::Tampered>) -> Result<()> {
        self.0.each_tampered(visit)
    }
    fn backup(&self, to: &Path) -> Result<()> {
        self.0.backup(to)
    }
}

/// The entries a store starts with, before a case writes any: none on
/// SQLite; on PostgreSQL, `init`'s making its first administrator.
pub(super) fn entries_at_start(store: &dyn Store) -> usize {
    let mut found = 0;
    store
        .each_audit_entry(&AuditFilter::default(), &mut |entry| {
            if entry.record.action == "users add" && entry.record.detail.ends_with("ran init)") {
                found += 1;
            }
            Ok(())
        })
        .unwrap();
    found
}

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

/// A stored hash in the argon2id PHC form, which a PostgreSQL store insists
/// on (the secret behind it does not matter here).
pub(super) const HASH: &str = crate::hash::DUMMY_HASH;

/// A stored hash of the tool's own shape, told apart by `tag` (the hash of
/// no secret): the PostgreSQL store takes no other.
pub(crate) fn hash_tagged(tag: &str) -> String {
    let salt: String = tag
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .chain(std::iter::repeat('A'))
        .take(21)
        .chain(['A'])
        .collect();
    format!(
        "$argon2id$v=19$m=19456,t=2,p=1${salt}${}",
        "B".repeat(42) + "A"
    )
}

/// The stored key `id`, which must exist.
pub(super) fn found(store: &dyn Store, id: &str) -> ApiKey {
    store.find_key(id).unwrap().expect("the key exists").key
}

/// Stores `key` and issues it; returns it as stored.
pub(super) fn store_issued(store: &mut dyn Store, key: &ApiKey) -> ApiKey {
    assert!(store.insert_unissued(key, HASH, actor()).unwrap());
    store.mark_issued(&key.id).unwrap();
    found(store, &key.id)
}

/// Whether the audit chain verifies.
pub(super) fn intact(store: &dyn Store) -> bool {
    verify_audit(store).unwrap().intact.is_ok()
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

/// (action, outcome, detail) of each entry the case wrote.
pub(super) fn audit_trail(store: &dyn Store) -> Vec<(String, String, String)> {
    let mut trail = Vec::new();
    store
        .each_audit_entry(&AuditFilter::default(), &mut |entry| {
            let record = entry.record;
            trail.push((record.action, record.outcome, record.detail));
            Ok(())
        })
        .unwrap();
    trail.split_off(entries_at_start(store))
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
