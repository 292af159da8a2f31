//! Rotation with a grace period, last use and one key's story, with the
//! clock moved by the debug-build seam.

use std::process::Stdio;

use chrono::{DateTime, Duration, Utc};
use predicates::prelude::*;
use serde_json::Value;

use crate::common::{Env, t0};

fn hours(n: i64) -> DateTime<Utc> {
    t0() + Duration::hours(n)
}

/// `rotate` with its stdout piped: (new key text, new ID, stderr).
fn rotate(env: &Env, now: DateTime<Utc>, args: &[&str]) -> (String, String, String) {
    let output = env.at(now).cmd().arg("rotate").args(args).output().unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(output.status.success(), "rotate {args:?}: {stderr}");
    let text = String::from_utf8(output.stdout).unwrap();
    let key = text.trim().to_string();
    assert_eq!(text, format!("{key}\n"), "stdout must carry the key alone");
    let id = key[4..16].to_string();
    (key, id, stderr)
}

fn by_id<'a>(keys: &'a [Value], id: &str) -> Option<&'a Value> {
    keys.iter().find(|key| key["id"] == id)
}

fn count(env: &Env, sql: &str) -> i64 {
    env.number(sql, &[]).unwrap()
}

#[test]
fn during_the_grace_both_keys_verify_and_after_it_only_the_new_one() {
    let env = Env::new();
    let (old_key, old_id) = env.create("ci-deploy", &["payments", "accounts"]);
    let (new_key, new_id, stderr) = rotate(&env, hours(1), &["ci-deploy", "--grace", "2h"]);
    assert_ne!(new_id, old_id);
    assert!(
        stderr.contains(&format!("Rotated key {old_id}")),
        "{stderr}"
    );
    assert!(
        stderr.contains("keeps working until 2026-01-01 15:00 UTC"),
        "{stderr}"
    );
    assert!(
        !stderr.contains(&new_key[16..]),
        "the secret leaked to stderr"
    );

    // During the grace: both verify; the old one is listed as retiring.
    let during = env.at(hours(3) - Duration::seconds(1));
    let (code, stdout) = during.verify(&old_key, &[]);
    assert_eq!(code, 0);
    assert!(
        stdout.contains(&format!(
            "retiring after a rotation: it stops working at 2026-01-01 15:00 UTC; switch to its replacement {new_id}"
        )),
        "{stdout}"
    );
    let json = during
        .cmd()
        .args(["verify", "--format", "json"])
        .write_stdin(old_key.as_str())
        .output()
        .unwrap();
    let json: Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(json["status"], "retiring");
    assert_eq!(json["retires_at"], "2026-01-01T15:00:00Z");
    assert_eq!(json["replaced_by"], new_id.as_str());
    assert_eq!(during.verify(&new_key, &["--role", "payments"]).0, 0);
    let keys = during.list_json();
    assert_eq!(keys.len(), 2);
    let old = by_id(&keys, &old_id).unwrap();
    assert_eq!(old["status"], "retiring");
    assert_eq!(old["retires_at"], "2026-01-01T15:00:00Z");
    let new = by_id(&keys, &new_id).unwrap();
    assert_eq!(new["status"], "active");
    assert_eq!(new["name"], "ci-deploy");
    assert_eq!(new["roles"], serde_json::json!(["accounts", "payments"]));
    assert_eq!(new["freezes_at"], "2026-04-01T13:00:00Z", "a fresh 90 days");
    assert_eq!(new["retires_at"], Value::Null);
    let table = during.cmd().arg("list").output().unwrap();
    let table = String::from_utf8(table.stdout).unwrap();
    assert!(
        table.contains("~ retiring until 2026-01-01 15:00"),
        "{table}"
    );
    // It is meant to stop: renewing it is refused, naming the key to renew
    // instead, and nothing changes (not the other keys given either).
    let before = during.list_json();
    for args in [&["renew", &old_id][..], &["renew", &new_id, &old_id]] {
        let output = during.cmd().args(args).output().unwrap();
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert_eq!(
            stderr,
            format!(
                "intergiro-keys: error: key {old_id} was rotated and stops working at 2026-01-01 15:00 UTC, \
                 so it is not renewed; renew its replacement {new_id} instead \
                 (`intergiro-keys renew {new_id}`); nothing was changed\n"
            )
        );
        assert!(output.stdout.is_empty());
    }
    assert_eq!(during.list_json(), before);
    let story = during.json_object(&["show", &old_id]);
    assert!(
        story["events"]
            .as_array()
            .unwrap()
            .iter()
            .any(|event| event.to_string().contains("renew its replacement")),
        "the refusal is in the key's history: {story}"
    );

    // From the end of the grace on: the old key is rejected and gone.
    let after = env.at(hours(3));
    assert_eq!(after.verify(&old_key, &[]).0, 1);
    assert_eq!(after.verify(&new_key, &[]).0, 0);
    let keys = after.list_json();
    assert_eq!(keys.len(), 1);
    assert_eq!(keys[0]["id"], new_id.as_str());
    // Gone for renew and delete too, and its name now means the new key.
    after
        .cmd()
        .args(["renew", &old_id])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(format!("key {old_id} retired at")));
    after.cmd().args(["renew", "ci-deploy"]).assert().success();
}

