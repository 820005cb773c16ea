//! End to end with a real PostgreSQL: the app under `tests/e2e/session-pg-app` (express-session with its default
//! MemoryStore, `pg` in package.json) is fixed with `--write --only session-store`, which picks connect-pg-simple from
//! the `pg` dependency, installed with `npm ci` from the committed lockfile, and started against a PostgreSQL server
//! this test starts, at the DATABASE_URL the tool's next step asks for. A session counter must go on counting across a
//! restart of the Node process, with its row in the `session` table created as the tool's next step says (from
//! connect-pg-simple's `table.sql`); the same steps on the unfixed app start counting again, so the test can fail.
//! A second test stops PostgreSQL while the app runs: requests that need a session get an error response (a new
//! session too, once the store's check, every second, has seen the outage: before the fix it got 200 and a cookie and
//! was never stored), and once the database is back sessions work again without a restart (with the store creating
//! its own table, `createTableIfMissing: true`, they stay failed: checked too). A third starts the app, on its own
//! pool and on the app's, while PostgreSQL is down: the first new session gets an error and no cookie, and once the
//! database is up sessions are stored.
//!
//! `server.js` has no pg client of its own (the store connects with DATABASE_URL); `pool-server.js` creates a pg Pool,
//! which the store reuses; `promise-server.js` a pg-promise database (`pgPromise: db`), `promise-module-server.js`
//! (from `tests/e2e/session-pg-promise-module`) the one `promise-db.js` exports, and `client-server.js` one pg Client
//! (`pool: client`), which it reuses too.

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::{copy_app, express_harden, get, npm_ci, start_node, start_postgres};

/// What a restart leaves of a session: counts twice, restarts the app, counts again with the same cookie. Returns the
/// cookie (`connect.sid=...`) and the body of the last count.
fn count_after_restart(app: &Path, script: &str, env: &[(&str, &str)]) -> (String, String) {
    let server = start_node(app, script, env);
    let first = get(server.port, "/count", &[]);
    assert!(first.status.contains(" 200 "), "{script}: {} {}", first.status, first.body);
    assert!(first.body.contains("{\"count\":1}"), "{script}, first count: {}", first.body);
    let cookie = first.cookie().expect("the first count sets a session cookie");
    let second = get(server.port, "/count", &[("Cookie", &cookie)]);
    assert!(second.body.contains("{\"count\":2}"), "{script}, before the restart: {}", second.body);
    drop(server);

    let restarted = start_node(app, script, env);
    let third = get(restarted.port, "/count", &[("Cookie", &cookie)]);
    assert!(third.status.contains(" 200 "), "{script}: {} {}", third.status, third.body);
    (cookie, third.body)
}

