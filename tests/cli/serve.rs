//! `serve` as gateways meet it: the real binary on a loopback port (or a
//! Unix socket), asked over HTTP. Every wait is bounded.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::Duration as Days;

use crate::common::installed;
use crate::common::{Env, EnvAt, t0};

/// A running `serve`, stopped when dropped.
pub struct Serve {
    child: Child,
    /// Where it listens: `127.0.0.1:PORT`, or `unix:PATH`.
    pub address: String,
    log: Arc<Mutex<Vec<String>>>,
}

/// An HTTP answer: status and headers (names lower-case).
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(header, _)| header == name)
            .map(|(_, value)| value.as_str())
    }
}

impl Serve {
    /// Starts `serve` as `at` sees the store, on a free loopback port.
    pub fn start(at: &EnvAt, args: &[&str]) -> Serve {
        Serve::start_with(at.std_cmd(), args)
    }

    pub fn start_with(cmd: std::process::Command, args: &[&str]) -> Serve {
        let serve = Serve::launch(cmd, args);
        // On PostgreSQL, answers come from the cache once the notification
        // connection is up.
        serve.until(|serve| serve.get("/healthz", &[]).status == 200, "healthy");
        serve
    }

    /// Starts `serve` and returns once it listens, healthy or not.
    pub fn launch(mut cmd: std::process::Command, args: &[&str]) -> Serve {
        let listens = args.contains(&"--listen");
        cmd.arg("serve");
        if !listens {
            cmd.args(["--listen", "127.0.0.1:0"]);
        }
        let mut child = cmd
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let log = Arc::new(Mutex::new(Vec::new()));
        let (tell, told) = std::sync::mpsc::channel();
        let stderr = child.stderr.take().unwrap();
        let lines = Arc::clone(&log);
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if line.contains("\"event\":\"listening\"") {
                    let event: serde_json::Value = serde_json::from_str(&line).unwrap();
                    let _ = tell.send(Some(event["address"].as_str().unwrap().to_string()));
                }
                lines.lock().unwrap().push(line);
            }
            let _ = tell.send(None);
        });
        let address = match told.recv_timeout(Duration::from_secs(30)) {
            Ok(Some(address)) => address,
            _ => {
                let _ = child.kill();
                panic!("serve did not start: {:?}", log.lock().unwrap());
            }
        };
        Serve {
            child,
            address,
            log,
        }
    }

    /// Asks `GET path` with `headers`, on a connection of its own.
    pub fn get(&self, path: &str, headers: &[(&str, &str)]) -> Answer {
        let mut request = format!("GET {path} HTTP/1.1\r\nHost: test\r\nConnection: close\r\n");
        for (name, value) in headers {
            request.push_str(&format!("{name}: {value}\r\n"));
        }
        request.push_str("\r\n");
        let mut text = String::new();
        match self.address.strip_prefix("unix:") {
            Some(path) => {
                let mut stream = std::os::unix::net::UnixStream::connect(path).unwrap();
                stream
                    .set_read_timeout(Some(Duration::from_secs(20)))
                    .unwrap();
                stream.write_all(request.as_bytes()).unwrap();
                stream.read_to_string(&mut text).unwrap();
            }
            None => {
                let mut stream = TcpStream::connect(&self.address).unwrap();
                stream
                    .set_read_timeout(Some(Duration::from_secs(20)))
                    .unwrap();
                stream.write_all(request.as_bytes()).unwrap();
                stream.read_to_string(&mut text).unwrap();
            }
        }
        parse(&text)
    }

    /// `GET /verify{roles}` with the key as a bearer token.
    pub fn verify(&self, key: &str, roles: &str) -> Answer {
        self.get(
            &format!("/verify{roles}"),
            &[("Authorization", &format!("Bearer {key}"))],
        )
    }

    pub fn status(&self, key: &str) -> u16 {
        self.verify(key, "").status
    }

    /// The log lines so far.
    pub fn log(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }

    /// The log once `done` holds of it (lines arrive through a pipe, a
    /// moment after the answers); panics after 10 s.
    pub fn log_when(&self, done: impl Fn(&[String]) -> bool) -> Vec<String> {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let log = self.log();
            if done(&log) {
                return log;
            }
            assert!(Instant::now() < deadline, "log: {log:#?}");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// One sample of a metric from `/metrics`.
    pub fn metric(&self, sample: &str) -> f64 {
        let page = self.get("/metrics", &[]).body;
        page.lines()
            .find_map(|line| line.strip_prefix(sample)?.strip_prefix(' '))
            .unwrap_or_else(|| panic!("no {sample} in {page}"))
            .parse()
            .unwrap()
    }

    /// Sends SIGTERM and waits for the exit status.
    pub fn terminate(mut self) -> std::process::ExitStatus {
        let pid = nix::unistd::Pid::from_raw(self.child.id() as i32);
        nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM).unwrap();
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(Instant::now() < deadline, "serve did not stop on SIGTERM");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn parse(text: &str) -> Answer {
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((text, ""));
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|line| line.split(' ').nth(1))
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("not an HTTP answer: {text:?}"));
    let headers = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.to_ascii_lowercase(), value.trim().to_string()))
        .collect();
    Answer {
        status,
        headers,
        body: body.to_string(),
    }
}

