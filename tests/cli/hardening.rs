//! Secrets kept out of messages and memory, text from a hostile database
//! kept from acting on the terminal, and clocks and inputs that used to
//! surprise.

use std::io::{Read, Write};
use std::os::fd::AsFd;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use predicates::prelude::*;

use crate::common::{Env, contains_bytes};

#[test]
fn a_key_on_the_command_line_or_in_a_path_never_reaches_stderr() {
    let env = Env::new();
    let (key, id) = env.create("k", &["accounts"]);
    let secret = &key[17..];
    let cases: [Vec<String>; 5] = [
        vec!["verify".into(), key.clone()],
        vec!["verify".into(), "--key-file".into(), key.clone()],
        vec!["--db".into(), key.clone(), "list".into()],
        vec![
            "--db".into(),
            format!("/nonexistent/{key}.db"),
            "check".into(),
        ],
        vec!["list".into(), format!("--within={key}")],
    ];
    for args in cases {
        let output = env.cmd().args(&args).output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(!output.status.success(), "{args:?}");
        assert!(
            !stderr.contains(secret) && !stdout.contains(secret),
            "{args:?} printed the secret: {stderr}{stdout}"
        );
        assert!(
            stderr.contains(&format!("igk_{id}_…")) || stdout.contains(&format!("igk_{id}_…")),
            "{args:?} should name the key by its ID: {stderr}{stdout}"
        );
    }
    // `verify KEY` says where the key should go instead.
    env.cmd()
        .args(["verify", &key])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("pipe it on stdin instead"))
        .stderr(predicate::function(|err: &str| err.lines().count() == 1));
}

#[test]
fn an_empty_key_is_a_usage_error_not_a_rejected_key() {
    let env = Env::new();
    env.create("k", &["accounts"]);
    for stdin in ["", "\n", "  \n\n"] {
        env.cmd()
            .arg("verify")
            .write_stdin(stdin)
            .assert()
            .code(2)
            .stderr(predicate::str::contains("no key given"));
    }
    env.cmd()
        .args(["verify", "--key-file", "/dev/null"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "no key given: the key file was empty",
        ));
}

#[test]
fn verify_answers_after_one_line_without_waiting_for_the_end_of_input() {
    let env = Env::new();
    let (key, _) = env.create("k", &["accounts"]);
    let mut child = env
        .std_cmd()
        .arg("verify")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // The input stays open, as `(echo KEY; sleep 5) | verify` keeps it.
    let mut stdin = child.stdin.take().unwrap();
    writeln!(stdin, "{key}").unwrap();
    let started = Instant::now();
    let status = wait_for(&mut child, Duration::from_secs(20));
    assert_eq!(status, Some(0), "verify waited for the end of its input");
    assert!(started.elapsed() < Duration::from_secs(20));
    drop(stdin);
}

