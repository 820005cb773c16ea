//! Prints only the new code with swc_ecma_codegen, then fits it to the file's style: quotes (set on each string
//! literal before printing), semicolons, indentation unit, base indentation and line ending.

use swc_common::{sync::Lrc, SourceMap, SyntaxContext, DUMMY_SP};
use swc_ecma_ast::*;
use swc_ecma_codegen::{text_writer::JsWriter, Config, Emitter};
use swc_ecma_visit::{VisitMut, VisitMutWith};

use crate::style::Style;

/// swc's printer indents with four spaces; [`fit`] maps each group of four to the file's unit.
const PRINTER_INDENT: &str = "    ";

/// Prints module items (statements, imports) exactly as swc prints them.
pub fn print_items(items: Vec<ModuleItem>) -> String {
    let module = Module { span: DUMMY_SP, body: items, shebang: None };
    let cm: Lrc<SourceMap> = Default::default();
    let mut buf = Vec::new();
    {
        let mut emitter = Emitter {
            cfg: Config::default().with_target(crate::parse::PRINT_TARGET),
            cm: cm.clone(),
            comments: None,
            wr: JsWriter::new(cm, "\n", &mut buf, None),
        };
        // Writing into a Vec cannot fail; an error here would be a bug in the printer.
        if emitter.emit_module(&module).is_err() {
            return String::new();
        }
    }
    // (swc writes `} finally{`.)
    space_arrows(String::from_utf8_lossy(&buf).trim_end()).replace("} finally{\n", "} finally {\n")
}

/// swc's printer writes arrow functions as `(err)=>body`; code is written `(err) => body`. Outside string and
/// template literals, each `=>` gets a space on both sides.
fn space_arrows(printed: &str) -> String {
    let mut out = String::with_capacity(printed.len() + 8);
    let mut quote: Option<char> = None;
    let mut chars = printed.chars().peekable();
    while let Some(c) = chars.next() {
        match quote {
            Some(q) => {
                out.push(c);
                if c == '\\' {
                    out.extend(chars.next());
                } else if c == q {
                    quote = None;
                }
            }
            None if c == '\'' || c == '"' || c == '`' => {
                quote = Some(c);
                out.push(c);
            }
            None if c == '=' && chars.peek() == Some(&'>') => {
                chars.next();
                if !out.ends_with(' ') {
                    out.push(' ');
                }
                out.push_str("=>");
                if chars.peek().is_some_and(|n| *n != ' ' && *n != '\n') {
                    out.push(' ');
                }
            }
            None => out.push(c),
        }
    }
    out
}

/// Prints one statement in the file's style. Lines after the first get `base_indent` in front, so the result can be
/// spliced at a position that already carries the indentation of the first line.
pub fn print_stmt(stmt: Stmt, style: &Style, base_indent: &str) -> String {
    fit(&print_items(vec![ModuleItem::Stmt(stmt)]), style, base_indent)
}

/// Prints one module item (an import) in the file's style.
pub fn print_item(item: ModuleItem, style: &Style) -> String {
    fit(&print_items(vec![item]), style, "")
}

/// Longest line (in characters, before re-indentation) that a collapsed object or array may make, as Prettier's
/// default print width; also the longest line a one-line object may grow to when properties are added to it
/// (`objects::past_print_width`).
pub const PRINT_WIDTH: usize = 80;

/// swc prints every object literal over several lines; people write short ones on one line
/// (`new RedisStore({ client: redisClient })`). Innermost bracket groups whose one-line form fits the print width are
/// joined, repeatedly, as Prettier would print them; blocks (`try {`, `} finally {`, a function's body) stay over
/// several lines, as Prettier keeps them.
pub fn collapse_short_groups(printed: &str) -> String {
    let mut lines: Vec<String> = printed.split('\n').map(str::to_string).collect();
    loop {
        let mut changed = false;
        let mut i = 0;
        while i < lines.len() {
            let open = lines[i].trim_end();
            let opener = open.chars().last();
            if !matches!(opener, Some('{') | Some('[')) {
                i += 1;
                continue;
            }
            let close_char = if opener == Some('{') { '}' } else { ']' };
            if close_char == '}' && !opens_literal(&open[..open.len() - 1]) {
                i += 1;
                continue;
            }
            let indent = lines[i].len() - lines[i].trim_start().len();
            let Some(end) = (i + 1..lines.len()).find(|&j| {
                let l = &lines[j];
                l.len() - l.trim_start().len() <= indent && !l.trim().is_empty()
            }) else {
                i += 1;
                continue;
            };
            let inner = &lines[i + 1..end];
            let innermost = inner.iter().all(|l| {
                let t = l.trim_end();
                !t.ends_with('{') && !t.ends_with('[') && !t.ends_with('(')
            });
            let closes = lines[end].trim_start().starts_with(close_char);
            if !innermost || !closes || inner.is_empty() {
                i += 1;
                continue;
            }
            let body = inner.iter().map(|l| l.trim()).collect::<Vec<_>>().join(" ");
            let joined = if close_char == '}' {
                format!("{open} {body} {}", lines[end].trim_start())
            } else {
                format!("{open}{body}{}", lines[end].trim_start())
            };
            if joined.chars().count() <= PRINT_WIDTH {
                lines.splice(i..=end, std::iter::once(joined));
                changed = true;
            }
            i += 1;
        }
        if !changed {
            return lines.join("\n");
        }
    }
}

