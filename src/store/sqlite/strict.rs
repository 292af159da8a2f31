//! Who could have changed the database file, checked before it is trusted,
//! as OpenSSH's `StrictModes` checks `~/.ssh`: a file that another account
//! could write, or a directory in which it could replace the file, may hold
//! keys and operators that no administrator made.
//!
//! Trusted owners are the caller and root. A file or directory owned by
//! someone else is trusted through a group the caller is in: the shared
//! set-up the README describes (a setgid directory of the operators' group).

use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use crate::store::{Error, Exposure, Result};

const OTHERS_WRITE: u32 = 0o002;
const GROUP_WRITE: u32 = 0o020;
const STICKY: u32 = 0o1000;

/// The account checking: its real user id and every group it is in.
#[derive(Clone, Debug)]
pub struct Caller {
    pub uid: u32,
    pub groups: Vec<u32>,
}

impl Caller {
    pub fn current() -> Caller {
        let mut groups: Vec<u32> = nix::unistd::getgroups()
            .unwrap_or_default()
            .into_iter()
            .map(|gid| gid.as_raw())
            .collect();
        groups.push(nix::unistd::getgid().as_raw());
        Caller {
            uid: nix::unistd::getuid().as_raw(),
            groups,
        }
    }

    fn trusts(&self, metadata: &std::fs::Metadata) -> bool {
        metadata.uid() == self.uid || metadata.uid() == 0 || self.groups.contains(&metadata.gid())
    }
}

/// What SQLite may write beside the database, under its name: each is as
/// much the database as the file itself (a `-wal` is checkpointed into it).
pub const COMPANIONS: [&str; 3] = ["-wal", "-shm", "-journal"];

/// Resolves `path` (symbolic links and `..`) and checks the real database
/// file, its `-wal`, `-shm` and `-journal` files (those that exist) and
/// every directory above them; returns the real path, which is the one to
/// open. A path whose directory does not exist yet is returned as given.
///
/// The files are checked through descriptors opened without following a
/// link, so what is checked is what is there; once every directory above is
/// one that only trusted accounts can change, nothing can be swapped in
/// between the check and SQLite's own open.
pub fn check(path: &Path, caller: &Caller) -> Result<PathBuf> {
    let real = match std::fs::canonicalize(path) {
        Ok(real) => real,
        // A link to nothing: opening says so.
        Err(_) if std::fs::symlink_metadata(path).is_ok() => return Ok(path.to_path_buf()),
        Err(_) => match (path.parent(), path.file_name()) {
            (Some(dir), Some(name)) => {
                let dir = if dir.as_os_str().is_empty() {
                    Path::new(".")
                } else {
                    dir
                };
                match std::fs::canonicalize(dir) {
                    Ok(dir) => dir.join(name),
                    Err(_) => return Ok(path.to_path_buf()),
                }
            }
            _ => return Ok(path.to_path_buf()),
        },
    };
    if real.is_dir() {
        // Not a database at all, which opening it says.
        return Ok(real);
    }
    let mut directories = real.ancestors().skip(1);
    let own = directories.next();
    if let Some(dir) = own {
        check_directory(dir, true, caller)?;
    }
    for dir in directories {
        check_directory(dir, false, caller)?;
    }
    let caller = &vouched(own, caller);
    let file = real.as_os_str().to_owned();
    check_file(&real, caller)?;
    for suffix in COMPANIONS {
        let mut companion = file.clone();
        companion.push(suffix);
        check_file(Path::new(&companion), caller)?;
    }
    Ok(real)
}

/// `caller`, also trusting the group of the database's own directory when
/// that directory is root's (or the caller's) and lets its group write:
/// whoever owns it gave that group the store, so a file of that group was
/// written by one of its members (the shared set-up: a setgid directory of
/// the operators' group). This is how an account outside the group, given
/// read access alone (a monitoring account, through an ACL), trusts the
/// operators' files.
fn vouched(dir: Option<&Path>, caller: &Caller) -> Caller {
    let mut caller = caller.clone();
    if let Some(metadata) = dir.and_then(|dir| std::fs::symlink_metadata(dir).ok())
        && (metadata.uid() == 0 || metadata.uid() == caller.uid)
        && metadata.mode() & GROUP_WRITE != 0
    {
        caller.groups.push(metadata.gid());
    }
    caller
}