/// A key of the right shape and checksum that no store has.
fn unknown_key() -> String {
    let env = Env::sqlite();
    env.create("elsewhere", &["accounts"]).0
}

/// `key` with another secret, its checksum made right again.
fn with_wrong_secret(env: &Env, key: &str) -> String {
    // Another key's secret under this key's ID: the checksum is computed
    // by a key made for the purpose, so build it through the binary.
    let other = env.create("other", &["accounts"]).0;
    let text = format!("{}{}", &key[..17], &other[17..other.len() - 6]);
    format!("{text}{}", checksum(&text))
}

fn checksum(text: &str) -> String {
    const BASE62: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let mut value = crc32fast::hash(text.as_bytes());
    let mut out = vec![b'0'; 6];
    for slot in out.iter_mut().rev() {
        *slot = BASE62[(value % 62) as usize];
        value /= 62;
    }
    String::from_utf8(out).unwrap()
}

#[test]
fn answers_valid_missing_role_and_every_rejection_alike() {
    let env = Env::new();
    let (key, id) = env.create("ci deploy", &["payments", "accounts"]);
    let serve = Serve::start(&env.at(t0()), &[]);

    let valid = serve.verify(&key, "");
    assert_eq!(valid.status, 200, "{valid:?}");
    assert_eq!(valid.header("x-intergiro-key-id"), Some(id.as_str()));
    assert_eq!(valid.header("x-intergiro-key-name"), Some("ci deploy"));
    assert_eq!(
        valid.header("x-intergiro-key-roles"),
        Some("accounts,payments")
    );
    // The same through X-Api-Key, and roles in the path or a header.
    assert_eq!(
        serve.get("/verify/payments", &[("X-Api-Key", &key)]).status,
        200
    );
    assert_eq!(serve.verify(&key, "/payments,accounts").status, 200);
    let missing = serve.verify(&key, "/transactions");
    assert_eq!(missing.status, 403);
    let header = serve.get(
        "/verify",
        &[
            ("X-Api-Key", &key),
            ("X-Intergiro-Required-Roles", "transactions"),
        ],
    );
    assert_eq!(header.status, 403);
    assert_eq!(serve.verify(&key, "/bogus").status, 400);

    let wrong = with_wrong_secret(&env, &key);
    let truncated = &key[..key.len() - 1];
    for (what, answer) in [
        ("no key", serve.get("/verify", &[])),
        ("malformed", serve.verify(truncated, "")),
        ("unknown", serve.verify(&unknown_key(), "")),
        ("wrong secret", serve.verify(&wrong, "")),
        ("wrong secret again", serve.verify(&wrong, "")),
    ] {
        assert_eq!(answer.status, 401, "{what}: {answer:?}");
        assert_eq!(answer.header("www-authenticate"), Some("Bearer"), "{what}");
        assert_eq!(answer.body, "", "{what}: not told apart");
        assert_eq!(answer.header("content-length"), Some("0"), "{what}");
        assert_eq!(answer.header("x-intergiro-key-id"), None, "{what}");
    }
    assert_eq!(serve.get("/elsewhere", &[]).status, 404);
    // Envoy's ext_authz: the client's path after the prefix, roles in the
    // header.
    assert_eq!(
        serve
            .get("/ext-authz/payments/new", &[("X-Api-Key", &key)])
            .status,
        200
    );
    let envoy = serve.get(
        "/ext-authz/orders",
        &[
            ("X-Api-Key", &key),
            ("X-Intergiro-Required-Roles", "transactions"),
        ],
    );
    assert_eq!(envoy.status, 403);

    // One line per denied request, naming the key ID, never its text.
    let is_denied = |line: &String| line.contains("\"denied\"");
    let log = serve.log_when(|log| log.iter().filter(|line| is_denied(line)).count() >= 9);
    let denied: Vec<&String> = log.iter().filter(|line| is_denied(line)).collect();
    assert_eq!(denied.len(), 9, "{log:#?}");
    assert!(
        denied
            .iter()
            .any(|line| line.contains("\"wrong_secret\"") && line.contains(&id))
    );
    assert!(
        denied
            .iter()
            .any(|line| line.contains("\"missing_role\"")
                && line.contains("\"client\":\"127.0.0.1:"))
    );
    for line in &log {
        assert!(!line.contains(&key[17..]), "key text in the log: {line}");
        assert!(!line.contains(&wrong[17..]), "key text in the log: {line}");
    }
}

