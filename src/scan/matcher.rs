//! Finding keys in a stream of bytes.
//!
//! `memchr`'s vectorised substring search finds each `igk_`; a candidate
//! counts only if the next bytes have the key's exact shape and its checksum
//! holds (`Token::parse`). Nothing is required around the key, so keys glued
//! to other text (`igk_…_old`, `KEY=igk_…;`, `éigk_…`) are found, and random
//! text of the right shape is not (one in 2^32 passes the CRC32).
//!
//! The input is read in fixed-size chunks, so memory does not grow with the
//! size of a file; the last `TOKEN_LEN - 1` bytes of a chunk are carried
//! over so that a key spanning two chunks is still seen whole.

use std::io::{self, ErrorKind, Read};

use memchr::memmem;
use zeroize::Zeroizing;

use crate::token::{PREFIX, TOKEN_LEN, Token};

/// Bytes read at a time; large enough that a read costs little per byte,
/// small enough to stay in the CPU cache.
const CHUNK: usize = 256 * 1024;
/// Bytes carried from one chunk to the next: a key that starts there is
/// checked once the rest of it has been read.
const CARRY: usize = TOKEN_LEN - 1;

/// A key found in the input.
#[derive(Debug)]
pub struct Hit {
    /// 1-based line number.
    pub line: u64,
    /// 1-based byte offset in the line, as grep and ripgrep count.
    pub column: u64,
    /// 1-based character (code point) offset in the line, as SARIF counts.
    pub char_column: u64,
    pub token: Token,
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

/// A reusable search buffer (one per thread).
pub struct Searcher {
    /// Wiped when dropped: it holds whatever keys the input contained.
    buf: Zeroizing<Vec<u8>>,
    finder: memmem::Finder<'static>,
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
            finder: memmem::Finder::new(PREFIX.as_bytes()).into_owned(),
        }
    }

    /// Every key in `reader`, or `Binary` at the first NUL byte (as ripgrep
    /// treats a file with a NUL byte as binary).
    pub fn search(&mut self, mut reader: impl Read) -> io::Result<Outcome> {
        let buf = &mut self.buf[..];
        let mut hits = Vec::new();
        let mut lines = LineCounter::new();
        // File offset of buf[0], and bytes carried over at buf[..carried].
        let mut base = 0u64;
        let mut carried = 0;
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
            let limit = if eof { filled } else { filled - CARRY };
            for start in self.finder.find_iter(&buf[..filled]) {
                if start >= limit {
                    break;
                }
                if let Some(token) = key_at(&buf[start..filled]) {
                    lines.advance(buf, base, start);
                    let column = base + start as u64 - lines.line_start + 1;
                    let char_column = lines.line_chars + 1;
                    hits.push(Hit {
                        line: lines.line,
                        column,
                        char_column,
                        token,
                    });
                }
            }
            if eof {
                return Ok(Outcome::Text(hits));
            }
            lines.advance(buf, base, limit);
            buf.copy_within(limit..filled, 0);
            carried = filled - limit;
            base += limit as u64;
            lines.counted = 0;
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
}
