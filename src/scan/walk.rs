//! Walking files and directories the way ripgrep does, with the `ignore`
//! crate: `.gitignore`, `.ignore` and git's exclude files are honoured,
//! binary files are skipped, and directories are searched in parallel.
//!
//! Unlike ripgrep, hidden files are searched (`.env`, `.npmrc` and CI
//! configuration are where keys leak); only the `.git` directory is skipped,
//! since its objects are compressed — `git log -p` on stdin covers history.

use std::fs::File;
use std::path::{Path, PathBuf};

use ignore::{DirEntry, WalkBuilder, WalkState};

use super::matcher::{Hit, Outcome, Searcher};

/// What searching one file (or the walk itself) produced.
#[derive(Debug)]
pub enum Event {
    /// Keys found in the file at `path`, as the user would name it.
    Found { path: String, hits: Vec<Hit> },
    /// A binary file, skipped (from its NUL byte on, when keys were found
    /// before it: `partly`); `named` when the user named it explicitly.
    Binary {
        path: String,
        named: bool,
        partly: bool,
    },
    /// A file or directory that could not be read.
    Error(String),
}

/// How to walk.
#[derive(Clone, Debug)]
pub struct Walk {
    /// Also search what .gitignore and .ignore files exclude.
    pub no_ignore: bool,
    /// Drop the `./` that walking `.` puts before every path, as ripgrep
    /// does when it searches the current directory by default.
    pub strip_dot_slash: bool,
}

impl Walk {
    /// Searches `paths` (files or directories), calling `sink` for every
    /// file with a key, binary file or error, from several threads at once.
    pub fn run(&self, paths: &[PathBuf], sink: &(dyn Fn(Event) + Sync)) {
        let Some((first, rest)) = paths.split_first() else {
            return;
        };
        let mut builder = WalkBuilder::new(first);
        for path in rest {
            builder.add(path);
        }
        let respect = !self.no_ignore;
        builder
            .hidden(false)
            .ignore(respect)
            .git_ignore(respect)
            .git_global(respect)
            .git_exclude(respect)
            .parents(respect)
            // A .gitignore counts outside a git checkout too (an unpacked
            // tarball, a copied tree).
            .require_git(false)
            .filter_entry(|entry| entry.file_name() != ".git")
            .threads(threads());
        let strip = self.strip_dot_slash;
        builder.build_parallel().run(|| {
            let mut searcher = Searcher::new();
            Box::new(move |entry| {
                match entry {
                    Ok(entry) => search_entry(&mut searcher, &entry, strip, sink),
                    Err(err) => sink(Event::Error(err.to_string())),
                }
                WalkState::Continue
            })
        });
    }
}

/// As many threads as cores, at most 12 (as ripgrep chooses).
fn threads() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get().min(12))
        .unwrap_or(1)
}

fn search_entry(
    searcher: &mut Searcher,
    entry: &DirEntry,
    strip_dot_slash: bool,
    sink: &(dyn Fn(Event) + Sync),
) {
    // Directories are walked, not searched; symbolic links are not followed.
    if !entry.file_type().is_some_and(|kind| kind.is_file()) {
        return;
    }
    let path = display(entry.path(), strip_dot_slash);
    let named = entry.depth() == 0;
    let result = File::open(entry.path()).and_then(|file| searcher.search(file));
    match result {
        Ok(Outcome::Text(hits)) if hits.is_empty() => {}
        Ok(Outcome::Text(hits)) => sink(Event::Found { path, hits }),
        Ok(Outcome::Binary { hits, .. }) => {
            let partly = !hits.is_empty();
            if partly {
                sink(Event::Found {
                    path: path.clone(),
                    hits,
                });
            }
            sink(Event::Binary {
                path,
                named,
                partly,
            });
        }
        Err(err) => sink(Event::Error(format!("{path}: {err}"))),
    }
}

fn display(path: &Path, strip_dot_slash: bool) -> String {
    let path = match path.strip_prefix("./") {
        Ok(rest) if strip_dot_slash => rest,
        _ => path,
    };
    path.to_string_lossy().into_owned()
}
