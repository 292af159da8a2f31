//! Searching what git holds rather than the work tree: the index (what
//! `git commit` would record) and history, through the `git` command
//! itself.
//!
//! `git` rather than a library (gix, git2): history is searched in the
//! patches `git log -p` prints, whose cost is git's diffing, the same in
//! any implementation; the command adds no build time and reads every
//! repository format, configuration and object store the user's own git
//! reads (`git` is there wherever a repository is).

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};

use anyhow::{Context, Result, bail};
use zeroize::Zeroizing;

use super::matcher::{Hit, Outcome, Searcher, keys_in};

/// Keys found in one file of the index or one commit's changes.
#[derive(Debug)]
pub struct GitFound {
    /// The commit that added the lines (history only).
    pub commit: Option<String>,
    /// Relative to the repository's top directory, `/`-separated.
    pub path: String,
    pub hits: Vec<Hit>,
    /// Binary content after the keys found was not searched.
    pub binary: bool,
}

/// The top directory of the repository holding `dir`, as git sees it;
/// with `bare_ok`, a bare repository's own directory (history needs no work
/// tree, and a server's mirror has none).
pub fn top_level(dir: &Path, bare_ok: bool) -> Result<PathBuf> {
    let ask = |question: &str| -> Result<(bool, String, String)> {
        let output = git(dir)
            .args(["rev-parse", question])
            .output()
            .map_err(no_git)?;
        let text = String::from_utf8(output.stdout)
            .context("git named the repository's directory in something other than UTF-8")?;
        Ok((
            output.status.success(),
            text.trim_end_matches('\n').to_string(),
            first_line(&output.stderr),
        ))
    };
    let (found, top, problem) = ask("--show-toplevel")?;
    if found {
        return Ok(PathBuf::from(top));
    }
    if bare_ok && ask("--is-bare-repository")?.1 == "true" {
        return Ok(PathBuf::from(ask("--absolute-git-dir")?.1));
    }
    bail!(
        "{} is not in a git repository's work tree ({problem}); run it inside the repository",
        dir.display()
    )
}

