//! What helmet's default Content-Security-Policy would break in an app's views.
//!
//! Adding `app.use(helmet())` is a one-line change, but helmet 8's default CSP
//! (`script-src 'self'`, `script-src-attr 'none'`, `img-src 'self' data:`, ...)
//! silently breaks pages that use inline scripts, inline event handlers or
//! resources from other hosts. The helmet transform uses this module to tell the
//! user, before they merge, which files and lines will stop working, and to
//! propose the `contentSecurityPolicy.directives` that keep external hosts working.
//!
//! The scanners are deliberately small and forgiving rather than full HTML or Pug
//! parsers: views are templates, full of `<%= %>` / `{{ }}` / `#{}` fragments that
//! no real parser accepts, and a report that misses an odd corner is still far
//! better than one that gives up on the whole file. They work on bytes and only cut
//! text at ASCII delimiters, so any input is safe, including truncated files.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Extensions of the view engines Express apps commonly use, plus static HTML.
const VIEW_EXTENSIONS: [&str; 9] = ["html", "htm", "ejs", "pug", "jade", "hbs", "handlebars", "njk", "mustache"];

/// File types scanned: .html .htm .ejs .pug .jade .hbs .handlebars .njk .mustache
#[must_use]
pub fn is_view_file(path: &Path) -> bool {
    path.extension().and_then(|e| e.to_str()).is_some_and(|e| VIEW_EXTENSIONS.iter().any(|v| v.eq_ignore_ascii_case(e)))
}

/// The kind of fetch a resource is, because each is governed by its own CSP
/// directive (`script-src`, `style-src`, `img-src`, `font-src`, `frame-src`,
/// `media-src`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ResourceKind {
    /// `<script src>`, `<link rel=modulepreload>`, `<link rel=preload as=script>`.
    Script,
    /// `<link rel=stylesheet>`, preloaded styles and CSS `@import`.
    Style,
    /// `<img src/srcset>`, `<video poster>`, icons, and CSS `url()` outside `@font-face`.
    Image,
    /// Preloaded fonts and `url()` inside CSS `@font-face`.
    Font,
    /// `<iframe src>` and `<frame src>`.
    Frame,
    /// `<video>`, `<audio>`, `<source src>` and `<track>`.
    Media,
    /// Where a `<form action>` (or a button's `formaction`) submits to: `form-action`, `'self'` in helmet's defaults.
    Form,
    /// What a page's scripts connect to: `fetch(url)`, `XMLHttpRequest`'s `open(method, url)`, `new WebSocket(url)`,
    /// `new EventSource(url)`, `navigator.sendBeacon(url)` (`connect-src`, which falls back to helmet's
    /// `default-src 'self'`).
    Connect,
    /// `<object data>` and `<embed src>` (`object-src`, `'none'` in helmet's defaults).
    Object,
}

/// A resource loaded from another origin, which helmet's defaults may block.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ExternalResource {
    /// 1-based line of the attribute (or CSS `url()`, or `srcset` candidate) that names it.
    pub line: usize,
    /// Which directive governs it.
    pub kind: ResourceKind,
    /// scheme + host (+ port), e.g. `"https://cdn.jsdelivr.net"`; protocol-relative `//host/x.js` gives `"https://host"`
    pub origin: String,
}

/// A resource whose host is known only at run time: its URL starts with a template fragment (`<%= cdn %>/app.js`,
/// `{{cdn}}/app.css`, a Pug expression `cdn + '/app.js'`, a run-time part of markup built in code), or names a scheme
/// whose host is one (`https://<%= host %>/x.js`). No list of hosts can be written for it ahead of time.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RuntimeHost {
    /// 1-based line of the attribute (or CSS `url()`) that names it.
    pub line: usize,
    /// Which directive governs it.
    pub kind: ResourceKind,
}

/// Inline code, which helmet's default CSP blocks and no host list can allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum InlineKind {
    /// A `<script>` with a body and no `src` (blocked by `script-src 'self'`).
    Script,
    /// An `on*=` attribute such as `onclick` (blocked by `script-src-attr 'none'`).
    EventHandler,
    /// A `javascript:` URL in `href`, `src`, `action` or `formaction`.
    JavascriptUrl,
}

/// One piece of inline code in a view.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct InlineCode {
    /// 1-based line where the `<script>` tag, or the attribute, starts.
    pub line: usize,
    /// What kind of inline code it is.
    pub kind: InlineKind,
    /// For an inline `<script>` whose text is the same on every render (no template fragment in it; in Pug, a
    /// `script.` block or a `script text` line without interpolation, not raw HTML, which Pug reflows): the CSP hash
    /// source a browser matches it with, `'sha256-<base64>'` ([`csp_hash`]). `None`
    /// for text that varies, and for handlers and URLs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hash: Option<String>,
    /// For a hashed script of a view EJS may render (`.ejs`, `.html`, `.htm`): the hash of the text EJS sends when its
    /// `rmWhitespace` option is on ([`ejs_rm_whitespace`]), when that differs from the text in the file.
    #[serde(skip)]
    pub trimmed_hash: Option<String>,
    /// For a hashed script of several lines in a Handlebars or Mustache file: its text, which a standalone partial
    /// tag (`    {{> footer}}` on a line of its own) sends with every line indented ([`indent_partials`]).
    #[serde(skip)]
    pub lines_text: Option<String>,
    /// The hashes of the script's text as the project's partial tags indent it, beside [`InlineCode::hash`].
    #[serde(skip)]
    pub more_hashes: Vec<String>,
    /// A hashed Pug `script.` block whose text Pug sends otherwise with its `pretty` option on: each line indented to
    /// the block's depth in the page (which layouts, includes and mixins decide), between a leading line break and a
    /// trailing one ([`pug_text_block`]). A block of one line is sent the same either way.
    #[serde(skip)]
    pub pretty_differs: bool,
}

impl InlineCode {
    /// Inline code at its 1-based `line` with no hash (yet).
    #[must_use]
    pub fn unhashed(line: usize, kind: InlineKind) -> Self {
        InlineCode {
            line,
            kind,
            hash: None,
            trimmed_hash: None,
            lines_text: None,
            more_hashes: Vec::new(),
            pretty_differs: false,
        }
    }
}

/// The CSP hash source of an inline script's text, computed as browsers do: SHA-256 over the UTF-8 text between the
/// tags, after the HTML parser's newline normalisation (CR LF and lone CR become LF), in base64.
#[must_use]
pub fn csp_hash(text: &str) -> String {
    use sha2::Digest;
    let normalized = text.replace("\r\n", "\n").replace('\r', "\n");
    let digest = sha2::Sha256::digest(normalized.as_bytes());
    format!("'sha256-{}'", data_encoding::BASE64.encode(&digest))
}

/// Whether a script's text holds a template fragment (`<% %>`, `{{ }}`, `{% %}`, `{# #}`, Pug's `#{}` / `!{}`), so
/// that what the browser receives varies with the render and cannot be hashed ahead of time. A NUL, which the HTML
/// parser replaces, counts too, and so does U+FFFD: in a file that is not UTF-8 it stands for bytes the browser
/// decodes otherwise (and hashes as what it decoded).
fn varies(text: &[u8]) -> bool {
    TEMPLATES.iter().any(|(open, _)| find(text, 0, open).is_some())
        || find(text, 0, b"#{").is_some()
        || find(text, 0, b"!{").is_some()
        || find(text, 0, "\u{FFFD}".as_bytes()).is_some()
        || text.contains(&0)
}

/// Everything in one view that helmet's default CSP would block, each list in line order.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct ViewScan {
    /// Inline scripts, event handlers and `javascript:` URLs.
    pub inline: Vec<InlineCode>,
    /// Resources from other origins, including ones helmet's defaults allow
    /// (https styles and fonts), so a report can still list every host.
    pub external: Vec<ExternalResource>,
    /// Resources whose host is known only at run time.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub runtime_hosts: Vec<RuntimeHost>,
    /// Code that turns strings into code, which helmet's `script-src` blocks without `'unsafe-eval'`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub evals: Vec<Evaluation>,
    /// 1-based lines that start a worker from a `blob:` URL (`new Worker(URL.createObjectURL(blob))`), which
    /// `worker-src` governs: helmet sets none, so it falls back to `script-src 'self'`, which blocks `blob:`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub blob_workers: Vec<usize>,
    /// 1-based lines that show an object URL as an image or media (`img.src = URL.createObjectURL(file)`), each with
    /// the directive's kind ([`ResourceKind::Image`] or [`ResourceKind::Media`]): helmet's `img-src 'self' data:` and
    /// its `default-src 'self'` block `blob:`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub blob_sources: Vec<(usize, ResourceKind)>,
    /// Object URLs shown in an element the script names by reference, until the pages' elements decide their kind
    /// ([`resolve_object_urls`] moves them to `blob_sources`): each at its 1-based line.
    #[serde(skip)]
    pub object_urls: Vec<ObjectUrlSource>,
    /// The lines of `blob_sources` whose element was not found: listed under img-src, media-src, frame-src and
    /// object-src (a preview is an image, a video or a document).
    #[serde(skip)]
    pub guessed_blobs: Vec<usize>,
    /// The elements with an `id` or a `class` that load a URL under a directive of their own (`<video id="preview">`),
    /// by id and by each class as `.name`: what decides the directive of an object URL a script shows in
    /// `getElementById('preview')` or `querySelector('.name')`.
    #[serde(skip)]
    pub element_ids: Vec<(String, ResourceKind)>,
    /// 1-based lines of `<object data>` and `<embed src>` that load one of the app's own files (a relative URL), which
    /// helmet's `object-src 'none'` blocks.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub own_objects: Vec<usize>,
    /// 1-based lines that add Leaflet markers (`L.marker(`, `L.geoJSON(`, whose points are markers), whose default
    /// icon Leaflet loads from the folder of its stylesheet (`Icon.Default._detectIconPath`: the `url()` of
    /// `.leaflet-default-icon-path` in `leaflet.css`, resolved against the stylesheet's URL).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub markers: Vec<usize>,
    /// Leaflet's stylesheets from other hosts (`<link rel="stylesheet" href="https://unpkg.com/leaflet@1.9.4/dist/
    /// leaflet.css">`), whose hosts then serve the markers' default icons: an image source where markers are added.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub leaflet_css: Vec<ExternalResource>,
    /// The app's own stylesheets the page links (`<link rel="stylesheet" href="/css/app.css">`), each at its 1-based
    /// line with its URL: read for the `@import` of Leaflet's stylesheet from another host ([`scan_stylesheet`]).
    #[serde(skip)]
    pub own_css: Vec<(usize, String)>,
    /// The URLs of the page's `<script src>` as written (when literal), each at its 1-based line: a library the
    /// transforms know by its file (one that writes inline event handlers into the page) is found there.
    #[serde(skip)]
    pub script_urls: Vec<(usize, String)>,
    /// Front-end packages the project lists whose need of the policy depends on how a bundler builds them in (`vue`:
    /// the runtime-only build needs nothing, the full build `'unsafe-eval'`), each at its line of package.json: the
    /// policy is left as it is and a finding says what to check.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unsure: Vec<(usize, &'static str)>,
    /// 1-based lines that make an object URL (`URL.createObjectURL(`), whatever becomes of it: a directive that allows
    /// every host (`'*'`, which matches no `blob:` URL) gets `blob:` too where such a URL may be shown or fetched.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub object_urls_made: Vec<usize>,
    /// The build output the app serves but the checkout does not hold (not built yet, or git-ignored: built at deploy
    /// time), and the front-end package that builds it: what the policy allows for its pages, at that package's line
    /// of the front end's package.json ([`crate::bundler::front_end_build`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unread_build: Option<UnreadBuild>,
    /// 1-based lines that compile WebAssembly (`WebAssembly.instantiateStreaming(`), which script-src blocks without
    /// `'wasm-unsafe-eval'`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub wasm: Vec<usize>,
    /// 1-based lines that load a script from a URL the script computes on something it does not hold (`s.src =
    /// cdnBase + '/lib.js'`, `cdnBase` read from a `<meta>`): script-src allows it only if it is the app's own, and a
    /// finding says which host to add (the policy is not opened to every host for it).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub computed_scripts: Vec<usize>,
    /// The functions whose parameter is the URL a call connects to (`function api(path) { return fetch(path) }`), each
    /// at the 1-based line of that call: the URLs their callers pass decide ([`resolve_wrappers`]).
    #[serde(skip)]
    pub wrappers: Vec<Wrapper>,
    /// 1-based lines where a service worker fetches a page's request again (`fetch(event.request)` in a script that
    /// handles `fetch` events): what the pages load then passes through the worker, whose own policy checks each such
    /// fetch against connect-src ([`refetched_hosts`]).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub refetches: Vec<usize>,
    /// 1-based lines that load a live-reload script (`livereload.js`, or a script from its port 35729), a tool of
    /// development: left out of the policy, which would otherwise allow its host in production too, and named by a
    /// finding.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub dev_scripts: Vec<usize>,
    /// A `<base href>` of another site, at its 1-based line with its origin: helmet's `base-uri 'self'` would drop it
    /// (and every relative URL would then resolve on the app's own origin), so it goes to baseUri; the relative URLs
    /// after it count as that origin's resources.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub base_origins: Vec<(usize, String)>,
    /// The partial tags of a Handlebars or Mustache file (`{{> footer}}`), for [`indent_partials`].
    #[serde(skip)]
    pub partial_tags: Vec<PartialTag>,
    /// 1-based lines that load htmx (a `<script src>` or an import of htmx.org, the package bundled).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub htmx: Vec<usize>,
    /// The htmx attributes whose values htmx turns into code with `new Function` ([`htmx_attribute`]), which count as
    /// evaluations where a page of the project loads htmx ([`htmx_evaluations`]).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub htmx_attrs: Vec<Evaluation>,
}

/// What htmx evaluates in the attribute `name` with value `value` (the names as htmx reads them, with or without
/// `data-`): `hx-on` and `hx-on:*`/`hx-on::*` handlers (`new Function("event", code)`), a `[...]` filter in
/// `hx-trigger`, a `js:`/`javascript:` value of `hx-vals`, and `hx-vars` (evaluated always). htmx's `maybeEval` runs
/// each only while `htmx.config.allowEval` is true (its default), with `new Function` (htmx 1.9 to 2.0, `src/htmx.js`:
/// `addHxOnEventHandler`, `maybeGenerateConditional`, `getValuesForElement`).
fn htmx_attribute(name: &str, value: Option<&str>) -> Option<&'static str> {
    let name = name.strip_prefix("data-").unwrap_or(name);
    let value = value.unwrap_or_default().trim_start();
    if name == "hx-on" || name.starts_with("hx-on:") || name.starts_with("hx-on-") {
        Some("htmx (its hx-on handlers)")
    } else if name == "hx-trigger" && value.contains('[') {
        Some("htmx (an hx-trigger filter)")
    } else if name == "hx-vals" && (value.starts_with("js:") || value.starts_with("javascript:")) {
        Some("htmx (an hx-vals js: value)")
    } else if name == "hx-vars" {
        Some("htmx (hx-vars)")
    } else {
        None
    }
}

/// Where a page of the project loads htmx ([`ViewScan::htmx`]), the htmx attributes of every page that htmx turns into
/// code ([`ViewScan::htmx_attrs`]) are evaluations ('unsafe-eval'); without htmx they are inert attributes.
pub fn htmx_evaluations<P>(views: &mut [(P, ViewScan)]) {
    if !views.iter().any(|(_, scan)| !scan.htmx.is_empty()) {
        return;
    }
    for (_, scan) in views.iter_mut() {
        let attrs = std::mem::take(&mut scan.htmx_attrs);
        scan.evals.extend(attrs);
        scan.evals.sort_by_key(|e| e.line);
    }
}

/// A partial tag of a Handlebars or Mustache file ([`ViewScan::partial_tags`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PartialTag {
    /// The partial's name (`footer`, `shared/footer`); `None` for a name computed when the page renders
    /// (`{{> (lookup . 'name')}}`).
    pub name: Option<String>,
    /// The whitespace before a standalone tag (alone on its line), which both engines put before every line of the
    /// partial ("standalone partials are indented", Mustache spec; Handlebars alike); empty otherwise.
    pub indent: String,
}

/// The partial tags of a Handlebars or Mustache text ([`PartialTag`]).
fn partial_tags(text: &str) -> Vec<PartialTag> {
    let mut tags = Vec::new();
    for line in text.split('\n') {
        let mut from = 0;
        while let Some(at) = line[from..].find("{{").map(|i| from + i) {
            let inner = line[at + 2..].trim_start_matches('~');
            let Some(rest) = inner.strip_prefix('>') else {
                from = at + 2;
                continue;
            };
            let rest = rest.trim_start();
            let end = line[at..].find("}}").map_or(line.len(), |e| at + e + 2);
            let name = (!rest.starts_with('(')).then(|| {
                let n: String = rest.chars().take_while(|c| !c.is_whitespace() && *c != '}' && *c != '~').collect();
                n.trim_matches(|c| c == '"' || c == '\'').to_string()
            });
            let alone = line[..at].trim().is_empty() && line[end..].trim().is_empty();
            let indent = if alone { line[..at].to_string() } else { String::new() };
            tags.push(PartialTag { name, indent });
            from = end.max(at + 2);
        }
    }
    tags
}

/// Whether a view's path names a Handlebars or Mustache file, whose standalone partial tags indent the partial.
fn is_mustache(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| ["hbs", "handlebars", "mustache"].iter().any(|x| e.eq_ignore_ascii_case(x)))
}

/// The hashes of multi-line scripts in Handlebars or Mustache partials as the engines send them: a standalone tag's
/// indentation goes before every line of the partial, so each indentation the project's tags for that partial have
/// gives its own hash ([`InlineCode::more_hashes`]). A script in a partial whose inclusion cannot be read (a file in a
/// `partials` folder no tag names, a name computed at render time somewhere, a partial included from another
/// partial) counts as one whose text varies (no hash: `'unsafe-inline'`).
pub fn indent_partials(views: &mut [(PathBuf, ViewScan)]) {
    let tags: Vec<(PathBuf, PartialTag)> =
        views.iter().flat_map(|(p, s)| s.partial_tags.iter().map(move |t| (p.clone(), t.clone()))).collect();
    let stem = |path: &Path| path.with_extension("").to_string_lossy().replace('\\', "/");
    let names = |path: &Path, name: &str| {
        let stem = stem(path);
        stem == name || stem.ends_with(&format!("/{name}"))
    };
    let in_partials = |path: &Path| path.components().any(|c| c.as_os_str() == "partials");
    let is_partial =
        |path: &Path| in_partials(path) || tags.iter().any(|(_, t)| t.name.as_deref().is_some_and(|n| names(path, n)));
    let dynamic = tags.iter().any(|(_, t)| t.name.is_none());
    let mut known: Vec<Option<BTreeSet<String>>> = Vec::new();
    for (path, scan) in views.iter() {
        if !scan.inline.iter().any(|c| c.lines_text.is_some()) || !is_partial(path) {
            known.push(Some(BTreeSet::new()));
            continue;
        }
        let including: Vec<&(PathBuf, PartialTag)> =
            tags.iter().filter(|(_, t)| t.name.as_deref().is_some_and(|n| names(path, n))).collect();
        let unread = including.is_empty() || dynamic || including.iter().any(|(from, _)| is_partial(from));
        known.push((!unread).then(|| including.iter().map(|(_, t)| t.indent.clone()).collect()));
    }
    for ((_, scan), indents) in views.iter_mut().zip(known) {
        for code in scan.inline.iter_mut() {
            let Some(text) = code.lines_text.take() else { continue };
            match &indents {
                None => (code.hash, code.trimmed_hash) = (None, None),
                Some(indents) if indents.is_empty() => {}
                Some(indents) => {
                    let hashes: Vec<String> =
                        indents.iter().map(|i| csp_hash(&text.replace('\n', &format!("\n{i}")))).collect();
                    code.trimmed_hash = None;
                    code.hash = hashes.first().cloned();
                    code.more_hashes = hashes.into_iter().skip(1).collect();
                }
            }
        }
    }
}

/// A build folder the app serves whose pages could not be read ([`ViewScan::unread_build`]).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct UnreadBuild {
    /// 1-based line of the builder in the front end's package.json.
    pub line: usize,
    /// The package that builds the pages (`react-scripts`, `vite`).
    pub builder: &'static str,
    /// The served folder, as displayed.
    pub served: String,
    /// Whether the build inlines a script of its own into the pages, whose text changes with every build
    /// (`react-scripts` inlines webpack's runtime unless INLINE_RUNTIME_CHUNK=false): the policy allows it with
    /// 'unsafe-inline', as no hash can be known ahead.
    pub inline_runtime: bool,
    /// Where the build's configuration lets it write an inline event handler into each page (Angular CLI's critical
    /// CSS inlining: `<link rel="stylesheet" media="print" onload="this.media='all'">`): the policy allows script
    /// attributes ('unsafe-inline' in scriptSrcAttr), and the finding names the option that turns it off there.
    pub inline_handler: Option<BuildHandler>,
}

/// An inline event handler a front-end build writes into its pages ([`UnreadBuild::inline_handler`]).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct BuildHandler {
    /// The configuration that decides it, as displayed, with the 1-based line to change (`client/angular.json:14`).
    pub config: String,
    /// What writes the handler, and the option that stops it, for the finding.
    pub what: &'static str,
}

/// Code that evaluates strings: a call (`eval(`, `new Function(`, `setTimeout('...')`) or a library known to compile
/// what it reads from the page with `new Function` ([`eval_library`]).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Evaluation {
    /// 1-based line of the call, or of the `<script src>` that loads the library.
    pub line: usize,
    /// What evaluates: `eval`, `new Function`, `a string given to setTimeout or setInterval`, or the library.
    pub what: &'static str,
}

impl ViewScan {
    /// Whether nothing in it meets the Content-Security-Policy.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.inline.is_empty()
            && self.external.is_empty()
            && self.runtime_hosts.is_empty()
            && self.evals.is_empty()
            && self.blob_workers.is_empty()
            && self.blob_sources.is_empty()
            && self.object_urls.is_empty()
            && self.own_objects.is_empty()
            && self.markers.is_empty()
            && self.leaflet_css.is_empty()
            && self.unsure.is_empty()
            && self.object_urls_made.is_empty()
            && self.unread_build.is_none()
            && self.wasm.is_empty()
            && self.refetches.is_empty()
            && self.computed_scripts.is_empty()
            && self.htmx.is_empty()
            && self.htmx_attrs.is_empty()
    }

    /// Puts each list in line order. Findings come out in scan order, which for nested or embedded markup is not
    /// always line order; a stable sort keeps same-line findings as written.
    pub fn sort(&mut self) {
        self.inline.sort_by_key(|f| f.line);
        self.external.sort_by_key(|f| f.line);
        self.runtime_hosts.sort_by_key(|f| f.line);
        self.evals.sort_by_key(|f| f.line);
        self.blob_workers.sort_unstable();
        self.blob_sources.sort_unstable();
        self.own_objects.sort_unstable();
        self.markers.sort_unstable();
        self.leaflet_css.sort_by_key(|f| f.line);
        self.object_urls_made.sort_unstable();
        self.wasm.sort_unstable();
        self.refetches.sort_unstable();
        self.computed_scripts.sort_unstable();
        self.dev_scripts.sort_unstable();
        self.htmx.sort_unstable();
        self.htmx_attrs.sort_by_key(|f| f.line);
    }

    /// Adds what `other` found, its lines moved down by `lines` (the scan of markup that starts on line `lines + 1` of
    /// a file).
    pub fn append(&mut self, other: ViewScan, lines: usize) {
        self.inline.extend(other.inline.into_iter().map(|c| InlineCode { line: c.line + lines, ..c }));
        self.external.extend(other.external.into_iter().map(|r| ExternalResource { line: r.line + lines, ..r }));
        self.runtime_hosts.extend(other.runtime_hosts.into_iter().map(|r| RuntimeHost { line: r.line + lines, ..r }));
        self.evals.extend(other.evals.into_iter().map(|e| Evaluation { line: e.line + lines, ..e }));
        self.blob_workers.extend(other.blob_workers.into_iter().map(|line| line + lines));
        self.blob_sources.extend(other.blob_sources.into_iter().map(|(line, kind)| (line + lines, kind)));
        self.object_urls.extend(other.object_urls.into_iter().map(|o| ObjectUrlSource { at: o.at + lines, ..o }));
        self.guessed_blobs.extend(other.guessed_blobs.into_iter().map(|line| line + lines));
        self.element_ids.extend(other.element_ids);
        self.own_objects.extend(other.own_objects.into_iter().map(|line| line + lines));
        self.markers.extend(other.markers.into_iter().map(|line| line + lines));
        self.leaflet_css.extend(other.leaflet_css.into_iter().map(|r| ExternalResource { line: r.line + lines, ..r }));
        self.own_css.extend(other.own_css.into_iter().map(|(line, url)| (line + lines, url)));
        self.script_urls.extend(other.script_urls.into_iter().map(|(line, url)| (line + lines, url)));
        self.unsure.extend(other.unsure.into_iter().map(|(line, what)| (line + lines, what)));
        self.object_urls_made.extend(other.object_urls_made.into_iter().map(|line| line + lines));
        self.wasm.extend(other.wasm.into_iter().map(|line| line + lines));
        self.refetches.extend(other.refetches.into_iter().map(|line| line + lines));
        self.computed_scripts.extend(other.computed_scripts.into_iter().map(|line| line + lines));
        self.wrappers.extend(other.wrappers.into_iter().map(|w| Wrapper { line: w.line + lines, ..w }));
        self.dev_scripts.extend(other.dev_scripts.into_iter().map(|line| line + lines));
        self.base_origins.extend(other.base_origins.into_iter().map(|(line, origin)| (line + lines, origin)));
        self.htmx.extend(other.htmx.into_iter().map(|line| line + lines));
        self.htmx_attrs.extend(other.htmx_attrs.into_iter().map(|e| Evaluation { line: e.line + lines, ..e }));
    }
}

/// A function of a page's script that connects to the URL its caller passes ([`ViewScan::wrappers`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wrapper {
    /// 1-based line of the call that connects (where the URL counts as computed until its callers are read).
    pub line: usize,
    /// The function's name.
    pub name: String,
    /// The index of its parameter that is the URL.
    pub index: usize,
}

/// What the callers of each function of `views` that connects to the URL it is passed ([`ViewScan::wrappers`],
/// `function api(path) { return fetch(path, ...) }`) pass it, read in `texts` (every script and page the app serves):
/// where it is called at all, its own computed URL goes, and each call counts as a connection of its caller's, at
/// its line: nothing for a path of the app's own (`api('/todos')`, `` api(`/todos/${id}`) ``), the host of an absolute
/// URL, and a URL known only at run time (every host) for an argument that is computed or a use of the function as a
/// value (`urls.map(api)`), at that caller, whose `csp-runtime-host` finding then names it.
pub fn resolve_wrappers(views: &mut Vec<(PathBuf, ViewScan)>, texts: &[(PathBuf, String)]) {
    let wrappers: Vec<(usize, Wrapper)> =
        views.iter().enumerate().flat_map(|(i, (_, scan))| scan.wrappers.iter().map(move |w| (i, w.clone()))).collect();
    for (i, wrapper) in wrappers {
        let found: Vec<(&PathBuf, ViewScan)> = texts
            .iter()
            .filter_map(|(path, text)| Some((path, wrapper_calls(text, &wrapper.name, wrapper.index)?)))
            .collect();
        if found.is_empty() {
            continue;
        }
        let own = &mut views[i].1.runtime_hosts;
        if let Some(at) = own.iter().position(|h| h.line == wrapper.line && h.kind == ResourceKind::Connect) {
            own.remove(at);
        }
        for (path, mut scan) in found {
            match views.iter().position(|(p, _)| p == path) {
                Some(at) => {
                    views[at].1.external.append(&mut scan.external);
                    views[at].1.runtime_hosts.append(&mut scan.runtime_hosts);
                    views[at].1.sort();
                }
                None => views.push((path.clone(), scan)),
            }
        }
    }
}

