//! The cookie flag policy shared by `session-cookie`, `cookie-session` and `res-cookie`: `httpOnly`, `secure` and
//! `sameSite` made explicit in a cookie options object, and the `trust proxy` setting secure cookies need behind a
//! TLS-terminating proxy.

use crate::analysis::{AppSite, TrustProxy};
use crate::codegen;
use crate::objects;
use crate::settings::{SettingsGroup, SettingsInput};
use crate::transform::{FileContext, FilePlan};
use crate::transforms::shared::{imports, proxy};
use crate::values::{ObjectFacts, Value};

/// The cookie policy the user chose: flags `--same-site`, `--secure-cookies`, `--behind-proxy` and
/// `--session-cookie-name`, key `"cookies"` of the configuration file. Read by every cookie transform.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CookiePolicy {
    /// The `sameSite` value added to cookies (`lax` or `strict`).
    pub same_site: SameSite,
    /// How `secure` is set where it is missing or false.
    pub secure: SecurePolicy,
    /// The app runs behind N TLS-terminating proxies: `trust proxy` is set to N.
    pub behind_proxy: Option<u32>,
    /// The name given to session cookies that use a default name.
    pub session_cookie_name: String,
}

impl Default for CookiePolicy {
    fn default() -> Self {
        CookiePolicy {
            same_site: SameSite::Lax,
            secure: SecurePolicy::Production,
            behind_proxy: None,
            session_cookie_name: "sid".to_string(),
        }
    }
}

// The group's flags (no doc comment: clap would make it the command's description).
#[derive(Debug, Default, clap::Args)]
#[command(next_help_heading = "Cookies (session-cookie, cookie-session, res-cookie)")]
pub struct CookieFlags {
    /// sameSite value added to cookies that have none.
    #[arg(long, value_enum)]
    pub same_site: Option<SameSite>,

    /// How `secure` is set on cookies that lack it: always, production (secure when NODE_ENV is production, so
    /// plain HTTP keeps working in development) or auto (secure when the request is).
    #[arg(long, value_enum)]
    pub secure_cookies: Option<SecurePolicy>,

    /// The app runs behind N TLS-terminating proxies: `app.set('trust proxy', N)` is added so that secure cookies
    /// are sent.
    #[arg(long, value_name = "N")]
    pub behind_proxy: Option<u32>,

    /// Name given to session cookies that use a default name (`connect.sid`, `session`).
    #[arg(long, value_name = "NAME")]
    pub session_cookie_name: Option<String>,
}

/// `"cookies": { "secure": ..., "sameSite": ..., "name": ..., "behindProxy": N }` in the configuration file.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct CookiesConfig {
    secure: Option<SecurePolicy>,
    same_site: Option<SameSite>,
    name: Option<String>,
    behind_proxy: Option<u32>,
}

/// The cookie policy's flags and configuration key.
pub static COOKIES: SettingsGroup = SettingsGroup {
    key: "cookies",
    augment: <CookieFlags as clap::Args>::augment_args,
    check: SettingsGroup::check_as::<CookiesConfig>,
};

impl CookiePolicy {
    /// The policy the command line and the configuration file ask for (a flag wins).
    pub fn read(input: &SettingsInput<'_>) -> Result<CookiePolicy, String> {
        let flags: CookieFlags = input.flags()?;
        let config: CookiesConfig = input.config(COOKIES.key)?.unwrap_or_default();
        let defaults = CookiePolicy::default();
        let policy = CookiePolicy {
            same_site: flags.same_site.or(config.same_site).unwrap_or(defaults.same_site),
            secure: flags.secure_cookies.or(config.secure).unwrap_or(defaults.secure),
            behind_proxy: flags.behind_proxy.or(config.behind_proxy),
            session_cookie_name: flags.session_cookie_name.or(config.name).unwrap_or(defaults.session_cookie_name),
        };
        // Browsers drop a `__Host-` or `__Secure-` cookie set without Secure (RFC 6265bis, "Cookie Name Prefixes";
        // the prefix matched without regard to case): under `production` or `auto`, sessions would never stick over
        // plain HTTP, in development, with no error anywhere.
        if let Some(prefix) =
            secure_prefix(&policy.session_cookie_name).filter(|_| policy.secure != SecurePolicy::Always)
        {
            return Err(format!(
                "the session cookie name {} starts with {prefix}, which browsers accept only on a cookie set with \
                 Secure, but `secure` would be written as {} (--secure-cookies {}): over plain HTTP, as in development, the browser \
                 would drop the cookie and no session would stick. Pass --secure-cookies always (development then \
                 needs HTTPS too: express-session sends a secure cookie only over HTTPS), or choose a name without \
                 the prefix",
                policy.session_cookie_name,
                policy.secure.expression(),
                match policy.secure {
                    SecurePolicy::Always => "always",
                    SecurePolicy::Production => "production",
                    SecurePolicy::Auto => "auto",
                }
            ));
        }
        Ok(policy)
    }
}

