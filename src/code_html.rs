//! What the app's code sends that helmet's headers must fit: the HTML it builds (`res.send('<script>...</script>')`,
//! template literals, strings joined with `+`), whose inline scripts and event handlers meet the
//! Content-Security-Policy as a view's do; and the `X-Frame-Options` header it sets itself (an app that decides
//! who may frame it, as apps meant to be embedded do).
//!
//! Each string or template literal that holds markup is scanned with the views' HTML scanner ([`views::scan_view`]),
//! its lines counted from the literal's. What the code puts into the markup at run time (`${name}`, `'<p>' + name`)
//! is unknown: it stands as a template fragment, so a script with such a part is one whose text varies (no hash).

use std::sync::OnceLock;

use memchr::memmem::Finder;
use swc_ecma_ast::{BinExpr, BinaryOp, CallExpr, Callee, Expr, Lit, MemberProp, Program, Str, TaggedTpl, Tpl};
use swc_ecma_visit::{Visit, VisitWith};

use crate::parse::{parse, range_of};
use crate::source::SourceFile;
use crate::string_consts::StringConsts;
use crate::views::{self, ViewScan};

/// What stands for a part of the markup only known at run time: a template fragment to the scanner.
const RUNTIME_PART: &str = "<%%>";

/// The searches of the cheap test, each built once.
struct Needles {
    markup: [Finder<'static>; 5],
    frame_options: [Finder<'static>; 3],
    attribute_values: [Finder<'static>; 3],
    /// What the code serves and how (folders, files, the views' folder, EJS's options, its own CORS header).
    serving: [Finder<'static>; 16],
}

fn needles() -> &'static Needles {
    static NEEDLES: OnceLock<Needles> = OnceLock::new();
    NEEDLES.get_or_init(|| Needles {
        markup: MARKUP_NEEDLES.map(|n| Finder::new(n.as_bytes()).into_owned()),
        frame_options: [Finder::new(b"Frame-Options"), Finder::new(b"frame-options"), Finder::new(b"FRAME-OPTIONS")]
            .map(Finder::into_owned),
        attribute_values: [Finder::new(b"=\""), Finder::new(b"='"), Finder::new(b"=\\\"")].map(Finder::into_owned),
        serving: SERVING_NEEDLES.map(|n| Finder::new(n.as_bytes()).into_owned()),
    })
}

/// Markup with inline code, or a frame whose `src` the policy must allow (`innerHTML = '<iframe src="...">'`).
const MARKUP_NEEDLES: [&str; 5] = ["<script", "<SCRIPT", "javascript:", "<iframe", "<IFRAME"];

/// Whether the code may hold markup with inline code or tags: the cheap test (no copy of the text, SIMD searches for
/// the usual spellings) before a file is parsed for it.
fn may_hold_markup(code: &[u8]) -> bool {
    let n = needles();
    n.markup.iter().any(|f| f.find(code).is_some()) || has_handler_attribute(code)
}

/// Whether the code may name what it serves ([`Served`]), EJS's `rmWhitespace`, Pug's `pretty` or the CORS header.
fn may_serve(code: &[u8]) -> bool {
    needles().serving.iter().any(|f| f.find(code).is_some())
}

/// Whether the code may set X-Frame-Options (`X-Frame-Options`, `x-frame-options`, `X-FRAME-OPTIONS`).
fn may_set_frame_options(code: &[u8]) -> bool {
    needles().frame_options.iter().any(|f| f.find(code).is_some())
}

/// ` onclick="` and the like: a quoted (or escaped-quoted) attribute value whose name is `on` and letters, after a
/// space or a quote.
fn has_handler_attribute(b: &[u8]) -> bool {
    needles().attribute_values.iter().any(|f| f.find_iter(b).any(|eq| handler_attribute_at(b, eq)))
}

/// Whether the `=` at `eq` (before a quote) ends a handler attribute's name ([`has_handler_attribute`]).
fn handler_attribute_at(b: &[u8], eq: usize) -> bool {
    let mut start = eq;
    while start > 0 && b[start - 1].is_ascii_alphabetic() {
        start -= 1;
    }
    eq - start > 2
        && b[start..start + 2].eq_ignore_ascii_case(b"on")
        && start > 0
        && (b[start - 1].is_ascii_whitespace() || b[start - 1] == b'"' || b[start - 1] == b'\'')
}

/// What a cheap test looks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hint {
    /// A tag or URL with inline code ([`may_hold_markup`]).
    Markup,
    /// A quoted attribute value, which holds inline code when its name is a handler's.
    Attribute,
    /// The X-Frame-Options header ([`may_set_frame_options`]).
    FrameOptions,
    /// What the code serves ([`may_serve`]).
    Serving,
    /// A call the Content-Security-Policy governs ([`views::may_hold_script_calls`]).
    ScriptCall,
    /// An attribute that names a URL (`href=`, `action=`, `src=`): markup the code may send as a page
    /// ([`CodeScan::sends_page`]).
    Page,
}

/// Every needle of the cheap tests with what it hints at: one search for all of them answers every test in one pass
/// over a file's bytes ([`Hints`]; the first pass adds them to its prefilter's search).
pub fn hint_needles() -> impl Iterator<Item = (&'static str, Hint)> {
    let markup = MARKUP_NEEDLES.map(|n| (n, Hint::Markup));
    let attribute = ["=\"", "='", "=\\\""].map(|n| (n, Hint::Attribute));
    let frame = ["Frame-Options", "frame-options", "FRAME-OPTIONS"].map(|n| (n, Hint::FrameOptions));
    let serving = SERVING_NEEDLES.map(|n| (n, Hint::Serving));
    let script = views::SCRIPT_NEEDLES.map(|n| (n, Hint::ScriptCall));
    let page = PAGE_NEEDLES.map(|n| (n, Hint::Page));
    markup.into_iter().chain(attribute).chain(frame).chain(serving).chain(script).chain(page)
}

/// The attributes that name a URL, in markup the code may send as a page ([`Hint::Page`]).
const PAGE_NEEDLES: [&str; 6] = ["href=", "HREF=", "action=", "ACTION=", "src=", "SRC="];

/// Whether the code may hold markup with an attribute that names a URL ([`Hint::Page`]).
fn may_send_page(code: &[u8]) -> bool {
    PAGE_NEEDLES.iter().any(|n| memchr::memmem::find(code, n.as_bytes()).is_some())
}

/// What serving code names ([`may_serve`]).
const SERVING_NEEDLES: [&str; 16] = [
    ".static(",
    "serveStatic(",
    "'views'",
    "\"views\"",
    "sendFile(",
    "sendfile(",
    "readFile",
    "createReadStream(",
    "configure(",
    "registerPartials(",
    "rmWhitespace",
    "pretty",
    "Allow-Origin",
    "allow-origin",
    "ALLOW-ORIGIN",
    "elimiter",
];

/// The answers of the cheap tests for one file, from one search of [`hint_needles`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Hints {
    /// [`may_hold_markup`].
    pub markup: bool,
    /// [`may_set_frame_options`].
    pub frame_options: bool,
    /// [`may_serve`].
    pub serving: bool,
    /// [`views::may_hold_script_calls`].
    pub script_calls: bool,
    /// [`Hint::Page`]: looked for only in a file parsed anyway ([`scan_parsed`]), not worth a parse of its own.
    pub page: bool,
}

impl Hints {
    /// The hints of `bytes`, in one search.
    pub fn of(bytes: &[u8]) -> Hints {
        static SEARCH: OnceLock<Option<(aho_corasick::AhoCorasick, Vec<Hint>)>> = OnceLock::new();
        let search = SEARCH.get_or_init(|| {
            let (needles, hints): (Vec<&str>, Vec<Hint>) = hint_needles().unzip();
            Some((views::search_for(needles).ok()?, hints))
        });
        let mut found = Hints::default();
        match search {
            Some((search, hints)) => {
                for m in search.find_overlapping_iter(bytes) {
                    found.record(hints[m.pattern().as_usize()], bytes, m.start());
                }
            }
            // (Not to happen: the needles are ours.)
            None => {
                found = Hints {
                    markup: may_hold_markup(bytes),
                    frame_options: may_set_frame_options(bytes),
                    serving: may_serve(bytes),
                    script_calls: views::may_hold_script_calls(bytes),
                    page: may_send_page(bytes),
                }
            }
        }
        found
    }

    /// Records a needle that hints at `hint`, found at `at` in `bytes`.
    pub fn record(&mut self, hint: Hint, bytes: &[u8], at: usize) {
        match hint {
            Hint::Markup => self.markup = true,
            Hint::Attribute => self.markup |= handler_attribute_at(bytes, at),
            Hint::FrameOptions => self.frame_options = true,
            Hint::Serving => self.serving = true,
            Hint::ScriptCall => self.script_calls = true,
            Hint::Page => self.page = true,
        }
    }

