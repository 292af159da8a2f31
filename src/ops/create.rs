//! `create`: a new key, stored unissued until its secret has been written
//! out, then issued (`NewKey::issue`) or discarded (`NewKey::discard`).

use anyhow::{Context, Result, anyhow, bail};

use crate::App;
use crate::hash;
use crate::key::{ApiKey, Roles};
use crate::operator::Action;
use crate::ops::{Done, open_to_create};
use crate::store::Store;
use crate::text::sanitize;
use crate::token::Token;

/// A key stored unissued, and its secret: nothing can use it until the
/// command has written the secret out and called `issue`.
pub struct NewKey {
    store: Box<dyn Store>,
    pub token: Token,
    pub key: ApiKey,
    /// What the one who creates the key should know (a name other live
    /// keys have).
    pub warnings: Vec<String>,
}

/// Authorizes the acting operator to create a key with `roles` (creating
/// the store if need be), checks the name against live keys' (refused with
/// `unique_name`, else a warning) and stores the new key unissued.
pub fn create(app: &App, name: String, roles: Roles, unique_name: bool) -> Result<NewKey> {
    let mut store = open_to_create(app, &roles)?;
    let warnings = namesakes(store.as_ref(), &name, app, unique_name)?;
    let (token, key) = generate_key(name, roles, app, |key, secret_hash| {
        Ok(store.insert_unissued(key, secret_hash, app.actor())?)
    })?;
    Ok(NewKey {
        store,
        token,
        key,
        warnings,
    })
}

impl NewKey {
    /// The secret was written out: it is wiped from memory, then the key
    /// becomes usable.
    pub fn issue(self) -> Result<Done<ApiKey>> {
        let NewKey {
            mut store,
            token,
            key,
            ..
        } = self;
        drop(token);
        store
            .mark_issued(&key.id)
            .map_err(|err| not_activated(err, &key.id, None))?;
        Ok(Done { fact: key, store })
    }

    /// The secret could not be written out (`err`): it is wiped, the key is
    /// discarded, and the error says so.
    pub fn discard(self, app: &App, err: anyhow::Error) -> anyhow::Error {
        let NewKey {
            mut store,
            token,
            key,
            ..
        } = self;
        drop(token);
        // A message, not the I/O error itself: a closed pipe here is a
        // failure (exit 2), not the quiet success it is for other commands.
        match store.discard_unissued(&key.id, app.actor()) {
            Ok(()) => anyhow!(
                "the key could not be written to stdout ({err:#}), so it was discarded and nothing was created"
            ),
            Err(_) => anyhow!(
                "the key could not be written to stdout ({err:#}); key {} stays unusable — delete it",
                key.id
            ),
        }
    }
}

/// The error for a new key `id` whose secret was written out but which
/// could not be made usable; `old` is the key a rotation was to replace.
pub fn not_activated(err: crate::store::Error, id: &str, old: Option<&str>) -> anyhow::Error {
    let old_works = old
        .map(|old| format!("; key {old} still works"))
        .unwrap_or_default();
    if matches!(err, crate::store::Error::Unreachable { .. }) {
        // Known not activated, the server gone: the store's sentence says
        // nothing was changed, but the key is there, unissued.
        return anyhow::Error::new(crate::Temporary(format!(
            "the secret above was printed, but the PostgreSQL server was lost before key {id} could be activated, so that secret does not work{old_works}: once the server is back, delete {id} (`intergiro-keys delete {id}`) and try again"
        )));
    }
    let unknown = matches!(err, crate::store::Error::OutcomeUnknown { .. });
    let err = anyhow::Error::from(err);
    if unknown {
        return err.context(format!(
            "the secret above was printed, but whether key {id} was activated is not known"
        ));
    }
    err.context(match old {
        Some(old) => format!(
            "the secret was printed but key {id} could not be activated; key {old} still works — delete {id} and rotate again"
        ),
        None => format!(
            "the secret was printed but key {id} could not be activated; delete it and create another"
        ),
    })
}

/// The warning for a name live keys already have, or with `unique` the
/// refusal of it (before anything is created): a second key of a name makes
/// every command given that name ask for an ID instead.
fn namesakes(store: &dyn Store, name: &str, app: &App, unique: bool) -> Result<Vec<String>> {
    let named = store.keys_named(name, false, app.now, Action::Create)?;
    let ids: Vec<String> = named
        .iter()
        .map(|key| sanitize(&key.id).into_owned())
        .collect();
    let shown = sanitize(name);
    let (keys, verb) = match ids.len() {
        0 => return Ok(Vec::new()),
        1 => ("a live key".to_string(), "has"),
        n => (format!("{n} live keys"), "have"),
    };
    if unique {
        bail!(
            "{keys} ({}) already {verb} the name \"{shown}\"; nothing was created — choose another name, or leave out --unique-name to create another key of that name",
            ids.join(", ")
        );
    }
    Ok(vec![format!(
        "{keys} ({}) already {verb} the name \"{shown}\"; commands given that name will ask for an ID (`--unique-name` refuses a taken name)",
        ids.join(", ")
    )])
}

/// Generates a key and hands it with its hash to `store`, which stores it
/// unissued and says false when the ID is taken; then tries another (a
/// collision of random IDs is astronomically unlikely).
pub fn generate_key(
    name: String,
    roles: Roles,
    app: &App,
    mut store: impl FnMut(&ApiKey, &str) -> Result<bool>,
) -> Result<(Token, ApiKey)> {
    for _ in 0..5 {
        let token = Token::generate().context("the operating system's random generator failed")?;
        let secret_hash = hash::hash_secret(token.secret())?;
        let key = ApiKey::new(token.id().to_string(), name.clone(), roles.clone(), app.now);
        if store(&key, &secret_hash)? {
            return Ok((token, key));
        }
    }
    bail!("could not find an unused key ID; try again")
}
