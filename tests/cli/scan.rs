//! `scan`: leaked keys in trees, ignored and binary files, glued text, git
//! history on stdin; statuses against the store; --revoke; JSON and SARIF.

use std::path::Path;
use std::process::Output;

use serde_json::Value;

use crate::common::{Env, contains_bytes};

fn write(path: &Path, text: impl AsRef<[u8]>) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// Runs `scan` with `args` in the env's directory, `days` after t0.
fn scan(env: &Env, days: i64, args: &[&str]) -> Output {
    env.days_later(days)
        .cmd()
        .arg("scan")
        .args(args)
        .output()
        .unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

/// No output of `output` contains the secret part of `key`.
fn assert_no_secret(output: &Output, key: &str) {
    let secret = &key.as_bytes()[17..];
    assert!(
        !contains_bytes(&output.stdout, secret) && !contains_bytes(&output.stderr, secret),
        "the secret was printed: {}{}",
        stdout(output),
        stderr(output)
    );
}

fn scan_json(env: &Env, days: i64, args: &[&str]) -> (i32, Vec<Value>) {
    let mut all = vec!["--format", "json"];
    all.extend_from_slice(args);
    let output = scan(env, days, &all);
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "{}",
        stderr(&output)
    );
    (
        output.status.code().unwrap(),
        serde_json::from_slice(&output.stdout).unwrap(),
    )
}

/// A key with a valid checksum that no database has.
fn foreign_key() -> String {
    let other = Env::new();
    other.create("elsewhere", &["payments"]).0
}

