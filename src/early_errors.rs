//! The early errors Node reports that swc's parser does not: a name declared twice in one scope (`let`, `const`,
//! `class`, imports, and functions where they are lexical), a lexical name that clashes with a `var` or a function
//! of the same scope (or a `var` hoisted through it from a nested block), a parameter redeclared by the body's
//! `let` (in a CommonJS file, the parameters of Node's module wrapper: `const require = ...`), and a name exported
//! twice. The pipeline checks every rewritten file with it: a file Node would refuse to
//! load is never written.
//!
//! The rules are ECMAScript's static semantics as V8 applies them (every case of the unit tests was checked with
//! `node --check`, and `tests/early_errors.rs` checks them again): in sloppy scripts, functions declared twice in
//! one block are allowed (Annex B), and so is a `var` named like a simple `catch` parameter. TypeScript's types,
//! interfaces, enums, namespaces, ambient (`declare`) declarations, overload signatures and type-only imports and
//! exports bind no value here: declaration merging is TypeScript's business, not Node's.

use std::fmt;

use rustc_hash::FxHashMap as HashMap;
use swc_atoms::Atom;
use swc_ecma_ast::*;
use swc_ecma_visit::{Visit, VisitWith};

use crate::parse::range_of;

/// What is wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EarlyErrorKind {
    /// `Identifier 'x' has already been declared`.
    Redeclared,
    /// `Duplicate export of 'x'`.
    DuplicateExport,
}

/// One early error: the name, and where it is declared (or exported) the second time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EarlyError {
    /// Which rule is broken.
    pub kind: EarlyErrorKind,
    /// The name declared or exported twice.
    pub name: String,
    /// Byte offset of the second declaration (or export).
    pub at: usize,
}

impl fmt::Display for EarlyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            EarlyErrorKind::Redeclared => write!(f, "`{}` is declared twice in the same scope", self.name),
            EarlyErrorKind::DuplicateExport => write!(f, "`{}` is exported twice", self.name),
        }
    }
}

/// The parameters of the function Node wraps a CommonJS file in: a `let` or `const` at the top level of the file
/// cannot redeclare them.
pub const COMMONJS_PARAMETERS: [&str; 5] = ["exports", "require", "module", "__filename", "__dirname"];

/// How to read the program.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Mode {
    /// An ES module (strict; top-level functions are lexical, imports and exports count), whatever swc made of it.
    pub module: bool,
    /// TypeScript: type-level declarations bind no value.
    pub typescript: bool,
}

/// The early errors of a program, in source order of their second declaration.
pub fn check(program: &Program, mode: Mode) -> Vec<EarlyError> {
    check_spliced(program, &[], mode).unwrap_or_default()
}

/// The early errors of `program` with the top-level statements of other programs in it (`inserted`: each before the
/// top-level item of that index, in order of the indexes), as if they had been parsed where they stand. Each
/// inserted program must be of the kind of `program` (a module's items in a module, a script's statements in a
/// script); `None` when one is not, or an index is past the end. The offsets of errors in inserted code are its own.
pub fn check_spliced(program: &Program, inserted: &[(usize, &Program)], mode: Mode) -> Option<Vec<EarlyError>> {
    // (Each piece in order: visiting a list of items visits each in turn, so the pieces are checked as one list.)
    let mut order: Vec<(usize, &Program)> = inserted.to_vec();
    order.sort_by_key(|(at, _)| *at);
    let bodies = match program {
        Program::Module(m) => Bodies::Module(spliced(&m.body, &order, |other| match other {
            Program::Module(other) => Some(&other.body[..]),
            Program::Script(_) => None,
        })?),
        Program::Script(s) => Bodies::Script(spliced(&s.body, &order, |other| match other {
            Program::Script(other) => Some(&other.body[..]),
            Program::Module(_) => None,
        })?),
    };
    let strict = match program {
        Program::Module(_) => true,
        Program::Script(s) => mode.module || has_use_strict(&s.body),
    };
    Some(check_bodies(bodies, mode, strict).0)
}

