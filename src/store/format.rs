//! Which stores this build reads and writes: a store's format is
//! MAJOR.MINOR, kept as one number (`MAJOR * 1000 + MINOR`) where each
//! backend keeps its version (SQLite's `PRAGMA user_version`, PostgreSQL's
//! `schema_version` table).
//!
//! Within a major version, schema changes are additive: a binary one minor
//! version older keeps reading (and verifying against) an upgraded store.
//! Only the `upgrade` command changes a store's format; ordinary commands
//! never do. Numbers below 1000 are the pre-release schemas (v1..v14), which
//! 1.0 does not read.

use std::fmt;

/// A store format, MAJOR.MINOR.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Format {
    pub major: u32,
    pub minor: u32,
}

/// The format this build writes.
pub const CURRENT: Format = Format { major: 1, minor: 0 };

impl Format {
    /// The number a backend keeps.
    pub const fn stored(self) -> i64 {
        self.major as i64 * 1000 + self.minor as i64
    }

    /// What a backend's version number says about the store.
    pub fn from_stored(version: i64) -> Stored {
        if version < 1000 {
            return Stored::PreRelease(version);
        }
        match (u32::try_from(version / 1000), u32::try_from(version % 1000)) {
            (Ok(major), Ok(minor)) => Stored::Format(Format { major, minor }),
            _ => Stored::PreRelease(version),
        }
    }

    /// How a store of this format fits this build.
    pub fn fit(self) -> Fit {
        self.fit_to(CURRENT)
    }

    /// How a store of this format fits a build that writes `current`.
    pub fn fit_to(self, current: Format) -> Fit {
        use std::cmp::Ordering::*;
        match (
            self.major.cmp(&current.major),
            self.minor.cmp(&current.minor),
        ) {
            (Less, _) => Fit::OlderMajor,
            (Greater, _) => Fit::NewerMajor,
            (Equal, Equal) => Fit::Current,
            (Equal, Less) => Fit::OlderMinor,
            (Equal, Greater) => Fit::NewerMinor,
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

/// A backend's version number, read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stored {
    /// A schema of the pre-release versions (the number they kept).
    PreRelease(i64),
    Format(Format),
}

/// How a store's format fits this build.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fit {
    Current,
    /// `upgrade` brings it to this build's format; until then this build
    /// refuses it (it may rely on what the newer minor adds).
    OlderMinor,
    /// Upgraded by a newer build: readable, as changes within a major
    /// version are additive.
    NewerMinor,
    OlderMajor,
    NewerMajor,
}

/// What `upgrade` did, or would do with `--dry-run`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UpgradePlan {
    pub from: Format,
    pub to: Format,
    /// One line per step, in order; empty when the store is up to date.
    pub steps: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_below_1000_are_pre_release_and_the_rest_major_minor() {
        assert_eq!(Format::from_stored(14), Stored::PreRelease(14));
        assert_eq!(Format::from_stored(7), Stored::PreRelease(7));
        assert_eq!(
            Format::from_stored(CURRENT.stored()),
            Stored::Format(CURRENT)
        );
        assert_eq!(
            Format::from_stored(2003),
            Stored::Format(Format { major: 2, minor: 3 })
        );
        assert_eq!(CURRENT.fit(), Fit::Current);
        assert_eq!(Format { major: 1, minor: 1 }.fit(), Fit::NewerMinor);
        assert_eq!(Format { major: 2, minor: 0 }.fit(), Fit::NewerMajor);
        assert_eq!(CURRENT.to_string(), "1.0");
    }
}
