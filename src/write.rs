//! Writing: atomic (a temporary file in the same folder, then a rename), keeping permissions, owner and links, and
//! refusing files with uncommitted changes in a git work tree unless the user allows it (as `cargo fix` does).
//!
//! What is never done: writing through a planted link (temporary files get unpredictable names and are created with
//! O_EXCL, which never follows a link), writing outside the project through a symbolic link, breaking a hard link,
//! rewriting a read-only file, or handing someone else's file to the user who runs the tool. A file that cannot be
//! written safely stops the whole write, as uncommitted changes do: half of a change (the code without its
//! package.json entry) would leave an app that does not start.
//!
//! A symbolic link whose target is inside the project is written through: the target gets the new text and the link
//! stays a link. The run then names the target (the file that changed) in everything it prints after the write, and
//! says which link led there.

use std::collections::{BTreeSet, HashMap};
use std::io::Write as _;
use std::path::{Component, Path, PathBuf};
use std::time::{Duration, SystemTime};

use crate::child;
use crate::discover::display_path;
use crate::outcome::{ErrorKind, FileError, RunResult};

/// The error recorded for each file that a `--write` refused to touch.
const DIRTY: &str = "has uncommitted changes in git; nothing was written (commit or stash, or pass --allow-dirty)";

/// How the temporary files of this tool are named: `.express-harden-<pid>-<random>.tmp`.
const TEMP_PREFIX: &str = ".express-harden-";
const TEMP_SUFFIX: &str = ".tmp";

/// A temporary file of this tool whose writer may still be running is left alone until it is this old.
const STALE_AFTER: Duration = Duration::from_secs(60);

/// What a write did besides writing: notes for the user.
#[derive(Debug, Default)]
pub struct Written {
    /// The files written (the change's path; for a file written through a link, the target).
    pub paths: Vec<PathBuf>,
    /// Lines to show the user: links written through, stale temporary files removed.
    pub notes: Vec<String>,
}

/// Records an error for each changed file that must not be written: uncommitted changes in git (unless
/// `allow_dirty`), or a file that cannot be written safely (a link out of the project, hard links, read-only,
/// someone else's). Whether there was one.
pub fn refuse(result: &mut RunResult, allow_dirty: bool) -> bool {
    targets(result, allow_dirty, project_root().as_deref()).is_none()
}

