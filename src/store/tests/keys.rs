//! Keys: stored, listed, counted, renewed and deleted.
use chrono::{DateTime, Duration, Utc};

use super::*;
use crate::key::freezes_at;

pub(super) fn keys_round_trip_and_unissued_keys_can_be_discarded(store: &mut dyn Store) {
    let key = sample("AAAAAAAAAAAA");
    assert!(
        store
            .insert_unissued(&key, &crate::store::tests::hash_tagged("hash"), actor())
            .unwrap()
    );
    assert!(
        !store
            .insert_unissued(&key, &crate::store::tests::hash_tagged("other"), actor())
            .unwrap(),
        "duplicate ID accepted"
    );
    let found = store.find_key(&key.id).unwrap().unwrap();
    assert_eq!(found.key, key);
    assert_eq!(found.secret_hash, crate::store::tests::hash_tagged("hash"));
    assert!(!found.key.issued);
    store.mark_issued(&key.id).unwrap();
    assert!(store.find_key(&key.id).unwrap().unwrap().key.issued);
    // Issued keys are not discarded.
    store.discard_unissued(&key.id, actor()).unwrap();
    assert!(store.find_key(&key.id).unwrap().is_some());

    let other = sample("BBBBBBBBBBBB");
    store
        .insert_unissued(&other, &crate::store::tests::hash_tagged("h"), actor())
        .unwrap();
    store.discard_unissued(&other.id, actor()).unwrap();
    assert!(store.find_key(&other.id).unwrap().is_none());
    assert!(store.find_key("ZZZZZZZZZZZZ").unwrap().is_none());
}

pub(super) fn renew_and_delete_change_all_or_nothing(store: &mut dyn Store) {
    for id in ["AAAAAAAAAAAA", "BBBBBBBBBBBB"] {
        store
            .insert_unissued(&sample(id), &crate::store::tests::hash_tagged("h"), actor())
            .unwrap();
    }
    let later = Actor {
        operator: "root",
        now: now() + Duration::days(100),
    };
    let new_freeze = freezes_at(later.now);
    let err = store
        .renew(
            &ids(&["AAAAAAAAAAAA", "ZZZZZZZZZZZZ", "YYYYYYYYYYYY"]),
            new_freeze,
            later,
        )
        .unwrap_err();
    // Every unknown one, in whichever order.
    let Error::UnknownKeys(mut unknown) = err else {
        panic!("{err:?}")
    };
    unknown.sort();
    assert_eq!(unknown, ids(&["YYYYYYYYYYYY", "ZZZZZZZZZZZZ"]));
    let freezes = |store: &dyn Store, id: &str| store.find_key(id).unwrap().unwrap().key.freezes_at;
    assert_eq!(freezes(store, "AAAAAAAAAAAA"), freezes_at(now()));

    let renewed = store
        .renew(&ids(&["AAAAAAAAAAAA", "AAAAAAAAAAAA"]), new_freeze, later)
        .unwrap();
    assert_eq!(renewed.len(), 1);
    assert_eq!(renewed[0].previous_freezes_at, freezes_at(now()));
    assert_eq!(renewed[0].key.freezes_at, new_freeze);
    assert_eq!(renewed[0].key.renewed_at, later.now);
    assert_eq!(freezes(store, "AAAAAAAAAAAA"), new_freeze);

    let err = store
        .delete(&ids(&["BBBBBBBBBBBB", "ZZZZZZZZZZZZ"]), actor())
        .unwrap_err();
    assert!(matches!(err, Error::UnknownKeys(_)), "{err:?}");
    assert_eq!(key_ids(store, &KeyFilter::default()).len(), 2);
    let deleted = store
        .delete(&ids(&["BBBBBBBBBBBB", "BBBBBBBBBBBB"]), actor())
        .unwrap();
    assert_eq!(deleted.len(), 1);
    assert_eq!(deleted[0].id, "BBBBBBBBBBBB");
    assert_eq!(key_ids(store, &KeyFilter::default()), ["AAAAAAAAAAAA"]);
}