#[test]
fn check_names_retiring_keys_without_raising_the_level() {
    let env = Env::new();
    env.create("ci-deploy", &["accounts"]);
    env.create("nightly", &["accounts"]);
    // 80 days in, both keys are expiring; rotating one replaces it.
    let day80 = t0() + Duration::days(80);
    rotate(&env, day80, &["ci-deploy"]);
    let output = env.at(day80).cmd().arg("check").output().unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    assert_eq!(output.status.code(), Some(1), "{text}");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "WARNING: 1 of 3 keys freezes within 14 days: nightly (10 days). 1 retiring after rotation \
         | keys=3;;;0 warning=1;0;;0 critical=0;;0;0 retiring=1;;;0"
    );
    let keys = env.at(day80).list_json();
    let old = keys.iter().find(|key| key["status"] == "retiring").unwrap();
    let old_id = old["id"].as_str().unwrap().to_string();
    assert_eq!(
        lines[1..],
        [format!(
            "RETIRING: {old_id} ci-deploy until 2026-03-23 12:00 UTC, roles accounts"
        )]
    );

    let json = env
        .at(day80)
        .cmd()
        .args(["check", "--format", "json"])
        .output()
        .unwrap();
    let json: Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(json["retiring"][0]["name"], "ci-deploy");
    assert_eq!(json["retiring"][0]["retires_at"], "2026-03-23T12:00:00Z");
    assert_eq!(json["flagged"].as_array().unwrap().len(), 1);

    // Even frozen, a retiring key raises nothing; once retired it is not
    // counted at all.
    let frozen = t0() + Duration::days(90) + Duration::hours(1);
    let line = env.at(frozen).cmd().arg("check").output().unwrap();
    let line = String::from_utf8(line.stdout).unwrap();
    assert!(
        line.starts_with("CRITICAL: 1 of 2 keys frozen: nightly"),
        "{line}"
    );
    assert!(!line.contains("retiring"), "{line}");
}

#[test]
fn json_is_creates_object_with_what_it_replaces_and_grace_zero_ends_it_now() {
    let env = Env::new();
    let (old_key, old_id) = env.create("bot", &["transactions"]);
    let json = env
        .at(hours(5))
        .json_object(&["rotate", &old_id, "--grace", "0"]);
    assert_eq!(json["replaces"], old_id.as_str());
    assert_eq!(json["replaced_key_retires_at"], "2026-01-01T17:00:00Z");
    assert_eq!(json["name"], "bot");
    assert_eq!(json["status"], "active");
    let secret = json["secret"].as_str().unwrap();
    assert_eq!(&secret[4..16], json["id"].as_str().unwrap());
    assert_eq!(env.at(hours(5)).verify(secret, &[]).0, 0);
    assert_eq!(env.at(hours(5)).verify(&old_key, &[]).0, 1);
    assert_eq!(env.at(hours(5)).list_json().len(), 1);
    // The retired key is gone for every change, which says why.
    let new_id = json["id"].as_str().unwrap();
    for args in [
        &["renew", &old_id][..],
        &["delete", "--yes", &old_id],
        &["rotate", &old_id],
    ] {
        env.at(hours(6))
            .cmd()
            .args(args)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(format!(
                "key {old_id} retired at 2026-01-01 17:00 UTC, replaced by {new_id}; nothing was changed"
            )));
    }
    env.at(hours(6))
        .cmd()
        .args(["delete", "--yes"])
        .write_stdin(format!("{old_key}\n"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains(format!(
            "key {old_id} retired at 2026-01-01 17:00 UTC"
        )));
    // The secret is nowhere in the database.
    assert!(!crate::common::contains_bytes(
        &env.contents(),
        &secret.as_bytes()[16..]
    ));
}

