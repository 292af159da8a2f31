//! The PostgreSQL store as its users meet it: operators are login roles,
//! the command refuses what they may not do, and so does the server when
//! they connect with `psql` instead. Each test but the unreachable server's
//! needs the test cluster (`tests/pg/cluster.sh`), whatever store the rest
//! of the suite uses, and is `#[ignore]`d: `--include-ignored` runs them.

use std::process::Command;

use predicates::prelude::*;

use crate::common::Env;

fn as_role(env: &Env, role: &str) -> assert_cmd::Command {
    let mut cmd = env.cmd();
    cmd.env("INTERGIRO_KEYS_OPERATOR", role);
    cmd
}

/// Runs SQL with `psql` as `role`; returns (success, stderr).
fn psql(env: &Env, role: &str, sql: &str) -> (bool, String) {
    let output = Command::new("psql")
        .args(["--no-psqlrc", "-v", "ON_ERROR_STOP=1", "-X", "-q"])
        .arg(env.url_as(role))
        .args(["-c", sql])
        .output()
        .expect("psql (the postgresql-client package) must be installed");
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
#[ignore = "needs PostgreSQL: run under tests/pg/cluster.sh with --include-ignored"]
fn each_permission_is_enforced_by_the_command_and_by_the_server() {
    let env = Env::postgres();
    let (key, id) = env.create("shared", &["accounts"]);
    let cases: [(&str, &[&str]); 4] = [
        ("view", &["list"]),
        ("create", &["create", "--name", "x", "--role", "accounts"]),
        ("renew", &["renew", "ID"]),
        ("delete", &["delete", "--yes", "ID"]),
    ];
    env.cmd()
        .args(["users", "add", "bob", "--permission", "verify"])
        .assert()
        .success();
    for (needed, args) in cases {
        let args: Vec<&str> = args
            .iter()
            .map(|a| if *a == "ID" { id.as_str() } else { a })
            .collect();
        as_role(&env, "bob")
            .args(&args)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(format!(
                "lacks the {needed} permission"
            )));
        env.cmd()
            .args(["users", "grant", "bob", needed])
            .assert()
            .success();
        if needed != "delete" {
            as_role(&env, "bob").args(&args).assert().success();
        }
    }
    // bob holds every permission but admin now; the server still refuses
    // every direct change, to keys, operators and the audit log alike.
    for sql in [
        "SELECT * FROM intergiro_keys.api_key",
        "UPDATE intergiro_keys.api_key SET freezes_at = 253402300799",
        "UPDATE intergiro_keys.api_key SET roles = 'accounts,payments,transactions'",
        "INSERT INTO intergiro_keys.api_key VALUES ('ZZZZZZZZZZZZ', 'x', 'payments', '$argon2id$x', 0, 0, 253402300799, true)",
        "DELETE FROM intergiro_keys.api_key",
        "INSERT INTO intergiro_keys.operator VALUES ('bob', 'admin', NULL, 0, 'bob')",
        "UPDATE intergiro_keys.operator SET permissions = 'admin'",
        "DELETE FROM intergiro_keys.operator",
        "UPDATE intergiro_keys.audit SET outcome = 'ok'",
        "DELETE FROM intergiro_keys.audit",
        "SELECT intergiro_keys._audit('delete', NULL, 'ok', 'forged')",
        "SELECT intergiro_keys.add_operator('bob', 'admin', NULL)",
    ] {
        let (ok, stderr) = psql(&env, "bob", sql);
        assert!(!ok, "the server allowed bob: {sql}");
        assert!(
            stderr.contains("permission denied") || stderr.contains("lacks the admin"),
            "{sql}: {stderr}"
        );
    }
    // Through the functions, the server checks the same permissions.
    let (ok, stderr) = psql(
        &env,
        "carol",
        "SELECT * FROM intergiro_keys.list_keys(NULL, false)",
    );
    assert!(
        !ok && stderr.contains("permission denied for function"),
        "{stderr}"
    );

    // Nothing changed but what the commands did, and the chain holds.
    let (code, _) = env.days_later(0).verify(&key, &[]);
    assert_eq!(code, 0);
    env.cmd().args(["audit", "--verify"]).assert().success();
    assert_eq!(env.list_json().len(), 2);
}