/// Adds a comma after the last element of every multi-line object and array literal of printed code (for files
/// whose literals have one, as Prettier's default `trailingComma` writes them). Blocks (function bodies, `if`, class
/// bodies) and destructuring patterns are left alone: a literal is a bracket opened after `(`, `[`, `=`, `:`, `,`,
/// `?` or `return`, or on a line of its own.
fn add_trailing_commas(printed: &str) -> String {
    let mut lines: Vec<String> = printed.split('\n').map(str::to_string).collect();
    let indent = |line: &str| line.len() - line.trim_start().len();
    for close in 1..lines.len() {
        let closing = lines[close].trim_start();
        let Some(bracket) = closing.chars().next().filter(|c| matches!(c, '}' | ']')) else { continue };
        let open_char = if bracket == '}' { '{' } else { '[' };
        let depth = indent(&lines[close]);
        let Some(open) = (0..close).rev().find(|&k| indent(&lines[k]) <= depth) else { continue };
        let opener = lines[open].trim_end();
        if indent(&lines[open]) != depth || !opener.ends_with(open_char) || open + 1 == close {
            continue;
        }
        let literal = opens_literal(&opener[..opener.len() - 1]);
        let last = lines[close - 1].trim_end();
        if literal && !last.ends_with([',', '{', '[', '(']) && indent(&lines[close - 1]) > depth {
            let kept = last.len();
            lines[close - 1].truncate(kept);
            lines[close - 1].push(',');
        }
    }
    lines.join("\n")
}

/// Whether a bracket opened at the end of `before` (a printed line) is a literal's, not a block's: it follows `(`, `[`,
/// `=`, `:`, `,`, `?` or `return`, or is on a line of its own.
fn opens_literal(before: &str) -> bool {
    let before = before.trim_end();
    before.trim_start().is_empty()
        || before.ends_with(['(', '[', '=', ':', ',', '?'])
        || before.ends_with(" return")
        || before.trim_start() == "return"
}

/// Adapts printed code to a style. In a semicolon-free file every statement loses its `;` (the printed snippets never
/// start a line with `(`, `[` or a template, where that would need one).
pub fn fit(printed: &str, style: &Style, base_indent: &str) -> String {
    let es5 = if style.es5 { to_es5(printed, style.quote) } else { None };
    let printed = collapse_short_groups(es5.as_deref().unwrap_or(printed));
    let printed = if style.trailing_commas { add_trailing_commas(&printed) } else { printed };
    let mut out = String::with_capacity(printed.len() + 16);
    for (i, line) in printed.split('\n').enumerate() {
        if i > 0 {
            out.push_str(style.eol);
            if !line.is_empty() {
                out.push_str(base_indent);
            }
        }
        let mut rest = line;
        while let Some(stripped) = rest.strip_prefix(PRINTER_INDENT) {
            out.push_str(&style.indent_unit);
            rest = stripped;
        }
        let rest = if style.semicolons { rest } else { rest.strip_suffix(';').unwrap_or(rest) };
        out.push_str(rest);
    }
    out
}

/// `printed` (statements as [`print_items`] prints them) in ES5 syntax, for a file written so ([`Style::es5`]):
/// `const` and `let` become `var`, arrows `function` expressions (those that use `this` or `arguments`, whose meaning
/// would change, stay arrows), template literals strings joined with `+`, shorthand properties `key: key`, object
/// spreads `Object.assign({}, ...)`, `a?.b` on a name `a && a.b`, a destructuring declaration of a name or a
/// `require(...)` one declaration per property, octal and binary literals `parseInt('700', 8)`. `None` when there is
/// nothing to change or the text is not whole statements.
fn to_es5(printed: &str, quote: char) -> Option<String> {
    if !["const ", "let ", "=>", "`", "{ ", "...", "?.", "0o", "0b"].iter().any(|s| printed.contains(s)) {
        return None;
    }
    let mut module = crate::parse::parse_snippet(printed).ok()?;
    let mut es5 = Es5 { quote, changed: false };
    module.visit_mut_with(&mut es5);
    // (swc writes `function(x)`; ES5 code is written `function (x)`, as Prettier and standard do.)
    es5.changed.then(|| print_items(module.body).replace("function(", "function ("))
}

struct Es5 {
    quote: char,
    changed: bool,
}

impl Es5 {
    /// A template literal as strings and values joined with `+`, starting with a string so that the result is one
    /// (`${a}/x` -> `a + '/x'`, `${a}${b}` -> `'' + a + b`); values other than names, members and calls in parentheses.
    fn joined(&self, tpl: &mut Tpl) -> Expr {
        let text = |q: &TplElement| q.cooked.as_ref().map(|c| c.to_string_lossy().into_owned()).unwrap_or_default();
        let value = |e: Box<Expr>| match *e {
            Expr::Ident(_) | Expr::Member(_) | Expr::Call(_) | Expr::Lit(_) => e,
            other => Box::new(Expr::Paren(ParenExpr { span: DUMMY_SP, expr: Box::new(other) })),
        };
        let add = |left: Box<Expr>, right: Box<Expr>| {
            Box::new(Expr::Bin(BinExpr { span: DUMMY_SP, op: BinaryOp::Add, left, right }))
        };
        let exprs: Vec<Box<Expr>> = std::mem::take(&mut tpl.exprs);
        let quasis: Vec<String> = tpl.quasis.iter().map(text).collect();
        let starts_with_value = quasis.first().is_some_and(String::is_empty)
            && quasis.get(1).is_some_and(|q| !q.is_empty())
            && !exprs.is_empty();
        let mut out: Option<Box<Expr>> = (!starts_with_value).then(|| str_expr(&quasis[0], self.quote));
        for (i, expr) in exprs.into_iter().enumerate() {
            let expr = value(expr);
            out = Some(match out {
                Some(left) => add(left, expr),
                None => expr,
            });
            if let Some(q) = quasis.get(i + 1).filter(|q| !q.is_empty()) {
                out = out.map(|left| add(left, str_expr(q, self.quote)));
            }
        }
        out.map_or_else(|| *str_expr("", self.quote), |e| *e)
    }
}

