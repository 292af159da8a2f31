//! The store's typed error: what went wrong, with the facts a message needs
//! (`crate::explain` writes the sentences). It deliberately does not
//! implement `std::error::Error`, so it cannot reach a user unexplained.

use std::time::Duration;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug)]
pub enum Error {
    /// Nothing at the location, and this open may not create a store.
    Missing {
        location: String,
    },
    /// A symbolic link to nothing.
    DanglingLink {
        location: String,
    },
    /// A directory, device or the like where a database file should be.
    NotAFile {
        location: String,
        is_directory: bool,
    },
    /// A file that is not a store of ours.
    NotOurs {
        location: String,
        reason: NotOurs,
    },
    /// Made by a pre-release version, whose schema 1.0 does not read;
    /// left untouched.
    PreRelease {
        location: String,
        version: i64,
    },
    /// Written by a newer version, whose schema this one does not know.
    Newer {
        location: String,
        version: i64,
        known: i64,
    },
    /// A database server with no store in this schema.
    NoStore {
        location: String,
        schema: String,
    },
    /// `init` where a store already is; nothing was changed.
    StoreExists {
        location: String,
        schema: String,
    },
    /// An older schema, which a read-only store cannot upgrade.
    NeedsUpgrade {
        location: String,
        from: i64,
        to: i64,
    },
    /// An older schema, which the connecting role may not upgrade (it
    /// cannot act as the store's owner); nothing was changed.
    UpgradeNotAllowed {
        location: String,
        role: String,
        from: i64,
        to: i64,
    },
    /// The database file or its directory could have been changed by
    /// another account, so its contents cannot be trusted.
    Exposed {
        path: String,
        directory: bool,
        exposure: Exposure,
    },
    /// Something in or around the store was not made by this tool (or
    /// not by the store's own owner), so nothing in it was read or run.
    Untrusted {
        location: String,
        problem: Untrusted,
    },
    /// A change was asked of a store opened read-only.
    ReadOnly {
        location: String,
    },
    /// The operating system refused a write.
    CannotWrite {
        location: String,
    },
    /// This account may not read the database, or reach its directory.
    NoReadAccess {
        location: String,
    },
    /// The operating system refused opening.
    CannotOpen {
        location: String,
    },
    /// Another process held the lock for the whole wait.
    Busy {
        location: String,
        waited: Duration,
    },
    /// The server stopped the change to let a concurrent one through (a
    /// deadlock between them); nothing was changed, and a retry succeeds.
    Conflict {
        location: String,
    },
    Damaged {
        location: String,
    },
    /// A database server could not be reached, or dropped the connection:
    /// worth retrying.
    Unreachable {
        location: String,
        detail: String,
    },
    /// The connection was lost as a change was committing, and the server
    /// could not be reached again to learn whether it was made: it may
    /// have been. `keys` and `operator` are what it was about.
    OutcomeUnknown {
        location: String,
        detail: String,
        keys: Vec<String>,
        operator: Option<String>,
    },
    /// No key with these IDs; nothing was changed.
    UnknownKeys(Vec<String>),
    /// The key cannot be rotated; nothing was changed.
    NotRotatable {
        id: String,
        reason: NotRotatable,
    },
    /// The key is retiring after a rotation, so it is not renewed (its
    /// replacement is the key to renew); nothing was changed.
    Retiring {
        id: String,
        retires_at: chrono::DateTime<chrono::Utc>,
        replaced_by: Option<String>,
    },
    UnknownOperator(String),
    OperatorExists(String),
    /// A key or operator row disagrees with the audit entry that last wrote
    /// it: it was changed by other means.
    Tampered {
        subject: String,
        problem: String,
    },
    /// The change would leave no administrator; nothing was changed.
    LastAdministrator,
    /// Anything else, with its context; also what a visitor returned.
    Other(anyhow::Error),
}

/// How another account could have changed the database.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Exposure {
    /// Writable by every account (a directory: without the sticky bit, or
    /// one further up than the database's own).
    WorldWritable,
    /// The database's own directory is writable by every account, though
    /// sticky (`/tmp`): others may plant files beside the database.
    SharedDirectory,
    /// A symbolic link where a file of the database's should be.
    Link,
    /// Not a regular file (a FIFO, a device, a directory).
    NotAFile,
    /// Owned by an account that is neither the caller nor root, with a group
    /// the caller is not in.
    ForeignOwner { owner: String, caller: String },
}

/// What makes a store untrusted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Untrusted {
    /// An object (`schema intergiro_keys`, `view intergiro_keys.audit`)
    /// that the store's owner role does not own.
    ForeignOwner {
        object: String,
        owner: String,
        expected: String,
    },
    /// Another role may create objects in the store's schema.
    OthersMayCreate { schema: String, grantee: String },
    /// An object of a kind the store never makes (a view, an operator, a
    /// rule).
    Planted { object: String, owner: String },
    /// A trigger on a store table that calls a function the store's owner
    /// did not make.
    ForeignTrigger { trigger: String, owner: String },
    /// A function the store's schema does not have.
    UnexpectedFunction { function: String },
    /// A function of the store's schema that is missing.
    MissingFunction { function: String },
    /// A table, index, trigger or view the store's schema does not have.
    Added { object: String },
    /// One of the store's own, made differently.
    Changed { object: String },
    /// One of the store's own, missing.
    Missing { object: String },
    /// A function of the store's whose settings were changed.
    FunctionChanged {
        function: String,
        what: &'static str,
    },
}

/// Why a key cannot be rotated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NotRotatable {
    /// Its secret was never written out.
    Unissued,
    /// Already rotated: it retires at this time.
    Retiring(chrono::DateTime<chrono::Utc>),
    /// Another rotation claimed it and has not finished (or was killed):
    /// this key, not yet issued, is to replace it.
    InProgress(String),
}

/// Why a file is not a store of ours.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NotOurs {
    Empty,
    /// Does not start with SQLite's header.
    NotSqlite,
    /// SQLite's header, but SQLite cannot read it.
    InvalidSqlite,
    /// A valid database of some other program.
    OtherProgram,
    /// Our tables without our marks: restored from `sqlite3 .dump`, which
    /// keeps neither `application_id` nor `user_version`.
    Dump,
}

impl From<anyhow::Error> for Error {
    fn from(err: anyhow::Error) -> Self {
        Error::Other(err)
    }
}
