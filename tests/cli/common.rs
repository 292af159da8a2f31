//! A small builder around the real binary: each `Env` has its own temporary
//! directory, database and clock.
//!
//! `INTERGIRO_KEYS_TEST_STORE=postgres` runs the same tests against a
//! PostgreSQL store: each `Env` then gets a fresh database on the test
//! cluster (`tests/pg/cluster.sh`, INTERGIRO_KEYS_TEST_PG), with a store
//! made by `init` as the acting account's role.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use chrono::{DateTime, Duration, TimeZone, Utc};
use tempfile::TempDir;

/// The moment every test starts at, unless it says otherwise.
pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 1, 12, 0, 0).unwrap()
}

pub struct Env {
    pub dir: TempDir,
    pub db: PathBuf,
    now: DateTime<Utc>,
}

impl Env {
    pub fn new() -> Env {
        let dir = tempfile::tempdir().unwrap();
        let mut env = Env {
            db: dir.path().join("keys.db"),
            dir,
            now: t0(),
        };
        if on_postgres() {
            env.db = PathBuf::from(pg::fresh_store(&env));
        }
        env
    }

    /// An `Env` on a PostgreSQL store whatever INTERGIRO_KEYS_TEST_STORE
    /// says, when the test cluster is there. Without one the test says so
    /// and is skipped, unless INTERGIRO_KEYS_PG_REQUIRED=1 (CI), where it
    /// fails.
    pub fn postgres() -> Option<Env> {
        if std::env::var_os("INTERGIRO_KEYS_TEST_PG").is_none() {
            assert!(
                std::env::var("INTERGIRO_KEYS_PG_REQUIRED").as_deref() != Ok("1"),
                "INTERGIRO_KEYS_PG_REQUIRED=1 but there is no test cluster: run the tests under tests/pg/cluster.sh"
            );
            eprintln!(
                "skipped: no PostgreSQL test cluster (run the tests under tests/pg/cluster.sh)"
            );
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        let mut env = Env {
            db: dir.path().join("keys.db"),
            dir,
            now: t0(),
        };
        env.db = PathBuf::from(pg::fresh_store(&env));
        Some(env)
    }

    /// The store's URL as `role` logs in, for `psql`.
    pub fn url_as(&self, role: &str) -> String {
        self.db
            .to_string_lossy()
            .replacen("postgresql:///", &format!("postgresql://{role}@/"), 1)
    }

    /// Whether this run's store is PostgreSQL.
    pub fn is_postgres(&self) -> bool {
        self.db.to_string_lossy().starts_with("postgresql://")
    }

    /// For a test of the SQLite file itself: says so and returns true when
    /// the store is PostgreSQL, where the test has no meaning.
    pub fn sqlite_only(&self, why: &str) -> bool {
        if self.is_postgres() {
            eprintln!("not run on PostgreSQL: {why}");
        }
        self.is_postgres()
    }

    /// The same database seen `days` after `t0`.
    pub fn days_later(&self, days: i64) -> EnvAt<'_> {
        EnvAt {
            env: self,
            now: t0() + Duration::days(days),
        }
    }

    /// The same database seen at `now`.
    pub fn at(&self, now: DateTime<Utc>) -> EnvAt<'_> {
        EnvAt { env: self, now }
    }

    pub fn cmd(&self) -> Command {
        self.at(self.now).cmd()
    }

    pub fn std_cmd(&self) -> std::process::Command {
        self.at(self.now).std_cmd()
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Creates a key at `t0` and returns (key text, ID).
    pub fn create(&self, name: &str, roles: &[&str]) -> (String, String) {
        self.at(self.now).create(name, roles)
    }

    /// `list --format json` at `t0`, parsed.
    pub fn list_json(&self) -> Vec<serde_json::Value> {
        self.at(self.now).list_json()
    }

    /// Every file of the database: the main file, its WAL and shared memory.
    pub fn database_files(&self) -> Vec<Vec<u8>> {
        ["", "-wal", "-shm"]
            .iter()
            .filter_map(|suffix| std::fs::read(format!("{}{}", self.db.display(), suffix)).ok())
            .collect()
    }
}

pub struct EnvAt<'a> {
    env: &'a Env,
    now: DateTime<Utc>,
}

