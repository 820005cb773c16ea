//! `express5`: migrates Express 4 code to Express 5, with `--express 5` (the `express-version` transform moves the
//! range in the same run), and, without asking, the Express 4 code left in a project already on Express 5 (what
//! Express 5 removed and rejects; see `Mode::Repair`).
//!
//! ```js
//! // before (package.json on Express 4; run with --express 5)
//! const express = require('express');
//!
//! const app = express();
//! app.use(express.urlencoded());
//!
//! app.get('/users/:id?', (req, res) => {
//!   if (!req.params.id) return res.send(400);
//!   res.json({ id: req.param('id') }, 200);
//! });
//!
//! app.del('/users/:id', (req, res) => {
//!   res.redirect('back');
//! });
//!
//! app.get('*', (req, res) => {
//!   res.sendfile(__dirname + '/public/' + req.params[0]);
//! });
//! // after
//! const express = require('express');
//!
//! const app = express();
//! app.use(express.urlencoded({ extended: true }));
//!
//! app.get('/users{/:id}', (req, res) => {
//!   if (!req.params.id) return res.sendStatus(400);
//!   res.status(200).json({ id: (req.params.id ?? req.body?.id ?? req.query.id) });
//! });
//!
//! app.delete('/users/:id', (req, res) => {
//!   res.redirect(req.get('Referrer') || '/');
//! });
//!
//! app.get('/{*splat}', (req, res) => {
//!   res.sendFile(__dirname + '/public/' + '/' + (req.params.splat || []).join('/'));
//! });
//! ```
//!
//! Only Express objects are rewritten: the request and response parameters of handlers registered on the file's apps
//! and routers, and those apps and routers. Reported, not rewritten: `app.param(fn)`, `req.host`, non-integer
//! statuses, `res.vary()`, `app.listen` callbacks without an error argument, route strings with reserved characters.
//! Data: `transforms/express5/data.json`. Fixtures: `tests/fixtures/express5/`.

use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::OnceLock;

use serde::Deserialize;

use crate::analysis::{AppSite, MemberCall, Middleware, Receiver};
use crate::bindings::ImportKind;
use crate::codegen;
use crate::edit::Edit;
use crate::parse::ByteRange;
use crate::settings::{SettingsGroup, SettingsInput};
use crate::transform::{FileContext, FilePlan, ManifestContext, ManifestPlan, Phase, Transform, TransformInfo, Watch};
use crate::transforms::data;
use crate::transforms::shared::express_target::{ExpressTarget, EXPRESS};
use crate::transforms::shared::handlers::{self, Handler};
use crate::transforms::shared::imports;
use crate::values::Value;

const ID: &str = "express5";

#[derive(Debug, Deserialize)]
struct Express5Data {
    #[serde(flatten)]
    described: data::Described,
    renames: BTreeMap<String, String>,
    status_names: Vec<String>,
    /// Middleware packages that assign `req.query`, which Express 5 makes a getter: every request through them
    /// fails. Package -> why and what to do.
    query_writers: BTreeMap<String, String>,
}

fn data() -> &'static Express5Data {
    static DATA: OnceLock<Express5Data> = OnceLock::new();
    DATA.get_or_init(|| data::parse(ID, include_str!("../../transforms/express5/data.json")))
}

transform_struct!(Express5, "The express5 transform.", target: ExpressTarget = ExpressTarget::default());

/// What the transform does in a file, by its project.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// `--express 5` on a project on Express 4 whose Node can run Express 5 (otherwise express-version keeps Express
    /// 4, and says why, so the code must stay on 4 too): the code moves with the version.
    Migrate,
    /// A project whose package.json is on Express 5 already (with or without `--express 5`): what Express 5 removed
    /// and the code still uses (a call that throws or answers otherwise, a route string its router throws on) is
    /// migrated, as the move would have. What only changed a default (`urlencoded`'s `extended`, the query parser,
    /// dotfiles, `req.host`, the listen callback's error) is the app's behaviour on 5 already: left as it is. Handlers
    /// typed for @types/express 4's `req.params` are typed for 5's when the run moves @types/express to 5.
    Repair,
}

/// The calls the migration reads (and the text of the files it reads for them).
const WATCH: &[Watch] = &[
    Watch::Text("express"),
    Watch::Call("send"),
    Watch::Call("json"),
    Watch::Call("jsonp"),
    Watch::Call("sendfile"),
    Watch::Call("redirect"),
    Watch::Call("del"),
    Watch::Call("param"),
    Watch::AlsoCall("location"),
    Watch::AlsoCall("acceptsCharset"),
    Watch::AlsoCall("acceptsEncoding"),
    Watch::AlsoCall("acceptsLanguage"),
    Watch::AlsoCall("status"),
    Watch::AlsoCall("vary"),
    Watch::AlsoCall("listen"),
    Watch::AlsoCall("clearCookie"),
    Watch::AlsoCall("set"),
];

/// Whether every Express range the project's package.json lists starts at 5 (`^5.1.0`, `5.x`, `>=5`): a project
/// that lists no Express, or one that also runs on 4 (`^4 || ^5`, a library's peer range), is not.
fn on_express5(project: &crate::project::Project) -> bool {
    let specs = project.listed_all("express");
    !specs.is_empty() && specs.iter().all(|(_, spec)| crate::npm_spec::start_major(spec) == Some(5))
}

impl Express5 {
    fn mode(&self, project: &crate::project::Project) -> Option<Mode> {
        match self.target.major {
            Some(5)
                if project.lists_major("express", 4)
                    && crate::transforms::express_version::runs_on(5, &project.node) =>
            {
                Some(Mode::Migrate)
            }
            None | Some(5) if on_express5(project) => Some(Mode::Repair),
            _ => None,
        }
    }
}

impl Transform for Express5 {
    fn info(&self) -> &TransformInfo {
        &self.info
    }

    fn watch(&self) -> &'static [Watch] {
        // Only with --express 5: these are the most common calls in any Express file. Handler files that never name
        // express (controllers) are read too, to report what cannot be proved Express there.
        if self.target.major != Some(5) {
            return &[];
        }
        WATCH
    }

    fn watch_project(&self, project: &crate::project::Project) -> &'static [Watch] {
        // A project already on Express 5 is repaired without --express 5: its files are read for what they name
        // (express, and the modules they import), so its calls are all that is needed.
        if self.mode(project) == Some(Mode::Repair) {
            return WATCH;
        }
        &[]
    }

    fn phase(&self) -> Phase {
        Phase::Migration
    }

    fn companions(&self) -> &'static [&'static str] {
        // The version moves with the migration (and is held back with it).
        &["express-version"]
    }

    fn plan_manifest(&self, cx: &ManifestContext<'_>, plan: &mut ManifestPlan) {
        // With express-version skipped by name, nothing moves Express to 5: the code keeps Express 4's route syntax
        // (the engine plans the project again, held back), and the output says why.
        if self.target.major != Some(5)
            || cx.options.selected.contains(&"express-version")
            || !cx.project.lists_major("express", 4)
            || !crate::transforms::express_version::runs_on(5, &cx.project.node)
        {
            return;
        }
        plan.held_back = true;
        plan.findings.push(cx.finding(
            "version-skipped",
            "express",
            "express-version is skipped, so package.json keeps Express 4: the migration writes only what Express 4 \
             runs the same, and the route syntax waits for the move to 5 (run without --skip express-version)"
                .to_string(),
        ));
    }

    fn settings(&self) -> Vec<&'static SettingsGroup> {
        vec![&EXPRESS]
    }

    fn configure(&mut self, input: &SettingsInput<'_>) -> Result<(), String> {
        self.target = ExpressTarget::read(input)?;
        Ok(())
    }

    fn plan(&self, cx: &FileContext<'_>, plan: &mut FilePlan) {
        let Some(mode) = self.mode(cx.project) else { return };
        let repair = mode == Mode::Repair;
        // Edits of the other migration of this phase may be in the plan already: only this transform's count.
        let edits_before = plan.edits.len();
        let findings_before = plan.findings.len();
        let facts = cx.facts;
        let handlers = handlers::handlers(facts, cx.links);
        let routers = handlers::routers(facts);
        for call in facts.member_calls().iter() {
            let at = call.range.start();
            let res = handlers::response_at(&handlers, &call.object, at);
            let req = handlers::request_at(&handlers, &call.object, at);
            let app_or_router =
                handlers::is_express_receiver(facts, cx.links, &routers, &Receiver::Path(call.object.clone()), at);
            if res.is_none() && req.is_none() && !app_or_router && looks_deprecated(cx, call) {
                report(
                    cx,
                    plan,
                    "unverified",
                    at,
                    &format!(
                        "`{}.{}(...)` looks like an Express call whose signature Express 5 removed, but this file does \
                         not show that `{}` is an Express object (a handler of an app or router created here): not \
                         rewritten, migrate it by hand",
                        call.object, call.method, call.object
                    ),
                );
                continue;
            }
            match call.method.as_str() {
                "del" if app_or_router => rename(plan, call),
                "param" if app_or_router && matches!(&call.args[..], [Value::Other(_)]) => report(
                    cx,
                    plan,
                    "app-param",
                    at,
                    "app.param(fn) is gone in Express 5: use app.param(name, fn) for each parameter",
                ),
                "listen" if app_or_router && !repair => listen_callback(cx, plan, call),
                "sendfile" if res.is_some() => rename(plan, call),
                "acceptsCharset" | "acceptsEncoding" | "acceptsLanguage" if req.is_some() => rename(plan, call),
                "send" | "json" | "jsonp" if res.is_some() => status_first(cx, plan, call),
                "redirect" | "location" => {
                    if let Some(handler) = res {
                        redirect(cx, plan, call, handler);
                    }
                }
                "param" => {
                    if let Some(handler) = req {
                        req_param(cx, plan, call, handler, &handlers);
                    }
                }
                "clearCookie" if res.is_some() && !repair => clear_cookie(cx, plan, call),
                "status" if res.is_some() => {
                    let integer =
                        call.args.first().is_some_and(|a| cx.text(a.range()).bytes().all(|b| b.is_ascii_digit()));
                    if matches!(call.args.first(), Some(Value::Str(..)))
                        || (!integer && is_number_text(cx, call.args.first()))
                    {
                        report(
                            cx,
                            plan,
                            "status",
                            at,
                            "res.status() takes an integer in Express 5 (a string or a fraction throws)",
                        );
                    }
                }
                "vary" if res.is_some() && call.args.is_empty() => {
                    report(cx, plan, "vary", at, "res.vary() with no field throws in Express 5: name the header")
                }
                _ => {}
            }
        }
        route_strings(cx, plan, &routers, mode);
        query_writing_middleware(cx, plan, &routers);
        wildcard_reads(cx, plan, &handlers, mode);
        removed_reads(cx, plan, &handlers);
        // On a project on 5 already, the types change only when this run moves @types/express to 5 with the range.
        if !repair || crate::transforms::express_version::moves_types_to_5(cx.project) {
            params_types(cx, plan, &handlers);
        }
        if !repair {
            host_reads(cx, plan, &handlers);
            urlencoded(cx, plan);
            query_parser(cx, plan);
            static_dotfiles(cx, plan);
        }
        // On a project on 5, code left unmigrated (a finding that would hold a move back) fails there now.
        let left = plan.findings[findings_before..]
            .iter()
            .any(|f| f.rule.strip_prefix("express5/").is_some_and(|rule| self.info.blocks(rule)));
        if repair && left {
            plan.next_steps.push(
                "package.json is on Express 5, and code written for Express 4 that it rejects is still there (the \
                 express5 warnings above; the rest was migrated): migrate it by hand, the app fails on Express 5 \
                 until then"
                    .to_string(),
            );
        } else if plan.edits.len() > edits_before {
            plan.next_steps.push(if repair {
                "package.json is on Express 5, and code written for Express 4 that Express 5 rejects was migrated \
                 (calls it removed, route strings its router throws on): run the app's tests"
                    .to_string()
            } else if held_back(cx, mode) && cx.options.held_back_outside_paths {
                "Express stays on 4: the workspace root's package.json, which lists the Express this project runs, is \
                 outside the paths given (see the engine/outside-paths finding): only rewrites that Express 4 runs the \
                 same were made (res.status(...).send(...), app.delete, ...); the route syntax waits for the move to \
                 5 (run express-harden on the workspace root)"
                    .to_string()
            } else if held_back(cx, mode) {
                "Express stays on 4 (see the major-change finding): only rewrites that Express 4 runs the same were \
                 made (res.status(...).send(...), app.delete, ...); the route syntax waits for the move to 5"
                    .to_string()
            } else {
                "the code was migrated to Express 5: run the app's tests, and read the migration guide for behaviour \
                 changes no tool can see (https://expressjs.com/en/guide/migrating-5.html)"
                    .to_string()
            });
        }
    }
}

