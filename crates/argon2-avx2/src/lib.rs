//! argon2 (RFC 9106) with its block function written for AVX2.
//!
//! The argon2 crate compiles its portable block function with AVX2 enabled
//! and leaves the vectorising to the compiler: 16.5 ms per evaluation at
//! m = 19456, t = 2 on the machine the benchmarks run on. Written with
//! AVX2's instructions, as the reference C implementation's `opt` build
//! does, the same evaluation takes 10.8 ms (docs/performance.md; the
//! `against_the_crate` example measures both).
//!
//! Only the block function and the loop around it are ours. The order of
//! blocks, the reference indexes, H0 and H' follow RFC 9106 section 3 and
//! the crate's `fill_blocks` line for line, and the crate stays the
//! reference: the tests compare this code's output with the crate's for
//! every algorithm and version and many sizes, in 10,000 random cases, and
//! with the RFC's test vectors. Without AVX2 (or on another architecture)
//! the crate does the whole evaluation. README.md says when this crate goes.
//!
//! A crate of its own so that test builds optimise it (`opt-level = 3` for
//! this package in the dev profile): unoptimised, an evaluation takes 1.7 s.
#![cfg(target_arch = "x86_64")]

use std::arch::x86_64::{
    __m256i, _mm256_add_epi64, _mm256_blend_epi32, _mm256_mul_epu32, _mm256_permute4x64_epi64,
    _mm256_setr_epi8, _mm256_shuffle_epi8, _mm256_shuffle_epi32, _mm256_srli_epi64,
    _mm256_xor_si256,
};

use argon2::{Algorithm, Block, Params, Version};
use blake2::digest::block_api::{UpdateCore, VariableOutputCore};
use blake2::digest::block_buffer::LazyBuffer;
use blake2::{Blake2b512, Blake2bVarCore, Digest};
use zeroize::{Zeroize, Zeroizing};

/// Vectors of four words in a block.
const VECTORS: usize = 32;
/// Slices of each lane; blocks of one slice may refer to other lanes only
/// up to the last finished slice.
const SYNC_POINTS: usize = 4;
/// Pseudo-random words in one block of addresses.
const ADDRESSES_IN_BLOCK: usize = 128;

/// Proof that this CPU has AVX2: only [`Avx2::detect`] makes one, and only
/// after the CPU said so, so code holding one may run the vector
/// instructions without asking again. (RustCrypto's argon2 backend does the
/// same with its `Avx2(())`.)
#[derive(Clone, Copy, Debug)]
pub struct Avx2(());

impl Avx2 {
    /// The proof, where this CPU has AVX2; `None` elsewhere. Checking costs
    /// little (the standard library caches the answer), but callers that
    /// hash often keep the value rather than ask each time.
    pub fn detect() -> Option<Avx2> {
        std::arch::is_x86_feature_detected!("avx2").then_some(Avx2(()))
    }
}

/// One argon2 evaluation: `out` gets the tag of `pwd` and `salt` (and the
/// optional `secret`) under `params`, `memory` is the working memory, at
/// least `params.block_count()` blocks. `params` comes from the crate, so
/// it is valid; the other inputs are the caller's to check as the crate's
/// `hash_password_into` does (salt, password and output lengths).
///
/// `avx2` is the proof that the vector code may run here, so there is no
/// check per call.
///
/// # Panics
///
/// Where `memory` is shorter than the parameters need or `out` is empty.
pub fn hash(
    _avx2: Avx2,
    algorithm: Algorithm,
    version: Version,
    params: &Params,
    inputs: Inputs<'_>,
    out: &mut [u8],
    memory: &mut [Block],
) {
    let shape = Shape::of(algorithm, version, params);
    let memory = &mut memory[..shape.lane_length * shape.lanes];
    // H0 and the blocks made from it would let a password be tried with a
    // few BLAKE2b calls instead of a whole evaluation: wiped when done. (The
    // memory itself is the caller's to release.)
    let h0 = Zeroizing::new(initial_hash(algorithm, version, params, &inputs, out.len()));
    for (lane, blocks) in memory.chunks_exact_mut(shape.lane_length).enumerate() {
        for (index, block) in blocks[..2].iter_mut().enumerate() {
            let mut bytes = Zeroizing::new([0u8; Block::SIZE]);
            long_hash(
                &[&*h0, &word(index).to_le_bytes(), &word(lane).to_le_bytes()],
                &mut *bytes,
            );
            for (word, chunk) in block.as_mut().iter_mut().zip(bytes.chunks_exact(8)) {
                *word = u64::from_le_bytes(chunk.try_into().expect("8 bytes"));
            }
        }
    }
    for pass in 0..shape.passes {
        for slice in 0..SYNC_POINTS {
            for lane in 0..shape.lanes {
                // SAFETY: `fill_segment` needs AVX2 only, and `_avx2` exists
                // only where the CPU reported AVX2 (`Avx2::detect`).
                unsafe { fill_segment(&shape, memory, pass, slice, lane) };
            }
        }
    }
    let mut last = Zeroizing::new(memory[shape.lane_length - 1]);
    for lane in 1..shape.lanes {
        *last ^= &memory[lane * shape.lane_length + shape.lane_length - 1];
    }
    let mut bytes = Zeroizing::new([0u8; Block::SIZE]);
    for (chunk, word) in bytes.chunks_exact_mut(8).zip(last.as_ref()) {
        chunk.copy_from_slice(&word.to_le_bytes());
    }
    long_hash(&[&*bytes], out);
}

