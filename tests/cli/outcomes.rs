//! What a command says happened when it lost the PostgreSQL server is what
//! the store shows afterwards: a change made is reported made (exit 0), a
//! change not made is reported "nothing was changed" (exit 75), and only an
//! outcome that could not be learned says so, naming what to look at.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::Duration as Days;

use crate::common::{Env, t0};
use crate::serve::OwnCluster;

#[derive(Clone, Debug)]
enum Job {
    Create(String),
    Renew(String),
    Delete(String),
    Rotate(String),
    /// `users add ROLE`, a login role made for it.
    AddOperator(String),
}

struct Ran {
    job: Job,
    code: i32,
    stdout: String,
    stderr: String,
}

/// A store row as the server has it: (issued, freezes_at, retires_at,
/// replaced_by, name).
type Row = (bool, i64, Option<i64>, Option<String>, String);

#[test]
#[ignore = "needs PostgreSQL: run under tests/pg/cluster.sh with --include-ignored"]
fn every_outcome_reported_after_a_lost_server_matches_the_store() {
    let (cluster, url) = OwnCluster::start();
    let me = crate::common::pg::acting_account();
    let mut admin = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    admin
        .batch_execute(&format!("CREATE ROLE \"{me}\" LOGIN CREATEROLE"))
        .unwrap();
    admin
        .batch_execute(&format!("CREATE DATABASE keys OWNER \"{me}\""))
        .unwrap();
    const OPERATORS: usize = 40;
    for i in 0..OPERATORS {
        admin
            .batch_execute(&format!("CREATE ROLE operator_{i} LOGIN"))
            .unwrap();
    }
    drop(admin);
    let socket_dir = url.split("host=").nth(1).unwrap().to_string();
    let mut env = Env::sqlite();
    env.db = format!("postgresql:///keys?host={socket_dir}").into();
    env.cmd().arg("init").assert().success();

    // The keys renewed, deleted and rotated, made before the server is
    // troubled; created at t0, they freeze at t0 + 90 days.
    const EACH: usize = 160;
    let targets: Vec<String> = (0..3 * EACH)
        .map(|i| env.create(&format!("target-{i}"), &["payments"]).1)
        .collect();
    let mut jobs: Vec<Job> = (0..EACH).map(|i| Job::Create(format!("new-{i}"))).collect();
    jobs.extend((0..OPERATORS).map(|i| Job::AddOperator(format!("operator_{i}"))));
    for (i, id) in targets.iter().enumerate() {
        jobs.push(match i % 3 {
            0 => Job::Renew(id.clone()),
            1 => Job::Delete(id.clone()),
            _ => Job::Rotate(id.clone()),
        });
    }
    // Shuffled, so that every kind meets every kind of loss.
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    for i in (1..jobs.len()).rev() {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        jobs.swap(i, (seed % (i as u64 + 1)) as usize);
    }

    let later = t0() + Days::days(10);
    let done = Arc::new(AtomicBool::new(false));
    let losses = Arc::new(AtomicUsize::new(0));
    let crashes = Arc::new(AtomicUsize::new(0));
    // Losses at random points: every client connection terminated, or the
    // server stopped as a crash would and started again at once.
    let troublemaker = {
        let (done, losses, crashes) = (done.clone(), losses.clone(), crashes.clone());
        let (url, dir) = (url.clone(), cluster.dir.clone());
        std::thread::spawn(move || {
            let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
            let mut random = move |below: u64| {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                seed % below
            };
            while !done.load(Ordering::SeqCst) {
                std::thread::sleep(Duration::from_millis(20 + random(200)));
                if random(3) == 0 {
                    let stop = std::process::Command::new(concat!(
                        env!("CARGO_MANIFEST_DIR"),
                        "/tests/pg/cluster.sh"
                    ))
                    .args(["crash", &dir])
                    .status()
                    .unwrap();
                    assert!(stop.success());
                    let start = std::process::Command::new(concat!(
                        env!("CARGO_MANIFEST_DIR"),
                        "/tests/pg/cluster.sh"
                    ))
                    .args(["resume", &dir])
                    .status()
                    .unwrap();
                    assert!(start.success());
                    crashes.fetch_add(1, Ordering::SeqCst);
                } else if let Ok(mut server) = postgres::Client::connect(&url, postgres::NoTls) {
                    let _ = server.batch_execute(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                         WHERE datname = 'keys' AND pid <> pg_backend_pid()",
                    );
                    losses.fetch_add(1, Ordering::SeqCst);
                }
            }
        })
    };

    let queue = Arc::new(Mutex::new(jobs));
    let results = Arc::new(Mutex::new(Vec::new()));
    let started = Instant::now();
    std::thread::scope(|scope| {
        for _ in 0..4 {
            let (queue, results, env) = (queue.clone(), results.clone(), &env);
            scope.spawn(move || {
                loop {
                    let next = queue.lock().unwrap().pop();
                    let Some(job) = next else { break };
                    let mut cmd = env.at(later).cmd();
                    match &job {
                        Job::Create(name) => {
                            cmd.args(["create", "--name", name, "--role", "payments"])
                        }
                        Job::Renew(id) => cmd.args(["renew", id]),
                        Job::Delete(id) => cmd.args(["delete", "--yes", id]),
                        Job::Rotate(id) => cmd.args(["rotate", "--grace", "1d", id]),
                        Job::AddOperator(name) => {
                            cmd.args(["users", "add", name, "--permission", "view"])
                        }
                    };
                    let output = cmd.timeout(Duration::from_secs(60)).output().unwrap();
                    results.lock().unwrap().push(Ran {
                        job,
                        code: output.status.code().unwrap_or(-1),
                        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
                        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
                    });
                }
            });
        }
    });
    done.store(true, Ordering::SeqCst);
    troublemaker.join().unwrap();
    let elapsed = started.elapsed();

    // The store as the server has it, read as its superuser.
    let mut admin = None;
    for _ in 0..100 {
        match postgres::Client::connect(&url.replace("/postgres?", "/keys?"), postgres::NoTls) {
            Ok(client) => {
                admin = Some(client);
                break;
            }
            Err(_) => std::thread::sleep(Duration::from_millis(100)),
        }
    }
    let mut admin = admin.expect("the test cluster is back");
    let rows: HashMap<String, Row> = admin
        .query(
            "SELECT id, issued, freezes_at, retires_at, replaced_by, name FROM intergiro_keys.api_key",
            &[],
        )
        .unwrap()
        .iter()
        .map(|row| {
            (
                row.get(0),
                (row.get(1), row.get(2), row.get(3), row.get(4), row.get(5)),
            )
        })
        .collect();
    // Operators as the store has them, and the members of its operators
    // role (which `users add` grants in the same transaction).
    let operators: Vec<String> = admin
        .query("SELECT name FROM intergiro_keys.operator", &[])
        .unwrap()
        .iter()
        .map(|row| row.get(0))
        .collect();
    let members: Vec<String> = admin
        .query(
            "SELECT m.rolname::text FROM pg_auth_members a
               JOIN pg_roles g ON g.oid = a.roleid JOIN pg_roles m ON m.oid = a.member
              WHERE g.rolname = 'keys_intergiro_keys_operators'",
            &[],
        )
        .unwrap()
        .iter()
        .map(|row| row.get(0))
        .collect();
    let frozen_at = (t0() + Days::days(90)).timestamp();
    let renewed_to = (later + Days::days(90)).timestamp();

    let results = results.lock().unwrap();
    let mut mismatches = Vec::new();
    let mut tally: HashMap<String, usize> = HashMap::new();
    for ran in results.iter() {
        let unchanged = ran.code == 75 && ran.stderr.contains("nothing was changed");
        let unknown = ran.code == 75 && ran.stderr.contains("could not be reached again");
        let outcome = match (ran.code, unchanged, unknown) {
            (0, _, _) => "made",
            (_, true, _) => "not made",
            (_, _, true) => "unknown",
            _ => "other",
        };
        let kind = format!("{:?}", ran.job);
        let kind = kind.split('(').next().unwrap().to_string();
        *tally.entry(format!("{kind} {outcome}")).or_default() += 1;
        if ran.stderr.contains("reached again, confirms") {
            *tally
                .entry(format!("{kind} confirmed after a loss at commit"))
                .or_default() += 1;
        }
        let matches = match (&ran.job, outcome) {
            (_, "unknown") => {
                ran.stderr.contains("intergiro-keys show ")
                    || ran.stderr.contains("intergiro-keys users list")
            }
            (Job::Create(name), outcome) => {
                let named: Vec<(&String, &Row)> =
                    rows.iter().filter(|(_, row)| &row.4 == name).collect();
                match outcome {
                    "made" => {
                        let id = ran.stdout.trim().get(4..16).unwrap_or_default();
                        named.len() == 1 && named[0].0 == id && named[0].1.0
                    }
                    "not made" => named.is_empty(),
                    // The secret printed, the key left unusable: said so.
                    _ => {
                        ran.code == 75
                            && ran.stderr.contains("so that secret does not work")
                            && named.len() == 1
                            && !named[0].1.0
                    }
                }
            }
            (Job::Renew(id), "made") => rows.get(id).is_some_and(|row| row.1 == renewed_to),
            (Job::Renew(id), "not made") => rows.get(id).is_some_and(|row| row.1 == frozen_at),
            (Job::Delete(id), "made") => !rows.contains_key(id),
            (Job::Delete(id), "not made") => rows.contains_key(id),
            (Job::Rotate(id), "made") => {
                let new_id = ran.stdout.trim().get(4..16).unwrap_or_default();
                rows.get(id)
                    .is_some_and(|row| row.2.is_some() && row.3.as_deref() == Some(new_id))
                    && rows.get(new_id).is_some_and(|row| row.0)
            }
            (Job::Rotate(id), "not made") => rows
                .get(id)
                .is_some_and(|row| row.2.is_none() && row.3.is_none()),
            (Job::AddOperator(name), "made") => operators.contains(name) && members.contains(name),
            (Job::AddOperator(name), "not made") => {
                !operators.contains(name) && !members.contains(name)
            }
            (Job::Rotate(id), _) => {
                ran.code == 75
                    && ran.stderr.contains("so that secret does not work")
                    && rows.get(id).is_some_and(|row| row.2.is_none())
            }
            _ => false,
        };
        if !matches {
            let about = match &ran.job {
                Job::Create(name) => format!(
                    "{:?}",
                    rows.iter()
                        .filter(|(_, row)| &row.4 == name)
                        .collect::<Vec<_>>()
                ),
                Job::Renew(id) | Job::Delete(id) | Job::Rotate(id) => format!("{:?}", rows.get(id)),
                Job::AddOperator(name) => format!(
                    "operator {}, member {}",
                    operators.contains(name),
                    members.contains(name)
                ),
            };
            mismatches.push(format!(
                "{:?}: exit {}, stdout {:?}, stderr {:?}; the store: {about}",
                ran.job, ran.code, ran.stdout, ran.stderr
            ));
        }
    }
    let mut tally: Vec<_> = tally.into_iter().collect();
    tally.sort();
    eprintln!(
        "{} commands in {:.0?}; {} terminations of every connection, {} crashes; outcomes: {tally:?}",
        results.len(),
        elapsed,
        losses.load(Ordering::SeqCst),
        crashes.load(Ordering::SeqCst),
    );
    assert_eq!(results.len(), 4 * EACH + OPERATORS);
    assert!(
        mismatches.is_empty(),
        "{} of {} outcomes disagree with the store:\n{}",
        mismatches.len(),
        results.len(),
        mismatches.join("\n")
    );
    // The troubles did reach the commands.
    assert!(
        crashes.load(Ordering::SeqCst) > 0 && losses.load(Ordering::SeqCst) > 0,
        "no trouble made"
    );
}
