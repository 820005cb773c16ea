//! The inventory of every lockfile format (issue 15): the fixture projects under `tests/inventory/` were made by the
//! package managers themselves (npm 11, Yarn 1.22, Yarn 4, pnpm 8 and 9; npm-v1 is npm-v2's `dependencies` section,
//! which is lockfileVersion 1's format), each with the same dependencies: a nested copy (ms 2.0.0 under debug,
//! ms 2.1.3 at the top), an alias (`cookie-old`: `npm:cookie@0.3.1`), a development, an optional and a peer
//! dependency, and a workspace. Their inventory is compared with a snapshot; the package-lock one with what npm itself
//! says of a real install (`npm ls --all --json`).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use express_harden::inventory::{DepKind, Inventory, Parent};
use express_harden::lockfile::Manager;

const REPO: &str = env!("CARGO_MANIFEST_DIR");

fn case(name: &str) -> PathBuf {
    Path::new(REPO).join("tests/inventory").join(name)
}

fn snapshot(name: &str, lockfile: &str, manager: Manager, version: &str) {
    let inventory = Inventory::read(&case(name).join(lockfile), None).expect("the lockfile is read");
    assert_eq!((inventory.manager, inventory.version.as_str()), (manager, version));
    // Found from the workspace's folder as --lockfile finds it.
    let api = case(name).join("packages/api");
    if api.is_dir() {
        let found = Inventory::for_manifest(&api, None).expect("a lockfile above the workspace").expect("read");
        assert_eq!(found, inventory);
    }
    insta::with_settings!({
        snapshot_path => Path::new(REPO).join("snapshots"),
        prepend_module_to_snapshot => false,
        omit_expression => true,
    }, {
        insta::assert_snapshot!(format!("inventory__{name}"), inventory.render());
    });
}

#[test]
fn npm_lockfile_version_1() {
    snapshot("npm-v1", "package-lock.json", Manager::Npm, "1");
}

#[test]
fn npm_lockfile_version_2() {
    snapshot("npm-v2", "package-lock.json", Manager::Npm, "2");
}

#[test]
fn npm_lockfile_version_3() {
    snapshot("npm-v3", "package-lock.json", Manager::Npm, "3");
}

#[test]
fn npm_shrinkwrap() {
    snapshot("npm-shrinkwrap", "npm-shrinkwrap.json", Manager::Npm, "3");
}

#[test]
fn yarn_1() {
    snapshot("yarn-v1", "yarn.lock", Manager::Yarn1, "1");
}

#[test]
fn yarn_berry() {
    snapshot("yarn-berry", "yarn.lock", Manager::YarnBerry, "10");
}

/// Yarn's built-in patches of resolve and TypeScript: the patched entry is the package it patches (one package).
#[test]
fn yarn_berry_patched_packages() {
    snapshot("yarn-berry-patch", "yarn.lock", Manager::YarnBerry, "10");
}

#[test]
fn pnpm_lockfile_version_6() {
    snapshot("pnpm-v6", "pnpm-lock.yaml", Manager::Pnpm, "6.0");
}

#[test]
fn pnpm_lockfile_version_9() {
    snapshot("pnpm-v9", "pnpm-lock.yaml", Manager::Pnpm, "9.0");
}

/// The same project, whatever wrote its lockfile, resolves the same packages with the same parents and flags (Yarn 1
/// records no peer dependencies).
#[test]
fn every_format_agrees_on_the_packages_and_their_parents() {
    let edges = |name: &str, lockfile: &str| -> BTreeSet<(String, String, String)> {
        let inventory = Inventory::read(&case(name).join(lockfile), None).expect("read");
        let mut out = BTreeSet::new();
        for (i, package) in inventory.packages.iter().enumerate() {
            for d in &package.parents {
                let parent = match d.parent {
                    Parent::Root(r) => inventory.roots[r].path.clone(),
                    other => inventory.describe(other),
                };
                let flags = format!("{:?} dev={} optional={}", d.kind, package.dev, package.optional);
                out.insert((parent, inventory.describe(Parent::Package(i)), flags));
            }
        }
        out
    };
    let npm = edges("npm-v3", "package-lock.json");
    assert!(npm.iter().any(|(p, c, _)| p == "debug@2.6.9" && c == "ms@2.0.0"), "{npm:#?}");
    assert!(npm.iter().any(|(p, c, _)| p == "packages/api" && c == "cookie@0.3.1"), "the alias by its real name");
    assert_eq!(edges("npm-v2", "package-lock.json"), npm);
    assert_eq!(edges("yarn-v1", "yarn.lock"), npm.iter().filter(|e| !e.2.starts_with("Peer")).cloned().collect());
    assert_eq!(edges("yarn-berry", "yarn.lock"), npm);
    assert_eq!(edges("pnpm-v9", "pnpm-lock.yaml"), npm);
    let single = edges("npm-shrinkwrap", "npm-shrinkwrap.json");
    assert_eq!(edges("npm-v1", "package-lock.json"), single);
    assert_eq!(edges("pnpm-v6", "pnpm-lock.yaml"), single);
}