/// A call on something named like an Express object (`res`, `req`, `app`, `router`) with a signature Express 5
/// removed: worth a finding when the file cannot prove what the object is.
fn looks_deprecated(cx: &FileContext<'_>, call: &MemberCall) -> bool {
    let back = |v: &Value| matches!(v, Value::Str(s, _) if s == "back");
    let numeric = |v: &Value| {
        let t = cx.text(v.range());
        !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit())
    };
    match (call.object.as_str(), call.method.as_str(), &call.args[..]) {
        ("res" | "response", "send", [only]) => numeric(only),
        ("res" | "response", "send" | "json" | "jsonp", [_, _]) => true,
        ("res" | "response", "sendfile", _) => true,
        // (Express 5 keeps `res.redirect(status, url)`: only `res.redirect(url, status)` is gone.)
        ("res" | "response", "redirect", [first, second]) => !is_status(cx, first) || back(second),
        ("res" | "response", "redirect" | "location", [only]) => back(only),
        ("req" | "request", "param" | "acceptsCharset" | "acceptsEncoding" | "acceptsLanguage", _) => true,
        ("app" | "router", "del", _) => true,
        _ => false,
    }
}

fn report(cx: &FileContext<'_>, plan: &mut FilePlan, rule: &str, at: usize, message: &str) {
    plan.findings.push(cx.finding(rule, at, message.to_string()));
}

fn rename(plan: &mut FilePlan, call: &MemberCall) {
    if let Some(to) = data().renames.get(&*call.method) {
        plan.edits.push(Edit::replace(call.method_range, to.clone()));
    }
}

fn is_number_text(cx: &FileContext<'_>, value: Option<&Value>) -> bool {
    value.is_some_and(|v| {
        let t = cx.text(v.range());
        !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit() || b == b'.')
    })
}

/// A status argument: an integer literal, or a name that says it is one.
fn is_status(cx: &FileContext<'_>, value: &Value) -> bool {
    let text = cx.text(value.range());
    let integer = text.len() == 3 && text.bytes().all(|b| b.is_ascii_digit());
    integer || matches!(value, Value::Ident(name, _) if data().status_names.iter().any(|n| name == n))
}

/// `res.send(404)` -> `res.sendStatus(404)`; `res.json(obj, 201)` / `res.json(201, obj)` -> `res.status(201).json(obj)`.
fn status_first(cx: &FileContext<'_>, plan: &mut FilePlan, call: &MemberCall) {
    match &call.args[..] {
        [only]
            if call.method == "send"
                && cx.text(only.range()).bytes().all(|b| b.is_ascii_digit())
                && !cx.text(only.range()).is_empty() =>
        {
            plan.edits.push(Edit::replace(call.method_range, "sendStatus"));
        }
        [a, b] => {
            let (status, body) = match (is_status(cx, a), is_status(cx, b)) {
                (false, true) => (b, a),
                (true, false) => (a, b),
                (true, true) => {
                    report(
                        cx,
                        plan,
                        "ambiguous-status",
                        call.range.start(),
                        "both arguments look like a status: rewrite as res.status(code).send(body) by hand",
                    );
                    return;
                }
                (false, false) => {
                    report(
                        cx,
                        plan,
                        "two-arguments",
                        call.range.start(),
                        "res.send/json/jsonp with two arguments is gone in Express 5 and neither argument is certainly \
                         the status: rewrite as res.status(code).send(body) by hand",
                    );
                    return;
                }
            };
            // Small edits (insert `status(S).`, drop the status argument) leave the body argument's bytes alone, so
            // that other rewrites inside it (`req.param('id')`) still apply.
            let status_text = cx.text(status.range()).to_string();
            plan.edits.push(Edit::insert(call.method_range.start(), format!("status({status_text}).")));
            let removed = if status.range().start() > body.range().start() {
                body.range().end()..status.range().end()
            } else {
                status.range().start()..body.range().start()
            };
            plan.edits.push(Edit::replace(removed, ""));
        }
        _ => {}
    }
}

/// `res.redirect(url, 301)` -> `res.redirect(301, url)`; `'back'` -> the Referrer header with a `'/'` fallback.
fn redirect(cx: &FileContext<'_>, plan: &mut FilePlan, call: &MemberCall, handler: &Handler) {
    let back = |value: &Value| matches!(value, Value::Str(s, _) if s == "back");
    let referrer = || -> Option<String> {
        let req = handler.req.as_deref()?;
        codegen::render_expr(&format!("{req}.get('Referrer') || '/'"), &cx.facts.style).ok()
    };
    match &call.args[..] {
        [only] if back(only) => match referrer() {
            Some(text) => plan.edits.push(Edit::replace(only.range(), text)),
            None => {
                report(cx, plan, "back", call.range.start(), "'back' is gone in Express 5: use the Referrer header")
            }
        },
        [url, status] if call.method == "redirect" && is_status(cx, status) && !is_status(cx, url) => {
            let url_text = if back(url) { referrer().unwrap_or_default() } else { cx.text(url.range()).to_string() };
            if url_text.is_empty() {
                return;
            }
            // The two arguments trade places, each keeping its own layout.
            plan.edits.push(Edit::replace(url.range(), cx.text(status.range()).to_string()));
            plan.edits.push(Edit::replace(status.range(), url_text));
        }
        [status, url] if call.method == "redirect" && back(url) && is_status(cx, status) => {
            if let Some(text) = referrer() {
                plan.edits.push(Edit::replace(url.range(), text));
            }
        }
        _ => {}
    }
}

/// `req.param('id')` -> `req.params.id` when the route has `:id`, else Express 4's lookup order spelled out.
fn req_param(cx: &FileContext<'_>, plan: &mut FilePlan, call: &MemberCall, handler: &Handler, all: &[Handler]) {
    let (name, default) = match &call.args[..] {
        [Value::Str(name, _)] => (name, None),
        [Value::Str(name, _), default] => (name, Some(cx.text(default.range()).to_string())),
        _ => {
            report(
                cx,
                plan,
                "req-param",
                call.range.start(),
                "req.param() is gone in Express 5: read req.params, req.body or req.query",
            );
            return;
        }
    };
    let req = &call.object;
    let key = |object: &str| {
        if codegen::is_identifier(name) {
            format!("{object}.{name}")
        } else {
            format!("{object}[{}]", cx.quoted(name))
        }
    };
    // A handler registered on several routes reads `req.params.x` only when every one of them declares `:x`.
    let declares = |h: &Handler| {
        h.path.as_ref().is_some_and(|(path, _)| {
            // (An optional parameter, `:id?`, may be absent: then req.param() read the body and the query.)
            path.split(['/', '-', '.'])
                .any(|segment| segment.starts_with(':') && segment.trim_start_matches(':') == name)
        })
    };
    let in_route = all.iter().filter(|h| h.body == handler.body).all(declares);
    let (params, query) = (key(&format!("{req}.params")), key(&format!("{req}.query")));
    // (In a file written in ES5, `a ?? b` is `a != null ? a : b`, and `req.body?.x` is guarded with `req.body &&`.)
    let text = if cx.facts.style.es5 {
        let mut reads = vec![(params.clone(), params)];
        if !in_route {
            reads.push((format!("{req}.body && {}", key(&format!("{req}.body"))), key(&format!("{req}.body"))));
            reads.push((query.clone(), query));
        }
        let last = match &default {
            Some(d) => d.clone(),
            None => reads.pop().map(|(_, read)| read).unwrap_or_default(),
        };
        let chain = reads.iter().rev().fold(last, |rest, (test, read)| format!("{test} != null ? {read} : {rest}"));
        if reads.is_empty() {
            chain
        } else {
            format!("({chain})")
        }
    } else if in_route {
        match &default {
            Some(d) => format!("({params} ?? {d})"),
            None => params,
        }
    } else {
        let body = if codegen::is_identifier(name) {
            format!("{req}.body?.{name}")
        } else {
            format!("{req}.body?.[{}]", cx.quoted(name))
        };
        let fallback = default.as_ref().map(|d| format!(" ?? {d}")).unwrap_or_default();
        format!("({params} ?? {body} ?? {query}{fallback})")
    };
    plan.edits.push(Edit::replace(call.range, text));
}

