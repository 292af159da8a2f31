//! The audit log: what is recorded (typed events owning their wording) and
//! the hash chain, in which each entry carries the hash of the one before, so
//! an edited, inserted or removed entry breaks the chain.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::key::ApiKey;
use crate::operator::{Action, Operator};

/// Who is changing the store, and when: every change is audited with it.
#[derive(Clone, Copy, Debug)]
pub struct Actor<'a> {
    pub operator: &'a str,
    pub now: DateTime<Utc>,
}

/// Something that happened, as the audit log records it. The action, outcome
/// and detail text of every entry are written here and nowhere else, so every
/// store writes the same bytes (and old chains keep verifying).
#[derive(Clone, Copy, Debug)]
pub enum Event<'a> {
    Created {
        key: &'a ApiKey,
    },
    /// A new key whose secret could not be written out, removed again.
    Discarded {
        key_id: &'a str,
    },
    Renewed {
        key_id: &'a str,
        freezes_at: DateTime<Utc>,
    },
    Deleted {
        key: &'a ApiKey,
    },
    /// Deleted by `scan --revoke`, which found the key's text `found_at`
    /// (`path:line`).
    RevokedByScan {
        key: &'a ApiKey,
        found_at: &'a str,
    },
    /// The new key of a rotation, stored (not yet issued).
    Replacement {
        key: &'a ApiKey,
        replaces: &'a str,
    },
    /// The old key of a rotation, once its replacement was issued: it
    /// retires at `retires_at`.
    Rotated {
        key_id: &'a str,
        replaced_by: &'a str,
        retires_at: DateTime<Utc>,
    },
    /// The first operator of a store, made administrator without anyone
    /// granting it; recorded in that operator's name.
    FirstAdministrator {
        name: &'a str,
    },
    OperatorAdded {
        operator: &'a Operator,
    },
    /// `users grant` or `users revoke`, with the operator as it now is.
    OperatorChanged {
        action: Action,
        operator: &'a Operator,
    },
    OperatorRemoved {
        name: &'a str,
    },
    /// A command refused for lack of a permission or by a rule, about the
    /// key `key_id` when it concerned one.
    Refused {
        action: Action,
        key_id: Option<&'a str>,
        detail: &'a str,
    },
    /// A new key's secret was written out: from now on the key works.
    Issued {
        key_id: &'a str,
    },
    /// `upgrade` brought the store from one format to another.
    Upgraded {
        from: crate::store::format::Format,
        to: crate::store::format::Format,
    },
    /// The database's protections of the log (its triggers, its sequence
    /// counter) were missing or altered, and were put back.
    Repaired {
        what: &'a str,
    },
}

