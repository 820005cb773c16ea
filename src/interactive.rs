//! `--interactive`: each change is shown as a diff and the reviewer answers yes, no, all remaining or quit. The
//! questions: first each code migration (`express4`, `express5`) over all the files it changes, with the Express
//! version that moves with it; then each transform's part of each source file, with the packages it adds to
//! package.json; then the version bumps that no migration carries. Nothing is written until every question is
//! answered; then the run is planned again with only the accepted parts, so what is written is exactly what was
//! accepted, and a package.json gets only the packages the accepted code needs.
//!
//! A part is shown on top of the parts already accepted (as `git add -p` does), and both sides of its diff are planned
//! over the whole run, so the diffs that were shown, applied in order, are the change that is written.

use std::io::{BufRead, Write};
use std::path::PathBuf;

use crate::discover::display_path;
use crate::outcome::RunResult;
use crate::pipeline::{run_selected, Selection};
use crate::transform::{Options, Transform};

/// What a question is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A code migration (a phase-0 transform) in every file it changes, with the major version bump that goes with
    /// it: asked first, as one question, because the other transforms build on the migrated code and the version
    /// must move together with the code.
    Migration,
    /// A transform's part of one source file (the packages it needs come with it).
    Code,
    /// A version bump in one package.json that no migration of its project carries.
    Bump,
}

/// One question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    /// The files: one, or every file a migration changes.
    pub paths: Vec<PathBuf>,
    /// The transform.
    pub transform: &'static str,
    /// What it is.
    pub kind: Kind,
}

/// How the review ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Review {
    /// What to keep.
    pub selection: Selection,
    /// Parts accepted.
    pub accepted: usize,
    /// Parts declined (by `n`, or left unanswered by `q`).
    pub declined: usize,
    /// Whether the reviewer quit.
    pub quit: bool,
}

/// The parts of a run's changes, in the order they are asked: the code migrations, then each source file's
/// transforms (in the order of their first edit), then the version bumps no migration carries.
pub fn parts(result: &RunResult, transforms: &[Box<dyn Transform>]) -> Vec<Part> {
    let is_migration =
        |id: &str| transforms.iter().any(|t| t.info().id == id && t.phase() == crate::transform::Phase::Migration);
    let mut migrations: Vec<Part> = Vec::new();
    let mut code = Vec::new();
    let mut bumps = Vec::new();
    for change in result.changes.iter().filter(|c| !c.is_manifest) {
        for id in change.transforms_in_edit_order() {
            if !is_migration(id) {
                code.push(Part { paths: vec![change.path.clone()], transform: id, kind: Kind::Code });
            } else if let Some(group) = migrations.iter_mut().find(|m| m.transform == id) {
                group.paths.push(change.path.clone());
            } else {
                migrations.push(Part { paths: vec![change.path.clone()], transform: id, kind: Kind::Migration });
            }
        }
    }
    for change in result.changes.iter().filter(|c| c.is_manifest) {
        let dir = match change.path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let carried = migrations.iter().flat_map(|m| &m.paths).any(|p| p.starts_with(&dir) || dir.as_os_str() == ".");
        if carried {
            continue;
        }
        // A version bump is asked about; so is a package added by a transform with no code to carry it (an
        // advisory's override), which no other question would cover.
        let has_code = |id: &str| code.iter().chain(&migrations).any(|p: &Part| p.transform == id);
        for dep in result
            .dependencies
            .iter()
            .filter(|d| d.manifest == change.path && (d.from.is_some() || !has_code(d.transform)))
        {
            if !bumps.iter().any(|b: &Part| b.paths[0] == change.path && b.transform == dep.transform) {
                bumps.push(Part { paths: vec![change.path.clone()], transform: dep.transform, kind: Kind::Bump });
            }
        }
    }
    migrations.into_iter().chain(code).chain(bumps).collect()
}

enum Answer {
    Yes,
    No,
    All,
    Quit,
}

const HELP: &str =
    "y - apply this change\nn - leave this change out\na - apply this change and all the remaining ones\n\
                    q - leave this change and all the remaining ones out, then write what was accepted\n\
                    ? - show this help\n";

