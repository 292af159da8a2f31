//! Finding keys in a stream of bytes.
//!
//! One multi-substring search (`aho-corasick`, vectorised) finds each `igk_`
//! and each place where base64 text may encode one; a candidate counts only
//! if the next bytes have the key's exact shape and its checksum holds
//! (`Token::parse`). Nothing is required around the key, so keys glued to
//! other text (`igk_…_old`, `KEY=igk_…;`, `éigk_…`) are found, and random
//! text of the right shape is not (one in 2^32 passes the CRC32).
//!
//! Base64 (standard or URL-safe, as in a Kubernetes Secret's `data:`): the
//! encoding of `igk_` contains one of three fixed 4-character strings,
//! depending on where the key starts in a 3-byte group, and each tells
//! where its group starts. Only the few bytes that could hold the key are
//! decoded there, once: decoded text is never searched again, so nested
//! encodings cannot multiply the work.
//!
//! The input is read in fixed-size chunks, so memory does not grow with the
//! size of a file; the last bytes of a chunk are carried over so that a key
//! (or its encoding) spanning two chunks is still seen whole.

use std::io::{self, ErrorKind, Read};
use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, MatchKind};
use zeroize::Zeroizing;

use crate::token::{PREFIX, TOKEN_LEN, Token};

/// Bytes read at a time; large enough that a read costs little per byte,
/// small enough to stay in the CPU cache.
const CHUNK: usize = 256 * 1024;
/// Base64 characters that can hold a key: the key starts within the first
/// 3-byte group, so 68 bytes cover it, in 23 groups.
pub const ENCODED_LEN: usize = (TOKEN_LEN + 2).div_ceil(3) * 4;
/// How far before its needle an encoded key's group may start.
const ENCODED_BACK: usize = 4;
/// Bytes carried from one chunk to the next: a key (or an encoded one)
/// that starts there is checked once the rest of it has been read, and the
/// group start of an encoded one is kept with it.
const CARRY: usize = ENCODED_LEN + ENCODED_BACK;

/// How a key found was written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    /// As it is.
    Plain,
    /// Inside base64 text (standard or URL-safe alphabet).
    Base64,
}

impl Encoding {
    /// The name JSON and SARIF give it; none for plain text.
    pub fn name(self) -> Option<&'static str> {
        match self {
            Encoding::Plain => None,
            Encoding::Base64 => Some("base64"),
        }
    }
}

/// A key found in the input.
#[derive(Debug)]
pub struct Hit {
    /// 1-based line number.
    pub line: u64,
    /// 1-based byte offset in the line, as grep and ripgrep count. For an
    /// encoded key, where the base64 group holding its first byte starts.
    pub column: u64,
    /// 1-based character (code point) offset in the line, as SARIF counts.
    pub char_column: u64,
    pub token: Token,
    pub encoding: Encoding,
}

/// What searching one input found.
#[derive(Debug)]
pub enum Outcome {
    Text(Vec<Hit>),
    /// A NUL byte at `at`: binary data, not searched further. `hits` are
    /// the keys found in the chunks read before the one holding it (none
    /// when it is in the first), as ripgrep reports the matches it found
    /// before it stopped at a NUL byte: a leaked key must not go unreported.
    Binary {
        at: u64,
        hits: Vec<Hit>,
    },
}

/// The strings searched for: the key's prefix, then the base64 forms of
/// `igk_` at each offset in a 3-byte group, with how many characters
/// before the needle its group starts, and where in the decoded group the
/// key starts. The same in both alphabets: none holds `+/-_`.
const NEEDLES: [(&str, usize, usize); 4] = [
    (PREFIX, 0, 0),
    // base64("igk") = "aWdr": a group of its own.
    ("aWdr", 0, 0),
    // "?ig" "k_?" = "??ln" "a1??": the group starts two characters back.
    ("lna1", 2, 1),
    // "??i" "gk_" = "???p" "Z2tf": the key starts at the previous group's
    // last byte.
    ("Z2tf", 4, 2),
];

static FINDER: LazyLock<Option<AhoCorasick>> = LazyLock::new(|| {
    AhoCorasick::builder()
        .match_kind(MatchKind::LeftmostFirst)
        .build(NEEDLES.iter().map(|(needle, _, _)| needle))
        .ok()
});