/// Keys freezing at the same second are listed by ID in byte order
/// (upper case first), whatever the database's collation says.
pub(super) fn keys_freezing_together_are_listed_by_id_in_byte_order(store: &mut dyn Store) {
    for id in [
        "bbbbbbbbbbbb",
        "CCCCCCCCCCCC",
        "BBBBBBBBBBBB",
        "aaaaaaaaaaaa",
    ] {
        let key = ApiKey::new(id.into(), id.into(), Roles::new([Role::Accounts]), now());
        store
            .insert_unissued(&key, &crate::store::tests::hash_tagged("h"), actor())
            .unwrap();
    }
    let expected = [
        "BBBBBBBBBBBB",
        "CCCCCCCCCCCC",
        "aaaaaaaaaaaa",
        "bbbbbbbbbbbb",
    ];
    assert_eq!(key_ids(store, &KeyFilter::default()), expected);
    let by_id = KeyFilter {
        sort: KeySort::Id,
        ..KeyFilter::default()
    };
    assert_eq!(key_ids(store, &by_id), expected);
}

pub(super) fn keys_are_listed_soonest_freezing_first_and_filtered(store: &mut dyn Store) {
    // Created 0, 10 and 10 days after now(): C and B freeze last, B before C by ID.
    for (id, days) in [
        ("CCCCCCCCCCCC", 10),
        ("AAAAAAAAAAAA", 0),
        ("BBBBBBBBBBBB", 10),
    ] {
        let key = ApiKey::new(
            id.into(),
            id.into(),
            Roles::new([Role::Accounts]),
            now() + Duration::days(days),
        );
        store
            .insert_unissued(&key, &crate::store::tests::hash_tagged("h"), actor())
            .unwrap();
    }
    store.mark_issued("BBBBBBBBBBBB").unwrap();
    assert_eq!(
        key_ids(store, &KeyFilter::default()),
        ["AAAAAAAAAAAA", "BBBBBBBBBBBB", "CCCCCCCCCCCC"]
    );
    let issued = KeyFilter {
        issued_only: true,
        ..KeyFilter::default()
    };
    assert_eq!(key_ids(store, &issued), ["BBBBBBBBBBBB"]);
    // The window is inclusive: A freezes exactly at its end.
    let freezing_by = |at: DateTime<Utc>| KeyFilter {
        freezing_by: Some(at),
        ..KeyFilter::default()
    };
    assert_eq!(
        key_ids(store, &freezing_by(freezes_at(now()))),
        ["AAAAAAAAAAAA"]
    );
    assert!(
        key_ids(
            store,
            &freezing_by(freezes_at(now()) - Duration::seconds(1))
        )
        .is_empty()
    );
}

pub(super) fn flagged_keys_are_counted_in_the_store(store: &mut dyn Store) {
    for (id, days) in [
        ("AAAAAAAAAAAA", 0),
        ("BBBBBBBBBBBB", 10),
        ("CCCCCCCCCCCC", 40),
        ("DDDDDDDDDDDD", 0),
    ] {
        let key = ApiKey::new(
            id.into(),
            id.into(),
            Roles::new([Role::Accounts]),
            now() + Duration::days(days),
        );
        store
            .insert_unissued(&key, &crate::store::tests::hash_tagged("h"), actor())
            .unwrap();
        if id != "DDDDDDDDDDDD" {
            store.mark_issued(id).unwrap();
        }
    }
    // 95 days on: A is frozen, B freezes in 5 days, C in 35; D was never issued.
    let at = now() + Duration::days(95);
    let counts = store.count_flagged(at, at + Duration::days(14)).unwrap();
    assert_eq!(
        counts,
        FlaggedCounts {
            issued: 3,
            frozen: 1,
            expiring: 1,
            retiring: 0,
        }
    );
}

pub(super) fn a_visitor_error_stops_the_listing(store: &mut dyn Store) {
    for id in ["AAAAAAAAAAAA", "BBBBBBBBBBBB"] {
        store
            .insert_unissued(&sample(id), &crate::store::tests::hash_tagged("h"), actor())
            .unwrap();
    }
    let mut seen = 0;
    let err = store
        .each_key(&KeyFilter::default(), &mut |_| {
            seen += 1;
            anyhow::bail!("reader went away")
        })
        .unwrap_err();
    assert_eq!(seen, 1);
    assert!(
        matches!(&err, Error::Other(inner) if inner.to_string() == "reader went away"),
        "{err:?}"
    );
}

