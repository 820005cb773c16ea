//! The corpus generator: a deterministic synthetic Express project (see `docs/benchmark.md`, "The corpus").
//!
//! The JavaScript and TypeScript it writes live in `bench/corpus/` as templates (their conventions are in
//! `bench/corpus/README.md`); this module only decides which files to write, in which style, and fills the
//! templates in.

use std::path::{Path, PathBuf};

/// Left in every generated corpus so that `--dir` can safely regenerate a folder it made before.
pub const MARKER: &str = ".express-harden-bench";
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
}

/// The body blocks of each kind of file, in the order the generator takes them.
const HANDLER_BLOCKS: [&str; 6] =
    [HANDLER_LIST, HANDLER_GET, HANDLER_CREATE, HANDLER_UPDATE, HANDLER_DELETE, HANDLER_SUMMARY];
const MIDDLEWARE_BLOCKS: [&str; 4] =
    [MIDDLEWARE_REQUIRE_ROLE, MIDDLEWARE_RATE_LIMIT, MIDDLEWARE_REQUEST_TIMER, MIDDLEWARE_ERROR_HANDLER];
const UTILITY_BLOCKS: [&str; 4] = [UTILITY_FORMAT, UTILITY_SLUGIFY, UTILITY_RETRY, UTILITY_DEFAULTS];
const SERVICE_BLOCKS: [&str; 3] = [SERVICE_CACHE, SERVICE_REPOSITORY, SERVICE_SYNC];
const MAPPER_BLOCKS: [&str; 3] = [MAPPER_TO_RECORD, MAPPER_FROM_RECORD, MAPPER_GROUP];

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
    App { session: bool },
    Router,
    Middleware,
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

/// A file to generate.
struct Planned {
    path: PathBuf,
    kind: Kind,
    style: Style,
    resource: usize,
    area: &'static str,
    /// Bytes to aim for.
    target: usize,
}

