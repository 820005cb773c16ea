//! The strings a file's names hold where its code shows them: after `const host = 'localhost'` and
//! `const port = 3000`, `` `http://${host}:${port}` `` and `'http://' + host + ':' + port` are both
//! `http://localhost:3000` ([`StringConsts::fold`]).
//!
//! A name counts only when the file binds it once (a second declaration, a parameter or an assignment of the same
//! name anywhere makes it unknown), and only where that binding is visible: a value the code does not surely show is
//! never guessed.

use std::collections::HashMap;
use std::ops::Range;

use swc_ecma_ast::{
    ArrowExpr, BinaryOp, BindingIdent, BlockStmt, ClassDecl, Expr, FnDecl, ForInStmt, ForOfStmt, ForStmt, Function,
    IdentName, ImportDefaultSpecifier, ImportNamedSpecifier, ImportStarAsSpecifier, Lit, MemberExpr, MemberProp,
    ObjectPatProp, Pat, Program, PropName, VarDecl, VarDeclKind,
};
use swc_ecma_visit::{Visit, VisitWith};

use crate::bindings::unwrap;
use crate::parse::range_of;

/// How deep a chain of names is followed (`const a = b`, `const b = c`, ...).
const MAX_DEPTH: usize = 16;

/// The bindings of one file, by name ([`StringConsts::of`]).
#[derive(Debug, Default)]
pub struct StringConsts {
    /// Each name's only binding; `None` when the file binds the name more than once.
    names: HashMap<String, Option<Binding>>,
}

/// A name's only binding in the file.
#[derive(Debug)]
struct Binding {
    /// Declared `const`: the name holds its initialiser's value wherever it is visible.
    constant: bool,
    /// What it is bound to: a declarator's initialiser, or for a property destructured from an object
    /// (`const { origin } = req.headers`) that property of it (`req.headers.origin`); `None` for a parameter, a
    /// function, a class, an import, a binding with a default.
    init: Option<Box<Expr>>,
    /// The bytes where the name is visible: the block of a `const` or `let`, the function of a `var` or a parameter,
    /// the file for an import.
    scope: Range<usize>,
}

/// A folded value: JavaScript adds two numbers, and joins a string with anything.
enum Folded {
    Str(String),
    Num(f64),
}

impl Folded {
    fn into_string(self) -> Option<String> {
        match self {
            Folded::Str(s) => Some(s),
            // (Integers only: JavaScript's text of other numbers, `1e21`, `0.1 + 0.2`, is not worth copying.)
            Folded::Num(n) if n.fract() == 0.0 && n.abs() < 1e15 => Some(format!("{}", n as i64)),
            Folded::Num(_) => None,
        }
    }
}

impl StringConsts {
    /// The bindings of `program`.
    #[must_use]
    pub fn of(program: &Program) -> StringConsts {
        let mut collector = Collector { found: StringConsts::default(), blocks: Vec::new(), functions: Vec::new() };
        let whole = range_of(program);
        collector.blocks.push(whole.clone());
        collector.functions.push(whole);
        program.visit_with(&mut collector);
        collector.found
    }

    /// The string `expr` surely is: a string or number literal, a template literal or a `+` of such parts, a `const`
    /// of the file initialised with one; `None` for anything computed at run time.
    #[must_use]
    pub fn fold(&self, expr: &Expr) -> Option<String> {
        self.folded(expr, 0)?.into_string()
    }

    /// What `name`, read at byte `at`, was bound to when the file binds it once and that binding is visible there
    /// ([`Binding::init`]), `const` or not.
    #[must_use]
    pub fn init_of(&self, name: &str, at: usize) -> Option<&Expr> {
        self.binding(name, at)?.init.as_deref()
    }

    fn binding(&self, name: &str, at: usize) -> Option<&Binding> {
        self.names.get(name)?.as_ref().filter(|b| b.scope.start <= at && at <= b.scope.end)
    }

    fn folded(&self, expr: &Expr, depth: usize) -> Option<Folded> {
        if depth > MAX_DEPTH {
            return None;
        }
        match unwrap(expr) {
            Expr::Lit(Lit::Str(s)) => Some(Folded::Str(s.value.to_string_lossy().into_owned())),
            Expr::Lit(Lit::Num(n)) => Some(Folded::Num(n.value)),
            Expr::Tpl(t) => {
                let mut text = String::new();
                for (i, quasi) in t.quasis.iter().enumerate() {
                    text.push_str(&quasi.cooked.as_ref()?.to_string_lossy());
                    if let Some(part) = t.exprs.get(i) {
                        text.push_str(&self.folded(part, depth + 1)?.into_string()?);
                    }
                }
                Some(Folded::Str(text))
            }
            Expr::Bin(bin) if bin.op == BinaryOp::Add => {
                match (self.folded(&bin.left, depth + 1)?, self.folded(&bin.right, depth + 1)?) {
                    (Folded::Num(a), Folded::Num(b)) => Some(Folded::Num(a + b)),
                    (left, right) => Some(Folded::Str(left.into_string()? + &right.into_string()?)),
                }
            }
            Expr::Ident(id) => {
                let binding = self.binding(id.sym.as_str(), range_of(id).start)?;
                if !binding.constant {
                    return None;
                }
                self.folded(binding.init.as_deref()?, depth + 1)
            }
            _ => None,
        }
    }
}

