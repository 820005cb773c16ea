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
//!   const fs = require('fs');
//!   const crypto = require('crypto');
//!   const os = require('os');
//!   if (process.env.NODE_ENV === 'production') {
//!     const file = `${process.cwd()}/.env`;
//!     const lines = !(name in process.env) && fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n') : [];
//!     const given = new RegExp(`^\\s*(?:export\\s+)?${name}\\s*[=:]\\s*(?:"[^"]|'[^']|[^\\s#"'])`);
//!     if (lines.some((line) => given.test(line))) {
//!       throw new Error(`${name} must be set in production (${file} has it: load dotenv before the module that reads it)`);
//!     }
//!     throw new Error(`${name} must be set in production`);
//!   }
//!   const shared = Symbol.for('express-harden.dev-secrets');
//!   if (!global[shared]) {
//!     const project = crypto.createHmac('sha256', process.cwd()).digest('hex').slice(0, 16);
//!     const user = process.getuid ? process.getuid() : process.env.USERNAME;
//!     const folders = (place) => {
//!       if (place === 'app') return [`${process.cwd()}/.express-harden`];
//!       const base = place === 'tmp' ? `${os.tmpdir()}/express-harden-${user}` : `${os.homedir()}/.express-harden`;
//!       return [base, `${base}/${project}`];
//!     };
//!     const mine = (entry, folder) => {
//!       const stat = fs.lstatSync(entry);
//!       const kind = folder ? stat.isDirectory() : stat.isFile();
//!       if (!kind || (process.getuid && (stat.uid !== process.getuid() || (stat.mode & 0o077) !== 0))) {
//!         throw new Error(`${entry} is not private to this user`);
//!       }
//!     };
//!     const keep = (dirs) => {
//!       dirs.forEach((dir) => {
//!         try {
//!           fs.mkdirSync(dir, 0o700);
//!         } catch (error) {
//!           if (error.code !== 'EEXIST') throw error;
//!         }
//!         mine(dir, true);
//!       });
//!       const file = `${dirs[dirs.length - 1]}/.dev-secret`;
//!       if (!fs.existsSync(file)) {
//!         const created = { mode: 0o600, flag: 'wx' };
//!         try {
//!           fs.writeFileSync(`${dirs[dirs.length - 1]}/.gitignore`, '*\n', created);
//!         } catch (error) {
//!           if (error.code !== 'EEXIST') throw error;
//!         }
//!         const temp = `${file}.${process.pid}`;
//!         fs.writeFileSync(temp, crypto.randomBytes(32).toString('hex'), created);
//!         try {
//!           fs.linkSync(temp, file);
//!         } catch (error) {
//!           if (error.code !== 'EEXIST') throw error;
//!         } finally {
//!           fs.unlinkSync(temp);
//!         }
//!       }
//!       mine(file, false);
//!       return file;
//!     };
//!     let key;
//!     let where;
//!     const failed = [];
//!     const places = ['app', 'tmp', 'home'];
//!     places.some((place) => {
//!       try {
//!         const file = keep(folders(place));
//!         key = fs.readFileSync(file, 'utf8');
//!         where = `kept in ${file}`;
//!         return true;
//!       } catch (error) {
//!         failed.push(error.message);
//!         return false;
//!       }
//!     });
//!     global[shared] = {
//!       key: key || crypto.randomBytes(32).toString('hex'),
//!       where: where || `that changes when the app restarts (cannot keep it: ${failed.join('; ')})`,
//!       names: {}
//!     };
//!   }
//!   const dev = global[shared];
//!   if (!dev.names[name]) {
//!     dev.names[name] = crypto.createHmac('sha256', dev.key).update(name).digest('hex');
//!     console.warn(`${name} is not set: using a development secret ${dev.where}`);
//!   }
//!   return dev.names[name];
//! }
//!
//! const app = express();
//! app.use(session({ secret: requiredSecret('SESSION_SECRET') }));
//! app.use(cookieSession({ keys: requiredSecret('SESSION_KEYS').split(',') }));
//! app.use(cookieParser(requiredSecret('COOKIE_SECRET')));
//! ```
//!
//! Literal secrets (a string, an array of strings, `process.env.X || 'literal'` (also `process.env?.X`), a literal
//! default destructured from `process.env`, or a constant of the file initialised with one) given to express-session `secret`, cookie-session `keys`/`secret`, `cookieParser(secret)`,
//! jsonwebtoken's `sign`/`verify`, express-jwt's `secret` or passport-jwt's `secretOrKey` are replaced; lists read a
//! comma-separated variable, read where the app read it (a secret read in a route handler still is, when a request
//! comes: an entry that calls `dotenv.config()` after its imports has loaded `.env` by then). In production a missing
//! variable stops the app with a message naming it; elsewhere the helper derives a value from a random key kept in the
//! git-ignored `.express-harden/.dev-secret` (made once, atomically: cluster workers and restarts agree), shares it on
//! `global` (Node's global object on every version; never `process.env`, which dotenv would then not override) and says so once on stderr: no secret
//! anyone can read in the code signs anything. Secrets that already come from
//! the environment without a fallback, a config object or an import are left alone, but a literal another module
//! passes from a config object (`jwt.sign(payload, config.secret)`, `session({ secret: config.sessionSecret })`) moves
//! where it is written (`FileLinks::passed_values`); one read from package.json is reported. JWT secrets get their
//! variables across the project (`Transform::survey`): the same literal one variable, different literals different
//! ones. Arrays that mix the environment and literals move only their literals, in order. A middleware given no secret at all (`session()`,
//! inline express-session options without `secret`, `cookieSession()`) gets one from the same variables, with a
//! `missing-secret` finding; not an express-session in a file that gives cookie-parser a secret, which it then signs
//! with (`req.secret`). Data: `transforms/secrets/data.json`. Fixtures: `tests/fixtures/secrets/`.

use std::ops::Range;
use std::sync::OnceLock;

use serde::Deserialize;
use swc_ecma_ast::{BinaryOp, Expr, Lit, MemberExpr, MemberProp, ModuleItem, OptChainBase, Stmt};

use crate::analysis::{ImportKind, ModuleSystem};
use crate::bindings::{require_source, unwrap};
use crate::codegen;
use crate::edit::Edit;
use crate::parse::ByteRange;
use crate::settings::{SettingsGroup, SettingsInput};
use crate::source::SourceKind;
use crate::transform::{FileContext, FilePlan, Transform, TransformInfo, Watch};
use crate::transforms::data;
use crate::transforms::shared::imports;
use crate::transforms::shared::names::{self, NewNames};
use crate::transforms::shared::session::{self, SessionOptions, SessionUse, COOKIE_SESSION, EXPRESS_SESSION};
use crate::values::{CalleeRef, ObjectFacts, Value};

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
    /// What the helper of a CommonJS module requires when it runs, in place of the template's `$builtins;`.
    builtins: String,
    /// The helper as earlier versions wrote it (their development value in `process.env`, or in the code): replaced.
    #[serde(default)]
    previous: Vec<PreviousHelper>,
}

#[derive(Debug, Deserialize)]
struct PreviousHelper {
    js: String,
    ts: String,
    /// What it required in a CommonJS module, for a template with `$builtins;`.
    #[serde(default)]
    builtins: String,
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
    /// jsonwebtoken's `sign`/`verify`, express-jwt's `secret`, passport-jwt's `secretOrKey`.
    pub jwt_secret: String,
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

    /// Environment variable for JSON Web Token secrets (jsonwebtoken, express-jwt, passport-jwt).
    #[arg(long, value_name = "NAME")]
    pub jwt_secret_env: Option<String>,
}

/// `"env": { "sessionSecret": ..., "sessionKeys": ..., "cookieSecret": ..., "jwtSecret": ... }` in the configuration
/// file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct EnvConfig {
    session_secret: Option<String>,
    session_keys: Option<String>,
    cookie_secret: Option<String>,
    jwt_secret: Option<String>,
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
    /// Elements of an array that also holds other values (`keys: [process.env.OLD_KEY, 'k1', 'k2']`): the list is
    /// spread in their place (`...requiredSecret('SESSION_KEYS').split(',')`), so the order is kept.
    spread: bool,
    /// The constant the secret was read through (`jwt.sign(p, ACCESS_TOKEN_SECRET)`), if any.
    through: Option<String>,
    /// A JSON Web Token secret (their variables are chosen across the project).
    jwt: bool,
    /// Read inside a function (a JSON Web Token secret in a route handler): read there still, when the function
    /// runs, not when the app starts.
    lazy: bool,
    /// A value made anew at every start, not a literal ([`random_secret`]).
    random: bool,
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

/// What a file holds: the literal secrets to move, the secrets read from package.json (where, and the variable to
/// use), and the session middleware given no secret.
struct Collected<'a> {
    found: Vec<Replacement>,
    public: Vec<(usize, String)>,
    /// Literal secrets left in the code: where the sink reads them, and why ([`kept_literal`]).
    kept: Vec<(usize, String, String)>,
    missing: Vec<Missing<'a>>,
}