/// Writes every change, or nothing when some target has uncommitted changes (unless allowed) or cannot be written
/// safely: writing half of a change (the code without its package.json entry) would leave an app that does not start.
pub fn write_changes(result: &mut RunResult, allow_dirty: bool) -> Written {
    let mut written = Written::default();
    let Some(targets) = targets(result, allow_dirty, project_root().as_deref()) else { return written };
    let folders: BTreeSet<PathBuf> = targets.iter().filter_map(|t| t.parent().map(Path::to_path_buf)).collect();
    for folder in folders {
        let removed = remove_stale_temp_files(&folder);
        if !removed.is_empty() {
            written.notes.push(format!(
                "removed {} temporary file{} left by an interrupted run in {}",
                removed.len(),
                if removed.len() == 1 { "" } else { "s" },
                display_path(&folder)
            ));
        }
    }
    for (index, target) in targets.into_iter().enumerate() {
        let change = &result.changes[index];
        // Guard against a file edited between planning and writing: never overwrite what we did not read.
        match std::fs::read_to_string(&target) {
            Ok(now) if now == change.original => {}
            Ok(_) => {
                result.errors.push(FileError::new(
                    &change.path,
                    ErrorKind::ChangedOnDisk,
                    "changed on disk while express-harden ran; not written, run again",
                ));
                continue;
            }
            Err(err) => {
                result.errors.push(FileError::new(
                    &change.path,
                    ErrorKind::Unreadable,
                    format!("cannot be read: {err}"),
                ));
                continue;
            }
        }
        if let Err(err) = write_atomic(&target, &change.updated) {
            result.errors.push(FileError::new(
                &change.path,
                ErrorKind::WriteFailed,
                format!("could not be written: {err}"),
            ));
            continue;
        }
        let shown = display_path(&change.path);
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
        match resolve(&change.path, root) {
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
        let dirty: BTreeSet<PathBuf> = dirty_files(&targets).into_iter().collect();
        for (change, target) in result.changes.iter().zip(&targets) {
            if dirty.contains(target) {
                refused.push(FileError::new(&change.path, ErrorKind::Dirty, DIRTY));
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

/// The project's root: the git work tree of the current folder, else the current folder.
///
/// (Computed here until the reading side provides the project root it uses.)
pub fn project_root() -> Option<PathBuf> {
    let cwd = std::env::current_dir().ok()?;
    git_root(&cwd).or_else(|| cwd.canonicalize().ok())
}

/// The file to write for `path`: `path` itself, or, when it is (or lies under) a symbolic link, the link's target,
/// provided that it is inside the project. Errors say why the file must not be written.
///
/// The project is `root` when `path` lies in it; a path given outside it (or found above it, as the package.json of
/// a workspace) has its own folder as its project.
fn resolve(path: &Path, root: Option<&Path>) -> Result<PathBuf, String> {
    let lexical = normalize(&std::path::absolute(path).map_err(|err| format!("cannot be read: {err}"))?);
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
    check_metadata(&meta)?;
    Ok(target)
}

/// Hard links, permissions and owner: what a rename would silently change.
#[cfg(unix)]
fn check_metadata(meta: &std::fs::Metadata) -> Result<(), String> {
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
    Ok(())
}

#[cfg(not(unix))]
fn check_metadata(meta: &std::fs::Metadata) -> Result<(), String> {
    if meta.permissions().readonly() {
        return Err("is read-only; left alone, and nothing was written".to_string());
    }
    Ok(())
}

/// `a/./b/../c` -> `a/c`, without looking at the file system.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// Replaces `path`'s content with `text` atomically: readers see the old file or the new one, never half of it. The
/// new file keeps the old one's permissions and, where the user may set them (as root), its owner and group.
///
/// The temporary file is created next to `path` with an unpredictable name and O_EXCL, so a link planted in the
/// folder is never followed; the rename replaces `path` itself (a link at `path` would be replaced, not followed:
/// callers resolve links first).
pub fn write_atomic(path: &Path, text: &str) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let meta = std::fs::metadata(path)?;
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!("{TEMP_PREFIX}{}-", std::process::id()))
        .suffix(TEMP_SUFFIX)
        .tempfile_in(&dir)?;
    tmp.write_all(text.as_bytes())?;
    keep_owner(tmp.as_file(), &meta)?;
    // After the owner: changing the owner clears the set-user-ID and set-group-ID bits.
    tmp.as_file().set_permissions(meta.permissions())?;
    tmp.as_file().sync_all()?;
    // On failure the temporary file is dropped, which deletes it.
    tmp.persist(path).map_err(|err| err.error)?;
    Ok(())
}

/// Gives the new file the old one's owner and group when they differ from the writer's.
#[cfg(unix)]
fn keep_owner(file: &std::fs::File, original: &std::fs::Metadata) -> std::io::Result<()> {
    use std::os::unix::fs::MetadataExt;
    let mine = file.metadata()?;
    if mine.uid() == original.uid() && mine.gid() == original.gid() {
        return Ok(());
    }
    std::os::unix::fs::fchown(file, Some(original.uid()), Some(original.gid())).map_err(|err| {
        std::io::Error::new(
            err.kind(),
            format!("its owner and group ({}:{}) could not be kept: {err}", original.uid(), original.gid()),
        )
    })
}

#[cfg(not(unix))]
fn keep_owner(_file: &std::fs::File, _original: &std::fs::Metadata) -> std::io::Result<()> {
    Ok(())
}

/// The process id in the name of one of this tool's temporary files: `.express-harden-<pid>-<random>.tmp`, or the
/// name older versions used, `.<file>.express-harden-<pid>.tmp`. `None` for any other name.
fn temp_file_pid(name: &str) -> Option<u32> {
    let stem = name.strip_suffix(TEMP_SUFFIX)?;
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if let Some(rest) = stem.strip_prefix(TEMP_PREFIX) {
        let (pid, random) = rest.split_once('-')?;
        return (digits(pid) && random.len() >= 6 && random.bytes().all(|b| b.is_ascii_alphanumeric()))
            .then(|| pid.parse().ok())?;
    }
    let (file, pid) = stem.rsplit_once(".express-harden-")?;
    (file.len() > 1 && file.starts_with('.') && digits(pid)).then(|| pid.parse().ok())?
}

/// Whether the process `pid` runs: `Some(false)` only when it provably does not.
#[cfg(unix)]
fn running(pid: u32) -> Option<bool> {
    let pid = libc::pid_t::try_from(pid).ok().filter(|p| *p > 0)?;
    if pid == libc::pid_t::try_from(std::process::id()).ok()? {
        // This run has not created any temporary file yet: one with its id is a previous process's.
        return Some(false);
    }
    // SAFETY: signal 0 checks only that the process exists; nothing is sent.
    if unsafe { libc::kill(pid, 0) } == 0 {
        return Some(true);
    }
    match std::io::Error::last_os_error().raw_os_error() {
        Some(libc::ESRCH) => Some(false),
        _ => Some(true),
    }
}

#[cfg(not(unix))]
fn running(_pid: u32) -> Option<bool> {
    None
}

/// Removes the temporary files an interrupted run of this tool left in `dir` (a SIGKILL during a write leaves one):
/// regular files (never links) named as this tool names them, whose writer no longer runs or that are older than a
/// minute. Returns what was removed.
pub fn remove_stale_temp_files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    let mut removed = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name.to_str().and_then(temp_file_pid) else { continue };
        let Ok(meta) = std::fs::symlink_metadata(entry.path()) else { continue };
        if !meta.file_type().is_file() {
            continue;
        }
        let old = meta
            .modified()
            .ok()
            .and_then(|m| SystemTime::now().duration_since(m).ok())
            .is_some_and(|age| age > STALE_AFTER);
        if (old || running(pid) == Some(false)) && std::fs::remove_file(entry.path()).is_ok() {
            removed.push(entry.path());
        }
    }
    removed.sort();
    removed
}

/// Of `paths`, those that git reports as modified, staged or untracked (uncommitted work the user could lose).
/// Files outside a git work tree, or when git is not installed, are never dirty.
pub fn dirty_files(paths: &[PathBuf]) -> Vec<PathBuf> {
    let mut roots: HashMap<PathBuf, Option<PathBuf>> = HashMap::new();
    let mut by_root: HashMap<PathBuf, Vec<PathBuf>> = HashMap::new();
    for path in paths {
        let Ok(absolute) = std::path::absolute(path) else { continue };
        let dir = absolute.parent().map(Path::to_path_buf).unwrap_or_default();
        let root = roots.entry(dir.clone()).or_insert_with(|| git_root(&dir)).clone();
        if let Some(root) = root {
            by_root.entry(root).or_default().push(path.clone());
        }
    }
    let mut dirty = Vec::new();
    for (root, files) in by_root {
        let status = git_status(&root);
        for file in files {
            let Ok(absolute) = std::path::absolute(&file) else { continue };
            let canonical = absolute
                .parent()
                .and_then(|p| p.canonicalize().ok())
                .map(|p| p.join(absolute.file_name().unwrap_or_default()))
                .unwrap_or(absolute);
            if let Ok(relative) = canonical.strip_prefix(&root) {
                if status.contains(relative) {
                    dirty.push(file);
                }
            }
        }
    }
    dirty.sort();
    dirty
}

fn git_root(dir: &Path) -> Option<PathBuf> {
    let out = child::git().ok()?.arg("-C").arg(dir).args(["rev-parse", "--show-toplevel"]).output().ok()?;
    if !out.status.success() {
        return None;
    }
    let root = String::from_utf8(out.stdout).ok()?;
    PathBuf::from(root.trim()).canonicalize().ok()
}

/// Paths (relative to the work tree root) with any change git knows of.
fn git_status(root: &Path) -> BTreeSet<PathBuf> {
    let Ok(out) = child::git().and_then(|mut git| {
        git.arg("-C").arg(root).args(["status", "--porcelain=v1", "-z", "--untracked-files=all"]);
        git.output().map_err(|err| err.to_string())
    }) else {
        return BTreeSet::new();
    };
    let mut paths = BTreeSet::new();
    let mut entries = out.stdout.split(|b| *b == 0);
    while let Some(entry) = entries.next() {
        if entry.len() < 4 {
            continue;
        }
        let status = &entry[..2];
        paths.insert(PathBuf::from(String::from_utf8_lossy(&entry[3..]).into_owned()));
        // A rename is followed by its source path.
        if status[0] == b'R' || status[0] == b'C' {
            if let Some(from) = entries.next() {
                paths.insert(PathBuf::from(String::from_utf8_lossy(from).into_owned()));
            }
        }
    }
    paths
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
        assert_eq!(temp_file_pid(".express-harden-123-aB3xYz.tmp"), Some(123));
        assert_eq!(temp_file_pid(".app.js.express-harden-4567.tmp"), Some(4567));
        for name in [
            ".express-harden-123-aB3.tmp",
            ".express-harden-notes.tmp",
            ".express-harden-123-aB3xYz.tmp.bak",
            "express-harden-123-aB3xYz.tmp",
            ".express-harden-12a-aB3xYz.tmp",
            ".app.js.express-harden-.tmp",
            "..express-harden-1.tmp",
            "app.js",
        ] {
            assert_eq!(temp_file_pid(name), None, "{name}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn stale_temporary_files_are_removed_and_nothing_else() {
        let dir = tempfile::tempdir().expect("tempdir");
        let make = |name: &str, age: Duration| {
            let path = dir.path().join(name);
            let file = std::fs::File::create(&path).expect("create");
            file.set_modified(SystemTime::now() - age).expect("set mtime");
        };
        // The test process runs: its fresh temporary file may be in use; an hour-old one is not.
        let live = std::os::unix::process::parent_id();
        make(&format!(".express-harden-{live}-fresh1.tmp"), Duration::ZERO);
        make(&format!(".express-harden-{live}-old123.tmp"), Duration::from_secs(3600));
        // No process has this id (above the kernel's largest): its files are stale, however young.
        make(".express-harden-2147483647-killed.tmp", Duration::ZERO);
        make(".app.js.express-harden-2147483646.tmp", Duration::ZERO);
        make(".express-harden-notes.tmp", Duration::from_secs(3600));
        make("app.js", Duration::from_secs(3600));
        std::os::unix::fs::symlink(dir.path().join("app.js"), dir.path().join(".express-harden-1-linked.tmp"))
            .expect("symlink");

        let removed = remove_stale_temp_files(dir.path());

        let names: BTreeSet<String> =
            removed.iter().map(|p| p.file_name().expect("name").to_string_lossy().into_owned()).collect();
        let expected = [
            ".app.js.express-harden-2147483646.tmp".to_string(),
            ".express-harden-2147483647-killed.tmp".to_string(),
            format!(".express-harden-{live}-old123.tmp"),
        ];
        assert_eq!(names, expected.into_iter().collect());
        let left: BTreeSet<String> = std::fs::read_dir(dir.path())
            .expect("ls")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        let expected = [
            ".express-harden-1-linked.tmp".to_string(),
            format!(".express-harden-{live}-fresh1.tmp"),
            ".express-harden-notes.tmp".to_string(),
            "app.js".to_string(),
        ];
        assert_eq!(left, expected.into_iter().collect());
    }

    #[test]
    fn files_outside_git_are_never_dirty() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("a.js");
        std::fs::write(&path, "x").expect("write");
        assert!(dirty_files(&[path]).is_empty());
    }
}
