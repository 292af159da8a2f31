//! argon2's working memory (19 MiB, 19,456 blocks of 1 KiB), mapped so the
//! kernel can back it with 2 MiB pages.
//!
//! A `Vec` of blocks is touched one 4 KiB page at a time: about 5,000 page
//! faults, most of a verification's system time. A private anonymous mapping
//! that starts on a 2 MiB boundary and is advised `MADV_HUGEPAGE` takes nine
//! huge pages and 256 small ones for the last, partial megabyte. Where transparent huge pages are off the advice is refused and the
//! same mapping is served by 4 KiB pages: slower, same hash. The kernel hands
//! out the pages zeroed (the only zeroing pass: argon2 writes every block
//! before it reads it) and scrubs them again before anyone else gets them
//! after `munmap`.

use std::num::NonZeroUsize;
use std::ptr::NonNull;

use anyhow::{Context, Result, anyhow};
use argon2::Block;
use nix::sys::mman::{MapFlags, MmapAdvise, ProtFlags, madvise, mmap_anonymous, munmap};

/// The size and alignment of a transparent huge page on x86-64 and arm64.
pub const HUGE_PAGE: usize = 2 << 20;
/// The base page size the mapping's length is rounded to.
const PAGE: usize = 4096;

/// A mapping of `len` bytes at a 2 MiB boundary holding `blocks` blocks;
/// unmapped when dropped.
pub struct Memory {
    start: NonNull<Block>,
    blocks: usize,
    len: usize,
}

impl Memory {
    /// Maps room for `blocks` argon2 blocks, from a 2 MiB boundary.
    pub fn new(blocks: usize) -> Result<Memory> {
        // Whole 4 KiB pages, not whole huge pages: the last, partial 2 MiB
        // (1 MiB at m = 19456) takes 4 KiB pages and a few hundred faults,
        // but a full huge page there would add 1 MiB to the peak.
        let len = blocks
            .checked_mul(Block::SIZE)
            .and_then(|bytes| bytes.checked_next_multiple_of(PAGE))
            .filter(|&len| len > 0)
            .ok_or_else(|| anyhow!("argon2 asks for an impossible amount of memory"))?;
        // mmap only promises 4 KiB alignment: map one huge page more, then
        // give back the slack before and after the 2 MiB boundary.
        let reserved = len + HUGE_PAGE;
        let size = NonZeroUsize::new(reserved).context("argon2's memory is empty")?;
        // SAFETY: a new private anonymous mapping at an address the kernel
        // chooses overlaps no memory Rust knows about.
        let mapping = unsafe {
            mmap_anonymous(
                None,
                size,
                ProtFlags::PROT_READ | ProtFlags::PROT_WRITE,
                MapFlags::MAP_PRIVATE,
            )
        }
        .context("could not map memory for argon2")?
        .cast::<u8>();
        let head = mapping.as_ptr().addr().next_multiple_of(HUGE_PAGE) - mapping.as_ptr().addr();
        let tail = reserved - head - len;
        // SAFETY: `head <= HUGE_PAGE` and `head + len + tail == reserved`, so
        // `start` and both trimmed ranges lie inside the mapping just made,
        // which nothing else refers to yet; the kept range is untouched.
        let start = unsafe {
            let start = mapping.add(head);
            if head > 0 {
                munmap(mapping.cast(), head).context("could not trim argon2's memory")?;
            }
            if tail > 0 {
                munmap(start.add(len).cast(), tail).context("could not trim argon2's memory")?;
            }
            // Advice only: a kernel without transparent huge pages refuses
            // it, and 4 KiB pages serve the same memory.
            let _ = madvise(start.cast(), len, MmapAdvise::MADV_HUGEPAGE);
            start
        };
        Ok(Memory {
            start: start.cast(),
            blocks,
            len,
        })
    }

    /// The blocks, zeroed until argon2 writes them.
    pub fn blocks(&mut self) -> &mut [Block] {
        // SAFETY: `start` is 2 MiB-aligned (so aligned for `Block`), readable
        // and writable for `len >= blocks * Block::SIZE` bytes, zero-filled
        // by the kernel (a valid `Block`: plain integers), and borrowed
        // mutably through `&mut self` only, so no other reference exists.
        unsafe { std::slice::from_raw_parts_mut(self.start.as_ptr(), self.blocks) }
    }

    /// Where the mapping starts and how long it is, to find it in
    /// /proc/self/maps.
    #[cfg(test)]
    pub fn range(&self) -> (usize, usize) {
        (self.start.as_ptr().addr(), self.len)
    }
}

impl Drop for Memory {
    fn drop(&mut self) {
        // SAFETY: `start..start + len` is exactly the range kept in `new`,
        // and no borrow from `blocks` outlives `self`. An error would mean
        // the range is not mapped, which leaves nothing to release.
        let _ = unsafe { munmap(self.start.cast(), self.len) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The line of /proc/self/maps that describes exactly this range.
    fn mapped(start: usize, len: usize) -> bool {
        let prefix = format!("{start:x}-{:x} ", start + len);
        std::fs::read_to_string("/proc/self/maps")
            .unwrap()
            .lines()
            .any(|line| line.starts_with(&prefix))
    }

    #[test]
    fn memory_is_aligned_zeroed_and_unmapped_when_dropped() {
        let _serial = crate::hash::tests::serial();
        let mut memory = Memory::new(19_456).unwrap();
        let (start, len) = memory.range();
        assert_eq!(start % HUGE_PAGE, 0);
        assert_eq!(len, 19 << 20);
        assert_eq!(memory.blocks().len(), 19_456);
        assert!(
            memory
                .blocks()
                .iter()
                .all(|block| block.as_ref().iter().all(|&word| word == 0))
        );
        // Writable to the very last block.
        memory.blocks()[19_455].as_mut()[127] = 7;
        assert!(mapped(start, len), "{start:x} not in /proc/self/maps");
        drop(memory);
        assert!(!mapped(start, len), "{start:x} still mapped after drop");
    }

    #[test]
    fn sizes_round_up_to_whole_pages_from_a_huge_page_boundary() {
        let _serial = crate::hash::tests::serial();
        for (blocks, len) in [(1, PAGE), (4, PAGE), (5, 2 * PAGE), (2048, HUGE_PAGE)] {
            let memory = Memory::new(blocks).unwrap();
            assert_eq!(memory.range().1, len, "{blocks} blocks");
            assert_eq!(memory.range().0 % HUGE_PAGE, 0);
        }
    }

    #[test]
    fn an_impossible_size_is_an_error() {
        assert!(Memory::new(usize::MAX / 2).is_err());
        assert!(Memory::new(0).is_err());
    }
}
