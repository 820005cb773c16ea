//! The corpus generator: a deterministic synthetic Express project (see `docs/benchmark.md`, "The corpus").
//!
//! The JavaScript and TypeScript it writes live in `bench/corpus/` as templates (their conventions are in
//! `bench/corpus/README.md`); this module only decides which files to write, in which style, and fills the
//! templates in.

use std::path::{Path, PathBuf};

/// Left in every generated corpus so that `--dir` can safely regenerate a folder it made before.
pub const MARKER: &str = ".express-harden-bench";

/// What the corpus is made of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Layout {
    /// Real apps split into modules (see docs/benchmark.md): a quarter of the files change.
    Mixed,
    /// Every file is an app (half of them with express-session, options inline) that the dry run changes.
    Changing,
}
/// Fixed seed: the corpus is the same on every run and every machine.
const SEED: u64 = 0x2545_f491_4f6c_dd1d;

/// The templates, compiled in from `bench/corpus/` (paths relative to it).
macro_rules! templates {
    ($($name:ident = $path:literal;)*) => {
        $(const $name: &str = include_str!(concat!("../corpus/", $path));)*
        /// Every template with its path, for the tests.
        #[cfg(test)]
        const ALL_TEMPLATES: &[(&str, &str)] = &[$(($path, $name)),*];
    };
}

templates! {
    PACKAGE_JSON = "project/package.json.tmpl";
    TSCONFIG_JSON = "project/tsconfig.json.tmpl";
    GITIGNORE = "project/gitignore.tmpl";
    VIEW_INDEX = "project/views/index.ejs.tmpl";
    VIEW_ERROR = "project/views/error.ejs.tmpl";

    APP_IMPORTS_CJS = "app/imports-cjs.js.tmpl";
    APP_IMPORTS_ESM = "app/imports-esm.js.tmpl";
    APP_IMPORTS_TS = "app/imports-ts.ts.tmpl";
    APP_SETUP = "app/setup.js.tmpl";
    APP_FOOTER_CJS = "app/footer-cjs.js.tmpl";
    APP_FOOTER_ESM = "app/footer-esm.js.tmpl";

    ROUTER_HEADER_CJS_ROUTER = "router/header-cjs-router.js.tmpl";
    ROUTER_HEADER_CJS_EXPRESS = "router/header-cjs-express.js.tmpl";
    ROUTER_HEADER_ESM = "router/header-esm.js.tmpl";
    ROUTER_HEADER_TS = "router/header-ts.ts.tmpl";
    ROUTER_FOOTER_CJS = "router/footer-cjs.js.tmpl";
    ROUTER_FOOTER_ESM = "router/footer-esm.js.tmpl";

    MIDDLEWARE_HEADER_JS = "middleware/header-js.js.tmpl";
    MIDDLEWARE_HEADER_TS = "middleware/header-ts.ts.tmpl";

    PLAIN_HEADER_CJS = "plain/header-cjs.js.tmpl";
    PLAIN_HEADER_ESM = "plain/header-esm.js.tmpl";
    PLAIN_HEADER_TS = "plain/header-ts.ts.tmpl";
    PLAIN_FOOTER_CJS = "plain/footer-cjs.js.tmpl";
    PLAIN_FOOTER_ESM = "plain/footer-esm.js.tmpl";

    HANDLER_LIST = "handlers/block-1-list.js.tmpl";
    HANDLER_GET = "handlers/block-2-get.js.tmpl";
    HANDLER_CREATE = "handlers/block-3-create.js.tmpl";
    HANDLER_UPDATE = "handlers/block-4-update.js.tmpl";
    HANDLER_DELETE = "handlers/block-5-delete.js.tmpl";
    HANDLER_SUMMARY = "handlers/block-6-summary.js.tmpl";

    MIDDLEWARE_REQUIRE_ROLE = "middleware/block-1-require-role.js.tmpl";
    MIDDLEWARE_RATE_LIMIT = "middleware/block-2-rate-limit.js.tmpl";
    MIDDLEWARE_REQUEST_TIMER = "middleware/block-3-request-timer.js.tmpl";
    MIDDLEWARE_ERROR_HANDLER = "middleware/block-4-error-handler.js.tmpl";

    UTILITY_FORMAT = "utility/block-1-format.js.tmpl";
    UTILITY_SLUGIFY = "utility/block-2-slugify.js.tmpl";
    UTILITY_RETRY = "utility/block-3-retry.js.tmpl";
    UTILITY_DEFAULTS = "utility/block-4-defaults.js.tmpl";

    SERVICE_CACHE = "service/block-1-cache.js.tmpl";
    SERVICE_REPOSITORY = "service/block-2-repository.js.tmpl";
    SERVICE_SYNC = "service/block-3-sync.js.tmpl";

    MAPPER_TO_RECORD = "mapper/block-1-to-record.js.tmpl";
    MAPPER_FROM_RECORD = "mapper/block-2-from-record.js.tmpl";
    MAPPER_GROUP = "mapper/block-3-group.js.tmpl";

    FACTORY_HEADER_CJS = "factory/header-cjs.js.tmpl";
    FACTORY_HEADER_ESM = "factory/header-esm.js.tmpl";
    FACTORY_HEADER_TS = "factory/header-ts.ts.tmpl";
    FACTORY_FOOTER = "factory/footer.js.tmpl";

    CONTROLLER_HEADER_CJS = "controller/header-cjs.js.tmpl";
    CONTROLLER_HEADER_ESM = "controller/header-esm.js.tmpl";
    CONTROLLER_HEADER_TS = "controller/header-ts.ts.tmpl";
    CONTROLLER_FRAME_FUNCTION = "controller/frame-function.js.tmpl";
    CONTROLLER_FRAME_EXPORT = "controller/frame-export.js.tmpl";
    CONTROLLER_FRAME_EXPORTS = "controller/frame-exports.js.tmpl";
    CONTROLLER_FRAME_METHOD = "controller/frame-method.js.tmpl";
    CONTROLLER_METHODS_OPEN_CJS = "controller/methods-open-cjs.js.tmpl";
    CONTROLLER_METHODS_OPEN_ESM = "controller/methods-open-esm.js.tmpl";
    CONTROLLER_METHODS_CLOSE = "controller/methods-close.js.tmpl";
    CONTROLLER_LIST = "controller/block-1-list.js.tmpl";
    CONTROLLER_SUMMARY = "controller/block-2-summary.js.tmpl";
    CONTROLLER_SHOW = "controller/block-3-show.js.tmpl";
    CONTROLLER_CREATE = "controller/block-4-create.js.tmpl";
    CONTROLLER_UPDATE = "controller/block-5-update.js.tmpl";
    CONTROLLER_REMOVE = "controller/block-6-remove.js.tmpl";
    CONTROLLER_PREFERENCES = "controller/block-7-preferences.js.tmpl";
    CONTROLLER_ROUTES = "controller/routes.js.tmpl";

    BARREL_CJS = "barrel/index-cjs.js.tmpl";
    BARREL_ESM = "barrel/index-esm.js.tmpl";

    SESSION_OBJECT_CJS = "session/object-cjs.js.tmpl";
    SESSION_FUNCTION_CJS = "session/function-cjs.js.tmpl";
    SESSION_NAMED_ESM = "session/named-esm.js.tmpl";
    SESSION_DEFAULT_ESM = "session/default-esm.js.tmpl";
    SESSION_FUNCTION_ESM = "session/function-esm.js.tmpl";

    REDIS_CLIENT_CJS = "redis/client-cjs.js.tmpl";
    REDIS_CLIENT_ESM = "redis/client-esm.js.tmpl";
}