/// The session id inside express-session's signed cookie: `connect.sid=s%3A<id>.<signature>`.
fn session_id(cookie: &str) -> &str {
    let value = cookie.strip_prefix("connect.sid=s%3A").unwrap_or_else(|| panic!("a signed session cookie: {cookie}"));
    let (id, _signature) = value.rsplit_once('.').expect("id.signature");
    assert!(id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'), "{id}");
    id
}

#[test]
fn sessions_survive_a_restart_in_postgresql_after_the_fix() {
    let (_tmp, app) = copy_app("session-pg-app");
    std::fs::copy(app.join("server.js"), app.join("server.before.js")).expect("keep the original");

    let out = express_harden(
        &app,
        &[
            "--write",
            "--allow-no-vcs",
            "--only",
            "session-store",
            "--color",
            "never",
            "server.js",
            "pool-server.js",
            "promise-server.js",
            "client-server.js",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "stderr: {}", String::from_utf8_lossy(&out.stderr));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("provide a PostgreSQL database at DATABASE_URL"), "the operator is told: {stderr}");
    assert!(stderr.contains("`psql \"$DATABASE_URL\" < node_modules/connect-pg-simple/table.sql`"), "{stderr}");
    assert!(stderr.contains("with connect-pg-simple through the existing client `pool`"), "{stderr}");
    let fixed = std::fs::read_to_string(app.join("server.js")).expect("read");
    assert!(fixed.contains("const PgStore = require('connect-pg-simple')(session);"), "{fixed}");
    assert!(
        fixed.contains("conString: process.env.DATABASE_URL || 'postgres://localhost:5432/session_pg_app',"),
        "{fixed}"
    );
    assert!(!fixed.contains("createTableIfMissing"), "{fixed}");
    let fixed_pool = std::fs::read_to_string(app.join("pool-server.js")).expect("read");
    assert!(fixed_pool.contains("const sessionStore = new PgStore({ pool });"), "{fixed_pool}");
    assert!(fixed_pool.contains("store: sessionStore,"), "{fixed_pool}");
    let fixed_promise = std::fs::read_to_string(app.join("promise-server.js")).expect("read");
    assert!(fixed_promise.contains("const sessionStore = new PgStore({ pgPromise: db });"), "{fixed_promise}");
    assert!(!fixed_promise.contains("db.on("), "a pg-promise database has no events: {fixed_promise}");
    let fixed_client = std::fs::read_to_string(app.join("client-server.js")).expect("read");
    assert!(fixed_client.contains("const sessionStore = new PgStore({ pool: client });"), "{fixed_client}");
    let manifest = std::fs::read_to_string(app.join("package.json")).expect("read");
    assert!(manifest.contains("\"connect-pg-simple\": \"^10.0.0\","), "{manifest}");

    // A pg-promise database another module makes and exports (`module.exports = db`): the store runs on it too.
    let extra = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/e2e/session-pg-promise-module");
    for file in ["promise-db.js", "promise-module-server.js"] {
        std::fs::copy(extra.join(file), app.join(file)).expect("copy the module's files");
    }
    let only = ["--write", "--allow-no-vcs", "--only", "session-store", "--color", "never", "promise-module-server.js"];
    let out = express_harden(&app, &only);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", String::from_utf8_lossy(&out.stderr));
    let fixed_module = std::fs::read_to_string(app.join("promise-module-server.js")).expect("read");
    assert!(fixed_module.contains("const sessionStore = new PgStore({ pgPromise: db });"), "{fixed_module}");
    assert!(!fixed_module.contains("db.on("), "a pg-promise database has no events: {fixed_module}");

    npm_ci(&app);
    let postgres = start_postgres();
    let url = postgres.url();
    let env = [("DATABASE_URL", url.as_str())];

    let (_, before) = count_after_restart(&app, "server.before.js", &env);
    assert!(before.contains("{\"count\":1}"), "the MemoryStore loses the session on restart: {before}");
    assert_eq!(postgres.psql("SELECT to_regclass('public.session') IS NULL"), "t", "no session table yet");
    create_session_table(&app, &postgres);

    let (cookie, after) = count_after_restart(&app, "server.js", &env);
    assert!(after.contains("{\"count\":3}"), "the PostgreSQL store keeps the session: {after}");
    assert_eq!(postgres.psql("SELECT count(*) FROM session"), "1", "one session row");
    let sid = session_id(&cookie);
    let stored = postgres.psql(&format!("SELECT sess->>'count' FROM session WHERE sid = '{sid}' AND expire > now()"));
    assert_eq!(stored, "3", "the row of this session holds its count");

    // The variant that reuses the app's own pg Pool: its session is a second row, and the pool still serves the app.
    let (cookie, after) = count_after_restart(&app, "pool-server.js", &env);
    assert!(after.contains("{\"count\":3}"), "the store on the app's pool keeps the session: {after}");
    let sid = session_id(&cookie);
    let stored = postgres.psql(&format!("SELECT sess->>'count' FROM session WHERE sid = '{sid}'"));
    assert_eq!(stored, "3", "the row of this session holds its count");
    assert_eq!(postgres.psql("SELECT count(*) FROM session"), "2", "two session rows");
    let server = start_node(&app, "pool-server.js", &env);
    let db = get(server.port, "/db", &[]);
    assert!(db.body.contains("{\"two\":2}"), "the app's own queries still work: {} {}", db.status, db.body);
    drop(server);

    // The app's pg-promise database (made in the file, then required from promise-db.js), then its one pg Client: a
    // row each, and the app's queries still answer.
    for (script, rows) in [("promise-server.js", "3"), ("promise-module-server.js", "4"), ("client-server.js", "5")] {
        let (cookie, after) = count_after_restart(&app, script, &env);
        assert!(
            after.contains("{\"count\":3}"),
            "{script}: the store on the app's connection keeps the session: {after}"
        );
        let sid = session_id(&cookie);
        let stored = postgres.psql(&format!("SELECT sess->>'count' FROM session WHERE sid = '{sid}'"));
        assert_eq!(stored, "3", "{script}: the row of this session holds its count");
        assert_eq!(postgres.psql("SELECT count(*) FROM session"), rows, "{script}: one more session row");
        let server = start_node(&app, script, &env);
        let db = get(server.port, "/db", &[]);
        assert!(db.body.contains("{\"two\":2}"), "{script}: the app's own queries: {} {}", db.status, db.body);
    }
}

/// The next step the tool prints: connect-pg-simple's `table.sql`, as installed, run in the database.
fn create_session_table(app: &Path, postgres: &common::Postgres) {
    let sql = std::fs::read_to_string(app.join("node_modules/connect-pg-simple/table.sql")).expect("table.sql");
    postgres.psql(&sql);
    assert_eq!(postgres.psql("SELECT to_regclass('public.session') IS NOT NULL"), "t", "the session table");
}

/// `GET /count` with `cookie` (if any): the status line and body, and how long the answer took.
fn count(port: u16, cookie: Option<&str>) -> (String, String, Duration) {
    let started = Instant::now();
    let headers: Vec<(&str, &str)> = cookie.map(|c| ("Cookie", c)).into_iter().collect();
    let response = get(port, "/count", &headers);
    (response.status, response.body, started.elapsed())
}

/// Whether a response starts no session: no status 200 and no Set-Cookie (express-session's cookie is set only for a
/// session it goes on to store).
fn no_session(response: &common::Response) -> bool {
    !response.status.contains(" 200 ") && response.cookie().is_none()
}

/// With the app running and PostgreSQL down, a request with a session cookie gets an error response within
/// seconds, and so does a new session once the store has seen the outage (its check runs every second); once
/// PostgreSQL is back, the same cookie counts again, without restarting the app. `create_table` writes
/// `createTableIfMissing: true` (what the tool wrote before) into the fixed app instead of creating the table, and
/// stops the database before the app starts: then the failed creation is kept and requests stay 500. Returns the
/// statuses after the restart.
fn down_then_up(create_table: bool) -> Vec<String> {
    let (_tmp, app) = copy_app("session-pg-app");
    let out = express_harden(
        &app,
        &["--write", "--allow-no-vcs", "--only", "session-store", "--color", "never", "server.js"],
    );
    assert_eq!(out.status.code(), Some(0), "stderr: {}", String::from_utf8_lossy(&out.stderr));
    npm_ci(&app);
    let mut postgres = start_postgres();
    if create_table {
        let fixed = std::fs::read_to_string(app.join("server.js")).expect("read");
        assert!(fixed.contains("conString:"), "{fixed}");
        std::fs::write(app.join("server.js"), fixed.replace("conString:", "createTableIfMissing: true, conString:"))
            .expect("write");
        postgres.stop();
    } else {
        create_session_table(&app, &postgres);
    }
    let url = postgres.url();
    let server = start_node(&app, "server.js", &[("DATABASE_URL", url.as_str())]);

    // Without the store's table creation, a session made while the database is up; with it, the database is down
    // from the start (the app started before the database, or while it restarted).
    let cookie = if create_table {
        let response = get(server.port, "/count", &[]);
        assert!(no_session(&response), "the database is down: {} {:?}", response.status, response.set_cookies());
        None
    } else {
        let response = get(server.port, "/count", &[]);
        assert!(response.status.contains(" 200 ") && response.body.contains("{\"count\":1}"), "{}", response.body);
        postgres.stop();
        let cookie = response.cookie().expect("a session cookie");
        let (status, body, took) = count(server.port, Some(&cookie));
        assert!(status.contains(" 500 "), "the database is down: an error response, {status} {body}");
        assert!(took < Duration::from_secs(5), "within seconds: {took:?}");
        std::thread::sleep(Duration::from_millis(1500));
        let response = get(server.port, "/count", &[]);
        assert!(no_session(&response), "a new session while down: {} {:?}", response.status, response.set_cookies());
        Some(cookie)
    };

    postgres.start();
    // (The store's check sees the database back within a second.)
    std::thread::sleep(Duration::from_millis(1500));
    (0..3)
        .map(|_| {
            let (status, body, _) = count(server.port, cookie.as_deref());
            std::thread::sleep(Duration::from_millis(300));
            format!("{} {}", status.trim(), body)
        })
        .collect()
}

/// The app (`server.js` on the store's own pool, `pool-server.js` on the app's) started while PostgreSQL is down:
/// the first new session gets an error response and no cookie (the tool's store checks its database at start and
/// tells express-session to skip sessions while it is unreachable); once PostgreSQL is up, within about a second,
/// new sessions are stored and count on. Before the fix it answered 200 with a cookie whose session was never
/// stored.
#[test]
fn a_new_session_while_postgresql_is_down_gets_an_error_and_sessions_work_once_it_is_up() {
    let (_tmp, app) = copy_app("session-pg-app");
    let out = express_harden(
        &app,
        &["--write", "--allow-no-vcs", "--only", "session-store", "--color", "never", "server.js", "pool-server.js"],
    );
    assert_eq!(out.status.code(), Some(0), "stderr: {}", String::from_utf8_lossy(&out.stderr));
    npm_ci(&app);
    let mut postgres = start_postgres();
    create_session_table(&app, &postgres);
    let url = postgres.url();
    for script in ["server.js", "pool-server.js"] {
        postgres.stop();
        let server = start_node(&app, script, &[("DATABASE_URL", url.as_str())]);
        std::thread::sleep(Duration::from_millis(500));
        let response = get(server.port, "/count", &[]);
        assert!(no_session(&response), "{script}, down: {} {:?}", response.status, response.set_cookies());

        postgres.start();
        std::thread::sleep(Duration::from_millis(1500));
        let first = get(server.port, "/count", &[]);
        assert!(first.body.contains("{\"count\":1}"), "{script}, up: {} {}", first.status, first.body);
        let cookie = first.cookie().expect("a session cookie");
        let (status, body, _) = count(server.port, Some(&cookie));
        assert!(status.contains(" 200 ") && body.contains("{\"count\":2}"), "{script}: {status} {body}");
        let sid = session_id(&cookie);
        assert_eq!(postgres.psql(&format!("SELECT sess->>'count' FROM session WHERE sid = '{sid}'")), "2", "{script}");
    }
}

#[test]
fn sessions_work_again_when_postgresql_is_back_without_a_restart() {
    let after = down_then_up(false);
    assert!(after.iter().all(|a| a.contains(" 200 ")), "{after:?}");
    assert!(after[0].ends_with("{\"count\":2}"), "the session made before the outage counts on: {after:?}");
    assert!(after[2].ends_with("{\"count\":4}"), "{after:?}");

    // What the tool wrote before (the store creating its table): the creation failed while the database was down is
    // kept, and requests with a session stay failed after it is back.
    let before = down_then_up(true);
    assert!(before.iter().all(|b| b.contains(" 500 ")), "{before:?}");
}
