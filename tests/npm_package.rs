//! The npm packages as a JavaScript team gets them: `scripts/npm-package.sh` builds the launcher and this machine's
//! platform package (around the binary cargo built for these tests) as tarballs; they are installed alone into a
//! temporary project with `npm install --offline` (a fresh npm cache: nothing comes from anywhere else), and
//! `npx express-harden` must print exactly what the cargo binary prints, with the same exit code. The launcher's own
//! promises follow: standard input and signals go through, EXPRESS_HARDEN_BINARY overrides the binary, and a
//! platform package that npm skipped is named.

mod common;

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_express-harden");
const REPO: &str = env!("CARGO_MANIFEST_DIR");
const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The tarballs and the projects they were installed into, made once for every test of this file.
struct Installed {
    tarballs: PathBuf,
    /// The launcher and the platform package, installed.
    project: PathBuf,
    /// The launcher alone (the platform package skipped, as `--omit=optional` or a failed download leaves it).
    launcher_only: PathBuf,
}

fn installed() -> &'static Installed {
    static INSTALLED: OnceLock<Installed> = OnceLock::new();
    INSTALLED.get_or_init(|| {
        // One fixed folder, emptied first: a static is never dropped, so a fresh temporary directory would be left
        // behind by every run (about 400 MB each: tarballs, two installs and npm caches around the debug binary).
        // Outside this repository (the system's temporary folder), since the app in it must not be seen as part of
        // a larger git project whose lockfiles the tool would look for.
        // Named after this build's target folder, so that two checkouts testing at once do not clear each other's.
        let dir = std::env::temp_dir().join(format!("express-harden-npm-package-{:016x}", target_key()));
        match std::fs::remove_dir_all(&dir) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => panic!("clear {}: {e}", dir.display()),
        }
        std::fs::create_dir_all(&dir).expect("mkdir");
        let tarballs = dir.join("tarballs");
        let out = Command::new("bash")
            .arg(Path::new(REPO).join("scripts/npm-package.sh"))
            .args(["--binary", BIN])
            .arg(&tarballs)
            .output()
            .expect("bash runs scripts/npm-package.sh");
        assert!(out.status.success(), "npm-package.sh failed: {}", String::from_utf8_lossy(&out.stderr));
        let platform = platform_tarball(&tarballs);
        let printed = String::from_utf8_lossy(&out.stdout).into_owned();
        assert_eq!(
            printed,
            format!("{}\n{}\n", platform.display(), tarballs.join(format!("express-harden-{VERSION}.tgz")).display()),
            "the script prints the tarballs it made"
        );
        let launcher = tarballs.join(format!("express-harden-{VERSION}.tgz"));
        let project = dir.join("project");
        npm_install(&dir, &project, &[&launcher, &platform]);
        let launcher_only = dir.join("launcher-only");
        npm_install(&dir, &launcher_only, &[&launcher]);
        Installed { tarballs, project, launcher_only }
    })
}

/// A key for this build's target folder (the same in every run of these tests from one checkout).
fn target_key() -> u64 {
    use std::hash::{Hash as _, Hasher as _};
    let mut hasher = std::hash::DefaultHasher::new();
    env!("CARGO_TARGET_TMPDIR").hash(&mut hasher);
    hasher.finish()
}

/// The one platform package the script built (this machine's).
fn platform_tarball(dir: &Path) -> PathBuf {
    let launcher = format!("express-harden-{VERSION}.tgz");
    let platforms: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("read the tarballs")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.file_name().is_some_and(|n| n.to_string_lossy() != launcher))
        .collect();
    assert_eq!(platforms.len(), 1, "one platform package: {platforms:?}");
    platforms.into_iter().next().expect("one")
}

/// `npm install --offline` of `tarballs` into a new project `dir`, with an empty npm cache of its own.
fn npm_install(base: &Path, dir: &Path, tarballs: &[&Path]) {
    std::fs::create_dir_all(dir).expect("mkdir");
    std::fs::write(dir.join("package.json"), "{\"name\": \"app\", \"version\": \"1.0.0\", \"private\": true}\n")
        .expect("write package.json");
    let out = Command::new("npm")
        .args(["install", "--offline", "--no-audit", "--no-fund"])
        .args(tarballs)
        .current_dir(dir)
        .env("npm_config_cache", base.join("npm-cache"))
        .env("npm_config_update_notifier", "false")
        .output()
        .expect("npm must be installed (scripts/test.sh installs it)");
    assert!(out.status.success(), "npm install --offline: {}", String::from_utf8_lossy(&out.stderr));
}

