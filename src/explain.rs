//! The one place where the store's typed errors become the sentences users
//! read: what happened, and what to do about it.

use std::fmt;

use crate::store::{Error, Exposure, NotOurs, NotRotatable, Untrusted};

/// A store error with its sentence. The typed error stays reachable
/// (`err.downcast_ref::<Explained>()`) for callers that branch on it, such
/// as an exit code.
#[derive(Debug)]
pub struct Explained {
    pub error: Error,
    sentence: String,
}

impl fmt::Display for Explained {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.sentence)
    }
}

impl std::error::Error for Explained {}

impl From<Error> for anyhow::Error {
    fn from(error: Error) -> Self {
        match error {
            Error::Other(err) => err,
            error => {
                let sentence = sentence(&error);
                anyhow::Error::new(Explained { error, sentence })
            }
        }
    }
}

/// What the user reads for `error`.
pub fn sentence(error: &Error) -> String {
    match error {
        Error::Missing { location } => format!(
            "no database at {location}; create the first key with `intergiro-keys create`, or point --db (or INTERGIRO_KEYS_DB) at an existing one"
        ),
        Error::DanglingLink { location } => format!(
            "{location} is a symbolic link to a file that does not exist; fix the link or pass another --db"
        ),
        Error::NotAFile {
            location,
            is_directory: true,
        } => format!(
            "{location} is a directory, not a database; pass --db with the path of a file"
        ),
        Error::NotAFile { location, .. } => format!(
            "{location} is not a regular file; pass --db with the path of a database file"
        ),
        Error::NotOurs { location, reason } => match reason {
            NotOurs::Empty => format!(
                "{location} is an empty file, not an intergiro-keys database; it was left untouched (remove it, or pass another --db)"
            ),
            NotOurs::NotSqlite => format!(
                "{location} is not an intergiro-keys database (not an SQLite file); it was left untouched"
            ),
            NotOurs::InvalidSqlite => format!(
                "{location} is not an intergiro-keys database (not a valid SQLite file); it was left untouched"
            ),
            NotOurs::Dump => format!(
                "{location} has intergiro-keys's tables but not its marks, as a restore of `sqlite3 .dump` has (a dump keeps neither PRAGMA application_id nor user_version), so it was left untouched; restore from `intergiro-keys backup` or `sqlite3 keys.db .backup` instead — or, if you know the store format the dump was made at (1000 for 1.0), mark it with `sqlite3 {location} 'PRAGMA application_id = {}; PRAGMA user_version = {}'`",
                crate::store::sqlite::APPLICATION_ID,
                crate::store::sqlite::SCHEMA_VERSION
            ),
            NotOurs::OtherProgram => format!(
                "{location} is an SQLite database of another program, not of intergiro-keys; it was left untouched"
            ),
        },
        Error::PreRelease { location, version } => format!(
            "{location} was made by a pre-release intergiro-keys (schema v{version}), which 1.0 does not read; it was left untouched — keep using the binary that made it, or make a new store with `intergiro-keys init` and create its keys there"
        ),
        Error::Newer {
            location,
            version,
            known,
        } => format!(
            "{location} was written by a newer intergiro-keys ({}; this one knows up to {}); upgrade intergiro-keys to use it — the store was left untouched",
            shown_format(*version),
            shown_format(*known)
        ),
        Error::NeedsUpgrade { location, from, to } => format!(
            "{location} has {}, and this intergiro-keys uses {}: an administrator runs `intergiro-keys upgrade` (try `intergiro-keys upgrade --dry-run` first), and until then this intergiro-keys leaves it untouched",
            shown_format(*from),
            shown_format(*to)
        ),
        Error::UpgradeNotAllowed {
            location,
            role,
            from,
            to,
        } => format!(
            "{location} has {}, older than this intergiro-keys's {}, and role {role} may not upgrade it (upgrading acts as the store's owner role, which needs CREATEROLE); run `intergiro-keys upgrade` as an administrator with CREATEROLE (such as the role that ran init) — nothing was changed",
            shown_format(*from),
            shown_format(*to)
        ),
        Error::Exposed {
            path,
            directory,
            exposure: Exposure::WorldWritable,
        } => {
            let what = if *directory {
                format!("the directory {path} is writable by every account, so anyone could replace the database in it")
            } else {
                format!("{path} is writable by every account, so anyone could have changed its keys and operators")
            };
            format!("{what}; fix it with `chmod o-w {path}` (then check the log with `intergiro-keys audit --verify`)")
        }
        Error::Exposed {
            path,
            exposure: Exposure::SharedDirectory,
            ..
        } => format!(
            "the directory {path} is writable by every account, so another could plant files beside the database (such as its -wal journal, which SQLite would take in); keep the database in a directory of its own (`mkdir -m 700 DIR`, then move it there and pass --db DIR/keys.db)"
        ),
        Error::Exposed {
            path,
            exposure: Exposure::Link,
            ..
        } => format!(
            "{path} is a symbolic link where a file of the database belongs, so it cannot be trusted; remove it (`rm {path}`) if you did not make it, and check the log with `intergiro-keys audit --verify`"
        ),
        Error::Exposed {
            path,
            exposure: Exposure::NotAFile,
            ..
        } => format!(
            "{path} is not a regular file, where a file of the database belongs, so it cannot be trusted; remove it (`rm {path}`) if you did not make it"
        ),
        Error::Exposed {
            path,
            directory,
            exposure: Exposure::ForeignOwner { owner, caller },
        } => format!(
            "{} {path} belongs to {owner}, not to you ({caller}), root or a group of yours, so it may not be the database you mean; if it is, take it with `chown {caller} {path}`, or share it through a group as the README's shared set-up does",
            if *directory { "the directory" } else { "the database" }
        ),
        Error::Untrusted { location, problem } => {
            let (what, remedy) = untrusted(problem);
            format!(
                "the store at {location} cannot be trusted: {what}; nothing in it was read or run, and nothing was changed — {remedy}"
            )
        }
        Error::ReadOnly { location } => format!(
            "the database {location} is read-only; ask its owner for write access (or make it writable with chmod u+w)"
        ),
        Error::CannotWrite { location } => format!(
            "the database {location} cannot be written (read-only file or directory); check its permissions"
        ),
        Error::NoReadAccess { location } => {
            let dir = std::path::Path::new(location)
                .parent()
                .filter(|dir| !dir.as_os_str().is_empty())
                .map_or(".".to_string(), |dir| dir.display().to_string());
            format!(
                "this account may not read the database {location} (or reach its directory); an operator needs to be in the group it is shared with, and an account that only reads (monitoring) needs read access to the file and to pass through its directory, which an administrator can grant without opening it to everyone: `setfacl -m g:GROUP:x {dir}; setfacl -d -m g:GROUP:r {dir}; setfacl -m g:GROUP:r {location}` (see docs/shared-host.md)"
            )
        }
        Error::CannotOpen { location } => format!(
            "cannot open the database {location} (check the permissions of the file and its directory)"
        ),
        Error::Busy { location, waited } => format!(
            "the database {location} stayed locked by another process for {} seconds; nothing was changed — try again when it has finished (INTERGIRO_KEYS_BUSY_TIMEOUT sets the wait)",
            waited.as_secs()
        ),
        Error::Conflict { location } => format!(
            "another change to the same keys at {location} got in the way, and the server stopped this one to let it through; nothing was changed — try again"
        ),
        Error::NoStore { location, schema } => format!(
            "there is no intergiro-keys store at {location} (schema {schema}); create it with `intergiro-keys init --db URL`, run by the role that will administer it"
        ),
        Error::StoreExists { location, schema } => format!(
            "{location} already has a key store in schema {schema}; nothing was changed"
        ),
        Error::Unreachable { location, detail } => format!(
            "cannot reach the PostgreSQL server of {location} ({detail}); nothing was changed — check that it is running and the --db URL, then try again"
        ),
        Error::OutcomeUnknown {
            location,
            detail,
            keys,
            operator,
        } => {
            let look = match (keys.as_slice(), operator) {
                ([], Some(name)) => format!("`intergiro-keys users list` (operator {name})"),
                ([], None) => "`intergiro-keys audit --since 1h`".to_string(),
                (ids, _) => ids
                    .iter()
                    .map(|id| format!("`intergiro-keys show {id}`"))
                    .collect::<Vec<_>>()
                    .join(", "),
            };
            format!(
                "the connection to the PostgreSQL server of {location} was lost as the change was being committed ({detail}), and the server could not be reached again to learn whether it was made: it may or may not have been — once the server is back, run {look} to see, before trying again"
            )
        }
        Error::Damaged { location } => {
            format!("the database {location} is damaged; restore it from a backup")
        }
        Error::UnknownKeys(ids) => format!(
            "no key with ID {}; nothing was changed (see the IDs with `intergiro-keys list`)",
            ids.join(", ")
        ),
        Error::NotRotatable { id, reason } => match reason {
            NotRotatable::Unissued => format!(
                "key {id} was never issued (its secret was not written out), so there is nothing to rotate; delete it with `intergiro-keys delete {id}`"
            ),
            NotRotatable::Retiring(retires_at) => format!(
                "key {id} was already rotated and retires at {}; rotate its replacement instead (see `intergiro-keys show {id}`); nothing was changed",
                crate::text::human_time(*retires_at)
            ),
            NotRotatable::InProgress(replacement) => format!(
                "key {id} is being rotated by another command (its replacement {replacement} is not issued yet); if no rotation is running, delete {replacement} and try again; nothing was changed"
            ),
        },
        Error::Retiring {
            id,
            retires_at,
            replaced_by,
        } => crate::audit::retiring_not_renewed(id, *retires_at, replaced_by.as_deref()),
        Error::UnknownOperator(name) => {
            format!("{name} is not an operator; see them with `intergiro-keys users list`")
        }
        Error::OperatorExists(name) => format!(
            "{name} is already an operator; change their permissions with `intergiro-keys users grant` or `users revoke`"
        ),
        Error::Tampered { subject, problem } => {
            let remedy = if let Some(id) = subject.strip_prefix("key ") {
                format!("delete it (`intergiro-keys delete {id}`) and issue a new key, or restore a backup")
            } else if let Some(name) = subject.strip_prefix("operator ") {
                format!("an administrator can remove it (`intergiro-keys users remove {name}`) and add it again, or restore a backup")
            } else {
                "restore a backup".to_string()
            };
            format!(
                "{subject} was changed outside intergiro-keys (tampered): {problem}; it is not trusted — {remedy} (`intergiro-keys audit --verify` lists every such row)"
            )
        }
        Error::LastAdministrator => "that would leave no administrator; make another operator an administrator first (`intergiro-keys users grant NAME admin`); nothing was changed".to_string(),
        Error::Other(err) => format!("{err:#}"),
    }
}

