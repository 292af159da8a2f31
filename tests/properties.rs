//! Property tests of the token format and the lifecycle rules.

use chrono::{DateTime, Duration, TimeZone, Utc};
use intergiro_keys::key::{self, Status};
use intergiro_keys::text::{is_hidden, sanitize};
use intergiro_keys::token::{TOKEN_LEN, Token};
use proptest::prelude::*;

fn any_time() -> impl Strategy<Value = DateTime<Utc>> {
    // 2000-01-01 to 2100-01-01, to the second.
    (946_684_800i64..4_102_444_800).prop_map(|secs| Utc.timestamp_opt(secs, 0).unwrap())
}

fn base62() -> impl Strategy<Value = char> {
    prop::sample::select(
        "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
            .chars()
            .collect::<Vec<_>>(),
    )
}

proptest! {
    /// Parsing never panics, whatever the text.
    #[test]
    fn parsing_any_text_never_panics(text in ".*") {
        let _ = Token::parse(&text);
    }

    /// Parsing any bytes the size of a key never panics and accepts only
    /// what has the exact shape.
    #[test]
    fn parsing_key_sized_text_is_total(text in proptest::collection::vec(any::<char>(), TOKEN_LEN)) {
        let text: String = text.into_iter().collect();
        if let Ok(token) = Token::parse(&text) {
            prop_assert_eq!(&*token.expose(), text.trim());
        }
    }

    /// A generated key parses back to itself.
    #[test]
    fn generated_keys_round_trip(_seed in any::<u8>()) {
        let token = Token::generate().unwrap();
        let text = token.expose();
        let parsed = Token::parse(&text).unwrap();
        prop_assert_eq!(parsed.id(), token.id());
        prop_assert_eq!(parsed.secret(), token.secret());
    }

    /// Replacing any one character by another base62 character breaks the
    /// checksum (or the shape).
    #[test]
    fn any_single_substitution_is_rejected(position in 0..TOKEN_LEN, replacement in base62()) {
        let text = Token::generate().unwrap().expose();
        let mut changed: Vec<char> = text.chars().collect();
        prop_assume!(changed[position] != replacement);
        changed[position] = replacement;
        let changed: String = changed.into_iter().collect();
        prop_assert!(Token::parse(&changed).is_err());
    }

    /// Transposing two neighbouring different characters is rejected too.
    #[test]
    fn any_transposition_is_rejected(position in 4..TOKEN_LEN - 1) {
        let text = Token::generate().unwrap().expose();
        let mut changed: Vec<char> = text.chars().collect();
        prop_assume!(changed[position] != changed[position + 1]);
        changed.swap(position, position + 1);
        let changed: String = changed.into_iter().collect();
        prop_assert!(Token::parse(&changed).is_err());
    }

    /// A key's status only ever gets worse as time passes: active, then
    /// expiring, then frozen.
    #[test]
    fn status_never_improves_with_time(created in any_time(), a in 0i64..200 * 86_400, b in 0i64..200 * 86_400) {
        let (earlier, later) = (a.min(b), a.max(b));
        let freezes_at = key::freezes_at(created);
        let at = |offset: i64| key::status(freezes_at, created + Duration::seconds(offset));
        prop_assert!(at(earlier) <= at(later));
    }

    /// Status agrees with the 90 and 14 day rules to the second.
    #[test]
    fn status_follows_the_rules(created in any_time(), offset in 0i64..200 * 86_400) {
        let now = created + Duration::seconds(offset);
        let status = key::status(key::freezes_at(created), now);
        let expected = if offset >= 90 * 86_400 {
            Status::Frozen
        } else if offset >= 76 * 86_400 {
            Status::Expiring
        } else {
            Status::Active
        };
        prop_assert_eq!(status, expected);
        prop_assert_eq!(
            key::freezes_within(key::freezes_at(created), now, 14),
            status != Status::Active
        );
    }

    /// Renewing at any moment, before or after the freeze, gives exactly 90
    /// days from that moment and an active key.
    #[test]
    fn renewing_always_gives_exactly_90_days(created in any_time(), offset in 0i64..400 * 86_400) {
        let renewed = created + Duration::seconds(offset);
        let freezes_at = key::freezes_at(renewed);
        prop_assert_eq!(freezes_at - renewed, Duration::days(90));
        prop_assert_eq!(key::days_left(freezes_at, renewed), 90);
        prop_assert_eq!(key::status(freezes_at, renewed), Status::Active);
    }

    /// Sanitized text never carries a control, format or separator
    /// character, and leaves text without any unchanged.
    #[test]
    fn sanitized_text_has_no_control_characters(text in ".*") {
        let safe = sanitize(&text);
        prop_assert!(!safe.chars().any(is_hidden));
        if !text.chars().any(is_hidden) {
            prop_assert_eq!(safe.as_ref(), text.as_str());
        }
    }
}
