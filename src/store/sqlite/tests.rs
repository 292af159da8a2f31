//! What only the SQLite store does: files, headers, formats, triggers and
//! query plans. Behaviour every store shares is tested in `store::tests`.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::time::Duration;

use rusqlite::Connection;

use super::schema::user_version;
use super::*;
use crate::store::{NotOurs, Open};

const WAIT: Duration = Duration::from_secs(1);

fn open(path: &Path, how: Open) -> Result<SqliteStore> {
    SqliteStore::open(path, how, WAIT)
}

#[test]
fn a_new_database_has_the_1_0_schema() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nested/keys.db");
    let store = open(&path, Open::CreateIfMissing).unwrap();
    assert_eq!(user_version(&store.conn).unwrap(), SCHEMA_VERSION);
    assert_eq!(SCHEMA_VERSION, 1000);
    let journal: String = store
        .conn
        .pragma_query_value(None, "journal_mode", |row| row.get(0))
        .unwrap();
    assert_eq!(journal, "wal");
    // No temporary file is left behind.
    let names: Vec<_> = fs::read_dir(path.parent().unwrap())
        .unwrap()
        .map(|entry| entry.unwrap().file_name())
        .filter(|name| !name.to_string_lossy().starts_with("keys.db"))
        .collect();
    assert!(names.is_empty(), "{names:?}");
}

#[test]
fn an_empty_database_of_ours_is_given_the_schema() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("keys.db");
    {
        let conn = Connection::open(&path).unwrap();
        conn.pragma_update(None, "application_id", APPLICATION_ID)
            .unwrap();
        // user_version 0 and nothing in it: marked ours, never given a
        // schema.
    }
    let store = open(&path, Open::MustExist).unwrap();
    assert_eq!(user_version(&store.conn).unwrap(), SCHEMA_VERSION);
    assert!(
        crate::store::keys(&store, &KeyFilter::default())
            .unwrap()
            .is_empty()
    );
}

#[test]
fn a_pre_release_store_is_refused_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("keys.db");
    {
        let conn = Connection::open(&path).unwrap();
        conn.pragma_update(None, "application_id", APPLICATION_ID)
            .unwrap();
        conn.execute_batch("CREATE TABLE api_key (id TEXT PRIMARY KEY NOT NULL) STRICT;")
            .unwrap();
        conn.pragma_update(None, "user_version", 7).unwrap();
    }
    let before = fs::read(&path).unwrap();
    for how in [Open::MustExist, Open::CreateIfMissing, Open::ToUpgrade] {
        let err = open(&path, how).err().unwrap();
        assert!(
            matches!(err, Error::PreRelease { version: 7, .. }),
            "{err:?}"
        );
    }
    assert_eq!(fs::read(&path).unwrap(), before);
}

#[test]
fn a_newer_major_format_is_refused_and_a_newer_minor_one_used() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("keys.db");
    let mut store = open(&path, Open::CreateIfMissing).unwrap();
    store
        .conn
        .pragma_update(None, "user_version", 2000)
        .unwrap();
    assert!(matches!(
        store.check_format(false),
        Err(Error::Newer { version: 2000, .. })
    ));
    store
        .conn
        .pragma_update(None, "user_version", 1001)
        .unwrap();
    assert_eq!(
        store.check_format(false).unwrap(),
        crate::store::format::Format { major: 1, minor: 1 }
    );
}

