//! After a write: the lockfile-only updates `--lockfile` runs, for the written manifests' lockfiles and for the
//! packages an advisory's fix moves inside their parents' ranges. The commands and their safety are
//! [`crate::lockfile`]'s; this module applies them to a run's result.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use crate::outcome::{ErrorKind, FileError, RunResult};

/// Runs the lockfile-only update of every written manifest's lockfile, passing the variables named in `pass` through;
/// failures become errors. When the package manager ran and failed, the manifests of that lockfile are put back as
/// they were (and left out of `written`): a package.json its lockfile contradicts would make the next `npm ci` fail.
/// When it cannot run here (not installed, or refused), they stay written and the error says what to run.
pub fn update_written(result: &mut RunResult, written: &mut Vec<PathBuf>, pass: &[OsString]) -> Vec<String> {
    let mut lines = Vec::new();
    let mut done: Vec<PathBuf> = Vec::new();
    let mut failed: Vec<(PathBuf, String)> = Vec::new();
    for change in result.changes.iter().filter(|c| c.is_manifest && written.contains(&c.path)) {
        let dir = change.path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(std::path::Path::new("."));
        let Some(lock) = crate::lockfile::find(dir, result.root.as_deref()) else { continue };
        if done.contains(&lock.path) {
            continue;
        }
        done.push(lock.path.clone());
        // The packages of every written manifest this lockfile installs (a workspace's root and its members), once
        // each: a package raised in `dependencies` and its pin in `overrides` is one move.
        let mut packages: Vec<String> = Vec::new();
        for other in result.changes.iter().filter(|c| c.is_manifest && written.contains(&c.path)) {
            let at = other.path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
            if crate::lockfile::find(at, result.root.as_deref()).is_none_or(|l| l.path != lock.path) {
                continue;
            }
            for d in result.dependencies.iter().filter(|d| d.manifest == other.path) {
                if !packages.contains(&d.package) {
                    packages.push(d.package.clone());
                }
            }
        }
        // The packages moved to a new major, with their new range.
        let majors: Vec<(String, String)> = result
            .dependencies
            .iter()
            .filter(|d| packages.contains(&d.package))
            .filter(|d| {
                let from = d.from.as_deref().and_then(crate::npm_spec::start_major);
                from.zip(crate::npm_spec::start_major(&d.to)).is_some_and(|(from, to)| to > from)
            })
            .map(|d| (d.package.clone(), d.to.clone()))
            .collect();
        let others = Others::before(&lock);
        match crate::lockfile::update(&lock, &packages, &majors, pass) {
            Ok(summary) => {
                lines.push(format!("updated {} ({summary})", crate::root::display_path(&lock.path)));
                result.updated_lockfiles.push(lock.path.clone());
                others.after(&mut result.updated_lockfiles, &mut lines);
            }
            // Not run here (not installed, or refused): the user runs it, for the manifests as written.
            Err(message) if !crate::lockfile::runs_here(&lock) => {
                result.errors.push(FileError::new(&lock.path, ErrorKind::Lockfile, message))
            }
            Err(message) => failed.push((lock.path.clone(), message)),
        }
    }
    for (lock, message) in failed {
        let mut restored = Vec::new();
        for change in result.changes.iter().filter(|c| c.is_manifest && written.contains(&c.path)) {
            let dir = change.path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
            let same = crate::lockfile::find(dir, result.root.as_deref()).is_some_and(|l| l.path == lock);
            if same && crate::atomic::write_atomic(&change.path, change.original()).is_ok() {
                restored.push(change.path.clone());
            }
        }
        written.retain(|p| !restored.contains(p));
        let shown: Vec<String> = restored.iter().map(|p| crate::root::display_path(p)).collect();
        let message =
            if shown.is_empty() { message } else { format!("{message}; {} put back as it was", shown.join(", ")) };
        result.errors.push(FileError::new(&lock, ErrorKind::Lockfile, message));
    }
    lines
}

/// A lockfile refresh the run's advisories plan ([`crate::advisories::FixKind::LockfileRefresh`], or a parent's refresh
/// that moves a package): the packages the package manager's update names, and the advisories' copies it fixes
/// (`lodash 4.17.20 -> 4.17.21`).
#[derive(Default)]
pub struct PlannedRefresh {
    /// The packages the update names (the packages themselves, or the parents that move them).
    pub packages: Vec<String>,
    /// Each fixed copy, `name installed -> patched`.
    pub fixes: Vec<String>,
}