/// What top-level statements declare in the program's own scope, name by name: how many lexical declarations (`let`,
/// `const`, `class`, imports, functions where they are lexical) and how many var-like ones (`var`, hoisted from blocks
/// too, and functions where they are var-like); and how many times each name is exported. A name whose counts do
/// not grow cannot clash anew there: a clash is two lexical declarations of a name, or one and a var-like one.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct TopNames {
    /// Lexical and var-like declarations, by name.
    pub declared: HashMap<Atom, (u32, u32)>,
    /// Exports, by exported name.
    pub exported: HashMap<String, u32>,
}

/// The early errors of the top-level statements of `pieces` checked as one program's statements, in order, and what
/// they declare at its top level. Every piece must be of one kind (a module's items, or a script's statements):
/// `None` when they are not. `strict`: whether the program the pieces belong to is strict (a module, or a script
/// with a `'use strict'` directive). The offsets of errors are those of the piece they are in.
pub fn check_pieces(pieces: &[&Program], mode: Mode, strict: bool) -> Option<(Vec<EarlyError>, TopNames)> {
    let bodies = if pieces.iter().all(|p| matches!(p, Program::Module(_))) {
        Bodies::Module(
            pieces
                .iter()
                .map(|p| match p {
                    Program::Module(m) => &m.body[..],
                    Program::Script(_) => &[],
                })
                .collect(),
        )
    } else if pieces.iter().all(|p| matches!(p, Program::Script(_))) {
        Bodies::Script(
            pieces
                .iter()
                .map(|p| match p {
                    Program::Script(s) => &s.body[..],
                    Program::Module(_) => &[],
                })
                .collect(),
        )
    } else {
        return None;
    };
    Some(check_bodies(bodies, mode, strict))
}

