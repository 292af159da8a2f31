//! The runbook's filters: the keys an operator created (`--created-by`, from
//! the audit log) and keys older than some days (`--older-than`), listed and
//! deleted with the same confirmation rules as `scan --revoke`.

use predicates::prelude::*;
use serde_json::Value;

use crate::common::Env;

fn as_operator(env: &Env, name: &str) -> assert_cmd::Command {
    let mut cmd = env.cmd();
    cmd.env("INTERGIRO_KEYS_OPERATOR", name);
    cmd
}

fn created_by(env: &Env, name: &str, key_name: &str) -> String {
    let output = as_operator(env, name)
        .args(["create", "--name", key_name, "--role", "payments"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    String::from_utf8(output.stdout).unwrap().trim()[4..16].to_string()
}

fn rotated_by(env: &Env, name: &str, id: &str) -> String {
    let output = as_operator(env, name)
        .args(["rotate", id, "--format", "json"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let rotated: Value = serde_json::from_slice(&output.stdout).unwrap();
    rotated["id"].as_str().unwrap().to_string()
}

fn ids(keys: &[Value]) -> Vec<String> {
    let mut ids: Vec<String> = keys
        .iter()
        .map(|key| key["id"].as_str().unwrap().to_string())
        .collect();
    ids.sort();
    ids
}

fn sorted(mut ids: Vec<String>) -> Vec<String> {
    ids.sort();
    ids
}

/// The acting account (the store's administrator) and mallory, who may
/// create and delete, each create keys and rotate one of the other's:
/// a replacement is created by whoever rotated, the key it replaces stays
/// its creator's. Returns (mallory's keys, the others).
fn estate(env: &Env) -> (Vec<String>, Vec<String>) {
    let (_, mine) = env.create("mine", &["accounts"]);
    env.cmd()
        .args([
            "users",
            "add",
            "mallory",
            "--permission",
            "view,create,delete",
        ])
        .assert()
        .success();
    let m1 = created_by(env, "mallory", "m1");
    let m2 = created_by(env, "mallory", "m2");
    let replacement_of_mine = rotated_by(env, "mallory", &mine);
    let replacement_of_m1 = {
        let output = env
            .cmd()
            .args(["rotate", &m1, "--format", "json"])
            .output()
            .unwrap();
        assert!(output.status.success(), "{output:?}");
        let rotated: Value = serde_json::from_slice(&output.stdout).unwrap();
        rotated["id"].as_str().unwrap().to_string()
    };
    (
        sorted(vec![m1, m2, replacement_of_mine]),
        sorted(vec![mine, replacement_of_m1]),
    )
}

#[test]
fn list_created_by_names_the_keys_an_operator_created_or_rotated_in() {
    let env = Env::new();
    let (mallorys, others) = estate(&env);
    let listed = env
        .days_later(0)
        .json_array(&["list", "--created-by", "mallory"]);
    assert_eq!(ids(&listed), mallorys);
    // Combined with the other filters, in the store.
    let listed =
        env.days_later(0)
            .json_array(&["list", "--created-by", "mallory", "--status", "retiring"]);
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(listed[0]["name"], "m1");
    let all = ids(&env.list_json());
    let not_mallorys: Vec<String> = all
        .into_iter()
        .filter(|id| !mallorys.contains(id))
        .collect();
    assert_eq!(not_mallorys, others);
    // Nobody's keys: said so, exit 0.
    env.cmd()
        .args(["list", "--created-by", "nobody"])
        .assert()
        .success()
        .stdout("")
        .stderr(predicate::str::contains("No key matches."));
}

#[test]
fn list_older_than_keeps_keys_created_that_many_days_ago_or_earlier() {
    let env = Env::new();
    let (_, old) = env.create("old", &["accounts"]);
    let (_, newer) = env.days_later(10).create("newer", &["accounts"]);
    let at = env.days_later(20);
    assert_eq!(
        ids(&at.json_array(&["list", "--older-than", "15"])),
        std::slice::from_ref(&old)
    );
    // Exactly 20 days old is older than 20 days' worth of "ago".
    assert_eq!(
        ids(&at.json_array(&["list", "--older-than", "20"])),
        std::slice::from_ref(&old)
    );
    assert!(at.json_array(&["list", "--older-than", "21"]).is_empty());
    assert_eq!(
        ids(&at.json_array(&["list", "--older-than", "5"])),
        sorted(vec![old, newer])
    );
    env.cmd()
        .args(["list", "--older-than", "soon"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--older-than"));
}

#[test]
fn delete_by_filter_needs_yes_without_a_terminal_and_deletes_exactly_the_selection() {
    let env = Env::new();
    let (mallorys, others) = estate(&env);
    let before = ids(&env.list_json());
    // No terminal, no --yes: refused, nothing changed.
    env.cmd()
        .args(["delete", "--created-by", "mallory"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("pass --yes"));
    // Keys and filters together: refused.
    env.cmd()
        .args(["delete", "--yes", "--created-by", "mallory", &others[0]])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("either keys or filters"));
    assert_eq!(ids(&env.list_json()), before);

    let deleted = env
        .days_later(0)
        .json_array(&["delete", "--yes", "--created-by", "mallory"]);
    assert_eq!(ids(&deleted), mallorys);
    assert!(deleted.iter().all(|key| key["deleted"] == true));
    assert_eq!(ids(&env.list_json()), others);
    // Each deletion audited, by whoever deleted.
    let audit = env.days_later(0).json_array(&["audit"]);
    for id in &mallorys {
        assert!(
            audit
                .iter()
                .any(|entry| entry["action"] == "delete" && entry["key_id"] == id.as_str()),
            "no delete entry for {id}: {audit:?}"
        );
    }
    // Nothing left to select: said so, exit 0, nothing changed.
    env.cmd()
        .args(["delete", "--yes", "--created-by", "mallory"])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "No key matches; nothing was deleted.",
        ));
    assert_eq!(ids(&env.list_json()), others);
}

#[test]
fn delete_older_than_with_other_filters() {
    let env = Env::new();
    let (_, old_accounts) = env.create("old-a", &["accounts"]);
    let (_, old_payments) = env.create("old-p", &["payments"]);
    let (_, new_accounts) = env.days_later(30).create("new-a", &["accounts"]);
    let at = env.days_later(40);
    let deleted = at.json_array(&[
        "delete",
        "--yes",
        "--older-than",
        "35",
        "--role",
        "accounts",
    ]);
    assert_eq!(ids(&deleted), [old_accounts]);
    assert_eq!(
        ids(&at.list_json()),
        sorted(vec![old_payments, new_accounts])
    );
}

#[test]
fn delete_by_filter_needs_view_as_well_as_delete() {
    let env = Env::new();
    env.create("k", &["accounts"]);
    env.cmd()
        .args(["users", "add", "bob", "--permission", "delete"])
        .assert()
        .success();
    as_operator(&env, "bob")
        .args(["delete", "--yes", "--older-than", "0"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("view"));
    assert_eq!(env.list_json().len(), 1);
}
