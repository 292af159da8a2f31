//! The store: keys, operators and the audit log, behind one interface.
//!
//! Commands hold a `Box<dyn Store>` and never know which backend is behind
//! it. A trait object rather than an enum over backends, because the backend
//! is chosen at run time from the location given (a file path now, a
//! `postgresql://` URL later) and each backend is a whole module of its own:
//! adding one is a new `impl Store` and a line in `open`, with no `match` to
//! extend in every method, and the same unit tests (`tests/`) run against
//! every implementation through this trait alone. The cost, a virtual call
//! per store operation, is nothing beside a database round trip.
//!
//! The store is a data layer. It returns typed facts (`Renewal`, the deleted
//! keys, the operator as changed) and a small typed [`Error`]; the sentences
//! users read are written outside it (`crate::explain`). Policy lives in the
//! domain: the store is told the new freeze time, who becomes the first
//! administrator and what an operator change does, and it reports what it
//! found. Its one rule of its own is atomicity: every change and its audit
//! entry are written in one transaction, all or nothing.
//!
//! Listing goes through visitors (`each_key`, `each_operator`,
//! `each_audit_entry`) so that rows stream from the store to the output and
//! a large estate is never held in memory.

mod error;
mod filter;
pub mod format;
mod glob;
pub mod postgres;
pub mod sqlite;

#[cfg(test)]
mod tests;

use std::path::Path;
use std::time::Duration;

use chrono::{DateTime, Utc};

pub use crate::audit::Actor;
pub use crate::audit::Verdict as AuditVerdict;
use crate::audit::{self, Entry};
use crate::key::{ApiKey, Role, Status};
use crate::operator::{Action, Change, Operator};
pub use error::{Error, Exposure, NotOurs, NotRotatable, Result, Untrusted};

/// Whether opening may create a new store.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Open {
    /// Only `create` makes a database; everything else needs one.
    MustExist,
    CreateIfMissing,
    /// For `upgrade`: an existing store of an older format is opened too.
    ToUpgrade,
}

/// A key with its stored hash, as checking a presented secret needs it.
pub struct StoredKey {
    pub key: ApiKey,
    pub secret_hash: String,
}

/// One key renewed: as it now is, and when it was to freeze before.
#[derive(Debug)]
pub struct Renewal {
    pub key: ApiKey,
    pub previous_freezes_at: DateTime<Utc>,
}

/// Which keys to list, and in what order. Every condition is evaluated in the
/// store, so only the keys wanted ever leave it.
#[derive(Clone, Debug, Default)]
pub struct KeyFilter {
    /// The moment statuses are judged at: needed by `statuses`, and by
    /// `freezing_by` to count a freeze date further ahead than any renewal
    /// gives as frozen (`key::status`).
    pub now: Option<DateTime<Utc>>,
    /// Only keys that are frozen or freeze by this time, and not replaced by
    /// `rotate` (meant to stop, such a key needs no renewal).
    pub freezing_by: Option<DateTime<Utc>>,
    /// Only keys whose secret was written out (usable ones).
    pub issued_only: bool,
    /// Only keys holding every one of these roles.
    pub roles: Vec<Role>,
    /// Only keys in one of these states at `now` (none when `now` is not
    /// given).
    pub statuses: Option<Vec<Status>>,
    /// Only keys whose name matches this glob (`*`, `?`, `[a-z]`; case
    /// matters).
    pub name_glob: Option<String>,
    /// Only keys not retired at this time: no `retires_at`, or a later one.
    /// Listings set it to now, so a rotated key leaves them when its grace
    /// ends, with nothing written.
    pub live_at: Option<DateTime<Utc>>,
    /// Only keys with exactly this name.
    pub name: Option<String>,
    /// Only keys whose last use was at or before this time, or that were
    /// never used and were created at or before it.
    pub unused_since: Option<DateTime<Utc>>,
    /// Only keys created at or before this time.
    pub created_by_then: Option<DateTime<Utc>>,
    /// Only keys this operator created: the operator of the first `create`
    /// or `rotate` entry about the key that succeeded (a rotation's entry
    /// about the old key comes after that key's own).
    pub created_by: Option<String>,
    pub sort: KeySort,
    /// At most this many keys.
    pub limit: Option<u64>,
}

