//! Scripts, cron and monitoring: exit codes at the boundaries, JSON, the
//! README's examples run as written.

use std::collections::BTreeSet;

use predicates::prelude::*;
use serde_json::Value;

use crate::common::Env;

/// (exit code, stdout) of `check` with `args`, `days` after t0.
fn check(env: &Env, days: i64, args: &[&str]) -> (i32, String) {
    let output = env
        .days_later(days)
        .cmd()
        .arg("check")
        .args(args)
        .output()
        .unwrap();
    (
        output.status.code().unwrap(),
        String::from_utf8(output.stdout).unwrap(),
    )
}

#[test]
fn check_exit_codes_at_the_boundaries() {
    let env = Env::new();
    env.create("ci-deploy", &["payments"]);
    env.days_later(30).create("nightly", &["accounts"]);

    let (code, out) = check(&env, 75, &[]); // 15 days left
    assert_eq!(code, 0, "{out}");
    assert!(
        out.starts_with("OK: 2 keys, none freezes within 14 days"),
        "{out}"
    );

    let (code, out) = check(&env, 77, &[]); // 13 days left
    assert_eq!(code, 1, "{out}");
    assert!(
        out.starts_with("WARNING: 1 of 2 keys freezes within 14 days: ci-deploy (13 days)"),
        "{out}"
    );
    assert_eq!(out.lines().count(), 1, "one status line: {out}");

    assert_eq!(
        check(&env, 76, &[]).0,
        1,
        "exactly 14 days left is a warning"
    );
    assert_eq!(check(&env, 77, &["--warning", "12"]).0, 0);
    assert_eq!(check(&env, 77, &["--critical", "13"]).0, 2);
    assert_eq!(check(&env, 77, &["--critical", "12"]).0, 1);

    let (code, out) = check(&env, 92, &[]); // ci-deploy frozen 2 days, nightly 28 days left
    assert_eq!(code, 2, "{out}");
    assert!(
        out.starts_with("CRITICAL: 1 of 2 keys frozen: ci-deploy (frozen 2 days ago)"),
        "{out}"
    );

    let (code, out) = check(&env, 110, &[]); // nightly has 10 days left too
    assert_eq!(code, 2, "{out}");
    assert!(
        out.contains(". 1 of 2 keys freezes within 14 days: nightly (10 days)"),
        "{out}"
    );
}

#[test]
fn check_is_unknown_without_a_database_or_with_bad_arguments() {
    let env = Env::new();
    // A PostgreSQL store exists from the start; an unreachable server is
    // UNKNOWN there (postgres::an_unreachable_server_is_a_temporary_failure).
    if !env.is_postgres() {
        let (code, out) = check(&env, 0, &[]);
        assert_eq!(code, 3);
        assert!(out.starts_with("UNKNOWN: no database at"), "{out}");
        assert!(!env.db.exists());
    }

    env.create("k", &["accounts"]);
    for bad in [
        &["--warning", "soon"][..],
        &["--critical", "-1"],
        &["--bogus"],
        &["--warning", "3", "--critical", "5"],
    ] {
        let (code, out) = check(&env, 0, bad);
        assert_eq!(code, 3, "{bad:?}: {out}");
        assert!(out.starts_with("UNKNOWN: "), "{bad:?}: {out}");
    }
    // Global options before the subcommand do not hide it.
    let output = env
        .cmd()
        .args(["--format", "json", "check", "--warning", "x"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(3));
    // Nor does a value that does not parse hide the format asked for after it.
    for line in [
        &["--format", "json", "check", "--warning", "x"][..],
        &["check", "--warning", "soon", "--format", "json"],
        &["check", "--critical", "1e3", "--format=json"],
    ] {
        let output = env.cmd().args(line).output().unwrap();
        assert_eq!(output.status.code(), Some(3), "{line:?}");
        let (json, _) = check_json(&output);
        assert_eq!(json["status"], "UNKNOWN", "{line:?}");
    }
    // Icinga merges stderr into the status line: check writes only stdout.
    for bad in [&["check", "--warning", "x"][..], &["check", "--bogus"]] {
        let output = env.cmd().args(bad).output().unwrap();
        assert_eq!(output.status.code(), Some(3));
        assert!(output.stderr.is_empty(), "{bad:?}: {output:?}");
        assert!(String::from_utf8_lossy(&output.stdout).starts_with("UNKNOWN: "));
    }
}

/// A `check --format json` object, and its field names; nothing on stderr.
fn check_json(output: &std::process::Output) -> (Value, Vec<String>) {
    assert!(output.stderr.is_empty(), "{output:?}");
    let value: Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|err| panic!("{err}: {}", String::from_utf8_lossy(&output.stdout)));
    let fields = value.as_object().unwrap().keys().cloned().collect();
    (value, fields)
}