impl Secrets {
    fn collect<'a>(&self, cx: &FileContext<'a>) -> Collected<'a> {
        let facts = cx.facts;
        let env = &self.env;
        let mut found: Vec<Replacement> = Vec::new();
        let in_function = |range: &Range<usize>| {
            facts.functions.iter().any(|f| f.body.start() <= range.start && range.end <= f.body.end())
        };
        let mut public: Vec<(usize, String)> = Vec::new();
        let mut kept: Vec<(usize, String, String)> = Vec::new();
        // `jwt`: a JSON Web Token secret (never a list).
        let mut add = |value: Option<&Value>, name: &str, list_only: bool, jwt: bool| {
            let Some(value) = value else { return };
            let (secrets, random) = match literal_secret(cx, value).filter(|s| !jwt || !s.list) {
                Some(secret) => (vec![secret], false),
                None if !jwt => match random_secret(cx, value) {
                    Some(secret) => (vec![secret], true),
                    None => (mixed_array(cx, value, name), false),
                },
                None => (Vec::new(), false),
            };
            if !secrets.is_empty() {
                for secret in secrets {
                    if found.iter().any(|r| r.range == secret.range) {
                        continue;
                    }
                    let env = secret.env.unwrap_or_else(|| name.to_string());
                    let list = secret.list || (list_only && !secret.element);
                    let through = match value {
                        Value::Ident(name, _) => Some(name.to_string()),
                        _ => None,
                    };
                    let spread = secret.spread;
                    let lazy = jwt && in_function(&secret.range);
                    found.push(Replacement { range: secret.range, env, list, spread, through, jwt, lazy, random });
                }
            } else if let Some((at, why, env)) = kept_literal(cx, value) {
                kept.push((at, why, env.unwrap_or_else(|| name.to_string())));
            } else if let Some(at) = public_secret(cx, value) {
                public.push((at, name.to_string()));
            }
        };
        let mut missing: Vec<Missing<'_>> = Vec::new();
        // Without a secret of its own, express-session signs with the one cookie-parser was given (`req.secret`):
        // then it works as it is, and is left so.
        let parser_secret = facts.calls.iter().any(|s| {
            !s.is_new
                && !s.call.args.is_empty()
                && s.call.callee.as_ref().is_some_and(|c| session::is_middleware(c, "cookie-parser"))
        });
        for use_ in session::session_uses(facts, cx.links, EXPRESS_SESSION) {
            if let Some(obj) = use_.object() {
                add(prop_value(obj, "secret"), &env.session_secret, false, false);
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
                add(prop_value(obj, "keys"), &env.session_keys, true, false);
                add(prop_value(obj, "secret"), &env.session_secret, false, false);
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
            if site.call.callee.as_ref().is_some_and(|c| session::is_middleware(c, "cookie-parser")) {
                add(site.call.args.first(), &env.cookie_secret, false, false);
            }
        }
        // Values of this module another passes to a session middleware or cookie-parser (`session({ secret:
        // config.sessionSecret })` with `sessionSecret: '...'` here).
        for passed in &cx.links.passed_values {
            let (callee, key) = (&passed.callee, passed.key.as_deref());
            // (Express 3's bundled middleware too, `express.cookieParser(config.secret)`: the migration in the same
            // run rewrites that call, but what the caller passes is read from the code as it was.)
            let is = |module: &str| session::is_middleware(callee, module);
            let sink = match (key, passed.arg) {
                (Some("secret"), 0) if is(EXPRESS_SESSION) => Some((&env.session_secret, false)),
                (Some("keys"), 0) if is(COOKIE_SESSION) => Some((&env.session_keys, true)),
                (Some("secret"), 0) if is(COOKIE_SESSION) => Some((&env.session_secret, false)),
                (None, 0) if is("cookie-parser") => Some((&env.cookie_secret, false)),
                _ => None,
            };
            if let Some((name, list)) = sink.filter(|_| !passed.is_new) {
                add(Some(&assigned_value(cx, &passed.value)), name, list, false);
            }
        }
        for value in jwt_secrets(cx) {
            add(Some(&value), &env.jwt_secret, false, true);
        }
        Collected { found, public, kept, missing }
    }
}

impl Transform for Secrets {
    fn info(&self) -> &TransformInfo {
        &self.info
    }

    fn watch(&self) -> &'static [Watch] {
        &[
            Watch::Text("express-session"),
            Watch::Text("cookie-session"),
            Watch::Text("cookie-parser"),
            Watch::Text("jsonwebtoken"),
            Watch::Text("express-jwt"),
            Watch::Text("passport-jwt"),
            // (`dotenv.config()` in the entry: [`dotenv_after_imports`].)
            Watch::AlsoCall("config"),
        ]
    }

    fn settings(&self) -> Vec<&'static SettingsGroup> {
        vec![&ENV]
    }

    fn new_module_stems(&self) -> &'static [&'static str] {
        &[HELPER_MODULE]
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
            jwt_secret: flags.jwt_secret_env.or(config.jwt_secret).unwrap_or(defaults.jwt_secret.clone()),
        };
        Ok(())
    }

    fn surveys(&self, cx: &FileContext<'_>) -> crate::transform::Survey {
        // Where [`jwt_secrets`] may find one (most files give no JWT function a secret).
        let facts = cx.facts;
        let jwt_secret_name = |v: &Value| match v {
            Value::Object(obj) => obj.props.iter().any(|p| p.key.as_deref().is_some_and(is_jwt_secret_name)),
            _ => false,
        };
        let may = facts
            .calls
            .iter()
            .any(|site| site.call.callee.as_ref().is_some_and(|c| jwt_sink(c, site.is_new).is_some()))
            || cx.links.passed_values.iter().any(|p| jwt_sink(&p.callee, p.is_new).is_some())
            || facts.bindings_of("passport-jwt").next().is_some()
            || facts.exports.iter().any(|e| is_jwt_secret_name(&e.name) || jwt_secret_name(&e.value));
        // Where a helper may be needed (its module is shared when two or more files need one).
        let helper = cx.options.new_modules && may_move_session_secrets(cx);
        if may || helper {
            crate::transform::Survey::Text
        } else {
            crate::transform::Survey::Nothing
        }
    }

    fn survey(&self, cx: &FileContext<'_>) -> Vec<String> {
        let mut notes = Vec::new();
        // The JWT secrets that would read the configured variable: their names are chosen across the project. (Most
        // files give no JWT function a secret: a cheap look first.)
        let jwt = !jwt_secrets(cx).is_empty();
        let helper = cx.options.new_modules && may_move_session_secrets(cx);
        if !jwt && !helper {
            return notes;
        }
        let Collected { found, missing, .. } = self.collect(cx);
        if jwt {
            let configured = &self.env.jwt_secret;
            notes.extend(found.iter().filter(|r| r.jwt && r.env == *configured).map(|r| {
                let read = if r.lazy { LAZY } else { AT_START };
                format!("{JWT_NOTE}{read}\t{}\t{}", r.through.as_deref().unwrap_or(""), literal_text(cx, r))
            }));
        }
        // A file that will get a new helper (it has none yet), with the kind of module that could serve it.
        let moves = !found.is_empty() || !missing.is_empty();
        if cx.options.new_modules
            && moves
            && !cx.file.code.contains(HELPER_MARK)
            && existing_helper_module(cx).is_none()
        {
            notes.extend(helper_flavour(cx).map(|flavour| format!("{HELPER_NOTE}{flavour}")));
        }
        notes
    }

    fn plan(&self, cx: &FileContext<'_>, plan: &mut FilePlan) {
        let env = &self.env;
        let Collected { mut found, public, kept, missing } = self.collect(cx);
        separate_jwt_secrets(cx, &mut found, &env.jwt_secret);
        // (A JWT secret this file reads in a request, which another module reads when it loads (the same value, so
        // the same variable), stops the app at start all the same: the next steps say so once.)
        let at_start: std::collections::BTreeSet<&str> =
            surveyed_jwt_secrets(cx).filter(|(read, ..)| *read == AT_START).map(|(.., value)| value).collect();
        for r in found.iter_mut().filter(|r| r.lazy) {
            r.lazy = !at_start.contains(literal_text(cx, r).as_str());
        }
        for (at, why, name) in kept {
            plan.findings.push(cx.finding(
                "literal-kept",
                at,
                format!(
                    "this secret is a literal written in the code, left there: {why}. Whoever reads the code can \
                     forge what it signs: read it from an environment variable ({name}) set to a long random value"
                ),
            ));
        }
        for (at, name) in public {
            let what = if name == env.jwt_secret { "tokens" } else { "cookies" };
            plan.findings.push(cx.finding(
                "public-secret",
                at,
                format!(
                    "this secret is read from package.json, which anyone who has the code can read: whoever knows it \
                     can forge the {what} it signs. Read it from an environment variable ({name}) set to a long \
                     random value"
                ),
            ));
        }
        // With nothing to move, only a helper of an earlier version is work.
        if found.is_empty() && missing.is_empty() && !cx.file.code.contains("must be set in production") {
            return;
        }

        let template = if cx.file.kind == SourceKind::JavaScript { &data().helper.js } else { &data().helper.ts };
        let moves = !found.is_empty() || !missing.is_empty();
        // (Only for a file that reads a secret through the helper: the module an earlier run made is read from disk.)
        let module = match moves {
            true => existing_helper_module(cx)
                .map(|(path, spec)| (path, spec, true))
                .or_else(|| shared_helper_module(cx).map(|(path, spec)| (path, spec, false))),
            false => None,
        };
        let shared = module.and_then(|(path, spec, exists)| shared_helper(cx, template, path, &spec, exists));
        // (A require runs where it stands: a secret read above it, when the module loads, would find the helper not
        // yet there. That file keeps its own, hoisted, helper.)
        let shared = shared.map(|shared| {
            let import = imports::insert(cx, &shared.import, None);
            (shared, import)
        });
        let cjs = cx.facts.module_system == ModuleSystem::CommonJs;
        let read_above = |import: &Edit| {
            cjs && (found.iter().any(|r| r.range.start < import.range.start)
                || missing.iter().any(|m| m.at < import.range.start))
        };
        let (helper, support) = match shared {
            Some((shared, import)) if !read_above(&import) => {
                plan.new_modules.extend(shared.module);
                (shared.name, vec![import])
            }
            _ => match own_helper(cx, template, moves, plan) {
                Some(own) => own,
                None => return,
            },
        };
        let read = |env: &str, list: bool| {
            let call = format!("{helper}({})", cx.quoted(env));
            if list {
                format!("{call}.split({})", cx.quoted(","))
            } else {
                call
            }
        };
        replace_literals(plan, &found, &read);
        for m in &missing {
            let prop = format!("{}: {}", m.key, read(&m.env, m.list));
            match m.target {
                // First, as a store is: the secret reads before the cookie's details.
                Target::Object(obj) => session::add_to_options(cx, plan, obj, vec![prop], true),
                Target::New(at) => session::add_to_new_options(plan, at, vec![prop], true),
            }
            let list = if m.list { "the comma-separated keys of " } else { "" };
            plan.findings.push(cx.finding(
                "missing-secret",
                m.at,
                format!(
                    "{}; it now signs its cookie with {list}{}, which must be set in production (elsewhere a \
                     development value kept in .express-harden/ is used)",
                    m.before, m.env
                ),
            ));
        }
        plan.edits.extend(support);

        // (A secret made anew at every start was never a leak: it is said what it did instead.)
        let mut leaked = false;
        for r in &found {
            if !r.random {
                leaked = true;
                continue;
            }
            let written = cx.text(r.range.clone());
            plan.findings.push(cx.finding(
                RANDOM_SECRET,
                r.range.start,
                format!(
                    "the secret `{written}` was made anew, at random, every time the app started: each restart \
                     logged every user out, and instances never shared a session, whatever store kept it; it is now \
                     read from {}, which must be set in production (elsewhere a development value kept in \
                     .express-harden/ is used)",
                    r.env
                ),
            ));
        }
        let dotenv_late = dotenv_after_imports(cx).then(|| crate::discover::display_path(&cx.file.path));
        next_steps(plan, &found, &missing, dotenv_late.as_deref(), leaked);
    }
}

