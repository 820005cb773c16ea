//! End to end for the cookie transforms: the app under `tests/e2e/cookie-app` (express-session with
//! `secret: 'keyboard cat'` and default cookie flags, plus `res.cookie` calls) is fixed with `--write` and
//! `--behind-proxy 1`, installed with `npm ci`, and started with Node: in development over plain HTTP it still logs
//! in with hardened cookies under the new name; in production it refuses to start without SESSION_SECRET, and with
//! it, a request that came through a TLS proxy gets Secure cookies.

mod common;

use common::{copy_app, express_harden, get, npm_ci, run_node_to_exit, start_node};

#[test]
fn cookies_are_hardened_and_the_secret_leaves_the_code() {
    let (_tmp, app) = copy_app("cookie-app");
    let only = "session-cookie,res-cookie,secrets";
    let out = express_harden(
        &app,
        &["--write", "--allow-no-vcs", "--only", only, "--behind-proxy", "1", "--color", "never", "server.js"],
    );
    assert_eq!(out.status.code(), Some(0), "stderr: {}", String::from_utf8_lossy(&out.stderr));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("set SESSION_SECRET in production"), "the operator is told: {stderr}");
    assert!(stderr.contains("the session cookie is renamed to sid"), "{stderr}");
    let fixed = std::fs::read_to_string(app.join("server.js")).expect("read");
    assert!(!fixed.contains("keyboard cat"), "the literal secret is gone: {fixed}");
    assert!(fixed.contains("app.set('trust proxy', 1);"), "{fixed}");
    npm_ci(&app);

    // Development, plain HTTP: the login works and the cookies carry the new flags.
    let dev = start_node(&app, "server.js", &[]);
    let login = get(dev.port, "/login?user=alice", &[]);
    assert!(login.status.contains(" 200 "), "{}", login.status);
    let sid = login.set_cookie("sid").expect("the session cookie is named sid");
    assert!(sid.contains("HttpOnly") && sid.contains("SameSite=Lax") && !sid.contains("Secure"), "{sid}");
    assert!(login.set_cookie("connect.sid").is_none(), "{:?}", login.set_cookies());
    let remember = login.set_cookie("remember_token").expect("remember_token");
    assert!(remember.contains("HttpOnly") && remember.contains("SameSite=Lax"), "{remember}");
    let cookie = sid.split(';').next().unwrap_or_default().to_string();
    let me = get(dev.port, "/me", &[("Cookie", &cookie)]);
    assert!(me.body.contains("\"user\":\"alice\""), "{}", me.body);
    let theme = get(dev.port, "/theme", &[]);
    let theme = theme.set_cookie("theme").expect("theme");
    assert!(theme.contains("SameSite=Lax") && !theme.contains("HttpOnly"), "page scripts may read it: {theme}");
    drop(dev);

    // Production without the secret: the app stops at start and names the variable.
    let (code, stderr) = run_node_to_exit(&app, "server.js", &[("NODE_ENV", "production")]);
    assert_ne!(code, Some(0), "{stderr}");
    assert!(stderr.contains("SESSION_SECRET must be set in production"), "{stderr}");

    // Production with the secret, behind a TLS-terminating proxy: the cookies are Secure.
    let prod = start_node(&app, "server.js", &[("NODE_ENV", "production"), ("SESSION_SECRET", "a-long-random-value")]);
    let login = get(prod.port, "/login?user=bob", &[("X-Forwarded-Proto", "https")]);
    let sid = login.set_cookie("sid").expect("a session cookie behind the proxy");
    assert!(sid.contains("Secure") && sid.contains("HttpOnly"), "{sid}");
    let remember = login.set_cookie("remember_token").expect("remember_token");
    assert!(remember.contains("Secure"), "{remember}");
}

/// A cookie set by a helper of another module that a route handler hands its response to (`auth.setAuthCookie(res,
/// user)`, as nodeclub's `gen_session(user, res)`): after `--write --only res-cookie` the helper's cookie is sent
/// HttpOnly and SameSite=Lax, and Secure in production; before the fix it kept none of them (checked on the original).
#[test]
fn a_cookie_set_by_a_helper_given_the_response_is_hardened() {
    let (_tmp, app) = copy_app("cookie-app");
    std::fs::create_dir_all(app.join("lib")).expect("mkdir lib");
    std::fs::write(
        app.join("lib/auth.js"),
        "exports.setAuthCookie = function (res, user) {\n  res.cookie('auth_token', `t-${user}`, { maxAge: 3600000 \
         });\n};\n",
    )
    .expect("write the helper");
    let server = std::fs::read_to_string(app.join("server.js")).expect("read");
    let route =
        "app.get('/token', (req, res) => {\n  auth.setAuthCookie(res, 'alice');\n  res.json({ ok: true });\n});\n\n";
    let with_route = server
        .replacen("const app = express();\n", "const auth = require('./lib/auth');\n\nconst app = express();\n", 1)
        .replacen("app.listen(", &format!("{route}app.listen("), 1);
    std::fs::write(app.join("server.js"), &with_route).expect("write");
    std::fs::write(app.join("server.before.js"), &with_route).expect("keep the original");
    npm_ci(&app);
    let before = start_node(&app, "server.before.js", &[]);
    let token = get(before.port, "/token", &[]);
    let cookie = token.set_cookie("auth_token").expect("auth_token");
    assert!(!cookie.contains("HttpOnly") && !cookie.contains("SameSite"), "before the fix: {cookie}");
    drop(before);

    let out = express_harden(
        &app,
        &["--write", "--allow-no-vcs", "--only", "res-cookie", "--color", "never", "server.js", "lib/auth.js"],
    );
    assert_eq!(out.status.code(), Some(0), "stderr: {}", String::from_utf8_lossy(&out.stderr));
    let helper = std::fs::read_to_string(app.join("lib/auth.js")).expect("read");
    assert!(helper.contains("httpOnly: true"), "{helper}");
    for (env, secure) in [(vec![], false), (vec![("NODE_ENV", "production")], true)] {
        let node = start_node(&app, "server.js", &env);
        let token = get(node.port, "/token", &[]);
        assert!(token.status.contains(" 200 "), "{}", token.status);
        let cookie = token.set_cookie("auth_token").expect("auth_token");
        assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"), "{env:?}: {cookie}");
        assert_eq!(cookie.contains("Secure"), secure, "{env:?}: {cookie}");
    }
}