#[test]
fn a_malformed_lockfile_is_an_error_naming_the_file_and_the_reason() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cases: [(&str, &str, &str); 9] = [
        (
            "package-lock.json",
            "{\"lockfileVersion\": 3, \"packages\": {",
            "is not a valid npm lockfile: EOF while parsing",
        ),
        (
            "package-lock.json",
            "\"text\"",
            "is not a valid npm lockfile: invalid type: string \"text\", expected struct",
        ),
        ("package-lock.json", "{\"name\": \"x\"}", "is not a valid npm lockfile: it has no lockfileVersion"),
        (
            "package-lock.json",
            "{\"lockfileVersion\": 4, \"packages\": {}}",
            "has lockfileVersion 4, which this tool does not read (it reads 1, 2 and 3)",
        ),
        ("npm-shrinkwrap.json", "{\"lockfileVersion\": 3}", "has lockfileVersion 3 but no \"packages\""),
        (
            "pnpm-lock.yaml",
            "lockfileVersion: '5.4'\n",
            "has lockfileVersion 5.4, which this tool does not read (it reads 6 to 9)",
        ),
        ("pnpm-lock.yaml", "lockfileVersion: '9.0'\nimporters: [1\n", "is not a valid pnpm lockfile: "),
        (
            "pnpm-lock.yaml",
            "lockfileVersion: '9.0'\nsnapshots:\n  nonsense: {}\n",
            "has a package key pnpm does not write: `nonsense`",
        ),
        ("yarn.lock", "# yarn lockfile v1\n\n\"express@^4\":\n  resolved \"x\"\n", "is not a valid yarn.lock: "),
    ];
    for (file, text, reason) in cases {
        let path = dir.path().join(file);
        std::fs::write(&path, text).expect("write");
        let err = Inventory::read(&path, None).expect_err(text);
        assert_eq!(err.path, path);
        assert!(err.message.starts_with(reason), "{file} {text:?}: {}", err.message);
        assert!(err.to_string().ends_with(&format!("{file}: {}", err.message)), "{err}");
        std::fs::remove_file(&path).expect("rm");
    }
    // Not a regular file, and not a lockfile's name.
    std::fs::create_dir(dir.path().join("yarn.lock")).expect("mkdir");
    let err = Inventory::read(&dir.path().join("yarn.lock"), None).expect_err("a folder");
    assert_eq!(err.message, "is not a regular file (a folder)");
    let err = Inventory::read(&dir.path().join("bun.lockb"), None).expect_err("bun");
    assert!(err.message.starts_with("is not a lockfile this tool reads"), "{}", err.message);
}

/// Garbage never panics: every prefix of every fixture lockfile, and byte-flipped copies.
#[test]
fn truncated_and_corrupted_lockfiles_never_panic() {
    let dir = tempfile::tempdir().expect("tempdir");
    let files = [
        ("npm-v1", "package-lock.json"),
        ("npm-v3", "package-lock.json"),
        ("yarn-v1", "yarn.lock"),
        ("yarn-berry", "yarn.lock"),
        ("pnpm-v6", "pnpm-lock.yaml"),
        ("pnpm-v9", "pnpm-lock.yaml"),
    ];
    for (name, file) in files {
        let text = std::fs::read_to_string(case(name).join(file)).expect("fixture");
        let path = dir.path().join(file);
        let step = (text.len() / 97).max(1);
        for cut in (0..text.len()).step_by(step).filter(|&c| text.is_char_boundary(c)) {
            std::fs::write(&path, &text[..cut]).expect("write");
            let _ = Inventory::read(&path, None);
            let mut flipped = text.clone().into_bytes();
            flipped[cut] = match flipped[cut] {
                b':' => b' ',
                b'"' => b'\n',
                b'\n' => b':',
                _ => b'@',
            };
            std::fs::write(&path, &flipped).expect("write");
            let _ = Inventory::read(&path, None);
        }
    }
}

