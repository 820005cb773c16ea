//! End to end with a real Redis that is down, then up: the app under `tests/e2e/session-redis-app` (express-session
//! with its MemoryStore) is fixed with `--write --only session-store`, installed with `npm ci` from the committed
//! lockfile, and started while nothing listens at REDIS_URL. A request that needs the session must get an error
//! response within seconds (not hang), a request that makes a new session too (not a 200 with a cookie for a session
//! that is never stored); once Redis starts, the same process must serve sessions again; with
//! `NODE_ENV=production` the app must stop at start, naming the store and the variable; and a process that loads
//! the app and closes its server must exit by itself, with Redis down or up.
//!
//! The same with `tests/e2e/session-redis-reuse-app`, whose own Redis client (`lib/redis.js`, default settings: an
//! offline queue, retries without end) the store reuses: the store gets a connection of its own from it
//! (`duplicate`), which fails fast, while the app's client keeps serving the app's other uses as before.

mod common;

use std::sync::Mutex;
use std::time::{Duration, Instant};

use std::path::Path;

use common::{
    copy_app, express_harden, free_port, get, npm_ci, npm_install_fresh, run_node_to_exit, start_node_logged,
    start_redis_on,
};

/// The tests' own guard against sharing a Redis: a second server asked to start on a port another Redis holds stops
/// (the port is taken), and `start_redis_on` says so rather than handing back the other server as its own.
#[test]
#[should_panic(expected = "is taken")]
fn a_redis_started_where_another_listens_is_not_taken_for_its_own() {
    let port = free_port();
    let _first = start_redis_on(port);
    let _second = start_redis_on(port);
}

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
    down_then_up(&app, "REDIS_URL");
}

/// A project that depends on ioredis gets a new ioredis client (connect-redis 8), which must behave the same.
#[test]
fn with_ioredis_too() {
    let (_tmp, app) = copy_app("session-redis-app");
    let fixed = fix_with(&app, "\"express-session\": \"^1.18.1\",\n    \"ioredis\": \"^5.4.0\"");
    assert!(fixed.contains("new Redis(") && fixed.contains("maxRetriesPerRequest: 1"), "{fixed}");
    down_then_up(&app, "REDIS_URL");
}

/// A project for Node 18.0 gets connect-redis 8 and node-redis 4.7 (5.12 needs 18.19), which has no client-wide
/// command timeout (`disableOfflineQueue` instead): it must behave the same.
#[test]
fn with_node_redis_4() {
    let (_tmp, app) = copy_app("session-redis-app");
    let fixed = fix_with(&app, "\"express-session\": \"^1.18.1\"\n  },\n  \"engines\": { \"node\": \">=18\" ");
    assert!(fixed.contains("disableOfflineQueue: true"), "{fixed}");
    let manifest = std::fs::read_to_string(app.join("package.json")).expect("read");
    assert!(manifest.contains("\"connect-redis\": \"^8.1.0\",") && manifest.contains("\"redis\": \"^4.7.1\""));
    down_then_up(&app, "REDIS_URL");
}

/// A project for Node 12 gets connect-redis 6 and node-redis 3.1.2 (redis 4 needs Node 14), whose reconnection
/// (`retry_strategy`, no `connect()`) differs from 4+'s: it must behave the same.
#[test]
fn with_node_redis_3() {
    legacy_node_redis(">=12", "^6.1.3", "^3.1.2");
}

/// A project for Node 8 gets connect-redis 3.4.2 and node-redis 2.8.0: it must behave the same (connect-redis 3
/// reports the store disconnected, so express-session hands the request on without a session and the app's own
/// handler fails: still an error response at once).
#[test]
fn with_node_redis_2() {
    legacy_node_redis(">=8", "^3.4.2", "^2.8.0");
}

/// The app of a project for Node `node` gets connect-redis `store` (its `(session)` factory) and a new node-redis
/// `client` with a `retry_strategy`, then goes through Redis down and up.
fn legacy_node_redis(node: &str, store: &str, client: &str) {
    let (_tmp, app) = copy_app("session-redis-app");
    let engines = format!("\"express-session\": \"^1.18.1\"\n  }},\n  \"engines\": {{ \"node\": \"{node}\" ");
    let fixed = fix_with(&app, &engines);
    assert!(fixed.contains("retry_strategy") && fixed.contains("require('connect-redis')(session)"), "{fixed}");
    let manifest = std::fs::read_to_string(app.join("package.json")).expect("read");
    assert!(manifest.contains(&format!("\"connect-redis\": \"{store}\",")), "{manifest}");
    assert!(manifest.contains(&format!("\"redis\": \"{client}\"")), "{manifest}");
    down_then_up(&app, "REDIS_URL");
}