/// A key that starts at `start` of a buffer.
pub struct Candidate {
    pub start: usize,
    pub token: Token,
    pub encoding: Encoding,
}

/// Every key in `buf` starting at or after `from` and before `limit`
/// (later ones are looked at with the next chunk), in order.
pub fn keys_in(buf: &[u8], from: usize, limit: usize, found: &mut impl FnMut(Candidate)) {
    let Some(finder) = FINDER.as_ref() else {
        // Building the finder from four fixed strings cannot fail; should
        // it ever, the plain search still runs.
        for start in memchr::memmem::find_iter(&buf[from..], PREFIX) {
            let start = from + start;
            if start >= limit {
                break;
            }
            if let Some(token) = key_at(&buf[start..]) {
                found(Candidate {
                    start,
                    token,
                    encoding: Encoding::Plain,
                });
            }
        }
        return;
    };
    for hit in finder.find_iter(&buf[from..]) {
        let at = from + hit.start();
        if at >= limit {
            break;
        }
        let (_, back, offset) = NEEDLES[hit.pattern().as_usize()];
        if hit.pattern().as_usize() == 0 {
            if let Some(token) = key_at(&buf[at..]) {
                found(Candidate {
                    start: at,
                    token,
                    encoding: Encoding::Plain,
                });
            }
            continue;
        }
        let Some(group) = at.checked_sub(back) else {
            continue;
        };
        if let Some(token) = encoded_key_at(&buf[group..], offset) {
            found(Candidate {
                start: group,
                token,
                encoding: Encoding::Base64,
            });
        }
    }
}

/// A reusable search buffer (one per thread).
pub struct Searcher {
    /// Wiped when dropped: it holds whatever keys the input contained.
    buf: Zeroizing<Vec<u8>>,
}

impl Default for Searcher {
    fn default() -> Self {
        Searcher::new()
    }
}

impl Searcher {
    pub fn new() -> Searcher {
        Searcher {
            buf: Zeroizing::new(vec![0; CHUNK + CARRY]),
        }
    }

    /// Every key in `reader`, or `Binary` at the first NUL byte (as ripgrep
    /// treats a file with a NUL byte as binary).
    pub fn search(&mut self, mut reader: impl Read) -> io::Result<Outcome> {
        let buf = &mut self.buf[..];
        let mut hits = Vec::new();
        let mut lines = LineCounter::new();
        // File offset of buf[0], and bytes carried over at buf[..carried],
        // of which the first `seen` were searched with the previous chunk
        // (kept only as the group start of an encoded key after them).
        let mut base = 0u64;
        let mut carried = 0;
        let mut seen = 0;
        loop {
            let (filled, eof) = fill(&mut reader, buf, carried)?;
            if let Some(at) = memchr::memchr(0, &buf[carried..filled]) {
                return Ok(Outcome::Binary {
                    at: base + (carried + at) as u64,
                    hits,
                });
            }
            // A key must start before `limit` to be wholly in the buffer;
            // later starts are checked with the next chunk.
            let limit = if eof {
                filled
            } else {
                filled - (CARRY - ENCODED_BACK)
            };
            keys_in(&buf[..filled], seen, limit, &mut |candidate| {
                lines.advance(buf, base, candidate.start);
                let column = base + candidate.start as u64 - lines.line_start + 1;
                let char_column = lines.line_chars + 1;
                hits.push(Hit {
                    line: lines.line,
                    column,
                    char_column,
                    token: candidate.token,
                    encoding: candidate.encoding,
                });
            });
            if eof {
                return Ok(Outcome::Text(hits));
            }
            lines.advance(buf, base, limit);
            let keep = limit - ENCODED_BACK;
            buf.copy_within(keep..filled, 0);
            carried = filled - keep;
            seen = ENCODED_BACK;
            base += keep as u64;
            lines.counted = ENCODED_BACK;
        }
    }
}