#[test]
fn rotation_is_audited_in_both_halves_and_a_retiring_key_is_not_rotated_again() {
    let env = Env::new();
    let (_, old_id) = env.create("ci-deploy", &["accounts"]);
    let (_, new_id, _) = rotate(&env, hours(1), &[&old_id]);
    env.at(hours(2))
        .cmd()
        .args(["rotate", &old_id])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(format!(
            "key {old_id} was already rotated and retires at 2026-01-02 13:00 UTC"
        )))
        .stdout("");
    let audit = env.at(hours(2)).json_array(&["audit"]);
    let rotate_entries: Vec<&Value> = audit.iter().filter(|e| e["action"] == "rotate").collect();
    assert_eq!(rotate_entries.len(), 3, "{audit:?}");
    assert_eq!(rotate_entries[0]["key_id"], new_id.as_str());
    assert_eq!(
        rotate_entries[0]["detail"],
        format!("roles accounts; replaces {old_id}")
    );
    assert_eq!(rotate_entries[1]["key_id"], old_id.as_str());
    assert_eq!(
        rotate_entries[1]["detail"],
        format!("replaced by {new_id}; retires at 2026-01-02T13:00:00Z")
    );
    assert_eq!(rotate_entries[2]["outcome"], "refused");
    assert_eq!(rotate_entries[2]["key_id"], old_id.as_str());
    env.cmd().args(["audit", "--verify"]).assert().success();
    assert_eq!(env.at(hours(2)).list_json().len(), 2, "nothing was created");
}

#[test]
fn grace_periods_are_checked_before_anything_changes() {
    let env = Env::new();
    let (_, id) = env.create("k", &["accounts"]);
    for (grace, message) in [
        ("8d", "longer than 7 days; use at most 7d"),
        (
            "1w",
            "is not a grace period; use 0 or a number with m, h or d",
        ),
    ] {
        env.cmd()
            .args(["rotate", &id, "--grace", grace])
            .assert()
            .code(2)
            .stderr(predicate::str::contains(message));
    }
    assert_eq!(env.list_json().len(), 1);
}

#[test]
fn rotating_needs_create_and_delete_and_the_key_role_limit_applies() {
    let env = Env::new();
    let (_, id) = env.create("payer", &["payments"]);
    env.cmd()
        .args(["users", "add", "bob", "--permission", "create"])
        .assert()
        .success();
    env.cmd()
        .args([
            "users",
            "add",
            "carol",
            "--permission",
            "create,delete",
            "--key-roles",
            "accounts",
        ])
        .assert()
        .success();
    env.cmd()
        .env("INTERGIRO_KEYS_OPERATOR", "bob")
        .args(["rotate", &id])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "operator bob lacks the delete permission needed to rotate",
        ));
    env.cmd()
        .env("INTERGIRO_KEYS_OPERATOR", "carol")
        .args(["rotate", "payer"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "operator carol may create keys with the roles accounts only, not payments",
        ));
    assert_eq!(env.list_json().len(), 1);
    let refusals = count(
        &env,
        &format!("SELECT count(*) FROM audit WHERE outcome = 'refused' AND key_id = '{id}'"),
    );
    assert_eq!(refusals, 2);
}

