//! `helmet`: registers helmet on every Express app a file creates.
//!
//! ```js
//! // before
//! const express = require('express');
//!
//! const app = express();
//! app.get('/', home);
//! app.listen(3000);
//!
//! // after
//! const express = require('express');
//! const helmet = require('helmet');
//!
//! const app = express();
//! app.use(helmet());
//! app.get('/', home);
//! app.listen(3000);
//! ```
//!
//! Not applicable (left alone, sometimes with a finding): files that create no app (routers), apps the code never
//! serves from (declared, configured, and never listened on, passed, exported or returned: `crate::serving`), apps
//! that already use helmet in any form (in this file, or in a module the app is handed to), apps that use only some
//! of helmet's sub-middlewares (reported with what is missing).
//! Data: `transforms/helmet/data.json`. Description: `transforms/helmet/README.md`. Fixtures:
//! `tests/fixtures/helmet/`.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use serde::Deserialize;

use crate::analysis::{AppSite, ExpressApp, FileFacts, ImportKind, MemberCall, Middleware, ModuleSystem};
use crate::codegen;
use crate::discover::display_path;
use crate::edit::Edit;
use crate::layout;
use crate::links::FileLinks;
use crate::manifest::DepSection;
use crate::transform::{DependencyRequest, FileContext, FilePlan, Transform, TransformInfo, Watch};
use crate::transforms::data::{self, PackageVersion};
use crate::transforms::shared::{imports, proxy};
use crate::views;

const ID: &str = "helmet";

#[derive(Debug, Deserialize)]
struct HelmetData {
    #[serde(flatten)]
    described: data::Described,
    package: String,
    local_name: String,
    /// Newest first.
    versions: Vec<HelmetVersion>,
    middlewares: Vec<SubMiddleware>,
    /// Packages that rewrite HTML on its way out (minifiers): with one listed, inline scripts are not hashed.
    html_rewriters: Vec<String>,
    /// Third-party widgets whose script opens frames or connects back ([`Widget`]).
    widgets: Vec<Widget>,
    /// Origins that serve library files and nothing else (CDNs): their scripts are no widgets.
    static_script_hosts: Vec<String>,
    /// Packages that serve the app over HTTPS or send plain-HTTP requests there (`express-sslify`).
    https_packages: Vec<String>,
    /// Frame hosts whose embeds need the embedding page's Referer ([`RefererEmbeds`]).
    referer_embeds: RefererEmbeds,
    /// Packages that serve a page of their own the Content-Security-Policy would blank ([`LibraryUi`]).
    library_uis: Vec<LibraryUi>,
    /// Front-end libraries that write inline event handlers into the page ([`HandlerLibrary`]).
    handler_libraries: Vec<HandlerLibrary>,
}

/// A front-end library a page loads by `<script src>` that writes inline event handlers into the markup it renders
/// (CKEditor 4's toolbar buttons: `onclick="CKEDITOR.tools.callFunction(...)"`), which helmet's
/// `script-src-attr 'none'` blocks: the policy allows them as a page's own handlers (`scriptSrcAttr`), and
/// `helmet/csp-inline` names the library (`evidence` in data.json: what its source shows).
#[derive(Debug, Deserialize)]
struct HandlerLibrary {
    /// What it is, for the finding.
    name: String,
    /// The name of the script file that loads it (`ckeditor.js`).
    file: String,
    /// The major version that writes the handlers: a version in the URL's path (`/4.14.1/`, `ckeditor4@4.22.1`) must
    /// have it; a URL with none (a copy the app serves) counts.
    major: String,
    /// Text in the URL that marks another library of that file name (`ckeditor5`).
    not: Vec<String>,
    /// The inline code it writes, for the finding.
    writes: String,
    /// What to do instead, for the finding.
    instead: String,
}

/// The [`HandlerLibrary`] a `<script src>` URL loads, if any.
fn handler_library(url: &str) -> Option<&'static HandlerLibrary> {
    let path = url.split(['?', '#']).next()?.trim().to_ascii_lowercase();
    let file = path.rsplit('/').next()?;
    // (The major version of a path segment that is a version, `4.14.1`, or names one, `ckeditor4@4.22.1`.)
    let majors: Vec<&str> = path
        .split('/')
        .map(|segment| segment.rsplit('@').next().unwrap_or(segment).trim_start_matches('v'))
        .filter(|segment| segment.contains('.') && segment.starts_with(|c: char| c.is_ascii_digit()))
        .filter_map(|version| version.split('.').next())
        .collect();
    data().handler_libraries.iter().find(|lib| {
        file == lib.file
            && !lib.not.iter().any(|n| path.contains(n.as_str()))
            && majors.iter().all(|major| *major == lib.major)
    })
}

/// The inline code the [`HandlerLibrary`]s the pages load write, as a page's ([`views::csp_directives`]): an inline
/// script whose text varies (CKEditor 4 writes one into its editing frame, which has the page's policy, with a
/// number that changes) and an event handler; `None` when the pages load none.
fn library_inline(cx: &FileContext<'_>) -> Option<views::ViewScan> {
    let loads = cx
        .project
        .views_for(&cx.file.path)
        .any(|(_, scan)| scan.script_urls.iter().any(|(_, url)| handler_library(url).is_some()));
    loads.then(|| views::ViewScan {
        inline: vec![
            views::InlineCode::unhashed(1, views::InlineKind::Script),
            views::InlineCode::unhashed(1, views::InlineKind::EventHandler),
        ],
        ..views::ViewScan::default()
    })
}

/// The pages' scripts that load a [`HandlerLibrary`]: each place (`views/layout.hbs:22`) with the library.
fn handler_library_scripts(cx: &FileContext<'_>) -> Vec<(String, &'static HandlerLibrary)> {
    let mut found = Vec::new();
    for (path, scan) in cx.project.views_for(&cx.file.path) {
        for (line, url) in &scan.script_urls {
            if let Some(library) = handler_library(url) {
                found.push((format!("{}:{line}", display_path(path)), library));
            }
        }
    }
    found
}

/// A package whose middleware serves an HTML page of its own (a GraphQL IDE, a job dashboard) with inline scripts or
/// scripts from CDNs, which helmet's `script-src 'self'` blocks: an app that calls it gets no Content-Security-Policy,
/// and `helmet/library-ui` says where and why (`evidence` in data.json: what its package source shows).
#[derive(Debug, Deserialize)]
struct LibraryUi {
    package: String,
    /// The versions before this one serve the page (later ones changed it or were not checked); all when absent.
    below: Option<String>,
    /// The page is served only when the call's options set this key to anything but `false` (`graphiql`).
    option: Option<String>,
    /// What the page is, for the finding.
    ui: String,
}

/// The note of [`Helmet::survey`] for a call of a [`LibraryUi`] package: `library-ui:PACKAGE:LINE`.
const LIBRARY_UI: &str = "library-ui:";

/// The first call in the file of each package of [`HelmetData::library_uis`] that serves its page: the package and
/// where.
fn library_ui_calls(facts: &FileFacts) -> Vec<(&'static str, usize)> {
    use crate::values::Value;
    let mut out: Vec<(&'static str, usize)> = Vec::new();
    for ui in &data().library_uis {
        let site = facts.calls.iter().find(|site| {
            // (Any function of the package: `agendash(agenda)`, `new ApolloServer(...)`, `graphqlHTTP({...})`.)
            site.call.callee.as_ref().is_some_and(|c| {
                c.binding.as_ref().is_some_and(|b| b.module == ui.package.as_str())
                    || c.inline_require.as_ref().is_some_and(|m| m == ui.package.as_str())
            }) && ui.option.as_deref().is_none_or(|key| match site.call.args.first() {
                Some(Value::Object(options)) if options.spreads.is_empty() => {
                    property(options, key).is_some_and(|p| !matches!(p.value, Value::Bool(false, _)))
                }
                _ => true,
            })
        });
        if let Some(site) = site {
            out.push((ui.package.as_str(), site.call.range.start()));
        }
    }
    out
}

/// A page of a [`LibraryUi`] the project serves, from the notes of every module: the package, the file and the
/// line of its call; none when the version installed (else listed) is one that does not serve it.
fn library_ui<'a>(cx: &FileContext<'a>) -> Option<(&'static LibraryUi, &'a std::path::Path, &'a str)> {
    cx.project.survey(ID).notes(LIBRARY_UI).find_map(|(path, note)| {
        let (package, line) = note.rsplit_once(':')?;
        let ui = data().library_uis.iter().find(|u| u.package == package)?;
        let version = cx.project.installed(package).as_deref().and_then(crate::npm_spec::min_version);
        let below = ui.below.as_deref().and_then(crate::npm_spec::min_version);
        let serves = match (version, below) {
            (Some(version), Some(below)) => version < below,
            _ => true,
        };
        serves.then_some((ui, path, line))
    })
}

/// Embedded players that refuse to play without the embedding page's Referer (YouTube's since July 2025: Error 153),
/// which helmet's `Referrer-Policy: no-referrer` strips: with one of `hosts` in frameSrc, the policy written is
/// `strict-origin-when-cross-origin` (browsers' default: the origin only, to other sites).
#[derive(Debug, Deserialize)]
struct RefererEmbeds {
    hosts: Vec<String>,
    source: String,
}

/// A third-party widget: the origins its script is loaded from, and the sources it needs on top of them, each from the
/// vendor's CSP documentation (`source`; `evidence` in data.json says what was read there).
#[derive(Debug, Deserialize)]
struct Widget {
    name: String,
    /// Origins (`https://js.stripe.com`) or every subdomain of one (`https://*.hcaptcha.com`).
    scripts: Vec<String>,
    /// Directive (as helmet names it) -> the sources it needs.
    directives: BTreeMap<String, Vec<String>>,
    source: String,
}

/// A helmet major, and whether it reads the Content-Security-Policy directives written here on top of its defaults
/// (helmet 4 replaces its defaults with them, and then needs a `default-src` of its own).
#[derive(Debug, Deserialize)]
struct HelmetVersion {
    #[serde(flatten)]
    package: PackageVersion,
    #[serde(default = "yes")]
    directives: bool,
    /// The TypeScript versions that read its type declarations (`index.d.cts` from helmet 6.1.5 on needs
    /// TypeScript 4.7), when not every TypeScript does.
    typescript: Option<String>,
    /// The option that sets its X-Frame-Options (`xFrameOptions` from helmet 6.2 on, `frameguard` before).
    #[serde(default = "x_frame_options")]
    x_frame_options: String,
    /// It sends `Cross-Origin-Embedder-Policy: require-corp` by default (helmet 5 and 6; helmet 7 turned it off):
    /// written with `crossOriginEmbedderPolicy: false`, or the pages could load no script or image of another site
    /// that sends no Cross-Origin-Resource-Policy, hosts the policy allows included.
    #[serde(default)]
    embedder_policy: bool,
}

fn x_frame_options() -> String {
    "xFrameOptions".to_string()
}

fn yes() -> bool {
    true
}

/// One of helmet's sub-middlewares (`helmet.hsts()` is `strictTransportSecurity` under an old name).
#[derive(Debug, Deserialize)]
struct SubMiddleware {
    name: String,
    aliases: Vec<String>,
    header: String,
    default: bool,
}

fn data() -> &'static HelmetData {
    static DATA: OnceLock<HelmetData> = OnceLock::new();
    DATA.get_or_init(|| data::parse(ID, include_str!("../../transforms/helmet/data.json")))
}

transform_struct!(
    Helmet,
    "The helmet transform.",
    // (`--behind-proxy`, the cookie transforms' setting: a TLS-terminating proxy serves the app over HTTPS.)
    behind_proxy: bool = false,
);

/// How helmet is applied to one app.
#[derive(Debug, Default)]
struct Applied {
    /// Offset of the first `.use(helmet(...))`.
    full_at: Option<usize>,
    /// Whether that registration names helmet uncalled (`app.use(helmet)`), which the run rewrites to `helmet()`
    /// ([`uncalled`]).
    uncalled: bool,
    /// Protections switched off in helmet's options.
    disabled: Vec<String>,
    /// Sub-middlewares used on their own (canonical names).
    subs: BTreeSet<String>,
    /// Offset of the first registration of a sub-middleware.
    first_sub_at: Option<usize>,
}

fn canonical(name: &str) -> Option<&'static SubMiddleware> {
    data().middlewares.iter().find(|m| m.name == name || m.aliases.iter().any(|a| a == name))
}

fn applied_to(facts: &FileFacts, app: &ExpressApp, uncalled: &[Uncalled]) -> Applied {
    let mut applied = Applied::default();
    for call in facts.uses.iter().filter(|u| facts.is_app(app, &u.receiver, u.range.start())) {
        if applied.full_at.is_none() && uncalled.iter().any(|c| c.at == call.range.start()) {
            applied.full_at = Some(call.range.start());
            applied.uncalled = true;
        }
        for mw in &call.middleware {
            match facts.resolve(mw) {
                Middleware::CallOf { binding, disabled } if binding.module == ID => match &binding.kind {
                    ImportKind::Module => {
                        applied.full_at.get_or_insert(call.range.start());
                        applied.disabled.extend(disabled.iter().map(ToString::to_string));
                    }
                    ImportKind::Named(name) => {
                        applied.subs.extend(canonical(name).map(|m| m.name.clone()));
                        applied.first_sub_at.get_or_insert(call.range.start());
                    }
                },
                Middleware::MemberCallOf { binding, member } if binding.module == ID => {
                    applied.subs.extend(canonical(member).map(|m| m.name.clone()));
                    applied.first_sub_at.get_or_insert(call.range.start());
                }
                Middleware::RequireCall { module } if module == ID => {
                    applied.full_at.get_or_insert(call.range.start());
                }
                _ => {}
            }
        }
    }
    applied
}

/// Reports each `helmet(...)` call that is a statement of its own (`helmet(app);`): helmet only returns a middleware
/// (helmet 2.x and 8.3.0, read in their sources, take its argument as options, and an app has none of their names),
/// so the discarded result sets no header, whatever the author expected of it.
fn report_unregistered(cx: &FileContext<'_>, plan: &mut FilePlan) {
    const MESSAGE: &str = "this helmet(...) call registers nothing: helmet only returns a middleware (it reads its \
                           argument as options, not as an app to hook onto), and this statement discards it, so it \
                           sets no header; helmet applies only where that middleware is registered, \
                           `app.use(helmet())`: this call can go";
    for site in cx.facts.calls.iter().filter(|s| !s.is_new) {
        let (Some(callee), Some(stmt)) = (&site.call.callee, &site.stmt) else { continue };
        let call = site.call.range;
        // (The whole statement is the call, with at most its semicolon: its value goes nowhere.)
        let rest = cx.file.code.get(call.end()..stmt.range.end()).unwrap_or_default();
        let discarded = stmt.range.start() == call.start() && rest.trim().trim_end_matches(';').is_empty();
        if callee.is_module(ID) && discarded {
            plan.findings.push(cx.finding("unregistered", call.start(), MESSAGE.to_string()));
        }
    }
}

/// A `.use` call that registers helmet itself, uncalled (`app.use(helmet)`, `router.use('/x', helmet)`,
/// `app.use(cors(), helmet)`): helmet is the function that makes the middleware, so Express calls it with each
/// request as its options. helmet 2.x to 3.6 then build a middleware, return it and never call `next`: no request is
/// answered; 3.7 and later throw "It appears you have done something like `app.use(helmet)`", and every request fails
/// with 500 (read in `npm pack helmet@2.3.0`, `3.6.0`, `3.7.0`, `3.23.3`, `4.6.0`, `8.3.0`; run with Express 4.22).
/// The run rewrites each name to `helmet()`, which is then the registration, as the author meant.
#[derive(Debug)]
struct Uncalled {
    /// Offset of the `.use` call.
    at: usize,
    /// The name as written, and where it ends (the `()` goes there).
    name: String,
    end: usize,
}

/// The [`Uncalled`] registrations of the file. A name is helmet's when an import or require binds it to the module
/// itself and nothing around the call gives it another value: no declaration of its own where the call is, no
/// parameter of a function holding the call, no function of that name, no assignment (`helmet = helmet()` makes it
/// the middleware, as `const helmet = require('helmet')()` does, which is correct as it is).
fn uncalled_registrations(cx: &FileContext<'_>) -> Vec<Uncalled> {
    use crate::values::Value;
    let facts = cx.facts;
    let helmet_itself = |name: &str, at: usize| {
        let Some(binding) = facts.bindings_of(ID).find(|b| b.kind == ImportKind::Module && b.local == name) else {
            return false;
        };
        let parameter = facts.functions.iter().any(|f| {
            (f.range.start() < at && at < f.range.end())
                && (f.params.iter().flatten().any(|p| p == name)
                    || f.object_params.iter().any(|(_, _, local)| local == name))
        });
        !parameter
            && facts.declaration(name, at).is_none_or(|d| d.stmt == binding.stmt)
            && !facts.functions.iter().any(|f| f.name.as_deref() == Some(name))
            && !facts.assigned.iter().any(|(n, _)| n == name)
    };
    if facts.bindings_of(ID).next().is_none() {
        return Vec::new();
    }
    // (Read back only for a file that has such a registration: a large project's lists are packed.)
    let mut member_calls = None;
    let mut found = Vec::new();
    for u in facts.uses.iter() {
        let at = u.range.start();
        let named: Vec<&str> = u
            .middleware
            .iter()
            .filter_map(|mw| match facts.resolve(mw) {
                Middleware::Ident(name) if helmet_itself(name, at) => Some(name.as_str()),
                _ => None,
            })
            .collect();
        if named.is_empty() {
            continue;
        }
        // (The names' bytes, from the call's arguments: a name in parentheses or with a type assertion is left as
        // it is.)
        let calls = member_calls.get_or_insert_with(|| facts.member_calls());
        let Some(call) = calls.iter().find(|c| c.range == u.range && c.method == "use") else { continue };
        let mut args: Vec<&Value> = call.args.iter().collect();
        while let Some(arg) = args.pop() {
            match arg {
                Value::Array(items, _) => args.extend(items.iter()),
                Value::Ident(name, range)
                    if named.contains(&name.as_str()) && cx.file.code.get(range.range()) == Some(name.as_str()) =>
                {
                    found.push(Uncalled { at, name: name.to_string(), end: range.end() });
                }
                _ => {}
            }
        }
    }
    found
}