/// The body blocks of each kind of file, in the order the generator takes them.
const HANDLER_BLOCKS: [&str; 6] =
    [HANDLER_LIST, HANDLER_GET, HANDLER_CREATE, HANDLER_UPDATE, HANDLER_DELETE, HANDLER_SUMMARY];
const MIDDLEWARE_BLOCKS: [&str; 4] =
    [MIDDLEWARE_REQUIRE_ROLE, MIDDLEWARE_RATE_LIMIT, MIDDLEWARE_REQUEST_TIMER, MIDDLEWARE_ERROR_HANDLER];
const UTILITY_BLOCKS: [&str; 4] = [UTILITY_FORMAT, UTILITY_SLUGIFY, UTILITY_RETRY, UTILITY_DEFAULTS];
const SERVICE_BLOCKS: [&str; 3] = [SERVICE_CACHE, SERVICE_REPOSITORY, SERVICE_SYNC];
const MAPPER_BLOCKS: [&str; 3] = [MAPPER_TO_RECORD, MAPPER_FROM_RECORD, MAPPER_GROUP];
/// A controller's functions: the body of each, and its name (line N of `controller/routes.js.tmpl` registers
/// function N).
const CONTROLLER_BLOCKS: [(&str, &str); 7] = [
    (CONTROLLER_LIST, "list"),
    (CONTROLLER_SUMMARY, "summary"),
    (CONTROLLER_SHOW, "show"),
    (CONTROLLER_CREATE, "create"),
    (CONTROLLER_UPDATE, "update"),
    (CONTROLLER_REMOVE, "remove"),
    (CONTROLLER_PREFERENCES, "preferences"),
];

/// xorshift64: tiny, deterministic, good enough to vary a corpus.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn percent(&mut self, p: u64) -> bool {
        self.next() % 100 < p
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    App {
        session: bool,
    },
    Router,
    /// `module.exports = function (app) { ... }` / `export default (router) => { ... }`, called by an app.
    RouteFactory,
    Middleware,
    /// Request handlers that a router or route factory registers (`router.get('/x/:id', users.show)`).
    Controller,
    /// `index.js` of a folder of controllers, re-exporting them.
    Barrel,
    /// express-session's options (`config/session.js`), imported by one app.
    SessionOptions,
    /// `lib/redis.js`: an ioredis client, imported by a session options module.
    RedisClient,
    Utility,
    Service,
    Mapper,
}

/// Module system and syntax of a generated file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Flavor {
    /// `require` / `module.exports`, in `.js` or `.cjs`.
    CommonJs,
    /// `import` / `export`, in `.mjs` or `.js`.
    Esm,
    /// `import` / `export` with types, in `.ts`.
    TypeScript,
}

/// How a generated file is written.
#[derive(Debug, Clone, Copy)]
struct Style {
    double_quotes: bool,
    semicolons: bool,
    indent: &'static str,
    flavor: Flavor,
}

/// How a controller exports its functions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Exports {
    /// `exports.show = async function (req, res, next) { ... };` (CommonJS).
    Assigned,
    /// `async function show(...) { ... }` and `module.exports = { list, show };` (CommonJS).
    Declared,
    /// `export async function show(...) { ... }` (ES modules, TypeScript).
    Named,
    /// `module.exports = { async show(...) { ... } };` / `export default { ... }`.
    Methods,
}

/// A file to generate.
struct Planned {
    path: PathBuf,
    kind: Kind,
    style: Style,
    ext: &'static str,
    resource: usize,
    area: &'static str,
    /// Bytes to aim for.
    target: usize,
    /// The file that imports this one, for the files that exist for one other (session options, clients,
    /// controllers, barrels, route factories).
    owner: Option<usize>,
    /// An app's session options module.
    options: Option<usize>,
    /// An app's route factories.
    factories: Vec<usize>,
    /// A router's or route factory's controller (or barrel of controllers).
    controller: Option<usize>,
    /// A barrel's controllers.
    members: Vec<usize>,
    /// A session options module's Redis client.
    client: Option<usize>,
    /// A session options module's form (0, 1, 2: see `session_form`), or a controller's [`Exports`] as an index.
    variant: usize,
    /// A controller's functions (indices into [`CONTROLLER_BLOCKS`], in order).
    blocks: Vec<usize>,
}

impl Planned {
    fn exports(&self) -> Exports {
        match self.style.flavor {
            Flavor::CommonJs => [Exports::Assigned, Exports::Declared, Exports::Methods][self.variant % 3],
            Flavor::Esm | Flavor::TypeScript => [Exports::Named, Exports::Methods][self.variant % 2],
        }
    }
}

#[derive(Debug, Default)]
pub struct CorpusStats {
    pub files: usize,
    pub bytes: u64,
    apps: usize,
    apps_with_session: usize,
    apps_with_options_module: usize,
    routers: usize,
    route_factories: usize,
    middleware: usize,
    controllers: usize,
    barrels: usize,
    session_options: usize,
    redis_clients: usize,
    plain: usize,
    commonjs: usize,
    esm: usize,
    typescript: usize,
    double_quotes: usize,
    no_semicolons: usize,
    tabs: usize,
    four_spaces: usize,
    smallest: usize,
    largest: usize,
}

impl CorpusStats {
    pub fn composition(&self) -> String {
        format!(
            "{} Express-style ({} apps, {} with express-session, {} of them with an options module; {} routers; {} \
             route factories; {} middleware), {} controllers and {} controller barrels, {} session options modules, \
             {} Redis client modules, {} plain modules; {} CommonJS, {} ESM, {} TypeScript; {} double-quoted, {} \
             without semicolons, {} tab- and {} 4-space-indented; {:.1} KB average, {} B to {} B",
            self.apps + self.routers + self.route_factories + self.middleware,
            self.apps,
            self.apps_with_session,
            self.apps_with_options_module,
            self.routers,
            self.route_factories,
            self.middleware,
            self.controllers,
            self.barrels,
            self.session_options,
            self.redis_clients,
            self.plain,
            self.commonjs,
            self.esm,
            self.typescript,
            self.double_quotes,
            self.no_semicolons,
            self.tabs,
            self.four_spaces,
            self.bytes as f64 / self.files.max(1) as f64 / 1000.0,
            self.smallest,
            self.largest
        )
    }
}

const RESOURCES: [&str; 20] = [
    "users",
    "orders",
    "products",
    "invoices",
    "payments",
    "carts",
    "reviews",
    "accounts",
    "teams",
    "projects",
    "tasks",
    "comments",
    "tickets",
    "shipments",
    "coupons",
    "articles",
    "tags",
    "files",
    "reports",
    "webhooks",
];

const AREAS: [&str; 12] = [
    "billing",
    "catalog",
    "identity",
    "support",
    "shipping",
    "content",
    "admin",
    "search",
    "checkout",
    "analytics",
    "notifications",
    "inventory",
];

