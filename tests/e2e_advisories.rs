//! Known advisories, end to end (issue 15): an Express 4.18.2 app whose package.json pins body-parser 1.20.1,
//! cookie-parser 1.4.6 (with cookie 0.4.1) and ejs 3.1.6, with its package-lock.json, is fixed by the default run
//! with `--write --lockfile` (the bundled table); `npm ci` then installs no copy of those packages, nor of Express
//! and its own dependencies, that a bundled advisory affects; the app answers over HTTP (cookies set and parsed, a
//! form parsed, an ejs view rendered), and a second run reports no advisory, so `--check` passes even at
//! `--fail-on low`. cookie-parser 1.4.6 pins cookie 0.4.1, whose fix (0.7) is on another line: no override forces it,
//! cookie-parser is raised to 1.4.7 instead, which depends on cookie 0.7.2. Needs npm and the registry.

mod common;

use std::path::Path;

use common::{copy_app, express_harden, get, npm_ci, post_form, start_node};
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
    for written in ["\"body-parser\": \"1.20.3\"", "\"ejs\": \"3.1.10\"", "\"cookie-parser\": \"1.4.7\""] {
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