/// Rewrites each [`Uncalled`] name to a call, `helmet()`, and says why with `helmet/uncalled` at the name.
fn rewrite_uncalled(cx: &FileContext<'_>, plan: &mut FilePlan, uncalled: &[Uncalled]) {
    for Uncalled { name, end, .. } in uncalled {
        plan.edits.push(Edit::insert(*end, "()"));
        plan.findings.push(cx.finding(
            "uncalled",
            end - name.len(),
            format!(
                "`{name}` was registered uncalled: helmet is the function that makes the middleware, so each request \
                 was passed to it as its options, and no header was set (helmet 2 to 3.6 never answer the request; 3.7 \
                 and later throw, and every request fails with 500). It was rewritten to `{name}()`, which registers \
                 helmet's middleware with its default protections"
            ),
        ));
    }
}

/// Whether helmet is applied somewhere in the file on something that is not a known app (another name for it,
/// perhaps): then adding it again could apply it twice.
fn applied_elsewhere(facts: &FileFacts, uncalled: &[Uncalled]) -> Option<usize> {
    facts
        .uses
        .iter()
        .filter(|u| !facts.apps.iter().any(|app| facts.is_app(app, &u.receiver, u.range.start())))
        .find(|u| {
            uncalled.iter().any(|c| c.at == u.range.start())
                || u.middleware.iter().any(|mw| match facts.resolve(mw) {
                    Middleware::CallOf { binding, .. } => binding.module == ID && binding.kind == ImportKind::Module,
                    Middleware::RequireCall { module } => module == ID,
                    _ => false,
                })
        })
        .map(|u| u.range.start())
}

impl Helmet {
    /// Whether the project serves pages and nothing shows that it is served over HTTPS (no HTTPS server it always
    /// creates, no trust proxy that surely runs, no HTTPS redirect package, no `--behind-proxy`): helmet's
    /// upgrade-insecure-requests would then send the pages' scripts, styles and images to https:// where nothing
    /// answers.
    fn plain_http(&self, cx: &FileContext<'_>) -> bool {
        !self.behind_proxy
            && (cx.project.views_for(&cx.file.path).next().is_some() || cx.project.code_pages.is_some())
            && cx.project.survey(ID).prefixes().all(|p| p == LISTEN || p == FORM_REDIRECT || p == LIBRARY_UI)
    }
}

impl Transform for Helmet {
    fn info(&self) -> &TransformInfo {
        &self.info
    }

    fn watch(&self) -> &'static [Watch] {
        // (`https.createServer(...)` and `trust proxy` say the app is served over HTTPS: [`Helmet::survey`].)
        &[
            Watch::Text("express"),
            Watch::Call("createServer"),
            Watch::Call("createSecureServer"),
            Watch::AlsoCall("set"),
            Watch::AlsoCall("enable"),
            // (A sub-app that turns its X-Powered-By off itself: [`hide_powered_by`].)
            Watch::AlsoCall("disable"),
            // (A form's submission redirected to another site: [`form_redirects`].)
            Watch::AlsoCall("redirect"),
            Watch::AlsoCall("listen"),
            // (webpack's dev middleware registered on the app: [`dev_eval`].)
            Watch::AlsoCall("use"),
        ]
    }

    fn configure(&mut self, input: &crate::settings::SettingsInput<'_>) -> Result<(), String> {
        // (A bad value is reported by the cookie transforms, which own the setting.)
        let policy = crate::transforms::shared::cookie_flags::CookiePolicy::read(input).ok();
        self.behind_proxy = policy.and_then(|p| p.behind_proxy).is_some();
        Ok(())
    }

    fn plan_manifest(&self, cx: &crate::transform::ManifestContext<'_>, plan: &mut crate::transform::ManifestPlan) {
        // A project that runs Express (its own `dependencies` list it) whose code creates no app, nor any project in
        // its folders: without a word, "would change no files" reads as "already hardened". (A library that lists
        // express as a peer or for its tests has no app of its own to say anything about.)
        let runs_express =
            cx.info.dependency_all("express").iter().any(|(section, _)| *section == DepSection::Dependencies);
        if !runs_express {
            return;
        }
        let has_app = |p: &crate::project::Project| p.dir.starts_with(&cx.project.dir) && p.code_use.apps > 0;
        if has_app(cx.project) || cx.projects.values().any(has_app) {
            return;
        }
        let code = &cx.project.code_use;
        let unread = match code.unread.len() {
            0 => String::new(),
            1 => "; 1 source file could not be analysed (see its finding or error)".to_string(),
            n => format!("; {n} source files could not be analysed (see their findings or errors)"),
        };
        let message = format!(
            "no Express app found: express is a dependency, but no analysed source file ({} in all) calls \
             `express()`, so helmet was added nowhere{unread}; an app created by another package or a wrapper is not \
             followed: register helmet where it is created",
            code.analysed_files,
        );
        plan.findings.push(cx.finding("no-app", "express", message));
    }

    fn surveys(&self, cx: &FileContext<'_>) -> crate::transform::Survey {
        // (The text, to read a `trust proxy` value: `1` turns it on, `0` or a computed value does not say HTTPS.)
        // (And a server the module starts when it loads: the package runs itself, it is no library.)
        // (And the text of a module whose routes redirect a form's submission: [`form_redirects`].)
        // (A large project's lists are packed between the passes: read back once here.)
        let member_calls = cx.facts.member_calls();
        let redirects = member_calls.iter().any(|c| c.method == "redirect");
        match (serves_https(cx.facts, &member_calls, cx.links, None), listens(&member_calls)) {
            (Some(_), _) => crate::transform::Survey::Text,
            _ if redirects => crate::transform::Survey::Text,
            (None, Some(_)) => crate::transform::Survey::Lines,
            (None, None) if !library_ui_calls(cx.facts).is_empty() => crate::transform::Survey::Lines,
            (None, None) => crate::transform::Survey::Nothing,
        }
    }

    fn survey(&self, cx: &FileContext<'_>) -> Vec<String> {
        let member_calls = cx.facts.member_calls();
        let https = (!cx.file.is_parked())
            .then(|| serves_https(cx.facts, &member_calls, cx.links, Some(&cx.file.code)))
            .flatten();
        let https = https.map(|at| cx.file.line(at).to_string());
        let listen = listens(&member_calls).map(|at| format!("{LISTEN}{}", cx.file.line(at)));
        let redirects = redirects_of_forms(cx, &member_calls)
            .into_iter()
            .map(|(at, hosts)| format!("{FORM_REDIRECT}{}:{}", cx.file.line(at), hosts.join(" ")));
        let uis = library_ui_calls(cx.facts)
            .into_iter()
            .map(|(package, at)| format!("{LIBRARY_UI}{package}:{}", cx.file.line(at)));
        https.into_iter().chain(listen).chain(redirects).chain(uis).collect()
    }

    fn plan(&self, cx: &FileContext<'_>, plan: &mut FilePlan) {
        let facts = cx.facts;
        report_unregistered(cx, plan);
        let uncalled = uncalled_registrations(cx);
        rewrite_uncalled(cx, plan, &uncalled);
        let mut missing: Vec<&ExpressApp> = Vec::new();
        let mut sub_apps: Vec<&ExpressApp> = Vec::new();
        // (An app the code never listens on, passes, exports or returns serves no request: a router module that also
        // calls `express()` gets no helmet and no policy, which would only be noise in its diff.)
        for app in facts.apps.iter().filter(|app| !app.idle) {
            let applied = applied_to(facts, app, &uncalled);
            if let Some(at) = applied.full_at {
                report_disabled(cx, plan, &applied, at);
                report_late(cx, plan, app, at);
                recheck_policy(cx, plan, at, applied.uncalled, self.plain_http(cx));
                report_embedder_blocks(cx, plan, at, applied.uncalled);
            } else if !applied.subs.is_empty() {
                report_partial(cx, plan, app, &applied);
            } else if cx
                .links
                .app_middleware
                .iter()
                .any(|m| m.app == app.creation.start() && m.module == data().package)
                || wraps_earlier_app(facts, app)
            {
                // (An app handed to another module that registers helmet on it, `require('./config/express')(app)`,
                // has it.)
            } else if mounted(cx, app) {
                // (So does a sub-app mounted on another app or router, whose headers it sends; but its own
                // X-Powered-By is set again when the request reaches it, after the parent's helmet removed it.)
                sub_apps.push(app);
            } else {
                missing.push(app);
            }
        }
        if consumed_library(cx).is_none() {
            hide_powered_by(cx, plan, &sub_apps);
        }
        if let Some(library) = consumed_library(cx) {
            // (An app made inside a function, `createApp()` of a framework: made for the package's users.)
            let whole = 0..cx.file.code.len();
            let (made, missing_here): (Vec<&ExpressApp>, Vec<&ExpressApp>) =
                missing.into_iter().partition(|app| app.scope != whole);
            missing = missing_here;
            // (A `start` script that runs only the library's example: see `published::example_start`.)
            let (start, fix) = match cx.project.manifest.as_ref().and_then(|m| m.start_script()) {
                Some(script) if cx.project.start_runs_example => (
                    format!("a start script that runs only its example, `{script}`"),
                    "make its start script run the package's own server",
                ),
                _ => ("no start script".to_string(), "give it a start script"),
            };
            for app in made {
                plan.findings.push(cx.finding(
                    "library",
                    app.creation.start(),
                    format!(
                        "this app is created by `{library}`, a published package other apps install (package.json \
                         has a name and a version and is not private; a function of a module it exports makes the \
                         app; the package starts no server of its own: no bin, {start}, no listen when a module \
                         loads): helmet with a policy fixed here is not added, since the sites built on it could \
                         neither configure nor turn it off. The apps that use `{library}` should register helmet on \
                         the app it gives them (or `{library}` could offer it as an option). If this package is in \
                         fact an app, {fix} and run again"
                    ),
                ));
            }
        }
        if missing.is_empty() {
            return;
        }
        if let Some(at) = applied_elsewhere(facts, &uncalled) {
            plan.findings.push(
                cx.finding(
                    "unverified",
                    at,
                    "helmet is registered here on an object not recognised as an app created in this file; no helmet \
                 was added, check that every app is covered"
                        .to_string(),
                ),
            );
            return;
        }

        let d = data();
        let rewriter = html_rewriter(cx);
        // (A library's own page the policy would blank: no policy at all, [`LibraryUi`].)
        let library = library_ui(cx);
        let (mut directives, widgets) = needed_policy(cx, rewriter);
        if library.is_some() {
            directives.clear();
        }
        let script = views::directive_of(views::ResourceKind::Script);
        let evaluates = directives.iter().any(|(n, s)| n == script && s.iter().any(|s| s == views::UNSAFE_EVAL));
        let dev_eval = dev_eval(cx, missing[0].creation.start()).filter(|_| !evaluates && library.is_none());
        if dev_eval.as_ref().is_some_and(|d| d.always) {
            add_unsafe_eval(&mut directives);
        }
        // (Sources allowed outside production only: webpack's eval, what Vite's dev server needs.)
        let vite = dev_server(cx).filter(|_| library.is_none()).map(|server| ViteNeeds::of(cx, server, &directives));
        let mut dev: Directives = Vec::new();
        if dev_eval.as_ref().is_some_and(|d| !d.always) {
            dev.push((script.to_string(), vec![views::UNSAFE_EVAL.to_string()]));
        }
        if let Some(vite) = &vite {
            vite.allow(&mut dev);
        }
        let redirects = form_redirects(cx, &directives);
        // Every package added runs on the project's Node: with no helmet that does, none is written.
        let plain = directives.is_empty() && dev.is_empty() && dev_eval.is_none();
        let runs = |v: &&HelmetVersion| cx.project.node.supports(&v.package.node) && (plain || v.directives);
        // ... and, in a TypeScript file, one whose types the project's TypeScript reads (`tsc` stops at
        // `import helmet from 'helmet'` otherwise: TS2307). (A JavaScript app file of a project that lists TypeScript
        // for its front end, or its tooling, is not type-checked with helmet's types.)
        let typescript = (cx.file.kind != crate::source::SourceKind::JavaScript)
            .then(|| cx.project.installed("typescript"))
            .flatten();
        let types_read = |v: &&HelmetVersion| match (&v.typescript, &typescript) {
            (Some(needs), Some(installed)) => crate::npm_spec::allows_all(needs, installed),
            _ => true,
        };
        // (A helmet package.json already lists above that one is kept, never lowered: the finding below says which
        // TypeScript its types need.)
        let min = crate::npm_spec::min_version;
        let listed = cx.project.listed(&d.package);
        let lowers = |v: &HelmetVersion| {
            let listed = listed.as_deref().and_then(min);
            listed.zip(min(&v.package.spec)).is_some_and(|(listed, chosen)| listed > chosen)
        };
        let fitting = d.versions.iter().filter(runs).find(|v| types_read(v) && !lowers(v));
        let kept = || {
            let listed = listed.as_deref()?;
            d.versions.iter().filter(runs).find(|v| crate::npm_spec::overlaps(listed, &v.package.spec))
        };
        let Some(version) = fitting.or_else(kept).or_else(|| d.versions.iter().find(runs)) else {
            plan.findings.push(cx.finding(
                "node",
                missing[0].creation.start(),
                format!(
                    "no helmet version is known to run on Node {} ({}){}: helmet was not added; raise the project's \
                     Node, then run again",
                    cx.project.node.range,
                    cx.project.node.source,
                    if directives.is_empty() { "" } else { " with the Content-Security-Policy directives it needs" }
                ),
            ));
            return;
        };
        // Code elsewhere in the project that calls a middleware the written helmet no longer has (`helmet.noCache()`,
        // gone in helmet 4) would stop the app once helmet is raised: nothing is written.
        let gone: Vec<&str> = cx
            .project
            .package_calls
            .iter()
            .filter(|(module, function)| *module == d.package && canonical(function).is_none())
            .map(|(_, function)| function.as_str())
            .collect();
        if !gone.is_empty() {
            plan.findings.push(cx.finding(
                "old-api",
                missing[0].creation.start(),
                format!(
                    "the project calls {} of an older helmet, which helmet {} (the version this app would get) no \
                     longer has: adding helmet here would raise the project's helmet and that call would stop the \
                     app at start, so helmet was not added. Replace the call (helmet 4 removed noCache, hpkp and \
                     featurePolicy; helmet 7 removed expectCt), then run again",
                    gone.iter().map(|f| format!("`helmet.{f}()`")).collect::<Vec<_>>().join(", "),
                    version.package.spec.trim_start_matches(['^', '~']),
                ),
            ));
            return;
        }
        let style = &facts.style;
        let existing = facts
            .bindings_of(&d.package)
            .find(|b| b.kind == ImportKind::Module && b.top_level)
            .map(|b| b.local.clone());
        let name = existing.clone().unwrap_or_else(|| facts.free_name(&d.local_name, &["helmetMiddleware"]).into());
        if existing.is_none() {
            plan.edits.push(import_edit(cx, &name));
        }

        // Pages the app serves, and nothing that says it is served over HTTPS: helmet's upgrade-insecure-requests
        // would send their scripts, styles and images to https:// when the app is opened over plain HTTP (a
        // self-hosted dashboard at http://192.168.1.10:3001), where nothing answers.
        let embeds = referer_embeds(&directives);
        let plain_http = version.directives && library.is_none() && self.plain_http(cx);
        for app in &missing {
            let fit = Fit {
                directives: &directives,
                dev: &dev,
                plain_http,
                referer: !embeds.is_empty(),
                framing: cx.project.frame_options_set.as_ref(),
                embeddable: cx.project.embed_code.is_some() && cx.project.frame_options_set.is_none(),
                cross_origin: uses_cors(cx, app).is_some() || cx.project.allows_every_origin.is_some(),
                // `xFrameOptions` from helmet 6 on; `frameguard`, its old name, is what helmet 5 reads.
                x_frame_options: &version.x_frame_options,
                embedder_policy: version.embedder_policy,
                csp_off: library.is_some(),
            };
            let helmet_call = helmet_call(&name, &fit, style.quote);
            match &app.site {
                AppSite::AfterStatement { stmt, receiver } => {
                    let call = codegen::call(codegen::member(receiver_expr(receiver), "use"), vec![helmet_call]);
                    let indent = cx.file.indent_at(stmt.start()).to_string();
                    let snippet = codegen::print_stmt(codegen::expr_stmt(call), style, &indent);
                    let point = layout::after_statement(&cx.file.code, &facts.comments, stmt.end());
                    plan.edits
                        .push(Edit::insert(point.offset, layout::statement_after(point, &snippet, &indent, style)));
                }
                AppSite::Chain => {
                    let printed = codegen::fit(
                        &codegen::print_items(vec![swc_ecma_ast::ModuleItem::Stmt(codegen::expr_stmt(helmet_call))]),
                        &crate::style::Style { semicolons: false, ..style.clone() },
                        cx.file.indent_at(app.creation.start()),
                    );
                    let printed = printed.trim_end_matches(';');
                    plan.edits.push(Edit::insert(app.creation.end(), format!(".use({printed})")));
                }
            }
        }
        if let (Some(listed), Some(installed), false) = (&listed, &typescript, types_read(&version)) {
            plan.findings.push(cx.finding(
                "typescript",
                missing[0].creation.start(),
                format!(
                    "the project's TypeScript ({installed}) cannot read the types of the helmet package.json lists \
                     ({listed}: index.d.cts, read from TypeScript {} on), so `import helmet from 'helmet'` fails \
                     with TS2307; raise TypeScript to {} or newer",
                    version.typescript.as_deref().unwrap_or_default().trim_start_matches(">="),
                    version.typescript.as_deref().unwrap_or_default().trim_start_matches(">="),
                ),
            ));
        } else if let (Some(newer), Some(installed)) = (d.versions.iter().find(runs), &typescript) {
            if !std::ptr::eq(newer, version) {
                plan.findings.push(cx.finding(
                    "typescript",
                    missing[0].creation.start(),
                    format!(
                        "the project's TypeScript ({installed}) cannot read the types of helmet {} (index.d.cts, \
                         read from TypeScript {} on: `import helmet from 'helmet'` would fail with TS2307), so \
                         helmet {} is added, the newest whose types it reads; raise TypeScript to {} or newer, then \
                         helmet to {}",
                        newer.package.spec.trim_start_matches(['^', '~']),
                        newer.typescript.as_deref().unwrap_or_default().trim_start_matches(">="),
                        version.package.spec.trim_start_matches(['^', '~']),
                        newer.typescript.as_deref().unwrap_or_default().trim_start_matches(">="),
                        newer.package.spec,
                    ),
                ));
            }
        }
        if let Some((ui, path, line)) = library {
            plan.findings.push(cx.finding(
                "library-ui",
                missing[0].creation.start(),
                format!(
                    "the app serves {} ({}, called at {}:{line}), a page of the package's own with inline scripts \
                     or scripts from CDNs, which a Content-Security-Policy blocks: it would come out blank. So \
                     helmet is added with contentSecurityPolicy: false, for the whole app (its other headers \
                     stay). To keep a policy on the app's own pages, register helmet without one on the page's path \
                     and with helmet's policy on the rest; where the page is served only outside production (Apollo \
                     Server 2's Playground), contentSecurityPolicy: process.env.NODE_ENV === 'production' ? \
                     undefined : false keeps helmet's policy in production",
                    ui.ui,
                    ui.package,
                    display_path(path),
                ),
            ));
        } else {
            report_views(cx, plan, missing[0], &directives, rewriter);
        }
        if let Some(dev) = &dev_eval {
            report_dev_eval(cx, plan, missing[0], dev);
        }
        if let Some(vite) = &vite {
            report_dev_server(cx, plan, missing[0], vite);
        }
        if library.is_none() {
            report_redirects(cx, plan, missing[0], &redirects);
            report_widgets(cx, plan, missing[0], &widgets);
        }
        if !embeds.is_empty() {
            plan.findings.push(referrer_finding(cx, missing[0].creation.start(), &embeds));
        }
        report_fit(cx, plan, &missing);
        if version.embedder_policy {
            let major = crate::npm_spec::start_major(&version.package.spec).unwrap_or_default();
            let why = if listed.as_deref().is_some_and(|l| crate::npm_spec::overlaps(l, &version.package.spec)) {
                "the one package.json lists"
            } else if d.versions.iter().find(runs).is_some_and(|newest| !std::ptr::eq(newest, version)) {
                "the newest whose types the project's TypeScript reads"
            } else {
                "the newest that runs on the project's Node"
            };
            plan.findings.push(cx.finding(
                "embedder-policy",
                missing[0].creation.start(),
                format!(
                    "helmet {major} ({why}) sends Cross-Origin-Embedder-Policy: require-corp by \
                     default, with which browsers load no script, stylesheet, image or frame of another site that \
                     does not answer with a Cross-Origin-Resource-Policy header (CDNs, avatars, widgets), even where \
                     the Content-Security-Policy allows it: crossOriginEmbedderPolicy: false turns it off, as helmet 7 \
                     and 8 do by default. Once helmet is 7 or newer, remove that line"
                ),
            ));
        }
        if plain_http {
            plan.findings.push(cx.finding(
                "plain-http",
                missing[0].creation.start(),
                "nothing in the project shows that the app is served only over HTTPS (no HTTPS server it always \
                 creates, no trust proxy, no HTTPS redirect package, no --behind-proxy), so the Content-Security-Policy leaves out helmet's \
                 upgrade-insecure-requests (upgradeInsecureRequests: null): with it, a browser that opens the app over \
                 plain HTTP (http://192.168.1.10:3000 on a home network) asks for every script, style and image over \
                 https and the page breaks. If the app is only ever served over HTTPS, remove that line"
                    .to_string()
                    + &branch_trust_proxy(cx),
            ));
        }

        let spec = version.package.spec.clone();
        // helmet serves Express: it goes to the section Express is listed in.
        // (A listed helmet too old for the code written here, `helmet ^2.3.0`, is raised to it.)
        plan.dependencies.push(
            DependencyRequest::new(d.package.clone(), spec, DepSection::Dependencies)
                .serving("express")
                .raising_listed(),
        );
    }
}

