//! `scan`: find leaked keys, tell which still work, optionally revoke them.

use std::collections::HashMap;
use std::io::{BufWriter, IsTerminal, Write};
use std::path::{Component, Path, PathBuf};
use std::process::ExitCode;
use std::sync::Mutex;

use anyhow::{Context, Result, bail};
use serde::Serialize;

use crate::App;
use crate::cli::{Format, ScanArgs};
use crate::key::{ApiKey, Roles, Status};
use crate::operator::Action;
use crate::ops::{check_secret, open_authorized};
use crate::output::{self, sanitize};
use crate::prompt;
use crate::scan::git::{self, GitFound};
use crate::scan::walk::{Event, Walk};
use crate::scan::{Encoding, Hit, Outcome, Searcher, sarif};
use crate::store::Open;
use crate::token::Token;

/// Where a key was found. `path` is None for stdin.
struct Place {
    path: Option<String>,
    /// The commit that added it (`--git`).
    commit: Option<String>,
    line: u64,
    column: u64,
    char_column: u64,
    encoding: Encoding,
    /// Index into the distinct keys found.
    key: usize,
}

impl Place {
    fn path_text(&self) -> &str {
        self.path.as_deref().unwrap_or("<stdin>")
    }

    /// `path:line`, after the commit's short ID for history.
    fn short(&self) -> String {
        match &self.commit {
            Some(commit) => format!(
                "{}:{}:{}",
                short_commit(commit),
                self.path_text(),
                self.line
            ),
            None => format!("{}:{}", self.path_text(), self.line),
        }
    }
}

/// A commit's ID as the text output names it: 12 hexadecimal digits, which
/// `git show` accepts.
fn short_commit(commit: &str) -> &str {
    commit.get(..12).unwrap_or(commit)
}

/// What the store says about a key found.
#[derive(Clone, Debug)]
enum Standing {
    /// No database to ask.
    Unchecked,
    /// Unknown ID, deleted key or a different secret: it opens nothing here.
    NotInStore,
    /// The key, its secret verified.
    Key(ApiKey, Status),
    /// The secret of a key whose row was changed outside intergiro-keys,
    /// verified against its row as stored (shown so). `verify` rejects it,
    /// but its row and hash are still in the database: restoring the row,
    /// the other remedy, makes it work again, so it may work.
    Tampered(ApiKey),
    /// Deleted by this run's --revoke.
    Revoked(ApiKey),
}

impl Standing {
    fn label(&self) -> &'static str {
        match self {
            Standing::Unchecked => "unchecked",
            Standing::NotInStore => "not in this store",
            Standing::Key(_, status) => status.as_str(),
            Standing::Tampered(_) => "tampered",
            Standing::Revoked(_) => "revoked",
        }
    }

    fn still_works(&self) -> bool {
        matches!(self, Standing::Key(_, status) if status.still_works())
    }

    /// Works, or may: nobody could check, or its row cannot be trusted.
    fn may_work(&self) -> bool {
        matches!(self, Standing::Unchecked | Standing::Tampered(_)) || self.still_works()
    }

    /// What --revoke deletes: a working key, and a tampered one (deleting
    /// it is the remedy).
    fn to_revoke(&self) -> bool {
        matches!(self, Standing::Tampered(_)) || self.still_works()
    }

    fn key(&self) -> Option<&ApiKey> {
        match self {
            Standing::Key(key, _) | Standing::Tampered(key) | Standing::Revoked(key) => Some(key),
            Standing::Unchecked | Standing::NotInStore => None,
        }
    }
}

/// A distinct key found, however many times.
struct Found {
    token: Token,
    standing: Standing,
}

/// The most places a run keeps and reports, and the most distinct keys:
/// past them only a count is kept, so that memory stays flat however many
/// keys a tree holds (a million distinct keys took 664 MB before).
const PLACES_KEPT: usize = 10_000;
const KEYS_KEPT: usize = 10_000;

