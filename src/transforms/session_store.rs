//! `session-store`: replaces express-session's in-process MemoryStore with a persistent store.
//!
//! ```js
//! // before
//! const express = require('express');
//! const session = require('express-session');
//!
//! const app = express();
//! app.use(session({
//!   secret: process.env.SESSION_SECRET,
//!   resave: false,
//!   saveUninitialized: false
//! }));
//! // after (package.json has no database client: Redis)
//! const express = require('express');
//! const session = require('express-session');
//! const { RedisStore } = require('connect-redis');
//! const { createClient } = require('redis');
//!
//! const app = express();
//!
//! const redisClient = createClient({
//!   url: process.env.REDIS_URL || 'redis://localhost:6379',
//!   commandOptions: { timeout: 2000 },
//!   socket: {
//!     reconnectStrategy: () => {
//!       setTimeout(() => redisClient.connect().catch(() => {}), 1000).unref();
//!       return false;
//!     }
//!   }
//! });
//! let redisDown = false;
//! redisClient.on('error', (err) => {
//!   if (!redisDown) console.error('Redis session store (REDIS_URL) unreachable:', err.message);
//!   redisDown = true;
//! });
//! redisClient.on('ready', () => {
//!   if (redisDown) console.error('Redis session store (REDIS_URL) reconnected');
//!   redisDown = false;
//! });
//! redisClient.unref();
//! redisClient.connect().catch(() => {});
//! if (process.env.NODE_ENV === 'production') {
//!   new Promise((resolve, reject) => redisClient.once('ready', resolve).once('error', reject)).catch((err) => {
//!     console.error(`The Redis session store at REDIS_URL is unreachable (${err.message}): not starting.`);
//!     process.exit(1);
//!   });
//! }
//! const sessionStore = new RedisStore({ client: redisClient });
//! redisClient.on('error', () => sessionStore.emit('disconnect'));
//! redisClient.on('ready', () => sessionStore.emit('connect'));
//!
//! app.use(session({
//!   store: sessionStore,
//!   secret: process.env.SESSION_SECRET,
//!   resave: false,
//!   saveUninitialized: false
//! }));
//! ```
//!
//! Recognised memory stores: no `store` key, `store: undefined`, `new session.MemoryStore()`, `new MemoryStore()`
//! bound from express-session, a variable holding one (replaced at its declaration so that every user shares the new
//! store), and no options at all (`session()` gets `session({ store: ... })`, one object
//! with what the other session transforms add there). Left alone: persistent or custom stores, and in-process ones
//! the app chose (the `memorystore` package, reported as process-local). Reported: stores
//! chosen at run time, options built outside the file, backends that need the app's own database instance when the
//! file has none.
//! Data: `transforms/session-store/data.json`. Description: `transforms/session-store/README.md`. Fixtures:
//! `tests/fixtures/session-store/`.

use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::OnceLock;

use serde::Deserialize;

use crate::analysis::{CallSite, Declaration, FileFacts, ImportKind, ModuleSystem};
use crate::codegen;
use crate::edit::Edit;
use crate::layout;
use crate::manifest::DepSection;
use crate::npm_spec::overlaps;
use crate::objects;
use crate::settings::{SettingsGroup, SettingsInput};
use crate::source::SourceKind;
use crate::transform::{DependencyRequest, FileContext, FilePlan, Transform, TransformInfo, Watch};
use crate::transforms::data::{self, PackageVersion};
use crate::transforms::express4;
use crate::transforms::shared::express_target::{ExpressTarget, EXPRESS};
use crate::transforms::shared::imports;
use crate::transforms::shared::names::{self, NewNames};
use crate::transforms::shared::registry;
use crate::transforms::shared::session::{self, SessionUse, EXPRESS_SESSION};
use crate::values::{CalleeRef, ObjectFacts, Value};

const ID: &str = "session-store";

#[derive(Debug, Deserialize)]
struct StoreData {
    #[serde(flatten)]
    described: data::Described,
    default_backend: String,
    backends: Vec<Backend>,
    /// More specific names for what the templates bind, for files that already use a template's name.
    aliases: BTreeMap<String, Vec<String>>,
    /// Packages that bring their own copy of a driver (mongoose and mongodb), with the driver each major depends on:
    /// the store must accept the driver the app's client is made by.
    bundled_drivers: BTreeMap<String, BundledDriver>,
}

/// A package that depends on a database driver (`npm view mongoose@<major> dependencies.mongodb`).
#[derive(Debug, Deserialize)]
struct BundledDriver {
    driver: String,
    versions: Vec<BundledVersion>,
}

#[derive(Debug, Deserialize)]
struct BundledVersion {
    /// Versions of the bundling package.
    range: String,
    /// The driver versions they depend on.
    driver: String,
}

/// One way to store sessions: a store package, how to import it, how to build it, and its database client.
#[derive(Debug, Deserialize)]
struct Backend {
    id: String,
    flag: String,
    detect: Vec<String>,
    package: String,
    /// Newest first; the first one that fits the project is written.
    versions: Vec<StoreVersion>,
    #[serde(default)]
    types: Option<TypesPackage>,
    imports: Imports,
    store: String,
    #[serde(default)]
    store_without_client: Option<String>,
    #[serde(default)]
    store_setup: Option<String>,
    /// Statements that watch the store's database when its client reports no outage to it (a pg pool connects per
    /// query): the store is made first, `const $store = ...`, and they make it emit `disconnect` while the database is
    /// unreachable and `connect` when it is back, so that express-session answers requests that need a session with
    /// an error rather than one the store loses. `watch_client` is added when the store shares the app's client.
    #[serde(default)]
    watch: Option<String>,
    #[serde(default)]
    watch_client: Option<String>,
    /// What handles a store whose start-up fails with a promise nobody else waits on (connect-mongo 4 to 6's
    /// `collectionP`, rejected when MongoDB is unreachable at start: Node then ends the process): the store is made
    /// first, `const $store = ...`, and `setup` follows it.
    #[serde(default)]
    guard: Option<Guard>,
    /// The URL `$url` stands for in a store made without a client, when the app connects with none of its own.
    #[serde(default)]
    url: Option<String>,
    /// How a store that cannot share the app's connection is made with the app's own connection settings.
    #[serde(default)]
    settings: Option<Settings>,
    client: Client,
}

/// The handler of a store's failed start-up ([`Backend::guard`]).
#[derive(Debug, Deserialize)]
struct Guard {
    /// The statements after the store's (`$store`).
    setup: String,
    /// What the next step adds when they are written.
    step: String,
    /// What it adds when they cannot be: the store is built on a name the top level does not see.
    unreached: String,
}

/// A store that cannot share the app's connection (a TypeScript file, a connection made after the middleware) is
/// made with the settings the app's own connection call writes at the top level of the file, rather than with
/// environment variables the app does not read: express-mysql-session hands only `keys` to the pool it makes.
#[derive(Debug, Deserialize)]
struct Settings {
    /// The calls that make the app's connection: `[module, export]`.
    from: Vec<(String, String)>,
    /// The options copied, in this order, when the call's object writes them.
    keys: Vec<String>,
    /// The option without which the settings do not say where the sessions go.
    required: String,
    /// The store, `$settings` standing for the copied options.
    store: String,
}

/// One major of the store package, from the registry (`npm view <package>@<version> peerDependencies engines
/// dependencies`), with what its code looks like when it differs from the newest's.
#[derive(Debug, Deserialize)]
struct StoreVersion {
    spec: String,
    /// Its `engines.node` (and that of the driver it bundles).
    node: String,
    /// The versions of each database driver it works with: its peer dependency, or the driver it depends on itself
    /// for the clients it is handed (connect-mongo 3 bundles mongodb 3).
    #[serde(default)]
    drivers: BTreeMap<String, String>,
    #[serde(default)]
    imports: Option<Imports>,
    /// The store's option that names the database (connect-mongo's `dbName`), written when the app selects one that
    /// the client or URL handed to the store does not carry itself.
    #[serde(default)]
    db_option: Option<String>,
    #[serde(default)]
    store: Option<String>,
    #[serde(default)]
    store_without_client: Option<String>,
    /// What the next step says of a major the backend's [`Guard`] cannot handle (connect-mongo 2 and 3 throw from a
    /// driver callback, or wait for a mongoose connection that never opens).
    #[serde(default)]
    unguarded: Option<String>,
    /// How this major reuses the app's clients, when it differs (connect-mongo 3 takes `mongooseConnection`).
    #[serde(default)]
    reuse: Option<Vec<ReuseRule>>,
    /// Drivers it works with only when the client is made with an option (connect-redis 6 takes node-redis 4 in
    /// `legacyMode`).
    #[serde(default)]
    legacy: Option<Legacy>,
}

/// Driver versions a store major takes only from a client made with `option`.
#[derive(Debug, Deserialize)]
struct Legacy {
    drivers: BTreeMap<String, String>,
    option: String,
}

impl StoreVersion {
    /// Whether this major's module is a factory called with express-session (`require('connect-redis')(session)`,
    /// connect-redis 6 and older) rather than a class or an object of exports.
    fn is_factory(&self, backend: &Backend) -> bool {
        let imports = self.imports.as_ref().unwrap_or(&backend.imports);
        imports.cjs.contains(&format!("require('{}')(", backend.package))
    }

    /// The option a client of `driver` at `range` must be made with for this major (`legacyMode: true`): `None` when
    /// the major takes it as it is, or not at all.
    fn legacy_option(&self, driver: &str, range: &str) -> Option<&str> {
        let legacy = self.legacy.as_ref()?;
        let native = self.drivers.get(driver).is_none_or(|a| overlaps(a, range));
        (!native && legacy.drivers.get(driver).is_some_and(|a| overlaps(a, range))).then_some(legacy.option.as_str())
    }
}

/// A version of the client package the store creates a client with, and the setup when it differs (node-redis 3
/// connects by itself and names its options in snake case).
#[derive(Debug, Deserialize)]
struct ClientVersion {
    #[serde(flatten)]
    package: PackageVersion,
    #[serde(default)]
    setup: Option<String>,
    /// How the store gets a connection of its own from the app's client of this version, when it differs from
    /// [`Shared::setup`]: the statement that makes it (the rest is the version's `setup`).
    #[serde(default)]
    duplicate: Option<String>,
}

/// A store that reuses the app's client gets a connection of its own from it (`client.duplicate({...})`), made with
/// the options a new client gets (fail fast while the server is down, reconnect on an unref'd timer), so that the
/// app's client keeps its own settings (its offline queue, its retries) for the app's other uses.
#[derive(Debug, Deserialize)]
struct Shared {
    /// The name of the store's connection.
    name: String,
    /// The variable the setup's messages name, replaced by `label` (`$app`: the app's client).
    variable: String,
    label: String,
    /// The statement that makes the connection for the newest client version (`$app`: the app's client).
    setup: String,
}

#[derive(Debug, Deserialize)]
struct TypesPackage {
    package: String,
    spec: String,
}

#[derive(Debug, Clone, Deserialize)]
struct Imports {
    cjs: String,
    esm: String,
}

#[derive(Debug, Deserialize)]
struct Client {
    package: Option<String>,
    #[serde(default)]
    versions: Vec<ClientVersion>,
    #[serde(default)]
    imports: Option<Imports>,
    #[serde(default)]
    name: Option<String>,
    /// The name of the variable a new client's setup keeps its state in (`$down`: whether the store is unreachable,
    /// so that an outage is logged once, not once per retry).
    #[serde(default)]
    state: Option<String>,
    #[serde(default)]
    setup: Option<String>,
    #[serde(default)]
    shared: Option<Shared>,
    #[serde(default)]
    required: bool,
    reuse: Vec<ReuseRule>,
    operator: String,
    /// What the database needs before the app runs, added to the next step whichever client the store uses
    /// (connect-pg-simple's session table).
    #[serde(default)]
    prepare: Option<String>,
}

