//! Lockfiles: a project whose package-lock.json pins Express 4.18.2 is bumped with `--write --lockfile`; the lockfile
//! is updated with npm (lockfile only, scripts off), and `npm ci` then succeeds and installs the patched Express.
//! Without `--lockfile`, the summary names the stale lockfile and the command to run.
//!
//! Also: npm, pnpm and Yarn 1 never run a program the repository names (a control run of each package manager's own
//! command shows the marker the repository's program writes; `--write --lockfile` leaves none; for pnpm also the
//! pnpm its `packageManager` field would fetch), and Yarn 1 (no
//! lockfile-only mode) leaves no node_modules. Needs npm, pnpm and yarn 1 (scripts/test.sh installs them), and the
//! registry for the npm and Yarn 1 updates.

mod common;

use std::path::Path;
use std::process::Command;

use common::{copy_app, express_harden, npm_ci};

fn installed_express(app: &std::path::Path) -> String {
    let text = std::fs::read_to_string(app.join("node_modules/express/package.json")).expect("express installed");
    let json: serde_json::Value = serde_json::from_str(&text).expect("package.json of express");
    json["version"].as_str().unwrap_or_default().to_string()
}

#[test]
fn the_lockfile_follows_the_bump() {
    let (_tmp, app) = copy_app("lockfile-app");

    let dry = express_harden(&app, &["--only", "express-version", "--color", "never"]);
    let stderr = String::from_utf8_lossy(&dry.stderr);
    assert!(
        stderr.contains(
            "package.json changed (express@^4.22.3), so package-lock.json is stale and `npm ci` would fail: run \
             `npm install --package-lock-only --ignore-scripts --no-audit` in ."
        ),
        "{stderr}"
    );

    let out = express_harden(
        &app,
        &["--write", "--allow-no-vcs", "--lockfile", "--only", "express-version", "--color", "never"],
    );
    assert_eq!(out.status.code(), Some(0), "stderr: {}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("wrote package.json (express-version; +1 -1)"), "{stdout}");
    assert!(stdout.contains("updated package-lock.json (express 4.18.2 -> 4.22.3)"), "{stdout}");
    let manifest = std::fs::read_to_string(app.join("package.json")).expect("read");
    assert!(manifest.contains("\"express\": \"^4.22.3\""), "{manifest}");

    npm_ci(&app);
    assert_eq!(installed_express(&app), "4.22.3");
}

// ---------------------------------------------------------------------------------------------------------------------
// The package managers run none of the repository's code (issue 18). Each repository names a program that writes a
// marker; a control run of the package manager's own command shows that the vector is live, then
// `--write --lockfile` must leave no marker. The registry is unreachable (no network needed): the update fails, and
// the failure is reported.

const APP_JS: &str = "const express = require('express');\n\nconst app = express();\napp.listen(3000);\n";

/// Panics with a clear message when a package manager the test needs is missing (no silent skip).
fn require(program: &str) {
    let found = Command::new(program).arg("--version").output().is_ok_and(|o| o.status.success());
    assert!(found, "{program} is needed by tests/e2e_lockfile.rs and is not installed (scripts/test.sh installs it)");
}

/// A project in a fresh temporary folder: app.js, and `files`.
fn project(files: &[(&str, &str)]) -> (tempfile::TempDir, std::path::PathBuf) {
    let tmp = tempfile::Builder::new().prefix("express-harden-lock-").tempdir().expect("tempdir");
    let dir = tmp.path().join("app");
    std::fs::create_dir(&dir).expect("mkdir");
    for (name, text) in std::iter::once(&("app.js", APP_JS)).chain(files) {
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(&path, text).expect("write");
        if name.ends_with(".sh") {
            std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o755)).expect("chmod");
        }
    }
    (tmp, dir)
}

/// A script (shell for `.sh`, else JavaScript) that writes `MARKER` next to itself.
fn marker_script(name: &str) -> String {
    if name.ends_with(".sh") {
        "#!/bin/sh\ntouch \"$(dirname \"$0\")/MARKER\"\nexit 1\n".to_string()
    } else {
        "require('fs').writeFileSync(require('path').join(__dirname, 'MARKER'), 'ran');\nmodule.exports = {};\n"
            .to_string()
    }
}

/// An unreachable registry, tried once.
const OFFLINE: [(&str, &str); 3] = [
    ("npm_config_registry", "http://127.0.0.1:9/"),
    ("npm_config_fetch_retries", "0"),
    ("YARN_REGISTRY", "http://127.0.0.1:9/"),
];

