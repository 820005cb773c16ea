//! Where a file trusts a TLS-terminating proxy: the `trust proxy` settings that surely run when the modules load
//! (outside any branch, at the top level or in a function that surely runs: [`FileLinks::runs_at_load`]), and those
//! that may not. Read by `helmet` (is the app served over HTTPS?) and by the cookie transforms (are secure cookies
//! sent behind a proxy?).

use crate::analysis::{MemberCall, TrustProxy};
use crate::links::FileLinks;
use crate::transform::FileContext;

/// Whether `call` surely runs when the modules load: outside any branch, at the top level or in a function that does.
pub fn surely_runs(links: &FileLinks, call: &MemberCall) -> bool {
    !call.in_branch && links.runs_at_load(call.scope.as_ref())
}

/// The lines of this file that turn `trust proxy` on where it may not run: only in a branch, or in a function that is
/// not surely called (for a finding that says why they do not count).
pub fn branch_lines(cx: &FileContext<'_>) -> Vec<String> {
    cx.facts
        .member_calls()
        .iter()
        .filter(|c| !surely_runs(cx.links, c) && c.trust_proxy(Some(&cx.file.code)) == Some(TrustProxy::On))
        .map(|c| cx.file.line(c.range.start()).to_string())
        .collect()
}