/// Every key in the files the index changes against HEAD (all of them
/// before the first commit): new files, modified ones and partly staged
/// ones as staged, whatever the work tree holds.
pub fn staged(top: &Path) -> Result<Vec<GitFound>> {
    let base = match rev_parse(top, "HEAD^{tree}")? {
        Some(tree) => tree,
        // No commit yet: everything in the index is new.
        None => empty_tree(top)?,
    };
    let output = git(top)
        .args([
            "diff-index",
            "--cached",
            "-z",
            "--no-renames",
            "--diff-filter=ACMRT",
            &base,
            "--",
        ])
        .output()
        .map_err(no_git)?;
    if !output.status.success() {
        bail!("git diff-index failed: {}", first_line(&output.stderr));
    }
    // `:old-mode new-mode old-id new-id status` NUL `path` NUL, per file.
    let mut fields = output.stdout.split(|&b| b == 0);
    let mut blobs = Vec::new();
    while let (Some(meta), Some(path)) = (fields.next(), fields.next()) {
        let meta = String::from_utf8_lossy(meta);
        let parts: Vec<&str> = meta.trim_start_matches(':').split(' ').collect();
        let (Some(mode), Some(id)) = (parts.get(1), parts.get(3)) else {
            bail!("git diff-index printed a line this version does not understand: {meta}");
        };
        // A submodule's commit is not content of this repository.
        if *mode == "160000" {
            continue;
        }
        blobs.push((id.to_string(), String::from_utf8_lossy(path).into_owned()));
    }
    let mut found = Vec::new();
    if blobs.is_empty() {
        return Ok(found);
    }
    let mut cat = git(top)
        .args(["cat-file", "--batch"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .map_err(no_git)?;
    let (Some(mut input), Some(output)) = (cat.stdin.take(), cat.stdout.take()) else {
        bail!("cannot talk to git cat-file");
    };
    let mut output = BufReader::new(output);
    let mut searcher = Searcher::new();
    for (id, path) in blobs {
        writeln!(input, "{id}")
            .and_then(|()| input.flush())
            .context("git cat-file stopped")?;
        let mut header = String::new();
        output
            .read_line(&mut header)
            .context("git cat-file stopped")?;
        let size: u64 = header
            .split(' ')
            .nth(2)
            .and_then(|size| size.trim().parse().ok())
            .with_context(|| format!("git cat-file cannot read {path} from the index: {header}"))?;
        // Streamed through the searcher, as a file is: memory does not
        // grow with the file's size.
        let mut blob = (&mut output).take(size);
        let outcome = searcher.search(&mut blob).context("git cat-file stopped")?;
        // What a binary file has after its NUL byte, and the newline git
        // ends each object with.
        std::io::copy(&mut blob, &mut std::io::sink()).context("git cat-file stopped")?;
        let mut newline = [0u8; 1];
        output
            .read_exact(&mut newline)
            .context("git cat-file stopped")?;
        let (hits, binary) = match outcome {
            Outcome::Text(hits) => (hits, false),
            // Without a key before its binary data, a binary file is
            // skipped silently, as a walked one is.
            Outcome::Binary { hits, .. } => {
                let partly = !hits.is_empty();
                (hits, partly)
            }
        };
        if !hits.is_empty() {
            found.push(GitFound {
                commit: None,
                path,
                hits,
                binary,
            });
        }
    }
    drop(input);
    finish(&mut cat, "git cat-file")?;
    Ok(found)
}

/// Every key on a line that a commit of `range` (default: every ref)
/// added, with the commit, the path and the line in that commit's version
/// of the file. A key that stays in later commits is reported where it
/// came in.
pub fn history(top: &Path, range: Option<&str>) -> Result<Vec<GitFound>> {
    let mut command = git(top);
    command
        .args(["-c", "core.quotePath=false", "log", "-p", "-U0"])
        // Every commit's own changes, text as text, no helper programs.
        .args([
            "--full-history",
            "--no-color",
            "--no-ext-diff",
            "--no-textconv",
            "--no-renames",
            // A merge's own changes: lines new against every parent (as a
            // conflict resolved by hand), in the combined diff.
            "--cc",
            // Whatever diff.noprefix or diff.mnemonicPrefix say.
            "--src-prefix=a/",
            "--dst-prefix=b/",
            "--format=commit %H",
        ]);
    match range {
        Some(range) => command.args(["--end-of-options", range]),
        None => command.arg("--all"),
    };
    command.arg("--");
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(no_git)?;
    let (Some(stdout), Some(mut stderr)) = (child.stdout.take(), child.stderr.take()) else {
        bail!("cannot read git log's output");
    };
    // Read beside the patches, so that a talkative git never blocks.
    let errors = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text);
        text
    });
    let found = read_patches(stdout);
    let status = child.wait().context("git log stopped")?;
    let errors = errors.join().unwrap_or_default();
    if !status.success() {
        bail!(
            "git log failed: {}{}",
            first_line(errors.as_bytes()),
            if range.is_some() {
                " (give a revision range git understands, e.g. main..feature or v1.2..)"
            } else {
                ""
            }
        );
    }
    found
}

/// Where the patch reader is.
#[derive(Default)]
struct Patch {
    commit: Option<String>,
    path: Option<String>,
    /// The new file's line number of the next added or context line.
    line: u64,
    /// Lines of the current hunk still to come on each old side (one per
    /// parent of a merge's combined diff, else one) and on the new side.
    old_left: Vec<u64>,
    new_left: u64,
}

impl Patch {
    fn in_hunk(&self) -> bool {
        self.new_left > 0 || self.old_left.iter().any(|&left| left > 0)
    }
}