/// `res.clearCookie(name, { maxAge, expires })`: Express 5 ignores both; they go.
fn clear_cookie(cx: &FileContext<'_>, plan: &mut FilePlan, call: &MemberCall) {
    let Some(Value::Object(options)) = call.args.get(1) else { return };
    let code = &cx.file.code;
    let dropped = |p: &crate::values::Property| matches!(p.key.as_deref(), Some("maxAge") | Some("expires"));
    // Nothing would be left: the whole options argument goes.
    if options.spreads.is_empty()
        && !options.props.is_empty()
        && options.props.iter().all(dropped)
        && call.args.len() == 2
    {
        plan.edits.push(Edit::replace(call.args[0].range().end()..options.range.end(), ""));
        return;
    }
    for prop in options.props.iter().filter(|p| matches!(p.key.as_deref(), Some("maxAge") | Some("expires"))) {
        // The property and the comma and spaces after it (or before it, for the last one).
        let mut end = prop.range.end();
        let rest = &code[end..options.range.end() - 1];
        let trimmed = rest.trim_start();
        if let Some(after_comma) = trimmed.strip_prefix(',') {
            end += rest.len() - trimmed.len() + 1;
            end += after_comma.len() - after_comma.trim_start().len();
            plan.edits.push(Edit::replace(prop.range.start()..end, ""));
        } else {
            let before = &code[options.range.start() + 1..prop.range.start()];
            let start = before.rfind(',').map_or(prop.range.start(), |i| options.range.start() + 1 + i);
            plan.edits.push(Edit::replace(start..prop.range.end(), ""));
        }
    }
}

/// `app.listen(port, () => ...)`: in Express 5 the callback receives errors.
fn listen_callback(cx: &FileContext<'_>, plan: &mut FilePlan, call: &MemberCall) {
    let Some(last) = call.args.last() else { return };
    let Some(function) = cx.facts.functions.iter().find(|f| f.range == last.range()) else { return };
    if function.params.is_empty() {
        report(
            cx,
            plan,
            "listen-error",
            call.range.start(),
            "in Express 5 the app.listen callback receives the error (a port in use no longer throws): take an error \
             argument and handle it",
        );
    }
}

/// Route strings: `*` named, `:id?` as `{/:id}`, reserved characters reported.
fn route_strings(cx: &FileContext<'_>, plan: &mut FilePlan, routers: &[&str], mode: Mode) {
    let facts = cx.facts;
    let mut seen = Vec::new();
    for registration in facts.registrations().iter() {
        if let Some((template, range)) = &registration.template {
            template_route(cx, plan, routers, registration, template, range, mode);
        }
        if let Some((name, range)) = &registration.path_name {
            named_route(cx, plan, routers, registration, (name, range), mode);
        }
        // A path, or each path of an array (`app.get(['/a', '/a/*'], h)`).
        let in_array = registration.path.is_none();
        for (path, range) in registration.path.iter().chain(&registration.paths) {
            if seen.contains(range) {
                continue;
            }
            seen.push(*range);
            route_string(cx, plan, routers, registration, (path, range, in_array), mode);
        }
    }
}

/// Whether a route built at run time or read from a name (`${base}/:id`, `base + '/:id'`, `route`) on the receiver
/// of `registration` is one Express reads: the receiver is shown to be an app or router (the first), or named like
/// one (`this.router`, `this.app`, `this` itself: an app's method) and given a handler (the second); `None` when
/// neither (a URL given to an HTTP client: `graph.get(`${url}?fields=id`, cb)`).
fn run_time_route(
    cx: &FileContext<'_>,
    routers: &[&str],
    registration: &crate::analysis::Registration,
) -> Option<bool> {
    if registration.handlers.is_empty() {
        return None;
    }
    let at = registration.range.start();
    let express = handlers::is_express_receiver(cx.facts, cx.links, routers, &registration.receiver, at);
    let named_like_one = match &registration.receiver {
        Receiver::Path(path) => {
            let last = path.rsplit('.').next().unwrap_or_default();
            path == "this" || last == "app" || last.to_ascii_lowercase().ends_with("router")
        }
        _ => false,
    };
    (express || named_like_one).then_some(express)
}

/// A route read from a name (`app.get(route, h)`) declared in the file with a string in Express 4's syntax that
/// Express 5 reads otherwise (`const route = '/users/:id?'`): the name may be read elsewhere too, so the string is
/// not rewritten: reported (it holds the major back).
fn named_route(
    cx: &FileContext<'_>,
    plan: &mut FilePlan,
    routers: &[&str],
    registration: &crate::analysis::Registration,
    (name, range): (&str, &ByteRange),
    mode: Mode,
) {
    let Some(express) = run_time_route(cx, routers, registration) else { return };
    let Some(declaration) = cx.facts.declaration(name, range.start()) else { return };
    let Some(Value::Str(path, literal)) = &declaration.init else { return };
    if !path.starts_with('/') || !needs_migration(path, mode) {
        return;
    }
    let subject = format!("the route `{name}` is declared as {}, a string that", cx.text(*literal));
    report_run_time_route(cx, plan, express, range.start(), &subject, "a route read from a name");
}

/// Reports a route built at run time or read from a name whose text Express 5 reads otherwise: `subject` says which
/// (`the route ... is a template literal whose text`), `kind` what kind of route is not rewritten.
fn report_run_time_route(
    cx: &FileContext<'_>,
    plan: &mut FilePlan,
    express: bool,
    at: usize,
    subject: &str,
    kind: &str,
) {
    report(
        cx,
        plan,
        if express { "reserved" } else { "unverified" },
        at,
        &format!(
            "{subject} uses Express 4's route syntax, which Express 5 reads otherwise (an inline pattern such as \
             :id(\\d+) throws at start, :id? and a bare * must be written {{/:id}} and /*splat): {kind} is not \
             rewritten, migrate it by hand"
        ),
    );
}

/// A route built at run time, as a template literal (`${this.path}/:id(\\d+)`) or a concatenation (`base +
/// '/:id?'`): its literal parts in Express 4's syntax that Express 5 reads otherwise (an inline pattern, `:id?`, a
/// bare `*`) make the route throw at start or match something else. It is not rewritten: reported (it holds the
/// major back).
fn template_route(
    cx: &FileContext<'_>,
    plan: &mut FilePlan,
    routers: &[&str],
    registration: &crate::analysis::Registration,
    template: &str,
    range: &ByteRange,
    mode: Mode,
) {
    // A route starts with a slash, or with an expression and a slash (`${this.path}/:id`); on an object not shown to
    // be an app or router, only one named like one is taken for it ([`run_time_route`]).
    let Some(express) = run_time_route(cx, routers, registration) else { return };
    let hole = crate::analysis::TEMPLATE_HOLE;
    let path_like = template.starts_with('/') || template.strip_prefix(hole).is_some_and(|t| t.starts_with('/'));
    if !path_like {
        return;
    }
    // (Each expression read as a plain segment name: what it holds at run time is not known here.)
    let literal = template.replace(hole, "x");
    if !needs_migration(&literal, mode) {
        return;
    }
    let written = cx.text(*range);
    let what = if written.starts_with('`') { "a template literal" } else { "a concatenation" };
    // (On an object not shown to be an app or router, `this.router` of a controller class, it is reported all the
    // same: as a route string there is, it may throw at start.)
    let subject = format!("the route {written} is {what} whose text");
    report_run_time_route(cx, plan, express, range.start(), &subject, "a route built at run time");
}

/// Whether Express 4 could match a request with the route string `path`: its router (path-to-regexp 0.1) makes
/// `^` + the string a regular expression, and every request path starts with `/`, so a string that starts with a
/// letter, a digit, a space, `.` (escaped) or `:` (a parameter with no slash before it cannot hold one) matches
/// nothing: an SQL statement or a URL given to `db.get(...)` or `client.get(...)`, not a route. (`''`, `/`, `*`,
/// `(` or `[` may match.)
fn may_match_a_request(path: &str) -> bool {
    path.chars().next().is_none_or(|c| !(c.is_alphanumeric() || c.is_whitespace() || c == '.' || c == ':'))
}

/// Whether the receiver `receiver` at `at` is a name the project shows another package made with `new`: declared
/// here as `new sqlite3.Database(...)`, or imported from a module of the project that exports such a value (the
/// package listed in package.json, or in its workspace root's, and none of Express's own or a router's), so not an
/// Express app or router.
fn made_by_another_package(cx: &FileContext<'_>, receiver: &Receiver, at: usize) -> bool {
    let Receiver::Path(name) = receiver else { return false };
    if name.contains('.') {
        return false;
    }
    let other_package = |module: &str| {
        let mut parts = module.split('/');
        let first = parts.next().unwrap_or_default();
        let package = if first.starts_with('@') {
            match parts.next() {
                Some(second) => format!("{first}/{second}"),
                None => return false,
            }
        } else {
            first.to_string()
        };
        !package.is_empty()
            && !package.contains("express")
            && !package.contains("router")
            && cx.project.listed(&package).is_some()
    };
    if let Some(declaration) = cx.facts.declaration(name, at) {
        if let Some(Value::New(call)) = &declaration.init {
            let module = call.callee.as_ref().and_then(|c| c.binding.as_ref()).map(|b| b.module.as_str());
            return module.is_some_and(other_package);
        }
    }
    cx.links.imported_instances.iter().any(|i| i.local == **name && i.is_new && other_package(&i.module))
}

