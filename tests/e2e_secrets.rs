//! End to end for the secrets transform: the app under `tests/e2e/secrets-app` signs its cookie-session cookie with
//! `secret: 'keyboard cat'` and its JSON Web Tokens with `'change-me'`, written in the handlers that sign and
//! verify. Two checkouts of it (two developers, two deployments that forgot NODE_ENV=production) accept each
//! other's cookies and tokens, since anyone who has the code has the secrets. After `--write`, run without
//! SESSION_SECRET and JWT_SECRET, each process signs with a random value of its own (said once on stderr): a cookie
//! or token from one checkout is refused by the other and still accepted by its own. In production without the
//! variables the app stops at start.

mod common;

use std::path::Path;

use common::{copy_app, express_harden, get, npm_ci, run_node_to_exit, start_node, start_node_logged, Response};

/// The `Cookie` header that sends back every cookie a response set (cookie-session sets `session` and its signature
/// `session.sig`).
fn cookies(response: &Response) -> String {
    let pairs: Vec<&str> = response.set_cookies().iter().filter_map(|c| c.split(';').next()).collect();
    assert!(!pairs.is_empty(), "no cookie set: {} {:?}", response.status, response.headers);
    pairs.join("; ")
}

/// Logs in as `user` on `port`: the cookies and the token.
fn login(port: u16, user: &str) -> (String, String) {
    let response = get(port, &format!("/login?user={user}"), &[]);
    assert!(response.status.contains(" 200 "), "{} {}", response.status, response.body);
    let body: serde_json::Value = serde_json::from_str(&response.body).expect("JSON body");
    let token = body["token"].as_str().expect("a token").to_string();
    (cookies(&response), token)
}

/// Who the session cookie says the visitor is (`null` when the signature is refused), and who the token says.
fn who(port: u16, cookie: &str, token: &str) -> (String, String) {
    let me = get(port, "/me", &[("Cookie", cookie)]);
    let api = get(port, &format!("/api/me?token={token}"), &[]);
    (me.body, format!("{} {}", api.status.split(' ').nth(1).unwrap_or_default(), api.body))
}

