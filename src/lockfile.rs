//! Lockfiles: after a manifest change the lockfile is stale and `npm ci` fails. This module finds the lockfile of a
//! manifest, gives the lockfile-only command of its package manager (scripts off), runs it when asked (`--lockfile`),
//! and summarises what moved.
//!
//! The package manager runs none of the repository's code: `--ignore-scripts` turns the install scripts off, and
//! the settings by which a repository names a program for the package manager to run are overridden on the command
//! line (npm: `git=` in `.npmrc`; pnpm: `.pnpmfile.cjs` or `pnpmfile=`, and the `packageManager` version it would
//! fetch; Yarn 1: `yarn-path` in `.yarnrc`). Where overriding would give a wrong lockfile (pnpm records its
//! pnpmfile's checksum) or cannot be done (Yarn 2+ loads the plugins and the release its `.yarnrc.yml` files name),
//! the lockfile is not updated and the message says why and what to run by hand. The package manager is found by
//! absolute path and does not see the user's tokens unless `--lockfile-env` names them ([`crate::child`] lists every
//! promise).
//!
//! Only the lockfile changes: Yarn 1 has no lockfile-only mode, so it installs into a temporary folder that is deleted
//! afterwards, and the `node_modules` folders it still makes in the workspaces are removed.

use std::collections::{BTreeMap, BTreeSet};
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::child;

/// The package managers, as far as running them safely goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Manager {
    /// npm (package-lock.json, npm-shrinkwrap.json).
    Npm,
    /// pnpm (pnpm-lock.yaml).
    Pnpm,
    /// Yarn 1 (yarn.lock without `__metadata:`).
    Yarn1,
    /// Yarn 2+ (berry: `__metadata:` in yarn.lock, or a `.yarnrc.yml` in the lockfile's folder or above).
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
    /// Another lockfile of the same folder that is as much in use as this one (see [`find`]): which package
    /// manager installs the project is not known, and neither is updated.
    pub rival: Option<PathBuf>,
    /// This lockfile is the one of the package manager package.json's `packageManager` names, but git ignores it,
    /// and tracks its [`Lockfile::rival`]: the two disagree (see [`rival_message`]).
    pub declared_but_ignored: bool,
    /// A package-lock.json next to this npm-shrinkwrap.json: npm installs from the shrinkwrap and ignores it.
    pub shadowed: Option<PathBuf>,
}

impl Lockfile {
    /// The command as a user types it.
    pub fn command_line(&self) -> String {
        self.command.join(" ")
    }

    /// The install that refuses a stale lockfile (what CI runs), in this package manager's words.
    pub fn frozen_install(&self) -> &'static str {
        match self.manager {
            Manager::Npm => "npm ci",
            Manager::Pnpm => "pnpm install --frozen-lockfile",
            Manager::Yarn1 => "yarn install --frozen-lockfile",
            Manager::YarnBerry => "yarn install --immutable",
        }
    }
}

