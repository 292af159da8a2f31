//! Room for a revocation on a full file system. SQLite needs space to
//! write anything, a `delete` included: the `-shm` index (32 KiB), the
//! `-wal` frames of the change, the pages the checkpoint adds to the file.
//! A file of zeros beside the database (`DB-reserve`) keeps that space
//! taken; when the file system is full, a revocation removes it first and
//! so finds the room it needs. It is made again by a later change once
//! there is room to spare.

use std::io;
use std::path::{Path, PathBuf};

/// What a revocation may need: the `-shm` index, a WAL with the changed
/// pages (the key, its indexes, the audit entry and its indexes, split
/// pages included) and the pages a checkpoint adds to the file, with room
/// to spare.
pub const REVOCATION_ROOM: u64 = 256 * 1024;

pub fn path(db: &Path) -> PathBuf {
    let mut path = db.as_os_str().to_os_string();
    path.push("-reserve");
    PathBuf::from(path)
}

/// Bytes free to this account on the file system holding `db`.
pub fn free_space(db: &Path) -> Option<u64> {
    let dir = db.parent().filter(|dir| !dir.as_os_str().is_empty())?;
    let stats = nix::sys::statvfs::statvfs(dir).ok()?;
    Some(
        stats
            .blocks_available()
            .saturating_mul(stats.fragment_size()),
    )
}

pub fn exists(db: &Path) -> bool {
    std::fs::symlink_metadata(path(db)).is_ok_and(|metadata| metadata.is_file())
}

/// Makes the reserve if it is missing and the file system has room for it
/// and a revocation besides (so that making it never takes the last room).
pub fn replenish(db: &Path) {
    if exists(db) || free_space(db).is_none_or(|free| free < 2 * REVOCATION_ROOM) {
        return;
    }
    let reserve = path(db);
    if make(&reserve).is_err() {
        let _ = std::fs::remove_file(&reserve);
    }
}

fn make(reserve: &Path) -> io::Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    // A new file only: never one planted there, nor a symlink's target.
    let file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(reserve)?;
    // Blocks allocated, not a sparse file: the space must really be taken.
    nix::fcntl::posix_fallocate(&file, 0, REVOCATION_ROOM as i64).map_err(io::Error::from)?;
    file.sync_all()
}

/// Before a revocation: when the file system holding `db` has less room
/// than a revocation needs, removes the reserve to give it that room.
/// Returns whether it did.
pub fn release_if_full(db: &Path) -> bool {
    let full = free_space(db).is_some_and(|free| free < REVOCATION_ROOM);
    full && exists(db) && std::fs::remove_file(path(db)).is_ok()
}
