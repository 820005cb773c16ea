//! express-harden: a codemod that fixes the security posture of Express apps in their code, with minimal,
//! style-preserving span edits. See `docs/architecture.md` for the flow.

/// swc allocates a node for every piece of syntax; mimalloc makes that a third cheaper than the system allocator.
/// Set here, in the library, so that every binary (the command line and the benchmark) runs with it.
#[cfg(not(feature = "system-alloc"))]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
}

/// mimalloc.h's `mi_option_purge_delay` (libmimalloc-sys names no constant for it).
#[cfg(not(feature = "system-alloc"))]
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

#[cfg(all(test, not(feature = "system-alloc")))]
mod allocator_tests {
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
pub mod settings;
pub mod source;
pub mod style;
pub mod transform;
pub mod transforms;
pub mod tsconfig;
pub mod values;
pub mod verify;
pub mod views;
pub mod write;
