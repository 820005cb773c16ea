//! Whole-project analysis end to end: the app under `tests/e2e/multimodule-app` is split the way real apps are. Its
//! session options live in `config/session.js`, its handlers in `controllers/*.js`, its routes in a module that
//! receives the app (`routes/index.js`), its Redis client in `lib/redis.js`. On Express 4 with its committed
//! lockfile it gives the answers recorded in `requests.json` and loses its sessions on a restart (MemoryStore).
//! After `--write --express 5` and `npm install`, it runs on Express 5, keeps its sessions in a real Redis across a
//! restart, sends hardened cookies, and gives every recorded answer again; a second run changes nothing.

mod common;

use std::path::Path;
use std::process::Command;

use common::{copy_app, express_harden, get, npm_ci, replay, start_node, start_redis};

/// Logs in as alice, restarts the app, and returns the login's Set-Cookie headers and who `/me` says the same
/// cookies belong to after the restart.
fn login_and_restart(app: &Path, env: &[(&str, &str)]) -> (Vec<String>, String) {
    let server = start_node(app, "server.js", env);
    let login = get(server.port, "/login?user=alice", &[]);
    assert!(login.status.contains(" 200 "), "{}", login.status);
    let set_cookies: Vec<String> = login.set_cookies().iter().map(|c| c.to_string()).collect();
    let cookie: Vec<&str> = set_cookies.iter().filter_map(|c| c.split(';').next()).collect();
    let cookie = cookie.join("; ");
    let me = get(server.port, "/me", &[("Cookie", &cookie)]);
    assert!(me.body.contains("\"user\":\"alice\""), "before the restart: {}", me.body);
    drop(server);

    let restarted = start_node(app, "server.js", env);
    let me = get(restarted.port, "/me", &[("Cookie", &cookie)]);
    assert!(me.status.contains(" 200 "), "{}", me.status);
    (set_cookies, me.body)
}

fn read(app: &Path, file: &str) -> String {
    std::fs::read_to_string(app.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"))
}

#[test]
fn a_multi_module_app_is_hardened_and_migrated_and_answers_as_before() {
    let requests: serde_json::Value = serde_json::from_str(&read(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/e2e/multimodule-app"),
        "requests.json",
    ))
    .expect("requests.json is JSON");
    let redis = start_redis();
    let url = format!("redis://127.0.0.1:{}", redis.port);

    // Before: Express 4 from the committed lockfile gives the recorded answers, and a restart loses the session.
    let (_before_tmp, before) = copy_app("multimodule-app");
    npm_ci(&before);
    let on_express4 = replay(&before, &requests, &[]);
    assert!(on_express4.is_empty(), "requests.json does not match Express 4:\n{}", on_express4.join("\n"));
    let (_, me) = login_and_restart(&before, &[("REDIS_URL", &url)]);
    assert!(me.contains("\"user\":null"), "the MemoryStore loses the session on restart: {me}");

    // The fix, across the modules.
    let (_tmp, app) = copy_app("multimodule-app");
    let out = express_harden(&app, &["--write", "--allow-no-vcs", "--express", "5", "--color", "never"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "stderr: {stderr}");
    let options = read(&app, "config/session.js");
    assert!(options.contains("const redisClient = require('../lib/redis');"), "the app's client is reused: {options}");
    // (Through a connection of its own from it, which fails fast while Redis is down.)
    assert!(options.contains("const sessionRedisClient = redisClient.duplicate({"), "{options}");
    assert!(options.contains("const sessionStore = new RedisStore({ client: sessionRedisClient });"), "{options}");
    assert!(options.contains("store: sessionStore,"), "{options}");
    assert!(options.contains("secret: requiredSecret('SESSION_SECRET'),"), "{options}");
    assert!(!read(&app, "server.js").contains("RedisStore"), "the store goes where the options are written");
    let customers = read(&app, "controllers/customers.js");
    assert!(customers.contains("res.status(200).send(customer);"), "{customers}");
    assert!(customers.contains("(req.params.splat || []).join('/')"), "{customers}");
    assert!(read(&app, "routes/index.js").contains("app.delete('/customers/:id', customers.remove);"));
    assert_eq!(read(&app, "server.js").matches("helmet()").count(), 1);
    assert!(!stderr.contains("express5/unverified"), "every controller is migrated: {stderr}");
    let manifest = read(&app, "package.json");
    assert!(manifest.contains("\"express\": \"^5.3.0\"") && manifest.contains("\"connect-redis\":"), "{manifest}");

    // A second run changes nothing. Its gate waits for the install: package.json now lists packages the committed
    // lockfile does not install (`npm ci` would refuse it), which --check does not pass.
    let again = express_harden(&app, &["--express", "5", "--check", "--color", "never"]);
    let again_err = String::from_utf8_lossy(&again.stderr);
    assert!(again_err.contains("would change no files"), "a second run would change: {again_err}");
    assert!(again_err.contains("[advisories/lockfile-out-of-sync]"), "{again_err}");
    assert_eq!(again.status.code(), Some(2), "{again_err}");

    // Installed as a user would, then run on Express 5 against the real Redis.
    let npm = Command::new("npm")
        .args(["install", "--ignore-scripts", "--no-audit", "--no-fund"])
        .current_dir(&app)
        .output()
        .expect("npm must be installed (scripts/test.sh installs it)");
    assert!(npm.status.success(), "npm install: {}", String::from_utf8_lossy(&npm.stderr));
    let installed = read(&app, "node_modules/express/package.json");
    assert!(installed.contains("\"version\": \"5."), "Express 5 is installed");
    let after_install = express_harden(&app, &["--express", "5", "--check", "--color", "never"]);
    assert_eq!(
        after_install.status.code(),
        Some(0),
        "after npm install, a second run: {}",
        String::from_utf8_lossy(&after_install.stderr)
    );

    let env = [("REDIS_URL", url.as_str()), ("SESSION_SECRET", "e2e-secret")];
    let on_express5 = replay(&app, &requests, &env);
    assert!(on_express5.is_empty(), "answers that changed on Express 5:\n{}", on_express5.join("\n"));

    let (set_cookies, me) = login_and_restart(&app, &env);
    assert!(me.contains("\"user\":\"alice\""), "the Redis store keeps the session across a restart: {me}");
    let session = set_cookies.iter().find(|c| c.starts_with("sid=")).expect("the session cookie is named sid");
    assert!(session.contains("HttpOnly") && session.contains("SameSite=Lax"), "{session}");
    let theme = set_cookies.iter().find(|c| c.starts_with("theme=")).expect("the theme cookie");
    assert!(theme.contains("SameSite=Lax"), "{theme}");
}