/// The lockfile-only command for a lockfile in a folder.
type CommandFor = fn(&Path) -> (Manager, Vec<&'static str>);

/// The lockfile of the project whose manifest is in `manifest_dir`: there, or in a workspace root above it, no higher
/// than the project `root` (see [`crate::root::folders_up_to`]).
///
/// Inside a workspace the package manager installs from the workspace root's lockfile: a member's own
/// package-lock.json or npm-shrinkwrap.json (npm workspaces), Yarn 1 yarn.lock (Yarn 1 workspaces, named in a
/// package.json's `workspaces` as npm's are), or pnpm-lock.yaml (a pnpm workspace), is not its lockfile
/// ([`ignored`]).
pub fn find(manifest_dir: &Path, root: Option<&Path>) -> Option<Lockfile> {
    let dirs = folders(manifest_dir, root);
    for (at, d) in dirs.iter().enumerate() {
        let d = d.as_path();
        let candidates: [(&str, CommandFor); 4] = [
            // (npm-shrinkwrap.json first: with both, npm installs from it and ignores package-lock.json.)
            ("npm-shrinkwrap.json", |_| {
                (Manager::Npm, vec!["npm", "install", "--package-lock-only", "--ignore-scripts", "--no-audit"])
            }),
            ("package-lock.json", |_| {
                (Manager::Npm, vec!["npm", "install", "--package-lock-only", "--ignore-scripts", "--no-audit"])
            }),
            ("pnpm-lock.yaml", |_| (Manager::Pnpm, vec!["pnpm", "install", "--lockfile-only", "--ignore-scripts"])),
            ("yarn.lock", |dir| {
                // Yarn 2+ (berry) writes `__metadata:` into its lockfile and reads the `.yarnrc.yml` of the project and
                // of its parent folders.
                let berry = dir.ancestors().any(|d| d.join(".yarnrc.yml").exists())
                    || read_lockfile(&dir.join("yarn.lock")).is_some_and(|t| t.contains("__metadata:"));
                if berry {
                    (Manager::YarnBerry, vec!["yarn", "install", "--mode=update-lockfile"])
                } else {
                    (Manager::Yarn1, vec!["yarn", "install", "--ignore-scripts"])
                }
            }),
        ];
        let mut found: Vec<Lockfile> = Vec::new();
        for (name, command) in candidates {
            let path = d.join(name);
            if path.exists() {
                let (manager, command) = command(d);
                if matches!(manager, Manager::Npm | Manager::Pnpm | Manager::Yarn1)
                    && workspace_root(&dirs[at..], root, manager).is_some()
                {
                    continue;
                }
                // (One npm lockfile: npm-shrinkwrap.json when there is one, package-lock.json then shadowed.)
                if let Some(shrinkwrap) = found.iter_mut().find(|l| l.manager == manager) {
                    if manager == Manager::Npm {
                        shrinkwrap.shadowed = Some(path);
                    }
                } else {
                    found.push(Lockfile {
                        path,
                        dir: d.to_path_buf(),
                        command,
                        manager,
                        rival: None,
                        declared_but_ignored: false,
                        shadowed: None,
                    });
                }
            }
        }
        if found.len() > 1 {
            found = in_use(found, root);
        }
        let mut found = found.into_iter();
        if let Some(mut lock) = found.next() {
            lock.rival = found.next().map(|other| other.path);
            return Some(lock);
        }
    }
    None
}

/// The install of a project that has no lockfile yet, and the folder it runs in: the package manager a package.json
/// names in `packageManager`, or pnpm for a `pnpm-workspace.yaml`, in the manifest's folder or the nearest above it
/// (a workspace is installed from its root: npm cannot install a member's `workspace:` versions); else npm, there.
pub fn install_without_lockfile(manifest_dir: &Path, root: Option<&Path>) -> (&'static str, PathBuf) {
    for dir in folders(manifest_dir, root) {
        if dir.join("pnpm-workspace.yaml").is_file() {
            return ("pnpm install", dir);
        }
        match declared_manager(&dir, root).as_deref() {
            Some("pnpm") => return ("pnpm install", dir),
            Some("yarn") => return ("yarn install", dir),
            Some("npm") => return ("npm install", dir),
            _ => {}
        }
    }
    ("npm install", manifest_dir.to_path_buf())
}

/// The package manager's name (`pnpm` of `pnpm@8.15.9`) in the `packageManager` field of `dir`'s package.json.
fn declared_manager(dir: &Path, root: Option<&Path>) -> Option<String> {
    let text = crate::fsread::read_text(&dir.join("package.json"), crate::fsread::TEXT_LIMIT, root).ok()?;
    let json = serde_json::from_str::<serde_json::Value>(&text).ok()?;
    Some(json.get("packageManager")?.as_str()?.split('@').next()?.to_string())
}

/// Of several lockfiles of one folder, those its package manager uses, as the package managers and Renovate decide:
/// the one of the `packageManager` field of the folder's package.json, else those git does not ignore (a stray
/// package-lock.json that `.gitignore` lists next to the yarn.lock of a Yarn project). More than one left: both are
/// in use ([`Lockfile::rival`]). The `packageManager`'s lockfile ignored by git while another is tracked (Yarn would
/// use yarn.lock, the repository commits package-lock.json): the two disagree, and both are returned, the declared
/// one first ([`Lockfile::declared_but_ignored`]).
fn in_use(found: Vec<Lockfile>, root: Option<&Path>) -> Vec<Lockfile> {
    let Some(dir) = found.first().map(|l| l.dir.clone()) else { return found };
    let declared = declared_manager(&dir, root);
    let owns = |l: &Lockfile, name: &str| match l.manager {
        Manager::Npm => name == "npm",
        Manager::Pnpm => name == "pnpm",
        Manager::Yarn1 | Manager::YarnBerry => name == "yarn",
    };
    let ignored = |l: &Lockfile| {
        let Some(file) = l.path.file_name() else { return false };
        child::git()
            .ok()
            .and_then(|mut git| git.current_dir(&l.dir).args(["check-ignore", "-q", "--"]).arg(file).output().ok())
            .is_some_and(|out| out.status.success())
    };
    if let Some(name) = declared.filter(|name| found.iter().any(|l| owns(l, name))) {
        let (mut own, others): (Vec<Lockfile>, Vec<Lockfile>) = found.into_iter().partition(|l| owns(l, &name));
        if own.iter().all(ignored) {
            if let Some(tracked) = others.into_iter().find(|l| !ignored(l)) {
                if let Some(first) = own.first_mut() {
                    first.declared_but_ignored = true;
                }
                own.truncate(1);
                own.push(tracked);
            }
        }
        return own;
    }
    let (ignored, live): (Vec<Lockfile>, Vec<Lockfile>) = found.into_iter().partition(ignored);
    if live.is_empty() {
        ignored
    } else {
        live
    }
}

/// The lockfile of the manifest in `manifest_dir` that its package manager ignores, the workspace root it installs
/// the manifest from instead, and that package manager: a package-lock.json (or npm-shrinkwrap.json) next to a
/// manifest that a package.json above names as a workspace, a Yarn 1 yarn.lock next to one too (Yarn 2+ takes a
/// folder with its own yarn.lock for a project of its own), a pnpm-lock.yaml next to one that a pnpm-workspace.yaml
/// above names (see [`workspace_root`]).
pub fn ignored(manifest_dir: &Path, root: Option<&Path>) -> Option<(PathBuf, PathBuf, Manager)> {
    let dirs = folders(manifest_dir, root);
    let dir = dirs.first()?;
    [
        ("package-lock.json", Manager::Npm),
        ("npm-shrinkwrap.json", Manager::Npm),
        ("yarn.lock", Manager::Yarn1),
        ("pnpm-lock.yaml", Manager::Pnpm),
    ]
    .into_iter()
    .map(|(name, manager)| (dir.join(name), manager))
    .filter(|(own, manager)| {
        own.exists() && (*manager != Manager::Yarn1 || read_lockfile(own).is_some_and(|t| !t.contains("__metadata:")))
    })
    .find_map(|(own, manager)| Some((own, workspace_root(&dirs, root, manager)?.clone(), manager)))
}

/// The workspace root above `dirs[0]` (among `dirs[1..]`, the folders above it) from whose lockfile `manager`
/// installs it. npm: the nearest folder whose package.json names `dirs[0]` as one of its `workspaces`. pnpm: the
/// nearest whose pnpm-workspace.yaml names it in its `packages`, unless that workspace gives each project a lockfile
/// of its own (`shared-workspace-lockfile=false` in its .npmrc, or `sharedWorkspaceLockfile: false` in
/// pnpm-workspace.yaml).
fn workspace_root<'a>(dirs: &'a [PathBuf], root: Option<&Path>, manager: Manager) -> Option<&'a PathBuf> {
    let absolute = |d: &Path| crate::root::normalize(&std::path::absolute(d).unwrap_or_else(|_| d.to_path_buf()));
    let (member, above) = dirs.split_first()?;
    let member = absolute(member);
    let read = |path: PathBuf| crate::fsread::read_text(&path, crate::fsread::TEXT_LIMIT, root).ok();
    above.iter().find(|dir| {
        let Ok(relative) = member.strip_prefix(absolute(dir)) else { return false };
        let relative = relative.to_string_lossy().replace('\\', "/");
        let patterns = match manager {
            Manager::Pnpm => {
                #[derive(serde::Deserialize)]
                #[serde(rename_all = "camelCase")]
                struct PnpmWorkspace {
                    #[serde(default)]
                    packages: Vec<String>,
                    shared_workspace_lockfile: Option<bool>,
                }
                let Some(workspace) = read(dir.join("pnpm-workspace.yaml"))
                    .and_then(|text| serde_saphyr::from_str::<PnpmWorkspace>(&text).ok())
                else {
                    return false;
                };
                let own_lockfiles = workspace.shared_workspace_lockfile == Some(false)
                    || read(dir.join(".npmrc")).is_some_and(|npmrc| {
                        npmrc.lines().any(|line| {
                            line.split_once('=').is_some_and(|(key, value)| {
                                key.trim() == "shared-workspace-lockfile" && value.trim() == "false"
                            })
                        })
                    });
                if own_lockfiles {
                    return false;
                }
                workspace.packages
            }
            _ => match read(dir.join("package.json")).and_then(|text| crate::manifest::ManifestInfo::parse(&text).ok())
            {
                Some(info) => info.workspaces().to_vec(),
                None => return false,
            },
        };
        !patterns.is_empty() && crate::manifest::workspace_folders(&patterns, dir).contains(&relative)
    })
}

/// The workspace root whose packages the project in `manifest_dir` also resolves: the nearest folder above it (no
/// higher than `root`) whose package.json names it among its `workspaces` (npm, Yarn) or whose pnpm-workspace.yaml
/// names it among its `packages`. The package manager installs the root's own dependencies into the root's
/// `node_modules`, where Node finds them from the member's code; not under Yarn 2+'s Plug'n'Play (a `.yarnrc.yml`
/// without a `node_modules` linker), which lets a workspace require only what it lists itself.
pub fn workspace_root_above(manifest_dir: &Path, root: Option<&Path>) -> Option<PathBuf> {
    let dirs = folders(manifest_dir, root);
    let found = workspace_root(&dirs, root, Manager::Npm).or_else(|| workspace_root(&dirs, root, Manager::Pnpm))?;
    let yarnrc = crate::fsread::read_text(&found.join(".yarnrc.yml"), crate::fsread::TEXT_LIMIT, root).ok();
    let pnp = yarnrc.is_some_and(|text| {
        !text.lines().any(|line| {
            line.split_once(':').is_some_and(|(key, value)| {
                key.trim() == "nodeLinker" && matches!(value.trim().trim_matches(['"', '\'']), "node-modules" | "pnpm")
            })
        })
    });
    (!pnp).then(|| found.clone())
}