#[test]
fn check_json_has_every_field_whatever_the_outcome() {
    let env = Env::new();
    // Asked before there is a database (a server that cannot be reached,
    // on PostgreSQL); compared below with a check made.
    let (missing, said) = match env.is_postgres() {
        false => (env.db.clone(), "UNKNOWN: no database at"),
        true => (
            "postgresql://nobody@/keys?host=/nonexistent-socket-dir".into(),
            "UNKNOWN: cannot reach the PostgreSQL server",
        ),
    };
    let no_database = env
        .cmd()
        .env("INTERGIRO_KEYS_DB", &missing)
        .args(["check", "--format", "json"])
        .output()
        .unwrap();
    let (unknown, unknown_fields) = check_json(&no_database);

    env.create("k", &["accounts"]);
    let output = env
        .cmd()
        .args(["check", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let (ok, fields) = check_json(&output);
    assert_eq!(ok["keys"], 1);
    assert_eq!(ok["flagged"], serde_json::json!([]));
    for field in [
        "status",
        "code",
        "message",
        "keys",
        "warning_days",
        "critical_days",
        "flagged",
    ] {
        assert!(fields.iter().any(|f| f == field), "{field} missing: {ok}");
    }

    // No database: UNKNOWN, with the thresholds known and the counts not.
    assert_eq!(no_database.status.code(), Some(3));
    assert_eq!(unknown_fields, fields, "{unknown}");
    assert_eq!(unknown["status"], "UNKNOWN");
    assert_eq!(unknown["code"], 3);
    assert_eq!(unknown["warning_days"], 14);
    assert!(unknown["keys"].is_null() && unknown["flagged"].is_null());
    assert!(
        unknown["message"].as_str().unwrap().starts_with(said),
        "{unknown}"
    );

    // Arguments that do not parse: JSON all the same, thresholds unknown.
    for args in [
        &["check", "--format", "json", "-w", "abc"][..],
        &["--format=json", "check", "--bogus"],
    ] {
        let output = env.cmd().args(args).output().unwrap();
        assert_eq!(output.status.code(), Some(3), "{args:?}");
        let (value, value_fields) = check_json(&output);
        assert_eq!(value_fields, fields, "{args:?}: {value}");
        assert_eq!(value["status"], "UNKNOWN");
        assert!(value["warning_days"].is_null(), "{value}");
    }
}

#[test]
fn check_works_on_a_read_only_database() {
    use std::os::unix::fs::PermissionsExt;
    let env = Env::new();
    env.create("k", &["accounts"]);
    let before = std::fs::read(&env.db).unwrap();
    std::fs::set_permissions(&env.db, std::fs::Permissions::from_mode(0o400)).unwrap();
    let (code, out) = check(&env, 80, &[]);
    assert_eq!(code, 1, "{out}");
    assert_eq!(std::fs::read(&env.db).unwrap(), before);
    // A change is refused clearly on the same file.
    env.cmd()
        .args(["create", "--name", "x", "--role", "accounts"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("read-only"));
}

#[test]
fn check_with_no_keys_is_ok() {
    let env = Env::new();
    let (_, id) = env.create("gone", &["accounts"]);
    env.cmd().args(["delete", "--yes", &id]).assert().success();
    let (code, out) = check(&env, 0, &[]);
    assert_eq!(
        (code, out.as_str()),
        (
            0,
            "OK: no keys | keys=0;;;0 warning=0;0;;0 critical=0;;0;0\n"
        )
    );
}

#[test]
fn verify_exit_codes_at_the_boundaries() {
    let env = Env::new();
    let (key, _) = env.create("ci-deploy", &["payments", "accounts"]);
    assert_eq!(env.days_later(75).verify(&key, &[]).0, 0);
    assert_eq!(
        env.days_later(77).verify(&key, &[]).0,
        0,
        "expiring keys still work"
    );
    assert_eq!(
        env.days_later(77)
            .verify(&key, &["--role", "payments", "--role", "accounts"])
            .0,
        0
    );
    assert_eq!(
        env.days_later(77)
            .verify(&key, &["--role", "payments,transactions"])
            .0,
        4
    );
    assert_eq!(env.days_later(90).verify(&key, &[]).0, 3);
    assert_eq!(env.days_later(90).verify("igk_garbage", &[]).0, 1);
    assert_eq!(
        env.days_later(0).verify(&key, &["--role", "admin"]).0,
        2,
        "bad arguments"
    );

    // A missing database file: on SQLite whatever the store under test.
    let fresh = Env::sqlite();
    let output = fresh
        .cmd()
        .arg("verify")
        .write_stdin(key.clone())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "no database");
    assert!(String::from_utf8_lossy(&output.stderr).contains("no database at"));
}

#[test]
fn verify_reads_a_key_file() {
    let env = Env::new();
    let (key, id) = env.create("from-file", &["accounts"]);
    let path = env.path("key.txt");
    std::fs::write(&path, format!("{key}\n")).unwrap();
    let output = env
        .cmd()
        .args(["verify", "--format", "json", "--key-file"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let json: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["key_id"], id.as_str());

    env.cmd()
        .args(["verify", "--key-file", "missing.txt"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "cannot read the key file missing.txt",
        ));
}

#[test]
fn ids_on_the_command_line_that_are_whole_keys_are_refused_without_echoing_them() {
    let env = Env::new();
    let (key, _) = env.create("oops", &["accounts"]);
    let output = env.cmd().args(["renew", &key]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("looks like a whole key"), "{stderr}");
    assert!(
        !stderr.contains(&key[17..60]),
        "the secret was echoed: {stderr}"
    );
}

/// The fields of a JSON value, of the first element for arrays.
fn fields(value: &Value) -> BTreeSet<String> {
    let object = match value {
        Value::Array(items) => items.first().and_then(Value::as_object),
        other => other.as_object(),
    };
    object
        .map(|object| object.keys().cloned().collect())
        .unwrap_or_default()
}

/// The JSON example the README gives for `command`.
fn readme_json_example(command: &str) -> Value {
    let readme = documentation();
    let marker = format!("<!-- README json: {command} -->\n```json\n");
    let start = readme
        .find(&marker)
        .unwrap_or_else(|| panic!("no README example for {command}"))
        + marker.len();
    let end = start + readme[start..].find("```").unwrap();
    serde_json::from_str(&readme[start..end])
        .unwrap_or_else(|err| panic!("README example for {command}: {err}"))
}

#[test]
fn every_command_prints_the_json_fields_the_readme_documents() {
    let env = Env::new();
    let json = |args: &[&str], stdin: Option<&str>| -> Value {
        let mut cmd = env.days_later(80).cmd();
        cmd.args(args).args(["--format", "json"]);
        if let Some(stdin) = stdin {
            cmd.write_stdin(stdin.to_string());
        }
        let output = cmd.output().unwrap();
        serde_json::from_slice(&output.stdout).unwrap_or_else(|err| {
            panic!(
                "{args:?}: {err}: {}",
                String::from_utf8_lossy(&output.stdout)
            )
        })
    };
    let created = json(&["create", "--name", "bot", "--role", "payments"], None);
    let key = created["secret"].as_str().unwrap().to_string();
    let id = created["id"].as_str().unwrap().to_string();
    let mut outputs = vec![
        ("create", created),
        ("list", json(&["list"], None)),
        ("check", json(&["check"], None)),
        (
            "verify",
            json(&["verify", "--role", "accounts"], Some(&key)),
        ),
        ("renew", json(&["renew", &id], None)),
    ];
    outputs.push(("rotate", json(&["rotate", &id], None)));
    outputs.push(("show", json(&["show", &id], None)));
    outputs.push(("delete", json(&["delete", "--yes", &id], None)));
    for (command, output) in outputs {
        assert_eq!(
            fields(&output),
            fields(&readme_json_example(command)),
            "{command}: {output}"
        );
        let text = output.to_string();
        if command != "create" {
            assert!(!text.contains(&key[17..60]), "{command} printed the secret");
        }
        assert!(!text.contains("$argon2"), "{command} printed a hash");
    }
}

#[test]
fn json_times_are_rfc3339_utc() {
    let env = Env::new();
    env.create("k", &["accounts"]);
    let keys = env.list_json();
    for field in ["created_at", "renewed_at", "freezes_at"] {
        let text = keys[0][field].as_str().unwrap();
        assert!(chrono::DateTime::parse_from_rfc3339(text).is_ok(), "{text}");
        assert!(text.ends_with('Z'), "{text}");
    }
}

#[test]
fn no_escape_sequences_when_piped_or_with_no_color() {
    let env = Env::new();
    env.create("old", &["accounts"]);
    for (extra_env, args) in [
        (None, &["list"][..]),
        (Some("1"), &["list", "--color", "auto"]),
        (None, &["check"]),
        (None, &["list", "--expiring"]),
    ] {
        let mut cmd = env.days_later(95).cmd();
        if let Some(value) = extra_env {
            cmd.env("NO_COLOR", value);
        }
        let output = cmd.args(args).output().unwrap();
        assert!(
            !output.stdout.contains(&0x1b),
            "{args:?}: {:?}",
            String::from_utf8_lossy(&output.stdout)
        );
        assert!(!output.stderr.contains(&0x1b), "{args:?}");
    }
    // --color always is the explicit way to get colour through a pipe.
    let output = env
        .days_later(95)
        .cmd()
        .args(["list", "--color", "always"])
        .output()
        .unwrap();
    assert!(output.stdout.contains(&0x1b));
}

#[test]
fn every_help_ends_with_examples() {
    let env = Env::new();
    for command in [
        "create",
        "list",
        "renew",
        "delete",
        "verify",
        "check",
        "users",
        "audit",
        "scan",
        "completions",
    ] {
        let output = env.cmd().args([command, "--help"]).output().unwrap();
        assert!(output.status.success());
        let help = String::from_utf8(output.stdout).unwrap();
        let tail = &help[help
            .rfind("Examples:")
            .unwrap_or_else(|| panic!("{command} --help has no examples"))..];
        assert!(
            tail.lines()
                .skip(1)
                .all(|line| line.trim().is_empty() || line.contains("intergiro-keys")),
            "{command}: {tail}"
        );
    }
}

/// The README and every page under docs/, one after the other: examples may
/// live in any of them.
fn documentation() -> String {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut text = std::fs::read_to_string(root.join("README.md")).unwrap();
    let mut pages: Vec<std::path::PathBuf> = std::fs::read_dir(root.join("docs"))
        .map(|entries| {
            entries
                .filter_map(|entry| entry.ok().map(|entry| entry.path()))
                .filter(|path| path.extension().is_some_and(|ext| ext == "md"))
                .collect()
        })
        .unwrap_or_default();
    pages.sort();
    for page in pages {
        text.push('\n');
        text.push_str(&std::fs::read_to_string(page).unwrap());
    }
    text
}

/// A code block of the README or docs/ marked `<!-- README test: NAME -->`.
pub fn readme_snippet(name: &str) -> String {
    let readme = documentation();
    let marker = format!("<!-- README test: {name} -->\n```");
    let start = readme
        .find(&marker)
        .unwrap_or_else(|| panic!("no README snippet {name}"))
        + marker.len();
    let start = start + readme[start..].find('\n').unwrap() + 1;
    let end = start + readme[start..].find("```").unwrap();
    readme[start..end].to_string()
}

/// Runs shell code with the binary on PATH, against `env`'s database, `days`
/// after t0.
pub fn run_shell(
    env: &Env,
    days: i64,
    script: &str,
    vars: &[(&str, &str)],
) -> std::process::Output {
    let bin_dir = std::path::Path::new(env!("CARGO_BIN_EXE_intergiro-keys"))
        .parent()
        .unwrap();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let cmd = env.days_later(days).std_cmd();
    let mut shell = std::process::Command::new("bash");
    shell.arg("-c").arg(script).env_clear();
    for (key, value) in cmd.get_envs() {
        if let Some(value) = value {
            shell.env(key, value);
        }
    }
    shell.env("PATH", path).current_dir(env.dir.path());
    for (key, value) in vars {
        shell.env(key, value);
    }
    shell.output().unwrap()
}

#[test]
fn the_readme_cron_line_prints_only_when_a_key_needs_attention() {
    let snippet = readme_snippet("cron");
    let line = snippet
        .lines()
        .find(|line| line.starts_with(|c: char| c.is_ascii_digit() || c == '*'))
        .unwrap();
    // The command is what follows the five time fields.
    let command = line
        .split_whitespace()
        .skip(5)
        .collect::<Vec<_>>()
        .join(" ");
    assert!(!command.contains('%'), "cron would turn % into a newline");

    let env = Env::new();
    env.create("ci-deploy", &["payments"]);
    let quiet = run_shell(&env, 10, &command, &[]);
    assert!(quiet.status.success());
    assert!(
        quiet.stdout.is_empty() && quiet.stderr.is_empty(),
        "OK must not mail anything"
    );

    let mail = run_shell(&env, 80, &command, &[]);
    assert!(
        String::from_utf8_lossy(&mail.stdout)
            .starts_with("WARNING: 1 of 1 key freezes within 14 days: ci-deploy")
    );
    let mail = run_shell(&env, 91, &command, &[]);
    assert!(String::from_utf8_lossy(&mail.stdout).starts_with("CRITICAL:"));
    // A missing database file: on SQLite whatever the store under test.
    let fresh = Env::sqlite();
    let mail = run_shell(&fresh, 0, &command, &[]);
    assert!(String::from_utf8_lossy(&mail.stdout).starts_with("UNKNOWN: no database"));
}

#[test]
fn the_readme_ci_snippet_passes_a_valid_key_and_fails_a_frozen_one() {
    let snippet = readme_snippet("ci");
    let env = Env::new();
    let (payments, _) = env.create("deploy", &["payments"]);
    let (accounts, _) = env.create("reader", &["accounts"]);

    let ok = run_shell(&env, 10, &snippet, &[("PAYMENTS_API_KEY", &payments)]);
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert!(String::from_utf8_lossy(&ok.stdout).contains("payments key is valid"));

    let frozen = run_shell(&env, 95, &snippet, &[("PAYMENTS_API_KEY", &payments)]);
    assert_eq!(frozen.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&frozen.stderr).contains("frozen"));

    let wrong_role = run_shell(&env, 10, &snippet, &[("PAYMENTS_API_KEY", &accounts)]);
    assert_eq!(wrong_role.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&wrong_role.stderr).contains("lacks the payments role"));

    let rejected = run_shell(&env, 10, &snippet, &[("PAYMENTS_API_KEY", "igk_not-a-key")]);
    assert_eq!(rejected.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&rejected.stderr).contains("rejected (exit 1)"));
}

