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
        // From here on the real file: the checks were made on it, not on a
        // link to it (SQLite names its -wal after the path it is given).
        let real = super::strict::check(path, &super::strict::Caller::current())?;
        let path = real.as_path();
        let metadata = match fs::metadata(path) {
            Ok(metadata) => metadata,
            Err(err) if err.kind() == ErrorKind::NotFound => {
                if fs::symlink_metadata(path).is_ok() {
                    return Err(Error::DanglingLink {
                        location: location(),
                    });
                }
                if open != Open::CreateIfMissing {
                    return Err(Error::Missing {
                        location: location(),
                    });
                }
                initialize(path, busy_timeout)?;
                return SqliteStore::open(path, Open::MustExist, busy_timeout);
            }
            Err(err) if err.kind() == ErrorKind::PermissionDenied => {
                return Err(Error::NoReadAccess {
                    location: location(),
                });
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

        let mut read_only = metadata.permissions().readonly() || !may_write(path);
        let conn = if read_only {
            open_read_only(path)?
        } else {
            companions_writable(path, &metadata);
            Connection::open_with_flags(
                path,
                OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
            )
            .with_context(|| format!("cannot open the database {}", path.display()))?
        };
        // SQLite falls back to read-only when the OS refuses writing.
        read_only |= conn.is_readonly(rusqlite::MAIN_DB).unwrap_or(false);
        let mut store = SqliteStore {
            conn,
            path: Some(path.to_path_buf()),
            read_only,
            busy_timeout,
            skipped: Default::default(),
        };
        store.configure()?;
        store.check_identity()?;
        let format = store.check_format(open == Open::ToUpgrade)?;
        store.check_schema(format)?;
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

/// Whether this account may write both the file and its directory (where
/// SQLite keeps the `-wal` and `-shm` files).
fn may_write(path: &Path) -> bool {
    use nix::unistd::{AccessFlags, access};
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    access(path, AccessFlags::W_OK).is_ok() && access(dir, AccessFlags::W_OK).is_ok()
}

/// Opens the database for reading only, leaving no file behind.
///
/// In WAL mode even a reader needs the `-shm` file. A reader that may not
/// write the directory cannot create it, and one that creates it gives it
/// the database file's mode: a reader of a mode 0400 file would leave a
/// read-only `-shm` that later blocks its owner's writes. So:
/// - with no WAL (no writer since the last clean close, the usual case) the
///   main file holds every committed change, and it is opened `immutable`:
///   no locks, no `-shm`, nothing created. A writer starting meanwhile adds
///   to a new WAL, not the main file, so the read stays consistent; only a
///   checkpoint landing within the read's few milliseconds could disturb it,
///   and SQLite then reports the file damaged rather than returning wrong
///   rows (the command can simply be run again).
/// - with a WAL (a writer is at work, or crashed), its `-shm` exists and
///   SQLite reads both read-only, seeing the latest commits.
///
/// Not `journal_mode=DELETE` instead of WAL: readers would then block
/// writers and the reverse, which cron, CI and people running at once must
/// not do.
fn open_read_only(path: &Path) -> Result<Connection> {
    let wal = PathBuf::from(format!("{}-wal", path.display()));
    let has_wal = fs::metadata(&wal).is_ok_and(|metadata| metadata.len() > 0);
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = if has_wal {
        Connection::open_with_flags(path, flags)
    } else {
        Connection::open_with_flags(immutable_uri(path), flags | OpenFlags::SQLITE_OPEN_URI)
    };
    Ok(conn.with_context(|| format!("cannot open the database {}", path.display()))?)
}

/// `file:PATH?immutable=1`, with the path percent-encoded as URIs need.
fn immutable_uri(path: &Path) -> String {
    use std::os::unix::ffi::OsStrExt;
    let mut uri = String::from("file:");
    for &byte in path.as_os_str().as_bytes() {
        if byte.is_ascii_alphanumeric() || b"/-._~".contains(&byte) {
            uri.push(char::from(byte));
        } else {
            uri.push_str(&format!("%{byte:02X}"));
        }
    }
    uri.push_str("?immutable=1");
    uri
}

/// Makes our own `-wal` and `-shm` files writable again when a reader (of an
/// older version) left them read-only, as SQLite gives them the database's
/// mode of that moment; otherwise every later write would fail.
fn companions_writable(path: &Path, metadata: &fs::Metadata) {
    use std::os::unix::fs::MetadataExt;
    let uid = nix::unistd::getuid().as_raw();
    for suffix in ["-wal", "-shm"] {
        let companion = PathBuf::from(format!("{}{suffix}", path.display()));
        if let Ok(companion_metadata) = fs::metadata(&companion)
            && companion_metadata.uid() == uid
            && companion_metadata.mode() & 0o200 == 0
        {
            let _ = fs::set_permissions(
                &companion,
                fs::Permissions::from_mode(metadata.mode() & 0o666),
            );
        }
    }
}

/// Refuses a file that does not start with SQLite's header, before SQLite
/// sees it, so that no stray file is ever opened for writing.
fn check_header(path: &Path) -> Result<()> {
    const HEADER: &[u8; 16] = b"SQLite format 3\0";
    let cannot_read = || format!("cannot read {}", path.display());
    let mut file = match fs::File::open(path) {
        Ok(file) => file,
        Err(err) if err.kind() == ErrorKind::PermissionDenied => {
            return Err(Error::NoReadAccess {
                location: path.display().to_string(),
            });
        }
        Err(err) => return Err(anyhow::Error::new(err).context(cannot_read()).into()),
    };
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
        skipped: Default::default(),
    };
    store.create_schema()?;
    store
        .conn
        .close()
        .map_err(|(_, err)| Error::Other(anyhow::Error::new(err)))?;
    Ok(())
}

/// Copies the database behind `conn` to `to` with SQLite's online backup:
/// built under a temporary name beside it, private (0600), then linked into
/// place, so no one sees a partial copy and no existing file is replaced.
pub fn backup(conn: &Connection, to: &Path) -> Result<()> {
    let dir = match to.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    if fs::symlink_metadata(to).is_ok() {
        return Err(anyhow::anyhow!(
            "{} already exists; give a new file name (a backup never replaces a file)",
            to.display()
        )
        .into());
    }
    let name = to
        .file_name()
        .map(|name| name.to_string_lossy())
        .unwrap_or_default();
    let temporary = dir.join(format!(".{name}.partial-{}", std::process::id()));
    let cannot = || format!("cannot write the backup {}", to.display());
    let result = (|| -> Result<()> {
        let file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&temporary)
            .with_context(cannot)?;
        file.set_permissions(fs::Permissions::from_mode(0o600))
            .with_context(cannot)?;
        drop(file);
        let mut copy = Connection::open_with_flags(&temporary, OpenFlags::SQLITE_OPEN_READ_WRITE)
            .with_context(cannot)?;
        rusqlite::backup::Backup::new(conn, &mut copy)
            .and_then(|backup| backup.run_to_completion(256, Duration::from_millis(10), None))
            .with_context(cannot)?;
        // One self-contained file: no WAL beside it to lose when copied.
        copy.pragma_update_and_check(None, "journal_mode", "DELETE", |_| Ok(()))
            .with_context(cannot)?;
        let check: String = copy
            .query_row("PRAGMA integrity_check", [], |row| row.get(0))
            .with_context(cannot)?;
        if check != "ok" {
            return Err(anyhow::anyhow!(
                "the backup {} failed its integrity check: {check}",
                to.display()
            )
            .into());
        }
        copy.close()
            .map_err(|(_, err)| anyhow::Error::new(err).context(cannot()))?;
        fs::hard_link(&temporary, to).with_context(cannot)?;
        Ok(())
    })();
    let _ = fs::remove_file(&temporary);
    result?;
    if let Ok(dir) = fs::File::open(dir) {
        let _ = dir.sync_all();
    }
    Ok(())
}