/// What is hashed besides the parameters.
pub struct Inputs<'a> {
    pub password: &'a [u8],
    pub salt: &'a [u8],
    /// The keyed hash's secret (RFC 9106's K); empty for none.
    pub secret: &'a [u8],
}

/// The sizes the fill works with, from the crate's parameters.
struct Shape {
    algorithm: Algorithm,
    version: Version,
    passes: usize,
    lanes: usize,
    lane_length: usize,
    segment_length: usize,
    blocks: usize,
}

impl Shape {
    fn of(algorithm: Algorithm, version: Version, params: &Params) -> Shape {
        let lanes = params.p_cost() as usize;
        let blocks = params.block_count();
        Shape {
            algorithm,
            version,
            passes: params.t_cost() as usize,
            lanes,
            lane_length: blocks / lanes,
            segment_length: blocks / lanes / SYNC_POINTS,
            blocks,
        }
    }
}

/// A length or index as the 32-bit little-endian word the hash takes.
fn word(value: usize) -> u32 {
    u32::try_from(value).expect("argon2's lengths and indexes fit 32 bits")
}

/// H0: the hash of every parameter and input (RFC 9106 section 3.2, step 1).
fn initial_hash(
    algorithm: Algorithm,
    version: Version,
    params: &Params,
    inputs: &Inputs<'_>,
    out_len: usize,
) -> [u8; 64] {
    let mut digest = Blake2b512::new();
    digest.update(params.p_cost().to_le_bytes());
    digest.update(word(out_len).to_le_bytes());
    digest.update(params.m_cost().to_le_bytes());
    digest.update(params.t_cost().to_le_bytes());
    digest.update(u32::from(version).to_le_bytes());
    digest.update((algorithm as u32).to_le_bytes());
    for input in [inputs.password, inputs.salt, inputs.secret, params.data()] {
        digest.update(word(input.len()).to_le_bytes());
        digest.update(input);
    }
    digest.finalize().into()
}

/// H': BLAKE2b stretched to any output length (RFC 9106 section 3.3).
fn long_hash(inputs: &[&[u8]], out: &mut [u8]) {
    let len = word(out.len()).to_le_bytes();
    if out.len() <= 64 {
        let mut hasher = Blake2bVarCore::new(out.len()).expect("1 to 64 bytes");
        let mut buffer = LazyBuffer::new(&len);
        for input in inputs {
            buffer.digest_blocks(input, |blocks| hasher.update_blocks(blocks));
        }
        let mut full = Default::default();
        hasher.finalize_variable_core(&mut buffer, &mut full);
        out.copy_from_slice(&full[..out.len()]);
        return;
    }
    let mut digest = Blake2b512::new();
    digest.update(len);
    for input in inputs {
        digest.update(input);
    }
    let mut last = digest.finalize();
    let (first, mut rest) = out.split_at_mut(32);
    first.copy_from_slice(&last[..32]);
    while rest.len() > 64 {
        let (chunk, tail) = rest.split_at_mut(32);
        last = Blake2b512::digest(last);
        chunk.copy_from_slice(&last[..32]);
        rest = tail;
    }
    let mut hasher = Blake2bVarCore::new(rest.len()).expect("33 to 64 bytes");
    let mut buffer = LazyBuffer::new(&last);
    let mut full = Default::default();
    hasher.finalize_variable_core(&mut buffer, &mut full);
    rest.copy_from_slice(&full[..rest.len()]);
    // Steps from H0 to a block: wiped as H0 is.
    last[..].zeroize();
    full[..].zeroize();
}

/// A block seen as 32 vectors of four words.
fn vectors(block: &Block) -> &[__m256i; VECTORS] {
    let words: &[u64] = block.as_ref();
    assert!(viewable(words), "a block is 128 words aligned for vectors");
    // SAFETY: `viewable` checked that the words are 1 KiB, the size of 32
    // vectors, and that they start where a vector may; every bit pattern is
    // a valid vector; the borrow is the block's.
    unsafe { &*words.as_ptr().cast::<[__m256i; VECTORS]>() }
}