#[derive(Debug, Default)]
pub struct CorpusStats {
    pub files: usize,
    pub bytes: u64,
    apps: usize,
    apps_with_session: usize,
    routers: usize,
    middleware: usize,
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
            "{} Express-style ({} apps, {} with express-session; {} routers; {} middleware), {} plain modules; \
             {} CommonJS, {} ESM, {} TypeScript; {} double-quoted, {} without semicolons, {} tab- and {} \
             4-space-indented; {:.1} KB average, {} B to {} B",
            self.apps + self.routers + self.middleware,
            self.apps,
            self.apps_with_session,
            self.routers,
            self.middleware,
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
pub fn generate(dir: &Path, files: usize) -> Result<CorpusStats, String> {
    let mut rng = Rng(SEED);
    let plan = plan_corpus(&mut rng, files);
    let routers: Vec<&Planned> = plan.iter().filter(|p| p.kind == Kind::Router).collect();

    write(dir, MARKER, "generated by express-harden's bench; safe to delete\n")?;
    write(dir, "package.json", PACKAGE_JSON)?;
    write(dir, "tsconfig.json", TSCONFIG_JSON)?;
    write(dir, ".gitignore", GITIGNORE)?;
    write(dir, "views/index.ejs", VIEW_INDEX)?;
    write(dir, "views/error.ejs", VIEW_ERROR)?;

    let mut stats = CorpusStats { smallest: usize::MAX, ..CorpusStats::default() };
    for (index, file) in plan.iter().enumerate() {
        let text = generate_file(&mut rng, file, index, &routers);
        write(dir, &file.path.to_string_lossy(), &text)?;
        stats.files += 1;
        stats.bytes += text.len() as u64;
        stats.smallest = stats.smallest.min(text.len());
        stats.largest = stats.largest.max(text.len());
        match file.kind {
            Kind::App { session } => {
                stats.apps += 1;
                stats.apps_with_session += usize::from(session);
            }
            Kind::Router => stats.routers += 1,
            Kind::Middleware => stats.middleware += 1,
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

/// Decides every file's kind, style, place and size. Kinds come in exact proportions: 60% Express-style (a quarter
/// of them apps, half of those with express-session; a fifth middleware; the rest routers), 40% plain modules.
fn plan_corpus(rng: &mut Rng, files: usize) -> Vec<Planned> {
    let express = files * 3 / 5;
    let apps = express / 4;
    let middleware = express / 5;
    let routers = express - apps - middleware;
    let mut kinds = Vec::with_capacity(files);
    kinds.extend((0..apps).map(|i| Kind::App { session: i % 2 == 0 }));
    kinds.extend(std::iter::repeat_n(Kind::Router, routers));
    kinds.extend(std::iter::repeat_n(Kind::Middleware, middleware));
    kinds.extend((0..files - express).map(|i| [Kind::Utility, Kind::Service, Kind::Mapper][i % 3]));

    kinds
        .into_iter()
        .enumerate()
        .map(|(index, kind)| {
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
            let name = RESOURCES[resource];
            let folder = match kind {
                Kind::App { .. } => format!("src/apps/{area}"),
                Kind::Router => format!("src/routes/{area}"),
                Kind::Middleware => format!("src/middleware/{area}"),
                Kind::Utility => format!("src/lib/{area}"),
                Kind::Service => format!("src/services/{area}"),
                Kind::Mapper => format!("src/models/{area}"),
            };
            let stem = match kind {
                Kind::App { .. } => format!("{area}-server"),
                Kind::Router => name.to_string(),
                Kind::Middleware => format!("{}-guard", singular(name)),
                Kind::Utility => format!("{}-utils", singular(name)),
                Kind::Service => format!("{}-service", singular(name)),
                Kind::Mapper => format!("{}-mapper", singular(name)),
            };
            // Mostly 0.8-3.6 KB, one in ten 5-9 KB. Files stop at the last whole block under their target, so
            // the files come out at about 2.5 KB on average.
            let target = if rng.percent(10) { 5000 + rng.below(4000) } else { 800 + rng.below(2800) };
            Planned {
                path: PathBuf::from(format!("{folder}/{stem}-{index}.{ext}")),
                kind,
                style,
                resource,
                area,
                target,
            }
        })
        .collect()
}

fn singular(plural: &str) -> &str {
    plural.strip_suffix('s').unwrap_or(plural)
}

fn capitalized(word: &str) -> String {
    let mut chars = word.chars();
    chars.next().map_or(String::new(), |c| c.to_uppercase().chain(chars).collect())
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

fn generate_file(rng: &mut Rng, file: &Planned, index: usize, routers: &[&Planned]) -> String {
    let style = &file.style;
    let ts = style.flavor == Flavor::TypeScript;
    let plural = RESOURCES[file.resource];
    let single = singular(plural);
    let cap = capitalized(single);
    let index_text = index.to_string();
    let handler_object = match file.kind {
        Kind::App { .. } => "app",
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
            app_header(&mut out, file, session, &mounted);
        }
        Kind::Router => {
            let template = match style.flavor {
                Flavor::CommonJs if index.is_multiple_of(2) => ROUTER_HEADER_CJS_ROUTER,
                Flavor::CommonJs => ROUTER_HEADER_CJS_EXPRESS,
                Flavor::Esm => ROUTER_HEADER_ESM,
                Flavor::TypeScript => ROUTER_HEADER_TS,
            };
            render(&mut out, template, style, &[("$a", file.area), ("$s", single)]);
        }
        Kind::Middleware => {
            let template = if ts { MIDDLEWARE_HEADER_TS } else { MIDDLEWARE_HEADER_JS };
            render(&mut out, template, style, &[]);
        }
        Kind::Utility | Kind::Service | Kind::Mapper => {
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
        Kind::App { .. } | Kind::Router => &HANDLER_BLOCKS,
        Kind::Middleware => &MIDDLEWARE_BLOCKS,
        Kind::Utility => &UTILITY_BLOCKS,
        Kind::Service => &SERVICE_BLOCKS,
        Kind::Mapper => &MAPPER_BLOCKS,
    };
    let footer_allowance = 150;
    let mut counter = 0usize;
    // Blocks come in turn from a random start, so that a file repeats itself only once it has used them all.
    let first_block = rng.below(blocks.len());
    loop {
        let template = blocks[(first_block + counter) % blocks.len()];
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
            template,
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
        out.push('\n');
        out.push_str(&block);
        counter += 1;
        if full {
            break;
        }
    }

    // Footer.
    out.push('\n');
    match file.kind {
        Kind::App { .. } => {
            let template = match style.flavor {
                Flavor::CommonJs => APP_FOOTER_CJS,
                Flavor::Esm | Flavor::TypeScript => APP_FOOTER_ESM,
            };
            render(&mut out, template, style, &[("$REQ", req), ("$RES", res), ("$NEXT", next), ("$ERR", err)]);
        }
        Kind::Router => {
            let template = if style.flavor == Flavor::CommonJs { ROUTER_FOOTER_CJS } else { ROUTER_FOOTER_ESM };
            render(&mut out, template, style, &[]);
        }
        _ => {
            let template = if style.flavor == Flavor::CommonJs { PLAIN_FOOTER_CJS } else { PLAIN_FOOTER_ESM };
            render(&mut out, template, style, &[("$EXPORTS", &exports.join(", "))]);
        }
    }
    out
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

fn app_header(out: &mut String, file: &Planned, session: bool, mounted: &[&Planned]) {
    let style = &file.style;
    let from_apps = |router: &Planned| {
        let path = router.path.to_string_lossy().replace("src/", "../../");
        match style.flavor {
            Flavor::CommonJs => path.trim_end_matches(".js").to_string(),
            Flavor::Esm => path,
            Flavor::TypeScript => path.trim_end_matches(".ts").to_string(),
        }
    };
    let routers: Vec<[String; 3]> = mounted
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let name = format!("{}Router{i}", singular(RESOURCES[r.resource]));
            [name, from_apps(r), RESOURCES[r.resource].to_string()]
        })
        .collect();
    let imports = match style.flavor {
        Flavor::CommonJs => APP_IMPORTS_CJS,
        Flavor::Esm => APP_IMPORTS_ESM,
        Flavor::TypeScript => APP_IMPORTS_TS,
    };
    let conditions = [("strict", file.resource.is_multiple_of(3)), ("session", session)];
    let mut text = String::new();
    for template in [imports, APP_SETUP] {
        expand_lines(&mut text, template, &conditions, &routers);
    }
    render(out, &text, style, &[]);
}

/// Expands the line tags of an app template (before [`render`]): a line `@NAME TEXT` is kept as `TEXT` only when
/// the condition `NAME` holds (a bare `@NAME` is then an empty line), and a line `@router TEXT` is repeated for every
/// mounted router with `$ROUTER` (its variable), `$MODULE` (its module path) and `$MOUNT` (its resource) filled in.
fn expand_lines(out: &mut String, template: &str, conditions: &[(&str, bool)], routers: &[[String; 3]]) {
    for line in template.lines() {
        let Some(tagged) = line.strip_prefix('@') else {
            out.push_str(line);
            out.push('\n');
            continue;
        };
        let (tag, body) = tagged.split_once(' ').unwrap_or((tagged, ""));
        if tag == "router" {
            for [name, module, mount] in routers {
                out.push_str(&body.replace("$ROUTER", name).replace("$MODULE", module).replace("$MOUNT", mount));
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
            None => panic!("unknown line tag @{tag} in an app template"),
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
        let stats = generate(dir.path(), 300).expect("generated");
        let files = sources(dir.path());
        assert_eq!(files.len(), 300);
        assert_eq!(stats.files, 300);
        assert_eq!(stats.apps_with_session, stats.apps.div_ceil(2));
        for (path, text) in &files {
            let file = SourceFile::new(path.clone(), text.clone());
            if let Err(err) = parse::parse(&file, &file.code) {
                panic!("{} does not parse: {err}\n{text}", path.display());
            }
            let plain = ["lib", "services", "models"].iter().any(|d| path.starts_with(Path::new("src").join(d)));
            assert_eq!(plain, !text.contains("express"), "{}", path.display());
        }
    }

    #[test]
    fn the_corpus_is_the_same_every_time() {
        let (a, b) = (tempfile::tempdir().expect("temp dir"), tempfile::tempdir().expect("temp dir"));
        generate(a.path(), 50).expect("generated");
        generate(b.path(), 50).expect("generated");
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
        generate(dir.path(), 300).expect("generated");
        assert_eq!(fingerprint(dir.path()), (306, 1_060_479_356_374_503_432));
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
                    assert!(path.starts_with("app/"), "{at}: line tags (@) are for app templates only");
                }
            }
        }
    }
}