/// The order keys are listed in; ties are broken by ID.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum KeySort {
    /// Soonest-freezing first (frozen keys before all others).
    #[default]
    Freezes,
    Id,
    Name,
    /// Oldest first.
    Created,
    /// Never-used keys first, then the longest unused first.
    LastUsed,
}

/// The number and text widths of the keys a filter selects, in characters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyExtent {
    pub keys: u64,
    pub longest_id: u64,
    pub longest_name: u64,
    /// The longest roles as tables show them (`accounts, payments`).
    pub longest_roles: u64,
    pub soonest_freeze: Option<DateTime<Utc>>,
    pub latest_freeze: Option<DateTime<Utc>>,
    /// Whether every ID and name is printable ASCII, so that its length in
    /// characters is its width on a terminal.
    pub plain: bool,
}

/// No keys: nothing wide, and plain until a key is not.
impl Default for KeyExtent {
    fn default() -> Self {
        KeyExtent {
            keys: 0,
            longest_id: 0,
            longest_name: 0,
            longest_roles: 0,
            soonest_freeze: None,
            latest_freeze: None,
            plain: true,
        }
    }
}

impl KeyExtent {
    pub fn add(&mut self, key: &ApiKey) {
        let roles = key.roles.to_string().replace(',', ", ");
        self.keys += 1;
        self.longest_id = self.longest_id.max(key.id.chars().count() as u64);
        self.longest_name = self.longest_name.max(key.name.chars().count() as u64);
        self.longest_roles = self.longest_roles.max(roles.chars().count() as u64);
        self.soonest_freeze = Some(
            self.soonest_freeze
                .map_or(key.freezes_at, |at| at.min(key.freezes_at)),
        );
        self.latest_freeze = Some(
            self.latest_freeze
                .map_or(key.freezes_at, |at| at.max(key.freezes_at)),
        );
        self.plain = self.plain
            && printable_ascii(key.id.as_bytes())
            && printable_ascii(key.name.as_bytes());
    }
}

/// Whether text is all printable ASCII (space to `~`).
pub(crate) fn printable_ascii(text: &[u8]) -> bool {
    text.iter().all(|byte| (b' '..=b'~').contains(byte))
}

/// How many issued keys need attention, counted in the store.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FlaggedCounts {
    /// Issued keys, in all.
    pub issued: u64,
    /// Issued keys past their freeze.
    pub frozen: u64,
    /// Issued keys not frozen but freezing by the given time.
    pub expiring: u64,
    /// Issued keys rotated and not yet retired; they are counted here only,
    /// not as frozen or expiring.
    pub retiring: u64,
}

/// Which audit entries to read, oldest first.
#[derive(Clone, Debug, Default)]
pub struct AuditFilter {
    pub key_id: Option<String>,
    pub operator: Option<String>,
    pub since: Option<DateTime<Utc>>,
    /// Only entries with a higher sequence number: where a reader that
    /// saw up to this one resumes, with nothing skipped or repeated.
    pub after: Option<i64>,
}

/// What a visitor does with each row; its error stops the listing and is
/// returned as `Error::Other`.
pub type Visit<'a, T> = &'a mut dyn FnMut(T) -> anyhow::Result<()>;

/// The interface every backend implements. Changing methods take the
/// `Actor` and record their audit entry in the same transaction.
/// How many keys whose names resemble one given are found at most
/// (`Store::keys_named`).
pub const SIMILAR_NAMES: usize = 5;

pub trait Store {
    /// Whether this store refuses changes (a read-only file or account).
    fn is_read_only(&self) -> bool;

    /// The store's format, as it says (a store of a newer minor format
    /// than this build's is read as it is).
    fn format(&self) -> Result<format::Format>;

