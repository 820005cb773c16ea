//! Helpers of the end-to-end tests: copying an app, starting Node and Redis on free ports, plain HTTP requests.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Copies a test app (without node_modules) to a fresh temporary folder; returns the folder guard and the app path.
pub fn copy_app(name: &str) -> (tempfile::TempDir, PathBuf) {
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/e2e").join(name);
    // Not tempfile's default `.tmpXXXX`: Express 5's send ignores files under a dot folder anywhere in the path.
    let tmp = tempfile::Builder::new().prefix("express-harden-e2e-").tempdir().expect("tempdir");
    let app = tmp.path().join(name);
    copy_dir(&source, &app);
    (tmp, app)
}

/// Copies a folder recursively, leaving out node_modules.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read_dir") {
        let entry = entry.expect("entry");
        if entry.file_name() == "node_modules" {
            continue;
        }
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

/// Every file under `dir` (node_modules and .git left out) by relative path, as text (invalid UTF-8 replaced, so that
/// such files still compare).
pub fn tree(dir: &Path) -> std::collections::BTreeMap<PathBuf, String> {
    fn walk(root: &Path, dir: &Path, out: &mut std::collections::BTreeMap<PathBuf, String>) {
        for entry in std::fs::read_dir(dir).expect("read_dir").flatten() {
            let path = entry.path();
            if path.is_dir() {
                if entry.file_name() != "node_modules" && entry.file_name() != ".git" {
                    walk(root, &path, out);
                }
            } else {
                let text = String::from_utf8_lossy(&std::fs::read(&path).expect("read")).into_owned();
                out.insert(path.strip_prefix(root).expect("inside").to_path_buf(), text);
            }
        }
    }
    let mut out = std::collections::BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// Runs express-harden in `dir`.
pub fn express_harden(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_express-harden"))
        .args(args)
        .current_dir(dir)
        .env(BUNDLED_TABLE_CURRENT.0, BUNDLED_TABLE_CURRENT.1)
        .output()
        .expect("run express-harden")
}

/// A day on which the bundled advisory table counts as current (its newest advisory: 2026-06-17), so that its
/// staleness note does not depend on the clock.
pub const BUNDLED_TABLE_CURRENT: (&str, &str) = ("EXPRESS_HARDEN_TODAY", "2026-06-18");

/// `npm ci` from the committed lockfile: fails unless the package.json the tool wrote matches it exactly.
pub fn npm_ci(dir: &Path) {
    let npm = Command::new("npm")
        .args(["ci", "--ignore-scripts", "--no-audit", "--no-fund"])
        .current_dir(dir)
        .output()
        .expect("npm must be installed (scripts/test.sh installs it)");
    assert!(
        npm.status.success(),
        "npm ci failed: the package.json the tool wrote does not match the committed lockfile\n{}",
        String::from_utf8_lossy(&npm.stderr)
    );
}

/// `pnpm install --frozen-lockfile`: fails unless the package.json files the tool wrote match the lockfile exactly.
pub fn pnpm_install_frozen(dir: &Path) {
    let pnpm = Command::new("pnpm")
        .args(["install", "--frozen-lockfile", "--ignore-scripts"])
        .current_dir(dir)
        .output()
        .expect("pnpm must be installed (scripts/test.sh installs it)");
    assert!(pnpm.status.success(), "pnpm install --frozen-lockfile: {}", String::from_utf8_lossy(&pnpm.stderr));
}

/// `npm install` from the registry without a lockfile (the manifest's ranges decide): for an app's "before" state,
/// or a manifest the committed lockfile was not made for.
pub fn npm_install_fresh(dir: &Path) {
    let npm = Command::new("npm")
        .args(["install", "--ignore-scripts", "--no-audit", "--no-fund", "--no-package-lock"])
        .current_dir(dir)
        .output()
        .expect("npm must be installed (scripts/test.sh installs it)");
    assert!(npm.status.success(), "npm install: {}", String::from_utf8_lossy(&npm.stderr));
}

/// A port nothing listens on right now, and one no other test of this process has been given: the tests of a binary
/// run on parallel threads, and a port is only taken when its server starts (a Redis-down test leaves its Redis port
/// free for seconds), so the system could hand the same free port to two tests, whose servers would then share it
/// (one test's app talking to the other's Redis answered a request after its own Redis was killed).
pub fn free_port() -> u16 {
    static GIVEN: Mutex<std::collections::BTreeSet<u16>> = Mutex::new(std::collections::BTreeSet::new());
    loop {
        let port = TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port();
        if GIVEN.lock().unwrap_or_else(std::sync::PoisonError::into_inner).insert(port) {
            return port;
        }
    }
}

/// A child process that is killed when dropped.
pub struct Service {
    child: Child,
    /// The port it listens on.
    pub port: u16,
}

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `node script` with `PORT` set (and `env`), and waits for it to print `listening on`.
pub fn start_node(dir: &Path, script: &str, env: &[(&str, &str)]) -> Service {
    launch_node(dir, script, env, false).0
}

/// [`start_node`], keeping everything the app writes to stderr in the returned buffer.
pub fn start_node_logged(dir: &Path, script: &str, env: &[(&str, &str)]) -> (Service, Arc<Mutex<String>>) {
    launch_node(dir, script, env, true)
}

fn launch_node(dir: &Path, script: &str, env: &[(&str, &str)], keep_stderr: bool) -> (Service, Arc<Mutex<String>>) {
    let port = free_port();
    let mut child = Command::new("node")
        .arg(script)
        .current_dir(dir)
        .env("PORT", port.to_string())
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .stderr(if keep_stderr { Stdio::piped() } else { Stdio::inherit() })
        .spawn()
        .expect("node must be installed (scripts/test.sh installs it)");
    let log = Arc::new(Mutex::new(String::new()));
    if let Some(stderr) = child.stderr.take() {
        let log = Arc::clone(&log);
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Ok(mut log) = log.lock() {
                    log.push_str(&line);
                    log.push('\n');
                }
            }
        });
    }
    let stdout = child.stdout.take().expect("stdout");
    let mut service = Service { child, port };
    let mut line = String::new();
    let mut reader = BufReader::new(stdout);
    let deadline = Instant::now() + Duration::from_secs(20);
    while !line.contains("listening on") {
        line.clear();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || Instant::now() > deadline {
            let status = service.child.try_wait();
            panic!("{script} did not start (status {status:?})");
        }
    }
    // Keep reading what the app logs (morgan logs every request): with the pipe closed, its next write would fail with
    // EPIPE and take the process down.
    std::thread::spawn(move || std::io::copy(&mut reader, &mut std::io::sink()));
    (service, log)
}

