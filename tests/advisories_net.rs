//! The network sources of the advisories transform (`--advisories osv|npm`, issue 15), against a local HTTP server in
//! the test process that serves the recorded data (the tests stay offline):
//!
//! - osv: `POST /v1/querybatch` answers each query with the ids of the records under `tests/advisories/osv/` about
//!   that package (the real records, from the GitHub advisory database), and `GET /v1/vulns/<id>` serves each record.
//! - npm: `POST /-/npm/v1/security/advisories/bulk` answers `tests/advisories/net/npm-bulk-response.json` (derived
//!   from the same records by `make-npm-bulk.js`, in the registry's format) to the request the test app's lockfile
//!   makes, `npm-bulk-request.json`.
//!
//! The app is `tests/e2e/advisories-app` (Express 4.18.2, body-parser 1.20.1, cookie-parser 1.4.6, ejs 3.1.6): each
//! source must find exactly what the bundled table finds. Then: the cache (a second run fetches no record), the
//! registry settings (`.npmrc`, the token sent to its own registry only), and the failures (nothing listening, HTTP
//! 500, an answer that is not JSON): exit 2, the URL and the reason named, nothing written.

mod common;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use common::copy_app;

const REPO: &str = env!("CARGO_MANIFEST_DIR");

/// The path of npm's bulk advisory request.
const BULK: &str = "/-/npm/v1/security/advisories/bulk";

/// One request the server received.
#[derive(Debug, Clone)]
struct Hit {
    method: String,
    path: String,
    headers: BTreeMap<String, String>,
    body: Vec<u8>,
}

type Handler = dyn Fn(&Hit) -> (u16, String) + Send + Sync;

