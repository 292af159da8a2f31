//! argon2id hashing of key secrets, in one place with fixed parameters.
//!
//! The parameters are the argon2 crate's defaults (OWASP's first choice):
//! argon2id, m = 19456 KiB, t = 2, p = 1, a 16-byte salt from the OS, stored as
//! a PHC string that carries them, so a later change of defaults still
//! verifies old hashes.

mod memory;

use anyhow::{Context, Result, anyhow};
use argon2::password_hash::phc::{Ident, Output, ParamsString, PasswordHash, Salt};
use argon2::{Algorithm, Argon2, Params, Version};
use rand::TryRng;
use rand::rngs::SysRng;

use memory::Memory;

/// A hash with the same parameters as real ones, made by the reference C
/// implementation (`argon2 igk-dummy-salt-0 -id -t 2 -k 19456 -p 1`) from a
/// secret that no key has. `verify` checks unknown IDs against it so that an
/// unknown ID costs as much as a known one.
pub const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$aWdrLWR1bW15LXNhbHQtMA$Pvh++CwxW3SXNUzUiq2pJZ38gSMT+gq238nBzZCfT9M";

/// Hashes a secret with a fresh random salt and returns the PHC string.
pub fn hash_secret(secret: &str) -> Result<String> {
    let params = Params::default();
    let mut salt = [0u8; argon2::RECOMMENDED_SALT_LEN];
    SysRng
        .try_fill_bytes(&mut salt)
        .map_err(|err| anyhow!("could not draw a salt from the operating system: {err}"))?;
    let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
    evaluate(
        Algorithm::Argon2id,
        Version::V0x13,
        &params,
        secret.as_bytes(),
        &salt,
        &mut out,
    )?;
    let hash = PasswordHash {
        algorithm: Ident::from(Algorithm::Argon2id),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params).map_err(|err| anyhow!("{err}"))?,
        salt: Some(Salt::new(&salt).map_err(|err| anyhow!("{err}"))?),
        hash: Some(Output::new(&out).map_err(|err| anyhow!("{err}"))?),
    };
    Ok(hash.to_string())
}

/// Whether `secret` matches the PHC string `stored`. An unreadable stored
/// hash is an error (a damaged database), not a mismatch.
pub fn verify_secret(secret: &str, stored: &str) -> Result<bool> {
    let damaged = "a stored key hash is damaged";
    let parsed = PasswordHash::new(stored)
        .map_err(|err| anyhow!("{err}"))
        .context(damaged)?;
    let (Some(salt), Some(expected)) = (&parsed.salt, &parsed.hash) else {
        return Err(anyhow!("it has no salt or no hash").context(damaged));
    };
    let algorithm = Algorithm::new(parsed.algorithm.as_str())
        .map_err(|err| anyhow!("{err}"))
        .context(damaged)?;
    let version = parsed
        .version
        .map(Version::try_from)
        .transpose()
        .map_err(|err| anyhow!("{err}"))
        .context(damaged)?
        .unwrap_or_default();
    let params = Params::try_from(&parsed)
        .map_err(|err| anyhow!("{err}"))
        .context(damaged)?;
    let mut out = [0u8; Output::MAX_LENGTH];
    let out = &mut out[..expected.len()];
    evaluate(algorithm, version, &params, secret.as_bytes(), salt, out)?;
    // `Output`'s equality takes the same time wherever the bytes differ.
    let computed = Output::new(out).map_err(|err| anyhow!("{err}"))?;
    Ok(computed == *expected)
}

/// One argon2 evaluation, with its memory from a huge-page mapping: by the
/// AVX2 code where the CPU has it and the inputs are ones the crate accepts,
/// otherwise by the crate (which then also reports what is wrong with them).
fn evaluate(
    algorithm: Algorithm,
    version: Version,
    params: &Params,
    secret: &[u8],
    salt: &[u8],
    out: &mut [u8],
) -> Result<()> {
    let mut memory = Memory::new(params.block_count())?;
    #[cfg(target_arch = "x86_64")]
    if let Some(avx2) = *AVX2
        && accepted(params, secret, salt, out)
    {
        let inputs = argon2_avx2::Inputs {
            password: secret,
            salt,
            secret: &[],
        };
        argon2_avx2::hash(
            avx2,
            algorithm,
            version,
            params,
            inputs,
            out,
            memory.blocks(),
        );
        #[cfg(test)]
        tests::AVX2_EVALUATIONS.with(|count| count.set(count.get() + 1));
        return Ok(());
    }
    Argon2::new(algorithm, version, params.clone())
        .hash_password_into_with_memory(secret, salt, out, memory.blocks())
        .map_err(|err| anyhow!("could not hash the secret: {err}"))
}