/// The connections of the calls of the function `name` in script text `text` (or a page's, whose handlers and scripts
/// call it), its parameter `index` being the URL ([`resolve_wrappers`]); `None` when the text names it nowhere but
/// where it is defined.
fn wrapper_calls(text: &str, name: &str, index: usize) -> Option<ViewScan> {
    let b = text.as_bytes();
    let mut scanner = Scanner::new(text);
    let mut any = false;
    for at in memchr::memmem::find_iter(b, name.as_bytes()) {
        let prev = at.checked_sub(1).map(|i| b[i]);
        let next = b.get(at + name.len()).copied();
        if prev.is_some_and(|c| is_ident(c) || c == b'$' || c == b'.') || next.is_some_and(|c| is_ident(c) || c == b'$')
        {
            continue;
        }
        let before = text[..at].trim_end();
        let after = skip_ws(b, at + name.len());
        // (Where it is defined or declared: `function api(`, `const api =`, `api = function`.)
        let assigned = b.get(after) == Some(&b'=') && !matches!(b.get(after + 1), Some(b'=' | b'>'));
        if ["function", "const", "let", "var"].iter().any(|k| before.ends_with(k)) || assigned {
            continue;
        }
        if b.get(after) != Some(&b'(') {
            // (Passed as a value, `urls.map(api)`, `onLoad: api`: what it is called with is not known. Elsewhere, as in
            // `'https://api.example.com'`, the name is no use of it.)
            let value = before.ends_with(['(', ',', '[', '=', ':', '?']) || before.ends_with("return");
            if value && matches!(b.get(after), None | Some(b')' | b',' | b';' | b']' | b'}' | b'\n' | b'\r')) {
                any = true;
                scanner.runtime_host(at, ResourceKind::Connect);
            }
            continue;
        }
        any = true;
        let mut arg = skip_ws(b, after + 1);
        for _ in 0..index {
            let end = js_expr_end(b, arg);
            arg = match b.get(end) {
                Some(b',') => skip_ws(b, end + 1),
                _ => b.len(),
            };
        }
        // (No such argument: `fetch(undefined)` asks for the page's own `undefined`.)
        if arg >= b.len() || b[arg] == b')' {
            continue;
        }
        match url_argument(text, arg) {
            None => {}
            Some(Some((url, complete))) => scanner.external(arg, ResourceKind::Connect, &url, complete),
            Some(None) => scanner.runtime_host(arg, ResourceKind::Connect),
        }
    }
    any.then_some(scanner.out)
}

/// Scans one template or HTML file's text. `path` only selects the syntax (pug/jade vs HTML-like); never reads the disk.
#[must_use]
pub fn scan_view(path: &Path, text: &str) -> ViewScan {
    let pug = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("pug") || e.eq_ignore_ascii_case("jade"));
    let mut scanner = Scanner::new(text);
    scanner.ejs = may_be_ejs(path);
    scanner.mustache = is_mustache(path);
    if pug {
        scanner.pug();
    } else {
        scanner.html();
    }
    let mut out = scanner.out;
    if is_mustache(path) {
        out.partial_tags = partial_tags(text);
    }
    out.sort();
    out
}

/// What a stylesheet's text loads (`@import`s, `url()`s), as the resources of a view; Leaflet's stylesheet imported
/// from another host in `leaflet_css`.
#[must_use]
pub fn scan_stylesheet(text: &str) -> ViewScan {
    let mut scanner = Scanner::new(text);
    scanner.css(0, text.len());
    scanner.out
}

/// What the script file `text` does that the policy governs ([`script_calls`]), as a scan of its own: the hosts it
/// connects to in `external`, computed URLs in `runtime_hosts` (all of kind [`ResourceKind::Connect`]), the strings it
/// evaluates and the `blob:` workers it starts.
#[must_use]
pub fn scan_connects(text: &str) -> ViewScan {
    if !may_hold_script_calls(text.as_bytes()) {
        return ViewScan::default();
    }
    scan_connects_found(text)
}

/// [`scan_connects`] of a text whose cheap test ([`may_hold_script_calls`]) was made and found something.
#[must_use]
pub fn scan_connects_found(text: &str) -> ViewScan {
    let mut scanner = Scanner::new(text);
    scanner.script_text(0, text.len());
    scanner.out
}

/// The text EJS sends for `text` (the whole of a `<script>`'s body, between `>` and `</script`) when its
/// `rmWhitespace` option is on. EJS (lib/ejs.js, `Template.generateSource`, the same from 3.x to 6.x) runs
/// `templateText.replace(/[\r\n]+/g, '\n').replace(/^\s+|\s+$/gm, '')` over the whole template: runs of line breaks
/// become one `\n`, and whitespace (JavaScript's `\s`) at the start or end of a line goes, line breaks of blank lines
/// with it. The script's body starts after `>` and ends before `<`, never whitespace, so no match crosses its ends and
/// the body alone gives the same result.
#[must_use]
pub fn ejs_rm_whitespace(text: &str) -> String {
    let mut collapsed = String::with_capacity(text.len());
    for c in text.chars() {
        let c = if c == '\r' { '\n' } else { c };
        if !(c == '\n' && collapsed.ends_with('\n')) {
            collapsed.push(c);
        }
    }
    let c: Vec<char> = collapsed.chars().collect();
    let n = c.len();
    // JavaScript's line terminators (`^` and `$` with the m flag) and `\s`.
    let terminator = |ch: char| matches!(ch, '\n' | '\r' | '\u{2028}' | '\u{2029}');
    let space = |ch: char| {
        matches!(ch, '\t' | '\n' | '\u{0B}' | '\u{0C}' | '\r' | ' ' | '\u{A0}' | '\u{1680}' | '\u{2000}'..='\u{200A}')
            || matches!(ch, '\u{2028}' | '\u{2029}' | '\u{202F}' | '\u{205F}' | '\u{3000}' | '\u{FEFF}')
    };
    // (Index 0 follows the tag's `>`, index n precedes `<`: neither is a line's start or end.)
    let line_start = |i: usize| i > 0 && terminator(c[i - 1]);
    let line_end = |i: usize| i < n && terminator(c[i]);
    let mut out = String::with_capacity(collapsed.len());
    let mut i = 0;
    while i < n {
        if !space(c[i]) {
            out.push(c[i]);
            i += 1;
            continue;
        }
        let mut run = i;
        while run < n && space(c[run]) {
            run += 1;
        }
        if line_start(i) {
            // `^\s+`, greedy.
            i = run;
            continue;
        }
        // `\s+$`: the longest match that ends at a line's end.
        if let Some(end) = (i + 1..=run).rev().find(|&k| line_end(k)) {
            i = end;
            continue;
        }
        // No match from here; none from later in the run either, unless a line starts there (after a terminator at
        // `i`, the only one the run can hold).
        if terminator(c[i]) {
            out.push(c[i]);
            i += 1;
        } else {
            out.extend(&c[i..run]);
            i = run;
        }
    }
    out
}

/// Whether EJS may render the file: `.ejs`, and `.html` or `.htm` (`app.engine('html', ejs.renderFile)`).
#[must_use]
pub fn may_be_ejs(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| ["ejs", "html", "htm"].iter().any(|x| e.eq_ignore_ascii_case(x)))
}

/// The helmet `contentSecurityPolicy.directives` that keep what the views do working under helmet's defaults, as
/// (camelCase directive name as helmet accepts it, e.g. "scriptSrc", sources in order). Only directives that need a
/// change; empty when helmet's defaults already allow everything found (https stylesheets and fonts are allowed by
/// default; http:// ones are not). helmet replaces a directive wholesale when one is given, which is why each one
/// repeats helmet's default sources first.
///
/// - Resources from other origins: the origins, sorted and deduplicated, in the directive that governs their kind.
/// - Inline `<script>`s whose text is fixed: each one's hash in `scriptSrc`, after the origins.
/// - An inline `<script>` whose text varies with the render, or a `javascript:` URL (CSP3 checks its navigation
///   against `script-src-elem`, which falls back to `script-src`; hashing it needs `'unsafe-hashes'`, which not every
///   browser applies to URLs): `'unsafe-inline'` in `scriptSrc`, and no hash, since a hash or nonce in a directive
///   makes browsers ignore its `'unsafe-inline'` (CSP3, "Does a source list allow all inline behavior for type?").
/// - Inline event handlers: `scriptSrcAttr: ['unsafe-inline']` (helmet's default is `'none'`). Hashes would need
///   `'unsafe-hashes'`, and a handler written in a view's template varies as its script would.
///
/// - Resources whose host is known only at run time ([`RuntimeHost`]): `*` in their directive (every host), since any
///   list would block the one the app is configured with.
/// - Code that evaluates strings ([`Evaluation`]): `'unsafe-eval'` in `scriptSrc`, after `'self'` (and
///   `'unsafe-inline'`).
/// - Workers started from `blob:` URLs: `workerSrc: ["'self'", 'blob:']`.
///
/// `hashable`: false when something rewrites the HTML on its way out (a minifier), so that a script's text in the
/// file may not be what the browser hashes: every inline script then counts as one that varies. `rm_whitespace`: EJS
/// renders with `rmWhitespace` (somewhere): the hash of each script's text as EJS then sends it goes with the one of
/// its text as written (which a view rendered without the option, or served as a static file, sends).
#[must_use]
pub fn csp_directives<'a>(
    scans: impl IntoIterator<Item = &'a ViewScan>,
    hashable: bool,
    rm_whitespace: bool,
) -> Vec<(String, Vec<String>)> {
    let mut needed: BTreeMap<&'static str, (&'static [&'static str], BTreeSet<&'a str>)> = BTreeMap::new();
    let mut hashes: BTreeSet<&'a str> = BTreeSet::new();
    let (mut unsafe_script, mut unsafe_attr) = (false, false);
    let (mut evaluates, mut blob_workers, mut wasm) = (false, false, false);
    let (mut markers, mut leaflet_css) = (false, BTreeSet::new());
    let mut object_urls = false;
    for scan in scans {
        object_urls |= !scan.object_urls_made.is_empty();
        evaluates |= !scan.evals.is_empty();
        markers |= !scan.markers.is_empty();
        leaflet_css.extend(scan.leaflet_css.iter().map(|css| css.origin.as_str()));
        blob_workers |= !scan.blob_workers.is_empty();
        wasm |= !scan.wasm.is_empty();
        unsafe_script |= scan.unread_build.as_ref().is_some_and(|b| b.inline_runtime);
        unsafe_attr |= scan.unread_build.as_ref().is_some_and(|b| b.inline_handler.is_some());
        for resource in &scan.external {
            let (name, defaults) = directive(resource.kind);
            if defaults.contains(&"https:") && resource.origin.starts_with("https://") {
                continue;
            }
            needed.entry(name).or_insert_with(|| (defaults, BTreeSet::new())).1.insert(&resource.origin);
        }
        for resource in &scan.runtime_hosts {
            // (A script from a host known only at run time calls home there: an analytics script posts its events to
            // its own origin, Plausible's `/api/event`, Umami's `/api/send`; no list can name that host either.)
            let calls_home = (resource.kind == ResourceKind::Script).then_some(ResourceKind::Connect);
            for kind in std::iter::once(resource.kind).chain(calls_home) {
                let (name, defaults) = directive(kind);
                needed.entry(name).or_insert_with(|| (defaults, BTreeSet::new())).1.insert(ANY_HOST);
            }
        }
        // (Object URLs shown as images or media, and the app's own files in `<object>`/`<embed>`: sources of the
        // directive of their kind, as hosts are.)
        let own = scan.own_objects.iter().map(|_| (ResourceKind::Object, SELF));
        // (An `<embed>` or `<object>` not in the markup may be inserted before its URL is set, `innerHTML = '<embed
        // id="doc-view">'`: Chromium checks the empty URL, the page's own, against object-src.)
        let unset = scan
            .blob_sources
            .iter()
            .filter(|(line, kind)| *kind == ResourceKind::Object && scan.guessed_blobs.contains(line));
        let own = own.chain(unset.map(|_| (ResourceKind::Object, SELF)));
        for (kind, source) in scan.blob_sources.iter().map(|(_, kind)| (*kind, BLOB)).chain(own) {
            let (name, defaults) = directive(kind);
            needed.entry(name).or_insert_with(|| (defaults, BTreeSet::new())).1.insert(source);
        }
        for (_, origin) in &scan.base_origins {
            needed.entry("baseUri").or_insert_with(|| (&["'self'"], BTreeSet::new())).1.insert(origin);
        }
        for code in &scan.inline {
            match (code.kind, &code.hash) {
                (InlineKind::Script, Some(hash)) if hashable => {
                    hashes.insert(hash);
                    if let Some(trimmed) = code.trimmed_hash.as_deref().filter(|_| rm_whitespace) {
                        hashes.insert(trimmed);
                    }
                    hashes.extend(code.more_hashes.iter().map(String::as_str));
                }
                (InlineKind::Script | InlineKind::JavascriptUrl, _) => unsafe_script = true,
                (InlineKind::EventHandler, _) => unsafe_attr = true,
            }
        }
    }
    // (Chromium shows a PDF or a page in an `<object>`/`<embed>` in a nested frame, which frame-src governs too: each
    // source other than the app's own, which frame-src allows already, goes there as well.)
    let plugin: Vec<&str> = needed
        .get(directive(ResourceKind::Object).0)
        .map(|(_, sources)| sources.iter().copied().filter(|s| *s != SELF).collect())
        .unwrap_or_default();
    if !plugin.is_empty() {
        let (name, defaults) = directive(ResourceKind::Frame);
        needed.entry(name).or_insert_with(|| (defaults, BTreeSet::new())).1.extend(plugin);
    }
    if markers && !leaflet_css.is_empty() {
        // (The markers' default icons, from the folder of Leaflet's stylesheet.)
        let (name, defaults) = directive(ResourceKind::Image);
        needed.entry(name).or_insert_with(|| (defaults, BTreeSet::new())).1.extend(leaflet_css);
    }
    let mut directives: BTreeMap<&'static str, Vec<String>> = needed
        .into_iter()
        .map(|(name, (defaults, mut origins))| {
            // (Every host: no other is worth naming.)
            if origins.contains(ANY_HOST) {
                origins.retain(|o| *o == ANY_HOST);
            }
            // (A host named without a scheme, from a scheme-relative URL, already allows it over https.)
            let bare: BTreeSet<&str> = origins.iter().copied().filter(|o| !o.contains("://")).collect();
            origins.retain(|o| o.strip_prefix("https://").is_none_or(|host| !bare.contains(host)));
            (name, defaults.iter().copied().chain(origins).map(str::to_string).collect())
        })
        .collect();
    if object_urls {
        // (`*` matches URLs of network schemes only, CSP3's "Does url match expression in origin with redirect
        // count?": an object URL shown in an element, or fetched, of a directive that allows every host needs blob:
        // beside it.)
        let shown = [ResourceKind::Image, ResourceKind::Media, ResourceKind::Frame, ResourceKind::Object];
        for kind in shown.into_iter().chain([ResourceKind::Connect]) {
            let sources = directives.get_mut(directive(kind).0).filter(|s| s.iter().any(|s| s == ANY_HOST));
            if let Some(sources) = sources.filter(|s| !s.iter().any(|s| s == BLOB)) {
                sources.push(BLOB.to_string());
            }
        }
    }
    if unsafe_script || !hashes.is_empty() {
        let (name, defaults) = directive(ResourceKind::Script);
        let sources = directives.entry(name).or_insert_with(|| defaults.iter().map(ToString::to_string).collect());
        if unsafe_script {
            sources.insert(defaults.len(), UNSAFE_INLINE.to_string());
        } else {
            sources.extend(hashes.into_iter().map(str::to_string));
        }
    }
    if evaluates {
        let (name, defaults) = directive(ResourceKind::Script);
        let sources = directives.entry(name).or_insert_with(|| defaults.iter().map(ToString::to_string).collect());
        let at = defaults.len() + usize::from(unsafe_script);
        sources.insert(at, UNSAFE_EVAL.to_string());
    }
    if wasm {
        let (name, defaults) = directive(ResourceKind::Script);
        let sources = directives.entry(name).or_insert_with(|| defaults.iter().map(ToString::to_string).collect());
        let at = defaults.len() + usize::from(unsafe_script) + usize::from(evaluates);
        sources.insert(at, WASM_UNSAFE_EVAL.to_string());
    }
    if unsafe_attr {
        directives.insert("scriptSrcAttr", vec![UNSAFE_INLINE.to_string()]);
    }
    if blob_workers {
        // (CSP3's fallback for workers is worker-src, then child-src, then script-src: with helmet's script-src 'self'
        // and no worker-src, a blob: worker is blocked; 'self' keeps the app's own worker scripts.)
        directives.insert(WORKER_SRC, vec!["'self'".to_string(), "blob:".to_string()]);
    }
    directives.into_iter().map(|(name, sources)| (name.to_string(), sources)).collect()
}

/// The CSP keyword that lets scripts compile WebAssembly (and nothing else `'unsafe-eval'` allows).
pub const WASM_UNSAFE_EVAL: &str = "'wasm-unsafe-eval'";

/// The CSP keyword of the page's own origin.
const SELF: &str = "'self'";

/// The CSP scheme source of object URLs (`URL.createObjectURL`).
const BLOB: &str = "blob:";

/// The CSP keyword that allows every inline script (or handler) of a directive's kind.
pub const UNSAFE_INLINE: &str = "'unsafe-inline'";

/// The CSP keyword that lets a directive's scripts turn strings into code (`eval`, `new Function`).
pub const UNSAFE_EVAL: &str = "'unsafe-eval'";

/// The helmet directive of workers, which helmet does not set (it falls back to `script-src`).
pub const WORKER_SRC: &str = "workerSrc";

/// The CSP source that matches every host (of the http(s) and ws(s) schemes).
pub const ANY_HOST: &str = "*";

/// The name of the helmet directive (camelCase) that governs resources of `kind`.
#[must_use]
pub fn directive_of(kind: ResourceKind) -> &'static str {
    directive(kind).0
}

/// helmet 8's effective sources for the directive helmet calls `name` (`imgSrc`): those of the kind it governs, and
/// `'self'` for the others it leaves to `default-src 'self'` (`workerSrc` falls back to `script-src 'self'`).
#[must_use]
pub fn default_sources(name: &str) -> &'static [&'static str] {
    use ResourceKind as K;
    const KINDS: [ResourceKind; 9] =
        [K::Script, K::Style, K::Image, K::Font, K::Frame, K::Media, K::Form, K::Connect, K::Object];
    KINDS.iter().map(|kind| directive(*kind)).find(|(n, _)| *n == name).map_or(&["'self'"], |(_, sources)| sources)
}

/// helmet 8's effective sources for each kind: frame-src and media-src are not
/// set by helmet, so they fall back to its `default-src 'self'`; form-action is `'self'`.
fn directive(kind: ResourceKind) -> (&'static str, &'static [&'static str]) {
    match kind {
        ResourceKind::Script => ("scriptSrc", &["'self'"]),
        ResourceKind::Style => ("styleSrc", &["'self'", "https:", "'unsafe-inline'"]),
        ResourceKind::Image => ("imgSrc", &["'self'", "data:"]),
        ResourceKind::Font => ("fontSrc", &["'self'", "https:", "data:"]),
        ResourceKind::Frame => ("frameSrc", &["'self'"]),
        ResourceKind::Media => ("mediaSrc", &["'self'"]),
        ResourceKind::Form => ("formAction", &["'self'"]),
        ResourceKind::Connect => ("connectSrc", &["'self'"]),
        // (helmet's `object-src 'none'`, which no other source may join: the sources needed replace it.)
        ResourceKind::Object => ("objectSrc", &[]),
    }
}

/// Template delimiters of EJS, Handlebars/Mustache and Nunjucks. Their contents
/// are code, not markup: skipping them keeps `<% if (a > b) { %>` from ending a
/// tag and `<%# <script> %>` from counting as a script. Handlebars' `{{!-- --}}`
/// comes first because it may contain `}}`. All are honoured in every HTML-like
/// file because `.html` views are routinely rendered by EJS or Nunjucks.
const TEMPLATES: [(&[u8], &[u8]); 5] =
    [(b"{{!--", b"--}}"), (b"<%", b"%>"), (b"{{", b"}}"), (b"{%", b"%}"), (b"{#", b"#}")];

/// The text Pug (2 and 3, without its deprecated `pretty` option) sends for the block of a `script.` whose lines are
/// `block` (`at_end`: nothing follows it in the file), as pug-lexer's `pipelessText` reads it: leading blank lines
/// dropped, the indentation of the least indented line removed from every line (a shorter blank line becomes
/// empty), the lines joined by `\n`, and, at the end of the file only, trailing empty lines dropped (blank lines
/// before the next statement are part of the text). Checked against pug 3.0.4's `render`.
fn pug_text_block(block: &str, at_end: bool) -> String {
    let block = block.strip_suffix('\n').unwrap_or(block);
    let lines: Vec<&str> = block.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l)).collect();
    let blank = |l: &str| l.bytes().all(|c| c == b' ' || c == b'\t');
    let first = lines.iter().position(|l| !blank(l)).unwrap_or(lines.len());
    let lines = &lines[first..];
    let indent = |l: &str| l.bytes().take_while(|c| *c == b' ' || *c == b'\t').count();
    let strip = lines.iter().filter(|l| !blank(l)).map(|l| indent(l)).min().unwrap_or(0);
    let mut tokens: Vec<&str> = lines.iter().map(|l| l.get(strip..).unwrap_or("")).collect();
    while at_end && tokens.last() == Some(&"") {
        tokens.pop();
    }
    tokens.join("\n")
}

/// Whether text Pug sends in a script varies with the render ([`varies`]) or is rewritten by Pug: tag interpolation
/// `#[...]`, and escaped interpolation (`\#{`), sent without its backslash.
fn pug_varies(text: &str) -> bool {
    varies(text.as_bytes()) || text.contains("#[") || text.contains("\\#") || text.contains("\\!")
}

/// Pug keywords that start a line like a tag name would but are not elements.
const PUG_KEYWORDS: [&str; 17] = [
    "append", "block", "case", "default", "doctype", "each", "else", "extends", "for", "if", "include", "mixin",
    "prepend", "unless", "when", "while", "yield",
];

/// Attributes whose `javascript:` value runs code when followed or submitted.
const URL_ATTRIBUTES: [&str; 5] = ["href", "src", "action", "formaction", "xlink:href"];

/// The HTML standard's JavaScript MIME types; any other `type` makes a script a
/// data block the browser never runs, so the CSP does not care about it.
const JS_MIME_TYPES: [&str; 16] = [
    "application/ecmascript",
    "application/javascript",
    "application/x-ecmascript",
    "application/x-javascript",
    "text/ecmascript",
    "text/javascript",
    "text/javascript1.0",
    "text/javascript1.1",
    "text/javascript1.2",
    "text/javascript1.3",
    "text/javascript1.4",
    "text/javascript1.5",
    "text/jscript",
    "text/livescript",
    "text/x-ecmascript",
    "text/x-javascript",
];

/// Where a Pug line's indented block goes: its contents are text, not Pug.
#[derive(Clone, Copy)]
enum Block {
    /// A comment or a filter: nothing in it reaches the browser as markup.
    Opaque,
    /// The body of the `<script>` that starts at this offset (Jade's `script` with a block: text once, Pug since).
    Script(usize),
    /// The text block of Pug's `script.` that starts at this offset, which Pug sends as [`pug_text_block`] says.
    ScriptText(usize),
    Css,
    /// Pug's `tag.` text is emitted unescaped, so it can hold raw HTML.
    Html,
}

/// What follows a Pug tag and its attributes on the same line.
enum Tail {
    Nothing,
    /// `tag.`: the indented block below is text.
    Dot,
    /// `tag text`: text starting at this offset.
    Text(usize),
    /// `tag= expr` / `tag!= expr`.
    Code,
    /// `tag: child`: the child tag starts at this offset.
    Chain(usize),
}

/// An attribute as written; `off` is where its name starts, for line numbers.
struct Attr {
    name: String,
    off: usize,
    value: Option<Value>,
}

/// An attribute value as a byte range of the source. `literal` is false for
/// Pug expressions such as `cdn + '/x.js'`, whose value is unknown; `complete`
/// is false when a Pug string literal is only the start of a longer expression,
/// so a host in it may continue past the literal.
#[derive(Clone, Copy)]
struct Value {
    off: usize,
    len: usize,
    literal: bool,
    complete: bool,
}

struct Scanner<'a> {
    text: &'a str,
    b: &'a [u8],
    lines: crate::lines::LineIndex,
    /// Last search for each template closer: (searched from, found at). An
    /// unclosed `{{` repeated through a large file would otherwise make each
    /// occurrence rescan to the end.
    closers: [(usize, Option<usize>); TEMPLATES.len()],
    out: ViewScan,
    /// The file is one EJS may render: its fixed scripts also get the hash of their text after `rmWhitespace`.
    ejs: bool,
    /// The origin of the page's `<base href>` when it is another site's: relative URLs after it resolve there.
    base: Option<String>,
    /// Handlebars or Mustache: a multi-line script's text is kept for [`indent_partials`].
    mustache: bool,
    /// Pug: the values of the names a code line declares once in the template (`- const url = `/delete/${id}``).
    pug_constants: BTreeMap<String, Value>,
}

impl<'a> Scanner<'a> {
    fn new(text: &'a str) -> Self {
        let b = text.as_bytes();
        let lines = crate::lines::LineIndex::new(text);
        let closers = [(usize::MAX, None); TEMPLATES.len()];
        let pug_constants = BTreeMap::new();
        Scanner {
            text,
            b,
            lines,
            closers,
            out: ViewScan::default(),
            ejs: false,
            base: None,
            mustache: false,
            pug_constants,
        }
    }

    fn line(&self, off: usize) -> usize {
        self.lines.line(off)
    }

    fn inline(&mut self, off: usize, kind: InlineKind) {
        let line = self.line(off);
        self.out.inline.push(InlineCode::unhashed(line, kind));
    }

    fn external(&mut self, off: usize, kind: ResourceKind, url: &str, complete: bool) {
        // (A relative URL under another site's `<base href>` is that site's.)
        if let Some(base) = self.base.clone().filter(|_| is_relative(url)) {
            let line = self.line(off);
            self.out.external.push(ExternalResource { line, kind, origin: base });
            return;
        }
        if kind == ResourceKind::Script && is_live_reload(url) {
            let line = self.line(off);
            self.out.dev_scripts.push(line);
            return;
        }
        if let Some(origin) = origin_of(url, complete) {
            let line = self.line(off);
            self.out.external.push(ExternalResource { line, kind, origin });
        } else if runtime_host(url, complete) {
            self.runtime_host(off, kind);
        }
    }