/// Runs the package manager's command as a user would, in a copy of the project: the marker must appear.
fn control(files: &[(&str, &str)], command: &[&str]) {
    let (_tmp, dir) = project(files);
    let _ = Command::new(command[0]).args(&command[1..]).current_dir(&dir).envs(OFFLINE).output().expect("run");
    assert!(dir.join("MARKER").exists(), "`{}` should run the repository's program here", command.join(" "));
}

/// `--write --lockfile --only helmet` in the project; returns stderr.
fn harden(dir: &Path) -> String {
    harden_with(dir, &[])
}

/// [`harden`] with more environment variables.
fn harden_with(dir: &Path, envs: &[(&str, &Path)]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_express-harden"))
        .args(["--write", "--allow-no-vcs", "--lockfile", "--only", "helmet", "--color", "never"])
        .current_dir(dir)
        .envs(OFFLINE)
        .envs(envs.iter().copied())
        .output()
        .expect("run express-harden");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(2), "the lockfile update cannot succeed offline: {stderr}");
    assert!(std::fs::read_to_string(dir.join("app.js")).expect("read").contains("helmet()"), "{stderr}");
    stderr
}

#[test]
fn npm_never_runs_the_git_program_of_the_repositorys_npmrc() {
    require("npm");
    let manifest = r#"{
  "name": "p",
  "dependencies": {
    "express": "^4.22.3",
    "x": "git+file:///nonexistent/x.git"
  }
}
"#;
    let files = [
        ("package.json", manifest),
        ("package-lock.json", "{}\n"),
        (".npmrc", "git=./evil.sh\n"),
        ("evil.sh", &marker_script("evil.sh")),
    ];
    control(&files, &["npm", "install", "--package-lock-only", "--ignore-scripts", "--no-audit"]);
    let (_tmp, dir) = project(&files);

    let stderr = harden(&dir);

    assert!(stderr.contains("package-lock.json `npm install --package-lock-only --ignore-scripts --no-audit` failed"));
    assert!(!dir.join("MARKER").exists(), "npm ran the repository's git=: {stderr}");
}

#[test]
fn pnpm_never_runs_the_repositorys_pnpmfile() {
    require("pnpm");
    let manifest = "{\n  \"name\": \"p\",\n  \"dependencies\": {\n    \"express\": \"^4.22.3\"\n  }\n}\n";
    let lock = "lockfileVersion: '9.0'\n";
    for (pnpmfile, config) in [(".pnpmfile.cjs", ""), ("hooks.cjs", "pnpmfile=hooks.cjs\n")] {
        let script = marker_script(pnpmfile);
        let files = [("package.json", manifest), ("pnpm-lock.yaml", lock), (pnpmfile, &script), (".npmrc", config)];
        control(&files, &["pnpm", "install", "--lockfile-only", "--ignore-scripts"]);
        let (_tmp, dir) = project(&files);

        let stderr = harden(&dir);

        assert!(stderr.contains("pnpm-lock.yaml the project has a pnpmfile"), "{stderr}");
        assert!(stderr.contains("the lockfile was not updated"), "{stderr}");
        assert!(!dir.join("MARKER").exists(), "pnpm ran the repository's {pnpmfile}: {stderr}");
    }
}

/// With `manage-package-manager-versions` on in the repository's .npmrc (the default from pnpm 10), the
/// `packageManager` field of package.json makes pnpm fetch that pnpm (from the registry the repository may name) into
/// `$PNPM_HOME/.tools` and run it. `--lockfile` turns the setting off on the command line.
#[test]
fn pnpm_never_fetches_the_pnpm_the_repository_names() {
    require("pnpm");
    let manifest = "{\n  \"name\": \"p\",\n  \"packageManager\": \"pnpm@9.1.0\",\n  \"dependencies\": {\n    \
                    \"express\": \"^4.22.3\"\n  }\n}\n";
    let files = [
        ("package.json", manifest),
        ("pnpm-lock.yaml", "lockfileVersion: '9.0'\n"),
        (".npmrc", "manage-package-manager-versions=true\n"),
    ];
    // The control: pnpm's own command starts fetching pnpm 9.1.0 (the registry is unreachable, the folder is made).
    let (_tmp, dir) = project(&files);
    let home = tempfile::tempdir().expect("tempdir");
    let _ = Command::new("pnpm")
        .args(["install", "--lockfile-only", "--ignore-scripts"])
        .current_dir(&dir)
        .envs(OFFLINE)
        .env("PNPM_HOME", home.path())
        .env("XDG_DATA_HOME", home.path())
        .output()
        .expect("run pnpm");
    assert!(home.path().join(".tools").exists(), "pnpm should fetch the pnpm of packageManager here");

    let (_tmp, dir) = project(&files);
    let home = tempfile::tempdir().expect("tempdir");

    let stderr = harden_with(&dir, &[("PNPM_HOME", home.path()), ("XDG_DATA_HOME", home.path())]);

    assert!(stderr.contains("pnpm-lock.yaml `pnpm install --lockfile-only --ignore-scripts` failed"), "{stderr}");
    assert!(!home.path().join(".tools").exists(), "pnpm fetched the pnpm the repository names: {stderr}");
}

