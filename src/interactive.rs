//! `--interactive`: each change (a transform's part of a file, or a version bump in a package.json) is shown as a
//! diff and the reviewer answers yes, no, all remaining or quit. Nothing is written until every question is answered;
//! then the run is planned again with the declined parts left out, so what is written is exactly what was accepted,
//! and a package.json gets only the packages the accepted code needs.
//!
//! A part is shown on top of the parts of the same file already accepted (as `git add -p` does), so the diffs that
//! were shown, applied in order, are the change that is written.

use std::io::{BufRead, Write};
use std::path::PathBuf;

use crate::discover::display_path;
use crate::pipeline::{run_selected, RunResult, Selection};
use crate::transform::{Options, Transform};

/// One question: a transform's part of one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    /// The file.
    pub path: PathBuf,
    /// The transform.
    pub transform: &'static str,
    /// Whether the file is a package.json (its version bumps; added packages follow the code that needs them).
    pub manifest: bool,
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

/// The parts of a run's changes, in the order they are asked: source files first (each file's transforms in the
/// order of their first edit), then the version bumps of each package.json.
pub fn parts(result: &RunResult) -> Vec<Part> {
    let mut out = Vec::new();
    for change in &result.changes {
        if change.is_manifest {
            let mut bumps: Vec<&'static str> = Vec::new();
            for dep in result.dependencies.iter().filter(|d| d.manifest == change.path && d.from.is_some()) {
                if !bumps.contains(&dep.transform) {
                    bumps.push(dep.transform);
                }
            }
            out.extend(bumps.into_iter().map(|id| Part { path: change.path.clone(), transform: id, manifest: true }));
        } else {
            let mut edits = change.edits.clone();
            crate::edit::sort_edits(&mut edits);
            let mut ids: Vec<&'static str> = change.transforms.clone();
            ids.sort_by_key(|id| edits.iter().position(|e| e.transform == *id).unwrap_or(usize::MAX));
            out.extend(ids.into_iter().map(|id| Part { path: change.path.clone(), transform: id, manifest: false }));
        }
    }
    out
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
    let parts = parts(initial);
    let mut selection = Selection::default();
    // Every file with parts is limited to the transforms accepted for it (none until one is).
    for part in parts.iter().filter(|p| !p.manifest) {
        selection.allowed.entry(part.path.clone()).or_default();
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
            let header = format!(
                "[{}/{}] {} ({}): {}",
                n + 1,
                parts.len(),
                display_path(&part.path),
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
        match answer {
            Answer::Yes | Answer::All => {
                accepted += 1;
                accept_rest |= matches!(answer, Answer::All);
                if !part.manifest {
                    selection.allowed.entry(part.path.clone()).or_default().push(part.transform);
                }
            }
            Answer::No | Answer::Quit => {
                declined += 1;
                quit |= matches!(answer, Answer::Quit);
                selection.declined.insert((part.path.clone(), part.transform));
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

/// The diff of the first of `parts` on top of the answers so far (for a source file: the transforms accepted for it),
/// with the packages it adds; `None` when it changes nothing any more.
fn preview(
    paths: &[PathBuf],
    transforms: &[Box<dyn Transform>],
    options: &Options,
    parts: &[Part],
    selection: &Selection,
) -> Option<String> {
    let part = &parts[0];
    // Without the part and with it; the parts after it are left out of both, so the difference is this part's alone.
    let mut without = selection.clone();
    for later in parts.iter().filter(|p| p.manifest) {
        without.declined.insert((later.path.clone(), later.transform));
    }
    let mut with = without.clone();
    if part.manifest {
        with.declined.remove(&(part.path.clone(), part.transform));
    } else {
        with.allowed.entry(part.path.clone()).or_default().push(part.transform);
    }
    // A source file is planned on its own; a version bump needs the whole run (its migration must be complete).
    let scope: Vec<PathBuf> = if part.manifest { paths.to_vec() } else { vec![part.path.clone()] };
    let before = run_selected(&scope, transforms, options, &without);
    let after = run_selected(&scope, transforms, options, &with);
    let text = |result: &RunResult| {
        result
            .changes
            .iter()
            .find(|c| c.path == part.path)
            .map(|c| c.updated.clone())
            .or_else(|| std::fs::read_to_string(&part.path).ok())
    };
    let (old, new) = (text(&before)?, text(&after)?);
    if old == new {
        return None;
    }
    let shown = display_path(&part.path);
    let mut diff = similar::TextDiff::from_lines(&old, &new)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{shown}"), &format!("b/{shown}"))
        .to_string();
    if !part.manifest {
        for dep in after.dependencies.iter().filter(|d| d.from.is_none()) {
            if !before.dependencies.iter().any(|b| b.package == dep.package && b.manifest == dep.manifest) {
                diff.push_str(&format!(
                    "(with {} {} added to {}: this code needs it)\n",
                    dep.package,
                    dep.to,
                    display_path(&dep.manifest)
                ));
            }
        }
    }
    Some(diff)
}
