//! The project as a whole: which file each relative import (or workspace package) names, and what crosses module
//! boundaries. Real apps split the app, its routes, its controllers, its session options and its database clients
//! into modules; each file's facts say what it exports and what it does with what it imports, and this pass links
//! them, so that each file is planned knowing what the project does with it:
//!
//! - functions registered as route handlers or middleware by another module (`router.get('/x', customers.show)`);
//! - parameters that receive an Express app or router from another module (`require('./routes')(app)`), and so
//!   the routes registered on them;
//! - object literals another module passes to a package's function (`session(require('./config/session'))`);
//! - middleware another module registers on this file's apps (`require('./config/express')(app)` that calls
//!   `app.use(helmet())`);
//! - values imported from another module that a package created (`export const redis = new Redis(url)`);
//! - apps a function of this file makes and returns, which another module mounts on an app or router
//!   (`app.use(baseUrl, await middleware(config))`).
//!
//! The pass reads facts only (no file system, no tree): it is linear in the project's imports, with a fixpoint for
//! apps handed down through several modules.

use crate::parse::ByteRange;
use std::path::{Path, PathBuf};
use swc_atoms::Atom;

use rayon::prelude::*;
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use crate::analysis::{FileFacts, HandlerArg, ImportKind, Receiver, ROUTE_METHODS};
use crate::source::SourceFile;
use crate::values::{CallFacts, Value};

/// Extensions tried, in order, for an import written without one (Node's, then TypeScript's).
const EXTENSIONS: [&str; 8] = ["js", "cjs", "mjs", "jsx", "ts", "tsx", "cts", "mts"];

/// How deep a chain of re-exports and names is followed (a cycle stops there).
const MAX_DEPTH: usize = 12;

/// Packages whose default export wraps a route handler and hands the request and response on to it (an async
/// function's rejection goes to `next`).
const WRAPPER_PACKAGES: [&str; 2] = ["express-async-handler", "express-async-wrap"];

/// What the rest of the project says about each file, by the file's index (the discovered list's).
///
/// A slot per file, boxed where there are links: a hash map of them was the largest single table the linking built
/// (a bucket per entry with a quarter to half of them spare, and the old and the new table both held while it grew,
/// at the run's peak of memory).
#[derive(Debug, Default)]
pub struct ProjectLinks(Vec<Option<Box<FileLinks>>>);

impl ProjectLinks {
    /// No links yet, for `files` files.
    fn new(files: usize) -> ProjectLinks {
        ProjectLinks(std::iter::repeat_with(|| None).take(files).collect())
    }

    /// The links of file `i`, if any.
    pub fn get(&self, i: usize) -> Option<&FileLinks> {
        self.0.get(i).and_then(Option::as_deref)
    }

    /// The links of file `i`, made empty when it has none yet.
    fn entry(&mut self, i: usize) -> &mut FileLinks {
        if i >= self.0.len() {
            self.0.resize_with(i + 1, || None);
        }
        self.0[i].get_or_insert_with(Box::default)
    }

    /// Forgets every file's links.
    pub fn clear(&mut self) {
        self.0 = Vec::new();
    }
}

/// What the rest of the project says about one file. (Boxed slices: a file's links are held until it is planned,
/// and 30,000 files of a large project have some.)
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct FileLinks {
    /// Functions of this file (their ranges) that another module registers as route handlers or middleware on an
    /// app or router, each with the route path of the registration when it is a string literal (one entry per
    /// registration).
    pub handlers: Box<[LinkedHandler]>,
    /// The ranges of those functions registered on a route that takes a form's submission
    /// ([`crate::analysis::FORM_METHODS`]): `router.post('/checkout', checkout.create)` in a routes module, with
    /// `exports.create = ...` here.
    pub form_handlers: Box<[ByteRange]>,
    /// Parameters of this file's functions that receive an Express app or router.
    pub app_params: Box<[AppParam]>,
    /// Object literals of this file that another module passes to a package's function.
    pub passed_objects: Box<[PassedObject]>,
    /// Arguments of this file's calls, or objects spread into them, whose object literal is written in another
    /// module (where it is seen as a [`PassedObject`]).
    pub objects_elsewhere: Box<[ObjectElsewhere]>,
    /// Middleware another module registers on an app this file creates.
    pub app_middleware: Box<[RemoteMiddleware]>,
    /// Names this file imports from another module whose value a package created.
    pub imported_instances: Box<[ImportedInstance]>,
    /// Values written in this file (a string, a choice such as `process.env.X || 'dev'`) that another module passes
    /// to a package's function, as an argument or a property of an inline options object
    /// (`jwt.sign(payload, config.secret)` with `module.exports = { secret: '...' }` here).
    pub passed_values: Box<[PassedValue]>,
    /// Values written in this file (a string, a choice such as `process.env.X || 'x-access-token'`) that this module
    /// or another names a header with (`req.headers[JWT_HTTP_HEADER_KEY]`, `req.get(config.tokenHeader)`,
    /// `res.set(name, value)`): names, not secrets.
    pub header_names: Box<[ByteRange]>,
    /// Bodies of this file's functions that surely run when the project's modules load: called outside any branch
    /// from a module's top level, or from such a function, of this module or another (`setup(app)` at the top level,
    /// `require('./config/express')(app)`).
    pub run_at_load: Box<[ByteRange]>,
    /// Parameters of this file's functions that receive an Express response from a route handler or middleware (or
    /// from such a function), of this module or another: `setAuthCookie(res, user)` called in a handler.
    pub responses: Box<[ResponseParam]>,
    /// Apps this file creates (by the start of their `express()` call) in a function that returns them, which
    /// another module calls and mounts on an app or router: `app.use(baseUrl, await middleware(config))`, or the
    /// result kept in a name first. Requests reach such an app through its parent's middleware.
    pub mounted_apps: Box<[usize]>,
    /// Handlers this file registers on an app or router by a name or dotted path that names neither a function of
    /// the project nor a package's value (`h.show` of `const h = make()`, a parameter): by the registration's start,
    /// with the name as written. What such a handler reads is not known here.
    pub unknown_handlers: Box<[(usize, Atom)]>,
}

impl FileLinks {
    /// Whether code of this file in `scope` (the innermost function holding it, `None` at the top level: see
    /// [`crate::analysis::MemberCall::scope`]) surely runs when the modules load, branches aside.
    pub fn runs_at_load(&self, scope: Option<&ByteRange>) -> bool {
        scope.is_none_or(|body| self.run_at_load.contains(body))
    }

    /// Whether `object` (a receiver path) is a parameter that receives an app or router, used at `at`.
    pub fn is_app_param(&self, object: &str, at: usize) -> bool {
        self.app_params.iter().any(|p| p.name == object && p.body.start() <= at && at <= p.body.end())
    }

    /// Object literals passed to `module`'s function (as its first argument unless `arg` says otherwise).
    pub fn objects_passed_to<'a>(&'a self, module: &'a str) -> impl Iterator<Item = &'a PassedObject> + 'a {
        self.passed_objects.iter().filter(move |o| o.module == module)
    }

    /// The same links on the file after `edits` (made to the text the links were computed on).
    pub fn shifted(&self, edits: &[crate::edit::Edit]) -> FileLinks {
        let at = |offset: usize| {
            let delta: isize = edits
                .iter()
                .filter(|e| e.range.end <= offset && (e.range.start < offset || !e.range.is_empty()))
                .map(|e| e.text.len() as isize - e.range.len() as isize)
                .sum();
            offset.saturating_add_signed(delta)
        };
        let range = |r: &ByteRange| ByteRange::new(at(r.start()), at(r.end()));
        FileLinks {
            handlers: self.handlers.iter().map(|(r, path)| (range(r), path.clone())).collect(),
            form_handlers: self.form_handlers.iter().map(range).collect(),
            app_params: self.app_params.iter().map(|p| AppParam { body: range(&p.body), ..p.clone() }).collect(),
            passed_objects: self
                .passed_objects
                .iter()
                .map(|o| PassedObject { object: range(&o.object), ..o.clone() })
                .collect(),
            objects_elsewhere: self
                .objects_elsewhere
                .iter()
                .map(|o| ObjectElsewhere { range: range(&o.range), ..o.clone() })
                .collect(),
            app_middleware: self
                .app_middleware
                .iter()
                .map(|m| RemoteMiddleware { app: at(m.app), ..m.clone() })
                .collect(),
            mounted_apps: self.mounted_apps.iter().map(|app| at(*app)).collect(),
            imported_instances: self.imported_instances.clone(),
            passed_values: self
                .passed_values
                .iter()
                .map(|v| PassedValue { value: range(&v.value), ..v.clone() })
                .collect(),
            header_names: self.header_names.iter().map(range).collect(),
            run_at_load: self.run_at_load.iter().map(range).collect(),
            responses: self.responses.iter().map(|r| ResponseParam { body: range(&r.body), ..r.clone() }).collect(),
            unknown_handlers: self.unknown_handlers.iter().map(|(start, name)| (at(*start), name.clone())).collect(),
        }
    }

    /// Where the object literal of the argument (or spread expression) at `range` is written, when in another
    /// module.
    pub fn object_elsewhere(&self, range: &ByteRange) -> Option<&ObjectElsewhere> {
        self.objects_elsewhere.iter().find(|o| o.range == *range)
    }
}

/// A function parameter that receives an Express app or router from another module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppParam {
    /// The function's body.
    pub body: ByteRange,
    /// The parameter's name.
    pub name: Atom,
    /// A router rather than an app.
    pub router: bool,
    /// The app it is, when it is one: the file that creates it and the start of its `express()` call.
    pub origin: Option<(PathBuf, usize)>,
}

/// A parameter of a function that receives an Express response from a handler ([`FileLinks::responses`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ResponseParam {
    /// The function's body.
    pub body: ByteRange,
    /// The parameter that receives the response.
    pub res: Atom,
    /// The parameter that receives the handler's request beside it, if one does.
    pub req: Option<Atom>,
}

/// A call of a function of the project, as the passes over calls read it.
struct FunctionCall {
    /// The file of the function called, and the function's index in its facts.
    target: (usize, usize),
    /// Each argument's name, when it is a bare name.
    args: Vec<Option<Atom>>,
    /// Where the call is.
    at: usize,
    /// Whether it runs only in a branch.
    in_branch: bool,
    /// The innermost function holding it (`None` at the top level).
    scope: Option<ByteRange>,
}