/// A block seen as 32 vectors of four words, to write.
fn vectors_mut(block: &mut Block) -> &mut [__m256i; VECTORS] {
    let words: &mut [u64] = block.as_mut();
    assert!(viewable(words), "a block is 128 words aligned for vectors");
    // SAFETY: as in `vectors`, and the borrow is the block's unique one.
    unsafe { &mut *words.as_mut_ptr().cast::<[__m256i; VECTORS]>() }
}

/// Whether `words` can be read as vectors: as many words as 32 vectors hold,
/// starting at a vector's alignment. `Block` is 64-byte aligned, but only
/// the words its `AsRef` gives are ours to rely on, so both are checked
/// (the compiler folds the checks for a block it knows the layout of).
fn viewable(words: &[u64]) -> bool {
    words.len() == 4 * VECTORS && words.as_ptr().cast::<__m256i>().is_aligned()
}

/// Fills one segment: `segment_length` blocks of `lane` in `slice`, as the
/// crate's `fill_blocks` does.
#[target_feature(enable = "avx2")]
fn fill_segment(shape: &Shape, memory: &mut [Block], pass: usize, slice: usize, lane: usize) {
    let independent = shape.algorithm == Algorithm::Argon2i
        || (shape.algorithm == Algorithm::Argon2id && pass == 0 && slice < SYNC_POINTS / 2);
    let mut input = Block::default();
    let mut addresses = Block::default();
    if independent {
        input.as_mut()[..6].copy_from_slice(&[
            pass as u64,
            lane as u64,
            slice as u64,
            shape.blocks as u64,
            shape.passes as u64,
            shape.algorithm as u64,
        ]);
    }
    let first = if pass == 0 && slice == 0 {
        if independent {
            next_addresses(&mut input, &mut addresses);
        }
        2
    } else {
        0
    };
    let first_block = lane * shape.lane_length + slice * shape.segment_length + first;
    let previous = if slice == 0 && first == 0 {
        first_block + shape.lane_length - 1
    } else {
        first_block - 1
    };
    // Version 0x13 XORs later passes into the blocks they overwrite.
    let xor_into = shape.version == Version::V0x13 && pass != 0;
    // The previous block stays in registers (or close) from one block to
    // the next.
    let mut state = *vectors(&memory[previous]);
    let mut previous_first_word = memory[previous].as_ref()[0];
    for (index, current) in (first..shape.segment_length).zip(first_block..) {
        let random = if independent {
            if index % ADDRESSES_IN_BLOCK == 0 {
                next_addresses(&mut input, &mut addresses);
            }
            addresses.as_ref()[index % ADDRESSES_IN_BLOCK]
        } else {
            previous_first_word
        };
        let reference_lane = if pass == 0 && slice == 0 {
            lane
        } else {
            (random >> 32) as usize % shape.lanes
        };
        let same_lane = reference_lane == lane;
        let area = if pass == 0 {
            if slice == 0 {
                index - 1
            } else if same_lane {
                slice * shape.segment_length + index - 1
            } else {
                slice * shape.segment_length - usize::from(index == 0)
            }
        } else if same_lane {
            shape.lane_length - shape.segment_length + index - 1
        } else {
            shape.lane_length - shape.segment_length - usize::from(index == 0)
        };
        let mut map = random & 0xFFFF_FFFF;
        map = (map * map) >> 32;
        let relative = area - 1 - ((area as u64 * map) >> 32) as usize;
        let start = if pass != 0 && slice != SYNC_POINTS - 1 {
            (slice + 1) * shape.segment_length
        } else {
            0
        };
        let reference = reference_lane * shape.lane_length + (start + relative) % shape.lane_length;
        let [reference, next] = memory
            .get_disjoint_mut([reference, current])
            .expect("a block never refers to itself");
        fill_block(&mut state, vectors(reference), vectors_mut(next), xor_into);
        previous_first_word = next.as_ref()[0];
    }
}

/// The next block of pseudo-random addresses: G(0, G(0, input)) with the
/// input's counter advanced.
#[target_feature(enable = "avx2")]
fn next_addresses(input: &mut Block, addresses: &mut Block) {
    input.as_mut()[6] += 1;
    let mut state = *vectors(&Block::default());
    fill_block(&mut state, vectors(input), vectors_mut(addresses), false);
    let mut state = *vectors(&Block::default());
    let once = *vectors(addresses);
    fill_block(&mut state, &once, vectors_mut(addresses), false);
}

