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
            refuse_sqlite_only_test();
            env.db = PathBuf::from(pg::fresh_store(&env));
        }
        env
    }

    /// An `Env` on a SQLite file whatever INTERGIRO_KEYS_TEST_STORE says,
    /// for a test that needs one beside the store under test.
    pub fn sqlite() -> Env {
        let dir = tempfile::tempdir().unwrap();
        Env {
            db: dir.path().join("keys.db"),
            dir,
            now: t0(),
        }
    }

    /// An `Env` on a PostgreSQL store whatever INTERGIRO_KEYS_TEST_STORE
    /// says. The tests that call it are `#[ignore]`d ("needs PostgreSQL"):
    /// run with `--include-ignored` and no test cluster, they fail.
    pub fn postgres() -> Env {
        pg::require_cluster();
        let dir = tempfile::tempdir().unwrap();
        let mut env = Env {
            db: dir.path().join("keys.db"),
            dir,
            now: t0(),
        };
        env.db = PathBuf::from(pg::fresh_store(&env));
        env
    }

    /// `postgres()`, but on a new, empty database (`pg::fresh_database`),
    /// for a test that makes the store itself.
    pub fn postgres_without_store() -> Env {
        pg::require_cluster();
        Env {
            db: PathBuf::from(pg::fresh_database()),
            dir: tempfile::tempdir().unwrap(),
            now: t0(),
        }
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

/// Runs SQL on the store directly, bypassing the program, as whoever owns
/// it: the file's owner (SQLite), or the test cluster's superuser in the
/// store's schema (PostgreSQL). Parameters are text, written `?1`, `?2`…
/// (`$1`… on PostgreSQL, where the same SQL is sent with them renamed).
impl Env {
    /// Executes statements without parameters.
    pub fn sql(&self, sql: &str) {
        if self.is_postgres() {
            self.pg_client()
                .batch_execute(sql)
                .unwrap_or_else(|err| panic!("{sql}: {err}"));
        } else {
            self.sqlite_connection()
                .execute_batch(sql)
                .unwrap_or_else(|err| panic!("{sql}: {err}"));
        }
    }

    /// Executes one statement; returns the number of rows it changed.
    pub fn execute(&self, sql: &str, params: &[&str]) -> u64 {
        if self.is_postgres() {
            let params: Vec<&(dyn postgres::types::ToSql + Sync)> =
                params.iter().map(|p| p as _).collect();
            self.pg_client()
                .execute(&dollar_params(sql), &params)
                .unwrap_or_else(|err| panic!("{sql}: {err}"))
        } else {
            self.sqlite_connection()
                .execute(sql, rusqlite::params_from_iter(params))
                .unwrap_or_else(|err| panic!("{sql}: {err}")) as u64
        }
    }

    /// The rows of a query, each column as text (NULL as None). Write
    /// portable SQL: `CASE WHEN issued THEN …` rather than `issued = 1`.
    pub fn query(&self, sql: &str, params: &[&str]) -> Vec<Vec<Option<String>>> {
        if self.is_postgres() {
            let params: Vec<&(dyn postgres::types::ToSql + Sync)> =
                params.iter().map(|p| p as _).collect();
            // Every column as text, whatever its type.
            let wrapped = format!("SELECT to_json(q)::text FROM ({}) q", dollar_params(sql));
            let rows = self
                .pg_client()
                .query(&wrapped, &params)
                .unwrap_or_else(|err| panic!("{sql}: {err}"));
            let columns = self
                .pg_client()
                .prepare(&dollar_params(sql))
                .unwrap()
                .columns()
                .iter()
                .map(|column| column.name().to_string())
                .collect::<Vec<_>>();
            rows.iter()
                .map(|row| {
                    let object: serde_json::Value = serde_json::from_str(row.get(0)).unwrap();
                    columns
                        .iter()
                        .map(|column| match &object[column] {
                            serde_json::Value::Null => None,
                            serde_json::Value::String(text) => Some(text.clone()),
                            serde_json::Value::Bool(true) => Some("1".to_string()),
                            serde_json::Value::Bool(false) => Some("0".to_string()),
                            other => Some(other.to_string()),
                        })
                        .collect()
                })
                .collect()
        } else {
            let conn = self.sqlite_connection();
            let mut statement = conn
                .prepare(sql)
                .unwrap_or_else(|err| panic!("{sql}: {err}"));
            let width = statement.column_count();
            statement
                .query_map(rusqlite::params_from_iter(params), |row| {
                    (0..width)
                        .map(|i| {
                            Ok(match row.get::<_, rusqlite::types::Value>(i)? {
                                rusqlite::types::Value::Null => None,
                                rusqlite::types::Value::Integer(n) => Some(n.to_string()),
                                rusqlite::types::Value::Real(x) => Some(x.to_string()),
                                rusqlite::types::Value::Text(text) => Some(text),
                                rusqlite::types::Value::Blob(bytes) => {
                                    Some(String::from_utf8_lossy(&bytes).into_owned())
                                }
                            })
                        })
                        .collect()
                })
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap_or_else(|err| panic!("{sql}: {err}"))
        }
    }

    /// Seals key `id`'s row as it now is, as anyone who can write the file
    /// and knows how the tool seals can (`benches/reseal.py`), or, on
    /// PostgreSQL, a superuser calling the store's own functions: for tests
    /// of what a row edited so carries into the output.
    pub fn reseal(&self, id: &str) {
        if self.is_postgres() {
            self.pg_client()
                .execute(
                    "SELECT _audit('seal', k.id, 'ok', 'resealed by a test', 'key ' || k.id, _key_seal(k))
                     FROM api_key k WHERE k.id = $1",
                    &[&id],
                )
                .unwrap();
            return;
        }
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/reseal.py");
        let output = std::process::Command::new("python3")
            .arg(script)
            .arg(&self.db)
            .arg(id)
            .output()
            .expect("python3 must be installed for this test (.ci/run installs it)");
        assert!(
            output.status.success(),
            "reseal.py: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }

    /// The one number a query returns (None for NULL), e.g. a count.
    pub fn number(&self, sql: &str, params: &[&str]) -> Option<i64> {
        let rows = self.query(sql, params);
        assert_eq!(rows.len(), 1, "{sql}: {} rows", rows.len());
        rows[0][0]
            .as_ref()
            .map(|text| text.parse().unwrap_or_else(|_| panic!("{sql}: {text}")))
    }

    /// Everything the store holds, to compare before and after a command
    /// that must change nothing: the database file (SQLite), or every row
    /// of every table of the store (PostgreSQL).
    pub fn snapshot(&self) -> Vec<u8> {
        if self.is_postgres() {
            self.pg_dump()
        } else {
            std::fs::read(&self.db).unwrap_or_default()
        }
    }

    /// Whether nothing was ever written to the store: no database file
    /// (SQLite), or nothing but what `init` wrote, its first administrator
    /// and that entry (PostgreSQL).
    pub fn is_pristine(&self) -> bool {
        if !self.is_postgres() {
            return !self.db.exists();
        }
        self.number("SELECT count(*) FROM api_key", &[]) == Some(0)
            && self.number("SELECT count(*) FROM operator", &[]) == Some(1)
            && self.number("SELECT count(*) FROM audit", &[]) == Some(1)
    }

    /// Every byte the store keeps, to search for what must not be there:
    /// the database's files (SQLite), or every row (PostgreSQL).
    pub fn contents(&self) -> Vec<u8> {
        if self.is_postgres() {
            self.pg_dump()
        } else {
            self.database_files().concat()
        }
    }

    /// Holds the store's write lock until dropped, as a writer in the
    /// middle of a change does: SQLite's database lock, or the row every
    /// change on PostgreSQL locks to append to the audit log.
    pub fn hold_write_lock(&self) -> WriteLock {
        if self.is_postgres() {
            let mut client = self.pg_client();
            client
                .batch_execute("BEGIN; SELECT 1 FROM audit_head FOR UPDATE")
                .unwrap();
            WriteLock::Postgres(Box::new(client))
        } else {
            let conn = self.sqlite_connection();
            conn.execute_batch("BEGIN IMMEDIATE").unwrap();
            WriteLock::Sqlite(conn)
        }
    }

    fn sqlite_connection(&self) -> rusqlite::Connection {
        rusqlite::Connection::open(&self.db).unwrap()
    }

    /// The test cluster's superuser on this store's database, in its schema.
    fn pg_client(&self) -> postgres::Client {
        let mut client = postgres::Client::connect(&self.url_as("postgres"), postgres::NoTls)
            .expect("cannot reach the test cluster");
        client
            .batch_execute("SET search_path = intergiro_keys")
            .unwrap();
        client
    }

    fn pg_dump(&self) -> Vec<u8> {
        let mut client = self.pg_client();
        let mut dump = String::new();
        for table in [
            "schema_version",
            "setting",
            "api_key",
            "operator",
            "audit",
            "audit_head",
        ] {
            for row in client
                .query(
                    &format!("SELECT t::text FROM {table} t ORDER BY t::text COLLATE \"C\""),
                    &[],
                )
                .unwrap()
            {
                dump.push_str(table);
                dump.push(' ');
                dump.push_str(row.get(0));
                dump.push('\n');
            }
        }
        dump.into_bytes()
    }
}

/// The store's write lock, held until dropped: the connection holding it,
/// whose closing lets go.
pub enum WriteLock {
    Sqlite(#[allow(dead_code)] rusqlite::Connection),
    Postgres(#[allow(dead_code)] Box<postgres::Client>),
}

/// `?1` as PostgreSQL writes it: `$1`.
fn dollar_params(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '?' && chars.peek().is_some_and(char::is_ascii_digit) {
            out.push('$');
        } else {
            out.push(c);
        }
    }
    out
}

/// The tests of the SQLite file itself (tests/cli/sqlite-only.txt): the
/// PostgreSQL pass skips them, and one run there anyway fails rather than
/// passing without meaning.
pub const SQLITE_ONLY: &str = include_str!("sqlite-only.txt");

/// The names listed in `SQLITE_ONLY`.
pub fn sqlite_only_tests() -> impl Iterator<Item = &'static str> {
    SQLITE_ONLY
        .lines()
        .map(|line| line.split('#').next().unwrap_or_default().trim())
        .filter(|line| !line.is_empty())
}

/// Fails a test of the SQLite file run against PostgreSQL (the test
/// harness names each test's thread after the test).
fn refuse_sqlite_only_test() {
    let current = std::thread::current();
    let name = current.name().unwrap_or_default();
    assert!(
        !sqlite_only_tests().any(|listed| listed == name),
        "{name} tests the SQLite file and has no meaning on PostgreSQL; the PostgreSQL pass (tests/pg/cli.sh) skips the tests in tests/cli/sqlite-only.txt"
    );
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

    /// Fails the test when the test cluster is not there: a test that
    /// needs PostgreSQL is `#[ignore]`d, so it runs only when asked for
    /// (`--include-ignored`), and then it must not pass without running.
    pub fn require_cluster() {
        assert!(
            std::env::var_os("INTERGIRO_KEYS_TEST_PG").is_some(),
            "needs PostgreSQL: INTERGIRO_KEYS_TEST_PG is not set; run the tests under tests/pg/cluster.sh"
        );
    }

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

/// Whether `program` can be run. CI installs it (.ci/run), so there a
/// missing one fails the test instead of skipping it.
pub fn installed(program: &str) -> bool {
    let found = std::process::Command::new("sh")
        .args(["-c", &format!("command -v {program}")])
        .output()
        .is_ok_and(|output| output.status.success());
    if !found {
        assert!(
            std::env::var_os("CI").is_none(),
            "{program} is not installed; .ci/run installs it"
        );
        eprintln!("{program} is not installed; skipping");
    }
    found
}
