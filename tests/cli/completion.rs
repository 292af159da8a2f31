//! The committed completion scripts, driven by each shell as a person's
//! <TAB> would drive them: bash through its completion function with
//! COMP_WORDS/COMP_CWORD (and once through readline), zsh through its line
//! editor on a pseudo-terminal, fish through `complete -C`.

use std::path::{Path, PathBuf};
use std::process::Command;

use rexpect::session::PtySession;

const TIMEOUT_MS: u64 = 20_000;
const ROLES: [&str; 3] = ["transactions", "accounts", "payments"];
const SHELLS: [&str; 5] = ["bash", "elvish", "fish", "powershell", "zsh"];

fn script(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("completions")
        .join(name)
}

/// Whether `program` can be run. CI installs every shell, so there a missing
/// one fails the test instead of skipping it.
fn installed(program: &str) -> bool {
    let found = Command::new("sh")
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
        sorted(&["json", "openmetrics", "prometheus", "sarif", "table"])
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
        sorted(&["json", "openmetrics", "prometheus", "sarif", "table"])
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