/// One route string of `registration`: rewritten, or reported.
fn route_string(
    cx: &FileContext<'_>,
    plan: &mut FilePlan,
    routers: &[&str],
    registration: &crate::analysis::Registration,
    (path, range, in_array): (&str, &ByteRange, bool),
    mode: Mode,
) {
    if !needs_migration(path, mode) {
        return;
    }
    let facts = cx.facts;
    if !handlers::is_express_receiver(facts, cx.links, routers, &registration.receiver, registration.range.start()) {
        // A route registered with a function on an object this project does not show to be an app or router
        // (`server.app.get('*', ...)`, an app reached through a getter): its string may throw at start on
        // Express 5, so it is reported, and holds the major back. Not a string no request path can match
        // (`db.get('SELECT ... = ?', cb)`), nor a call on an object the project shows another package made.
        if !registration.handlers.is_empty()
            && may_match_a_request(path)
            && !made_by_another_package(cx, &registration.receiver, registration.range.start())
        {
            let object = match &registration.receiver {
                Receiver::Path(p) => format!("`{p}`"),
                _ => "the object".to_string(),
            };
            report(
                cx,
                plan,
                "unverified",
                range.start(),
                &format!(
                    "the route `{path}` needs Express 5's route syntax, but this project does not show that {object} \
                     is an Express app or router: not rewritten, migrate it by hand"
                ),
            );
        }
        return;
    }
    let rewrite = rewrite_path(path);
    let named_wildcard = match &rewrite {
        PathRewrite::New(new) => new.contains("*splat"),
        PathRewrite::Paths(paths) => paths.iter().any(|p| p.contains("*splat")),
        _ => false,
    };
    if named_wildcard {
        // Express 4 gave the wildcard as req.params[0], Express 5 as req.params.splat (an array): a handler of the
        // route that is not known here may read the old name, and the app would answer differently with no error.
        let start = registration.range.start();
        let unknown: Vec<&str> =
            cx.links.unknown_handlers.iter().filter(|(at, _)| *at == start).map(|(_, name)| name.as_str()).collect();
        if !unknown.is_empty() {
            let names = unknown.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ");
            let message = format!(
                "the wildcard of the route `{path}` is req.params[0] in Express 4 and req.params.splat (an array of \
                 segments) in Express 5, and this route's handler {names} is not a function this project shows: if it \
                 reads req.params[0], migrate it by hand"
            );
            report(cx, plan, "unverified", range.start(), &message);
        }
    }
    match rewrite {
        // On a project already on 5, a string its router throws on that has no Express 5 spelling here (`/:a:b`, an
        // unbalanced brace).
        PathRewrite::Same => report(
            cx,
            plan,
            "reserved",
            range.start(),
            "Express 5's router (path-to-regexp 8) throws on this route string when the app starts: rewrite it by \
             hand (a name after each : and *, text between two parameters, balanced braces)",
        ),
        // Express 4 reads Express 5's route syntax literally (`'/{*splat}'` matches that text only): with the major
        // held back, the route strings stay as they are.
        PathRewrite::New(_) | PathRewrite::Paths(_) if held_back(cx, mode) => {}
        PathRewrite::New(new) => {
            plan.edits.push(Edit::replace(*range, literal(cx, range, &new)));
        }
        PathRewrite::Paths(paths) => {
            let items: Vec<String> = paths.iter().map(|p| literal(cx, range, p)).collect();
            // In an array already, the paths join its elements.
            let text = if in_array { items.join(", ") } else { format!("[{}]", items.join(", ")) };
            plan.edits.push(Edit::replace(*range, text));
        }
        // The same matches on Express 4 and 5: written whatever the version. A mount path (`.use`) matches a prefix,
        // which the literal does not say.
        PathRewrite::Regex(regex)
            if registration.method != "use"
                && !routing_options(cx)
                && !(cx.file.kind != crate::source::SourceKind::JavaScript
                    && cx.project.ts_before_es2018
                    && regex.contains("(?<")) =>
        {
            plan.edits.push(Edit::replace(*range, regex));
        }
        PathRewrite::Regex(_) | PathRewrite::Reserved => report(
            cx,
            plan,
            "reserved",
            range.start(),
            "this route uses characters path-to-regexp 8 reserves (( ) [ ] ? + !): rewrite it by hand (escape them, \
             or split it into an array of paths)",
        ),
    }
}

/// Whether the file sets case-sensitive or strict routing (`app.set('case sensitive routing', true)`,
/// `express.Router({ strict: true })`): the expressions written for Express 4's strings assume its defaults
/// (case-insensitive, an optional trailing slash), so such routes are reported instead.
fn routing_options(cx: &FileContext<'_>) -> bool {
    let code = &cx.file.code;
    ["case sensitive routing", "strict routing", "caseSensitive", "strict:"].iter().any(|s| code.contains(s))
}

/// `value` as a string literal in the quote of the literal at `range` (escaped: a route's `\\:` or `'` stays what it
/// was; the other quote when that avoids an escape).
fn literal(cx: &FileContext<'_>, range: &ByteRange, value: &str) -> String {
    let quote = cx.text(*range).chars().next().filter(|q| *q == '"' || *q == '\'').unwrap_or('\'');
    codegen::str_lit(value, quote).raw.map(|r| r.to_string()).unwrap_or_default()
}

/// What becomes of a route path.
#[derive(Debug, PartialEq, Eq)]
pub enum PathRewrite {
    /// Nothing to do.
    Same,
    /// The Express 5 spelling.
    New(String),
    /// Several paths (an array literal) that together match what the old string matched.
    Paths(Vec<String>),
    /// A regular expression literal with named groups that matches what the old string matched, on Express 4 and 5
    /// alike (`'/users/:id(\\d+)'` -> `/^\/users(?:\/(?<id>\d+))\/?$/i`): path-to-regexp 8 has no inline patterns.
    Regex(String),
    /// Reserved characters whose meaning is not certain.
    Reserved,
}

/// Any Express 4 route string as the regular expression Express 4 itself compiled it to (path-to-regexp 0.1.13's
/// `pathToRegexp(path, keys, { end: true, strict: false, sensitive: false })`, ported step by step), each named
/// parameter's group named after it: the same matches and the same `req.params` (named and numbered) on Express 4
/// and 5. `None` when a parameter name cannot name a group (it starts with a digit, or is used twice).
pub fn express4_regex(path: &str) -> Option<String> {
    // Express 5's router counts an escaped `\\(` as a group, and would number the parameters after it wrongly.
    if path.contains("\\(") {
        return None;
    }
    let chars: Vec<char> = path.chars().collect();
    let text = |from: usize, to: usize| -> String { chars[from..to].iter().collect() };
    let word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let mut out = String::new();
    let mut backtrack = String::new();
    let mut pos = 0;
    let mut names: Vec<String> = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        // `\\.`: an escaped character.
        if c == '\\' && i + 1 < chars.len() {
            let m = text(i, i + 2);
            backtrack.push_str(&m);
            pos += 2;
            out.push_str(&m);
            i += 2;
            continue;
        }
        // `(\/)?(\.)?:(\w+)(\(.*?\))?(\*)?(\?)?`: a parameter.
        let mut j = i;
        let slash = chars.get(j) == Some(&'/');
        if slash {
            j += 1;
        }
        let format = chars.get(j) == Some(&'.');
        if format {
            j += 1;
        }
        if chars.get(j) == Some(&':') && chars.get(j + 1).is_some_and(|c| word(*c)) {
            let key_start = j + 1;
            let mut k = key_start;
            while k < chars.len() && word(chars[k]) {
                k += 1;
            }
            let key = text(key_start, k);
            let mut capture = None;
            if chars.get(k) == Some(&'(') {
                if let Some(close) = chars[k + 1..].iter().position(|c| *c == ')') {
                    capture = Some(text(k, k + 1 + close + 1));
                    k = k + 1 + close + 1;
                }
            }
            let star = chars.get(k) == Some(&'*');
            if star {
                k += 1;
            }
            let optional = chars.get(k) == Some(&'?');
            if optional {
                k += 1;
            }
            if slash || format {
                backtrack.clear();
            } else {
                backtrack.push_str(&text(pos.min(i), i));
            }
            pos = k;
            let format_re = if format { "\\." } else { "" };
            let capture = match capture {
                // (`\\.|\*` once, not globally, as path-to-regexp does.)
                Some(c) => replace_first_star(&c),
                None if !backtrack.is_empty() => format!("((?:(?!/|{backtrack}).)+?)"),
                None => format!("([^/{format_re}]+?)"),
            };
            if key.starts_with(|c: char| c.is_ascii_digit()) || names.contains(&key) {
                return None;
            }
            // The parameter's group is named after it (a group that opens with `(?` is not one: give up).
            let named = capture.strip_prefix('(').filter(|rest| !rest.starts_with('?'))?;
            let star_re = if star { format!("((?:[/{format_re}].+?)?)") } else { String::new() };
            out.push_str(&format!(
                "(?:{format_re}{}(?<{key}>{named}{star_re}){}",
                if slash { "/" } else { "" },
                if optional { "?" } else { "" }
            ));
            names.push(key);
            backtrack.clear();
            i = k;
            continue;
        }
        match c {
            '.' => {
                backtrack.push_str("\\.");
                pos += 1;
                out.push_str("\\.");
                i += 1;
            }
            '*' => {
                backtrack.clear();
                pos = i + 1;
                out.push_str("(.*)");
                i += 1;
            }
            '/' if chars.get(i + 1) == Some(&'(') => {
                backtrack.push_str(&text(pos.min(i), i));
                backtrack.push('/');
                pos = i + 2;
                out.push_str("/(?:");
                i += 2;
            }
            other => {
                out.push(other);
                i += 1;
            }
        }
    }
    out.push_str(if out.ends_with('/') { "?" } else { "/?" });
    if !balanced(&out) || !valid_regex(&out) {
        // (Express 4 compiled it to something that is no regular expression either.)
        return None;
    }
    // As a literal: every `/` escaped.
    let mut literal = String::from("/^");
    let mut escaped = false;
    for c in out.chars() {
        if c == '/' && !escaped {
            literal.push('\\');
        }
        escaped = c == '\\' && !escaped;
        literal.push(c);
    }
    literal.push_str("$/i");
    Some(literal)
}

/// Whether a regular expression source written here can compile: balanced, and no quantifier with nothing to repeat
/// (`(*)`, `(?<id>+)`, `|?`), which JavaScript rejects when the file loads (the parser does not check).
fn valid_regex(source: &str) -> bool {
    if !balanced(source) {
        return false;
    }
    let chars: Vec<char> = source.chars().collect();
    let mut i = 0;
    let mut in_class = false;
    // Whether the next character starts an atom: at the start, after `(` (and its `?:`/`?<name>` prefix) or `|`.
    let mut fresh = true;
    while i < chars.len() {
        let c = chars[i];
        if in_class {
            match c {
                '\\' => i += 1,
                ']' => in_class = false,
                _ => {}
            }
            i += 1;
            fresh = false;
            continue;
        }
        match c {
            '\\' => {
                i += 2;
                fresh = false;
                continue;
            }
            '*' | '+' | '?' | '{' if fresh => return false,
            // `++`, `*+`: a quantifier of a quantifier (`*?`, `+?`, `??` are lazy, and fine).
            '*' | '+' if i > 0 && matches!(chars[i - 1], '*' | '+' | '?') && !(i > 1 && chars[i - 2] == '\\') => {
                return false
            }
            '[' => in_class = true,
            '(' => {
                // Skip a group prefix: `?:`, `?=`, `?!`, `?<name>`.
                if chars.get(i + 1) == Some(&'?') {
                    match chars.get(i + 2) {
                        Some(':' | '=' | '!') => i += 2,
                        Some('<') => {
                            let Some(close) = chars[i..].iter().position(|c| *c == '>') else { return false };
                            i += close;
                        }
                        _ => return false,
                    }
                }
                i += 1;
                fresh = true;
                continue;
            }
            '|' | '^' => {
                i += 1;
                fresh = true;
                continue;
            }
            _ => {}
        }
        i += 1;
        fresh = false;
    }
    true
}

