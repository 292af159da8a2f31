//! Store formats: a pre-release store is refused untouched, and only
//! `upgrade` changes a store's format. A debug build with
//! `INTERGIRO_KEYS_TEST_NEXT_MINOR=1` writes format 1.1 (one harmless step
//! after 1.0): that is "the next build" here, the plain one "the 1.0
//! build".

use crate::common::{Env, t0};

const NEXT_MINOR: &str = "INTERGIRO_KEYS_TEST_NEXT_MINOR";

/// A store as the pre-release schema v7 left it: its tables (the api_key
/// of v1 with v5's columns, v2's operator and audit) and its marks.
const PRE_RELEASE: &str = "
    PRAGMA application_id = 1229409107;
    CREATE TABLE api_key (
        id TEXT PRIMARY KEY NOT NULL, name TEXT NOT NULL, roles TEXT NOT NULL,
        secret_hash TEXT NOT NULL, created_at INTEGER NOT NULL,
        renewed_at INTEGER NOT NULL, freezes_at INTEGER NOT NULL,
        issued INTEGER NOT NULL DEFAULT 0 CHECK (issued IN (0, 1)),
        retires_at INTEGER, replaced_by TEXT, last_used_at INTEGER) STRICT;
    CREATE TABLE operator (name TEXT PRIMARY KEY NOT NULL, permissions TEXT NOT NULL,
        key_roles TEXT, added_at INTEGER NOT NULL, added_by TEXT NOT NULL) STRICT;
    CREATE TABLE audit (seq INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL,
        operator TEXT NOT NULL, action TEXT NOT NULL, key_id TEXT, outcome TEXT NOT NULL,
        detail TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL,
        subject TEXT, seal TEXT);
    INSERT INTO api_key VALUES ('AbCdEfGhIjKl', 'ci', 'accounts', '$h', 0, 0, 7776000, 1, NULL, NULL, NULL);
    INSERT INTO operator VALUES ('root', 'admin', NULL, 0, 'root');
    PRAGMA user_version = 7;";

fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The store's `PRAGMA user_version`.
fn format_number(env: &Env) -> Option<i64> {
    env.number("SELECT user_version FROM pragma_user_version", &[])
}

#[test]
fn a_pre_release_store_is_refused_by_every_command_and_left_untouched() {
    let env = Env::new();
    env.sql(PRE_RELEASE);
    let before = env.database_files();
    for (args, next) in [
        (&["list"][..], false),
        (&["create", "--name", "new", "--role", "accounts"], false),
        (&["audit", "--verify"], false),
        (&["upgrade"], false),
        (&["upgrade", "--dry-run"], true),
    ] {
        let mut cmd = env.std_cmd();
        if next {
            cmd.env(NEXT_MINOR, "1");
        }
        let output = cmd.args(args).output().unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let stderr = stderr(&output);
        assert!(
            stderr.contains("made by a pre-release intergiro-keys (schema v7)")
                && stderr.contains("left untouched"),
            "{args:?}: {stderr}"
        );
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
    }
    let output = env
        .cmd()
        .arg("verify")
        .write_stdin("igk_AbCdEfGhIjKl_x")
        .output()
        .unwrap();
    assert_ne!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(env.database_files(), before, "byte for byte");
}

