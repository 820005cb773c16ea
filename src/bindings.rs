//! What a local name is bound to by an import or a require, and the two expression helpers that reading them needs.
//! Below both the analysis and the value descriptions, which use it.

use crate::parse::ByteRange;

use swc_atoms::Atom;
use swc_ecma_ast::*;

/// What a local name is bound to.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum ImportKind {
    /// The module itself: `require('m')`, `import x from 'm'`, `import * as x from 'm'`, `import x = require('m')`.
    Module,
    /// One export of it: `import { a as x } from 'm'`, `const { a: x } = require('m')`, `require('m').a`.
    Named(Atom),
}

/// A local name bound by an import or a require.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ModuleBinding {
    /// The local name.
    pub local: Atom,
    /// The module specifier (`express`, `helmet`, `./config`).
    pub module: Atom,
    /// What of the module it holds.
    pub kind: ImportKind,
    /// The whole statement that binds it.
    pub stmt: ByteRange,
    /// Whether that statement is at the top level of the file.
    pub top_level: bool,
}

/// Strips parentheses and TypeScript-only wrappers.
pub fn unwrap(expr: &Expr) -> &Expr {
    match expr {
        Expr::Paren(p) => unwrap(&p.expr),
        Expr::TsAs(e) => unwrap(&e.expr),
        Expr::TsNonNull(e) => unwrap(&e.expr),
        Expr::TsSatisfies(e) => unwrap(&e.expr),
        Expr::TsTypeAssertion(e) => unwrap(&e.expr),
        Expr::TsConstAssertion(e) => unwrap(&e.expr),
        other => other,
    }
}

/// The module of a `require('m')` call.
pub fn require_source(expr: &Expr) -> Option<String> {
    let Expr::Call(call) = unwrap(expr) else { return None };
    require_source_of(call)
}

/// The module of a `require('m')` call expression.
pub fn require_source_of(call: &CallExpr) -> Option<String> {
    let Callee::Expr(callee) = &call.callee else { return None };
    let Expr::Ident(id) = unwrap(callee) else { return None };
    if id.sym != *"require" || call.args.len() != 1 {
        return None;
    }
    literal_specifier(&call.args[0].expr)
}

/// A module specifier written as a literal: `'m'`, or a template literal without substitutions.
pub fn literal_specifier(expr: &Expr) -> Option<String> {
    match expr {
        Expr::Lit(Lit::Str(s)) => s.value.as_str().map(str::to_string),
        Expr::Tpl(t) if t.exprs.is_empty() && t.quasis.len() == 1 => {
            t.quasis[0].cooked.as_ref().and_then(|c| c.as_str().map(str::to_string))
        }
        _ => None,
    }
}

/// The module and export a declarator's initialiser requires: `require('m')` is `('m', None)`, `require('m').name`
/// is `('m', Some("name"))`; `None` for anything else.
pub fn required(init: &Expr) -> Option<(String, Option<String>)> {
    match unwrap(init) {
        Expr::Member(m) => match (require_source(&m.obj), &m.prop) {
            (Some(module), MemberProp::Ident(p)) => Some((module, Some(p.sym.to_string()))),
            _ => None,
        },
        other => require_source(other).map(|module| (module, None)),
    }
}
