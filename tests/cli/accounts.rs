//! Real operating-system accounts: a monitoring account that may only read
//! the database, files that must not be left blocking the owner, and a
//! database or directory that another account could have planted or changed.
//! These need root (to make accounts and run commands as them), as CI is.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// An account of its own for each test, so that tests running at once never
/// remove one another's. None when not root (then nothing here can run).
pub(crate) fn account(name: &str) -> Option<String> {
    if !nix::unistd::geteuid().is_root() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI runs as root: the account tests must run there"
        );
        eprintln!("not root: cannot make a second account; skipped outside CI");
        return None;
    }
    if nix::unistd::User::from_name(name).ok().flatten().is_none() {
        let output = Command::new("useradd")
            .args(["--no-create-home", "--shell", "/bin/sh", name])
            .output()
            .expect("useradd");
        // Another test may have made it in the meantime.
        assert!(
            output.status.success() || nix::unistd::User::from_name(name).ok().flatten().is_some(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Some(name.to_string())
}

fn uid_of(name: &str) -> u32 {
    nix::unistd::User::from_name(name)
        .unwrap()
        .unwrap()
        .uid
        .as_raw()
}

fn gid_of(name: &str) -> u32 {
    nix::unistd::User::from_name(name)
        .unwrap()
        .unwrap()
        .gid
        .as_raw()
}

/// A directory other accounts can reach, with its own copy of the binary.
pub(crate) struct Shared {
    _root: tempfile::TempDir,
    bin: PathBuf,
    dir: PathBuf,
    pub(crate) db: PathBuf,
}

impl Shared {
    pub(crate) fn new() -> Shared {
        let root = tempfile::tempdir().unwrap();
        set_mode(root.path(), 0o755);
        let bin = root.path().join("intergiro-keys");
        std::fs::copy(assert_cmd::cargo::cargo_bin!("intergiro-keys"), &bin).unwrap();
        set_mode(&bin, 0o755);
        let dir = root.path().join("store");
        std::fs::create_dir(&dir).unwrap();
        set_mode(&dir, 0o755);
        let db = dir.join("keys.db");
        Shared {
            _root: root,
            bin,
            dir,
            db,
        }
    }

    /// Runs the binary as `user` (root when None), with `stdin`.
    pub(crate) fn run(&self, user: Option<&str>, args: &[&str], stdin: &str) -> Output {
        // runuser meets the same ETXTBSY as spawn (below) when it executes
        // the just-copied binary, and says so on stderr: nothing ran, so run
        // it again, a bounded number of times.
        for _ in 0..50 {
            let output = self.run_once(user, args, stdin);
            let busy = user.is_some()
                && output.status.code() != Some(0)
                && String::from_utf8_lossy(&output.stderr).contains("Text file busy");
            if !busy {
                return output;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        panic!("runuser kept finding the copied binary busy");
    }

    /// `run` on another database than the shared one.
    pub(crate) fn run_with_db(
        &self,
        user: Option<&str>,
        db: &Path,
        args: &[&str],
        stdin: &str,
    ) -> Output {
        let mut with_db = vec!["--db", db.to_str().unwrap()];
        with_db.extend_from_slice(args);
        self.run(user, &with_db, stdin)
    }

    /// `ok` on another database than the shared one, with no input.
    fn ok_with_db(&self, user: Option<&str>, db: &Path, args: &[&str]) -> String {
        let output = self.run_with_db(user, db, args, "");
        assert!(output.status.success(), "{args:?}: {output:?}");
        String::from_utf8(output.stdout).unwrap()
    }

    fn run_once(&self, user: Option<&str>, args: &[&str], stdin: &str) -> Output {
        let mut cmd = match user {
            Some(user) => {
                let mut cmd = Command::new("runuser");
                cmd.args(["-u", user, "--"]).arg(&self.bin);
                cmd
            }
            None => Command::new(&self.bin),
        };
        // No identity seam: the account comes from the real user id.
        cmd.env_clear()
            .env("PATH", "/usr/sbin:/usr/bin:/sbin:/bin")
            .env("INTERGIRO_KEYS_DB", &self.db)
            .current_dir("/")
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        // The binary was just copied: a process forked meanwhile by another
        // test may briefly hold it open for writing (ETXTBSY).
        let mut child = (0..50)
            .find_map(|_| match cmd.spawn() {
                Err(err) if err.raw_os_error() == Some(nix::libc::ETXTBSY) => {
                    std::thread::sleep(std::time::Duration::from_millis(20));
                    None
                }
                spawned => Some(spawned.unwrap()),
            })
            .expect("the copied binary stayed busy");
        use std::io::Write;
        let mut input = child.stdin.take().unwrap();
        input.write_all(stdin.as_bytes()).unwrap();
        drop(input);
        child.wait_with_output().unwrap()
    }

    fn ok(&self, user: Option<&str>, args: &[&str], stdin: &str) -> String {
        let output = self.run(user, args, stdin);
        assert!(
            output.status.success(),
            "{user:?} {args:?}: exit {:?}: {}{}",
            output.status.code(),
            String::from_utf8_lossy(&output.stderr),
            String::from_utf8_lossy(&output.stdout)
        );
        String::from_utf8(output.stdout).unwrap()
    }

    /// The names in the store's directory, sorted.
    fn files(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(&self.dir)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }
}

fn set_mode(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

fn chown(path: &Path, uid: Option<u32>, gid: Option<u32>) {
    std::os::unix::fs::chown(path, uid, gid).unwrap();
}

#[test]
fn an_account_that_may_only_read_the_file_can_list_check_verify_and_audit() {
    let Some(monitor) = account("igk-test-monitor") else {
        return;
    };
    let shared = Shared::new();
    let key = shared.ok(None, &["create", "--name", "k", "--role", "accounts"], "");
    let key = key.trim();
    shared.ok(
        None,
        &["users", "add", &monitor, "--permission", "view"],
        "",
    );
    set_mode(&shared.db, 0o644);
    // A writer's files, as the last writer leaves them: the database and
    // the room kept for a revocation on a full disk.
    let before = shared.files();
    assert_eq!(before, ["keys.db", "keys.db-reserve"]);
    let db_before = std::fs::read(&shared.db).unwrap();

    let monitor = Some(monitor.as_str());
    let listed = shared.ok(monitor, &["list", "--format", "json"], "");
    assert!(listed.contains("\"name\": \"k\""), "{listed}");
    let checked = shared.ok(monitor, &["check"], "");
    assert!(checked.starts_with("OK:"), "{checked}");
    let verified = shared.ok(monitor, &["verify"], &format!("{key}\n"));
    assert!(verified.starts_with("valid:"), "{verified}");
    shared.ok(monitor, &["audit"], "");
    let intact = shared.ok(monitor, &["audit", "--verify"], "");
    assert!(intact.starts_with("ok:"), "{intact}");
    // A change is refused as such, not as a broken database.
    let refused = shared.run(monitor, &["renew", &key[4..16]], "");
    assert_eq!(refused.status.code(), Some(2));

    // Nothing left behind, nothing changed; the owner carries on.
    assert_eq!(shared.files(), before);
    assert_eq!(std::fs::read(&shared.db).unwrap(), db_before);
    shared.ok(
        None,
        &["create", "--name", "after", "--role", "accounts"],
        "",
    );
    shared.ok(None, &["renew", &key[4..16]], "");
}

#[test]
fn a_read_only_look_at_a_readers_own_database_leaves_nothing_that_blocks_writing() {
    let Some(owner) = account("igk-test-owner") else {
        return;
    };
    let shared = Shared::new();
    chown(&shared.dir, Some(uid_of(&owner)), Some(gid_of(&owner)));
    let owner = Some(owner.as_str());
    shared.ok(owner, &["create", "--name", "k", "--role", "accounts"], "");
    set_mode(&shared.db, 0o400);
    shared.ok(owner, &["list"], "");
    shared.ok(owner, &["check"], "");
    set_mode(&shared.db, 0o600);
    shared.ok(
        owner,
        &["create", "--name", "later", "--role", "accounts"],
        "",
    );
    assert_eq!(shared.files(), ["keys.db", "keys.db-reserve"]);

    // A `-shm` left read-only by an older version is put right.
    let key = shared.ok(owner, &["create", "--name", "k2", "--role", "accounts"], "");
    let shm = shared.dir.join("keys.db-shm");
    std::fs::write(&shm, vec![0u8; 32768]).unwrap();
    chown(&shm, Some(uid_of("igk-test-owner")), None);
    set_mode(&shm, 0o400);
    shared.ok(owner, &["renew", &key.trim()[4..16]], "");
}

#[test]
fn a_database_or_directory_others_could_change_is_refused_with_the_fix() {
    let Some(other) = account("igk-test-other") else {
        return;
    };
    // A directory anyone may write (not sticky): anyone could replace the file.
    let shared = Shared::new();
    set_mode(&shared.dir, 0o777);
    let output = shared.run(None, &["create", "--name", "k", "--role", "accounts"], "");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(&format!("chmod o-w {}", shared.dir.display())),
        "{stderr}"
    );
    assert!(shared.files().is_empty());

    // Sticky (as /tmp is): the file cannot be replaced there, but files
    // can be planted beside it, so it is refused all the same.
    set_mode(&shared.dir, 0o1777);
    let output = shared.run(None, &["create", "--name", "k", "--role", "accounts"], "");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(&format!(
            "the directory {} is writable by every account, so another could plant files beside the database",
            shared.dir.display()
        )) && stderr.contains("a directory of its own"),
        "{stderr}"
    );
    assert!(shared.files().is_empty());

    // A file planted by another account, world-writable or not.
    chown(&shared.dir, Some(uid_of(&other)), None);
    set_mode(&shared.dir, 0o755);
    shared.ok(
        Some(&other),
        &["create", "--name", "planted", "--role", "payments"],
        "",
    );
    chown(&shared.dir, Some(0), None);
    set_mode(&shared.db, 0o666);
    let output = shared.run(None, &["list"], "");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(&format!("chmod o-w {}", shared.db.display())),
        "{stderr}"
    );
    set_mode(&shared.db, 0o644);
    let output = shared.run(None, &["list"], "");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(&format!("belongs to {other}"))
            && stderr.contains(&format!("chown root {}", shared.db.display())),
        "{stderr}"
    );

    // The shared-group set-up of the README: a member of the file's group
    // uses a database another operator made.
    let Some(member) = account("igk-test-member") else {
        return;
    };
    let added = Command::new("usermod")
        .args(["-aG", &other, &member])
        .output()
        .unwrap();
    assert!(
        added.status.success(),
        "{}",
        String::from_utf8_lossy(&added.stderr)
    );
    let shared = Shared::new();
    chown(&shared.dir, None, Some(gid_of(&other)));
    set_mode(&shared.dir, 0o2770);
    shared.ok(
        Some(&other),
        &["create", "--name", "theirs", "--role", "accounts"],
        "",
    );
    set_mode(&shared.db, 0o660);
    shared.ok(
        Some(&other),
        &["users", "add", &member, "--permission", "view"],
        "",
    );
    let listed = shared.ok(Some(&member), &["list"], "");
    assert!(listed.contains("theirs"), "{listed}");
}

/// An account that may only read the database verifies keys as well as
/// anyone; it just records no last use, silently.
#[test]
fn verify_on_a_read_only_database_records_no_last_use_and_still_succeeds() {
    let Some(monitor) = account("igk-test-lastuse") else {
        return;
    };
    let shared = Shared::new();
    let key = shared.ok(None, &["create", "--name", "k", "--role", "accounts"], "");
    let key = key.trim();
    set_mode(&shared.db, 0o644);
    let db_before = std::fs::read(&shared.db).unwrap();
    let output = shared.run(Some(&monitor), &["verify"], &format!("{key}\n"));
    assert!(output.status.success(), "{output:?}");
    assert!(output.stderr.is_empty(), "{output:?}");
    assert_eq!(std::fs::read(&shared.db).unwrap(), db_before);
    let listed = shared.ok(None, &["list", "--format", "json"], "");
    assert!(listed.contains("\"last_used_at\": null"), "{listed}");
    // The owner's verify records it.
    shared.ok(None, &["verify"], &format!("{key}\n"));
    let listed = shared.ok(None, &["list", "--format", "json"], "");
    assert!(!listed.contains("\"last_used_at\": null"), "{listed}");
}

/// The finding: another account builds a store of its own (itself its
/// administrator, a key with every role), turns it into a `-wal` holding
/// every page, and drops it beside the victim's database. Checkpointed, it
/// would replace the victim's store whole, audit log included.
#[test]
fn a_wal_planted_by_another_account_is_refused_and_never_taken_in() {
    let Some(victim) = account("igk-test-victim") else {
        return;
    };
    let Some(attacker) = account("igk-test-planter") else {
        return;
    };
    let shared = Shared::new();
    chown(&shared.dir, Some(uid_of(&victim)), Some(gid_of(&victim)));
    let own_key = shared.ok(
        Some(&victim),
        &["create", "--name", "mine", "--role", "accounts"],
        "",
    );
    let before = std::fs::read(&shared.db).unwrap();

    // The attacker's store and its every page as a WAL.
    let theirs = tempfile::tempdir().unwrap();
    let their_db = theirs.path().join("keys.db");
    let forged = shared.ok_with_db(
        None,
        &their_db,
        &[
            "create",
            "--name",
            "forged",
            "--role",
            "transactions,accounts,payments",
        ],
    );
    let wal = shared.dir.join("keys.db-wal");
    let mut sqlite = Command::new("sqlite3")
        .arg(&their_db)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("sqlite3");
    {
        use std::io::Write;
        let mut input = sqlite.stdin.take().unwrap();
        write!(
            input,
            "PRAGMA journal_mode=WAL;\nPRAGMA wal_autocheckpoint=0;\nVACUUM;\n.shell cp {}-wal {}\n",
            their_db.display(),
            wal.display()
        )
        .unwrap();
    }
    let sqlite = sqlite.wait_with_output().unwrap();
    assert!(sqlite.status.success(), "{sqlite:?}");
    assert!(
        std::fs::metadata(&wal).unwrap().len() > 0,
        "no WAL was made"
    );
    chown(&wal, Some(uid_of(&attacker)), Some(gid_of(&attacker)));

    // Planted world-writable (as in the finding), then not: refused both
    // ways, by every command, the victim's own key included.
    for mode in [0o666, 0o644] {
        set_mode(&wal, mode);
        for (args, stdin) in [
            (vec!["verify"], format!("{}\n", forged.trim())),
            (vec!["verify"], own_key.clone()),
            (vec!["list"], String::new()),
            (vec!["audit", "--verify"], String::new()),
        ] {
            let output = shared.run(Some(&victim), &args, &stdin);
            assert_eq!(
                output.status.code(),
                Some(2),
                "{args:?} {mode:o}: {output:?}"
            );
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert!(stderr.contains(&wal.display().to_string()), "{stderr}");
            assert_eq!(std::fs::read(&shared.db).unwrap(), before, "{args:?}");
        }
    }
    // Removed, the victim's store is as it was.
    std::fs::remove_file(&wal).unwrap();
    shared.ok(Some(&victim), &["verify"], &own_key);
    let output = shared.run(Some(&victim), &["verify"], &format!("{}\n", forged.trim()));
    assert_eq!(output.status.code(), Some(1), "{output:?}");
}

/// `~/keys.db` a link to a database in a directory every account may write:
/// the real location is what is checked.
#[test]
fn a_link_to_a_database_in_an_open_directory_is_refused() {
    let shared = Shared::new();
    shared.ok(None, &["create", "--name", "k", "--role", "accounts"], "");
    set_mode(&shared.dir, 0o777);
    let home = tempfile::tempdir().unwrap();
    let link = home.path().join("keys.db");
    std::os::unix::fs::symlink(&shared.db, &link).unwrap();
    let output = shared.run_with_db(None, &link, &["list"], "");
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(&format!(
            "the directory {} is writable by every account",
            std::fs::canonicalize(&shared.dir).unwrap().display()
        )),
        "{stderr}"
    );
    set_mode(&shared.dir, 0o755);
    shared.run_with_db(None, &link, &["list"], "");
    let listed =
        String::from_utf8_lossy(&shared.run_with_db(None, &link, &["list"], "").stdout).to_string();
    assert!(listed.contains('k'), "{listed}");
}

