//! The restore procedures of docs/restore.md, run as written: a PostgreSQL
//! store restored into a fresh cluster keeps its permission model, a copy
//! restored into another database of the same cluster is refused until
//! `init --adopt` gives it roles of its own (production's untouched), and
//! `serve --expect-head` reports a store put back to an older copy.

use std::process::Command;

use crate::common::{Env, pg, t0};
use crate::serve::{OwnCluster, Serve};

/// Runs a PostgreSQL client program; returns (success, stderr).
fn client(program: &str, args: &[&str]) -> (bool, String) {
    let output = Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|err| panic!("{program} (postgresql-client): {err}"));
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn superuser(url: &str) -> postgres::Client {
    postgres::Client::connect(url, postgres::NoTls).unwrap()
}

/// `url` (a database's, without a user) as `role` logs in.
fn as_role(url: &str, role: &str) -> String {
    url.replacen("postgresql:///", &format!("postgresql://{role}@/"), 1)
}

#[test]
#[ignore = "needs PostgreSQL: run under tests/pg/cluster.sh with --include-ignored"]
fn a_copy_in_another_database_of_the_cluster_is_refused_until_adopted_and_production_is_untouched()
{
    let production = Env::postgres();
    let (key, id) = production.create("prod-key", &["payments"]);
    production
        .cmd()
        .args(["users", "add", "bob", "--permission", "view"])
        .assert()
        .success();
    let dump = production.path("keys.dump");
    let (ok, stderr) = client(
        "pg_dump",
        &[
            "-Fc",
            "-n",
            "intergiro_keys",
            "-f",
            dump.to_str().unwrap(),
            &as_role(&production.db.to_string_lossy(), "postgres"),
        ],
    );
    assert!(ok, "{stderr}");

    // The copy: a new database of the same cluster, the dump restored.
    let mut copy = Env::sqlite();
    copy.db = pg::fresh_database().into();
    let copy_url = copy.db.to_string_lossy().into_owned();
    let (ok, stderr) = client(
        "pg_restore",
        &[
            "-d",
            &as_role(&copy_url, "postgres"),
            dump.to_str().unwrap(),
        ],
    );
    assert!(ok, "{stderr}");

    // Refused, naming the remedy; nothing read or run.
    let refused = copy.cmd().arg("list").output().unwrap();
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(refused.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("intergiro-keys init --adopt") && stderr.contains("copy of another store"),
        "{stderr}"
    );
    copy.cmd().args(["users", "remove", "bob"]).assert().code(2);

    // The remedy, as a role with CREATEROLE (the acting account's).
    let adopted = copy.cmd().args(["init", "--adopt"]).output().unwrap();
    let said = String::from_utf8_lossy(&adopted.stderr);
    assert!(adopted.status.success(), "{said}");
    assert!(said.contains("now has roles of its own"), "{said}");
    copy.cmd()
        .args(["init", "--adopt"])
        .assert()
        .success()
        .stderr(predicates::str::contains("already has roles of its own"));

    // The copy works on its own: its key verifies, its log holds, and an
    // operator removed there loses the copy only.
    assert_eq!(copy.days_later(0).verify(&key, &[]).0, 0);
    copy.cmd().args(["audit", "--verify"]).assert().success();
    copy.cmd()
        .args(["users", "remove", "bob"])
        .assert()
        .success();
    let mut bob_on_copy = copy.cmd();
    bob_on_copy.env("INTERGIRO_KEYS_OPERATOR", "bob");
    bob_on_copy.arg("list").assert().code(2);

    // Production: bob still an operator, still able to list; its log has
    // no trace of the copy's changes.
    let mut bob = production.cmd();
    bob.env("INTERGIRO_KEYS_OPERATOR", "bob");
    let listed = bob.args(["list", "--format", "json"]).output().unwrap();
    assert!(
        listed.status.success() && String::from_utf8_lossy(&listed.stdout).contains(&id),
        "{}",
        String::from_utf8_lossy(&listed.stderr)
    );
    let operators = production.days_later(0).json_array(&["users", "list"]);
    assert!(
        operators.iter().any(|operator| operator["name"] == "bob"),
        "{operators:?}"
    );
    production
        .cmd()
        .args(["audit", "--verify"])
        .assert()
        .success();
    let log = production.cmd().arg("audit").output().unwrap();
    assert!(!String::from_utf8_lossy(&log.stdout).contains("reown"));
    // The schemas' owners: each its own.
    let (url, _) = pg::cluster();
    let owner_of = |db: &str| -> String {
        let url = url.replacen("/postgres?", &format!("/{db}?"), 1);
        superuser(&url)
            .query_one(
                "SELECT nspowner::regrole::text FROM pg_namespace WHERE nspname = 'intergiro_keys'",
                &[],
            )
            .unwrap()
            .get(0)
    };
    let name = |url: &str| {
        url.split("///")
            .nth(1)
            .unwrap()
            .split('?')
            .next()
            .unwrap()
            .to_string()
    };
    let (production_db, copy_db) = (name(&production.db.to_string_lossy()), name(&copy_url));
    assert_eq!(
        owner_of(&production_db),
        format!("{production_db}_intergiro_keys_owner")
    );
    assert_eq!(
        owner_of(&copy_db),
        format!("{copy_db}_intergiro_keys_owner")
    );
}