/// What is wrong with an untrusted store, and what to do about it. Names
/// come from the server's catalogs, which whoever planted the object chose.
fn untrusted(problem: &Untrusted) -> (String, String) {
    use crate::text::sanitize;
    let inspect = "a database administrator should find out who made it (it may be an attack)";
    match problem {
        Untrusted::ForeignOwner {
            object,
            owner,
            expected,
        } => (
            format!(
                "{} belongs to role {}, not to the store's owner role {}",
                sanitize(object),
                sanitize(owner),
                sanitize(expected)
            ),
            if object.starts_with("schema ") && owner.ends_with("_owner") && owner != expected {
                // Another store's owner role: a dump of that store restored here.
                format!(
                    "if this is a copy of another store (its dump restored into this database), give it roles of its own: a role with CREATEROLE runs `intergiro-keys init --adopt` (the other store's roles are left as they are, see docs/restore.md); otherwise {inspect} and drop it"
                )
            } else if object.starts_with("schema ") {
                format!(
                    "{inspect} and drop it; if it was restored from a dump without the store's roles, drop it and restore the roles first (`pg_dumpall --roles-only`, docs/restore.md); if no store was ever created here, pick another schema with ?schema=NAME in the connection URL"
                )
            } else {
                format!(
                    "{inspect} and drop it; if no store was ever created here, pick another schema with ?schema=NAME in the connection URL"
                )
            },
        ),
        Untrusted::OthersMayCreate { schema, grantee } => (
            format!(
                "role {} may create objects in schema {}",
                sanitize(grantee),
                sanitize(schema)
            ),
            format!(
                "revoke it (REVOKE CREATE ON SCHEMA {} FROM {}) and check the schema for objects that role made",
                sanitize(schema),
                sanitize(grantee)
            ),
        ),
        Untrusted::Planted { object, owner } => (
            format!(
                "it holds {} (owner {}), which intergiro-keys never makes",
                sanitize(object),
                sanitize(owner)
            ),
            format!("{inspect} and drop it"),
        ),
        Untrusted::ForeignTrigger { trigger, owner } => (
            format!(
                "{} calls a function of role {} that is not the store's",
                sanitize(trigger),
                sanitize(owner)
            ),
            format!("{inspect} and drop the trigger"),
        ),
        Untrusted::UnexpectedFunction { function } => (
            format!(
                "it holds a function {} that intergiro-keys never made",
                sanitize(function)
            ),
            format!("{inspect} and drop it"),
        ),
        Untrusted::MissingFunction { function } => (
            format!("its function {} is missing", sanitize(function)),
            "restore the store from a backup".to_string(),
        ),
        Untrusted::Added { object } => (
            format!("it holds {} that intergiro-keys never made", sanitize(object)),
            "restore it from a backup, or drop that object after finding out who wrote it (`audit --verify` then shows what it changed)".to_string(),
        ),
        Untrusted::Changed { object } => (
            format!("its {} is not as intergiro-keys made it", sanitize(object)),
            "restore it from a backup".to_string(),
        ),
        Untrusted::Missing { object } => (
            format!("its {} is missing", sanitize(object)),
            "restore it from a backup".to_string(),
        ),
        Untrusted::FunctionChanged { function, what } => (
            format!("{what} of function {} was changed", sanitize(function)),
            "restore the store from a backup".to_string(),
        ),
    }
}