/// The most argon2 verifications a run makes (about 15 s): keys past them
/// are reported `unchecked`. A key whose ID the store does not know costs
/// no verification at all.
const CHECKED_AT_MOST: usize = 1_000;

/// `CHECKED_AT_MOST`; debug builds (the test suite) may lower it with
/// `INTERGIRO_KEYS_SCAN_CHECKS` to test the bound without thousands of keys.
fn checked_at_most() -> usize {
    #[cfg(debug_assertions)]
    if let Some(limit) = std::env::var("INTERGIRO_KEYS_SCAN_CHECKS")
        .ok()
        .and_then(|limit| limit.parse().ok())
    {
        return limit;
    }
    CHECKED_AT_MOST
}

/// Every key found, in the order of their places.
#[derive(Default)]
struct Findings {
    keys: Vec<Found>,
    /// Distinct keys by ID; an ID with two different secrets is two keys.
    by_id: HashMap<String, Vec<usize>>,
    places: Vec<Place>,
    /// Places found past `PLACES_KEPT` (or of keys past `KEYS_KEPT`), only
    /// counted.
    more_places: u64,
    /// Keys found but not checked, past `CHECKED_AT_MOST`.
    over_budget: usize,
}

impl Findings {
    fn add(&mut self, path: Option<String>, commit: Option<&str>, hits: Vec<Hit>) {
        for hit in hits {
            if self.places.len() >= PLACES_KEPT {
                self.more_places += 1;
                continue;
            }
            let Some(key) = self.intern(hit.token) else {
                self.more_places += 1;
                continue;
            };
            self.places.push(Place {
                path: path.clone(),
                commit: commit.map(str::to_string),
                line: hit.line,
                column: hit.column,
                char_column: hit.char_column,
                encoding: hit.encoding,
                key,
            });
        }
    }

    /// The key's index, added if new; None past `KEYS_KEPT`.
    fn intern(&mut self, token: Token) -> Option<usize> {
        if let Some(same_id) = self.by_id.get(token.id())
            && let Some(&index) = same_id
                .iter()
                .find(|&&index| self.keys[index].token.secret() == token.secret())
        {
            return Some(index);
        }
        if self.keys.len() >= KEYS_KEPT {
            return None;
        }
        self.by_id
            .entry(token.id().to_string())
            .or_default()
            .push(self.keys.len());
        self.keys.push(Found {
            token,
            standing: Standing::Unchecked,
        });
        Some(self.keys.len() - 1)
    }

    /// Where the key `index` was first found, for the audit log.
    fn first_place(&self, index: usize) -> Option<&Place> {
        self.places.iter().find(|place| place.key == index)
    }
}

#[derive(Serialize)]
struct PlaceJson<'a> {
    path: Option<&'a str>,
    /// The commit that added the key (`--git`), else null.
    commit: Option<&'a str>,
    line: u64,
    column: u64,
    key_id: &'a str,
    status: &'static str,
    /// Null when unchecked.
    still_works: Option<bool>,
    name: Option<&'a str>,
    roles: Option<&'a Roles>,
    /// `base64` for a key found inside base64 text, else null.
    encoding: Option<&'static str>,
}

/// What was searched, for the SARIF log: the directory relative paths
/// start from, and the repository's commit for --staged and --git.
struct Searched {
    root: Option<PathBuf>,
    /// Paths are already relative to `root` (--staged, --git).
    from_root: bool,
    revision: Option<(String, String)>,
    /// History: the places stay in git's order (newest commit first).
    history: bool,
}