/// A client the file may already create: `new Pool(...)`, `createClient(...)`, `mongoose.connect(...)`.
#[derive(Debug, Deserialize)]
struct ReuseRule {
    module: String,
    export: Option<String>,
    new: bool,
    /// How to reach the client from the module's local name (`$module.connection.getClient()`); by default, the
    /// variable the call is assigned to.
    #[serde(default)]
    expr: Option<String>,
    /// Whether reusing it type-checks in TypeScript (a second copy of the driver's types can make it fail).
    #[serde(default = "yes")]
    typescript: bool,
    /// The store built on it, when not the version's own template.
    #[serde(default)]
    store: Option<String>,
    /// A connection the package keeps for the whole process (mongoose's default connection), opened by a call in any
    /// module of the project (`mongoose.connect(url)` in `db.js`): this file imports the package and reaches it through
    /// `expr`.
    #[serde(default)]
    elsewhere: bool,
    /// What the next step calls the client, when `expr` is too long to quote (`$module.connection`).
    #[serde(default)]
    label: Option<String>,
    /// Whether the client emits its connection's errors as events (`pool.on('error', ...)`), which the store's
    /// set-up then listens to; a pg-promise database object has no `on`.
    #[serde(default = "yes")]
    events: bool,
    /// The client is what the value the package's call returns makes when it is called in turn: pg-promise's `db`
    /// of `const pgp = require('pg-promise')(); const db = pgp(url);`.
    #[serde(default)]
    called_again: bool,
    /// The client is a parameter of the callback the package's call is given, and the session is set up inside that
    /// callback: `MongoClient.connect(url, (err, db) => { ... app.use(session(...)) ... })` (`method` is `connect`,
    /// `callback_param` 1, the index of `db`). The driver's connection, to the database of the app's own URL.
    #[serde(default)]
    method: Option<String>,
    #[serde(default)]
    callback_param: Option<usize>,
}

fn yes() -> bool {
    true
}

impl ReuseRule {
    /// Whether a value `module` created (through `members` of its binding, with `new` or not) is a client this rule
    /// reuses.
    fn matches(&self, module: &str, members: &[swc_atoms::Atom], is_new: bool, called_again: bool) -> bool {
        let export_matches = match &self.export {
            Some(export) => members == [export.as_str()],
            None => members.is_empty(),
        };
        module == self.module && is_new == self.new && export_matches && called_again == self.called_again
    }
}

fn data() -> &'static StoreData {
    static DATA: OnceLock<StoreData> = OnceLock::new();
    DATA.get_or_init(|| data::parse(ID, include_str!("../../transforms/session-store/data.json")))
}

/// The values `--store` accepts.
pub fn store_flags() -> Vec<&'static str> {
    let mut flags: Vec<&'static str> = data().backends.iter().map(|b| b.flag.as_str()).collect();
    flags.dedup();
    flags
}

transform_struct!(
    SessionStore,
    "The session-store transform.",
    store: Option<String> = None,
    latest: bool = false,
    fresh: Fresh = Fresh::default(),
);

/// With `--latest`, what the registry says now of each major in the table (`npm view`): package and major -> the
/// newest version, its `engines.node`, and its peer and own dependencies.
type Fresh = BTreeMap<(String, u64), Published>;

/// One published version.
#[derive(Debug, Clone, Default, Deserialize)]
struct Published {
    version: String,
    #[serde(default)]
    engines: Option<serde_json::Value>,
    #[serde(default, rename = "peerDependencies")]
    peers: BTreeMap<String, String>,
    #[serde(default)]
    dependencies: BTreeMap<String, String>,
}

impl Published {
    fn node(&self) -> Option<&str> {
        self.engines.as_ref()?.get("node")?.as_str()
    }
}

/// The registry's view of every major the table lists, for the store and client packages.
fn read_registry() -> Result<Fresh, String> {
    let mut majors: BTreeMap<&str, Vec<u64>> = BTreeMap::new();
    for b in &data().backends {
        let store = b.versions.iter().map(|v| v.spec.as_str());
        majors.entry(&b.package).or_default().extend(store.filter_map(crate::npm_spec::start_major));
        if let Some(client) = &b.client.package {
            let specs = b.client.versions.iter().map(|v| v.package.spec.as_str());
            majors.entry(client).or_default().extend(specs.filter_map(crate::npm_spec::start_major));
        }
    }
    // (About forty `npm view` calls: in parallel.)
    use rayon::prelude::*;
    let found: Vec<Vec<((String, u64), Published)>> = majors
        .into_par_iter()
        .map(|(package, wanted)| {
            let newest = registry::newest_of_each_major(package)?;
            let wanted: Vec<(u64, &String)> = wanted.iter().filter_map(|m| Some((*m, newest.get(m)?))).collect();
            wanted
                .into_par_iter()
                .map(|(major, version)| {
                    let fields = ["version", "engines", "peerDependencies", "dependencies"];
                    let answer = registry::view(&format!("{package}@{version}"), &fields)?;
                    let published: Published = serde_json::from_value(answer)
                        .map_err(|e| format!("--latest: unexpected answer from npm for {package}@{version}: {e}"))?;
                    Ok(((package.to_string(), major), published))
                })
                .collect::<Result<Vec<_>, String>>()
        })
        .collect::<Result<_, String>>()?;
    Ok(found.into_iter().flatten().collect())
}

/// A version of the table as the registry has it now (with `--latest`): the newest release of its major, with its
/// engines and the driver ranges of its peer (or own) dependencies; the bundled values where the registry says
/// nothing.
fn refreshed(fresh: &Fresh, package: &str, spec: &str, node: &str, drivers: &BTreeMap<String, String>) -> Fitted {
    let found = crate::npm_spec::start_major(spec).and_then(|major| fresh.get(&(package.to_string(), major)));
    let Some(published) = found else {
        return Fitted { spec: spec.to_string(), node: node.to_string(), drivers: drivers.clone() };
    };
    let drivers = drivers
        .iter()
        .map(|(driver, range)| {
            let now = published.peers.get(driver).or_else(|| published.dependencies.get(driver));
            (driver.clone(), now.unwrap_or(range).clone())
        })
        .collect();
    Fitted { spec: format!("^{}", published.version), node: published.node().unwrap_or(node).to_string(), drivers }
}

/// The versions chosen for a file: the store's row of the table and what is written for it, and a new client's.
struct Choice<'a> {
    version: &'a StoreVersion,
    store: Fitted,
    client: Option<(Fitted, &'a ClientVersion)>,
}

/// A store or client version as it is chosen: its range, the Node it needs, the drivers it accepts.
#[derive(Debug, Clone)]
struct Fitted {
    spec: String,
    node: String,
    drivers: BTreeMap<String, String>,
}

// The group's flags (no doc comment: clap would make it the command's description).
#[derive(Debug, Default, clap::Args)]
#[command(next_help_heading = "Session store (session-store)")]
pub struct StoreFlags {
    /// Session store backend for the session-store transform: redis, mongo, postgres, mysql, sequelize or knex
    /// (default: from the database clients in package.json, else redis).
    #[arg(long, value_name = "BACKEND")]
    pub store: Option<String>,
}

/// The session store's flag and configuration key (`"store": "postgres"`).
pub static STORE: SettingsGroup = SettingsGroup {
    key: "store",
    augment: <StoreFlags as clap::Args>::augment_args,
    check: |value| {
        let store = String::deserialize(value).map_err(|e| e.to_string())?;
        let valid = store_flags();
        if valid.contains(&store.as_str()) {
            Ok(())
        } else {
            Err(format!("unknown store `{store}`, expected one of {}", valid.join(", ")))
        }
    },
};

/// What to do with one session middleware's store.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Action {
    /// No `store` key: add one to this object.
    Add(Range<usize>),
    /// Replace this memory-store expression (the value, or the initialiser of a shared variable).
    Replace(Range<usize>),
    /// `session()`: the store goes into the options object written at this point.
    Create(usize),
}

impl Action {
    fn at(&self) -> usize {
        match self {
            Action::Add(r) | Action::Replace(r) => r.start,
            Action::Create(at) => *at,
        }
    }
}

impl Transform for SessionStore {
    fn info(&self) -> &TransformInfo {
        &self.info
    }