/// Where the routes of the project send a browser that submitted a form, as Chromium checks it against form-action
/// (a form's submission follows its redirects): `res.redirect(303, session.url)` after a POST.
#[derive(Default)]
struct FormRedirects {
    /// The hosts the redirects go to: a literal URL's, one literal in the route's handler when the target is
    /// computed (`{ url: 'https://checkout.stripe.com/pay' }` then `session.url`), Stripe Checkout's for a session's
    /// url where the project lists `stripe`.
    hosts: Vec<String>,
    /// Each with where the redirect is (`routes/billing.js:12`) and the hosts found for it (none: not known).
    places: Vec<(String, Vec<String>)>,
}

/// The note of [`Helmet::survey`] for a redirect of [`redirects_of_forms`] in another module: `form-redirect:LINE:`
/// then its hosts, separated by spaces.
const FORM_REDIRECT: &str = "form-redirect:";

/// The redirects of routes that take form submissions (any method but GET's own, `app.post`, `router.post`,
/// `app.all`...) whose target is not known to be the app's own ([`FormRedirects`]): in the app's file, and in the
/// project's other modules (routers mounted from them, [`Helmet::survey`]); none in a project that serves no pages
/// (no form to submit) or where the policy already allows every form target.
fn form_redirects(cx: &FileContext<'_>, directives: &[(String, Vec<String>)]) -> FormRedirects {
    let mut out = FormRedirects::default();
    let any = directives.iter().any(|(n, s)| n == "formAction" && s.iter().any(|s| s == views::ANY_HOST));
    if cx.project.views_for(&cx.file.path).next().is_none() || any {
        return out;
    }
    let own = redirects_of_forms(cx, &cx.facts.member_calls())
        .into_iter()
        .map(|(at, hosts)| (format!("{}:{}", display_path(&cx.file.path), cx.file.line(at)), hosts));
    let elsewhere =
        cx.project.survey(ID).notes(FORM_REDIRECT).filter(|(path, _)| *path != cx.file.path).filter_map(|(path, n)| {
            let (line, hosts) = n.split_once(':')?;
            let hosts = hosts.split(' ').filter(|h| !h.is_empty()).map(str::to_string).collect();
            Some((format!("{}:{line}", display_path(path)), hosts))
        });
    out.places = own.chain(elsewhere).collect();
    out.hosts = out.places.iter().flat_map(|(_, hosts)| hosts.iter().cloned()).collect();
    out.hosts.sort();
    out.hosts.dedup();
    out
}

/// Whether a redirect's target is a place on the app's own site whatever it holds: each alternative of `a || b` is a
/// path literal (`'/'`) or what the request says of this site: the page the login
/// middleware kept before sending the user to log in (`req.session.returnTo`, set from `req.originalUrl`), the URL
/// asked for (`req.originalUrl`, `req.url`), or the page the form was on (its Referer: a form on the app's pages
/// is sent from them), on a request named `req` or `request` (`session.url` is Stripe's checkout page).
/// `res.redirect(req.session.returnTo || '/')` after a login form is every passport app's.
fn same_site_target(text: &str) -> bool {
    const OWN: [&str; 10] = [
        "session.returnTo",
        "originalUrl",
        "url",
        "get('Referrer')",
        "get('Referer')",
        "header('Referrer')",
        "header('Referer')",
        "headers.referer",
        "headers['referer']",
        "headers.referrer",
    ];
    text.split("||").all(|part| {
        let part = part.trim().replace('"', "'");
        let is_path = part.len() > 2
            && part.starts_with(['\'', '`'])
            && part[1..].starts_with('/')
            && !part[1..].starts_with("//")
            && !part[1..part.len() - 1].contains(['\'', '`', '$']);
        let own =
            part.split_once('.').is_some_and(|(name, rest)| ["req", "request"].contains(&name) && OWN.contains(&rest));
        is_path || own
    })
}

/// The redirects (their offsets, each with the hosts it goes to, none when not known) of this file's routes that take
/// form submissions: in the handlers written inline, in those passed by the name of a function of the file
/// (`app.post('/billing/checkout', checkout)`), and in this file's functions another module registers on such a route
/// (`router.post('/checkout', checkout.create)` with `exports.create = ...` here: [`FileLinks::form_handlers`]).
fn redirects_of_forms(cx: &FileContext<'_>, member_calls: &[MemberCall]) -> Vec<(usize, Vec<String>)> {
    use crate::values::Value;
    let facts = cx.facts;
    let stripe = !cx.project.listed_all("stripe").is_empty();
    let code = &cx.file.code;
    let mut out: Vec<(usize, Vec<String>)> = Vec::new();
    let registrations = facts.registrations();
    let routes = registrations.iter().filter(|r| crate::analysis::FORM_METHODS.contains(&&*r.method));
    let spans = routes.flat_map(|route| {
        let named = route.handlers.iter().filter_map(|h| match h {
            crate::analysis::HandlerArg::Named(name) => {
                facts.functions.iter().find(|f| f.name.as_ref() == Some(name)).map(|f| f.range)
            }
            _ => None,
        });
        std::iter::once(route.range).chain(named)
    });
    for span in spans.chain(cx.links.form_handlers.iter().cloned()) {
        let calls = member_calls
            .iter()
            .filter(|c| c.method == "redirect" && span.start() <= c.range.start() && c.range.end() <= span.end());
        for call in calls {
            let Some(target) = call.args.last() else { continue };
            let hosts: Vec<String> = match target {
                Value::Str(url, _) => match views::origin_of(url, true) {
                    Some(origin) => vec![origin],
                    None => continue,
                },
                _ => {
                    let text = code.get(target.range().range()).unwrap_or_default();
                    // (A path joined to a value, `'/posts/' + id`: the app's own.)
                    if text.starts_with(['\'', '"', '`']) && text[1..].starts_with('/') && !text[1..].starts_with("//")
                    {
                        continue;
                    }
                    // (Back where the user came from on this site: `req.session.returnTo || '/'`, the Referer.)
                    if same_site_target(text) {
                        continue;
                    }
                    let handler = code.get(span.range()).unwrap_or_default();
                    let mut hosts: Vec<String> = ["'https://", "\"https://", "`https://"]
                        .iter()
                        .flat_map(|q| handler.match_indices(q).map(|(at, _)| &handler[at + 1..]))
                        .filter_map(|rest| {
                            views::origin_of(rest.split(['\'', '"', '`']).next().unwrap_or_default(), false)
                        })
                        .collect();
                    if stripe && text.ends_with(".url") {
                        hosts.push("https://checkout.stripe.com".to_string());
                    }
                    hosts.sort();
                    hosts.dedup();
                    hosts
                }
            };
            if !out.iter().any(|(at, _)| *at == call.range.start()) {
                out.push((call.range.start(), hosts));
            }
        }
    }
    out.sort_by_key(|(at, _)| *at);
    out
}

/// The finding for the redirects of [`form_redirects`].
fn report_redirects(cx: &FileContext<'_>, plan: &mut FilePlan, app: &ExpressApp, redirects: &FormRedirects) {
    let (known, unknown): (Vec<_>, Vec<_>) = redirects.places.iter().partition(|(_, hosts)| !hosts.is_empty());
    if !known.is_empty() {
        let places: Vec<String> =
            known.iter().map(|(place, hosts)| format!("{place} ({})", hosts.join(", "))).collect();
        plan.findings.push(cx.finding(
            "csp-form-redirect",
            app.creation.start(),
            format!(
                "the routes at {} redirect a form's submission to another site, which helmet's form-action 'self' \
                 blocks (browsers check a submission's redirects), so formAction allows those hosts",
                places.join(", ")
            ),
        ));
    }
    if !unknown.is_empty() {
        let places: Vec<String> = unknown.iter().map(|(place, _)| place.clone()).collect();
        plan.findings.push(cx.finding(
            "csp-form-redirect",
            app.creation.start(),
            format!(
                "the routes at {} redirect a form's submission to a URL known only when the app runs: if it leaves \
                 the site, helmet's form-action 'self' blocks it (browsers check a submission's redirects); add \
                 that host to formAction",
                places.join(", ")
            ),
        ));
    }
}

/// `helmet/referrer`: the pages frame `embeds`, which need the page's Referer, so referrerPolicy sends its origin.
fn referrer_finding(cx: &FileContext<'_>, at: usize, embeds: &[&str]) -> crate::transform::Finding {
    cx.finding(
        "referrer",
        at,
        format!(
            "the pages frame {}, whose player refuses to play without the embedding page's Referer (Error 153, {}); \
             helmet's Referrer-Policy no-referrer would strip it, so referrerPolicy is strict-origin-when-cross-origin \
             (browsers' default: other sites get the page's origin, not its path); to keep no-referrer elsewhere, give \
             the embed's iframe referrerpolicy=\"strict-origin-when-cross-origin\" and remove referrerPolicy",
            embeds.join(", "),
            data().referer_embeds.source
        ),
    )
}

/// Why the `script.` blocks Pug's `pretty` re-indents are not hashed ([`crate::project::PugPretty`]), when some are
/// (`re_indented`): where it is set, and how to have them hashed again.
fn pretty_note(cx: &FileContext<'_>, re_indented: bool) -> String {
    let Some(pretty) = cx.project.pug_pretty.as_ref().filter(|_| re_indented) else {
        return String::new();
    };
    format!(
        "; Pug's pretty option is set at {}:{}{}, and with it Pug sends each script. block of several lines re-indented \
         to its depth in the page, which layouts, includes and mixins decide, so no hash is known for those blocks: \
         with pretty off (Pug has deprecated it) they are sent as written and can be hashed",
        display_path(&pretty.path),
        pretty.line,
        if pretty.sure { "" } else { " to a value computed at run time (on in some runs)" },
    )
}

/// The frame hosts of `directives` whose embeds need the page's Referer ([`RefererEmbeds`]).
fn referer_embeds(directives: &[(String, Vec<String>)]) -> Vec<&str> {
    let frames = directives.iter().find(|(name, _)| name == views::directive_of(views::ResourceKind::Frame));
    let hosts = &data().referer_embeds.hosts;
    frames
        .map(|(_, sources)| sources.iter().map(String::as_str).filter(|s| hosts.iter().any(|h| h == s)).collect())
        .unwrap_or_default()
}

/// The Content-Security-Policy directives the project's pages need (each with helmet's default sources first), with
/// the widgets they load (whose sources are in them).
fn needed_policy<'a>(cx: &FileContext<'a>, rewriter: Option<&str>) -> (Directives, Widgets<'a>) {
    // (A library that writes inline code into the page counts as a page with that code: [`library_inline`].)
    let library = library_inline(cx);
    let mut directives = views::csp_directives(
        cx.project.views_for(&cx.file.path).map(|(_, scan)| scan).chain(library.as_ref()),
        rewriter.is_none(),
        cx.project.rm_whitespace.is_some(),
    );
    let mut widgets = widgets(cx);
    for (widget, _, added) in &mut widgets.known {
        *added = add_sources(&mut directives, widget);
    }
    // (A service worker that fetches the pages' requests again: [`views::refetched_hosts`].)
    let scans = cx.project.views.iter().map(|(_, scan)| scan);
    if let Some(hosts) = views::refetched_hosts(scans, &directives) {
        add_needed(&mut directives, "connectSrc", hosts);
    }
    // (Where the app's routes redirect a form's submission: [`form_redirects`].)
    let redirects = form_redirects(cx, &directives);
    add_needed(&mut directives, "formAction", redirects.hosts);
    (directives, widgets)
}

/// Adds `sources` to the directive `name` (helmet's default sources first where it is not there yet), as a widget's.
fn add_needed(directives: &mut Directives, name: &str, sources: Vec<String>) {
    if !sources.is_empty() {
        let needed = BTreeMap::from([(name.to_string(), sources)]);
        let widget = Widget { name: String::new(), scripts: Vec::new(), directives: needed, source: String::new() };
        add_sources(directives, &widget);
    }
}

