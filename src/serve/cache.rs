//! What `serve` remembers of keys it verified, so that argon2 is paid once
//! per key, and how that memory is kept from ever being wrong.
//!
//! An entry is filed under an HMAC-SHA256 of the presented text with a key
//! drawn at start-up and never written anywhere: the text itself is never
//! kept, and a digest cannot be tested against guesses outside the
//! process. It holds what the text was found to be: the key's row as read
//! (when the secret matched its hash), or that it matched no key.
//!
//! Staleness is counted in epochs. Every change `serve` learns of moves the
//! epoch on and notes it: for one key (a PostgreSQL notification) or for all
//! (SQLite's change counter moved; the notification channel came back after
//! an outage). An entry remembers the epoch at which its row was read
//! (`Ticket`), taken before the read: a change committed after it is always
//! seen as newer, so an entry can only be trusted while nothing was noted
//! after its ticket. A stale entry is not thrown away but re-validated: the
//! row is read again (no argon2), and the entry kept when the hash the text
//! was checked against is unchanged.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use hmac::{KeyInit, Mac};
use sha2::{Digest as _, Sha256};

use chrono::{DateTime, Utc};

use crate::key::{ApiKey, Role, Roles};

/// The keyed digest of a presented text.
pub type Digest = [u8; 32];

/// A short fingerprint of a stored hash, to tell whether a row re-read
/// still has the hash a text was checked against.
pub type HashPrint = [u8; 16];

pub fn hash_print(secret_hash: &str) -> HashPrint {
    let full = Sha256::digest(secret_hash.as_bytes());
    let mut print = [0; 16];
    print.copy_from_slice(&full[..16]);
    print
}

/// A key ID held inline (IDs are 12 ASCII characters): no allocation per
/// entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct KeyId([u8; crate::token::ID_LEN]);

impl KeyId {
    /// The ID of a parsed token (always 12 ASCII characters; anything
    /// longer is cut, shorter padded, which no parsed token is).
    pub fn new(id: &str) -> KeyId {
        let mut bytes = [0; crate::token::ID_LEN];
        for (slot, byte) in bytes.iter_mut().zip(id.bytes()) {
            *slot = byte;
        }
        KeyId(bytes)
    }

    pub fn as_str(&self) -> &str {
        let len = self
            .0
            .iter()
            .position(|byte| *byte == 0)
            .unwrap_or(self.0.len());
        std::str::from_utf8(&self.0[..len]).unwrap_or("")
    }
}

/// What an answer needs of a key, kept compact (one allocation, roles as
/// bits): 100,000 cached keys must fit in tens of megabytes.
#[derive(Clone, Debug)]
pub struct CachedKey {
    name: Box<str>,
    roles: u8,
    issued: bool,
    created_at: DateTime<Utc>,
    renewed_at: DateTime<Utc>,
    freezes_at: DateTime<Utc>,
    retires_at: Option<DateTime<Utc>>,
    replaced_by: Option<Box<str>>,
    last_used_at: Option<DateTime<Utc>>,
}

impl CachedKey {
    pub fn new(key: ApiKey) -> CachedKey {
        let roles = Role::ALL
            .iter()
            .enumerate()
            .filter(|(_, role)| key.roles.contains(**role))
            .fold(0, |bits, (n, _)| bits | 1 << n);
        CachedKey {
            name: key.name.into_boxed_str(),
            roles,
            issued: key.issued,
            created_at: key.created_at,
            renewed_at: key.renewed_at,
            freezes_at: key.freezes_at,
            retires_at: key.retires_at,
            replaced_by: key.replaced_by.map(String::into_boxed_str),
            last_used_at: key.last_used_at,
        }
    }

    /// The key `id` as it was read.
    pub fn key(&self, id: &KeyId) -> ApiKey {
        ApiKey {
            id: id.as_str().to_string(),
            name: self.name.to_string(),
            roles: Roles::new(
                Role::ALL
                    .iter()
                    .enumerate()
                    .filter(|(n, _)| self.roles & 1 << n != 0)
                    .map(|(_, role)| *role),
            ),
            created_at: self.created_at,
            renewed_at: self.renewed_at,
            freezes_at: self.freezes_at,
            issued: self.issued,
            retires_at: self.retires_at,
            replaced_by: self.replaced_by.as_deref().map(str::to_string),
            last_used_at: self.last_used_at,
        }
    }
}

/// The epoch at which a row was read; see the module's comment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Ticket(u64);

/// What a presented text was found to be.
#[derive(Clone, Debug)]
pub struct Finding {
    pub id: KeyId,
    /// The fingerprint of the hash it was checked against; None when no
    /// key had its ID.
    pub hash: Option<HashPrint>,
    /// The key, when the text's secret matched its hash.
    pub key: Option<CachedKey>,
}