// ---------------------------------------------------------------------------------------------------------------------
// The package-lock inventory against npm's own view of a real install.

fn npm(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new("npm")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("npm must be installed (scripts/test.sh installs it)")
}

/// Every (parent, child) pair of `npm ls --all --json`: `name@version` for packages (the name of its folder: an alias
/// is listed under its alias), the project's folder for projects.
fn npm_ls_edges(node: &serde_json::Value, parent: &str, out: &mut BTreeSet<(String, String)>) {
    let Some(children) = node.get("dependencies").and_then(|d| d.as_object()) else { return };
    for (name, child) in children {
        let Some(version) = child.get("version").and_then(|v| v.as_str()) else { continue };
        // A workspace is a project of its own (its `resolved` is `file:../packages/api`).
        if let Some(folder) = child.get("resolved").and_then(|r| r.as_str()).and_then(|r| r.strip_prefix("file:../")) {
            npm_ls_edges(child, folder, out);
            continue;
        }
        let id = format!("{name}@{version}");
        out.insert((parent.to_string(), id.clone()));
        npm_ls_edges(child, &id, out);
    }
}

/// The inventory of `case`'s package-lock.json against npm ls of its install (`npm ci` from the committed lockfile).
fn compare_with_npm_ls(case_name: &str, files: &[&str]) -> Inventory {
    let dir = tempfile::tempdir().expect("tempdir");
    let app = case(case_name);
    for file in files {
        std::fs::create_dir_all(dir.path().join(file).parent().expect("folder")).expect("mkdir");
        std::fs::copy(app.join(file), dir.path().join(file)).expect("copy");
    }
    let ci = npm(dir.path(), &["ci", "--ignore-scripts", "--no-audit", "--no-fund"]);
    assert!(ci.status.success(), "npm ci: {}", String::from_utf8_lossy(&ci.stderr));
    let ls = npm(dir.path(), &["ls", "--all", "--json"]);
    assert!(ls.status.success(), "npm ls: {}", String::from_utf8_lossy(&ls.stderr));
    let tree: serde_json::Value = serde_json::from_slice(&ls.stdout).expect("npm ls --json");
    let mut expected = BTreeSet::new();
    npm_ls_edges(&tree, "", &mut expected);

    let inventory = Inventory::read(&dir.path().join("package-lock.json"), None).expect("read");
    // Packages by their folder's name and version, as npm ls shows them; those npm did not install on this platform
    // (an optional dependency for another OS) left out, as npm ls leaves them out.
    let installed = |i: usize| dir.path().join(&inventory.packages[i].key).join("package.json").is_file();
    let folder = |i: usize| {
        let package = &inventory.packages[i];
        let name = package.key.rsplit_once("node_modules/").map_or(package.key.as_str(), |(_, n)| n);
        format!("{name}@{}", package.version)
    };
    let mut actual = BTreeSet::new();
    for (i, package) in inventory.packages.iter().enumerate().filter(|&(i, _)| installed(i)) {
        for d in &package.parents {
            let parent = match d.parent {
                Parent::Root(r) => inventory.roots[r].path.clone(),
                Parent::Package(p) => folder(p),
            };
            actual.insert((parent, folder(i)));
        }
    }
    assert_eq!(actual, expected);
    // Every package npm installed is in the inventory, at its folder, with its name and version.
    for package in inventory.packages.iter().enumerate().filter(|&(i, _)| installed(i)).map(|(_, p)| p) {
        let manifest = dir.path().join(&package.key).join("package.json");
        let installed: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&manifest).expect("installed")).expect("json");
        assert_eq!(installed["version"].as_str(), Some(package.version.as_str()), "{}", package.key);
        assert_eq!(installed["name"].as_str(), Some(package.name.as_str()), "{}", package.key);
    }
    inventory
}

