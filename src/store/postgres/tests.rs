//! The PostgreSQL store against a real server: the test cluster that
//! `tests/pg/cluster.sh` starts (INTERGIRO_KEYS_TEST_PG). They are
//! `#[ignore]`d ("needs PostgreSQL"): `--include-ignored` runs them, and
//! then they fail without a cluster.

use super::testdb::TestDb;
use super::*;
use crate::key::{ApiKey, Role, Roles, Status};
use crate::operator::{Change, Operator, Permission, Permissions};
use crate::store;
use crate::store::KeySort;
use crate::store::tests::{HASH, found, ids, intact, store_issued};

fn actor() -> Actor<'static> {
    Actor {
        operator: "ignored: the server knows who calls",
        now: Utc::now(),
    }
}

fn key(id: &str, roles: &[Role]) -> ApiKey {
    ApiKey::new(
        id.into(),
        format!("key {id}"),
        Roles::new(roles.iter().copied()),
        Utc::now(),
    )
}

fn operator(name: &str, permissions: &[Permission]) -> Operator {
    Operator {
        name: name.into(),
        permissions: Permissions::new(permissions.iter().copied()),
        key_roles: None,
    }
}

#[test]
#[ignore = "needs PostgreSQL: run under tests/pg/cluster.sh with --include-ignored"]
fn init_makes_the_caller_administrator_and_the_chain_verifies_with_the_same_hash() {
    let mut db = TestDb::new();
    let mut store = db.store("t_alice");
    let me = store.operator("t_alice").unwrap().unwrap();
    assert_eq!(me.name, "t_alice");
    assert!(me.permissions.is_admin());
    assert!(
        store
            .insert_unissued(&key("AAAAAAAAAAAA", &[Role::Accounts]), HASH, actor())
            .unwrap()
    );
    assert!(
        !store
            .insert_unissued(&key("AAAAAAAAAAAA", &[Role::Accounts]), HASH, actor())
            .unwrap()
    );
    store.mark_issued("AAAAAAAAAAAA").unwrap();
    store
        .renew(&ids(&["AAAAAAAAAAAA"]), Utc::now(), actor())
        .unwrap();
    store
        .record_refusal(
            Action::List,
            None,
            "lacks view \"quoted\" \u{1} ünï",
            actor(),
        )
        .unwrap();
    store.delete(&ids(&["AAAAAAAAAAAA"]), actor()).unwrap();
    // The server computes the hashes; src/audit.rs checks them.
    assert!(intact(&store));
    let mut actions = Vec::new();
    store
        .each_audit_entry(&AuditFilter::default(), &mut |entry| {
            actions.push(format!("{} {}", entry.record.action, entry.record.outcome));
            Ok(())
        })
        .unwrap();
    assert_eq!(
        actions,
        [
            "users add ok",
            "create ok",
            "renew ok",
            "list refused",
            "delete ok"
        ]
    );
    // A second init changes nothing.
    let err = anyhow::Error::from(PgStore::initialize(store.location()).err().unwrap());
    assert!(err.to_string().contains("already has a key store"), "{err}");
}

#[test]
#[ignore = "needs PostgreSQL: run under tests/pg/cluster.sh with --include-ignored"]
fn the_servers_clock_is_rounded_down_to_the_second_as_the_clients_is() {
    let mut db = TestDb::new();
    drop(db.store("t_clock"));
    let mut client = db.raw("t_clock");
    // Rounded to the nearest second, the store's clock would run one second
    // ahead in the second half of every second: a new key's freeze would
    // then lie beyond 90 days from the client's now, and count as frozen.
    for _ in 0..20 {
        let row = client
            .query_one(
                "SELECT intergiro_keys.server_now() = floor(extract(epoch FROM statement_timestamp()))::bigint",
                &[],
            )
            .unwrap();
        assert!(row.get::<_, bool>(0));
        std::thread::sleep(std::time::Duration::from_millis(37));
    }
}

#[test]
#[ignore = "needs PostgreSQL: run under tests/pg/cluster.sh with --include-ignored"]
fn renew_and_delete_change_all_or_nothing() {
    let mut db = TestDb::new();
    let mut store = db.store("t_alice");
    store
        .insert_unissued(&key("AAAAAAAAAAAA", &[Role::Payments]), HASH, actor())
        .unwrap();
    let err = store
        .renew(&ids(&["AAAAAAAAAAAA", "ZZZZZZZZZZZZ"]), Utc::now(), actor())
        .unwrap_err();
    assert!(
        matches!(&err, Error::UnknownKeys(ids) if ids == &["ZZZZZZZZZZZZ"]),
        "{err:?}"
    );
    let err = store
        .delete(&ids(&["ZZZZZZZZZZZZ", "AAAAAAAAAAAA"]), actor())
        .unwrap_err();
    assert!(matches!(err, Error::UnknownKeys(_)), "{err:?}");
    assert_eq!(store::keys(&store, &KeyFilter::default()).unwrap().len(), 1);
    let deleted = store
        .delete(&ids(&["AAAAAAAAAAAA", "AAAAAAAAAAAA"]), actor())
        .unwrap();
    assert_eq!(deleted.len(), 1);
    assert!(store.find_key("AAAAAAAAAAAA").unwrap().is_none());

    store
        .insert_unissued(&key("BBBBBBBBBBBB", &[Role::Payments]), HASH, actor())
        .unwrap();
    let found = [
        ("BBBBBBBBBBBB".to_string(), "app.env:3:5".to_string()),
        ("AAAAAAAAAAAA".to_string(), "gone.txt:1:1".to_string()),
        ("BBBBBBBBBBBB".to_string(), "copy.env:1:1".to_string()),
    ];
    let revoked = store.revoke_found(&found, actor()).unwrap();
    assert_eq!(revoked.len(), 1);
    let mut details = Vec::new();
    store
        .each_audit_entry(
            &AuditFilter {
                key_id: Some("BBBBBBBBBBBB".into()),
                ..AuditFilter::default()
            },
            &mut |entry| {
                details.push(entry.record.detail);
                Ok(())
            },
        )
        .unwrap();
    assert_eq!(
        details.last().unwrap(),
        "revoked by scan: found at app.env:3:5; roles payments"
    );
    assert!(intact(&store));
}

