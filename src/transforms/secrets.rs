//! `secrets`: moves literal cookie-signing secrets into environment variables.
//!
//! ```js
//! // before
//! const express = require('express');
//! const session = require('express-session');
//! const cookieSession = require('cookie-session');
//! const cookieParser = require('cookie-parser');
//!
//! const app = express();
//! app.use(session({ secret: 'keyboard cat' }));
//! app.use(cookieSession({ keys: ['old key', 'new key'] }));
//! app.use(cookieParser('s3cr3t'));
//! // after
//! const express = require('express');
//! const session = require('express-session');
//! const cookieSession = require('cookie-session');
//! const cookieParser = require('cookie-parser');
//!
//! function requiredSecret(name) {
//!   const value = process.env[name];
//!   if (value) return value;
//!   if (process.env.NODE_ENV === 'production') {
//!     throw new Error(`${name} must be set in production`);
//!   }
//!   return `dev-only-${name.toLowerCase()}`;
//! }
//!
//! const app = express();
//! app.use(session({ secret: requiredSecret('SESSION_SECRET') }));
//! app.use(cookieSession({ keys: requiredSecret('SESSION_KEYS').split(',') }));
//! app.use(cookieParser(requiredSecret('COOKIE_SECRET')));
//! ```
//!
//! Literal secrets (a string, an array of strings, or a constant of the file initialised with one) given to
//! express-session `secret`, cookie-session `keys`/`secret` or `cookieParser(secret)` are replaced; lists read a
//! comma-separated variable. In production a missing variable stops the app at start with a message naming it; in
//! development a fixed development-only value keeps the app working without set-up. Secrets that already come from
//! the environment, a config object or an import are left alone. A middleware given no secret at all (`session()`,
//! inline express-session options without `secret`, `cookieSession()`) gets one from the same variables, with a
//! `missing-secret` finding; not an express-session in a file that gives cookie-parser a secret, which it then signs
//! with (`req.secret`). Data: `transforms/secrets/data.json`. Fixtures: `tests/fixtures/secrets/`.

use std::ops::Range;
use std::sync::OnceLock;

use serde::Deserialize;

use crate::analysis::FileFacts;
use crate::codegen;
use crate::edit::Edit;
use crate::objects;
use crate::settings::{SettingsGroup, SettingsInput};
use crate::source::SourceKind;
use crate::transform::{FileContext, FilePlan, Transform, TransformInfo, Watch};
use crate::transforms::data;
use crate::transforms::shared::imports;
use crate::transforms::shared::session::{self, SessionOptions, SessionUse, COOKIE_SESSION, EXPRESS_SESSION};
use crate::values::{ObjectFacts, Value};

const ID: &str = "secrets";

#[derive(Debug, Deserialize)]
struct SecretsData {
    #[serde(flatten)]
    described: data::Described,
    helper: Helper,
    env: EnvNames,
}

#[derive(Debug, Deserialize)]
struct Helper {
    js: String,
    ts: String,
}

/// Environment variable names for moved secrets: defaults from data.json, flags `--session-secret-env`,
/// `--session-keys-env` and `--cookie-secret-env`, key `"env"` of the configuration file.
#[derive(Debug, Clone, Deserialize)]
pub struct EnvNames {
    /// express-session `secret`, cookie-session `secret`.
    pub session_secret: String,
    /// cookie-session `keys`.
    pub session_keys: String,
    /// `cookieParser(secret)`.
    pub cookie_secret: String,
}

fn data() -> &'static SecretsData {
    static DATA: OnceLock<SecretsData> = OnceLock::new();
    DATA.get_or_init(|| data::parse(ID, include_str!("../../transforms/secrets/data.json")))
}

transform_struct!(Secrets, "The secrets transform.", env: EnvNames = data().env.clone());

// The group's flags (no doc comment: clap would make it the command's description).
#[derive(Debug, Default, clap::Args)]
#[command(next_help_heading = "Secrets (secrets)")]
pub struct EnvFlags {
    /// Environment variable for express-session's (and cookie-session's) secret.
    #[arg(long, value_name = "NAME")]
    pub session_secret_env: Option<String>,

    /// Environment variable for cookie-session's keys (comma-separated).
    #[arg(long, value_name = "NAME")]
    pub session_keys_env: Option<String>,

    /// Environment variable for cookie-parser's secret.
    #[arg(long, value_name = "NAME")]
    pub cookie_secret_env: Option<String>,
}

/// `"env": { "sessionSecret": ..., "sessionKeys": ..., "cookieSecret": ... }` in the configuration file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct EnvConfig {
    session_secret: Option<String>,
    session_keys: Option<String>,
    cookie_secret: Option<String>,
}

/// The variable names' flags and configuration key.
pub static ENV: SettingsGroup = SettingsGroup {
    key: "env",
    augment: <EnvFlags as clap::Args>::augment_args,
    check: SettingsGroup::check_as::<EnvConfig>,
};

