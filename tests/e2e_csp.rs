//! End to end in a real browser: apps whose pages run inline scripts and inline event handlers (static HTML, HTML
//! built in code, a script carrying request data) are fixed with `--write --only helmet`, installed with `npm ci`
//! from the lockfile committed beside them, started with Node and loaded in headless Chromium (Debian's `chromium`,
//! `--dump-dom`): what ran before the change still runs after it, the response carries the Content-Security-Policy
//! the tool wrote, and helmet's default policy (what the tool used to apply) would have stopped it. The app that sets
//! X-Frame-Options itself still allows embedding where it did. An app with EJS views trimmed by `rmWhitespace`, a
//! script from a CDN named at run time, a framed widget, an API and a payment form on another site (a second Node
//! server, its own origin) and a badge that site shows still works in full, its docs' HTML (not served) adding
//! nothing. An app opened over plain HTTP at a name of the home network embeds a payment widget (a second Node server
//! over HTTPS that the browser reaches as js.stripe.com), compiles templates with new Function and starts a blob:
//! worker: all of it still runs, and each of those changes is what keeps it running. An app whose pages show map tiles
//! through Leaflet from a tile server's subdomains, the app's own SVG in an `<object>`, an image preview from an object
//! URL and Alpine bundled from its package shows all of them under the written policy, and each directive the tool
//! wrote for them is what keeps it working; so do its WMS layer, its markers (whose default icon comes from the CDN
//! that serves Leaflet's stylesheet, a local HTTPS server the browser reaches as unpkg.com) and the object URLs it
//! shows through setAttribute, in an iframe and in an object. A Vue page whose bundler config chooses Vue's full build
//! still compiles its in-DOM template. The raw HTML of a Pug view (an `<object>` of the app's own file, an object-URL
//! preview) still shows. Markers whose icons come from CDNs the app names otherwise (Leaflet's stylesheet @imported by
//! the site's own, `L.Icon.Default.imagePath`, an `L.icon`'s `iconUrl`) and object URLs shown in a `<video>`, a
//! `<source>` and an `<iframe>` that the script names by variables saying nothing of them still show, and do not
//! without the source the tool added for each. A PDF from another host in an `<object>` and object URLs in an
//! `<embed>`, an `<object>`, an `<embed>` written as HTML and an `<iframe>` found by class still show (Chromium frames
//! plugin content: frame-src), a self-hosted analytics script from a host that is a setting still posts home, URLs
//! and a WebSocket a script builds on the page's origin still connect under `'self'` alone, and a source that imports
//! Vue's full build beside a runtime alias still compiles its template. An app hardened once that then gains a map
//! page gets the tile host added to the policy the tool wrote by a second run, and the page shows its tiles. A
//! `javascript:void(0)` menu link runs its handler with no `'unsafe-inline'` for scripts, the script of an iframe's
//! `srcdoc` runs by its hash, and a handler a script sets with `setAttribute('onclick', ...)` and a script loaded by a
//! relative URL under another site's `<base href>` still run; none of them does under helmet's default. A blog
//! page's hosted analytics script (Plausible's, from a local HTTPS server reached as plausible.io) still posts its
//! pageview to its own host, and does not without that host in connectSrc. An app hardened while its proxy was always
//! trusted, whose trust proxy then moves into a branch, gets `upgradeInsecureRequests: null` from a second run, and
//! its page opened over plain HTTP loads its script again. A fixed script in a Handlebars partial included on a line of
//! its own (which Handlebars indents) runs by the hash of its text as sent, and a background the app's own stylesheet
//! loads from another host is not blocked. Vue's ES-module full build imported from a
//! CDN and through an import map of another host, an htmx hx-on handler and petite-vue still run. A page whose inline
//! script the app fills with .replace before sending runs it. An Angular CLI build served by the app (git-ignored,
//! built after the change) still applies its stylesheet through the `onload` handler critical CSS inlining writes,
//! and a bundle webpack-dev-middleware serves in development (webpack's default `eval` devtool) still runs. A Pug
//! view's `script.` block and its script on one line of raw HTML run by the hashes of their text as Pug sends it, and
//! a button's handler kept in its client-side template runs once inserted and clicked; with Pug's `pretty` on in
//! development, its re-indented block still runs. sql.js's minified glue code and WebAssembly module, vendored in the
//! app's public folder, still run a query.
//!
//! Every page a test loads from the server the tool wrote is also held to a guard that needs no browser: the sha256 of
//! each inline script as the response sends it is in the policy (or `'unsafe-inline'` is, with no hash beside it), and
//! each inline handler is allowed by script-src-attr; a page whose script changes after the policy was written fails
//! it.

mod common;

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{copy_app, express_harden, get, npm_ci, start_node, which, Service};

/// The DOM of `url` after its load event, as headless Chromium renders it (a fresh profile each time).
fn dump_dom(url: &str) -> String {
    dump_dom_with(url, &[])
}

/// [`dump_dom`] with more of Chromium's flags (`--host-resolver-rules=...`).
fn dump_dom_with(url: &str, flags: &[&str]) -> String {
    let profile = tempfile::tempdir().expect("profile dir");
    let mut child = Command::new(which("chromium"))
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
        .args(flags)
        // (Virtual time runs the tasks the load queued, such as following a javascript: link, before the dump.)
        .args(["--virtual-time-budget=3000", "--dump-dom", url])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromium");
    // Read while it runs, so that a large page never fills the pipe.
    let mut stdout = child.stdout.take().expect("stdout");
    let reader = std::thread::spawn(move || {
        let mut dom = String::new();
        let _ = stdout.read_to_string(&mut dom);
        dom
    });
    let deadline = Instant::now() + Duration::from_secs(60);
    while child.try_wait().expect("wait for chromium").is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium did not finish loading {url} within 60 s");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    reader.join().expect("chromium output")
}

/// Starts `server` of the app, loads `page` from it in Chromium and returns the Content-Security-Policy it was sent
/// with and the DOM after its load event.
fn load(app: &Path, server: &str, page: &str) -> (String, String) {
    let node = start_node(app, server, &[]);
    let csp = csp_of(node.port, server, page);
    (csp, dump_dom(&format!("http://127.0.0.1:{}{page}", node.port)))
}

/// The Content-Security-Policy `path` of the server on `port` is sent with. Where `server` is the one the tool wrote
/// (`server.js`), the page is also held to [`assert_inline_code_allowed`]: every inline script and handler it sends
/// must be allowed by that policy.
fn csp_of(port: u16, server: &str, path: &str) -> String {
    let response = get(port, path, &[]);
    let csp = response.header("content-security-policy").unwrap_or_default().to_string();
    if server == "server.js" {
        assert_inline_code_allowed(&response, path);
    }
    csp
}

/// The guard over every page the written policy serves: the sha256 of each inline script as the response sends it
/// (no `src`, an executable type) is listed by the policy, or the policy allows `'unsafe-inline'` with no hash or
/// nonce beside it; inline handlers are allowed by `script-src-attr` (or what it falls back to). A policy written for
/// other text than what the app sends fails here, before (and whether or not) a browser notices.
fn assert_inline_code_allowed(response: &common::Response, path: &str) {
    let problems = inline_code_not_allowed(response);
    assert!(problems.is_empty(), "{path}: the policy does not allow what the page sends:\n{}", problems.join("\n"));
}

/// What [`assert_inline_code_allowed`] finds wrong with one response: each inline script or handler its policy
/// blocks. An HTML response without a policy blocks nothing.
fn inline_code_not_allowed(response: &common::Response) -> Vec<String> {
    let is_html = response.header("content-type").is_some_and(|t| t.to_ascii_lowercase().starts_with("text/html"));
    let Some(csp) = response.header("content-security-policy").filter(|_| is_html) else { return Vec::new() };
    let chunked = response.header("transfer-encoding").is_some_and(|t| t.eq_ignore_ascii_case("chunked"));
    let body = if chunked { dechunk(&response.body) } else { response.body.clone() };
    let policy = Policy::parse(csp);
    let (scripts, handlers) = inline_code(&body);
    let mut problems = Vec::new();
    for text in scripts {
        if !policy.allows_inline(&["script-src-elem", "script-src", "default-src"], &text, false) {
            problems.push(format!("  script {} not allowed by `{csp}`: {text:?}", inline_hash(&text)));
        }
    }
    for (name, value) in handlers {
        if !policy.allows_inline(&["script-src-attr", "script-src", "default-src"], &value, true) {
            problems.push(format!("  handler {name}={value:?} not allowed by `{csp}`"));
        }
    }
    problems
}

/// A chunked body's data.
fn dechunk(body: &str) -> String {
    let (mut out, mut rest) = (String::new(), body);
    while let Some((size, after)) = rest.split_once("\r\n") {
        let size = usize::from_str_radix(size.split(';').next().unwrap_or("").trim(), 16).expect("a chunk size");
        if size == 0 {
            break;
        }
        out.push_str(&after[..size]);
        rest = after[size..].strip_prefix("\r\n").expect("the end of a chunk");
    }
    out
}

/// The CSP hash source of an inline script's text as a browser computes it (after the HTML parser's newline
/// normalisation).
fn inline_hash(text: &str) -> String {
    use sha2::Digest;
    let normalized = text.replace("\r\n", "\n").replace('\r', "\n");
    format!("'sha256-{}'", data_encoding::BASE64.encode(&sha2::Sha256::digest(normalized.as_bytes())))
}

/// A Content-Security-Policy header: each directive's name (lower-cased) with its sources.
struct Policy(Vec<(String, Vec<String>)>);

impl Policy {
    fn parse(header: &str) -> Self {
        let directives = header
            .split(';')
            .filter_map(|d| {
                let mut words = d.split_ascii_whitespace();
                let name = words.next()?.to_ascii_lowercase();
                Some((name, words.map(str::to_string).collect()))
            })
            .collect();
        Policy(directives)
    }

    /// Whether inline code with `text` runs under the first of `directives` the policy has (the fallback chain):
    /// `'unsafe-inline'` counts only with no hash, nonce or `'strict-dynamic'` beside it; a hash of the text counts
    /// for a script, and for a handler only with `'unsafe-hashes'`. No directive of the chain: nothing is blocked.
    fn allows_inline(&self, directives: &[&str], text: &str, attribute: bool) -> bool {
        let Some((_, sources)) = directives.iter().find_map(|d| self.0.iter().find(|(name, _)| name == d)) else {
            return true;
        };
        let lower: Vec<String> = sources.iter().map(|s| s.to_ascii_lowercase()).collect();
        let has = |s: &str| lower.iter().any(|l| l == s);
        let hashed_or_nonced = lower.iter().any(|s| s.starts_with("'sha") || s.starts_with("'nonce-"));
        if has("'unsafe-inline'") && !hashed_or_nonced && !has("'strict-dynamic'") {
            return true;
        }
        (!attribute || has("'unsafe-hashes'")) && sources.iter().any(|s| *s == inline_hash(text))
    }
}

