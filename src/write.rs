//! Writing the changes of `--write` (and of an accepted `--interactive` review).
//!
//! **What is written where.** Only the files the run changes (sources and package.json files), each replaced in its
//! own folder, plus, for each, a short-lived temporary file in that same folder. Nothing is written elsewhere, and
//! nothing outside the project: the project is the git work tree of the current folder (else the current folder); a
//! path given outside it, or found above it (the package.json of a workspace), counts as its own folder's project.
//!
//! **Temporary files and renames.** Each new text first goes to `.express-harden-<pid>-<random>.tmp` beside its
//! target (tempfile: six random letters and digits, created with O_EXCL, so a link planted in the folder is never
//! followed), gets the old file's permissions (and owner, below), and is synced to disk. Only when every target has
//! its temporary file ready are they renamed over the targets, so readers see the old file or the new one, never half
//! of it, and a failure while preparing (a file changed on disk since it was read, a full disk, an owner that cannot
//! be kept) deletes the temporary files and writes nothing. A rename itself failing halfway is the one failure that
//! can leave part of a change written; it is reported per file.
//!
//! **Symbolic links.** A file that is (or lies under) a symbolic link whose target is inside the project is written
//! through: the target gets the new text and the link stays a link; the run then names the target (the file that
//! changed) in everything it prints after the write, and says which link led there. A link whose target is outside
//! the project (a repository can commit `package.json -> /home/you/.bashrc`) is refused. Two changed paths that lead
//! to the same file are refused.
//!
//! **Hard links.** A file with more than one hard link is refused: a rename would break the link, and writing in
//! place would change the other names too.
//!
//! **Read-only files** (no write bit for the owner) are left alone, with a message, even for root, who could write
//! them.
//!
//! **Other owners.** A user other than root may not rewrite another user's file (the new file would belong to the
//! user), nor a file whose group the user cannot give (not one of the user's groups, and not inherited from a
//! set-group-ID folder). Both are refused before anything is written.
//!
//! **Ownership as root.** Run as root, the new file is given the old one's owner and group (then its mode, set-ID
//! bits included), so that files stay their users'. Should the system still refuse that (an id not mapped in a user
//! namespace), the write stops in the preparing step, with nothing written.
//!
//! **Whole-write refusal.** One file that must not be written refuses the whole write, exactly as uncommitted changes
//! do: half of a change (the code without its package.json entry) leaves an app that does not start. Every check (the
//! links, hard links, read-only, owner and group, uncommitted changes) runs for every file before any is written, and
//! each refused file gets an error with its reason.
//!
//! **Uncommitted changes.** Unless `--allow-dirty`, a file git reports as modified, staged or untracked is refused
//! (as `cargo fix` does). A file counts as outside git only when git says "not a git repository" (or, git not being
//! installed, there is no `.git` in its folder or above); when git fails otherwise (a repository another user owns,
//! a corrupt index) the write is refused with git's reason and a hint (`git config --global --add safe.directory
//! PATH`, or `--allow-dirty`, which skips the check and git altogether). git runs with none of the repository's
//! programs (no fsmonitor, no hooks, no pager), found by absolute path only.
//!
//! **Stale temporary files.** A run killed while writing leaves its temporary file behind. Before writing, a run
//! removes such files, only in the folders it writes to (a leftover elsewhere stays until a run writes there), and
//! only when all of these hold: the name is this version's pattern exactly (older versions' `.<file>.express-harden-
//! <pid>.tmp` is never removed: anyone can give a file that name), it is a regular file (not a link), it is empty
//! and older than a minute or older than ten minutes (a running writer's file is younger; the process id in the name
//! is not consulted, since it means nothing across containers), and git does not track it (when git fails, nothing in
//! that repository is removed). Each removed file is named in a note.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

pub use crate::atomic::write_atomic;
use crate::atomic::{is_temp_file_name, prepare};
use crate::child;
use crate::discover::display_path;
use crate::outcome::{ErrorKind, FileError, RunResult};

/// The error recorded for each file that a `--write` refused to touch.
const DIRTY: &str = "has uncommitted changes in git; nothing was written (commit or stash, or pass --allow-dirty)";

/// A temporary file of this tool is taken for stale (its writer was killed) when it is this old...
const STALE_AFTER: Duration = Duration::from_secs(10 * 60);

/// ... or when it is empty (nothing in it to lose) and this old: a running writer fills its file within this time.
const EMPTY_STALE_AFTER: Duration = Duration::from_secs(60);

