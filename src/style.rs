//! The file's own style, so that inserted code looks as if its author wrote it: quote character, semicolons,
//! indentation unit and line ending.

use swc_ecma_ast::*;
use swc_ecma_visit::VisitWith;

/// How a file writes code.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Style {
    /// `'` or `"`.
    pub quote: char,
    /// Whether statements end with `;`.
    pub semicolons: bool,
    /// One level of indentation: a tab or some spaces (an atom: eight bytes rather than a string's 24 and its block,
    /// in the facts of every analysed file).
    pub indent_unit: swc_atoms::Atom,
    /// `"\n"` or `"\r\n"`.
    pub eol: &'static str,
    /// Whether multi-line object and array literals end with a comma after their last element (Prettier's
    /// `trailingComma`).
    pub trailing_commas: bool,
    /// Whether the file is written in ES5 syntax ([`is_es5`]): new code then uses `var`, `function` expressions and
    /// strings joined with `+` rather than `const`, arrows and template literals.
    pub es5: bool,
    /// Whether the file's syntax tells neither way ([`es5_era`]: no `var`, nothing later, as in
    /// `module.exports = { ... }`): then the project's other files decide [`Style::es5`].
    pub era_unknown: bool,
}

impl Default for Style {
    fn default() -> Self {
        Style {
            quote: '\'',
            semicolons: true,
            indent_unit: swc_atoms::Atom::from("  "),
            eol: "\n",
            trailing_commas: false,
            es5: false,
            era_unknown: false,
        }
    }
}

/// Votes gathered while the analysis walks the tree; ties keep the defaults (single quotes, semicolons).
#[derive(Debug, Default, Clone)]
pub struct StyleVotes {
    /// String literals written with `'`.
    pub single_quotes: usize,
    /// String literals written with `"`.
    pub double_quotes: usize,
    /// Statements that end with `;`.
    pub with_semicolon: usize,
    /// Statements that could end with `;` but do not.
    pub without_semicolon: usize,
    /// Multi-line object and array literals with a comma after their last element.
    pub with_trailing_comma: usize,
    /// Multi-line object and array literals without one.
    pub without_trailing_comma: usize,
}

impl StyleVotes {
    /// Counts a string literal by its first raw character.
    pub fn string_literal(&mut self, raw: &str) {
        match raw.as_bytes().first() {
            Some(b'\'') => self.single_quotes += 1,
            Some(b'"') => self.double_quotes += 1,
            _ => {}
        }
    }

    /// Counts the statement at `range` of `code` by its last byte. One without a semicolon counts only when a line
    /// break (or a comment, or the end of the file) follows it: before a `}` on its line the semicolon is optional
    /// whatever the style (`if (a) { return b }`, and every block of a minified file), so it says nothing.
    pub fn statement(&mut self, code: &str, range: std::ops::Range<usize>) {
        let Some(text) = code.get(range.clone()) else { return };
        if text.trim_end().ends_with(';') {
            self.with_semicolon += 1;
            return;
        }
        let after = code.get(range.end..).unwrap_or("").trim_start_matches([' ', '\t']);
        if !after.starts_with('}') {
            self.without_semicolon += 1;
        }
    }

    /// Counts a literal whose last element ends at `last_end` and which closes just before `end`, when its closing
    /// bracket is on a line of its own (a one-line literal says nothing about trailing commas).
    pub fn closing(&mut self, code: &str, last_end: usize, end: usize) {
        let Some(between) = code.get(last_end..end.saturating_sub(1)) else { return };
        if !between.contains('\n') {
            return;
        }
        if between.trim_start().starts_with(',') {
            self.with_trailing_comma += 1;
        } else {
            self.without_trailing_comma += 1;
        }
    }

    /// Decides the style of `code` from the votes and the text itself; `es5` is [`is_es5_program`] of its tree.
    pub fn finish(&self, code: &str, es5: bool) -> Style {
        let (indent_unit, eol) = detect_layout(code);
        Style {
            quote: if self.double_quotes > self.single_quotes { '"' } else { '\'' },
            semicolons: self.with_semicolon >= self.without_semicolon,
            indent_unit: swc_atoms::Atom::from(indent_unit),
            eol,
            trailing_commas: self.with_trailing_comma > self.without_trailing_comma,
            es5,
            era_unknown: false,
        }
    }
}