/// A function registered as a handler by another module: its range, and the route path when it is a literal.
pub type LinkedHandler = (ByteRange, Option<Atom>);

/// The app a parameter receives: the file that creates it and the start of its `express()` call (`None` for a
/// router, or an app whose creation is not seen).
type AppOrigin = Option<(PathBuf, usize)>;

/// An object literal of this file that another module passes to a package's function.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PassedObject {
    /// The object literal.
    pub object: ByteRange,
    /// The package whose function receives it (`express-session`).
    pub module: Atom,
    /// The members called on the package (`[]` for the package itself, `["session"]` for `express.session`).
    pub members: Vec<Atom>,
    /// Which argument it is.
    pub arg: usize,
    /// Spread into the argument (`session({ ...base, resave: false })`) rather than the argument itself.
    pub spread: bool,
    /// The file that makes the call, and the call's line.
    pub caller: (PathBuf, usize),
}

/// An argument (or spread) of this file whose object literal is written in another module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectElsewhere {
    /// The argument's range here (for a spread, the spread expression after `...`).
    pub range: ByteRange,
    /// The module the object literal is written in.
    pub file: PathBuf,
    /// The keys it sets (computed keys and its own spreads are not listed).
    pub keys: Vec<Atom>,
    /// Whether it has spreads or computed keys of its own (then `keys` may not be all it sets).
    pub open: bool,
}

/// A value of this file that another module passes to a package's function.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PassedValue {
    /// The value's range here (a string literal, a template literal, or a choice made at run time).
    pub value: ByteRange,
    /// The package's function, as the caller names it (`jwt.sign`, bound to `jsonwebtoken`).
    pub callee: crate::values::CalleeRef,
    /// `new X()` rather than `X()`.
    pub is_new: bool,
    /// Which argument it is, or holds it.
    pub arg: usize,
    /// The property of the object argument it is the value of (`{ secret: config.secret }`, inline or an object
    /// literal of the caller the argument names), if any.
    pub key: Option<Atom>,
    /// The file that makes the call, and the call's line.
    pub caller: (PathBuf, usize),
}

/// Middleware registered on one of this file's apps by another module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteMiddleware {
    /// Start of the app's `express()` call.
    pub app: usize,
    /// The package whose middleware it is (`helmet`).
    pub module: Atom,
    /// Top-level option keys set to `false` (`helmet({ contentSecurityPolicy: false })`).
    pub disabled: Vec<Atom>,
    /// For `cors()`, which origins it lets read the app's responses ([`cors_origins`]).
    pub origins: Option<bool>,
    /// Where it is registered: the file and the line.
    pub at: (PathBuf, usize),
}

/// A name imported from another module whose value a package's function or constructor created there
/// (`export const redis = new Redis(url)`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedInstance {
    /// The local name.
    pub local: Atom,
    /// The package (`ioredis`).
    pub module: Atom,
    /// The path called (`Redis`, `redis.createClient`), as written in the other module.
    pub callee: Atom,
    /// The members after the package's binding (`["createClient"]`).
    pub members: Vec<Atom>,
    /// `new X()` rather than `X()`.
    pub is_new: bool,
    /// What calling the package call's value made (`db` of `const pgp = require('pg-promise')(); const db =
    /// pgp(url)`): `members` and `is_new` then describe that call.
    pub called_again: bool,
    /// The module that creates it.
    pub file: PathBuf,
    /// The database its module selects on it: the source text of the first argument of `name.db(arg)` (a MongoDB
    /// client's `db()`) on the name the module declares it under, as written there.
    pub db: Option<Atom>,
}

/// A value a module of the project exports that a package's function or constructor created there
/// (`export const redis = new Redis(url)`, `module.exports = { pool }` with `const pool = new Pool()`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportedInstance {
    /// The module.
    pub file: PathBuf,
    /// The export's name (`default` for `module.exports = x` and `export default x`).
    pub export: Atom,
    /// The name it is declared under in its module, when it has one (a good name for importing it).
    pub local: Option<Atom>,
    /// The package (`ioredis`).
    pub module: Atom,
    /// The members after the package's binding (`["createClient"]`).
    pub members: Vec<Atom>,
    /// `new X()` rather than `X()`.
    pub is_new: bool,
    /// What calling the package call's value made (`db` of `const pgp = require('pg-promise')(); const db =
    /// pgp(url)`): `members` and `is_new` then describe that call.
    pub called_again: bool,
    /// The database its module selects on it: the source text of the first argument of `name.db(arg)` (a MongoDB
    /// client's `db()`) on the name the module declares it under, as written there.
    pub db: Option<Atom>,
}

/// The value the path of names `names` reads in the module `from` (`["config", "publicDir"]`: the `publicDir` property
/// of what `config` is bound to, `express.static(config.publicDir)`), with the index of the module whose code holds it
/// (a path in it is relative to that module): a name bound by a require or an import of a project module is what that
/// module exports (the module itself: `module.exports`, or its named exports; one export: that export, or that
/// property of `module.exports`), a name a top-level declaration gives is its initial value, and each further name a
/// property of an object literal. `None` where any step is computed, a package's, or not found.
pub fn value_behind(
    inputs: &[Option<LinkInput<'_>>],
    resolver: &Resolver,
    from: usize,
    names: &[String],
) -> Option<(usize, Value)> {
    let facts = |i: usize| inputs.get(i)?.as_ref().map(|input| input.facts);
    let declared = |i: usize, name: &str| facts(i)?.top_level_const(name).cloned();
    // (A name a `const` gives, followed a few steps: `module.exports = config`.)
    let settle = |i: usize, mut value: Value| -> Value {
        for _ in 0..4 {
            let Value::Ident(name, _) = &value else { break };
            let Some(next) = declared(i, name) else { break };
            value = next;
        }
        value
    };
    let export = |i: usize, name: &str| -> Option<Value> {
        let exports = &facts(i)?.exports;
        exports.iter().rev().find(|e| e.from.is_none() && e.name == *name).map(|e| e.value.clone())
    };
    let property = |i: usize, value: Value, key: &str| -> Option<Value> {
        let Value::Object(object) = settle(i, value) else { return None };
        object.get(key).map(|p| p.value.clone())
    };
    let (first, rest) = names.split_first()?;
    let input = inputs.get(from)?.as_ref()?;
    let binding = input.facts.bindings.iter().find(|b| b.local == *first.as_str());
    let (at, mut value, mut rest) = match binding {
        Some(binding) => {
            let target = resolver.resolve(input.path, &binding.module)?;
            match &binding.kind {
                crate::bindings::ImportKind::Named(name) => {
                    let value = export(target, name).or_else(|| property(target, export(target, "default")?, name))?;
                    (target, value, rest)
                }
                crate::bindings::ImportKind::Module => match rest.split_first() {
                    // (`exports.publicDir = ...` read as `config.publicDir`.)
                    Some((name, after)) if export(target, name).is_some() => (target, export(target, name)?, after),
                    _ => (target, export(target, "default")?, rest),
                },
            }
        }
        None => (from, declared(from, first)?, rest),
    };
    while let Some((name, after)) = rest.split_first() {
        value = property(at, value, name)?;
        rest = after;
    }
    // (A property given by a name the module imports: `{ publicDir }` with `publicDir` from yet another module is not
    // followed.)
    Some((at, settle(at, value)))
}

/// Every value the analysed modules export that a package created in that module, handed to `each` with its file's
/// index, in file order.
pub fn exported_instances(
    inputs: &[Option<LinkInput<'_>>],
    resolver: &Resolver,
    mut each: impl FnMut(usize, ExportedInstance),
) {
    let linker = Linker { inputs, resolver };
    // (File by file on both cores, gathered in file order a block of files at a time: a large project exports tens
    // of thousands, most of which are not kept.)
    let of_file = |(i, input): (usize, &Option<LinkInput<'_>>)| {
        let mut out = Vec::new();
        let Some(input) = input else { return out };
        let mut names: Vec<(&str, Option<Atom>)> = Vec::new();
        for export in input.facts.exports.iter().filter(|e| e.from.is_none() && e.name != "*") {
            match (&export.value, export.name.as_str()) {
                // `module.exports = { redis, pool: pgPool }`: each property is an export.
                (Value::Object(obj), "default") => {
                    for prop in &obj.props {
                        if let Some(key) = &prop.key {
                            let local = match &prop.value {
                                Value::Ident(name, _) => Some(name.clone()),
                                _ => None,
                            };
                            names.push((key.as_str(), local));
                        }
                    }
                }
                (Value::Ident(local, _), name) => names.push((name, Some(local.clone()))),
                (_, name) => names.push((name, None)),
            }
        }
        for (name, local) in names {
            let (t, call, is_new, called_again) = match linker.export(i, name, &[], 0) {
                Some(Resolved::Instance(t, call, is_new)) => (t, call, is_new, false),
                Some(Resolved::Made(t, call)) => (t, call, false, true),
                _ => continue,
            };
            let Some(callee) = call.callee.as_ref() else { continue };
            let Some(module) = instance_module(callee, called_again) else { continue };
            if t != i {
                continue;
            }
            let members = package_members(callee);
            out.push((
                i,
                ExportedInstance {
                    file: input.path.to_path_buf(),
                    export: name.into(),
                    local: local.or_else(|| (name != "default").then(|| name.into())),
                    module,
                    members,
                    is_new,
                    called_again,
                    db: selected_db(input, &call).filter(|_| !called_again),
                },
            ));
        }
        out
    };
    in_blocks(
        inputs,
        |i, input| of_file((i, input)),
        |found| {
            for (i, instance) in found {
                each(i, instance);
            }
        },
    );
}

/// What `find` gives for each file of `inputs` (by its index), found on both cores and handed to `record` in file
/// order, a block of [`LINK_BLOCK`] files at a time: what the files give is not all held at once.
fn in_blocks<'a, T: Send, I: IntoIterator<Item = T>>(
    inputs: &'a [Option<LinkInput<'_>>],
    find: impl Fn(usize, &'a Option<LinkInput<'_>>) -> I + Sync + Send,
    mut record: impl FnMut(Vec<T>),
) {
    for (block, block_inputs) in inputs.chunks(LINK_BLOCK).enumerate() {
        let found = block_inputs
            .par_iter()
            .with_max_len(crate::source::PARALLEL_CHUNK)
            .enumerate()
            .flat_map_iter(|(i, input)| find(block * LINK_BLOCK + i, input))
            .collect();
        record(found);
    }
}