    fn watch(&self) -> &'static [Watch] {
        // The clients' packages too: a module that creates and exports the app's database client is what the store
        // reuses.
        &[
            Watch::Text("express-session"),
            Watch::Text("redis"),
            Watch::Text("mongodb"),
            Watch::Text("mongoose"),
            Watch::Text("'pg'"),
            Watch::Text("\"pg\""),
            Watch::Text("mysql"),
            Watch::Text("sequelize"),
            Watch::Text("knex"),
            // `client.db(name)`: the database the app uses on a MongoDB client the store reuses.
            Watch::AlsoCall("db"),
        ]
    }

    fn settings(&self) -> Vec<&'static SettingsGroup> {
        vec![&STORE, &EXPRESS]
    }

    fn configure(&mut self, input: &SettingsInput<'_>) -> Result<(), String> {
        let flags: StoreFlags = input.flags()?;
        if let Some(store) = &flags.store {
            let valid = store_flags();
            if !valid.contains(&store.as_str()) {
                return Err(format!("unknown store `{store}` in --store; valid values: {}", valid.join(", ")));
            }
        }
        self.store = flags.store.or(input.config(STORE.key)?);
        self.latest = ExpressTarget::read(input)?.latest;
        Ok(())
    }

    fn prepare(&mut self) -> Result<(), String> {
        if self.latest {
            self.fresh = read_registry()?;
        }
        Ok(())
    }

    fn surveys(&self, cx: &FileContext<'_>) -> crate::transform::Survey {
        // (The text: what a connection's URL argument reads.)
        let connects = data().backends.iter().any(|b| {
            cx.facts
                .calls
                .iter()
                .any(|site| connects_to(b, site) || b.settings.as_ref().is_some_and(|how| settings_call(how, site)))
        });
        if connects {
            crate::transform::Survey::Text
        } else {
            crate::transform::Survey::Nothing
        }
    }

    fn survey(&self, cx: &FileContext<'_>) -> Vec<String> {
        let mut notes = Vec::new();
        for backend in &data().backends {
            for site in cx.facts.calls.iter().filter(|site| connects_to(backend, site)) {
                if let Some(note) = site.call.args.first().and_then(|url| connection_url_note(cx, url)) {
                    notes.push(format!("{}:{note}", backend.id));
                }
            }
            // A connection made with settings (MySQL's `createConnection({ ... })`): the settings, when they can be
            // written in any module, else where the connection is made.
            if let Some(how) = &backend.settings {
                for site in cx.facts.calls.iter().filter(|site| settings_call(how, site)) {
                    let anywhere = |text: &str| !text.contains('\n') && reads_only(text, |_| false);
                    let line = cx.file.line(site.call.range.start());
                    let callee = cx.text(site.call.callee_range);
                    match connection_settings(cx, how, site, anywhere) {
                        Some(settings) => notes.push(format!("{}:{SETTINGS}{line}:{callee}:{settings}", backend.id)),
                        None => notes.push(format!("{}:{SETTINGS_AT}{line}:{callee}", backend.id)),
                    }
                }
            }
        }
        notes
    }

    fn plan(&self, cx: &FileContext<'_>, plan: &mut FilePlan) {
        // (Express 2's `express.session` is connect 1.x's, and today's stores extend express-session's Store, a peer
        // dependency the project does not have: its code is left alone, and express-version says why.)
        if express4::before_express3(cx.project) {
            return;
        }
        let facts = cx.facts;
        let uses = session::session_uses(facts, cx.links, EXPRESS_SESSION);
        let mut actions: Vec<(Action, SessionUse<'_>)> = Vec::new();
        for use_ in &uses {
            if let Some(action) = action_for(cx, plan, use_) {
                if !actions.iter().any(|(a, _)| *a == action) {
                    actions.push((action, *use_));
                }
            }
        }
        let Some((first_action, first_use)) = actions.iter().min_by_key(|(a, _)| a.at()).cloned() else {
            return;
        };
        let Some(backend) = choose_backend(cx, self.store.as_deref()) else { return };
        // Where the store's statements go: above the first top-level statement that can set up a session, which is
        // not the one holding it when a hoisted function holding it is called above its declaration.
        let own_stmt = facts.top_level_stmt_at(first_action.at()).map_or(first_action.at(), |r| r.start);
        let anchor = actions.iter().map(|(action, _)| earliest_run(facts, action.at())).min().unwrap_or(own_stmt);
        let is_ts = cx.file.kind != SourceKind::JavaScript;
        // The app's own client (in this file, else created and exported by another module of the project, such as
        // `lib/redis.js`, and imported here: one connection, configured once).
        let existing_client = |rules: &[ReuseRule]| {
            let client = find_client(cx, rules, is_ts, first_action.at(), options_only(backend));
            let project_client = match client {
                None => project_client(cx, backend, rules, is_ts).or_else(|| process_client(cx, rules, is_ts)),
                Some(_) => None,
            };
            match &project_client {
                Some((_, local, store, _, events)) => {
                    (Some(ClientRef::Existing(local.clone(), store.clone(), *events)), project_client)
                }
                None => (client, None),
            }
        };
        let (mut client, mut project_client) = existing_client(&backend.client.reuse);
        let creates_client = client.is_none() && backend.client.setup.is_some();
        let Choice { version, store: store_fitted, client: new_client } =
            match choose_version(cx, backend, creates_client, &self.fresh) {
                Ok(choice) => choice,
                Err(reason) => {
                    for (_, use_) in &actions {
                        plan.findings.push(cx.finding("no-compatible-version", use_.at(), reason.clone()));
                    }
                    return;
                }
            };
        if let Some(rules) = &version.reuse {
            (client, project_client) = existing_client(rules);
        }
        if client.is_none() && backend.client.required {
            for (_, use_) in &actions {
                plan.findings.push(cx.finding(
                    "needs-instance",
                    use_.at(),
                    format!(
                        "express-session uses its default MemoryStore, which leaks memory and loses sessions on \
                         restart; {} needs the app's own {} instance, which this file does not create: pass it to \
                         the store yourself",
                        backend.package, backend.id
                    ),
                ));
            }
            return;
        }

        let style = &facts.style;
        let mut vars: Vec<(&str, String)> = vec![("session", session::module_expr(facts, &first_use, EXPRESS_SESSION))];
        let mut import_templates: Vec<&str> = Vec::new();
        let mut setup: Vec<String> = Vec::new();
        let store_imports = version.imports.as_ref().unwrap_or(&backend.imports);
        if let Some((import, ..)) = &project_client {
            import_templates.push(import.as_str());
        }
        import_templates.extend(template_lines(store_imports, facts));
        let mut client_name = None;
        let mut url_from_app = None;
        // (Else the settings of the app's connection in another module: when they cannot be written here, a store
        // made with defaults would not reach the app's database, so none is made.)
        let settings_from_app = match &client {
            None => {
                match app_settings(cx, backend, first_action.at()).map(Ok).or_else(|| project_settings(cx, backend)) {
                    Some(Ok(settings)) => Some(settings),
                    Some(Err((place, callee))) => {
                        for (_, use_) in &actions {
                            plan.findings.push(cx.finding(
                                "settings-elsewhere",
                                use_.at(),
                                format!(
                                "express-session uses its default MemoryStore, which leaks memory and loses sessions \
                                 on restart; the app connects to its database with `{callee}` in {place}, with \
                                 settings this file cannot read: no store is added, since one made with default \
                                 settings would not reach that database. Give the store of {} the same {} here",
                                backend.package,
                                backend.settings.as_ref().map_or(String::new(), |how| match how.keys.split_last() {
                                    Some((last, [])) => last.clone(),
                                    Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
                                    None => String::new(),
                                })
                            ),
                            ));
                        }
                        return;
                    }
                    None => None,
                }
            }
            Some(_) => None,
        };
        // The client is made in the mode the store major needs for it (`legacyMode: true`).
        let client_range = match &new_client {
            Some((fitted, _)) => Some(fitted.spec.clone()),
            None => backend.client.package.as_deref().and_then(|package| cx.project.installed(package)),
        };
        let client_option = backend
            .client
            .package
            .as_deref()
            .zip(client_range.as_deref())
            .and_then(|(package, range)| version.legacy_option(package, range));
        let version_store = version.store.as_ref().unwrap_or(&backend.store);
        let shared = match &client {
            Some(ClientRef::Existing(..)) => shared_setup(backend, client_range.as_deref()),
            None => None,
        };
        let store_template = match &client {
            Some(ClientRef::Existing(expr, store, _)) => {
                match (&backend.client.shared, &shared) {
                    // The store's own connection from the app's client.
                    (Some(how), Some(shared)) => {
                        vars.push(("app", expr.clone()));
                        client_name = Some(how.name.as_str());
                        setup.push(shared.clone());
                    }
                    _ => vars.push(("client", expr.clone())),
                }
                store.as_ref().unwrap_or(version_store).clone()
            }
            None => match (
                &backend.client.setup,
                version.store_without_client.as_ref().or(backend.store_without_client.as_ref()),
            ) {
                (Some(client_setup), _) => {
                    client_name = Some(backend.client.name.as_deref().unwrap_or("client"));
                    if let Some(client_imports) = &backend.client.imports {
                        import_templates.extend(template_lines(client_imports, facts));
                    }
                    setup.push(
                        new_client.as_ref().and_then(|(_, v)| v.setup.clone()).unwrap_or_else(|| client_setup.clone()),
                    );
                    version_store.clone()
                }
                // (The app's own connection settings, when it has a connection the store cannot share.)
                (None, Some(without)) => match backend.settings.as_ref().zip(settings_from_app.as_ref()) {
                    Some((how, (settings, _))) => {
                        vars.push(("settings", settings.clone()));
                        how.store.clone()
                    }
                    None => {
                        if without.contains("$url") {
                            url_from_app = app_url(cx, backend).or_else(|| project_url(cx, backend, first_action.at()));
                            let default_url = || backend.url.as_ref().map(|u| u.replace("$db", &database_name(cx)));
                            let url = url_from_app.clone().or_else(default_url).unwrap_or_default();
                            vars.push(("url", url));
                        }
                        without.clone()
                    }
                },
                (None, None) => version_store.clone(),
            },
        };
        let db = database_name(cx);
        let mut store_template = store_template.replace("$db", &db);
        // The app's own database on a shared client or URL (`client.db(name)`, mongoose's `dbName`), which the store
        // would not find by itself.
        let app_db = version.db_option.as_deref().filter(|_| !store_template.contains("mongooseConnection")).and_then(
            |option| {
                Some((option, app_database(cx, backend, client.as_ref(), url_from_app.is_some(), first_action.at())?))
            },
        );
        match app_db {
            Some((option, Ok(expr))) => {
                if let Some(end) = store_template.rfind(" })") {
                    store_template = format!("{}, {option}: $dbname{}", &store_template[..end], &store_template[end..]);
                    vars.push(("dbname", expr));
                }
            }
            Some((option, Err(text))) => {
                for (_, use_) in &actions {
                    plan.findings.push(cx.finding(
                        "database-unknown",
                        use_.at(),
                        format!(
                            "the app selects its database on the client the store shares with `{text}`, which \
                             cannot be written here: pass the same name as the store's `{option}`, or the sessions \
                             go to the database of the client's URL (`test` when it names none)"
                        ),
                    ));
                }
            }
            None => {}
        }
        // What the store is built on (the app's client, URL, settings, database name) is made after that statement:
        // a store declared above it, or made when it runs, would not find it, so none is made.
        if anchor < own_stmt {
            let imported = |key: &str| project_client.is_some() && ["client", "app"].contains(&key);
            let late = vars[1..]
                .iter()
                .find(|(key, value)| !imported(key) && !bound_before(cx, value, first_action.at(), anchor));
            if let Some((_, value)) = late {
                let line = cx.file.line(anchor);
                for (_, use_) in &actions {
                    plan.findings.push(cx.finding(
                        "made-after-use",
                        use_.at(),
                        format!(
                            "express-session uses its default MemoryStore, which leaks memory and loses sessions on \
                             restart; the session is set up by a call on line {line}, which runs before `{value}`, \
                             which the store of {} would use, is made: no store is added, since it would not find \
                             it. Make `{value}` before line {line} (or set the session up after it is made)",
                            backend.package
                        ),
                    ));
                }
                return;
            }
        }
        let mut setup: Vec<String> = setup
            .iter()
            .map(|s| s.replace("$db", &db))
            .map(|s| client_option.map_or(s.clone(), |option| with_client_option(&s, option)))
            .collect();
        // Options written in a module that does not import express-session itself (it exports them to the module
        // that calls the middleware): a store factory that needs the session module gets an import of it.
        let session_import = match facts.module_system {
            ModuleSystem::CommonJs => "const session = require('express-session');",
            ModuleSystem::Esm => "import session from 'express-session';",
        };
        let needs_session = first_use.site.is_none()
            && facts.module_names(EXPRESS_SESSION).is_empty()
            && (import_templates.iter().any(|t| t.contains("$session")) || store_template.contains("$session"));
        if needs_session {
            import_templates.insert(0, session_import);
            vars[0].1 = "session".to_string();
        }
        // Every name the new code binds is free in the file, or is the file's own binding of the same thing.
        let mut names = NewNames::new(facts);
        let (imports, renames) = plan_imports(cx, &import_templates, first_action.at(), &mut names);
        if needs_session {
            if let Some((_, renamed)) = renames.iter().find(|(from, _)| from == "session") {
                vars[0].1 = renamed.clone();
            }
        }
        // The imported client (or `$module`, the package reaching it) under the name the import got.
        let mut client_label = None;
        if let Some((import, _, _, label, _)) = &project_client {
            let declared =
                crate::parse::parse_snippet(import).ok().and_then(|m| m.body.first().map(names::declared_by));
            if let Some(local) = declared.and_then(|d| d.into_iter().next()) {
                let name = renames.iter().find(|(from, _)| *from == local).map_or(local.clone(), |(_, to)| to.clone());
                for (_, value) in vars.iter_mut().filter(|(key, _)| *key == "client" || *key == "app") {
                    *value = if *value == local { name.clone() } else { value.replace("$module", &name) };
                }
                client_label = label.as_ref().map(|l| l.replace("$module", &name));
            }
        }
        if let Some(preferred) = client_name {
            vars.push(("client", names.pick(preferred, &aliases(preferred))));
        }
        // The store's own connection names the app's client where a new one names its variable.
        let shared_label = backend.client.shared.as_ref().filter(|_| shared.is_some()).and_then(|how| {
            let app = vars.iter().find(|(key, _)| *key == "app")?;
            Some((how, how.label.replace("$app", &app.1)))
        });
        if let Some((how, label)) = &shared_label {
            setup = setup.iter().map(|s| s.replace(&how.variable, label)).collect();
        }
        if let Some(watch) = &backend.watch {
            // (Its messages name the app's client the store shares rather than DATABASE_URL, which the app may not
            // use.)
            let shared_client = vars.iter().find(|(key, _)| *key == "client").map(|(_, c)| c.clone());
            let events = matches!(&client, Some(ClientRef::Existing(_, _, true)));
            let client_watch = backend.watch_client.as_ref().filter(|_| shared_client.is_some() && events);
            let watch = client_watch.map_or_else(|| watch.clone(), |w| format!("{watch}\n{w}"));
            let watch = match &shared_client {
                // ("PostgreSQL session store unreachable through pool: connect ECONNREFUSED".)
                Some(client) => watch
                    .replace("(DATABASE_URL) unreachable", &format!("unreachable through {client}"))
                    .replace("(DATABASE_URL) reconnected", &format!("reachable again through {client}"))
                    .replace("at DATABASE_URL is unreachable", &format!("is unreachable through {client}"))
                    .replace("DATABASE_URL", client),
                None => watch,
            };
            setup.push(format!("const $store = {store_template};\n{watch}"));
            store_template = "$store".to_string();
        }
        // A store whose start-up can fail with nobody waiting on it (connect-mongo's `collectionP`) is made in a
        // statement of its own with its handler, before the top-level statement that sets up the session, when what it
        // is built on is in reach there (a client imported or declared at the top level, not a callback's parameter
        // or a name of the function that sets up the session). Otherwise the next step says what happens.
        let guard_note = match backend.guard.as_ref().filter(|_| version.unguarded.is_none()) {
            Some(guard) => {
                let imported = project_client.is_some();
                let in_reach =
                    vars.iter().filter(|(key, _)| ["client", "url", "dbname"].contains(key)).all(|(key, value)| {
                        (*key == "client" && imported) || reads_top_level_names(cx, value, first_action.at(), anchor)
                    });
                if in_reach && !store_template.contains("$store") {
                    setup.push(format!("const $store = {store_template};\n{}", guard.setup));
                    store_template = "$store".to_string();
                    Some(guard.step.clone())
                } else {
                    Some(guard.unreached.clone())
                }
            }
            None => version.unguarded.clone(),
        };
        if let Some(preferred) = backend.client.state.as_deref().filter(|_| setup.iter().any(|s| s.contains("$down"))) {
            vars.push(("down", names.pick(preferred, &aliases(preferred))));
        }
        // (A store major that builds its store without `$store` needs none of the set-up: connect-redis 3 reports
        // its client's outages to express-session itself.)
        if store_template.contains("$store") {
            vars.push(("store", names.pick("sessionStore", &aliases("sessionStore"))));
        }
        if let Some(store_setup) = backend.store_setup.as_ref().filter(|_| store_template.contains("$store")) {
            setup.push(store_setup.clone());
        }
        let vars: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (*k, v.as_str())).collect();
        // Each statement is printed and fitted on its own, so that a semicolon-free file gets none on any line.
        // Files written with `var` (Express 3 era code) get `var` declarations.
        let var_style = ["express-session", "express"]
            .iter()
            .filter_map(|m| facts.bindings_of(m).find(|b| b.top_level))
            .any(|b| cx.text(b.stmt).starts_with("var "));
        let render_in = |source: &str, style: &crate::style::Style| -> Option<String> {
            match codegen::render(source, &renames, &vars, style, true) {
                Ok(items) => Some(
                    items
                        .into_iter()
                        .map(|line| match line.strip_prefix("const ").or_else(|| line.strip_prefix("let ")) {
                            Some(rest) if var_style => format!("var {rest}"),
                            _ => line,
                        })
                        .collect::<Vec<_>>()
                        .join(style.eol),
                ),
                Err(err) => {
                    // A template that does not parse is a bug in our data, not in the user's code.
                    eprintln!("express-harden: internal error in transforms/{ID}/data.json: {err}");
                    None
                }
            }
        };
        let render = |source: &str| render_in(source, style);
        let import_style = imports::style(cx, Some(EXPRESS_SESSION));

        // Imports, next to express-session's.
        // Import statements go next to express-session's import; other statements of the import template (the
        // `const PgStore = connectPgSimple(session)` of ES modules) after the whole import block.
        let (import_lines, factory_lines): (Vec<&str>, Vec<&str>) =
            imports.iter().copied().partition(|l| l.starts_with("import ") || l.contains("require("));
        let Some(store_expr) = render(&store_template).map(|s| s.trim_end_matches(';').to_string()) else { return };
        let import_text: Vec<String> = import_lines.iter().filter_map(|s| render_in(s, &import_style)).collect();
        let factory_text: Vec<String> = factory_lines.iter().filter_map(|s| render(s)).collect();
        let setup_text: Vec<String> = setup.iter().filter_map(|s| render(s)).collect();
        let imports_from = plan.edits.len();
        if !import_text.is_empty() {
            plan.edits.push(imports::insert(cx, &import_text.join(style.eol), Some(EXPRESS_SESSION)));
        }
        if !factory_text.is_empty() {
            plan.edits.push(imports::insert(cx, &factory_text.join(style.eol), None));
        }
        if !setup_text.is_empty() {
            let at = layout::before_statement(&cx.file.code, &facts.comments, anchor).unwrap_or(anchor);
            // Never above the imports it uses: a comment at the top of the file keeps them below it, and the
            // statement the set-up precedes may be the first one after that comment.
            let imported_at = plan.edits[imports_from..].iter().map(|e| e.range.end).max();
            let below_imports = imported_at.filter(|i| *i > at && *i <= anchor);
            let at = below_imports.unwrap_or(at);
            let indent = cx.file.indent_at(anchor).to_string();
            let block = objects::reindent(&setup_text.join(style.eol), &indent, style);
            // The block stands apart: a blank line before it (unless there is one) and after it.
            // (The line before `at`, which starts a line: its own line ending stripped, not the blank lines above.)
            let before = &cx.file.code[..at];
            let before = before.strip_suffix('\n').map_or(before, |b| b.strip_suffix('\r').unwrap_or(b));
            let line_before = before.rsplit('\n').next().unwrap_or("");
            // (The imports inserted there end with a blank line of their own.)
            let gap = if at == 0 || below_imports.is_some() || line_before.trim().is_empty() { "" } else { style.eol };
            plan.edits.push(Edit::insert(at, format!("{gap}{indent}{block}{}{}", style.eol, style.eol)));
        }
        for (action, _) in &actions {
            match action {
                Action::Add(obj_range) => {
                    let Some(obj) = uses.iter().filter_map(SessionUse::object).find(|o| o.range == *obj_range) else {
                        continue;
                    };
                    session::add_to_options(cx, plan, obj, vec![format!("store: {store_expr}")], true);
                }
                Action::Replace(range) => {
                    let indent = objects::indent_of_line(&cx.file.code, range.start);
                    plan.edits.push(Edit::replace(range.clone(), objects::reindent(&store_expr, &indent, style)));
                }
                Action::Create(at) => {
                    session::add_to_new_options(plan, *at, vec![format!("store: {store_expr}")], true);
                }
            }
        }

        let client_fitted = new_client.map(|(fitted, _)| fitted).filter(|_| client.is_none());
        request_dependencies(cx, plan, backend, &store_fitted, client_fitted);
        let step = match &client {
            Some(ClientRef::Existing(..)) if shared_label.is_some() => format!(
                "sessions are now stored with {} on a connection of their own to {}: it must be reachable in every \
                 environment (in production the app does not start without it; elsewhere, while it is unreachable, \
                 requests that need a session get an error response and the connection comes back by itself)",
                backend.package,
                shared_label.as_ref().map_or("", |(_, label)| label.as_str())
            ),
            Some(ClientRef::Existing(expr, ..)) => format!(
                "sessions are now stored with {} through the existing client `{}`: its database must be \
                 reachable in every environment",
                backend.package,
                client_label.as_ref().unwrap_or(expr)
            ),
            None => match (&url_from_app, &settings_from_app) {
                (_, Some((_, call))) => format!(
                    "sessions are now stored with {} through a connection of its own, made with the host, user, \
                     password and database the app's `{call}` names: that database must be reachable in every \
                     environment",
                    backend.package
                ),
                (Some(url), None) => format!(
                    "sessions are now stored with {} at the URL the app connects with (`{url}`): its database must \
                     be reachable in every environment",
                    backend.package
                ),
                (None, None) => backend.client.operator.replace("$db", &db),
            },
        };
        let step = match guard_note {
            Some(note) => format!("{step}; {note}"),
            None => step,
        };
        plan.next_steps.push(match &backend.client.prepare {
            Some(prepare) => format!("{step}; {prepare}"),
            None => step,
        });
    }
}