/// Stores and issues `id`, created at `now()`.
fn issued(store: &mut dyn Store, id: &str) -> ApiKey {
    store_issued(store, &sample(id))
}

/// `NNNNNNNNNNNN`, created at `now()` to replace `old` under its name and roles.
fn replacement(old: &ApiKey) -> ApiKey {
    ApiKey::new(
        "NNNNNNNNNNNN".into(),
        old.name.clone(),
        old.roles.clone(),
        now(),
    )
}

/// Rotates `old` out: its replacement (`replacement`), issued, and `old`
/// retiring at `retires_at`.
fn rotate_out(store: &mut dyn Store, old: &ApiKey, retires_at: DateTime<Utc>) -> ApiKey {
    let new = replacement(old);
    store
        .begin_rotation(
            &old.id,
            &new,
            &crate::store::tests::hash_tagged("new"),
            actor(),
        )
        .unwrap();
    store
        .finish_rotation(&old.id, &new.id, retires_at, actor())
        .unwrap();
    new
}

fn at(time: DateTime<Utc>) -> Actor<'static> {
    Actor {
        operator: "root",
        now: time,
    }
}

pub(super) fn a_rotation_claims_the_old_key_then_retires_it(store: &mut dyn Store) {
    let old = issued(store, "AAAAAAAAAAAA");
    let new = replacement(&old);
    assert!(
        store
            .begin_rotation(
                &old.id,
                &new,
                &crate::store::tests::hash_tagged("new"),
                actor()
            )
            .unwrap()
    );
    let claimed = store.find_key(&old.id).unwrap().unwrap().key;
    assert_eq!(claimed.replaced_by.as_deref(), Some("NNNNNNNNNNNN"));
    assert_eq!(
        claimed.retires_at, None,
        "retiring before the secret was out"
    );
    let pending = store.find_key(&new.id).unwrap().unwrap();
    assert!(!pending.key.issued);
    assert_eq!(pending.secret_hash, crate::store::tests::hash_tagged("new"));

    // A second rotation is refused while the first is under way.
    let other = ApiKey::new(
        "OOOOOOOOOOOO".into(),
        old.name.clone(),
        old.roles.clone(),
        now(),
    );
    let err = store
        .begin_rotation(
            &old.id,
            &other,
            &crate::store::tests::hash_tagged("o"),
            actor(),
        )
        .unwrap_err();
    assert!(
        matches!(&err, Error::NotRotatable { reason: NotRotatable::InProgress(id), .. } if id == "NNNNNNNNNNNN"),
        "{err:?}"
    );
    assert!(store.find_key(&other.id).unwrap().is_none());

    let retires_at = now() + Duration::hours(24);
    store
        .finish_rotation(&old.id, &new.id, retires_at, actor())
        .unwrap();
    assert!(store.find_key(&new.id).unwrap().unwrap().key.issued);
    let retiring = store.find_key(&old.id).unwrap().unwrap().key;
    assert_eq!(retiring.retires_at, Some(retires_at));
    assert_eq!(retiring.status(now()), crate::key::Status::Retiring);

    // Rotating a retiring key is refused, and so is an unknown one.
    let err = store
        .begin_rotation(
            &old.id,
            &other,
            &crate::store::tests::hash_tagged("o"),
            actor(),
        )
        .unwrap_err();
    assert!(
        matches!(&err, Error::NotRotatable { reason: NotRotatable::Retiring(t), .. } if *t == retires_at),
        "{err:?}"
    );
    let err = store
        .begin_rotation(
            "ZZZZZZZZZZZZ",
            &other,
            &crate::store::tests::hash_tagged("o"),
            actor(),
        )
        .unwrap_err();
    assert!(matches!(err, Error::UnknownKeys(_)), "{err:?}");

    // Both halves are in the audit log.
    let trail = audit_trail(store);
    let rotations: Vec<&(String, String, String)> = trail
        .iter()
        .filter(|(action, ..)| action == "rotate")
        .collect();
    assert_eq!(rotations.len(), 2, "{trail:?}");
    assert_eq!(
        rotations[0].2,
        "roles accounts,payments; replaces AAAAAAAAAAAA"
    );
    assert_eq!(
        rotations[1].2,
        "replaced by NNNNNNNNNNNN; retires at 2026-03-02T09:30:00Z"
    );
}

