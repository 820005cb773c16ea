//! `session-cookie`: hardens express-session's cookie and options.
//!
//! ```js
//! // before
//! const express = require('express');
//! const session = require('express-session');
//!
//! const app = express();
//! app.use(session({
//!   secret: process.env.SESSION_SECRET,
//! }));
//! // after
//! const express = require('express');
//! const session = require('express-session');
//!
//! const app = express();
//! app.use(session({
//!   secret: process.env.SESSION_SECRET,
//!   name: 'sid',
//!   resave: false,
//!   saveUninitialized: false,
//!   cookie: {
//!     httpOnly: true,
//!     secure: process.env.NODE_ENV === 'production',
//!     sameSite: 'lax',
//!   },
//! }));
//! ```
//!
//! `httpOnly` is made explicit where absent; `secure` follows `--secure-cookies` where it is absent (`true`, `'auto'`
//! and computed values are left alone); `sameSite` is added where absent; the
//! default name `connect.sid` (also under the legacy `key`) becomes a neutral one; `resave` and `saveUninitialized`
//! become explicit `false`. `session()` is hardened as `session({})`: its keys go into the options object the engine
//! writes there, with the other session transforms' (`shared/session.rs`). Reported: no `maxAge`, secure cookies
//! without `trust proxy`, options not visible in the file. A renamed cookie is cleared by its new name in the same
//! file (`res.clearCookie('connect.sid')`); a module without the session setup that clears the default name is
//! reported. An explicit `httpOnly: false` or `secure: false` is the author's decision: kept, and reported. Data:
//! `transforms/session-cookie/data.json`. Fixtures: `tests/fixtures/session-cookie/`.

use std::sync::OnceLock;

use serde::Deserialize;

use crate::settings::{SettingsGroup, SettingsInput};
use crate::transform::{FileContext, FilePlan, Transform, TransformInfo, Watch};
use crate::transforms::data;
use crate::transforms::shared::cookie_flags::{self, CookiePolicy, Wanted, COOKIES};
use crate::transforms::shared::session::{self, SessionOptions, EXPRESS_SESSION};
use crate::values::{ObjectFacts, Value};

const ID: &str = "session-cookie";

#[derive(Debug, Deserialize)]
struct CookieData {
    #[serde(flatten)]
    described: data::Described,
    default_names: Vec<String>,
}

fn data() -> &'static CookieData {
    static DATA: OnceLock<CookieData> = OnceLock::new();
    DATA.get_or_init(|| data::parse(ID, include_str!("../../transforms/session-cookie/data.json")))
}

transform_struct!(SessionCookie, "The session-cookie transform.", policy: CookiePolicy = CookiePolicy::default());

impl Transform for SessionCookie {
    fn info(&self) -> &TransformInfo {
        &self.info
    }