#[test]
fn the_package_lock_inventory_is_what_npm_ls_says_of_a_real_install() {
    let files = ["package.json", "package-lock.json", "packages/api/package.json"];
    let inventory = compare_with_npm_ls("npm-v3", &files);
    let flagged = |flag: fn(&express_harden::inventory::Package) -> bool| -> Vec<&str> {
        inventory.packages.iter().filter(|p| flag(p)).map(|p| p.key.as_str()).collect()
    };
    assert_eq!(flagged(|p| p.dev), ["node_modules/ms"]);
    assert_eq!(flagged(|p| p.optional), ["node_modules/bytes"]);
    assert!(flagged(|p| p.key.contains("/node_modules/")).contains(&"node_modules/debug/node_modules/ms"));
    let kinds: Vec<DepKind> = inventory.packages.iter().flat_map(|p| p.parents.iter().map(|d| d.kind)).collect();
    assert!(kinds.contains(&DepKind::Peer), "react is use-sync-external-store's peer");
}

/// The issue's Express app (Express 4.18.2, body-parser, cookie-parser and ejs at vulnerable versions, nodemon for
/// development): 110 packages, seven of them nested, one optional for another OS.
#[test]
fn the_express_app_inventory_is_what_npm_ls_says_of_its_install() {
    let inventory = compare_with_npm_ls("npm-express", &["package.json", "package-lock.json"]);
    assert_eq!(inventory.packages.len(), 110);
    let find = |key: &str| inventory.packages.iter().find(|p| p.key == key).expect(key);
    // cookie-parser's cookie at the top, Express's own nested under it.
    assert_eq!(find("node_modules/cookie").version, "0.4.1");
    let cookie = find("node_modules/express/node_modules/cookie");
    assert_eq!((cookie.version.as_str(), cookie.dev), ("0.5.0", false));
    let chain: Vec<String> = cookie.chain.iter().map(|&n| inventory.describe(n)).collect();
    assert_eq!(chain, ["express-app", "express@4.18.2", "cookie@0.5.0"]);
    assert_eq!(cookie.parents.len(), 1);
    assert_eq!(cookie.parents[0].range.as_deref(), Some("0.5.0"));
    assert!(find("node_modules/fsevents").optional && find("node_modules/fsevents").dev);
    assert!(find("node_modules/nodemon").dev);
}

/// Writes `files` into a new folder and reads the inventory of its lockfile `lockfile`.
fn inventory_of(files: &[(&str, &str)], lockfile: &str) -> (tempfile::TempDir, Inventory) {
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, text) in files {
        std::fs::create_dir_all(dir.path().join(name).parent().expect("folder")).expect("mkdir");
        std::fs::write(dir.path().join(name), text).expect("write");
    }
    let inventory = Inventory::read(&dir.path().join(lockfile), None).expect("read");
    (dir, inventory)
}

#[test]
fn a_yarn_lock_without_its_header_and_with_scoped_packages() {
    let lock = "\"@scope/a@^1.0.0\", \"@scope/a@^1.1.0\":\n  version \"1.2.0\"\n  resolved \"https://r/a.tgz\"\n  \
                dependencies:\n    ms \"^2.0.0\"\n\nms@^2.0.0:\n  version \"2.1.3\"\n  resolved \"https://r/ms.tgz\"\n";
    let manifest = r#"{"name": "app", "devDependencies": {"@scope/a": "^1.1.0"}}"#;
    let (_dir, inventory) = inventory_of(&[("yarn.lock", lock), ("package.json", manifest)], "yarn.lock");
    assert_eq!(inventory.manager, Manager::Yarn1);
    let rendered = inventory.render();
    assert_eq!(
        rendered,
        "Yarn1 lockfile version 1\nproject \"\" app\n\
         @scope/a@1.2.0 [dev]\n  at @scope/a@1.2.0\n  via app > @scope/a@1.2.0\n  <- app (Dev ^1.1.0)\n\
         ms@2.1.3 [dev]\n  at ms@2.1.3\n  via app > @scope/a@1.2.0 > ms@2.1.3\n  <- @scope/a@1.2.0 (Prod ^2.0.0)\n"
    );
}

