//! The audit log shipped to a SIEM: `audit --format jsonl`, `--follow`
//! resumed with `--after` (nothing skipped, nothing repeated), SIGTERM and
//! SIGINT ending it cleanly, and `--syslog` (RFC 5424) received on a Unix
//! datagram socket the test binds.

use std::io::{BufRead, BufReader};
use std::os::unix::net::UnixDatagram;
use std::process::{Child, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use predicates::prelude::*;
use serde_json::Value;

use crate::common::Env;

/// Every entry as `audit --format json` lists it: (seq, hash).
fn entries(env: &Env) -> Vec<(i64, String)> {
    env.days_later(0)
        .json_array(&["audit"])
        .iter()
        .map(|entry| {
            (
                entry["seq"].as_i64().unwrap(),
                entry["hash"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .unwrap()
        .trim()
        .to_string()
}

/// A running `audit --follow`, its lines arriving on a channel.
struct Follower {
    child: Child,
    lines: Receiver<String>,
    seen: Vec<Value>,
}

impl Follower {
    fn start(env: &Env, args: &[&str]) -> Follower {
        let mut child = env
            .std_cmd()
            .args(["audit", "--follow", "--format", "jsonl"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (send, lines) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if send.send(line).is_err() {
                    break;
                }
            }
        });
        Follower {
            child,
            lines,
            seen: Vec::new(),
        }
    }

    /// Waits until the entry `seq` has been printed.
    fn wait_for(&mut self, seq: i64) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while !self.seen.iter().any(|line| line["seq"] == seq) {
            let left = deadline.saturating_duration_since(Instant::now());
            let line = self
                .lines
                .recv_timeout(left)
                .unwrap_or_else(|_| panic!("entry {seq} never followed: {:?}", self.seen));
            self.seen.push(serde_json::from_str(&line).unwrap());
        }
    }

    /// Sends `signal`; the follower must end with exit 0 within 5 s. Returns
    /// every line it printed.
    fn stop(mut self, signal: &str) -> Vec<Value> {
        send_signal(&self.child, signal);
        let deadline = Instant::now() + Duration::from_secs(5);
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            assert!(
                Instant::now() < deadline,
                "{signal} did not end audit --follow"
            );
            std::thread::sleep(Duration::from_millis(20));
        };
        let mut stderr = String::new();
        std::io::Read::read_to_string(&mut self.child.stderr.take().unwrap(), &mut stderr).unwrap();
        assert_eq!(status.code(), Some(0), "{signal}: {stderr}");
        assert_eq!(stderr, "", "{signal}");
        // The rest of what it printed, to its last whole line.
        while let Ok(line) = self.lines.recv_timeout(Duration::from_secs(2)) {
            self.seen.push(serde_json::from_str(&line).unwrap());
        }
        self.seen
    }
}

/// Sends `-TERM` or `-INT` to `child`.
fn send_signal(child: &Child, signal: &str) {
    use nix::sys::signal::{Signal, kill};
    let signal = match signal {
        "-TERM" => Signal::SIGTERM,
        "-INT" => Signal::SIGINT,
        other => panic!("{other}"),
    };
    kill(nix::unistd::Pid::from_raw(child.id() as i32), signal).unwrap();
}

fn last_seq(env: &Env) -> i64 {
    entries(env).last().unwrap().0
}

#[test]
fn jsonl_lines_carry_seq_hash_operator_host_and_outcome() {
    let env = Env::new();
    env.create("a", &["accounts"]);
    env.create("b", &["payments"]);
    let output = env
        .cmd()
        .args(["audit", "--format", "jsonl"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    let lines: Vec<Value> = text
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    let listed = entries(&env);
    assert_eq!(lines.len(), listed.len(), "{text}");
    for (line, (seq, hash)) in lines.iter().zip(&listed) {
        assert_eq!(line["seq"], *seq);
        assert_eq!(line["hash"], hash.as_str());
        assert_eq!(line["host"], hostname().as_str());
        for field in ["operator", "outcome", "action", "at", "prev_hash"] {
            assert!(line[field].is_string(), "{field}: {line}");
        }
    }
    // --after leaves out what was seen.
    let after = listed[0].0;
    let output = env
        .cmd()
        .args(["audit", "--format", "jsonl", "--after", &after.to_string()])
        .output()
        .unwrap();
    let seqs: Vec<i64> = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|line| {
            serde_json::from_str::<Value>(line).unwrap()["seq"]
                .as_i64()
                .unwrap()
        })
        .collect();
    let expected: Vec<i64> = listed[1..].iter().map(|(seq, _)| *seq).collect();
    assert_eq!(seqs, expected);
}

#[test]
fn follow_restarted_with_after_neither_skips_nor_repeats() {
    let env = Env::new();
    let (_, first) = env.create("first", &["accounts"]);

    let mut a = Follower::start(&env, &[]);
    a.wait_for(last_seq(&env));
    env.create("while-a", &["payments"]);
    a.wait_for(last_seq(&env));
    let from_a = a.stop("-TERM");
    let seen_by_a = from_a.last().unwrap()["seq"].as_i64().unwrap();

    // Written while nobody follows.
    env.create("while-stopped", &["accounts"]);
    env.cmd().args(["renew", &first]).assert().success();

    let mut b = Follower::start(&env, &["--after", &seen_by_a.to_string()]);
    b.wait_for(last_seq(&env));
    env.create("while-b", &["accounts"]);
    b.wait_for(last_seq(&env));
    let from_b = b.stop("-INT");

    let followed: Vec<(i64, String)> = from_a
        .iter()
        .chain(&from_b)
        .map(|line| {
            (
                line["seq"].as_i64().unwrap(),
                line["hash"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(followed, entries(&env), "every entry once, in order");
}

#[test]
fn follow_needs_lines_not_one_json_array() {
    let env = Env::new();
    env.create("a", &["accounts"]);
    env.cmd()
        .args(["audit", "--follow", "--format", "json"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("use --format jsonl"));
    env.cmd()
        .args(["list", "--format", "jsonl"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("only for `intergiro-keys audit`"));
    env.cmd()
        .args(["audit", "--verify", "--follow"])
        .assert()
        .code(2);
}

/// Receives datagrams until `count` arrived (or 20 s passed).
fn receive(socket: &UnixDatagram, count: usize) -> Vec<String> {
    socket
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let mut messages = Vec::new();
    let mut buf = vec![0u8; 64 * 1024];
    while messages.len() < count {
        let n = socket
            .recv(&mut buf)
            .unwrap_or_else(|err| panic!("{err}: only {messages:?}"));
        messages.push(String::from_utf8(buf[..n].to_vec()).unwrap());
    }
    messages
}

/// The JSON of an RFC 5424 message from the tool, its header checked.
fn syslog_json(message: &str, host: &str) -> (u32, Value) {
    let rest = message.strip_prefix('<').unwrap();
    let (pri, rest) = rest.split_once(">1 ").unwrap();
    let fields: Vec<&str> = rest.splitn(7, ' ').collect();
    assert_eq!(fields.len(), 7, "{message}");
    assert!(fields[0].ends_with('Z'), "timestamp: {message}");
    assert_eq!(fields[1], host);
    assert_eq!(fields[2], "intergiro-keys");
    assert!(fields[3].parse::<u32>().is_ok(), "procid: {message}");
    assert_eq!(fields[4], "audit");
    assert_eq!(fields[5], "-", "no structured data: {message}");
    (
        pri.parse().unwrap(),
        serde_json::from_str(fields[6]).unwrap(),
    )
}

#[test]
fn syslog_messages_are_rfc_5424_on_the_socket_given() {
    let env = Env::new();
    env.create("a", &["accounts"]);
    env.cmd()
        .args(["users", "add", "bob", "--permission", "view"])
        .assert()
        .success();
    // A refusal: logged as a notice rather than info.
    env.cmd()
        .env("INTERGIRO_KEYS_OPERATOR", "bob")
        .args(["create", "--name", "x", "--role", "accounts"])
        .assert()
        .code(2);
    let path = env.path("log.sock");
    let socket = UnixDatagram::bind(&path).unwrap();
    let output = env
        .cmd()
        .args(["audit", "--syslog", "--syslog-socket"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(output.stdout.is_empty(), "syslog instead of stdout");
    let listed = entries(&env);
    let messages = receive(&socket, listed.len());
    for (message, (seq, hash)) in messages.iter().zip(&listed) {
        let (pri, json) = syslog_json(message, &hostname());
        assert_eq!(json["seq"], *seq);
        assert_eq!(json["hash"], hash.as_str());
        // authpriv (10): info (6) for what went through, notice (5) else.
        let expected = if json["outcome"] == "ok" { 86 } else { 85 };
        assert_eq!(pri, expected, "{message}");
    }
    assert!(messages.iter().any(|m| m.starts_with("<85>1 ")));

    // Followed: a new entry arrives; SIGTERM ends it.
    let last = listed.last().unwrap().0;
    let mut follower = env
        .std_cmd()
        .args([
            "audit",
            "--follow",
            "--syslog",
            "--after",
            &last.to_string(),
        ])
        .arg("--syslog-socket")
        .arg(&path)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    env.create("b", &["payments"]);
    let (_, json) = syslog_json(&receive(&socket, 1)[0], &hostname());
    assert_eq!(json["seq"], last + 1);
    assert_eq!(json["action"], "create");
    send_signal(&follower, "-TERM");
    assert_eq!(follower.wait().unwrap().code(), Some(0));
}

#[test]
fn a_missing_syslog_socket_is_a_clear_error() {
    let env = Env::new();
    env.create("a", &["accounts"]);
    env.cmd()
        .args(["audit", "--syslog", "--syslog-socket"])
        .arg(env.path("nothing-here.sock"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot reach the syslog socket"))
        .stderr(predicate::str::contains("--syslog-socket"));
}

#[test]
#[ignore = "needs PostgreSQL: run under tests/pg/cluster.sh with --include-ignored"]
fn follow_reconnects_when_the_server_drops_its_connection() {
    let env = Env::postgres();
    env.create("a", &["accounts"]);
    let mut follower = env
        .std_cmd()
        .args(["audit", "--follow", "--format", "jsonl"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = follower.stdout.take().unwrap();
    let (send, lines) = channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if send.send(line).is_err() {
                break;
            }
        }
    });
    let mut seen: Vec<i64> = Vec::new();
    let wait_for = |seq: i64, seen: &mut Vec<i64>| {
        while !seen.contains(&seq) {
            let line = lines
                .recv_timeout(Duration::from_secs(30))
                .unwrap_or_else(|_| panic!("entry {seq} never followed: {seen:?}"));
            let line: Value = serde_json::from_str(&line).unwrap();
            seen.push(line["seq"].as_i64().unwrap());
        }
    };
    wait_for(last_seq(&env), &mut seen);
    // The follower's connection dropped, as by a server restart.
    env.sql(&format!(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '{}' AND datname = current_database() AND pid <> pg_backend_pid()",
        crate::common::pg::acting_account()
    ));
    env.create("b", &["payments"]);
    wait_for(last_seq(&env), &mut seen);
    send_signal(&follower, "-TERM");
    let output = follower.wait_with_output().unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    let expected: Vec<i64> = entries(&env).iter().map(|(seq, _)| *seq).collect();
    assert_eq!(seen, expected, "every entry once: {stderr}");
}
