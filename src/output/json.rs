//! JSON for scripts: pretty, with hidden characters escaped.

use std::io::Write;

use anyhow::Result;
use chrono::{DateTime, Utc};
use serde::Serialize;

use super::{is_hidden, rfc3339, write_rfc3339};
use crate::key::{ApiKey, Roles, Status};

/// A key as scripts see it: never a secret or a hash.
#[derive(Debug, Serialize)]
pub struct KeyJson<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub roles: &'a Roles,
    pub created_at: String,
    pub renewed_at: String,
    pub freezes_at: String,
    pub days_left: i64,
    pub status: Status,
    /// When a rotated key stops working; null for others.
    pub retires_at: Option<String>,
    /// The last use `verify` recorded (to 15 minutes); null: never used.
    pub last_used_at: Option<String>,
}

impl<'a> KeyJson<'a> {
    pub fn new(key: &'a ApiKey, now: DateTime<Utc>) -> Self {
        KeyJson {
            id: &key.id,
            name: &key.name,
            roles: &key.roles,
            created_at: rfc3339(key.created_at),
            renewed_at: rfc3339(key.renewed_at),
            freezes_at: rfc3339(key.freezes_at),
            days_left: key.days_left(now),
            status: key.status(now),
            retires_at: key.retires_at.map(rfc3339),
            last_used_at: key.last_used_at.map(rfc3339),
        }
    }
}

/// `KeyJson` of `key` as an element of a `JsonArray` (the pretty layout,
/// one level deep), byte for byte what serde writes, written without serde:
/// a listing writes one for every key, and serde's generic path costs
/// several times more. Text that needs escaping still goes through serde.
pub fn write_key_element(out: &mut Vec<u8>, key: &ApiKey, now: DateTime<Utc>) -> Result<()> {
    out.extend_from_slice(b"{\n    \"id\": ");
    write_string(out, &key.id)?;
    out.extend_from_slice(b",\n    \"name\": ");
    write_string(out, &key.name)?;
    out.extend_from_slice(b",\n    \"roles\": [");
    for (index, role) in key.roles.iter().enumerate() {
        out.extend_from_slice(if index == 0 {
            b"\n      \""
        } else {
            b",\n      \""
        });
        out.extend_from_slice(role.as_str().as_bytes());
        out.push(b'"');
    }
    if !key.roles.is_empty() {
        out.extend_from_slice(b"\n    ");
    }
    out.push(b']');
    for (field, time) in [
        ("created_at", key.created_at),
        ("renewed_at", key.renewed_at),
        ("freezes_at", key.freezes_at),
    ] {
        write_field(out, field);
        out.push(b'"');
        write_rfc3339(out, time);
        out.push(b'"');
    }
    write_field(out, "days_left");
    write!(out, "{}", key.days_left(now))?;
    write_field(out, "status");
    out.push(b'"');
    out.extend_from_slice(key.status(now).as_str().as_bytes());
    out.push(b'"');
    for (field, time) in [
        ("retires_at", key.retires_at),
        ("last_used_at", key.last_used_at),
    ] {
        write_field(out, field);
        match time {
            Some(time) => {
                out.push(b'"');
                write_rfc3339(out, time);
                out.push(b'"');
            }
            None => out.extend_from_slice(b"null"),
        }
    }
    out.extend_from_slice(b"\n  }");
    Ok(())
}

/// `,`, a new line and a field's name, one level deep in an array.
fn write_field(out: &mut Vec<u8>, field: &str) {
    out.extend_from_slice(b",\n    \"");
    out.extend_from_slice(field.as_bytes());
    out.extend_from_slice(b"\": ");
}

/// A JSON string as `write_json` writes it: printable ASCII other than `"`
/// and `\\` as it is (nearly every ID and name), anything else through
/// serde and `SafeFormatter`.
fn write_string(out: &mut Vec<u8>, text: &str) -> Result<()> {
    if text
        .bytes()
        .all(|byte| (b' '..=b'~').contains(&byte) && byte != b'"' && byte != b'\\')
    {
        out.push(b'"');
        out.extend_from_slice(text.as_bytes());
        out.push(b'"');
        Ok(())
    } else {
        write_json_value(&mut *out, text)
    }
}
/// Writes a value as pretty JSON and a newline to stdout.
pub fn print_json<T: Serialize + ?Sized>(value: &T) -> Result<()> {
    let mut stdout = std::io::stdout().lock();
    write_json(&mut stdout, value)?;
    stdout.flush()?;
    Ok(())
}

/// Writes a value as pretty JSON and a newline. Hidden characters (see
/// `is_hidden`) in strings are written as `\uXXXX` escapes: the same string
/// to a JSON parser, but nothing a terminal would act on when the JSON is
/// looked at.
pub fn write_json<W: Write, T: Serialize + ?Sized>(mut writer: W, value: &T) -> Result<()> {
    write_json_value(&mut writer, value)?;
    writeln!(writer)?;
    Ok(())
}

/// `write_json` without the newline.
pub(super) fn write_json_value<W: Write, T: Serialize + ?Sized>(
    writer: W,
    value: &T,
) -> Result<()> {
    let mut serializer = serde_json::Serializer::with_formatter(
        writer,
        SafeFormatter(serde_json::ser::PrettyFormatter::new()),
    );
    value.serialize(&mut serializer).map_err(|err| {
        // serde_json hides the I/O error from the error chain; a closed pipe
        // must stay recognisable as one.
        if err.is_io() {
            anyhow::Error::new(std::io::Error::from(err))
        } else {
            anyhow::Error::new(err)
        }
    })
}

