//! End to end with a real PostgreSQL: the app under `tests/e2e/session-pg-app` (express-session with its default
//! MemoryStore, `pg` in package.json) is fixed with `--write --only session-store`, which picks connect-pg-simple from
//! the `pg` dependency, installed with `npm ci` from the committed lockfile, and started against a PostgreSQL server
//! this test starts, at the DATABASE_URL the tool's next step asks for. A session counter must go on counting across a
//! restart of the Node process, with its row in the `session` table that the store creates; the same steps on the
//! unfixed app start counting again, so the test can fail.
//!
//! `server.js` has no pg client of its own (the store connects with DATABASE_URL); `pool-server.js` creates a pg Pool,
//! which the store reuses.

mod common;

use std::path::Path;

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
        &["--write", "--allow-no-vcs", "--only", "session-store", "--color", "never", "server.js", "pool-server.js"],
    );
    assert_eq!(out.status.code(), Some(0), "stderr: {}", String::from_utf8_lossy(&out.stderr));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("provide a PostgreSQL database at DATABASE_URL"), "the operator is told: {stderr}");
    assert!(stderr.contains("with connect-pg-simple through the existing client `pool`"), "{stderr}");
    let fixed = std::fs::read_to_string(app.join("server.js")).expect("read");
    assert!(fixed.contains("const PgStore = require('connect-pg-simple')(session);"), "{fixed}");
    assert!(
        fixed.contains("conString: process.env.DATABASE_URL || 'postgres://localhost:5432/session_pg_app',"),
        "{fixed}"
    );
    assert!(fixed.contains("createTableIfMissing: true"), "{fixed}");
    let fixed_pool = std::fs::read_to_string(app.join("pool-server.js")).expect("read");
    assert!(fixed_pool.contains("store: new PgStore({ pool, createTableIfMissing: true }),"), "{fixed_pool}");
    let manifest = std::fs::read_to_string(app.join("package.json")).expect("read");
    assert!(manifest.contains("\"connect-pg-simple\": \"^10.0.0\","), "{manifest}");

    npm_ci(&app);
    let postgres = start_postgres();
    let url = postgres.url();
    let env = [("DATABASE_URL", url.as_str())];

    let (_, before) = count_after_restart(&app, "server.before.js", &env);
    assert!(before.contains("{\"count\":1}"), "the MemoryStore loses the session on restart: {before}");
    assert_eq!(postgres.psql("SELECT to_regclass('public.session') IS NULL"), "t", "no session table yet");

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
}