/// The README's first section is the set-up, within the first screen (24
/// lines), and its first code block the two commands a newcomer runs: the
/// install followed by a first command by the tool's bare name on a scratch
/// database (run here as written, on the binary under test, as the install
/// would put it on PATH), then the tests.
#[test]
fn the_readme_starts_with_the_install_and_a_first_command() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let first_section = readme.lines().find(|line| line.starts_with("## "));
    assert_eq!(first_section, Some("## Set-up"));
    let start = readme.find("```sh\n").unwrap() + "```sh\n".len();
    let end = start + readme[start..].find("```").unwrap();
    let first_screen = readme.lines().take(24).collect::<Vec<_>>().join("\n");
    assert!(
        first_screen.contains(&readme[start..end].trim_end().to_string()),
        "the install and the first command are not on the first screen"
    );
    let commands: Vec<&str> = readme[start..end]
        .lines()
        .map(|line| line.split(" #").next().unwrap_or_default().trim())
        .filter(|line| !line.is_empty())
        .collect();
    // Two commands: the install with a first command by the tool's bare
    // name, then the tests.
    assert_eq!(commands.len(), 2, "{commands:?}");
    let first = commands[0]
        .strip_prefix("cargo install --path . --locked && ")
        .unwrap_or_else(|| panic!("{:?} does not install first", commands[0]));
    let args: Vec<&str> = first
        .strip_prefix("intergiro-keys ")
        .unwrap_or_else(|| panic!("{first:?} does not run the tool by its name"))
        .split_whitespace()
        .collect();
    assert_eq!(commands[1], "cargo test");

    let env = Env::new();
    let output = env
        .cmd()
        .env_remove("INTERGIRO_KEYS_DB")
        .args(&args)
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let key = String::from_utf8(output.stdout).unwrap();
    assert!(key.starts_with("igk_") && key.trim().len() == 66, "{key}");
    // The scratch database, not the per-user one, and git ignores it.
    assert!(env.path("try-keys.db").exists());
    assert!(!env.path(".local").exists());
    let gitignore =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/.gitignore")).unwrap();
    assert!(gitignore.lines().any(|line| line == "try-keys.db"));
}