/// Generates `files` source files (plus package.json, tsconfig.json, a few views) into `dir`.
pub fn generate(dir: &Path, files: usize, layout: Layout) -> Result<CorpusStats, String> {
    let mut rng = Rng(SEED);
    let plan = plan_corpus(&mut rng, files, layout);
    let routers: Vec<&Planned> = plan.iter().filter(|p| p.kind == Kind::Router).collect();

    write(dir, MARKER, "generated by express-harden's bench; safe to delete\n")?;
    write(dir, "package.json", PACKAGE_JSON)?;
    write(dir, "tsconfig.json", TSCONFIG_JSON)?;
    write(dir, ".gitignore", GITIGNORE)?;
    write(dir, "views/index.ejs", VIEW_INDEX)?;
    write(dir, "views/error.ejs", VIEW_ERROR)?;

    let mut stats = CorpusStats { smallest: usize::MAX, ..CorpusStats::default() };
    for (index, file) in plan.iter().enumerate() {
        let text = generate_file(&mut rng, &plan, index, &routers);
        write(dir, &file.path.to_string_lossy(), &text)?;
        stats.files += 1;
        stats.bytes += text.len() as u64;
        stats.smallest = stats.smallest.min(text.len());
        stats.largest = stats.largest.max(text.len());
        match file.kind {
            Kind::App { session } => {
                stats.apps += 1;
                stats.apps_with_session += usize::from(session);
                stats.apps_with_options_module += usize::from(file.options.is_some());
            }
            Kind::Router => stats.routers += 1,
            Kind::RouteFactory => stats.route_factories += 1,
            Kind::Middleware => stats.middleware += 1,
            Kind::Controller => stats.controllers += 1,
            Kind::Barrel => stats.barrels += 1,
            Kind::SessionOptions => stats.session_options += 1,
            Kind::RedisClient => stats.redis_clients += 1,
            Kind::Utility | Kind::Service | Kind::Mapper => stats.plain += 1,
        }
        match file.style.flavor {
            Flavor::CommonJs => stats.commonjs += 1,
            Flavor::Esm => stats.esm += 1,
            Flavor::TypeScript => stats.typescript += 1,
        }
        stats.double_quotes += usize::from(file.style.double_quotes);
        stats.no_semicolons += usize::from(!file.style.semicolons);
        stats.tabs += usize::from(file.style.indent == "\t");
        stats.four_spaces += usize::from(file.style.indent == "    ");
    }
    Ok(stats)
}

fn write(dir: &Path, relative: &str, text: &str) -> Result<(), String> {
    let path = dir.join(relative);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
    }
    std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// Decides every file's kind, style, place, size and what it imports from the others. Kinds come in exact
/// proportions. 60% Express-style: a quarter of them apps (half of those with express-session, one session app in
/// two taking its options from a session options module), a fifth middleware, a tenth route factories, the rest
/// routers. The other 40%: one session options module per app that imports one, one Redis client module per two
/// options modules (imported by the second), controllers (8% of the files: one per router or route factory that
/// delegates to them, and one group in four is three controllers behind an `index` barrel), and plain modules.
fn plan_corpus(rng: &mut Rng, files: usize, layout: Layout) -> Vec<Planned> {
    let (express, apps, middleware, factories) = match layout {
        Layout::Mixed => {
            let express = files * 3 / 5;
            (express, express / 4, express / 5, express / 10)
        }
        Layout::Changing => (files, files, 0, 0),
    };
    let routers = express - apps - middleware - factories;
    // Apps 0, 2, 4, ... have a session; apps 2, 6, 10, ... take its options from a module (in the mixed corpus).
    let options = if layout == Layout::Mixed { (apps + 1) / 4 } else { 0 };
    // Options modules 1, 3, 5, ... import a Redis client.
    let clients = options / 2;
    let rest = files - express - options - clients;
    let controller_files = (files * 2 / 25).min(routers + factories).min(rest);
    // Groups of controllers: a controller alone, or (every fourth group) a barrel and three controllers.
    let mut groups: Vec<usize> = Vec::new();
    let mut left = controller_files;
    while left > 0 {
        let size = if groups.len() % 4 == 3 && left >= 4 { 4 } else { 1 };
        groups.push(size);
        left -= size;
    }

    let mut kinds = Vec::with_capacity(files);
    kinds.extend((0..apps).map(|i| Kind::App { session: i % 2 == 0 }));
    kinds.extend(std::iter::repeat_n(Kind::Router, routers));
    kinds.extend(std::iter::repeat_n(Kind::RouteFactory, factories));
    kinds.extend(std::iter::repeat_n(Kind::Middleware, middleware));
    kinds.extend(std::iter::repeat_n(Kind::SessionOptions, options));
    kinds.extend(std::iter::repeat_n(Kind::RedisClient, clients));
    for &size in &groups {
        if size > 1 {
            kinds.push(Kind::Barrel);
        }
        kinds.extend(std::iter::repeat_n(Kind::Controller, size.min(3)));
    }
    let plain = files - kinds.len();
    kinds.extend((0..plain).map(|i| [Kind::Utility, Kind::Service, Kind::Mapper][i % 3]));

    let mut plan: Vec<Planned> = kinds
        .into_iter()
        .map(|kind| {
            let flavor = match rng.below(100) {
                0..=44 => Flavor::CommonJs,
                45..=74 => Flavor::Esm,
                _ => Flavor::TypeScript,
            };
            let ext = match flavor {
                Flavor::CommonJs if rng.percent(10) => "cjs",
                Flavor::Esm if rng.percent(50) => "mjs",
                Flavor::TypeScript => "ts",
                _ => "js",
            };
            let style = Style {
                double_quotes: rng.percent(40),
                semicolons: rng.percent(70),
                indent: match rng.below(100) {
                    0..=59 => "  ",
                    60..=84 => "    ",
                    _ => "\t",
                },
                flavor,
            };
            let resource = rng.below(RESOURCES.len());
            let area = *rng.pick(&AREAS);
            // Mostly 0.8-3.6 KB, one in ten 5-9 KB. Files stop at the last whole block under their target, so
            // the files come out at about 2.5 KB on average.
            let target = if rng.percent(10) { 5000 + rng.below(4000) } else { 800 + rng.below(2800) };
            Planned {
                path: PathBuf::new(),
                kind,
                style,
                ext,
                resource,
                area,
                target,
                owner: None,
                options: None,
                factories: Vec::new(),
                controller: None,
                members: Vec::new(),
                client: None,
                variant: 0,
                blocks: Vec::new(),
            }
        })
        .collect();

    // What imports what. A file that exists for another is written in that file's module system (and extension),
    // in its area.
    let adopt = |plan: &mut Vec<Planned>, file: usize, owner: usize| {
        let (style, ext, area) = (plan[owner].style.flavor, plan[owner].ext, plan[owner].area);
        plan[file].owner = Some(owner);
        plan[file].style.flavor = style;
        plan[file].ext = ext;
        plan[file].area = area;
    };
    let first_options = apps + routers + factories + middleware;
    for j in 0..options {
        let (app, file) = (4 * j + 2, first_options + j);
        adopt(&mut plan, file, app);
        plan[app].options = Some(file);
        plan[file].variant = j % 3;
    }
    let first_client = first_options + options;
    for c in 0..clients {
        let (owner, file) = (first_options + 2 * c + 1, first_client + c);
        adopt(&mut plan, file, owner);
        plan[owner].client = Some(file);
    }
    let first_factory = apps + routers;
    for f in 0..factories {
        let app = f * apps / factories;
        adopt(&mut plan, first_factory + f, app);
        plan[app].factories.push(first_factory + f);
    }
    let mut next = first_client + clients;
    let mut controller_ordinal = 0;
    for (g, &size) in groups.iter().enumerate() {
        // Owners spread evenly over the routers and route factories.
        let owner = apps + g * (routers + factories) / groups.len();
        let head = next;
        adopt(&mut plan, head, owner);
        plan[owner].controller = Some(head);
        let controllers: Vec<usize> = if size > 1 {
            let members: Vec<usize> = (head + 1..head + size).collect();
            for &m in &members {
                adopt(&mut plan, m, head);
            }
            // `require('./controllers/billing-7')` names the folder: its index.js (Node looks for no other).
            if plan[head].style.flavor == Flavor::CommonJs {
                plan[head].ext = "js";
            }
            plan[head].members = members.clone();
            members
        } else {
            vec![head]
        };
        // The controller a router registers first serves the router's own resource.
        plan[controllers[0]].resource = plan[owner].resource;
        for c in controllers {
            plan[c].variant = controller_ordinal;
            controller_ordinal += 1;
            // Its functions: a run of the blocks from a random start, as many as its size allows.
            let count = (plan[c].target / 420).clamp(2, CONTROLLER_BLOCKS.len());
            let first = rng.below(CONTROLLER_BLOCKS.len());
            let mut blocks: Vec<usize> = (0..count).map(|k| (first + k) % CONTROLLER_BLOCKS.len()).collect();
            blocks.sort_unstable();
            plan[c].blocks = blocks;
        }
        next += size;
    }

    for index in 0..plan.len() {
        let file = &plan[index];
        let name = RESOURCES[file.resource];
        let area = file.area;
        let path = match file.kind {
            Kind::App { .. } => format!("src/apps/{area}/{area}-server-{index}"),
            Kind::Router => format!("src/routes/{area}/{name}-{index}"),
            Kind::RouteFactory => format!("src/routes/{area}/{name}-routes-{index}"),
            Kind::Middleware => format!("src/middleware/{area}/{}-guard-{index}", singular(name)),
            Kind::SessionOptions => format!("src/config/{area}/session-{index}"),
            Kind::RedisClient => format!("src/lib/{area}/redis-{index}"),
            Kind::Barrel => format!("src/controllers/{area}-{index}/index"),
            Kind::Controller => match file.owner.filter(|o| plan[*o].kind == Kind::Barrel) {
                Some(barrel) => format!("src/controllers/{area}-{barrel}/{name}-controller-{index}"),
                None => format!("src/controllers/{area}/{name}-controller-{index}"),
            },
            Kind::Utility => format!("src/lib/{area}/{}-utils-{index}", singular(name)),
            Kind::Service => format!("src/services/{area}/{}-service-{index}", singular(name)),
            Kind::Mapper => format!("src/models/{area}/{}-mapper-{index}", singular(name)),
        };
        plan[index].path = PathBuf::from(format!("{path}.{}", file.ext));
    }
    plan
}

