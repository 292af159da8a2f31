//! `delete`: keys given by ID or name, presented in full on stdin, or
//! selected by filters, deleted at once (all or none), each deletion
//! audited. Between choosing the keys and deleting them the command may ask
//! for confirmation (`Deletion::resolved` names them).

use anyhow::{Result, bail};

use crate::App;
use crate::key::ApiKey;
use crate::operator::Action;
use crate::ops::{
    Done, act_on_keys, authenticate, open_authorized_about, open_authorized_to_select, resolve_ids,
    retired_key,
};
use crate::store::{self, KeyFilter, Store};
use crate::token::{Malformed, Token};

/// Keys about to be deleted, in the store the acting operator may delete
/// them from.
pub struct Deletion {
    store: Box<dyn Store>,
    /// The texts given (IDs or names) until resolved, then key IDs.
    keys: Vec<String>,
    resolved: bool,
}

/// The keys `texts` name (IDs or names), once the acting operator is
/// authorized to delete; they are resolved when first needed.
pub fn keys(app: &App, texts: &[String]) -> Result<Deletion> {
    let store = open_authorized_about(app, Action::Delete, texts)?;
    Ok(Deletion {
        store,
        keys: texts.to_vec(),
        resolved: false,
    })
}

/// The key presented in full, read by `read` once the acting operator is
/// authorized, whose secret must match: a typo must not delete some other
/// key.
pub fn presented(
    app: &App,
    given: &[String],
    read: impl FnOnce() -> Result<Result<Token, Malformed>>,
) -> Result<Deletion> {
    let store = open_authorized_about(app, Action::Delete, given)?;
    let token = match read()? {
        Ok(token) => token,
        Err(malformed) => bail!("the text on stdin is not a key: {malformed}; nothing was changed"),
    };
    let id = match authenticate(store.as_ref(), &token)? {
        None => bail!(
            "the key on stdin is not a key of this database (already deleted?); nothing was changed"
        ),
        Some(key) if !key.is_live(app.now) => return Err(retired_key(&key, app.now)),
        Some(key) => key.id,
    };
    Ok(Deletion {
        store,
        keys: vec![id],
        resolved: true,
    })
}

/// Every live key `filter` selects (the `view` permission is needed too, to
/// list them).
pub fn selected(app: &App, filter: &KeyFilter) -> Result<Deletion> {
    let store = open_authorized_to_select(app, Action::Delete)?;
    let keys = store::keys(store.as_ref(), filter)?
        .into_iter()
        .map(|key| key.id)
        .collect();
    Ok(Deletion {
        store,
        keys,
        resolved: true,
    })
}

impl Deletion {
    /// The store, and the IDs of the keys to delete, resolved now if they
    /// were not yet: for the command to name them before it asks.
    pub fn resolved(&mut self, app: &App) -> Result<(&dyn Store, &[String])> {
        if !self.resolved {
            self.keys = resolve_ids(self.store.as_ref(), &self.keys, app.now, Action::Delete)?;
            self.resolved = true;
        }
        Ok((self.store.as_ref(), &self.keys))
    }

    /// The store the keys are in.
    pub fn store(&self) -> &dyn Store {
        self.store.as_ref()
    }

    /// Deletes the keys, all or none, each deletion audited. Keys given by
    /// ID and not yet resolved are read once, in the deletion's
    /// transaction.
    pub fn delete(self, app: &App) -> Result<Done<Vec<ApiKey>>> {
        let Deletion {
            mut store,
            keys,
            resolved,
        } = self;
        let deleted = if resolved {
            store.delete(&keys, app.actor())?
        } else {
            act_on_keys(
                store.as_mut(),
                &keys,
                app.now,
                Action::Delete,
                |store, ids| store.delete(ids, app.actor()),
            )?
        };
        Ok(Done {
            fact: deleted,
            store,
        })
    }
}