/// `npx --offline express-harden args...` in `dir` (`project` holds node_modules: `dir` is it or below it).
fn npx(project: &Path, dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    Command::new("npx")
        .args(["--offline", "express-harden"])
        .args(args)
        .current_dir(dir)
        .env("npm_config_cache", project.parent().expect("parent").join("npm-cache"))
        .env("npm_config_update_notifier", "false")
        .env_remove("EXPRESS_HARDEN_BINARY")
        .envs(env.iter().copied())
        .output()
        .expect("npx comes with npm")
}

/// The cargo binary with `args` in `dir`.
fn cargo_binary(dir: &Path, args: &[&str]) -> Output {
    Command::new(BIN).args(args).current_dir(dir).output().expect("run express-harden")
}

fn assert_same(npx: &Output, cargo: &Output, what: &str) {
    assert_eq!(npx.status.code(), cargo.status.code(), "{what}: exit code\n{}", String::from_utf8_lossy(&npx.stderr));
    assert_eq!(String::from_utf8_lossy(&npx.stdout), String::from_utf8_lossy(&cargo.stdout), "{what}: stdout");
    assert_eq!(String::from_utf8_lossy(&npx.stderr), String::from_utf8_lossy(&cargo.stderr), "{what}: stderr");
}

#[test]
fn npx_express_harden_prints_exactly_what_the_cargo_binary_prints() {
    let installed = installed();
    let app = installed.project.join("basic-app");
    if !app.exists() {
        common::copy_dir(&Path::new(REPO).join("examples/basic-app"), &app);
    }
    let before = common::tree(&app);

    let version = npx(&installed.project, &installed.project, &["--version"], &[]);
    assert_same(&version, &cargo_binary(&installed.project, &["--version"]), "--version");
    assert_eq!(String::from_utf8_lossy(&version.stdout), format!("express-harden {VERSION}\n"));

    let dry_run = npx(&installed.project, &app, &[], &[]);
    let expected = cargo_binary(&app, &[]);
    assert_same(&dry_run, &expected, "a dry run over examples/basic-app");
    assert!(String::from_utf8_lossy(&dry_run.stdout).contains("+++ b/app.js"), "the dry run shows a diff");
    assert_eq!(common::tree(&app), before, "a dry run writes nothing");

    // Exit codes other than 0 come through too: 1 for --check with changes due, 2 for bad usage.
    let check = npx(&installed.project, &app, &["--check"], &[]);
    assert_same(&check, &cargo_binary(&app, &["--check"]), "--check");
    assert_eq!(check.status.code(), Some(1));
    let usage = npx(&installed.project, &app, &["--only", "nope"], &[]);
    assert_same(&usage, &cargo_binary(&app, &["--only", "nope"]), "--only nope");
    assert_eq!(usage.status.code(), Some(2));
}

#[test]
fn the_packages_install_without_scripts_or_dependencies() {
    let installed = installed();
    let read = |relative: &str| -> serde_json::Value {
        let path = installed.project.join("node_modules").join(relative);
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
            .expect("JSON")
    };
    let launcher = read("express-harden/package.json");
    assert_eq!(launcher["version"], VERSION, "the version is Cargo.toml's");
    assert!(launcher.get("dependencies").is_none(), "the launcher has no dependencies: {launcher:#}");
    assert!(launcher.get("scripts").is_none(), "no install script: {launcher:#}");
    let optional = launcher["optionalDependencies"].as_object().expect("optionalDependencies");
    let names: Vec<&str> = optional.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        [
            "@express-harden/linux-x64",
            "@express-harden/linux-x64-musl",
            "@express-harden/linux-arm64",
            "@express-harden/linux-arm64-musl",
            "@express-harden/darwin-x64",
            "@express-harden/darwin-arm64",
            "@express-harden/win32-x64",
        ]
    );
    assert!(optional.values().all(|v| v == VERSION), "each at exactly the launcher's version: {optional:?}");

    let platform = std::fs::read_dir(installed.project.join("node_modules/@express-harden"))
        .expect("the platform package is installed")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect::<Vec<_>>();
    assert_eq!(platform.len(), 1, "{platform:?}");
    let manifest = read(&format!("@express-harden/{}/package.json", platform[0]));
    assert_eq!(manifest["version"], VERSION);
    assert!(manifest.get("scripts").is_none() && manifest.get("dependencies").is_none(), "{manifest:#}");
    assert_eq!(manifest["os"], serde_json::json!([std::env::consts::OS]), "{manifest:#}");
    let binary = installed.project.join("node_modules/@express-harden").join(&platform[0]).join("express-harden");
    assert_eq!(std::fs::read(&binary).expect("the binary"), std::fs::read(BIN).expect("the cargo binary"));
    assert!(installed.tarballs.exists());
}