/// Several processes rotate one key at once: exactly one wins, the others
/// are refused, and no key is left behind by the losers.
#[test]
fn concurrent_rotations_of_one_key_have_exactly_one_winner() {
    const WORKERS: usize = 6;
    let env = Env::new();
    let (_, id) = env.create("contended", &["accounts"]);
    let children: Vec<std::process::Child> = (0..WORKERS)
        .map(|_| {
            env.std_cmd()
                .args(["rotate", &id])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let outputs: Vec<std::process::Output> = children
        .into_iter()
        .map(|child| child.wait_with_output().unwrap())
        .collect();
    let winners: Vec<&std::process::Output> =
        outputs.iter().filter(|o| o.status.success()).collect();
    assert_eq!(winners.len(), 1, "{outputs:?}");
    for loser in outputs.iter().filter(|o| !o.status.success()) {
        assert_eq!(loser.status.code(), Some(2));
        assert!(loser.stdout.is_empty(), "a loser printed a key");
        let stderr = String::from_utf8_lossy(&loser.stderr);
        assert!(
            stderr.contains("already rotated") || stderr.contains("is being rotated"),
            "{stderr}"
        );
    }
    let new_key = String::from_utf8(winners[0].stdout.clone()).unwrap();
    let keys = env.list_json();
    assert_eq!(keys.len(), 2, "{keys:?}");
    assert_eq!(by_id(&keys, &id).unwrap()["status"], "retiring");
    assert_eq!(env.days_later(0).verify(new_key.trim(), &[]).0, 0);
    assert_eq!(count(&env, "SELECT count(*) FROM api_key"), 2);
}

/// The new secret cannot be delivered: no new key, and the old one is left
/// exactly as it was, still rotatable.
#[test]
fn a_rotation_into_a_closed_pipe_leaves_the_old_key_as_it_was() {
    let env = Env::new();
    let (old_key, id) = env.create("k", &["accounts"]);
    let mut child = env
        .std_cmd()
        .args(["rotate", &id])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.contains(&format!("so it was discarded; key {id} was left as it was")),
        "{stderr}"
    );
    let keys = env.list_json();
    assert_eq!(keys.len(), 1);
    assert_eq!(keys[0]["status"], "active");
    assert_eq!(env.at(hours(48)).verify(&old_key, &[]).0, 0);
    rotate(&env, hours(1), &[&id]);
}

/// A key rotated shortly before its freeze is meant to stop: `list
/// --expiring` leaves it out as `check` and the notice do, so the list
/// shows the keys the notice counted and no key that needs no renewal.
#[test]
fn list_expiring_leaves_out_retiring_keys_as_check_does() {
    let env = Env::new();
    env.create("ci-deploy", &["accounts"]);
    let (_, nightly) = env.create("nightly", &["accounts"]);
    // 80 days in, both keys are expiring; rotating one replaces it.
    let day80 = t0() + Duration::days(80);
    let (_, new_id, _) = rotate(&env, day80, &["ci-deploy", "--grace", "7d"]);
    let at = env.at(day80);
    let check = at
        .cmd()
        .args(["check", "--format", "json"])
        .output()
        .unwrap();
    let check: Value = serde_json::from_slice(&check.stdout).unwrap();
    assert_eq!(
        (&check["warning"], &check["retiring"][0]["name"]),
        (&1.into(), &"ci-deploy".into())
    );
    let ids = |args: &[&str]| -> Vec<String> {
        at.json_array(args)
            .iter()
            .map(|key| key["id"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(ids(&["list", "--expiring"]), std::slice::from_ref(&nightly));
    // A wider window reaches the new key, never the retiring one.
    assert_eq!(ids(&["list", "--within", "90"]), [nightly, new_id]);
    // Still listed, as retiring, without the filter.
    assert_eq!(ids(&["list", "--status", "retiring"]).len(), 1);
    // Rotated the day before its freeze and frozen since, but retiring
    // still: not a key to renew either.
    let (_, late) = env.create("late", &["payments"]);
    rotate(&env, t0() + Duration::days(89), &["late", "--grace", "7d"]);
    let day91 = env.at(t0() + Duration::days(91));
    let retiring = day91.json_array(&["list", "--status", "retiring"]);
    assert_eq!(retiring.len(), 1);
    assert_eq!(retiring[0]["id"], late.as_str());
    assert_eq!(retiring[0]["days_left"], -1, "{retiring:?}");
    let listed = day91.json_array(&["list", "--expiring"]);
    assert!(
        listed.iter().all(|key| key["id"] != late.as_str()),
        "{listed:?}"
    );
    assert_eq!(listed.len(), 1, "nightly, frozen: {listed:?}");
    let table = env
        .at(day80)
        .cmd()
        .args(["list", "--expiring", "--status", "retiring"])
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&table.stderr).contains("No key matches."),
        "{}",
        String::from_utf8_lossy(&table.stderr)
    );
}