fn singular(plural: &str) -> &str {
    plural.strip_suffix('s').unwrap_or(plural)
}

fn capitalized(word: &str) -> String {
    let mut chars = word.chars();
    chars.next().map_or(String::new(), |c| c.to_uppercase().chain(chars).collect())
}

/// The variables of an app's route factories (`$FACTORY`, `$MODULE`), in the order the app calls them.
fn factory_vars<'a>(file: &Planned, plan: &[Planned]) -> Vec<Vars<'a>> {
    file.factories
        .iter()
        .enumerate()
        .map(|(n, &f)| {
            let name = format!("{}Routes{n}", singular(RESOURCES[plan[f].resource]));
            vec![("$FACTORY", name), ("$MODULE", specifier(file, &plan[f]))]
        })
        .collect()
}

/// The specifier `from` imports `to` with: relative, with the extension in ES modules (Node needs it), without it in
/// CommonJS `.js` and TypeScript; a barrel by its folder where Node or TypeScript finds its `index` so.
fn specifier(from: &Planned, to: &Planned) -> String {
    let from_dir: Vec<_> = from.path.parent().map(|p| p.components().collect()).unwrap_or_default();
    let to_parts: Vec<_> = to.path.components().collect();
    let common = from_dir.iter().zip(&to_parts).take_while(|(a, b)| a == b).count();
    let mut spec = if common == from_dir.len() { "./".to_string() } else { "../".repeat(from_dir.len() - common) };
    let rest: Vec<String> = to_parts[common..].iter().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
    spec.push_str(&rest.join("/"));
    let stripped = match from.style.flavor {
        Flavor::CommonJs => spec.strip_suffix(".js"),
        Flavor::Esm => None,
        Flavor::TypeScript => spec.strip_suffix(".ts"),
    };
    match stripped {
        Some(bare) if to.kind == Kind::Barrel => bare.strip_suffix("/index").unwrap_or(bare).to_string(),
        Some(bare) => bare.to_string(),
        None => spec,
    }
}

/// Two more spaces before every line of a template (its code goes one block deeper).
fn indented(template: &str) -> String {
    template.lines().map(|l| if l.is_empty() { "\n".to_string() } else { format!("  {l}\n") }).collect()
}

/// Writes template text in a file's style.
///
/// Templates are written with single quotes, semicolons, two-space indentation, and TypeScript-only text between
/// `«` and `»`; `$x` placeholders are replaced by `vars`. No template line starts with `(`, `[` or a backtick, so
/// dropping semicolons never joins two statements.
fn render(out: &mut String, template: &str, style: &Style, vars: &[(&str, &str)]) {
    let ts = style.flavor == Flavor::TypeScript;
    let mut text = String::with_capacity(template.len() + 64);
    let mut in_types = false;
    for line in template.lines() {
        let mut kept = String::with_capacity(line.len());
        for c in line.chars() {
            match c {
                '«' => in_types = true,
                '»' => in_types = false,
                _ if in_types && !ts => {}
                c => kept.push(c),
            }
        }
        // A line that only held types (a TypeScript field declaration) goes away entirely in JavaScript.
        if kept.trim().is_empty() && !line.trim().is_empty() {
            continue;
        }
        text.push_str(&kept);
        text.push('\n');
    }
    if style.double_quotes {
        text = text.replace('\'', "\"");
    }
    for (key, value) in vars {
        text = text.replace(key, value);
    }
    for line in text.lines() {
        let body = line.trim_start_matches(' ');
        let spaces = line.len() - body.len();
        let body = if style.semicolons { body } else { body.strip_suffix(';').unwrap_or(body) };
        if !body.trim().is_empty() {
            for _ in 0..spaces / 2 {
                out.push_str(style.indent);
            }
            // The odd space of a JSDoc continuation line (` * text`).
            if spaces % 2 == 1 {
                out.push(' ');
            }
            out.push_str(body);
        }
        out.push('\n');
    }
}

