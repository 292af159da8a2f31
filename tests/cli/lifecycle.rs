//! The whole key lifecycle through the real binary, with keys aged by the
//! debug-build clock.

use predicates::prelude::*;

use crate::common::{Env, contains_bytes, file_mode};

#[test]
fn create_list_verify_renew_delete() {
    let env = Env::new();
    let (key, id) = env.create("ci-deploy", &["payments", "accounts"]);
    assert!(key.starts_with("igk_"));

    let keys = env.days_later(0).list_json();
    assert_eq!(keys.len(), 1);
    assert_eq!(keys[0]["id"], id.as_str());
    assert_eq!(keys[0]["name"], "ci-deploy");
    assert_eq!(
        keys[0]["roles"],
        serde_json::json!(["accounts", "payments"])
    );
    assert_eq!(keys[0]["status"], "active");
    assert_eq!(keys[0]["days_left"], 90);
    assert_eq!(keys[0]["created_at"], "2026-01-01T12:00:00Z");
    assert_eq!(keys[0]["freezes_at"], "2026-04-01T12:00:00Z");

    assert_eq!(env.days_later(1).verify(&key, &[]).0, 0);
    assert_eq!(env.days_later(1).verify(&key, &["--role", "payments"]).0, 0);
    assert_eq!(
        env.days_later(1)
            .verify(&key, &["--role", "transactions"])
            .0,
        4
    );

    env.days_later(100)
        .cmd()
        .args(["renew", &id])
        .assert()
        .success()
        .stdout(predicate::str::contains("2026-07-10 12:00"));
    assert_eq!(env.days_later(100).verify(&key, &[]).0, 0);

    env.cmd().args(["delete", "--yes", &id]).assert().success();
    assert_eq!(env.days_later(100).verify(&key, &[]).0, 1);
    assert!(env.days_later(100).list_json().is_empty());
}

#[test]
fn a_key_is_expiring_from_day_76_and_frozen_from_day_90() {
    let env = Env::new();
    let (key, _) = env.create("aging", &["accounts"]);

    let at = |days| env.days_later(days).list_json()[0].clone();
    assert_eq!(at(75)["status"], "active");
    assert_eq!(at(76)["status"], "expiring");
    assert_eq!(at(76)["days_left"], 14);
    assert_eq!(at(89)["status"], "expiring");
    assert_eq!(at(90)["status"], "frozen");

    assert_eq!(env.days_later(76).verify(&key, &[]).0, 0);
    let (code, out) = env.days_later(90).verify(&key, &[]);
    assert_eq!(code, 3, "{out}");
    assert!(out.starts_with("frozen:"), "{out}");
    // Frozen wins over a missing role.
    assert_eq!(
        env.days_later(90).verify(&key, &["--role", "payments"]).0,
        3
    );
}