/// What a write did besides writing: notes for the user.
#[derive(Debug, Default)]
pub struct Written {
    /// The files written (the change's path; for a file written through a link, the target).
    pub paths: Vec<PathBuf>,
    /// Lines to show the user: links written through, stale temporary files removed.
    pub notes: Vec<String>,
}

/// Records an error for each changed file that must not be written: uncommitted changes in git, or git unable to
/// tell (both unless `allow_dirty`), or a file that cannot be written safely (a link out of the project, hard links,
/// read-only, someone else's, a group the user cannot give). Whether there was one.
pub fn refuse(result: &mut RunResult, allow_dirty: bool) -> bool {
    let root = project_root(result);
    targets(result, allow_dirty, root.as_deref()).is_none()
}

/// Writes every change, or nothing when some target has uncommitted changes (unless allowed) or cannot be written
/// safely: writing half of a change (the code without its package.json entry) would leave an app that does not start.
///
/// In two steps, so that what can fail fails before anything is visible: first every new text goes to a temporary
/// file beside its target (content, owner, permissions, synced); only when all are ready are they renamed over the
/// targets. A failure in the first step (a file changed on disk since it was read, a full disk, an owner that cannot
/// be kept) deletes the temporary files and writes nothing.
pub fn write_changes(result: &mut RunResult, allow_dirty: bool) -> Written {
    let mut written = Written::default();
    let root = project_root(result);
    let Some(targets) = targets(result, allow_dirty, root.as_deref()) else { return written };
    let folders: BTreeSet<PathBuf> = targets.iter().filter_map(|t| t.parent().map(Path::to_path_buf)).collect();
    for removed in remove_stale_temp_files(&folders) {
        written.notes.push(format!("removed {}, a temporary file left by an interrupted run", display_path(&removed)));
    }
    let mut prepared = Vec::new();
    let mut failed = Vec::new();
    for (change, target) in result.changes.iter().zip(&targets) {
        if change.created {
            // A new file: nothing may be at its path (it is created only if nothing is there when it is renamed).
            let made = match std::fs::symlink_metadata(target) {
                Ok(_) => Err(FileError::new(
                    &change.path,
                    ErrorKind::ChangedOnDisk,
                    "was created on disk while express-harden ran (it would have made it); nothing was written, run again",
                )),
                Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                    crate::atomic::prepare_new(target, &change.updated()).map_err(|err| {
                        FileError::new(
                            &change.path,
                            ErrorKind::WriteFailed,
                            format!("could not be created: {err}; nothing was written"),
                        )
                    })
                }
                Err(err) => Err(FileError::new(
                    &change.path,
                    ErrorKind::Unreadable,
                    format!("cannot be checked: {err}; nothing was written"),
                )),
            };
            match made {
                Ok(tmp) => prepared.push(tmp),
                Err(error) => failed.push(error),
            }
            continue;
        }
        // Guard against a file edited between planning and writing: never overwrite what we did not read.
        match std::fs::read_to_string(target) {
            Ok(now) if now == change.original() => {}
            Ok(_) => {
                failed.push(FileError::new(
                    &change.path,
                    ErrorKind::ChangedOnDisk,
                    "changed on disk while express-harden ran; nothing was written, run again",
                ));
                continue;
            }
            Err(err) => {
                failed.push(FileError::new(
                    &change.path,
                    ErrorKind::Unreadable,
                    format!("cannot be read: {err}; nothing was written"),
                ));
                continue;
            }
        }
        match prepare(target, &change.updated()) {
            Ok(tmp) => prepared.push(tmp),
            Err(err) => failed.push(FileError::new(
                &change.path,
                ErrorKind::WriteFailed,
                format!("could not be written: {err}; nothing was written"),
            )),
        }
    }
    if !failed.is_empty() {
        // Dropping the prepared temporary files deletes them.
        drop(prepared);
        result.errors.extend(failed);
        return written;
    }
    for (index, (tmp, target)) in prepared.into_iter().zip(targets).enumerate() {
        let persisted =
            if result.changes[index].created { tmp.persist_noclobber(&target) } else { tmp.persist(&target) };
        if let Err(err) = persisted {
            result.errors.push(FileError::new(
                &result.changes[index].path,
                ErrorKind::WriteFailed,
                format!("could not be written: {}", err.error),
            ));
            continue;
        }
        let shown = display_path(&result.changes[index].path);
        if display_path(&target) != shown {
            written.notes.push(format!(
                "{shown} is a symbolic link (or lies under one): its target {} was written",
                display_path(&target)
            ));
            rename(result, index, &target);
        }
        written.paths.push(result.changes[index].path.clone());
    }
    written
}