pub fn run(app: &App, args: ScanArgs, sarif: bool) -> Result<ExitCode> {
    if args.revoke && !args.yes && !app.interactive {
        bail!(
            "deleting keys cannot be undone and there is no terminal to confirm on: pass --yes with --revoke to delete without asking"
        );
    }
    let (mut findings, errors, searched) = if args.staged || args.git.is_some() {
        search_git(&args)?
    } else {
        let (findings, errors) = search(app, &args)?;
        let searched = Searched {
            root: source_root(),
            from_root: false,
            revision: None,
            history: false,
        };
        (findings, errors, searched)
    };
    if !args.no_check {
        check_against_store(app, &mut findings, args.revoke)?;
    }
    if args.revoke {
        revoke(app, &args, &mut findings)?;
    }
    if !searched.history {
        findings.places.sort_by(|a, b| {
            (a.path.is_some(), &a.path, a.line, a.column).cmp(&(
                b.path.is_some(),
                &b.path,
                b.line,
                b.column,
            ))
        });
    }
    let printed = if sarif {
        print_sarif(&findings, &searched)
    } else {
        match app.format {
            Format::Json => print_json(&findings),
            Format::Table => print_table(app, &findings),
        }
    };
    crate::unless_broken_pipe(printed)?;
    summarize(&findings, args.revoke);
    if errors > 0 {
        bail!(
            "{errors} {} could not be searched (see above); the scan is incomplete",
            if errors == 1 { "path" } else { "paths" }
        );
    }
    // A place not kept may hold a key that works.
    let works = findings.more_places > 0 || findings.keys.iter().any(|key| key.standing.may_work());
    Ok(ExitCode::from(u8::from(works)))
}

/// Searches the paths (and stdin for `-`); returns what was found and how
/// many paths could not be read (each already reported on stderr).
fn search(app: &App, args: &ScanArgs) -> Result<(Findings, usize)> {
    let stdin_named = args
        .paths
        .iter()
        .filter(|path| path.as_os_str() == "-")
        .count();
    if stdin_named > 1 {
        bail!("`-` (stdin) can be given only once");
    }
    let implicit = args.paths.is_empty();
    let paths: Vec<PathBuf> = if implicit {
        vec![PathBuf::from(".")]
    } else {
        args.paths
            .iter()
            .filter(|path| path.as_os_str() != "-")
            .cloned()
            .collect()
    };
    let mut findings = Findings::default();
    if stdin_named == 1 {
        if std::io::stdin().is_terminal() && app.interactive {
            output::note("Reading from the terminal; end with Ctrl-D.");
        }
        let stdin = std::io::stdin().lock();
        match Searcher::new().search(stdin).context("cannot read stdin")? {
            Outcome::Text(hits) => findings.add(None, None, hits),
            Outcome::Binary { at, hits } => {
                findings.add(None, None, hits);
                output::note(format!(
                    "intergiro-keys: <stdin>: binary data (a NUL byte at offset {at}), not searched further"
                ));
            }
        }
    }
    let walk = Walk {
        no_ignore: args.no_ignore,
        strip_dot_slash: implicit,
    };
    let shared = Mutex::new((findings, 0usize));
    walk.run(&paths, &|event| {
        let mut shared = shared
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        match event {
            Event::Found { path, hits } => shared.0.add(Some(path), None, hits),
            Event::Binary {
                path,
                named,
                partly,
            } => {
                // Walked binary files are skipped silently, as ripgrep does;
                // one the user named, or one with keys before its binary
                // data, deserves a word.
                if partly {
                    output::note(format!(
                        "intergiro-keys: {}: binary data after the keys found, not searched further",
                        sanitize(&path)
                    ));
                } else if named {
                    output::note(format!(
                        "intergiro-keys: {}: binary file, not searched",
                        sanitize(&path)
                    ));
                }
            }
            Event::Error(message) => {
                output::note(format!("intergiro-keys: {}", sanitize(&message)));
                shared.1 += 1;
            }
        }
    });
    Ok(shared
        .into_inner()
        .unwrap_or_else(|poisoned| poisoned.into_inner()))
}