impl EnvAt<'_> {
    pub fn cmd(&self) -> Command {
        Command::from_std(self.std_cmd())
    }

    /// The binary as a plain `std::process::Command`, for tests that need
    /// to handle its pipes themselves.
    pub fn std_cmd(&self) -> std::process::Command {
        let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin!("intergiro-keys"));
        cmd.current_dir(self.env.dir.path())
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.env.dir.path())
            .env("INTERGIRO_KEYS_DB", &self.env.db)
            .env("INTERGIRO_KEYS_NOW", self.now.to_rfc3339());
        cmd
    }

    pub fn create(&self, name: &str, roles: &[&str]) -> (String, String) {
        let mut cmd = self.cmd();
        cmd.args(["create", "--name", name]);
        for role in roles {
            cmd.args(["--role", role]);
        }
        let output = cmd.output().unwrap();
        assert!(
            output.status.success(),
            "create failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let text = String::from_utf8(output.stdout).unwrap();
        let key = text.trim().to_string();
        assert_eq!(
            text,
            format!("{key}\n"),
            "stdout must carry the key alone on one line"
        );
        let id = key[4..16].to_string();
        (key, id)
    }

    /// Runs `verify` with the key on stdin and returns (exit code, stdout).
    pub fn verify(&self, key: &str, args: &[&str]) -> (i32, String) {
        let output = self
            .cmd()
            .arg("verify")
            .args(args)
            .write_stdin(key)
            .output()
            .unwrap();
        (
            output.status.code().unwrap(),
            String::from_utf8(output.stdout).unwrap(),
        )
    }

    /// `list --format json`, parsed.
    pub fn list_json(&self) -> Vec<serde_json::Value> {
        self.json_array(&["list"])
    }

    /// A command that must succeed with `--format json`, its object parsed.
    pub fn json_object(&self, args: &[&str]) -> serde_json::Value {
        let output = self
            .cmd()
            .args(args)
            .args(["--format", "json"])
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        serde_json::from_slice(&output.stdout).unwrap()
    }

    /// A command that must succeed with `--format json`, its array parsed.
    pub fn json_array(&self, args: &[&str]) -> Vec<serde_json::Value> {
        let output = self
            .cmd()
            .args(args)
            .args(["--format", "json"])
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        serde_json::from_slice(&output.stdout).unwrap()
    }
}

/// Whether `haystack` contains `needle` anywhere.
pub fn contains_bytes(haystack: &[u8], needle: &[u8]) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle)
}

pub fn file_mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// Whether the tests run against PostgreSQL (INTERGIRO_KEYS_TEST_STORE).
pub fn on_postgres() -> bool {
    match std::env::var("INTERGIRO_KEYS_TEST_STORE").as_deref() {
        Ok("postgres") => true,
        Ok("sqlite") | Err(_) => false,
        Ok(other) => panic!("INTERGIRO_KEYS_TEST_STORE={other}: expected sqlite or postgres"),
    }
}

/// The PostgreSQL test cluster: fresh databases and the login roles the
/// tests act as.
pub mod pg {
    use std::sync::atomic::{AtomicU32, Ordering};

    use postgres::{Client, NoTls};

    /// The roles the tests act as (`INTERGIRO_KEYS_OPERATOR`) or add.
    const ROLES: &[&str] = &[
        "alice", "bob", "carol", "dave", "eve", "mallory", "stranger", "check", "zoe",
    ];

    /// The superuser URL and the socket directory of the test cluster.
    pub fn cluster() -> (String, String) {
        let url = std::env::var("INTERGIRO_KEYS_TEST_PG").expect(
            "INTERGIRO_KEYS_TEST_STORE=postgres needs a test cluster: run the tests under tests/pg/cluster.sh",
        );
        let socket_dir = url
            .split("host=")
            .nth(1)
            .expect("host= in INTERGIRO_KEYS_TEST_PG")
            .to_string();
        (url, socket_dir)
    }

    /// A login role, made once per cluster (tests may race to make it).
    pub fn ensure_role(admin: &mut Client, role: &str) {
        for _ in 0..50 {
            let exists: bool = admin
                .query_one(
                    "SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)",
                    &[&role],
                )
                .unwrap()
                .get(0);
            if exists {
                return;
            }
            let _ = admin.batch_execute(&format!("CREATE ROLE \"{role}\" LOGIN"));
        }
        panic!("cannot create role {role}");
    }

    /// A new database holding a store that `init` made as the acting
    /// account's role, which may create roles as a database administrator.
    /// Returns its URL, without a user: the binary logs in as the acting
    /// operator.
    pub fn fresh_store(env: &super::Env) -> String {
        let store_url = fresh_database();
        let output = std::process::Command::new(assert_cmd::cargo::cargo_bin!("intergiro-keys"))
            .current_dir(env.dir.path())
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", env.dir.path())
            .env("INTERGIRO_KEYS_DB", &store_url)
            .env("INTERGIRO_KEYS_NOW", super::t0().to_rfc3339())
            .arg("init")
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "init: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        store_url
    }

    /// A new, empty database, which the acting account's role may make a
    /// store in. Returns its URL, without a user.
    pub fn fresh_database() -> String {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let name = format!(
            "cli_{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::SeqCst)
        );
        let (url, socket_dir) = cluster();
        // Tests run in parallel, and concurrent role changes (ALTER ROLE,
        // GRANT) on one role fail with "tuple concurrently updated": set
        // databases up one at a time.
        static SETUP: std::sync::Mutex<()> = std::sync::Mutex::new(());
        let _one_at_a_time = SETUP
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let mut server = Client::connect(&url, NoTls).expect("cannot reach the test cluster");
        server
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .unwrap();
        let me = acting_account();
        for role in ROLES.iter().copied().chain([me.as_str()]) {
            ensure_role(&mut server, role);
        }
        server
            .batch_execute(&format!(
                "ALTER ROLE \"{me}\" CREATEROLE; GRANT CREATE ON DATABASE {name} TO \"{me}\""
            ))
            .unwrap();
        format!("postgresql:///{name}?host={socket_dir}")
    }

    /// The operating-system account running the tests: the role that
    /// commands without the identity seam log in as.
    pub fn acting_account() -> String {
        nix::unistd::User::from_uid(nix::unistd::getuid())
            .ok()
            .flatten()
            .map(|user| user.name)
            .expect("an account name for the running user")
    }
}