/// One literal to replace.
struct Replacement {
    range: Range<usize>,
    env: String,
    list: bool,
}

/// A session middleware given no signing secret at all (`session()`, `session({ resave: false })`,
/// `cookieSession()`): it gets one from the environment.
struct Missing<'a> {
    /// Where the property goes.
    target: Target<'a>,
    /// `secret` or `keys`.
    key: &'static str,
    env: String,
    list: bool,
    /// The call, for the finding.
    at: usize,
    /// What the middleware did without one.
    before: &'static str,
}

enum Target<'a> {
    /// The inline options object, which names no secret.
    Object(&'a ObjectFacts),
    /// The options object written into `session()` at this point.
    New(usize),
}

impl Transform for Secrets {
    fn info(&self) -> &TransformInfo {
        &self.info
    }

    fn watch(&self) -> &'static [Watch] {
        &[Watch::Text("express-session"), Watch::Text("cookie-session"), Watch::Text("cookie-parser")]
    }

    fn settings(&self) -> Vec<&'static SettingsGroup> {
        vec![&ENV]
    }

    fn configure(&mut self, input: &SettingsInput<'_>) -> Result<(), String> {
        let flags: EnvFlags = input.flags()?;
        let config: EnvConfig = input.config(ENV.key)?.unwrap_or_default();
        let defaults = &data().env;
        self.env = EnvNames {
            session_secret: flags
                .session_secret_env
                .or(config.session_secret)
                .unwrap_or(defaults.session_secret.clone()),
            session_keys: flags.session_keys_env.or(config.session_keys).unwrap_or(defaults.session_keys.clone()),
            cookie_secret: flags.cookie_secret_env.or(config.cookie_secret).unwrap_or(defaults.cookie_secret.clone()),
        };
        Ok(())
    }

    fn plan(&self, cx: &FileContext<'_>, plan: &mut FilePlan) {
        let facts = cx.facts;
        let env = &self.env;
        let mut found: Vec<Replacement> = Vec::new();
        let mut add = |facts: &FileFacts, value: Option<&Value>, name: &str, list_only: bool| {
            if let Some((range, list)) = literal_secret(facts, value) {
                if !found.iter().any(|r| r.range == range) {
                    found.push(Replacement { range, env: name.to_string(), list: list || list_only });
                }
            }
        };
        let mut missing: Vec<Missing<'_>> = Vec::new();
        // Without a secret of its own, express-session signs with the one cookie-parser was given (`req.secret`):
        // then it works as it is, and is left so.
        let parser_secret = facts.calls.iter().any(|s| {
            !s.is_new
                && !s.call.args.is_empty()
                && s.call
                    .callee
                    .as_ref()
                    .is_some_and(|c| c.is_module("cookie-parser") || c.is_export("express", "cookieParser"))
        });
        for use_ in session::session_uses(facts, cx.links, EXPRESS_SESSION) {
            if let Some(obj) = use_.object() {
                add(facts, prop_value(obj, "secret"), &env.session_secret, false);
            }
            if parser_secret {
                continue;
            }
            if let Some(target) = without_secret(cx, &use_, &["secret"]) {
                missing.push(Missing {
                    target,
                    key: "secret",
                    env: env.session_secret.clone(),
                    list: false,
                    at: use_.at(),
                    before: "express-session was given no secret: the app starts (with the deprecation warning \
                             `req.secret; provide secret option`), but every request the middleware handles fails \
                             with `secret option required for sessions`",
                });
            }
        }
        for use_ in session::session_uses(facts, cx.links, COOKIE_SESSION) {
            if let Some(obj) = use_.object() {
                add(facts, prop_value(obj, "keys"), &env.session_keys, true);
                add(facts, prop_value(obj, "secret"), &env.session_secret, false);
            }
            // (`signed: false` needs no keys: any `signed` is left to the app.)
            if let Some(target) = without_secret(cx, &use_, &["keys", "secret", "signed"]) {
                missing.push(Missing {
                    target,
                    key: "keys",
                    env: env.session_keys.clone(),
                    list: true,
                    at: use_.at(),
                    before: "cookie-session was given no keys: the app stops at start with `.keys required.`",
                });
            }
        }
        for site in facts.calls.iter().filter(|s| !s.is_new) {
            if site.call.callee.as_ref().is_some_and(|c| c.is_module("cookie-parser")) {
                add(facts, site.call.args.first(), &env.cookie_secret, false);
            }
        }
        if found.is_empty() && missing.is_empty() {
            return;
        }

        let source = if cx.file.kind == SourceKind::JavaScript { &data().helper.js } else { &data().helper.ts };
        let render = |name: &str| -> Option<String> {
            let items = codegen::template(source, &[("helper", name)], facts.style.quote).ok()?;
            Some(codegen::fit(&codegen::print_items(items), &facts.style, ""))
        };
        // The helper an earlier run added (under whatever name it got then), else a new one under a free name.
        let (helper, new_helper) = match existing_helper(cx, &render) {
            Some(name) => (name, None),
            None => {
                let name = facts.free_name("requiredSecret", &[]);
                let Some(printed) = render(&name) else { return };
                (name, Some(printed))
            }
        };
        let read = |env: &str, list: bool| {
            let call = format!("{helper}({})", cx.quoted(env));
            if list {
                format!("{call}.split({})", cx.quoted(","))
            } else {
                call
            }
        };
        for r in &found {
            plan.edits.push(Edit::replace(r.range.clone(), read(&r.env, r.list)));
        }
        for m in &missing {
            let prop = format!("{}: {}", m.key, read(&m.env, m.list));
            match m.target {
                // First, as a store is: the secret reads before the cookie's details.
                Target::Object(obj) => plan.edits.extend(objects::add_first_property(
                    &cx.file.code,
                    &facts.comments,
                    obj,
                    &prop,
                    &facts.style,
                )),
                Target::New(at) => session::add_to_new_options(plan, at, vec![prop], true),
            }
            let list = if m.list { "the comma-separated keys of " } else { "" };
            plan.findings.push(cx.finding(
                "missing-secret",
                m.at,
                format!(
                    "{}; it now signs its cookie with {list}{}, which must be set in production (in development a \
                     development-only value is used)",
                    m.before, m.env
                ),
            ));
        }
        if let Some(printed) = new_helper {
            plan.edits.push(imports::insert_paragraph(cx, &printed));
        }

        let mut names: Vec<(&str, bool)> = found
            .iter()
            .map(|r| (r.env.as_str(), r.list))
            .chain(missing.iter().map(|m| (m.env.as_str(), m.list)))
            .collect();
        names.sort();
        names.dedup();
        for (name, list) in names {
            plan.next_steps.push(if list {
                format!(
                    "set {name} in production to a comma-separated list of long random keys (the first signs, all \
                     verify); without it the app stops at start"
                )
            } else {
                format!(
                    "set {name} in production to a long random value (e.g. `openssl rand -hex 32`); without it the \
                     app stops at start"
                )
            });
        }
        if !found.is_empty() {
            plan.next_steps.push(
                "the secrets that were in the code are still in the git history: treat them as leaked and use new \
                 values (users are logged out once)"
                    .to_string(),
            );
        }
    }
}

