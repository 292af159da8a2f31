//! Everything intergiro-keys parses from untrusted text: presented keys (as
//! read from stdin or a key file), role and permission lists as stored,
//! text from the database printed to a terminal or as JSON, and messages
//! that quote what a user typed.
#![no_main]

use intergiro_keys::key::Roles;
use intergiro_keys::operator::Permissions;
use intergiro_keys::output::write_json;
use intergiro_keys::text::{is_hidden, sanitize};
use intergiro_keys::token::{ID_LEN, Token, is_id, redact};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Keys arrive as bytes; non-UTF-8 is rejected before parsing.
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(token) = Token::parse(text) {
            // Whatever parses is a well-formed key that prints back the same.
            assert!(is_id(token.id()));
            assert_eq!(&*token.expose(), text.trim());
        }
        let _ = text.parse::<Roles>();
        let _ = text.parse::<Permissions>();
        // Printed text never carries a control, format or separator
        // character to the terminal.
        assert!(!sanitize(text).chars().any(is_hidden));
        // JSON escapes them too, and still means the same string.
        let mut json = Vec::new();
        write_json(&mut json, text).unwrap();
        let json = String::from_utf8(json).unwrap();
        assert!(!json.trim_end_matches('\n').chars().any(is_hidden));
        assert_eq!(serde_json::from_str::<String>(&json).unwrap(), text);
        // A message quoting the text keeps at most a key's ID.
        let redacted = redact(text);
        for (at, _) in redacted.match_indices("igk_") {
            let run = redacted[at + 4..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .count();
            assert!(run <= ID_LEN + 1, "{redacted:?}");
        }
    }
});
