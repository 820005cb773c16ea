//! Finds the files to look at: a parallel, .gitignore-aware walk of the given paths that skips dependencies and
//! build output.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use ignore::{WalkBuilder, WalkState};

use crate::outcome::{ErrorKind, FileError};
pub use crate::root::{normalize, project_root};
use crate::source::is_source_file;
use crate::views::is_view_file;

/// Folders that hold installed dependencies or generated code, never sources to fix.
pub const SKIPPED_DIRS: [&str; 11] = [
    "node_modules",
    "bower_components",
    "dist",
    "build",
    "coverage",
    ".next",
    ".nuxt",
    ".output",
    ".turbo",
    ".cache",
    ".git",
];

/// What the walk found, sorted by path so that every report is stable.
#[derive(Debug, Default)]
pub struct Discovered {
    /// JavaScript and TypeScript files.
    pub sources: Vec<PathBuf>,
    /// Templates and static HTML (read for the Content-Security-Policy check).
    pub views: Vec<PathBuf>,
    /// package.json files (a project may have no source file the walk reaches, and still a version to raise).
    pub manifests: Vec<PathBuf>,
    /// Paths that could not be walked or are left alone (outside the project root, a name that is not UTF-8, a
    /// candidate that is not a regular file), with the reason.
    pub errors: Vec<FileError>,
}

/// Walks `paths` (files or folders) in parallel.
pub fn discover(paths: &[PathBuf]) -> Discovered {
    discover_excluding(paths, &[], None)
}

/// Walks `paths`, leaving out what matches `exclude` (gitignore-style globs relative to the current folder). With a
/// project `root` (canonical, see [`project_root`]), a path that resolves outside it (through `..`, an absolute path
/// or a symbolic link) is refused; the walk itself never follows symbolic links.
pub fn discover_excluding(paths: &[PathBuf], exclude: &[String], root: Option<&Path>) -> Discovered {
    let found = Mutex::new(Discovered::default());
    let mut roots = Vec::new();
    for path in paths {
        if !path.exists() {
            lock(&found).errors.push(FileError::new(path, ErrorKind::Unreadable, "no such file or folder"));
        } else if let Some(outside) = root.and_then(|root| outside_root(path, root)) {
            lock(&found).errors.push(outside);
        } else if let Some(blocked) = blocking_ignore_file_above(path) {
            lock(&found).errors.push(blocked);
        } else {
            roots.push(path.clone());
        }
    }
    let Some((first, rest)) = roots.split_first() else {
        return found.into_inner().unwrap_or_else(|e| e.into_inner());
    };
    let mut builder = WalkBuilder::new(first);
    for root in rest {
        builder.add(root);
    }
    if !exclude.is_empty() {
        let mut overrides = ignore::overrides::OverrideBuilder::new(".");
        for pattern in exclude {
            // Checked when the configuration was read; a pattern that still fails is left out.
            let _ = overrides.add(&format!("!{pattern}"));
        }
        if let Ok(overrides) = overrides.build() {
            builder.overrides(overrides);
        }
    }
    // .gitignore rules apply even outside a git checkout (a project copied out of its repository).
    let blocked = std::sync::Arc::new(Mutex::new(Vec::new()));
    let blocked_in_walk = std::sync::Arc::clone(&blocked);
    builder.require_git(false).filter_entry(move |entry| {
        let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
        if !is_dir || entry.depth() == 0 {
            return true;
        }
        if entry.file_name().to_str().is_some_and(|n| SKIPPED_DIRS.contains(&n)) {
            return false;
        }
        // The walk reads a folder's ignore files before it lists the folder: one that is a FIFO would block it.
        match blocking_ignore_file(entry.path()) {
            Some(error) => {
                blocked_in_walk.lock().unwrap_or_else(|e| e.into_inner()).push(error);
                false
            }
            None => true,
        }
    });
    builder.build_parallel().run(|| {
        Box::new(|entry| {
            match entry {
                Ok(entry) => {
                    let Some(file_type) = entry.file_type() else { return WalkState::Continue };
                    // Symbolic links are not followed (the walk's default): a link is not read through.
                    if file_type.is_dir() || file_type.is_symlink() {
                        return WalkState::Continue;
                    }
                    let path = clean(entry.path());
                    let Some(candidate) = Candidate::of(&path) else { return WalkState::Continue };
                    if path.to_str().is_none() {
                        let lossy = PathBuf::from(path.to_string_lossy().into_owned());
                        let message = "has a name that is not UTF-8; left alone";
                        lock(&found).errors.push(FileError::new(lossy, ErrorKind::BadName, message));
                    } else if !file_type.is_file() {
                        // A FIFO, a device or a socket with a source's name: never opened.
                        let err = crate::fsread::check_regular(&path, u64::MAX).err();
                        let err = err.unwrap_or(crate::fsread::ReadError::NotRegular("not a file"));
                        lock(&found).errors.push(FileError::unread(path, &err));
                    } else {
                        let mut found = lock(&found);
                        match candidate {
                            Candidate::Source => found.sources.push(path),
                            Candidate::View => found.views.push(path),
                            Candidate::Manifest => found.manifests.push(path),
                        }
                    }
                }
                Err(err) => {
                    let path = match &err {
                        ignore::Error::WithPath { path, .. } => path.clone(),
                        _ => PathBuf::new(),
                    };
                    lock(&found).errors.push(FileError::new(path, ErrorKind::Unreadable, err.to_string()));
                }
            }
            WalkState::Continue
        })
    });
    let mut found = found.into_inner().unwrap_or_else(|e| e.into_inner());
    found.errors.extend(std::mem::take(&mut *blocked.lock().unwrap_or_else(|e| e.into_inner())));
    found.sources.sort();
    found.sources.dedup();
    found.views.sort();
    found.views.dedup();
    found.manifests.sort();
    found.manifests.dedup();
    found
}

