//! Finding leaked keys in files, directories and streams.
//!
//! `matcher` finds checksum-valid keys in bytes; `walk` walks directories as
//! ripgrep does; `sarif` renders findings for code-scanning uploads. Nothing
//! here prints, touches the store or knows the command line.

pub mod matcher;
pub mod sarif;
pub mod walk;

pub use matcher::{Hit, Outcome, Searcher};
pub use walk::{Event, Walk};