/// The database module `input` selects on the value `call` creates there: the text of the first argument of the first
/// `name.db(arg)` call (a MongoDB client), where `name` is the top-level variable the call initialises.
fn selected_db(input: &LinkInput<'_>, call: &CallFacts) -> Option<Atom> {
    let facts = input.facts;
    let name =
        facts.declarations.iter().find(|d| d.top_level && d.init.as_ref().is_some_and(|v| v.range() == call.range))?;
    let member_calls = facts.member_calls();
    let arg = member_calls.iter().filter(|m| m.object == name.name && m.method == "db").find_map(|m| m.args.first())?;
    input.file().code.get(arg.range().range()).map(Atom::from)
}

/// The specifier that imports `target` from `importer` (both paths as discovered): `./x`, `../lib/redis`, with the
/// extension only when `keep_extension` (ES modules in Node need it).
pub fn relative_specifier(importer: &Path, target: &Path, keep_extension: bool) -> Option<String> {
    let from = key(importer.parent().unwrap_or(Path::new("")));
    let to = key(target);
    let from_parts: Vec<_> = from.components().collect();
    let to_parts: Vec<_> = to.components().collect();
    let common = from_parts.iter().zip(&to_parts).take_while(|(a, b)| a == b).count();
    let mut spec = String::new();
    for _ in common..from_parts.len() {
        spec.push_str("../");
    }
    if spec.is_empty() {
        spec.push_str("./");
    }
    let rest: Vec<&str> = to_parts[common..].iter().map(|c| c.as_os_str().to_str()).collect::<Option<_>>()?;
    spec.push_str(&rest.join("/"));
    if !keep_extension {
        if let Some(ext) = to.extension().and_then(|e| e.to_str()) {
            spec.truncate(spec.len() - ext.len() - 1);
        }
        if let Some(dir) = spec.strip_suffix("/index") {
            spec = dir.to_string();
        }
    }
    Some(spec)
}

/// One analysed file, as the linker sees it.
pub struct LinkInput<'a> {
    /// Its path, as discovered.
    pub path: &'a Path,
    /// The file as the first pass left it: its text may be parked ([`SourceFile::park`]), its line numbers are known.
    /// [`LinkInput::file`] has the text.
    pub source: &'a SourceFile,
    /// Its facts.
    pub facts: &'a FileFacts,
    /// The project root (the text is read again through its checks).
    root: Option<&'a Path>,
    /// The text, read again the first time a link needs it (most files' never is: boxed, an unboxed `SourceFile` made
    /// every file's input 168 bytes rather than 64).
    text: std::sync::OnceLock<Option<Box<SourceFile>>>,
}

impl<'a> LinkInput<'a> {
    /// A file for the linking: `source` as the first pass left it (its text parked or not).
    pub fn new(path: &'a Path, source: &'a SourceFile, facts: &'a FileFacts, root: Option<&'a Path>) -> Self {
        LinkInput { path, source, facts, root, text: std::sync::OnceLock::new() }
    }

    /// The file with its text. A parked text is read again the first time; one that changed on disk since is left
    /// empty here (no link is made from it), and its own plan says that it changed.
    pub fn file(&self) -> &SourceFile {
        if !self.source.is_parked() {
            return self.source;
        }
        self.text.get_or_init(|| self.read_again().map(Box::new)).as_deref().unwrap_or(self.source)
    }

    /// The parked text read again, not kept (for one use that must not hold it): `None` when the text is not parked,
    /// or changed on disk since.
    pub fn read_again(&self) -> Option<SourceFile> {
        self.source.is_parked().then(|| self.source.unparked(self.root).ok()).flatten()
    }

    /// Drops the text [`LinkInput::file`] read again, once the links that needed it are made: held until the inputs
    /// are dropped, the texts of every file some link read were a tenth of the heap at its peak (10,000 files).
    pub fn forget_text(&mut self) {
        self.text.take();
    }
}

/// Finds the file an import names among the project's source files.
pub struct Resolver {
    /// Every discovered source file, normalised, with its index in the discovered list. Keyed by the path's bytes:
    /// hashing a `Path` walks its components, and a miss tries up to eighteen names.
    by_path: HashMap<Box<[u8]>, usize>,
    /// Workspace packages by name: their folder and their entry (`main`, or `exports['.']`), if any.
    packages: HashMap<String, (PathBuf, Option<String>)>,
    /// `baseUrl` and `paths` of the projects' tsconfig.json (or jsconfig.json), deepest folder first.
    aliases: Vec<crate::tsconfig::PathAliases>,
    /// Specifiers already resolved, by the importer's folder and the specifier (the folder's bytes, a NUL, the
    /// specifier): the modules of a folder import the same neighbours and packages, and every import is resolved
    /// more than once (to read the modules the prefiltered files import, then to link them).
    seen: std::sync::RwLock<HashMap<Box<[u8]>, Option<usize>>>,
}

impl Resolver {
    /// A resolver over `sources` (the discovered source files) and the workspace packages `packages` (name, folder,
    /// entry).
    pub fn new(sources: &[PathBuf], packages: Vec<(String, PathBuf, Option<String>)>) -> Resolver {
        // (The keys made on both cores: normalising 100,000 paths is tens of milliseconds of one core. A later file
        // with the same key takes its place, as one after another.)
        let keys: Vec<(Box<[u8]>, usize)> =
            sources.par_iter().enumerate().map(|(i, p)| (bytes(&key(p)).into(), i)).collect();
        let by_path = keys.into_iter().collect();
        let packages = packages.into_iter().map(|(name, dir, main)| (name, (key(&dir), main))).collect();
        Resolver { by_path, packages, aliases: Vec::new(), seen: Default::default() }
    }

    /// The same resolver, also following the module aliases of `aliases` (each applies to the files below its
    /// folder).
    pub fn with_aliases(mut self, mut aliases: Vec<crate::tsconfig::PathAliases>) -> Resolver {
        for a in &mut aliases {
            a.dir = key(&a.dir);
        }
        aliases.sort_by_key(|a| std::cmp::Reverse(a.dir.components().count()));
        self.aliases = aliases;
        self
    }

    /// The index of the source file that `spec`, imported by `importer`, names: a relative path (with Node's and
    /// TypeScript's extension and `index` rules, and `.js` written for a `.ts` file) or a workspace package.
    pub fn resolve(&self, importer: &Path, spec: &str) -> Option<usize> {
        // (Keyed by the importer's text before its last `/` when a name follows it: that names its folder, and
        // `Path::parent` parses the whole path while most imports are answered here. Not at the first byte: `/a.js`
        // is in `/`.)
        let raw = bytes(importer);
        let folder_text = match raw.iter().rposition(|&b| b == b'/') {
            Some(i) if i > 0 && !matches!(&raw[i + 1..], b"" | b"." | b"..") => &raw[..i],
            _ => bytes(importer.parent().unwrap_or(Path::new(""))),
        };
        // (The key is built in a buffer of the thread's, and the memo read under a shared lock: most look-ups are
        // answered here, from both cores at once.)
        thread_local! {
            static KEY: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
        }
        let known = KEY.with_borrow_mut(|key| {
            key.clear();
            key.extend_from_slice(folder_text);
            key.push(0);
            key.extend_from_slice(spec.as_bytes());
            self.seen.read().unwrap_or_else(|e| e.into_inner()).get(key.as_slice()).copied()
        });
        if let Some(found) = known {
            return found;
        }
        let found = self.resolve_in(importer.parent().unwrap_or(Path::new("")), spec);
        let key: Box<[u8]> = [folder_text, b"\0", spec.as_bytes()].concat().into();
        self.seen.write().unwrap_or_else(|e| e.into_inner()).insert(key, found);
        found
    }

    /// [`Resolver::resolve`] for a specifier imported by a module of `folder`, not remembered.
    fn resolve_in(&self, folder: &Path, spec: &str) -> Option<usize> {
        if spec == "." || spec == ".." || spec.starts_with("./") || spec.starts_with("../") {
            return self.file_at(&key(&folder.join(spec)));
        }
        // tsconfig's `paths` and `baseUrl` first (as TypeScript and its bundlers resolve), for the files below it.
        if !self.aliases.is_empty() {
            let folder_key = key(folder);
            if let Some(aliases) = self.aliases.iter().find(|a| folder_key.starts_with(&a.dir)) {
                if let Some(found) = aliases.candidates(spec).iter().find_map(|c| self.file_at(&key(c))) {
                    return Some(found);
                }
            }
        }
        let (name, rest) = package_name(spec)?;
        let (dir, main) = self.packages.get(name)?;
        let base = match rest {
            Some(rest) => key(&dir.join(rest)),
            None => key(&dir.join(main.as_deref().unwrap_or("index"))),
        };
        self.file_at(&base)
    }

    /// The source file at `path` (normalised), if any.
    fn at(&self, path: &Path) -> Option<usize> {
        self.by_path.get(bytes(path)).copied()
    }

    fn file_at(&self, base: &Path) -> Option<usize> {
        if let Some(i) = self.at(base) {
            return Some(i);
        }
        let with = |ext: &str| {
            let mut s = base.as_os_str().to_owned();
            s.push(".");
            s.push(ext);
            PathBuf::from(s)
        };
        for ext in EXTENSIONS {
            if let Some(i) = self.at(&with(ext)) {
                return Some(i);
            }
        }
        // TypeScript's ES module style: `./routes.js` names `./routes.ts`.
        if let Some(ext) = base.extension().and_then(|e| e.to_str()) {
            let typed: &[&str] = match ext {
                "js" => &["ts", "tsx"],
                "jsx" => &["tsx"],
                "mjs" => &["mts"],
                "cjs" => &["cts"],
                _ => &[],
            };
            for t in typed {
                if let Some(i) = self.at(&base.with_extension(t)) {
                    return Some(i);
                }
            }
        }
        for ext in EXTENSIONS {
            if let Some(i) = self.at(&base.join(format!("index.{ext}"))) {
                return Some(i);
            }
        }
        None
    }
}

