//! `rotate`: a replacement key with the same name and roles, stored
//! unissued until its secret has been written out; then the old key starts
//! retiring (`Replacement::finish`), or the rotation is abandoned
//! (`Replacement::discard`) and the old key left as it was.

use anyhow::{Result, anyhow, bail};
use chrono::{DateTime, Utc};

use crate::App;
use crate::explain::Explained;
use crate::key::{self, ApiKey};
use crate::operator::Action;
use crate::ops::create::{generate_key, not_activated};
use crate::ops::{
    Done, LookUp, authorize_roles, open_authorized_about, record_refused, resolve_key,
};
use crate::store::{self, NotRotatable, Store};
use crate::text::{human_time, sanitize};
use crate::token::Token;

/// A replacement stored unissued, with its secret, and the key it replaces.
pub struct Replacement {
    store: Box<dyn Store>,
    pub token: Token,
    pub key: ApiKey,
    pub old: ApiKey,
}

/// Authorizes the acting operator to rotate the key `text` names (and to
/// give a key its roles), then claims it and stores its replacement
/// unissued, in one transaction of the store. A refusal (already rotated,
/// being rotated, unissued) is recorded in the key's history.
pub fn rotate(app: &App, text: &str) -> Result<Replacement> {
    let mut store = open_authorized_about(app, Action::Rotate, &[text.to_string()])?;
    let old = resolve_key(
        store.as_ref(),
        text,
        app.now,
        LookUp::Change,
        Action::Rotate,
    )?;
    authorize_roles(app, store.as_mut(), Action::Rotate, &old.id, &old.roles)?;
    if key::holds_key_text(&old.name) {
        // A rotation copies the name, and with it the key text.
        bail!(
            "key {}'s name holds key text (igk_ and an ID followed by more), which a rotation would copy into the new key; delete it (`intergiro-keys delete {}`) and create its replacement with a proper name (`intergiro-keys create --name NAME --role {}`); nothing was changed",
            old.id,
            old.id,
            old.roles
        );
    }
    let begun = generate_key(
        old.name.clone(),
        old.roles.clone(),
        app,
        |key, secret_hash| Ok(store.begin_rotation(&old.id, key, secret_hash, app.actor())?),
    );
    match begun {
        Ok((token, key)) => Ok(Replacement {
            store,
            token,
            key,
            old,
        }),
        Err(err) => Err(refused(app, store.as_mut(), &old, err)),
    }
}

/// A rotation the store refused, recorded in the key's history in the
/// store's own words; a key rotated already names its replacement to
/// rotate instead.
fn refused(app: &App, store: &mut dyn Store, old: &ApiKey, err: anyhow::Error) -> anyhow::Error {
    let Some(Explained {
        error: store::Error::NotRotatable { reason, .. },
        ..
    }) = err.downcast_ref::<Explained>()
    else {
        return err;
    };
    let shown = match (reason, &old.replaced_by) {
        (NotRotatable::Retiring(retires_at), Some(replacement)) => {
            let new = sanitize(replacement);
            Some(anyhow!(
                "key {} was already rotated and retires at {}; rotate its replacement {new} instead (`intergiro-keys rotate {new}`); nothing was changed",
                sanitize(&old.id),
                human_time(*retires_at)
            ))
        }
        _ => None,
    };
    record_refused(store, Action::Rotate, Some(&old.id), &err, app.actor());
    shown.unwrap_or(err)
}

impl Replacement {
    /// The secret was written out: it is wiped from memory, then the new key
    /// becomes usable and the old one retires at `retires_at`.
    pub fn finish(self, app: &App, retires_at: DateTime<Utc>) -> Result<Done<ApiKey>> {
        let Replacement {
            mut store,
            token,
            key,
            old,
        } = self;
        drop(token);
        store
            .finish_rotation(&old.id, &key.id, retires_at, app.actor())
            .map_err(|err| not_activated(err, &key.id, Some(&old.id)))?;
        Ok(Done { fact: key, store })
    }

    /// The secret could not be written out (`err`): it is wiped, the new key
    /// discarded and the old one left as it was; the error says so.
    pub fn discard(self, app: &App, err: anyhow::Error) -> anyhow::Error {
        let Replacement {
            mut store,
            token,
            key,
            old,
        } = self;
        drop(token);
        match store.discard_unissued(&key.id, app.actor()) {
            Ok(()) => anyhow!(
                "the new key could not be written to stdout ({err:#}), so it was discarded; key {} was left as it was",
                old.id
            ),
            Err(_) => anyhow!(
                "the new key could not be written to stdout ({err:#}); key {} stays unusable — delete it; key {} was left as it was",
                key.id,
                old.id
            ),
        }
    }
}