/// Whether an arrow's body uses `this` or `arguments` (which a `function` would rebind).
struct UsesThis(bool);

impl swc_ecma_visit::Visit for UsesThis {
    fn visit_this_expr(&mut self, _: &ThisExpr) {
        self.0 = true;
    }
    fn visit_ident(&mut self, ident: &Ident) {
        self.0 |= ident.sym == *"arguments";
    }
    // (A nested function has its own.)
    fn visit_function(&mut self, _: &Function) {}
}

/// Whether `expr` can be written twice with the same meaning and no second effect: a name, a member of one, or a
/// `require('...')` (Node caches modules).
fn repeatable(expr: &Expr) -> bool {
    match expr {
        Expr::Ident(_) => true,
        Expr::Member(m) => matches!(m.prop, MemberProp::Ident(_)) && repeatable(&m.obj),
        Expr::Call(c) => {
            matches!(&c.callee, Callee::Expr(e) if matches!(&**e, Expr::Ident(i) if i.sym == *"require"))
                && matches!(c.args.as_slice(), [a] if a.spread.is_none() && matches!(*a.expr, Expr::Lit(Lit::Str(_))))
        }
        _ => false,
    }
}

/// `var { a, b: c } = init` as `var a = init.a, c = init.b` when `init` is [`repeatable`] and every property is a
/// plain name (no default, no rest, no nesting); `None` otherwise.
fn destructured(decl: &VarDeclarator) -> Option<Vec<VarDeclarator>> {
    let (Pat::Object(pattern), Some(init)) = (&decl.name, &decl.init) else { return None };
    if !repeatable(init) {
        return None;
    }
    let read = |key: &str, name: &Ident| VarDeclarator {
        span: DUMMY_SP,
        name: Pat::Ident(BindingIdent { id: name.clone(), type_ann: None }),
        init: Some(member(init.clone(), key)),
        definite: false,
    };
    pattern
        .props
        .iter()
        .map(|prop| match prop {
            ObjectPatProp::Assign(AssignPatProp { key, value: None, .. }) => Some(read(&key.id.sym, &key.id)),
            ObjectPatProp::KeyValue(KeyValuePatProp { key: PropName::Ident(key), value }) => match &**value {
                Pat::Ident(name) => Some(read(&key.sym, &name.id)),
                _ => None,
            },
            _ => None,
        })
        .collect()
}

impl VisitMut for Es5 {
    fn visit_mut_var_decl(&mut self, decl: &mut VarDecl) {
        decl.visit_mut_children_with(self);
        if decl.kind != VarDeclKind::Var {
            decl.kind = VarDeclKind::Var;
            self.changed = true;
        }
        if decl.decls.iter().any(|d| matches!(d.name, Pat::Object(_))) {
            let mut out = Vec::with_capacity(decl.decls.len());
            for d in decl.decls.drain(..) {
                match destructured(&d) {
                    Some(each) => {
                        out.extend(each);
                        self.changed = true;
                    }
                    None => out.push(d),
                }
            }
            decl.decls = out;
        }
    }

    fn visit_mut_prop(&mut self, prop: &mut Prop) {
        prop.visit_mut_children_with(self);
        if let Prop::Shorthand(ident) = prop {
            let key = PropName::Ident(IdentName { span: DUMMY_SP, sym: ident.sym.clone() });
            *prop = Prop::KeyValue(KeyValueProp { key, value: Box::new(Expr::Ident(ident.clone())) });
            self.changed = true;
        }
    }

    fn visit_mut_member_expr(&mut self, member: &mut MemberExpr) {
        member.visit_mut_children_with(self);
        // (A joined template read as an object needs its parentheses: `(a + 'x').length`.)
        if let Expr::Bin(_) = *member.obj {
            let obj = std::mem::replace(&mut *member.obj, Expr::Invalid(Invalid { span: DUMMY_SP }));
            *member.obj = Expr::Paren(ParenExpr { span: DUMMY_SP, expr: Box::new(obj) });
        }
    }

