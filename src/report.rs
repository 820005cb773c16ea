//! What the user reads: unified diffs, the summary and next steps (text), or the versioned JSON document (bots).
//! The JSON schema is `docs/output-schema.json`, described in `docs/output.md`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::ops::Range;

use serde::Serialize;
use similar::ChangeTag;

use crate::discover::display_path;
use crate::outcome::{FileChange, RunResult};
use crate::transform::Severity;

/// Version of the JSON document's shape; bumped on any change to it, additions included (docs/output.md,
/// "Versioning"). 2 added `summary.test_files_skipped` and `summary.migrations_held_back`; 3 added
/// `summary.files_skipped`, `summary.files_unparsable` and `summary.files_set_aside`, and no longer counts a file that does not parse in
/// `summary.files_parsed`; 4 added `advisories`; 5 added `summary.context_files`; 6 lists every route in
/// `advisories[].paths` and added `paths_omitted`; 7 added `advisories[].fix.dependency_changes`.
pub const JSON_SCHEMA_VERSION: u32 = 7;

/// What the run did with the changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Mode {
    /// Showed them.
    DryRun,
    /// Showed nothing but whether there are any (`--check`).
    Check,
    /// Wrote them.
    Write,
}

/// A unified diff with `a/` and `b/` prefixes, three lines of context.
pub fn unified_diff(change: &FileChange) -> String {
    if let Some(diff) = &change.diff {
        return diff.clone();
    }
    let updated = change.updated();
    let (old, new) = (lines(change.original()), lines(&updated));
    let ops = change_ops(change, &old, (&updated, &new));
    let text = diff_text(&change.path, &old, &new, ops);
    if !change.created {
        return text;
    }
    // A new file's old side is /dev/null, as git writes it (`git apply` and `patch` then create the file).
    match text.split_once('\n') {
        Some((_, rest)) => format!("--- /dev/null\n{rest}"),
        None => text,
    }
}

/// The unified diff of `path` from `original` to `updated` (`a/` and `b/` prefixes, three lines of context).
pub fn unified_diff_of(path: &std::path::Path, original: &str, updated: &str) -> String {
    // Lines as git splits them (at LF only), so that `git apply` takes the patch: a lone CR stays inside its line.
    let (old, new) = (lines(original), lines(updated));
    let ops = line_ops(&old, &new);
    diff_text(path, &old, &new, ops)
}

/// The line ops of a change (`new` the lines of `updated`, its new text): from its edits where it has some
/// ([`edited_line_ops`]), else by diffing the texts.
fn change_ops(change: &FileChange, old: &[&str], (updated, new): (&str, &[&str])) -> Vec<similar::DiffOp> {
    if change.is_manifest || change.edits.is_empty() {
        return line_ops(old, new);
    }
    // (The edits' offsets are into the text without its byte order mark; `original` has it back.)
    let bom = change.original().len() - crate::source::without_bom(change.original()).len();
    let spans = change.edits.iter().map(|e| (e.range.start + bom, e.range.end + bom, e.text.len()));
    edited_line_ops((change.original(), old), (updated, new), spans).unwrap_or_else(|| line_ops(old, new))
}

/// The unified diff of `path` given its lines and their ops.
fn diff_text(path: &std::path::Path, old: &[&str], new: &[&str], ops: Vec<similar::DiffOp>) -> String {
    let path = display_path(path);
    let header = (git_quoted(&format!("a/{path}")), git_quoted(&format!("b/{path}")));
    let mut out = String::new();
    for (i, hunk) in similar::group_diff_ops(ops, 3).iter().enumerate() {
        if i == 0 {
            let _ = write!(out, "--- {}\n+++ {}\n", header.0, header.1);
        }
        let _ = writeln!(out, "{}", similar::udiff::UnifiedHunkHeader::new(hunk));
        // (similar counts a final `\r` as a line end; git does not, so the "no newline" marker is ours.)
        for change in hunk.iter().flat_map(|op| op.iter_changes(old, new)) {
            let sign = match change.tag() {
                ChangeTag::Delete => '-',
                ChangeTag::Insert => '+',
                ChangeTag::Equal => ' ',
            };
            let line = change.value();
            out.push(sign);
            out.push_str(line);
            if !line.ends_with('\n') {
                out.push_str("\n\\ No newline at end of file\n");
            }
        }
    }
    out
}