#[test]
fn yarn_1_never_runs_the_yarn_path_of_the_repositorys_yarnrc() {
    require("yarn");
    let manifest = "{\n  \"name\": \"p\",\n  \"dependencies\": {\n    \"express\": \"^4.22.3\"\n  }\n}\n";
    let files = [
        ("package.json", manifest),
        ("yarn.lock", "# yarn lockfile v1\n"),
        (".yarnrc", "yarn-path \"./evil.js\"\n"),
        ("evil.js", &marker_script("evil.js")),
    ];
    control(&files, &["yarn", "install", "--ignore-scripts"]);
    let (_tmp, dir) = project(&files);

    let stderr = harden(&dir);

    assert!(stderr.contains("yarn.lock `yarn install --ignore-scripts` failed"), "{stderr}");
    assert!(!dir.join("MARKER").exists(), "yarn ran the repository's yarn-path: {stderr}");
    assert!(!dir.join("node_modules").exists());
}

// ---------------------------------------------------------------------------------------------------------------------
// Yarn 1 has no lockfile-only mode: `--lockfile` installs into a temporary folder and leaves no node_modules, in the
// project or in its workspaces; the lockfile is the one a normal install makes (a frozen install accepts it).

/// Runs yarn 1 in `dir` with its modules in a throwaway folder, then removes the node_modules it still makes in the
/// workspace (whether there was one); panics unless it succeeds.
fn yarn(dir: &Path, args: &[&str]) -> bool {
    let modules = tempfile::tempdir().expect("tempdir");
    let out = Command::new("yarn")
        .args(args)
        .args(["--ignore-scripts", "--non-interactive", "--modules-folder"])
        .arg(modules.path())
        .current_dir(dir)
        .env("YARN_IGNORE_PATH", "1")
        .output()
        .expect("run yarn");
    assert!(out.status.success(), "yarn {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    std::fs::remove_dir_all(dir.join("packages/a/node_modules")).is_ok()
}

#[test]
fn yarn_1_updates_only_the_lockfile() {
    require("yarn");
    let root = r#"{
  "name": "root",
  "private": true,
  "workspaces": ["packages/*"],
  "dependencies": {
    "express": "^4.22.3",
    "ms": "^2.1.3"
  }
}
"#;
    // Another ms than the root's: Yarn cannot hoist it and would put it in packages/a/node_modules.
    let workspace =
        "{\n  \"name\": \"a\",\n  \"version\": \"1.0.0\",\n  \"dependencies\": {\n    \"ms\": \"2.0.0\"\n  }\n}\n";
    let (_tmp, dir) = project(&[("package.json", root), ("packages/a/package.json", workspace)]);
    assert!(yarn(&dir, &["install"]), "Yarn 1 makes node_modules in the workspace (else this test proves less)");
    assert!(!dir.join("node_modules").exists());
    let before = std::fs::read_to_string(dir.join("yarn.lock")).expect("yarn made its lockfile");
    assert!(!before.contains("helmet@"));

    let out = Command::new(env!("CARGO_BIN_EXE_express-harden"))
        .args(["--write", "--allow-no-vcs", "--lockfile", "--only", "helmet", "--color", "never"])
        .current_dir(&dir)
        .output()
        .expect("run express-harden");

    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("updated yarn.lock ("), "{stdout}");
    let after = std::fs::read_to_string(dir.join("yarn.lock")).expect("read");
    assert!(after.contains("\nhelmet@^8.3.0:\n"), "{after}");
    assert!(!dir.join("node_modules").exists(), "Yarn installed into the project");
    assert!(!dir.join("packages/a/node_modules").exists(), "Yarn installed into the workspace");
    // The lockfile matches package.json: a frozen install accepts it.
    let _ = yarn(&dir, &["install", "--frozen-lockfile"]);
}