/// Runs `node script` to its end (at most 20 seconds) and returns its exit code and stderr: for apps that must refuse
/// to start.
pub fn run_node_to_exit(dir: &Path, script: &str, env: &[(&str, &str)]) -> (Option<i32>, String) {
    let mut child = Command::new("node")
        .arg(script)
        .current_dir(dir)
        .env("PORT", free_port().to_string())
        .envs(env.iter().copied())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("node must be installed (scripts/test.sh installs it)");
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Ok(Some(status)) = child.try_wait() {
            let mut stderr = String::new();
            if let Some(mut pipe) = child.stderr.take() {
                let _ = pipe.read_to_string(&mut stderr);
            }
            return (status.code(), stderr);
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{script} was expected to stop by itself but kept running");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Starts a throw-away Redis server (no persistence to disk) on a free port.
pub fn start_redis() -> Service {
    start_redis_on(free_port())
}

/// Starts a throw-away Redis server on `port` (an app may already be trying to reach it there).
pub fn start_redis_on(port: u16) -> Service {
    let child = Command::new("redis-server")
        .args(["--port", &port.to_string(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
        .stdout(Stdio::null())
        .spawn()
        .expect("redis-server must be installed (scripts/test.sh installs it)");
    let mut service = Service { child, port };
    let deadline = Instant::now() + Duration::from_secs(10);
    // Until this server answers there, itself: another process on the port would answer too.
    let pid = format!("process_id:{}\r\n", service.child.id());
    while !redis_info(port).is_some_and(|info| info.contains(&pid)) {
        if let Ok(Some(status)) = service.child.try_wait() {
            panic!("redis-server stopped ({status}): port {port} is taken");
        }
        assert!(Instant::now() < deadline, "redis-server did not start on port {port}");
        std::thread::sleep(Duration::from_millis(50));
    }
    service
}

/// What the Redis server on `port` says of itself (`INFO server`), if one answers.
fn redis_info(port: u16) -> Option<String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(2))).ok()?;
    stream.write_all(b"INFO server\r\n").ok()?;
    let mut reader = BufReader::new(stream);
    // A bulk string: `$<length>\r\n<that many bytes>\r\n`.
    let mut header = String::new();
    reader.read_line(&mut header).ok()?;
    let length: usize = header.strip_prefix('$')?.trim().parse().ok()?;
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    String::from_utf8(body).ok()
}

/// An HTTP response: status line, lower-cased headers, body.
pub struct Response {
    /// `HTTP/1.1 200 OK`.
    pub status: String,
    /// Header names lower-cased.
    pub headers: Vec<(String, String)>,
    /// The body as sent (chunked bodies are left as they are; tests look for substrings).
    pub body: String,
}

impl Response {
    /// The first header of that name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// Every Set-Cookie header.
    pub fn set_cookies(&self) -> Vec<&str> {
        self.headers.iter().filter(|(k, _)| k == "set-cookie").map(|(_, v)| v.as_str()).collect()
    }

    /// The Set-Cookie header of the cookie called `name`.
    pub fn set_cookie(&self, name: &str) -> Option<&str> {
        self.set_cookies().into_iter().find(|c| c.starts_with(&format!("{name}=")))
    }

    /// `name=value` of the first Set-Cookie, for sending it back.
    pub fn cookie(&self) -> Option<String> {
        self.header("set-cookie").and_then(|c| c.split(';').next()).map(str::to_string)
    }
}

/// A GET with optional extra header lines.
pub fn get(port: u16, path: &str, extra: &[(&str, &str)]) -> Response {
    request(port, "GET", path, extra, "")
}

/// A POST of a URL-encoded form.
pub fn post_form(port: u16, path: &str, extra: &[(&str, &str)], form: &str) -> Response {
    let mut headers = extra.to_vec();
    headers.push(("Content-Type", "application/x-www-form-urlencoded"));
    request(port, "POST", path, &headers, form)
}

/// One HTTP/1.1 request with `Connection: close`.
pub fn request(port: u16, method: &str, path: &str, extra: &[(&str, &str)], body: &str) -> Response {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    stream.set_read_timeout(Some(Duration::from_secs(10))).expect("timeout");
    let mut request = format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n");
    for (name, value) in extra {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    if !body.is_empty() {
        request.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    request.push_str("\r\n");
    request.push_str(body);
    stream.write_all(request.as_bytes()).expect("send");
    let mut bytes = Vec::new();
    stream.read_to_end(&mut bytes).expect("read");
    // Binary bodies (an icon) are read too; the tests look only at text.
    let response = String::from_utf8_lossy(&bytes).into_owned();
    let (head, body) = response.split_once("\r\n\r\n").unwrap_or((&response, ""));
    let mut lines = head.lines();
    let status = lines.next().unwrap_or_default().to_string();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    Response { status, headers, body: body.to_string() }
}

/// A throw-away PostgreSQL server (see [`start_postgres`]): its postmaster, data folder and socket folder. Dropping it
/// shuts the server down (fast shutdown, then immediate, then a kill) and removes the folder.
pub struct Postgres {
    child: Child,
    bin: PathBuf,
    /// The port it listens on, on 127.0.0.1.
    pub port: u16,
    /// The database made for the test.
    pub database: String,
    /// The user and group the server runs as, when the test runs as root.
    as_user: Option<(u32, u32)>,
    // Last: removed after the server has stopped.
    dir: tempfile::TempDir,
}

impl Postgres {
    /// `postgres://postgres@127.0.0.1:PORT/DATABASE` (the test cluster trusts local connections: no password).
    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{}", self.port, self.database)
    }

    /// Runs `sql` with psql over TCP in the test database and returns its unaligned, tuples-only output.
    pub fn psql(&self, sql: &str) -> String {
        let out = Command::new(self.bin.join("psql"))
            .args(["-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-U", "postgres"])
            .args(["-p", &self.port.to_string(), "-d", &self.database, "-c", sql])
            .output()
            .expect("run psql");
        assert!(out.status.success(), "psql -c {sql:?} failed: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// What the server logged so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("postgres.log")).unwrap_or_default()
    }

    /// Stops the server (the database is down: connections are refused) until [`Postgres::start`].
    pub fn stop(&mut self) {
        self.shutdown();
    }

    /// Starts the stopped server again on the same port, with the same data, and waits until it answers.
    pub fn start(&mut self) {
        self.child = spawn_postgres(&self.bin, self.dir.path(), self.as_user, self.port);
        self.wait_ready();
    }

    fn wait_ready(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("postgres exited ({status}) before accepting connections:\n{}", self.log());
            }
            let ready = Command::new(self.bin.join("pg_isready"))
                .args(["-q", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-p", &self.port.to_string()])
                .status()
                .expect("run pg_isready");
            if ready.success() {
                return;
            }
            let port = self.port;
            assert!(Instant::now() < deadline, "postgres did not accept connections on port {port}:\n{}", self.log());
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn shutdown(&mut self) {
        use nix::sys::signal::{kill, Signal};
        use nix::unistd::Pid;
        let pid = Pid::from_raw(self.child.id() as i32);
        // SIGINT: fast shutdown (clients disconnected, no wait for them); SIGQUIT: immediate; then SIGKILL.
        for signal in [Signal::SIGINT, Signal::SIGQUIT] {
            if kill(pid, signal).is_err() {
                break;
            }
            let deadline = Instant::now() + Duration::from_secs(10);
            while Instant::now() < deadline {
                if let Ok(Some(_)) = self.child.try_wait() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// `program` of PostgreSQL's `bin` folder, run in `dir` (as `as_user` when given).
fn pg_command(bin: &Path, dir: &Path, as_user: Option<(u32, u32)>, program: &str) -> Command {
    use std::os::unix::process::CommandExt;
    let mut command = Command::new(bin.join(program));
    command.current_dir(dir).env("LC_ALL", "C").env_remove("PGDATA");
    if let Some((uid, gid)) = as_user {
        // std drops root's supplementary groups before setuid.
        command.uid(uid).gid(gid);
    }
    command
}

/// Starts the postmaster of the cluster in `dir` (`data`, sockets in `sockets`, log appended to `postgres.log`) on
/// `port` of 127.0.0.1, without waiting for it.
fn spawn_postgres(bin: &Path, dir: &Path, as_user: Option<(u32, u32)>, port: u16) -> Child {
    let log = std::fs::OpenOptions::new().create(true).append(true).open(dir.join("postgres.log")).expect("log file");
    pg_command(bin, dir, as_user, "postgres")
        .arg("-D")
        .arg(dir.join("data"))
        .arg("-k")
        .arg(dir.join("sockets"))
        .args(["-p", &port.to_string(), "-c", "listen_addresses=127.0.0.1"])
        .args(["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::from(log))
        .spawn()
        .expect("start postgres")
}

/// The folder of PostgreSQL's server programs: Debian's `/usr/lib/postgresql/<major>/bin` (the newest major), else
/// wherever `initdb` is on the PATH.
fn postgres_bin_dir() -> PathBuf {
    let mut debian: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| Some((e.file_name().to_str()?.parse::<u32>().ok()?, e.path().join("bin"))))
        .filter(|(_, bin)| bin.join("initdb").is_file())
        .collect();
    debian.sort();
    if let Some((_, bin)) = debian.pop() {
        return bin;
    }
    std::env::var_os("PATH")
        .iter()
        .flat_map(std::env::split_paths)
        .find(|dir| dir.join("initdb").is_file() && dir.join("postgres").is_file())
        .unwrap_or_else(|| {
            panic!(
                "PostgreSQL is not installed: no /usr/lib/postgresql/<version>/bin/initdb and no initdb on the PATH \
                 (scripts/test.sh installs Debian's postgresql package)"
            )
        })
}

/// The numeric id `id` prints for the `postgres` system user (`-u`) or its group (`-g`).
fn postgres_id(flag: &str) -> u32 {
    let out = Command::new("id").args([flag, "postgres"]).output().expect("run id");
    assert!(
        out.status.success(),
        "running as root, PostgreSQL must run as the postgres user, which does not exist (Debian's postgresql package \
         creates it): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().parse().expect("a numeric id")
}

/// Starts a throw-away PostgreSQL server on a free port of 127.0.0.1, with its data and socket folders in a new
/// temporary folder (no fsync), and creates the database `app` in it. Local connections are trusted, as user
/// `postgres`. initdb and postgres refuse to run as root: under root (as in CI) they run as the `postgres` system user,
/// which owns the folder. Debian's own cluster (port 5432), if any, is neither used nor touched.
pub fn start_postgres() -> Postgres {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};

    let bin = postgres_bin_dir();
    let dir = tempfile::Builder::new().prefix("express-harden-pg-").tempdir().expect("tempdir");
    // The folder is ours: owned by root means we are root.
    let as_user = if std::fs::metadata(dir.path()).expect("stat").uid() == 0 {
        let (uid, gid) = (postgres_id("-u"), postgres_id("-g"));
        std::os::unix::fs::chown(dir.path(), Some(uid), Some(gid)).expect("chown the folder to postgres");
        Some((uid, gid))
    } else {
        None
    };
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o700)).expect("chmod");
    let command = |program: &str| pg_command(&bin, dir.path(), as_user, program);
    let data = dir.path().join("data");
    let sockets = dir.path().join("sockets");

    let initdb = command("initdb")
        .arg("-D")
        .arg(&data)
        .args(["-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync", "--no-instructions"])
        .output()
        .expect("run initdb");
    assert!(initdb.status.success(), "initdb failed: {}", String::from_utf8_lossy(&initdb.stderr));
    // The socket folder belongs to the server's user too.
    std::fs::create_dir(&sockets).expect("mkdir sockets");
    if let Some((uid, gid)) = as_user {
        std::os::unix::fs::chown(&sockets, Some(uid), Some(gid)).expect("chown the socket folder to postgres");
    }

    let port = free_port();
    let child = spawn_postgres(&bin, dir.path(), as_user, port);
    let mut server = Postgres { child, bin, port, database: "postgres".to_string(), as_user, dir };
    server.wait_ready();
    // A real query, then the test's own database.
    assert_eq!(server.psql("SELECT 1 + 1"), "2");
    server.psql("CREATE DATABASE app");
    server.database = "app".to_string();
    server
}

/// The absolute path of `program` in an absolute entry of PATH, as express-harden finds it.
pub fn which(program: &str) -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .filter(|dir| dir.is_absolute())
        .map(|dir| dir.join(program))
        .find(|p| p.is_file())
        .unwrap_or_else(|| panic!("{program} must be installed (scripts/test.sh installs it)"))
}

/// Starts `server.js` of the app in `dir` (with `env`), sends it every recorded request (`requests.json`: method,
/// path, headers, body, and the `express4` answer: status, body, Location) and lists the answers that differ from
/// Express 4's.
pub fn replay(dir: &Path, requests: &serde_json::Value, env: &[(&str, &str)]) -> Vec<String> {
    let server = start_node(dir, "server.js", env);
    let mut mismatches = Vec::new();
    for r in requests.as_array().expect("a list of requests") {
        let method = r["method"].as_str().unwrap_or("GET");
        let path = r["path"].as_str().unwrap_or("/");
        let headers: Vec<(String, String)> = r["headers"]
            .as_object()
            .map(|h| h.iter().map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string())).collect())
            .unwrap_or_default();
        let header_refs: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let response = request(server.port, method, path, &header_refs, r["body"].as_str().unwrap_or(""));
        let expected = &r["express4"];
        let status = expected["status"].as_u64().unwrap_or(0);
        if !response.status.contains(&format!(" {status} ")) {
            mismatches.push(format!("{method} {path}: status {} (Express 4: {status})", response.status));
        }
        let body = expected["body"].as_str().unwrap_or_default();
        if response.body != body {
            mismatches.push(format!("{method} {path}: body {:?} (Express 4: {body:?})", response.body));
        }
        if let Some(location) = expected["location"].as_str() {
            if response.header("location") != Some(location) {
                mismatches.push(format!(
                    "{method} {path}: Location {:?} (Express 4: {location})",
                    response.header("location")
                ));
            }
        }
    }
    mismatches
}

/// The project's own `tsc -p .` (with `args`), run with Node from `app`: its exit code and what it printed.
pub fn tsc(app: &Path, args: &[&str]) -> (Option<i32>, String) {
    let out = Command::new("node")
        .args(["node_modules/typescript/bin/tsc", "-p", "."])
        .args(args)
        .current_dir(app)
        .output()
        .expect("node");
    (out.status.code(), String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr))
}