impl Event<'_> {
    /// The entry this event makes when `actor` causes it.
    pub fn record(&self, actor: Actor) -> Record {
        let (operator, action, key_id, outcome, detail) = match *self {
            Event::Issued { key_id } => (
                actor.operator,
                Action::Create.as_str(),
                Some(key_id),
                "ok",
                "secret written out; key issued".to_string(),
            ),
            Event::Upgraded { from, to } => (
                actor.operator,
                Action::Upgrade.as_str(),
                None,
                "ok",
                format!("store format {from} to {to}"),
            ),
            Event::Repaired { what } => (
                actor.operator,
                "repair",
                None,
                "ok",
                format!("restored {what}, found missing or altered"),
            ),
            Event::Created { key } => (
                actor.operator,
                Action::Create.as_str(),
                Some(key.id.as_str()),
                "ok",
                format!("roles {}", key.roles),
            ),
            Event::Discarded { key_id } => (
                actor.operator,
                Action::Create.as_str(),
                Some(key_id),
                "failed",
                "secret not written out; key discarded".to_string(),
            ),
            Event::Renewed { key_id, freezes_at } => (
                actor.operator,
                Action::Renew.as_str(),
                Some(key_id),
                "ok",
                format!("freezes at {}", crate::text::rfc3339(freezes_at)),
            ),
            Event::Deleted { key } => (
                actor.operator,
                Action::Delete.as_str(),
                Some(key.id.as_str()),
                "ok",
                format!("roles {}", key.roles),
            ),
            Event::RevokedByScan { key, found_at } => (
                actor.operator,
                Action::Delete.as_str(),
                Some(key.id.as_str()),
                "ok",
                format!("revoked by scan: found at {found_at}; roles {}", key.roles),
            ),
            Event::Replacement { key, replaces } => (
                actor.operator,
                Action::Rotate.as_str(),
                Some(key.id.as_str()),
                "ok",
                format!("roles {}; replaces {replaces}", key.roles),
            ),
            Event::Rotated {
                key_id,
                replaced_by,
                retires_at,
            } => (
                actor.operator,
                Action::Rotate.as_str(),
                Some(key_id),
                "ok",
                format!(
                    "replaced by {replaced_by}; retires at {}",
                    crate::text::rfc3339(retires_at)
                ),
            ),
            Event::FirstAdministrator { name } => (
                name,
                Action::UsersAdd.as_str(),
                None,
                "ok",
                format!("{name}: admin (first administrator: owner of the database)"),
            ),
            Event::OperatorAdded { operator } => (
                actor.operator,
                Action::UsersAdd.as_str(),
                None,
                "ok",
                describe_operator(operator),
            ),
            Event::OperatorChanged { action, operator } => (
                actor.operator,
                action.as_str(),
                None,
                "ok",
                describe_operator(operator),
            ),
            Event::OperatorRemoved { name } => (
                actor.operator,
                Action::UsersRemove.as_str(),
                None,
                "ok",
                name.to_string(),
            ),
            Event::Refused {
                action,
                key_id,
                detail,
            } => (
                actor.operator,
                action.as_str(),
                key_id,
                "refused",
                detail.to_string(),
            ),
        };
        Record {
            at: actor.now,
            operator: operator.to_string(),
            action: action.to_string(),
            key_id: key_id.map(str::to_string),
            outcome: outcome.to_string(),
            detail,
        }
    }
}

fn describe_operator(operator: &Operator) -> String {
    match &operator.key_roles {
        Some(roles) => format!(
            "{}: {} (key roles {roles})",
            operator.name, operator.permissions
        ),
        None => format!("{}: {}", operator.name, operator.permissions),
    }
}

/// The "previous hash" of the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What an entry says happened. Never a secret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    pub at: DateTime<Utc>,
    pub operator: String,
    /// `create`, `renew`, `delete`, `users add`, …
    pub action: String,
    pub key_id: Option<String>,
    /// `ok`, `refused` or `failed`.
    pub outcome: String,
    pub detail: String,
}

/// A stored entry: the record, its place in the chain and the hashes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub seq: i64,
    pub record: Record,
    /// For an entry that wrote or removed a key or operator row: that row's
    /// security-relevant fields as written.
    pub seal: Option<Seal>,
    pub prev_hash: String,
    pub hash: String,
}

/// What a row's security-relevant fields were when an audit entry wrote
/// them (their digest), or that it removed the row. A row that no longer
/// matches the last entry about it was changed by other means: a store that
/// anyone with the file can write makes tampering visible this way.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Seal {
    /// `key ID` or `operator NAME`.
    pub subject: String,
    /// SHA-256 of the fields, or `REMOVED`.
    pub digest: String,
}

/// Why a key retiring after a rotation is not renewed, as the refusal is
/// recorded in its history and told to whoever asked: renewing it would
/// not keep it working past its grace, so its replacement is named.
pub fn retiring_not_renewed(
    id: &str,
    retires_at: DateTime<Utc>,
    replaced_by: Option<&str>,
) -> String {
    // IDs come from the store, which anyone who can write it may have
    // edited.
    let shown = crate::text::sanitize(id);
    let renew_instead = match replaced_by.map(crate::text::sanitize) {
        Some(new) => format!("renew its replacement {new} instead (`intergiro-keys renew {new}`)"),
        None => format!("renew its replacement instead (see `intergiro-keys show {shown}`)"),
    };
    format!(
        "key {shown} was rotated and stops working at {}, so it is not renewed; {renew_instead}; nothing was changed",
        crate::text::human_time(retires_at)
    )
}

