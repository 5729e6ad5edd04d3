//! The allocator `thr` runs on: the system's, with a deeper per-thread
//! cache of small free blocks on script threads.
//!
//! Why: the cycle collector frees the garbage it finds in batches, a
//! thousand objects and more at a time (a record and its method closures
//! are five blocks). glibc's own per-thread cache keeps 7 free blocks of a
//! size; the rest go back to its shared bins, where freeing and taking
//! them again splits and merges chunks (`_int_free`, `unlink_chunk`,
//! `malloc_consolidate`: a fifth of `bench/records`' make-and-drop loop).
//! glibc's cache can be made deeper, but only by an environment variable
//! read when the process starts (`GLIBC_TUNABLES=glibc.malloc.tcache_count`),
//! so the cache is here: up to [`KEEP`] free blocks of each size, in a list
//! threaded through the blocks themselves.
//!
//! Only a thread that asks for it ([`cache_blocks`]) caches, and its cache
//! is given back to the system when it stops asking. That is the thread
//! a script's main thread runs on, one per run. The threads a script
//! spawns do not cache: a full cache holds 2 MiB, which a thousand
//! threads each keeping their own garbage would multiply, where glibc
//! lets one thread reuse what another freed. Every other thread (a host's, Ctrl-C's handler) goes
//! straight to the system too. A block taken from the cache and freed on
//! another thread goes back to the system: every block came from the
//! system allocator and goes back to it, whichever thread frees it.
//!
//! The library only provides the allocator: `thr`'s binary installs it
//! (`#[global_allocator]`), and a host may too. Without it, asking to
//! cache changes nothing.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::ptr::null_mut;

/// The largest request cached, in bytes.
const LARGEST: usize = 248;
/// Sizes of cached blocks: 24, 40, 56, ... [`LARGEST`] bytes, the room
/// glibc gives in its chunks of 32, 48, 64, ... 256 bytes, so a request
/// rounded up to its class takes the chunk it would have taken anyway.
const CLASSES: usize = class_of_size(LARGEST) + 1;
/// Free blocks of one class a thread keeps: the batch the collector frees
/// is taken again by the allocations that follow it.
const KEEP: u32 = 1024;

/// The class of requests of `size` bytes (at most [`LARGEST`], not 0).
const fn class_of_size(size: usize) -> usize {
    size.saturating_sub(9) / 16
}

/// The class of a request the cache serves, if it does.
#[inline]
fn class_of(layout: &Layout) -> Option<usize> {
    // malloc aligns to 16, which every class's size exceeds.
    (layout.size() <= LARGEST && layout.align() <= 16).then(|| class_of_size(layout.size()))
}

/// What every block of class `c` is allocated as: its class's full size.
#[inline]
fn block(c: usize) -> Layout {
    // SAFETY: a size under 256 and an alignment of 16 make a valid layout.
    unsafe { Layout::from_size_align_unchecked(c * 16 + 24, 16) }
}

/// A free block in a cache's list.
struct Free {
    next: *mut Free,
}

/// One thread's free blocks, a list per class.
struct Cache {
    on: Cell<bool>,
    heads: [Cell<*mut Free>; CLASSES],
    counts: [Cell<u32>; CLASSES],
}

thread_local! {
    // No destructor: the allocator may run while the thread's other
    // thread-locals are destroyed, and this one must still answer.
    static CACHE: Cache = const {
        Cache {
            on: Cell::new(false),
            heads: [const { Cell::new(null_mut()) }; CLASSES],
            counts: [const { Cell::new(0) }; CLASSES],
        }
    };
}

impl Cache {
    /// A cached block of class `c`, if there is one.
    #[inline]
    fn take(&self, c: usize) -> Option<*mut u8> {
        let head = self.heads[c].get();
        if head.is_null() {
            return None;
        }
        // SAFETY: a block in the list is free, ours, and holds the link.
        self.heads[c].set(unsafe { (*head).next });
        self.counts[c].set(self.counts[c].get() - 1);
        Some(head.cast())
    }

    /// Keeps the free block `p` of class `c`; `false` if this thread does
    /// not cache or its list is full.
    #[inline]
    fn keep(&self, c: usize, p: *mut u8) -> bool {
        if !self.on.get() || self.counts[c].get() >= KEEP {
            return false;
        }
        let free = p.cast::<Free>();
        // SAFETY: the block is freed, so nobody else uses it; it is at
        // least 24 bytes and aligned to 16.
        unsafe {
            free.write(Free {
                next: self.heads[c].get(),
            })
        };
        self.heads[c].set(free);
        self.counts[c].set(self.counts[c].get() + 1);
        true
    }

