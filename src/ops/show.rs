//! `show`: one key, every field, and its story from the audit log.

use anyhow::Result;

use crate::App;
use crate::audit::Entry;
use crate::key::ApiKey;
use crate::operator::Action;
use crate::ops::{LookUp, is_tampered, open_authorized_about, resolve_key};
use crate::store::{self, AuditFilter};
use crate::token;

/// A key and its history.
pub struct Shown {
    pub key: ApiKey,
    /// Why its row is not trusted, when it was changed outside the tool:
    /// it is shown as stored, marked so.
    pub tampered: Option<store::Error>,
    pub events: Vec<Entry>,
}

/// The key `text` names, even retired or tampered (its history is what
/// whoever investigates it needs), with its audit entries.
pub fn show(app: &App, text: &str) -> Result<Shown> {
    let store = open_authorized_about(app, Action::Show, &[text.to_string()])?;
    let (key, checked) =
        match resolve_key(store.as_ref(), text, app.now, LookUp::Show, Action::Show) {
            // Found by its ID, its row was checked as it was read.
            Ok(key) => {
                let checked = key.id == text;
                (key, checked)
            }
            Err(err) if token::is_id(text) && is_tampered(&err) => {
                match store.find_key_as_stored(text)? {
                    Some(stored) => (stored.key, false),
                    None => return Err(err),
                }
            }
            Err(err) => return Err(err),
        };
    // Found by name (or as stored), its row has not been checked yet.
    let tampered = match checked {
        true => None,
        false => match store.find_key(&key.id) {
            Err(err @ store::Error::Tampered { .. }) => Some(err),
            found => found.map(|_| None)?,
        },
    };
    // One key's entries: a handful, whatever the size of the log.
    let mut events = Vec::new();
    store.each_audit_entry(
        &AuditFilter {
            key_id: Some(key.id.clone()),
            ..AuditFilter::default()
        },
        &mut |entry| {
            events.push(entry);
            Ok(())
        },
    )?;
    Ok(Shown {
        key,
        tampered,
        events,
    })
}