    fn visit_mut_expr(&mut self, expr: &mut Expr) {
        expr.visit_mut_children_with(self);
        match expr {
            Expr::Lit(Lit::Num(n)) => {
                let radix = n.raw.as_deref().and_then(|r| match r.get(..2) {
                    Some("0o" | "0O") => Some(8.0),
                    Some("0b" | "0B") => Some(2.0),
                    _ => None,
                });
                if let (Some(radix), Some(raw)) = (radix, n.raw.as_deref()) {
                    let digits = str_expr(&raw[2..].replace('_', ""), self.quote);
                    let radix = Box::new(Expr::Lit(Lit::Num(Number { span: DUMMY_SP, value: radix, raw: None })));
                    *expr = *call(ident_expr("parseInt"), vec![digits, radix]);
                    self.changed = true;
                }
            }
            Expr::OptChain(chain) => {
                if let OptChainBase::Member(m) = &*chain.base {
                    if chain.optional && repeatable(&m.obj) {
                        let read = Box::new(Expr::Member(m.clone()));
                        let and = Expr::Bin(BinExpr {
                            span: DUMMY_SP,
                            op: BinaryOp::LogicalAnd,
                            left: m.obj.clone(),
                            right: read,
                        });
                        *expr = Expr::Paren(ParenExpr { span: DUMMY_SP, expr: Box::new(and) });
                        self.changed = true;
                    }
                }
            }
            Expr::Object(object) if object.props.iter().any(|p| matches!(p, PropOrSpread::Spread(_))) => {
                let empty = || ObjectLit { span: DUMMY_SP, props: Vec::new() };
                let mut args = vec![Box::new(Expr::Object(empty()))];
                let mut run = empty();
                for prop in object.props.drain(..) {
                    match prop {
                        PropOrSpread::Spread(spread) => {
                            if !run.props.is_empty() {
                                args.push(Box::new(Expr::Object(std::mem::replace(&mut run, empty()))));
                            }
                            // (An argument needs no parentheses but a sequence's.)
                            args.push(match *spread.expr {
                                Expr::Paren(ParenExpr { expr, .. }) if !matches!(*expr, Expr::Seq(_)) => expr,
                                other => Box::new(other),
                            });
                        }
                        prop => run.props.push(prop),
                    }
                }
                if !run.props.is_empty() {
                    args.push(Box::new(Expr::Object(run)));
                }
                *expr = *call(member(ident_expr("Object"), "assign"), args);
                self.changed = true;
            }
            Expr::Tpl(tpl) => {
                *expr = self.joined(tpl);
                self.changed = true;
            }
            Expr::Arrow(arrow) if !arrow.is_generator => {
                let mut uses = UsesThis(false);
                swc_ecma_visit::VisitWith::visit_with(&*arrow.body, &mut uses);
                if uses.0 {
                    return;
                }
                let body = match std::mem::replace(
                    &mut *arrow.body,
                    ArrowFunctionBody::Expr(Box::new(Expr::Invalid(Invalid { span: DUMMY_SP }))),
                ) {
                    ArrowFunctionBody::FunctionBody(body) => body,
                    ArrowFunctionBody::Expr(value) => FunctionBody {
                        span: DUMMY_SP,
                        stmts: vec![Stmt::Return(ReturnStmt { span: DUMMY_SP, arg: Some(value) })],
                    },
                };
                let function = Function {
                    params: arrow.params.drain(..).map(Param::from).collect(),
                    body: Some(body),
                    is_async: arrow.is_async,
                    ..Default::default()
                };
                *expr = Expr::Fn(FnExpr { ident: None, function: Box::new(function) });
                self.changed = true;
            }
            _ => {}
        }
    }
}

/// [`template_renamed`], printed and fitted to `style` (no base indentation): the whole as one text, or, with
/// `each`, each item on its own. Remembered across files: a transform adds the same code to many files (the same
/// helper, the same store set-up), and parsing and printing it is most of what planning such a file costs.
pub fn render(
    source: &str,
    renames: &[(String, String)],
    vars: &[(&str, &str)],
    style: &Style,
    each: bool,
) -> Result<Vec<String>, String> {
    // Two things are remembered: the code fitted to a style, and the printed code before it is fitted. Printing depends
    // only on the quote, and files of one project differ in their indentation, semicolons and trailing commas more
    // often than in what they are given; parsing and printing the template costs most, fitting a pass over the text.
    // Looked up by a hash of the borrowed arguments and compared with them: a key built for each look-up copied and
    // hashed the whole template (a hundred lines for the secrets helper) with SipHash, for every file.
    struct Entry {
        source: String,
        renames: Vec<(String, String)>,
        vars: Vec<(String, String)>,
        quote: char,
        each: bool,
        /// `None` for the printed code, the style for the fitted code.
        style: Option<Style>,
        value: Result<Vec<String>, String>,
    }
    type Cache = std::sync::Mutex<rustc_hash::FxHashMap<u64, Vec<Entry>>>;
    static CACHE: std::sync::OnceLock<Cache> = std::sync::OnceLock::new();
    let hash = |fitted: Option<&Style>| {
        use std::hash::{Hash, Hasher};
        let mut h = rustc_hash::FxHasher::default();
        (source, renames, vars, style.quote, each, fitted).hash(&mut h);
        h.finish()
    };
    let same = |e: &Entry, fitted: Option<&Style>| {
        e.source == source
            && e.renames == renames
            && e.vars.len() == vars.len()
            && e.vars.iter().zip(vars).all(|((k, v), (k2, v2))| k == k2 && v == v2)
            && e.quote == style.quote
            && e.each == each
            && e.style.as_ref() == fitted
    };
    let cache = CACHE.get_or_init(Default::default);
    let find = |fitted: Option<&Style>, h: u64| -> Option<Result<Vec<String>, String>> {
        let cache = cache.lock().unwrap_or_else(|e| e.into_inner());
        cache.get(&h)?.iter().find(|e| same(e, fitted)).map(|e| e.value.clone())
    };
    let remember = |fitted: Option<&Style>, h: u64, value: &Result<Vec<String>, String>| {
        let mut cache = cache.lock().unwrap_or_else(|e| e.into_inner());
        // (Bounded: a project whose every file asks for different code gains nothing from it.)
        if cache.len() >= 8192 {
            cache.clear();
        }
        cache.entry(h).or_default().push(Entry {
            source: source.to_string(),
            renames: renames.to_vec(),
            vars: vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            quote: style.quote,
            each,
            style: fitted.cloned(),
            value: value.clone(),
        });
    };
    let fitted_hash = hash(Some(style));
    if let Some(found) = find(Some(style), fitted_hash) {
        return found;
    }
    let printed_hash = hash(None);
    let printed = find(None, printed_hash).unwrap_or_else(|| {
        let printed = template_renamed(source, renames, vars, style.quote).map(|items| match each {
            true => items.into_iter().map(|item| print_items(vec![item])).collect(),
            false => vec![print_items(items)],
        });
        remember(None, printed_hash, &printed);
        printed
    });
    let rendered = printed.map(|items| items.iter().map(|item| fit(item, style, "")).collect());
    remember(Some(style), fitted_hash, &rendered);
    rendered
}

