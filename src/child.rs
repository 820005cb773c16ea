//! Child processes that run none of the scanned project's code and see none of the user's secrets. The promises, for
//! every program express-harden starts (git, for the dirty-file check; npm, for `--latest`; the package manager, for
//! `--lockfile`):
//!
//! - **Found by absolute path only.** A program is looked up in the absolute entries of PATH ([`find_program`]); a
//!   relative entry such as `.` or `node_modules/.bin` is skipped, since a child starts in the repository and would
//!   pick the program the repository ships. When the program is in no absolute entry, [`command`] returns an error and
//!   nothing runs: there is no fallback to the bare name (which the operating system would look up in PATH, relative
//!   entries included). The same holds for a program handed to a child: npm gets `--git=` with git's absolute path,
//!   or does not run.
//! - **No credentials in the environment.** The child's environment loses every variable [`is_secret`] flags by its
//!   name (`GH_TOKEN`, `NPM_TOKEN`, `NODE_AUTH_TOKEN`, `AWS_SECRET_ACCESS_KEY`, `*_KEY`, `*_PAT`, `*_PASS`, `DB_PWD`,
//!   `*_JWT`, `SENTRY_DSN`, ...). The rest stays: PATH, HOME, the proxy and certificate settings, the `npm_config_*`
//!   settings of the registry, the version managers' variables, git's author settings. The user may pass named
//!   variables through to the package manager with `--lockfile-env NAME` (a command-line flag only: the configuration
//!   file belongs to the repository, which must not be able to ask for the user's secrets); when the package manager
//!   fails, the error names the variables that were withheld.
//! - **git** runs with `--no-pager --no-optional-locks -c core.fsmonitor=false -c core.hooksPath=/dev/null`: no
//!   fsmonitor hook (which `git status` would start), no hooks, no pager ([`git`]).
//! - **The package manager** (see [`crate::lockfile`]) runs with `--ignore-scripts` and the repository's ways of naming
//!   a program overridden on its command line:
//!   - npm: `--git=<absolute path of git>` (beats `git=` in the repository's `.npmrc`);
//!   - pnpm: `--ignore-pnpmfile`, and `--config.manage-package-manager-versions=false` (the `packageManager` field of
//!     package.json, with the setting turned on in the repository's `.npmrc`, would make pnpm fetch and run another
//!     pnpm from the registry the repository names); a project with a pnpmfile is refused, since a lockfile made
//!     without it would not match;
//!   - Yarn 1: `YARN_IGNORE_PATH=1` (ignores `yarn-path`/`yarnPath` in `.yarnrc`/`.yarnrc.yml`), and its modules go
//!     to a temporary folder; it runs only when the yarn found is version 1 (asked in a neutral folder).
//!   - Yarn 2+ (Berry: `__metadata:` in yarn.lock, or a `.yarnrc.yml` in the lockfile's folder or above) is refused:
//!     Berry always loads the plugins and the `yarnPath` release named in the `.yarnrc.yml` files of the project and
//!     its parent folders, in any spelling YAML allows, and no flag turns the plugins off. The message gives the
//!     command to run by hand (`yarn install --mode=update-lockfile`).

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The absolute path of `program` on PATH, skipping relative entries of PATH; `None` when it is not there.
pub fn find_program(program: &str) -> Option<PathBuf> {
    find_in(&std::env::var_os("PATH")?, program)
}

fn find_in(path: &OsStr, program: &str) -> Option<PathBuf> {
    std::env::split_paths(path).filter(|dir| dir.is_absolute()).map(|dir| dir.join(program)).find(|p| is_executable(p))
}

#[cfg(unix)]
fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable(path: &Path) -> bool {
    path.is_file()
}

/// A command for `program` found on PATH by absolute path, with a cleaned environment ([`clean_env`], nothing
/// passed through). An error when the program is in no absolute entry of PATH: there is no fallback to the bare name.
pub fn command(program: &str) -> Result<Command, String> {
    command_passing(program, &[]).map(|(command, _)| command)
}

/// [`command`], passing the variables named in `pass` through; also returns the names of the variables withheld.
pub fn command_passing(program: &str, pass: &[OsString]) -> Result<(Command, Vec<String>), String> {
    let path = find_program(program)
        .ok_or_else(|| format!("`{program}` is not on PATH (relative PATH entries are not searched)"))?;
    let mut command = Command::new(path);
    crate::give_children_huge_pages(&mut command);
    let withheld = clean_env(&mut command, pass);
    Ok((command, withheld))
}

/// Words that mark a credential anywhere in a variable's name.
const SECRET_WORDS: [&str; 6] = ["TOKEN", "SECRET", "PASSWORD", "PASSWD", "PASSPHRASE", "CREDENTIAL"];