/// The inline scripts (their text as sent) and inline event handlers (`(name, value)`) of an HTML page, as a
/// browser's parser meets them: comments skipped, the raw text of `<style>`, `<textarea>` and `<title>` not read as
/// markup, the body of a `<script>` that holds a client-side template (`type="text/x-template"`, ...) read as the
/// markup it will become, and the document of an iframe's `srcdoc` (which runs under the page's policy) read too.
fn inline_code(html: &str) -> (Vec<String>, Vec<(String, String)>) {
    let (mut scripts, mut handlers) = (Vec::new(), Vec::new());
    let lower = html.to_ascii_lowercase();
    let mut i = 0;
    while let Some(at) = html[i..].find('<').map(|p| p + i) {
        if lower[at..].starts_with("<!--") {
            i = lower[at..].find("-->").map_or(html.len(), |e| at + e + 3);
            continue;
        }
        let name_end =
            at + 1 + html[at + 1..].find(|c: char| c.is_ascii_whitespace() || c == '>' || c == '/').unwrap_or(0);
        let name = lower[at + 1..name_end].to_string();
        if name.is_empty() || !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
            i = at + 1;
            continue;
        }
        let (attrs, tag_end) = attributes(html, name_end);
        for (attr, value) in &attrs {
            if attr.starts_with("on") && attr.len() > 2 {
                handlers.push((attr.clone(), value.clone()));
            }
        }
        if name == "iframe" {
            if let Some((_, doc)) = attrs.iter().find(|(a, _)| a == "srcdoc") {
                let (more_scripts, more_handlers) = inline_code(doc);
                scripts.extend(more_scripts);
                handlers.extend(more_handlers);
            }
        }
        i = tag_end;
        if matches!(name.as_str(), "script" | "style" | "textarea" | "title") {
            let close = format!("</{name}");
            let end = lower[tag_end..].find(&close).map_or(html.len(), |e| tag_end + e);
            let text = &html[tag_end..end];
            let attr = |n: &str| attrs.iter().find(|(a, _)| a == n).map(|(_, v)| v.trim().to_ascii_lowercase());
            if name == "script" && attr("src").is_none() {
                let kind = attr("type").unwrap_or_default();
                let essence = kind.split(';').next().unwrap_or("").trim().to_string();
                let executable = essence.is_empty()
                    || matches!(essence.as_str(), "module" | "importmap" | "speculationrules")
                    || (essence.contains("javascript") || essence.contains("ecmascript") || essence == "text/jscript");
                if executable {
                    scripts.push(text.to_string());
                } else if !essence.contains("json") {
                    let (_, more_handlers) = inline_code(text);
                    handlers.extend(more_handlers);
                }
            }
            i = end;
        }
    }
    (scripts, handlers)
}

/// The attributes of the tag whose name ends at `from` (names lower-cased, values with character references
/// decoded), and the offset after its `>`.
fn attributes(html: &str, from: usize) -> (Vec<(String, String)>, usize) {
    let b = html.as_bytes();
    let mut attrs = Vec::new();
    let mut i = from;
    loop {
        while i < b.len() && (b[i].is_ascii_whitespace() || b[i] == b'/') {
            i += 1;
        }
        if i >= b.len() {
            return (attrs, b.len());
        }
        if b[i] == b'>' {
            return (attrs, i + 1);
        }
        // (A name may start with `=`; it ends at whitespace, `/`, `>` or `=`.)
        let start = i;
        i += 1;
        while i < b.len() && !(b[i].is_ascii_whitespace() || matches!(b[i], b'/' | b'>' | b'=')) {
            i += 1;
        }
        let name = html[start..i].to_ascii_lowercase();
        let mut j = i;
        while j < b.len() && b[j].is_ascii_whitespace() {
            j += 1;
        }
        let mut value = String::new();
        if b.get(j) == Some(&b'=') {
            j += 1;
            while j < b.len() && b[j].is_ascii_whitespace() {
                j += 1;
            }
            let (start, end, next) = match b.get(j) {
                Some(&q @ (b'"' | b'\'')) => {
                    let end = html[j + 1..].find(q as char).map_or(b.len(), |e| j + 1 + e);
                    (j + 1, end, (end + 1).min(b.len()))
                }
                _ => {
                    let end = html[j..].find(|c: char| c.is_ascii_whitespace() || c == '>').map_or(b.len(), |e| j + e);
                    (j, end, end)
                }
            };
            value = decode_references(&html[start..end]);
            i = next;
        }
        attrs.push((name, value));
    }
}

/// An attribute value with the character references pages use decoded (`&quot;`, `&#39;`, `&#x27;`, `&amp;`, ...).
fn decode_references(value: &str) -> String {
    let mut out = String::new();
    let mut rest = value;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let named = [("&quot;", '"'), ("&apos;", '\''), ("&amp;", '&'), ("&lt;", '<'), ("&gt;", '>')];
        if let Some((entity, c)) = named.iter().find(|(e, _)| rest.starts_with(e)) {
            out.push(*c);
            rest = &rest[entity.len()..];
        } else if let Some(end) = rest.find(';').filter(|_| rest.starts_with("&#")) {
            let number = &rest[2..end];
            let code = match number.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16),
                None => number.parse(),
            };
            match code.ok().and_then(char::from_u32) {
                Some(c) => out.push(c),
                None => out.push_str(&rest[..=end]),
            }
            rest = &rest[end + 1..];
        } else {
            out.push('&');
            rest = &rest[1..];
        }
    }
    out.push_str(rest);
    out
}

/// The text of `<p id="{id}">` in a DOM.
fn text_of<'a>(dom: &'a str, id: &str) -> Option<&'a str> {
    let open = format!("<p id=\"{id}\">");
    let start = dom.find(&open)? + open.len();
    Some(&dom[start..start + dom[start..].find("</p>")?])
}

/// A page's CSP and DOM from `load`, loaded again while `unfinished` says something expected to run still shows its
/// initial "no", at most three loads in all. (A frame, a worker or an API call answers in real time, which the
/// browser's virtual time does not wait for: on a busy machine the page can be dumped before they do. Any other
/// difference is for the caller to fail on at once.)
fn load_until_done(load: impl Fn() -> (String, String), unfinished: impl Fn(&str) -> bool) -> (String, String) {
    let (mut csp, mut dom) = load();
    for _ in 0..2 {
        if !unfinished(&dom) {
            break;
        }
        (csp, dom) = load();
    }
    (csp, dom)
}

/// Loads `page` served as before the change, as after it and under helmet's default policy (what the tool used to
/// write). Each `(id, text)` of `ran` is what the page's inline code writes into `<p id>` (which says `no` until
/// then): before and after the change it is there (the response after it carrying each of `csp_has` and helmet's
/// `default-src 'self'`), and under the default policy none of it runs.
fn check_page(app: &Path, page: &str, ran: &[(&str, &str)], csp_has: &[&str]) {
    let expect = |server: &str, runs: bool| {
        let (csp, dom) = load(app, server, page);
        for (id, text) in ran {
            let want = if runs { *text } else { "no" };
            assert_eq!(text_of(&dom, id), Some(want), "#{id} of {page} served by {server} (CSP: {csp}): {dom}");
        }
        csp
    };
    expect("server.before.js", true);
    let csp = expect("server.js", true);
    for part in csp_has.iter().chain(&["default-src 'self'"]) {
        assert!(csp.contains(part), "{page}: {csp}");
    }
    expect("server.default.js", false);
}

/// Runs the tool on the app, installs it, and returns the fixed server.js. The original is kept as server.before.js,
/// written after the run (before it, the tool would fix that copy too).
fn fix_and_install(app: &Path) -> String {
    let original = std::fs::read_to_string(app.join("server.js")).expect("read the original");
    let out = express_harden(app, &["--write", "--allow-no-vcs", "--only", "helmet", "--color", "never"]);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", String::from_utf8_lossy(&out.stderr));
    std::fs::write(app.join("server.before.js"), original).expect("keep the original");
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
    // Fixed inline scripts (two in static HTML, one in an iframe's srcdoc, one in a string the code sends) are allowed
    // by their hashes, the handlers by script-src-attr; no 'unsafe-inline' for scripts.
    assert_eq!(fixed.matches("'sha256-").count(), 4, "{fixed}");
    assert!(fixed.contains("scriptSrcAttr: [\"'unsafe-inline'\"]"), "{fixed}");
    assert!(!fixed.contains("scriptSrc: [\"'self'\", \"'unsafe-inline'\""), "{fixed}");
    with_default_policy(&app, &fixed);

    for page in ["/", "/built"] {
        let ran = [("script", "yes"), ("handler", "yes")];
        check_page(&app, page, &ran, &["script-src 'self' 'sha256-", "script-src-attr 'unsafe-inline'"]);
    }
    // A `javascript:void(0)` link whose handler does the work (a menu) needs no 'unsafe-inline' for scripts (asserted
    // above): its handler runs under the written policy, and not under helmet's default.
    check_page(&app, "/", &[("menu", "yes")], &["script-src-attr 'unsafe-inline'"]);
    // The script of an iframe's srcdoc runs under the page's policy: its hash lets it run.
    check_page(&app, "/srcdoc.html", &[("srcdoc", "yes")], &["script-src 'self' 'sha256-"]);

    // The app sets X-Frame-Options itself unless embedding is allowed: helmet leaves framing to it, where its default
    // (X-Frame-Options SAMEORIGIN, frame-ancestors 'self' on every response) would forbid the embedding allowed.
    assert!(fixed.contains("frameAncestors: null"), "{fixed}");
    assert!(fixed.contains("xFrameOptions: false"), "{fixed}");
    let headers = |server: &str, env: &[(&str, &str)]| {
        let node = start_node(&app, server, env);
        let response = get(node.port, "/", &[]);
        let csp = response.header("content-security-policy").unwrap_or_default().to_string();
        (response.header("x-frame-options").map(str::to_string), csp.contains("frame-ancestors"))
    };
    let allowed = [("ALLOW_EMBEDDING", "true")];
    assert_eq!(headers("server.before.js", &allowed), (None, false));
    assert_eq!(headers("server.js", &allowed), (None, false));
    assert_eq!(headers("server.js", &[]), (Some("SAMEORIGIN".to_string()), false));
    assert_eq!(headers("server.default.js", &allowed), (Some("SAMEORIGIN".to_string()), true));
}

#[test]
fn a_script_carrying_request_data_and_a_javascript_url_still_run_under_the_written_policy() {
    let (_tmp, app) = copy_app("csp-templated-app");
    let fixed = fix_and_install(&app);
    // Its text changes with each request, and a javascript: URL is checked against script-src: no hash can allow
    // them, and a hash would switch 'unsafe-inline' off.
    assert!(fixed.contains("scriptSrc: [\"'self'\", \"'unsafe-inline'\"]"), "{fixed}");
    assert!(!fixed.contains("'sha256-"), "{fixed}");
    with_default_policy(&app, &fixed);

    let ran = [("script", "hello Ada"), ("handler", "bye Ada"), ("link", "followed")];
    check_page(&app, "/?name=Ada", &ran, &["script-src 'self' 'unsafe-inline';"]);
}

/// Replaces `THIRD_PARTY` in the app's views and scripts with the other site's origin (known once it listens).
fn point_at(app: &Path, origin: &str) {
    for dir in ["views", "public/js"] {
        for entry in std::fs::read_dir(app.join(dir)).expect("read_dir") {
            let path = entry.expect("entry").path();
            let text = std::fs::read_to_string(&path).expect("read");
            std::fs::write(&path, text.replace("THIRD_PARTY", origin)).expect("write");
        }
    }
}

