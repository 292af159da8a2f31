//! Concurrency, crashes and closed pipes: the database stays whole, no update
//! is lost, and no key is usable unless its secret was written out.
//!
//! `INTERGIRO_KEYS_LONG_TESTS=1` runs the long versions (more kill cycles).

use std::collections::HashSet;
use std::io::Read;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use predicates::prelude::*;
use rand::RngExt;

use crate::common::Env;

fn long_tests() -> bool {
    std::env::var_os("INTERGIRO_KEYS_LONG_TESTS").is_some_and(|value| value == "1")
}

/// SQLite's own check of the file; a PostgreSQL server keeps its data
/// whole itself, so there the store need only answer.
fn integrity(env: &Env) -> String {
    if env.is_postgres() {
        return match env.number("SELECT count(*) FROM api_key", &[]) {
            Some(_) => "ok".to_string(),
            None => "no answer".to_string(),
        };
    }
    let conn = rusqlite::Connection::open(&env.db).unwrap();
    conn.query_row("PRAGMA integrity_check", [], |row| row.get(0))
        .unwrap()
}

fn count(env: &Env, sql: &str) -> i64 {
    env.number(sql, &[]).unwrap()
}

/// 8 processes at once, each 50 creates and 50 renews of the same shared
/// keys: every command succeeds and every change is counted.
#[test]
fn eight_processes_creating_and_renewing_at_once_lose_nothing() {
    const WORKERS: usize = 8;
    const EACH: usize = 50;
    let env = Env::new();
    let shared: Vec<String> = (0..3)
        .map(|i| env.create(&format!("shared-{i}"), &["accounts"]).1)
        .collect();

    let started = Instant::now();
    std::thread::scope(|scope| {
        for worker in 0..WORKERS {
            let env = &env;
            let shared = &shared;
            scope.spawn(move || {
                for i in 0..EACH {
                    let output = env
                        .cmd()
                        .args([
                            "create",
                            "--name",
                            &format!("w{worker}-{i}"),
                            "--role",
                            "transactions",
                        ])
                        .output()
                        .unwrap();
                    assert!(
                        output.status.success(),
                        "create: {}",
                        String::from_utf8_lossy(&output.stderr)
                    );
                    let id = &shared[(worker + i) % shared.len()];
                    // Seconds apart, not days: the audit log's times may go
                    // back only as far as concurrent commands make them.
                    let output = env
                        .at(crate::common::t0() + chrono::Duration::seconds(1 + i as i64))
                        .cmd()
                        .args(["renew", id])
                        .output()
                        .unwrap();
                    assert!(
                        output.status.success(),
                        "renew: {}",
                        String::from_utf8_lossy(&output.stderr)
                    );
                }
            });
        }
    });
    eprintln!(
        "{} commands by {WORKERS} processes in {:?}",
        WORKERS * EACH * 2,
        started.elapsed()
    );

    assert_eq!(integrity(&env), "ok");
    let workers = (WORKERS * EACH) as i64;
    assert_eq!(
        count(
            &env,
            "SELECT count(*) FROM api_key WHERE name LIKE 'w%' AND issued"
        ),
        workers
    );
    assert_eq!(
        count(
            &env,
            "SELECT count(*) FROM audit WHERE action = 'create' AND outcome = 'ok' AND detail LIKE 'roles %'"
        ),
        workers + 3
    );
    assert_eq!(
        count(
            &env,
            "SELECT count(*) FROM audit WHERE action = 'renew' AND outcome = 'ok'"
        ),
        workers
    );
    assert_eq!(
        count(&env, "SELECT count(DISTINCT id) FROM api_key"),
        workers + 3
    );
    env.cmd().args(["audit", "--verify"]).assert().success();
}

