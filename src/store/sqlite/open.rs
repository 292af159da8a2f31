//! Opening a database file safely: nothing that is not ours is ever opened
//! for writing, and a new database is made private and appears whole.

use std::fs::{self, DirBuilder, OpenOptions};
use std::io::{ErrorKind, Read};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context;
use rusqlite::{Connection, OpenFlags};

use super::SqliteStore;
use super::schema::APPLICATION_ID;
use crate::store::{Error, NotOurs, Open, Result};

impl SqliteStore {
    /// Opens the database at `path`, refusing anything that is not a
    /// database of ours of this or an older schema. A refused file is never
    /// modified.
    pub fn open(path: &Path, open: Open, busy_timeout: Duration) -> Result<SqliteStore> {
        let location = || path.display().to_string();
        let metadata = match fs::metadata(path) {
            Ok(metadata) => metadata,
            Err(err) if err.kind() == ErrorKind::NotFound => {
                if fs::symlink_metadata(path).is_ok() {
                    return Err(Error::DanglingLink {
                        location: location(),
                    });
                }
                if open == Open::MustExist {
                    return Err(Error::Missing {
                        location: location(),
                    });
                }
                initialize(path, busy_timeout)?;
                return SqliteStore::open(path, Open::MustExist, busy_timeout);
            }
            Err(err) => {
                return Err(anyhow::Error::new(err)
                    .context(format!("cannot read {}", path.display()))
                    .into());
            }
        };
        if !metadata.is_file() {
            return Err(Error::NotAFile {
                location: location(),
                is_directory: metadata.is_dir(),
            });
        }
        check_header(path)?;

        let mut read_only = metadata.permissions().readonly();
        let flags = if read_only {
            OpenFlags::SQLITE_OPEN_READ_ONLY
        } else {
            OpenFlags::SQLITE_OPEN_READ_WRITE
        };
        let conn = Connection::open_with_flags(path, flags | OpenFlags::SQLITE_OPEN_NO_MUTEX)
            .with_context(|| format!("cannot open the database {}", path.display()))?;
        // SQLite falls back to read-only when the OS refuses writing.
        read_only |= conn.is_readonly(rusqlite::MAIN_DB).unwrap_or(false);
        let mut store = SqliteStore {
            conn,
            path: Some(path.to_path_buf()),
            read_only,
            busy_timeout,
        };
        store.configure()?;
        store.check_identity()?;
        store.migrate()?;
        Ok(store)
    }

    fn configure(&self) -> Result<()> {
        self.conn
            .busy_timeout(self.busy_timeout)
            .map_err(|err| self.classify(err))?;
        // FULL: a key whose secret was printed must survive a power cut.
        self.conn
            .pragma_update(None, "synchronous", "FULL")
            .map_err(|err| self.classify(err))?;
        Ok(())
    }
}

/// Refuses a file that does not start with SQLite's header, before SQLite
/// sees it, so that no stray file is ever opened for writing.
fn check_header(path: &Path) -> Result<()> {
    const HEADER: &[u8; 16] = b"SQLite format 3\0";
    let cannot_read = || format!("cannot read {}", path.display());
    let mut file = fs::File::open(path).with_context(cannot_read)?;
    let mut header = [0u8; 16];
    let mut read = 0;
    while read < header.len() {
        match file.read(&mut header[read..]) {
            Ok(0) => break,
            Ok(n) => read += n,
            Err(err) if err.kind() == ErrorKind::Interrupted => {}
            Err(err) => return Err(anyhow::Error::new(err).context(cannot_read()).into()),
        }
    }
    let reason = if read == 0 {
        NotOurs::Empty
    } else if read < header.len() || &header != HEADER {
        NotOurs::NotSqlite
    } else {
        return Ok(());
    };
    Err(Error::NotOurs {
        location: path.display().to_string(),
        reason,
    })
}

/// Makes a new database: built under a temporary name beside the target, then
/// linked into place, so that no other process ever sees it half made. The
/// directory is made 0700 and the file 0600 whatever the umask.
fn initialize(path: &Path, busy_timeout: Duration) -> Result<()> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    create_private_dir(dir)?;

    let name = path
        .file_name()
        .map(|name| name.to_string_lossy())
        .unwrap_or_default();
    let temporary = dir.join(format!(".{name}.new-{}", std::process::id()));
    let _ = fs::remove_file(&temporary);
    let result = build_new_database(&temporary, busy_timeout).and_then(|()| {
        match fs::hard_link(&temporary, path) {
            Ok(()) => Ok(()),
            // Another process made it first: use theirs.
            Err(err) if err.kind() == ErrorKind::AlreadyExists => Ok(()),
            Err(err) => Err(anyhow::Error::new(err)
                .context(format!("cannot create {}", path.display()))
                .into()),
        }
    });
    let _ = fs::remove_file(&temporary);
    result?;
    if let Ok(dir) = fs::File::open(dir) {
        let _ = dir.sync_all();
    }
    Ok(())
}

fn create_private_dir(dir: &Path) -> Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    if let Some(parent) = dir.parent().filter(|parent| !parent.as_os_str().is_empty()) {
        create_private_dir(parent)?;
    }
    match DirBuilder::new().mode(0o700).create(dir) {
        Ok(()) => Ok(fs::set_permissions(dir, fs::Permissions::from_mode(0o700))
            .with_context(|| format!("cannot set the permissions of {}", dir.display()))?),
        Err(err) if err.kind() == ErrorKind::AlreadyExists && dir.is_dir() => Ok(()),
        Err(err) => Err(anyhow::Error::new(err)
            .context(format!("cannot create the directory {}", dir.display()))
            .into()),
    }
}

fn build_new_database(path: &Path, busy_timeout: Duration) -> Result<()> {
    let file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("cannot create {}", path.display()))?;
    file.set_permissions(fs::Permissions::from_mode(0o600))
        .with_context(|| format!("cannot set the permissions of {}", path.display()))?;
    drop(file);

    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_WRITE)
        .with_context(|| format!("cannot create the database {}", path.display()))?;
    conn.pragma_update(None, "application_id", APPLICATION_ID)?;
    conn.pragma_update_and_check(None, "journal_mode", "WAL", |_| Ok(()))?;
    let mut store = SqliteStore {
        conn,
        path: Some(PathBuf::from(path)),
        read_only: false,
        busy_timeout,
    };
    store.migrate()?;
    store
        .conn
        .close()
        .map_err(|(_, err)| Error::Other(anyhow::Error::new(err)))?;
    Ok(())
}
