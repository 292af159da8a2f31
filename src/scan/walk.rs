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
        // Named, a kernel's file is said to be skipped (the scan is then
        // incomplete); met in a walk, it is passed over.
        let paths: Vec<&PathBuf> = paths
            .iter()
            .filter(|path| {
                let pseudo = is_pseudo_path(path);
                if pseudo {
                    sink(Event::Error(format!(
                        "{}: on a file system of the kernel's own (such as /proc, /sys or /dev), which is not searched",
                        path.display()
                    )));
                }
                !pseudo
            })
            .collect();
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
            .filter_entry(|entry| entry.file_name() != ".git" && !is_pseudo(entry))
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

/// Whether `entry` is, or is in, a file system of the kernel's own (procfs,
/// sysfs, debugfs and the like): its files are not data and reading some
/// never ends (`/proc/kmsg` waits for the next kernel message). Asked of
/// directories and of what was named on the command line only, so the cost
/// is one `statfs` per directory: files inside a checked directory are on
/// its file system (a mount point is a directory).
fn is_pseudo(entry: &DirEntry) -> bool {
    entry.depth() > 0
        && entry.file_type().is_some_and(|kind| kind.is_dir())
        && is_pseudo_path(entry.path())
}

/// Whether `path` is on a file system of the kernel's own.
pub fn is_pseudo_path(path: &Path) -> bool {
    use nix::sys::statfs::{
        BPF_FS_MAGIC, CGROUP_SUPER_MAGIC, DEBUGFS_MAGIC, DEVPTS_SUPER_MAGIC, PROC_SUPER_MAGIC,
        SECURITYFS_MAGIC, SELINUX_MAGIC, SYSFS_MAGIC, TRACEFS_MAGIC, statfs,
    };
    // cgroup2 and devtmpfs have no constant in nix.
    const CGROUP2_SUPER_MAGIC: i64 = 0x6367_7270;
    let Ok(fs) = statfs(path) else {
        return false;
    };
    let kind = fs.filesystem_type();
    [
        PROC_SUPER_MAGIC,
        SYSFS_MAGIC,
        DEBUGFS_MAGIC,
        TRACEFS_MAGIC,
        SECURITYFS_MAGIC,
        SELINUX_MAGIC,
        CGROUP_SUPER_MAGIC,
        BPF_FS_MAGIC,
        DEVPTS_SUPER_MAGIC,
    ]
    .contains(&kind)
        || kind.0 == CGROUP2_SUPER_MAGIC
        // Device files live in /dev (devtmpfs, a tmpfs): never read one.
        || path.starts_with("/dev")
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
