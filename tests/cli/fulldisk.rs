//! Revocation on a full file system (SQLite): `delete` works from the room
//! kept for it, and `check` says when the room runs out. Needs a small
//! tmpfs, which only root can mount: elsewhere the test says it skipped,
//! and under CI (`CI` set) it fails instead.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use predicates::prelude::*;

use crate::common::Env;

/// A tmpfs mounted for one test, unmounted when dropped.
struct Tmpfs(PathBuf);

impl Tmpfs {
    fn mount(dir: &Path, size: &str) -> Option<Tmpfs> {
        std::fs::create_dir_all(dir).unwrap();
        let mounted = Command::new("mount")
            .args([
                "-t",
                "tmpfs",
                "-o",
                &format!("size={size},mode=700"),
                "tmpfs",
            ])
            .arg(dir)
            .output();
        match mounted {
            Ok(output) if output.status.success() => Some(Tmpfs(dir.to_path_buf())),
            other => {
                let why = match other {
                    Ok(output) => String::from_utf8_lossy(&output.stderr).into_owned(),
                    Err(err) => err.to_string(),
                };
                assert!(
                    std::env::var_os("CI").is_none(),
                    "cannot mount a tmpfs (run the tests as root): {why}"
                );
                eprintln!("SKIPPED: full-disk test needs root to mount a tmpfs: {why}");
                None
            }
        }
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

/// Writes zeros into `path` until the file system is full.
fn fill(path: &Path) {
    let mut file = std::fs::File::create(path).unwrap();
    let block = vec![0u8; 4096];
    while file.write_all(&block).is_ok() {}
    let _ = file.sync_all();
}

#[test]
fn delete_works_on_a_full_disk_and_check_says_so() {
    let mut env = Env::sqlite();
    let Some(fs) = Tmpfs::mount(&env.path("fs"), "1m") else {
        return;
    };
    env.db = fs.0.join("keys.db");
    let (leaked, _) = env.create("leaked", &["payments"]);
    let (kept, _) = env.create("kept", &["accounts"]);
    let reserve = fs.0.join("keys.db-reserve");
    assert_eq!(std::fs::metadata(&reserve).unwrap().len(), 256 * 1024);
    env.cmd()
        .arg("check")
        .assert()
        .code(0)
        .stdout(predicate::str::starts_with("OK: "));

    fill(&fs.0.join("filler"));
    // Not OK: monitoring hears of it before a revocation fails.
    let output = env.cmd().arg("check").output().unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert_ne!(output.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("KiB free"), "{stdout}");
    assert!(stdout.contains("free some space"), "{stdout}");

    env.cmd()
        .args(["delete", "--yes", "leaked"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Deleted key"))
        .stderr(predicate::str::contains("room kept for revocations"));
    assert!(!reserve.exists());
    assert_eq!(env.days_later(0).verify(&leaked, &[]).0, 1, "revoked");
    assert_eq!(env.days_later(0).verify(&kept, &[]).0, 0);
    // With the room used up, check says so.
    let output = env.cmd().arg("check").output().unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert_ne!(output.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("used up"), "{stdout}");

    // Room again: the next change keeps room for a revocation again.
    std::fs::remove_file(fs.0.join("filler")).unwrap();
    env.cmd().args(["renew", "kept"]).assert().success();
    assert_eq!(std::fs::metadata(&reserve).unwrap().len(), 256 * 1024);
    env.cmd().args(["audit", "--verify"]).assert().success();
    env.cmd().arg("check").assert().code(0);
}
