//! Express 4 -> 5 end to end with inline-regex routes: the login app under `tests/e2e/login-regex-app` keeps its
//! records under `/records/:id(\\d+)`, which Express 5 no longer reads (it throws at start). The same session of
//! requests (sign up, log in, add a record, view it, edit it, view it again, a value the pattern refuses) is played
//! on Express 4, then on the migrated app on Express 5: every answer must be the same.

mod common;

use std::path::Path;

use common::{copy_app, express_harden, get, npm_install_fresh, post_form, start_node};

/// Plays the session and returns every answer as `status line | Location | body`.
fn session(dir: &Path) -> Vec<String> {
    let server = start_node(dir, "server.js", &[("SESSION_SECRET", "e2e")]);
    let port = server.port;
    let show = |r: common::Response| {
        let status = r.status.split_whitespace().nth(1).unwrap_or("").to_string();
        format!("{status} | {} | {}", r.header("location").unwrap_or(""), r.body)
    };
    let mut answers = vec![show(post_form(port, "/signup", &[], "user=alice&password=pw"))];
    answers.push(show(post_form(port, "/records", &[], "text=milk")));
    let login = post_form(port, "/login", &[], "user=alice&password=pw");
    let cookie = login.cookie().expect("the login sets a session cookie");
    answers.push(show(login));
    let with = [("Cookie", cookie.as_str())];
    answers.push(show(post_form(port, "/records", &with, "text=milk")));
    answers.push(show(get(port, "/records/1", &with)));
    answers.push(show(post_form(port, "/records/1/edit", &with, "text=bread")));
    answers.push(show(get(port, "/records/1", &with)));
    answers.push(show(get(port, "/records/2", &with)));
    answers.push(show(get(port, "/records/latest", &with)));
    answers
}

#[test]
fn a_login_app_with_inline_regex_routes_works_the_same_on_express5() {
    let (_before_tmp, before) = copy_app("login-regex-app");
    npm_install_fresh(&before);
    let on_express4 = session(&before);
    assert_eq!(on_express4[4], "200 |  | alice: milk", "{on_express4:?}");
    assert_eq!(on_express4[6], "200 |  | alice: bread", "{on_express4:?}");
    assert_eq!(on_express4[8], "200 |  | no record called latest", "{on_express4:?}");

    let (_tmp, app) = copy_app("login-regex-app");
    let out =
        express_harden(&app, &["--write", "--allow-no-vcs", "--express", "5", "--only", "express5,express-version"]);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", String::from_utf8_lossy(&out.stderr));
    let migrated = std::fs::read_to_string(app.join("server.js")).expect("read");
    assert!(migrated.contains("app.get(/^\\/records(?:\\/(?<id>\\d+))\\/?$/i, requireLogin,"), "{migrated}");
    assert!(migrated.contains("app.post(/^\\/records(?:\\/(?<id>\\d+))\\/edit\\/?$/i, requireLogin,"), "{migrated}");
    let manifest = std::fs::read_to_string(app.join("package.json")).expect("read");
    assert!(manifest.contains("\"express\": \"^5.3.0\""), "{manifest}");
    npm_install_fresh(&app);
    let installed = std::fs::read_to_string(app.join("node_modules/express/package.json")).expect("express");
    assert!(installed.contains("\"version\": \"5."), "Express 5 is installed");

    // The original routes throw at start on Express 5: the test can fail.
    std::fs::copy(before.join("server.js"), app.join("server.express4.js")).expect("copy");
    let (code, stderr) = common::run_node_to_exit(&app, "server.express4.js", &[]);
    assert_ne!(code, Some(0), "{stderr}");

    assert_eq!(session(&app), on_express4);
}
