//! Writing: atomic (a temporary file in the same folder, then a rename), keeping permissions, and refusing files
//! with uncommitted changes in a git work tree unless the user allows it (as `cargo fix` does).

use std::collections::{BTreeSet, HashMap};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::outcome::{ErrorKind, FileError, RunResult};

/// The error recorded for each file that a `--write` refused to touch.
const DIRTY: &str = "has uncommitted changes in git; nothing was written (commit or stash, or pass --allow-dirty)";

/// Records an error for each changed file with uncommitted changes in git; whether there was one.
pub fn refuse_dirty(result: &mut RunResult) -> bool {
    let targets: Vec<PathBuf> = result.changes.iter().map(|c| c.path.clone()).collect();
    let dirty = dirty_files(&targets);
    let any = !dirty.is_empty();
    for path in dirty {
        result.errors.push(FileError::new(path, ErrorKind::Dirty, DIRTY));
    }
    any
}

/// Writes every change, or nothing when some target has uncommitted changes (unless allowed): writing half of a
/// change (the code without its package.json entry) would leave an app that does not start.
pub fn write_changes(result: &mut RunResult, allow_dirty: bool) -> Vec<PathBuf> {
    if !allow_dirty && refuse_dirty(result) {
        return Vec::new();
    }
    let mut written = Vec::new();
    for change in &result.changes {
        // Guard against a file edited between planning and writing: never overwrite what we did not read.
        match std::fs::read_to_string(&change.path) {
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
        match write_atomic(&change.path, &change.updated) {
            Ok(()) => written.push(change.path.clone()),
            Err(err) => result.errors.push(FileError::new(
                &change.path,
                ErrorKind::WriteFailed,
                format!("could not be written: {err}"),
            )),
        }
    }
    written
}

/// Replaces `path`'s content with `text` atomically: readers see the old file or the new one, never half of it.
pub fn write_atomic(path: &Path, text: &str) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let permissions = std::fs::metadata(path)?.permissions();
    let tmp = dir.join(format!(".{name}.express-harden-{}.tmp", std::process::id()));
    let result = (|| {
        let mut file = std::fs::File::create(&tmp)?;
        file.write_all(text.as_bytes())?;
        file.sync_all()?;
        std::fs::set_permissions(&tmp, permissions)?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
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
    let out = Command::new("git").arg("-C").arg(dir).args(["rev-parse", "--show-toplevel"]).output().ok()?;
    if !out.status.success() {
        return None;
    }
    let root = String::from_utf8(out.stdout).ok()?;
    PathBuf::from(root.trim()).canonicalize().ok()
}

/// Paths (relative to the work tree root) with any change git knows of.
fn git_status(root: &Path) -> BTreeSet<PathBuf> {
    let Ok(out) = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(["status", "--porcelain=v1", "-z", "--untracked-files=all"])
        .output()
    else {
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

    #[test]
    fn files_outside_git_are_never_dirty() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("a.js");
        std::fs::write(&path, "x").expect("write");
        assert!(dirty_files(&[path]).is_empty());
    }
}