/// Puts `replacement` in place of the app's express-session dependency in package.json (another client, an engines
/// field), fixes the app and installs what it now lists (the committed lockfile is the default's). Returns app.js.
fn fix_with(app: &Path, replacement: &str) -> String {
    let manifest = std::fs::read_to_string(app.join("package.json")).expect("read");
    let manifest = manifest.replace("\"express-session\": \"^1.18.1\"", replacement);
    std::fs::write(app.join("package.json"), manifest).expect("write");
    std::fs::remove_file(app.join("package-lock.json")).expect("the lockfile is the default's");
    let out =
        express_harden(app, &["--write", "--allow-no-vcs", "--only", "session-store", "--color", "never", "app.js"]);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", String::from_utf8_lossy(&out.stderr));
    npm_install_fresh(app);
    std::fs::read_to_string(app.join("app.js")).expect("read")
}

/// The app's own client made with node-redis 2 or 3, which connects by itself.
const NODE_REDIS_3_CLIENT: &str = "const { createClient } = require('redis');

const client = createClient({ url: process.env.REDIS_URL });
client.on('error', (err) => console.error('cache:', err.message));

module.exports = client;
";

/// The app's own client made with ioredis.
const IOREDIS_CLIENT: &str = "const Redis = require('ioredis');

const client = new Redis(process.env.REDIS_URL);
client.on('error', (err) => console.error('cache:', err.message));

module.exports = client;
";