/// The line diff of `old` to `new`: the ops similar's `TextDiff` gives (Myers, compacted, replaces merged), without
/// its cost on the lines every change leaves alone. TextDiff hashes every line of both texts (a third of a dry run's
/// diff time); the common head and tail are found here by comparing lines, and only the lines between them are
/// diffed. Myers's first step strips the same head and tail, and the compaction still sees them, so the ops are
/// the same (a test compares the two). The middle lines go through similar's Myers as [`crate::myers`] runs it, on
/// numbers: the same ops at a fraction of the cost.
fn line_ops(old: &[&str], new: &[&str]) -> Vec<similar::DiffOp> {
    use similar::algorithms::{Capture, Compact, DiffHook, Replace};
    let head = old.iter().zip(new).take_while(|(a, b)| a == b).count();
    let tail = old[head..].iter().rev().zip(new[head..].iter().rev()).take_while(|(a, b)| a == b).count();
    let mut compact = Compact::new(Replace::new(Capture::new()), old, new);
    // (Capture, Replace and Compact never fail.)
    if head > 0 {
        let _ = compact.equal(0, 0, head);
    }
    let (old_middle, new_middle) = crate::myers::numbered(&old[head..old.len() - tail], &new[head..new.len() - tail]);
    let _ = crate::myers::diff(&mut compact, &old_middle, &new_middle, (head, head));
    if tail > 0 {
        let _ = compact.equal(old.len() - tail, new.len() - tail, tail);
    }
    let _ = compact.finish();
    compact.into_inner().into_inner().into_ops()
}

/// The line diff of `old` to `new` when the edits that made one from the other are known (`spans`: each edit's byte
/// range in the old text and the length of its text, in any order). Only the lines each edit touches are diffed
/// (Myers, as [`line_ops`] runs it), each group of touching edits on its own; the lines between them are equal. On a
/// file where every transform changes something, diffing everything from the first change to the last was an eighth
/// of the dry run: its cost grows with the lines between the changes times the lines changed.
///
/// The ops are a diff of the two texts whatever the spans say: the lines between the groups are compared, and `None`
/// (diff the texts instead) when one differs, or when the ops change more lines than a diff must. So the diff is as
/// short as a diff of the whole texts. Where a change's lines could be matched more than one way (an inserted blank
/// line next to an old one), the choice is made within the lines of the edit, which can differ from a diff of the
/// whole texts: the same lines, shown where the edit put them.
/// Each text comes with its [`lines`].
fn edited_line_ops<'a>(
    (old_text, old): (&str, &[&'a str]),
    (new_text, new): (&str, &[&'a str]),
    spans: impl Iterator<Item = (usize, usize, usize)>,
) -> Option<Vec<similar::DiffOp>> {
    use similar::algorithms::{Capture, Compact, DiffHook, Replace};
    let mut spans: Vec<(usize, usize, usize)> = spans.collect();
    spans.sort_by_key(|&(start, end, _)| (start, end));
    let starts = |lines: &[&str]| -> Vec<usize> {
        let mut at = 0;
        lines
            .iter()
            .map(|l| {
                let start = at;
                at += l.len();
                start
            })
            .collect()
    };
    let (old_starts, new_starts) = (starts(old), starts(new));
    // The line holding byte `at` (the line after the last when `at` is the end).
    let line_of = |starts: &[usize], at: usize| starts.partition_point(|&s| s <= at).saturating_sub(1);
    // Each group's lines, old and new: from the line of its first byte to the line of its last, that one included.
    let mut windows: Vec<(Range<usize>, Range<usize>)> = Vec::new();
    let mut shift: isize = 0;
    for (start, end, len) in spans {
        if start > end {
            return None;
        }
        let new_start = start.checked_add_signed(shift)?;
        shift += len as isize - (end - start) as isize;
        let old_lines = line_of(&old_starts, start)..(line_of(&old_starts, end) + 1).min(old.len());
        let new_lines = line_of(&new_starts, new_start)..(line_of(&new_starts, new_start + len) + 1).min(new.len());
        match windows.last_mut() {
            Some((o, n)) if old_lines.start <= o.end || new_lines.start <= n.end => {
                o.end = o.end.max(old_lines.end);
                n.end = n.end.max(new_lines.end);
            }
            _ => windows.push((old_lines, new_lines)),
        }
    }
    let mut compact = Compact::new(Replace::new(Capture::new()), old, new);
    // (Capture, Replace and Compact never fail.)
    // (The lines' bytes, compared as one run: equal bytes from a line start to a line start are the same lines.)
    fn bytes<'t>(text: &'t str, starts: &[usize], lines: Range<usize>) -> Option<&'t [u8]> {
        let at = |line: usize| if line == starts.len() { Some(text.len()) } else { starts.get(line).copied() };
        text.as_bytes().get(at(lines.start)?..at(lines.end)?)
    }
    let equal = |compact: &mut Compact<_, _, _>, o: Range<usize>, n: Range<usize>| -> Option<()> {
        if o.len() != n.len() || bytes(old_text, &old_starts, o.clone())? != bytes(new_text, &new_starts, n.clone())? {
            return None;
        }
        if !o.is_empty() {
            let _ = compact.equal(o.start, n.start, o.len());
        }
        Some(())
    };
    // The groups' lines as numbers (equal numbers for equal lines, one numbering for all the groups), and how many
    // more times each is in the old groups than in the new: a diff removes or adds each surplus at least, so their
    // sum is the fewest lines any diff changes.
    // (Room for every line of the groups at once: a map grown line by line rehashed each line again and again.)
    let lines: usize = windows.iter().map(|(o, n)| o.len() + n.len()).sum();
    let mut numbers: rustc_hash::FxHashMap<&str, u32> =
        rustc_hash::FxHashMap::with_capacity_and_hasher(lines, Default::default());
    let mut surplus: Vec<isize> = Vec::with_capacity(lines);
    let mut number = |line: &'a str, side: isize| {
        let next = numbers.len() as u32;
        let n = *numbers.entry(line).or_insert(next);
        if n as usize == surplus.len() {
            surplus.push(0);
        }
        surplus[n as usize] += side;
        n
    };
    let (mut old_window, mut new_window) = (Vec::new(), Vec::new());
    let (mut old_at, mut new_at) = (0, 0);
    for (o, n) in windows {
        if o.start < old_at || n.start < new_at || o.start > o.end || n.start > n.end {
            return None;
        }
        equal(&mut compact, old_at..o.start, new_at..n.start)?;
        old_window.clear();
        old_window.extend(old[o.clone()].iter().map(|line| number(line, 1)));
        new_window.clear();
        new_window.extend(new[n.clone()].iter().map(|line| number(line, -1)));
        let _ = crate::myers::diff(&mut compact, &old_window, &new_window, (o.start, n.start));
        (old_at, new_at) = (o.end, n.end);
    }
    equal(&mut compact, old_at..old.len(), new_at..new.len())?;
    let _ = compact.finish();
    let ops = compact.into_inner().into_inner().into_ops();
    // Only a diff that changes no more lines than that: code an edit moves (a route block from the end of the file to
    // where `app.router` was) is lines removed in one group and added in another, which a diff of the whole texts
    // shows as the lines around it moving, in fewer lines.
    let changed: usize = ops
        .iter()
        .filter(|op| op.tag() != similar::DiffTag::Equal)
        .map(|op| op.old_range().len() + op.new_range().len())
        .sum();
    let fewest: usize = surplus.iter().map(|n| n.unsigned_abs()).sum();
    (changed == fewest).then_some(ops)
}