/// Migrations are append-only from 1.0 on: a store of every released
/// format, with keys, a rotation, operators and their log, is upgraded to
/// this build's format and keeps all of it, sealed and chained.
#[test]
fn a_store_of_every_released_format_upgrades_and_keeps_everything() {
    use crate::store::tests::{HASH, actor, now, sample};
    let released = super::schema::released();
    assert_eq!(released[0], crate::store::format::CURRENT);
    for (index, &format) in released.iter().enumerate() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keys.db");
        {
            let conn = Connection::open(&path).unwrap();
            conn.pragma_update(None, "application_id", APPLICATION_ID)
                .unwrap();
            conn.pragma_update_and_check(None, "journal_mode", "WAL", |_| Ok(()))
                .unwrap();
            super::schema::give_schema(&conn, format).unwrap();
        }
        fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
        {
            let mut store = open(&path, Open::ToUpgrade).unwrap();
            assert!(store.add_first_administrator("root", actor()).unwrap());
            for id in ["AAAAAAAAAAAA", "BBBBBBBBBBBB"] {
                assert!(store.insert_unissued(&sample(id), HASH, actor()).unwrap());
                store.mark_issued(id).unwrap();
            }
            let new = sample("CCCCCCCCCCCC");
            assert!(
                store
                    .begin_rotation("BBBBBBBBBBBB", &new, HASH, actor())
                    .unwrap()
            );
            store
                .finish_rotation("BBBBBBBBBBBB", &new.id, now(), actor())
                .unwrap();
        }
        let plan = upgrade(&path, WAIT, false, actor()).unwrap();
        assert_eq!(plan.from, format);
        assert_eq!(plan.to, super::schema::current());
        assert_eq!(plan.steps.len(), released.len() - 1 - index, "{format}");

        let store = open(&path, Open::MustExist).unwrap();
        let verdict = crate::store::verify_audit(&store).unwrap();
        assert_eq!(verdict.intact, Ok(()), "{format}");
        assert_eq!(verdict.tampered, [], "{format}");
        for id in ["AAAAAAAAAAAA", "BBBBBBBBBBBB", "CCCCCCCCCCCC"] {
            let found = store.find_key(id).unwrap().unwrap();
            assert!(found.key.issued, "{format}: {id}");
        }
        assert_eq!(
            store
                .find_key("BBBBBBBBBBBB")
                .unwrap()
                .unwrap()
                .key
                .replaced_by
                .as_deref(),
            Some("CCCCCCCCCCCC")
        );
        assert!(store.operator("root").unwrap().is_some());
        // Once is enough.
        assert_eq!(
            upgrade(&path, WAIT, false, actor()).unwrap().steps,
            Vec::<String>::new()
        );
    }
}

/// A newer minor format may have added tables and indexes, which this
/// build leaves alone; never a trigger, which could rewrite what it writes.
#[test]
fn a_newer_minor_store_may_add_indexes_but_not_triggers() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("keys.db");
    {
        let store = open(&path, Open::CreateIfMissing).unwrap();
        store
            .conn
            .execute_batch(
                "CREATE INDEX api_key_roles ON api_key (roles, id);
                 CREATE TABLE later (note TEXT);
                 PRAGMA user_version = 1001;",
            )
            .unwrap();
    }
    open(&path, Open::MustExist).unwrap();
    {
        let store = open(&path, Open::MustExist).unwrap();
        store
            .conn
            .execute_batch(
                "CREATE TRIGGER later_roles AFTER INSERT ON api_key
                 BEGIN UPDATE api_key SET roles = 'payments' WHERE id = new.id; END;",
            )
            .unwrap();
    }
    let err = open(&path, Open::MustExist).err().unwrap();
    assert!(
        matches!(&err, Error::Untrusted { problem: crate::store::Untrusted::Added { object }, .. }
            if object == "trigger later_roles"),
        "{err:?}"
    );
}

#[test]
fn new_files_are_private_whatever_the_umask() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("data/keys.db");
    open(&path, Open::CreateIfMissing).unwrap();
    let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&path), 0o600);
    assert_eq!(mode(path.parent().unwrap()), 0o700);
}

#[test]
fn a_missing_database_is_not_created_by_readers() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("keys.db");
    let err = open(&path, Open::MustExist).err().unwrap();
    assert!(matches!(err, Error::Missing { .. }), "{err:?}");
    assert!(!path.exists());
}

#[test]
fn a_newer_schema_is_refused_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("keys.db");
    drop(open(&path, Open::CreateIfMissing).unwrap());
    {
        let conn = Connection::open(&path).unwrap();
        conn.pragma_update(None, "user_version", SCHEMA_VERSION + 1000)
            .unwrap();
        conn.pragma_update(None, "journal_mode", "DELETE").unwrap();
    }
    let before = fs::read(&path).unwrap();
    let err = open(&path, Open::CreateIfMissing).err().unwrap();
    assert!(
        matches!(err, Error::Newer { version, known, .. } if version == SCHEMA_VERSION + 1000 && known == SCHEMA_VERSION),
        "{err:?}"
    );
    assert_eq!(fs::read(&path).unwrap(), before);
}

