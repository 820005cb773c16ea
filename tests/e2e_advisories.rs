//! Known advisories, end to end (issue 15): an Express 4.18.2 app whose package.json pins body-parser 1.20.1,
//! cookie-parser 1.4.6 (with cookie 0.4.1) and ejs 3.1.6, with its package-lock.json, is fixed by the default run
//! with `--write --lockfile` (the bundled table); `npm ci` then installs no copy of those packages, nor of Express
//! and its own dependencies, that a bundled advisory affects; the app answers over HTTP (cookies set and parsed, a
//! form parsed, an ejs view rendered), and a second run reports no advisory, so `--check` passes even at
//! `--fail-on low`. cookie-parser 1.4.6 pins cookie 0.4.1, whose fix (0.7) is on another line: no override forces it,
//! cookie-parser is raised to 1.4.7 instead, which depends on cookie 0.7.2. Needs npm and the registry.

mod common;

use std::path::Path;

use common::{copy_app, express_harden, get, npm_ci, pnpm_install_frozen, post_form, start_node};
use express_harden::transforms::advisories::bundled;

/// Every installed copy (name, version, folder) of `names` under `dir/node_modules`, nested ones included.
fn installed(dir: &Path, names: &[&str], out: &mut Vec<(String, String, String)>) {
    let Ok(entries) = std::fs::read_dir(dir.join("node_modules")) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        let manifest = path.join("package.json");
        if let Ok(text) = std::fs::read_to_string(&manifest) {
            let json: serde_json::Value = serde_json::from_str(&text).expect("package.json");
            let name = json["name"].as_str().unwrap_or_default().to_string();
            if names.contains(&name.as_str()) {
                out.push((name, json["version"].as_str().unwrap_or_default().to_string(), path.display().to_string()));
            }
        }
        installed(&path, names, out);
    }
}

