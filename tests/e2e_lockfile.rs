//! Lockfiles: a project whose package-lock.json pins Express 4.18.2 is bumped with `--write --lockfile`; the lockfile
//! is updated with npm (lockfile only, scripts off), and `npm ci` then succeeds and installs the patched Express.
//! Without `--lockfile`, the summary names the stale lockfile and the command to run.

mod common;

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

    let out = express_harden(&app, &["--write", "--lockfile", "--only", "express-version", "--color", "never"]);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("wrote package.json (express-version; +1 -1)"), "{stdout}");
    assert!(stdout.contains("updated package-lock.json (express 4.18.2 -> 4.22.3)"), "{stdout}");
    let manifest = std::fs::read_to_string(app.join("package.json")).expect("read");
    assert!(manifest.contains("\"express\": \"^4.22.3\""), "{manifest}");

    npm_ci(&app);
    assert_eq!(installed_express(&app), "4.22.3");
}
