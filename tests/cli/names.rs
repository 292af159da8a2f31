//! Names instead of IDs, last use and one key's story.

use chrono::Duration;
use predicates::prelude::*;
use serde_json::Value;

use crate::common::{Env, t0};

#[test]
fn a_name_that_one_key_has_works_wherever_an_id_does() {
    let env = Env::new();
    let (_, id) = env.create("ci-deploy", &["payments"]);
    env.create("nightly", &["accounts"]);
    let later = env.days_later(10);
    later
        .cmd()
        .args(["renew", "ci-deploy", "--format", "json"])
        .assert()
        .success()
        .stdout(predicate::str::contains(format!("\"id\": \"{id}\"")));
    later
        .cmd()
        .args(["show", "ci-deploy"])
        .assert()
        .success()
        .stdout(predicate::str::contains(format!("ID          {id}")));
    for alias in ["rm", "revoke", "delete"] {
        let (_, id) = env.create("temp", &["accounts"]);
        env.cmd()
            .args([alias, "--yes", "temp"])
            .assert()
            .success()
            .stdout(format!("Deleted key {id} \"temp\" (accounts): revoked.\n"));
    }
    env.cmd()
        .args(["rm", "--yes", "ci-deploy"])
        .assert()
        .success();
    assert_eq!(env.list_json().len(), 1);
}

#[test]
fn ambiguous_and_unknown_names_list_the_candidates_and_change_nothing() {
    let env = Env::new();
    let (_, a) = env.create("ci-deploy", &["payments"]);
    let (_, b) = env.days_later(1).create("ci-deploy", &["accounts"]);
    env.create("unrelated", &["accounts"]);
    let before = env.snapshot();
    // The name once, then each key by ID with what tells them apart.
    env.days_later(1)
        .cmd()
        .args(["delete", "--yes", "ci-deploy"])
        .assert()
        .code(2)
        .stderr(format!(
            "intergiro-keys: error: 2 keys are named \"ci-deploy\": \
             {a} (payments, created 2026-01-01, freezes 2026-04-01), \
             {b} (accounts, created 2026-01-02, freezes 2026-04-02); \
             give the ID of the one you mean\n"
        ));
    env.cmd()
        .args(["renew", "CI-Deploy"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "no key is named \"CI-Deploy\", and it is not a key ID",
        ))
        .stderr(predicate::str::contains("did you mean \"ci-deploy\""))
        .stderr(predicate::str::contains(&a));
    env.cmd()
        .args(["rotate", "nothing-like-it"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "see the keys with `intergiro-keys list`",
        ))
        .stderr(predicate::str::contains("did you mean").not());
    // One line each, and nothing changed.
    let output = env.cmd().args(["show", "ci"]).output().unwrap();
    assert_eq!(String::from_utf8_lossy(&output.stderr).lines().count(), 1);
    assert!(env.snapshot() == before, "the store changed");
}

