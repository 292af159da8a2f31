//! The committed completions and man pages must match what the code
//! generates. `INTERGIRO_KEYS_REGENERATE=1 cargo test --test generated`
//! rewrites them.

use std::path::{Path, PathBuf};

use intergiro_keys::generate;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn regenerate() -> bool {
    std::env::var_os("INTERGIRO_KEYS_REGENERATE").is_some_and(|value| value == "1")
}

/// Compares `expected` with the file at `path`, or writes it when regenerating.
/// Returns a description of the difference, if any.
fn compare(path: &Path, expected: &[u8]) -> Option<String> {
    if regenerate() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, expected).unwrap();
        return None;
    }
    match std::fs::read(path) {
        Ok(actual) if actual == expected => None,
        Ok(_) => Some(format!("{} is stale", path.display())),
        Err(_) => Some(format!("{} is missing", path.display())),
    }
}

fn report(problems: Vec<String>) {
    assert!(
        problems.is_empty(),
        "{}\nregenerate with: INTERGIRO_KEYS_REGENERATE=1 cargo test --test generated",
        problems.join("\n")
    );
}

/// Files in `dir` that the generator no longer makes.
fn leftovers(dir: &Path, expected: &[String]) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .filter_map(|entry| entry.ok())
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|name| !expected.contains(name))
        .map(|name| {
            if regenerate() {
                std::fs::remove_file(dir.join(&name)).unwrap();
            }
            format!("{} is no longer generated", dir.join(name).display())
        })
        .filter(|_| !regenerate())
        .collect()
}

#[test]
fn completions_are_current() {
    let dir = root().join("completions");
    let mut names = Vec::new();
    let mut problems = Vec::new();
    for shell in generate::SHELLS {
        let name = generate::completion_file_name(shell);
        problems.extend(compare(&dir.join(&name), &generate::completions(shell)));
        names.push(name);
    }
    problems.extend(leftovers(&dir, &names));
    report(problems);
}

#[test]
fn man_pages_are_current() {
    let dir = root().join("man");
    let pages = generate::man_pages();
    let mut problems = Vec::new();
    for (name, text) in &pages {
        problems.extend(compare(&dir.join(name), text.as_bytes()));
    }
    let names: Vec<String> = pages.iter().map(|(name, _)| name.clone()).collect();
    problems.extend(leftovers(&dir, &names));
    report(problems);
}

#[test]
fn man_pages_have_the_sections_users_look_for() {
    for (name, text) in generate::man_pages() {
        for section in [
            "NAME",
            "SYNOPSIS",
            "DESCRIPTION",
            "EXIT STATUS",
            "ENVIRONMENT",
            "FILES",
        ] {
            assert!(
                text.contains(&format!(".SH {section}"))
                    || text.contains(&format!(".SH \"{section}\"")),
                "{name} has no {section} section"
            );
        }
        if name != "intergiro-keys.1" {
            assert!(
                text.contains(".SH EXAMPLES"),
                "{name} has no EXAMPLES section"
            );
        }
    }
}

/// `mandoc -Tlint` finds nothing to warn about (skipped only where mandoc is
/// not installed; CI installs it).
#[test]
fn man_pages_pass_mandoc_lint() {
    let Ok(status) = std::process::Command::new("mandoc").arg("-V").output() else {
        eprintln!("mandoc is not installed; skipping the lint");
        return;
    };
    assert!(status.status.success() || !status.stderr.is_empty());
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in generate::man_pages() {
        let path = dir.path().join(&name);
        std::fs::write(&path, text).unwrap();
        let output = std::process::Command::new("mandoc")
            .args(["-Tlint", "-Wwarning"])
            .arg(&path)
            .output()
            .unwrap();
        assert!(
            output.status.success() && output.stdout.is_empty(),
            "{name}: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

#[test]
fn the_completions_command_prints_the_committed_script() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_intergiro-keys"))
        .args(["completions", "bash"])
        .output()
        .unwrap();
    assert!(output.status.success());
    assert_eq!(
        output.stdout,
        generate::completions(clap_complete::Shell::Bash)
    );
    assert!(String::from_utf8_lossy(&output.stdout).contains("intergiro-keys"));
}
