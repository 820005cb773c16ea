//! Finds the files to look at: a parallel, .gitignore-aware walk of the given paths that skips dependencies, build
//! output and (unless asked) the project's test code and fixtures.

use std::collections::HashSet;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use ignore::{WalkBuilder, WalkState};

use crate::outcome::{ErrorKind, FileError};
use crate::root::clean;
pub use crate::root::{display_path, normalize, project_root, relative_to_cwd};
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

/// Folders that hold a project's tests and their fixtures and mocks. Changing them breaks the project's own tests
/// (a fixed test secret replaced by an environment variable the test run does not set) and pulls the packages new
/// code needs into the manifest of code that is never deployed, so the walk leaves them alone unless asked
/// ([`WalkOptions::include_tests`]).
pub const TEST_DIRS: [&str; 7] = ["test", "tests", "__tests__", "spec", "fixtures", "__fixtures__", "__mocks__"];

/// Whether `relative` is test code: a folder on it is one of [`TEST_DIRS`], or, for a file, its name has a `.test.`
/// or `.spec.` part before its extension (`app.test.js`, `routes.spec.ts`). `relative` is a path below the folder
/// the walk started from, or below the project root: the folders above say nothing about the project (a project
/// checked out under `~/tests/` is not test code).
pub fn is_test_code(relative: &Path, is_file: bool) -> bool {
    let parts: Vec<&OsStr> = relative.iter().collect();
    let (folders, name) = match (is_file, parts.split_last()) {
        (true, Some((name, folders))) => (folders, Some(*name)),
        _ => (&parts[..], None),
    };
    let test_folder = folders.iter().any(|f| f.to_str().is_some_and(|f| TEST_DIRS.contains(&f)));
    let test_name = name.is_some_and(|name| {
        let name = name.to_string_lossy();
        let dotted: Vec<&str> = name.split('.').collect();
        // Not the first part (`test.js` is a name, not a marker) and not the last (the extension).
        dotted.len() > 2 && dotted[1..dotted.len() - 1].iter().any(|part| *part == "test" || *part == "spec")
    });
    test_folder || test_name
}

/// Sorts `paths` as `sort` does (a path's order is its components' order), without parsing both paths at every
/// comparison (most of a 2,000-file walk's sort). When every path is plain (`/`-separated names, none empty, `.` or
/// `..`, but for a leading `/`), their order is their bytes' order with `/` below every other byte; otherwise each
/// path is split into its components once.
fn sort_paths(paths: &mut Vec<PathBuf>) {
    fn plain(path: &[u8]) -> bool {
        let rest = path.strip_prefix(b"/").unwrap_or(path);
        !rest.is_empty() && rest.split(|&b| b == b'/').all(|name| !matches!(name, b"" | b"." | b".."))
    }
    let order: Vec<usize> = if paths.iter().all(|p| plain(p.as_os_str().as_encoded_bytes())) {
        // (A path holds no NUL byte, so NUL in place of `/` sorts each name before its longer neighbours.)
        let mut keyed: Vec<(Vec<u8>, usize)> = paths
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let key = p.as_os_str().as_encoded_bytes().iter().map(|&b| if b == b'/' { 0 } else { b }).collect();
                (key, i)
            })
            .collect();
        // (The index breaks ties: the order of equal paths is kept, as a stable sort keeps it.)
        keyed.sort_unstable();
        keyed.into_iter().map(|(_, i)| i).collect()
    } else {
        let mut keyed: Vec<(Vec<std::path::Component<'_>>, usize)> =
            paths.iter().enumerate().map(|(i, p)| (p.components().collect(), i)).collect();
        keyed.sort_unstable();
        keyed.into_iter().map(|(_, i)| i).collect()
    };
    let mut taken = std::mem::take(paths);
    *paths = order.into_iter().map(|i| std::mem::take(&mut taken[i])).collect();
}