/// What the walk collects a file as, judged by its name (a name that is not UTF-8 is judged on its lossy form).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Candidate {
    Source,
    View,
    Manifest,
}

impl Candidate {
    fn of(path: &Path) -> Option<Candidate> {
        let lossy;
        let path = match path.to_str() {
            Some(_) => path,
            None => {
                lossy = PathBuf::from(path.to_string_lossy().into_owned());
                &lossy
            }
        };
        if is_source_file(path) {
            Some(Candidate::Source)
        } else if is_view_file(path) {
            Some(Candidate::View)
        } else if path.file_name().is_some_and(|n| n == "package.json") {
            Some(Candidate::Manifest)
        } else {
            None
        }
    }
}

/// The ignore files the walk reads in a folder (`ignore` reads them whole, blocking on a FIFO).
const IGNORE_FILES: [&str; 3] = [".gitignore", ".ignore", ".git/info/exclude"];

/// The error for a folder whose ignore files the walk cannot read safely (not a regular file, or bigger than
/// [`crate::fsread::TEXT_LIMIT`]): the folder is left alone.
fn blocking_ignore_file(dir: &Path) -> Option<FileError> {
    IGNORE_FILES.iter().find_map(|name| {
        let file = dir.join(name);
        match crate::fsread::check_regular(&file, crate::fsread::TEXT_LIMIT) {
            Err(err @ (crate::fsread::ReadError::NotRegular(_) | crate::fsread::ReadError::TooLarge { .. })) => {
                let message = format!("{err}, so its folder {} is not walked; left alone", display_path(dir));
                Some(FileError::new(file, ErrorKind::Unreadable, message))
            }
            _ => None,
        }
    })
}

/// The same check for a path to walk: its own folder and every folder above it (the walk reads their ignore
/// files too).
fn blocking_ignore_file_above(path: &Path) -> Option<FileError> {
    let absolute = path.canonicalize().ok()?;
    let start = if absolute.is_dir() { absolute.as_path() } else { absolute.parent()? };
    start.ancestors().find_map(blocking_ignore_file)
}

/// The error for `path` (which exists) when it resolves outside `root`, else `None`.
pub fn outside_root(path: &Path, root: &Path) -> Option<FileError> {
    let canonical = path.canonicalize().ok()?;
    if canonical.starts_with(root) {
        return None;
    }
    let through_link = path.symlink_metadata().is_ok_and(|m| m.file_type().is_symlink());
    let message = format!(
        "is outside the project root {}{}; left alone",
        root.display(),
        if through_link { format!(" (a symbolic link to {})", canonical.display()) } else { String::new() }
    );
    Some(FileError::new(path, ErrorKind::OutsideRoot, message))
}

