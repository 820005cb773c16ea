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
use swc_ecma_ast::{BinExpr, BinaryOp, CallExpr, Callee, Expr, Lit, MemberProp, Str, TaggedTpl, Tpl};
use swc_ecma_visit::{Visit, VisitWith};

use crate::parse::{parse, range_of};
use crate::source::SourceFile;
use crate::views::{self, ViewScan};

/// What stands for a part of the markup only known at run time: a template fragment to the scanner.
const RUNTIME_PART: &str = "<%%>";

/// The searches of the cheap test, each built once.
struct Needles {
    markup: [Finder<'static>; 3],
    frame_options: [Finder<'static>; 3],
    attribute_values: [Finder<'static>; 3],
}

fn needles() -> &'static Needles {
    static NEEDLES: OnceLock<Needles> = OnceLock::new();
    NEEDLES.get_or_init(|| Needles {
        markup: [Finder::new(b"<script"), Finder::new(b"<SCRIPT"), Finder::new(b"javascript:")].map(Finder::into_owned),
        frame_options: [Finder::new(b"Frame-Options"), Finder::new(b"frame-options"), Finder::new(b"FRAME-OPTIONS")]
            .map(Finder::into_owned),
        attribute_values: [Finder::new(b"=\""), Finder::new(b"='"), Finder::new(b"=\\\"")].map(Finder::into_owned),
    })
}

/// Whether the code may hold markup with inline code or tags: the cheap test (no copy of the text, SIMD searches for
/// the usual spellings) before a file is parsed for it.
fn may_hold_markup(code: &[u8]) -> bool {
    let n = needles();
    n.markup.iter().any(|f| f.find(code).is_some()) || has_handler_attribute(code)
}

/// Whether the code may set X-Frame-Options (`X-Frame-Options`, `x-frame-options`, `X-FRAME-OPTIONS`).
fn may_set_frame_options(code: &[u8]) -> bool {
    needles().frame_options.iter().any(|f| f.find(code).is_some())
}

/// ` onclick="` and the like: a quoted (or escaped-quoted) attribute value whose name is `on` and letters, after a
/// space or a quote.
fn has_handler_attribute(b: &[u8]) -> bool {
    needles().attribute_values.iter().any(|f| {
        f.find_iter(b).any(|eq| {
            let mut start = eq;
            while start > 0 && b[start - 1].is_ascii_alphabetic() {
                start -= 1;
            }
            eq - start > 2
                && b[start..start + 2].eq_ignore_ascii_case(b"on")
                && start > 0
                && (b[start - 1].is_ascii_whitespace() || b[start - 1] == b'"' || b[start - 1] == b'\'')
        })
    })
}

/// The header that says who may put the app's pages in a frame.
const FRAME_OPTIONS: &str = "x-frame-options";

/// What one source file's code sends.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CodeScan {
    /// The inline code of the markup its literals build, and what its tags load from other hosts (a URL in a string
    /// that is no tag's counts for nothing); `None` when there is neither.
    pub html: Option<ViewScan>,
    /// The 1-based line of the first place it sets `X-Frame-Options` itself (`res.setHeader('X-Frame-Options', v)`,
    /// `res.set(...)`, `res.header(...)`, `res.append(...)`).
    pub sets_frame_options: Option<usize>,
}

/// What `file`'s code sends; `None` when it is nothing of the above, or the file does not parse (that is reported
/// elsewhere).
#[must_use]
pub fn scan(file: &SourceFile) -> Option<CodeScan> {
    let code = file.code.as_bytes();
    if !may_set_frame_options(code) && !may_hold_markup(code) {
        return None;
    }
    let parsed = parse(file, &file.code).ok()?;
    let mut collector = Collector { file, out: ViewScan::default(), frame_options: None };
    parsed.program.visit_with(&mut collector);
    let mut html = collector.out;
    html.inline.sort_by_key(|c| c.line);
    html.external.sort_by_key(|r| r.line);
    let found = CodeScan {
        html: (!html.inline.is_empty() || !html.external.is_empty()).then_some(html),
        sets_frame_options: collector.frame_options.map(|at| file.line_col(at).0),
    };
    (found != CodeScan::default()).then_some(found)
}

/// [`scan`] of a source file the run does not analyse (front-end code that builds markup with inline handlers, as
/// `el.innerHTML = '<li onclick="pick(1)">'` does, names nothing the prefilter looks for), from the bytes the first
/// pass read (within the size limit), the cheap test first. `None` when it cannot be decoded (the file is left alone;
/// nothing else needs it), or is minified unless `include_minified` (a vendored library's strings are not the app's
/// pages).
#[must_use]
pub fn scan_unanalysed(path: &std::path::Path, bytes: Vec<u8>, include_minified: bool) -> Option<CodeScan> {
    if !may_set_frame_options(&bytes) && !may_hold_markup(&bytes) {
        return None;
    }
    if !include_minified && crate::source::minified(path, &bytes).is_some() {
        return None;
    }
    scan(&SourceFile::new(path.to_path_buf(), String::from_utf8(bytes).ok()?))
}

struct Collector<'a> {
    file: &'a SourceFile,
    out: ViewScan,
    /// Where the first call that sets X-Frame-Options starts.
    frame_options: Option<usize>,
}

impl Collector<'_> {
    /// Scans the markup `text` of the literal that starts at `at`.
    fn markup(&mut self, text: &str, at: usize) {
        if !text.contains('<') {
            return;
        }
        let scan = views::scan_view(std::path::Path::new("code.html"), text);
        let (line, _) = self.file.line_col(at);
        self.out.inline.extend(scan.inline.into_iter().map(|mut c| {
            c.line += line - 1;
            c
        }));
        self.out.external.extend(scan.external.into_iter().map(|mut r| {
            r.line += line - 1;
            r
        }));
    }

    /// `'<p>' + name + '</p>'`: the parts of a chain of `+`, literal text or a run-time part, when one is a string.
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

fn string_value(s: &Str) -> String {
    s.value.to_string_lossy().into_owned()
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

impl Visit for Collector<'_> {
    fn visit_call_expr(&mut self, call: &CallExpr) {
        let method = match &call.callee {
            Callee::Expr(callee) => match &**callee {
                Expr::Member(m) => match &m.prop {
                    MemberProp::Ident(name) => Some(name.sym.as_str()),
                    _ => None,
                },
                _ => None,
            },
            _ => None,
        };
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
        call.visit_children_with(self);
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
        self.markup(&string_value(s), range_of(s).start);
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

#[cfg(test)]
mod tests {
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
        let got = scan_js("const a = '<a href=\"javascript:void(0)\">' + label + '</a>';");
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