/// A directory above the database. Its own directory may not be writable
/// by every account even with the sticky bit: others could not replace the
/// database there, but could plant its `-wal` before it exists. A directory
/// further up may be sticky (`/tmp`): no one else can rename ours in it.
fn check_directory(dir: &Path, own: bool, caller: &Caller) -> Result<()> {
    let Ok(metadata) = std::fs::symlink_metadata(dir) else {
        return Ok(());
    };
    let mode = metadata.mode();
    let exposure = if mode & OTHERS_WRITE != 0 && (own || mode & STICKY == 0) {
        if mode & STICKY != 0 {
            Exposure::SharedDirectory
        } else {
            Exposure::WorldWritable
        }
    } else if !caller.trusts(&metadata) {
        foreign(&metadata, caller)
    } else {
        return Ok(());
    };
    Err(Error::Exposed {
        path: dir.display().to_string(),
        directory: true,
        exposure,
    })
}

/// The database or one of its companions, when it exists: a regular file,
/// not a link, that no untrusted account may have written.
///
/// Looked at with `lstat`, never opened: closing any descriptor of a file
/// drops every POSIX lock this process holds on it, and SQLite's WAL locks
/// are such locks on the `-shm` file, so opening it here would break a
/// connection this process already has (`serve` keeps one, and opens the
/// store again). Not following the link is what `O_NOFOLLOW` would give;
/// nothing can swap the file in between, since every directory above it was
/// checked first: only trusted accounts can change them.
fn check_file(path: &Path, caller: &Caller) -> Result<()> {
    let Ok(metadata) = std::fs::symlink_metadata(path) else {
        return Ok(());
    };
    let exposure = if metadata.file_type().is_symlink() {
        Exposure::Link
    } else if !metadata.is_file() {
        Exposure::NotAFile
    } else if metadata.mode() & OTHERS_WRITE != 0 {
        Exposure::WorldWritable
    } else if !caller.trusts(&metadata) {
        foreign(&metadata, caller)
    } else {
        return Ok(());
    };
    Err(Error::Exposed {
        path: path.display().to_string(),
        directory: false,
        exposure,
    })
}

