//! `express4`: migrates Express 3 code to Express 4, in files whose nearest package.json is on Express 3 (the
//! `express-version` transform moves the range itself); in a project on a newer Express (or `*`), rewrites the same
//! way only the Express 3 calls the app stops at start on, each reported (`Mode::Repair`).
//!
//! ```js
//! // before (package.json on Express 3)
//! var express = require('express');
//!
//! var app = express();
//!
//! app.configure(function () {
//!   app.use(express.logger('dev'));
//!   app.use(express.bodyParser());
//!   app.use(app.router);
//!   app.use(express.static(__dirname + '/public'));
//! });
//!
//! app.configure('development', function () {
//!   app.use(express.errorHandler());
//! });
//!
//! app.get('/', function (req, res) {
//!   res.send(res.headerSent ? 'sent' : 'hello');
//! });
//! // after
//! var express = require('express');
//! var morgan = require('morgan');
//! var bodyParser = require('body-parser');
//! var errorHandler = require('errorhandler');
//!
//! var app = express();
//!
//! app.use(morgan('dev'));
//! app.use(bodyParser.json());
//! app.use(bodyParser.urlencoded({ extended: true }));
//!
//! app.get('/', function (req, res) {
//!   res.send(res.headersSent ? 'sent' : 'hello');
//! });
//!
//! app.use(express.static(__dirname + '/public'));
//!
//! if (app.get('env') === 'development') {
//!   app.use(errorHandler());
//! }
//! ```
//!
//! Bundled middleware becomes its own package (imported in the file's style, added to package.json);
//! `app.configure(fn)` is unwrapped and `app.configure('env', fn)` becomes `if (app.get('env') === 'env')`;
//! `app.use(app.router)` goes; `res.headerSent` becomes `res.headersSent`; `app.locals(obj);` / `res.locals(obj);`
//! become `Object.assign(app.locals, obj);`; store factories that took `express` take
//! the session module (the store raised to a release that takes it, where the listed one does not);
//! `cookieSession`'s nested `cookie` settings move to the top level, where cookie-session reads them, its `key` is
//! renamed `name` and its `proxy` becomes Express's `trust proxy` (for a secure cookie). Reported:
//! `req.accepted*`, removed middleware (`limit`, `multipart`, `staticCache`), `methodOverride` and `csrf` caveats, a
//! store no release of which fits, a nested `cookie` that cannot move. Data: `transforms/express4/data.json`.
//! Fixtures: `tests/fixtures/express4/`.

use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::OnceLock;

use serde::Deserialize;

use crate::analysis::{CallSite, FileFacts, ModuleSystem, Receiver};
use crate::codegen;
use crate::edit::Edit;
use crate::layout;
use crate::manifest::DepSection;
use crate::objects;
use crate::transform::{DependencyRequest, FileContext, FilePlan, Phase, Transform, TransformInfo, Watch};
use crate::transforms::data;
use crate::transforms::shared::session::{self, SessionOptions};
use crate::transforms::shared::{handlers, imports};
use crate::values::{ObjectFacts, Property, Value};

const ID: &str = "express4";

#[derive(Debug, Deserialize)]
struct Express4Data {
    #[serde(flatten)]
    described: data::Described,
    middleware: Vec<Bundled>,
    removed: BTreeMap<String, String>,
    stores: Vec<StoreFactory>,
}

/// A middleware Express 3 bundled (`express.cookieParser`) and the package it lives in now.
#[derive(Debug, Deserialize)]
struct Bundled {
    name: String,
    package: String,
    spec: String,
    local: String,
    /// `express.bodyParser()` is two middlewares in Express 4.
    #[serde(default)]
    split: Vec<String>,
    /// Arguments to pass when the Express 3 call had none (`morgan('combined')`).
    #[serde(default)]
    default_args: Option<String>,
    /// A caveat reported where it is used.
    #[serde(default)]
    note: Option<String>,
}

/// A session store whose factory Express 3 code called with `express` (`require('connect-redis')(express)`), and the
/// releases it is raised to when the version the project lists reads Express 3's bundled session off its argument.
#[derive(Debug, Deserialize)]
struct StoreFactory {
    package: String,
    /// The first release whose factory takes the express-session module.
    session_since: String,
    /// Releases that take it and the options the older ones took, newest first, with the Node they run on; none when
    /// no release does both.
    versions: Vec<data::PackageVersion>,
}

fn data() -> &'static Express4Data {
    static DATA: OnceLock<Express4Data> = OnceLock::new();
    DATA.get_or_init(|| data::parse(ID, include_str!("../../transforms/express4/data.json")))
}

transform_struct!(Express4, "The express4 transform.");

/// Whether the project's manifest is on Express 3.
pub fn on_express3(cx: &FileContext<'_>) -> bool {
    cx.project.lists_major("express", 3)
}

/// Whether the project's manifest lists Express 2 or older (a range on the oldest major it allows: `>=2 <4` too).
/// Its `app.configure` and bundled middleware are Express 2's, and the 3 -> 4 rewrite of them does not run there
/// (`app.get('env')` is a route lookup on Express 2, so a block put under it never runs): its code is left alone, and
/// express-version says why Express stays. session-cookie, session-store and cookie-session leave it alone too: its
/// `express.session` is connect 1.x's, which reads `key`, not `name`, and writes no SameSite.
pub fn before_express3(project: &crate::project::Project) -> bool {
    *project.before_express3.get_or_init(|| {
        project.listed_all("express").iter().any(|(_, spec)| crate::npm_spec::start_major(spec).is_some_and(|n| n < 3))
    })
}

/// The rule of the findings on Express 3 calls rewritten in a project whose package.json is on a newer Express (or
/// lets npm choose): it holds back a move to Express 5 in the same run, whose migration read the code before them.
pub const EXPRESS3_CALL: &str = "express3-call";

/// What the transform does in a file, by its project.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// The project's package.json is on Express 3: its code moves with the version.
    Migrate,
    /// The project lists Express 4 or newer (or `*`, `latest`), and this file, which imports express or receives the
    /// app from another module (its calls on that parameter, then), still calls
    /// what Express 4 took out (`app.configure`, `express.bodyParser()`, `app.use(app.router)`): the app stops at
    /// start on those calls. They are rewritten as the migration would, and each is reported.
    Repair,
}

fn mode(cx: &FileContext<'_>) -> Option<Mode> {
    if before_express3(cx.project) {
        return None;
    }
    if on_express3(cx) {
        return Some(Mode::Migrate);
    }
    let lists_express = !cx.project.listed_all("express").is_empty();
    // (A module that never imports express but receives the app, `module.exports = function (app) {
    // app.configure(...) }` called as `require('./routes')(app)`, stops the app at start all the same.)
    let reaches_express = cx.facts.bindings_of("express").next().is_some() || !cx.links.app_params.is_empty();
    (lists_express && reaches_express).then_some(Mode::Repair)
}

