//! One module per subcommand: gather input, call the domain and the store,
//! print.

pub mod audit;
pub mod backup;
pub mod check;
pub mod complete_keys;
pub mod completions;
pub mod create;
pub mod delete;
pub mod init;
pub mod list;
pub mod migrate;
pub mod renew;
pub mod rotate;
pub mod scan;
pub mod serve;
pub mod show;
pub mod status;
pub mod users;
pub mod verify;

use std::fs::File;
use std::io::{IsTerminal, Write};
use std::path::Path;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use chrono::{DateTime, Utc};

use crate::App;
use crate::audit::Actor;
use crate::hash;
use crate::key::{ApiKey, Roles, Status};
use crate::operator::{self, Action, Operator, Refusal};
use crate::output;
use crate::process::read_secret_line;
use crate::store::{self, Open, Store};
use crate::token::{self, Malformed, Token};

/// The most bytes read from stdin when a key is expected; a key is 66.
const MAX_KEY_INPUT: usize = 4096;

/// How long a writer waits for another's lock before giving up, unless
/// `INTERGIRO_KEYS_BUSY_TIMEOUT` (seconds) says otherwise.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// The busy timeout in force: `INTERGIRO_KEYS_BUSY_TIMEOUT` seconds (0 to
/// 3600), or 10.
pub fn busy_timeout() -> Result<Duration> {
    match std::env::var("INTERGIRO_KEYS_BUSY_TIMEOUT") {
        Err(_) => Ok(BUSY_TIMEOUT),
        Ok(text) => match text.trim().parse::<u64>() {
            Ok(seconds) if seconds <= 3600 => Ok(Duration::from_secs(seconds)),
            _ => bail!(
                "INTERGIRO_KEYS_BUSY_TIMEOUT={text:?} is not a number of seconds from 0 to 3600; unset it for the default of {}",
                BUSY_TIMEOUT.as_secs()
            ),
        },
    }
}

/// Opens the store without checking who is acting: for `verify` and
/// `check`, which anyone who can read the store may run.
pub fn open(app: &App, open: Open) -> Result<Box<dyn Store>> {
    let file = (!store::is_url(&app.db)).then_some(app.db.as_path());
    let new_file = open == Open::CreateIfMissing
        && file.is_some_and(|path| std::fs::symlink_metadata(path).is_err());
    if new_file && !app.db_is_default {
        let dir = app
            .db
            .parent()
            .filter(|dir| !dir.as_os_str().is_empty())
            .unwrap_or(std::path::Path::new("."));
        if std::fs::metadata(dir).is_err() {
            bail!(
                "the directory {dir} of the database {db} does not exist; create it first (`mkdir -p -m 700 {dir}`) or fix the path given with --db or INTERGIRO_KEYS_DB; nothing was created",
                dir = dir.display(),
                db = app.db.display()
            );
        }
    }
    let store = store::open(&app.db, open, busy_timeout()?)?;
    if new_file && file.is_some_and(|path| path.exists()) {
        crate::output::note(format!(
            "intergiro-keys: created a new store at {}",
            crate::output::sanitize(&app.db.display().to_string())
        ));
    }
    Ok(store)
}

/// Opens the store for `action`, whose acting operator must hold the
/// permission it needs. A refusal is recorded in the audit log and changes
/// nothing else.
pub fn open_authorized(app: &App, action: Action) -> Result<Box<dyn Store>> {
    open_authorized_about(app, action, &[])
}

/// `open_authorized` for a command that first lists the keys it acts on
/// (`delete --created-by`): the `view` permission is needed too, as on
/// PostgreSQL the server asks it of any listing.
pub fn open_authorized_to_select(app: &App, action: Action) -> Result<Box<dyn Store>> {
    open_checked(app, action, None, |operator| {
        std::iter::once(crate::operator::Permission::View)
            .chain(action.permissions())
            .try_for_each(|permission| operator.authorize(permission))
    })
}

/// The latest creation time `--older-than` lets through.
pub fn created_before(
    origin: &crate::cli::OriginFilter,
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    origin
        .older_than
        .map(|days| now - chrono::Duration::days(i64::from(days)))
}