#[test]
#[ignore = "needs PostgreSQL: run under tests/pg/cluster.sh with --include-ignored"]
fn a_store_restored_into_a_fresh_cluster_after_its_roles_keeps_its_permissions() {
    let me = pg::acting_account();
    let (old, old_url) = OwnCluster::start();
    let mut admin = superuser(&old_url);
    admin
        .batch_execute(&format!(
            "CREATE ROLE \"{me}\" LOGIN CREATEROLE; CREATE ROLE checker LOGIN; CREATE ROLE viewer LOGIN"
        ))
        .unwrap();
    admin
        .batch_execute(&format!("CREATE DATABASE keys OWNER \"{me}\""))
        .unwrap();
    let socket = |url: &str| url.split("host=").nth(1).unwrap().to_string();
    let mut production = Env::sqlite();
    production.db = format!("postgresql:///keys?host={}", socket(&old_url)).into();
    production.cmd().arg("init").assert().success();
    let (key, _) = production.create("restored", &["payments"]);
    for (role, permission) in [("checker", "verify"), ("viewer", "view")] {
        production
            .cmd()
            .args(["users", "add", role, "--permission", permission])
            .assert()
            .success();
    }
    let head = production.days_later(0).json_object(&["audit", "--verify"])["head"]
        .as_str()
        .unwrap()
        .to_string();

    // The procedure: roles first, then the store.
    let roles = production.path("roles.sql");
    let dump = production.path("keys.dump");
    let old_db = as_role(&production.db.to_string_lossy(), "postgres");
    let (ok, stderr) = client(
        "pg_dumpall",
        &[
            "--roles-only",
            "-f",
            roles.to_str().unwrap(),
            "-d",
            &as_role(
                &format!("postgresql:///postgres?host={}", socket(&old_url)),
                "postgres",
            ),
        ],
    );
    assert!(ok, "{stderr}");
    let (ok, stderr) = client(
        "pg_dump",
        &[
            "-Fc",
            "-n",
            "intergiro_keys",
            "-f",
            dump.to_str().unwrap(),
            &old_db,
        ],
    );
    assert!(ok, "{stderr}");
    drop(old);

    let (_new, new_url) = OwnCluster::start();
    let new_socket = socket(&new_url);
    let new_db = |db: &str| format!("postgresql://postgres@/{db}?host={new_socket}");

    // Without the roles first, the restore cannot give the store its
    // owner: the copy is refused, nothing in it run.
    superuser(&new_url)
        .batch_execute("CREATE DATABASE noroles")
        .unwrap();
    let (ok, stderr) = client(
        "pg_restore",
        &["-d", &new_db("noroles"), dump.to_str().unwrap()],
    );
    assert!(!ok && stderr.contains("does not exist"), "{stderr}");
    let mut roleless = Env::sqlite();
    roleless.db = format!("postgresql://postgres@/noroles?host={new_socket}").into();
    let refused = roleless.cmd().arg("list").output().unwrap();
    assert_eq!(
        refused.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(
        said.contains("cannot be trusted") && said.contains("pg_dumpall --roles-only"),
        "{said}"
    );
    // Nor can it be adopted: it is no other store's copy.
    let adopt = roleless.cmd().args(["init", "--adopt"]).output().unwrap();
    assert_eq!(adopt.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&adopt.stderr).contains("restore the roles first"),
        "{}",
        String::from_utf8_lossy(&adopt.stderr)
    );

    let (ok, stderr) = client(
        "psql",
        &[
            "-X",
            "-q",
            "-d",
            &new_db("postgres"),
            "-f",
            roles.to_str().unwrap(),
        ],
    );
    assert!(ok, "{stderr}");
    superuser(&new_url)
        .batch_execute(&format!("CREATE DATABASE keys OWNER \"{me}\""))
        .unwrap();
    let (ok, stderr) = client(
        "pg_restore",
        &["-d", &new_db("keys"), dump.to_str().unwrap()],
    );
    assert!(ok, "{stderr}");
    assert!(!stderr.contains("does not exist"), "{stderr}");

    let mut restored = Env::sqlite();
    restored.db = format!("postgresql:///keys?host={new_socket}").into();
    // The key verifies, the log holds and still has the head recorded
    // before the move.
    assert_eq!(restored.days_later(0).verify(&key, &[]).0, 0);
    restored
        .cmd()
        .args(["audit", "--verify", "--expect-head", &head])
        .assert()
        .success();
    // serve, told the head, is healthy on it (twice: the second reads the
    // one entry found), and not on a head the log lacks.
    let serve = Serve::start(&restored.days_later(0), &["--expect-head", &head]);
    assert_eq!(serve.get("/healthz", &[]).status, 200);
    assert_eq!(serve.status(&key), 200);
    drop(serve);
    let unknown_head = "0".repeat(64);
    let serve = Serve::launch(
        restored.days_later(0).std_cmd(),
        &["--expect-head", &unknown_head],
    );
    // (Once its notification connection is up, which it reports first.)
    let started = std::time::Instant::now();
    let mut health = serve.get("/healthz", &[]);
    while !health.body.contains("rolled back") && started.elapsed().as_secs() < 10 {
        std::thread::sleep(std::time::Duration::from_millis(10));
        health = serve.get("/healthz", &[]);
    }
    assert!(
        health.status == 503 && health.body.contains("rolled back"),
        "{health:?}"
    );
    drop(serve);
    // Permissions as before: the verify-only role verifies and lists
    // nothing; the viewer lists; neither changes anything, nor reads a
    // table directly.
    let with = |role: &str| {
        let mut cmd = restored.cmd();
        cmd.env("INTERGIRO_KEYS_OPERATOR", role);
        cmd
    };
    with("checker")
        .arg("verify")
        .write_stdin(key.clone())
        .assert()
        .success();
    with("checker").arg("list").assert().code(2);
    with("viewer").arg("list").assert().success();
    with("viewer")
        .args(["create", "--name", "x", "--role", "payments"])
        .assert()
        .code(2);
    let direct = Command::new("psql")
        .args([
            "-X",
            "-q",
            "-d",
            &format!("postgresql://viewer@/keys?host={new_socket}"),
        ])
        .args(["-c", "SELECT * FROM intergiro_keys.api_key"])
        .output()
        .unwrap();
    assert!(
        !direct.status.success()
            && String::from_utf8_lossy(&direct.stderr).contains("permission denied"),
        "{direct:?}"
    );
}