/// The file's own helper: the one an earlier run added (under whatever name it got then), else a new one under a
/// free name (when `moves`: something is to read it). A helper of an earlier version (whose development value was
/// written in the code, or in `process.env`) is brought up to date (an edit in `plan`). Its name, and the edits that
/// add it and what it imports; `None` when there is nothing to do.
fn own_helper(cx: &FileContext<'_>, template: &str, moves: bool, plan: &mut FilePlan) -> Option<(String, Vec<Edit>)> {
    let facts = cx.facts;
    let mut names = NewNames::new(facts);
    let Builtins { vars, builtins, imports } = builtins(cx, &mut names);
    let source = with_builtins(template, &builtins);
    let render = |template: &str, name: &str| -> Option<String> {
        let vars: Vec<(&str, &str)> =
            std::iter::once(("helper", name)).chain(vars.iter().map(|(k, v)| (*k, v.as_str()))).collect();
        codegen::render(template, &[], &vars, &facts.style, false).ok()?.pop()
    };
    let cjs = facts.module_system == ModuleSystem::CommonJs;
    let (helper, new_helper) = match existing_helper(cx, &source, cjs, &render) {
        Some((_, None)) if !moves => return None,
        Some((name, None)) => (name, None),
        Some((name, Some(outdated))) => {
            let printed = render(&source, &name)?;
            plan.edits.push(Edit::replace(outdated, printed));
            (name, None)
        }
        None if !moves => return None,
        None => {
            let name = names.pick("requiredSecret", &[]);
            let printed = render(&source, &name)?;
            (name, Some(printed))
        }
    };
    let mut support = Vec::new();
    if let Some(import) = imports {
        support.push(imports::insert(cx, &import, None));
    }
    if let Some(helper) = new_helper {
        support.push(imports::insert_paragraph(cx, &helper));
    }
    Some((helper, support))
}

/// A helper in a module of its own, which this file imports ([`shared_helper_module`]).
struct SharedHelper {
    /// What this file calls it (`requiredSecret`, or another name where that one is taken).
    name: String,
    /// The import or require of it, in the file's style.
    import: String,
    /// The module, printed in the file's style; `None` when it is there already (an earlier run made it).
    module: Option<crate::transform::NewModule>,
}

/// The module at `path` that holds the helper, printed from `template` in this file's style (unless it `exists`),
/// and this file's import of it by `specifier`.
fn shared_helper(
    cx: &FileContext<'_>,
    template: &str,
    path: std::path::PathBuf,
    specifier: &str,
    exists: bool,
) -> Option<SharedHelper> {
    let style = &cx.facts.style;
    let eol = style.eol;
    let render = |code: &str, vars: &[(&str, &str)]| codegen::render(code, &[], vars, style, false).ok()?.pop();
    let name = NewNames::new(cx.facts).pick("requiredSecret", &[]);
    let bound = if name == "requiredSecret" { name.clone() } else { format!("requiredSecret as {name}") };
    let cjs = cx.facts.module_system == ModuleSystem::CommonJs;
    // (In the style of the imports it joins: `imports::insert` puts it after the last one.)
    let import_style = imports::style(cx, None);
    let import = if cjs {
        let binding = bound.replace(" as ", ": ");
        let code = format!("const {{ {binding} }} = require({});", cx.quoted(specifier));
        codegen::render(&code, &[], &[], &import_style, false).ok()?.pop()?
    } else {
        let code = format!("import {{ {bound} }} from {};", cx.quoted(specifier));
        codegen::render(&code, &[], &[], &import_style, false).ok()?.pop()?
    };
    if exists {
        return Some(SharedHelper { name, import, module: None });
    }
    let text = if cjs {
        // (A CommonJS helper requires what it calls when it runs, whatever the file binds: the inline helper's values.)
        let Builtins { vars, builtins, .. } = builtins(cx, &mut NewNames::new(cx.facts));
        let vars: Vec<(&str, &str)> =
            std::iter::once(("helper", "requiredSecret")).chain(vars.iter().map(|(k, v)| (*k, v.as_str()))).collect();
        let helper = render(&with_builtins(template, &builtins), &vars)?;
        let export = render("module.exports = { requiredSecret };", &[])?;
        format!("{helper}{eol}{eol}{export}{eol}")
    } else {
        let vars = [
            ("helper", "requiredSecret"),
            ("fs", "fs"),
            ("os", "os"),
            ("randomBytes", "randomBytes"),
            ("createHmac", "createHmac"),
            ("random", "randomBytes"),
        ];
        let imports = render(
            "import * as fs from 'fs';\nimport * as os from 'os';\nimport { createHmac, randomBytes } from 'crypto';",
            &[],
        )?;
        let helper = render(&with_builtins(template, ""), &vars)?;
        format!("{imports}{eol}{eol}export {helper}{eol}")
    };
    Some(SharedHelper { name, import, module: Some(crate::transform::NewModule { path, text, transform: ID }) })
}