#[test]
fn argon2_is_paid_once_per_key_and_garbage_never_reaches_it() {
    let env = Env::new();
    let (key, _) = env.create("busy", &["payments"]);
    let serve = Arc::new(Serve::start(&env.at(t0()), &[]));
    // Twenty requests at once for a key never seen: one argon2.
    let handles: Vec<_> = (0..20)
        .map(|_| {
            let (serve, key) = (Arc::clone(&serve), key.clone());
            std::thread::spawn(move || serve.status(&key))
        })
        .collect();
    for handle in handles {
        assert_eq!(handle.join().unwrap(), 200);
    }
    for _ in 0..20 {
        assert_eq!(serve.status(&key), 200);
    }
    assert_eq!(serve.metric("intergiro_keys_serve_cache_misses_total"), 1.0);
    // The twenty later ones at least came from the cache; of the first
    // twenty, those that came after the first was answered too.
    assert!(serve.metric("intergiro_keys_serve_cache_hits_total") >= 20.0);
    for _ in 0..50 {
        assert_eq!(serve.status("igk_garbage"), 401);
    }
    assert_eq!(serve.metric("intergiro_keys_serve_cache_misses_total"), 1.0);
    assert_eq!(
        serve.metric("intergiro_keys_serve_requests_total{outcome=\"malformed\"}"),
        50.0
    );
}

#[test]
fn a_key_freezes_while_cached_and_a_frozen_key_is_rejected() {
    let env = Env::new();
    let (key, id) = env.create("ninety days", &["accounts"]);
    // Two seconds before its freeze: valid, and cached.
    let freeze = t0() + Days::days(90);
    let serve = Serve::start(&env.at(freeze - Days::seconds(2)), &[]);
    assert_eq!(serve.status(&key), 200);
    std::thread::sleep(Duration::from_millis(2500));
    assert_eq!(
        serve.status(&key),
        401,
        "answered from the cache past its freeze"
    );
    serve.log_when(|log| {
        log.iter()
            .any(|line| line.contains("\"frozen\"") && line.contains(&id))
    });
    drop(serve);
    let serve = Serve::start(&env.days_later(100), &[]);
    assert_eq!(serve.status(&key), 401);
}

#[test]
fn a_key_deleted_while_a_client_loops_on_it_fails_from_the_next_request_on() {
    let env = Env::sqlite();
    let (key, id) = env.create("doomed", &["payments"]);
    let serve = Arc::new(Serve::start(&env.at(t0()), &[]));
    assert_eq!(serve.status(&key), 200);
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let client = {
        let (serve, key, stop) = (Arc::clone(&serve), key.clone(), Arc::clone(&stop));
        std::thread::spawn(move || {
            let mut seen = Vec::new();
            while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                let started = Instant::now();
                seen.push((started, serve.status(&key)));
            }
            seen
        })
    };
    std::thread::sleep(Duration::from_millis(300));
    env.cmd().args(["delete", "--yes", &id]).assert().success();
    let returned = Instant::now();
    std::thread::sleep(Duration::from_millis(300));
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    let seen = client.join().unwrap();
    let before = seen.iter().filter(|(started, _)| *started < returned);
    assert!(
        before.clone().any(|(_, status)| *status == 200),
        "the key never worked"
    );
    let after: Vec<u16> = seen
        .iter()
        .filter(|(started, _)| *started >= returned)
        .map(|(_, status)| *status)
        .collect();
    assert!(!after.is_empty());
    assert!(
        after.iter().all(|status| *status == 401),
        "allowed after delete returned: {after:?}"
    );
}

