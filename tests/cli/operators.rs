//! Operators and permissions, with the refusals and changes recorded in an
//! audit log whose tampering is detected.

use predicates::prelude::*;
use serde_json::Value;

use crate::common::Env;

/// A command run as operator `name` (through the debug-build identity seam).
fn as_operator(env: &Env, name: &str) -> assert_cmd::Command {
    let mut cmd = env.cmd();
    cmd.env("INTERGIRO_KEYS_OPERATOR", name);
    cmd
}

fn audit(env: &Env) -> Vec<Value> {
    env.days_later(0).json_array(&["audit"])
}

/// An environment whose database root created (so root is its administrator)
/// with one key, and the operator `bob` with `permissions`.
fn with_bob(permissions: &str) -> (Env, String, String) {
    let env = Env::new();
    let (key, id) = env.create("shared", &["accounts"]);
    env.cmd()
        .args(["users", "add", "bob", "--permission", permissions])
        .assert()
        .success();
    (env, key, id)
}

#[test]
fn whoever_creates_the_database_is_its_first_administrator() {
    let env = Env::new();
    as_operator(&env, "carol")
        .args(["create", "--name", "first", "--role", "accounts"])
        .assert()
        .success();
    let output = as_operator(&env, "carol")
        .args(["users", "list", "--format", "json"])
        .output()
        .unwrap();
    let operators: Vec<Value> = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(operators.len(), 1);
    assert_eq!(operators[0]["name"], "carol");
    assert_eq!(operators[0]["permissions"], serde_json::json!(["admin"]));
}

#[test]
fn each_command_needs_its_permission_and_a_refusal_changes_nothing_but_the_audit_log() {
    let cases: [(&str, &[&str]); 4] = [
        ("view", &["list"]),
        ("create", &["create", "--name", "x", "--role", "accounts"]),
        ("renew", &["renew", "ID"]),
        ("delete", &["delete", "--yes", "ID"]),
    ];
    for (needed, args) in cases {
        // bob holds every permission but the one needed.
        let others: Vec<&str> = ["view", "create", "renew", "delete"]
            .into_iter()
            .filter(|p| *p != needed)
            .collect();
        let (env, key, id) = with_bob(&others.join(","));
        let args: Vec<String> = args
            .iter()
            .map(|arg| {
                if *arg == "ID" {
                    id.clone()
                } else {
                    arg.to_string()
                }
            })
            .collect();
        let keys_before = env.list_json();
        let audit_before = audit(&env).len();

        let output = as_operator(&env, "bob").args(&args).output().unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(stderr.contains("operator bob lacks the"), "{stderr}");
        assert!(stderr.contains(&format!("{needed} permission")), "{stderr}");
        assert!(
            stderr.contains(&format!("`intergiro-keys users grant bob {needed}`")),
            "{stderr}"
        );

        assert_eq!(env.list_json(), keys_before, "{args:?} changed keys");
        assert_eq!(env.days_later(0).verify(&key, &[]).0, 0);
        let entries = audit(&env);
        assert_eq!(entries.len(), audit_before + 1);
        let last = entries.last().unwrap();
        assert_eq!(last["operator"], "bob");
        assert_eq!(last["outcome"], "refused");
        assert_eq!(last["action"], args[0].as_str());

        // Granted, the same command works.
        env.cmd()
            .args(["users", "grant", "bob", needed])
            .assert()
            .success();
        as_operator(&env, "bob").args(&args).assert().success();
    }
}

#[test]
fn verify_and_check_need_no_permission() {
    let env = Env::new();
    let (key, _) = env.create("k", &["accounts"]);
    if env.is_postgres() {
        // There the server serves only its operators: a role that is none
        // is refused, and the verify permission is enough.
        let output = as_operator(&env, "stranger")
            .arg("verify")
            .write_stdin(key.clone())
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&output.stderr).contains("not an operator"));
        as_operator(&env, "stranger").arg("check").assert().code(3);
        env.cmd()
            .args(["users", "add", "stranger", "--permission", "verify"])
            .assert()
            .success();
        as_operator(&env, "stranger").arg("list").assert().code(2);
    }
    let output = as_operator(&env, "stranger")
        .arg("verify")
        .write_stdin(key)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    as_operator(&env, "stranger").arg("check").assert().code(0);
}

#[test]
fn someone_who_is_not_an_operator_is_told_how_to_be_added() {
    let env = Env::new();
    env.create("k", &["accounts"]);
    as_operator(&env, "mallory")
        .arg("list")
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "mallory is not an operator of this database, so cannot list; an administrator can add them with `intergiro-keys users add mallory --permission view`",
        ));
    let last = audit(&env).pop().unwrap();
    assert_eq!(
        (last["operator"].as_str(), last["outcome"].as_str()),
        (Some("mallory"), Some("refused"))
    );
}