#[test]
#[ignore = "needs PostgreSQL: run under tests/pg/cluster.sh with --include-ignored"]
fn the_server_enforces_each_permission() {
    let mut db = TestDb::new();
    let mut admin = db.store("t_alice");
    db.ensure_role("t_bob");
    db.ensure_role("t_monitor");
    admin
        .insert_unissued(&key("AAAAAAAAAAAA", &[Role::Accounts]), HASH, actor())
        .unwrap();
    admin
        .add_operator(&operator("t_bob", &[Permission::View]), actor())
        .unwrap();
    admin
        .add_operator(&operator("t_monitor", &[Permission::Verify]), actor())
        .unwrap();

    let mut bob = PgStore::open(&db.location("t_bob")).unwrap();
    assert_eq!(store::keys(&bob, &KeyFilter::default()).unwrap().len(), 1);
    for err in [
        bob.insert_unissued(&key("BBBBBBBBBBBB", &[Role::Accounts]), HASH, actor())
            .err(),
        bob.renew(&ids(&["AAAAAAAAAAAA"]), Utc::now(), actor())
            .err(),
        bob.delete(&ids(&["AAAAAAAAAAAA"]), actor()).err(),
        bob.add_operator(&operator("t_bob", &[Permission::Admin]), actor())
            .err(),
    ] {
        let err = anyhow::Error::from(err.expect("bob was allowed"));
        assert!(err.to_string().contains("lacks the"), "{err}");
    }

    let monitor = PgStore::open(&db.location("t_monitor")).unwrap();
    assert!(monitor.find_key("AAAAAAAAAAAA").unwrap().is_some());
    let counts = monitor
        .count_flagged(Utc::now(), Utc::now() + chrono::Duration::days(14))
        .unwrap();
    assert_eq!((counts.frozen, counts.expiring), (0, 0));
    assert!(store::keys(&monitor, &KeyFilter::default()).is_err());
    assert!(store::verify_audit(&monitor).is_err());
    assert!(store::operators(&monitor).is_err());

    // A role that is no operator may not even call the functions.
    let stranger = PgStore::open(&db.location("t_stranger")).unwrap();
    let err = anyhow::Error::from(stranger.find_key("AAAAAAAAAAAA").err().unwrap());
    assert!(err.to_string().contains("is not an operator"), "{err}");
    assert!(stranger.operator("t_stranger").unwrap().is_none());

    // Nothing changed but what alice did.
    let admin = PgStore::open(&db.location("t_alice")).unwrap();
    assert_eq!(store::keys(&admin, &KeyFilter::default()).unwrap().len(), 1);
    assert!(intact(&admin));
}

#[test]
#[ignore = "needs PostgreSQL: run under tests/pg/cluster.sh with --include-ignored"]
fn operators_cannot_touch_the_tables_directly() {
    let mut db = TestDb::new();
    let mut admin = db.store("t_alice");
    admin
        .insert_unissued(&key("AAAAAAAAAAAA", &[Role::Accounts]), HASH, actor())
        .unwrap();
    db.ensure_role("t_carol");
    admin
        .add_operator(&operator("t_carol", &[Permission::Admin]), actor())
        .unwrap();
    for role in ["t_alice", "t_carol"] {
        let mut raw = db.raw(role);
        for sql in [
            "SELECT * FROM intergiro_keys.api_key",
            "UPDATE intergiro_keys.api_key SET freezes_at = 253402300799",
            "UPDATE intergiro_keys.api_key SET roles = 'accounts,payments'",
            "INSERT INTO intergiro_keys.api_key VALUES ('ZZZZZZZZZZZZ', 'x', 'payments', 'h', 0, 0, 253402300799, true)",
            "DELETE FROM intergiro_keys.api_key",
            "INSERT INTO intergiro_keys.operator VALUES ('mallory', 'admin', NULL, 0, 'x')",
            "UPDATE intergiro_keys.operator SET permissions = 'admin'",
            "DELETE FROM intergiro_keys.operator",
            "UPDATE intergiro_keys.audit SET outcome = 'ok'",
            "DELETE FROM intergiro_keys.audit",
            "INSERT INTO intergiro_keys.audit SELECT * FROM intergiro_keys.audit",
            "SELECT intergiro_keys._audit('create', NULL, 'ok', 'forged')",
            "SET ROLE \"{db}_intergiro_keys_owner\"",
        ] {
            let sql = sql.replace("{db}", &db.name);
            let err = raw.batch_execute(&sql).expect_err(&sql);
            let code = err.code().map(|code| code.code().to_string());
            assert_eq!(code.as_deref(), Some("42501"), "{role}: {sql}: {err}");
        }
    }
    // Even the owner cannot rewrite the audit log without dropping the guard.
    let err = db
        .admin
        .batch_execute("UPDATE intergiro_keys.audit SET outcome = 'ok'")
        .unwrap_err();
    assert!(
        err.to_string().contains("append-only") || format!("{err:?}").contains("append-only"),
        "{err:?}"
    );
    let admin = PgStore::open(&db.location("t_alice")).unwrap();
    assert!(intact(&admin));
}

#[test]
#[ignore = "needs PostgreSQL: run under tests/pg/cluster.sh with --include-ignored"]
fn key_role_limits_and_the_last_administrator_are_enforced_by_the_server() {
    let mut db = TestDb::new();
    let mut admin = db.store("t_alice");
    let mut limited = operator("t_dave", &[Permission::Create]);
    limited.key_roles = Some(Roles::new([Role::Accounts]));
    db.ensure_role("t_dave");
    admin.add_operator(&limited, actor()).unwrap();
    let mut dave = PgStore::open(&db.location("t_dave")).unwrap();
    assert!(
        dave.insert_unissued(&key("AAAAAAAAAAAA", &[Role::Accounts]), HASH, actor())
            .unwrap()
    );
    let err = dave
        .insert_unissued(
            &key("BBBBBBBBBBBB", &[Role::Accounts, Role::Payments]),
            HASH,
            actor(),
        )
        .unwrap_err();
    let err = anyhow::Error::from(err);
    assert!(err.to_string().contains("not payments"), "{err}");

    let err = admin.remove_operator("t_alice", actor()).unwrap_err();
    assert!(matches!(err, Error::LastAdministrator), "{err:?}");
    let revoke = Change::Revoke {
        permissions: Permissions::new([Permission::Admin]),
    };
    let err = admin
        .change_operator("t_alice", &revoke, actor())
        .unwrap_err();
    assert!(matches!(err, Error::LastAdministrator), "{err:?}");
    let err = admin
        .add_operator(
            &operator("t_nobody_has_this_role", &[Permission::View]),
            actor(),
        )
        .unwrap_err();
    let err = anyhow::Error::from(err);
    assert!(err.to_string().contains("no PostgreSQL role"), "{err}");
    assert_eq!(store::operators(&admin).unwrap().len(), 2);
}