/// A path as the resolver compares it: lexically normalised.
fn key(path: &Path) -> PathBuf {
    crate::root::normalize(path)
}

/// The bytes of a path, as the resolver's maps hold them.
fn bytes(path: &Path) -> &[u8] {
    path.as_os_str().as_encoded_bytes()
}

/// `@scope/name/sub` -> (`@scope/name`, `sub`); `name` -> (`name`, none).
fn package_name(spec: &str) -> Option<(&str, Option<&str>)> {
    if spec.is_empty() || spec.starts_with('/') || spec.contains(':') {
        return None;
    }
    let parts = if spec.starts_with('@') { 2 } else { 1 };
    let mut cut = spec.len();
    let mut seen = 0;
    for (i, c) in spec.char_indices() {
        if c == '/' {
            seen += 1;
            if seen == parts {
                cut = i;
                break;
            }
        }
    }
    let name = &spec[..cut];
    let rest = spec.get(cut + 1..).filter(|r| !r.is_empty());
    Some((name, rest))
}

/// What a value of a module is, once names, re-exports and requires are followed.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Resolved {
    /// A function (its range) of a file.
    Function(usize, ByteRange),
    /// An object literal of a file.
    Object(usize, ByteRange),
    /// A package's function or constructor called in a file.
    Instance(usize, Box<CallFacts>, bool),
    /// What a file makes by calling the value a package's function returned (`db` of `const pgp =
    /// require('pg-promise')(); const db = pgp(url)`), with that package's call.
    Made(usize, Box<CallFacts>),
    /// A string or template literal, or a choice made at run time (`process.env.X || 'dev'`), of a file.
    Literal(usize, ByteRange),
    /// A class declared at the top level of a file (its range).
    Class(usize, ByteRange),
}

/// Links the analysed files. `inputs[i]` is `None` for a discovered file that was not analysed; `resolver` indexes
/// the same list. Returns each analysed file's links (empty ones are left out).
pub fn link(inputs: &[Option<LinkInput<'_>>], resolver: &Resolver) -> ProjectLinks {
    let linker = Linker { inputs, resolver };
    let mut links = ProjectLinks::new(inputs.len());
    // Apps and routers handed to functions of other modules, through as many modules as they go.
    let mut params: HashMap<usize, Vec<AppParam>> = HashMap::default();
    let mut work: Vec<usize> = (0..inputs.len()).filter(|i| inputs[*i].is_some()).collect();
    let mut queued: HashSet<usize> = work.iter().copied().collect();
    while let Some(i) = work.pop() {
        queued.remove(&i);
        for (target, param) in linker.apps_handed_on(i, params.get(&i).map(Vec::as_slice)) {
            let known = params.entry(target).or_default();
            if !known.contains(&param) {
                known.push(param);
                if queued.insert(target) {
                    work.push(target);
                }
            }
        }
    }
    // What each file says of the others, found in parallel, then recorded in file order (as one loop would), a
    // block of files at a time: what a file found takes more room than what is recorded of it.
    let mut handlers: Vec<(usize, ByteRange)> = Vec::new();
    in_blocks(
        inputs,
        |i, input| {
            let input = input.as_ref()?;
            let own_params = params.get(&i).map(Vec::as_slice);
            let objects = linker
                .objects_passed(i)
                .into_iter()
                .map(|(target, passed, arg_range)| {
                    let object = linker.input(target).and_then(|x| x.facts.object_at(&passed.object));
                    let elsewhere = ObjectElsewhere {
                        range: arg_range,
                        file: linker.path(target).to_path_buf(),
                        keys: object
                            .map(|o| o.props.iter().filter_map(|p| p.key.clone()).collect())
                            .unwrap_or_default(),
                        open: object.is_none_or(|o| !o.spreads.is_empty() || o.props.iter().any(|p| p.key.is_none())),
                    };
                    (target, passed, elsewhere)
                })
                .collect();
            // Middleware this file registers on apps it received.
            let mut middleware = Vec::new();
            let mut unknown = Vec::new();
            for param in own_params.into_iter().flatten() {
                let Some((origin_path, app)) = &param.origin else { continue };
                let Some(origin) = linker.index_of(origin_path) else { continue };
                for mw in linker.middleware_on(input, param) {
                    middleware.push((origin, RemoteMiddleware { app: *app, ..mw }));
                }
            }
            Some(FoundLinks {
                file: i,
                mounted: linker.mounted_apps(i, own_params),
                handlers: linker.registered_handlers(i, own_params, &mut unknown),
                objects,
                instances: linker.imported_instances(i),
                values: linker.values_passed(i),
                header_names: linker.header_names(i),
                middleware,
                unknown,
            })
        },
        |found: Vec<FoundLinks>| {
            handlers.extend(found.iter().flat_map(|f| f.handlers.iter().map(|(t, (range, _), ..)| (*t, *range))));
            for found in found {
                let i = found.file;
                // (A file reads the handlers it registers itself from its registrations, but for those it passes
                // through a wrapper.)
                for (target, handler, form, _) in
                    found.handlers.into_iter().filter(|(t, .., wrapped)| *t != i || *wrapped)
                {
                    let entry = links.entry(target);
                    if form {
                        add(&mut entry.form_handlers, handler.0);
                    }
                    add(&mut entry.handlers, handler);
                }
                for (target, passed, elsewhere) in found.objects {
                    push(&mut links.entry(i).objects_elsewhere, elsewhere);
                    add(&mut links.entry(target).passed_objects, passed);
                }
                for (target, passed) in found.values {
                    add(&mut links.entry(target).passed_values, passed);
                }
                for (target, value) in found.header_names {
                    add(&mut links.entry(target).header_names, value);
                }
                if !found.instances.is_empty() {
                    links.entry(i).imported_instances = found.instances.into_boxed_slice();
                }
                if !found.unknown.is_empty() {
                    links.entry(i).unknown_handlers = found.unknown.into_boxed_slice();
                }
                for (target, app) in found.mounted {
                    add(&mut links.entry(target).mounted_apps, app);
                }
                for (origin, remote) in found.middleware {
                    add(&mut links.entry(origin).app_middleware, remote);
                }
            }
        },
    );
    for (i, set) in params {
        links.entry(i).app_params = set.into_boxed_slice();
    }
    // The calls of the project's functions, for what runs at load and where responses go.
    let calls: Vec<Vec<FunctionCall>> = inputs
        .par_iter()
        .with_max_len(crate::source::PARALLEL_CHUNK)
        .enumerate()
        .map(|(i, _)| linker.function_calls(i))
        .collect();
    for (t, bodies) in linker.run_at_load(&calls) {
        links.entry(t).run_at_load = bodies.into_boxed_slice();
    }
    for (t, responses) in linker.responses(&calls, &handlers) {
        links.entry(t).responses = responses.into_boxed_slice();
    }
    for slot in &mut links.0 {
        if slot.as_deref().is_some_and(|l| *l == FileLinks::default()) {
            *slot = None;
        }
    }
    links
}

/// Adds `item` to `list` unless it is there.
fn add<T: PartialEq>(list: &mut Box<[T]>, item: T) {
    if !list.contains(&item) {
        push(list, item);
    }
}

/// Adds `item` to `list`. (A list grows by one and is boxed again without spare room: most files get one or two
/// items, and an item is already compared with each there first.)
fn push<T>(list: &mut Box<[T]>, item: T) {
    let mut grown = std::mem::take(list).into_vec();
    grown.reserve_exact(1);
    grown.push(item);
    *list = grown.into_boxed_slice();
}

/// How many files' links [`link`] finds before it records them.
const LINK_BLOCK: usize = 2048;

/// What one file's code says of other files (and of its own imports), before it is recorded.
struct FoundLinks {
    file: usize,
    mounted: Vec<(usize, usize)>,
    /// Each with whether its route takes a form's submission, and whether it is passed through a wrapper.
    handlers: Vec<(usize, LinkedHandler, bool, bool)>,
    objects: Vec<(usize, PassedObject, ObjectElsewhere)>,
    instances: Vec<ImportedInstance>,
    values: Vec<(usize, PassedValue)>,
    header_names: Vec<(usize, ByteRange)>,
    middleware: Vec<(usize, RemoteMiddleware)>,
    /// Handlers registered by a name that names nothing known ([`FileLinks::unknown_handlers`]).
    unknown: Vec<(usize, Atom)>,
}

struct Linker<'a, 'b> {
    inputs: &'a [Option<LinkInput<'b>>],
    resolver: &'a Resolver,
}