/// lockfileVersion 1 without the project's package.json: the top-level packages nothing requires are the project's,
/// of the kind npm flagged them.
#[test]
fn npm_v1_without_its_manifest() {
    let lock = r#"{"lockfileVersion": 1, "dependencies": {
        "a": {"version": "1.0.0", "requires": {"b": "^2.0.0"}, "dependencies": {"b": {"version": "2.0.0"}}},
        "b": {"version": "1.0.0", "dev": true},
        "@s/c": {"version": "npm:real@3.0.0", "optional": true}
    }}"#;
    let (_dir, inventory) = inventory_of(&[("package-lock.json", lock)], "package-lock.json");
    let rendered = inventory.render();
    assert!(
        rendered.contains(
            "b@2.0.0\n  at node_modules/a/node_modules/b\n  via . > a@1.0.0 > b@2.0.0\n  <- a@1.0.0 (Prod ^2.0.0)\n"
        ),
        "{rendered}"
    );
    assert!(rendered.contains("b@1.0.0 [dev]\n  at node_modules/b\n  via . > b@1.0.0\n  <- . (Dev)\n"), "{rendered}");
    assert!(
        rendered.contains("real@3.0.0 [optional]\n  at node_modules/@s/c\n  via . > real@3.0.0\n  <- . (Optional)\n"),
        "{rendered}"
    );
}

/// A workspace depending on another (`link:` in pnpm, `workspace:` in Berry, a link entry in npm) depends on a
/// project, not a package: the projects' own dependencies are reached from each project.
#[test]
fn workspaces_depending_on_each_other() {
    let pnpm = "lockfileVersion: '9.0'\nimporters:\n  .:\n    dependencies:\n      b:\n        specifier: workspace:*\n        \
                version: link:packages/b\n  packages/b:\n    dependencies:\n      ms:\n        specifier: ^2.1.0\n        \
                version: 2.1.3\npackages:\n  ms@2.1.3:\n    resolution: {integrity: sha512-x}\nsnapshots:\n  ms@2.1.3: {}\n";
    let (_dir, inventory) =
        inventory_of(&[("pnpm-lock.yaml", pnpm), ("packages/b/package.json", r#"{"name": "b"}"#)], "pnpm-lock.yaml");
    assert_eq!(inventory.render(), "Pnpm lockfile version 9.0\nproject \"\" (no name)\nproject \"packages/b\" b\nms@2.1.3\n  at ms@2.1.3\n  via b > ms@2.1.3\n  <- b (Prod ^2.1.0)\n");

    let npm = r#"{"lockfileVersion": 3, "packages": {
        "": {"name": "root", "workspaces": ["packages/*"], "dependencies": {"b": "*"}},
        "node_modules/b": {"resolved": "packages/b", "link": true},
        "packages/b": {"name": "b", "version": "1.0.0", "dependencies": {"ms": "^2.1.0"}},
        "node_modules/ms": {"version": "2.1.3"}
    }}"#;
    let (_dir, inventory) = inventory_of(&[("package-lock.json", npm)], "package-lock.json");
    assert_eq!(inventory.render(), "Npm lockfile version 3\nproject \"\" root\nproject \"packages/b\" b\nms@2.1.3\n  at node_modules/ms\n  via b > ms@2.1.3\n  <- b (Prod ^2.1.0)\n");
}

/// A YAML document that costs more than its size (aliases expanding exponentially) is refused, quickly.
#[test]
fn a_pnpm_lockfile_of_expanding_aliases_is_refused() {
    let mut yaml = String::from("lockfileVersion: '9.0'\na0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..30 {
        let prev = format!("*a{}", i - 1);
        yaml.push_str(&format!("a{i}: &a{i} [{}]\n", vec![prev; 10].join(", ")));
    }
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("pnpm-lock.yaml"), &yaml).expect("write");
    let start = std::time::Instant::now();
    let err = Inventory::read(&dir.path().join("pnpm-lock.yaml"), None).expect_err("refused");
    assert!(err.message.starts_with("is not a valid pnpm lockfile: "), "{}", err.message);
    assert!(start.elapsed() < std::time::Duration::from_secs(5));
}