#[test]
fn the_app_is_fixed_installed_patched_and_still_works() {
    let (_tmp, app) = copy_app("advisories-app");
    let names = ["body-parser", "cookie", "ejs", "express", "path-to-regexp", "send", "serve-static"];

    // Before: the lockfile installs the vulnerable versions.
    let before = express_harden(&app, &["--only", "advisories", "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_slice(&before.stdout).expect("json");
    let found: Vec<String> = doc["advisories"]
        .as_array()
        .expect("advisories")
        .iter()
        .map(|a| {
            format!(
                "{} {}@{} {}",
                a["id"].as_str().unwrap_or_default(),
                a["package"].as_str().unwrap_or_default(),
                a["installed"].as_str().unwrap_or_default(),
                a["reachability"].as_str().unwrap_or_default()
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            "GHSA-qwcr-r2fm-qrc7 body-parser@1.20.1 called",
            "GHSA-pxg6-pf52-xh8x cookie@0.4.1 called",
            "GHSA-pxg6-pf52-xh8x cookie@0.5.0 called",
            "GHSA-phwq-j96m-2c2q ejs@3.1.6 called",
            "GHSA-ghr5-ch3p-vcr6 ejs@3.1.6 unknown",
            "GHSA-rv95-896h-c2vc express@4.18.2 not-called",
            "GHSA-qw6h-vgh9-j6wx express@4.18.2 not-called",
            "GHSA-9wv6-86v2-598j path-to-regexp@0.1.7 not-called",
            "GHSA-rhx6-c78j-4q9w path-to-regexp@0.1.7 not-called",
            "GHSA-37ch-88jc-xwx2 path-to-regexp@0.1.7 not-called",
            "GHSA-6rw7-vpxm-498p qs@6.11.0 unknown",
            "GHSA-m6fv-jmcg-4jfg send@0.18.0 not-called",
            "GHSA-cm22-4g7w-348p serve-static@1.15.0 not-called",
        ]
    );
    let check = express_harden(&app, &["--only", "advisories", "--check"]);
    assert_eq!(check.status.code(), Some(1), "ejs (critical) and body-parser (high) fail --check");

    // The fix, with every transform (express-version raises Express, whose own dependencies are then patched).
    let out = express_harden(&app, &["--write", "--allow-no-vcs", "--lockfile", "--color", "never"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}\n{}", String::from_utf8_lossy(&out.stdout));
    let manifest = std::fs::read_to_string(app.join("package.json")).expect("package.json");
    for written in ["\"body-parser\": \"1.20.4\"", "\"ejs\": \"3.1.10\"", "\"cookie-parser\": \"1.4.7\""] {
        assert!(manifest.contains(written), "{written} not in\n{manifest}");
    }
    // cookie 0.7 is on another line than the 0.4.1 cookie-parser 1.4.6 pins: never forced by an override.
    assert!(!manifest.contains("\"overrides\""), "{manifest}");

    npm_ci(&app);
    let mut copies = Vec::new();
    installed(&app, &names, &mut copies);
    assert!(copies.len() >= 3, "{copies:?}");
    let mut left = Vec::new();
    for (name, version, _) in &copies {
        let affected: Vec<&str> =
            bundled().for_package(name).iter().filter(|a| a.affects(version)).map(|a| a.id.as_str()).collect();
        if !affected.is_empty() {
            left.push(format!("{name}@{version} {affected:?}"));
        }
    }
    assert_eq!(left, Vec::<String>::new(), "{copies:?}");

    // The app still does what it did.
    let server = start_node(&app, "server.js", &[]);
    let home = get(server.port, "/", &[("Cookie", "name=ada")]);
    assert_eq!(home.status, "HTTP/1.1 200 OK", "{}", home.body);
    assert!(home.body.contains("<p>ada</p>"), "{}", home.body);
    assert!(home.set_cookie("seen").is_some_and(|c| c.starts_with("seen=1")), "{:?}", home.headers);
    let echo = post_form(server.port, "/echo", &[], "name=grace");
    assert_eq!(echo.status, "HTTP/1.1 200 OK", "{}", echo.body);
    assert!(echo.body.contains("<p>grace</p>"), "{}", echo.body);
    drop(server);

    // A second run: none of those advisories, and --check passes.
    let again = express_harden(&app, &["--only", "advisories", "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_slice(&again.stdout).expect("json");
    let left: Vec<String> = doc["advisories"]
        .as_array()
        .expect("advisories")
        .iter()
        .map(|a| format!("{} {}@{} {}", a["id"], a["package"], a["installed"], a["fix"]["kind"]))
        .collect();
    assert_eq!(left, Vec::<String>::new(), "{doc:#}");
    let check = express_harden(&app, &["--only", "advisories", "--check", "--fail-on", "low"]);
    assert_eq!(check.status.code(), Some(0), "{}", String::from_utf8_lossy(&check.stderr));
}

/// The versions of cookie installed under `dir`: npm's folders (nested ones included, and the workspace members'),
/// and pnpm's store folders (`node_modules/.pnpm/cookie@0.7.2`).
fn cookies(dir: &Path) -> Vec<String> {
    let mut copies = Vec::new();
    // (npm links each workspace member into node_modules: its own node_modules is read through the link.)
    installed(dir, &["cookie"], &mut copies);
    let mut versions: Vec<String> = copies.into_iter().map(|(_, version, _)| version).collect();
    for entry in std::fs::read_dir(dir.join("node_modules/.pnpm")).into_iter().flatten().flatten() {
        if let Some(version) = entry.file_name().to_string_lossy().strip_prefix("cookie@") {
            versions.push(version.to_string());
        }
    }
    versions.sort();
    versions
}

/// Fixes the copy of the test app `name` with `--write --lockfile` (advisories only), installs it with `install`
/// from the updated lockfile, and returns the app, the cookie versions installed, and the second run's cookie
/// advisories (`version kind: description`).
fn fix_and_install(
    name: &str,
    install: fn(&Path),
) -> (tempfile::TempDir, std::path::PathBuf, Vec<String>, Vec<String>) {
    let (tmp, app) = copy_app(name);
    let out = express_harden(&app, &["--only", "advisories", "--write", "--allow-no-vcs", "--lockfile"]);
    assert_eq!(out.status.code(), Some(0), "{name}: {}", String::from_utf8_lossy(&out.stderr));
    install(&app);
    let installed = cookies(&app);
    let again = express_harden(&app, &["--only", "advisories", "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_slice(&again.stdout).expect("json");
    let left = doc["advisories"]
        .as_array()
        .expect("advisories")
        .iter()
        .filter(|a| a["package"] == "cookie")
        .map(|a| format!("{} {}: {}", a["installed"], a["fix"]["kind"], a["fix"]["description"]))
        .collect();
    (tmp, app, installed, left)
}

/// A workspace member's own cookie-parser 1.4.6 (which pins cookie 0.4.1) is raised to 1.4.7 in the member's
/// package.json; the lockfile npm and pnpm update installs (`npm ci`, `pnpm install --frozen-lockfile`) no affected
/// cookie, and a second run reports none.
#[test]
fn a_members_parent_is_raised_and_installed_by_npm_and_pnpm() {
    for (name, install) in
        [("advisories-member-npm", npm_ci as fn(&Path)), ("advisories-member-pnpm", pnpm_install_frozen)]
    {
        let (_tmp, app, installed, left) = fix_and_install(name, install);
        let member = std::fs::read_to_string(app.join("packages/a/package.json")).expect("member");
        assert_eq!(
            member.trim_end(),
            r#"{ "name": "a", "version": "1.0.0", "dependencies": { "cookie-parser": "1.4.7" } }"#
        );
        assert!(!installed.is_empty() && !installed.iter().any(|v| v.starts_with("0.4.")), "{name}: {installed:?}");
        assert_eq!(left, Vec::<String>::new(), "{name}");
    }
}

/// `"cookie-parser": "*"` locked at 1.4.6: the lockfile refresh (`npm update cookie-parser`) moves it to 1.4.7,
/// package.json stays; `"cp": "npm:cookie-parser@1.4.6"` is raised within its alias. `npm ci` then installs no
/// affected cookie, and a second run reports none.
#[test]
fn a_star_parent_is_refreshed_and_an_aliased_parent_raised() {
    let (_tmp, app, installed, left) = fix_and_install("advisories-star", npm_ci);
    let manifest = std::fs::read_to_string(app.join("package.json")).expect("package.json");
    assert!(manifest.contains(r#""cookie-parser": "*""#), "{manifest}");
    assert_eq!(installed, ["0.7.2"]);
    assert_eq!(left, Vec::<String>::new());

    let (_tmp, app, installed, left) = fix_and_install("advisories-alias", npm_ci);
    let manifest = std::fs::read_to_string(app.join("package.json")).expect("package.json");
    assert!(manifest.contains(r#""cp": "npm:cookie-parser@1.4.7""#), "{manifest}");
    assert!(!installed.iter().any(|v| v.starts_with("0.4.")), "{installed:?}");
    assert_eq!(left, Vec::<String>::new());
}

/// Two copies of cookie 0.4.1 in npm workspaces: the one under cookie-parser goes with its raise, the one packages/b
/// lists itself (`"cookie": "0.4.1"`, whose fix is on another line) stays, and the second run says why.
#[test]
fn of_two_copies_the_fixable_one_is_fixed_and_the_other_explained() {
    let (_tmp, _app, installed, left) = fix_and_install("advisories-two-copies", npm_ci);
    assert_eq!(installed, ["0.4.1", "0.7.2"], "b's own 0.4.1; express 4.22's and cookie-parser 1.4.7's 0.7.2");
    assert_eq!(
        left,
        ["\"0.4.1\" \"none\": \"the fix, cookie 0.7.0, is on another line of releases than `0.4.1` in b (a new major, \
          or a new minor under 1.0.0, whose API may change): not raised; move to it by hand, checking its changelog\""]
    );
}

/// Express 4.17.1 installed under a package the project depends on (`mid`, a local tarball declaring
/// `"express": "^4.17.1"`): the lockfile refresh moves express within that range, and the packages under it that
/// advisories affect (body-parser, qs, send, serve-static, cookie, path-to-regexp) come with it. No override is
/// written for them (their fix is the new express's own ranges); `npm ci` then installs no affected copy, and a
/// second run finds nothing to do.
#[test]
fn packages_under_a_refreshed_parent_come_with_it_without_overrides() {
    let (_tmp, app) = copy_app("advisories-refresh-parent");
    let before = std::fs::read_to_string(app.join("package.json")).expect("package.json");
    let out = express_harden(&app, &["--only", "advisories", "--write", "--allow-no-vcs", "--lockfile"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(std::fs::read_to_string(app.join("package.json")).expect("package.json"), before);
    npm_ci(&app);
    let names = ["express", "body-parser", "qs", "send", "serve-static", "cookie", "path-to-regexp"];
    let mut copies = Vec::new();
    installed(&app, &names, &mut copies);
    assert!(copies.len() >= names.len(), "{copies:?}");
    let left: Vec<String> = copies
        .iter()
        .filter(|(name, version, _)| bundled().for_package(name).iter().any(|a| a.affects(version)))
        .map(|(name, version, _)| format!("{name}@{version}"))
        .collect();
    assert_eq!(left, Vec::<String>::new(), "{copies:?}");
    let again = express_harden(&app, &["--only", "advisories", "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_slice(&again.stdout).expect("json");
    assert_eq!(doc["advisories"].as_array().map(Vec::len), Some(0), "{doc:#}");
}

/// Two copies of qs (review rv12-15, problem 1): express `^4.17.1` locked at 4.17.1 with qs 6.7.0, and request
/// 2.88.2 with its own qs 6.5.2. The first moves with express's refresh, the second is refreshed itself (6.5.3 fits
/// request's `~6.5.2`): one `--write --lockfile` moves both (npm's command names qs as well as express), `npm ci`
/// installs no affected qs, and a second `--write --lockfile` changes nothing.
#[test]
fn a_copy_refreshed_itself_is_not_dropped_when_another_copy_moves_with_its_parent() {
    let (_tmp, app) = copy_app("advisories-two-qs");
    // (Every recorded advisory but qs's GHSA-6rw7-vpxm-498p: fixed only in 6.14.1, outside request's `~6.5.2`, it
    // would be an override across the line for both copies, which is not what this test is about.)
    let records = tempfile::tempdir().expect("tempdir");
    let skipped = "GHSA-6rw7-vpxm-498p.json";
    let osv = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/advisories/osv");
    for entry in std::fs::read_dir(&osv).expect("records") {
        let name = entry.expect("record").file_name();
        if name != skipped {
            std::fs::copy(osv.join(&name), records.path().join(&name)).expect("copy record");
        }
    }
    let source = records.path().to_string_lossy().to_string();
    let write = ["--only", "advisories", "--advisories", source.as_str(), "--write", "--allow-no-vcs", "--lockfile"];
    let out = express_harden(&app, &write);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let lock = std::fs::read_to_string(app.join("package-lock.json")).expect("package-lock.json");
    npm_ci(&app);
    let mut copies = Vec::new();
    installed(&app, &["qs"], &mut copies);
    assert_eq!(copies.len(), 2, "{copies:?}");
    let left: Vec<String> = copies
        .iter()
        .filter(|(name, version, _)| {
            bundled().for_package(name).iter().any(|a| a.id != "GHSA-6rw7-vpxm-498p" && a.affects(version))
        })
        .map(|(name, version, folder)| format!("{name}@{version} in {folder}"))
        .collect();
    assert_eq!(left, Vec::<String>::new(), "{stderr}");
    let again = express_harden(&app, &write);
    let stderr = String::from_utf8_lossy(&again.stderr);
    assert_eq!(again.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("changed no files"), "{stderr}");
    assert_eq!(std::fs::read_to_string(app.join("package-lock.json")).expect("package-lock.json"), lock, "{stderr}");
}