/// A path in a diff header as git writes it: in double quotes with C escapes when it holds a control character, a
/// quote or a backslash (a name with a newline would otherwise end the header line).
fn git_quoted(path: &str) -> String {
    if !path.chars().any(|c| c.is_control() || c == '"' || c == '\\') {
        return path.to_string();
    }
    let mut out = String::from("\"");
    for c in path.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => {
                let mut bytes = [0u8; 4];
                for byte in c.encode_utf8(&mut bytes).bytes() {
                    let _ = write!(out, "\\{byte:03o}");
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `text`'s lines as git splits them, each with its `\n` (or `\r\n`), split with memchr (the diff's own tokenizer
/// is a quarter of its cost).
fn lines(text: &str) -> Vec<&str> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(text.len() / 32 + 1);
    let mut start = 0;
    for end in memchr::memchr_iter(b'\n', bytes) {
        out.push(&text[start..=end]);
        start = end + 1;
    }
    if start < text.len() {
        out.push(&text[start..]);
    }
    out
}

/// Colours a unified diff for a terminal.
pub fn colorize(diff: &str) -> String {
    let mut out = String::with_capacity(diff.len() + 256);
    for line in diff.split_inclusive('\n') {
        let color = if line.starts_with("+++") || line.starts_with("---") {
            "\x1b[1m"
        } else if line.starts_with('+') {
            "\x1b[32m"
        } else if line.starts_with('-') {
            "\x1b[31m"
        } else if line.starts_with("@@") {
            "\x1b[36m"
        } else {
            ""
        };
        if color.is_empty() {
            out.push_str(line);
        } else {
            let body = line.trim_end_matches(['\n', '\r']);
            let _ = write!(out, "{color}{body}\x1b[0m{}", &line[body.len()..]);
        }
    }
    out
}

/// Lines added and removed.
pub fn line_counts(change: &FileChange) -> (usize, usize) {
    let updated = change.updated();
    let (old, new) = (lines(change.original()), lines(&updated));
    change_ops(change, &old, (&updated, &new)).iter().fold((0, 0), |(a, r), op| {
        let (removed, added) = (op.old_range().len(), op.new_range().len());
        match op.tag() {
            similar::DiffTag::Equal => (a, r),
            _ => (a + added, r + removed),
        }
    })
}

/// The summary printed after the diffs (or after the list of written files).
pub fn summary(result: &RunResult, mode: Mode, color: bool) -> String {
    let paint = |code: &str, text: &str| if color { format!("\x1b[{code}m{text}\x1b[0m") } else { text.to_string() };
    let mut out = String::new();
    let verb = match mode {
        Mode::Write => "changed",
        _ => "would change",
    };
    let mut changed = files_of(result.changes.iter());
    // (Lockfiles `--lockfile` updated are changed files too: a refresh may change nothing else.)
    if !result.updated_lockfiles.is_empty() {
        let lockfiles = count(result.updated_lockfiles.len(), "lockfile", "lockfiles");
        changed = if changed.is_empty() { lockfiles } else { format!("{changed}, {lockfiles}") };
    }
    // A lockfile refresh the advisories plan and this run did not apply: a planned change of the lockfile, made by
    // `--write --lockfile` (the dry run and --check count it; after --write without --lockfile a line says so).
    let pending = crate::relock::pending_refreshes(result);
    if !pending.is_empty() && mode != Mode::Write {
        let lockfiles = format!("{} with --lockfile", count(pending.len(), "lockfile", "lockfiles"));
        changed = if changed.is_empty() { lockfiles } else { format!("{changed}, {lockfiles}") };
    }
    let _ = writeln!(
        out,
        "{} {}",
        paint("1", &format!("express-harden: {verb}")),
        if changed.is_empty() { "no files".to_string() } else { changed }
    );
    let _ = writeln!(out, "  {}", scanned(result));
    let mut per_transform: BTreeMap<&str, Vec<&FileChange>> = BTreeMap::new();
    for change in &result.changes {
        for id in &change.transforms {
            per_transform.entry(id).or_default().push(change);
        }
    }
    for (id, changes) in &per_transform {
        let _ = writeln!(out, "  {id}: {}", files_of(changes.iter().copied()));
    }
    for (lockfile, planned) in &pending {
        let _ = writeln!(
            out,
            "  {}: lockfile refresh {} ({}){}",
            display_path(lockfile),
            if mode == Mode::Write { "not applied" } else { "planned" },
            planned.fixes.join(", "),
            if mode == Mode::Write { ": needs --lockfile" } else { ", made by --write --lockfile" }
        );
    }
    for manifest in &result.held_back {
        // (Held back by code, an Express 2 range, or the project's Node: the finding that says which.)
        let by_node = !result.findings.iter().any(|f| f.path == *manifest && f.rule.ends_with("/major-change"))
            && result.findings.iter().any(|f| f.path == *manifest && f.rule == "express-version/node");
        // (Or by a workspace member whose Express is its root's, outside the paths given.)
        let outside = !result.findings.iter().any(|f| f.path == *manifest && f.rule.ends_with("/major-change"))
            && result.findings.iter().any(|f| f.path == *manifest && f.rule == crate::outcome::OUTSIDE_PATHS);
        let finding = match (by_node, outside) {
            (true, _) => "node",
            (false, true) => "outside-paths",
            (false, false) => "major-change",
        };
        let _ =
            writeln!(out, "  {}: the requested major is held back (see its {finding} finding)", display_path(manifest));
    }
    for dep in &result.dependencies {
        let from = dep.from.as_deref().unwrap_or("(new)");
        let _ = writeln!(
            out,
            "  {}: {} {} {from} -> {}",
            display_path(&dep.manifest),
            dep.section.label(),
            dep.package,
            dep.to
        );
    }
    if !result.findings.is_empty() {
        let _ = writeln!(out, "\nfindings ({}):", result.findings.len());
        for f in &result.findings {
            let label = match f.severity {
                Severity::Error => paint("31", "error"),
                Severity::Warning => paint("33", "warning"),
                Severity::Info => paint("36", "info"),
            };
            let _ = writeln!(
                out,
                "  {}:{}:{}: {label} [{}] {}",
                display_path(&f.path),
                f.line,
                f.column,
                f.rule,
                f.message
            );
        }
    }
    if !result.advisories.is_empty() {
        let failing = result.advisories.iter().filter(|a| a.gate).count();
        let _ = writeln!(
            out,
            "\nadvisories ({}, {failing} at or above --fail-on), those the code calls first:",
            result.advisories.len()
        );
        for a in ranked(&result.advisories) {
            let severity = a.severity.as_deref().unwrap_or("unknown");
            let severity = if a.gate { paint("31", severity) } else { severity.to_string() };
            let _ = writeln!(
                out,
                "  {severity} {} {} -> {} {} [{}] fix: {}",
                a.package,
                a.installed,
                a.patched.as_deref().unwrap_or("(no fix)"),
                a.id,
                a.reachability.label(),
                fix_label(a.fix.kind)
            );
        }
    }
    if !result.errors.is_empty() {
        let _ = writeln!(out, "\nerrors ({}):", result.errors.len());
        for e in &result.errors {
            let _ = writeln!(out, "  {}: {} {}", paint("31", "error"), display_path(&e.path), e.message);
        }
    }
    let mut steps = result.next_steps.clone();
    if mode == Mode::DryRun && !result.changes.is_empty() {
        steps.push("review the diff above, then run again with --write to apply it".to_string());
    }
    if mode == Mode::Check && !result.changes.is_empty() {
        steps.push("run express-harden to see the diff, and with --write to apply it".to_string());
    }
    if !steps.is_empty() {
        let _ = writeln!(out, "\nnext steps:");
        for step in steps {
            let _ = writeln!(out, "  - {step}");
        }
    }
    out
}

/// The advisories in the order a reader acts on them: those the code calls first, then unknown, then not called;
/// within each, the most severe first.
pub fn ranked(advisories: &[crate::advisories::AdvisoryReport]) -> Vec<&crate::advisories::AdvisoryReport> {
    let mut ranked: Vec<&crate::advisories::AdvisoryReport> = advisories.iter().collect();
    let order = |r: crate::advisories::Reachability| match r {
        crate::advisories::Reachability::Called => 0,
        crate::advisories::Reachability::Unknown => 1,
        crate::advisories::Reachability::NotCalled => 2,
    };
    let level = |s: &Option<String>| match s.as_deref() {
        Some("critical") => 0,
        Some("high") => 1,
        Some("moderate") | None => 2,
        _ => 3,
    };
    ranked.sort_by_key(|a| (order(a.reachability), level(&a.severity)));
    ranked
}

/// The fix's kind in words.
pub fn fix_label(kind: crate::advisories::FixKind) -> &'static str {
    match kind {
        crate::advisories::FixKind::LockfileRefresh => "lockfile refresh",
        crate::advisories::FixKind::Bump => "bump",
        crate::advisories::FixKind::Override => "override",
        crate::advisories::FixKind::None => "none",
    }
}

/// `n` and the noun, singular or plural: "1 source file", "2 source files".
fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The changed files by kind: "1 source file, 1 package.json" (empty for none).
fn files_of<'a>(changes: impl Iterator<Item = &'a FileChange>) -> String {
    let (mut sources, mut created, mut manifests) = (0, 0, 0);
    for change in changes {
        if change.is_manifest {
            manifests += 1;
        } else {
            sources += 1;
            created += usize::from(change.created);
        }
    }
    let mut parts = Vec::new();
    if sources > 0 {
        let new = if created > 0 { format!(" ({created} new)") } else { String::new() };
        parts.push(format!("{}{new}", count(sources, "source file", "source files")));
    }
    if manifests > 0 {
        parts.push(count(manifests, "package.json", "package.json files"));
    }
    parts.join(", ")
}

