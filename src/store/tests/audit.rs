//! The audit log as every change leaves it.
use chrono::Duration;

use super::*;
use crate::key::freezes_at;

pub(super) fn every_change_is_audited_in_an_intact_chain(store: &mut dyn Store) {
    let start = entries_at_start(store) as i64;
    store
        .insert_unissued(
            &sample("AAAAAAAAAAAA"),
            &crate::store::tests::hash_tagged("h"),
            actor(),
        )
        .unwrap();
    store
        .renew(&ids(&["AAAAAAAAAAAA"]), freezes_at(now()), actor())
        .unwrap();
    store.delete(&ids(&["AAAAAAAAAAAA"]), actor()).unwrap();
    store
        .insert_unissued(
            &sample("BBBBBBBBBBBB"),
            &crate::store::tests::hash_tagged("h"),
            actor(),
        )
        .unwrap();
    store.discard_unissued("BBBBBBBBBBBB", actor()).unwrap();
    store
        .record_refusal(Action::List, None, "lacks view", actor())
        .unwrap();
    let trail = audit_trail(store);
    let expected = [
        ("create", "ok", "roles accounts,payments"),
        ("renew", "ok", "freezes at 2026-05-30T09:30:00Z"),
        ("delete", "ok", "roles accounts,payments"),
        ("create", "ok", "roles accounts,payments"),
        ("create", "failed", "secret not written out; key discarded"),
        ("list", "refused", "lacks view"),
    ];
    let trail: Vec<(&str, &str, &str)> = trail
        .iter()
        .map(|(a, o, d)| (a.as_str(), o.as_str(), d.as_str()))
        .collect();
    assert_eq!(trail, expected);
    let verdict = verify_audit(store).unwrap();
    assert_eq!(verdict.entries as i64, start + 6);
    assert_eq!(verdict.intact, Ok(()));
    assert!(verdict.head.is_some());
    assert_eq!(store.last_audit_seq().unwrap(), start + 6);
}

pub(super) fn audit_entries_are_filtered(store: &mut dyn Store) {
    let bob = Actor {
        operator: "bob",
        now: now() + Duration::days(1),
    };
    store
        .insert_unissued(
            &sample("AAAAAAAAAAAA"),
            &crate::store::tests::hash_tagged("h"),
            actor(),
        )
        .unwrap();
    store
        .insert_unissued(
            &sample("BBBBBBBBBBBB"),
            &crate::store::tests::hash_tagged("h"),
            bob,
        )
        .unwrap();
    let seqs = |filter: AuditFilter| {
        let mut seqs = Vec::new();
        store
            .each_audit_entry(&filter, &mut |entry| {
                seqs.push(entry.seq);
                Ok(())
            })
            .unwrap();
        seqs
    };
    assert_eq!(seqs(AuditFilter::default()), [1, 2]);
    assert_eq!(
        seqs(AuditFilter {
            key_id: Some("BBBBBBBBBBBB".into()),
            ..AuditFilter::default()
        }),
        [2]
    );
    assert_eq!(
        seqs(AuditFilter {
            operator: Some("root".into()),
            ..AuditFilter::default()
        }),
        [1]
    );
    assert_eq!(
        seqs(AuditFilter {
            since: Some(bob.now),
            ..AuditFilter::default()
        }),
        [2]
    );
}