#[test]
fn the_next_build_refuses_a_store_until_upgrade_which_lists_applies_and_audits_its_steps() {
    let env = Env::new();
    let (key, id) = env.create("ci", &["accounts"]);
    assert_eq!(format_number(&env), Some(1000));

    // An ordinary command of the next build: refused, naming `upgrade`.
    let before = env.database_files();
    let output = env
        .std_cmd()
        .env(NEXT_MINOR, "1")
        .arg("list")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output)
            .contains("has store format 1.0, and this intergiro-keys uses store format 1.1: an administrator runs `intergiro-keys upgrade`"),
        "{}",
        stderr(&output)
    );
    assert_eq!(env.database_files(), before);

    // --dry-run lists the step and changes nothing.
    let entries = env.number("SELECT count(*) FROM audit", &[]);
    env.cmd()
        .env(NEXT_MINOR, "1")
        .args(["upgrade", "--dry-run"])
        .assert()
        .success()
        .stdout(
            "Would upgrade ".to_string()
                + &env.db.display().to_string()
                + " from store format 1.0 to 1.1:\n  1.1: index the keys by role (a test step)\nNothing was changed; run `intergiro-keys upgrade` to apply these steps.\n",
        );
    let plan = env
        .cmd()
        .env(NEXT_MINOR, "1")
        .args(["upgrade", "--dry-run", "--format", "json"])
        .output()
        .unwrap();
    let plan: serde_json::Value = serde_json::from_slice(&plan.stdout).unwrap();
    assert_eq!(
        plan,
        serde_json::json!({"from": "1.0", "to": "1.1", "dry_run": true, "changed": false,
            "steps": ["1.1: index the keys by role (a test step)"]})
    );
    assert_eq!(format_number(&env), Some(1000));
    assert_eq!(env.number("SELECT count(*) FROM audit", &[]), entries);
    assert_eq!(
        env.number(
            "SELECT count(*) FROM sqlite_master WHERE name = 'api_key_roles'",
            &[]
        ),
        Some(0)
    );

    // upgrade applies it, in the audit log.
    let done = env
        .cmd()
        .env(NEXT_MINOR, "1")
        .args(["upgrade", "--format", "json"])
        .output()
        .unwrap();
    let done: serde_json::Value = serde_json::from_slice(&done.stdout).unwrap();
    assert_eq!(done["changed"], true, "{done}");
    assert_eq!(format_number(&env), Some(1001));
    let last = env.at(t0()).json_array(&["audit"]).pop().unwrap();
    assert_eq!(last["action"], "upgrade", "{last}");
    assert_eq!(last["outcome"], "ok");
    assert_eq!(last["detail"], "store format 1.0 to 1.1");
    // Once is enough.
    env.cmd()
        .env(NEXT_MINOR, "1")
        .arg("upgrade")
        .assert()
        .success()
        .stdout(format!(
            "{} is at store format 1.1: nothing to upgrade.\n",
            env.db.display()
        ));

    // The 1.0 build keeps verifying and checking the 1.1 store.
    assert_eq!(env.at(t0()).verify(&key, &[]).0, 0);
    env.cmd().arg("check").assert().success();
    let verdict = env.at(t0()).json_object(&["audit", "--verify"]);
    assert_eq!(verdict["intact"], true, "{verdict}");
    assert!(env.list_json().iter().any(|listed| listed["id"] == id));
    // `status` tells the store's format from the build's.
    let status = env.at(t0()).json_object(&["status"]);
    assert_eq!(status["format"], "1.1", "{status}");
    assert_eq!(status["build_format"], "1.0", "{status}");
    // And the next build uses it.
    env.cmd()
        .env(NEXT_MINOR, "1")
        .arg("list")
        .assert()
        .success();
}

#[test]
fn only_an_administrator_may_upgrade() {
    let env = Env::new();
    env.create("ci", &["accounts"]);
    env.cmd()
        .args([
            "users",
            "add",
            "bob",
            "--permission",
            "view",
            "--permission",
            "create",
        ])
        .assert()
        .success();
    for args in [&["upgrade"][..], &["upgrade", "--dry-run"]] {
        let output = env
            .std_cmd()
            .env(NEXT_MINOR, "1")
            .env("INTERGIRO_KEYS_OPERATOR", "bob")
            .args(args)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2));
        assert!(stderr(&output).contains("admin"), "{}", stderr(&output));
    }
    assert_eq!(format_number(&env), Some(1000));
    let last = env.at(t0()).json_array(&["audit"]).pop().unwrap();
    assert_eq!(last["action"], "upgrade", "{last}");
    assert_eq!(last["outcome"], "refused");
}