    /// Gives every cached block back to the system.
    fn give_back(&self) {
        for c in 0..CLASSES {
            while let Some(p) = self.take(c) {
                // SAFETY: the block was allocated by the system as `block(c)`.
                unsafe { System.dealloc(p, block(c)) };
            }
        }
    }
}

/// The system allocator with a deeper cache of small free blocks on the
/// thread each run's main script thread runs on, which a script that
/// makes and drops many records, closures or small maps runs faster on
/// (records 8-10% in `bench/`). `thr` installs it; a host may too:
///
/// ```
/// #[global_allocator]
/// static ALLOCATOR: thr::BlockCache = thr::BlockCache;
///
/// thr::Engine::new().run_str("let r = []\nfor i in range(3) { r.push({i: i}) }").unwrap();
/// ```
pub struct BlockCache;

// SAFETY: every block is the system's, allocated with at least the size
// and alignment asked (a cached block of a class was allocated as the
// class's full size), and given to one owner at a time: a cache's lists
// are its thread's alone.
unsafe impl GlobalAlloc for BlockCache {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        match class_of(&layout) {
            Some(c) => match CACHE.with(|k| k.take(c)) {
                Some(p) => p,
                None => System.alloc(block(c)),
            },
            None => System.alloc(layout),
        }
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        match class_of(&layout) {
            Some(c) => match CACHE.with(|k| k.take(c)) {
                Some(p) => {
                    p.write_bytes(0, layout.size());
                    p
                }
                None => System.alloc_zeroed(block(c)),
            },
            None => System.alloc_zeroed(layout),
        }
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        match class_of(&layout) {
            Some(c) if CACHE.with(|k| k.keep(c, ptr)) => {}
            Some(c) => System.dealloc(ptr, block(c)),
            None => System.dealloc(ptr, layout),
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: the caller gives a valid size for the same alignment.
        let new_layout = Layout::from_size_align_unchecked(new_size, layout.align());
        let (old, new) = (class_of(&layout), class_of(&new_layout));
        if old.is_some() && old == new {
            // The block already has its class's full size.
            return ptr;
        }
        let was = old.map_or(layout, block);
        System.realloc(ptr, was, new.map_or(new_layout, block).size())
    }
}

/// Caches small free blocks on this thread until the guard is dropped,
/// which gives them back (see the module's text). Nested guards leave the
/// cache to the outermost.
pub fn cache_blocks() -> Caching {
    let started = CACHE.with(|k| !k.on.replace(true));
    Caching { started }
}

/// The guard of [`cache_blocks`].
pub struct Caching {
    started: bool,
}

impl Drop for Caching {
    fn drop(&mut self) {
        if self.started {
            CACHE.with(|k| {
                k.on.set(false);
                k.give_back();
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_round_up_to_the_room_of_glibc_chunks() {
        let size = |n| block(class_of_size(n)).size();
        assert_eq!([size(1), size(24), size(25), size(40)], [24, 24, 40, 40]);
        assert_eq!(
            [size(41), size(232), size(233), size(248)],
            [56, 232, 248, 248]
        );
        assert_eq!(CLASSES, 15);
    }

    #[test]
    fn blocks_are_reused_and_given_back() {
        let a = BlockCache;
        let layout = Layout::from_size_align(100, 8).unwrap();
        let guard = cache_blocks();
        // SAFETY: each block is allocated with `layout` and freed once.
        unsafe {
            let p = a.alloc(layout);
            p.write_bytes(7, 100);
            a.dealloc(p, layout);
            assert_eq!(a.alloc(layout), p, "the freed block comes back");
            let q = a.realloc(p, layout, 110);
            assert_eq!(q, p, "the same class: the block has the room");
            let r = a.realloc(q, Layout::from_size_align(110, 8).unwrap(), 4000);
            r.add(3999).write(1);
            a.dealloc(r, Layout::from_size_align(4000, 8).unwrap());
        }
        let cached = || CACHE.with(|k| k.counts.iter().map(Cell::get).sum::<u32>());
        // SAFETY: as above.
        unsafe { a.dealloc(a.alloc(layout), layout) };
        assert_eq!(cached(), 1);
        drop(guard);
        assert_eq!(cached(), 0);
        // SAFETY: as above.
        unsafe { a.dealloc(a.alloc(layout), layout) };
        assert_eq!(cached(), 0, "a thread that does not cache keeps nothing");
    }
}
