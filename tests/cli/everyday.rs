//! The words people type and the pointers they need: aliases and
//! suggestions, a name already taken, a `--db` that names nothing, where to
//! go after a rotation or a deletion.

use predicates::prelude::*;

use crate::common::Env;

#[test]
fn expired_lists_frozen_keys_and_says_so_and_deleted_points_to_the_audit_log() {
    let env = Env::new();
    let (_, frozen) = env.days_later(-100).create("old", &["accounts"]);
    env.create("fresh", &["accounts"]);
    let output = env
        .cmd()
        .args(["list", "--status", "expired", "--format", "json"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let listed: Vec<serde_json::Value> = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(listed[0]["id"], frozen.as_str());
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.contains("'expired' is taken for 'frozen'"),
        "{stderr}"
    );

    for word in ["deleted", "revoked", "removed"] {
        env.cmd()
            .args(["list", "--status", word])
            .assert()
            .code(2)
            .stdout("")
            .stderr(predicate::str::contains(format!(
                "'{word}' is not a status a listing can show"
            )))
            .stderr(predicate::str::contains("intergiro-keys audit"))
            // Not clap's misleading "a similar value exists: 'expiring'".
            .stderr(predicate::str::contains("expiring").not());
    }
    // A real typo still gets clap's suggestion.
    env.cmd()
        .args(["list", "--status", "frozne"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("'frozen'"));
}

#[test]
fn remove_is_delete_and_checks_typos_get_a_tip() {
    let env = Env::new();
    let (_, id) = env.create("temp", &["accounts"]);
    env.cmd()
        .args(["remove", "--yes", "temp"])
        .assert()
        .success()
        .stdout(format!("Deleted key {id} \"temp\" (accounts): revoked.\n"));
    assert!(env.list_json().is_empty());

    // `check` stays a monitoring plugin (UNKNOWN, one line on stdout), but
    // says which option was meant.
    let output = env.cmd().args(["check", "--warnig", "3"]).output().unwrap();
    assert_eq!(output.status.code(), Some(3));
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    assert!(
        stdout.starts_with("UNKNOWN: unexpected argument '--warnig' found")
            && stdout.contains("'--warning'"),
        "{stdout}"
    );
}

#[test]
fn a_name_a_live_key_has_draws_a_warning_and_unique_name_refuses_it() {
    let env = Env::new();
    let (_, first) = env.create("dupe", &["accounts"]);

    // Piped: the key alone on stdout, the warning on stderr.
    let output = env
        .cmd()
        .args(["create", "--name", "dupe", "--role", "accounts"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert_eq!(stdout.lines().count(), 1);
    assert!(stdout.starts_with("igk_"));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.contains(&format!(
            "intergiro-keys: warning: a live key ({first}) already has the name \"dupe\""
        )),
        "{stderr}"
    );

    // JSON: in `warnings`, and nothing of it on stderr.
    let output = env
        .cmd()
        .args(["create", "--name", "dupe", "--role", "accounts"])
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let created: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let warnings = created["warnings"].as_array().unwrap();
    assert_eq!(warnings.len(), 1, "{created}");
    assert!(
        warnings[0].as_str().unwrap().starts_with("2 live keys ("),
        "{created}"
    );
    assert!(!String::from_utf8_lossy(&output.stderr).contains("warning"));

    // --unique-name: refused, nothing created.
    let before = env.list_json().len();
    env.cmd()
        .args([
            "create",
            "--name",
            "dupe",
            "--role",
            "accounts",
            "--unique-name",
        ])
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains("3 live keys ("))
        .stderr(predicate::str::contains("nothing was created"));
    assert_eq!(env.list_json().len(), before);

    // A free name: no warning, no `warnings` field.
    let output = env
        .cmd()
        .args(["create", "--name", "unique", "--role", "accounts"])
        .args(["--unique-name", "--format", "json"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let created: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert!(created.get("warnings").is_none(), "{created}");
    assert_eq!(String::from_utf8(output.stderr).unwrap(), "");
}

#[test]
fn scan_with_a_db_that_does_not_exist_says_so() {
    let env = Env::new();
    let (key, _) = env.create("leaked", &["accounts"]);
    std::fs::write(env.path("config.env"), format!("KEY={key}\n")).unwrap();
    let missing = env.path("missing.db");
    let missing = missing.to_str().unwrap();
    let output = env
        .cmd()
        .args(["scan", "--db", missing, "config.env"])
        .output()
        .unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "No database at {missing}: that file does not exist"
        )) && !stderr.contains("pass --db"),
        "{stderr}"
    );
    assert!(
        String::from_utf8(output.stdout)
            .unwrap()
            .contains("unchecked")
    );
    env.cmd()
        .args(["scan", "--db", missing, "--revoke", "--yes", "config.env"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("that file does not exist"));
    assert!(!std::path::Path::new(missing).exists());
}

#[test]
fn rotating_a_rotated_key_names_its_replacement_and_show_points_to_a_deleted_keys_history() {
    let env = Env::new();
    let (_, old) = env.create("ci-deploy", &["payments"]);
    let rotated = env
        .cmd()
        .args(["rotate", &old, "--format", "json"])
        .output()
        .unwrap();
    assert!(rotated.status.success(), "{rotated:?}");
    let rotated: serde_json::Value = serde_json::from_slice(&rotated.stdout).unwrap();
    let new = rotated["id"].as_str().unwrap();
    env.cmd()
        .args(["rotate", &old])
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains(format!(
            "rotate its replacement {new} instead (`intergiro-keys rotate {new}`)"
        )));

    let (_, gone) = env.create("gone", &["accounts"]);
    env.cmd()
        .args(["delete", "--yes", &gone])
        .assert()
        .success();
    env.cmd()
        .args(["show", &gone])
        .assert()
        .code(2)
        .stderr(format!(
            "intergiro-keys: error: key {gone} was deleted at 2026-01-01 12:00 UTC; its history: `intergiro-keys audit --key {gone}`\n"
        ));
    // The pointer leads somewhere.
    env.cmd()
        .args(["audit", "--key", &gone])
        .assert()
        .success()
        .stdout(predicate::str::contains("delete"));
}