/// Searches the index (--staged) or history (--git) of the repository
/// holding the current directory.
fn search_git(args: &ScanArgs) -> Result<(Findings, usize, Searched)> {
    let here = std::env::current_dir().context("cannot read the current directory")?;
    let top = git::top_level(&here, args.git.is_some())?;
    let found = match &args.git {
        Some(range) => {
            if range.as_deref().is_some_and(|range| range.starts_with('-')) {
                bail!(
                    "--git takes a revision range such as main..feature, not an option; give --git alone for every branch and tag"
                );
            }
            git::history(&top, range.as_deref())?
        }
        None => git::staged(&top)?,
    };
    let mut findings = Findings::default();
    for GitFound {
        commit,
        path,
        hits,
        binary,
    } in found
    {
        findings.add(Some(path.clone()), commit.as_deref(), hits);
        if binary {
            output::note(format!(
                "intergiro-keys: {}: binary data after the keys found, not searched further",
                sanitize(&path)
            ));
        }
    }
    let searched = Searched {
        revision: git::revision(&top),
        root: Some(top),
        from_root: true,
        history: args.git.is_some(),
    };
    Ok((findings, 0, searched))
}

/// The directory SARIF's relative URIs start from: the top of the git
/// work tree holding the current directory (what code scanning checks
/// out), else the current directory.
fn source_root() -> Option<PathBuf> {
    let here = std::env::current_dir().ok()?;
    let top = here
        .ancestors()
        .find(|dir| dir.join(".git").exists())
        .unwrap_or(&here);
    Some(top.to_path_buf())
}

/// `path` (from `here`) relative to `root`, if it is inside it; `..` and
/// `.` are resolved as written (as a URI would be), not through links.
fn relative_to(root: &Path, here: &Path, path: &str) -> Option<String> {
    let mut absolute = PathBuf::new();
    for part in here.join(path).components() {
        match part {
            Component::ParentDir => {
                absolute.pop();
            }
            Component::CurDir => {}
            other => absolute.push(other),
        }
    }
    let relative = absolute.strip_prefix(root).ok()?;
    Some(relative.to_string_lossy().into_owned())
}

/// Verifies each distinct key against the store once. No database: every
/// key stays `unchecked`.
fn check_against_store(app: &App, findings: &mut Findings, revoke: bool) -> Result<()> {
    if findings.keys.is_empty() {
        return Ok(());
    }
    let store = match crate::store::open(&app.db, Open::MustExist, crate::ops::busy_timeout()?) {
        Ok(store) => store,
        // A path given (--db or INTERGIRO_KEYS_DB) that names nothing is
        // most likely mistyped: say so rather than ask for --db.
        Err(crate::store::Error::Missing { .. })
            if crate::default_db_path().is_ok_and(|default| default != app.db) =>
        {
            let path = sanitize(&app.db.to_string_lossy()).into_owned();
            if revoke {
                bail!(
                    "no database at {path}: that file does not exist, and --revoke deletes keys from a database; check the path given with --db (or INTERGIRO_KEYS_DB)"
                );
            }
            output::note(format!(
                "No database at {path}: that file does not exist, so the keys found are not checked (check the path given with --db or INTERGIRO_KEYS_DB)."
            ));
            return Ok(());
        }
        Err(crate::store::Error::Missing { .. }) if revoke => bail!(
            "no database at {}: --revoke deletes keys from a database; pass --db",
            sanitize(&app.db.to_string_lossy())
        ),
        Err(crate::store::Error::Missing { .. }) => {
            output::note(format!(
                "No database at {}: the keys found are not checked (pass --db to check them).",
                sanitize(&app.db.to_string_lossy())
            ));
            return Ok(());
        }
        Err(err) => return Err(err.into()),
    };
    // One argon2 verification per distinct key, however often it occurs,
    // and none for an ID the store does not know: scan says so anyway.
    let mut verified = 0;
    let budget = checked_at_most();
    for found in &mut findings.keys {
        let known = match store.find_key(found.token.id()) {
            Ok(None) => {
                found.standing = Standing::NotInStore;
                continue;
            }
            known => known,
        };
        if verified == budget {
            findings.over_budget += 1;
            continue;
        }
        verified += 1;
        found.standing = match known {
            // A row changed outside intergiro-keys: `Tampered` when the
            // secret found matches the row as stored.
            Err(crate::store::Error::Tampered { .. }) => {
                let stored = store.find_key_as_stored(found.token.id())?;
                check_secret(&found.token, stored)?.map_or(Standing::NotInStore, Standing::Tampered)
            }
            Err(err) => return Err(err.into()),
            Ok(stored) => match check_secret(&found.token, stored)? {
                Some(key) => {
                    let status = key.status(app.now);
                    Standing::Key(key, status)
                }
                None => Standing::NotInStore,
            },
        };
    }
    Ok(())
}