/// The digest of a row that an entry removed.
pub const REMOVED: &str = "removed";

/// A key row's fields that decide whether the key works, as stored (times
/// in Unix seconds): what its seal covers.
#[derive(Clone, Copy, Debug)]
pub struct SealedKey<'a> {
    pub id: &'a str,
    /// Commands take a name for the key that has it: a renamed row would
    /// have them act on another key than meant.
    pub name: &'a str,
    pub roles: &'a str,
    pub secret_hash: &'a str,
    pub created_at: i64,
    pub issued: bool,
    pub freezes_at: i64,
    /// An edited `retires_at` would keep a rotated-out key working.
    pub retires_at: Option<i64>,
    /// The key replacing it; sealed only with `retires_at`: until then the
    /// claim of an unfinished rotation only holds off another one, and is
    /// made and released without an entry of its own.
    pub replaced_by: Option<&'a str>,
}

impl Seal {
    /// A key row's seal: the digest of `key_text`.
    pub fn key(row: &SealedKey) -> Seal {
        Seal {
            subject: key_subject(row.id),
            digest: digest(&key_text(row)),
        }
    }

    /// An operator's permissions and key-role limit, as stored.
    pub fn operator(name: &str, permissions: &str, key_roles: Option<&str>) -> Seal {
        Seal {
            subject: operator_subject(name),
            digest: digest(&operator_text(name, permissions, key_roles)),
        }
    }

    pub fn removed(subject: String) -> Seal {
        Seal {
            subject,
            digest: REMOVED.to_string(),
        }
    }
}

pub fn key_subject(id: &str) -> String {
    format!("key {id}")
}

pub fn operator_subject(name: &str) -> String {
    format!("operator {name}")
}

/// The canonical text a key's seal digests, the same for every store (the
/// PostgreSQL store computes it in SQL): the word `key`, then id, name,
/// roles, secret_hash, created_at, issued (`1` or `0`), freezes_at,
/// retires_at and replaced_by (NULL while retires_at is), each as `field`,
/// with times as Unix seconds.
pub fn key_text(row: &SealedKey) -> String {
    let mut text = String::with_capacity(256);
    let created_at = row.created_at.to_string();
    let freezes_at = row.freezes_at.to_string();
    let retires_at = row.retires_at.map(|at| at.to_string());
    for value in [
        Some("key"),
        Some(row.id),
        Some(row.name),
        Some(row.roles),
        Some(row.secret_hash),
        Some(created_at.as_str()),
        Some(if row.issued { "1" } else { "0" }),
        Some(freezes_at.as_str()),
        retires_at.as_deref(),
        row.retires_at.and(row.replaced_by),
    ] {
        field(&mut text, value);
    }
    text
}

/// The canonical text an operator's seal digests: the word `operator`,
/// then name, permissions and key_roles, each as `field`.
pub fn operator_text(name: &str, permissions: &str, key_roles: Option<&str>) -> String {
    let mut text = String::with_capacity(64);
    for value in [Some("operator"), Some(name), Some(permissions), key_roles] {
        field(&mut text, value);
    }
    text
}

/// One field of a seal's text: its length in UTF-8 bytes, `:`, the text
/// and `;` (so no two rows read alike), or `~;` for NULL. In SQL:
/// `coalesce(octet_length(v) || ':' || v, '~') || ';'`.
fn field(text: &mut String, value: Option<&str>) {
    match value {
        Some(value) => {
            text.push_str(&value.len().to_string());
            text.push(':');
            text.push_str(value);
        }
        None => text.push('~'),
    }
    text.push(';');
}

/// Lowercase hex SHA-256 of a seal's text.
fn digest(text: &str) -> String {
    hex_sha256(text.as_bytes())
}