#[test]
fn files_that_are_not_ours_are_refused_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let cases: [(&str, &[u8], NotOurs); 3] = [
        ("empty.db", b"", NotOurs::Empty),
        (
            "text.db",
            b"hello, this is not a database\n",
            NotOurs::NotSqlite,
        ),
        ("short.db", b"SQLite", NotOurs::NotSqlite),
    ];
    for (name, content, expected) in cases {
        let path = dir.path().join(name);
        fs::write(&path, content).unwrap();
        let err = open(&path, Open::CreateIfMissing).err().unwrap();
        assert!(
            matches!(err, Error::NotOurs { reason, .. } if reason == expected),
            "{name}: {err:?}"
        );
        assert_eq!(fs::read(&path).unwrap(), content);
    }
    let other = dir.path().join("other.db");
    Connection::open(&other)
        .unwrap()
        .execute_batch("CREATE TABLE t(x); INSERT INTO t VALUES (1);")
        .unwrap();
    let before = fs::read(&other).unwrap();
    let err = open(&other, Open::CreateIfMissing).err().unwrap();
    assert!(
        matches!(
            err,
            Error::NotOurs {
                reason: NotOurs::OtherProgram,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(fs::read(&other).unwrap(), before);

    let err = open(dir.path(), Open::CreateIfMissing).err().unwrap();
    assert!(
        matches!(
            err,
            Error::NotAFile {
                is_directory: true,
                ..
            }
        ),
        "{err:?}"
    );
}

#[test]
fn a_read_only_file_is_read_but_never_changed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("keys.db");
    drop(open(&path, Open::CreateIfMissing).unwrap());
    fs::set_permissions(&path, fs::Permissions::from_mode(0o400)).unwrap();
    let mut store = open(&path, Open::MustExist).unwrap();
    assert!(store.is_read_only());
    assert!(store.operator("root").unwrap().is_none());
    let actor = crate::audit::Actor {
        operator: "root",
        now: chrono::Utc::now(),
    };
    let err = store
        .record_refusal(crate::operator::Action::List, None, "lacks view", actor)
        .unwrap_err();
    assert!(matches!(err, Error::ReadOnly { .. }), "{err:?}");
}

#[test]
fn the_database_rejects_changes_to_the_audit_log() {
    let mut store = SqliteStore::in_memory().unwrap();
    let actor = crate::audit::Actor {
        operator: "root",
        now: chrono::Utc::now(),
    };
    store
        .record_refusal(crate::operator::Action::List, None, "lacks view", actor)
        .unwrap();
    for sql in ["UPDATE audit SET outcome = 'ok'", "DELETE FROM audit"] {
        let err = store.conn.execute(sql, []).unwrap_err();
        assert!(err.to_string().contains("append-only"), "{err}");
    }
}

#[test]
fn finding_a_key_is_one_primary_key_lookup() {
    let store = SqliteStore::in_memory().unwrap();
    let mut statement = store
        .conn
        .prepare(&format!(
            "EXPLAIN QUERY PLAN {} WHERE id = 'x'",
            super::keys::SELECT_KEY
        ))
        .unwrap();
    let plan: Vec<String> = statement
        .query_map([], |row| row.get::<_, String>(3))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    assert_eq!(plan.len(), 1, "{plan:?}");
    assert!(
        plan[0].starts_with("SEARCH api_key USING INDEX"),
        "{plan:?}"
    );
}

#[test]
fn one_keys_audit_entries_are_found_through_the_index() {
    let store = SqliteStore::in_memory().unwrap();
    let (sql, _) = super::audit::select_entries(&crate::store::AuditFilter {
        key_id: Some("x".into()),
        ..crate::store::AuditFilter::default()
    });
    let mut statement = store
        .conn
        .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
        .unwrap();
    let plan: Vec<String> = statement
        .query_map(["x"], |row| row.get::<_, String>(3))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    assert!(
        plan.iter()
            .any(|step| step.starts_with("SEARCH audit USING INDEX audit_key_id")),
        "{plan:?}"
    );
}

/// A store whose log grows, through another connection, right after each
/// reading of it: as when another command appends while `audit --verify`
/// reads.
struct AppendedWhileRead {
    reader: SqliteStore,
    writer: std::cell::RefCell<SqliteStore>,
}

impl Store for AppendedWhileRead {
    fn each_audit_entry(&self, filter: &AuditFilter, visit: Visit<Entry>) -> Result<()> {
        let read = self.reader.each_audit_entry(filter, visit);
        let actor = crate::audit::Actor {
            operator: "cron",
            now: chrono::Utc::now(),
        };
        self.writer
            .borrow_mut()
            .record_refusal(Action::List, None, "lacks view", actor)?;
        read
    }
    fn last_audit_seq(&self) -> Result<i64> {
        self.reader.last_audit_seq()
    }
    fn each_tampered(&self, visit: Visit<crate::audit::Tampered>) -> Result<()> {
        self.reader.each_tampered(visit)
    }
    // Nothing else is called by `verify_audit`.
    fn is_read_only(&self) -> bool {
        unreachable!()
    }
    fn format(&self) -> Result<crate::store::format::Format> {
        unreachable!()
    }
    fn owner_uid(&self) -> Result<Option<u32>> {
        unreachable!()
    }
    fn insert_unissued(&mut self, _: &ApiKey, _: &str, _: Actor) -> Result<bool> {
        unreachable!()
    }
    fn mark_issued(&mut self, _: &str) -> Result<()> {
        unreachable!()
    }
    fn discard_unissued(&mut self, _: &str, _: Actor) -> Result<()> {
        unreachable!()
    }
    fn begin_rotation(&mut self, _: &str, _: &ApiKey, _: &str, _: Actor) -> Result<bool> {
        unreachable!()
    }
    fn finish_rotation(&mut self, _: &str, _: &str, _: DateTime<Utc>, _: Actor) -> Result<()> {
        unreachable!()
    }
    fn record_use(&mut self, _: &str, _: DateTime<Utc>, _: DateTime<Utc>) -> Result<bool> {
        unreachable!()
    }
    fn find_key(&self, _: &str) -> Result<Option<StoredKey>> {
        unreachable!()
    }
    fn each_key(&self, _: &KeyFilter, _: Visit<ApiKey>) -> Result<()> {
        unreachable!()
    }
    fn count_flagged(&self, _: DateTime<Utc>, _: DateTime<Utc>) -> Result<FlaggedCounts> {
        unreachable!()
    }
    fn renew(&mut self, _: &[String], _: DateTime<Utc>, _: Actor) -> Result<Vec<Renewal>> {
        unreachable!()
    }
    fn delete(&mut self, _: &[String], _: Actor) -> Result<Vec<ApiKey>> {
        unreachable!()
    }
    fn revoke_found(&mut self, _: &[(String, String)], _: Actor) -> Result<Vec<ApiKey>> {
        unreachable!()
    }
    fn has_operators(&self) -> Result<bool> {
        unreachable!()
    }
    fn add_first_administrator(&mut self, _: &str, _: Actor) -> Result<bool> {
        unreachable!()
    }
    fn operator(&self, _: &str) -> Result<Option<Operator>> {
        unreachable!()
    }
    fn each_operator(&self, _: Visit<Operator>) -> Result<()> {
        unreachable!()
    }
    fn add_operator(&mut self, _: &Operator, _: Actor) -> Result<()> {
        unreachable!()
    }
    fn change_operator(&mut self, _: &str, _: &Change, _: Actor) -> Result<Operator> {
        unreachable!()
    }
    fn remove_operator(&mut self, _: &str, _: Actor) -> Result<()> {
        unreachable!()
    }
    fn record_refusal(&mut self, _: Action, _: Option<&str>, _: &str, _: Actor) -> Result<()> {
        unreachable!()
    }
    fn backup(&self, _: &Path) -> Result<()> {
        unreachable!()
    }
}

/// Entries appended while the log is checked are no sign that entries were
/// removed from its end.
#[test]
fn the_log_checked_while_another_appends_is_intact() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("keys.db");
    let mut first = open(&path, Open::CreateIfMissing).unwrap();
    let actor = crate::audit::Actor {
        operator: "alice",
        now: chrono::Utc::now(),
    };
    first
        .record_refusal(Action::List, None, "lacks view", actor)
        .unwrap();
    let store = AppendedWhileRead {
        reader: first,
        writer: std::cell::RefCell::new(open(&path, Open::MustExist).unwrap()),
    };
    for _ in 0..3 {
        let verdict = crate::store::verify_audit(&store).unwrap();
        assert_eq!(verdict.intact, Ok(()));
    }
    // Entries truly removed from the end are still found.
    let conn = Connection::open(&path).unwrap();
    conn.execute_batch(
        "DROP TRIGGER audit_append_only_delete;
         DELETE FROM audit WHERE seq = (SELECT max(seq) FROM audit);",
    )
    .unwrap();
    drop(conn);
    let verdict = crate::store::verify_audit(&store.reader).unwrap();
    assert!(verdict.intact.is_err());
}