fn foreign(metadata: &std::fs::Metadata, caller: &Caller) -> Exposure {
    Exposure::ForeignOwner {
        owner: crate::operator::account_name(metadata.uid()),
        caller: crate::operator::account_name(caller.uid),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn set_mode(path: &Path, mode: u32) {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
    }

    #[test]
    fn files_and_directories_others_can_change_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("keys.db");
        std::fs::write(&db, b"").unwrap();
        let me = Caller::current();
        assert!(check(&db, &me).is_ok());

        set_mode(&db, 0o666);
        let err = check(&db, &me).unwrap_err();
        assert!(
            matches!(
                &err,
                Error::Exposed {
                    directory: false,
                    exposure: Exposure::WorldWritable,
                    ..
                }
            ),
            "{err:?}"
        );
        set_mode(&db, 0o660);
        assert!(
            check(&db, &me).is_ok(),
            "group-writable is the shared set-up"
        );

        set_mode(dir.path(), 0o777);
        let err = check(&db, &me).unwrap_err();
        assert!(
            matches!(
                &err,
                Error::Exposed {
                    directory: true,
                    ..
                }
            ),
            "{err:?}"
        );
        // Sticky: the file cannot be replaced, but its -wal can be planted.
        set_mode(dir.path(), 0o1777);
        let err = check(&db, &me).unwrap_err();
        assert!(
            matches!(
                &err,
                Error::Exposed {
                    directory: true,
                    exposure: Exposure::SharedDirectory,
                    ..
                }
            ),
            "{err:?}"
        );
        set_mode(dir.path(), 0o700);
    }

    /// The exposure `check` reports for `db`, which must be refused.
    fn exposure(db: &Path) -> (String, Exposure) {
        match check(db, &Caller::current()) {
            Err(Error::Exposed { path, exposure, .. }) => (path, exposure),
            other => panic!("not refused: {other:?}"),
        }
    }

    #[test]
    fn companions_of_the_database_are_checked_as_the_database_is() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("keys.db");
        std::fs::write(&db, b"").unwrap();
        for suffix in COMPANIONS {
            let companion = dir.path().join(format!("keys.db{suffix}"));
            std::fs::write(&companion, b"").unwrap();
            set_mode(&companion, 0o600);
            assert!(check(&db, &Caller::current()).is_ok(), "{suffix}");
            // The planted -wal of the finding was mode 0666.
            set_mode(&companion, 0o666);
            assert_eq!(
                exposure(&db),
                (companion.display().to_string(), Exposure::WorldWritable)
            );
            // A link, wherever it points, is not followed.
            std::fs::remove_file(&companion).unwrap();
            std::os::unix::fs::symlink(&db, &companion).unwrap();
            assert_eq!(
                exposure(&db),
                (companion.display().to_string(), Exposure::Link)
            );
            std::fs::remove_file(&companion).unwrap();
            // Nor is a FIFO opened for reading (which would wait forever).
            nix::unistd::mkfifo(&companion, nix::sys::stat::Mode::from_bits_truncate(0o600))
                .unwrap();
            assert_eq!(
                exposure(&db),
                (companion.display().to_string(), Exposure::NotAFile)
            );
            std::fs::remove_file(&companion).unwrap();
        }
    }

    #[test]
    fn a_link_is_resolved_and_the_real_file_and_every_directory_above_it_checked() {
        let root = tempfile::tempdir().unwrap();
        let open = root.path().join("open");
        std::fs::create_dir(&open).unwrap();
        std::fs::write(open.join("keys.db"), b"").unwrap();
        let mine = root.path().join("mine");
        std::fs::create_dir(&mine).unwrap();
        let link = mine.join("keys.db");
        std::os::unix::fs::symlink(open.join("keys.db"), &link).unwrap();
        assert_eq!(
            check(&link, &Caller::current()).unwrap(),
            std::fs::canonicalize(open.join("keys.db")).unwrap()
        );
        // The link's own directory is fine; the real one is not.
        set_mode(&open, 0o777);
        assert_eq!(
            exposure(&link),
            (
                std::fs::canonicalize(&open).unwrap().display().to_string(),
                Exposure::WorldWritable
            )
        );
        set_mode(&open, 0o700);

        // A directory further up: sticky is fine there, open is not.
        let deep = open.join("a").join("b");
        std::fs::create_dir_all(&deep).unwrap();
        let db = deep.join("keys.db");
        set_mode(&open.join("a"), 0o1777);
        assert!(check(&db, &Caller::current()).is_ok());
        set_mode(&open.join("a"), 0o777);
        assert_eq!(
            exposure(&db).0,
            std::fs::canonicalize(open.join("a"))
                .unwrap()
                .display()
                .to_string()
        );
        set_mode(&open.join("a"), 0o700);
    }

    #[test]
    fn a_file_of_another_account_is_trusted_only_through_a_group() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("keys.db");
        std::fs::write(&db, b"").unwrap();
        if nix::unistd::geteuid().is_root() {
            // root's own files are trusted by everyone: give it away.
            std::os::unix::fs::chown(&db, Some(54_321), Some(54_321)).unwrap();
        }
        let metadata = std::fs::metadata(&db).unwrap();
        let stranger = Caller {
            uid: metadata.uid() + 4242,
            groups: vec![metadata.gid() + 4242],
        };
        let err = check(&db, &stranger).unwrap_err();
        assert!(
            matches!(
                &err,
                Error::Exposed {
                    exposure: Exposure::ForeignOwner { .. },
                    ..
                }
            ),
            "{err:?}"
        );
        let member = Caller {
            groups: vec![metadata.gid()],
            ..stranger
        };
        assert!(check(&db, &member).is_ok());
    }
}
