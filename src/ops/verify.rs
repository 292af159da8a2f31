//! `verify`: the verdict on a presented key, and its last use noted.

use anyhow::Result;
use chrono::{DateTime, Utc};

use crate::App;
use crate::key::{self, ApiKey, Roles, Verdict};
use crate::ops::{Done, authenticate, open};
use crate::store::{Open, Store};
use crate::token::Token;

/// The verdict on a key, and the key when it is not rejected (a rejected
/// key tells nothing about the key it claims to be).
pub struct Verified {
    pub verdict: Verdict,
    pub key: Option<ApiKey>,
}

/// Judges `token` against the store, needing `wanted` roles: one argon2
/// verification whatever is found. Anyone who can read the store may ask.
/// The store stays open in the answer: closing a connection to a server
/// waits for the server to hang up, which the user need not wait for
/// before the verdict is out.
pub fn verify(app: &App, token: &Token, wanted: &Roles) -> Result<Done<Verified>> {
    let mut store = open(app, Open::MustExist)?;
    let verified = match authenticate(store.as_ref(), token)? {
        Some(key) => {
            let verdict = Verdict::of(&key, wanted, app.now);
            if verdict != Verdict::Rejected {
                record_use(store.as_mut(), &key, app.now);
            }
            let key = (verdict != Verdict::Rejected).then_some(key);
            Verified { verdict, key }
        }
        None => Verified {
            verdict: Verdict::Rejected,
            key: None,
        },
    };
    Ok(Done {
        fact: verified,
        store,
    })
}

/// Notes that the key was presented with its right secret, at most once
/// per `last_used_resolution`: most verifies write nothing. Never fails the
/// verification: a busy or read-only store just misses the note.
fn record_use(store: &mut dyn Store, key: &ApiKey, now: DateTime<Utc>) {
    if store.is_read_only() || !key::use_worth_recording(key.last_used_at, now) {
        return;
    }
    let _ = store.record_use(&key.id, now, now - key::last_used_resolution());
}
