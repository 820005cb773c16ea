//! `res-cookie`: adds `sameSite` and `secure` to cookies set with `res.cookie()`, and `httpOnly` to credential
//! cookies.
//!
//! ```js
//! // before
//! const express = require('express');
//!
//! const app = express();
//! app.post('/login', (req, res) => {
//!   res.cookie('remember_token', token);
//! });
//! // after
//! const express = require('express');
//!
//! const app = express();
//! app.post('/login', (req, res) => {
//!   res.cookie('remember_token', token, { httpOnly: true, secure: process.env.NODE_ENV === 'production', sameSite: 'lax' });
//! });
//! ```
//!
//! Only calls on Express responses are touched: the response parameter of handlers registered on an app or router
//! created in the file (inline, or a function of the file passed by name), and of functions a handler passes its
//! response to (`crate::links::FileLinks::responses`). `httpOnly` is added only when the cookie's
//! name contains a credential word (`transforms/res-cookie/data.json`) and no client code of the repository reads it
//! (`crate::client_cookies`: a credential the page reads is reported instead); other cookies get a finding, since
//! client code may read them. An explicit `httpOnly: false` or `secure: false` is kept and reported. Options held in a
//! variable are reported, not rewritten. Fixtures: `tests/fixtures/res-cookie/`.

use std::sync::OnceLock;

use serde::Deserialize;

use crate::edit::Edit;
use crate::settings::{SettingsGroup, SettingsInput};
use crate::transform::{FileContext, FilePlan, Transform, TransformInfo, Watch};
use crate::transforms::data;
use crate::transforms::shared::cookie_flags::{self, CookiePolicy, SecurePolicy, Wanted, COOKIES};
use crate::transforms::shared::names;
use crate::transforms::shared::session;
use crate::values::{ObjectFacts, Value};

const ID: &str = "res-cookie";

#[derive(Debug, Deserialize)]
struct ResCookieData {
    #[serde(flatten)]
    described: data::Described,
    credential_words: Vec<String>,
    readable_words: Vec<String>,
}

fn data() -> &'static ResCookieData {
    static DATA: OnceLock<ResCookieData> = OnceLock::new();
    DATA.get_or_init(|| data::parse(ID, include_str!("../../transforms/res-cookie/data.json")))
}

transform_struct!(ResCookie, "The res-cookie transform.", policy: CookiePolicy = CookiePolicy::default());

/// Whether a cookie name marks a credential: one of its words (split at `_`, `-`, `.` and camelCase) is a credential
/// word, and none marks a cookie page scripts must read (a CSRF double-submit token such as `XSRF-TOKEN`).
pub fn is_credential(name: &str) -> bool {
    let words = names::words(name);
    let d = data();
    words.iter().any(|w| d.credential_words.contains(w)) && !words.iter().any(|w| d.readable_words.contains(w))
}

impl Transform for ResCookie {
    fn info(&self) -> &TransformInfo {
        &self.info
    }