    /// Whether the file is worth a scan.
    fn any(&self) -> bool {
        self.markup || self.frame_options || self.serving || self.script_calls
    }
}

/// The header that says who may put the app's pages in a frame.
const FRAME_OPTIONS: &str = "x-frame-options";

/// The calls [`Collector::serving`] looks at.
const SERVING_CALLS: [&str; 12] = [
    "static",
    "serveStatic",
    "registerPartials",
    "configure",
    "set",
    "sendFile",
    "sendfile",
    "readFile",
    "readFileSync",
    "createReadStream",
    "render",
    "renderFile",
];

/// The methods that set response headers ([`Collector::allow_origin`]).
const HEADER_CALLS: [&str; 5] = ["setHeader", "set", "header", "append", "writeHead"];

/// EJS's option that trims every line of a template.
const RM_WHITESPACE: &str = "rmWhitespace";

/// Pug's option that indents the HTML it sends, text blocks included.
const PRETTY: &str = "pretty";

/// The calls whose options object is a view engine's ([`Collector::pug_pretty`]): Express's `render` (app, res),
/// `set('view options', ...)` and Express 3's `app.locals({ ... })`, pug's `render`, `renderFile`, `compile`,
/// `compileFile`, `compileClient`.
const VIEW_OPTION_CALLS: [&str; 7] =
    ["render", "renderFile", "compile", "compileFile", "compileClient", "set", "locals"];

/// The header that says which origins may read the app's responses.
const ALLOW_ORIGIN: &str = "access-control-allow-origin";

/// What a path the code names is relative to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Base {
    /// The folder of the file (`__dirname`).
    FileDir,
    /// The process's working folder (a relative string, `process.cwd()`), taken as the project's folder, where
    /// `npm start` runs.
    Cwd,
}

/// A folder or file the code hands to Express to serve or render from: `express.static(dir)`, `serveStatic(dir)`,
/// `app.set('views', dir)` (or a list), `nunjucks.configure(dir)`, `hbs.registerPartials(dir)`, `res.sendFile(file)`
/// (or its `root`), `fs.readFile(file)`, `fs.createReadStream(file)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Served {
    /// A path known from the code: its base, the path under it (`/` separated, maybe with `..`), and whether it names
    /// a file rather than a folder.
    Known { base: Base, path: String, file: bool },
    /// A path the code computes at run time (`express.static(config.publicDir)`): anything may be served, unless the
    /// whole project's links tell what it is ([`Computed::names`]).
    Unknown(Computed),
}

/// A path the code computes at run time ([`Served::Unknown`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Computed {
    /// The 1-based line of the call that serves it.
    pub line: usize,
    /// The expression as written (on one line, shortened).
    pub text: String,
    /// Whether it names a folder served or rendered from (`express.static`, `app.set('views')`, a `sendFile` root),
    /// not one file read or sent.
    pub folder: bool,
    /// The names the value is read through, when it is a name or a path of names (`config.publicDir`:
    /// `["config", "publicDir"]`): another module's export, which [`path_of_value`] may read.
    pub names: Option<Vec<String>>,
}

/// What one source file's code sends.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CodeScan {
    /// The inline code of the markup its literals build, and what its tags load from other hosts (a URL in a string
    /// that is no tag's counts for nothing); `None` when there is neither. (Boxed, as `connect`: a `ViewScan` is some
    /// 600 bytes of lists, and most files that send something send neither.)
    pub html: Option<Box<ViewScan>>,
    /// The 1-based line of the first place it sets `X-Frame-Options` itself (`res.setHeader('X-Frame-Options', v)`,
    /// `res.set(...)`, `res.header(...)`, `res.append(...)`).
    pub sets_frame_options: Option<usize>,
    /// The 1-based line of the first embed code of the app's own pages it builds for users to paste into other
    /// sites: markup with an `<iframe src>` that is not a fixed other site's, shown as text rather than put into the
    /// page (`input.value = '<iframe src="' + url + '">'`, `$('#embed').val(...)`, `clipboard.writeText(...)`: see
    /// [`shown_as_text`]). Other sites frame the app's pages with it, which helmet's X-Frame-Options and
    /// `frame-ancestors 'self'` forbid; and it is no frame the page loads, so it is not scanned as markup.
    pub hands_out_embed: Option<usize>,
    /// The folders and files it serves or renders from.
    pub served: Vec<Served>,
    /// What it connects to when it runs in a browser (`fetch`, `XMLHttpRequest`, `WebSocket`, `EventSource`): counted
    /// only for a file the app serves.
    pub connect: Option<Box<ViewScan>>,
    /// The 1-based line of the first place it lets every origin read a response itself
    /// (`res.setHeader('Access-Control-Allow-Origin', '*')`, `res.set({ 'Access-Control-Allow-Origin': '*' })`, the
    /// request's own origin sent back, ...).
    pub allows_every_origin: Option<usize>,
    /// The first place it sets `Access-Control-Allow-Origin` to a value it computes from something the file does not
    /// show (`config.clientUrl`, `allowed(req)`): its 1-based line and the value's code on one line. A constant of
    /// the file (`` `${scheme}${host}` `` of string constants) is the one origin it names, not this.
    pub computed_allow_origin: Option<(usize, String)>,
    /// The 1-based line of the first place it turns EJS's `rmWhitespace` on (`app.set('view options', { rmWhitespace:
    /// true })`, `app.locals.rmWhitespace = true`, a render's options): a value other than `false`.
    pub rm_whitespace: Option<usize>,
    /// The 1-based line of the first place it may turn Pug's `pretty` option on (`app.locals.pretty = true`,
    /// `app.set('view options', { pretty: ... })`, a render's options, pug's `compile`/`render*` options), and
    /// whether it surely does (a literal `true` or whitespace string; a computed value may be either).
    pub pug_pretty: Option<(usize, bool)>,
    /// The 1-based line of the first place it gives EJS delimiters of its own (`delimiter`, `openDelimiter`,
    /// `closeDelimiter` in the view options or a render's options, `ejs.delimiter = '?'`): the views' template code is
    /// then not written `<% %>`.
    pub ejs_delimiters: Option<usize>,
    /// The files it reads and then fills before sending (`fs.readFileSync('public/index.html', 'utf8')` whose text goes
    /// through `.replace('__APP_CONFIG__', ...)`): what is sent is not the file's text ([`Filled`]).
    pub filled: Vec<Filled>,
    /// The 1-based line of the first response it sends markup with a link, a form or a resource in
    /// (`res.send('<a href="/next">next</a>')`, also `end` and `write`, the markup a literal, a template literal or
    /// a `+` chain of them): a page, whose same-origin links and resources helmet's upgrade-insecure-requests sends to
    /// https:// when the app is opened over plain HTTP, as a view's.
    pub sends_page: Option<usize>,
}

/// A file the code reads and transforms with `.replace`/`.replaceAll` ([`CodeScan::filled`]): the path as in
/// [`Served::Known`], and the literal strings replaced, or `None` when one of them is computed (then any of its text
/// may change).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filled {
    pub base: Base,
    pub path: String,
    pub searches: Option<Vec<String>>,
}

/// What `file`'s code sends; `None` when it is nothing of the above, or the file does not parse (that is reported
/// elsewhere).
#[must_use]
pub fn scan(file: &SourceFile) -> Option<CodeScan> {
    scan_with(file, Hints::of(file.code.as_bytes()), || parse(file, &file.code).ok().map(|parsed| parsed.program))
}

/// [`scan`] of a file already parsed (the first pass's analysis), whose cheap tests gave `hints`: a walk of
/// `program` when they found something.
#[must_use]
pub fn scan_parsed(file: &SourceFile, program: &Program, hints: Hints) -> Option<CodeScan> {
    scan_with(file, hints, || Some(program))
}

/// [`scan`], with the program (parsed only when the cheap test finds something to look for).
fn scan_with<P: std::borrow::Borrow<Program>>(
    file: &SourceFile,
    hints: Hints,
    program: impl FnOnce() -> Option<P>,
) -> Option<CodeScan> {
    let connect = hints.script_calls.then(|| views::scan_connects_found(&file.code)).filter(|c| !c.is_empty());
    if !hints.frame_options && !hints.markup && !hints.serving && !hints.page {
        return connect.map(|connect| CodeScan { connect: Some(Box::new(connect)), ..CodeScan::default() });
    }
    let program = program()?;
    let mut consts = path_consts(program.borrow());
    // An ES module has no `__dirname`: it declares one, anywhere (`const __dirname = path.resolve()`, the folder the
    // app starts in, in the MERN boilerplates; `path.dirname(fileURLToPath(import.meta.url))`, the file's folder).
    if ["const __dirname", "let __dirname", "var __dirname"].iter().any(|d| file.code.contains(d)) {
        let mut declared = DirnameDecl { consts: &consts, found: None };
        program.borrow().visit_with(&mut declared);
        if let Some(Some(path)) = declared.found {
            consts.insert("__dirname".to_string(), path);
        }
    }
    let shown = if hints.markup { shown_as_text(program.borrow()) } else { Default::default() };
    let mut collector = Collector {
        file,
        out: ViewScan::default(),
        frame_options: None,
        shown,
        embed: None,
        found: CodeScan::default(),
        consts,
        program: program.borrow(),
        consts_of_names: None,
        reads: Default::default(),
    };
    program.borrow().visit_with(&mut collector);
    let mut html = collector.out;
    html.sort();
    let found = CodeScan {
        html: (!html.is_empty()).then(|| Box::new(html)),
        sets_frame_options: collector.frame_options.map(|at| file.line_col(at).0),
        hands_out_embed: collector.embed.map(|at| file.line_col(at).0),
        connect: connect.map(Box::new),
        ..collector.found
    };
    (found != CodeScan::default()).then_some(found)
}

