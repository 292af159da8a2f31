//! `scan --staged`, `scan --git`, keys in base64 text and the SARIF log, as
//! the tools users already run see them: git itself, the pre-commit
//! framework and sarif-tools.

use std::path::Path;
use std::process::Output;

use serde_json::Value;

use crate::common::{Env, contains_bytes, installed};

fn write(path: &Path, text: impl AsRef<[u8]>) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// git in `dir`, as a fixed author at a fixed time, with nothing from the
/// user's own configuration.
fn git(dir: &Path, args: &[&str]) -> Output {
    let output = std::process::Command::new("git")
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .output()
        .expect("git must be installed for this test");
    assert!(
        output.status.success(),
        "git {args:?}: {}",
        text(&output.stderr)
    );
    output
}

fn new_repo(env: &Env, name: &str) -> std::path::PathBuf {
    let repo = env.path(name);
    std::fs::create_dir_all(&repo).unwrap();
    git(&repo, &["init", "-q", "-b", "main"]);
    repo
}

/// `scan ARGS` run in `dir`.
fn scan_in(env: &Env, dir: &Path, args: &[&str]) -> Output {
    env.cmd()
        .current_dir(dir)
        .arg("scan")
        .args(args)
        .output()
        .unwrap()
}

fn json(output: &Output) -> Vec<Value> {
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|err| panic!("{err}: {}{}", text(&output.stdout), text(&output.stderr)))
}

fn head(repo: &Path) -> String {
    text(&git(repo, &["rev-parse", "HEAD"]).stdout)
        .trim()
        .to_string()
}

#[test]
fn staged_scans_the_index_not_the_work_tree() {
    let env = Env::new();
    let (key, id) = env.create("deploy", &["payments"]);
    let repo = new_repo(&env, "repo");

    // Before the first commit, everything staged is new.
    write(&repo.join("README"), "hello\n");
    write(&repo.join("deploy/app.env"), format!("NAME=x\nKEY={key}\n"));
    // A binary file before it (skipped, as walked ones are), longer than
    // the searcher's buffer: the index is read in step past it.
    let mut binary = b"\x7fELF\0".to_vec();
    binary.extend(std::iter::repeat_n(b'a', 700_000));
    binary.extend_from_slice(key.as_bytes());
    write(&repo.join("assets/app.bin"), binary);
    git(&repo, &["add", "."]);
    // The key removed from the work copy only: the commit would still
    // record it.
    write(&repo.join("deploy/app.env"), "NAME=x\nKEY=\n");
    let output = scan_in(&env, &repo, &["--staged"]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output.stderr));
    assert_eq!(
        text(&output.stdout),
        format!("deploy/app.env:2:5: igk_{id}_… active \"deploy\" (payments)\n")
    );
    assert!(!contains_bytes(&output.stdout, &key.as_bytes()[17..]));
    // The work tree scan does not see it: that is what --staged is for.
    assert_eq!(scan_in(&env, &repo, &[]).status.code(), Some(0));

    // From a subdirectory, paths still start at the top.
    let output = scan_in(&env, &repo.join("deploy"), &["--staged", "--no-check"]);
    assert!(text(&output.stdout).starts_with("deploy/app.env:2:5: "));

    // Staged without the key, the key only in the work tree: clean.
    git(&repo, &["add", "."]);
    git(&repo, &["commit", "-q", "-m", "first"]);
    write(&repo.join("deploy/app.env"), format!("NAME=x\nKEY={key}\n"));
    let output = scan_in(&env, &repo, &["--staged", "--no-check"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert!(text(&output.stderr).contains("No keys found"));

    // Partial staging: the hunk with the key staged, another one not.
    let mut lines: Vec<String> = (1..=30).map(|n| format!("line {n}")).collect();
    write(&repo.join("notes.txt"), lines.join("\n") + "\n");
    git(&repo, &["add", "notes.txt"]);
    git(&repo, &["commit", "-q", "-m", "notes"]);
    lines[2] = format!("token: {key}");
    lines[27] = "changed, not staged".to_string();
    write(&repo.join("notes.txt"), lines.join("\n") + "\n");
    // Stage only the first hunk, as `git add -p` would.
    let mut add = std::process::Command::new("git")
        .args(["add", "-p", "notes.txt"])
        .current_dir(&repo)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    use std::io::Write;
    add.stdin.take().unwrap().write_all(b"y\nn\n").unwrap();
    assert!(add.wait().unwrap().success());
    lines[2] = "token: from the vault".to_string();
    write(&repo.join("notes.txt"), lines.join("\n") + "\n");
    let output = scan_in(&env, &repo, &["--staged", "--format", "json"]);
    assert_eq!(output.status.code(), Some(1));
    let found = json(&output);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0]["path"], "notes.txt");
    assert_eq!(found[0]["line"], 3);
    assert_eq!(found[0]["commit"], Value::Null);
    assert_eq!(found[0]["key_id"], id.as_str());

    // A staged deletion is not searched; files outside git are not either.
    git(&repo, &["reset", "-q"]);
    write(&repo.join("deploy/app.env"), format!("KEY={key}\n"));
    git(&repo, &["add", "deploy/app.env"]);
    git(&repo, &["commit", "-q", "-m", "leak"]);
    git(&repo, &["rm", "-q", "--cached", "deploy/app.env"]);
    let output = scan_in(&env, &repo, &["--staged", "--no-check"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stdout));
}

