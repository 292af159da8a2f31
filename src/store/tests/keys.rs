//! Keys: stored, listed, counted, renewed and deleted.
use chrono::{DateTime, Duration, Utc};

use super::*;
use crate::key::freezes_at;

pub(super) fn keys_round_trip_and_unissued_keys_can_be_discarded(store: &mut dyn Store) {
    let key = sample("AAAAAAAAAAAA");
    assert!(store.insert_unissued(&key, "$hash", actor()).unwrap());
    assert!(
        !store.insert_unissued(&key, "$other", actor()).unwrap(),
        "duplicate ID accepted"
    );
    let found = store.find_key(&key.id).unwrap().unwrap();
    assert_eq!(found.key, key);
    assert_eq!(found.secret_hash, "$hash");
    assert!(!found.key.issued);
    store.mark_issued(&key.id).unwrap();
    assert!(store.find_key(&key.id).unwrap().unwrap().key.issued);
    // Issued keys are not discarded.
    store.discard_unissued(&key.id, actor()).unwrap();
    assert!(store.find_key(&key.id).unwrap().is_some());

    let other = sample("BBBBBBBBBBBB");
    store.insert_unissued(&other, "$h", actor()).unwrap();
    store.discard_unissued(&other.id, actor()).unwrap();
    assert!(store.find_key(&other.id).unwrap().is_none());
    assert!(store.find_key("ZZZZZZZZZZZZ").unwrap().is_none());
}

pub(super) fn renew_and_delete_change_all_or_nothing(store: &mut dyn Store) {
    for id in ["AAAAAAAAAAAA", "BBBBBBBBBBBB"] {
        store.insert_unissued(&sample(id), "$h", actor()).unwrap();
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
    assert!(
        matches!(&err, Error::UnknownKeys(unknown) if unknown == &ids(&["ZZZZZZZZZZZZ", "YYYYYYYYYYYY"])),
        "{err:?}"
    );
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
        store.insert_unissued(&key, "$h", actor()).unwrap();
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
        store.insert_unissued(&key, "$h", actor()).unwrap();
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
            expiring: 1
        }
    );
}

pub(super) fn a_visitor_error_stops_the_listing(store: &mut dyn Store) {
    for id in ["AAAAAAAAAAAA", "BBBBBBBBBBBB"] {
        store.insert_unissued(&sample(id), "$h", actor()).unwrap();
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