fn read_patches(stdout: ChildStdout) -> Result<Vec<GitFound>> {
    let mut reader = BufReader::with_capacity(256 * 1024, stdout);
    let mut found: Vec<GitFound> = Vec::new();
    let mut at = Patch::default();
    // Wiped when dropped: lines may hold keys.
    let mut line = Zeroizing::new(Vec::new());
    loop {
        line.clear();
        if reader
            .read_until(b'\n', &mut line)
            .context("cannot read git log's output")?
            == 0
        {
            return Ok(found);
        }
        let text = line.strip_suffix(b"\n").unwrap_or(&line);
        if at.in_hunk() {
            // Inside a hunk: only the counts say where it ends, since an
            // added line may look like any header. Each line starts with
            // one column per old side: `-` removed from it, `+` added to
            // it, ` ` in it.
            let columns = at.old_left.len();
            let Some(marks) = text.get(..columns) else {
                continue;
            };
            // "\ No newline at end of file"
            if !marks.iter().all(|mark| b" +-".contains(mark)) {
                continue;
            }
            let removed = marks.contains(&b'-');
            for (mark, left) in marks.iter().zip(&mut at.old_left) {
                if *mark == if removed { b'-' } else { b' ' } {
                    *left = left.saturating_sub(1);
                }
            }
            if !removed {
                // New against every parent: a merge's own content (a
                // conflict resolved with a key in it) is searched; a line
                // from one parent was searched in that parent's commit.
                if marks.iter().all(|&mark| mark == b'+') {
                    search_line(&at, &text[columns..], &mut found);
                }
                at.line += 1;
                at.new_left = at.new_left.saturating_sub(1);
            }
        } else if let Some(commit) = text.strip_prefix(b"commit ") {
            at = Patch {
                commit: Some(String::from_utf8_lossy(commit).into_owned()),
                ..Patch::default()
            };
        } else if text.starts_with(b"diff --git ") || text.starts_with(b"diff --cc ") {
            at.path = None;
        } else if let Some(path) = text.strip_prefix(b"+++ ") {
            at.path = new_path(path);
        } else if text.starts_with(b"@@") {
            let (old, new) = hunk_counts(text);
            at.old_left = old.iter().map(|(_, count)| *count).collect();
            at.new_left = new.1;
            at.line = new.0;
        }
    }
}

/// Keys on one added line, recorded at the commit, path and line.
fn search_line(at: &Patch, text: &[u8], found: &mut Vec<GitFound>) {
    let Some(path) = &at.path else {
        return;
    };
    // Most lines hold no `igk_` nor any base64 form of it.
    keys_in(text, 0, text.len(), &mut |candidate| {
        let before = &text[..candidate.start];
        let hit = Hit {
            line: at.line,
            column: candidate.start as u64 + 1,
            char_column: before.iter().filter(|&&b| (b & 0xC0) != 0x80).count() as u64 + 1,
            token: candidate.token,
            encoding: candidate.encoding,
        };
        match found.last_mut() {
            Some(last) if last.commit == at.commit && &last.path == path => last.hits.push(hit),
            _ => found.push(GitFound {
                commit: at.commit.clone(),
                path: path.clone(),
                hits: vec![hit],
                binary: false,
            }),
        }
    });
}

/// The path of a `+++ b/PATH` line; none for a deleted file. A path git
/// quoted (a `"`, `\` or control character in it) is unquoted.
fn new_path(text: &[u8]) -> Option<String> {
    // git ends the line with a tab when the name holds a space.
    let text = text.strip_suffix(b"\t").unwrap_or(text);
    if text == b"/dev/null" {
        return None;
    }
    let unquoted;
    let text = match text.strip_prefix(b"\"").and_then(|t| t.strip_suffix(b"\"")) {
        Some(quoted) => {
            unquoted = unquote(quoted);
            &unquoted[..]
        }
        None => text,
    };
    let path = text.strip_prefix(b"b/").unwrap_or(text);
    Some(String::from_utf8_lossy(path).into_owned())
}

/// git's C-style quoting: `\"`, `\\`, `\t`, `\n` and octal `\ooo` bytes.
fn unquote(text: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    let mut bytes = text.iter().copied();
    while let Some(b) = bytes.next() {
        if b != b'\\' {
            out.push(b);
            continue;
        }
        match bytes.next() {
            Some(b'n') => out.push(b'\n'),
            Some(b't') => out.push(b'\t'),
            Some(b'a') => out.push(7),
            Some(b'b') => out.push(8),
            Some(b'f') => out.push(12),
            Some(b'r') => out.push(b'\r'),
            Some(b'v') => out.push(11),
            Some(digit @ b'0'..=b'7') => {
                let mut value = u32::from(digit - b'0');
                for _ in 0..2 {
                    if let Some(next @ b'0'..=b'7') = bytes.clone().next() {
                        value = value * 8 + u32::from(next - b'0');
                        bytes.next();
                    }
                }
                out.push(value as u8);
            }
            Some(other) => out.push(other),
            None => out.push(b'\\'),
        }
    }
    out
}

