//! Recognition of session middleware, shared by the transforms that change its store and its cookie: the
//! `session(...)` calls of express-session (or cookie-session) under any local name or as an inline require, and
//! where their options object is written (inline, or in a variable of the same file, typed or not), or, for a call
//! without arguments, where a new one goes (every transform plans its part of it: [`add_to_new_options`]).

use std::ops::Range;

use crate::analysis::{CallSite, Declaration, FileFacts};
use crate::links::FileLinks;
use crate::parse::ByteRange;
use crate::transform::{FileContext, FilePlan};
use crate::values::{ObjectFacts, Value};

/// express-session's package name.
pub const EXPRESS_SESSION: &str = "express-session";
/// cookie-session's package name.
pub const COOKIE_SESSION: &str = "cookie-session";

/// Where a middleware's options are.
#[derive(Debug, Clone, Copy)]
pub enum SessionOptions<'a> {
    /// `session({ ... })`.
    Inline(&'a ObjectFacts),
    /// `session(sessionOptions)` with `const sessionOptions = { ... }` in the same file.
    Variable {
        /// The declaration.
        decl: &'a Declaration,
        /// Its object literal.
        object: &'a ObjectFacts,
    },
    /// `session()`.
    Missing,
    /// `session(require('./config/session'))`: an object literal written in another module, which is hardened there
    /// (the file where it is written sees it as [`SessionOptions::Exported`]).
    Elsewhere(&'a std::path::Path),
    /// An object literal of this file that another module passes to the middleware (`module.exports = { ... }` used
    /// as `session(require('./config/session'))`).
    Exported {
        /// The object literal.
        object: &'a ObjectFacts,
        /// The file that calls the middleware, and the line.
        caller: &'a (std::path::PathBuf, usize),
        /// Spread into the options the caller writes (`session({ ...base, secret })`): only part of them. What it
        /// sets is hardened here; what it lacks is added by the caller.
        partial: bool,
    },
    /// Built some other way (a call, an import, a member expression): not visible in this file.
    Opaque(&'a Value),
}

/// One `session(...)` call, or the options of one written in this file.
#[derive(Debug, Clone, Copy)]
pub struct SessionUse<'a> {
    /// The call; `None` for options of this file that another module passes to the middleware.
    pub site: Option<&'a CallSite>,
    /// Its options.
    pub options: SessionOptions<'a>,
}

impl SessionUse<'_> {
    /// The options object, when it is written in this file.
    pub fn object(&self) -> Option<&ObjectFacts> {
        match self.options {
            SessionOptions::Inline(o)
            | SessionOptions::Variable { object: o, .. }
            | SessionOptions::Exported { object: o, .. } => Some(o),
            _ => None,
        }
    }

    /// Where a finding about the options should point.
    pub fn at(&self) -> usize {
        match (self.site, self.options) {
            (Some(site), _) => site.call.range.start(),
            (None, SessionOptions::Exported { object, .. }) => object.range.start(),
            (None, _) => 0,
        }
    }

    /// Where the options object of a call without arguments (`session()`) goes: right before its closing
    /// parenthesis. `None` for a call with arguments (`session(undefined)` included: only a call that passes
    /// nothing is given options).
    pub fn new_options_at(&self, code: &str) -> Option<usize> {
        if !matches!(self.options, SessionOptions::Missing) {
            return None;
        }
        let close = self.site?.call.range.end().checked_sub(1)?;
        (code.as_bytes().get(close) == Some(&b')')).then_some(close)
    }
}

/// Plans `props` for the options object of a call without arguments, at `at` ([`SessionUse::new_options_at`]): every
/// transform that hardens the options adds its part, and the engine writes one object holding them all
/// (`session({ store: ..., secret: ..., cookie: {...} })`). `leading` parts (the store, the secret) come first.
pub fn add_to_new_options(plan: &mut FilePlan, at: usize, props: Vec<String>, leading: bool) {
    if !props.is_empty() {
        plan.new_objects.push(crate::objects::ObjectPart::new(at, props, leading));
    }
}

/// Adds `props` to the options object `obj` written in the file, first when `leading` (a store, a secret) and else
/// last, in its layout. Into a one-line object, each transform adds its part through the engine, which writes the
/// object over several lines when all of them together take its line past the print width
/// ([`crate::objects::ObjectPart::into`]); a multi-line object gets them at once.
pub fn add_to_options(cx: &FileContext<'_>, plan: &mut FilePlan, obj: &ObjectFacts, props: Vec<String>, leading: bool) {
    if props.is_empty() {
        return;
    }
    let (code, comments, style) = (&cx.file.code, &cx.facts.comments, &cx.facts.style);
    // (An object over several lines, even one laid out by hand, `{ a, b,\n  c }`, keeps its layout.)
    let empty = obj.props.is_empty() && obj.spreads.is_empty();
    if empty || code[obj.range].contains('\n') {
        plan.edits.extend(match leading {
            true => crate::objects::add_first_properties(code, comments, obj, &props, style),
            false => crate::objects::add_properties(code, comments, obj, &props, style),
        });
    } else {
        plan.new_objects.push(crate::objects::ObjectPart::into(obj, props, leading));
    }
}

