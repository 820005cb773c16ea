//! Helpers of the end-to-end tests: copying an app, starting Node and Redis on free ports, plain HTTP requests.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
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

/// Runs express-harden in `dir`.
pub fn express_harden(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_express-harden")).args(args).current_dir(dir).output().expect("run express-harden")
}

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

/// A port nothing listens on right now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port()
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
    let port = free_port();
    let mut child = Command::new("node")
        .arg(script)
        .current_dir(dir)
        .env("PORT", port.to_string())
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("node must be installed (scripts/test.sh installs it)");
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
    service
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
    let port = free_port();
    let child = Command::new("redis-server")
        .args(["--port", &port.to_string(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
        .stdout(Stdio::null())
        .spawn()
        .expect("redis-server must be installed (scripts/test.sh installs it)");
    let service = Service { child, port };
    let deadline = Instant::now() + Duration::from_secs(10);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "redis-server did not start on port {port}");
        std::thread::sleep(Duration::from_millis(50));
    }
    service
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