#[test]
fn staged_and_git_need_a_repository_and_no_paths() {
    let env = Env::new();
    let outside = env.path("plain");
    std::fs::create_dir_all(&outside).unwrap();
    let output = scan_in(&env, &outside, &["--staged"]);
    assert_eq!(output.status.code(), Some(2));
    let err = text(&output.stderr);
    assert!(
        err.contains("is not in a git repository's work tree"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");

    let output = scan_in(&env, &outside, &["--staged", "src"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output.stderr).contains("cannot be used with"));

    let repo = new_repo(&env, "repo");
    write(&repo.join("a"), "a\n");
    git(&repo, &["add", "."]);
    git(&repo, &["commit", "-q", "-m", "a"]);
    let output = scan_in(&env, &repo, &["--git", "no-such-branch..main"]);
    assert_eq!(output.status.code(), Some(2));
    let err = text(&output.stderr);
    assert!(err.contains("git log failed"), "{err}");
    assert!(err.contains("revision range"), "{err}");
    let output = scan_in(&env, &repo, &["--git=--output=/tmp/x"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output.stderr).contains("not an option"));
}

/// The README's hook, as git runs it: a staged key blocks the commit even
/// when the work copy no longer has it.
#[test]
fn the_readme_hook_blocks_a_key_staged_and_removed_from_the_work_copy() {
    let env = Env::new();
    let (key, _) = env.create("k", &["accounts"]);
    let repo = new_repo(&env, "repo");
    let hook = repo.join(".git/hooks/pre-commit");
    write(&hook, crate::scripts::readme_snippet("pre-commit"));
    std::fs::set_permissions(&hook, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    write(&repo.join("app.env"), format!("KEY={key}\n"));
    git(&repo, &["add", "app.env"]);
    write(&repo.join("app.env"), "KEY=\n");
    let commit = crate::scripts::run_shell(
        &env,
        0,
        "cd repo && git -c user.name=t -c user.email=t@example.com commit -q -m leak",
        &[],
    );
    assert!(!commit.status.success());
    assert!(text(&commit.stderr).contains("app.env:1:5: igk_"));
    assert!(text(&commit.stderr).contains("commit refused"));
}

/// The repository's `.pre-commit-hooks.yaml`, used through a `repo:` entry
/// by the real pre-commit framework (PyPI; .ci/run installs it).
#[test]
fn the_pre_commit_framework_runs_the_hooks_of_this_repository() {
    if !installed("pre-commit") {
        return;
    }
    let env = Env::new();
    let (key, _) = env.create("k", &["accounts"]);
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join(".pre-commit-hooks.yaml");
    let check = std::process::Command::new("pre-commit")
        .arg("validate-manifest")
        .arg(&manifest)
        .output()
        .unwrap();
    assert!(check.status.success(), "{}", text(&check.stdout));

    // The hooks' repository: this one's manifest, committed.
    let hooks = new_repo(&env, "hooks");
    std::fs::copy(&manifest, hooks.join(".pre-commit-hooks.yaml")).unwrap();
    git(&hooks, &["add", "."]);
    git(&hooks, &["commit", "-q", "-m", "hooks"]);
    let rev = head(&hooks);

    let repo = new_repo(&env, "repo");
    // The configuration docs/leak-hunting.md shows, pointing at it.
    let config = crate::scripts::readme_snippet("pre-commit-config")
        .replace(
            "https://github.com/intergiro/intergiro-keys",
            &hooks.to_string_lossy(),
        )
        .replace("rev: v0.1.0", &format!("rev: {rev}"));
    write(&repo.join(".pre-commit-config.yaml"), config);
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_intergiro-keys"))
        .parent()
        .unwrap();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let run = |args: &[&str]| {
        std::process::Command::new(args[0])
            .args(&args[1..])
            .current_dir(&repo)
            .env("PATH", &path)
            .env("PRE_COMMIT_HOME", env.path("pre-commit-home"))
            .env("INTERGIRO_KEYS_DB", &env.db)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_AUTHOR_NAME", "t")
            .env("GIT_AUTHOR_EMAIL", "t@example.com")
            .env("GIT_COMMITTER_NAME", "t")
            .env("GIT_COMMITTER_EMAIL", "t@example.com")
            .output()
            .unwrap()
    };
    let installed = run(&["pre-commit", "install"]);
    assert!(installed.status.success(), "{}", text(&installed.stderr));
    let commits = || {
        text(&git(&repo, &["rev-list", "--all"]).stdout)
            .lines()
            .count()
    };

    write(&repo.join("src/app.rs"), "fn main() {}\n");
    git(&repo, &["add", "."]);
    let clean = run(&["git", "commit", "-q", "-m", "clean"]);
    assert!(
        clean.status.success(),
        "{}{}",
        text(&clean.stdout),
        text(&clean.stderr)
    );
    assert_eq!(commits(), 1);

    // A staged key blocks the commit.
    write(
        &repo.join("src/app.rs"),
        format!("const KEY: &str = \"{key}\";\n"),
    );
    git(&repo, &["add", "."]);
    let refused = run(&["git", "commit", "-q", "-m", "leak"]);
    assert!(!refused.status.success());
    let said = text(&refused.stdout) + &text(&refused.stderr);
    assert!(said.contains("src/app.rs:1:20: igk_"), "{said}");
    assert!(!said.contains(&key[17..]), "{said}");
    assert_eq!(commits(), 1, "nothing committed");

    // A key taken out of the index (left in the work copy) does not.
    write(&repo.join("src/app.rs"), "fn main() { run() }\n");
    git(&repo, &["add", "."]);
    write(
        &repo.join("src/app.rs"),
        format!("const KEY: &str = \"{key}\";\n"),
    );
    let passed = run(&["git", "commit", "-q", "-m", "fixed"]);
    assert!(
        passed.status.success(),
        "{}{}",
        text(&passed.stdout),
        text(&passed.stderr)
    );
    assert_eq!(commits(), 2);

    // The history hook, on demand: clean history passes, then a key
    // committed past the hooks (--no-verify) is found.
    let history = run(&[
        "pre-commit",
        "run",
        "--hook-stage",
        "manual",
        "intergiro-keys-history",
    ]);
    assert!(history.status.success(), "{}", text(&history.stdout));
    git(&repo, &["add", "."]);
    git(&repo, &["commit", "-q", "--no-verify", "-m", "sneaked in"]);
    let history = run(&[
        "pre-commit",
        "run",
        "--hook-stage",
        "manual",
        "intergiro-keys-history",
    ]);
    assert!(!history.status.success());
    let said = text(&history.stdout);
    assert!(
        said.contains(&format!("{}:src/app.rs:1:20: igk_", &head(&repo)[..12])),
        "{said}"
    );
}

/// A repository where a key was added, moved and removed again, on two
/// branches, merged with a key added by the merge itself (`merged`).
fn history_repo(
    env: &Env,
    key: &str,
    other: &str,
    merged: &str,
) -> (std::path::PathBuf, Vec<String>) {
    let repo = new_repo(env, "history");
    let mut commits = Vec::new();
    let commit = |message: &str| {
        git(&repo, &["add", "-A"]);
        git(&repo, &["commit", "-q", "-m", message]);
        head(&repo)
    };
    write(&repo.join("README"), "readme\n");
    commits.push(commit("start"));
    write(
        &repo.join("deploy/old.sh"),
        format!("#!/bin/sh\nexport KEY={key}\n"),
    );
    commits.push(commit("deploy script"));
    write(
        &repo.join("deploy/old.sh"),
        "#!/bin/sh\nexport KEY=\"$(vault read key)\"\n",
    );
    commits.push(commit("key from the vault"));
    // A name git quotes, and a key glued to text further into a file.
    let lines: String = (1..=9).map(|n| format!("{n}\n")).collect();
    write(
        &repo.join("docs/a \"b\".md"),
        format!("{lines}x={other};\n"),
    );
    commits.push(commit("notes"));
    git(&repo, &["checkout", "-q", "-b", "feature", &commits[0]]);
    let encoded = base64(key.as_bytes());
    write(
        &repo.join("k8s/secret.yaml"),
        format!("apiVersion: v1\nkind: Secret\ndata:\n  api-key: {encoded}\n"),
    );
    commits.push(commit("k8s secret"));
    git(&repo, &["checkout", "-q", "main"]);
    // A merge whose result has a line neither parent has, as a conflict
    // resolved by hand can.
    git(&repo, &["merge", "-q", "--no-ff", "--no-commit", "feature"]);
    write(
        &repo.join("deploy/merged.env"),
        format!("X=1\nTOKEN={merged}\n"),
    );
    commits.push(commit("merge feature"));
    (repo, commits)
}

/// Standard base64, for the tests (`base64` the command would do too).
fn base64(bytes: &[u8]) -> String {
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for group in bytes.chunks(3) {
        let n = group
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | (u32::from(b) << (16 - 8 * i)));
        for i in 0..4 {
            out.push(if i <= group.len() {
                char::from(alphabet[((n >> (18 - 6 * i)) & 63) as usize])
            } else {
                '='
            });
        }
    }
    out
}

#[test]
fn git_history_names_the_commit_path_and_line_of_each_find() {
    let env = Env::new();
    let (key, id) = env.create("deploy", &["payments"]);
    let (other, other_id) = env.create("notes", &["accounts"]);
    let (merged, merged_id) = env.create("merged", &["accounts"]);
    let (repo, commits) = history_repo(&env, &key, &other, &merged);

    let output = scan_in(&env, &repo, &["--git", "--format", "json"]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output.stderr));
    let mut found: Vec<(String, String, u64, u64, String, Option<String>)> = json(&output)
        .iter()
        .map(|f| {
            (
                f["commit"].as_str().unwrap().to_string(),
                f["path"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
                f["column"].as_u64().unwrap(),
                f["key_id"].as_str().unwrap().to_string(),
                f["encoding"].as_str().map(str::to_string),
            )
        })
        .collect();
    found.sort();
    let feature = text(&git(&repo, &["rev-parse", "feature"]).stdout)
        .trim()
        .to_string();
    let mut expected = vec![
        (
            commits[1].clone(),
            "deploy/old.sh".to_string(),
            2,
            12,
            id.clone(),
            None,
        ),
        (
            commits[3].clone(),
            "docs/a \"b\".md".to_string(),
            10,
            3,
            other_id.clone(),
            None,
        ),
        (
            feature.clone(),
            "k8s/secret.yaml".to_string(),
            4,
            12,
            id.clone(),
            Some("base64".to_string()),
        ),
        (
            commits[5].clone(),
            "deploy/merged.env".to_string(),
            2,
            7,
            merged_id.clone(),
            None,
        ),
    ];
    expected.sort();
    assert_eq!(found, expected);

    // The user's git configuration does not change what is read.
    let configured = env
        .cmd()
        .current_dir(&repo)
        .args(["scan", "--git", "--format", "json"])
        .env("GIT_CONFIG_COUNT", "3")
        .env("GIT_CONFIG_KEY_0", "diff.noprefix")
        .env("GIT_CONFIG_VALUE_0", "true")
        .env("GIT_CONFIG_KEY_1", "color.ui")
        .env("GIT_CONFIG_VALUE_1", "always")
        .env("GIT_CONFIG_KEY_2", "core.quotePath")
        .env("GIT_CONFIG_VALUE_2", "true")
        .output()
        .unwrap();
    assert_eq!(json(&configured).len(), 4);
    assert_eq!(json(&configured), json(&output));

    // Text: commit:path:line:column, as `git grep` names a revision's line.
    let output = scan_in(&env, &repo, &["--git"]);
    let out = text(&output.stdout);
    assert!(
        out.contains(&format!(
            "{}:deploy/old.sh:2:12: igk_{id}_… active \"deploy\" (payments)\n",
            &commits[1][..12]
        )),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "{}:k8s/secret.yaml:4:12: igk_{id}_… active \"deploy\" (payments) (in base64)\n",
            &feature[..12]
        )),
        "{out}"
    );
    assert!(!contains_bytes(&output.stdout, &key.as_bytes()[17..]));
    assert!(!contains_bytes(&output.stderr, &key.as_bytes()[17..]));
    // The commit named really has the key at that line.
    let shown = text(
        &git(
            &repo,
            &["show", &format!("{}:deploy/old.sh", &commits[1][..12])],
        )
        .stdout,
    );
    assert_eq!(shown.lines().nth(1).unwrap(), format!("export KEY={key}"));

    // A range: only its commits.
    let range = format!("{}..feature", commits[0]);
    let output = scan_in(&env, &repo, &["--git", &range, "--format", "json"]);
    let found = json(&output);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0]["path"], "k8s/secret.yaml");
    let output = scan_in(
        &env,
        &repo,
        &["--git", &format!("{}..{}", commits[2], commits[3])],
    );
    assert!(text(&output.stdout).contains(&other_id));
    assert!(!text(&output.stdout).contains(&id));

    // A bare clone (a server's mirror) has the same history.
    let mirror = env.path("mirror.git");
    git(
        env.dir.path(),
        &[
            "clone",
            "-q",
            "--mirror",
            &repo.to_string_lossy(),
            &mirror.to_string_lossy(),
        ],
    );
    let output = scan_in(&env, &mirror, &["--git", "--format", "json"]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output.stderr));
    assert_eq!(json(&output).len(), 4);

    // --revoke from history: the audit names the commit and path.
    let output = env
        .cmd()
        .current_dir(&repo)
        .args(["scan", "--git", "--revoke", "--yes"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let audit = env
        .cmd()
        .args(["audit", "--format", "json"])
        .output()
        .unwrap();
    let audit = text(&audit.stdout);
    assert!(
        audit.contains(&format!("{}:deploy/old.sh:2", &commits[1][..12]))
            || audit.contains(&format!("{}:k8s/secret.yaml:4", &feature[..12])),
        "{audit}"
    );
}

/// The SARIF log of a history scan: relative URIs under %SRCROOT%, the
/// commit in each result and in the run's version control provenance,
/// a fingerprint per place; valid against the schema and read by
/// sarif-tools (PyPI; .ci/run installs it).
#[test]
fn sarif_has_relative_uris_fingerprints_per_place_and_commits() {
    let env = Env::new();
    let (key, id) = env.create("deploy", &["payments"]);
    let (other, _) = env.create("notes", &["accounts"]);
    let (merged, merged_id) = env.create("merged", &["accounts"]);
    let (repo, commits) = history_repo(&env, &key, &other, &merged);

    let output = scan_in(&env, &repo, &["--git", "--format", "sarif"]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output.stderr));
    let log: Value = serde_json::from_slice(&output.stdout).unwrap();
    let run = &log["runs"][0];
    let root = std::fs::canonicalize(&repo).unwrap();
    assert_eq!(
        run["originalUriBaseIds"]["%SRCROOT%"]["uri"],
        format!("file://{}/", root.display())
    );
    let provenance = &run["versionControlProvenance"][0];
    assert_eq!(provenance["revisionId"], head(&repo));
    assert_eq!(provenance["mappedTo"]["uriBaseId"], "%SRCROOT%");
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 4);
    // The merge's own line, at the merge commit.
    let merge = results
        .iter()
        .find(|r| r["properties"]["keyId"] == merged_id.as_str())
        .unwrap();
    assert_eq!(merge["properties"]["commit"], commits[5].as_str());
    let deploy = results
        .iter()
        .find(|r| r["properties"]["commit"] == commits[1].as_str())
        .unwrap();
    let location = &deploy["locations"][0]["physicalLocation"];
    assert_eq!(location["artifactLocation"]["uri"], "deploy/old.sh");
    assert_eq!(location["artifactLocation"]["uriBaseId"], "%SRCROOT%");
    assert_eq!(deploy["properties"]["keyId"], id.as_str());
    let quoted = results
        .iter()
        .find(|r| r["properties"]["commit"] == commits[3].as_str())
        .unwrap();
    assert_eq!(
        quoted["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "docs/a%20%22b%22.md"
    );
    // One key in two places: two fingerprints.
    let fingerprints: std::collections::HashSet<&str> = results
        .iter()
        .filter(|r| r["properties"]["keyId"] == id.as_str())
        .map(|r| r["partialFingerprints"]["keyLocation/v1"].as_str().unwrap())
        .collect();
    assert_eq!(fingerprints.len(), 2);

    // A work tree scan given an absolute path: still relative to the
    // repository holding the current directory.
    write(&repo.join("deploy/new.sh"), format!("KEY={key}\n"));
    let absolute = repo.join("deploy/new.sh");
    let output = scan_in(
        &env,
        &repo.join("deploy"),
        &["--format", "sarif", absolute.to_str().unwrap()],
    );
    let log: Value = serde_json::from_slice(&output.stdout).unwrap();
    let artifact =
        &log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"];
    assert_eq!(artifact["uri"], "deploy/new.sh");
    assert_eq!(artifact["uriBaseId"], "%SRCROOT%");
    let same_again = scan_in(
        &env,
        &repo,
        &["--format", "sarif", "deploy/../deploy/new.sh"],
    );
    let again: Value = serde_json::from_slice(&same_again.stdout).unwrap();
    assert_eq!(
        again["runs"][0]["results"][0]["partialFingerprints"],
        log["runs"][0]["results"][0]["partialFingerprints"]
    );

    let report = env.path("history.sarif");
    let output = scan_in(&env, &repo, &["--git", "--format", "sarif"]);
    std::fs::write(&report, &output.stdout).unwrap();
    let schema = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/sarif-schema-2.1.0.json");
    let valid = std::process::Command::new("python3")
        .args([
            "-c",
            "import json, sys, jsonschema\n\
             schema = json.load(open(sys.argv[1]))\n\
             jsonschema.validate(json.load(open(sys.argv[2])), schema, cls=jsonschema.Draft4Validator)",
        ])
        .arg(schema)
        .arg(&report)
        .output()
        .expect("python3 must be installed for this test");
    assert!(valid.status.success(), "{}", text(&valid.stderr));

    if !installed("sarif") {
        return;
    }
    let csv = env.path("history.csv");
    let tools = std::process::Command::new("sarif")
        .args(["csv", "-o"])
        .arg(&csv)
        .arg(&report)
        .output()
        .unwrap();
    assert!(tools.status.success(), "{}", text(&tools.stderr));
    let rows = std::fs::read_to_string(&csv).unwrap();
    assert!(rows.contains("deploy/old.sh,2"), "{rows}");
    assert!(rows.contains("k8s/secret.yaml,4"), "{rows}");
    // Its CI gate: exit non-zero on errors.
    let gate = std::process::Command::new("sarif")
        .args(["--check", "error", "summary"])
        .arg(&report)
        .output()
        .unwrap();
    assert!(!gate.status.success());
    assert!(
        text(&gate.stdout).contains("error: 4"),
        "{}",
        text(&gate.stdout)
    );
}