/// Deletes every key found that still works, after confirmation on a
/// terminal, each audited with where it was found.
fn revoke(app: &App, args: &ScanArgs, findings: &mut Findings) -> Result<()> {
    let working: Vec<usize> = (0..findings.keys.len())
        .filter(|&index| findings.keys[index].standing.to_revoke())
        .collect();
    if working.is_empty() {
        return Ok(());
    }
    crate::cmd::delete::room_for_revocation(app);
    let mut store = open_authorized(app, Action::ScanRevoke)?;
    if !args.yes {
        for &index in &working {
            if let Some(key) = findings.keys[index].standing.key() {
                output::note(format!(
                    "  {}  {}  ({})",
                    key.id,
                    sanitize(&key.name),
                    key.roles
                ));
            }
        }
        let question = match working.len() {
            1 => {
                output::note("Anything using it stops working at once.");
                "Delete this leaked key?".to_string()
            }
            n => {
                output::note("Anything using them stops at once.");
                format!("Delete these {n} leaked keys?")
            }
        };
        if !prompt::confirm(&question)? {
            output::note("Nothing was deleted.");
            return Ok(());
        }
    }
    let targets: Vec<(String, String)> = working
        .iter()
        .map(|&index| {
            let id = findings.keys[index].token.id().to_string();
            let place = findings
                .first_place(index)
                .map(Place::short)
                .unwrap_or_default();
            (id, place)
        })
        .collect();
    let deleted = store.revoke_found(&targets, app.actor())?;
    for &index in &working {
        let found = &mut findings.keys[index];
        if let Some(key) = deleted.iter().find(|key| key.id == found.token.id()) {
            found.standing = Standing::Revoked(key.clone());
        } else {
            // Deleted by someone else in the meantime.
            found.standing = Standing::NotInStore;
        }
    }
    Ok(())
}

fn print_table(app: &App, findings: &Findings) -> Result<()> {
    let mut out = BufWriter::new(std::io::stdout().lock());
    for place in &findings.places {
        let standing = &findings.keys[place.key].standing;
        let id = findings.keys[place.key].token.id();
        let status = match (app.color, standing.still_works()) {
            (true, true) => format!("\x1b[31m{}\x1b[0m", standing.label()),
            _ => standing.label().to_string(),
        };
        let about = match standing.key() {
            Some(key) => format!(" \"{}\" ({})", sanitize(&key.name), key.roles),
            None => String::new(),
        };
        let commit = match &place.commit {
            Some(commit) => format!("{}:", short_commit(commit)),
            None => String::new(),
        };
        let encoding = match place.encoding.name() {
            Some(name) => format!(" (in {name})"),
            None => String::new(),
        };
        writeln!(
            out,
            "{commit}{}:{}:{}: igk_{id}_… {status}{about}{encoding}",
            sanitize(place.path_text()),
            place.line,
            place.column
        )?;
    }
    out.flush()?;
    Ok(())
}