/// `open_authorized` for a command given `keys` (IDs or names): a refusal
/// about a single key ID is recorded against that key, so its history
/// (`show`) tells it.
pub fn open_authorized_about(app: &App, action: Action, keys: &[String]) -> Result<Box<dyn Store>> {
    let about = match keys {
        [id] if token::is_id(id) => Some(id.as_str()),
        _ => None,
    };
    open_checked(app, action, about, |operator| {
        action
            .permissions()
            .into_iter()
            .try_for_each(|permission| operator.authorize(permission))
    })
}

/// Opens the store to create a key with `roles`: the create permission and
/// the operator's key-role limit both apply. Creates the store if need be.
pub fn open_to_create(app: &App, roles: &Roles) -> Result<Box<dyn Store>> {
    open_checked(app, Action::Create, None, |operator| {
        operator.authorize_create(roles)
    })
}

/// Checks that the acting operator may give a new key `roles` when
/// replacing the key `old_id` (`rotate`); a refusal is recorded against it.
pub fn authorize_roles(
    app: &App,
    store: &mut dyn Store,
    action: Action,
    old_id: &str,
    roles: &Roles,
) -> Result<()> {
    let acting = acting_operator(app, store);
    let verdict = match store.operator(&acting)? {
        Some(operator) => operator.authorize_create(roles),
        None => Err(Refusal::NotAnOperator),
    };
    if let Err(refusal) = verdict {
        let _ = store.record_refusal(action, Some(old_id), &refusal.audit_detail(), app.actor());
        bail!(refusal.explain(&acting, action));
    }
    Ok(())
}

/// The operator a change is checked against: a store that authenticates its
/// callers (PostgreSQL) knows them by their login role, not by the
/// operating-system account.
pub(crate) fn acting_operator(app: &App, store: &dyn Store) -> String {
    match store.session_operator() {
        Some(name) => name.to_string(),
        None => app.operator().to_string(),
    }
}

fn open_checked(
    app: &App,
    action: Action,
    about: Option<&str>,
    allowed: impl FnOnce(&Operator) -> Result<(), Refusal>,
) -> Result<Box<dyn Store>> {
    let how = match action {
        Action::Create => Open::CreateIfMissing,
        _ => Open::MustExist,
    };
    let mut store = open(app, how)?;
    ensure_administrator(app, store.as_mut())?;
    let acting = acting_operator(app, store.as_ref());
    let operator = match store.operator(&acting) {
        // Looking cannot do harm, and an administrator must be able to look
        // at a store whose rows were tampered with; changing it is refused.
        Err(tampered @ store::Error::Tampered { .. })
            if action.permission() == operator::Permission::View =>
        {
            crate::output::note(format!(
                "intergiro-keys: warning: {}",
                crate::explain::sentence(&tampered)
            ));
            store::operators(store.as_ref())?
                .into_iter()
                .find(|operator| operator.name == acting)
        }
        found => found?,
    };
    let verdict = match operator {
        Some(operator) => allowed(&operator),
        None => Err(Refusal::NotAnOperator),
    };
    if let Err(refusal) = verdict {
        // Best effort: a read-only store cannot record it.
        let _ = store.record_refusal(action, about, &refusal.audit_detail(), app.actor());
        bail!(refusal.explain(&acting, action));
    }
    Ok(store)
}

/// Gives a store without operators (new, or made by a version without them)
/// its first administrator, as the domain decides.
pub(crate) fn ensure_administrator(app: &App, store: &mut dyn Store) -> Result<()> {
    if store.is_read_only() || store.has_operators()? {
        return Ok(());
    }
    let admin = operator::first_administrator(app.operator(), app.uid, store.owner_uid()?);
    store.add_first_administrator(&admin, app.actor())?;
    Ok(())
}

/// Warns, one line each, of the rows the listings skipped as unreadable
/// (`Store::take_skipped`), and returns their IDs, each once.
pub fn warn_skipped(store: &dyn Store) -> Vec<String> {
    let skipped = skipped_rows(store);
    for id in &skipped {
        let id = crate::output::sanitize(id);
        crate::output::note(format!(
            "intergiro-keys: warning: skipped the key row {id}: it cannot be read as a key (changed outside intergiro-keys, or damaged); delete it with `intergiro-keys delete {id}`, or restore a backup (`intergiro-keys audit --verify` checks every row)"
        ));
    }
    skipped
}