/// The calls of `cx`'s file that Express 4 and 5 no longer take, each with what it does there and what it becomes.
fn express3_calls(cx: &FileContext<'_>) -> Vec<(usize, String)> {
    let code = &cx.file.code;
    let mut found = Vec::new();
    for site in &cx.facts.calls {
        let Some(callee) = &site.call.callee else { continue };
        let Some(binding) = &callee.binding else { continue };
        if binding.module != "express" || callee.members.len() != 1 || site.is_new {
            continue;
        }
        let name = callee.members[0].as_str();
        let Some(bundled) = data().middleware.iter().find(|m| m.name == name) else { continue };
        // (`express.favicon()` with no path has its own finding: it is removed, not rewritten.)
        if bundled.name == "favicon" && site.call.args.is_empty() {
            continue;
        }
        found.push((
            site.call.range.start(),
            format!(
                "`{}.{name}()` is Express 3's bundled middleware: Express 4 throws at start (\"Most middleware (like \
                 {name}) is no longer bundled with Express\"), Express 5 has no `{name}`; rewritten to the {} package, \
                 as the 3 -> 4 migration does",
                binding.local, bundled.package
            ),
        ));
    }
    // (In a module that does not import express, only the calls on a parameter that receives the app.)
    let imports_express = cx.facts.bindings_of("express").next().is_some();
    for call in cx.facts.member_calls().iter() {
        let object = &call.object;
        if !imports_express && !cx.links.is_app_param(object, call.range.start()) {
            continue;
        }
        let statement = call.stmt.as_ref().and_then(|stmt| code.get(stmt.range.range())).unwrap_or("");
        let function_last = matches!(call.args.last(), Some(Value::Other(_)));
        if call.method == "configure" && function_last {
            // (What `configure` unwraps: a statement that is the call, its arguments environment names.)
            let envs = call.args[..call.args.len() - 1].iter().all(|a| matches!(a, Value::Str(..)));
            let what = if envs && statement.starts_with(&format!("{object}.configure(")) {
                if call.args.len() == 1 {
                    "its body now runs directly".to_string()
                } else {
                    format!("its body now runs under `if ({object}.get('env') === ...)`")
                }
            } else {
                "not rewritten: run its body directly, under `if (app.get('env') === ...)` for an environment"
                    .to_string()
            };
            found.push((
                call.range.start(),
                format!(
                    "`{object}.configure()` is Express 3 API: on Express 4 and 5 the app stops at start \
                     (\"{object}.configure is not a function\"); {what}"
                ),
            ));
        }
        let router = format!("{object}.router");
        let uses_router =
            call.method == "use" && call.args.len() == 1 && code.get(call.args[0].range().range()) == Some(&*router);
        if uses_router {
            let alone = statement.trim_end_matches(';').trim_end() == code.get(call.range.range()).unwrap_or("");
            let what = if alone {
                "removed: routes run where they are declared"
            } else {
                "not rewritten: remove it, routes run where they are declared"
            };
            found.push((
                call.range.start(),
                format!("`{object}.use({router})` is Express 3 API: Express 4 throws at start (\"'app.router' is deprecated!\"); {what}"),
            ));
        }
    }
    found.sort_by_key(|(at, _)| *at);
    found
}

impl Transform for Express4 {
    fn info(&self) -> &TransformInfo {
        &self.info
    }

    fn watch(&self) -> &'static [Watch] {
        &[
            Watch::Text("express"),
            Watch::Text("headerSent"),
            Watch::AlsoCall("configure"),
            Watch::AlsoCall("use"),
            Watch::Call("locals"),
        ]
    }

    fn phase(&self) -> Phase {
        Phase::Migration
    }

    fn companions(&self) -> &'static [&'static str] {
        // The version moves with the migration (and is held back with it).
        &["express-version"]
    }

    fn plan(&self, cx: &FileContext<'_>, plan: &mut FilePlan) {
        let Some(mode) = mode(cx) else { return };
        let repaired = if mode == Mode::Repair { express3_calls(cx) } else { Vec::new() };
        if mode == Mode::Repair && repaired.is_empty() {
            return;
        }
        // Edits of the other migration of this phase may be in the plan already: only this transform's count.
        let edits_before = plan.edits.len();
        let facts = cx.facts;
        let mut imports: Vec<(&Bundled, String)> = Vec::new();
        let held = held_cookie_sessions(cx);
        for site in &facts.calls {
            let Some(callee) = &site.call.callee else { continue };
            let Some(binding) = &callee.binding else { continue };
            if binding.module != "express" || callee.members.is_empty() {
                continue;
            }
            let name = callee.members[0].as_str();
            // `new express.session.MemoryStore()`: the middleware's namespace moved with it.
            if site.is_new || callee.members.len() > 1 {
                if let Some(bundled) = data().middleware.iter().find(|m| m.name == name && callee.members.len() > 1) {
                    let local = local_name(facts, bundled, &mut imports, site.call.range.start());
                    let prefix = format!("{}.{name}", binding.local);
                    let start = site.call.callee_range.start();
                    if cx.text(start..start + prefix.len()) == prefix {
                        plan.edits.push(Edit::replace(start..start + prefix.len(), local));
                    }
                }
                continue;
            }
            if let Some(message) = data().removed.get(name) {
                plan.findings.push(cx.finding("removed", site.call.range.start(), message.clone()));
                continue;
            }
            let Some(bundled) = data().middleware.iter().find(|m| m.name == name) else { continue };
            if held.contains(&site.call.range) {
                continue;
            }
            if bundled.name == "favicon" && site.call.args.is_empty() {
                drop_default_favicon(cx, plan, site);
                continue;
            }
            let local = local_name(facts, bundled, &mut imports, site.call.range.start());
            migrate_call(cx, plan, site, bundled, &local);
        }
        store_factories(cx, plan, &mut imports);
        cookie_session_options(cx, plan);
        let moved = app_router(cx, plan);
        renamed_properties(cx, plan);
        if mode == Mode::Migrate {
            locals_calls(cx, plan);
        }
        // Last: the dedent of unwrapped bodies skips lines other edits remove.
        configure(cx, plan);
        if let Some(moved) = moved {
            moved.apply(&cx.file.code, &cx.facts.style, plan);
        }
        if !imports.is_empty() {
            plan.edits.push(import_edit(cx, &imports));
            for (bundled, _) in &imports {
                // The middleware was part of Express: it goes to the section Express is listed in.
                plan.dependencies.push(
                    DependencyRequest::new(bundled.package.clone(), bundled.spec.clone(), DepSection::Dependencies)
                        .serving("express"),
                );
            }
        }
        for (at, message) in repaired {
            plan.findings.push(cx.finding(EXPRESS3_CALL, at, message));
        }
        if plan.edits.len() == edits_before {
            return;
        }
        if mode == Mode::Repair {
            plan.next_steps.push(
                "Express 3 calls that stopped the app at start on Express 4 and newer were rewritten as the 3 -> 4 \
                 migration does: run the app's tests, and read the migration guide for behaviour changes no \
                 tool can see (https://expressjs.com/en/guide/migrating-4.html)"
                    .to_string(),
            );
            return;
        }
        // (Planned again for a project whose move is held back: what was written runs on Express 3 as well.)
        let step = if cx.options.held_back {
            "the move to Express 4 is held back (see the findings), and the code was changed only where the change \
             also runs on Express 3 (bundled middleware from their own packages): run the app's tests"
        } else {
            "the code was migrated to Express 4: run the app's tests, and read the migration guide for behaviour \
             changes no tool can see (https://expressjs.com/en/guide/migrating-4.html)"
        };
        plan.next_steps.push(step.to_string());
    }
}