/// A group of its own, made once (tests may race to make it).
fn group(name: &str) -> u32 {
    if nix::unistd::Group::from_name(name).ok().flatten().is_none() {
        let _ = Command::new("groupadd")
            .arg(name)
            .output()
            .expect("groupadd");
    }
    nix::unistd::Group::from_name(name)
        .unwrap()
        .unwrap_or_else(|| panic!("cannot make group {name}"))
        .gid
        .as_raw()
}

fn in_group(account: &str, group: &str) {
    let added = Command::new("usermod")
        .args(["-aG", group, account])
        .output()
        .unwrap();
    assert!(added.status.success(), "{added:?}");
}

fn setfacl(args: &[&str], path: &Path) {
    let output = Command::new("setfacl")
        .args(args)
        .arg(path)
        .output()
        .expect("setfacl (the acl package; .ci/run installs it)");
    assert!(output.status.success(), "{args:?}: {output:?}");
}

/// The shared host of docs/shared-host.md: operators in a group that owns
/// a setgid directory of root's, and a monitoring account outside it given
/// read access through ACLs. Nothing becomes readable by every account;
/// the monitor reads, checks and verifies, and cannot write. Before the
/// ACLs, its error names them.
#[test]
fn a_read_only_monitoring_account_reads_a_shared_store_through_acls() {
    let Some(operator) = account("igk-test-acl-op") else {
        return;
    };
    let Some(monitor) = account("igk-test-acl-mon") else {
        return;
    };
    let operators = group("igk-test-keyops");
    group("igk-test-keymon");
    in_group(&operator, "igk-test-keyops");
    in_group(&monitor, "igk-test-keymon");
    let shared = Shared::new();
    chown(&shared.dir, Some(0), Some(operators));
    set_mode(&shared.dir, 0o2770);
    let key = shared.ok(
        Some(&operator),
        &["create", "--name", "k", "--role", "accounts"],
        "",
    );
    set_mode(&shared.db, 0o660);

    let output = shared.run(Some(&monitor), &["check"], "");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(3), "{stdout}");
    assert!(
        stdout.contains("this account may not read the database")
            && stdout.contains(&format!("setfacl -m g:GROUP:x {}", shared.dir.display())),
        "{stdout}"
    );

    setfacl(&["-m", "g:igk-test-keymon:x"], &shared.dir);
    setfacl(&["-d", "-m", "g:igk-test-keymon:r"], &shared.dir);
    setfacl(&["-m", "g:igk-test-keymon:r"], &shared.db);
    let output = shared.run(Some(&monitor), &["check"], "");
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    shared.ok(Some(&monitor), &["verify"], &key);
    // A write by the operator meanwhile (a -wal and -shm made under the
    // default ACL) and the monitor still reads.
    shared.ok(
        Some(&operator),
        &["create", "--name", "k2", "--role", "accounts"],
        "",
    );
    shared.ok(Some(&monitor), &["verify"], &key);
    let output = shared.run(
        Some(&monitor),
        &["create", "--name", "nope", "--role", "payments"],
        "",
    );
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    // Nothing is readable by every account.
    for entry in std::fs::read_dir(&shared.dir).unwrap() {
        let entry = entry.unwrap();
        let mode = entry.metadata().unwrap().permissions().mode();
        assert_eq!(mode & 0o007, 0, "{}: {mode:o}", entry.path().display());
    }
}