impl<'b> Linker<'_, 'b> {
    fn input(&self, i: usize) -> Option<&LinkInput<'b>> {
        self.inputs.get(i).and_then(Option::as_ref)
    }

    fn path(&self, i: usize) -> &Path {
        self.input(i).map_or(Path::new(""), |x| x.path)
    }

    fn index_of(&self, path: &Path) -> Option<usize> {
        self.resolver.at(&key(path))
    }

    /// The module a relative (or workspace) specifier of file `i` names, when it was analysed.
    fn target(&self, i: usize, spec: &str) -> Option<usize> {
        let t = self.resolver.resolve(self.path(i), spec)?;
        self.input(t).map(|_| t)
    }

    /// What export `name` of file `i`, with `members` read from it, is.
    fn export(&self, i: usize, name: &str, members: &[Atom], depth: usize) -> Option<Resolved> {
        if depth > MAX_DEPTH {
            return None;
        }
        let facts = self.input(i)?.facts;
        if let Some(export) = facts.exports.iter().rev().find(|e| e.name == name) {
            return match (&export.from, &export.value) {
                (Some(from), Value::Ident(orig, _)) => {
                    let t = self.target(i, from)?;
                    if orig == "*" {
                        // `export * as ns from './m'`: `ns.a` is `a` of the module.
                        let (first, rest) = members.split_first()?;
                        self.export(t, first, rest, depth + 1)
                    } else {
                        self.export(t, orig, members, depth + 1)
                    }
                }
                (_, value) => self.value(i, value, members, depth + 1),
            };
        }
        if name != "default" {
            // `export * from './m'`.
            for export in facts.exports.iter().filter(|e| e.name == "*") {
                if let Some(t) = export.from.as_deref().and_then(|f| self.target(i, f)) {
                    if let Some(found) = self.export(t, name, members, depth + 1) {
                        return Some(found);
                    }
                }
            }
            // A CommonJS module's exports object: `module.exports = { show }` exports `show`.
            let mut path = vec![Atom::from(name)];
            path.extend_from_slice(members);
            return self.export(i, "default", &path, depth + 1);
        }
        // A CommonJS module without `module.exports = x`: its exports object holds the named exports
        // (`exports.show = ...` read as `require('./customers').show`).
        let (first, rest) = members.split_first()?;
        if facts.exports.iter().any(|e| e.name == *first) {
            return self.export(i, first, rest, depth + 1);
        }
        None
    }

    /// What `value`, written in file `i`, with `members` read from it, is.
    fn value(&self, i: usize, value: &Value, members: &[Atom], depth: usize) -> Option<Resolved> {
        if depth > MAX_DEPTH {
            return None;
        }
        let input = self.input(i)?;
        let facts = input.facts;
        match value {
            Value::Object(obj) => match members.split_first() {
                None => Some(Resolved::Object(i, obj.range)),
                Some((first, rest)) => {
                    let prop = obj.get(first)?;
                    match self.value(i, &prop.value, rest, depth + 1) {
                        // A method property, `show(req, res) { ... }` (or a function in a choice).
                        found @ (None | Some(Resolved::Literal(..))) if rest.is_empty() => {
                            self.function_within(i, prop.range).or(found)
                        }
                        found => found,
                    }
                }
            },
            Value::Ident(name, r) => self.name(i, name, r.start(), members, depth),
            Value::Str(_, r) | Value::Conditional(r) if members.is_empty() => Some(Resolved::Literal(i, *r)),
            // A function, found in the facts before the text is looked at (a parked text is read again from disk for
            // that; a function's text never starts with a backtick).
            Value::Other(r) if members.is_empty() && facts.functions.iter().any(|f| f.range == *r) => {
                Some(Resolved::Function(i, *r))
            }
            // A class (`export default class { ... }`), or its static member.
            Value::Other(r) if facts.classes.iter().any(|c| c.range == *r) => self.class_or_static(i, *r, members),
            Value::Other(r)
                if members.is_empty() && input.file().code.get(r.range()).is_some_and(|t| t.starts_with('`')) =>
            {
                Some(Resolved::Literal(i, *r))
            }
            Value::Other(r) if members.is_empty() => {
                // A dotted path written as the value (`config.session`).
                let text = input.file().code.get(r.range())?;
                let (first, rest) = dotted(text)?;
                self.name(i, &first, r.start(), &rest, depth)
            }
            Value::Other(r) => {
                let text = input.file().code.get(r.range())?;
                let (first, mut rest) = dotted(text)?;
                rest.extend_from_slice(members);
                self.name(i, &first, r.start(), &rest, depth)
            }
            Value::Call(call) => {
                if let Some(spec) = required_spec(call) {
                    let t = self.target(i, &spec)?;
                    return self.export(t, "default", members, depth + 1);
                }
                let callee = call.callee.as_ref()?;
                let binding = callee.binding.as_ref();
                if binding.is_some_and(|b| !is_relative_or_workspace(self, i, &b.module)) && members.is_empty() {
                    return Some(Resolved::Instance(i, call.clone(), false));
                }
                // A function returning an object literal: `session(sessionOptions())`.
                let first = callee.path.split('.').next()?.to_string();
                let calls_a_value = callee.members.is_empty() && members.is_empty();
                match self.name(i, &first, call.range.start(), &callee.members, depth + 1) {
                    Some(Resolved::Function(t, range)) => {
                        let f = self.input(t)?.facts.functions.iter().find(|f| f.range == range)?;
                        let returned = f.returns.as_deref()?;
                        self.value(t, returned, members, depth + 1)
                    }
                    // `db` of `const pgp = pgPromise(); const db = pgp(url)`: what the package's value makes.
                    Some(Resolved::Instance(_, made, false)) if calls_a_value => Some(Resolved::Made(i, made)),
                    // (`const pgp = require('pg-promise')()`, which resolves to no instance.)
                    None if calls_a_value => {
                        self.inline_package_call(i, &first, call.range.start()).map(|made| Resolved::Made(i, made))
                    }
                    _ => None,
                }
            }
            Value::New(call) if members.is_empty() => {
                let binding = call.callee.as_ref()?.binding.as_ref()?;
                if is_relative_or_workspace(self, i, &binding.module) {
                    return None;
                }
                Some(Resolved::Instance(i, call.clone(), true))
            }
            // A method of an instance of the project's class: `users.show` of `const users = new UsersController()`.
            Value::New(call) => match members {
                [member] => match self.callee(i, call)? {
                    Resolved::Class(t, class) => self.class_member(t, class, member, false),
                    _ => None,
                },
                _ => None,
            },
            _ => None,
        }
    }

    /// The class at `class` in file `t` itself, or with `members`, the function its static member holds.
    fn class_or_static(&self, t: usize, class: ByteRange, members: &[Atom]) -> Option<Resolved> {
        match members {
            [] => Some(Resolved::Class(t, class)),
            [member] => self.class_member(t, class, member, true),
            _ => None,
        }
    }

    /// The function that member `name` of the class at `class` in file `t` holds: a method or function-valued
    /// property of its instances, or with `is_static`, of the class itself.
    fn class_member(&self, t: usize, class: ByteRange, name: &str, is_static: bool) -> Option<Resolved> {
        let facts = self.input(t)?.facts;
        let class = facts.classes.iter().find(|c| c.range == class)?;
        let member = class.members.iter().rev().find(|m| m.name == name && m.is_static == is_static)?;
        facts.functions.iter().any(|f| f.range == member.function).then_some(Resolved::Function(t, member.function))
    }

    /// What the name `name` of file `i`, used at `at`, with `members` read from it, is.
    fn name(&self, i: usize, name: &str, at: usize, members: &[Atom], depth: usize) -> Option<Resolved> {
        if depth > MAX_DEPTH {
            return None;
        }
        let facts = self.input(i)?.facts;
        if let Some(binding) = facts.bindings.iter().find(|b| b.local == name) {
            // A parameter or a local of an enclosing function with that name hides a top-level binding.
            if binding.top_level && shadowed(facts, name, at) {
                return None;
            }
            let t = self.target(i, &binding.module)?;
            return match &binding.kind {
                ImportKind::Module => match members.split_first() {
                    None => self.export(t, "default", &[], depth + 1),
                    // `ns.show`: the named export, or a property of the default export.
                    Some((first, rest)) => self.export(t, first, rest, depth + 1),
                },
                ImportKind::Named(export) => self.export(t, export, members, depth + 1),
            };
        }
        if members.is_empty() {
            if let Some(f) = facts.functions.iter().find(|f| f.name.as_deref() == Some(name)) {
                return Some(Resolved::Function(i, f.range));
            }
        }
        if let Some(class) = facts.classes.iter().find(|c| c.name.as_deref() == Some(name)) {
            if shadowed(facts, name, at) {
                return None;
            }
            return self.class_or_static(i, class.range, members);
        }
        let decl = facts.declaration(name, at)?;
        let init = decl.init.as_ref()?;
        self.value(i, init, members, depth + 1)
    }

    /// The call that initialises the top-level `name` of file `i` seen at `at`, when it calls a package's inline require
    /// itself (`const pgp = require('pg-promise')()`).
    fn inline_package_call(&self, i: usize, name: &str, at: usize) -> Option<Box<CallFacts>> {
        let facts = self.input(i)?.facts;
        if facts.bindings.iter().any(|b| b.local == name) || shadowed(facts, name, at) {
            return None;
        }
        let Some(Value::Call(call)) = facts.declaration(name, at)?.init.as_ref() else { return None };
        let module = call.callee.as_ref()?.inline_require.as_ref()?;
        let package = !is_relative_or_workspace(self, i, module) && call.callee.as_ref()?.is_module(module);
        package.then(|| call.clone())
    }

    /// The outermost function within `range` of file `i`.
    fn function_within(&self, i: usize, range: ByteRange) -> Option<Resolved> {
        let facts = self.input(i)?.facts;
        facts
            .functions
            .iter()
            .filter(|f| range.start() <= f.range.start() && f.range.end() <= range.end())
            .min_by_key(|f| f.range.start())
            .map(|f| Resolved::Function(i, f.range))
    }

    /// What `receiver` (at `at` in file `i`) is: an app this file creates (`Some(Some(start))`, with the file's path),
    /// a router or an app received (`Some(None)` with the router flag, or the origin of the app received), or nothing
    /// Express. (The path borrowed: most callers only ask whether it is anything.)
    fn express_receiver<'s>(
        &'s self,
        i: usize,
        own: Option<&'s [AppParam]>,
        receiver: &Receiver,
        at: usize,
    ) -> Option<(bool, Option<(&'s Path, usize)>)> {
        let input = self.input(i)?;
        let facts = input.facts;
        if let Some(app) = facts.apps.iter().find(|app| facts.is_app(app, receiver, at)) {
            return Some((false, Some((input.path, app.creation.start()))));
        }
        let Receiver::Path(path) = receiver else { return None };
        if facts.is_router(path) {
            return Some((true, None));
        }
        own.into_iter()
            .flatten()
            .find(|p| p.name == *path && p.body.start() <= at && at <= p.body.end())
            .map(|p| (p.router, p.origin.as_ref().map(|(path, start)| (path.as_path(), *start))))
    }

    /// The functions of other modules file `i` hands an app or router to (`require('./routes')(app)`), with the
    /// parameter that receives it.
    fn apps_handed_on(&self, i: usize, own: Option<&[AppParam]>) -> Vec<(usize, AppParam)> {
        let Some(input) = self.input(i) else { return Vec::new() };
        let mut out = Vec::new();
        for site in &input.facts.calls {
            if site.is_new {
                continue;
            }
            let call = &site.call;
            let express = |value: &Value| {
                let Value::Ident(name, r) = value else { return None };
                let (router, origin) = self.express_receiver(i, own, &Receiver::Path(name.clone()), r.start())?;
                Some((router, origin.map(|(path, start)| (path.to_path_buf(), start))))
            };
            // (An argument, or a property of an object literal argument the function destructures: a loader's
            // `expressLoader({ app })` with `export default ({ app }) => { ... }`, the key then.)
            let express_args: Vec<(usize, Option<&Atom>, bool, AppOrigin)> = call
                .args
                .iter()
                .enumerate()
                .flat_map(|(n, arg)| match arg {
                    Value::Object(object) => object
                        .props
                        .iter()
                        .filter_map(|p| {
                            let (router, origin) = express(&p.value)?;
                            Some((n, Some(p.key.as_ref()?), router, origin))
                        })
                        .collect::<Vec<_>>(),
                    _ => express(arg).map(|(router, origin)| (n, None, router, origin)).into_iter().collect(),
                })
                .collect();
            if express_args.is_empty() {
                continue;
            }
            let Some(Resolved::Function(t, range)) = self.callee(i, call) else { continue };
            let Some(f) = self.input(t).and_then(|x| x.facts.functions.iter().find(|f| f.range == range)) else {
                continue;
            };
            for (n, key, router, origin) in express_args {
                let name = match key {
                    None => f.params.get(n).cloned().flatten(),
                    Some(key) => f.object_params.iter().find(|(m, k, _)| *m == n && k == key).map(|(.., l)| l.clone()),
                };
                let Some(name) = name else { continue };
                out.push((t, AppParam { body: f.body, name, router, origin }));
            }
        }
        out
    }

    /// The apps of the project's modules (their file, and the start of their `express()` call) that file `i` mounts
    /// on an app or router by calling the function that makes and returns them ([`FileLinks::mounted_apps`]).
    fn mounted_apps(&self, i: usize, own: Option<&[AppParam]>) -> Vec<(usize, usize)> {
        let Some(input) = self.input(i) else { return Vec::new() };
        let facts = input.facts;
        let mut out = Vec::new();
        for use_ in &facts.uses {
            if self.express_receiver(i, own, &use_.receiver, use_.range.start()).is_none() {
                continue;
            }
            for mw in &use_.middleware {
                let at = use_.range.start();
                let made_by = match facts.resolve(mw) {
                    crate::analysis::Middleware::CallOf { binding, .. }
                        if is_relative_or_workspace(self, i, &binding.module) =>
                    {
                        self.name(i, &binding.local, at, &[], 0)
                    }
                    crate::analysis::Middleware::MemberCallOf { binding, member }
                        if is_relative_or_workspace(self, i, &binding.module) =>
                    {
                        self.name(i, &binding.local, at, std::slice::from_ref(member), 0)
                    }
                    // `app.use('/admin', require('./admin')(config))`.
                    crate::analysis::Middleware::RequireCall { module } => {
                        self.target(i, module).and_then(|t| self.export(t, "default", &[], 1))
                    }
                    _ => continue,
                };
                let Some(Resolved::Function(t, range)) = made_by else { continue };
                let Some(made) = self.input(t).map(|x| x.facts) else { continue };
                let Some(f) = made.functions.iter().find(|f| f.range == range) else { continue };
                let Some(returned) = &f.returns_name else { continue };
                if let Some(app) = made.apps.iter().find(|a| a.scope == f.body && a.names.contains(returned)) {
                    out.push((t, app.creation.start()));
                }
            }
        }
        out
    }

    /// What the callee of a call in file `i` is.
    fn callee(&self, i: usize, call: &CallFacts) -> Option<Resolved> {
        let callee = call.callee.as_ref()?;
        if let Some(spec) = &callee.inline_require {
            let t = self.target(i, spec)?;
            return match callee.members.split_first() {
                None => self.export(t, "default", &[], 1),
                Some((first, rest)) => self.export(t, first, rest, 1),
            };
        }
        let first = callee.path.split('.').next()?;
        self.name(i, first, call.range.start(), &callee.members, 1)
    }

    /// The functions that file `i` registers as handlers on an app or router, of its own or of other modules, by their
    /// file and range, each with whether its route takes a form's submission ([`crate::analysis::FORM_METHODS`]) and
    /// whether it is passed through a wrapper ([`Self::wrapper_forwards`]). Those registered by a name or path that names neither a function nor a package's value are added to
    /// `unknown` ([`FileLinks::unknown_handlers`]).
    fn registered_handlers(
        &self,
        i: usize,
        own: Option<&[AppParam]>,
        unknown: &mut Vec<(usize, Atom)>,
    ) -> Vec<(usize, LinkedHandler, bool, bool)> {
        let Some(input) = self.input(i) else { return Vec::new() };
        let facts = input.facts;
        let mut out = Vec::new();
        for registration in facts.registrations().iter() {
            if !ROUTE_METHODS.contains(&registration.method.as_str())
                || self.express_receiver(i, own, &registration.receiver, registration.range.start()).is_none()
            {
                continue;
            }
            let form = crate::analysis::FORM_METHODS.contains(&registration.method.as_str());
            let at = registration.range.start();
            let wrapped = registration.wrapped.iter().filter(|(wrapper, _)| self.wrapper_forwards(i, wrapper, at));
            let handlers = registration.handlers.iter().map(|h| (h, false));
            for (handler, wrapped) in handlers.chain(wrapped.map(|(_, handler)| (handler, true))) {
                let path = || registration.path.as_ref().map(|(p, _)| p.clone());
                let (first, rest) = match handler {
                    HandlerArg::Named(name) => (name.clone(), Vec::new()),
                    HandlerArg::Path(path) => {
                        let mut parts = path.split('.').map(Atom::from);
                        let Some(first) = parts.next() else { continue };
                        (first, parts.collect())
                    }
                    HandlerArg::Inline(range) => {
                        if let Some(f) = facts.function_within(range).filter(|f| f.range == *range) {
                            out.push((i, (f.range, path()), form, wrapped));
                        }
                        continue;
                    }
                };
                match self.name(i, &first, registration.range.start(), &rest, 0) {
                    Some(Resolved::Function(t, range)) => out.push((t, (range, path()), form, wrapped)),
                    Some(_) => {}
                    // (A package's export, `express.static`, or a name bound to one, is no project code.)
                    None if facts
                        .bindings
                        .iter()
                        .any(|b| b.local == first && !is_relative_or_workspace(self, i, &b.module)) => {}
                    None => {
                        let written = match handler {
                            HandlerArg::Path(path) => path.clone(),
                            _ => first.clone(),
                        };
                        unknown.push((registration.range.start(), written));
                    }
                }
            }
        }
        out
    }

    /// Whether `wrapper` (a name or dotted path in file `i`, at `at`), called with a function, returns a handler that
    /// hands its request and response on to that function: the default export of a package known to
    /// ([`WRAPPER_PACKAGES`]), or a function of the project whose first parameter it calls with the request and
    /// response of a function it holds (`fn => (req, res, next) => fn(req, res, next).catch(next)`, `function (fn) {
    /// return function (...args) { return fn(...args) } }`).
    fn wrapper_forwards(&self, i: usize, wrapper: &Atom, at: usize) -> bool {
        let Some(input) = self.input(i) else { return false };
        let mut parts = wrapper.split('.').map(Atom::from);
        let Some(first) = parts.next() else { return false };
        let rest: Vec<Atom> = parts.collect();
        let package =
            input.facts.bindings.iter().any(|b| {
                b.local == first && b.kind == ImportKind::Module && WRAPPER_PACKAGES.contains(&b.module.as_str())
            });
        if package && rest.is_empty() {
            return true;
        }
        let Some(Resolved::Function(t, range)) = self.name(i, &first, at, &rest, 0) else { return false };
        let Some(target) = self.input(t) else { return false };
        let facts = target.facts;
        let Some(function) = facts.function_within(&range).filter(|f| f.range == range) else { return false };
        let Some(Some(param)) = function.params.first() else { return false };
        let within = |r: &ByteRange| function.body.start() <= r.start() && r.end() <= function.body.end();
        facts.local_calls().iter().any(|call| {
            if call.callee != *param || !within(&call.range) {
                return false;
            }
            // (The innermost function holding the call, by its body: the handler the wrapper returns.)
            let Some(scope) = call.scope.filter(|s| *s != function.body && within(s)) else { return false };
            let Some(handler) = facts.functions.iter().find(|f| f.body == scope) else { return false };
            match (&*handler.params, &*call.args) {
                // `function (...args) { return fn(...args) }` (a rest parameter and a spread are not names).
                ([None], [None]) => true,
                (params, args) => {
                    params.len() >= 2 && args.len() >= 2 && params[0].is_some() && params[..2] == args[..2]
                }
            }
        })
    }

    /// The calls file `i` makes of functions of the project: its own, called by name (`setup(app)`, not hidden by a
    /// parameter of that name), and those of the modules it imports (`require('./config/express')(app)`); in source
    /// order.
    fn function_calls(&self, i: usize) -> Vec<FunctionCall> {
        let Some(input) = self.input(i) else { return Vec::new() };
        let facts = input.facts;
        // (Functions are recorded in source order: found by their start.)
        let index = |t: usize, range: &ByteRange| {
            let functions = &self.input(t)?.facts.functions;
            let first = functions.partition_point(|f| f.range.start() < range.start());
            let n = functions[first..]
                .iter()
                .take_while(|f| f.range.start() == range.start())
                .position(|f| f.range == *range)?;
            Some((t, first + n))
        };
        // (Looked up by name once, and the names parameters take, which hide a function of that name.)
        let mut named: HashMap<&Atom, usize> = HashMap::default();
        let mut params: HashSet<&Atom> = HashSet::default();
        for (n, f) in facts.functions.iter().enumerate() {
            if let Some(name) = &f.name {
                named.entry(name).or_insert(n);
            }
            params.extend(f.params.iter().flatten());
        }
        let mut out = Vec::new();
        for call in facts.local_calls().iter() {
            let at = call.range.start();
            let target = match call.callee.split_once('.') {
                // A method of an instance of the project's class (`auth.saveTheme(req, res)`).
                Some((object, method)) => {
                    let Some(Resolved::Function(t, range)) = self.name(i, object, at, &[Atom::from(method)], 0) else {
                        continue;
                    };
                    let Some(target) = index(t, &range) else { continue };
                    target
                }
                None => {
                    let Some(&n) = named.get(&call.callee) else { continue };
                    let hidden = params.contains(&call.callee)
                        && facts.functions.iter().any(|f| {
                            f.body.start() <= at
                                && at <= f.body.end()
                                && f.params.iter().flatten().any(|p| *p == call.callee)
                        });
                    if hidden {
                        continue;
                    }
                    (i, n)
                }
            };
            out.push(FunctionCall {
                target,
                args: call.args.to_vec(),
                at,
                in_branch: call.in_branch,
                scope: call.scope,
            });
        }
        for site in facts.calls.iter().filter(|s| !s.is_new) {
            let Some(Resolved::Function(t, range)) = self.callee(i, &site.call) else { continue };
            let Some(target) = index(t, &range) else { continue };
            out.push(FunctionCall {
                target,
                args: site
                    .call
                    .args
                    .iter()
                    .map(|a| match a {
                        Value::Ident(name, _) => Some(name.clone()),
                        _ => None,
                    })
                    .collect(),
                at: site.call.range.start(),
                in_branch: site.in_branch,
                scope: site.scope,
            });
        }
        out.sort_by_key(|c| c.at);
        out
    }

    /// The function called by `call`.
    fn called(&self, call: &FunctionCall) -> Option<&crate::analysis::FunctionFacts> {
        self.input(call.target.0)?.facts.functions.get(call.target.1)
    }

    /// The bodies of the functions of each file that surely run when the modules load ([`FileLinks::run_at_load`]),
    /// given every file's [`Linker::function_calls`].
    fn run_at_load(&self, calls: &[Vec<FunctionCall>]) -> HashMap<usize, Vec<ByteRange>> {
        let mut sure: HashMap<usize, Vec<ByteRange>> = HashMap::default();
        let mut seen: HashSet<(usize, ByteRange)> = HashSet::default();
        // The calls made outside any branch, by file and the function that makes them. (One map for the project:
        // most files call none of the project's functions.)
        let mut by_scope: HashMap<(usize, Option<&ByteRange>), Vec<&FunctionCall>> = HashMap::default();
        for (i, file) in calls.iter().enumerate() {
            for call in file.iter().filter(|c| !c.in_branch) {
                by_scope.entry((i, call.scope.as_ref())).or_default().push(call);
            }
        }
        // (Each file's top level, the last file first, then each function found to run, once.)
        let mut work: Vec<(usize, Option<ByteRange>)> = Vec::new();
        for top in (0..calls.len()).rev() {
            work.push((top, None));
            while let Some((i, scope)) = work.pop() {
                for call in by_scope.get(&(i, scope.as_ref())).into_iter().flatten() {
                    let Some(body) = self.called(call).map(|f| f.body) else { continue };
                    if seen.insert((call.target.0, body)) {
                        sure.entry(call.target.0).or_default().push(body);
                        work.push((call.target.0, Some(body)));
                    }
                }
            }
        }
        sure
    }

    /// The parameters of each file's functions that receive a handler's response ([`FileLinks::responses`]), given
    /// every file's [`Linker::function_calls`] and the functions registered as handlers (file, range).
    fn responses(
        &self,
        calls: &[Vec<FunctionCall>],
        handlers: &[(usize, ByteRange)],
    ) -> HashMap<usize, Vec<ResponseParam>> {
        // The response parameter of the handler at `range` of file `t`.
        let seed = |t: usize, range: &ByteRange| -> Option<ResponseParam> {
            let f = self.input(t)?.facts.function_within(range).filter(|f| f.range == *range)?;
            let (req, res) = f.request_response();
            Some(ResponseParam { body: f.body, res: res?.clone(), req: req.cloned() })
        };
        // The seeds that can lead somewhere, and what they lead to.
        let mut seen: HashSet<(usize, ResponseParam)> = HashSet::default();
        let mut work: Vec<(usize, ResponseParam)> = Vec::new();
        for (t, range) in handlers {
            // (A handler that calls no function of the project hands its response to none: most handlers. Left out
            // here, it costs nothing; what it would have ruled out is looked up below, if anything is ever found.)
            let Some(file_calls) = calls.get(*t) else { continue };
            let first = file_calls.partition_point(|c| c.at < range.start());
            if file_calls.get(first).is_none_or(|c| c.at > range.end()) {
                continue;
            }
            if let Some(param) = seed(*t, range) {
                if seen.insert((*t, param.clone())) {
                    work.push((*t, param));
                }
            }
        }
        // Every handler's own parameter: a function found to receive a response is not one of them (each is followed
        // from its own handler). Built the first time something is found.
        let mut seeds: Option<HashSet<(usize, ResponseParam)>> = None;
        let mut out: HashMap<usize, Vec<ResponseParam>> = HashMap::default();
        while let Some((i, param)) = work.pop() {
            let Some(facts) = self.input(i).map(|x| x.facts) else { continue };
            let first = calls[i].partition_point(|c| c.at < param.body.start());
            for call in calls[i][first..].iter().take_while(|c| c.at <= param.body.end()) {
                let Some(n) = call.args.iter().position(|a| a.as_ref() == Some(&param.res)) else { continue };
                // (A function between the handler and the call whose parameter has the name hides the response.)
                let hidden = facts.functions.iter().any(|f| {
                    f.body.start() > param.body.start()
                        && f.body.start() <= call.at
                        && call.at <= f.body.end()
                        && f.params.iter().flatten().any(|p| *p == param.res)
                });
                let Some(f) = self.called(call).filter(|_| !hidden) else { continue };
                let Some(Some(res)) = f.params.get(n) else { continue };
                let req = param
                    .req
                    .as_ref()
                    .and_then(|req| call.args.iter().position(|a| a.as_ref() == Some(req)))
                    .and_then(|m| f.params.get(m).cloned().flatten());
                let found = (call.target.0, ResponseParam { body: f.body, res: res.clone(), req });
                let seeds = seeds.get_or_insert_with(|| {
                    handlers.iter().filter_map(|(t, range)| Some((*t, seed(*t, range)?))).collect()
                });
                if !seeds.contains(&found) && seen.insert(found.clone()) {
                    out.entry(found.0).or_default().push(found.1.clone());
                    work.push(found);
                }
            }
        }
        out
    }

    /// Object literals of other modules that file `i` passes to a package's function: (their file, what is passed,
    /// the argument's range in file `i`).
    fn objects_passed(&self, i: usize) -> Vec<(usize, PassedObject, ByteRange)> {
        let Some(input) = self.input(i) else { return Vec::new() };
        let mut out = Vec::new();
        for site in &input.facts.calls {
            let Some(callee) = site.call.callee.as_ref() else { continue };
            let module = match (&callee.binding, &callee.inline_require) {
                (_, Some(m)) => m.clone(),
                (Some(b), None) => b.module.clone(),
                (None, None) => continue,
            };
            if is_relative_or_workspace(self, i, &module) {
                continue;
            }
            let members = package_members(callee);
            let line = input.source.line(site.call.range.start());
            for (n, arg) in site.call.args.iter().enumerate() {
                let mut candidates: Vec<(Value, bool, ByteRange)> = Vec::new();
                match arg {
                    Value::Object(obj) => {
                        // `{ ...base, resave: false }`: what is spread.
                        for spread in &obj.spreads {
                            let inner = ByteRange::new(spread.start() + 3, spread.end());
                            if input.file().code.get(spread.start()..inner.start()) == Some("...") {
                                candidates.push((Value::Other(inner), true, inner));
                            }
                        }
                    }
                    Value::Ident(..) | Value::Call(_) | Value::Other(_) => {
                        candidates.push((arg.clone(), false, arg.range()))
                    }
                    _ => {}
                }
                for (value, spread, range) in candidates {
                    if let Some(Resolved::Object(t, object)) = self.value(i, &value, &[], 0) {
                        if t == i {
                            continue;
                        }
                        let passed = PassedObject {
                            object,
                            module: module.clone(),
                            members: members.clone(),
                            arg: n,
                            spread,
                            caller: (input.path.to_path_buf(), line),
                        };
                        out.push((t, passed, range));
                    }
                }
            }
        }
        out
    }

    /// Literal values of other modules that file `i` passes to a package's function, as an argument
    /// (`jwt.sign(payload, config.secret)`) or a property of an object argument, inline (`expressjwt({ secret:
    /// config.secret })`) or an object literal of the file (`new JwtStrategy(opts, verify)`): (their file, what is
    /// passed).
    fn values_passed(&self, i: usize) -> Vec<(usize, PassedValue)> {
        let Some(input) = self.input(i) else { return Vec::new() };
        let mut out = Vec::new();
        for site in &input.facts.calls {
            let Some(callee) = site.call.callee.as_ref() else { continue };
            let module = match (&callee.binding, &callee.inline_require) {
                (_, Some(m)) => m,
                (Some(b), None) => &b.module,
                (None, None) => continue,
            };
            if is_relative_or_workspace(self, i, module) {
                continue;
            }
            for (n, arg) in site.call.args.iter().enumerate() {
                let mut candidates: Vec<(&Value, Option<Atom>)> = Vec::new();
                // The options inline, or in an object literal of this file the argument names (`const opts = {
                // secretOrKey: config.secret }; new JwtStrategy(opts, verify)`).
                let object = match arg {
                    Value::Object(obj) => Some(&**obj),
                    Value::Ident(..) => match self.value(i, arg, &[], 0) {
                        Some(Resolved::Object(t, range)) if t == i => input.facts.object_at(&range),
                        _ => None,
                    },
                    _ => None,
                };
                match object {
                    Some(obj) => {
                        candidates.extend(obj.props.iter().filter_map(|p| Some((&p.value, Some(p.key.clone()?)))))
                    }
                    None => candidates.push((arg, None)),
                }
                for (value, key) in candidates {
                    if !matches!(value, Value::Ident(..) | Value::Other(_)) {
                        continue;
                    }
                    let Some(Resolved::Literal(t, range)) = self.value(i, value, &[], 0) else { continue };
                    if t == i {
                        continue;
                    }
                    let passed = PassedValue {
                        value: range,
                        callee: callee.clone(),
                        is_new: site.is_new,
                        arg: n,
                        key,
                        caller: (input.path.to_path_buf(), input.source.line(site.call.range.start())),
                    };
                    out.push((t, passed));
                }
            }
        }
        out
    }

    /// The literal values of the project's modules (with their file) that file `i` names a header with
    /// ([`FileLinks::header_names`]), from the reads the analysis records as `headers[TOKEN_HEADER]`.
    fn header_names(&self, i: usize) -> Vec<(usize, ByteRange)> {
        let Some(input) = self.input(i) else { return Vec::new() };
        let mut out = Vec::new();
        for read in input.facts.property_reads().iter() {
            let Some(path) = read.property.strip_prefix("headers[").and_then(|p| p.strip_suffix(']')) else {
                continue;
            };
            let mut names = path.split('.');
            let Some(first) = names.next() else { continue };
            let members: Vec<Atom> = names.map(Atom::from).collect();
            if let Some(Resolved::Literal(t, range)) = self.name(i, first, read.range.start(), &members, 0) {
                out.push((t, range));
            }
        }
        out
    }

    /// Names file `i` imports from other modules whose value a package created there.
    fn imported_instances(&self, i: usize) -> Vec<ImportedInstance> {
        let Some(input) = self.input(i) else { return Vec::new() };
        let mut out = Vec::new();
        for binding in &input.facts.bindings {
            if self.target(i, &binding.module).is_none() {
                continue;
            }
            let (t, call, is_new, called_again) = match self.name(i, &binding.local, binding.stmt.end(), &[], 0) {
                Some(Resolved::Instance(t, call, is_new)) => (t, call, is_new, false),
                Some(Resolved::Made(t, call)) => (t, call, false, true),
                _ => continue,
            };
            let Some(callee) = call.callee.as_ref() else { continue };
            let Some(module) = instance_module(callee, called_again) else { continue };
            let members = package_members(callee);
            out.push(ImportedInstance {
                local: binding.local.clone(),
                module,
                callee: callee.path.clone(),
                members,
                is_new,
                called_again,
                file: self.path(t).to_path_buf(),
                db: self.input(t).and_then(|input| selected_db(input, &call)).filter(|_| !called_again),
            });
        }
        out
    }

    /// Middleware packages registered on the received app `param` in `input`.
    fn middleware_on(&self, input: &LinkInput<'_>, param: &AppParam) -> Vec<RemoteMiddleware> {
        let facts = input.facts;
        let mut out = Vec::new();
        for use_ in &facts.uses {
            let Receiver::Path(path) = &use_.receiver else { continue };
            if *path != param.name || use_.range.start() < param.body.start() || use_.range.end() > param.body.end() {
                continue;
            }
            for mw in &use_.middleware {
                if let crate::analysis::Middleware::CallOf { binding, disabled } = facts.resolve(mw) {
                    if binding.module.starts_with('.') {
                        continue;
                    }
                    // (The call of `cors` in this registration, with its options.)
                    let origins = (binding.module == "cors")
                        .then(|| {
                            facts.calls.iter().find(|site| {
                                use_.range.start() <= site.call.range.start()
                                    && site.call.range.end() <= use_.range.end()
                                    && !site.is_new
                                    && site
                                        .call
                                        .callee
                                        .as_ref()
                                        .is_some_and(|c| c.is_module("cors") && c.members.is_empty())
                            })
                        })
                        .flatten()
                        .and_then(|site| cors_origins(&site.call.args));
                    out.push(RemoteMiddleware {
                        app: 0,
                        module: binding.module.clone(),
                        disabled: disabled.to_vec(),
                        origins,
                        at: (input.path.to_path_buf(), input.source.line(use_.range.start())),
                    });
                }
            }
        }
        out
    }
}