#[test]
#[ignore = "needs PostgreSQL: run under tests/pg/cluster.sh with --include-ignored"]
fn a_verify_only_role_can_verify_and_check_and_nothing_else() {
    let env = Env::postgres();
    let (key, id) = env.create("ci-deploy", &["payments"]);
    env.cmd()
        .args(["users", "add", "check", "--permission", "verify"])
        .assert()
        .success();
    let output = as_role(&env, "check")
        .args(["verify", "--role", "payments", "--format", "json"])
        .write_stdin(key.clone())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let verdict: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(verdict["key_id"], id.as_str());
    as_role(&env, "check")
        .arg("check")
        .assert()
        .code(0)
        .stdout(predicate::str::starts_with("OK"));
    for args in [
        &["list"][..],
        &["audit"],
        &["users", "list"],
        &["renew", &id],
        &["delete", "--yes", &id],
        &["create", "--name", "x", "--role", "accounts"],
    ] {
        as_role(&env, "check").args(args).assert().code(2);
    }
    for sql in [
        "SELECT * FROM intergiro_keys.list_keys(NULL, false)",
        "SELECT * FROM intergiro_keys.audit_entries(NULL, NULL, NULL)",
        "SELECT * FROM intergiro_keys.operators()",
    ] {
        let (ok, stderr) = psql(&env, "check", sql);
        assert!(
            !ok && stderr.contains("lacks the view permission"),
            "{sql}: {stderr}"
        );
    }
}

#[test]
#[ignore = "needs PostgreSQL: run under tests/pg/cluster.sh with --include-ignored"]
fn users_add_and_remove_grant_and_revoke_the_operators_role() {
    let env = Env::postgres();
    let member = |role: &str| {
        let output = Command::new("psql")
            .args(["-X", "-A", "-t", "-c"])
            .arg(format!(
                "SELECT pg_has_role('{role}', operators_role, 'MEMBER') FROM intergiro_keys.schema_version"
            ))
            .arg(env.url_as("postgres"))
            .output()
            .unwrap();
        String::from_utf8_lossy(&output.stdout).trim() == "t"
    };
    assert!(!member("dave"));
    env.cmd()
        .args(["users", "add", "dave", "--permission", "view"])
        .assert()
        .success();
    assert!(member("dave"));
    env.cmd()
        .args(["users", "remove", "dave"])
        .assert()
        .success();
    assert!(!member("dave"));
    // A role the server does not know cannot be added: nothing changes.
    env.cmd()
        .args(["users", "add", "no_such_role_here", "--permission", "view"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "there is no PostgreSQL role no_such_role_here",
        ));
    let output = env
        .cmd()
        .args(["users", "list", "--format", "json"])
        .output()
        .unwrap();
    let operators: Vec<serde_json::Value> = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(operators.len(), 1);
}

#[test]
fn an_unreachable_server_is_a_temporary_failure() {
    let env = Env::new();
    let url = "postgresql://nobody@/keys?host=/nonexistent-socket-dir";
    let output = env
        .cmd()
        .env("INTERGIRO_KEYS_DB", url)
        .arg("list")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(75));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("cannot reach the PostgreSQL server"),
        "{stderr}"
    );
    // `check` stays a monitoring plugin: UNKNOWN.
    env.cmd()
        .env("INTERGIRO_KEYS_DB", url)
        .arg("check")
        .assert()
        .code(3)
        .stdout(predicate::str::starts_with("UNKNOWN"));
}

#[test]
#[ignore = "needs PostgreSQL: run under tests/pg/cluster.sh with --include-ignored"]
fn a_database_without_a_store_says_how_to_make_one() {
    let env = Env::postgres();
    let url = env.db.to_string_lossy().replace('?', "?schema=elsewhere&");
    env.cmd()
        .env("INTERGIRO_KEYS_DB", &url)
        .arg("list")
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "create it with `intergiro-keys init",
        ));
    env.cmd()
        .arg("init")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("already has a key store"));
}

