//! Everything intergiro-keys parses from untrusted text: presented keys (as
//! read from stdin or a key file), role and permission lists as stored, and
//! names printed to a terminal.
#![no_main]

use intergiro_keys::key::Roles;
use intergiro_keys::operator::Permissions;
use intergiro_keys::output::sanitize;
use intergiro_keys::token::{Token, is_id};
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
        // Printed names never carry a control character to the terminal.
        assert!(!sanitize(text).chars().any(char::is_control));
    }
});
