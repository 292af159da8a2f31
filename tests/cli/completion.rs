//! The committed completion scripts, driven by each shell as a person's
//! <TAB> would drive them: bash through its completion function with
//! COMP_WORDS/COMP_CWORD (and once through readline), zsh through its line
//! editor on a pseudo-terminal, fish through `complete -C`.

use std::path::{Path, PathBuf};
use std::process::Command;

use rexpect::session::PtySession;

use crate::common::installed;

const TIMEOUT_MS: u64 = 20_000;
const ROLES: [&str; 3] = ["transactions", "accounts", "payments"];
const SHELLS: [&str; 5] = ["bash", "elvish", "fish", "powershell", "zsh"];

fn script(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("completions")
        .join(name)
}

/// A directory holding `my keys.db` and `other.db`, for file-name completion.
fn directory_with_databases() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("my keys.db"), b"").unwrap();
    std::fs::write(dir.path().join("other.db"), b"").unwrap();
    dir
}

/// The candidates bash's completion for `intergiro-keys` offers for `words`
/// (the last being the word under the cursor), one per line.
fn bash_candidates(dir: &Path, words: &[&str]) -> Vec<String> {
    let driver = r#"
        [ -r /usr/share/bash-completion/bash_completion ] && . /usr/share/bash-completion/bash_completion
        . "$1"; shift
        function=$(complete -p intergiro-keys | sed -n 's/.* -F \([^ ]*\) .*/\1/p')
        COMP_WORDS=("$@")
        COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
        COMP_LINE="$*"
        COMP_POINT=${#COMP_LINE}
        "$function" intergiro-keys "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}" 2>/dev/null
        printf '%s\n' "${COMPREPLY[@]}"
    "#;
    let output = Command::new("bash")
        .args(["--norc", "--noprofile", "-c", driver, "bash"])
        .arg(script("intergiro-keys.bash"))
        .args(words)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .filter(|line| !line.is_empty())
        .map(str::to_string)
        .collect()
}

fn sorted(words: &[&str]) -> Vec<String> {
    let mut words: Vec<String> = words.iter().map(|word| word.to_string()).collect();
    words.sort();
    words
}

fn sorted_owned(mut words: Vec<String>) -> Vec<String> {
    words.sort();
    words
}

#[test]
fn bash_completes_roles_options_spaced_file_names_and_shells() {
    if !installed("bash") {
        return;
    }
    let dir = directory_with_databases();
    let candidates = |words: &[&str]| sorted_owned(bash_candidates(dir.path(), words));

    assert_eq!(
        candidates(&["intergiro-keys", "create", "--role", ""]),
        sorted(&ROLES)
    );
    assert_eq!(
        candidates(&["intergiro-keys", "create", "--role", "pa"]),
        ["payments"]
    );
    assert_eq!(
        candidates(&["intergiro-keys", "create", "--ro"]),
        ["--role"]
    );
    let list = candidates(&["intergiro-keys", "list", "--"]);
    for option in ["--expiring", "--within", "--db", "--format", "--color"] {
        assert!(list.contains(&option.to_string()), "{list:?}");
    }
    assert!(!list.contains(&"--yes".to_string()), "{list:?}");
    assert_eq!(
        candidates(&["intergiro-keys", "list", "--exp"]),
        ["--expiring"]
    );
    // A file name with a space is one candidate, not two words.
    assert_eq!(
        candidates(&["intergiro-keys", "--db", "my"]),
        ["my keys.db"]
    );
    assert_eq!(
        candidates(&["intergiro-keys", "--db", "my keys.db", "list", "--db", "m"]),
        ["my keys.db"]
    );
    // Values that are not paths (a duration, a number of days) offer no file names.
    for words in [
        &["intergiro-keys", "rotate", "ci-deploy", "--grace", ""][..],
        &["intergiro-keys", "list", "--within", ""],
        &["intergiro-keys", "list", "--unused-for", ""],
    ] {
        assert_eq!(candidates(words), Vec::<String>::new(), "{words:?}");
    }
    let shells = candidates(&["intergiro-keys", "completions", ""]);
    for shell in SHELLS {
        assert!(shells.contains(&shell.to_string()), "{shells:?}");
    }
    assert_eq!(
        candidates(&["intergiro-keys", "--format", ""]),
        sorted(&[
            "json",
            "jsonl",
            "openmetrics",
            "prometheus",
            "sarif",
            "table"
        ])
    );
    assert_eq!(
        candidates(&[
            "intergiro-keys",
            "users",
            "add",
            "alice",
            "--permission",
            ""
        ]),
        sorted(&["verify", "view", "create", "renew", "delete", "admin"])
    );
}

/// Starts an interactive shell on a pseudo-terminal in `dir`.
fn spawn_shell(dir: &Path, program: &str, args: &[&str]) -> PtySession {
    let mut cmd = Command::new(program);
    cmd.args(args)
        .current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", dir)
        .env("TERM", "xterm")
        .env("COLUMNS", "200")
        .env("LINES", "50");
    rexpect::session::spawn_command(cmd, Some(TIMEOUT_MS)).unwrap()
}

/// Types `keys`, flushed as a person's keystrokes would be.
fn type_keys(session: &mut PtySession, keys: &str) {
    session.send(keys).unwrap();
    session.flush().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(100));
}

