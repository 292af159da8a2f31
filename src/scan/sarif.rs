//! SARIF 2.1.0, the format GitHub code scanning (and most CI dashboards)
//! accept: one run, one rule, one result per place a key was found.

use std::path::Path;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_encode};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// The rule every result refers to.
pub const RULE_ID: &str = "intergiro-keys/leaked-key";

/// The base that relative URIs are relative to: the repository's top
/// directory (or the current directory outside a repository). Code
/// scanning maps it to its checkout.
pub const SRCROOT: &str = "%SRCROOT%";

/// One place where a key was found.
pub struct Finding<'a> {
    /// Relative to `Run::root` (`/`-separated) when `relative`, else an
    /// absolute path; `None` for stdin.
    pub path: Option<&'a str>,
    pub relative: bool,
    /// The commit whose change added the key (`scan --git`).
    pub commit: Option<&'a str>,
    pub line: u64,
    /// Character column (SARIF counts code points here, see `columnKind`).
    pub column: u64,
    /// `error` for a key that may still work, `warning` for one that
    /// does not.
    pub level: &'static str,
    pub message: String,
    pub key_id: &'a str,
    /// `base64` for a key found inside base64 text.
    pub encoding: Option<&'static str>,
}

/// What the whole run was about.
pub struct Run<'a> {
    /// The directory `%SRCROOT%` stands for.
    pub root: Option<&'a Path>,
    /// The repository searched and its checked-out commit (`scan --git`,
    /// `scan --staged`): `(repository URI, commit)`.
    pub revision: Option<(String, String)>,
}

/// The whole SARIF log for `findings`.
pub fn log(run: &Run, findings: &[Finding]) -> Value {
    let results: Vec<Value> = findings.iter().map(result).collect();
    let mut sarif_run = json!({
        "tool": { "driver": {
            "name": "intergiro-keys",
            "version": env!("CARGO_PKG_VERSION"),
            "rules": [rule()],
        }},
        "columnKind": "unicodeCodePoints",
        "results": results,
    });
    if let Some(root) = run.root {
        sarif_run["originalUriBaseIds"] = json!({
            SRCROOT: { "uri": directory_uri(root) },
        });
    }
    if let Some((repository, revision)) = &run.revision {
        sarif_run["versionControlProvenance"] = json!([{
            "repositoryUri": repository,
            "revisionId": revision,
            "mappedTo": { "uriBaseId": SRCROOT },
        }]);
    }
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [sarif_run],
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
        Some(path) if finding.relative => json!({ "uri": uri(path), "uriBaseId": SRCROOT }),
        Some(path) => json!({ "uri": file_uri(path) }),
        None => json!({ "description": { "text": "standard input" } }),
    };
    // Base64 text spells the key in more characters.
    let width = match finding.encoding {
        Some(_) => super::matcher::ENCODED_LEN,
        None => crate::token::TOKEN_LEN,
    };
    let region = json!({
        "startLine": finding.line,
        "startColumn": finding.column,
        "endColumn": finding.column + width as u64,
    });
    let mut properties = json!({ "keyId": finding.key_id });
    if let Some(commit) = finding.commit {
        properties["commit"] = json!(commit);
    }
    if let Some(encoding) = finding.encoding {
        properties["encoding"] = json!(encoding);
    }
    json!({
        "ruleId": RULE_ID,
        "ruleIndex": 0,
        "level": finding.level,
        "message": { "text": finding.message },
        "locations": [{ "physicalLocation": {
            "artifactLocation": artifact,
            "region": region,
        }}],
        "partialFingerprints": { "keyLocation/v1": fingerprint(finding) },
        "properties": properties,
    })
}

/// One key at one place (and commit): the same key in two places is two
/// results to track, and a result keeps its fingerprint from run to run.
fn fingerprint(finding: &Finding) -> String {
    let mut digest = Sha256::new();
    for part in [
        finding.key_id,
        finding.commit.unwrap_or(""),
        finding.path.unwrap_or(""),
        &finding.line.to_string(),
    ] {
        digest.update(part.as_bytes());
        digest.update([0]);
    }
    digest.finalize()[..16]
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// Everything but unreserved characters and `/` is percent-encoded in a
/// path (RFC 3986).
const PATH: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'/');

/// A relative path as a relative URI reference.
pub fn uri(path: &str) -> String {
    percent_encode(path.as_bytes(), PATH).to_string()
}

/// An absolute path as a `file://` URI.
pub fn file_uri(path: &str) -> String {
    format!("file://{}", uri(path))
}

/// A directory as a `file://` URI ending in `/`, as a base URI must.
fn directory_uri(dir: &Path) -> String {
    let text = dir.to_string_lossy();
    let mut out = file_uri(&text);
    if !out.ends_with('/') {
        out.push('/');
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
        assert_eq!(file_uri("/tmp/a#b"), "file:///tmp/a%23b");
        assert_eq!(
            directory_uri(Path::new("/srv/my repo")),
            "file:///srv/my%20repo/"
        );
        assert_eq!(uri("50%.txt"), "50%25.txt");
    }
}