#[test]
fn keys_in_a_nested_tree_are_found_with_their_places_and_never_printed() {
    let env = Env::new();
    let (key, id) = env.create("ci-deploy", &["payments"]);
    write(
        &env.path("repo/src/deep/er/config.rs"),
        format!("// settings\nconst A: u8 = 1;\n    let key = \"{key}\";\n"),
    );
    write(&env.path("repo/README"), "nothing here\n");

    let output = scan(&env, 0, &["repo"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert_eq!(
        stdout(&output),
        format!("repo/src/deep/er/config.rs:3:16: igk_{id}_… active \"ci-deploy\" (payments)\n")
    );
    assert!(
        stderr(&output).contains("1 still works"),
        "{}",
        stderr(&output)
    );
    assert_no_secret(&output, &key);

    // The current directory by default, without a leading ./
    let output = env
        .cmd()
        .current_dir(env.path("repo"))
        .arg("scan")
        .output()
        .unwrap();
    assert!(stdout(&output).starts_with("src/deep/er/config.rs:3:16: "));
}

#[test]
fn gitignored_and_binary_files_are_skipped_and_hidden_files_searched() {
    let env = Env::new();
    let (key, id) = env.create("k", &["accounts"]);
    write(&env.path("repo/.gitignore"), "secrets/\n*.log\n");
    write(&env.path("repo/secrets/prod.txt"), &key);
    write(&env.path("repo/build.log"), &key);
    write(&env.path("repo/bin/app"), format!("\x7fELF\0\0\0{key}\0"));
    write(&env.path("repo/.git/config"), &key);
    write(&env.path("repo/.env"), format!("API_KEY={key}\n"));

    let (code, found) = scan_json(&env, 0, &["repo"]);
    assert_eq!(code, 1);
    let paths: Vec<&str> = found.iter().map(|f| f["path"].as_str().unwrap()).collect();
    assert_eq!(paths, ["repo/.env"]);
    assert_eq!(found[0]["key_id"], id.as_str());

    // --no-ignore searches what .gitignore excludes; never binaries or .git.
    let (_, found) = scan_json(&env, 0, &["--no-ignore", "repo"]);
    let mut paths: Vec<&str> = found.iter().map(|f| f["path"].as_str().unwrap()).collect();
    paths.sort();
    assert_eq!(
        paths,
        ["repo/.env", "repo/build.log", "repo/secrets/prod.txt"]
    );

    // A binary file named on the command line is skipped with a word.
    let output = scan(&env, 0, &["repo/bin/app"]);
    assert_eq!(output.status.code(), Some(0));
    assert!(stdout(&output).is_empty());
    assert!(stderr(&output).contains("repo/bin/app: binary file, not searched"));
}

/// A long text with binary data far into it, as `git log -p` may carry:
/// ripgrep reports what it found before the NUL byte, and so must a leak
/// scanner, walked, named or on stdin.
#[test]
fn keys_before_binary_data_far_into_a_file_are_reported() {
    let env = Env::new();
    let (key, id) = env.create("k", &["payments"]);
    let text = format!("KEY={key}\n{}\n\0tail\n", "a".repeat(1 << 20));
    write(&env.path("repo/dump.txt"), &text);
    for args in [&["repo"][..], &["repo/dump.txt"]] {
        let (code, found) = scan_json(&env, 0, args);
        assert_eq!(code, 1, "{args:?}");
        assert_eq!(found.len(), 1, "{args:?}");
        assert_eq!(found[0]["key_id"], id.as_str());
    }
    let output = env
        .cmd()
        .args(["scan", "-"])
        .write_stdin(text)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(stdout(&output).contains(&id));
    assert!(stderr(&output).contains("not searched further"));
    assert_no_secret(&output, &key);
}

#[test]
fn keys_glued_to_other_text_are_found() {
    let env = Env::new();
    let (key, id) = env.create("k", &["accounts"]);
    write(
        &env.path("glued.txt"),
        format!("{key}_old\nKEY={key};\nprefixé{key}\nx{key}y\n"),
    );
    let (_, found) = scan_json(&env, 0, &["glued.txt"]);
    let places: Vec<(u64, u64)> = found
        .iter()
        .map(|f| (f["line"].as_u64().unwrap(), f["column"].as_u64().unwrap()))
        .collect();
    // Columns count bytes, as grep and ripgrep do: é is two.
    assert_eq!(places, [(1, 1), (2, 5), (3, 9), (4, 2)]);
    assert!(found.iter().all(|f| f["key_id"] == id.as_str()));
}

#[test]
fn a_corrupted_checksum_or_a_look_alike_is_not_reported() {
    let env = Env::new();
    let (key, _) = env.create("k", &["accounts"]);
    let mut corrupted = key.clone().into_bytes();
    corrupted[40] = if corrupted[40] == b'a' { b'b' } else { b'a' };
    let look_alike = format!("igk_{}_{}", "A".repeat(12), "b".repeat(49));
    write(
        &env.path("notes.txt"),
        [corrupted.as_slice(), b"\n", look_alike.as_bytes(), b"\n"].concat(),
    );
    let output = scan(&env, 0, &["notes.txt"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(stdout(&output).is_empty());
    assert!(stderr(&output).contains("No keys found"));
    let (_, found) = scan_json(&env, 0, &["notes.txt"]);
    assert!(found.is_empty());
}

#[test]
fn statuses_come_from_the_store_and_decide_the_exit_code() {
    let env = Env::new();
    let (active, active_id) = env.create("active-one", &["accounts"]);
    let (deleted, deleted_id) = env.create("gone", &["accounts"]);
    env.cmd()
        .args(["delete", "--yes", &deleted_id])
        .assert()
        .success();
    let foreign = foreign_key();
    write(&env.path("active.txt"), &active);
    write(&env.path("dead.txt"), format!("{deleted}\n{foreign}\n"));

    let (code, found) = scan_json(&env, 0, &["dead.txt"]);
    assert_eq!(code, 0, "deleted and foreign keys do not work");
    let statuses: Vec<&str> = found
        .iter()
        .map(|f| f["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["not in this store", "not in this store"]);
    assert!(found.iter().all(|f| f["name"].is_null()));
    assert!(found.iter().all(|f| f["still_works"] == false));

    for (days, status) in [(0, "active"), (80, "expiring"), (95, "frozen")] {
        let (code, found) = scan_json(&env, days, &["active.txt"]);
        assert_eq!(code, 1, "a {status} key still works");
        assert_eq!(found[0]["status"], status);
        assert_eq!(found[0]["key_id"], active_id.as_str());
        assert_eq!(found[0]["name"], "active-one");
        assert_eq!(found[0]["still_works"], true);
    }

    // No database: unchecked, and a key that may work fails the scan.
    let missing = env.path("no-such.db");
    let missing = missing.to_str().unwrap();
    let (code, found) = scan_json(&env, 0, &["--db", missing, "active.txt"]);
    assert_eq!(code, 1);
    assert_eq!(found[0]["status"], "unchecked");
    assert!(found[0]["still_works"].is_null());
    assert!(
        !Path::new(missing).exists(),
        "scan must not create a database"
    );

    // --revoke without a database is an error, not a silent no-op.
    let output = scan(
        &env,
        0,
        &["--db", missing, "--revoke", "--yes", "active.txt"],
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("--revoke deletes keys from a database"));

    // --no-check does not look at the database at all.
    let (code, found) = scan_json(&env, 0, &["--no-check", "dead.txt"]);
    assert_eq!(code, 1);
    assert!(found.iter().all(|f| f["status"] == "unchecked"));
}

#[test]
fn a_rotated_key_is_retiring_during_its_grace_and_dead_after_it() {
    let env = Env::new();
    let (old, old_id) = env.create("ci-deploy", &["payments"]);
    write(&env.path("deploy.env"), format!("KEY={old}\n"));
    let output = env
        .days_later(0)
        .cmd()
        .args(["rotate", "--grace", "24h", &old_id])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));

    let (code, found) = scan_json(&env, 0, &["deploy.env"]);
    assert_eq!(code, 1, "a retiring key still works until its grace ends");
    assert_eq!(found[0]["status"], "retiring");
    assert_eq!(found[0]["key_id"], old_id.as_str());
    assert_eq!(found[0]["still_works"], true);

    let (code, found) = scan_json(&env, 2, &["deploy.env"]);
    assert_eq!(code, 0, "a key past its grace no longer works");
    assert_eq!(found[0]["status"], "retired");
    assert_eq!(found[0]["still_works"], false);
    let output = scan(&env, 2, &["--format", "sarif", "deploy.env"]);
    let sarif: Value = serde_json::from_slice(&output.stdout).unwrap();
    let result = &sarif["runs"][0]["results"][0];
    assert_eq!(result["level"], "warning");
    let message = result["message"]["text"].as_str().unwrap();
    assert!(
        message.contains("is retired and does not work"),
        "{message}"
    );
}

#[test]
fn a_key_found_many_times_is_reported_at_each_place_and_needs_no_permission() {
    let env = Env::new();
    let (key, id) = env.create("k", &["accounts"]);
    write(&env.path("many.txt"), format!("{key}\n").repeat(500));
    if env.is_postgres() {
        // There the server serves only its operators; `verify` is enough.
        env.cmd()
            .args(["users", "add", "stranger", "--permission", "verify"])
            .assert()
            .success();
    }
    let output = env
        .cmd()
        .env("INTERGIRO_KEYS_OPERATOR", "stranger")
        .args(["scan", "--format", "json", "many.txt"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let found: Vec<Value> = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(found.len(), 500);
    assert!(
        found
            .iter()
            .all(|f| f["key_id"] == id.as_str() && f["status"] == "active")
    );
    assert!(stderr(&output).contains("Found 1 key in 500 places"));
}

#[test]
fn git_history_on_stdin_is_searched() {
    let env = Env::new();
    let (key, id) = env.create("committed", &["payments"]);
    let repo = env.path("repo");
    std::fs::create_dir(&repo).unwrap();
    let git = |args: &[&str]| {
        let output = std::process::Command::new("git")
            .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
            .args(args)
            .current_dir(&repo)
            .output()
            .expect("git must be installed for this test");
        assert!(output.status.success(), "git {args:?}: {output:?}");
        output.stdout
    };
    git(&["init", "-q"]);
    write(&repo.join("deploy.sh"), format!("export KEY={key}\n"));
    git(&["add", "."]);
    git(&["commit", "-q", "-m", "deploy"]);
    write(&repo.join("deploy.sh"), "export KEY=\"$DEPLOY_KEY\"\n");
    git(&["commit", "-q", "-am", "key from the environment"]);

    // The working tree is clean now; the history is not.
    assert_eq!(scan(&env, 0, &["repo"]).status.code(), Some(0));
    let history = git(&["log", "-p", "--all"]);
    let output = env
        .cmd()
        .args(["scan", "-"])
        .write_stdin(history)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let out = stdout(&output);
    assert_eq!(out.lines().count(), 2, "added and removed: {out}");
    assert!(out.lines().all(|line| line.starts_with("<stdin>:")
        && line.contains(&format!("igk_{id}_… active \"committed\""))));
    assert_no_secret(&output, &key);
}

#[test]
fn revoke_deletes_working_keys_and_audits_where_they_were_found() {
    let env = Env::new();
    let (leaked, leaked_id) = env.create("leaked", &["payments"]);
    let (_, kept_id) = env.create("kept", &["accounts"]);
    let foreign = foreign_key();
    write(
        &env.path("chat.txt"),
        format!("hi\nuse {leaked} ok\n{foreign}\n"),
    );

    // Without a terminal, --yes is required and nothing changes.
    let output = scan(&env, 0, &["--revoke", "chat.txt"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("pass --yes"),
        "{}",
        stderr(&output)
    );
    assert_eq!(env.list_json().len(), 2);

    let output = scan(&env, 0, &["--revoke", "--yes", "chat.txt"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(
        stdout(&output).lines().next().unwrap(),
        format!("chat.txt:2:5: igk_{leaked_id}_… revoked \"leaked\" (payments)")
    );
    let ids: Vec<String> = env
        .list_json()
        .iter()
        .map(|key| key["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids, [kept_id]);
    assert_eq!(env.days_later(0).verify(&leaked, &[]).0, 1);

    let audit = env
        .days_later(0)
        .json_array(&["audit", "--key", &leaked_id]);
    let last = audit.last().unwrap();
    assert_eq!(last["action"], "delete");
    assert!(
        last["detail"]
            .as_str()
            .unwrap()
            .contains("found at chat.txt:2"),
        "{last}"
    );

    // Scanned again, the key opens nothing.
    let (code, found) = scan_json(&env, 0, &["chat.txt"]);
    assert_eq!(code, 0);
    assert!(found.iter().all(|f| f["status"] == "not in this store"));
}

#[test]
fn revoke_needs_the_delete_permission() {
    let env = Env::new();
    let (key, _) = env.create("k", &["accounts"]);
    env.cmd()
        .args(["users", "add", "bob", "--permission", "view,create,renew"])
        .assert()
        .success();
    write(&env.path("leak.txt"), &key);
    let output = env
        .cmd()
        .env("INTERGIRO_KEYS_OPERATOR", "bob")
        .args(["scan", "--revoke", "--yes", "leak.txt"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("delete permission"),
        "{}",
        stderr(&output)
    );
    assert_eq!(env.list_json().len(), 1, "nothing deleted");
}

#[test]
fn an_unreadable_path_is_an_error_after_what_was_found() {
    let env = Env::new();
    let (key, id) = env.create("k", &["accounts"]);
    write(&env.path("a.txt"), &key);
    let output = scan(&env, 0, &["a.txt", "missing-dir"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stdout(&output).contains(&format!("igk_{id}_…")));
    let err = stderr(&output);
    assert!(err.contains("missing-dir"), "{err}");
    assert!(err.contains("the scan is incomplete"), "{err}");
}

#[test]
fn paths_are_escaped_for_the_terminal() {
    let env = Env::new();
    let (key, _) = env.create("k", &["accounts"]);
    write(&env.path("evil\x1b[31mname.txt"), &key);
    let output = scan(&env, 0, &["."]);
    assert!(!output.stdout.contains(&0x1b), "{}", stdout(&output));
    assert!(stdout(&output).contains("evil\\x1b[31mname.txt"));
}

#[test]
fn sarif_is_only_for_scan() {
    let env = Env::new();
    env.create("k", &["accounts"]);
    let output = env
        .cmd()
        .args(["list", "--format", "sarif"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("--format sarif is only for `intergiro-keys scan`"));
}

/// The SARIF output validates against the official SARIF 2.1.0 schema
/// (vendored in tests/), with Python's `jsonschema` (.ci/run installs it).
#[test]
fn sarif_validates_against_the_sarif_2_1_0_schema() {
    let env = Env::new();
    let (active, active_id) = env.create("deploy", &["payments"]);
    let foreign = foreign_key();
    write(&env.path("src/a b.rs"), format!("let k = \"{active}\";\n"));
    write(&env.path("src/é.txt"), format!("é{foreign}\n"));
    let output = scan(&env, 0, &["--format", "sarif", "src"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert_no_secret(&output, &active);
    let log: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(log["version"], "2.1.0");
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 2);
    let first = &results[0];
    assert_eq!(first["level"], "error");
    assert_eq!(
        first["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "src/a%20b.rs"
    );
    assert_eq!(
        first["locations"][0]["physicalLocation"]["region"]["startColumn"],
        10
    );
    assert!(
        first["message"]["text"]
            .as_str()
            .unwrap()
            .contains(&active_id)
    );
    assert_eq!(results[1]["level"], "warning");
    // Code points, not bytes: é is one column.
    assert_eq!(
        results[1]["locations"][0]["physicalLocation"]["region"]["startColumn"],
        2
    );

    let report = env.path("scan.sarif");
    std::fs::write(&report, &output.stdout).unwrap();
    let schema = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/sarif-schema-2.1.0.json");
    let validate = |path: &Path| {
        std::process::Command::new("python3")
            .args([
                "-c",
                "import json, sys, jsonschema\n\
                 schema = json.load(open(sys.argv[1]))\n\
                 jsonschema.validate(json.load(open(sys.argv[2])), schema, cls=jsonschema.Draft4Validator)",
            ])
            .arg(schema)
            .arg(path)
            .output()
            .expect("python3 must be installed for this test")
    };
    let valid = validate(&report);
    assert!(
        valid.status.success(),
        "invalid SARIF (or python3 jsonschema missing): {}",
        String::from_utf8_lossy(&valid.stderr)
    );

    // The validator is not a rubber stamp: a broken log fails.
    let mut broken = log.clone();
    broken["runs"][0]["results"][0]["level"] = Value::from("fatal");
    std::fs::write(&report, serde_json::to_vec(&broken).unwrap()).unwrap();
    assert!(!validate(&report).status.success());

    // Keys on stdin have no file to point at; still a valid log.
    let output = env
        .cmd()
        .args(["scan", "--format", "sarif", "-"])
        .write_stdin(format!("x {active}\n"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    std::fs::write(&report, &output.stdout).unwrap();
    assert!(validate(&report).status.success());

    // Nothing found is a valid log too.
    let output = scan(&env, 0, &["--format", "sarif", "scan.sarif"]);
    assert_eq!(output.status.code(), Some(0));
    std::fs::write(&report, &output.stdout).unwrap();
    assert!(validate(&report).status.success());
}

fn git(dir: &Path, args: &[&str]) -> Output {
    std::process::Command::new("git")
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("git must be installed for this test")
}

#[test]
fn the_readme_pre_commit_hook_refuses_a_commit_with_a_key() {
    let env = Env::new();
    let (key, _) = env.create("k", &["accounts"]);
    let repo = env.path("repo");
    std::fs::create_dir(&repo).unwrap();
    assert!(git(&repo, &["init", "-q"]).status.success());
    let hook = repo.join(".git/hooks/pre-commit");
    write(&hook, crate::scripts::readme_snippet("pre-commit"));
    std::fs::set_permissions(&hook, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let commit = |message: &str| {
        crate::scripts::run_shell(
            &env,
            0,
            &format!(
                "cd repo && git -c user.name=t -c user.email=t@example.com commit -q -m '{message}'"
            ),
            &[],
        )
    };
    let commits = || {
        String::from_utf8(git(&repo, &["log", "--oneline"]).stdout)
            .unwrap()
            .lines()
            .count()
    };

    write(&repo.join("src/app file.rs"), "fn main() {}\n");
    git(&repo, &["add", "."]);
    let clean = commit("clean");
    assert!(
        clean.status.success(),
        "{}",
        String::from_utf8_lossy(&clean.stderr)
    );
    assert_eq!(commits(), 1);

    write(
        &repo.join("src/app file.rs"),
        format!("const KEY: &str = \"{key}\";\n"),
    );
    git(&repo, &["add", "."]);
    let refused = commit("leak");
    assert!(!refused.status.success());
    // git shows a hook's stdout on stderr.
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(err.contains("src/app file.rs:1:20: igk_"), "{err}");
    assert!(err.contains("commit refused"), "{err}");
    assert_eq!(commits(), 1, "nothing committed");

    // Removing the key again lets the commit through.
    write(
        &repo.join("src/app file.rs"),
        "const KEY: &str = env!(\"KEY\");\n",
    );
    git(&repo, &["add", "."]);
    assert!(commit("fixed").status.success());
    assert_eq!(commits(), 2);
}

#[test]
fn the_readme_ci_step_fails_a_build_with_a_key_and_writes_sarif() {
    let env = Env::new();
    let (key, _) = env.create("k", &["accounts"]);
    let snippet = crate::scripts::readme_snippet("scan-ci");
    write(&env.path("checkout/src/lib.rs"), "pub fn f() {}\n");
    let script = format!("cd checkout\n{snippet}");
    let ok = crate::scripts::run_shell(&env, 0, &script, &[]);
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let report: Value =
        serde_json::from_slice(&std::fs::read(env.path("checkout/intergiro-keys.sarif")).unwrap())
            .unwrap();
    assert_eq!(report["runs"][0]["results"].as_array().unwrap().len(), 0);

    write(
        &env.path("checkout/deploy/ci.yml"),
        format!("env:\n  KEY: {key}\n"),
    );
    let failed = crate::scripts::run_shell(&env, 0, &script, &[]);
    assert_eq!(failed.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&failed.stderr).contains("key is in the checkout"));
    let report: Value =
        serde_json::from_slice(&std::fs::read(env.path("checkout/intergiro-keys.sarif")).unwrap())
            .unwrap();
    let uri = &report["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
        ["uri"];
    assert_eq!(uri, "deploy/ci.yml");
}

/// The README's checksum rule for other scanners, run with Python as
/// written: it keeps real keys (glued ones too) and drops a corrupted one.
#[test]
fn the_readme_checksum_rule_tells_keys_from_look_alikes() {
    let env = Env::new();
    let (key, id) = env.create("k", &["accounts"]);
    let mut corrupted = key.clone().into_bytes();
    corrupted[30] = if corrupted[30] == b'a' { b'b' } else { b'a' };
    let corrupted = String::from_utf8(corrupted).unwrap();
    let input = format!("{corrupted}\nold={key}_old\néx{key}\n");
    let mut python = std::process::Command::new("python3")
        .args(["-c", &crate::scripts::readme_snippet("checksum")])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("python3 must be installed for this test");
    use std::io::Write;
    python
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let output = python.wait_with_output().unwrap();
    assert!(output.status.success());
    let out = String::from_utf8(output.stdout).unwrap();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2, "{out}");
    assert!(
        lines
            .iter()
            .all(|line| line.starts_with(&format!("key {id} at offset")))
    );
}

/// `scan | head -1` in a hook under `set -o pipefail`: the reader leaves
/// after the first line, and the exit code still says a working key was
/// found.
#[test]
fn a_closed_stdout_does_not_hide_a_working_key_from_the_exit_code() {
    let env = Env::new();
    let (key, _) = env.create("k", &["accounts"]);
    write(&env.path("many.txt"), format!("{key}\n").repeat(20_000));
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let output = env
        .days_later(0)
        .std_cmd()
        .args(["scan", "many.txt"])
        .stdout(writer)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
}

/// A run checks a bounded number of keys (one argon2 each), reports the
/// rest `unchecked` with a note, and pays nothing for an ID the store does
/// not know; past a bound, places are counted, not kept, so memory stays
/// flat however many keys a tree holds.
#[test]
fn checking_and_listing_are_bounded_and_say_so() {
    let env = Env::new();
    let (first, _) = env.create("one", &["accounts"]);
    let (second, _) = env.create("two", &["accounts"]);
    let unknown = foreign_key();
    write(
        &env.path("leaks.txt"),
        format!("{first}\n{second}\n{unknown}\n"),
    );
    let output = env
        .days_later(0)
        .cmd()
        .env("INTERGIRO_KEYS_SCAN_CHECKS", "1")
        .args(["scan", "--format", "json", "leaks.txt"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let found: Vec<Value> = serde_json::from_slice(&output.stdout).unwrap();
    let statuses: Vec<&str> = found
        .iter()
        .map(|place| place["status"].as_str().unwrap())
        .collect();
    // The unknown ID needs no verification, so is known not to work even
    // past the bound.
    assert_eq!(statuses, ["active", "unchecked", "not in this store"]);
    assert!(
        stderr(&output).contains("1 key known to the store was not checked (shown as unchecked): a run checks at most 1 keys"),
        "{}",
        stderr(&output)
    );

    // Random keys with valid checksums, made as the tool makes them.
    let many: String = (0..10_003)
        .map(|_| {
            let key = intergiro_keys::token::Token::generate().unwrap().expose();
            format!("{}\n", key.as_str())
        })
        .collect();
    write(&env.path("many.txt"), many);
    let (code, found) = scan_json(&env, 0, &["--no-check", "many.txt"]);
    assert_eq!(code, 1);
    assert_eq!(found.len(), 10_000);
    let output = scan(&env, 0, &["--no-check", "many.txt"]);
    assert!(
        stderr(&output).contains("3 more places are not listed: a run lists at most 10000 places"),
        "{}",
        stderr(&output)
    );
}

/// Files of the kernel's own are never read: `/proc/kmsg` waits for the
/// next kernel message, for ever.
#[test]
fn kernel_file_systems_are_not_searched() {
    let env = Env::new();
    for path in ["/proc/kmsg", "/proc/self", "/sys/kernel"] {
        if !Path::new(path).exists() {
            continue;
        }
        let output = env
            .days_later(0)
            .cmd()
            .args(["scan", "--no-check", path])
            .timeout(std::time::Duration::from_secs(30))
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{path}: {output:?}");
        assert!(
            stderr(&output).contains("on a file system of the kernel's own"),
            "{path}: {}",
            stderr(&output)
        );
    }
}
