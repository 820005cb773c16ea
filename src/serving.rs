//! Whether an Express app a file declares under a local name can ever serve a request: an app that is never
//! listened on, handled, passed, stored, exported or returned is dead code (a router module that also calls
//! `express()` and then exports only its router), and hardening it is noise in the diff.
//!
//! The reading is conservative: every mention of the name the shapes below do not cover counts as a use.

use crate::bindings::unwrap;
use crate::parse::{span_of_node, ByteRange};

use swc_atoms::Atom;
use swc_ecma_ast::*;
use swc_ecma_visit::{Visit, VisitWith};

/// Methods that make an app serve, or hand it on as a function (`app.handle(req, res)`, `app.call(...)`).
pub(crate) const SERVES: [&str; 5] = ["listen", "handle", "call", "apply", "bind"];

/// Methods whose result is a value and not the app (`app.get('env')` with one argument, `app.enabled('x')`).
const VALUE_METHODS: [&str; 4] = ["enabled", "disabled", "path", "render"];

/// Properties that hold data and not the app (`app.locals.title`).
const DATA_PROPERTIES: [&str; 2] = ["locals", "settings"];

/// Whether the app declared as `name` (its declaring identifier starting at `declared`) is, within `scope` (the
/// function body or file it is declared in), only configured and never used: each mention is the start of a
/// statement that calls methods on it (`app.use(router);`, `app.set('x', 1).use(y);`, none of [`SERVES`]), an
/// assignment to one of its properties (`app.locals.title = 'x'`), or a read of a value from it (`app.get('env')`,
/// `app.locals.x`). Anything else (passed to a function, `http.createServer(app)`, stored, exported in any form,
/// returned, listened on, assigned again, or a second binding of the same name, which the reading does not tell
/// apart) means it may serve.
pub fn idle(program: &Program, name: &Atom, declared: usize, scope: ByteRange) -> bool {
    let mut uses = Uses { name, declared, scope, used: false };
    program.visit_with(&mut uses);
    !uses.used
}

struct Uses<'a> {
    name: &'a Atom,
    declared: usize,
    scope: ByteRange,
    used: bool,
}

impl Uses<'_> {
    fn is_name(&self, expr: &Expr) -> bool {
        matches!(unwrap(expr), Expr::Ident(id) if id.sym == *self.name)
    }

    /// Whether `expr` is a chain of method calls on the app (`app.use(a).set('b', c)`), none of them one of
    /// [`SERVES`]; the calls' arguments go to `args`.
    fn configuring<'e>(&self, expr: &'e Expr, args: &mut Vec<&'e ExprOrSpread>) -> bool {
        let Expr::Call(call) = unwrap(expr) else { return false };
        let Callee::Expr(callee) = &call.callee else { return false };
        let Expr::Member(member) = unwrap(callee) else { return false };
        let MemberProp::Ident(method) = &member.prop else { return false };
        if SERVES.contains(&method.sym.as_ref()) {
            return false;
        }
        args.extend(call.args.iter());
        self.is_name(&member.obj) || self.configuring(&member.obj, args)
    }

    /// Whether `member` reads a value from the app rather than the app: `app.locals`, `app.settings`.
    fn data_read(&self, member: &MemberExpr) -> bool {
        self.is_name(&member.obj)
            && matches!(&member.prop, MemberProp::Ident(p) if DATA_PROPERTIES.contains(&p.sym.as_ref()))
    }

    /// The arguments of a call that reads a value from the app (`app.get('env')`, `app.enabled('trust proxy')`).
    fn value_call<'e>(&self, expr: &'e Expr) -> Option<&'e [ExprOrSpread]> {
        let Expr::Call(call) = expr else { return None };
        let Callee::Expr(callee) = &call.callee else { return None };
        let Expr::Member(member) = unwrap(callee) else { return None };
        let MemberProp::Ident(method) = &member.prop else { return None };
        let value = VALUE_METHODS.contains(&method.sym.as_ref()) || (method.sym == *"get" && call.args.len() == 1);
        (value && self.is_name(&member.obj)).then_some(&call.args[..])
    }

    /// Whether an assignment target is a property of the app (`app.locals.title`, `app.foo`), reached through plain
    /// property names.
    fn property_of_app(&self, expr: &Expr) -> bool {
        match unwrap(expr) {
            Expr::Member(member) => self.is_name(&member.obj) || self.property_of_app(&member.obj),
            _ => false,
        }
    }
}

impl Uses<'_> {
    /// Whether the walk can skip a node at `range`: a use is found already, or the node lies outside the scope.
    fn skips(&self, range: ByteRange) -> bool {
        self.used || range.end() <= self.scope.start() || range.start() >= self.scope.end()
    }
}

impl Visit for Uses<'_> {
    fn visit_module_item(&mut self, item: &ModuleItem) {
        if !self.skips(span_of_node(item)) {
            item.visit_children_with(self);
        }
    }

    fn visit_stmt(&mut self, stmt: &Stmt) {
        if !self.skips(span_of_node(stmt)) {
            stmt.visit_children_with(self);
        }
    }

    fn visit_ident(&mut self, id: &Ident) {
        let at = span_of_node(id).start();
        if id.sym == *self.name && at != self.declared && self.scope.contains(&at) {
            self.used = true;
        }
    }

    fn visit_expr_stmt(&mut self, stmt: &ExprStmt) {
        let mut args = Vec::new();
        if self.configuring(&stmt.expr, &mut args) {
            for arg in args {
                arg.visit_with(self);
            }
            return;
        }
        if let Expr::Assign(assign) = unwrap(&stmt.expr) {
            if let AssignTarget::Simple(SimpleAssignTarget::Member(member)) = &assign.left {
                if self.property_of_app(&member.obj) || self.is_name(&member.obj) {
                    // (Computed keys are read; the app itself is not handed on.)
                    assign.right.visit_with(self);
                    if let MemberProp::Computed(key) = &member.prop {
                        key.visit_with(self);
                    }
                    return;
                }
            }
        }
        stmt.visit_children_with(self);
    }

    fn visit_expr(&mut self, expr: &Expr) {
        if let Some(args) = self.value_call(expr) {
            args.visit_with(self);
            return;
        }
        expr.visit_children_with(self);
    }

    fn visit_member_expr(&mut self, member: &MemberExpr) {
        if self.data_read(member) {
            return;
        }
        member.visit_children_with(self);
    }
}