/// The proof that this CPU has AVX2, asked for once per process.
#[cfg(target_arch = "x86_64")]
static AVX2: std::sync::LazyLock<Option<argon2_avx2::Avx2>> =
    std::sync::LazyLock::new(argon2_avx2::Avx2::detect);

/// Whether the crate would accept these inputs (its own checks, which the
/// AVX2 path does not repeat).
#[cfg(target_arch = "x86_64")]
fn accepted(params: &Params, secret: &[u8], salt: &[u8], out: &[u8]) -> bool {
    let wanted = params.output_len();
    secret.len() <= argon2::MAX_PWD_LEN
        && (argon2::MIN_SALT_LEN..=argon2::MAX_SALT_LEN).contains(&salt.len())
        && out.len() >= wanted.unwrap_or(Params::MIN_OUTPUT_LEN)
        && out.len() <= wanted.unwrap_or(Params::MAX_OUTPUT_LEN)
}

/// Why a stored hash is not one this tool made, judged from its PHC string
/// alone, before any argon2 work: another algorithm, version, cost, salt or
/// length. Whoever could write a hash could otherwise pick its cost (a
/// `t=4000000000` has every check of the matching key text run for days).
pub fn foreign_parameters(stored: &str) -> Option<String> {
    let Ok(parsed) = PasswordHash::new(stored) else {
        return Some("it is not a PHC string".into());
    };
    let ours = Params::default();
    let wanted = format!(
        "argon2id v=19 m={},t={},p={}, a {}-byte salt and a {}-byte hash",
        ours.m_cost(),
        ours.t_cost(),
        ours.p_cost(),
        argon2::RECOMMENDED_SALT_LEN,
        Params::DEFAULT_OUTPUT_LEN
    );
    let params = Params::try_from(&parsed).ok();
    let same = parsed.algorithm.as_str() == Algorithm::Argon2id.ident().as_str()
        && parsed.version == Some(Version::V0x13.into())
        && params.as_ref().is_some_and(|params| {
            params.m_cost() == ours.m_cost()
                && params.t_cost() == ours.t_cost()
                && params.p_cost() == ours.p_cost()
                && params.data().is_empty()
                && params.keyid().is_empty()
        })
        && parsed.params.iter().count() == 3
        && parsed
            .salt
            .as_ref()
            .is_some_and(|salt| salt.len() == argon2::RECOMMENDED_SALT_LEN)
        && parsed
            .hash
            .as_ref()
            .is_some_and(|hash| hash.len() == Params::DEFAULT_OUTPUT_LEN);
    (!same).then(|| {
        let shown: String = stored
            .split('$')
            .take(4)
            .collect::<Vec<_>>()
            .join("$")
            .chars()
            .take(80)
            .collect();
        format!("its hash has parameters {shown:?}, not the tool's ({wanted})")
    })
}

/// A PHC string of the tool's own parameters, as a POSIX regular
/// expression for the PostgreSQL store's functions: the same hashes
/// `foreign_parameters` accepts.
pub fn phc_pattern() -> String {
    let ours = Params::default();
    // Unpadded base64: 4 characters per 3 bytes, rounded up.
    let b64 = |bytes: usize| (bytes * 4).div_ceil(3);
    format!(
        "^\\$argon2id\\$v=19\\$m={},t={},p={}\\$[A-Za-z0-9+/]{{{}}}\\$[A-Za-z0-9+/]{{{}}}$",
        ours.m_cost(),
        ours.t_cost(),
        ours.p_cost(),
        b64(argon2::RECOMMENDED_SALT_LEN),
        b64(Params::DEFAULT_OUTPUT_LEN)
    )
}