/// What a script the run does not read (minified, too large, not parsed) needs in a browser, from a byte search of
/// its text: WebAssembly compiled ([`views::compiles_wasm`]), counted as [`CodeScan::connect`] is (only where the
/// app serves the file). `None` when it needs nothing of that.
#[must_use]
pub fn wasm_only(bytes: &[u8]) -> Option<CodeScan> {
    let at = views::compiles_wasm(bytes)?;
    let before = String::from_utf8_lossy(&bytes[..at]);
    let line = crate::lines::line_col(&before, before.len()).0;
    let connect = ViewScan { wasm: vec![line], ..ViewScan::default() };
    Some(CodeScan { connect: Some(Box::new(connect)), ..CodeScan::default() })
}

/// [`scan`] of a source file the run does not analyse (front-end code that builds markup with inline handlers, as
/// `el.innerHTML = '<li onclick="pick(1)">'` does, names nothing the prefilter looks for), from the bytes the first
/// pass read (within the size limit), the cheap test first. `None` when it cannot be decoded (the file is left alone;
/// nothing else needs it), or is minified unless `include_minified` (a vendored library's strings are not the app's
/// pages).
#[must_use]
pub fn scan_unanalysed(
    path: &std::path::Path,
    bytes: Vec<u8>,
    hints: Hints,
    include_minified: bool,
) -> Option<CodeScan> {
    if !hints.any() {
        return None;
    }
    if !include_minified && crate::source::minified(path, &bytes).is_some() {
        return wasm_only(&bytes);
    }
    let file = SourceFile::new(path.to_path_buf(), String::from_utf8(bytes).ok()?);
    scan_with(&file, hints, || parse(&file, &file.code).ok().map(|parsed| parsed.program))
}

/// The properties whose value the page shows as text (a field's value, an element's text).
const TEXT_PROPERTIES: [&str; 3] = ["value", "textContent", "innerText"];

/// The methods whose first argument the page shows as text or copies (jQuery's `val` and `text`, the clipboard's
/// `writeText`).
const TEXT_METHODS: [&str; 3] = ["val", "text", "writeText"];

/// Where the literals (strings, template literals, `+` chains of them) start that the code shows as text rather than
/// puts into the page as markup: assigned to `value`, `textContent` or `innerText`, given to `val(...)`, `text(...)`,
/// `writeText(...)`, `setAttribute('value', ...)` or `attr('value', ...)`, directly or through a variable they
/// initialise (`const snippet = '<iframe ...>'; field.value = snippet`).
fn shown_as_text(program: &Program) -> std::collections::HashSet<usize> {
    #[derive(Default)]
    struct Sinks {
        starts: std::collections::HashSet<usize>,
        names: std::collections::HashSet<String>,
        inits: Vec<(String, usize)>,
    }
    impl Sinks {
        fn value(&mut self, expr: &Expr) {
            match expr {
                Expr::Paren(p) => self.value(&p.expr),
                Expr::Lit(Lit::Str(_)) | Expr::Tpl(_) | Expr::Bin(_) => {
                    self.starts.insert(range_of(expr).start);
                }
                Expr::Ident(id) => {
                    self.names.insert(id.sym.to_string());
                }
                _ => {}
            }
        }
    }
    impl Visit for Sinks {
        fn visit_var_declarator(&mut self, decl: &swc_ecma_ast::VarDeclarator) {
            if let (swc_ecma_ast::Pat::Ident(name), Some(init)) = (&decl.name, &decl.init) {
                let mut init = &**init;
                while let Expr::Paren(p) = init {
                    init = &p.expr;
                }
                if matches!(init, Expr::Lit(Lit::Str(_)) | Expr::Tpl(_) | Expr::Bin(_)) {
                    self.inits.push((name.id.sym.to_string(), range_of(init).start));
                }
            }
            decl.visit_children_with(self);
        }

        fn visit_assign_expr(&mut self, assign: &swc_ecma_ast::AssignExpr) {
            if let swc_ecma_ast::AssignTarget::Simple(swc_ecma_ast::SimpleAssignTarget::Member(m)) = &assign.left {
                let text = matches!(&m.prop, MemberProp::Ident(p) if TEXT_PROPERTIES.contains(&p.sym.as_str()));
                if text && assign.op == swc_ecma_ast::AssignOp::Assign {
                    self.value(&assign.right);
                }
            }
            assign.visit_children_with(self);
        }

        fn visit_call_expr(&mut self, call: &CallExpr) {
            let method = method_called(call);
            let args: Vec<&Expr> = call.args.iter().filter(|a| a.spread.is_none()).map(|a| &*a.expr).collect();
            match (method, args.as_slice()) {
                (Some(m), [value, ..]) if TEXT_METHODS.contains(&m) => self.value(value),
                (Some("setAttribute" | "attr"), [name, value, ..])
                    if string_of(name).is_some_and(|n| n.eq_ignore_ascii_case("value")) =>
                {
                    self.value(value);
                }
                _ => {}
            }
            call.visit_children_with(self);
        }
    }
    let mut sinks = Sinks::default();
    program.visit_with(&mut sinks);
    let Sinks { mut starts, names, inits } = sinks;
    starts.extend(inits.into_iter().filter(|(name, _)| names.contains(name)).map(|(_, at)| at));
    starts
}

/// Whether markup shown as text (`text`, a literal's text at run time) is embed code, `Some(own)`: it starts with an
/// `<iframe` whose `src` is `own` when it is not a fixed other site's (it is relative, or computed: the page's own
/// URL, `location.href`), `false` when it is (`https://www.youtube.com/embed/...`, a snippet of that site). `None`
/// when it is no embed code.
fn embed_code(text: &str) -> Option<bool> {
    let trimmed = text.trim_start();
    if !trimmed.get(..7).is_some_and(|t| t.eq_ignore_ascii_case("<iframe")) {
        return None;
    }
    let lower = trimmed.to_ascii_lowercase();
    let tag = &lower[..lower.find('>').unwrap_or(lower.len())];
    let at = tag.find(" src=")? + 5;
    let value = tag[at..].trim_start_matches(['"', '\'', '\\']);
    let fixed = value.starts_with("http://") || value.starts_with("https://") || value.starts_with("//");
    Some(!fixed)
}

struct Collector<'a> {
    file: &'a SourceFile,
    out: ViewScan,
    /// Where the first call that sets X-Frame-Options starts.
    frame_options: Option<usize>,
    /// Where the literals that are shown as text start ([`shown_as_text`]).
    shown: std::collections::HashSet<usize>,
    /// Where the first embed code of the app's own pages starts ([`CodeScan::hands_out_embed`]).
    embed: Option<usize>,
    /// What it serves, its CORS header and EJS's `rmWhitespace` ([`CodeScan`]).
    found: CodeScan,
    /// The module's constants that name paths ([`path_consts`]).
    consts: PathConsts,
    /// The program walked, and the strings its names hold, read when a header needs them.
    program: &'a Program,
    consts_of_names: Option<StringConsts>,
    /// Variables that hold the text of a file the code reads (`const shell = fs.readFileSync(file, 'utf8')`, a
    /// `readFile` callback's data), by name: the file's path.
    reads: std::collections::HashMap<String, (Base, String)>,
}

/// The module-level `const`s whose value is a path the code shows ([`path_of`]), by name: `const buildPath =
/// path.join(__dirname, 'client', 'build')`, then `express.static(buildPath)` serves that folder as if it were written
/// inline. (Read in order, so a constant made from an earlier one counts too.)
type PathConsts = std::collections::HashMap<String, (Base, String)>;

fn path_consts(program: &Program) -> PathConsts {
    let mut consts = PathConsts::new();
    let items: Vec<&swc_ecma_ast::Stmt> = match program {
        Program::Script(script) => script.body.iter().collect(),
        Program::Module(module) => module
            .body
            .iter()
            .filter_map(|item| match item {
                swc_ecma_ast::ModuleItem::Stmt(stmt) => Some(stmt),
                swc_ecma_ast::ModuleItem::ModuleDecl(_) => None,
            })
            .collect(),
    };
    for stmt in items {
        let swc_ecma_ast::Stmt::Decl(swc_ecma_ast::Decl::Var(var)) = stmt else { continue };
        if var.kind != swc_ecma_ast::VarDeclKind::Const {
            continue;
        }
        for decl in &var.decls {
            let (swc_ecma_ast::Pat::Ident(name), Some(init)) = (&decl.name, &decl.init) else { continue };
            if let Some(path) = path_of(init, &consts) {
                consts.insert(name.id.sym.to_string(), path);
            }
        }
    }
    consts
}

