//! express-harden: a codemod that fixes the security posture of Express apps in their code, with minimal,
//! style-preserving span edits. See `docs/architecture.md` for the flow.

/// swc allocates a node for every piece of syntax; mimalloc makes that a third cheaper than the system allocator.
/// Set here, in the library, so that every binary (the command line and the benchmark) runs with it.
#[cfg(not(feature = "system-alloc"))]
#[global_allocator]
static GLOBAL: WordAligned = WordAligned;

/// mimalloc, asked for an alignment only when a type needs more than a word's.
///
/// The `mimalloc` crate's allocator passes every layout to `mi_malloc_aligned`. In mimalloc 3 that call takes the
/// plain allocation's fast path only while the size class's current page has a free block that happens to be
/// aligned; otherwise a size whose block is not a power of two (a 72-byte syntax node in an 80-byte block) is
/// over-allocated and its page marked as holding interior pointers, which slows every later free there too. Every
/// mimalloc block is already word aligned (block sizes are whole words, counted from a page start aligned to 16
/// bytes), so for an alignment of a word or less (nearly every Rust type) the plain calls are exact. On the 2,000-file
/// corpora (callgrind) they take 5% of a dry run's instructions away and 9% of a parse-only pass's.
#[cfg(not(feature = "system-alloc"))]
struct WordAligned;

#[cfg(not(feature = "system-alloc"))]
const WORD: usize = std::mem::size_of::<usize>();

#[cfg(not(feature = "system-alloc"))]
impl WordAligned {
    /// `ptr`'s block shrunk to `new_size` bytes (less than its layout's, a word aligned or less).
    ///
    /// mimalloc's `mi_realloc` keeps a block that shrinks to no less than half its size where it is: the rest of it
    /// stays allocated, unused. A `Vec` that grew by doubling and is then made a boxed slice
    /// (`Vec::into_boxed_slice`, `String::into_boxed_str`, `shrink_to_fit`) shrinks exactly so, and the facts the first
    /// pass keeps of each file until it is planned are such slices: up to half of each was spare room. Here the block
    /// moves to the smallest one that holds `new_size` whenever that is a smaller size class.
    ///
    /// # Safety
    /// `ptr` came from this allocator with a layout aligned to a word or less and more than `new_size` bytes;
    /// `new_size` is not zero (as `GlobalAlloc::realloc` requires).
    #[inline]
    unsafe fn shrink(ptr: *mut u8, new_size: usize) -> *mut u8 {
        // SAFETY: `ptr` is a live mimalloc block (the caller's); the copy is of `new_size` bytes, fewer than it holds,
        // into a new block of at least `new_size`; the old block is freed only once copied.
        unsafe {
            if libmimalloc_sys::mi_good_size(new_size) >= libmimalloc_sys::mi_usable_size(ptr.cast()) {
                return libmimalloc_sys::mi_realloc(ptr.cast(), new_size).cast();
            }
            let moved: *mut u8 = libmimalloc_sys::mi_malloc(new_size).cast();
            if !moved.is_null() {
                std::ptr::copy_nonoverlapping(ptr, moved, new_size);
                libmimalloc_sys::mi_free(ptr.cast());
            }
            moved
        }
    }

    /// `plain` (size) for a layout aligned to a word or less, else `aligned` (size, alignment).
    ///
    /// # Safety
    /// As the mimalloc calls given.
    #[inline(always)]
    unsafe fn allocate(
        layout: std::alloc::Layout,
        plain: unsafe extern "C" fn(usize) -> *mut std::ffi::c_void,
        aligned: unsafe extern "C" fn(usize, usize) -> *mut std::ffi::c_void,
    ) -> *mut u8 {
        // SAFETY: the caller's.
        unsafe {
            if layout.align() <= WORD {
                plain(layout.size()).cast()
            } else {
                aligned(layout.size(), layout.align()).cast()
            }
        }
    }
}

