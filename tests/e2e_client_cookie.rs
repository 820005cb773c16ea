//! End to end for a cookie the client reads: the app under `tests/e2e/client-cookie-app` sets a `jwt` cookie that its
//! page script (`public/js/app.js`) reads from `document.cookie` and sends as a bearer token, and a `session_id`
//! cookie the page never names (it only lists what it can see). After `--write`, `jwt` has no HttpOnly (reported as `res-cookie/client-read`,
//! naming the script) and `session_id` has; in headless Chromium (Debian's `chromium`) the page still signs in, and
//! no longer sees `session_id`. A control run proves the browser check can fail: with HttpOnly on `jwt` the page
//! loses its token.

mod common;

use std::path::Path;
use std::process::Command;

use common::{copy_app, express_harden, get, npm_ci, start_node, which};

/// The page's text after its scripts ran, as headless Chromium renders it after signing in as `user` (the login
/// sets the cookies and redirects to the page).
fn page_after_login(port: u16, user: &str, profile: &Path) -> String {
    let out = Command::new(which("chromium"))
        .args(["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--virtual-time-budget=5000"])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg("--dump-dom")
        .arg(format!("http://127.0.0.1:{port}/login?user={user}"))
        .output()
        .expect("chromium must be installed (scripts/test.sh installs it)");
    assert!(out.status.success(), "chromium: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn paragraph(dom: &str, id: &str) -> String {
    let open = format!("<p id=\"{id}\">");
    let start = dom.find(&open).unwrap_or_else(|| panic!("no #{id} in {dom}")) + open.len();
    dom[start..].split("</p>").next().unwrap_or_default().to_string()
}

#[test]
fn a_cookie_the_page_reads_stays_readable() {
    let (tmp, app) = copy_app("client-cookie-app");
    npm_ci(&app);

    // Before: the page reads both cookies and signs in with the token.
    {
        let server = start_node(&app, "server.js", &[]);
        let dom = page_after_login(server.port, "alice", &tmp.path().join("profile-before"));
        assert_eq!((paragraph(&dom, "who"), paragraph(&dom, "cookies")), ("alice".into(), "jwt,session_id".into()));
    }

    let out = express_harden(&app, &["--write", "--allow-no-vcs", "--only", "res-cookie", "--color", "never", "."]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains(
            "[res-cookie/client-read] `jwt` looks like a credential, but client code reads it (public/js/app.js:"
        ),
        "the reader is named: {stderr}"
    );
    let fixed = std::fs::read_to_string(app.join("server.js")).expect("read");
    assert!(
        fixed.contains("res.cookie('jwt', token, { maxAge: 3600000, secure: process.env.NODE_ENV === 'production', sameSite: 'lax' });"),
        "{fixed}"
    );
    assert!(
        fixed.contains("{ httpOnly: true, secure: process.env.NODE_ENV === 'production', sameSite: 'lax' }"),
        "{fixed}"
    );
    assert_eq!(
        std::fs::read_to_string(app.join("public/js/app.js")).expect("read"),
        std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/e2e/client-cookie-app/public/js/app.js")
        )
        .expect("read"),
        "the client script is not touched"
    );

    // After: the Set-Cookie headers, then the page in a real browser.
    let server = start_node(&app, "server.js", &[]);
    let login = get(server.port, "/login?user=alice", &[]);
    let jwt = login.set_cookie("jwt").expect("jwt");
    assert!(!jwt.contains("HttpOnly") && jwt.contains("SameSite=Lax"), "the page may read it: {jwt}");
    let session = login.set_cookie("session_id").expect("session_id");
    assert!(session.contains("HttpOnly") && session.contains("SameSite=Lax"), "{session}");
    let dom = page_after_login(server.port, "alice", &tmp.path().join("profile-after"));
    assert_eq!(paragraph(&dom, "who"), "alice", "the page still signs in with the token it reads: {dom}");
    assert_eq!(paragraph(&dom, "cookies"), "jwt", "the cookie nothing reads is now out of the page's reach");
    drop(server);

    // Control: had the tool added httpOnly to `jwt`, the page would have lost its token.
    let broken = fixed.replace("res.cookie('jwt', token, { ", "res.cookie('jwt', token, { httpOnly: true, ");
    std::fs::write(app.join("server.js"), broken).expect("write");
    let server = start_node(&app, "server.js", &[]);
    let dom = page_after_login(server.port, "alice", &tmp.path().join("profile-control"));
    assert_eq!(paragraph(&dom, "who"), "no token", "{dom}");
}