/// The path the first declaration of `__dirname` the code makes gives it, when the code shows it ([`path_of`]).
struct DirnameDecl<'a> {
    consts: &'a PathConsts,
    found: Option<Option<(Base, String)>>,
}

impl Visit for DirnameDecl<'_> {
    fn visit_var_declarator(&mut self, decl: &swc_ecma_ast::VarDeclarator) {
        if let (None, swc_ecma_ast::Pat::Ident(name), Some(init)) = (&self.found, &decl.name, &decl.init) {
            if name.id.sym == *"__dirname" {
                self.found = Some(path_of(init, self.consts));
                return;
            }
        }
        decl.visit_children_with(self);
    }
}

impl Collector<'_> {
    /// Scans the markup `text` of the literal that starts at `at`.
    fn markup(&mut self, text: &str, at: usize) {
        if !text.contains('<') {
            return;
        }
        // (Embed code shown for users to copy is text, not markup the page loads: [`CodeScan::hands_out_embed`].)
        if self.shown.contains(&at) {
            if let Some(own) = embed_code(text) {
                if own {
                    self.embed.get_or_insert(at);
                }
                return;
            }
        }
        // (No extension: HTML, which no view engine renders.)
        let scan = views::scan_view(std::path::Path::new("code"), text);
        let (line, _) = self.file.line_col(at);
        self.out.append(scan, line - 1);
    }

    fn line(&self, at: usize) -> usize {
        self.file.line_col(at).0
    }

    fn ejs_delimiters(&mut self, at: usize) {
        if self.found.ejs_delimiters.is_none() {
            self.found.ejs_delimiters = Some(self.line(at));
        }
    }

    /// `rmWhitespace` set to `value` at `at`: on unless it is `false` (or `0`, `null`, `undefined`, `''`).
    fn rm_whitespace(&mut self, value: &Expr, at: usize) {
        if !option_off(value) && self.found.rm_whitespace.is_none() {
            self.found.rm_whitespace = Some(self.line(at));
        }
    }

    /// Pug's `pretty` set to `value` at `at`: on unless it is off ([`option_off`]); surely on when it is `true` or a
    /// string (pug-code-gen takes a string as the indentation, and refuses one that is not whitespace).
    fn pug_pretty(&mut self, value: &Expr, at: usize) {
        if option_off(value) {
            return;
        }
        let sure = matches!(value, Expr::Lit(Lit::Bool(_) | Lit::Str(_)));
        match &mut self.found.pug_pretty {
            None => self.found.pug_pretty = Some((self.line(at), sure)),
            // (The first place that may turn it on is named; a sure one elsewhere does not make it sure.)
            Some((_, was)) => *was &= sure,
        }
    }

    /// The `pretty` of the options objects among a view call's arguments ([`VIEW_OPTION_CALLS`]).
    fn view_options(&mut self, call: &CallExpr, method: &str) {
        let first = call.args.first().and_then(|a| string_of(&a.expr));
        if method == "set" && first.as_deref() != Some("view options") {
            return;
        }
        for arg in call.args.iter().filter(|a| a.spread.is_none()) {
            let Expr::Object(object) = &*arg.expr else { continue };
            for prop in &object.props {
                let swc_ecma_ast::PropOrSpread::Prop(prop) = prop else { continue };
                if let swc_ecma_ast::Prop::KeyValue(kv) = &**prop {
                    if prop_name(&kv.key).as_deref() == Some(PRETTY) {
                        self.pug_pretty(&kv.value, range_of(kv).start);
                    }
                }
            }
        }
    }

    /// Records what a call serves: `method` is the called name (`static` of `express.static`, `sendFile`).
    fn serving(&mut self, call: &CallExpr, method: &str, object: Option<&str>) {
        let arg = |i: usize| call.args.get(i).filter(|a| a.spread.is_none()).map(|a| &*a.expr);
        let key = if matches!(method, "set") { arg(0).and_then(string_of) } else { None };
        let (paths, file): (Vec<&Expr>, bool) = match (method, object) {
            ("static", _) | ("serveStatic", None) | ("registerPartials", _) => (arg(0).into_iter().collect(), false),
            ("configure", Some("nunjucks")) => (arg(0).map(list_items).unwrap_or_default(), false),
            ("set", _) if key.as_deref() == Some("views") && call.args.len() >= 2 => {
                (arg(1).map(list_items).unwrap_or_default(), false)
            }
            ("sendFile" | "sendfile", _) => {
                let root = arg(1).and_then(|o| match o {
                    Expr::Object(o) => o.props.iter().find_map(|p| match p {
                        swc_ecma_ast::PropOrSpread::Prop(p) => match &**p {
                            swc_ecma_ast::Prop::KeyValue(kv) if prop_name(&kv.key).as_deref() == Some("root") => {
                                Some(&*kv.value)
                            }
                            _ => None,
                        },
                        _ => None,
                    }),
                    _ => None,
                });
                match root {
                    // (The file is under its root: the root counts whole.)
                    Some(root) => (vec![root], false),
                    None => (arg(0).into_iter().collect(), true),
                }
            }
            ("readFile" | "readFileSync" | "createReadStream", _) => (arg(0).into_iter().collect(), true),
            // EJS's options: `app.set('view options', { delimiter: '?' })`, `res.render(view, { delimiter: '?' })`.
            ("set" | "render" | "renderFile", _) => {
                let options = if method == "set" && key.as_deref() != Some("view options") { None } else { arg(1) };
                if let Some(Expr::Object(o)) = options {
                    let named = |p: &swc_ecma_ast::PropOrSpread| match p {
                        swc_ecma_ast::PropOrSpread::Prop(p) => match &**p {
                            swc_ecma_ast::Prop::KeyValue(kv) => prop_name(&kv.key).as_deref() == Some("delimiter"),
                            _ => false,
                        },
                        _ => false,
                    };
                    if o.props.iter().any(named) {
                        self.ejs_delimiters(range_of(call).start);
                    }
                }
                return;
            }
            _ => return,
        };
        for expr in paths {
            let served = match path_of(expr, &self.consts) {
                Some((base, path)) => Served::Known { base, path, file },
                None => Served::Unknown(Computed {
                    line: self.line(range_of(call).start),
                    text: self.file.code.get(range_of(expr)).map(one_line).unwrap_or_default(),
                    folder: !file,
                    names: names_of(expr),
                }),
            };
            self.found.served.push(served);
        }
    }

    /// `Access-Control-Allow-Origin` set as a header: to `*` or the request's own origin ([`CodeScan::allows_every_origin`]),
    /// or to a value computed from what the file does not show ([`CodeScan::computed_allow_origin`]).
    fn allow_origin(&mut self, call: &CallExpr, method: &str) {
        if self.found.allows_every_origin.is_some() {
            return;
        }
        let arg = |i: usize| call.args.get(i).map(|a| &*a.expr);
        let value: Option<&Expr> = match (method, arg(0)) {
            ("setHeader" | "set" | "header" | "append", Some(name))
                if call.args.len() >= 2 && string_of(name).is_some_and(|h| h.eq_ignore_ascii_case(ALLOW_ORIGIN)) =>
            {
                arg(1)
            }
            ("set" | "header" | "writeHead", _) => call.args.iter().find_map(|a| match &*a.expr {
                Expr::Object(o) => o.props.iter().find_map(|p| match p {
                    swc_ecma_ast::PropOrSpread::Prop(p) => match &**p {
                        swc_ecma_ast::Prop::KeyValue(kv)
                            if prop_name(&kv.key).is_some_and(|k| k.eq_ignore_ascii_case(ALLOW_ORIGIN)) =>
                        {
                            Some(&*kv.value)
                        }
                        _ => None,
                    },
                    _ => None,
                }),
                _ => None,
            }),
            _ => None,
        };
        let Some(value) = value else { return };
        let program = self.program;
        let consts = self.consts_of_names.get_or_insert_with(|| StringConsts::of(program));
        match origins_allowed(value, consts) {
            Origins::Every => self.found.allows_every_origin = Some(self.line(range_of(call).start)),
            Origins::Computed if self.found.computed_allow_origin.is_none() => {
                let text = self.file.code.get(range_of(value)).map(one_line).unwrap_or_default();
                self.found.computed_allow_origin = Some((self.line(range_of(call).start), text));
            }
            Origins::Computed | Origins::One => {}
        }
    }

    /// `'<p>' + name + '</p>'`: the parts of a chain of `+`, literal text or a run-time part, when one is a string.
    /// The text of a literal, a template literal or a `+` chain with one ([`Self::joined`]).
    fn literal_text(expr: &Expr) -> Option<String> {
        match expr {
            Expr::Lit(Lit::Str(s)) => Some(string_value(s)),
            Expr::Tpl(t) => Some(template_text(t)),
            Expr::Bin(b) if b.op == BinaryOp::Add => Self::joined(b),
            Expr::Paren(p) => Self::literal_text(&p.expr),
            _ => None,
        }
    }

    fn joined(bin: &BinExpr) -> Option<String> {
        let mut list = Vec::new();
        operands(bin, &mut list);
        let mut any_string = false;
        let mut text = String::new();
        for part in list {
            match part {
                Expr::Lit(Lit::Str(s)) => {
                    any_string = true;
                    text.push_str(&string_value(s));
                }
                Expr::Tpl(t) => {
                    any_string = true;
                    text.push_str(&template_text(t));
                }
                _ => text.push_str(RUNTIME_PART),
            }
        }
        any_string.then_some(text)
    }
}

