//! Who could have changed the database file, checked before it is trusted,
//! as OpenSSH's `StrictModes` checks `~/.ssh`: a file that another account
//! could write, or a directory in which it could replace the file, may hold
//! keys and operators that no administrator made.
//!
//! Trusted owners are the caller and root. A file or directory owned by
//! someone else is trusted through a group the caller is in: the shared
//! set-up the README describes (a setgid directory of the operators' group).

use std::os::unix::fs::MetadataExt;
use std::path::Path;

use crate::store::{Error, Exposure, Result};

const OTHERS_WRITE: u32 = 0o002;
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

/// Checks the database file (when it exists) and its directory.
pub fn check(path: &Path, caller: &Caller) -> Result<()> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    if let Ok(metadata) = std::fs::metadata(dir) {
        check_one(dir, &metadata, true, caller)?;
    }
    if let Ok(metadata) = std::fs::metadata(path) {
        check_one(path, &metadata, false, caller)?;
    }
    Ok(())
}

fn check_one(
    path: &Path,
    metadata: &std::fs::Metadata,
    directory: bool,
    caller: &Caller,
) -> Result<()> {
    let mode = metadata.mode();
    // In a sticky directory (/tmp) others may add files but not replace
    // ours; a file they planted there fails the owner check instead.
    let others_can_change = mode & OTHERS_WRITE != 0 && !(directory && mode & STICKY != 0);
    let exposure = if others_can_change {
        Exposure::WorldWritable
    } else if !caller.trusts(metadata) {
        Exposure::ForeignOwner {
            owner: crate::operator::account_name(metadata.uid()),
            caller: crate::operator::account_name(caller.uid),
        }
    } else {
        return Ok(());
    };
    Err(Error::Exposed {
        path: path.display().to_string(),
        directory,
        exposure,
    })
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
        set_mode(dir.path(), 0o1777);
        assert!(
            check(&db, &me).is_ok(),
            "a sticky directory cannot lose our file"
        );
        set_mode(dir.path(), 0o700);
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