#[test]
fn many_keys_sharing_a_name_are_told_apart_five_at_most() {
    let env = Env::new();
    // Listed soonest-freezing first: the frozen key, then the one created a
    // day before the five others.
    let (_, frozen) = env.create("shared", &["accounts"]);
    let (_, both) = env
        .days_later(99)
        .create("shared", &["accounts", "payments"]);
    let later = env.days_later(100);
    let mut others = Vec::new();
    for role in [
        "payments",
        "transactions",
        "accounts",
        "payments",
        "accounts",
    ] {
        others.push(later.create("shared", &[role]).1);
    }
    let before = env.snapshot();
    let output = later.cmd().args(["show", "shared"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with(&format!(
            "intergiro-keys: error: 7 keys are named \"shared\": \
             {frozen} (accounts, created 2026-01-01, frozen since 2026-04-01), \
             {both} (accounts,payments, created 2026-04-10, freezes 2026-07-09), "
        )),
        "{stderr}"
    );
    assert_eq!(stderr.matches("shared").count(), 1, "{stderr}");
    assert!(
        stderr.ends_with(", and 2 more; give the ID of the one you mean\n"),
        "{stderr}"
    );
    let listed = others.iter().filter(|id| stderr.contains(id.as_str()));
    assert_eq!(listed.count(), 3, "{stderr}");
    assert_eq!(
        stderr
            .matches(", created 2026-04-11, freezes 2026-07-10)")
            .count(),
        3,
        "{stderr}"
    );
    assert!(env.snapshot() == before, "the store changed");
}

#[test]
fn during_a_rotation_the_name_means_the_new_key() {
    let env = Env::new();
    env.create("ci-deploy", &["payments"]);
    let output = env.cmd().args(["rotate", "ci-deploy"]).output().unwrap();
    assert!(output.status.success());
    let new_id = String::from_utf8(output.stdout).unwrap()[4..16].to_string();
    let shown = env.days_later(0).json_object(&["show", "ci-deploy"]);
    assert_eq!(shown["id"], new_id.as_str());
}

fn last_used(env: &Env, id: &str) -> Option<i64> {
    env.number("SELECT last_used_at FROM api_key WHERE id = ?1", &[id])
}

#[test]
fn verify_records_the_last_use_at_most_once_per_quarter_hour() {
    let env = Env::new();
    let (key, id) = env.create("used", &["accounts"]);
    let (_, idle) = env.create("idle", &["accounts"]);
    assert_eq!(last_used(&env, &id), None);
    let at = |minutes: i64| env.at(t0() + Duration::minutes(minutes));

    assert_eq!(at(60).verify(&key, &[]).0, 0);
    let first = (t0() + Duration::minutes(60)).timestamp();
    assert_eq!(last_used(&env, &id), Some(first));
    // Within 15 minutes: no write.
    assert_eq!(at(74).verify(&key, &[]).0, 0);
    assert_eq!(last_used(&env, &id), Some(first));
    // A missing role still found the key with its right secret.
    assert_eq!(at(75).verify(&key, &["--role", "payments"]).0, 4);
    assert_eq!(
        last_used(&env, &id),
        Some((t0() + Duration::minutes(75)).timestamp())
    );
    // A wrong secret records nothing.
    let wrong = format!("{}{}", &key[..20], "A".repeat(key.len() - 20));
    at(200).verify(&wrong, &[]);
    assert_eq!(
        last_used(&env, &id),
        Some((t0() + Duration::minutes(75)).timestamp())
    );
    assert_eq!(last_used(&env, &idle), None);

    let keys = at(60 * 24 * 3 + 75).list_json();
    let used = keys.iter().find(|k| k["id"] == id.as_str()).unwrap();
    assert_eq!(used["last_used_at"], "2026-01-01T13:15:00Z");
    let never = keys.iter().find(|k| k["id"] == idle.as_str()).unwrap();
    assert_eq!(never["last_used_at"], Value::Null);
    let table = at(60 * 24 * 3 + 75).cmd().arg("list").output().unwrap();
    let table = String::from_utf8(table.stdout).unwrap();
    assert!(table.contains("LAST USED"), "{table}");
    assert!(table.contains("3 days ago"), "{table}");
    assert!(table.contains("never"), "{table}");
    // Recording a use is no change an operator made: not audited.
    let audit = env.days_later(0).json_array(&["audit"]);
    let actions: Vec<&str> = audit
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    // Two keys, each stored and then issued: two entries each.
    assert_eq!(actions[0], "users add");
    assert_eq!(actions[1..], vec!["create"; 4]);
}

#[test]
fn unused_for_finds_keys_nobody_used_including_old_never_used_ones() {
    let env = Env::new();
    let (key, used_early) = env.create("used-early", &["accounts"]);
    let (fresh_key, used_late) = env.create("used-late", &["accounts"]);
    let (_, never_old) = env.create("never-old", &["accounts"]);
    let (_, never_new) = env.days_later(35).create("never-new", &["accounts"]);
    assert_eq!(env.days_later(5).verify(&key, &[]).0, 0);
    assert_eq!(env.days_later(35).verify(&fresh_key, &[]).0, 0);

    let ids = |args: &[&str]| -> Vec<String> {
        env.days_later(40)
            .json_array(args)
            .iter()
            .map(|k| k["id"].as_str().unwrap().to_string())
            .collect()
    };
    let mut unused = ids(&["list", "--unused-for", "30"]);
    unused.sort();
    let mut expected = vec![used_early.clone(), never_old.clone()];
    expected.sort();
    assert_eq!(unused, expected);
    assert_eq!(ids(&["list", "--unused-for", "4"]).len(), 4);
    assert_eq!(ids(&["list", "--unused-for", "6"]).len(), 2);
    // Never used first (by ID), then the longest unused.
    let mut never = [never_old, never_new];
    never.sort();
    assert_eq!(
        ids(&["list", "--sort", "last-used"]),
        [never[0].clone(), never[1].clone(), used_early, used_late]
    );
    env.days_later(40)
        .cmd()
        .args(["list", "--unused-for", "100"])
        .assert()
        .success()
        .stdout("")
        .stderr("No key matches.\n");
}

#[test]
fn show_tells_every_field_and_the_keys_story() {
    let env = Env::new();
    let (_, id) = env.create("ci-deploy", &["payments"]);
    env.days_later(10)
        .cmd()
        .args(["renew", &id])
        .assert()
        .success();
    env.cmd()
        .args(["users", "add", "bob", "--permission", "view"])
        .assert()
        .success();
    env.cmd()
        .env("INTERGIRO_KEYS_OPERATOR", "bob")
        .args(["delete", "--yes", &id])
        .assert()
        .code(2);
    let rotated = env
        .days_later(20)
        .cmd()
        .args(["rotate", &id])
        .output()
        .unwrap();
    assert!(rotated.status.success());
    let new_id = String::from_utf8(rotated.stdout).unwrap()[4..16].to_string();

    let shown = env.days_later(20).json_object(&["show", &id]);
    assert_eq!(shown["status"], "retiring");
    assert_eq!(shown["retires_at"], "2026-01-22T12:00:00Z");
    assert_eq!(shown["replaced_by"], new_id.as_str());
    assert_eq!(shown["renewed_at"], "2026-01-11T12:00:00Z");
    assert_eq!(shown["last_used_at"], Value::Null);
    let story: Vec<(String, String, String)> = shown["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["operator"].as_str().unwrap().to_string(),
                e["action"].as_str().unwrap().to_string(),
                e["outcome"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let issued = [("root", "create", "ok")];
    let expected: Vec<(String, String, String)> = [("root", "create", "ok")]
        .iter()
        .chain(&issued)
        .chain(&[
            ("root", "renew", "ok"),
            ("bob", "delete", "refused"),
            ("root", "rotate", "ok"),
        ])
        .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
        .collect();
    assert_eq!(story, expected);

    let table = env
        .days_later(20)
        .cmd()
        .args(["show", &id])
        .output()
        .unwrap();
    let table = String::from_utf8(table.stdout).unwrap();
    for expected in [
        "Status      ~ retiring",
        "Retires at  2026-01-22 12:00 UTC",
        &format!("Replaced by {new_id}"),
        "Last used   never",
        "History",
        "lacks delete",
        &format!("replaced by {new_id}; retires at 2026-01-22 12:00 UTC"),
        "freezes at 2026-04-11 12:00 UTC",
    ] {
        assert!(table.contains(expected), "{expected:?} in {table}");
    }
    // Times read alike all over the screen; JSON keeps RFC 3339.
    assert!(!table.contains(":00Z"), "{table}");
    let json = env.days_later(20).json_object(&["show", &id]);
    let details: Vec<&str> = json["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|event| event["detail"].as_str())
        .collect();
    assert!(
        details.contains(&"freezes at 2026-04-11T12:00:00Z"),
        "{details:?}"
    );
    assert!(
        details
            .contains(&format!("replaced by {new_id}; retires at 2026-01-22T12:00:00Z").as_str()),
        "{details:?}"
    );

    // After the grace, the old key is still shown by its ID, as retired.
    let retired = env.days_later(30).json_object(&["show", &id]);
    assert_eq!(retired["status"], "retired");
    // The new key's story starts with its rotation.
    let new = env.days_later(30).json_object(&["show", &new_id]);
    assert_eq!(new["events"][0]["action"], "rotate");
    assert_eq!(
        new["events"][0]["detail"],
        format!("roles payments; replaces {id}")
    );
}

#[test]
fn a_name_needs_only_the_permission_of_the_command_it_is_given_to() {
    let env = Env::new();
    let (_, id) = env.create("ci-deploy", &["payments"]);
    env.cmd()
        .args(["users", "add", "bob", "--permission", "renew"])
        .assert()
        .success();
    let bob = |args: &[&str]| {
        let mut cmd = env.days_later(10).cmd();
        cmd.env("INTERGIRO_KEYS_OPERATOR", "bob").args(args);
        cmd
    };
    bob(&["renew", "ci-deploy", "--format", "json"])
        .assert()
        .success()
        .stdout(predicate::str::contains(format!("\"id\": \"{id}\"")));
    if env.is_postgres() {
        // The server gives a caller without `view` the IDs of exactly the
        // name asked, and no similar names: names are not to be guessed.
        bob(&["renew", "CI-Deploy"])
            .assert()
            .code(2)
            .stderr(predicate::str::contains("no key is named \"CI-Deploy\""))
            .stderr(predicate::str::contains("did you mean").not());
    } else {
        bob(&["renew", "CI-Deploy"])
            .assert()
            .code(2)
            .stderr(predicate::str::contains("did you mean \"ci-deploy\""))
            .stderr(predicate::str::contains(&id));
    }
    // A command bob may not run finds nothing for him.
    bob(&["show", "ci-deploy"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("lacks the view permission"));
    bob(&["delete", "--yes", "ci-deploy"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("lacks the delete permission"));
    assert_eq!(env.list_json().len(), 1);
}