    /// The operating-system account that owns the store, when there is one
    /// (a database file's owner).
    fn owner_uid(&self) -> Result<Option<u32>>;

    /// The operator the store itself knows the caller as, when it
    /// authenticates them (a PostgreSQL login role); None where the acting
    /// operator is the operating-system account.
    fn session_operator(&self) -> Option<&str> {
        None
    }

    /// Whether a change of this run was confirmed made on a new connection
    /// after the one it was sent on was lost as it committed (PostgreSQL),
    /// so that a command can say so.
    fn confirmed_after_loss(&self) -> bool {
        false
    }

    // Keys.

    /// Stores a new key, not yet usable. False when its ID is taken.
    fn insert_unissued(&mut self, key: &ApiKey, secret_hash: &str, actor: Actor) -> Result<bool>;

    /// Makes a key usable once its secret has been written out.
    fn mark_issued(&mut self, id: &str) -> Result<()>;

    /// Removes a key whose secret could not be written out; an issued key is
    /// left alone. A key it was to replace (`begin_rotation`) is released:
    /// it stays as it was, and may be rotated again.
    fn discard_unissued(&mut self, id: &str, actor: Actor) -> Result<()>;

    /// Starts replacing the key `old_id`: in one transaction, checks that it
    /// is issued, not retired at `actor.now` (else `Error::UnknownKeys`), not
    /// retiring and not already claimed by another rotation (else
    /// `Error::NotRotatable`) and agrees with the audit log (else
    /// `Error::Tampered`), claims it for `new` (its `replaced_by`) and
    /// stores `new` unissued, audited as `rotate`. Of concurrent rotations
    /// of one key exactly one gets past this. False, with nothing changed,
    /// when `new`'s ID is taken.
    fn begin_rotation(
        &mut self,
        old_id: &str,
        new: &ApiKey,
        secret_hash: &str,
        actor: Actor,
    ) -> Result<bool>;

    /// Finishes a rotation once the new key's secret was written out: in
    /// one transaction, makes `new_id` usable and sets the old key's
    /// `retires_at` (audited as `rotate` on the old key), unless the old key
    /// was deleted meanwhile. `discard_unissued(new_id)` abandons a rotation
    /// instead.
    fn finish_rotation(
        &mut self,
        old_id: &str,
        new_id: &str,
        retires_at: DateTime<Utc>,
        actor: Actor,
    ) -> Result<()>;

    /// Records that the issued key `id` was used at `at`, unless a use later
    /// than `stale_after` is already recorded (so that most uses write
    /// nothing). Not audited: last use is not security-relevant. Waits for
    /// another's lock a fraction of a second at most, then gives up with
    /// `Error::Busy`; writes nothing on a read-only store. True when it
    /// wrote.
    fn record_use(
        &mut self,
        id: &str,
        at: DateTime<Utc>,
        stale_after: DateTime<Utc>,
    ) -> Result<bool>;

    /// One key by its ID; `Error::Tampered` when its row disagrees with
    /// the audit entry that last wrote it.
    fn find_key(&self, id: &str) -> Result<Option<StoredKey>>;

    /// One key by its ID as stored, without checking its row against the
    /// audit log: only for showing a key `find_key` reports as tampered,
    /// marked so, never for deciding anything. A store whose server refuses
    /// edits made by other means has nothing more to show.
    fn find_key_as_stored(&self, id: &str) -> Result<Option<StoredKey>> {
        self.find_key(id)
    }

    /// Every key matching `filter`, in order, one at a time. A row that
    /// cannot be read as a key (a date out of range, a role that does not
    /// exist: written by other means) is skipped, its ID kept for
    /// `take_skipped`, so that one bad row never takes a listing down.
    fn each_key(&self, filter: &KeyFilter, visit: Visit<ApiKey>) -> Result<()>;

    /// The IDs of the rows `each_key` skipped since the last call.
    fn take_skipped(&self) -> Vec<String> {
        Vec::new()
    }