/// A program's top-level statements in pieces.
enum Bodies<'a> {
    Module(Vec<&'a [ModuleItem]>),
    Script(Vec<&'a [Stmt]>),
}

fn check_bodies(bodies: Bodies<'_>, mode: Mode, strict: bool) -> (Vec<EarlyError>, TopNames) {
    let module = mode.module || matches!(bodies, Bodies::Module(_));
    let mut checker =
        Checker { frames: Vec::new(), errors: Vec::new(), typescript: mode.typescript, exports: Vec::new() };
    match bodies {
        Bodies::Module(pieces) => {
            checker.push(Kind::Var { module: true }, true);
            for item in pieces.into_iter().flatten() {
                checker.exported(item);
                item.visit_with(&mut checker);
            }
        }
        Bodies::Script(pieces) => {
            checker.push(Kind::Var { module }, module || strict);
            if !module {
                // Node runs a CommonJS file as the body of a function with these parameters.
                if let Some(frame) = checker.frames.last_mut() {
                    frame.params = COMMONJS_PARAMETERS.iter().map(|p| (Atom::from(*p), 0)).collect();
                }
            }
            for stmt in pieces.into_iter().flatten() {
                stmt.visit_with(&mut checker);
            }
        }
    }
    let mut top = TopNames::default();
    if let Some(frame) = checker.frames.last() {
        for d in &frame.lexical {
            top.declared.entry(d.name.clone()).or_default().0 += 1;
        }
        for (name, _) in &frame.vars {
            top.declared.entry(name.clone()).or_default().1 += 1;
        }
    }
    checker.pop();
    let mut seen: Vec<&str> = Vec::new();
    for (name, at) in &checker.exports {
        *top.exported.entry(name.clone()).or_default() += 1;
        if seen.contains(&name.as_str()) {
            checker.errors.push(EarlyError { kind: EarlyErrorKind::DuplicateExport, name: name.clone(), at: *at });
        } else {
            seen.push(name);
        }
    }
    checker.errors.sort_by_key(|e| e.at);
    (checker.errors, top)
}

/// `body` in pieces with the bodies of `order`'s programs between them (each before the item of its index; `order`
/// sorted by index), as `body_of` gives them; `None` when one has none or an index is past the end.
fn spliced<'a, T>(
    body: &'a [T],
    order: &[(usize, &'a Program)],
    body_of: impl Fn(&'a Program) -> Option<&'a [T]>,
) -> Option<Vec<&'a [T]>> {
    let mut pieces = Vec::with_capacity(2 * order.len() + 1);
    let mut from = 0;
    for &(at, other) in order {
        pieces.push(body.get(from..at)?);
        pieces.push(body_of(other)?);
        from = at;
    }
    pieces.push(body.get(from..)?);
    Some(pieces)
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Kind {
    /// A function body, a class static block, a TypeScript namespace or the whole program: where `var` stops.
    Var { module: bool },
    /// A block, a `switch`'s cases, a `for` head.
    Block,
    /// A `catch` block, with the names its parameter binds and whether the parameter is a plain identifier.
    Catch { params: Vec<(Atom, usize)>, simple: bool },
}

/// A declaration: its name, where, and whether a function declaration made it (Annex B lets sloppy blocks repeat
/// those).
#[derive(Debug, Clone)]
struct Declared {
    name: Atom,
    at: usize,
    function: bool,
}

#[derive(Debug)]
struct Frame {
    kind: Kind,
    strict: bool,
    /// Parameters of the function whose body this is.
    params: Vec<(Atom, usize)>,
    /// `let`, `const`, `class`, imports, and functions where they are lexical.
    lexical: Vec<Declared>,
    /// `var` names declared in this scope or hoisted through it, and functions where they are var-like.
    vars: Vec<(Atom, usize)>,
}

struct Checker {
    frames: Vec<Frame>,
    errors: Vec<EarlyError>,
    typescript: bool,
    /// Exported names, in order.
    exports: Vec<(String, usize)>,
}

impl Checker {
    fn push(&mut self, kind: Kind, strict: bool) {
        self.frames.push(Frame { kind, strict, params: Vec::new(), lexical: Vec::new(), vars: Vec::new() });
    }

    fn strict(&self) -> bool {
        self.frames.last().is_some_and(|f| f.strict)
    }

    fn redeclared(&mut self, name: &Atom, at: usize) {
        self.errors.push(EarlyError { kind: EarlyErrorKind::Redeclared, name: name.to_string(), at });
    }

    /// Closes the innermost scope and reports its clashes.
    fn pop(&mut self) {
        let Some(frame) = self.frames.pop() else { return };
        if frame.lexical.is_empty() {
            // (Most scopes, every block without a `let` among them: nothing can clash but a catch parameter.)
            self.catch_clashes(&frame);
            return;
        }
        let sloppy_block = !frame.strict && !matches!(frame.kind, Kind::Var { .. });
        // Linear in the scope's declarations (a file with tens of thousands of top-level `let`s is checked as fast as
        // it is parsed): the first `var`/parameter of each name, and whether all earlier lexical declarations of a
        // name were functions (sloppy-mode blocks allow repeated function declarations).
        let mut others: HashMap<&Atom, usize> = HashMap::default();
        let catch_params: &[(Atom, usize)] = match &frame.kind {
            Kind::Catch { params, .. } => params,
            _ => &[],
        };
        for (name, at) in frame.vars.iter().chain(&frame.params).chain(catch_params) {
            others.entry(name).or_insert(*at);
        }
        let mut earlier: HashMap<&Atom, bool> = HashMap::default();
        for d in &frame.lexical {
            let all_functions = earlier.get(&d.name).copied();
            earlier.insert(&d.name, all_functions.unwrap_or(true) && d.function);
            if let Some(all_functions) = all_functions {
                let annex_b = sloppy_block && d.function && all_functions;
                if !annex_b {
                    self.redeclared(&d.name, d.at);
                    continue;
                }
            }
            if let Some(other) = others.get(&d.name) {
                self.redeclared(&d.name, d.at.max(*other));
            }
        }
        self.catch_clashes(&frame);
    }

    /// A `var` that redeclares a destructured `catch` parameter.
    fn catch_clashes(&mut self, frame: &Frame) {
        if let Kind::Catch { params, simple: false } = &frame.kind {
            for (name, at) in &frame.vars {
                if params.iter().any(|(p, _)| p == name) {
                    self.redeclared(name, *at);
                }
            }
        }
    }

    fn lexical(&mut self, name: &Atom, at: usize, function: bool) {
        if let Some(frame) = self.frames.last_mut() {
            frame.lexical.push(Declared { name: name.clone(), at, function });
        }
    }

    /// A `var`: it belongs to the nearest function scope and passes through every block on the way.
    fn var(&mut self, name: &Atom, at: usize) {
        for frame in self.frames.iter_mut().rev() {
            frame.vars.push((name.clone(), at));
            if matches!(frame.kind, Kind::Var { .. }) {
                break;
            }
        }
    }

    /// A function declaration: var-like at the top of a function or script, lexical in blocks and at the top of a
    /// module.
    fn function(&mut self, name: &Atom, at: usize) {
        match self.frames.last().map(|f| &f.kind) {
            Some(Kind::Var { module: false }) => {
                if let Some(frame) = self.frames.last_mut() {
                    frame.vars.push((name.clone(), at));
                }
            }
            _ => self.lexical(name, at, true),
        }
    }

    /// Visits a function-like node: `params` bound in its own scope, `body` its statements.
    fn function_scope(&mut self, params: Vec<(Atom, usize)>, strict_body: bool, visit: impl FnOnce(&mut Self)) {
        let strict = self.strict() || strict_body;
        self.push(Kind::Var { module: false }, strict);
        if let Some(frame) = self.frames.last_mut() {
            frame.params = params;
        }
        visit(self);
        self.pop();
    }

    /// The names a top-level module item exports.
    fn exported(&mut self, item: &ModuleItem) {
        let ModuleItem::ModuleDecl(decl) = item else { return };
        let mut names: Vec<(String, usize)> = Vec::new();
        match decl {
            ModuleDecl::ExportDecl(ExportDecl { decl, .. }) => match decl {
                Decl::Var(v) if !v.declare => {
                    for d in &v.decls {
                        let mut found = Vec::new();
                        pat_names(&d.name, &mut found);
                        names.extend(found.into_iter().map(|(n, at)| (n.to_string(), at)));
                    }
                }
                Decl::Using(u) => {
                    for d in &u.decls {
                        let mut found = Vec::new();
                        pat_names(&d.name, &mut found);
                        names.extend(found.into_iter().map(|(n, at)| (n.to_string(), at)));
                    }
                }
                Decl::Fn(f) if !f.declare && f.function.body.is_some() => {
                    names.push((f.ident.sym.to_string(), range_of(&f.ident).start))
                }
                Decl::Class(c) if !c.declare => names.push((c.ident.sym.to_string(), range_of(&c.ident).start)),
                _ => {}
            },
            ModuleDecl::ExportNamed(named) if !named.type_only => {
                for spec in &named.specifiers {
                    match spec {
                        ExportSpecifier::Named(n) if !n.is_type_only => {
                            let name = n.exported.as_ref().unwrap_or(&n.orig);
                            names.push((export_name(name), range_of(name).start));
                        }
                        ExportSpecifier::Named(_) => {}
                        ExportSpecifier::Default(d) => {
                            names.push((d.exported.sym.to_string(), range_of(&d.exported).start))
                        }
                        ExportSpecifier::Namespace(n) => names.push((export_name(&n.name), range_of(&n.name).start)),
                    }
                }
            }
            ModuleDecl::ExportDefaultDecl(d) => {
                let value = match &d.decl {
                    DefaultDecl::Class(_) => true,
                    DefaultDecl::Fn(f) => f.function.body.is_some(),
                    DefaultDecl::TsInterfaceDecl(_) => false,
                };
                if value {
                    names.push(("default".to_string(), range_of(d).start));
                }
            }
            ModuleDecl::ExportDefaultExpr(e) => names.push(("default".to_string(), range_of(e).start)),
            ModuleDecl::TsImportEquals(i) if i.is_export && !i.is_type_only => {
                names.push((i.id.sym.to_string(), range_of(&i.id).start))
            }
            _ => {}
        }
        self.exports.extend(names);
    }
}

fn export_name(name: &ModuleExportName) -> String {
    match name {
        ModuleExportName::Ident(i) => i.sym.to_string(),
        ModuleExportName::Str(s) => s.value.to_string_lossy().into_owned(),
    }
}

/// Whether statements start with a `'use strict'` directive.
fn has_use_strict<'a>(stmts: impl IntoIterator<Item = &'a Stmt>) -> bool {
    for stmt in stmts {
        match stmt {
            Stmt::Expr(ExprStmt { expr, .. }) => match &**expr {
                Expr::Lit(Lit::Str(s)) => {
                    let raw = s.raw.as_deref().unwrap_or("");
                    if raw == "'use strict'" || raw == "\"use strict\"" {
                        return true;
                    }
                }
                _ => return false,
            },
            _ => return false,
        }
    }
    false
}

/// The names a binding pattern binds (TypeScript's `this` parameter binds none).
fn pat_names(pat: &Pat, out: &mut Vec<(Atom, usize)>) {
    match pat {
        Pat::Ident(id) if id.id.sym != *"this" => out.push((id.id.sym.clone(), range_of(&id.id).start)),
        Pat::Ident(_) | Pat::Expr(_) | Pat::Invalid(_) => {}
        Pat::Array(a) => a.elems.iter().flatten().for_each(|p| pat_names(p, out)),
        Pat::Object(o) => {
            for prop in &o.props {
                match prop {
                    ObjectPatProp::KeyValue(kv) => pat_names(&kv.value, out),
                    ObjectPatProp::Assign(a) => out.push((a.key.sym.clone(), range_of(&a.key).start)),
                    ObjectPatProp::Rest(r) => pat_names(&r.arg, out),
                }
            }
        }
        Pat::Assign(a) => pat_names(&a.left, out),
        Pat::Rest(r) => pat_names(&r.arg, out),
    }
}

fn params_of<'a>(pats: impl IntoIterator<Item = &'a Pat>) -> Vec<(Atom, usize)> {
    let mut out = Vec::new();
    for pat in pats {
        pat_names(pat, &mut out);
    }
    out
}

impl Visit for Checker {
    fn visit_var_decl(&mut self, v: &VarDecl) {
        if !(self.typescript && v.declare) {
            for d in &v.decls {
                let mut names = Vec::new();
                pat_names(&d.name, &mut names);
                for (name, at) in names {
                    match v.kind {
                        VarDeclKind::Var => self.var(&name, at),
                        VarDeclKind::Let | VarDeclKind::Const => self.lexical(&name, at, false),
                    }
                }
            }
        }
        v.visit_children_with(self);
    }

    fn visit_using_decl(&mut self, u: &UsingDecl) {
        for d in &u.decls {
            let mut names = Vec::new();
            pat_names(&d.name, &mut names);
            for (name, at) in names {
                self.lexical(&name, at, false);
            }
        }
        u.visit_children_with(self);
    }

    fn visit_fn_decl(&mut self, f: &FnDecl) {
        // Overload signatures and ambient declarations are types only.
        if !(f.declare || f.function.body.is_none()) {
            self.function(&f.ident.sym, range_of(&f.ident).start);
        }
        f.function.visit_with(self);
    }

    fn visit_class_decl(&mut self, c: &ClassDecl) {
        if !c.declare {
            self.lexical(&c.ident.sym, range_of(&c.ident).start, false);
        }
        c.class.visit_with(self);
    }

    fn visit_default_decl(&mut self, d: &DefaultDecl) {
        // `export default function f() {}` declares `f` in the module's scope.
        match d {
            DefaultDecl::Fn(FnExpr { ident: Some(id), function }) if function.body.is_some() => {
                self.lexical(&id.sym, range_of(id).start, true)
            }
            DefaultDecl::Class(ClassExpr { ident: Some(id), .. }) => self.lexical(&id.sym, range_of(id).start, false),
            _ => {}
        }
        d.visit_children_with(self);
    }

    fn visit_import_decl(&mut self, decl: &ImportDecl) {
        if decl.type_only {
            return;
        }
        for spec in &decl.specifiers {
            let local = match spec {
                ImportSpecifier::Named(n) if n.is_type_only => continue,
                ImportSpecifier::Named(n) => &n.local,
                ImportSpecifier::Default(d) => &d.local,
                ImportSpecifier::Namespace(n) => &n.local,
            };
            self.lexical(&local.sym, range_of(local).start, false);
        }
    }

    fn visit_ts_import_equals_decl(&mut self, decl: &TsImportEqualsDecl) {
        if !decl.is_type_only {
            self.lexical(&decl.id.sym, range_of(&decl.id).start, false);
        }
    }

    fn visit_function(&mut self, f: &Function) {
        let params = params_of(f.params.iter().map(|p| &p.pat));
        let strict = f.body.as_ref().is_some_and(|b| has_use_strict(&b.stmts));
        self.function_scope(params, strict, |this| {
            f.decorators.visit_with(this);
            f.params.visit_with(this);
            if let Some(body) = &f.body {
                body.stmts.visit_with(this);
            }
        });
    }

    fn visit_constructor(&mut self, c: &Constructor) {
        let mut params = Vec::new();
        for p in &c.params {
            match p {
                ParamOrTsParamProp::Param(p) => pat_names(&p.pat, &mut params),
                ParamOrTsParamProp::TsParamProp(p) => match &p.param {
                    TsParamPropParam::Ident(id) => params.push((id.id.sym.clone(), range_of(&id.id).start)),
                    TsParamPropParam::Assign(a) => pat_names(&a.left, &mut params),
                },
            }
        }
        let strict = c.body.as_ref().is_some_and(|b| has_use_strict(&b.stmts));
        self.function_scope(params, strict, |this| {
            c.params.visit_with(this);
            if let Some(body) = &c.body {
                body.stmts.visit_with(this);
            }
        });
    }

    fn visit_arrow_expr(&mut self, f: &ArrowExpr) {
        let params = params_of(&f.params);
        let strict = matches!(&*f.body, ArrowFunctionBody::FunctionBody(b) if has_use_strict(&b.stmts));
        self.function_scope(params, strict, |this| {
            f.params.visit_with(this);
            match &*f.body {
                ArrowFunctionBody::FunctionBody(b) => b.stmts.visit_with(this),
                ArrowFunctionBody::Expr(e) => e.visit_with(this),
            }
        });
    }

    fn visit_class(&mut self, c: &Class) {
        // Class bodies are strict code: a scope of their own that declares nothing.
        self.push(Kind::Block, true);
        c.visit_children_with(self);
        self.pop();
    }

    fn visit_static_block(&mut self, b: &StaticBlock) {
        self.function_scope(Vec::new(), false, |this| b.body.stmts.visit_with(this));
    }

    fn visit_block_stmt(&mut self, b: &BlockStmt) {
        let strict = self.strict();
        self.push(Kind::Block, strict);
        b.stmts.visit_with(self);
        self.pop();
    }

    fn visit_catch_clause(&mut self, c: &CatchClause) {
        let mut params = Vec::new();
        if let Some(p) = &c.param {
            pat_names(p, &mut params);
            p.visit_with(self);
        }
        let simple = matches!(&c.param, None | Some(Pat::Ident(_)));
        let strict = self.strict();
        self.push(Kind::Catch { params, simple }, strict);
        c.body.stmts.visit_with(self);
        self.pop();
    }

    fn visit_for_stmt(&mut self, s: &ForStmt) {
        let strict = self.strict();
        self.push(Kind::Block, strict);
        s.visit_children_with(self);
        self.pop();
    }

    fn visit_for_in_stmt(&mut self, s: &ForInStmt) {
        let strict = self.strict();
        self.push(Kind::Block, strict);
        s.visit_children_with(self);
        self.pop();
    }

    fn visit_for_of_stmt(&mut self, s: &ForOfStmt) {
        let strict = self.strict();
        self.push(Kind::Block, strict);
        s.visit_children_with(self);
        self.pop();
    }

    fn visit_switch_stmt(&mut self, s: &SwitchStmt) {
        s.discriminant.visit_with(self);
        let strict = self.strict();
        self.push(Kind::Block, strict);
        s.cases.visit_with(self);
        self.pop();
    }

    fn visit_ts_module_decl(&mut self, m: &TsModuleDecl) {
        // A namespace's body is a function scope once compiled; ambient modules and `declare global` bind nothing.
        if m.declare || m.global || matches!(m.id, TsModuleName::Str(_)) {
            return;
        }
        self.function_scope(Vec::new(), false, |this| m.body.visit_with(this));
    }

    fn visit_ts_namespace_decl(&mut self, m: &TsNamespaceDecl) {
        // `namespace a.b {}`: the inner part.
        if m.declare || m.global {
            return;
        }
        self.function_scope(Vec::new(), false, |this| m.body.visit_with(this));
    }

    // Type-level declarations bind no value.
    fn visit_ts_interface_decl(&mut self, _: &TsInterfaceDecl) {}
    fn visit_ts_type_alias_decl(&mut self, _: &TsTypeAliasDecl) {}
    fn visit_ts_enum_decl(&mut self, _: &TsEnumDecl) {}
    fn visit_ts_type(&mut self, _: &TsType) {}
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::parse;
    use crate::source::SourceFile;

    /// The cases checked against Node: `--- name.ext ok` or `--- name.ext error NAME` (or `export NAME`), then
    /// the code. `tests/early_errors.rs` runs `node --check` on each and expects the same verdict.
    pub(crate) const CASES: &str = include_str!("../tests/early-errors/cases.txt");

    fn verdict(name: &str, code: &str) -> Vec<String> {
        let file = SourceFile::new(name.into(), code.to_string());
        let parsed = parse(&file, &file.code).unwrap_or_else(|e| panic!("{name}: {e}\n{code}"));
        let mode = Mode {
            module: name.ends_with(".mjs") || name.ends_with(".mts"),
            typescript: name.ends_with(".ts") || name.ends_with(".mts") || name.ends_with(".cts"),
        };
        check(&parsed.program, mode)
            .into_iter()
            .map(|e| match e.kind {
                EarlyErrorKind::Redeclared => format!("error {}", e.name),
                EarlyErrorKind::DuplicateExport => format!("export {}", e.name),
            })
            .collect()
    }

    #[test]
    fn every_case_gets_the_verdict_node_gives() {
        let mut failures = Vec::new();
        let mut count = 0;
        for case in CASES.split("\n--- ").skip(1) {
            let (head, code) = case.split_once('\n').unwrap_or((case, ""));
            let (name, expected) = head.split_once(' ').unwrap_or((head, "ok"));
            let got = verdict(name, code);
            let ok = match expected {
                "ok" => got.is_empty(),
                expected => got.first().map(String::as_str) == Some(expected),
            };
            if !ok {
                failures.push(format!("{name}: expected {expected}, got {got:?}\n{code}"));
            }
            count += 1;
        }
        assert!(count > 60, "only {count} cases");
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn statements_spliced_in_give_the_errors_of_the_whole() {
        // Each case with a run of its top-level statements taken out and spliced back in: the same errors, by rule
        // and name, as the whole file.
        let (mut compared, mut with_errors) = (0, 0);
        for case in CASES.split("\n--- ").skip(1) {
            let (head, code) = case.split_once('\n').unwrap_or((case, ""));
            let name = head.split_once(' ').map_or(head, |(name, _)| name);
            let file = SourceFile::new(name.into(), code.to_string());
            let mode = Mode {
                module: name.ends_with(".mjs") || name.ends_with(".mts"),
                typescript: name.ends_with(".ts") || name.ends_with(".mts") || name.ends_with(".cts"),
            };
            let Ok(whole) = parse(&file, code) else { continue };
            let items = crate::parse::item_spans(&whole.program);
            let named = |errors: Vec<EarlyError>| {
                let mut names: Vec<(EarlyErrorKind, String)> = errors.into_iter().map(|e| (e.kind, e.name)).collect();
                names.sort();
                names
            };
            let expected = named(check(&whole.program, mode));
            for i in 0..items.len() {
                for j in i + 1..=items.len() {
                    let taken = &code[items[i].start()..items[j - 1].end()];
                    let rest = format!("{}{}", &code[..items[i].start()], &code[items[j - 1].end()..]);
                    let Ok(rest) = parse(&file, &rest) else { continue };
                    // (A directive's place decides whether the rest is strict: the pipeline only splices in code that
                    // starts with a word, after the directives.)
                    let strict = |program: &Program| matches!(program, Program::Script(s) if has_use_strict(&s.body));
                    if strict(&rest.program) != strict(&whole.program) {
                        continue;
                    }
                    let module = matches!(rest.program, Program::Module(_));
                    let Some((taken, _)) = crate::parse::parse_inserted(taken, file.kind, module) else { continue };
                    let spliced = check_spliced(&rest.program, &[(i, &taken)], mode).expect("same kinds");
                    assert_eq!(named(spliced), expected, "{name}: statements {i}..{j} of\n{code}");
                    compared += 1;
                    with_errors += usize::from(!expected.is_empty());
                }
            }
        }
        assert!(compared > 100 && with_errors > 50, "{compared} {with_errors}");
    }

    #[test]
    fn typescript_types_bind_no_value() {
        let ok = [
            "interface A {}\nclass A {}\n",
            "import type { A } from 'a';\nconst A = 1;\n",
            "import { type A } from 'a';\nconst A = 1;\n",
            "type A = string;\nconst A = 1;\n",
            "enum E { a }\nenum E { b = 1 }\n",
            "function f(): void;\nfunction f(x?: number) {}\nlet g = f;\n",
            "declare const x: number;\nconst x = 1;\n",
            "namespace N { export const a = 1; }\nfunction N() {}\n",
            "declare module 'm' { const a: number; const a: string; }\n",
            "class A { constructor(private a: string) { var a; } }\n",
            "function f(this: Window, a: string) { var a; }\n",
            "export type { A } from 'a';\nexport { A } from 'b';\n",
            "export function f(): void;\nexport function f() {}\n",
        ];
        for code in ok {
            assert_eq!(verdict("a.ts", code), Vec::<String>::new(), "{code}");
        }
        let errors = [
            ("import { A } from 'a';\nconst A = 1;\n", "error A"),
            ("import a = require('a');\nlet a;\n", "error a"),
            ("class A { constructor(private a: string) { let a; } }\n", "error a"),
            ("namespace N { let a; let a; }\n", "error a"),
            ("export const a = 1;\nexport { a };\n", "export a"),
        ];
        for (code, expected) in errors {
            assert_eq!(verdict("a.ts", code), vec![expected.to_string()], "{code}");
        }
    }

    #[test]
    fn the_second_declaration_is_the_one_reported() {
        let code = "const { createClient } = require('a');\nconst { createClient } = require('b');\n";
        let file = SourceFile::new("a.js".into(), code.to_string());
        let parsed = parse(&file, &file.code).expect("parses");
        let errors = check(&parsed.program, Mode::default());
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].at, code.rfind("createClient").unwrap_or(0));
        assert_eq!(errors[0].to_string(), "`createClient` is declared twice in the same scope");
    }
}