fn lock(found: &Mutex<Discovered>) -> std::sync::MutexGuard<'_, Discovered> {
    found.lock().unwrap_or_else(|e| e.into_inner())
}

/// `./src/app.js` -> `src/app.js`: paths read the same way in diffs whatever the user typed.
fn clean(path: &Path) -> PathBuf {
    path.strip_prefix(".").map(Path::to_path_buf).unwrap_or_else(|_| path.to_path_buf())
}

/// A path as shown to users: relative to the current folder (with `..` where needed, so that every path of a run
/// reads the same way and a diff applies with `git apply`), forward slashes, no leading `./`.
pub fn display_path(path: &Path) -> String {
    let shown = relative_to_cwd(path).to_string_lossy().into_owned();
    // Windows separates with `\`, shown as `/` like git does; elsewhere a `\` is part of a file's name.
    let shown = if cfg!(windows) { shown.replace('\\', "/") } else { shown };
    if shown.is_empty() {
        ".".to_string()
    } else {
        shown
    }
}

/// `path` relative to the current folder, normalised (`a/../b` is `b`); unchanged when the current folder is unknown.
pub fn relative_to_cwd(path: &Path) -> PathBuf {
    static CWD: std::sync::OnceLock<Option<PathBuf>> = std::sync::OnceLock::new();
    let Some(cwd) = CWD.get_or_init(|| std::env::current_dir().ok()) else { return clean(path) };
    let absolute = normalize(&if path.is_absolute() { path.to_path_buf() } else { cwd.join(path) });
    let cwd = normalize(cwd);
    let common = absolute.components().zip(cwd.components()).take_while(|(a, b)| a == b).count();
    // Paths on another root (a different drive) stay absolute.
    if common == 0 {
        return absolute;
    }
    let mut out = PathBuf::new();
    for _ in common..cwd.components().count() {
        out.push("..");
    }
    for part in absolute.components().skip(common) {
        out.push(part.as_os_str());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_shown_relative_to_the_current_folder() {
        let cwd = std::env::current_dir().expect("cwd");
        assert_eq!(display_path(&cwd.join("src/app.js")), "src/app.js");
        assert_eq!(display_path(Path::new("./src/app.js")), "src/app.js");
        assert_eq!(display_path(Path::new("src/../lib/a.js")), "lib/a.js");
        let parent_file = cwd.parent().expect("parent").join("x.js");
        assert_eq!(display_path(&parent_file), "../x.js");
        assert_eq!(display_path(Path::new("../x.js")), "../x.js");
    }

    #[test]
    fn walk_skips_dependencies_and_declaration_files_and_honours_gitignore() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        for (path, text) in [
            ("app.js", "x"),
            ("types.d.ts", "x"),
            ("node_modules/express/index.js", "x"),
            ("dist/app.js", "x"),
            ("generated/out.js", "x"),
            (".gitignore", "generated/\n"),
            ("views/index.ejs", "x"),
            ("src/a.mts", "x"),
        ] {
            let p = root.join(path);
            std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
            std::fs::write(p, text).expect("write");
        }
        let found = discover(&[root.to_path_buf()]);
        let names: Vec<String> =
            found.sources.iter().map(|p| p.strip_prefix(root).expect("under root").display().to_string()).collect();
        assert_eq!(names, ["app.js", "src/a.mts"]);
        assert_eq!(found.views.len(), 1);
        let missing = discover(&[root.join("nope")]);
        assert_eq!(missing.errors.len(), 1);
    }

    #[test]
    fn paths_outside_the_root_are_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let base = dir.path().canonicalize().expect("canonical");
        std::fs::create_dir_all(base.join("repo/app")).expect("mkdir");
        std::fs::create_dir_all(base.join("loose")).expect("mkdir");
        assert!(outside_root(&base.join("repo/app"), &base.join("repo")).is_none());
        let err = outside_root(&base.join("repo/app/../../loose"), &base.join("repo")).expect("outside");
        assert_eq!(err.message, format!("is outside the project root {}; left alone", base.join("repo").display()));
    }
}
