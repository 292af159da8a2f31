//! The interactive experience, driven through a pseudo-terminal as a person
//! would: prompts, the one-time secret block, confirmations, Ctrl-C, notices.

use std::time::{Duration, Instant};

use nix::sys::termios::{LocalFlags, tcgetattr};
use rexpect::process::WaitStatus;
use rexpect::session::PtySession;

use crate::common::Env;

const DOWN: &str = "\x1b[B";
const TIMEOUT_MS: u64 = 15_000;

/// Starts the binary on a pseudo-terminal, `days` after t0.
fn spawn(env: &Env, days: i64, args: &[&str]) -> PtySession {
    let mut cmd = env.days_later(days).std_cmd();
    cmd.args(args).env("TERM", "xterm");
    rexpect::session::spawn_command(cmd, Some(TIMEOUT_MS)).unwrap()
}

/// Types `keys` (flushed, as a person's keystrokes would be).
fn press(session: &mut PtySession, keys: &str) {
    session.send(keys).unwrap();
    session.flush().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(50));
}

/// Waits until the hidden prompt has turned echo off (it does so before it
/// prints its question, so this returns at once once the question shows).
fn wait_for_hidden_input(session: &PtySession) {
    // The pseudo-terminal's master reads the settings its program set.
    let terminal = session.process().get_file_handle().unwrap();
    let deadline = Instant::now() + Duration::from_millis(TIMEOUT_MS);
    while tcgetattr(&terminal)
        .unwrap()
        .local_flags
        .contains(LocalFlags::ECHO)
    {
        assert!(Instant::now() < deadline, "the prompt never hid the input");
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Waits for the end of the output and returns (everything printed, exit code).
fn finish(mut session: PtySession) -> (String, i32) {
    let output = session.exp_eof().unwrap();
    match session.process().wait().unwrap() {
        WaitStatus::Exited(_, code) => (output, code),
        other => panic!("the process did not exit normally: {other:?}\n{output}"),
    }
}

#[test]
fn guided_create_asks_for_roles_and_a_name_and_shows_the_secret_once() {
    let env = Env::new();
    let mut session = spawn(&env, 0, &["create"]);
    session.exp_string("Roles of the new key").unwrap();
    session.exp_string("Get all transaction details").unwrap();
    session.exp_string("Create payments").unwrap();
    // accounts and payments: down, space, down, space, enter.
    for key in [DOWN, " ", DOWN, " ", "\r"] {
        press(&mut session, key);
    }
    session.exp_string("Roles: accounts,payments").unwrap();
    session.exp_string("Name of the new key").unwrap();
    session.exp_string("accounts+payments-20260101").unwrap();
    session.send_line("ci-deploy").unwrap();
    let (_, key) = session
        .exp_regex(r"igk_[0-9A-Za-z]{12}_[0-9A-Za-z]{49}")
        .unwrap();
    session
        .exp_string("WARNING: this key is shown only once")
        .unwrap();
    let (rest, code) = finish(session);
    assert_eq!(code, 0, "{rest}");
    assert!(
        rest.contains("ci-deploy") && rest.contains("accounts,payments"),
        "{rest}"
    );
    assert!(
        rest.contains("2026-04-01 12:00 UTC"),
        "freeze date shown: {rest}"
    );
    assert!(!rest.contains(&key), "the key is printed once only");

    let keys = env.list_json();
    assert_eq!(keys[0]["name"], "ci-deploy");
    assert_eq!(
        keys[0]["roles"],
        serde_json::json!(["accounts", "payments"])
    );
    assert_eq!(env.days_later(0).verify(&key, &["--role", "payments"]).0, 0);
}

#[test]
fn at_least_one_role_is_required_and_the_default_name_is_offered() {
    let env = Env::new();
    let mut session = spawn(&env, 0, &["create"]);
    session.exp_string("Roles of the new key").unwrap();
    press(&mut session, "\r");
    session.exp_string("Select at least one role.").unwrap();
    session.exp_string("Roles of the new key").unwrap();
    press(&mut session, " ");
    press(&mut session, "\r");
    session.exp_string("Name of the new key").unwrap();
    press(&mut session, "\r"); // accept the default
    session.exp_string("WARNING").unwrap();
    let (_, code) = finish(session);
    assert_eq!(code, 0);
    assert_eq!(env.list_json()[0]["name"], "transactions-20260101");
}

#[test]
fn ctrl_c_in_a_prompt_exits_130_and_changes_nothing() {
    // No database file yet: none may appear (a PostgreSQL store stays as
    // init made it).
    let env = Env::new();
    let made = env.snapshot();
    let mut session = spawn(&env, 0, &["create"]);
    session.exp_string("Roles of the new key").unwrap();
    session.send_control('c').unwrap();
    assert_eq!(finish(session).1, 130);
    assert!(env.is_pristine());
    assert!(env.snapshot() == made, "the store changed");

    // An existing database stays byte-for-byte the same, whichever prompt.
    let (_, id) = env.create("keep", &["accounts"]);
    let before = env.snapshot();
    let mut session = spawn(&env, 0, &["create", "--role", "accounts"]);
    session.exp_string("Name of the new key").unwrap();
    press(&mut session, "half a na");
    session.send_control('c').unwrap();
    assert_eq!(finish(session).1, 130);

    let mut session = spawn(&env, 0, &["delete", &id]);
    session.exp_string("Delete this key?").unwrap();
    session.send_control('c').unwrap();
    assert_eq!(finish(session).1, 130);
    assert!(env.snapshot() == before, "the database changed");
    assert_eq!(env.list_json().len(), 1);
}

#[test]
fn delete_asks_first_showing_the_key_and_defaults_to_no() {
    let env = Env::new();
    let (key, id) = env.create("payments-bot", &["payments"]);
    let mut session = spawn(&env, 0, &["delete", &id]);
    session.exp_string(&id).unwrap();
    session.exp_string("payments-bot").unwrap();
    session.exp_string("(payments)").unwrap();
    session.exp_string("Delete this key?").unwrap();
    press(&mut session, "\r"); // the default
    session.exp_string("Nothing was deleted.").unwrap();
    assert_eq!(finish(session).1, 0);
    assert_eq!(env.days_later(0).verify(&key, &[]).0, 0);

    let mut session = spawn(&env, 0, &["delete", &id]);
    session.exp_string("Delete this key?").unwrap();
    press(&mut session, "y\r");
    session.exp_string(&format!("Deleted key {id}")).unwrap();
    assert_eq!(finish(session).1, 0);
    assert_eq!(env.days_later(0).verify(&key, &[]).0, 1);
}

#[test]
fn a_tampered_key_is_deleted_after_asking_too() {
    let env = Env::new();
    let (key, id) = env.create("payments-bot", &["accounts"]);
    rusqlite::Connection::open(&env.db)
        .unwrap()
        .execute("UPDATE api_key SET roles = 'payments'", [])
        .unwrap();
    let mut session = spawn(&env, 0, &["delete", &id]);
    session.exp_string(&id).unwrap();
    session.exp_string("tampered").unwrap();
    session.exp_string("Delete this key?").unwrap();
    press(&mut session, "y\r");
    session.exp_string(&format!("Deleted key {id}")).unwrap();
    assert_eq!(finish(session).1, 0);
    assert_eq!(env.days_later(0).verify(&key, &[]).0, 1);
    assert!(env.list_json().is_empty());
}

#[test]
fn a_notice_tells_people_at_a_terminal_about_keys_near_their_freeze() {
    let env = Env::new();
    env.create("old", &["accounts"]);
    env.days_later(10).create("newer", &["accounts"]);
    env.days_later(30).create("fresh", &["accounts"]);

    let session = spawn(&env, 91, &["list"]);
    let (output, code) = finish(session);
    assert_eq!(code, 0);
    assert!(
        output.contains("1 key is frozen and 1 key freezes within 14 days.\r\n"),
        "{output}"
    );
    assert!(
        output.contains("See them with `intergiro-keys list --expiring`."),
        "{output}"
    );
    // Colour and markers on a terminal.
    assert!(
        output.contains("\u{1b}["),
        "no colour on a terminal: {output:?}"
    );
    assert!(
        output.contains("!! frozen") && output.contains("! expiring"),
        "{output}"
    );

    // Never in scripts, JSON or with --no-input.
    let piped = env.days_later(91).cmd().arg("list").output().unwrap();
    assert!(
        piped.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&piped.stderr)
    );
    let (json, _) = finish(spawn(&env, 91, &["list", "--format", "json"]));
    assert!(!json.contains("intergiro-keys list --expiring"), "{json}");
    let (quiet, _) = finish(spawn(&env, 91, &["--no-input", "list"]));
    assert!(!quiet.contains("intergiro-keys list --expiring"), "{quiet}");
    // Nothing to say, nothing said.
    let (calm, _) = finish(spawn(&env, 31, &["list"]));
    assert!(!calm.contains("intergiro-keys list --expiring"), "{calm}");
}

#[test]
fn the_list_fits_a_narrow_terminal() {
    let env = Env::new();
    env.create(
        "a-rather-long-key-name-for-the-nightly-export",
        &["accounts", "transactions", "payments"],
    );
    let mut cmd = env.days_later(0).std_cmd();
    cmd.arg("list").env("TERM", "xterm").env("COLUMNS", "80");
    let (output, _) = finish(rexpect::session::spawn_command(cmd, Some(TIMEOUT_MS)).unwrap());
    let output = utf8(&strip_ansi(&output));
    for line in output.lines() {
        assert!(
            line.trim_end().chars().count() <= 80,
            "{} wide: {line:?}",
            line.chars().count()
        );
    }
}

#[test]
fn an_empty_list_says_how_to_create_the_first_key() {
    let env = Env::new();
    let (_, id) = env.create("gone", &["accounts"]);
    env.cmd().args(["delete", "--yes", &id]).assert().success();
    let (output, code) = finish(spawn(&env, 0, &["list"]));
    assert_eq!(code, 0);
    assert!(
        output.contains("No keys yet. Create the first one with `intergiro-keys create"),
        "{output}"
    );
}

/// Text without ANSI escape sequences (CSI: ESC [ … final byte).
fn strip_ansi(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' && chars.peek() == Some(&'[') {
            chars.next();
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Names come from the database, which anyone with write access can edit:
/// escape sequences in them must never reach the terminal raw.
#[test]
fn control_characters_in_names_are_shown_escaped_everywhere() {
    let env = Env::new();
    let (key, id) = env.create("plain", &["accounts"]);
    env.execute("UPDATE api_key SET name = ?1", &["evil\u{1b}[31mred\u{7}"]);
    // Sealed again, so that every command takes the row as it is.
    env.reseal(&id);
    let escaped = "evil\\x1b[31mred\\x07";

    let outputs = [
        finish(spawn(&env, 0, &["list"])).0,
        finish(spawn(&env, 0, &["renew", &id])).0,
        String::from_utf8(
            env.days_later(0)
                .cmd()
                .arg("verify")
                .write_stdin(key.clone())
                .output()
                .unwrap()
                .stdout,
        )
        .unwrap(),
        String::from_utf8(
            env.days_later(80)
                .cmd()
                .arg("check")
                .output()
                .unwrap()
                .stdout,
        )
        .unwrap(),
        {
            let mut session = spawn(&env, 0, &["delete", &id]);
            session.exp_string("Delete this key?").unwrap();
            press(&mut session, "y\r");
            finish(session).0
        },
    ];
    for output in outputs {
        assert!(output.contains(escaped), "{output:?}");
        assert!(
            !output.contains("evil\u{1b}"),
            "raw escape reached the terminal: {output:?}"
        );
        assert!(!output.contains('\u{7}'), "{output:?}");
    }
}

/// At a terminal, `verify` asks for the key without echoing it, rather than
/// reading a visible line.
#[test]
fn verify_at_a_terminal_asks_for_the_key_without_echo() {
    let env = Env::new();
    let (key, id) = env.create("typed", &["accounts"]);
    let mut session = spawn(&env, 0, &["verify"]);
    session.exp_string("Key (input hidden)").unwrap();
    wait_for_hidden_input(&session);
    press(&mut session, &format!("{key}\r"));
    let (output, code) = finish(session);
    assert_eq!(code, 0, "{output}");
    assert!(output.contains(&format!("valid: key {id}")), "{output}");
    assert!(
        !output.contains(&key[17..60]),
        "the key was echoed: {output}"
    );

    // --no-input forbids the question.
    let (output, code) = finish(spawn(&env, 0, &["--no-input", "verify"]));
    assert_eq!(code, 2);
    assert!(output.contains("pipe it in"), "{output}");
}

#[test]
fn scan_revoke_asks_first_naming_each_key_and_defaults_to_no() {
    let env = Env::new();
    let (key, id) = env.create("leaky-bot", &["payments"]);
    std::fs::write(env.path("leak.txt"), format!("token: {key}\n")).unwrap();

    let mut session = spawn(&env, 0, &["scan", "--revoke", "leak.txt"]);
    session.exp_string(&id).unwrap();
    session.exp_string("leaky-bot").unwrap();
    session.exp_string("Delete this leaked key?").unwrap();
    press(&mut session, "\r"); // the default
    session.exp_string("Nothing was deleted.").unwrap();
    let (rest, code) = finish(session);
    assert_eq!(code, 1, "the key still works: {rest}");
    assert!(rest.contains("active"), "{rest}");
    assert!(!rest.contains(&key[17..]), "the secret was printed");
    assert_eq!(env.days_later(0).verify(&key, &[]).0, 0);

    let mut session = spawn(&env, 0, &["scan", "--revoke", "leak.txt"]);
    session.exp_string("Delete this leaked key?").unwrap();
    press(&mut session, "y\r");
    session
        .exp_string(&format!("leak.txt:1:8: igk_{id}_"))
        .unwrap();
    session.exp_string("revoked \"leaky-bot\"").unwrap();
    assert_eq!(finish(session).1, 0);
    assert_eq!(env.days_later(0).verify(&key, &[]).0, 1);
}

/// Whether `text` has an SGR (colour or bold) escape sequence.
fn has_colour(text: &str) -> bool {
    text.split("\u{1b}[").skip(1).any(|rest| {
        let end = rest
            .find(|c: char| !(c.is_ascii_digit() || c == ';'))
            .unwrap_or(rest.len());
        rest[end..].starts_with('m')
    })
}

/// The binary on a pseudo-terminal `columns` wide, `days` after t0.
fn spawn_wide(env: &Env, days: i64, columns: u16, args: &[&str]) -> PtySession {
    let mut cmd = env.days_later(days).std_cmd();
    cmd.args(args)
        .env("TERM", "xterm")
        .env("COLUMNS", columns.to_string());
    rexpect::session::spawn_command(cmd, Some(TIMEOUT_MS)).unwrap()
}

#[test]
fn below_72_columns_the_key_stands_alone_on_its_line() {
    let env = Env::new();
    let args = ["create", "--name", "narrow", "--role", "accounts"];
    let (output, code) = finish(spawn_wide(&env, 0, 60, &args));
    assert_eq!(code, 0, "{output}");
    let output = utf8(&strip_ansi(&output));
    assert!(!output.contains('┌') && !output.contains('│'), "{output}");
    let line = output
        .lines()
        .find(|line| line.trim_end().starts_with("igk_"))
        .unwrap_or_else(|| panic!("no line with the key alone: {output}"));
    assert_eq!(line.trim_end().len(), 66, "{line:?}");
    assert!(output.contains("WARNING: this key is shown only once"));

    // Wide enough: the framed block.
    let (output, _) = finish(spawn_wide(&env, 0, 80, &args));
    let output = utf8(&strip_ansi(&output));
    assert!(
        output.contains('┌') && output.contains("│ igk_"),
        "{output}"
    );
}

/// The pseudo-terminal's output reads one character per byte; this decodes
/// it as the UTF-8 the terminal would show.
fn utf8(text: &str) -> String {
    let bytes: Vec<u8> = text.chars().map(|c| c as u32 as u8).collect();
    String::from_utf8_lossy(&bytes).into_owned()
}

#[test]
fn at_60_columns_ids_and_dates_never_wrap() {
    let env = Env::new();
    let mut ids = Vec::new();
    for name in ["nightly-export-of-all-accounts", "payments-bot"] {
        ids.push(
            env.create(name, &["accounts", "transactions", "payments"])
                .1,
        );
    }
    let (output, code) = finish(spawn_wide(&env, 0, 60, &["list"]));
    assert_eq!(code, 0);
    let output = utf8(&strip_ansi(&output));
    for line in output.lines() {
        assert!(line.trim_end().chars().count() <= 60, "{line:?}");
    }
    for id in &ids {
        assert!(output.contains(id.as_str()), "{id} broken: {output}");
    }
    // Still a table, one line a key: the freeze dates whole, the least
    // needed columns left out (docs/terminal-width.md), names cut with `…`.
    assert_eq!(
        output.matches("2026-04-01 12:00").count(),
        2,
        "freeze dates broken: {output}"
    );
    assert!(!output.contains("CREATED"), "{output}");
    assert!(output.contains("nightly-…"), "{output}");
}

#[test]
fn without_colour_the_role_picker_still_shows_its_cursor() {
    for (how, value) in [("NO_COLOR", "1"), ("--color", "never")] {
        let env = Env::new();
        let mut cmd = env.days_later(0).std_cmd();
        cmd.env("TERM", "xterm");
        if how == "NO_COLOR" {
            cmd.env(how, value).arg("create");
        } else {
            cmd.args([how, value, "create"]);
        }
        let mut session = rexpect::session::spawn_command(cmd, Some(TIMEOUT_MS)).unwrap();
        let (before, _) = session.exp_regex(r"> \[ \] transactions").unwrap();
        press(&mut session, DOWN);
        press(&mut session, " ");
        session.exp_regex(r"> \[x\] accounts").unwrap();
        press(&mut session, "\r");
        session.exp_string("Name of the new key").unwrap();
        press(&mut session, "\r");
        let (rest, code) = finish(session);
        assert_eq!(code, 0, "{how}: {rest}");
        assert!(
            !has_colour(&before),
            "{how}: the prompt is coloured: {before:?}"
        );
        assert_eq!(env.list_json()[0]["roles"], serde_json::json!(["accounts"]));
    }
}

#[test]
fn create_list_and_check_agree_on_days_and_say_today() {
    let env = Env::new();
    let (output, _) = finish(spawn(
        &env,
        0,
        &["create", "--name", "k", "--role", "accounts"],
    ));
    assert!(output.contains("(in 90 days)"), "{output}");
    // A second later, on the same day: still 90 everywhere.
    let later = crate::common::t0() + chrono::Duration::seconds(1);
    let list = env.at(later).list_json();
    assert_eq!(list[0]["days_left"], 90);
    let check = env
        .at(later)
        .cmd()
        .args(["check", "--warning", "90"])
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&check.stdout).contains("k (90 days)"),
        "{check:?}"
    );

    // The freeze is at 12:00 on day 90: the morning before it, then the
    // afternoon after it.
    let freeze = crate::common::t0() + chrono::Duration::days(90);
    for (at, expected, code) in [
        (freeze - chrono::Duration::hours(25), "k (1 day)", 1),
        (freeze - chrono::Duration::hours(2), "k (freezes today)", 1),
        (freeze + chrono::Duration::hours(2), "k (froze today)", 2),
        (
            freeze + chrono::Duration::hours(25),
            "k (frozen 1 day ago)",
            2,
        ),
    ] {
        let output = env.at(at).cmd().arg("check").output().unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(stdout.contains(expected), "{at}: {stdout}");
        assert!(!stdout.contains("0 days"), "{at}: {stdout}");
        assert_eq!(output.status.code(), Some(code), "{at}: {stdout}");
    }
}
/// `delete` at a terminal with no key given asks for the key without echo,
/// then confirms like any other delete; `revoke` is the same command.
#[test]
fn delete_without_an_argument_asks_for_the_key_hidden_then_confirms() {
    let env = Env::new();
    let (key, id) = env.create("leaked", &["payments"]);
    let mut session = spawn(&env, 0, &["revoke"]);
    session.exp_string("Key (input hidden)").unwrap();
    wait_for_hidden_input(&session);
    press(&mut session, &format!("{key}\r"));
    session.exp_string(&id).unwrap();
    session.exp_string("Delete this key?").unwrap();
    press(&mut session, "y\r");
    session.exp_string(&format!("Deleted key {id}")).unwrap();
    let (output, code) = finish(session);
    assert_eq!(code, 0, "{output}");
    assert!(
        !output.contains(&key[17..60]),
        "the key was echoed: {output}"
    );
    assert_eq!(env.days_later(0).verify(&key, &[]).0, 1);
}

/// The key is read with echo off from before the question shows (a key
/// typed at once is neither echoed nor lost), and Ctrl-C at the question
/// leaves the terminal echoing again.
#[test]
fn the_hidden_prompt_takes_a_key_typed_at_once_and_ctrl_c_gives_echo_back() {
    let env = Env::new();
    let (key, id) = env.create("typed", &["accounts"]);
    let mut session = spawn(&env, 0, &["verify"]);
    session.exp_string("Key (input hidden)").unwrap();
    press(&mut session, &format!("{key}\r"));
    let (output, code) = finish(session);
    assert_eq!(code, 0, "{output}");
    assert!(output.contains(&format!("valid: key {id}")), "{output}");
    assert!(
        !output.contains(&key[17..60]),
        "the key was echoed: {output}"
    );

    // rexpect starts its terminal without echo, so the settings the prompt
    // changes are told by ECHONL, which it turns on with echo off (the
    // Enter still ends the line on screen) and must turn off again.
    let mut session = spawn(&env, 0, &["verify"]);
    session.exp_string("Key (input hidden)").unwrap();
    let terminal = session.process().get_file_handle().unwrap();
    let settled = |wanted: bool| {
        let deadline = Instant::now() + Duration::from_millis(TIMEOUT_MS);
        loop {
            let flags = tcgetattr(&terminal).unwrap().local_flags;
            let prompting = flags.contains(LocalFlags::ECHONL) && !flags.contains(LocalFlags::ECHO);
            if prompting == wanted || Instant::now() > deadline {
                return prompting == wanted;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    };
    assert!(settled(true), "the prompt did not hide the input");
    press(&mut session, "igk_half-typed\x03");
    let echoing = settled(false);
    let output = session.exp_eof().unwrap();
    let status = session.process().wait().unwrap();
    assert!(
        matches!(status, WaitStatus::Exited(_, 130)),
        "{status:?}: {output}"
    );
    assert!(echoing, "the terminal was left as the prompt set it");
    assert!(!output.contains("half-typed"), "{output}");
}