/// A transform's code template (JavaScript text under `transforms/<id>/data.json`) made concrete: every identifier
/// `$name` is replaced by the expression `vars` gives for it (in a binding position, by that name), and every string
/// literal is written with the file's quote. Returns the module items, ready for [`print_items`] and [`fit`].
pub fn template(source: &str, vars: &[(&str, &str)], quote: char) -> Result<Vec<ModuleItem>, String> {
    template_renamed(source, &[], vars, quote)
}

/// [`template`], with the template's own names renamed first (`renames` holds `(name, new name)` pairs): a binding
/// the template imports under a name the file already uses gets an alias (`const { createClient: createRedisClient }
/// = require('redis')`, `import { RedisStore as ConnectRedisStore } from 'connect-redis'`), and every use of it the
/// new name. The `$name` values are filled in afterwards, so that names in them are never renamed.
pub fn template_renamed(
    source: &str,
    renames: &[(String, String)],
    vars: &[(&str, &str)],
    quote: char,
) -> Result<Vec<ModuleItem>, String> {
    let mut module = crate::parse::parse_snippet(source).map_err(|e| format!("template `{source}`: {e}"))?;
    if !renames.is_empty() {
        module.visit_mut_with(&mut Renamer { renames });
    }
    let mut exprs = Vec::new();
    for (name, value) in vars {
        let parsed = crate::parse::parse_snippet(&format!("({value});"))
            .map_err(|e| format!("template value `{value}`: {e}"))?;
        let expr = match parsed.body.into_iter().next() {
            Some(ModuleItem::Stmt(Stmt::Expr(ExprStmt { expr, .. }))) => match *expr {
                Expr::Paren(p) => p.expr,
                other => Box::new(other),
            },
            _ => return Err(format!("template value `{value}` is not an expression")),
        };
        exprs.push((format!("${name}"), (*value).to_string(), expr));
    }
    let mut filler = TemplateFiller { vars: exprs, quote, missing: None };
    module.visit_mut_with(&mut filler);
    if let Some(missing) = filler.missing {
        return Err(format!("template `{source}` uses {missing}, which has no value"));
    }
    Ok(module.body)
}

/// An expression written as JavaScript text (`process.env.NODE_ENV === 'production'`), printed in the file's style.
pub fn render_expr(source: &str, style: &Style) -> Result<String, String> {
    let items = template(source, &[], style.quote)?;
    Ok(fit(&print_items(items), &Style { semicolons: false, ..style.clone() }, "").trim_end_matches(';').to_string())
}

struct TemplateFiller {
    vars: Vec<(String, String, Box<Expr>)>,
    quote: char,
    missing: Option<String>,
}

impl TemplateFiller {
    fn lookup(&mut self, sym: &str) -> Option<&(String, String, Box<Expr>)> {
        if !sym.starts_with('$') {
            return None;
        }
        let found = self.vars.iter().position(|(n, _, _)| n == sym);
        if found.is_none() {
            self.missing = Some(sym.to_string());
        }
        found.map(|i| &self.vars[i])
    }
}

impl VisitMut for TemplateFiller {
    fn visit_mut_expr(&mut self, expr: &mut Expr) {
        if let Expr::Ident(id) = expr {
            let sym = id.sym.to_string();
            let quote = self.quote;
            if let Some((_, _, value)) = self.lookup(&sym) {
                // What a value brings into the new code (a default URL, `once('open', ...)` of a reuse rule's
                // expression, a string of the app's own that the value copies) is written with the file's quote too.
                let mut value = (**value).clone();
                value.visit_mut_with(&mut Requote { quote });
                *expr = value;
                return;
            }
        }
        expr.visit_mut_children_with(self);
    }

    fn visit_mut_ident(&mut self, id: &mut Ident) {
        let sym = id.sym.to_string();
        if let Some((_, text, _)) = self.lookup(&sym) {
            id.sym = text.as_str().into();
        }
    }

    fn visit_mut_prop(&mut self, prop: &mut Prop) {
        prop.visit_mut_children_with(self);
        // `{ pool: pool }` reads as `{ pool }` once the placeholder is filled in.
        if let Prop::KeyValue(kv) = prop {
            if let (PropName::Ident(key), Expr::Ident(value)) = (&kv.key, &*kv.value) {
                if key.sym == value.sym {
                    *prop = Prop::Shorthand(value.clone());
                }
            }
        }
    }

    fn visit_mut_str(&mut self, s: &mut Str) {
        let value = s.value.to_string_lossy().into_owned();
        *s = str_lit(&value, self.quote);
    }
}

/// Writes every plain string literal of a template's value with the file's quote. (A literal with an escape is left
/// as it is written: its text, not only its value, is kept.)
struct Requote {
    quote: char,
}

impl VisitMut for Requote {
    fn visit_mut_str(&mut self, s: &mut Str) {
        if s.raw.as_ref().is_some_and(|raw| raw.contains('\\')) {
            return;
        }
        let value = s.value.to_string_lossy().into_owned();
        *s = str_lit(&value, self.quote);
    }
}

/// Renames identifiers (bindings and their uses; never property names) in new code, keeping what an import or a
/// destructuring binds: a renamed `{ a }` becomes `{ a: b }` (`{ a as b }` in an import), a shorthand property
/// `{ a }` becomes `{ a: b }`.
struct Renamer<'a> {
    renames: &'a [(String, String)],
}

