//! Lockfiles: after a manifest change the lockfile is stale and `npm ci` fails. This module finds the lockfile of a
//! manifest, gives the lockfile-only command of its package manager (scripts off), runs it when asked (`--lockfile`),
//! and summarises what moved.
//!
//! The package manager runs none of the repository's code: `--ignore-scripts` turns the install scripts off, and
//! the settings by which a repository names a program for the package manager to run are overridden on the command
//! line (npm: `git=` in `.npmrc`; pnpm: `.pnpmfile.cjs` or `pnpmfile=`; Yarn 1: `yarn-path` in `.yarnrc`). Where
//! overriding would give a wrong lockfile (pnpm records its pnpmfile's checksum) or the repository ships the package
//! manager itself (Yarn 2+'s `yarnPath`, its plugins), the lockfile is not updated and the message says why. The
//! package manager is found by absolute path and does not see the user's tokens ([`crate::child`]).
//!
//! Only the lockfile changes: Yarn 1 has no lockfile-only mode, so it installs into a temporary folder that is deleted
//! afterwards, and the `node_modules` folders it still makes in the workspaces are removed.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::child;
use crate::outcome::{ErrorKind, FileError, RunResult};

/// The package managers, as far as running them safely goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Manager {
    /// npm (package-lock.json, npm-shrinkwrap.json).
    Npm,
    /// pnpm (pnpm-lock.yaml).
    Pnpm,
    /// Yarn 1 (yarn.lock without `__metadata:`).
    Yarn1,
    /// Yarn 2+ (berry: `__metadata:` in yarn.lock, or a `.yarnrc.yml`).
    YarnBerry,
}

/// A lockfile and the package manager that owns it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lockfile {
    /// The lockfile.
    pub path: PathBuf,
    /// The folder the command runs in (the lockfile's).
    pub dir: PathBuf,
    /// Program and arguments of the lockfile-only update, as shown to the user.
    pub command: Vec<&'static str>,
    /// The package manager.
    pub manager: Manager,
}

impl Lockfile {
    /// The command as a user types it.
    pub fn command_line(&self) -> String {
        self.command.join(" ")
    }
}