/// What the walk found, sorted by path so that every report is stable.
#[derive(Debug, Default)]
pub struct Discovered {
    /// JavaScript and TypeScript files.
    pub sources: Vec<PathBuf>,
    /// Templates and static HTML (read for the Content-Security-Policy check).
    pub views: Vec<PathBuf>,
    /// package.json files (a project may have no source file the walk reaches, and still a version to raise).
    pub manifests: Vec<PathBuf>,
    /// Front-end components (`.vue`, `.svelte`, `.astro`): never changed, read for the cookies client code reads
    /// ([`crate::client_cookies`]).
    pub components: Vec<PathBuf>,
    /// WebAssembly modules (`.wasm`): never read; one the app serves means its pages compile WebAssembly.
    pub wasm: Vec<PathBuf>,
    /// Paths that could not be walked or are left alone (outside the project root, a name that is not UTF-8, a
    /// candidate that is not a regular file), with the reason.
    pub errors: Vec<FileError>,
    /// Source files left alone as test code ([`is_test_code`]; their folders' views and package.json files are left
    /// alone too, and not counted here). Empty with [`WalkOptions::include_tests`].
    pub tests_skipped: Vec<PathBuf>,
}

/// How the walk chooses its files.
#[derive(Debug, Clone, Copy, Default)]
pub struct WalkOptions<'a> {
    /// Gitignore-style globs, relative to the current folder, of paths to leave out.
    pub exclude: &'a [String],
    /// The project root (canonical, see [`project_root`]): a path that resolves outside it (through `..`, an absolute
    /// path or a symbolic link) is refused, and git is asked which files under `node_modules` folders it tracks
    /// (the project's own source, not installed dependencies). `None`: no bound, and every `node_modules` is skipped.
    pub root: Option<&'a Path>,
    /// Also take test code and fixtures ([`is_test_code`]). Without it they are left alone, except below a path that
    /// is itself test code (a test file or folder named on the command line is what the user asked for).
    pub include_tests: bool,
}

/// Walks `paths` (files or folders) in parallel, with the default [`WalkOptions`].
pub fn discover(paths: &[PathBuf]) -> Discovered {
    discover_with(paths, &WalkOptions::default())
}

/// A folder (or file) the walk starts from.
struct WalkRoot {
    /// As given: the walk's paths start with it.
    given: PathBuf,
    /// Canonical.
    canonical: PathBuf,
    /// The path is itself test code ([`named_test_code`]): everything below it is taken.
    test_code: bool,
}

/// The paths to walk for a run on `paths`, and the paths it may change. A path narrower than its project (a file, a
/// folder below the nearest package.json) is read with the rest of that project: what the file's code means comes
/// from the modules it imports, the views the app renders, the files it serves (a Content-Security-Policy made from
/// `app.js` alone would block the pages' own scripts). Such a run changes only the given paths: `Some(them)`,
/// normalised. `None` when every path is a whole project (or there is no project root to bound the search for one).
pub fn with_context(paths: &[PathBuf], root: Option<&Path>) -> (Vec<PathBuf>, Option<Vec<PathBuf>>) {
    let Some(root) = root else { return (paths.to_vec(), None) };
    let mut walk: Vec<PathBuf> = Vec::new();
    let mut narrower = false;
    for path in paths {
        let project = (|| {
            let start = if path.is_dir() { path.clone() } else { path.parent().map(Path::to_path_buf)? };
            let start = if start.as_os_str().is_empty() { PathBuf::from(".") } else { start };
            let canonical = start.canonicalize().ok()?;
            // (Through a symbolic link, the folders above the path as written are not those above the file: no
            // context is guessed.)
            if canonical != scope_key(&start) {
                return None;
            }
            let (up, _) = canonical
                .ancestors()
                .take_while(|dir| dir.starts_with(root))
                .enumerate()
                .find(|(_, dir)| dir.join("package.json").is_file())?;
            let project = crate::root::normalize(&start.join("../".repeat(up)));
            let project = if project.as_os_str().is_empty() { PathBuf::from(".") } else { project };
            // (A file always lies below its project's folder; a folder may be the project itself.)
            Some((project, path.is_file() || up > 0))
        })();
        match project {
            Some((project, true)) => {
                narrower = true;
                walk.push(project);
            }
            _ => walk.push(path.clone()),
        }
    }
    let mut seen = std::collections::HashSet::new();
    walk.retain(|p| seen.insert(scope_key(p)));
    let scope = narrower.then(|| paths.iter().map(|p| scope_key(p)).collect());
    (walk, scope)
}

/// A path as [`with_context`]'s scope compares it: absolute and normalised (`app.js`, `./app.js` and `$PWD/app.js`
/// are one file), symbolic links not resolved.
pub fn scope_key(path: &Path) -> PathBuf {
    crate::root::absolute(path)
}