/// `_`-separated parts that mark a credential when they follow another part (`DB_PASS`, `MYSQL_PWD`, `GITLAB_PAT`,
/// `SENTRY_DSN`): `PWD` alone is the current folder.
const SECRET_SUFFIXES: [&str; 7] = ["PAT", "PASS", "PWD", "JWT", "DSN", "COOKIE", "PRIVATE"];

/// Whether an environment variable looks like a credential (case does not matter):
/// - its name contains TOKEN, SECRET, PASSWORD, PASSWD, PASSPHRASE or CREDENTIAL;
/// - one of its `_`-separated parts ends with KEY (`AWS_ACCESS_KEY_ID`, `STRIPE_APIKEY`), or starts with AUTH
///   (`npm_config__auth`, `SSH_AUTH_SOCK`, `AUTHORIZATION`) but is not AUTHOR (`GIT_AUTHOR_NAME` stays);
/// - a part after the first is PAT, PASS, PWD, JWT, DSN, COOKIE or PRIVATE (`GITHUB_PAT`, `DB_PASS`, `MYSQL_PWD`,
///   `SENTRY_DSN`).
///
/// Certificates are not secrets (`NODE_EXTRA_CA_CERTS`, `SSL_CERT_FILE` stay, the registry may need them); their
/// private keys are (`*_KEY`).
pub fn is_secret(name: &OsStr) -> bool {
    let name = name.to_string_lossy().to_ascii_uppercase();
    let parts: Vec<&str> = name.split(|c: char| !c.is_ascii_alphanumeric()).filter(|p| !p.is_empty()).collect();
    // AUTHOR (git's author settings) is no credential; AUTHORIZATION is.
    let auth = |part: &str| part.starts_with("AUTH") && (!part.starts_with("AUTHOR") || part.starts_with("AUTHORIZ"));
    SECRET_WORDS.iter().any(|word| name.contains(word))
        || parts.iter().any(|part| part.ends_with("KEY") || auth(part))
        || parts.iter().skip(1).any(|part| SECRET_SUFFIXES.contains(part))
}

/// Removes from the child's environment every variable [`is_secret`] flags, except those named in `pass` (exact
/// names, as the user gave them with `--lockfile-env`). Returns the names removed, sorted: what the child did not
/// see, for an error message.
pub fn clean_env(command: &mut Command, pass: &[OsString]) -> Vec<String> {
    let withheld = withheld(std::env::vars_os().map(|(name, _)| name), pass);
    for name in &withheld {
        command.env_remove(name);
    }
    withheld.iter().map(|name| name.to_string_lossy().into_owned()).collect()
}

/// The names among `names` that [`is_secret`] flags and `pass` does not name, sorted.
fn withheld(names: impl Iterator<Item = OsString>, pass: &[OsString]) -> Vec<OsString> {
    let mut out: Vec<OsString> = names.filter(|name| is_secret(name) && !pass.contains(name)).collect();
    out.sort();
    out
}

/// A git command that runs none of the repository's programs: no `core.fsmonitor` hook (which `git status` would
/// start), no hooks, no pager, no optional index locks. git is found by absolute path, or not run.
pub fn git() -> Result<Command, String> {
    let mut command = command("git")?;
    command.args(["--no-pager", "--no-optional-locks", "-c", "core.fsmonitor=false", "-c", "core.hooksPath=/dev/null"]);
    Ok(command)
}

/// Runs `f` with SIGINT, SIGTERM and SIGHUP held: a signal that comes meanwhile (Ctrl-C while the package manager
/// runs) still stops the child, whose program starts with the default actions (a caught signal is reset so by
/// `exec`), while this process only notes it and goes on, so that `f` can put back what it changed (a yarn.lock
/// without the entries Yarn was to resolve again). The signal is then raised again, with its previous action. A
/// signal this process ignores (under `nohup`) stays ignored.
#[cfg(unix)]
pub fn holding_signals<T>(f: impl FnOnce() -> T) -> T {
    use std::sync::atomic::{AtomicI32, Ordering};
    static CAUGHT: AtomicI32 = AtomicI32::new(0);
    extern "C" fn note(signal: libc::c_int) {
        CAUGHT.store(signal, Ordering::SeqCst);
    }
    const SIGNALS: [libc::c_int; 3] = [libc::SIGINT, libc::SIGTERM, libc::SIGHUP];
    // SAFETY: sigaction with zeroed (valid) structures, a handler that only stores into an atomic, and the previous
    // actions put back below.
    let previous: Vec<(libc::c_int, libc::sigaction)> = SIGNALS
        .iter()
        .filter_map(|&signal| unsafe {
            let mut old: libc::sigaction = std::mem::zeroed();
            if libc::sigaction(signal, std::ptr::null(), &mut old) != 0 || old.sa_sigaction == libc::SIG_IGN {
                return None;
            }
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = note as extern "C" fn(libc::c_int) as libc::sighandler_t;
            libc::sigemptyset(&mut action.sa_mask);
            (libc::sigaction(signal, &action, std::ptr::null_mut()) == 0).then_some((signal, old))
        })
        .collect();
    let result = f();
    for (signal, old) in &previous {
        // SAFETY: the action this process had before.
        unsafe { libc::sigaction(*signal, old, std::ptr::null_mut()) };
    }
    let caught = CAUGHT.swap(0, Ordering::SeqCst);
    if caught != 0 {
        // SAFETY: raising a signal at this process, with its own action back in place.
        unsafe { libc::raise(caught) };
    }
    result
}