pub(super) fn a_retired_key_leaves_listings_counts_and_changes(store: &mut dyn Store) {
    let old = issued(store, "AAAAAAAAAAAA");
    issued(store, "BBBBBBBBBBBB");
    let retires_at = now() + Duration::hours(2);
    rotate_out(store, &old, retires_at);
    let live = |time| KeyFilter {
        live_at: Some(time),
        ..KeyFilter::default()
    };
    let before = retires_at - Duration::seconds(1);
    assert_eq!(key_ids(store, &live(before)).len(), 3);
    assert_eq!(
        key_ids(store, &live(retires_at)),
        ["BBBBBBBBBBBB", "NNNNNNNNNNNN"]
    );
    let counts = store.count_flagged(before, before).unwrap();
    assert_eq!((counts.issued, counts.retiring), (3, 1));
    let counts = store.count_flagged(retires_at, retires_at).unwrap();
    assert_eq!((counts.issued, counts.retiring), (2, 0));
    // By status: a retiring key is retiring only.
    let with_status = |status| KeyFilter {
        now: Some(before),
        statuses: Some(vec![status]),
        ..KeyFilter::default()
    };
    assert_eq!(
        key_ids(store, &with_status(crate::key::Status::Retiring)),
        ["AAAAAAAAAAAA"]
    );
    assert_eq!(
        key_ids(store, &with_status(crate::key::Status::Active)),
        ["BBBBBBBBBBBB", "NNNNNNNNNNNN"]
    );
    // A retiring key is counted as retiring, never as frozen or expiring.
    let late = now() + Duration::days(95);
    let counts = store.count_flagged(now(), late).unwrap();
    assert_eq!((counts.expiring, counts.retiring), (2, 1));

    // Retired: renew and delete no longer find it; its row (and history)
    // stays for `show`.
    let err = store
        .renew(&ids(&[&old.id]), freezes_at(retires_at), at(retires_at))
        .unwrap_err();
    assert!(matches!(err, Error::UnknownKeys(_)), "{err:?}");
    let err = store.delete(&ids(&[&old.id]), at(retires_at)).unwrap_err();
    assert!(matches!(err, Error::UnknownKeys(_)), "{err:?}");
    assert!(store.find_key(&old.id).unwrap().is_some());
    // Before then, a retiring key can be deleted.
    assert_eq!(store.delete(&ids(&[&old.id]), at(before)).unwrap().len(), 1);
}

/// Renewing a key being rotated out is refused by the store itself, in the
/// renewal's transaction (a command's earlier look could be overtaken by a
/// rotation finishing), and nothing changes: not the other keys given
/// either. The refusal goes into the key's history.
pub(super) fn a_retiring_key_is_not_renewed_by_the_store(store: &mut dyn Store) {
    let old = issued(store, "AAAAAAAAAAAA");
    let other = issued(store, "BBBBBBBBBBBB");
    let retires_at = now() + Duration::hours(2);
    let new = rotate_out(store, &old, retires_at);
    let before = audit_trail(store);
    let later = now() + Duration::hours(1);
    for given in [
        &[old.id.as_str()][..],
        &[other.id.as_str(), old.id.as_str()],
    ] {
        let err = store
            .renew(&ids(given), freezes_at(later), at(later))
            .unwrap_err();
        assert!(
            matches!(
                &err,
                Error::Retiring { id, retires_at: t, replaced_by: Some(by) }
                    if *id == old.id && *t == retires_at && *by == new.id
            ),
            "{given:?}: {err:?}"
        );
    }
    assert_eq!(found(store, &old.id).freezes_at, old.freezes_at);
    assert_eq!(found(store, &other.id).freezes_at, other.freezes_at);
    // Each refusal is recorded, naming the key to renew instead; nothing
    // as renewed.
    let refusal = (
        "renew".to_string(),
        "refused".to_string(),
        crate::audit::retiring_not_renewed(&old.id, retires_at, Some(&new.id)),
    );
    let mut expected = before;
    expected.extend([refusal.clone(), refusal]);
    assert_eq!(audit_trail(store), expected);
    // Its replacement is renewed as any key.
    let renewed = store
        .renew(&ids(&[&new.id]), freezes_at(later), at(later))
        .unwrap();
    assert_eq!(renewed[0].key.freezes_at, freezes_at(later));
}