/// A Kubernetes Secret holds its values in base64: the key is found there,
/// in both alphabets, and reported where the encoded text is.
#[test]
fn keys_inside_base64_text_are_found_and_marked() {
    let env = Env::new();
    let (key, id) = env.create("deploy", &["payments"]);
    let standard = base64(format!("{key}\n").as_bytes());
    let url_safe = base64(format!("ab{key}").as_bytes())
        .replace('+', "-")
        .replace('/', "_")
        .replace('=', "");
    write(
        &env.path("k8s/secret.yaml"),
        format!("kind: Secret\ndata:\n  api-key: {standard}\n  other: {url_safe}\n"),
    );
    let output = scan_in(&env, &env.path("k8s"), &["--format", "json"]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output.stderr));
    let found = json(&output);
    assert_eq!(found.len(), 2);
    for (f, (line, column)) in found.iter().zip([(3, 12), (4, 10)]) {
        assert_eq!(f["key_id"], id.as_str());
        assert_eq!(f["encoding"], "base64");
        assert_eq!(
            (f["line"].as_u64().unwrap(), f["column"].as_u64().unwrap()),
            (line, column)
        );
    }
    let output = scan_in(&env, &env.path("k8s"), &[]);
    assert!(text(&output.stdout).starts_with(&format!(
        "secret.yaml:3:12: igk_{id}_… active \"deploy\" (payments) (in base64)\n"
    )));
    assert!(!contains_bytes(&output.stdout, &key.as_bytes()[17..]));
    // Plain keys say nothing of an encoding.
    write(&env.path("plain/a.txt"), &key);
    let found = json(&scan_in(&env, &env.path("plain"), &["--format", "json"]));
    assert_eq!(found[0]["encoding"], Value::Null);
}
