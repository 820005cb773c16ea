//! Lockfiles: after a manifest change the lockfile is stale and `npm ci` fails. This module finds the lockfile of a
//! manifest, gives the lockfile-only command of its package manager (scripts off), runs it when asked (`--lockfile`),
//! and summarises what moved.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::outcome::{ErrorKind, FileError, RunResult};

/// A lockfile and the package manager that owns it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lockfile {
    /// The lockfile.
    pub path: PathBuf,
    /// The folder the command runs in (the lockfile's).
    pub dir: PathBuf,
    /// Program and arguments of the lockfile-only update.
    pub command: Vec<&'static str>,
}

impl Lockfile {
    /// The command as a user types it.
    pub fn command_line(&self) -> String {
        self.command.join(" ")
    }
}

/// The lockfile-only command for a lockfile in a folder.
type CommandFor = fn(&Path) -> Vec<&'static str>;

/// The lockfile of the project whose manifest is in `manifest_dir`: there, or in a workspace root above it, no higher
/// than the project `root` (see [`crate::root::folders_up_to`]).
pub fn find(manifest_dir: &Path, root: Option<&Path>) -> Option<Lockfile> {
    let dirs: Vec<PathBuf> = match root {
        // Without a root, the folders of the path as given (a relative one stops at the current folder).
        None => std::iter::successors(Some(manifest_dir), |d| d.parent().filter(|p| !p.as_os_str().is_empty()))
            .map(Path::to_path_buf)
            .collect(),
        Some(_) => {
            let relative = !manifest_dir.is_absolute();
            crate::root::folders_up_to(manifest_dir, root)
                .into_iter()
                // Shown as the manifest was (relative to the current folder when it was).
                .map(|d| if relative { crate::discover::relative_to_cwd(&d) } else { d })
                .map(|d| if d.as_os_str().is_empty() { PathBuf::from(".") } else { d })
                .collect()
        }
    };
    for d in &dirs {
        let d = d.as_path();
        let candidates: [(&str, CommandFor); 4] = [
            ("package-lock.json", |_| vec!["npm", "install", "--package-lock-only", "--ignore-scripts", "--no-audit"]),
            ("npm-shrinkwrap.json", |_| {
                vec!["npm", "install", "--package-lock-only", "--ignore-scripts", "--no-audit"]
            }),
            ("pnpm-lock.yaml", |_| vec!["pnpm", "install", "--lockfile-only", "--ignore-scripts"]),
            ("yarn.lock", |dir| {
                // Yarn 2+ (berry) writes `__metadata:` into its lockfile and reads `.yarnrc.yml`.
                let berry = dir.join(".yarnrc.yml").exists()
                    || read_lockfile(&dir.join("yarn.lock")).is_some_and(|t| t.contains("__metadata:"));
                if berry {
                    vec!["yarn", "install", "--mode=update-lockfile"]
                } else {
                    vec!["yarn", "install", "--ignore-scripts"]
                }
            }),
        ];
        for (name, command) in candidates {
            let path = d.join(name);
            if path.exists() {
                return Some(Lockfile { path, dir: d.to_path_buf(), command: command(d) });
            }
        }
    }
    None
}

/// A lockfile's text, when it is a regular file of at most [`crate::fsread::LOCKFILE_LIMIT`].
fn read_lockfile(path: &Path) -> Option<String> {
    crate::fsread::read_text(path, crate::fsread::LOCKFILE_LIMIT, None).ok()
}