#[test]
fn list_flags_expiring_and_frozen_rows_without_colour() {
    let env = Env::new();
    env.days_later(0).create("old", &["accounts"]);
    env.days_later(10).create("middle", &["accounts"]);
    env.days_later(80).create("new", &["accounts"]);
    let output = env.days_later(91).cmd().arg("list").output().unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(
        !text.contains('\u{1b}'),
        "escape sequences in piped output: {text:?}"
    );
    // By the name column: a random ID may hold "new" or "old" too.
    let line = |name: &str| {
        text.lines()
            .find(|line| line.contains(&format!("  {name}  ")))
            .unwrap()
            .to_string()
    };
    assert!(line("old").ends_with("!! frozen"), "{text}");
    assert!(line("middle").ends_with("! expiring"), "{text}");
    assert!(line("new").ends_with("active"), "{text}");
    // The most urgent key comes first.
    assert!(text.lines().nth(1).unwrap().contains("  old  "), "{text}");

    let expiring = env
        .days_later(91)
        .cmd()
        .args(["list", "--expiring", "--format", "json"])
        .output()
        .unwrap();
    let expiring: Vec<serde_json::Value> = serde_json::from_slice(&expiring.stdout).unwrap();
    let names: Vec<&str> = expiring
        .iter()
        .map(|key| key["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["old", "middle"]);
}

#[test]
fn renewing_before_the_freeze_gives_90_days_from_now_not_more() {
    let env = Env::new();
    let (_, id) = env.create("early", &["accounts"]);
    let output = env
        .days_later(30)
        .cmd()
        .args(["renew", &id, "--format", "json"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let renewed: Vec<serde_json::Value> = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(renewed[0]["previous_freezes_at"], "2026-04-01T12:00:00Z");
    assert_eq!(renewed[0]["freezes_at"], "2026-05-01T12:00:00Z");
    assert_eq!(renewed[0]["days_left"], 90);
}

#[test]
fn renew_and_delete_take_several_ids_and_change_nothing_if_one_is_unknown() {
    let env = Env::new();
    let (key_a, a) = env.create("a", &["accounts"]);
    let (_, b) = env.create("b", &["accounts"]);
    let before = env.snapshot();
    let listed = env.list_json();

    env.days_later(5)
        .cmd()
        .args(["renew", &a, "ZZZZZZZZZZZZ"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no key with ID ZZZZZZZZZZZZ"));
    env.cmd()
        .args(["delete", "--yes", &a, "ZZZZZZZZZZZZ"])
        .assert()
        .code(2);
    env.cmd()
        .args(["renew", "not-an-id"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is not a key ID"));
    assert_eq!(env.list_json(), listed);
    assert!(env.snapshot() == before, "the store changed");

    env.days_later(5)
        .cmd()
        .args(["renew", &a, &b])
        .assert()
        .success();
    assert!(
        env.days_later(5)
            .list_json()
            .iter()
            .all(|key| key["days_left"] == 90)
    );
    env.cmd()
        .args(["delete", "--yes", &a, &b])
        .assert()
        .success();
    assert!(env.list_json().is_empty());
    assert_eq!(env.days_later(0).verify(&key_a, &[]).0, 1);
}

#[test]
fn delete_refuses_without_a_terminal_unless_yes() {
    let env = Env::new();
    let (key, id) = env.create("keep", &["accounts"]);
    env.cmd()
        .args(["delete", &id])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--yes"));
    assert_eq!(env.days_later(0).verify(&key, &[]).0, 0);
}

#[test]
fn a_leaked_key_is_deleted_from_its_text_on_stdin() {
    let env = Env::new();
    let (leaked, id) = env.create("leaked", &["payments"]);
    let (kept, _) = env.create("kept", &["payments"]);
    env.cmd()
        .args(["delete", "--yes"])
        .write_stdin(leaked.clone())
        .assert()
        .success()
        .stdout(predicate::str::contains(&id));
    assert_eq!(env.days_later(0).verify(&leaked, &[]).0, 1);
    assert_eq!(env.days_later(0).verify(&kept, &[]).0, 0);
    // The same text again names no key any more.
    env.cmd()
        .args(["delete", "--yes", "-"])
        .write_stdin(leaked)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("nothing was changed"));
}

#[test]
fn verify_rejects_unknown_wrong_and_malformed_keys_alike() {
    let env = Env::new();
    let (key, _) = env.create("real", &["accounts"]);
    // Same ID, another secret with a valid checksum: generate a second key in
    // another database and splice its secret in.
    let other = Env::new();
    let (stranger, _) = other.create("stranger", &["accounts"]);
    assert_eq!(env.days_later(0).verify(&stranger, &[]).0, 1, "unknown ID");

    let (code, out) = env.days_later(0).verify(&key[..40], &[]);
    assert_eq!(code, 1);
    assert!(out.contains("wrong length"), "{out}");
    let mut typo = key.clone().into_bytes();
    typo[30] = if typo[30] == b'a' { b'b' } else { b'a' };
    let (code, out) = env
        .days_later(0)
        .verify(&String::from_utf8(typo).unwrap(), &[]);
    assert_eq!(code, 1);
    assert!(out.contains("checksum mismatch"), "{out}");

    let output = env
        .cmd()
        .args(["verify", "--format", "json"])
        .write_stdin(stranger)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["valid"], false);
    assert_eq!(json["code"], "rejected");
    assert!(
        json["key_id"].is_null(),
        "a rejected key reveals nothing: {json}"
    );
}

#[test]
fn a_malformed_key_is_rejected_without_a_database() {
    let env = Env::new();
    let (code, out) = env.days_later(0).verify("igk_nonsense", &[]);
    assert_eq!(code, 1, "{out}");
    assert!(env.is_pristine());
}

#[test]
fn verify_json_has_the_documented_fields() {
    let env = Env::new();
    let (key, id) = env.create("json", &["accounts"]);
    let output = env
        .days_later(80)
        .cmd()
        .args(["verify", "--format", "json", "--role", "payments"])
        .write_stdin(key)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(4));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    for field in [
        "valid",
        "code",
        "key_id",
        "name",
        "roles",
        "status",
        "freezes_at",
        "days_left",
    ] {
        assert!(json.get(field).is_some(), "missing {field} in {json}");
    }
    assert_eq!(json["code"], "missing_role");
    assert_eq!(json["key_id"], id.as_str());
    assert_eq!(json["status"], "expiring");
    assert_eq!(json["days_left"], 10);
    assert_eq!(json["missing_roles"], serde_json::json!(["payments"]));
}

#[test]
fn create_without_a_role_and_without_a_terminal_names_the_flag() {
    let env = Env::new();
    env.cmd()
        .args(["create", "--name", "x"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--role"));
    assert!(env.is_pristine(), "a refused create must write nothing");
}

#[test]
fn create_json_carries_the_secret_once() {
    let env = Env::new();
    let output = env
        .cmd()
        .args([
            "create",
            "--name",
            "bot",
            "--role",
            "transactions",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert!(output.status.success());
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let secret = json["secret"].as_str().unwrap();
    assert_eq!(env.days_later(0).verify(secret, &[]).0, 0);
    assert_eq!(json["status"], "active");
    assert!(!contains_bytes(&output.stderr, secret.as_bytes()));
}

#[test]
fn the_secret_is_nowhere_but_in_the_one_output() {
    let env = Env::new();
    env.create("first", &["accounts"]);
    // An open reader keeps the WAL from being checkpointed and removed when
    // `create` exits, so the frames it wrote can be searched too.
    let reader = (!env.is_postgres()).then(|| {
        let reader = rusqlite::Connection::open(&env.db).unwrap();
        let _: i64 = reader
            .query_row("SELECT count(*) FROM api_key", [], |row| row.get(0))
            .unwrap();
        reader
    });
    let output = env
        .cmd()
        .args(["create", "--name", "secretive", "--role", "payments"])
        .output()
        .unwrap();
    let key = String::from_utf8(output.stdout).unwrap().trim().to_string();
    let secret = &key[17..60];
    assert!(!contains_bytes(&output.stderr, secret.as_bytes()));
    let files = if reader.is_some() {
        let files = env.database_files();
        assert_eq!(files.len(), 3, "the database, its WAL and shared memory");
        assert!(files[1].len() > 4096, "the WAL holds the new key's frames");
        files
    } else {
        // Every row of the store, the new key's among them.
        let rows = env.contents();
        assert!(contains_bytes(&rows, b"secretive"));
        vec![rows]
    };
    for file in files {
        assert!(
            !contains_bytes(&file, secret.as_bytes()),
            "secret found in a database file"
        );
        assert!(!contains_bytes(&file, key.as_bytes()));
    }
    for args in [&["list"][..], &["list", "--format", "json"]] {
        let output = env.cmd().args(args).output().unwrap();
        assert!(!contains_bytes(&output.stdout, secret.as_bytes()));
    }
    let output = env
        .cmd()
        .arg("verify")
        .write_stdin(key.clone())
        .output()
        .unwrap();
    assert!(!contains_bytes(&output.stdout, secret.as_bytes()));
    assert!(!contains_bytes(&output.stderr, secret.as_bytes()));
    drop(reader);
}

#[test]
fn read_commands_never_create_a_database() {
    let env = Env::new();
    for args in [
        &["list"][..],
        &["renew", "AAAAAAAAAAAA"],
        &["delete", "--yes", "AAAAAAAAAAAA"],
    ] {
        env.cmd()
            .args(args)
            .assert()
            .code(2)
            .stderr(predicate::str::contains("no database at"));
    }
    assert!(!env.db.exists());
}

#[test]
fn a_new_database_and_its_directory_are_private() {
    // The default location is made when missing (a path given with --db or
    // INTERGIRO_KEYS_DB must be in a directory that exists).
    let env = Env::new();
    let db = env.path(".local/share/intergiro-keys/keys.db");
    env.cmd()
        .env_remove("INTERGIRO_KEYS_DB")
        .args(["create", "--name", "x", "--role", "accounts"])
        .assert()
        .success();
    assert_eq!(file_mode(&db), 0o600);
    assert_eq!(file_mode(db.parent().unwrap()), 0o700);
}

#[test]
fn the_default_database_lives_in_the_data_directory() {
    let env = Env::new();
    env.cmd()
        .env_remove("INTERGIRO_KEYS_DB")
        .args(["create", "--name", "x", "--role", "accounts"])
        .assert()
        .success();
    assert!(env.path(".local/share/intergiro-keys/keys.db").is_file());
    // --db wins over the environment.
    let other = env.path("other.db");
    env.cmd()
        .arg("--db")
        .arg(&other)
        .args(["create", "--name", "y", "--role", "accounts"])
        .assert()
        .success();
    assert!(other.is_file());
    assert!(!env.db.exists());
}

#[test]
fn a_file_that_is_not_ours_is_refused_and_untouched() {
    let env = Env::new();
    std::fs::write(&env.db, b"precious notes, not a database\n").unwrap();
    env.cmd()
        .args(["create", "--name", "x", "--role", "accounts"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not an intergiro-keys database"));
    assert_eq!(
        std::fs::read(&env.db).unwrap(),
        b"precious notes, not a database\n"
    );
}

#[test]
fn names_with_control_characters_are_refused() {
    let env = Env::new();
    env.cmd()
        .args([
            "create",
            "--name",
            "bad\u{1b}[31mname",
            "--role",
            "accounts",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("control character"));
    assert!(env.is_pristine());
}

#[test]
fn a_closed_pipe_is_not_an_error_for_list() {
    let env = Env::new();
    env.create("one", &["accounts"]);
    // The reading end is closed before the child gets to write, as when
    // `intergiro-keys list | head -1` has seen its line.
    let mut child = env
        .std_cmd()
        .arg("list")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        output.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}