/// The lockfile refreshes the run's advisories plan, per lockfile. `--write --lockfile` runs them
/// ([`refresh_advised`]); the summary, next steps and pull-request body count them as planned changes of the lockfile.
pub fn planned_refreshes(result: &RunResult) -> std::collections::BTreeMap<PathBuf, PlannedRefresh> {
    let mut wanted: std::collections::BTreeMap<PathBuf, PlannedRefresh> = Default::default();
    for a in result.advisories.iter() {
        // The package itself, or the parents that move it (whose specs admit a release that depends on a fixed one).
        let moved = match a.fix.kind {
            crate::advisories::FixKind::LockfileRefresh if a.moves.is_empty() => std::slice::from_ref(&a.package),
            _ => a.moves.as_slice(),
        };
        if moved.is_empty() {
            continue;
        }
        let planned = wanted.entry(a.lockfile.clone()).or_default();
        for package in moved {
            if !planned.packages.contains(package) {
                planned.packages.push(package.clone());
            }
        }
        if a.fix.kind == crate::advisories::FixKind::LockfileRefresh {
            // One line per copy, with the highest version its advisories need (the one the refresh brings it to):
            // `tar-fs 2.1.1 -> 2.1.3`, not that and `tar-fs 2.1.1 -> 2.1.2` too.
            let patched = a.patched.as_deref().unwrap_or("?");
            let copy = format!("{} {} -> ", a.package, a.installed);
            match planned.fixes.iter_mut().find(|f| f.starts_with(&copy)) {
                Some(fix) => {
                    let version = |v: &str| nodejs_semver::Version::parse(v).ok();
                    if version(patched) > version(&fix[copy.len()..]) {
                        *fix = format!("{copy}{patched}");
                    }
                }
                None => planned.fixes.push(format!("{copy}{patched}")),
            }
        }
    }
    wanted
}

/// The planned lockfile refreshes ([`planned_refreshes`]) that fix an advisory's copy and that this run did not apply
/// (a dry run, --check, --write without --lockfile).
pub fn pending_refreshes(result: &RunResult) -> Vec<(PathBuf, PlannedRefresh)> {
    planned_refreshes(result)
        .into_iter()
        .filter(|(lockfile, planned)| !result.updated_lockfiles.contains(lockfile) && !planned.fixes.is_empty())
        .collect()
}

/// Runs the lockfile refreshes the run's advisories plan ([`planned_refreshes`]), after the written manifests'
/// lockfiles are updated: each lockfile once, with its packages. Failures become errors.
pub fn refresh_advised(result: &mut RunResult, pass: &[OsString]) -> Vec<String> {
    let wanted = planned_refreshes(result);
    let mut lines = Vec::new();
    // A lockfile whose project has an error of this run (a file under its folder: a lockfile that could not be
    // updated or read, a source file not handled) is not refreshed; the other lockfiles of the run are (a React front
    // end's beside a server whose lockfile is ambiguous).
    let blocked: Vec<PathBuf> = wanted
        .keys()
        .filter(|lockfile| {
            let folder = lockfile.parent().unwrap_or(Path::new(""));
            result.errors.iter().any(|e| e.path.starts_with(folder))
        })
        .cloned()
        .collect();
    for (path, PlannedRefresh { packages, .. }) in wanted {
        if blocked.contains(&path) {
            continue;
        }
        let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        let Some(lock) = crate::lockfile::find(dir, result.root.as_deref()).filter(|l| l.path == path) else {
            continue;
        };
        let others = Others::before(&lock);
        match crate::lockfile::refresh(&lock, &packages, pass) {
            Some(Ok(summary)) => {
                lines.push(format!(
                    "refreshed {} for {} ({summary})",
                    crate::root::display_path(&lock.path),
                    packages.join(", ")
                ));
                if !result.updated_lockfiles.contains(&lock.path) {
                    result.updated_lockfiles.push(lock.path.clone());
                }
                others.after(&mut result.updated_lockfiles, &mut lines);
            }
            Some(Err(message)) => {
                let RunResult { advisories, findings, .. } = &mut *result;
                for a in advisories.iter_mut().filter(|a| a.lockfile == path) {
                    let reporting: Vec<usize> = (0..findings.len())
                        .filter(|&i| {
                            a.reported_by(&findings[i].rule, &findings[i].path, findings[i].line, &findings[i].message)
                        })
                        .collect();
                    if a.refresh_failed() {
                        for i in reporting {
                            findings[i].message = a.message.clone();
                        }
                    }
                }
                result.errors.push(FileError::new(&lock.path, ErrorKind::Lockfile, message));
            }
            None => {}
        }
    }
    lines
}