/// `(start, count)` of each old side and of the new side of a hunk
/// header: `@@ -a[,b] +c[,d] @@`, or `@@@ -a,b -c,d +e,f @@@` for a merge
/// of two parents (one more `@` per parent).
fn hunk_counts(header: &[u8]) -> (Vec<(u64, u64)>, (u64, u64)) {
    let text = String::from_utf8_lossy(header);
    let mut parts = text.split(' ');
    let ats = parts.next().unwrap_or_default().len();
    let range = |part: &str| -> (u64, u64) {
        let mut numbers = part.split(',');
        let start = numbers.next().and_then(|n| n.parse().ok()).unwrap_or(0);
        let count = numbers.next().map_or(1, |n| n.parse().unwrap_or(0));
        (start, count)
    };
    let mut old = Vec::new();
    let mut new = (0, 0);
    for part in parts.take(ats) {
        if let Some(side) = part.strip_prefix('-') {
            old.push(range(side));
        } else if let Some(side) = part.strip_prefix('+') {
            new = range(side);
            break;
        }
    }
    (old, new)
}

fn git(dir: &Path) -> Command {
    let mut command = Command::new("git");
    command.current_dir(dir);
    // Only the repository's own configuration and the user's: no pager, no
    // prompt for credentials.
    command
        .env("GIT_PAGER", "cat")
        .env("GIT_TERMINAL_PROMPT", "0")
        .stdin(Stdio::null());
    command
}

/// The repository (its `origin` remote, else its directory as a `file://`
/// URI) and the commit checked out, for SARIF's version control
/// provenance; none before the first commit.
pub fn revision(top: &Path) -> Option<(String, String)> {
    let commit = rev_parse(top, "HEAD^{commit}").ok()??;
    let remote = git(top)
        .args(["config", "--get", "remote.origin.url"])
        .output()
        .ok()
        .filter(|output| output.status.success())
        .map(|output| String::from_utf8_lossy(&output.stdout).trim().to_string())
        .filter(|url| url.contains("://"));
    let repository = remote.unwrap_or_else(|| super::sarif::file_uri(&top.to_string_lossy()));
    Some((repository, commit))
}

/// The object ID of `rev`, or none when it does not exist.
fn rev_parse(dir: &Path, rev: &str) -> Result<Option<String>> {
    let output = git(dir)
        .args(["rev-parse", "--verify", "--quiet", "--end-of-options", rev])
        .output()
        .map_err(no_git)?;
    Ok(output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).trim().to_string()))
}

/// The empty tree's ID in this repository's hash.
fn empty_tree(dir: &Path) -> Result<String> {
    let output = git(dir)
        .args(["hash-object", "-t", "tree", "--stdin"])
        .output()
        .map_err(no_git)?;
    if !output.status.success() {
        bail!("git hash-object failed: {}", first_line(&output.stderr));
    }
    Ok(String::from_utf8_lossy(&output.stdout).trim().to_string())
}

fn finish(child: &mut Child, what: &str) -> Result<()> {
    let mut stderr = String::new();
    if let Some(mut err) = child.stderr.take() {
        let _ = err.read_to_string(&mut stderr);
    }
    let status = child.wait().with_context(|| format!("{what} stopped"))?;
    if !status.success() {
        bail!("{what} failed: {}", first_line(stderr.as_bytes()));
    }
    Ok(())
}

fn no_git(err: std::io::Error) -> anyhow::Error {
    if err.kind() == std::io::ErrorKind::NotFound {
        anyhow::anyhow!("git is not installed; --staged and --git run it: install git")
    } else {
        anyhow::Error::new(err).context("cannot run git")
    }
}

fn first_line(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    text.lines()
        .find(|line| !line.trim().is_empty())
        .unwrap_or("no reason given")
        .trim()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hunk_headers_give_both_sides() {
        assert_eq!(
            hunk_counts(b"@@ -3,2 +4,5 @@ fn f()"),
            (vec![(3, 2)], (4, 5))
        );
        assert_eq!(hunk_counts(b"@@ -0,0 +1 @@"), (vec![(0, 0)], (1, 1)));
        assert_eq!(
            hunk_counts(b"@@@ -2,1 -2,0 +2,3 @@@"),
            (vec![(2, 1), (2, 0)], (2, 3))
        );
    }

    #[test]
    fn quoted_and_plain_paths_are_read() {
        assert_eq!(new_path(b"b/src/a b.rs\t").as_deref(), Some("src/a b.rs"));
        assert_eq!(new_path(b"/dev/null"), None);
        assert_eq!(
            new_path(br#""b/t\303\251st\"q.txt""#).as_deref(),
            Some("tést\"q.txt")
        );
    }
}