/// From here on, the run names the file at `index` by `to` (the target its link led to), in its changes,
/// dependencies, findings and errors alike.
fn rename(result: &mut RunResult, index: usize, to: &Path) {
    let from = std::mem::replace(&mut result.changes[index].path, to.to_path_buf());
    for dependency in result.dependencies.iter_mut().filter(|d| d.manifest == from) {
        dependency.manifest = to.to_path_buf();
    }
    for finding in result.findings.iter_mut().filter(|f| f.path == from) {
        finding.path = to.to_path_buf();
    }
    for error in result.errors.iter_mut().filter(|e| e.path == from) {
        error.path = to.to_path_buf();
    }
}

/// The file each change is to be written to (its path with every link resolved), in the order of the changes; or
/// `None` after recording an error for each change that must not be written.
fn targets(result: &mut RunResult, allow_dirty: bool, root: Option<&Path>) -> Option<Vec<PathBuf>> {
    let mut targets = Vec::new();
    let mut refused = Vec::new();
    let mut seen: HashMap<PathBuf, PathBuf> = HashMap::new();
    for change in &result.changes {
        let resolved = if change.created { resolve_new(&change.path, root) } else { resolve(&change.path, root) };
        match resolved {
            Ok(target) => {
                if let Some(first) = seen.get(&target) {
                    refused.push(FileError::new(
                        &change.path,
                        ErrorKind::Unsafe,
                        format!(
                            "is the same file as {} (through a link), which this run also changes; nothing was written",
                            display_path(first)
                        ),
                    ));
                }
                seen.entry(target.clone()).or_insert_with(|| change.path.clone());
                targets.push(target);
            }
            Err(message) => {
                refused.push(FileError::new(&change.path, ErrorKind::Unsafe, message));
                targets.push(change.path.clone());
            }
        }
    }
    if !allow_dirty {
        let dirty: HashMap<PathBuf, Dirt> = dirty_files(&targets).into_iter().collect();
        for (change, target) in result.changes.iter().zip(&targets) {
            match dirty.get(target) {
                None => {}
                Some(Dirt::Uncommitted) => refused.push(FileError::new(&change.path, ErrorKind::Dirty, DIRTY)),
                Some(Dirt::Unknown(reason)) => refused.push(FileError::new(
                    &change.path,
                    ErrorKind::Unsafe,
                    format!("cannot be checked for uncommitted changes: {reason}; nothing was written"),
                )),
            }
        }
    }
    if refused.is_empty() {
        return Some(targets);
    }
    refused.sort_by(|a, b| a.path.cmp(&b.path));
    result.errors.extend(refused);
    None
}

/// The project root the writes are confined to: the run's own ([`RunResult::root`], which the reading side was
/// confined to), else that of the current folder ([`crate::root::project_root`]: a library caller's run).
fn project_root(result: &RunResult) -> Option<PathBuf> {
    result.root.clone().or_else(|| std::env::current_dir().ok().map(|cwd| crate::root::project_root(&cwd)))
}

/// The file to write for `path`: `path` itself, or, when it is (or lies under) a symbolic link, the link's target,
/// provided that it is inside the project. Errors say why the file must not be written.
///
/// The project is `root` when `path` lies in it; a path given outside it (or found above it, as the package.json of
/// a workspace) has its own folder as its project.
fn resolve(path: &Path, root: Option<&Path>) -> Result<PathBuf, String> {
    let lexical = crate::root::normalize(&std::path::absolute(path).map_err(|err| format!("cannot be read: {err}"))?);
    let target = path.canonicalize().map_err(|err| format!("cannot be read: {err}"))?;
    let project = match root {
        Some(root) if lexical.starts_with(root) => root.to_path_buf(),
        _ => lexical.parent().and_then(|p| p.canonicalize().ok()).unwrap_or_else(|| target.clone()),
    };
    if !target.starts_with(&project) {
        return Err(format!(
            "is a symbolic link (or lies under one) to {}, outside the project ({}); links are written through only \
             inside the project; nothing was written",
            target.display(),
            project.display()
        ));
    }
    let meta = std::fs::metadata(&target).map_err(|err| format!("cannot be read: {err}"))?;
    if !meta.is_file() {
        return Err("is not a regular file; nothing was written".to_string());
    }
    let folder = target.parent().and_then(|p| std::fs::metadata(p).ok());
    check_metadata(&meta, folder.as_ref())?;
    Ok(target)
}