impl Renamer<'_> {
    fn new_name(&self, sym: &str) -> Option<&str> {
        self.renames.iter().find(|(old, _)| old == sym).map(|(_, new)| new.as_str())
    }
}

impl VisitMut for Renamer<'_> {
    fn visit_mut_ident(&mut self, id: &mut Ident) {
        if let Some(new) = self.new_name(&id.sym) {
            id.sym = new.into();
        }
    }

    fn visit_mut_import_named_specifier(&mut self, spec: &mut ImportNamedSpecifier) {
        if let Some(new) = self.new_name(&spec.local.sym) {
            if spec.imported.is_none() {
                spec.imported = Some(ModuleExportName::Ident(spec.local.clone()));
            }
            spec.local.sym = new.into();
        }
    }

    fn visit_mut_export_named_specifier(&mut self, spec: &mut ExportNamedSpecifier) {
        // `export { a }` keeps exporting `a` under its name.
        if let ModuleExportName::Ident(orig) = &mut spec.orig {
            if let Some(new) = self.new_name(&orig.sym) {
                if spec.exported.is_none() {
                    spec.exported = Some(ModuleExportName::Ident(orig.clone()));
                }
                orig.sym = new.into();
            }
        }
    }

    fn visit_mut_object_pat_prop(&mut self, prop: &mut ObjectPatProp) {
        if let ObjectPatProp::Assign(assign) = prop {
            if let Some(new) = self.new_name(&assign.key.sym) {
                let binding = Pat::Ident(BindingIdent { id: ident(new), type_ann: assign.key.type_ann.clone() });
                let value = match assign.value.take() {
                    Some(default) => {
                        let mut default = default;
                        default.visit_mut_with(self);
                        Pat::Assign(AssignPat { span: DUMMY_SP, left: Box::new(binding), right: default })
                    }
                    None => binding,
                };
                let key = PropName::Ident(IdentName { span: DUMMY_SP, sym: assign.key.sym.clone() });
                *prop = ObjectPatProp::KeyValue(KeyValuePatProp { key, value: Box::new(value) });
                return;
            }
        }
        prop.visit_mut_children_with(self);
    }

    fn visit_mut_prop(&mut self, prop: &mut Prop) {
        if let Prop::Shorthand(id) = prop {
            if let Some(new) = self.new_name(&id.sym) {
                let key = PropName::Ident(IdentName { span: DUMMY_SP, sym: id.sym.clone() });
                *prop = Prop::KeyValue(KeyValueProp { key, value: ident_expr(new) });
                return;
            }
        }
        prop.visit_mut_children_with(self);
    }
}

/// An identifier.
pub fn ident(name: &str) -> Ident {
    Ident::new(name.into(), DUMMY_SP, SyntaxContext::empty())
}

/// An identifier expression.
pub fn ident_expr(name: &str) -> Box<Expr> {
    Box::new(Expr::Ident(ident(name)))
}

/// A string literal written with the style's quote, or with the other one when that avoids escapes (`"'self'"`),
/// as Prettier does.
pub fn str_lit(value: &str, quote: char) -> Str {
    let other = if quote == '"' { '\'' } else { '"' };
    let quote = if value.contains(quote) && !value.contains(other) { other } else { quote };
    let mut raw = String::with_capacity(value.len() + 2);
    raw.push(quote);
    for c in value.chars() {
        match c {
            '\\' => raw.push_str("\\\\"),
            '\n' => raw.push_str("\\n"),
            '\r' => raw.push_str("\\r"),
            c if c == quote => {
                raw.push('\\');
                raw.push(c);
            }
            c => raw.push(c),
        }
    }
    raw.push(quote);
    Str { span: DUMMY_SP, value: value.into(), raw: Some(raw.into()) }
}

/// A string literal expression.
pub fn str_expr(value: &str, quote: char) -> Box<Expr> {
    Box::new(Expr::Lit(Lit::Str(str_lit(value, quote))))
}

/// `callee(args...)`.
pub fn call(callee: Box<Expr>, args: Vec<Box<Expr>>) -> Box<Expr> {
    Box::new(Expr::Call(CallExpr {
        span: DUMMY_SP,
        ctxt: SyntaxContext::empty(),
        callee: Callee::Expr(callee),
        args: args.into_iter().map(|expr| ExprOrSpread { spread: None, expr }).collect(),
        type_args: None,
    }))
}

/// `obj.prop`.
pub fn member(obj: Box<Expr>, prop: &str) -> Box<Expr> {
    Box::new(Expr::Member(MemberExpr {
        span: DUMMY_SP,
        obj,
        prop: MemberProp::Ident(IdentName { span: DUMMY_SP, sym: prop.into() }),
    }))
}

/// An expression statement.
pub fn expr_stmt(expr: Box<Expr>) -> Stmt {
    Stmt::Expr(ExprStmt { span: DUMMY_SP, expr })
}

/// `const name = require('module');` (or `var`/`let`, to match the file).
pub fn require_decl(name: &str, module: &str, quote: char, kind: VarDeclKind) -> Stmt {
    let init = call(ident_expr("require"), vec![str_expr(module, quote)]);
    Stmt::Decl(Decl::Var(Box::new(VarDecl {
        span: DUMMY_SP,
        ctxt: SyntaxContext::empty(),
        kind,
        declare: false,
        decls: vec![VarDeclarator {
            span: DUMMY_SP,
            name: Pat::Ident(BindingIdent { id: ident(name), type_ann: None }),
            init: Some(init),
            definite: false,
        }],
    })))
}