#[test]
#[ignore = "needs PostgreSQL: run under tests/pg/cluster.sh with --include-ignored"]
fn a_database_without_a_store_or_with_a_newer_one_is_refused_untouched() {
    let mut db = TestDb::new();
    let location = db.location("t_alice");
    let err = anyhow::Error::from(PgStore::open(&location).err().unwrap());
    assert!(
        err.to_string().contains("create it with `intergiro"),
        "{err}"
    );
    drop(db.store("t_alice"));
    db.admin
        .batch_execute("UPDATE intergiro_keys.schema_version SET version = version + 1")
        .unwrap();
    let before = db.contents();
    let err = anyhow::Error::from(PgStore::open(&location).err().unwrap());
    assert!(err.to_string().contains("newer intergiro-keys"), "{err}");
    let err = anyhow::Error::from(PgStore::initialize(&location).err().unwrap());
    assert!(err.to_string().contains("newer intergiro-keys"), "{err}");
    assert_eq!(db.contents(), before);
}

#[test]
#[ignore = "needs PostgreSQL: run under tests/pg/cluster.sh with --include-ignored"]
fn a_store_of_every_older_schema_is_upgraded_on_opening_by_a_role_that_may() {
    for version in 1..SCHEMA_VERSION {
        let mut db = TestDb::new();
        let location = db.store_at("t_upgrader", version);
        // A key, an operator and a refusal, as that version writes them.
        // (v4 gave refusals a key.)
        let about = if version < 4 { "" } else { "NULL, " };
        db.raw("t_upgrader")
            .batch_execute(&format!(
                "SELECT intergiro_keys.create_key('AAAAAAAAAAAA', 'old key', 'payments', '{HASH}');
                 SELECT intergiro_keys.mark_issued('AAAAAAAAAAAA');
                 SELECT intergiro_keys.add_operator('t_bob', 'view', NULL);
                 SELECT intergiro_keys.record_refusal('delete', {about}'lacks delete');"
            ))
            .unwrap();
        let before = db.contents();

        // A role that cannot act as the store's owner changes nothing.
        let err = PgStore::open(&db.location("t_bob")).err().unwrap();
        assert!(
            matches!(&err, Error::UpgradeNotAllowed { role, from, to, .. }
                     if role == "t_bob" && *from == i64::from(version) && *to == i64::from(SCHEMA_VERSION)),
            "{err:?}"
        );
        assert_eq!(db.contents(), before, "v{version}");

        // One that can upgrades it, once, however many open it at once.
        let openers: Vec<_> = (0..2)
            .map(|_| {
                let location = location.clone();
                std::thread::spawn(move || PgStore::open(&location).map(drop))
            })
            .collect();
        for opener in openers {
            opener.join().unwrap().unwrap();
        }
        assert_eq!(db.version(), SCHEMA_VERSION);
        let mut store = PgStore::open(&location).unwrap();
        assert!(intact(&store), "v{version}");
        let old = found(&store, "AAAAAAAAAAAA");
        assert!(old.issued && old.name == "old key");
        // What later versions added works on the rows of the old one.
        let named = store
            .keys_named("old key", false, Utc::now(), Action::Renew)
            .unwrap();
        assert_eq!(named.len(), 1);
        store
            .record_refusal(Action::Delete, Some(&old.id), "lacks delete", actor())
            .unwrap();
        let mut refused = Vec::new();
        store
            .each_audit_entry(
                &AuditFilter {
                    key_id: Some(old.id.clone()),
                    ..AuditFilter::default()
                },
                &mut |entry| {
                    refused.push(entry.record.outcome);
                    Ok(())
                },
            )
            .unwrap();
        assert_eq!(refused, ["ok", "refused"], "v{version}");
        assert!(
            store
                .begin_rotation(
                    &old.id,
                    &key("NNNNNNNNNNNN", &[Role::Payments]),
                    HASH,
                    actor()
                )
                .unwrap()
        );
        assert!(intact(&store), "v{version}");
        // The upgrader holds no lasting membership of the owner role.
        let member: bool = db
            .admin
            .query_one(
                "SELECT pg_has_role('t_upgrader', nspowner, 'MEMBER') FROM pg_namespace
                 WHERE nspname = 'intergiro_keys'",
                &[],
            )
            .unwrap()
            .get(0);
        assert!(!member, "v{version}");
    }
}

/// An upgrade held up by another past the busy timeout says how long it
/// waited, as a change held up by a lock does.
#[test]
#[ignore = "needs PostgreSQL: run under tests/pg/cluster.sh with --include-ignored"]
fn an_upgrade_kept_waiting_past_the_busy_timeout_says_how_long_it_waited() {
    let mut db = TestDb::new();
    let location = db.store_at("t_upgrader", SCHEMA_VERSION - 1);
    // What a concurrent upgrade of this store holds while it runs.
    db.admin
        .batch_execute("SELECT pg_advisory_lock(hashtext('intergiro_keys upgrade intergiro_keys'))")
        .unwrap();
    let waited = Duration::from_millis(1500);
    let err = PgStore::open_waiting(&location, waited).err().unwrap();
    assert!(
        matches!(&err, Error::Busy { waited: reported, .. } if *reported == waited),
        "{err:?}"
    );
    assert_eq!(db.version(), SCHEMA_VERSION - 1);
}

