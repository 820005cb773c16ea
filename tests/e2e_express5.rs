//! Express 4 -> 5 end to end: the app under `tests/e2e/express5-app` uses every signature Express 5 removed and the
//! old route syntax. It is run on Express 4 and must give the answers recorded in `requests.json` (status, body,
//! Location); it is then migrated with `--express 5`, installed with Express 5 from the committed lockfile, started,
//! and every request must get the same answer again.

mod common;

use std::path::Path;

use common::{copy_app, express_harden, npm_ci, npm_install_fresh, replay, tsc};

/// The requests recorded against the app on Express 4 (`tests/e2e/express5-app/requests.json`).
fn recorded_requests() -> serde_json::Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/e2e/express5-app/requests.json");
    serde_json::from_str(&std::fs::read_to_string(path).expect("requests.json")).expect("requests.json is JSON")
}

#[test]
fn an_express4_app_answers_the_same_on_express5_after_the_migration() {
    let requests = recorded_requests();

    // Before: the original app on Express 4 gives the recorded answers.
    let (_before_tmp, before) = copy_app("express5-app");
    std::fs::remove_file(before.join("package-lock.json")).expect("the lockfile is for Express 5");
    npm_install_fresh(&before);
    let on_express4 = replay(&before, &requests, &[]);
    assert!(on_express4.is_empty(), "requests.json does not match Express 4:\n{}", on_express4.join("\n"));

    let (_tmp, app) = copy_app("express5-app");
    let out = express_harden(
        &app,
        &["--write", "--allow-no-vcs", "--express", "5", "--only", "express5,express-version", "server.js"],
    );
    assert_eq!(out.status.code(), Some(0), "stderr: {}", String::from_utf8_lossy(&out.stderr));
    let manifest = std::fs::read_to_string(app.join("package.json")).expect("read");
    assert!(manifest.contains("\"express\": \"^5.3.0\""), "{manifest}");
    npm_ci(&app);
    let installed = std::fs::read_to_string(app.join("node_modules/express/package.json")).expect("express");
    assert!(installed.contains("\"version\": \"5.3.0\""), "Express 5 is installed");

    let mismatches = replay(&app, &requests, &[]);
    assert!(mismatches.is_empty(), "answers that changed on Express 5:\n{}", mismatches.join("\n"));
}

/// A breaker the migration cannot rewrite (a `req.param(name)` whose name is computed) holds Express on 4: the run
/// exits 3 and says why, package.json keeps Express 4 (its patched release), the route syntax stays Express 4's, and
/// with what was rewritten (the forms Express 4 runs the same) the app answers every recorded request as before.
#[test]
fn a_breaker_the_migration_cannot_rewrite_keeps_the_app_on_express4_answering_the_same() {
    let requests = recorded_requests();
    let (_tmp, app) = copy_app("express5-app");
    std::fs::remove_file(app.join("package-lock.json")).expect("the lockfile is for Express 5");
    let server = std::fs::read_to_string(app.join("server.js")).expect("read");
    let blocked = server.replace(
        "app.listen(port,",
        "app.get('/field/:name', function (req, res) {\n  var key = 'na' + 'me';\n  res.send('field ' + req.param(key));\n});\n\napp.listen(port,",
    );
    std::fs::write(app.join("server.js"), &blocked).expect("write");

    let out = express_harden(
        &app,
        &["--write", "--allow-no-vcs", "--express", "5", "--only", "express5,express-version", "server.js"],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "a held-back migration exits 3: {stderr}");
    assert!(stderr.contains("[express5/req-param]") && stderr.contains("stays on 4"), "{stderr}");
    let manifest = std::fs::read_to_string(app.join("package.json")).expect("read");
    assert!(manifest.contains("\"express\": \"^4.22.3\""), "{manifest}");
    let migrated = std::fs::read_to_string(app.join("server.js")).expect("read");
    assert!(migrated.contains("app.get('/files/*',") && migrated.contains("app.get('*',"), "routes stay: {migrated}");
    assert!(migrated.contains("app.delete("), "what Express 4 runs the same is rewritten: {migrated}");

    npm_install_fresh(&app);
    let installed = std::fs::read_to_string(app.join("node_modules/express/package.json")).expect("express");
    assert!(installed.contains("\"version\": \"4."), "Express 4 is installed");
    let mismatches = replay(&app, &requests, &[]);
    assert!(mismatches.is_empty(), "answers that changed on Express 4:\n{}", mismatches.join("\n"));
}