/// Decides what to do with one middleware, reporting what cannot be decided.
fn action_for(cx: &FileContext<'_>, plan: &mut FilePlan, use_: &SessionUse<'_>) -> Option<Action> {
    let facts = cx.facts;
    let message = "the session options are built outside this file or by a function: check that they set a \
                   persistent store, or express-session uses its MemoryStore";
    // `session()`: no options at all, so the MemoryStore; the store goes into the options object written there.
    if let Some(at) = use_.new_options_at(&cx.file.code) {
        return Some(Action::Create(at));
    }
    let obj = use_.object_or_report(cx, plan, message)?;
    let Some(prop) = obj.get("store") else {
        // Options spread into the ones another module writes get no store of their own: the caller's object does.
        if use_.is_partial() {
            return None;
        }
        match session::spread_keys(cx.links, &cx.file.code, obj) {
            // What is spread in (from modules of the project) sets the store: it is handled where it is written.
            Some(keys) if keys.contains(&"store") => return None,
            Some(_) => return Some(Action::Add(obj.range.into())),
            None => {}
        }
        if let Some(spread) = obj.spreads.first() {
            plan.findings.push(
                cx.finding(
                    "spread-options",
                    spread.start(),
                    "the session options are partly spread from another object: if it sets no store, express-session \
                 uses its MemoryStore"
                        .to_string(),
                ),
            );
            return None;
        }
        return Some(Action::Add(obj.range.into()));
    };
    match &prop.value {
        Value::Nothing(r) => Some(Action::Replace((*r).into())),
        Value::New(call) if is_memory_store(call.callee.as_ref()) => Some(Action::Replace(call.range.into())),
        Value::New(call) => {
            report_process_local(cx, plan, call, prop.range.start());
            None
        }
        Value::Ident(name, r) => match facts.declaration(name, r.start()) {
            Some(Declaration { init: Some(Value::New(call)), .. }) if is_memory_store(call.callee.as_ref()) => {
                Some(Action::Replace(call.range.into()))
            }
            Some(Declaration { init: Some(Value::New(call)), .. }) => {
                report_process_local(cx, plan, call, prop.range.start());
                None
            }
            // `let store = undefined;` (or `let store;`) set to a store only in some branch: undefined, so the
            // MemoryStore, whenever that branch did not run.
            Some(decl @ Declaration { init: None | Some(Value::Nothing(_)), .. }) => {
                let lines: Vec<String> = facts
                    .assigned
                    .iter()
                    .filter(|(n, at)| n == name && decl.scope.start() <= *at && *at < decl.scope.end())
                    .map(|(_, at)| cx.file.line(*at).to_string())
                    .collect();
                let assigned = match lines.as_slice() {
                    [] => "is never assigned a store".to_string(),
                    [one] => format!("is undefined unless line {one} assigns it a store"),
                    more => format!("is undefined unless one of lines {} assigns it a store", more.join(", ")),
                };
                plan.findings.push(cx.finding(
                    "runtime-store",
                    prop.range.start(),
                    format!(
                        "the session store `{name}` {assigned}: when it is undefined, express-session falls back \
                         to its MemoryStore, which leaks memory and loses sessions on restart"
                    ),
                ));
                None
            }
            _ => None,
        },
        // `store ?? undefined` on a constant made by `new`: that store, never undefined.
        Value::Conditional(r)
            if cx.text(*r).split_once("??").is_some_and(|(left, right)| {
                right.trim() == "undefined"
                    && matches!(
                        facts.declaration(left.trim(), r.start()),
                        Some(Declaration { kind: swc_ecma_ast::VarDeclKind::Const, init: Some(Value::New(_)), .. })
                    )
            }) =>
        {
            None
        }
        Value::Conditional(r) => {
            plan.findings.push(cx.finding(
                "runtime-store",
                prop.range.start(),
                format!(
                    "the session store is chosen at run time (`{}`): when it resolves to undefined, express-session \
                     falls back to its MemoryStore, which leaks memory and loses sessions on restart",
                    cx.text(*r).split_whitespace().collect::<Vec<_>>().join(" ")
                ),
            ));
            None
        }
        _ => None,
    }
}

/// `session.MemoryStore` or a `MemoryStore` imported from express-session. (The `memorystore` package's class is
/// another store, which the app chose: see [`report_process_local`].)
fn is_memory_store(callee: Option<&CalleeRef>) -> bool {
    let Some(callee) = callee else { return false };
    if callee.is_export(EXPRESS_SESSION, "MemoryStore") {
        return true;
    }
    callee.inline_require.as_deref() == Some(EXPRESS_SESSION) && *callee.members == ["MemoryStore"]
}

/// Store packages that keep the sessions in the process, bounded and pruned (not express-session's MemoryStore):
/// the app chose one, so it stays; the finding says what it does not do.
const PROCESS_LOCAL_STORES: &[&str] = &["memorystore"];