/// How a router or route factory reaches its controllers: (the expression before `.show`, the controller) for each,
/// and the import line's condition and variable.
fn controllers_of(plan: &[Planned], owner: &Planned) -> (Vec<(String, usize)>, &'static str, String) {
    let Some(head) = owner.controller else { return (Vec::new(), "controller", String::new()) };
    let target = &plan[head];
    if target.kind == Kind::Barrel {
        let refs = barrel_keys(plan, target).into_iter().map(|(key, m)| (format!("controllers.{key}"), m)).collect();
        return (refs, "controller", "controllers".to_string());
    }
    let name = format!("{}Controller", singular(RESOURCES[target.resource]));
    let condition = if target.exports() == Exports::Methods && target.style.flavor != Flavor::CommonJs {
        "controller-default"
    } else {
        "controller"
    };
    (vec![(name.clone(), head)], condition, name)
}

/// The names a barrel exports its controllers under (their resource, numbered when two share one).
fn barrel_keys(plan: &[Planned], barrel: &Planned) -> Vec<(String, usize)> {
    let mut keys: Vec<(String, usize)> = Vec::new();
    for &m in &barrel.members {
        let base = RESOURCES[plan[m].resource];
        let mut key = base.to_string();
        let mut n = 2;
        while keys.iter().any(|(k, _)| *k == key) {
            key = format!("{base}{n}");
            n += 1;
        }
        keys.push((key, m));
    }
    keys
}

/// The route registrations of a router or route factory that delegates to controllers (template text, before
/// [`render`]).
fn route_lines(plan: &[Planned], owner: &Planned) -> String {
    let mut text = String::new();
    for (reference, c) in controllers_of(plan, owner).0 {
        let controller = &plan[c];
        for &b in &controller.blocks {
            let line = CONTROLLER_ROUTES.lines().nth(b).expect("one route line per controller block");
            text.push_str(&line.replace("$CTRL", &reference).replace("$r", RESOURCES[controller.resource]));
            text.push('\n');
        }
    }
    text
}

fn generate_file(rng: &mut Rng, plan: &[Planned], index: usize, routers: &[&Planned]) -> String {
    let file = &plan[index];
    match file.kind {
        Kind::Controller => return generate_controller(rng, plan, index),
        Kind::Barrel => return generate_barrel(plan, index),
        Kind::SessionOptions => return generate_session_options(rng, plan, index),
        Kind::RedisClient => {
            let template = if file.style.flavor == Flavor::CommonJs { REDIS_CLIENT_CJS } else { REDIS_CLIENT_ESM };
            let mut out = String::new();
            render(&mut out, template, &file.style, &[("$a", file.area)]);
            return out;
        }
        _ => {}
    }
    let style = &file.style;
    let ts = style.flavor == Flavor::TypeScript;
    let plural = RESOURCES[file.resource];
    let single = singular(plural);
    let cap = capitalized(single);
    let index_text = index.to_string();
    let factory = file.kind == Kind::RouteFactory;
    let handler_object = match file.kind {
        Kind::App { .. } => "app",
        Kind::RouteFactory if style.flavor == Flavor::CommonJs => "app",
        _ => "router",
    };
    let (req, res, next, err) = if ts {
        ("req: Request", "res: Response", "next: NextFunction", "err: HttpError")
    } else {
        ("req", "res", "next", "err")
    };
    let mut out = String::with_capacity(file.target + 1024);
    let mut exports: Vec<String> = Vec::new();

    // Header.
    match file.kind {
        Kind::App { session } => {
            // Apps mount routers written in their own module system when there are any.
            let same: Vec<&Planned> = routers.iter().copied().filter(|r| r.style.flavor == style.flavor).collect();
            let pool = if same.is_empty() { routers.to_vec() } else { same };
            let count = if pool.is_empty() { 0 } else { 2 + rng.below(3) };
            let mounted: Vec<&Planned> = (0..count).map(|_| *rng.pick(&pool)).collect();
            app_header(&mut out, plan, file, session, &mounted);
        }
        Kind::Router | Kind::RouteFactory => {
            let template = match (file.kind, style.flavor) {
                (Kind::Router, Flavor::CommonJs) if index.is_multiple_of(2) => ROUTER_HEADER_CJS_ROUTER,
                (Kind::Router, Flavor::CommonJs) => ROUTER_HEADER_CJS_EXPRESS,
                (Kind::Router, Flavor::Esm) => ROUTER_HEADER_ESM,
                (Kind::Router, Flavor::TypeScript) => ROUTER_HEADER_TS,
                (_, Flavor::CommonJs) => FACTORY_HEADER_CJS,
                (_, Flavor::Esm) => FACTORY_HEADER_ESM,
                (_, Flavor::TypeScript) => FACTORY_HEADER_TS,
            };
            let (_, condition, variable) = controllers_of(plan, file);
            let module = file.controller.map(|c| specifier(file, &plan[c])).unwrap_or_default();
            let mut text = String::new();
            let delegates = file.controller.is_some();
            let conditions = [
                ("controller", delegates && condition == "controller"),
                ("controller-default", delegates && condition == "controller-default"),
            ];
            expand_lines(&mut text, template, &conditions, &[]);
            render(
                &mut out,
                &text,
                style,
                &[("$a", file.area), ("$s", single), ("$r", plural), ("$CTRL", &variable), ("$CONTROLLER", &module)],
            );
            let routes = route_lines(plan, file);
            if !routes.is_empty() {
                // (A route factory's body starts right after its opening line.)
                if !factory {
                    out.push('\n');
                }
                let routes = if factory { indented(&routes) } else { routes };
                render(&mut out, &routes, style, &[("$o", handler_object)]);
            }
        }
        Kind::Middleware => {
            let template = if ts { MIDDLEWARE_HEADER_TS } else { MIDDLEWARE_HEADER_JS };
            render(&mut out, template, style, &[]);
        }
        _ => {
            let template = match style.flavor {
                Flavor::CommonJs => PLAIN_HEADER_CJS,
                Flavor::Esm => PLAIN_HEADER_ESM,
                Flavor::TypeScript => PLAIN_HEADER_TS,
            };
            render(&mut out, template, style, &[("$S", &cap)]);
        }
    }

    // Body: blocks until the file reaches about its target size.
    let blocks: &[&str] = match file.kind {
        Kind::Middleware => &MIDDLEWARE_BLOCKS,
        Kind::Utility => &UTILITY_BLOCKS,
        Kind::Service => &SERVICE_BLOCKS,
        Kind::Mapper => &MAPPER_BLOCKS,
        _ => &HANDLER_BLOCKS,
    };
    let footer_allowance = 150;
    let mut counter = 0usize;
    // Blocks come in turn from a random start, so that a file repeats itself only once it has used them all.
    let first_block = rng.below(blocks.len());
    loop {
        let template = blocks[(first_block + counter) % blocks.len()];
        let template = if factory { indented(template) } else { template.to_string() };
        // Handlers in a router mostly serve the router's own resource; helpers vary more.
        let other = RESOURCES[rng.below(RESOURCES.len())];
        let (b_plural, b_single, b_cap) = if rng.percent(70) {
            (plural, single, cap.clone())
        } else {
            (other, singular(other), capitalized(singular(other)))
        };
        let k = format!("{index}x{counter}");
        let n = (10 + rng.below(990)).to_string();
        let mut block = String::new();
        render(
            &mut block,
            &template,
            style,
            &[
                ("$REQ", req),
                ("$RES", res),
                ("$NEXT", next),
                ("$ERR", err),
                ("$o", handler_object),
                ("$r", b_plural),
                ("$s", b_single),
                ("$S", &b_cap),
                ("$k", &k),
                ("$n", &n),
                ("$i", &index_text),
            ],
        );
        let full = out.len() + block.len() + footer_allowance > file.target;
        if full && counter > 0 {
            break;
        }
        if let Some(name) = declared_name(&block) {
            exports.push(name);
        }
        if !(factory && out.ends_with("{\n")) {
            out.push('\n');
        }
        out.push_str(&block);
        counter += 1;
        if full {
            break;
        }
    }

    // Footer (a route factory's closes its function right after the last block).
    if !factory {
        out.push('\n');
    }
    match file.kind {
        Kind::App { .. } => {
            let template = match style.flavor {
                Flavor::CommonJs => APP_FOOTER_CJS,
                Flavor::Esm | Flavor::TypeScript => APP_FOOTER_ESM,
            };
            let factories = factory_vars(file, plan);
            let mut text = String::new();
            expand_lines(&mut text, template, &[("factories", !factories.is_empty())], &[("factory", &factories)]);
            render(&mut out, &text, style, &[("$REQ", req), ("$RES", res), ("$NEXT", next), ("$ERR", err)]);
        }
        Kind::Router => {
            let template = if style.flavor == Flavor::CommonJs { ROUTER_FOOTER_CJS } else { ROUTER_FOOTER_ESM };
            render(&mut out, template, style, &[]);
        }
        Kind::RouteFactory => render(&mut out, FACTORY_FOOTER, style, &[]),
        _ => {
            let template = if style.flavor == Flavor::CommonJs { PLAIN_FOOTER_CJS } else { PLAIN_FOOTER_ESM };
            render(&mut out, template, style, &[("$EXPORTS", &exports.join(", "))]);
        }
    }
    out
}

