//! The audit log's hash chain: each entry carries the hash of the one before,
//! so an edited, inserted or removed entry breaks the chain.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};

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
    pub prev_hash: String,
    pub hash: String,
}

/// The hash of an entry: SHA-256 over the previous hash and the entry's
/// fields, serialized as a JSON array so that no two field lists collide.
pub fn entry_hash(prev_hash: &str, seq: i64, record: &Record) -> String {
    let canonical = serde_json::json!([
        prev_hash,
        seq,
        record.at.timestamp(),
        record.operator,
        record.action,
        record.key_id,
        record.outcome,
        record.detail,
    ])
    .to_string();
    Sha256::digest(canonical.as_bytes())
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// Where and how the chain is broken.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Break {
    pub seq: i64,
    pub problem: String,
}

/// Checks a whole log, in order of `seq`. `last_issued` is the highest
/// sequence number ever handed out (SQLite's AUTOINCREMENT counter), which
/// reveals entries removed from the end.
pub fn verify_chain(entries: &[Entry], last_issued: i64) -> Result<(), Break> {
    let mut prev_hash = GENESIS;
    let mut expected_seq = 1;
    for entry in entries {
        if entry.seq != expected_seq {
            return Err(Break {
                seq: expected_seq,
                problem: format!(
                    "entry {expected_seq} is missing (the next one is {})",
                    entry.seq
                ),
            });
        }
        if entry.prev_hash != prev_hash {
            return Err(Break {
                seq: entry.seq,
                problem: format!(
                    "entry {} does not follow entry {}",
                    entry.seq,
                    entry.seq - 1
                ),
            });
        }
        if entry_hash(&entry.prev_hash, entry.seq, &entry.record) != entry.hash {
            return Err(Break {
                seq: entry.seq,
                problem: format!("entry {} was changed after it was written", entry.seq),
            });
        }
        prev_hash = &entry.hash;
        expected_seq += 1;
    }
    if last_issued >= expected_seq {
        return Err(Break {
            seq: expected_seq,
            problem: format!(
                "entries {expected_seq} to {last_issued} were removed from the end of the log"
            ),
        });
    }
    Ok(())
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
            let hash = entry_hash(&prev_hash, seq, &record);
            entries.push(Entry {
                seq,
                record,
                prev_hash,
                hash,
            });
        }
        entries
    }

    #[test]
    fn an_intact_chain_verifies() {
        assert_eq!(verify_chain(&chain(5), 5), Ok(()));
        assert_eq!(verify_chain(&[], 0), Ok(()));
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
        entries[2].hash = entry_hash(&entries[2].prev_hash, 3, &entries[2].record);
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
}