#[test]
fn bash_readline_inserts_a_spaced_file_name_as_one_word() {
    if !installed("bash") {
        return;
    }
    let dir = directory_with_databases();
    let mut bash = spawn_shell(dir.path(), "bash", &["--norc", "--noprofile", "-i"]);
    type_keys(
        &mut bash,
        &format!(
            // readline draws the line only on a terminal that echoes. The
            // prompt is quoted so that the echo of this line does not read
            // as the prompt.
            "stty echo; PS1='re''ady> '; . {}\n",
            script("intergiro-keys.bash").display()
        ),
    );
    bash.exp_string("ready> ").unwrap();
    // A stand-in for the binary shows how the completed line is split.
    type_keys(&mut bash, "intergiro-keys() { printf '<%s>' \"$@\"; }\n");
    type_keys(&mut bash, "intergiro-keys --db my\t");
    bash.exp_string("my\\ keys.db").unwrap();
    type_keys(&mut bash, "create --ro\t");
    type_keys(&mut bash, "pay\t\n");
    bash.exp_string("<--db><my keys.db><create><--role><payments>")
        .unwrap();
    type_keys(&mut bash, "exit\n");
    bash.exp_eof().unwrap();
}

#[test]
fn zsh_completes_roles_options_spaced_file_names_and_shells() {
    if !installed("zsh") {
        return;
    }
    let dir = directory_with_databases();
    let functions = script("");
    let mut zsh = spawn_shell(dir.path(), "zsh", &["-f", "-i"]);
    type_keys(
        &mut zsh,
        &format!(
            "fpath=({} $fpath); autoload -Uz compinit; compinit -u -D; LISTMAX=1000; PS1='ready%% '\n",
            functions.display()
        ),
    );
    zsh.exp_string("ready% ").unwrap();

    // Each listing is sorted; candidates are awaited in that order. Ctrl-U
    // clears the line for the next case.
    type_keys(&mut zsh, "intergiro-keys create --role \t");
    for role in sorted(&ROLES) {
        zsh.exp_string(&role).unwrap();
    }
    type_keys(&mut zsh, "\x15intergiro-keys list --\t");
    for option in ["--color", "--db", "--expiring", "--format", "--within"] {
        zsh.exp_string(option).unwrap();
    }
    type_keys(&mut zsh, "\x15intergiro-keys completions \t");
    for shell in SHELLS {
        zsh.exp_string(shell).unwrap();
    }
    type_keys(&mut zsh, "\x15intergiro-keys --db my\t");
    zsh.exp_string("my\\ keys.db").unwrap();
    type_keys(&mut zsh, "\x15exit\n");
    zsh.exp_eof().unwrap();
}

/// The candidates fish offers for the command line `line`.
fn fish_candidates(dir: &Path, line: &str) -> Vec<String> {
    let output = Command::new("fish")
        .args(["--no-config", "-c", "source $argv[1]; complete -C $argv[2]"])
        .arg(script("intergiro-keys.fish"))
        .arg(line)
        .current_dir(dir)
        .env("HOME", dir)
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let mut candidates: Vec<String> = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        // Each line is the candidate, then a tab and its description.
        .map(|line| line.split('\t').next().unwrap_or_default().to_string())
        .collect();
    candidates.sort();
    candidates
}