/// A writer held off by another's lock past the busy timeout gives up with a
/// clear message instead of hanging.
#[test]
fn a_writer_held_off_past_the_busy_timeout_fails_clearly() {
    let env = Env::new();
    let (_, id) = env.create("k", &["accounts"]);
    let lock = env.hold_write_lock();

    let started = Instant::now();
    env.cmd()
        .env("INTERGIRO_KEYS_BUSY_TIMEOUT", "1")
        .args(["renew", &id])
        .timeout(Duration::from_secs(30))
        .assert()
        .code(75)
        .stderr(predicate::str::contains(
            "stayed locked by another process for 1 seconds; nothing was changed",
        ));
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(900),
        "gave up after {waited:?}"
    );
    // Readers are not blocked by a writer (WAL; PostgreSQL's snapshots).
    env.cmd().arg("check").assert().code(0);
    drop(lock);
    env.cmd().args(["renew", &id]).assert().success();

    env.cmd()
        .env("INTERGIRO_KEYS_BUSY_TIMEOUT", "soon")
        .args(["renew", &id])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "INTERGIRO_KEYS_BUSY_TIMEOUT=\"soon\" is not a number of seconds",
        ));
}

/// `create` with its stdout closed: the key cannot be delivered, so none is
/// left behind, and the command fails.
#[test]
fn create_into_a_closed_pipe_fails_and_leaves_no_key() {
    let env = Env::new();
    env.create("existing", &["accounts"]);
    let mut child = env
        .std_cmd()
        .args(["create", "--name", "lost", "--role", "payments"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.contains("could not be written to stdout"),
        "{stderr}"
    );
    assert!(stderr.contains("nothing was created"), "{stderr}");
    let names: Vec<String> = env
        .list_json()
        .iter()
        .map(|key| key["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(names, ["existing"]);
    let failed = count(
        &env,
        "SELECT count(*) FROM audit WHERE action = 'create' AND outcome = 'failed'",
    );
    assert_eq!(failed, 1);
}

/// The lines a killed child managed to print in full.
fn complete_lines(child: &mut Child) -> Vec<String> {
    let mut text = String::new();
    if let Some(mut stdout) = child.stdout.take() {
        let _ = stdout.read_to_string(&mut text);
    }
    let complete = match text.rfind('\n') {
        Some(end) => &text[..end],
        None => "",
    };
    complete.lines().map(str::to_string).collect()
}

/// SIGKILL at random moments in loops of create, renew and delete: the
/// database always opens and is whole, every key whose secret was printed
/// exists, and every usable key had its secret printed.
#[test]
fn killed_at_random_moments_the_database_stays_whole_and_honest() {
    let cycles = if long_tests() { 300 } else { 30 };
    let env = Env::new();
    let (_, anchor) = env.create("anchor", &["accounts"]);
    let mut rng = rand::rng();
    let mut killed = 0;
    // Kill within the time an uninterrupted create takes on this machine now,
    // so that the kills land in every phase whatever the load: the fastest
    // of three, since one create slowed by a busy moment would make a window
    // that most later commands finish within.
    let mut printed_ids: HashSet<String> = HashSet::from([anchor.clone()]);
    let mut fastest = u64::MAX;
    for _ in 0..3 {
        let started = Instant::now();
        let (_, timing) = env.create("timing", &["accounts"]);
        fastest = fastest.min(started.elapsed().as_micros() as u64);
        printed_ids.insert(timing);
    }
    let window = fastest * 13 / 10;

    // A busy moment while the window was measured makes it long, and then
    // most quick commands finish before their kill: keep going (up to four
    // times as many cycles) until a quarter of the planned cycles were kills.
    let mut cycle = 0;
    while cycle < cycles || (killed < cycles / 4 && cycle < 4 * cycles) {
        let known: Vec<String> = env
            .list_json()
            .iter()
            .map(|k| k["id"].as_str().unwrap().to_string())
            .collect();
        let args: Vec<String> = match cycle % 4 {
            0 | 1 => vec![
                "create".into(),
                "--name".into(),
                format!("c{cycle}"),
                "--role".into(),
                "payments".into(),
            ],
            2 => vec![
                "renew".into(),
                known[rng.random_range(0..known.len())].clone(),
            ],
            _ => match known.iter().find(|id| **id != anchor) {
                Some(id) => vec!["delete".into(), "--yes".into(), id.clone()],
                None => vec!["renew".into(), anchor.clone()],
            },
        };
        // Days that never go back: a log whose times went backwards fails
        // `audit --verify`, and a busy machine may run past 80 cycles.
        let mut child = env
            .days_later((cycle as i64).min(79))
            .std_cmd()
            .args(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // Every fifth command runs to the end; the others are killed at a
        // random moment, from before the database is opened to the end.
        if cycle % 5 != 0 {
            std::thread::sleep(Duration::from_micros(rng.random_range(0..window)));
        }
        if cycle % 5 != 0 && child.try_wait().unwrap().is_none() {
            child.kill().unwrap();
            killed += 1;
        }
        for line in complete_lines(&mut child) {
            if line.starts_with("igk_") {
                printed_ids.insert(line[4..16].to_string());
            }
        }
        let _ = child.wait();

        // The database opens and is whole after every kill.
        assert_eq!(integrity(&env), "ok", "cycle {cycle}: {args:?}");
        let rows: Vec<(String, bool)> = env
            .query(
                "SELECT id, CASE WHEN issued THEN 1 ELSE 0 END FROM api_key",
                &[],
            )
            .into_iter()
            .map(|row| (row[0].clone().unwrap(), row[1].as_deref() == Some("1")))
            .collect();
        let existing: HashSet<&str> = rows.iter().map(|(id, _)| id.as_str()).collect();
        for (id, issued) in &rows {
            if *issued {
                assert!(
                    printed_ids.contains(id),
                    "cycle {cycle}: key {id} is usable but its secret was never printed"
                );
            }
        }
        for id in &printed_ids {
            let was_deleted = env
                .number(
                    "SELECT count(*) FROM audit WHERE action = 'delete' AND key_id = ?1",
                    &[id],
                )
                .unwrap();
            assert!(
                existing.contains(id.as_str()) || was_deleted > 0,
                "cycle {cycle}: key {id} was printed but does not exist"
            );
        }
        cycle += 1;
    }
    env.cmd().args(["audit", "--verify"]).assert().success();
    eprintln!(
        "{cycle} cycles, {killed} processes killed mid-run, {} keys printed",
        printed_ids.len()
    );
    assert!(
        killed >= cycles / 4,
        "too few kills ({killed} in {cycle} cycles, window {window} µs) to mean anything"
    );
    assert!(
        printed_ids.len() > 4,
        "too few keys printed ({}) to mean anything",
        printed_ids.len()
    );
}

/// A key left unissued (its process killed between printing and activating)
/// is listed as such, never verifies, is ignored by `check` and can be
/// deleted.
#[test]
fn an_unissued_key_is_shown_and_never_usable() {
    let env = Env::new();
    let (key, id) = env.create("half-made", &["payments"]);
    env.sql("UPDATE api_key SET issued = false");
    assert_eq!(env.list_json()[0]["status"], "unissued");
    let table = env.cmd().arg("list").output().unwrap();
    assert!(String::from_utf8_lossy(&table.stdout).contains("? unissued"));
    assert_eq!(env.days_later(0).verify(&key, &[]).0, 1);
    env.days_later(95).cmd().arg("check").assert().code(0);
    // Nor is it among the keys to renew.
    let expiring = env.days_later(95).json_array(&["list", "--expiring"]);
    assert!(expiring.is_empty(), "{expiring:?}");
    assert_eq!(env.days_later(95).json_array(&["list"]).len(), 1);
    env.cmd().args(["delete", "--yes", &id]).assert().success();
    assert!(env.list_json().is_empty());
}