/// Reads until `buf` is full or the input ends; returns (bytes in buf, eof).
fn fill(reader: &mut impl Read, buf: &mut [u8], mut filled: usize) -> io::Result<(usize, bool)> {
    while filled < buf.len() {
        match reader.read(&mut buf[filled..]) {
            Ok(0) => return Ok((filled, true)),
            Ok(n) => filled += n,
            Err(err) if err.kind() == ErrorKind::Interrupted => {}
            Err(err) => return Err(err),
        }
    }
    Ok((filled, false))
}

/// Counts lines up to a position, only as far as a key or a chunk's end
/// needs: newlines are counted once each.
struct LineCounter {
    /// The line number at `counted`, 1-based.
    line: u64,
    /// File offset where the line of `counted` starts.
    line_start: u64,
    /// Characters from `line_start` to `counted`.
    line_chars: u64,
    /// Buffer index up to which newlines are counted.
    counted: usize,
}

impl LineCounter {
    fn new() -> LineCounter {
        LineCounter {
            line: 1,
            line_start: 0,
            line_chars: 0,
            counted: 0,
        }
    }

    fn advance(&mut self, buf: &[u8], base: u64, to: usize) {
        // An encoded key's group may start a few base64 characters (never a
        // newline) before what was counted.
        if to < self.counted {
            self.line_chars -= chars(&buf[to..self.counted]);
            self.counted = to;
            return;
        }
        let span = &buf[self.counted..to];
        if let Some(last) = memchr::memrchr(b'\n', span) {
            self.line += memchr::memchr_iter(b'\n', span).count() as u64;
            self.line_start = base + (self.counted + last + 1) as u64;
            self.line_chars = chars(&span[last + 1..]);
        } else {
            self.line_chars += chars(span);
        }
        self.counted = to;
    }
}

/// Characters in UTF-8 text: bytes that do not continue a character.
fn chars(bytes: &[u8]) -> u64 {
    bytes.iter().filter(|&&b| (b & 0xC0) != 0x80).count() as u64
}

/// The key at the start of `candidate` (which starts with `igk_`), if the
/// bytes that follow have a key's shape and its checksum holds.
pub fn key_at(candidate: &[u8]) -> Option<Token> {
    let text = candidate.get(..TOKEN_LEN)?;
    // Cheap shape check first; `Token::parse` then checks it all again,
    // including the checksum, with the one implementation of the format.
    if !text.iter().all(|&b| b.is_ascii_alphanumeric() || b == b'_') {
        return None;
    }
    Token::parse(std::str::from_utf8(text).ok()?).ok()
}

/// The key encoded in the base64 text at the start of `group` (a group
/// boundary), starting `offset` bytes into the decoded text.
fn encoded_key_at(group: &[u8], offset: usize) -> Option<Token> {
    // Wiped when dropped: it may hold a key.
    let mut decoded = Zeroizing::new([0u8; TOKEN_LEN + 2]);
    let wanted = offset + TOKEN_LEN;
    let got = decode_base64(
        &group[..group.len().min(ENCODED_LEN)],
        &mut decoded[..wanted],
    );
    if got < wanted {
        return None;
    }
    key_at(&decoded[offset..wanted])
}