#[test]
#[ignore = "needs PostgreSQL: run under tests/pg/cluster.sh with --include-ignored"]
fn a_name_is_resolved_with_the_permission_of_the_command_not_view() {
    let mut db = TestDb::new();
    let mut admin = db.store("t_alice");
    let id = issued(&mut admin, "AAAAAAAAAAAA", &[Role::Payments]).id;
    db.ensure_role("t_bob");
    admin
        .add_operator(&operator("t_bob", &[Permission::Renew]), actor())
        .unwrap();
    let bob = PgStore::open(&db.location("t_bob")).unwrap();
    let now = Utc::now();
    let named = bob
        .keys_named("key AAAAAAAAAAAA", false, now, Action::Renew)
        .unwrap();
    assert_eq!(named[0].id, id);
    assert_eq!(named[0].roles.to_string(), "payments");
    // Without `view`, the server gives the IDs of exactly that name and
    // nothing else: no similar names, no roles, dates or last use.
    let similar = bob
        .keys_named("KEY aaaa", true, now, Action::Renew)
        .unwrap();
    assert!(similar.is_empty());
    let rows = db
        .raw("t_bob")
        .query(
            "SELECT * FROM intergiro_keys.keys_named($1, false, 0, ARRAY['renew'])",
            &[&"key AAAAAAAAAAAA"],
        )
        .unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].get::<_, String>("id"), id);
    for column in ["name", "roles"] {
        assert_eq!(rows[0].get::<_, Option<String>>(column), None, "{column}");
    }
    for column in ["created_at", "freezes_at", "last_used_at", "retires_at"] {
        assert_eq!(rows[0].get::<_, Option<i64>>(column), None, "{column}");
    }
    let rows = db
        .raw("t_bob")
        .query(
            "SELECT * FROM intergiro_keys.keys_named('k', true, 0, ARRAY['renew'])",
            &[],
        )
        .unwrap();
    assert!(rows.is_empty());
    for action in [Action::Show, Action::Delete, Action::Rotate] {
        let err = anyhow::Error::from(bob.keys_named(&id, false, now, action).unwrap_err());
        assert!(err.to_string().contains("lacks the"), "{action}: {err}");
    }
    // Nor may a caller ask for a permission that takes no key.
    let mut raw = db.raw("t_bob");
    let err = raw
        .query(
            "SELECT * FROM intergiro_keys.keys_named('x', false, 0, ARRAY['verify'])",
            &[],
        )
        .unwrap_err();
    let message = err.as_db_error().map(|db| db.message().to_string());
    assert!(
        message
            .as_deref()
            .unwrap_or_default()
            .contains("found by name"),
        "{err}"
    );
    // With `view` as well, names resemble as before.
    admin
        .change_operator(
            "t_bob",
            &Change::Grant {
                permissions: Permissions::new([Permission::View]),
                key_roles: crate::operator::KeyRolesChange::Keep,
            },
            actor(),
        )
        .unwrap();
    let similar = bob
        .keys_named("KEY aaaa", true, now, Action::Renew)
        .unwrap();
    assert_eq!(similar.len(), 1);
}

#[test]
fn an_unreachable_server_is_a_temporary_failure() {
    let location =
        Location::parse("postgresql://nobody@/keys?host=/nonexistent-socket-dir").unwrap();
    let err = PgStore::open(&location).err().unwrap();
    assert!(matches!(err, Error::Unreachable { .. }), "{err:?}");
    let err = anyhow::Error::from(err);
    assert!(
        err.to_string()
            .contains("cannot reach the PostgreSQL server"),
        "{err}"
    );
}

#[test]
#[ignore = "needs PostgreSQL: run under tests/pg/cluster.sh with --include-ignored"]
fn list_filters_run_in_the_server() {
    let mut db = TestDb::new();
    let mut store = db.store("t_alice");
    for (id, name, roles) in [
        ("AAAAAAAAAAAA", "ci-deploy", &[Role::Payments][..]),
        (
            "BBBBBBBBBBBB",
            "reporting",
            &[Role::Accounts, Role::Transactions][..],
        ),
        ("CCCCCCCCCCCC", "ci-read", &[Role::Accounts][..]),
    ] {
        let mut key = key(id, roles);
        key.name = name.into();
        store.insert_unissued(&key, HASH, actor()).unwrap();
        store.mark_issued(id).unwrap();
    }
    let names = |filter: KeyFilter| -> Vec<String> {
        store::keys(&store, &filter)
            .unwrap()
            .into_iter()
            .map(|key| key.name)
            .collect()
    };
    let by_name = |glob: &str| KeyFilter {
        name_glob: Some(glob.into()),
        sort: KeySort::Name,
        ..KeyFilter::default()
    };
    assert_eq!(names(by_name("ci-*")), ["ci-deploy", "ci-read"]);
    assert_eq!(
        names(KeyFilter {
            roles: vec![Role::Accounts],
            sort: KeySort::Name,
            ..KeyFilter::default()
        }),
        ["ci-read", "reporting"]
    );
    assert_eq!(
        names(KeyFilter {
            sort: KeySort::Id,
            limit: Some(2),
            ..KeyFilter::default()
        }),
        ["ci-deploy", "reporting"]
    );
    let later = Some(Utc::now() + chrono::Duration::days(80));
    assert_eq!(
        names(KeyFilter {
            now: later,
            statuses: Some(vec![Status::Expiring]),
            ..KeyFilter::default()
        })
        .len(),
        3
    );
    assert!(
        names(KeyFilter {
            now: later,
            statuses: Some(vec![Status::Frozen]),
            ..KeyFilter::default()
        })
        .is_empty()
    );
}

/// An issued key of `roles`, stored by `store`.
fn issued(store: &mut PgStore, id: &str, roles: &[Role]) -> ApiKey {
    store_issued(store, &key(id, roles))
}

