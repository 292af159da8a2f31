//! Hostile and broken input, one row each: a clear error, exit code 2 (1 for
//! a rejected key, 3 for `check`), and the database left byte-for-byte as it
//! was.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::PermissionsExt;

use crate::common::Env;

/// Runs `args` and checks the exit code, that stderr (or stdout) says
/// `expected` on one line, and that the database did not change.
fn refused(env: &Env, args: &[&OsStr], stdin: &[u8], code: i32, expected: &str) {
    let before = env.snapshot();
    let output = env
        .cmd()
        .args(args)
        .write_stdin(stdin.to_vec())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(
        output.status.code(),
        Some(code),
        "{args:?}: {stderr}{stdout}"
    );
    assert!(
        stderr.contains(expected) || stdout.contains(expected),
        "{args:?}: expected {expected:?} in: {stderr}{stdout}"
    );
    if code == 2 {
        let first = stderr.lines().next().unwrap_or_default();
        assert!(
            first.starts_with("intergiro-keys: error:"),
            "{args:?}: {stderr}"
        );
    }
    assert!(env.snapshot() == before, "{args:?} changed the database");
}

fn os(args: &[&str]) -> Vec<&'static OsStr> {
    args.iter()
        .map(|arg| OsStr::new(Box::leak(arg.to_string().into_boxed_str())))
        .collect()
}

const CREATE: &[&str] = &["create", "--name", "x", "--role", "accounts"];

#[test]
fn databases_that_are_not_ours_or_broken_are_refused_untouched() {
    let rows: [(&str, &[u8], &str); 3] = [
        (
            "garbage",
            b"\x00\x01garbage\xff not a database at all",
            "not an intergiro-keys database",
        ),
        ("empty", b"", "empty file"),
        (
            "text",
            b"SQLite format 2 but not really",
            "not an intergiro-keys database",
        ),
    ];
    for (name, content, expected) in rows {
        let env = Env::new();
        std::fs::write(&env.db, content).unwrap();
        for args in [&["list"][..], CREATE, &["check"]] {
            let code = if args[0] == "check" { 3 } else { 2 };
            refused(&env, &os(args), b"", code, expected);
        }
        assert_eq!(std::fs::read(&env.db).unwrap(), content, "{name}");
    }
}

#[test]
fn a_truncated_database_is_reported_damaged_and_left_alone() {
    let env = Env::new();
    for i in 0..5 {
        env.create(&format!("k{i}"), &["accounts"]);
    }
    let full = std::fs::read(&env.db).unwrap();
    assert!(full.len() > 8192, "{}", full.len());
    std::fs::write(&env.db, &full[..full.len() / 2]).unwrap();
    refused(&env, &os(&["list"]), b"", 2, "damaged");
    refused(&env, &os(CREATE), b"", 2, "damaged");
}

#[test]
fn a_directory_a_dangling_link_and_a_newer_schema_are_refused() {
    let env = Env::new();
    std::fs::create_dir(&env.db).unwrap();
    refused(&env, &os(&["list"]), b"", 2, "is a directory");
    refused(&env, &os(CREATE), b"", 2, "is a directory");

    let env = Env::new();
    std::os::unix::fs::symlink(env.path("nowhere.db"), &env.db).unwrap();
    refused(
        &env,
        &os(CREATE),
        b"",
        2,
        "symbolic link to a file that does not exist",
    );
    assert!(!env.path("nowhere.db").exists());

    let env = Env::new();
    env.create("k", &["accounts"]);
    let conn = rusqlite::Connection::open(&env.db).unwrap();
    conn.pragma_update(None, "user_version", 2000).unwrap();
    drop(conn);
    refused(
        &env,
        &os(&["list"]),
        b"",
        2,
        "newer intergiro-keys (store format 2.0",
    );
    refused(&env, &os(CREATE), b"", 2, "upgrade intergiro-keys");
}

#[test]
fn a_symlinked_database_is_used_through_its_link() {
    let env = Env::new();
    let real = env.path("real.db");
    env.cmd()
        .env("INTERGIRO_KEYS_DB", &real)
        .args(CREATE)
        .assert()
        .success();
    std::os::unix::fs::symlink(&real, &env.db).unwrap();
    assert_eq!(env.list_json().len(), 1);
    env.cmd()
        .args(["create", "--name", "y", "--role", "accounts"])
        .assert()
        .success();
    assert!(env.db.is_symlink(), "the link was replaced");
    assert_eq!(
        env.cmd()
            .env("INTERGIRO_KEYS_DB", &real)
            .args(["list"])
            .output()
            .unwrap()
            .stdout
            .split(|b| *b == b'\n')
            .count(),
        4
    );
}

