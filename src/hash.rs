//! argon2id hashing of key secrets, in one place with fixed parameters.
//!
//! The parameters are the argon2 crate's defaults (OWASP's first choice):
//! argon2id, m = 19456 KiB, t = 2, p = 1, a 16-byte salt from the OS, stored as
//! a PHC string that carries them, so a later change of defaults still
//! verifies old hashes.

use anyhow::{Context, Result, anyhow};
use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{Error as HashError, PasswordHasher, PasswordVerifier};

/// A hash with the same parameters as real ones, made by the reference C
/// implementation (`argon2 igk-dummy-salt-0 -id -t 2 -k 19456 -p 1`) from a
/// secret that no key has. `verify` checks unknown IDs against it so that an
/// unknown ID costs as much as a known one.
pub const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$aWdrLWR1bW15LXNhbHQtMA$Pvh++CwxW3SXNUzUiq2pJZ38gSMT+gq238nBzZCfT9M";

/// Hashes a secret with a fresh random salt and returns the PHC string.
pub fn hash_secret(secret: &str) -> Result<String> {
    let hash: PasswordHash = Argon2::default()
        .hash_password(secret.as_bytes())
        .map_err(|err| anyhow!("could not hash the secret: {err}"))?;
    Ok(hash.to_string())
}

/// Whether `secret` matches the PHC string `stored`. An unreadable stored
/// hash is an error (a damaged database), not a mismatch.
pub fn verify_secret(secret: &str, stored: &str) -> Result<bool> {
    let parsed = PasswordHash::new(stored)
        .map_err(|err| anyhow!("{err}"))
        .context("a stored key hash is damaged")?;
    match Argon2::default().verify_password(secret.as_bytes(), &parsed) {
        Ok(()) => Ok(true),
        Err(HashError::PasswordInvalid) => Ok(false),
        Err(err) => Err(anyhow!("could not verify the secret: {err}")),
    }
}

/// Spends the same work as `verify_secret` on a real hash, and always fails.
pub fn verify_dummy(secret: &str) -> Result<bool> {
    verify_secret(secret, DUMMY_HASH).map(|_| false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_its_secret_and_nothing_else() {
        let stored = hash_secret("correct horse").unwrap();
        assert!(stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(!stored.contains("correct horse"));
        assert!(verify_secret("correct horse", &stored).unwrap());
        assert!(!verify_secret("correct hors", &stored).unwrap());
    }

    #[test]
    fn the_same_secret_hashes_differently_each_time() {
        assert_ne!(hash_secret("s").unwrap(), hash_secret("s").unwrap());
    }

    #[test]
    fn the_dummy_hash_has_the_parameters_of_real_hashes() {
        let real = hash_secret("x").unwrap();
        let params = |phc: &str| phc.split('$').nth(3).unwrap().to_string();
        assert_eq!(params(DUMMY_HASH), params(&real));
        // The C reference implementation's output verifies here too.
        assert!(verify_secret("intergiro-keys-dummy-secret-never-issued", DUMMY_HASH).unwrap());
        assert!(!verify_dummy("intergiro-keys-dummy-secret-never-issued").unwrap());
    }

    #[test]
    fn a_damaged_stored_hash_is_an_error() {
        assert!(verify_secret("x", "not a phc string").is_err());
    }
}
