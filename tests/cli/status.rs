//! `status`: the store in use (never its password), its schema, whether it
//! was reached, the acting operator and the keys by status.

use predicates::prelude::*;
use serde_json::Value;

use crate::common::Env;

fn status_json(cmd: &mut assert_cmd::Command) -> (i32, Value) {
    let output = cmd.args(["status", "--format", "json"]).output().unwrap();
    let json =
        serde_json::from_slice(&output.stdout).unwrap_or_else(|err| panic!("{err}: {output:?}"));
    (output.status.code().unwrap(), json)
}

#[test]
fn status_tells_the_store_the_operator_and_the_keys_by_status() {
    let env = Env::new();
    env.days_later(-100).create("old", &["accounts"]);
    env.days_later(-80).create("soon", &["accounts"]);
    let (_, rotated) = env.create("ci", &["payments"]);
    env.create("plain", &["accounts"]);
    env.cmd().args(["rotate", &rotated]).assert().success();

    let (code, json) = status_json(&mut env.cmd());
    assert_eq!(code, 0, "{json}");
    let backend = if env.is_postgres() {
        "postgresql"
    } else {
        "sqlite"
    };
    assert_eq!(json["backend"], backend);
    assert_eq!(json["reachable"], true);
    assert_eq!(json["error"], Value::Null);
    assert_eq!(json["format"], "1.0", "{json}");
    assert_eq!(json["build_format"], "1.0", "{json}");
    assert_eq!(json["operator"]["known"], true);
    assert!(
        json["operator"]["permissions"]
            .as_array()
            .unwrap()
            .contains(&Value::from("admin")),
        "{json}"
    );
    assert_eq!(json["operator"]["key_roles"], Value::Null);
    let keys = &json["keys"];
    assert_eq!(keys["frozen"], 1, "{json}");
    assert_eq!(keys["expiring"], 1, "{json}");
    assert_eq!(keys["retiring"], 1, "{json}");
    // "plain" and the rotated key's replacement.
    assert_eq!(keys["active"], 2, "{json}");
    assert_eq!(keys["unissued"], 0, "{json}");
    assert_eq!(keys["total"], 5, "{json}");
    if !env.is_postgres() {
        assert_eq!(json["store"], env.db.to_str().unwrap());
    }

    // The same, for people.
    env.cmd()
        .arg("status")
        .assert()
        .success()
        .stdout(predicate::str::contains(format!(
            "({})",
            if env.is_postgres() {
                "PostgreSQL"
            } else {
                "SQLite"
            }
        )))
        .stdout(predicate::str::contains("Reachable   yes"))
        .stdout(predicate::str::contains(
            "Format      1.0 (this intergiro-keys writes 1.0)",
        ))
        .stdout(predicate::str::contains(": admin"))
        .stdout(predicate::str::contains(
            "Keys        5: 2 active, 1 expiring, 1 frozen, 1 retiring, 0 unissued",
        ));
}

#[test]
fn an_operator_without_view_sees_who_they_are_but_no_counts() {
    // Acts as others through the debug-build identity seam, which a
    // PostgreSQL store does not follow (tests/cli/sqlite-only.txt).
    let env = Env::new();
    env.create("k", &["accounts"]);
    env.cmd()
        .args(["users", "add", "bob", "--permission", "renew"])
        .assert()
        .success();
    let mut bob = env.cmd();
    bob.env("INTERGIRO_KEYS_OPERATOR", "bob");
    let (code, json) = status_json(&mut bob);
    assert_eq!(code, 0);
    assert_eq!(json["operator"]["name"], "bob");
    assert_eq!(
        json["operator"]["permissions"],
        serde_json::json!(["renew"])
    );
    assert_eq!(json["keys"], Value::Null);

    let mut stranger = env.cmd();
    stranger.env("INTERGIRO_KEYS_OPERATOR", "stranger");
    stranger
        .arg("status")
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "Operator    stranger: not an operator of this store",
        ))
        .stdout(predicate::str::contains("needs the view permission"));
}

#[test]
fn an_unreached_store_is_said_so_with_its_error_and_exit_code() {
    let env = Env::new();
    let missing = env.path("missing.db");
    let (code, json) = status_json(env.cmd().arg("--db").arg(&missing));
    assert_eq!(code, 2);
    assert_eq!(json["reachable"], false);
    assert!(
        json["error"]
            .as_str()
            .unwrap()
            .starts_with("no database at"),
        "{json}"
    );
    assert!(!missing.exists(), "status must not create a database");

    // A server that cannot be reached: 75, worth retrying, and the password
    // nowhere.
    let url = "postgresql://bob:hunter2@/keys?host=/nonexistent-socket-dir";
    let output = env.cmd().args(["--db", url, "status"]).output().unwrap();
    assert_eq!(output.status.code(), Some(75));
    let stdout = String::from_utf8(output.stdout).unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stdout.starts_with("Store       postgresql://bob:***@/keys")
            && stdout.contains("(PostgreSQL)")
            && stdout.contains("Reachable   no"),
        "{stdout}"
    );
    assert!(
        stderr.contains("cannot reach the PostgreSQL server"),
        "{stderr}"
    );
    assert!(!stdout.contains("hunter2") && !stderr.contains("hunter2"));
}