/// `new MemoryStore(...)` whose class a process-local store package made (`require('memorystore')(session)`): an
/// info finding on the `store` property. memorystore prunes expired sessions only with `checkPeriod` (its README;
/// without it an expired session goes only when it is read again, and its cache's `max` defaults to no bound), which
/// the finding asks for when the options do not set it.
fn report_process_local(cx: &FileContext<'_>, plan: &mut FilePlan, call: &crate::values::CallFacts, at: usize) {
    let Some(callee) = call.callee.as_ref().filter(|c| c.members.is_empty()) else { return };
    let made_by = cx.facts.declaration(callee.path.as_str(), call.range.start()).and_then(|d| match &d.init {
        Some(Value::Call(c)) => {
            PROCESS_LOCAL_STORES.iter().find(|pkg| c.callee.as_ref().is_some_and(|c| c.is_module(pkg)))
        }
        _ => None,
    });
    let Some(package) = made_by else { return };
    let prunes = matches!(call.args.first(), Some(Value::Object(o)) if o.get("checkPeriod").is_some());
    let pruning = if prunes {
        String::new()
    } else {
        "; it has no `checkPeriod`, so an expired session is dropped only when it is read again, and those nobody \
         comes back for stay in memory: set one (`checkPeriod: 86400000` prunes every 24 hours)"
            .to_string()
    };
    plan.findings.push(cx.finding(
        "process-local-store",
        at,
        format!(
            "`{}` is the {package} package's store, chosen by the app, and stays: it keeps sessions in this process, \
             so they are lost when it restarts and not shared between instances (several instances need a store \
             they share){pruning}",
            callee.path
        ),
    ));
}

/// `--store`, else the first backend whose client the project depends on and its code imports, else the first whose
/// client it depends on, else the default. (A client package no module imports is another package's driver: `pg`
/// listed for Sequelize's postgres dialect, where the app reaches its database only through its Sequelize instance.)
fn choose_backend<'a>(cx: &FileContext<'_>, store: Option<&str>) -> Option<&'a Backend> {
    let d = data();
    let depends = |pkg: &str| cx.project.listed(pkg).is_some();
    if let Some(flag) = store {
        let candidates: Vec<&Backend> = d.backends.iter().filter(|b| b.flag == flag).collect();
        return candidates.iter().find(|b| b.detect.iter().any(|p| depends(p))).or_else(|| candidates.first()).copied();
    }
    let uses = &cx.project.code_use;
    let imported = |pkg: &str| uses.imports.contains(pkg) || uses.unread.iter().any(|f| f.may_import(pkg));
    let listed = || d.backends.iter().filter(|b| b.detect.iter().any(|p| depends(p)));
    listed()
        .find(|b| b.detect.iter().any(|p| depends(p) && imported(p)))
        .or_else(|| listed().next())
        .or_else(|| d.backends.iter().find(|b| b.id == d.default_backend))
}

/// How new code reaches the database client.
#[derive(Debug, Clone)]
enum ClientRef {
    /// An expression for a client the file already creates, the store template its reuse rule asks for, and whether
    /// the client emits its connection's errors (`client.on('error', ...)`: [`ReuseRule::events`]).
    Existing(String, Option<String>, bool),
}

/// Whether the store is written only into the session's options, with no statement of its own at the top level (a
/// set-up that shares or watches the client): then a client declared in the function that sets up the session is
/// in reach too, not only one of the top level.
fn options_only(backend: &Backend) -> bool {
    backend.watch.is_none() && backend.store_setup.is_none() && backend.client.shared.is_none()
}

/// A client of the backend's kind that the file creates before `before` and that is in scope there (at its top
/// level, or, when `nested`, in a block around `before`: `const client = await MongoClient.connect(url)` in the
/// async function that then sets up the session), or imports from the project's own module that creates it
/// (`export const redis = new Redis(url)` in `lib/redis.js`).
fn find_client(
    cx: &FileContext<'_>,
    rules: &[ReuseRule],
    is_ts: bool,
    before: usize,
    nested: bool,
) -> Option<ClientRef> {
    let (facts, links) = (cx.facts, cx.links);
    for rule in rules.iter().filter(|r| !r.elsewhere) {
        if is_ts && !rule.typescript {
            continue;
        }
        if let Some(index) = rule.callback_param {
            if let Some(name) = callback_client(cx, rule, index, before, nested) {
                return Some(ClientRef::Existing(name, rule.store.clone(), rule.events));
            }
            continue;
        }
        for site in facts.calls.iter().filter(|s| s.is_new == rule.new && s.call.range.start() < before) {
            let Some(callee) = &site.call.callee else { continue };
            if rule.called_again {
                // `const pgp = require('pg-promise')()`, then `const db = pgp(url)` at the top level.
                let Some(made) = declared_by(facts, site).filter(|_| callee.is_module(&rule.module)) else { continue };
                let client = facts.declarations.iter().find(|d| {
                    d.top_level
                        && d.declarator.start() < before
                        && matches!(&d.init, Some(Value::Call(call)) if call.callee.as_ref().is_some_and(|c| {
                            c.path == made.name && c.binding.is_none() && c.members.is_empty()
                        }))
                });
                if let Some(client) = client {
                    return Some(ClientRef::Existing(client.name.to_string(), rule.store.clone(), rule.events));
                }
                continue;
            }
            let matches = match &rule.export {
                Some(export) => callee.is_export(&rule.module, export),
                None => callee.is_module(&rule.module),
            };
            if !matches {
                continue;
            }
            if let Some(expr) = &rule.expr {
                if site.stmt.as_ref().is_some_and(|s| s.top_level) {
                    let module = callee.binding.as_ref().map_or("", |b| b.local.as_str());
                    return Some(ClientRef::Existing(expr.replace("$module", module), rule.store.clone(), rule.events));
                }
                continue;
            }
            if let Some(decl) = declared_in_scope(cx, site, before, nested) {
                return Some(ClientRef::Existing(decl.name.to_string(), rule.store.clone(), rule.events));
            }
        }
    }
    // (A `called_again` rule's client is what calling a package call's value made: `db` imported from the module that
    // makes it with `pgp(url)`, never the initialised library `pgp` itself.)
    for rule in rules.iter().filter(|r| !r.elsewhere && r.callback_param.is_none()) {
        if is_ts && !rule.typescript {
            continue;
        }
        for instance in &links.imported_instances {
            if !rule.matches(&instance.module, &instance.members, instance.is_new, instance.called_again) {
                continue;
            }
            match &rule.expr {
                // (`mongoose.connect(url)` returns a promise: the client is reached through the module, which this
                // file must import itself.)
                Some(expr) => {
                    if let Some(module) = facts.module_names(&rule.module).first() {
                        return Some(ClientRef::Existing(
                            expr.replace("$module", module),
                            rule.store.clone(),
                            rule.events,
                        ));
                    }
                }
                None => return Some(ClientRef::Existing(instance.local.to_string(), rule.store.clone(), rule.events)),
            }
        }
    }
    None
}

/// The name of the client a [`ReuseRule::callback_param`] rule finds: what the package's call
/// (`MongoClient.connect(url)`) delivers, when it is in reach at `at`: the parameter at `index` of the function given
/// last to the call, `(err, db) => ...`, or the first parameter of the function given to its `.then(...)`, when that
/// function holds `at` (as the analysis recorded them: [`crate::analysis::FunctionFacts::params`]); or the name
/// declared as its awaited value, `const client = await MongoClient.connect(url)`, in scope at `at`.
fn callback_client(cx: &FileContext<'_>, rule: &ReuseRule, index: usize, at: usize, nested: bool) -> Option<String> {
    let facts = cx.facts;
    let method = rule.method.as_deref()?;
    let export = rule.export.as_deref()?;
    let holds_at = |range: crate::parse::ByteRange| range.start() < at && at < range.end();
    let param = |range: crate::parse::ByteRange, index: usize| {
        let function = facts.functions.iter().find(|f| f.range == range)?;
        function.params.get(index)?.as_ref().map(|name| name.to_string())
    };
    facts.calls.iter().filter(|s| !s.is_new && s.call.range.start() < at).find_map(|site| {
        let callee = site.call.callee.as_ref()?;
        let binding = callee.binding.as_ref()?;
        let members: Vec<&str> = callee.members.iter().map(|m| m.as_str()).collect();
        let matches = binding.module == rule.module
            && match &binding.kind {
                ImportKind::Module => members == [export, method],
                ImportKind::Named(name) => name == export && members == [method],
            };
        if !matches {
            return None;
        }
        if let Some(callback) = site.call.args.last().map(Value::range).filter(|r| holds_at(*r)) {
            return param(callback, index);
        }
        // `MongoClient.connect(url).then((client) => ...)`: the function right after `.then(`.
        let end = site.call.range.end();
        let then = facts.functions.iter().filter(|f| f.range.start() >= end && holds_at(f.range)).find(|f| {
            let between: String = cx.file.code[end..f.range.start()].split_whitespace().collect();
            between == ".then("
        });
        if let Some(then) = then {
            return param(then.range, 0);
        }
        declared_in_scope(cx, site, at, nested).map(|d| d.name.to_string())
    })
}

/// A client reached through an import the store adds: the import statement, the expression for the client (the
/// name the import binds, or an expression of `$module`, that name), the store template its rule asks for, and what
/// the next step calls it.
type ImportedClient = (String, String, Option<String>, Option<String>, bool);

/// A client of the backend's kind that another module of the project creates and exports: the statement that
/// imports it here, the name it binds, and the store template its reuse rule asks for.
fn project_client(cx: &FileContext<'_>, backend: &Backend, rules: &[ReuseRule], is_ts: bool) -> Option<ImportedClient> {
    let esm = cx.facts.module_system == ModuleSystem::Esm;
    let rules = rules.iter().filter(|r| r.callback_param.is_none());
    for rule in rules.filter(|r| r.expr.is_none() && !r.elsewhere && (!is_ts || r.typescript)) {
        let found = cx.project.instances.iter().find(|instance| {
            rule.matches(&instance.module, &instance.members, instance.is_new, instance.called_again)
                && instance.file != cx.file.path
        });
        let Some(instance) = found else { continue };
        // ES modules in Node name the file with its extension; TypeScript and CommonJS without.
        let keep_extension = esm && cx.file.kind == SourceKind::JavaScript;
        let spec = crate::links::relative_specifier(&cx.file.path, &instance.file, keep_extension)?;
        let local = instance
            .local
            .as_deref()
            .map(str::to_string)
            .unwrap_or_else(|| backend.client.name.clone().unwrap_or("client".into()));
        let import = match (esm, instance.export.as_str()) {
            (false, "default") => format!("const {local} = require('{spec}');"),
            (false, export) if export == local => format!("const {{ {export} }} = require('{spec}');"),
            (false, export) => format!("const {{ {export}: {local} }} = require('{spec}');"),
            (true, "default") => format!("import {local} from '{spec}';"),
            (true, export) if export == local => format!("import {{ {export} }} from '{spec}';"),
            (true, export) => format!("import {{ {export} as {local} }} from '{spec}';"),
        };
        return Some((import, local, rule.store.clone(), None, rule.events));
    }
    None
}

/// A connection a package keeps for the whole process, opened somewhere in the project (`mongoose.connect(url)` in a
/// `connectDb()` of `db.js`): the import of the package here (the file's own, when it has one), the expression that
/// reaches the connection, and the store template its rule asks for.
fn process_client(cx: &FileContext<'_>, rules: &[ReuseRule], is_ts: bool) -> Option<ImportedClient> {
    let rule = rules.iter().filter(|r| r.elsewhere && (!is_ts || r.typescript)).find(|r| {
        let export = r.export.clone().unwrap_or_default();
        cx.project.package_calls.contains(&(r.module.clone(), export))
    })?;
    let module = &rule.module;
    let import = match cx.facts.module_system {
        ModuleSystem::CommonJs => format!("const {module} = require('{module}');"),
        ModuleSystem::Esm => format!("import {module} from '{module}';"),
    };
    let expr = rule.expr.clone().unwrap_or("$module".to_string());
    Some((import, expr, rule.store.clone(), rule.label.clone(), rule.events))
}