#[cfg(not(feature = "system-alloc"))]
// SAFETY: every pointer comes from mimalloc and goes back to it (`mi_free` takes any of its pointers, aligned or not);
// a layout aligned to more than a word goes through mimalloc's aligned calls, as the `mimalloc` crate does; one
// aligned to a word or less is served by the plain calls, whose blocks are word aligned (above, and tested below).
unsafe impl std::alloc::GlobalAlloc for WordAligned {
    #[inline]
    unsafe fn alloc(&self, layout: std::alloc::Layout) -> *mut u8 {
        // SAFETY: a size for mimalloc, which returns null when it has no memory (as `alloc` must).
        unsafe { WordAligned::allocate(layout, libmimalloc_sys::mi_malloc, libmimalloc_sys::mi_malloc_aligned) }
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: std::alloc::Layout) -> *mut u8 {
        // SAFETY: as `alloc`.
        unsafe { WordAligned::allocate(layout, libmimalloc_sys::mi_zalloc, libmimalloc_sys::mi_zalloc_aligned) }
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, _layout: std::alloc::Layout) {
        // SAFETY: `ptr` came from this allocator, hence from mimalloc.
        unsafe { libmimalloc_sys::mi_free(ptr.cast()) }
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: std::alloc::Layout, new_size: usize) -> *mut u8 {
        // SAFETY: `ptr` came from this allocator with `layout`; the new block keeps its alignment.
        unsafe {
            if layout.align() <= WORD {
                if new_size < layout.size() {
                    return WordAligned::shrink(ptr, new_size);
                }
                libmimalloc_sys::mi_realloc(ptr.cast(), new_size).cast()
            } else {
                libmimalloc_sys::mi_realloc_aligned(ptr.cast(), new_size, layout.align()).cast()
            }
        }
    }
}

/// Has mimalloc give back at once the memory freed so far (a forced collection, `mi_collect(true)`), which also
/// restarts its purging when it has stopped. mimalloc 3 gives freed memory back a delay after it is freed, through an
/// expiry kept for each arena and one kept for all of them (`mi_arena_schedule_purge`, `mi_arenas_try_purge` in its
/// arena.c). As we read that code, a thread that finds nothing to purge clears the shared expiry after a moment in
/// which another may have set the arena's (and failed to set the shared one, still set then): the arena's stays set,
/// so no later free sets the shared one again, and nothing is purged for the rest of the run. At 100,000 files about
/// one run in eight on a loaded machine did that: 337 MiB purged in all (`MIMALLOC_SHOW_STATS=1`) against 650 to 700
/// MiB in the others, the resident set no longer falling after the linking and rising through the planning while the
/// live heap fell, to a peak of 513 to 517 MiB against 469. A forced collection purges what is due and clears the
/// arena's expiry, so the next free schedules again. The pipeline calls this at the end of each phase and every
/// [`RELEASE_EVERY`] files of its passes: 16 loaded runs in 16 at 468 to 472 MiB, and no CPU time it costs that
/// interleaved runs could tell. Any thread may call it, at any time.
pub fn release_freed_memory() {
    // SAFETY: a collection of the calling thread's heap and of the arenas, which mimalloc allows from any thread.
    #[cfg(not(feature = "system-alloc"))]
    unsafe {
        libmimalloc_sys::mi_collect(true)
    };
}

/// How many files a pass handles between two calls of [`release_freed_memory`] (about 40 in all at 100,000 files).
pub const RELEASE_EVERY: usize = 4096;

/// Counts the files a pass handles, calling [`release_freed_memory`] every [`RELEASE_EVERY`] of them (from whichever
/// thread handles that one).
#[derive(Default)]
pub struct Releases(std::sync::atomic::AtomicUsize);

impl Releases {
    /// One more file handled.
    pub fn tick(&self) {
        let n = self.0.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        if n % RELEASE_EVERY == RELEASE_EVERY - 1 {
            release_freed_memory();
        }
    }
}