    /// The keys not retired at `live_at` named exactly `name`, or, when
    /// `similar`, the first five whose names resemble it
    /// (`key::resembles`), soonest-freezing first: how a command given a
    /// name instead of an ID finds the key. The caller must hold the
    /// permissions of `action`, the command given the name, which a backend
    /// that enforces permissions itself checks instead of `view`. This
    /// default reads through `each_key`.
    fn keys_named(
        &self,
        name: &str,
        similar: bool,
        live_at: DateTime<Utc>,
        _action: Action,
    ) -> Result<Vec<ApiKey>> {
        const MOST: usize = SIMILAR_NAMES;
        let mut found = Vec::new();
        let filter = KeyFilter {
            name: (!similar).then(|| name.to_string()),
            live_at: Some(live_at),
            ..KeyFilter::default()
        };
        self.each_key(&filter, &mut |key| {
            if !similar || (found.len() < MOST && crate::key::resembles(&key.name, name)) {
                found.push(key);
            }
            Ok(())
        })?;
        Ok(found)
    }

    /// How many keys `filter` selects and how wide their text is, so that a
    /// long table can be laid out before its rows are read. This default
    /// reads every key; a backend may read less (SQLite: the text of four
    /// columns as stored, no key built).
    fn key_extent(&self, filter: &KeyFilter) -> Result<KeyExtent> {
        let mut extent = KeyExtent::default();
        self.each_key(filter, &mut |key| {
            extent.add(&key);
            Ok(())
        })?;
        Ok(extent)
    }

    /// How many issued keys (not retired at `now`) are frozen at `now`, how
    /// many freeze by `expiring_by` and how many are retiring.
    fn count_flagged(
        &self,
        now: DateTime<Utc>,
        expiring_by: DateTime<Utc>,
    ) -> Result<FlaggedCounts>;

    /// Renews every key of `ids` (duplicates once) to freeze at
    /// `freezes_at`, or none when any is unknown or retired at `actor.now`
    /// (`Error::UnknownKeys`) or retiring after a rotation
    /// (`Error::Retiring`). A retiring key's refusal is recorded in the audit
    /// log: in the renewal's transaction where the store can (SQLite), just
    /// after where its server function raises instead (PostgreSQL).
    fn renew(
        &mut self,
        ids: &[String],
        freezes_at: DateTime<Utc>,
        actor: Actor,
    ) -> Result<Vec<Renewal>>;

    /// Deletes every key of `ids` (duplicates once), or none when any is
    /// unknown or retired at `actor.now` (`Error::UnknownKeys`); returns the
    /// keys deleted. A key that a deleted unissued key was to replace is
    /// released, as by `discard_unissued`.
    fn delete(&mut self, ids: &[String], actor: Actor) -> Result<Vec<ApiKey>>;

    /// Deletes each key of `found` (ID, where its text was found) that
    /// still exists, auditing where it was found; a key already gone is
    /// skipped. Returns the keys deleted.
    fn revoke_found(&mut self, found: &[(String, String)], actor: Actor) -> Result<Vec<ApiKey>>;

    // Operators.

    fn has_operators(&self) -> Result<bool>;

    /// Makes `name` an administrator if the store still has no operator at
    /// all (checked in the same transaction); false when it had one.
    fn add_first_administrator(&mut self, name: &str, actor: Actor) -> Result<bool>;

    /// One operator; `Error::Tampered` when its row disagrees with the
    /// audit entry that last wrote it.
    fn operator(&self, name: &str) -> Result<Option<Operator>>;

    /// Every operator, by name.
    fn each_operator(&self, visit: Visit<Operator>) -> Result<()>;

    /// `Error::OperatorExists` when the name is taken.
    fn add_operator(&mut self, operator: &Operator, actor: Actor) -> Result<()>;

    /// Applies `change` to the operator `name` and returns it as changed;
    /// `Error::UnknownOperator`, or `Error::LastAdministrator` when no
    /// administrator would be left.
    fn change_operator(&mut self, name: &str, change: &Change, actor: Actor) -> Result<Operator>;