/// The IDs of the rows the listings skipped as unreadable, each once.
pub fn skipped_rows(store: &dyn Store) -> Vec<String> {
    let mut skipped = store.take_skipped();
    skipped.sort();
    skipped.dedup();
    skipped
}

/// The key whose ID and secret match the token, after exactly one argon2
/// verification whether or not the ID exists, so that the time taken tells
/// nothing about which IDs exist.
pub fn authenticate(store: &dyn Store, token: &Token) -> Result<Option<ApiKey>> {
    let found = match store.find_key(token.id()) {
        Err(tampered @ crate::store::Error::Tampered { .. }) => {
            // Rejected like an unknown key, at the same cost, and said why
            // on stderr for whoever must investigate.
            hash::verify_dummy(token.secret())?;
            crate::output::note(format!(
                "intergiro-keys: {}",
                crate::explain::sentence(&tampered)
            ));
            return Ok(None);
        }
        found => found?,
    };
    check_secret(token, found)
}

/// The key of `found`, the row the token's ID names (None: no such row),
/// when the token's secret matches its hash; one argon2 verification either
/// way.
pub fn check_secret(token: &Token, found: Option<store::StoredKey>) -> Result<Option<ApiKey>> {
    match found {
        Some(stored) => {
            if let Some(problem) = hash::foreign_parameters(&stored.secret_hash) {
                // Never evaluated with costs whoever wrote the row chose;
                // rejected at the cost of any rejection.
                hash::verify_dummy(token.secret())?;
                crate::output::note(format!(
                    "intergiro-keys: {}",
                    crate::explain::sentence(&store::Error::Tampered {
                        subject: crate::audit::key_subject(&stored.key.id),
                        problem,
                    })
                ));
                return Ok(None);
            }
            let matches = hash::verify_secret(token.secret(), &stored.secret_hash)?;
            Ok(matches.then_some(stored.key))
        }
        None => {
            hash::verify_dummy(token.secret())?;
            Ok(None)
        }
    }
}

/// Records that a rule refused a change asked of `action`, about the key
/// `key_id` when it concerned one. Best effort: a read-only store cannot
/// record it, and the refusal stands either way.
pub fn record_refused(
    store: &mut dyn Store,
    action: Action,
    key_id: Option<&str>,
    err: &anyhow::Error,
    actor: Actor,
) {
    let _ = store.record_refusal(action, key_id, &format!("{err:#}"), actor);
}

/// What a key is looked up for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LookUp {
    /// A change: a live key, and by name only a row whose seal holds (a
    /// row renamed by other means would have the change act on another
    /// key than the one meant).
    Change,
    /// Showing it: also a key retired after a rotation, by its ID, and by
    /// name a row as stored, which the caller checks and marks.
    Show,
}

