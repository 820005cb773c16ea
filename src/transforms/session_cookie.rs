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
//! without `trust proxy`, options not visible in the file. The project is the unit of the rename: a logout that
//! clears the old name (`res.clearCookie('connect.sid')`) and passport.socketio's `key` (written, or its default)
//! follow the new name in every module; any other read of `connect.sid` (`req.cookies['connect.sid']`) keeps the
//! default name, reported at the session (the survey notes each module's session setups and reads). An explicit `httpOnly: false` or `secure: false` is the author's decision: kept, and reported. Data:
//! `transforms/session-cookie/data.json`. Fixtures: `tests/fixtures/session-cookie/`.

use std::sync::OnceLock;

use serde::Deserialize;

use crate::analysis::{FileFacts, DEFAULT_SESSION_COOKIE};
use crate::parse::ByteRange;
use crate::settings::{SettingsGroup, SettingsInput};
use crate::transform::{FileContext, FilePlan, Survey, Transform, TransformInfo, Watch};
use crate::transforms::data;
use crate::transforms::express4;
use crate::transforms::shared::cookie_flags::{self, CookiePolicy, Wanted, COOKIES};
use crate::transforms::shared::session::{self, SessionOptions, SessionUse, EXPRESS_SESSION};
use crate::values::{ObjectFacts, Value};

const ID: &str = "session-cookie";

/// The survey's note of a module that sets up express-session.
const SESSION: &str = "session:";
/// The survey's note of a module whose session cookie this run renames (unless a reader holds it back).
const RENAME: &str = "rename:";
/// The survey's note of a place that reads the session cookie by its default name and that this run cannot rename
/// with it: `reads:LINE:what it is`.
const READS: &str = "reads:";
/// passport.socketio, whose `authorize({ key })` reads the session cookie by its name (`connect.sid` when `key` is
/// left out).
const PASSPORT_SOCKETIO: &str = "passport.socketio";