#[test]
fn an_operator_limited_to_accounts_cannot_create_a_payments_key() {
    let env = Env::new();
    env.create("k", &["accounts"]);
    env.cmd()
        .args([
            "users",
            "add",
            "carol",
            "--permission",
            "create",
            "--key-roles",
            "accounts",
        ])
        .assert()
        .success();
    as_operator(&env, "carol")
        .args(["create", "--name", "pay", "--role", "payments"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "operator carol may create keys with the roles accounts only, not payments",
        ));
    as_operator(&env, "carol")
        .args(["create", "--name", "mixed", "--role", "accounts,payments"])
        .assert()
        .code(2);
    assert_eq!(env.list_json().len(), 1, "no key was created");
    as_operator(&env, "carol")
        .args(["create", "--name", "read", "--role", "accounts"])
        .assert()
        .success();
    // Lifting the limit lets carol assign any role.
    env.cmd()
        .args(["users", "grant", "carol", "--any-key-role"])
        .assert()
        .success();
    as_operator(&env, "carol")
        .args(["create", "--name", "pay", "--role", "payments"])
        .assert()
        .success();
}

#[test]
fn only_administrators_manage_operators_and_the_last_one_stays() {
    let (env, _, _) = with_bob("view,create,renew,delete");
    // Granting nothing names every permission there is to grant.
    env.cmd()
        .args(["users", "grant", "bob"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "name the permissions to grant: verify, view, create, renew, delete or admin",
        ));
    as_operator(&env, "bob")
        .args(["users", "add", "eve", "--permission", "admin"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("lacks the admin permission"));
    as_operator(&env, "bob")
        .args(["users", "list"])
        .assert()
        .success();

    let root = whoami();
    env.cmd()
        .args(["users", "remove", &root])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no administrator"));
    env.cmd()
        .args(["users", "revoke", &root, "admin"])
        .assert()
        .code(2);
    // An administrator named after no account on this host does not count.
    env.cmd()
        .args(["users", "grant", "bob", "admin"])
        .assert()
        .success();
    for args in [&["revoke", &root, "admin"][..], &["remove", &root]] {
        env.cmd()
            .arg("users")
            .args(args)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(
                "no administrator with an account on this host (bob has none)",
            ));
    }
    // With a second administrator that exists, the first may step down.
    env.cmd()
        .args(["users", "add", "nobody", "--permission", "admin"])
        .assert()
        .success();
    env.cmd()
        .args(["users", "revoke", &root, "admin"])
        .assert()
        .success();
    as_operator(&env, "nobody")
        .args(["users", "remove", &root])
        .assert()
        .success();
    env.cmd().arg("list").assert().code(2);

    let actions: Vec<String> = audit_as(&env, "nobody")
        .iter()
        .map(|entry| {
            format!(
                "{} {}",
                entry["action"].as_str().unwrap(),
                entry["outcome"].as_str().unwrap()
            )
        })
        .collect();
    for expected in [
        "users add ok",
        "users add refused",
        "users remove refused",
        "users grant ok",
        "users revoke ok",
        "users remove ok",
    ] {
        assert!(
            actions.iter().any(|action| action == expected),
            "{expected} missing from {actions:?}"
        );
    }
}

fn audit_as(env: &Env, operator: &str) -> Vec<Value> {
    let output = as_operator(env, operator)
        .args(["audit", "--format", "json"])
        .output()
        .unwrap();
    serde_json::from_slice(&output.stdout).unwrap()
}

fn whoami() -> String {
    let output = std::process::Command::new("id")
        .arg("-un")
        .output()
        .unwrap();
    String::from_utf8(output.stdout).unwrap().trim().to_string()
}