/// Walks `paths`, as `options` say. The walk itself never follows symbolic links.
pub fn discover_with(paths: &[PathBuf], options: &WalkOptions<'_>) -> Discovered {
    let root = options.root;
    let found = Mutex::new(Discovered::default());
    let mut roots = Vec::new();
    let mut walk_roots = Vec::new();
    for path in paths {
        if !path.exists() {
            lock(&found).errors.push(FileError::new(path, ErrorKind::Unreadable, "no such file or folder"));
        } else if let Some(outside) = root.and_then(|root| outside_root(path, root)) {
            lock(&found).errors.push(outside);
        } else if let Some(blocked) = blocking_ignore_file_above(path) {
            lock(&found).errors.push(blocked);
        } else {
            roots.push(path.clone());
            let canonical = path.canonicalize().unwrap_or_else(|_| path.clone());
            let test_code = named_test_code(&canonical, root);
            walk_roots.push(WalkRoot { given: path.clone(), canonical, test_code });
        }
    }
    let walk_roots = Arc::new(walk_roots);
    let include_tests = options.include_tests;
    let exclude = options.exclude;
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
    // git is asked once, when the walk first meets a node_modules folder that no ignore file leaves out.
    let tracked = Arc::new(Tracked { root: root.map(Path::to_path_buf), modules: OnceLock::new() });
    let (tracked_in_walk, roots_in_walk) = (Arc::clone(&tracked), Arc::clone(&walk_roots));
    // .gitignore rules apply even outside a git checkout (a project copied out of its repository).
    let blocked = Arc::new(Mutex::new(Vec::new()));
    let blocked_in_walk = Arc::clone(&blocked);
    builder.require_git(false).filter_entry(move |entry| {
        let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
        if !is_dir || entry.depth() == 0 {
            return true;
        }
        let name = entry.file_name();
        if name != "node_modules" && name.to_str().is_some_and(|n| SKIPPED_DIRS.contains(&n)) {
            return false;
        }
        // A node_modules folder (and any folder below one) is walked only on the way to files git tracks there.
        if in_node_modules(&below_walk_root(entry.path(), entry.depth()), true)
            && !tracked_in_walk.folder(&roots_in_walk, entry.path(), entry.depth())
        {
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
                    let depth = entry.depth();
                    let below = below_walk_root(entry.path(), depth);
                    // Below a tracked node_modules folder, only the files git tracks are the project's.
                    if in_node_modules(&below, false) && !tracked.file(&walk_roots, entry.path(), depth) {
                        return WalkState::Continue;
                    }
                    if !include_tests && is_test_code(&below, true) {
                        let given = walk_root(entry.path(), depth);
                        let named = walk_roots.iter().find(|r| Some(r.given.as_path()) == given);
                        if !named.is_some_and(|r| r.test_code) {
                            if candidate == Candidate::Source {
                                lock(&found).tests_skipped.push(path);
                            }
                            return WalkState::Continue;
                        }
                    }
                    if path.to_str().is_none() {
                        let lossy = PathBuf::from(path.to_string_lossy().into_owned());
                        let message = "has a name that is not UTF-8; left alone";
                        lock(&found).errors.push(FileError::new(lossy, ErrorKind::BadName, message));
                    } else if candidate == Candidate::Wasm {
                        // (Never opened: its name is all that counts.)
                        if file_type.is_file() {
                            lock(&found).wasm.push(path);
                        }
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
                            Candidate::Component => found.components.push(path),
                            Candidate::Wasm => {}
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
    for list in [&mut found.sources, &mut found.views, &mut found.manifests, &mut found.components, &mut found.wasm] {
        sort_paths(list);
        list.dedup();
    }
    sort_paths(&mut found.tests_skipped);
    found.tests_skipped.dedup();
    // A test file also reached from a path that is itself test code (`. test`) was taken.
    let Discovered { sources, tests_skipped, .. } = &mut found;
    tests_skipped.retain(|p| sources.binary_search(p).is_err());
    found
}

/// Whether the walk root `canonical` is itself test code: judged on its path below the project root, or, without a
/// root, on its own name only (never on the folders above it: a project copied to `/tmp/tests/` is not test code).
fn named_test_code(canonical: &Path, root: Option<&Path>) -> bool {
    let is_file = canonical.is_file();
    match root.and_then(|root| canonical.strip_prefix(root).ok()) {
        Some(relative) => is_test_code(relative, is_file),
        None => canonical.file_name().is_some_and(|name| is_test_code(Path::new(name), is_file)),
    }
}

/// The walk root a walked `path` at `depth` started from, as it was given.
fn walk_root(path: &Path, depth: usize) -> Option<&Path> {
    path.ancestors().nth(depth)
}

/// The part of a walked `path` at `depth` below the walk root it started from.
fn below_walk_root(path: &Path, depth: usize) -> PathBuf {
    let parts: Vec<&OsStr> = path.iter().collect();
    parts[parts.len().saturating_sub(depth)..].iter().collect()
}

/// Whether a walked path, `below` its walk root ([`below_walk_root`]), lies in a node_modules folder the walk went
/// into (the path itself counts when it is a folder). A path named on the command line inside a node_modules folder is
/// walked as it always was.
fn in_node_modules(below: &Path, is_dir: bool) -> bool {
    let folders = if is_dir { Some(below) } else { below.parent() };
    folders.is_some_and(|f| f.iter().any(|part| part == "node_modules"))
}

/// What git tracks under the project's node_modules folders, asked once.
struct Tracked {
    /// The project root, the git work tree to ask (`None`: no bound, nothing is asked).
    root: Option<PathBuf>,
    modules: OnceLock<TrackedModules>,
}

impl Tracked {
    fn modules(&self) -> &TrackedModules {
        self.modules.get_or_init(|| self.root.as_deref().map(tracked_modules).unwrap_or_default())
    }

    /// `path` (walked, at `depth`) relative to the project root.
    fn in_project(&self, roots: &[WalkRoot], path: &Path, depth: usize) -> Option<PathBuf> {
        let given = walk_root(path, depth)?;
        let walk_root = roots.iter().find(|r| r.given == given)?;
        let absolute = walk_root.canonical.join(below_walk_root(path, depth));
        absolute.strip_prefix(self.root.as_deref()?).ok().map(Path::to_path_buf)
    }

    /// Whether the folder `path` holds a file git tracks.
    fn folder(&self, roots: &[WalkRoot], path: &Path, depth: usize) -> bool {
        self.in_project(roots, path, depth).is_some_and(|p| self.modules().folders.contains(&p))
    }

    /// Whether git tracks the file `path`.
    fn file(&self, roots: &[WalkRoot], path: &Path, depth: usize) -> bool {
        self.in_project(roots, path, depth).is_some_and(|p| self.modules().files.contains(&p))
    }
}

/// The files git tracks under node_modules folders, and the folders that hold them, relative to the work tree root.
/// Some monorepos keep their packages at `packages/node_modules/@scope/<pkg>` (so that Node resolves them without
/// links) and commit them: that is the project's source, which the walk must see. A node_modules folder git does not
/// track (installed dependencies) is never walked.
#[derive(Debug, Default)]
struct TrackedModules {
    files: HashSet<PathBuf>,
    folders: HashSet<PathBuf>,
}

/// Asks git which files under node_modules folders the work tree `root` tracks. Empty when `root` is not the top of a
/// git work tree, or git is not on PATH or fails: node_modules folders are then skipped, as without git.
fn tracked_modules(root: &Path) -> TrackedModules {
    if root.join(".git").symlink_metadata().is_err() {
        return TrackedModules::default();
    }
    let Ok(mut git) = crate::child::git() else { return TrackedModules::default() };
    // The pathspec's glob magic must not be turned off (or into something else) by the environment.
    for name in ["GIT_LITERAL_PATHSPECS", "GIT_GLOB_PATHSPECS", "GIT_NOGLOB_PATHSPECS", "GIT_ICASE_PATHSPECS"] {
        git.env_remove(name);
    }
    git.current_dir(root).args(["ls-files", "-z", "--full-name", "--", ":(glob)**/node_modules/**"]);
    match git.output() {
        Ok(out) if out.status.success() => parse_tracked(&out.stdout),
        _ => TrackedModules::default(),
    }
}

/// `git ls-files -z` output: NUL-terminated paths, relative to the work tree root. A node_modules folder that holds
/// what a package manager leaves in the folders it installs (npm's `.package-lock.json`, Yarn 1's `.yarn-integrity`,
/// pnpm's `.modules.yaml`, a `.bin` folder) is installed dependencies committed by mistake, not source: none of its
/// files count.
fn parse_tracked(bytes: &[u8]) -> TrackedModules {
    let files: Vec<PathBuf> = bytes.split(|b| *b == 0).filter(|e| !e.is_empty()).map(path_of_bytes).collect();
    let installs: HashSet<&Path> = files
        .iter()
        .filter_map(|file| {
            let folder = file.parent()?;
            let marker = matches!(
                file.file_name().and_then(|n| n.to_str()),
                Some(".package-lock.json" | ".yarn-integrity" | ".modules.yaml")
            );
            if marker && folder.file_name().is_some_and(|n| n == "node_modules") {
                return Some(folder);
            }
            // `node_modules/.bin/<command>`.
            let modules = folder.parent()?;
            (folder.file_name().is_some_and(|n| n == ".bin")
                && modules.file_name().is_some_and(|n| n == "node_modules"))
            .then_some(modules)
        })
        .collect();
    let mut modules = TrackedModules::default();
    for file in &files {
        if file.ancestors().skip(1).any(|folder| installs.contains(folder)) {
            continue;
        }
        let file = file.clone();
        modules.folders.extend(file.ancestors().skip(1).filter(|f| !f.as_os_str().is_empty()).map(Path::to_path_buf));
        modules.files.insert(file);
    }
    modules
}

#[cfg(unix)]
fn path_of_bytes(bytes: &[u8]) -> PathBuf {
    PathBuf::from(<OsStr as std::os::unix::ffi::OsStrExt>::from_bytes(bytes))
}

#[cfg(not(unix))]
fn path_of_bytes(bytes: &[u8]) -> PathBuf {
    PathBuf::from(String::from_utf8_lossy(bytes).into_owned())
}

/// What the walk collects a file as, judged by its name (a name that is not UTF-8 is judged on its lossy form).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Candidate {
    Source,
    View,
    Manifest,
    Component,
    Wasm,
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
        } else if path.extension().and_then(|e| e.to_str()).is_some_and(|e| COMPONENT_EXTENSIONS.contains(&e)) {
            Some(Candidate::Component)
        } else if path.extension().is_some_and(|e| e == "wasm") {
            Some(Candidate::Wasm)
        } else {
            None
        }
    }
}

/// Single-file components of front-end frameworks: client code, read only for the cookies it reads.
const COMPONENT_EXTENSIONS: [&str; 3] = ["vue", "svelte", "astro"];

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_sort_as_sort_sorts_them() {
        let names = [
            "a/b.js", "a.b/c.js", "a-b/c.js", "./x.js", "x.js", "-y/z.js", "a//b.js", "a/./c.js", "A/b.js", "a/b.js",
            "/r/a.js", "../p.js", "a/b/c.js", "a/b.jsx", "é/a.js", "a0/b.js", "a/B.js", "",
        ];
        // Plain paths (sorted by their bytes) and, with the others, any paths (sorted by their components).
        let plain = [
            "a/b.js",
            "a.b/c.js",
            "a-b/c.js",
            "x.js",
            "/r/a.js",
            "A/b.js",
            "a/b/c.js",
            "a/b.jsx",
            "é/a.js",
            "a0/b.js",
            "a/B.js",
            "a/b.js",
            "/r.js",
            "/r/a/b.js",
            "a\x01/b.js",
            "a/b/c.js",
            "a b/c.js",
        ];
        for names in [&plain[..], &names[..]] {
            for rotate in 0..names.len() {
                let mut paths: Vec<PathBuf> =
                    names.iter().cycle().skip(rotate).take(names.len()).map(PathBuf::from).collect();
                let mut expected = paths.clone();
                expected.sort();
                sort_paths(&mut paths);
                // (Equal paths spelt differently, `a//b.js` and `a/b.js`, keep their order: compared as text.)
                let text = |v: &[PathBuf]| v.iter().map(|p| p.to_string_lossy().into_owned()).collect::<Vec<_>>();
                assert_eq!(text(&paths), text(&expected));
            }
        }
    }

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

    /// Creates the files `files` (paths below `root`, each holding `x`).
    fn write_files(root: &Path, files: &[&str]) {
        for path in files {
            let p = root.join(path);
            std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
            std::fs::write(p, "x").expect("write");
        }
    }

    /// `paths` relative to `root`, with `/` separators.
    fn names(paths: &[PathBuf], root: &Path) -> Vec<String> {
        paths.iter().map(|p| p.strip_prefix(root).expect("under root").to_string_lossy().replace('\\', "/")).collect()
    }

    #[test]
    fn test_code_is_recognised_by_its_folders_and_names() {
        for (path, is_file) in [
            ("test/app.js", true),
            ("tests/unit/app.js", true),
            ("src/__tests__/app.js", true),
            ("spec/app.js", true),
            ("test/fixtures/app/server.js", true),
            ("lib/__fixtures__/a.ts", true),
            ("__mocks__/fs.js", true),
            ("app.test.js", true),
            ("src/routes.spec.ts", true),
            ("src/app.e2e.test.mjs", true),
            ("test", false),
            ("packages/api/fixtures", false),
        ] {
            assert!(is_test_code(Path::new(path), is_file), "{path} is test code");
        }
        for (path, is_file) in [
            ("app.js", true),
            ("test.js", true),
            ("src/testing.js", true),
            ("src/test-utils/a.js", true),
            ("src/attest.js", true),
            ("src/app.testing.js", true),
            ("src/contest/app.js", true),
            ("app.test", true),
            ("src", false),
            ("", false),
        ] {
            assert!(!is_test_code(Path::new(path), is_file), "{path} is not test code");
        }
    }

    #[test]
    fn the_walk_leaves_test_code_alone_unless_asked() {
        let dir = tempfile::tempdir().expect("tempdir");
        // The project sits below folders named like test folders: only what is below the walk root counts.
        let root = dir.path().join("tests/fixtures/project");
        write_files(
            &root,
            &[
                "app.js",
                "package.json",
                "src/routes.js",
                "src/routes.test.js",
                "test/app.test.js",
                "test/helpers.js",
                "test/fixtures/app/package.json",
                "test/fixtures/app/views/index.html",
                "__mocks__/redis.js",
                "spec/app.spec.ts",
            ],
        );

        let found = discover(std::slice::from_ref(&root));
        assert_eq!(names(&found.sources, &root), ["app.js", "src/routes.js"]);
        assert_eq!(
            names(&found.tests_skipped, &root),
            ["__mocks__/redis.js", "spec/app.spec.ts", "src/routes.test.js", "test/app.test.js", "test/helpers.js"]
        );
        assert_eq!(names(&found.manifests, &root), ["package.json"], "a fixture's package.json is left alone");
        assert!(found.views.is_empty(), "a fixture's views are left alone: {:?}", found.views);

        let all =
            discover_with(std::slice::from_ref(&root), &WalkOptions { include_tests: true, ..WalkOptions::default() });
        assert_eq!(all.sources.len(), 7);
        assert!(all.tests_skipped.is_empty());
        assert_eq!(all.manifests.len(), 2);
        assert_eq!(all.views.len(), 1);

        // A path named by the user that is itself test code (judged below the project root) is taken whole.
        let canonical = root.canonicalize().expect("canonical");
        let named = WalkOptions { root: Some(&canonical), ..WalkOptions::default() };
        let folder = discover_with(&[root.join("test")], &named);
        assert_eq!(names(&folder.sources, &root), ["test/app.test.js", "test/helpers.js"]);
        assert!(folder.tests_skipped.is_empty());
        let file = discover_with(&[root.join("src/routes.test.js")], &named);
        assert_eq!(names(&file.sources, &root), ["src/routes.test.js"]);
        // A folder that is not test code named by the user: its test code is still left alone.
        let src = discover_with(&[root.join("src")], &named);
        assert_eq!(names(&src.sources, &root), ["src/routes.js"]);
        assert_eq!(names(&src.tests_skipped, &root), ["src/routes.test.js"]);
        // Without a project root, a named path is judged by its own name.
        assert_eq!(discover(&[root.join("test")]).sources.len(), 2);
        assert_eq!(discover(&[root.join("src/routes.test.js")]).sources.len(), 1);
    }

    #[test]
    fn git_output_lists_the_tracked_files_and_their_folders() {
        let tracked = parse_tracked(b"packages/node_modules/@acme/server/index.js\0node_modules/x/a.js\0");
        assert!(tracked.files.contains(Path::new("packages/node_modules/@acme/server/index.js")));
        assert!(tracked.files.contains(Path::new("node_modules/x/a.js")));
        for folder in ["packages", "packages/node_modules", "packages/node_modules/@acme", "node_modules/x"] {
            assert!(tracked.folders.contains(Path::new(folder)), "{folder}");
        }
        assert!(!tracked.folders.contains(Path::new("")));
        assert!(parse_tracked(b"").files.is_empty());
    }

    #[test]
    fn installed_dependencies_committed_by_mistake_are_not_source() {
        // npm's marker in the app's node_modules: none of it counts, nested installs included; the monorepo's packages
        // beside it still do.
        let tracked = parse_tracked(
            b"node_modules/.package-lock.json\0node_modules/express-session/package.json\0\
              node_modules/a/node_modules/b/index.js\0packages/node_modules/@acme/server/index.js\0",
        );
        assert_eq!(tracked.files.len(), 1, "{:?}", tracked.files);
        assert!(tracked.files.contains(Path::new("packages/node_modules/@acme/server/index.js")));
        assert!(!tracked.folders.contains(Path::new("node_modules/express-session")));
        // Yarn 1's and pnpm's markers, and a .bin folder.
        for marker in ["node_modules/.yarn-integrity", "node_modules/.modules.yaml", "node_modules/.bin/nodemon"] {
            let listing = format!("{marker}\0node_modules/x/index.js\0");
            assert!(parse_tracked(listing.as_bytes()).files.is_empty(), "{marker}");
        }
        // A marker's name elsewhere is no marker.
        assert_eq!(parse_tracked(b"node_modules/x/.package-lock.json\0node_modules/x/a.js\0").files.len(), 2);
    }

    /// Runs git in `dir` (the test's own repository).
    fn git(dir: &Path, args: &[&str]) {
        let out = crate::child::git().expect("git").current_dir(dir).args(args).output().expect("git runs");
        assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    }

    #[test]
    fn node_modules_that_git_tracks_are_source() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path().canonicalize().expect("canonical");
        write_files(
            &root,
            &[
                "app.js",
                "packages/node_modules/@acme/server/index.js",
                "packages/node_modules/@acme/server/package.json",
                "packages/node_modules/@acme/server/local.js",
                "packages/node_modules/@acme/server/node_modules/express/index.js",
                "packages/node_modules/@acme/server/test/server.test.js",
                "node_modules/express/index.js",
            ],
        );
        let options = WalkOptions { root: Some(&root), ..WalkOptions::default() };

        // Not a git work tree: every node_modules folder is skipped.
        let without_git = discover_with(std::slice::from_ref(&root), &options);
        assert_eq!(names(&without_git.sources, &root), ["app.js"]);

        git(&root, &["init", "--quiet"]);
        git(
            &root,
            &[
                "add",
                "app.js",
                "packages/node_modules/@acme/server/index.js",
                "packages/node_modules/@acme/server/package.json",
                "packages/node_modules/@acme/server/test/server.test.js",
            ],
        );
        let found = discover_with(std::slice::from_ref(&root), &options);
        // Tracked files only: not the untracked local.js, nor the installed dependencies.
        assert_eq!(names(&found.sources, &root), ["app.js", "packages/node_modules/@acme/server/index.js"]);
        assert_eq!(names(&found.manifests, &root), ["packages/node_modules/@acme/server/package.json"]);
        assert_eq!(names(&found.tests_skipped, &root), ["packages/node_modules/@acme/server/test/server.test.js"]);
        // The same walk from a subfolder.
        let sub = discover_with(&[root.join("packages")], &options);
        assert_eq!(names(&sub.sources, &root), ["packages/node_modules/@acme/server/index.js"]);

        // Without a project root nothing is asked: node_modules stays skipped.
        assert_eq!(names(&discover(std::slice::from_ref(&root)).sources, &root), ["app.js"]);
        // An ignore file that names the folder wins.
        std::fs::write(root.join(".gitignore"), "node_modules/\n").expect("write");
        assert_eq!(names(&discover_with(std::slice::from_ref(&root), &options).sources, &root), ["app.js"]);
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