/// `import name from 'module';`
pub fn import_default(name: &str, module: &str, quote: char) -> ModuleItem {
    ModuleItem::ModuleDecl(ModuleDecl::Import(ImportDecl {
        span: DUMMY_SP,
        specifiers: vec![ImportSpecifier::Default(ImportDefaultSpecifier { span: DUMMY_SP, local: ident(name) })],
        src: Box::new(str_lit(module, quote)),
        type_only: false,
        with: None,
        phase: Default::default(),
    }))
}

/// An object literal from `(key, value)` pairs; keys that are not identifiers are quoted.
pub fn object(props: Vec<(String, Box<Expr>)>, quote: char) -> Box<Expr> {
    Box::new(Expr::Object(ObjectLit {
        span: DUMMY_SP,
        props: props
            .into_iter()
            .map(|(key, value)| {
                let key = if is_identifier(&key) {
                    PropName::Ident(IdentName { span: DUMMY_SP, sym: key.as_str().into() })
                } else {
                    PropName::Str(str_lit(&key, quote))
                };
                PropOrSpread::Prop(Box::new(Prop::KeyValue(KeyValueProp { key, value })))
            })
            .collect(),
    }))
}

/// `true`, `false`.
pub fn bool_expr(value: bool) -> Box<Expr> {
    Box::new(Expr::Lit(Lit::Bool(Bool { span: DUMMY_SP, value })))
}

/// `null`.
pub fn null_expr() -> Box<Expr> {
    Box::new(Expr::Lit(Lit::Null(Null { span: DUMMY_SP })))
}

/// An array literal of string literals.
pub fn string_array(values: &[String], quote: char) -> Box<Expr> {
    Box::new(Expr::Array(ArrayLit {
        span: DUMMY_SP,
        elems: values.iter().map(|v| Some(ExprOrSpread { spread: None, expr: str_expr(v, quote) })).collect(),
    }))
}

/// `values` as an array of strings with, at its end, `...(process.env.NODE_ENV === 'production' ? [] : [dev...])`:
/// sources a policy needs outside production only.
pub fn string_array_with_dev(values: &[String], dev: &[String], quote: char) -> Box<Expr> {
    let test = Box::new(Expr::Bin(swc_ecma_ast::BinExpr {
        span: DUMMY_SP,
        op: swc_ecma_ast::BinaryOp::EqEqEq,
        left: member(member(ident_expr("process"), "env"), "NODE_ENV"),
        right: str_expr("production", quote),
    }));
    let choice = Box::new(Expr::Cond(swc_ecma_ast::CondExpr {
        span: DUMMY_SP,
        test,
        cons: string_array(&[], quote),
        alt: string_array(dev, quote),
    }));
    let spread = ExprOrSpread {
        spread: Some(DUMMY_SP),
        expr: Box::new(Expr::Paren(swc_ecma_ast::ParenExpr { span: DUMMY_SP, expr: choice })),
    };
    let mut elems: Vec<Option<ExprOrSpread>> =
        values.iter().map(|v| Some(ExprOrSpread { spread: None, expr: str_expr(v, quote) })).collect();
    elems.push(Some(spread));
    Box::new(Expr::Array(ArrayLit { span: DUMMY_SP, elems }))
}

