//! End to end with real Node: the app under `tests/e2e/helmet-app` is fixed with `--write`, its dependencies are
//! installed with `npm ci` from the lockfile committed beside it (which fails unless the tool's package.json edit is
//! exactly what npm expects), and both versions of the app are started and asked over HTTP for their headers.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn copy_dir(from: &Path, to: &Path) {
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

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port()
}

/// A Node server that is killed when dropped.
struct Server {
    child: Child,
    port: u16,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(dir: &Path, script: &str) -> Server {
    let port = free_port();
    let mut child = Command::new("node")
        .arg(script)
        .current_dir(dir)
        .env("PORT", port.to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("node must be installed (scripts/test.sh installs it)");
    let stdout = child.stdout.take().expect("stdout");
    let mut server = Server { child, port };
    let mut line = String::new();
    let mut reader = BufReader::new(stdout);
    let deadline = Instant::now() + Duration::from_secs(20);
    while !line.contains("listening on") {
        line.clear();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || Instant::now() > deadline {
            let status = server.child.try_wait();
            panic!("{script} did not start (status {status:?})");
        }
    }
    server.port = port;
    server
}

/// Status line and lower-cased headers of a GET.
fn get(port: u16, path: &str) -> (String, Vec<(String, String)>, String) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    stream.set_read_timeout(Some(Duration::from_secs(10))).expect("timeout");
    write!(stream, "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n").expect("send");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("read");
    let (head, body) = response.split_once("\r\n\r\n").unwrap_or((&response, ""));
    let mut lines = head.lines();
    let status = lines.next().unwrap_or_default().to_string();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    (status, headers, body.to_string())
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

#[test]
fn helmet_headers_appear_after_the_fix() {
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/e2e/helmet-app");
    let tmp = tempfile::tempdir().expect("tempdir");
    let app: PathBuf = tmp.path().join("helmet-app");
    copy_dir(&source, &app);
    std::fs::copy(app.join("server.js"), app.join("server.before.js")).expect("keep the original");

    let out = Command::new(env!("CARGO_BIN_EXE_express-harden"))
        .args(["--write", "--color", "never", "server.js"])
        .current_dir(&app)
        .output()
        .expect("run express-harden");
    assert_eq!(out.status.code(), Some(0), "stderr: {}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("wrote server.js (helmet"), "{stdout}");
    assert!(stdout.contains("wrote package.json (helmet"), "{stdout}");
    let fixed = std::fs::read_to_string(app.join("server.js")).expect("read");
    assert!(fixed.contains("const helmet = require('helmet');\n"), "{fixed}");
    assert!(fixed.contains("const app = express();\napp.use(helmet());\n"), "{fixed}");

    let npm = Command::new("npm")
        .args(["ci", "--ignore-scripts", "--no-audit", "--no-fund"])
        .current_dir(&app)
        .output()
        .expect("npm must be installed (scripts/test.sh installs it)");
    assert!(
        npm.status.success(),
        "npm ci failed: the package.json the tool wrote does not match the committed lockfile\n{}",
        String::from_utf8_lossy(&npm.stderr)
    );

    let before = start(&app, "server.before.js");
    let (status, headers, _) = get(before.port, "/");
    assert!(status.contains(" 200 "), "{status}");
    assert_eq!(header(&headers, "x-powered-by"), Some("Express"));
    for absent in ["content-security-policy", "strict-transport-security", "x-content-type-options", "x-frame-options"]
    {
        assert_eq!(header(&headers, absent), None, "{absent} before the fix");
    }
    drop(before);

    let after = start(&app, "server.js");
    for path in ["/", "/index.html", "/api/health"] {
        let (status, headers, body) = get(after.port, path);
        assert!(status.contains(" 200 "), "{path}: {status}");
        assert_eq!(header(&headers, "x-powered-by"), None, "{path}");
        let csp = header(&headers, "content-security-policy").unwrap_or_default();
        assert!(csp.contains("default-src 'self'"), "{path}: {csp}");
        assert_eq!(header(&headers, "strict-transport-security"), Some("max-age=31536000; includeSubDomains"));
        assert_eq!(header(&headers, "x-content-type-options"), Some("nosniff"));
        assert_eq!(header(&headers, "x-frame-options"), Some("SAMEORIGIN"));
        if path == "/api/health" {
            assert!(body.contains("\"status\":\"ok\""), "{body}");
        }
    }
}