fn hex_sha256(bytes: &[u8]) -> String {
    // Hex written directly: `audit --verify` digests every key row and entry.
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut text = String::with_capacity(64);
    for byte in Sha256::digest(bytes) {
        text.push(char::from(HEX[usize::from(byte >> 4)]));
        text.push(char::from(HEX[usize::from(byte & 0x0f)]));
    }
    text
}

/// A row that disagrees with the audit log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Tampered {
    /// `key ID` or `operator NAME`.
    pub subject: String,
    pub problem: String,
}

/// The hash of an entry: SHA-256 over the previous hash and the entry's
/// fields, serialized as a JSON array so that no two field lists collide. A
/// seal adds two fields; entries without one hash as they always did.
pub fn entry_hash(prev_hash: &str, seq: i64, record: &Record, seal: Option<&Seal>) -> String {
    let mut fields = vec![
        serde_json::json!(prev_hash),
        serde_json::json!(seq),
        serde_json::json!(record.at.timestamp()),
        serde_json::json!(record.operator),
        serde_json::json!(record.action),
        serde_json::json!(record.key_id),
        serde_json::json!(record.outcome),
        serde_json::json!(record.detail),
    ];
    if let Some(seal) = seal {
        fields.push(serde_json::json!(seal.subject));
        fields.push(serde_json::json!(seal.digest));
    }
    hex_sha256(serde_json::Value::Array(fields).to_string().as_bytes())
}

/// Where and how the chain is broken.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Break {
    pub seq: i64,
    pub problem: String,
}

/// How far an entry may be dated before the one it follows. A command's time
/// is taken when it starts, so one that waited for another's lock (up to the
/// busy timeout) or ran long may be appended after entries dated later.
pub const CLOCK_SLACK: i64 = 15 * 60;

/// Checks a log entry by entry, in order of `seq`, without holding it: the
/// log of a large estate is streamed through it.
#[derive(Debug)]
pub struct ChainCheck {
    head: String,
    expected_seq: i64,
    count: usize,
    last_at: Option<DateTime<Utc>>,
    broken: Option<Break>,
}

impl Default for ChainCheck {
    fn default() -> Self {
        ChainCheck {
            head: GENESIS.to_string(),
            expected_seq: 1,
            count: 0,
            last_at: None,
            broken: None,
        }
    }
}

impl ChainCheck {
    pub fn push(&mut self, entry: &Entry) {
        self.count += 1;
        if self.broken.is_some() {
            return;
        }
        let expected_seq = self.expected_seq;
        // Appended later but dated earlier than an entry before it by more
        // than the slack: back-dated by hand, or a clock set back.
        let backwards = self
            .last_at
            .filter(|latest| entry.record.at < *latest - chrono::Duration::seconds(CLOCK_SLACK));
        let problem = if entry.seq != expected_seq {
            Some((
                expected_seq,
                format!(
                    "entry {expected_seq} is missing (the next one is {})",
                    entry.seq
                ),
            ))
        } else if entry.prev_hash != self.head {
            Some((
                entry.seq,
                format!(
                    "entry {} does not follow entry {}",
                    entry.seq,
                    entry.seq - 1
                ),
            ))
        } else if entry_hash(
            &entry.prev_hash,
            entry.seq,
            &entry.record,
            entry.seal.as_ref(),
        ) != entry.hash
        {
            Some((
                entry.seq,
                format!("entry {} was changed after it was written", entry.seq),
            ))
        } else {
            backwards.map(|latest| {
                (
                    entry.seq,
                    format!(
                        "entry {} is dated {}, earlier than an entry before it ({}): times go backwards",
                        entry.seq,
                        crate::text::rfc3339(entry.record.at),
                        crate::text::rfc3339(latest)
                    ),
                )
            })
        };
        if let Some((seq, problem)) = problem {
            self.broken = Some(Break { seq, problem });
        }
        self.last_at = self.last_at.max(Some(entry.record.at));
        self.head.clone_from(&entry.hash);
        self.expected_seq += 1;
    }