/// Which origins an `Access-Control-Allow-Origin` value lets read a response, least first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Origins {
    /// One fixed origin (`'https://app.example.com'`, or built of the file's constants).
    One,
    /// Computed from something the file does not show: maybe one origin, maybe every one.
    Computed,
    /// `*`, or the request's own origin sent back.
    Every,
}

/// [`Origins`] of `value`: the request's origin anywhere in it is every origin; what folds to a string is `*` or one
/// origin; of a choice (`a ? b : c`, `a || b`), the widest of its values.
fn origins_allowed(value: &Expr, consts: &StringConsts) -> Origins {
    if reads_request_origin(value, consts, 0) {
        return Origins::Every;
    }
    if let Some(text) = consts.fold(value) {
        return if text.trim() == "*" { Origins::Every } else { Origins::One };
    }
    match crate::bindings::unwrap(value) {
        Expr::Cond(c) => origins_allowed(&c.cons, consts).max(origins_allowed(&c.alt, consts)),
        Expr::Bin(b) if matches!(b.op, BinaryOp::LogicalOr | BinaryOp::NullishCoalescing | BinaryOp::LogicalAnd) => {
            origins_allowed(&b.left, consts).max(origins_allowed(&b.right, consts))
        }
        _ => Origins::Computed,
    }
}

/// Whether `value` reads the request's `Origin` header: `req.headers.origin`, `req.headers['origin']`,
/// `req.get('origin')`, `req.header('Origin')`, or a name the file binds once to such a value
/// (`const origin = req.headers.origin`, `const { origin } = req.headers`).
fn reads_request_origin(value: &Expr, consts: &StringConsts, depth: usize) -> bool {
    struct Reads<'c> {
        consts: &'c StringConsts,
        depth: usize,
        found: bool,
    }
    fn named(prop: &MemberProp, name: &str) -> bool {
        match prop {
            MemberProp::Ident(p) => p.sym.eq_ignore_ascii_case(name),
            MemberProp::Computed(c) => string_of(&c.expr).is_some_and(|s| s.eq_ignore_ascii_case(name)),
            MemberProp::PrivateName(_) => false,
        }
    }
    impl Visit for Reads<'_> {
        fn visit_member_expr(&mut self, m: &swc_ecma_ast::MemberExpr) {
            let headers =
                |obj: &Expr| matches!(crate::bindings::unwrap(obj), Expr::Member(o) if named(&o.prop, "headers"));
            self.found |= named(&m.prop, "origin") && headers(&m.obj);
            m.visit_children_with(self);
        }
        fn visit_call_expr(&mut self, call: &CallExpr) {
            if let Callee::Expr(callee) = &call.callee {
                if let Expr::Member(m) = crate::bindings::unwrap(callee) {
                    self.found |= (named(&m.prop, "get") || named(&m.prop, "header"))
                        && call
                            .args
                            .first()
                            .and_then(|a| string_of(&a.expr))
                            .is_some_and(|h| h.eq_ignore_ascii_case("origin"));
                }
            }
            call.visit_children_with(self);
        }
        fn visit_ident(&mut self, id: &swc_ecma_ast::Ident) {
            if self.depth < 8 && !self.found {
                if let Some(init) = self.consts.init_of(id.sym.as_str(), range_of(id).start) {
                    self.found |= reads_request_origin(init, self.consts, self.depth + 1);
                }
            }
        }
    }
    let mut reads = Reads { consts, depth, found: false };
    value.visit_with(&mut reads);
    reads.found
}

/// Whether an option's value turns it off: `false`, `0`, `null`, `undefined`, `''`.
fn option_off(value: &Expr) -> bool {
    match value {
        Expr::Lit(Lit::Bool(b)) => !b.value,
        Expr::Lit(Lit::Null(_)) => true,
        Expr::Lit(Lit::Num(n)) => n.value == 0.0,
        Expr::Lit(Lit::Str(s)) => s.value.is_empty(),
        Expr::Ident(id) => id.sym == *"undefined",
        Expr::Paren(p) => option_off(&p.expr),
        _ => false,
    }
}

fn string_value(s: &Str) -> String {
    s.value.to_string_lossy().into_owned()
}

/// The string an expression is when it is a literal (a template literal without `${}` included).
fn string_of(expr: &Expr) -> Option<String> {
    match expr {
        Expr::Lit(Lit::Str(s)) => Some(string_value(s)),
        Expr::Tpl(t) if t.exprs.is_empty() => {
            t.quasis.first()?.cooked.as_ref().map(|c| c.to_string_lossy().into_owned())
        }
        Expr::Paren(p) => string_of(&p.expr),
        _ => None,
    }
}

/// A property's name when it is written as a name or a string.
fn prop_name(key: &swc_ecma_ast::PropName) -> Option<String> {
    match key {
        swc_ecma_ast::PropName::Ident(id) => Some(id.sym.to_string()),
        swc_ecma_ast::PropName::Str(s) => Some(string_value(s)),
        _ => None,
    }
}

/// The items of an array literal, or the expression itself.
fn list_items(expr: &Expr) -> Vec<&Expr> {
    match expr {
        Expr::Array(a) => a.elems.iter().flatten().map(|e| &*e.expr).collect(),
        other => vec![other],
    }
}

/// The path an expression names, when the code shows it: `'public'`, `__dirname`, `process.cwd()`,
/// `path.join(__dirname, 'public')`, `path.resolve(...)`, `__dirname + '/public'`, `` `${__dirname}/public` ``.
/// `None` for anything computed otherwise, and for an absolute path (outside what the project shows).
fn path_of(expr: &Expr, consts: &PathConsts) -> Option<(Base, String)> {
    match expr {
        Expr::Paren(p) => path_of(&p.expr, consts),
        Expr::Ident(id) if id.sym == *"__dirname" => {
            Some(consts.get("__dirname").cloned().unwrap_or((Base::FileDir, String::new())))
        }
        Expr::Ident(id) => consts.get(id.sym.as_str()).cloned(),
        Expr::Call(call) => {
            let Callee::Expr(callee) = &call.callee else { return None };
            let name = match &**callee {
                Expr::Member(m) => match &m.prop {
                    MemberProp::Ident(p) => (m.obj.as_ident().map(|o| o.sym.to_string()), p.sym.to_string()),
                    _ => return None,
                },
                Expr::Ident(id) => (None, id.sym.to_string()),
                _ => return None,
            };
            match (name.0.as_deref(), name.1.as_str()) {
                // (`path.resolve()` with nothing to resolve is the folder the process starts in.)
                (Some("process"), "cwd") | (Some("path"), "resolve") if call.args.is_empty() => {
                    Some((Base::Cwd, String::new()))
                }
                (Some("path") | None, "join" | "resolve") => {
                    let mut parts = call.args.iter().map(|a| if a.spread.is_some() { None } else { Some(&*a.expr) });
                    let (base, mut path) = path_of(parts.next()??, consts)?;
                    for part in parts {
                        let part = string_of(part?)?;
                        // (`path.resolve` starts again at an absolute part; `path.join` does not.)
                        if part.starts_with('/') && name.1 == "resolve" {
                            return None;
                        }
                        path = format!("{path}/{part}");
                    }
                    Some((base, path))
                }
                _ => None,
            }
        }
        Expr::Bin(bin) if bin.op == BinaryOp::Add => {
            let (base, path) = path_of(&bin.left, consts)?;
            Some((base, format!("{path}{}", string_of(&bin.right)?)))
        }
        Expr::Tpl(t) if t.exprs.len() == 1 && t.quasis.len() == 2 && t.quasis[0].cooked.as_ref()?.is_empty() => {
            let (base, path) = path_of(&t.exprs[0], consts)?;
            Some((base, format!("{path}{}", t.quasis[1].cooked.as_ref()?.to_string_lossy())))
        }
        other => {
            let text = string_of(other)?;
            (!text.starts_with('/')).then_some((Base::Cwd, text))
        }
    }
}

/// `config.publicDir` -> `["config", "publicDir"]`, `publicDir` -> `["publicDir"]`: a name, or names read one from
/// the other.
fn names_of(expr: &Expr) -> Option<Vec<String>> {
    match expr {
        Expr::Paren(p) => names_of(&p.expr),
        Expr::Ident(id) => Some(vec![id.sym.to_string()]),
        Expr::Member(m) => {
            let mut names = names_of(&m.obj)?;
            match &m.prop {
                MemberProp::Ident(p) => names.push(p.sym.to_string()),
                MemberProp::Computed(c) => names.push(string_of(&c.expr)?),
                MemberProp::PrivateName(_) => return None,
            }
            Some(names)
        }
        _ => None,
    }
}