#[derive(Debug, Deserialize)]
struct CookieData {
    #[serde(flatten)]
    described: data::Described,
    default_names: Vec<String>,
    /// The express-session written where the one a project has drops `sameSite` (an npm range).
    express_session_spec: String,
    /// The first express-session whose Set-Cookie header carries `sameSite`.
    same_site_since: String,
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
            // (Modules that read the session cookie by its default name: see `readers`.)
            Watch::Text(DEFAULT_SESSION_COOKIE),
            Watch::Text(PASSPORT_SOCKETIO),
        ]
    }

    fn surveys(&self, cx: &FileContext<'_>) -> Survey {
        // (The text of a module with the session setup: what its spreads set, `session()`'s parentheses.)
        // (A module that reads the cookie by its default name: its text too, to tell whether this run can edit it.)
        if !session::session_uses(cx.facts, cx.links, EXPRESS_SESSION).is_empty()
            || !cx.facts.default_session_cookie.is_empty()
            || authorize_calls(cx.facts).next().is_some()
        {
            Survey::Text
        } else {
            Survey::Nothing
        }
    }

    fn survey(&self, cx: &FileContext<'_>) -> Vec<String> {
        let mut notes = Vec::new();
        let uses = session::session_uses(cx.facts, cx.links, EXPRESS_SESSION);
        if !uses.is_empty() {
            notes.push(SESSION.to_string());
        }
        // A module this run does not edit (lone CR line ends) renames nothing, and whatever it does with the default
        // name stays as it is.
        let editable = cx.file.takes_edits();
        let renames = editable
            && uses.iter().any(|use_| match use_.new_options_at(&cx.file.code) {
                Some(_) => true,
                None => use_.object().is_some_and(|obj| !matches!(name_change(cx, use_, obj), NameChange::Keep)),
            });
        if renames {
            notes.push(RENAME.to_string());
        }
        for reader in readers(cx, editable) {
            notes.push(format!("{READS}{}:{}", cx.file.line(reader.at), reader.what));
        }
        notes
    }

    fn settings(&self) -> Vec<&'static SettingsGroup> {
        vec![&COOKIES]
    }

    fn configure(&mut self, input: &SettingsInput<'_>) -> Result<(), String> {
        self.policy = CookiePolicy::read(input)?;
        Ok(())
    }

    fn plan(&self, cx: &FileContext<'_>, plan: &mut FilePlan) {
        // Express 2's `express.session` is connect 1.x's: it reads the cookie's name from `key` (a `name` is ignored),
        // writes no SameSite, sends a secure cookie only on an encrypted connection (no `trust proxy`) and has no
        // resave or saveUninitialized. The project's code is left alone (express-version says why, once).
        if express4::before_express3(cx.project) {
            return;
        }
        let survey = cx.project.survey(ID);
        // A module of the project that reads the cookie by its default name, in a way this run cannot rename with it
        // (`req.cookies['connect.sid']`): the rename would break it, so the name is kept.
        // Or a file of the project the run did not analyse (it does not parse, is too large...) whose text names it:
        // what it does with the name is not known, and it would not follow the rename.
        let held_by = survey.notes(READS).next().map(Holder::Reader).or_else(|| {
            cx.project
                .code_use
                .unread
                .iter()
                .find(|f| f.names(DEFAULT_SESSION_COOKIE))
                .map(|f| Holder::Unread(&f.path, f.why))
        });
        let mut seen = Vec::new();
        let mut renamed = false;
        // The default names the file's session cookies had before they were renamed.
        let mut old_names: Vec<&str> = Vec::new();
        let mut explicit = false;
        // Whether a `sameSite` was written: express-session writes it from 1.14.1 on.
        let mut same_site_added = false;
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
            match (name_change(cx, &use_, obj), held_by) {
                (NameChange::Keep, _) => {}
                (_, Some(reader)) => report_held_rename(cx, plan, use_.at(), reader, &self.policy.session_cookie_name),
                (NameChange::Add, None) => {
                    add.push(format!("name: {}", cx.quoted(&self.policy.session_cookie_name)));
                    renamed = true;
                    old_names.extend(data().default_names.first().map(String::as_str));
                }
                (NameChange::Replace(name, range), None) => {
                    plan.edits.push(crate::edit::Edit::replace(range, cx.quoted(&self.policy.session_cookie_name)));
                    renamed = true;
                    old_names.push(name);
                }
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
                    same_site_added |= done.same_site_added;
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
                same_site_added |= done.same_site_added;
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
        // express-session before 1.14.1 leaves `sameSite` out of its Set-Cookie header (1.14.0 took the option and did
        // not pass it on; cookie 0.2, which older ones use, has none): a project on one is raised, in its own style
        // (an exact pin stays exact), to the express-session the rest of the tool writes.
        if let Some(locked_only) = before_same_site(cx.project).filter(|_| same_site_added) {
            if locked_only {
                plan.next_steps.push(format!(
                    "the lockfile installs an express-session older than {}, which leaves sameSite out of the session \
                     cookie: run `npm update express-session` (the range package.json lists allows a newer one)",
                    data().same_site_since
                ));
            }
            plan.dependencies.push(
                crate::transform::DependencyRequest::new(
                    EXPRESS_SESSION,
                    data().express_session_spec.clone(),
                    crate::manifest::DepSection::Dependencies,
                )
                .raising_listed(),
            );
        }
        // The project renames the cookie (this file, or another module's session setup), and nothing that reads it by
        // its default name stands in the way: a logout that clears the old name (`res.clearCookie('connect.sid')`)
        // would leave the renamed cookie behind, and passport.socketio would look for a cookie that is gone. Both
        // read the new name, in every module.
        let project_renames = held_by.is_none() && survey.notes(RENAME).next().is_some();
        let session_seen = survey.notes(SESSION).next().is_some() || !no_session_here;
        let new_name = cx.quoted(&self.policy.session_cookie_name);
        for call in cx.facts.member_calls().iter().filter(|c| c.method == "clearCookie") {
            let Some(Value::Str(name, range)) = call.args.first() else { continue };
            if old_names.contains(&name.as_str()) || (project_renames && name == DEFAULT_SESSION_COOKIE) {
                plan.edits.push(crate::edit::Edit::replace(*range, new_name.clone()));
            } else if !session_seen && data().default_names.iter().any(|n| name == n) {
                // The session is set up in a module this run does not read, which another run may rename: say so
                // where it is cleared.
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
        if project_renames || renamed {
            for (obj, key) in authorize_options(cx.facts).into_iter().flatten() {
                match key {
                    AuthorizeKey::Default(range) => {
                        plan.edits.push(crate::edit::Edit::replace(range, new_name.clone()))
                    }
                    AuthorizeKey::Missing => plan.edits.extend(crate::objects::add_properties(
                        &cx.file.code,
                        &cx.facts.comments,
                        obj,
                        &[format!("key: {new_name}")],
                        &cx.facts.style,
                    )),
                    AuthorizeKey::Other => {}
                }
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

/// Whether the project may run an express-session that leaves `sameSite` out (below
/// [`CookieData::same_site_since`]): `None` when it does not (or lists none: the session store or the migration that adds
/// one writes a newer one); `Some(false)` when package.json lists such a version (a raise of the listing fixes it);
/// `Some(true)` when only its lockfile locks one, under a range that allows a newer (the listing stays; the next step
/// says to update it).
fn before_same_site(project: &crate::project::Project) -> Option<bool> {
    let since = nodejs_semver::Version::parse(&data().same_site_since).ok()?;
    let listed = project.listed_all(EXPRESS_SESSION);
    let lists_older = listed.iter().any(|(_, spec)| crate::npm_spec::min_version(spec).is_some_and(|v| v < since));
    if lists_older {
        // (An exact or narrow listing is raised; a range that reaches `since` installs a newer one without a lockfile.)
        let reaches = listed.iter().all(|(_, spec)| crate::npm_spec::overlaps(spec, &data().express_session_spec));
        let locked_older = project
            .locked
            .get(EXPRESS_SESSION)
            .and_then(|v| nodejs_semver::Version::parse(v).ok())
            .is_some_and(|v| v < since);
        return match (reaches, locked_older) {
            (false, _) => Some(false),
            (true, true) => Some(true),
            (true, false) => None,
        };
    }
    None
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

/// What happens to the name of a session cookie.
enum NameChange<'o> {
    /// It has a name of its own, or one this file does not show: kept.
    Keep,
    /// It has none (express-session's default): `name` is added.
    Add,
    /// It is a default name written as a string (`name: 'connect.sid'`, or the legacy `key`): replaced.
    Replace(&'o str, ByteRange),
}

/// What the session options `obj` of `use_` do with the cookie's name.
fn name_change<'o>(cx: &FileContext<'_>, use_: &SessionUse<'_>, obj: &'o ObjectFacts) -> NameChange<'o> {
    let partial = use_.is_partial();
    let spread = session::spread_keys(cx.links, &cx.file.code, obj);
    let set_here_or_spread =
        |key: &str| obj.get(key).is_some() || partial || spread.as_ref().is_some_and(|keys| keys.contains(&key));
    match obj.get("name").or_else(|| obj.get("key")).map(|p| &p.value) {
        None if set_here_or_spread("name") || set_here_or_spread("key") => NameChange::Keep,
        None => NameChange::Add,
        Some(Value::Str(name, range)) if data().default_names.iter().any(|n| name == n) => {
            NameChange::Replace(name, *range)
        }
        Some(_) => NameChange::Keep,
    }
}

/// The key passport.socketio's `authorize(options)` reads the session cookie by.
enum AuthorizeKey {
    /// `key: 'connect.sid'`, written as a string: renamed with the cookie.
    Default(ByteRange),
    /// No `key`: passport.socketio's own default, `connect.sid` (lib/index.js of 3.7.0); `key` is added.
    Missing,
    /// Another name, or one computed: not the default cookie's business.
    Other,
}

/// The calls of passport.socketio's `authorize`.
fn authorize_calls(facts: &FileFacts) -> impl Iterator<Item = &crate::analysis::CallSite> {
    facts.calls.iter().filter(|site| {
        !site.is_new && site.call.callee.as_ref().is_some_and(|c| c.is_export(PASSPORT_SOCKETIO, "authorize"))
    })
}

/// Each `authorize` call's options object with its key, or `None` (with the call's start) where the options are
/// not an object literal of this file, or spread one in without a `key`: the default may apply, and cannot be
/// changed here.
fn authorize_options(facts: &FileFacts) -> Vec<Result<(&ObjectFacts, AuthorizeKey), usize>> {
    authorize_calls(facts)
        .map(|site| {
            let at = site.call.range.start();
            let obj = match site.call.args.first() {
                Some(Value::Object(obj)) => Some(&**obj),
                Some(Value::Ident(name, r)) => session::declared_object(facts, name, r.start()),
                _ => None,
            };
            let obj = obj.ok_or(at)?;
            let key = match obj.get("key").map(|p| &p.value) {
                None if obj.spreads.is_empty() => AuthorizeKey::Missing,
                None => return Err(at),
                Some(Value::Str(name, range)) if name == DEFAULT_SESSION_COOKIE => AuthorizeKey::Default(*range),
                Some(_) => AuthorizeKey::Other,
            };
            Ok((obj, key))
        })
        .collect()
}

/// A place that reads the session cookie by its default name and that this run cannot rename with it.
struct Reader {
    at: usize,
    what: String,
}

/// The places of this file that read the session cookie by its default name, other than those renamed with it (the
/// session options' own name, `res.clearCookie('connect.sid')`, passport.socketio's `key`): `req.cookies['connect.sid']`,
/// `cookie.parse(header)['connect.sid']`, a cookie header searched for `connect.sid=`, the name kept in a constant or
/// passed to some other API, and an `authorize` call of passport.socketio whose key this file does not show. In a file
/// this run does not edit (`editable` false), the places renamed with the cookie elsewhere read it too.
fn readers(cx: &FileContext<'_>, editable: bool) -> Vec<Reader> {
    const NOT_EDITED: &str = "in a file whose lines end with a lone CR (which express-harden does not edit: convert \
                              them to LF or CRLF and run again)";
    let facts = cx.facts;
    let mut found = Vec::new();
    let mut renamed_with: Vec<usize> = Vec::new();
    for call in facts.member_calls().iter().filter(|c| c.method == "clearCookie") {
        let Some(Value::Str(name, range)) = call.args.first() else { continue };
        renamed_with.push(range.start());
        if !editable && data().default_names.iter().any(|n| name == n) {
            found.push(Reader { at: call.range.start(), what: format!("clears the cookie {name} {NOT_EDITED}") });
        }
    }
    for options in authorize_options(facts) {
        match options {
            Ok((obj, key @ (AuthorizeKey::Default(_) | AuthorizeKey::Missing))) => {
                if let AuthorizeKey::Default(range) = key {
                    renamed_with.push(range.start());
                }
                if !editable {
                    found.push(Reader {
                        at: obj.range.start(),
                        what: format!(
                            "calls passport.socketio's authorize(), which reads the cookie {DEFAULT_SESSION_COOKIE}, \
                             {NOT_EDITED}"
                        ),
                    });
                }
            }
            Ok(_) => {}
            Err(at) => found.push(Reader {
                at,
                what: "calls passport.socketio's authorize() with options that are no object literal of that module \
                       (its key defaults to connect.sid)"
                    .to_string(),
            }),
        }
    }
    for use_ in session::session_uses(facts, cx.links, EXPRESS_SESSION) {
        let name = use_.object().and_then(|obj| obj.get("name").or_else(|| obj.get("key")));
        if let Some(Value::Str(_, range)) = name.map(|p| &p.value) {
            renamed_with.push(range.start());
        }
    }
    found.extend(
        facts
            .default_session_cookie
            .iter()
            .filter(|r| !renamed_with.contains(&r.start()))
            .map(|r| Reader { at: r.start(), what: "names the cookie connect.sid".to_string() }),
    );
    found.sort_by_key(|r| r.at);
    found
}

/// What keeps the session cookie's default name.
#[derive(Clone, Copy)]
enum Holder<'a> {
    /// An analysed module reads it by that name: its file and the survey's `LINE:what`.
    Reader((&'a std::path::Path, &'a str)),
    /// A file the run did not analyse names it, for the reason given.
    Unread(&'a std::path::Path, crate::project::Unread),
}

/// The finding that says why the session cookie keeps its default name: `holder` reads it by that name.
fn report_held_rename(cx: &FileContext<'_>, plan: &mut FilePlan, at: usize, holder: Holder<'_>, new_name: &str) {
    let why = match holder {
        Holder::Reader((path, note)) => {
            let (line, what) = note.split_once(':').unwrap_or((note, ""));
            format!("{}:{line} {what} and would find no cookie after a rename", crate::root::display_path(path))
        }
        Holder::Unread(path, why) => format!(
            "{} names it and {}, so this run cannot follow the name there",
            crate::root::display_path(path),
            why.says()
        ),
    };
    plan.findings.push(cx.finding(
        "rename-held",
        at,
        format!(
            "the session cookie keeps express-session's default name connect.sid, since {why}; to hide the stack, \
             rename it there and set name: '{new_name}' here in the same change"
        ),
    ));
}