/// The key that `text` names for `action`: its ID, or else a name that
/// exactly one live key has (not counting keys retiring after a rotation,
/// when another has the name). An unknown or ambiguous name is an error
/// listing the candidates; a tampered row is `Error::Tampered`, by ID, and
/// by name for a change.
pub fn resolve_key(
    store: &dyn Store,
    text: &str,
    now: DateTime<Utc>,
    look_up: LookUp,
    action: Action,
) -> Result<ApiKey> {
    let with_retired = look_up == LookUp::Show;
    check_not_a_key(text)?;
    let mut retired = None;
    if token::is_id(text)
        && let Some(stored) = store.find_key(text)?
    {
        if with_retired || stored.key.is_live(now) {
            return Ok(stored.key);
        }
        retired = Some(stored.key);
    }
    let named = store.keys_named(text, false, now, action)?;
    if look_up == LookUp::Change {
        // The name is the row's, as sealed, or nothing is done by it.
        for key in &named {
            store.find_key(&key.id)?;
        }
    }
    let shown = crate::output::sanitize(text);
    // During a rotation's grace the old and the new key share the name; the
    // name means the new one.
    let current: Vec<&ApiKey> = named
        .iter()
        .filter(|key| key.status(now) != Status::Retiring)
        .collect();
    if let ([_, _, ..], [key]) = (named.as_slice(), current.as_slice()) {
        return Ok((*key).clone());
    }
    match named.as_slice() {
        [key] => Ok(key.clone()),
        [] => {
            if let Some(key) = retired {
                return Err(retired_key(&key, now));
            }
            let unknown = if token::is_id(text) {
                match deleted_at(store, text).filter(|_| look_up == LookUp::Show) {
                    Some(at) => bail!(
                        "key {text} was deleted at {}; its history: `intergiro-keys audit --key {text}`",
                        crate::output::human_time(at)
                    ),
                    None => format!("no key with ID {text} or that name"),
                }
            } else {
                format!(
                    "no key is named \"{shown}\", and it is not a key ID ({} letters and digits)",
                    token::ID_LEN
                )
            };
            let similar = store.keys_named(text, true, now, action)?;
            if similar.is_empty() {
                bail!("{unknown}; nothing was changed (see the keys with `intergiro-keys list`)");
            }
            bail!(
                "{unknown}; nothing was changed — did you mean {}?",
                describe_candidates(&similar)
            )
        }
        several => bail!(
            "{} keys are named \"{shown}\": {}; give the ID of the one you mean",
            several.len(),
            describe_namesakes(several, now)
        ),
    }
}

/// When the key with ID `id` was deleted, as the audit log says; None when
/// it says nothing of it or cannot be read (the caller then says less).
fn deleted_at(store: &dyn Store, id: &str) -> Option<DateTime<Utc>> {
    let filter = store::AuditFilter {
        key_id: Some(id.to_string()),
        ..store::AuditFilter::default()
    };
    let mut deleted = None;
    store
        .each_audit_entry(&filter, &mut |entry| {
            // `scan --revoke` audits its deletions as `delete` too.
            if entry.record.outcome == "ok" && entry.record.action == Action::Delete.as_str() {
                deleted = Some(entry.record.at);
            }
            Ok(())
        })
        .ok()?;
    deleted
}

/// The error for a change asked of `key`, retired after a rotation.
pub fn retired_key(key: &ApiKey, now: DateTime<Utc>) -> anyhow::Error {
    anyhow::anyhow!(
        "key {} retired at {}, replaced by {}; nothing was changed (its history: `intergiro-keys show {}`)",
        key.id,
        crate::output::human_time(key.retires_at.unwrap_or(now)),
        key.replaced_by
            .as_deref()
            .map_or("another key".into(), crate::output::sanitize),
        key.id
    )
}

/// Every argument resolved to a key ID (`resolve_key`) for `action`, in
/// order. The ID of a tampered key is kept as given: the change itself
/// decides, in its transaction (`delete` removes such a key, the remedy;
/// `renew` refuses).
pub fn resolve_ids(
    store: &dyn Store,
    texts: &[String],
    now: DateTime<Utc>,
    action: Action,
) -> Result<Vec<String>> {
    texts
        .iter()
        .map(
            |text| match resolve_key(store, text, now, LookUp::Change, action) {
                Ok(key) => Ok(key.id),
                Err(err) if is_tampered_key(&err, text) => Ok(text.clone()),
                Err(err) => Err(err),
            },
        )
        .collect()
}

/// Whether `err` says that the row of the key with ID `id` was tampered
/// with (not some row found by a name).
fn is_tampered_key(err: &anyhow::Error, id: &str) -> bool {
    err.downcast_ref::<crate::explain::Explained>()
        .is_some_and(|explained| {
            matches!(&explained.error, store::Error::Tampered { subject, .. }
                if *subject == crate::audit::key_subject(id))
        })
}

pub fn is_tampered(err: &anyhow::Error) -> bool {
    err.downcast_ref::<crate::explain::Explained>()
        .is_some_and(|explained| matches!(explained.error, store::Error::Tampered { .. }))
}

/// The most keys sharing a name that an error lists one by one.
const MOST_NAMESAKES: usize = 5;