#[test]
fn rotation_with_grace_keeps_the_old_key_and_without_ends_it_at_once() {
    let env = Env::sqlite();
    let (old, old_id) = env.create("rotating", &["accounts"]);
    let serve = Serve::start(&env.at(t0()), &[]);
    assert_eq!(serve.status(&old), 200);
    let rotated = env
        .cmd()
        .args(["rotate", &old_id, "--grace", "1h"])
        .output()
        .unwrap();
    assert!(rotated.status.success());
    let new = String::from_utf8(rotated.stdout)
        .unwrap()
        .trim()
        .to_string();
    assert_eq!(
        serve.status(&old),
        200,
        "retiring keys work through their grace"
    );
    assert_eq!(serve.status(&new), 200);
    // The new key rotated at once: it stops before the next request.
    let new_id = &new[4..16];
    let again = env
        .cmd()
        .args(["rotate", new_id, "--grace", "0"])
        .output()
        .unwrap();
    assert!(
        again.status.success(),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
    assert_eq!(serve.status(&new), 401);
    // The first key's grace ends: rejected from then on.
    drop(serve);
    let serve = Serve::start(&env.at(t0() + Days::minutes(59) + Days::seconds(58)), &[]);
    assert_eq!(serve.status(&old), 200);
    std::thread::sleep(Duration::from_millis(2500));
    assert_eq!(
        serve.status(&old),
        401,
        "answered from the cache past its retirement"
    );
}

#[test]
fn renewing_a_frozen_key_revives_it_at_once() {
    let env = Env::sqlite();
    let (key, id) = env.create("revived", &["accounts"]);
    let later = env.days_later(95);
    let serve = Serve::start(&later, &[]);
    assert_eq!(serve.status(&key), 401);
    later.cmd().args(["renew", &id]).assert().success();
    assert_eq!(serve.status(&key), 200);
}

#[test]
fn a_full_queue_is_refused_at_once_and_cached_keys_keep_answering() {
    let env = Env::new();
    let (key, _) = env.create("steady", &["accounts"]);
    let serve = Arc::new(Serve::start(
        &env.at(t0()),
        &["--workers", "1", "--queue", "1"],
    ));
    assert_eq!(serve.status(&key), 200);
    let unknown: Vec<String> = {
        let other = Env::sqlite();
        (0..3)
            .map(|n| other.create(&format!("k{n}"), &["accounts"]).0)
            .collect()
    };
    let flood: Vec<_> = (0..24)
        .map(|n| {
            let (serve, key) = (Arc::clone(&serve), unknown[n % 3].clone());
            std::thread::spawn(move || {
                let mut key = key;
                // Distinct texts, so the cache cannot answer: vary the
                // secret and mend the checksum.
                let body = format!("{}{:02}", &key[..key.len() - 8], n);
                key = format!("{body}{}", checksum(&body));
                serve.verify(&key, "")
            })
        })
        .collect();
    let started = Instant::now();
    for _ in 0..20 {
        assert_eq!(serve.status(&key), 200);
    }
    let cached = started.elapsed();
    let answers: Vec<Answer> = flood.into_iter().map(|h| h.join().unwrap()).collect();
    assert!(
        answers.iter().all(|a| a.status == 401 || a.status == 503),
        "{answers:?}"
    );
    let refused: Vec<&Answer> = answers.iter().filter(|a| a.status == 503).collect();
    assert!(
        !refused.is_empty(),
        "nothing was refused with one worker and a queue of one"
    );
    assert!(refused.iter().all(|a| a.header("retry-after") == Some("1")));
    assert!(
        cached < Duration::from_secs(5),
        "cached answers waited: {cached:?}"
    );
    assert!(serve.metric("intergiro_keys_serve_requests_total{outcome=\"overloaded\"}") >= 1.0);
}

#[test]
fn health_metrics_unix_socket_last_use_and_sigterm() {
    let env = Env::new();
    let (key, id) = env.create("watched", &["accounts"]);
    let socket = env.path("verify.sock");
    let listen = format!("unix:{}", socket.display());
    let serve = Serve::start(&env.at(t0()), &["--listen", &listen]);
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&socket).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o660);
    assert_eq!(serve.get("/healthz", &[]).status, 200);
    assert_eq!(serve.status(&key), 200);
    // Last use is written off the request path, within a few seconds.
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let keys = env.at(t0() + Days::seconds(20)).list_json();
        let listed = keys.iter().find(|k| k["id"] == id.as_str()).unwrap();
        if !listed["last_used_at"].is_null() {
            break;
        }
        assert!(Instant::now() < deadline, "last use never recorded");
        std::thread::sleep(Duration::from_millis(200));
    }
    assert_eq!(
        serve.status(&key),
        200,
        "still valid after its last use was written: {:#?}",
        serve.log()
    );
    let metrics = serve.get("/metrics", &[]);
    assert_eq!(metrics.status, 200);
    assert!(
        metrics
            .header("content-type")
            .unwrap()
            .starts_with("text/plain; version=0.0.4")
    );
    for family in [
        "intergiro_keys_serve_requests_total{outcome=\"valid\"} 2",
        "intergiro_keys_serve_cache_hits_total",
        "intergiro_keys_serve_cache_misses_total 1",
        "intergiro_keys_serve_cache_invalidations_total",
        "intergiro_keys_serve_pool_queued 0",
        "intergiro_keys_serve_store_up 1",
    ] {
        assert!(
            metrics.body.contains(family),
            "{family} in {}",
            metrics.body
        );
    }
    promtool_check(&metrics.body);
    assert!(serve.terminate().success());
    assert!(!socket.exists(), "the socket is removed on exit");
}

/// `promtool check metrics` on `page`, where promtool is installed (CI
/// installs it; elsewhere the check says it is skipped).
fn promtool_check(page: &str) {
    if !installed("promtool") {
        return;
    }
    let mut child = std::process::Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(page.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success() && output.stdout.is_empty() && output.stderr.is_empty(),
        "promtool: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn sigterm_drains_requests_in_flight() {
    let env = Env::new();
    let keys: Vec<String> = (0..6)
        .map(|n| env.create(&format!("k{n}"), &["accounts"]).0)
        .collect();
    let serve = Arc::new(Serve::start(&env.at(t0()), &["--workers", "1"]));
    let handles: Vec<_> = keys
        .into_iter()
        .map(|key| {
            let serve = Arc::clone(&serve);
            std::thread::spawn(move || serve.status(&key))
        })
        .collect();
    std::thread::sleep(Duration::from_millis(5));
    let pid = nix::unistd::Pid::from_raw(serve.child.id() as i32);
    nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM).unwrap();
    for handle in handles {
        // Each one either answered, or was never accepted (connection
        // refused panics the thread): none is cut off mid-answer.
        if let Ok(status) = handle.join() {
            assert_eq!(status, 200);
        }
    }
    let serve = Arc::try_unwrap(serve).ok().unwrap();
    assert!(serve.terminate().success());
}