// ---------------------------------------------------------------------------------------------------------------------
// The project's package manager, and the lockfile's format, are the project's (issue 15's review): a stray lockfile
// git ignores is not the project's, a lockfile keeps the format its package manager reads, and a failure says why.

/// A git work tree of `dir` with `ignored` in .gitignore, everything committed.
fn commit_all(dir: &Path, ignored: &str) {
    std::fs::write(dir.join(".gitignore"), format!("node_modules\n{ignored}\n")).expect("write");
    for args in
        [&["init", "-q"][..], &["add", "-A"], &["-c", "user.email=t@t", "-c", "user.name=t", "commit", "-qm", "base"]]
    {
        let out = Command::new("git").args(args).current_dir(dir).output().expect("git");
        assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    }
}

/// `--only advisories --write --lockfile --written-list written.txt` in `dir`: exit code, stdout, stderr, and the
/// files listed.
fn fix_advisories(dir: &Path) -> (Option<i32>, String, String, Vec<String>) {
    let list = dir.join(".git/written.txt");
    let out = Command::new(env!("CARGO_BIN_EXE_express-harden"))
        .args(["--only", "advisories", "--write", "--lockfile", "--color", "never", "--written-list"])
        .arg(&list)
        .current_dir(dir)
        .env(common::BUNDLED_TABLE_CURRENT.0, common::BUNDLED_TABLE_CURRENT.1)
        .output()
        .expect("run express-harden");
    let listed = std::fs::read_to_string(&list).unwrap_or_default();
    let mut listed: Vec<String> = listed.split('\0').filter(|p| !p.is_empty()).map(str::to_string).collect();
    listed.sort();
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    (out.status.code(), text(&out.stdout), text(&out.stderr), listed)
}

/// A Yarn 1 project (`packageManager: yarn@1.22.22`, yarn.lock committed) with a package-lock.json that .gitignore
/// lists: Yarn's `resolutions` are written, Yarn updates yarn.lock, the stray file is left alone, and
/// `--written-list` names every file that changed, so that a bot committing it leaves a lockfile a frozen install
/// accepts.
#[test]
fn a_stray_lockfile_git_ignores_is_not_the_projects() {
    require("yarn");
    let (_tmp, dir) = copy_app("advisories-twolocks");
    commit_all(&dir, "package-lock.json");
    let stray = std::fs::read(dir.join("package-lock.json")).expect("read");

    let (code, stdout, stderr, listed) = fix_advisories(&dir);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stdout.contains("updated yarn.lock ("), "{stdout}");
    let manifest = std::fs::read_to_string(dir.join("package.json")).expect("read");
    assert!(manifest.contains("\"resolutions\": {") && !manifest.contains("\"overrides\""), "{manifest}");
    assert_eq!(std::fs::read(dir.join("package-lock.json")).expect("read"), stray, "npm ran");
    assert_eq!(listed, ["package.json", "yarn.lock"]);
    let _ = yarn(&dir, &["install", "--frozen-lockfile"]);

    // Both live (no packageManager, neither ignored): which one installs the project is not known; nothing is written.
    let (_tmp, dir) = copy_app("advisories-twolocks");
    let manifest = std::fs::read_to_string(dir.join("package.json")).expect("read");
    std::fs::write(dir.join("package.json"), manifest.replace("  \"packageManager\": \"yarn@1.22.22\",\n", ""))
        .expect("write");
    commit_all(&dir, "");
    let (code, stdout, stderr, listed) = fix_advisories(&dir);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        stderr.contains(
            "package-lock.json: yarn.lock is a lockfile of this project too (git ignores neither, and package.json has \
             no packageManager field), so which package manager installs it is not known: neither is read nor updated"
        ),
        "{stderr}"
    );
    assert!(stdout.is_empty() && listed.is_empty(), "{stdout}{listed:?}");
    let status = Command::new("git").args(["status", "--porcelain"]).current_dir(&dir).output().expect("git");
    assert_eq!(String::from_utf8_lossy(&status.stdout), "", "nothing is written");
    // --check does not pass a project it could not read.
    let out = common::express_harden(&dir, &["--check", "--only", "advisories", "--fail-on", "low"]);
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));

    // packageManager names Yarn, but git ignores yarn.lock and the repository commits package-lock.json: Yarn would
    // install from yarn.lock, CI from package-lock.json. They disagree, as in the case above: neither is read nor
    // written (not the ignored yarn.lock, not a stale package-lock.json), --written-list is empty, --check exits 2.
    let (_tmp, dir) = copy_app("advisories-twolocks");
    commit_all(&dir, "yarn.lock");
    let ignored = std::fs::read(dir.join("yarn.lock")).expect("read");
    let (code, stdout, stderr, listed) = fix_advisories(&dir);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        stderr.contains(
            "yarn.lock: is the lockfile of yarn, which package.json's packageManager names, but git ignores it, and \
             package-lock.json, the lockfile the repository commits, is another package manager's: the two disagree"
        ),
        "{stderr}"
    );
    assert!(stdout.is_empty() && listed.is_empty(), "{stdout}{listed:?}");
    let status = Command::new("git").args(["status", "--porcelain"]).current_dir(&dir).output().expect("git");
    assert_eq!(String::from_utf8_lossy(&status.stdout), "", "nothing tracked is written");
    assert_eq!(std::fs::read(dir.join("yarn.lock")).expect("read"), ignored, "the ignored yarn.lock is not written");
    let out = common::express_harden(&dir, &["--check", "--only", "advisories", "--fail-on", "low"]);
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
}