    fn watch(&self) -> &'static [Watch] {
        &[
            Watch::Text("express-session"),
            Watch::AlsoCall("set"),
            Watch::AlsoCall("enable"),
            Watch::AlsoCall("disable"),
            Watch::Call("clearCookie"),
        ]
    }

    fn settings(&self) -> Vec<&'static SettingsGroup> {
        vec![&COOKIES]
    }

    fn configure(&mut self, input: &SettingsInput<'_>) -> Result<(), String> {
        self.policy = CookiePolicy::read(input)?;
        Ok(())
    }

    fn plan(&self, cx: &FileContext<'_>, plan: &mut FilePlan) {
        let mut seen = Vec::new();
        let mut renamed = false;
        // The default names the file's session cookies had before they were renamed.
        let mut old_names: Vec<&str> = Vec::new();
        let mut explicit = false;
        let uses = session::session_uses(cx.facts, cx.links, EXPRESS_SESSION);
        let no_session_here = uses.is_empty();
        // `session()` is hardened as `session({})` would be: its part goes into the options object written there.
        let no_options = ObjectFacts::empty();
        for use_ in uses {
            let message = "the session options are built outside this file or by a function: check their cookie \
                           flags (httpOnly, secure, sameSite), name, resave and saveUninitialized by hand";
            let Some((obj, new_at)) = session::object_once(&use_, cx, plan, message, &no_options, &mut seen) else {
                continue;
            };
            // Options spread into the ones another module writes: what they set is hardened here (a default cookie
            // name, the flags of their cookie); what they lack the caller adds.
            let partial = use_.is_partial();
            // Objects spread in from modules of the project: what they set is known, and hardened there.
            let spread = session::spread_keys(cx.links, &cx.file.code, obj);
            let set_here_or_spread = |key: &str| {
                obj.get(key).is_some() || partial || spread.as_ref().is_some_and(|keys| keys.contains(&key))
            };
            if let (Some(first), None) = (obj.spreads.first(), &spread) {
                let spread = first;
                plan.findings.push(
                    cx.finding(
                        "spread-options",
                        spread.start(),
                        "the session options spread an object this file does not show: the added keys go before the \
                     spread, so its own name, resave, saveUninitialized and cookie still win; check them"
                            .to_string(),
                    ),
                );
            }

            let mut add = Vec::new();
            let name_prop = obj.get("name").or_else(|| obj.get("key"));
            match name_prop.map(|p| &p.value) {
                None if set_here_or_spread("name") || set_here_or_spread("key") => {}
                None => {
                    add.push(format!("name: {}", cx.quoted(&self.policy.session_cookie_name)));
                    renamed = true;
                    old_names.extend(data().default_names.first().map(String::as_str));
                }
                Some(Value::Str(name, range)) if data().default_names.iter().any(|n| name == n) => {
                    plan.edits.push(crate::edit::Edit::replace(*range, cx.quoted(&self.policy.session_cookie_name)));
                    renamed = true;
                    old_names.push(name);
                }
                Some(_) => {}
            }
            for key in ["resave", "saveUninitialized"] {
                if !set_here_or_spread(key) {
                    add.push(format!("{key}: false"));
                    explicit = true;
                }
            }
            let options_decl = match use_.options {
                SessionOptions::Variable { decl, .. } => Some(decl),
                _ => None,
            };
            let untyped_options = cookie_flags::needs_as_const(cx, options_decl);
            let mut wanted = Wanted {
                same_site: self.policy.same_site,
                http_only: true,
                http_only_default: true,
                secure: self.policy.secure.expression(),
                as_const: untyped_options,
            };
            // With `proxy: true`, express-session reads X-Forwarded-Proto itself: no `trust proxy` needed.
            let proxy_option = matches!(obj.get("proxy").map(|p| &p.value), Some(Value::Bool(true, _)));
            let cookie = obj.get("cookie");
            let cookie_obj = match cookie.map(|p| &p.value) {
                None if set_here_or_spread("cookie") => None,
                None => {
                    let (props, done) = cookie_flags::harden(cx, plan, &ObjectFacts::empty(), &wanted);
                    let nested = match new_at {
                        Some(_) => crate::objects::nested_in_new_object(&props, &cx.facts.style),
                        None => crate::objects::nested_object(
                            &cx.file.code,
                            &cx.facts.comments,
                            obj,
                            &props,
                            &cx.facts.style,
                        ),
                    };
                    add.push(format!("cookie: {nested}"));
                    if (done.secure_on || self.policy.behind_proxy.is_some()) && !proxy_option {
                        cookie_flags::trust_proxy(cx, plan, &self.policy, use_.at());
                    }
                    None
                }
                Some(Value::Object(inner)) => Some(&**inner),
                Some(Value::Ident(name, r)) => match session::declared_object(cx.facts, name, r.start()) {
                    Some(inner) => {
                        wanted.as_const = cookie_flags::needs_as_const(cx, cx.facts.declaration(name, r.start()));
                        Some(inner)
                    }
                    None => {
                        report_opaque_cookie(cx, plan, r.start());
                        continue;
                    }
                },
                Some(other) => {
                    report_opaque_cookie(cx, plan, other.range().start());
                    None
                }
            };
            if let Some(inner) = cookie_obj {
                let (props, done) = cookie_flags::harden(cx, plan, inner, &wanted);
                cookie_flags::add_to(cx, plan, inner, &props);
                if (done.secure_on || self.policy.behind_proxy.is_some()) && !proxy_option {
                    cookie_flags::trust_proxy(cx, plan, &self.policy, use_.at());
                }
            }
            // A spread may bring the cookie's maxAge.
            if (cookie.is_none() && obj.spreads.is_empty() && !partial) || cookie_obj.is_some() {
                cookie_flags::max_age(
                    cx,
                    plan,
                    cookie_obj,
                    cookie.map_or(use_.at(), |p| p.range.start()),
                    "set cookie.maxAge to the longest session you want",
                );
            }
            // Added before a spread, the new keys are defaults the spread object can still override.
            match (new_at, obj.spreads.first()) {
                (Some(at), _) => session::add_to_new_options(plan, at, add, false),
                (None, Some(spread)) => plan.edits.extend(crate::objects::add_before(
                    &cx.file.code,
                    &cx.facts.comments,
                    obj,
                    spread.start(),
                    &add,
                    &cx.facts.style,
                )),
                (None, None) => session::add_to_options(cx, plan, obj, add, false),
            }
        }
        // A logout that clears the cookie by its old name (`res.clearCookie('connect.sid')`) would leave the renamed
        // one behind: it clears the new name.
        for call in cx.facts.member_calls().iter().filter(|c| c.method == "clearCookie") {
            let Some(Value::Str(name, range)) = call.args.first() else { continue };
            if old_names.contains(&name.as_str()) {
                plan.edits.push(crate::edit::Edit::replace(*range, cx.quoted(&self.policy.session_cookie_name)));
            } else if no_session_here && data().default_names.iter().any(|n| name == n) {
                // The session is set up in another module, which this run may rename: say so where it is cleared.
                plan.findings.push(cx.finding(
                    "clear-default-name",
                    call.range.start(),
                    format!(
                        "this clears express-session's default cookie `{name}`; a session cookie without a name is \
                         renamed to {} (see the summary): if this app's was, clear {} here, or logging out leaves \
                         the session cookie in the browser",
                        self.policy.session_cookie_name, self.policy.session_cookie_name
                    ),
                ));
            }
        }
        if renamed {
            plan.next_steps.push(format!(
                "the session cookie is renamed to {}: every user is logged out once when this is deployed",
                self.policy.session_cookie_name
            ));
        }
        if explicit {
            plan.next_steps.push(
                "express-session's resave and saveUninitialized are now explicitly false: sessions are saved only \
                 when they change, and no empty session is stored for visitors who never log in (check that your \
                 store implements touch, as connect-redis, connect-mongo and connect-pg-simple do)"
                    .to_string(),
            );
        }
    }
}

fn report_opaque_cookie(cx: &FileContext<'_>, plan: &mut FilePlan, at: usize) {
    plan.findings.push(cx.finding(
        "opaque-cookie",
        at,
        "the cookie options are not an object literal in this file: check httpOnly, secure, sameSite and maxAge by \
         hand"
            .to_string(),
    ));
}
