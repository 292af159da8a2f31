//! Checking a presented key against the store: one argon2 verification
//! whatever is found, for `verify`, `delete --key`, `scan --revoke` and
//! `serve`.

use anyhow::Result;

use crate::hash;
use crate::key::ApiKey;
use crate::store::{self, Store};
use crate::token::Token;

/// The key whose ID and secret match the token, after exactly one argon2
/// verification whether or not the ID exists, so that the time taken tells
/// nothing about which IDs exist.
pub fn authenticate(store: &dyn Store, token: &Token) -> Result<Option<ApiKey>> {
    let found = match store.find_key(token.id()) {
        Err(tampered @ crate::store::Error::Tampered { .. }) => {
            // Rejected like an unknown key, at the same cost, and said why
            // on stderr for whoever must investigate.
            hash::verify_dummy(token.secret())?;
            crate::output::note(format!(
                "intergiro-keys: {}",
                crate::explain::sentence(&tampered)
            ));
            return Ok(None);
        }
        found => found?,
    };
    check_secret(token, found)
}

/// The key of `found`, the row the token's ID names (None: no such row),
/// when the token's secret matches its hash; one argon2 verification either
/// way.
pub fn check_secret(token: &Token, found: Option<store::StoredKey>) -> Result<Option<ApiKey>> {
    match found {
        Some(stored) => {
            if let Some(problem) = hash::foreign_parameters(&stored.secret_hash) {
                // Never evaluated with costs whoever wrote the row chose;
                // rejected at the cost of any rejection.
                hash::verify_dummy(token.secret())?;
                crate::output::note(format!(
                    "intergiro-keys: {}",
                    crate::explain::sentence(&store::Error::Tampered {
                        subject: crate::audit::key_subject(&stored.key.id),
                        problem,
                    })
                ));
                return Ok(None);
            }
            let matches = hash::verify_secret(token.secret(), &stored.secret_hash)?;
            Ok(matches.then_some(stored.key))
        }
        None => {
            hash::verify_dummy(token.secret())?;
            Ok(None)
        }
    }
}