/// What became of the source files the walk found: "scanned 6 source files: 2 parsed, 4 skipped by the prefilter
/// (they name nothing the transforms look for), 1 failed to parse", and the test files left alone.
fn scanned(result: &RunResult) -> String {
    let mut out = format!("scanned {}", count(result.files_scanned, "source file", "source files"));
    let unread = result
        .files_scanned
        .saturating_sub(result.files_parsed + result.files_skipped + result.files_unparsable + result.files_set_aside);
    let parts: Vec<String> = [
        (result.files_parsed, "parsed".to_string()),
        (result.files_skipped, "skipped by the prefilter (they name nothing the transforms look for)".to_string()),
        (result.files_unparsable, "failed to parse".to_string()),
        (result.files_set_aside, "set aside as too large or minified (see the findings)".to_string()),
        (unread, "could not be handled (see the errors)".to_string()),
    ]
    .into_iter()
    .filter(|(n, _)| *n > 0)
    .map(|(n, what)| format!("{n} {what}"))
    .collect();
    if !parts.is_empty() {
        let _ = write!(out, ": {}", parts.join(", "));
    }
    match result.context_files {
        0 => {}
        1 => out.push_str("; 1 other source file of the project read for context (only the paths given change)"),
        n => {
            let _ =
                write!(out, "; {n} other source files of the project read for context (only the paths given change)");
        }
    }
    match result.tests_skipped {
        0 => {}
        1 => out.push_str("; 1 test file left alone (--include-tests to harden it)"),
        n => {
            let _ = write!(out, "; {n} test files left alone (--include-tests to harden them)");
        }
    }
    out
}