#[test]
#[ignore = "needs PostgreSQL: run under tests/pg/cluster.sh with --include-ignored"]
fn a_rotation_claims_the_old_key_then_retires_it_audited_as_on_sqlite() {
    let mut db = TestDb::new();
    let mut store = db.store("t_alice");
    let old = issued(&mut store, "AAAAAAAAAAAA", &[Role::Payments]);
    let new = key("NNNNNNNNNNNN", &[Role::Payments]);
    assert!(store.begin_rotation(&old.id, &new, HASH, actor()).unwrap());
    let claimed = found(&store, &old.id);
    assert_eq!(claimed.replaced_by.as_deref(), Some("NNNNNNNNNNNN"));
    assert_eq!(claimed.retires_at, None);
    let replacement = found(&store, &new.id);
    assert!(!replacement.issued);
    assert_eq!((replacement.name, replacement.roles), (old.name, old.roles));

    let err = store
        .begin_rotation(
            &old.id,
            &key("BBBBBBBBBBBB", &[Role::Payments]),
            HASH,
            actor(),
        )
        .unwrap_err();
    assert!(
        matches!(&err, Error::NotRotatable { id, reason: NotRotatable::InProgress(by) } if id == "AAAAAAAAAAAA" && by == "NNNNNNNNNNNN"),
        "{err:?}"
    );
    assert!(store.find_key("BBBBBBBBBBBB").unwrap().is_none());

    let now = Utc::now();
    store
        .finish_rotation(&old.id, &new.id, now + chrono::Duration::hours(24), actor())
        .unwrap();
    assert!(found(&store, &new.id).issued);
    let retires_at = found(&store, &old.id).retires_at.expect("retiring");
    // The server's clock, a moment after ours.
    let off = (retires_at - (now + chrono::Duration::hours(24))).num_seconds();
    assert!((-2..=2).contains(&off), "retires {off} s off");
    let err = store
        .begin_rotation(
            &old.id,
            &key("CCCCCCCCCCCC", &[Role::Payments]),
            HASH,
            actor(),
        )
        .unwrap_err();
    assert!(
        matches!(&err, Error::NotRotatable { reason: NotRotatable::Retiring(at), .. } if *at == retires_at),
        "{err:?}"
    );
    // A little after the server's now, so that the new key's freeze is not
    // "more than 90 days ahead".
    let later = Utc::now() + chrono::Duration::seconds(5);
    let counts = store
        .count_flagged(later, later + chrono::Duration::days(14))
        .unwrap();
    assert_eq!((counts.issued, counts.retiring, counts.frozen), (2, 1, 0));
    let retiring = store::keys(
        &store,
        &KeyFilter {
            now: Some(Utc::now()),
            statuses: Some(vec![Status::Retiring]),
            ..KeyFilter::default()
        },
    )
    .unwrap();
    assert_eq!(retiring.len(), 1);
    assert_eq!(retiring[0].id, old.id);

    let mut rotations = Vec::new();
    store
        .each_audit_entry(&AuditFilter::default(), &mut |entry| {
            if entry.record.action == "rotate" {
                rotations.push((entry.record.key_id, entry.record.detail));
            }
            Ok(())
        })
        .unwrap();
    assert_eq!(
        rotations,
        [
            (
                Some("NNNNNNNNNNNN".to_string()),
                "roles payments; replaces AAAAAAAAAAAA".to_string()
            ),
            (
                Some("AAAAAAAAAAAA".to_string()),
                format!(
                    "replaced by NNNNNNNNNNNN; retires at {}",
                    crate::text::rfc3339(retires_at)
                )
            ),
        ]
    );
    assert!(intact(&store));
}

