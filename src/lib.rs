//! express-harden: a codemod that fixes the security posture of Express apps in their code, with minimal,
//! style-preserving span edits. See `docs/architecture.md` for the flow.

/// swc allocates a node for every piece of syntax; mimalloc makes that a third cheaper than the system allocator.
/// Set here, in the library, so that every binary (the command line and the benchmark) runs with it.
#[cfg(not(feature = "system-alloc"))]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
pub mod views;
pub mod write;