/// The `lockfileVersion` of an npm lockfile.
fn npm_lockfile_version(dir: &Path) -> u64 {
    let text = std::fs::read_to_string(dir.join("package-lock.json")).expect("read");
    serde_json::from_str::<serde_json::Value>(&text).expect("json")["lockfileVersion"].as_u64().expect("version")
}

/// A lockfile made by npm 6 (version 1) stays version 1 (npm 7+ would write 3, which npm 6 cannot read), and npm 6
/// installs the fixed body-parser from it.
#[test]
fn npm_keeps_a_version_1_lockfile_that_npm_6_reads() {
    require("npm");
    let (_tmp, dir) = copy_app("advisories-npm6");
    commit_all(&dir, "");
    assert_eq!(npm_lockfile_version(&dir), 1);
    let (code, stdout, stderr, listed) = fix_advisories(&dir);
    assert_eq!(code, Some(0), "{stderr}");
    // (express 4.21.2 pins path-to-regexp 0.1.12, affected by GHSA-37ch-88jc-xwx2: raised to 4.22.0 beside it.)
    assert!(
        stdout.contains("updated package-lock.json (express 4.21.2 -> 4.22.0, body-parser 1.20.1 -> 1.20.4)"),
        "{stdout}"
    );
    assert_eq!(listed, ["package-lock.json", "package.json"]);
    assert_eq!(npm_lockfile_version(&dir), 1);
    let npm6 = Command::new("npx")
        .args(["--yes", "npm@6.14.18", "ci", "--ignore-scripts", "--no-audit"])
        .current_dir(&dir)
        .output()
        .expect("npx");
    assert!(npm6.status.success(), "npm 6 ci: {}", String::from_utf8_lossy(&npm6.stderr));
    let installed = std::fs::read_to_string(dir.join("node_modules/body-parser/package.json")).expect("installed");
    assert!(installed.contains("\"version\": \"1.20.4\""), "{installed}");
}

/// A pnpm 8 project (lockfile '6.0'): the pnpm here (9, which writes '9.0') does not touch its lockfile; the error
/// names the pnpm to run, and the next step does not offer --lockfile again.
#[test]
fn pnpm_of_another_lockfile_format_does_not_rewrite_it() {
    require("pnpm");
    let pnpm = Command::new("pnpm").arg("--version").current_dir(std::env::temp_dir()).output().expect("pnpm");
    let major = String::from_utf8_lossy(&pnpm.stdout).trim().split('.').next().unwrap_or_default().to_string();
    assert!(major == "9" || major == "10", "this test needs pnpm 9 or 10 (found {major})");
    let (_tmp, dir) = copy_app("advisories-pnpm8");
    commit_all(&dir, "");
    let before = std::fs::read(dir.join("pnpm-lock.yaml")).expect("read");
    let (code, _, stderr, listed) = fix_advisories(&dir);
    assert_eq!(code, Some(2), "{stderr}");
    assert_eq!(std::fs::read(dir.join("pnpm-lock.yaml")).expect("read"), before);
    assert!(
        stderr.contains(&format!(
            "pnpm-lock.yaml is lockfile version 6.0, which pnpm 8 writes; the pnpm found here is version {major}, which \
             would rewrite it in its own format (that the project's pnpm could not install from): the lockfile was not \
             updated: run `pnpm install --lockfile-only --ignore-scripts` with pnpm 8"
        )),
        "{stderr}"
    );
    assert!(!stderr.contains("(or use --write --lockfile)"), "{stderr}");
    assert_eq!(listed, ["package.json"]);
}

