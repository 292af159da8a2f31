//! One clock per store: on PostgreSQL every verdict follows the server's
//! clock, so hosts whose clocks are off (faketime) judge alike, and each
//! says its clock is off.

use chrono::{DateTime, Duration, Utc};

use crate::common::{Env, installed};
use crate::serve::Serve;

/// The binary as `env` runs it at the real time, on a host whose clock is
/// `offset` off (faketime), or at the test clock `at`.
fn command(env: &Env, offset: Option<&str>, at: Option<DateTime<Utc>>) -> std::process::Command {
    let plain = match at {
        Some(at) => env.at(at).std_cmd(),
        None => env.std_cmd(),
    };
    let mut cmd = match offset {
        Some(offset) => {
            let mut cmd = std::process::Command::new("faketime");
            cmd.args(["-f", offset]).arg(plain.get_program());
            cmd
        }
        None => std::process::Command::new(plain.get_program()),
    };
    cmd.env_clear();
    for (name, value) in plain.get_envs() {
        if let Some(value) = value {
            cmd.env(name, value);
        }
    }
    if at.is_none() {
        // The server's own clock, not the test suite's.
        cmd.env_remove("INTERGIRO_KEYS_NOW");
    }
    // Only the wall clock is off, as on a host whose time is wrong.
    cmd.env("FAKETIME_DONT_FAKE_MONOTONIC", "1");
    cmd.current_dir(env.dir.path());
    cmd
}

fn run(
    mut cmd: std::process::Command,
    args: &[&str],
    stdin: Option<&str>,
) -> (i32, String, String) {
    use std::io::Write;
    cmd.args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    let mut input = child.stdin.take().unwrap();
    input
        .write_all(stdin.unwrap_or_default().as_bytes())
        .unwrap();
    drop(input);
    let output = child.wait_with_output().unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
#[ignore = "needs PostgreSQL: run under tests/pg/cluster.sh with --include-ignored"]
fn hosts_with_clocks_20_minutes_off_judge_every_key_as_the_server_does() {
    let env = Env::postgres();
    if !installed("faketime") {
        return;
    }
    // Keys dated by the server's test clock so that, by its real clock,
    // they freeze or retire minutes from now.
    let now = Utc::now();
    let create = |name: &str, at: DateTime<Utc>| {
        let (code, stdout, stderr) = run(
            command(&env, None, Some(at)),
            &["create", "--name", name, "--role", "payments"],
            None,
        );
        assert_eq!(code, 0, "{stderr}");
        stdout.trim().to_string()
    };
    let rotate = |key: &str, at: DateTime<Utc>, grace: &str| {
        let id = &key[4..16];
        let (code, stdout, stderr) = run(
            command(&env, None, Some(at)),
            &["rotate", "--grace", grace, id],
            None,
        );
        assert_eq!(code, 0, "{stderr}");
        stdout.trim().to_string()
    };
    let freezes_soon = create(
        "freezes-in-15-minutes",
        now - Duration::days(90) + Duration::minutes(15),
    );
    let just_frozen = create(
        "froze-15-minutes-ago",
        now - Duration::days(90) - Duration::minutes(15),
    );
    let in_grace = create("retires-in-14-minutes", now - Duration::days(1));
    let replacement = rotate(&in_grace, now - Duration::minutes(1), "15m");
    let retired = create("retired-15-minutes-ago", now - Duration::days(1));
    rotate(&retired, now - Duration::minutes(16), "1m");
    let keys = [
        &freezes_soon,
        &just_frozen,
        &in_grace,
        &replacement,
        &retired,
    ];

    // The verdicts of a host whose clock is `offset` off.
    let verdicts = |offset: Option<&str>| {
        let verify: Vec<i32> = keys
            .iter()
            .map(|key| run(command(&env, offset, None), &["verify"], Some(key)).0)
            .collect();
        let (code, stdout, stderr) = run(
            command(&env, offset, None),
            &["list", "--format", "json"],
            None,
        );
        assert_eq!(code, 0, "{stderr}");
        let listed: Vec<serde_json::Value> = serde_json::from_str(&stdout).unwrap();
        let mut statuses: Vec<String> = listed
            .iter()
            .map(|key| format!("{} {} {}", key["name"], key["status"], key["days_left"]))
            .collect();
        statuses.sort();
        let (code, stdout, _) = run(
            command(&env, offset, None),
            &["check", "--format", "json"],
            None,
        );
        let check: serde_json::Value = serde_json::from_str(&stdout).unwrap();
        let check = format!("{code} {} {}", check["status"], check["message"]);
        let (_, _, warned) = run(command(&env, offset, None), &["list"], None);
        (verify, statuses, check, warned)
    };
    let (verify, statuses, check, warned) = verdicts(None);
    // As the server's clock has them: the key about to freeze and the one
    // in its grace work; the frozen and the retired ones do not.
    assert_eq!(verify[0], 0, "the key freezing in 15 minutes");
    assert_eq!(verify[2], 0, "the key in its grace");
    assert_eq!(verify[3], 0, "the replacement");
    assert_ne!(verify[1], 0, "the key frozen 15 minutes ago");
    assert_ne!(verify[4], 0, "the key retired 15 minutes ago");
    assert!(!warned.contains("clock"), "{warned}");
    for offset in ["-20m", "-10m", "+10m", "+20m"] {
        let (skewed_verify, skewed_statuses, skewed_check, skewed_warned) = verdicts(Some(offset));
        assert_eq!(skewed_verify, verify, "verify exit codes at {offset}");
        assert_eq!(skewed_statuses, statuses, "list at {offset}");
        assert_eq!(skewed_check, check, "check at {offset}");
        let (ahead, minutes) = offset.split_at(1);
        let side = if ahead == "+" { "ahead of" } else { "behind" };
        assert!(
            skewed_warned.contains(&format!("clock is {} min", &minutes[..2]))
                && skewed_warned.contains(side)
                && skewed_warned.matches("warning").count() == 1,
            "{offset}: {skewed_warned}"
        );
        // status shows the skew, in its table and its JSON.
        let (_, table, _) = run(command(&env, Some(offset), None), &["status"], None);
        assert!(
            table.contains(&format!("{} min", &minutes[..2])) && table.contains(side),
            "{table}"
        );
        let (_, json, _) = run(
            command(&env, Some(offset), None),
            &["status", "--format", "json"],
            None,
        );
        let json: serde_json::Value = serde_json::from_str(&json).unwrap();
        let skew = json["clock_skew_seconds"].as_i64().unwrap();
        let expected: i64 = offset.trim_end_matches('m').parse::<i64>().unwrap() * 60;
        assert!((skew - expected).abs() <= 2, "{offset}: {skew}");
        // serve answers as verify does.
        let serve = Serve::start_with(command(&env, Some(offset), None), &[]);
        let answers: Vec<u16> = keys.iter().map(|key| serve.status(key)).collect();
        let expected: Vec<u16> = verify
            .iter()
            .map(|code| if *code == 0 { 200 } else { 401 })
            .collect();
        assert_eq!(answers, expected, "serve at {offset}");
    }
}