/// Whether the groups and classes of a regular expression's source are balanced (escapes skipped).
fn balanced(source: &str) -> bool {
    let mut depth = 0usize;
    let mut in_class = false;
    let mut chars = source.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                chars.next();
            }
            '[' if !in_class => in_class = true,
            ']' if in_class => in_class = false,
            '(' if !in_class => depth += 1,
            ')' if !in_class => match depth.checked_sub(1) {
                Some(d) => depth = d,
                None => return false,
            },
            _ => {}
        }
    }
    depth == 0 && !in_class
}

/// path-to-regexp 0.1's `capture.replace(/\\.|\*/, ...)`: the first `*` that is not escaped becomes `(.*)`, once.
fn replace_first_star(capture: &str) -> String {
    let mut out = String::new();
    let mut chars = capture.chars().peekable();
    let mut done = false;
    while let Some(c) = chars.next() {
        if done {
            out.push(c);
            continue;
        }
        match c {
            '\\' => {
                out.push(c);
                if let Some(next) = chars.next() {
                    out.push(next);
                }
                done = true;
            }
            '*' => {
                out.push_str("(.*)");
                done = true;
            }
            other => out.push(other),
        }
    }
    out
}

/// `'*'` -> `'/{*splat}'`, `'/files/*'` -> `'/files/{*splat}'`, `'/a/*/b'` -> `'/a/*splat/b'`, `'/users/:id?'` ->
/// `'/users{/:id}'`.
pub fn rewrite_path(path: &str) -> PathRewrite {
    if is_express5_syntax(path) {
        return PathRewrite::Same;
    }
    // A bare `*` matched every path, the root included: `/{*splat}` still does (`/*splat` would not match `/`).
    if path == "*" {
        return PathRewrite::New("/{*splat}".to_string());
    }
    let segments: Vec<&str> = path.split('/').collect();
    let word = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    let stars = path.matches('*').count();
    let simple_optional = |s: &str| s.len() > 2 && s.starts_with(':') && s.ends_with('?') && word(&s[1..s.len() - 1]);
    let optionals = segments.iter().skip(1).filter(|s| simple_optional(s)).count();
    // Express 5's spelling for the simple cases only: one final `*` segment (it matched nothing too: `/files/*`
    // matched `/files/`, `/{*splat}` and `/files/{*splat}` still do), or `:name?` segments without a wildcard.
    let final_star = stars == 1 && segments.len() > 1 && segments.last() == Some(&"*");
    let others_plain = |skip_last: bool| {
        let n = segments.len() - usize::from(skip_last);
        segments[..n].iter().enumerate().all(|(i, s)| {
            (i > 0 && simple_optional(s) && !final_star)
                || (!s.contains(['(', ')', '[', ']', '?', '+', '!', '*', '.', '-', '\\', '$', '^', '|'])
                    && (!s.contains(':') || (s.starts_with(':') && word(&s[1..]))))
        })
    };
    if final_star && others_plain(true) && optionals == 0 {
        let head = &path[..path.len() - 1];
        return PathRewrite::New(format!("{head}{{*splat}}"));
    }
    if stars == 0 && optionals > 0 && others_plain(false) {
        let mut out = String::new();
        for (i, segment) in segments.iter().enumerate() {
            if i > 0 && simple_optional(segment) {
                // An optional parameter takes its slash into the braces.
                out.push_str(&format!("{{/{}}}", &segment[..segment.len() - 1]));
            } else {
                if i > 0 {
                    out.push('/');
                }
                out.push_str(segment);
            }
        }
        return PathRewrite::New(out);
    }
    let special =
        |s: &str| s.contains(['(', ')', '[', ']', '?', '+', '!', '*']) || s.contains(".:") || s.contains("-:");
    if !segments.iter().any(|s| special(s)) {
        return PathRewrite::Same;
    }
    match optional_character(path) {
        // Anything else: the expression Express 4 compiled the string to.
        PathRewrite::Reserved => express4_regex(path).map_or(PathRewrite::Reserved, PathRewrite::Regex),
        other => other,
    }
}

/// Whether the route syntax waits for the move to 5: Express 4 reads Express 5's route syntax literally, so with the
/// major held back the strings stay; a project on Express 5 already is not held back by anything.
fn held_back(cx: &FileContext<'_>, mode: Mode) -> bool {
    mode == Mode::Migrate && cx.options.held_back
}

/// Whether the route string `path` is migrated: on the move to 5, every string Express 5 reads otherwise than 4 did;
/// on a project already on 5, only a string its router throws on (any other may have been written for 5).
fn needs_migration(path: &str, mode: Mode) -> bool {
    match mode {
        Mode::Migrate => !matches!(rewrite_path(path), PathRewrite::Same),
        Mode::Repair => rejected_by_express5(path),
    }
}

/// Whether Express 5's router throws on the route string `path` when it is registered (path-to-regexp 8's `parse`
/// and `pathToRegexp`, read in its 8.3 source): a reserved character (`( ) [ ] + ? !`) outside an escape, a `:` or
/// `*` without a name (a name starts with a letter, `$` or `_`, or is quoted: `:"a b"`), a `{ }` group left open or
/// closed twice, two parameters with no text between them in one of the paths the groups make (`/:a:b`,
/// `/:a{:b}`), or over 256 such paths. Everything else is a route Express 5 runs, whatever Express 4 made of it
/// (`/:file.:ext`, `/ab*cd`): on a project already on Express 5 it is left as written.
pub fn rejected_by_express5(path: &str) -> bool {
    /// A token that matters for the checks: text, a parameter or wildcard, or a group.
    enum Token {
        Text,
        Capture,
        Group(Vec<Token>),
    }
    fn name(chars: &[char], i: &mut usize) -> bool {
        match chars.get(*i) {
            Some('"') => {
                let mut empty = true;
                *i += 1;
                while let Some(&c) = chars.get(*i) {
                    *i += 1;
                    match c {
                        '"' => return !empty,
                        '\\' => {
                            if chars.get(*i).is_some() {
                                empty = false;
                                *i += 1;
                            }
                        }
                        _ => empty = false,
                    }
                }
                false
            }
            Some(&c) if c == '$' || c == '_' || c.is_alphabetic() => {
                *i += 1;
                while chars
                    .get(*i)
                    .is_some_and(|&c| c == '$' || c == '_' || c == '\u{200c}' || c == '\u{200d}' || c.is_alphanumeric())
                {
                    *i += 1;
                }
                true
            }
            _ => false,
        }
    }
    // `None`: the string does not parse.
    fn tokens(chars: &[char], i: &mut usize, in_group: bool) -> Option<Vec<Token>> {
        let mut out = Vec::new();
        while let Some(&c) = chars.get(*i) {
            *i += 1;
            match c {
                '{' => out.push(Token::Group(tokens(chars, i, true)?)),
                '}' if in_group => return Some(out),
                '}' | '(' | ')' | '[' | ']' | '+' | '?' | '!' => return None,
                '\\' => {
                    *i += 1;
                    out.push(Token::Text);
                }
                ':' | '*' => {
                    if !name(chars, i) {
                        return None;
                    }
                    out.push(Token::Capture);
                }
                _ => out.push(Token::Text),
            }
        }
        // The end of the string inside a group: unbalanced.
        (!in_group).then_some(out)
    }
    // Each path the groups make (a group in or out), as captures (true) and text (false), as path-to-regexp's
    // `flatten` makes them; `None` past 256 of them.
    fn flatten(tokens: &[Token], prefix: Vec<bool>, out: &mut Vec<Vec<bool>>) -> Option<()> {
        let mut sequence = prefix;
        for (at, token) in tokens.iter().enumerate() {
            match token {
                Token::Text => sequence.push(false),
                Token::Capture => sequence.push(true),
                Token::Group(inner) => {
                    // Without the group, then with it; each goes on with the rest.
                    flatten(&tokens[at + 1..], sequence.clone(), out)?;
                    let mut with = Vec::new();
                    flatten(inner, sequence, &mut with)?;
                    for head in with {
                        flatten(&tokens[at + 1..], head, out)?;
                    }
                    return Some(());
                }
            }
        }
        out.push(sequence);
        (out.len() <= 256).then_some(())
    }
    let chars: Vec<char> = path.chars().collect();
    let Some(parsed) = tokens(&chars, &mut 0, false) else { return true };
    let mut paths = Vec::new();
    if flatten(&parsed, Vec::new(), &mut paths).is_none() {
        return true;
    }
    paths.iter().any(|p| p.windows(2).any(|w| w[0] && w[1]))
}

/// Whether a route string is written in Express 5's syntax already (from an earlier run, or by hand): braces outside
/// an inline pattern (`{/:id}`, `/{*splat}`), or a named wildcard starting a segment (`/*splat`).
fn is_express5_syntax(path: &str) -> bool {
    let mut depth = 0usize;
    let mut chars = path.chars().peekable();
    let mut previous = '/';
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                chars.next();
            }
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            '{' | '}' if depth == 0 => return true,
            '*' if depth == 0
                && previous == '/'
                && chars.peek().is_some_and(|n| n.is_ascii_alphabetic() || *n == '_') =>
            {
                return true
            }
            _ => {}
        }
        previous = c;
    }
    false
}
/// `'/colou?r'`: one optional literal character is certain: the two paths it matched, as an array.
fn optional_character(path: &str) -> PathRewrite {
    let reserved = |c: char| "()[]?+!*".contains(c);
    if path.matches('?').count() != 1 || path.chars().filter(|c| reserved(*c)).count() != 1 {
        return PathRewrite::Reserved;
    }
    let Some(at) = path.find('?') else { return PathRewrite::Reserved };
    let before = &path[..at];
    let Some(optional) = before.chars().last().filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_') else {
        return PathRewrite::Reserved;
    };
    // `:name?` is a parameter, handled above; a character of a parameter name (`/users.:format?`) is not literal.
    let segment_start = before.rfind('/').map_or(0, |i| i + 1);
    if before[segment_start..].contains(':') {
        return PathRewrite::Reserved;
    }
    let without = format!("{}{}", &before[..before.len() - optional.len_utf8()], &path[at + 1..]);
    let with = format!("{before}{}", &path[at + 1..]);
    PathRewrite::Paths(vec![without, with])
}

