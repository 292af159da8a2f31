//! `renew`: a fresh 90 days for keys given by ID or name.

use anyhow::Result;

use crate::App;
use crate::key;
use crate::operator::Action;
use crate::ops::{Done, act_on_keys, open_authorized_about};
use crate::store::Renewal;

/// Renews every key `keys` names, or none. The store refuses a key retiring
/// after a rotation (renewing it would not keep it working past its grace)
/// in the renewal's transaction and records the refusal in its history.
pub fn renew(app: &App, keys: &[String]) -> Result<Done<Vec<Renewal>>> {
    let mut store = open_authorized_about(app, Action::Renew, keys)?;
    let freezes_at = key::freezes_at(app.now);
    let renewals = act_on_keys(
        store.as_mut(),
        keys,
        app.now,
        Action::Renew,
        |store, ids| store.renew(ids, freezes_at, app.actor()),
    )?;
    Ok(Done {
        fact: renewals,
        store,
    })
}