/// The lockfile-only command for a lockfile in a folder.
type CommandFor = fn(&Path) -> (Manager, Vec<&'static str>);

/// The lockfile of the project whose manifest is in `manifest_dir`: there, or in a workspace root above it.
pub fn find(manifest_dir: &Path) -> Option<Lockfile> {
    let mut dir = Some(manifest_dir);
    while let Some(d) = dir {
        let candidates: [(&str, CommandFor); 4] = [
            ("package-lock.json", |_| {
                (Manager::Npm, vec!["npm", "install", "--package-lock-only", "--ignore-scripts", "--no-audit"])
            }),
            ("npm-shrinkwrap.json", |_| {
                (Manager::Npm, vec!["npm", "install", "--package-lock-only", "--ignore-scripts", "--no-audit"])
            }),
            ("pnpm-lock.yaml", |_| (Manager::Pnpm, vec!["pnpm", "install", "--lockfile-only", "--ignore-scripts"])),
            ("yarn.lock", |dir| {
                // Yarn 2+ (berry) writes `__metadata:` into its lockfile and reads `.yarnrc.yml`.
                let berry = dir.join(".yarnrc.yml").exists()
                    || std::fs::read_to_string(dir.join("yarn.lock")).is_ok_and(|t| t.contains("__metadata:"));
                if berry {
                    (Manager::YarnBerry, vec!["yarn", "install", "--mode=update-lockfile"])
                } else {
                    (Manager::Yarn1, vec!["yarn", "install", "--ignore-scripts"])
                }
            }),
        ];
        for (name, command) in candidates {
            let path = d.join(name);
            if path.exists() {
                let (manager, command) = command(d);
                return Some(Lockfile { path, dir: d.to_path_buf(), command, manager });
            }
        }
        dir = d.parent().filter(|p| !p.as_os_str().is_empty());
    }
    None
}

/// Why running the package manager in `lockfile.dir` would run the repository's code in a way no flag turns off
/// without giving a wrong lockfile; `None` when it is safe with [`safe_command`]'s overrides.
fn refusal(lockfile: &Lockfile) -> Option<String> {
    let dir = &lockfile.dir;
    let read = |name: &str| std::fs::read_to_string(dir.join(name)).unwrap_or_default();
    let yourself = format!("run `{}` yourself if you trust the repository", lockfile.command_line());
    match lockfile.manager {
        Manager::Npm | Manager::Yarn1 => None,
        Manager::Pnpm => {
            let pnpmfile = [".pnpmfile.cjs", ".pnpmfile.mjs"].into_iter().find(|name| dir.join(name).exists());
            let configured = read(".npmrc").contains("pnpmfile") || read("pnpm-workspace.yaml").contains("pnpmfile");
            let recorded = read("pnpm-lock.yaml").contains("pnpmfileChecksum");
            (pnpmfile.is_some() || configured || recorded).then(|| {
                format!(
                    "the project has a pnpmfile ({}), which pnpm would run, and a lockfile made without it \
                     (--ignore-pnpmfile) would not match; the lockfile was not updated: {yourself}",
                    pnpmfile.unwrap_or(if configured { "set in its configuration" } else { "named by its lockfile" })
                )
            })
        }
        Manager::YarnBerry => {
            let rc = read(".yarnrc.yml");
            let key = |key: &str| rc.lines().any(|l| l.trim_start().starts_with(key));
            let shipped = if key("yarnPath:") {
                Some("runs the Yarn release the repository ships (yarnPath in .yarnrc.yml)")
            } else if key("plugins:") {
                Some("loads the plugins the repository ships (plugins in .yarnrc.yml)")
            } else {
                None
            };
            shipped.map(|what| format!("Yarn 2+ {what}; the lockfile was not updated: {yourself}"))
        }
    }
}

/// The command that runs: the one shown, found by absolute path, with the overrides that keep the repository's
/// programs from running and a cleaned environment.
fn safe_command(lockfile: &Lockfile, modules: Option<&Path>) -> Result<Command, String> {
    let (program, args) = lockfile.command.split_first().ok_or("empty command")?;
    let mut command = child::command(program);
    command.args(args).current_dir(&lockfile.dir);
    match lockfile.manager {
        Manager::Npm => {
            // The command line beats `git=` in the repository's .npmrc (npm runs it for git dependencies).
            let git = child::find_program("git").unwrap_or_else(|| PathBuf::from("git"));
            command.arg(format!("--git={}", git.display()));
        }
        Manager::Pnpm => {
            command.arg("--ignore-pnpmfile");
        }
        Manager::Yarn1 | Manager::YarnBerry => {
            // Yarn 1 runs the program `yarn-path` names in .yarnrc (or `yarnPath` in .yarnrc.yml) instead of itself.
            command.env("YARN_IGNORE_PATH", "1");
        }
    }
    if let Some(modules) = modules {
        command.arg("--modules-folder").arg(modules).arg("--non-interactive");
    }
    Ok(command)
}

/// The major version of the yarn found on PATH.
fn yarn_major(lockfile: &Lockfile) -> Option<u32> {
    let out = child::command("yarn")
        .arg("--version")
        .env("YARN_IGNORE_PATH", "1")
        .current_dir(&lockfile.dir)
        .output()
        .ok()?;
    String::from_utf8_lossy(&out.stdout).trim().split('.').next()?.parse().ok()
}

/// The folders below `dir` (node_modules and .git left out) that hold a package.json and no node_modules: where
/// Yarn 1 may make one for a workspace.
fn without_node_modules(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(folder) = stack.pop() {
        if folder.join("package.json").is_file() && std::fs::symlink_metadata(folder.join("node_modules")).is_err() {
            out.push(folder.clone());
        }
        let Ok(entries) = std::fs::read_dir(&folder) else { continue };
        for entry in entries.flatten() {
            let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
            if is_dir && entry.file_name() != "node_modules" && entry.file_name() != ".git" {
                stack.push(entry.path());
            }
        }
    }
    out
}

/// Runs the lockfile-only update. Returns a one-line summary of what moved, or why it could not run.
pub fn update(lockfile: &Lockfile, packages: &[String]) -> Result<String, String> {
    if let Some(message) = refusal(lockfile) {
        return Err(message);
    }
    let program = lockfile.command.first().copied().unwrap_or_default();
    let not_installed = || {
        format!(
            "{program} is not installed, so the lockfile was not updated: run `{}` where it is",
            lockfile.command_line()
        )
    };
    if child::find_program(program).is_none() {
        return Err(not_installed());
    }
    if lockfile.manager == Manager::YarnBerry {
        match yarn_major(lockfile) {
            Some(major) if major >= 2 => {}
            found => {
                return Err(format!(
                    "this is a Yarn 2+ project, and the yarn found is {}: the lockfile was not updated (Yarn 1 \
                     would install the packages): run `{}` with Yarn 2+",
                    found.map_or_else(|| "of an unknown version".to_string(), |m| format!("version {m}")),
                    lockfile.command_line()
                ));
            }
        }
    }
    // Yarn 1 has no lockfile-only mode: it installs, into a temporary folder.
    let (modules, fresh) = if lockfile.manager == Manager::Yarn1 {
        let modules = tempfile::Builder::new()
            .prefix("express-harden-modules-")
            .tempdir()
            .map_err(|err| format!("no temporary folder for Yarn's install: {err}"))?;
        (Some(modules), without_node_modules(&lockfile.dir))
    } else {
        (None, Vec::new())
    };
    let before = std::fs::read_to_string(&lockfile.path).unwrap_or_default();
    let output = safe_command(lockfile, modules.as_ref().map(|m| m.path()))?.output();
    // Yarn 1 still makes node_modules in workspaces whose packages it cannot hoist: remove the ones it made.
    for folder in fresh {
        let made = folder.join("node_modules");
        if std::fs::symlink_metadata(&made).is_ok_and(|m| m.is_dir()) {
            let _ = std::fs::remove_dir_all(&made);
        }
    }
    drop(modules);
    let output = output.map_err(|err| {
        if err.kind() == std::io::ErrorKind::NotFound {
            not_installed()
        } else {
            format!("`{}` could not be started: {err}", lockfile.command_line())
        }
    })?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let tail: Vec<&str> = stderr.lines().rev().take(3).collect::<Vec<_>>().into_iter().rev().collect();
        return Err(format!("`{}` failed: {}", lockfile.command_line(), tail.join(" / ")));
    }
    let after = std::fs::read_to_string(&lockfile.path).unwrap_or_default();
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
        let Some(lock) = find(dir) else { continue };
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
        assert_eq!(find(&app), None);
        std::fs::write(dir.path().join("yarn.lock"), "# yarn lockfile v1\n").expect("write");
        let lock = find(&app).expect("workspace root lockfile");
        assert_eq!(lock.dir, dir.path());
        assert_eq!(lock.command_line(), "yarn install --ignore-scripts");
        std::fs::write(dir.path().join("yarn.lock"), "__metadata:\n  version: 8\n").expect("write");
        assert_eq!(find(&app).expect("berry").command_line(), "yarn install --mode=update-lockfile");
        std::fs::write(app.join("package-lock.json"), "{}").expect("write");
        let lock = find(&app).expect("npm");
        assert_eq!(lock.command_line(), "npm install --package-lock-only --ignore-scripts --no-audit");
        assert_eq!(lock.dir, app);
    }

    /// The arguments of the command that runs (after the program).
    fn args_of(lock: &Lockfile, modules: Option<&Path>) -> Vec<String> {
        let command = safe_command(lock, modules).expect("command");
        command.get_args().map(|a| a.to_string_lossy().into_owned()).collect()
    }

    #[test]
    fn the_repository_cannot_name_a_program_for_the_package_manager() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("package-lock.json"), "{}").expect("write");
        let npm = find(dir.path()).expect("npm");
        let args = args_of(&npm, None);
        let git = args.iter().find_map(|a| a.strip_prefix("--git=")).expect("--git= beats .npmrc's git=");
        assert!(Path::new(git).is_absolute() || git == "git", "{git}");

        let pnpm = Lockfile { manager: Manager::Pnpm, ..npm.clone() };
        assert!(args_of(&pnpm, None).contains(&"--ignore-pnpmfile".to_string()));

        let yarn = Lockfile { manager: Manager::Yarn1, command: vec!["yarn", "install", "--ignore-scripts"], ..npm };
        let command = safe_command(&yarn, Some(Path::new("/tmp/m"))).expect("command");
        let ignore_path = command.get_envs().find(|(k, _)| *k == "YARN_IGNORE_PATH").and_then(|(_, v)| v);
        assert_eq!(ignore_path, Some(std::ffi::OsStr::new("1")));
        assert_eq!(args_of(&yarn, Some(Path::new("/tmp/m")))[2..], ["--modules-folder", "/tmp/m", "--non-interactive"]);
    }

    #[test]
    fn a_pnpmfile_or_a_shipped_yarn_is_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("pnpm-lock.yaml"), "lockfileVersion: '9.0'\n").expect("write");
        let pnpm = find(dir.path()).expect("pnpm");
        assert_eq!(refusal(&pnpm), None);
        std::fs::write(dir.path().join(".npmrc"), "pnpmfile=hooks.cjs\n").expect("write");
        assert!(refusal(&pnpm).is_some_and(|m| m.contains("set in its configuration")));
        std::fs::write(dir.path().join(".pnpmfile.cjs"), "").expect("write");
        let message = refusal(&pnpm).expect("refused");
        assert!(message.starts_with("the project has a pnpmfile (.pnpmfile.cjs), which pnpm would run"), "{message}");

        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("yarn.lock"), "__metadata:\n  version: 8\n").expect("write");
        let berry = find(dir.path()).expect("berry");
        assert_eq!(berry.manager, Manager::YarnBerry);
        assert_eq!(refusal(&berry), None);
        std::fs::write(dir.path().join(".yarnrc.yml"), "nodeLinker: node-modules\nyarnPath: .yarn/releases/y.cjs\n")
            .expect("write");
        let message = refusal(&berry).expect("refused");
        assert!(message.contains("ships (yarnPath in .yarnrc.yml)"), "{message}");
    }

    #[test]
    fn npm_versions_are_read_from_the_packages_map() {
        let lock = r#"{"packages": {"": {}, "node_modules/express": {"version": "4.22.3"}}}"#;
        assert_eq!(npm_locked_version(lock, "express").as_deref(), Some("4.22.3"));
        assert_eq!(npm_locked_version(lock, "helmet"), None);
    }
}
