//! End to end with a real Redis: the login app under `tests/e2e/session-app` (express-session with its default
//! MemoryStore) is fixed with `--write --only session-store`, installed with `npm ci` from the committed lockfile, and
//! started against a Redis server this test starts. A session created before a restart of the Node process must still
//! be there after it; the same steps on the unfixed app lose it, so the test can fail.

mod common;

use std::path::Path;

use common::{copy_app, express_harden, get, npm_ci, start_node, start_redis};

/// Logs in as alice, restarts the app, and returns who `/me` says the same cookie belongs to.
fn user_after_restart(app: &Path, script: &str, env: &[(&str, &str)]) -> String {
    let server = start_node(app, script, env);
    let login = get(server.port, "/login?user=alice", &[]);
    assert!(login.status.contains(" 200 "), "{}", login.status);
    let cookie = login.cookie().expect("the login sets a session cookie");
    let me = get(server.port, "/me", &[("Cookie", &cookie)]);
    assert!(me.body.contains("\"user\":\"alice\""), "before the restart: {}", me.body);
    drop(server);

    let restarted = start_node(app, script, env);
    let me = get(restarted.port, "/me", &[("Cookie", &cookie)]);
    assert!(me.status.contains(" 200 "), "{}", me.status);
    me.body
}

#[test]
fn sessions_survive_a_restart_after_the_fix() {
    let (_tmp, app) = copy_app("session-app");
    std::fs::copy(app.join("server.js"), app.join("server.before.js")).expect("keep the original");

    let out = express_harden(
        &app,
        &["--write", "--allow-no-vcs", "--only", "session-store", "--color", "never", "server.js"],
    );
    assert_eq!(out.status.code(), Some(0), "stderr: {}", String::from_utf8_lossy(&out.stderr));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("provide a Redis server at REDIS_URL"), "the operator is told: {stderr}");
    let fixed = std::fs::read_to_string(app.join("server.js")).expect("read");
    assert!(fixed.contains("const sessionStore = new RedisStore({ client: redisClient });"), "{fixed}");
    assert!(fixed.contains("store: sessionStore,"), "{fixed}");
    let manifest = std::fs::read_to_string(app.join("package.json")).expect("read");
    assert!(manifest.contains("\"connect-redis\": \"^9.0.0\",") && manifest.contains("\"redis\": \"^6.3.1\""));

    npm_ci(&app);
    let redis = start_redis();
    let url = format!("redis://127.0.0.1:{}", redis.port);
    let env = [("REDIS_URL", url.as_str())];

    let before = user_after_restart(&app, "server.before.js", &env);
    assert!(before.contains("\"user\":null"), "the MemoryStore loses the session on restart: {before}");

    let after = user_after_restart(&app, "server.js", &env);
    assert!(after.contains("\"user\":\"alice\""), "the Redis store keeps the session: {after}");
}
