//! SARIF 2.1.0, the format GitHub code scanning (and most CI dashboards)
//! accept: one run, one rule, one result per place a key was found.

use serde_json::{Value, json};

/// The rule every result refers to.
pub const RULE_ID: &str = "intergiro-keys/leaked-key";

/// One place where a key was found.
pub struct Finding<'a> {
    /// The path as given or walked; `None` for stdin.
    pub path: Option<&'a str>,
    pub line: u64,
    /// Character column (SARIF counts code points here, see `columnKind`).
    pub column: u64,
    /// `error` for a key that may still work, `warning` for one that
    /// does not.
    pub level: &'static str,
    pub message: String,
    pub key_id: &'a str,
}

/// The whole SARIF log for `findings`.
pub fn log(findings: &[Finding]) -> Value {
    let results: Vec<Value> = findings.iter().map(result).collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "intergiro-keys",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": [rule()],
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    })
}

fn rule() -> Value {
    json!({
        "id": RULE_ID,
        "name": "LeakedApiKey",
        "shortDescription": { "text": "An intergiro-keys API key is in the code" },
        "fullDescription": { "text": "The full text of a business-banking API key (igk_…, checksum verified) was found. Whoever can read it can use the key until it is deleted." },
        "help": {
            "text": "Delete the key at once (`intergiro-keys delete ID`, or `intergiro-keys scan --revoke`), issue a new one with `intergiro-keys create`, and keep it in a secret store instead of the code.",
        },
        "defaultConfiguration": { "level": "error" },
        "properties": {
            "tags": ["security", "secret"],
            "precision": "very-high",
            "security-severity": "9.0",
        },
    })
}

fn result(finding: &Finding) -> Value {
    let artifact = match finding.path {
        Some(path) => json!({ "uri": uri(path) }),
        None => json!({ "description": { "text": "standard input" } }),
    };
    let region = json!({
        "startLine": finding.line,
        "startColumn": finding.column,
        "endColumn": finding.column + crate::token::TOKEN_LEN as u64,
    });
    json!({
        "ruleId": RULE_ID,
        "ruleIndex": 0,
        "level": finding.level,
        "message": { "text": finding.message },
        "locations": [{ "physicalLocation": {
            "artifactLocation": artifact,
            "region": region,
        }}],
        "partialFingerprints": { "keyId/v1": finding.key_id },
    })
}

/// A path as a URI reference: relative paths stay relative (code scanning
/// resolves them against the checkout), absolute ones become `file://`;
/// everything but unreserved characters and `/` is percent-encoded.
pub fn uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len() + 8);
    if path.starts_with('/') {
        out.push_str("file://");
    }
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_become_uri_references() {
        assert_eq!(uri("src/main.rs"), "src/main.rs");
        assert_eq!(uri("my dir/é.env"), "my%20dir/%C3%A9.env");
        assert_eq!(uri("/tmp/a#b"), "file:///tmp/a%23b");
        assert_eq!(uri("50%.txt"), "50%25.txt");
    }
}