/// What the operator must do: set each variable (in production; NODE_ENV must say so there), and, when literals
/// were moved, treat them as leaked.
fn next_steps(
    plan: &mut FilePlan,
    found: &[Replacement],
    missing: &[Missing<'_>],
    dotenv_late: Option<&str>,
    leaked: bool,
) {
    // (variable, list, read only inside functions)
    let mut vars: Vec<(&str, bool, bool)> = Vec::new();
    let all = found.iter().map(|r| (r.env.as_str(), r.list, r.lazy));
    for (name, list, lazy) in all.chain(missing.iter().map(|m| (m.env.as_str(), m.list, false))) {
        match vars.iter_mut().find(|(n, ..)| *n == name) {
            Some(var) => var.2 &= lazy,
            None => vars.push((name, list, lazy)),
        }
    }
    vars.sort();
    for (name, list, lazy) in vars {
        let value = if list {
            "a comma-separated list of long random keys without commas (the first signs, all verify)"
        } else {
            "a long random value (e.g. `openssl rand -hex 32`)"
        };
        let without = match (lazy, dotenv_late) {
            (true, _) => "the code that reads it when a request comes fails there".to_string(),
            (false, None) => "the app stops at start".to_string(),
            // (The module reads it when it loads: in an ES module entry, every import runs before the entry's own
            // `dotenv.config()`, so a value in .env is not there yet.)
            (false, Some(file)) => format!(
                "the app stops at start, also when only .env sets it: {file} reads it when it loads, and an ES module \
                 entry's imports all run before its dotenv.config() call, so make `import 'dotenv/config'` the \
                 entry's first import"
            ),
        };
        plan.next_steps.push(format!(
            "set {name} in production to {value}; without it {without}, and NODE_ENV must be production there \
             (elsewhere the app uses a development value derived from a key it keeps in .express-harden/.dev-secret, \
             which git ignores, or, where it cannot write that, in a private folder under the system's temporary \
             folder or the home folder; it prints the place when it starts)"
        ));
    }
    if leaked {
        plan.next_steps.push(
            "the secrets that were in the code are still in the git history: treat them as leaked and use new \
             values (users are logged out once)"
                .to_string(),
        );
    }
}

/// Replaces each literal secret by its read of the environment (`read(variable, list)`), where it was read: a secret
/// read inside a function (`jwt.sign(payload, process.env.JWT_SECRET || 'dev')` in a route handler) is still read
/// when the function runs, after an entry module that imports it has called `dotenv.config()`; one read at the top
/// level still is when the module loads.
fn replace_literals(plan: &mut FilePlan, found: &[Replacement], read: &dyn Fn(&str, bool) -> String) {
    for r in found {
        let read = read(&r.env, r.list);
        let text = if r.spread { format!("...{read}") } else { read };
        plan.edits.push(Edit::replace(r.range.clone(), text));
    }
}

/// Different JWT secrets stay different: an access token must not verify as a refresh or password-reset token once
/// both secrets come from the environment. The names are chosen across the project, from what every module holds
/// (the secrets transform's survey, in path order), so that they do not depend on which file is planned first: the
/// same value (signed in one module, verified in another) keeps one variable; with several values, each read through
/// a constant of its own name keeps that name (`ACCESS_TOKEN_SECRET`, `refreshTokenSecret` ->
/// `REFRESH_TOKEN_SECRET`), the first other one gets the configured name (`JWT_SECRET`) and the next ones a number
/// (`JWT_SECRET_2`).
fn separate_jwt_secrets(cx: &FileContext<'_>, found: &mut [Replacement], configured: &str) {
    // (constant read through, value) of the project's modules, then of this file (when it was not surveyed).
    let surveyed = surveyed_jwt_secrets(cx).map(|(_, through, value)| (through, value));
    let own: Vec<(String, String)> = found
        .iter()
        .filter(|r| r.jwt && r.env == configured)
        .map(|r| (r.through.clone().unwrap_or_default(), literal_text(cx, r)))
        .collect();
    let mut groups: Vec<(&str, Vec<&str>)> = Vec::new();
    for (through, value) in surveyed.chain(own.iter().map(|(t, v)| (t.as_str(), v.as_str()))) {
        match groups.iter_mut().find(|(v, _)| *v == value) {
            Some((_, throughs)) => throughs.push(through),
            None => groups.push((value, vec![through])),
        }
    }
    if groups.len() < 2 {
        return;
    }
    let generic = ["jwt", "secret", "key", "token", "signing", "private"];
    let mut taken: Vec<String> = Vec::new();
    let mut unnamed = 0;
    let mut named: Vec<(&str, String)> = Vec::new();
    for (value, throughs) in &groups {
        let own = throughs.iter().filter(|t| !t.is_empty()).find_map(|name| {
            let words = names::words(name);
            let specific = words.iter().any(|w| !generic.contains(&w.as_str()));
            let env = words.join("_").to_ascii_uppercase();
            (specific && codegen::is_identifier(&env) && !taken.contains(&env)).then_some(env)
        });
        let env = own.unwrap_or_else(|| {
            unnamed += 1;
            let mut n = unnamed;
            loop {
                let env = if n == 1 { configured.to_string() } else { format!("{configured}_{n}") };
                if !taken.contains(&env) {
                    break env;
                }
                n += 1;
            }
        });
        taken.push(env.clone());
        named.push((value, env));
    }
    for r in found.iter_mut().filter(|r| r.jwt && r.env == configured) {
        let value = literal_text(cx, r);
        if let Some((_, env)) = named.iter().find(|(v, _)| *v == value) {
            r.env = env.clone();
        }
    }
}

/// Whether this file is an ES module of a project that loads `.env` with a `dotenv.config()` call elsewhere: the entry
/// that calls it imports its modules first (imports are hoisted), so a secret this file reads when it loads is read
/// before `.env` is.
fn dotenv_after_imports(cx: &FileContext<'_>) -> bool {
    let config = ("dotenv".to_string(), "config".to_string());
    let calls_here =
        cx.facts.calls.iter().any(|site| {
            site.call.callee.as_ref().and_then(|c| c.binding.as_ref()).is_some_and(|b| b.module == "dotenv")
        });
    cx.facts.module_system == ModuleSystem::Esm && cx.project.package_calls.contains(&config) && !calls_here
}

/// How the survey notes a JWT secret read when its module loads, and one read only when a function runs.
const AT_START: &str = "start";
const LAZY: &str = "lazy";

/// The JWT secrets of the project's modules that read the configured variable (the survey): whether each is read when
/// its module loads ([`AT_START`]) or in a function ([`LAZY`]), the constant it is read through, its value.
fn surveyed_jwt_secrets<'a>(cx: &FileContext<'a>) -> impl Iterator<Item = (&'a str, &'a str, &'a str)> {
    // (By their prefix: every file planned reads them, and the project's other notes may be many.)
    cx.project.survey(ID).notes(JWT_NOTE).filter_map(|(_, note)| {
        let mut fields = note.splitn(3, '\t');
        Some((fields.next()?, fields.next()?, fields.next()?))
    })
}

/// The survey's note of a JWT secret ([`surveyed_jwt_secrets`]): this, then how it is read, the constant it is read
/// through and its value, separated by tabs.
const JWT_NOTE: &str = "jwt:";

/// The survey's note of a file that gets a new helper: this, then the kind of module that would serve it
/// ([`helper_flavour`]).
const HELPER_NOTE: &str = "helper:";
/// The name of the module that holds the helper when several files of a project need it, before its extension.
const HELPER_MODULE: &str = "required-secret";
/// What every version of the helper says (in its error for a variable not set in production).
const HELPER_MARK: &str = "must be set in production";

/// Whether a session middleware or cookie-parser of this file may be given a secret, or another module passes one of
/// its values to them: the files whose secrets may move (JWT secrets aside), for the survey.
fn may_move_session_secrets(cx: &FileContext<'_>) -> bool {
    let facts = cx.facts;
    !session::session_uses(facts, cx.links, EXPRESS_SESSION).is_empty()
        || !session::session_uses(facts, cx.links, COOKIE_SESSION).is_empty()
        || facts
            .calls
            .iter()
            .any(|s| !s.is_new && s.call.callee.as_ref().is_some_and(|c| session::is_middleware(c, "cookie-parser")))
        || cx.links.passed_values.iter().any(|p| {
            [EXPRESS_SESSION, COOKIE_SESSION, "cookie-parser"].iter().any(|m| session::is_middleware(&p.callee, m))
        })
}

/// The kind of module that can serve this file's helper: the extension it would have (`.ts` for `.ts` and `.tsx`
/// files, `.js` for `.js` and `.jsx`, else the file's own) and the module system (`cjs` or `esm`), as `"ts esm"`.
/// `None` for a file of another extension.
fn helper_flavour(cx: &FileContext<'_>) -> Option<String> {
    let extension = match cx.file.path.extension()?.to_str()? {
        "ts" | "tsx" => "ts",
        "js" | "jsx" => "js",
        other @ ("mts" | "cts" | "mjs" | "cjs") => other,
        _ => return None,
    };
    let system = if cx.facts.module_system == ModuleSystem::CommonJs { "cjs" } else { "esm" };
    Some(format!("{extension} {system}"))
}