#[test]
#[ignore = "needs PostgreSQL: run under tests/pg/cluster.sh with --include-ignored"]
fn migrate_moves_keys_operators_and_the_audit_history_and_the_keys_keep_working() {
    // A SQLite store with keys in every state, operators and refusals.
    let env = Env::sqlite();
    crate::common::pg::require_cluster();
    // In the order of time, as the audit log must be.
    let (frozen, _) = env.days_later(-100).create("old", &["accounts"]);
    let (payments, payments_id) = env.create("payments-bot", &["payments"]);
    let (reporting, _) = env.create("reporting", &["accounts", "transactions"]);
    let (deleted, deleted_id) = env.create("leaked", &["accounts"]);
    env.cmd()
        .args(["delete", "--yes", &deleted_id])
        .assert()
        .success();
    env.cmd()
        .args(["users", "add", "bob", "--permission", "view,renew"])
        .assert()
        .success();
    env.cmd()
        .args([
            "users",
            "add",
            "nobody_has_this_role",
            "--permission",
            "view",
        ])
        .assert()
        .success();
    as_role(&env, "bob")
        .args(["delete", "--yes", &payments_id])
        .assert()
        .code(2);
    env.days_later(3)
        .cmd()
        .args(["renew", &payments_id])
        .assert()
        .success();
    let listed = env.days_later(3).list_json();
    let history = env.days_later(0).json_array(&["audit"]);

    let url = crate::common::pg::fresh_database();
    // bob is a role on the server already: he would get the store's
    // permissions through it, which is said first and needs --yes.
    let output = env
        .days_later(3)
        .cmd()
        .args(["migrate", "--to", &url])
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{said}");
    assert!(
        said.contains("bob (view,renew)")
            && said.contains("already exist")
            && said.contains("run again with --yes; nothing was moved")
            && !said.contains("nobody_has_this_role"),
        "{said}"
    );
    let mut nothing = env.cmd();
    nothing
        .env("INTERGIRO_KEYS_DB", &url)
        .args(["list"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("there is no intergiro-keys store"));
    let output = env
        .days_later(3)
        .cmd()
        .args(["migrate", "--yes", "--to", &url])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let said = String::from_utf8_lossy(&output.stderr);
    assert!(said.contains("Moved 3 keys, 3 operators and"), "{said}");
    assert!(
        said.contains("no PostgreSQL role for nobody_has_this_role"),
        "{said}"
    );

    // Seen on day 3, after the renewal.
    let moved = |args: &[&str]| -> assert_cmd::Command {
        let mut cmd = env.days_later(3).cmd();
        cmd.env("INTERGIRO_KEYS_DB", &url).args(args);
        cmd
    };
    // The same keys, dates and all; the same verdicts for the same secrets.
    let output = moved(&["list", "--format", "json"]).output().unwrap();
    let moved_list: Vec<serde_json::Value> = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(moved_list, listed);
    for (key, code) in [(&payments, 0), (&reporting, 0), (&frozen, 3), (&deleted, 1)] {
        let output = moved(&["verify"])
            .write_stdin(key.clone())
            .output()
            .unwrap();
        assert_eq!(
            output.status.code(),
            Some(code),
            "{}",
            String::from_utf8_lossy(&output.stdout)
        );
    }
    // The history, unchanged, then the move; the chain verifies.
    let output = moved(&["audit", "--format", "json"]).output().unwrap();
    let moved_history: Vec<serde_json::Value> = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(moved_history[..history.len()], history[..]);
    assert_eq!(moved_history[history.len()]["action"], "migrate");
    moved(&["audit", "--verify"]).assert().success();
    // The operators came by name; bob acts as his role, with his permissions.
    let mut bob = moved(&["renew", &payments_id]);
    bob.env("INTERGIRO_KEYS_OPERATOR", "bob").assert().success();
    let mut bob = moved(&["delete", "--yes", &payments_id]);
    bob.env("INTERGIRO_KEYS_OPERATOR", "bob").assert().code(2);
    // A second migrate into the same database changes nothing.
    env.cmd()
        .args(["migrate", "--yes", "--to", &url])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("already has a key store"));
}

/// An operator row given `admin` with `sqlite3` is tamper evidence on
/// SQLite (its seal disagrees); moved into PostgreSQL, whose rows carry no
/// seals, it would become a true administrator. migrate refuses it.
#[test]
#[ignore = "needs PostgreSQL: run under tests/pg/cluster.sh with --include-ignored"]
fn migrate_refuses_a_store_whose_rows_were_changed_outside_intergiro_keys() {
    let env = Env::sqlite();
    crate::common::pg::require_cluster();
    env.create("k", &["accounts"]);
    env.cmd()
        .args(["users", "add", "bob", "--permission", "view"])
        .assert()
        .success();
    env.sql("UPDATE operator SET permissions = 'admin' WHERE name = 'bob'");
    let url = crate::common::pg::fresh_database();
    env.cmd()
        .args(["migrate", "--to", &url])
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("operator bob")
                .and(predicate::str::contains("nothing was moved"))
                .and(predicate::str::contains("audit --verify")),
        );
    let mut listed = env.cmd();
    listed
        .env("INTERGIRO_KEYS_DB", &url)
        .args(["list"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("there is no intergiro-keys store"));
}