    /// The sequence number of the last entry pushed (0 before the first).
    pub fn last_seq(&self) -> i64 {
        self.expected_seq - 1
    }

    /// The verdict once every entry was pushed. `last_issued` is the highest
    /// sequence number ever handed out, which reveals entries removed from
    /// the end.
    pub fn finish(self, last_issued: i64) -> Verdict {
        let last_seq = self.expected_seq - 1;
        let intact = match self.broken {
            Some(broken) => Err(broken),
            // Every store records at least the change that made it.
            None if self.count == 0 => Err(Break {
                seq: 0,
                problem: "the log is empty, yet every database records at least its first change: it was emptied".to_string(),
            }),
            None if last_issued < last_seq => Err(Break {
                seq: last_seq,
                problem: format!(
                    "the sequence counter says {last_issued}, but entries go up to {last_seq}"
                ),
            }),
            None if last_issued >= self.expected_seq => Err(Break {
                seq: self.expected_seq,
                problem: format!(
                    "entries {} to {last_issued} were removed from the end of the log",
                    self.expected_seq
                ),
            }),
            None => Ok(()),
        };
        Verdict {
            entries: self.count,
            head: (self.count > 0).then_some(self.head),
            intact,
            tampered: Vec::new(),
        }
    }
}

/// What checking the whole log found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verdict {
    pub entries: usize,
    /// The hash of the last entry, when there is one.
    pub head: Option<String>,
    pub intact: Result<(), Break>,
    /// Rows (and protections of the log) that disagree with it.
    pub tampered: Vec<Tampered>,
}

