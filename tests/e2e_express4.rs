//! Express 3 -> 4 end to end: the generator-style app under `tests/e2e/express3-app` (app.configure, bodyParser,
//! cookieParser, session, methodOverride, logger, favicon, app.router) is migrated with `--write`, its dependencies
//! installed with `npm ci` from the lockfile committed for the migrated package.json, and started on Express 4: a form
//! post is parsed, the session counter increments, and the 404 handler registered after `app.router` still answers
//! only what no route does.

mod common;

use common::{copy_app, express_harden, get, npm_ci, post_form, run_node_to_exit, start_node};

#[test]
fn an_express3_app_runs_on_express4_after_the_migration() {
    let (_tmp, app) = copy_app("express3-app");
    // (The original is kept outside the project while it is hardened: a second copy of Express 3 code in it would
    // hold the migration back.)
    let original = std::fs::read(app.join("app.js")).expect("keep the original");

    let out = express_harden(
        &app,
        &["--write", "--allow-no-vcs", "--only", "express-version,express4", "--color", "never", "app.js"],
    );
    assert_eq!(out.status.code(), Some(0), "stderr: {}", String::from_utf8_lossy(&out.stderr));
    let manifest = std::fs::read_to_string(app.join("package.json")).expect("read");
    assert!(manifest.contains("\"express\": \"~4.22.3\""), "{manifest}");
    let migrated = std::fs::read_to_string(app.join("app.js")).expect("read");
    assert!(!migrated.contains("app.configure(") && !migrated.contains("app.use(app.router)"), "{migrated}");
    std::fs::write(app.join("app.express3.js"), original).expect("the original beside it");

    npm_ci(&app);
    let installed = std::fs::read_to_string(app.join("node_modules/express/package.json")).expect("express");
    assert!(installed.contains("\"version\": \"4.22.3\""), "Express 4 is installed");

    // The original code does not even start on Express 4: the test can fail.
    let (code, stderr) = run_node_to_exit(&app, "app.express3.js", &[]);
    assert_ne!(code, Some(0));
    assert!(stderr.contains("app.configure is not a function"), "{stderr}");

    let server = start_node(&app, "app.js", &[("NODE_ENV", "development")]);
    let first = get(server.port, "/", &[]);
    assert!(first.body.contains("\"views\":1"), "{}", first.body);
    let cookie = first.cookie().expect("a session cookie");
    let second = get(server.port, "/", &[("Cookie", &cookie)]);
    assert!(second.body.contains("\"views\":2"), "the session counter increments: {}", second.body);
    let echo = post_form(server.port, "/echo", &[], "a=1&b=two");
    assert!(echo.body.contains("{\"a\":\"1\",\"b\":\"two\"}"), "the form post is parsed: {}", echo.body);
    // The 404 handler registered after app.router ran after the routes on Express 3: it still does.
    let missing = get(server.port, "/nowhere", &[]);
    assert!(missing.status.contains(" 404 ") && missing.body.contains("Not found"), "{}", missing.status);
    let icon = get(server.port, "/favicon.ico", &[]);
    assert!(icon.status.contains(" 200 "), "serve-favicon serves the icon: {}", icon.status);
}