/// Keys sharing one name, told apart: `3hT9kQ2mXa7B (payments, created
/// 2026-01-01, freezes 2026-04-01)` for each of the first few, joined, then
/// "and N more". The name is said once, by the caller.
fn describe_namesakes(keys: &[ApiKey], now: DateTime<Utc>) -> String {
    let date = |time: DateTime<Utc>| time.format("%Y-%m-%d");
    let mut described: Vec<String> = keys
        .iter()
        .take(MOST_NAMESAKES)
        .map(|key| {
            let state = match key.status(now) {
                Status::Unissued => "unissued".to_string(),
                Status::Frozen => format!("frozen since {}", date(key.freezes_at)),
                Status::Retiring | Status::Retired => format!(
                    "retiring until {}",
                    output::human_time(key.retires_at.unwrap_or(now))
                ),
                Status::Active | Status::Expiring => format!("freezes {}", date(key.freezes_at)),
            };
            format!(
                "{} ({}, created {}, {state})",
                key.id,
                key.roles,
                date(key.created_at)
            )
        })
        .collect();
    if keys.len() > MOST_NAMESAKES {
        described.push(format!("and {} more", keys.len() - MOST_NAMESAKES));
    }
    described.join(", ")
}

/// `"ci-deploy" (3hT9kQ2mXa7B, created 2026-01-01)` for each key, joined.
fn describe_candidates(keys: &[ApiKey]) -> String {
    let described: Vec<String> = keys
        .iter()
        .map(|key| {
            format!(
                "\"{}\" ({}, created {})",
                crate::output::sanitize(&key.name),
                key.id,
                key.created_at.format("%Y-%m-%d")
            )
        })
        .collect();
    described.join(", ")
}

/// Refuses a whole key given where an ID or name belongs: it would sit in
/// the process list and shell history.
fn check_not_a_key(text: &str) -> Result<()> {
    if crate::token::redact(text) != text {
        bail!(
            "\"{}\" looks like a whole key, not an ID; never put a key on the command line — pipe it on stdin instead",
            crate::token::redact(text)
        );
    }
    Ok(())
}

/// Reads a presented key from `key_file`, or stdin (on a terminal: asks for
/// it without echo), and parses it. Reads one line, never more than a few
/// KiB, and does not wait for the end of the input. No key at all is an
/// error (exit 2), not a rejected key: an unset variable in a CI script is
/// not a wrong key.
pub fn read_key(app: &App, key_file: Option<&Path>) -> Result<Result<Token, Malformed>> {
    let (bytes, source) = match key_file {
        Some(path) => {
            let read = File::open(path).and_then(|file| read_secret_line(&file, MAX_KEY_INPUT));
            let bytes =
                read.with_context(|| format!("cannot read the key file {}", path.display()))?;
            (bytes, "the key file")
        }
        None if std::io::stdin().is_terminal() => {
            if !app.interactive {
                bail!(
                    "the key is read from stdin: pipe it in, e.g. `intergiro-keys verify < key.txt`"
                );
            }
            (crate::prompt::key_text(MAX_KEY_INPUT)?, "the prompt")
        }
        None => {
            let bytes = read_secret_line(std::io::stdin(), MAX_KEY_INPUT)
                .context("cannot read the key from stdin")?;
            (bytes, "stdin")
        }
    };
    let Some(bytes) = bytes else {
        return Ok(Err(Malformed::Length));
    };
    if bytes.iter().all(u8::is_ascii_whitespace) {
        bail!(
            "no key given: {source} was empty; pass the key on stdin (is the variable that should hold it set?)"
        );
    }
    match std::str::from_utf8(&bytes) {
        Ok(text) => Ok(Token::parse(text)),
        Err(_) => Ok(Err(Malformed::Characters)),
    }
}

/// Prints `text`, through the pager when it is taller than the terminal's
/// The notice about keys near their freeze, for a person at a terminal:
/// its facts from the store in one query (a failure only loses the notice),
/// its words from `notice`.
pub fn notice_expiring_keys(app: &App, store: &dyn Store) {
    if !crate::notice::wanted(app) {
        return;
    }
    let expiring_by = app.now + chrono::Duration::days(i64::from(crate::key::EXPIRING_WITHIN_DAYS));
    if let Ok(counts) = store.count_flagged(app.now, expiring_by) {
        crate::notice::expiring_keys(counts.frozen, counts.expiring);
    }
}