#[test]
fn trimmed_views_runtime_cdn_frames_apis_forms_and_embedded_badges_still_work_under_the_written_policy() {
    // Another site, on its own origin: the CDN (named at run time by CDN_URL), the framed widget, the API, the payment
    // form's target and a page that shows the app's badge.
    let (_tmp_third, third) = copy_app("csp-third-party");
    let other = start_node(&third, "server.js", &[]);
    let origin = format!("http://localhost:{}", other.port);
    let (_tmp, app) = copy_app("csp-widgets-app");
    point_at(&app, &origin);
    let fixed = fix_and_install(&app);
    // The inline script EJS trims (rmWhitespace) is allowed by a hash of what EJS sends; the CDN's host is known only
    // at run time ('*', and connectSrc '*' too: a script from a host known only at run time may call home there,
    // which covers the API); the frame and the form's target by their origin; Cross-Origin-Resource-Policy
    // cross-origin for the badge the app serves with Access-Control-Allow-Origin: *. The docs' HTML, which the app
    // does not serve, adds nothing (its handler would have asked for scriptSrcAttr).
    assert!(!fixed.contains("'unsafe-inline'"), "{fixed}");
    assert!(!fixed.contains("scriptSrcAttr"), "{fixed}");
    for part in [
        "connectSrc: [\"'self'\", '*']".to_string(),
        format!("formAction: [\"'self'\", '{origin}']"),
        format!("frameSrc: [\"'self'\", '{origin}']"),
        "crossOriginResourcePolicy: { policy: 'cross-origin' }".to_string(),
    ] {
        assert!(fixed.contains(&part), "{part}: {fixed}");
    }
    with_default_policy(&app, &fixed);

    let env = [("CDN_URL", origin.as_str())];
    let page = |server: &str, path: &str| {
        let node = start_node(&app, server, &env);
        let csp = csp_of(node.port, server, path);
        (csp, dump_dom(&format!("http://127.0.0.1:{}{path}", node.port)))
    };
    let badge = |server: &str| {
        let node = start_node(&app, server, &env);
        dump_dom(&format!("{origin}/embed.html?app=http://127.0.0.1:{}", node.port))
    };
    let ids = ["trimmed", "cdn", "frame", "api"];
    for (server, runs) in [("server.before.js", true), ("server.js", true), ("server.default.js", false)] {
        let want = |yes: &'static str| if runs { "yes" } else { yes };
        // (The framed widget of the other origin answers in real time.)
        let (csp, dom) =
            load_until_done(|| page(server, "/"), |dom| runs && ids.iter().any(|id| text_of(dom, id) == Some("no")));
        for id in ids {
            assert_eq!(text_of(&dom, id), Some(want("no")), "#{id} served by {server} (CSP: {csp}): {dom}");
        }
        // The checkout page posts its form to the other site at once: the other site counts what it receives.
        let paid = || {
            let body = get(other.port, "/paid", &[]).body;
            body.trim().parse::<u32>().unwrap_or_else(|_| panic!("a count: {body:?}"))
        };
        let before = paid();
        let (csp, _) = page(server, "/checkout");
        let deadline = Instant::now() + Duration::from_secs(if runs { 10 } else { 2 });
        while paid() == before && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(100));
        }
        assert_eq!(paid() > before, runs, "the form posted by the page {server} served (CSP: {csp})");
        let dom = badge(server);
        assert_eq!(text_of(&dom, "badge"), Some(want("blocked")), "the badge served by {server}: {dom}");
    }
}

/// A copy of the fixed server without the directives named in `names` (each `name: [...]` of the written policy).
fn without_directives(app: &Path, fixed: &str, names: &[&str], file: &str) {
    let mut text = fixed.to_string();
    for name in names {
        let start = text.find(&format!("{name}: [")).unwrap_or_else(|| panic!("{name} in {fixed}"));
        let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
        let end = start + text[start..].find(']').expect("end of the list") + 1;
        let end = if text[end..].starts_with(',') { end + 1 } else { end };
        let end = end + text[end..].find('\n').map_or(0, |i| i + 1);
        text.replace_range(line_start..end, "");
    }
    std::fs::write(app.join(file), text).expect("write");
}

/// A widget vendor's site over HTTPS (tests/e2e/csp-vendor, with a self-signed certificate made here) that the browser
/// reaches under the vendor's names; with the folder it runs from.
fn start_vendor(certs: &Path) -> (tempfile::TempDir, Service) {
    start_https("csp-vendor", certs, "js.stripe.com", &[])
}