/// node-redis 6 (the newest): the app's `cache` client is reused through a connection of the store's own.
#[test]
fn reused_node_redis_6_client() {
    let fixed = reused(r#""redis": "^6.3.1""#, None, "^9.0.0");
    assert!(fixed.contains("cache.duplicate({") && fixed.contains("commandOptions: { timeout: 2000 }"), "{fixed}");
}

/// node-redis 4 (Node 18.0: connect-redis 8): the duplicate gets `disableOfflineQueue`.
#[test]
fn reused_node_redis_4_client() {
    let fixed = reused(r#""redis": "^4.7.0" }, "engines": { "node": ">=18""#, None, "^8.1.0");
    assert!(fixed.contains("cache.duplicate({") && fixed.contains("disableOfflineQueue: true"), "{fixed}");
}

/// The app's own node-redis 4 client in legacy mode, on Node 18 (connect-redis 8, which cannot use a legacy client):
/// the store's duplicate leaves legacy mode behind, or no session would ever be saved (found by the review).
#[test]
fn reused_node_redis_4_legacy_client_for_a_modern_store() {
    let lib = "// The app's own Redis client, in node-redis 3's callback style.\n\
               const { createClient } = require('redis');\n\n\
               const client = createClient({ url: process.env.REDIS_URL, legacyMode: true });\n\
               client.on('error', (err) => console.error('cache:', err.message));\n\
               client.connect().catch(() => {});\n\n\
               module.exports = client;\n";
    let fixed = reused(r#""redis": "^4.7.0" }, "engines": { "node": ">=18""#, Some(lib), "^8.1.0");
    assert!(fixed.contains("cache.duplicate({\n  legacyMode: false,\n  disableOfflineQueue: true,"), "{fixed}");
}

/// node-redis 4 on Node 14: connect-redis 6, which takes node-redis 4 only in legacy mode; the duplicate is made in
/// it, the app's own client is not.
#[test]
fn reused_node_redis_4_client_in_legacy_mode() {
    let fixed = reused(r#""redis": "^4.7.0" }, "engines": { "node": ">=14""#, None, "^6.1.3");
    assert!(fixed.contains("cache.duplicate({\n  legacyMode: true,\n  disableOfflineQueue: true,"), "{fixed}");
}

/// node-redis 4 on Node 12 (the oldest connect-redis 6 declares): the same, with the app's socket options spread
/// without optional chaining (`?.` is Node 14 syntax), and still taken through Redis down and up.
#[test]
fn reused_node_redis_4_client_in_legacy_mode_on_node_12() {
    let fixed = reused(r#""redis": "^4.7.0" }, "engines": { "node": ">=12""#, None, "^6.1.3");
    assert!(fixed.contains("cache.duplicate({\n  legacyMode: true,\n  disableOfflineQueue: true,"), "{fixed}");
    assert!(fixed.contains("...(cache.options && cache.options.socket),") && !fixed.contains("?."), "{fixed}");
}

/// node-redis 3 (Node 12: connect-redis 6): the duplicate gets `enable_offline_queue: false` and the
/// `retry_strategy` of a new client.
#[test]
fn reused_node_redis_3_client() {
    let fixed = reused(r#""redis": "^3.1.2" }, "engines": { "node": ">=12""#, Some(NODE_REDIS_3_CLIENT), "^6.1.3");
    assert!(fixed.contains("cache.duplicate({") && fixed.contains("retry_strategy"), "{fixed}");
}

/// node-redis 2.8 (Node 8: connect-redis 3), whose `duplicate` is the same as 3's.
#[test]
fn reused_node_redis_2_client() {
    let fixed = reused(r#""redis": "^2.8.0" }, "engines": { "node": ">=8""#, Some(NODE_REDIS_3_CLIENT), "^3.4.2");
    assert!(fixed.contains("cache.duplicate({") && fixed.contains("enable_offline_queue: false"), "{fixed}");
}

/// ioredis 5: the duplicate gets `maxRetriesPerRequest: 1` and a `retryStrategy` of its own.
#[test]
fn reused_ioredis_client() {
    let fixed = reused(r#""ioredis": "^5.4.0""#, Some(IOREDIS_CLIENT), "^8.1.0");
    assert!(fixed.contains("cache.duplicate({") && fixed.contains("maxRetriesPerRequest: 1"), "{fixed}");
}

/// A project for Node 14 that lists node-redis 4 and has no client yet: connect-redis 6 with a new node-redis 4
/// client in legacy mode.
#[test]
fn new_node_redis_4_client_in_legacy_mode() {
    let (_tmp, app) = copy_app("session-redis-app");
    let fixed = fix_with(
        &app,
        "\"express-session\": \"^1.18.1\",\n    \"redis\": \"^4.7.0\"\n  },\n  \"engines\": { \"node\": \">=14\" ",
    );
    assert!(
        fixed.contains("createClient({\n  legacyMode: true,") && fixed.contains("require('connect-redis')(session)"),
        "{fixed}"
    );
    let manifest = std::fs::read_to_string(app.join("package.json")).expect("read");
    assert!(manifest.contains("\"connect-redis\": \"^6.1.3\","), "{manifest}");
    down_then_up(&app, "REDIS_URL");
}

/// The reuse app with `dependency` (and what follows it in package.json) as its Redis client package and `lib`, when
/// given, as its `lib/redis.js`: fixed over the whole project, installed, then taken through Redis down and up.
/// The store must be connect-redis `store`; the app's own module is left as it was. Returns app.js as fixed.
fn reused(dependency: &str, lib: Option<&str>, store: &str) -> String {
    let (_tmp, app) = copy_app("session-redis-reuse-app");
    if let Some(lib) = lib {
        std::fs::write(app.join("lib/redis.js"), lib).expect("write");
    }
    let own = std::fs::read_to_string(app.join("lib/redis.js")).expect("read");
    let manifest = std::fs::read_to_string(app.join("package.json")).expect("read");
    let manifest =
        manifest.replace(r#""express-session": "^1.18.1""#, &format!(r#""express-session": "^1.18.1", {dependency}"#));
    std::fs::write(app.join("package.json"), manifest).expect("write");
    let out = express_harden(&app, &["--write", "--allow-no-vcs", "--only", "session-store", "--color", "never", "."]);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", String::from_utf8_lossy(&out.stderr));
    let manifest = std::fs::read_to_string(app.join("package.json")).expect("read");
    assert!(manifest.contains(&format!(r#""connect-redis": "{store}""#)), "{manifest}");
    assert_eq!(std::fs::read_to_string(app.join("lib/redis.js")).expect("read"), own, "the app's client is left alone");
    let fixed = std::fs::read_to_string(app.join("app.js")).expect("read");
    // (connect-redis 3 reports its client's outages itself; later majors are told by the client's events.)
    let events = "const sessionStore = new RedisStore({ client: sessionRedisClient });\n\
                  sessionRedisClient.on('error', () => sessionStore.emit('disconnect'));\n\
                  sessionRedisClient.on('ready', () => sessionStore.emit('connect'));\n";
    match store {
        "^3.4.2" => assert!(fixed.contains("store: new RedisStore({ client: sessionRedisClient })"), "{fixed}"),
        _ => assert!(fixed.contains(events) && fixed.contains("store: sessionStore,"), "{fixed}"),
    }
    npm_install_fresh(&app);
    down_then_up(&app, "the server of cache");
    fixed
}

/// Starts the fixed app with Redis down, then up, then down; then in production without Redis; then loads it and
/// closes its server. `label` is what the store's messages call its server (`REDIS_URL`, or the app's client whose
/// server it shares). An app with a `/hits` route (its own use of its own client) must serve it once Redis is up.
fn down_then_up(app: &Path, label: &str) {
    // Nothing listens there yet.
    let redis_port = free_port();
    let url = format!("redis://127.0.0.1:{redis_port}");
    let env = [("REDIS_URL", url.as_str())];
    let (server, log) = start_node_logged(app, "server.js", &env);

    // A first visit gets a cookie (its session cannot be saved); the next one needs the store to read it. (With
    // connect-redis 3 the store is reported disconnected, the request gets no session, and the first visit fails.)
    let started = Instant::now();
    let first = get(server.port, "/visits", &[]);
    let again = match first.cookie() {
        Some(cookie) => get(server.port, "/visits", &[("Cookie", &cookie)]),
        None => first,
    };
    let elapsed = started.elapsed();
    assert!(
        again.status.contains(" 500 "),
        "Redis down: an error response, not a session: {} {}",
        again.status,
        again.body
    );
    assert!(elapsed < Duration::from_secs(5), "Redis down: the answers took {elapsed:?}");

    // The client retries every second while Redis stays down; the outage is logged once, not once per retry.
    std::thread::sleep(Duration::from_millis(3500));
    let unreachable = |log: &str| log.matches(&format!("Redis session store ({label}) unreachable")).count();
    assert_eq!(unreachable(&logged(&log)), 1, "one line for the outage: {}", logged(&log));

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
    // (The log is read on another thread: the line may come a moment after the answer.)
    let reconnected = format!("Redis session store ({label}) reconnected");
    let started = Instant::now();
    while !logged(&log).contains(&reconnected) && started.elapsed() < Duration::from_secs(3) {
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(logged(&log).contains(&reconnected), "{}", logged(&log));
    // The app's own client still serves the app (it reconnects on its own schedule).
    if std::fs::read_to_string(app.join("app.js")).is_ok_and(|code| code.contains("'/hits'")) {
        let started = Instant::now();
        while !get(server.port, "/hits", &[]).body.contains("\"hits\":") {
            assert!(started.elapsed() < Duration::from_secs(10), "the app's own client does not work again");
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    // Down again: an error response within seconds, from the first request on. (A 200 here, once, came from another
    // test's Redis on the same port: `free_port` now never gives a port twice, and `start_redis_on` checks that the
    // server answering is its own.)
    drop(redis);
    let started = Instant::now();
    let again = get(server.port, "/visits", &[("Cookie", &cookie)]);
    assert!(again.status.contains(" 500 "), "Redis down again: {} {}", again.status, again.body);
    assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());
    std::thread::sleep(Duration::from_millis(2500));
    assert_eq!(unreachable(&logged(&log)), 2, "one more line for the second outage: {}", logged(&log));
    // A new session (a login) cannot be saved: an error response, not a 200 with a cookie for a session that is not
    // stored (express-session saves it after the handler has answered, so the store reports itself disconnected).
    let started = Instant::now();
    let login = get(server.port, "/visits", &[]);
    assert!(login.status.contains(" 500 "), "a new session while Redis is down: {} {}", login.status, login.body);
    assert!(login.cookie().is_none(), "no cookie for a session that is not stored: {:?}", login.headers);
    assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());
    drop(server);

    // Production without its store: the app stops at start and says which store and which variable.
    let down = format!("redis://127.0.0.1:{}", free_port());
    let (code, stderr) = run_node_to_exit(app, "server.js", &[("REDIS_URL", &down), ("NODE_ENV", "production")]);
    assert_eq!(code, Some(1), "stderr: {stderr}");
    assert!(stderr.contains(&format!("Redis session store at {label} is unreachable")), "{stderr}");

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

fn logged(log: &Mutex<String>) -> String {
    log.lock().map(|l| l.clone()).unwrap_or_default()
}