/// G: `next` gets P(state ^ reference) ^ state ^ reference (XORed into
/// what it held when `xor_into`), and `state` becomes what `next` holds.
#[target_feature(enable = "avx2")]
fn fill_block(
    state: &mut [__m256i; VECTORS],
    reference: &[__m256i; VECTORS],
    next: &mut [__m256i; VECTORS],
    xor_into: bool,
) {
    // Built in place: a copy of `state` to overwrite cost a tenth of the
    // time in memcpy.
    let kept: [__m256i; VECTORS] = std::array::from_fn(|i| {
        state[i] = _mm256_xor_si256(state[i], reference[i]);
        if xor_into {
            _mm256_xor_si256(state[i], next[i])
        } else {
            state[i]
        }
    });
    // Rows: each pair of 16-word rows, the two rows side by side.
    for i in 0..4 {
        let at = [0, 4, 1, 5, 2, 6, 3, 7].map(|j| 8 * i + j);
        let [a0, a1, b0, b1, c0, c1, d0, d1] = at.map(|j| state[j]);
        let done = round_of_rows(a0, a1, b0, b1, c0, c1, d0, d1);
        for (j, value) in at.into_iter().zip(done) {
            state[j] = value;
        }
    }
    // Columns: each 16-word column is two words from each of the eight rows.
    for i in 0..4 {
        let at = [0, 4, 8, 12, 16, 20, 24, 28].map(|j| j + i);
        let [a0, a1, b0, b1, c0, c1, d0, d1] = at.map(|j| state[j]);
        let done = round_of_columns(a0, a1, b0, b1, c0, c1, d0, d1);
        for (j, value) in at.into_iter().zip(done) {
            state[j] = value;
        }
    }
    for i in 0..VECTORS {
        state[i] = _mm256_xor_si256(state[i], kept[i]);
        next[i] = state[i];
    }
}

/// BLAKE2b's round on two rows: words 0-3, 4-7, 8-11 and 12-15 of the
/// first row in a0, b0, c0, d0, of the second in a1, b1, c1, d1.
#[target_feature(enable = "avx2")]
#[allow(clippy::too_many_arguments)]
fn round_of_rows(
    mut a0: __m256i,
    mut a1: __m256i,
    mut b0: __m256i,
    mut b1: __m256i,
    mut c0: __m256i,
    mut c1: __m256i,
    mut d0: __m256i,
    mut d1: __m256i,
) -> [__m256i; 8] {
    quarter_rounds!(a0, a1, b0, b1, c0, c1, d0, d1);
    // Diagonals into lanes: b by one word, c by two, d by three.
    b0 = _mm256_permute4x64_epi64::<0b00_11_10_01>(b0);
    c0 = _mm256_permute4x64_epi64::<0b01_00_11_10>(c0);
    d0 = _mm256_permute4x64_epi64::<0b10_01_00_11>(d0);
    b1 = _mm256_permute4x64_epi64::<0b00_11_10_01>(b1);
    c1 = _mm256_permute4x64_epi64::<0b01_00_11_10>(c1);
    d1 = _mm256_permute4x64_epi64::<0b10_01_00_11>(d1);
    quarter_rounds!(a0, a1, b0, b1, c0, c1, d0, d1);
    b0 = _mm256_permute4x64_epi64::<0b10_01_00_11>(b0);
    c0 = _mm256_permute4x64_epi64::<0b01_00_11_10>(c0);
    d0 = _mm256_permute4x64_epi64::<0b00_11_10_01>(d0);
    b1 = _mm256_permute4x64_epi64::<0b10_01_00_11>(b1);
    c1 = _mm256_permute4x64_epi64::<0b01_00_11_10>(c1);
    d1 = _mm256_permute4x64_epi64::<0b00_11_10_01>(d1);
    [a0, a1, b0, b1, c0, c1, d0, d1]
}

/// BLAKE2b's round on two columns side by side: each vector holds two words
/// of the first column, then the same two of the second; a0 words 0-1, a1
/// 2-3, b0 4-5, b1 6-7, c0 8-9, c1 10-11, d0 12-13, d1 14-15.
#[target_feature(enable = "avx2")]
#[allow(clippy::too_many_arguments)]
fn round_of_columns(
    mut a0: __m256i,
    mut a1: __m256i,
    mut b0: __m256i,
    mut b1: __m256i,
    mut c0: __m256i,
    mut c1: __m256i,
    mut d0: __m256i,
    mut d1: __m256i,
) -> [__m256i; 8] {
    quarter_rounds!(a0, a1, b0, b1, c0, c1, d0, d1);
    // Diagonals into lanes: b0, b1 = (5, 6), (7, 4); c0, c1 = (10, 11),
    // (8, 9); d0, d1 = (15, 12), (13, 14).
    const SWAP: i32 = 0b10_11_00_01;
    let (b_low, b_high) = (
        _mm256_blend_epi32::<0x33>(b0, b1),
        _mm256_blend_epi32::<0xCC>(b0, b1),
    );
    b0 = _mm256_permute4x64_epi64::<SWAP>(b_low);
    b1 = _mm256_permute4x64_epi64::<SWAP>(b_high);
    (c0, c1) = (c1, c0);
    let (d_low, d_high) = (
        _mm256_blend_epi32::<0xCC>(d0, d1),
        _mm256_blend_epi32::<0x33>(d0, d1),
    );
    d0 = _mm256_permute4x64_epi64::<SWAP>(d_low);
    d1 = _mm256_permute4x64_epi64::<SWAP>(d_high);
    quarter_rounds!(a0, a1, b0, b1, c0, c1, d0, d1);
    let (b_low, b_high) = (
        _mm256_blend_epi32::<0xCC>(b0, b1),
        _mm256_blend_epi32::<0x33>(b0, b1),
    );
    b0 = _mm256_permute4x64_epi64::<SWAP>(b_low);
    b1 = _mm256_permute4x64_epi64::<SWAP>(b_high);
    (c0, c1) = (c1, c0);
    let (d_low, d_high) = (
        _mm256_blend_epi32::<0x33>(d0, d1),
        _mm256_blend_epi32::<0xCC>(d0, d1),
    );
    d0 = _mm256_permute4x64_epi64::<SWAP>(d_low);
    d1 = _mm256_permute4x64_epi64::<SWAP>(d_high);
    [a0, a1, b0, b1, c0, c1, d0, d1]
}

