//! The project root: the folder the tool confines itself to (it reads and writes nothing outside it). It is the git
//! work tree that contains the folder the tool runs in, or that folder itself outside a work tree.

use std::path::{Path, PathBuf};

/// The project root of the folder `dir`: the git work tree that contains it (the nearest folder, `dir` included,
/// that holds a `.git` entry, not looking into a `GIT_CEILING_DIRECTORIES` folder or above, as git does), else `dir`
/// itself. Canonical (symbolic links resolved), so that canonical paths can be compared with it.
pub fn project_root(dir: &Path) -> PathBuf {
    let start = dir.canonicalize().unwrap_or_else(|_| normalize(&std::path::absolute(dir).unwrap_or_default()));
    let ceilings: Vec<PathBuf> = std::env::var_os("GIT_CEILING_DIRECTORIES")
        .map(|v| std::env::split_paths(&v).filter_map(|p| p.canonicalize().ok()).collect())
        .unwrap_or_default();
    let mut candidates = start.ancestors();
    let first = candidates.next().into_iter();
    let above = candidates.take_while(|dir| !ceilings.iter().any(|c| c == dir));
    first.chain(above).find(|dir| dir.join(".git").symlink_metadata().is_ok()).unwrap_or(&start).to_path_buf()
}

/// The folders from `start` up to `root` (both included), nearest first: where a file's manifest or lockfile may be.
/// Without a root, up to the file system's root. Lexical when `start` is below `root` as written (so that a folder
/// named through a symbolic link keeps its name), else on the canonical path.
pub fn folders_up_to(start: &Path, root: Option<&Path>) -> Vec<PathBuf> {
    let absolute = normalize(&std::path::absolute(start).unwrap_or_else(|_| start.to_path_buf()));
    let Some(root) = root else { return absolute.ancestors().map(Path::to_path_buf).collect() };
    let start = if absolute.starts_with(root) { absolute } else { start.canonicalize().unwrap_or(absolute) };
    start.ancestors().take_while(|dir| dir.starts_with(root)).map(Path::to_path_buf).collect()
}

/// `path` absolute and [`normalize`]d (`app.js`, `./app.js` and `$PWD/app.js` are one file), symbolic links not
/// resolved.
pub fn absolute(path: &Path) -> PathBuf {
    // (The current folder as the process started in it: the tool never changes it, and asking the system for it on
    // every path cost a `getcwd` per source file and per view, 22,000 on a 10,000-file project.)
    match cwd() {
        Some(cwd) if cfg!(unix) && !path.is_absolute() && !path.as_os_str().is_empty() => normalize(&cwd.join(path)),
        _ => normalize(&std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())),
    }
}

/// The current folder, read once.
fn cwd() -> Option<&'static PathBuf> {
    static CWD: std::sync::OnceLock<Option<PathBuf>> = std::sync::OnceLock::new();
    CWD.get_or_init(|| std::env::current_dir().ok()).as_ref()
}

/// Removes `.` and resolves `..` textually.
#[cfg(unix)]
pub fn normalize(path: &Path) -> PathBuf {
    // On bytes: the resolver normalises every path it looks up, and `Path::components` costs ten times as much.
    use std::os::unix::ffi::{OsStrExt, OsStringExt};
    let bytes = path.as_os_str().as_bytes();
    let absolute = bytes.first() == Some(&b'/');
    let mut parts: Vec<&[u8]> = Vec::new();
    for part in bytes.split(|b| *b == b'/') {
        match part {
            b"" | b"." => {}
            b".." => match parts.last() {
                Some(last) if *last != b".." => {
                    parts.pop();
                }
                // Above the file system's root is the root itself; above a relative path's start is `..`.
                _ if absolute => {}
                _ => parts.push(b".."),
            },
            name => parts.push(name),
        }
    }
    let mut out = Vec::with_capacity(bytes.len());
    if absolute {
        out.push(b'/');
    }
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            out.push(b'/');
        }
        out.extend_from_slice(part);
    }
    PathBuf::from(std::ffi::OsString::from_vec(out))
}

/// Whether `a` and `b` name the same path as written, `.` components aside (`./pkg/package.json` and
/// `pkg/package.json`): a manifest named by a lockfile's folder joined with a member's, against the walk's spelling.
pub fn same_path(a: &Path, b: &Path) -> bool {
    let not_dot = |c: &std::path::Component<'_>| *c != std::path::Component::CurDir;
    a.components().filter(not_dot).eq(b.components().filter(not_dot))
}

/// [`normalize`] where paths are not bytes.
#[cfg(not(unix))]
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            // Above the file system's root is the root itself; above a relative path's start is `..`.
            std::path::Component::ParentDir => {
                if !out.pop() && !out.has_root() {
                    out.push("..");
                }
            }
            std::path::Component::CurDir => {}
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// `./src/app.js` -> `src/app.js`: paths read the same way in diffs whatever the user typed.
pub(crate) fn clean(path: &Path) -> PathBuf {
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
    let Some(cwd) = cwd() else { return clean(path) };
    // A relative path that does not climb is its own parts below the current folder (every path of a run in it, shown
    // once per diff and finding): the components of both need not be compared.
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let bytes = path.as_os_str().as_bytes();
        if bytes.first() != Some(&b'/') && !bytes.split(|b| *b == b'/').any(|part| part == b"..") {
            return normalize(path);
        }
    }
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
    fn normalize_removes_dots_and_resolves_parents_textually() {
        let cases = [
            ("/a/./b/../c/", "/a/c"),
            ("/../a", "/a"),
            ("a//b/./c", "a/b/c"),
            ("./a/../..", ".."),
            ("../../x/y/../z", "../../x/z"),
            ("../..", "../.."),
            ("", ""),
            (".", ""),
        ];
        for (path, expected) in cases {
            assert_eq!(normalize(Path::new(path)), PathBuf::from(expected), "{path}");
        }
    }

    #[test]
    fn the_root_is_the_git_work_tree_or_the_folder() {
        let dir = tempfile::tempdir().expect("tempdir");
        let base = dir.path().canonicalize().expect("canonical");
        std::fs::create_dir_all(base.join("repo/.git")).expect("mkdir");
        std::fs::create_dir_all(base.join("repo/app/src")).expect("mkdir");
        std::fs::create_dir_all(base.join("loose/src")).expect("mkdir");
        assert_eq!(project_root(&base.join("repo/app/src")), base.join("repo"));
        assert_eq!(project_root(&base.join("loose/src")), base.join("loose/src"));
        let up = folders_up_to(&base.join("repo/app/src"), Some(&base.join("repo")));
        assert_eq!(up, [base.join("repo/app/src"), base.join("repo/app"), base.join("repo")]);
    }
}