/// The cookie name prefix that asks browsers for a Secure cookie (`__Secure-`, `__Host-`), as the name writes it.
fn secure_prefix(name: &str) -> Option<&str> {
    ["__secure-", "__host-"]
        .iter()
        .find(|p| name.get(..p.len()).is_some_and(|start| start.eq_ignore_ascii_case(p)))
        .map(|p| &name[..p.len()])
}

/// sameSite values the tool adds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SameSite {
    /// Sent on top-level navigations from other sites (OAuth redirects and links keep working).
    Lax,
    /// Never sent from other sites.
    Strict,
}

impl SameSite {
    /// The value as written in code.
    pub fn as_str(self) -> &'static str {
        match self {
            SameSite::Lax => "lax",
            SameSite::Strict => "strict",
        }
    }
}

/// How `secure` is set on cookies that lack it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SecurePolicy {
    /// `secure: true`: cookies are only sent over HTTPS, in development too.
    Always,
    /// `secure: process.env.NODE_ENV === 'production'`: plain HTTP keeps working in development.
    Production,
    /// `secure: 'auto'`: secure when the request is (express-session and cookie-session only read it from the request).
    Auto,
}

impl SecurePolicy {
    /// The JavaScript expression for the policy.
    pub fn expression(self) -> &'static str {
        match self {
            SecurePolicy::Always => "true",
            SecurePolicy::Production => "process.env.NODE_ENV === 'production'",
            SecurePolicy::Auto => "'auto'",
        }
    }
}

/// Which flags a transform wants on an object, and how to write `secure`.
pub struct Wanted<'a> {
    /// Whether `httpOnly: true` is wanted (res-cookie wants it only on credential cookies).
    pub http_only: bool,
    /// Whether the cookie is httpOnly when the options say nothing (the session middlewares' cookies are).
    pub http_only_default: bool,
    /// The expression for `secure` (the policy, or `req.secure` for res.cookie under `auto`).
    pub secure: &'a str,
    /// The `sameSite` value to add.
    pub same_site: SameSite,
    /// Write `sameSite: 'lax' as const`: in TypeScript, an object with no contextual type (an unannotated variable)
    /// widens `'lax'` to `string`, which the cookie types reject.
    pub as_const: bool,
}

/// What [`harden`] did.
#[derive(Debug, Default)]
pub struct Hardened {
    /// This transform wrote `secure` (added it, or replaced `false`, in this run or as an earlier run wrote it): the
    /// app needs `trust proxy` behind a TLS-terminating proxy. A `secure` the app already had is its own business.
    pub secure_on: bool,
    /// `httpOnly` was absent and was not wanted.
    pub http_only_missing: bool,
    /// `sameSite` was absent and is among the properties to add (express-session writes it from 1.14.1 on).
    pub same_site_added: bool,
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
    !cx.text(decl.declarator.start()..init.range().start()).contains(':')
}

/// Makes `httpOnly`, `secure` and `sameSite` explicit in a cookie options object. Returns the properties to add (the
/// caller may add more to the same object in one go). An explicit `httpOnly: false` or `secure: false` is the
/// author's decision: kept, and reported.
pub fn harden(
    cx: &FileContext<'_>,
    plan: &mut FilePlan,
    obj: &ObjectFacts,
    wanted: &Wanted<'_>,
) -> (Vec<String>, Hardened) {
    let mut add = Vec::new();
    let mut done = Hardened::default();
    match obj.get("httpOnly").map(|p| &p.value) {
        None if wanted.http_only => add.push(prop(cx, "httpOnly", "true")),
        None => done.http_only_missing = true,
        // An explicit `false` is the author's decision (client code may read the cookie): kept, and reported.
        Some(Value::Bool(false, range)) => plan.findings.push(cx.finding(
            "http-only-false",
            range.start(),
            format!(
                "httpOnly: false is kept, as written: page scripts, and any XSS, can read this cookie. If no client \
                 code reads it, {}",
                if wanted.http_only_default { "remove the line (the default is httpOnly)" } else { "make it true" }
            ),
        )),
        Some(_) => {}
    }
    match obj.get("secure").map(|p| &p.value) {
        None => {
            add.push(prop(cx, "secure", wanted.secure));
            done.secure_on = wanted.secure != "'auto'";
        }
        Some(Value::Bool(false, range)) => {
            let value = codegen::render_expr(wanted.secure, &cx.facts.style).unwrap_or_default();
            plan.findings.push(cx.finding(
                "secure-false",
                range.start(),
                format!(
                    "secure: false is kept, as written: the cookie is also sent over plain HTTP, where anyone on the \
                     network can read it. If it is there for development without HTTPS, `secure: {value}` keeps that \
                     working and protects production"
                ),
            ));
        }
        // (What this transform writes, from an earlier run: `trust proxy` is checked as on the first run, so that its
        // finding stays until the app sets it. A `secure` of the app's own is its own business.)
        Some(value) => done.secure_on = cx.text(value.range()) == wanted.secure && wanted.secure != "'auto'",
    }
    if obj.get("sameSite").is_none() {
        let suffix = if wanted.as_const { " as const" } else { "" };
        add.push(format!("sameSite: {}{suffix}", cx.quoted(wanted.same_site.as_str())));
        done.same_site_added = true;
    }
    (add, done)
}