/// `req.params[0]` in handlers of a rewritten wildcard route reads the named wildcard (an array in Express 5).
fn wildcard_reads(cx: &FileContext<'_>, plan: &mut FilePlan, handlers: &[Handler], mode: Mode) {
    for read in cx.facts.property_reads().iter().filter(|r| r.property == "params[0]") {
        let Some(object) = &read.object else { continue };
        let Some(handler) = handlers::request_at(handlers, object, read.range.start()) else { continue };
        // A handler registered on several routes (here or in other modules, or an array of paths) reads the
        // wildcard only when every one of them has one; with some that have none, its value was undefined there on
        // Express 4 and the rewrite cannot keep both: reported.
        let routes: Vec<(String, PathRewrite)> = handlers
            .iter()
            .filter(|h| h.body == handler.body)
            .flat_map(|h| h.route_paths().into_iter())
            .map(|p| (p.to_string(), if needs_migration(p, mode) { rewrite_path(p) } else { PathRewrite::Same }))
            .collect();
        let with_wildcard = |r: &PathRewrite| matches!(r, PathRewrite::New(n) if n.contains("*splat"));
        if routes.is_empty() || !routes.iter().any(|(_, r)| with_wildcard(r)) {
            continue;
        }
        // A route of the handler whose parameters are not known here (a RegExp, a path from another module) still
        // reads `req.params[0]` as before.
        let opaque = handlers.iter().filter(|h| h.body == handler.body).any(|h| h.opaque_path);
        if opaque || !routes.iter().all(|(_, r)| with_wildcard(r)) {
            report(
                cx,
                plan,
                "unverified",
                read.range.start(),
                "req.params[0] is read by a handler of routes with and without a wildcard (or of a route not shown \
                 here): Express 5 names the wildcard, so this read must be migrated by hand (req.params.splat is an \
                 array of segments)",
            );
            continue;
        }
        if held_back(cx, mode) {
            // (The wildcard keeps Express 4's `req.params[0]` while its route keeps Express 4's syntax.)
            continue;
        }
        // An optional wildcard (`{*splat}`) is undefined when it matched nothing, where Express 4 gave ''.
        let optional = routes.iter().any(|(_, r)| matches!(r, PathRewrite::New(n) if n.contains("{*splat}")));
        let slash = cx.quoted("/");
        // @types/express 5 types a param as `string | string[]`: TypeScript needs to be told it is the array.
        let splat = match (cx.file.kind == crate::source::SourceKind::JavaScript, optional) {
            (true, false) => format!("{object}.params.splat"),
            (true, true) => format!("({object}.params.splat || [])"),
            (false, false) => format!("({object}.params.splat as string[])"),
            (false, true) => format!("(({object}.params.splat as string[] | undefined) || [])"),
        };
        // Express 4's bare `*` gave the whole path, its leading slash included.
        let whole_path = routes.iter().all(|(p, _)| p == "*");
        let joined =
            if whole_path { format!("{slash} + {splat}.join({slash})") } else { format!("{splat}.join({slash})") };
        plan.edits.push(Edit::replace(read.range, joined));
        plan.findings.push(cx.finding(
            "wildcard",
            read.range.start(),
            "the wildcard is named splat in Express 5 and its value is an array of segments: joined with '/' here to \
             keep Express 4's string"
                .to_string(),
        ));
    }
}

/// @types/express 5 types each `req.params` value `string | string[]` (a wildcard's value is an array) where 4 typed
/// it `string`: a function whose request is annotated `Request` (from express, no type arguments) and that reads
/// `req.params.id` stops type-checking where the value is used as a string. A handler whose routes are known here (or
/// where another module registers it) gets its routes' parameters as the type argument (`Request<{ id: string }>`,
/// `splat: string[]` for a wildcard, `?` for an optional one), which is what Express 5 gives it; any other such
/// function is reported (`params-untyped`).
fn params_types(cx: &FileContext<'_>, plan: &mut FilePlan, handlers: &[Handler]) {
    if cx.file.kind == crate::source::SourceKind::JavaScript || cx.options.held_back {
        return;
    }
    let facts = cx.facts;
    // express's `Request` (a parameter's type) and `RequestHandler` (a variable's: `const show: RequestHandler = (req,
    // res) => ...`), as this file names them.
    let express_types = |wanted: &str| -> Vec<String> {
        facts
            .bindings
            .iter()
            .chain(facts.type_bindings.iter())
            .filter(|b| b.module == "express")
            .filter_map(|b| match &b.kind {
                ImportKind::Named(name) if name == wanted => Some(b.local.to_string()),
                ImportKind::Module => Some(format!("{}.{wanted}", b.local)),
                _ => None,
            })
            .collect()
    };
    let request_types = express_types("Request");
    let handler_types = express_types("RequestHandler");
    if request_types.is_empty() && handler_types.is_empty() {
        return;
    }
    let text: &str = &cx.file.code;
    let mut done: Vec<usize> = Vec::new();
    let reads = cx.facts.property_reads();
    for read in reads.iter().filter(|r| r.property == "params") {
        let Some(object) = &read.object else { continue };
        // (`req.params[0]` is typed `string` by 5 too: numeric keys are a regular expression's groups.)
        let after = text[read.range.end()..].trim_start();
        if after.strip_prefix('[').is_some_and(|rest| rest.trim_start().starts_with(|c: char| c.is_ascii_digit())) {
            continue;
        }
        let at = read.range.start();
        // The innermost function of which `object` is a parameter.
        let Some(function) = facts
            .functions
            .iter()
            .filter(|f| f.body.start() <= at && at <= f.body.end())
            .filter(|f| f.params.iter().any(|p| p.as_deref() == Some(object.as_str())))
            .min_by_key(|f| f.range.len())
        else {
            continue;
        };
        if done.contains(&function.range.start()) {
            continue;
        }
        done.push(function.range.start());
        let header = function.range.start()..function.body.start();
        // The type of what the function is assigned to (`public show: RequestHandler = async (req: Request, res)
        // => ...`) also types its request: a parameter's type argument it does not give is not assignable to it.
        let declared = declared_type(text, function.range.start());
        let mut handler_annotation = None;
        let annotation = match parameter_type(text, header, object) {
            Some(annotation) if request_types.iter().any(|t| *t == text[annotation.clone()]) => match &declared {
                None => annotation,
                Some(declared) if handler_types.iter().any(|t| *t == text[declared.clone()]) => {
                    handler_annotation = Some(declared.clone());
                    annotation
                }
                Some(declared) => {
                    report(
                        cx,
                        plan,
                        "params-untyped",
                        annotation.start,
                        &format!(
                            "@types/express 5 types each req.params value string | string[] (a wildcard's is an \
                             array), and this function reads {object}.params with its request typed {request}, as the \
                             value of something typed {declared}: where a value is used as a string TypeScript stops \
                             compiling, and a type argument given to the request alone would not match {declared}, \
                             so neither is changed; type both by hand with the parameters of its routes \
                             (RequestHandler<{{ id: string }}> and {request}<{{ id: string }}>)",
                            request = &text[annotation.clone()],
                            declared = &text[declared.clone()]
                        ),
                    );
                    continue;
                }
            },
            Some(_) => continue,
            // An unannotated request of a function whose variable is typed `RequestHandler` (its first parameter).
            None => match declared_type(text, function.range.start()) {
                Some(annotation)
                    if function.params.first().and_then(|p| p.as_deref()) == Some(object.as_str())
                        && handler_types.iter().any(|t| *t == text[annotation.clone()]) =>
                {
                    annotation
                }
                _ => continue,
            },
        };
        let written = &text[annotation.clone()];
        let routes: Vec<&Handler> = handlers.iter().filter(|h| h.body == function.body.range()).collect();
        // The names it reads (`req.params.id`, `const { id } = req.params`): one its routes here do not name (a
        // router made with mergeParams also has its mount path's, `/users/:userId/posts`) leaves it untyped.
        let read_names: Vec<String> = reads
            .iter()
            .filter(|r| r.property == "params" && r.object.as_deref() == Some(object.as_str()))
            .filter(|r| function.body.start() <= r.range.start() && r.range.start() <= function.body.end())
            .flat_map(|r| names_read(text, r.range.range(), object))
            .collect();
        let fields = params_type(&routes)
            .filter(|fields| read_names.iter().all(|name| fields.iter().any(|f| f.name == *name)))
            .map(|fields| ParamField::written(&fields));
        let example = read_names.first().map_or("id", String::as_str);
        match fields {
            Some(fields) => {
                if let Some(declared) = &handler_annotation {
                    plan.edits.push(Edit::insert(declared.end, format!("<{{ {fields} }}>")));
                }
                plan.edits.push(Edit::insert(annotation.end, format!("<{{ {fields} }}>")));
                let also = match &handler_annotation {
                    Some(declared) => format!(", and so is the {} it is assigned to", &text[declared.clone()]),
                    None => String::new(),
                };
                plan.findings.push(cx.finding(
                    "params-type",
                    annotation.start,
                    format!(
                        "@types/express 5 types each req.params value string | string[]: the request is typed with \
                         its route's parameters, {written}<{{ {fields} }}>, as Express 5 gives them{also}"
                    ),
                ));
            }
            None => report(
                cx,
                plan,
                "params-untyped",
                annotation.start,
                &format!(
                    "@types/express 5 types each req.params value string | string[] (a wildcard's is an array), and \
                     this function reads {object}.params with its request typed {written}, for routes not known \
                     here (or with parameters they do not name, as a router with mergeParams has its mount path's): \
                     where a value is used as a string TypeScript stops compiling; type it by hand with the \
                     parameters of its routes ({written}<{{ {example}: string }}>)"
                ),
            ),
        }
    }
}