/// The shared module that serves this file's helper, when two or more files of the project of its kind need one
/// ([`Options::new_modules`](crate::transform::Options::new_modules)): its path (`required-secret` and the extension,
/// in the deepest folder that holds them all) and the specifier this file imports it by. `None` where the file keeps
/// its own helper: it is the only one of its kind, or a file is at the module's path already.
fn shared_helper_module(cx: &FileContext<'_>) -> Option<(std::path::PathBuf, String)> {
    if !cx.options.new_modules {
        return None;
    }
    let flavour = helper_flavour(cx)?;
    let notes = cx.project.survey(ID);
    let (files, folder) = notes.spread(HELPER_NOTE, &flavour)?;
    if files < 2 || !notes.noted_by(&cx.file.path, HELPER_NOTE, &flavour) {
        return None;
    }
    let extension = flavour.split(' ').next()?;
    let path = folder.join(format!("{HELPER_MODULE}.{extension}"));
    if cx.project.module_paths_taken.contains(&path) {
        return None;
    }
    let specifier = helper_specifier(cx, folder, extension)?;
    Some((path, specifier))
}

/// The helper module an earlier run made that serves this file: a project file named `required-secret` with the
/// extension of [`helper_flavour`], in this file's folder or one above it (the nearest), that exports the helper in
/// this file's module system and says what every version of it says ([`HELPER_MARK`]). Its path and the specifier
/// this file imports it by. (A file that gets a helper after the run that made the module, a third one, or the only
/// one, imports it rather than getting its own copy.)
fn existing_helper_module(cx: &FileContext<'_>) -> Option<(std::path::PathBuf, String)> {
    let flavour = helper_flavour(cx)?;
    let (extension, system) = flavour.split_once(' ')?;
    let name = format!("{HELPER_MODULE}.{extension}");
    let own = cx.file.path.parent()?;
    let path = cx
        .project
        .module_paths_taken
        .iter()
        .filter(|p| p.file_name().and_then(|n| n.to_str()) == Some(name.as_str()))
        .filter(|p| p.parent().is_some_and(|folder| own.starts_with(folder)))
        .max_by_key(|p| p.components().count())?;
    let text = crate::fsread::read_text(path, crate::fsread::TEXT_LIMIT, cx.options.root.as_deref()).ok()?;
    let exports = if system == "cjs" {
        text.contains("module.exports = { requiredSecret }")
    } else {
        text.contains("export function requiredSecret(")
    };
    if !exports || !text.contains(HELPER_MARK) {
        return None;
    }
    let specifier = helper_specifier(cx, path.parent()?, extension)?;
    Some((path.clone(), specifier))
}

/// The specifier this file imports the helper module in `folder` by, the module's extension being `extension`.
fn helper_specifier(cx: &FileContext<'_>, folder: &std::path::Path, extension: &str) -> Option<String> {
    // The specifier: relative to this file's folder, with the extension where Node's ES modules need it (and where a
    // TypeScript file already writes its relative imports so).
    let own = cx.file.path.parent()?;
    let mut up = own.to_path_buf();
    let mut climbs = 0;
    while !folder.starts_with(&up) {
        up = up.parent()?.to_path_buf();
        climbs += 1;
    }
    let down = folder.strip_prefix(&up).ok()?;
    let mut parts: Vec<String> = if climbs == 0 { vec![".".to_string()] } else { vec!["..".to_string(); climbs] };
    parts.extend(down.components().map(|c| c.as_os_str().to_string_lossy().into_owned()));
    let esm = cx.facts.module_system != ModuleSystem::CommonJs;
    let typescript = matches!(extension, "ts" | "mts" | "cts");
    let with_extension = if typescript {
        // As the file writes its relative imports; a file with none, as Node will read the compiled code (an ES
        // module package needs the extension, and TypeScript reads `.js` as the `.ts` file).
        let relative: Vec<&str> =
            cx.facts.bindings.iter().map(|b| b.module.as_str()).filter(|m| m.starts_with('.')).collect();
        let js = |spec: &&str| [".js", ".mjs", ".cjs"].iter().any(|e| spec.ends_with(e));
        let module_package = cx.project.manifest.as_ref().and_then(|m| m.module_type()).as_deref() == Some("module");
        esm && (relative.iter().any(js) || (relative.is_empty() && module_package) || extension == "mts")
    } else {
        esm
    };
    let file = match (with_extension, extension) {
        (false, _) => HELPER_MODULE.to_string(),
        (true, "ts") => format!("{HELPER_MODULE}.js"),
        (true, "mts") => format!("{HELPER_MODULE}.mjs"),
        (true, "cts") => format!("{HELPER_MODULE}.cjs"),
        (true, other) => format!("{HELPER_MODULE}.{other}"),
    };
    parts.push(file);
    Some(parts.join("/"))
}

/// The value of a literal secret as written, without its quotes (what tells two secrets apart).
fn literal_text(cx: &FileContext<'_>, r: &Replacement) -> String {
    cx.text(r.range.clone()).trim_matches(['\'', '"', '`']).to_string()
}

/// The values this file gives as JSON Web Token secrets: the second argument of jsonwebtoken's `sign` and `verify`,
/// express-jwt's `secret` (`expressjwt` since 7, the module itself before), passport-jwt's `secretOrKey` (in `new
/// Strategy(options, verify)`, or assigned: `opts.secretOrKey = ...`, as its README does), and what a configuration
/// module exports under a JWT secret's name (`module.exports = { secretOrKey: '...' }`, `exports.jwtSecret = ...`)
/// for the modules that sign and verify.
fn jwt_secrets(cx: &FileContext<'_>) -> Vec<Value> {
    let facts = cx.facts;
    let mut out = Vec::new();
    for site in &facts.calls {
        let Some(callee) = &site.call.callee else { continue };
        let args = &site.call.args;
        let options = match jwt_sink(callee, site.is_new) {
            None => continue,
            Some(JwtSink::Argument(n)) => {
                out.extend(args.get(n).cloned());
                continue;
            }
            Some(JwtSink::Option(key)) => match args.first() {
                Some(Value::Object(obj)) => Some(&**obj),
                Some(Value::Ident(name, r)) => session::declared_object(facts, name, r.start()),
                _ => None,
            }
            .and_then(|o| prop_value(o, key)),
        };
        out.extend(options.cloned());
    }
    // Values of this module another passes as a secret (`module.exports = { secret: '...' }` read as
    // `jwt.sign(payload, config.secret)` there).
    for passed in &cx.links.passed_values {
        let sink = match (jwt_sink(&passed.callee, passed.is_new), &passed.key) {
            (Some(JwtSink::Argument(n)), None) => n == passed.arg,
            (Some(JwtSink::Option(key)), Some(k)) => passed.arg == 0 && key == k,
            _ => false,
        };
        if sink {
            out.push(assigned_value(cx, &passed.value));
        }
    }
    if facts.bindings_of("passport-jwt").next().is_some() {
        let reads = facts.property_reads();
        out.extend(reads.iter().filter(|r| r.property == "secretOrKey=").map(|read| assigned_value(cx, &read.range)));
    }
    // (A name is all these have to go by: one that holds a header's name is no secret.)
    let secret = |value: &Value| !names_a_header(cx, value);
    for export in &facts.exports {
        if is_jwt_secret_name(&export.name) && secret(&export.value) {
            out.push(export.value.clone());
        }
        if let Value::Object(obj) = &export.value {
            let props = obj.props.iter().filter(|p| p.key.as_deref().is_some_and(is_jwt_secret_name));
            out.extend(props.map(|p| p.value.clone()).filter(secret));
        }
    }
    out
}