/// The file to create for `path`, a new file ([`crate::outcome::FileChange::created`]): its folder with every link resolved, which must
/// be inside the project (as for [`resolve`]), and nothing at its path.
fn resolve_new(path: &Path, root: Option<&Path>) -> Result<PathBuf, String> {
    let lexical =
        crate::root::normalize(&std::path::absolute(path).map_err(|err| format!("cannot be created: {err}"))?);
    let (Some(folder), Some(name)) = (lexical.parent(), lexical.file_name()) else {
        return Err("is not a file's path; nothing was written".to_string());
    };
    let folder = folder.canonicalize().map_err(|err| format!("cannot be created: its folder: {err}"))?;
    let project = match root {
        Some(root) if lexical.starts_with(root) => root.to_path_buf(),
        _ => folder.clone(),
    };
    if !folder.starts_with(&project) {
        return Err(format!(
            "lies under a symbolic link to {}, outside the project ({}); nothing was written",
            folder.display(),
            project.display()
        ));
    }
    let target = folder.join(name);
    if std::fs::symlink_metadata(&target).is_ok() {
        return Err("exists, though the run found nothing there to change; nothing was written, run again".to_string());
    }
    Ok(target)
}

/// Hard links, permissions, owner and group: what a rename would silently change, or what could not be kept. Checked
/// for every file before any is written, so that none of this fails halfway through a write. `folder` is the
/// file's folder (where the new file is created).
#[cfg(unix)]
fn check_metadata(meta: &std::fs::Metadata, folder: Option<&std::fs::Metadata>) -> Result<(), String> {
    use std::os::unix::fs::MetadataExt;
    if meta.nlink() > 1 {
        return Err(format!(
            "has {} hard links: a new file would break them, and writing in place would change the other names too; \
             nothing was written",
            meta.nlink()
        ));
    }
    if meta.mode() & 0o200 == 0 {
        return Err("is read-only (its owner may not write it); left alone, and nothing was written".to_string());
    }
    // SAFETY: geteuid has no preconditions and cannot fail.
    let me = unsafe { libc::geteuid() };
    if me != 0 && meta.uid() != me {
        return Err(format!(
            "belongs to another user (uid {}): a new file would belong to you; nothing was written",
            meta.uid()
        ));
    }
    // SAFETY: getegid has no preconditions and cannot fail.
    let my_group = unsafe { libc::getegid() };
    let inherited = folder.filter(|f| f.mode() & 0o2000 != 0).map(MetadataExt::gid);
    if !may_give_group(meta.gid(), me, my_group, &supplementary_groups(), inherited) {
        return Err(format!(
            "belongs to group {}, which you are not in: a new file would belong to another group; nothing was written",
            meta.gid()
        ));
    }
    Ok(())
}

/// Whether a new file created by the user `me` (in the group `my_group` and the `groups`) can be given the group
/// `gid`: root can give any; others only their own groups, unless the folder is set-group-ID with that group
/// (`inherited`), in which case the new file has it from the start.
#[cfg(unix)]
fn may_give_group(gid: u32, me: u32, my_group: u32, groups: &[u32], inherited: Option<u32>) -> bool {
    me == 0 || gid == my_group || groups.contains(&gid) || inherited == Some(gid)
}

/// The supplementary groups of this process.
#[cfg(unix)]
fn supplementary_groups() -> Vec<u32> {
    // SAFETY: with a size of 0, getgroups only counts the groups.
    let count = unsafe { libc::getgroups(0, std::ptr::null_mut()) };
    let Ok(len) = usize::try_from(count) else { return Vec::new() };
    let mut groups: Vec<libc::gid_t> = vec![0; len];
    // SAFETY: the buffer holds `count` entries.
    let got = unsafe { libc::getgroups(count, groups.as_mut_ptr()) };
    groups.truncate(usize::try_from(got).unwrap_or(0));
    groups
}

#[cfg(not(unix))]
fn check_metadata(meta: &std::fs::Metadata, _folder: Option<&std::fs::Metadata>) -> Result<(), String> {
    if meta.permissions().readonly() {
        return Err("is read-only; left alone, and nothing was written".to_string());
    }
    Ok(())
}