/// BLAKE2b's G with argon2's multiplication, on each lane of two sets of
/// four vectors.
macro_rules! quarter_rounds {
    ($a0:ident, $a1:ident, $b0:ident, $b1:ident, $c0:ident, $c1:ident, $d0:ident, $d1:ident) => {
        $a0 = blamka($a0, $b0);
        $a1 = blamka($a1, $b1);
        $d0 = rotate_32(_mm256_xor_si256($d0, $a0));
        $d1 = rotate_32(_mm256_xor_si256($d1, $a1));
        $c0 = blamka($c0, $d0);
        $c1 = blamka($c1, $d1);
        $b0 = rotate_24(_mm256_xor_si256($b0, $c0));
        $b1 = rotate_24(_mm256_xor_si256($b1, $c1));
        $a0 = blamka($a0, $b0);
        $a1 = blamka($a1, $b1);
        $d0 = rotate_16(_mm256_xor_si256($d0, $a0));
        $d1 = rotate_16(_mm256_xor_si256($d1, $a1));
        $c0 = blamka($c0, $d0);
        $c1 = blamka($c1, $d1);
        $b0 = rotate_63(_mm256_xor_si256($b0, $c0));
        $b1 = rotate_63(_mm256_xor_si256($b1, $c1));
    };
}
use quarter_rounds;

/// x + y + 2 * lo32(x) * lo32(y), per 64-bit lane.
#[target_feature(enable = "avx2")]
fn blamka(x: __m256i, y: __m256i) -> __m256i {
    let product = _mm256_mul_epu32(x, y);
    _mm256_add_epi64(_mm256_add_epi64(x, y), _mm256_add_epi64(product, product))
}

/// Each 64-bit lane rotated right by 32 bits.
#[target_feature(enable = "avx2")]
fn rotate_32(x: __m256i) -> __m256i {
    _mm256_shuffle_epi32::<0b10_11_00_01>(x)
}

/// Each 64-bit lane rotated right by 24 bits.
#[target_feature(enable = "avx2")]
fn rotate_24(x: __m256i) -> __m256i {
    let bytes = _mm256_setr_epi8(
        3, 4, 5, 6, 7, 0, 1, 2, 11, 12, 13, 14, 15, 8, 9, 10, 3, 4, 5, 6, 7, 0, 1, 2, 11, 12, 13,
        14, 15, 8, 9, 10,
    );
    _mm256_shuffle_epi8(x, bytes)
}

/// Each 64-bit lane rotated right by 16 bits.
#[target_feature(enable = "avx2")]
fn rotate_16(x: __m256i) -> __m256i {
    let bytes = _mm256_setr_epi8(
        2, 3, 4, 5, 6, 7, 0, 1, 10, 11, 12, 13, 14, 15, 8, 9, 2, 3, 4, 5, 6, 7, 0, 1, 10, 11, 12,
        13, 14, 15, 8, 9,
    );
    _mm256_shuffle_epi8(x, bytes)
}

/// Each 64-bit lane rotated right by 63 bits (left by one).
#[target_feature(enable = "avx2")]
fn rotate_63(x: __m256i) -> __m256i {
    _mm256_xor_si256(_mm256_srli_epi64::<63>(x), _mm256_add_epi64(x, x))
}

#[cfg(test)]
mod tests {
    use super::*;
    use argon2::{Argon2, AssociatedData, KeyId, ParamsBuilder};