#[test]
fn a_read_only_database_can_be_read_but_not_changed() {
    let env = Env::new();
    let (key, id) = env.create("k", &["accounts"]);
    std::fs::set_permissions(&env.db, std::fs::Permissions::from_mode(0o444)).unwrap();
    refused(&env, &os(CREATE), b"", 2, "read-only");
    refused(&env, &os(&["renew", &id]), b"", 2, "read-only");
    refused(&env, &os(&["delete", "--yes", &id]), b"", 2, "read-only");
    assert_eq!(env.list_json().len(), 1);
    assert_eq!(env.days_later(0).verify(&key, &[]).0, 0);
}

#[test]
fn a_database_left_with_a_hot_wal_is_recovered() {
    let env = Env::new();
    env.create("checkpointed", &["accounts"]);
    // A writer that dies after committing, before any checkpoint: its
    // changes live only in the WAL.
    let conn = rusqlite::Connection::open(&env.db).unwrap();
    conn.pragma_update(None, "wal_autocheckpoint", 0).unwrap();
    conn.execute(
        "INSERT INTO api_key (id, name, roles, secret_hash, created_at, renewed_at, freezes_at, issued) SELECT 'HotWalKey001', 'only-in-wal', roles, secret_hash, created_at, renewed_at, freezes_at, issued FROM api_key",
        [],
    )
    .unwrap();
    std::mem::forget(conn); // no checkpoint on close
    let wal = std::fs::metadata(format!("{}-wal", env.db.display())).unwrap();
    assert!(wal.len() > 0);
    let names: Vec<String> = env
        .list_json()
        .iter()
        .map(|k| k["name"].as_str().unwrap().to_string())
        .collect();
    assert!(names.contains(&"only-in-wal".to_string()), "{names:?}");
}

#[test]
fn presented_keys_of_every_broken_kind_are_rejected_with_exit_1() {
    let env = Env::new();
    let (key, _) = env.create("real", &["accounts"]);
    let other = Env::new();
    let (unknown, _) = other.create("elsewhere", &["accounts"]);
    let mut checksum = key.clone().into_bytes();
    checksum[65] = if checksum[65] == b'A' { b'B' } else { b'A' };
    let huge = vec![b'A'; 1 << 20];
    let rows: [(&str, Vec<u8>, &str); 6] = [
        ("huge", huge, "wrong length"),
        (
            "non-UTF-8",
            b"igk_\xff\xfe\xfd".to_vec(),
            "characters that no key has",
        ),
        (
            "wrong prefix",
            key.replacen("igk_", "ghp_", 1).into_bytes(),
            "does not start with igk_",
        ),
        ("wrong checksum", checksum, "checksum mismatch"),
        ("truncated", key.as_bytes()[..50].to_vec(), "wrong length"),
        (
            "unknown",
            unknown.into_bytes(),
            "unknown key, deleted key or wrong secret",
        ),
    ];
    for (_, stdin, expected) in rows {
        refused(&env, &os(&["verify"]), &stdin, 1, expected);
    }
}

#[test]
fn names_that_are_huge_empty_binary_or_full_of_control_characters_are_refused() {
    let env = Env::new();
    env.create("existing", &["accounts"]);
    let huge = "n".repeat(100_000);
    let rows: [(&OsStr, &str); 9] = [
        (OsStr::new(&huge), "characters long; use at most 64"),
        (OsStr::new(""), "the key name is empty"),
        (OsStr::new("   "), "the key name is empty"),
        (OsStr::from_bytes(b"caf\xe9"), "invalid UTF-8"),
        (
            OsStr::new("bell\u{7}\r\nnew line"),
            "control character U+0007",
        ),
        (
            OsStr::new("pay\u{202e}stnemyap"),
            "invisible or control character U+202E",
        ),
        (OsStr::new("zero\u{200b}width"), "U+200B"),
        (OsStr::new("line\u{2028}separator"), "U+2028"),
        (OsStr::new("para\u{2029}separator"), "U+2029"),
    ];
    for (name, expected) in rows {
        let args = [
            OsStr::new("create"),
            OsStr::new("--name"),
            name,
            OsStr::new("--role"),
            OsStr::new("accounts"),
        ];
        refused(&env, &args, b"", 2, expected);
    }
    assert_eq!(env.list_json().len(), 1);
}