#[test]
fn bad_options_are_refused_with_the_fix() {
    let env = Env::new();
    env.create("k", &["accounts"]);
    for (args, says) in [
        (&["--listen", "localhost"][..], "give IP:PORT"),
        (&["--listen", "unix:"], "needs a socket path"),
        (&["--cache-ttl", "10 minutes"], "30s, 10m, 1h"),
        (&["--workers", "0"], "--workers"),
    ] {
        env.cmd()
            .arg("serve")
            .args(args)
            .assert()
            .code(2)
            .stderr(predicates::str::contains(says));
    }
    // Something listens there already.
    let serve = Serve::start(&env.at(t0()), &[]);
    env.cmd()
        .args(["serve", "--listen", &serve.address])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("pass another --listen address"));
}

// PostgreSQL: changes arrive by notification.

/// A new login role that holds only the `verify` permission in `env`'s
/// store, for a `serve` whose connections a test may cut.
fn verify_only_role(env: &Env) -> String {
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let role = format!(
        "serve_{}_{}",
        std::process::id(),
        NEXT.fetch_add(1, std::sync::atomic::Ordering::SeqCst)
    );
    superuser()
        .batch_execute(&format!("CREATE ROLE {role} LOGIN"))
        .unwrap();
    env.cmd()
        .args(["users", "add", &role, "--permission", "verify"])
        .assert()
        .success();
    role
}

fn superuser() -> postgres::Client {
    let (url, _) = crate::common::pg::cluster();
    postgres::Client::connect(&url, postgres::NoTls).unwrap()
}

/// `serve` logged in as `role`.
fn serve_as(env: &Env, role: &str) -> Serve {
    let mut cmd = env.at(t0()).std_cmd();
    cmd.env("INTERGIRO_KEYS_OPERATOR", role);
    Serve::start_with(cmd, &[])
}

impl Serve {
    /// Waits until `done` holds (10 s at most), asking every millisecond.
    fn until(&self, done: impl Fn(&Serve) -> bool, what: &str) -> Duration {
        let started = Instant::now();
        while !done(self) {
            assert!(started.elapsed() < Duration::from_secs(10), "never {what}");
            std::thread::sleep(Duration::from_millis(1));
        }
        started.elapsed()
    }
}

/// The database name in a store URL `postgresql:///NAME?host=…`.
fn database_of(env: &Env) -> String {
    let url = env.db.to_string_lossy().into_owned();
    url["postgresql:///".len()..url.find('?').unwrap()].to_string()
}

#[test]
#[ignore = "needs PostgreSQL: run under tests/pg/cluster.sh with --include-ignored"]
fn postgres_two_serves_see_a_revocation_and_allow_nothing_after_it() {
    let env = Env::postgres();
    let (key, id) = env.create("shared", &["payments"]);
    let (other, _) = env.create("stays", &["payments"]);
    let role = verify_only_role(&env);
    let serves = [serve_as(&env, &role), serve_as(&env, &role)];
    for serve in &serves {
        assert_eq!(serve.status(&key), 200);
        assert_eq!(serve.status(&other), 200);
    }
    env.cmd().args(["delete", "--yes", &id]).assert().success();
    for serve in &serves {
        // Told by the notification, not by the cache's 10-minute limit;
        // how fast is measured by benches/serve.sh (S4), not here, where a
        // busy machine may delay any process.
        let delay = serve.until(|serve| serve.status(&key) == 401, "revoked");
        assert!(delay < Duration::from_secs(10), "revocation took {delay:?}");
        for _ in 0..20 {
            assert_eq!(serve.status(&key), 401, "allowed again after a 401");
        }
        assert_eq!(
            serve.status(&other),
            200,
            "another key's cache entry survives"
        );
        assert!(serve.metric("intergiro_keys_serve_cache_invalidations_total") >= 2.0);
    }
}

#[test]
#[ignore = "needs PostgreSQL: run under tests/pg/cluster.sh with --include-ignored"]
fn postgres_a_lost_notification_connection_never_lets_a_stale_answer_through() {
    let env = Env::postgres();
    let (key, id) = env.create("revoked in the outage", &["payments"]);
    let (other, _) = env.create("stays", &["payments"]);
    let role = verify_only_role(&env);
    let serve = serve_as(&env, &role);
    assert_eq!(serve.status(&key), 200);
    assert_eq!(serve.status(&other), 200);
    // Kill the LISTEN backend, and keep it from coming back.
    let mut admin = superuser();
    admin
        .batch_execute(&format!("ALTER ROLE {role} NOLOGIN"))
        .unwrap();
    let killed = admin
        .query(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
             WHERE datname = $1 AND usename = $2 AND query LIKE '%intergiro_keys_key_change%'",
            &[&database_of(&env), &role],
        )
        .unwrap();
    assert_eq!(killed.len(), 1, "one LISTEN connection");
    serve.until(
        |serve| serve.metric("intergiro_keys_serve_cache_trusted") == 0.0,
        "distrusting its cache",
    );
    assert_eq!(serve.get("/healthz", &[]).status, 503);
    // A change nobody is told of: the cache must not answer for the key.
    env.cmd().args(["delete", "--yes", &id]).assert().success();
    for _ in 0..20 {
        let status = serve.status(&key);
        assert!(status == 401 || status == 503, "stale answer {status}");
        let status = serve.status(&other);
        assert!(status == 200 || status == 503, "{status}");
    }
    admin
        .batch_execute(&format!("ALTER ROLE {role} LOGIN"))
        .unwrap();
    serve.until(
        |serve| serve.get("/healthz", &[]).status == 200,
        "healthy again",
    );
    assert_eq!(serve.status(&key), 401);
    assert_eq!(serve.status(&other), 200);
}