/// An HTTP/1.1 server on a thread of the test, answering each request with `handler`, and recording them.
struct Server {
    port: u16,
    hits: Arc<Mutex<Vec<Hit>>>,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Server {
    fn start(handler: Box<Handler>) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let hits = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (h, s) = (Arc::clone(&hits), Arc::clone(&stop));
        let thread = std::thread::spawn(move || {
            for stream in listener.incoming() {
                if s.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                if let Some(hit) = read_request(&stream) {
                    let (status, body) = handler(&hit);
                    h.lock().expect("hits").push(hit);
                    let mut stream = stream;
                    let _ = write!(
                        stream,
                        "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                        body.len()
                    );
                }
            }
        });
        Server { port, hits, stop, thread: Some(thread) }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn hits(&self) -> Vec<Hit> {
        self.hits.lock().expect("hits").clone()
    }

    /// How many requests asked for a path starting with `prefix`.
    fn count(&self, prefix: &str) -> usize {
        self.hits().iter().filter(|h| h.path.starts_with(prefix)).count()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn read_request(stream: &TcpStream) -> Option<Hit> {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let mut words = line.split_whitespace();
    let (method, path) = (words.next()?.to_string(), words.next()?.to_string());
    let mut headers = BTreeMap::new();
    loop {
        let mut header = String::new();
        reader.read_line(&mut header).ok()?;
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        let (name, value) = header.split_once(':')?;
        headers.insert(name.trim().to_ascii_lowercase(), value.trim().to_string());
    }
    let length: usize = headers.get("content-length").and_then(|l| l.parse().ok()).unwrap_or(0);
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some(Hit { method, path, headers, body })
}

/// The recorded OSV records: id -> (the npm packages it is about, its text).
fn records() -> BTreeMap<String, (Vec<String>, String)> {
    let mut out = BTreeMap::new();
    for entry in std::fs::read_dir(Path::new(REPO).join("tests/advisories/osv")).expect("records") {
        let path = entry.expect("entry").path();
        let text = std::fs::read_to_string(&path).expect("record");
        let json: serde_json::Value = serde_json::from_str(&text).expect("json");
        let names = json["affected"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|a| a["package"]["ecosystem"] == "npm")
            .filter_map(|a| a["package"]["name"].as_str().map(str::to_string))
            .collect();
        out.insert(json["id"].as_str().expect("id").to_string(), (names, text));
    }
    out
}

/// An OSV API serving the recorded records, listing each with `modified`.
fn osv_server(modified: Arc<Mutex<String>>) -> Server {
    let records = records();
    Server::start(Box::new(move |hit| match (hit.method.as_str(), hit.path.as_str()) {
        ("POST", "/v1/querybatch") => {
            let body: serde_json::Value = serde_json::from_slice(&hit.body).expect("a JSON batch");
            let modified = modified.lock().expect("modified").clone();
            let results: Vec<serde_json::Value> = body["queries"]
                .as_array()
                .expect("queries")
                .iter()
                .map(|q| {
                    assert_eq!(q["package"]["ecosystem"], "npm");
                    assert!(q["version"].is_string(), "{q}");
                    let name = q["package"]["name"].as_str().expect("name");
                    let vulns: Vec<serde_json::Value> = records
                        .iter()
                        .filter(|(_, (names, _))| names.iter().any(|n| n == name))
                        .map(|(id, _)| serde_json::json!({ "id": id, "modified": modified }))
                        .collect();
                    if vulns.is_empty() {
                        serde_json::json!({})
                    } else {
                        serde_json::json!({ "vulns": vulns })
                    }
                })
                .collect();
            (200, serde_json::json!({ "results": results }).to_string())
        }
        ("GET", path) => match path.strip_prefix("/v1/vulns/").and_then(|id| records.get(id)) {
            Some((_, text)) => (200, text.clone()),
            None => (404, "{\"code\":5,\"message\":\"Bug not found.\"}".to_string()),
        },
        _ => (404, String::new()),
    }))
}

/// The advisory app, with a home and a cache folder of its own.
struct App {
    _tmp: tempfile::TempDir,
    dir: PathBuf,
    home: tempfile::TempDir,
}

impl App {
    fn new() -> App {
        let (tmp, dir) = copy_app("advisories-app");
        App { _tmp: tmp, dir, home: tempfile::tempdir().expect("home") }
    }

    fn cache(&self) -> PathBuf {
        self.home.path().join("cache")
    }

    fn run(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_express-harden"));
        cmd.args(args)
            .current_dir(&self.dir)
            .env("HOME", self.home.path())
            .env("XDG_CACHE_HOME", self.cache())
            .env_remove("EXPRESS_HARDEN_OSV_URL")
            .env_remove("EXPRESS_HARDEN_TODAY");
        // (npm's settings from the test runner's own environment would beat the project's .npmrc.)
        for (key, _) in std::env::vars_os() {
            if key.to_str().is_some_and(|k| k.to_ascii_lowercase().starts_with("npm_config_")) {
                cmd.env_remove(key);
            }
        }
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd.output().expect("run express-harden")
    }

    /// The JSON advisories of a dry run with `source`.
    fn advisories(&self, source: &str, env: &[(&str, &str)]) -> serde_json::Value {
        let out = self.run(&["--only", "advisories", "--advisories", source, "--format", "json"], env);
        assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
        doc["advisories"].clone()
    }
}

/// One line per advisory: id, package@installed -> patched, severity, reachability, fix.
fn lines(advisories: &serde_json::Value) -> Vec<String> {
    advisories
        .as_array()
        .expect("advisories")
        .iter()
        .map(|a| {
            format!(
                "{} {}@{} -> {} [{}] {} {}",
                a["id"].as_str().unwrap_or_default(),
                a["package"].as_str().unwrap_or_default(),
                a["installed"].as_str().unwrap_or_default(),
                a["patched"].as_str().unwrap_or("none"),
                a["severity"].as_str().unwrap_or("unknown"),
                a["reachability"].as_str().unwrap_or_default(),
                a["fix"]["kind"].as_str().unwrap_or_default(),
            )
        })
        .collect()
}

/// The advisories by package, version and id (the sources list a package's advisories in their own order).
fn sorted(advisories: &serde_json::Value) -> Vec<serde_json::Value> {
    let mut list = advisories.as_array().expect("advisories").clone();
    list.sort_by_key(|a| (a["package"].to_string(), a["installed"].to_string(), a["id"].to_string()));
    list
}

/// What every source finds in the app (the bundled table is compiled from the same records).
const FOUND: [&str; 13] = [
    "GHSA-qwcr-r2fm-qrc7 body-parser@1.20.1 -> 1.20.3 [high] called bump",
    "GHSA-pxg6-pf52-xh8x cookie@0.4.1 -> 0.7.0 [low] called bump",
    "GHSA-pxg6-pf52-xh8x cookie@0.5.0 -> 0.7.0 [low] called bump",
    "GHSA-ghr5-ch3p-vcr6 ejs@3.1.6 -> 3.1.10 [moderate] unknown bump",
    "GHSA-phwq-j96m-2c2q ejs@3.1.6 -> 3.1.7 [critical] called bump",
    "GHSA-qw6h-vgh9-j6wx express@4.18.2 -> 4.20.0 [moderate] not-called bump",
    "GHSA-rv95-896h-c2vc express@4.18.2 -> 4.19.2 [moderate] not-called bump",
    "GHSA-37ch-88jc-xwx2 path-to-regexp@0.1.7 -> 0.1.13 [high] not-called bump",
    "GHSA-9wv6-86v2-598j path-to-regexp@0.1.7 -> 0.1.10 [high] not-called bump",
    "GHSA-rhx6-c78j-4q9w path-to-regexp@0.1.7 -> 0.1.12 [high] not-called bump",
    "GHSA-6rw7-vpxm-498p qs@6.11.0 -> 6.14.1 [moderate] unknown bump",
    "GHSA-m6fv-jmcg-4jfg send@0.18.0 -> 0.19.0 [moderate] not-called bump",
    "GHSA-cm22-4g7w-348p serve-static@1.15.0 -> 1.16.0 [moderate] not-called bump",
];

#[test]
fn osv_finds_what_the_bundled_table_finds_and_caches_the_records() {
    let app = App::new();
    let bundled = app.advisories("bundled", &[]);
    let modified = Arc::new(Mutex::new("2024-10-31T00:00:00Z".to_string()));
    let server = osv_server(Arc::clone(&modified));
    let url = server.url();
    let env = [("EXPRESS_HARDEN_OSV_URL", url.as_str())];
    let osv = app.advisories("osv", &env);
    assert_eq!(lines(&osv), FOUND);
    // Every field, reachability and fix included, as the bundled table gives it.
    assert_eq!(sorted(&osv), sorted(&bundled));
    // One batch with every installed name@version of the lockfile, then each record once.
    let hits = server.hits();
    let batch: serde_json::Value = serde_json::from_slice(&hits[0].body).expect("batch");
    let lock: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(app.dir.join("package-lock.json")).expect("lock"))
            .expect("lock json");
    let installed = lock["packages"].as_object().expect("packages").len() - 1;
    assert_eq!(batch["queries"].as_array().expect("queries").len(), installed);
    let fetched = server.count("/v1/vulns/");
    assert!(fetched >= 9, "{fetched} records fetched");
    assert_eq!(server.count("/v1/querybatch"), 1);
    assert!(app.cache().join("express-harden/osv/GHSA-qwcr-r2fm-qrc7.json").is_file());

    // A second run asks the batch again, and reads every record from the cache.
    assert_eq!(app.advisories("osv", &env), osv);
    assert_eq!(server.count("/v1/querybatch"), 2);
    assert_eq!(server.count("/v1/vulns/"), fetched, "the records came from the cache");

    // A record modified since is fetched again.
    *modified.lock().expect("modified") = "2025-01-15T00:00:00Z".to_string();
    assert_eq!(app.advisories("osv", &env), osv);
    assert_eq!(server.count("/v1/vulns/"), 2 * fetched);

    // The configuration key names the API too.
    std::fs::write(app.dir.join("express-harden.json"), format!("{{ \"advisories\": {{ \"osvUrl\": \"{url}\" }} }}"))
        .expect("config");
    assert_eq!(app.advisories("osv", &[]), osv);
    assert_eq!(server.count("/v1/querybatch"), 4);
}

/// Answers the registry's bulk advisory request with the derived answer, after checking it is npm's request.
fn npm_server() -> Server {
    let answer =
        std::fs::read_to_string(Path::new(REPO).join("tests/advisories/net/npm-bulk-response.json")).expect("answer");
    Server::start(Box::new(move |hit| match (hit.method.as_str(), hit.path.as_str()) {
        ("POST", "/-/npm/v1/security/advisories/bulk") => (200, answer.clone()),
        _ => (404, "{}".to_string()),
    }))
}

#[test]
fn npm_sends_npms_request_to_the_projects_registry_and_finds_what_the_bundled_table_finds() {
    let app = App::new();
    let bundled = app.advisories("bundled", &[]);
    let server = npm_server();
    let other = npm_server();
    // The project's .npmrc names the registry; the user's names a token for another registry, and the project's one
    // for this one.
    std::fs::write(
        app.dir.join(".npmrc"),
        format!("registry={}/\n//127.0.0.1:{}/:_authToken=${{TEST_NPM_TOKEN}}\n", server.url(), server.port),
    )
    .expect(".npmrc");
    std::fs::write(
        app.home.path().join(".npmrc"),
        format!("registry={}/\n//127.0.0.1:{}/:_authToken=not-for-this-one\n", other.url(), other.port),
    )
    .expect("~/.npmrc");
    let npm = app.advisories("npm", &[("TEST_NPM_TOKEN", "s3cret")]);
    assert_eq!(lines(&npm), FOUND);
    assert_eq!(sorted(&npm), sorted(&bundled));
    assert_eq!(other.hits().len(), 0, "the user's registry is not asked: the project's wins");
    // (The releases of the affected packages are asked too, `GET /<name>`: see the test of the lockfile refresh.)
    let hits: Vec<Hit> = server.hits().into_iter().filter(|h| h.path == BULK).collect();
    assert_eq!(hits.len(), 1);
    let hit = &hits[0];
    // As @npmcli/arborist sends it: gzipped JSON, name -> the installed versions, with the registry's own token.
    assert_eq!(hit.headers.get("content-encoding").map(String::as_str), Some("gzip"));
    assert_eq!(hit.headers.get("content-type").map(String::as_str), Some("application/json"));
    assert_eq!(hit.headers.get("authorization").map(String::as_str), Some("Bearer s3cret"));
    let mut body = String::new();
    flate2::read::GzDecoder::new(&hit.body[..]).read_to_string(&mut body).expect("gzip");
    let sent: serde_json::Value = serde_json::from_str(&body).expect("json");
    let recorded: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(Path::new(REPO).join("tests/advisories/net/npm-bulk-request.json")).expect("request"),
    )
    .expect("json");
    assert_eq!(sent, recorded);

    // Without a token for it, none is sent (the user's token belongs to another registry).
    std::fs::write(app.dir.join(".npmrc"), format!("registry={}/\n", server.url())).expect(".npmrc");
    app.advisories("npm", &[]);
    let last = server.hits().into_iter().rfind(|h| h.path == BULK).expect("a request");
    assert_eq!(last.headers.get("authorization"), None);
}

/// A project that depends on `pinner` at `version`, locked with `pinner` depending on cookie `cookie` (installed
/// 0.4.1), and npm's bulk answer for it (cookie 0.4.1's advisory).
fn pinner_app(version: &str, cookie: &str) -> (App, String) {
    let app = App::new();
    let manifest = serde_json::json!({ "name": "pins", "dependencies": { "pinner": version } });
    std::fs::write(app.dir.join("package.json"), manifest.to_string()).expect("manifest");
    let lock = serde_json::json!({
        "name": "pins", "lockfileVersion": 3, "requires": true,
        "packages": {
            "": { "name": "pins", "dependencies": { "pinner": version } },
            "node_modules/pinner": { "version": version, "dependencies": { "cookie": cookie } },
            "node_modules/cookie": { "version": "0.4.1" }
        }
    });
    std::fs::write(app.dir.join("package-lock.json"), lock.to_string()).expect("lock");
    let bulk =
        std::fs::read_to_string(Path::new(REPO).join("tests/advisories/net/npm-bulk-response.json")).expect("answer");
    (app, bulk)
}

/// A parent the bundled releases lack (here `pinner`, which pins cookie 0.4.1) is asked of the project's registry
/// (`GET /pinner`, npm's abbreviated metadata): its release 1.0.1 depends on cookie 0.7.2, so it is raised to 1.0.1
/// (not to 2.0.0, another major). When the registry does not know it, a note says so and cookie is reported unfixed.
#[test]
fn npm_asks_the_registry_for_a_parent_the_bundle_lacks() {
    let (app, bulk) = pinner_app("1.0.0", "0.4.1");
    let packument = serde_json::json!({
        "name": "pinner",
        "versions": {
            "1.0.0": { "dependencies": { "cookie": "0.4.1" } },
            "1.0.1": { "dependencies": { "cookie": "0.7.2" } },
            "2.0.0": { "dependencies": { "cookie": "^1.0.0" } }
        }
    })
    .to_string();
    let known = Arc::new(AtomicBool::new(true));
    let serves = Arc::clone(&known);
    let server = Server::start(Box::new(move |hit| match (hit.method.as_str(), hit.path.as_str()) {
        ("POST", "/-/npm/v1/security/advisories/bulk") => (200, bulk.clone()),
        ("GET", "/pinner") if serves.load(Ordering::SeqCst) => (200, packument.clone()),
        _ => (404, r#"{"error":"Not found"}"#.to_string()),
    }));
    std::fs::write(app.dir.join(".npmrc"), format!("registry={}/\n", server.url())).expect(".npmrc");
    let fix = |out: &Output| -> String {
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
        let cookie = doc["advisories"].as_array().expect("advisories").iter().find(|a| a["package"] == "cookie");
        let cookie = cookie.expect("cookie");
        format!("{} {}", cookie["fix"]["kind"].as_str().unwrap_or_default(), cookie["fix"]["description"])
    };
    let out = app.run(&["--only", "advisories", "--advisories", "npm", "--format", "json"], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(
        fix(&out),
        "bump \"0.7.0 is outside what its parents declare (pinner@1.0.0 declares 0.4.1); pinner is raised to 1.0.1, \
         which depends on cookie 0.7.2: the lockfile update of package.json moves cookie inside the new range\""
    );
    let asked: Vec<Hit> = server.hits().into_iter().filter(|h| h.path == "/pinner").collect();
    assert_eq!(asked.len(), 1);
    let accept = asked[0].headers.get("accept").cloned().unwrap_or_default();
    assert!(accept.starts_with("application/vnd.npm.install-v1+json"), "{accept}");

    known.store(false, Ordering::SeqCst);
    let out = app.run(&["--only", "advisories", "--advisories", "npm", "--format", "json"], &[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("note: the releases of pinner could not be read ("), "{stderr}");
    assert!(stderr.contains("HTTP 404"), "{stderr}");
    assert!(fix(&out).starts_with("none "), "{}", fix(&out));
}

/// npm's settings from the environment, as CI set-ups give them: `NPM_CONFIG_USERCONFIG` names the user's file (here
/// with a registry and its token), and `npm_config_registry` beats every file (the project's .npmrc too).
#[test]
fn npm_reads_the_registry_and_the_user_file_npm_reads_from_the_environment() {
    let app = App::new();
    let from_env = npm_server();
    let from_file = npm_server();
    let userconfig = app.home.path().join("ci.npmrc");
    std::fs::write(
        &userconfig,
        format!("registry={}/\n//127.0.0.1:{}/:_authToken=from-ci-file\n", from_file.url(), from_file.port),
    )
    .expect("userconfig");
    let userconfig = userconfig.to_str().expect("utf-8 path").to_string();
    app.advisories("npm", &[("NPM_CONFIG_USERCONFIG", &userconfig)]);
    assert_eq!(from_file.count(BULK), 1, "the user file the environment names is read");
    assert_eq!(
        from_file
            .hits()
            .iter()
            .find(|h| h.path == BULK)
            .expect("bulk")
            .headers
            .get("authorization")
            .map(String::as_str),
        Some("Bearer from-ci-file")
    );
    std::fs::write(app.dir.join(".npmrc"), format!("registry={}/\n", from_file.url())).expect(".npmrc");
    let registry = format!("{}/", from_env.url());
    app.advisories("npm", &[("NPM_CONFIG_USERCONFIG", &userconfig), ("npm_config_registry", &registry)]);
    assert_eq!(from_env.count(BULK), 1, "the environment's registry beats the project's .npmrc");
    assert_eq!(from_file.count(BULK), 1);
}

/// Runs `--write` with a source that fails: exit 2, the reason on stderr, nothing written.
fn fails_writing_nothing(app: &App, source: &str, env: &[(&str, &str)]) -> String {
    let before = std::fs::read_to_string(app.dir.join("package.json")).expect("manifest");
    let lock = std::fs::read_to_string(app.dir.join("package-lock.json")).expect("lock");
    let out = app.run(&["--only", "advisories", "--advisories", source, "--write", "--allow-no-vcs"], env);
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("nothing was planned or written"), "{stderr}");
    assert_eq!(std::fs::read_to_string(app.dir.join("package.json")).expect("manifest"), before, "{stderr}");
    assert_eq!(std::fs::read_to_string(app.dir.join("package-lock.json")).expect("lock"), lock);
    stderr
}

#[test]
fn a_network_failure_names_the_url_and_the_reason_and_writes_nothing() {
    let app = App::new();
    // Nothing listening.
    let port = common::free_port();
    let url = format!("http://127.0.0.1:{port}");
    let stderr = fails_writing_nothing(&app, "osv", &[("EXPRESS_HARDEN_OSV_URL", &url)]);
    assert!(stderr.contains(&format!("POST {url}/v1/querybatch failed: ")), "{stderr}");
    assert!(stderr.contains("package-lock.json"), "{stderr}");

    // HTTP 500.
    let failing = Server::start(Box::new(|_| (500, "{\"code\":13,\"message\":\"internal\"}".to_string())));
    let url = failing.url();
    let stderr = fails_writing_nothing(&app, "osv", &[("EXPRESS_HARDEN_OSV_URL", &url)]);
    assert!(stderr.contains(&format!("POST {url}/v1/querybatch failed: HTTP 500")), "{stderr}");
    std::fs::write(app.dir.join(".npmrc"), format!("registry={url}\n")).expect(".npmrc");
    let stderr = fails_writing_nothing(&app, "npm", &[]);
    assert!(stderr.contains(&format!("POST {url}/-/npm/v1/security/advisories/bulk failed: HTTP 500")), "{stderr}");

    // An answer that is not JSON.
    let garbled = Server::start(Box::new(|_| (200, "<html>proxy login</html>".to_string())));
    let url = garbled.url();
    let stderr = fails_writing_nothing(&app, "osv", &[("EXPRESS_HARDEN_OSV_URL", &url)]);
    assert!(
        stderr.contains(&format!("POST {url}/v1/querybatch failed: the answer is not OSV's batch result")),
        "{stderr}"
    );
    std::fs::write(app.dir.join(".npmrc"), format!("registry={url}\n")).expect(".npmrc");
    let stderr = fails_writing_nothing(&app, "npm", &[]);
    assert!(stderr.contains("the bulk advisory answer is not what npm's registry gives"), "{stderr}");

    // A record that is not one.
    let broken = Server::start(Box::new(|hit| {
        if hit.path.starts_with("/v1/vulns/") {
            (200, "{\"id\": 5}".to_string())
        } else {
            let body: serde_json::Value = serde_json::from_slice(&hit.body).expect("batch");
            let n = body["queries"].as_array().map_or(0, Vec::len);
            let one =
                serde_json::json!({ "vulns": [{ "id": "GHSA-qwcr-r2fm-qrc7", "modified": "2024-10-31T00:00:00Z" }] });
            (200, serde_json::json!({ "results": vec![one; n] }).to_string())
        }
    }));
    let url = broken.url();
    let stderr = fails_writing_nothing(&app, "osv", &[("EXPRESS_HARDEN_OSV_URL", &url)]);
    assert!(
        stderr.contains(&format!("GET {url}/v1/vulns/GHSA-qwcr-r2fm-qrc7 failed: the answer is not an OSV record")),
        "{stderr}"
    );
}

/// A scope the project's .npmrc gives a registry of its own (`@corp:registry=`) is private: `--advisories osv` does
/// not send its names to the OSV API (as `npm` keeps them from the public registry), and a note names what was not
/// checked (before: `@corp/secret-lib@1.0.0` went out in the batch).
#[test]
fn osv_is_not_sent_the_names_of_a_private_scope() {
    let app = App::new();
    let path = app.dir.join("package-lock.json");
    let mut lock: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("lock")).expect("lock json");
    lock["packages"]["node_modules/@corp/secret-lib"] = serde_json::json!({ "version": "1.0.0" });
    std::fs::write(&path, lock.to_string()).expect("write");
    std::fs::write(app.dir.join(".npmrc"), "@corp:registry=http://127.0.0.1:9/\n").expect("npmrc");
    let server = osv_server(Arc::new(Mutex::new("2024-10-31T00:00:00Z".to_string())));
    let url = server.url();
    let out = app.run(&["--only", "advisories", "--advisories", "osv"], &[("EXPRESS_HARDEN_OSV_URL", url.as_str())]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let batch: serde_json::Value = serde_json::from_slice(&server.hits()[0].body).expect("batch");
    let names: Vec<&str> =
        batch["queries"].as_array().expect("queries").iter().filter_map(|q| q["package"]["name"].as_str()).collect();
    assert!(names.contains(&"express") && !names.iter().any(|n| n.starts_with("@corp/")), "{names:?}");
    assert!(
        stderr.contains(
            "note: 1 package of a scope with its own registry (.npmrc) not sent to the OSV API, and not checked: \
             @corp/secret-lib"
        ),
        "{stderr}"
    );
}

/// Review rv12-15, problem 9a: a parent none of whose releases (from the installed one on, as the registry lists
/// them) depends on a fixed package cannot be raised to one: the finding says so and names what can be done, rather
/// than "raise that parent to a release that depends on a fixed cookie" (request 2.88.2 and tough-cookie ~2.5.0).
#[test]
fn a_parent_no_release_of_which_is_fixed_is_said_to_be_replaced() {
    let (app, bulk) = pinner_app("1.0.1", "~0.4.1");
    // (1.0.0 did not depend on cookie at all: not a raise.)
    let packument = serde_json::json!({
        "name": "pinner",
        "versions": {
            "1.0.0": {},
            "1.0.1": { "dependencies": { "cookie": "~0.4.1" } },
            "1.0.2": { "dependencies": { "cookie": "~0.4.2" } }
        }
    })
    .to_string();
    let server = Server::start(Box::new(move |hit| match (hit.method.as_str(), hit.path.as_str()) {
        ("POST", "/-/npm/v1/security/advisories/bulk") => (200, bulk.clone()),
        ("GET", "/pinner") => (200, packument.clone()),
        _ => (404, r#"{"error":"Not found"}"#.to_string()),
    }));
    std::fs::write(app.dir.join(".npmrc"), format!("registry={}/\n", server.url())).expect(".npmrc");
    let out = app.run(&["--only", "advisories", "--advisories", "npm", "--format", "json"], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let cookie = doc["advisories"].as_array().expect("advisories").iter().find(|a| a["package"] == "cookie");
    let description = cookie.map(|c| c["fix"]["description"].as_str().unwrap_or_default().to_string());
    assert_eq!(
        description.as_deref(),
        Some(
            "0.7.0 is on another line of releases than its parents declare (pinner@1.0.1 declares ~0.4.1; a new \
             major, or a new minor under 1.0.0, whose API may change): not overridden; no release of pinner depends \
             on a fixed cookie: replace it, or override cookie across the line yourself"
        ),
        "{doc:#}"
    );
}

/// The release a lockfile refresh moves an affected package to is the newest its parents admit, which the package
/// manager picks: the registry's releases of the affected package itself are asked under `--lockfile` (not only when
/// a parent of another affected package needs them), so the refresh is refused on every run when that release
/// depends on a new major (axios 1.21.1 on proxy-from-env 2: run 1 refused it only because follow-redirects was
/// refreshed too, run 2 then made it). Here ejs `^3.1.6`, installed 3.1.6 with jake 10: the newest release, 3.2.0,
/// depends on jake 11. Offline, the planned refresh says the release it picks is not known.
#[test]
fn a_lockfile_refresh_asks_the_releases_of_the_package_it_moves() {
    let app = App::new();
    let manifest = serde_json::json!({ "name": "views", "dependencies": { "ejs": "^3.1.6" } });
    std::fs::write(app.dir.join("package.json"), manifest.to_string()).expect("manifest");
    let lock = serde_json::json!({
        "name": "views", "lockfileVersion": 3, "requires": true,
        "packages": {
            "": { "name": "views", "dependencies": { "ejs": "^3.1.6" } },
            "node_modules/ejs": { "version": "3.1.6", "dependencies": { "jake": "^10.6.1" } },
            "node_modules/jake": { "version": "10.8.5" }
        }
    });
    std::fs::write(app.dir.join("package-lock.json"), lock.to_string()).expect("lock");
    let packument = serde_json::json!({
        "name": "ejs",
        "versions": {
            "3.1.6": { "dependencies": { "jake": "^10.6.1" } },
            "3.1.7": { "dependencies": { "jake": "^10.8.5" } },
            "3.1.10": { "dependencies": { "jake": "^10.8.5" } },
            "3.2.0": { "dependencies": { "jake": "^11.0.0" } }
        }
    })
    .to_string();
    let server = Server::start(Box::new(move |hit| match (hit.method.as_str(), hit.path.as_str()) {
        ("GET", "/ejs") => (200, packument.clone()),
        _ => (404, r#"{"error":"Not found"}"#.to_string()),
    }));
    std::fs::write(app.dir.join(".npmrc"), format!("registry={}/\n", server.url())).expect(".npmrc");
    let fixes = |out: &Output| -> Vec<String> {
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
        let advisories = doc["advisories"].as_array().expect("advisories");
        let ejs = advisories.iter().filter(|a| a["package"] == "ejs");
        let mut fixes: Vec<String> = ejs
            .map(|a| format!("{} {}", a["fix"]["kind"].as_str().unwrap_or_default(), a["fix"]["description"]))
            .collect();
        fixes.dedup();
        fixes
    };
    let refused = "none \"3.1.10 fits the ranges its parents declare, but the lockfile update moves ejs to the newest \
                   release they admit, 3.2.0, and ejs 3.2.0 depends on jake ^11.0.0; the project installs jake 10.8.5 \
                   — a new major: not refreshed (the package manager picks that release, not this tool); ejs 3.1.10 is \
                   fixed and keeps them: lock it at 3.1.10 by hand\"";
    for round in 0..2 {
        let out = app.run(&["--only", "advisories", "--lockfile", "--format", "json"], &[]);
        assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
        assert_eq!(fixes(&out), vec![refused.to_string()], "round {round}");
    }
    assert_eq!(server.count("/ejs"), 2, "each run asks the registry for the releases of the package it would move");

    // Offline (no --lockfile), the refresh is planned and says that the release it picks is not known here.
    let out = app.run(&["--only", "advisories", "--format", "json"], &[]);
    assert_eq!(
        fixes(&out),
        vec!["lockfile-refresh \"3.1.10 fits the ranges its parents declare: the lockfile moves it (`npm update ejs \
             --package-lock-only --ignore-scripts --no-audit`, run by --write --lockfile); the update picks the newest \
             release they admit, and the releases of ejs are not in the bundled table: --lockfile asks the registry \
             whether that release moves a dependency to a new major (and refreshes nothing if it does)\""
            .to_string()]
    );
    assert_eq!(server.count("/ejs"), 2, "offline, nothing is asked");
}

/// Tester round h7, defect 5 (OWASP NodeGoat): a copy one parent pins exactly (mocha 2.5.3 depends on debug `2.2.0`)
/// is moved by no lockfile refresh, and an override of it on its own line is not refused for the dependency its fixed
/// release brings (debug 2.6.9's ms 2.0.0, where 2.2.0 had ms 0.7.1). Before: with `--lockfile`, debug 2.2.0's
/// override was refused ("debug 2.6.9 depends on ms 2.0.0; the project installs ms 0.7.1 — a new major, not raised")
/// and ms 0.7.1 was said to come with "debug moves to 3.2.7", the refresh of the other copy, debug 3.2.6 under
/// tiny-lr's `^3.1.0`; `--write --lockfile` ran `npm update debug`, which left mocha's debug 2.2.0 and ms 0.7.1, and
/// the second run added the `"debug@2.x": "^2.6.9"` override the first had dropped. Now `--lockfile` plans what the
/// plan without it does: the override, which brings ms 2.0.0 with it.
#[test]
fn a_copy_a_parent_pins_is_overridden_not_refreshed() {
    let app = App::new();
    let manifest = serde_json::json!({
        "name": "goat", "dependencies": { "tiny-lr": "^1.1.1" }, "devDependencies": { "mocha": "^2.4.5" }
    });
    std::fs::write(app.dir.join("package.json"), manifest.to_string()).expect("manifest");
    let lock = serde_json::json!({
        "name": "goat", "lockfileVersion": 2, "requires": true,
        "packages": {
            "": { "name": "goat", "dependencies": { "tiny-lr": "^1.1.1" }, "devDependencies": { "mocha": "^2.4.5" } },
            "node_modules/mocha": { "version": "2.5.3", "dev": true, "dependencies": { "debug": "2.2.0" } },
            "node_modules/mocha/node_modules/debug": { "version": "2.2.0", "dev": true, "dependencies": { "ms": "0.7.1" } },
            "node_modules/mocha/node_modules/ms": { "version": "0.7.1", "dev": true },
            "node_modules/tiny-lr": { "version": "1.1.1", "dependencies": { "debug": "^3.1.0" } },
            "node_modules/debug": { "version": "3.2.6", "dependencies": { "ms": "^2.1.1" } },
            "node_modules/ms": { "version": "2.1.2" }
        }
    });
    std::fs::write(app.dir.join("package-lock.json"), lock.to_string()).expect("lock");
    let packuments: BTreeMap<String, String> = [
        ("mocha", serde_json::json!({ "2.5.3": { "dependencies": { "debug": "2.2.0" } } })),
        ("tiny-lr", serde_json::json!({ "1.1.1": { "dependencies": { "debug": "^3.1.0" } } })),
        (
            "debug",
            serde_json::json!({
                "2.2.0": { "dependencies": { "ms": "0.7.1" } },
                "2.6.9": { "dependencies": { "ms": "2.0.0" } },
                "3.2.6": { "dependencies": { "ms": "^2.1.1" } },
                "3.2.7": { "dependencies": { "ms": "^2.1.1" } }
            }),
        ),
        ("ms", serde_json::json!({ "0.7.1": {}, "2.0.0": {}, "2.1.2": {}, "2.1.3": {} })),
    ]
    .into_iter()
    .map(|(name, versions)| (format!("/{name}"), serde_json::json!({ "name": name, "versions": versions }).to_string()))
    .collect();
    let server = Server::start(Box::new(move |hit| match packuments.get(&hit.path) {
        Some(packument) if hit.method == "GET" => (200, packument.clone()),
        _ => (404, r#"{"error":"Not found"}"#.to_string()),
    }));
    std::fs::write(app.dir.join(".npmrc"), format!("registry={}/\n", server.url())).expect(".npmrc");
    let plan = |extra: &[&str]| -> (BTreeMap<String, String>, String) {
        let mut args = vec!["--only", "advisories", "--format", "json"];
        args.extend(extra);
        let out = app.run(&args, &[]);
        assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
        let fixes = doc["advisories"]
            .as_array()
            .expect("advisories")
            .iter()
            .map(|a| {
                let key = format!("{}@{}", a["package"].as_str().unwrap_or_default(), a["installed"]);
                (key, format!("{} {}", a["fix"]["kind"].as_str().unwrap_or_default(), a["fix"]["description"]))
            })
            .collect();
        (fixes, doc.to_string())
    };
    let (fixes, doc) = plan(&["--lockfile"]);
    assert!(server.count("/debug") > 0, "--lockfile asks the registry for debug's releases");
    let debug = fixes.get("debug@\"2.2.0\"").cloned().unwrap_or_default();
    assert!(
        debug.starts_with("override ")
            && debug.ends_with(
                "2.6.9 is outside what its parents declare (mocha@2.5.3 declares 2.2.0), on the line they declare: \
                 `overrides` forces the copies of debug on 2.x to ^2.6.9 (`\\\"debug@2.x\\\": \\\"^2.6.9\\\"`)\""
            ),
        "{debug}\n{doc}"
    );
    let ms = fixes.get("ms@\"0.7.1\"").cloned().unwrap_or_default();
    assert!(
        ms.ends_with(
            "the lockfile refresh or override this run plans for its parents moves it: debug moves to 2.6.9, which \
             depends on ms 2.0.0\""
        ),
        "{ms}\n{doc}"
    );
    // The override is the plan's with --lockfile and without it: `--write --lockfile` writes what a second run wants.
    let overrides = |doc: &str| doc.contains(r#"\"debug@2.x\": \"^2.6.9\""#);
    assert!(overrides(&doc), "{doc}");
    let (_, offline) = plan(&[]);
    assert!(overrides(&offline), "{offline}");
}