/// What the built app (`dist/app.js`) answers to each of `paths`: status line and body.
fn answers(app: &Path, paths: &[&str]) -> Vec<String> {
    let server = common::start_node(app, "dist/app.js", &[]);
    paths
        .iter()
        .map(|path| {
            let response = common::get(server.port, path, &[]);
            format!("{path} -> {} {}", response.status.trim(), response.body)
        })
        .collect()
}

/// A TypeScript app whose handlers annotate their request `Request` and use `req.params` values as strings
/// (`tests/e2e/express5-typescript-app`): `--express 5` also raises @types/express to 5, whose
/// @types/express-serve-static-core types each value `string | string[]` (TS2345 where one is passed as a string, as
/// gothinkster's realworld app hit). The handlers' requests get their routes' parameters (`Request<{ name: string }>`,
/// in a controller registered from another module too); after `--write --lockfile` and `npm ci`, the real `tsc`
/// type-checks and builds the app, and it answers as it did on Express 4.
#[test]
fn a_typescript_app_moved_to_express5_still_type_checks_and_answers_the_same() {
    let paths = ["/users/ada", "/posts/7", "/posts/7/json", "/files/a/b.txt", "/customers/1", "/customers/9"];
    let (_tmp, app) = copy_app("express5-typescript-app");
    npm_ci(&app);
    assert_eq!(tsc(&app, &[]), (Some(0), String::new()), "the app builds on Express 4");
    let before = answers(&app, &paths);
    assert_eq!(
        before,
        [
            "/users/ada -> HTTP/1.1 200 OK hello ADA",
            "/posts/7 -> HTTP/1.1 200 OK 7 as html",
            "/posts/7/json -> HTTP/1.1 200 OK 7 as json",
            "/files/a/b.txt -> HTTP/1.1 200 OK file a/b.txt",
            "/customers/1 -> HTTP/1.1 200 OK {\"id\":\"1\",\"name\":\"Ada\"}",
            "/customers/9 -> HTTP/1.1 404 Not Found Not Found",
        ]
    );

    let out = express_harden(
        &app,
        &["--write", "--lockfile", "--allow-no-vcs", "--express", "5", "--only", "express5,express-version"],
    );
    let said = String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{said}");
    let source = std::fs::read_to_string(app.join("src/app.ts")).expect("src/app.ts");
    assert!(
        source.contains("app.get('/users/:name', (req: Request<{ name: string }>, res: Response) => {"),
        "{source}"
    );
    assert!(
        source.contains("app.get('/posts/:id{/:format}', function (req: Request<{ id: string; format?: string }>, res"),
        "{source}"
    );
    let controller = std::fs::read_to_string(app.join("src/controllers/customers.ts")).expect("customers.ts");
    assert!(controller.contains("export const show = (req: Request<{ id: string }>, res: Response): void => {"));
    assert!(said.contains("[express5/params-type]"), "{said}");

    npm_ci(&app);
    let types = std::fs::read_to_string(app.join("node_modules/@types/express-serve-static-core/index.d.ts"))
        .expect("@types/express-serve-static-core");
    assert!(types.contains("[key: string]: string | string[];"), "the installed types are the ones that break it");
    assert_eq!(tsc(&app, &[]), (Some(0), String::new()), "the app builds on Express 5");
    let installed = std::fs::read_to_string(app.join("node_modules/express/package.json")).expect("express");
    assert!(installed.contains("\"version\": \"5."), "Express 5 is installed");
    assert_eq!(answers(&app, &paths), before, "the same answers on Express 5");
}

