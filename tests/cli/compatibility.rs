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
/// Schema v6, whose seals did not cover a key's name; see its header.
const BEFORE_SEALED_NAMES: &str = include_str!("fixtures/v6-before-sealed-names.sql");
/// The keys named leaked and prod of that fixture.
const FIXTURE_LEAKED_KEY: &str =
    "igk_ZWhEOG0Sbre4_07QgThu548VGH0CstfKj7oLGht2VHml6wwudw1tMI7p2DamRZ";
const FIXTURE_PROD_KEY: &str = "igk_RYYwg8p8rR7Q_wC7v1CZhqs2SM977Wa2kWGyCis6qQBrDZvGNadfIR9R31lm5Y";
/// The old ci-deploy key of the v5 fixture: retiring until 2026-01-08 13:00.
const FIXTURE_RETIRING_KEY: &str =
    "igk_9FCFNXiejo9T_L0oko5ryIVEWAgrKTaJyxl4Nm6WnqH7O29UtJr3qLdV1DmFgL";

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text).unwrap().to_utc()
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
    env.sql(BEFORE_STORE_INTERFACE);
    // Its 14 entries, the upgrade's seal of each remaining row (the key
    // ci-deploy and the operator alice), and then of the key's name.
    let verdict = verify_chain(&env);
    assert_eq!(verdict["intact"], true, "{verdict}");
    assert_eq!(verdict["entries"], 17);

    let id = key_id(&env, "ci-deploy");
    let output = run(&env, "2026-03-01T00:00:00Z", "alice", &["renew", &id]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let verdict = verify_chain(&env);
    assert_eq!(verdict["intact"], true, "{verdict}");
    assert_eq!(verdict["entries"], 18);
}

#[test]
fn the_same_commands_write_the_same_audit_text_as_before() {
    let old = Env::new();
    old.sql(BEFORE_STORE_INTERFACE);

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
    // The upgrades sealed the rows they found, then the key's name, after
    // the old entries.
    let sealed = expected.split_off(14);
    assert_eq!(
        sealed
            .iter()
            .map(|(_, operator, action, ..)| format!("{operator} {action}"))
            .collect::<Vec<_>>(),
        [
            "intergiro-keys seal",
            "intergiro-keys seal",
            "intergiro-keys seal"
        ]
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

#[test]
fn keys_rotated_before_seals_covered_retirement_keep_verifying_and_are_sealed_now() {
    let env = Env::new();
    env.sql(ROTATION_BEFORE_SEALED_RETIREMENT);
    // Its 8 entries, the upgrade's seal of each retiring key, and then of
    // each key's name.
    let verdict = verify_chain(&env);
    assert_eq!(verdict["intact"], true, "{verdict}");
    assert_eq!(verdict["entries"], 14);
    let (code, stderr) = verify_at(&env, "2026-01-02T00:00:00Z", FIXTURE_RETIRING_KEY);
    assert_eq!(code, 0, "{stderr}");
    let (code, stderr) = verify_at(&env, "2026-01-08T13:00:00Z", FIXTURE_RETIRING_KEY);
    assert_eq!(code, 1, "retired: {stderr}");

    // Now sealed: keeping it alive by hand is noticed.
    env.sql("UPDATE api_key SET retires_at = 253402300799 WHERE id = '9FCFNXiejo9T'");
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
    env.sql(ROTATION_BEFORE_SEALED_RETIREMENT);
    env.sql("UPDATE api_key SET retires_at = 253402300799 WHERE id = '9FCFNXiejo9T'");
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
    // Only the untouched retiring key was sealed on the upgrade, and the
    // names of the three untouched keys.
    assert_eq!(verify_chain(&env)["entries"], 12);
}

#[test]
fn keys_sealed_before_names_were_keep_verifying_and_a_rename_since_is_noticed() {
    let env = Env::new();
    env.sql(BEFORE_SEALED_NAMES);
    // Its 6 entries, and the upgrade's seal of each key's name.
    let verdict = verify_chain(&env);
    assert_eq!(verdict["intact"], true, "{verdict}");
    assert_eq!(verdict["entries"], 10);
    let trail = audit_records(&env);
    assert_eq!(
        trail[6].5, "key RYYwg8p8rR7Q: name sealed on upgrade, found as the log recorded it",
        "{trail:?}"
    );
    for key in [FIXTURE_LEAKED_KEY, FIXTURE_PROD_KEY] {
        let (code, stderr) = verify_at(&env, "2026-01-02T00:00:00Z", key);
        assert_eq!(code, 0, "{stderr}");
    }

    // Now sealed: a rename is noticed, and the name is not acted on.
    env.sql(
        "UPDATE api_key SET name = 'leaked' WHERE id = 'RYYwg8p8rR7Q';
         UPDATE api_key SET name = 'old' WHERE id = 'ZWhEOG0Sbre4'",
    );
    let (code, stderr) = verify_at(&env, "2026-01-02T00:00:00Z", FIXTURE_LEAKED_KEY);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("tampered"), "{stderr}");
    let output = run(
        &env,
        "2026-01-02T00:00:00Z",
        "alice",
        &["delete", "--yes", "leaked"],
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("key RYYwg8p8rR7Q was changed outside intergiro-keys (tampered)"),
        "{stderr}"
    );
    assert_eq!(verify_chain(&env)["entries"], 10, "nothing deleted");
}

/// Before v7 the log recorded no key's name, but a rotation's replacement
/// takes the name of the key it replaces: a pair whose names differ at the
/// upgrade was renamed, so neither row is sealed as found.
#[test]
fn a_rename_before_the_upgrade_that_the_log_shows_is_not_sealed_as_found() {
    let env = Env::new();
    env.sql(BEFORE_SEALED_NAMES);
    // The new ci-deploy renamed to take prod's name.
    env.sql("UPDATE api_key SET name = 'prod' WHERE id = 'dUleRhBSJziz'");
    let output = run(
        &env,
        "2026-01-02T00:00:00Z",
        "alice",
        &["delete", "--yes", "prod"],
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("key dUleRhBSJziz was changed outside intergiro-keys (tampered)"),
        "{stderr}"
    );
    let output = run(
        &env,
        "2026-01-02T00:00:00Z",
        "alice",
        &["audit", "--verify"],
    );
    let report = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{report}");
    // Both rows of the pair, and no other.
    assert!(
        report.contains("dUleRhBSJziz") && report.contains("S0Pja15sDB7g"),
        "{report}"
    );
    assert!(
        !report.contains("RYYwg8p8rR7Q") && !report.contains("ZWhEOG0Sbre4"),
        "{report}"
    );
    // Only the two untouched keys' names were sealed; nothing was deleted.
    assert_eq!(verify_chain(&env)["entries"], 8);
    let (code, stderr) = verify_at(&env, "2026-01-02T00:00:00Z", FIXTURE_PROD_KEY);
    assert_eq!(code, 0, "{stderr}");
}

/// A monitoring account that may only read a file of the previous schema is
/// told how to get it upgraded; once it is, that account reads it again.
#[test]
fn a_read_only_file_of_an_older_schema_says_who_upgrades_it() {
    use std::os::unix::fs::PermissionsExt;
    let env = Env::new();
    env.sql(ROTATION_BEFORE_SEALED_RETIREMENT);
    let mode = |mode: u32| {
        std::fs::set_permissions(&env.db, std::fs::Permissions::from_mode(mode)).unwrap()
    };
    mode(0o444);
    let output = run(&env, "2026-01-02T00:00:00Z", "alice", &["list"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("needs a schema upgrade (v5 to v7)")
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