#[test]
fn the_audit_log_records_changes_and_filters_never_showing_a_secret() {
    let env = Env::new();
    let (key, id) = env.create("audited", &["payments"]);
    let (_, other) = env.create("other", &["accounts"]);
    env.days_later(10)
        .cmd()
        .args(["renew", &id])
        .assert()
        .success();
    env.days_later(20)
        .cmd()
        .args(["delete", "--yes", &id])
        .assert()
        .success();

    let entries = audit(&env);
    let text = serde_json::to_string(&entries).unwrap();
    assert!(!text.contains(&key[17..60]), "the audit log holds a secret");
    let about = |filter: &[&str]| -> Vec<String> {
        let output = env
            .cmd()
            .arg("audit")
            .args(filter)
            .args(["--format", "json"])
            .output()
            .unwrap();
        let entries: Vec<Value> = serde_json::from_slice(&output.stdout).unwrap();
        entries
            .iter()
            .map(|e| e["action"].as_str().unwrap().to_string())
            .collect()
    };
    // Storing a key and issuing it (its secret written out) are entries.
    let created: &[&str] = &["create", "create"];
    assert_eq!(
        about(&["--key", &id]),
        [created, &["renew", "delete"]].concat()
    );
    assert_eq!(about(&["--key", &other]), created);
    assert_eq!(about(&["--since", "2026-01-05"]), ["renew", "delete"]);
    assert_eq!(about(&["--since", "2026-01-15T00:00:00Z"]), ["delete"]);
    assert!(about(&["--operator", "nobody"]).is_empty());
    env.cmd()
        .args(["audit", "--since", "last tuesday"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("YYYY-MM-DD"));
    env.cmd()
        .args(["audit", "--verify"])
        .assert()
        .success()
        .stdout(predicate::str::starts_with("ok:"));
}

/// Runs SQL on the database with the sqlite3 tool, bypassing the program.
fn sqlite3(env: &Env, sql: &str) -> bool {
    match std::process::Command::new("sqlite3")
        .arg(&env.db)
        .arg(sql)
        .output()
    {
        Ok(output) => {
            assert!(
                output.status.success() || !sql.contains("DROP TRIGGER"),
                "{}",
                String::from_utf8_lossy(&output.stderr)
            );
            output.status.success()
        }
        Err(_) => {
            panic!("the sqlite3 tool is needed (Debian package sqlite3; .ci/run installs it)")
        }
    }
}

#[test]
fn edits_and_deletions_made_with_sqlite3_are_reported_by_audit_verify() {
    let tampered = [
        // The triggers refuse plain edits…
        ("UPDATE audit SET outcome = 'ok' WHERE seq = 2", false),
        // …so a forger drops them first.
        (
            "DROP TRIGGER audit_append_only_update; UPDATE audit SET operator = 'mallory' WHERE seq = 2",
            true,
        ),
        (
            "DROP TRIGGER audit_append_only_delete; DELETE FROM audit WHERE seq = 2",
            true,
        ),
        (
            "DROP TRIGGER audit_append_only_delete; DELETE FROM audit WHERE seq = (SELECT max(seq) FROM audit)",
            true,
        ),
    ];
    for (sql, breaks) in tampered {
        let env = Env::new();
        let (_, id) = env.create("k", &["accounts"]);
        env.days_later(1)
            .cmd()
            .args(["renew", &id])
            .assert()
            .success();
        env.days_later(2)
            .cmd()
            .args(["renew", &id])
            .assert()
            .success();
        let applied = sqlite3(&env, sql);
        assert_eq!(applied, breaks, "{sql}");
        let output = env.cmd().args(["audit", "--verify"]).output().unwrap();
        let stdout = String::from_utf8(output.stdout).unwrap();
        if breaks {
            assert_eq!(output.status.code(), Some(1), "{sql}: {stdout}");
            assert!(stdout.starts_with("broken:"), "{sql}: {stdout}");
        } else {
            assert_eq!(output.status.code(), Some(0), "{sql}: {stdout}");
        }
    }
}

/// As root (CI), with a real second account: the permission check follows the
/// real user id, not any environment variable.
#[test]
fn a_second_operating_system_account_is_checked_by_its_real_user_id() {
    let Some(account) = crate::accounts::account("igk-test-op") else {
        return;
    };
    let account = account.as_str();
    // A shared directory both accounts can use, with its own copy of the
    // binary; no identity seam: the account comes from the real user id.
    let shared = crate::accounts::Shared::new();
    let run_as = |user: Option<&str>, args: &[&str]| shared.run(user, args, "");
    assert!(
        run_as(None, &["create", "--name", "k", "--role", "accounts"])
            .status
            .success()
    );
    // Readable by the other account, which may not change it: its refused
    // commands cannot be recorded, but are refused all the same.
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&shared.db, std::fs::Permissions::from_mode(0o644)).unwrap();

    let refused = run_as(Some(account), &["list"]);
    assert_eq!(refused.status.code(), Some(2), "{refused:?}");
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        stderr.contains(&format!("{account} is not an operator")),
        "{stderr}"
    );

    assert!(
        run_as(None, &["users", "add", account, "--permission", "view"])
            .status
            .success()
    );
    assert!(run_as(Some(account), &["list"]).status.success());
    let refused = run_as(
        Some(account),
        &["create", "--name", "x", "--role", "accounts"],
    );
    assert!(
        String::from_utf8_lossy(&refused.stderr)
            .contains(&format!("operator {account} lacks the create permission"))
    );
}

#[test]
fn every_users_subcommand_answers_in_json() {
    let (env, _, _) = with_bob("view");
    let json = |args: &[&str]| -> Value {
        let output = env
            .cmd()
            .arg("users")
            .args(args)
            .args(["--format", "json"])
            .output()
            .unwrap();
        assert!(output.status.success(), "{args:?}: {output:?}");
        serde_json::from_slice(&output.stdout)
            .unwrap_or_else(|err| panic!("{args:?}: {err}: {output:?}"))
    };
    assert!(json(&["list"]).as_array().unwrap().len() >= 2);
    assert_eq!(json(&["grant", "bob", "renew"])["name"], "bob");
    assert_eq!(json(&["revoke", "bob", "renew"])["name"], "bob");
    assert_eq!(
        json(&["remove", "bob"]),
        serde_json::json!({ "name": "bob", "removed": true })
    );
    let names: Vec<Value> = json(&["list"])
        .as_array()
        .unwrap()
        .iter()
        .map(|operator| operator["name"].clone())
        .collect();
    assert!(!names.contains(&Value::from("bob")), "{names:?}");
}
