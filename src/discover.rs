//! Finds the files to look at: a parallel, .gitignore-aware walk of the given paths that skips dependencies and
//! build output.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use ignore::{WalkBuilder, WalkState};

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
    /// Paths that could not be walked, with the reason.
    pub errors: Vec<(PathBuf, String)>,
}

/// Walks `paths` (files or folders) in parallel.
pub fn discover(paths: &[PathBuf]) -> Discovered {
    discover_excluding(paths, &[])
}

/// Walks `paths`, leaving out what matches `exclude` (gitignore-style globs relative to the current folder).
pub fn discover_excluding(paths: &[PathBuf], exclude: &[String]) -> Discovered {
    let found = Mutex::new(Discovered::default());
    let mut roots = Vec::new();
    for path in paths {
        if path.exists() {
            roots.push(path.clone());
        } else {
            lock(&found).errors.push((path.clone(), "no such file or folder".to_string()));
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
    builder.require_git(false).filter_entry(|entry| {
        let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
        !(is_dir && entry.depth() > 0 && entry.file_name().to_str().is_some_and(|n| SKIPPED_DIRS.contains(&n)))
    });
    builder.build_parallel().run(|| {
        Box::new(|entry| {
            match entry {
                Ok(entry) => {
                    if entry.file_type().is_some_and(|t| t.is_file()) {
                        let path = clean(entry.path());
                        if is_source_file(&path) {
                            lock(&found).sources.push(path);
                        } else if is_view_file(&path) {
                            lock(&found).views.push(path);
                        } else if path.file_name().is_some_and(|n| n == "package.json") {
                            lock(&found).manifests.push(path);
                        }
                    }
                }
                Err(err) => {
                    let path = match &err {
                        ignore::Error::WithPath { path, .. } => path.clone(),
                        _ => PathBuf::new(),
                    };
                    lock(&found).errors.push((path, err.to_string()));
                }
            }
            WalkState::Continue
        })
    });
    let mut found = found.into_inner().unwrap_or_else(|e| e.into_inner());
    found.sources.sort();
    found.sources.dedup();
    found.views.sort();
    found.views.dedup();
    found.manifests.sort();
    found.manifests.dedup();
    found
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
    let shown = relative_to_cwd(path).to_string_lossy().replace('\\', "/");
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

/// Removes `.` and resolves `..` textually.
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            std::path::Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            std::path::Component::CurDir => {}
            other => out.push(other.as_os_str()),
        }
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
}