/// Whether `name` can be written as a bare identifier.
pub fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == '$')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arrows_are_spaced_outside_literals() {
        assert_eq!(space_arrows("f((err)=>g(err), '=>', `a=>${b}`)"), "f((err) => g(err), '=>', `a=>${b}`)");
        assert_eq!(space_arrows("x.on('e', ()=>{\n    y();\n})"), "x.on('e', () => {\n    y();\n})");
    }

    fn style(quote: char, semicolons: bool, indent: &str, eol: &'static str) -> Style {
        Style {
            quote,
            semicolons,
            indent_unit: indent.into(),
            eol,
            trailing_commas: false,
            es5: false,
            era_unknown: false,
        }
    }

    #[test]
    fn require_in_each_style() {
        let s = style('\'', true, "  ", "\n");
        assert_eq!(
            print_stmt(require_decl("helmet", "helmet", '\'', VarDeclKind::Const), &s, ""),
            "const helmet = require('helmet');"
        );
        let s = style('"', false, "  ", "\n");
        assert_eq!(
            print_stmt(require_decl("helmet", "helmet", '"', VarDeclKind::Var), &s, ""),
            "var helmet = require(\"helmet\")"
        );
    }

    #[test]
    fn templates_fill_names_and_quotes() {
        let items = template(
            "const $client = createClient({ url: process.env.REDIS_URL || \"redis://localhost:6379\" });",
            &[("client", "redisClient")],
            '\'',
        )
        .expect("template");
        assert_eq!(
            fit(&print_items(items), &Style::default(), ""),
            "const redisClient = createClient({\n  url: process.env.REDIS_URL || 'redis://localhost:6379'\n});"
        );
        let items = template("new PgStore({ pool: $pool })", &[("pool", "db.pool")], '"').expect("template");
        assert_eq!(fit(&print_items(items), &Style::default(), ""), "new PgStore({ pool: db.pool });");
        assert!(template("f($nope)", &[], '\'').is_err());
        let items = template("new PgStore({ pool: $pool })", &[("pool", "pool")], '\'').expect("template");
        assert_eq!(fit(&print_items(items), &Style::default(), ""), "new PgStore({ pool });");
    }

    #[test]
    fn renamed_templates_alias_what_they_import() {
        let renames = vec![
            ("createClient".to_string(), "createRedisClient".to_string()),
            ("RedisStore".to_string(), "ConnectRedisStore".to_string()),
            ("client".to_string(), "redisClient2".to_string()),
        ];
        let print = |source: &str, vars: &[(&str, &str)]| {
            let items = template_renamed(source, &renames, vars, '\'').expect("template");
            fit(&print_items(items), &Style::default(), "")
        };
        assert_eq!(
            print("const { createClient } = require('redis');", &[]),
            "const { createClient: createRedisClient } = require('redis');"
        );
        assert_eq!(
            print("import { RedisStore } from 'connect-redis';", &[]),
            "import { RedisStore as ConnectRedisStore } from 'connect-redis';"
        );
        assert_eq!(
            print("import { RedisStore as R } from 'connect-redis';", &[]),
            "import { RedisStore as R } from 'connect-redis';"
        );
        assert_eq!(print("import createClient from 'redis';", &[]), "import createRedisClient from 'redis';");
        // Property names stay; the values filled in afterwards are never renamed.
        assert_eq!(
            print("new RedisStore({ client: $client, createClient: x.createClient })", &[("client", "client")]),
            "new ConnectRedisStore({ client, createClient: x.createClient });"
        );
        assert_eq!(
            print("const $c = createClient({ client });", &[("c", "redisClient")]),
            "const redisClient = createRedisClient({ client: redisClient2 });"
        );
        assert_eq!(
            print("const { createClient = f } = require('redis');", &[]),
            "const { createClient: createRedisClient = f } = require('redis');"
        );
    }

    #[test]
    fn import_default_prints() {
        let s = Style::default();
        assert_eq!(print_item(import_default("helmet", "helmet", '\''), &s), "import helmet from 'helmet';");
    }

    #[test]
    fn trailing_commas_go_after_the_last_element_of_literals_only() {
        let printed = "app.use(session({\n    store: new PgStore({\n        conString: url,\n        createTableIfMissing: true\n    }),\n    list: [\n        a,\n        b\n    ]\n}));\nfunction f() {\n    return {\n        x: 1\n    };\n}\nif (x) {\n    y();\n}\nconst {\n    a\n} = require('m');";
        let expected = "app.use(session({\n    store: new PgStore({\n        conString: url,\n        createTableIfMissing: true,\n    }),\n    list: [\n        a,\n        b,\n    ],\n}));\nfunction f() {\n    return {\n        x: 1,\n    };\n}\nif (x) {\n    y();\n}\nconst {\n    a\n} = require('m');";
        assert_eq!(add_trailing_commas(printed), expected);
        assert_eq!(add_trailing_commas("f({});"), "f({});");
    }

    #[test]
    fn nested_objects_follow_indent_and_eol() {
        let s = style('"', true, "\t", "\r\n");
        let directives = object(vec![("scriptSrc".into(), string_array(&["'self'".into()], '"'))], '"');
        let opts =
            object(vec![("contentSecurityPolicy".into(), object(vec![("directives".into(), directives)], '"'))], '"');
        let stmt = expr_stmt(call(member(ident_expr("app"), "use"), vec![call(ident_expr("helmet"), vec![opts])]));
        let printed = print_stmt(stmt, &s, "\t");
        assert!(printed.starts_with("app.use(helmet({\r\n\t\tcontentSecurityPolicy: {"), "{printed:?}");
        assert!(printed.contains("scriptSrc: [\r\n") || printed.contains("scriptSrc: ["), "{printed:?}");
        assert!(printed.contains("\"'self'\""), "{printed:?}");
        assert_eq!(str_lit("'self'", '\'').raw.as_deref(), Some("\"'self'\""));
        assert_eq!(str_lit("it's \"x\"", '\'').raw.as_deref(), Some("'it\\'s \"x\"'"));
        assert!(printed.ends_with("}));"), "{printed:?}");
        assert!(!printed.replace("\r\n", "").contains('\n'));
    }

    #[test]
    fn es5_files_get_var_functions_and_joined_strings() {
        let es5 = |printed: &str| to_es5(printed, '\'').unwrap_or_else(|| printed.to_string());
        assert_eq!(es5("const a = `${b}/x`;"), "var a = b + '/x';");
        // (A value first and then another value: a string first, so that the two are not added as numbers.)
        assert_eq!(es5("let a = `${b}${c}`;"), "var a = '' + b + c;");
        assert_eq!(es5("f(`n=${a ? 1 : 2}`);"), "f('n=' + (a ? 1 : 2));");
        assert_eq!(es5("x.on('e', (err) => log(err));"), "x.on('e', function (err) {\n    return log(err);\n});");
        assert_eq!(es5("o = { key, b: 1 };"), "o = {\n    key: key,\n    b: 1\n};");
        // (`this` in an arrow is the enclosing one's: a function would change it.)
        assert_eq!(es5("x.on('e', () => this.close());"), "x.on('e', () => this.close());");
        assert_eq!(es5("const n = `${a}`.length;"), "var n = ('' + a).length;");
        assert_eq!(
            es5("const { createClient } = require('redis');"),
            "var createClient = require('redis').createClient;"
        );
        assert_eq!(es5("var { a, b: c } = x.y;"), "var a = x.y.a, c = x.y.b;");
        // (A call other than require's would run twice; a default or a rest has no one-line ES5 form.)
        assert_eq!(es5("var { a, b } = f();"), "var { a, b } = f();");
        assert_eq!(es5("var { a = 1 } = x;"), "var { a = 1 } = x;");
        assert_eq!(es5("f({ mode: 0o700 }, 0b11);"), "f({\n    mode: parseInt('700', 8)\n}, parseInt('11', 2));");
        assert_eq!(
            es5("c = d({ s: { ...a.options?.socket, r: 1 } });"),
            "c = d({\n    s: Object.assign({}, a.options && a.options.socket, {\n        r: 1\n    })\n});"
        );
    }
}