/// A controller: its header, then each of its functions in its export style.
fn generate_controller(rng: &mut Rng, plan: &[Planned], index: usize) -> String {
    let file = &plan[index];
    let style = &file.style;
    let plural = RESOURCES[file.resource];
    let single = singular(plural);
    let cap = capitalized(single);
    let (req, res, next) = if style.flavor == Flavor::TypeScript {
        ("req: Request", "res: Response", "next: NextFunction")
    } else {
        ("req", "res", "next")
    };
    let exports = file.exports();
    let header = match style.flavor {
        Flavor::CommonJs => CONTROLLER_HEADER_CJS,
        Flavor::Esm => CONTROLLER_HEADER_ESM,
        Flavor::TypeScript => CONTROLLER_HEADER_TS,
    };
    let mut out = String::with_capacity(file.target + 1024);
    render(&mut out, header, style, &[("$a", file.area), ("$r", plural), ("$s", single)]);
    out.push('\n');
    if exports == Exports::Methods {
        let open =
            if style.flavor == Flavor::CommonJs { CONTROLLER_METHODS_OPEN_CJS } else { CONTROLLER_METHODS_OPEN_ESM };
        render(&mut out, open, style, &[]);
    }
    let frame = match exports {
        Exports::Assigned => CONTROLLER_FRAME_EXPORTS,
        Exports::Declared => CONTROLLER_FRAME_FUNCTION,
        Exports::Named => CONTROLLER_FRAME_EXPORT,
        Exports::Methods => CONTROLLER_FRAME_METHOD,
    };
    let mut names = Vec::new();
    for (n, &b) in file.blocks.iter().enumerate() {
        let (body, name) = CONTROLLER_BLOCKS[b];
        let text = frame.replace("$BODY\n", body);
        let text = if exports == Exports::Methods { indented(&text) } else { text };
        let number = (10 + rng.below(990)).to_string();
        if n > 0 {
            out.push('\n');
        }
        render(
            &mut out,
            &text,
            style,
            &[
                ("$REQ", req),
                ("$RES", res),
                ("$NEXT", next),
                ("$FN", name),
                ("$r", plural),
                ("$s", single),
                ("$S", &cap),
                ("$n", &number),
            ],
        );
        names.push(name);
    }
    match exports {
        Exports::Methods => render(&mut out, CONTROLLER_METHODS_CLOSE, style, &[]),
        Exports::Declared => {
            out.push('\n');
            render(&mut out, PLAIN_FOOTER_CJS, style, &[("$EXPORTS", &names.join(", "))]);
        }
        Exports::Assigned | Exports::Named => {}
    }
    out
}

/// A barrel: `module.exports = { users: require('./users-controller-12'), ... }` or `export * as users from ...`.
fn generate_barrel(plan: &[Planned], index: usize) -> String {
    let file = &plan[index];
    let mut named = Vec::new();
    let mut default = Vec::new();
    let mut all = Vec::new();
    for (key, m) in barrel_keys(plan, file) {
        let vars = vec![("$KEY", key), ("$MODULE", specifier(file, &plan[m]))];
        match plan[m].exports() {
            Exports::Methods => default.push(vars.clone()),
            _ => named.push(vars.clone()),
        }
        all.push(vars);
    }
    let mut text = String::new();
    if file.style.flavor == Flavor::CommonJs {
        expand_lines(&mut text, BARREL_CJS, &[], &[("member", &all)]);
    } else {
        expand_lines(&mut text, BARREL_ESM, &[], &[("named", &named), ("default", &default)]);
    }
    let mut out = String::new();
    render(&mut out, &text, &file.style, &[]);
    out
}

/// A session options module in one of three forms (its `variant`): CommonJS 0 and 1 export an object (the app
/// requires it inline, or as `sessionOptions`), 2 a function returning one; ES modules 0 export `sessionOptions`,
/// 1 a default object, 2 a function `sessionOptions()`.
fn generate_session_options(rng: &mut Rng, plan: &[Planned], index: usize) -> String {
    let file = &plan[index];
    let template = match (file.style.flavor, file.variant) {
        (Flavor::CommonJs, 2) => SESSION_FUNCTION_CJS,
        (Flavor::CommonJs, _) => SESSION_OBJECT_CJS,
        (_, 0) => SESSION_NAMED_ESM,
        (_, 1) => SESSION_DEFAULT_ESM,
        _ => SESSION_FUNCTION_ESM,
    };
    let redis = file.client.map(|c| specifier(file, &plan[c])).unwrap_or_default();
    let mut text = String::new();
    expand_lines(&mut text, template, &[("redis", file.client.is_some())], &[]);
    let minutes = (10 + rng.below(990)).to_string();
    let mut out = String::new();
    render(&mut out, &text, &file.style, &[("$REDIS", &redis), ("$n", &minutes)]);
    // (Without a client or types, an ES module's first line is empty.)
    out.trim_start_matches('\n').to_string()
}

/// The condition of an app's session line: how it takes its session options.
fn session_form(plan: &[Planned], app: &Planned) -> &'static str {
    let Some(options) = app.options else { return "inline" };
    match (app.style.flavor, plan[options].variant) {
        (Flavor::CommonJs, 0) => "opt-require",
        (Flavor::CommonJs, 1) => "opt-default",
        (_, 0) => "opt-named",
        (_, 1) => "opt-default",
        _ => "opt-function",
    }
}