    fn watch(&self) -> &'static [Watch] {
        &[Watch::Call("cookie"), Watch::AlsoCall("set"), Watch::AlsoCall("enable"), Watch::AlsoCall("disable")]
    }

    fn settings(&self) -> Vec<&'static SettingsGroup> {
        vec![&COOKIES]
    }

    fn configure(&mut self, input: &SettingsInput<'_>) -> Result<(), String> {
        self.policy = CookiePolicy::read(input)?;
        Ok(())
    }

    fn plan(&self, cx: &FileContext<'_>, plan: &mut FilePlan) {
        let facts = cx.facts;
        let handlers = crate::transforms::shared::handlers::handlers(facts, cx.links);
        if handlers.is_empty() {
            return;
        }
        for call in facts.member_calls().iter().filter(|c| c.method == "cookie") {
            let Some(scope) =
                crate::transforms::shared::handlers::response_at(&handlers, &call.object, call.range.start())
            else {
                continue;
            };
            let name = match call.args.first() {
                Some(Value::Str(name, _)) => Some(name.as_str()),
                _ => None,
            };
            // A credential cookie that client code in the repository reads keeps working: no httpOnly, reported.
            let read_by = name.filter(|n| is_credential(n)).and_then(|n| cx.project.client_cookies.reader_of(n));
            let credential = name.is_some_and(is_credential) && read_by.is_none();
            let secure = match (self.policy.secure, &scope.req) {
                (SecurePolicy::Auto, Some(req)) => format!("{req}.secure"),
                (SecurePolicy::Auto, None) => SecurePolicy::Production.expression().to_string(),
                (policy, _) => policy.expression().to_string(),
            };
            let variable = match call.args.get(2) {
                Some(Value::Ident(var, r)) => facts.declaration(var, r.start()),
                _ => None,
            };
            let wanted = Wanted {
                same_site: self.policy.same_site,
                http_only: credential,
                http_only_default: false,
                secure: &secure,
                as_const: cookie_flags::needs_as_const(cx, variable),
            };
            // res.cookie writes `Secure` whatever the request looks like: unlike the session middlewares, it needs
            // no `trust proxy`.
            let options =
                match call.args.get(2) {
                    None => None,
                    Some(Value::Object(obj)) => Some(&**obj),
                    Some(Value::Ident(var, r)) if session::declared_object(facts, var, r.start()).is_some() => {
                        session::declared_object(facts, var, r.start())
                    }
                    Some(other) => {
                        plan.findings.push(cx.finding(
                        "opaque-options",
                        other.range().start(),
                        "the cookie options are not an object literal of this file: check httpOnly, secure and \
                         sameSite by hand"
                            .to_string(),
                    ));
                        continue;
                    }
                };
            let done = match options {
                Some(obj) => {
                    let (props, done) = cookie_flags::harden(cx, plan, obj, &wanted);
                    cookie_flags::add_to(cx, plan, obj, &props);
                    done
                }
                None => {
                    let Some(value) = call.args.get(1) else { continue };
                    let (props, done) = cookie_flags::harden(cx, plan, &ObjectFacts::empty(), &wanted);
                    plan.edits.push(Edit::insert(value.range().end(), format!(", {{ {} }}", props.join(", "))));
                    done
                }
            };
            match (read_by, name) {
                (Some((path, line)), Some(name)) if done.http_only_missing => plan.findings.push(cx.finding(
                    "client-read",
                    call.range.start(),
                    format!(
                        "`{name}` looks like a credential, but client code reads it ({}:{line}), so no httpOnly was \
                         added (page scripts, and any XSS, can read it). Once the client no longer needs it (send it \
                         in a header from memory, or let the browser send the cookie), add httpOnly: true",
                        crate::discover::display_path(path)
                    ),
                )),
                _ => report_http_only(cx, plan, done.http_only_missing, name, call.range.start()),
            }
        }
    }
}

fn report_http_only(cx: &FileContext<'_>, plan: &mut FilePlan, missing: bool, name: Option<&str>, at: usize) {
    if !missing {
        return;
    }
    let name = name.map_or_else(|| "this cookie".to_string(), |n| format!("`{n}`"));
    plan.findings.push(cx.finding(
        "http-only",
        at,
        format!(
            "{name} is not marked httpOnly: its name does not look like a credential, and client-side code may read \
             it. If no script needs it, add httpOnly: true"
        ),
    ));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credential_names_are_matched_by_word() {
        for name in
            ["remember_token", "refreshToken", "connect.sid", "session", "jwt", "AUTH", "user-session-id", "pass"]
        {
            assert!(is_credential(name), "{name}");
        }
        for name in ["sidebar", "theme", "visitor_id", "XSRF-TOKEN", "csrfToken", "authorName"] {
            assert!(!is_credential(name), "{name}");
        }
        // A password word counts as a word of its own only: not inside passport, compass or bypass.
        for name in ["user_password", "adminPwd", "last-passwd", "SAVED_PASS", "passwordHash"] {
            assert!(is_credential(name), "{name}");
        }
        for name in ["passport_return_to", "compass", "bypassCache", "passage", "surpassed", "pwdless", "userpass"] {
            assert!(!is_credential(name), "{name}");
        }
    }
}