/// The options keys and the directives the transform writes ([`helmet_call`]): a policy of only these, each directive
/// a list of strings starting with helmet's default sources (or `null`), is its own.
const OWN_OPTIONS: [&str; 6] = [
    "contentSecurityPolicy",
    "crossOriginEmbedderPolicy",
    "crossOriginResourcePolicy",
    "xFrameOptions",
    "frameguard",
    "referrerPolicy",
];
const OWN_DIRECTIVES: [&str; 14] = [
    "baseUri",
    "scriptSrc",
    "scriptSrcAttr",
    "styleSrc",
    "imgSrc",
    "fontSrc",
    "mediaSrc",
    "frameSrc",
    "objectSrc",
    "connectSrc",
    "formAction",
    "workerSrc",
    "frameAncestors",
    "upgradeInsecureRequests",
];

/// The Content-Security-Policy of the helmet registered at a `.use` call ([`written_policy`]).
enum WrittenPolicy<'a> {
    /// helmet's default policy: `helmet()`, or options that do not mention `contentSecurityPolicy`.
    Default,
    /// The directives object of `helmet({ contentSecurityPolicy: { directives } })`, and whether the policy has the
    /// transform's own shape (see [`OWN_OPTIONS`]), with the options object.
    Directives(&'a crate::values::ObjectFacts, bool, &'a crate::values::ObjectFacts),
}

/// The policy of the helmet registered at `at` (a `.use` call): helmet's default, or the directives it is given;
/// `None` when it is not known (options that are not an object literal of this file, a spread, a policy turned off
/// or given without directives).
fn written_policy(facts: &FileFacts, at: usize, uncalled: bool) -> Option<WrittenPolicy<'_>> {
    use crate::values::Value;
    let options = match helmet_options(facts, at, uncalled)? {
        None => return Some(WrittenPolicy::Default),
        Some(Value::Object(options)) => options,
        Some(_) => return None,
    };
    let Some(csp) = property(options, "contentSecurityPolicy") else {
        return options.spreads.is_empty().then_some(WrittenPolicy::Default);
    };
    let Value::Object(csp) = &csp.value else { return None };
    let Value::Object(directives) = &property(csp, "directives")?.value else { return None };
    let own = options.spreads.is_empty()
        && csp.spreads.is_empty()
        && directives.spreads.is_empty()
        && options.props.iter().all(|p| p.key.as_deref().is_some_and(|k| OWN_OPTIONS.contains(&k)))
        && csp.props.len() == 1
        && directives.props.iter().all(|p| {
            let Some(name) = p.key.as_deref().filter(|k| OWN_DIRECTIVES.contains(k)) else { return false };
            // (Each list starts with helmet's default sources, as the transform writes them; `scriptSrcAttr` is
            // written as `'unsafe-inline'` alone.)
            let defaults = if name == "scriptSrcAttr" { &[][..] } else { views::default_sources(name) };
            match &p.value {
                Value::Array(items, _) => {
                    // (The sources of development, `...(process.env.NODE_ENV === 'production' ? [] : [...])`, are
                    // the tool's too: [`dev_eval`].)
                    items.iter().all(|i| matches!(i, Value::Str(..) | Value::Conditional(_)))
                        && defaults.len() <= items.len()
                        && defaults.iter().zip(items.iter()).all(|(d, i)| matches!(i, Value::Str(s, _) if s == d))
                }
                Value::Nothing(_) => true,
                _ => false,
            }
        });
    Some(WrittenPolicy::Directives(directives, own, options))
}

/// The strings of an array literal's items.
fn str_items(items: &[crate::values::Value]) -> Vec<&str> {
    items.iter().filter_map(|i| if let crate::values::Value::Str(s, _) = i { Some(s.as_str()) } else { None }).collect()
}

/// Under helmet 2 and 3 (helmet-csp 2), the directive of `policy` a directive it leaves out falls back to: for a
/// fetch directive, `scriptSrc` for `scriptSrcAttr` when given, else `defaultSrc`; none for `formAction` and the other
/// directives that do not fall back (CSP3, "fetch directives").
fn helmet3_fallback<'a>(policy: &'a crate::values::ObjectFacts, name: &str) -> Option<&'a crate::values::Property> {
    match name {
        "formAction" | "frameAncestors" | "baseUri" => None,
        "scriptSrcAttr" | "scriptSrcElem" => property(policy, "scriptSrc").or_else(|| property(policy, "defaultSrc")),
        _ => property(policy, "defaultSrc"),
    }
}

/// The options of the helmet registered at `at` (a `.use` call): the first argument of its `helmet(...)` call,
/// `Some(None)` for none (`helmet()`, or helmet named `uncalled` there, which the run rewrites to `helmet()`);
/// `None` when the call is not in the registration (`app.use(security)` of `const security = helmet()`).
fn helmet_options(facts: &FileFacts, at: usize, uncalled: bool) -> Option<Option<&crate::values::Value>> {
    if uncalled {
        return Some(None);
    }
    let u = facts.uses.iter().find(|u| u.range.start() == at)?;
    let call = facts.calls.iter().map(|site| &site.call).find(|call| {
        u.range.start() <= call.range.start()
            && call.range.end() <= u.range.end()
            && call.callee.as_ref().is_some_and(|c| c.is_module(data().package.as_str()))
    })?;
    Some(call.args.first())
}

/// The property `key` of an object literal.
fn property<'a>(object: &'a crate::values::ObjectFacts, key: &str) -> Option<&'a crate::values::Property> {
    object.props.iter().find(|p| p.key.as_deref() == Some(key))
}

/// Whether a directive's `sources` already allow `needed`: listed, or a host under `'*'` (or an https host under
/// `https:`), or a script hash where `'unsafe-inline'` applies. `'unsafe-inline'` applies only with no hash or nonce
/// beside it (browsers ignore it then: CSP3, "Does a source list allow all inline behavior for type?"), so listed
/// beside one it allows nothing.
fn allows(sources: &[&str], needed: &str) -> bool {
    let host = needed.starts_with("http://") || needed.starts_with("https://") || !needed.contains(':');
    let hash = needed.starts_with("'sha");
    let inline_applies = sources.contains(&views::UNSAFE_INLINE) && !sources.iter().any(|s| is_hash_or_nonce(s));
    if needed == views::UNSAFE_INLINE {
        return inline_applies;
    }
    sources.contains(&needed)
        || (host && !needed.starts_with('\'') && sources.contains(&"*"))
        || (needed.starts_with("https://") && sources.contains(&"https:"))
        || (hash && inline_applies)
}

/// A hash or nonce source (`'sha256-…'`, `'nonce-…'`), beside which browsers ignore `'unsafe-inline'`.
fn is_hash_or_nonce(source: &str) -> bool {
    source.starts_with("'sha") || source.starts_with("'nonce-")
}

/// On a second run, compares the policy registered at `at` with what the project's pages need now (a page added
/// since loads map tiles from another host), and, where the app is now known to be served over plain HTTP
/// (`plain_http`, the first run's rule), with `upgradeInsecureRequests: null`: the transform's own policy gets the
/// missing sources and that line (a minimal diff: the sources added at the end of their directive, a directive added
/// at the end), with `helmet/csp-updated`; a policy of the author's own shape is left as it is, with
/// `helmet/csp-blocks` naming what it blocks. So is helmet's default policy (`helmet()`, from helmet 4 on): the tool
/// cannot tell a `helmet()` it wrote from the project's own, and the finding gives the directives to pass.
fn recheck_policy(cx: &FileContext<'_>, plan: &mut FilePlan, at: usize, uncalled: bool, plain_http: bool) {
    use crate::values::Value;
    let Some(policy) = written_policy(cx.facts, at, uncalled) else { return };
    // (helmet 2 and 3: the tool never writes a policy for them, it raises helmet first, so a policy under them is
    // the project's own.)
    let below_4 = helmet_below_4(cx);
    let (written, own, options) = match policy {
        // (helmet 2 and 3 set no Content-Security-Policy by default.)
        WrittenPolicy::Default if below_4 => return,
        WrittenPolicy::Default => (None, false, None),
        WrittenPolicy::Directives(directives, own, options) => (Some(directives), own && !below_4, Some(options)),
    };
    let (needed, _) = needed_policy(cx, html_rewriter(cx));
    let mut missing: Vec<(&str, Vec<&str>, Option<&crate::values::Property>)> = Vec::new();
    for (name, sources) in &needed {
        let prop = written.and_then(|w| property(w, name));
        let listed: Vec<&str> = match prop.map(|p| &p.value) {
            Some(Value::Array(items, _)) => str_items(items),
            // (helmet 2 and 3 send only the directives the policy gives, with no defaults merged in: one it leaves
            // out restricts nothing, unless it is a fetch directive and the policy gives defaultSrc, its fallback.)
            None if below_4 => match written.and_then(|w| helmet3_fallback(w, name)).map(|p| &p.value) {
                Some(Value::Array(items, _)) => str_items(items),
                _ => continue,
            },
            // (A directive the policy leaves out is helmet's default.)
            _ => views::default_sources(name).to_vec(),
        };
        let lacking: Vec<&str> = sources.iter().map(String::as_str).filter(|s| !allows(&listed, s)).collect();
        if !lacking.is_empty() {
            missing.push((name.as_str(), lacking, prop));
        }
    }
    // (helmet's default policy has upgrade-insecure-requests; `null` drops it. A policy the tool did not write is only
    // told so beside sources it blocks: most apps with a bare helmet() are served over HTTPS by a proxy the code does
    // not show, and a warning for that alone would be noise.)
    // (helmet 2 and 3 send no upgrade-insecure-requests unless the policy gives it, and take no `null` for it.)
    let upgrade = plain_http
        && !below_4
        && written.is_none_or(|w| property(w, "upgradeInsecureRequests").is_none())
        && (own || !missing.is_empty());
    // (A page now frames an embed that needs its Referer, whose host the re-check adds: the referrerPolicy the first
    // run writes for it, in the tool's own shape. An embed the policy allowed already is left as it is: its
    // referrerPolicy may have been removed on purpose, the finding's way to keep no-referrer.)
    let frame = views::directive_of(views::ResourceKind::Frame);
    let embeds: Vec<&str> = referer_embeds(&needed)
        .into_iter()
        .filter(|host| missing.iter().any(|(name, added, _)| *name == frame && added.contains(host)))
        .collect();
    let referer = own && !embeds.is_empty() && options.is_some_and(|o| property(o, "referrerPolicy").is_none());
    if missing.is_empty() && !upgrade && !referer {
        return;
    }
    let mut named = missing
        .iter()
        .map(|(name, added, _)| {
            format!("{name} {}", added.iter().map(|s| format!("`{s}`")).collect::<Vec<_>>().join(" "))
        })
        .collect::<Vec<_>>();
    if upgrade {
        named.push(
            "upgradeInsecureRequests `null` (nothing in the project shows that the app is served only over HTTPS: \
             with upgrade-insecure-requests, a browser that opens it over plain HTTP asks for every script, style \
             and image over https and the page breaks)"
                .to_string(),
        );
    }
    let named = named.join("; ");
    let Some(written) = written.filter(|_| own) else {
        let message = match written {
            Some(_) if below_4 => format!(
                "this Content-Security-Policy is the project's own (helmet 2 and 3 send only the directives it gives), \
                 and it blocks what the app's pages load now: {named}. It was left as it is: add them if you trust \
                 them, or change the pages"
            ),
            Some(_) => format!(
                "this Content-Security-Policy is the project's own (not the shape express-harden writes), and it \
                 blocks what the app's pages load now: {named}. It was left as it is: add them if you trust \
                 them, or change the pages"
            ),
            None => format!(
                "this helmet applies helmet's default Content-Security-Policy, which blocks what the app's pages \
                 load: {named}. It was left as it is (express-harden cannot tell a helmet() it wrote from the \
                 project's own): if you trust them, pass those directives, each with helmet's default sources first, \
                 as helmet({{ contentSecurityPolicy: {{ directives: {{ ... }} }} }}), or change the pages"
            ),
        };
        plan.findings.push(cx.finding("csp-blocks", at, message));
        return;
    };
    let style = &cx.facts.style;
    let code = &cx.file.code;
    // (A directive the policy does not set is added after the last.)
    let Some(last) = written.props.last() else { return };
    let indent = cx.file.indent_at(last.range.start()).to_string();
    let multi = code[last.range.end()..written.range.end()].contains('\n');
    let sep = if multi { format!(",\n{indent}") } else { ", ".to_string() };
    let mut appended = String::new();
    let mut dropped: Vec<String> = Vec::new();
    for (name, added, prop) in &missing {
        match prop {
            Some(crate::values::Property { value: Value::Array(items, range), .. }) => {
                // (`'unsafe-inline'` added where hashes or nonces are listed: they go, or browsers would ignore it;
                // and where it is listed already beside them, only they go.)
                let inline = added.contains(&views::UNSAFE_INLINE);
                let gone = |i: &Value| inline && matches!(i, Value::Str(s, _) if is_hash_or_nonce(s));
                let listed_inline = items.iter().any(|i| matches!(i, Value::Str(s, _) if s == views::UNSAFE_INLINE));
                let added: Vec<&str> =
                    added.iter().copied().filter(|s| !(listed_inline && *s == views::UNSAFE_INLINE)).collect();
                let strings: Vec<String> = added.iter().map(|s| printed_str(s, style)).collect();
                let multi = items.last().is_some_and(|i| code[i.range().end()..range.end() - 1].contains('\n'));
                let indent = cx.file.indent_at(items.last().map_or(range.start(), |i| i.range().start()));
                let sep = if multi { format!(",\n{indent}") } else { ", ".to_string() };
                match items.iter().position(gone) {
                    Some(first) if first > 0 => {
                        // (The items from the first that goes are written again without those that go.)
                        let cut = items[first - 1].range().end();
                        let end = items.last().map_or(cut, |i| i.range().end());
                        let mut text = String::new();
                        for item in &items[first..] {
                            if gone(item) {
                                if let Value::Str(s, _) = item {
                                    dropped.push(format!("{name} `{s}`"));
                                }
                            } else {
                                text.push_str(&sep);
                                text.push_str(&code[item.range()]);
                            }
                        }
                        for s in &strings {
                            text.push_str(&sep);
                            text.push_str(s);
                        }
                        plan.edits.push(Edit::replace(cut..end, text));
                    }
                    _ if items.is_empty() => plan.edits.push(Edit::insert(range.start() + 1, strings.join(", "))),
                    _ => {
                        let last_end = items.last().map_or(range.start() + 1, |i| i.range().end());
                        plan.edits.push(Edit::insert(
                            last_end,
                            strings.iter().map(|s| format!("{sep}{s}")).collect::<String>(),
                        ));
                    }
                }
            }
            _ => {
                // (With helmet's defaults first.)
                let all = needed.iter().find(|(n, _)| n == name).map(|(_, s)| s.clone()).unwrap_or_default();
                let array = codegen::print_stmt(
                    codegen::expr_stmt(codegen::string_array(&all, style.quote)),
                    &crate::style::Style { semicolons: false, ..style.clone() },
                    &indent,
                );
                appended.push_str(&format!("{sep}{name}: {}", array.trim().trim_end_matches(';')));
            }
        }
    }
    if upgrade {
        appended.push_str(&format!("{sep}upgradeInsecureRequests: null"));
    }
    if !appended.is_empty() {
        plan.edits.push(Edit::insert(last.range.end(), appended));
    }
    if let Some(last) = options.and_then(|o| o.props.last()).filter(|_| referer) {
        let indent = cx.file.indent_at(last.range.start()).to_string();
        let multi = options.is_some_and(|o| code[last.range.end()..o.range.end()].contains('\n'));
        let sep = if multi { format!(",\n{indent}") } else { ", ".to_string() };
        let policy = printed_str("strict-origin-when-cross-origin", style);
        plan.edits.push(Edit::insert(last.range.end(), format!("{sep}referrerPolicy: {{ policy: {policy} }}")));
        plan.findings.push(referrer_finding(cx, at, &embeds));
    }
    if missing.is_empty() && !upgrade {
        return;
    }
    // (What was listed already, `'unsafe-inline'` beside a hash, is not named as added.)
    let added = missing
        .iter()
        .filter_map(|(name, added, prop)| {
            let listed = |s: &&&str| {
                matches!(prop, Some(crate::values::Property { value: Value::Array(items, _), .. })
                    if items.iter().any(|i| matches!(i, Value::Str(l, _) if l == **s)))
            };
            let added: Vec<String> = added.iter().filter(|s| !listed(s)).map(|s| format!("`{s}`")).collect();
            (!added.is_empty()).then(|| format!("{name} {}", added.join(" ")))
        })
        .collect::<Vec<_>>()
        .join("; ");
    let mut said = Vec::new();
    if upgrade {
        said.push(format!("it was updated: {named}"));
    } else if !added.is_empty() {
        said.push(format!("the sources they need were added: {added}"));
    }
    if !dropped.is_empty() {
        said.push(format!(
            "{} removed: beside a hash or nonce browsers ignore 'unsafe-inline', which an inline script whose text is \
             known only when the page is rendered needs",
            dropped.join(", ")
        ));
    }
    plan.findings.push(cx.finding(
        "csp-updated",
        at,
        format!(
            "the Content-Security-Policy express-harden wrote here no longer allowed what the app's pages load now, so \
             {}",
            said.join("; ")
        ),
    ));
}

/// The directives whose resources a page loads without CORS (`<script src>`, `<img>`, `<link rel=stylesheet>`,
/// media, frames, objects): under Cross-Origin-Embedder-Policy `require-corp` the browser loads them from another
/// site only when it answers with a Cross-Origin-Resource-Policy header.
const NO_CORS_DIRECTIVES: [&str; 6] = ["scriptSrc", "styleSrc", "imgSrc", "mediaSrc", "frameSrc", "objectSrc"];