/// Gives memory freed by the allocator back to the system after 10 ms instead of mimalloc 3's default second (its
/// `purge_delay`; 10 ms was mimalloc 2's). The first pass frees every file's syntax tree while the facts grow: with
/// the second's delay the freed pages stayed in the resident set through the linking, which is the run's peak (10,000
/// files: 163 -> 142 MB; 100,000: 968 -> 944 MB; the same times). `MIMALLOC_PURGE_DELAY` in the environment still
/// decides. Call it first thing in `main`, before any thread starts (mimalloc's options are not thread safe).
pub fn tune_allocator() {
    #[cfg(not(feature = "system-alloc"))]
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
        // SAFETY: an option set by its number, on the only thread there is yet.
        unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 10) };
    }
    // No transparent huge pages for the process (as `MIMALLOC_ALLOW_THP=0` asks mimalloc at its start, which is before
    // `main`): mimalloc asks for them on its arenas, and a huge page is two MiB resident as soon as one byte of it is
    // touched. An empty project's resident set 32 -> 18 MB, 2,000 files 51 -> 36 MB, 100,000 files 517 -> about 501 MB
    // (MiB), with less system time. Children get them back ([`give_children_huge_pages`]).
    #[cfg(all(target_os = "linux", not(feature = "system-alloc")))]
    if std::env::var_os("MIMALLOC_ALLOW_THP").is_none() {
        disable_huge_pages();
    }
}

/// Turns transparent huge pages off for this process (unless they are off already).
#[cfg(all(target_os = "linux", not(feature = "system-alloc")))]
fn disable_huge_pages() {
    // SAFETY: prctl reading and setting this process's own flag.
    let disabled = unsafe {
        libc::prctl(libc::PR_GET_THP_DISABLE, 0, 0, 0, 0) == 0 && libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0) == 0
    };
    if disabled {
        HUGE_PAGES_DISABLED.store(true, std::sync::atomic::Ordering::Relaxed);
    }
}