#[test]
fn bad_numbers_and_dates_in_flags_are_refused() {
    let env = Env::new();
    env.create("k", &["accounts"]);
    let rows: [(&[&str], i32, &str); 13] = [
        (&["list", "--expiring", "--within", "-3"], 2, "'-3'"),
        // Days that fit the flag's type but no calendar: refused, not a panic.
        (&["list", "--within", "4294967295"], 2, "0..=36500"),
        (&["list", "--unused-for", "4294967295"], 2, "0..=36500"),
        (&["check", "--warning", "4294967295"], 3, "UNKNOWN"),
        (&["check", "--critical", "36501"], 3, "0..=36500"),
        (&["list", "--status", "dormant"], 2, "'dormant'"),
        (
            &["list", "--expiring", "--within", "99999999999"],
            2,
            "--within",
        ),
        (&["list", "--sort", "colour"], 2, "'colour'"),
        (&["check", "--warning", "two weeks"], 3, "UNKNOWN"),
        (&["check", "--critical", "1e3"], 3, "UNKNOWN"),
        (&["audit", "--since", "2026-13-45"], 2, "is not a date"),
        (
            &["create", "--name", "x", "--role", "everything"],
            2,
            "invalid value 'everything'",
        ),
        (&["renew", "../../etc/passwd"], 2, "is not a key ID"),
    ];
    for (args, code, expected) in rows {
        refused(&env, &os(args), b"", code, expected);
    }
}

/// A key row put in by hand whose ID carries terminal escapes: every output
/// that names it, errors included, shows them escaped.
#[test]
fn control_characters_in_a_key_id_are_shown_escaped_everywhere() {
    let env = Env::new();
    env.create("plain", &["accounts"]);
    // Two such keys: on PostgreSQL, which finds no tampering, rotating one
    // makes a new key of its name, which `delete NAME` would then mean.
    for (id, name) in [
        ("\u{1b}[31mRED\u{7}", "evil"),
        ("\u{1b}[31mRED\u{7}2", "evil2"),
    ] {
        env.execute(
            "INSERT INTO api_key (id, name, roles, secret_hash, created_at, renewed_at, freezes_at, issued)
             SELECT ?1, ?2, roles, secret_hash, created_at, renewed_at, freezes_at, issued
             FROM api_key WHERE name = 'plain'",
            &[id, name],
        );
    }
    let escaped = "\\x1b[31mRED\\x07";
    for args in [
        &["show", "evil"][..],
        &["renew", "evil"],
        &["rotate", "evil2"],
        &["list", "--format", "json"],
        &["delete", "--yes", "evil"],
    ] {
        let output = env.cmd().args(args).output().unwrap();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(!text.contains('\u{1b}'), "{args:?}: raw escape: {text:?}");
        assert!(
            text.contains(escaped) || text.contains("\\u001b"),
            "{args:?}: {text:?}"
        );
    }
}

/// A mistyped --db makes no directories and no store; the per-user default
/// location is made when missing. Whichever made a new store says so.
#[test]
fn a_database_path_in_a_missing_directory_is_refused_and_a_new_store_is_announced() {
    let env = Env::sqlite();
    let typo = env.path("nonexist").join("dir").join("k.db");
    let output = env
        .cmd()
        .args(["--db".as_ref(), typo.as_os_str()])
        .args(["create", "--name", "k", "--role", "accounts"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "the directory {} of the database {} does not exist; create it first (`mkdir -p -m 700 {}`)",
            typo.parent().unwrap().display(),
            typo.display(),
            typo.parent().unwrap().display()
        )),
        "{stderr}"
    );
    assert!(output.stdout.is_empty());
    assert!(!env.path("nonexist").exists());

    // Given explicitly in a directory that exists: made, and said so once.
    let output = env
        .cmd()
        .args(["create", "--name", "k", "--role", "accounts"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(
        stderr.contains(&format!("created a new store at {}", env.db.display())),
        "{stderr}"
    );
    let output = env
        .cmd()
        .args(["create", "--name", "k2", "--role", "accounts"])
        .output()
        .unwrap();
    assert!(output.status.success());
    assert!(!String::from_utf8_lossy(&output.stderr).contains("created a new store"));

    // The default location: its directories are made.
    let output = env
        .cmd()
        .env_remove("INTERGIRO_KEYS_DB")
        .args(["create", "--name", "k", "--role", "accounts"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    let default = env.dir.path().join(".local/share/intergiro-keys/keys.db");
    assert!(default.is_file());
    assert!(
        stderr.contains(&format!("created a new store at {}", default.display())),
        "{stderr}"
    );
}

/// `create --name "$(head -c 60 keyfile)"`: a key pasted as a name would be
/// shown in every listing; it is refused without being repeated.
#[test]
fn a_name_holding_key_text_is_refused_without_echoing_it() {
    let env = Env::new();
    let (key, _) = env.create("k", &["accounts"]);
    let before = env.snapshot();
    for name in [&key[..60], &format!("backup of {}", &key[..40])] {
        let output = env
            .cmd()
            .args(["create", "--name", name, "--role", "accounts"])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains("the key name holds key text"), "{stderr}");
        assert!(
            !stderr.contains(&key[17..40]),
            "the secret was echoed: {stderr}"
        );
        assert!(output.stdout.is_empty());
    }
    assert!(env.snapshot() == before);
}