#[test]
fn two_checkouts_without_the_variables_do_not_accept_each_others_cookies_or_tokens() {
    let (_tmp_a, a) = copy_app("secrets-app");
    let (_tmp_b, b) = copy_app("secrets-app");
    npm_ci(&a);
    npm_ci(&b);

    // Before: the secrets are in the code, so each checkout accepts what the other signed.
    {
        let (first, second) = (start_node(&a, "server.js", &[]), start_node(&b, "server.js", &[]));
        let (cookie, token) = login(first.port, "alice");
        let (me, api) = who(second.port, &cookie, &token);
        assert_eq!(me, r#"{"user":"alice"}"#, "the committed key signs for everyone");
        assert_eq!(api, r#"200 {"user":"alice"}"#, "the committed JWT secret too");
    }

    for app in [&a, &b] {
        let out =
            express_harden(app, &["--write", "--allow-no-vcs", "--only", "secrets", "--color", "never", "server.js"]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{stderr}");
        assert!(stderr.contains("set SESSION_SECRET in production") && stderr.contains("set JWT_SECRET"), "{stderr}");
        let fixed = std::fs::read_to_string(app.join("server.js")).expect("read");
        assert!(!fixed.contains("keyboard cat") && !fixed.contains("change-me"), "the literals are gone: {fixed}");
        assert!(!fixed.contains("dev-only"), "no development value in the code: {fixed}");
    }

    // After, in development without the variables: each process has its own secrets.
    let (first, first_log) = start_node_logged(&a, "server.js", &[]);
    let (second, second_log) = start_node_logged(&b, "server.js", &[]);
    let (cookie, token) = login(first.port, "alice");
    assert_eq!(who(first.port, &cookie, &token), (r#"{"user":"alice"}"#.into(), r#"200 {"user":"alice"}"#.into()));
    let (me, api) = who(second.port, &cookie, &token);
    assert_eq!(me, r#"{"user":null}"#, "the other checkout refuses the cookie");
    assert!(api.starts_with("401 ") && api.contains("invalid signature"), "and the token: {api}");
    // The second checkout's own login works there and not in the first.
    let (cookie_b, token_b) = login(second.port, "bob");
    assert_eq!(who(second.port, &cookie_b, &token_b).0, r#"{"user":"bob"}"#);
    assert_eq!(who(first.port, &cookie_b, &token_b).0, r#"{"user":null}"#);
    // Each says once, at start, which variables it made up.
    for log in [&first_log, &second_log] {
        let log = log.lock().expect("log").clone();
        for name in ["SESSION_SECRET", "JWT_SECRET"] {
            let said = format!("{name} is not set: using a random value until the app restarts");
            assert_eq!(log.matches(&said).count(), 1, "{name} once: {log}");
        }
    }
    drop(first);

    // A restart makes new values: the old cookie no longer signs in (what the warning says).
    let again = start_node(&a, "server.js", &[]);
    assert_eq!(who(again.port, &cookie, &token).0, r#"{"user":null}"#);
    drop(again);

    // Production without the variables: the app stops at start and names the first one it reads (the JWT secret,
    // written in the handlers, is read once at the top level: the app does not start and then fail requests).
    let (code, stderr) = run_node_to_exit(&a, "server.js", &[("NODE_ENV", "production")]);
    assert_ne!(code, Some(0), "{stderr}");
    assert!(stderr.contains("JWT_SECRET must be set in production"), "{stderr}");
    let (code, stderr) = run_node_to_exit(&a, "server.js", &[("NODE_ENV", "production"), ("JWT_SECRET", "j")]);
    assert_ne!(code, Some(0), "{stderr}");
    assert!(stderr.contains("SESSION_SECRET must be set in production"), "{stderr}");

    // With the variables set (the operator's values), both checkouts agree again, and nothing is said.
    let env = [
        ("NODE_ENV", "production"),
        ("SESSION_SECRET", "a-long-random-session-secret"),
        ("JWT_SECRET", "a-long-random-value"),
    ];
    let (first, first_log) = start_node_logged(&a, "server.js", &env);
    let second = start_node(&b, "server.js", &env);
    let (cookie, token) = login(first.port, "carol");
    assert_eq!(who(second.port, &cookie, &token), (r#"{"user":"carol"}"#.into(), r#"200 {"user":"carol"}"#.into()));
    assert!(!first_log.lock().expect("log").contains("is not set"), "{}", first_log.lock().expect("log"));
}

/// The token a `{ accessToken }` response holds.
fn access_token(port: u16, path: &str) -> String {
    let response = get(port, path, &[]);
    assert!(response.status.contains(" 200 "), "{path}: {} {}", response.status, response.body);
    let body: serde_json::Value = serde_json::from_str(&response.body).expect("JSON body");
    body["accessToken"].as_str().expect("a token").to_string()
}

/// The status code and body of a GET of `path` sending `token` as `x-access-token`.
fn with_token(port: u16, path: &str, token: &str) -> String {
    let response = get(port, path, &[("x-access-token", token)]);
    format!("{} {}", response.status.split(' ').nth(1).unwrap_or_default(), response.body)
}

/// The bezkoder tutorials' layout (`tests/e2e/jwt-config-app`): the JWT secret is a property of the object
/// `app/config/auth.config.js` exports, read as `config.secret` by the controller that signs and the middleware that
/// verifies; an admin module signs and verifies with a literal of its own. After `--write` the literals are in no
/// file, the two secrets read two variables (chosen across the project: before, each module's was named alone, and
/// both would have been JWT_SECRET, so a user's token verified as an admin's), and the app, run with Node without
/// the variables, still signs and verifies its tokens, and still refuses a user's token where an admin's is needed.
/// A second run changes nothing; in production without the variables the app stops at start.
#[test]
fn jwt_secrets_of_a_config_module_and_of_another_module_move_apart_and_still_sign_and_verify() {
    let (_tmp, app) = copy_app("jwt-config-app");
    npm_ci(&app);

    let out = express_harden(&app, &["--write", "--allow-no-vcs", "--only", "secrets", "--color", "never"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let config = std::fs::read_to_string(app.join("app/config/auth.config.js")).expect("read");
    let admin = std::fs::read_to_string(app.join("app/admin.js")).expect("read");
    assert!(!config.contains("bezkoder-secret-key") && !admin.contains("admin-s3cret"), "{config}\n{admin}");
    assert!(config.contains(r#"secret: requiredSecret("JWT_SECRET_2"),"#), "{config}");
    assert!(admin.contains(r#"const jwtSecret = requiredSecret("JWT_SECRET");"#), "{admin}");
    for module in ["app/controllers/auth.controller.js", "app/middlewares/authJwt.js", "server.js"] {
        let original = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/e2e/jwt-config-app").join(module);
        let expected = std::fs::read_to_string(original).expect("read");
        assert_eq!(std::fs::read_to_string(app.join(module)).expect("read"), expected, "{module} is unchanged");
    }
    assert!(stderr.contains("set JWT_SECRET in production") && stderr.contains("set JWT_SECRET_2"), "{stderr}");

    let again = express_harden(&app, &["--check", "--only", "secrets", "--color", "never"]);
    assert_eq!(
        again.status.code(),
        Some(0),
        "a second run changes nothing: {}",
        String::from_utf8_lossy(&again.stderr)
    );

    // In development without the variables: a random value each, and the app signs and verifies with them.
    let (server, log) = start_node_logged(&app, "server.js", &[]);
    let user = access_token(server.port, "/api/auth/signin?id=alice");
    assert_eq!(with_token(server.port, "/api/test/user", &user), r#"200 {"id":"alice"}"#);
    let root = access_token(server.port, "/admin/signin?id=root");
    assert_eq!(with_token(server.port, "/admin/me", &root), r#"200 {"id":"root"}"#);
    // The two secrets stay different: neither token passes where the other is needed.
    assert_eq!(with_token(server.port, "/admin/me", &user), r#"401 {"message":"invalid signature"}"#);
    assert_eq!(with_token(server.port, "/api/test/user", &root), r#"401 {"message":"Unauthorized!"}"#);
    for name in ["JWT_SECRET", "JWT_SECRET_2"] {
        let said = format!("{name} is not set: using a random value until the app restarts");
        assert_eq!(log.lock().expect("log").matches(&said).count(), 1, "{name} once");
    }
    drop(server);

    // With the operator's values, tokens signed with them verify (and one signed with the old literal does not).
    let env = [("NODE_ENV", "production"), ("JWT_SECRET", "admin-value"), ("JWT_SECRET_2", "user-value")];
    let server = start_node(&app, "server.js", &env);
    let user = access_token(server.port, "/api/auth/signin?id=bob");
    assert_eq!(with_token(server.port, "/api/test/user", &user), r#"200 {"id":"bob"}"#);
    let sign = "process.stdout.write(require('jsonwebtoken').sign({ id: 'mallory' }, 'bezkoder-secret-key'))";
    let forged = std::process::Command::new("node").args(["-e", sign]).current_dir(&app).output().expect("node");
    let forged = String::from_utf8(forged.stdout).expect("token");
    assert_eq!(with_token(server.port, "/api/test/user", &forged), r#"401 {"message":"Unauthorized!"}"#);
    drop(server);

    // Production without them: the app stops at start, naming one.
    let (code, stderr) = run_node_to_exit(&app, "server.js", &[("NODE_ENV", "production")]);
    assert_ne!(code, Some(0), "{stderr}");
    assert!(stderr.contains("must be set in production"), "{stderr}");
}