/// The set-up of the store's own connection from the app's client (`$app`), for the client version `range` the
/// project uses (the newest's when it lists none): the statement that makes it, then the rest of that version's
/// set-up of a new client (its listeners, the production check). `None` when the backend has none.
fn shared_setup(backend: &Backend, range: Option<&str>) -> Option<String> {
    let client = &backend.client;
    let major = range.and_then(crate::npm_spec::start_major);
    let row =
        client.versions.iter().find(|v| major.is_some() && crate::npm_spec::start_major(&v.package.spec) == major);
    let make = row.and_then(|r| r.duplicate.as_ref()).unwrap_or(&client.shared.as_ref()?.setup);
    let setup = row.and_then(|r| r.setup.as_ref()).or(client.setup.as_ref())?;
    // (Every set-up starts with the statement that makes the client, which ends with its options' `});`.)
    let (_, rest) = setup.split_once("\n});\n")?;
    Some(format!("{make}\n{rest}"))
}

/// `setup` with `option` (`legacyMode: true`) first in the options of the call that makes its client. (A duplicate of
/// the app's node-redis 4 client says `legacyMode: false` first: it would otherwise inherit the app's legacy mode, which
/// a store for a modern client cannot use; the option given replaces that line.)
fn with_client_option(setup: &str, option: &str) -> String {
    if let Some((head, tail)) = setup.split_once("({\n  legacyMode: false,\n") {
        return format!("{head}({{\n  {option},\n{tail}");
    }
    match setup.split_once("({\n") {
        Some((head, tail)) => format!("{head}({{\n  {option},\n{tail}"),
        None => setup.to_string(),
    }
}

/// The declaration whose initialiser is this call, or its awaited value (`const client = await
/// MongoClient.connect(url)`), whose name is in scope at `at`: a top-level one, or, when `nested`, one of a block
/// around `at`, declared before it (in the function that then sets up the session).
fn declared_in_scope<'a>(cx: &FileContext<'a>, site: &CallSite, at: usize, nested: bool) -> Option<&'a Declaration> {
    let call = site.call.range;
    cx.facts.declarations.iter().find(|d| {
        let initialises = d.init.as_ref().map(|v| v.range()).is_some_and(|init| {
            init == call
                || (init.end() == call.end()
                    && init.start() < call.start()
                    && cx.file.code[init.start()..call.start()].trim() == "await")
        });
        let in_scope = d.top_level || (nested && d.scope.start() <= at && at < d.scope.end() && d.stmt.end() <= at);
        initialises && in_scope
    })
}

/// The start of the earliest top-level statement from which the code at `at` can run: the statement holding it,
/// or, when a function holds it, each top-level statement that calls that function, directly or through other
/// functions of the file (a function without a name counts as run where it is written: a callback). A function
/// declaration is hoisted, so `start();` above `function start() { setup(app) }` and `function setup(app) {
/// app.use(session(...)) }` runs the session's set-up before either declaration: code it needs goes above `start();`.
/// (A function handed on by name rather than called, `app.configure(setup)`, is not followed.)
fn earliest_run(facts: &FileFacts, at: usize) -> usize {
    let stmt_start = |at: usize| facts.top_level_stmt_at(at).map_or(at, |r| r.start);
    let calls = facts.local_calls();
    let mut earliest = stmt_start(at);
    let mut pending = vec![at];
    let mut followed: Vec<crate::parse::ByteRange> = Vec::new();
    while let Some(at) = pending.pop() {
        let innermost = facts
            .functions
            .iter()
            .filter(|f| f.range.start() < at && at < f.range.end())
            .min_by_key(|f| f.range.end() - f.range.start());
        match innermost {
            None => earliest = earliest.min(stmt_start(at)),
            Some(f) if followed.contains(&f.range) => {}
            Some(f) => {
                followed.push(f.range);
                match &f.name {
                    Some(name) => pending.extend(calls.iter().filter(|c| c.callee == *name).map(|c| c.range.start())),
                    None => pending.push(f.range.start()),
                }
            }
        }
    }
    earliest
}

/// Whether every name the expression `expr` reads is bound at the top level of the file by a statement that ends
/// before `anchor` (where new top-level code goes), and is what `at` sees under that name (no function around `at`
/// has a parameter of it): an import, a top-level declaration, or a global of Node (`process`). A template literal,
/// whose text this does not read, counts as reading a name that is not.
fn reads_top_level_names(cx: &FileContext<'_>, expr: &str, at: usize, anchor: usize) -> bool {
    const GLOBALS: &[&str] = &["process", "Promise", "undefined", "null", "true", "false", "new", "typeof", "String"];
    let facts = cx.facts;
    let top_level = |name: &str| {
        if GLOBALS.contains(&name) {
            return true;
        }
        let shadowed = facts.functions.iter().filter(|f| f.range.start() < at && at < f.range.end()).any(|f| {
            f.params.iter().flatten().any(|p| p == name) || f.object_params.iter().any(|(_, _, local)| local == name)
        });
        if shadowed {
            return false;
        }
        match facts.declaration(name, at) {
            Some(d) => d.top_level && d.stmt.end() <= anchor,
            None => facts.bindings.iter().any(|b| b.top_level && b.local == name && b.stmt.end() <= anchor),
        }
    };
    names_read(expr).is_some_and(|names| names.into_iter().all(top_level))
}

/// Whether no name the expression `expr` reads, as `at` sees it, is bound at the top level of the file by a
/// statement that ends after `anchor` (a `const`, `let` or `var`, or a `require`; imports are hoisted): the
/// expression, placed before `anchor` or run from there, finds every name initialised. Names of a function around
/// `at` are in time. A template literal, whose text this does not read, counts as not in time.
fn bound_before(cx: &FileContext<'_>, expr: &str, at: usize, anchor: usize) -> bool {
    let facts = cx.facts;
    let in_time = |name: &str| match facts.declaration(name, at) {
        Some(d) => !d.top_level || d.stmt.end() <= anchor,
        None => !facts.bindings.iter().any(|b| {
            b.top_level && b.local == name && b.stmt.end() > anchor && !cx.text(b.stmt).starts_with("import ")
        }),
    };
    names_read(expr).is_some_and(|names| names.into_iter().all(in_time))
}

/// The names an expression reads (not those after a `.`), or `None` when it holds a template literal, whose text
/// this does not read.
fn names_read(expr: &str) -> Option<Vec<&str>> {
    let mut names = Vec::new();
    let bytes = expr.as_bytes();
    let ident_char = |c: u8| c.is_ascii_alphanumeric() || c == b'_' || c == b'$';
    let mut i = 0;
    let mut after_dot = false;
    while i < bytes.len() {
        let c = bytes[i];
        if c == b'\'' || c == b'"' {
            i += 1;
            while i < bytes.len() && bytes[i] != c {
                i += if bytes[i] == b'\\' { 2 } else { 1 };
            }
            i += 1;
            after_dot = false;
        } else if c == b'`' {
            return None;
        } else if ident_char(c) {
            let start = i;
            while i < bytes.len() && ident_char(bytes[i]) {
                i += 1;
            }
            if !after_dot && !c.is_ascii_digit() {
                names.push(&expr[start..i]);
            }
            after_dot = false;
        } else {
            if !c.is_ascii_whitespace() {
                after_dot = c == b'.';
            }
            i += 1;
        }
    }
    Some(names)
}

/// The top-level declaration whose initialiser is this call.
fn declared_by<'a>(facts: &'a FileFacts, site: &CallSite) -> Option<&'a Declaration> {
    facts.declarations.iter().find(|d| d.top_level && d.init.as_ref().is_some_and(|v| v.range() == site.call.range))
}

/// The statements of an import template for the file's module system (one per line).
fn template_lines<'a>(imports: &'a Imports, facts: &FileFacts) -> impl Iterator<Item = &'a str> {
    let template = match facts.module_system {
        ModuleSystem::CommonJs => &imports.cjs,
        ModuleSystem::Esm => &imports.esm,
    };
    template.lines().filter(|l| !l.trim().is_empty())
}

/// Better names for the bindings the templates declare, when theirs are taken (`transforms/session-store/data.json`,
/// `aliases`).
fn aliases(name: &str) -> Vec<&'static str> {
    data().aliases.get(name).map(|a| a.iter().map(String::as_str).collect()).unwrap_or_default()
}

/// Which import statements the new code needs (the templates' lines, `template_lines`), and the renames that make
/// every name they bind free in the file. A statement that imports what the file already imports at its top level
/// (with `import`, or with a require before `before`, where the store is used) is dropped and the file's name used
/// instead; so is a store class the file already makes from the store package before `before`
/// (`const PgStore = require('connect-pg-simple')(session)`). Every other name a statement declares gets a free one
/// (`{ createClient: createRedisClient }` when the file has a `createClient` of its own).
fn plan_imports<'a>(
    cx: &FileContext<'_>,
    templates: &[&'a str],
    before: usize,
    names: &mut NewNames<'_>,
) -> (Vec<&'a str>, Vec<(String, String)>) {
    let facts = cx.facts;
    let mut kept = Vec::new();
    let mut renames: Vec<(String, String)> = Vec::new();
    // The modules the templates' own names stand for (`connectPgSimple` -> connect-pg-simple).
    let mut modules: Vec<(String, String)> = Vec::new();
    fn rename(from: &str, to: &str, renames: &mut Vec<(String, String)>) {
        if from != to && !renames.iter().any(|(f, _)| f == from) {
            renames.push((from.to_string(), to.to_string()));
        }
    }
    for &line in templates {
        let Some(item) = crate::parse::parse_snippet(line).ok().and_then(|m| m.body.into_iter().next()) else {
            continue;
        };
        let imported = names::imported_by(&item);
        if !imported.is_empty() {
            modules.extend(
                imported.iter().filter(|(_, _, k)| *k == ImportKind::Module).map(|(l, m, _)| (l.clone(), m.clone())),
            );
            let existing: Option<Vec<String>> = imported
                .iter()
                .map(|(_, module, kind)| {
                    // (An `import` is bound before any code runs; a require only from its line on.)
                    facts
                        .bindings_of(module)
                        .find(|b| {
                            let hoisted = cx.text(b.stmt).starts_with("import ");
                            b.top_level && b.kind == *kind && (b.stmt.end() <= before || hoisted)
                        })
                        .map(|b| b.local.to_string())
                })
                .collect();
            if let Some(locals) = existing {
                for ((local, _, _), existing) in imported.iter().zip(&locals) {
                    names.keep(existing);
                    rename(local, existing, &mut renames);
                }
                continue;
            }
        } else if let Some((declared, module)) = store_factory(&item, &modules) {
            let existing = facts.declarations.iter().find(|d| {
                d.top_level
                    && d.declarator.end() <= before
                    && matches!(&d.init, Some(Value::Call(c)) if c.callee.as_ref().is_some_and(|c| c.is_module(&module)))
            });
            if let Some(existing) = existing {
                names.keep(&existing.name);
                rename(&declared, &existing.name, &mut renames);
                continue;
            }
        }
        for local in names::declared_by(&item) {
            let name = names.pick(&local, &aliases(&local));
            rename(&local, &name, &mut renames);
        }
        kept.push(line);
    }
    (kept, renames)
}

/// `const Store = require('m')(...)` or `const Store = m(...)` (`m` a template's import of the module itself): the
/// name declared and the module.
fn store_factory(item: &swc_ecma_ast::ModuleItem, modules: &[(String, String)]) -> Option<(String, String)> {
    use swc_ecma_ast::{Callee, Decl, Expr, ModuleItem, Pat, Stmt};
    let ModuleItem::Stmt(Stmt::Decl(Decl::Var(var))) = item else { return None };
    let [decl] = var.decls.as_slice() else { return None };
    let (Pat::Ident(id), Some(Expr::Call(call))) = (&decl.name, decl.init.as_deref()) else { return None };
    let Callee::Expr(callee) = &call.callee else { return None };
    let module = match &**callee {
        Expr::Ident(f) => modules.iter().find(|(local, _)| *local == *f.sym).map(|(_, m)| m.clone())?,
        other => crate::bindings::require_source(other)?,
    };
    Some((id.id.sym.to_string(), module))
}