fn print_json(findings: &Findings) -> Result<()> {
    let json: Vec<PlaceJson> = findings
        .places
        .iter()
        .map(|place| {
            let found = &findings.keys[place.key];
            let key = found.standing.key();
            PlaceJson {
                path: place.path.as_deref(),
                commit: place.commit.as_deref(),
                line: place.line,
                column: place.column,
                key_id: found.token.id(),
                status: found.standing.label(),
                still_works: match found.standing {
                    Standing::Unchecked => None,
                    _ => Some(found.standing.still_works()),
                },
                name: key.map(|key| key.name.as_str()),
                roles: key.map(|key| &key.roles),
                encoding: place.encoding.name(),
            }
        })
        .collect();
    output::print_json(&json)
}

fn print_sarif(findings: &Findings, searched: &Searched) -> Result<()> {
    // Paths as the SARIF log names them: relative to the root when inside.
    let here = std::env::current_dir().unwrap_or_default();
    let paths: Vec<Option<(String, bool)>> = findings
        .places
        .iter()
        .map(|place| {
            let path = place.path.as_deref()?;
            Some(match &searched.root {
                _ if searched.from_root => (path.to_string(), true),
                Some(root) => match relative_to(root, &here, path) {
                    Some(relative) => (relative, true),
                    None => (path.to_string(), false),
                },
                None => (path.to_string(), false),
            })
        })
        .collect();
    let results: Vec<sarif::Finding> = findings
        .places
        .iter()
        .zip(&paths)
        .map(|(place, path)| {
            let found = &findings.keys[place.key];
            let id = found.token.id();
            let standing = &found.standing;
            let level = if standing.may_work() { "error" } else { "warning" };
            let message = match standing {
                Standing::Key(key, status) if !status.still_works() => format!(
                    "Key igk_{id}_… (\"{}\") is {status} and does not work; remove it from the code.",
                    key.name
                ),
                Standing::Key(key, status) => format!(
                    "Key igk_{id}_… (\"{}\", roles {}) is {status} and works for whoever reads this: delete it with `intergiro-keys delete {id}` and issue a new one.",
                    key.name, key.roles
                ),
                Standing::Tampered(key) => format!(
                    "Key igk_{id}_… (\"{}\") belongs to a key whose row was changed outside intergiro-keys (tampered): it is rejected now, but its row and hash are still in the database: delete it with `intergiro-keys delete {id}` and remove it from the code.",
                    key.name
                ),
                Standing::Revoked(key) => format!(
                    "Key igk_{id}_… (\"{}\") was found here and has been deleted; remove it from the code.",
                    key.name
                ),
                Standing::NotInStore => format!(
                    "Key igk_{id}_… is not a key of the database checked (deleted, or from another one); remove it from the code."
                ),
                Standing::Unchecked => format!(
                    "Key igk_{id}_… was found; check it with `intergiro-keys scan` where the database is, and delete it if it works."
                ),
            };
            sarif::Finding {
                path: path.as_ref().map(|(path, _)| path.as_str()),
                relative: path.as_ref().is_some_and(|(_, relative)| *relative),
                commit: place.commit.as_deref(),
                line: place.line,
                column: place.char_column,
                level,
                message,
                key_id: id,
                encoding: place.encoding.name(),
            }
        })
        .collect();
    let run = sarif::Run {
        root: searched.root.as_deref(),
        revision: searched.revision.clone(),
    };
    output::print_json(&sarif::log(&run, &results))
}