/// Checks a whole log held in memory, in order of `seq`.
pub fn verify_chain(entries: &[Entry], last_issued: i64) -> Result<(), Break> {
    let mut check = ChainCheck::default();
    for entry in entries {
        check.push(entry);
    }
    check.finish(last_issued).intact
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn chain(n: i64) -> Vec<Entry> {
        let mut entries: Vec<Entry> = Vec::new();
        for seq in 1..=n {
            let record = Record {
                at: Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(),
                operator: "alice".into(),
                action: "create".into(),
                key_id: Some(format!("KEY{seq:09}")),
                outcome: "ok".into(),
                detail: String::new(),
            };
            let prev_hash = entries
                .last()
                .map_or(GENESIS.to_string(), |e| e.hash.clone());
            let hash = entry_hash(&prev_hash, seq, &record, None);
            entries.push(Entry {
                seq,
                record,
                seal: None,
                prev_hash,
                hash,
            });
        }
        entries
    }

    #[test]
    fn an_intact_chain_verifies() {
        assert_eq!(verify_chain(&chain(5), 5), Ok(()));
        let empty = verify_chain(&[], 0).unwrap_err();
        assert!(empty.problem.contains("empty"), "{empty:?}");
    }

    #[test]
    fn an_edited_entry_is_found() {
        let mut entries = chain(5);
        entries[2].record.outcome = "refused".into();
        assert_eq!(verify_chain(&entries, 5).unwrap_err().seq, 3);
    }

    #[test]
    fn an_edit_with_a_recomputed_hash_breaks_the_next_link() {
        let mut entries = chain(5);
        entries[2].record.operator = "mallory".into();
        entries[2].hash = entry_hash(&entries[2].prev_hash, 3, &entries[2].record, None);
        assert_eq!(verify_chain(&entries, 5).unwrap_err().seq, 4);
    }

    #[test]
    fn removed_entries_are_found_in_the_middle_and_at_the_end() {
        let mut entries = chain(5);
        entries.remove(1);
        assert_eq!(verify_chain(&entries, 5).unwrap_err().seq, 2);
        let entries = chain(5);
        let err = verify_chain(&entries[..4], 5).unwrap_err();
        assert!(err.problem.contains("removed from the end"), "{err:?}");
    }

    #[test]
    fn times_going_backwards_and_a_wound_back_counter_are_found() {
        let mut entries = chain(3);
        entries[2].record.at -= chrono::Duration::seconds(CLOCK_SLACK);
        entries[2].hash = entry_hash(&entries[2].prev_hash, 3, &entries[2].record, None);
        assert_eq!(verify_chain(&entries, 3), Ok(()), "within the slack");
        entries[2].record.at -= chrono::Duration::seconds(1);
        entries[2].hash = entry_hash(&entries[2].prev_hash, 3, &entries[2].record, None);
        let err = verify_chain(&entries, 3).unwrap_err();
        assert!(err.problem.contains("times go backwards"), "{err:?}");
        let err = verify_chain(&chain(3), 2).unwrap_err();
        assert!(err.problem.contains("sequence counter says 2"), "{err:?}");
    }

    #[test]
    fn a_seal_is_part_of_the_entry_hash_and_covers_every_field() {
        let record = chain(1).remove(0).record;
        let row = SealedKey {
            id: "AbCdEfGhIjKl",
            name: "ci",
            roles: "accounts",
            secret_hash: "$argon2id$…",
            created_at: 1_700_000_000,
            issued: true,
            freezes_at: 1_707_776_000,
            retires_at: None,
            replaced_by: None,
        };
        let seal = Seal::key(&row);
        let sealed = entry_hash(GENESIS, 1, &record, Some(&seal));
        assert_ne!(sealed, entry_hash(GENESIS, 1, &record, None));
        let other = Seal::key(&SealedKey {
            roles: "payments",
            ..row
        });
        assert_ne!(sealed, entry_hash(GENESIS, 1, &record, Some(&other)));
        let changed = [
            SealedKey {
                id: "AbCdEfGhIjKm",
                ..row
            },
            SealedKey {
                name: "prod",
                ..row
            },
            SealedKey {
                roles: "payments",
                ..row
            },
            SealedKey {
                secret_hash: "$argon2id$x",
                ..row
            },
            SealedKey {
                created_at: 1_700_000_001,
                ..row
            },
            SealedKey {
                issued: false,
                ..row
            },
            SealedKey {
                freezes_at: 1_707_776_001,
                ..row
            },
            SealedKey {
                retires_at: Some(1_700_000_000),
                ..row
            },
            SealedKey {
                retires_at: Some(1_700_000_000),
                replaced_by: Some("MnOpQrStUvWx"),
                ..row
            },
        ];
        assert_eq!(
            Seal::key(&SealedKey {
                replaced_by: Some("MnOpQrStUvWx"),
                ..row
            }),
            seal,
            "an unfinished rotation's claim is not sealed"
        );
        for changed in changed {
            assert_ne!(Seal::key(&changed).digest, seal.digest, "{changed:?}");
        }
        assert_eq!(seal.subject, "key AbCdEfGhIjKl");
    }

    /// The canonical text is a contract with the PostgreSQL store, which
    /// computes the same digests in SQL: it must not change by accident.
    #[test]
    fn the_canonical_seal_text_is_length_prefixed_fields() {
        let row = SealedKey {
            id: "AbCdEfGhIjKl",
            name: "ci é",
            roles: "accounts,payments",
            secret_hash: "$h",
            created_at: 1_700_000_000,
            issued: false,
            freezes_at: 1_707_776_000,
            retires_at: Some(1_701_000_000),
            replaced_by: None,
        };
        assert_eq!(
            key_text(&row),
            "3:key;12:AbCdEfGhIjKl;5:ci é;17:accounts,payments;2:$h;10:1700000000;1:0;10:1707776000;10:1701000000;~;"
        );
        assert_eq!(
            operator_text("ops", "view,renew", None),
            "8:operator;3:ops;10:view,renew;~;"
        );
        assert_eq!(
            Seal::operator("ops", "view,renew", None).digest,
            hex_sha256(b"8:operator;3:ops;10:view,renew;~;")
        );
    }
}