    /// What the script text between `from` and `to` connects to, evaluates and starts as a worker ([`script_calls`]).
    fn script_text(&mut self, from: usize, to: usize) {
        let Some(text) = self.text.get(from..to) else { return };
        let calls = script_calls(text);
        let connects = calls.connects.into_iter().map(|call| (ResourceKind::Connect, call));
        for (kind, (at, url)) in connects.chain(calls.images.into_iter().map(|call| (ResourceKind::Image, call))) {
            match url {
                Some((url, complete)) => self.external(from + at, kind, &url, complete),
                None => self.runtime_host(from + at, kind),
            }
        }
        for (at, what) in calls.evals {
            let line = self.line(from + at);
            self.out.evals.push(Evaluation { line, what });
        }
        for at in calls.blob_workers {
            let line = self.line(from + at);
            self.out.blob_workers.push(line);
        }
        for at in calls.handlers {
            self.inline(from + at, InlineKind::EventHandler);
        }
        for source in calls.blob_sources {
            let at = self.line(from + source.at);
            self.out.object_urls.push(ObjectUrlSource { at, ..source });
        }
        for at in calls.markers {
            let line = self.line(from + at);
            self.out.markers.push(line);
        }
        for at in calls.object_urls_made {
            let line = self.line(from + at);
            self.out.object_urls_made.push(line);
        }
        for (at, kind, url, complete) in calls.created {
            self.external(from + at, kind, &url, complete);
        }
        for at in calls.wasm {
            let line = self.line(from + at);
            self.out.wasm.push(line);
        }
        for (at, name, index) in calls.wrappers {
            let line = self.line(from + at);
            self.out.wrappers.push(Wrapper { line, name, index });
        }
        for at in calls.computed_scripts {
            let line = self.line(from + at);
            self.out.computed_scripts.push(line);
        }
        for at in calls.refetches {
            let line = self.line(from + at);
            self.out.refetches.push(line);
        }
        for (at, specifier) in imports(text) {
            let line = self.line(from + at);
            if let Some(what) = eval_library(specifier) {
                self.out.evals.push(Evaluation { line, what });
            }
            if is_htmx(specifier) {
                self.out.htmx.push(line);
            }
        }
    }

    /// The module scripts an import map (`<script type="importmap">`, its text between `from` and `to`) names: every
    /// URL of its `imports` and of each of its `scopes`, a script whose host script-src must allow (Chromium checks
    /// the modules a bare specifier resolves to against it) and a library [`eval_library`] may know.
    fn import_map(&mut self, from: usize, to: usize) {
        let Some(text) = self.text.get(from..to) else { return };
        let Ok(map) = serde_json::from_str::<serde_json::Value>(text) else { return };
        let scopes = map.get("scopes").and_then(serde_json::Value::as_object);
        let maps = map.get("imports").into_iter().chain(scopes.into_iter().flat_map(|s| s.values()));
        let urls: Vec<String> = maps
            .filter_map(serde_json::Value::as_object)
            .flat_map(|m| m.values().filter_map(|v| v.as_str().map(str::to_string)))
            .collect();
        for url in urls {
            // (At the URL's line as written; JSON escapes in it are rare enough to fall back on the map's first line.)
            let at = from + text.find(url.as_str()).unwrap_or(0);
            self.external(at, ResourceKind::Script, &url, true);
            let line = self.line(at);
            if let Some(what) = eval_library(&url) {
                self.out.evals.push(Evaluation { line, what });
            }
            if is_htmx(&url) {
                self.out.htmx.push(line);
            }
        }
    }

    fn runtime_host(&mut self, off: usize, kind: ResourceKind) {
        let line = self.line(off);
        self.out.runtime_hosts.push(RuntimeHost { line, kind });
    }

    fn value_text(&self, v: &Value) -> Cow<'a, str> {
        let b: &'a [u8] = self.b;
        String::from_utf8_lossy(&b[v.off..v.off + v.len])
    }

    fn attr_text(&self, attrs: &[Attr], name: &str) -> Option<Cow<'a, str>> {
        let v = find_attr(attrs, name)?.value.as_ref()?;
        v.literal.then(|| self.value_text(v))
    }

    /// If a template tag starts at `i`, the offset just past its end.
    fn template_end(&mut self, i: usize) -> Option<usize> {
        let rest = self.b.get(i..)?;
        let k = TEMPLATES.iter().position(|(open, _)| rest.starts_with(open))?;
        let (open, close) = TEMPLATES[k];
        let from = i + open.len();
        let (searched, found) = self.closers[k];
        let found = if from >= searched && found.is_none_or(|f| from <= f) {
            found
        } else {
            let f = find(self.b, from, close);
            self.closers[k] = (from, f);
            f
        };
        found.map(|f| f + close.len())
    }

    // ---- HTML-like syntaxes ----

    fn html(&mut self) {
        let b = self.b;
        let mut i = 0;
        while i < b.len() {
            i = match b[i] {
                b'<' if b[i..].starts_with(b"<!--") => find(b, i + 4, b"-->").map_or(b.len(), |p| p + 3),
                b'<' if b.get(i + 1).is_some_and(u8::is_ascii_alphabetic) => self.html_tag(i),
                b'<' | b'{' => self.template_end(i).unwrap_or(i + 1),
                _ => i + 1,
            };
        }
    }

    /// Scans the tag starting at `start` (`<` then a letter); returns where scanning goes on.
    fn html_tag(&mut self, start: usize) -> usize {
        let b = self.b;
        let n = b.len();
        let mut i = start + 1;
        while i < n && (b[i].is_ascii_alphanumeric() || matches!(b[i], b'-' | b':' | b'_')) {
            i += 1;
        }
        let name = lower(&b[start + 1..i]);
        let mut attrs = Vec::new();
        loop {
            if i >= n {
                // Browsers drop a tag that the end of the file cuts off.
                return n;
            }
            let c = b[i];
            if c == b'>' {
                i += 1;
                break;
            }
            if c.is_ascii_whitespace() || c == b'/' {
                i += 1;
                continue;
            }
            if let Some(end) = self.template_end(i) {
                i = end;
                continue;
            }
            let name_start = i;
            while i < n && !is_attr_name_stop(b, i) {
                i += 1;
            }
            if i == name_start {
                i += 1;
                continue;
            }
            let attr_name = lower(&b[name_start..i]);
            let j = skip_ws(b, i);
            let value = if b.get(j) == Some(&b'=') {
                let (v, next) = self.html_value(skip_ws(b, j + 1));
                i = next;
                Some(v)
            } else {
                None
            };
            attrs.push(Attr { name: attr_name, off: name_start, value });
        }
        self.tag_findings(&name, &attrs);
        // Raw-text elements: their contents are not markup, so `<` inside them
        // must not start tags.
        match name.as_str() {
            // A client-side template kept in a script element: its body is markup the page's scripts insert, read
            // as markup (as a `<template>` element's is).
            "script" if self.holds_markup(&attrs) => i,
            "script" => {
                let end = find_ci(b, i, b"</script").unwrap_or(n);
                // (A script the end of the file cuts off never runs: no hash for it.)
                let text: &'a str = self.text;
                let fixed = (end < n && !varies(&b[i..end])).then(|| &text[i..end]);
                self.script(start, &attrs, has_non_ws(&b[i..end]), fixed);
                if self.inline_script_possible(&attrs) {
                    self.script_text(i, end);
                }
                if fixed.is_some()
                    && self.attr_text(&attrs, "type").is_some_and(|t| t.trim().eq_ignore_ascii_case("importmap"))
                {
                    self.import_map(i, end);
                }
                end
            }
            "style" => {
                let end = find_ci(b, i, b"</style").unwrap_or(n);
                self.css(i, end);
                end
            }
            "textarea" | "title" | "xmp" => find_ci(b, i, format!("</{name}").as_bytes()).unwrap_or(n),
            _ => i,
        }
    }

    /// Reads an attribute value at `j`; returns it and the offset after it.
    fn html_value(&mut self, j: usize) -> (Value, usize) {
        let b = self.b;
        let n = b.len();
        let quote = b.get(j).copied().filter(|&c| c == b'"' || c == b'\'');
        let start = if quote.is_some() { j + 1 } else { j };
        let mut k = start;
        while k < n {
            let c = b[k];
            let stop = match quote {
                Some(q) => c == q,
                None => c.is_ascii_whitespace() || c == b'>',
            };
            if stop {
                break;
            }
            // A template tag may hold quotes or `>`: `src="<%= url("x") %>"`.
            k = if c == b'<' || c == b'{' { self.template_end(k).unwrap_or(k + 1) } else { k + 1 };
        }
        let k = k.min(n);
        let next = if quote.is_some() && k < n { k + 1 } else { k };
        let value = Value { off: start, len: k - start, literal: true, complete: true };
        (value, next)
    }

    // ---- shared by both syntaxes ----

    /// Findings that depend only on the tag and its attributes (not on its body).
    fn tag_findings(&mut self, tag: &str, attrs: &[Attr]) {
        for a in attrs {
            let value = a.value.as_ref();
            // Pug drops an attribute whose value is false, null or undefined.
            let dropped = value
                .is_some_and(|v| !v.literal && matches!(self.value_text(v).trim(), "false" | "null" | "undefined"));
            if is_event_handler(&a.name) && !dropped {
                self.inline(a.off, InlineKind::EventHandler);
            }
            let text = value.filter(|v| v.literal).map(|v| self.value_text(v));
            if let Some(what) = htmx_attribute(&a.name, text.as_deref()).filter(|_| !dropped) {
                let line = self.line(a.off);
                self.out.htmx_attrs.push(Evaluation { line, what });
            }
            if URL_ATTRIBUTES.contains(&a.name.as_str())
                && value.is_some_and(|v| {
                    v.literal && is_javascript_url(&self.value_text(v)) && !does_nothing(&self.value_text(v))
                })
            {
                self.inline(a.off, InlineKind::JavascriptUrl);
            }
            if let Some(v) = value.filter(|v| a.name == "style" && v.literal) {
                self.css(v.off, v.off + v.len);
            }
            // (An iframe's `srcdoc` is a document of its own, which runs under the page's policy: its inline
            // scripts, handlers and resources count as the page's, at the attribute's lines.)
            if let Some(v) = value.filter(|v| a.name == "srcdoc" && v.literal && tag.eq_ignore_ascii_case("iframe")) {
                let doc = decode_entities(&self.value_text(v));
                let inner = scan_view(Path::new("srcdoc.html"), &doc);
                let lines = self.line(v.off) - 1;
                self.out.append(inner, lines);
            }
        }
        let attr = |name: &str| find_attr(attrs, name);
        if let Some(kind) = element_kind(tag) {
            if let Some(id) = self.attr_text(attrs, "id") {
                self.out.element_ids.push((id.trim().to_string(), kind));
            }
            // (Each class as `.name`, for `querySelector('.name')`.)
            if let Some(classes) = self.attr_text(attrs, "class") {
                self.out.element_ids.extend(classes.split_ascii_whitespace().map(|c| (format!(".{c}"), kind)));
            }
        }
        match tag {
            "link" => self.link(attrs),
            "img" => {
                self.resource(attr("src"), ResourceKind::Image);
                self.srcset(attr("srcset"), ResourceKind::Image);
            }
            "source" => {
                // In <picture> a source has srcset (images); in <video>/<audio>, src.
                self.resource(attr("src"), ResourceKind::Media);
                self.srcset(attr("srcset"), ResourceKind::Image);
            }
            "video" => {
                self.resource(attr("src"), ResourceKind::Media);
                self.resource(attr("poster"), ResourceKind::Image);
            }
            "audio" | "track" => self.resource(attr("src"), ResourceKind::Media),
            "iframe" | "frame" => self.resource(attr("src"), ResourceKind::Frame),
            "form" => self.resource(attr("action"), ResourceKind::Form),
            "input" if self.attr_text(attrs, "type").is_some_and(|t| t.trim().eq_ignore_ascii_case("image")) => {
                self.resource(attr("src"), ResourceKind::Image);
            }
            // SVG <image>.
            "image" => self.resource(attr("href").or(attr("xlink:href")), ResourceKind::Image),
            "object" => self.object(attr("data")),
            "embed" => self.object(attr("src")),
            "base" => {
                let href = attr("href").and_then(|a| Some((a.off, a.value?)));
                if let Some((off, v)) = href.filter(|(_, v)| v.literal) {
                    if let Some(origin) = origin_of(self.value_text(&v).trim(), v.complete) {
                        let line = self.line(off);
                        self.out.base_origins.push((line, origin.clone()));
                        self.base = Some(origin);
                    }
                }
            }
            _ => {}
        }
        if matches!(tag, "button" | "input") {
            self.resource(attr("formaction"), ResourceKind::Form);
        }
    }

    /// True when this `<script>` would run a body of its own.
    fn inline_script_possible(&self, attrs: &[Attr]) -> bool {
        find_attr(attrs, "src").is_none() && self.executable(attrs)
    }

    fn executable(&self, attrs: &[Attr]) -> bool {
        let Some(v) = find_attr(attrs, "type").and_then(|a| a.value.as_ref()) else {
            return true;
        };
        if !v.literal {
            // Unknown at scan time: report rather than stay silent.
            return true;
        }
        let t = self.value_text(v).trim().to_ascii_lowercase();
        let essence = t.split(';').next().unwrap_or("").trim();
        essence.is_empty()
            || starts_with_template(essence)
            // importmap and speculationrules are JSON, but CSP treats them as inline scripts.
            || matches!(essence, "module" | "importmap" | "speculationrules")
            || JS_MIME_TYPES.contains(&essence)
    }

    /// True when this `<script>` is no script but a client-side template, markup the page's scripts copy into it
    /// (Underscore's, Handlebars', Knockout's, Vue's x-templates, AngularJS's ng-templates, jsrender's): its `type` is
    /// not JavaScript and names a template or HTML (`text/x-template`, `text/template`, `text/html`,
    /// `text/x-handlebars-template`, `text/ng-template`, `text/x-jsrender`), and no JSON (a data block).
    fn holds_markup(&self, attrs: &[Attr]) -> bool {
        if self.executable(attrs) {
            return false;
        }
        let Some(v) = find_attr(attrs, "type").and_then(|a| a.value.as_ref()) else { return false };
        let t = self.value_text(v).trim().to_ascii_lowercase();
        let essence = t.split(';').next().unwrap_or("").trim();
        !essence.contains("json")
            && ["template", "html", "handlebars", "mustache", "tmpl", "jsrender"].iter().any(|k| essence.contains(k))
    }

    /// A `<script>` tag at `tag_off`; `fixed` is its text when that is the same on every render.
    fn script(&mut self, tag_off: usize, attrs: &[Attr], has_body: bool, fixed: Option<&str>) {
        if !self.executable(attrs) {
            return;
        }
        match find_attr(attrs, "src") {
            // A script with src ignores its body.
            Some(src) => {
                self.resource(Some(src), ResourceKind::Script);
                let url = src.value.filter(|v| v.literal).map(|v| self.value_text(&v));
                if let Some(what) = url.as_deref().and_then(eval_library) {
                    let line = self.line(src.off);
                    self.out.evals.push(Evaluation { line, what });
                }
                if url.as_deref().is_some_and(is_htmx) {
                    let line = self.line(src.off);
                    self.out.htmx.push(line);
                }
                if let Some(url) = url {
                    let line = self.line(src.off);
                    self.out.script_urls.push((line, url.into_owned()));
                }
            }
            None if has_body => {
                self.inline(tag_off, InlineKind::Script);
                let trimmed = fixed.filter(|_| self.ejs).map(|text| csp_hash(&ejs_rm_whitespace(text)));
                if let Some(last) = self.out.inline.last_mut() {
                    last.hash = fixed.map(csp_hash);
                    last.trimmed_hash = trimmed.filter(|t| last.hash.as_ref() != Some(t));
                    last.lines_text = fixed.filter(|t| self.mustache && t.contains('\n')).map(str::to_string);
                }
            }
            None => {}
        }
    }

    fn link(&mut self, attrs: &[Attr]) {
        let lowered = |name| self.attr_text(attrs, name).map(|t| t.to_ascii_lowercase()).unwrap_or_default();
        let rel = lowered("rel");
        let rel: Vec<&str> = rel.split_ascii_whitespace().collect();
        let kind = if rel.contains(&"stylesheet") {
            Some(ResourceKind::Style)
        } else if rel.contains(&"modulepreload") {
            Some(ResourceKind::Script)
        } else if rel.contains(&"preload") {
            match lowered("as").trim() {
                "font" => Some(ResourceKind::Font),
                "script" => Some(ResourceKind::Script),
                "style" => Some(ResourceKind::Style),
                "image" => Some(ResourceKind::Image),
                "audio" | "video" | "track" => Some(ResourceKind::Media),
                _ => None,
            }
        } else if rel.iter().any(|r| r.ends_with("icon")) {
            // icon, apple-touch-icon, mask-icon: fetched under img-src.
            Some(ResourceKind::Image)
        } else {
            None
        };
        if let Some(kind) = kind {
            let found = self.out.external.len();
            let href = find_attr(attrs, "href");
            self.resource(href, kind);
            let url = self.attr_text(attrs, "href").unwrap_or_default();
            if kind == ResourceKind::Style {
                self.leaflet_stylesheet(found, &url);
                let own = self.out.external.len() == found && !url.trim().is_empty() && !url.contains("//");
                if let Some(attr) = href.filter(|_| own && !url.trim_start().starts_with("data:")) {
                    let line = self.line(attr.off);
                    self.out.own_css.push((line, url.trim().to_string()));
                }
            }
            if kind == ResourceKind::Image {
                self.srcset(find_attr(attrs, "imagesrcset"), kind);
            }
        }
    }

    /// Keeps the resources found from `found` on as Leaflet's stylesheets when `url` is one (`leaflet.css`).
    fn leaflet_stylesheet(&mut self, found: usize, url: &str) {
        let file = url.split(['?', '#']).next().unwrap_or_default().rsplit('/').next().unwrap_or_default();
        let file = file.trim().to_ascii_lowercase();
        if file.starts_with("leaflet") && file.ends_with(".css") {
            let leaflet = self.out.external.get(found..).unwrap_or_default().to_vec();
            self.out.leaflet_css.extend(leaflet);
        }
    }

    fn resource(&mut self, attr: Option<&Attr>, kind: ResourceKind) {
        let Some((attr, v)) = attr.and_then(|a| Some((a, a.value?))) else {
            return;
        };
        // (`form(action=deleteRoute)` after `- const deleteRoute = `/delete/${id}``: judged as that value.)
        let v = match self.pug_constants.get(self.value_text(&v).trim()) {
            Some(constant) if !v.literal => *constant,
            _ => v,
        };
        if v.literal {
            self.external(attr.off, kind, &self.value_text(&v), v.complete);
        } else if !matches!(self.value_text(&v).trim(), "false" | "null" | "undefined") {
            // A Pug expression (`cdn + '/app.js'`): its host is known at run time only.
            self.runtime_host(attr.off, kind);
        }
    }

    /// The URL an `<object>` or `<embed>` loads: another host's as any resource's; one of the app's own files (a
    /// relative URL) in [`ViewScan::own_objects`], since helmet's `object-src 'none'` blocks even those.
    fn object(&mut self, attr: Option<&Attr>) {
        let Some((attr, v)) = attr.and_then(|a| Some((a, a.value?))) else {
            return;
        };
        let text = self.value_text(&v);
        let url = text.trim();
        let own = v.literal
            && !url.is_empty()
            && origin_of(url, v.complete).is_none()
            && !runtime_host(url, v.complete)
            // (No scheme: `data:`, `blob:` and `javascript:` are no file of the app.)
            && !url.split(['/', '?', '#']).next().is_some_and(|head| head.contains(':'));
        if own {
            let line = self.line(attr.off);
            self.out.own_objects.push(line);
        } else {
            self.resource(Some(attr), ResourceKind::Object);
        }
    }

    fn srcset(&mut self, attr: Option<&Attr>, kind: ResourceKind) {
        let Some(v) = attr.and_then(|a| a.value).filter(|v| v.literal) else {
            return;
        };
        let b: &'a [u8] = self.b;
        let bytes = &b[v.off..v.off + v.len];
        for (s, e) in srcset_candidates(bytes) {
            self.external(v.off + s, kind, &String::from_utf8_lossy(&bytes[s..e]), v.complete);
        }
    }

    /// Finds `url()` and `@import` in CSS between `from` and `to`.
    fn css(&mut self, from: usize, to: usize) {
        let all: &'a [u8] = self.b;
        let b = &all[..to.min(all.len())];
        let mut i = from;
        let mut depth = 0usize;
        // Brace depth of the @font-face block we are in: its url()s are fonts.
        let mut font_face: Option<usize> = None;
        let mut font_face_next = false;
        while i < b.len() {
            match b[i] {
                b'/' if b.get(i + 1) == Some(&b'*') => {
                    i = find(b, i + 2, b"*/").map_or(b.len(), |p| p + 2);
                }
                q @ (b'"' | b'\'') => i = css_string_end(b, i + 1, q).1,
                b'{' => {
                    depth += 1;
                    if font_face_next {
                        font_face = Some(depth);
                        font_face_next = false;
                    }
                    i += 1;
                }
                b'}' => {
                    if font_face == Some(depth) {
                        font_face = None;
                    }
                    depth = depth.saturating_sub(1);
                    i += 1;
                }
                b'@' => {
                    let mut e = i + 1;
                    while e < b.len() && (b[e].is_ascii_alphanumeric() || b[e] == b'-') {
                        e += 1;
                    }
                    let keyword = lower(&b[i + 1..e]);
                    i = e;
                    if keyword == "font-face" {
                        font_face_next = true;
                    } else if keyword == "import" {
                        let j = skip_ws(b, e);
                        let url = if starts_with_ci(b, j, b"url(") {
                            Some(css_url(b, j + 4))
                        } else if let Some(&q @ (b'"' | b'\'')) = b.get(j) {
                            let (end, next) = css_string_end(b, j + 1, q);
                            Some((j + 1, end, next))
                        } else {
                            None
                        };
                        if let Some((s, e, next)) = url {
                            let (found, url) = (self.out.external.len(), String::from_utf8_lossy(&b[s..e]));
                            self.external(s, ResourceKind::Style, &url, true);
                            self.leaflet_stylesheet(found, &url);
                            // (A stylesheet of the app's own, read in its turn: `@import 'vendor.css'`.)
                            let own = self.out.external.len() == found && !url.trim().is_empty() && !url.contains("//");
                            if own && !url.trim_start().starts_with("data:") {
                                let line = self.line(s);
                                self.out.own_css.push((line, url.trim().to_string()));
                            }
                            i = next;
                        }
                    }
                }
                b'u' | b'U'
                    if starts_with_ci(b, i, b"url(")
                        && (i == from || !(b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'-')) =>
                {
                    let (s, e, next) = css_url(b, i + 4);
                    let kind = if font_face.is_some() { ResourceKind::Font } else { ResourceKind::Image };
                    self.external(s, kind, &String::from_utf8_lossy(&b[s..e]), true);
                    i = next;
                }
                _ => i += 1,
            }
        }
    }

    /// Scans raw HTML that sits inside a Pug file (Pug passes `<...>` lines and
    /// plain text through unescaped), keeping this file's line numbers.
    fn embedded_html(&mut self, from: usize, to: usize) {
        let Some(text) = self.text.get(from..to.min(self.text.len())) else {
            return;
        };
        if !text.contains('<') {
            return;
        }
        let mut sub = Scanner::new(text);
        sub.html();
        // Pug reflows the text it passes through (indentation, line breaks): the hash of a script over several lines
        // is not predictable; one within a single line of raw HTML (`<script>go();</script>`) is sent as written,
        // unless Pug interpolates in it (`#[...]`, escapes).
        let mut found = sub.out;
        if text.contains('\n') || pug_varies(text) {
            found.inline.iter_mut().for_each(|f| f.hash = None);
        }
        self.out.append(found, self.line(from) - 1);
    }

    // ---- Pug / Jade ----

    fn pug(&mut self) {
        let b = self.b;
        let n = b.len();
        self.pug_constants = pug_constants(self.text);
        let mut pos = 0;
        while pos < n {
            let eol = line_end(b, pos);
            let content = skip_indent(b, pos, eol);
            if !has_non_ws(&b[content..eol]) {
                pos = eol + 1;
                continue;
            }
            let indent = content - pos;
            let (end, block) = self.pug_line(content, eol);
            // A statement may run over several lines (multi-line attributes).
            pos = (line_end(b, end.min(n)) + 1).min(n);
            if let Some(block) = block {
                pos = self.pug_block(pos, indent, block);
            }
        }
    }

    /// Handles the block of lines indented deeper than `base` from `from`;
    /// returns where the next statement starts.
    fn pug_block(&mut self, from: usize, base: usize, block: Block) -> usize {
        let b = self.b;
        let n = b.len();
        let from = from.min(n);
        let mut pos = from;
        while pos < n {
            let eol = line_end(b, pos);
            let content = skip_indent(b, pos, eol);
            if has_non_ws(&b[content..eol]) && content - pos <= base {
                break;
            }
            pos = eol + 1;
        }
        let end = pos.min(n);
        match block {
            Block::Opaque => {}
            Block::Script(tag_off) | Block::ScriptText(tag_off) => {
                if has_non_ws(&b[from..end]) {
                    self.inline(tag_off, InlineKind::Script);
                    if let (Block::ScriptText(_), Some(block)) = (block, self.text.get(from..end)) {
                        let sent = pug_text_block(block, end >= n);
                        if let Some(last) = self.out.inline.last_mut().filter(|_| !pug_varies(&sent)) {
                            last.hash = Some(csp_hash(&sent));
                            last.pretty_differs = sent.contains('\n');
                        }
                    }
                    self.script_text(from, end);
                }
            }
            Block::Css => self.css(from, end),
            Block::Html => self.embedded_html(from, end),
        }
        end
    }

    /// Handles one statement whose text starts at `start`; returns the offset
    /// where it ends and the kind of the indented block that belongs to it.
    fn pug_line(&mut self, start: usize, eol: usize) -> (usize, Option<Block>) {
        let b = self.b;
        match b[start] {
            // `//` comments render as HTML comments and `//-` not at all;
            // `:filter` blocks are some other language.
            b'/' if b.get(start + 1) == Some(&b'/') => (eol, Some(Block::Opaque)),
            b':' => (eol, Some(Block::Opaque)),
            // A lone `-` opens a block of server-side JavaScript.
            b'-' if !has_non_ws(&b[start + 1..eol]) => (eol, Some(Block::Opaque)),
            b'|' => {
                self.embedded_html(start + 1, eol);
                (eol, None)
            }
            b'<' => {
                self.embedded_html(start, eol);
                (eol, None)
            }
            c if c.is_ascii_alphabetic() || c == b'.' || c == b'#' => self.pug_tag(start, eol),
            _ => (eol, None),
        }
    }

    fn pug_tag(&mut self, start: usize, eol: usize) -> (usize, Option<Block>) {
        let b = self.b;
        let n = b.len();
        let mut i = start;
        let name = if b[i].is_ascii_alphabetic() {
            while i < n
                && (b[i].is_ascii_alphanumeric()
                    || matches!(b[i], b'-' | b'_')
                    || (b[i] == b':' && b.get(i + 1).is_some_and(u8::is_ascii_alphanumeric)))
            {
                i += 1;
            }
            lower(&b[start..i])
        } else {
            // `.class` or `#id` alone means a div.
            "div".to_string()
        };
        if PUG_KEYWORDS.contains(&name.as_str()) {
            return (eol, None);
        }
        let mut attrs = Vec::new();
        while i < n {
            match b[i] {
                b'.' | b'#' if b.get(i + 1).is_some_and(|&c| is_ident(c)) => {
                    let (mark, from) = (b[i], i + 1);
                    i += 1;
                    while i < n && is_ident(b[i]) {
                        i += 1;
                    }
                    // (`img#preview`: the element's id; `iframe.doc-preview`: a class, as `.doc-preview`.)
                    if let Some(kind) = element_kind(&name) {
                        let key = String::from_utf8_lossy(&b[from - usize::from(mark == b'.')..i]).into_owned();
                        self.out.element_ids.push((key, kind));
                    }
                }
                b'(' => i = self.pug_attrs(i + 1, &mut attrs),
                b'&' if b[i..].starts_with(b"&attributes(") => {
                    i = skip_parens(b, i + "&attributes".len());
                }
                _ => break,
            }
        }
        let i = i.min(n);
        let le = line_end(b, i);
        self.tag_findings(&name, &attrs);

        let tail = match b.get(i) {
            _ if i >= le => Tail::Nothing,
            Some(b'.') if !has_non_ws(&b[i + 1..le]) => Tail::Dot,
            Some(b':') if b.get(i + 1).is_some_and(u8::is_ascii_whitespace) => Tail::Chain(skip_ws(&b[..le], i + 1)),
            Some(b'=') => Tail::Code,
            Some(b'!') if b.get(i + 1) == Some(&b'=') => Tail::Code,
            Some(b' ' | b'\t') if has_non_ws(&b[i..le]) => Tail::Text(i + 1),
            _ => Tail::Nothing,
        };
        match name.as_str() {
            "script" => {
                // (`script a();`: Pug sends the text after the one space, as it is.)
                let fixed = match tail {
                    Tail::Text(t) => self.text.get(t..le).map(|t| t.trim_end_matches('\r')).filter(|t| !pug_varies(t)),
                    _ => None,
                };
                self.script(start, &attrs, matches!(tail, Tail::Text(_) | Tail::Code), fixed);
                match tail {
                    // Jade's `script` + indented block and Pug's `script.` are both text.
                    Tail::Dot if self.inline_script_possible(&attrs) => (le, Some(Block::ScriptText(start))),
                    Tail::Nothing if self.inline_script_possible(&attrs) => (le, Some(Block::Script(start))),
                    // A client-side template (`script(type='text/x-template')`): the markup it holds, as Pug
                    // (its block is Pug's, read as any other) or as raw HTML (`script(type=...).`).
                    Tail::Nothing if self.holds_markup(&attrs) => (le, None),
                    Tail::Dot if self.holds_markup(&attrs) => (le, Some(Block::Html)),
                    Tail::Nothing | Tail::Dot => (le, Some(Block::Opaque)),
                    _ => (le, None),
                }
            }
            "style" => match tail {
                Tail::Text(t) => {
                    self.css(t, le);
                    (le, None)
                }
                Tail::Nothing | Tail::Dot => (le, Some(Block::Css)),
                _ => (le, None),
            },
            _ => match tail {
                Tail::Chain(j) if j < le => self.pug_tag(j, le),
                Tail::Text(t) => {
                    self.embedded_html(t, le);
                    (le, None)
                }
                Tail::Dot => (le, Some(Block::Html)),
                _ => (le, None),
            },
        }
    }

    /// Reads Pug attributes after `(`; returns the offset after `)`.
    fn pug_attrs(&mut self, mut i: usize, attrs: &mut Vec<Attr>) -> usize {
        let b = self.b;
        let n = b.len();
        loop {
            while i < n && (b[i].is_ascii_whitespace() || b[i] == b',') {
                i += 1;
            }
            if i >= n {
                return n;
            }
            if b[i] == b')' {
                return i + 1;
            }
            let name_start = i;
            let name = if let q @ (b'"' | b'\'') = b[i] {
                let e = find(b, i + 1, &[q]).unwrap_or(n);
                i = (e + 1).min(n);
                lower(&b[name_start + 1..e])
            } else {
                while i < n
                    && !(b[i].is_ascii_whitespace()
                        || matches!(b[i], b',' | b')' | b'(' | b'=')
                        || (b[i] == b'!' && b.get(i + 1) == Some(&b'=')))
                {
                    i += 1;
                }
                lower(&b[name_start..i])
            };
            if i == name_start {
                i += 1;
                continue;
            }
            let j = skip_ws(b, i);
            let value_start = if b.get(j) == Some(&b'=') {
                Some(j + 1)
            } else if b[j..].starts_with(b"!=") {
                Some(j + 2)
            } else {
                None
            };
            let value = value_start.map(|s| {
                let s = skip_ws(b, s);
                let e = js_expr_end(b, s);
                i = e;
                pug_value(b, s, e)
            });
            attrs.push(Attr { name, off: name_start, value });
        }
    }
}

