//! Finding leaked keys in files, directories and streams.
//!
//! `matcher` finds checksum-valid keys in bytes (base64-encoded ones too);
//! `walk` walks directories as ripgrep does; `git` reads the index and
//! history through git; `sarif` renders findings for code-scanning uploads. Nothing
//! here prints, touches the store or knows the command line.

pub mod git;
pub mod matcher;
pub mod sarif;
pub mod walk;

pub use matcher::{Encoding, Hit, Outcome, Searcher};
pub use walk::{Event, Walk};
