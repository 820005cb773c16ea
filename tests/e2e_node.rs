//! End to end with real Node: the app under `tests/e2e/helmet-app` is fixed with `--write --only helmet`, its
//! dependencies are installed with `npm ci` from the lockfile committed beside it (which fails unless the tool's
//! package.json edit is exactly what npm expects: another transform adding a package would break it, hence `--only`),
//! and both versions of the app are started and asked over HTTP for their headers.

mod common;

use common::{copy_app, express_harden, get, npm_ci, start_node};

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
