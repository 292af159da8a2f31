//! A small builder around the real binary: each `Env` has its own temporary
//! directory, database and clock.

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
        let db = dir.path().join("keys.db");
        Env { dir, db, now: t0() }
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