/// The local name for a bundled middleware's package: the file's own import of it, or a new one.
///
/// The file's own import is reused only when the code at `at` can see it: a top-level binding declared before that
/// point (a `require` inside another function, or one further down, would be a ReferenceError at start).
fn local_name<'a>(
    facts: &FileFacts,
    bundled: &'a Bundled,
    imports: &mut Vec<(&'a Bundled, String)>,
    at: usize,
) -> String {
    let visible = facts
        .bindings_of(&bundled.package)
        .find(|b| b.kind == crate::analysis::ImportKind::Module && b.top_level && b.stmt.end() <= at);
    if let Some(existing) = visible {
        return existing.local.to_string();
    }
    if let Some((_, local)) = imports.iter().find(|(b, _)| b.package == bundled.package) {
        return local.clone();
    }
    let chosen: Vec<String> = imports.iter().map(|(_, local)| local.clone()).collect();
    let local = facts.free_name_besides(&bundled.local, &[], &chosen);
    imports.push((bundled, local.clone()));
    local
}

/// `express.cookieParser(x)` -> `cookieParser(x)`; `app.use(express.bodyParser())` -> two `app.use` statements.
fn migrate_call(cx: &FileContext<'_>, plan: &mut FilePlan, site: &CallSite, bundled: &Bundled, local: &str) {
    let code = &cx.file.code;
    let call = &site.call;
    if let Some(note) = &bundled.note {
        plan.findings.push(cx.finding("caveat", call.range.start(), note.clone()));
    }
    if !bundled.split.is_empty() {
        let parts: Vec<String> = bundled.split.iter().map(|p| quote_fit(cx, &format!("{local}.{p}"))).collect();
        // A whole `app.use(express.bodyParser());` statement becomes one statement per part.
        if let Some(stmt) = &site.stmt {
            let text = code.get(stmt.range.range()).unwrap_or("");
            let call_text = code.get(call.range.range()).unwrap_or("");
            let semi = if text.trim_end().ends_with(';') { ";" } else { "" };
            let inner = text.trim_end().trim_end_matches(';').trim_end();
            if let Some(receiver) = inner.strip_suffix(&format!(".use({call_text})")) {
                if receiver.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '$' || c == '.') {
                    let indent = unwrapped_indent(cx, stmt.range.start());
                    let statements: Vec<String> = parts.iter().map(|p| format!("{receiver}.use({p}){semi}")).collect();
                    let joined = statements.join(&format!("{}{indent}", cx.facts.style.eol));
                    plan.edits.push(Edit::replace(stmt.range, joined));
                    return;
                }
            }
        }
        plan.edits.push(Edit::replace(call.range, format!("[{}]", parts.join(", "))));
        return;
    }
    // Only the callee changes (`express.session` -> `session`): other transforms may edit the arguments in the same
    // run (the session options), and their edits must not overlap this one.
    plan.edits.push(Edit::replace(call.callee_range, local.to_string()));
    if let (Some(default), true) = (&bundled.default_args, call.args.is_empty()) {
        plan.edits
            .push(Edit::replace(call.callee_range.end()..call.range.end(), format!("({})", quote_fit(cx, default))));
    }
}

/// `express.favicon()` without a path served Connect's own icon; serve-favicon needs a file. A whole
/// `app.use(express.favicon());` line is removed (the site simply has no icon, instead of failing at start on Express
/// 4); elsewhere the call is reported.
fn drop_default_favicon(cx: &FileContext<'_>, plan: &mut FilePlan, site: &CallSite) {
    let code = &cx.file.code;
    let whole = site.stmt.as_ref().and_then(|stmt| {
        let text = code.get(stmt.range.range())?.trim_end().trim_end_matches(';').trim_end();
        let call_text = code.get(site.call.range.range())?;
        text.ends_with(&format!(".use({call_text})")).then(|| whole_line(code, stmt.range.into())).flatten()
    });
    let message = match whole {
        Some(line) => {
            plan.edits.push(Edit::replace(line, ""));
            "express.favicon() with no path served Connect's default icon, which Express 4 does not have: removed. \
             To serve your own, add app.use(favicon(path.join(__dirname, 'public', 'favicon.ico'))) with serve-favicon"
        }
        None => {
            "express.favicon() with no path served Connect's default icon, which Express 4 does not have: \
             replace it with serve-favicon and the path of your icon"
        }
    };
    plan.findings.push(cx.finding("favicon", site.call.range.start(), message.to_string()));
}

/// The indentation the line holding `at` will have once the `configure` bodies around it are unwrapped.
fn unwrapped_indent(cx: &FileContext<'_>, at: usize) -> String {
    let unit = &cx.facts.style.indent_unit;
    let mut indent = cx.file.indent_at(at);
    for _ in 0..unwrap_depth(cx, at) {
        indent = indent.strip_prefix(unit.as_str()).unwrap_or(indent);
    }
    indent.to_string()
}

/// How many `configure(fn)` bodies that are unwrapped hold offset `at`.
fn unwrap_depth(cx: &FileContext<'_>, at: usize) -> usize {
    cx.facts
        .member_calls()
        .iter()
        .filter(|c| c.method == "configure" && c.args.len() == 1)
        .filter_map(|c| match c.args.first() {
            Some(Value::Other(range)) => cx.facts.functions.iter().find(|f| f.range == *range),
            _ => None,
        })
        .filter(|f| f.body.start() < at && at < f.body.end())
        .count()
}

/// A snippet of data (`json()`, `'combined'`) with the file's quotes.
fn quote_fit(cx: &FileContext<'_>, source: &str) -> String {
    codegen::render_expr(source, &cx.facts.style).unwrap_or_else(|_| source.to_string())
}

/// `require('connect-mongo')(express)` -> `(session)`: Express 4 has no bundled session. A store whose listed version
/// reads Express 3's session off its argument (`connect.session.Store`: connect-redis 1.4, connect-mongo 0.4.0) throws
/// at start when given express-session: it is raised, where it is listed, to a release that takes it and runs on the
/// project's Node; when none does, the factory is left as it is and reported (which holds Express on 3).
fn store_factories(cx: &FileContext<'_>, plan: &mut FilePlan, imports: &mut Vec<(&Bundled, String)>) {
    let facts = cx.facts;
    let express_names = facts.module_names("express");
    let mut declared = false;
    for site in facts.calls.iter().filter(|s| !s.is_new) {
        let Some(callee) = &site.call.callee else { continue };
        let Some(store) = data().stores.iter().find(|s| callee.is_module(&s.package)) else { continue };
        let Some(Value::Ident(arg, range)) = site.call.args.first() else { continue };
        if !express_names.contains(&arg.as_str()) {
            continue;
        }
        // (A version the manifest does not give, `*` or a git URL, is not known to be too old.)
        let installed = cx.project.installed(&store.package);
        let too_old = installed
            .as_deref()
            .and_then(crate::npm_spec::min_version)
            .is_some_and(|min| nodejs_semver::Version::parse(&store.session_since).is_ok_and(|since| min < since));
        if too_old {
            match data::pick_version(&store.versions, &cx.project.node) {
                Some(version) => plan.dependencies.push(
                    DependencyRequest::new(store.package.clone(), version.spec.clone(), DepSection::Dependencies)
                        .raising_listed(),
                ),
                None => {
                    plan.findings.push(cx.finding(
                        "store-factory",
                        site.call.range.start(),
                        store_left(store, installed.as_deref().unwrap_or_default(), &cx.project.node),
                    ));
                    continue;
                }
            }
        }
        let Some(session) = data().middleware.iter().find(|m| m.package == "express-session") else { continue };
        let local = local_name(facts, session, imports, site.call.range.start());
        if let Some(edit) = declared_before_factory(cx, site, session, &local, imports, &mut declared) {
            plan.edits.push(edit);
            plan.dependencies.push(
                DependencyRequest::new(session.package.clone(), session.spec.clone(), DepSection::Dependencies)
                    .serving("express"),
            );
        }
        plan.edits.push(Edit::replace(*range, local));
    }
}

