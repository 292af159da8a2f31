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
use crate::store::format;
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
    let renewed = store
        .renew(&ids(&["AAAAAAAAAAAA"]), Utc::now(), actor())
        .unwrap();
    let renewed = &renewed[0].key;
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
    let mut seals = Vec::new();
    store
        .each_audit_entry(&AuditFilter::default(), &mut |entry| {
            actions.push(format!("{} {}", entry.record.action, entry.record.outcome));
            seals.push(entry.seal.map(|seal| (seal.subject, seal.digest)));
            Ok(())
        })
        .unwrap();
    assert_eq!(
        actions,
        [
            "users add ok",
            "create ok",
            "create ok",
            "renew ok",
            "list refused",
            "delete ok"
        ]
    );
    // Each entry seals the row it wrote, with the digest of the canonical
    // text src/audit.rs digests: each field as `<UTF-8 length>:<text>;`,
    // `~;` for NULL.
    let text = |fields: &[Option<&str>]| -> String {
        fields
            .iter()
            .map(|field| match field {
                Some(value) => format!("{}:{value};", value.len()),
                None => "~;".to_string(),
            })
            .collect()
    };
    let digest = |text: String| -> String {
        use sha2::Digest;
        sha2::Sha256::digest(text.as_bytes())
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect()
    };
    let created = renewed.created_at.timestamp();
    let key_seal = |issued: &str, freezes_at: i64| {
        digest(text(&[
            Some("key"),
            Some("AAAAAAAAAAAA"),
            Some(&renewed.name),
            Some("accounts"),
            Some(HASH),
            Some(&created.to_string()),
            Some(issued),
            Some(&freezes_at.to_string()),
            None,
            None,
        ]))
    };
    let first_freeze = created + crate::key::lifetime().num_seconds();
    let subject = || "key AAAAAAAAAAAA".to_string();
    assert_eq!(
        seals,
        [
            Some((
                "operator t_alice".to_string(),
                digest(text(&[
                    Some("operator"),
                    Some("t_alice"),
                    Some("admin"),
                    None
                ]))
            )),
            Some((subject(), key_seal("0", first_freeze))),
            Some((subject(), key_seal("1", first_freeze))),
            Some((subject(), key_seal("1", renewed.freezes_at.timestamp()))),
            None,
            Some((subject(), "removed".to_string())),
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
    // Format 2.0: another major format.
    db.admin
        .batch_execute("UPDATE intergiro_keys.schema_version SET version = 2000")
        .unwrap();
    let before = db.contents();
    let err = anyhow::Error::from(PgStore::open(&location).err().unwrap());
    assert!(err.to_string().contains("newer intergiro-keys"), "{err}");
    let err = anyhow::Error::from(PgStore::initialize(&location).err().unwrap());
    assert!(err.to_string().contains("newer intergiro-keys"), "{err}");
    let err = upgrade(&location, Duration::from_secs(1), false).unwrap_err();
    assert!(matches!(err, Error::Newer { version: 2000, .. }), "{err:?}");
    assert_eq!(db.contents(), before);
}

/// The pre-release schemas (v1..v14) are refused by every way in, and left
/// as they are: a small store as v14's `init` left it, its functions aside.
#[test]
#[ignore = "needs PostgreSQL: run under tests/pg/cluster.sh with --include-ignored"]
fn a_pre_release_store_is_refused_untouched() {
    let mut db = TestDb::new();
    let location = db.location("t_alice");
    db.admin
        .batch_execute(&pre_release_store(&db.name, 14))
        .unwrap();
    let contents = |db: &mut TestDb| -> String {
        db.admin
            .query_one(
                "SELECT (SELECT string_agg(t::text, ',') FROM intergiro_keys.schema_version t)
                        || (SELECT string_agg(t::text, ',') FROM intergiro_keys.api_key t)
                        || (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                            WHERE n.nspname = 'intergiro_keys')::text",
                &[],
            )
            .unwrap()
            .get(0)
    };
    let before = contents(&mut db);
    let pre_release = |err: Error| {
        assert!(
            matches!(err, Error::PreRelease { version: 14, .. }),
            "{err:?}"
        );
    };
    pre_release(PgStore::open(&location).err().unwrap());
    let err = anyhow::Error::from(PgStore::initialize(&location).err().unwrap());
    assert!(format!("{err:#}").contains("pre-release"), "{err:#}");
    assert!(format!("{err:#}").contains("(schema v14)"), "{err:#}");
    pre_release(upgrade(&location, Duration::from_secs(1), false).unwrap_err());
    pre_release(upgrade(&location, Duration::from_secs(1), true).unwrap_err());
    assert_eq!(contents(&mut db), before);
}

/// SQL making a store as a pre-release `init` left it at `version`, as far
/// as a command reads before it looks at the version: the owner role's
/// schema, its version table and a key.
pub(crate) fn pre_release_store(database: &str, version: i32) -> String {
    let owner = format!("{database}_intergiro_keys_owner");
    let operators = format!("{database}_intergiro_keys_operators");
    format!(
        "CREATE ROLE \"{owner}\" NOLOGIN;
         CREATE ROLE \"{operators}\" NOLOGIN;
         CREATE SCHEMA intergiro_keys AUTHORIZATION \"{owner}\";
         SET ROLE \"{owner}\";
         CREATE TABLE intergiro_keys.schema_version (version integer NOT NULL, operators_role text NOT NULL);
         INSERT INTO intergiro_keys.schema_version VALUES ({version}, '{operators}');
         GRANT USAGE ON SCHEMA intergiro_keys TO PUBLIC;
         GRANT SELECT ON intergiro_keys.schema_version TO PUBLIC;
         CREATE TABLE intergiro_keys.api_key (id text PRIMARY KEY, name text NOT NULL);
         INSERT INTO intergiro_keys.api_key VALUES ('AAAAAAAAAAAA', 'old key');
         RESET ROLE;"
    )
}

/// A store upgraded by a newer minor format is read: what its owner role
/// added is accepted, what anyone else added is not, and what this build
/// knows must still be as it made it.
#[test]
#[ignore = "needs PostgreSQL: run under tests/pg/cluster.sh with --include-ignored"]
fn a_store_of_a_newer_minor_format_is_read() {
    let mut db = TestDb::new();
    let mut store = db.store("t_alice");
    issued(&mut store, "AAAAAAAAAAAA", &[Role::Accounts]);
    drop(store);
    let location = db.location("t_alice");
    let owner = format!("{}_intergiro_keys_owner", db.name);
    db.admin
        .batch_execute(&format!(
            "SET ROLE \"{owner}\";
             CREATE FUNCTION intergiro_keys.added_later() RETURNS integer LANGUAGE sql
                 SET search_path = pg_catalog, intergiro_keys, pg_temp AS 'SELECT 1';
             CREATE INDEX added_later ON intergiro_keys.api_key (name);
             UPDATE intergiro_keys.schema_version SET version = 1001;
             RESET ROLE;"
        ))
        .unwrap();
    let store = PgStore::open(&location).unwrap();
    assert!(store.find_key("AAAAAAAAAAAA").unwrap().is_some());
    assert_eq!(
        store
            .count_flagged(Utc::now(), Utc::now() + chrono::Duration::days(14))
            .unwrap()
            .issued,
        1
    );
    drop(store);
    // Nothing to upgrade: the store is newer.
    let plan = upgrade(&location, Duration::from_secs(1), false).unwrap();
    assert!(plan.steps.is_empty(), "{plan:?}");
    assert_eq!(db.version(), 1001);
    // Made by another role: refused, newer format or not.
    db.ensure_role("t_mallory");
    db.admin
        .batch_execute("ALTER FUNCTION intergiro_keys.added_later() OWNER TO t_mallory")
        .unwrap();
    assert!(matches!(
        PgStore::open(&location).err().unwrap(),
        Error::Untrusted {
            problem: crate::store::Untrusted::ForeignOwner { .. },
            ..
        }
    ));
    db.admin
        .batch_execute(&format!(
            "ALTER FUNCTION intergiro_keys.added_later() OWNER TO \"{owner}\";
             ALTER FUNCTION intergiro_keys.find_key(text) SECURITY INVOKER"
        ))
        .unwrap();
    // One this build knows, changed: refused.
    assert!(matches!(
        PgStore::open(&location).err().unwrap(),
        Error::Untrusted {
            problem: crate::store::Untrusted::FunctionChanged { .. },
            ..
        }
    ));
}

/// `upgrade` applies the steps after the store's format, as its owner, and
/// only it: with the test step to 1.1, a 1.1 build refuses a 1.0 store
/// until upgraded, `--dry-run` changes nothing, a role that cannot act as
/// the owner changes nothing, and a 1.0 build goes on reading the upgraded
/// store.
#[test]
#[ignore = "needs PostgreSQL: run under tests/pg/cluster.sh with --include-ignored"]
fn upgrade_applies_the_steps_after_the_stores_format_as_its_owner() {
    use super::schema::NEXT_MINOR_HERE;
    let mut db = TestDb::new();
    let mut store = db.store("t_alice");
    issued(&mut store, "AAAAAAAAAAAA", &[Role::Accounts]);
    db.ensure_role("t_bob");
    store
        .add_operator(&operator("t_bob", &[Permission::Admin]), actor())
        .unwrap();
    drop(store);
    db.ensure_role("t_carol");
    db.admin
        .batch_execute("ALTER ROLE t_carol CREATEROLE")
        .unwrap();
    admin_adds(&mut db, "t_carol", &[Permission::View]);
    let location = db.location("t_alice");
    let wait = Duration::from_secs(5);
    // This build: nothing to do.
    let plan = upgrade(&location, wait, false).unwrap();
    assert_eq!((plan.from, plan.to), (format::CURRENT, format::CURRENT));
    assert!(plan.steps.is_empty());

    NEXT_MINOR_HERE.with(|next| next.set(true));
    let next = format::Format { major: 1, minor: 1 };
    let before = db.contents();
    assert!(matches!(
        PgStore::open(&location).err().unwrap(),
        Error::NeedsUpgrade {
            from: 1000,
            to: 1001,
            ..
        }
    ));
    let plan = upgrade(&location, wait, true).unwrap();
    assert_eq!((plan.from, plan.to), (format::CURRENT, next));
    assert_eq!(
        plan.steps,
        ["1.1: add the function format_probe() (a test step)"]
    );
    assert_eq!(db.contents(), before, "a dry run changed the store");
    // bob administers the store but cannot act as its owner role.
    let err = upgrade(&db.location("t_bob"), wait, false).unwrap_err();
    assert!(
        matches!(&err, Error::UpgradeNotAllowed { role, from: 1000, to: 1001, .. } if role == "t_bob"),
        "{err:?}"
    );
    assert_eq!(db.contents(), before);
    // carol may act as the owner, but only views the store.
    let before = db.contents();
    let err = anyhow::Error::from(upgrade(&db.location("t_carol"), wait, false).unwrap_err());
    assert!(
        err.to_string().contains("lacks the admin permission"),
        "{err}"
    );
    assert_eq!(db.contents(), before);
    // The command that upgrades opens the older store to decide who may.
    assert!(PgStore::open_to_upgrade(&location, wait).is_ok());

    assert_eq!(upgrade(&location, wait, false).unwrap().steps.len(), 1);
    assert_eq!(db.version(), 1001);
    let store = PgStore::open(&location).unwrap();
    let mut last = None;
    store
        .each_audit_entry(&AuditFilter::default(), &mut |entry| {
            last = Some(entry.record);
            Ok(())
        })
        .unwrap();
    let last = last.unwrap();
    assert_eq!(
        (
            last.operator.as_str(),
            last.action.as_str(),
            last.detail.as_str()
        ),
        ("t_alice", "upgrade", "store format 1.0 to 1.1")
    );
    assert!(intact(&store));
    drop(store);
    let owner: String = db
        .admin
        .query_one(
            "SELECT proowner::regrole::text FROM pg_proc WHERE proname = 'format_probe'",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(owner, format!("{}_intergiro_keys_owner", db.name));
    // Once only.
    assert!(upgrade(&location, wait, false).unwrap().steps.is_empty());
    assert!(PgStore::open(&location).is_ok());

    // A build one minor format older reads and verifies against it.
    NEXT_MINOR_HERE.with(|next| next.set(false));
    let store = PgStore::open(&location).unwrap();
    assert!(store.find_key("AAAAAAAAAAAA").unwrap().is_some());
    assert!(intact(&store));
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

/// Rows the store's owner role edits (a store administrator can `SET ROLE`
/// to it), each column that decides whether a key works and an operator's
/// permissions: `find_key` (what `verify` reads) refuses the key as
/// tampered, `audit --verify` names the row, and a change that would seal
/// the forged row is refused. Put back, all agree again.
#[test]
#[ignore = "needs PostgreSQL: run under tests/pg/cluster.sh with --include-ignored"]
fn a_row_the_owner_role_edited_is_caught_by_verify_and_audit_verify() {
    let mut db = TestDb::new();
    let mut store = db.store("t_alice");
    issued(&mut store, "AAAAAAAAAAAA", &[Role::Accounts]);
    db.ensure_role("t_bob");
    store
        .add_operator(&operator("t_bob", &[Permission::View]), actor())
        .unwrap();
    let owner = format!("{}_intergiro_keys_owner", db.name);
    let tampered = |store: &PgStore| -> Vec<String> {
        let mut found = Vec::new();
        store
            .each_tampered(&mut |tampered| {
                found.push(tampered.subject);
                Ok(())
            })
            .unwrap();
        found
    };
    assert!(tampered(&store).is_empty());
    let edits = [
        ("api_key", "roles", "'accounts,payments'"),
        ("api_key", "issued", "false"),
        ("api_key", "created_at", "created_at + 86400"),
        ("api_key", "freezes_at", "freezes_at + 86400"),
        ("api_key", "name", "'renamed'"),
        ("api_key", "secret_hash", "secret_hash || 'x'"),
        // A rotated-out key kept working: here, one never rotated.
        ("api_key", "retires_at", "freezes_at"),
    ];
    for (table, column, value) in edits {
        db.admin
            .batch_execute(&format!(
                "BEGIN; SET LOCAL ROLE \"{owner}\";
                 CREATE TEMP TABLE kept AS SELECT * FROM intergiro_keys.{table};
                 UPDATE intergiro_keys.{table} SET {column} = {value};
                 COMMIT;"
            ))
            .unwrap();
        let err = store.find_key("AAAAAAAAAAAA").err().unwrap();
        assert!(
            matches!(&err, Error::Tampered { subject, problem }
                     if subject == "key AAAAAAAAAAAA" && problem.contains("differs from what audit entry")),
            "{column}: {err:?}"
        );
        assert_eq!(tampered(&store), ["key AAAAAAAAAAAA"], "{column}");
        let err = store
            .renew(&ids(&["AAAAAAAAAAAA"]), Utc::now(), actor())
            .unwrap_err();
        assert!(
            matches!(err, Error::Tampered { .. } | Error::Retiring { .. }),
            "{column}: {err:?}"
        );
        db.admin
            .batch_execute(&format!(
                "BEGIN; SET LOCAL ROLE \"{owner}\";
                 DELETE FROM intergiro_keys.{table};
                 INSERT INTO intergiro_keys.{table} SELECT * FROM kept;
                 DROP TABLE kept;
                 COMMIT;"
            ))
            .unwrap();
        assert!(
            store.find_key("AAAAAAAAAAAA").unwrap().is_some(),
            "{column}"
        );
        assert!(tampered(&store).is_empty(), "{column}");
    }
    // An operator's permissions, and a row removed by other means.
    db.admin
        .batch_execute(&format!(
            "SET ROLE \"{owner}\";
             UPDATE intergiro_keys.operator SET permissions = 'admin' WHERE name = 't_bob';
             DELETE FROM intergiro_keys.api_key;
             RESET ROLE;"
        ))
        .unwrap();
    assert_eq!(
        tampered(&store),
        ["key AAAAAAAAAAAA", "operator t_bob"],
        "by subject"
    );
    let verdict = store::verify_audit(&store).unwrap();
    assert!(verdict.intact.is_ok());
    let problems: Vec<String> = verdict
        .tampered
        .iter()
        .map(|t| format!("{}: {}", t.subject, t.problem))
        .collect();
    assert!(
        problems[0].contains("the row is gone: removed by other means")
            && problems[1].contains("differs from what audit entry"),
        "{problems:?}"
    );
}

/// A store with its administrator t_alice, an issued `payments` key of
/// hers (PPPPPPPPPPPP) and an issued `accounts` key (AAAAAAAAAAAA), and
/// t_mallory, an operator holding `permissions` within the key role
/// `accounts`, connected as with `psql`.
fn hostile(permissions: &[Permission]) -> (TestDb, PgStore, Client) {
    let mut db = TestDb::new();
    let mut admin = db.store("t_alice");
    issued(&mut admin, "PPPPPPPPPPPP", &[Role::Payments]);
    issued(&mut admin, "AAAAAAAAAAAA", &[Role::Accounts]);
    db.ensure_role("t_mallory");
    admin
        .add_operator(
            &Operator {
                name: "t_mallory".into(),
                permissions: Permissions::new(permissions.iter().copied()),
                key_roles: Some(Roles::new([Role::Accounts])),
            },
            actor(),
        )
        .unwrap();
    let mallory = db.raw("t_mallory");
    (db, admin, mallory)
}

/// Calls `sql` as `client`, which must be refused with SQLSTATE `code`.
fn refused_with(
    client: &mut Client,
    code: &str,
    sql: &str,
    params: &[&(dyn postgres::types::ToSql + Sync)],
) {
    let err = client.query(sql, params).unwrap_err();
    assert_eq!(
        err.as_db_error().map(|db| db.code().code()),
        Some(code),
        "{sql} {params:?}: {err}"
    );
}

/// What could change, to compare before and after the hostile calls.
fn state(db: &mut TestDb) -> String {
    db.contents()
}

const NO_TEXT: Option<&str> = None;
const NO_IDS: Option<Vec<&str>> = None;

#[test]
#[ignore = "needs PostgreSQL: run under tests/pg/cluster.sh with --include-ignored"]
fn mark_issued_called_directly_issues_only_the_callers_own_new_key() {
    let (mut db, mut admin, mut mallory) = hostile(&[Permission::Create]);
    // Unissued keys: alice's own, and a rotation's replacement.
    admin
        .insert_unissued(&key("UUUUUUUUUUUU", &[Role::Accounts]), HASH, actor())
        .unwrap();
    admin
        .begin_rotation(
            "AAAAAAAAAAAA",
            &key("RRRRRRRRRRRR", &[Role::Accounts]),
            HASH,
            actor(),
        )
        .unwrap();
    let before = state(&mut db);
    let sql = "SELECT intergiro_keys.mark_issued($1)";
    for id in [
        None,
        Some("short"),
        Some("ZZZZZZZZZZZZ"), // unknown
        Some("UUUUUUUUUUUU"), // alice's
        Some("AAAAAAAAAAAA"), // issued already
        Some("RRRRRRRRRRRR"), // a rotation's replacement
    ] {
        refused_with(&mut mallory, "22023", sql, &[&id]);
    }
    assert_eq!(state(&mut db), before);
    // Her own, once.
    mallory
        .query(
            "SELECT intergiro_keys.create_key('MMMMMMMMMMMM', 'mine', 'accounts', $1)",
            &[&HASH],
        )
        .unwrap();
    mallory.query(sql, &[&"MMMMMMMMMMMM"]).unwrap();
    refused_with(&mut mallory, "22023", sql, &[&"MMMMMMMMMMMM"]);
    assert!(found(&admin, "MMMMMMMMMMMM").issued);
    // alice's key as she left it; the rotation still to be finished.
    assert!(
        !admin
            .find_key_as_stored("UUUUUUUUUUUU")
            .unwrap()
            .unwrap()
            .key
            .issued
    );
    assert!(!found(&admin, "RRRRRRRRRRRR").issued);
}

#[test]
#[ignore = "needs PostgreSQL: run under tests/pg/cluster.sh with --include-ignored"]
fn discard_unissued_called_directly_discards_only_the_callers_own_new_key() {
    let (mut db, mut admin, mut mallory) = hostile(&[Permission::Create]);
    admin
        .insert_unissued(&key("UUUUUUUUUUUU", &[Role::Accounts]), HASH, actor())
        .unwrap();
    let before = state(&mut db);
    let sql = "SELECT intergiro_keys.discard_unissued($1)";
    // alice's new key, in the moment before it is issued.
    refused_with(&mut mallory, "22023", sql, &[&"UUUUUUUUUUUU"]);
    // Issued, unknown, malformed or none: nothing to discard.
    for id in [
        None,
        Some("AAAAAAAAAAAA"),
        Some("ZZZZZZZZZZZZ"),
        Some("x' OR true --"),
    ] {
        mallory.query(sql, &[&id]).unwrap();
    }
    assert_eq!(state(&mut db), before);
}

#[test]
#[ignore = "needs PostgreSQL: run under tests/pg/cluster.sh with --include-ignored"]
fn list_keys_called_directly_needs_view() {
    let (mut db, _admin, mut mallory) = hostile(&[Permission::Create, Permission::Renew]);
    let sql = "SELECT * FROM intergiro_keys.list_keys($1, $2)";
    refused_with(&mut mallory, "42501", sql, &[&None::<i64>, &false]);
    refused_with(&mut mallory, "42501", sql, &[&i64::MAX, &None::<bool>]);
    // With view: NULLs list what the tool would, never more.
    let mut viewer = {
        db.ensure_role("t_viewer");
        admin_adds(&mut db, "t_viewer", &[Permission::View]);
        db.raw("t_viewer")
    };
    let rows = viewer.query(sql, &[&None::<i64>, &None::<bool>]).unwrap();
    assert_eq!(rows.len(), 2);
    assert!(
        rows[0]
            .columns()
            .iter()
            .all(|column| column.name() != "secret_hash")
    );
}

/// Adds an operator as the store's administrator, t_alice.
fn admin_adds(db: &mut TestDb, name: &str, permissions: &[Permission]) {
    let mut admin = PgStore::open(&db.location("t_alice")).unwrap();
    admin
        .add_operator(&operator(name, permissions), actor())
        .unwrap();
}

#[test]
#[ignore = "needs PostgreSQL: run under tests/pg/cluster.sh with --include-ignored"]
fn find_key_called_directly_needs_an_operator() {
    let (mut db, _admin, mut mallory) = hostile(&[Permission::Verify]);
    let sql = "SELECT * FROM intergiro_keys.find_key($1)";
    assert!(mallory.query(sql, &[&NO_TEXT]).unwrap().is_empty());
    assert!(mallory.query(sql, &[&"%"]).unwrap().is_empty());
    // A role that is no operator may not call it at all.
    db.ensure_role("t_stranger");
    refused_with(&mut db.raw("t_stranger"), "42501", sql, &[&"AAAAAAAAAAAA"]);
}

#[test]
#[ignore = "needs PostgreSQL: run under tests/pg/cluster.sh with --include-ignored"]
fn count_flagged_called_directly_refuses_missing_times() {
    let (mut db, _admin, mut mallory) = hostile(&[Permission::Verify]);
    let sql = "SELECT * FROM intergiro_keys.count_flagged($1, $2)";
    refused_with(&mut mallory, "22023", sql, &[&None::<i64>, &0_i64]);
    refused_with(&mut mallory, "22023", sql, &[&0_i64, &None::<i64>]);
    db.ensure_role("t_stranger");
    refused_with(&mut db.raw("t_stranger"), "42501", sql, &[&0_i64, &0_i64]);
}

#[test]
#[ignore = "needs PostgreSQL: run under tests/pg/cluster.sh with --include-ignored"]
fn renew_keys_called_directly_refuses_every_wrong_list() {
    let (mut db, mut admin, mut mallory) = hostile(&[Permission::Renew]);
    // A retiring key.
    admin
        .begin_rotation(
            "AAAAAAAAAAAA",
            &key("RRRRRRRRRRRR", &[Role::Accounts]),
            HASH,
            actor(),
        )
        .unwrap();
    admin
        .finish_rotation(
            "AAAAAAAAAAAA",
            "RRRRRRRRRRRR",
            Utc::now() + chrono::Duration::days(1),
            actor(),
        )
        .unwrap();
    let before = state(&mut db);
    let sql = "SELECT * FROM intergiro_keys.renew_keys($1)";
    refused_with(&mut mallory, "22023", sql, &[&NO_IDS]);
    refused_with(
        &mut mallory,
        "22023",
        sql,
        &[&vec![Some("PPPPPPPPPPPP"), None]],
    );
    refused_with(
        &mut mallory,
        "22023",
        sql,
        &[&vec!["PPPPPPPPPPPP", "short"]],
    );
    refused_with(
        &mut mallory,
        "22023",
        "SELECT * FROM intergiro_keys.renew_keys(ARRAY[['PPPPPPPPPPPP'], ['RRRRRRRRRRRR']])",
        &[],
    );
    refused_with(
        &mut mallory,
        "IK001",
        sql,
        &[&vec!["PPPPPPPPPPPP", "ZZZZZZZZZZZZ"]],
    );
    refused_with(
        &mut mallory,
        "IK006",
        sql,
        &[&vec!["PPPPPPPPPPPP", "AAAAAAAAAAAA"]],
    );
    assert_eq!(state(&mut db), before);
    // Without renew.
    db.ensure_role("t_viewer");
    admin_adds(&mut db, "t_viewer", &[Permission::View]);
    let before = state(&mut db);
    refused_with(
        &mut db.raw("t_viewer"),
        "42501",
        sql,
        &[&vec!["PPPPPPPPPPPP"]],
    );
    assert_eq!(state(&mut db), before);
}

#[test]
#[ignore = "needs PostgreSQL: run under tests/pg/cluster.sh with --include-ignored"]
fn delete_keys_called_directly_refuses_every_wrong_list() {
    let (mut db, _admin, mut mallory) = hostile(&[Permission::Delete]);
    let before = state(&mut db);
    let sql = "SELECT * FROM intergiro_keys.delete_keys($1)";
    refused_with(&mut mallory, "22023", sql, &[&NO_IDS]);
    refused_with(
        &mut mallory,
        "22023",
        sql,
        &[&vec![Some("AAAAAAAAAAAA"), None]],
    );
    refused_with(&mut mallory, "22023", sql, &[&vec!["AAAAAAAAAAAA", "%"]]);
    refused_with(
        &mut mallory,
        "22023",
        "SELECT * FROM intergiro_keys.delete_keys(ARRAY[['AAAAAAAAAAAA'], ['PPPPPPPPPPPP']])",
        &[],
    );
    refused_with(
        &mut mallory,
        "IK001",
        sql,
        &[&vec!["AAAAAAAAAAAA", "ZZZZZZZZZZZZ"]],
    );
    assert_eq!(state(&mut db), before);
    db.ensure_role("t_renewer");
    admin_adds(&mut db, "t_renewer", &[Permission::Renew]);
    let before = state(&mut db);
    refused_with(
        &mut db.raw("t_renewer"),
        "42501",
        sql,
        &[&vec!["AAAAAAAAAAAA"]],
    );
    assert_eq!(state(&mut db), before);
}

#[test]
#[ignore = "needs PostgreSQL: run under tests/pg/cluster.sh with --include-ignored"]
fn revoke_found_called_directly_refuses_every_wrong_list() {
    let (mut db, _admin, mut mallory) = hostile(&[Permission::Delete]);
    let before = state(&mut db);
    let sql = "SELECT * FROM intergiro_keys.revoke_found($1, $2)";
    let long = "x".repeat(5000);
    type List<'a> = Option<Vec<Option<&'a str>>>;
    let cases: [(List, List); 7] = [
        (None, Some(vec![Some("here")])),
        (Some(vec![Some("AAAAAAAAAAAA")]), None),
        (Some(vec![Some("AAAAAAAAAAAA")]), Some(vec![])),
        (Some(vec![None]), Some(vec![Some("here")])),
        (Some(vec![Some("AAAAAAAAAAAA")]), Some(vec![None])),
        (Some(vec![Some("AAAAAAAAAAAA")]), Some(vec![Some("  ")])),
        (Some(vec![Some("AAAAAAAAAAAA")]), Some(vec![Some(&long)])),
    ];
    for (ids, places) in cases {
        refused_with(&mut mallory, "22023", sql, &[&ids, &places]);
    }
    assert_eq!(state(&mut db), before);
}

#[test]
#[ignore = "needs PostgreSQL: run under tests/pg/cluster.sh with --include-ignored"]
fn operators_audit_entries_audit_last_seq_and_tampered_called_directly_need_view() {
    let (_db, _admin, mut mallory) =
        hostile(&[Permission::Create, Permission::Renew, Permission::Delete]);
    for sql in [
        "SELECT * FROM intergiro_keys.operators()",
        "SELECT * FROM intergiro_keys.audit_entries(NULL, NULL, NULL)",
        "SELECT * FROM intergiro_keys.audit_last_seq()",
        "SELECT * FROM intergiro_keys.tampered()",
    ] {
        refused_with(&mut mallory, "42501", sql, &[]);
    }
}

#[test]
#[ignore = "needs PostgreSQL: run under tests/pg/cluster.sh with --include-ignored"]
fn operator_changes_called_directly_need_admin_and_valid_arguments() {
    let (mut db, _admin, mut mallory) = hostile(&[Permission::View]);
    let before = state(&mut db);
    // Not an administrator: every change refused.
    refused_with(
        &mut mallory,
        "42501",
        "SELECT intergiro_keys.add_operator('t_x', 'view', NULL)",
        &[],
    );
    refused_with(
        &mut mallory,
        "42501",
        "SELECT intergiro_keys.update_operator('t_mallory', 'users grant', 'admin', NULL)",
        &[],
    );
    refused_with(
        &mut mallory,
        "42501",
        "SELECT intergiro_keys.remove_operator('t_alice')",
        &[],
    );
    refused_with(
        &mut mallory,
        "42501",
        "SELECT * FROM intergiro_keys.lock_operator('t_alice')",
        &[],
    );
    assert_eq!(state(&mut db), before);

    // An administrator, with every argument wrong.
    let mut alice = db.raw("t_alice");
    let add = "SELECT intergiro_keys.add_operator($1, $2, $3)";
    let long_name = "n".repeat(64);
    // Three arguments, then the SQLSTATE expected.
    type Call<'a> = (Option<&'a str>, Option<&'a str>, Option<&'a str>, &'a str);
    let bad_adds: [Call; 9] = [
        (None, Some("view"), None, "22023"),
        (Some(""), Some("view"), None, "22023"),
        (Some("t_x\n"), Some("view"), None, "22023"),
        (Some(&long_name), Some("view"), None, "22023"),
        (Some("t_x"), None, None, "22023"),
        (Some("t_x"), Some("root"), None, "22023"),
        (Some("t_x"), Some("view,"), None, "22023"),
        (Some("t_x"), Some("view"), Some("admin"), "22023"),
        (Some("t_mallory"), Some("view"), None, "IK003"),
    ];
    for (name, permissions, key_roles, code) in bad_adds {
        refused_with(&mut alice, code, add, &[&name, &permissions, &key_roles]);
    }
    let update = "SELECT intergiro_keys.update_operator($1, $2, $3, $4)";
    let bad_updates: [Call; 7] = [
        (Some("t_mallory"), None, Some("view"), "22023"),
        (None, Some("users grant"), Some("view"), "22023"),
        (Some("t_mallory"), Some("users add"), Some("view"), "22023"),
        (Some("t_mallory"), Some("users grant"), None, "22023"),
        (
            Some("t_mallory"),
            Some("users grant"),
            Some("everything"),
            "22023",
        ),
        (Some("t_nobody"), Some("users grant"), Some("view"), "IK002"),
        (Some("t_alice"), Some("users revoke"), Some("view"), "IK004"),
    ];
    for (name, action, permissions, code) in bad_updates {
        refused_with(
            &mut alice,
            code,
            update,
            &[&name, &action, &permissions, &NO_TEXT],
        );
    }
    for (name, code) in [
        (None, "22023"),
        (Some("t_nobody"), "IK002"),
        (Some("t_alice"), "IK004"),
    ] {
        refused_with(
            &mut alice,
            code,
            "SELECT intergiro_keys.remove_operator($1)",
            &[&name],
        );
    }
    refused_with(
        &mut alice,
        "22023",
        "SELECT * FROM intergiro_keys.lock_operator($1)",
        &[&NO_TEXT],
    );
    refused_with(
        &mut alice,
        "IK002",
        "SELECT * FROM intergiro_keys.lock_operator('t_nobody')",
        &[],
    );
    assert_eq!(state(&mut db), before);
}

#[test]
#[ignore = "needs PostgreSQL: run under tests/pg/cluster.sh with --include-ignored"]
fn record_use_called_directly_records_only_uses_of_issued_keys() {
    let (mut db, mut admin, mut mallory) = hostile(&[Permission::Verify]);
    admin
        .insert_unissued(&key("UUUUUUUUUUUU", &[Role::Accounts]), HASH, actor())
        .unwrap();
    let sql = "SELECT intergiro_keys.record_use($1, $2)";
    for (id, period) in [
        (None, Some(0_i64)),
        (Some("UUUUUUUUUUUU"), Some(0)),
        (Some("ZZZZZZZZZZZZ"), Some(0)),
        (Some("%"), None),
    ] {
        let recorded: bool = mallory.query_one(sql, &[&id, &period]).unwrap().get(0);
        assert!(!recorded, "{id:?}");
    }
    // A negative period is none: once per second at most.
    let first: bool = mallory
        .query_one(sql, &[&"AAAAAAAAAAAA", &i64::MIN])
        .unwrap()
        .get(0);
    assert!(first);
    db.ensure_role("t_stranger");
    refused_with(
        &mut db.raw("t_stranger"),
        "42501",
        sql,
        &[&"AAAAAAAAAAAA", &0_i64],
    );
    assert_eq!(found(&admin, "UUUUUUUUUUUU").last_used_at, None);
}

#[test]
#[ignore = "needs PostgreSQL: run under tests/pg/cluster.sh with --include-ignored"]
fn record_refusal_called_directly_records_only_a_refusal_as_the_tool_names_it() {
    let (mut db, admin, _mallory) = hostile(&[Permission::Verify]);
    // Anyone may record that they were refused; not an operator too.
    db.ensure_role("t_stranger");
    let mut stranger = db.raw("t_stranger");
    let sql = "SELECT intergiro_keys.record_refusal($1, $2, $3)";
    let seq = admin.last_audit_seq().unwrap();
    for (action, detail) in [
        (None, Some("why")),
        (Some("list"), None),
        (Some(""), Some("why")),
        (Some("LIST"), Some("why")),
        (Some("list\nforged entry"), Some("why")),
        (Some("a very long action name that goes on"), Some("why")),
    ] {
        refused_with(&mut stranger, "22023", sql, &[&action, &NO_TEXT, &detail]);
    }
    assert_eq!(admin.last_audit_seq().unwrap(), seq);
    // A key ID the tool never makes is left out; a long detail cut short;
    // the entry says who and that it was a refusal.
    let long = "d".repeat(5000);
    stranger
        .query(sql, &[&"delete", &"not an id", &long])
        .unwrap();
    let mut last = None;
    admin
        .each_audit_entry(&AuditFilter::default(), &mut |entry| {
            last = Some(entry);
            Ok(())
        })
        .unwrap();
    let last = last.unwrap().record;
    assert_eq!(
        (
            last.operator.as_str(),
            last.action.as_str(),
            last.key_id,
            last.outcome.as_str()
        ),
        ("t_stranger", "delete", None, "refused")
    );
    assert_eq!(last.detail.len(), 1000);
}

#[test]
#[ignore = "needs PostgreSQL: run under tests/pg/cluster.sh with --include-ignored"]
fn whoami_and_server_now_called_directly_tell_only_the_caller_about_itself() {
    let (mut db, _admin, mut mallory) = hostile(&[Permission::Verify]);
    let rows = mallory
        .query("SELECT * FROM intergiro_keys.whoami()", &[])
        .unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].get::<_, String>("name"), "t_mallory");
    db.ensure_role("t_stranger");
    let mut stranger = db.raw("t_stranger");
    assert!(
        stranger
            .query("SELECT * FROM intergiro_keys.whoami()", &[])
            .unwrap()
            .is_empty()
    );
    let now: i64 = stranger
        .query_one("SELECT intergiro_keys.server_now()", &[])
        .unwrap()
        .get(0);
    assert!((now - Utc::now().timestamp()).abs() < 60);
}

/// Every SECURITY DEFINER function has a test above (or before) that calls
/// it directly as a hostile operator would.
#[test]
fn every_function_operators_may_call_is_called_directly_by_a_hostile_test() {
    const CALLED: &[&str] = &[
        "add_operator",
        "audit_entries",
        "audit_last_seq",
        "begin_rotation",
        "count_flagged",
        "create_key",
        "delete_keys",
        "discard_unissued",
        "find_key",
        "finish_rotation",
        "keys_named",
        "list_keys",
        "lock_operator",
        "mark_issued",
        "operators",
        "record_refusal",
        "record_use",
        "remove_operator",
        "renew_keys",
        "revoke_found",
        "server_now",
        "tampered",
        "update_operator",
        "whoami",
    ];
    let definers: Vec<&str> = super::prove::FUNCTIONS
        .iter()
        .filter(|(_, definer)| *definer)
        .filter_map(|(signature, _)| signature.split('(').next())
        .collect();
    assert_eq!(definers, CALLED);
}

/// An upgrade held up by another past the busy timeout says how long it
/// waited, as a change held up by a lock does, and changes nothing.
#[test]
#[ignore = "needs PostgreSQL: run under tests/pg/cluster.sh with --include-ignored"]
fn an_upgrade_kept_waiting_past_the_busy_timeout_says_how_long_it_waited() {
    let mut db = TestDb::new();
    drop(db.store("t_alice"));
    let location = db.location("t_alice");
    super::schema::NEXT_MINOR_HERE.with(|next| next.set(true));
    // What a concurrent upgrade of this store holds while it runs.
    db.admin
        .batch_execute("SELECT pg_advisory_lock(hashtext('intergiro_keys upgrade intergiro_keys'))")
        .unwrap();
    let waited = Duration::from_millis(1500);
    let err = upgrade(&location, waited, false).unwrap_err();
    assert!(
        matches!(&err, Error::Busy { waited: reported, .. } if *reported == waited),
        "{err:?}"
    );
    assert_eq!(db.version(), 1000);
}