    /// The proof that the tests can run here: they need AVX2, which CI's
    /// machines have, so there a missing AVX2 fails instead of skipping.
    /// Elsewhere the skip is written straight to stderr, which the test
    /// harness does not capture, so it shows in every run.
    fn runs_here() -> Option<Avx2> {
        let avx2 = Avx2::detect();
        if avx2.is_none() {
            assert!(
                std::env::var_os("CI").is_none(),
                "this CPU has no AVX2, so the AVX2 code is not tested"
            );
            use std::io::Write;
            // Nothing to do if stderr is gone: the skip still happens.
            let test = std::thread::current().name().unwrap_or("a test").to_owned();
            let _ = writeln!(std::io::stderr(), "skipped {test}: this CPU has no AVX2");
        }
        avx2
    }

    struct Case<'a> {
        algorithm: Algorithm,
        version: Version,
        params: Params,
        inputs: Inputs<'a>,
        out_len: usize,
    }

    impl Case<'_> {
        fn ours(&self, avx2: Avx2) -> Vec<u8> {
            let mut memory = vec![Block::default(); self.params.block_count()];
            let mut out = vec![0; self.out_len];
            let inputs = Inputs { ..self.inputs };
            hash(
                avx2,
                self.algorithm,
                self.version,
                &self.params,
                inputs,
                &mut out,
                &mut memory,
            );
            out
        }

        /// Asserts this code and the crate give the same tag, naming the
        /// case when they do not.
        fn agrees_with_the_crate(&self, avx2: Avx2) {
            let params = &self.params;
            assert_eq!(
                hex(&self.ours(avx2)),
                hex(&self.the_crates()),
                "{:?} {:?} p={} m={} t={} tag {}",
                self.algorithm,
                self.version,
                params.p_cost(),
                params.m_cost(),
                params.t_cost(),
                self.out_len
            );
        }

        fn the_crates(&self) -> Vec<u8> {
            let Inputs {
                password,
                salt,
                secret,
            } = self.inputs;
            let (algorithm, version, params) = (self.algorithm, self.version, self.params.clone());
            let argon2 = if secret.is_empty() {
                Argon2::new(algorithm, version, params)
            } else {
                Argon2::new_with_secret(secret, algorithm, version, params).unwrap()
            };
            let mut out = vec![0; self.out_len];
            argon2.hash_password_into(password, salt, &mut out).unwrap();
            out
        }
    }

    const ALGORITHMS: [Algorithm; 3] =
        [Algorithm::Argon2d, Algorithm::Argon2i, Algorithm::Argon2id];
    const VERSIONS: [Version; 2] = [Version::V0x10, Version::V0x13];

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|byte| format!("{byte:02x}")).collect()
    }

    /// RFC 9106 section 5 (and the crate's tests for version 0x10): four
    /// lanes, a secret and associated data.
    #[test]
    fn the_rfcs_test_vectors() {
        let Some(avx2) = runs_here() else {
            return;
        };
        let params = ParamsBuilder::new()
            .m_cost(32)
            .t_cost(3)
            .p_cost(4)
            .data(AssociatedData::new(&[0x04; 12]).unwrap())
            .build()
            .unwrap();
        for (algorithm, version, tag) in [
            (
                Algorithm::Argon2d,
                Version::V0x13,
                "512b391b6f1162975371d30919734294f868e3be3984f3c1a13a4db9fabe4acb",
            ),
            (
                Algorithm::Argon2i,
                Version::V0x13,
                "c814d9d1dc7f37aa13f0d77f2494bda1c8de6b016dd388d29952a4c4672b6ce8",
            ),
            (
                Algorithm::Argon2id,
                Version::V0x13,
                "0d640df58d78766c08c037a34a8b53c9d01ef0452d75b65eb52520e96b01e659",
            ),
            (
                Algorithm::Argon2d,
                Version::V0x10,
                "96a9d4e5a1734092c85e29f410a45914a5dd1f5cbf08b2670da68a0285abf32b",
            ),
            (
                Algorithm::Argon2i,
                Version::V0x10,
                "87aeedd6517ab830cd9765cd8231abb2e647a5dee08f7c05e02fcb763335d0fd",
            ),
            (
                Algorithm::Argon2id,
                Version::V0x10,
                "b64615f07789b66b645b67ee9ed3b377ae350b6bfcbb0fc95141ea8f322613c0",
            ),
        ] {
            let case = Case {
                algorithm,
                version,
                params: params.clone(),
                inputs: Inputs {
                    password: &[0x01; 32],
                    salt: &[0x02; 16],
                    secret: &[0x03; 8],
                },
                out_len: 32,
            };
            assert_eq!(hex(&case.ours(avx2)), tag, "{algorithm:?} {version:?}");
        }
    }

    /// Every algorithm and version, one to four lanes, memory sizes that
    /// do and do not divide into whole segments, segments longer than one
    /// block of addresses, one to three passes, and tags from the shortest
    /// to longer than one BLAKE2b output.
    #[test]
    fn every_algorithm_version_and_shape_gives_the_crates_output() {
        let Some(avx2) = runs_here() else {
            return;
        };
        let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
        let mut bytes = |len: usize| -> Vec<u8> {
            (0..len)
                .map(|_| {
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    seed as u8
                })
                .collect()
        };
        let mut cases = 0;
        for algorithm in ALGORITHMS {
            for version in VERSIONS {
                for (lanes, blocks, passes, out_len) in [
                    (1, 8, 1, 32),
                    (1, 11, 2, 4),
                    (1, 64, 3, 64),
                    (1, 1030, 2, 65),
                    (2, 19, 1, 32),
                    (3, 100, 2, 100),
                    (4, 600, 1, 16),
                    (1, 300, 2, 1025),
                ] {
                    let (password, salt, secret) = (
                        bytes(passes as usize * 7),
                        bytes(8 + lanes as usize),
                        bytes(lanes as usize),
                    );
                    let case = Case {
                        algorithm,
                        version,
                        params: Params::new(blocks, passes, lanes, None).unwrap(),
                        inputs: Inputs {
                            password: &password,
                            salt: &salt,
                            secret: if lanes % 2 == 0 { &secret } else { &[] },
                        },
                        out_len,
                    };
                    case.agrees_with_the_crate(avx2);
                    cases += 1;
                }
            }
        }
        assert_eq!(cases, 48);
    }

    /// What a PHC string may carry beyond m, t and p: associated data (in
    /// H0), a key ID (not in the hash), an output length fixed by the
    /// parameters; and many passes over the smallest memory.
    #[test]
    fn associated_data_key_ids_and_many_passes_give_the_crates_output() {
        let Some(avx2) = runs_here() else {
            return;
        };
        let mut cases = 0;
        for algorithm in ALGORITHMS {
            for version in VERSIONS {
                for (lanes, blocks, passes, out_len, data, keyid) in [
                    (2, 19, 7, 96, &[0xa5; 32][..], &[0x5a; 8][..]),
                    (1, 8, 40, 64, &[1][..], &[][..]),
                    (3, 29, 3, 10, &[][..], &[7][..]),
                ] {
                    let mut builder = ParamsBuilder::new();
                    builder
                        .m_cost(blocks)
                        .t_cost(passes)
                        .p_cost(lanes)
                        .output_len(out_len)
                        .data(AssociatedData::new(data).unwrap())
                        .keyid(KeyId::new(keyid).unwrap());
                    let case = Case {
                        algorithm,
                        version,
                        params: builder.build().unwrap(),
                        inputs: Inputs {
                            password: b"password",
                            salt: b"somesalt",
                            secret: &[],
                        },
                        out_len,
                    };
                    case.agrees_with_the_crate(avx2);
                    cases += 1;
                }
            }
        }
        assert_eq!(cases, 18);
    }

    /// The parameters every key is hashed with (m = 19456, t = 2, p = 1).
    #[test]
    fn the_parameters_keys_use_give_the_crates_output() {
        let Some(avx2) = runs_here() else {
            return;
        };
        let case = Case {
            algorithm: Algorithm::Argon2id,
            version: Version::V0x13,
            params: Params::default(),
            inputs: Inputs {
                password: b"correct horse battery staple",
                salt: b"sixteen byte sal",
                secret: &[],
            },
            out_len: 32,
        };
        assert_eq!(case.ours(avx2), case.the_crates());
    }

    /// Random cases this run compares: `PROPTEST_CASES` where set (the long
    /// run, `run-long-proptest.sh`), otherwise as many as CI's run affords.
    fn random_cases() -> u32 {
        match std::env::var("PROPTEST_CASES") {
            Ok(cases) => cases.parse().expect("PROPTEST_CASES is a number"),
            Err(_) => 10_000,
        }
    }

    /// Random inputs of every kind a caller can pass: any algorithm and
    /// version, 1 to 4 lanes of mostly 8 to 64 blocks (small, so many cases
    /// fit in CI's time: the shapes that matter are lane and segment edges,
    /// not size) and one case in ten of up to 600 (segments needing more
    /// than one block of addresses), 1 to 4 passes, tags of 4 to 64 bytes (one BLAKE2b output) and
    /// up to 1,100 (H' chained), passwords and secrets from empty, salts from
    /// the crate's 8-byte minimum, associated data and key IDs.
    #[test]
    fn random_inputs_and_parameters_give_the_crates_output() {
        use proptest::collection::vec;
        use proptest::prelude::*;
        use proptest::test_runner::{Config, TestRunner};
        let Some(avx2) = runs_here() else {
            return;
        };
        let bytes = |max: usize| vec(any::<u8>(), 0..=max);
        let shape = (
            prop::sample::select(&ALGORITHMS[..]),
            prop::sample::select(&VERSIONS[..]),
            1..=4u32,
            prop_oneof![9 => 8..=64u32, 1 => 65..=600u32],
            1..=4u32,
            prop_oneof![4..=64usize, 65..=1100usize],
            any::<bool>(),
        );
        let inputs = (
            bytes(64),
            vec(any::<u8>(), 8..=64),
            bytes(32),
            bytes(32),
            bytes(8),
        );
        let cases = random_cases();
        let config = Config {
            cases,
            // A failure prints its case, shrunk; the tests keep no files.
            failure_persistence: None,
            ..Config::default()
        };
        let compared = std::cell::Cell::new(0u32);
        let outcome = TestRunner::new(config).run(
            &(shape, inputs),
            |(
                (algorithm, version, lanes, lane_blocks, passes, out_len, fixed_len),
                (password, salt, secret, data, keyid),
            )| {
                let mut builder = ParamsBuilder::new();
                builder
                    .m_cost(lanes * lane_blocks)
                    .t_cost(passes)
                    .p_cost(lanes)
                    .data(AssociatedData::new(&data).unwrap())
                    .keyid(KeyId::new(&keyid).unwrap());
                // A tag length in the parameters (as a PHC string may
                // fix it) or only in the output buffer's size.
                if fixed_len {
                    builder.output_len(out_len);
                }
                let case = Case {
                    algorithm,
                    version,
                    params: builder.build().unwrap(),
                    inputs: Inputs {
                        password: &password,
                        salt: &salt,
                        secret: &secret,
                    },
                    out_len,
                };
                prop_assert_eq!(hex(&case.ours(avx2)), hex(&case.the_crates()));
                compared.set(compared.get() + 1);
                Ok(())
            },
        );
        if let Err(failure) = outcome {
            panic!("{failure}");
        }
        assert!(
            compared.get() >= cases,
            "{} of {cases} cases",
            compared.get()
        );
    }

    /// The block views refuse words a vector cannot be read from: too few,
    /// too many, or not on a 32-byte boundary.
    #[test]
    fn only_whole_aligned_blocks_are_viewed_as_vectors() {
        #[repr(align(32))]
        struct Aligned([u64; 136]);
        let words = Aligned([0; 136]);
        let words = &words.0;
        assert!(viewable(Block::default().as_ref()));
        assert!(viewable(&words[..128]));
        assert!(viewable(&words[4..132]));
        for shift in 1..4 {
            assert!(!viewable(&words[shift..shift + 128]), "shifted by {shift}");
        }
        assert!(!viewable(&words[..127]));
        assert!(!viewable(&words[..132]));
    }

    /// What holds a password's hash wipes it: BLAKE2b's state and its
    /// buffered input when dropped (`Blake2b512` is these two), and argon2's
    /// blocks, which the crate's own evaluation wipes only with its
    /// `zeroize` feature.
    #[test]
    fn the_hashers_and_blocks_wipe_what_they_held() {
        use blake2::digest::block_api::BlockSizeUser;
        fn wiped_on_drop<T: zeroize::ZeroizeOnDrop>() {}
        fn wipeable<T: zeroize::Zeroize>() {}
        wiped_on_drop::<Blake2bVarCore>();
        wiped_on_drop::<LazyBuffer<<Blake2bVarCore as BlockSizeUser>::BlockSize>>();
        wipeable::<Block>();
    }

    /// Memory left over from anything else changes nothing (every block is
    /// written before it is read), and blocks past the ones the parameters
    /// need are left alone.
    #[test]
    fn what_the_memory_held_before_does_not_matter_and_spare_blocks_stay_untouched() {
        let Some(avx2) = runs_here() else {
            return;
        };
        let params = Params::new(256, 2, 1, None).unwrap();
        let inputs = || Inputs {
            password: b"password",
            salt: b"saltsalt",
            secret: &[],
        };
        let run = |memory: &mut [Block]| {
            let mut out = [0u8; 32];
            hash(
                avx2,
                Algorithm::Argon2id,
                Version::V0x13,
                &params,
                inputs(),
                &mut out,
                memory,
            );
            out
        };
        let mut clean = vec![Block::default(); 256];
        let expected = run(&mut clean);
        let mut dirty = vec![Block::default(); 300];
        for (i, block) in dirty.iter_mut().enumerate() {
            block
                .as_mut()
                .fill(0xdead_beef_u64.wrapping_mul(i as u64 + 1));
        }
        let spare: Vec<Block> = dirty[256..].to_vec();
        assert_eq!(run(&mut dirty), expected);
        assert_eq!(run(&mut dirty), expected);
        for (before, after) in spare.iter().zip(&dirty[256..]) {
            assert_eq!(before.as_ref(), after.as_ref());
        }
    }
}