/// Which origins a `cors(...)` call with these arguments lets read the responses: `Some(true)` every origin (no
/// options, `origin` `'*'` or `true`), `Some(false)` some (a list, a string, a pattern, a function, options not known
/// here), `None` none (`origin: false` turns CORS off).
pub fn cors_origins(args: &[crate::values::Value]) -> Option<bool> {
    use crate::values::Value;
    match args.first() {
        None => Some(true),
        Some(Value::Object(options)) if options.spreads.is_empty() => match options.get("origin").map(|p| &p.value) {
            None => Some(true),
            Some(Value::Str(origin, _)) => Some(origin == "*"),
            Some(Value::Bool(reflect, _)) => reflect.then_some(true),
            Some(Value::Nothing(_)) => Some(true),
            Some(_) => Some(false),
        },
        _ => Some(false),
    }
}

/// Whether `name`, used at `at`, is a parameter of a function around `at` or declared inside one (a local that
/// hides the file's top-level binding of the name).
fn shadowed(facts: &FileFacts, name: &str, at: usize) -> bool {
    let around = |body: &ByteRange| body.start() <= at && at <= body.end();
    // (Names first: a file has many functions and declarations, few of them named so.)
    facts.functions.iter().any(|f| around(&f.body) && f.params.iter().flatten().any(|p| p == name))
        || facts.declarations.iter().filter(|d| !d.top_level && d.name == name).any(|d| {
            facts.functions.iter().any(|f| {
                around(&f.body) && f.body.start() <= d.declarator.start() && d.declarator.end() <= f.body.end()
            })
        })
}