    /// `Error::UnknownOperator`, or `Error::LastAdministrator`.
    fn remove_operator(&mut self, name: &str, actor: Actor) -> Result<()>;

    // The audit log.

    /// Records a refused command, about the key `key_id` when it concerned
    /// one; the refusal stands whether or not this succeeds.
    fn record_refusal(
        &mut self,
        action: Action,
        key_id: Option<&str>,
        detail: &str,
        actor: Actor,
    ) -> Result<()>;

    /// Every entry matching `filter`, oldest first.
    fn each_audit_entry(&self, filter: &AuditFilter, visit: Visit<Entry>) -> Result<()>;

    /// The highest sequence number ever handed out, entries removed since
    /// included.
    fn last_audit_seq(&self) -> Result<i64>;

    /// Every key and operator row that disagrees with the audit entry that
    /// last wrote it, and every protection of the log found missing. A
    /// backend whose server enforces every change (PostgreSQL) has none.
    fn each_tampered(&self, visit: Visit<audit::Tampered>) -> Result<()>;

    /// Writes a consistent copy of the whole store to `to`, a new file that
    /// only its owner may read; an existing file is never replaced.
    fn backup(&self, to: &Path) -> Result<()>;

    // Shell completion.

    /// Up to `most` keys not retired at `live_at` whose ID starts with
    /// `prefix`, by ID, and up to `most` whose name does, by name: what a
    /// shell offers for `renew <Tab>`, which must answer at once whatever
    /// the number of keys. This default matches names in the store
    /// (`name_glob`) and IDs as it reads the keys; a backend may use its
    /// indexes instead (SQLite).
    fn complete_keys(
        &self,
        prefix: &str,
        live_at: DateTime<Utc>,
        most: usize,
    ) -> Result<KeyCompletions> {
        let mut found = KeyCompletions::default();
        let mut enough = false;
        let by_id = KeyFilter {
            live_at: Some(live_at),
            sort: KeySort::Id,
            ..KeyFilter::default()
        };
        let read = self.each_key(&by_id, &mut |key| {
            if key.id.starts_with(prefix) {
                found.by_id.push((key.id, key.name));
            }
            // The server's order of text may not be byte order: only
            // enough found stops the reading.
            enough = found.by_id.len() >= most;
            match enough {
                true => Err(anyhow::anyhow!("enough keys")),
                false => Ok(()),
            }
        });
        if !enough {
            read?;
        }
        let by_name = KeyFilter {
            live_at: Some(live_at),
            name_glob: Some(glob::literal_prefix(prefix)),
            sort: KeySort::Name,
            limit: Some(most as u64),
            ..KeyFilter::default()
        };
        self.each_key(&by_name, &mut |key| {
            found.by_name.push((key.name, key.id));
            Ok(())
        })?;
        Ok(found)
    }
}

/// Keys to complete a word with (`Store::complete_keys`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KeyCompletions {
    /// (ID, name) of the keys whose ID starts with the word, by ID.
    pub by_id: Vec<(String, String)>,
    /// (name, ID) of the keys whose name starts with it, by name.
    pub by_name: Vec<(String, String)>,
}

/// Whether `location` names a PostgreSQL store rather than a file.
/// Before a revocation: on an SQLite store whose file system is full,
/// frees the room kept for revocations (`sqlite::reserve`), so that the
/// key can be deleted when nothing else can be written. Returns whether it
/// did.
pub fn make_room_for_revocation(location: &Path) -> bool {
    if is_url(location) {
        return false;
    }
    std::fs::canonicalize(location).is_ok_and(|real| sqlite::reserve::release_if_full(&real))
}