struct Collector {
    found: StringConsts,
    /// The blocks around the node visited, innermost last (the file first).
    blocks: Vec<Range<usize>>,
    /// The functions around it, innermost last (the file first).
    functions: Vec<Range<usize>>,
}

impl Collector {
    fn bind(&mut self, name: &str, binding: Binding) {
        self.found.names.entry(name.to_string()).and_modify(|seen| *seen = None).or_insert(Some(binding));
    }

    fn block(&self) -> Range<usize> {
        self.blocks.last().cloned().unwrap_or_default()
    }

    fn function(&self) -> Range<usize> {
        self.functions.last().cloned().unwrap_or_default()
    }

    fn within<T: VisitWith<Self> + ?Sized>(&mut self, range: Range<usize>, function: bool, node: &T) {
        self.blocks.push(range.clone());
        if function {
            self.functions.push(range);
        }
        node.visit_children_with(self);
        self.blocks.pop();
        if function {
            self.functions.pop();
        }
    }
}

/// Every name a pattern binds.
fn pattern_names(pat: &Pat) -> Vec<String> {
    struct Names(Vec<String>);
    impl Visit for Names {
        fn visit_binding_ident(&mut self, id: &BindingIdent) {
            self.0.push(id.id.sym.to_string());
        }
        // (A default's or a computed key's expression binds nothing of the pattern.)
        fn visit_expr(&mut self, _: &Expr) {}
    }
    let mut names = Names(Vec::new());
    pat.visit_with(&mut names);
    names.0
}

impl Visit for Collector {
    fn visit_block_stmt(&mut self, block: &BlockStmt) {
        self.within(range_of(block), false, block);
    }

    fn visit_for_stmt(&mut self, stmt: &ForStmt) {
        self.within(range_of(stmt), false, stmt);
    }

    fn visit_for_in_stmt(&mut self, stmt: &ForInStmt) {
        self.within(range_of(stmt), false, stmt);
    }

    fn visit_for_of_stmt(&mut self, stmt: &ForOfStmt) {
        self.within(range_of(stmt), false, stmt);
    }

    fn visit_function(&mut self, function: &Function) {
        self.within(range_of(function), true, function);
    }

    fn visit_arrow_expr(&mut self, arrow: &ArrowExpr) {
        self.within(range_of(arrow), true, arrow);
    }

    fn visit_var_decl(&mut self, var: &VarDecl) {
        let constant = var.kind == VarDeclKind::Const;
        let scope = if var.kind == VarDeclKind::Var { self.function() } else { self.block() };
        for decl in &var.decls {
            match (&decl.name, &decl.init) {
                (Pat::Ident(name), init) => {
                    self.bind(&name.id.sym, Binding { constant, init: init.clone(), scope: scope.clone() });
                }
                (Pat::Object(object), Some(init)) => {
                    for prop in &object.props {
                        // (`{ origin }` and `{ origin: o }` are `init.origin`; a default, a computed key, a nested
                        // pattern or the rest bind what the code does not show.)
                        let (name, key) = match prop {
                            ObjectPatProp::Assign(a) if a.value.is_none() => {
                                (a.key.id.sym.to_string(), Some(&a.key.id.sym))
                            }
                            ObjectPatProp::KeyValue(kv) => match (&*kv.value, &kv.key) {
                                (Pat::Ident(name), PropName::Ident(key)) => (name.id.sym.to_string(), Some(&key.sym)),
                                (Pat::Ident(name), PropName::Str(key)) => {
                                    let key = key.value.to_string_lossy();
                                    let member = member(init, &key);
                                    self.bind(
                                        &name.id.sym,
                                        Binding { constant, init: Some(member), scope: scope.clone() },
                                    );
                                    continue;
                                }
                                _ => {
                                    for name in pattern_names(&kv.value) {
                                        self.bind(&name, Binding { constant, init: None, scope: scope.clone() });
                                    }
                                    continue;
                                }
                            },
                            ObjectPatProp::Assign(a) => (a.key.id.sym.to_string(), None),
                            ObjectPatProp::Rest(rest) => {
                                for name in pattern_names(&rest.arg) {
                                    self.bind(&name, Binding { constant, init: None, scope: scope.clone() });
                                }
                                continue;
                            }
                        };
                        let init = key.map(|key| member(init, key));
                        self.bind(&name, Binding { constant, init, scope: scope.clone() });
                    }
                }
                (pattern, _) => {
                    for name in pattern_names(pattern) {
                        self.bind(&name, Binding { constant, init: None, scope: scope.clone() });
                    }
                }
            }
            // (Not the names again: they are bound above.)
            decl.init.visit_with(self);
            if let Pat::Object(object) = &decl.name {
                for prop in &object.props {
                    if let ObjectPatProp::Assign(a) = prop {
                        a.value.visit_with(self);
                    }
                }
            }
        }
    }