pub(super) fn an_abandoned_rotation_leaves_the_old_key_as_it_was(store: &mut dyn Store) {
    let old = issued(store, "AAAAAAAAAAAA");
    let new = replacement(&old);
    assert!(
        store
            .begin_rotation(
                &old.id,
                &new,
                &crate::store::tests::hash_tagged("new"),
                actor()
            )
            .unwrap()
    );
    store.discard_unissued(&new.id, actor()).unwrap();
    assert_eq!(store.find_key(&old.id).unwrap().unwrap().key, old);
    assert!(store.find_key(&new.id).unwrap().is_none());

    // A rotation killed half-way is released by deleting its new key.
    assert!(
        store
            .begin_rotation(
                &old.id,
                &new,
                &crate::store::tests::hash_tagged("new"),
                actor()
            )
            .unwrap()
    );
    store.delete(&ids(&[&new.id]), actor()).unwrap();
    assert_eq!(store.find_key(&old.id).unwrap().unwrap().key, old);

    // An ID already taken: false, nothing changed.
    let taken = ApiKey::new(old.id.clone(), old.name.clone(), old.roles.clone(), now());
    assert!(
        !store
            .begin_rotation(
                &old.id,
                &taken,
                &crate::store::tests::hash_tagged("x"),
                actor()
            )
            .unwrap()
    );
    assert_eq!(store.find_key(&old.id).unwrap().unwrap().key, old);

    // An unissued key cannot be rotated.
    store
        .insert_unissued(
            &sample("UUUUUUUUUUUU"),
            &crate::store::tests::hash_tagged("u"),
            actor(),
        )
        .unwrap();
    let err = store
        .begin_rotation(
            "UUUUUUUUUUUU",
            &new,
            &crate::store::tests::hash_tagged("new"),
            actor(),
        )
        .unwrap_err();
    assert!(
        matches!(
            &err,
            Error::NotRotatable {
                reason: NotRotatable::Unissued,
                ..
            }
        ),
        "{err:?}"
    );

    // Finishing a rotation whose old key was deleted meanwhile changes only
    // the new key.
    let third = ApiKey::new(
        "OOOOOOOOOOOO".into(),
        old.name.clone(),
        old.roles.clone(),
        now(),
    );
    assert!(
        store
            .begin_rotation(
                &old.id,
                &third,
                &crate::store::tests::hash_tagged("third"),
                actor()
            )
            .unwrap()
    );
    store.delete(&ids(&[&old.id]), actor()).unwrap();
    store
        .finish_rotation(&old.id, &third.id, now(), actor())
        .unwrap();
    assert!(store.find_key(&third.id).unwrap().unwrap().key.issued);
    assert!(store.find_key(&old.id).unwrap().is_none());
    assert_eq!(verify_audit(store).unwrap().intact, Ok(()));
}

pub(super) fn uses_are_recorded_at_most_once_per_period(store: &mut dyn Store) {
    issued(store, "AAAAAAAAAAAA");
    let last_used = |store: &dyn Store| {
        store
            .find_key("AAAAAAAAAAAA")
            .unwrap()
            .unwrap()
            .key
            .last_used_at
    };
    assert_eq!(last_used(store), None);
    let period = Duration::minutes(15);
    assert!(
        store
            .record_use("AAAAAAAAAAAA", now(), now() - period)
            .unwrap()
    );
    assert_eq!(last_used(store), Some(now()));
    let soon = now() + Duration::minutes(14);
    assert!(
        !store
            .record_use("AAAAAAAAAAAA", soon, soon - period)
            .unwrap()
    );
    assert_eq!(last_used(store), Some(now()));
    let later = now() + period;
    assert!(
        store
            .record_use("AAAAAAAAAAAA", later, later - period)
            .unwrap()
    );
    assert_eq!(last_used(store), Some(later));
    // Unknown and unissued keys record nothing, and no use is audited.
    assert!(!store.record_use("ZZZZZZZZZZZZ", later, later).unwrap());
    store
        .insert_unissued(
            &sample("UUUUUUUUUUUU"),
            &crate::store::tests::hash_tagged("u"),
            actor(),
        )
        .unwrap();
    assert!(!store.record_use("UUUUUUUUUUUU", later, later).unwrap());
    assert!(
        audit_trail(store)
            .iter()
            .all(|(action, ..)| action == "create"),
        "{:?}",
        audit_trail(store)
    );
}