/// Decodes base64 (either alphabet, padding or not) from a group boundary
/// into `out` until `out` is full or a character outside the alphabet;
/// returns the bytes written. Only a few bytes at known places are
/// decoded, which a general decoder (which wants whole, well-formed runs)
/// would not do.
fn decode_base64(text: &[u8], out: &mut [u8]) -> usize {
    let mut bits = 0u32;
    let mut held = 0;
    let mut written = 0;
    for &char in text {
        if written == out.len() {
            break;
        }
        let value = match char {
            b'A'..=b'Z' => char - b'A',
            b'a'..=b'z' => char - b'a' + 26,
            b'0'..=b'9' => char - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            _ => break,
        };
        bits = (bits << 6) | u32::from(value);
        held += 6;
        if held >= 8 {
            held -= 8;
            out[written] = (bits >> held) as u8;
            written += 1;
        }
    }
    written
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> String {
        Token::generate().unwrap().expose().to_string()
    }

    fn hits(input: &[u8]) -> Vec<Hit> {
        match Searcher::new().search(input).unwrap() {
            Outcome::Text(hits) => hits,
            Outcome::Binary { at, .. } => panic!("binary at {at}"),
        }
    }

    /// (line, column, char column, ID) of each hit.
    fn places(input: &[u8]) -> Vec<(u64, u64, u64, String)> {
        hits(input)
            .into_iter()
            .map(|hit| {
                (
                    hit.line,
                    hit.column,
                    hit.char_column,
                    hit.token.id().to_string(),
                )
            })
            .collect()
    }

    fn id(key: &str) -> String {
        key[4..16].to_string()
    }

    #[test]
    fn keys_glued_to_other_text_are_found() {
        let key = key();
        let id = id(&key);
        for (text, column, char_column) in [
            (key.clone(), 1, 1),
            (format!("{key}_old"), 1, 1),
            (format!("KEY={key};"), 5, 5),
            (format!("é{key}"), 3, 2),
            (format!("abc{key}def"), 4, 4),
            (format!("\"{key}\""), 2, 2),
            (format!("igk_{key}"), 5, 5),
        ] {
            assert_eq!(
                places(text.as_bytes()),
                [(1, column, char_column, id.clone())],
                "{text}"
            );
        }
    }

    #[test]
    fn a_wrong_checksum_or_shape_is_not_a_key() {
        let key = key();
        let mut wrong = key.clone().into_bytes();
        wrong[30] = if wrong[30] == b'a' { b'b' } else { b'a' };
        assert!(hits(&wrong).is_empty());
        assert!(hits(&key.as_bytes()[..TOKEN_LEN - 1]).is_empty());
        let mut dashed = key.clone().into_bytes();
        dashed[20] = b'-';
        assert!(hits(&dashed).is_empty());
        // Random text of the right shape, as a regex alone would accept it.
        let shaped = format!("igk_{}_{}", "A".repeat(12), "b".repeat(49));
        assert!(hits(shaped.as_bytes()).is_empty());
    }

    #[test]
    fn lines_and_columns_count_from_one() {
        let (a, b) = (key(), key());
        let text = format!("first\n\n  x={a}\nlast {b} and {a}\n");
        assert_eq!(
            places(text.as_bytes()),
            [(3, 5, 5, id(&a)), (4, 6, 6, id(&b)), (4, 77, 77, id(&a)),]
        );
    }

    #[test]
    fn keys_across_chunk_boundaries_are_found_with_their_lines() {
        let key = key();
        // Keys placed so that each straddles (or just touches) the boundary
        // between two chunks, and lines counted across many chunks.
        for offset in [CHUNK - 70, CHUNK - 40, CHUNK - 1, CHUNK, CHUNK + 1] {
            let mut text = Vec::new();
            let line = "x".repeat(99) + "\n";
            while text.len() + line.len() <= offset {
                text.extend_from_slice(line.as_bytes());
            }
            let lines_before = text.len() / line.len();
            let pad = offset - text.len();
            text.extend(std::iter::repeat_n(b'y', pad));
            text.extend_from_slice(key.as_bytes());
            text.extend_from_slice(b"\n");
            for _ in 0..(3 * CHUNK / line.len()) {
                text.extend_from_slice(line.as_bytes());
            }
            text.extend_from_slice(key.as_bytes());
            let total_lines = text.iter().filter(|&&b| b == b'\n').count() as u64;
            assert_eq!(
                places(&text),
                [
                    (
                        lines_before as u64 + 1,
                        pad as u64 + 1,
                        pad as u64 + 1,
                        id(&key)
                    ),
                    (total_lines + 1, 1, 1, id(&key)),
                ],
                "key at {offset}"
            );
        }
    }

    #[test]
    fn a_line_longer_than_a_chunk_has_its_columns() {
        let key = key();
        let text = format!("\n{}{key}", "é".repeat(CHUNK) + "z");
        let found = hits(text.as_bytes());
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].line, 2);
        assert_eq!(found[0].column, CHUNK as u64 * 2 + 2);
        assert_eq!(found[0].char_column, CHUNK as u64 + 2);
    }

    #[test]
    fn a_nul_byte_means_binary_and_keys_before_its_chunk_are_kept() {
        let key = key();
        let text = format!("{key}\n{}\0", "a".repeat(CHUNK * 2));
        match Searcher::new().search(text.as_bytes()).unwrap() {
            Outcome::Binary { at, hits } => {
                assert_eq!(at, text.len() as u64 - 1);
                assert_eq!(hits.len(), 1);
                assert_eq!(hits[0].token.expose().as_str(), key);
            }
            Outcome::Text(_) => panic!("not detected as binary"),
        }
        // In the first chunk, the whole input is binary, as for ripgrep.
        match Searcher::new()
            .search(format!("{key}\n\0").as_bytes())
            .unwrap()
        {
            Outcome::Binary { at, hits } => assert_eq!((at, hits.len()), (key.len() as u64 + 1, 0)),
            Outcome::Text(_) => panic!("not detected as binary"),
        }
    }

    #[test]
    fn a_searcher_is_reusable() {
        let mut searcher = Searcher::new();
        let key = key();
        for _ in 0..3 {
            match searcher.search(format!("a\n{key}").as_bytes()).unwrap() {
                Outcome::Text(found) => assert_eq!((found[0].line, found[0].column), (2, 1)),
                Outcome::Binary { .. } => panic!(),
            }
        }
        match searcher.search(&b""[..]).unwrap() {
            Outcome::Text(found) => assert!(found.is_empty()),
            Outcome::Binary { .. } => panic!(),
        }
    }

    fn b64(bytes: &[u8], url_safe: bool) -> String {
        // A reference encoder for the tests, independent of the decoder.
        let alphabet: &[u8] = if url_safe {
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
        } else {
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
        };
        let mut out = String::new();
        for group in bytes.chunks(3) {
            let n = group
                .iter()
                .enumerate()
                .fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
            for i in 0..4 {
                if i <= group.len() {
                    out.push(char::from(alphabet[(n >> (18 - 6 * i) & 63) as usize]));
                } else if !url_safe {
                    out.push('=');
                }
            }
        }
        out
    }

    #[test]
    fn keys_inside_base64_are_found_at_the_encoded_place() {
        let key = key();
        let id = id(&key);
        for prefix in ["", "a", "ab", "KEY=", "user: x\npass: "] {
            for suffix in ["", "\n", "x", "xy"] {
                for url_safe in [false, true] {
                    let plain = format!("{prefix}{key}{suffix}");
                    let encoded = b64(plain.as_bytes(), url_safe);
                    let text = format!("data:\n  api-key: {encoded}\n");
                    let found = hits(text.as_bytes());
                    assert_eq!(found.len(), 1, "{text}");
                    assert_eq!(found[0].token.id(), id);
                    assert_eq!(found[0].encoding, Encoding::Base64);
                    assert_eq!(found[0].line, 2);
                    // The group that holds the key's first byte.
                    let group = prefix.len() / 3 * 4;
                    assert_eq!(found[0].column, 12 + group as u64, "{text}");
                }
            }
        }
    }

    #[test]
    fn base64_of_a_wrong_checksum_or_of_base64_is_not_a_key() {
        let key = key();
        let mut wrong = key.clone().into_bytes();
        wrong[30] = if wrong[30] == b'a' { b'b' } else { b'a' };
        assert!(hits(b64(&wrong, false).as_bytes()).is_empty());
        // Decoded once: a key encoded twice is not looked for.
        let twice = b64(b64(key.as_bytes(), false).as_bytes(), false);
        assert!(hits(twice.as_bytes()).is_empty());
        // Cut short: no key.
        let encoded = b64(key.as_bytes(), false);
        assert!(hits(&encoded.as_bytes()[..encoded.len() - 4]).is_empty());
    }

    #[test]
    fn encoded_keys_across_chunk_boundaries_are_found() {
        let key = key();
        let encoded = b64(format!("x{key}").as_bytes(), true);
        for offset in (CHUNK - CARRY - 8..CHUNK + 8).step_by(3) {
            let mut text = "y".repeat(offset - 1) + "\n";
            text.push_str(&encoded);
            text.push('\n');
            let found = hits(text.as_bytes());
            assert_eq!(found.len(), 1, "encoded key at {offset}");
            assert_eq!((found[0].line, found[0].column), (2, 1));
        }
    }
}
