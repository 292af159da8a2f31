//! The Debian package's files that are made rather than written: only the
//! generated-files test makes them; `debian/` holds what it made.

use intergiro_keys::generate::BIN;

/// The Debian package's copyright file (DEP-5), made from the licence files,
/// and its changelog; `cargo deb` packs them (see Cargo.toml).
pub fn debian_files() -> Vec<(String, String)> {
    let mit: String = include_str!("../../LICENSE-MIT")
        .lines()
        .skip_while(|line| !line.starts_with("Permission is hereby granted"))
        .map(|line| {
            if line.trim().is_empty() {
                " .\n".to_string()
            } else {
                format!(" {line}\n")
            }
        })
        .collect();
    let copyright = format!(
        "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: {BIN}

Files: *
Copyright: 2026 The {BIN} authors
License: MIT or Apache-2.0

License: MIT
{mit}
License: Apache-2.0
 Licensed under the Apache License, Version 2.0 (the \"License\"); you may not
 use this software except in compliance with the License.
 .
 On Debian systems, the full text of the Apache License, Version 2.0 can be
 found in \"/usr/share/common-licenses/Apache-2.0\".
"
    );
    let changelog = format!(
        "{BIN} ({}-1) unstable; urgency=medium

  * Upstream release {}; see /usr/share/doc/{BIN}/CHANGELOG.md.gz.

 -- {BIN} maintainers <maintainers@{BIN}.invalid>  Thu, 26 Nov 2026 00:00:00 +0000
",
        env!("CARGO_PKG_VERSION"),
        env!("CARGO_PKG_VERSION")
    );
    vec![
        ("copyright".to_string(), copyright),
        ("changelog".to_string(), changelog),
    ]
}