#[test]
fn a_platform_package_that_npm_skipped_is_named() {
    let installed = installed();

    let out = npx(&installed.launcher_only, &installed.launcher_only, &["--version"], &[]);

    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let package = match (std::env::consts::OS, std::env::consts::ARCH) {
        ("linux", "x86_64") => "@express-harden/linux-x64",
        ("linux", "aarch64") => "@express-harden/linux-arm64",
        (os, arch) => panic!("a test machine of another kind ({os} {arch}): add its package here"),
    };
    assert!(
        stderr.starts_with(&format!("express-harden: the package {package}")) && stderr.contains("is not installed"),
        "{stderr}"
    );
    assert!(stderr.contains(&format!("npm install --save-dev {package}@{VERSION}")), "{stderr}");
    assert!(stderr.contains("EXPRESS_HARDEN_BINARY"), "{stderr}");
}

#[test]
fn express_harden_binary_overrides_the_platform_package() {
    let installed = installed();

    // The launcher alone, pointed at the cargo binary: works as the platform package would.
    let out =
        npx(&installed.launcher_only, &installed.launcher_only, &["--version"], &[("EXPRESS_HARDEN_BINARY", BIN)]);
    assert_same(&out, &cargo_binary(&installed.launcher_only, &["--version"]), "EXPRESS_HARDEN_BINARY");

    // A binary that cannot run is named.
    let missing = installed.launcher_only.join("no-such-binary");
    let out = npx(
        &installed.launcher_only,
        &installed.launcher_only,
        &["--version"],
        &[("EXPRESS_HARDEN_BINARY", missing.to_str().expect("UTF-8"))],
    );
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .starts_with(&format!("express-harden: could not run {}", missing.display())),
        "{out:?}"
    );
}

/// The launcher run with Node directly, with `EXPRESS_HARDEN_BINARY` set to `binary`.
fn launcher(binary: &Path, args: &[&str]) -> Command {
    let mut command = Command::new("node");
    command
        .arg(installed().project.join("node_modules/express-harden/bin/express-harden.js"))
        .args(args)
        .env("EXPRESS_HARDEN_BINARY", binary);
    command
}

#[test]
fn standard_input_and_arguments_go_through() {
    let script = installed().project.parent().expect("parent").join("echo-stdin.sh");
    std::fs::write(&script, "#!/bin/sh\nprintf '%s|' \"$@\"\ncat\n").expect("write");
    make_executable(&script);

    let mut child = launcher(&script, &["a b", "--c", ""])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("start the launcher");
    child.stdin.take().expect("stdin").write_all(b"from stdin\n").expect("write stdin");
    let out = child.wait_with_output().expect("wait");

    assert_eq!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "a b|--c||from stdin\n");
}

#[test]
fn signals_go_through_both_ways() {
    use nix::sys::signal::{kill, Signal};
    use nix::unistd::Pid;
    use std::os::unix::process::ExitStatusExt as _;

    let dir = installed().project.parent().expect("parent").to_path_buf();
    // A stand-in for a long run: writes its process id, then waits; dies of the TERM the launcher passes on.
    let script = dir.join("wait.sh");
    let pid_file = dir.join(format!("wait-{}.pid", std::process::id()));
    std::fs::write(&script, "#!/bin/sh\necho $$ > \"$1\"\nexec sleep 30\n").expect("write");
    make_executable(&script);

    let mut child = launcher(&script, &[pid_file.to_str().expect("UTF-8")]).spawn().expect("start the launcher");
    let deadline = Instant::now() + Duration::from_secs(20);
    let tool: i32 = loop {
        if let Some(pid) = std::fs::read_to_string(&pid_file).ok().and_then(|s| s.trim().parse().ok()) {
            break pid;
        }
        assert!(Instant::now() < deadline, "the binary did not start");
        std::thread::sleep(Duration::from_millis(50));
    };
    kill(Pid::from_raw(i32::try_from(child.id()).expect("pid")), Signal::SIGTERM).expect("signal the launcher");
    let status = child.wait().expect("wait");

    // The tool got the signal and died of it; the launcher then died of the same signal.
    assert_eq!(status.signal(), Some(Signal::SIGTERM as i32), "{status:?}");
    let gone = Instant::now() + Duration::from_secs(10);
    while std::fs::read_to_string(format!("/proc/{tool}/stat")).is_ok_and(|s| !s.contains(") Z ")) {
        assert!(Instant::now() < gone, "the binary still runs after the launcher was terminated");
        std::thread::sleep(Duration::from_millis(50));
    }

    // A binary killed by a signal: the launcher dies of it too (a shell shows 128 + its number).
    let status = launcher(Path::new("/bin/sh"), &["-c", "kill -INT $$"]).status().expect("run");
    assert_eq!(status.signal(), Some(Signal::SIGINT as i32), "{status:?}");
}

fn make_executable(path: &Path) {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
}