/// docs/restore.md's SQLite procedure on the shared layout of
/// docs/shared-host.md: a backup (0600, its maker's) put back with the
/// store's group and mode keeps every operator of the group working, and
/// the keys deleted since are found and deleted again.
#[test]
fn a_backup_restored_as_documented_keeps_the_groups_operators_working() {
    let Some(first) = account("igk-test-rst-a") else {
        return;
    };
    let Some(second) = account("igk-test-rst-b") else {
        return;
    };
    let operators = group("igk-test-rstops");
    in_group(&first, "igk-test-rstops");
    in_group(&second, "igk-test-rstops");
    let shared = Shared::new();
    chown(&shared.dir, Some(0), Some(operators));
    set_mode(&shared.dir, 0o2770);
    let kept = shared.ok(
        Some(&first),
        &["create", "--name", "kept", "--role", "accounts"],
        "",
    );
    let deleted = shared.ok(
        Some(&first),
        &["create", "--name", "deleted", "--role", "accounts"],
        "",
    );
    let deleted_id = deleted.trim()[4..16].to_string();
    set_mode(&shared.db, 0o660);
    shared.ok(
        Some(&first),
        &["users", "add", &second, "--permission", "admin"],
        "",
    );
    // The backup, kept by the operator who made it.
    let backups = shared._root.path().join("backups");
    std::fs::create_dir(&backups).unwrap();
    chown(&backups, Some(uid_of(&first)), None);
    let backup = backups.join("keys.db");
    shared.ok(Some(&first), &["backup", backup.to_str().unwrap()], "");
    assert_eq!(crate::common::file_mode(&backup), 0o600);
    // Later: a revocation, which the restore will undo.
    shared.ok(Some(&second), &["delete", "--yes", &deleted_id], "");
    let head = shared.ok(
        Some(&second),
        &["audit", "--verify", "--format", "json"],
        "",
    );
    let head: serde_json::Value = serde_json::from_str(&head).unwrap();
    let head = head["head"].as_str().unwrap().to_string();
    // Keys deleted since the backup, read from the store before it is
    // replaced (or from the log shipped elsewhere).
    let since = shared.ok(Some(&second), &["audit", "--format", "jsonl"], "");
    let revoked: Vec<String> = since
        .lines()
        .map(|line| serde_json::from_str::<serde_json::Value>(line).unwrap())
        .filter(|entry| entry["action"] == "delete" && entry["outcome"] == "ok")
        .map(|entry| entry["key_id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(revoked, std::slice::from_ref(&deleted_id));

    // The procedure: writers stopped, journal files removed, the copy put
    // in place with the group and mode of the shared layout, atomically.
    for suffix in ["-wal", "-shm", "-journal"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", shared.db.display()));
    }
    let staged = shared.dir.join("keys.db.restoring");
    let installed = Command::new("install")
        .args(["-o", &first, "-g", "igk-test-rstops", "-m", "0660"])
        .arg(&backup)
        .arg(&staged)
        .output()
        .unwrap();
    assert!(installed.status.success(), "{installed:?}");
    std::fs::rename(&staged, &shared.db).unwrap();

    // Every operator of the group works on it; the chain holds but lacks
    // the head kept since, and the revoked key works again until deleted.
    for operator in [&first, &second] {
        shared.ok(Some(operator), &["list"], "");
    }
    shared.ok(Some(&second), &["audit", "--verify"], "");
    let rolled = shared.run(
        Some(&second),
        &["audit", "--verify", "--expect-head", &head],
        "",
    );
    assert_eq!(rolled.status.code(), Some(1), "{rolled:?}");
    shared.ok(Some(&second), &["verify"], &deleted);
    for id in &revoked {
        shared.ok(Some(&second), &["delete", "--yes", id], "");
    }
    let refused = shared.run(Some(&first), &["verify"], &deleted);
    assert_ne!(refused.status.code(), Some(0));
    shared.ok(Some(&first), &["verify"], &kept);
    // What SQLite made since keeps the group (setgid directory), and
    // nothing is readable by every account.
    for entry in std::fs::read_dir(&shared.dir).unwrap() {
        let entry = entry.unwrap();
        let metadata = entry.metadata().unwrap();
        assert_eq!(
            metadata.permissions().mode() & 0o007,
            0,
            "{}",
            entry.path().display()
        );
        if entry.file_name().to_string_lossy().starts_with("keys.db") {
            use std::os::unix::fs::MetadataExt;
            assert_eq!(metadata.gid(), operators, "{}", entry.path().display());
        }
    }
}
