//! `--format markdown`: a pull-request body a bot can post, stable for an unchanged repository (sorted, no times).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::discover::display_path;
use crate::outcome::RunResult;
use crate::report::unified_diff;
use crate::transform::{Severity, Transform};

/// Escapes a table cell (pipes break the table, angle brackets would be read as HTML).
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ").replace('<', "&lt;").replace('>', "&gt;")
}

/// The pull-request body for a run.
pub fn body(result: &RunResult, transforms: &[Box<dyn Transform>]) -> String {
    let mut out = String::new();
    let mut per_transform: BTreeMap<&str, usize> = BTreeMap::new();
    for change in &result.changes {
        for id in &change.transforms {
            *per_transform.entry(id).or_default() += 1;
        }
    }
    // Lockfiles that `--lockfile` brought up to date are part of the change (and of the commit a bot makes).
    // So are the lockfile refreshes the advisories plan that this run did not apply (`--write --lockfile` makes them).
    let pending = crate::relock::pending_refreshes(result);
    let files = result.changes.len() + result.updated_lockfiles.len() + pending.len();
    let _ = writeln!(out, "# express-harden: security fixes in {files} file{}\n", if files == 1 { "" } else { "s" });
    if files == 0 {
        out.push_str("Nothing to change.\n");
    }
    for (lockfile, planned) in &pending {
        let _ = writeln!(
            out,
            "`{}`: lockfile refresh planned ({}), made by `express-harden --write --lockfile`.\n",
            display_path(lockfile),
            cell(&planned.fixes.join(", "))
        );
    }
    if !per_transform.is_empty() {
        out.push_str("## Changes\n\n| transform | files | what and why | upstream |\n|---|---|---|---|\n");
        let infos = transforms;
        for (id, count) in &per_transform {
            let Some(t) = infos.iter().find(|t| t.info().id == *id) else { continue };
            let info = t.info();
            let _ = writeln!(out, "| `{id}` | {count} | {} | [docs]({}) |", cell(&info.title), cell(&info.upstream));
        }
        out.push('\n');
    }
    if !result.dependencies.is_empty() {
        out.push_str("## Dependencies\n\n| package | manifest | from | to |\n|---|---|---|---|\n");
        for dep in &result.dependencies {
            let _ = writeln!(
                out,
                "| `{}` | `{}` | {} | `{}` |",
                dep.package,
                display_path(&dep.manifest),
                dep.from.as_deref().map_or_else(|| "(new)".to_string(), |f| format!("`{f}`")),
                dep.to
            );
        }
        for lock in &result.updated_lockfiles {
            let _ =
                writeln!(out, "\n`{}` was updated to match (lockfile only, no install scripts).", display_path(lock));
        }
        out.push('\n');
    }
    if !result.next_steps.is_empty() {
        out.push_str("## Follow-ups\n\n");
        for step in &result.next_steps {
            let _ = writeln!(out, "- [ ] {step}");
        }
        out.push('\n');
    }
    if !result.advisories.is_empty() {
        // With several lockfiles (a project and a subproject of its own), each row says which installs the copy.
        let lockfiles: std::collections::BTreeSet<&std::path::PathBuf> =
            result.advisories.iter().map(|a| &a.lockfile).collect();
        let several = lockfiles.len() > 1;
        let _ = write!(
            out,
            "## Known advisories\n\n| severity | package | installed |{} patched | advisory | the code | fix |\n\
             |---|---|---|{}---|---|---|---|\n",
            if several { " lockfile |" } else { "" },
            if several { "---|" } else { "" }
        );
        for a in crate::report::ranked(&result.advisories) {
            let aliases = if a.aliases.is_empty() { String::new() } else { format!(" ({})", a.aliases.join(", ")) };
            let lockfile = if several { format!(" {} |", cell(&display_path(&a.lockfile))) } else { String::new() };
            let _ = writeln!(
                out,
                "| {} | `{}` | {} |{lockfile} {} | [{}]({}){} | {} | {}: {} |",
                a.severity.as_deref().unwrap_or("unknown"),
                a.package,
                a.installed,
                a.patched.as_deref().unwrap_or("none known"),
                a.id,
                a.url,
                aliases,
                a.reachability.label(),
                crate::report::fix_label(a.fix.kind),
                cell(&a.fix.description)
            );
        }
        out.push('\n');
    }
    let open: Vec<_> = result
        .findings
        .iter()
        .filter(|f| f.severity != Severity::Info)
        .filter(|f| !result.advisories.iter().any(|a| a.reported_by(&f.rule, &f.path, f.line, &f.message)))
        .collect();
    if !open.is_empty() {
        out.push_str("## Findings not fixed\n\n| severity | rule | where | message |\n|---|---|---|---|\n");
        for f in open {
            let _ = writeln!(
                out,
                "| {} | `{}` | `{}:{}` | {} |",
                f.severity.label(),
                f.rule,
                display_path(&f.path),
                f.line,
                cell(&f.message)
            );
        }
        out.push('\n');
    }
    if !result.errors.is_empty() {
        out.push_str("## Files that could not be handled\n\n");
        for e in &result.errors {
            let _ = writeln!(out, "- `{}`: {}", display_path(&e.path), e.message);
        }
        out.push('\n');
    }
    if files > 0 {
        out.push_str("<details>\n<summary>Full diff</summary>\n\n```diff\n");
        for change in &result.changes {
            out.push_str(&unified_diff(change).replace("\r\n", "\n"));
        }
        out.push_str("```\n\n</details>\n");
    }
    out
}
