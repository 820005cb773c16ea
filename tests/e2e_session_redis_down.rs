//! End to end with a real Redis that is down, then up: the app under `tests/e2e/session-redis-app` (express-session
//! with its MemoryStore) is fixed with `--write --only session-store`, installed with `npm ci` from the committed
//! lockfile, and started while nothing listens at REDIS_URL. A request that needs the session must get an error
//! response within seconds (not hang); once Redis starts, the same process must serve sessions again; with
//! `NODE_ENV=production` the app must stop at start, naming the store and the variable; and a process that loads
//! the app and closes its server must exit by itself, with Redis down or up.

mod common;

use std::time::{Duration, Instant};

use std::path::Path;

use common::{
    copy_app, express_harden, free_port, get, npm_ci, npm_install_fresh, run_node_to_exit, start_node, start_redis_on,
};

/// The default: no Redis client in the project, so node-redis 6 and connect-redis 9 (from the committed lockfile).
#[test]
fn redis_down_fails_fast_and_the_app_recovers_without_a_restart() {
    let (_tmp, app) = copy_app("session-redis-app");
    let out =
        express_harden(&app, &["--write", "--allow-no-vcs", "--only", "session-store", "--color", "never", "app.js"]);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", String::from_utf8_lossy(&out.stderr));
    let manifest = std::fs::read_to_string(app.join("package.json")).expect("read");
    assert!(manifest.contains("\"connect-redis\": \"^9.0.0\",") && manifest.contains("\"redis\": \"^6.3.1\""));
    npm_ci(&app);
    down_then_up(&app);
}

/// A project that depends on ioredis gets a new ioredis client (connect-redis 8), which must behave the same.
#[test]
fn with_ioredis_too() {
    let (_tmp, app) = copy_app("session-redis-app");
    let manifest = std::fs::read_to_string(app.join("package.json")).expect("read");
    let manifest = manifest
        .replace("\"express-session\": \"^1.18.1\"", "\"express-session\": \"^1.18.1\",\n    \"ioredis\": \"^5.4.0\"");
    std::fs::write(app.join("package.json"), manifest).expect("write");
    std::fs::remove_file(app.join("package-lock.json")).expect("the lockfile is node-redis's");
    let out =
        express_harden(&app, &["--write", "--allow-no-vcs", "--only", "session-store", "--color", "never", "app.js"]);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", String::from_utf8_lossy(&out.stderr));
    let fixed = std::fs::read_to_string(app.join("app.js")).expect("read");
    assert!(fixed.contains("new Redis(") && fixed.contains("maxRetriesPerRequest: 1"), "{fixed}");
    npm_install_fresh(&app);
    down_then_up(&app);
}

/// Starts the fixed app with Redis down, then up, then down; then in production without Redis; then loads it and
/// closes its server.
fn down_then_up(app: &Path) {
    // Nothing listens there yet.
    let redis_port = free_port();
    let url = format!("redis://127.0.0.1:{redis_port}");
    let env = [("REDIS_URL", url.as_str())];
    let server = start_node(app, "server.js", &env);

    // A first visit gets a cookie (its session cannot be saved); the next one needs the store to read it.
    let started = Instant::now();
    let first = get(server.port, "/visits", &[]);
    let cookie = first.cookie().expect("a new session sets a cookie");
    let again = get(server.port, "/visits", &[("Cookie", &cookie)]);
    let elapsed = started.elapsed();
    assert!(
        again.status.contains(" 500 "),
        "Redis down: an error response, not a session: {} {}",
        again.status,
        again.body
    );
    assert!(elapsed < Duration::from_secs(5), "Redis down: the answers took {elapsed:?}");

    // Redis comes up: the same process serves sessions again (the client reconnects by itself, after its back-off of
    // at most about 2 s): a second visit with the first one's cookie counts 2, so the session was kept in Redis.
    let redis = start_redis_on(redis_port);
    let started = Instant::now();
    let (cookie, seconds) = loop {
        let first = get(server.port, "/visits", &[]);
        if let Some(cookie) = first.cookie().filter(|_| first.status.contains(" 200 ")) {
            let again = get(server.port, "/visits", &[("Cookie", &cookie)]);
            if again.status.contains(" 200 ") && again.body.contains("\"visits\":2") {
                break (cookie, started.elapsed().as_secs_f64());
            }
        }
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "sessions did not work again within 15 s of Redis starting"
        );
        std::thread::sleep(Duration::from_millis(200));
    };
    assert!(seconds < 6.0, "sessions worked again only {seconds:.1} s after Redis started");

    // Down again: an error response within seconds.
    drop(redis);
    let started = Instant::now();
    let again = get(server.port, "/visits", &[("Cookie", &cookie)]);
    assert!(again.status.contains(" 500 ") && started.elapsed() < Duration::from_secs(5), "{}", again.status);
    drop(server);

    // Production without its store: the app stops at start and says which store and which variable.
    let down = format!("redis://127.0.0.1:{}", free_port());
    let (code, stderr) = run_node_to_exit(app, "server.js", &[("REDIS_URL", &down), ("NODE_ENV", "production")]);
    assert_eq!(code, Some(1), "stderr: {stderr}");
    assert!(stderr.contains("Redis session store at REDIS_URL is unreachable"), "{stderr}");

    // A test runner loads the app, serves and closes its server while Redis is down: the client's reconnection
    // timer does not keep it alive.
    let started = Instant::now();
    let (code, stderr) = run_node_to_exit(app, "load-and-close.js", &[("REDIS_URL", &down)]);
    assert_eq!(code, Some(0), "stderr: {stderr}");
    assert!(started.elapsed() < Duration::from_secs(10), "Redis down: exited after {:?}", started.elapsed());

    // A test runner loads the app, serves and closes its server: the Redis client does not keep it alive.
    let redis = start_redis_on(redis_port);
    let started = Instant::now();
    let (code, stderr) = run_node_to_exit(app, "load-and-close.js", &env);
    assert_eq!(code, Some(0), "stderr: {stderr}");
    assert!(started.elapsed() < Duration::from_secs(10), "took {:?}", started.elapsed());
    drop(redis);
}