/// The folders where the lockfile of the manifest in `manifest_dir` may be, nearest first (see [`find`]).
fn folders(manifest_dir: &Path, root: Option<&Path>) -> Vec<PathBuf> {
    match root {
        // Without a root, the folders of the path as given (a relative one stops at the current folder).
        None => std::iter::successors(Some(manifest_dir), |d| d.parent().filter(|p| !p.as_os_str().is_empty()))
            .map(Path::to_path_buf)
            .collect(),
        Some(_) => {
            let relative = !manifest_dir.is_absolute();
            crate::root::folders_up_to(manifest_dir, root)
                .into_iter()
                // Shown as the manifest was (relative to the current folder when it was).
                .map(|d| if relative { crate::root::relative_to_cwd(&d) } else { d })
                .map(|d| if d.as_os_str().is_empty() { PathBuf::from(".") } else { d })
                .collect()
        }
    }
}

/// A lockfile's text, when it is a regular file of at most [`crate::fsread::LOCKFILE_LIMIT`].
fn read_lockfile(path: &Path) -> Option<String> {
    crate::fsread::read_text(path, crate::fsread::LOCKFILE_LIMIT, None).ok()
}

/// Why running the package manager in `lockfile.dir` would run the repository's code in a way no flag turns off
/// without giving a wrong lockfile; `None` when it is safe with [`safe_command`]'s overrides.
fn refusal(lockfile: &Lockfile) -> Option<String> {
    let dir = &lockfile.dir;
    let read =
        |name: &str| crate::fsread::read_text(&dir.join(name), crate::fsread::TEXT_LIMIT, None).unwrap_or_default();
    let yourself = format!("run `{}` yourself if you trust the repository", lockfile.command_line());
    if let Some(message) = rival_message(lockfile) {
        return Some(message);
    }
    match lockfile.manager {
        Manager::Npm | Manager::Yarn1 => None,
        Manager::Pnpm => {
            if let Some(message) = pnpm_writes_another_version(lockfile) {
                return Some(message);
            }
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
        // Berry loads the plugins (and runs the release) that the `.yarnrc.yml` files of the project and of its
        // parent folders name, however the YAML spells them; no flag turns the plugins off.
        Manager::YarnBerry => Some(format!(
            "this is a Yarn 2+ project: Yarn 2+ always loads the plugins and the Yarn release (yarnPath) named in the \
             project's .yarnrc.yml files, which are the repository's code, so the lockfile was not updated: {yourself}"
        )),
    }
}

/// Why the pnpm found here must not update the lockfile: each pnpm major writes one lockfile format (pnpm 8 '6.0',
/// pnpm 9 and 10 '9.0'), and rewrites a lockfile of another into its own, which the project's pnpm then cannot install
/// from (pnpm 8 refuses '9.0': ERR_PNPM_LOCKFILE_BREAKING_CHANGE). `None` when the formats agree or are not known.
fn pnpm_writes_another_version(lockfile: &Lockfile) -> Option<String> {
    let text = read_lockfile(&lockfile.path)?;
    let version = text.lines().find_map(|l| l.strip_prefix("lockfileVersion:"))?.trim().trim_matches(['\'', '"']);
    let writers: &[u32] = match version.split('.').next()? {
        "5" => &[7],
        "6" => &[8],
        "9" => &[9, 10],
        _ => return None,
    };
    let found = major_of("pnpm")?;
    (!writers.contains(&found)).then(|| {
        let wanted = writers.iter().map(|m| format!("pnpm {m}")).collect::<Vec<_>>().join(" or ");
        format!(
            "is lockfile version {version}, which {wanted} writes; the pnpm found here is version {found}, which \
             would rewrite it in its own format (that the project's pnpm could not install from): the lockfile was \
             not updated: run `{}` with {wanted}",
            lockfile.command_line()
        )
    })
}

/// Why a lockfile with a [`Lockfile::rival`] is neither read nor updated (after the lockfile's path); `None` when it
/// has none.
pub fn rival_message(lockfile: &Lockfile) -> Option<String> {
    let rival = crate::root::display_path(lockfile.rival.as_deref()?);
    Some(if lockfile.declared_but_ignored {
        let name = lockfile.command.first().copied().unwrap_or_default();
        format!(
            "is the lockfile of {name}, which package.json's packageManager names, but git ignores it, and {rival}, \
             the lockfile the repository commits, is another package manager's: the two disagree on which package \
             manager installs this project, so neither is read nor updated; delete the one the project does not use \
             (and stop ignoring the other), or change packageManager"
        )
    } else {
        format!(
            "{rival} is a lockfile of this project too (git ignores neither, and package.json has no packageManager \
             field), so which package manager installs it is not known: neither is read nor updated; delete the one \
             the project does not use (or add it to .gitignore), or set packageManager in package.json"
        )
    })
}

/// The command that runs: the one shown, found by absolute path, with the overrides that keep the repository's
/// programs from running and a cleaned environment (but for the variables in `pass`). Also returns the names of the
/// variables withheld from it.
fn safe_command(
    lockfile: &Lockfile,
    modules: Option<&Path>,
    extra: &[String],
    pass: &[OsString],
) -> Result<(Command, Vec<String>), String> {
    let (program, args) = lockfile.command.split_first().ok_or("empty command")?;
    let (mut command, withheld) = child::command_passing(program, pass)?;
    command.args(args).args(extra).current_dir(&lockfile.dir);
    match lockfile.manager {
        Manager::Npm => {
            // The command line beats `git=` in the repository's .npmrc (npm runs it for git dependencies). Only an
            // absolute path will do: a bare `git` would be looked up in PATH, relative entries included.
            let git = child::find_program("git").ok_or_else(|| {
                format!(
                    "`git` is not on PATH (relative PATH entries are not searched), and npm needs it named by absolute \
                     path (else the repository's .npmrc could name its own): the lockfile was not updated: run `{}` \
                     yourself",
                    lockfile.command_line()
                )
            })?;
            command.arg(format!("--git={}", git.display()));
        }
        Manager::Pnpm => {
            // Without the setting off, the `packageManager` field of package.json (with
            // `manage-package-manager-versions=true` in the repository's .npmrc, the default from pnpm 10) makes pnpm
            // fetch that pnpm from the registry the repository names, and run it.
            command.arg("--ignore-pnpmfile").arg("--config.manage-package-manager-versions=false");
        }
        Manager::Yarn1 | Manager::YarnBerry => {
            // Yarn 1 runs the program `yarn-path` names in .yarnrc (or `yarnPath` in .yarnrc.yml) instead of itself.
            command.env("YARN_IGNORE_PATH", "1");
        }
    }
    if let Some(modules) = modules {
        command.arg("--modules-folder").arg(modules).arg("--non-interactive");
    }
    Ok((command, withheld))
}

/// The major version of the `program` (yarn, pnpm) found on PATH, asked in the temporary folder (not in the
/// repository, whose `.yarnrc.yml` a Yarn 2+ would read, and whose `packageManager` field pnpm would follow).
fn major_of(program: &str) -> Option<u32> {
    let out = child::command(program)
        .ok()?
        .arg("--version")
        .env("YARN_IGNORE_PATH", "1")
        .current_dir(std::env::temp_dir())
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

/// Runs the lockfile-only update, passing the variables named in `pass` (`--lockfile-env`) through to the package
/// manager. Returns a one-line summary of what moved, or why it could not run.
///
/// `majors` are the packages moved to a new major, with their new range: in a Yarn 1 lockfile, the blocks of such a
/// package that stay on the old major though one of their ranges admits the new one (`"@types/express@*"` locked to
/// 4.17.25 while package.json moves to ^5.0.6) are removed first, so that Yarn resolves them anew. Yarn 1 keeps a
/// block while its ranges are asked for: the packages that ask `*` (other @types packages) would keep the old major
/// beside the new one, two copies of the Express types that TypeScript reports as conflicts.
pub fn update(
    lockfile: &Lockfile,
    packages: &[String],
    majors: &[(String, String)],
    pass: &[OsString],
) -> Result<String, String> {
    if lockfile.manager == Manager::Yarn1 && !majors.is_empty() && runs_here(lockfile) {
        if let Some(before) = read_lockfile(&lockfile.path) {
            let trimmed = yarn1_blocks_kept(&before, |key, block| !behind_a_new_major(key, block, majors));
            if trimmed != before {
                return with_yarn1_lockfile(lockfile, &before, &trimmed, || run_update(lockfile, &[], packages, pass));
            }
        }
    }
    run_update(lockfile, &[], packages, pass)
}

/// Whether a Yarn 1 block (its key line, and the whole block) is of a package of `majors`, locked below its new
/// major, with a range the new range's lowest version meets.
fn behind_a_new_major(key: &str, block: &str, majors: &[(String, String)]) -> bool {
    let keys = yarn1_keys(key);
    let Some((first, _)) = keys.first() else { return false };
    if keys.iter().any(|(n, _)| n != first) {
        return false;
    }
    let Some((_, to)) = majors.iter().find(|(p, _)| p == first) else { return false };
    let Some(lowest) = crate::npm_spec::min_version(to) else { return false };
    let locked = block.lines().find_map(|l| l.trim().strip_prefix("version ")).map(|v| v.trim().trim_matches('"'));
    let Some(locked) = locked.and_then(|v| nodejs_semver::Version::parse(v).ok()) else { return false };
    if locked.major >= lowest.major {
        return false;
    }
    keys.iter().any(|(_, range)| match crate::npm_spec::classify(range) {
        crate::npm_spec::Spec::Any => true,
        _ => crate::npm_spec::npm_range(range).is_some_and(|r| r.satisfies(&lowest)),
    })
}

/// Runs `update` on the Yarn 1 lockfile written as `trimmed` (from `before`), and puts `before` back when it fails,
/// a Ctrl-C included: Yarn 1 accepts a lockfile without some entries, even with --frozen-lockfile, so a lockfile left
/// so would go unnoticed.
fn with_yarn1_lockfile(
    lockfile: &Lockfile,
    before: &str,
    trimmed: &str,
    update: impl FnOnce() -> Result<String, String>,
) -> Result<String, String> {
    crate::child::holding_signals(|| {
        let written =
            crate::atomic::write_atomic(&lockfile.path, trimmed).map_err(|err| format!("could not be written: {err}"));
        let result = written.and_then(|()| update());
        if result.is_err() {
            let _ = crate::atomic::write_atomic(&lockfile.path, before);
        }
        result
    })
}

/// Moves `packages` to the newest versions their parents' ranges admit, in an npm lockfile (`npm update <packages>
/// --package-lock-only`, scripts off: npm 7+ moves a transitive package too), a pnpm one (`pnpm update <packages>
/// --lockfile-only --no-save`, which moves a transitive package too) or a Yarn 1 one (whose `yarn upgrade` moves
/// only the project's own dependencies: the packages' entries are removed from yarn.lock and Yarn's install resolves
/// their ranges again; the lockfile is put back when it fails); `None` for Yarn 2+, whose command is left to the
/// user. Returns what moved, or why it could not run.
pub fn refresh(lockfile: &Lockfile, packages: &[String], pass: &[OsString]) -> Option<Result<String, String>> {
    match lockfile.manager {
        Manager::Npm => {
            let update = Lockfile {
                command: vec!["npm", "update", "--package-lock-only", "--ignore-scripts", "--no-audit"],
                ..lockfile.clone()
            };
            Some(run_update(&update, packages, packages, pass))
        }
        Manager::Yarn1 => Some(refresh_yarn1(lockfile, packages, pass)),
        Manager::Pnpm => {
            // `pnpm update <package>` moves a transitive package too; `--no-save` keeps package.json's ranges, `-r`
            // goes through the members of a workspace (without it only the root project's packages move).
            let command = if lockfile.dir.join("pnpm-workspace.yaml").is_file() {
                vec!["pnpm", "update", "-r", "--lockfile-only", "--no-save", "--ignore-scripts"]
            } else {
                vec!["pnpm", "update", "--lockfile-only", "--no-save", "--ignore-scripts"]
            };
            Some(run_update(&Lockfile { command, ..lockfile.clone() }, packages, packages, pass))
        }
        Manager::YarnBerry => None,
    }
}

/// [`refresh`] for Yarn 1: yarn.lock without the entries of `packages`, then Yarn's install; on a failure the
/// lockfile as it was.
fn refresh_yarn1(lockfile: &Lockfile, packages: &[String], pass: &[OsString]) -> Result<String, String> {
    if !runs_here(lockfile) {
        return run_update(lockfile, &[], packages, pass);
    }
    let before = read_lockfile(&lockfile.path)
        .ok_or_else(|| "could not be read (a regular file of a readable size), so it was not refreshed".to_string())?;
    let trimmed = without_yarn1_entries(&before, packages);
    let summary = with_yarn1_lockfile(lockfile, &before, &trimmed, || run_update(lockfile, &[], packages, pass))?;
    let moved: Vec<String> = packages
        .iter()
        .filter_map(|p| {
            let (old, new) = (yarn1_versions(&before, p), yarn1_versions(&read_lockfile(&lockfile.path)?, p));
            (old != new).then(|| format!("{p} {} -> {}", old.join(", "), new.join(", ")))
        })
        .collect();
    Ok(if moved.is_empty() { summary } else { moved.join(", ") })
}

/// The blocks of a Yarn 1 lockfile (`key, key:` then indented lines, up to a blank line) with the blocks whose keys
/// all name one of `packages` left out.
fn without_yarn1_entries(text: &str, packages: &[String]) -> String {
    yarn1_blocks_kept(text, |key, _| {
        let names = yarn1_key_names(key);
        names.is_empty() || !names.iter().all(|n| packages.iter().any(|p| p == n))
    })
}

/// A Yarn 1 lockfile with the blocks (`key, key:` then indented lines, up to a blank line) that `keep` refuses, given
/// the key line and the whole block, left out, each with the blank line after it. Every other byte is kept.
fn yarn1_blocks_kept(text: &str, keep: impl Fn(&str, &str) -> bool) -> String {
    let mut out = String::with_capacity(text.len());
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        if line.starts_with([' ', '\t', '#', '\n', '\r']) {
            out.push_str(line);
            i += 1;
            continue;
        }
        // The block: its key line, its indented lines, and the blank line after it.
        let mut end = i + 1;
        while end < lines.len() && lines[end].starts_with([' ', '\t']) {
            end += 1;
        }
        let blank = end < lines.len() && lines[end].trim().is_empty();
        let block: String = lines[i..end].concat();
        if keep(line, &block) {
            out.push_str(&block);
            if blank {
                out.push_str(lines[end]);
            }
        }
        i = end + usize::from(blank);
    }
    out
}

/// The package names of a Yarn 1 block's key line (`"@a/b@^1.0.0", @a/b@^1.1.0:` -> `@a/b`, `@a/b`).
fn yarn1_key_names(line: &str) -> Vec<&str> {
    yarn1_keys(line).into_iter().map(|(name, _)| name).collect()
}

/// The keys of a Yarn 1 block's key line as package names and ranges (`"@a/b@^1.0.0", @a/b@*:` -> (`@a/b`,
/// `^1.0.0`), (`@a/b`, `*`)).
fn yarn1_keys(line: &str) -> Vec<(&str, &str)> {
    let Some(keys) = line.trim_end().strip_suffix(':') else { return Vec::new() };
    keys.split(", ")
        .filter_map(|key| {
            let key = key.trim().trim_matches('"');
            let at = key.get(1..)?.find('@')? + 1;
            Some((&key[..at], &key[at + 1..]))
        })
        .collect()
}

/// The versions a Yarn 1 lockfile resolves `package` to, in file order.
fn yarn1_versions(text: &str, package: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut inside = false;
    for line in text.lines() {
        if !line.starts_with([' ', '\t', '#']) && !line.is_empty() {
            inside = yarn1_key_names(line).contains(&package);
        } else if let Some(version) = line.trim().strip_prefix("version ").filter(|_| inside) {
            out.push(version.trim_matches('"').to_string());
        }
    }
    out
}

/// Whether the lockfile's package manager is installed and allowed to run on this project: when it is not, the user
/// is told to run it where it is (and the written manifests stay, for that run).
pub fn runs_here(lockfile: &Lockfile) -> bool {
    refusal(lockfile).is_none() && child::find_program(lockfile.command.first().copied().unwrap_or_default()).is_some()
}

/// npm's `omit-lockfile-registry-resolved` as the lockfile has it: an npm lockfile that records where each registry
/// package was downloaded from (`"resolved": "https://registry.npmjs.org/..."`) keeps recording it, and one that does
/// not keeps not recording it, whatever the user's npm configuration says (otherwise one setting rewrites every entry
/// of the lockfile: 1,554 lines of a React front end's, for one override). `None` for other package managers, and
/// for a lockfile with no registry package.
fn resolved_urls(manager: Manager, lockfile: &str) -> Option<String> {
    if manager != Manager::Npm {
        return None;
    }
    if lockfile.contains("\"resolved\": \"http") {
        Some("--omit-lockfile-registry-resolved=false".to_string())
    } else if lockfile.contains("\"integrity\": ") {
        Some("--omit-lockfile-registry-resolved=true".to_string())
    } else {
        None
    }
}

/// Runs the lockfile's command with `extra` arguments after its own.
fn run_update(lockfile: &Lockfile, extra: &[String], packages: &[String], pass: &[OsString]) -> Result<String, String> {
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
    if lockfile.manager == Manager::Yarn1 {
        // A Yarn 2+ would load the plugins of any `.yarnrc.yml` above the project (and make another lockfile).
        match major_of("yarn") {
            Some(1) => {}
            found => {
                return Err(format!(
                    "this is a Yarn 1 project, and the yarn found is {}: the lockfile was not updated: run `{}` with \
                     Yarn 1",
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
    let before = read_lockfile(&lockfile.path).unwrap_or_default();
    // npm 7+ turns a lockfile of version 1 (npm 5 and 6) into version 3, which npm 6 cannot read: it keeps the
    // version it is told (npm's `lockfile-version`, 1 to 3).
    let keep = match serde_json::from_str::<serde_json::Value>(&before).ok().and_then(|j| j["lockfileVersion"].as_u64())
    {
        Some(version @ (1 | 2)) if lockfile.manager == Manager::Npm => Some(format!("--lockfile-version={version}")),
        _ => None,
    };
    let extra: Vec<String> =
        extra.iter().cloned().chain(keep).chain(resolved_urls(lockfile.manager, &before)).collect();
    let (mut command, withheld) = safe_command(lockfile, modules.as_ref().map(|m| m.path()), &extra, pass)?;
    let output = command.output();
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
        let reason = failure_reason(&String::from_utf8_lossy(&output.stderr), &String::from_utf8_lossy(&output.stdout));
        return Err(format!("`{}` failed: {reason}{}", lockfile.command_line(), withheld_note(&withheld)));
    }
    let after = read_lockfile(&lockfile.path).unwrap_or_default();
    if before == after {
        return Ok("unchanged".to_string());
    }
    if lockfile.path.file_name().is_some_and(|n| n == "package-lock.json" || n == "npm-shrinkwrap.json") {
        let (before_json, after_json) = (serde_json::from_str(&before).ok(), serde_json::from_str(&after).ok());
        let moved = npm_moved(before_json.as_ref(), after_json.as_ref(), packages);
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

/// Why the package manager failed, in its own words: npm's `npm error` lines (its code and explanation, without the
/// blank ones and those naming its log files), Yarn's `error ...` lines (without the stack frames that follow), pnpm's
/// `ERR_PNPM_...` line; else the last lines of stderr. At most four lines, trimmed, joined by ` / `.
fn failure_reason(stderr: &str, stdout: &str) -> String {
    let lines = || stderr.lines().chain(stdout.lines()).map(str::trim).filter(|l| !l.is_empty());
    let npm: Vec<&str> = lines()
        .filter_map(|l| l.strip_prefix("npm error").or_else(|| l.strip_prefix("npm ERR!")).map(str::trim))
        .filter(|l| {
            !l.is_empty()
                && !l.starts_with("For a full report see")
                && !l.starts_with("A complete log of this run")
                && !l.contains("_logs")
        })
        .collect();
    let yarn: Vec<&str> = lines().filter(|l| l.starts_with("error ")).collect();
    let pnpm: Vec<&str> = lines().filter(|l| l.starts_with("ERR_PNPM_")).collect();
    let reason = [npm, yarn, pnpm].into_iter().find(|r| !r.is_empty()).unwrap_or_else(|| {
        let rest: Vec<&str> =
            stderr.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with("at ")).collect();
        rest[rest.len().saturating_sub(3)..].to_vec()
    });
    reason.into_iter().take(4).collect::<Vec<_>>().join(" / ")
}

/// What a failure message adds when the package manager did not see some variables: which, and how to pass them (the
/// registry may need a token), with a registry's variable as the example when there is one.
fn withheld_note(withheld: &[String]) -> String {
    let registry = |name: &&String| {
        let name = name.to_ascii_uppercase();
        ["NPM", "NODE_AUTH", "YARN", "PNPM"].iter().any(|word| name.contains(word))
    };
    match withheld.iter().find(registry).or(withheld.first()) {
        None => String::new(),
        Some(example) => format!(
            " (these variables were withheld from it as credentials: {}; if the registry needs one, pass it with \
             --lockfile-env {example})",
            withheld.join(", ")
        ),
    }
}

/// The versions the project's npm lockfile (package-lock.json or npm-shrinkwrap.json, found as [`find`] does) locks
/// for `packages` at the top level: what `npm ci` installs, and what the project's code runs against. Empty without
/// one.
pub fn npm_locked_versions<'a>(
    manifest_dir: &Path,
    root: Option<&Path>,
    packages: impl Iterator<Item = &'a str>,
) -> std::collections::BTreeMap<String, String> {
    let Some(lockfile) = find(manifest_dir, root).filter(|l| l.manager == Manager::Npm) else {
        return Default::default();
    };
    let Some(text) = read_lockfile(&lockfile.path) else { return Default::default() };
    let Ok(json) = serde_json::from_str::<serde_json::Value>(&text) else { return Default::default() };
    // A workspace member's own copy (`apps/web/node_modules/x`) is the one its code loads, before the hoisted one.
    let absolute = |d: &Path| crate::root::normalize(&std::path::absolute(d).unwrap_or_else(|_| d.to_path_buf()));
    let member = absolute(manifest_dir)
        .strip_prefix(absolute(&lockfile.dir))
        .ok()
        .map(|p| p.to_string_lossy().replace('\\', "/"))
        .filter(|p| !p.is_empty());
    packages.filter_map(|p| Some((p.to_string(), locked_in(&json, member.as_deref(), p)?))).collect()
}

/// What an npm lockfile's update did to each of `packages`, compared by install path: `express 4.21.2 -> 4.22.3`,
/// `helmet (new) -> 8.3.0`, `x 1.0.0 -> (removed)`, and for a package the lockfile had whose copies all stayed, a new
/// one beside them: `minimatch 3.0.4 (kept), new copy -> 3.1.5`; nothing for a package whose locked versions are the
/// same (only its range moved).
fn npm_moved(
    before: Option<&serde_json::Value>,
    after: Option<&serde_json::Value>,
    packages: &[String],
) -> Vec<String> {
    packages
        .iter()
        .filter_map(|p| {
            let old = before.map(|j| npm_copies(j, p)).unwrap_or_default();
            let new = after.map(|j| npm_copies(j, p)).unwrap_or_default();
            let (had, has) = (old.values().collect::<BTreeSet<_>>(), new.values().collect::<BTreeSet<_>>());
            if had == has {
                return None;
            }
            // What moved: each install path's copy that changed version (body-parser 1.18.3 -> 1.20.9 at the top,
            // where express's own 1.18.3 now goes under it), and the versions no copy had before or has any longer
            // (a workspace member's own copy that went, the copy it now shares: body-parser 1.20.1 -> 1.20.3). A copy
            // that only moved to another path, with a version another copy had, is no move.
            let changed = |from: &BTreeMap<String, String>, to: &BTreeMap<String, String>| -> Vec<String> {
                let at_paths = from.iter().filter(|(path, v)| to.get(*path).is_some_and(|w| w != *v)).map(|(_, v)| v);
                let only_here = from.values().filter(|v| !to.values().any(|w| w == *v));
                let set: BTreeSet<&String> = at_paths.chain(only_here).collect();
                set.into_iter().cloned().collect()
            };
            let (gone, came) = (changed(&old, &new), changed(&new, &old));
            let from = match (gone.is_empty(), had.is_empty()) {
                (false, _) => gone.join(", "),
                (true, true) => "(new)".to_string(),
                // (Every copy it had stays: what is new is another copy.)
                (true, false) => {
                    format!("{} (kept), new copy", had.iter().map(|v| v.as_str()).collect::<Vec<_>>().join(", "))
                }
            };
            // (Nothing new came where copies went: the copies left, which the packages that had them now share.)
            let to = match (came.is_empty(), has.is_empty()) {
                (false, _) => came.join(", "),
                (true, false) => has.iter().map(|v| v.as_str()).collect::<Vec<_>>().join(", "),
                (true, true) => "(removed)".to_string(),
            };
            Some(format!("{p} {from} -> {to}"))
        })
        .collect()
}

/// The version of every copy of `package` a parsed npm lockfile locks, by install path (lockfileVersion 2 and 3; the
/// top-level one of version 1).
fn npm_copies(json: &serde_json::Value, package: &str) -> BTreeMap<String, String> {
    let nested = format!("/node_modules/{package}");
    match json.get("packages").and_then(|p| p.as_object()) {
        Some(packages) => packages
            .iter()
            .filter(|(key, _)| key.strip_prefix("node_modules/") == Some(package) || key.ends_with(&nested))
            .filter_map(|(key, entry)| Some((key.clone(), entry.get("version")?.as_str()?.to_string())))
            .collect(),
        None => locked_in(json, None, package).map(|v| (format!("node_modules/{package}"), v)).into_iter().collect(),
    }
}

/// The version a parsed npm lockfile locks for a top-level package, as the workspace `member` (its folder relative to
/// the lockfile's, if it is one) loads it: its own copy, else the hoisted one.
fn locked_in(json: &serde_json::Value, member: Option<&str>, package: &str) -> Option<String> {
    let key = format!("node_modules/{package}");
    let own = member.map(|m| format!("{m}/{key}"));
    // lockfileVersion 2 and 3 list `packages` by path; version 1 has only `dependencies` by name.
    let packages = json.get("packages");
    let entry = own
        .and_then(|own| packages?.get(own))
        .or_else(|| packages?.get(&key))
        .or_else(|| json.get("dependencies")?.get(package))?;
    entry.get("version")?.as_str().map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_update_names_the_versions_that_moved_and_only_those() {
        let lock = |versions: &[(&str, &str)]| {
            let packages: serde_json::Map<String, serde_json::Value> = versions
                .iter()
                .map(|(name, version)| (format!("node_modules/{name}"), serde_json::json!({ "version": version })))
                .collect();
            serde_json::json!({ "lockfileVersion": 3, "packages": packages })
        };
        let before = lock(&[("express", "5.3.0"), ("qs", "6.13.0"), ("gone", "1.0.0")]);
        let after = lock(&[("express", "5.3.0"), ("qs", "6.14.1"), ("helmet", "8.3.0")]);
        let packages: Vec<String> = ["express", "qs", "helmet", "gone"].map(String::from).to_vec();
        assert_eq!(
            npm_moved(Some(&before), Some(&after), &packages),
            ["qs 6.13.0 -> 6.14.1", "helmet (new) -> 8.3.0", "gone 1.0.0 -> (removed)"],
            "express, locked at 5.3.0 before and after (its range alone moved), is not said to be new"
        );
    }

    /// A package the lockfile had is never "(new)" (NodeGoat: `body-parser (new) -> 1.20.9` where the top-level copy
    /// moved from 1.18.3 and a nested 1.18.3 stayed): each install path is compared with its own.
    #[test]
    fn a_package_the_lockfile_had_is_not_new() {
        let lock = |copies: &[(&str, &str)]| {
            let packages: serde_json::Map<String, serde_json::Value> = copies
                .iter()
                .map(|(path, version)| (path.to_string(), serde_json::json!({ "version": version })))
                .collect();
            serde_json::json!({ "lockfileVersion": 2, "packages": packages })
        };
        let before = lock(&[
            ("node_modules/body-parser", "1.18.3"),
            ("node_modules/old-server/node_modules/body-parser", "1.18.3"),
            ("node_modules/minimatch", "3.0.4"),
            ("node_modules/ms", "0.7.1"),
            ("node_modules/debug/node_modules/ms", "2.0.0"),
        ]);
        let after = lock(&[
            ("node_modules/body-parser", "1.20.9"),
            ("node_modules/old-server/node_modules/body-parser", "1.18.3"),
            ("node_modules/minimatch", "3.0.4"),
            ("node_modules/glob/node_modules/minimatch", "3.1.5"),
            ("node_modules/ms", "2.0.0"),
        ]);
        let packages: Vec<String> = ["body-parser", "minimatch", "ms"].map(String::from).to_vec();
        assert_eq!(
            npm_moved(Some(&before), Some(&after), &packages),
            ["body-parser 1.18.3 -> 1.20.9", "minimatch 3.0.4 (kept), new copy -> 3.1.5", "ms 0.7.1 -> 2.0.0"],
        );
        // Copies removed: the versions no copy has any longer, and the copies left that the packages share now.
        let after = lock(&[("node_modules/body-parser", "1.18.3"), ("node_modules/ms", "2.0.0")]);
        assert_eq!(
            npm_moved(Some(&before), Some(&after), &packages),
            ["minimatch 3.0.4 -> (removed)", "ms 0.7.1 -> 2.0.0"],
        );
    }

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

    /// Two lockfiles in a folder: the one of the `packageManager` field, else the one git does not ignore, else both
    /// in use (the first with the other as its rival).
    #[test]
    fn of_two_lockfiles_the_package_managers_own_is_found() {
        let dir = tempfile::tempdir().expect("tempdir");
        let git = |args: &[&str]| {
            let out = child::git().expect("git").args(args).current_dir(dir.path()).output().expect("git runs");
            assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        };
        git(&["init", "-q"]);
        std::fs::write(dir.path().join("package-lock.json"), "{}").expect("write");
        std::fs::write(dir.path().join("yarn.lock"), "# yarn lockfile v1\n").expect("write");
        let lock = find(dir.path(), None).expect("lockfile");
        assert_eq!((lock.manager, lock.rival), (Manager::Npm, Some(dir.path().join("yarn.lock"))));
        assert!(refusal(&find(dir.path(), None).expect("lockfile")).is_some_and(|m| m.contains("is a lockfile of")));

        std::fs::write(dir.path().join(".gitignore"), "package-lock.json\n").expect("write");
        let lock = find(dir.path(), None).expect("lockfile");
        assert_eq!((lock.manager, lock.rival), (Manager::Yarn1, None));

        // A tracked file is in use whatever .gitignore says; the packageManager field decides first.
        git(&["add", "-f", "package-lock.json"]);
        assert!(find(dir.path(), None).expect("lockfile").rival.is_some());
        std::fs::write(dir.path().join("package.json"), r#"{ "packageManager": "npm@10.9.0" }"#).expect("write");
        let lock = find(dir.path(), None).expect("lockfile");
        assert_eq!((lock.manager, lock.rival), (Manager::Npm, None));

        // packageManager names Yarn, whose yarn.lock git ignores, and package-lock.json is tracked: they disagree.
        std::fs::write(dir.path().join("package.json"), r#"{ "packageManager": "yarn@1.22.22" }"#).expect("write");
        std::fs::write(dir.path().join(".gitignore"), "yarn.lock\n").expect("write");
        let lock = find(dir.path(), None).expect("lockfile");
        assert_eq!((lock.manager, &lock.rival), (Manager::Yarn1, &Some(dir.path().join("package-lock.json"))));
        assert!(lock.declared_but_ignored);
        assert!(refusal(&lock).is_some_and(|m| m.contains("the two disagree")));
    }

    /// A pnpm workspace installs its members from the root's pnpm-lock.yaml: a member's own is ignored (and named
    /// by [`ignored`]), unless the workspace gives each project its own lockfile, or does not list the member.
    #[test]
    fn a_pnpm_workspace_members_own_lockfile_is_not_its_lockfile() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (root, api) = (dir.path(), dir.path().join("packages/api"));
        std::fs::create_dir_all(&api).expect("mkdir");
        for (file, text) in [
            (root.join("package.json"), "{}"),
            (root.join("pnpm-lock.yaml"), "lockfileVersion: '9.0'\n"),
            (root.join("pnpm-workspace.yaml"), "packages:\n  - \"packages/*\"\n"),
            (api.join("package.json"), "{}"),
            (api.join("pnpm-lock.yaml"), "lockfileVersion: '9.0'\n"),
        ] {
            std::fs::write(file, text).expect("write");
        }
        let lock = find(&api, None).expect("the root's");
        assert_eq!((lock.path, lock.manager), (root.join("pnpm-lock.yaml"), Manager::Pnpm));
        assert_eq!(ignored(&api, None), Some((api.join("pnpm-lock.yaml"), root.to_path_buf(), Manager::Pnpm)));
        assert_eq!(ignored(root, None), None, "the root's own is its lockfile");
        for (file, text) in [
            (root.join(".npmrc"), "shared-workspace-lockfile = false\n"),
            (root.join("pnpm-workspace.yaml"), "packages:\n  - \"packages/*\"\nsharedWorkspaceLockfile: false\n"),
            (root.join("pnpm-workspace.yaml"), "packages:\n  - \"apps/*\"\n"),
        ] {
            std::fs::write(&file, text).expect("write");
            assert_eq!(find(&api, None).expect("its own").path, api.join("pnpm-lock.yaml"), "{text}");
            assert_eq!(ignored(&api, None), None, "{text}");
            std::fs::remove_file(root.join(".npmrc")).ok();
        }
    }

    /// The arguments of the command that runs (after the program).
    fn args_of(lock: &Lockfile, modules: Option<&Path>) -> Vec<String> {
        let (command, _) = safe_command(lock, modules, &[], &[]).expect("command");
        command.get_args().map(|a| a.to_string_lossy().into_owned()).collect()
    }

    #[test]
    fn the_repository_cannot_name_a_program_for_the_package_manager() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("package-lock.json"), "{}").expect("write");
        let npm = find(dir.path(), None).expect("npm");
        let args = args_of(&npm, None);
        let git = args.iter().find_map(|a| a.strip_prefix("--git=")).expect("--git= beats .npmrc's git=");
        assert!(Path::new(git).is_absolute(), "{git}");

        let pnpm = Lockfile { manager: Manager::Pnpm, ..npm.clone() };
        let args = args_of(&pnpm, None);
        assert!(args.contains(&"--ignore-pnpmfile".to_string()), "{args:?}");
        // The `packageManager` field does not make pnpm fetch and run another pnpm.
        assert!(args.contains(&"--config.manage-package-manager-versions=false".to_string()), "{args:?}");

        let yarn = Lockfile { manager: Manager::Yarn1, command: vec!["yarn", "install", "--ignore-scripts"], ..npm };
        let (command, _) = safe_command(&yarn, Some(Path::new("/tmp/m")), &[], &[]).expect("command");
        let ignore_path = command.get_envs().find(|(k, _)| *k == "YARN_IGNORE_PATH").and_then(|(_, v)| v);
        assert_eq!(ignore_path, Some(std::ffi::OsStr::new("1")));
        assert_eq!(args_of(&yarn, Some(Path::new("/tmp/m")))[2..], ["--modules-folder", "/tmp/m", "--non-interactive"]);
    }

    #[test]
    fn a_pnpmfile_is_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("pnpm-lock.yaml"), "lockfileVersion: '9.0'\n").expect("write");
        let pnpm = find(dir.path(), None).expect("pnpm");
        assert_eq!(refusal(&pnpm), None);
        std::fs::write(dir.path().join(".npmrc"), "pnpmfile=hooks.cjs\n").expect("write");
        assert!(refusal(&pnpm).is_some_and(|m| m.contains("set in its configuration")));
        std::fs::write(dir.path().join(".pnpmfile.cjs"), "").expect("write");
        let message = refusal(&pnpm).expect("refused");
        assert!(message.starts_with("the project has a pnpmfile (.pnpmfile.cjs), which pnpm would run"), "{message}");
    }

    /// Yarn 2+ loads the plugins and the release its .yarnrc.yml files name, however they are spelled and wherever
    /// above the project they are: refused whatever its configuration says.
    #[test]
    fn yarn_2_is_always_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("yarn.lock"), "__metadata:\n  version: 8\n").expect("write");
        let berry = find(dir.path(), None).expect("berry");
        assert_eq!(berry.manager, Manager::YarnBerry);
        let message = refusal(&berry).expect("refused without any .yarnrc.yml");
        assert!(message.starts_with("this is a Yarn 2+ project: Yarn 2+ always loads the plugins"), "{message}");
        assert!(message.ends_with("run `yarn install --mode=update-lockfile` yourself if you trust the repository"));
        for rc in ["\"plugins\":\n  - path: evil.cjs\n", "plugins :\n  - evil.cjs\n", "{yarnPath: evil.cjs}\n"] {
            std::fs::write(dir.path().join(".yarnrc.yml"), rc).expect("write");
            assert!(refusal(&berry).is_some(), "{rc}");
        }

        // A Yarn 1 lockfile below a folder with a .yarnrc.yml (which Yarn 2+ reads from the parent folders).
        let dir = tempfile::tempdir().expect("tempdir");
        let app = dir.path().join("app");
        std::fs::create_dir(&app).expect("mkdir");
        std::fs::write(app.join("yarn.lock"), "# yarn lockfile v1\n").expect("write");
        assert_eq!(find(&app, None).expect("yarn").manager, Manager::Yarn1);
        std::fs::write(dir.path().join(".yarnrc.yml"), "plugins:\n  - ../evil.cjs\n").expect("write");
        let lock = find(&app, None).expect("yarn");
        assert_eq!(lock.manager, Manager::YarnBerry);
        assert!(refusal(&lock).is_some());
    }

    #[test]
    fn a_failure_names_the_withheld_variables() {
        assert_eq!(withheld_note(&[]), "");
        assert_eq!(
            withheld_note(&["GH_TOKEN".to_string(), "NPM_TOKEN".to_string()]),
            " (these variables were withheld from it as credentials: GH_TOKEN, NPM_TOKEN; if the registry needs one, \
             pass it with --lockfile-env NPM_TOKEN)"
        );
    }

    #[test]
    fn npm_versions_are_read_from_the_packages_map() {
        let copies = |lock: &str, name: &str| -> Vec<String> {
            let versions: BTreeSet<String> =
                npm_copies(&serde_json::from_str(lock).expect("json"), name).into_values().collect();
            versions.into_iter().collect()
        };
        let lock = r#"{"packages": {"": {}, "node_modules/express": {"version": "4.22.3"},
            "packages/a/node_modules/express": {"version": "4.18.2"}, "node_modules/xexpress": {"version": "1.0.0"},
            "node_modules/a": {"link": true, "resolved": "packages/a"}}}"#;
        assert_eq!(copies(lock, "express"), ["4.18.2", "4.22.3"]);
        assert!(copies(lock, "helmet").is_empty());
        assert!(copies(lock, "a").is_empty());
        // lockfileVersion 1: `dependencies` by name, no `packages`.
        let v1 = r#"{"lockfileVersion": 1, "dependencies": {"express": {"version": "4.17.1", "resolved": "x"}}}"#;
        assert_eq!(copies(v1, "express"), ["4.17.1"]);
        assert!(copies(v1, "helmet").is_empty());
    }

    #[test]
    fn a_yarn_1_lockfile_loses_only_the_named_packages_entries() {
        let lock = "# yarn lockfile v1\n\n\nqs@~6.5.2:\n  version \"6.5.2\"\n  integrity sha512-x\n\n\"@a/qs@^1.0.0\", \"@a/qs@^1.1.0\":\n  version \"1.1.0\"\n  dependencies:\n    qs \"~6.5.2\"\n\nqsx@1.0.0:\n  version \"1.0.0\"\n";
        let without = without_yarn1_entries(lock, &["qs".to_string()]);
        assert_eq!(without, lock.replace("qs@~6.5.2:\n  version \"6.5.2\"\n  integrity sha512-x\n\n", ""));
        assert_eq!(yarn1_versions(lock, "@a/qs"), ["1.1.0"]);
        assert_eq!(yarn1_versions(&without, "qs"), Vec::<String>::new());
        let scoped = without_yarn1_entries(lock, &["@a/qs".to_string()]);
        assert!(!scoped.contains("@a/qs@") && !scoped.contains("1.1.0") && scoped.contains("qs@~6.5.2:"), "{scoped}");
    }

    #[test]
    fn a_yarn_1_block_left_behind_by_a_new_major_is_found() {
        let block = |key: &str, version: &str| format!("{key}:\n  version \"{version}\"\n  integrity sha512-x\n");
        let majors = [("@types/express".to_string(), "^5.0.6".to_string())];
        let stale = |key: &str, version: &str| {
            let text = block(key, version);
            behind_a_new_major(text.lines().next().unwrap_or_default(), &text, &majors)
        };
        // `*` (another @types package's) locked to 4, alone or with the app's old range: stale.
        assert!(stale("\"@types/express@*\", \"@types/express@^4.17.21\"", "4.17.25"));
        assert!(stale("\"@types/express@*\"", "4.17.25"));
        assert!(stale("\"@types/express@>=4\"", "4.17.25"));
        // A range that keeps 4 (another package's own `^4`), a block on 5 already, another package: kept.
        assert!(!stale("\"@types/express@^4.17.13\"", "4.17.25"));
        assert!(!stale("\"@types/express@*\"", "5.0.6"));
        assert!(!stale("\"@types/express-session@*\"", "1.17.0"));
        // Only those blocks go, each with its blank line.
        let lock = format!(
            "# yarn lockfile v1\n\n\n{}\n{}\n{}",
            block("\"@types/express@*\"", "4.17.25"),
            block("\"@types/express@^4.17.13\"", "4.17.25"),
            block("ms@^2.1.3", "2.1.3")
        );
        let kept = yarn1_blocks_kept(&lock, |key, block| !behind_a_new_major(key, block, &majors));
        assert_eq!(kept, lock.replace(&format!("{}\n", block("\"@types/express@*\"", "4.17.25")), ""));
    }
}