struct Entry {
    finding: Finding,
    read_at: Ticket,
    expires: Instant,
    /// When a use of the key was last handed on to be recorded.
    use_noted: Option<DateTime<Utc>>,
}

struct Inner {
    entries: HashMap<Digest, Entry>,
    epoch: u64,
    /// Entries read before this epoch are stale, whatever their key.
    all_changed: u64,
    /// Keys changed, by ID: the epoch of the last change, and when it was
    /// noted (so that the note can go once every entry older is gone).
    changed: HashMap<KeyId, (u64, Instant)>,
}

/// What a look-up found.
pub enum Hit {
    /// Nothing usable: verify the text in full.
    Miss,
    /// Trustworthy: answer from it.
    Fresh(Finding),
    /// Possibly out of date: re-read its row before answering.
    Stale(Finding),
}

pub struct Cache {
    inner: Mutex<Inner>,
    mac: hmac::Hmac<Sha256>,
    /// How long an entry for a key whose secret matched may be used.
    pub ttl: Duration,
    /// How long an entry for a text that matched no key may be used.
    pub negative_ttl: Duration,
    /// The most entries kept; beyond it, new ones are not kept.
    pub capacity: usize,
}

impl Cache {
    pub fn new(ttl: Duration, negative_ttl: Duration, capacity: usize) -> anyhow::Result<Cache> {
        use rand::TryRng;
        let mut secret = zeroize::Zeroizing::new([0u8; 32]);
        rand::rngs::SysRng
            .try_fill_bytes(secret.as_mut())
            .map_err(|err| {
                anyhow::anyhow!("could not draw a key from the operating system: {err}")
            })?;
        let mac = hmac::Hmac::<Sha256>::new_from_slice(secret.as_ref())
            .map_err(|err| anyhow::anyhow!("{err}"))?;
        Ok(Cache {
            inner: Mutex::new(Inner {
                entries: HashMap::new(),
                epoch: 1,
                all_changed: 0,
                changed: HashMap::new(),
            }),
            mac,
            ttl,
            negative_ttl,
            capacity,
        })
    }