/// Whether `spec` (imported by file `i`) names a module of the project rather than an installed package.
fn is_relative_or_workspace(linker: &Linker<'_, '_>, i: usize, spec: &str) -> bool {
    spec.starts_with('.') || spec.starts_with('/') || linker.resolver.resolve(linker.path(i), spec).is_some()
}

/// The members of a package a callee reaches, after the package's binding: the export a named import binds
/// (`import { createClient } from 'redis'`), then the path's own (`redis.createClient`).
fn package_members(callee: &crate::values::CalleeRef) -> Vec<Atom> {
    let mut members = match callee.binding.as_ref().map(|b| &b.kind) {
        Some(ImportKind::Named(name)) => vec![name.clone()],
        _ => Vec::new(),
    };
    members.extend(callee.members.iter().cloned());
    members
}

/// The package whose call `callee` is: its binding's, or for the call that made a [`Resolved::Made`] value, also an
/// inline require's (`require('pg-promise')()`).
fn instance_module(callee: &crate::values::CalleeRef, called_again: bool) -> Option<Atom> {
    match (&callee.binding, &callee.inline_require) {
        (Some(binding), _) => Some(binding.module.clone()),
        (None, Some(module)) if called_again => Some(module.clone()),
        _ => None,
    }
}

/// The module of a `require('m')` call.
fn required_spec(call: &CallFacts) -> Option<Atom> {
    let callee = call.callee.as_ref()?;
    if callee.path != "require" || callee.binding.is_some() || call.args.len() != 1 {
        return None;
    }
    match &call.args[0] {
        Value::Str(s, _) => Some(s.clone()),
        _ => None,
    }
}