/// Whether [`tune_allocator`] turned transparent huge pages off for this process.
static HUGE_PAGES_DISABLED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Lets the program `command` starts have transparent huge pages when [`tune_allocator`] turned them off here (the
/// setting is inherited through `fork` and `exec`: npm and Node are not this process).
pub fn give_children_huge_pages(command: &mut std::process::Command) {
    #[cfg(target_os = "linux")]
    if HUGE_PAGES_DISABLED.load(std::sync::atomic::Ordering::Relaxed) {
        use std::os::unix::process::CommandExt;
        // SAFETY: the closure runs in the child between fork and exec, and makes one system call.
        unsafe {
            command.pre_exec(|| {
                libc::prctl(libc::PR_SET_THP_DISABLE, 0, 0, 0, 0);
                Ok(())
            });
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = command;
}

/// mimalloc.h's `mi_option_purge_delay` (libmimalloc-sys names no constant for it).
#[cfg(not(feature = "system-alloc"))]
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

#[cfg(all(test, target_os = "linux", not(feature = "system-alloc")))]
mod huge_pages_tests {
    #[test]
    fn the_tool_runs_without_huge_pages_and_the_programs_it_starts_with_them() {
        let enabled = |status: &str| {
            status.lines().find_map(|l| l.strip_prefix("THP_enabled:")).map(str::trim).map(str::to_string)
        };
        super::disable_huge_pages();
        let own = std::fs::read_to_string("/proc/self/status").expect("status");
        assert_eq!(enabled(&own).as_deref(), Some("0"), "{own}");
        let child = crate::child::command("cat").expect("cat").arg("/proc/self/status").output().expect("runs");
        let status = String::from_utf8_lossy(&child.stdout);
        assert_eq!(enabled(&status).as_deref(), Some("1"), "{status}");
    }
}

#[cfg(all(test, not(feature = "system-alloc")))]
mod allocator_tests {
    use std::alloc::{GlobalAlloc, Layout};

    #[test]
    fn blocks_are_aligned_as_their_layouts_ask() {
        // Every size up to a few pages, at every alignment up to 64, many times (a size class's later blocks and
        // fresh pages too), each block grown and shrunk again: each pointer is aligned as asked and keeps its bytes.
        let alloc = super::WordAligned;
        let mut held = Vec::new();
        for align in [1, 2, 4, 8, 16, 32, 64] {
            for size in (1..=512).chain((513..=20_000).step_by(97)) {
                let Ok(layout) = Layout::from_size_align(size, align) else { continue };
                for round in 0..8u8 {
                    // SAFETY: a layout of non-zero size; the block is freed below with the same layout.
                    let p = unsafe {
                        if round % 2 == 0 {
                            alloc.alloc(layout)
                        } else {
                            alloc.alloc_zeroed(layout)
                        }
                    };
                    assert!(!p.is_null());
                    assert_eq!(p as usize % align, 0, "size {size}, align {align}, round {round}");
                    // SAFETY: `size` bytes were allocated at `p`.
                    unsafe { p.write_bytes(round, size) };
                    held.push((p, layout));
                }
            }
            for (p, layout) in held.drain(..) {
                let grown = layout.size() * 3 + 5;
                // SAFETY: `p` came from `alloc` with `layout`; the new size is not zero.
                let q = unsafe { alloc.realloc(p, layout, grown) };
                assert!(!q.is_null());
                assert_eq!(q as usize % layout.align(), 0, "grown from {layout:?}");
                // SAFETY: the old block's bytes were copied to the first `layout.size()` bytes of `q`.
                let first = unsafe { *q };
                // SAFETY: as above.
                let last = unsafe { *q.add(layout.size() - 1) };
                assert_eq!(first, last, "{layout:?}");
                // SAFETY: `q` came from `realloc` with a layout of `grown` bytes at this alignment.
                unsafe { alloc.dealloc(q, Layout::from_size_align_unchecked(grown, layout.align())) };
            }
        }
    }

    #[test]
    fn a_shrunk_block_keeps_no_spare_room() {
        // What `Vec::into_boxed_slice` does to a vector that grew by doubling: 100 bytes of a 192-byte block, then
        // 520 of 1,000. mimalloc alone keeps both where they are (no less than half used); here each moves to a block
        // of the size class that fits it, with its bytes. A shrink within the same size class stays in place.
        let alloc = super::WordAligned;
        for (size, shrunk) in [(192, 100), (1000, 520), (40_000, 20_001), (64, 60)] {
            let layout = Layout::from_size_align(size, 8).unwrap();
            // SAFETY: a layout of non-zero size; freed below with the layout of its last size.
            let p = unsafe { alloc.alloc(layout) };
            assert!(!p.is_null());
            // SAFETY: `size` bytes were allocated at `p`.
            unsafe { (0..size).for_each(|i| *p.add(i) = i as u8) };
            // SAFETY: `p` came from `alloc` with `layout`; `shrunk` is smaller and not zero.
            let q = unsafe { alloc.realloc(p, layout, shrunk) };
            assert!(!q.is_null());
            // SAFETY: reading the sizes of live blocks, and `shrunk` bytes of `q`.
            unsafe {
                let usable = libmimalloc_sys::mi_usable_size(q.cast());
                assert_eq!(usable, libmimalloc_sys::mi_good_size(shrunk), "{size} -> {shrunk}");
                assert!((0..shrunk).all(|i| *q.add(i) == i as u8), "{size} -> {shrunk}: bytes kept");
                alloc.dealloc(q, Layout::from_size_align_unchecked(shrunk, 8));
            }
        }
    }

    #[test]
    fn option_fifteen_is_mimallocs_purge_delay() {
        // Read only (setting options is for `main`): mimalloc 3's default purge delay is 1000 ms, 10 once tuned. Any
        // other option at this number (a NUMA node count, a switch) would read 0 or 1.
        if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
            // SAFETY: reading an option.
            let delay = unsafe { libmimalloc_sys::mi_option_get(super::MI_OPTION_PURGE_DELAY) };
            assert!(delay == 1000 || delay == 10, "option 15 reads {delay}");
        }
    }
}

pub mod advisories;
pub mod advisory_net;
pub mod analysis;
pub mod atomic;
pub mod bindings;
pub mod bundler;
pub mod child;
pub mod cli;
pub mod client_cookies;
pub mod code_html;
pub mod codegen;
pub mod component_html;
pub mod config;
pub mod depth;
pub mod discover;
pub mod early_errors;
pub mod edit;
pub mod fsread;
pub mod ignore;
pub mod interactive;
pub mod inventory;
pub mod layout;
pub mod lines;
pub mod links;
pub mod lockfile;
pub mod manifest;
pub mod markdown;
pub mod myers;
pub mod npm_spec;
pub mod objects;
pub mod outcome;
pub mod parse;
pub mod pipeline;
pub mod progress;
pub mod project;
pub mod published;
pub mod relock;
pub mod report;
pub mod root;
pub mod sarif;
pub mod serving;
pub mod settings;
pub mod source;
pub mod string_consts;
pub mod style;
pub mod transform;
pub mod transforms;
pub mod tsconfig;
pub mod values;
pub mod verify;
pub mod views;
pub mod write;