pub(super) fn keys_are_found_by_name_and_by_disuse(store: &mut dyn Store) {
    for (id, name, days) in [
        ("AAAAAAAAAAAA", "ci", 0),
        ("BBBBBBBBBBBB", "ci", 10),
        ("CCCCCCCCCCCC", "nightly", 20),
        ("DDDDDDDDDDDD", "fresh", 40),
    ] {
        let key = ApiKey::new(
            id.into(),
            name.into(),
            Roles::new([Role::Accounts]),
            now() + Duration::days(days),
        );
        store
            .insert_unissued(&key, &crate::store::tests::hash_tagged("h"), actor())
            .unwrap();
        store.mark_issued(id).unwrap();
    }
    let named = |name: &str| KeyFilter {
        name: Some(name.into()),
        ..KeyFilter::default()
    };
    assert_eq!(
        key_ids(store, &named("ci")),
        ["AAAAAAAAAAAA", "BBBBBBBBBBBB"]
    );
    assert!(key_ids(store, &named("CI")).is_empty());
    assert!(key_ids(store, &named("c%")).is_empty());

    // A used 1 day in, C 30 days in; B and D never.
    let day = |n: i64| now() + Duration::days(n);
    store.record_use("AAAAAAAAAAAA", day(1), day(1)).unwrap();
    store.record_use("CCCCCCCCCCCC", day(30), day(30)).unwrap();
    let unused_since = |time| KeyFilter {
        unused_since: Some(time),
        ..KeyFilter::default()
    };
    // At day 35, unused for 5 days: A (last use day 1), C (day 30, exactly
    // 5 days) and B (never used, created day 10); not D (created day 40).
    assert_eq!(
        key_ids(store, &unused_since(day(30))),
        ["AAAAAAAAAAAA", "BBBBBBBBBBBB", "CCCCCCCCCCCC"]
    );
    assert_eq!(
        key_ids(store, &unused_since(day(30) - Duration::seconds(1))),
        ["AAAAAAAAAAAA", "BBBBBBBBBBBB"]
    );
    assert_eq!(key_ids(store, &unused_since(day(5))), ["AAAAAAAAAAAA"]);
    let by_last_use = KeyFilter {
        sort: KeySort::LastUsed,
        ..KeyFilter::default()
    };
    // Never used first (by ID), then the longest unused.
    assert_eq!(
        key_ids(store, &by_last_use),
        [
            "BBBBBBBBBBBB",
            "DDDDDDDDDDDD",
            "AAAAAAAAAAAA",
            "CCCCCCCCCCCC"
        ]
    );
}

pub(super) fn keys_are_found_by_name_for_a_command(store: &mut dyn Store) {
    for (id, name) in [
        ("AAAAAAAAAAAA", "ci-deploy"),
        ("BBBBBBBBBBBB", "ci-deploy"),
        ("CCCCCCCCCCCC", "nightly"),
        ("DDDDDDDDDDDD", "CI"),
    ] {
        let key = ApiKey::new(id.into(), name.into(), Roles::new([Role::Accounts]), now());
        store
            .insert_unissued(&key, &crate::store::tests::hash_tagged("h"), actor())
            .unwrap();
    }
    let found = |store: &dyn Store, name: &str, similar: bool| -> Vec<String> {
        store
            .keys_named(name, similar, now(), Action::Renew)
            .unwrap()
            .into_iter()
            .map(|key| key.id)
            .collect()
    };
    assert_eq!(
        found(store, "ci-deploy", false),
        ["AAAAAAAAAAAA", "BBBBBBBBBBBB"]
    );
    assert!(found(store, "CI-Deploy", false).is_empty());
    // Resembling: the same but for case, or one containing the other.
    assert_eq!(
        found(store, "CI-Deploy", true),
        ["AAAAAAAAAAAA", "BBBBBBBBBBBB", "DDDDDDDDDDDD"]
    );
    assert_eq!(found(store, "night", true), ["CCCCCCCCCCCC"]);
    assert!(found(store, "", true).is_empty());
    // At most five.
    for i in 0..6 {
        let key = ApiKey::new(
            format!("E{i:011}"),
            format!("nightly-{i}"),
            Roles::new([Role::Accounts]),
            now(),
        );
        store
            .insert_unissued(&key, &crate::store::tests::hash_tagged("h"), actor())
            .unwrap();
    }
    assert_eq!(found(store, "nightly", true).len(), 5);
    // A retired key is found by no name.
    let old = issued(store, "RRRRRRRRRRRR");
    rotate_out(store, &old, now());
    assert_eq!(found(store, &old.name, false), ["NNNNNNNNNNNN"]);
}