#[test]
fn create_refuses_to_print_a_secret_nobody_receives() {
    let env = Env::new();
    env.create("first", &["accounts"]);
    for (how, stdout) in [("closed", None), ("/dev/null", Some(Stdio::null()))] {
        let mut cmd = env.std_cmd();
        cmd.args(["create", "--name", "lost", "--role", "payments"]);
        match stdout {
            Some(stdout) => {
                cmd.stdout(stdout);
            }
            None => {
                use std::os::unix::process::CommandExt;
                // `create >&-`
                unsafe {
                    cmd.pre_exec(|| {
                        nix::unistd::close(1).map_err(std::io::Error::from)?;
                        Ok(())
                    });
                }
            }
        }
        let output = cmd.output().unwrap();
        assert_eq!(output.status.code(), Some(2), "{how}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains("stdout is /dev/null or closed")
                && stderr.contains("nothing was created"),
            "{how}: {stderr}"
        );
    }
    let names: Vec<String> = env
        .list_json()
        .iter()
        .map(|key| key["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(names, ["first"]);
}

/// Every readable mapping of a running process's memory.
fn process_memory(pid: u32) -> std::io::Result<Vec<u8>> {
    use std::io::{Seek, SeekFrom};
    let maps = std::fs::read_to_string(format!("/proc/{pid}/maps"))?;
    let mut mem = std::fs::File::open(format!("/proc/{pid}/mem"))?;
    let mut all = Vec::new();
    for line in maps.lines() {
        let mut fields = line.split_whitespace();
        let (Some(range), Some(perms)) = (fields.next(), fields.next()) else {
            continue;
        };
        let Some((start, end)) = range.split_once('-') else {
            continue;
        };
        let (Ok(start), Ok(end)) = (u64::from_str_radix(start, 16), u64::from_str_radix(end, 16))
        else {
            continue;
        };
        if !perms.starts_with('r') || line.ends_with("[vvar]") || line.ends_with("[vsyscall]") {
            continue;
        }
        let mut region = vec![0u8; (end - start) as usize];
        if mem.seek(SeekFrom::Start(start)).is_ok() && mem.read_exact(&mut region).is_ok() {
            all.extend_from_slice(&region);
        }
    }
    Ok(all)
}

/// A pipe whose buffer is already full, so a process writing to it blocks
/// (until the test reads it) at that point of its run.
fn full_pipe() -> (std::io::PipeReader, std::io::PipeWriter) {
    use nix::fcntl::{FcntlArg, OFlag, fcntl};
    let (reader, mut writer) = std::io::pipe().unwrap();
    fcntl(writer.as_fd(), FcntlArg::F_SETFL(OFlag::O_NONBLOCK)).unwrap();
    let chunk = [b'.'; 4096];
    loop {
        match writer.write(&chunk) {
            Ok(_) => continue,
            Err(err) if err.kind() == std::io::ErrorKind::WouldBlock => break,
            Err(err) => panic!("{err}"),
        }
    }
    // The partial page left over is filled byte by byte.
    while writer.write(b".").is_ok() {}
    fcntl(writer.as_fd(), FcntlArg::F_SETFL(OFlag::empty())).unwrap();
    (reader, writer)
}

/// Waits until `pid` is blocked writing to `fd`.
fn wait_until_blocked_writing(pid: u32, fd: u32) {
    let deadline = Instant::now() + Duration::from_secs(30);
    let wanted = format!("1 0x{fd:x} ");
    while Instant::now() < deadline {
        let syscall = std::fs::read_to_string(format!("/proc/{pid}/syscall")).unwrap_or_default();
        if syscall.starts_with(&wanted) {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("process {pid} never blocked writing to fd {fd}");
}

fn wait_for(child: &mut Child, limit: Duration) -> Option<i32> {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if let Some(status) = child.try_wait().unwrap() {
            return status.code();
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let _ = child.kill();
    None
}

fn is_root() -> bool {
    nix::unistd::geteuid().is_root()
}

/// Checks a process stopped after it handled `key`: no core dumps, and (as
/// root, who may read a non-dumpable process's memory) no copy of the
/// secret anywhere in its memory.
fn assert_no_secret_in_memory(pid: u32, key: &str, what: &str) {
    let limits = std::fs::read_to_string(format!("/proc/{pid}/limits")).unwrap();
    let core = limits
        .lines()
        .find(|line| line.starts_with("Max core file size"))
        .unwrap();
    assert_eq!(
        core.split_whitespace().collect::<Vec<_>>()[4..6],
        ["0", "0"],
        "{what}: {core}"
    );
    let memory = process_memory(pid);
    if !is_root() {
        // Not dumpable: the same account may not read its memory either.
        assert!(
            memory.is_err(),
            "{what}: memory readable by its own account"
        );
        return;
    }
    let memory = memory.unwrap();
    assert!(
        memory.len() > 1 << 20,
        "{what}: read only {} bytes",
        memory.len()
    );
    // The ID is not secret and stays in memory: proof that the search works.
    assert!(
        contains_bytes(&memory, &key.as_bytes()[4..16]),
        "{what}: the key's ID is not in the memory read"
    );
    let secret = &key[17..60];
    assert!(
        !contains_bytes(&memory, secret.as_bytes()),
        "{what}: the secret is still in memory"
    );
    assert!(
        !contains_bytes(&memory, key.as_bytes()),
        "{what}: key in memory"
    );
}

#[test]
fn verify_leaves_no_copy_of_the_key_in_memory() {
    let env = Env::new();
    let (key, _) = env.create("k", &["accounts"]);
    // stdout full: verify blocks writing its verdict, after its work is done.
    let (mut stdout, stdout_writer) = full_pipe();
    let mut child = env
        .std_cmd()
        .arg("verify")
        .stdin(Stdio::piped())
        .stdout(stdout_writer)
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    writeln!(stdin, "{key}").unwrap();
    wait_until_blocked_writing(child.id(), 1);
    assert_no_secret_in_memory(child.id(), &key, "verify");
    drop(stdin);
    let mut rest = Vec::new();
    stdout.read_to_end(&mut rest).unwrap();
    assert_eq!(child.wait().unwrap().code(), Some(0));
    assert!(contains_bytes(&rest, b"valid: key"));
}

#[test]
fn create_leaves_no_copy_of_the_key_in_memory() {
    let env = Env::new();
    env.create("first", &["accounts"]);
    // stderr full: create blocks on its closing note, after the secret went
    // out on stdout and was wiped.
    let (mut stderr, stderr_writer) = full_pipe();
    let mut child = env
        .std_cmd()
        .args(["create", "--name", "k", "--role", "accounts"])
        .stdout(Stdio::piped())
        .stderr(stderr_writer)
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut line = Vec::new();
    let mut byte = [0u8; 1];
    while stdout.read(&mut byte).unwrap() == 1 && byte[0] != b'\n' {
        line.push(byte[0]);
    }
    let key = String::from_utf8(line).unwrap();
    assert!(key.starts_with("igk_"), "{key}");
    wait_until_blocked_writing(child.id(), 2);
    assert_no_secret_in_memory(child.id(), &key, "create");
    let mut rest = Vec::new();
    stderr.read_to_end(&mut rest).unwrap();
    assert_eq!(child.wait().unwrap().code(), Some(0));
}

#[test]
fn text_written_into_the_database_by_others_cannot_act_on_the_terminal() {
    let env = Env::new();
    env.create("k", &["accounts"]);
    let evil_id = "\u{1b}]0;owned\u{7}\u{1b}[2J\u{202e}";
    env.execute("UPDATE api_key SET id = ?1", &[evil_id]);
    // PostgreSQL numbers entries from the log's head.
    let (seq, next) = match env.is_postgres() {
        true => ("seq, ", "(SELECT last_seq + 1 FROM audit_head), "),
        false => ("", ""),
    };
    env.execute(
        &format!(
            "INSERT INTO audit ({seq}at, operator, action, key_id, outcome, detail, prev_hash, hash)
             VALUES ({next}0, ?1, ?2, ?3, ?4, ?5, ?6, ?7)"
        ),
        &[
            "eve\u{1b}[8m",
            "\u{1b}]52;c;cm0gLXJmIH4=\u{7}",
            evil_id,
            "ok\u{9b}31m",
            "\u{2028}detail",
            "x",
            "\u{1b}[1A",
        ],
    );
    if env.is_postgres() {
        env.sql("UPDATE audit_head SET last_seq = last_seq + 1");
    }
    for args in [
        &["list"][..],
        &["audit"],
        &["list", "--format", "json"],
        &["audit", "--format", "json"],
        &["users", "list"],
    ] {
        let output = env.cmd().args(args).output().unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(
            !stdout.chars().any(|c| c == '\u{1b}'
                || c == '\u{7}'
                || c == '\u{9b}'
                || c == '\u{202e}'
                || c == '\u{2028}'),
            "{args:?} printed raw control text: {stdout:?}"
        );
    }
    // JSON escapes them, and means the same text.
    let keys = env.list_json();
    assert_eq!(keys[0]["id"], evil_id);
}

#[test]
fn an_administrator_without_an_account_here_needs_force() {
    let env = Env::new();
    env.create("k", &["accounts"]);
    env.cmd()
        .args(["users", "add", "no-such-account-x", "--permission", "admin"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "there is no account no-such-account-x on this host",
        ))
        .stderr(predicate::str::contains("--force"));
    env.cmd()
        .args(["users", "add", "no-such-account-x", "--permission", "view"])
        .assert()
        .success()
        .stderr(predicate::str::contains("no account no-such-account-x"));
    env.cmd()
        .args([
            "users",
            "add",
            "nosuchadmin",
            "--permission",
            "admin",
            "--force",
        ])
        .assert()
        .success();
}

#[test]
fn clocks_outside_any_date_a_key_can_have_are_a_clear_error() {
    let env = Env::new();
    env.create("k", &["accounts"]);
    for now in [
        "0001-01-01T00:00:00Z",
        "1969-12-31T23:59:59Z",
        "9999-12-31T23:59:59Z",
    ] {
        env.cmd()
            .env("INTERGIRO_KEYS_NOW", now)
            .arg("list")
            .assert()
            .code(2)
            .stderr(predicate::str::contains("set the clock right"));
        env.cmd()
            .env("INTERGIRO_KEYS_NOW", now)
            .arg("check")
            .assert()
            .code(3)
            .stdout(predicate::str::starts_with(
                "UNKNOWN: the system clock says",
            ));
    }
}

#[test]
fn a_freeze_date_beyond_90_days_is_never_honoured() {
    // A clock 300 years fast when the key was renewed: the row agrees with
    // its audit entry, but no renewal gives more than 90 days.
    let env = Env::new();
    let (key, id) = env.create("k", &["accounts"]);
    env.at(crate::common::t0() + chrono::Duration::days(300 * 365))
        .cmd()
        .args(["renew", &id])
        .assert()
        .success();
    let output = env
        .cmd()
        .arg("verify")
        .write_stdin(format!("{key}\n"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(3), "{output:?}");
    assert!(
        String::from_utf8_lossy(&output.stdout).contains("more than 90 days ahead"),
        "{output:?}"
    );
    let keys = env.list_json();
    assert_eq!(keys[0]["status"], "frozen");
    env.cmd().arg("check").assert().code(2);
    // Renewing with the right clock puts it right.
    env.cmd().args(["renew", &id]).assert().success();
    assert_eq!(env.days_later(0).verify(&key, &[]).0, 0);
}

#[test]
fn a_clock_a_few_minutes_behind_the_one_that_set_the_freeze_still_honours_it() {
    // Renewed by a host (or a PostgreSQL server) whose clock runs ahead of
    // the one that verifies: up to 15 minutes ahead is a working key, in
    // verify, list and check alike; further ahead it is not honoured.
    let env = Env::new();
    let (key, id) = env.create("k", &["accounts"]);
    let renewed = crate::common::t0() + chrono::Duration::days(1);
    env.at(renewed)
        .cmd()
        .args(["renew", &id])
        .assert()
        .success();

    let behind = env.at(renewed - chrono::Duration::minutes(14));
    assert_eq!(behind.verify(&key, &[]).0, 0);
    assert_eq!(behind.list_json()[0]["status"], "active");
    behind.cmd().arg("check").assert().code(0);

    let further = env.at(renewed - chrono::Duration::minutes(16));
    let (code, stdout) = further.verify(&key, &[]);
    assert_eq!(code, 3, "{stdout}");
    assert!(stdout.contains("more than 90 days ahead"), "{stdout}");
    assert_eq!(further.list_json()[0]["status"], "frozen");
    further.cmd().arg("check").assert().code(2);
}

#[test]
fn a_backup_is_private_checked_and_restores_the_database() {
    let env = Env::new();
    let (key, id) = env.create("k", &["accounts"]);
    let copy = env.path("copy.db");
    let copy_text = copy.to_str().unwrap();
    env.cmd()
        .args(["backup", copy_text])
        .assert()
        .success()
        .stdout(predicate::str::contains("entries verify"));
    assert_eq!(crate::common::file_mode(&copy), 0o600);
    assert!(!env.path("copy.db-wal").exists());
    env.cmd()
        .args(["backup", copy_text])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("already exists"));

    // Later changes, then the backup put back in place: as it was.
    env.cmd().args(["delete", "--yes", &id]).assert().success();
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", env.db.display()));
    }
    std::fs::copy(&copy, &env.db).unwrap();
    assert_eq!(env.days_later(0).verify(&key, &[]).0, 0);
    env.cmd().args(["audit", "--verify"]).assert().success();

    // sqlite3's own online backup is as good; a dump loses the database's
    // marks and is refused with the fix.
    let dotted = env.path("dot.db");
    let status = std::process::Command::new("sqlite3")
        .arg(&env.db)
        .arg(format!(".backup {}", dotted.display()))
        .status()
        .expect("the sqlite3 tool is needed (Debian package sqlite3; .ci/run installs it)");
    assert!(status.success());
    env.cmd()
        .env("INTERGIRO_KEYS_DB", &dotted)
        .args(["audit", "--verify"])
        .assert()
        .success();
    let dumped = env.path("dumped.db");
    let dump = std::process::Command::new("sqlite3")
        .arg(&env.db)
        .arg(".dump")
        .output()
        .unwrap();
    let mut load = std::process::Command::new("sqlite3")
        .arg(&dumped)
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    load.stdin.take().unwrap().write_all(&dump.stdout).unwrap();
    assert!(load.wait().unwrap().success());
    env.cmd()
        .env("INTERGIRO_KEYS_DB", &dumped)
        .arg("list")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("sqlite3 .dump"))
        .stderr(predicate::str::contains(
            "PRAGMA application_id = 1229409107",
        ));
}
