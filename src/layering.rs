//! The layers' rules (docs/architecture.md), checked on the source: what
//! each layer's files may name of the others.

use std::path::Path;

/// The Rust files of `dir` (under `src/`), or the file itself, with their
/// text.
fn sources(relative: &str) -> Vec<(String, String)> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("src")
        .join(relative);
    let mut files = Vec::new();
    let mut pending = vec![path];
    while let Some(path) = pending.pop() {
        if path.is_dir() {
            for entry in std::fs::read_dir(&path).unwrap() {
                pending.push(entry.unwrap().path());
            }
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            let text = std::fs::read_to_string(&path).unwrap();
            files.push((path.display().to_string(), text));
        }
    }
    assert!(!files.is_empty(), "no sources at src/{relative}");
    files
}

/// The lines of `layer`'s files that name any of `forbidden`, comments
/// aside.
fn violations(layer: &[&str], forbidden: &[&str]) -> Vec<String> {
    let mut found = Vec::new();
    for (path, text) in layer.iter().flat_map(|relative| sources(relative)) {
        for (number, line) in text.lines().enumerate() {
            let code = line.trim_start();
            if code.starts_with("//") {
                continue;
            }
            for name in forbidden {
                if code.contains(name) {
                    found.push(format!("{path}:{}: {name}: {code}", number + 1));
                }
            }
        }
    }
    found
}

/// The domain (keys, operators, the audit log, tokens, hashes, text rules)
/// and the store know nothing of the command line, the screen or the
/// operations above them.
#[test]
fn the_domain_and_the_store_import_no_layer_above_them() {
    let found = violations(
        &[
            "key.rs",
            "key",
            "operator.rs",
            "operator",
            "audit.rs",
            "token.rs",
            "hash.rs",
            "hash",
            "text.rs",
            "store",
        ],
        &[
            "crate::cli",
            "crate::cmd",
            "crate::ops",
            "crate::output",
            "crate::prompt",
            "crate::pager",
            "crate::notice",
            "crate::serve",
            "crate::scan",
            "crate::App",
        ],
    );
    assert!(found.is_empty(), "{}", found.join("\n"));
}

/// Operations take values, not clap's arguments, and never ask or print
/// results: that is the commands' part (warnings on stderr aside).
#[test]
fn operations_neither_parse_nor_prompt_nor_print_results() {
    let found = violations(
        &["ops"],
        &[
            "crate::cli",
            "crate::cmd",
            "crate::prompt",
            "crate::pager",
            "println!",
            "print!",
            "print_json",
            "print_line",
            "print_table",
            "output::stdout",
        ],
    );
    assert!(found.is_empty(), "{}", found.join("\n"));
}

/// The screen reads no store: what it shows is handed to it.
#[test]
fn the_screen_reads_no_store() {
    let found = violations(
        &["output", "notice.rs"],
        &["crate::store", "crate::ops", "crate::cmd", "dyn Store"],
    );
    assert!(found.is_empty(), "{}", found.join("\n"));
}

/// A command that has an operation goes through it: it neither opens the
/// store for a change nor resolves or audits by itself.
#[test]
fn commands_with_an_operation_go_through_it() {
    let commands = [
        "cmd/backup.rs",
        "cmd/complete_keys.rs",
        "cmd/create.rs",
        "cmd/delete.rs",
        "cmd/init.rs",
        "cmd/migrate.rs",
        "cmd/renew.rs",
        "cmd/rotate.rs",
        "cmd/show.rs",
        "cmd/upgrade.rs",
        "cmd/users.rs",
        "cmd/verify.rs",
    ];
    let found = violations(
        &commands,
        &[
            "open_authorized",
            "open_to_create",
            "record_refused",
            "record_refusal",
            "resolve_key",
            "resolve_ids",
            "authenticate(",
            "ops::open(",
            "store::open(",
            "ensure_administrator",
        ],
    );
    assert!(found.is_empty(), "{}", found.join("\n"));
}