/// Whether `code`, read as JavaScript, is written in ES5 syntax ([`is_es5_program`]); code that does not parse is not.
pub fn is_es5(code: &str) -> bool {
    let file = crate::source::SourceFile::new("es5.js".into(), code.to_string());
    crate::parse::parse(&file, code).is_ok_and(|parsed| is_es5_program(&parsed.program))
}

/// Whether a parsed file is written in ES5 syntax: it declares with `var` and has no node of a later edition (`const`,
/// `let`, an arrow, a template literal, a class, an import or export, destructuring, a spread, a default parameter,
/// a shorthand or method property, a computed key, `for...of`, a generator, `async`/`await`, optional chaining, `??`,
/// `**`, a BigInt, a numeric separator, a regular expression flag ES5 lacks). Read from the tree, not the text:
/// comments, strings and regular expression literals (`/\s*=>\s*/`, `` /`/g ``) say nothing of the syntax. The walk
/// stops descending at the first later node, so a modern file costs a few nodes.
pub fn is_es5_program(program: &swc_ecma_ast::Program) -> bool {
    es5_era(program) == Some(true)
}

/// Whether a parsed file is written in ES5 syntax ([`is_es5_program`]), or in a later edition; `None` when it tells
/// neither way: it has no `var` and no node of a later edition (`module.exports = { ... }`, `app.use(x)`).
pub fn es5_era(program: &swc_ecma_ast::Program) -> Option<bool> {
    let mut era = Era::default();
    program.visit_with(&mut era);
    match (era.var, era.later) {
        (_, true) => Some(false),
        (true, false) => Some(true),
        (false, false) => None,
    }
}

/// What [`is_es5_program`] has seen.
#[derive(Default)]
struct Era {
    /// A `var` declaration.
    var: bool,
    /// A node of ES2015 or later.
    later: bool,
}

impl Era {
    /// Marks `node` as later than ES5 when `later` says so, and descends into it only while nothing later was seen.
    fn step<N: VisitWith<Self>>(&mut self, node: &N, later: bool) {
        self.later |= later;
        if !self.later {
            node.visit_children_with(self);
        }
    }
}

impl swc_ecma_visit::Visit for Era {
    fn visit_module_item(&mut self, item: &ModuleItem) {
        self.step(item, matches!(item, ModuleItem::ModuleDecl(_)));
    }

    fn visit_stmt(&mut self, stmt: &Stmt) {
        self.step(stmt, matches!(stmt, Stmt::ForOf(_) | Stmt::Decl(Decl::Class(_) | Decl::Using(_))));
    }

    fn visit_var_decl(&mut self, decl: &VarDecl) {
        self.var |= decl.kind == VarDeclKind::Var;
        self.step(decl, decl.kind != VarDeclKind::Var);
    }

    fn visit_expr(&mut self, expr: &Expr) {
        let later = matches!(
            expr,
            Expr::Arrow(_)
                | Expr::Tpl(_)
                | Expr::TaggedTpl(_)
                | Expr::Class(_)
                | Expr::Yield(_)
                | Expr::Await(_)
                | Expr::MetaProp(_)
                | Expr::SuperProp(_)
                | Expr::OptChain(_)
                | Expr::Bin(BinExpr { op: BinaryOp::NullishCoalescing | BinaryOp::Exp, .. })
                | Expr::Assign(AssignExpr {
                    op: AssignOp::ExpAssign | AssignOp::AndAssign | AssignOp::OrAssign | AssignOp::NullishAssign,
                    ..
                })
        );
        self.step(expr, later);
    }

    fn visit_callee(&mut self, callee: &Callee) {
        self.step(callee, matches!(callee, Callee::Import(_) | Callee::Super(_)));
    }

    fn visit_function(&mut self, f: &Function) {
        self.step(f, f.is_async || f.is_generator);
    }

    fn visit_pat(&mut self, pat: &Pat) {
        self.step(pat, matches!(pat, Pat::Array(_) | Pat::Object(_) | Pat::Rest(_) | Pat::Assign(_)));
    }

    fn visit_assign_target_pat(&mut self, pat: &AssignTargetPat) {
        self.step(pat, true);
    }