/// The versions of each database driver the project's clients are made by: the driver's own entry in package.json
/// (`"mongodb": "^3.6.0"`), or the driver a listed package depends on (`"mongoose": "^5.13.0"`: mongodb 3), with the
/// package it was read from.
fn project_drivers(cx: &FileContext<'_>, backend: &Backend) -> Vec<(String, String, String)> {
    let mut drivers: Vec<&String> = backend.versions.iter().flat_map(|v| v.drivers.keys()).collect();
    drivers.sort();
    drivers.dedup();
    let mut found = Vec::new();
    for driver in drivers {
        if let Some(spec) = cx.project.installed(driver) {
            found.push((driver.clone(), spec, driver.clone()));
        }
        for (package, bundled) in data().bundled_drivers.iter().filter(|(_, b)| b.driver == *driver) {
            let Some(spec) = cx.project.installed(package) else { continue };
            let ranges: Vec<&str> =
                bundled.versions.iter().filter(|v| overlaps(&v.range, &spec)).map(|v| v.driver.as_str()).collect();
            if !ranges.is_empty() {
                found.push((driver.clone(), ranges.join(" || "), format!("{package} {spec}")));
            }
        }
    }
    found
}

/// The newest store version that fits the project: the major package.json already lists, else one that runs on the
/// project's Node; in both cases one that accepts the project's database drivers. With a new client, also the
/// client version (the one listed, else the newest that runs on the project's Node and that the store accepts).
/// Versions are the bundled table's, or the registry's with `--latest` (`fresh`). `Err` says why none fits.
fn choose_version<'a>(
    cx: &FileContext<'_>,
    backend: &'a Backend,
    creates_client: bool,
    fresh: &Fresh,
) -> Result<Choice<'a>, String> {
    // (A raise an earlier phase of this run asked for, express4's of connect-redis 1 to a major that takes
    // express-session, is what the store is written for: the next run reads it in package.json.)
    let listed = cx.project.listed(&backend.package);
    let raised = cx
        .requested
        .iter()
        .rev()
        .find(|r| r.package == backend.package && listed.as_deref().is_some_and(|listed| r.raises(listed)));
    let listed_store = raised.map(|r| r.spec.clone()).or_else(|| cx.project.installed(&backend.package));
    // (Code that calls the store package's module, `require('connect-redis')(session)`, with the package listed
    // nowhere, runs only on a major whose module is that factory: connect-redis 7 and later export a class, and the
    // call would throw at start.)
    let factory = listed_store.is_none() && cx.project.code_use.factory_calls.contains(&backend.package);
    let drivers = project_drivers(cx, backend);
    let client_package = backend.client.package.as_deref().filter(|_| creates_client);
    let listed_client = client_package.and_then(|package| cx.project.installed(package));
    let none = BTreeMap::new();
    for version in &backend.versions {
        let fitted = refreshed(fresh, &backend.package, &version.spec, &version.node, &version.drivers);
        let fits = match &listed_store {
            Some(spec) => overlaps(&fitted.spec, spec),
            None => cx.project.node.supports(&fitted.node),
        };
        let accepts = |driver: &str, range: &str| fitted.drivers.get(driver).is_none_or(|a| overlaps(a, range));
        // (A driver the major takes only in a mode of its own, node-redis 4 in `legacyMode` for connect-redis 6, is
        // the project's: its client is made in that mode. A new client is one the major takes as it is.)
        let takes =
            |driver: &str, range: &str| accepts(driver, range) || version.legacy_option(driver, range).is_some();
        if !fits
            || (factory && !version.is_factory(backend))
            || !drivers.iter().all(|(driver, range, _)| takes(driver, range))
        {
            continue;
        }
        let Some(package) = client_package else { return Ok(Choice { version, store: fitted, client: None }) };
        let client = backend.client.versions.iter().find_map(|v| {
            let client = refreshed(fresh, package, &v.package.spec, &v.package.node, &none);
            let fits = match &listed_client {
                Some(spec) => overlaps(&client.spec, spec),
                None => cx.project.node.supports(&client.node) && accepts(package, &client.spec),
            };
            fits.then_some((client, v))
        });
        if client.is_some() {
            return Ok(Choice { version, store: fitted, client });
        }
    }
    let node = &cx.project.node;
    let mut needs = match &listed_store {
        Some(spec) => format!("the {} {spec} the project uses has no code in the bundled table", backend.package),
        None => {
            let form = match factory {
                true => format!(
                    " whose module is the factory the project's code calls (`require('{}')(...)`)",
                    backend.package
                ),
                false => String::new(),
            };
            format!(
                "no {} version{form} runs on the project's Node ({}, from {})",
                backend.package, node.range, node.source
            )
        }
    };
    for (driver, range, from) in &drivers {
        let from = if from == driver { String::new() } else { format!(", from {from}") };
        needs.push_str(&format!(" with {driver} {range}{from}"));
    }
    // (The client package is often one of the drivers already named: `with redis ^4.6.0`, once.)
    if let (Some(package), Some(spec)) = (client_package, &listed_client) {
        if !drivers.iter().any(|(driver, range, _)| driver == package && range == spec) {
            needs.push_str(&format!(" and {package} {spec}"));
        }
    }
    Err(format!(
        "express-session uses its default MemoryStore, which leaks memory and loses sessions on restart; {needs}: \
         choose a store yourself (transforms/session-store/data.json lists the versions and what each needs)"
    ))
}

/// How the new store reaches the app's database when the app has no client to reuse: the URL the app itself connects
/// with in this file (`mongoose.connect(process.env.MONGODB_URI || config.db)`), when it reads only environment
/// variables, literals and names bound before. `None`: the backend's own `url` (a new environment variable with a
/// local default for development named after the app).
fn app_url(cx: &FileContext<'_>, backend: &Backend) -> Option<String> {
    let facts = cx.facts;
    let connects = |site: &&CallSite| connects_to(backend, site);
    let url = facts.calls.iter().filter(|s| s.stmt.as_ref().is_some_and(|s| s.top_level)).find(connects);
    let arg = url.and_then(|site| site.call.args.first())?;
    let text = cx.text(arg.range());
    url_is_portable(facts, text, arg.range().start()).then(|| text.to_string())
}

/// The app's own connection settings for a store made without its connection ([`Settings`]): the options object of
/// the first connection call at the top level of the file, as an object of the options the store copies, when it
/// writes the required one and each copied value reads only `process.env`, literals and names bound before `at`; with
/// the call's text for the next step (`mysql.createPool`). `None` for a URL, a spread, or a value computed otherwise.
fn app_settings(cx: &FileContext<'_>, backend: &Backend, at: usize) -> Option<(String, String)> {
    let settings = backend.settings.as_ref()?;
    let facts = cx.facts;
    let site = facts
        .calls
        .iter()
        .filter(|s| s.stmt.as_ref().is_some_and(|s| s.top_level))
        .find(|s| settings_call(settings, s))?;
    let copied = connection_settings(cx, settings, site, |text| url_is_portable(facts, text, at))?;
    Some((copied, cx.text(site.call.callee_range).to_string()))
}

/// Whether a call makes a connection with settings (`mysql.createConnection({ ... })`).
fn settings_call(settings: &Settings, site: &CallSite) -> bool {
    !site.is_new
        && site
            .call
            .callee
            .as_ref()
            .is_some_and(|c| settings.from.iter().any(|(module, export)| c.is_export(module, export)))
}

/// The options a store copies from a connection call's object literal (`{ host: ..., database: ... }`), when it writes
/// the required one and each copied value is `portable` (can be written where the store is). `None` for a URL, a spread, or a value computed otherwise.
fn connection_settings(
    cx: &FileContext<'_>,
    settings: &Settings,
    site: &CallSite,
    portable: impl Fn(&str) -> bool,
) -> Option<String> {
    let Some(Value::Object(options)) = site.call.args.first() else { return None };
    if !options.spreads.is_empty() || options.get(&settings.required).is_none() {
        return None;
    }
    let mut copied = Vec::new();
    for key in &settings.keys {
        let Some(prop) = options.get(key) else { continue };
        let text = cx.text(prop.value.range());
        if !portable(text) {
            return None;
        }
        copied.push(format!("{key}: {text}"));
    }
    Some(format!("{{ {} }}", copied.join(", ")))
}

/// The survey's note of a connection made with settings in a module, when they can be written in any module (they read
/// only `process.env` and literals): `settings=LINE:callee:{ host: ..., database: ... }`.
const SETTINGS: &str = "settings=";
/// The survey's note of a connection made with settings that cannot be written elsewhere: `settings-at=LINE:callee`.
const SETTINGS_AT: &str = "settings-at=";

/// The settings another module of the project makes its connection with ([`SETTINGS`]), for a store that has none
/// in its own file: `Ok` with the settings and the call that names them (`mysql.createPool` in `lib/db.js`); `Err`
/// with the call's place (`lib/db.js:3`, `mysql.createConnection`) when its settings cannot be written here (read
/// from a config module, computed): a store made with defaults would not reach the app's database. `None`: no other
/// module makes one.
fn project_settings(cx: &FileContext<'_>, backend: &Backend) -> Option<Result<(String, String), (String, String)>> {
    backend.settings.as_ref()?;
    let prefix = format!("{}:", backend.id);
    let survey = cx.project.survey(ID);
    let elsewhere: Vec<(&std::path::Path, &str)> =
        survey.notes(&prefix).filter(|(path, _)| *path != cx.file.path.as_path()).collect();
    let shown = |path: &std::path::Path| crate::root::display_path(path).to_string();
    let copied = elsewhere.iter().find_map(|(path, note)| {
        let (line, rest) = note.strip_prefix(SETTINGS)?.split_once(':')?;
        let (callee, settings) = rest.split_once(':')?;
        Some(Ok((settings.to_string(), format!("{callee}` in `{}:{line}", shown(path)))))
    });
    copied.or_else(|| {
        elsewhere.iter().find_map(|(path, note)| {
            let (line, callee) = note.strip_prefix(SETTINGS_AT)?.split_once(':')?;
            Some(Err((format!("{}:{line}", shown(path)), callee.to_string())))
        })
    })
}

/// What a connection's URL argument, written in another module than the session, tells the store: a note
/// `url=TEXT` when it reads only `process.env` and literals (it can be written anywhere: the app's own variable), `property=NAME` when it is a
/// property of a config object (`config.mongodb.connectionString`, or a name taken out of one, `const {
/// connectionString } = info`, which no declaration of the file gives a value), whose path the session's module may
/// read too.
fn connection_url_note(cx: &FileContext<'_>, url: &Value) -> Option<String> {
    let text = cx.text(url.range()).trim();
    if text.contains('\n') {
        return None;
    }
    if reads_only(text, |_| false) {
        return Some(format!("url={text}"));
    }
    match url {
        Value::Ident(name, at) => {
            let facts = cx.facts;
            let declared = facts.declaration(name, at.start()).is_some_and(|d| d.init.is_some())
                || facts.bindings.iter().any(|b| b.local == *name);
            (!declared).then(|| format!("property={name}"))
        }
        _ => {
            let path: Vec<&str> = text.split('.').map(|p| p.trim_end_matches('?')).collect();
            let ident = |p: &str| {
                p.chars().next().is_some_and(|c| c.is_alphabetic() || c == '_' || c == '$')
                    && p.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '$')
            };
            (path.len() >= 2 && path[0] != "process" && path.iter().all(|p| ident(p)))
                .then(|| format!("property={}", path[path.len() - 1]))
        }
    }
}