/// Where a lockfile has no flags (Yarn, pnpm 9), `dev` and `optional` are computed from the graph: on the Express app,
/// without npm's flags, the computation gives npm's (`devOptional`, needed unless both are left out, is neither).
#[test]
fn dev_and_optional_computed_from_the_graph_are_npms() {
    let text = std::fs::read_to_string(case("npm-express").join("package-lock.json")).expect("fixture");
    let mut lock: serde_json::Value = serde_json::from_str(&text).expect("json");
    let mut flags = Vec::new();
    for (key, entry) in lock["packages"].as_object_mut().expect("packages").iter_mut().filter(|(k, _)| !k.is_empty()) {
        let entry = entry.as_object_mut().expect("entry");
        let flag = |name: &str| entry.get(name).and_then(|v| v.as_bool()).unwrap_or(false);
        flags.push((key.clone(), flag("dev"), flag("optional")));
        for name in ["dev", "optional", "devOptional"] {
            entry.remove(name);
        }
    }
    assert!(flags.iter().any(|f| f.1) && flags.iter().any(|f| f.2), "the app has both kinds");
    let (_dir, inventory) = inventory_of(&[("package-lock.json", &lock.to_string())], "package-lock.json");
    let computed: Vec<(String, bool, bool)> =
        inventory.packages.iter().map(|p| (p.key.clone(), p.dev, p.optional)).collect();
    assert_eq!(computed, flags);
}

/// Yarn 1's workspaces: literal folders and `dir/*` patterns, less the `!` exclusions and the folders without a
/// package.json.
#[test]
fn yarn_1_workspaces_from_the_manifest() {
    let manifest = r#"{"name": "mono", "workspaces": {"packages": ["apps/*", "tools/cli", "docs", "!apps/legacy"]}}"#;
    let lock = "# yarn lockfile v1\n\nms@^2.1.0:\n  version \"2.1.3\"\n";
    let files = [
        ("package.json", manifest),
        ("yarn.lock", lock),
        ("apps/web/package.json", r#"{"name": "web", "devDependencies": {"ms": "^2.1.0"}}"#),
        ("apps/legacy/package.json", r#"{"name": "legacy", "dependencies": {"ms": "^2.1.0"}}"#),
        ("apps/notes/README.md", "not a workspace"),
        ("tools/cli/package.json", r#"{"name": "cli"}"#),
    ];
    let (_dir, inventory) = inventory_of(&files, "yarn.lock");
    let roots: Vec<(&str, Option<&str>)> =
        inventory.roots.iter().map(|r| (r.path.as_str(), r.name.as_deref())).collect();
    assert_eq!(roots, [("", Some("mono")), ("apps/web", Some("web")), ("tools/cli", Some("cli"))]);
    let ms = &inventory.packages[0];
    assert!(ms.dev, "only web's devDependencies bring it in (legacy is excluded)");
    assert_eq!(ms.parents.len(), 1);
}

/// A front end whose lockfile links the folder above it (`"proshop2": "file:.."`, as bradtraversy/proshop-v2's
/// does): the server above is a project of the lockfile, but its dependencies resolve from its own folder up, never
/// from the front end's `node_modules`. The front end's express (webpack-dev-server's) is not the server's: the
/// server's express would otherwise be reported, and raised, from the front end's lockfile.
#[test]
fn a_linked_folder_above_resolves_its_dependencies_from_its_own_folder() {
    let dir = tempfile::tempdir().expect("tempdir");
    let lock = serde_json::json!({
        "name": "frontend", "lockfileVersion": 3, "requires": true,
        "packages": {
            "": { "name": "frontend", "dependencies": { "proshop2": "file:..", "webpack-dev-server": "^4.11.1" } },
            "..": { "name": "proshop2", "version": "2.0.0", "dependencies": { "express": "^4.18.2", "ms": "^2.1.3" } },
            "../node_modules/ms": { "version": "2.1.3" },
            "node_modules/proshop2": { "resolved": "..", "link": true },
            "node_modules/webpack-dev-server": { "version": "4.11.1", "dependencies": { "express": "^4.17.3" } },
            "node_modules/express": { "version": "4.18.2" }
        }
    });
    std::fs::write(dir.path().join("package-lock.json"), lock.to_string()).expect("write");
    let inventory = Inventory::read(&dir.path().join("package-lock.json"), None).expect("read");
    let parents = |name: &str| -> Vec<String> {
        let package = inventory.packages.iter().find(|p| p.name == name).expect(name);
        package
            .parents
            .iter()
            .map(|d| match d.parent {
                Parent::Root(r) => format!("project {:?}", inventory.roots[r].path),
                Parent::Package(p) => inventory.packages[p].name.clone(),
            })
            .collect()
    };
    assert_eq!(parents("express"), ["webpack-dev-server"]);
    assert_eq!(parents("ms"), ["project \"..\""], "what the lockfile records under the folder is its own");
}