/// Source text on one line, its runs of white space made one space, at most 80 characters.
fn one_line(text: &str) -> String {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match text.char_indices().nth(80) {
        Some((end, _)) => format!("{}...", &text[..end]),
        None => text,
    }
}

/// [`path_of`] for a value the analysis described (another module's export, `publicDir: path.join(__dirname,
/// 'public')`): a string, `__dirname`, `process.cwd()`, `path.join`/`path.resolve` of those and strings, and a name
/// `declared` gives the value of (a top-level `const`, to at most four steps).
pub fn path_of_value(
    value: &crate::values::Value,
    declared: &dyn Fn(&str) -> Option<crate::values::Value>,
) -> Option<(Base, String)> {
    fn walk(
        value: &crate::values::Value,
        declared: &dyn Fn(&str) -> Option<crate::values::Value>,
        depth: usize,
    ) -> Option<(Base, String)> {
        use crate::values::Value;
        match value {
            Value::Str(text, _) => (!text.starts_with('/')).then(|| (Base::Cwd, text.to_string())),
            Value::Ident(name, _) if name == "__dirname" => Some((Base::FileDir, String::new())),
            Value::Ident(name, _) if depth < 4 => walk(&declared(name)?, declared, depth + 1),
            Value::Call(call) => {
                let callee = call.callee.as_ref()?;
                let path_module =
                    callee.binding.as_ref().is_some_and(|b| b.module == "path" || b.module == "node:path");
                match (callee.path.as_str(), &call.args[..]) {
                    ("process.cwd", []) => Some((Base::Cwd, String::new())),
                    (_, [first, rest @ ..])
                        if path_module && matches!(&callee.members[..], [m] if m == "join" || m == "resolve") =>
                    {
                        let resolve = callee.members[0] == "resolve";
                        let (base, mut path) = walk(first, declared, depth)?;
                        for part in rest {
                            let crate::values::Value::Str(part, _) = part else { return None };
                            // (`path.resolve` starts again at an absolute part; `path.join` does not.)
                            if part.starts_with('/') && resolve {
                                return None;
                            }
                            path = format!("{path}/{part}");
                        }
                        Some((base, path))
                    }
                    _ => None,
                }
            }
            _ => None,
        }
    }
    walk(value, declared, 0)
}

/// A template literal's text as it is at run time, each `${}` a run-time part.
fn template_text(t: &Tpl) -> String {
    let mut text = String::new();
    for (i, quasi) in t.quasis.iter().enumerate() {
        if i > 0 {
            text.push_str(RUNTIME_PART);
        }
        match &quasi.cooked {
            Some(cooked) => text.push_str(&cooked.to_string_lossy()),
            None => text.push_str(RUNTIME_PART),
        }
    }
    text
}

impl Collector<'_> {
    /// The file whose text `expr` is: a `readFileSync`/`readFile` call of a path the code shows (awaited, turned into
    /// a string with `.toString()`, filled with `.replace`), or a variable that holds one ([`Collector::reads`]).
    fn read_text_of(&self, expr: &Expr) -> Option<(Base, String)> {
        match expr {
            Expr::Paren(p) => self.read_text_of(&p.expr),
            Expr::Await(a) => self.read_text_of(&a.arg),
            Expr::Ident(id) => self.reads.get(id.sym.as_str()).cloned(),
            Expr::Call(call) => self.read_call(call),
            _ => None,
        }
    }

    /// [`Collector::read_text_of`] for a call.
    fn read_call(&self, call: &CallExpr) -> Option<(Base, String)> {
        let Callee::Expr(callee) = &call.callee else { return None };
        let Expr::Member(m) = &**callee else { return None };
        let MemberProp::Ident(name) = &m.prop else { return None };
        match name.sym.as_str() {
            // (`text.replace(a, x).replace(b, y)`: the second replaces in the file's text too.)
            "toString" | "replace" | "replaceAll" => self.read_text_of(&m.obj),
            "readFileSync" | "readFile" => {
                call.args.first().filter(|a| a.spread.is_none()).and_then(|a| path_of(&a.expr, &self.consts))
            }
            _ => None,
        }
    }

    /// `text.replace(search, ...)` (or `replaceAll`) of a file's text: the file is filled before it is sent.
    fn filled(&mut self, call: &CallExpr, object: &Expr) {
        let Some((base, path)) = self.read_text_of(object) else { return };
        let search = call.args.first().filter(|a| a.spread.is_none()).and_then(|a| match &*a.expr {
            Expr::Lit(Lit::Regex(r)) => {
                let source = r.exp.to_string();
                source
                    .chars()
                    .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '%' | '$' | '#'))
                    .then_some(source)
            }
            other => string_of(other),
        });
        match self.found.filled.iter_mut().find(|f| f.base == base && f.path == path) {
            Some(known) => match (&mut known.searches, search) {
                (Some(list), Some(search)) => list.push(search),
                (searches, _) => *searches = None,
            },
            None => self.found.filled.push(Filled { base, path, searches: search.map(|s| vec![s]) }),
        }
    }
}

/// A string every version of the secrets transform's helper (`requiredSecret`) holds, and that holds the reads and
/// writes of the file that keeps its development key ([`Collector::visit_fn_decl`]).
const SECRETS_HELPER_SIGN: &str = "express-harden.dev-secrets";

impl Visit for Collector<'_> {
    fn visit_fn_decl(&mut self, f: &swc_ecma_ast::FnDecl) {
        // The helper an earlier run wrote reads a file whose path it computes: that is no page it serves, and reading
        // it so would make the next run's policy differ from the first's.
        let range = range_of(f);
        let helper = f.ident.sym.starts_with("requiredSecret")
            && self.file.code.get(range).is_some_and(|text| text.contains(SECRETS_HELPER_SIGN));
        if !helper {
            f.visit_children_with(self);
        }
    }

    fn visit_var_declarator(&mut self, decl: &swc_ecma_ast::VarDeclarator) {
        if let (swc_ecma_ast::Pat::Ident(name), Some(init)) = (&decl.name, &decl.init) {
            if let Some(file) = self.read_text_of(init) {
                self.reads.insert(name.id.sym.to_string(), file);
            }
        }
        decl.visit_children_with(self);
    }

    fn visit_call_expr(&mut self, call: &CallExpr) {
        // (`fs.readFile(file, 'utf8', (err, html) => ...)`: `html` holds the file's text.)
        if let Some(file) = self.read_call(call) {
            let callback = call.args.last().map(|a| &*a.expr);
            let second = match callback {
                Some(Expr::Arrow(f)) => f.params.get(1),
                Some(Expr::Fn(f)) => f.function.params.get(1).map(|p| &p.pat),
                _ => None,
            };
            if let Some(swc_ecma_ast::Pat::Ident(name)) = second {
                self.reads.insert(name.id.sym.to_string(), file);
            }
        }
        if let Callee::Expr(callee) = &call.callee {
            if let Expr::Member(m) = &**callee {
                if matches!(&m.prop, MemberProp::Ident(p) if matches!(p.sym.as_str(), "replace" | "replaceAll")) {
                    self.filled(call, &m.obj);
                }
            }
        }
        let method = method_called(call);
        if self.found.sends_page.is_none()
            && matches!(method, Some("send" | "end" | "write"))
            && call.args.first().and_then(|arg| Self::literal_text(&arg.expr)).is_some_and(|t| links_out(&t))
        {
            self.found.sends_page = Some(self.file.line_col(range_of(call).start).0);
        }
        let header = call.args.first().and_then(|arg| match &*arg.expr {
            Expr::Lit(Lit::Str(s)) => Some(string_value(s)),
            _ => None,
        });
        if self.frame_options.is_none()
            && call.args.len() >= 2
            && matches!(method, Some("setHeader" | "set" | "header" | "append"))
            && header.is_some_and(|h| h.eq_ignore_ascii_case(FRAME_OPTIONS))
        {
            self.frame_options = Some(range_of(call).start);
        }
        let (object, called) = match &call.callee {
            Callee::Expr(callee) => match &**callee {
                Expr::Member(m) => (m.obj.as_ident().map(|o| o.sym.as_str()), method),
                Expr::Ident(id) => (None, Some(id.sym.as_str())),
                _ => (None, None),
            },
            _ => (None, None),
        };
        if let Some(called) = called.filter(|c| SERVING_CALLS.contains(c)) {
            self.serving(call, called, object);
        }
        if let Some(called) = called.filter(|c| VIEW_OPTION_CALLS.contains(c)) {
            self.view_options(call, called);
        }
        if let Some(method) = method.filter(|m| HEADER_CALLS.contains(m)) {
            self.allow_origin(call, method);
        }
        call.visit_children_with(self);
    }

    fn visit_key_value_prop(&mut self, kv: &swc_ecma_ast::KeyValueProp) {
        match prop_name(&kv.key).as_deref() {
            Some(RM_WHITESPACE) => self.rm_whitespace(&kv.value, range_of(kv).start),
            Some("openDelimiter" | "closeDelimiter") => self.ejs_delimiters(range_of(kv).start),
            _ => {}
        }
        kv.visit_children_with(self);
    }

    fn visit_assign_expr(&mut self, assign: &swc_ecma_ast::AssignExpr) {
        if let swc_ecma_ast::AssignTarget::Simple(swc_ecma_ast::SimpleAssignTarget::Member(m)) = &assign.left {
            if matches!(&m.prop, MemberProp::Ident(p) if p.sym == *RM_WHITESPACE) {
                self.rm_whitespace(&assign.right, range_of(assign).start);
            }
            // (`app.locals.pretty = ...`, `res.locals.pretty = ...`: every render's options.)
            let on_locals =
                matches!(&*m.obj, Expr::Member(o) if matches!(&o.prop, MemberProp::Ident(p) if p.sym == *"locals"));
            if on_locals && matches!(&m.prop, MemberProp::Ident(p) if p.sym == *PRETTY) {
                self.pug_pretty(&assign.right, range_of(assign).start);
            }
            let on_ejs = m.obj.as_ident().is_some_and(|o| o.sym == *"ejs");
            if on_ejs && matches!(&m.prop, MemberProp::Ident(p) if p.sym.ends_with("elimiter")) {
                self.ejs_delimiters(range_of(assign).start);
            }
        }
        assign.visit_children_with(self);
    }

    fn visit_bin_expr(&mut self, bin: &BinExpr) {
        if bin.op == BinaryOp::Add {
            if let Some(text) = Self::joined(bin) {
                self.markup(&text, range_of(bin).start);
                // The literals were scanned as part of the whole; the other parts may hold markup of their own.
                let mut list = Vec::new();
                operands(bin, &mut list);
                for part in list {
                    match part {
                        Expr::Lit(Lit::Str(_)) => {}
                        Expr::Tpl(t) => t.exprs.iter().for_each(|e| e.visit_with(self)),
                        other => other.visit_with(self),
                    }
                }
                return;
            }
        }
        bin.visit_children_with(self);
    }

    fn visit_str(&mut self, s: &Str) {
        // (Borrowed: most strings hold no markup, and need no copy to tell.)
        self.markup(&s.value.to_string_lossy(), range_of(s).start);
    }

    fn visit_tpl(&mut self, t: &Tpl) {
        self.markup(&template_text(t), range_of(t).start);
        for e in &t.exprs {
            e.visit_with(self);
        }
    }

    fn visit_tagged_tpl(&mut self, t: &TaggedTpl) {
        // html`...` and the like: the tag may escape what goes in, not the literal markup around it.
        self.visit_tpl(&t.tpl);
    }
}