#[test]
#[ignore = "needs PostgreSQL: run under tests/pg/cluster.sh with --include-ignored"]
fn of_concurrent_rotations_of_one_key_exactly_one_wins() {
    let mut db = TestDb::new();
    let mut store = db.store("t_alice");
    let old = issued(&mut store, "AAAAAAAAAAAA", &[Role::Accounts]);
    let location = db.location("t_alice");
    let results: Vec<Result<bool>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..6)
            .map(|i| {
                let location = location.clone();
                let old_id = old.id.clone();
                scope.spawn(move || {
                    let mut mine = PgStore::open(&location)?;
                    let new = key(&format!("NNNNNNNNNNN{i}"), &[Role::Accounts]);
                    mine.begin_rotation(&old_id, &new, HASH, actor())
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let won = results.iter().filter(|r| matches!(r, Ok(true))).count();
    let refused = results
        .iter()
        .filter(|r| {
            matches!(
                r,
                Err(Error::NotRotatable {
                    reason: NotRotatable::InProgress(_),
                    ..
                })
            )
        })
        .count();
    assert_eq!((won, refused), (1, 5), "{results:?}");
    let claimed_by = found(&store, &old.id).replaced_by.expect("claimed");
    assert!(store.find_key(&claimed_by).unwrap().is_some());
    assert!(intact(&store));
}

#[test]
#[ignore = "needs PostgreSQL: run under tests/pg/cluster.sh with --include-ignored"]
fn rotation_needs_create_and_delete_within_the_key_role_limit() {
    let mut db = TestDb::new();
    let mut admin = db.store("t_alice");
    issued(&mut admin, "AAAAAAAAAAAA", &[Role::Payments]);
    db.ensure_role("t_carol");
    db.ensure_role("t_dave");
    admin
        .add_operator(&operator("t_carol", &[Permission::Create]), actor())
        .unwrap();
    let mut limited = operator("t_dave", &[Permission::Create, Permission::Delete]);
    limited.key_roles = Some(Roles::new([Role::Accounts]));
    admin.add_operator(&limited, actor()).unwrap();

    let mut carol = PgStore::open(&db.location("t_carol")).unwrap();
    let err = carol
        .begin_rotation(
            "AAAAAAAAAAAA",
            &key("NNNNNNNNNNNN", &[Role::Payments]),
            HASH,
            actor(),
        )
        .unwrap_err();
    assert!(
        anyhow::Error::from(err)
            .to_string()
            .contains("lacks the delete permission")
    );
    let mut dave = PgStore::open(&db.location("t_dave")).unwrap();
    let err = dave
        .begin_rotation(
            "AAAAAAAAAAAA",
            &key("NNNNNNNNNNNN", &[Role::Payments]),
            HASH,
            actor(),
        )
        .unwrap_err();
    let err = anyhow::Error::from(err).to_string();
    assert!(err.contains("roles accounts only, not payments"), "{err}");
    assert!(admin.find_key("NNNNNNNNNNNN").unwrap().is_none());
    assert_eq!(found(&admin, "AAAAAAAAAAAA").replaced_by, None);
}

#[test]
#[ignore = "needs PostgreSQL: run under tests/pg/cluster.sh with --include-ignored"]
fn uses_are_recorded_at_most_once_per_period_and_found_by_disuse() {
    let mut db = TestDb::new();
    let mut admin = db.store("t_alice");
    let used = issued(&mut admin, "AAAAAAAAAAAA", &[Role::Accounts]);
    let idle = issued(&mut admin, "BBBBBBBBBBBB", &[Role::Accounts]);
    let unissued = key("CCCCCCCCCCCC", &[Role::Accounts]);
    admin.insert_unissued(&unissued, HASH, actor()).unwrap();
    db.ensure_role("t_monitor");
    admin
        .add_operator(&operator("t_monitor", &[Permission::Verify]), actor())
        .unwrap();
    let entries = admin.last_audit_seq().unwrap();

    let mut monitor = PgStore::open(&db.location("t_monitor")).unwrap();
    let now = Utc::now();
    let hour = chrono::Duration::hours(1);
    assert!(monitor.record_use(&used.id, now, now - hour).unwrap());
    assert!(!monitor.record_use(&used.id, now, now - hour).unwrap());
    assert!(!monitor.record_use(&unissued.id, now, now - hour).unwrap());
    // A period of nothing: every use writes.
    assert!(monitor.record_use(&used.id, now, now).unwrap());
    let last_used = found(&admin, &used.id).last_used_at.expect("recorded");
    assert!((last_used - now).num_seconds().abs() <= 2);
    assert_eq!(found(&admin, &idle.id).last_used_at, None);
    // Not audited.
    assert_eq!(admin.last_audit_seq().unwrap(), entries);

    let by_use = store::keys(
        &admin,
        &KeyFilter {
            sort: KeySort::LastUsed,
            issued_only: true,
            ..KeyFilter::default()
        },
    )
    .unwrap();
    let order: Vec<&str> = by_use.iter().map(|key| key.id.as_str()).collect();
    assert_eq!(order, ["BBBBBBBBBBBB", "AAAAAAAAAAAA"]);
    let unused = |since| {
        store::keys(
            &admin,
            &KeyFilter {
                unused_since: Some(since),
                issued_only: true,
                ..KeyFilter::default()
            },
        )
        .unwrap()
        .into_iter()
        .map(|key| key.id)
        .collect::<Vec<_>>()
    };
    // Unused since a minute ago: the idle key, created just now, is not
    // yet; an hour on, both are.
    assert!(unused(now - chrono::Duration::minutes(1)).is_empty());
    assert_eq!(unused(now + hour), ["AAAAAAAAAAAA", "BBBBBBBBBBBB"]);
}

/// A table in the caller's temporary schema is found before the store's
/// unless a function's search_path lists `pg_temp` last, so a role that may
/// only verify could stand in its own `operator` (to act as administrator)
/// or `setting` (to set the store's clock).
#[test]
#[ignore = "needs PostgreSQL: run under tests/pg/cluster.sh with --include-ignored"]
fn a_temporary_table_cannot_stand_in_for_a_table_of_the_store() {
    let mut db = TestDb::new();
    let mut admin = db.store("t_alice");
    store_issued(&mut admin, &key("AAAAAAAAAAAA", &[Role::Accounts]));
    db.ensure_role("t_monitor");
    admin
        .add_operator(&operator("t_monitor", &[Permission::Verify]), actor())
        .unwrap();
    let before = db.contents();
    let mut raw = db.raw("t_monitor");
    raw.batch_execute(
        "CREATE TEMP TABLE operator AS
             SELECT session_user::text AS name, 'admin'::text AS permissions,
                    NULL::text AS key_roles, 0::bigint AS added_at, ''::text AS added_by;
         CREATE TEMP TABLE setting AS SELECT 'test_clock'::text AS name, 'on'::text AS value;
         GRANT ALL ON operator, setting TO PUBLIC;
         SET intergiro_keys.now = '4102444800';",
    )
    .unwrap();
    for sql in [
        "SELECT * FROM intergiro_keys.delete_keys(ARRAY['AAAAAAAAAAAA'])",
        "SELECT * FROM intergiro_keys.renew_keys(ARRAY['AAAAAAAAAAAA'])",
        "SELECT * FROM intergiro_keys.list_keys(NULL, false)",
        "SELECT intergiro_keys.add_operator('t_monitor2', 'admin', NULL)",
        "SELECT intergiro_keys.create_key('BBBBBBBBBBBB', 'x', 'payments', '$argon2id$x')",
    ] {
        let err = raw.batch_execute(sql).expect_err(sql);
        let message = err.as_db_error().map(|db| db.message().to_string());
        assert!(
            message
                .as_deref()
                .is_some_and(|message| message.contains("lacks the")),
            "{sql}: {err:?}"
        );
    }
    let now: i64 = raw
        .query_one("SELECT intergiro_keys.server_now()", &[])
        .unwrap()
        .get(0);
    assert!(now < 4_102_444_800, "the clock followed a temporary table");
    assert_eq!(db.contents(), before);
}

/// Every function of the store searches the caller's temporary schema last
/// (PostgreSQL's "Writing SECURITY DEFINER Functions Safely"), later
/// migrations' included.
#[test]
#[ignore = "needs PostgreSQL: run under tests/pg/cluster.sh with --include-ignored"]
fn every_function_of_the_store_searches_pg_temp_last() {
    let mut db = TestDb::new();
    drop(db.store("t_alice"));
    let unsafe_functions: Vec<String> = db
        .admin
        .query(
            "SELECT p.oid::regprocedure::text FROM pg_proc p
             JOIN pg_namespace n ON n.oid = p.pronamespace
             WHERE n.nspname = 'intergiro_keys'
               AND p.prorettype <> 'trigger'::regtype
               AND NOT coalesce(p.proconfig, '{}') @> ARRAY['search_path=pg_catalog, intergiro_keys, pg_temp']
             ORDER BY 1",
            &[],
        )
        .unwrap()
        .iter()
        .map(|row| row.get(0))
        .collect();
    assert!(unsafe_functions.is_empty(), "{unsafe_functions:?}");
}

/// An operator name is data, never SQL: one holding a dollar quote, whose
/// role does not exist, is named as missing rather than breaking the
/// statement that says so.
#[test]
#[ignore = "needs PostgreSQL: run under tests/pg/cluster.sh with --include-ignored"]
fn an_operator_name_with_a_dollar_quote_is_named_as_a_missing_role() {
    let mut db = TestDb::new();
    let mut admin = db.store("t_alice");
    for name in [
        "t_no$$role",
        "x$$;CREATE/**/TABLE/**/public.injected();SELECT$$",
    ] {
        let err = admin
            .add_operator(&operator(name, &[Permission::View]), actor())
            .unwrap_err();
        let err = anyhow::Error::from(err);
        assert!(
            err.to_string()
                .contains(&format!("there is no PostgreSQL role {name}")),
            "{err}"
        );
    }
    let injected: bool = db
        .admin
        .query_one("SELECT to_regclass('public.injected') IS NOT NULL", &[])
        .unwrap()
        .get(0);
    assert!(!injected, "an operator name ran as SQL");
    assert_eq!(store::operators(&admin).unwrap().len(), 1);
}

/// Holds row locks on the operators `names` (as the store's owner would)
/// while `run` starts `contenders` changes, until all of them wait for it.
fn with_operators_locked<T>(
    db: &mut TestDb,
    names: &[&str],
    contenders: usize,
    run: impl FnOnce() -> T,
) -> T {
    let mut blocker = db.admin.transaction().unwrap();
    for name in names {
        blocker
            .execute(
                "SELECT 1 FROM intergiro_keys.operator WHERE name = $1 FOR UPDATE",
                &[name],
            )
            .unwrap();
    }
    let running = run();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let waiting: i64 = blocker
            .query_one(
                "SELECT count(*) FROM pg_stat_activity
                 WHERE datname = current_database() AND wait_event_type = 'Lock'",
                &[],
            )
            .unwrap()
            .get(0);
        if waiting as usize >= contenders || std::time::Instant::now() > deadline {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    blocker.commit().unwrap();
    running
}

/// Two administrators granting one operator different permissions at once
/// both get theirs: neither change is computed from a stale read.
#[test]
#[ignore = "needs PostgreSQL: run under tests/pg/cluster.sh with --include-ignored"]
fn concurrent_grants_to_one_operator_are_both_kept() {
    let mut db = TestDb::new();
    let mut alice = db.store("t_alice");
    db.ensure_role("t_carol");
    db.ensure_role("t_bob");
    alice
        .add_operator(&operator("t_carol", &[Permission::Admin]), actor())
        .unwrap();
    alice
        .add_operator(&operator("t_bob", &[Permission::View]), actor())
        .unwrap();
    let carol = PgStore::open(&db.location("t_carol")).unwrap();
    let grants = with_operators_locked(&mut db, &["t_bob"], 2, || {
        [(alice, Permission::Renew), (carol, Permission::Delete)].map(|(mut store, permission)| {
            std::thread::spawn(move || {
                let grant = Change::Grant {
                    permissions: Permissions::new([permission]),
                    key_roles: crate::operator::KeyRolesChange::Keep,
                };
                store.change_operator("t_bob", &grant, actor()).map(drop)
            })
        })
    });
    for grant in grants {
        grant.join().unwrap().unwrap();
    }
    let admin = PgStore::open(&db.location("t_alice")).unwrap();
    let bob = admin.operator("t_bob").unwrap().unwrap();
    assert_eq!(bob.permissions.to_string(), "view,renew,delete");
    assert!(intact(&admin));
}

/// Two administrators taking each other's administration at once cannot
/// leave the store without one.
#[test]
#[ignore = "needs PostgreSQL: run under tests/pg/cluster.sh with --include-ignored"]
fn concurrent_demotions_leave_an_administrator() {
    let mut db = TestDb::new();
    let mut alice = db.store("t_alice");
    db.ensure_role("t_carol");
    alice
        .add_operator(&operator("t_carol", &[Permission::Admin]), actor())
        .unwrap();
    let carol = PgStore::open(&db.location("t_carol")).unwrap();
    let demotions = with_operators_locked(&mut db, &["t_alice", "t_carol"], 2, || {
        [(alice, "t_carol"), (carol, "t_alice")].map(|(mut store, other)| {
            std::thread::spawn(move || {
                let revoke = Change::Revoke {
                    permissions: Permissions::new([Permission::Admin]),
                };
                store.change_operator(other, &revoke, actor()).map(drop)
            })
        })
    });
    let done = demotions
        .into_iter()
        .map(|demotion| demotion.join().unwrap())
        .filter(Result::is_ok)
        .count();
    assert_eq!(done, 1);
    let admins = db
        .admin
        .query_one(
            "SELECT count(*) FROM intergiro_keys.operator WHERE permissions = 'admin'",
            &[],
        )
        .unwrap()
        .get::<_, i64>(0);
    assert_eq!(admins, 1);
}

/// A retiring key verifies whatever its freeze date, so the server holds a
/// rotation's grace to the 7 days `rotate --grace` allows: a client calling
/// the function itself cannot keep the old key working for years.
#[test]
#[ignore = "needs PostgreSQL: run under tests/pg/cluster.sh with --include-ignored"]
fn the_server_holds_a_rotations_grace_to_seven_days() {
    let mut db = TestDb::new();
    let mut admin = db.store("t_alice");
    issued(&mut admin, "AAAAAAAAAAAA", &[Role::Payments]);
    db.ensure_role("t_dave");
    admin
        .add_operator(
            &operator("t_dave", &[Permission::Create, Permission::Delete]),
            actor(),
        )
        .unwrap();
    let ten_years = 10 * 365 * 86_400;
    db.raw("t_dave")
        .batch_execute(&format!(
            "SELECT intergiro_keys.begin_rotation('AAAAAAAAAAAA', 'NNNNNNNNNNNN', '{HASH}');
             SELECT intergiro_keys.finish_rotation('AAAAAAAAAAAA', 'NNNNNNNNNNNN', {ten_years});"
        ))
        .unwrap();
    let retires_at = found(&admin, "AAAAAAAAAAAA").retires_at.expect("retiring");
    let grace = retires_at - Utc::now();
    assert!(
        grace <= crate::key::max_grace() + chrono::Duration::seconds(2),
        "retires in {grace}"
    );
    assert!(grace > crate::key::max_grace() - chrono::Duration::seconds(60));
}

/// Two changes that lock the same keys in opposite orders deadlock, and the
/// server stops one of them: a temporary failure, worth retrying, with
/// nothing changed.
#[test]
#[ignore = "needs PostgreSQL: run under tests/pg/cluster.sh with --include-ignored"]
fn a_change_the_server_stops_in_a_deadlock_is_a_temporary_failure() {
    let mut db = TestDb::new();
    let mut store = db.store("t_alice");
    for id in ["AAAAAAAAAAAA", "BBBBBBBBBBBB"] {
        issued(&mut store, id, &[Role::Accounts]);
    }
    let mut blocker = db.admin.transaction().unwrap();
    // The server looks for a deadlock in whichever waiter's deadlock_timeout
    // runs out first: the blocker's is longer, so on a busy machine too the
    // deletion is the one stopped.
    blocker
        .batch_execute("SET LOCAL deadlock_timeout = '30s'")
        .unwrap();
    blocker
        .execute(
            "SELECT 1 FROM intergiro_keys.api_key WHERE id = 'BBBBBBBBBBBB' FOR UPDATE",
            &[],
        )
        .unwrap();
    // The deletion locks A, then waits for B.
    let deleting = std::thread::spawn(move || {
        let err = store
            .delete(&ids(&["AAAAAAAAAAAA", "BBBBBBBBBBBB"]), actor())
            .unwrap_err();
        (store, err)
    });
    loop {
        let waiting: i64 = blocker
            .query_one(
                "SELECT count(*) FROM pg_stat_activity
                 WHERE datname = current_database() AND wait_event_type = 'Lock'",
                &[],
            )
            .unwrap()
            .get(0);
        if waiting > 0 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    // Waiting for A closes the circle; the deletion, whose deadlock_timeout
    // runs out first, is the one the server stops.
    let _ = blocker.execute(
        "SELECT 1 FROM intergiro_keys.api_key WHERE id = 'AAAAAAAAAAAA' FOR UPDATE",
        &[],
    );
    drop(blocker);
    let (store, err) = deleting.join().unwrap();
    assert!(matches!(err, Error::Conflict { .. }), "{err:?}");
    let explained = anyhow::Error::from(err);
    assert!(explained.to_string().contains("try again"), "{explained}");
    assert_eq!(store::keys(&store, &KeyFilter::default()).unwrap().len(), 2);
}

/// Every function that changes keys, called directly as a hostile operator
/// with `psql` would, with each argument wrong in each way the tool never
/// makes: refused, and nothing stored.
#[test]
#[ignore = "needs PostgreSQL: run under tests/pg/cluster.sh with --include-ignored"]
fn direct_calls_with_arguments_the_tool_never_makes_are_refused() {
    let mut db = TestDb::new();
    let mut admin = db.store("t_alice");
    db.ensure_role("t_mallory");
    admin
        .add_operator(
            &Operator {
                name: "t_mallory".into(),
                permissions: Permissions::new([Permission::Create, Permission::Delete]),
                key_roles: Some(Roles::new([Role::Accounts])),
            },
            actor(),
        )
        .unwrap();
    let good_hash = crate::hash::hash_secret("a secret").unwrap();
    let (head, tail) = good_hash.split_at(good_hash.find("$m=").unwrap());
    let tail = &tail["$m=19456,t=2,p=1".len()..];
    let costly = format!("{head}$m=19456,t=4000000000,p=1{tail}");
    let key_text = crate::token::Token::generate().unwrap().expose();
    let mut mallory = db.raw("t_mallory");
    let mut refused = |sql: &str, params: &[&(dyn postgres::types::ToSql + Sync)]| {
        let err = mallory.query(sql, params).unwrap_err();
        let code = err.as_db_error().map(|db| db.code().code().to_string());
        assert!(
            matches!(code.as_deref(), Some("22023" | "42501")),
            "{sql} {params:?}: {err}"
        );
    };
    let create = "SELECT intergiro_keys.create_key($1, $2, $3, $4)";
    let long_name = "n".repeat(65);
    let bad: [(&str, &str, &str, &str); 14] = [
        ("short", "ok", "accounts", &good_hash),
        ("has space 12", "ok", "accounts", &good_hash),
        ("AAAAAAAAAAAAA", "ok", "accounts", &good_hash),
        ("AAAAAAAAAAAA", "", "accounts", &good_hash),
        ("AAAAAAAAAAAA", "   ", "accounts", &good_hash),
        ("AAAAAAAAAAAA", &long_name, "accounts", &good_hash),
        ("AAAAAAAAAAAA", "bell\u{7}", "accounts", &good_hash),
        ("AAAAAAAAAAAA", &key_text[..60], "accounts", &good_hash),
        ("AAAAAAAAAAAA", "ok", "admin", &good_hash),
        ("AAAAAAAAAAAA", "ok", "accounts,accounts", &good_hash),
        ("AAAAAAAAAAAA", "ok", "payments", &good_hash),
        ("AAAAAAAAAAAA", "ok", "accounts", &costly),
        (
            "AAAAAAAAAAAA",
            "ok",
            "accounts",
            &good_hash.replacen("argon2id", "argon2i", 1),
        ),
        ("AAAAAAAAAAAA", "ok", "accounts", "$argon2id$x"),
    ];
    for (id, name, roles, hash) in bad {
        refused(create, &[&id, &name, &roles, &hash]);
    }
    assert!(
        store::keys(&admin, &KeyFilter::default())
            .unwrap()
            .is_empty()
    );

    // A rotation: begun with a bad new key, refused; finished by someone
    // else, or twice, or outside their key-role limit, refused.
    let old = issued(&mut admin, "OOOOOOOOOOOO", &[Role::Payments]);
    refused(
        "SELECT intergiro_keys.begin_rotation($1, $2, $3)",
        &[&old.id, &"bad id", &good_hash],
    );
    let new = key("NNNNNNNNNNNN", &[Role::Payments]);
    assert!(
        admin
            .begin_rotation(&old.id, &new, &good_hash, actor())
            .unwrap()
    );
    // In progress, but payments is beyond mallory's limit.
    refused(
        "SELECT intergiro_keys.finish_rotation($1, $2, 604800)",
        &[&old.id, &new.id],
    );
    admin
        .finish_rotation(&old.id, &new.id, Utc::now(), actor())
        .unwrap();
    let retires_at = found(&admin, &old.id).retires_at;
    // The finding: done once with --grace 0, then given 7 more days.
    let mut admin_raw = db.raw("t_alice");
    let err = admin_raw
        .query(
            "SELECT intergiro_keys.finish_rotation($1, $2, 604800)",
            &[&old.id, &new.id],
        )
        .unwrap_err();
    assert_eq!(
        err.as_db_error().map(|db| db.code().code()),
        Some("22023"),
        "{err}"
    );
    assert_eq!(found(&admin, &old.id).retires_at, retires_at);
}

/// The rules the functions apply come from the tool: a hash the tool makes
/// is taken, a key lives the tool's lifetime, a grace is capped at the
/// tool's longest.
#[test]
#[ignore = "needs PostgreSQL: run under tests/pg/cluster.sh with --include-ignored"]
fn the_servers_rules_are_the_tools() {
    let mut db = TestDb::new();
    let mut admin = db.store("t_alice");
    let hash = crate::hash::hash_secret("s").unwrap();
    let created = key("AAAAAAAAAAAA", &[Role::Accounts]);
    assert!(admin.insert_unissued(&created, &hash, actor()).unwrap());
    let stored = found(&admin, "AAAAAAAAAAAA");
    assert_eq!(
        (stored.freezes_at - stored.created_at).num_days(),
        crate::key::LIFETIME_DAYS
    );
    admin.mark_issued("AAAAAAAAAAAA").unwrap();
    let new = key("NNNNNNNNNNNN", &[Role::Accounts]);
    assert!(
        admin
            .begin_rotation("AAAAAAAAAAAA", &new, &hash, actor())
            .unwrap()
    );
    admin
        .finish_rotation(
            "AAAAAAAAAAAA",
            "NNNNNNNNNNNN",
            Utc::now() + chrono::Duration::days(30),
            actor(),
        )
        .unwrap();
    let retiring = found(&admin, "AAAAAAAAAAAA");
    let grace = retiring.retires_at.unwrap() - Utc::now();
    assert!(grace <= crate::key::max_grace(), "{grace}");
    assert!(
        grace > crate::key::max_grace() - chrono::Duration::minutes(5),
        "{grace}"
    );
}