fn find_attr<'x>(attrs: &'x [Attr], name: &str) -> Option<&'x Attr> {
    attrs.iter().find(|a| a.name == name)
}

fn lower(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).to_ascii_lowercase()
}

fn find(h: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    h.get(from..)?.windows(needle.len()).position(|w| w == needle).map(|p| p + from)
}

fn find_ci(h: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    h.get(from..)?.windows(needle.len()).position(|w| w.eq_ignore_ascii_case(needle)).map(|p| p + from)
}

fn starts_with_ci(h: &[u8], at: usize, prefix: &[u8]) -> bool {
    h.get(at..at + prefix.len()).is_some_and(|w| w.eq_ignore_ascii_case(prefix))
}

fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && b[i].is_ascii_whitespace() {
        i += 1;
    }
    i.min(b.len())
}

fn skip_indent(b: &[u8], mut i: usize, eol: usize) -> usize {
    while i < eol && matches!(b[i], b' ' | b'\t') {
        i += 1;
    }
    i
}

fn line_end(b: &[u8], from: usize) -> usize {
    find(b, from, b"\n").unwrap_or(b.len())
}

fn has_non_ws(b: &[u8]) -> bool {
    b.iter().any(|c| !c.is_ascii_whitespace())
}

fn is_ident(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'-' || c == b'_'
}

fn is_attr_name_stop(b: &[u8], i: usize) -> bool {
    let c = b[i];
    c.is_ascii_whitespace()
        || matches!(c, b'/' | b'>' | b'=' | b'<')
        || (c == b'{' && matches!(b.get(i + 1), Some(b'{' | b'%' | b'#')))
}

/// `onclick`, `onload`, ...: `on` and at least three letters, so that the
/// handful of real attributes like `one` or `only` in custom markup are not counted.
fn is_event_handler(name: &str) -> bool {
    name.len() >= 5 && name.starts_with("on") && name.bytes().skip(2).all(|c| c.is_ascii_lowercase())
}

/// Browsers ignore leading control characters and spaces and strip tabs and
/// newlines anywhere in a URL, so `" java\tscript:"` still runs.
fn is_javascript_url(value: &str) -> bool {
    let scheme: String = value
        .trim_start_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .take("javascript:".len())
        .collect();
    scheme.eq_ignore_ascii_case("javascript:")
}

/// An attribute value with its character references decoded (`&lt;script&gt;`, `&quot;`, `&#39;`, `&#x27;`), as the
/// browser reads it: the text of an iframe's `srcdoc`.
fn decode_entities(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let end = rest.find(';').filter(|&e| e <= 10);
        let decoded = end.and_then(|e| {
            let name = &rest[1..e];
            match name {
                "lt" => Some('<'),
                "gt" => Some('>'),
                "amp" => Some('&'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                _ => {
                    let number = name.strip_prefix('#')?;
                    let code = match number.strip_prefix(['x', 'X']) {
                        Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                        None => number.parse().ok()?,
                    };
                    char::from_u32(code)
                }
            }
        });
        match (decoded, end) {
            (Some(c), Some(e)) => {
                out.push(c);
                rest = &rest[e + 1..];
            }
            _ => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Whether a URL resolves against the page's base URL: no scheme, not scheme-relative (`//host/x`), not empty.
fn is_relative(url: &str) -> bool {
    let url = url.trim();
    !url.is_empty() && !url.starts_with("//") && !url.split(['/', '?', '#']).next().is_some_and(|h| h.contains(':'))
}

/// Whether a script URL is a live-reload server's (livereload, browser-sync's and webpack's use other paths): its
/// `livereload.js`, or any script from livereload's port 35729.
fn is_live_reload(url: &str) -> bool {
    let path = url.split(['?', '#']).next().unwrap_or_default();
    path.ends_with("/livereload.js") || url.contains(":35729/")
}

/// Whether a `javascript:` URL's code does nothing (`javascript:void(0)`, `javascript:;`, `javascript:`): the link
/// or form works through its handler, and the policy blocking the URL changes nothing the page does (the navigation
/// it stops would have done nothing), so it needs no `'unsafe-inline'`, which would also switch off every script's
/// hash.
fn does_nothing(value: &str) -> bool {
    let code: String = value.chars().filter(|c| !c.is_whitespace()).collect();
    let code = code.get("javascript:".len()..).unwrap_or_default().trim_end_matches(';');
    ["", "void(0)", "void0", "void(null)"].contains(&code)
}

/// What script text does that the Content-Security-Policy governs, found in one pass over it ([`script_calls`]).
#[derive(Debug, Default, PartialEq, Eq)]
pub struct ScriptCalls {
    /// The calls that open connections, each with the offset of its URL argument and the URL: `Some((text,
    /// complete))` when it starts with a string literal (as far as the literal goes; `complete` when the literal is
    /// the whole argument), `None` when it is computed.
    pub connects: Vec<(usize, Option<(String, bool)>)>,
    /// The calls that evaluate strings, each with its offset and what it is.
    pub evals: Vec<(usize, &'static str)>,
    /// The offsets of the workers started from a `blob:` URL.
    pub blob_workers: Vec<usize>,
    /// The images a map library loads from a URL template (Leaflet's `L.tileLayer(url)`), as `connects` are: the URL
    /// with the placeholders of its host made a CSP wildcard (`https://*.tile.openstreetmap.org/{z}/{x}/{y}.png`), or
    /// `None` when it is computed or its host cannot be written as a source.
    pub images: Vec<(usize, Option<(String, bool)>)>,
    /// The `.src` assignments of an object URL (`img.src = URL.createObjectURL(file)`, or a variable in text that
    /// calls it), each at its offset ([`object_url_sources`]).
    pub blob_sources: Vec<ObjectUrlSource>,
    /// The offsets of the calls that add Leaflet markers ([`ViewScan::markers`]).
    pub markers: Vec<usize>,
    /// The offsets of the calls that make object URLs ([`ViewScan::object_urls_made`]).
    pub object_urls_made: Vec<usize>,
    /// The resources the script makes from literal URLs ([`created_resources`]): each at the offset of its URL, with
    /// the kind of what is made, the URL and whether the literal is all of it.
    pub created: Vec<(usize, ResourceKind, String, bool)>,
    /// The offsets of the calls that compile WebAssembly (`WebAssembly.instantiateStreaming(`, `.compile(`...).
    pub wasm: Vec<usize>,
    /// The offsets of the script elements whose `src` the script computes ([`created_resources`]).
    pub computed_scripts: Vec<usize>,
    /// The functions that hand a parameter to a call that connects ([`wrapper_of`]), each at the offset of that call's
    /// URL argument (which `connects` has as computed), with the function's name and the parameter's index.
    pub wrappers: Vec<(usize, String, usize)>,
    /// The offsets of the calls of a service worker that fetch a page's request again (`fetch(event.request)`, in
    /// text that handles `fetch` events: [`refetches_request`]), which are no computed URL.
    pub refetches: Vec<usize>,
    /// The offsets of the event handlers set from a string, `el.setAttribute('onclick', 'go()')`: an inline handler
    /// as one written in the markup (script-src-attr). (`el.onclick = 'go()'` sets none: the property takes a
    /// function, and a string is ignored.)
    pub handlers: Vec<usize>,
}

/// What [`script_calls`] looks for, in one automaton: the calls that open connections (`fetch(`, `new WebSocket(`, `new
/// EventSource(`, `sendBeacon(`, and `.open(` with an HTTP method first), those that evaluate strings (`eval(`, `new
/// Function(`, `setTimeout(` and `setInterval(` given a string), workers (`new Worker(`, `new SharedWorker(`), Leaflet's
/// tile layers (`L.tileLayer(`, `new L.TileLayer(`, and their WMS kind, `L.tileLayer.wms(`, `new L.TileLayer.WMS(`),
/// its markers (`L.marker(`, `new L.Marker(`, `L.geoJSON(`) and their icons (`L.Icon.Default.imagePath = url`, `L.icon({
/// iconUrl: url })`), and object URLs (`createObjectURL(`); and the connections of libraries: jQuery's `$.getJSON(`,
/// `$.ajax(`, `$.get(`, `$.post(`, axios's `axios(` and its methods, the `baseURL` of `axios.create({ baseURL })`, and
/// socket.io's `io(url)`; what makes resources from literal URLs ([`created_resources`]), WebAssembly's compilation,
/// and the client-side template compilers that turn strings into code (`_.template(`, `Handlebars.compile(`).
pub const SCRIPT_NEEDLES: [&str; 58] = [
    "fetch(",
    "setAttribute(",
    "createElement(",
    ".src =",
    ".src=",
    "import(",
    "from 'http",
    "from \"http",
    "import 'http",
    "import \"http",
    "importScripts(",
    "WebAssembly.",
    "_.template(",
    "Handlebars.compile(",
    "$.getJSON(",
    "$.ajax(",
    "$.get(",
    "$.post(",
    "jQuery.getJSON(",
    "jQuery.ajax(",
    "jQuery.get(",
    "jQuery.post(",
    "axios(",
    "axios.get(",
    "axios.post(",
    "axios.put(",
    "axios.patch(",
    "axios.delete(",
    "axios.head(",
    "axios.options(",
    "axios.request(",
    "baseURL",
    "io('",
    "io(\"",
    "io(`",
    "WebSocket(",
    "EventSource(",
    "sendBeacon(",
    ".open(",
    "eval(",
    "Function(",
    "setTimeout(",
    "setInterval(",
    "Worker(",
    "tileLayer(",
    "TileLayer(",
    "tileLayer.wms(",
    "TileLayer.WMS(",
    "L.marker(",
    "L.Marker(",
    "L.geoJSON(",
    "L.geoJson(",
    "L.GeoJSON(",
    "createObjectURL(",
    "imagePath",
    "iconUrl",
    "iconRetinaUrl",
    "shadowUrl",
];

fn script_needles() -> Option<&'static aho_corasick::AhoCorasick> {
    static NEEDLES: std::sync::OnceLock<Option<aho_corasick::AhoCorasick>> = std::sync::OnceLock::new();
    NEEDLES.get_or_init(|| search_for(SCRIPT_NEEDLES).ok()).as_ref()
}

/// How the tool looks for many needles in one pass over a text (the prefilter, the cheap tests of what code sends,
/// the script calls): a DFA, built once, which then reads a few instructions a byte (the default NFA took thirteen);
/// without aho-corasick's own prefilter, whose candidates for needles such as `fetch(` were every `(`.
pub fn search_for<I, P>(needles: I) -> Result<aho_corasick::AhoCorasick, aho_corasick::BuildError>
where
    I: IntoIterator<Item = P>,
    P: AsRef<[u8]>,
{
    aho_corasick::AhoCorasick::builder().kind(Some(aho_corasick::AhoCorasickKind::DFA)).prefilter(false).build(needles)
}

/// The calls that make an object URL (`URL.createObjectURL(blob)`).
const OBJECT_URL_CALLS: [&str; 3] =
    ["URL.createObjectURL(", "window.URL.createObjectURL(", "webkitURL.createObjectURL("];

/// Whether the value that starts at `at` of script text `text` may be an object URL: a call that makes one, or a name
/// (the usual `const url = URL.createObjectURL(blob); ... = url`) in text that makes one somewhere.
fn may_be_object_url(text: &str, at: usize) -> bool {
    let rest = &text[at..];
    let name = rest.as_bytes().first().is_some_and(|c| c.is_ascii_alphabetic() || *c == b'_' || *c == b'$')
        && !rest.starts_with("new ");
    OBJECT_URL_CALLS.iter().any(|u| rest.starts_with(u))
        || (name && memchr::memmem::find(text.as_bytes(), b"createObjectURL(").is_some())
}

/// The offset of the first place `bytes` compiles WebAssembly (`WebAssembly.instantiate`, `instantiateStreaming`,
/// `compile`, `compileStreaming`), by a byte search that needs no parse: what a script the run does not read (a
/// minified or too large vendored library, such as emscripten's glue code of sql.js) is asked.
#[must_use]
pub fn compiles_wasm(bytes: &[u8]) -> Option<usize> {
    [&b"WebAssembly.instantiate"[..], b"WebAssembly.compile"]
        .iter()
        .filter_map(|needle| memchr::memmem::find(bytes, needle))
        .min()
}

/// Whether the argument of a `fetch(` at `arg` of script text `text` is the request of a service worker's `fetch`
/// event (`fetch(event.request)`, `fetch(e.request.clone())`, `fetch(event.request, { cache: 'no-store' })`) in text
/// that handles such events (`addEventListener('fetch', ...)`, `onfetch = ...`): only a service worker receives them.
fn refetches_request(text: &str, arg: usize) -> bool {
    let b = text.as_bytes();
    let name = b[arg.min(b.len())..].iter().take_while(|c| is_ident(**c) || **c == b'$').count();
    let after = arg + name;
    if name == 0 || b[arg].is_ascii_digit() || !text[after..].starts_with(".request") {
        return false;
    }
    let rest = skip_ws(b, after + ".request".len());
    let rest = match text[rest..].starts_with(".clone()") {
        true => skip_ws(b, rest + ".clone()".len()),
        false => rest,
    };
    matches!(b.get(rest), Some(b')' | b',')) && handles_fetch_events(text)
}

/// Whether script text handles the `fetch` events of a service worker (`self.addEventListener('fetch', ...)`,
/// `self.onfetch = ...`).
fn handles_fetch_events(text: &str) -> bool {
    let b = text.as_bytes();
    let listens = memchr::memmem::find_iter(b, b"addEventListener(").any(|at| {
        js_string(text, skip_ws(b, at + "addEventListener(".len())).is_some_and(|(name, ..)| name == "fetch")
    });
    listens || memchr::memmem::find(b, b"onfetch").is_some()
}

/// Where a service worker fetches the pages' requests again (`fetch(event.request)`, [`ViewScan::refetches`]), what
/// the pages load passes through it, and the worker's own policy (its script is served with the same header) checks
/// each of those fetches against connect-src: the sources connectSrc needs for that, the hosts the pages load images,
/// scripts, styles, fonts, media and data from (those `directives` allow, and those helmet's defaults allow, https
/// styles and fonts), or only `*` where one of them allows every host. `None` where no scan re-fetches.
#[must_use]
pub fn refetched_hosts<'a>(
    scans: impl IntoIterator<Item = &'a ViewScan>,
    directives: &[(String, Vec<String>)],
) -> Option<Vec<String>> {
    const KINDS: [ResourceKind; 6] = [
        ResourceKind::Image,
        ResourceKind::Script,
        ResourceKind::Style,
        ResourceKind::Font,
        ResourceKind::Media,
        ResourceKind::Connect,
    ];
    let (mut refetch, mut hosts) = (false, BTreeSet::new());
    for scan in scans {
        refetch |= !scan.refetches.is_empty();
        hosts.extend(scan.external.iter().filter(|r| KINDS.contains(&r.kind)).map(|r| r.origin.clone()));
    }
    if !refetch {
        return None;
    }
    let names: Vec<&str> = KINDS.iter().map(|kind| directive(*kind).0).collect();
    for (_, sources) in directives.iter().filter(|(name, _)| names.contains(&name.as_str())) {
        // (Hosts, with a scheme or without one, and '*'; not keywords, schemes or hashes.)
        let host = |s: &&String| s.contains("://") || !(s.starts_with('\'') || s.ends_with(':'));
        hosts.extend(sources.iter().filter(host).cloned());
    }
    // (WebSockets pass through no service worker.)
    hosts.retain(|h| !(h.starts_with("ws://") || h.starts_with("wss://")));
    if hosts.contains(ANY_HOST) {
        hosts.retain(|h| h == ANY_HOST);
    }
    Some(hosts.into_iter().collect())
}

/// Whether `bytes` may hold a call [`script_calls`] reports: the cheap test before a file is scanned for them.
#[must_use]
pub fn may_hold_script_calls(bytes: &[u8]) -> bool {
    script_needles().is_some_and(|n| n.is_match(bytes))
}

/// The calls in script text that the Content-Security-Policy governs ([`ScriptCalls`]), in one pass of
/// [`SCRIPT_NEEDLES`]:
///
/// - connections: a `ws:`/`wss:` URL is given as it is (CSP3's scheme-part match: an `http:` source matches no `ws:`
///   URL, a `ws:` one matches `http:` too); socket.io's `io(url)` both with the URL's scheme (its first requests poll
///   over HTTP) and with its WebSocket counterpart (the connection it then upgrades to);
/// - evaluation: `eval(...)`, `new Function(...)` (or `Function(...)`), and `setTimeout`/`setInterval` whose first
///   argument is a string literal (a function argument evaluates nothing);
/// - workers started from a `blob:` URL: `new Worker(URL.createObjectURL(...))`, or from a variable in text that
///   calls `URL.createObjectURL(` (the usual `const url = URL.createObjectURL(blob); new Worker(url)`);
/// - map tiles: Leaflet's `L.tileLayer(template)` loads each tile as an `<img>` whose URL is the template with `{s}`
///   (one of the layer's `subdomains`, `a`, `b`, `c` by default), `{z}`, `{x}`, `{y}`, `{r}` and the layer's own
///   options put in (`Util.template` in `TileLayer.getTileUrl`): a host with placeholders becomes a wildcard
///   (`https://*.tile.openstreetmap.org`); a template the text does not give is computed;
/// - WMS layers (`L.tileLayer.wms(url, options)`, `new L.TileLayer.WMS(url, options)`): each tile an `<img>` of the
///   service's URL with the map request added (`TileLayer.WMS.getTileUrl`), so the URL's host as a tile template's;
/// - Leaflet's markers (`L.marker(`, `new L.Marker(`, `L.geoJSON(`), whose default icon comes from the folder of
///   Leaflet's stylesheet ([`ViewScan::markers`]);
/// - object URLs shown in an element: `x.src = URL.createObjectURL(file)`, `x.setAttribute('src', url)`,
///   `$(x).attr('src', url)`, an `<object>`'s `data`, or the same with a variable in text that calls
///   `createObjectURL(` ([`object_url_sources`]).
///
/// The search is textual (a view's script is often no valid JavaScript before it is rendered), so a call named in a
/// comment counts too: it can only loosen the policy, never break a page.
#[must_use]
pub fn script_calls(text: &str) -> ScriptCalls {
    const METHODS: [&str; 7] = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"];
    let b = text.as_bytes();
    let mut out = ScriptCalls::default();
    let Some(needles) = script_needles() else { return out };
    // (Leaflet's own source, an unminified leaflet-src.js that defines `function tileLayer(url, options)`: the layers
    // and markers its comments show are no page's.)
    let leaflet = memchr::memmem::find(b, b"function tileLayer(").is_some();
    for found in needles.find_iter(b) {
        let (p, call) = (found.start(), SCRIPT_NEEDLES[found.pattern().as_usize()]);
        let from = p + call.len();
        let prev = p.checked_sub(1).map(|i| b[i]);
        let named = call.starts_with('.') || prev.is_none_or(|c| !(is_ident(c) || c == b'$'));
        let arg = skip_ws(b, from);
        match call {
            "setAttribute(" => {
                let handler = js_string(text, arg).is_some_and(|(name, whole, _)| {
                    let name = name.to_ascii_lowercase();
                    whole
                        && name.len() > 2
                        && name.starts_with("on")
                        && name[2..].bytes().all(|c| c.is_ascii_lowercase())
                });
                if handler && prev == Some(b'.') {
                    out.handlers.push(p);
                }
                continue;
            }
            "eval(" | "Function(" if named => {
                out.evals.push((p, if call == "eval(" { "eval" } else { "new Function" }));
                continue;
            }
            "setTimeout(" | "setInterval(" if named => {
                if matches!(b.get(arg), Some(b'\'' | b'"' | b'`')) {
                    out.evals.push((p, "a string given to setTimeout or setInterval"));
                }
                continue;
            }
            "Worker(" if named || text[..p].ends_with("Shared") => {
                let rest = &text[arg..];
                if may_be_object_url(text, arg) || rest.starts_with("'blob:") || rest.starts_with("\"blob:") {
                    out.blob_workers.push(p);
                }
                continue;
            }
            "L.marker(" | "L.Marker(" | "L.geoJSON(" | "L.geoJson(" | "L.GeoJSON(" if named && !leaflet => {
                out.markers.push(p);
                continue;
            }
            // (A marker icon's image, `L.icon({ iconUrl: url })`, or the folder of the default icons,
            // `L.Icon.Default.imagePath = url`: a literal URL's host serves images; a computed one is the bundler's.)
            "imagePath" | "iconUrl" | "iconRetinaUrl" | "shadowUrl" => {
                let value = skip_ws(b, from);
                let set = matches!(b.get(value), Some(b':'))
                    || (b.get(value) == Some(&b'=') && b.get(value + 1) != Some(&b'='));
                let url = js_string(text, skip_ws(b, value + 1)).filter(|(literal, _, _)| !literal.trim().is_empty());
                if let Some((literal, whole, _)) = url.filter(|_| set && named && !leaflet) {
                    out.images.push((skip_ws(b, value + 1), Some((literal.trim_start().to_string(), whole))));
                }
                continue;
            }
            // (A WMS layer's URL is its service's, which Leaflet completes with the request of each tile's image.)
            "tileLayer(" | "TileLayer(" | "tileLayer.wms(" | "TileLayer.WMS(" => {
                if !named || leaflet || text[..p].trim_end().ends_with("function") {
                    continue;
                }
                match js_string(text, arg).filter(|(literal, whole, _)| *whole || !literal.trim().is_empty()) {
                    Some((literal, whole, next)) => {
                        let complete = whole && matches!(b.get(skip_ws(b, next)), Some(b')' | b','));
                        out.images.push((arg, tile_url(literal.trim_start()).map(|url| (url, complete))));
                    }
                    None if !matches!(b.get(arg), None | Some(b')')) => out.images.push((arg, None)),
                    None => {}
                }
                continue;
            }
            "createObjectURL(" => {
                out.object_urls_made.push(p);
                continue;
            }
            "WebAssembly." => {
                let rest = &text[from..];
                if ["instantiate", "compile"].iter().any(|call| rest.starts_with(call)) && named {
                    out.wasm.push(p);
                }
                continue;
            }
            "_.template(" | "Handlebars.compile(" if named => {
                let what = if call == "_.template(" {
                    "a template compiled by _.template (underscore, lodash)"
                } else {
                    "a template compiled by Handlebars.compile (Handlebars' full build)"
                };
                out.evals.push((p, what));
                continue;
            }
            "createElement("
            | ".src ="
            | ".src="
            | "import("
            | "from 'http"
            | "from \"http"
            | "import 'http"
            | "import \"http"
            | "importScripts("
            | "_.template("
            | "Handlebars.compile(" => continue,
            // (`axios.create({ baseURL: 'https://api.example.com' })`: the host of every call of that instance.)
            "baseURL" => {
                let value = skip_ws(b, from);
                let url = js_string(text, skip_ws(b, value + 1)).filter(|(literal, _, _)| !literal.trim().is_empty());
                if let Some((literal, whole, _)) = url.filter(|_| named && b.get(value) == Some(&b':')) {
                    out.connects.push((skip_ws(b, value + 1), Some((literal.trim_start().to_string(), whole))));
                }
                continue;
            }
            "eval(" | "Function(" | "setTimeout(" | "setInterval(" | "Worker(" => continue,
            "io('" | "io(\"" | "io(`" if prev == Some(b'.') => continue,
            _ if call.starts_with("L.") => continue,
            _ if !named => continue,
            _ => {}
        }
        if call == "fetch(" && refetches_request(text, arg) {
            out.refetches.push(p);
            continue;
        }
        let mut arg = arg;
        if call.starts_with("io(") {
            // (socket.io's `io('https://rt.example.com')`: the literal starts at the quote the needle ends with; it
            // polls over HTTP first, then upgrades to a WebSocket of the same host.)
            arg = p + "io(".len();
            let Some((literal, whole, next)) = js_string(text, arg) else { continue };
            let url = literal.trim_start();
            let complete = whole && matches!(b.get(skip_ws(b, next)), Some(b')' | b','));
            let ws = ["http://", "https://"].iter().zip(["ws://", "wss://"]).find_map(|(http, ws)| {
                url.get(..http.len())
                    .filter(|s| s.eq_ignore_ascii_case(http))
                    .map(|_| format!("{ws}{}", &url[http.len()..]))
            });
            out.connects.push((arg, Some((url.to_string(), complete))));
            out.connects.extend(ws.map(|ws| (arg, Some((ws, complete)))));
            continue;
        } else if b.get(arg) == Some(&b'{') && (call.contains("ajax") || call.starts_with("axios")) {
            // (`$.ajax({ url: '...' })`, `axios({ url: '...' })`: the settings' url; none is the page's own.)
            let end = skip_parens(b, arg).min(b.len());
            let key = find(&b[..end], arg, b"url").filter(|at| b.get(skip_ws(b, at + 3)) == Some(&b':'));
            let Some(key) = key else { continue };
            arg = skip_ws(b, skip_ws(b, key + 3) + 1);
        }
        if call == ".open(" {
            // `xhr.open('GET', url)`.
            let Some((method, _, next)) = js_string(text, arg) else { continue };
            if !METHODS.iter().any(|m| m.eq_ignore_ascii_case(method.trim())) {
                continue;
            }
            let next = skip_ws(b, next);
            if b.get(next) != Some(&b',') {
                continue;
            }
            arg = skip_ws(b, next + 1);
        }
        if arg >= b.len() || b[arg] == b')' {
            continue;
        }
        // (A parameter of the function around the call, `function api(path) { return fetch(path) }`: what the
        // function's callers pass decides, see `resolve_wrappers`; until then, computed.)
        if let Some((name, index)) = wrapper_of(text, p, arg) {
            out.wrappers.push((arg, name.to_string(), index));
        }
        if let Some(url) = url_argument(text, arg) {
            out.connects.push((arg, url));
        }
    }
    if memchr::memmem::find(b, b"createObjectURL(").is_some() {
        out.blob_sources = object_url_sources(text);
    }
    out.created = created_resources(text, &mut out.computed_scripts);
    out
}

/// What the URL argument at `arg` of script text `text` connects to: `None` for the page's own origin (a URL built on
/// it or on a constant path, [`same_file_url`]), `Some(Some((url, complete)))` where a string literal starts it (as far
/// as the literal goes; `complete` when it is the whole argument), `Some(None)` when it is computed.
fn url_argument(text: &str, arg: usize) -> Option<Option<(String, bool)>> {
    let b = text.as_bytes();
    // (A URL built from the page's own origin or a constant of the script: what it comes to.)
    if let Some(resolved) = same_file_url(text, arg) {
        return resolved.map(Some);
    }
    // (A template literal that starts with `${`: computed.)
    let literal = js_string(text, arg).filter(|(literal, whole, _)| *whole || !literal.trim().is_empty());
    Some(literal.map(|(literal, whole, next)| {
        let rest = skip_ws(b, next);
        let complete = whole && matches!(b.get(rest), Some(b')' | b',' | b'}'));
        (literal.trim_start().to_string(), complete)
    }))
}

/// The function around the connecting call at `p` of script text `text` whose parameter its URL argument (at `arg`)
/// is, all of it: `function api(path, options) { return fetch(path, options) }`, `const getJSON = (url) =>
/// axios.get(url)`, `const load = async url => (await fetch(url)).json()`, `api = function (path) {...}`: its name and
/// the parameter's index. The nearest function before the call that has such a parameter (a callback in between,
/// `.then((token) => fetch(path))`, has not); a method (`get(path) {...}` in an object) is none.
fn wrapper_of(text: &str, p: usize, arg: usize) -> Option<(&str, usize)> {
    let b = text.as_bytes();
    let len = b.get(arg..)?.iter().take_while(|c| is_ident(**c) || **c == b'$').count();
    if len == 0 || b[arg].is_ascii_digit() || !matches!(b.get(skip_ws(b, arg + len)), Some(b')' | b',')) {
        return None;
    }
    let param = &text[arg..arg + len];
    // (Within the 4 KiB before the call: a wrapper is short.)
    let mut from = p.saturating_sub(4096);
    while !text.is_char_boundary(from) {
        from += 1;
    }
    let window = &text[from..p];
    // Each parameter list before the call, nearest first: `(...)` followed by `{` or `=>`, or one name before `=>`.
    let mut lists: Vec<(usize, usize, usize)> = Vec::new(); // (start of the list, its end, where its name ends)
    for (i, c) in window.bytes().enumerate() {
        let at = from + i;
        if c == b'(' {
            let end = skip_parens(b, at);
            let next = skip_ws(b, end);
            if end <= p && (b.get(next) == Some(&b'{') || b.get(next..).is_some_and(|r| r.starts_with(b"=>"))) {
                lists.push((at + 1, end - 1, at));
            }
        } else if window.as_bytes()[i..].starts_with(b"=>") {
            let before = text[..at].trim_end();
            let name_len = before.bytes().rev().take_while(|c| is_ident(*c) || *c == b'$').count();
            if name_len > 0 && !before.ends_with(')') {
                let start = before.len() - name_len;
                lists.push((start, before.len(), start));
            }
        }
    }
    for (start, end, head) in lists.into_iter().rev() {
        let params: Vec<&str> = text[start..end]
            .split(',')
            .map(|p| p.split('=').next().unwrap_or(p).trim().trim_start_matches("..."))
            .collect();
        let Some(index) = params.iter().position(|p| *p == param) else { continue };
        // The function's name: `function NAME(`, or `NAME = (`, `NAME = async (`, `NAME = function (`, `NAME = x =>`.
        let before = text[..head].trim_end();
        let before = before.strip_suffix("async").map_or(before, str::trim_end);
        let ident = &before[before.len() - before.bytes().rev().take_while(|c| is_ident(*c) || *c == b'$').count()..];
        let rest = before[..before.len() - ident.len()].trim_end();
        fn assigned(t: &str) -> Option<&str> {
            let t = t.strip_suffix('=').filter(|a| !a.ends_with(['=', '!', '<', '>']))?.trim_end();
            let name = &t[t.len() - t.bytes().rev().take_while(|c| is_ident(*c) || *c == b'$').count()..];
            (!name.is_empty() && !name.as_bytes()[0].is_ascii_digit()).then_some(name)
        }
        let name = match ident {
            // (`if (path) {` inside the function: the list of no function.)
            "if" | "while" | "for" | "switch" | "catch" | "with" => continue,
            "function" => assigned(rest),
            "" => assigned(before),
            _ if rest.ends_with("function") => Some(ident),
            _ => None,
        };
        return name.map(|name| (name, index));
    }
    None
}

/// The resources script text makes from literal URLs (each at the offset of its URL, with its kind, the URL and whether
/// the literal is all of it), which the Content-Security-Policy checks as it does those of the markup:
///
/// - an element's `src` given a literal URL (`iframe.src = 'https://www.youtube-nocookie.com/embed/' + id`,
///   `new Image().src = 'https://pixel.example.com/p.gif?' + q`, a `script` element's), the element's kind from what
///   the statement names ([`element_reference`]: `createElement('iframe')`, `new Image`, a variable that holds one);
/// - in text that makes a `script` element (`createElement('script')`, or a snippet that passes `'script'` to it, as
///   Google's analytics.js snippet does), every literal URL of a `.js` file: the script it injects;
/// - modules imported from another host (`import('https://esm.sh/x')`, `import x from 'https://...'`) and the scripts
///   a worker imports (`importScripts('https://...')`): scripts.
///
/// A script element's `src` set to a URL built on a constant of the script (`var CDN = 'https://cdn.example.com';
/// s.src = CDN + '/lib.js'`) counts as that URL; one the script computes otherwise (`s.src = cdnBase + '/lib.js'`,
/// `cdnBase` read from a `<meta>` or a global) goes to `computed`, at its offset: its host is not known, and the policy
/// is not opened to every host for it.
fn created_resources(text: &str, computed: &mut Vec<usize>) -> Vec<(usize, ResourceKind, String, bool)> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let url_at = |at: usize| {
        let (literal, whole, next) = js_string(text, at)?;
        let url = literal.trim_start();
        let remote =
            ["https://", "http://", "//"].iter().any(|p| url.get(..p.len()).is_some_and(|s| s.eq_ignore_ascii_case(p)));
        let complete = whole && matches!(b.get(skip_ws(b, next)), Some(b')' | b',' | b';' | b'\n' | b'}'));
        remote.then(|| (url.to_string(), complete))
    };
    for p in memchr::memmem::find_iter(b, b".src") {
        let eq = skip_ws(b, p + ".src".len());
        if b.get(eq) != Some(&b'=') || b.get(eq + 1) == Some(&b'=') {
            continue;
        }
        let value = skip_ws(b, eq + 1);
        let start = b[..p].iter().rposition(|c| matches!(c, b';' | b'{' | b'}' | b'\n' | b'=')).map_or(0, |i| i + 1);
        let (Some(kind), _) = element_reference(text, &text[start..p], 0) else { continue };
        match url_at(value) {
            Some((url, complete)) => out.push((value, kind, url, complete)),
            None if kind == ResourceKind::Script && js_string(text, value).is_none_or(|(_, whole, _)| !whole) => {
                match same_file_url(text, value) {
                    Some(Some((url, complete))) => out.push((value, kind, url, complete)),
                    Some(None) => {}
                    None if js_string(text, value)
                        .is_some_and(|(l, ..)| l.starts_with('/') && !l.starts_with("//")) => {}
                    None => computed.push(value),
                }
            }
            None => {}
        }
    }
    let makes_script = memchr::memmem::find(b, b"createElement(").is_some()
        && (memchr::memmem::find(b, b"'script'").is_some() || memchr::memmem::find(b, b"\"script\"").is_some());
    if makes_script {
        for quote in [b'\'', b'"'] {
            for p in memchr::memchr_iter(quote, b) {
                let Some((url, complete)) = url_at(p) else { continue };
                let path = url.split(['?', '#']).next().unwrap_or_default();
                if path.ends_with(".js") && !out.iter().any(|(at, ..)| *at == p) {
                    out.push((p, ResourceKind::Script, url, complete));
                }
            }
        }
    }
    for call in ["import(", "from ", "import ", "importScripts("] {
        for p in memchr::memmem::find_iter(b, call.as_bytes()) {
            let named = p.checked_sub(1).map(|i| b[i]).is_none_or(|c| !(is_ident(c) || c == b'$' || c == b'.'));
            if !named {
                continue;
            }
            let mut at = skip_ws(b, p + call.len());
            // (`importScripts(a, b)`: each argument.)
            while let Some((url, complete)) = url_at(at) {
                out.push((at, ResourceKind::Script, url, complete));
                let next = js_string(text, at).map_or(at, |(_, _, next)| skip_ws(b, next));
                if call != "importScripts(" || b.get(next) != Some(&b',') {
                    break;
                }
                at = skip_ws(b, next + 1);
            }
        }
    }
    out.sort_by_key(|(at, ..)| *at);
    out.dedup_by_key(|(at, ..)| *at);
    out
}

/// An object URL shown in an element ([`ScriptCalls::blob_sources`], [`ViewScan::object_urls`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectUrlSource {
    /// Where: the offset in the script text, or the 1-based line in a [`ViewScan`].
    pub at: usize,
    /// The element's kind as the script tells it (`document.createElement('video')`, `new Image()`, or a name such as
    /// `videoPreview`), if it does.
    pub kind: Option<ResourceKind>,
    /// The element's id (`getElementById('preview')`, `$('#preview')`, a variable set to one of those, or a global
    /// named as browsers name elements by their id), which the pages' markup may tell the kind of.
    pub id: Option<String>,
}

