//! The committed completions, man pages and Debian files must match what
//! the code generates (snapbox compares them);
//! `SNAPSHOTS=overwrite cargo test --test generated` rewrites them.

use std::path::{Path, PathBuf};

use intergiro_keys::generate;

mod debian;
mod man;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// snapbox's assertion, told by `SNAPSHOTS=overwrite` to rewrite the files.
fn snapshots() -> snapbox::Assert {
    snapbox::Assert::new().action_env(snapbox::assert::DEFAULT_ACTION_ENV)
}

fn regenerate() -> bool {
    snapshots().selected_action() == snapbox::assert::Action::Overwrite
}

/// Compares `expected` with the file at `path` (snapbox shows the
/// difference), or writes it when regenerating. Returns the difference, if
/// any.
fn compare(path: &Path, expected: &[u8]) -> Option<String> {
    let generated = snapbox::Data::text(String::from_utf8_lossy(expected).into_owned());
    let committed = snapbox::Data::read_from(path, None).raw();
    snapshots()
        .try_eq(Some(&"generated"), generated, committed)
        .err()
        .map(|err| format!("{} is stale or missing:\n{err}", path.display()))
}

fn report(problems: Vec<String>) {
    assert!(
        problems.is_empty(),
        "{}\nregenerate with: SNAPSHOTS=overwrite cargo test --test generated",
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
    let pages = man::man_pages();
    let mut problems = Vec::new();
    for (name, text) in &pages {
        problems.extend(compare(&dir.join(name), text.as_bytes()));
    }
    let names: Vec<String> = pages.iter().map(|(name, _)| name.clone()).collect();
    problems.extend(leftovers(&dir, &names));
    report(problems);
}

#[test]
fn debian_files_are_current() {
    let dir = root().join("debian");
    let files = debian::debian_files();
    let mut problems = Vec::new();
    for (name, text) in &files {
        problems.extend(compare(&dir.join(name), text.as_bytes()));
    }
    report(problems);
}

#[test]
fn man_pages_have_the_sections_users_look_for() {
    for (name, text) in man::man_pages() {
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

/// Exit status 75 gives the same causes in every page as in the README's
/// table: a lock held too long, an unreachable PostgreSQL server, a deadlock
/// the server broke.
#[test]
fn man_pages_give_every_cause_of_exit_75() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let row = readme
        .lines()
        .find(|line| line.starts_with("| 75 |"))
        .expect("the README's exit-code table has 75");
    let causes = ["busy timeout", "PostgreSQL server", "deadlock"];
    for cause in causes {
        assert!(row.contains(cause), "README's 75 lacks {cause:?}: {row}");
    }
    let mut pages = 0;
    for (name, text) in man::man_pages() {
        let Some(at) = text.find("fB75") else {
            continue;
        };
        let entry: String = text[at..].lines().skip(1).take(1).collect();
        for cause in causes {
            assert!(
                entry.contains(cause),
                "{name}'s 75 lacks {cause:?}: {entry}"
            );
        }
        pages += 1;
    }
    assert!(pages > 10, "only {pages} pages list exit status 75");
}

/// Whether `program` (a man page formatter) can be run: a test that needs
/// one skips, with a visible message, only outside CI, which installs it.
fn installed(program: &str) -> bool {
    if std::process::Command::new(program)
        .arg("-v")
        .output()
        .is_ok()
    {
        return true;
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "{program} is not installed; .ci/run installs it"
    );
    eprintln!("{program} is not installed; skipping");
    false
}

/// `mandoc -Tlint` finds nothing to warn about (skipped only where mandoc is
/// not installed; CI installs it).
#[test]
fn man_pages_pass_mandoc_lint() {
    if !installed("mandoc") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in man::man_pages() {
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
    let committed = root()
        .join("completions")
        .join(generate::completion_file_name(clap_complete::Shell::Bash));
    report(compare(&committed, &output.stdout).into_iter().collect());
    assert!(String::from_utf8_lossy(&output.stdout).contains("intergiro-keys"));
}

/// The options of each heading of `--help` (`Options`, `Global options`):
/// heading → option specs such as `--within` or `-n, --name`.
fn help_options(help: &str) -> Vec<(String, Vec<String>)> {
    let mut sections: Vec<(String, Vec<String>)> = Vec::new();
    for line in help.lines() {
        if let Some(heading) = line.strip_suffix(':').filter(|h| !h.starts_with(' ')) {
            sections.push((heading.to_lowercase(), Vec::new()));
            continue;
        }
        let spec = line.trim_start();
        // Option lines are indented and start with a dash; descriptions are
        // indented further (10 columns).
        if spec.starts_with('-')
            && line.len() - spec.len() <= 6
            && let Some((_, options)) = sections.last_mut()
        {
            options.push(option_names(spec));
        }
    }
    sections.retain(|(heading, options)| heading.ends_with("options") && !options.is_empty());
    sections
}

/// `-n, --name <NAME>` → `-n, --name`.
fn option_names(spec: &str) -> String {
    spec.split_whitespace()
        .take_while(|word| word.starts_with('-'))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The same, read from a man page's OPTIONS-like sections.
fn man_options(page: &str) -> Vec<(String, Vec<String>)> {
    let mut sections: Vec<(String, Vec<String>)> = Vec::new();
    let mut lines = page.lines();
    while let Some(line) = lines.next() {
        if let Some(heading) = line.strip_prefix(".SH ") {
            sections.push((heading.trim_matches('"').to_lowercase(), Vec::new()));
        } else if line == ".TP" {
            let Some(spec) = lines.next() else { break };
            let plain = spec
                .replace("\\fB", "")
                .replace("\\fR", "")
                .replace("\\fI", "")
                .replace("\\-", "-");
            if plain.starts_with('-')
                && let Some((_, options)) = sections.last_mut()
            {
                options.push(option_names(&plain));
            }
        }
    }
    sections.retain(|(heading, options)| heading.ends_with("options") && !options.is_empty());
    sections
}

/// The lines after "Examples:" in help, and in a man page's EXAMPLES.
fn help_examples(help: &str) -> Vec<String> {
    help.lines()
        .skip_while(|line| *line != "Examples:")
        .skip(1)
        .map(|line| line.trim().to_string())
        .filter(|line| !line.is_empty())
        .collect()
}

fn man_examples(page: &str) -> Vec<String> {
    page.lines()
        .skip_while(|line| *line != ".SH EXAMPLES")
        .skip(2)
        .take_while(|line| *line != ".EE")
        .map(|line| {
            line.replace("\\-", "-")
                .replace("\\(aq", "'")
                .replace("\\e", "\\")
        })
        .collect()
}

/// The subcommand words a page describes (`intergiro-keys-users-add.1` →
/// `users add`) and that command's `--help`, wide enough not to wrap.
fn page_command_help(page_name: &str) -> (Vec<&str>, String) {
    let words: Vec<&str> = page_name
        .trim_end_matches(".1")
        .split('-')
        .skip(2) // "intergiro", "keys"
        .collect();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_intergiro-keys"))
        .args(&words)
        .arg("--help")
        .env_remove("INTERGIRO_KEYS_DB")
        .env("COLUMNS", "200")
        .output()
        .unwrap();
    assert!(output.status.success(), "{words:?} --help failed");
    (words, String::from_utf8(output.stdout).unwrap())
}

/// Every page documents exactly the options and examples that the command's
/// `--help` shows, under the same headings, and every subcommand (nested ones
/// included) has its page.
#[test]
fn each_man_page_matches_its_command_help() {
    let pages = man::man_pages();
    let mut checked = 0;
    for (name, page) in &pages {
        let (_, help) = page_command_help(name);
        assert_eq!(man_options(page), help_options(&help), "{name}");
        let sections = help_options(&help);
        assert!(
            sections
                .iter()
                .any(|(heading, _)| heading == "global options"),
            "{name}: {sections:?}"
        );
        if name == "intergiro-keys-users-add.1" {
            for option in ["-p, --permission", "--key-roles", "-h, --help"] {
                assert!(sections[0].1.contains(&option.to_string()), "{sections:?}");
            }
        }
        assert_eq!(man_examples(page), help_examples(&help), "{name}");
        if name != "intergiro-keys.1" {
            assert!(!help_examples(&help).is_empty(), "{name} has no examples");
        }
        checked += 1;
    }
    for expected in [
        "intergiro-keys-users-add.1",
        "intergiro-keys-users-grant.1",
        "intergiro-keys-users-revoke.1",
        "intergiro-keys-users-remove.1",
        "intergiro-keys-users-list.1",
    ] {
        assert!(
            pages.iter().any(|(name, _)| name == expected),
            "no {expected}"
        );
    }
    assert_eq!(checked, pages.len());
}

/// groff, which `man` uses, finds nothing to warn about either.
#[test]
fn man_pages_pass_groff_warnings() {
    if !installed("groff") {
        return;
    }
    for (name, text) in man::man_pages() {
        assert!(text.is_ascii(), "{name} has raw non-ASCII text");
        let mut child = std::process::Command::new("groff")
            .args(["-man", "-ww", "-z"])
            .stdin(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        use std::io::Write;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
        let output = child.wait_with_output().unwrap();
        assert!(
            output.status.success() && output.stderr.is_empty(),
            "{name}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

/// A roff line as read: `\fB\-\-grace\fR\ \fIDURATION\fR` → `--grace
/// DURATION`.
fn plain_roff(line: &str) -> String {
    line.replace("\\fB", "")
        .replace("\\fR", "")
        .replace("\\fI", "")
        .replace("\\-", "-")
        .replace("\\ ", " ")
}

/// The options `--help` lists, each as the synopsis should write it: `-n|--name
/// NAME`, `--db PATH`, `--no-input`, and whether it takes a value.
fn help_option_forms(help: &str) -> Vec<(String, bool)> {
    help.lines()
        .filter(|line| {
            let spec = line.trim_start();
            spec.starts_with('-') && line.len() - spec.len() <= 6
        })
        .map(|line| {
            let words: Vec<&str> = line.split_whitespace().collect();
            let names: Vec<&str> = words
                .iter()
                .take_while(|word| word.starts_with('-'))
                .map(|word| word.trim_end_matches(','))
                .collect();
            // An optional value (`--git [<REV-RANGE>]`) keeps its brackets.
            let value = words.get(names.len()).map(|value| {
                let bare = value.trim_matches(|c| matches!(c, '<' | '>' | '[' | ']'));
                if value.starts_with("[<") {
                    format!("[{bare}]")
                } else {
                    bare.to_string()
                }
            });
            match value {
                Some(value) => (format!("{} {value}", names.join("|")), true),
                None => (names.join("|"), false),
            }
        })
        .collect()
}

/// Every option of every page's SYNOPSIS shows its value as `--help` names
/// it (`[--grace DURATION]`, not `[--grace]`), an option without one shows
/// none, and the arguments of the usage line appear as it writes them
/// (`<ID|NAME>...`).
#[test]
fn man_synopses_show_each_options_value_as_help_names_it() {
    let mut with_values = 0;
    for (name, page) in man::man_pages() {
        let (words, help) = page_command_help(&name);
        let synopsis = plain_roff(
            page.lines()
                .skip_while(|line| *line != ".SH SYNOPSIS")
                .nth(1)
                .unwrap_or_default(),
        );
        let forms = help_option_forms(&help);
        assert!(forms.len() >= 5, "{name}: {forms:?}");
        for (form, takes_value) in forms {
            let written = ["[", "<"].iter().any(|open| {
                ["]", ">"]
                    .iter()
                    .any(|close| synopsis.contains(&format!("{open}{form}{close}")))
            });
            assert!(written, "{name}: {form:?} not in the synopsis {synopsis:?}");
            with_values += usize::from(takes_value);
        }
        let usage = help
            .lines()
            .find_map(|line| line.strip_prefix("Usage: "))
            .unwrap_or_default();
        let mut arguments = usage.split_whitespace().skip(1 + words.len());
        while let Some(argument) = arguments.next() {
            if argument.starts_with('-') {
                arguments.next(); // an option's value, checked above
            } else if argument != "[OPTIONS]" && argument != "<COMMAND>" {
                assert!(
                    synopsis.contains(&format!("{argument} ")),
                    "{name}: {argument:?} not in the synopsis {synopsis:?}"
                );
            }
        }
    }
    // --db, --format and --color on every page, and more.
    assert!(with_values > 3 * 21, "{with_values}");
}

/// `man` does not hyphenate an option in a SYNOPSIS across two lines
/// (`[--sta-` / `tus STATUS]...`) at any terminal width: a reader copies
/// options from there.
#[test]
fn man_synopses_do_not_hyphenate_options() {
    if !installed("groff") {
        return;
    }
    let mut lines = 0;
    for (name, text) in man::man_pages() {
        for width in (40..=100).step_by(6) {
            let mut child = std::process::Command::new("groff")
                .args(["-man", "-Tascii", "-P-cbou"])
                .arg(format!("-rLL={width}n"))
                .stdin(std::process::Stdio::piped())
                .stdout(std::process::Stdio::piped())
                .spawn()
                .unwrap();
            use std::io::Write;
            child
                .stdin
                .take()
                .unwrap()
                .write_all(text.as_bytes())
                .unwrap();
            let output = child.wait_with_output().unwrap();
            assert!(output.status.success(), "{name} at {width} columns");
            let page = String::from_utf8(output.stdout).unwrap();
            for line in page
                .lines()
                .skip_while(|line| *line != "SYNOPSIS")
                .skip(1)
                .take_while(|line| line.is_empty() || line.starts_with(' '))
            {
                assert!(
                    !line.trim_end().ends_with('-'),
                    "{name} at {width} columns: {line:?}"
                );
                lines += 1;
            }
        }
    }
    // At least one line per page and width.
    assert!(lines >= 21 * 11, "{lines}");
}