/// A throwaway cluster of this test's own, which it may stop.
pub(crate) struct OwnCluster {
    pub(crate) dir: String,
}

impl OwnCluster {
    pub(crate) fn start() -> (OwnCluster, String) {
        let output =
            std::process::Command::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/pg/cluster.sh"))
                .arg("start")
                .output()
                .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let text = String::from_utf8(output.stdout).unwrap();
        let value = |name: &str| {
            text.lines()
                .find_map(|line| {
                    line.strip_prefix(&format!("export {name}='"))?
                        .strip_suffix('\'')
                })
                .unwrap()
                .to_string()
        };
        (
            OwnCluster {
                dir: value("INTERGIRO_KEYS_TEST_PG_DIR"),
            },
            value("INTERGIRO_KEYS_TEST_PG"),
        )
    }

    pub(crate) fn run(&self, what: &str) {
        let status =
            std::process::Command::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/pg/cluster.sh"))
                .args([what, &self.dir])
                .status()
                .unwrap();
        assert!(status.success(), "cluster.sh {what}");
    }
}

impl Drop for OwnCluster {
    fn drop(&mut self) {
        let _ =
            std::process::Command::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/pg/cluster.sh"))
                .args(["stop", &self.dir])
                .status();
    }
}

#[test]
#[ignore = "needs PostgreSQL: run under tests/pg/cluster.sh with --include-ignored"]
fn postgres_stopped_is_503_never_200_and_serving_resumes_with_it() {
    let (cluster, url) = OwnCluster::start();
    let me = crate::common::pg::acting_account();
    let mut admin = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    admin
        .batch_execute(&format!("CREATE ROLE \"{me}\" LOGIN CREATEROLE"))
        .unwrap();
    admin
        .batch_execute(&format!("CREATE DATABASE keys OWNER \"{me}\""))
        .unwrap();
    let socket_dir = url.split("host=").nth(1).unwrap();
    let mut env = Env::sqlite();
    env.db = format!("postgresql:///keys?host={socket_dir}").into();
    env.cmd().arg("init").assert().success();
    let (key, _) = env.create("outage", &["payments"]);
    let serve = Serve::start(&env.at(t0()), &[]);
    assert_eq!(serve.status(&key), 200);
    cluster.run("pause");
    let deadline = Instant::now() + Duration::from_millis(1500);
    let mut seen = Vec::new();
    while Instant::now() < deadline {
        seen.push(serve.status(&key));
    }
    assert!(seen.iter().all(|status| *status == 503), "{seen:?}");
    let health = serve.get("/healthz", &[]);
    assert_eq!(health.status, 503);
    assert_eq!(health.header("retry-after"), Some("1"));
    cluster.run("resume");
    serve.until(|serve| serve.status(&key) == 200, "serving again");
}

// Real gateways in front: nginx `auth_request` and Caddy `forward_auth`,
// driven with curl as a client would.

/// A loopback port free a moment ago.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A gateway process, stopped when dropped.
struct Gateway {
    child: Child,
    port: u16,
}

impl Drop for Gateway {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Gateway {
    fn wait_ready(self) -> Gateway {
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(Instant::now() < deadline, "the gateway never listened");
            std::thread::sleep(Duration::from_millis(20));
        }
        self
    }

    /// `curl` through the gateway: (status, body).
    fn curl(&self, path: &str, key: Option<&str>) -> (u16, String) {
        let mut cmd = std::process::Command::new("curl");
        cmd.args(["-sS", "--max-time", "20", "-w", "\n%{http_code}"]);
        if let Some(key) = key {
            cmd.args(["-H", &format!("Authorization: Bearer {key}")]);
        }
        let output = cmd
            .arg(format!("http://127.0.0.1:{}{path}", self.port))
            .output()
            .unwrap();
        let text = String::from_utf8(output.stdout).unwrap();
        let (body, status) = text.rsplit_once('\n').unwrap();
        (status.parse().unwrap(), body.to_string())
    }
}

