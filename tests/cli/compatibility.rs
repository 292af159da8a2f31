//! Databases written by earlier builds keep working: their audit chains
//! verify and grow, and the same commands still write the same audit text.

use std::fs::File;
use std::process::Stdio;

use chrono::{DateTime, Utc};

use crate::common::Env;

/// Made by the build before the store interface; see its header.
const BEFORE_STORE_INTERFACE: &str = include_str!("fixtures/v2-before-store-interface.sql");

/// Schema v5, whose seals did not cover a rotated key's retirement; see
/// its header.
const ROTATION_BEFORE_SEALED_RETIREMENT: &str =
    include_str!("fixtures/v5-rotation-before-sealed-retirement.sql");
/// The old ci-deploy key of that fixture: retiring until 2026-01-08 13:00.
const FIXTURE_RETIRING_KEY: &str =
    "igk_9FCFNXiejo9T_L0oko5ryIVEWAgrKTaJyxl4Nm6WnqH7O29UtJr3qLdV1DmFgL";

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text).unwrap().to_utc()
}

fn load_fixture(env: &Env) {
    let conn = rusqlite::Connection::open(&env.db).unwrap();
    conn.execute_batch(BEFORE_STORE_INTERFACE).unwrap();
}

fn run(env: &Env, now: &str, operator: &str, args: &[&str]) -> std::process::Output {
    env.at(at(now))
        .std_cmd()
        .env("INTERGIRO_KEYS_OPERATOR", operator)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

/// `audit --format json` with what the hash covers, key IDs reduced to
/// whether there is one (they are random).
fn audit_records(env: &Env) -> Vec<(String, String, String, bool, String, String)> {
    let output = run(
        env,
        "2026-01-01T12:00:00Z",
        "alice",
        &["audit", "--format", "json"],
    );
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let entries: Vec<serde_json::Value> = serde_json::from_slice(&output.stdout).unwrap();
    entries
        .iter()
        .map(|entry| {
            let text = |field: &str| entry[field].as_str().unwrap_or_default().to_string();
            (
                text("at"),
                text("operator"),
                text("action"),
                entry["key_id"].is_string(),
                text("outcome"),
                text("detail"),
            )
        })
        .collect()
}

fn verify_chain(env: &Env) -> serde_json::Value {
    let output = run(
        env,
        "2026-01-01T12:00:00Z",
        "alice",
        &["audit", "--verify", "--format", "json"],
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

fn key_id(env: &Env, name: &str) -> String {
    let output = run(
        env,
        "2026-01-01T12:00:00Z",
        "alice",
        &["list", "--format", "json"],
    );
    let keys: Vec<serde_json::Value> = serde_json::from_slice(&output.stdout).unwrap();
    keys.iter()
        .find(|key| key["name"] == name)
        .and_then(|key| key["id"].as_str())
        .unwrap()
        .to_string()
}

#[test]
fn an_audit_chain_from_before_the_store_interface_verifies_and_grows() {
    let env = Env::new();
    load_fixture(&env);
    // Its 14 entries, and the upgrade's seal of each remaining row: the key
    // ci-deploy and the operator alice.
    let verdict = verify_chain(&env);
    assert_eq!(verdict["intact"], true, "{verdict}");
    assert_eq!(verdict["entries"], 16);

    let id = key_id(&env, "ci-deploy");
    let output = run(&env, "2026-03-01T00:00:00Z", "alice", &["renew", &id]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let verdict = verify_chain(&env);
    assert_eq!(verdict["intact"], true, "{verdict}");
    assert_eq!(verdict["entries"], 17);
}

#[test]
fn the_same_commands_write_the_same_audit_text_as_before() {
    let old = Env::new();
    load_fixture(&old);

    let new = Env::new();
    let t0 = "2026-01-01T12:00:00Z";
    let ok = |output: std::process::Output| {
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    };
    let refused = |output: std::process::Output| assert_eq!(output.status.code(), Some(2));
    ok(run(
        &new,
        t0,
        "alice",
        &[
            "create",
            "--name",
            "ci-deploy",
            "--role",
            "accounts",
            "--role",
            "payments",
        ],
    ));
    ok(run(
        &new,
        t0,
        "alice",
        &["create", "--name", "reports", "--role", "transactions"],
    ));
    let full = new
        .at(at(t0))
        .std_cmd()
        .env("INTERGIRO_KEYS_OPERATOR", "alice")
        .args(["create", "--name", "lost", "--role", "accounts"])
        .stdout(File::create("/dev/full").unwrap())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert_eq!(full.code(), Some(2));
    let deploy = key_id(&new, "ci-deploy");
    let reports = key_id(&new, "reports");
    ok(run(
        &new,
        "2026-01-01T12:05:00Z",
        "alice",
        &["renew", &deploy],
    ));
    ok(run(
        &new,
        t0,
        "alice",
        &[
            "users",
            "add",
            "bob",
            "--permission",
            "view",
            "--permission",
            "create",
            "--key-roles",
            "accounts",
        ],
    ));
    ok(run(
        &new,
        t0,
        "alice",
        &[
            "users",
            "grant",
            "bob",
            "renew",
            "--key-roles",
            "accounts,transactions",
        ],
    ));
    ok(run(&new, t0, "alice", &["users", "revoke", "bob", "view"]));
    refused(run(&new, t0, "mallory", &["list"]));
    refused(run(&new, t0, "bob", &["delete", &reports, "--yes"]));
    refused(run(&new, t0, "alice", &["users", "remove", "ghost"]));
    ok(run(&new, t0, "alice", &["users", "remove", "bob"]));
    ok(run(&new, t0, "alice", &["delete", &reports, "--yes"]));

    let mut expected = audit_records(&old);
    // The upgrade sealed the rows it found, after the old entries.
    let sealed = expected.split_off(14);
    assert_eq!(
        sealed
            .iter()
            .map(|(_, operator, action, ..)| format!("{operator} {action}"))
            .collect::<Vec<_>>(),
        ["intergiro-keys seal", "intergiro-keys seal"]
    );
    assert_eq!(expected.len(), 14);
    // One deliberate change since: a refusal about one key names it, so that
    // `show` tells it in the key's history.
    assert_eq!(expected[10].5, "lacks delete");
    expected[10].3 = true;
    assert_eq!(audit_records(&new), expected);
}

fn verify_at(env: &Env, now: &str, key: &str) -> (i32, String) {
    let output = env
        .at(at(now))
        .cmd()
        .arg("verify")
        .write_stdin(format!("{key}\n"))
        .output()
        .unwrap();
    (
        output.status.code().unwrap(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn sql(env: &Env, sql: &str) {
    let conn = rusqlite::Connection::open(&env.db).unwrap();
    conn.execute_batch(sql).unwrap();
}

#[test]
fn keys_rotated_before_seals_covered_retirement_keep_verifying_and_are_sealed_now() {
    let env = Env::new();
    sql(&env, ROTATION_BEFORE_SEALED_RETIREMENT);
    // Its 8 entries, and the upgrade's seal of each retiring key.
    let verdict = verify_chain(&env);
    assert_eq!(verdict["intact"], true, "{verdict}");
    assert_eq!(verdict["entries"], 10);
    let (code, stderr) = verify_at(&env, "2026-01-02T00:00:00Z", FIXTURE_RETIRING_KEY);
    assert_eq!(code, 0, "{stderr}");
    let (code, stderr) = verify_at(&env, "2026-01-08T13:00:00Z", FIXTURE_RETIRING_KEY);
    assert_eq!(code, 1, "retired: {stderr}");

    // Now sealed: keeping it alive by hand is noticed.
    sql(
        &env,
        "UPDATE api_key SET retires_at = 253402300799 WHERE id = '9FCFNXiejo9T'",
    );
    let (code, stderr) = verify_at(&env, "2026-01-09T00:00:00Z", FIXTURE_RETIRING_KEY);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("tampered"), "{stderr}");
    let output = run(
        &env,
        "2026-01-09T00:00:00Z",
        "alice",
        &["audit", "--verify"],
    );
    assert_eq!(output.status.code(), Some(1));
}

#[test]
fn a_retirement_changed_before_the_upgrade_is_not_sealed_as_found() {
    let env = Env::new();
    sql(&env, ROTATION_BEFORE_SEALED_RETIREMENT);
    sql(
        &env,
        "UPDATE api_key SET retires_at = 253402300799 WHERE id = '9FCFNXiejo9T'",
    );
    let (code, stderr) = verify_at(&env, "2026-01-09T00:00:00Z", FIXTURE_RETIRING_KEY);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("tampered"), "{stderr}");
    let output = run(
        &env,
        "2026-01-09T00:00:00Z",
        "alice",
        &["audit", "--verify"],
    );
    let report = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{report}");
    assert!(report.contains("9FCFNXiejo9T"), "{report}");
    // Only the untouched retiring key was sealed on the upgrade.
    assert_eq!(verify_chain(&env)["entries"], 9);
}

/// A monitoring account that may only read a file of the previous schema is
/// told how to get it upgraded; once it is, that account reads it again.
#[test]
fn a_read_only_file_of_an_older_schema_says_who_upgrades_it() {
    use std::os::unix::fs::PermissionsExt;
    let env = Env::new();
    sql(&env, ROTATION_BEFORE_SEALED_RETIREMENT);
    let mode = |mode: u32| {
        std::fs::set_permissions(&env.db, std::fs::Permissions::from_mode(mode)).unwrap()
    };
    mode(0o444);
    let output = run(&env, "2026-01-02T00:00:00Z", "alice", &["list"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("needs a schema upgrade (v5 to v6)")
            && stderr.contains("e.g. `intergiro-keys list` as its owner"),
        "{stderr}"
    );
    mode(0o644);
    assert!(
        run(&env, "2026-01-02T00:00:00Z", "alice", &["list"])
            .status
            .success()
    );
    mode(0o444);
    let output = run(&env, "2026-01-02T00:00:00Z", "alice", &["list"]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}
