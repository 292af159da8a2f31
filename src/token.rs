//! The key's text: `igk_<id>_<secret><checksum>`.
//!
//! - `id`: 12 base62 characters (about 71 random bits), public, the database key;
//! - `secret`: 43 base62 characters from the OS CSPRNG (43 × log2 62 ≈ 256.03 bits);
//! - `checksum`: CRC32 of everything before it, as 6 base62 digits, so a
//!   mistyped or truncated key is rejected offline, as in GitHub's tokens.
//!
//! A scanner finds candidates with `igk_[0-9A-Za-z]{12}_[0-9A-Za-z]{49}`
//! (no `\b`: keys glued to `_`, letters or other text must match) and keeps
//! those whose last 6 characters are the checksum of the first 60.

use std::fmt;

use rand::TryRng;
use rand::rngs::SysRng;
use zeroize::Zeroizing;

pub const PREFIX: &str = "igk_";
pub const ID_LEN: usize = 12;
pub const SECRET_LEN: usize = 43;
pub const CHECKSUM_LEN: usize = 6;
/// Length of a whole key: prefix, ID, separator, secret, checksum.
pub const TOKEN_LEN: usize = PREFIX.len() + ID_LEN + 1 + SECRET_LEN + CHECKSUM_LEN;
/// The regular expression documented for secret scanners. No word
/// boundaries: `\b` after the key misses `igk_…_old`, and Unicode-aware
/// engines miss a key glued to `é`. The checksum rejects what merely has
/// the shape.
pub const SCANNER_REGEX: &str = r"igk_[0-9A-Za-z]{12}_[0-9A-Za-z]{49}";

const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// Why a text is not a well-formed key. None of these touch the database.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Malformed {
    Empty,
    Prefix,
    Length,
    Characters,
    Checksum,
}

impl fmt::Display for Malformed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Malformed::Empty => "no key given",
            Malformed::Prefix => "not an intergiro-keys key (it does not start with igk_)",
            Malformed::Length => "the key has the wrong length (truncated or padded?)",
            Malformed::Characters => "the key contains characters that no key has",
            Malformed::Checksum => "checksum mismatch (mistyped or damaged key)",
        })
    }
}

impl std::error::Error for Malformed {}

/// A parsed or freshly generated key. The secret is wiped from memory on drop.
pub struct Token {
    id: String,
    secret: Zeroizing<String>,
}

impl Token {
    /// A new key with a random ID and secret from the operating system.
    pub fn generate() -> Result<Token, rand::rngs::SysError> {
        Ok(Token {
            id: random_base62(ID_LEN)?.to_string(),
            secret: random_base62(SECRET_LEN)?,
        })
    }

    /// Parses a presented key, checking its shape and checksum.
    /// Surrounding whitespace (a trailing newline from a file) is ignored.
    pub fn parse(text: &str) -> Result<Token, Malformed> {
        let text = text.trim();
        if text.is_empty() {
            return Err(Malformed::Empty);
        }
        let Some(rest) = text.strip_prefix(PREFIX) else {
            return Err(Malformed::Prefix);
        };
        if !text.is_ascii() {
            return Err(Malformed::Characters);
        }
        if text.len() != TOKEN_LEN {
            return Err(Malformed::Length);
        }
        let (id, rest) = rest.split_at(ID_LEN);
        let Some(rest) = rest.strip_prefix('_') else {
            return Err(Malformed::Characters);
        };
        let (secret, checksum) = rest.split_at(SECRET_LEN);
        if !is_base62(id) || !is_base62(secret) || !is_base62(checksum) {
            return Err(Malformed::Characters);
        }
        if checksum_of(&text[..TOKEN_LEN - CHECKSUM_LEN]) != checksum {
            return Err(Malformed::Checksum);
        }
        Ok(Token {
            id: id.to_string(),
            secret: Zeroizing::new(secret.to_string()),
        })
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    pub fn secret(&self) -> &str {
        &self.secret
    }

    /// The whole key text, as handed to the key's owner.
    pub fn expose(&self) -> Zeroizing<String> {
        let mut text = Zeroizing::new(String::with_capacity(TOKEN_LEN));
        text.push_str(PREFIX);
        text.push_str(&self.id);
        text.push('_');
        text.push_str(&self.secret);
        let checksum = checksum_of(&text);
        text.push_str(&checksum);
        text
    }
}

/// Never prints the secret, so a stray `{:?}` cannot leak it.
impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Token")
            .field("id", &self.id)
            .field("secret", &"<redacted>")
            .finish()
    }
}