/// The URL the app connects with in another module ([`connection_url_note`]), as it can be written where the store is
/// (at `at`): its text when it reads only `process.env` and literals; else, for a property of a config object, the
/// first path of this file that reads the same property (`config.mongodb.connectionString`) from a name in scope at
/// `at` (a parameter of a function around it, or a name bound at the top level before it), outside comments.
fn project_url(cx: &FileContext<'_>, backend: &Backend, at: usize) -> Option<String> {
    let prefix = format!("{}:", backend.id);
    let notes: Vec<&str> = cx.project.survey(ID).noted_elsewhere(&prefix, &cx.file.path);
    if let Some(url) = notes.iter().find_map(|n| n.strip_prefix("url=")) {
        return Some(url.to_string());
    }
    let facts = cx.facts;
    let in_scope = |root: &str| {
        facts
            .functions
            .iter()
            .any(|f| f.body.start() <= at && at <= f.body.end() && f.params.iter().flatten().any(|p| p == root))
            || facts.declarations.iter().any(|d| d.top_level && d.name == root && d.stmt.end() <= at)
            || facts.bindings.iter().any(|b| b.top_level && b.local == root && b.stmt.end() <= at)
    };
    let code = &cx.file.code;
    let is_name = |c: char| c.is_alphanumeric() || c == '_' || c == '$';
    for property in notes.iter().filter_map(|n| n.strip_prefix("property=")) {
        let needle = format!(".{property}");
        for (found, _) in code.match_indices(&needle) {
            let end = found + needle.len();
            if code[end..].chars().next().is_some_and(is_name)
                || facts.comments.iter().any(|c| c.start() <= found && found < c.end())
            {
                continue;
            }
            let start = code[..found]
                .char_indices()
                .rev()
                .take_while(|(_, c)| is_name(*c) || *c == '.' || *c == '?')
                .last()
                .map_or(found, |(i, _)| i);
            let path = &code[start..end];
            let root = path.split(['.', '?']).next().unwrap_or_default();
            if !root.is_empty()
                && !root.starts_with(|c: char| c.is_ascii_digit())
                && root != "process"
                && in_scope(root)
            {
                return Some(path.to_string());
            }
        }
    }
    None
}

/// The database the app uses on the client the store reuses (or at the URL it copies), as an expression that can be
/// written where the store is (at `at`): the argument of `client.db(name)` on a reused MongoDB client (in this file,
/// else in the module that creates it), else the `dbName` of the mongoose connection the store shares or whose URL it
/// copies (`mongoose.connect(url, { dbName })`, in this file, else in any module). mongoose keeps `dbName` to itself:
/// the client it hands out, and a new connection to its URL, would use the URL's database (or `test`). What another
/// module writes is taken only when it reads nothing but `process.env` and literals; `Err` holds the text of one that
/// cannot be written here.
fn app_database(
    cx: &FileContext<'_>,
    backend: &Backend,
    client: Option<&ClientRef>,
    copies_url: bool,
    at: usize,
) -> Option<Result<String, String>> {
    let facts = cx.facts;
    let here =
        |text: &str| Some(if url_is_portable(facts, text, at) { Ok(text.to_string()) } else { Err(text.to_string()) });
    let elsewhere =
        |text: &str| Some(if reads_only(text, |_| false) { Ok(text.to_string()) } else { Err(text.to_string()) });
    let shares_connection = match client {
        Some(ClientRef::Existing(expr, ..)) if expr.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '$') => {
            let member_calls = facts.member_calls();
            let own = member_calls.iter().filter(|m| m.object == *expr && m.method == "db");
            if let Some(arg) = own.filter_map(|m| m.args.first()).next() {
                return here(cx.text(arg.range()));
            }
            let imported = cx.links.imported_instances.iter().find(|i| i.local == *expr).and_then(|i| i.db.as_deref());
            let exported = || {
                let mut found = cx.project.instances.iter().filter(|i| i.file != cx.file.path);
                found.find(|i| i.local.as_deref() == Some(expr.as_str())).and_then(|i| i.db.as_deref())
            };
            return imported.or_else(exported).and_then(elsewhere);
        }
        Some(ClientRef::Existing(expr, ..)) => expr.contains(".connection"),
        None => copies_url,
    };
    if !shares_connection {
        return None;
    }
    let option = |options: &ObjectFacts| options.get("dbName").map(|p| p.value.range());
    let own = facts.calls.iter().filter(|site| connects_to(backend, site)).find_map(|site| {
        site.call.args.iter().find_map(|a| match a {
            Value::Object(o) => option(o),
            _ => None,
        })
    });
    if let Some(range) = own {
        return here(cx.text(range));
    }
    let calls =
        backend.detect.iter().filter_map(|m| cx.project.package_call_options.get(&(m.clone(), "connect".into())));
    calls.flatten().find(|(key, _)| key == "dbName").and_then(|(_, text)| elsewhere(text))
}

/// Whether a call opens a connection with one of the backend's packages: `mongoose.connect(url)`,
/// `createConnection(url)`, `MongoClient.connect(url)`, `new MongoClient(url)`.
fn connects_to(backend: &Backend, site: &CallSite) -> bool {
    let Some(callee) = &site.call.callee else { return false };
    backend.detect.iter().any(|module| {
        callee.is_export(module, "connect")
            || callee.is_export(module, "createConnection")
            || (callee.binding.as_ref().is_some_and(|b| &b.module == module)
                && callee.members.len() == 2
                && callee.members[1] == "connect")
            || (site.is_new && callee.is_export(module, "MongoClient"))
    })
}

/// Whether the text of a URL expression reads only `process.env`, string literals and names bound at the top level
/// before `at`: so that it can be written again where the store is.
fn url_is_portable(facts: &FileFacts, text: &str, at: usize) -> bool {
    reads_only(text, |n| {
        facts.declarations.iter().any(|d| d.top_level && d.name == n && d.stmt.end() <= at)
            || facts.bindings.iter().any(|b| b.top_level && b.local == n && b.stmt.end() <= at)
    })
}

/// Whether an expression's text reads only `process.env`, literals and names `bound` accepts (no function).
fn reads_only(text: &str, bound: impl Fn(&str) -> bool) -> bool {
    use swc_ecma_visit::{Visit, VisitWith};
    struct Names(Vec<String>, bool);
    impl Visit for Names {
        fn visit_ident(&mut self, id: &swc_ecma_ast::Ident) {
            self.0.push(id.sym.to_string());
        }
        // A function or class would run later, or anywhere: not a plain value.
        fn visit_function(&mut self, _: &swc_ecma_ast::Function) {
            self.1 = false;
        }
        fn visit_arrow_expr(&mut self, _: &swc_ecma_ast::ArrowExpr) {
            self.1 = false;
        }
    }
    let Ok(module) = crate::parse::parse_snippet(&format!("({text});")) else { return false };
    let mut names = Names(Vec::new(), true);
    module.visit_with(&mut names);
    names.1 && names.0.iter().filter(|n| *n != "process").all(|n| bound(n))
}

/// The database name written in local defaults: the app's package name (`@acme/shop-api` gives `shop_api`), else its
/// folder's name; never a made-up one.
fn database_name(cx: &FileContext<'_>) -> String {
    // (`std::path::absolute` reads no file: the folder `.` is named after the current one.)
    let folder = std::path::absolute(&cx.project.dir).ok().and_then(|d| {
        d.components().rev().find_map(|c| match c {
            std::path::Component::Normal(name) => Some(name.to_string_lossy().into_owned()),
            _ => None,
        })
    });
    let name = cx.project.manifest.as_ref().and_then(|m| m.name().map(str::to_string)).or(folder).unwrap_or_default();
    let name = name.rsplit('/').next().unwrap_or_default();
    let db: String =
        name.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' }).collect();
    let db = db.trim_matches('_');
    if db.is_empty() {
        "sessions".to_string()
    } else {
        db.to_string()
    }
}

fn request_dependencies(
    cx: &FileContext<'_>,
    plan: &mut FilePlan,
    backend: &Backend,
    version: &Fitted,
    new_client: Option<Fitted>,
) {
    // The store and its new client serve express-session: they go to the section it is listed in.
    plan.dependencies.push(
        DependencyRequest::new(backend.package.clone(), version.spec.clone(), DepSection::Dependencies)
            .serving(EXPRESS_SESSION),
    );
    if let (Some(package), Some(v)) = (&backend.client.package, new_client) {
        plan.dependencies
            .push(DependencyRequest::new(package.clone(), v.spec, DepSection::Dependencies).serving(EXPRESS_SESSION));
    }
    if cx.file.kind != SourceKind::JavaScript {
        if let Some(types) = &backend.types {
            plan.dependencies.push(DependencyRequest::new(
                types.package.clone(),
                types.spec.clone(),
                DepSection::DevDependencies,
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every client version of a backend whose store can share the app's client has a set-up for the store's own
    /// connection: it makes it from the app's client (once, no new client), keeps the rest of that version's set-up
    /// (listeners, production check), and parses; in legacy mode too.
    #[test]
    fn every_client_version_gets_a_connection_of_its_own_from_the_app_client() {
        let vars = [("client", "c"), ("app", "app"), ("down", "down")];
        for b in data().backends.iter().filter(|b| b.client.shared.is_some()) {
            for v in &b.client.versions {
                let setup = shared_setup(b, Some(&v.package.spec)).expect("a shared set-up");
                assert!(setup.starts_with("const $client = $app.duplicate({\n"), "{}: {setup}", v.package.spec);
                assert!(!setup.contains("createClient(") && !setup.contains("new Redis("), "{setup}");
                assert!(setup.contains("$client.on('error'") && setup.contains("process.exit(1)"), "{setup}");
                for setup in [setup.clone(), with_client_option(&setup, "legacyMode: true")] {
                    assert!(codegen::template(&setup, &vars, '\'').is_ok(), "{}: {setup}", b.id);
                }
            }
        }
        let redis = data().backends.iter().find(|b| b.id == "redis").expect("redis");
        // A node-redis 4 duplicate for a modern store leaves the app's legacy mode behind (connect-redis 7+ cannot use
        // a legacy client: every session would be lost).
        let modern = shared_setup(redis, Some("^4.6.0"));
        assert!(modern.is_some_and(|s| s.starts_with("const $client = $app.duplicate({\n  legacyMode: false,\n")));
        let legacy = shared_setup(redis, Some("^4.6.0")).map(|s| with_client_option(&s, "legacyMode: true"));
        assert!(legacy
            .is_some_and(|s| s
                .starts_with("const $client = $app.duplicate({\n  legacyMode: true,\n  disableOfflineQueue: true,\n")));
    }

    #[test]
    fn data_parses_and_every_template_parses() {
        let d = data();
        assert!(d.backends.iter().any(|b| b.id == d.default_backend));
        assert_eq!(store_flags(), ["redis", "mongo", "postgres", "mysql", "sequelize", "knex"]);
        let vars = [("session", "session"), ("client", "client"), ("store", "store"), ("url", "url"), ("down", "down")];
        for b in &d.backends {
            let mut templates = vec![b.imports.cjs.clone(), b.imports.esm.clone(), b.store.clone()];
            templates.extend(b.store_without_client.clone());
            templates.extend(b.store_setup.clone());
            templates.extend(b.client.setup.clone());
            templates.extend(b.client.versions.iter().filter_map(|v| v.setup.clone()));
            for v in &b.versions {
                templates.extend(v.store.clone());
                templates.extend(v.store_without_client.clone());
                if let Some(i) = &v.imports {
                    templates.extend([i.cjs.clone(), i.esm.clone()]);
                }
                templates.extend(v.reuse.iter().flatten().filter_map(|r| r.store.clone()));
            }
            if let Some(i) = &b.client.imports {
                templates.extend([i.cjs.clone(), i.esm.clone()]);
            }
            for t in templates {
                assert!(codegen::template(&t, &vars, '\'').is_ok(), "{}: {t}", b.id);
            }
        }
    }

    #[test]
    fn every_name_the_templates_bind_has_an_alias() {
        let d = data();
        let mut imports: Vec<&Imports> = Vec::new();
        for b in &d.backends {
            imports.push(&b.imports);
            imports.extend(b.versions.iter().filter_map(|v| v.imports.as_ref()));
            imports.extend(b.client.imports.as_ref());
            let client = b.client.name.as_deref().unwrap_or("client");
            assert!(b.client.setup.is_none() || !aliases(client).is_empty(), "{}: {client}", b.id);
            assert!(b.client.state.as_deref().is_none_or(|state| !aliases(state).is_empty()), "{}", b.id);
            let setups = b.client.setup.iter().chain(b.client.versions.iter().filter_map(|v| v.setup.as_ref()));
            assert!(
                setups.filter(|s| s.contains("$down")).all(|_| b.client.state.is_some()),
                "{}: no state name",
                b.id
            );
        }
        assert!(!aliases("sessionStore").is_empty());
        for i in imports {
            for line in i.cjs.lines().chain(i.esm.lines()) {
                let module = crate::parse::parse_snippet(line).expect("parses");
                for name in names::declared_by(&module.body[0]) {
                    assert!(!aliases(&name).is_empty(), "no alias for {name} ({line})");
                }
            }
        }
    }
}