/// Whether a literal value names an HTTP header rather than signs anything: the project names a header with it
/// (`req.headers[JWT_HTTP_HEADER_KEY]`, `req.get(config.tokenHeader)`, `res.set(name, value)`:
/// [`FileLinks::header_names`](crate::links::FileLinks::header_names)), or it is the name of a header that carries
/// a token (`'Authorization'`) or a custom header's (`process.env.TOKEN_KEY || 'x-access-token'`).
fn names_a_header(cx: &FileContext<'_>, value: &Value) -> bool {
    let Some(literal) = literal_secret(cx, value) else { return false };
    let text = match literal.env {
        Some(_) => env_fallback(cx.text(literal.range.clone())).map(|(_, fallback)| fallback),
        None => Some(cx.text(literal.range.clone()).trim_matches(['\'', '"', '`']).to_string()),
    };
    let header = |name: &str| {
        let name = name.to_ascii_lowercase();
        let custom = name
            .strip_prefix("x-")
            .is_some_and(|rest| !rest.is_empty() && rest.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'));
        custom || name == "authorization"
    };
    cx.links.header_names.iter().any(|r| r.range() == literal.range) || text.is_some_and(|t| header(&t))
}

/// Where a JSON Web Token function takes its secret.
enum JwtSink {
    /// This argument (jsonwebtoken's `sign` and `verify`: the second).
    Argument(usize),
    /// This property of the options object, the first argument (express-jwt's `secret`, passport-jwt's
    /// `secretOrKey`).
    Option(&'static str),
}

/// Whether a call (`new` when `is_new`) of `callee` takes a JSON Web Token secret, and where.
fn jwt_sink(callee: &CalleeRef, is_new: bool) -> Option<JwtSink> {
    if !is_new && JWT_CALLS.iter().any(|(module, name)| callee.is_export(module, name)) {
        Some(JwtSink::Argument(1))
    } else if !is_new && (callee.is_module("express-jwt") || callee.is_export("express-jwt", "expressjwt")) {
        Some(JwtSink::Option("secret"))
    } else if is_new && callee.is_export("passport-jwt", "Strategy") {
        Some(JwtSink::Option("secretOrKey"))
    } else {
        None
    }
}

/// jsonwebtoken's functions that take a secret as their second argument.
const JWT_CALLS: [(&str, &str); 2] = [("jsonwebtoken", "sign"), ("jsonwebtoken", "verify")];

/// What the helper calls of Node's modules, as the template's values: `fs` (the module), crypto's `randomBytes` and
/// `createHmac`, and `random`, what an earlier version's helper called for random bytes (to recognise it). In
/// CommonJS the helper requires them itself when it runs (`builtins`, the data's `require` lines replace the
/// template's `$builtins;`): code above the imports may call the hoisted helper, and must not meet a `const` not yet
/// initialised. In an ES module (imports are hoisted) the file's own top-level imports are used (`import fs from
/// 'fs'`, `import * as crypto from 'crypto'`, `import { randomBytes } from 'crypto'`), else new ones under free
/// names (`imports`, their statements printed in the file's style).
struct Builtins {
    vars: Vec<(&'static str, String)>,
    builtins: String,
    imports: Option<String>,
}

fn builtins(cx: &FileContext<'_>, names: &mut NewNames<'_>) -> Builtins {
    let facts = cx.facts;
    if facts.module_system == ModuleSystem::CommonJs {
        let vars = vec![
            ("fs", "fs".to_string()),
            ("os", "os".to_string()),
            ("randomBytes", "crypto.randomBytes".to_string()),
            ("createHmac", "crypto.createHmac".to_string()),
            ("random", format!("require({}).randomBytes", cx.quoted("crypto"))),
        ];
        return Builtins { vars, builtins: data().helper.builtins.clone(), imports: None };
    }
    let own = |modules: [&str; 2]| {
        let bindings = modules.into_iter().flat_map(|m| facts.bindings_of(m)).filter(|b| b.top_level);
        bindings.map(|b| (b.local.to_string(), b.kind.clone())).collect::<Vec<_>>()
    };
    let module_of = |own: &[(String, ImportKind)]| {
        own.iter().find(|(_, kind)| *kind == ImportKind::Module).map(|(local, _)| local.clone())
    };
    let (own_fs, own_crypto) = (own(["fs", "node:fs"]), own(["crypto", "node:crypto"]));
    let mut statements = Vec::new();
    let mut vars = Vec::new();
    for (module, own) in [("fs", own_fs.as_slice()), ("os", &own(["os", "node:os"]))] {
        let local = module_of(own).unwrap_or_else(|| {
            let name = names.pick(module, &[]);
            statements.push(format!("import * as {name} from '{module}';"));
            name
        });
        vars.push((module, local));
    }
    let crypto = module_of(&own_crypto);
    let mut specifiers = Vec::new();
    for export in ["createHmac", "randomBytes"] {
        let named = own_crypto.iter().find(|(_, kind)| matches!(kind, ImportKind::Named(n) if n == export));
        let value = match (named, &crypto) {
            (Some((local, _)), _) => local.clone(),
            (None, Some(module)) => format!("{module}.{export}"),
            (None, None) => {
                let name = names.pick(export, &[]);
                specifiers.push(if name == export { name.clone() } else { format!("{export} as {name}") });
                name
            }
        };
        vars.push((export, value));
    }
    if !specifiers.is_empty() {
        statements.push(format!("import {{ {} }} from 'crypto';", specifiers.join(", ")));
    }
    let random = vars.iter().find(|(var, _)| *var == "randomBytes").map(|(_, v)| v.clone()).unwrap_or_default();
    vars.push(("random", random));
    let imports = (!statements.is_empty()).then(|| {
        let spec = statements.join("\n");
        codegen::render(&spec, &[], &[], &facts.style, false).ok().and_then(|mut r| r.pop()).unwrap_or(spec)
    });
    Builtins { vars, builtins: String::new(), imports }
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
/// name (whitespace and semicolons aside), and, when it is a helper of an earlier version, its range (to replace).
fn existing_helper(
    cx: &FileContext<'_>,
    current: &str,
    cjs: bool,
    render: &dyn Fn(&str, &str) -> Option<String>,
) -> Option<(String, Option<Range<usize>>)> {
    let squeeze = |text: &str| text.chars().filter(|c| !c.is_whitespace() && *c != ';').collect::<String>();
    let helper = &data().helper;
    let is_ts = cx.file.kind != SourceKind::JavaScript;
    cx.facts.top_level_stmts.iter().find_map(|stmt| {
        let text = cx.text(*stmt);
        let name = text.strip_prefix("function ")?.split('(').next()?.trim();
        // (Every version of the helper says this; rendering it for each other function of the file is what costs.)
        if !codegen::is_identifier(name) || !text.contains("must be set in production") {
            return None;
        }
        let is = |template: &str| render(template, name).is_some_and(|r| squeeze(&r) == squeeze(text));
        if is(current) {
            return Some((name.to_string(), None));
        }
        // (Earlier versions wrote the helper into ES5 files with its octal literals, `0o700`, which ES5 lacks: the
        // current helper or an earlier one, either way.)
        let text = octal_literals(&squeeze(text));
        let was = |template: &str| render(template, name).is_some_and(|r| octal_literals(&squeeze(&r)) == text);
        let outdated = was(current)
            || helper.previous.iter().any(|p| {
                let builtins = if cjs { p.builtins.as_str() } else { "" };
                was(&with_builtins(if is_ts { &p.ts } else { &p.js }, builtins))
            });
        outdated.then(|| (name.to_string(), Some(stmt.range())))
    })
}

/// `code` (without whitespace) with each `parseInt('700',8)` the ES5 lowering writes (`codegen`) read back as the
/// octal literal `0o700` it stands for.
fn octal_literals(code: &str) -> String {
    let mut out = String::with_capacity(code.len());
    let mut rest = code;
    while let Some(at) = rest.find("parseInt(") {
        out.push_str(&rest[..at]);
        let after = &rest[at + "parseInt(".len()..];
        let quote = after.chars().next().filter(|q| *q == '\'' || *q == '"');
        let literal = quote.and_then(|q| {
            let digits = after[1..].split(q).next()?;
            let tail = after[1 + digits.len()..].strip_prefix(q)?.strip_prefix(",8)")?;
            (!digits.is_empty() && digits.bytes().all(|b| (b'0'..=b'7').contains(&b))).then_some((digits, tail))
        });
        match literal {
            Some((digits, tail)) => {
                out.push_str("0o");
                out.push_str(digits);
                rest = tail;
            }
            None => {
                out.push_str("parseInt(");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The helper's template with what it requires when it runs (CommonJS) in place of its `$builtins;` line.
fn with_builtins(template: &str, builtins: &str) -> String {
    let lines: String = builtins.lines().map(|line| format!("  {line}\n")).collect();
    template.replacen("  $builtins;\n", &lines, 1)
}

fn prop_value<'a>(obj: &'a ObjectFacts, key: &str) -> Option<&'a Value> {
    obj.get(key).map(|p| &p.value)
}

/// A literal secret found: the range to replace, whether it is a list, and the variable it already names
/// (`process.env.X || 'literal'`).
struct Literal {
    range: Range<usize>,
    list: bool,
    env: Option<String>,
    /// Literal elements of a mixed array, spread as a list in their place.
    spread: bool,
    /// One element of a mixed array (`process.env.X || 'literal'`): a single value even where the sink takes a list.
    element: bool,
}

/// The literal secret a value is (the value itself, or the initialiser of the constant it names): a string, an
/// array of strings, or an environment variable with a literal fallback (`process.env.X || 'literal'`, `??`).
fn literal_secret(cx: &FileContext<'_>, value: &Value) -> Option<Literal> {
    match value {
        Value::Str(_, range) => {
            Some(Literal { range: (*range).into(), list: false, env: None, spread: false, element: false })
        }
        Value::Array(items, range) if !items.is_empty() && items.iter().all(|i| matches!(i, Value::Str(..))) => {
            Some(Literal { range: (*range).into(), list: true, env: None, spread: false, element: false })
        }
        // (Or a template literal of one: `${process.env.X || 'dev'}`.)
        Value::Conditional(range) | Value::Other(range) => {
            let env = env_with_fallback(cx.text(*range))?;
            Some(Literal { range: (*range).into(), list: false, env: Some(env), spread: false, element: false })
        }
        Value::Ident(name, at) => {
            // `const { SESSION_SECRET = 'dev' } = process.env`: the default is the fallback, as in
            // `process.env.SESSION_SECRET || 'dev'`, and is replaced by the read of its variable.
            if let Some(default) = cx.facts.env_default(name, at.start()) {
                let decl = &default.declaration;
                let Some(Value::Str(_, range)) = decl.init.as_ref().filter(|_| constant(cx, decl)) else {
                    return None;
                };
                let env = Some(default.variable.to_string()).filter(|v| codegen::is_identifier(v))?;
                return Some(Literal {
                    range: (*range).into(),
                    list: false,
                    env: Some(env),
                    spread: false,
                    element: false,
                });
            }
            let decl = cx.facts.declaration(name, at.start())?;
            if !constant(cx, decl) {
                return None;
            }
            literal_secret(cx, decl.init.as_ref()?)
        }
        _ => None,
    }
}

/// A session or cookie secret made anew each time the app starts (`randomUUID()`, `crypto.randomBytes(32).toString('hex')`,
/// `uuid.v4()`, `nanoid()`, `Math.random().toString(36)`; the value itself or the initialiser of the constant it
/// names): every restart invalidates every signed cookie, and instances never share sessions, whatever store keeps
/// them. It is read from the environment as a literal is ([`RANDOM_SECRET`]).
fn random_secret(cx: &FileContext<'_>, value: &Value) -> Option<Literal> {
    match value {
        Value::Call(call) if random_at_start(cx, call.range.into()) => {
            Some(Literal { range: call.range.into(), list: false, env: None, spread: false, element: false })
        }
        Value::Other(range) if random_at_start(cx, (*range).into()) => {
            Some(Literal { range: (*range).into(), list: false, env: None, spread: false, element: false })
        }
        // (A list of them, `keys: [uuidv4(), nanoid()]`, read as one list.)
        Value::Array(items, range) if !items.is_empty() && items.iter().all(|i| random_secret(cx, i).is_some()) => {
            Some(Literal { range: (*range).into(), list: true, env: None, spread: false, element: false })
        }
        Value::Ident(name, at) => {
            let decl = cx.facts.declaration(name, at.start())?;
            if !constant(cx, decl) || !decl.top_level {
                return None;
            }
            random_secret(cx, decl.init.as_ref()?)
        }
        _ => None,
    }
}

/// Whether the expression at `range` is a call of a random or unique-id generator, perhaps turned into a string
/// (`.toString('hex')`, `.slice(2)`): the generator is `Math.random`, crypto's `randomUUID` or `randomBytes`
/// (imported, as a member of the module, or Node's global `crypto`), uuid's `v1`/`v4` (or the module itself) or
/// nanoid's `nanoid`.
fn random_at_start(cx: &FileContext<'_>, range: Range<usize>) -> bool {
    let text = cx.text(range).trim();
    if ["||", "??", "?", "+"].iter().any(|op| text.contains(op)) {
        return false;
    }
    if text.starts_with("Math.random()") {
        return true;
    }
    let Some(open) = text.find('(') else { return false };
    let head: Vec<&str> = text[..open].split('.').map(str::trim).collect();
    let bindings = &cx.facts.bindings;
    let bound = |local: &str| -> Vec<&crate::bindings::ModuleBinding> {
        bindings.iter().filter(|b| b.local == local).collect()
    };
    // (The module, and the export called: `None` for the module itself.)
    let random = |module: &str, export: Option<&str>| -> bool {
        match module.strip_prefix("node:").unwrap_or(module) {
            "crypto" => export.is_some_and(|e| ["randomUUID", "randomBytes"].contains(&e)),
            "nanoid" => export.is_none_or(|e| e == "nanoid"),
            "uuid" => export.is_some_and(|e| ["v1", "v4"].contains(&e)),
            m => m.starts_with("uuid/"),
        }
    };
    match head.as_slice() {
        [name] => bound(name).iter().any(|b| match &b.kind {
            ImportKind::Named(export) => random(&b.module, Some(export.as_str())),
            ImportKind::Module => random(&b.module, None),
        }),
        [object, member] => {
            let modules: Vec<&str> =
                bound(object).iter().filter(|b| b.kind == ImportKind::Module).map(|b| b.module.as_str()).collect();
            if modules.is_empty() {
                // (Node's global Web Crypto, `crypto.randomUUID()`.)
                *object == "crypto" && *member == "randomUUID"
            } else {
                modules.iter().any(|m| random(m, Some(member)))
            }
        }
        _ => false,
    }
}

/// The finding of a secret made anew at every start, now read from the environment ([`random_secret`]).
const RANDOM_SECRET: &str = "random-secret";

/// Whether the declaration holds one value for good: a `const`, or a `var` or `let` the code never assigns again
/// ([`reassigned`]).
fn constant(cx: &FileContext<'_>, decl: &crate::analysis::Declaration) -> bool {
    decl.kind == swc_ecma_ast::VarDeclKind::Const || reassigned(cx, decl).is_none()
}

/// Where the code gives a `var` or `let` another value, if it does: an assignment (`=`, `+=`, `++`, `for (x in o)`,
/// `[x] = f()`) of its name that refers to it, or a second declaration of the name in the same scope (`var x` twice).
/// An assignment refers to it when it is inside its scope and no binding of the same name in between (a function's
/// parameter, a declaration in an inner function or block) holds it.
fn reassigned(cx: &FileContext<'_>, decl: &crate::analysis::Declaration) -> Option<usize> {
    let facts = cx.facts;
    let within = |inner: &ByteRange, outer: &ByteRange| outer.start() <= inner.start() && inner.end() <= outer.end();
    let shadows = |at: usize| {
        let holds = |scope: &ByteRange| scope.contains(&at) && within(scope, &decl.scope);
        let other = |scope: &ByteRange| *scope != decl.scope && holds(scope);
        facts.declarations.iter().any(|d| d.name == decl.name && d.declarator != decl.declarator && other(&d.scope))
            || facts.functions.iter().any(|f| {
                // (A parameter of the function that declares it is the same binding, not one in between.)
                let param = f.params.iter().flatten().any(|p| *p == decl.name);
                param && holds(&f.body) && !within(&decl.declarator, &f.body)
            })
    };
    let again = facts
        .declarations
        .iter()
        .find(|d| d.name == decl.name && d.declarator != decl.declarator && d.scope == decl.scope)
        .map(|d| d.declarator.start());
    again.or_else(|| {
        facts
            .assigned
            .iter()
            .find(|(name, at)| *name == decl.name && decl.scope.contains(at) && !shadows(*at))
            .map(|(_, at)| *at)
    })
}

/// Why a secret that names a `var` or `let` initialised with a literal secret is left in the code (it is not
/// [`constant`]), where the sink reads it, and the environment variable the code already reads there, if it does
/// (`process.env.X || 'literal'`, `let { X = 'literal' } = process.env`).
fn kept_literal(cx: &FileContext<'_>, value: &Value) -> Option<(usize, String, Option<String>)> {
    let Value::Ident(name, at) = value else { return None };
    let found = cx.facts.env_default(name, at.start());
    let (decl, env) = match &found {
        Some(default) => match default.declaration.init {
            Some(Value::Str(..)) => (&default.declaration, Some(default.variable.to_string())),
            _ => return None,
        },
        None => {
            let decl = cx.facts.declaration(name, at.start())?;
            (decl, literal_secret(cx, decl.init.as_ref()?)?.env)
        }
    };
    let again = reassigned(cx, decl)?;
    let line = |offset: usize| cx.file.line(offset);
    let (first, then) = (line(decl.declarator.start().min(again)), line(decl.declarator.start().max(again)));
    let how = if cx.facts.declarations.iter().any(|d| d.declarator.start() == again) { "declared" } else { "assigned" };
    Some((
        at.start(),
        format!(
            "`{name}`, a `{}` declared on line {first}, is {how} again on line {then}, so it does not hold one value \
             the tool could move to the environment",
            decl.kind.as_str(),
        ),
        env,
    ))
}

/// The literal parts of an array of secrets that also holds other values (`[process.env.OLD_KEY || 'k0', 'k1',
/// 'k2', process.env.NEW_KEY]`, or a constant of the file initialised with one): each environment variable with a
/// literal fallback reads its variable, and each run of string literals is spread from a comma-separated variable
/// (`name`, then `name_2`, ...) in its place. Only the literals move; the order of the keys is kept.
fn mixed_array(cx: &FileContext<'_>, value: &Value, name: &str) -> Vec<Literal> {
    let items = match value {
        Value::Array(items, _) => items,
        Value::Ident(ident, at) => match cx.facts.declaration(ident, at.start()) {
            Some(decl) if constant(cx, decl) => match &decl.init {
                Some(init @ Value::Array(..)) => return mixed_array(cx, init, name),
                _ => return Vec::new(),
            },
            _ => return Vec::new(),
        },
        _ => return Vec::new(),
    };
    // The variables the array already reads (`process.env.SESSION_SECRET`, `process.env?.SESSION_SECRET`) are not
    // the literals' ones.
    let texts: Vec<String> =
        items.iter().filter(|i| !matches!(i, Value::Str(..))).map(|i| cx.text(i.range()).replace("?.", ".")).collect();
    let read: Vec<&str> = texts
        .iter()
        .flat_map(|text| text.split("process.env.").skip(1))
        .map(|rest| rest.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '$')).next().unwrap_or(""))
        .collect();
    let mut out = Vec::new();
    let mut run: Option<Range<usize>> = None;
    let mut runs = 1;
    let mut next_env = || loop {
        let env = if runs == 1 { name.to_string() } else { format!("{name}_{runs}") };
        runs += 1;
        if !read.contains(&env.as_str()) {
            break env;
        }
    };
    // (ES5 has no spread: in a file written in it each literal reads a variable of its own, in its place.)
    let es5 = cx.facts.style.es5;
    let close = |run: &mut Option<Range<usize>>, out: &mut Vec<Literal>, next_env: &mut dyn FnMut() -> String| {
        if let Some(range) = run.take() {
            out.push(Literal { range, list: true, env: Some(next_env()), spread: true, element: false });
        }
    };
    for item in items.iter() {
        match item {
            Value::Str(_, r) if es5 => out.push(Literal {
                range: (*r).into(),
                list: false,
                env: Some(next_env()),
                spread: false,
                element: true,
            }),
            Value::Str(_, r) => run = Some(run.map_or((*r).into(), |open| open.start..r.end())),
            Value::Conditional(r) | Value::Other(r) => {
                close(&mut run, &mut out, &mut next_env);
                if let Some(env) = env_with_fallback(cx.text(*r)) {
                    out.push(Literal { range: (*r).into(), list: false, env: Some(env), spread: false, element: true });
                }
            }
            _ => close(&mut run, &mut out, &mut next_env),
        }
    }
    close(&mut run, &mut out, &mut next_env);
    out
}

/// `X` for `process.env.X || 'literal'` (or `??`, `process.env['X']`, optional chaining, `process.env?.X` or
/// `process?.env?.X`, a template literal without substitutions as the fallback, the whole in a template literal of
/// its own: `` `${process.env.X || 'dev'}` ``).
fn env_with_fallback(text: &str) -> Option<String> {
    env_fallback(text).map(|(name, _)| name)
}

/// `X` and the fallback's text for [`env_with_fallback`]'s `process.env.X || 'literal'`.
fn env_fallback(text: &str) -> Option<(String, String)> {
    let expr = expression(text)?;
    let expr = match unwrap(&expr) {
        // `${process.env.X || 'dev'}`: the template literal is its one substitution.
        Expr::Tpl(t) if t.exprs.len() == 1 && t.quasis.iter().all(|q| q.raw.is_empty()) => &t.exprs[0],
        _ => &expr,
    };
    let Expr::Bin(bin) = unwrap(expr) else { return None };
    if !matches!(bin.op, BinaryOp::LogicalOr | BinaryOp::NullishCoalescing) {
        return None;
    }
    let fallback = match unwrap(&bin.right) {
        Expr::Lit(Lit::Str(s)) => s.value.to_string_lossy().into_owned(),
        Expr::Tpl(t) if t.exprs.is_empty() => t.quasis.iter().map(|q| q.raw.to_string()).collect(),
        _ => return None,
    };
    let read = member(&bin.left)?;
    let env = member(&read.obj)?;
    let process = matches!(unwrap(&env.obj), Expr::Ident(i) if i.sym == *"process");
    if !process || !matches!(&env.prop, MemberProp::Ident(p) if p.sym == *"env") {
        return None;
    }
    let name = match &read.prop {
        MemberProp::Ident(p) => p.sym.to_string(),
        MemberProp::Computed(c) => match unwrap(&c.expr) {
            Expr::Lit(Lit::Str(s)) => s.value.to_string_lossy().into_owned(),
            _ => return None,
        },
        MemberProp::PrivateName(_) => return None,
    };
    codegen::is_identifier(&name).then_some((name, fallback))
}

/// The member expression `expr` is, read with optional chaining or not (`process.env?.X`, `process?.env`): it reads
/// the same property of an object that is there.
fn member(expr: &Expr) -> Option<&MemberExpr> {
    match unwrap(expr) {
        Expr::Member(m) => Some(m),
        Expr::OptChain(chain) => match &*chain.base {
            OptChainBase::Member(m) => Some(m),
            OptChainBase::Call(_) => None,
        },
        _ => None,
    }
}

/// The value assigned at `range` (recorded by the analysis as a range only), described as far as a literal secret
/// needs: a string, a name, or a choice made at run time; its range is `range`.
fn assigned_value(cx: &FileContext<'_>, range: &ByteRange) -> Value {
    let range = *range;
    match expression(cx.text(range)).as_deref().map(unwrap) {
        Some(Expr::Lit(Lit::Str(s))) => Value::Str(s.value.to_string_lossy().into_owned().into(), range),
        Some(Expr::Ident(id)) => Value::Ident(id.sym.clone(), range),
        Some(Expr::Bin(_)) => Value::Conditional(range),
        _ => Value::Other(range),
    }
}

/// Whether an exported name or a property of an exported object names a JSON Web Token secret: passport-jwt's
/// `secretOrKey`, or a name with the word `jwt` that ends in `secret` or `key` and is neither a public key nor a
/// header's key (`jwtSecret`, `JWT_SECRET_KEY`, `jwt_key`; not `jwtKeyId`, `jwtPublicKey`, `JWT_HTTP_HEADER_KEY`,
/// `JWT_EXPIRES_IN`).
fn is_jwt_secret_name(name: &str) -> bool {
    let words = names::words(name);
    let last = words.last().map(String::as_str);
    name == "secretOrKey"
        || (words.iter().any(|w| w == "jwt")
            && matches!(last, Some("secret" | "key"))
            && !words.iter().any(|w| matches!(w.as_str(), "public" | "header" | "headers")))
}

/// An expression of the file (its text) as a tree.
fn expression(text: &str) -> Option<Box<Expr>> {
    let module = crate::parse::parse_snippet(&format!("({text});")).ok()?;
    match module.body.into_iter().next() {
        Some(ModuleItem::Stmt(Stmt::Expr(stmt))) => Some(stmt.expr),
        _ => None,
    }
}

/// Where a secret read from package.json is (`secret: pkg.name`, `require('./package.json').name`, or a constant
/// of the file initialised with one): public to anyone who has the code.
fn public_secret(cx: &FileContext<'_>, value: &Value) -> Option<usize> {
    match value {
        Value::Other(range) => {
            let expr = expression(cx.text(*range))?;
            let Expr::Member(read) = unwrap(&expr) else { return None };
            let module = match unwrap(&read.obj) {
                Expr::Ident(id) => cx
                    .facts
                    .bindings
                    .iter()
                    .find(|b| b.top_level && id.sym == *b.local && b.kind == ImportKind::Module)
                    .map(|b| b.module.to_string()),
                other => require_source(other),
            }?;
            let last = module.rsplit('/').next().unwrap_or(&module);
            (module.starts_with('.') && (last == "package.json" || last == "package")).then_some(range.start())
        }
        Value::Ident(name, at) => {
            let decl = cx.facts.declaration(name, at.start())?;
            if !constant(cx, decl) {
                return None;
            }
            public_secret(cx, decl.init.as_ref()?).map(|_| at.start())
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jwt_secret_names() {
        for name in ["secretOrKey", "jwtSecret", "JWT_SECRET", "JWT_SECRET_KEY", "jwt_key", "jwtPrivateKey"] {
            assert!(is_jwt_secret_name(name), "{name}");
        }
        for name in [
            "secret",
            "jwtKeyId",
            "jwtPublicKey",
            "JWT_EXPIRES_IN",
            "sessionSecret",
            "jwtIssuer",
            "JWT_HTTP_HEADER_KEY",
            "jwtHeaderKey",
        ] {
            assert!(!is_jwt_secret_name(name), "{name}");
        }
    }

    #[test]
    fn environment_variables_with_a_literal_fallback() {
        assert_eq!(env_with_fallback("process.env.SESSION_SECRET || 'dev'").as_deref(), Some("SESSION_SECRET"));
        assert_eq!(env_with_fallback("process.env['JWT_KEY'] ?? `dev`").as_deref(), Some("JWT_KEY"));
        assert_eq!(env_with_fallback("`${process.env.JWT_KEY || 'dev'}`").as_deref(), Some("JWT_KEY"));
        // (Optional chaining reads the same variable.)
        assert_eq!(env_with_fallback("process.env?.SESSION_SECRET || 'dev'").as_deref(), Some("SESSION_SECRET"));
        assert_eq!(env_with_fallback("process?.env?.SESSION_SECRET ?? 'dev'").as_deref(), Some("SESSION_SECRET"));
        assert_eq!(env_with_fallback("process.env?.['JWT_KEY'] || 'dev'").as_deref(), Some("JWT_KEY"));
        assert_eq!(env_with_fallback("process.env.get?.('X') || 'dev'"), None);
        assert_eq!(env_with_fallback("`v1-${process.env.JWT_KEY || 'dev'}`"), None);
        for text in ["process.env.A || other", "config.secret || 'x'", "process.env.A && 'x'", "'x' || process.env.A"] {
            assert_eq!(env_with_fallback(text), None, "{text}");
        }
    }
}
