//! Child processes that run none of the scanned project's code and see none of the user's secrets: programs are found
//! on PATH by absolute path only (a relative entry such as `.` or `node_modules/.bin` would pick a program the
//! repository ships), the environment loses every variable that looks like a credential, and git runs without the
//! repository's fsmonitor hook, hooks or pager.

use std::ffi::OsStr;
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

/// A command for `program` found on PATH (by absolute path), with a cleaned environment ([`clean_env`]). When the
/// program is not on PATH, the command names it as it is, so that spawning fails with `NotFound`.
pub fn command(program: &str) -> Command {
    let mut command = Command::new(find_program(program).unwrap_or_else(|| PathBuf::from(program)));
    clean_env(&mut command);
    command
}

/// Whether an environment variable looks like a credential: its name contains TOKEN, SECRET, PASSWORD, PASSWD or
/// CREDENTIAL, or one of its `_`-separated parts ends with KEY (`AWS_ACCESS_KEY_ID`, `STRIPE_APIKEY`) or starts with
/// AUTH (`NODE_AUTH_TOKEN`, `npm_config__auth`, `SSH_AUTH_SOCK`). Case does not matter.
pub fn is_secret(name: &OsStr) -> bool {
    let name = name.to_string_lossy().to_ascii_uppercase();
    ["TOKEN", "SECRET", "PASSWORD", "PASSWD", "CREDENTIAL"].iter().any(|word| name.contains(word))
        || name
            .split(|c: char| !c.is_ascii_alphanumeric())
            .any(|part| part.ends_with("KEY") || part.starts_with("AUTH"))
}

/// Removes from the child's environment every variable [`is_secret`] flags (`GH_TOKEN`, `GITHUB_TOKEN`,
/// `NPM_TOKEN`, `NODE_AUTH_TOKEN`, `*_SECRET`, `*_KEY`, ...). The rest stays: PATH, HOME, the proxy settings, the
/// `npm_config_*` settings of the registry, the version managers' variables.
pub fn clean_env(command: &mut Command) {
    for (name, _) in std::env::vars_os() {
        if is_secret(&name) {
            command.env_remove(name);
        }
    }
}

/// A git command that runs none of the repository's programs: no `core.fsmonitor` hook (which `git status` would
/// start), no hooks, no pager, no optional index locks. git is found by absolute path.
pub fn git() -> Command {
    let mut command = command("git");
    command.args(["--no-pager", "--no-optional-locks", "-c", "core.fsmonitor=false", "-c", "core.hooksPath=/dev/null"]);
    command
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
        ] {
            assert!(!is_secret(OsStr::new(name)), "{name}");
        }
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