/// A `--name` pattern selects the same keys on every store, read as a shell
/// reads it: `[!…]` negates as `[^…]` does, and a `[` left open is itself.
pub(super) fn name_patterns_select_the_same_keys_in_every_store(store: &mut dyn Store) {
    for (id, name) in [
        ("AAAAAAAAAAAA", "api"),
        ("BBBBBBBBBBBB", "!bang"),
        ("CCCCCCCCCCCC", "ci[1"),
        ("DDDDDDDDDDDD", "ci-2"),
        ("EEEEEEEEEEEE", "x]y"),
        ("FFFFFFFFFFFF", "a*b"),
        ("GGGGGGGGGGGG", "[:x"),
    ] {
        let key = ApiKey::new(id.into(), name.into(), Roles::new([Role::Accounts]), now());
        store
            .insert_unissued(&key, &crate::store::tests::hash_tagged("h"), actor())
            .unwrap();
    }
    let matching = |glob: &str| -> Vec<String> {
        let filter = KeyFilter {
            name_glob: Some(glob.into()),
            sort: KeySort::Id,
            ..KeyFilter::default()
        };
        keys(&*store, &filter)
            .unwrap()
            .into_iter()
            .map(|key| key.name)
            .collect()
    };
    assert_eq!(matching("[!a]*"), ["!bang", "ci[1", "ci-2", "x]y", "[:x"]);
    assert_eq!(matching("[^a]*"), matching("[!a]*"));
    assert_eq!(matching("ci[1"), ["ci[1"]);
    assert_eq!(matching("ci[[]*"), ["ci[1"]);
    assert_eq!(matching("ci[-[]?"), ["ci[1", "ci-2"]);
    assert_eq!(matching("x[]]y"), ["x]y"]);
    assert_eq!(matching("a[*]b"), ["a*b"]);
    assert_eq!(matching("[[:]*"), ["[:x"]);
    assert_eq!(matching("[z-a]*"), Vec::<String>::new());
}