/// The directive's kind of an element that loads a URL of its own (`<video>`: media), by its tag.
fn element_kind(tag: &str) -> Option<ResourceKind> {
    match tag.trim().to_ascii_lowercase().as_str() {
        "img" | "image" => Some(ResourceKind::Image),
        "video" | "audio" | "source" | "track" => Some(ResourceKind::Media),
        "iframe" | "frame" => Some(ResourceKind::Frame),
        "object" | "embed" => Some(ResourceKind::Object),
        "script" => Some(ResourceKind::Script),
        _ => None,
    }
}

/// The element an expression of script text names (`document.getElementById('preview')`, `$('#preview')`,
/// `querySelector('#preview')`, `document.createElement('video')`, `new Image()`): its id, or its kind when the
/// expression makes it. `text` is the whole script, where a bare name (`preview`) is looked up as a variable set to one
/// of those (`var preview = document.getElementById('preview')`), else taken as the global a browser gives an element
/// of that id.
fn element_reference(text: &str, expression: &str, depth: u8) -> (Option<ResourceKind>, Option<String>) {
    let e = expression.trim();
    let b = e.as_bytes();
    let argument = |call: &str| {
        let at = e.find(call)? + call.len();
        js_string(e, skip_ws(b, at)).filter(|(_, whole, _)| *whole).map(|(s, _, _)| s.trim())
    };
    if e.starts_with("new Image") {
        return (Some(ResourceKind::Image), None);
    }
    if let Some(tag) = argument("createElement(") {
        return (element_kind(tag), None);
    }
    if let Some(id) = argument("getElementById(") {
        return (None, Some(id.to_string()));
    }
    // (A class is looked up as `.name`, the key [`ViewScan::element_ids`] gives it.)
    if let Some(class) = argument("getElementsByClassName(").filter(|c| !c.is_empty() && c.bytes().all(is_ident)) {
        return (None, Some(format!(".{class}")));
    }
    for call in ["querySelector(", "$(", "jQuery("] {
        let Some(selector) = argument(call) else { continue };
        // (`iframe.doc-preview`, `embed`: the tag tells the kind, whatever the page.)
        let tag_end = selector.bytes().position(|c| !c.is_ascii_alphanumeric()).unwrap_or(selector.len());
        if let Some(kind) = element_kind(&selector[..tag_end]).filter(|_| tag_end > 0) {
            return (Some(kind), None);
        }
        let key = match selector.as_bytes().first() {
            Some(b'#') => &selector[1..],
            Some(b'.') => selector,
            _ => continue,
        };
        let name = key.strip_prefix('.').unwrap_or(key);
        if !name.is_empty() && name.bytes().all(is_ident) {
            return (None, Some(key.to_string()));
        }
    }
    let name = e.strip_prefix("window.").unwrap_or(e);
    let simple = !name.is_empty() && name.bytes().all(|c| is_ident(c) || c == b'$') && !name.contains('-');
    if !simple || depth > 0 {
        return (None, None);
    }
    // (The last value the script gives the name, `var preview = document.getElementById('preview');`.)
    match assigned_values(text, name).last() {
        Some(value) => element_reference(text, value, depth + 1),
        None => (None, Some(name.to_string())),
    }
}

/// The values script text `text` assigns to the variable `name` (`var preview = document.getElementById('p');`), in
/// order, each up to the end of its statement (`;` or the line's end). The search is textual: a property of that name
/// (`a.preview = x`) is not the variable, a comparison or an arrow no assignment.
fn assigned_values<'t>(text: &'t str, name: &str) -> Vec<&'t str> {
    let t = text.as_bytes();
    memchr::memmem::find_iter(t, name.as_bytes())
        .filter_map(|p| {
            let before = p.checked_sub(1).map(|i| t[i]);
            let eq = skip_ws(t, p + name.len());
            let own = before.is_none_or(|c| !(is_ident(c) || c == b'$' || c == b'.'));
            let value =
                (own && t.get(eq) == Some(&b'=') && !matches!(t.get(eq + 1), Some(b'=' | b'>'))).then_some(eq + 1)?;
            let end = t[value..].iter().position(|c| matches!(c, b';' | b'\n')).map_or(t.len(), |i| value + i);
            Some(&text[value..end])
        })
        .collect()
}

/// The schemes a URL may start with, alone in a string (`'wss://' + location.host`).
const SCHEMES: [&str; 4] = ["ws://", "wss://", "http://", "https://"];

/// What a term of a URL that script text builds stands for ([`same_file_url`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum UrlTerm<'t> {
    /// The page's own origin: `location.origin` (`window.location.origin`, `document.location.origin`, ...).
    Origin,
    /// The page's own host and port: `location.host`, which needs a scheme before it (`location.hostname` has no port,
    /// and is not one).
    Host,
    /// The page's own scheme without its slashes: `location.protocol` (`https:`), which needs `//` and a host after it.
    Protocol,
    /// Only a scheme: `'wss://'`, or a choice of two (`location.protocol === 'https:' ? 'wss://' : 'ws://'`).
    Scheme,
    /// A string constant.
    Text(&'t str),
}

/// The term of script text `text` that expression `e` is: the page's own origin or host (`location.origin`,
/// `window.location.host`), a scheme, a string, or a variable the text sets once to one of those (`var API = '/api'`),
/// looked up one level deep.
fn url_term<'t>(text: &'t str, e: &'t str, depth: u8) -> Option<UrlTerm<'t>> {
    let e = e.trim();
    let b = e.as_bytes();
    let located = ["window.", "document.", "self.", "globalThis."].iter().find_map(|p| e.strip_prefix(p)).unwrap_or(e);
    // (The page's own URL or its path, `location.href + '/more'`, `location.pathname + '/items'`: on its origin. The
    // origin and the host followed by anything but a name's letter, the others alone: `location.protocol === 'https:'
    // ? 'wss://' : 'ws://'` is a choice of schemes, below.)
    let terms = [
        ("location.origin", UrlTerm::Origin, false),
        ("location.href", UrlTerm::Origin, true),
        ("location.pathname", UrlTerm::Origin, true),
        ("location.protocol", UrlTerm::Protocol, true),
        ("location.host", UrlTerm::Host, false),
    ];
    for (property, term, alone) in terms {
        let ends = |rest: &str| if alone { rest.trim().is_empty() } else { !rest.bytes().next().is_some_and(is_ident) };
        if located.strip_prefix(property).is_some_and(ends) {
            return Some(term);
        }
    }
    if let Some((s, true, next)) = js_string(e, 0) {
        let rest = skip_ws(b, next);
        if rest == b.len() {
            return Some(if SCHEMES.contains(&s) { UrlTerm::Scheme } else { UrlTerm::Text(s) });
        }
    }
    // (`cond ? 'wss://' : 'ws://'`.)
    if let Some(q) = e.find('?') {
        let first = js_string(e, skip_ws(b, q + 1));
        let second = first.and_then(|(_, _, next)| {
            let colon = skip_ws(b, next);
            (b.get(colon) == Some(&b':')).then(|| js_string(e, skip_ws(b, colon + 1)))?
        });
        if let (Some((one, true, _)), Some((other, true, next))) = (first, second) {
            if SCHEMES.contains(&one) && SCHEMES.contains(&other) && skip_ws(b, next) == b.len() {
                return Some(UrlTerm::Scheme);
            }
        }
    }
    let simple = !b.is_empty() && b.iter().all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'$'));
    if !simple || depth > 0 {
        return None;
    }
    match assigned_values(text, e).as_slice() {
        [value] => url_term(text, value, depth + 1),
        _ => None,
    }
}

/// What a URL script text `text` builds at `at` (a call's argument) comes to, where a string literal does not start
/// it: `Some(None)` when it stays on the page's own origin (`location.origin + '/api'`, `` `${location.origin}/api` ``,
/// `proto + location.host + '/live'`, which `'self'` covers for `ws:`/`wss:` too, CSP3's "Does url match expression
/// in origin with redirect count?", or a constant that is a path, `var API = '/api'; fetch(API + '/items')`),
/// `Some(Some((url, complete)))` for a constant that is a URL (`var API = 'https://api.example.com'`), `None` when it
/// is computed.
fn same_file_url(text: &str, at: usize) -> Option<Option<(String, bool)>> {
    let b = text.as_bytes();
    let end = js_expr_end(b, at);
    let expr = text.get(at..end)?;
    // (The first two terms joined by `+`, or the first two parts of a template literal.)
    let (first, second) = if let Some(body) = expr.strip_prefix('`') {
        let (head, rest) = body.split_once("${")?;
        let (inner, tail) = rest.split_once('}')?;
        // (A literal head other than a scheme is read as any literal is.)
        match head {
            // (`${location.protocol}//${location.host}/x`: the page's scheme and host.)
            "" if url_term(text, inner, 0) == Some(UrlTerm::Protocol) => {
                let host = tail.strip_prefix("//${").and_then(|t| t.split_once('}')).map(|(host, _)| host);
                (UrlTerm::Scheme, url_term(text, host?, 0))
            }
            "" => (url_term(text, inner, 0)?, tail.starts_with('/').then_some(UrlTerm::Text(tail))),
            h if SCHEMES.contains(&h) => (UrlTerm::Scheme, url_term(text, inner, 0)),
            _ => return None,
        }
    } else {
        let (head, rest) = match expr.split_once('+') {
            Some((head, rest)) => (head, Some(rest.split('+').next().unwrap_or(rest))),
            None => (expr, None),
        };
        let first = url_term(text, head, 0)?;
        if matches!(b.get(at), Some(b'\'' | b'"')) && first != UrlTerm::Scheme {
            return None;
        }
        // (`location.protocol + '//' + location.host + '/x'`: the page's scheme, then its host.)
        let mut terms = expr.split('+').skip(1);
        match (first, terms.next().map(|t| url_term(text, t, 0))) {
            (UrlTerm::Protocol, Some(Some(UrlTerm::Text("//")))) => {
                (UrlTerm::Scheme, terms.next().and_then(|t| url_term(text, t, 0)))
            }
            _ => (first, rest.and_then(|r| url_term(text, r, 0))),
        }
    };
    match (first, second) {
        (UrlTerm::Origin, _) | (UrlTerm::Scheme, Some(UrlTerm::Host | UrlTerm::Origin)) => Some(None),
        (UrlTerm::Text(s), _) if s.starts_with('/') && !s.starts_with("//") => Some(None),
        // (A path joined to it ends its host: `STATUS + '/ping'`.)
        (UrlTerm::Text(s), next) if s.contains("://") || s.starts_with("//") => match next {
            Some(UrlTerm::Text(path)) if path.starts_with('/') => {
                Some(Some((format!("{}{path}", s.trim_start()), false)))
            }
            next => Some(Some((s.trim_start().to_string(), next.is_none() && !expr.starts_with('`')))),
        },
        _ => None,
    }
}

/// Gives each object URL of `views` that its scripts name by reference ([`ViewScan::object_urls`]) its directive: the
/// kind of the element of that id or class (`.name`) in the pages' markup (the tag decides: `<video id="preview">` is
/// media-src, whatever the script calls it), else the kind the script tells (an element it makes, a selector's tag);
/// else img-src, media-src, frame-src and object-src (a preview shows an image, a video or a document in a frame or an
/// `<embed>`: an element the scripts write as HTML is not in the markup), its line in [`ViewScan::guessed_blobs`].
pub fn resolve_object_urls<P>(views: &mut [(P, ViewScan)]) {
    let mut ids: BTreeMap<String, BTreeSet<ResourceKind>> = BTreeMap::new();
    for (id, kind) in views.iter().flat_map(|(_, scan)| &scan.element_ids) {
        ids.entry(id.clone()).or_default().insert(*kind);
    }
    for (_, scan) in views.iter_mut() {
        for source in std::mem::take(&mut scan.object_urls) {
            let found = source.id.as_ref().and_then(|id| ids.get(id));
            let kinds: Vec<ResourceKind> = match (found, source.kind) {
                (Some(kinds), _) => kinds.iter().copied().collect(),
                (None, Some(kind)) => vec![kind],
                (None, None) => {
                    scan.guessed_blobs.push(source.at);
                    vec![ResourceKind::Image, ResourceKind::Media, ResourceKind::Frame, ResourceKind::Object]
                }
            };
            scan.blob_sources.extend(kinds.into_iter().map(|kind| (source.at, kind)));
        }
        scan.blob_sources.sort_unstable();
        scan.blob_sources.dedup();
        scan.guessed_blobs.sort_unstable();
        scan.guessed_blobs.dedup();
    }
}

/// The places in `text` that show an object URL in an element ([`ScriptCalls::blob_sources`]): a `.src` assignment
/// (`img.src = url`), `setAttribute('src', url)` and jQuery's `.attr('src', url)` (or `.prop`), and the same of an
/// `<object>`'s `data`. The element the statement makes or selects by its tag ([`element_reference`]) tells the
/// directive, or else the pages' element of the id or class it names ([`resolve_object_urls`]); a variable's name tells
/// nothing.
fn object_url_sources(text: &str) -> Vec<ObjectUrlSource> {
    const SETTERS: [&str; 3] = [".setAttribute(", ".attr(", ".prop("];
    let b = text.as_bytes();
    let mut found: Vec<(usize, &str, usize)> = Vec::new();
    for attr in ["src", "data"] {
        let property = format!(".{attr}");
        for p in memchr::memmem::find_iter(b, property.as_bytes()) {
            let eq = skip_ws(b, p + property.len());
            if b.get(eq) == Some(&b'=') && b.get(eq + 1) != Some(&b'=') {
                found.push((p, attr, skip_ws(b, eq + 1)));
            }
        }
    }
    for setter in SETTERS {
        for p in memchr::memmem::find_iter(b, setter.as_bytes()) {
            let Some((name, true, next)) = js_string(text, skip_ws(b, p + setter.len())) else { continue };
            let comma = skip_ws(b, next);
            if let (Some(attr @ ("src" | "data")), Some(b',')) = (Some(name), b.get(comma)) {
                found.push((p, attr, skip_ws(b, comma + 1)));
            }
        }
    }
    found.sort_unstable();
    let mut out = Vec::new();
    for (p, attr, value) in found {
        // (Called only for text that makes an object URL somewhere.)
        if !may_be_object_url(text, value) {
            continue;
        }
        // (The statement up to the element: `document.getElementById('pdf-frame')`, `$('#preview')`, `videoPreview`.)
        let start = b[..p].iter().rposition(|c| matches!(c, b';' | b'{' | b'}' | b'\n' | b'=')).map_or(0, |i| i + 1);
        let (made, id) = element_reference(text, &text[start..p], 0);
        // (`data` is an `<object>`'s, on anything else no URL the browser loads: an object's when the statement names
        // one, `pdfObject.data = url`, or the object URL is made right there, `drawing.data = URL.createObjectURL(svg)`.
        // A name decides nothing else: `thumb` may hold a frame, and only the pages or the code that makes the element
        // tell its kind.)
        let element = text[start..p].to_ascii_lowercase();
        if attr == "src" {
            out.push(ObjectUrlSource { at: p, kind: made, id });
        } else if made == Some(ResourceKind::Object)
            || element.contains("object")
            || element.contains("embed")
            || OBJECT_URL_CALLS.iter().any(|u| text[value..].starts_with(u))
        {
            out.push(ObjectUrlSource { at: p, kind: Some(ResourceKind::Object), id });
        }
    }
    out
}

/// A tile-layer URL template (`https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png`) as a URL whose host a CSP source
/// can name: the labels up to the last one holding a placeholder become `*` (`https://*.tile.openstreetmap.org/...`,
/// which matches every subdomain). `None` when no such host remains (`https://{host}/...`, a placeholder in the port
/// or the last two labels).
fn tile_url(url: &str) -> Option<String> {
    let Some(scheme) = ["https://", "http://", "//"]
        .into_iter()
        .find(|p| url.get(..p.len()).is_some_and(|s| s.eq_ignore_ascii_case(p)))
    else {
        return Some(url.to_string());
    };
    let rest = &url[scheme.len()..];
    let (authority, path) = rest.split_at(rest.find(['/', '?', '#']).unwrap_or(rest.len()));
    if !authority.contains('{') {
        return Some(url.to_string());
    }
    let labels: Vec<&str> = authority.split('.').collect();
    let last = labels.iter().rposition(|l| l.contains('{'))?;
    let suffix = &labels[last + 1..];
    if suffix.len() < 2 || suffix.iter().any(|l| l.contains('}')) {
        return None;
    }
    Some(format!("{}*.{}{path}", &url[..scheme.len()], suffix.join(".")))
}