/// Whether a temporary file of this size and age is surely not being written any more: empty and older than
/// [`EMPTY_STALE_AFTER`], or older than [`STALE_AFTER`]. (Whether the process in its name runs proves nothing: the
/// writer may run in another container, or its id may have been given to another process.)
fn is_stale(len: u64, age: Option<Duration>) -> bool {
    age.is_some_and(|age| age > STALE_AFTER || (len == 0 && age > EMPTY_STALE_AFTER))
}

/// Removes the temporary files an interrupted run of this tool left in `folders` (a SIGKILL during a write leaves
/// one): regular files (never links) named as this version names them ([`is_temp_file_name`]), stale
/// ([`is_stale`]), and not tracked by git (a repository can commit a file of that name; when git cannot tell, nothing
/// in that repository is removed). Returns what was removed.
fn remove_stale_temp_files(folders: &BTreeSet<PathBuf>) -> Vec<PathBuf> {
    let now = SystemTime::now();
    let mut candidates: Vec<PathBuf> = Vec::new();
    for folder in folders {
        let Ok(entries) = std::fs::read_dir(folder) else { continue };
        for entry in entries.flatten() {
            if !entry.file_name().to_str().is_some_and(is_temp_file_name) {
                continue;
            }
            let Ok(meta) = std::fs::symlink_metadata(entry.path()) else { continue };
            let age = meta.modified().ok().and_then(|m| now.duration_since(m).ok());
            if meta.file_type().is_file() && is_stale(meta.len(), age) {
                candidates.push(entry.path());
            }
        }
    }
    if candidates.is_empty() {
        return Vec::new();
    }
    let untracked = untracked(candidates);
    let mut removed: Vec<PathBuf> = untracked.into_iter().filter(|path| std::fs::remove_file(path).is_ok()).collect();
    removed.sort();
    removed
}

/// Of `paths`, those git surely does not track: outside any work tree, or not in its index (one `git ls-files` per
/// work tree). When git fails, none of that work tree's paths.
fn untracked(paths: Vec<PathBuf>) -> Vec<PathBuf> {
    let mut roots: HashMap<PathBuf, Result<Option<PathBuf>, String>> = HashMap::new();
    let mut by_root: HashMap<PathBuf, Vec<PathBuf>> = HashMap::new();
    let mut out = Vec::new();
    for path in paths {
        let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        match roots.entry(dir.clone()).or_insert_with(|| git_root(&dir)) {
            Ok(None) => out.push(path),
            Ok(Some(root)) => by_root.entry(root.clone()).or_default().push(path),
            Err(_) => {}
        }
    }
    for (root, paths) in by_root {
        let relative: Vec<&Path> = paths.iter().filter_map(|p| p.strip_prefix(&root).ok()).collect();
        let args =
            ["ls-files", "-z", "--"].iter().map(std::ffi::OsStr::new).chain(relative.iter().map(|p| p.as_os_str()));
        let Ok(listed) = git_in(&root, args) else { continue };
        if !listed.status.success() {
            continue;
        }
        let tracked: BTreeSet<PathBuf> = nul_separated(&listed.stdout).map(PathBuf::from).collect();
        out.extend(paths.into_iter().filter(|p| p.strip_prefix(&root).is_ok_and(|r| !tracked.contains(r))));
    }
    out
}

/// Why the dirty check keeps a file from being written.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Dirt {
    /// git reports the file as modified, staged or untracked.
    Uncommitted,
    /// git could not tell: the reason, with what the user can do.
    Unknown(String),
}

/// Of `paths`, those that git reports as modified, staged or untracked (uncommitted work the user could lose), and
/// those git could not answer for (it failed: a repository another user owns, a corrupt index, git missing while a
/// `.git` is there): both must not be written. Only files outside any git work tree (git says so, or, without git,
/// no `.git` above them) are clean without asking.
pub fn dirty_files(paths: &[PathBuf]) -> Vec<(PathBuf, Dirt)> {
    let mut roots: HashMap<PathBuf, Result<Option<PathBuf>, String>> = HashMap::new();
    let mut by_root: HashMap<PathBuf, Vec<PathBuf>> = HashMap::new();
    let mut dirty = Vec::new();
    for path in paths {
        let Ok(absolute) = std::path::absolute(path) else { continue };
        let dir = absolute.parent().map(Path::to_path_buf).unwrap_or_default();
        match roots.entry(dir.clone()).or_insert_with(|| git_root(&dir)) {
            Ok(None) => {}
            Ok(Some(root)) => by_root.entry(root.clone()).or_default().push(path.clone()),
            Err(reason) => dirty.push((path.clone(), Dirt::Unknown(reason.clone()))),
        }
    }
    for (root, files) in by_root {
        let status = match git_status(&root) {
            Ok(status) => status,
            Err(reason) => {
                dirty.extend(files.into_iter().map(|f| (f, Dirt::Unknown(reason.clone()))));
                continue;
            }
        };
        for file in files {
            let Ok(absolute) = std::path::absolute(&file) else { continue };
            let canonical = absolute
                .parent()
                .and_then(|p| p.canonicalize().ok())
                .map(|p| p.join(absolute.file_name().unwrap_or_default()))
                .unwrap_or(absolute);
            if let Ok(relative) = canonical.strip_prefix(&root) {
                if status.contains(relative) {
                    dirty.push((file, Dirt::Uncommitted));
                }
            }
        }
    }
    dirty.sort();
    dirty
}