/// The name a block declares at top level (`function name(`, `class Name`, `const name =`), for the exports.
fn declared_name(block: &str) -> Option<String> {
    block.lines().find_map(|line| {
        let rest = line
            .strip_prefix("async function ")
            .or_else(|| line.strip_prefix("function "))
            .or_else(|| line.strip_prefix("class "))
            .or_else(|| line.strip_prefix("const "))?;
        let name: String = rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
        (!name.is_empty()).then_some(name)
    })
}

fn app_header(out: &mut String, plan: &[Planned], file: &Planned, session: bool, mounted: &[&Planned]) {
    let style = &file.style;
    let routers: Vec<Vars<'_>> = mounted
        .iter()
        .enumerate()
        .map(|(i, r)| {
            vec![
                ("$ROUTER", format!("{}Router{i}", singular(RESOURCES[r.resource]))),
                ("$MODULE", specifier(file, r)),
                ("$MOUNT", RESOURCES[r.resource].to_string()),
            ]
        })
        .collect();
    let factories = factory_vars(file, plan);
    let imports = match style.flavor {
        Flavor::CommonJs => APP_IMPORTS_CJS,
        Flavor::Esm => APP_IMPORTS_ESM,
        Flavor::TypeScript => APP_IMPORTS_TS,
    };
    let form = if session { session_form(plan, file) } else { "" };
    let conditions = [
        ("strict", file.resource.is_multiple_of(3)),
        ("session", session),
        ("inline", form == "inline"),
        ("opt-require", form == "opt-require"),
        ("opt-default", form == "opt-default"),
        ("opt-named", form == "opt-named"),
        ("opt-function", form == "opt-function"),
    ];
    let repeats: [Repeat<'_>; 2] = [("router", &routers), ("factory", &factories)];
    let mut text = String::new();
    for template in [imports, APP_SETUP] {
        expand_lines(&mut text, template, &conditions, &repeats);
    }
    let options = file.options.map(|o| specifier(file, &plan[o])).unwrap_or_default();
    render(out, &text, style, &[("$OPTIONS", &options)]);
}

/// The variables of one line a repeat tag writes (`$MODULE` and its value, ...).
type Vars<'a> = Vec<(&'a str, String)>;
/// A repeat tag and the items it writes its line for.
type Repeat<'a> = (&'a str, &'a [Vars<'a>]);