/// npm's ERESOLVE is reported by npm's reason (its code and explanation), not by the paths of its log files; Yarn's
/// 404 by its error line.
#[test]
fn a_package_manager_failure_is_reported_by_its_reason() {
    let cases = [
        (
            "npm",
            "advisories-eresolve",
            "package-lock.json `npm install --package-lock-only --ignore-scripts --no-audit` failed: code ERESOLVE / \
             ERESOLVE could not resolve / While resolving: react-dom@18.2.0 / Found: react@17.0.2; package.json put \
             back as it was",
        ),
        // Yarn 1 and a tarball the registry does not have (a package that was never published; fs 0.0.2, used before, is served again): Yarn's error line, not the stack frames.
        (
            "yarn",
            "advisories-yarn404",
            "yarn.lock `yarn install --ignore-scripts` failed: error Error: \
             https://registry.npmjs.org/express-harden-no-such-package/-/express-harden-no-such-package-0.0.2.tgz: \
             Request failed \"404 Not Found\"; package.json put back as \
             it was",
        ),
    ];
    for (manager, app, reason) in cases {
        require(manager);
        let (_tmp, dir) = copy_app(app);
        commit_all(&dir, "");
        let (code, _, stderr, _) = fix_advisories(&dir);
        assert_eq!(code, Some(2), "{stderr}");
        assert!(stderr.contains(reason), "{stderr}");
        assert!(!stderr.contains("_logs") && !stderr.contains("(node:"), "{stderr}");
    }
}

/// A server folder with two lockfiles (package-lock.json and pnpm-lock.yaml, neither ignored: which one installs it
/// is not known) beside a front end with a package-lock.json of its own (`tests/e2e/advisories-two-projects`, as
/// bradtraversy/proshop-v2 has it). `--write --lockfile` writes the server's helmet, cannot update its lockfiles (an
/// error: exit 2), and still refreshes the front end's lockfile for its lodash advisory: an error about one project
/// no longer stops the refresh of another (the run announced the refresh and made none). The front end's lockfile
/// records where each package was downloaded from, and keeps doing so though the user's npm is set to omit it
/// (`omit-lockfile-registry-resolved`, set on this machine: npm rewrote every entry of proshop's lockfile).
#[test]
fn an_error_in_one_project_leaves_the_refresh_of_another_and_the_lockfile_keeps_its_style() {
    require("npm");
    let (_tmp, dir) = copy_app("advisories-two-projects");
    let server_lock = std::fs::read(dir.join("package-lock.json")).expect("read");
    let out = Command::new(env!("CARGO_BIN_EXE_express-harden"))
        .args(["--write", "--allow-no-vcs", "--lockfile", "--color", "never"])
        .current_dir(&dir)
        .env(common::BUNDLED_TABLE_CURRENT.0, common::BUNDLED_TABLE_CURRENT.1)
        .env("npm_config_omit_lockfile_registry_resolved", "true")
        .output()
        .expect("run express-harden");
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert_eq!(out.status.code(), Some(2), "{stdout}\n{stderr}");
    assert!(stderr.contains("pnpm-lock.yaml is a lockfile of this project too"), "{stderr}");
    assert!(std::fs::read_to_string(dir.join("server.js")).expect("read").contains("helmet()"));
    assert_eq!(std::fs::read(dir.join("package-lock.json")).expect("read"), server_lock, "not updated");
    assert!(stdout.contains("refreshed frontend/package-lock.json for lodash (lodash 4.17.20 -> "), "{stdout}");

    let lock: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("frontend/package-lock.json")).expect("read"))
            .expect("json");
    let lodash = lock["packages"]["node_modules/lodash"]["version"].as_str().unwrap_or_default().to_string();
    assert!(
        !express_harden::transforms::advisories::bundled().for_package("lodash").iter().any(|a| a.affects(&lodash)),
        "lodash {lodash} is fixed"
    );
    for (path, entry) in lock["packages"].as_object().expect("packages") {
        if !path.is_empty() {
            let resolved = entry["resolved"].as_str().unwrap_or_default();
            assert!(resolved.starts_with("https://registry.npmjs.org/"), "{path}: {entry}");
        }
    }
    assert_eq!(lock["packages"]["node_modules/ms"]["version"], "2.1.3");
}