#[test]
fn fish_completes_roles_options_spaced_file_names_and_shells() {
    if !installed("fish") {
        return;
    }
    let dir = directory_with_databases();
    let candidates = |line: &str| fish_candidates(dir.path(), line);

    assert_eq!(candidates("intergiro-keys create --role "), sorted(&ROLES));
    let list = candidates("intergiro-keys list --");
    for option in ["--expiring", "--within", "--db", "--format", "--color"] {
        assert!(list.contains(&option.to_string()), "{list:?}");
    }
    assert_eq!(candidates("intergiro-keys --db my"), ["my keys.db"]);
    assert_eq!(candidates("intergiro-keys completions "), sorted(&SHELLS));
    // A global option's values, before the subcommand too: not file names.
    assert_eq!(
        candidates("intergiro-keys --format "),
        sorted(&[
            "json",
            "jsonl",
            "openmetrics",
            "prometheus",
            "sarif",
            "table"
        ])
    );
    assert_eq!(
        candidates("intergiro-keys --color "),
        sorted(&["always", "auto", "never"])
    );
    assert_eq!(
        candidates("intergiro-keys users grant alice "),
        sorted(&["admin", "create", "delete", "renew", "verify", "view"])
    );
}

#[test]
fn the_bash_script_passes_shellcheck() {
    if !installed("shellcheck") {
        return;
    }
    let output = Command::new("shellcheck")
        .args(["--shell=bash", "--severity=style"])
        .arg(script("intergiro-keys.bash"))
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// A store with keys to complete: names sharing a prefix, a name with a
/// space, and keys that must not be offered (deleted, retired).
fn store_with_keys() -> (crate::common::Env, Vec<String>) {
    let env = crate::common::Env::sqlite();
    let mut ids = Vec::new();
    for name in ["ci-deploy", "ci-nightly", "reporting", "my key"] {
        ids.push(env.create(name, &["accounts"]).1);
    }
    let (_, gone) = env.create("ci-gone", &["accounts"]);
    env.cmd()
        .args(["delete", "--yes", &gone])
        .assert()
        .success();
    // Rotated with no grace: its old ID is retired, its replacement (of
    // the same name) live.
    let (_, retired) = env.create("rotated", &["accounts"]);
    let rotated = env
        .cmd()
        .args(["rotate", "--grace", "0", &retired, "--format", "json"])
        .output()
        .unwrap();
    assert!(rotated.status.success(), "{rotated:?}");
    let rotated: serde_json::Value = serde_json::from_slice(&rotated.stdout).unwrap();
    ids.push(rotated["id"].as_str().unwrap().to_string());
    (env, ids)
}

/// The directory of the binary under test, first on PATH, as an install
/// puts it there.
fn path_with_binary() -> std::ffi::OsString {
    let binary = Path::new(assert_cmd::cargo::cargo_bin!("intergiro-keys"));
    let mut path = binary.parent().unwrap().as_os_str().to_owned();
    path.push(":");
    path.push(std::env::var_os("PATH").unwrap_or_default());
    path
}

/// `bash_candidates` with the binary on PATH and `INTERGIRO_KEYS_DB` set.
fn bash_key_candidates(db: &Path, words: &[&str]) -> Vec<String> {
    let driver = r#"
        . /usr/share/bash-completion/bash_completion
        . "$1"; shift
        function=$(complete -p intergiro-keys | sed -n 's/.* -F \([^ ]*\) .*/\1/p')
        COMP_WORDS=("$@")
        COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
        COMP_LINE="$*"
        COMP_POINT=${#COMP_LINE}
        # (clap's own compopt complains outside a real completion.)
        "$function" intergiro-keys "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}" 2>/dev/null
        printf '%s\n' "${COMPREPLY[@]}"
    "#;
    let output = Command::new("bash")
        .args(["--norc", "--noprofile", "-c", driver, "bash"])
        .arg(script("intergiro-keys.bash"))
        .args(words)
        .env("PATH", path_with_binary())
        .env("INTERGIRO_KEYS_DB", db)
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let mut candidates: Vec<String> = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .filter(|line| !line.is_empty())
        .map(str::to_string)
        .collect();
    candidates.sort();
    candidates
}

#[test]
fn bash_completes_key_ids_and_names_from_the_store() {
    assert!(installed("bash"), "bash is needed");
    let (env, ids) = store_with_keys();
    let candidates = |words: &[&str]| bash_key_candidates(&env.db, words);

    // The first argument, and later ones; every command that takes keys.
    for command in [
        "renew", "delete", "rm", "remove", "revoke", "rotate", "show",
    ] {
        assert_eq!(
            // "ci-", not "ci": a random key ID may start with "ci".
            candidates(&["intergiro-keys", command, "ci-"]),
            ["ci-deploy", "ci-nightly"],
            "{command}"
        );
    }
    assert_eq!(
        candidates(&["intergiro-keys", "renew", "ci-deploy", "repo"]),
        ["reporting"]
    );
    // Everything live when nothing is typed: names and IDs, not the deleted
    // or retired keys, a spaced name quoted.
    let mut all: Vec<String> = [
        "ci-deploy",
        "ci-nightly",
        "my\\ key",
        "reporting",
        "rotated",
    ]
    .iter()
    .map(|name| name.to_string())
    .chain(ids.iter().cloned())
    .collect();
    all.sort();
    assert_eq!(candidates(&["intergiro-keys", "renew", ""]), all);
    // An ID by its first characters.
    let id = &ids[2];
    assert_eq!(
        candidates(&["intergiro-keys", "show", &id[..6]]),
        std::slice::from_ref(id)
    );
    // Options still complete, and option values are not keys.
    assert!(candidates(&["intergiro-keys", "renew", "--"]).contains(&"--format".to_string()));
    assert_eq!(
        candidates(&["intergiro-keys", "rotate", "ci-deploy", "--grace", ""]),
        Vec::<String>::new()
    );
    // A --db on the line is the store asked; one that is not a store gives
    // nothing, silently.
    let db = env.db.to_str().unwrap();
    let elsewhere = crate::common::Env::sqlite();
    assert_eq!(
        bash_key_candidates(
            &elsewhere.db,
            &["intergiro-keys", "--db", db, "renew", "repo"]
        ),
        ["reporting"]
    );
    assert_eq!(
        bash_key_candidates(&elsewhere.db, &["intergiro-keys", "renew", "repo"]),
        Vec::<String>::new()
    );
    // The query itself says nothing on any error, and succeeds: a shell is
    // drawing its prompt.
    for db in [
        elsewhere.db.to_str().unwrap(),
        "/",
        "postgresql://nobody@/x?host=/nonexistent",
    ] {
        let output = Command::new(assert_cmd::cargo::cargo_bin!("intergiro-keys"))
            .args(["--db", db, "--", "repo"])
            .env("INTERGIRO_KEYS_COMPLETE", "keys")
            .output()
            .unwrap();
        assert!(output.status.success(), "{db}: {output:?}");
        assert!(
            output.stdout.is_empty() && output.stderr.is_empty(),
            "{db}: {output:?}"
        );
    }
    assert!(!elsewhere.db.exists(), "the query created a store");
}

#[test]
fn zsh_completes_key_names_from_the_store() {
    assert!(installed("zsh"), "zsh is needed");
    let (env, _) = store_with_keys();
    let functions = script("");
    let mut cmd = Command::new("zsh");
    cmd.args(["-f", "-i"])
        .current_dir(env.dir.path())
        .env_clear()
        .env("PATH", path_with_binary())
        .env("HOME", env.dir.path())
        .env("INTERGIRO_KEYS_DB", &env.db)
        .env("TERM", "xterm")
        .env("COLUMNS", "200")
        .env("LINES", "50");
    let mut zsh = rexpect::session::spawn_command(cmd, Some(TIMEOUT_MS)).unwrap();
    type_keys(
        &mut zsh,
        &format!(
            "fpath=({} $fpath); autoload -Uz compinit; compinit -u -D; LISTMAX=1000; PS1='ready%% '\n",
            functions.display()
        ),
    );
    zsh.exp_string("ready% ").unwrap();
    // Two candidates: listed, each with the other half (its ID).
    type_keys(&mut zsh, "intergiro-keys renew ci-\t");
    zsh.exp_string("ci-deploy").unwrap();
    zsh.exp_string("ci-nightly").unwrap();
    // One candidate: inserted.
    type_keys(&mut zsh, "\x15intergiro-keys show repo\t");
    zsh.exp_string("reporting").unwrap();
    type_keys(&mut zsh, "\x15exit\n");
    zsh.exp_eof().unwrap();
}

#[test]
fn fish_completes_key_ids_and_names_from_the_store() {
    assert!(installed("fish"), "fish is needed");
    let (env, ids) = store_with_keys();
    let output = Command::new("fish")
        .args(["--no-config", "-c", "source $argv[1]; complete -C $argv[2]"])
        .arg(script("intergiro-keys.fish"))
        .arg("intergiro-keys revoke ci-")
        .current_dir(env.dir.path())
        .env("HOME", env.dir.path())
        .env("PATH", path_with_binary())
        .env("INTERGIRO_KEYS_DB", &env.db)
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let text = String::from_utf8(output.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    // Each name described by its key's ID.
    assert_eq!(
        lines,
        [
            format!("ci-deploy\t{}", ids[0]),
            format!("ci-nightly\t{}", ids[1])
        ],
        "{text}"
    );
}
