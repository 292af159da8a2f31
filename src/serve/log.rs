//! One line of JSON per event on stderr, for journald and log shippers.
//! Key IDs are named; key text never is.

use std::io::Write;

/// Writes `{"time":…,"event":…,fields…}` as one line. Values are strings,
/// escaped as JSON.
pub fn event(event: &str, fields: &[(&str, &str)]) {
    let mut line = serde_json::Map::new();
    line.insert(
        "time".into(),
        chrono::Utc::now()
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
            .into(),
    );
    line.insert("event".into(), event.into());
    for (name, value) in fields {
        line.insert((*name).into(), (*value).into());
    }
    let mut text = serde_json::Value::Object(line).to_string();
    text.push('\n');
    // A log that cannot be written must not stop answers.
    let _ = std::io::stderr().lock().write_all(text.as_bytes());
}