/// Runs git in `dir` with `args` ([`child::git`]: none of the repository's programs run), with pathspecs taken
/// literally and git's messages in English (they are matched below). `NotFound` when git is not in an absolute folder
/// of PATH: the command would otherwise name plain `git`, which a relative PATH entry (`.`) resolves to the
/// repository's own program.
fn git_in<I, S>(dir: &Path, args: I) -> std::io::Result<std::process::Output>
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    let mut command = child::git().map_err(|err| std::io::Error::new(std::io::ErrorKind::NotFound, err))?;
    command.env("LC_ALL", "C").env_remove("LANGUAGE").arg("--literal-pathspecs").arg("-C").arg(dir).args(args);
    command.output()
}

/// The root of the git work tree `dir` is in; `Ok(None)` only when it is in none: git says "not a git repository",
/// or git cannot be run and there is no `.git` in `dir` or above. Any other failure (git refusing a repository that
/// another user owns, a broken `.git`) is an error: the reason, and what the user can do.
fn git_root(dir: &Path) -> Result<Option<PathBuf>, String> {
    let out = match git_in(dir, ["rev-parse", "--show-toplevel"]) {
        Ok(out) => out,
        Err(err) => {
            return match dir.ancestors().find(|d| std::fs::symlink_metadata(d.join(".git")).is_ok()) {
                None => Ok(None),
                Some(repo) => Err(format!(
                    "git could not be run ({err}) in the git work tree {}; install git, or pass --allow-dirty to \
                     skip the check",
                    repo.display()
                )),
            };
        }
    };
    let stderr = String::from_utf8_lossy(&out.stderr);
    if out.status.success() {
        let root = String::from_utf8_lossy(&out.stdout);
        return PathBuf::from(root.trim_end_matches(['\n', '\r']))
            .canonicalize()
            .map(Some)
            .map_err(|err| format!("git named {} as the work tree, which cannot be read: {err}", root.trim()));
    }
    if out.status.code() == Some(128) && stderr.contains("not a git repository") {
        return Ok(None);
    }
    Err(git_failure(dir, &stderr, out.status))
}

/// The reason git failed in `dir` (its `fatal:` and `error:` lines) and what the user can do.
fn git_failure(dir: &Path, stderr: &str, status: std::process::ExitStatus) -> String {
    let lines: Vec<&str> =
        stderr.lines().map(str::trim).filter(|l| l.starts_with("fatal:") || l.starts_with("error:")).collect();
    let reason = if !lines.is_empty() {
        lines.join("; ")
    } else {
        stderr.lines().map(str::trim).find(|l| !l.is_empty()).map_or_else(|| status.to_string(), str::to_string)
    };
    let hint = if stderr.contains("safe.directory") || stderr.contains("dubious ownership") {
        let repo = stderr
            .split_once("repository at '")
            .and_then(|(_, rest)| rest.split_once('\''))
            .map_or_else(|| dir.display().to_string(), |(path, _)| path.to_string());
        format!(
            "if you trust this repository, run `git config --global --add safe.directory {repo}`, or pass \
                 --allow-dirty to skip the check"
        )
    } else {
        "fix the repository, or pass --allow-dirty to skip the check".to_string()
    };
    format!("git failed ({reason}); {hint}")
}