/// The other lockfiles of a lockfile's folder, as they were before its package manager ran: npm also rewrites a
/// yarn.lock it finds (one git ignores, of an npm project). What it changed is reported and listed with the updated
/// lockfiles (`--written-list`), as every file the run changes is.
struct Others(Vec<(PathBuf, Vec<u8>)>);

impl Others {
    fn before(lock: &crate::lockfile::Lockfile) -> Others {
        let names = ["package-lock.json", "npm-shrinkwrap.json", "pnpm-lock.yaml", "yarn.lock"];
        let paths = names.iter().map(|name| lock.dir.join(name)).filter(|path| *path != lock.path);
        Others(paths.filter_map(|path| Some((path.clone(), std::fs::read(&path).ok()?))).collect())
    }

    fn after(self, updated: &mut Vec<PathBuf>, lines: &mut Vec<String>) {
        for (path, before) in self.0 {
            if std::fs::read(&path).ok().is_some_and(|after| after != before) && !updated.contains(&path) {
                lines.push(format!(
                    "updated {} (rewritten by the package manager too)",
                    crate::root::display_path(&path)
                ));
                updated.push(path);
            }
        }
    }
}

/// The manifests whose lockfile the run could not read (`advisories/unreadable-lockfile`: an npm 2 or 3
/// npm-shrinkwrap.json, with no lockfileVersion) and that `--lockfile` has since rewritten ([`update_written`]): their
/// packages are checked against the advisories only now, in the same run ([`merge_recheck`]), so that a second run
/// does not find them (and change package.json) then.
pub fn unread_then_updated(result: &RunResult) -> Vec<PathBuf> {
    let mut manifests: Vec<PathBuf> = Vec::new();
    for finding in result.findings.iter().filter(|f| f.rule == "advisories/unreadable-lockfile") {
        let dir = finding.path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        let updated = crate::lockfile::find(dir, result.root.as_deref())
            .is_some_and(|lock| result.updated_lockfiles.contains(&lock.path));
        if updated && !manifests.contains(&finding.path) {
            manifests.push(finding.path.clone());
        }
    }
    manifests
}

/// Takes into `result` what the advisories found in the rewritten lockfiles of `manifests` ([`unread_then_updated`]),
/// from `recheck`, a run planned after the write: its advisories and their findings replace the manifests' finding
/// that the lockfile could not be read, and its changes of the manifests that were written (`written`, all made by
/// the advisories transform) follow the first write's, in one change per file.
pub fn merge_recheck(result: &mut RunResult, recheck: RunResult, manifests: &[PathBuf], written: &[PathBuf]) {
    let ours = |path: &Path| manifests.iter().any(|m| m == path);
    let advising: Vec<&'static str> = result
        .findings
        .iter()
        .filter(|f| f.rule == "advisories/unreadable-lockfile" && ours(&f.path))
        .map(|f| f.transform)
        .collect();
    result.findings.retain(|f| !(advising.contains(&f.transform) && ours(&f.path)));
    let found = recheck.findings.into_iter().filter(|f| advising.contains(&f.transform) && ours(&f.path));
    result.findings.extend(found);
    result.findings.sort_by(|a, b| (&a.path, a.line, a.column, &a.rule).cmp(&(&b.path, b.line, b.column, &b.rule)));
    result.advisories.retain(|a| !ours(&a.manifest));
    result.advisories.extend(recheck.advisories.into_iter().filter(|a| ours(&a.manifest)));
    for change in recheck.changes.into_iter().filter(|c| written.contains(&c.path)) {
        match result.changes.iter_mut().find(|c| c.path == change.path) {
            Some(first) => *first = crate::pipeline::followed_by(first, &change),
            None => result.changes.push(change),
        }
    }
    result.changes.sort_by(|a, b| (a.is_manifest, &a.path).cmp(&(b.is_manifest, &b.path)));
    result.dependencies.extend(recheck.dependencies.into_iter().filter(|d| written.contains(&d.manifest)));
    for error in recheck.errors {
        if !result.errors.contains(&error) {
            result.errors.push(error);
        }
    }
    for lockfile in recheck.updated_lockfiles {
        if !result.updated_lockfiles.contains(&lockfile) {
            result.updated_lockfiles.push(lockfile);
        }
    }
    result.next_steps = crate::pipeline::next_steps(result);
}