/// One line on stderr for people: how much was found and what to do.
fn summarize(findings: &Findings, revoke: bool) {
    let places = findings.places.len();
    let keys = findings.keys.len();
    if places == 0 {
        output::note("No keys found.");
        return;
    }
    let working: Vec<&str> = findings
        .keys
        .iter()
        .filter(|key| key.standing.still_works())
        .map(|key| key.token.id())
        .collect();
    let revoked = findings
        .keys
        .iter()
        .filter(|key| matches!(key.standing, Standing::Revoked(_)))
        .count();
    let mut line = format!(
        "Found {} {} in {} {}",
        keys,
        if keys == 1 { "key" } else { "keys" },
        places,
        if places == 1 { "place" } else { "places" }
    );
    if revoked > 0 {
        line.push_str(&format!("; {revoked} deleted"));
    }
    match working.len() {
        0 => {}
        n if revoke => line.push_str(&format!("; {n} still working")),
        n => line.push_str(&format!(
            "; {n} still {} — delete with `intergiro-keys scan --revoke` (same paths) or `intergiro-keys delete {}`",
            if n == 1 { "works" } else { "work" },
            working.join(" ")
        )),
    }
    let tampered: Vec<&str> = findings
        .keys
        .iter()
        .filter(|key| matches!(key.standing, Standing::Tampered(_)))
        .map(|key| key.token.id())
        .collect();
    if !tampered.is_empty() {
        line.push_str(&format!(
            "; {} tampered (changed outside intergiro-keys: rejected now, but still stored) — delete with `intergiro-keys delete {}`",
            tampered.len(),
            tampered.join(" ")
        ));
    }
    line.push('.');
    output::note(line);
    if findings.more_places > 0 {
        output::note(format!(
            "{} more {} not listed: a run lists at most {PLACES_KEPT} places of {KEYS_KEPT} distinct keys; scan fewer paths at a time to see them (they may hold keys that work).",
            findings.more_places,
            if findings.more_places == 1 {
                "place is"
            } else {
                "places are"
            },
        ));
    }
    if findings.over_budget > 0 {
        output::note(format!(
            "{} {} known to the store {} not checked (shown as unchecked): a run checks at most {} keys, one argon2 verification each; scan fewer paths at a time to check them.",
            findings.over_budget,
            if findings.over_budget == 1 {
                "key"
            } else {
                "keys"
            },
            if findings.over_budget == 1 {
                "was"
            } else {
                "were"
            },
            checked_at_most(),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_found_many_times_is_one_key_to_check() {
        let text = Token::generate().unwrap().expose();
        let other = Token::generate().unwrap().expose();
        let mut findings = Findings::default();
        for _ in 0..3 {
            for key in [&text, &other] {
                let token = Token::parse(key).unwrap();
                let hit = Hit {
                    line: 1,
                    column: 1,
                    char_column: 1,
                    token,
                    encoding: Encoding::Plain,
                };
                findings.add(Some("f".into()), None, vec![hit]);
            }
        }
        assert_eq!(findings.places.len(), 6);
        assert_eq!(findings.keys.len(), 2);
        assert_eq!(findings.places[4].key, 0);
        assert_eq!(findings.places[5].key, 1);
    }

    #[test]
    fn past_the_limits_places_and_keys_are_only_counted() {
        let hit = |token: Token| Hit {
            line: 1,
            column: 1,
            char_column: 1,
            token,
            encoding: Encoding::Plain,
        };
        let mut findings = Findings::default();
        let keys: Vec<String> = (0..KEYS_KEPT + 5)
            .map(|_| Token::generate().unwrap().expose().to_string())
            .collect();
        for key in &keys {
            findings.add(None, None, vec![hit(Token::parse(key).unwrap())]);
        }
        assert_eq!(findings.keys.len(), KEYS_KEPT);
        assert_eq!(findings.places.len(), KEYS_KEPT);
        assert_eq!(findings.more_places, 5);
        // A key already kept is still recognised, while places last.
        let mut findings = Findings::default();
        findings.add(None, None, vec![hit(Token::parse(&keys[0]).unwrap())]);
        for _ in 0..PLACES_KEPT + 2 {
            findings.add(None, None, vec![hit(Token::parse(&keys[0]).unwrap())]);
        }
        assert_eq!(findings.keys.len(), 1);
        assert_eq!(findings.places.len(), PLACES_KEPT);
        assert_eq!(findings.more_places, 3);
    }
}