/// Paths (relative to the work tree root) with any change git knows of; an error when git fails.
fn git_status(root: &Path) -> Result<BTreeSet<PathBuf>, String> {
    let out = git_in(root, ["status", "--porcelain=v1", "-z", "--untracked-files=all"])
        .map_err(|err| format!("git could not be run ({err}); install git, or pass --allow-dirty to skip the check"))?;
    if !out.status.success() {
        return Err(git_failure(root, &String::from_utf8_lossy(&out.stderr), out.status));
    }
    let mut paths = BTreeSet::new();
    let mut entries = nul_separated(&out.stdout);
    while let Some(entry) = entries.next() {
        if entry.len() < 4 {
            continue;
        }
        let status = &entry.as_bytes()[..2];
        paths.insert(PathBuf::from(&entry[3..]));
        // A rename is followed by its source path.
        if status[0] == b'R' || status[0] == b'C' {
            if let Some(from) = entries.next() {
                paths.insert(PathBuf::from(from));
            }
        }
    }
    Ok(paths)
}

/// git's `-z` output: the NUL-terminated entries.
fn nul_separated(bytes: &[u8]) -> impl Iterator<Item = String> + '_ {
    bytes.split(|b| *b == 0).filter(|e| !e.is_empty()).map(|e| String::from_utf8_lossy(e).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn atomic_write_keeps_permissions_and_leaves_no_temp_file() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("run.js");
        std::fs::write(&path, "old").expect("write");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        write_atomic(&path, "new").expect("atomic write");
        assert_eq!(std::fs::read_to_string(&path).expect("read"), "new");
        let mode = std::fs::metadata(&path).expect("meta").permissions().mode() & 0o777;
        assert_eq!(mode, 0o755);
        let names: Vec<_> = std::fs::read_dir(dir.path()).expect("ls").map(|e| e.expect("entry").file_name()).collect();
        assert_eq!(names.len(), 1);
    }

    /// The name older versions used (`.<file>.express-harden-<pid>.tmp`, opened with `File::create`, which follows
    /// links) is predictable: a link planted there made `--write` overwrite and chmod any file.
    #[cfg(unix)]
    #[test]
    fn a_link_planted_at_the_old_temporary_name_is_not_followed() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("tempdir");
        let victim = dir.path().join("victim.txt");
        std::fs::write(&victim, "precious").expect("write");
        std::fs::set_permissions(&victim, std::fs::Permissions::from_mode(0o600)).expect("chmod");
        let project = dir.path().join("app");
        std::fs::create_dir(&project).expect("mkdir");
        let path = project.join("app.js");
        std::fs::write(&path, "old").expect("write");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        let planted = project.join(format!(".app.js.express-harden-{}.tmp", std::process::id()));
        std::os::unix::fs::symlink(&victim, &planted).expect("symlink");

        write_atomic(&path, "new").expect("atomic write");

        assert_eq!(std::fs::read_to_string(&path).expect("read"), "new");
        assert!(!std::fs::symlink_metadata(&path).expect("meta").file_type().is_symlink());
        assert_eq!(std::fs::read_to_string(&victim).expect("read"), "precious");
        assert_eq!(std::fs::metadata(&victim).expect("meta").permissions().mode() & 0o777, 0o600);
        assert!(std::fs::symlink_metadata(&planted).expect("the planted link is left").file_type().is_symlink());
    }

    #[test]
    fn temporary_file_names_are_recognised_exactly() {
        assert!(is_temp_file_name(".express-harden-123-aB3xYz.tmp"));
        for name in [
            // Older versions' name: anyone can give a file that name, so it proves nothing.
            ".app.js.express-harden-4567.tmp",
            ".express-harden-123-aB3.tmp",
            ".express-harden-123-aB3xYz1.tmp",
            ".express-harden-123-aB3-yz.tmp",
            ".express-harden--aB3xYz.tmp",
            ".express-harden-notes.tmp",
            ".express-harden-123-aB3xYz.tmp.bak",
            "express-harden-123-aB3xYz.tmp",
            ".express-harden-12a-aB3xYz.tmp",
            "app.js",
        ] {
            assert!(!is_temp_file_name(name), "{name}");
        }
    }

    /// The names this tool gives its temporary files are the names its cleanup recognises.
    #[test]
    fn the_cleanup_recognises_the_temporary_files_this_tool_makes() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("app.js");
        std::fs::write(&path, "old").expect("write");
        let tmp = prepare(&path, "new").expect("prepare");
        let name = tmp.file_name().expect("name").to_str().expect("UTF-8").to_string();
        assert!(is_temp_file_name(&name), "{name}");
    }

    #[test]
    fn only_empty_or_old_temporary_files_are_stale() {
        let secs = |s: u64| Some(Duration::from_secs(s));
        assert!(!is_stale(0, secs(0)), "an empty file just created may be a running writer's");
        assert!(!is_stale(0, secs(59)));
        assert!(is_stale(0, secs(61)));
        assert!(!is_stale(100, secs(61)), "a file with content may be a slow writer's");
        assert!(!is_stale(100, secs(599)));
        assert!(is_stale(100, secs(601)));
        assert!(!is_stale(0, None), "a file from the future (or of unknown age) is left alone");
    }

    #[cfg(unix)]
    #[test]
    fn stale_temporary_files_outside_git_are_removed_and_nothing_else() {
        let dir = tempfile::tempdir().expect("tempdir");
        let make = |name: &str, text: &str, age: Duration| {
            let path = dir.path().join(name);
            std::fs::write(&path, text).expect("write");
            std::fs::File::options()
                .write(true)
                .open(&path)
                .expect("open")
                .set_modified(SystemTime::now() - age)
                .expect("set mtime");
        };
        let hour = Duration::from_secs(3600);
        make(".express-harden-1-fresh1.tmp", "x", Duration::ZERO);
        make(".express-harden-1-empty1.tmp", "", Duration::ZERO);
        make(".express-harden-1-old123.tmp", "x", hour);
        make(".express-harden-1-empty2.tmp", "", Duration::from_secs(120));
        make(".app.js.express-harden-2.tmp", "", hour);
        make(".express-harden-notes.tmp", "", hour);
        make("app.js", "", hour);
        std::os::unix::fs::symlink(dir.path().join("app.js"), dir.path().join(".express-harden-1-linked.tmp"))
            .expect("symlink");

        let removed = remove_stale_temp_files(&[dir.path().canonicalize().expect("canonical")].into());

        let names: BTreeSet<String> =
            removed.iter().map(|p| p.file_name().expect("name").to_string_lossy().into_owned()).collect();
        let expected = [".express-harden-1-empty2.tmp", ".express-harden-1-old123.tmp"];
        assert_eq!(names, expected.into_iter().map(String::from).collect());
        let left: BTreeSet<String> = std::fs::read_dir(dir.path())
            .expect("ls")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        let expected = [
            ".app.js.express-harden-2.tmp",
            ".express-harden-1-empty1.tmp",
            ".express-harden-1-fresh1.tmp",
            ".express-harden-1-linked.tmp",
            ".express-harden-notes.tmp",
            "app.js",
        ];
        assert_eq!(left, expected.into_iter().map(String::from).collect());
    }

    #[cfg(unix)]
    #[test]
    fn the_group_check_allows_only_groups_the_user_can_give() {
        // Root can give any group.
        assert!(may_give_group(42, 0, 0, &[], None));
        // A user can give their own groups, primary or supplementary.
        assert!(may_give_group(100, 1000, 100, &[], None));
        assert!(may_give_group(27, 1000, 100, &[27, 44], None));
        // Not another group...
        assert!(!may_give_group(0, 1000, 100, &[27, 44], None));
        // ... unless the folder is set-group-ID with it: the new file has it from the start.
        assert!(may_give_group(0, 1000, 100, &[], Some(0)));
        assert!(!may_give_group(0, 1000, 100, &[], Some(5)));
    }

    #[test]
    fn files_outside_git_are_never_dirty() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("a.js");
        std::fs::write(&path, "x").expect("write");
        assert!(dirty_files(&[path]).is_empty());
    }

    #[test]
    fn only_not_a_git_repository_means_no_repository() {
        let dir = tempfile::tempdir().expect("tempdir");
        let status = std::process::Command::new("true").status().expect("true");
        // git's reason is kept; the hint names the repository git named.
        let dubious = "fatal: detected dubious ownership in repository at '/srv/app'\nTo add an exception for this \
                       directory, call:\n\n\tgit config --global --add safe.directory /srv/app\n";
        let message = git_failure(dir.path(), dubious, status);
        assert!(message.starts_with("git failed (fatal: detected dubious ownership in repository at '/srv/app')"));
        assert!(message.contains("`git config --global --add safe.directory /srv/app`"), "{message}");
        assert!(message.contains("--allow-dirty"), "{message}");
        let corrupt = git_failure(dir.path(), "error: bad signature 0x00000000\nfatal: index file corrupt\n", status);
        assert_eq!(
            corrupt,
            "git failed (error: bad signature 0x00000000; fatal: index file corrupt); fix the repository, or pass \
             --allow-dirty to skip the check"
        );
    }
}