/// Where a middleware that names none of `keys` in its options gets its secret: the options object written into
/// a call without arguments, or an inline object literal without spreads or computed keys (either could hold the
/// secret). Options in a variable are left alone: code elsewhere may set the secret on it.
fn without_secret<'a>(cx: &FileContext<'_>, use_: &SessionUse<'a>, keys: &[&str]) -> Option<Target<'a>> {
    if let Some(at) = use_.new_options_at(&cx.file.code) {
        return Some(Target::New(at));
    }
    match use_.options {
        SessionOptions::Inline(obj) | SessionOptions::Exported { object: obj, partial: false, .. }
            if obj.spreads.is_empty()
                && obj.props.iter().all(|p| p.key.as_deref().is_some_and(|k| !keys.contains(&k))) =>
        {
            Some(Target::Object(obj))
        }
        _ => None,
    }
}

/// The name of a top-level function of the file that is this transform's helper, as `render` prints it for that
/// name (whitespace and semicolons aside).
fn existing_helper(cx: &FileContext<'_>, render: &dyn Fn(&str) -> Option<String>) -> Option<String> {
    let squeeze = |text: &str| text.chars().filter(|c| !c.is_whitespace() && *c != ';').collect::<String>();
    cx.facts.top_level_stmts.iter().find_map(|stmt| {
        let text = cx.text(stmt.clone());
        let name = text.strip_prefix("function ")?.split('(').next()?.trim();
        if !codegen::is_identifier(name) {
            return None;
        }
        (squeeze(text) == squeeze(&render(name)?)).then(|| name.to_string())
    })
}

fn prop_value<'a>(obj: &'a ObjectFacts, key: &str) -> Option<&'a Value> {
    obj.get(key).map(|p| &p.value)
}

/// The range of a literal secret (the value itself, or the initialiser of the constant it names), and whether it
/// is a list.
fn literal_secret(facts: &FileFacts, value: Option<&Value>) -> Option<(Range<usize>, bool)> {
    match value? {
        Value::Str(_, range) => Some((range.clone(), false)),
        Value::Array(items, range) if !items.is_empty() && items.iter().all(|i| matches!(i, Value::Str(..))) => {
            Some((range.clone(), true))
        }
        Value::Ident(name, at) => {
            let decl = facts.declaration(name, at.start)?;
            if decl.kind != "const" {
                return None;
            }
            literal_secret(facts, decl.init.as_ref())
        }
        _ => None,
    }
}
