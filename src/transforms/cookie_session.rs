//! `cookie-session`: hardens cookie-session's cookie (its options are the cookie's: flat, no nested `cookie`).
//!
//! ```js
//! // before
//! const express = require('express');
//! const cookieSession = require('cookie-session');
//!
//! const app = express();
//! app.use(cookieSession({ keys: [process.env.KEY] }));
//! // after
//! const express = require('express');
//! const cookieSession = require('cookie-session');
//!
//! const app = express();
//! app.use(cookieSession({
//!   keys: [process.env.KEY],
//!   name: 'sid',
//!   httpOnly: true,
//!   secure: process.env.NODE_ENV === 'production',
//!   sameSite: 'lax'
//! }));
//! ```
//!
//! Same flag policy as `session-cookie`; the default name `session` becomes a neutral one; `cookieSession()` is
//! hardened as `cookieSession({})`; no `maxAge` is reported.
//! cookie-session has no `'auto'` for `secure`, but its default already is "secure when the request is": under
//! `--secure-cookies auto`, `secure` is left unset. Data:
//! `transforms/cookie-session/data.json`. Fixtures: `tests/fixtures/cookie-session/`.

use std::sync::OnceLock;

use serde::Deserialize;

use crate::edit::Edit;
use crate::settings::{SettingsGroup, SettingsInput};
use crate::transform::{FileContext, FilePlan, Transform, TransformInfo, Watch};
use crate::transforms::data;
use crate::transforms::express4;
use crate::transforms::shared::cookie_flags::{self, CookiePolicy, SecurePolicy, Wanted, COOKIES};
use crate::transforms::shared::session::{self, SessionOptions, COOKIE_SESSION};
use crate::values::{ObjectFacts, Value};

const ID: &str = "cookie-session";

#[derive(Debug, Deserialize)]
struct CookieSessionData {
    #[serde(flatten)]
    described: data::Described,
    default_names: Vec<String>,
}

fn data() -> &'static CookieSessionData {
    static DATA: OnceLock<CookieSessionData> = OnceLock::new();
    DATA.get_or_init(|| data::parse(ID, include_str!("../../transforms/cookie-session/data.json")))
}

transform_struct!(CookieSession, "The cookie-session transform.", policy: CookiePolicy = CookiePolicy::default());

impl Transform for CookieSession {
    fn info(&self) -> &TransformInfo {
        &self.info
    }

    fn watch(&self) -> &'static [Watch] {
        &[Watch::Text("cookie-session"), Watch::AlsoCall("set"), Watch::AlsoCall("enable"), Watch::AlsoCall("disable")]
    }

    fn settings(&self) -> Vec<&'static SettingsGroup> {
        vec![&COOKIES]
    }

    fn configure(&mut self, input: &SettingsInput<'_>) -> Result<(), String> {
        self.policy = CookiePolicy::read(input)?;
        Ok(())
    }

    fn plan(&self, cx: &FileContext<'_>, plan: &mut FilePlan) {
        // (An Express 2 project's code is left alone: express-version says why.)
        if express4::before_express3(cx.project) {
            return;
        }
        let mut seen = Vec::new();
        let mut renamed = false;
        // cookie-session has no `'auto'` (it would act as `true`), but left unset its cookie is already secure
        // whenever the request is: under `--secure-cookies auto`, `secure` is not written.
        let name = cookie_name(cx, &self.policy);
        let auto = self.policy.secure == SecurePolicy::Auto;
        let secure = self.policy.secure.expression();
        // `cookieSession()` is hardened as `cookieSession({})` would be: its part goes into the options object
        // written there.
        let no_options = ObjectFacts::empty();
        for use_ in session::session_uses(cx.facts, cx.links, COOKIE_SESSION) {
            let message = "the cookie-session options are built outside this file or by a function: check httpOnly, \
                           secure, sameSite, name and maxAge by hand";
            // (Options spread into the ones another module writes are checked there, with the spread.)
            if use_.is_partial() {
                continue;
            }
            let Some((obj, new_at)) = session::object_once(&use_, cx, plan, message, &no_options, &mut seen) else {
                continue;
            };
            let mut add = Vec::new();
            match obj.get("name").map(|p| &p.value) {
                None => {
                    add.push(format!("name: {}", cx.quoted(&name)));
                    renamed = true;
                }
                Some(Value::Str(old, range)) if data().default_names.iter().any(|n| old == n) => {
                    plan.edits.push(Edit::replace(*range, cx.quoted(&name)));
                    renamed = true;
                }
                Some(_) => {}
            }
            let decl = match use_.options {
                SessionOptions::Variable { decl, .. } => Some(decl),
                _ => None,
            };
            let wanted = Wanted {
                same_site: self.policy.same_site,
                http_only: true,
                http_only_default: true,
                secure,
                as_const: cookie_flags::needs_as_const(cx, decl),
            };
            let (flags, done) = cookie_flags::harden(cx, plan, obj, &wanted);
            add.extend(flags.into_iter().filter(|p| !(auto && p.starts_with("secure:"))));
            match new_at {
                Some(at) => session::add_to_new_options(plan, at, add, false),
                // (A long one-line call is written over several lines rather than made longer.)
                None => session::add_to_options(cx, plan, obj, add, false),
            }
            // With --behind-proxy the app needs `trust proxy` whether its cookie was made secure now or before.
            if done.secure_on || self.policy.behind_proxy.is_some() {
                cookie_flags::trust_proxy(cx, plan, &self.policy, use_.at());
            }
            // (Its options are the cookie's: a nested `cookie` object, as Express 3's cookieSession took, is ignored.)
            let advice = match obj.get("cookie") {
                Some(_) => {
                    "set maxAge to the longest session you want, in the options themselves: cookie-session ignores \
                     their nested cookie object"
                }
                None => "set maxAge to the longest session you want",
            };
            cookie_flags::max_age(cx, plan, Some(obj), use_.at(), advice);
        }
        if renamed {
            plan.next_steps.push(format!(
                "the cookie-session cookie is renamed to {name}: every user is logged out once when this is deployed"
            ));
        }
    }
}

/// The name cookie-session's cookie gets: the chosen session cookie name, unless express-session's cookie in the same
/// file has (or is given) that name, when both would overwrite each other: then `<name>-cs`.
fn cookie_name(cx: &FileContext<'_>, policy: &CookiePolicy) -> String {
    let wanted = &policy.session_cookie_name;
    let renames = cx.options.selected.contains(&"session-cookie");
    let taken = session::session_uses(cx.facts, cx.links, session::EXPRESS_SESSION).iter().any(|use_| {
        match use_.object().and_then(|o| o.get("name").or_else(|| o.get("key"))).map(|p| &p.value) {
            None => renames,
            Some(Value::Str(name, _)) => name == wanted || (renames && name == "connect.sid"),
            Some(_) => false,
        }
    });
    if taken {
        format!("{wanted}-cs")
    } else {
        wanted.clone()
    }
}