/// How much room the file system holding an SQLite store has, and whether
/// a revocation still fits (in the free space, or in the room kept for
/// it); None for other stores, or when it cannot be told.
pub fn revocation_room(location: &Path) -> Option<RevocationRoom> {
    if is_url(location) {
        return None;
    }
    let real = std::fs::canonicalize(location).ok()?;
    Some(RevocationRoom {
        free: sqlite::reserve::free_space(&real)?,
        needed: sqlite::reserve::REVOCATION_ROOM,
        reserved: sqlite::reserve::exists(&real),
    })
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RevocationRoom {
    /// Bytes free to this account.
    pub free: u64,
    /// Bytes a revocation may need.
    pub needed: u64,
    /// Whether the room kept for revocations is there.
    pub reserved: bool,
}

pub fn is_url(location: &Path) -> bool {
    location.to_str().is_some_and(postgres::is_url)
}

/// Opens the store at `location`, refusing anything that is not one of ours
/// of this or an older schema; a refused file is never modified.
/// `busy_timeout` is how long a change waits for another's lock.
pub fn open(location: &Path, open: Open, busy_timeout: Duration) -> Result<Box<dyn Store>> {
    if let Some(url) = location.to_str().filter(|text| postgres::is_url(text)) {
        let location = postgres::Location::parse(url)?;
        let store = match open {
            Open::ToUpgrade => postgres::PgStore::open_to_upgrade(&location, busy_timeout)?,
            _ => postgres::PgStore::open_waiting(&location, busy_timeout)?,
        };
        return Ok(Box::new(store));
    }
    Ok(Box::new(sqlite::SqliteStore::open(
        location,
        open,
        busy_timeout,
    )?))
}

/// Brings the store at `location` to this build's format, or with
/// `dry_run` says how: the only thing that changes a store's format. On
/// SQLite recorded in `actor`'s name (the PostgreSQL server records its
/// own role and time); who may is the command's call.
pub fn upgrade(
    location: &Path,
    busy_timeout: Duration,
    dry_run: bool,
    actor: Actor,
) -> Result<format::UpgradePlan> {
    if let Some(url) = location.to_str().filter(|text| postgres::is_url(text)) {
        return postgres::upgrade(&postgres::Location::parse(url)?, busy_timeout, dry_run);
    }
    sqlite::upgrade(location, busy_timeout, dry_run, actor)
}

/// The format a backend's version number says, for a store this build has
/// opened (and so one it reads).
pub fn stored_format(location: &str, version: i64) -> Result<format::Format> {
    match format::Format::from_stored(version) {
        format::Stored::Format(format) => Ok(format),
        format::Stored::PreRelease(version) => Err(Error::PreRelease {
            location: location.to_string(),
            version,
        }),
    }
}

/// Every key matching `filter`, collected, for the few callers that need
/// them all at once.
pub fn keys(store: &dyn Store, filter: &KeyFilter) -> Result<Vec<ApiKey>> {
    let mut keys = Vec::new();
    store.each_key(filter, &mut |key| {
        keys.push(key);
        Ok(())
    })?;
    Ok(keys)
}

/// Every operator, collected.
pub fn operators(store: &dyn Store) -> Result<Vec<Operator>> {
    let mut operators = Vec::new();
    store.each_operator(&mut |operator| {
        operators.push(operator);
        Ok(())
    })?;
    Ok(operators)
}

/// Checks the whole audit chain, streaming it.
pub fn verify_audit(store: &dyn Store) -> Result<audit::Verdict> {
    // The entries and the sequence counter are read at different moments,
    // and other commands may append in between: entries up to the counter
    // read before are owed (fewer were removed from the end), and the
    // counter read after must cover every entry read (else it was set
    // back). Anything between the two is an append made meanwhile.
    let before = store.last_audit_seq()?;
    let mut check = audit::ChainCheck::default();
    store.each_audit_entry(&AuditFilter::default(), &mut |entry| {
        check.push(&entry);
        Ok(())
    })?;
    let after = store.last_audit_seq()?;
    let last_issued = check.last_seq().max(before).min(after);
    let mut verdict = check.finish(last_issued);
    store.each_tampered(&mut |tampered| {
        verdict.tampered.push(tampered);
        Ok(())
    })?;
    Ok(verdict)
}