    fn visit_expr_or_spread(&mut self, e: &ExprOrSpread) {
        self.step(e, e.spread.is_some());
    }

    fn visit_prop_or_spread(&mut self, p: &PropOrSpread) {
        let later = match p {
            PropOrSpread::Spread(_) => true,
            PropOrSpread::Prop(prop) => matches!(&**prop, Prop::Shorthand(_) | Prop::Method(_) | Prop::Assign(_)),
        };
        self.step(p, later);
    }

    fn visit_prop_name(&mut self, name: &PropName) {
        self.step(name, matches!(name, PropName::Computed(_) | PropName::BigInt(_)));
    }

    fn visit_lit(&mut self, lit: &Lit) {
        let later = match lit {
            Lit::BigInt(_) => true,
            // (Not `0o700`: earlier versions of this tool wrote octal literals into ES5 files, which must still read
            // as ES5 to be brought up to date.)
            Lit::Num(n) => n.raw.as_deref().is_some_and(|raw| raw.contains('_')),
            Lit::Regex(r) => r.flags.chars().any(|f| !matches!(f, 'g' | 'i' | 'm')),
            _ => false,
        };
        self.step(lit, later);
    }
}

/// `"\r\n"` when most line breaks are CRLF.
pub fn detect_eol(code: &str) -> &'static str {
    detect_layout(code).1
}

/// The indentation unit: a tab when most indented lines start with one, otherwise the most common increase in
/// leading spaces between consecutive lines (2 when the file gives no evidence).
pub fn detect_indent_unit(code: &str) -> String {
    detect_layout(code).0
}