/// screen (as `print_table` pages a long table).
pub fn print_paged(app: &App, text: &[u8]) -> Result<()> {
    let lines = text.iter().filter(|&&byte| byte == b'\n').count();
    let taller = app.pager && lines >= output::screen_height().unwrap_or(24);
    let mut out = match taller {
        true => crate::pager::Output::pager(),
        false => crate::pager::Output::stdout(),
    };
    out.write_all(text)?;
    out.finish()?;
    Ok(())
}

/// Rows for `print_table`: calls its argument once per row, in order, with
/// the row's cells.
pub type Rows<'a> = &'a dyn Fn(&mut dyn FnMut(&[String]) -> Result<()>) -> Result<()>;

/// Prints a table whose rows `rows` streams from the store, and returns how
/// many there were. A first pass measures the columns without keeping any
/// row; the table is then written row by row, fitted to the terminal's
/// width (in the order `columns` gives), through the pager on a terminal
/// when it is longer than the screen.
pub fn print_table(app: &App, mut columns: output::Columns, rows: Rows) -> Result<u64> {
    rows(&mut |cells| {
        columns.measure(cells);
        Ok(())
    })?;
    let count = columns.rows();
    if count == 0 {
        return Ok(0);
    }
    if app.stdout_is_terminal
        && let Some(width) = output::screen_width()
    {
        columns.fit(width);
    }
    // A terminal that does not tell its size is taken to be the classic 24
    // lines.
    let screen = app
        .stdout_is_terminal
        .then(|| output::screen_height().unwrap_or(24));
    if let Some(height) = screen.filter(|&height| count < height as u64) {
        let mut out = output::stdout();
        columns.write_header(&mut out, app.color)?;
        let mut written = 0;
        rows(&mut |cells| {
            // At most a screenful, whatever was added since the first pass.
            if written + 1 < height {
                columns.write_row(&mut out, cells, None)?;
                written += 1;
            }
            Ok(())
        })?;
        out.flush()?;
        return Ok(count);
    }
    let mut out = match app.pager {
        true => crate::pager::Output::pager(),
        false => crate::pager::Output::stdout(),
    };
    columns.write_header(&mut out, app.color)?;
    rows(&mut |cells| columns.write_row(&mut out, cells, None))?;
    out.finish()?;
    Ok(count)
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone};

    use super::*;
    use crate::key::Role;

    #[test]
    fn namesakes_are_told_apart_by_roles_dates_and_state() {
        let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 12, 0, 0).unwrap();
        let key = |id: &str, roles: &[Role], created: DateTime<Utc>| {
            let mut key = ApiKey::new(
                id.into(),
                "same".into(),
                Roles::new(roles.iter().copied()),
                created,
            );
            key.issued = true;
            key
        };
        let now = t0 + Duration::days(95);
        let frozen = key("AAAAAAAAAAAA", &[Role::Accounts], t0);
        let mut unissued = key("BBBBBBBBBBBB", &[Role::Payments], now);
        unissued.issued = false;
        let mut retiring = key("CCCCCCCCCCCC", &[Role::Payments], t0 + Duration::days(10));
        retiring.retires_at = Some(now + Duration::hours(20));
        retiring.replaced_by = Some("DDDDDDDDDDDD".into());
        let active = key("DDDDDDDDDDDD", &[Role::Payments, Role::Accounts], now);
        assert_eq!(
            describe_namesakes(&[frozen, unissued, retiring, active.clone()], now),
            "AAAAAAAAAAAA (accounts, created 2026-01-01, frozen since 2026-04-01), \
             BBBBBBBBBBBB (payments, created 2026-04-06, unissued), \
             CCCCCCCCCCCC (payments, created 2026-01-11, retiring until 2026-04-07 08:00 UTC), \
             DDDDDDDDDDDD (accounts,payments, created 2026-04-06, freezes 2026-07-05)"
        );
        let many = vec![active; 8];
        let described = describe_namesakes(&many, now);
        assert_eq!(described.matches("DDDDDDDDDDDD (").count(), 5);
        assert!(described.ends_with(", and 3 more"), "{described}");
    }
}