/// The project's own helmet at `at` (a `.use` call) is helmet 5 or 6 (installed, else listed), whose default
/// Cross-Origin-Embedder-Policy `require-corp` blocks the other sites' scripts, styles, images and frames the pages
/// load ([`NO_CORS_DIRECTIVES`]), and its options do not set `crossOriginEmbedderPolicy`: a finding says so. The
/// header is left as it is: the project chose its helmet and may serve only what sends Cross-Origin-Resource-Policy.
fn report_embedder_blocks(cx: &FileContext<'_>, plan: &mut FilePlan, at: usize, uncalled: bool) {
    use crate::values::Value;
    let Some(installed) = cx.project.installed(&data().package) else { return };
    let Some(major @ 5..=6) = crate::npm_spec::start_major(&installed) else { return };
    let Some(options) = helmet_options(cx.facts, at, uncalled) else { return };
    let unset = match options {
        None => true,
        Some(Value::Object(options)) if options.spreads.is_empty() => {
            property(options, "crossOriginEmbedderPolicy").is_none()
        }
        Some(_) => false,
    };
    if !unset {
        return;
    }
    let (needed, _) = needed_policy(cx, html_rewriter(cx));
    let hosts: Vec<&str> = needed
        .iter()
        .filter(|(name, _)| NO_CORS_DIRECTIVES.contains(&name.as_str()))
        .flat_map(|(_, sources)| sources.iter().map(String::as_str))
        .filter(|s| !s.starts_with('\'') && !s.ends_with(':'))
        .fold(Vec::new(), |mut hosts, host| {
            if !hosts.contains(&host) {
                hosts.push(host);
            }
            hosts
        });
    if hosts.is_empty() {
        return;
    }
    plan.findings.push(cx.finding(
        "embedder-blocks",
        at,
        format!(
            "the project's helmet is helmet {major} ({installed}), which sends Cross-Origin-Embedder-Policy: \
             require-corp by default: browsers then load no script, stylesheet, image or frame of another site that \
             does not answer with a Cross-Origin-Resource-Policy header, and the pages load from {}. It was left as \
             it is: pass crossOriginEmbedderPolicy: false to this helmet (helmet 7 and 8 send none by default), or \
             raise helmet to 7 or newer",
            hosts.join(", ")
        ),
    ));
}

/// Whether the project lists a helmet older than 4, whose `helmet()` sets no Content-Security-Policy.
fn helmet_below_4(cx: &FileContext<'_>) -> bool {
    cx.project
        .listed_all(&data().package)
        .iter()
        .any(|(_, spec)| crate::npm_spec::start_major(spec).is_some_and(|major| major < 4))
}

/// A string literal as the file writes them (`'blob:'`; `"'self'"` with the other quote where the text has one).
fn printed_str(value: &str, style: &crate::style::Style) -> String {
    let printed = codegen::print_stmt(
        codegen::expr_stmt(codegen::str_expr(value, style.quote)),
        &crate::style::Style { semicolons: false, ..style.clone() },
        "",
    );
    printed.trim().trim_end_matches(';').to_string()
}

/// How a survey note of [`Helmet::survey`] about a server started when the module loads begins (the others are the
/// lines that show HTTPS).
const LISTEN: &str = "listen:";

/// Where the file starts a server when it loads: a `.listen(...)` outside any function (`app.listen(3000)`,
/// `if (require.main === module) server.listen(port)`).
fn listens(member_calls: &[MemberCall]) -> Option<usize> {
    member_calls.iter().find(|c| c.method == *"listen" && c.scope.is_none()).map(|c| c.range.start())
}

/// The name of the published package this file belongs to, when that package is a library other apps install
/// rather than an app: `name` and `version` and not `private`, an entry other packages import (`main`,
/// `exports`), no `bin` and no `start` script (one that runs only its example aside), no module of its own (examples
/// aside) that starts a server when it loads, and this module exports something (with an app made inside a function,
/// the app is made for its users: `createApp()` of a framework).
fn consumed_library<'a>(cx: &FileContext<'a>) -> Option<&'a str> {
    let manifest = cx.project.manifest.as_ref()?;
    let library = manifest.published()
        && manifest.entry().is_some()
        && !crate::published::runs_itself(manifest, cx.project.start_runs_example)
        && !cx.project.is_example(&cx.file.path)
        && !cx.facts.exports.is_empty()
        && !cx.project.survey(ID).notes(LISTEN).any(|(path, _)| !cx.project.is_example(path));
    library.then(|| manifest.name()).flatten()
}

/// `admin.disable('x-powered-by')` after each of `sub_apps` (apps mounted on another app or router, without helmet of
/// their own) that does not set x-powered-by itself: Express sets the header again when a request enters a sub-app
/// (its `expressInit`, or Express 5's `app.handle`), after the parent's helmet removed it.
fn hide_powered_by(cx: &FileContext<'_>, plan: &mut FilePlan, sub_apps: &[&ExpressApp]) {
    use crate::values::Value;
    let facts = cx.facts;
    let calls = facts.member_calls();
    for app in sub_apps {
        let sets_it = calls.iter().any(|c| {
            app.names.contains(&c.object)
                && matches!(c.method.as_ref(), "set" | "enable" | "disable")
                && matches!(c.args.first(), Some(Value::Str(s, _)) if s.eq_ignore_ascii_case("x-powered-by"))
        });
        if sets_it {
            continue;
        }
        let quote = facts.style.quote;
        let disable = |receiver: Box<swc_ecma_ast::Expr>| {
            codegen::call(codegen::member(receiver, "disable"), vec![codegen::str_expr("x-powered-by", quote)])
        };
        match &app.site {
            AppSite::AfterStatement { stmt, receiver } => {
                let indent = cx.file.indent_at(stmt.start()).to_string();
                let snippet =
                    codegen::print_stmt(codegen::expr_stmt(disable(receiver_expr(receiver))), &facts.style, &indent);
                let point = layout::after_statement(&cx.file.code, &facts.comments, stmt.end());
                plan.edits
                    .push(Edit::insert(point.offset, layout::statement_after(point, &snippet, &indent, &facts.style)));
            }
            // (`disable` returns the app.)
            AppSite::Chain => {
                plan.edits.push(Edit::insert(app.creation.end(), format!(".disable({quote}x-powered-by{quote})")))
            }
        }
    }
}

/// Whether `app` is a sub-app mounted on another app or router (`parent.use(app)`, `parent.use('/blog', app)`), the
/// parent received from another module or created here: requests reach it through the parent, whose middleware
/// (helmet among it) runs first.
fn mounted(cx: &FileContext<'_>, app: &ExpressApp) -> bool {
    // (Made by a function another module calls and mounts the result of: `app.use(base, await middleware(config))`.)
    if cx.links.mounted_apps.contains(&app.creation.start()) {
        return true;
    }
    let facts = cx.facts;
    let routers = crate::transforms::shared::handlers::routers(facts);
    facts.uses.iter().any(|u| {
        app.scope.start() <= u.range.start()
            && u.range.end() <= app.scope.end()
            && !facts.is_app(app, &u.receiver, u.range.start())
            && names(u, app)
            && crate::transforms::shared::handlers::is_express_receiver(
                facts,
                cx.links,
                &routers,
                &u.receiver,
                u.range.start(),
            )
    })
}

/// Whether `u` registers `app` itself (`parent.use('/blog', app)`, `self.apos.baseApp.use(prefix, self.apos.app)`).
fn names(u: &crate::analysis::UseCall, app: &ExpressApp) -> bool {
    u.middleware.iter().any(|m| matches!(m, Middleware::Ident(n) | Middleware::Path(n) if app.names.contains(n)))
}

/// Whether `app` only wraps an app made before it under the same name, to serve it under a prefix
/// (`self.apos.app = self.apos.baseApp = express()`, then, with a prefix, `self.apos.baseApp = express();
/// self.apos.baseApp.use(prefix, self.apos.app)`): the inner app is served without the wrapper when there is no
/// prefix, so it gets helmet, and the wrapper none (once per request path).
fn wraps_earlier_app(facts: &FileFacts, app: &ExpressApp) -> bool {
    facts.uses.iter().any(|u| {
        app.creation.start() < u.range.start()
            && facts.is_app(app, &u.receiver, u.range.start())
            && facts.apps.iter().any(|inner| {
                // (A property, `self.apos.baseApp`, names the app outside the function that made it too.)
                let property = matches!(&u.receiver, crate::analysis::Receiver::Path(p) if p.contains('.') && inner.names.contains(p));
                inner.creation.start() < app.creation.start()
                    && (property || facts.is_app(inner, &u.receiver, u.range.start()))
                    && names(u, inner)
            })
    })
}

/// What helmet's defaults are changed for, so that they do not break what the project does.
struct Fit<'a> {
    /// The Content-Security-Policy directives the views need ([`views::csp_directives`]).
    directives: &'a [(String, Vec<String>)],
    /// Where the app's code sets X-Frame-Options itself: it decides who may frame its pages, so helmet's
    /// X-Frame-Options and CSP `frame-ancestors 'self'` (which would forbid what the app allows) are left out.
    framing: Option<&'a (std::path::PathBuf, usize)>,
    /// The app hands out embed code of its own pages for other sites ([`crate::project::Project::embed_code`]), and
    /// does not set X-Frame-Options itself: no X-Frame-Options from helmet, and `frameAncestors: ['*']` (every site may
    /// frame it, as before), the list to narrow to the sites that embed it.
    embeddable: bool,
    /// The app lets every origin read its responses (`cors()`, see [`uses_cors`]): Cross-Origin-Resource-Policy
    /// `cross-origin` instead of helmet's `same-origin`.
    cross_origin: bool,
    /// The name of the X-Frame-Options option in the helmet version written.
    x_frame_options: &'a str,
    /// The helmet written sends Cross-Origin-Embedder-Policy by default ([`HelmetVersion::embedder_policy`]): it gets
    /// `crossOriginEmbedderPolicy: false`, helmet 7's default.
    embedder_policy: bool,
    /// The app serves a library's page a policy would blank ([`LibraryUi`]): `contentSecurityPolicy: false`.
    csp_off: bool,
    /// Nothing says the app is served over HTTPS: helmet's `upgrade-insecure-requests` is left out.
    plain_http: bool,
    /// The pages frame an embed that needs their Referer ([`RefererEmbeds`]): `referrerPolicy` sends their origin.
    referer: bool,
    /// Sources allowed outside production only, by directive: webpack's dev middleware serves bundles that evaluate
    /// strings there ([`dev_eval`]: scriptSrc ends with `...(process.env.NODE_ENV === 'production' ? [] :
    /// ["'unsafe-eval'"])`), Vite's dev server needs its HMR websocket and React preamble ([`ViteNeeds`]).
    dev: &'a [(String, Vec<String>)],
}

/// `helmet()`, or with the options that fit the project: `helmet({ contentSecurityPolicy: { directives },
/// crossOriginResourcePolicy, xFrameOptions })`.
fn helmet_call(name: &str, fit: &Fit<'_>, quote: char) -> Box<swc_ecma_ast::Expr> {
    let mut written = fit.directives.to_vec();
    for (dev, _) in fit.dev {
        if !written.iter().any(|(name, _)| name == dev) {
            let defaults = views::default_sources(dev).iter().map(ToString::to_string).collect();
            let at = written.iter().position(|(name, _)| name > dev).unwrap_or(written.len());
            written.insert(at, (dev.clone(), defaults));
        }
    }
    let mut directives: Vec<(String, Box<swc_ecma_ast::Expr>)> = written
        .iter()
        .map(|(key, sources)| {
            let array = match fit.dev.iter().find(|(name, _)| name == key) {
                Some((_, dev)) => codegen::string_array_with_dev(sources, dev, quote),
                None => codegen::string_array(sources, quote),
            };
            (key.clone(), array)
        })
        .collect();
    if fit.framing.is_some() {
        // (`null` drops a default directive, in helmet 5 to 8.)
        directives.push(("frameAncestors".to_string(), codegen::null_expr()));
    } else if fit.embeddable {
        directives.push(("frameAncestors".to_string(), codegen::string_array(&["*".to_string()], quote)));
    }
    if fit.plain_http {
        directives.push(("upgradeInsecureRequests".to_string(), codegen::null_expr()));
    }
    let mut options = Vec::new();
    if fit.csp_off {
        options.push(("contentSecurityPolicy".to_string(), codegen::bool_expr(false)));
    } else if !directives.is_empty() {
        let csp = codegen::object(vec![("directives".to_string(), codegen::object(directives, quote))], quote);
        options.push(("contentSecurityPolicy".to_string(), csp));
    }
    if fit.cross_origin {
        let policy = codegen::object(vec![("policy".to_string(), codegen::str_expr("cross-origin", quote))], quote);
        options.push(("crossOriginResourcePolicy".to_string(), policy));
    }
    if fit.embedder_policy {
        options.push(("crossOriginEmbedderPolicy".to_string(), codegen::bool_expr(false)));
    }
    if fit.framing.is_some() || fit.embeddable {
        options.push((fit.x_frame_options.to_string(), codegen::bool_expr(false)));
    }
    if fit.referer {
        let policy = codegen::str_expr("strict-origin-when-cross-origin", quote);
        options.push(("referrerPolicy".to_string(), codegen::object(vec![("policy".to_string(), policy)], quote)));
    }
    let args = if options.is_empty() { vec![] } else { vec![codegen::object(options, quote)] };
    codegen::call(codegen::ident_expr(name), args)
}

/// Which origins `cors()` registered on `app` (in this file as middleware, or on a route: `app.get('/badge.svg',
/// cors(), badge)`; or as middleware by a function of another module the app is handed to: [`cors_elsewhere`]) lets
/// read its responses: `Some(true)` every origin (no options, `origin` `'*'` or `true`),
/// `Some(false)` some (a list, a string, a pattern, a function). The sites it serves load its resources: helmet's
/// Cross-Origin-Resource-Policy `same-origin` would stop them from using them as images, scripts or media, so it
/// becomes `cross-origin`. `None` without one (or with `origin: false`, which turns CORS off; options the other
/// module does not write there count as some origins).
fn uses_cors(cx: &FileContext<'_>, app: &ExpressApp) -> Option<bool> {
    uses_cors_here(cx, app).max(cors_elsewhere(cx, app).map(|(origins, _)| origins))
}

/// [`uses_cors`] of the registrations in this file.
fn uses_cors_here(cx: &FileContext<'_>, app: &ExpressApp) -> Option<bool> {
    let facts = cx.facts;
    facts
        .registrations()
        .iter()
        .filter(|r| facts.is_app(app, &r.receiver, r.range.start()))
        .flat_map(|r| {
            facts.calls.iter().filter(|site| {
                r.range.start() <= site.call.range.start()
                    && site.call.range.end() <= r.range.end()
                    && !site.is_new
                    && site.call.callee.as_ref().is_some_and(|c| c.is_module("cors") && c.members.is_empty())
            })
        })
        .filter_map(|site| crate::links::cors_origins(&site.call.args))
        .max()
}

/// `cors()` registered on `app` by a function of another module that receives it (a loader:
/// `require('./loaders/express')(app)` with `app.use(cors())` there): which origins it lets read the app's responses,
/// as [`uses_cors`], and where (the file and the line).
fn cors_elsewhere<'a>(cx: &FileContext<'a>, app: &ExpressApp) -> Option<(bool, &'a (std::path::PathBuf, usize))> {
    cx.links
        .app_middleware
        .iter()
        .filter(|m| m.app == app.creation.start() && m.module == "cors")
        .filter_map(|m| Some((m.origins?, &m.at)))
        .max_by_key(|(origins, _)| *origins)
}

/// Where the file shows the app is served over HTTPS, if it does: it creates an HTTPS server at its top level
/// (`https.createServer`, `http2.createSecureServer`, `import { createServer } from 'https'`), turns `trust proxy` on
/// (a TLS-terminating proxy in front: `enable`, `true`, a number but 0, a string; with the file's `code`, a value it
/// computes or `0` does not count, and without it any value but a false one does; not in a branch, and at the top
/// level or in a function that surely runs when the modules load: [`FileLinks::runs_at_load`]), or loads a package
/// that serves HTTPS or redirects to it (`https_packages`).
fn serves_https(
    facts: &FileFacts,
    member_calls: &[MemberCall],
    links: &FileLinks,
    code: Option<&str>,
) -> Option<usize> {
    const SERVERS: [(&str, &str); 6] = [
        ("https", "createServer"),
        ("node:https", "createServer"),
        ("http2", "createSecureServer"),
        ("node:http2", "createSecureServer"),
        ("spdy", "createServer"),
        ("greenlock-express", "init"),
    ];
    let d = data();
    member_calls
        .iter()
        .find(|c| {
            // (An HTTPS server counts when the file creates it unconditionally, in a statement of its top level: one
            // made inside a branch or a function may be the option beside a plain HTTP server, as in uptime-kuma's
            // `if (isSSL) https.createServer(...) else http.createServer(...)`.)
            let server = c.stmt.as_ref().is_some_and(|s| s.top_level)
                && SERVERS.iter().any(|(module, method)| {
                    c.method == *method
                        && facts.bindings_of(module).any(|b| b.kind == ImportKind::Module && b.local == c.object)
                });
            // (So does `trust proxy`: one set in a branch, `if (app.get('env') === 'production')` as in
            // express-session's README or an option off by default, may not be on where the app is opened; nor may
            // one set in a function called only in such a branch, or never.)
            server || (c.trust_proxy(code) == Some(crate::analysis::TrustProxy::On) && proxy::surely_runs(links, c))
        })
        .map(|c| c.range.start())
        .or_else(|| {
            facts
                .calls
                .iter()
                .find(|site| {
                    site.stmt.as_ref().is_some_and(|s| s.top_level)
                        && site
                            .call
                            .callee
                            .as_ref()
                            .is_some_and(|c| SERVERS.iter().any(|(module, method)| c.is_export(module, method)))
                })
                .map(|site| site.call.range.start())
        })
        .or_else(|| {
            facts
                .bindings
                .iter()
                .find(|b| d.https_packages.iter().any(|p| b.module == p.as_str()))
                .map(|b| b.stmt.start())
        })
}