/// A store's version as users know it: its format, MAJOR.MINOR, or the
/// pre-release schema number.
fn shown_format(version: i64) -> String {
    match crate::store::format::Format::from_stored(version) {
        crate::store::format::Stored::Format(format) => format!("store format {format}"),
        crate::store::format::Stored::PreRelease(version) => format!("schema v{version}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_typed_error_stays_reachable_behind_its_sentence() {
        let err = anyhow::Error::from(Error::Busy {
            location: "/tmp/keys.db".into(),
            waited: std::time::Duration::from_secs(10),
        });
        assert!(
            err.to_string().starts_with(
                "the database /tmp/keys.db stayed locked by another process for 10 seconds"
            ),
            "{err}"
        );
        let explained = err.downcast_ref::<Explained>().unwrap();
        assert!(matches!(explained.error, Error::Busy { .. }));
    }

    #[test]
    fn other_errors_keep_their_own_chain() {
        let inner = anyhow::anyhow!("disk on fire").context("cannot read x");
        let err = anyhow::Error::from(Error::Other(inner));
        assert_eq!(format!("{err:#}"), "cannot read x: disk on fire");
    }

    #[test]
    fn a_tampered_row_is_told_the_remedy_for_its_kind() {
        let tampered = |subject: String| {
            sentence(&Error::Tampered {
                subject,
                problem: "its seal does not match".into(),
            })
        };
        let key = tampered(crate::audit::key_subject("3hT9kQ2mXa7B"));
        assert!(
            key.contains("delete it (`intergiro-keys delete 3hT9kQ2mXa7B`) and issue a new key"),
            "{key}"
        );
        let operator = tampered(crate::audit::operator_subject("alice"));
        assert!(
            operator.contains("(`intergiro-keys users remove alice`) and add it again"),
            "{operator}"
        );
        let log = tampered("the audit log".into());
        assert!(
            log.contains("not trusted — restore a backup (`intergiro-keys audit --verify`"),
            "{log}"
        );
    }
}