impl<'a> SessionUse<'a> {
    /// The options object written in this file. Options built elsewhere (a function call, an import) cannot be
    /// hardened here: they get an `opaque-options` finding of `transform` with `message` (what to check by hand); no
    /// options at all (`session()`) give `None` silently: the caller plans its part of a new object instead
    /// ([`add_to_new_options`]).
    pub fn object_or_report(
        &self,
        cx: &FileContext<'_>,
        plan: &mut FilePlan,
        message: &str,
    ) -> Option<&'a ObjectFacts> {
        match self.options {
            SessionOptions::Inline(o)
            | SessionOptions::Variable { object: o, .. }
            | SessionOptions::Exported { object: o, .. } => Some(o),
            SessionOptions::Missing | SessionOptions::Elsewhere(_) => None,
            SessionOptions::Opaque(value) => {
                plan.findings.push(cx.finding("opaque-options", value.range().start(), message.to_string()));
                None
            }
        }
    }
}

/// The options object a transform hardens for `use_`, once per object (two middlewares sharing one are fixed once),
/// with where a new options object goes: for `session()`, `empty` (everything is missing) and the offset in its
/// parentheses; else the object written in this file and `None`. `None` when the options are not written here
/// (reported with `message` when they are opaque) or were seen already.
pub fn object_once<'o>(
    use_: &SessionUse<'o>,
    cx: &FileContext<'_>,
    plan: &mut FilePlan,
    message: &str,
    empty: &'o ObjectFacts,
    seen: &mut Vec<ByteRange>,
) -> Option<(&'o ObjectFacts, Option<usize>)> {
    if let Some(at) = use_.new_options_at(&cx.file.code) {
        return Some((empty, Some(at)));
    }
    let obj = use_.object_or_report(cx, plan, message)?;
    if seen.contains(&obj.range) {
        return None;
    }
    seen.push(obj.range);
    Some((obj, None))
}

/// The name Express 3 bundled `module`'s middleware under (`express.session`, `express.cookieSession`,
/// `express.cookieParser`), for the packages that replace it.
pub fn bundled_name(module: &str) -> Option<&'static str> {
    match module {
        EXPRESS_SESSION => Some("session"),
        COOKIE_SESSION => Some("cookieSession"),
        "cookie-parser" => Some("cookieParser"),
        _ => None,
    }
}

/// Whether `callee` is `module`'s middleware factory, or Express 3's bundled one ([`bundled_name`]).
pub fn is_middleware(callee: &crate::values::CalleeRef, module: &str) -> bool {
    callee.is_module(module) || bundled_name(module).is_some_and(|name| callee.is_export("express", name))
}

/// Every call of `module`'s middleware factory in the file, including Express 3's bundled `express.session(...)` and
/// `express.cookieSession(...)`, then the options objects of this file that other modules pass to it.
pub fn session_uses<'a>(facts: &'a FileFacts, links: &'a FileLinks, module: &str) -> Vec<SessionUse<'a>> {
    let bundled = bundled_name(module);
    let exported = links
        .passed_objects
        .iter()
        .filter(|o| {
            o.arg == 0
                && ((o.module == module && o.members.is_empty())
                    || bundled.is_some_and(|name| o.module == "express" && o.members == [name]))
        })
        .filter_map(|o| {
            let object = facts.object_at(&o.object)?;
            Some(SessionUse {
                site: None,
                options: SessionOptions::Exported { object, caller: &o.caller, partial: o.spread },
            })
        });
    facts
        .calls
        .iter()
        .filter(|site| !site.is_new && site.call.callee.as_ref().is_some_and(|c| is_middleware(c, module)))
        .map(|site| SessionUse { site: Some(site), options: options_of(facts, links, site) })
        .chain(exported)
        .collect()
}