/// serde_json's pretty layout, escaping hidden characters as well as the
/// ones JSON requires.
struct SafeFormatter(serde_json::ser::PrettyFormatter<'static>);

impl serde_json::ser::Formatter for SafeFormatter {
    fn write_string_fragment<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> std::io::Result<()> {
        let mut rest = fragment;
        while let Some((index, c)) = rest.char_indices().find(|&(_, c)| is_hidden(c)) {
            writer.write_all(&rest.as_bytes()[..index])?;
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                write!(writer, "\\u{unit:04x}")?;
            }
            rest = &rest[index + c.len_utf8()..];
        }
        writer.write_all(rest.as_bytes())
    }

    fn begin_array<W: ?Sized + Write>(&mut self, writer: &mut W) -> std::io::Result<()> {
        self.0.begin_array(writer)
    }

    fn end_array<W: ?Sized + Write>(&mut self, writer: &mut W) -> std::io::Result<()> {
        self.0.end_array(writer)
    }

    fn begin_array_value<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.0.begin_array_value(writer, first)
    }

    fn end_array_value<W: ?Sized + Write>(&mut self, writer: &mut W) -> std::io::Result<()> {
        self.0.end_array_value(writer)
    }

    fn begin_object<W: ?Sized + Write>(&mut self, writer: &mut W) -> std::io::Result<()> {
        self.0.begin_object(writer)
    }

    fn end_object<W: ?Sized + Write>(&mut self, writer: &mut W) -> std::io::Result<()> {
        self.0.end_object(writer)
    }

    fn begin_object_key<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.0.begin_object_key(writer, first)
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, writer: &mut W) -> std::io::Result<()> {
        self.0.begin_object_value(writer)
    }

    fn end_object_value<W: ?Sized + Write>(&mut self, writer: &mut W) -> std::io::Result<()> {
        self.0.end_object_value(writer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::key::Role;
    use chrono::TimeZone;
    use proptest::prelude::*;

    fn key(name: &str, created: DateTime<Utc>) -> ApiKey {
        crate::key::issued_test_key(name, Roles::new([Role::Payments]), created)
    }

    #[test]
    fn json_escapes_hidden_characters_and_still_means_the_same() {
        let text = "x\u{1b}]0;t\u{7}\u{9b}\u{202e}\u{2028}\u{e0041}é";
        let mut bytes = Vec::new();
        write_json(&mut bytes, &serde_json::json!({ "name": text })).unwrap();
        let json = String::from_utf8(bytes).unwrap();
        assert!(!json.chars().any(|c| is_hidden(c) && c != '\n'), "{json:?}");
        assert!(
            json.contains("\\u202e") && json.contains("\\udb40\\udc41"),
            "{json}"
        );
        let parsed: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(parsed["name"], text);
        assert!(json.starts_with("{\n  \"name\": "), "{json}");
    }

    #[test]
    fn json_of_a_key_has_no_secret_fields() {
        let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let k = key("k", t0);
        let value = serde_json::to_value(KeyJson::new(&k, t0)).unwrap();
        let fields: Vec<&str> = value
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            fields,
            [
                "created_at",
                "days_left",
                "freezes_at",
                "id",
                "last_used_at",
                "name",
                "renewed_at",
                "retires_at",
                "roles",
                "status"
            ]
        );
        assert_eq!(value["freezes_at"], "2026-04-01T00:00:00Z");
        assert_eq!(value["roles"], serde_json::json!(["payments"]));
        assert_eq!(value["status"], "active");
        assert_eq!(value["retires_at"], serde_json::Value::Null);
        assert_eq!(value["last_used_at"], serde_json::Value::Null);
    }

    fn time(seconds: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(seconds, 0).unwrap()
    }

    proptest! {
        #[test]
        fn a_key_element_is_what_serde_writes(
            id in ".{0,14}",
            name in "(.|[\\x00-\\x1f\\x7f\"\\\\\u{80}-\u{9f}\u{200b}-\u{200f}\u{2028}\u{202e}])*",
            roles in proptest::sample::subsequence(Role::ALL.to_vec(), 0..=3),
            times in proptest::array::uniform3(-70_000_000_000i64..300_000_000_000),
            retires_at in proptest::option::of(0i64..4_000_000_000),
            last_used_at in proptest::option::of(0i64..4_000_000_000),
            now in 0i64..4_000_000_000,
            issued: bool,
        ) {
            let key = ApiKey {
                id,
                name,
                roles: Roles::new(roles),
                created_at: time(times[0]),
                renewed_at: time(times[1]),
                freezes_at: time(times[2]),
                issued,
                retires_at: retires_at.map(time),
                replaced_by: None,
                last_used_at: last_used_at.map(time),
            };
            let now = time(now);
            let mut by_serde = super::super::JsonArray::new(Vec::new()).unwrap();
            by_serde.push(&KeyJson::new(&key, now)).unwrap();
            by_serde.push(&KeyJson::new(&key, now)).unwrap();
            let mut by_hand = super::super::JsonArray::new(Vec::new()).unwrap();
            for _ in 0..2 {
                by_hand
                    .push_written(|out| write_key_element(out, &key, now))
                    .unwrap();
            }
            prop_assert_eq!(
                String::from_utf8(by_hand.finish().unwrap()).unwrap(),
                String::from_utf8(by_serde.finish().unwrap()).unwrap()
            );
        }
    }
}