    fn inner(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panic aborts the process (release) before anything is left
        // half-done; in tests, the data is still consistent.
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The keyed digest of a presented text.
    pub fn digest(&self, text: &str) -> Digest {
        let mut mac = self.mac.clone();
        mac.update(text.as_bytes());
        mac.finalize().into_bytes().into()
    }

    /// The epoch now, to take before reading a row.
    pub fn ticket(&self) -> Ticket {
        Ticket(self.inner().epoch)
    }

    /// What is known of `digest`. `trusted` is false while changes might
    /// go unseen: then every entry is stale.
    pub fn get(&self, digest: &Digest, now: Instant, trusted: bool) -> Hit {
        let mut inner = self.inner();
        let Some(entry) = inner.entries.get(digest) else {
            return Hit::Miss;
        };
        if entry.expires <= now {
            inner.entries.remove(digest);
            return Hit::Miss;
        }
        let read_at = entry.read_at.0;
        let changed = inner.all_changed.max(
            inner
                .changed
                .get(&entry.finding.id)
                .map_or(0, |(epoch, _)| *epoch),
        );
        let finding = entry.finding.clone();
        if trusted && read_at >= changed {
            Hit::Fresh(finding)
        } else {
            Hit::Stale(finding)
        }
    }

    /// Files what `text` (its `digest`) was found to be, read at `read_at`.
    /// A re-validated entry keeps its time limit; a new one gets a fresh
    /// one.
    pub fn put(&self, digest: Digest, finding: Finding, read_at: Ticket, now: Instant) {
        let ttl = if finding.key.is_some() {
            self.ttl
        } else {
            self.negative_ttl
        };
        let mut inner = self.inner();
        if let Some(entry) = inner.entries.get_mut(&digest) {
            entry.finding = finding;
            entry.read_at = entry.read_at.max(read_at);
            return;
        }
        if inner.entries.len() >= self.capacity {
            inner.entries.retain(|_, entry| entry.expires > now);
            if inner.entries.len() >= self.capacity {
                return;
            }
        }
        inner.entries.insert(
            digest,
            Entry {
                finding,
                read_at,
                expires: now + ttl,
                use_noted: None,
            },
        );
    }

    /// Forgets `digest`.
    pub fn remove(&self, digest: &Digest) {
        self.inner().entries.remove(digest);
    }

    /// Notes a change to the key `id`: entries about it read before now
    /// are stale.
    pub fn changed(&self, id: KeyId, now: Instant) {
        let mut inner = self.inner();
        inner.epoch += 1;
        let epoch = inner.epoch;
        inner.changed.insert(id, (epoch, now));
    }

    /// Notes that anything may have changed: every entry read before now is
    /// stale.
    pub fn all_changed(&self) {
        let mut inner = self.inner();
        inner.epoch += 1;
        inner.all_changed = inner.epoch;
        inner.changed.clear();
    }

    /// Whether a use of the key filed under `digest`, last recorded at
    /// `last_used_at`, should be handed on to be recorded at `now`; notes
    /// that it was, so that it is handed on once per resolution.
    pub fn note_use(
        &self,
        digest: &Digest,
        last_used_at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> bool {
        let mut inner = self.inner();
        let Some(entry) = inner.entries.get_mut(digest) else {
            return crate::key::use_worth_recording(last_used_at, now);
        };
        let last = last_used_at.max(entry.use_noted);
        if crate::key::use_worth_recording(last, now) {
            entry.use_noted = Some(now);
            true
        } else {
            false
        }
    }

    /// Drops expired entries, and change notes older than any entry could
    /// be. Returns how many entries are left.
    pub fn sweep(&self, now: Instant) -> usize {
        let longest = self.ttl.max(self.negative_ttl);
        let mut inner = self.inner();
        inner.entries.retain(|_, entry| entry.expires > now);
        inner
            .changed
            .retain(|_, (_, noted)| now.saturating_duration_since(*noted) <= longest);
        inner.entries.len()
    }

    pub fn len(&self) -> usize {
        self.inner().entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(id: &str) -> Finding {
        Finding {
            id: KeyId::new(id),
            hash: None,
            key: None,
        }
    }

    fn cache() -> Cache {
        Cache::new(Duration::from_secs(600), Duration::from_secs(10), 100).unwrap()
    }

    #[test]
    fn digests_are_keyed_per_cache() {
        let (a, b) = (cache(), cache());
        assert_eq!(a.digest("igk_x"), a.digest("igk_x"));
        assert_ne!(a.digest("igk_x"), a.digest("igk_y"));
        assert_ne!(a.digest("igk_x"), b.digest("igk_x"));
    }

    #[test]
    fn a_change_after_the_read_makes_the_entry_stale() {
        let cache = cache();
        let now = Instant::now();
        let digest = cache.digest("text");
        let ticket = cache.ticket();
        // Committed after the ticket, before the entry was filed.
        cache.changed(KeyId::new("AAAAAAAAAAAA"), now);
        cache.put(digest, finding("AAAAAAAAAAAA"), ticket, now);
        assert!(matches!(cache.get(&digest, now, true), Hit::Stale(_)));
        // Re-validated after the change: fresh again.
        cache.put(digest, finding("AAAAAAAAAAAA"), cache.ticket(), now);
        assert!(matches!(cache.get(&digest, now, true), Hit::Fresh(_)));
        // Another key's change does not touch it.
        cache.changed(KeyId::new("BBBBBBBBBBBB"), now);
        assert!(matches!(cache.get(&digest, now, true), Hit::Fresh(_)));
        cache.all_changed();
        assert!(matches!(cache.get(&digest, now, true), Hit::Stale(_)));
    }

    #[test]
    fn nothing_is_fresh_while_untrusted_and_entries_end() {
        let cache = cache();
        let now = Instant::now();
        let digest = cache.digest("text");
        cache.put(digest, finding("AAAAAAAAAAAA"), cache.ticket(), now);
        assert!(matches!(cache.get(&digest, now, false), Hit::Stale(_)));
        // A text that matched no key is kept briefly.
        let later = now + Duration::from_secs(11);
        assert!(matches!(cache.get(&digest, later, true), Hit::Miss));
        assert_eq!(cache.len(), 0);
    }

    #[test]
    fn a_cached_key_is_the_key_it_was() {
        use chrono::TimeZone;
        let now = Utc.with_ymd_and_hms(2026, 1, 1, 12, 0, 0).unwrap();
        let key = ApiKey {
            issued: true,
            retires_at: Some(now),
            replaced_by: Some("BBBBBBBBBBBB".into()),
            last_used_at: Some(now),
            ..ApiKey::new(
                "AAAAAAAAAAAA".into(),
                "ci deploy".into(),
                Roles::new([Role::Payments, Role::Transactions]),
                now,
            )
        };
        let id = KeyId::new(&key.id);
        assert_eq!(id.as_str(), "AAAAAAAAAAAA");
        assert_eq!(CachedKey::new(key.clone()).key(&id), key);
    }

    #[test]
    fn a_full_cache_keeps_what_it_has() {
        let cache = Cache::new(Duration::from_secs(600), Duration::from_secs(10), 2).unwrap();
        let now = Instant::now();
        for text in ["a", "b", "c"] {
            cache.put(
                cache.digest(text),
                finding("AAAAAAAAAAAA"),
                cache.ticket(),
                now,
            );
        }
        assert_eq!(cache.len(), 2);
        assert!(matches!(
            cache.get(&cache.digest("c"), now, true),
            Hit::Miss
        ));
    }
}