/// The README stays what a user needs: reference goes to docs/.
#[test]
fn the_readme_stays_within_500_lines() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let lines = readme.lines().count();
    assert!(
        lines <= 500,
        "README.md has {lines} lines: move reference material to docs/ and link it"
    );
}

/// A database named by INTERGIRO_KEYS_DB is not shown in usage lines as if
/// `--db` were required; one typed on the command line still is.
#[test]
fn usage_lines_do_not_show_a_db_from_the_environment() {
    let env = Env::new();
    for args in [
        &["renew"][..],
        &["users", "add", "bob"],
        &["audit", "--verify", "--key", "x"],
    ] {
        let output = env.cmd().args(args).output().unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        let usage = stderr
            .lines()
            .find(|line| line.starts_with("Usage:"))
            .unwrap_or_else(|| panic!("{args:?}: no usage line in {stderr}"));
        assert!(!usage.contains("--db"), "{args:?}: {usage}");
    }
    let output = env
        .cmd()
        .args(["--db", "other.db", "renew"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&output.stderr).contains("--db <PATH>"));
}

/// `verify < key | true` under `set -o pipefail`: the reader is gone before
/// the verdict is printed. The broken pipe is no error, but the exit code
/// stays the verdict's: a rejected or frozen key never exits 0.
#[test]
fn verify_keeps_its_verdict_as_exit_code_when_stdout_is_closed_early() {
    use std::io::Write;
    use std::process::Stdio;
    let env = Env::new();
    let (key, _) = env.create("k", &["accounts"]);
    // The last character changed to one it is not: a fixed replacement
    // would be the key itself whenever the key already ends with it.
    let last = if key.ends_with('x') { 'y' } else { 'x' };
    let wrong = format!("{}{last}", &key[..key.len() - 1]);
    assert_ne!(wrong, key);
    for (days, presented, expected) in [(0, &key, 0), (0, &wrong, 1), (100, &key, 3)] {
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let mut child = env
            .days_later(days)
            .std_cmd()
            .args(["verify", "--role", "accounts"])
            .stdin(Stdio::piped())
            .stdout(writer)
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        stdin
            .write_all(format!("{presented}\n").as_bytes())
            .unwrap();
        drop(stdin);
        let output = child.wait_with_output().unwrap();
        assert_eq!(
            output.status.code(),
            Some(expected),
            "day {days}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

/// `check | head -c 0` or a monitoring agent that stops reading: the
/// status line cannot be written, and the exit code is still the level's,
/// never OK for a WARNING or CRITICAL estate.
#[test]
fn check_keeps_its_level_as_exit_code_when_stdout_is_closed_early() {
    let env = Env::new();
    env.create("ci-deploy", &["payments"]);
    // 15 days left (OK), 13 days left (WARNING), frozen (CRITICAL).
    for (days, expected) in [(75, 0), (77, 1), (92, 2)] {
        for format in ["table", "json"] {
            let (reader, writer) = std::io::pipe().unwrap();
            drop(reader);
            let output = env
                .days_later(days)
                .std_cmd()
                .args(["--format", format, "check"])
                .stdout(writer)
                .output()
                .unwrap();
            assert_eq!(
                output.status.code(),
                Some(expected),
                "day {days}, {format}: {}",
                String::from_utf8_lossy(&output.stderr)
            );
        }
    }
}