/// nginx with `auth_request` to `serve` at `verify` (host:port), in front
/// of an upstream that echoes the key ID it was handed.
fn nginx(dir: &std::path::Path, verify: &str) -> Gateway {
    let port = free_port();
    let upstream = free_port();
    let d = dir.display();
    let config = format!(
        r#"daemon off;
worker_processes 1;
pid {d}/nginx.pid;
error_log {d}/nginx-error.log;
events {{}}
http {{
    access_log off;
    client_body_temp_path {d}/body;
    proxy_temp_path {d}/proxy;
    fastcgi_temp_path {d}/fastcgi;
    uwsgi_temp_path {d}/uwsgi;
    scgi_temp_path {d}/scgi;
    server {{
        listen 127.0.0.1:{upstream};
        location / {{ return 200 "upstream saw key $http_x_intergiro_key_id\n"; }}
    }}
    server {{
        listen 127.0.0.1:{port};
        location = /_verify {{
            internal;
            proxy_pass http://{verify}/verify;
            proxy_pass_request_body off;
            proxy_set_header Content-Length "";
        }}
        location = /_verify_payments {{
            internal;
            proxy_pass http://{verify}/verify/payments;
            proxy_pass_request_body off;
            proxy_set_header Content-Length "";
        }}
        location /payments/ {{
            auth_request /_verify_payments;
            auth_request_set $key_id $upstream_http_x_intergiro_key_id;
            proxy_set_header X-Intergiro-Key-Id $key_id;
            proxy_pass http://127.0.0.1:{upstream};
        }}
        location / {{
            auth_request /_verify;
            auth_request_set $key_id $upstream_http_x_intergiro_key_id;
            proxy_set_header X-Intergiro-Key-Id $key_id;
            proxy_pass http://127.0.0.1:{upstream};
        }}
    }}
}}
"#
    );
    let path = dir.join("nginx.conf");
    std::fs::write(&path, config).unwrap();
    let child = std::process::Command::new("nginx")
        .args(["-e", &format!("{d}/nginx-error.log"), "-p"])
        .arg(dir)
        .arg("-c")
        .arg(&path)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    Gateway { child, port }.wait_ready()
}