/// Express 3 code often declares the store in the statement that requires express, comma first:
///
/// ```js
/// var express = require('express')
///   , RedisStore = require('connect-redis')(express)
///   , app = express();
/// ```
///
/// The new requires go after that statement, too late for the factory, which would be given `undefined` (connect-redis
/// throws at start: "Cannot read properties of undefined (reading 'Store')"). The session module is declared in the
/// statement instead, right before the factory's declarator and in the statement's own layout (`, session =
/// require('express-session')` on a line of its own there), and taken out of the requires added after it. `None`
/// when the factory comes after the new requires anyway (or is not in a declaration list that can take one more).
fn declared_before_factory(
    cx: &FileContext<'_>,
    site: &CallSite,
    session: &Bundled,
    local: &str,
    imports: &mut Vec<(&Bundled, String)>,
    declared: &mut bool,
) -> Option<Edit> {
    let facts = cx.facts;
    let at = site.call.range.start();
    if *declared {
        // (Declared for an earlier factory: not required again.)
        imports.retain(|(b, _)| b.package != session.package);
        return None;
    }
    if facts.module_system != ModuleSystem::CommonJs || !imports.iter().any(|(b, _)| b.package == session.package) {
        return None;
    }
    // (The requires go after the last top-level statement that binds express: `imports::insert`.)
    let anchor = facts.bindings_of("express").filter(|b| b.top_level).map(|b| b.stmt).last()?;
    if !(anchor.start() <= at && at < anchor.end()) {
        return None;
    }
    let mut declarators: Vec<&crate::analysis::Declaration> =
        facts.declarations.iter().filter(|d| d.top_level && d.stmt == anchor).collect();
    declarators.sort_by_key(|d| d.declarator.start());
    let index = declarators.iter().position(|d| d.declarator.start() <= at && at < d.declarator.end())?;
    let previous = declarators.get(index.checked_sub(1)?)?;
    let factory = declarators[index];
    // What separates the declarators (`\n  , ` or `,\n    `): only a comma and white space, no comment to copy.
    let separator = cx.text(previous.declarator.end()..factory.declarator.start());
    if separator.matches(',').count() != 1 || separator.chars().any(|c| c != ',' && !c.is_whitespace()) {
        return None;
    }
    imports.retain(|(b, _)| b.package != session.package);
    *declared = true;
    let text = format!("{local} = require({}){separator}", cx.quoted(&session.package));
    Some(Edit::insert(factory.declarator.start(), text))
}

/// Why a store factory is left taking `express`, and what to do.
fn store_left(store: &StoreFactory, installed: &str, node: &crate::project::NodeTarget) -> String {
    let package = &store.package;
    let since = &store.session_since;
    let why = match store.versions.is_empty() {
        true => format!("the releases whose factory takes it ({since} on) take other options than {installed}'s store"),
        false => format!("none of the releases whose factory takes it runs on the project's Node ({})", node.range),
    };
    format!(
        "the factory of {package} {installed} reads Express 3's bundled session off its argument (`.session.Store`) \
         and throws at start when given the express-session module, as Express 4 needs; {why}: it is left taking \
         express, so Express stays on 3. Raise {package} by hand to {since} or later, pass it the express-session \
         module, and run again"
    )
}

/// `express.cookieSession({ cookie: { maxAge: 60000 } })`: Express 3 read the cookie's settings from the nested
/// `cookie` object; cookie-session, which replaces it, takes them at the top level of its options and ignores the
/// nested one (the cookie would lose its expiry). Its properties move up in place, as written (one per line in
/// options written one per line); a `cookie` whose properties cannot move (no object literal, a setting also given at
/// the top level, a spread, a comment around them) is reported.
fn cookie_session_options(cx: &FileContext<'_>, plan: &mut FilePlan) {
    let mut seen = Vec::new();
    for use_ in session::session_uses(cx.facts, cx.links, session::COOKIE_SESSION) {
        // Only Express 3's own cookieSession: the cookie-session package's options are already its own.
        let bundled = match (use_.site, use_.options) {
            (Some(site), _) => bundled_cookie_session(site),
            (None, SessionOptions::Exported { object, partial: false, .. }) => {
                cx.links.passed_objects.iter().any(|o| o.object == object.range && o.module == "express")
            }
            _ => false,
        };
        if bundled {
            match parser_secret(cx, &use_) {
                ParserSecret::NotNeeded => {}
                ParserSecret::Give(prop, Ok(obj)) => session::add_to_options(cx, plan, obj, vec![prop], true),
                ParserSecret::Give(prop, Err(close)) => session::add_to_new_options(plan, close, vec![prop], true),
                ParserSecret::Held(why) => {
                    plan.findings.push(cx.finding(
                        "cookie-session-secret",
                        use_.at(),
                        format!(
                            "cookie-session, which replaces Express 3's cookieSession, throws `.keys required.` at \
                             start when given no keys or secret; this call has none of its own (Express 3 signed its \
                             cookie with cookieParser's secret), and {why}, so it was left as Express 3 wrote it. \
                             Give it a `secret` (or `keys`), or run with the secrets transform, which reads its keys \
                             from the environment"
                        ),
                    ));
                    continue;
                }
            }
        }
        let Some(obj) = use_.object().filter(|o| bundled && !seen.contains(&o.range)) else { continue };
        seen.push(obj.range);
        cookie_name_and_proxy(cx, plan, obj);
        let Some(cookie) = obj.get("cookie") else { continue };
        let moved = match &cookie.value {
            Value::Object(inner) => lift_cookie(cx, obj, cookie, inner),
            _ => Err("it is not an object literal written here".to_string()),
        };
        match moved {
            Ok(Some(text)) => plan.edits.push(Edit::replace(cookie.range, text)),
            Ok(None) => {}
            Err(why) => plan.findings.push(cx.finding(
                "cookie-options",
                cookie.range.start(),
                format!(
                    "cookie-session, which replaces Express 3's cookieSession, reads the cookie's settings (maxAge, \
                     expires, path, domain, secure, httpOnly) at the top level of its options and ignores this nested \
                     cookie: they were not moved up, because {why}, so the cookie loses them (without its maxAge it \
                     lasts until the browser closes); move them to the top level by hand"
                ),
            )),
        }
    }
}