/// The indentation unit ([`detect_indent_unit`]) and the line ending ([`detect_eol`]) of `code`, in one pass over its
/// lines (this runs on every analysed file).
fn detect_layout(code: &str) -> (String, &'static str) {
    let bytes = code.as_bytes();
    let mut tabs = 0usize;
    let mut spaces = 0usize;
    let mut deltas = [0usize; 9];
    let mut previous = 0usize;
    let mut start = 0usize;
    let (mut lf, mut crlf) = (0usize, 0usize);
    while start < bytes.len() {
        let end = match memchr::memchr(b'\n', &bytes[start..]) {
            Some(i) => {
                let end = start + i;
                lf += 1;
                crlf += usize::from(end > 0 && bytes[end - 1] == b'\r');
                end
            }
            None => bytes.len(),
        };
        let line = &bytes[start..end];
        start = end + 1;
        let lead = line.iter().take_while(|b| **b == b' ' || **b == b'\t').count();
        let rest = &line[lead..];
        // Blank lines say nothing; continuation lines of block comments (` * foo`) are aligned, not indented.
        // (A line is blank when what follows its spaces and tabs is whitespace too: only such lines are scanned.)
        let blank =
            rest.first().is_none_or(|b| b.is_ascii_whitespace() && rest.iter().all(|b| b.is_ascii_whitespace()));
        if blank || rest.first() == Some(&b'*') {
            continue;
        }
        if line.first() == Some(&b'\t') {
            tabs += 1;
            previous = 0;
            continue;
        }
        if lead > 0 {
            spaces += 1;
        }
        if lead > previous && lead - previous <= 8 {
            deltas[lead - previous] += 1;
        }
        previous = lead;
    }
    let eol = if crlf > 0 && crlf * 2 >= lf { "\r\n" } else { "\n" };
    if tabs > spaces {
        return ("\t".to_string(), eol);
    }
    let best =
        (1..deltas.len()).filter(|&d| deltas[d] > 0).max_by_key(|&d| (deltas[d], std::cmp::Reverse(d))).unwrap_or(2);
    (" ".repeat(best), eol)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indentation_units() {
        assert_eq!(detect_indent_unit("a {\n  b {\n    c\n  }\n}\n"), "  ");
        assert_eq!(detect_indent_unit("a {\n    b {\n        c\n    }\n}\n"), "    ");
        assert_eq!(detect_indent_unit("a {\n\tb {\n\t\tc\n\t}\n}\n"), "\t");
        assert_eq!(detect_indent_unit("a\nb\n"), "  ");
        assert_eq!(detect_indent_unit("/**\n * doc\n */\nf {\n    x\n}\n"), "    ");
    }

    #[test]
    fn es5_is_told_from_the_tree() {
        assert!(is_es5("var a = require('a');\nfunction f() { return 'x' + a; }\n"));
        assert!(!is_es5("var a = 1;\nconst b = 2;\n"));
        assert!(!is_es5("var a = (x) => x;\n"));
        assert!(!is_es5("var a = `x`;\n"));
        assert!(!is_es5("function f() {}\n"), "no var: nothing says it is ES5");
        assert!(is_es5("var constant = 1, letters = 'abc';\n"), "words that start with a keyword");
        assert!(is_es5("// reference `req.session`\nvar a = 1; /* const x => y */\n"), "comments say nothing");
        assert!(is_es5("var a = 'let it be', b = \"=> \\\" `\";\n"), "nor do strings");
        assert!(!is_es5("var a = 1; // a comment\nconst b = `x`;\n"), "code after a comment counts");
        assert!(!is_es5("var a = '//'; const b = 2;\n"), "a comment's marks in a string start none");
        assert!(is_es5("var ARROW = /\\s*=>\\s*/;\n"), "nor do regular expressions");
        assert!(is_es5("var TICK = /`/g, Q = /'/, D = /\"/;\nvar a = 2 / 1;\n"), "a quote in one starts no string");
        assert!(!is_es5("var a = /x/u;\n"), "a flag ES5 lacks");
        assert!(!is_es5("var { a } = b;\n"));
        assert!(!is_es5("var a = { b };\n"));
        assert!(!is_es5("var a = f(...b);\n"));
        assert!(!is_es5("function f(a = 1) { var b = a; }\n"));
        assert!(!is_es5("for (var k of o) {}\n"));
        assert!(!is_es5("var a = b ?? c;\n"));
        assert!(is_es5("var a = 0o700;\n"), "octal literals an earlier version wrote");
        assert!(is_es5("var o = { get a() { return 1; }, 'b': 2 };\n"), "getters are ES5");
        assert!(!is_es5("var a = 1; if (a) {"), "what does not parse is not ES5");
    }

    #[test]
    fn a_file_without_var_or_later_syntax_tells_neither_way() {
        let era = |code: &str| {
            let file = crate::source::SourceFile::new("era.js".into(), code.to_string());
            crate::parse::parse(&file, code).map(|parsed| es5_era(&parsed.program)).expect("parses")
        };
        assert_eq!(era("module.exports = {\n    secret: 'x'\n};\n"), None);
        assert_eq!(era("app.use(express.static('public'));\n"), None);
        assert_eq!(era("var a = 1;\n"), Some(true));
        assert_eq!(era("module.exports = { a: () => 1 };\n"), Some(false));
        assert_eq!(era("export default { a: 1 };\n"), Some(false));
    }

    #[test]
    fn line_endings() {
        assert_eq!(detect_eol("a\r\nb\r\n"), "\r\n");
        assert_eq!(detect_eol("a\nb\n"), "\n");
        assert_eq!(detect_eol("a\r\nb\r\nc\n"), "\r\n");
        assert_eq!(detect_eol("a\r\nb\nc\nd\n"), "\n");
    }

    #[test]
    fn votes() {
        let mut v = StyleVotes::default();
        v.string_literal("\"a\"");
        v.string_literal("\"b\"");
        v.string_literal("'c'");
        let code = "a()\nb()\nc();\n";
        v.statement(code, 0..3);
        v.statement(code, 4..7);
        v.statement(code, 8..12);
        let s = v.finish("x\n", false);
        assert_eq!(s.quote, '"');
        assert!(!s.semicolons);
    }

    #[test]
    fn a_statement_closed_by_its_block_on_the_same_line_casts_no_vote() {
        // Minified code, and one-line blocks in a file with semicolons: the semicolon before `}` is optional.
        let code = "f();function a(b){if(b){return [b]}return b}g();h();";
        let mut v = StyleVotes::default();
        v.statement(code, 0..4);
        v.statement(code, 24..34);
        v.statement(code, 35..43);
        v.statement(code, 44..48);
        assert!(v.finish(code, false).semicolons);
        assert_eq!((v.with_semicolon, v.without_semicolon), (2, 0));
    }
}