/// Starts the HTTPS server of the test app `name` with a self-signed certificate for `name_in_cert`, made in `certs`,
/// and the environment `env`; with the folder it runs from.
fn start_https(name: &str, certs: &Path, name_in_cert: &str, env: &[(&str, &str)]) -> (tempfile::TempDir, Service) {
    let (key, cert) = (certs.join("key.pem"), certs.join("cert.pem"));
    let openssl = Command::new(which("openssl"))
        .args(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj"])
        .arg(format!("/CN={name_in_cert}"))
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output()
        .expect("run openssl");
    assert!(openssl.status.success(), "openssl: {}", String::from_utf8_lossy(&openssl.stderr));
    let (tmp, dir) = copy_app(name);
    let tls = [("TLS_KEY", key.display().to_string()), ("TLS_CERT", cert.display().to_string())];
    let env: Vec<(&str, &str)> = tls.iter().map(|(k, v)| (*k, v.as_str())).chain(env.iter().copied()).collect();
    (tmp, start_node(&dir, "server.js", &env))
}

/// `fixed` with `from` replaced by `to` in the list of the directive `name` only.
fn in_directive(fixed: &str, name: &str, from: &str, to: &str) -> String {
    let start = fixed.find(&format!("{name}: [")).unwrap_or_else(|| panic!("{name} in {fixed}"));
    let end = start + fixed[start..].find(']').expect("end of the list");
    let list = fixed[start..end].replacen(from, to, 1);
    assert_ne!(list, fixed[start..end], "{from} in {name}: {fixed}");
    format!("{}{list}{}", &fixed[..start], &fixed[end..])
}

#[test]
fn a_payment_widget_string_evaluation_a_blob_worker_and_plain_http_still_work_under_the_written_policy() {
    let (_tmp, app) = copy_app("csp-browser-app");
    let fixed = fix_and_install(&app);
    // Stripe.js's frame and API hosts (from the widget table), 'unsafe-eval' for the page that compiles templates with
    // new Function, blob: workers, and no upgrade-insecure-requests: nothing says the app is served over HTTPS.
    for part in [
        "connectSrc: [\"'self'\", 'https://api.stripe.com']",
        "'https://hooks.stripe.com'",
        "scriptSrc: [\"'self'\", \"'unsafe-eval'\", 'https://js.stripe.com']",
        "workerSrc: [\"'self'\", 'blob:']",
        "upgradeInsecureRequests: null",
    ] {
        assert!(fixed.contains(part), "{part}: {fixed}");
    }
    // The written policy without each change: without the widget's hosts (Stripe.js runs, its frame and API call do
    // not), without 'unsafe-eval', without workerSrc.
    without_directives(&app, &fixed, &["connectSrc", "frameSrc"], "server.nowidget.js");
    without_directives(&app, &fixed, &["workerSrc"], "server.noworker.js");
    std::fs::write(app.join("server.noeval.js"), fixed.replace(", \"'unsafe-eval'\"", "")).expect("write");
    // ... and without upgradeInsecureRequests: null, the tool's old policy for a plain-HTTP app.
    std::fs::write(app.join("server.upgrade.js"), fixed.replace("      upgradeInsecureRequests: null\n", ""))
        .expect("write");
    let upgrade = std::fs::read_to_string(app.join("server.upgrade.js")).expect("read");
    assert!(!upgrade.contains("upgradeInsecureRequests"), "{upgrade}");

    let certs = tempfile::tempdir().expect("certs dir");
    let (_vendor_dir, vendor) = start_vendor(certs.path());
    // The browser opens the app at a name of the home network (not localhost, which browsers treat as secure and never
    // upgrade), and reaches the vendor as js.stripe.com and api.stripe.com.
    let rules = format!(
        "--host-resolver-rules=MAP dashboard.lan 127.0.0.1, MAP js.stripe.com 127.0.0.1:{0}, MAP api.stripe.com \
         127.0.0.1:{0}, MAP hooks.stripe.com 127.0.0.1:{0}",
        vendor.port
    );
    let flags = [rules.as_str(), "--ignore-certificate-errors"];
    let page = |server: &str, path: &str| {
        let node = start_node(&app, server, &[]);
        let csp = csp_of(node.port, server, path);
        (csp, dump_dom_with(&format!("http://dashboard.lan:{}{path}", node.port), &flags))
    };
    let check = |server: &str, path: &str, want: &[(&str, &str)]| {
        // A worker, a frame and an API call answer in real time. (The worker page keeps a request to its own server
        // under way until its worker answers, which holds virtual time: three loads in a row were not enough on a busy
        // CI machine.)
        let unfinished = |dom: &str| want.iter().any(|(id, text)| *text != "no" && text_of(dom, id) == Some("no"));
        let (csp, dom) = load_until_done(|| page(server, path), unfinished);
        for (id, text) in want {
            assert_eq!(text_of(&dom, id), Some(*text), "#{id} of {path} served by {server} (CSP: {csp}): {dom}");
        }
    };
    for server in ["server.before.js", "server.js"] {
        check(server, "/", &[("home", "yes")]);
        check(server, "/checkout.html", &[("script", "yes"), ("frame", "yes"), ("api", "yes")]);
        check(server, "/eval.html", &[("function", "yes"), ("timer", "yes")]);
        check(server, "/worker.html", &[("worker", "yes")]);
    }
    // What breaks without each change: helmet's upgrade-insecure-requests sends the page's own script to https://,
    // where nothing answers; without the widget's hosts its frame and API call are blocked; without 'unsafe-eval' the
    // string evaluation, without workerSrc the blob: worker.
    check("server.upgrade.js", "/", &[("home", "no")]);
    check("server.nowidget.js", "/checkout.html", &[("script", "yes"), ("frame", "no"), ("api", "blocked")]);
    check("server.noeval.js", "/eval.html", &[("function", "blocked"), ("timer", "no")]);
    let (csp, dom) = page("server.noworker.js", "/worker.html");
    assert_ne!(text_of(&dom, "worker"), Some("yes"), "the blob: worker without workerSrc (CSP: {csp}): {dom}");
}

/// unpkg.com (and the other CDNs the browser is told to reach it by): a CDN over HTTPS that serves the files of the
/// Leaflet installed in `app`.
fn start_leaflet_cdn(app: &Path, certs: &Path) -> (tempfile::TempDir, Service) {
    let leaflet = app.join("node_modules/leaflet/dist").display().to_string();
    start_https("csp-cdn", certs, "unpkg.com", &[("CDN_ROOT", &leaflet)])
}

/// Loads `path` of `app` served by `server` in Chromium (with `flags`) and checks that its `<p id>` says `yes`, or,
/// where it must not (`runs` false), anything else.
fn check_shown(app: &Path, flags: &[&str], server: &str, page: (&str, &str), runs: bool) {
    check_shown_with(app, flags, &[], server, page, runs);
}

/// [`check_shown`] with the server started with the environment `env`.
fn check_shown_with(
    app: &Path,
    flags: &[&str],
    env: &[(&str, &str)],
    server: &str,
    (path, id): (&str, &str),
    runs: bool,
) {
    let page = || {
        let node = start_node(app, server, env);
        let csp = csp_of(node.port, server, path);
        (csp, dump_dom_with(&format!("http://127.0.0.1:{}{path}", node.port), flags))
    };
    // (Tiles and media answer in real time, which the browser's virtual time does not wait for: a page still showing
    // "no" where "yes" is expected is loaded again, at most three times. Likewise a page that says "yes" where it must
    // not: on a loaded machine a violation may come after the page's own one-second wait.)
    let (mut csp, mut dom) = page();
    for _ in 0..2 {
        let retry = if runs { text_of(&dom, id) == Some("no") } else { text_of(&dom, id) == Some("yes") };
        if !retry {
            break;
        }
        (csp, dom) = page();
    }
    let shown = text_of(&dom, id);
    assert_eq!(shown == Some("yes"), runs, "#{id} of {path} served by {server} (CSP: {csp}): {dom}");
}

#[test]
fn map_tiles_an_object_an_object_url_preview_and_a_bundled_alpine_still_work_under_the_written_policy() {
    // The tile server, on its own origin, which the browser reaches as a.tiles.lan and b.tiles.lan (Leaflet's `{s}`),
    // and as wms.lan for the WMS layer (any path answers with an image).
    let (_tmp_tiles, tiles) = copy_app("csp-tiles");
    let tile_server = start_node(&tiles, "server.js", &[]);
    let (_tmp, app) = copy_app("csp-media-app");
    for (file, placeholder, url) in [
        ("public/js/map.js", "TILES", format!("http://{{s}}.tiles.lan:{}", tile_server.port)),
        ("public/js/wms.js", "WMS", format!("http://wms.lan:{}", tile_server.port)),
    ] {
        let text = std::fs::read_to_string(app.join(file)).expect("read the map script");
        std::fs::write(app.join(file), text.replace(placeholder, &url)).expect("write the map script");
    }
    let fixed = fix_and_install(&app);
    // The tile template's host as a wildcard and the WMS service's host, blob: for the previews (an image, a frame, an
    // object), the CDN that serves Leaflet's stylesheet for the markers' default icon, 'self' for the app's own
    // <object>, and 'unsafe-eval' for Alpine, which only package.json names (its bundle is minified).
    let (tile_host, wms_host) =
        (format!("'http://*.tiles.lan:{}'", tile_server.port), format!("'http://wms.lan:{}'", tile_server.port));
    for part in [
        format!("imgSrc: [\n        \"'self'\",\n        'data:',\n        'blob:',\n        {tile_host},\n        {wms_host},"),
        "        'https://unpkg.com'\n      ],".to_string(),
        "frameSrc: [\"'self'\", 'blob:']".to_string(),
        "objectSrc: [\"'self'\", 'blob:']".to_string(),
        "scriptSrc: [\"'self'\", \"'unsafe-eval'\", 'https://unpkg.com']".to_string(),
    ] {
        assert!(fixed.contains(&part), "{part}: {fixed}");
    }
    // The written policy without each of those (a host replaced by one that serves nothing).
    let elsewhere = "'https://elsewhere.invalid'";
    std::fs::write(app.join("server.notiles.js"), in_directive(&fixed, "imgSrc", &tile_host, elsewhere))
        .expect("write");
    std::fs::write(app.join("server.nowms.js"), in_directive(&fixed, "imgSrc", &wms_host, elsewhere)).expect("write");
    let no_icons = in_directive(&fixed, "imgSrc", "'https://unpkg.com'", elsewhere);
    std::fs::write(app.join("server.noicons.js"), no_icons).expect("write");
    std::fs::write(app.join("server.noblob.js"), fixed.replace(", 'blob:'", "").replace("'blob:',", ""))
        .expect("write");
    without_directives(&app, &fixed, &["objectSrc"], "server.noobject.js");
    std::fs::write(app.join("server.noeval.js"), fixed.replace(", \"'unsafe-eval'\"", "")).expect("write");
    for (file, gone) in [
        ("server.notiles.js", "tiles.lan"),
        ("server.nowms.js", "wms.lan"),
        ("server.noblob.js", "blob:"),
        ("server.noobject.js", "objectSrc"),
        ("server.noeval.js", "unsafe-eval"),
    ] {
        let text = std::fs::read_to_string(app.join(file)).expect("read");
        assert!(!text.contains(gone), "{file}: {text}");
    }
    let no_icons = std::fs::read_to_string(app.join("server.noicons.js")).expect("read");
    assert!(no_icons.contains("scriptSrc: [\"'self'\", \"'unsafe-eval'\", 'https://unpkg.com']"), "{no_icons}");

    let certs = tempfile::tempdir().expect("certs dir");
    let (_cdn_dir, cdn) = start_leaflet_cdn(&app, certs.path());
    let rules = format!(
        "--host-resolver-rules=MAP *.tiles.lan 127.0.0.1, MAP wms.lan 127.0.0.1, MAP unpkg.com 127.0.0.1:{}",
        cdn.port
    );
    let flags = [rules.as_str(), "--ignore-certificate-errors"];
    let check = |server: &str, path: &str, id: &str, runs: bool| check_shown(&app, &flags, server, (path, id), runs);
    let pages = [
        ("/map.html", "tiles"),
        ("/wms.html", "wms"),
        ("/marker.html", "marker"),
        ("/object.html", "object"),
        ("/preview.html", "preview-status"),
        ("/blobs.html", "attr"),
        ("/blobs.html", "frame"),
        ("/blobs.html", "blob-object"),
        ("/alpine.html", "alpine"),
    ];
    for server in ["server.before.js", "server.js"] {
        for (path, id) in pages {
            check(server, path, id, true);
        }
    }
    check("server.notiles.js", "/map.html", "tiles", false);
    check("server.nowms.js", "/wms.html", "wms", false);
    check("server.noicons.js", "/marker.html", "marker", false);
    check("server.noobject.js", "/object.html", "object", false);
    check("server.noblob.js", "/preview.html", "preview-status", false);
    for id in ["attr", "frame", "blob-object"] {
        check("server.noblob.js", "/blobs.html", id, false);
    }
    check("server.noeval.js", "/alpine.html", "alpine", false);
}

#[test]
fn vue_s_full_build_chosen_by_the_bundler_s_alias_still_compiles_templates_under_the_written_policy() {
    // webpack.config.js aliases vue to its full build (the bundle: Vue's own full build and the entry's code), whose
    // compiler turns the page's in-DOM template into a render function with new Function: nothing but the config
    // says so, and 'unsafe-eval' is what keeps the template rendering.
    let (_tmp, app) = copy_app("csp-vue-app");
    vue_template_compiles_only_with_unsafe_eval(&app);
}

/// Fixes and installs the Vue app `app`, whose bundle compiles the page's in-DOM template: the written policy allows
/// 'unsafe-eval', and the template renders before the change and under the written policy, not without it.
fn vue_template_compiles_only_with_unsafe_eval(app: &Path) {
    let fixed = fix_and_install(app);
    assert!(fixed.contains("scriptSrc: [\"'self'\", \"'unsafe-eval'\"]"), "{fixed}");
    std::fs::write(app.join("server.noeval.js"), fixed.replace(", \"'unsafe-eval'\"", "")).expect("write");
    for (server, renders) in [("server.before.js", true), ("server.js", true), ("server.noeval.js", false)] {
        let (csp, dom) = load(app, server, "/");
        // (A template Vue cannot compile is replaced by an empty comment: no #vue at all.)
        assert_eq!(text_of(&dom, "vue") == Some("yes"), renders, "#vue served by {server} (CSP: {csp}): {dom}");
        assert_eq!(csp.contains("script-src 'self' 'unsafe-eval'"), server == "server.js", "{server}: {csp}");
    }
}

#[test]
fn raw_html_of_a_pug_view_still_shows_its_object_and_object_url_preview_under_the_written_policy() {
    // Pug passes the view's raw HTML lines through: the app's own SVG in an <object> and an inline script that shows an
    // image from an object URL, which need objectSrc 'self' and imgSrc blob: as the same HTML in an HTML view does.
    // That script (on one line of raw HTML) and the view's `script.` block are allowed by the hashes of their text as
    // Pug sends it (the guard checks them on the page), with no 'unsafe-inline' for scripts. The row kept in a
    // `script(type='text/x-template')` holds a button whose inline handler runs once the page's script copies the row
    // into the list and clicks it: scriptSrcAttr allows it, and helmet's `script-src-attr 'none'` would not.
    let (_tmp, app) = copy_app("csp-pug-app");
    let fixed = fix_and_install(&app);
    assert_eq!(fixed.matches("'sha256-").count(), 2, "{fixed}");
    assert!(fixed.contains("scriptSrcAttr: [\"'unsafe-inline'\"]"), "{fixed}");
    assert_eq!(fixed.matches("'unsafe-inline'").count(), 1, "{fixed}");
    for part in ["imgSrc: [\"'self'\", 'data:', 'blob:']", "objectSrc: [\"'self'\"]"] {
        assert!(fixed.contains(part), "{part}: {fixed}");
    }
    std::fs::write(app.join("server.noblob.js"), fixed.replace(", 'blob:'", "")).expect("write");
    without_directives(&app, &fixed, &["objectSrc"], "server.noobject.js");
    without_directives(&app, &fixed, &["scriptSrcAttr"], "server.noattr.js");
    let shown = |server: &str, id: &str| {
        let (csp, dom) = load(&app, server, "/");
        (text_of(&dom, id) == Some("yes"), format!("#{id} served by {server} (CSP: {csp}): {dom}"))
    };
    for server in ["server.before.js", "server.js"] {
        for id in ["object", "preview-status", "block", "template"] {
            let (yes, what) = shown(server, id);
            assert!(yes, "{what}");
        }
    }
    for (server, id) in
        [("server.noobject.js", "object"), ("server.noblob.js", "preview-status"), ("server.noattr.js", "template")]
    {
        let (yes, what) = shown(server, id);
        assert!(!yes, "{what}");
    }
}

/// The same Pug app rendering with `pretty` on in development (the environment Chromium's server runs in): Pug then
/// sends the view's `script.` block of several lines re-indented, so the written policy allows scripts by
/// `'unsafe-inline'` instead of the hashes of their text as written, and the block runs; the policy written without
/// `pretty` (those hashes) blocks it on the same pages.
#[test]
fn a_pug_script_block_re_indented_by_pretty_still_runs_under_the_written_policy() {
    let (_tmp, app) = copy_app("csp-pug-app");
    let original = std::fs::read_to_string(app.join("server.js")).expect("read");
    let hashed = fix_and_install(&app);
    assert_eq!(hashed.matches("'sha256-").count(), 2, "{hashed}");
    // The app as it was, with pretty on in development; run again (the copy of the original is removed first: it
    // would be an app of the project).
    let set = "app.set('view engine', 'pug');\n";
    assert!(original.contains(set), "{original}");
    let pretty = original.replace(set, &format!("{set}app.locals.pretty = app.get('env') === 'development';\n"));
    std::fs::write(app.join("server.js"), &pretty).expect("write");
    std::fs::remove_file(app.join("server.before.js")).expect("remove the copy of the original");
    let out = express_harden(&app, &["--write", "--allow-no-vcs", "--only", "helmet", "--color", "never"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("Pug's pretty option is set at server.js:9"), "{stderr}");
    let fixed = std::fs::read_to_string(app.join("server.js")).expect("read");
    assert!(fixed.contains("scriptSrc: [\"'self'\", \"'unsafe-inline'\"]"), "{fixed}");
    assert!(!fixed.contains("'sha256-"), "{fixed}");
    std::fs::write(app.join("server.before.js"), &pretty).expect("keep the original");
    // (The policy written without pretty, in this server.)
    let helmet_call = |text: &str| {
        let start = text.find("app.use(helmet({").expect("helmet with options");
        (start, start + text[start..].find("}));\n").expect("end of the helmet call"))
    };
    let ((start, end), (h_start, h_end)) = (helmet_call(&fixed), helmet_call(&hashed));
    let other = format!("{}{}{}", &fixed[..start], &hashed[h_start..h_end], &fixed[end..]);
    std::fs::write(app.join("server.hashed.js"), other).expect("write");
    for (server, runs) in [("server.before.js", true), ("server.js", true), ("server.hashed.js", false)] {
        let (csp, dom) = load(&app, server, "/");
        assert_eq!(text_of(&dom, "block") == Some("yes"), runs, "#block served by {server} (CSP: {csp}): {dom}");
    }
}

#[test]
fn marker_icons_from_cdns_named_otherwise_and_object_urls_in_elements_found_by_id_still_show_under_the_written_policy()
{
    let (_tmp, app) = copy_app("csp-media-app");
    // Only this test's pages (and no other page's scripts), so that each source written below is theirs alone.
    // (marker.js stays: marker-import.html runs it.)
    for file in ["map", "wms", "marker", "object", "preview", "blobs", "alpine"] {
        std::fs::remove_file(app.join(format!("public/{file}.html"))).expect("remove another test's page");
    }
    for file in ["map", "wms", "object", "preview", "blobs"] {
        std::fs::remove_file(app.join(format!("public/js/{file}.js"))).expect("remove another test's script");
    }
    let fixed = fix_and_install(&app);
    // The CDNs of the markers' icons: the one Leaflet's stylesheet is @imported from by the site's own stylesheet,
    // the folder of L.Icon.Default.imagePath and an L.icon's iconUrl; blob: for the object URLs where their elements
    // (found by id in the page) need it: media-src for a <video> and a <source>, frame-src for an <iframe>, and not
    // img-src.
    for part in [
        "imgSrc: [\n        \"'self'\",\n        'data:',\n        'https://cdn.jsdelivr.net',\n        \
         'https://cdnjs.cloudflare.com',\n        'https://unpkg.com'\n      ],",
        "mediaSrc: [\"'self'\", 'blob:']",
        "frameSrc: [\"'self'\", 'blob:']",
    ] {
        assert!(fixed.contains(part), "{part}: {fixed}");
    }
    // The written policy without each of those (a source replaced by one that serves nothing).
    let elsewhere = "'https://elsewhere.invalid'";
    let without = [
        ("server.noimport.js", "imgSrc", "'https://unpkg.com'"),
        ("server.nopath.js", "imgSrc", "'https://cdn.jsdelivr.net'"),
        ("server.noicon.js", "imgSrc", "'https://cdnjs.cloudflare.com'"),
        ("server.nomedia.js", "mediaSrc", "'blob:'"),
        ("server.noframe.js", "frameSrc", "'blob:'"),
    ];
    for (file, name, source) in without {
        std::fs::write(app.join(file), in_directive(&fixed, name, source, elsewhere)).expect("write");
    }
    let certs = tempfile::tempdir().expect("certs dir");
    let (_cdn_dir, cdn) = start_leaflet_cdn(&app, certs.path());
    let rules = format!(
        "--host-resolver-rules=MAP unpkg.com 127.0.0.1:{0}, MAP cdn.jsdelivr.net 127.0.0.1:{0}, \
         MAP cdnjs.cloudflare.com 127.0.0.1:{0}",
        cdn.port
    );
    let flags = [rules.as_str(), "--ignore-certificate-errors"];
    let pages = [
        ("/marker-import.html", "marker"),
        ("/marker-path.html", "default-icon"),
        ("/marker-path.html", "own-icon"),
        ("/recording.html", "media"),
        ("/recording.html", "source"),
        ("/recording.html", "pane"),
    ];
    for server in ["server.before.js", "server.js"] {
        for page in pages {
            check_shown(&app, &flags, server, page, true);
        }
    }
    check_shown(&app, &flags, "server.noimport.js", pages[0], false);
    check_shown(&app, &flags, "server.nopath.js", pages[1], false);
    check_shown(&app, &flags, "server.noicon.js", pages[2], false);
    check_shown(&app, &flags, "server.nomedia.js", pages[3], false);
    check_shown(&app, &flags, "server.nomedia.js", pages[4], false);
    check_shown(&app, &flags, "server.noframe.js", pages[5], false);
}

#[test]
fn plugin_content_framed_object_urls_by_class_and_a_run_time_analytics_host_still_work_under_the_written_policy() {
    // A document and analytics host on its own origin (tests/e2e/csp-docs), which the browser reaches as docs.lan and
    // stats.lan: a PDF of it in an <object>, object URLs in an <embed> and an <object> the script makes, in an
    // <embed> it writes as HTML (not in the markup: inserted before its URL is set) and in an <iframe> it finds by
    // class in a variable named thumb; and a status page whose analytics script comes from a host that is a setting
    // and posts its events there. Chromium shows a PDF or a page in an <object>/<embed> in a nested frame, checked
    // against frame-src too.
    let (_tmp_docs, docs_dir) = copy_app("csp-docs");
    let docs = start_node(&docs_dir, "server.js", &[]);
    let (_tmp, app) = copy_app("csp-plugin-app");
    let page = app.join("public/object.html");
    let text = std::fs::read_to_string(&page).expect("read the page");
    std::fs::write(&page, text.replace("DOCS", &format!("http://docs.lan:{}", docs.port))).expect("write the page");
    let fixed = fix_and_install(&app);
    let docs_host = format!("'http://docs.lan:{}'", docs.port);
    for part in [
        format!("frameSrc: [\"'self'\", 'blob:', {docs_host}]"),
        format!("objectSrc: [\"'self'\", 'blob:', {docs_host}]"),
        "connectSrc: [\"'self'\", '*', 'blob:']".to_string(),
        "scriptSrc: [\"'self'\", '*']".to_string(),
    ] {
        assert!(fixed.contains(&part), "{part}: {fixed}");
    }
    // The written policy without each of those sources (replaced by one that serves nothing).
    let elsewhere = "'https://elsewhere.invalid'";
    let without = [
        ("server.noframehost.js", "frameSrc", docs_host.as_str()),
        ("server.noframeblob.js", "frameSrc", "'blob:'"),
        ("server.noobjectself.js", "objectSrc", "\"'self'\""),
        ("server.noconnect.js", "connectSrc", "'*'"),
    ];
    for (file, name, source) in without {
        std::fs::write(app.join(file), in_directive(&fixed, name, source, elsewhere)).expect("write");
    }
    let flags = ["--host-resolver-rules=MAP *.lan 127.0.0.1"];
    let analytics = format!("http://stats.lan:{}/js/script.js", docs.port);
    let env = [("ANALYTICS_URL", analytics.as_str())];
    let check = |server: &str, page: (&str, &str), runs: bool| check_shown_with(&app, &flags, &env, server, page, runs);
    let pages =
        [("/object.html", "object"), ("/embed.html", "embed"), ("/inner.html", "inner"), ("/thumb.html", "thumb")];
    let shown_by = ["server.before.js", "server.js"]
        .into_iter()
        .flat_map(|server| pages.into_iter().chain([("/status", "an")]).map(move |page| (server, page)));
    for (server, page) in shown_by {
        check(server, page, true);
    }
    // (Without the other host in frameSrc, its PDF; without blob: there, each object URL; without 'self' in
    // objectSrc, the <embed> written as HTML; without connectSrc '*', the analytics event.)
    check("server.noframehost.js", pages[0], false);
    for page in &pages[1..] {
        check("server.noframeblob.js", *page, false);
    }
    check("server.noobjectself.js", pages[2], false);
    check("server.noconnect.js", ("/status", "an"), false);
}

#[test]
fn urls_a_script_builds_on_the_page_s_origin_still_connect_under_the_written_policy() {
    // The page's script calls the app's API through a constant path, window.location.origin and `${location.origin}`,
    // and opens a WebSocket to `proto + location.host`: all on the app's origin, which connect-src 'self' (helmet's
    // default-src) covers, ws: included; the policy allows no other host.
    let (_tmp, app) = copy_app("csp-origin-app");
    let fixed = fix_and_install(&app);
    assert!(!fixed.contains("connectSrc"), "{fixed}");
    for server in ["server.before.js", "server.js"] {
        let (csp, dom) = load(&app, server, "/");
        for id in ["api", "origin", "template", "ws"] {
            assert_eq!(text_of(&dom, id), Some("yes"), "#{id} served by {server} (CSP: {csp}): {dom}");
        }
        assert_eq!(csp.contains("default-src 'self'"), server == "server.js", "{server}: {csp}");
    }
}

#[test]
fn vue_s_full_build_imported_by_the_source_beside_a_runtime_alias_still_compiles_templates_under_the_written_policy() {
    // The Vue app of the test above with the alias the other way: webpack.config.js aliases vue$ to the runtime-only
    // build and the source imports the full build by its path, which an exact alias (vue$) leaves alone. The committed
    // bundle is what webpack builds from both (Vue's full build and the entry), so the page's in-DOM template compiles
    // with new Function only where 'unsafe-eval' allows it.
    let (_tmp, app) = copy_app("csp-vue-app");
    let config = std::fs::read_to_string(app.join("webpack.config.js")).expect("read the config");
    let runtime = config.replace("vue/dist/vue.esm.js", "vue/dist/vue.runtime.esm.js");
    assert_ne!(runtime, config);
    std::fs::write(app.join("webpack.config.js"), runtime).expect("write the config");
    std::fs::write(
        app.join("src/main.js"),
        "import Vue from 'vue/dist/vue.esm.js';\n\nnew Vue({ el: '#app', data: { msg: 'yes' } });\n",
    )
    .expect("write the entry");
    vue_template_compiles_only_with_unsafe_eval(&app);
}
/// express-session's README form, `if (app.get('env') === 'production') { app.set('trust proxy', 1) }`: a trust proxy
/// set only in a branch is no proof of HTTPS, so the written policy leaves out upgrade-insecure-requests and the page
/// opened over plain HTTP at a name of the home network (in development, where the branch does not run) still loads
/// its own script; with upgrade-insecure-requests (what the tool wrote before) it does not.
#[test]
fn a_trust_proxy_set_only_in_production_keeps_a_plain_http_page_working() {
    let branch = "if (app.get('env') === 'production') {\n  app.set('trust proxy', 1); // trust first proxy\n}\n";
    plain_http_page_works_with(branch, &[]);
}

/// The same setting made by a helper the app calls only in a branch (an option off by default), in its own module
/// and in another (`require('./config/proxy')(app)` in production only): no proof of HTTPS either, and the page
/// opened over plain HTTP still loads its own script.
#[test]
fn a_trust_proxy_set_by_a_helper_called_only_in_a_branch_keeps_a_plain_http_page_working() {
    let helper = "function trustProxy(server) {\n  server.set('trust proxy', 1);\n}\nif (process.env.BEHIND_PROXY) trustProxy(app);\n";
    plain_http_page_works_with(helper, &[]);
    let module = "module.exports = function (app) {\n  app.enable('trust proxy');\n};\n";
    let call = "if (app.get('env') === 'production') {\n  require('./config/proxy')(app);\n}\n";
    plain_http_page_works_with(call, &[("config/proxy.js", module)]);
}

/// Adds `setting` to csp-browser-app's server.js right after its app is created (and writes `files`), fixes and
/// installs it, and loads its page over plain HTTP at a name of the home network: it runs its own script before and
/// after the change (the written policy has `upgradeInsecureRequests: null`), and not with upgrade-insecure-requests.
fn plain_http_page_works_with(setting: &str, files: &[(&str, &str)]) {
    let (_tmp, app) = copy_app("csp-browser-app");
    let original = std::fs::read_to_string(app.join("server.js")).expect("read");
    let anchor = "const app = express();\n";
    assert!(original.contains(anchor), "{original}");
    std::fs::write(app.join("server.js"), original.replacen(anchor, &format!("{anchor}{setting}"), 1)).expect("write");
    for (path, text) in files {
        let path = app.join(path);
        std::fs::create_dir_all(path.parent().expect("a folder")).expect("mkdir");
        std::fs::write(path, text).expect("write");
    }
    let fixed = fix_and_install(&app);
    assert!(fixed.contains(setting) && fixed.contains("upgradeInsecureRequests: null"), "{fixed}");
    let upgrade = fixed.replace("      upgradeInsecureRequests: null\n", "");
    assert!(!upgrade.contains("upgradeInsecureRequests"), "{upgrade}");
    std::fs::write(app.join("server.upgrade.js"), upgrade).expect("write");

    let flags = ["--host-resolver-rules=MAP dashboard.lan 127.0.0.1"];
    for (server, ran) in [("server.before.js", "yes"), ("server.js", "yes"), ("server.upgrade.js", "no")] {
        let node = start_node(&app, server, &[]);
        csp_of(node.port, server, "/");
        let dom = dump_dom_with(&format!("http://dashboard.lan:{}/", node.port), &flags);
        assert_eq!(text_of(&dom, "home"), Some(ran), "#home served by {server} ({setting}): {dom}");
    }
}

/// Writes `client/build` of the MERN app as `react-scripts build` 4 lays it out (INLINE_RUNTIME_CHUNK's default):
/// index.html with webpack's runtime inlined in a `<script>`, and the main chunk as a file that needs that runtime.
fn write_react_build(app: &Path) {
    let build = app.join("client/build");
    std::fs::create_dir_all(build.join("static/js")).expect("mkdir");
    let page = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"/><title>React App</title><script \
                defer=\"defer\" src=\"/static/js/main.3f1c2a9b.js\"></script></head><body><div id=\"root\"></div>\
                <script>!function(e){window.__RUNTIME_OK__=!0}([])</script></body></html>\n";
    std::fs::write(build.join("index.html"), page).expect("write index.html");
    std::fs::write(build.join("static/js/main.3f1c2a9b.js"), REACT_MAIN).expect("write the chunk");
}

/// The main chunk of the MERN app's build: it renders when webpack's runtime has run.
const REACT_MAIN: &str = "document.getElementById('root').innerHTML = window.__RUNTIME_OK__ ? '<p id=\"app\">app \
                          rendered</p>' : '<p id=\"app\">runtime missing</p>';\n";

/// Writes `client/build` as `react-scripts build` 5 lays it out: no runtime chunk, so index.html has no inline script
/// and the runtime is in the main chunk.
fn write_react_5_build(app: &Path) {
    let build = app.join("client/build");
    std::fs::create_dir_all(build.join("static/js")).expect("mkdir");
    let page = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"/><title>React App</title><script \
                defer=\"defer\" src=\"/static/js/main.3f1c2a9b.js\"></script></head><body><div id=\"root\"></div>\
                </body></html>\n";
    std::fs::write(build.join("index.html"), page).expect("write index.html");
    let main = format!("window.__RUNTIME_OK__ = !0;\n{REACT_MAIN}");
    std::fs::write(build.join("static/js/main.3f1c2a9b.js"), main).expect("write the chunk");
}

/// Loads the MERN app's page over plain HTTP at a name of the home network as each server sends it: `want` is what
/// the React app writes into `#app` (`None`: its bundle never ran).
fn check_react_app(app: &Path, servers: &[(&str, Option<&str>)]) {
    let flags = ["--host-resolver-rules=MAP shop.lan 127.0.0.1"];
    for (server, want) in servers {
        let node = start_node(app, server, &[]);
        csp_of(node.port, server, "/");
        let dom = dump_dom_with(&format!("http://shop.lan:{}/", node.port), &flags);
        assert_eq!(text_of(&dom, "app"), *want, "#app served by {server}: {dom}");
    }
}

/// The MERN layout: Express serves the build of its Create React App front end (`client/build`, which the walk leaves
/// out as build output), whose index.html carries webpack's runtime inline (react-scripts 4). Hardened before the build exists (a fresh
/// clone) and with a git-ignored build beside it (built here, at deploy time differently), the policy allows the
/// inline runtime ('unsafe-inline': its hash cannot be known ahead) and leaves out upgrade-insecure-requests, so the
/// app built afterwards still renders over plain HTTP; helmet's default policy blanks it. So it does with the build
/// folder named through a constant (a bare `helmet()` before: blank over plain HTTP). With the build committed, its
/// runtime is allowed by its hash. With react-scripts 5, which inlines nothing, the policy allows no inline script and
/// its build still renders.
#[test]
fn a_served_react_build_still_renders_under_the_written_policy() {
    // (The third: the build folder named through a constant, as most tutorials write it, read as the path written
    // inline.)
    for (built_before, through_const) in [(false, false), (true, false), (false, true)] {
        let (_tmp, app) = copy_app("csp-mern-app");
        if built_before {
            write_react_build(&app);
        }
        if through_const {
            let server = std::fs::read_to_string(app.join("server.js")).expect("read");
            let with_const = server
                .replace(
                    "app.use(express.static(path.join(__dirname, 'client/build')));",
                    "const buildPath = path.join(__dirname, 'client', 'build');\napp.use(express.static(buildPath));",
                )
                .replace("path.join(__dirname, 'client/build', 'index.html')", "path.join(buildPath, 'index.html')");
            assert_eq!(with_const.matches("buildPath").count(), 3, "{with_const}");
            std::fs::write(app.join("server.js"), with_const).expect("write");
        }
        let fixed = fix_and_install(&app);
        assert!(fixed.contains("scriptSrc: [\"'self'\", \"'unsafe-inline'\"]"), "{fixed}");
        assert!(fixed.contains("upgradeInsecureRequests: null"), "{fixed}");
        write_react_build(&app);
        with_default_policy(&app, &fixed);
        let servers = [
            ("server.before.js", Some("app rendered")),
            ("server.js", Some("app rendered")),
            ("server.default.js", None),
        ];
        check_react_app(&app, &servers);
    }
    // The build committed (no longer git-ignored): read, its runtime allowed by its hash alone (without which the
    // bundle runs but finds no runtime).
    let (_tmp, app) = copy_app("csp-mern-app");
    std::fs::write(app.join("client/.gitignore"), "/node_modules\n").expect("write");
    write_react_build(&app);
    let fixed = fix_and_install(&app);
    assert!(fixed.contains("'sha256-") && !fixed.contains("'unsafe-inline'"), "{fixed}");
    let no_hash = fixed.lines().filter(|l| !l.contains("'sha256-")).collect::<Vec<_>>().join("\n");
    std::fs::write(app.join("server.nohash.js"), no_hash).expect("write");
    let servers = [
        ("server.before.js", Some("app rendered")),
        ("server.js", Some("app rendered")),
        ("server.nohash.js", Some("runtime missing")),
    ];
    check_react_app(&app, &servers);
    // react-scripts 5: no runtime chunk, no inline script, no 'unsafe-inline'.
    let (_tmp, app) = copy_app("csp-mern-app");
    let manifest = std::fs::read_to_string(app.join("client/package.json")).expect("read");
    let five = manifest.replace("\"react-scripts\": \"4.0.3\"", "\"react-scripts\": \"5.0.1\"");
    assert_ne!(five, manifest);
    std::fs::write(app.join("client/package.json"), five).expect("write");
    let fixed = fix_and_install(&app);
    assert!(!fixed.contains("'unsafe-inline'") && fixed.contains("upgradeInsecureRequests: null"), "{fixed}");
    write_react_5_build(&app);
    with_default_policy(&app, &fixed);
    let servers =
        [("server.before.js", Some("app rendered")), ("server.js", Some("app rendered")), ("server.default.js", None)];
    check_react_app(&app, &servers);
}

/// Liquid views (liquidjs's Express engine, `.liquid`, an extension the tool finds only because the code names the
/// engine): their inline script and event handler still run under the written policy, and not under helmet's default.
#[test]
fn inline_code_of_views_of_an_engine_the_code_names_still_runs_under_the_written_policy() {
    let (_tmp, app) = copy_app("csp-liquid-app");
    let fixed = fix_and_install(&app);
    with_default_policy(&app, &fixed);
    check_page(&app, "/", &[("script", "yes"), ("handler", "yes")], &["'sha256-", "script-src-attr 'unsafe-inline'"]);
    let (_, dom) = load(&app, "server.js", "/");
    assert_eq!((text_of(&dom, "user"), text_of(&dom, "file")), (Some("Ann"), Some("yes")), "{dom}");
}

/// A page script that reads another service (its own origin) through jQuery's `$.getJSON`, `axios.get` and socket.io's
/// `io(url)` (HTTP polling, then an upgrade to a WebSocket): each still connects under the written policy. Without
/// connectSrc none does; without its `ws:` source socket.io never upgrades (an `http:` source matches no `ws:` URL).
#[test]
fn connections_through_jquery_axios_and_socket_io_still_work_under_the_written_policy() {
    let (_tmp, app) = copy_app("csp-libs-app");
    let api_port = common::free_port().to_string();
    let origin = format!("http://127.0.0.1:{api_port}");
    let script = app.join("public/js/app.js");
    let text = std::fs::read_to_string(&script).expect("read app.js");
    std::fs::write(&script, text.replace("API_ORIGIN", &origin)).expect("write app.js");
    let fixed = fix_and_install(&app);
    let ws = format!("'ws://127.0.0.1:{api_port}'");
    assert!(fixed.contains(&format!("'{origin}'")) && fixed.contains(&ws), "{fixed}");
    let _api = start_node(&app, "api.js", &[("PORT", &api_port)]);
    without_directives(&app, &fixed, &["connectSrc"], "server.noconnect.js");
    std::fs::write(app.join("server.nows.js"), in_directive(&fixed, "connectSrc", &ws, "'http://127.0.0.1:1'"))
        .expect("write");
    let all = [("jquery", "items 3"), ("axios", "items 3"), ("socket", "websocket")];
    for (server, want) in [
        ("server.before.js", all),
        ("server.js", all),
        ("server.noconnect.js", [("jquery", "no"), ("axios", "no"), ("socket", "no")]),
        ("server.nows.js", [("jquery", "items 3"), ("axios", "items 3"), ("socket", "polling")]),
    ] {
        let (csp, dom) = load(&app, server, "/");
        for (id, text) in want {
            assert_eq!(text_of(&dom, id), Some(text), "#{id} served by {server} (CSP: {csp}): {dom}");
        }
    }
}

/// A page whose scripts make resources from another site's literal URLs (a snippet's injected script, a frame by its
/// `src`, a tracking pixel, a module by `import()`, a worker's `importScripts`), compile WebAssembly and set an event
/// handler from a string (`setAttribute('onclick', ...)`, the page's only inline handler): each still works under the
/// written policy, and none does under helmet's default.
#[test]
fn resources_scripts_make_from_literal_urls_and_webassembly_still_load_under_the_written_policy() {
    let (_tmp, app) = copy_app("csp-made-app");
    let other_port = common::free_port().to_string();
    let origin = format!("http://127.0.0.1:{other_port}");
    for file in ["public/index.html", "public/base.html", "public/js/app.js", "public/js/worker.js"] {
        let text = std::fs::read_to_string(app.join(file)).expect("read");
        std::fs::write(app.join(file), text.replace("OTHER", &origin)).expect("write");
    }
    let fixed = fix_and_install(&app);
    assert!(fixed.contains("'wasm-unsafe-eval'") && fixed.contains(&format!("'{origin}'")), "{fixed}");
    assert!(fixed.contains("scriptSrcAttr: [\"'unsafe-inline'\"]"), "{fixed}");
    with_default_policy(&app, &fixed);
    let _other = start_node(&app, "other.js", &[("PORT", &other_port)]);
    let ids = ["script", "frame", "pixel", "module", "worker", "wasm", "attr"];
    for (server, want) in [("server.before.js", "yes"), ("server.js", "yes"), ("server.default.js", "no")] {
        let (csp, dom) = load(&app, server, "/");
        for id in ids {
            assert_eq!(text_of(&dom, id), Some(want), "#{id} served by {server} (CSP: {csp}): {dom}");
        }
    }
    // A page whose `<base href>` is the other site loads its script by a relative URL from there: the written policy
    // allows that base (baseUri) and the site's scripts; under helmet's `base-uri 'self'` the base is dropped and the
    // script is looked for on the app's own origin, where there is none.
    assert!(fixed.contains(&format!("baseUri: [\"'self'\", '{origin}']")), "{fixed}");
    for (server, want) in [("server.before.js", "yes"), ("server.js", "yes"), ("server.default.js", "no")] {
        let (csp, dom) = load(&app, server, "/base.html");
        assert_eq!(text_of(&dom, "base"), Some(want), "#base served by {server} (CSP: {csp}): {dom}");
    }
}

/// A page that loads sql.js as its README says (its minified glue code `sql-wasm.js` and its module `sql-wasm.wasm`
/// copied into the app's `public/vendor`, from the package installed from the registry) still runs its query under
/// the written policy ('wasm-unsafe-eval', found in the minified file the run does not read, and from the served
/// module), and does not under helmet's default.
#[test]
fn a_vendored_minified_webassembly_library_still_runs_under_the_written_policy() {
    let (_tmp, app) = copy_app("csp-wasm-vendor");
    let sqljs = app.join("sqljs");
    npm_ci(&sqljs);
    std::fs::create_dir_all(app.join("public/vendor")).expect("mkdir");
    for file in ["sql-wasm.js", "sql-wasm.wasm"] {
        let from = sqljs.join("node_modules/sql.js/dist").join(file);
        std::fs::copy(&from, app.join("public/vendor").join(file)).expect("copy sql.js's dist file");
    }
    std::fs::remove_dir_all(&sqljs).expect("remove the installer folder");
    let fixed = fix_and_install(&app);
    assert!(fixed.contains("scriptSrc: [\"'self'\", \"'wasm-unsafe-eval'\"]"), "{fixed}");
    with_default_policy(&app, &fixed);
    for (server, want) in [("server.before.js", "yes"), ("server.js", "yes"), ("server.default.js", "no")] {
        let (csp, dom) = load(&app, server, "/");
        assert_eq!(text_of(&dom, "sql"), Some(want), "#sql served by {server} (CSP: {csp}): {dom}");
    }
}

#[test]
fn a_second_run_adds_what_a_new_page_needs_to_the_policy_it_wrote_and_the_page_then_shows_its_tiles() {
    let (_tmp_tiles, tiles) = copy_app("csp-tiles");
    let tile_server = start_node(&tiles, "server.js", &[]);
    let (_tmp, app) = copy_app("csp-rerun-app");
    // The first run writes a policy for the inline handler of the only page.
    let first = fix_and_install(&app);
    assert!(first.contains("scriptSrcAttr: [\"'unsafe-inline'\"]"), "{first}");
    assert!(!first.contains("tiles.lan"), "{first}");
    // (The copies of the server the checks load are written after the runs: they would be apps of the project.)
    std::fs::remove_file(app.join("server.before.js")).expect("remove the copy of the original");
    // Then the app gains a map page whose tiles come from a tile server's subdomains.
    // (The map page of the media app, whose tile layer names the tile server.)
    let media = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/e2e/csp-media-app/public");
    std::fs::copy(media.join("map.html"), app.join("public/map.html")).expect("add the map page");
    let script = std::fs::read_to_string(media.join("js/map.js")).expect("read the map script");
    let tiles_url = format!("http://{{s}}.tiles.lan:{}", tile_server.port);
    std::fs::create_dir_all(app.join("public/js")).expect("script folder");
    std::fs::write(app.join("public/js/map.js"), script.replace("TILES", &tiles_url)).expect("write the map script");
    // The second run sees its own policy and adds the tile host to imgSrc, saying so; nothing else changes.
    let out = express_harden(&app, &["--write", "--allow-no-vcs", "--only", "helmet", "--color", "never"]);
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert_eq!(out.status.code(), Some(0), "{stdout}{stderr}");
    assert!(stderr.contains("helmet/csp-updated"), "{stderr}");
    let second = std::fs::read_to_string(app.join("server.js")).expect("read");
    let tile_host = format!("'http://*.tiles.lan:{}'", tile_server.port);
    assert!(second.contains(&format!("imgSrc: [\"'self'\", 'data:', {tile_host}]")), "{second}");
    assert_eq!(second.replace(&format!(",\n      imgSrc: [\"'self'\", 'data:', {tile_host}]"), ""), first);
    // A third run changes nothing.
    let out = express_harden(&app, &["--check", "--only", "helmet", "--color", "never"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{}{stderr}", String::from_utf8_lossy(&out.stdout));
    assert!(stderr.contains("would change no files"), "{stderr}");
    std::fs::write(app.join("server.first.js"), &first).expect("keep the first policy");
    // In Chromium: the map page shows its tiles under the updated policy, not under the first one; the first page's
    // handler still runs.
    let rules = "--host-resolver-rules=MAP *.tiles.lan 127.0.0.1".to_string();
    let flags = [rules.as_str()];
    check_shown(&app, &flags, "server.js", ("/map.html", "tiles"), true);
    check_shown(&app, &flags, "server.first.js", ("/map.html", "tiles"), false);
    check_shown(&app, &flags, "server.js", ("/index.html", "clicked"), true);
}

/// A blog page with Plausible's hosted script (a local HTTPS server the browser reaches as plausible.io) posts its
/// pageview to the host the script came from: under the written policy the post goes through; without that host in
/// connectSrc (helmet's default `connect-src 'self'`) the script still runs and its post is blocked.
#[test]
fn hosted_analytics_still_posts_its_pageview_home_under_the_written_policy() {
    let (_tmp, app) = copy_app("csp-analytics-app");
    let fixed = fix_and_install(&app);
    assert!(fixed.contains("connectSrc: [\"'self'\", 'https://plausible.io']"), "{fixed}");
    without_directives(&app, &fixed, &["connectSrc"], "server.noconnect.js");
    let certs = tempfile::tempdir().expect("certs dir");
    let (_vendor_dir, vendor) = start_https("csp-vendor", certs.path(), "plausible.io", &[]);
    let rules = format!("--host-resolver-rules=MAP plausible.io 127.0.0.1:{}", vendor.port);
    let flags = [rules.as_str(), "--ignore-certificate-errors"];
    for server in ["server.before.js", "server.js"] {
        check_shown(&app, &flags, server, ("/", "script"), true);
        check_shown(&app, &flags, server, ("/", "event"), true);
    }
    check_shown(&app, &flags, "server.noconnect.js", ("/", "script"), true);
    check_shown(&app, &flags, "server.noconnect.js", ("/", "event"), false);
}

/// An app hardened while `trust proxy` was always on (its policy keeps upgrade-insecure-requests), whose proxy is
/// then trusted only when BEHIND_PROXY is set: the second run applies the first run's plain-HTTP rule to the policy it
/// wrote (`upgradeInsecureRequests: null`, helmet/csp-updated), and the page opened over plain HTTP at a name of the
/// home network loads its own script again; under the first policy it does not.
#[test]
fn a_second_run_drops_upgrade_insecure_requests_once_the_app_may_be_served_over_plain_http() {
    let (_tmp, app) = copy_app("csp-browser-app");
    let original = std::fs::read_to_string(app.join("server.js")).expect("read");
    let (anchor, setting) = ("const app = express();\n", "app.set('trust proxy', 1);\n");
    assert!(original.contains(anchor), "{original}");
    std::fs::write(app.join("server.js"), original.replacen(anchor, &format!("{anchor}{setting}"), 1)).expect("write");
    let first = fix_and_install(&app);
    assert!(!first.contains("upgradeInsecureRequests"), "{first}");
    // (The copies of the server the checks load are written after the runs: they would be apps of the project.)
    std::fs::remove_file(app.join("server.before.js")).expect("remove the copy of the original");
    let branch = "if (process.env.BEHIND_PROXY) app.set('trust proxy', 1);\n";
    let moved = first.replacen(setting, branch, 1);
    std::fs::write(app.join("server.js"), &moved).expect("move the setting into a branch");
    let out = express_harden(&app, &["--write", "--allow-no-vcs", "--only", "helmet", "--color", "never"]);
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert_eq!(out.status.code(), Some(0), "{stdout}{stderr}");
    assert!(stderr.contains("helmet/csp-updated"), "{stderr}");
    let second = std::fs::read_to_string(app.join("server.js")).expect("read");
    assert!(second.contains("upgradeInsecureRequests: null"), "{second}");
    let out = express_harden(&app, &["--check", "--only", "helmet", "--color", "never"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{}{stderr}", String::from_utf8_lossy(&out.stdout));
    assert!(stderr.contains("would change no files"), "{stderr}");
    std::fs::write(app.join("server.first.js"), &moved).expect("keep the first policy");

    let flags = ["--host-resolver-rules=MAP dashboard.lan 127.0.0.1"];
    for (server, ran) in [("server.js", "yes"), ("server.first.js", "no")] {
        let node = start_node(&app, server, &[]);
        csp_of(node.port, server, "/");
        let dom = dump_dom_with(&format!("http://dashboard.lan:{}/", node.port), &flags);
        assert_eq!(text_of(&dom, "home"), Some(ran), "#home served by {server}: {dom}");
    }
}

/// Handlebars indents a standalone partial (`    {{> footer}}` on a line of its own sends every line of the partial
/// with the tag's indentation): the footer's fixed script is allowed by the hash of its text as sent, and runs under
/// the written policy (the hash of the text as written in the partial, what the tool wrote before, blocks it), and not
/// under helmet's default. The same page's stylesheet loads a background from another host, which imgSrc allows.
#[test]
fn a_script_in_an_indented_handlebars_partial_and_a_stylesheet_background_from_another_host_still_work() {
    let (_tmp, app) = copy_app("csp-hbs-app");
    let fixed = fix_and_install(&app);
    assert_eq!(fixed.matches("'sha256-").count(), 1, "{fixed}");
    assert!(!fixed.contains("'unsafe-inline'"), "{fixed}");
    with_default_policy(&app, &fixed);
    check_page(&app, "/", &[("footer", "yes")], &["script-src 'self' 'sha256-"]);

    // The page links the app's own stylesheet, whose background comes from another host: imgSrc allows it, and the
    // page loads with no image blocked (a server that refuses the connection stands for that host); without that
    // host, and under helmet's default, the image is blocked.
    let host = "'https://images.example.com'";
    assert!(fixed.contains(&format!("imgSrc: [\"'self'\", 'data:', {host}]")), "{fixed}");
    std::fs::write(app.join("server.noimg.js"), in_directive(&fixed, "imgSrc", host, "'https://elsewhere.invalid'"))
        .expect("write");
    let flags = ["--host-resolver-rules=MAP images.example.com 127.0.0.1:9"];
    for (server, shown) in [("server.before.js", true), ("server.js", true), ("server.noimg.js", false)] {
        check_shown(&app, &flags, server, ("/", "css"), shown);
    }
    check_shown(&app, &flags, "server.default.js", ("/", "css"), false);
}

/// unpkg.com and esm.sh: a CDN over HTTPS that serves the files of the packages installed in csp-nobuild-cdn (Vue 3,
/// htmx 2, petite-vue) under `/<package>@<version>/<file>`; with the folder it runs from and that of the packages.
fn start_modules_cdn(certs: &Path) -> (tempfile::TempDir, tempfile::TempDir, Service) {
    let (packages_dir, packages) = copy_app("csp-nobuild-cdn");
    npm_ci(&packages);
    let modules = packages.join("node_modules").display().to_string();
    let (cdn_dir, cdn) = start_https("csp-cdn", certs, "unpkg.com", &[("CDN_MODULES", &modules)]);
    (packages_dir, cdn_dir, cdn)
}

/// No-build front ends from a CDN: Vue's ES-module full build imported by URL and through an import map (from another
/// host, esm.sh), an htmx `hx-on::after-request` handler and petite-vue's expressions all compile strings with `new
/// Function`. Each still runs under the written policy ('unsafe-eval', the import map's host in scriptSrc), none
/// without 'unsafe-eval', and the import-mapped module not without its host.
#[test]
fn no_build_libraries_from_a_cdn_and_an_import_map_still_run_under_the_written_policy() {
    let (_tmp, app) = copy_app("csp-nobuild-app");
    let fixed = fix_and_install(&app);
    assert!(fixed.contains("\"'unsafe-eval'\",\n        'https://esm.sh',\n        'https://unpkg.com',"), "{fixed}");
    std::fs::write(app.join("server.noeval.js"), fixed.replace("        \"'unsafe-eval'\",\n", "")).expect("write");
    let elsewhere = "'https://elsewhere.invalid'";
    std::fs::write(app.join("server.noesm.js"), in_directive(&fixed, "scriptSrc", "'https://esm.sh'", elsewhere))
        .expect("write");
    let certs = tempfile::tempdir().expect("certs dir");
    let (_packages, _cdn_dir, cdn) = start_modules_cdn(certs.path());
    let rules = format!("--host-resolver-rules=MAP unpkg.com 127.0.0.1:{0}, MAP esm.sh 127.0.0.1:{0}", cdn.port);
    let flags = [rules.as_str(), "--ignore-certificate-errors"];
    let pages = [("/vue.html", "vue"), ("/map.html", "map"), ("/htmx.html", "htmx"), ("/petite.html", "petite")];
    for page in pages {
        for server in ["server.before.js", "server.js"] {
            check_shown(&app, &flags, server, page, true);
        }
        check_shown(&app, &flags, "server.noeval.js", page, false);
    }
    check_shown(&app, &flags, "server.noesm.js", ("/map.html", "map"), false);
}

/// The SPA-shell pattern: the page is read once and a placeholder in one of its inline scripts filled before sending.
/// The script is sent with other text than the file's, so no hash of the file can allow it (the tool's hash of the
/// placeholder left the app without its config): 'unsafe-inline', and both scripts run; not under helmet's default.
#[test]
fn a_page_filled_by_replace_before_sending_still_runs_its_scripts_under_the_written_policy() {
    let (_tmp, app) = copy_app("csp-shell-app");
    let fixed = fix_and_install(&app);
    assert!(fixed.contains("scriptSrc: [\"'self'\", \"'unsafe-inline'\"]") && !fixed.contains("'sha256-"), "{fixed}");
    with_default_policy(&app, &fixed);
    check_page(&app, "/", &[("config", "/api"), ("script", "yes")], &["script-src 'self' 'unsafe-inline'"]);
}

/// Writes `client/dist/client/browser` of the MEAN app as `ng build` (Angular 19, production, critical CSS inlining
/// on by default) lays it out: the critical rules inlined in a `<style>`, the stylesheet loaded with `media="print"
/// onload="this.media='all'"` (and a `<noscript>` fallback), and the main bundle as a module file, which writes the
/// stylesheet link's `media` into `<p id="media">` once the page has loaded.
fn write_angular_build(app: &Path) {
    let build = app.join("client/dist/client/browser");
    std::fs::create_dir_all(&build).expect("mkdir");
    let page = "<!doctype html>\n<html lang=\"en\" data-beasties-container>\n<head>\n  <meta charset=\"utf-8\">\n  \
                <title>Client</title>\n  <base href=\"/\">\n<style>body{background:#010203}</style><link \
                rel=\"stylesheet\" href=\"styles-5INURTSO.css\" media=\"print\" onload=\"this.media='all'\"><noscript>\
                <link rel=\"stylesheet\" href=\"styles-5INURTSO.css\"></noscript></head>\n<body>\n  <app-root>\
                </app-root>\n  <p id=\"media\">no</p>\n<script src=\"main-ABCDEF12.js\" type=\"module\"></script>\
                </body>\n</html>\n";
    std::fs::write(build.join("index.html"), page).expect("write index.html");
    std::fs::write(build.join("styles-5INURTSO.css"), "body{background:#010203}\n").expect("write the stylesheet");
    let main = "window.addEventListener('load', () => {\n  document.getElementById('media').textContent = \
                document.querySelector('link[href^=\"styles\"]').media;\n});\n";
    std::fs::write(build.join("main-ABCDEF12.js"), main).expect("write the bundle");
}

/// The MEAN layout: Express serves the build of its Angular CLI front end (git-ignored `client/dist`, named through a
/// constant), whose angular.json leaves critical CSS inlining on. Hardened before the build exists, the policy allows
/// script attributes, so the stylesheet's `onload` handler still applies it (`media` becomes `all`) once built; the
/// same policy without scriptSrcAttr leaves the page unstyled (`print`).
#[test]
fn a_served_angular_build_still_applies_its_stylesheet_under_the_written_policy() {
    let (_tmp, app) = copy_app("csp-angular-app");
    let fixed = fix_and_install(&app);
    assert!(fixed.contains("scriptSrcAttr: [\"'unsafe-inline'\"]"), "{fixed}");
    write_angular_build(&app);
    without_directives(&app, &fixed, &["scriptSrcAttr"], "server.noattr.js");
    for (server, want) in [("server.before.js", "all"), ("server.js", "all"), ("server.noattr.js", "print")] {
        let (csp, dom) = load(&app, server, "/");
        assert_eq!(text_of(&dom, "media"), Some(want), "served by {server} (CSP: {csp}): {dom}");
    }
}

/// The MERN development layout: outside production the app serves its front end through webpack-dev-middleware, and
/// webpack's default devtool in development mode (`eval`) wraps each module in eval(). The written policy allows
/// `'unsafe-eval'` outside production only (a spread on `process.env.NODE_ENV`), so the bundle still runs in
/// development; the same policy without that spread blocks it.
#[test]
fn a_bundle_served_by_webpack_dev_middleware_still_runs_in_development_under_the_written_policy() {
    let (_tmp, app) = copy_app("csp-wdm-app");
    let fixed = fix_and_install(&app);
    let spread = "...(process.env.NODE_ENV === 'production' ? [] : [";
    assert!(fixed.contains(spread) && fixed.contains("\"'unsafe-eval'\""), "{fixed}");
    let start = fixed.find(spread).expect("the spread");
    let end = start + fixed[start..].find("])").expect("its end") + "])".len();
    let without = format!("{}{}", &fixed[..start], &fixed[end..]);
    std::fs::write(app.join("server.noeval.js"), &without).expect("write");
    let development = [("NODE_ENV", "development")];
    for (server, want) in [("server.before.js", "bundle ran"), ("server.js", "bundle ran"), ("server.noeval.js", "no")]
    {
        let node = start_node(&app, server, &development);
        let csp = csp_of(node.port, server, "/");
        let dom = dump_dom(&format!("http://127.0.0.1:{}/", node.port));
        assert_eq!(text_of(&dom, "bundle"), Some(want), "served by {server} (CSP: {csp}): {dom}");
    }
}

/// The guard fails a page whose inline script changed after the policy was written: csp-app's page, edited after
/// `--write`, is sent with a script whose hash the policy does not list. The guard names that script (and no other),
/// and Chromium agrees: the edited script does not run, the unchanged ones still do. (And it names the page's two
/// handlers under the written policy without scriptSrcAttr.)
#[test]
fn the_guard_fails_a_page_whose_script_changed_after_the_policy_was_written() {
    let (_tmp, app) = copy_app("csp-app");
    let fixed = fix_and_install(&app);
    let node = start_node(&app, "server.js", &[]);
    assert!(inline_code_not_allowed(&get(node.port, "/", &[])).is_empty());
    drop(node);
    // (Its handlers are read too: without scriptSrcAttr, helmet's script-src-attr 'none' blocks both.)
    without_directives(&app, &fixed, &["scriptSrcAttr"], "server.noattr.js");
    let node = start_node(&app, "server.noattr.js", &[]);
    let problems = inline_code_not_allowed(&get(node.port, "/", &[]));
    assert_eq!(problems.iter().filter(|p| p.contains("handler onclick=")).count(), 2, "{problems:?}");
    assert_eq!(problems.len(), 2, "{problems:?}");
    drop(node);
    let page = app.join("public/index.html");
    let text = std::fs::read_to_string(&page).expect("read the page");
    let (from, to) = ("textContent = 'yes';\n  </script>", "textContent = 'yes'; // edited\n  </script>");
    assert!(text.contains(from), "{text}");
    std::fs::write(&page, text.replacen(from, to, 1)).expect("edit the page");
    let node = start_node(&app, "server.js", &[]);
    let problems = inline_code_not_allowed(&get(node.port, "/", &[]));
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].contains("// edited"), "{problems:?}");
    let dom = dump_dom(&format!("http://127.0.0.1:{}/", node.port));
    assert_eq!((text_of(&dom, "script"), text_of(&dom, "handler")), (Some("no"), Some("yes")), "{dom}");
}