/// Adds properties after the last one of `obj`, in its layout.
pub fn add_to(cx: &FileContext<'_>, plan: &mut FilePlan, obj: &ObjectFacts, props: &[String]) {
    plan.edits.extend(objects::add_properties(&cx.file.code, &cx.facts.comments, obj, props, &cx.facts.style));
}

/// Secure cookies are only sent when Express sees the request as HTTPS: behind a TLS-terminating proxy that needs
/// `trust proxy`. With `--behind-proxy N`, it is set right after each app is created; otherwise a finding explains
/// it. Done once per file whichever cookie transform asks first.
pub fn trust_proxy(cx: &FileContext<'_>, plan: &mut FilePlan, policy: &CookiePolicy, at: usize) {
    let facts = cx.facts;
    if policy.secure == SecurePolicy::Auto && policy.behind_proxy.is_none() {
        return;
    }
    if plan.findings.iter().any(|f| f.rule.ends_with("/trust-proxy")) {
        return;
    }
    let member_calls = facts.member_calls();
    let settings: Vec<(TrustProxy, usize, &crate::analysis::MemberCall)> =
        member_calls.iter().filter_map(|c| Some((c.trust_proxy(Some(&cx.file.code))?, c.range.start(), c))).collect();
    // (The app turns it off: a setting added after the app is created would be undone, or would undo the app's own.)
    if let Some((_, off, _)) = settings.iter().find(|(s, _, _)| *s == TrustProxy::Off) {
        plan.findings.push(cx.finding(
            "trust-proxy",
            *off,
            "this turns `trust proxy` off: behind a TLS-terminating proxy or load balancer Express then sees every \
             request as plain HTTP and never sends the secure cookie, so logins silently fail; set app.set('trust \
             proxy', 1) here instead where a proxy serves the app"
                .to_string(),
        ));
        return;
    }
    // (On, or a value the app computes: its own decision, where it surely runs when the modules load, as for
    // helmet's HTTPS rule. One set only in a branch counts when the branch is the production test and cookies are
    // secure only in production, as in express-session's README: it is on wherever the cookie is secure. Any other
    // branch, or a function called only in one, may not run where a proxy serves the app.)
    let production = policy.secure == SecurePolicy::Production;
    if settings.iter().any(|(_, _, c)| {
        proxy::surely_runs(cx.links, c) || (production && c.production_only && cx.links.runs_at_load(c.scope.as_ref()))
    }) {
        return;
    }
    if let Some(hops) = policy.behind_proxy {
        let mut placed = false;
        // (An app the code never serves from, [`crate::analysis::ExpressApp::idle`], sends no cookie: with only such
        // apps here, the finding below says where trust proxy must go.)
        for app in facts.apps.iter().filter(|app| !app.idle) {
            let AppSite::AfterStatement { stmt, receiver } = &app.site else { continue };
            let edit = imports::app_setting(cx, stmt, receiver, "trust proxy", &hops.to_string());
            if !plan.edits.iter().any(|e| e.range == edit.range && e.text == edit.text) {
                plan.edits.push(edit);
            }
            placed = true;
        }
        if placed {
            return;
        }
    }
    let branch = proxy::branch_lines(cx);
    let branch = match branch.is_empty() {
        true => String::new(),
        false => format!(
            ". The trust proxy at line {} does not count: it is set only in a branch, or in a function called only in \
             one or not at all, and where it is not set the secure cookie is not sent",
            branch.join(", ")
        ),
    };
    // (With --behind-proxy, this module makes no app that serves requests: a router's, mounted elsewhere.)
    let fix = match policy.behind_proxy {
        Some(hops) => format!(
            "set app.set('trust proxy', {hops}) on the app that serves this module's routes (this module creates \
             none that serves requests, so --behind-proxy set it nowhere)"
        ),
        None => "set app.set('trust proxy', 1) where the app is created (or run express-harden with --behind-proxy \
                 1)"
        .to_string(),
    };
    plan.findings.push(cx.finding(
        "trust-proxy",
        at,
        format!(
            "secure cookies are sent only when Express sees the request as HTTPS: behind a TLS-terminating proxy or \
             load balancer, {fix}, or the cookie is never sent and logins silently fail{branch}"
        ),
    ));
}

/// A finding when neither `maxAge` nor `expires` bounds the cookie's lifetime, ending with `advice` (where the maxAge
/// goes: `cookie.maxAge` for express-session, `maxAge` for cookie-session).
pub fn max_age(cx: &FileContext<'_>, plan: &mut FilePlan, obj: Option<&ObjectFacts>, at: usize, advice: &str) {
    if obj.is_some_and(|o| o.get("maxAge").is_some() || o.get("expires").is_some()) {
        return;
    }
    plan.findings.push(cx.finding(
        "max-age",
        at,
        format!(
            "the cookie sets no maxAge (or expires): the session lasts until the browser closes and a stolen cookie \
             never expires on its own; {advice}"
        ),
    ));
}