/// For the plain-http finding: the lines of this file that turn `trust proxy` on only in a branch (or in a function
/// that is not surely called), and why they do not count (empty without one).
fn branch_trust_proxy(cx: &FileContext<'_>) -> String {
    let lines = proxy::branch_lines(cx);
    match lines.is_empty() {
        true => String::new(),
        false => format!(
            ". The trust proxy at line {} does not count: it is set only in a branch, or in a function called only in \
             one or not at all (in production, or when an option that is off by default is on), and where it is not \
             set the app may be opened over plain HTTP",
            lines.join(", ")
        ),
    }
}

/// Content-Security-Policy directives as helmet names them, each with its sources.
type Directives = Vec<(String, Vec<String>)>;

/// Whether `origin` is `pattern`, or a subdomain of the domain of a pattern `https://*.example.com`.
fn origin_matches(pattern: &str, origin: &str) -> bool {
    match pattern.split_once("://*.") {
        Some((scheme, domain)) => origin
            .strip_prefix(scheme)
            .and_then(|rest| rest.strip_prefix("://"))
            .and_then(|host| host.strip_suffix(domain))
            .is_some_and(|sub| sub.ends_with('.') && sub.len() > 1),
        None => pattern == origin,
    }
}

/// The scripts from other sites the project's pages load: those of a known widget, with where each is loaded, and the
/// origins of no known widget and no library CDN, with where.
#[derive(Default)]
struct Widgets<'a> {
    /// Each widget, where its script is loaded, and the sources it added to the policy (by directive).
    known: Vec<(&'a Widget, BTreeSet<String>, Directives)>,
    unknown: BTreeMap<String, BTreeSet<String>>,
}

fn widgets<'a>(cx: &FileContext<'a>) -> Widgets<'a> {
    let d = data();
    let mut found = Widgets::default();
    for (path, scan) in cx.project.views_for(&cx.file.path) {
        for script in scan.external.iter().filter(|r| r.kind == views::ResourceKind::Script) {
            let at = format!("{}:{}", display_path(path), script.line);
            // (A scheme-relative script, `//js.stripe.com/v3`, is the same vendor's over https.)
            let origin = match script.origin.contains("://") {
                true => script.origin.clone(),
                false => format!("https://{}", script.origin),
            };
            let widget = d.widgets.iter().find(|w| w.scripts.iter().any(|p| origin_matches(p, &origin)));
            match widget {
                Some(widget) => match found.known.iter_mut().find(|(w, _, _)| std::ptr::eq(*w, widget)) {
                    Some((_, places, _)) => {
                        places.insert(at);
                    }
                    None => found.known.push((widget, BTreeSet::from([at]), Vec::new())),
                },
                None if !d.static_script_hosts.contains(&origin) => {
                    found.unknown.entry(script.origin.clone()).or_default().insert(at);
                }
                None => {}
            }
        }
    }
    found
}

/// Adds what `widget` needs to `directives` (each directive starting from helmet's default sources), leaving out
/// sources a directive already allows (an https: origin where it allows `https:`, any host where it allows `*`);
/// returns what it added, by directive.
fn add_sources(directives: &mut Directives, widget: &Widget) -> Directives {
    let mut added_all = Vec::new();
    for (name, needed) in &widget.directives {
        let defaults = views::default_sources(name);
        let at = directives.iter().position(|(n, _)| n == name);
        let mut sources: Vec<String> = match at {
            Some(at) => std::mem::take(&mut directives[at].1),
            None => defaults.iter().map(ToString::to_string).collect(),
        };
        let mut added = Vec::new();
        for source in needed {
            let covered = sources.contains(source)
                || (source.starts_with("https://") && sources.iter().any(|s| s == "https:"))
                || (source.contains("://") && sources.iter().any(|s| s == views::ANY_HOST));
            if !covered {
                sources.push(source.clone());
                added.push(source.clone());
            }
        }
        if !added.is_empty() {
            added_all.push((name.clone(), added));
        }
        match at {
            Some(at) => directives[at].1 = sources,
            // (Nothing beyond helmet's defaults: the directive is not written.)
            None if sources.len() > defaults.len() => directives.push((name.clone(), sources)),
            None => {}
        }
    }
    directives.sort_by(|a, b| a.0.cmp(&b.0));
    added_all
}

/// The findings on the scripts from other sites: what a known widget was given, and that another may need hosts.
fn report_widgets(cx: &FileContext<'_>, plan: &mut FilePlan, app: &ExpressApp, widgets: &Widgets<'_>) {
    for (widget, places, added) in &widgets.known {
        let needs: Vec<String> = added.iter().map(|(name, sources)| format!("{name} {}", sources.join(" "))).collect();
        plan.findings.push(cx.finding(
            "csp-widget",
            app.creation.start(),
            format!(
                "the script loaded at {} is {}, which also opens frames or connects back: the \
                 Content-Security-Policy allows what its documentation ({}) asks for on top of helmet's defaults ({})",
                places.iter().map(String::as_str).collect::<Vec<_>>().join(", "),
                widget.name,
                widget.source,
                needs.join("; ")
            ),
        ));
    }
    if !widgets.unknown.is_empty() {
        let hosts: Vec<String> = widgets
            .unknown
            .iter()
            .map(|(origin, places)| {
                format!("{origin} ({})", places.iter().map(String::as_str).collect::<Vec<_>>().join(", "))
            })
            .collect();
        plan.findings.push(cx.finding(
            "csp-widget",
            app.creation.start(),
            format!(
                "the pages load scripts from {}: if one is a widget that opens a frame or connects back to its \
                 site (a captcha, a payment form, a sign-in button, a chat), the Content-Security-Policy blocks that \
                 (frameSrc and connectSrc allow only the app's own origin); the browser console names what it \
                 blocked: add those hosts to frameSrc or connectSrc",
                hosts.join(", ")
            ),
        ));
    }
}

/// The findings that say which of helmet's defaults were changed to fit what the project does.
fn report_fit(cx: &FileContext<'_>, plan: &mut FilePlan, apps: &[&ExpressApp]) {
    if let Some((path, line)) = &cx.project.frame_options_set {
        plan.findings.push(cx.finding(
            "framing",
            apps[0].creation.start(),
            format!(
                "the app sets X-Frame-Options itself ({}:{line}), so helmet leaves framing to it: no X-Frame-Options \
                 and no frame-ancestors from helmet, which would forbid the framing the app allows; to tighten it, \
                 set frameAncestors to the sites that may embed the app",
                display_path(path)
            ),
        ));
    } else if let Some((path, line)) = &cx.project.embed_code {
        plan.findings.push(cx.finding(
            "embeddable",
            apps[0].creation.start(),
            format!(
                "the project hands out code that embeds the app's pages in other sites ({}:{line}), which helmet's \
                 X-Frame-Options and frame-ancestors 'self' would refuse to show there: no X-Frame-Options, and \
                 frameAncestors allows every site ('*'), so any site can frame the app (clickjacking); to restrict \
                 it, replace '*' with the origins that may embed it",
                display_path(path)
            ),
        ));
    }
    for app in apps {
        // (A cors registered by another module is named with its place.)
        let cors = match cors_elsewhere(cx, app) {
            Some((_, (path, line))) if uses_cors_here(cx, app).is_none() => {
                format!("cors (registered on the app at {}:{line})", display_path(path))
            }
            _ => "cors".to_string(),
        };
        let why = match (uses_cors(cx, app), &cx.project.allows_every_origin) {
            (Some(true), _) => format!("{cors} lets every origin read the app's responses"),
            (_, Some((path, line))) => format!(
                "the app lets every origin read its responses itself (Access-Control-Allow-Origin at {}:{line})",
                display_path(path)
            ),
            (Some(false), None) => format!("{cors} lets other origins read the app's responses"),
            (None, None) => {
                if let Some((path, line, value)) = &cx.project.computed_allow_origin {
                    plan.findings.push(cx.finding(
                        "cross-origin-computed",
                        app.creation.start(),
                        format!(
                            "the app sets Access-Control-Allow-Origin to a value it computes (`{value}` at {}:{line}), \
                             which may be one origin or every one, so its Cross-Origin-Resource-Policy stays \
                             helmet's same-origin; if that value can be `*` or the request's origin and other sites \
                             load the app's responses as images, scripts or media (badges, embeds), set \
                             crossOriginResourcePolicy to cross-origin (or same-site if they are all on your site)",
                            display_path(path)
                        ),
                    ));
                }
                continue;
            }
        };
        plan.findings.push(cx.finding(
            "cross-origin",
            app.creation.start(),
            format!(
                "{why}, so its Cross-Origin-Resource-Policy is cross-origin rather than helmet's same-origin, which \
                 would stop those sites from loading its responses as images, scripts or media (badges, embeds); to \
                 tighten it, set crossOriginResourcePolicy to same-site if they are all on your site, or keep \
                 cross-origin only on the routes they load"
            ),
        ));
    }
}

/// `app`, `exports.app`, `this.app` as an expression.
fn receiver_expr(path: &str) -> Box<swc_ecma_ast::Expr> {
    let mut parts = path.split('.');
    let first = parts.next().unwrap_or(path);
    let mut expr = if first == "this" {
        Box::new(swc_ecma_ast::Expr::This(swc_ecma_ast::ThisExpr { span: swc_common::DUMMY_SP }))
    } else {
        codegen::ident_expr(first)
    };
    for part in parts {
        expr = codegen::member(expr, part);
    }
    expr
}

/// The helmet import in the file's module system, next to the express import (or the other imports).
fn import_edit(cx: &FileContext<'_>, name: &str) -> Edit {
    let style = &imports::style(cx, Some("express"));
    let package = &data().package;
    let snippet = match cx.facts.module_system {
        ModuleSystem::Esm => codegen::print_item(codegen::import_default(name, package, style.quote), style),
        ModuleSystem::CommonJs => {
            codegen::print_stmt(codegen::require_decl(name, package, style.quote, require_kind(cx)), style, "")
        }
    };
    imports::insert(cx, &snippet, Some("express"))
}

/// `var` in files that require express with `var` (ES5 style), `const` otherwise.
fn require_kind(cx: &FileContext<'_>) -> swc_ecma_ast::VarDeclKind {
    let written_with_var = cx.facts.bindings_of("express").any(|b| cx.text(b.stmt).starts_with("var "));
    if written_with_var {
        swc_ecma_ast::VarDeclKind::Var
    } else {
        swc_ecma_ast::VarDeclKind::Const
    }
}

fn report_disabled(cx: &FileContext<'_>, plan: &mut FilePlan, applied: &Applied, at: usize) {
    let disabled: Vec<&str> = applied
        .disabled
        .iter()
        .filter_map(|name| canonical(name))
        .filter(|m| m.default)
        .map(|m| m.header.as_str())
        .collect();
    if disabled.is_empty() {
        return;
    }
    plan.findings.push(cx.finding(
        "disabled",
        at,
        format!("helmet is applied with these protections switched off: {}", disabled.join(", ")),
    ));
}

fn report_late(cx: &FileContext<'_>, plan: &mut FilePlan, app: &ExpressApp, helmet_at: usize) {
    let facts = cx.facts;
    let registrations = facts.registrations();
    let earlier = registrations
        .iter()
        .filter(|r| r.range.start() < helmet_at && facts.is_app(app, &r.receiver, r.range.start()))
        .min_by_key(|r| r.range.start());
    if let Some(first) = earlier {
        let (line, _) = cx.file.line_col(first.range.start());
        plan.findings.push(cx.finding(
            "late",
            helmet_at,
            format!(
                "helmet is registered after other middleware or routes (line {line}): their responses are sent \
                 without its headers; move it directly after the app is created"
            ),
        ));
    }
}

fn report_partial(cx: &FileContext<'_>, plan: &mut FilePlan, app: &ExpressApp, applied: &Applied) {
    let missing: Vec<&str> = data()
        .middlewares
        .iter()
        .filter(|m| m.default && !applied.subs.contains(&m.name))
        .map(|m| m.header.as_str())
        .collect();
    let used: Vec<&str> = applied.subs.iter().map(String::as_str).collect();
    plan.findings.push(cx.finding(
        "partial",
        applied.first_sub_at.unwrap_or(app.creation.start()),
        format!(
            "only some of helmet's protections are applied ({}); missing: {}. Use helmet() and switch off single \
             protections in its options if needed",
            used.join(", "),
            missing.join(", ")
        ),
    ));
}

/// webpack's dev middleware registered on an app of this file (`app.use(webpackDevMiddleware(compiler, ...))`), here
/// or by a function of another module that receives the app (`require('./config/webpack')(app)`), while the project's
/// webpack config makes its bundles evaluate strings ([`crate::project::Project::webpack_eval`]).
struct DevEval<'a> {
    /// Where it is registered (`server.js:12`).
    at: String,
    /// How: in this file, and then whether in a branch and whether the branch is development only; or in another
    /// module (whose conditions are not read).
    registered: Registered,
    /// What the config says.
    eval: &'a crate::bundler::WebpackEval,
    /// The bundles evaluate wherever the app runs: the middleware registered in this file in no branch, and a literal
    /// devtool or mode (`mode: 'development'`); `'unsafe-eval'` is then allowed in every environment. Otherwise
    /// (registered outside production, under a condition not read, in another module, or a computed mode) it is
    /// allowed outside production only.
    always: bool,
}

/// Where [`DevEval`]'s middleware is registered.
enum Registered {
    Here { in_branch: bool, development_only: bool },
    Elsewhere,
}

/// [`DevEval`] of this file's app at `app` (the start of its creation), if any.
fn dev_eval<'a>(cx: &FileContext<'a>, app: usize) -> Option<DevEval<'a>> {
    use crate::values::Value;
    let eval = cx.project.webpack_eval.as_ref()?;
    let is_dev_middleware = |value: &Value| match value {
        Value::Call(call) => call
            .callee
            .as_ref()
            .is_some_and(|callee| crate::bundler::DEV_MIDDLEWARE.iter().any(|m| callee.is_module(m))),
        _ => false,
    };
    if let Some(call) =
        cx.facts.member_calls().iter().find(|c| c.method == "use" && c.args.iter().any(is_dev_middleware))
    {
        return Some(DevEval {
            at: format!("{}:{}", display_path(&cx.file.path), cx.file.line(call.range.start())),
            registered: Registered::Here { in_branch: call.in_branch, development_only: call.development_only },
            eval,
            always: !call.in_branch && !eval.computed,
        });
    }
    let remote = cx
        .links
        .app_middleware
        .iter()
        .find(|m| m.app == app && crate::bundler::DEV_MIDDLEWARE.iter().any(|d| m.module == *d))?;
    Some(DevEval {
        at: format!("{}:{}", display_path(&remote.at.0), remote.at.1),
        registered: Registered::Elsewhere,
        eval,
        always: false,
    })
}

/// Adds `'unsafe-eval'` to the scriptSrc of `directives` (after `'self'` and `'unsafe-inline'`), making it if needed.
fn add_unsafe_eval(directives: &mut Directives) {
    let script = views::directive_of(views::ResourceKind::Script);
    let at = directives.iter().position(|(name, _)| name.as_str() >= script).unwrap_or(directives.len());
    if directives.get(at).is_none_or(|(name, _)| name != script) {
        let defaults = views::default_sources(script).iter().map(ToString::to_string).collect();
        directives.insert(at, (script.to_string(), defaults));
    }
    let sources = &mut directives[at].1;
    let after = sources.iter().take_while(|s| !s.starts_with("'sha") && !s.contains("://")).count();
    sources.insert(after, views::UNSAFE_EVAL.to_string());
}

/// The finding of [`DevEval`]: where the middleware is registered, the config that makes the bundles evaluate, where
/// the policy allows it, and the devtool that does without.
fn report_dev_eval(cx: &FileContext<'_>, plan: &mut FilePlan, app: &ExpressApp, dev: &DevEval<'_>) {
    let config = match &dev.eval.config {
        Some((path, line)) if dev.eval.devtool => {
            format!("its webpack config's devtool at {}:{line}", display_path(path))
        }
        Some((path, line)) => format!(
            "its webpack config (mode development at {}:{line}, with no devtool: webpack's default there is 'eval')",
            display_path(path)
        ),
        None => "its webpack config (not found beside package.json: webpack's default devtool in development mode \
                 is 'eval')"
            .to_string(),
    };
    let (in_branch, development_only) = match dev.registered {
        Registered::Here { in_branch, development_only } => (in_branch, development_only),
        Registered::Elsewhere => (true, false),
    };
    let (registered, allowed) = match (dev.always, in_branch, development_only) {
        _ if matches!(dev.registered, Registered::Elsewhere) => (
            "by another module",
            "so scriptSrc allows 'unsafe-eval' outside production only (process.env.NODE_ENV !== 'production'); if \
             that module registers it in production too, allow it there too",
        ),
        (true, _, _) => ("in every environment", "so scriptSrc allows 'unsafe-eval'"),
        (false, true, true) => (
            "outside production",
            "so scriptSrc allows 'unsafe-eval' outside production only (process.env.NODE_ENV !== 'production')",
        ),
        (false, true, false) => (
            "under a condition of the app's own",
            "so scriptSrc allows 'unsafe-eval' outside production only (process.env.NODE_ENV !== 'production'); if \
             that condition can hold in production, allow it there too",
        ),
        (false, false, _) => (
            "in every environment, with a mode the config computes",
            "so scriptSrc allows 'unsafe-eval' outside production only (process.env.NODE_ENV !== 'production')",
        ),
    };
    plan.findings.push(cx.finding(
        "csp-eval",
        app.creation.start(),
        format!(
            "webpack's dev middleware, registered {registered} at {}, serves bundles that {config} makes wrap each \
             module in eval(), which helmet's default Content-Security-Policy blocks (script-src without \
             'unsafe-eval'), {allowed}; to tighten it, set devtool: 'source-map' (or another devtool without eval) \
             in that config, then remove 'unsafe-eval'",
            dev.at
        ),
    ));
}

