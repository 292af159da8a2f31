//! One argon2id evaluation with the keys' parameters (m = 19456, t = 2,
//! p = 1), by the argon2 crate and by this crate, alternately on the same
//! (warm) memory, so both see the same machine; prints the fastest of each
//! and their ratio. Build in release mode:
//!
//!     cargo run --release -p argon2-avx2 --example against_the_crate [RUNS]

use std::time::Instant;

use argon2::{Algorithm, Argon2, Block, Params, Version};

fn main() {
    let Some(avx2) = argon2_avx2::Avx2::detect() else {
        eprintln!("this CPU has no AVX2");
        std::process::exit(2);
    };
    let runs: usize = std::env::args()
        .nth(1)
        .map(|runs| runs.parse().expect("RUNS is a number"))
        .unwrap_or(30);
    let params = Params::default();
    let mut memory = vec![Block::default(); params.block_count()];
    let (password, salt) = (b"correct horse battery staple", b"sixteen byte sal");
    let crate_argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
    let (mut theirs, mut ours) = ([0u8; 32], [0u8; 32]);
    let (mut crate_best, mut our_best) = (f64::MAX, f64::MAX);
    for _ in 0..runs {
        let start = Instant::now();
        crate_argon2
            .hash_password_into_with_memory(password, salt, &mut theirs, &mut memory)
            .expect("valid inputs");
        crate_best = crate_best.min(start.elapsed().as_secs_f64() * 1e3);
        let start = Instant::now();
        let inputs = argon2_avx2::Inputs {
            password,
            salt,
            secret: &[],
        };
        argon2_avx2::hash(
            avx2,
            Algorithm::Argon2id,
            Version::V0x13,
            &params,
            inputs,
            &mut ours,
            &mut memory,
        );
        our_best = our_best.min(start.elapsed().as_secs_f64() * 1e3);
    }
    assert_eq!(ours, theirs, "the two disagree");
    println!("argon2 crate: {crate_best:.2} ms");
    println!(
        "argon2-avx2:  {our_best:.2} ms ({:.3} of the crate's)",
        our_best / crate_best
    );
}