/// Every condition of a `KeyFilter`, as the one SQL builder spells it for
/// this store, selects exactly the keys the domain's own rules pick from
/// all of them, in the order they say.
pub(super) fn every_filter_selects_what_the_domain_says(store: &mut dyn Store) {
    use crate::key::Status;
    let t = now();
    let key = |id: &str, name: &str, roles: &[Role], days_old: i64| {
        ApiKey::new(
            id.into(),
            name.into(),
            Roles::new(roles.iter().copied()),
            t - Duration::days(days_old),
        )
    };
    let hash = crate::store::tests::hash_tagged("h");
    let keys = [
        key("AAAAAAAAAAAA", "k-active", &[Role::Accounts], 0),
        key("BBBBBBBBBBBB", "k-expiring", &[Role::Payments], 80),
        key(
            "CCCCCCCCCCCC",
            "frozen",
            &[Role::Accounts, Role::Payments],
            100,
        ),
        key("DDDDDDDDDDDD", "k-unissued", &[Role::Transactions], 3),
        key("EEEEEEEEEEEE", "retiring", &[Role::Accounts], 20),
        key("FFFFFFFFFFFF", "retired", &[Role::Payments], 30),
    ];
    for key in &keys {
        assert!(store.insert_unissued(key, &hash, actor()).unwrap());
        if key.id != "DDDDDDDDDDDD" {
            store.mark_issued(&key.id).unwrap();
        }
    }
    for (old, new, retires_at) in [
        ("EEEEEEEEEEEE", "MMMMMMMMMMMM", t + Duration::days(1)),
        ("FFFFFFFFFFFF", "NNNNNNNNNNNN", t - Duration::hours(1)),
    ] {
        let replacement = key(new, "replacement", &[Role::Accounts], 0);
        assert!(
            store
                .begin_rotation(old, &replacement, &hash, actor())
                .unwrap()
        );
        store
            .finish_rotation(old, new, retires_at, actor())
            .unwrap();
    }
    assert!(
        store
            .record_use("AAAAAAAAAAAA", t - Duration::days(2), t - Duration::days(2))
            .unwrap()
    );
    assert!(
        store
            .record_use("BBBBBBBBBBBB", t - Duration::days(9), t - Duration::days(9))
            .unwrap()
    );
    let all = crate::store::keys(store, &KeyFilter::default()).unwrap();
    assert_eq!(all.len(), 8);

    let check = |filter: KeyFilter, wanted: &dyn Fn(&ApiKey) -> bool| {
        let mut expected: Vec<&ApiKey> = all.iter().filter(|key| wanted(key)).collect();
        let order = |key: &ApiKey| match filter.sort {
            KeySort::Freezes => (key.freezes_at.timestamp(), String::new(), key.id.clone()),
            KeySort::Id => (0, String::new(), key.id.clone()),
            KeySort::Name => (0, key.name.clone(), key.id.clone()),
            KeySort::Created => (key.created_at.timestamp(), String::new(), key.id.clone()),
            // Never used first.
            KeySort::LastUsed => (
                key.last_used_at.map_or(i64::MIN, |at| at.timestamp()),
                String::new(),
                key.id.clone(),
            ),
        };
        expected.sort_by_key(|key| order(key));
        if let Some(limit) = filter.limit {
            expected.truncate(limit as usize);
        }
        let expected: Vec<&str> = expected.iter().map(|key| key.id.as_str()).collect();
        let found = key_ids(store, &filter);
        assert_eq!(found, expected, "{filter:?}");
    };
    let at = |now| KeyFilter {
        now: Some(now),
        ..KeyFilter::default()
    };
    for status in [
        Status::Active,
        Status::Expiring,
        Status::Frozen,
        Status::Unissued,
        Status::Retiring,
        Status::Retired,
    ] {
        check(
            KeyFilter {
                statuses: Some(vec![status]),
                ..at(t)
            },
            &|key| key.status(t) == status,
        );
    }
    check(
        KeyFilter {
            statuses: Some(vec![Status::Frozen, Status::Unissued]),
            sort: KeySort::Name,
            ..at(t)
        },
        &|key| matches!(key.status(t), Status::Frozen | Status::Unissued),
    );
    check(
        KeyFilter {
            issued_only: true,
            sort: KeySort::Created,
            ..KeyFilter::default()
        },
        &|key| key.issued,
    );
    check(
        KeyFilter {
            roles: vec![Role::Accounts, Role::Payments],
            ..KeyFilter::default()
        },
        &|key| key.roles.contains(Role::Accounts) && key.roles.contains(Role::Payments),
    );
    check(
        KeyFilter {
            name_glob: Some("k-*e*".into()),
            sort: KeySort::Id,
            ..KeyFilter::default()
        },
        &|key| key.name.starts_with("k-") && key.name[2..].contains('e'),
    );
    check(
        KeyFilter {
            live_at: Some(t),
            sort: KeySort::LastUsed,
            ..KeyFilter::default()
        },
        &|key| key.retires_at.is_none_or(|at| at > t),
    );
    check(
        KeyFilter {
            name: Some("replacement".into()),
            ..KeyFilter::default()
        },
        &|key| key.name == "replacement",
    );
    let since = t - Duration::days(5);
    check(
        KeyFilter {
            unused_since: Some(since),
            ..KeyFilter::default()
        },
        &|key| match key.last_used_at {
            Some(used) => used <= since,
            None => key.created_at <= since,
        },
    );
    let then = t - Duration::days(25);
    check(
        KeyFilter {
            created_by_then: Some(then),
            ..KeyFilter::default()
        },
        &|key| key.created_at <= then,
    );
    let by = t + Duration::days(14);
    check(
        KeyFilter {
            freezing_by: Some(by),
            ..at(t)
        },
        &|key| key.retires_at.is_none() && key.freezes_at <= by,
    );
    check(
        KeyFilter {
            limit: Some(3),
            sort: KeySort::Id,
            live_at: Some(t),
            ..KeyFilter::default()
        },
        &|key| key.retires_at.is_none_or(|at| at > t),
    );
}