/// Expands the line tags of a template (before [`render`]): a line `@NAME TEXT` is kept as `TEXT` only when the
/// condition `NAME` holds (a bare `@NAME` is then an empty line), and a line `@NAME TEXT` whose tag names a repeat
/// is written once for each of its items, with the item's variables (`$ROUTER`, `$MODULE`, ...) filled in.
fn expand_lines(out: &mut String, template: &str, conditions: &[(&str, bool)], repeats: &[Repeat<'_>]) {
    for line in template.lines() {
        let Some(tagged) = line.strip_prefix('@') else {
            out.push_str(line);
            out.push('\n');
            continue;
        };
        let (tag, body) = tagged.split_once(' ').unwrap_or((tagged, ""));
        if let Some((_, items)) = repeats.iter().find(|(name, _)| *name == tag) {
            for vars in items.iter() {
                let mut line = body.to_string();
                for (key, value) in vars {
                    line = line.replace(key, value);
                }
                out.push_str(&line);
                out.push('\n');
            }
            continue;
        }
        let holds = conditions.iter().find(|(name, _)| *name == tag).map(|(_, holds)| *holds);
        match holds {
            Some(true) => {
                out.push_str(body);
                out.push('\n');
            }
            Some(false) => {}
            None => panic!("unknown line tag @{tag} in a template"),
        }
    }
}

#[cfg(test)]
mod tests {
    use express_harden::source::SourceFile;
    use express_harden::{discover, parse};

    use super::*;

    fn sources(dir: &Path) -> Vec<(PathBuf, String)> {
        discover::discover(&[dir.to_path_buf()])
            .sources
            .into_iter()
            .map(|path| {
                let text = std::fs::read_to_string(&path).expect("readable");
                (path.strip_prefix(dir).expect("inside the corpus").to_path_buf(), text)
            })
            .collect()
    }

    #[test]
    fn every_generated_file_parses_and_plain_modules_never_mention_express() {
        let dir = tempfile::tempdir().expect("temp dir");
        let stats = generate(dir.path(), 300, Layout::Mixed).expect("generated");
        let files = sources(dir.path());
        assert_eq!(files.len(), 300);
        assert_eq!(stats.files, 300);
        assert_eq!(stats.apps_with_session, stats.apps.div_ceil(2));
        assert_eq!(stats.apps_with_options_module, stats.session_options);
        assert!(stats.route_factories > 0 && stats.controllers > 0 && stats.barrels > 0 && stats.redis_clients > 0);
        for (path, text) in &files {
            let file = SourceFile::new(path.clone(), text.clone());
            if let Err(err) = parse::parse(&file, &file.code) {
                panic!("{} does not parse: {err}\n{text}", path.display());
            }
            let under = |folders: &[&str]| folders.iter().any(|d| path.starts_with(Path::new("src").join(d)));
            // Plain modules (and Redis clients, in src/lib too) never name express; apps and middleware always do.
            // Route factories, controllers and session options modules may or may not (a CommonJS controller
            // needs nothing from express; a TypeScript one imports its types).
            if under(&["lib", "services", "models"]) {
                assert!(!text.contains("express"), "{}", path.display());
            }
            if under(&["apps", "middleware"]) {
                assert!(text.contains("express"), "{}", path.display());
            }
        }
    }

    /// The layouts are linked as in a real project: run the dry run as `bench` does, and every session options
    /// module (required inline, imported as an object, or as a function returning one; CommonJS, ES module,
    /// TypeScript) gets its store and secret; one that imports the project's Redis client stores sessions through
    /// it; and every controller that sets a cookie (registered by a router or by a route factory the app calls,
    /// directly or through a barrel, in every export style) gets its cookie hardened. res-cookie changes only
    /// handlers it knows are route handlers, and a session options module is found only through its app: a missing
    /// link leaves the file unchanged and fails here.
    /// `--corpus changing`: the dry run changes every generated file (the whole-process ratio is measured there).
    #[test]
    fn in_the_changing_corpus_the_dry_run_changes_every_file() {
        use express_harden::{cli, pipeline};

        let dir = tempfile::tempdir().expect("temp dir");
        let stats = generate(dir.path(), 80, Layout::Changing).expect("generated");
        let transforms = cli::select_transforms(&[], &[]).expect("every transform");
        let result = pipeline::run(&[dir.path().to_path_buf()], &transforms);
        let sources = result.changes.iter().filter(|c| !c.is_manifest).count();
        assert_eq!((stats.files, sources, result.errors.len()), (80, 80, 0));
    }

    #[test]
    fn the_dry_run_links_options_modules_and_controllers_to_their_apps_and_routers() {
        use express_harden::{cli, pipeline};

        let files = 600;
        let dir = tempfile::tempdir().expect("temp dir");
        generate(dir.path(), files, Layout::Mixed).expect("generated");
        let plan = plan_corpus(&mut Rng(SEED), files, Layout::Mixed);
        let transforms = cli::select_transforms(&[], &[]).expect("every transform");
        let result = pipeline::run(&[dir.path().to_path_buf()], &transforms);
        assert!(result.errors.is_empty(), "{:?}", result.errors.iter().map(|e| &e.message).collect::<Vec<_>>());
        let updated = |file: &Planned| {
            let path = dir.path().join(&file.path);
            result.changes.iter().find(|c| c.path == path).map(|c| c.updated().into_owned())
        };

        let mut options_forms = std::collections::BTreeSet::new();
        let mut clients = std::collections::BTreeSet::new();
        for file in plan.iter().filter(|p| p.kind == Kind::SessionOptions) {
            let text = updated(file).unwrap_or_else(|| panic!("{} is not changed", file.path.display()));
            // (The store is made before the options, so that it hears when Redis goes and comes back.)
            assert!(
                text.contains("= new RedisStore(") && text.contains("store: sessionStore"),
                "{}:\n{text}",
                file.path.display()
            );
            assert!(text.contains("secret: requiredSecret("), "{}:\n{text}", file.path.display());
            if file.client.is_some() {
                // (Through a connection of the store's own from it.)
                assert!(
                    text.contains("= redis.duplicate({") && text.contains("client: sessionRedisClient }"),
                    "the imported client is used: {}:\n{text}",
                    file.path.display()
                );
            }
            options_forms.insert((file.style.flavor == Flavor::CommonJs, file.variant));
            clients.insert(file.client.is_some());
        }
        assert_eq!(options_forms.len(), 6, "every form of options module in both module systems: {options_forms:?}");
        assert_eq!(clients.len(), 2, "options modules with and without a client");

        let mut controller_layouts = std::collections::BTreeSet::new();
        for file in plan.iter().filter(|p| p.kind == Kind::Controller) {
            let original = std::fs::read_to_string(dir.path().join(&file.path)).expect("readable");
            let sets_cookie = original.contains("res.cookie(");
            assert_eq!(sets_cookie, file.blocks.contains(&6), "{}", file.path.display());
            if !sets_cookie {
                continue;
            }
            let text = updated(file).unwrap_or_else(|| panic!("{} is not changed", file.path.display()));
            assert!(text.contains("sameSite:"), "{}:\n{text}", file.path.display());
            let owner = &plan[file.owner.expect("a controller has an owner")];
            let (barrel, registered_by) = match owner.kind {
                Kind::Barrel => (true, plan[owner.owner.expect("a barrel has an owner")].kind),
                kind => (false, kind),
            };
            controller_layouts.insert(format!("{:?} {barrel} {registered_by:?}", file.exports()));
        }
        for needed in ["Assigned", "Declared", "Named", "Methods", "true", "false", "Router", "RouteFactory"] {
            assert!(
                controller_layouts.iter().any(|l| l.split(' ').any(|w| w == needed)),
                "no changed controller is {needed}: {controller_layouts:?}"
            );
        }
    }

    #[test]
    fn the_corpus_is_the_same_every_time() {
        let (a, b) = (tempfile::tempdir().expect("temp dir"), tempfile::tempdir().expect("temp dir"));
        generate(a.path(), 50, Layout::Mixed).expect("generated");
        generate(b.path(), 50, Layout::Mixed).expect("generated");
        assert_eq!(sources(a.path()), sources(b.path()));
    }

    /// FNV-1a over every generated file (sorted by path: the path, a NUL, the bytes, a NUL).
    fn fingerprint(dir: &Path) -> (usize, u64) {
        let mut files = Vec::new();
        let mut folders = vec![dir.to_path_buf()];
        while let Some(folder) = folders.pop() {
            for entry in std::fs::read_dir(&folder).expect("readable folder") {
                let path = entry.expect("entry").path();
                if path.is_dir() {
                    folders.push(path);
                } else {
                    let relative = path.strip_prefix(dir).expect("inside").to_string_lossy().replace('\\', "/");
                    files.push((relative, std::fs::read(&path).expect("readable")));
                }
            }
        }
        files.sort();
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for (path, bytes) in &files {
            for byte in path.as_bytes().iter().chain([&0]).chain(bytes).chain([&0]) {
                hash = (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3);
            }
        }
        (files.len(), hash)
    }

    /// The figures in docs/benchmark.md compare builds on the same corpus: a change to the generator or a template
    /// that changes what it writes must be deliberate (then update this fingerprint and say so next to the figures).
    #[test]
    fn the_corpus_is_the_one_the_figures_were_measured_on() {
        let dir = tempfile::tempdir().expect("temp dir");
        generate(dir.path(), 300, Layout::Mixed).expect("generated");
        assert_eq!(fingerprint(dir.path()), (306, 16_154_268_769_805_322_214));
    }

    #[test]
    fn templates_take_the_file_style() {
        let template = "function f(a«: number»)«: string» {\n  «let typed: number;»\n  return 'x' + a;\n}\n";
        let js = Style { double_quotes: true, semicolons: false, indent: "\t", flavor: Flavor::Esm };
        let mut out = String::new();
        render(&mut out, template, &js, &[]);
        assert_eq!(out, "function f(a) {\n\treturn \"x\" + a\n}\n");
        let ts = Style { double_quotes: false, semicolons: true, indent: "    ", flavor: Flavor::TypeScript };
        let mut out = String::new();
        render(&mut out, template, &ts, &[]);
        assert_eq!(out, "function f(a: number): string {\n    let typed: number;\n    return 'x' + a;\n}\n");
    }

    #[test]
    fn every_template_file_is_used_and_follows_the_conventions() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
        let mut on_disk = Vec::new();
        let mut folders = vec![root.clone()];
        while let Some(folder) = folders.pop() {
            for entry in std::fs::read_dir(&folder).expect("readable folder") {
                let path = entry.expect("entry").path();
                if path.is_dir() {
                    folders.push(path);
                } else if path.extension().is_some_and(|e| e == "tmpl") {
                    on_disk.push(path.strip_prefix(&root).expect("inside").to_string_lossy().replace('\\', "/"));
                }
            }
        }
        on_disk.sort();
        let mut compiled_in: Vec<String> = ALL_TEMPLATES.iter().map(|(path, _)| path.to_string()).collect();
        compiled_in.sort();
        assert_eq!(on_disk, compiled_in, "bench/corpus/*.tmpl and the templates! list differ");

        for (path, text) in ALL_TEMPLATES {
            assert!(text.ends_with('\n') && !text.ends_with("\n\n"), "{path}: must end with exactly one newline");
            for (n, line) in text.lines().enumerate() {
                let at = format!("{path}:{}", n + 1);
                assert!(!line.contains(['\r', '\t']), "{at}: no carriage return or tab (indent with two spaces)");
                assert_eq!(line, line.trim_end(), "{at}: trailing whitespace");
                if !path.starts_with("project/") {
                    let code = line.trim_start().trim_start_matches(['«', '»']);
                    assert!(
                        !code.starts_with(['(', '[', '`']),
                        "{at}: a line starting with ( [ or ` would join the one before it when semicolons are dropped"
                    );
                }
                if line.starts_with('@') {
                    assert!(
                        ["app/", "router/", "factory/", "session/", "barrel/"].iter().any(|f| path.starts_with(f)),
                        "{at}: line tags (@) are for the templates whose generator code expands them"
                    );
                }
            }
        }
    }
}