#[derive(Serialize)]
struct JsonDocument<'a> {
    schema_version: u32,
    tool: JsonTool,
    mode: Mode,
    files: Vec<JsonFile>,
    dependency_changes: Vec<JsonDependency<'a>>,
    findings: Vec<JsonFinding<'a>>,
    errors: Vec<JsonError<'a>>,
    advisories: Vec<crate::advisories::AdvisoryReport>,
    next_steps: &'a [String],
    summary: JsonSummary<'a>,
}

#[derive(Serialize)]
struct JsonTool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct JsonFile {
    path: String,
    kind: &'static str,
    transforms: Vec<&'static str>,
    diff: String,
    written: bool,
}

#[derive(Serialize)]
struct JsonDependency<'a> {
    manifest: String,
    section: &'static str,
    package: &'a str,
    from: Option<&'a str>,
    to: &'a str,
    transform: &'static str,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    rule: &'a str,
    transform: &'static str,
    path: String,
    line: usize,
    column: usize,
    message: &'a str,
    severity: Severity,
}

#[derive(Serialize)]
struct JsonError<'a> {
    path: String,
    message: &'a str,
}

#[derive(Serialize)]
struct JsonSummary<'a> {
    files_scanned: usize,
    files_parsed: usize,
    files_skipped: usize,
    files_unparsable: usize,
    files_set_aside: usize,
    files_changed: usize,
    test_files_skipped: usize,
    context_files: usize,
    migrations_held_back: Vec<String>,
    transforms: BTreeMap<&'a str, usize>,
    findings: usize,
    errors: usize,
    advisories: usize,
    advisories_failing: usize,
}