/// The parameter names read through `object.params` at `params` (the property's bytes): `req.params.id`,
/// `req.params?.id`, `req.params['id']`, `const { id, format: f } = req.params`. Nothing for any other use.
fn names_read(text: &str, params: Range<usize>, object: &str) -> Vec<String> {
    let ident = |s: &str| -> Option<String> {
        let len = identifier_len(s);
        (len > 0).then(|| s[..len].to_string())
    };
    let after = text[params.end..].trim_start();
    let after = after.strip_prefix("?.").map(|a| format!(".{a}")).unwrap_or_else(|| after.to_string());
    if let Some(rest) = after.strip_prefix('.') {
        return ident(rest.trim_start()).into_iter().collect();
    }
    if let Some(rest) = after.strip_prefix('[') {
        let rest = rest.trim_start();
        if let Some(quote) = rest.chars().next().filter(|c| *c == '\'' || *c == '"') {
            let inner = &rest[1..];
            return inner.find(quote).map(|end| inner[..end].to_string()).into_iter().collect();
        }
        return Vec::new();
    }
    // `{ a, b: c } = req.params`
    let before = text[..params.start].trim_end();
    let Some(before) = before.strip_suffix('.').map(str::trim_end).and_then(|b| b.strip_suffix(object)) else {
        return Vec::new();
    };
    let Some(before) = before.trim_end().strip_suffix('=').map(str::trim_end) else { return Vec::new() };
    let Some(inner) = before.strip_suffix('}') else { return Vec::new() };
    let Some(open) = inner.rfind('{') else { return Vec::new() };
    inner[open + 1..]
        .split(',')
        .filter_map(|part| ident(part.trim().trim_start_matches("...")))
        .filter(|name| !name.is_empty())
        .collect()
}

/// The bytes of the type annotation of the parameter `name` in a function's `header` (what comes before its body):
/// `Request` in `(req: Request, res: Response) =>`. `None` without one.
fn parameter_type(text: &str, header: Range<usize>, name: &str) -> Option<Range<usize>> {
    let bytes = text.as_bytes();
    let open = header.start + text[header.clone()].find('(')?;
    let mut depth = 0usize;
    let mut start = open + 1;
    let mut i = open + 1;
    while i < header.end {
        match bytes[i] {
            b'(' | b'<' | b'{' | b'[' => depth += 1,
            b'>' if i > 0 && bytes[i - 1] == b'=' => {}
            b')' | b'>' | b'}' | b']' if depth > 0 => depth -= 1,
            b',' | b')' if depth == 0 => {
                let param = &text[start..i];
                let trimmed = param.trim_start();
                let offset = start + (param.len() - trimmed.len());
                if let Some(rest) = trimmed.strip_prefix(name) {
                    let rest_start = offset + name.len();
                    let after_name = rest.trim_start_matches('?').trim_start();
                    if let Some(ty) = after_name.strip_prefix(':') {
                        let ty_start = rest_start + (rest.len() - ty.len());
                        let lead = ty.len() - ty.trim_start().len();
                        let ty_trimmed = ty.trim();
                        return Some(ty_start + lead..ty_start + lead + ty_trimmed.len());
                    }
                    if identifier_len(rest) == 0 {
                        return None;
                    }
                }
                if bytes[i] == b')' {
                    return None;
                }
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// The type a function is given as the value of a typed variable, `const show: RequestHandler = (req, res) => ...`:
/// the bytes of `RequestHandler` (a name, or a qualified one), when the text before the function (at `start`) is
/// `name: Type =`; `None` for anything else (a type with arguments already, no annotation).
fn declared_type(text: &str, start: usize) -> Option<Range<usize>> {
    let before = text[..start].trim_end().strip_suffix('=')?.trim_end();
    let type_start =
        before.rfind(|c: char| !(c.is_alphanumeric() || c == '_' || c == '$' || c == '.')).map_or(0, |i| i + 1);
    let name = &before[type_start..];
    if name.is_empty() || !before[..type_start].trim_end().ends_with(':') {
        return None;
    }
    Some(type_start..before.len())
}

/// One parameter of `req.params` as Express 5 gives it to a handler.
struct ParamField {
    name: String,
    /// A wildcard's value: an array of segments.
    wildcard: bool,
    /// Absent from some of its routes, or in an optional group.
    optional: bool,
}

impl ParamField {
    /// The fields as an object type's: `id: string; splat?: string[]`.
    fn written(fields: &[ParamField]) -> String {
        let field = |f: &ParamField| {
            let optional = if f.optional { "?" } else { "" };
            format!("{}{optional}: {}", f.name, if f.wildcard { "string[]" } else { "string" })
        };
        fields.iter().map(field).collect::<Vec<_>>().join("; ")
    }
}

/// The parameters of `req.params` that Express 5 gives the handler registered as `routes` (every registration of one
/// function). `None` when a route is not known here (a RegExp, a variable, a registration without a literal path), has
/// no parameter, or one parameter is a string in one route and a wildcard in another.
fn params_type(routes: &[&Handler]) -> Option<Vec<ParamField>> {
    if routes.is_empty() || routes.iter().any(|h| h.opaque_path) {
        return None;
    }
    let mut paths: Vec<String> = Vec::new();
    for path in routes.iter().flat_map(|h| h.route_paths()) {
        match rewrite_path(path) {
            PathRewrite::Same => paths.push(path.to_string()),
            PathRewrite::New(new) => paths.push(new),
            PathRewrite::Paths(each) => paths.extend(each),
            PathRewrite::Regex(_) | PathRewrite::Reserved => return None,
        }
    }
    // name -> (a wildcard, in how many paths, optional in any)
    let mut fields: Vec<(String, bool, usize, bool)> = Vec::new();
    for path in &paths {
        for (name, wildcard, optional) in route_parameters(path)? {
            match fields.iter_mut().find(|f| f.0 == name) {
                Some(field) if field.1 != wildcard => return None,
                Some(field) => {
                    field.2 += 1;
                    field.3 |= optional;
                }
                None => fields.push((name, wildcard, 1, optional)),
            }
        }
    }
    if fields.is_empty() {
        return None;
    }
    let fields = fields.into_iter().map(|(name, wildcard, count, optional)| ParamField {
        name,
        wildcard,
        optional: optional || count < paths.len(),
    });
    Some(fields.collect())
}

/// The length in bytes of the identifier `s` starts with (letters, digits, `_`, `$`): 0 for none.
fn identifier_len(s: &str) -> usize {
    s.find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '$')).unwrap_or(s.len())
}

/// The parameters of an Express 5 route string: (name, a wildcard, inside an optional group). `None` for a quoted
/// name or anything this does not read.
fn route_parameters(path: &str) -> Option<Vec<(String, bool, bool)>> {
    let mut found = Vec::new();
    let mut optional = 0usize;
    let mut chars = path.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' => {
                chars.next();
            }
            '{' => optional += 1,
            '}' => optional = optional.saturating_sub(1),
            ':' | '*' => {
                let rest = &path[i + 1..];
                let len = identifier_len(rest);
                if len == 0 || rest.starts_with(|c: char| c.is_ascii_digit()) {
                    return None;
                }
                found.push((rest[..len].to_string(), c == '*', optional > 0));
                for _ in 0..rest[..len].chars().count() {
                    chars.next();
                }
            }
            _ => {}
        }
    }
    Some(found)
}

/// Middleware registered on an app or router of the project that assigns `req.query` (`app.use(mongoSanitize())`):
/// on Express 5 every request through it fails with "Cannot set property query". Reported (it holds the major back).
fn query_writing_middleware(cx: &FileContext<'_>, plan: &mut FilePlan, routers: &[&str]) {
    let facts = cx.facts;
    for use_ in &facts.uses {
        if !handlers::is_express_receiver(facts, cx.links, routers, &use_.receiver, use_.range.start()) {
            continue;
        }
        for mw in &use_.middleware {
            let module = match facts.resolve(mw) {
                Middleware::CallOf { binding, .. } => binding.module.as_str(),
                Middleware::RequireCall { module } => module.as_str(),
                _ => continue,
            };
            let Some(why) = data().query_writers.get(module) else { continue };
            report(
                cx,
                plan,
                "query-write",
                use_.range.start(),
                &format!("{module} makes every request fail on Express 5 (\"Cannot set property query\"): {why}"),
            );
        }
    }
}

/// Express 5 parses query strings with the `simple` parser (no nested objects, no `a[]=` arrays), Express 4 used
/// `extended` (qs). When the project reads nested query values (`req.query.filter.name`), each app this file creates
/// keeps Express 4's parser: `app.set('query parser', 'extended')` after its creation (the same on Express 4, where
/// it is the default), unless the app sets a parser itself.
fn query_parser(cx: &FileContext<'_>, plan: &mut FilePlan) {
    let Some((file, line)) = &cx.project.nested_query else { return };
    let facts = cx.facts;
    // (An app the code never serves from, [`crate::analysis::ExpressApp::idle`], parses no query.)
    for app in facts.apps.iter().filter(|app| !app.idle) {
        let AppSite::AfterStatement { stmt, receiver } = &app.site else { continue };
        let sets_parser = facts.member_calls().iter().any(|c| {
            c.method == "set"
                && facts.is_app(app, &Receiver::Path(c.object.clone()), c.range.start())
                && matches!(c.args.first(), Some(Value::Str(s, _)) if s == "query parser")
        });
        if sets_parser {
            continue;
        }
        plan.edits.push(imports::app_setting(cx, stmt, receiver, "query parser", &cx.quoted("extended")));
        report(
            cx,
            plan,
            "query-parser",
            app.creation.start(),
            &format!(
                "Express 5 parses query strings without nested objects or `a[]=` arrays, and the project reads a \
                 nested query value ({}:{line}): the app keeps Express 4's parser with app.set('query parser', \
                 'extended')",
                crate::discover::display_path(file)
            ),
        );
    }
}

/// `express.static.mime` and send's `mime` are gone; writes to `req.query` are lost in Express 5.
fn removed_reads(cx: &FileContext<'_>, plan: &mut FilePlan, handlers: &[Handler]) {
    let facts = cx.facts;
    let express = facts.module_names("express");
    let send = facts.module_names("send");
    for read in facts.property_reads().iter() {
        let Some(object) = &read.object else { continue };
        match read.property.as_str() {
            "mime" if express.iter().any(|e| *object == format!("{e}.static")) || send.contains(&object.as_str()) => {
                report(cx, plan, "mime", read.range.start(), "express.static.mime and send.mime are gone in Express 5: use the mime-types package")
            }
            "query-write" if handlers::request_at(handlers, object, read.range.start()).is_some() => report(
                cx,
                plan,
                "query-write",
                read.range.start(),
                "req.query is a getter in Express 5: writes to it are lost; keep the values in a variable or on res.locals",
            ),
            _ => {}
        }
    }
}