/// Whether markup has a tag with an attribute that names a URL (`<a href=`, `<form action=`, `<img src=`): a page's
/// link, form or resource, which a browser fetches from the page's own origin unless it names another.
fn links_out(text: &str) -> bool {
    text.contains('<')
        && PAGE_NEEDLES.iter().any(|n| {
            text.match_indices(n).any(|(at, _)| {
                // (After a space inside a tag: the attribute of a tag, not text that mentions it.)
                let before = &text[..at];
                before.ends_with([' ', '\n', '\t']) && before.rfind('<').is_some_and(|lt| !before[lt..].contains('>'))
            })
        })
}

/// The operands of a chain of `+` (through parentheses), in order.
fn operands<'e>(bin: &'e BinExpr, out: &mut Vec<&'e Expr>) {
    for side in [&bin.left, &bin.right] {
        match &**side {
            Expr::Bin(b) if b.op == BinaryOp::Add => operands(b, out),
            Expr::Paren(p) => match &*p.expr {
                Expr::Bin(b) if b.op == BinaryOp::Add => operands(b, out),
                other => out.push(other),
            },
            other => out.push(other),
        }
    }
}

/// The method a call names (`x.val(...)`: `val`), when its callee is a member with a plain name.
fn method_called(call: &CallExpr) -> Option<&str> {
    match &call.callee {
        Callee::Expr(callee) => match &**callee {
            Expr::Member(m) => match &m.prop {
                MemberProp::Ident(name) => Some(name.sym.as_str()),
                _ => None,
            },
            _ => None,
        },
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_one_search_answers_as_the_separate_cheap_tests_do() {
        let samples: [&[u8]; 10] = [
            b"res.send('<a href=\"/next\">next</a>')",
            b"const a = 1;",
            b"res.send('<script>go()</script>')",
            b"el.innerHTML = '<li onclick=\"pick(1)\">'",
            b"el.innerHTML = '<li class=\"x\">'",
            b"res.setHeader('X-Frame-Options', 'DENY')",
            b"app.use(express.static('public'))",
            b"app.set(\"views\", dir); setTimeout(tick, 5)",
            b"fetch('/api'); new WebSocket(url)",
            b"href='javascript:void(0)' onload='x()'",
        ];
        for bytes in samples {
            let expected = Hints {
                markup: may_hold_markup(bytes),
                frame_options: may_set_frame_options(bytes),
                serving: may_serve(bytes),
                script_calls: views::may_hold_script_calls(bytes),
                page: may_send_page(bytes),
            };
            assert_eq!(Hints::of(bytes), expected, "{}", String::from_utf8_lossy(bytes));
        }
    }

    use super::*;
    use crate::views::InlineKind;
    use std::path::PathBuf;

    fn scan_js(code: &str) -> Vec<(usize, InlineKind, Option<String>)> {
        let file = SourceFile::new(PathBuf::from("routes.js"), code.to_string());
        scan(&file)
            .and_then(|s| s.html)
            .map(|s| s.inline.into_iter().map(|c| (c.line, c.kind, c.hash)).collect())
            .unwrap_or_default()
    }

    #[test]
    fn x_frame_options_set_by_the_code() {
        let frame = |code: &str| scan(&SourceFile::new(PathBuf::from("a.js"), code.to_string()))?.sets_frame_options;
        let conditional = "const app = express();\nif (!process.env.ALLOW_EMBEDDING) {\n  app.use((req, res, next) => {\n    res.setHeader('X-Frame-Options', 'SAMEORIGIN');\n    next();\n  });\n}\n";
        assert_eq!(frame(conditional), Some(4));
        assert_eq!(frame("res.set(\"x-frame-options\", 'DENY');"), Some(1));
        assert_eq!(frame("res.header('X-Frame-Options', mode);"), Some(1));
        // Read, or only named: the app does not set it.
        assert_eq!(frame("const v = req.get('X-Frame-Options');"), None);
        assert_eq!(
            frame("// X-Frame-Options comes from nginx\nres.setHeader('X-Content-Type-Options', 'nosniff');"),
            None
        );
    }

    fn code_scan(code: &str) -> CodeScan {
        scan(&SourceFile::new(PathBuf::from("a.js"), code.to_string())).unwrap_or_default()
    }

    #[test]
    fn files_filled_before_sending_and_paths_through_constants() {
        let filled = |base, path: &str, searches: Option<&[&str]>| Filled {
            base,
            path: path.to_string(),
            searches: searches.map(|l| l.iter().map(|s| s.to_string()).collect()),
        };
        let got = code_scan(
            "const dir = path.join(__dirname, 'public');\nconst shell = fs.readFileSync(path.join(dir, 'index.html'), 'utf8');\n\
             app.get('*', (req, res) => res.send(shell.replace('__A__', a).replace(/__B__/g, b)));\n\
             fs.readFile('x.html', (err, html) => res.send(html.toString().replaceAll(token, t)));\n\
             const other = fs.readFileSync('y.html', 'utf8'); res.send(other);",
        );
        assert_eq!(
            got.filled,
            vec![
                // (Outer call first.)
                filled(Base::FileDir, "/public/index.html", Some(&["__B__", "__A__"])),
                filled(Base::Cwd, "x.html", None),
            ]
        );
        assert!(got.served.contains(&Served::Known {
            base: Base::FileDir,
            path: "/public/index.html".into(),
            file: true
        }));
    }

    fn unknown(line: usize, text: &str, folder: bool, names: Option<&[&str]>) -> Served {
        let names = names.map(|names| names.iter().map(|n| n.to_string()).collect());
        Served::Unknown(Computed { line, text: text.to_string(), folder, names })
    }

    #[test]
    fn what_the_code_serves() {
        let known = |base, path: &str, file| Served::Known { base, path: path.to_string(), file };
        let got = code_scan(
            "app.use(express.static('public'));\n\
             app.use('/s', express.static(path.join(__dirname, '..', 'site')));\n\
             app.use(serveStatic(__dirname + '/assets'));\n\
             app.set('views', [path.resolve(__dirname, 'views'), `${__dirname}/shared`]);\n\
             nunjucks.configure(process.cwd(), { express: app });\n\
             res.sendFile(path.join(__dirname, 'index.html'));\n\
             res.sendFile('page.html', { root: 'pages' });\n\
             app.use(express.static(config.dir));\n\
             app.set('view engine', 'ejs');\n",
        );
        assert_eq!(
            got.served,
            vec![
                known(Base::Cwd, "public", false),
                known(Base::FileDir, "/../site", false),
                known(Base::FileDir, "/assets", false),
                known(Base::FileDir, "/views", false),
                known(Base::FileDir, "/shared", false),
                known(Base::Cwd, "", false),
                known(Base::FileDir, "/index.html", true),
                known(Base::Cwd, "pages", false),
                unknown(8, "config.dir", true, Some(&["config", "dir"])),
            ]
        );
        // An absolute path, a name the code computes: unknown.
        assert_eq!(
            code_scan("fs.readFile(path.resolve(__dirname, '/etc/x.html'), cb);").served,
            vec![unknown(1, "path.resolve(__dirname, '/etc/x.html')", false, None)]
        );
        assert_eq!(code_scan("fs.readFile(file, cb);").served, vec![unknown(1, "file", false, Some(&["file"]))]);
        assert_eq!(
            code_scan("app.set('views',\n  process.env.VIEWS   || settings['views']);").served,
            vec![unknown(1, "process.env.VIEWS || settings['views']", true, None)]
        );
    }

    #[test]
    fn allow_origin_rm_whitespace_and_pretty_set_by_the_code() {
        let open = |code: &str| code_scan(code).allows_every_origin;
        assert_eq!(open("res.set('Access-Control-Allow-Origin', '*');"), Some(1));
        assert_eq!(open("\nres.setHeader('access-control-allow-origin', req.headers.origin);"), Some(2));
        assert_eq!(open("res.set({ 'Access-Control-Allow-Origin': '*', 'Cache-Control': 'no-cache' });"), Some(1));
        assert_eq!(open("res.writeHead(200, { 'Access-Control-Allow-Origin': '*' });"), Some(1));
        assert_eq!(open("res.set('Access-Control-Allow-Origin', 'https://app.example.com');"), None);
        assert_eq!(open("const h = req.get('Access-Control-Allow-Origin');"), None);
        // Constants of the file fold to the one origin they spell; the request's origin anywhere is every origin.
        assert_eq!(open("const h = 'localhost';\nres.set('Access-Control-Allow-Origin', `http://${h}:3000`);"), None);
        assert_eq!(
            open("const o = 'https://' + 'a.example';\nres.header({ 'Access-Control-Allow-Origin': o });"),
            None
        );
        assert_eq!(open("const any = '*';\nres.set('Access-Control-Allow-Origin', any);"), Some(2));
        assert_eq!(open("res.set('Access-Control-Allow-Origin', `${req.headers['origin']}`);"), Some(1));
        assert_eq!(open("res.set('Access-Control-Allow-Origin', req.get('Origin') || 'x');"), Some(1));
        assert_eq!(open("const { origin } = req.headers;\nres.set('Access-Control-Allow-Origin', origin);"), Some(2));
        assert_eq!(open("res.set('Access-Control-Allow-Origin', ok ? 'https://a.example' : '*');"), Some(1));
        let computed = |code: &str| code_scan(code).computed_allow_origin;
        assert_eq!(
            computed("res.set('Access-Control-Allow-Origin', config.web);"),
            Some((1, "config.web".to_string()))
        );
        assert_eq!(computed("res.set('Access-Control-Allow-Origin', ok ? 'https://a.example' : '*');"), None);
        assert_eq!(computed("res.set('Access-Control-Allow-Origin', 'https://a.example');"), None);
        let trims = |code: &str| code_scan(code).rm_whitespace;
        assert_eq!(trims("app.set('view options', { rmWhitespace: true });"), Some(1));
        assert_eq!(trims("\napp.locals.rmWhitespace = true;"), Some(2));
        assert_eq!(
            trims("res.render('index', { user, rmWhitespace: process.env.NODE_ENV === 'production' });"),
            Some(1)
        );
        assert_eq!(trims("app.set('view options', { rmWhitespace: false });"), None);
        let pretty = |code: &str| code_scan(code).pug_pretty;
        assert_eq!(pretty("app.locals.pretty = true;"), Some((1, true)));
        assert_eq!(pretty("\napp.locals.pretty = app.get('env') === 'development';"), Some((2, false)));
        assert_eq!(pretty("app.set('view options', { pretty: '\\t' });"), Some((1, true)));
        assert_eq!(pretty("res.render('index', { user, pretty: req.query.pretty });"), Some((1, false)));
        assert_eq!(pretty("const html = pug.renderFile(file, { pretty: true, cache: true });"), Some((1, true)));
        assert_eq!(pretty("const fn = pug.compile(src, { pretty: isDev });"), Some((1, false)));
        // (The first place is named; one computed value makes it unsure.)
        assert_eq!(pretty("app.locals.pretty = true;\nres.render('a', { pretty: dev });"), Some((1, false)));
        assert_eq!(pretty("app.locals({ title: 'Shop', pretty: true });"), Some((1, true)));
        assert_eq!(pretty("app.locals.pretty = false;"), None);
        assert_eq!(pretty("res.render('index', { pretty: undefined });"), None);
        // Another library's `pretty` (a GraphQL server's JSON, a logger) is not Pug's.
        assert_eq!(pretty("app.use('/graphql', graphqlHTTP({ schema, pretty: true }));"), None);
        assert_eq!(pretty("app.set('json options', { pretty: true });"), None);
        assert_eq!(pretty("config.pretty = true;"), None);
        let delimiters = |code: &str| code_scan(code).ejs_delimiters;
        assert_eq!(delimiters("app.set('view options', { delimiter: '?' });"), Some(1));
        assert_eq!(delimiters("\nejs.openDelimiter = '[';"), Some(2));
        assert_eq!(delimiters("res.render('index', { user, delimiter: '$' });"), Some(1));
        // A CSV parser's delimiter is not EJS's.
        assert_eq!(delimiters("parse(text, { delimiter: ';' });"), None);
    }

    #[test]
    fn string_with_a_fixed_script_is_hashed() {
        let got = scan_js("app.get('/', (req, res) => {\n  res.send('<p>x</p><script>go()</script>');\n});\n");
        assert_eq!(got, vec![(2, InlineKind::Script, Some(views::csp_hash("go()")))]);
    }

    #[test]
    fn escapes_are_read_as_the_runtime_string() {
        let got = scan_js("res.send(\"<script>a()\\nb()</script>\");");
        assert_eq!(got, vec![(1, InlineKind::Script, Some(views::csp_hash("a()\nb()")))]);
    }

    #[test]
    fn template_literal_lines_and_runtime_parts() {
        let code = "res.send(`<html>\n<body>\n<button onclick=\"save()\">s</button>\n<script>const id = ${id};</script>\n<script>ready()</script>`);";
        let got = scan_js(code);
        assert_eq!(
            got,
            vec![
                (3, InlineKind::EventHandler, None),
                (4, InlineKind::Script, None),
                (5, InlineKind::Script, Some(views::csp_hash("ready()"))),
            ]
        );
    }

    #[test]
    fn tags_in_code_load_from_other_hosts() {
        let file = SourceFile::new(
            PathBuf::from("analytics.js"),
            "const url = 'https://not.a.tag.example.com/x.js';\nreturn `\n  <script async src=\"https://www.googletagmanager.com/gtag/js?id=${id}\"></script>\n  <script>gtag('config', '${id}');</script>`;".to_string(),
        );
        let html = scan(&file).and_then(|s| s.html).expect("markup");
        let origins: Vec<(usize, &str)> = html.external.iter().map(|r| (r.line, r.origin.as_str())).collect();
        assert_eq!(origins, vec![(3, "https://www.googletagmanager.com")]);
        assert_eq!(html.inline.iter().map(|c| (c.line, c.hash.is_some())).collect::<Vec<_>>(), vec![(4, false)]);
    }

    #[test]
    fn concatenation_is_one_piece_of_markup() {
        let got = scan_js("res.send('<script>var user = ' + JSON.stringify(user) + ';</script>');");
        assert_eq!(got, vec![(1, InlineKind::Script, None)]);
        let got = scan_js("const a = '<a href=\"javascript:go()\">' + label + '</a>';");
        assert_eq!(got, vec![(1, InlineKind::JavascriptUrl, None)]);
    }

    #[test]
    fn code_without_markup_is_not_parsed() {
        let may = |code: &str| may_hold_markup(code.as_bytes());
        assert!(!may("const a = 'on the road'; x.on('data', f); let one = 1; if (a < b) {}"));
        assert!(!may("return <button onClick={save}>s</button>;"));
        assert!(may("x = '<b onclick=\"f()\">'"));
        assert!(may("x = '<b onClick=\"f()\">'"));
        assert!(may("x = \"<b onclick=\\\"f()\\\">\""));
        assert!(may("x = '<SCRIPT>go()</SCRIPT>'"));
        assert!(scan_js("const s = '<p>only text</p>'; const on = 1;").is_empty());
        // Not valid JavaScript: nothing rather than a panic.
        assert!(scan_js("res.send('<script>x</script>' +").is_empty());
    }
}