/// The dependency changes (indices into `changes`) that carry an advisory's fix: those of the package.json entries
/// its fix writes or counts on ([`crate::advisories::AdvisoryReport::carriers`]).
fn carried_by(
    advisory: &crate::advisories::AdvisoryReport,
    changes: &[crate::outcome::DependencyChange],
) -> Vec<usize> {
    changes
        .iter()
        .enumerate()
        .filter(|(_, d)| {
            advisory.carriers.iter().any(|c| {
                c.section == d.section && c.key == d.package && crate::root::same_path(&c.manifest, &d.manifest)
            })
        })
        .map(|(i, _)| i)
        .collect()
}

/// The JSON document for a run. `written` says, per file, whether it was written.
pub fn json(result: &RunResult, mode: Mode, written: &dyn Fn(&FileChange) -> bool) -> String {
    let mut transforms: BTreeMap<&str, usize> = BTreeMap::new();
    for change in &result.changes {
        for id in &change.transforms {
            *transforms.entry(id).or_default() += 1;
        }
    }
    let doc = JsonDocument {
        schema_version: JSON_SCHEMA_VERSION,
        tool: JsonTool { name: env!("CARGO_PKG_NAME"), version: env!("CARGO_PKG_VERSION") },
        mode,
        files: result
            .changes
            .iter()
            .map(|c| JsonFile {
                path: display_path(&c.path),
                kind: if c.is_manifest { "manifest" } else { "source" },
                transforms: c.transforms.clone(),
                diff: unified_diff(c),
                written: written(c),
            })
            .collect(),
        dependency_changes: result
            .dependencies
            .iter()
            .map(|d| JsonDependency {
                manifest: display_path(&d.manifest),
                section: d.section.label(),
                package: &d.package,
                from: d.from.as_deref(),
                to: &d.to,
                transform: d.transform,
            })
            .collect(),
        findings: result
            .findings
            .iter()
            .map(|f| JsonFinding {
                rule: &f.rule,
                transform: f.transform,
                path: display_path(&f.path),
                line: f.line,
                column: f.column,
                message: &f.message,
                severity: f.severity,
            })
            .collect(),
        errors: result.errors.iter().map(|e| JsonError { path: display_path(&e.path), message: &e.message }).collect(),
        advisories: result
            .advisories
            .iter()
            .map(|a| {
                let mut a = a.clone();
                a.fix.dependency_changes = carried_by(&a, &result.dependencies);
                a
            })
            .collect(),
        next_steps: &result.next_steps,
        summary: JsonSummary {
            files_scanned: result.files_scanned,
            files_parsed: result.files_parsed,
            files_skipped: result.files_skipped,
            files_unparsable: result.files_unparsable,
            files_set_aside: result.files_set_aside,
            files_changed: result.changes.len(),
            test_files_skipped: result.tests_skipped,
            context_files: result.context_files,
            migrations_held_back: result.held_back.iter().map(|p| display_path(p)).collect(),
            transforms,
            findings: result.findings.len(),
            errors: result.errors.len(),
            advisories: result.advisories.len(),
            advisories_failing: result.advisories.iter().filter(|a| a.gate).count(),
        },
    };
    serde_json::to_string_pretty(&doc).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}")) + "\n"
}

#[cfg(test)]
mod tests {
    use super::*;
    use similar::TextDiff;