/// `text` with every key in it cut to its ID (`igk_<ID>_…`), for messages
/// that quote what a user typed: a key pasted in the wrong place must not
/// reach stderr, and so CI logs. Anything after `igk_` and an ID-like run
/// counts, so a truncated or mistyped key is cut too.
pub fn redact(text: &str) -> std::borrow::Cow<'_, str> {
    let is_key_char = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let mut redacted = String::new();
    let mut copied = 0;
    let mut search = 0;
    while let Some(found) = text[search..].find(PREFIX) {
        let start = search + found;
        let after = start + PREFIX.len();
        let run_end = text[after..]
            .find(|c: char| !is_key_char(c))
            .map_or(text.len(), |end| after + end);
        let id_end = text[after..run_end]
            .find(|c: char| !c.is_ascii_alphanumeric())
            .map_or(run_end, |end| after + end)
            .min(after + ID_LEN);
        if id_end < run_end {
            redacted.push_str(&text[copied..id_end]);
            redacted.push_str("_…");
            copied = run_end;
        }
        search = run_end.max(after);
    }
    if copied == 0 {
        return std::borrow::Cow::Borrowed(text);
    }
    redacted.push_str(&text[copied..]);
    std::borrow::Cow::Owned(redacted)
}

/// Whether `text` has the shape of a key ID (as printed by `list`).
pub fn is_id(text: &str) -> bool {
    text.len() == ID_LEN && is_base62(text)
}