/// Runs the lockfile-only update. Returns a one-line summary of what moved, or why it could not run.
pub fn update(lockfile: &Lockfile, packages: &[String]) -> Result<String, String> {
    let before = read_lockfile(&lockfile.path).unwrap_or_default();
    let (program, args) = lockfile.command.split_first().ok_or("empty command")?;
    let output = Command::new(program).args(args).current_dir(&lockfile.dir).output().map_err(|err| {
        if err.kind() == std::io::ErrorKind::NotFound {
            format!(
                "{program} is not installed, so the lockfile was not updated: run `{}` where it is",
                lockfile.command_line()
            )
        } else {
            format!("`{}` could not be started: {err}", lockfile.command_line())
        }
    })?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let tail: Vec<&str> = stderr.lines().rev().take(3).collect::<Vec<_>>().into_iter().rev().collect();
        return Err(format!("`{}` failed: {}", lockfile.command_line(), tail.join(" / ")));
    }
    let after = read_lockfile(&lockfile.path).unwrap_or_default();
    if before == after {
        return Ok("unchanged".to_string());
    }
    if lockfile.path.file_name().is_some_and(|n| n == "package-lock.json" || n == "npm-shrinkwrap.json") {
        let moved: Vec<String> = packages
            .iter()
            .filter_map(|p| {
                let old = npm_locked_version(&before, p);
                let new = npm_locked_version(&after, p)?;
                (old.as_deref() != Some(new.as_str()))
                    .then(|| format!("{p} {} -> {new}", old.as_deref().unwrap_or("(new)")))
            })
            .collect();
        if !moved.is_empty() {
            return Ok(moved.join(", "));
        }
    }
    let changed = similar::TextDiff::from_lines(&before, &after)
        .iter_all_changes()
        .filter(|c| c.tag() != similar::ChangeTag::Equal)
        .count();
    Ok(format!("{changed} lines changed"))
}

/// The version npm locked for a top-level package.
fn npm_locked_version(lock: &str, package: &str) -> Option<String> {
    let json: serde_json::Value = serde_json::from_str(lock).ok()?;
    let key = format!("node_modules/{package}");
    json.get("packages")?.get(&key)?.get("version")?.as_str().map(str::to_string)
}

/// Runs the lockfile-only update of every written manifest's lockfile; failures become errors (the written files
/// stay written).
pub fn update_written(result: &mut RunResult, written: &[PathBuf]) -> Vec<String> {
    let mut lines = Vec::new();
    let mut done: Vec<PathBuf> = Vec::new();
    for change in result.changes.iter().filter(|c| c.is_manifest && written.contains(&c.path)) {
        let dir = change.path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(std::path::Path::new("."));
        let Some(lock) = find(dir, result.root.as_deref()) else { continue };
        if done.contains(&lock.path) {
            continue;
        }
        done.push(lock.path.clone());
        let packages: Vec<String> =
            result.dependencies.iter().filter(|d| d.manifest == change.path).map(|d| d.package.clone()).collect();
        match update(&lock, &packages) {
            Ok(summary) => {
                lines.push(format!("updated {} ({summary})", crate::discover::display_path(&lock.path)));
                result.updated_lockfiles.push(lock.path.clone());
            }
            Err(message) => result.errors.push(FileError::new(&lock.path, ErrorKind::Lockfile, message)),
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_lockfile_and_its_command() {
        let dir = tempfile::tempdir().expect("tempdir");
        let app = dir.path().join("packages/api");
        std::fs::create_dir_all(&app).expect("mkdir");
        assert_eq!(find(&app, None), None);
        std::fs::write(dir.path().join("yarn.lock"), "# yarn lockfile v1\n").expect("write");
        let lock = find(&app, None).expect("workspace root lockfile");
        assert_eq!(lock.dir, dir.path());
        assert_eq!(lock.command_line(), "yarn install --ignore-scripts");
        std::fs::write(dir.path().join("yarn.lock"), "__metadata:\n  version: 8\n").expect("write");
        assert_eq!(find(&app, None).expect("berry").command_line(), "yarn install --mode=update-lockfile");
        // Never above the project root.
        let root = dir.path().join("packages").canonicalize().expect("canonical");
        assert_eq!(find(&app, Some(&root)), None);
        std::fs::write(app.join("package-lock.json"), "{}").expect("write");
        let lock = find(&app, None).expect("npm");
        assert_eq!(lock.command_line(), "npm install --package-lock-only --ignore-scripts --no-audit");
        assert_eq!(lock.dir, app);
    }

    #[test]
    fn npm_versions_are_read_from_the_packages_map() {
        let lock = r#"{"packages": {"": {}, "node_modules/express": {"version": "4.22.3"}}}"#;
        assert_eq!(npm_locked_version(lock, "express").as_deref(), Some("4.22.3"));
        assert_eq!(npm_locked_version(lock, "helmet"), None);
    }
}