/// [`holding_signals`] where there are no such signals.
#[cfg(not(unix))]
pub fn holding_signals<T>(f: impl FnOnce() -> T) -> T {
    f()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_are_recognised_by_name() {
        for name in [
            "GH_TOKEN",
            "GITHUB_TOKEN",
            "NPM_TOKEN",
            "NODE_AUTH_TOKEN",
            "ACTIONS_ID_TOKEN_REQUEST_URL",
            "AWS_SECRET_ACCESS_KEY",
            "AWS_ACCESS_KEY_ID",
            "DEPLOY_KEY",
            "stripe_apikey",
            "DB_PASSWORD",
            "npm_config__auth",
            "npm_config__authToken",
            "npm_config_//registry.example/:_authToken",
            "GOOGLE_APPLICATION_CREDENTIALS",
            "SSH_AUTH_SOCK",
            "SESSION_SECRET",
            "GITHUB_PAT",
            "GL_PAT",
            "DB_PASS",
            "MYSQL_PWD",
            "API_JWT",
            "SENTRY_DSN",
            "GPG_PASSPHRASE",
            "HTTP_AUTHORIZATION",
            "AUTHORIZATION",
            "SESSION_COOKIE",
            "SIGNING_PRIVATE",
        ] {
            assert!(is_secret(OsStr::new(name)), "{name}");
        }
        for name in [
            "PATH",
            "HOME",
            "HTTPS_PROXY",
            "https_proxy",
            "NO_PROXY",
            "npm_config_registry",
            "npm_config_cache",
            "NODE_EXTRA_CA_CERTS",
            "LANG",
            "TMPDIR",
            "COREPACK_HOME",
            "VOLTA_HOME",
            "KEYBOARD",
            "GIT_AUTHOR_NAME",
            "GIT_AUTHOR_EMAIL",
            "GIT_AUTHOR_DATE",
            "GIT_COMMITTER_NAME",
            "CERT_AUTHORITY",
            "PWD",
            "OLDPWD",
            "PAT",
            "PASS_THROUGH",
            "COMPASS_HOME",
            "SSL_CERT_FILE",
            "SSL_CERT_DIR",
            "npm_config_cert",
            "npm_config_cafile",
        ] {
            assert!(!is_secret(OsStr::new(name)), "{name}");
        }
    }

    #[test]
    fn only_the_named_credentials_are_passed_through() {
        let names = ["PATH", "NPM_TOKEN", "GH_TOKEN", "GIT_AUTHOR_NAME", "npm_token"].map(OsString::from);
        assert_eq!(withheld(names.iter().cloned(), &[]), ["GH_TOKEN", "NPM_TOKEN", "npm_token"].map(OsString::from));
        // Exact names: NPM_TOKEN passes, npm_token (another variable) does not.
        let pass = [OsString::from("NPM_TOKEN")];
        assert_eq!(withheld(names.iter().cloned(), &pass), ["GH_TOKEN", "npm_token"].map(OsString::from));
    }

    #[test]
    fn a_program_not_on_path_is_an_error_not_a_bare_name() {
        let err = command("express-harden-no-such-program").expect_err("not on PATH");
        assert_eq!(err, "`express-harden-no-such-program` is not on PATH (relative PATH entries are not searched)");
        let git = git().expect("git is installed");
        assert!(Path::new(git.get_program()).is_absolute(), "{:?}", git.get_program());
    }

    #[cfg(unix)]
    #[test]
    fn programs_are_found_by_absolute_path_only() {
        let git = find_program("git").expect("git is installed");
        assert!(git.is_absolute());
        assert_eq!(find_program("express-harden-no-such-program"), None);
        // A program in a relative entry of PATH (here `.`, resolved against the folder a child starts in) is never
        // picked, even when it is the only one.
        let dir = tempfile::tempdir().expect("tempdir");
        let fake = dir.path().join("npm");
        std::fs::write(&fake, "#!/bin/sh\n").expect("write");
        std::fs::set_permissions(&fake, std::os::unix::fs::PermissionsExt::from_mode(0o755)).expect("chmod");
        let relative = std::env::join_paths([Path::new("."), Path::new("node_modules/.bin")]).expect("join");
        assert_eq!(find_in(&relative, "npm"), None);
        let absolute = std::env::join_paths([Path::new("."), dir.path()]).expect("join");
        assert_eq!(find_in(&absolute, "npm"), Some(fake));
    }
}