/// Vite's dev server in middleware mode registered on an app of this file: `createServer({ server: { middlewareMode:
/// true } })` (or `createViteServer`, its usual local name) of `vite`, then `app.use(vite.middlewares)`. In
/// development it serves the app's pages with what Vite injects ([`report_dev_server`]).
struct DevServer {
    /// `app.use(x.middlewares)` (a copy: the list may be packed, [`crate::analysis::FileFacts::pack`]).
    call: crate::analysis::MemberCall,
    /// The line of the `createServer(...)` call, when it is a call of `vite`'s import this file reads.
    created: Option<usize>,
    /// Where its HMR websocket connects.
    hmr: ViteHmr,
}

/// Where the HMR websocket of Vite's client connects, from the `server.hmr` / `server.ws` options (Vite's
/// `createClientConfigValueReplacer`: in middleware mode, without a websocket server of the app's, the port is
/// `clientPort || port || 24678`).
enum ViteHmr {
    /// To this port (the text of the option, or Vite's default `24678`), on the page's host: another origin.
    Port(String),
    /// To the app's own http server (`hmr: { server }`): the page's origin, which `'self'` allows.
    OwnServer,
    /// Nowhere (`hmr: false`, `ws: false`).
    Off,
    /// The options are not read here (a dynamic `import('vite')`, options built elsewhere): Vite's default port
    /// unless they say otherwise.
    Unread,
}

/// [`DevServer`] of this file, if any: the app registers a `.middlewares` while the file imports `vite`, and the
/// options of its `createServer` call, when read, ask for middleware mode.
fn dev_server(cx: &FileContext<'_>) -> Option<DevServer> {
    use crate::values::Value;
    const VITE: &str = "vite";
    let facts = cx.facts;
    if facts.bindings_of(VITE).next().is_none() && !facts.opaque_modules.iter().any(|m| m == VITE) {
        return None;
    }
    let middlewares = |value: &Value| match value {
        Value::Other(range) => cx.file.code.get(range.range()).is_some_and(|text| {
            text.rsplit_once('.').is_some_and(|(object, name)| name.trim() == "middlewares" && !object.is_empty())
        }),
        _ => false,
    };
    let call = facts.member_calls().iter().find(|c| c.method == "use" && c.args.iter().any(middlewares))?.clone();
    let creation = facts.calls.iter().find(|site| {
        !site.is_new && site.call.callee.as_ref().is_some_and(|callee| callee.is_export(VITE, "createServer"))
    });
    let Some(creation) = creation else {
        // (Only `build()` or `preview()` of an imported `vite`: no dev server here.)
        return facts.bindings_of(VITE).next().is_none().then_some(DevServer {
            call,
            created: None,
            hmr: ViteHmr::Unread,
        });
    };
    let created = Some(cx.file.line(creation.call.range.start()));
    let Some(Value::Object(options)) = creation.call.args.first() else {
        return Some(DevServer { call, created, hmr: ViteHmr::Unread });
    };
    let server = match options.get("server").map(|p| &p.value) {
        Some(Value::Object(server)) => server,
        Some(_) => return Some(DevServer { call, created, hmr: ViteHmr::Unread }),
        None => return None,
    };
    match server.get("middlewareMode").map(|p| &p.value) {
        Some(Value::Bool(true, _)) => {}
        Some(Value::Bool(false, _)) | None => return None,
        Some(_) => return Some(DevServer { call, created, hmr: ViteHmr::Unread }),
    }
    // (`server.ws` from Vite 8 on, `server.hmr` before; a key of `ws` wins.)
    let mut hmr = ViteHmr::Port("24678".to_string());
    for key in ["hmr", "ws"] {
        match server.get(key).map(|p| &p.value) {
            Some(Value::Bool(false, _)) => hmr = ViteHmr::Off,
            Some(Value::Object(o)) if o.get("server").is_some() => hmr = ViteHmr::OwnServer,
            Some(Value::Object(o)) => {
                if let Some(port) = o.get("clientPort").or_else(|| o.get("port")) {
                    let text = cx.file.code.get(port.value.range().range()).unwrap_or_default();
                    hmr = ViteHmr::Port(text.to_string());
                }
            }
            Some(Value::Bool(true, _)) | None => {}
            Some(_) => hmr = ViteHmr::Unread,
        }
    }
    Some(DevServer { call, created, hmr })
}

/// What the written policy blocks of what Vite's dev server ([`DevServer`]) serves in development, and what is
/// allowed there for it outside production only.
struct ViteNeeds {
    server: DevServer,
    /// The HMR websocket of its client (`/@vite/client`, a module script of the app's own origin) goes to another
    /// port of the page's host (`Some`), which connect-src `'self'` does not cover: the port as written, and whether
    /// it is a literal (then `ws://*:<port>` is allowed outside production).
    port: Option<(String, bool)>,
    /// `@vitejs/plugin-react` (in package.json) injects its React Refresh preamble, an inline module script, which
    /// scriptSrc blocks (no `'unsafe-inline'`, or one beside a hash or nonce, which browsers ignore); `Some(true)`
    /// when `'unsafe-inline'` can be allowed outside production (no hash or nonce in scriptSrc).
    preamble: Option<bool>,
}

impl ViteNeeds {
    fn of(cx: &FileContext<'_>, server: DevServer, directives: &Directives) -> ViteNeeds {
        let name = views::directive_of(views::ResourceKind::Script);
        let defaults = || views::default_sources(name).iter().map(ToString::to_string).collect::<Vec<_>>();
        let script = directives.iter().find(|(n, _)| n == name).map_or_else(defaults, |(_, s)| s.clone());
        let pinned = script.iter().any(|s| s.starts_with("'sha") || s.starts_with("'nonce"));
        let inline = script.iter().any(|s| s == views::UNSAFE_INLINE) && !pinned;
        let react = !cx.project.listed_all("@vitejs/plugin-react").is_empty();
        let port = match &server.hmr {
            ViteHmr::Port(port) => Some((port.clone(), !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()))),
            ViteHmr::Unread => {
                Some(("24678 (Vite's default in middleware mode) unless its options say otherwise".into(), false))
            }
            ViteHmr::OwnServer | ViteHmr::Off => None,
        };
        ViteNeeds { server, port, preamble: (react && !inline).then_some(!pinned) }
    }

    /// Adds what is allowed outside production to `dev`.
    fn allow(&self, dev: &mut Directives) {
        let mut add = |kind: views::ResourceKind, source: String| {
            let name = views::directive_of(kind);
            match dev.iter_mut().find(|(n, _)| n == name) {
                Some((_, sources)) => sources.push(source),
                None => dev.push((name.to_string(), vec![source])),
            }
        };
        if let Some((port, true)) = &self.port {
            add(views::ResourceKind::Connect, format!("ws://*:{port}"));
        }
        if self.preamble == Some(true) {
            add(views::ResourceKind::Script, views::UNSAFE_INLINE.to_string());
        }
    }
}

/// The finding of [`ViteNeeds`], when the written policy blocks something Vite serves in development: its client's
/// HMR websocket on another port (connect-src), and the inline module script `@vitejs/plugin-react` injects. Names
/// each, what is allowed outside production, and the ways to do without.
fn report_dev_server(cx: &FileContext<'_>, plan: &mut FilePlan, app: &ExpressApp, needs: &ViteNeeds) {
    let dev = &needs.server;
    const OUTSIDE: &str = "outside production only (process.env.NODE_ENV !== 'production')";
    let mut blocked = Vec::new();
    let mut ways = Vec::new();
    if let Some((port, literal)) = &needs.port {
        let allowed = match literal {
            true => format!("so connectSrc allows ws://*:{port} {OUTSIDE}"),
            false => format!("allow it {OUTSIDE} in connectSrc"),
        };
        blocked.push(format!(
            "the HMR websocket of its client (/@vite/client, a module script from the app's own origin, which \
             script-src 'self' allows) connects to the page's host on port {port}, another origin, which connect-src \
             'self' does not cover (no hot updates): {allowed}"
        ));
        ways.push(
            "hand the http server the app listens on to Vite as server: { middlewareMode: true, hmr: { server } } \
             (the websocket then shares the app's origin)"
                .to_string(),
        );
    }
    if let Some(allowed) = needs.preamble {
        let allowed = match allowed {
            true => format!("so scriptSrc allows 'unsafe-inline' {OUTSIDE}"),
            false => "'unsafe-inline' would be ignored beside scriptSrc's hashes".to_string(),
        };
        blocked.push(format!(
            "@vitejs/plugin-react (in package.json) injects an inline module script, its React Refresh preamble, \
             which script-src blocks (the page's components then throw \"@vitejs/plugin-react can't detect \
             preamble\"): {allowed}"
        ));
        ways.push(
            "set Vite's html: { cspNonce: '<placeholder>' } (Vite 5.2 on: it adds nonce=\"<placeholder>\" to the \
             script and style tags it serves) and replace the placeholder with a fresh nonce in each response and \
             in scriptSrc, or import '@vitejs/plugin-react/preamble' from the client entry instead"
                .to_string(),
        );
    }
    if blocked.is_empty() {
        return;
    }
    let registered = match (dev.call.in_branch, dev.call.development_only) {
        (false, _) => "in every environment",
        (true, true) => "outside production",
        (true, false) => "under a condition of the app's own",
    };
    let created = dev.created.map(|line| format!("createServer at {}:{line}, ", display_path(&cx.file.path)));
    plan.findings.push(cx.finding(
        "csp-dev-server",
        app.creation.start(),
        format!(
            "Vite's dev server in middleware mode ({}its middlewares registered {registered} at {}:{}) serves the \
             app's pages with what Vite injects, which helmet's Content-Security-Policy blocks in part: {}. To do \
             without: {}",
            created.unwrap_or_default(),
            display_path(&cx.file.path),
            cx.file.line(dev.call.range.start()),
            blocked.join("; "),
            ways.join("; ")
        ),
    ));
}