/// `req.host` keeps the port in Express 5.
fn host_reads(cx: &FileContext<'_>, plan: &mut FilePlan, handlers: &[Handler]) {
    for read in cx.facts.property_reads().iter().filter(|r| r.property == "host") {
        let Some(object) = &read.object else { continue };
        if handlers::request_at(handlers, object, read.range.start()).is_some() {
            report(
                cx,
                plan,
                "req-host",
                read.range.start(),
                "req.host keeps the port in Express 5: use req.hostname for the name alone",
            );
        }
    }
}

/// `express.static` serves no dotfiles in Express 5 (`.well-known/` included): reported where no `dotfiles` option
/// says what is wanted.
fn static_dotfiles(cx: &FileContext<'_>, plan: &mut FilePlan) {
    for site in cx.facts.calls.iter().filter(|s| !s.is_new) {
        let Some(callee) = &site.call.callee else { continue };
        if !callee.is_export("express", "static") {
            continue;
        }
        let has_option = matches!(site.call.args.get(1), Some(Value::Object(o)) if o.get("dotfiles").is_some());
        if !has_option {
            plan.findings.push(
                cx.finding(
                    "static-dotfiles",
                    site.call.range.start(),
                    "express.static no longer serves dotfiles in Express 5 (a .well-known folder, for one): pass \
                 { dotfiles: 'allow' } if the app relies on them"
                        .to_string(),
                ),
            );
        }
    }
}

/// `express.urlencoded()` without `extended`: Express 5 defaults to false; Express 4's `true` is kept explicitly.
fn urlencoded(cx: &FileContext<'_>, plan: &mut FilePlan) {
    for site in cx.facts.calls.iter().filter(|s| !s.is_new) {
        let Some(callee) = &site.call.callee else { continue };
        if !(callee.is_export("express", "urlencoded") || callee.is_export("body-parser", "urlencoded")) {
            continue;
        }
        match site.call.args.first() {
            None => {
                let open = site.call.callee_range.end();
                plan.edits.push(Edit::replace(open..site.call.range.end(), "({ extended: true })"));
            }
            Some(Value::Object(obj)) if obj.get("extended").is_none() => {
                plan.edits.extend(crate::objects::add_properties(
                    &cx.file.code,
                    &cx.facts.comments,
                    obj,
                    &["extended: true".to_string()],
                    &cx.facts.style,
                ));
            }
            _ => continue,
        }
        plan.findings.push(cx.finding(
            "urlencoded-extended",
            site.call.range.start(),
            "Express 5's urlencoded parser defaults to extended: false (no nested objects from qs); extended: true keeps \
             Express 4's behaviour"
                .to_string(),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_type_of_a_parameter_is_read_from_the_functions_header() {
        fn at<'a>(header: &'a str, name: &str) -> Option<&'a str> {
            parameter_type(header, 0..header.len(), name).map(|r| &header[r])
        }
        assert_eq!(at("(req: Request, res: Response) => ", "req"), Some("Request"));
        assert_eq!(at("function show(err: Error, req: express.Request, res) ", "req"), Some("express.Request"));
        assert_eq!(
            at("async <T>(request: Request<{ id: string }>, res: Response): Promise<T> => ", "request"),
            Some("Request<{ id: string }>")
        );
        assert_eq!(at("(cb: (a: string, b: number) => void, req?: Request) => ", "req"), Some("Request"));
        assert_eq!(at("(request: Request, req) => ", "req"), None, "a longer name is another parameter");
        assert_eq!(at("(req, res: Response) => ", "req"), None);
        assert_eq!(at("req => ", "req"), None);
    }

    #[test]
    fn the_type_of_a_handler_variable_is_read_before_its_function() {
        let at = |text: &str| declared_type(text, text.find('(').unwrap_or_default()).map(|r| text[r].to_string());
        assert_eq!(at("export const show: RequestHandler = (req, res) => {}").as_deref(), Some("RequestHandler"));
        assert_eq!(at("const show:express.RequestHandler=(req, res) => {}").as_deref(), Some("express.RequestHandler"));
        assert_eq!(at("const show: RequestHandler<{ id: string }> = (req, res) => {}"), None);
        assert_eq!(at("const show = (req, res) => {}"), None);
        assert_eq!(at("app.get('/x', (req, res) => {})"), None);
    }

    #[test]
    fn the_names_read_of_req_params_are_found() {
        let names = |code: &str| {
            let at = code.find("params").expect("params");
            names_read(code, at..at + "params".len(), "req")
        };
        assert_eq!(names("x(req.params.id)"), ["id"]);
        assert_eq!(names("x(req.params?.slug)"), ["slug"]);
        assert_eq!(names("x(req.params['post-id'])"), ["post-id"]);
        assert_eq!(names("const { id, format: f } = req.params;"), ["id", "format"]);
        assert_eq!(names("check(req.params)"), Vec::<String>::new());
    }

    #[test]
    fn express5_routes_say_their_parameters() {
        assert_eq!(
            route_parameters("/posts/:id{/:format}/*rest"),
            Some(vec![("id".into(), false, false), ("format".into(), false, true), ("rest".into(), true, false)])
        );
        assert_eq!(route_parameters("/plain"), Some(vec![]));
        assert_eq!(route_parameters("/:\"quoted\""), None);
    }

    #[test]
    fn the_route_strings_express5_rejects_are_told() {
        // The same strings are checked against the real path-to-regexp 8 in tests/e2e_express5.rs.
        let strings: serde_json::Value =
            serde_json::from_str(include_str!("../../tests/express5-route-strings.json")).expect("JSON");
        for (key, rejected) in [("rejected", true), ("accepted", false)] {
            for path in strings[key].as_array().expect("a list") {
                let path = path.as_str().expect("a string");
                assert_eq!(rejected_by_express5(path), rejected, "{path}");
            }
        }
        // Over 256 paths from the groups.
        assert!(rejected_by_express5(&"{/a}".repeat(9)));
        assert!(!rejected_by_express5(&"{/a}".repeat(8)));
    }

    #[test]
    fn route_paths() {
        let new = |s: &str| PathRewrite::New(s.to_string());
        assert_eq!(rewrite_path("*"), new("/{*splat}"));
        assert_eq!(rewrite_path("/files/*"), new("/files/{*splat}"));
        assert_eq!(rewrite_path("/*"), new("/{*splat}"));
        // A wildcard between segments (it matched an empty one too), several wildcards, a trailing slash: exact.
        assert_eq!(rewrite_path("/a/*/b"), PathRewrite::Regex("/^\\/a\\/(.*)\\/b\\/?$/i".into()));
        assert_eq!(rewrite_path("/two/*/x/*"), PathRewrite::Regex("/^\\/two\\/(.*)\\/x\\/(.*)\\/?$/i".into()));
        assert_eq!(rewrite_path("/files/*/"), PathRewrite::Regex("/^\\/files\\/(.*)\\/?$/i".into()));
        // Already Express 5's syntax; braces inside an inline pattern are Express 4's.
        assert_eq!(rewrite_path("/users{/:id}"), PathRewrite::Same);
        assert_eq!(rewrite_path("/files/*splat"), PathRewrite::Same);
        assert!(matches!(rewrite_path("/books/:id([0-9a-f]{24})"), PathRewrite::Regex(_)));
        assert!(matches!(rewrite_path("/ab*cd"), PathRewrite::Regex(_)));
        // Optional parameters that are not a whole segment: exact.
        assert!(matches!(rewrite_path("/:file.:ext?"), PathRewrite::Regex(_)));
        assert!(matches!(rewrite_path("/users.:format?"), PathRewrite::Regex(_)));
        assert!(matches!(rewrite_path("/u.:fmt"), PathRewrite::Regex(_)));
        assert_eq!(rewrite_path("/users/:id?"), new("/users{/:id}"));
        assert_eq!(rewrite_path("/a/:b?/c"), new("/a{/:b}/c"));
        assert_eq!(rewrite_path("/users/:id"), PathRewrite::Same);
        assert_eq!(rewrite_path("/"), PathRewrite::Same);
        let regex = |p: &str| PathRewrite::Regex(p.to_string());
        // Anything else is the expression Express 4 compiled (path-to-regexp 0.1.13, compared with it).
        assert_eq!(rewrite_path("/ab+cd"), regex("/^\\/ab+cd\\/?$/i"));
        assert_eq!(rewrite_path("/colou?r"), PathRewrite::Paths(vec!["/color".into(), "/colour".into()]));
        assert_eq!(rewrite_path("/ab?cd/:id"), PathRewrite::Paths(vec!["/acd/:id".into(), "/abcd/:id".into()]));
        assert_eq!(rewrite_path("/a(b)?c"), regex("/^\\/a(b)?c\\/?$/i"));
        assert_eq!(rewrite_path("/users/:id(\\d+)"), regex("/^\\/users(?:\\/(?<id>\\d+))\\/?$/i"));
        assert_eq!(
            rewrite_path("/posts/:id(\\d+)/edit.:format"),
            regex("/^\\/posts(?:\\/(?<id>\\d+))\\/edit(?:\\.(?<format>[^\\/\\.]+?))\\/?$/i")
        );
        assert_eq!(rewrite_path("/users/:id(\\d+)?"), regex("/^\\/users(?:\\/(?<id>\\d+))?\\/?$/i"));
        assert_eq!(rewrite_path("/files/:path((a|b)+)"), regex("/^\\/files(?:\\/(?<path>(a|b))+)\\/?$/i"));
        assert_eq!(rewrite_path("/files/:path((a|b)"), PathRewrite::Reserved);
        // `(*)` meant `(.*)` to Express 4: never `(?<file>*)`, which does not compile.
        assert_eq!(rewrite_path("/files/:file(*)"), regex("/^\\/files(?:\\/(?<file>(.*)))\\/?$/i"));
        assert!(!valid_regex("^a(?<x>*)$") && !valid_regex("(+)") && valid_regex("^\\/a(?:\\/(?<b>[^\\/]+?))?\\/?$"));
        // (The pattern as Express 4 read it: two backslashes in the string are a literal one in the pattern.)
        assert_eq!(rewrite_path("/user/:id(\\\\d+)"), regex("/^\\/user(?:\\/(?<id>\\\\d+))\\/?$/i"));
        assert_eq!(rewrite_path("/files/*.js"), regex("/^\\/files\\/(.*)\\.js\\/?$/i"));
    }
}