#[test]
#[ignore = "needs PostgreSQL: run under tests/pg/cluster.sh with --include-ignored"]
fn a_newer_schema_is_refused_untouched() {
    let env = Env::postgres();
    env.create("k", &["accounts"]);
    // Format 2.0: another major format.
    env.sql("UPDATE schema_version SET version = 2000");
    let before = env.snapshot();
    env.cmd()
        .arg("list")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("newer intergiro-keys"));
    env.cmd()
        .args(["create", "--name", "x", "--role", "accounts"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("upgrade intergiro-keys"));
    env.cmd().arg("init").assert().code(2);
    env.cmd()
        .arg("check")
        .assert()
        .code(3)
        .stdout(predicate::str::starts_with("UNKNOWN"));
    assert!(env.snapshot() == before, "the store changed");
}

#[test]
#[ignore = "needs PostgreSQL: run under tests/pg/cluster.sh with --include-ignored"]
fn backup_points_to_pg_dump() {
    let env = Env::postgres();
    env.create("k", &["accounts"]);
    env.cmd()
        .args(["backup", "copy.db"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("pg_dump"));
    assert!(!env.path("copy.db").exists());
}

#[test]
#[ignore = "needs PostgreSQL: run under tests/pg/cluster.sh with --include-ignored"]
fn the_last_administrator_stays() {
    let env = Env::postgres();
    let admin = crate::common::pg::acting_account();
    env.cmd()
        .args([
            "users",
            "add",
            "bob",
            "--permission",
            "view,create,renew,delete",
        ])
        .assert()
        .success();
    as_role(&env, "bob")
        .args(["users", "add", "eve", "--permission", "admin"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("lacks the admin permission"));
    for args in [&["remove", &admin][..], &["revoke", &admin, "admin"]] {
        env.cmd()
            .arg("users")
            .args(args)
            .assert()
            .code(2)
            .stderr(predicate::str::contains("no administrator"));
    }
    // With a second administrator, the first may step down.
    env.cmd()
        .args(["users", "grant", "bob", "admin"])
        .assert()
        .success();
    env.cmd()
        .args(["users", "revoke", &admin, "admin"])
        .assert()
        .success();
    as_role(&env, "bob")
        .args(["users", "remove", &admin])
        .assert()
        .success();
    env.cmd().arg("list").assert().code(2);
    as_role(&env, "bob")
        .args(["audit", "--verify"])
        .assert()
        .success();
}

/// A store as a pre-release `init` left it (schema v14), as far as a
/// command reads before it looks at the version: the owner role's schema,
/// its version table and a key. Made as the acting account, a role with
/// CREATEROLE.
fn pre_release_store(env: &Env) {
    let me = crate::common::pg::acting_account();
    let mut client = postgres::Client::connect(&env.url_as(&me), postgres::NoTls)
        .expect("cannot reach the test cluster");
    let database: String = client
        .query_one("SELECT current_database()", &[])
        .unwrap()
        .get(0);
    let owner = format!("{database}_intergiro_keys_owner");
    let operators = format!("{database}_intergiro_keys_operators");
    client
        .batch_execute(&format!(
            "BEGIN;
             CREATE ROLE \"{owner}\" NOLOGIN;
             CREATE ROLE \"{operators}\" NOLOGIN;
             GRANT \"{owner}\" TO CURRENT_USER;
             CREATE SCHEMA intergiro_keys AUTHORIZATION \"{owner}\";
             SET LOCAL ROLE \"{owner}\";
             CREATE TABLE intergiro_keys.schema_version (version integer NOT NULL, operators_role text NOT NULL);
             INSERT INTO intergiro_keys.schema_version VALUES (14, '{operators}');
             GRANT USAGE ON SCHEMA intergiro_keys TO PUBLIC;
             GRANT SELECT ON intergiro_keys.schema_version TO PUBLIC;
             CREATE TABLE intergiro_keys.api_key (id text PRIMARY KEY, name text NOT NULL);
             INSERT INTO intergiro_keys.api_key VALUES ('AAAAAAAAAAAA', 'old key');
             RESET ROLE;
             REVOKE \"{owner}\" FROM CURRENT_USER;
             COMMIT;"
        ))
        .unwrap();
}

#[test]
#[ignore = "needs PostgreSQL: run under tests/pg/cluster.sh with --include-ignored"]
fn a_pre_release_store_is_refused_by_every_command_and_left_untouched() {
    let env = Env::postgres_without_store();
    pre_release_store(&env);
    let snapshot = || {
        env.query(
            "SELECT (SELECT string_agg(t::text, ',') FROM intergiro_keys.schema_version t)
                    || (SELECT string_agg(t::text, ',') FROM intergiro_keys.api_key t)
                    || (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                        WHERE n.nspname = 'intergiro_keys')::text
                    || (SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                        WHERE n.nspname = 'intergiro_keys')::text",
            &[],
        )
    };
    let before = snapshot();
    let token = intergiro_keys::token::Token::generate().unwrap();
    let key = token.expose().to_string();
    let commands: [&[&str]; 11] = [
        &["list"],
        &["show", "AAAAAAAAAAAA"],
        &["create", "--name", "x", "--role", "accounts"],
        &["renew", "AAAAAAAAAAAA"],
        &["delete", "--yes", "AAAAAAAAAAAA"],
        &["rotate", "AAAAAAAAAAAA"],
        &["audit", "--verify"],
        &["users", "list"],
        &["users", "add", "bob", "--permission", "view"],
        &["init"],
        &["verify"],
    ];
    for args in commands {
        let output = env
            .cmd()
            .args(args)
            .write_stdin(format!("{key}\n"))
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.contains("was made by a pre-release intergiro-keys (schema v14), which 1.0 does not read; it was left untouched"),
            "{args:?}: {stderr}"
        );
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
    }
    env.cmd()
        .arg("check")
        .assert()
        .code(3)
        .stdout(predicate::str::starts_with("UNKNOWN"));
    assert_eq!(snapshot(), before, "the store changed");
}

/// With the test step to format 1.1 (`INTERGIRO_KEYS_TEST_NEXT_MINOR=1`, a
/// build one minor format newer): it refuses a 1.0 store naming `upgrade`;
/// a store it made is read by this build, which verifies and checks
/// against it.
#[test]
#[ignore = "needs PostgreSQL: run under tests/pg/cluster.sh with --include-ignored"]
fn a_build_one_minor_format_older_verifies_and_checks_against_an_upgraded_store() {
    let env = Env::postgres();
    let before = env.snapshot();
    env.cmd()
        .env("INTERGIRO_KEYS_TEST_NEXT_MINOR", "1")
        .arg("list")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("upgrade"));
    assert!(env.snapshot() == before, "the store changed");

    let newer = Env::postgres_without_store();
    newer
        .cmd()
        .env("INTERGIRO_KEYS_TEST_NEXT_MINOR", "1")
        .arg("init")
        .assert()
        .success();
    assert_eq!(
        newer.number("SELECT version FROM schema_version", &[]),
        Some(1001)
    );
    let (key, id) = newer.create("ci", &["accounts"]);
    assert_eq!(
        newer.days_later(0).verify(&key, &["--role", "accounts"]).0,
        0
    );
    newer.cmd().arg("check").assert().code(0);
    newer.cmd().args(["show", &id]).assert().success();
    newer.cmd().args(["audit", "--verify"]).assert().success();
}