/// The audit log's sequence counter set back (with `sqlite3`) below its
/// entries is put forward again, and the repair recorded, so that changes
/// go on; one set to its very end refuses changes with the remedy instead
/// of overflowing.
#[test]
fn an_audit_counter_changed_outside_the_tool_neither_blocks_nor_overflows() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("keys.db");
    let actor = crate::audit::Actor {
        operator: "alice",
        now: chrono::Utc::now(),
    };
    let mut store = open(&path, Open::CreateIfMissing).unwrap();
    for _ in 0..2 {
        store
            .record_refusal(Action::List, None, "lacks view", actor)
            .unwrap();
    }
    let counter = |sql: &str| Connection::open(&path).unwrap().execute_batch(sql).unwrap();

    counter("DELETE FROM sqlite_sequence WHERE name = 'audit'");
    store
        .record_refusal(Action::List, None, "lacks view", actor)
        .unwrap();
    let verdict = crate::store::verify_audit(&store).unwrap();
    assert_eq!(verdict.intact, Ok(()));
    let mut actions = Vec::new();
    store
        .each_audit_entry(&AuditFilter::default(), &mut |entry| {
            actions.push((entry.seq, entry.record.action, entry.record.detail));
            Ok(())
        })
        .unwrap();
    assert_eq!(actions[2].0, 3);
    assert_eq!(actions[2].1, "repair");
    assert!(actions[2].2.contains("it said 0"), "{:?}", actions[2]);
    assert_eq!((actions[3].0, actions[3].1.as_str()), (4, "list"));

    counter("UPDATE sqlite_sequence SET seq = 9223372036854775807 WHERE name = 'audit'");
    let err = store
        .record_refusal(Action::List, None, "lacks view", actor)
        .unwrap_err();
    let err = anyhow::Error::from(err);
    assert!(err.to_string().contains("restore a backup"), "{err}");
    assert_eq!(store.last_audit_seq().unwrap(), i64::MAX);
}

/// A new key's seal is of the values the command wrote, and a row stored
/// otherwise (here a trigger, as a file writer could add one) is refused,
/// never sealed as it came out.
#[test]
fn a_new_key_stored_otherwise_than_written_is_refused() {
    let mut store = SqliteStore::in_memory().unwrap();
    store
        .conn
        .execute_batch(
            "CREATE TRIGGER zz AFTER INSERT ON api_key BEGIN
                 UPDATE api_key SET roles = 'transactions,accounts,payments' WHERE id = NEW.id;
             END",
        )
        .unwrap();
    let key = crate::key::ApiKey::new(
        "AAAAAAAAAAAA".into(),
        "k".into(),
        crate::key::Roles::new([crate::key::Role::Accounts]),
        chrono::Utc::now(),
    );
    let actor = crate::audit::Actor {
        operator: "alice",
        now: chrono::Utc::now(),
    };
    let err = store
        .insert_unissued(&key, crate::hash::DUMMY_HASH, actor)
        .unwrap_err();
    assert!(matches!(err, Error::Tampered { .. }), "{err:?}");
    assert!(store.find_key("AAAAAAAAAAAA").unwrap().is_none());
}