/// Asks about every part of `initial` on `output`, reading answers from `input`. End of input counts as quit.
pub fn review(
    paths: &[PathBuf],
    transforms: &[Box<dyn Transform>],
    options: &Options,
    initial: &RunResult,
    color: bool,
    input: &mut dyn BufRead,
    output: &mut dyn Write,
) -> std::io::Result<Review> {
    let parts = parts(initial, transforms);
    let mut selection = Selection::default();
    // Every file with parts is limited to the transforms accepted for it (none until one is).
    for part in parts.iter().filter(|p| p.kind != Kind::Bump) {
        for path in &part.paths {
            selection.allowed.entry(path.clone()).or_default();
        }
    }
    let (mut accepted, mut declined) = (0, 0);
    let mut accept_rest = false;
    let mut quit = false;
    for (n, part) in parts.iter().enumerate() {
        let answer = if quit {
            Answer::No
        } else if accept_rest {
            Answer::Yes
        } else if let Some(preview) = preview(paths, transforms, options, &parts[n..], &selection) {
            let title = transforms.iter().find(|t| t.info().id == part.transform).map(|t| t.info().title.clone());
            let files: Vec<String> = part.paths.iter().map(|p| display_path(p)).collect();
            let header = format!(
                "[{}/{}] {} ({}): {}",
                n + 1,
                parts.len(),
                files.join(", "),
                part.transform,
                title.unwrap_or_default()
            );
            writeln!(output, "{}", if color { format!("\x1b[1m{header}\x1b[0m") } else { header })?;
            output.write_all(if color { crate::report::colorize(&preview) } else { preview }.as_bytes())?;
            let answer = ask(input, output)?;
            writeln!(output)?;
            answer
        } else {
            // Nothing of its own left to show (it built on a part that was declined): nothing to ask.
            continue;
        };
        let accept = matches!(answer, Answer::Yes | Answer::All);
        accept_rest |= matches!(answer, Answer::All);
        quit |= matches!(answer, Answer::Quit);
        if accept {
            accepted += 1;
        } else {
            declined += 1;
        }
        for path in &part.paths {
            match (accept, part.kind) {
                (true, Kind::Bump) => {}
                (true, _) => selection.allowed.entry(path.clone()).or_default().push(part.transform),
                (false, _) => {
                    selection.declined.insert((path.clone(), part.transform));
                }
            }
        }
    }
    Ok(Review { selection, accepted, declined, quit })
}

/// One answer, asked again (with the help) until it is one of the choices.
fn ask(input: &mut dyn BufRead, output: &mut dyn Write) -> std::io::Result<Answer> {
    loop {
        write!(output, "Apply this change? [y]es, [n]o, [a]ll remaining, [q]uit, [?] help: ")?;
        output.flush()?;
        let mut line = String::new();
        if input.read_line(&mut line)? == 0 {
            writeln!(output)?;
            return Ok(Answer::Quit);
        }
        match line.trim().to_ascii_lowercase().as_str() {
            "y" | "yes" => return Ok(Answer::Yes),
            "n" | "no" => return Ok(Answer::No),
            "a" | "all" => return Ok(Answer::All),
            "q" | "quit" => return Ok(Answer::Quit),
            _ => output.write_all(HELP.as_bytes())?,
        }
    }
}

/// The diff the first of `parts` makes on top of the answers so far, over every file (a source part also shows the
/// packages it adds to package.json); `None` when it changes nothing any more. Both sides are planned over the whole
/// run, so what a file's change depends on elsewhere (the views behind helmet's CSP) is the same as when it is
/// written.
fn preview(
    paths: &[PathBuf],
    transforms: &[Box<dyn Transform>],
    options: &Options,
    parts: &[Part],
    selection: &Selection,
) -> Option<String> {
    let part = &parts[0];
    // The parts after this one are left out of both sides (source parts are, as long as they are not accepted).
    let mut base = selection.clone();
    for later in parts[1..].iter().filter(|p| p.kind != Kind::Code) {
        for path in &later.paths {
            base.declined.insert((path.clone(), later.transform));
        }
    }
    let (mut without, mut with) = (base.clone(), base);
    for path in &part.paths {
        match part.kind {
            Kind::Code => with.allowed.entry(path.clone()).or_default().push(part.transform),
            Kind::Migration => {
                without.declined.insert((path.clone(), part.transform));
                with.allowed.entry(path.clone()).or_default().push(part.transform);
            }
            Kind::Bump => {
                without.declined.insert((path.clone(), part.transform));
            }
        }
    }
    let before = run_selected(paths, transforms, options, &without);
    let after = run_selected(paths, transforms, options, &with);
    let mut files: Vec<(bool, &PathBuf)> =
        before.changes.iter().chain(&after.changes).map(|c| (c.is_manifest, &c.path)).collect();
    files.sort();
    files.dedup();
    let text = |result: &RunResult, path: &PathBuf| {
        result
            .changes
            .iter()
            .find(|c| &c.path == path)
            .map(|c| c.updated().into_owned())
            .or_else(|| crate::fsread::read_text(path, crate::fsread::SOURCE_LIMIT, options.root.as_deref()).ok())
    };
    let mut diff = String::new();
    for (_, path) in files {
        let (Some(old), Some(new)) = (text(&before, path), text(&after, path)) else { continue };
        if old != new {
            diff.push_str(&crate::report::unified_diff_of(path, &old, &new));
        }
    }
    (!diff.is_empty()).then_some(diff)
}