/// Caddy with `forward_auth` to `serve` at `verify`, in front of an
/// upstream (Caddy too) that echoes the key ID it was handed.
fn caddy(dir: &std::path::Path, verify: &str) -> Gateway {
    let port = free_port();
    let upstream = free_port();
    let config = format!(
        r#"{{
    admin off
    auto_https off
}}
http://127.0.0.1:{upstream} {{
    respond "upstream saw key {{header.X-Intergiro-Key-Id}}" 200
}}
http://127.0.0.1:{port} {{
    handle /payments/* {{
        forward_auth {verify} {{
            uri /verify/payments
            copy_headers X-Intergiro-Key-Id X-Intergiro-Key-Name X-Intergiro-Key-Roles
        }}
        reverse_proxy 127.0.0.1:{upstream}
    }}
    handle {{
        forward_auth {verify} {{
            uri /verify
            copy_headers X-Intergiro-Key-Id X-Intergiro-Key-Name X-Intergiro-Key-Roles
        }}
        reverse_proxy 127.0.0.1:{upstream}
    }}
}}
"#
    );
    let path = dir.join("Caddyfile");
    std::fs::write(&path, config).unwrap();
    let child = std::process::Command::new("caddy")
        .args(["run", "--adapter", "caddyfile", "--config"])
        .arg(&path)
        .env("HOME", dir)
        .env("XDG_DATA_HOME", dir.join("data"))
        .env("XDG_CONFIG_HOME", dir.join("config"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    Gateway { child, port }.wait_ready()
}

/// The same story through a gateway: valid, missing role, unknown, wrong
/// secret, frozen, deleted mid-run, rotated with and without grace.
fn through_gateway(start: fn(&std::path::Path, &str) -> Gateway) {
    let env = Env::sqlite();
    let (key, id) = env.create("gateway", &["accounts"]);
    let (payer, _) = env.create("payer", &["payments"]);
    let (old, _) = env.at(t0() - Days::days(91)).create("old", &["accounts"]);
    let (rotating, rotating_id) = env.create("rotating", &["accounts"]);
    let serve = Serve::start(&env.at(t0()), &[]);
    let gateway = start(env.dir.path(), &serve.address);

    let (status, body) = gateway.curl("/orders", Some(&key));
    assert_eq!(
        (status, body.trim()),
        (200, format!("upstream saw key {id}").as_str())
    );
    assert_eq!(gateway.curl("/payments/new", Some(&payer)).0, 200);
    assert_eq!(gateway.curl("/payments/new", Some(&key)).0, 403);
    assert_eq!(gateway.curl("/orders", None).0, 401);
    assert_eq!(gateway.curl("/orders", Some(&unknown_key())).0, 401);
    assert_eq!(
        gateway
            .curl("/orders", Some(&with_wrong_secret(&env, &key)))
            .0,
        401
    );
    assert_eq!(gateway.curl("/orders", Some(&old)).0, 401, "frozen");

    let rotated = env
        .cmd()
        .args(["rotate", &rotating_id, "--grace", "1h"])
        .output()
        .unwrap();
    assert!(rotated.status.success());
    let replacement = String::from_utf8(rotated.stdout)
        .unwrap()
        .trim()
        .to_string();
    assert_eq!(
        gateway.curl("/orders", Some(&rotating)).0,
        200,
        "in its grace"
    );
    assert_eq!(gateway.curl("/orders", Some(&replacement)).0, 200);
    let ended = env
        .cmd()
        .args(["rotate", &replacement[4..16], "--grace", "0"])
        .output()
        .unwrap();
    assert!(ended.status.success());
    assert_eq!(
        gateway.curl("/orders", Some(&replacement)).0,
        401,
        "rotated without grace"
    );

    // Deleted while a client loops on it: nothing allowed after `delete`.
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let gateway = Arc::new(gateway);
    let requests = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let client = {
        let (gateway, key, stop, requests) = (
            Arc::clone(&gateway),
            key.clone(),
            Arc::clone(&stop),
            Arc::clone(&requests),
        );
        std::thread::spawn(move || {
            let mut seen = Vec::new();
            while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                let started = Instant::now();
                seen.push((started, gateway.curl("/orders", Some(&key)).0));
                requests.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            }
            seen
        })
    };
    // A few requests before and after, however slow a busy machine makes
    // each (bounded in time).
    let after_some = |count: usize| {
        let deadline = Instant::now() + Duration::from_secs(20);
        let from = requests.load(std::sync::atomic::Ordering::SeqCst);
        while requests.load(std::sync::atomic::Ordering::SeqCst) < from + count
            && Instant::now() < deadline
        {
            std::thread::sleep(Duration::from_millis(20));
        }
    };
    after_some(3);
    env.cmd().args(["delete", "--yes", &id]).assert().success();
    let returned = Instant::now();
    // One more may have started before `delete` returned.
    after_some(4);
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    let seen = client.join().unwrap();
    assert!(
        seen.iter()
            .any(|(started, status)| *started < returned && *status == 200)
    );
    let after: Vec<u16> = seen
        .iter()
        .filter(|(started, _)| *started >= returned)
        .map(|(_, status)| *status)
        .collect();
    assert!(
        !after.is_empty() && after.iter().all(|status| *status == 401),
        "{after:?}"
    );
}

#[test]
fn nginx_auth_request_in_front() {
    if installed("nginx") && installed("curl") {
        through_gateway(nginx);
    }
}

#[test]
fn caddy_forward_auth_in_front() {
    if installed("caddy") && installed("curl") {
        through_gateway(caddy);
    }
}

/// The packaged unit passes `systemd-analyze verify`, with its ExecStart
/// pointed at this build and its man page where `man` finds it.
#[test]
fn the_systemd_unit_verifies() {
    if !installed("systemd-analyze") || !installed("man") {
        return;
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let unit = std::fs::read_to_string(root.join("debian/intergiro-keys-serve.service")).unwrap();
    assert!(unit.contains("ExecStart=/usr/bin/intergiro-keys serve "));
    for hardening in [
        "DynamicUser=yes",
        "ProtectSystem=strict",
        "NoNewPrivileges=yes",
    ] {
        assert!(unit.contains(hardening), "{hardening}");
    }
    let dir = tempfile::tempdir().unwrap();
    let binary = assert_cmd::cargo::cargo_bin!("intergiro-keys");
    let path = dir.path().join("intergiro-keys-serve.service");
    std::fs::write(
        &path,
        unit.replace("/usr/bin/intergiro-keys", &binary.display().to_string()),
    )
    .unwrap();
    std::fs::create_dir(dir.path().join("man1")).unwrap();
    std::fs::copy(
        root.join("man/intergiro-keys-serve.1"),
        dir.path().join("man1/intergiro-keys-serve.1"),
    )
    .unwrap();
    let output = std::process::Command::new("systemd-analyze")
        .arg("verify")
        .arg(&path)
        .env("MANPATH", dir.path())
        .output()
        .unwrap();
    assert!(
        output.status.success() && output.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// SIGHUP changes nothing: a keep-alive connection opened before it goes on
/// answering after it. HTTP/2 without TLS is answered too.
#[test]
fn sighup_drops_no_connection_and_h2c_is_answered() {
    let env = Env::new();
    let (key, _) = env.create("kept", &["accounts"]);
    let serve = Serve::start(&env.at(t0()), &[]);
    let mut stream = TcpStream::connect(&serve.address).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let request = format!("GET /verify HTTP/1.1\r\nHost: test\r\nX-Api-Key: {key}\r\n\r\n");
    let mut answer = [0u8; 4096];
    stream.write_all(request.as_bytes()).unwrap();
    let read = stream.read(&mut answer).unwrap();
    assert!(answer[..read].starts_with(b"HTTP/1.1 200"));
    let pid = nix::unistd::Pid::from_raw(serve.child.id() as i32);
    nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGHUP).unwrap();
    serve.log_when(|log| log.iter().any(|line| line.contains("\"hangup\"")));
    stream.write_all(request.as_bytes()).unwrap();
    let read = stream.read(&mut answer).unwrap();
    assert!(
        answer[..read].starts_with(b"HTTP/1.1 200"),
        "{:?}",
        String::from_utf8_lossy(&answer[..read])
    );
    if installed("curl") {
        let output = std::process::Command::new("curl")
            .args([
                "-sS",
                "--http2-prior-knowledge",
                "-o",
                "/dev/null",
                "-w",
                "%{http_version} %{http_code}",
            ])
            .args(["-H", &format!("X-Api-Key: {key}")])
            .arg(format!("http://{}/verify", serve.address))
            .output()
            .unwrap();
        assert_eq!(String::from_utf8_lossy(&output.stdout), "2 200");
    }
}
