//! End to end in a real browser: apps whose pages run inline scripts and inline event handlers (static HTML, HTML
//! built in code, a script carrying request data) are fixed with `--write --only helmet`, installed with `npm ci`
//! from the lockfile committed beside them, started with Node and loaded in headless Chromium (Debian's `chromium`,
//! `--dump-dom`): what ran before the change still runs after it, the response carries the Content-Security-Policy
//! the tool wrote, and helmet's default policy (what the tool used to apply) would have stopped it.

mod common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{copy_app, express_harden, get, npm_ci, start_node, which};

/// The DOM of `url` after its load event, as headless Chromium renders it (a fresh profile each time).
fn dump_dom(url: &str) -> String {
    let chromium = which("chromium");
    let profile = tempfile::tempdir().expect("profile dir");
    let mut child = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(["--dump-dom", url])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromium");
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        match child.try_wait().expect("wait for chromium") {
            Some(_) => break,
            None if Instant::now() > deadline => {
                let _ = child.kill();
                panic!("chromium did not finish loading {url} within 60 s");
            }
            None => std::thread::sleep(Duration::from_millis(100)),
        }
    }
    let out = child.wait_with_output().expect("chromium output");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The text of the element `<p id="{id}">` in a dumped DOM.
fn text_of<'a>(dom: &'a str, id: &str) -> Option<&'a str> {
    let open = format!("<p id=\"{id}\">");
    let start = dom.find(&open)? + open.len();
    Some(&dom[start..start + dom[start..].find("</p>")?])
}

/// Runs the tool on the app, installs it, and returns the fixed server.js.
fn fix_and_install(app: &Path) -> String {
    std::fs::copy(app.join("server.js"), app.join("server.before.js")).expect("keep the original");
    let out = express_harden(app, &["--write", "--only", "helmet", "--color", "never"]);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", String::from_utf8_lossy(&out.stderr));
    npm_ci(app);
    std::fs::read_to_string(app.join("server.js")).expect("read")
}

/// A copy of the fixed server with helmet's default policy instead of the written one.
fn with_default_policy(app: &Path, fixed: &str) {
    let start = fixed.find("app.use(helmet({").expect("helmet with options");
    let end = start + fixed[start..].find("}));\n").expect("end of the helmet call") + "}));\n".len();
    let default = format!("{}app.use(helmet());\n{}", &fixed[..start], &fixed[end..]);
    std::fs::write(app.join("server.default.js"), default).expect("write");
}

#[test]
fn inline_scripts_and_handlers_still_run_under_the_written_policy() {
    let (_tmp, app) = copy_app("csp-app");
    let fixed = fix_and_install(&app);
    // Fixed inline scripts (two in static HTML, one in a string the code sends) are allowed by their hashes, the
    // handlers by script-src-attr; no 'unsafe-inline' for scripts.
    assert_eq!(fixed.matches("'sha256-").count(), 3, "{fixed}");
    assert!(fixed.contains("scriptSrcAttr: [\"'unsafe-inline'\"]"), "{fixed}");
    assert!(!fixed.contains("scriptSrc: [\"'self'\", \"'unsafe-inline'\""), "{fixed}");
    with_default_policy(&app, &fixed);

    for page in ["/", "/built"] {
        let before = start_node(&app, "server.before.js", &[]);
        let dom = dump_dom(&format!("http://127.0.0.1:{}{page}", before.port));
        assert_eq!(text_of(&dom, "script"), Some("yes"), "{page} before the change: {dom}");
        assert_eq!(text_of(&dom, "handler"), Some("yes"), "{page} before the change: {dom}");
        drop(before);

        let after = start_node(&app, "server.js", &[]);
        let response = get(after.port, page, &[]);
        let csp = response.header("content-security-policy").unwrap_or_default().to_string();
        assert!(csp.contains("script-src 'self' 'sha256-"), "{page}: {csp}");
        assert!(csp.contains("script-src-attr 'unsafe-inline'"), "{page}: {csp}");
        assert!(csp.contains("default-src 'self'"), "{page}: {csp}");
        let dom = dump_dom(&format!("http://127.0.0.1:{}{page}", after.port));
        assert_eq!(text_of(&dom, "script"), Some("yes"), "{page} after the change ({csp}): {dom}");
        assert_eq!(text_of(&dom, "handler"), Some("yes"), "{page} after the change ({csp}): {dom}");
        drop(after);

        // What a plain helmet() does to the same page: both are blocked.
        let default = start_node(&app, "server.default.js", &[]);
        let dom = dump_dom(&format!("http://127.0.0.1:{}{page}", default.port));
        assert_eq!(text_of(&dom, "script"), Some("no"), "{page} under helmet's default policy: {dom}");
        assert_eq!(text_of(&dom, "handler"), Some("no"), "{page} under helmet's default policy: {dom}");
    }
}

#[test]
fn a_script_carrying_request_data_still_runs_under_the_written_policy() {
    let (_tmp, app) = copy_app("csp-templated-app");
    let fixed = fix_and_install(&app);
    // Its text changes with each request: no hash can allow it, and a hash would switch 'unsafe-inline' off.
    assert!(fixed.contains("scriptSrc: [\"'self'\", \"'unsafe-inline'\"]"), "{fixed}");
    assert!(!fixed.contains("'sha256-"), "{fixed}");
    with_default_policy(&app, &fixed);

    let page = "/?name=Ada";
    let before = start_node(&app, "server.before.js", &[]);
    let dom = dump_dom(&format!("http://127.0.0.1:{}{page}", before.port));
    assert_eq!(text_of(&dom, "script"), Some("hello Ada"), "before the change: {dom}");
    assert_eq!(text_of(&dom, "handler"), Some("bye Ada"), "before the change: {dom}");
    drop(before);

    let after = start_node(&app, "server.js", &[]);
    let csp = get(after.port, page, &[]).header("content-security-policy").unwrap_or_default().to_string();
    assert!(csp.contains("script-src 'self' 'unsafe-inline';"), "{csp}");
    let dom = dump_dom(&format!("http://127.0.0.1:{}{page}", after.port));
    assert_eq!(text_of(&dom, "script"), Some("hello Ada"), "after the change ({csp}): {dom}");
    assert_eq!(text_of(&dom, "handler"), Some("bye Ada"), "after the change ({csp}): {dom}");
    drop(after);

    let default = start_node(&app, "server.default.js", &[]);
    let dom = dump_dom(&format!("http://127.0.0.1:{}{page}", default.port));
    assert_eq!(text_of(&dom, "script"), Some("no"), "under helmet's default policy: {dom}");
}