#[test]
fn serve_with_an_expected_head_is_unhealthy_on_a_store_put_back_to_an_older_copy() {
    // The SQLite file's own procedure, whatever store the suite runs on.
    let env = Env::sqlite();
    env.create("kept", &["payments"]);
    let (deleted, deleted_id) = env.create("deleted-later", &["payments"]);
    let backup = env.path("backup.db");
    env.cmd()
        .args(["backup", backup.to_str().unwrap()])
        .assert()
        .success();
    env.cmd()
        .args(["delete", "--yes", &deleted_id])
        .assert()
        .success();
    let head = env.days_later(0).json_object(&["audit", "--verify"])["head"]
        .as_str()
        .unwrap()
        .to_string();
    let older =
        env.days_later(0)
            .json_object(&["--db", backup.to_str().unwrap(), "audit", "--verify"])["head"]
            .as_str()
            .unwrap()
            .to_string();

    // Serving the current store, the head is there.
    let serve = Serve::start(&env.at(t0()), &["--expect-head", &head]);
    // Again, reading only the entry found the first time.
    assert_eq!(serve.get("/healthz", &[]).status, 200);
    assert_eq!(serve.get("/healthz", &[]).status, 200);
    drop(serve);

    // Put back to the backup (docs/restore.md): the deleted key would work
    // again, and the health check says why it is not ready.
    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", env.db.display()));
    }
    std::fs::copy(&backup, &env.db).unwrap();
    let serve = Serve::launch(env.at(t0()).std_cmd(), &["--expect-head", &head]);
    for _ in 0..2 {
        let health = serve.get("/healthz", &[]);
        assert_eq!(health.status, 503);
        assert!(health.body.contains("rolled back"), "{}", health.body);
    }
    assert_eq!(serve.status(&deleted), 200, "the restored copy has the key");
    drop(serve);
    // Given the restored copy's own head, it is healthy.
    let serve = Serve::start(&env.at(t0()), &["--expect-head", &older]);
    assert_eq!(serve.get("/healthz", &[]).status, 200);
    // A head that is not one is refused before anything starts.
    env.cmd()
        .args(["serve", "--expect-head", "abc"])
        .assert()
        .code(2);
}