/// Spends the same work as `verify_secret` on a real hash, and always fails.
pub fn verify_dummy(secret: &str) -> Result<bool> {
    verify_secret(secret, DUMMY_HASH).map(|_| false)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Tests that look for their mapping in /proc/self/maps run one at a
    /// time with every test that maps argon2 memory.
    pub static MAPPINGS: std::sync::Mutex<()> = std::sync::Mutex::new(());

    thread_local! {
        /// Evaluations this thread made with the AVX2 code.
        pub static AVX2_EVALUATIONS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
    }

    pub fn serial() -> std::sync::MutexGuard<'static, ()> {
        MAPPINGS
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    #[test]
    fn the_mapped_memory_gives_the_same_hash_as_the_crates_own_allocation() {
        let _serial = serial();
        let argon2 = Argon2::default();
        let salt = b"sixteen byte sal";
        let mut ours = [0u8; 32];
        let mut theirs = [0u8; 32];
        let params = Params::default();
        let (algorithm, version) = (Algorithm::Argon2id, Version::V0x13);
        evaluate(
            algorithm,
            version,
            &params,
            b"correct horse",
            salt,
            &mut ours,
        )
        .unwrap();
        argon2
            .hash_password_into(b"correct horse", salt, &mut theirs)
            .unwrap();
        assert_eq!(ours, theirs);
        assert_ne!(ours, [0u8; 32]);
    }

    /// Keys' hashes take the vectorised path where the CPU has AVX2; inputs
    /// the crate refuses go to the crate, which says what is wrong.
    #[test]
    #[cfg(target_arch = "x86_64")]
    fn keys_take_the_avx2_path_and_bad_inputs_the_crates_error() {
        let _serial = serial();
        let params = Params::default();
        assert!(accepted(&params, b"secret", &[0; 16], &[0; 32]));
        assert!(!accepted(&params, b"secret", &[0; 7], &[0; 32]));
        assert!(!accepted(&params, b"secret", &[0; 16], &[0; 3]));
        let (algorithm, version) = (Algorithm::Argon2id, Version::V0x13);
        let err = evaluate(algorithm, version, &params, b"x", b"salt", &mut [0; 32]).unwrap_err();
        assert!(format!("{err:#}").contains("salt"), "{err:#}");
    }

    /// Hashing a key, verifying it, refusing a wrong secret and checking an
    /// unknown ID against the dummy hash all take the AVX2 code where the
    /// CPU has it (the same code for all, so the same time), the crate's
    /// where not.
    #[test]
    fn hashing_and_every_verification_take_the_same_path() {
        let _serial = serial();
        let before = AVX2_EVALUATIONS.with(std::cell::Cell::get);
        let stored = hash_secret("correct horse").unwrap();
        assert!(verify_secret("correct horse", &stored).unwrap());
        assert!(!verify_secret("correct hors", &stored).unwrap());
        assert!(!verify_dummy("correct horse").unwrap());
        let taken = AVX2_EVALUATIONS.with(std::cell::Cell::get) - before;
        #[cfg(target_arch = "x86_64")]
        let expected = if AVX2.is_some() { 4 } else { 0 };
        #[cfg(not(target_arch = "x86_64"))]
        let expected = 0;
        assert_eq!(taken, expected);
    }

    #[test]
    fn hashes_made_with_other_parameters_still_verify() {
        use argon2::password_hash::PasswordHasher;
        let _serial = serial();
        for (algorithm, m, t, p) in [
            (Algorithm::Argon2id, 4096, 3, 1),
            (Algorithm::Argon2id, 8192, 1, 2),
            (Algorithm::Argon2i, 4096, 2, 1),
        ] {
            let params = Params::new(m, t, p, None).unwrap();
            let stored = Argon2::new(algorithm, Version::V0x13, params)
                .hash_password(b"old secret")
                .unwrap()
                .to_string();
            assert!(verify_secret("old secret", &stored).unwrap(), "{stored}");
            assert!(!verify_secret("old secreT", &stored).unwrap(), "{stored}");
        }
    }

    /// Every parameter a stored PHC string can carry (algorithm, v=16 or
    /// 19, m not a multiple of 4p, p > 1, data=, keyid=, tags of 10
    /// to 64 bytes): what the crate hashed verifies here, and only with its
    /// secret.
    #[test]
    fn every_parameter_a_stored_hash_can_carry_verifies() {
        use argon2::password_hash::PasswordHasher;
        use argon2::{AssociatedData, KeyId, ParamsBuilder};
        let _serial = serial();
        let mut cases = 0;
        for algorithm in [Algorithm::Argon2d, Algorithm::Argon2i, Algorithm::Argon2id] {
            for version in [Version::V0x10, Version::V0x13] {
                for (m, t, p, len, data, keyid) in [
                    (8, 1, 1, 10, &[][..], &[][..]),
                    (35, 2, 2, 64, &[0x04; 12][..], &[][..]),
                    (100, 3, 3, 33, &[][..], &[0x01; 8][..]),
                    (64, 1, 1, 32, &[0xff; 32][..], &[0x02, 0x03][..]),
                ] {
                    let params = ParamsBuilder::new()
                        .m_cost(m)
                        .t_cost(t)
                        .p_cost(p)
                        .output_len(len)
                        .data(AssociatedData::new(data).unwrap())
                        .keyid(KeyId::new(keyid).unwrap())
                        .build()
                        .unwrap();
                    let stored = Argon2::new(algorithm, version, params)
                        .hash_password(b"stored secret")
                        .unwrap()
                        .to_string();
                    assert!(verify_secret("stored secret", &stored).unwrap(), "{stored}");
                    assert!(
                        !verify_secret("stored secreT", &stored).unwrap(),
                        "{stored}"
                    );
                    cases += 1;
                }
            }
        }
        assert_eq!(cases, 24);
    }

    #[test]
    fn a_hash_verifies_its_secret_and_nothing_else() {
        let _serial = serial();
        let stored = hash_secret("correct horse").unwrap();
        assert!(stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(!stored.contains("correct horse"));
        assert!(verify_secret("correct horse", &stored).unwrap());
        assert!(!verify_secret("correct hors", &stored).unwrap());
    }

    #[test]
    fn the_same_secret_hashes_differently_each_time() {
        let _serial = serial();
        assert_ne!(hash_secret("s").unwrap(), hash_secret("s").unwrap());
    }

    #[test]
    fn the_dummy_hash_has_the_parameters_of_real_hashes() {
        let _serial = serial();
        let real = hash_secret("x").unwrap();
        let params = |phc: &str| phc.split('$').nth(3).unwrap().to_string();
        assert_eq!(params(DUMMY_HASH), params(&real));
        // The C reference implementation's output verifies here too.
        assert!(verify_secret("intergiro-keys-dummy-secret-never-issued", DUMMY_HASH).unwrap());
        assert!(!verify_dummy("intergiro-keys-dummy-secret-never-issued").unwrap());
    }

    #[test]
    fn only_hashes_with_the_tools_own_parameters_are_its_own() {
        let _serial = serial();
        let real = hash_secret("x").unwrap();
        assert_eq!(foreign_parameters(&real), None);
        assert_eq!(foreign_parameters(DUMMY_HASH), None);
        let (head, tail) = real.split_at(real.find("$m=").unwrap());
        let tail = &tail["$m=19456,t=2,p=1".len()..];
        for params in [
            "$m=19456,t=4000000000,p=1",
            "$m=19456,t=1,p=1",
            "$m=4194304,t=2,p=1",
            "$m=19456,t=2,p=2",
            "$m=19456,t=2,p=1,keyid=AQID",
            "$m=19456,t=2,p=1,data=AQID",
        ] {
            let stored = format!("{head}{params}{tail}");
            assert!(foreign_parameters(&stored).is_some(), "{stored}");
        }
        for (from, to) in [
            ("argon2id", "argon2i"),
            ("argon2id", "argon2d"),
            ("v=19", "v=16"),
        ] {
            let stored = real.replacen(from, to, 1);
            assert!(foreign_parameters(&stored).is_some(), "{stored}");
        }
        // A shorter salt or hash (the crate would take both).
        let parts: Vec<&str> = real.split('$').collect();
        let short_salt = format!(
            "${}${}${}${}${}",
            parts[1],
            parts[2],
            parts[3],
            &parts[4][..11],
            parts[5]
        );
        assert!(foreign_parameters(&short_salt).is_some(), "{short_salt}");
        let short_hash = format!(
            "${}${}${}${}${}",
            parts[1],
            parts[2],
            parts[3],
            parts[4],
            &parts[5][..22]
        );
        assert!(foreign_parameters(&short_hash).is_some(), "{short_hash}");
        assert!(foreign_parameters("not a phc string").is_some());
    }

    #[test]
    fn a_damaged_stored_hash_is_an_error() {
        assert!(verify_secret("x", "not a phc string").is_err());
        // Well-formed PHC strings that argon2 cannot check.
        assert!(
            verify_secret("x", "$argon2id$v=19$m=19456,t=2,p=1$aWdrLWR1bW15LXNhbHQtMA").is_err()
        );
        assert!(verify_secret("x", "$scrypt$ln=16,r=8,p=1$aWdrLWR1bW15LXNhbHQtMA$Pvh++CwxW3SXNUzUiq2pJZ38gSMT+gq238nBzZCfT9M").is_err());
        // Parameters argon2 refuses: less memory than 8 blocks a lane, no
        // pass, no lane, an unknown version.
        for params in [
            "v=19$m=15,t=2,p=2",
            "v=19$m=19456,t=0,p=1",
            "v=19$m=19456,t=2,p=0",
            "v=20$m=19456,t=2,p=1",
        ] {
            let stored = DUMMY_HASH.replace("v=19$m=19456,t=2,p=1", params);
            assert_ne!(stored, DUMMY_HASH);
            let err = verify_secret("x", &stored).unwrap_err();
            assert!(format!("{err:#}").contains("damaged"), "{params}: {err:#}");
        }
    }
}