fn options_of<'a>(facts: &'a FileFacts, links: &'a FileLinks, site: &'a CallSite) -> SessionOptions<'a> {
    if let Some(elsewhere) = site.call.args.first().and_then(|a| links.object_elsewhere(&a.range())) {
        return SessionOptions::Elsewhere(&elsewhere.file);
    }
    match site.call.args.first() {
        None => SessionOptions::Missing,
        Some(Value::Object(obj)) => SessionOptions::Inline(obj),
        Some(value @ Value::Ident(name, r)) => match facts.declaration(name, r.start()) {
            Some(decl @ Declaration { init: Some(Value::Object(object)), .. }) => {
                SessionOptions::Variable { decl, object }
            }
            _ => SessionOptions::Opaque(value),
        },
        Some(other) => SessionOptions::Opaque(other),
    }
}

/// What the objects spread into `obj` set, when every one of them is an object literal of another module that sets
/// only keys it names (`session({ ...baseSession, secret })` with `export const baseSession = { ... }`): their keys.
/// `Some(empty)` without spreads; `None` when a spread cannot be seen through.
pub fn spread_keys<'a>(links: &'a FileLinks, code: &str, obj: &ObjectFacts) -> Option<Vec<&'a str>> {
    let mut keys = Vec::new();
    for spread in &obj.spreads {
        let inner = ByteRange::new(spread.start() + 3, spread.end());
        if code.get(spread.start()..inner.start()) != Some("...") {
            return None;
        }
        let elsewhere = links.object_elsewhere(&inner).filter(|o| !o.open)?;
        keys.extend(elsewhere.keys.iter().map(|k| &**k));
    }
    Some(keys)
}

impl SessionUse<'_> {
    /// Whether these are options spread into the options another module writes (see [`SessionOptions::Exported`]).
    pub fn is_partial(&self) -> bool {
        matches!(self.options, SessionOptions::Exported { partial: true, .. })
    }
}

/// How to refer to the session module in new code at the site of `use_`: the local name it is bound to, or an inline
/// require when the call itself is one (`require('express-session')({...})`).
pub fn module_expr(facts: &FileFacts, use_: &SessionUse<'_>, module: &str) -> String {
    match use_.site.and_then(|s| s.call.callee.as_ref()).and_then(|c| c.binding.as_ref()) {
        Some(binding) => binding.local.to_string(),
        None => facts
            .module_names(module)
            .first()
            .map(|n| (*n).to_string())
            .unwrap_or_else(|| format!("require('{module}')")),
    }
}

/// The byte range of a property's value, for replacing it.
pub fn value_range(obj: &ObjectFacts, key: &str) -> Option<Range<usize>> {
    obj.get(key).map(|p| p.value.range().range())
}

/// The object literal a same-file declaration of `name` (visible at `at`) is initialised with.
pub fn declared_object<'a>(facts: &'a FileFacts, name: &str, at: usize) -> Option<&'a ObjectFacts> {
    match facts.declaration(name, at) {
        Some(Declaration { init: Some(Value::Object(object)), .. }) => Some(object),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::analyse;
    use crate::parse::parse;
    use crate::source::SourceFile;

    fn facts(code: &str) -> FileFacts {
        let file = SourceFile::new("a.ts".into(), code.to_string());
        let parsed = parse(&file, &file.code).expect("parses");
        analyse(&file, &parsed)
    }

    #[test]
    fn recognises_every_form() {
        let f = facts(
            "import expressSession from 'express-session';\n\
             const opts: expressSession.SessionOptions = { secret: 'x' };\n\
             app.use(expressSession(opts));\n\
             app.use(expressSession({ secret: 'y', store: s }));\n\
             app.use(require('express-session')());\n\
             export const mw = expressSession(build());\n",
        );
        let links = FileLinks::default();
        let uses = session_uses(&f, &links, EXPRESS_SESSION);
        assert_eq!(uses.len(), 4);
        assert!(matches!(uses[0].options, SessionOptions::Variable { decl, .. } if decl.name == "opts"));
        assert!(matches!(uses[1].options, SessionOptions::Inline(o) if o.get("store").is_some()));
        assert!(matches!(uses[2].options, SessionOptions::Missing));
        assert_eq!(module_expr(&f, &uses[2], EXPRESS_SESSION), "expressSession");
        assert!(matches!(uses[3].options, SessionOptions::Opaque(_)));
    }

    #[test]
    fn only_a_call_without_arguments_gets_new_options() {
        let code = "const session = require('express-session');\n\
                    a(session());\nb(session(undefined));\nc(session({}));\nd(session<Options>());\n";
        let f = facts(code);
        let at: Vec<Option<usize>> =
            session_uses(&f, &FileLinks::default(), EXPRESS_SESSION).iter().map(|u| u.new_options_at(code)).collect();
        let close = |call: &str| code.find(call).map(|i| i + call.len() - 1);
        assert_eq!(at, [close("a(session()"), None, None, close("d(session<Options>()")]);
    }
}