fn is_base62(text: &str) -> bool {
    text.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// CRC32 of `text` as 6 base62 digits, most significant first.
fn checksum_of(text: &str) -> String {
    let mut value = u64::from(crc32fast::hash(text.as_bytes()));
    let mut digits = [b'0'; CHECKSUM_LEN];
    for digit in digits.iter_mut().rev() {
        *digit = BASE62[(value % 62) as usize];
        value /= 62;
    }
    digits.iter().map(|&b| char::from(b)).collect()
}

/// `len` uniformly random base62 characters from the OS CSPRNG, by rejection
/// sampling of bytes (values 248..=255 are dropped so that no character is
/// more likely than another).
fn random_base62(len: usize) -> Result<Zeroizing<String>, rand::rngs::SysError> {
    const ACCEPT_BELOW: u8 = 62 * 4;
    let mut out = Zeroizing::new(String::with_capacity(len));
    let mut bytes = Zeroizing::new([0u8; 64]);
    while out.len() < len {
        SysRng.try_fill_bytes(bytes.as_mut())?;
        for &b in bytes.iter().filter(|&&b| b < ACCEPT_BELOW) {
            if out.len() == len {
                break;
            }
            out.push(char::from(BASE62[usize::from(b % 62)]));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn ten_thousand_generated_keys_are_unique_and_valid() {
        let mut ids = HashSet::new();
        let mut secrets = HashSet::new();
        for _ in 0..10_000 {
            let token = Token::generate().unwrap();
            let text = token.expose();
            assert_eq!(text.len(), TOKEN_LEN);
            let parsed = Token::parse(&text).unwrap();
            assert_eq!(parsed.id(), token.id());
            assert_eq!(parsed.secret(), token.secret());
            assert!(ids.insert(token.id().to_string()));
            assert!(secrets.insert(token.secret().to_string()));
        }
    }

    #[test]
    fn every_single_changed_character_is_rejected() {
        let token = Token::generate().unwrap();
        let text = token.expose();
        for position in 0..text.len() {
            for replacement in BASE62.iter().chain(b"_-+/=") {
                let mut changed = text.as_bytes().to_vec();
                if changed[position] == *replacement {
                    continue;
                }
                changed[position] = *replacement;
                let changed = String::from_utf8(changed).unwrap();
                assert!(
                    Token::parse(&changed).is_err(),
                    "{changed} accepted after changing position {position}"
                );
            }
        }
    }

    #[test]
    fn truncated_and_padded_keys_are_rejected() {
        let text = Token::generate().unwrap().expose();
        for len in 0..text.len() {
            assert!(
                Token::parse(&text[..len]).is_err(),
                "prefix of {len} accepted"
            );
        }
        assert_eq!(
            Token::parse(&format!("{}A", &*text)).unwrap_err(),
            Malformed::Length
        );
    }

    #[test]
    fn whitespace_around_a_key_is_ignored() {
        let text = Token::generate().unwrap().expose();
        assert!(Token::parse(&format!("  {}\n", &*text)).is_ok());
    }

    #[test]
    fn malformed_keys_say_why() {
        assert_eq!(Token::parse("").unwrap_err(), Malformed::Empty);
        assert_eq!(Token::parse("ghp_abc").unwrap_err(), Malformed::Prefix);
        assert_eq!(Token::parse("igk_short").unwrap_err(), Malformed::Length);
        let text = Token::generate().unwrap().expose();
        let mut wrong = text.to_string();
        wrong.replace_range(20..21, if &text[20..21] == "a" { "b" } else { "a" });
        assert_eq!(Token::parse(&wrong).unwrap_err(), Malformed::Checksum);
        let non_ascii = format!("{}é{}", &text[..20], &text[22..]);
        assert!(Token::parse(&non_ascii).is_err());
    }

    #[test]
    fn keys_in_messages_are_cut_to_their_id() {
        let text = Token::generate().unwrap().expose();
        let id = &text[4..16];
        let message = format!("unexpected argument '{}' found", &*text);
        let redacted = redact(&message);
        assert_eq!(redacted, format!("unexpected argument 'igk_{id}_…' found"));
        assert!(!redacted.contains(&text[17..]));
        // Glued to a path, truncated, or twice.
        let path = format!("/tmp/{}.txt and {}", &*text, &text[..30]);
        let redacted = redact(&path);
        assert_eq!(redacted, format!("/tmp/igk_{id}_….txt and igk_{id}_…"));
        // Text without a key, or with just an ID, is left as it is.
        for plain in ["no key here", "igk_", "igk_abc", "see igk_ABCDEFGHIJKL."] {
            assert_eq!(redact(plain), plain);
        }
        assert_eq!(redact("igk_ab_secret"), "igk_ab_…");
    }

    #[test]
    fn the_scanner_regex_describes_the_format() {
        // Checked by hand rather than pulling in a regex engine: the regex's
        // counts must match the format's constants.
        assert!(SCANNER_REGEX.contains(&format!("{{{ID_LEN}}}")));
        assert!(SCANNER_REGEX.contains(&format!("{{{}}}", SECRET_LEN + CHECKSUM_LEN)));
        assert!(SCANNER_REGEX.starts_with("igk_"));
        assert!(!SCANNER_REGEX.contains(r"\b"));
    }

    #[test]
    fn the_secret_carries_at_least_256_bits() {
        let bits = SECRET_LEN as f64 * 62f64.log2();
        assert!(bits >= 256.0, "{bits}");
    }

    #[test]
    fn checksum_is_six_base62_digits_of_crc32() {
        // u32::MAX fits in six base62 digits: 62^6 > 2^32.
        assert!(62u64.pow(6) > u64::from(u32::MAX));
        assert_eq!(checksum_of("").len(), CHECKSUM_LEN);
        assert_eq!(checksum_of(""), "000000"); // crc32("") == 0
    }

    #[test]
    fn debug_output_hides_the_secret() {
        let token = Token::generate().unwrap();
        assert!(!format!("{token:?}").contains(token.secret()));
    }

    #[test]
    fn ids_are_recognised() {
        let token = Token::generate().unwrap();
        assert!(is_id(token.id()));
        assert!(!is_id("short"));
        assert!(!is_id("abcdefghijk-"));
    }
}