/// The store's owner role (which a store administrator can `SET ROLE` to)
/// edits a key's row or an operator's: `verify` rejects the key as
/// tampered (exit 1) and `audit --verify` names each row.
#[test]
#[ignore = "needs PostgreSQL: run under tests/pg/cluster.sh with --include-ignored"]
fn a_row_the_owner_role_edited_is_rejected_by_verify_and_named_by_audit_verify() {
    let env = Env::postgres();
    let (key, id) = env.create("ci", &["accounts"]);
    env.cmd()
        .args(["users", "add", "bob", "--permission", "view"])
        .assert()
        .success();
    let owner: String = env.query(
        "SELECT nspowner::regrole::text FROM pg_namespace WHERE nspname = 'intergiro_keys'",
        &[],
    )[0][0]
        .clone()
        .unwrap();
    for (set, put_back) in [
        ("roles = 'accounts,payments'", "roles = 'accounts'"),
        ("issued = false", "issued = true"),
        ("created_at = created_at - 1", "created_at = created_at + 1"),
        (
            "freezes_at = freezes_at + 86400",
            "freezes_at = freezes_at - 86400",
        ),
    ] {
        env.sql(&format!(
            "SET ROLE {owner}; UPDATE api_key SET {set} WHERE id = '{id}'; RESET ROLE;"
        ));
        let output = env
            .cmd()
            .args(["verify", "--role", "accounts"])
            .write_stdin(key.clone())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{set}: {stderr}");
        assert!(
            stderr.contains(&format!(
                "key {id} was changed outside intergiro-keys (tampered)"
            )),
            "{set}: {stderr}"
        );
        env.cmd()
            .args(["audit", "--verify"])
            .assert()
            .code(1)
            .stdout(predicate::str::contains(format!("key {id}")));
        env.sql(&format!(
            "SET ROLE {owner}; UPDATE api_key SET {put_back} WHERE id = '{id}'; RESET ROLE;"
        ));
        assert_eq!(
            env.days_later(0).verify(&key, &["--role", "accounts"]).0,
            0,
            "{set}"
        );
    }
    env.sql(&format!(
        "SET ROLE {owner}; UPDATE operator SET permissions = 'admin' WHERE name = 'bob'; RESET ROLE;"
    ));
    env.cmd()
        .args(["audit", "--verify"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("operator bob"));
}

/// A stored hash whose costs someone chose (here `t=4000000000`, which
/// would keep every check of the key busy for days) is never evaluated: the
/// key is rejected as tampered at the cost of any rejection. `create_key`
/// called directly, or the row edited by whoever owns the database, can
/// put one there.
#[test]
#[ignore = "needs PostgreSQL: run under tests/pg/cluster.sh with --include-ignored"]
fn a_stored_hash_with_other_parameters_is_rejected_without_evaluating_it() {
    let env = Env::postgres();
    let (key, id) = env.create("k", &["accounts"]);
    env.sql(&format!(
        "UPDATE intergiro_keys.api_key SET secret_hash = replace(secret_hash, 't=2,', 't=4000000000,')
         WHERE id = '{id}'"
    ));
    let started = std::time::Instant::now();
    let output = env
        .cmd()
        .arg("verify")
        .write_stdin(format!("{key}\n"))
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    // Its seal gives the edit away first.
    assert!(
        stderr.contains(&format!(
            "key {id} was changed outside intergiro-keys (tampered)"
        )),
        "{stderr}"
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(30));
}

/// libpq's variables fill in what the URL leaves out, as for `psql`: a
/// socket directory in PGHOST, the database in PGDATABASE. A setting that
/// no retry mends is exit 2, not 75; a password never shows, and one given
/// on the command line draws a warning.
#[test]
#[ignore = "needs PostgreSQL: run under tests/pg/cluster.sh with --include-ignored"]
fn libpq_variables_are_honoured_and_passwords_never_shown() {
    let env = Env::postgres();
    env.create("k", &["accounts"]);
    let url = env.db.to_string_lossy().to_string();
    let (base, socket) = url.split_once("?host=").unwrap();
    let database = base.trim_start_matches("postgresql:///");
    let listed = |db: &str, vars: &[(&str, &str)]| {
        let mut cmd = env.cmd();
        cmd.env("INTERGIRO_KEYS_DB", db);
        for (name, value) in vars {
            cmd.env(name, value);
        }
        cmd.args(["list", "--format", "json"]).output().unwrap()
    };
    let output = listed(base, &[("PGHOST", socket)]);
    assert!(output.status.success(), "{output:?}");
    assert!(String::from_utf8_lossy(&output.stdout).contains("\"k\""));
    let output = listed(
        "postgresql://",
        &[("PGHOST", socket), ("PGDATABASE", database)],
    );
    assert!(output.status.success(), "{output:?}");

    let output = listed(base, &[("PGHOST", socket), ("PGPORT", "not-a-port")]);
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    assert!(
        String::from_utf8_lossy(&output.stderr)
            .contains("PGPORT=\"not-a-port\" is not a port number")
    );

    // A password on the command line: warned, and shown nowhere.
    for db in [
        format!("postgresql://nobody:S3CRET@/{database}?host={socket}"),
        "postgresql://nobody:S3C/RETPW@/nodb".to_string(),
    ] {
        let output = env
            .cmd()
            .env_remove("INTERGIRO_KEYS_DB")
            .arg("--db")
            .arg(&db)
            .arg("list")
            .output()
            .unwrap();
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        assert_ne!(output.status.code(), Some(0), "{all}");
        assert!(!all.contains("S3C") && !all.contains("RETPW"), "{all}");
        assert!(
            all.contains("warning: the connection URL holds a password"),
            "{all}"
        );
    }
    // From the environment (not in the process list): no warning.
    let output = listed(
        &format!("postgresql://nobody:S3CRET@/{database}?host={socket}"),
        &[],
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        !stderr.contains("warning") && !stderr.contains("S3CRET"),
        "{stderr}"
    );
}

/// Shell completion (`renew <Tab>`) reads a PostgreSQL store as it reads a
/// file: names and IDs by prefix, through the server's permissions.
#[test]
#[ignore = "needs PostgreSQL: run under tests/pg/cluster.sh with --include-ignored"]
fn key_ids_and_names_complete_from_a_postgresql_store() {
    let env = Env::postgres();
    let (_, deploy) = env.create("ci-deploy", &["accounts"]);
    let (_, nightly) = env.create("ci-nightly", &["accounts"]);
    env.create("reporting", &["accounts"]);
    let complete = |word: &str| {
        let output = env
            .cmd()
            .env("INTERGIRO_KEYS_COMPLETE", "keys")
            .args(["--", word])
            .output()
            .unwrap();
        assert!(
            output.status.success() && output.stderr.is_empty(),
            "{output:?}"
        );
        String::from_utf8(output.stdout).unwrap()
    };
    assert_eq!(
        complete("ci"),
        format!("ci-deploy\t{deploy}\nci-nightly\t{nightly}\n")
    );
    assert_eq!(complete(&deploy[..8]), format!("{deploy}\tci-deploy\n"));
}

/// pgbouncer, run as the server's account in front of the test cluster.
struct Pgbouncer {
    dir: tempfile::TempDir,
    child: std::process::Child,
}

impl Pgbouncer {
    /// Transaction pooling with few server connections, so that clients
    /// share them; `round_robin` hands each transaction the next one.
    fn start(cluster_socket: &str, round_robin: bool) -> Pgbouncer {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path();
        let users: String = ["root", "postgres", "alice", "bob", "carol", "mallory"]
            .iter()
            .map(|user| format!("\"{user}\" \"\"\n"))
            .collect();
        std::fs::write(path.join("users.txt"), users).unwrap();
        std::fs::write(
            path.join("pgbouncer.ini"),
            format!(
                "[databases]\n* = host={cluster_socket} port=5432\n\
                 [pgbouncer]\nlisten_addr =\nlisten_port = 6432\nunix_socket_dir = {dir}\n\
                 auth_type = trust\nauth_file = {dir}/users.txt\npool_mode = transaction\n\
                 default_pool_size = 2\nmax_client_conn = 200\nserver_round_robin = {rr}\n\
                 ignore_startup_parameters = extra_float_digits\n\
                 logfile = {dir}/pgbouncer.log\npidfile = {dir}/pgbouncer.pid\n",
                dir = path.display(),
                rr = u8::from(round_robin),
            ),
        )
        .unwrap();
        // pgbouncer will not run as root: as the server's account, as the
        // cluster does.
        let as_root = nix::unistd::geteuid().is_root();
        if as_root {
            let postgres = nix::unistd::User::from_name("postgres")
                .unwrap()
                .expect("the postgres account (the postgresql package makes it)");
            std::os::unix::fs::chown(path, Some(postgres.uid.as_raw()), None).unwrap();
        }
        let mut command = if as_root {
            let mut command = std::process::Command::new("runuser");
            command.args(["-u", "postgres", "--", "pgbouncer"]);
            command
        } else {
            std::process::Command::new("pgbouncer")
        };
        let child = command
            .arg(path.join("pgbouncer.ini"))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("pgbouncer (the Debian package; .ci/run installs it)");
        let socket = path.join(".s.PGSQL.6432");
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        while !socket.exists() {
            assert!(
                std::time::Instant::now() < deadline,
                "pgbouncer did not start: {}",
                std::fs::read_to_string(path.join("pgbouncer.log")).unwrap_or_default()
            );
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        Pgbouncer { dir, child }
    }

    /// The URL of `database` through this pgbouncer.
    fn url(&self, database: &str) -> String {
        format!(
            "postgresql:///{database}?host={}&port=6432",
            self.dir.path().display()
        )
    }
}

impl Drop for Pgbouncer {
    fn drop(&mut self) {
        // runuser passes SIGTERM on to pgbouncer.
        let _ = nix::sys::signal::kill(
            nix::unistd::Pid::from_raw(self.child.id() as i32),
            nix::sys::signal::Signal::SIGTERM,
        );
        let _ = self.child.wait();
    }
}

/// Through pgbouncer in transaction pooling mode, as many deployments put
/// it in front of PostgreSQL: 16 commands at once, of every kind, all
/// succeed (a named prepared statement collides on a shared server
/// connection: "prepared statement s0 already exists"), and a later client
/// of the pool finds no setting of theirs on its connection. Twice: with
/// the default pooling, and with each transaction on the next connection.
#[test]
#[ignore = "needs PostgreSQL: run under tests/pg/cluster.sh with --include-ignored"]
fn commands_work_through_pgbouncer_in_transaction_pooling_mode() {
    let env = Env::postgres();
    let url = env.db.to_string_lossy().to_string();
    let (base, socket) = url.split_once("?host=").unwrap();
    let database = base.trim_start_matches("postgresql:///").to_string();
    for round_robin in [false, true] {
        let pgbouncer = Pgbouncer::start(socket, round_robin);
        let pooled = pgbouncer.url(&database);
        // Through the pool, at the real time: the pool cannot carry the
        // test clock's session setting from one transaction to the next.
        let run = |args: &[&str], stdin: &str| {
            let mut cmd = env.std_cmd();
            cmd.env("INTERGIRO_KEYS_DB", &pooled)
                .env_remove("INTERGIRO_KEYS_NOW")
                .args(args)
                .stdin(std::process::Stdio::piped())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped());
            let mut child = cmd.spawn().unwrap();
            use std::io::Write;
            child
                .stdin
                .take()
                .unwrap()
                .write_all(stdin.as_bytes())
                .unwrap();
            child
        };
        let made = |name: &str| {
            let output = run(&["create", "--name", name, "--role", "accounts"], "")
                .wait_with_output()
                .unwrap();
            assert!(output.status.success(), "{output:?}");
            String::from_utf8(output.stdout).unwrap().trim().to_string()
        };
        let first = made(&format!("pooled-{round_robin}-a"));
        let second = made(&format!("pooled-{round_robin}-b"));
        let id = &first[4..16];
        let mut children = Vec::new();
        for n in 0..4 {
            let name = format!("pooled-{round_robin}-{n}");
            children.push(run(&["create", "--name", &name, "--role", "accounts"], ""));
            children.push(run(&["list", "--format", "json"], ""));
            children.push(run(
                &["verify"],
                &format!("{}\n", if n % 2 == 0 { &first } else { &second }),
            ));
            children.push(if n % 2 == 0 {
                run(&["renew", id], "")
            } else {
                run(&["check"], "")
            });
        }
        for child in children {
            let output = child.wait_with_output().unwrap();
            assert!(
                output.status.success(),
                "round robin {round_robin}: {output:?}"
            );
        }
        // Another client of the pool: the connections it gets carry
        // nothing of ours.
        let mut other = postgres::Client::connect(
            &pooled.replace("postgresql:///", "postgresql://postgres@/"),
            postgres::NoTls,
        )
        .unwrap();
        for _ in 0..4 {
            let rows = other
                .simple_query("SHOW lock_timeout; SHOW search_path")
                .unwrap();
            let shown: Vec<String> = rows
                .iter()
                .filter_map(|message| match message {
                    postgres::SimpleQueryMessage::Row(row) => row.get(0).map(str::to_string),
                    _ => None,
                })
                .collect();
            assert_eq!(
                shown,
                ["0", "\"$user\", public"],
                "round robin {round_robin}"
            );
        }
    }
}