/// Express 3's cookieSession (Connect 2's) signed its cookie with its `secret` option, else with cookieParser's
/// (`req.secret`); cookie-session 2 reads only its own `keys` or `secret` and, given neither, throws `.keys
/// required.` at start. So a bundled cookieSession without them, in a file whose one cookieParser call is given a
/// secret, gets that secret as its own `secret` (the same expression, where it means the same thing at the
/// cookieSession call: a string, `process.env...`, or a name both calls see declared in the same place). When the
/// secrets transform runs too, it gives the middleware keys read from the environment instead, and this adds nothing.
/// Without such a secret the call is left as Express 3 wrote it and reported (`cookie-session-secret`), which holds
/// the move back: the app would stop at start.
enum ParserSecret<'a> {
    /// Nothing to add: the options have their own secret, or the secrets transform gives them keys.
    NotNeeded,
    /// `secret: <cookieParser's>`, for the options object written here, or for a call without arguments (its `)`).
    Give(String, Result<&'a ObjectFacts, usize>),
    /// No secret can be handed over: why.
    Held(&'static str),
}

fn parser_secret<'a>(cx: &FileContext<'_>, use_: &session::SessionUse<'a>) -> ParserSecret<'a> {
    if cx.options.selected.contains(&"secrets") {
        return ParserSecret::NotNeeded;
    }
    let lacks_secret =
        |o: &ObjectFacts| o.spreads.is_empty() && ["keys", "secret", "signed"].iter().all(|k| o.get(k).is_none());
    let at = use_.at();
    let target = match (use_.new_options_at(&cx.file.code), use_.options) {
        (Some(close), _) => Err(close),
        (None, SessionOptions::Inline(obj)) if lacks_secret(obj) => Ok(obj),
        _ => return ParserSecret::NotNeeded,
    };
    let parsers: Vec<&Value> = cx
        .facts
        .calls
        .iter()
        .filter(|s| !s.is_new)
        .filter(|s| s.call.callee.as_ref().is_some_and(|c| session::is_middleware(c, "cookie-parser")))
        .filter_map(|s| s.call.args.first())
        .collect();
    let [secret] = parsers.as_slice() else {
        return ParserSecret::Held(if parsers.is_empty() {
            "this file gives cookieParser none"
        } else {
            "this file gives cookieParser several"
        });
    };
    let text = &cx.file.code[secret.range()];
    let same_binding = |name: &str| {
        let (here, there) = (cx.facts.declaration(name, at), cx.facts.declaration(name, secret.range().start()));
        matches!((here, there), (Some(a), Some(b)) if a.declarator == b.declarator)
    };
    let portable = match secret {
        Value::Str(..) => true,
        Value::Ident(name, _) => same_binding(name),
        Value::Other(_) => crate::links::dotted(text).is_some_and(|(root, _)| root == "process" || same_binding(&root)),
        _ => false,
    };
    if !portable {
        return ParserSecret::Held("its secret is an expression the cookieSession call may not see the same way");
    }
    ParserSecret::Give(format!("secret: {text}"), target)
}

/// The bundled cookieSession calls of this file that are left as Express 3 wrote them ([`ParserSecret::Held`]).
fn held_cookie_sessions(cx: &FileContext<'_>) -> Vec<crate::parse::ByteRange> {
    session::session_uses(cx.facts, cx.links, session::COOKIE_SESSION)
        .into_iter()
        .filter_map(|use_| use_.site.filter(|site| bundled_cookie_session(site)).map(|site| (use_, site)))
        .filter(|(use_, _)| matches!(parser_secret(cx, use_), ParserSecret::Held(_)))
        .map(|(_, site)| site.call.range)
        .collect()
}

fn bundled_cookie_session(site: &CallSite) -> bool {
    site.call.callee.as_ref().is_some_and(|c| c.is_export("express", "cookieSession"))
}

/// Express 3's cookieSession (Connect 2's) named its cookie `key` and, with `proxy`, trusted X-Forwarded-Proto when it
/// decided whether a secure cookie may be sent. cookie-session 2 reads neither: it names the cookie `name` (else
/// `session`: the cookie would be renamed, every user logged out), and its secure cookie is sent when Express sees
/// the request as HTTPS (`req.protocol`), which behind a proxy needs Express's `trust proxy`. So `key` becomes `name`
/// in place (unless the options set both), and `proxy` goes: where the cookie is secure, with `trust proxy` set to
/// the one proxy in front right after each app this file creates (unless the file sets it); where it is not,
/// `proxy` did nothing. A `proxy` left because the file creates no app, or cannot lose it cleanly, stays (ignored).
fn cookie_name_and_proxy(cx: &FileContext<'_>, plan: &mut FilePlan, obj: &ObjectFacts) {
    let code = &cx.file.code;
    if let (Some(key), None) = (obj.get("key"), obj.get("name")) {
        let text = &code[key.range];
        let quote = text.chars().next().filter(|c| *c == '\'' || *c == '"');
        let written = match quote {
            Some(q) => format!("{q}key{q}"),
            None => "key".to_string(),
        };
        if key.shorthand {
            plan.edits.push(Edit::replace(key.range, "name: key".to_string()));
        } else if text.starts_with(&written) {
            let start = key.range.start();
            let renamed = quote.map_or_else(|| "name".to_string(), |q| format!("{q}name{q}"));
            plan.edits.push(Edit::replace(start..start + written.len(), renamed));
        }
    }
    let Some(proxy) = obj.get("proxy") else { return };
    let secure = |o: &ObjectFacts| o.get("secure").is_some_and(|p| !matches!(p.value, Value::Bool(false, _)));
    let nested = obj.get("cookie").and_then(|c| match &c.value {
        Value::Object(inner) => Some(inner.as_ref()),
        _ => None,
    });
    let sends_secure = secure(obj) || nested.is_some_and(secure);
    let apps: Vec<(crate::parse::ByteRange, &str)> = cx
        .facts
        .apps
        .iter()
        // (An app the code never serves from, [`crate::analysis::ExpressApp::idle`], sends no cookie.)
        .filter(|app| !app.idle)
        .filter_map(|app| match &app.site {
            crate::analysis::AppSite::AfterStatement { stmt, receiver } => Some((*stmt, receiver.as_ref())),
            crate::analysis::AppSite::Chain => None,
        })
        .collect();
    if sends_secure && apps.is_empty() {
        return;
    }
    // The property and the comma and blanks after it (before it, for the last one): nothing else.
    let index = obj.props.iter().position(|p| p.range == proxy.range);
    let span = match index {
        Some(i) if i + 1 < obj.props.len() => proxy.range.start()..obj.props[i + 1].range.start(),
        Some(i) if i > 0 => obj.props[i - 1].range.end()..proxy.range.end(),
        _ => return,
    };
    let between = code[span.clone()].replacen(&code[proxy.range], "", 1);
    if !obj.spreads.is_empty()
        || between.matches(',').count() != 1
        || between.chars().any(|c| c != ',' && !c.is_whitespace())
    {
        return;
    }
    plan.edits.push(Edit::replace(span, String::new()));
    let set = cx.facts.member_calls().iter().any(|c| c.trust_proxy(Some(code)).is_some());
    if sends_secure && !set {
        for (stmt, receiver) in apps {
            plan.edits.push(imports::app_setting(cx, &stmt, receiver, "trust proxy", "1"));
        }
    }
}

/// The text that replaces the `cookie` property of `obj`: the properties of its object literal `inner`, as written,
/// at the level of `obj`'s; `None` when it sets nothing (`cookie: {}`, left alone); else why they cannot move.
fn lift_cookie(
    cx: &FileContext<'_>,
    obj: &ObjectFacts,
    cookie: &Property,
    inner: &ObjectFacts,
) -> Result<Option<String>, String> {
    let code = &cx.file.code;
    if !inner.spreads.is_empty() {
        return Err("it spreads another object".to_string());
    }
    let (Some(first), Some(last)) = (inner.props.first(), inner.props.last()) else { return Ok(None) };
    for prop in inner.props.iter() {
        let Some(key) = prop.key.as_deref() else { return Err("it has a computed key or a method".to_string()) };
        if obj.props.iter().any(|p| p.key.as_deref() == Some(key)) {
            return Err(format!("the options also set {key} at the top level"));
        }
    }
    // Only blanks before its first property and after its last (its trailing comma gives way to the options' own):
    // a comment there would be lost, or would take the comma that follows.
    let (open, close) = (inner.range.start() + 1, inner.range.end() - 1);
    if !code[open..first.range.start()].trim().is_empty() || !matches!(code[last.range.end()..close].trim(), "" | ",") {
        return Err("a comment stands before or after its properties".to_string());
    }
    // (Inside an `app.configure` body, the level its lines will have once it is unwrapped.)
    let indent = unwrapped_indent(cx, cookie.range.start());
    // Options written on one line get them on that line; options written one property per line, a one-line cookie's
    // one per line at the siblings' indentation.
    let plain = inner.props.windows(2).all(|w| code[w[0].range.end()..w[1].range.start()].trim() == ",");
    let texts: Vec<&str> = inner.props.iter().map(|p| &code[p.range]).collect();
    match (objects::is_multiline(code, obj), objects::is_multiline(code, inner)) {
        (false, _) if plain => return Ok(Some(texts.join(", "))),
        (true, false) if plain => return Ok(Some(texts.join(&format!(",{}{indent}", cx.facts.style.eol)))),
        _ => {}
    }
    // Written over several lines: those of its properties go one level up, to the options' indentation.
    let deeper = objects::indent_of_line(code, first.range.start());
    let lines: Vec<String> = code[first.range.start()..last.range.end()]
        .split('\n')
        .enumerate()
        .map(|(i, line)| match line.strip_prefix(deeper.as_str()) {
            Some(rest) if i > 0 => format!("{indent}{rest}"),
            _ => line.to_string(),
        })
        .collect();
    Ok(Some(lines.join("\n")))
}

/// `app.configure(fn)` unwrapped; `app.configure('env', ..., fn)` as an `if` on `app.get('env')`.
fn configure(cx: &FileContext<'_>, plan: &mut FilePlan) {
    let facts = cx.facts;
    let code = &cx.file.code;
    let unit = facts.style.indent_unit.clone();
    // Lines to dedent: how many unwrapped configure bodies hold them.
    let mut dedent: BTreeMap<usize, usize> = BTreeMap::new();
    let mut removed_lines: Vec<Range<usize>> = Vec::new();
    for call in facts.member_calls().iter().filter(|c| c.method == "configure") {
        let Some(stmt) = &call.stmt else { continue };
        let Some(Value::Other(fn_range)) = call.args.last() else { continue };
        let Some(function) = facts.functions.iter().find(|f| f.range == *fn_range) else { continue };
        let body = &function.body;
        // The statement must be exactly the call (`app.configure(...);`).
        if !code.get(stmt.range.range()).unwrap_or("").starts_with(&format!("{}.configure(", call.object)) {
            continue;
        }
        let envs: Vec<&str> = call.args[..call.args.len() - 1]
            .iter()
            .filter_map(|a| match a {
                Value::Str(env, _) => Some(env.as_str()),
                _ => None,
            })
            .collect();
        if envs.len() + 1 != call.args.len() {
            continue;
        }
        let header = stmt.range.start()..body.start() + 1;
        let footer = body.end() - 1..stmt.range.end();
        if envs.is_empty() {
            let header_line = whole_line(code, header.clone());
            let footer_line = whole_line(code, footer.clone());
            let (Some(header_line), Some(footer_line)) = (header_line, footer_line) else {
                // A one-line configure: its body's statements replace it.
                let inner = code.get(body.start() + 1..body.end() - 1).unwrap_or("").trim();
                plan.edits.push(Edit::replace(stmt.range, inner.to_string()));
                continue;
            };
            for line_start in line_starts_between(code, header_line.end, footer_line.start) {
                *dedent.entry(line_start).or_default() += 1;
            }
            plan.edits.push(Edit::replace(header_line.clone(), ""));
            plan.edits.push(Edit::replace(footer_line.clone(), ""));
            removed_lines.push(header_line);
            removed_lines.push(footer_line);
        } else {
            let test: Vec<String> = envs
                .iter()
                .map(|env| format!("{}.get({}) === {}", call.object, cx.quoted("env"), cx.quoted(env)))
                .collect();
            plan.edits.push(Edit::replace(header, format!("if ({}) {{", test.join(" || "))));
            plan.edits.push(Edit::replace(footer, "}"));
        }
    }
    for (line_start, levels) in dedent {
        let removed = removed_lines.iter().any(|r| r.start <= line_start && line_start < r.end)
            || plan.edits.iter().any(|e| e.range.start <= line_start && line_start < e.range.end);
        if removed {
            continue;
        }
        let mut end = line_start;
        for _ in 0..levels {
            if code[end..].starts_with(&*unit) {
                end += unit.len();
            }
        }
        if end > line_start {
            plan.edits.push(Edit::replace(line_start..end, ""));
        }
    }
}

/// The whole line(s) holding `range` (with its line break) when nothing else is on them.
fn whole_line(code: &str, range: Range<usize>) -> Option<Range<usize>> {
    let start = layout::line_start_before(code, range.start)?;
    let rest = &code[range.end..];
    let line_end = rest.find('\n').map_or(code.len(), |i| range.end + i + 1);
    code[range.end..line_end].trim().is_empty().then_some(start..line_end)
}

/// Starts of the lines from `from` (a line start) up to `to`.
fn line_starts_between(code: &str, from: usize, to: usize) -> Vec<usize> {
    let mut starts = Vec::new();
    let mut at = from;
    while at < to {
        if !code[at..].starts_with('\n') && !code[at..].starts_with("\r\n") {
            starts.push(at);
        }
        match code[at..to].find('\n') {
            Some(i) => at += i + 1,
            None => break,
        }
    }
    starts
}

/// `app.use(app.router);` goes: Express 4 routes in registration order. Express 3 ran every route at `app.router`'s
/// place, wherever it was declared, so the middleware registered after `app.router` (express.static, a 404 or error
/// handler) ran after the routes. When those `app.use(...)` statements come before routes declared later, they move
/// after the last of them (a statement that hands the app to a module registering routes counts as one), in their
/// order: the app answers as it did. Otherwise (nested code) it is reported.
fn app_router(cx: &FileContext<'_>, plan: &mut FilePlan) -> Option<Move> {
    let code = &cx.file.code;
    let mut found = None;
    for call in cx.facts.member_calls().iter().filter(|c| c.method == "use" && c.args.len() == 1) {
        let Some(arg) = code.get(call.args[0].range().range()) else { continue };
        if arg != format!("{}.router", call.object) {
            continue;
        }
        let Some(stmt) = &call.stmt else { continue };
        if code.get(stmt.range.range()).is_some_and(|t| t.trim_end_matches(';').trim_end() == &code[call.range]) {
            match whole_line(code, stmt.range.into()) {
                Some(line) => plan.edits.push(Edit::replace(line, "")),
                None => plan.edits.push(Edit::replace(stmt.range, "")),
            }
            let movable = move_after_routes(cx, &call.object, stmt);
            if let Some(movable) = movable {
                found = Some(movable);
                plan.findings.push(cx.finding(
                    "router-order",
                    call.range.start(),
                    "app.use(app.router) was removed: Express 4 runs routes where they are declared, so the middleware \
                     registered after app.router was moved after the last route, where Express 3 ran it"
                        .to_string(),
                ));
                continue;
            }
            plan.findings.push(
                cx.finding(
                    "router-order",
                    call.range.start(),
                    "app.use(app.router) was removed: Express 4 runs routes where they are declared, so middleware \
                 registered after app.router (express.static, a 404 or error handler) now runs before the routes \
                 declared later in the file: move such handlers after the routes"
                        .to_string(),
                ),
            );
        }
    }
    found
}

/// Statements that move after the last route, with their own edits carried along.
struct Move {
    /// The whole lines of each statement.
    lines: Vec<Range<usize>>,
    /// The end of the last route's line, where they go.
    target: usize,
}

impl Move {
    /// Removes the statements and inserts them after the last route, with the edits planned inside them applied to
    /// the moved text (a migrated `app.use(errorHandler())` moves migrated).
    fn apply(self, code: &str, style: &crate::style::Style, plan: &mut FilePlan) {
        let inside = |e: &Edit, line: &Range<usize>| line.start <= e.range.start && e.range.end <= line.end;
        let mut text = String::new();
        for (i, line) in self.lines.iter().enumerate() {
            // Statements the file separated with a blank line stay separated.
            let gap = if i > 0 { code.get(self.lines[i - 1].end..line.start).unwrap_or("") } else { "" };
            if gap.contains("\n\n") || gap.contains("\n\r\n") || gap.starts_with('\n') || gap.starts_with("\r\n") {
                text.push_str(style.eol);
            }
            let own: Vec<Edit> = plan
                .edits
                .iter()
                .filter(|e| inside(e, line))
                .map(|e| Edit { range: e.range.start - line.start..e.range.end - line.start, ..e.clone() })
                .collect();
            match crate::edit::apply(&code[line.clone()], &own) {
                Ok(moved) => text.push_str(&moved),
                Err(_) => return,
            }
        }
        plan.edits.retain(|e| !self.lines.iter().any(|line| inside(e, line)));
        for line in &self.lines {
            // A statement that stood between blank lines takes one of them along, so none doubles.
            let blank_before = code[..line.start].ends_with("\n\n") || code[..line.start].ends_with("\n\r\n");
            let after = &code[line.end..];
            let blank_after = after.find('\n').filter(|i| after[..*i].trim().is_empty());
            let end = match (blank_before, blank_after) {
                (true, Some(i)) => line.end + i + 1,
                _ => line.end,
            };
            plan.edits.push(Edit::replace(line.start..end, ""));
        }
        if !text.ends_with('\n') {
            text.push_str(style.eol);
        }
        // After the last route, a blank line between them as the file separates its statements.
        plan.edits.push(Edit::insert(self.target, format!("{}{text}", style.eol)));
    }
}

/// The top-level `app.use(...)` statements after `after` (where `app.router` was) that precede a route of `app`
/// declared later, to move just after the last such route. `None` when there is nothing to move, or a statement
/// cannot be moved whole.
fn move_after_routes(cx: &FileContext<'_>, app: &str, router: &crate::analysis::StmtSite) -> Option<Move> {
    let facts = cx.facts;
    let code = &cx.file.code;
    // `app.use(app.router)` at the top level, or inside a top-level `app.configure(function () { ... })` (whose body
    // the migration unwraps): then the `app.use(...)` lines after it in that body move too.
    let (after, nested): (usize, Vec<Range<usize>>) = if router.top_level {
        (router.range.end(), Vec::new())
    } else {
        let configure = facts.top_level_stmt_at(router.range.start())?;
        if !code[configure.clone()].starts_with(&format!("{app}.configure(")) {
            return None;
        }
        let lines = facts
            .uses
            .iter()
            .filter(|u| {
                matches!(&u.receiver, crate::analysis::Receiver::Path(p) if p == app)
                    && u.range.start() > router.range.end()
                    && u.range.end() < configure.end
            })
            .map(|u| {
                let end = if code[u.range.end()..].starts_with(';') { u.range.end() + 1 } else { u.range.end() };
                u.range.start()..end
            })
            .collect::<Vec<_>>();
        (configure.end, lines)
    };
    // Routes registered inside a function (called who knows when), or `app.router` used twice: the order cannot be
    // read off the file, so nothing moves (it is reported).
    let routes_in_functions = facts.registrations().iter().any(|reg| {
        reg.method != "use"
            && matches!(&reg.receiver, crate::analysis::Receiver::Path(p) if p == app)
            && facts.functions.iter().any(|f| f.body.start() <= reg.range.start() && reg.range.end() <= f.body.end())
    });
    let routers = facts
        .member_calls()
        .iter()
        .filter(|c| {
            c.method == "use"
                && c.args.len() == 1
                && code.get(c.args[0].range().range()) == Some(&format!("{app}.router"))
        })
        .count();
    if routes_in_functions || routers > 1 {
        return None;
    }
    let top: Vec<Range<usize>> =
        facts.top_level_stmts.iter().filter(|r| r.start() >= after).map(|r| r.range()).collect();
    let is_route = |r: &Range<usize>| {
        facts.registrations().iter().any(|reg| {
            reg.method != "use"
                && matches!(&reg.receiver, crate::analysis::Receiver::Path(p) if p == app)
                && r.start <= reg.range.start()
                && reg.range.end() <= r.end
        }) || facts.calls.iter().any(|site| {
            // `require('./routes')(app)`, `routes(app)`: the app handed to a module that registers its routes.
            r.start <= site.call.range.start()
                && site.call.range.end() <= r.end
                && site.call.args.iter().any(|a| matches!(a, crate::values::Value::Ident(n, _) if n == app))
                && site.call.callee.as_ref().is_some_and(|c| {
                    c.inline_require.as_deref().is_some_and(|m| m.starts_with('.'))
                        || c.binding.as_ref().is_some_and(|b| b.module.starts_with('.'))
                })
        })
    };
    let last_route = top.iter().rposition(is_route)?;
    let is_use = |r: &Range<usize>| {
        facts.uses.iter().any(|u| {
            matches!(&u.receiver, crate::analysis::Receiver::Path(p) if p == app)
                && u.range.start() == r.start
                && code.get(u.range.end()..r.end).is_some_and(|rest| rest.trim() == ";" || rest.trim().is_empty())
        })
    };
    // `if ('development' == app.get('env')) { app.use(express.errorHandler()); }`: a block of app.use calls only.
    // The lines between a block's outer braces are `app.use(...)` calls and comments only.
    let prefix = format!("{app}.use(");
    let uses_only = |body: &str| {
        body.lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .all(|l| l.starts_with("//") || (l.starts_with(&prefix) && (l.ends_with(");") || l.ends_with(')'))))
    };
    let braces = |text: &str| Some((text.find('{')?, text.rfind('}')?)).filter(|(open, close)| open < close);
    // `if ('development' == app.get('env')) { app.use(express.errorHandler()); }`: a block of app.use calls only.
    let is_use_block = |r: &Range<usize>| {
        let text = &code[r.clone()];
        let Some((open, close)) = braces(text) else { return false };
        text.starts_with("if")
            && text[close + 1..].trim().is_empty()
            && uses_only(&text[open + 1..close])
            && text[open + 1..close].contains(&prefix)
    };
    // `app.configure('development', function () { app.use(...) })`: unwrapped into an `if` block, moved as one.
    let is_env_configure = |r: &Range<usize>| {
        let text = &code[r.clone()];
        let Some((open, close)) = braces(text) else { return false };
        (text.starts_with(&format!("{app}.configure('")) || text.starts_with(&format!("{app}.configure(\"")))
            && uses_only(&text[open + 1..close])
    };
    let moved: Vec<&Range<usize>> = nested
        .iter()
        .chain(top[..last_route].iter().filter(|r| is_use(r) || is_use_block(r) || is_env_configure(r)))
        .collect();
    if moved.is_empty() {
        return None;
    }
    // Each statement with the comment lines directly above it (a comment about a statement moves with it).
    let lines: Vec<Range<usize>> = moved
        .iter()
        .map(|r| {
            let line = whole_line(code, (*r).clone())?;
            let start = layout::before_statement(code, &facts.comments, r.start).unwrap_or(line.start);
            Some(start.min(line.start)..line.end)
        })
        .collect::<Option<_>>()?;
    let target = whole_line(code, top[last_route].clone())?.end;
    Some(Move { lines, target })
}

/// `app.locals(obj)` / `res.locals(obj)`: Express 3's `locals` is a function that copies `obj`'s properties onto
/// itself (`for (var key in obj) locals[key] = obj[key]; return obj;`, lib/utils.js), Express 4's a plain object, so
/// the call throws "app.locals is not a function". A call that is a whole statement, on an app or router of the
/// project or a handler's response, with one argument, becomes `Object.assign(app.locals, obj)` (the same copy, and
/// on Express 3 too: its `locals` function is an object whose properties are what it merges) where the project's
/// Node has `Object.assign` (4 and newer). Any other such call (its value used, not one argument, an object not shown
/// to be Express's, a Node older than 4) is left and reported: it holds the move to Express 4 back.
fn locals_calls(cx: &FileContext<'_>, plan: &mut FilePlan) {
    let facts = cx.facts;
    let code = &cx.file.code;
    let handlers = handlers::handlers(facts, cx.links);
    let routers = handlers::routers(facts);
    let modern_node = cx.project.node.supports(">=4");
    for call in facts.member_calls().iter().filter(|c| c.method == "locals") {
        let at = call.range.start();
        let object = call.object.as_str();
        let express = handlers::response_at(&handlers, object, at).is_some()
            || handlers::is_express_receiver(facts, cx.links, &routers, &Receiver::Path(call.object.clone()), at);
        let callee = format!("{object}.locals");
        let statement = call.stmt.as_ref().and_then(|stmt| code.get(stmt.range.range())).unwrap_or("");
        let whole = code.get(call.range.range()).unwrap_or("");
        let alone = !whole.is_empty() && statement.trim_end().trim_end_matches(';').trim_end() == whole;
        // (The argument directly after the parenthesis, nothing but blanks between: no spread, no comment.)
        let open =
            code.get(call.method_range.end()..).and_then(|rest| rest.find('(')).map(|i| call.method_range.end() + i);
        let arg = match (&*call.args, open) {
            ([arg], Some(open)) if cx.text(open + 1..arg.range().start()).trim().is_empty() => Some((open, arg)),
            _ => None,
        };
        let why = if !express {
            format!("`{object}` is not shown to be an Express app or a handler's response here")
        } else if !alone {
            format!(
                "it is not a statement of its own (its value may be used), and Express 3 returned the argument \
                 where `Object.assign({callee}, ...)` returns `{callee}`"
            )
        } else if arg.is_none() {
            "it is not called with one argument written directly in its parentheses".to_string()
        } else if !modern_node {
            format!("the project's Node ({}) has no `Object.assign` (Node 4 and newer)", cx.project.node.range)
        } else {
            String::new()
        };
        match arg {
            Some((open, arg)) if why.is_empty() => {
                // (`app.locals({` -> `Object.assign(app.locals, {`; an argument on the next line stays there.)
                let start = arg.range().start();
                if cx.text(open + 1..start).contains('\n') {
                    plan.edits.push(Edit::replace(at..open + 1, format!("Object.assign({callee},")));
                } else {
                    plan.edits.push(Edit::replace(at..start, format!("Object.assign({callee}, ")));
                }
            }
            _ => {
                let what = if express {
                    format!(
                        "`{callee}(...)` is Express 3 API (a function that copies the object's properties onto \
                         `{callee}`): on Express 4 `{callee}` is a plain object and the call throws \"{callee} is not \
                         a function\""
                    )
                } else {
                    format!(
                        "`{callee}(...)` looks like Express 3's `app.locals(obj)` / `res.locals(obj)`, which throw on \
                         Express 4 (its locals are plain objects)"
                    )
                };
                let fix = if modern_node {
                    format!("write `Object.assign({callee}, obj)` or set the properties one by one")
                } else {
                    format!("set the properties on `{callee}` one by one")
                };
                let fix = if express { fix } else { format!("if it is one, {fix}") };
                let message = format!("{what}; not rewritten, since {why}: {fix}");
                plan.findings.push(cx.finding("locals", at, message));
            }
        }
    }
}

/// `res.headerSent` -> `res.headersSent`; `req.accepted*` reported.
fn renamed_properties(cx: &FileContext<'_>, plan: &mut FilePlan) {
    for read in cx.facts.property_reads().iter() {
        match read.property.as_str() {
            "headerSent" => plan.edits.push(Edit::replace(read.range, "headersSent")),
            "accepted" | "acceptedLanguages" | "acceptedCharsets" => plan.findings.push(cx.finding(
                "accepted",
                read.range.start(),
                format!(
                    "req.{} is gone in Express 4: use req.accepts(), req.acceptsLanguages() or req.acceptsCharsets()",
                    read.property
                ),
            )),
            _ => {}
        }
    }
}

/// The new imports, after the express import, in the file's module system.
fn import_edit(cx: &FileContext<'_>, imports: &[(&Bundled, String)]) -> Edit {
    let facts = cx.facts;
    let style = &imports::style(cx, Some("express"));
    let kind = match facts.bindings_of("express").find(|b| b.top_level) {
        Some(b) if cx.text(b.stmt).starts_with("var") => swc_ecma_ast::VarDeclKind::Var,
        _ => swc_ecma_ast::VarDeclKind::Const,
    };
    let lines: Vec<String> = imports
        .iter()
        .map(|(bundled, local)| match facts.module_system {
            ModuleSystem::Esm => {
                codegen::print_item(codegen::import_default(local, &bundled.package, style.quote), style)
            }
            ModuleSystem::CommonJs => {
                codegen::print_stmt(codegen::require_decl(local, &bundled.package, style.quote, kind), style, "")
            }
        })
        .collect();
    imports::insert(cx, &lines.join(style.eol), Some("express"))
}
