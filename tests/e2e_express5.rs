//! Express 4 -> 5 end to end: the app under `tests/e2e/express5-app` uses every signature Express 5 removed and the
//! old route syntax. It is run on Express 4 and must give the answers recorded in `requests.json` (status, body,
//! Location); it is then migrated with `--express 5`, installed with Express 5 from the committed lockfile, started,
//! and every request must get the same answer again.

mod common;

use std::path::Path;
use std::process::Command;

use common::{copy_app, express_harden, npm_ci, replay};

#[test]
fn an_express4_app_answers_the_same_on_express5_after_the_migration() {
    let requests: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/e2e/express5-app/requests.json"))
            .expect("requests.json"),
    )
    .expect("requests.json is JSON");

    // Before: the original app on Express 4 gives the recorded answers.
    let (_before_tmp, before) = copy_app("express5-app");
    std::fs::remove_file(before.join("package-lock.json")).expect("the lockfile is for Express 5");
    let npm = Command::new("npm")
        .args(["install", "--ignore-scripts", "--no-audit", "--no-fund", "--no-package-lock"])
        .current_dir(&before)
        .output()
        .expect("npm must be installed (scripts/test.sh installs it)");
    assert!(npm.status.success(), "npm install (Express 4): {}", String::from_utf8_lossy(&npm.stderr));
    let on_express4 = replay(&before, &requests, &[]);
    assert!(on_express4.is_empty(), "requests.json does not match Express 4:\n{}", on_express4.join("\n"));

    let (_tmp, app) = copy_app("express5-app");
    let out = express_harden(&app, &["--write", "--express", "5", "--only", "express5,express-version", "server.js"]);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", String::from_utf8_lossy(&out.stderr));
    let manifest = std::fs::read_to_string(app.join("package.json")).expect("read");
    assert!(manifest.contains("\"express\": \"^5.3.0\""), "{manifest}");
    npm_ci(&app);
    let installed = std::fs::read_to_string(app.join("node_modules/express/package.json")).expect("express");
    assert!(installed.contains("\"version\": \"5.3.0\""), "Express 5 is installed");

    let mismatches = replay(&app, &requests, &[]);
    assert!(mismatches.is_empty(), "answers that changed on Express 5:\n{}", mismatches.join("\n"));
}
