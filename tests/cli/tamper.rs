//! Someone who can write the database file changes it with another tool:
//! key and operator rows, the audit log, its triggers and counters. Each is
//! noticed, by `verify` for the key it is asked about and by
//! `audit --verify` for everything.

use predicates::prelude::*;

use crate::common::Env;

/// Runs SQL on the database with the sqlite3 tool, bypassing the program.
fn sqlite3(env: &Env, sql: &str) {
    let output = std::process::Command::new("sqlite3")
        .arg(&env.db)
        .arg(sql)
        .output()
        .expect("the sqlite3 tool is needed (Debian package sqlite3; .ci/run installs it)");
    assert!(
        output.status.success(),
        "{sql}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

fn audit_verify(env: &Env) -> (i32, String) {
    let output = env.cmd().args(["audit", "--verify"]).output().unwrap();
    (
        output.status.code().unwrap(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
    )
}

#[test]
fn a_key_row_changed_outside_the_tool_is_rejected_as_tampered() {
    let edits = [
        "UPDATE api_key SET roles = 'transactions,accounts,payments'",
        "UPDATE api_key SET freezes_at = 253402300799",
        "UPDATE api_key SET freezes_at = freezes_at + 86400",
        "UPDATE api_key SET secret_hash = (SELECT secret_hash FROM api_key WHERE name = 'other')",
        // A key made to look younger, as for `delete --older-than`.
        "UPDATE api_key SET created_at = created_at + 86400",
        "UPDATE api_key SET name = 'k2'",
    ];
    for sql in edits {
        let env = Env::new();
        let (key, id) = env.create("k", &["accounts"]);
        let (other, _) = env.create("other", &["payments"]);
        sqlite3(&env, &format!("{sql} WHERE id = '{id}'"));
        let output = env
            .cmd()
            .args(["verify", "--role", "accounts"])
            .write_stdin(format!("{key}\n"))
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{sql}: {stderr}");
        assert!(stderr.contains("tampered"), "{sql}: {stderr}");
        // And what to do about it.
        assert!(
            stderr.contains(&format!("`intergiro-keys delete {id}`")),
            "{sql}: {stderr}"
        );
        let (code, report) = audit_verify(&env);
        assert_eq!(code, 1, "{sql}: {report}");
        assert!(
            report.contains(&id) && report.contains("tampered"),
            "{sql}: {report}"
        );
        // The other key is untouched and still works.
        assert_eq!(env.days_later(0).verify(&other, &[]).0, 0, "{sql}");
    }
}

/// A key whose secret never reached its owner never works: a row made
/// issued outside the tool is rejected as tampered, as is an issued one
/// made unissued.
#[test]
fn a_key_issued_outside_the_tool_is_rejected_as_tampered() {
    let env = Env::new();
    let (key, id) = env.create("k", &["accounts"]);
    // As a create that stopped before its secret was written out left it,
    // sealed so.
    sqlite3(
        &env,
        &format!("UPDATE api_key SET issued = 0 WHERE id = '{id}'"),
    );
    let (code, report) = audit_verify(&env);
    assert_eq!(code, 1, "{report}");
    assert!(report.contains(&id), "{report}");
    env.reseal(&id);
    assert_eq!(audit_verify(&env).0, 0);
    assert_eq!(env.days_later(0).verify(&key, &[]).0, 1, "unissued");

    sqlite3(
        &env,
        &format!("UPDATE api_key SET issued = 1 WHERE id = '{id}'"),
    );
    let output = env
        .cmd()
        .arg("verify")
        .write_stdin(format!("{key}\n"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("tampered"), "{stderr}");
    let (code, report) = audit_verify(&env);
    assert_eq!(code, 1, "{report}");
    assert!(
        report.contains(&id) && report.contains("tampered"),
        "{report}"
    );
}

#[test]
fn a_deleted_key_put_back_is_rejected() {
    let env = Env::new();
    let (key, id) = env.create("k", &["accounts"]);
    // Kept aside in a file of its own: a table added to the store itself
    // would have the store refused whole.
    let saved = env.dir.path().join("saved.db");
    let attach = format!("ATTACH '{}' AS aside;", saved.display());
    sqlite3(
        &env,
        &format!("{attach} CREATE TABLE aside.saved AS SELECT * FROM api_key"),
    );
    env.cmd().args(["delete", "--yes", &id]).assert().success();
    sqlite3(
        &env,
        &format!("{attach} INSERT INTO api_key SELECT * FROM aside.saved"),
    );
    let output = env
        .cmd()
        .arg("verify")
        .write_stdin(format!("{key}\n"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("tampered"));
}

#[test]
fn an_operator_row_changed_outside_the_tool_is_reported_and_refused() {
    let env = Env::new();
    env.create("k", &["accounts"]);
    env.cmd()
        .args(["users", "add", "nobody", "--permission", "view"])
        .assert()
        .success();
    sqlite3(
        &env,
        "UPDATE operator SET permissions = 'admin' WHERE name = 'nobody'",
    );
    let (code, report) = audit_verify(&env);
    assert_eq!(code, 1, "{report}");
    assert!(
        report.contains("nobody") && report.contains("tampered"),
        "{report}"
    );
    env.cmd()
        .env("INTERGIRO_KEYS_OPERATOR", "nobody")
        .args(["users", "grant", "nobody", "delete"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("tampered"));
}

#[test]
fn audit_verify_fails_on_an_empty_log_a_wound_back_counter_and_times_going_backwards() {
    // Emptied.
    let env = Env::new();
    env.create("k", &["accounts"]);
    sqlite3(
        &env,
        "DROP TRIGGER audit_append_only_delete; DELETE FROM audit; DELETE FROM sqlite_sequence",
    );
    let (code, report) = audit_verify(&env);
    assert_eq!(code, 1, "{report}");
    assert!(report.contains("empty"), "{report}");

    // The last entry removed and the counter wound back to hide it.
    let env = Env::new();
    let (_, id) = env.create("k", &["accounts"]);
    env.days_later(1)
        .cmd()
        .args(["renew", &id])
        .assert()
        .success();
    sqlite3(
        &env,
        "DROP TRIGGER audit_append_only_delete;
         DELETE FROM audit WHERE seq = (SELECT max(seq) FROM audit);
         UPDATE sqlite_sequence SET seq = seq - 1 WHERE name = 'audit'",
    );
    let (code, report) = audit_verify(&env);
    assert_eq!(code, 1, "{report}");

    // The counter says fewer entries than there are.
    let env = Env::new();
    env.create("k", &["accounts"]);
    sqlite3(
        &env,
        "UPDATE sqlite_sequence SET seq = 1 WHERE name = 'audit'",
    );
    let (code, report) = audit_verify(&env);
    assert_eq!(code, 1, "{report}");
    assert!(report.contains("sequence"), "{report}");

    // An entry dated before the one it follows.
    let env = Env::new();
    env.create("k", &["accounts"]);
    env.days_later(-3).create("earlier", &["accounts"]);
    let (code, report) = audit_verify(&env);
    assert_eq!(code, 1, "{report}");
    assert!(report.contains("times go backwards"), "{report}");
}

#[test]
fn dropped_triggers_are_reported_and_restored_by_the_next_change() {
    let env = Env::new();
    let (_, id) = env.create("k", &["accounts"]);
    sqlite3(&env, "DROP TRIGGER audit_append_only_update");
    let (code, report) = audit_verify(&env);
    assert_eq!(code, 1, "{report}");
    assert!(report.contains("trigger"), "{report}");
    env.cmd().args(["renew", &id]).assert().success();
    let (code, report) = audit_verify(&env);
    assert_eq!(code, 0, "{report}");
    let entries = env.days_later(0).json_array(&["audit"]);
    assert!(
        entries
            .iter()
            .any(|entry| entry["detail"].as_str().unwrap().contains("restored")),
        "{entries:?}"
    );
    // And they work again.
    let output = std::process::Command::new("sqlite3")
        .arg(&env.db)
        .arg("UPDATE audit SET operator = 'x'")
        .output()
        .unwrap();
    assert!(!output.status.success());
}

#[test]
fn a_rotated_keys_retirement_changed_outside_the_tool_is_rejected_as_tampered() {
    let edits = [
        "UPDATE api_key SET retires_at = 253402300799",
        "UPDATE api_key SET retires_at = retires_at + 86400",
        "UPDATE api_key SET retires_at = NULL, replaced_by = NULL",
        "UPDATE api_key SET replaced_by = id",
    ];
    for sql in edits {
        let env = Env::new();
        let (key, id) = env.create("k", &["accounts"]);
        env.cmd()
            .args(["rotate", &id, "--grace", "1h"])
            .assert()
            .success();
        let (code, report) = audit_verify(&env);
        assert_eq!(code, 0, "before {sql}: {report}");
        sqlite3(&env, &format!("{sql} WHERE id = '{id}'"));
        let output = env
            .at(crate::common::t0() + chrono::Duration::minutes(30))
            .cmd()
            .arg("verify")
            .write_stdin(format!("{key}\n"))
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{sql}: {stderr}");
        assert!(stderr.contains("tampered"), "{sql}: {stderr}");
        let (code, report) = audit_verify(&env);
        assert_eq!(code, 1, "{sql}: {report}");
        assert!(
            report.contains(&id) && report.contains("tampered"),
            "{sql}: {report}"
        );
    }
}

#[test]
fn a_tampered_key_is_not_rotated_into_a_new_key_that_keeps_the_forgery() {
    for by_name in [true, false] {
        let env = Env::new();
        let (_, id) = env.create("k", &["accounts"]);
        sqlite3(
            &env,
            &format!("UPDATE api_key SET roles = 'accounts,payments' WHERE id = '{id}'"),
        );
        let target = if by_name { "k" } else { id.as_str() };
        env.cmd()
            .args(["rotate", target])
            .assert()
            .code(2)
            .stdout("")
            .stderr(predicate::str::contains("tampered"));
        // No new key, and the forgery is still reported, not sealed over.
        assert_eq!(env.list_json().len(), 1, "by name: {by_name}");
        let (code, report) = audit_verify(&env);
        assert_eq!(code, 1, "by name: {by_name}: {report}");
        assert!(report.contains(&id), "{report}");
    }
}

#[test]
fn a_tampered_key_is_deleted_by_its_id_as_by_its_name() {
    let env = Env::new();
    let (key, id) = env.create("k", &["accounts"]);
    sqlite3(
        &env,
        &format!("UPDATE api_key SET roles = 'payments' WHERE id = '{id}'"),
    );
    env.cmd()
        .args(["renew", &id])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("tampered"));
    env.cmd().args(["delete", "--yes", &id]).assert().success();
    assert_eq!(env.list_json().len(), 0);
    assert_eq!(env.days_later(0).verify(&key, &[]).0, 1);
    let (code, report) = audit_verify(&env);
    assert_eq!(code, 0, "{report}");
}

/// The old key changed by hand while `rotate` is writing the new secret
/// out (its stdout is a full pipe, so it waits there): the rotation is not
/// finished, so the forged row is not sealed as the rotation's.
#[test]
fn a_key_changed_during_its_rotation_is_not_sealed_by_it() {
    use std::io::{Read, Write};
    let env = Env::new();
    let (key, id) = env.create("k", &["accounts"]);
    let (mut reader, mut writer) = std::io::pipe().unwrap();
    // Fill the pipe, so that the rotation's write of the new key blocks.
    let set_flags = |writer: &std::io::PipeWriter, flags: nix::fcntl::OFlag| {
        nix::fcntl::fcntl(writer, nix::fcntl::FcntlArg::F_SETFL(flags)).unwrap();
    };
    set_flags(&writer, nix::fcntl::OFlag::O_NONBLOCK);
    while writer.write(&[b'.'; 4096]).is_ok() {}
    // Writes of up to 4 KiB are all or nothing: fill the last bytes too.
    while writer.write(b".").is_ok() {}
    set_flags(&writer, nix::fcntl::OFlag::empty());
    let child = env
        .std_cmd()
        .args(["rotate", &id, "--grace", "1h"])
        .stdout(writer.try_clone().unwrap())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(writer);
    // Wait until the new key is stored, unissued: the rotation has begun.
    let begun = (0..200).any(|_| {
        std::thread::sleep(std::time::Duration::from_millis(25));
        let conn = rusqlite::Connection::open(&env.db).unwrap();
        conn.query_row(
            "SELECT count(*) FROM api_key WHERE replaced_by IS NOT NULL",
            [],
            |row| row.get::<_, i64>(0),
        )
        .unwrap()
            == 1
    });
    assert!(begun, "the rotation did not begin");
    sqlite3(
        &env,
        &format!("UPDATE api_key SET roles = 'accounts,payments' WHERE id = '{id}'"),
    );
    let mut drained = Vec::new();
    reader.read_to_end(&mut drained).unwrap();
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("tampered"), "{stderr}");
    // Still reported, and still rejected.
    let (code, report) = audit_verify(&env);
    assert_eq!(code, 1, "{report}");
    assert!(report.contains(&id), "{report}");
    assert_eq!(env.days_later(0).verify(&key, &[]).0, 1);
}

/// Whoever investigates a tampered key needs its history: `show` by ID,
/// as by name, shows the row as stored, marked tampered (with the remedy
/// on stderr), and its audit entries.
#[test]
fn a_tampered_key_is_shown_marked_with_its_history_by_id_and_by_name() {
    let env = Env::new();
    let (_, id) = env.create("k", &["accounts"]);
    sqlite3(
        &env,
        &format!("UPDATE api_key SET roles = 'payments' WHERE id = '{id}'"),
    );
    for given in [id.as_str(), "k"] {
        let output = env.cmd().args(["show", given]).output().unwrap();
        let (stdout, stderr) = (
            String::from_utf8(output.stdout).unwrap(),
            String::from_utf8(output.stderr).unwrap(),
        );
        assert_eq!(output.status.code(), Some(0), "{given}: {stderr}");
        assert!(
            stdout.contains(
                "Status      TAMPERED: changed outside intergiro-keys, not trusted (as stored: active)"
            ),
            "{given}: {stdout}"
        );
        assert!(stdout.contains("Roles       payments"), "{stdout}");
        assert!(stdout.contains("roles accounts"), "the history: {stdout}");
        assert!(
            stderr.starts_with(&format!(
                "intergiro-keys: warning: key {id} was changed outside intergiro-keys (tampered)"
            )) && stderr.contains(&format!("intergiro-keys delete {id}")),
            "{stderr}"
        );
        let json = env.days_later(0).json_object(&["show", given]);
        assert_eq!(json["tampered"], true, "{json}");
        assert_eq!(json["id"], id.as_str());
        assert_eq!(json["events"][0]["action"], "create", "{json}");
    }
    // An untouched key is not marked.
    let (_, other) = env.create("other", &["accounts"]);
    let json = env.days_later(0).json_object(&["show", &other]);
    assert_eq!(json["tampered"], false, "{json}");
    let output = env.cmd().args(["show", &other]).output().unwrap();
    assert!(output.stderr.is_empty());
    assert!(
        !String::from_utf8(output.stdout)
            .unwrap()
            .contains("TAMPERED")
    );
}

/// A leaked key whose row was changed by hand: `verify` rejects it, but
/// its row and hash are still stored (restoring the row would make it work
/// again), so `scan` reports it as `tampered`, not as a stranger's key,
/// exits 1, and `--revoke` deletes it (the remedy).
#[test]
fn scan_reports_a_tampered_key_as_tampered_and_revokes_it() {
    let env = Env::new();
    let (key, id) = env.create("k", &["accounts"]);
    sqlite3(
        &env,
        &format!("UPDATE api_key SET roles = 'payments' WHERE id = '{id}'"),
    );
    std::fs::write(env.path("leak.txt"), format!("KEY={key}\n")).unwrap();
    let scan = |args: &[&str]| env.cmd().arg("scan").args(args).output().unwrap();
    let text = |bytes: &[u8]| String::from_utf8(bytes.to_vec()).unwrap();

    let output = scan(&["leak.txt"]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output.stderr));
    assert_eq!(
        text(&output.stdout),
        format!("leak.txt:1:5: igk_{id}_… tampered \"k\" (payments)\n")
    );
    assert!(
        text(&output.stderr).contains(&format!(
            "1 tampered (changed outside intergiro-keys: rejected now, but still stored) — delete with `intergiro-keys delete {id}`"
        )),
        "{}",
        text(&output.stderr)
    );

    let output = scan(&["--format", "json", "leak.txt"]);
    assert_eq!(output.status.code(), Some(1));
    let found: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(found[0]["status"], "tampered");
    assert_eq!(found[0]["still_works"], false, "rejected now");

    let output = scan(&["--format", "sarif", "leak.txt"]);
    assert_eq!(output.status.code(), Some(1));
    let sarif: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let result = &sarif["runs"][0]["results"][0];
    assert_eq!(result["level"], "error");
    let message = result["message"]["text"].as_str().unwrap();
    assert!(message.contains("(tampered)"), "{message}");
    assert!(
        !message.contains(&key[17..]),
        "the secret leaked: {message}"
    );

    let output = scan(&["--revoke", "--yes", "leak.txt"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert!(
        text(&output.stdout).contains("revoked"),
        "{}",
        text(&output.stdout)
    );
    assert_eq!(env.list_json().len(), 0);
    let (code, report) = audit_verify(&env);
    assert_eq!(code, 0, "{report}");
}

/// A key's name is sealed: commands take a name for the key that has it,
/// so a row renamed with `sqlite3` (here, the leaked key's name moved to
/// another key) must not have `delete NAME` remove the wrong key while the
/// leaked one survives. By name, each change refuses the tampered row as by
/// ID a change does; `show` marks it; the remedy, deleting by ID, works.
#[test]
fn a_key_renamed_outside_the_tool_is_refused_by_that_name() {
    let env = Env::new();
    let (leaked, leaked_id) = env.create("leaked", &["payments"]);
    let (_, prod_id) = env.create("prod", &["accounts"]);
    sqlite3(
        &env,
        &format!(
            "UPDATE api_key SET name = 'old' WHERE id = '{leaked_id}';
             UPDATE api_key SET name = 'leaked' WHERE id = '{prod_id}'"
        ),
    );
    let before = env.list_json();
    let entries = env.days_later(0).json_array(&["audit"]).len();
    for args in [
        &["delete", "--yes", "leaked"][..],
        &["renew", "leaked"],
        &["rotate", "leaked"],
    ] {
        let output = env.cmd().args(args).output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(output.stdout.is_empty(), "{args:?}");
        assert!(
            stderr.starts_with(&format!(
                "intergiro-keys: error: key {prod_id} was changed outside intergiro-keys (tampered): "
            )) && stderr.contains(&format!("`intergiro-keys delete {prod_id}`")),
            "{args:?}: {stderr}"
        );
    }
    // Nothing was deleted, renewed or rotated, and nothing recorded as done.
    assert_eq!(env.list_json(), before);
    assert_eq!(env.days_later(0).json_array(&["audit"]).len(), entries);

    // `show` by the name marks the row, as by its ID.
    for given in ["leaked", prod_id.as_str()] {
        let json = env.days_later(0).json_object(&["show", given]);
        assert_eq!(json["id"], prod_id.as_str(), "{given}");
        assert_eq!(json["tampered"], true, "{given}: {json}");
    }
    // `list` shows rows as stored, tampered or not (it checks no seals);
    // `audit --verify` reports both renamed rows.
    assert_eq!(before.len(), 2);
    let (code, report) = audit_verify(&env);
    assert_eq!(code, 1, "{report}");
    assert!(
        report.contains(&leaked_id) && report.contains(&prod_id),
        "{report}"
    );
    // The leaked key is rejected, and `scan` finds it tampered (still
    // stored) and revokes it.
    assert_eq!(env.days_later(0).verify(&leaked, &[]).0, 1);
    std::fs::write(env.path("leak.txt"), format!("KEY={leaked}\n")).unwrap();
    let output = env.cmd().args(["scan", "leak.txt"]).output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&output.stdout).contains(&format!("igk_{leaked_id}_… tampered")),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
    env.cmd()
        .args(["scan", "--revoke", "--yes", "leak.txt"])
        .assert()
        .success();
    // The other renamed row goes by its ID, the remedy.
    env.cmd()
        .args(["delete", "--yes", &prod_id])
        .assert()
        .success();
    assert_eq!(env.list_json().len(), 0);
    let (code, report) = audit_verify(&env);
    assert_eq!(code, 0, "{report}");
}

/// A table, index, trigger or view added with another tool, or one of the
/// store's own made differently, is refused by every command before it can
/// act: the finding's trigger gave every new key `payments` behind the
/// output's back ("(accounts)", audited as accounts).
#[test]
fn objects_planted_in_the_schema_are_refused_by_every_command() {
    let plants = [
        (
            "CREATE TRIGGER zz AFTER INSERT ON api_key BEGIN
                 UPDATE api_key SET roles = 'transactions,accounts,payments' WHERE id = NEW.id;
             END",
            "it holds trigger zz that intergiro-keys never made",
        ),
        (
            "CREATE VIEW planted AS SELECT * FROM api_key",
            "it holds view planted that intergiro-keys never made",
        ),
        (
            "CREATE INDEX api_key_roles ON api_key (roles)",
            "it holds index api_key_roles that intergiro-keys never made",
        ),
        (
            "CREATE TABLE extra (x)",
            "it holds table extra that intergiro-keys never made",
        ),
        (
            "DROP INDEX api_key_name; CREATE INDEX api_key_name ON api_key (name, roles)",
            "its index api_key_name is not as intergiro-keys made it",
        ),
        (
            "DROP TRIGGER audit_append_only_update;
             CREATE TRIGGER audit_append_only_update BEFORE UPDATE ON audit BEGIN SELECT 1; END",
            "its trigger audit_append_only_update is not as intergiro-keys made it",
        ),
    ];
    for (sql, said) in plants {
        let env = Env::sqlite();
        let (key, _) = env.create("k", &["accounts"]);
        sqlite3(&env, sql);
        let before = std::fs::read(&env.db).unwrap();
        let copy = env.dir.path().join("copy.db");
        let commands: [(&[&str], String); 5] = [
            (
                &["create", "--name", "new", "--role", "accounts"],
                String::new(),
            ),
            (&["list"], String::new()),
            (&["verify"], format!("{key}\n")),
            (&["audit", "--verify"], String::new()),
            (&["backup", copy.to_str().unwrap()], String::new()),
        ];
        for (args, stdin) in commands {
            let output = env.cmd().args(args).write_stdin(stdin).output().unwrap();
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert_eq!(output.status.code(), Some(2), "{sql}: {args:?}: {stderr}");
            assert!(
                stderr.contains("cannot be trusted") && stderr.contains(said),
                "{sql}: {args:?}: {stderr}"
            );
            assert!(output.stdout.is_empty(), "{sql}: {args:?}");
        }
        assert_eq!(std::fs::read(&env.db).unwrap(), before, "{sql}");
        assert!(!copy.exists(), "{sql}");
    }
}

/// One row that is not a key (a date out of range, a role that does not
/// exist) is skipped with a warning naming it: the listing goes on, `check`
/// reports it as critical with a label of its own, and `audit --verify`
/// names it.
#[test]
fn a_malformed_row_is_skipped_and_reported_never_taking_a_listing_down() {
    for edit in [
        "roles = 'admin'",
        "freezes_at = -9223372036854775808",
        "created_at = 9223372036854775807",
    ] {
        let env = Env::sqlite();
        env.create("good", &["accounts"]);
        let (_, id) = env.create("bad", &["accounts"]);
        sqlite3(
            &env,
            &format!("UPDATE api_key SET {edit} WHERE id = '{id}'"),
        );
        let warning = format!("warning: skipped the key row {id}: it cannot be read as a key");

        let output = env.cmd().args(["list", "--no-pager"]).output().unwrap();
        let (stdout, stderr) = (
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr),
        );
        assert!(output.status.success(), "{edit}: {stderr}");
        assert!(
            stdout.contains("good") && !stdout.contains(&id),
            "{edit}: {stdout}"
        );
        assert_eq!(stderr.matches(&warning).count(), 1, "{edit}: {stderr}");

        let listed = env.days_later(0).json_array(&["list"]);
        assert_eq!(listed.len(), 1, "{edit}");

        let output = env
            .cmd()
            .args(["check", "--critical", "0"])
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        if edit.starts_with("freezes_at") {
            // Flagged, so read by check: critical, and said so.
            assert_eq!(output.status.code(), Some(2), "{edit}: {stdout}");
            assert!(
                stdout.contains("1 key row unreadable") && stdout.contains(" unreadable=1;;0;0"),
                "{edit}: {stdout}"
            );
        } else {
            assert_ne!(output.status.code(), Some(3), "{edit}: {stdout}");
        }
        assert!(output.stderr.is_empty(), "{edit}");

        // Every field edited is sealed.
        let (code, report) = audit_verify(&env);
        assert_eq!(code, 1, "{edit}: {report}");
        assert!(report.contains(&id), "{edit}: {report}");
    }
}

/// A store put back to an older copy (here the `backup` made before a
/// deletion) verifies on its own; the head recorded after the deletion,
/// kept elsewhere, shows the rollback.
#[test]
fn a_store_put_back_to_an_older_copy_is_caught_by_the_head_kept_elsewhere() {
    let env = Env::sqlite();
    let (key, id) = env.create("leaked", &["payments"]);
    let copy = env.path("before.db");
    let backed_up = env
        .days_later(0)
        .json_object(&["backup", copy.to_str().unwrap()]);
    let old_head = backed_up["head"].as_str().unwrap().to_string();
    env.cmd().args(["delete", "--yes", &id]).assert().success();
    let verified = env.days_later(0).json_object(&["audit", "--verify"]);
    let head = verified["head"].as_str().unwrap().to_string();
    assert_ne!(head, old_head);

    // The live store holds both heads.
    for expected in [&old_head, &head] {
        env.cmd()
            .args(["audit", "--verify", "--expect-head", expected])
            .assert()
            .success();
    }
    // Put back: the leaked key works again and the log is intact on its
    // own, but the head kept after the deletion is not in it.
    std::fs::copy(&copy, &env.db).unwrap();
    assert_eq!(env.days_later(0).verify(&key, &[]).0, 0);
    env.cmd().args(["audit", "--verify"]).assert().success();
    let output = env
        .cmd()
        .args(["audit", "--verify", "--expect-head", &head])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains(&format!(
            "rolled back: the expected head {head} is not in this log"
        )),
        "{stdout}"
    );
    let output = env
        .cmd()
        .args(["audit", "--verify", "--expect-head", "not-a-hash"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("64 hexadecimal digits"));
}