/// The library a `<script src>` loads, when it is one known to compile what it reads from the page with `new
/// Function`, which `script-src` blocks without `'unsafe-eval'` (each from the library's own documentation):
///
/// - Alpine.js's standard build (`alpinejs` from a CDN, `alpine.min.js`): "it uses Function declarations, which ...
///   violate 'unsafe-eval'"; its CSP build, `@alpinejs/csp`, does not (<https://alpinejs.dev/advanced/csp>);
/// - Vue's full builds, compiler included (`vue.js`, `vue.min.js`, `vue.global.js`, `vue.global.prod.js`,
///   `vue.esm-browser.js`; `vue@3` alone on a CDN serves `vue.global.js`): the compiler turns in-DOM templates into
///   render functions with `new Function`; the runtime-only builds (`vue.runtime.*`) are "fully CSP-compliant"
///   (Vue's installation guide, "CSP environments"; `dist/README.md` names the builds). Vue 3's ES-module browser
///   builds are told apart ([`VUE_ESM_FULL`]): their runtime-only sibling is an ES module too;
/// - Knockout (`knockout-3.5.1.js`, `knockout.js`): its default binding provider "uses `new Function` to parse
///   bindings" (knockout-secure-binding's README, after knockout/knockout#903).
///
/// AngularJS 1.x is not listed: without `ng-csp` it "tries to autodetect if CSP is blocking dynamic code creation
/// ... and automatically deactivates this feature" (the `ngCsp` directive's documentation), so the page keeps
/// working under helmet's policy.
/// What [`eval_library`] calls Vue 3's ES-module full build (`vue.esm-browser.js`, `vue.esm-browser.prod.js`), whose
/// runtime-only sibling is `vue.runtime.esm-browser(.prod).js` (the global build's is `vue.runtime.global(.prod).js`).
pub const VUE_ESM_FULL: &str = "Vue's ES-module full build (its template compiler)";

#[must_use]
pub fn eval_library(url: &str) -> Option<&'static str> {
    let path = url.split(['?', '#']).next()?.trim().to_ascii_lowercase();
    let file = path.trim_end_matches('/').rsplit('/').next()?;
    let js = file.ends_with(".js") || file.ends_with(".mjs");
    if path.contains("/alpinejs") || (file.starts_with("alpine") && js) {
        return (!path.contains("csp")).then_some("Alpine.js (its standard build)");
    }
    const VUE_FULL: [&str; 6] =
        ["vue.js", "vue.min.js", "vue.global.js", "vue.global.prod.js", "vue.esm.browser.js", "vue.esm.browser.min.js"];
    // (Vue 3's ES-module browser builds: what to load instead is their runtime-only sibling, not a global build.)
    if matches!(file, "vue.esm-browser.js" | "vue.esm-browser.prod.js") {
        return Some(VUE_ESM_FULL);
    }
    let vue_package = (file == "vue" || file.starts_with("vue@")) && !path.contains("/dist/");
    if VUE_FULL.contains(&file) || vue_package {
        return Some("Vue's full build (its template compiler)");
    }
    if path.contains("/petite-vue") || path == "petite-vue" || (file.starts_with("petite-vue") && js) {
        return Some("petite-vue");
    }
    (file.starts_with("knockout") && js && !file.contains("secure")).then_some("Knockout")
}

/// Whether a script URL or module specifier loads htmx (`https://unpkg.com/htmx.org@2.0.4`, `/js/htmx.min.js`, the
/// `htmx.org` package), whose attributes may evaluate ([`htmx_attribute`]).
fn is_htmx(url: &str) -> bool {
    let path = url.split(['?', '#']).next().unwrap_or_default().trim().to_ascii_lowercase();
    let file = path.trim_end_matches('/').rsplit('/').next().unwrap_or_default();
    path.contains("htmx.org") || (file.starts_with("htmx") && (file.ends_with(".js") || file.ends_with(".mjs")))
}

/// The module specifiers script text imports (`import x from '...'`, `import '...'`, `export ... from '...'`,
/// `import('...')`), each at the offset of its string, whatever it names (a URL, a path or a package): the libraries
/// [`eval_library`] knows are found by them as by a `<script src>`.
fn imports(text: &str) -> Vec<(usize, &str)> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    for call in ["import(", "from ", "import "] {
        for p in memchr::memmem::find_iter(b, call.as_bytes()) {
            let named = p.checked_sub(1).map(|i| b[i]).is_none_or(|c| !(is_ident(c) || c == b'$' || c == b'.'));
            let at = skip_ws(b, p + call.len());
            // (A bare specifier, `vue`, is resolved by an import map or a bundler: what it names is read there.)
            if let Some((specifier, true, _)) = js_string(text, at).filter(|(s, ..)| named && s.contains('/')) {
                out.push((at, specifier.trim()));
            }
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// What the front-end packages a project lists (`package.json` text `manifest`, with `lists` telling whether a package
/// is in it) put in its pages when a bundler builds them in, where no `<script src>` names them and the bundle is
/// minified (not read): `alpinejs` (its standard build compiles the page's expressions with `new Function`, see
/// [`eval_library`]), `knockout` (its default binding provider does), and `@stripe/stripe-js`, whose `loadStripe`
/// injects `https://js.stripe.com/v3` (`V3_URL` in its `dist/index.mjs`): a script of that host, which the Stripe.js
/// widget's sources follow; `vue`, whose build a bundler chooses, as a package to check ([`ViewScan::unsure`]). Each
/// at the line of the package's name in the manifest.
#[must_use]
pub fn package_scan(manifest: &str, lists: impl Fn(&str) -> bool) -> ViewScan {
    let mut out = ViewScan::default();
    let line_of = |name: &str| manifest_line(manifest, name);
    for (package, what) in [
        ("alpinejs", "Alpine.js (its standard build, bundled from the alpinejs package)"),
        ("knockout", "Knockout"),
        ("petite-vue", "petite-vue"),
    ] {
        if lists(package) {
            out.evals.push(Evaluation { line: line_of(package), what });
        }
    }
    // (A bundler resolves `vue` to its runtime-only build, which needs nothing, unless it is aliased to the full one.)
    if lists("vue") {
        out.unsure.push((line_of("vue"), "vue"));
    }
    if lists("htmx.org") {
        out.htmx.push(line_of("htmx.org"));
    }
    if lists("@stripe/stripe-js") {
        let line = line_of("@stripe/stripe-js");
        out.external.push(ExternalResource {
            line,
            kind: ResourceKind::Script,
            origin: "https://js.stripe.com".into(),
        });
    }
    out.sort();
    out
}

/// The 1-based line of the package `name` in the package.json text `manifest` (its first mention; line 1 if none).
#[must_use]
pub fn manifest_line(manifest: &str, name: &str) -> usize {
    let at = memchr::memmem::find(manifest.as_bytes(), format!("\"{name}\"").as_bytes()).unwrap_or(0);
    1 + memchr::memchr_iter(b'\n', &manifest.as_bytes()[..at]).count()
}

/// The JavaScript string literal at `at` (quoted or a template literal up to its first `${`): its text (escapes
/// left as written, enough for a URL's start), whether it is the whole literal, and the offset after it.
fn js_string(text: &str, at: usize) -> Option<(&str, bool, usize)> {
    let b = text.as_bytes();
    let q = *b.get(at)?;
    if !matches!(q, b'"' | b'\'' | b'`') {
        return None;
    }
    let mut i = at + 1;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            c if c == q => return Some((text.get(at + 1..i)?, true, i + 1)),
            b'$' if q == b'`' && b.get(i + 1) == Some(&b'{') => return Some((text.get(at + 1..i)?, false, i)),
            b'\n' if q != b'`' => return None,
            _ => i += 1,
        }
    }
    None
}

/// Whether `url` loads from a host known only at run time: it starts with a template fragment (`<%= cdn %>/app.js`),
/// or its host holds one (`https://{{host}}/x.js`), or a Pug string literal ends before the host does.
fn runtime_host(url: &str, complete: bool) -> bool {
    let url = url.trim_matches(|c: char| c.is_ascii_whitespace());
    if starts_with_template(url) {
        return true;
    }
    let rest = ["https://", "http://", "wss://", "ws://", "//"]
        .iter()
        .find_map(|p| url.get(..p.len()).filter(|s| s.eq_ignore_ascii_case(p)).map(|_| &url[p.len()..]));
    let Some(rest) = rest else { return false };
    match rest.find(['/', '?', '#', '\\']) {
        Some(e) => rest[..e].contains(['<', '{', '$']),
        None => !complete || rest.contains(['<', '{', '$']),
    }
}

fn starts_with_template(s: &str) -> bool {
    ["<%", "{{", "{%", "${", "#{", "!{"].iter().any(|t| s.starts_with(t))
}

/// The origin a CSP source must name for `url`, or None when the URL is
/// relative, not http(s), or its host is not known at scan time (a template
/// expression, or a Pug string literal that ends before the host does).
pub(crate) fn origin_of(url: &str, complete: bool) -> Option<String> {
    let url = url.trim_matches(|c: char| c.is_ascii_whitespace());
    let strip =
        |prefix: &str| url.get(..prefix.len()).filter(|p| p.eq_ignore_ascii_case(prefix)).map(|_| &url[prefix.len()..]);
    let (scheme, rest) = if let Some(rest) = strip("https://") {
        ("https", rest)
    } else if let Some(rest) = strip("http://") {
        ("http", rest)
    } else if let Some(rest) = strip("wss://") {
        ("wss", rest)
    } else if let Some(rest) = strip("ws://") {
        ("ws", rest)
    } else if let Some(rest) = url.strip_prefix("//") {
        // Scheme-relative: loaded over the page's own scheme, which a host source without a scheme matches (on an http
        // page, http and https; on an https page, https). `https://host` would block it on a page opened over plain
        // http, which the policy no longer upgrades (`upgradeInsecureRequests: null`).
        ("", rest)
    } else {
        return None;
    };
    let authority = match rest.find(['/', '?', '#', '\\']) {
        Some(e) => &rest[..e],
        None if complete => rest,
        None => return None,
    };
    let authority = authority.rsplit('@').next().unwrap_or(authority);
    let (host, port) = if authority.starts_with('[') {
        let close = authority.find(']')?;
        let port = &authority[close + 1..];
        let port = if port.is_empty() { "" } else { port.strip_prefix(':')? };
        let host = &authority[..=close];
        let inner_ok = host[1..host.len() - 1].bytes().all(|c| c.is_ascii_hexdigit() || c == b':' || c == b'.');
        if !inner_ok || host.len() == 2 {
            return None;
        }
        (host, port)
    } else {
        let (host, port) = authority.rsplit_once(':').unwrap_or((authority, ""));
        // (`*.tile.openstreetmap.org`: a tile template's host, [`tile_url`].)
        let named = host.strip_prefix("*.").unwrap_or(host);
        let host_ok = !named.is_empty()
            && !named.starts_with('.')
            && named.bytes().all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'.' | b'_'));
        if !host_ok {
            return None;
        }
        (host, port)
    };
    if !port.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let default_port = match scheme {
        "https" | "wss" => "443",
        "http" | "ws" => "80",
        _ => "",
    };
    let host = host.to_ascii_lowercase();
    let scheme = if scheme.is_empty() { String::new() } else { format!("{scheme}://") };
    Some(if port.is_empty() || port == default_port {
        format!("{scheme}{host}")
    } else {
        format!("{scheme}{host}:{port}")
    })
}

/// Byte ranges of the URLs in a `srcset`, following the HTML standard's
/// splitting: a URL runs to whitespace (trailing commas are not part of it),
/// and descriptors run to the next comma outside parentheses.
fn srcset_candidates(v: &[u8]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut i = 0;
    loop {
        while i < v.len() && (v[i].is_ascii_whitespace() || v[i] == b',') {
            i += 1;
        }
        if i >= v.len() {
            return out;
        }
        let start = i;
        while i < v.len() && !v[i].is_ascii_whitespace() {
            i += 1;
        }
        let mut end = i;
        while end > start && v[end - 1] == b',' {
            end -= 1;
        }
        out.push((start, end));
        if end < i {
            continue;
        }
        let mut depth = 0usize;
        while i < v.len() {
            match v[i] {
                b'(' => depth += 1,
                b')' => depth = depth.saturating_sub(1),
                b',' if depth == 0 => break,
                _ => {}
            }
            i += 1;
        }
    }
}

/// A CSS string starting after quote `q` at `i`: (end of contents, offset after it).
/// CSS strings cannot span lines, so an unclosed one stops at the newline.
fn css_string_end(b: &[u8], mut i: usize, q: u8) -> (usize, usize) {
    while i < b.len() && b[i] != q && b[i] != b'\n' {
        i += if b[i] == b'\\' { 2 } else { 1 };
    }
    let end = i.min(b.len());
    (end, if end < b.len() && b[end] == q { end + 1 } else { end })
}

/// The URL of a CSS `url(` whose contents start at `i`: (start, end, offset after).
fn css_url(b: &[u8], i: usize) -> (usize, usize, usize) {
    let i = skip_ws(b, i);
    if let Some(&q @ (b'"' | b'\'')) = b.get(i) {
        let (end, next) = css_string_end(b, i + 1, q);
        return (i + 1, end, next);
    }
    let mut e = i;
    while e < b.len() && b[e] != b')' && !b[e].is_ascii_whitespace() {
        e += 1;
    }
    (i, e, e)
}

/// Operators that let a Pug attribute's JavaScript value go on past whitespace
/// (`src='/a' + b`); without one, whitespace starts the next attribute.
fn is_js_operator(c: u8) -> bool {
    b"+-*/%?:|&<>=!^~.".contains(&c)
}