    #[test]
    fn the_fast_line_split_gives_the_same_diff_as_the_diff_library() {
        let cases = [
            ("a\nb\nc\n", "a\nB\nc\nd\n"),
            ("a\nb", "a\nb\nc"),
            ("a\r\nb\r\n", "a\r\nx\r\nb\r\n"),
            ("one\ntwo\n", "one\ntwo"),
            ("", "new\n"),
        ];
        for (original, updated) in cases {
            let change = FileChange::new(
                "f.js".into(),
                false,
                original.to_string(),
                updated.to_string(),
                Vec::new(),
                Vec::new(),
            );
            let reference = TextDiff::from_lines(original, updated)
                .unified_diff()
                .context_radius(3)
                .header("a/f.js", "b/f.js")
                .to_string();
            assert_eq!(unified_diff(&change), reference, "{original:?} -> {updated:?}");
        }
        // The ops without the common head and tail are similar's own, on texts with many equal lines where Myers has
        // choices to make (lines from a small alphabet), short and long (over 100 lines similar hashes them).
        let mut next = crate::myers::generator(0x2545_f491_4f6c_dd1d);
        for round in 0..400 {
            let len = if round % 4 == 0 { 150 + next(100) } else { next(40) };
            let original: Vec<String> =
                (0..len).map(|_| format!("{}\n", ["a", "b", "}", ""][next(4) as usize])).collect();
            let mut updated = original.clone();
            for _ in 0..=next(5) {
                let at = next(updated.len() as u64 + 1) as usize;
                match next(3) {
                    0 => updated.insert(at, format!("{}\n", ["a", "x", "}"][next(3) as usize])),
                    1 if at < updated.len() => {
                        updated.remove(at);
                    }
                    _ if at < updated.len() => updated[at] = "y\n".to_string(),
                    _ => {}
                }
            }
            let (original, updated) = (original.concat(), updated.concat());
            let reference = TextDiff::from_lines(&original, &updated)
                .unified_diff()
                .context_radius(3)
                .header("a/f.js", "b/f.js")
                .to_string();
            assert_eq!(unified_diff_of(std::path::Path::new("f.js"), &original, &updated), reference);
            let (old, new) = (lines(&original), lines(&updated));
            let counted =
                TextDiff::from_lines(&original, &updated).iter_all_changes().fold((0, 0), |(a, r), c| match c.tag() {
                    ChangeTag::Insert => (a + 1, r),
                    ChangeTag::Delete => (a, r + 1),
                    ChangeTag::Equal => (a, r),
                });
            let ops = line_ops(&old, &new);
            let ours = ops.iter().fold((0, 0), |(a, r), op| match op.tag() {
                similar::DiffTag::Equal => (a, r),
                _ => (a + op.new_range().len(), r + op.old_range().len()),
            });
            assert_eq!(ours, counted);
        }
        // A lone CR does not end a line for git: the patch keeps it inside the line, so `git apply` takes it.
        let diff = unified_diff_of(std::path::Path::new("f.js"), "a\rb\r", "a\rc\r");
        assert_eq!(diff, "--- a/f.js\n+++ b/f.js\n@@ -1 +1 @@\n-a\rb\r\n\\ No newline at end of file\n+a\rc\r\n\\ No newline at end of file\n");
    }

    /// A change made by `edits` on `original`, as the engine builds it.
    fn edited(original: &str, edits: Vec<crate::edit::Edit>) -> FileChange {
        let updated = crate::edit::apply(original, &edits).expect("edits apply");
        FileChange::new("f.js".into(), false, original.to_string(), updated, Vec::new(), edits)
    }

    /// The new text the ops make of the old.
    fn replay(old: &[&str], new: &[&str], ops: &[similar::DiffOp]) -> String {
        ops.iter()
            .flat_map(|op| op.iter_changes(old, new))
            .filter(|c| c.tag() != ChangeTag::Delete)
            .map(|c| c.value())
            .collect()
    }

    #[test]
    fn a_diff_from_the_edits_diffs_only_the_lines_they_touch() {
        use crate::edit::Edit;
        // An import added after the last one, a paragraph of new code whose blank line could be matched to the file's
        // own, and a line added after a blank one: only the lines the edits touch are diffed.
        let original = "import a from 'a';\n\nconst app = a();\n\napp.listen(3000);\n";
        let change = edited(
            original,
            vec![
                Edit::insert(19, "import b from 'b';\n"),
                Edit::insert(20, "const store = b();\n\n"),
                Edit::replace(37..37, "\napp.use(store);"),
            ],
        );
        assert_eq!(
            unified_diff(&change),
            "--- a/f.js\n+++ b/f.js\n@@ -1,5 +1,9 @@\n import a from 'a';\n+import b from 'b';\n+\n+const store = b();\n \n \
             const app = a();\n \n+app.use(store);\n app.listen(3000);\n"
        );
        assert_eq!(line_counts(&change), (4, 0));
        // With a byte order mark, which the edits' offsets do not count.
        let (original, updated) = (format!("\u{feff}{}", change.original()), format!("\u{feff}{}", change.updated()));
        let mut marked =
            FileChange::new("f.js".into(), false, original, updated.clone(), Vec::new(), change.edits.clone());
        assert_eq!(unified_diff(&marked), unified_diff_of(std::path::Path::new("f.js"), marked.original(), &updated));
        // Its new text is made of the original and the edits again, the mark kept.
        marked.compact();
        assert_eq!(marked.updated(), updated);
        assert_eq!(unified_diff(&marked), unified_diff_of(std::path::Path::new("f.js"), marked.original(), &updated));
    }