/// `a.b.c` -> (`a`, [`b`, `c`]) when `text` is a dotted path of identifiers.
pub(crate) fn dotted(text: &str) -> Option<(String, Vec<Atom>)> {
    let mut parts = text.split('.').map(str::trim);
    let first = parts.next()?;
    let is_ident = |s: &str| {
        !s.is_empty()
            && s.chars()
                .enumerate()
                .all(|(n, c)| c == '_' || c == '$' || c.is_alphanumeric() && (n > 0 || !c.is_numeric()))
    };
    if !is_ident(first) {
        return None;
    }
    let rest: Vec<Atom> = parts.map(Atom::from).collect();
    if !rest.iter().all(|p| is_ident(p)) {
        return None;
    }
    Some((first.to_string(), rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn package_names_split() {
        assert_eq!(package_name("@acme/db/client"), Some(("@acme/db", Some("client"))));
        assert_eq!(package_name("lib"), Some(("lib", None)));
        assert_eq!(package_name("lib/x/y"), Some(("lib", Some("x/y"))));
        assert_eq!(package_name("node:fs"), None);
    }

    #[test]
    fn dotted_paths() {
        assert_eq!(dotted("config.session"), Some(("config".into(), vec!["session".into()])));
        assert_eq!(dotted("a.b()"), None);
        assert_eq!(dotted("x"), Some(("x".into(), vec![])));
    }

    #[test]
    fn relative_specifiers() {
        let spec = |a: &str, b: &str, ext| relative_specifier(Path::new(a), Path::new(b), ext);
        assert_eq!(spec("config/session.js", "lib/redis.js", false).as_deref(), Some("../lib/redis"));
        assert_eq!(spec("app.mjs", "db.mjs", true).as_deref(), Some("./db.mjs"));
        assert_eq!(spec("app.js", "lib/db/index.js", false).as_deref(), Some("./lib/db"));
        assert_eq!(spec("./src/app.ts", "src/redis.ts", false).as_deref(), Some("./redis"));
    }

    #[test]
    fn resolves_relative_imports() {
        let sources: Vec<PathBuf> =
            ["app.js", "routes/index.js", "config/session.ts", "lib/db.mjs"].iter().map(PathBuf::from).collect();
        let r = Resolver::new(&sources, vec![("@acme/db".into(), PathBuf::from("lib"), Some("db.mjs".into()))]);
        assert_eq!(r.resolve(Path::new("app.js"), "./routes"), Some(1));
        assert_eq!(r.resolve(Path::new("app.js"), "./config/session.js"), Some(2));
        assert_eq!(r.resolve(Path::new("routes/index.js"), "../config/session"), Some(2));
        assert_eq!(r.resolve(Path::new("routes/index.js"), "../app.js"), Some(0));
        assert_eq!(r.resolve(Path::new("app.js"), "@acme/db"), Some(3));
        assert_eq!(r.resolve(Path::new("app.js"), "express"), None);
        assert_eq!(r.resolve(Path::new("app.js"), "./missing"), None);
        // Remembered by folder and specifier: the same specifier from another folder names another file (or none),
        // and asking again gives the same answer.
        for _ in 0..2 {
            assert_eq!(r.resolve(Path::new("lib/x.js"), "./db.mjs"), Some(3));
            assert_eq!(r.resolve(Path::new("lib/y.js"), "./db.mjs"), Some(3));
            assert_eq!(r.resolve(Path::new("app.js"), "./db.mjs"), None);
            assert_eq!(r.resolve(Path::new("routes/index.js"), "."), Some(1));
            assert_eq!(r.resolve(Path::new("app.js"), "./routes"), Some(1));
        }
    }
}