    fn visit_binding_ident(&mut self, id: &BindingIdent) {
        // (A parameter, a catch clause's, an assignment's target: nothing the code shows for sure.)
        let scope = self.function();
        self.bind(&id.id.sym, Binding { constant: false, init: None, scope });
    }

    fn visit_fn_decl(&mut self, f: &FnDecl) {
        let scope = self.block();
        self.bind(&f.ident.sym, Binding { constant: false, init: None, scope });
        f.function.visit_with(self);
    }

    fn visit_class_decl(&mut self, c: &ClassDecl) {
        let scope = self.block();
        self.bind(&c.ident.sym, Binding { constant: false, init: None, scope });
        c.class.visit_with(self);
    }

    fn visit_import_default_specifier(&mut self, s: &ImportDefaultSpecifier) {
        let scope = self.function();
        self.bind(&s.local.sym, Binding { constant: false, init: None, scope });
    }

    fn visit_import_named_specifier(&mut self, s: &ImportNamedSpecifier) {
        let scope = self.function();
        self.bind(&s.local.sym, Binding { constant: false, init: None, scope });
    }

    fn visit_import_star_as_specifier(&mut self, s: &ImportStarAsSpecifier) {
        let scope = self.function();
        self.bind(&s.local.sym, Binding { constant: false, init: None, scope });
    }
}

/// `object.key` as an expression.
fn member(object: &Expr, key: &str) -> Box<Expr> {
    Box::new(Expr::Member(MemberExpr {
        span: swc_common::DUMMY_SP,
        obj: Box::new(object.clone()),
        prop: MemberProp::Ident(IdentName::new(key.into(), swc_common::DUMMY_SP)),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceFile;

    /// The fold of the argument of the file's last `use(...)` call.
    fn fold(code: &str) -> Option<String> {
        let file = SourceFile::new("a.js".into(), code.to_string());
        let program = crate::parse::parse(&file, &file.code).expect("parses").program;
        struct Last(Option<Box<Expr>>);
        impl Visit for Last {
            fn visit_call_expr(&mut self, call: &swc_ecma_ast::CallExpr) {
                if let swc_ecma_ast::Callee::Expr(callee) = &call.callee {
                    if matches!(&**callee, Expr::Ident(id) if id.sym == *"use") {
                        self.0 = call.args.first().map(|a| a.expr.clone());
                    }
                }
                call.visit_children_with(self);
            }
        }
        let mut last = Last(None);
        program.visit_with(&mut last);
        StringConsts::of(&program).fold(&last.0.expect("a use(...) call"))
    }

    #[test]
    fn constants_are_folded_where_they_are_visible() {
        let folded = |code: &str| fold(code);
        assert_eq!(folded("use('a' + 'b');"), Some("ab".into()));
        assert_eq!(folded("const h = 'x'; const p = 3000; use(`http://${h}:${p}`);"), Some("http://x:3000".into()));
        assert_eq!(
            folded("const h = 'x'; const p = 3000; use('http://' + h + ':' + p);"),
            Some("http://x:3000".into())
        );
        assert_eq!(folded("use(1 + 2 + 'a');"), Some("3a".into()));
        assert_eq!(folded("const a = 'x'; const b = a + '/'; use((b));"), Some("x/".into()));
        assert_eq!(folded("if (x) { const h = 'x'; f(() => use(`${h}`)); }"), Some("x".into()));
        // Not visible there, bound twice, not const, computed, a parameter of the same name: unknown.
        assert_eq!(folded("if (x) { const h = 'x'; } use(`${h}`);"), None);
        assert_eq!(folded("const h = 'x'; function f(h) { use(h); }"), None);
        assert_eq!(folded("let h = 'x'; use(h);"), None);
        assert_eq!(folded("const h = 'x'; h = 'y'; use(h);"), None);
        assert_eq!(folded("const h = config.host; use(`${h}`);"), None);
        assert_eq!(folded("use(0.1 + 0.2 + '');"), None);
        assert_eq!(folded("const { h } = { h: 'x' }; use(h);"), None);
    }
}