/// The end of the JavaScript expression of a Pug attribute value starting at `start`.
fn js_expr_end(b: &[u8], start: usize) -> usize {
    let n = b.len();
    let mut i = start;
    let mut depth = 0usize;
    let mut quote: Option<u8> = None;
    while i < n {
        let c = b[i];
        if let Some(q) = quote {
            if c == b'\\' {
                i += 2;
                continue;
            }
            if c == q {
                quote = None;
            }
            i += 1;
            continue;
        }
        match c {
            b'\'' | b'"' | b'`' => quote = Some(c),
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => {
                if depth == 0 {
                    return i;
                }
                depth -= 1;
            }
            b',' if depth == 0 => return i,
            c if depth == 0 && c.is_ascii_whitespace() => {
                let next = skip_ws(b, i);
                let prev = b[start..i].iter().rev().find(|c| !c.is_ascii_whitespace());
                let goes_on = next < n && (is_js_operator(b[next]) || prev.is_some_and(|&p| is_js_operator(p)));
                if !goes_on {
                    return i;
                }
                i = next;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    n
}

/// A Pug attribute value: a string literal's contents when it starts with one
/// (`'https://cdn/x.js'`, also `'https://cdn/' + path`), else the raw expression.
fn pug_value(b: &[u8], start: usize, end: usize) -> Value {
    let mut s = start;
    let mut e = end.min(b.len());
    while s < e && b[s].is_ascii_whitespace() {
        s += 1;
    }
    while e > s && b[e - 1].is_ascii_whitespace() {
        e -= 1;
    }
    if let Some(&q @ (b'\'' | b'"' | b'`')) = b.get(s).filter(|_| s < e) {
        let mut k = s + 1;
        while k < e && b[k] != q {
            k += if b[k] == b'\\' { 2 } else { 1 };
        }
        let k = k.min(e);
        return Value { off: s + 1, len: k - (s + 1), literal: true, complete: k + 1 == e };
    }
    Value { off: s, len: e - s, literal: false, complete: false }
}

/// The names a Pug code line declares (`- const url = `/delete/${post.id}``, `- var url = '/a/' + id`) with the
/// value of their expression, for the names the template assigns nowhere else (a second declaration in another branch,
/// `- url = other` later): an attribute naming one (`form(action=url)`) is judged as if that value were written there.
fn pug_constants(text: &str) -> BTreeMap<String, Value> {
    let b = text.as_bytes();
    let mut found: BTreeMap<String, Value> = BTreeMap::new();
    let mut pos = 0;
    while pos < b.len() {
        let eol = line_end(b, pos);
        let start = skip_indent(b, pos, eol);
        if let Some((name, value)) = pug_declaration(b, start, eol) {
            let assigned = assignments(text, &name);
            if assigned == 1 {
                found.insert(name, value);
            }
        }
        pos = eol + 1;
    }
    found
}

/// `- const NAME = EXPR` (or `let`, `var`) on the line from `start` to `eol`: NAME and EXPR's value, when EXPR is the
/// whole rest of the line (a trailing `;` aside).
fn pug_declaration(b: &[u8], start: usize, eol: usize) -> Option<(String, Value)> {
    let mut i = start;
    if b.get(i) != Some(&b'-') {
        return None;
    }
    i = skip_ws(&b[..eol], i + 1);
    let keyword = ["const", "let", "var"].iter().find(|k| b[i..eol].starts_with(k.as_bytes()))?;
    i += keyword.len();
    if !b.get(i).is_some_and(|c| *c == b' ' || *c == b'\t') {
        return None;
    }
    i = skip_ws(&b[..eol], i);
    let name_start = i;
    while i < eol && is_js_ident(b[i]) {
        i += 1;
    }
    if i == name_start || b[name_start].is_ascii_digit() {
        return None;
    }
    let name = String::from_utf8_lossy(&b[name_start..i]).into_owned();
    i = skip_ws(&b[..eol], i);
    if b.get(i) != Some(&b'=') || matches!(b.get(i + 1), Some(b'=' | b'>')) {
        return None;
    }
    let s = skip_ws(&b[..eol], i + 1);
    let mut e = eol;
    while e > s && (b[e - 1].is_ascii_whitespace() || b[e - 1] == b';') {
        e -= 1;
    }
    if s >= e || js_expr_end(&b[..e], s) != e {
        return None;
    }
    Some((name, pug_value(b, s, e)))
}

/// How many times `text` assigns the identifier `name` (`name =`, `name +=`, ..., not `name ==` or `name =>`).
fn assignments(text: &str, name: &str) -> usize {
    let b = text.as_bytes();
    let mut count = 0;
    let mut from = 0;
    while let Some(at) = find(b, from, name.as_bytes()) {
        from = at + name.len();
        let before = at.checked_sub(1).map(|k| b[k]);
        if before.is_some_and(|c| is_js_ident(c) || c == b'.') {
            continue;
        }
        if b.get(from).copied().is_some_and(is_js_ident) {
            continue;
        }
        let assigns = match &b[skip_ws(b, from)..] {
            [b'=', next, ..] => !matches!(next, b'=' | b'>'),
            [b'='] | [b'+', b'+', ..] | [b'-', b'-', ..] => true,
            [op, b'=', ..] => b"+-*/%&|^".contains(op),
            // (`**=`, `&&=`, `||=`, `??=`, `<<=`, `>>=`.)
            [a, c, b'=', ..] => a == c && b"*&|?<>".contains(a),
            _ => false,
        };
        count += usize::from(assigns);
    }
    count
}

fn is_js_ident(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'$'
}

/// The offset after the parenthesised group whose `(` is at `open`.
fn skip_parens(b: &[u8], open: usize) -> usize {
    let end = js_expr_end(b, open + 1);
    // js_expr_end stops at top-level whitespace too; keep going to the `)`.
    let mut i = end;
    while i < b.len() && b[i] != b')' {
        i = js_expr_end(b, i + 1);
    }
    (i + 1).min(b.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A wrapper's text with characters of several bytes before the call (an em dash in a comment, an ellipsis): the
    /// window is walked on bytes, never cut inside a character (apostrophe's and uptime-kuma's scripts panicked here).
    #[test]
    fn a_wrapper_after_multibyte_characters_is_found_without_a_panic() {
        for text in [
            "// a dash \u{2014} and more\nconst load = (url) => fetch(url)\n",
            "/* \u{2026} */ function api(path, options) { return fetch(path, options) }\n",
            "// \u{2014}=>\u{2014}(\u{2014})=>\nconst get = async url => (await fetch(url)).json()\n",
        ] {
            let call = text.find("fetch(").expect("a call") + "fetch(".len();
            let found = wrapper_of(text, call - "fetch(".len(), call);
            assert!(found.is_some_and(|(name, index)| !name.is_empty() && index == 0), "{text}: {found:?}");
        }
    }
    use std::path::PathBuf;
    use InlineKind as I;
    use ResourceKind as R;

    struct Case {
        name: &'static str,
        file: &'static str,
        text: &'static str,
        inline: &'static [(usize, InlineKind)],
        external: &'static [(usize, ResourceKind, &'static str)],
    }

    const CASES: &[Case] = &[
        Case {
            name: "inline script body, line of the tag",
            file: "index.html",
            text: "<p>hi</p>\n<script>\n  alert(1)\n</script>\n<script>  \n </script>",
            inline: &[(2, I::Script)],
            external: &[],
        },
        Case {
            name: "CDN script",
            file: "layout.ejs",
            text: "<script src=\"https://cdn.jsdelivr.net/npm/vue@3/dist/vue.js\"></script>",
            inline: &[],
            external: &[(1, R::Script, "https://cdn.jsdelivr.net")],
        },
        Case {
            name: "relative scripts are same-origin",
            file: "a.html",
            text: "<script src=\"/js/app.js\"></script><script src='js/b.js'></script><img src=\"data:image/png;base64,AAA\">",
            inline: &[],
            external: &[],
        },
        Case {
            name: "EJS expression as src is not a known host, and not inline",
            file: "a.ejs",
            text: "<script src=\"<%= cdn %>/x.js\"></script>\n<script src=\"<%= url(\"a\") %>\"></script>\n<img src=\"https://<%= host %>/a.png\">",
            inline: &[],
            external: &[],
        },
        Case {
            name: "Handlebars and Nunjucks expressions as src",
            file: "a.hbs",
            text: "<script src=\"{{cdn}}/x.js\"></script><script src=\"{{{cdn}}}/y.js\"></script><img src='{% static \"a.png\" %}'>",
            inline: &[],
            external: &[],
        },
        Case {
            name: "data blocks are not scripts",
            file: "a.html",
            text: "<script type=\"application/ld+json\">{\"@type\":\"Org\"}</script>\n<script type=\"text/template\"><b>x</b></script>\n<script type='text/x-template'>x</script>\n<script type=\"text/html\">x</script>\n<script type=\"text/template\" src=\"https://t.example.com/a\"></script>",
            inline: &[],
            external: &[],
        },
        Case {
            name: "client-side templates in script elements are read as markup",
            file: "index.html",
            text: "<script type=\"text/x-template\" id=\"row\"><li><button onclick=\"buy()\">Buy</button>\n<img src=\"https://img.example.com/a.png\"></li></script>\n<script type=\"text/ng-template\"><a href=\"javascript:go()\">go</a></script>\n<script type=\"application/json\">{\"a\": \"<b onclick=x()>\"}</script>\n<script type=\"x-shader/x-vertex\">if (a <b) x();</script>",
            inline: &[(1, I::EventHandler), (3, I::JavascriptUrl)],
            external: &[(2, R::Image, "https://img.example.com")],
        },
        Case {
            name: "importmap, module and JS MIME types are inline scripts",
            file: "a.html",
            text: "<script type=\"importmap\">{\"imports\":{}}</script>\n<script type=\"module\">import './a.js'</script>\n<script type=\"text/javascript\">x()</script>\n<script TYPE=\"Application/JavaScript\">y()</script>",
            inline: &[(1, I::Script), (2, I::Script), (3, I::Script), (4, I::Script)],
            external: &[],
        },
        Case {
            name: "scripts inside HTML, EJS and Handlebars comments",
            file: "a.hbs",
            text: "<!-- <script src=\"https://evil.example.com/x.js\"></script>\n<script>alert(1)</script> -->\n<%# <script>alert(2)</script> %>\n{{!-- <script src=\"https://x.example.com/a.js\"></script> --}}\n<p>ok</p>",
            inline: &[],
            external: &[],
        },
        Case {
            name: "event handler on a later line of a multi-line tag",
            file: "a.html",
            text: "<button\n  class=\"b\"\n  onclick=\"go()\">Go</button>\n<body onLoad='init()'>",
            inline: &[(3, I::EventHandler), (4, I::EventHandler)],
            external: &[],
        },
        Case {
            name: "onclick in text, in data-*, and lookalike attributes are not handlers",
            file: "a.html",
            text: "<p>Use onclick=\"x()\" carefully; a < b and c > d</p>\n<div data-onclick=\"x\" one=\"1\" on=\"2\"></div>\n<textarea><script>alert(1)</script> onclick=\"y\"</textarea>\n<title><script>t()</script></title>",
            inline: &[],
            external: &[],
        },
        Case {
            name: "data-src is not fetched",
            file: "a.html",
            text: "<img data-src=\"https://cdn.example.com/a.png\" src=\"/a.png\">",
            inline: &[],
            external: &[],
        },
        Case {
            name: "javascript: URLs (one whose code does nothing is none: the policy blocking it changes nothing)",
            file: "a.html",
            text: "<a href=\"javascript:void(0)\">x</a>\n<a href=\" JavaScript:go()\">y</a>\n<a href=\"java\tscript:go()\">z</a>\n<form action=\"javascript:send()\"></form>\n<a href=\"/javascript:no\">n</a>\n<a href=\"javascript: void 0;\">v</a> <a href=\"javascript:;\">w</a>\n<a href=\"javascript:void(go())\">u</a>",
            inline: &[(2, I::JavascriptUrl), (3, I::JavascriptUrl), (4, I::JavascriptUrl), (7, I::JavascriptUrl)],
            external: &[],
        },
        Case {
            name: "stylesheets: https and http, quoted and unquoted",
            file: "a.html",
            text: "<link rel=\"stylesheet\" href=\"https://fonts.googleapis.com/css2?family=Inter\">\n<link rel=stylesheet href=http://old.example.com/s.css>\n<link rel=\"alternate stylesheet\" href='https://alt.example.com/a.css'>\n<link rel=\"canonical\" href=\"https://me.example.com/\">",
            inline: &[],
            external: &[
                (1, R::Style, "https://fonts.googleapis.com"),
                (2, R::Style, "http://old.example.com"),
                (3, R::Style, "https://alt.example.com"),
            ],
        },
        Case {
            name: "preload as font, script and style; modulepreload; icons",
            file: "a.njk",
            text: "<link rel=\"preload\" as=\"font\" href=\"https://fonts.gstatic.com/f.woff2\" crossorigin>\n<link rel=preload as=script href=\"https://s.example.com/a.js\">\n<link rel=\"preload\" as=\"style\" href=\"http://st.example.com/a.css\">\n<link rel=\"modulepreload\" href=\"https://m.example.com/m.js\">\n<link rel=\"shortcut icon\" href=\"https://i.example.com/favicon.ico\">\n<link rel=\"preconnect\" href=\"https://p.example.com\">",
            inline: &[],
            external: &[
                (1, R::Font, "https://fonts.gstatic.com"),
                (2, R::Script, "https://s.example.com"),
                (3, R::Style, "http://st.example.com"),
                (4, R::Script, "https://m.example.com"),
                (5, R::Image, "https://i.example.com"),
            ],
        },
        Case {
            name: "img src and srcset candidates on their own lines",
            file: "a.html",
            text: "<img src=\"https://img.example.com/a.png\"\n  srcset=\"https://img.example.com/a.png 1x,\n  //img2.example.com/b,c.png 2x, /local.png 3x\">",
            inline: &[],
            external: &[
                (1, R::Image, "https://img.example.com"),
                (2, R::Image, "https://img.example.com"),
                (3, R::Image, "img2.example.com"),
            ],
        },
        Case {
            name: "iframe is a frame",
            file: "a.html",
            text: "<p>video</p>\n<iframe width=560 src=\"https://www.youtube.com/embed/x\" allowfullscreen></iframe>",
            inline: &[],
            external: &[(2, R::Frame, "https://www.youtube.com")],
        },
        Case {
            name: "video, poster, source, audio with a port, picture source srcset",
            file: "a.html",
            text: "<video src=\"https://media.example.com/v.mp4\" poster=\"https://img.example.com/p.jpg\">\n<source src=\"https://media.example.com/v.webm\"></video>\n<audio src=\"http://radio.example.com:8000/stream\"></audio>\n<picture><source srcset=\"https://img.example.com/a.avif\"></picture>",
            inline: &[],
            external: &[
                (1, R::Media, "https://media.example.com"),
                (1, R::Image, "https://img.example.com"),
                (2, R::Media, "https://media.example.com"),
                (3, R::Media, "http://radio.example.com:8000"),
                (4, R::Image, "https://img.example.com"),
            ],
        },
        Case {
            name: "protocol-relative, ports, default ports, case and userinfo",
            file: "a.html",
            text: "<SCRIPT SRC=\"//CDN.Example.com:8080/x.js\"></SCRIPT>\n<script src=\"https://a.example.com:443/x.js\"></script>\n<script src=\"http://b.example.com:80\"></script>\n<script src=\"https://u:p@c.example.com/x.js\"></script>\n<script src=\"https://[::1]:3000/x.js\"></script>",
            inline: &[],
            external: &[
                (1, R::Script, "cdn.example.com:8080"),
                (2, R::Script, "https://a.example.com"),
                (3, R::Script, "http://b.example.com"),
                (4, R::Script, "https://c.example.com"),
                (5, R::Script, "https://[::1]:3000"),
            ],
        },
        Case {
            name: "template tags inside a tag do not end it",
            file: "a.ejs",
            text: "<input <% if (a > b) { %>onclick=\"x()\"<% } %> value=\"<%= v > 1 ? 'a' : 'b' %>\">\n<img {% if big %}class=\"big\"{% endif %} src=\"https://img.example.com/a.png\">\n<% if (a<b) { %><p>x</p><% } %>",
            inline: &[(1, I::EventHandler)],
            external: &[(2, R::Image, "https://img.example.com")],
        },
        Case {
            name: "a tag cut off at the end of the file is dropped",
            file: "a.html",
            text: "<p>ok</p><script src=\"https://cdn.example.com/x.js",
            inline: &[],
            external: &[],
        },
        Case {
            name: "multi-byte text around findings",
            file: "a.html",
            text: "<p>héllo ✓ 日本</p>\n<img alt=\"ü\" src=\"https://bild.example.de/ä.png\">\n<script>var s = \"日本\";</script>",
            inline: &[(3, I::Script)],
            external: &[(2, R::Image, "https://bild.example.de")],
        },
        Case {
            name: "CSS: @import, @font-face and background url()",
            file: "a.html",
            text: "<style>\n@import url(\"http://fonts.example.com/a.css\");\n@font-face { font-family: X; src: url(https://fonts.example.com/f.woff2) }\nbody { background: url('https://img.example.com/bg.png') }\n/* url(https://no.example.com/a.png) */\n</style>\n<div style=\"background-image: url(//img.example.com/x.png)\"></div>",
            inline: &[],
            external: &[
                (2, R::Style, "http://fonts.example.com"),
                (3, R::Font, "https://fonts.example.com"),
                (4, R::Image, "https://img.example.com"),
                (7, R::Image, "img.example.com"),
            ],
        },
        Case {
            name: "Mustache file is HTML-like",
            file: "page.mustache",
            text: "{{#user}}<a href=\"javascript:logout()\">{{name}}</a>{{/user}}\n<script src=\"https://code.jquery.com/jquery.js\"></script>",
            inline: &[(1, I::JavascriptUrl)],
            external: &[(2, R::Script, "https://code.jquery.com")],
        },
        Case {
            name: "pug: script src, links, img, iframe with both quote styles and separators",
            file: "layout.pug",
            text: "doctype html\nhtml\n  head\n    script(src='https://cdn.jsdelivr.net/npm/vue.js')\n    link(rel='stylesheet', href=\"http://cdn.example.com/s.css\")\n    link(rel=\"stylesheet\" href='https://ok.example.com/s.css')\n  body\n    img(src=\"//img.example.com/a.png\" alt='x')\n    iframe(src='https://www.youtube.com/embed/1')",
            inline: &[],
            external: &[
                (4, R::Script, "https://cdn.jsdelivr.net"),
                (5, R::Style, "http://cdn.example.com"),
                (6, R::Style, "https://ok.example.com"),
                (8, R::Image, "img.example.com"),
                (9, R::Frame, "https://www.youtube.com"),
            ],
        },
        Case {
            name: "pug: inline script forms",
            file: "a.pug",
            text: "script.\n  var a = 1;\np after\nscript\n  | alert(1)\nscript console.log(1)\nscript= data\nscript(src='/js/app.js')\nscript.\np empty script above",
            inline: &[(1, I::Script), (4, I::Script), (6, I::Script), (7, I::Script)],
            external: &[],
        },
        Case {
            name: "pug: event handlers, and a javascript: URL that does nothing",
            file: "a.pug",
            text: "button(onclick='go()') Go\na(href='javascript:void(0)', class='x') link\nbutton(onclick=false) dropped\nbutton.btn#b(type='button' onmouseover=\"hi()\")",
            inline: &[(1, I::EventHandler), (4, I::EventHandler)],
            external: &[],
        },
        Case {
            name: "pug: comments and their blocks",
            file: "a.pug",
            text: "//- script(src='https://evil.example.com/x.js')\n//\n  script alert(1)\n  img(src='https://img.example.com/a.png')\np ok\n:markdown-it\n  <script>x()</script>",
            inline: &[],
            external: &[],
        },
        Case {
            name: "pug: unknown and relative values, data blocks, handler text",
            file: "a.pug",
            text: "script(src=cdn + '/x.js')\nscript(src='#{cdn}/x.js')\nscript(src='https://' + host + '/x.js')\nscript(type='application/ld+json').\n  {\"a\": 1}\nimg(src='/img/a.png')\np onclick=\"text\" is text\ninclude ../partials/head",
            inline: &[],
            external: &[],
        },
        Case {
            name: "pug: string concatenation keeps a complete host",
            file: "a.pug",
            text: "script(src='https://cdn.example.com/' + version + '/x.js' async)",
            inline: &[],
            external: &[(1, R::Script, "https://cdn.example.com")],
        },
        Case {
            name: "pug: multi-line attributes and tag chains",
            file: "a.pug",
            text: "div\n  script(\n    src='https://a.example.com/x.js'\n    async\n  )\n  li: a(href='javascript:go()') x\n  div: script(src=\"https://b.example.com/y.js\")",
            inline: &[(6, I::JavascriptUrl)],
            external: &[(3, R::Script, "https://a.example.com"), (7, R::Script, "https://b.example.com")],
        },
        Case {
            name: "pug: raw HTML in text blocks, piped text and literal lines",
            file: "a.pug",
            text: "div.\n  <script src=\"https://c.example.com/z.js\"></script>\n  <button onclick=\"x()\">x</button>\n| <img src=\"https://img.example.com/p.png\">\n<iframe src=\"https://f.example.com/\"></iframe>\np see <a onclick=\"y()\">here</a>",
            inline: &[(3, I::EventHandler), (6, I::EventHandler)],
            external: &[
                (2, R::Script, "https://c.example.com"),
                (4, R::Image, "https://img.example.com"),
                (5, R::Frame, "https://f.example.com"),
            ],
        },
        Case {
            name: "pug: style blocks and attributes",
            file: "a.pug",
            text: "style.\n  body { background: url(https://img.example.com/bg.png) }\ndiv(style='background: url(http://img.example.com/x.png)')",
            inline: &[],
            external: &[(2, R::Image, "https://img.example.com"), (3, R::Image, "http://img.example.com")],
        },
        Case {
            name: "jade extension uses the pug scanner",
            file: "old.JADE",
            text: "html\n  body\n    script\n      alert(1)\n    img(src='https://img.example.com/a.png')",
            inline: &[(3, I::Script)],
            external: &[(5, R::Image, "https://img.example.com")],
        },
    ];

    #[test]
    fn script_urls_as_written() {
        let page =
            "<script src=\"/js/app.js\"></script>\n<script src=\"<%= cdn %>/x.js\"></script>\n<script>go()</script>";
        let got = scan_view(Path::new("a.html"), page).script_urls;
        assert_eq!(got, [(1, "/js/app.js".to_string()), (2, "<%= cdn %>/x.js".to_string())]);
    }

    #[test]
    fn scan_cases() {
        assert!(CASES.len() >= 25);
        for case in CASES {
            let mut got = scan_view(Path::new(case.file), case.text);
            // (Hashes have tests of their own.)
            got.inline.iter_mut().for_each(|c| (c.hash, c.trimmed_hash) = (None, None));
            // (Run-time hosts too, and what evaluates strings.)
            got.runtime_hosts.clear();
            got.evals.clear();
            // (And the elements' ids and classes, see `object_urls_take_the_kind_of_the_element`.)
            got.element_ids.clear();
            // (And the scripts' URLs, which only name libraries: `script_urls_as_written`.)
            got.script_urls.clear();
            let want = ViewScan {
                inline: case.inline.iter().map(|&(line, kind)| InlineCode::unhashed(line, kind)).collect(),
                external: case
                    .external
                    .iter()
                    .map(|&(line, kind, origin)| ExternalResource { line, kind, origin: origin.into() })
                    .collect(),
                ..ViewScan::default()
            };
            assert_eq!(got, want, "case: {}", case.name);
        }
    }

    fn ext(kind: ResourceKind, origin: &str) -> ExternalResource {
        ExternalResource { line: 1, kind, origin: origin.into() }
    }

    fn directives(list: &[(&str, &[&str])]) -> Vec<(String, Vec<String>)> {
        list.iter()
            .map(|(name, sources)| (name.to_string(), sources.iter().map(ToString::to_string).collect()))
            .collect()
    }

    #[test]
    fn csp_directives_for_a_mix() {
        let a = ViewScan {
            inline: vec![],
            external: vec![
                ext(R::Script, "https://z.example.com"),
                ext(R::Script, "https://cdn.jsdelivr.net"),
                ext(R::Style, "https://fonts.googleapis.com"),
                ext(R::Style, "http://old.example.com"),
                ext(R::Image, "https://img.example.com"),
                ext(R::Font, "https://fonts.gstatic.com"),
            ],
            ..ViewScan::default()
        };
        let b = ViewScan {
            inline: vec![],
            external: vec![
                ext(R::Script, "https://cdn.jsdelivr.net"),
                ext(R::Frame, "https://www.youtube.com"),
                ext(R::Media, "http://radio.example.com:8000"),
                ext(R::Font, "http://f.example.com"),
                ext(R::Image, "https://img.example.com"),
            ],
            ..ViewScan::default()
        };
        assert_eq!(
            csp_directives([&a, &b], true, false),
            directives(&[
                ("fontSrc", &["'self'", "https:", "data:", "http://f.example.com"]),
                ("frameSrc", &["'self'", "https://www.youtube.com"]),
                ("imgSrc", &["'self'", "data:", "https://img.example.com"]),
                ("mediaSrc", &["'self'", "http://radio.example.com:8000"]),
                ("scriptSrc", &["'self'", "https://cdn.jsdelivr.net", "https://z.example.com"]),
                ("styleSrc", &["'self'", "https:", "'unsafe-inline'", "http://old.example.com"]),
            ])
        );
    }

    #[test]
    fn csp_directives_empty_when_defaults_allow_everything() {
        let scan = scan_view(
            Path::new("a.html"),
            "<link rel=stylesheet href=\"https://fonts.googleapis.com/css\">\n<script src=\"/js/app.js\"></script>\n<style>@font-face { src: url(https://fonts.gstatic.com/a.woff2) }</style>",
        );
        assert_eq!(scan.external.len(), 2);
        assert!(csp_directives([&scan], true, false).is_empty());
        assert!(csp_directives(std::iter::empty::<&ViewScan>(), true, false).is_empty());
    }

    #[test]
    fn csp_directives_from_scanned_views() {
        let scans = [
            scan_view(Path::new("a.ejs"), "<script src=\"https://code.jquery.com/jquery.js\"></script>\n<img src=\"http://img.example.com/a.png\">"),
            scan_view(Path::new("b.pug"), "script(src='//code.jquery.com/ui.js')\nlink(rel='stylesheet' href='http://css.example.com/a.css')"),
        ];
        assert_eq!(
            csp_directives(&scans, true, false),
            directives(&[
                ("imgSrc", &["'self'", "data:", "http://img.example.com"]),
                ("scriptSrc", &["'self'", "code.jquery.com"]),
                ("styleSrc", &["'self'", "https:", "'unsafe-inline'", "http://css.example.com"]),
            ])
        );
    }

    #[test]
    fn hash_is_the_browsers() {
        // Values a browser reports for these texts (checked with `printf 'alert(1)' | openssl dgst -sha256 -binary |
        // base64`); CR LF and lone CR count as LF, as after the HTML parser.
        assert_eq!(csp_hash("alert(1)"), "'sha256-bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF+pI='");
        assert_eq!(csp_hash("\r\nalert(1)\r"), csp_hash("\nalert(1)\n"));
        assert_eq!(csp_hash(""), "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='");
    }

    #[test]
    fn fixed_scripts_get_hashes_and_varying_ones_do_not() {
        let hashes = |file: &str, text: &str| -> Vec<Option<String>> {
            scan_view(Path::new(file), text).inline.into_iter().map(|c| c.hash).collect()
        };
        assert_eq!(hashes("a.html", "<script>\n  go();\n</script>"), vec![Some(csp_hash("\n  go();\n"))]);
        assert_eq!(hashes("a.html", "<SCRIPT type=module>go()</Script >"), vec![Some(csp_hash("go()"))]);
        assert_eq!(hashes("a.ejs", "<script>var u = <%- json %>;</script>"), vec![None]);
        assert_eq!(hashes("a.hbs", "<script>var u = {{json}};</script>"), vec![None]);
        assert_eq!(hashes("a.njk", "<script>{% if x %}go(){% endif %}</script>"), vec![None]);
        // A file that is not UTF-8, read with replacement characters: the browser hashes what it decodes.
        let latin1 = String::from_utf8_lossy(b"<script>var e = '\xe9';</script>").into_owned();
        assert_eq!(hashes("a.html", &latin1), vec![None]);
        // Cut off by the end of the file: never runs as written.
        assert_eq!(hashes("a.html", "<script>go()"), vec![None]);
        // Pug sends a `script.` block and a `script text` line without their indentation (pug_text_block), a block
        // that interpolates as the render says, and reflows raw HTML.
        assert_eq!(hashes("a.pug", "script.\n  go()"), vec![Some(csp_hash("go()"))]);
        assert_eq!(
            hashes("a.pug", "div\n  script.\n    go();\n    done();\n  p x"),
            vec![Some(csp_hash("go();\ndone();"))]
        );
        assert_eq!(hashes("a.pug", "script go()"), vec![Some(csp_hash("go()"))]);
        assert_eq!(hashes("a.pug", "script.\n  var u = #{user};"), vec![None]);
        assert_eq!(hashes("a.pug", "script var u = !{user};"), vec![None]);
        assert_eq!(hashes("a.pug", "script= code"), vec![None]);
        assert_eq!(hashes("a.pug", "script\n  | go()"), vec![None]);
        assert_eq!(hashes("a.pug", "div.\n  <script>go()</script>\n"), vec![None]);
        assert_eq!(hashes("a.pug", "div\n  <script>go()</script>"), vec![Some(csp_hash("go()"))]);
        assert_eq!(hashes("a.pug", "div\n  | <script>go('#[b]')</script>"), vec![None]);
        // Handlers and URLs are never hashed.
        assert_eq!(hashes("a.html", "<a href=\"javascript:go()\" onclick=\"go()\">x</a>"), vec![None, None]);
    }

    #[test]
    fn csp_directives_for_inline_code() {
        let hashed = scan_view(Path::new("a.html"), "<script>one()</script><script>two()</script>");
        let handler = scan_view(Path::new("b.html"), "<button onclick=\"go()\">x</button>");
        let varying = scan_view(Path::new("c.ejs"), "<script>var u = <%- json %>;</script>");
        let url = scan_view(Path::new("d.html"), "<a href=\"javascript:go()\">x</a>");
        let cdn = scan_view(Path::new("e.html"), "<script src=\"https://cdn.example.com/x.js\"></script>");
        let mut both = [csp_hash("one()"), csp_hash("two()")];
        both.sort();
        assert_eq!(
            csp_directives([&hashed, &cdn], true, false),
            vec![(
                "scriptSrc".to_string(),
                ["'self'", "https://cdn.example.com", &both[0], &both[1]].map(String::from).to_vec()
            )]
        );
        assert_eq!(csp_directives([&handler], true, false), directives(&[("scriptSrcAttr", &["'unsafe-inline'"])]));
        // One script that cannot be hashed: 'unsafe-inline', and no hash, which would switch it off.
        assert_eq!(
            csp_directives([&hashed, &varying, &cdn, &handler], true, false),
            directives(&[
                ("scriptSrc", &["'self'", "'unsafe-inline'", "https://cdn.example.com"]),
                ("scriptSrcAttr", &["'unsafe-inline'"]),
            ])
        );
        assert_eq!(csp_directives([&url], true, false), directives(&[("scriptSrc", &["'self'", "'unsafe-inline'"])]));
        // HTML rewritten on its way out: the file's text is not what the browser hashes.
        assert_eq!(
            csp_directives([&hashed], false, false),
            directives(&[("scriptSrc", &["'self'", "'unsafe-inline'"])])
        );
    }

    #[test]
    fn pug_script_blocks_are_sent_as_pug_renders_them() {
        // (Each expected text is what pug 3.0.4's render() puts between the tags for `script.` and this block.)
        for (block, at_end, sent) in [
            (
                "      var a = 1;\n\n      if (a) {\n        console.log('x');\n      }\n",
                false,
                "var a = 1;\n\nif (a) {\n  console.log('x');\n}",
            ),
            ("  a();\n\n\n  b();\n\n\n", false, "a();\n\n\nb();\n\n"),
            ("    a();\n  b();\n", true, "  a();\nb();"),
            ("  a();\n      \n  b();\n", true, "a();\n    \nb();"),
            ("  a();\n  \n", true, "a();"),
            ("\n\n    a();\n", true, "a();"),
            ("  a();\r\n  b();\r\n", true, "a();\nb();"),
            ("\t\t\tvar a = 1;\n\t\t\t\tb();\n", true, "var a = 1;\n\tb();"),
            ("  a();", true, "a();"),
        ] {
            assert_eq!(pug_text_block(block, at_end), sent, "{block:?}");
        }
        // With Pug's `pretty` on, a block of several lines is sent re-indented, one of a single line as it is (pug
        // 3.0.4: `div\n  script.\n    a();\n\n  p x` gives `<script>\n    a();\n    \n  </script>`).
        let differs = |text: &str| -> Vec<(bool, bool)> {
            scan_view(Path::new("a.pug"), text).inline.iter().map(|c| (c.hash.is_some(), c.pretty_differs)).collect()
        };
        assert_eq!(differs("script.\n  a();\n  b();"), vec![(true, true)]);
        assert_eq!(differs("div\n  script.\n    a();\n\n  p x"), vec![(true, true)]);
        assert_eq!(differs("div\n  script.\n    a();\n  p x"), vec![(true, false)]);
        assert_eq!(differs("script a();\ndiv\n  <script>b()</script>"), vec![(true, false), (true, false)]);
        assert_eq!(differs("script.\n  a(#{x});\n  b();"), vec![(false, false)]);
        assert!(pug_varies("var u = #{user};") && pug_varies("a('#[b]')") && pug_varies("var c = '\\#{x}';"));
        assert!(!pug_varies("var c = '#fff';"));
    }

    #[test]
    fn rm_whitespace_is_ejs_own() {
        // (Each expected text is what ejs 3.1.10's render(`<script>${text}</script>`, {}, { rmWhitespace: true })
        // gave between the tags.)
        let cases = [
            ("\n    a();\n    b();\n", "\na();\nb();\n"),
            ("  x = 1;   \n\n\n   \t \n  y = 2;  ", "  x = 1;\ny = 2;  "),
            ("\r\n  a\r\n\r\n  b \u{a0}\n", "\na\nb\n"),
            ("a  b\n  c  d  \n", "a  b\nc  d\n"),
            (" \n \n ", "\n"),
            ("x\u{2028}  y\u{2029} z\n", "x\u{2028}y\u{2029}z\n"),
            ("\t\n\tz\t", "\nz\t"),
            ("", ""),
            ("  lead", "  lead"),
            ("trail  \n", "trail\n"),
        ];
        for (text, sent) in cases {
            assert_eq!(ejs_rm_whitespace(text), sent, "{text:?}");
        }
        // A script of an EJS view carries both hashes; a Pug view's and HTML built in code carry none.
        let scan = scan_view(Path::new("v.ejs"), "<script>\n  go();\n</script>");
        assert_eq!(scan.inline[0].hash, Some(csp_hash("\n  go();\n")));
        assert_eq!(scan.inline[0].trimmed_hash, Some(csp_hash("\ngo();\n")));
        assert_eq!(scan_view(Path::new("v.ejs"), "<script>go();</script>").inline[0].trimmed_hash, None);
        assert_eq!(scan_view(Path::new("code"), "<script>\n  go();\n</script>").inline[0].trimmed_hash, None);
        let both = [csp_hash("\n  go();\n"), csp_hash("\ngo();\n")];
        let mut sorted = both.clone();
        sorted.sort();
        assert_eq!(
            csp_directives([&scan], true, true),
            vec![("scriptSrc".to_string(), vec!["'self'".to_string(), sorted[0].clone(), sorted[1].clone()])]
        );
        assert_eq!(
            csp_directives([&scan], true, false),
            vec![("scriptSrc".to_string(), vec!["'self'".to_string(), both[0].clone()])]
        );
    }

    /// A Pug attribute naming a constant its template sets once on a code line is judged as the constant's value; a
    /// name assigned twice (another branch, a later `- url = other`) or a declaration that is not the whole line
    /// stays a host known at run time.
    #[test]
    fn pug_code_line_constants_in_attributes() {
        let pug = scan_view(
            Path::new("v.pug"),
            "each p in posts\n  - const del = `/delete/${p.id}`\n  form(action=del)\n\
             - var cdn = 'https://cdn.example.com/' + v;\nscript(src=cdn)\n\
             - let next = '/a'\nif other\n  - next = other\nform(action=next)\n\
             if a\n  - const x = '/x'\nelse\n  - const x = req\nimg(src=x)\n\
             - const y = '/y' + z; w()\nimg(src=y)\n- let m = '/m'\n- m += q\nimg(src=m)",
        );
        let kinds: Vec<(usize, ResourceKind)> = pug.runtime_hosts.iter().map(|h| (h.line, h.kind)).collect();
        let expected =
            [(9, ResourceKind::Form), (14, ResourceKind::Image), (16, ResourceKind::Image), (19, ResourceKind::Image)];
        assert_eq!(kinds, expected);
        assert_eq!(
            pug.external,
            vec![ExternalResource { line: 5, kind: ResourceKind::Script, origin: "https://cdn.example.com".into() }]
        );
    }

    #[test]
    fn runtime_hosts_and_form_targets() {
        let scan = scan_view(
            Path::new("v.ejs"),
            "<script src=\"<%= cdn %>/app.js\"></script>\n<link rel=\"stylesheet\" href=\"{{cdn}}/a.css\">\n\
             <img src=\"https://<%= host %>/a.png\"><img src=\"/<%= p %>.png\">\n\
             <form action=\"https://pay.example.com/go\"></form><form action=\"/login\"></form>\n\
             <button formaction=\"<%= next %>\">x</button>",
        );
        let kinds: Vec<(usize, ResourceKind)> = scan.runtime_hosts.iter().map(|h| (h.line, h.kind)).collect();
        assert_eq!(
            kinds,
            vec![
                (1, ResourceKind::Script),
                (2, ResourceKind::Style),
                (3, ResourceKind::Image),
                (5, ResourceKind::Form)
            ]
        );
        assert_eq!(
            scan.external,
            vec![ExternalResource { line: 4, kind: ResourceKind::Form, origin: "https://pay.example.com".into() }]
        );
        let pug =
            scan_view(Path::new("v.pug"), "script(src=cdn + '/app.js')\nscript(src='/js/' + v)\nimg(src=undefined)");
        assert_eq!(pug.runtime_hosts, vec![RuntimeHost { line: 1, kind: ResourceKind::Script }]);
        assert_eq!(
            csp_directives([&scan], true, false),
            // (A script from a host known at run time calls home there: connectSrc too.)
            directives(&[
                ("connectSrc", &["'self'", "*"]),
                ("formAction", &["'self'", "*"]),
                ("imgSrc", &["'self'", "data:", "*"]),
                ("scriptSrc", &["'self'", "*"]),
                ("styleSrc", &["'self'", "https:", "'unsafe-inline'", "*"]),
            ])
        );
    }

    #[test]
    fn connections_of_libraries_and_web_sockets() {
        let connects = |text: &str| script_calls(text).connects.into_iter().map(|(_, url)| url).collect::<Vec<_>>();
        let url = |u: &str, complete: bool| Some((u.to_string(), complete));
        for (text, want) in [
            ("$.getJSON('https://api.example.com/items', cb);", vec![url("https://api.example.com/items", true)]),
            ("jQuery.post('https://api.example.com/x', d);", vec![url("https://api.example.com/x", true)]),
            (
                "$.ajax({ method: 'GET', url: 'https://api.example.com/a' });",
                vec![url("https://api.example.com/a", true)],
            ),
            ("axios.get('https://api.example.com/items').then(f);", vec![url("https://api.example.com/items", true)]),
            ("axios({ url: 'https://api.example.com/b' });", vec![url("https://api.example.com/b", true)]),
            (
                "const api = axios.create({ baseURL: 'https://api.example.com' });",
                vec![url("https://api.example.com", true)],
            ),
            (
                "var socket = io('http://rt.example.com:8096');",
                vec![url("http://rt.example.com:8096", true), url("ws://rt.example.com:8096", true)],
            ),
            ("new WebSocket('wss://rt.example.com/live');", vec![url("wss://rt.example.com/live", true)]),
        ] {
            assert_eq!(connects(text), want, "{text}");
        }
        // (The page's own origin, settings without a URL, and names that only end like a call: nothing.)
        for text in
            ["io();", "io('/chat');", "$.ajax({ method: 'GET' });", "audio('x'); radio(\"y\");", "x.io('http://a.b');"]
        {
            assert!(connects(text).iter().all(|u| u.as_ref().is_some_and(|(u, _)| u.starts_with('/'))), "{text}");
        }
        assert_eq!(origin_of("wss://rt.example.com:443/live", true).as_deref(), Some("wss://rt.example.com"));
        assert_eq!(origin_of("ws://rt.example.com:8096", true).as_deref(), Some("ws://rt.example.com:8096"));
    }

    #[test]
    fn urls_built_on_the_pages_origin_or_a_constant() {
        let connects = |text: &str| script_calls(text).connects.into_iter().map(|(_, url)| url).collect::<Vec<_>>();
        let url = |u: &str, complete: bool| Some((u.to_string(), complete));
        // The page's own origin, or a path: nothing to allow.
        for same in [
            "var API = '/api'; fetch(API + '/items');",
            "fetch(location.origin + '/api/items');",
            "var ORIGIN = window.location.origin; fetch(ORIGIN + '/x');",
            "fetch(`${location.origin}/api/items`);",
            "fetch(`${document.location.origin}`);",
            "var proto = location.protocol === 'https:' ? 'wss://' : 'ws://';\nnew WebSocket(proto + location.host + '/live');",
            "new WebSocket('wss://' + window.location.host + '/live');",
            "new EventSource(`wss://${location.host}/feed`);",
            "fetch(`${location.protocol}//${location.host}/x`);",
            "fetch(location.protocol + '//' + window.location.host + '/x');",
            "fetch(window.location.href + '/more');",
            "fetch(location.pathname + '/items');",
        ] {
            assert_eq!(connects(same), vec![], "{same}");
        }
        // A constant that is a URL: its host; the rest is computed.
        assert_eq!(
            connects("var S = 'https://s.example.com'; fetch(S + '/ping');"),
            vec![url("https://s.example.com/ping", false)]
        );
        assert_eq!(
            connects("const S = 'wss://s.example.com/live'; new WebSocket(S);"),
            vec![url("wss://s.example.com/live", true)]
        );
        for computed in [
            "fetch(API_BASE + '/x');",
            "var API = '/a'; API = cfg.api; fetch(API + '/x');",
            "fetch(location.hostname + '/x');",
            "new WebSocket(proto + location.host);",
            "fetch(`${base}/x`);",
            "fetch(`${location.protocol}//${location.hostname}:4000/x`);",
            "fetch(location.protocol + '//api.' + location.host);",
        ] {
            assert_eq!(connects(computed), vec![None], "{computed}");
        }
    }

    #[test]
    fn plugin_content_is_framed_and_blob_goes_beside_every_host() {
        use ResourceKind as K;
        let page = ViewScan {
            external: vec![ExternalResource { line: 1, kind: K::Object, origin: "https://docs.example.com".into() }],
            blob_sources: vec![(2, K::Object)],
            own_objects: vec![3],
            ..ViewScan::default()
        };
        // (The app's own files: frame-src allows them already.)
        assert_eq!(
            csp_directives([&page], true, false),
            directives(&[
                ("frameSrc", &["'self'", "blob:", "https://docs.example.com"]),
                ("objectSrc", &["'self'", "blob:", "https://docs.example.com"]),
            ])
        );
        let any = ViewScan { runtime_hosts: vec![RuntimeHost { line: 1, kind: K::Image }], ..ViewScan::default() };
        let makes = ViewScan { object_urls_made: vec![4], ..ViewScan::default() };
        assert_eq!(
            csp_directives([&any, &makes], true, false),
            directives(&[("imgSrc", &["'self'", "data:", "*", "blob:"])])
        );
        assert_eq!(csp_directives([&any], true, false), directives(&[("imgSrc", &["'self'", "data:", "*"])]));
    }

    #[test]
    fn view_file_extensions() {
        for yes in [
            "a.html",
            "b.HTM",
            "views/c.ejs",
            "d.pug",
            "e.jade",
            "f.hbs",
            "g.handlebars",
            "h.njk",
            "i.mustache",
            "x.html.ejs",
        ] {
            assert!(is_view_file(Path::new(yes)), "{yes}");
        }
        for no in ["a.js", "b.css", "html", "c.ejs.bak", "d", ".pug/x.txt"] {
            assert!(!is_view_file(Path::new(no)), "{no}");
        }
    }

    #[test]
    fn origins() {
        let cases: &[(&str, bool, Option<&str>)] = &[
            ("https://cdn.jsdelivr.net/npm/x", true, Some("https://cdn.jsdelivr.net")),
            ("  HTTP://A.B:8080?x", true, Some("http://a.b:8080")),
            ("//a.b", true, Some("a.b")),
            ("//A.b:8443/x.js", true, Some("a.b:8443")),
            ("https://a.b", false, None),
            ("https://a.b/", false, Some("https://a.b")),
            ("///x", true, None),
            ("https://", true, None),
            ("https://a.b:x/", true, None),
            ("https://{{host}}/a", true, None),
            ("https://a.b<%= p %>", true, None),
            ("/js/app.js", true, None),
            ("data:image/png;base64,AA", true, None),
            ("ftp://a.b/", true, None),
            ("https://é.example/", true, None),
            ("https://[zz]/", true, None),
        ];
        for &(url, complete, want) in cases {
            assert_eq!(origin_of(url, complete).as_deref(), want, "{url}");
        }
    }

    #[test]
    fn serializes_kinds_in_kebab_case() {
        let scan = scan_view(
            Path::new("a.html"),
            "<a onclick=\"x\" href=\"javascript:y\"></a><iframe src=\"https://f.example.com\"></iframe>",
        );
        let json = serde_json::to_string(&scan).unwrap();
        assert_eq!(
            json,
            r#"{"inline":[{"line":1,"kind":"event-handler"},{"line":1,"kind":"javascript-url"}],"external":[{"line":1,"kind":"frame","origin":"https://f.example.com"}]}"#
        );
    }

    /// Every prefix (at char boundaries) of documents full of multi-byte text
    /// and half-written tags, and pseudo-random mixes of fragments, through
    /// every syntax: nothing may panic, and lines stay within the text.
    #[test]
    fn a_service_worker_refetching_the_pages_requests_is_no_computed_url() {
        let worker = "self.addEventListener('fetch', function (event) {\n  \
                      event.respondWith(fetch(event.request).catch(() => caches.match(event.request)));\n});\n\
                      self.addEventListener(\"fetch\", e => e.respondWith(fetch(e.request.clone(), { cache: 'no-store' })));\n\
                      fetch(event.requestUrl); fetch(event.request + '?x');";
        let calls = script_calls(worker);
        assert_eq!(calls.refetches.len(), 2, "{calls:?}");
        // (`event.requestUrl` and `event.request + '?x'` are URLs computed as any other.)
        assert_eq!(calls.connects.iter().filter(|(_, url)| url.is_none()).count(), 2, "{calls:?}");
        // Outside a script that handles fetch events (only a service worker receives them), a request object is a
        // computed URL as before.
        let page = script_calls("button.onclick = () => fetch(state.request);");
        assert!(page.refetches.is_empty());
        assert_eq!(page.connects.len(), 1);
        let scan = scan_connects(worker);
        assert_eq!(scan.refetches, vec![2, 4]);
        // What connectSrc then needs: the hosts the pages load from, those helmet's defaults allow too; '*' alone
        // where a directive of those allows every host already.
        let page = ViewScan {
            external: vec![
                ext(ResourceKind::Image, "https://img.example.com"),
                ext(ResourceKind::Font, "https://f.example.com"),
            ],
            ..ViewScan::default()
        };
        let policy = directives(&[
            ("imgSrc", &["'self'", "data:", "https://img.example.com"]),
            ("connectSrc", &["'self'", "wss://rt.example.com"]),
        ]);
        assert_eq!(refetched_hosts([&page], &policy), None);
        assert_eq!(
            refetched_hosts([&page, &scan], &policy),
            Some(vec!["https://f.example.com".to_string(), "https://img.example.com".to_string()])
        );
        let any = directives(&[("imgSrc", &["'self'", "data:", "*"])]);
        assert_eq!(refetched_hosts([&page, &scan], &any), Some(vec!["*".to_string()]));
    }

    #[test]
    fn script_calls_that_evaluate_strings_and_start_blob_workers() {
        let text = "eval(code);\nconst f = new Function('a', 'return a');\nsetTimeout('tick()', 10);\nsetTimeout(tick, 10);\n\
                    retrieval(x); obj.evaluate(y); isFunction(z); AsyncFunction(w);\n\
                    const w = new Worker(URL.createObjectURL(blob));\nnew SharedWorker('/js/shared.js');\nfetch('/api');";
        let calls = script_calls(text);
        let line = |at: usize| text[..at].matches('\n').count() + 1;
        let evals: Vec<(usize, &str)> = calls.evals.iter().map(|(at, what)| (line(*at), *what)).collect();
        assert_eq!(evals, vec![(1, "eval"), (2, "new Function"), (3, "a string given to setTimeout or setInterval")]);
        assert_eq!(calls.blob_workers.iter().map(|at| line(*at)).collect::<Vec<_>>(), vec![6]);
        assert_eq!(calls.connects.len(), 1);
        // A worker from a variable holding an object URL made in the same script counts; one from a file does not.
        let via_variable =
            script_calls("const url = URL.createObjectURL(new Blob([src]));\nconst w = new Worker(url);");
        assert_eq!(via_variable.blob_workers.len(), 1);
        assert!(script_calls("new Worker('/js/worker.js'); new Worker(path)").blob_workers.is_empty());
        assert!(!may_hold_script_calls(b"const a = 1; function go() {}"));
    }

    #[test]
    fn htmx_attributes_evaluate_only_where_htmx_is_loaded() {
        let page = "<div hx-on:click=\"go()\" data-hx-trigger=\"click[ctrlKey]\" hx-vals='js:{a: 1}'></div>\n\
                    <div hx-trigger=\"load\" hx-vals='{\"a\": 1}' onclick=\"x()\"></div>";
        let scan = scan_view(Path::new("a.html"), page);
        let whats: Vec<&str> = scan.htmx_attrs.iter().map(|e| e.what).collect();
        assert_eq!(whats, ["htmx (its hx-on handlers)", "htmx (an hx-trigger filter)", "htmx (an hx-vals js: value)"]);
        let mut alone = [((), scan.clone())];
        htmx_evaluations(&mut alone);
        assert!(alone[0].1.evals.is_empty());
        let loader =
            scan_view(Path::new("b.html"), "<script type=\"module\">import 'https://esm.sh/htmx.org@2';</script>");
        assert_eq!(loader.htmx, vec![1]);
        let mut both = [((), scan), ((), loader)];
        htmx_evaluations(&mut both);
        assert_eq!(both[0].1.evals.len(), 3);
    }

    #[test]
    fn srcdoc_documents_count_as_the_page_s() {
        let page = "<p>x</p>\n<iframe srcdoc=\"&lt;script&gt;parent.done(&quot;yes&quot;)&lt;/script&gt;&lt;button onclick=&#39;go()&#39;&gt;\"></iframe>";
        let scan = scan_view(Path::new("a.html"), page);
        let kinds: Vec<(usize, InlineKind)> = scan.inline.iter().map(|c| (c.line, c.kind)).collect();
        assert_eq!(kinds, vec![(2, InlineKind::Script), (2, InlineKind::EventHandler)]);
        let alone = scan_view(Path::new("b.html"), "<script>parent.done(\"yes\")</script>");
        assert_eq!(scan.inline[0].hash, alone.inline[0].hash);
        assert!(scan.inline[0].hash.is_some());
        assert_eq!(decode_entities("a &amp;&amp; b &#x3C; c &unknown; &"), "a && b < c &unknown; &");
    }

    #[test]
    fn handlers_set_from_strings_are_inline_handlers() {
        let text = "btn.setAttribute('onclick', 'go()');\nrow.setAttribute(\"onMouseOver\", code);\n\
                    el.setAttribute('data-onclick', 'x'); el.setAttribute('on', 'x'); el.setAttribute(name, 'x');\n\
                    el.onclick = 'go()'; setAttribute('onclick', 'x');";
        let calls = script_calls(text);
        let line = |at: usize| text[..at].matches('\n').count() + 1;
        assert_eq!(calls.handlers.iter().map(|at| line(*at)).collect::<Vec<_>>(), vec![1, 2]);
        let scan = scan_view(
            Path::new("a.html"),
            "<script src=\"/x.js\"></script>\n<script>\nb.setAttribute('onclick', 'go()');\n</script>",
        );
        assert!(scan.inline.iter().any(|c| c.line == 3 && c.kind == InlineKind::EventHandler), "{:?}", scan.inline);
    }

    #[test]
    fn object_urls_take_the_kind_of_the_element() {
        use ResourceKind as K;
        let page = scan_view(
            Path::new("p.html"),
            "<video id=\"preview\"></video>\n<iframe id=\"doc\"></iframe>\n<video><source id=\"clip\"></video>\n\
             <iframe class=\"doc-preview wide\"></iframe>",
        );
        let script = "var preview = document.getElementById('preview');\nfunction show(f) { preview.src = URL.createObjectURL(f); }\n\
                      var pane = document.querySelector('#doc'); pane.src = URL.createObjectURL(f);\n\
                      $('#clip').attr('src', URL.createObjectURL(f));\nimg.src = URL.createObjectURL(f);\n\
                      shown.src = URL.createObjectURL(f);\ndoc.src = URL.createObjectURL(f);\n\
                      var thumb = document.querySelector('.doc-preview'); thumb.src = URL.createObjectURL(f);\n\
                      document.getElementsByClassName('wide')[0].src = URL.createObjectURL(f);\n\
                      $('video.later').attr('src', URL.createObjectURL(f));";
        let mut views = [("page", page), ("script", scan_connects(script))];
        resolve_object_urls(&mut views);
        let (_, scan) = &views[1];
        // By the tag of the element of that id or class (whatever the script's name says), or of the selector; else
        // image, media, frame and object: a name (`img`, `thumb`) decides nothing.
        let all = |line| [(line, K::Image), (line, K::Frame), (line, K::Media), (line, K::Object)];
        let mut want = vec![(2, K::Media), (3, K::Frame), (4, K::Media)];
        want.extend(all(5).into_iter().chain(all(6)));
        want.extend([(7, K::Frame), (8, K::Frame), (9, K::Frame), (10, K::Media)]);
        assert_eq!(scan.blob_sources, want);
        assert_eq!(scan.guessed_blobs, vec![5, 6]);
        assert!(views[0].1.blob_sources.is_empty() && scan.object_urls.is_empty());
    }

    #[test]
    fn object_urls_shown_in_elements_by_directive() {
        let kinds = |text: &str| object_url_sources(text).into_iter().filter_map(|o| o.kind).collect::<Vec<_>>();
        use ResourceKind as K;
        // Set as a property, through setAttribute and jQuery; the element the statement makes or selects by its tag
        // decides the directive (one found by its id or class is the pages', see below).
        assert_eq!(kinds("var img = new Image(); img.src = URL.createObjectURL(f);"), vec![K::Image]);
        // (A name decides nothing: `thumb` may hold a frame.)
        assert_eq!(kinds("img.src = URL.createObjectURL(f); thumb.src = URL.createObjectURL(f);"), vec![]);
        assert_eq!(kinds("var v = document.createElement('video'); v.src = URL.createObjectURL(f);"), vec![K::Media]);
        // (Names that say nothing: the pages' elements decide, see `object_urls_take_the_kind_of_the_element`.)
        assert_eq!(kinds("el.setAttribute('src', URL.createObjectURL(f));"), vec![]);
        assert_eq!(kinds("$('#p').attr(\"src\", URL.createObjectURL(f));"), vec![]);
        assert_eq!(
            kinds("const u = URL.createObjectURL(f);\ndocument.getElementById('video-preview').src = u;"),
            vec![]
        );
        assert_eq!(kinds("document.querySelector('iframe').src = URL.createObjectURL(pdf);"), vec![K::Frame]);
        assert_eq!(kinds("const u = URL.createObjectURL(f); pdfViewer.setAttribute('src', u);"), vec![]);
        assert_eq!(kinds("$('embed.doc').attr('src', URL.createObjectURL(f));"), vec![K::Object]);
        // An object's data: by the element's name, or an object URL made right there; any other `.data` is no URL.
        assert_eq!(kinds("const u = URL.createObjectURL(f); pdfObject.data = u;"), vec![K::Object]);
        assert_eq!(kinds("drawing.data = URL.createObjectURL(svg);"), vec![K::Object]);
        assert_eq!(kinds("const u = URL.createObjectURL(f); state.data = u;"), vec![]);
        // Not an assignment, not the src attribute, or not an object URL.
        assert_eq!(kinds("if (img.src == URL.createObjectURL(f)) {}"), vec![]);
        assert_eq!(kinds("el.setAttribute('alt', URL.createObjectURL(f));"), vec![]);
        assert_eq!(kinds("URL.createObjectURL(f); img.src = new Image();"), vec![]);
    }

    #[test]
    fn leaflet_wms_layers_and_markers() {
        let text = "L.tileLayer.wms('https://ows.example.org/wms?', { layers: 'a' });\n\
                    new L.TileLayer.WMS(\"http://maps.example.net/cgi-bin/wms\", {});\n\
                    L.tileLayer.wms(config.wms, {});\nL.marker([0, 0]).addTo(map);\nnew L.Marker([1, 1]);\n\
                    L.geoJSON(points).addTo(map);\nmyL.marker(x);";
        let calls = script_calls(text);
        let urls: Vec<Option<&str>> =
            calls.images.iter().map(|(_, url)| url.as_ref().map(|(u, _)| u.as_str())).collect();
        assert_eq!(urls, vec![Some("https://ows.example.org/wms?"), Some("http://maps.example.net/cgi-bin/wms"), None]);
        let line = |at: usize| text[..at].matches('\n').count() + 1;
        assert_eq!(calls.markers.iter().map(|at| line(*at)).collect::<Vec<_>>(), vec![4, 5, 6]);
        // Leaflet's own source: the layers and markers of its comments are no page's.
        let source = "function tileLayer(url, options) {}\n// L.tileLayer.wms('http://a.example/wms', {});\n// L.marker([0, 0]);";
        let own = script_calls(source);
        assert!(own.images.is_empty() && own.markers.is_empty(), "{own:?}");
    }

    #[test]
    fn marker_icons_from_urls_the_script_names() {
        let calls = script_calls(
            "L.Icon.Default.imagePath = 'https://unpkg.com/leaflet/dist/images/';\nL.icon({ iconUrl: '/img/a.png', \
             shadowUrl: \"https://a.example/s.png\" });\nif (o.iconUrl == 'x') {}\nL.icon({ iconRetinaUrl: url });",
        );
        let urls: Vec<_> = calls.images.iter().filter_map(|(_, url)| url.as_ref().map(|(u, _)| u.as_str())).collect();
        assert_eq!(urls, vec!["https://unpkg.com/leaflet/dist/images/", "/img/a.png", "https://a.example/s.png"]);
        // The page's own stylesheet that imports Leaflet's from a CDN.
        let css =
            scan_stylesheet("@import url(\"https://unpkg.com/leaflet@1.9.4/dist/leaflet.css\");\n@import '/x.css';");
        assert_eq!(css.leaflet_css.iter().map(|c| c.origin.as_str()).collect::<Vec<_>>(), vec!["https://unpkg.com"]);
        let page = scan_view(Path::new("map.html"), "<link rel=\"stylesheet\" href=\"/css/app.css?v=2\">");
        assert_eq!(page.own_css, vec![(1, "/css/app.css?v=2".to_string())]);
    }

    #[test]
    fn markers_take_the_host_of_leaflets_stylesheet_for_their_icons() {
        let page = "<link rel=\"stylesheet\" href=\"https://unpkg.com/leaflet@1.9.4/dist/leaflet.css\">\n\
                    <link rel=\"stylesheet\" href=\"https://fonts.example.com/css/site.css\">\n";
        let view = scan_view(Path::new("map.html"), page);
        assert_eq!(view.leaflet_css.iter().map(|c| c.origin.as_str()).collect::<Vec<_>>(), vec!["https://unpkg.com"]);
        let markers = scan_connects("L.marker([0, 0]).addTo(map);");
        let img = |scans: &[&ViewScan]| {
            csp_directives(scans.iter().copied(), true, false).into_iter().find(|(name, _)| name == "imgSrc")
        };
        assert_eq!(
            img(&[&view, &markers]).map(|(_, s)| s),
            Some(vec!["'self'".into(), "data:".into(), "https://unpkg.com".into()])
        );
        // No markers, or Leaflet's stylesheet from the app itself: nothing.
        assert_eq!(img(&[&view]), None);
        let own = scan_view(Path::new("map.html"), "<link rel=\"stylesheet\" href=\"/css/leaflet.css\">");
        assert_eq!(img(&[&own, &markers]), None);
    }

    #[test]
    fn pug_raw_html_counts_in_full() {
        let pug = "doctype html\nhtml\n  body\n    <object data=\"/docs/a.pdf\"></object>\n    <script src=\"#{cdn}/w.js\"></script>\n    \
                   <script>const u = URL.createObjectURL(f); var img = new Image(); img.src = u;</script>\n";
        let scan = scan_view(Path::new("index.pug"), pug);
        assert_eq!(scan.own_objects, vec![4]);
        assert_eq!(
            scan.runtime_hosts.iter().map(|h| (h.line, h.kind)).collect::<Vec<_>>(),
            vec![(5, ResourceKind::Script)]
        );
        let mut views = [((), scan)];
        resolve_object_urls(&mut views);
        assert_eq!(views[0].1.blob_sources, vec![(6, ResourceKind::Image)]);
        // (The script within one line of raw HTML is sent as written: hashed.)
        let scan = &views[0].1;
        let script = "const u = URL.createObjectURL(f); var img = new Image(); img.src = u;";
        assert_eq!(scan.inline.iter().map(|c| c.hash.clone()).collect::<Vec<_>>(), vec![Some(csp_hash(script))]);
    }

    #[test]
    fn libraries_that_evaluate_strings() {
        for (url, what) in [
            ("https://cdn.jsdelivr.net/npm/alpinejs@3.14.1/dist/cdn.min.js", Some("Alpine.js (its standard build)")),
            ("/js/alpine.min.js", Some("Alpine.js (its standard build)")),
            ("https://cdn.jsdelivr.net/npm/@alpinejs/csp@3.14.1/dist/cdn.min.js", None),
            ("https://cdn.jsdelivr.net/npm/@alpinejs/focus@3.x.x/dist/cdn.min.js", None),
            ("https://unpkg.com/vue@3/dist/vue.global.js", Some("Vue's full build (its template compiler)")),
            ("https://unpkg.com/vue@3", Some("Vue's full build (its template compiler)")),
            ("/vendor/vue.min.js?v=2", Some("Vue's full build (its template compiler)")),
            ("https://unpkg.com/vue@3/dist/vue.runtime.global.prod.js", None),
            ("https://cdnjs.cloudflare.com/ajax/libs/knockout/3.5.1/knockout-latest.js", Some("Knockout")),
            ("/js/knockout-secure-binding.js", None),
            ("https://unpkg.com/petite-vue@0.4.1/dist/petite-vue.iife.js", Some("petite-vue")),
            ("https://unpkg.com/petite-vue?module", Some("petite-vue")),
            ("https://unpkg.com/vue@3/dist/vue.runtime.esm-browser.prod.js", None),
            ("https://unpkg.com/vue@3/dist/vue.esm-browser.js", Some(VUE_ESM_FULL)),
            ("https://cdn.jsdelivr.net/npm/vue@3.5.13/dist/vue.esm-browser.prod.js", Some(VUE_ESM_FULL)),
            ("https://ajax.googleapis.com/ajax/libs/angularjs/1.8.2/angular.min.js", None),
            ("/js/app.js", None),
        ] {
            assert_eq!(eval_library(url), what, "{url}");
        }
    }

    #[test]
    fn views_that_evaluate_strings_and_start_workers_get_unsafe_eval_and_worker_src() {
        let page = "<script src=\"https://unpkg.com/alpinejs@3/dist/cdn.min.js\" defer></script>\n<div x-data=\"{ n: 1 }\"></div>\n\
                    <script>\nconst w = new Worker(URL.createObjectURL(new Blob(['postMessage(1)'])));\n</script>";
        let scan = scan_view(Path::new("index.html"), page);
        assert_eq!(scan.evals, vec![Evaluation { line: 1, what: "Alpine.js (its standard build)" }]);
        assert_eq!(scan.blob_workers, vec![4]);
        let got = csp_directives([&scan], true, false);
        let hash = scan.inline[0].hash.clone().expect("a fixed script");
        assert_eq!(
            got,
            directives(&[
                ("scriptSrc", &["'self'", "'unsafe-eval'", "https://unpkg.com", &hash]),
                ("workerSrc", &["'self'", "blob:"]),
            ])
        );
        // With a script whose text varies: 'unsafe-inline' first, then 'unsafe-eval'.
        let varying = scan_view(Path::new("a.ejs"), "<script>eval('<%= code %>')</script>");
        assert_eq!(
            csp_directives([&varying], true, false),
            directives(&[("scriptSrc", &["'self'", "'unsafe-inline'", "'unsafe-eval'"])])
        );
    }

    #[test]
    fn never_panics_on_odd_input() {
        let docs = [
            "<script src=\"https:",
            "<script src=\"https://cdn.example.com/x.js",
            "<!-- <script>",
            "<%= <script src='x' %",
            "{{!-- {{ {% {# <% <script>",
            "<img srcset=\", ,,, (  \" src=//>",
            "<a href=\"jävascript:ü\" onclïck=\"ä\">日本</a><script>日本",
            "<style>@import url(\"http://ä.example.com/a.css\nbody{background:url('",
            "<style>@font-face{{{}}}}}} url( url(' @import \"",
            "<link rel=preload as=font href=https://é.com/ä.woff2><link rel=",
            "<input type=image src=\"//[::1\"><image href=",
            "script(src='https://cdn.example.com/ü.js'\n  async\n  onclick=\"ä\n",
            "script.\n  日本\n    ü\n//-\n  x\n-\n  y\n:f\n",
            "div: li: a(href=`javascript:${x}`\n| <script src=\"https:\n<img src='",
            "a(&attributes({x: 'ü' \n  ,\n\tb(\"'`\\",
            "p.\n  <a onclick=x>ü\nstyle\n  a{b:url(\"//x\nstyle ü url(\n",
            "\u{feff}\r\n<\r\n\t<script\r\n>\r\n日\r\n</script\r\n",
            "script(src=\n",
            "img(srcset='a.png 1x, https://x.example.com/b.png 2x' src=)",
            "<<<<>>>>\"\"''{{}}%%##  \u{0}\u{7f}é",
        ];
        let paths = ["x.html", "x.ejs", "x.hbs", "x.pug"];
        for doc in docs {
            for (i, _) in doc.char_indices().chain([(doc.len(), ' ')]) {
                let prefix = &doc[..i];
                for p in paths {
                    check_lines(prefix, &scan_view(Path::new(p), prefix));
                }
            }
        }
        // A deterministic mix of fragments, so tags, templates and quotes
        // collide in ways no hand-written case does.
        let fragments: Vec<&str> =
            docs.iter().flat_map(|d| d.split_inclusive(['"', '<', '\n', '(', '{', ' '])).collect();
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..300 {
            let mut text = String::new();
            for _ in 0..12 {
                seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
                text.push_str(fragments[(seed >> 33) as usize % fragments.len()]);
            }
            for p in paths {
                check_lines(&text, &scan_view(Path::new(p), &text));
            }
        }
    }

    fn check_lines(text: &str, scan: &ViewScan) {
        let lines = text.split('\n').count();
        for line in scan.inline.iter().map(|f| f.line).chain(scan.external.iter().map(|f| f.line)) {
            assert!((1..=lines).contains(&line), "line {line} of {lines} in {text:?}");
        }
    }

    #[test]
    fn path_only_selects_syntax() {
        let text = "script(src='https://a.example.com/x.js')";
        assert_eq!(scan_view(&PathBuf::from("/no/such/dir/v.pug"), text).external.len(), 1);
        assert!(scan_view(Path::new("v.html"), text).external.is_empty());
    }
}
