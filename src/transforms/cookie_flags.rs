//! The cookie flag policy shared by `session-cookie`, `cookie-session` and `res-cookie`: `httpOnly`, `secure` and
//! `sameSite` made explicit in a cookie options object, and the `trust proxy` setting secure cookies need behind a
//! TLS-terminating proxy.

use crate::analysis::AppSite;
use crate::codegen;
use crate::edit::Edit;
use crate::layout;
use crate::objects;
use crate::transform::{FileContext, FilePlan, SecurePolicy, Severity};
use crate::values::{ObjectFacts, Value};

/// Which flags a transform wants on an object, and how to write `secure`.
pub struct Wanted<'a> {
    /// Whether `httpOnly: true` is wanted (res-cookie wants it only on credential cookies).
    pub http_only: bool,
    /// The expression for `secure` (the policy, or `req.secure` for res.cookie under `auto`).
    pub secure: &'a str,
    /// Write `sameSite: 'lax' as const`: in TypeScript, an object with no contextual type (an unannotated variable)
    /// widens `'lax'` to `string`, which the cookie types reject.
    pub as_const: bool,
}

/// What [`harden`] did.
#[derive(Debug, Default)]
pub struct Hardened {
    /// This transform wrote `secure` (added it, or replaced `false`): the app needs `trust proxy` behind a
    /// TLS-terminating proxy. A `secure` the app already had is the app's own business.
    pub secure_on: bool,
    /// `httpOnly` was absent and was not wanted.
    pub http_only_missing: bool,
}

/// The text of one property, `key: value`, with `value` written as JavaScript and fitted to the file's style.
pub fn prop(cx: &FileContext<'_>, key: &str, value: &str) -> String {
    let value = codegen::render_expr(value, &cx.facts.style).unwrap_or_else(|_| value.to_string());
    format!("{key}: {value}")
}

/// Whether a TypeScript object literal initialising `decl` has no contextual type (no annotation on the variable),
/// so that `'lax'` would widen to `string`.
pub fn needs_as_const(cx: &FileContext<'_>, decl: Option<&crate::analysis::Declaration>) -> bool {
    if cx.file.kind == crate::source::SourceKind::JavaScript {
        return false;
    }
    let Some(decl) = decl else { return false };
    let Some(init) = &decl.init else { return false };
    !cx.text(decl.declarator.start..init.range().start).contains(':')
}

/// The `secure` expression of the user's policy.
pub fn secure_expr(cx: &FileContext<'_>) -> &'static str {
    cx.options.secure_cookies.expression()
}

/// Makes `httpOnly`, `secure` and `sameSite` explicit in a cookie options object. Returns the properties to add (the
/// caller may add more to the same object in one go); replacements of `false` values are pushed as edits.
pub fn harden(
    cx: &FileContext<'_>,
    plan: &mut FilePlan,
    obj: &ObjectFacts,
    wanted: &Wanted<'_>,
    id: &'static str,
) -> (Vec<String>, Hardened) {
    let mut add = Vec::new();
    let mut done = Hardened::default();
    match obj.get("httpOnly").map(|p| &p.value) {
        None if wanted.http_only => add.push(prop(cx, "httpOnly", "true")),
        None => done.http_only_missing = true,
        Some(Value::Bool(false, range)) => {
            plan.edits.push(Edit::replace(range.clone(), "true", id));
            plan.findings.push(cx.finding(
                id,
                "http-only-false",
                range.start,
                Severity::Warning,
                "httpOnly was false, so page scripts (and any XSS) could read this cookie; it is now true. If client \
                 code really reads it, revert this line"
                    .to_string(),
            ));
        }
        Some(_) => {}
    }
    match obj.get("secure").map(|p| &p.value) {
        None => {
            add.push(prop(cx, "secure", wanted.secure));
            done.secure_on = wanted.secure != "'auto'";
        }
        Some(Value::Bool(false, range)) => {
            let value = codegen::render_expr(wanted.secure, &cx.facts.style).unwrap_or_default();
            plan.edits.push(Edit::replace(range.clone(), value, id));
            done.secure_on = wanted.secure != "'auto'";
        }
        Some(_) => {}
    }
    if obj.get("sameSite").is_none() {
        let suffix = if wanted.as_const { " as const" } else { "" };
        add.push(format!("sameSite: {}{suffix}", cx.quoted(&cx.options.same_site)));
    }
    (add, done)
}

/// Adds properties after the last one of `obj`, in its layout.
pub fn add_to(cx: &FileContext<'_>, plan: &mut FilePlan, obj: &ObjectFacts, props: &[String], id: &'static str) {
    plan.edits.extend(objects::add_properties(&cx.file.code, &cx.facts.comments, obj, props, &cx.facts.style, id));
}

/// Secure cookies are only sent when Express sees the request as HTTPS: behind a TLS-terminating proxy that needs
/// `trust proxy`. With `--behind-proxy N`, it is set right after each app is created; otherwise a finding explains
/// it. Done once per file whichever cookie transform asks first.
pub fn trust_proxy(cx: &FileContext<'_>, plan: &mut FilePlan, id: &'static str, at: usize) {
    let facts = cx.facts;
    if cx.options.secure_cookies == SecurePolicy::Auto && cx.options.behind_proxy.is_none() {
        return;
    }
    let already = facts
        .member_calls
        .iter()
        .any(|c| c.method == "set" && matches!(c.args.first(), Some(Value::Str(s, _)) if s == "trust proxy"));
    if already || plan.findings.iter().any(|f| f.rule.ends_with("/trust-proxy")) {
        return;
    }
    if let Some(hops) = cx.options.behind_proxy {
        let mut placed = false;
        for app in &facts.apps {
            let AppSite::AfterStatement { stmt, receiver } = &app.site else { continue };
            let indent = cx.file.indent_at(stmt.start).to_string();
            let semi = if facts.style.semicolons { ";" } else { "" };
            let snippet = format!("{receiver}.set({}, {hops}){semi}", cx.quoted("trust proxy"));
            let point = layout::after_statement(&cx.file.code, &facts.comments, stmt.end);
            let text = layout::statement_after(point, &snippet, &indent, &facts.style);
            if !plan.edits.iter().any(|e| e.range.start == point.offset && e.text == text) {
                plan.edits.push(Edit::insert(point.offset, text, id));
            }
            placed = true;
        }
        if placed {
            return;
        }
    }
    plan.findings.push(cx.finding(
        id,
        "trust-proxy",
        at,
        Severity::Warning,
        "secure cookies are sent only when Express sees the request as HTTPS: behind a TLS-terminating proxy or load \
         balancer, set app.set('trust proxy', 1) where the app is created (or run express-harden with \
         --behind-proxy 1), or the cookie is never sent and logins silently fail"
            .to_string(),
    ));
}

/// A finding when neither `maxAge` nor `expires` bounds the cookie's lifetime.
pub fn max_age(cx: &FileContext<'_>, plan: &mut FilePlan, obj: Option<&ObjectFacts>, id: &'static str, at: usize) {
    if obj.is_some_and(|o| o.get("maxAge").is_some() || o.get("expires").is_some()) {
        return;
    }
    plan.findings.push(
        cx.finding(
            id,
            "max-age",
            at,
            Severity::Info,
            "the cookie sets no maxAge (or expires): the session lasts until the browser closes and a stolen cookie \
         never expires on its own; set cookie.maxAge to the longest session you want"
                .to_string(),
        ),
    );
}