    #[test]
    fn code_an_edit_moves_is_diffed_as_the_whole_texts_are() {
        use crate::edit::Edit;
        // The routes move from the end to where the router was: removed in one place and added in another, the
        // edits' own lines are a longer diff than the lines between them moving the other way.
        let original = "app.use(a);\napp.use(app.router);\nstatic1;\nstatic2;\nstatic3;\nroute1;\nroute2;\n";
        let change = edited(original, vec![Edit::replace(12..33, "route1;\nroute2;\n"), Edit::replace(60..76, "")]);
        let updated = change.updated();
        assert_eq!(updated, "app.use(a);\nroute1;\nroute2;\nstatic1;\nstatic2;\nstatic3;\n");
        assert_eq!(unified_diff(&change), unified_diff_of(std::path::Path::new("f.js"), change.original(), &updated));
        let (old, new) = (lines(change.original()), lines(&updated));
        let spans = change.edits.iter().map(|e| (e.range.start, e.range.end, e.text.len()));
        assert_eq!(edited_line_ops((change.original(), &old), (&updated, &new), spans), None);
    }

    #[test]
    fn edits_that_do_not_make_the_new_text_leave_the_diff_to_the_texts() {
        use crate::edit::Edit;
        let mut change = edited("a\nb\nc\n", vec![Edit::replace(2..3, "B")]);
        // (Edits that say another line changed: the lines between them differ, so the texts are diffed.)
        change.edits = vec![Edit::replace(0..1, "A")];
        assert_eq!(unified_diff(&change), "--- a/f.js\n+++ b/f.js\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n");
        // (Nor does the change let go of its new text: the edits would not make it again.)
        change.compact();
        assert_eq!(change.updated(), "a\nB\nc\n");
    }

    #[test]
    fn diffs_from_generated_edits_make_the_new_text_in_as_few_lines_as_a_diff_of_the_texts() {
        use crate::edit::Edit;
        let mut next = crate::myers::generator(0x9e37_79b9_7f4a_7c15);
        let (mut from_edits, mut rounds) = (0, 600);
        while rounds > 0 {
            rounds -= 1;
            // Lines from a small alphabet (blank lines and braces, as code has), edited at line starts and inside lines.
            let alphabet = ["", "}", "a();", "b();", "  x", "// c"];
            let len = next(60) as usize;
            let original: String = (0..len).map(|_| format!("{}\n", alphabet[next(6) as usize])).collect();
            let mut edits = Vec::new();
            let mut at = 0;
            for _ in 0..=next(4) {
                at += next(original.len() as u64 / 3 + 2) as usize;
                if at > original.len() || !original.is_char_boundary(at) {
                    break;
                }
                let end = (at + next(12) as usize).min(original.len());
                let text: String = (0..next(4)).map(|_| format!("{}\n", alphabet[next(6) as usize])).collect();
                edits.push(Edit::replace(at..end, text));
                at = end;
            }
            let change = edited(&original, edits);
            let updated = change.updated();
            let (old, new) = (lines(change.original()), lines(&updated));
            let whole = line_ops(&old, &new);
            let spans = change.edits.iter().map(|e| (e.range.start, e.range.end, e.text.len()));
            let Some(ops) = edited_line_ops((change.original(), &old), (&updated, &new), spans) else { continue };
            from_edits += 1;
            assert_eq!(replay(&old, &new, &ops), updated, "{original:?} {:?}", change.edits);
            let changed = |ops: &[similar::DiffOp]| {
                ops.iter()
                    .map(|op| {
                        if op.tag() == similar::DiffTag::Equal {
                            0
                        } else {
                            op.old_range().len() + op.new_range().len()
                        }
                    })
                    .sum::<usize>()
            };
            assert_eq!(changed(&ops), changed(&whole), "{original:?} {:?}", change.edits);
        }
        // (Most take the edits' way: the rest are moves, or edits that change nothing.)
        assert!(from_edits > 300, "{from_edits}");
    }
}