/// The package the project lists (or its workspace root does) that rewrites HTML on its way out (a minifier, which may
/// rewrite inline scripts), if any.
fn html_rewriter(cx: &FileContext<'_>) -> Option<&'static str> {
    data().html_rewriters.iter().map(String::as_str).find(|p| !cx.project.listed_all(p).is_empty())
}

fn report_views(
    cx: &FileContext<'_>,
    plan: &mut FilePlan,
    app: &ExpressApp,
    directives: &[(String, Vec<String>)],
    rewriter: Option<&str>,
) {
    let mut hashed = Vec::new();
    let mut varying = Vec::new();
    let mut handlers = Vec::new();
    let mut hosts = BTreeSet::new();
    let mut runtime: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    let mut trimmed = false;
    // (Some of `varying` are `script.` blocks that Pug's `pretty` re-indents: [`pretty_note`].)
    let mut re_indented = false;
    let (mut evals, mut whats, mut workers) = (Vec::new(), BTreeSet::new(), Vec::new());
    let (mut blobs, mut objects): (BTreeMap<&str, Vec<String>>, Vec<String>) = (BTreeMap::new(), Vec::new());
    let (mut unsure, mut made, mut builds, mut wasm) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let (mut dev, mut build_handlers) = (Vec::new(), Vec::new());
    let (mut modules, mut refetches, mut computed_scripts) = (Vec::new(), Vec::new(), Vec::new());
    // (Folders served from a path computed at run time, by this app's modules: `Project::computed_folders`.)
    // (A literal absolute path, `express.static('/var/data/uploads')`, is not computed: a folder outside the checkout.)
    let (outside, computed): (Vec<String>, Vec<String>) = (cx.project.computed_folders.iter())
        .filter(|folder| folder.related.contains(&cx.file.path))
        .map(|folder| format!("`{}` ({}:{})", folder.text, display_path(&folder.file), folder.line))
        .partition(|named| named.starts_with("`'/") || named.starts_with("`\"/"));
    for (path, scan) in cx.project.views_for(&cx.file.path) {
        dev.extend(scan.dev_scripts.iter().map(|line| format!("{}:{line}", display_path(path))));
        made.extend(scan.object_urls_made.iter().map(|line| format!("{}:{line}", display_path(path))));
        for eval in &scan.evals {
            evals.push(format!("{}:{} ({})", display_path(path), eval.line, eval.what));
            whats.insert(eval.what);
        }
        workers.extend(scan.blob_workers.iter().map(|line| format!("{}:{line}", display_path(path))));
        // (A WebAssembly module the app serves is named as a file: it has no lines.)
        match path.extension().is_some_and(|e| e == "wasm") {
            true => modules.extend((!scan.wasm.is_empty()).then(|| display_path(path))),
            false => wasm.extend(scan.wasm.iter().map(|line| format!("{}:{line}", display_path(path)))),
        }
        refetches.extend(scan.refetches.iter().map(|line| format!("{}:{line}", display_path(path))));
        computed_scripts.extend(scan.computed_scripts.iter().map(|line| format!("{}:{line}", display_path(path))));
        for (line, kind) in &scan.blob_sources {
            let guessed = if scan.guessed_blobs.contains(line) { " (element not found)" } else { "" };
            let place = format!("{}:{line}{guessed}", display_path(path));
            blobs.entry(views::directive_of(*kind)).or_default().push(place);
        }
        objects.extend(scan.own_objects.iter().map(|line| format!("{}:{line}", display_path(path))));
        unsure.extend(scan.unsure.iter().map(|(line, package)| format!("{package} ({}:{line})", display_path(path))));
        for host in &scan.runtime_hosts {
            runtime.entry(views::directive_of(host.kind)).or_default().push(format!(
                "{}:{}",
                display_path(path),
                host.line
            ));
        }
        if let Some(build) = &scan.unread_build {
            let at = format!("{}:{}", display_path(path), build.line);
            if build.inline_runtime {
                varying.push(format!(
                    "{at} (the script `{} build` inlines into each page, whose text changes with every build; build \
                     with INLINE_RUNTIME_CHUNK=false to serve it as a file)",
                    build.builder
                ));
            }
            builds.push(format!("{} (built by {} at {at})", build.served, build.builder));
            if let Some(handler) = &build.inline_handler {
                build_handlers.push(format!("{} ({} at {})", build.served, handler.what, handler.config));
            }
        }
        for code in &scan.inline {
            let at = format!("{}:{}", display_path(path), code.line);
            match (code.kind, &code.hash) {
                (views::InlineKind::Script, Some(_)) => match rewriter {
                    None => {
                        trimmed |= code.trimmed_hash.is_some();
                        hashed.push(at);
                    }
                    Some(package) => varying.push(format!("{at} (inline <script> that {package} may rewrite)")),
                },
                (views::InlineKind::Script, None) if code.pretty_differs && cx.project.pug_pretty.is_some() => {
                    varying.push(format!("{at} (script. block that Pug's pretty re-indents)"));
                    re_indented = true;
                }
                (views::InlineKind::Script, None) => varying.push(format!("{at} (inline <script> whose text varies)")),
                (views::InlineKind::JavascriptUrl, _) => varying.push(format!("{at} (javascript: URL)")),
                (views::InlineKind::EventHandler, _) => handlers.push(at),
            }
        }
        for ext in &scan.external {
            hosts.insert((ext.origin.clone(), display_path(path)));
        }
    }
    if !builds.is_empty() {
        plan.findings.push(cx.finding(
            "csp-build",
            app.creation.start(),
            format!(
                "the app serves the front-end build {}, which is not in the checkout (not built yet, or git-ignored): \
                 its pages could not be read, so the Content-Security-Policy is made from the front end's page \
                 templates and what its builder is known to add; once it is built, load its pages under the policy \
                 and check the browser console for what it blocks",
                builds.join(", ")
            ),
        ));
    }
    if !outside.is_empty() {
        plan.findings.push(cx.finding(
            "csp-computed-folder",
            app.creation.start(),
            format!(
                "the app serves or renders pages from a folder outside the checkout, named by an absolute path: {}. \
                 Its pages are not in the checkout, so the Content-Security-Policy is made from the pages the \
                 checkout holds; load the pages of that folder in production under the policy and check the browser \
                 console for what it blocks",
                outside.join(", ")
            ),
        ));
    }
    if !computed.is_empty() {
        plan.findings.push(cx.finding(
            "csp-computed-folder",
            app.creation.start(),
            format!(
                "the app serves or renders pages from a folder whose path is computed at run time, and the \
                 project's code does not tell which (an environment variable, an option, a value another module \
                 computes): {}. Its pages may be other than those in the checkout, so the Content-Security-Policy \
                 is made from the pages the checkout holds; load the pages of the folder it names in production \
                 under the policy and check the browser console for what it blocks, or name the folder in the code \
                 (`path.join(__dirname, 'public')`, or a config module that exports it so) and run again",
                computed.join(", ")
            ),
        ));
    }
    if !dev.is_empty() {
        plan.findings.push(cx.finding(
            "csp-dev-script",
            app.creation.start(),
            format!(
                "the live-reload script at {} is a tool of development: it is left out of the Content-Security-Policy, \
                 which would otherwise allow its host in production too, so in development the browser blocks it and \
                 pages no longer reload by themselves; to keep that, serve it only in development and allow it there \
                 (its origin in scriptSrc and connectSrc), or load it from the app's own origin",
                dev.join(", ")
            ),
        ));
    }
    let libraries = handler_library_scripts(cx);
    if !hashed.is_empty() && varying.is_empty() && libraries.is_empty() {
        plan.findings.push(cx.finding(
            "csp-hashes",
            app.creation.start(),
            format!(
                "the Content-Security-Policy allows the inline scripts at {} by their hashes in scriptSrc{}: after a \
                 change to one of them, put its new hash there (the browser console names it), or move the scripts \
                 into files served by the app and drop the hashes",
                hashed.join(", "),
                match (&cx.project.rm_whitespace, trimmed) {
                    (Some((path, line)), true) => format!(
                        " (those whose lines EJS trims also by the hash of the text it sends with rmWhitespace, set \
                         at {}:{line})",
                        display_path(path)
                    ),
                    _ => String::new(),
                }
            ),
        ));
    }
    if !varying.is_empty() {
        plan.findings.push(cx.finding(
            "csp-inline",
            app.creation.start(),
            format!(
                "helmet's default Content-Security-Policy would block the inline code at {}{}{}, so scriptSrc allows \
                 'unsafe-inline'; to tighten it, move that code into script files served by the app (or give each \
                 inline script a per-response nonce) and remove 'unsafe-inline'{}",
                varying.join(", "),
                if hashed.is_empty() { String::new() } else { format!(" and {}", hashed.join(", ")) },
                match &cx.project.ejs_delimiters {
                    Some((path, line)) => format!(
                        " (EJS renders with delimiters of the app's own, set at {}:{line}: the template code in a \
                         view's script is not known, so none is hashed)",
                        display_path(path)
                    ),
                    None => String::new(),
                },
                pretty_note(cx, re_indented),
            ),
        ));
    }
    if !handlers.is_empty() {
        plan.findings.push(cx.finding(
            "csp-inline",
            app.creation.start(),
            format!(
                "helmet's default Content-Security-Policy would block the inline event handlers at {}, so \
                 scriptSrcAttr allows 'unsafe-inline'; to tighten it, attach them with addEventListener in a script \
                 file and remove scriptSrcAttr",
                handlers.join(", ")
            ),
        ));
    }
    if !libraries.is_empty() {
        plan.findings.push(cx.finding(
            "csp-inline",
            app.creation.start(),
            format!(
                "the pages load {}, which writes inline code into the page ({}) that helmet's default \
                 Content-Security-Policy would block, so scriptSrc and scriptSrcAttr allow 'unsafe-inline'{}; to \
                 tighten it, {}, and remove 'unsafe-inline' and scriptSrcAttr",
                libraries.iter().map(|(at, lib)| format!("{} ({at})", lib.name)).collect::<Vec<_>>().join(", "),
                libraries[0].1.writes,
                if hashed.is_empty() {
                    String::new()
                } else {
                    format!(
                        " (which allows the inline scripts at {} too: with their hashes beside it, browsers would \
                         ignore it)",
                        hashed.join(", ")
                    )
                },
                libraries[0].1.instead,
            ),
        ));
    }
    if !build_handlers.is_empty() {
        plan.findings.push(cx.finding(
            "csp-inline",
            app.creation.start(),
            format!(
                "the pages of the front-end build {} carry an inline event handler their builder writes, which \
                 helmet's default Content-Security-Policy would block, so scriptSrcAttr allows 'unsafe-inline'; to \
                 tighten it, turn that off as said, rebuild, and remove scriptSrcAttr",
                build_handlers.join(", ")
            ),
        ));
    }
    if !evals.is_empty() {
        // How to do without 'unsafe-eval', for each kind found (each from the library's documentation, see
        // `views::eval_library`).
        let ways: Vec<&str> = whats
            .iter()
            .map(|what| match *what {
                w if w.starts_with("Alpine") => "load Alpine's CSP build (@alpinejs/csp) instead",
                w if w.contains("imported by") => {
                    "import vue itself (its runtime-only build) rather than a file of vue/dist, and compile the \
                     templates ahead (single-file components)"
                }
                w if w.contains("chosen by") => {
                    "let the bundler build in Vue's runtime-only build (drop the alias to vue/dist, or runtimeCompiler) \
                     and compile the templates ahead (single-file components)"
                }
                crate::views::VUE_ESM_FULL => {
                    "import Vue's runtime-only ES-module build (vue.runtime.esm-browser.prod.js) instead and compile \
                     the templates ahead (single-file components with a build step)"
                }
                w if w.starts_with("Vue") => {
                    "load Vue's runtime-only build (vue.runtime.global.prod.js) and compile the templates ahead \
                     (single-file components with a build step)"
                }
                "Knockout" => "give Knockout the binding provider of knockout-secure-binding",
                "petite-vue" => {
                    "petite-vue has no build without new Function: move to a library with one (Alpine's CSP build, \
                     @alpinejs/csp) or to Vue's runtime-only build with templates compiled ahead"
                }
                w if w.starts_with("htmx") => {
                    "move the hx-on handlers, trigger filters and js: values into listeners of htmx's events in a \
                     script file, and turn htmx's evaluation off (htmx.config.allowEval = false, or \
                     <meta name=\"htmx-config\" content='{\"allowEval\":false}'>)"
                }
                w if w.contains("_.template") => "compile the templates ahead (the build step's template loader)",
                w if w.contains("Handlebars.compile") => {
                    "precompile the templates (the handlebars command) and load Handlebars' runtime build \
                     (handlebars.runtime.min.js)"
                }
                _ => "replace eval, new Function and string timers with code in the script (JSON.parse for data)",
            })
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        plan.findings.push(cx.finding(
            "csp-eval",
            app.creation.start(),
            format!(
                "the scripts at {} turn strings into code, which helmet's default Content-Security-Policy blocks \
                 (script-src without 'unsafe-eval'), so scriptSrc allows 'unsafe-eval'; to tighten it, {}, then \
                 remove 'unsafe-eval'",
                evals.join(", "),
                ways.join("; ")
            ),
        ));
    }
    if !wasm.is_empty() || !modules.is_empty() {
        let scripts = (!wasm.is_empty()).then(|| format!("the scripts at {} compile WebAssembly", wasm.join(", ")));
        let served = (!modules.is_empty()).then(|| {
            let what = if modules.len() == 1 { "module" } else { "modules" };
            format!("the app serves the WebAssembly {what} {} for its pages' scripts to compile", modules.join(", "))
        });
        plan.findings.push(cx.finding(
            "csp-wasm",
            app.creation.start(),
            format!(
                "{}, which helmet's default Content-Security-Policy blocks (script-src without 'wasm-unsafe-eval'), \
                 so scriptSrc allows 'wasm-unsafe-eval' (WebAssembly only, not eval)",
                scripts.into_iter().chain(served).collect::<Vec<_>>().join(" and ")
            ),
        ));
    }
    if !computed_scripts.is_empty() {
        plan.findings.push(cx.finding(
            "csp-script-host",
            app.creation.start(),
            format!(
                "the scripts at {} load a script from a URL they compute on a value the project does not hold (a \
                 <meta> tag's content, a global, a setting read at run time): the policy does not name its host, so \
                 script-src allows it only if it is the app's own; if it comes from a CDN, add that origin (the \
                 browser console names it) to scriptSrc",
                computed_scripts.join(", ")
            ),
        ));
    }
    if !refetches.is_empty() {
        let connect = directives.iter().find(|(name, _)| name == "connectSrc").map(|(_, s)| s.as_slice());
        let hosts: Vec<&str> = connect
            .unwrap_or_default()
            .iter()
            .map(String::as_str)
            .filter(|s| s.contains("://") || !(s.starts_with('\'') || s.ends_with(':')))
            .collect();
        let allows = match hosts.as_slice() {
            [] => "connect-src 'self' (helmet's default-src) allows it: the pages load nothing from another host"
                .to_string(),
            ["*"] => {
                "connectSrc allows every host ('*'), since a page loads from a host known only at run time".to_string()
            }
            _ => {
                format!("connectSrc allows the hosts the pages load from ({}) rather than every host", hosts.join(", "))
            }
        };
        plan.findings.push(cx.finding(
            "csp-service-worker",
            app.creation.start(),
            format!(
                "the service worker at {} fetches the pages' requests again (fetch(event.request)), each checked \
                 against the connect-src of the policy its own script is served with, so {allows}; a resource the \
                 pages load from a host they do not name (a font a stylesheet of another host loads, a URL a script \
                 computes) needs its host in connectSrc too",
                refetches.join(", ")
            ),
        ));
    }
    if !workers.is_empty() {
        plan.findings.push(cx.finding(
            "csp-worker",
            app.creation.start(),
            format!(
                "the scripts at {} start a worker from a blob: URL, which helmet's default Content-Security-Policy \
                 blocks (it sets no worker-src, which falls back to child-src, then to script-src 'self'), so \
                 workerSrc allows 'self' and blob:; to tighten it, serve the worker's code as a file of the app \
                 (new Worker('/js/worker.js')) and remove workerSrc",
                workers.join(", ")
            ),
        ));
    }
    // (Object URLs by directive, then the app's own files in <object>/<embed>.)
    let blob_texts = blobs.into_iter().map(|(name, places)| {
        let guessed = places.iter().any(|place| place.ends_with("(element not found)"));
        let text = format!(
            "the scripts at {} show an object URL (URL.createObjectURL) in an element, which helmet's default \
             Content-Security-Policy blocks (its {name} has no blob:), so {name} allows blob:{}{}",
            places.join(", "),
            if name == views::directive_of(views::ResourceKind::Object) {
                " (and frameSrc: Chromium shows a PDF or a page in an <object> or <embed> in a nested frame)"
            } else {
                ""
            },
            if guessed {
                "; where the element was not found in the pages (by its id, class or tag) and the script does not \
                 make it, imgSrc, mediaSrc, frameSrc and objectSrc allow blob: (a preview shows an image, a video, \
                 or a document in a frame or an <embed>), and objectSrc 'self' (an <embed> written before its URL is \
                 set loads the page's own): remove those it does not use"
            } else {
                ""
            }
        );
        ("csp-blob", text)
    });
    let object_text = (!objects.is_empty()).then(|| {
        let text = format!(
            "the pages at {} embed the app's own files with <object> or <embed>, which helmet's default \
             Content-Security-Policy blocks (object-src 'none'), so objectSrc allows 'self'; plugin content can \
             run scripts: to tighten it, show the files with <iframe> or <img> (or a link) and remove objectSrc",
            objects.join(", ")
        );
        ("csp-object", text)
    });
    let unsure_text = (!unsure.is_empty()).then(|| {
        let text = format!(
            "the project lists {}, which a bundler builds into its pages: its runtime-only build (the default of \
             `import {{ createApp }} from 'vue'`) runs under the policy, its full build (an alias to \
             vue/dist/vue.esm-bundler.js, in-DOM templates) compiles templates with new Function, which script-src \
             blocks without 'unsafe-eval'; the policy does not allow it: if a page's templates stop rendering, \
             compile them ahead or add 'unsafe-eval' to scriptSrc",
            unsure.join(", ")
        );
        ("csp-bundled", text)
    });
    for (kind, text) in blob_texts.chain(object_text).chain(unsure_text) {
        plan.findings.push(cx.finding(kind, app.creation.start(), text));
    }
    for (name, places) in runtime {
        // (What `views::csp_directives` gives the same hosts beside: a script's calls home, a plugin's frame.)
        let also = match name {
            "scriptSrc" => {
                " (and so does connectSrc: such a script, an analytics one say, sends its data to its own host, \
                 Plausible's /api/event, Umami's /api/send)"
            }
            "objectSrc" => " (and so does frameSrc: Chromium shows a PDF or a page in an <object> in a nested frame)",
            _ => "",
        };
        plan.findings.push(cx.finding(
            "csp-runtime-host",
            app.creation.start(),
            format!(
                "the resources at {} load from or connect to a host known only when the app runs (a template value such as <%= cdn %>, a URL its script computes), so {name} \
                 allows every host ('*') rather than block it{also}; to tighten it, replace '*' with the origins the \
                 app is configured with",
                places.join(", ")
            ),
        ));
    }
    // (The directives that allow every host and got blob: beside it, see `views::csp_directives`.)
    let any_and_blob: Vec<&str> = directives
        .iter()
        .filter(|(_, s)| s.iter().any(|s| s == views::ANY_HOST) && s.iter().any(|s| s == "blob:"))
        .map(|(name, _)| name.as_str())
        .collect();
    if !any_and_blob.is_empty() && !made.is_empty() {
        plan.findings.push(cx.finding(
            "csp-blob",
            app.creation.start(),
            format!(
                "the code at {} makes object URLs (URL.createObjectURL), which '*' does not match (it matches URLs of \
                 network schemes only), so {} {} blob: beside every host; when '*' is replaced with the app's \
                 origins, keep blob: where the object URLs are shown",
                made.join(", "),
                any_and_blob.join(", "),
                if any_and_blob.len() == 1 { "allows" } else { "allow" }
            ),
        ));
    }
    let allowed: BTreeSet<&str> = directives
        .iter()
        .flat_map(|(_, sources)| sources.iter().map(String::as_str))
        // (Hosts, with a scheme or without one (from a scheme-relative URL); not keywords, schemes, hashes or '*'.)
        .filter(|s| s.contains("://") || !(s.starts_with('\'') || s.ends_with(':') || *s == views::ANY_HOST))
        .collect();
    if !allowed.is_empty() {
        let files: BTreeSet<&str> =
            hosts.iter().filter(|(o, _)| allowed.contains(o.as_str())).map(|(_, f)| f.as_str()).collect();
        // (The hosts a known widget needs are loaded by its script, not by a page: no file to name then.)
        let loaded_by = match files.is_empty() {
            true => String::new(),
            false => format!(" (resources loaded by {})", files.into_iter().collect::<Vec<_>>().join(", ")),
        };
        plan.findings.push(cx.finding(
            "csp-hosts",
            app.creation.start(),
            format!(
                "the Content-Security-Policy allows {}{loaded_by}",
                allowed.into_iter().collect::<Vec<_>>().join(", ")
            ),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ckeditor_4_is_known_by_its_script_and_5_is_not() {
        for url in [
            "https://cdnjs.cloudflare.com/ajax/libs/ckeditor/4.14.1/ckeditor.js",
            "https://cdn.ckeditor.com/4.22.1/standard/ckeditor.js",
            "https://cdn.jsdelivr.net/npm/ckeditor4@4.25.1/ckeditor.js",
            "/vendor/ckeditor/ckeditor.js?t=K24B",
        ] {
            assert_eq!(handler_library(url).map(|l| l.name.as_str()), Some("CKEditor 4"), "{url}");
        }
        for url in [
            "https://cdn.ckeditor.com/ckeditor5/41.4.2/classic/ckeditor.js",
            "/node_modules/@ckeditor/ckeditor5-build-classic/build/ckeditor.js",
            "https://cdnjs.cloudflare.com/ajax/libs/ckeditor/3.6.6/ckeditor.js",
            "/js/ckeditor-init.js",
        ] {
            assert!(handler_library(url).is_none(), "{url}");
        }
    }

    #[test]
    fn a_redirect_back_on_the_site_is_no_form_target_of_another_host() {
        for own in [
            "req.session.returnTo || '/'",
            "req.session.returnTo || \"/\"",
            "request.originalUrl",
            "req.get('Referrer') || '/'",
            "req.get(\"Referer\") || '/account'",
            "req.headers.referer || `/home`",
        ] {
            assert!(same_site_target(own), "{own}");
        }
        for other in [
            "session.url",
            "req.query.next || '/'",
            "req.session.returnTo || '//evil.example'",
            "req.session.returnTo || `/${x}`",
            "returnTo",
            "req.body.url",
        ] {
            assert!(!same_site_target(other), "{other}");
        }
    }

    #[test]
    fn data_parses_and_aliases_resolve() {
        assert_eq!(data().package, "helmet");
        assert_eq!(canonical("hsts").map(|m| m.name.as_str()), Some("strictTransportSecurity"));
        assert_eq!(canonical("noSniff").map(|m| m.header.as_str()), Some("X-Content-Type-Options"));
        assert!(canonical("nope").is_none());
    }

    #[test]
    fn version_follows_node() {
        let d = data();
        let pick = |range: &str| {
            let node = crate::project::NodeTarget { range: range.into(), source: "engines.node" };
            d.versions.iter().find(|v| node.supports(&v.package.node)).map(|v| v.package.spec.as_str())
        };
        assert_eq!(pick(">=16"), Some("^7.2.0"));
        assert_eq!(pick(crate::project::DEFAULT_NODE), Some("^8.3.0"));
        assert_eq!(pick(">=10"), Some("^4.6.0"));
        assert_eq!(pick(">=8"), None);
        assert!(!d.versions.iter().find(|v| v.package.spec == "^4.6.0").is_some_and(|v| v.directives));
    }
}