/// A project already on Express 5 (package.json and lockfile: Express 5.3.0) whose code is still Express 4's: it does
/// not start (`app.del is not a function`, then path-to-regexp 8 throws on `'*'`). The default run, without
/// `--express`, migrates it; after `npm ci` it starts and answers the recorded requests as it did on Express 4, but
/// for those that depend only on a default Express 5 changed (the urlencoded parser's `extended`, the query parser),
/// which a project on 5 already has and the repair leaves alone.
#[test]
fn a_project_on_express5_with_express4_code_starts_and_answers_after_the_default_run() {
    let requests = recorded_requests();
    let (_tmp, app) = copy_app("express5-app");
    let manifest = std::fs::read_to_string(app.join("package.json")).expect("read");
    std::fs::write(app.join("package.json"), manifest.replace("\"express\": \"^4.22.3\"", "\"express\": \"^5.3.0\""))
        .expect("write");
    npm_ci(&app);
    let (code, stderr) = common::run_node_to_exit(&app, "server.js", &[]);
    assert_ne!(code, Some(0), "the unmigrated app does not start on Express 5");
    assert!(stderr.contains("app.del is not a function"), "{stderr}");

    let out = express_harden(&app, &["--write", "--allow-no-vcs", "--only", "express5"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("package.json is on Express 5, and code written for Express 4"), "{stderr}");
    let manifest = std::fs::read_to_string(app.join("package.json")).expect("read");
    assert!(manifest.contains("\"express\": \"^5.3.0\""), "{manifest}");

    // Only the two requests that read nested values (a form's `a[b]`, a query's `filter[name]`) answer as Express 5's
    // defaults parse them.
    let mismatches = replay(&app, &requests, &[]);
    assert_eq!(
        mismatches,
        [
            r#"POST /echo: body "{\"a[b]\":\"1\",\"c\":\"2\",\"name\":\"Ada Lovelace\"}" (Express 4: "{\"a\":{\"b\":\"1\"},\"c\":\"2\",\"name\":\"Ada Lovelace\"}")"#,
            r#"GET /filtered?filter[name]=ada: body "filter none" (Express 4: "filter ada")"#,
        ],
        "answers that changed on Express 5"
    );

    // The strings the repair leaves are those Express 5's router reads: the predicate agrees with the installed
    // path-to-regexp 8 on each string its unit test lists, rejected or accepted.
    let listed: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/express5-route-strings.json"))
            .expect("read"),
    )
    .expect("JSON");
    let paths: Vec<&str> = ["rejected", "accepted"]
        .iter()
        .flat_map(|k| listed[k].as_array().expect("a list"))
        .filter_map(|p| p.as_str())
        .collect();
    let script = "const { pathToRegexp } = require('path-to-regexp');\n\
                  const out = JSON.parse(process.argv[1]).map((p) => { try { pathToRegexp(p); return false } catch (e) \
                  { return true } });\nconsole.log(JSON.stringify(out));";
    let run = std::process::Command::new("node")
        .args(["-e", script, &serde_json::to_string(&paths).expect("json")])
        .current_dir(&app)
        .output()
        .expect("node");
    let thrown: Vec<bool> =
        serde_json::from_slice(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&run.stderr)));
    assert_eq!((thrown.len(), paths.len() > 30), (paths.len(), true), "every listed string is checked");
    for (path, thrown) in paths.iter().zip(thrown) {
        assert_eq!(express_harden::transforms::express5::rejected_by_express5(path), thrown, "{path}");
    }
}

/// A Yarn 1 TypeScript app (`tests/e2e/express5-yarn-types-app`) whose yarn.lock locks `@types/express@*` (asked by
/// @types/express-session) in one block with the app's `^4.17.21`. `--express 5 --write --lockfile` raises
/// @types/express to 5; Yarn 1 keeps a block while its ranges are still asked for, so the `*` stayed on 4.17 beside
/// the new 5.0: two copies of the Express types, and `tsc` failed (TS2769 on `app.use(session(...))`). The stale
/// block is now removed before Yarn runs: one copy, of 5, and the real `tsc` type-checks the app after a frozen
/// install.
#[test]
fn a_yarn_lockfile_moved_to_the_types_of_express5_keeps_one_copy_of_them() {
    let (_tmp, app) = copy_app("express5-yarn-types-app");
    let out = express_harden(
        &app,
        &["--write", "--allow-no-vcs", "--lockfile", "--express", "5", "--only", "express5,express-version"],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let lock = std::fs::read_to_string(app.join("yarn.lock")).expect("read");
    let keys: Vec<&str> = lock.lines().filter(|l| l.starts_with("\"@types/express@")).collect();
    assert_eq!(keys.len(), 1, "one block of @types/express: {keys:?}");
    assert!(keys[0].contains("\"@types/express@*\"") && keys[0].contains("@^5."), "{keys:?}");

    let install = std::process::Command::new("yarn")
        .args(["install", "--frozen-lockfile", "--ignore-scripts", "--non-interactive"])
        .current_dir(&app)
        .env("YARN_IGNORE_PATH", "1")
        .output()
        .expect("yarn 1 is installed (scripts/test.sh installs it)");
    assert!(install.status.success(), "{}", String::from_utf8_lossy(&install.stderr));
    let (code, printed) = tsc(&app, &["--noEmit"]);
    assert_eq!(code, Some(0), "tsc:\n{printed}");
}
