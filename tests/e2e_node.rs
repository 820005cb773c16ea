//! End to end with real Node: the app under `tests/e2e/helmet-app` is fixed with `--write --only helmet`, its
//! dependencies are installed with `npm ci` from the lockfile committed beside it (which fails unless the tool's
//! package.json edit is exactly what npm expects: another transform adding a package would break it, hence `--only`),
//! and both versions of the app are started and asked over HTTP for their headers. `tests/e2e/helmet-typescript-app`
//! is built with TypeScript 4.1: after `--write --lockfile` and `npm ci`, the real `tsc` still type-checks it and the
//! built app sends helmet's headers.

mod common;

use common::{copy_app, express_harden, get, npm_ci, start_node, tsc};

/// helmet 6.1.5 and newer declare their types in `index.d.cts`, which TypeScript reads from 4.7 on: TypeScript 4.1
/// stops at `import helmet from 'helmet'` (TS2307), as TypeScript-Node-Starter did after a run that chose helmet
/// ^6.2.0 for its Node 14. The app (Node >= 14, `typescript` 4.1.3 in its lockfile) gets helmet ~6.0.1, whose types
/// TypeScript 4.1 reads, and a finding that says why.
#[test]
fn helmet_added_to_a_typescript_4_1_app_type_checks_and_runs() {
    let (_tmp, app) = copy_app("helmet-typescript-app");
    npm_ci(&app);
    assert_eq!(tsc(&app, &["--version"]).1.trim(), "Version 4.1.3");
    assert_eq!(tsc(&app, &["--noEmit"]), (Some(0), String::new()), "the app type-checks before");

    let out =
        express_harden(&app, &["--write", "--lockfile", "--allow-no-vcs", "--only", "helmet", "--color", "never"]);
    let said = String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{said}");
    assert!(said.contains("[helmet/typescript] the project's TypeScript (4.1.3) cannot read"), "{said}");
    let source = std::fs::read_to_string(app.join("src/app.ts")).expect("src/app.ts");
    // (helmet 6 sends Cross-Origin-Embedder-Policy: require-corp by default, which helmet 7 turned off: the tool
    // turns it off too, so that the other sites' resources its pages may load are not blocked.)
    let call = "app.use(helmet({ crossOriginEmbedderPolicy: false }));\n";
    assert!(source.contains("import helmet from 'helmet';\n") && source.contains(call), "{source}");
    assert!(said.contains("[helmet/embedder-policy]"), "{said}");
    let manifest = std::fs::read_to_string(app.join("package.json")).expect("package.json");
    assert!(manifest.contains("\"helmet\": \"~6.0.1\""), "{manifest}");

    // The lockfile the tool updated installs as it is, with helmet 6.0.1.
    npm_ci(&app);
    let installed = std::fs::read_to_string(app.join("node_modules/helmet/package.json")).expect("helmet installed");
    assert!(installed.contains("\"version\": \"6.0.1\""), "{installed}");
    assert_eq!(tsc(&app, &[]), (Some(0), String::new()), "tsc 4.1.3 after the change");

    let after = start_node(&app, "dist/app.js", &[]);
    let response = get(after.port, "/", &[]);
    assert!(response.status.contains(" 200 "), "{} {}", response.status, response.body);
    assert_eq!(response.body, r#"{"hello":"world"}"#);
    assert_eq!(response.header("x-powered-by"), None);
    let csp = response.header("content-security-policy").unwrap_or_default();
    assert!(csp.contains("default-src 'self'"), "{csp}");
    assert_eq!(response.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(response.header("x-frame-options"), Some("SAMEORIGIN"));
    assert_eq!(response.header("cross-origin-embedder-policy"), None);
}

#[test]
fn helmet_headers_appear_after_the_fix() {
    let (_tmp, app) = copy_app("helmet-app");
    std::fs::copy(app.join("server.js"), app.join("server.before.js")).expect("keep the original");

    let out = express_harden(&app, &["--write", "--allow-no-vcs", "--only", "helmet", "--color", "never", "server.js"]);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("wrote server.js (helmet"), "{stdout}");
    assert!(stdout.contains("wrote package.json (helmet"), "{stdout}");
    let fixed = std::fs::read_to_string(app.join("server.js")).expect("read");
    assert!(fixed.contains("const helmet = require('helmet');\n"), "{fixed}");
    // (The project around server.js is read too: it serves pages and shows no sign of HTTPS, so the policy does not
    // upgrade the pages' requests.)
    assert!(
        fixed.contains(
            "const app = express();\napp.use(helmet({\n  contentSecurityPolicy: { directives: { upgradeInsecureRequests: \
             null } }\n}));\n"
        ),
        "{fixed}"
    );

    npm_ci(&app);

    let before = start_node(&app, "server.before.js", &[]);
    let response = get(before.port, "/", &[]);
    assert!(response.status.contains(" 200 "), "{}", response.status);
    assert_eq!(response.header("x-powered-by"), Some("Express"));
    for absent in ["content-security-policy", "strict-transport-security", "x-content-type-options", "x-frame-options"]
    {
        assert_eq!(response.header(absent), None, "{absent} before the fix");
    }
    drop(before);

    let after = start_node(&app, "server.js", &[]);
    for path in ["/", "/index.html", "/api/health"] {
        let response = get(after.port, path, &[]);
        assert!(response.status.contains(" 200 "), "{path}: {}", response.status);
        assert_eq!(response.header("x-powered-by"), None, "{path}");
        let csp = response.header("content-security-policy").unwrap_or_default();
        assert!(csp.contains("default-src 'self'"), "{path}: {csp}");
        assert_eq!(response.header("strict-transport-security"), Some("max-age=31536000; includeSubDomains"));
        assert_eq!(response.header("x-content-type-options"), Some("nosniff"));
        assert_eq!(response.header("x-frame-options"), Some("SAMEORIGIN"));
        if path == "/api/health" {
            assert!(response.body.contains("\"status\":\"ok\""), "{}", response.body);
        }
    }
}
