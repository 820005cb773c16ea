//! What a file binds and creates, computed once per file and shared by every transform: the modules it imports and
//! under which local names, the Express apps it creates, every `.use(...)` registration, where imports end, and
//! the file's style. Transforms read these facts; they never walk the tree themselves.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::ops::Range;
use swc_atoms::Atom;

use swc_common::Spanned;
use swc_ecma_ast::*;
use swc_ecma_visit::{Visit, VisitWith};

pub use crate::bindings::{require_source, unwrap, ImportKind, ModuleBinding};
use crate::early_errors::COMMONJS_PARAMETERS;
use crate::parse::{range_of, span_of, span_of_node, ByteRange, Parsed};
use crate::source::{ExtensionModule, SourceFile, SourceKind};
use crate::style::{Style, StyleVotes};
use crate::values::{CallFacts, Describer, Value};

/// How the file loads other modules, which decides how new imports are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum ModuleSystem {
    /// `require()`.
    CommonJs,
    /// `import ... from` (ES modules and TypeScript).
    Esm,
}

/// How to reach an app or other receiver: a path written with identifiers (`app`, `exports.app`, `this.app`), or
/// the creating call itself when the app is used without a name (`express().use(...)`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub enum Receiver {
    /// A normalised path such as `module.exports` (no spaces, `?.` read as `.`).
    Path(Atom),
    /// The start offset of the `express()` call.
    Creation(usize),
    /// Something else (a call result, a computed member).
    Other,
}

/// Where code that configures a newly created app can go.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum AppSite {
    /// The app is created by a statement in a statement list: new statements go after it, on their own line.
    AfterStatement {
        /// The creating statement.
        stmt: ByteRange,
        /// Source text to call methods on (`app`, `exports.app`).
        receiver: Atom,
    },
    /// The app is created inside an expression (`return express()`, `http.createServer(express())`): a call is
    /// chained directly onto the creation, `express().use(...)`, which returns the same app.
    Chain,
}

/// An Express application created by this file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ExpressApp {
    /// The `express()` call.
    pub creation: ByteRange,
    /// Every path the app is known by in this file.
    pub names: Vec<Atom>,
    /// Where configuration goes.
    pub site: AppSite,
    /// The function body (or the whole file) the app is created in: registrations elsewhere name another app.
    pub scope: ByteRange,
    /// The app is declared under a local name (`const app = express()`, not exported) that the code only configures
    /// and never listens on, passes, stores, exports or returns ([`crate::serving::idle`]): it serves no request, and
    /// transforms that harden served apps leave it alone (a router module that also makes an app it never uses).
    pub idle: bool,
}

/// One middleware argument of a `.use(...)` call (arrays are flattened).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Middleware {
    /// A call `f(...)` where `f` is a local name bound by an import (e.g. `helmet({...})`).
    CallOf {
        /// The binding that was called (shared with the file's other facts of it: a middleware is 32 bytes rather
        /// than 64, and every `use` and every name initialised with a middleware holds some).
        binding: std::sync::Arc<ModuleBinding>,
        /// Top-level keys of an object literal first argument whose value is `false`.
        disabled: Box<[Atom]>,
    },
    /// A call `ns.member(...)` where `ns` is bound to a module (e.g. `helmet.hsts()`).
    MemberCallOf {
        /// The binding of `ns`.
        binding: std::sync::Arc<ModuleBinding>,
        /// The member called.
        member: Atom,
    },
    /// A call of an inline `require('m')(...)`.
    RequireCall {
        /// The module required.
        module: Atom,
    },
    /// A bare identifier (resolved through [`FileFacts::values`]).
    Ident(Atom),
    /// A dotted path (`self.apos.app`, `this.admin`): a sub-app kept in a property.
    Path(Atom),
    /// Anything else.
    Other,
}

/// A `receiver.use(...)` call.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct UseCall {
    /// The object the middleware is registered on, with chains like `app.use(a).use(b)` followed back to `app`.
    pub receiver: Receiver,
    /// The middleware arguments (a leading path string is skipped).
    pub middleware: Vec<Middleware>,
    /// The whole call.
    pub range: ByteRange,
}

/// A route or middleware registration (`app.get('/x', h)`, `app.use(...)`, `app.post(...)`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Registration {
    /// Receiver as for [`UseCall`].
    pub receiver: Receiver,
    /// The method (`use`, `get`, ...).
    pub method: Atom,
    /// The whole call.
    pub range: ByteRange,
    /// The functions it registers: written inline, or passed by name.
    pub handlers: Box<[HandlerArg]>,
    /// The route path when the first argument is a string literal (for `.route('/x').get(h)`, the route's path), with
    /// the literal's range.
    pub path: Option<(Atom, ByteRange)>,
    /// The paths when the first argument is an array of string literals (`app.get(['/a', '/a/*'], h)`), each with
    /// its literal's range.
    pub paths: Box<[(Atom, ByteRange)]>,
    /// Whether the route is not only string literals (a RegExp, a variable, an array holding one): what it matches
    /// and which parameters it names is not known here.
    pub opaque_path: bool,
    /// The route when the first argument is built at run time: a template literal with expressions
    /// (`${this.path}/:id(\\d+)`) or a concatenation holding a string (`base + '/:id?'`). Its text as it reads at
    /// run time, each expression as [`TEMPLATE_HOLE`], with the argument's range.
    pub template: Option<(Atom, ByteRange)>,
    /// The name the route is read from when the first argument is one (`app.get(route, h)`), with its range.
    pub path_name: Option<(Atom, ByteRange)>,
    /// The functions passed through a call of one argument (`asyncHandler(auth.login)`, `wrap(async (req, res) =>
    /// ...)`): the callee's name or dotted path, and the function. They are handlers when the callee hands the
    /// request and response on to it ([`crate::links`] decides).
    pub wrapped: Box<[(Atom, HandlerArg)]>,
}

/// What stands for an expression of a template literal route in [`Registration::template`].
pub const TEMPLATE_HOLE: char = '\u{1}';

/// A function passed to a registration.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum HandlerArg {
    /// `app.get('/', (req, res) => ...)`: the function's range.
    Inline(ByteRange),
    /// `app.get('/', home)`.
    Named(Atom),
    /// `app.get('/', customers.show)`: a dotted path (resolved through the project's modules).
    Path(Atom),
}

/// A function (declaration, expression or arrow), with its parameter names.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FunctionFacts {
    /// The name it is declared or assigned under, if any.
    pub name: Option<Atom>,
    /// The whole function.
    pub range: ByteRange,
    /// Its body.
    pub body: ByteRange,
    /// Parameter names (`None` for destructured or rest parameters).
    pub params: Box<[Option<Atom>]>,
    /// The names an object parameter is destructured into: the parameter's position, the key, the local name
    /// (`({ app }) => ...` and `({ app: server }) => ...` give `(0, app, app)` and `(0, app, server)`).
    pub object_params: Box<[(usize, Atom, Atom)]>,
    /// The object literal it returns, when its body is one (`() => ({...})`) or returns one directly.
    /// (Boxed: most functions return none, and every function's facts are held between the passes.)
    pub returns: Option<Box<Value>>,
    /// The name it returns, when its body is one (`() => app`) or returns one directly (`return app;`): an app
    /// made in the function and handed to the caller (`app.use('/admin', await makeAdmin(config))`).
    pub returns_name: Option<Atom>,
}

impl FunctionFacts {
    /// Its request and response parameters as a route handler or middleware: `(req, res, next)`, or
    /// `(err, req, res, next)` for an error handler.
    pub fn request_response(&self) -> (Option<&Atom>, Option<&Atom>) {
        let (req, res) = if self.params.len() == 4 { (1, 2) } else { (0, 1) };
        (self.params.get(req).and_then(Option::as_ref), self.params.get(res).and_then(Option::as_ref))
    }
}

/// A class declared at the top level of a file (`class UsersController { ... }`, `export default class { ... }`,
/// `const Users = class { ... }`): the functions its members hold, so that a method registered as a handler through
/// an instance (`router.get('/:id', users.show)` of `const users = new UsersController()`) is found.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ClassFacts {
    /// The name it is declared under, if any.
    pub name: Option<Atom>,
    /// The whole class.
    pub range: ByteRange,
    /// Its methods and function-valued properties (`show(req, res) { }`, `rename = async (req, res) => { }`).
    pub members: Box<[ClassMethod]>,
}

/// A method (or a function-valued property) of a class.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ClassMethod {
    /// Its name.
    pub name: Atom,
    /// The function it holds (as [`FunctionFacts::range`]).
    pub function: ByteRange,
    /// `static`: a member of the class itself rather than of its instances.
    pub is_static: bool,
}

/// `object.method(args)` for the methods the selected transforms look at.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct MemberCall {
    /// The object, as a path (`res`, `app`, `this.app`).
    pub object: Atom,
    /// The method.
    pub method: Atom,
    /// The method name's bytes.
    pub method_range: ByteRange,
    /// The whole call.
    pub range: ByteRange,
    /// The arguments.
    pub args: Box<[Value]>,
    /// The statement holding the call.
    pub stmt: Option<StmtSite>,
    /// Whether the call runs only in a branch: inside an `if`'s or a `switch` case's body, a `? :` branch, or the
    /// right side of `&&`, `||`, `??` (`if (app.get('env') === 'production') app.set('trust proxy', 1)`).
    pub in_branch: bool,
    /// Whether every branch holding the call is the body of an `if` that tests for production
    /// (`app.get('env') === 'production'`, `process.env.NODE_ENV === 'production'`), as in express-session's README:
    /// it runs exactly where a cookie with `secure: process.env.NODE_ENV === 'production'` is secure. False outside
    /// any branch.
    pub production_only: bool,
    /// Whether every branch holding the call is the body of an `if` that tests for anything but production
    /// (`process.env.NODE_ENV !== 'production'`, `app.get('env') === 'development'`), as webpack's dev middleware is
    /// registered: it runs at most where `process.env.NODE_ENV === 'production'` is false. False outside any branch.
    pub development_only: bool,
    /// The body of the innermost function holding the call ([`FunctionFacts::body`]; a class's range inside a class
    /// member); `None` at the file's top level (the call runs when the module loads, not when something calls a
    /// function).
    pub scope: Option<ByteRange>,
}

/// A call of a name no import binds (`setup(app)`, `setAuthCookie(res, user)`): a function of the file, most often.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LocalCall {
    /// The name called.
    pub callee: Atom,
    /// Each argument's name, when it is a bare name.
    pub args: Box<[Option<Atom>]>,
    /// The whole call.
    pub range: ByteRange,
    /// Whether it runs only in a branch, as [`MemberCall::in_branch`].
    pub in_branch: bool,
    /// The innermost function holding it, as [`MemberCall::scope`].
    pub scope: Option<ByteRange>,
}

/// What a call does to Express's `trust proxy` setting ([`MemberCall::trust_proxy`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrustProxy {
    /// Turned on: `app.enable('trust proxy')`, `app.set('trust proxy', 1)`, `true`, `'loopback'`, ...
    On,
    /// Turned off: `app.disable('trust proxy')`, `app.set('trust proxy', false)`, `0`, `''`, `null`.
    Off,
    /// Set to a value the code computes (`process.env.TRUST_PROXY === '1'`): the app's own decision.
    Computed,
}

impl MemberCall {
    /// What this call does to Express's `trust proxy` setting, when it is `app.set('trust proxy', value)`,
    /// `app.enable('trust proxy')` or `app.disable('trust proxy')` (the transforms that read it watch those
    /// methods). With the file's `code`, a value that is neither a literal nor a number is [`TrustProxy::Computed`];
    /// without it (a survey, before the text is read again), any value but a false one counts as on.
    pub fn trust_proxy(&self, code: Option<&str>) -> Option<TrustProxy> {
        if !matches!(self.args.first(), Some(Value::Str(s, _)) if s == "trust proxy") {
            return None;
        }
        match self.method.as_ref() {
            "enable" => Some(TrustProxy::On),
            "disable" => Some(TrustProxy::Off),
            "set" => Some(match self.args.get(1)? {
                Value::Bool(false, _) | Value::Nothing(_) => TrustProxy::Off,
                Value::Str(s, _) if s.is_empty() => TrustProxy::Off,
                Value::Bool(true, _) | Value::Str(..) | Value::Array(..) => TrustProxy::On,
                other => match code.and_then(|c| c.get(other.range().range())).map(str::trim) {
                    Some("0") => TrustProxy::Off,
                    Some(n) if n.bytes().all(|b| b.is_ascii_digit()) => TrustProxy::On,
                    Some(_) => TrustProxy::Computed,
                    None => TrustProxy::On,
                },
            }),
            _ => None,
        }
    }
}

/// Properties whose reads are recorded as [`PropertyRead`]s (APIs Express renamed or removed).
pub const TRACKED_PROPERTIES: [&str; 9] =
    ["headerSent", "accepted", "acceptedLanguages", "acceptedCharsets", "router", "host", "params", "query", "mime"];

/// Properties whose assignments (`opts.secretOrKey = 'secret'`, passport-jwt's documented way to give its secret)
/// are recorded as [`PropertyRead`]s named `property=`, with the range of the assigned value.
pub const TRACKED_ASSIGNMENTS: [&str; 1] = ["secretOrKey"];

/// `object.property` for one of [`TRACKED_PROPERTIES`] (or an assignment to one of [`TRACKED_ASSIGNMENTS`], or a
/// header named by a name: `headers[TOKEN_HEADER]`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PropertyRead {
    /// The object as a path, when it is one.
    pub object: Option<Atom>,
    /// The property.
    pub property: Atom,
    /// The property name's bytes.
    pub range: ByteRange,
}

/// One thing the file exports, in CommonJS (`module.exports = x`, `exports.a = x`) or ES module syntax.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Export {
    /// `default` for `module.exports = x`, `export default x` and `export = x`; `*` for `export * from 'm'`; else
    /// the exported name.
    pub name: Atom,
    /// What is exported: a local name, an object literal, a call, a function (`Other` with the function's range).
    pub value: Value,
    /// The module a re-export reads from (`export { a } from './m'`, `export * from './m'`).
    pub from: Option<Atom>,
}

/// Facts about one file.
#[derive(Debug, Clone)]
pub struct FileFacts {
    /// How the file imports modules.
    pub module_system: ModuleSystem,
    /// The file's own style.
    pub style: Style,
    /// Every local name bound by an import or require of a package or file.
    pub bindings: Box<[ModuleBinding]>,
    /// Every local name bound by a type-only import (`import type { Request } from 'express'`, `import { type
    /// Request }`): types, which no transform may call, kept apart from [`FileFacts::bindings`].
    pub type_bindings: Box<[ModuleBinding]>,
    /// Local names initialised with a call of a module binding (`const security = helmet()`), so middleware passed by
    /// name can be recognised. Maps the name to the middleware the initialiser is.
    /// Sorted by name, each name once (its last initialiser), for binary search: a map's node had room for eleven, and
    /// most files have one or two.
    pub values: Box<[(Atom, Middleware)]>,
    /// Every identifier the file declares or refers to, in any scope, types and type-only imports included (new
    /// bindings avoid them all: see [`FileFacts::free_name`]).
    pub names: NameSet,
    /// Express apps the file creates.
    pub apps: Box<[ExpressApp]>,
    /// Every `.use(...)` call.
    pub uses: Box<[UseCall]>,
    /// Ranges of the top-level statements that import or require something, in order.
    pub top_level_imports: Box<[ByteRange]>,
    /// Where new top-level code may start when the file has no imports: after the shebang and directive prologue
    /// (`'use strict'`), at the first statement.
    pub prologue_end: Option<ByteRange>,
    /// Start of the first top-level statement that is not an import or directive (four bytes, as a [`ByteRange`]'s
    /// ends).
    pub first_statement: Option<u32>,
    /// Every top-level statement, in order.
    pub top_level_stmts: Box<[ByteRange]>,
    /// Whether swc read the file as a module (it has `import` or `export`), not a script.
    pub program_module: bool,
    /// Byte ranges of all comments, sorted.
    pub comments: Box<[ByteRange]>,
    /// Calls and constructions of imported things (`session({...})`, `new session.MemoryStore()`,
    /// `require('m')(x)`), described.
    pub calls: Box<[CallSite]>,
    /// Variable declarations with a single name, in order.
    pub declarations: Box<[Declaration]>,
    /// Each name assigned again after its declaration (`x = `, `x += `, `x++`, `for (x in o)`, `[x] = `), where.
    pub assigned: Box<[(Atom, usize)]>,
    /// How many times names declared from a require (or a call of one) are read in the file: sorted by name, each
    /// name once (see [`FileFacts::references_to`]).
    pub references: Box<[(Atom, u32)]>,
    /// Every function, in source order.
    pub functions: Box<[FunctionFacts]>,
    /// The classes declared at the top level, in source order.
    pub classes: Box<[ClassFacts]>,
    /// Its registrations, member calls, local calls and property reads ([`Lists`]), held as they are or packed
    /// ([`FileFacts::pack`]).
    lists: HeldLists,
    /// What the file exports.
    pub exports: Box<[Export]>,
    /// Every module the file requires with a `require('m')` call, whether a name is bound to it or not
    /// (`require('ejs').renderFile`, `require('cookie').serialize(...)`): sorted, without repeats.
    pub inline_requires: Box<[Atom]>,
    /// Every module the file reaches in a way whose calls are not followed: a dynamic `import('m')` (a literal
    /// specifier), or the module object handed on in an object literal (`{ jwt: require('jsonwebtoken') }`, `{ jwt }`
    /// of `const jwt = require('jsonwebtoken')`): sorted, without repeats.
    pub opaque_modules: Box<[Atom]>,
    /// The exports of packages the code names, module and export, called or not (`jwt.verify` passed to
    /// `util.promisify`, `{ tpl: require('lodash').template }`, `export default template` of `import { template }
    /// from 'lodash'`): sorted, without repeats. Relative modules are left out.
    pub package_refs: Box<[(Atom, Atom)]>,
    /// Where the first `redirect` or `location` call starts whose target may come from the request: `'back'` (the
    /// Referer header), or an argument that is neither a string literal nor a name and whose text reads `req.` or
    /// `request.` (`res.redirect(req.query.next)`, `` `${req.body.back}` ``). Found while the text is at hand, so that
    /// a parked text need not be read again for it; its offset rather than its index in [`FileFacts::member_calls`],
    /// which may be packed. (Four bytes, as a [`ByteRange`]'s ends.)
    pub request_redirect: Option<u32>,
    /// Where the code names express-session's default cookie, [`DEFAULT_SESSION_COOKIE`], comments left out: a string
    /// or template literal that is that name or holds it right before `=` (a cookie header read by hand), and a
    /// regular expression that mentions it. Found while the tree is at hand, so that the session-cookie transform
    /// knows which modules read the cookie by its old name without reading every text again.
    pub default_session_cookie: Box<[ByteRange]>,
}

/// express-session's default cookie name (see [`FileFacts::default_session_cookie`]).
pub const DEFAULT_SESSION_COOKIE: &str = "connect.sid";

/// The names a file declares or mentions, as a sorted list of 32-bit hashes of their text: all a new binding needs is
/// whether its name is among them ([`FileFacts::name_taken`]). Every analysed file's names are held from the first
/// pass until the file is planned; as atoms they took eight bytes each and, for each name longer than seven bytes, a
/// copy of its text per file (the parser's atoms are the file's own): 18 MB of the 100,000-file benchmark's, against
/// 5.6 MB as hashes. Two names share a hash about once in four billion pairs; then a name the file does not use counts
/// as taken, and a new binding takes its next choice (`sessionStore` rather than `store`): never a clash.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct NameSet(Box<[u32]>);

impl NameSet {
    /// The set of `names`.
    pub fn new(names: impl IntoIterator<Item = impl AsRef<str>>) -> NameSet {
        let mut hashes: Vec<u32> = names.into_iter().map(|n| NameSet::hash(n.as_ref())).collect();
        hashes.sort_unstable();
        hashes.dedup();
        NameSet(hashes.into_boxed_slice())
    }

    /// Whether `name` is in the set (or shares its hash with a name that is).
    pub fn contains(&self, name: &str) -> bool {
        self.0.binary_search(&NameSet::hash(name)).is_ok()
    }

    /// The name's hash: FNV-1a over its bytes, 64 bits folded to 32 (the same in every run and on every machine).
    fn hash(name: &str) -> u32 {
        let hash =
            name.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3));
        (hash >> 32) as u32 ^ hash as u32
    }
}

/// The statement (in a statement list) that holds something: new statements can go before or after it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct StmtSite {
    /// The statement.
    pub range: ByteRange,
    /// Whether it is a statement of the file's top level.
    pub top_level: bool,
}

/// A call or `new` of something imported.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CallSite {
    /// The call.
    pub call: CallFacts,
    /// `new X()` rather than `X()`.
    pub is_new: bool,
    /// The statement holding it.
    pub stmt: Option<StmtSite>,
    /// Whether it runs only in a branch, as [`MemberCall::in_branch`].
    pub in_branch: bool,
    /// The innermost function holding it, as [`MemberCall::scope`].
    pub scope: Option<ByteRange>,
}

/// The five lists of a file's facts that the work between the passes reads least (the linking reads a file's
/// registrations and local calls once, the surveys its member calls, the secrets transform a name's default from
/// the environment), and among those that take the most room: about
/// 130 MB of the 100,000-file benchmark's, against 55 MB packed ([`FileFacts::pack`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Lists {
    /// Every route or middleware registration.
    pub registrations: Box<[Registration]>,
    /// Calls of the tracked methods.
    pub member_calls: Box<[MemberCall]>,
    /// Calls of names no import binds (the file's own functions), in source order.
    pub local_calls: Box<[LocalCall]>,
    /// Reads of [`TRACKED_PROPERTIES`].
    pub property_reads: Box<[PropertyRead]>,
    /// Names destructured from `process.env` with a default, in order ([`EnvDefault`]).
    pub env_defaults: Box<[EnvDefault]>,
}

/// A file's [`Lists`]: as they are, or packed into bytes (postcard: numbers as varints, a list's length in a byte or
/// two, names as their text), each list after the other, behind a header of where each ends.
#[derive(Debug, Clone)]
enum HeldLists {
    Open(Box<Lists>),
    Packed(Box<[u8]>),
}

/// How many lists [`Lists`] has (the packed header holds the end of each).
const LISTS: usize = 5;

impl HeldLists {
    /// List `which` (0 to 4, in [`Lists`]' order): borrowed when open, read back from the bytes when packed.
    fn get<T: Clone + serde::de::DeserializeOwned>(
        &self,
        which: usize,
        open: impl FnOnce(&Lists) -> &[T],
    ) -> std::borrow::Cow<'_, [T]> {
        match self {
            HeldLists::Open(lists) => std::borrow::Cow::Borrowed(open(lists)),
            HeldLists::Packed(bytes) => std::borrow::Cow::Owned(unpack_list(bytes, which)),
        }
    }
}

/// The bytes of list `which` in packed lists: the header holds each list's end (four bytes each, after the header).
fn packed_range(bytes: &[u8], which: usize) -> Range<usize> {
    let end_of =
        |i: usize| bytes.get(i * 4..i * 4 + 4).map_or(0, |b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize);
    let start = if which == 0 { 0 } else { end_of(which - 1) };
    LISTS * 4 + start..LISTS * 4 + end_of(which)
}

/// List `which` of packed lists. (The bytes were written by [`FileFacts::pack`] from the same types: they always
/// read back; a test packs and unpacks the facts of every fixture.)
fn unpack_list<T: serde::de::DeserializeOwned>(bytes: &[u8], which: usize) -> Vec<T> {
    bytes.get(packed_range(bytes, which)).and_then(|b| postcard::from_bytes(b).ok()).unwrap_or_default()
}

/// `const name = init` (or `let`/`var`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Declaration {
    /// The declared name.
    pub name: Atom,
    /// `const`, `let` or `var`.
    #[serde(with = "var_decl_kind")]
    pub kind: VarDeclKind,
    /// The declarator (`name = init`, with a type annotation if any).
    pub declarator: ByteRange,
    /// The whole statement.
    pub stmt: ByteRange,
    /// Whether the statement declares only this name.
    pub single: bool,
    /// The initialiser.
    pub init: Option<Value>,
    /// Whether it is at the top level of the file.
    pub top_level: bool,
    /// Where the name is bound: the function (or the file) holding a `var`, the block holding a `let` or `const`.
    pub scope: ByteRange,
}

/// A name destructured from `process.env` with a default: `const { SESSION_SECRET = 'dev' } = process.env`, or
/// renamed, `const { SESSION_SECRET: secret = 'dev' } = process.env` (also from `process?.env`, with `let` or `var`).
/// The name holds the variable when it is set, else the default.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct EnvDefault {
    /// The environment variable read (`SESSION_SECRET`).
    pub variable: Atom,
    /// The local name's declaration: its declarator is the pattern's property (`SESSION_SECRET = 'dev'`), its `init`
    /// the default.
    pub declaration: Declaration,
}

/// [`VarDeclKind`] as one number (swc's own serde support would derive it for every node of the tree).
mod var_decl_kind {
    use swc_ecma_ast::VarDeclKind;

    pub fn serialize<S: serde::Serializer>(kind: &VarDeclKind, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u8(match kind {
            VarDeclKind::Var => 0,
            VarDeclKind::Let => 1,
            VarDeclKind::Const => 2,
        })
    }

    pub fn deserialize<'de, D: serde::Deserializer<'de>>(d: D) -> Result<VarDeclKind, D::Error> {
        Ok(match <u8 as serde::Deserialize>::deserialize(d)? {
            0 => VarDeclKind::Var,
            1 => VarDeclKind::Let,
            _ => VarDeclKind::Const,
        })
    }
}

impl FileFacts {
    /// Every route or middleware registration.
    pub fn registrations(&self) -> std::borrow::Cow<'_, [Registration]> {
        self.lists.get(0, |l| &l.registrations)
    }

    /// Calls of the tracked methods.
    pub fn member_calls(&self) -> std::borrow::Cow<'_, [MemberCall]> {
        self.lists.get(1, |l| &l.member_calls)
    }

    /// Calls of names no import binds (the file's own functions), in source order.
    pub fn local_calls(&self) -> std::borrow::Cow<'_, [LocalCall]> {
        self.lists.get(2, |l| &l.local_calls)
    }

    /// Reads of [`TRACKED_PROPERTIES`].
    pub fn property_reads(&self) -> std::borrow::Cow<'_, [PropertyRead]> {
        self.lists.get(3, |l| &l.property_reads)
    }

    /// The names destructured from `process.env` with a default ([`EnvDefault`]).
    pub fn env_defaults(&self) -> std::borrow::Cow<'_, [EnvDefault]> {
        self.lists.get(4, |l| &l.env_defaults)
    }

    /// About how many bytes the file's [`Lists`] take open (their elements, not what those hold): what a run's budget
    /// for open lists counts.
    pub fn lists_size(&self) -> usize {
        use std::mem::size_of;
        match &self.lists {
            HeldLists::Open(l) => {
                size_of::<Lists>()
                    + l.registrations.len() * size_of::<Registration>()
                    + l.member_calls.len() * size_of::<MemberCall>()
                    + l.local_calls.len() * size_of::<LocalCall>()
                    + l.property_reads.len() * size_of::<PropertyRead>()
                    + l.env_defaults.len() * size_of::<EnvDefault>()
            }
            HeldLists::Packed(bytes) => bytes.len(),
        }
    }

    /// Packs the file's [`Lists`] into bytes, to be held between the passes in a third of their room; every reader
    /// still sees them (read back from the bytes each time) and [`FileFacts::unpack`] opens them again for the
    /// planning.
    pub fn pack(&mut self) {
        let HeldLists::Open(lists) = &self.lists else { return };
        // (Lists of these types always serialise; were one not to, the lists would stay open.)
        let packed = || -> postcard::Result<Vec<u8>> {
            let mut bytes = vec![0; LISTS * 4];
            let mut ends = [0; LISTS];
            let end = |bytes: &Vec<u8>| u32::try_from(bytes.len() - LISTS * 4).unwrap_or(u32::MAX);
            bytes = postcard::to_extend(&lists.registrations, bytes)?;
            ends[0] = end(&bytes);
            bytes = postcard::to_extend(&lists.member_calls, bytes)?;
            ends[1] = end(&bytes);
            bytes = postcard::to_extend(&lists.local_calls, bytes)?;
            ends[2] = end(&bytes);
            bytes = postcard::to_extend(&lists.property_reads, bytes)?;
            ends[3] = end(&bytes);
            bytes = postcard::to_extend(&lists.env_defaults, bytes)?;
            ends[4] = end(&bytes);
            for (i, end) in ends.iter().enumerate() {
                bytes[i * 4..i * 4 + 4].copy_from_slice(&end.to_le_bytes());
            }
            Ok(bytes)
        };
        if let Ok(bytes) = packed() {
            self.lists = HeldLists::Packed(bytes.into_boxed_slice());
        }
    }

    /// Opens lists [`FileFacts::pack`] packed (nothing when they are open).
    pub fn unpack(&mut self) {
        let HeldLists::Packed(bytes) = &self.lists else { return };
        let lists = Lists {
            registrations: unpack_list(bytes, 0).into_boxed_slice(),
            member_calls: unpack_list(bytes, 1).into_boxed_slice(),
            local_calls: unpack_list(bytes, 2).into_boxed_slice(),
            property_reads: unpack_list(bytes, 3).into_boxed_slice(),
            env_defaults: unpack_list(bytes, 4).into_boxed_slice(),
        };
        self.lists = HeldLists::Open(Box::new(lists));
    }

    /// How many times the file reads `name`, a name declared from a require or a call of one.
    pub fn references_to(&self, name: &str) -> usize {
        self.references.binary_search_by(|(n, _)| (**n).cmp(name)).map_or(0, |i| self.references[i].1 as usize)
    }

    /// The initial value of the top-level `const` named `name` (`const publicDir = path.join(__dirname, 'public')`).
    pub fn top_level_const(&self, name: &str) -> Option<&Value> {
        let declared =
            self.declarations.iter().find(|d| d.top_level && d.kind == VarDeclKind::Const && d.name == *name)?;
        declared.init.as_ref()
    }

    /// Bindings of a module (any kind).
    pub fn bindings_of<'a>(&'a self, module: &'a str) -> impl Iterator<Item = &'a ModuleBinding> + 'a {
        self.bindings.iter().filter(move |b| b.module == module)
    }

    /// Local names bound to the module itself (`express`, `e`, ...).
    pub fn module_names<'a>(&'a self, module: &'a str) -> Vec<&'a str> {
        self.bindings_of(module).filter(|b| b.kind == ImportKind::Module).map(|b| b.local.as_str()).collect()
    }

    /// Whether a new binding named `name` could clash with or change the meaning of anything in the file: the file
    /// declares or mentions it anywhere (any scope, later in the file, as a type, a type-only import, an undeclared
    /// global), or it is a reserved word or a name Node gives every CommonJS module (`require`, `module`, ...).
    pub fn name_taken(&self, name: &str) -> bool {
        self.names.contains(name) || RESERVED_NAMES.contains(&name) || COMMONJS_PARAMETERS.contains(&name)
    }

    /// A name for a new binding that is free everywhere in the file: `preferred`, else the first free one of
    /// `alternatives` (more specific names), else the last of them (or `preferred`) numbered from 2.
    pub fn free_name(&self, preferred: &str, alternatives: &[&str]) -> String {
        self.free_name_besides(preferred, alternatives, &[])
    }

    /// [`FileFacts::free_name`], also avoiding `chosen` (names already picked for other new bindings).
    pub fn free_name_besides(&self, preferred: &str, alternatives: &[&str], chosen: &[String]) -> String {
        let free = |name: &str| !self.name_taken(name) && !chosen.iter().any(|c| c == name);
        if let Some(name) = std::iter::once(preferred).chain(alternatives.iter().copied()).find(|n| free(n)) {
            return name.to_string();
        }
        let base = alternatives.last().copied().unwrap_or(preferred);
        (2..).map(|n| format!("{base}{n}")).find(|n| free(n)).unwrap_or_else(|| base.to_string())
    }

    /// The object literal at `range`, wherever the analysis described it: an export, a declaration's initialiser, a
    /// function's returned object, or inside one of those.
    pub fn object_at(&self, range: &ByteRange) -> Option<&crate::values::ObjectFacts> {
        fn find<'v>(value: &'v Value, range: &ByteRange) -> Option<&'v crate::values::ObjectFacts> {
            let outer = value.range();
            if range.start() < outer.start() || outer.end() < range.end() {
                return None;
            }
            match value {
                Value::Object(o) if o.range == *range => Some(o),
                Value::Object(o) => o.props.iter().find_map(|p| find(&p.value, range)),
                Value::Array(items, _) => items.iter().find_map(|v| find(v, range)),
                Value::Call(c) | Value::New(c) => c.args.iter().find_map(|v| find(v, range)),
                _ => None,
            }
        }
        self.exports
            .iter()
            .map(|e| &e.value)
            .chain(self.declarations.iter().filter_map(|d| d.init.as_ref()))
            .chain(self.functions.iter().filter_map(|f| f.returns.as_deref()))
            .find_map(|v| find(v, range))
    }

    /// The first function (in source order) inside `range`: the function itself when `range` is one. A binary
    /// search: functions are recorded in source order, by their start.
    pub fn function_within(&self, range: &ByteRange) -> Option<&FunctionFacts> {
        let first = self.functions.partition_point(|f| f.range.start() < range.start());
        self.functions[first..]
            .iter()
            .take_while(|f| f.range.start() <= range.end())
            .find(|f| f.range.end() <= range.end())
    }

    /// Names of the routers the file creates (`express.Router()`, `Router()` imported from express, either with
    /// `new`).
    pub fn routers(&self) -> Vec<&str> {
        let declared = self.declarations.iter().filter(|d| makes_router(d)).map(|d| d.name.as_str());
        declared.chain(self.router_properties()).collect()
    }

    /// Whether `name` is one of [`FileFacts::routers`] (without gathering them: the linking asks for every route
    /// registration and every name handed to a function).
    pub fn is_router(&self, name: &str) -> bool {
        self.declarations.iter().any(|d| d.name == *name && makes_router(d))
            || self.router_properties().any(|p| p == name)
    }

    /// The properties of `this` a class sets to a new router (`this.router = express.Router()`, a class field
    /// `router = Router()`), as paths (`this.router`).
    fn router_properties(&self) -> impl Iterator<Item = &str> {
        self.values
            .iter()
            .filter(|(name, made)| name.starts_with("this.") && is_router_call(made))
            .map(|(n, _)| n.as_str())
    }

    /// The middleware a bare identifier stands for, following `const x = helmet()`.
    pub fn resolve<'a>(&'a self, middleware: &'a Middleware) -> &'a Middleware {
        match middleware {
            Middleware::Ident(name) => match self.values.binary_search_by(|(n, _)| n.cmp(name)) {
                Ok(i) => &self.values[i].1,
                Err(_) => middleware,
            },
            other => other,
        }
    }

    /// The top-level statement that holds offset `at`.
    pub fn top_level_stmt_at(&self, at: usize) -> Option<Range<usize>> {
        let i = self.top_level_stmts.partition_point(|r| r.end() <= at);
        self.top_level_stmts.get(i).filter(|r| r.start() <= at).map(|r| r.range())
    }

    /// The declaration of `name` that `at` sees: among the declarations whose scope holds `at`, those of the innermost
    /// scope, the last before `at` (a `var` declared again), else the first (used before it is declared). `None` when
    /// no declaration's scope holds `at`, or when a parameter of a function between that scope and `at` has the name
    /// (`function sign(user, key) { jwt.sign(user, key) }` never reads an outer `key`).
    /// `at` = `usize::MAX` asks for the file's last declaration of the name, in any scope.
    pub fn declaration(&self, name: &str, at: usize) -> Option<&Declaration> {
        self.visible(|| self.declarations.iter(), name, at)
    }

    /// The name destructured from `process.env` with a default ([`EnvDefault`]) that `at` sees as `name`, if the
    /// declaration `at` sees is one (rather than a plain one, [`FileFacts::declaration`]).
    pub fn env_default(&self, name: &str, at: usize) -> Option<EnvDefault> {
        let defaults = self.env_defaults();
        if !defaults.iter().any(|e| e.declaration.name == name) {
            return None;
        }
        let all = || self.declarations.iter().chain(defaults.iter().map(|e| &e.declaration));
        let found = self.visible(all, name, at)?;
        defaults.iter().find(|e| std::ptr::eq(&e.declaration, found)).cloned()
    }

    /// [`FileFacts::declaration`]'s choice among `declarations`.
    fn visible<'a, I: Iterator<Item = &'a Declaration>>(
        &'a self,
        declarations: impl Fn() -> I,
        name: &str,
        at: usize,
    ) -> Option<&'a Declaration> {
        if at == usize::MAX {
            return declarations().filter(|d| d.name == name).max_by_key(|d| d.declarator.start());
        }
        let visible = || declarations().filter(move |d| d.name == name && d.scope.start() <= at && at <= d.scope.end());
        let innermost = visible().map(|d| (d.scope.start(), std::cmp::Reverse(d.scope.end()))).max()?;
        let in_scope = || visible().filter(move |d| (d.scope.start(), std::cmp::Reverse(d.scope.end())) == innermost);
        // (The last declared before `at`, else the first: the lists are in source order, but not with each other.)
        let before = in_scope().filter(|d| d.declarator.start() <= at).max_by_key(|d| d.declarator.start());
        let found = before.or_else(|| in_scope().min_by_key(|d| d.declarator.start()))?;
        let shadowed = self.functions.iter().any(|f| {
            f.range.start() > found.scope.start()
                && f.range.start() <= at
                && at <= f.range.end()
                && f.params.iter().any(|p| p.as_deref() == Some(name))
        });
        (!shadowed).then_some(found)
    }

    /// Whether `receiver` (as seen at `at`) names `app`.
    pub fn is_app(&self, app: &ExpressApp, receiver: &Receiver, at: usize) -> bool {
        match receiver {
            Receiver::Creation(start) => *start == app.creation.start(),
            Receiver::Path(path) => {
                app.names.iter().any(|n| n == path) && app.scope.start() <= at && at <= app.scope.end()
            }
            Receiver::Other => false,
        }
    }
}

/// Whether a middleware call makes a router: `express.Router()`, `Router()` imported from express.
fn is_router_call(made: &Middleware) -> bool {
    match made {
        Middleware::MemberCallOf { binding, member } => {
            binding.module == "express" && binding.kind == ImportKind::Module && member == "Router"
        }
        Middleware::CallOf { binding, .. } => {
            binding.module == "express" && binding.kind == ImportKind::Named(Atom::from("Router"))
        }
        _ => false,
    }
}

/// Whether `d` declares a router: `const router = express.Router()` (or `Router()` imported from express, or
/// `require('express').Router()`, any with `new`: `new express.Router()`).
fn makes_router(d: &Declaration) -> bool {
    matches!(&d.init, Some(Value::Call(c) | Value::New(c)) if c.callee.as_ref().is_some_and(|c| {
        c.is_export("express", "Router")
            || (c.inline_require.as_deref() == Some("express") && *c.members == ["Router"])
    }))
}

/// Words a binding cannot be named (reserved words, strict mode's, and globals no one should shadow).
#[rustfmt::skip]
const RESERVED_NAMES: [&str; 51] = [
    "await",
    "break",
    "case",
    "catch",
    "class",
    "const",
    "continue",
    "debugger",
    "default",
    "delete",
    "do",
    "else",
    "enum",
    "export",
    "extends",
    "false",
    "finally",
    "for",
    "function",
    "if",
    "import",
    "in",
    "instanceof",
    "new",
    "null",
    "return",
    "super",
    "switch",
    "this",
    "throw",
    "true",
    "try",
    "typeof",
    "var",
    "void",
    "while",
    "with",
    "yield",
    "let",
    "static",
    "implements",
    "interface",
    "package",
    "private",
    "protected",
    "public",
    "arguments",
    "eval",
    "undefined",
    "NaN",
    "Infinity",
];

/// Computes the facts of a parsed file, recording every [`MemberCall`].
pub fn analyse(file: &SourceFile, parsed: &Parsed) -> FileFacts {
    analyse_tracking(file, parsed, None)
}

/// Computes the facts of a parsed file, recording [`MemberCall`]s only of `methods` when given (what the selected
/// transforms ask for, the [`crate::transform::Watch`] lists of the selected transforms: `res.json(...)` is everywhere, and describing
/// its arguments costs when nobody reads them).
pub fn analyse_tracking(file: &SourceFile, parsed: &Parsed, methods: Option<&[&str]>) -> FileFacts {
    // (Every member call of the file is looked up in them, by halves: sorted here when the caller's are not, as the
    // pipeline's are.)
    let mut sorted: Vec<&str> = Vec::new();
    let methods = match methods {
        Some(listed) if !listed.is_sorted() => {
            sorted.extend_from_slice(listed);
            sorted.sort_unstable();
            Some(&sorted[..])
        }
        listed => listed,
    };
    let code = file.code.as_str();
    // (The set of names is the thread's, emptied after each file: grown once rather than in every file.)
    let names = NAMES.with(|n| std::mem::take(&mut *n.borrow_mut()));
    let mut bindings = BindingCollector {
        bindings: Vec::new(),
        type_bindings: Vec::new(),
        names,
        depth: 0,
        counted: HashSet::default(),
    };
    parsed.program.visit_with(&mut bindings);
    // (Shared by the callees bound to them.)
    let shared: Vec<std::sync::Arc<ModuleBinding>> =
        bindings.bindings.iter().cloned().map(std::sync::Arc::new).collect();

    // The first binding of each local name, the one [`Collector::binding`] answers (looked up for every identifier).
    let mut by_name: HashMap<&Atom, &std::sync::Arc<ModuleBinding>> = HashMap::default();
    for b in &shared {
        by_name.entry(&b.local).or_insert(b);
    }
    let mut collector = Collector {
        code,
        bindings: &shared,
        by_name,
        votes: StyleVotes::default(),
        values: Vec::new(),
        apps: Vec::new(),
        local_apps: Vec::new(),
        claimed: HashSet::default(),
        uses: Vec::new(),
        registrations: Vec::new(),
        scopes: vec![ByteRange::new(0, code.len())],
        class_prop: None,
        calls: Vec::new(),
        declarations: Vec::new(),
        env_defaults: Vec::new(),
        assigned: Vec::new(),
        blocks: Vec::new(),
        references: HashMap::default(),
        counted: &bindings.counted,
        stmts: Vec::new(),
        list_depth: 0,
        branch_depth: 0,
        production_depth: 0,
        development_depth: 0,
        functions: Vec::new(),
        classes: Vec::new(),
        instances: Vec::new(),
        member_calls: Vec::new(),
        local_calls: Vec::new(),
        property_reads: Vec::new(),
        exports: Vec::new(),
        inline_requires: Vec::new(),
        opaque_modules: Vec::new(),
        package_refs: Vec::new(),
        pending_fn_name: None,
        pending_class_name: None,
        tracked: methods,
        default_session_cookie: Vec::new(),
        // (Its literals are read for the name only when the text has its first word: almost no file does.)
        names_connect: memchr::memmem::find(file.code.as_bytes(), b"connect").is_some(),
    };
    parsed.program.visit_with(&mut collector);

    let (items, is_module): (Vec<&ModuleItem>, bool) = match &parsed.program {
        Program::Module(m) => (m.body.iter().collect(), true),
        Program::Script(_) => (Vec::new(), false),
    };
    let script_stmts: Vec<&Stmt> = match &parsed.program {
        Program::Script(s) => s.body.iter().collect(),
        Program::Module(_) => Vec::new(),
    };
    let mut top_level_imports = Vec::new();
    let mut prologue_end = None;
    let mut first_statement = None;
    let mut has_esm_syntax = false;
    let mut in_prologue = true;
    let mut top_level_stmts = Vec::new();
    let mut visit_top = |r: Range<usize>, is_import: bool, is_directive: bool| {
        let r = ByteRange::from(r);
        top_level_stmts.push(r);
        if in_prologue && is_directive {
            prologue_end = Some(r);
            return;
        }
        in_prologue = false;
        if is_import {
            top_level_imports.push(r);
        } else if first_statement.is_none() {
            first_statement = u32::try_from(r.start()).ok();
        }
    };
    if is_module {
        for item in &items {
            let r = range_of(*item);
            match item {
                ModuleItem::ModuleDecl(decl) => {
                    let is_import = matches!(decl, ModuleDecl::Import(_) | ModuleDecl::TsImportEquals(_));
                    if !matches!(decl, ModuleDecl::TsImportEquals(_)) {
                        has_esm_syntax = true;
                    }
                    visit_top(r, is_import, false);
                }
                ModuleItem::Stmt(stmt) => visit_top(r, is_require_stmt(stmt), is_directive(stmt)),
            }
        }
    } else {
        for stmt in &script_stmts {
            visit_top(range_of(*stmt), is_require_stmt(stmt), is_directive(stmt));
        }
    }
    let has_import_equals = bindings.bindings.iter().any(|b| {
        b.top_level
            && code.get(b.stmt.range()).is_some_and(|t| t.starts_with("import ") || t.starts_with("export import"))
    });
    let module_system = match file.ext_module {
        ExtensionModule::Esm => ModuleSystem::Esm,
        ExtensionModule::CommonJs => ModuleSystem::CommonJs,
        ExtensionModule::Either if has_esm_syntax || has_import_equals => ModuleSystem::Esm,
        ExtensionModule::Either => ModuleSystem::CommonJs,
    };
    // `.cts` files still write `import x from` in TypeScript; only plain JavaScript CommonJS uses require.
    let module_system = if module_system == ModuleSystem::CommonJs
        && file.kind != SourceKind::JavaScript
        && (has_esm_syntax || has_import_equals)
    {
        ModuleSystem::Esm
    } else {
        module_system
    };

    let Collector {
        votes,
        values,
        mut apps,
        local_apps,
        uses,
        registrations,
        calls,
        declarations,
        env_defaults,
        assigned,
        references,
        functions,
        classes,
        member_calls,
        local_calls,
        property_reads,
        exports,
        mut inline_requires,
        mut opaque_modules,
        mut package_refs,
        default_session_cookie,
        ..
    } = collector;
    for (index, declared) in local_apps {
        let Some(app) = apps.get_mut(index) else { continue };
        let Some(name) = app.names.first() else { continue };
        // An app listened on (or handed on) in its scope serves: the calls the walk already recorded say so without
        // another walk of the tree (when the transforms track the method).
        let serves = member_calls.iter().any(|c| {
            c.object == *name
                && crate::serving::SERVES.contains(&c.method.as_ref())
                && app.scope.contains(&c.range.start())
        });
        app.idle = !serves && crate::serving::idle(&parsed.program, name, declared, app.scope);
    }
    inline_requires.sort_unstable();
    inline_requires.dedup();
    opaque_modules.sort_unstable();
    opaque_modules.dedup();
    package_refs.sort_unstable();
    package_refs.dedup();
    let request_redirect = member_calls
        .iter()
        .find(|call| {
            (call.method == "redirect" || call.method == "location")
                && call.args.iter().any(|arg| match arg {
                    Value::Str(s, _) => s == "back",
                    Value::Ident(..) => false,
                    _ => {
                        let text = code.get(arg.range().range()).unwrap_or("");
                        ["req.", "request."].iter().any(|r| text.contains(r))
                    }
                })
        })
        .and_then(|call| u32::try_from(call.range.start()).ok());
    FileFacts {
        module_system,
        style: {
            let era = crate::style::es5_era(&parsed.program);
            crate::style::Style { era_unknown: era.is_none(), ..votes.finish(code, era == Some(true)) }
        },
        bindings: bindings.bindings.into_boxed_slice(),
        type_bindings: bindings.type_bindings.into_boxed_slice(),
        values: {
            // (The last of each name's initialisers, as a map's `insert` kept: reversed, then a stable sort keeps the
            // later ones first among equal names.)
            let mut values = values;
            values.reverse();
            values.sort_by(|a, b| a.0.cmp(&b.0));
            values.dedup_by(|removed, kept| removed.0 == kept.0);
            values.into_boxed_slice()
        },
        names: {
            let names = NameSet::new(bindings.names.drain());
            // (A huge file's table is not kept for the files after it.)
            bindings.names.shrink_to(KEPT_NAMES);
            NAMES.with(|n| *n.borrow_mut() = std::mem::take(&mut bindings.names));
            names
        },
        apps: apps.into_boxed_slice(),
        uses: uses.into_boxed_slice(),
        top_level_imports: top_level_imports.into_boxed_slice(),
        prologue_end,
        first_statement,
        top_level_stmts: top_level_stmts.into_boxed_slice(),
        program_module: is_module,
        comments: parsed.comments.clone().into_boxed_slice(),
        calls: calls.into_boxed_slice(),
        declarations: declarations.into_boxed_slice(),
        assigned: assigned.into_boxed_slice(),
        references: {
            let mut references: Vec<(Atom, u32)> =
                references.into_iter().map(|(name, n)| (name, u32::try_from(n).unwrap_or(u32::MAX))).collect();
            references.sort_unstable_by(|a, b| a.0.cmp(&b.0));
            references.into_boxed_slice()
        },
        functions: functions.into_boxed_slice(),
        classes: classes.into_boxed_slice(),
        lists: HeldLists::Open(Box::new(Lists {
            registrations: registrations.into_boxed_slice(),
            member_calls: member_calls.into_boxed_slice(),
            local_calls: local_calls.into_boxed_slice(),
            property_reads: property_reads.into_boxed_slice(),
            env_defaults: env_defaults.into_boxed_slice(),
        })),
        exports: exports.into_boxed_slice(),
        inline_requires: inline_requires.into_boxed_slice(),
        opaque_modules: opaque_modules.into_boxed_slice(),
        package_refs: package_refs.into_boxed_slice(),
        request_redirect,
        default_session_cookie: default_session_cookie.into_boxed_slice(),
    }
}

fn is_directive(stmt: &Stmt) -> bool {
    matches!(stmt, Stmt::Expr(ExprStmt { expr, .. }) if matches!(&**expr, Expr::Lit(Lit::Str(_))))
}

fn is_require_stmt(stmt: &Stmt) -> bool {
    match stmt {
        Stmt::Decl(Decl::Var(var)) => var.decls.iter().any(|d| d.init.as_deref().is_some_and(contains_require)),
        Stmt::Expr(ExprStmt { expr, .. }) => require_source(expr).is_some(),
        _ => false,
    }
}

/// `require('x')`, `require('x').y`, `require('x')(...)` at the head of an expression.
fn contains_require(expr: &Expr) -> bool {
    match unwrap(expr) {
        Expr::Call(call) => {
            require_source(unwrap(expr)).is_some()
                || matches!(&call.callee, Callee::Expr(callee) if contains_require(callee))
        }
        Expr::Member(m) => contains_require(&m.obj),
        _ => false,
    }
}

fn prop_name(name: &PropName) -> Option<Atom> {
    match name {
        PropName::Ident(i) => Some(crate::values::kept(&i.sym)),
        PropName::Str(s) => s.value.as_atom().cloned(),
        _ => None,
    }
}

thread_local! {
    /// The set [`BindingCollector`] gathers a file's names in, kept empty between the files a thread analyses.
    static NAMES: std::cell::RefCell<HashSet<Atom>> = std::cell::RefCell::default();
}

/// The most names [`NAMES`] keeps room for between files (a file of some thousands of lines has a few hundred).
const KEPT_NAMES: usize = 4096;

/// First pass: imports and requires, and every name the file declares or mentions.
struct BindingCollector {
    bindings: Vec<ModuleBinding>,
    type_bindings: Vec<ModuleBinding>,
    /// Atoms, not strings: every identifier of the file passes here, and an atom carries its hash and clones without
    /// allocating.
    names: HashSet<Atom>,
    depth: usize,
    /// Names declared from a require or a call of one (`const MemoryStore = require('memorystore')(session)`): the
    /// only names whose reads [`FileFacts::references`] counts.
    counted: HashSet<Atom>,
}

impl BindingCollector {
    fn name(&mut self, name: &Atom) {
        if !self.names.contains(name) {
            self.names.insert(name.clone());
        }
    }

    fn add(&mut self, local: &Atom, module: &str, kind: ImportKind, stmt: Range<usize>) {
        let binding = self.binding(local, module, kind, stmt);
        self.bindings.push(binding);
    }

    fn binding(&self, local: &Atom, module: &str, kind: ImportKind, stmt: Range<usize>) -> ModuleBinding {
        ModuleBinding {
            local: Atom::from(&**local),
            module: Atom::from(module),
            kind,
            stmt: stmt.into(),
            top_level: self.depth == 0,
        }
    }

    fn add_type(&mut self, local: &Atom, module: &str, kind: ImportKind, stmt: Range<usize>) {
        let binding = self.binding(local, module, kind, stmt);
        self.type_bindings.push(binding);
    }

    fn var_decl(&mut self, var: &VarDecl) {
        let stmt = range_of(var);
        for decl in &var.decls {
            let Some(init) = decl.init.as_deref() else { continue };
            if let (Pat::Ident(id), true) = (&decl.name, contains_require(init)) {
                self.counted.insert(id.id.sym.clone());
            }
            // `require('m')` or `require('m').name`; or a package's module object taken apart (`const { Pool } = pg`
            // of `import pg from 'pg'`, as pg's documentation writes it for ES modules, or `const Pool = pg.Pool`).
            let (module, member) = match crate::bindings::required(init) {
                Some(found) => found,
                None => match self.package_member(init) {
                    Some(found) => found,
                    None => continue,
                },
            };
            match (&decl.name, member) {
                (Pat::Ident(id), None) => self.add(&id.id.sym, &module, ImportKind::Module, stmt.clone()),
                (Pat::Ident(id), Some(m)) if m == "default" => {
                    self.add(&id.id.sym, &module, ImportKind::Module, stmt.clone())
                }
                (Pat::Ident(id), Some(m)) => self.add(&id.id.sym, &module, ImportKind::Named(m.into()), stmt.clone()),
                (Pat::Object(obj), None) => {
                    for prop in &obj.props {
                        match prop {
                            ObjectPatProp::Assign(a) => {
                                let name = crate::values::kept(&a.key.sym);
                                let kind = if name == "default" { ImportKind::Module } else { ImportKind::Named(name) };
                                self.add(&a.key.sym, &module, kind, stmt.clone());
                            }
                            ObjectPatProp::KeyValue(kv) => {
                                if let (Some(key), Pat::Ident(id)) = (prop_name(&kv.key), &*kv.value) {
                                    let kind =
                                        if key == "default" { ImportKind::Module } else { ImportKind::Named(key) };
                                    self.add(&id.id.sym, &module, kind, stmt.clone());
                                }
                            }
                            ObjectPatProp::Rest(_) => {}
                        }
                    }
                }
                _ => {}
            }
        }
    }

    /// `pg` or `pg.Pool`, where `pg` is bound (so far, at the top level) to a package's module object: the package,
    /// and the member read from it.
    fn package_member(&self, init: &Expr) -> Option<(String, Option<String>)> {
        let (object, member) = match unwrap(init) {
            Expr::Ident(id) => (&id.sym, None),
            Expr::Member(MemberExpr { obj, prop: MemberProp::Ident(p), .. }) => match unwrap(obj) {
                Expr::Ident(id) => (&id.sym, Some(p.sym.to_string())),
                _ => return None,
            },
            _ => return None,
        };
        let binding = self
            .bindings
            .iter()
            .find(|b| b.local == *object && b.top_level && b.kind == ImportKind::Module && is_package(&b.module))?;
        Some((binding.module.to_string(), member))
    }
}

/// What a named import specifier binds: `{ a as x }` the export `a`, `{ default as x }` the module.
fn imported_kind(n: &ImportNamedSpecifier) -> ImportKind {
    let imported = match &n.imported {
        Some(ModuleExportName::Ident(i)) => crate::values::kept(&i.sym),
        Some(ModuleExportName::Str(s)) => Atom::from(s.value.as_str().unwrap_or_default()),
        None => crate::values::kept(&n.local.sym),
    };
    if imported == "default" {
        ImportKind::Module
    } else {
        ImportKind::Named(imported)
    }
}

impl Visit for BindingCollector {
    fn visit_import_decl(&mut self, decl: &ImportDecl) {
        for spec in &decl.specifiers {
            match spec {
                ImportSpecifier::Default(d) => self.name(&d.local.sym),
                ImportSpecifier::Namespace(n) => self.name(&n.local.sym),
                ImportSpecifier::Named(n) => self.name(&n.local.sym),
            }
        }
        let Some(module) = decl.src.value.as_str() else { return };
        let stmt = range_of(decl);
        if decl.type_only {
            for spec in &decl.specifiers {
                let (local, kind) = match spec {
                    ImportSpecifier::Named(n) => (&n.local.sym, imported_kind(n)),
                    ImportSpecifier::Default(d) => (&d.local.sym, ImportKind::Module),
                    ImportSpecifier::Namespace(n) => (&n.local.sym, ImportKind::Module),
                };
                self.add_type(local, module, kind, stmt.clone());
            }
            return;
        }
        for spec in &decl.specifiers {
            match spec {
                ImportSpecifier::Default(d) => {
                    self.add(&d.local.sym, module, ImportKind::Module, stmt.clone());
                }
                ImportSpecifier::Namespace(n) => {
                    self.add(&n.local.sym, module, ImportKind::Module, stmt.clone());
                }
                ImportSpecifier::Named(n) => {
                    if n.is_type_only {
                        self.add_type(&n.local.sym, module, imported_kind(n), stmt.clone());
                        continue;
                    }
                    self.add(&n.local.sym, module, imported_kind(n), stmt.clone());
                }
            }
        }
    }

    fn visit_ts_import_equals_decl(&mut self, decl: &TsImportEqualsDecl) {
        self.name(&decl.id.sym);
        if decl.is_type_only {
            return;
        }
        if let TsModuleRef::TsExternalModuleRef(ext) = &decl.module_ref {
            if let Some(module) = ext.expr.value.as_str() {
                self.add(&decl.id.sym, module, ImportKind::Module, range_of(decl));
            }
        }
    }

    fn visit_var_decl(&mut self, var: &VarDecl) {
        self.var_decl(var);
        var.visit_children_with(self);
    }

    fn visit_binding_ident(&mut self, id: &BindingIdent) {
        self.name(&id.id.sym);
        id.type_ann.visit_with(self);
    }

    /// Every other identifier: references (to globals too), function and class names, labels, and TypeScript's
    /// types, interfaces, enums and namespaces and the names they mention.
    fn visit_ident(&mut self, id: &Ident) {
        self.name(&id.sym);
    }

    fn visit_assign_pat_prop(&mut self, p: &AssignPatProp) {
        self.name(&p.key.sym);
        p.visit_children_with(self);
    }

    fn visit_function(&mut self, f: &Function) {
        self.depth += 1;
        f.visit_children_with(self);
        self.depth -= 1;
    }

    fn visit_arrow_expr(&mut self, f: &ArrowExpr) {
        self.depth += 1;
        f.visit_children_with(self);
        self.depth -= 1;
    }

    fn visit_block_stmt(&mut self, b: &BlockStmt) {
        self.depth += 1;
        b.visit_children_with(self);
        self.depth -= 1;
    }

    fn visit_class(&mut self, c: &Class) {
        self.depth += 1;
        c.visit_children_with(self);
        self.depth -= 1;
    }
}

/// Second pass: apps, registrations, values, style votes.
struct Collector<'a> {
    code: &'a str,
    bindings: &'a [std::sync::Arc<ModuleBinding>],
    /// The first of `bindings` under each local name.
    by_name: HashMap<&'a Atom, &'a std::sync::Arc<ModuleBinding>>,
    votes: StyleVotes,
    values: Vec<(Atom, Middleware)>,
    apps: Vec<ExpressApp>,
    /// The apps of `apps` declared under one local name and not exported, by index, with where that name is
    /// declared: [`ExpressApp::idle`] is decided for them once the whole file is read.
    local_apps: Vec<(usize, usize)>,
    /// Creation calls already registered by their statement.
    claimed: HashSet<usize>,
    uses: Vec<UseCall>,
    registrations: Vec<Registration>,
    scopes: Vec<ByteRange>,
    /// Name of the class property being visited (`app = express()` in a class body is `this.app`).
    class_prop: Option<Atom>,
    calls: Vec<CallSite>,
    declarations: Vec<Declaration>,
    env_defaults: Vec<EnvDefault>,
    assigned: Vec<(Atom, usize)>,
    /// The blocks being visited (and `for` statements, which bind their `let`), innermost last.
    blocks: Vec<ByteRange>,
    references: HashMap<Atom, usize>,
    counted: &'a HashSet<Atom>,
    /// The statements being visited, innermost last, with whether each is at the top level.
    stmts: Vec<StmtSite>,
    list_depth: usize,
    /// How many branches (`if` bodies, `switch` cases, `? :` arms, right sides of `&&`/`||`/`??`) hold the node
    /// being visited.
    branch_depth: usize,
    /// How many of the branches around the visit are an `if`'s body that runs only in production.
    production_depth: usize,
    /// How many of the branches around the visit are an `if`'s body that runs only outside production.
    development_depth: usize,
    functions: Vec<FunctionFacts>,
    classes: Vec<ClassFacts>,
    /// The names declared (so far, in any scope) as instances of the project's classes (`new AuthController()`).
    instances: Vec<Atom>,
    member_calls: Vec<MemberCall>,
    local_calls: Vec<LocalCall>,
    property_reads: Vec<PropertyRead>,
    exports: Vec<Export>,
    /// Every `require('m')` call's module.
    inline_requires: Vec<Atom>,
    /// Every dynamic `import('m')`'s module, and modules handed on in object literals.
    opaque_modules: Vec<Atom>,
    /// Exports of packages named in the code, module and export.
    package_refs: Vec<(Atom, Atom)>,
    /// The name the next function visited is declared under.
    pending_fn_name: Option<Atom>,
    /// The name the next class visited is declared under.
    pending_class_name: Option<Atom>,
    /// Methods whose calls are recorded (all when `None`), sorted.
    tracked: Option<&'a [&'a str]>,
    /// [`FileFacts::default_session_cookie`].
    default_session_cookie: Vec<ByteRange>,
    /// Whether the file's text holds `connect` (else no literal of it can be the default cookie name).
    names_connect: bool,
}

/// A class's methods and function-valued properties, by name (getters, setters and private members left out: none
/// is handed on as a function by its name).
fn class_methods(c: &Class) -> Box<[ClassMethod]> {
    c.body
        .iter()
        .filter_map(|member| match member {
            ClassMember::Method(m) if m.kind == MethodKind::Method && m.function.body.is_some() => Some(ClassMethod {
                name: crate::values::prop_key(&m.key)?,
                function: span_of_node(&*m.function),
                is_static: m.is_static,
            }),
            ClassMember::ClassProp(p) => {
                let function = match unwrap(p.value.as_deref()?) {
                    Expr::Arrow(a) => span_of_node(a),
                    Expr::Fn(f) => span_of_node(&*f.function),
                    _ => return None,
                };
                Some(ClassMethod { name: crate::values::prop_key(&p.key)?, function, is_static: p.is_static })
            }
            _ => None,
        })
        .collect()
}

/// Whether a module specifier names a package rather than a file of the project (`./lib`, `/abs`).
fn is_package(module: &str) -> bool {
    !module.starts_with('.') && !module.starts_with('/')
}

/// Methods that register middleware or routes.
pub const ROUTE_METHODS: [&str; 10] = ["use", "get", "post", "put", "delete", "del", "patch", "all", "options", "head"];

/// The route methods that take a form's submission (a form's `method` is GET or POST; a method-override middleware
/// turns a POST into PUT, PATCH or DELETE), `all` included.
pub const FORM_METHODS: [&str; 6] = ["post", "put", "patch", "delete", "del", "all"];

impl<'a> Collector<'a> {
    fn binding(&self, name: &Atom) -> Option<&'a ModuleBinding> {
        self.shared_binding(name).map(|b| &**b)
    }

    /// [`Collector::binding`], shared.
    fn shared_binding(&self, name: &Atom) -> Option<&'a std::sync::Arc<ModuleBinding>> {
        self.by_name.get(name).copied()
    }

    /// Records `expr` in [`FileFacts::package_refs`] when it names a package's export: a name bound to one
    /// (`import { template } from 'lodash'`), or a member of a name bound to the package or of its inline require
    /// (`jwt.verify`, `require('lodash').template`).
    fn package_ref(&mut self, expr: &Expr) {
        match expr {
            Expr::Ident(id) => {
                if let Some(ModuleBinding { module, kind: ImportKind::Named(name), .. }) = self.binding(&id.sym) {
                    if is_package(module) {
                        self.package_refs.push((module.clone(), name.clone()));
                    }
                }
            }
            Expr::Member(m) => {
                let MemberProp::Ident(p) = &m.prop else { return };
                let module = match unwrap(&m.obj) {
                    Expr::Ident(o) => match self.binding(&o.sym) {
                        Some(ModuleBinding { module, kind: ImportKind::Module, .. }) => module.clone(),
                        _ => return,
                    },
                    Expr::Call(c) => match crate::bindings::require_source_of(c) {
                        Some(module) => module.into(),
                        None => return,
                    },
                    _ => return,
                };
                if is_package(&module) {
                    self.package_refs.push((module, crate::values::kept(&p.sym)));
                }
            }
            Expr::Object(o) => {
                for prop in &o.props {
                    let PropOrSpread::Prop(prop) = prop else { continue };
                    let module = match &**prop {
                        Prop::KeyValue(kv) => match unwrap(&kv.value) {
                            Expr::Call(c) => crate::bindings::require_source_of(c).map(Atom::from),
                            Expr::Ident(id) => self.module_binding(&id.sym),
                            _ => None,
                        },
                        Prop::Shorthand(id) => self.module_binding(&id.sym),
                        _ => None,
                    };
                    if let Some(module) = module.filter(|m| is_package(m)) {
                        self.opaque_modules.push(module);
                    }
                }
            }
            _ => {}
        }
    }

    /// The module `name` is bound to when it holds the module itself (`const jwt = require('jsonwebtoken')`).
    fn module_binding(&self, name: &Atom) -> Option<Atom> {
        self.binding(name).filter(|b| b.kind == ImportKind::Module).map(|b| b.module.clone())
    }

    /// Whether `expr` creates an Express app: `express()` through any local name bound to the express module, or
    /// `require('express')()`; or the same with `new` (`new express()`: express() returns the app it makes, so `new`
    /// makes the same app).
    fn is_creation(&self, expr: &Expr) -> bool {
        match unwrap(expr) {
            Expr::Call(call) => self.is_creation_call(call),
            Expr::New(new) => self.creates_app(&new.callee),
            _ => false,
        }
    }

    fn is_creation_call(&self, call: &CallExpr) -> bool {
        let Callee::Expr(callee) = &call.callee else { return false };
        self.creates_app(callee)
    }

    /// Whether calling `callee` creates an Express app ([`Collector::is_creation`]).
    fn creates_app(&self, callee: &Expr) -> bool {
        match unwrap(callee) {
            Expr::Ident(id) => {
                self.binding(&id.sym).is_some_and(|b| b.module == "express" && b.kind == ImportKind::Module)
            }
            other => require_source(other).as_deref() == Some("express"),
        }
    }

    /// A receiver path written with identifiers, `this` and dotted names.
    fn path_of(&self, expr: &Expr) -> Option<Atom> {
        match unwrap(expr) {
            Expr::Ident(id) => Some(crate::values::kept(&id.sym)),
            Expr::This(_) => Some(Atom::from("this")),
            Expr::Member(m) => match &m.prop {
                MemberProp::Ident(p) => Some(format!("{}.{}", self.path_of(&m.obj)?, p.sym).into()),
                MemberProp::Computed(c) => match &*c.expr {
                    Expr::Lit(Lit::Str(s)) if s.value.as_str().is_some_and(crate::codegen::is_identifier) => {
                        Some(format!("{}.{}", self.path_of(&m.obj)?, s.value.as_str()?).into())
                    }
                    _ => None,
                },
                MemberProp::PrivateName(_) => None,
            },
            _ => None,
        }
    }

    /// Records an app created at `creation` that no statement of a list holds (a class property's `app = express()`,
    /// an argument): its configuration goes in a chain on the creation (`express().use(helmet())`).
    fn chain_app(&mut self, creation: ByteRange) {
        if self.claimed.insert(creation.start()) {
            self.apps.push(ExpressApp {
                creation,
                names: self.class_prop.iter().cloned().collect(),
                site: AppSite::Chain,
                scope: self.scope(),
                idle: false,
            });
        }
    }

    /// Records a header's name given by a name or dotted path (`TOKEN_HEADER` in `req.headers[TOKEN_HEADER]`,
    /// `config.tokenHeader` in `req.get(config.tokenHeader)`), read from `object`, as the read
    /// `headers[TOKEN_HEADER]` with the range of the name: what the name holds names a header, and is no secret
    /// ([`crate::links::FileLinks::header_names`]).
    fn header_name(&mut self, object: &Expr, name: &Expr) {
        if !matches!(unwrap(name), Expr::Ident(_) | Expr::Member(_)) {
            return;
        }
        if let Some(path) = self.path_of(name) {
            self.property_reads.push(PropertyRead {
                object: self.path_of(object),
                property: format!("headers[{path}]").into(),
                range: span_of_node(unwrap(name)),
            });
        }
    }

    fn receiver_of(&self, expr: &Expr) -> Receiver {
        let expr = unwrap(expr);
        if self.is_creation(expr) {
            return Receiver::Creation(range_of(expr).start);
        }
        if let Expr::Call(call) = expr {
            // `app.use(a).use(b)`: registration methods return the app.
            if let Callee::Expr(callee) = &call.callee {
                if let Expr::Member(m) = unwrap(callee) {
                    if let MemberProp::Ident(p) = &m.prop {
                        let chainable = ROUTE_METHODS.contains(&p.sym.as_ref())
                            || ["set", "enable", "disable", "engine", "param", "route"].contains(&p.sym.as_ref());
                        if chainable {
                            return self.receiver_of(&m.obj);
                        }
                    }
                }
            }
            return Receiver::Other;
        }
        match self.path_of(expr) {
            Some(p) => Receiver::Path(p),
            None => Receiver::Other,
        }
    }

    fn middleware(&self, expr: &Expr, out: &mut Vec<Middleware>) {
        match unwrap(expr) {
            Expr::Array(arr) => {
                for e in arr.elems.iter().flatten() {
                    self.middleware(&e.expr, out);
                }
            }
            Expr::Ident(id) => out.push(Middleware::Ident(crate::values::kept(&id.sym))),
            member @ Expr::Member(_) => out.push(self.path_of(member).map_or(Middleware::Other, Middleware::Path)),
            other => out.push(self.classify_call(other)),
        }
    }

    fn classify_call(&self, expr: &Expr) -> Middleware {
        // (`await f(config)` registers what the call resolves to: an app an async factory makes.)
        let expr = match unwrap(expr) {
            Expr::Await(awaited) => &*awaited.arg,
            other => other,
        };
        let Expr::Call(call) = unwrap(expr) else { return Middleware::Other };
        let Callee::Expr(callee) = &call.callee else { return Middleware::Other };
        match unwrap(callee) {
            Expr::Ident(id) => match self.shared_binding(&id.sym) {
                Some(b) => Middleware::CallOf { binding: b.clone(), disabled: disabled_keys(call).into() },
                None => Middleware::Other,
            },
            Expr::Member(m) => {
                let (Expr::Ident(obj), MemberProp::Ident(p)) = (unwrap(&m.obj), &m.prop) else {
                    return Middleware::Other;
                };
                match self.shared_binding(&obj.sym) {
                    Some(b) if b.kind == ImportKind::Module && p.sym == *"default" => {
                        Middleware::CallOf { binding: b.clone(), disabled: disabled_keys(call).into() }
                    }
                    Some(b) if b.kind == ImportKind::Module => {
                        Middleware::MemberCallOf { binding: b.clone(), member: crate::values::kept(&p.sym) }
                    }
                    _ => Middleware::Other,
                }
            }
            other => match require_source(other) {
                Some(module) => Middleware::RequireCall { module: module.into() },
                None => Middleware::Other,
            },
        }
    }

    fn scope(&self) -> ByteRange {
        self.scopes.last().copied().unwrap_or(ByteRange::new(0, self.code.len()))
    }

    /// `call` as a call of the file's own `callee`, with the names it passes.
    fn local_call(&self, callee: Atom, call: &CallExpr) -> LocalCall {
        LocalCall {
            callee,
            args: call
                .args
                .iter()
                .map(|a| match unwrap(&a.expr) {
                    Expr::Ident(arg) if a.spread.is_none() => Some(crate::values::kept(&arg.sym)),
                    _ => None,
                })
                .collect(),
            range: span_of_node(call),
            in_branch: self.branch_depth > 0,
            scope: self.function_scope(),
        }
    }

    /// Records `this.<property>` set to a new router (`express.Router()`, `Router()` of express) among the values,
    /// where [`FileFacts::routers`] finds it.
    fn router_property(&mut self, property: &str, value: &Expr) {
        let made = self.classify_call(value);
        if is_router_call(&made) {
            self.values.push((format!("this.{property}").into(), made));
        }
    }

    /// The innermost function (or class) being visited, `None` at the top level ([`MemberCall::scope`]).
    fn function_scope(&self) -> Option<ByteRange> {
        (self.scopes.len() > 1).then(|| self.scope())
    }

    /// Follows `a = b = express()` and returns the creating call and the assigned paths.
    fn assignment_chain<'e>(&self, expr: &'e Expr, names: &mut Vec<Atom>) -> Option<&'e Expr> {
        match unwrap(expr) {
            Expr::Assign(assign) if assign.op == AssignOp::Assign => {
                let target = match &assign.left {
                    AssignTarget::Simple(SimpleAssignTarget::Ident(id)) => Some(crate::values::kept(&id.id.sym)),
                    AssignTarget::Simple(SimpleAssignTarget::Member(m)) => self.path_of(&Expr::Member(m.clone())),
                    _ => None,
                };
                names.extend(target);
                self.assignment_chain(&assign.right, names)
            }
            other if self.is_creation(other) => Some(other),
            _ => None,
        }
    }

    /// Registers apps created by a statement that sits in a statement list.
    fn statement_app(&mut self, stmt_range: ByteRange, var: Option<&VarDecl>, expr: Option<&Expr>, exported: bool) {
        // (With where its declaring identifier starts, for an app declared under one local name only.)
        let mut found: Vec<(ByteRange, Vec<Atom>, Option<usize>)> = Vec::new();
        if let Some(var) = var {
            for decl in &var.decls {
                let Some(init) = decl.init.as_deref() else { continue };
                let mut names = Vec::new();
                let mut declared = None;
                if let Pat::Ident(id) = &decl.name {
                    names.push(crate::values::kept(&id.id.sym));
                    declared = Some(span_of_node(&id.id).start());
                }
                if let Some(creation) = self.assignment_chain(init, &mut names) {
                    let local = declared.filter(|_| names.len() == 1 && !exported && !var.declare);
                    found.push((span_of_node(creation), names, local));
                }
            }
        }
        if let Some(expr) = expr {
            let mut names = Vec::new();
            if let Some(creation) = self.assignment_chain(expr, &mut names) {
                found.push((span_of_node(creation), names, None));
            }
        }
        for (creation, names, local) in found {
            let Some(receiver) = names.first().cloned() else { continue };
            self.claimed.insert(creation.start());
            if let Some(declared) = local {
                self.local_apps.push((self.apps.len(), declared));
            }
            self.apps.push(ExpressApp {
                creation,
                names,
                site: AppSite::AfterStatement { stmt: stmt_range, receiver },
                scope: self.scope(),
                idle: false,
            });
        }
    }

    fn stmt_in_list(&mut self, stmt: &Stmt) {
        match stmt {
            Stmt::Decl(Decl::Var(var)) => self.statement_app(span_of_node(stmt), Some(var), None, false),
            Stmt::Expr(e) => self.statement_app(span_of_node(stmt), None, Some(&e.expr), false),
            _ => {}
        }
        self.vote_statement(stmt);
    }

    fn vote_statement(&mut self, stmt: &Stmt) {
        let votes = matches!(
            stmt,
            Stmt::Expr(_)
                | Stmt::Decl(Decl::Var(_))
                | Stmt::Return(_)
                | Stmt::Throw(_)
                | Stmt::Break(_)
                | Stmt::Continue(_)
                | Stmt::DoWhile(_)
        );
        if votes {
            self.votes.statement(self.code, range_of(stmt));
        }
    }

    /// A write to `x.query` or `x.query.y` (Express 5 makes `req.query` a getter: writes are lost).
    fn query_write(&mut self, m: &MemberExpr) {
        let Some(path) = self.path_of(&Expr::Member(m.clone())) else { return };
        let mut parts = path.split('.');
        let (Some(root), Some("query")) = (parts.next(), parts.next()) else { return };
        self.property_reads.push(PropertyRead {
            object: Some(root.to_string().into()),
            property: "query-write".to_string().into(),
            range: span_of_node(m),
        });
    }

    /// Records a call or `new` whose callee is imported (a module binding, a member of one, an inline require).
    fn record_call(&mut self, range: Range<usize>, callee: &Expr, args: &[&Expr], is_new: bool) {
        // Most calls (`res.json`, `console.log`) start from nothing imported: skip them before building paths.
        if !self.rooted_in_import(callee) {
            return;
        }
        let describer = Describer { bindings: self.bindings };
        let Some(callee_ref) = describer.callee(callee) else { return };
        if callee_ref.binding.is_none() && callee_ref.inline_require.is_none() {
            return;
        }
        let args: Vec<Value> = args.iter().map(|a| describer.value(a)).collect();
        self.calls.push(CallSite {
            call: CallFacts {
                range: range.into(),
                callee: Some(callee_ref),
                callee_range: span_of_node(callee),
                args: args.into_boxed_slice(),
            },
            is_new,
            stmt: self.stmts.last().cloned(),
            in_branch: self.branch_depth > 0,
            scope: self.function_scope(),
        });
    }

    fn record_function(
        &mut self,
        range: Range<usize>,
        body: Range<usize>,
        params: Vec<Option<Atom>>,
        object_params: Vec<(usize, Atom, Atom)>,
        returned: Option<&Expr>,
    ) {
        let name = self.pending_fn_name.take();
        let returns = returned
            .filter(|e| matches!(unwrap(e), Expr::Object(_)))
            .map(|e| Box::new(Describer { bindings: self.bindings }.value(e)));
        let returns_name = match returned.map(unwrap) {
            Some(Expr::Ident(id)) => Some(crate::values::kept(&id.sym)),
            _ => None,
        };
        self.functions.push(FunctionFacts {
            name,
            range: range.into(),
            body: body.into(),
            params: params.into_boxed_slice(),
            object_params: object_params.into_boxed_slice(),
            returns,
            returns_name,
        });
    }

    /// Records what a top-level statement exports in CommonJS: `module.exports = x`, `module.exports.a = x`,
    /// `exports.a = x` (`module.exports = exports = x` too).
    fn commonjs_export(&mut self, stmt: &Stmt) {
        let Stmt::Expr(ExprStmt { expr, .. }) = stmt else { return };
        let Expr::Assign(assign) = unwrap(expr) else { return };
        if assign.op != AssignOp::Assign {
            return;
        }
        let AssignTarget::Simple(SimpleAssignTarget::Member(m)) = &assign.left else { return };
        let Some(target) = self.path_of(&Expr::Member(m.clone())) else { return };
        let mut value = &*assign.right;
        // `module.exports = exports = x`, `exports.a = module.exports.a = x`.
        while let Expr::Assign(inner) = unwrap(value) {
            if inner.op != AssignOp::Assign {
                break;
            }
            value = &inner.right;
        }
        let name = match target.as_str() {
            "module.exports" => "default",
            other => match other.strip_prefix("module.exports.").or_else(|| other.strip_prefix("exports.")) {
                Some(name) if !name.contains('.') => name,
                _ => return,
            },
        };
        let value = Describer { bindings: self.bindings }.value(value);
        self.exports.push(Export { name: name.to_string().into(), value, from: None });
    }

    /// Records what an ES module declaration exports.
    fn module_export(&mut self, decl: &ModuleDecl) {
        let describer = Describer { bindings: self.bindings };
        let named = |name: &ModuleExportName| match name {
            ModuleExportName::Ident(id) => crate::values::kept(&id.sym),
            ModuleExportName::Str(s) => crate::values::interned(&s.value),
        };
        match decl {
            ModuleDecl::ExportDecl(ExportDecl { decl, .. }) => match decl {
                Decl::Fn(FnDecl { ident, .. }) | Decl::Class(ClassDecl { ident, .. }) => self.exports.push(Export {
                    name: crate::values::kept(&ident.sym),
                    value: Value::Ident(crate::values::kept(&ident.sym), span_of_node(ident)),
                    from: None,
                }),
                Decl::Var(var) => {
                    for d in &var.decls {
                        if let (Pat::Ident(id), Some(init)) = (&d.name, d.init.as_deref()) {
                            self.exports.push(Export {
                                name: crate::values::kept(&id.id.sym),
                                value: describer.value(init),
                                from: None,
                            });
                        }
                    }
                }
                _ => {}
            },
            ModuleDecl::ExportDefaultDecl(d) => {
                let value = match &d.decl {
                    DefaultDecl::Fn(f) => span_of_node(&*f.function),
                    DefaultDecl::Class(c) => span_of_node(&*c.class),
                    DefaultDecl::TsInterfaceDecl(_) => return,
                };
                self.exports.push(Export { name: Atom::from("default"), value: Value::Other(value), from: None });
            }
            ModuleDecl::ExportDefaultExpr(e) => {
                self.exports.push(Export { name: Atom::from("default"), value: describer.value(&e.expr), from: None })
            }
            ModuleDecl::TsExportAssignment(e) => {
                self.exports.push(Export { name: Atom::from("default"), value: describer.value(&e.expr), from: None })
            }
            ModuleDecl::ExportNamed(n) => {
                if n.type_only {
                    return;
                }
                let from = n.src.as_ref().map(|s| crate::values::interned(&s.value));
                for spec in &n.specifiers {
                    let (orig, exported, range) = match spec {
                        ExportSpecifier::Named(s) if !s.is_type_only => {
                            let orig = named(&s.orig);
                            let exported = s.exported.as_ref().map_or_else(|| orig.clone(), named);
                            (orig, exported, range_of(s))
                        }
                        ExportSpecifier::Namespace(s) => (Atom::from("*"), named(&s.name), range_of(s)),
                        ExportSpecifier::Default(s) => {
                            (Atom::from("default"), crate::values::kept(&s.exported.sym), range_of(s))
                        }
                        _ => continue,
                    };
                    self.exports.push(Export {
                        name: exported,
                        value: Value::Ident(orig, range.into()),
                        from: from.clone(),
                    });
                }
            }
            ModuleDecl::ExportAll(a) if !a.type_only => self.exports.push(Export {
                name: "*".to_string().into(),
                value: Value::Nothing(span_of_node(a)),
                from: Some(crate::values::interned(&a.src.value)),
            }),
            _ => {}
        }
    }

    /// Whether the member chain `callee` starts from an imported name or an inline `require(...)`.
    fn rooted_in_import(&self, callee: &Expr) -> bool {
        let mut cur = unwrap(callee);
        loop {
            match cur {
                Expr::Member(m) => cur = unwrap(&m.obj),
                Expr::Ident(id) => return self.by_name.contains_key(&id.sym),
                Expr::Call(_) => return require_source(cur).is_some(),
                _ => return false,
            }
        }
    }

    fn in_block(&mut self, block: ByteRange, f: impl FnOnce(&mut Self)) {
        self.blocks.push(block);
        f(self);
        self.blocks.pop();
    }

    /// Records the names a pattern assigns (`[a, b] = f()`, `for (x in o)`).
    fn assign_names<N: VisitWith<AssignedNames>>(&mut self, pat: &N) {
        let mut names = AssignedNames(Vec::new());
        pat.visit_with(&mut names);
        self.assigned.extend(names.0);
    }

    fn with_scope(&mut self, scope: ByteRange, f: impl FnOnce(&mut Self)) {
        self.scopes.push(scope);
        f(self);
        self.scopes.pop();
    }
}

/// The names a pattern binds or assigns, where.
struct AssignedNames(Vec<(Atom, usize)>);

impl Visit for AssignedNames {
    fn visit_binding_ident(&mut self, id: &BindingIdent) {
        self.0.push((crate::values::kept(&id.id.sym), range_of(id).start));
    }

    fn visit_expr(&mut self, expr: &Expr) {
        // (A default value or a computed key is read, not assigned; a member target is no name.)
        if let Expr::Ident(id) = expr {
            self.0.push((crate::values::kept(&id.sym), range_of(id).start));
        }
    }
}

/// The path of `app.route('/x')` (or of the route a chained call is made on).
fn route_path(expr: &Expr) -> Option<(Atom, ByteRange)> {
    let Expr::Call(call) = unwrap(expr) else { return None };
    let Callee::Expr(callee) = &call.callee else { return None };
    let Expr::Member(m) = unwrap(callee) else { return None };
    match &m.prop {
        MemberProp::Ident(p) if p.sym == *"route" => match call.args.first().map(|a| unwrap(&a.expr)) {
            Some(Expr::Lit(Lit::Str(s))) => Some((crate::values::interned(&s.value), span_of_node(s))),
            _ => None,
        },
        MemberProp::Ident(p) if ROUTE_METHODS.contains(&p.sym.as_ref()) => route_path(&m.obj),
        _ => None,
    }
}

/// `app.route('/x')` or a call chained on it (`app.route('/x').get(h)`): its methods take handlers only.
fn is_route_chain(expr: &Expr) -> bool {
    let Expr::Call(call) = unwrap(expr) else { return false };
    let Callee::Expr(callee) = &call.callee else { return false };
    let Expr::Member(m) = unwrap(callee) else { return false };
    match &m.prop {
        MemberProp::Ident(p) if p.sym == *"route" => true,
        MemberProp::Ident(p) if ROUTE_METHODS.contains(&p.sym.as_ref()) => is_route_chain(&m.obj),
        _ => false,
    }
}

/// The expression a function body returns at its own level (`return x;`), when there is one such statement.
fn returned_expr(stmts: &[Stmt]) -> Option<&Expr> {
    let mut returns = stmts.iter().filter_map(|s| match s {
        Stmt::Return(r) => Some(r.arg.as_deref()),
        _ => None,
    });
    match (returns.next(), returns.next()) {
        (Some(only), None) => only,
        _ => None,
    }
}

/// [`FunctionFacts::object_params`] of parameters `pats`: the keys of object patterns bound to a plain name, with a
/// default or not (`{ app }`, `{ app = x }`, `{ app: server }`).
fn object_param_names<'a>(pats: impl Iterator<Item = &'a Pat>) -> Vec<(usize, Atom, Atom)> {
    let mut out = Vec::new();
    for (n, pat) in pats.enumerate() {
        let pat = match pat {
            Pat::Assign(a) => &*a.left,
            other => other,
        };
        let Pat::Object(object) = pat else { continue };
        for prop in &object.props {
            match prop {
                ObjectPatProp::Assign(a) => {
                    let name = crate::values::kept(&a.key.id.sym);
                    out.push((n, name.clone(), name));
                }
                ObjectPatProp::KeyValue(kv) => {
                    let Some(key) = prop_name(&kv.key) else { continue };
                    if let Some(local) = param_name(&kv.value) {
                        out.push((n, key, local));
                    }
                }
                ObjectPatProp::Rest(_) => {}
            }
        }
    }
    out
}

fn param_name(pat: &Pat) -> Option<Atom> {
    match pat {
        Pat::Ident(id) => Some(crate::values::kept(&id.id.sym)),
        Pat::Assign(a) => param_name(&a.left),
        _ => None,
    }
}

/// Top-level keys set to `false` in an object literal first argument (`helmet({ contentSecurityPolicy: false })`).
fn disabled_keys(call: &CallExpr) -> Vec<Atom> {
    let Some(first) = call.args.first() else { return Vec::new() };
    let Expr::Object(obj) = unwrap(&first.expr) else { return Vec::new() };
    obj.props
        .iter()
        .filter_map(|p| match p {
            PropOrSpread::Prop(prop) => match &**prop {
                Prop::KeyValue(kv) if matches!(unwrap(&kv.value), Expr::Lit(Lit::Bool(b)) if !b.value) => {
                    prop_name(&kv.key)
                }
                _ => None,
            },
            PropOrSpread::Spread(_) => None,
        })
        .collect()
}

/// Methods of an Express response that return the response (`res.status(200).cookie(...)`,
/// `res.clearCookie('a').cookie('b', v)`).
const RESPONSE_CHAIN: [&str; 12] = [
    "status",
    "cookie",
    "clearCookie",
    "set",
    "header",
    "type",
    "contentType",
    "vary",
    "append",
    "location",
    "links",
    "attachment",
];

/// The receiver of a call chained on response methods that return the response: `res` for `res.status(200)` or
/// `res.clearCookie('a').status(200)`, so that `res.status(200).cookie(...)` is a call on `res`; `expr` itself
/// otherwise.
fn response_chain_base(expr: &Expr) -> &Expr {
    let mut expr = unwrap(expr);
    while let Expr::Call(call) = expr {
        let Callee::Expr(callee) = &call.callee else { break };
        let Expr::Member(m) = unwrap(callee) else { break };
        match &m.prop {
            MemberProp::Ident(p) if RESPONSE_CHAIN.contains(&p.sym.as_ref()) => expr = unwrap(&m.obj),
            _ => break,
        }
    }
    expr
}

/// Whether `test` holds exactly in production: `app.get('env') === 'production'` (Express's `env` setting is
/// `NODE_ENV`, `development` without it) or `process.env.NODE_ENV === 'production'`, either side, `==` or `===`.
fn is_production_test(test: &Expr) -> bool {
    matches!(test, Expr::Bin(bin) if matches!(bin.op, BinaryOp::EqEqEq | BinaryOp::EqEq))
        && compares_env_with(test, "production")
}

/// Whether `test` holds only outside production: the environment (as [`is_production_test`] reads it) `!==` (or
/// `!=`) `'production'`, or `===` (or `==`) `'development'`.
fn is_development_test(test: &Expr) -> bool {
    let Expr::Bin(bin) = test else { return false };
    match bin.op {
        BinaryOp::NotEqEq | BinaryOp::NotEq => compares_env_with(test, "production"),
        BinaryOp::EqEqEq | BinaryOp::EqEq => compares_env_with(test, "development"),
        _ => false,
    }
}

/// Whether `expr` is `process.env` (or `process?.env`).
fn is_process_env(expr: &Expr) -> bool {
    let member = match crate::bindings::unwrap(expr) {
        Expr::Member(m) => m,
        Expr::OptChain(OptChainExpr { base, .. }) => match &**base {
            OptChainBase::Member(m) => m,
            OptChainBase::Call(_) => return false,
        },
        _ => return false,
    };
    let process = match crate::bindings::unwrap(&member.obj) {
        Expr::Ident(i) => &*i.sym == "process",
        _ => false,
    };
    process && matches!(&member.prop, MemberProp::Ident(p) if &*p.sym == "env")
}

/// Whether the binary expression `test` compares the environment (`process.env.NODE_ENV`, `app.get('env')`) with the
/// string `value`, either side.
fn compares_env_with(test: &Expr, value: &str) -> bool {
    let Expr::Bin(bin) = test else { return false };
    let is_value = |e: &Expr| matches!(e, Expr::Lit(Lit::Str(s)) if &*s.value == value);
    let is_env = |e: &Expr| match e {
        Expr::Member(m) => {
            matches!(&m.prop, MemberProp::Ident(p) if &*p.sym == "NODE_ENV")
                && matches!(&*m.obj, Expr::Member(env) if matches!(&env.prop, MemberProp::Ident(p) if &*p.sym == "env")
                    && matches!(&*env.obj, Expr::Ident(i) if &*i.sym == "process"))
        }
        Expr::Call(call) => {
            call.args.len() == 1
                && matches!(&*call.args[0].expr, Expr::Lit(Lit::Str(s)) if &*s.value == "env")
                && matches!(&call.callee, Callee::Expr(callee) if matches!(&**callee, Expr::Member(m)
                    if matches!(&m.prop, MemberProp::Ident(p) if &*p.sym == "get")))
        }
        _ => false,
    };
    (is_env(&bin.left) && is_value(&bin.right)) || (is_value(&bin.left) && is_env(&bin.right))
}

impl Collector<'_> {
    /// Visits what `visit` visits as code that runs only in a branch ([`MemberCall::in_branch`]).
    fn in_branch<T>(&mut self, visit: impl FnOnce(&mut Self) -> T) {
        self.branch_depth += 1;
        visit(self);
        self.branch_depth -= 1;
    }
}

impl Visit for Collector<'_> {
    fn visit_if_stmt(&mut self, stmt: &IfStmt) {
        stmt.test.visit_with(self);
        let production = is_production_test(&stmt.test);
        let development = is_development_test(&stmt.test);
        self.in_branch(|c| {
            c.production_depth += usize::from(production);
            c.development_depth += usize::from(development);
            stmt.cons.visit_with(c);
            c.production_depth -= usize::from(production);
            c.development_depth -= usize::from(development);
            stmt.alt.visit_with(c);
        });
    }

    fn visit_switch_case(&mut self, case: &SwitchCase) {
        case.test.visit_with(self);
        self.in_branch(|c| case.cons.visit_with(c));
    }

    fn visit_cond_expr(&mut self, cond: &CondExpr) {
        cond.test.visit_with(self);
        self.in_branch(|c| (cond.cons.visit_with(c), cond.alt.visit_with(c)));
    }

    fn visit_bin_expr(&mut self, bin: &BinExpr) {
        bin.left.visit_with(self);
        match bin.op {
            BinaryOp::LogicalAnd | BinaryOp::LogicalOr | BinaryOp::NullishCoalescing => {
                self.in_branch(|c| bin.right.visit_with(c))
            }
            _ => bin.right.visit_with(self),
        }
    }

    fn visit_stmts(&mut self, stmts: &[Stmt]) {
        self.list_depth += 1;
        for stmt in stmts {
            if self.list_depth == 1 {
                self.commonjs_export(stmt);
            }
            self.stmt_in_list(stmt);
            self.stmts.push(StmtSite { range: span_of_node(stmt), top_level: self.list_depth == 1 });
            stmt.visit_with(self);
            self.stmts.pop();
        }
        self.list_depth -= 1;
    }

    fn visit_module_items(&mut self, items: &[ModuleItem]) {
        self.list_depth += 1;
        for item in items {
            self.stmts.push(StmtSite { range: span_of_node(item), top_level: self.list_depth == 1 });
            match item {
                ModuleItem::Stmt(stmt) if self.list_depth == 1 => {
                    self.commonjs_export(stmt);
                    self.stmt_in_list(stmt)
                }
                ModuleItem::Stmt(stmt) => self.stmt_in_list(stmt),
                ModuleItem::ModuleDecl(ModuleDecl::ExportDecl(ExportDecl { decl: Decl::Var(var), .. })) => {
                    self.statement_app(span_of_node(item), Some(var), None, true);
                    self.votes.statement(self.code, range_of(item));
                }
                ModuleItem::ModuleDecl(
                    ModuleDecl::Import(_) | ModuleDecl::ExportNamed(_) | ModuleDecl::ExportDefaultExpr(_),
                ) => self.votes.statement(self.code, range_of(item)),
                _ => {}
            }
            if let (ModuleItem::ModuleDecl(decl), 1) = (item, self.list_depth) {
                self.module_export(decl);
            }
            item.visit_with(self);
            self.stmts.pop();
        }
        self.list_depth -= 1;
    }

    fn visit_var_decl(&mut self, var: &VarDecl) {
        let kind = var.kind;
        let stmt = self.stmts.last().cloned();
        let function = self.scopes.last().copied().unwrap_or(ByteRange::new(0, self.code.len()));
        let scope = match (var.kind, self.blocks.last()) {
            (VarDeclKind::Let | VarDeclKind::Const, Some(block)) if block.start() >= function.start() => *block,
            _ => function,
        };
        for decl in &var.decls {
            if let Pat::Ident(id) = &decl.name {
                let describer = Describer { bindings: self.bindings };
                let init = decl.init.as_deref().map(|e| describer.value(e));
                // (`new AuthController()`, of a class declared here or imported from a relative module.)
                let instance = matches!(&init, Some(Value::New(call)) if call.callee.as_ref().is_some_and(|c| {
                    c.binding.as_ref().is_none_or(|b| !is_package(&b.module))
                }));
                if instance {
                    self.instances.push(crate::values::kept(&id.id.sym));
                }
                self.declarations.push(Declaration {
                    name: crate::values::kept(&id.id.sym),
                    kind,
                    declarator: span_of_node(decl),
                    stmt: stmt.as_ref().map_or_else(|| span_of_node(var), |s| s.range),
                    single: var.decls.len() == 1,
                    init,
                    top_level: stmt.as_ref().is_some_and(|s| s.top_level) && self.scopes.len() == 1,
                    scope,
                });
            } else if let (Pat::Object(pattern), Some(init)) = (&decl.name, decl.init.as_deref()) {
                if !is_process_env(init) {
                    continue;
                }
                let describer = Describer { bindings: self.bindings };
                for prop in &pattern.props {
                    // `{ NAME = default }`, `{ NAME: local = default }`, `{ 'NAME': local = default }`.
                    let (variable, local, default) = match prop {
                        ObjectPatProp::Assign(AssignPatProp { key, value: Some(default), .. }) => {
                            (key.id.sym.clone(), &key.id, default)
                        }
                        ObjectPatProp::KeyValue(KeyValuePatProp { key, value }) => {
                            let variable = match key {
                                PropName::Ident(i) => i.sym.clone(),
                                PropName::Str(s) => match s.value.as_str() {
                                    Some(text) => text.into(),
                                    None => continue,
                                },
                                _ => continue,
                            };
                            match &**value {
                                Pat::Assign(AssignPat { left, right, .. }) => match &**left {
                                    Pat::Ident(local) => (variable, &local.id, right),
                                    _ => continue,
                                },
                                _ => continue,
                            }
                        }
                        _ => continue,
                    };
                    self.env_defaults.push(EnvDefault {
                        variable: crate::values::kept(&variable),
                        declaration: Declaration {
                            name: crate::values::kept(&local.sym),
                            kind,
                            declarator: span_of_node(prop),
                            stmt: stmt.as_ref().map_or_else(|| span_of_node(var), |s| s.range),
                            single: false,
                            init: Some(describer.value(default)),
                            top_level: stmt.as_ref().is_some_and(|s| s.top_level) && self.scopes.len() == 1,
                            scope,
                        },
                    });
                }
            }
        }
        var.visit_children_with(self);
    }

    fn visit_expr(&mut self, expr: &Expr) {
        self.package_ref(expr);
        match expr {
            Expr::Ident(id) if self.counted.contains(&id.sym) => {
                *self.references.entry(id.sym.clone()).or_default() += 1
            }
            Expr::New(new) => {
                let args: Vec<&Expr> = new.args.iter().flatten().map(|a| &*a.expr).collect();
                self.record_call(range_of(expr), new.callee.as_ref(), &args, true);
                // (`new express` without parentheses takes no chain: `new express.use(...)` reads `express.use`.)
                if new.args.is_some() && self.is_creation(expr) {
                    self.chain_app(span_of_node(expr));
                }
            }
            _ => {}
        }
        expr.visit_children_with(self);
    }

    fn visit_assign_expr(&mut self, a: &AssignExpr) {
        match &a.left {
            AssignTarget::Simple(SimpleAssignTarget::Ident(id)) => {
                self.assigned.push((crate::values::kept(&id.id.sym), range_of(id).start))
            }
            AssignTarget::Pat(pat) => self.assign_names(pat),
            AssignTarget::Simple(_) => {}
        }
        if let AssignTarget::Simple(SimpleAssignTarget::Member(m)) = &a.left {
            self.query_write(m);
            // `this.router = express.Router()` (in a constructor, say).
            if let (AssignOp::Assign, Expr::This(_), MemberProp::Ident(p)) = (a.op, unwrap(&m.obj), &m.prop) {
                self.router_property(&p.sym, &a.right);
            }
            match &m.prop {
                MemberProp::Ident(p) if a.op == AssignOp::Assign && TRACKED_ASSIGNMENTS.contains(&p.sym.as_ref()) => {
                    self.property_reads.push(PropertyRead {
                        object: self.path_of(&m.obj),
                        property: format!("{}=", p.sym).into(),
                        range: span_of_node(&*a.right),
                    });
                }
                _ => {}
            }
        }
        a.visit_children_with(self);
    }

    fn visit_update_expr(&mut self, u: &UpdateExpr) {
        if let Expr::Ident(id) = unwrap(&u.arg) {
            self.assigned.push((crate::values::kept(&id.sym), range_of(id).start));
        }
        u.visit_children_with(self);
    }

    fn visit_for_head(&mut self, head: &ForHead) {
        if let ForHead::Pat(pat) = head {
            self.assign_names(pat);
        }
        head.visit_children_with(self);
    }

    fn visit_block_stmt(&mut self, b: &BlockStmt) {
        self.in_block(span_of_node(b), |this| b.visit_children_with(this));
    }

    fn visit_for_stmt(&mut self, f: &ForStmt) {
        self.in_block(span_of_node(f), |this| f.visit_children_with(this));
    }

    fn visit_for_in_stmt(&mut self, f: &ForInStmt) {
        self.in_block(span_of_node(f), |this| f.visit_children_with(this));
    }

    fn visit_for_of_stmt(&mut self, f: &ForOfStmt) {
        self.in_block(span_of_node(f), |this| f.visit_children_with(this));
    }

    fn visit_unary_expr(&mut self, u: &UnaryExpr) {
        if u.op == UnaryOp::Delete {
            if let Expr::Member(m) = unwrap(&u.arg) {
                self.query_write(m);
            }
        }
        u.visit_children_with(self);
    }

    fn visit_member_expr(&mut self, m: &MemberExpr) {
        // `req.params[0]`: the unnamed wildcard Express 5 names.
        if let (MemberProp::Computed(c), Expr::Member(inner)) = (&m.prop, unwrap(&m.obj)) {
            if let (MemberProp::Ident(p), Expr::Lit(Lit::Num(n))) = (&inner.prop, unwrap(&c.expr)) {
                if p.sym == *"params" {
                    self.property_reads.push(PropertyRead {
                        object: self.path_of(&inner.obj),
                        property: format!("params[{}]", n.value).into(),
                        range: span_of_node(m),
                    });
                }
            }
        }
        // `req.query.filter.name`, `req.query.ids[0]`: a nested query value, which only Express 4's default (qs)
        // parser builds.
        if let Expr::Member(inner) = unwrap(&m.obj) {
            if let Expr::Member(query) = unwrap(&inner.obj) {
                if matches!(&query.prop, MemberProp::Ident(q) if q.sym == *"query") {
                    self.property_reads.push(PropertyRead {
                        object: self.path_of(&query.obj),
                        property: Atom::from("query-nested"),
                        range: span_of_node(m),
                    });
                }
            }
        }
        if let MemberProp::Ident(p) = &m.prop {
            if TRACKED_PROPERTIES.contains(&p.sym.as_ref()) {
                self.property_reads.push(PropertyRead {
                    object: self.path_of(&m.obj),
                    property: crate::values::kept(&p.sym),
                    range: span_of_node(p),
                });
            }
        }
        // `req.headers[TOKEN_HEADER]`: a header named by a name.
        if let (MemberProp::Computed(c), Expr::Member(headers)) = (&m.prop, unwrap(&m.obj)) {
            if matches!(&headers.prop, MemberProp::Ident(p) if p.sym == *"headers") {
                self.header_name(&headers.obj, &c.expr);
            }
        }
        m.visit_children_with(self);
    }

    fn visit_prop(&mut self, prop: &Prop) {
        if let Prop::Shorthand(id) = prop {
            if self.counted.contains(&id.sym) {
                *self.references.entry(id.sym.clone()).or_default() += 1;
            }
        }
        prop.visit_children_with(self);
    }

    fn visit_str(&mut self, s: &Str) {
        if let Some(raw) = &s.raw {
            self.votes.string_literal(raw);
        }
        if !self.names_connect {
            return;
        }
        let value = s.value.to_string_lossy();
        if value == DEFAULT_SESSION_COOKIE || value.contains(&format!("{DEFAULT_SESSION_COOKIE}=")) {
            self.default_session_cookie.push(range_of(s).into());
        }
    }

    fn visit_tpl_element(&mut self, t: &TplElement) {
        if !self.names_connect {
            return;
        }
        if t.raw == DEFAULT_SESSION_COOKIE || t.raw.contains(&format!("{DEFAULT_SESSION_COOKIE}=")) {
            self.default_session_cookie.push(range_of(t).into());
        }
    }

    fn visit_regex(&mut self, r: &Regex) {
        if !self.names_connect {
            return;
        }
        if r.exp.replace('\\', "").contains(DEFAULT_SESSION_COOKIE) {
            self.default_session_cookie.push(range_of(r).into());
        }
    }

    fn visit_object_lit(&mut self, obj: &ObjectLit) {
        if let Some(last) = obj.props.last() {
            self.votes.closing(self.code, range_of(last).end, range_of(obj).end);
        }
        obj.visit_children_with(self);
    }

    fn visit_array_lit(&mut self, array: &ArrayLit) {
        if let Some(Some(last)) = array.elems.last() {
            self.votes.closing(self.code, range_of(last).end, range_of(array).end);
        }
        array.visit_children_with(self);
    }

    fn visit_jsx_attr_value(&mut self, _: &JSXAttrValue) {
        // JSX attributes are conventionally double-quoted whatever the code's quote style: they do not vote.
    }

    fn visit_function(&mut self, f: &Function) {
        let scope = f.body.as_ref().map_or(range_of(f), range_of);
        let params = f.params.iter().map(|p| param_name(&p.pat)).collect();
        let objects = object_param_names(f.params.iter().map(|p| &p.pat));
        let returned = f.body.as_ref().and_then(|b| returned_expr(&b.stmts));
        self.record_function(range_of(f), scope.clone(), params, objects, returned);
        self.with_scope(scope.into(), |this| f.visit_children_with(this));
    }

    fn visit_arrow_expr(&mut self, f: &ArrowExpr) {
        let scope = range_of(&*f.body);
        let params = f.params.iter().map(param_name).collect();
        let objects = object_param_names(f.params.iter());
        let returned = match &*f.body {
            ArrowFunctionBody::Expr(e) => Some(&**e),
            ArrowFunctionBody::FunctionBody(b) => returned_expr(&b.stmts),
        };
        self.record_function(range_of(f), scope.clone(), params, objects, returned);
        self.with_scope(scope.into(), |this| f.visit_children_with(this));
    }

    fn visit_fn_decl(&mut self, f: &FnDecl) {
        self.pending_fn_name = Some(crate::values::kept(&f.ident.sym));
        f.visit_children_with(self);
    }

    fn visit_class_decl(&mut self, c: &ClassDecl) {
        self.pending_class_name = Some(crate::values::kept(&c.ident.sym));
        c.visit_children_with(self);
    }

    fn visit_class_expr(&mut self, c: &ClassExpr) {
        if let Some(ident) = &c.ident {
            self.pending_class_name = Some(crate::values::kept(&ident.sym));
        }
        c.visit_children_with(self);
    }

    fn visit_class(&mut self, c: &Class) {
        let name = self.pending_class_name.take();
        if self.function_scope().is_none() {
            self.classes.push(ClassFacts { name, range: span_of_node(c), members: class_methods(c) });
        }
        // `this.app` inside any member of the class names the same app.
        self.with_scope(span_of_node(c), |this| {
            for member in &c.body {
                match member {
                    ClassMember::Constructor(ctor) => {
                        ctor.params.visit_with(this);
                        if let Some(body) = &ctor.body {
                            body.stmts.visit_with(this);
                        }
                    }
                    ClassMember::Method(m) => {
                        // A method is a function too (a controller's, registered as a handler elsewhere), in the
                        // class's scope (`this.app` names the same app in every member).
                        if let Some(body) = &m.function.body {
                            let params = m.function.params.iter().map(|p| param_name(&p.pat)).collect();
                            this.pending_fn_name = None;
                            let objects = object_param_names(m.function.params.iter().map(|p| &p.pat));
                            this.record_function(range_of(&m.function), range_of(body), params, objects, None);
                        }
                        m.key.visit_with(this);
                        m.function.params.visit_with(this);
                        m.function.decorators.visit_with(this);
                        if let Some(body) = &m.function.body {
                            body.stmts.visit_with(this);
                        }
                    }
                    ClassMember::ClassProp(p) => {
                        this.class_prop = match &p.key {
                            PropName::Ident(i) => Some(format!("this.{}", i.sym).into()),
                            _ => None,
                        };
                        // `router = express.Router()`: `this.router` is a router in every member.
                        if let (PropName::Ident(key), Some(value)) = (&p.key, p.value.as_deref()) {
                            this.router_property(&key.sym, value);
                        }
                        p.visit_with(this);
                        this.class_prop = None;
                    }
                    other => other.visit_with(this),
                }
            }
        });
    }

    fn visit_var_declarator(&mut self, decl: &VarDeclarator) {
        if let (Pat::Ident(id), Some(init)) = (&decl.name, decl.init.as_deref()) {
            match unwrap(init) {
                Expr::Fn(_) | Expr::Arrow(_) => self.pending_fn_name = Some(crate::values::kept(&id.id.sym)),
                Expr::Class(_) => self.pending_class_name = Some(crate::values::kept(&id.id.sym)),
                _ => {}
            }
            let mw = self.classify_call(init);
            if !matches!(mw, Middleware::Other) {
                self.values.push((crate::values::kept(&id.id.sym), mw));
            }
        }
        // `const { static: serveStatic } = express`: the package's exports taken out by name.
        if let (Pat::Object(object), Some(Expr::Ident(init))) = (&decl.name, decl.init.as_deref().map(unwrap)) {
            if let Some(module) = self.module_binding(&init.sym).filter(|m| is_package(m)) {
                for prop in &object.props {
                    let key = match prop {
                        ObjectPatProp::KeyValue(kv) => match crate::values::prop_key(&kv.key) {
                            Some(key) => key,
                            None => continue,
                        },
                        ObjectPatProp::Assign(a) => crate::values::kept(&a.key.sym),
                        ObjectPatProp::Rest(_) => continue,
                    };
                    self.package_refs.push((module.clone(), key));
                }
            }
        }
        decl.visit_children_with(self);
    }

    fn visit_call_expr(&mut self, call: &CallExpr) {
        if let (Callee::Import(_), Some(arg)) = (&call.callee, call.args.first()) {
            if let Some(module) = crate::bindings::literal_specifier(&arg.expr) {
                self.opaque_modules.push(module.into());
            }
        }
        if let Callee::Expr(callee) = &call.callee {
            if let Some(module) = crate::bindings::require_source_of(call) {
                self.inline_requires.push(module.into());
            }
            let args: Vec<&Expr> = call.args.iter().map(|a| &*a.expr).collect();
            self.record_call(range_of(call), callee, &args, false);
            if let Expr::Ident(id) = unwrap(callee) {
                if id.sym != *"require" && self.binding(&id.sym).is_none() {
                    let local = self.local_call(crate::values::kept(&id.sym), call);
                    self.local_calls.push(local);
                }
            }
            // `auth.saveTheme(req, res)` of `const auth = new AuthController()`: a method of the project's class, which
            // may be handed a handler's response (`(req, res) => auth.saveTheme(req, res)`, which keeps `this`).
            if let Expr::Member(MemberExpr { obj, prop: MemberProp::Ident(p), .. }) = unwrap(callee) {
                if let Expr::Ident(id) = unwrap(obj) {
                    let named_arg =
                        call.args.iter().any(|a| a.spread.is_none() && matches!(unwrap(&a.expr), Expr::Ident(_)));
                    if named_arg && self.instances.contains(&id.sym) && self.binding(&id.sym).is_none() {
                        let local = self.local_call(format!("{}.{}", id.sym, p.sym).into(), call);
                        self.local_calls.push(local);
                    }
                }
            }
        }
        if self.is_creation_call(call) {
            self.chain_app(span_of_node(call));
        }
        if let Callee::Expr(callee) = &call.callee {
            if let Expr::Member(m) = unwrap(callee) {
                if let MemberProp::Ident(p) = &m.prop {
                    let method = p.sym.as_ref();
                    // `app.get('env')` reads a setting; a route has a handler after the path.
                    let is_route = method == "use"
                        || (ROUTE_METHODS.contains(&method) && (call.args.len() >= 2 || is_route_chain(&m.obj)));
                    // `req.get(TOKEN_HEADER)`, `req.header(name)`, `res.set(name, value)`: a header named by a name.
                    let header = match call.args.len() {
                        1 => ["get", "header", "getHeader"].contains(&method),
                        2 => ["header", "set", "setHeader"].contains(&method),
                        _ => false,
                    };
                    if header && call.args[0].spread.is_none() {
                        self.header_name(&m.obj, &call.args[0].expr);
                    }
                    if self.tracked.is_none_or(|t| t.binary_search(&method).is_ok()) {
                        if let Some(object) = self.path_of(response_chain_base(&m.obj)) {
                            let describer = Describer { bindings: self.bindings };
                            self.member_calls.push(MemberCall {
                                object,
                                method: Atom::from(&*p.sym),
                                method_range: span_of_node(p),
                                range: span_of(call.span()),
                                args: call.args.iter().map(|a| describer.value(&a.expr)).collect(),
                                stmt: self.stmts.last().cloned(),
                                in_branch: self.branch_depth > 0,
                                production_only: self.branch_depth > 0 && self.branch_depth == self.production_depth,
                                development_only: self.branch_depth > 0 && self.branch_depth == self.development_depth,
                                scope: self.function_scope(),
                            });
                        }
                    }
                    if is_route {
                        let receiver = self.receiver_of(&m.obj);
                        let handlers = call
                            .args
                            .iter()
                            .filter_map(|a| match unwrap(&a.expr) {
                                Expr::Fn(_) | Expr::Arrow(_) => Some(HandlerArg::Inline(span_of_node(unwrap(&a.expr)))),
                                Expr::Ident(id) => Some(HandlerArg::Named(crate::values::kept(&id.sym))),
                                member @ Expr::Member(_) => self.path_of(member).map(HandlerArg::Path),
                                // `users.show.bind(users)`: the method, called with its instance.
                                Expr::Call(CallExpr { callee: Callee::Expr(callee), .. }) => match unwrap(callee) {
                                    Expr::Member(MemberExpr { obj, prop: MemberProp::Ident(p), .. })
                                        if p.sym == *"bind" =>
                                    {
                                        match unwrap(obj) {
                                            Expr::Ident(id) => Some(HandlerArg::Named(crate::values::kept(&id.sym))),
                                            member @ Expr::Member(_) => self.path_of(member).map(HandlerArg::Path),
                                            _ => None,
                                        }
                                    }
                                    _ => None,
                                },
                                _ => None,
                            })
                            .collect();
                        // `asyncHandler(auth.login)`: a function handed to a wrapper whose result is registered.
                        let wrapped = call
                            .args
                            .iter()
                            .filter_map(|a| {
                                let Expr::Call(CallExpr { callee: Callee::Expr(callee), args, .. }) = unwrap(&a.expr)
                                else {
                                    return None;
                                };
                                let [arg] = &args[..] else { return None };
                                if arg.spread.is_some() {
                                    return None;
                                }
                                let wrapper = match unwrap(callee) {
                                    Expr::Ident(id) => crate::values::kept(&id.sym),
                                    Expr::Member(MemberExpr { prop: MemberProp::Ident(p), .. }) if p.sym == *"bind" => {
                                        return None
                                    }
                                    member @ Expr::Member(_) => self.path_of(member)?,
                                    _ => return None,
                                };
                                let inner = match unwrap(&arg.expr) {
                                    Expr::Fn(_) | Expr::Arrow(_) => HandlerArg::Inline(span_of_node(unwrap(&arg.expr))),
                                    Expr::Ident(id) => HandlerArg::Named(crate::values::kept(&id.sym)),
                                    member @ Expr::Member(_) => HandlerArg::Path(self.path_of(member)?),
                                    _ => return None,
                                };
                                Some((wrapper, inner))
                            })
                            .collect();
                        let path = match call.args.first().map(|a| unwrap(&a.expr)) {
                            Some(Expr::Lit(Lit::Str(s))) => Some((crate::values::interned(&s.value), span_of_node(s))),
                            _ => route_path(&m.obj),
                        };
                        let opaque_path = match call.args.first().map(|a| unwrap(&a.expr)) {
                            Some(Expr::Lit(Lit::Str(_))) => false,
                            Some(Expr::Array(array)) => array
                                .elems
                                .iter()
                                .any(|e| !matches!(e.as_ref().map(|e| unwrap(&e.expr)), Some(Expr::Lit(Lit::Str(_))))),
                            // A handler passed first (`app.use(fn)`), or a route chain's path.
                            Some(Expr::Fn(_) | Expr::Arrow(_)) => false,
                            Some(_) => route_path(&m.obj).is_none() && method != "use",
                            None => false,
                        };
                        let paths = match call.args.first().map(|a| unwrap(&a.expr)) {
                            Some(Expr::Array(array)) => array
                                .elems
                                .iter()
                                .flatten()
                                .filter_map(|e| match unwrap(&e.expr) {
                                    Expr::Lit(Lit::Str(s)) => {
                                        Some((crate::values::interned(&s.value), span_of_node(s)))
                                    }
                                    _ => None,
                                })
                                .collect(),
                            _ => Vec::new(),
                        };
                        let template = match call.args.first().map(|a| unwrap(&a.expr)) {
                            Some(Expr::Tpl(tpl)) => {
                                let mut text = String::new();
                                template_text(tpl, &mut text);
                                Some((Atom::from(text), span_of_node(tpl)))
                            }
                            Some(expr @ Expr::Bin(BinExpr { op: BinaryOp::Add, .. })) => {
                                let mut text = String::new();
                                concatenated_text(expr, &mut text).then(|| (Atom::from(text), span_of(expr.span())))
                            }
                            _ => None,
                        };
                        let path_name = match call.args.first().map(|a| unwrap(&a.expr)) {
                            Some(Expr::Ident(id)) => Some((crate::values::kept(&id.sym), span_of_node(id))),
                            _ => None,
                        };
                        self.registrations.push(Registration {
                            receiver: receiver.clone(),
                            method: Atom::from(&*p.sym),
                            range: span_of(call.span()),
                            handlers,
                            path,
                            paths: paths.into_boxed_slice(),
                            opaque_path,
                            template,
                            path_name,
                            wrapped,
                        });
                        if method == "use" {
                            let mut middleware = Vec::new();
                            for (i, arg) in call.args.iter().enumerate() {
                                // A leading mount path is not middleware.
                                if i == 0 && matches!(unwrap(&arg.expr), Expr::Lit(Lit::Str(_)) | Expr::Tpl(_)) {
                                    continue;
                                }
                                self.middleware(&arg.expr, &mut middleware);
                            }
                            middleware.shrink_to_fit();
                            self.uses.push(UseCall { receiver, middleware, range: span_of(call.span()) });
                        }
                    }
                }
            }
        }
        call.visit_children_with(self);
    }
}

/// The text of template literal `tpl` as it reads at run time, each expression as [`TEMPLATE_HOLE`], onto `text`.
fn template_text(tpl: &Tpl, text: &mut String) {
    for (i, quasi) in tpl.quasis.iter().enumerate() {
        if i > 0 {
            text.push(TEMPLATE_HOLE);
        }
        let cooked = quasi.cooked.as_ref().and_then(|c| c.as_str());
        text.push_str(cooked.unwrap_or(&quasi.raw));
    }
}

/// The text of a `+` concatenation as it reads at run time onto `text`: its strings and templates as written, every
/// other operand as [`TEMPLATE_HOLE`] (two in a row as one). Whether it holds a string or template at all (else it
/// may be a sum of numbers).
fn concatenated_text(expr: &Expr, text: &mut String) -> bool {
    match expr {
        Expr::Bin(BinExpr { op: BinaryOp::Add, left, right, .. }) => {
            let left = concatenated_text(unwrap(left), text);
            concatenated_text(unwrap(right), text) || left
        }
        Expr::Lit(Lit::Str(s)) => {
            text.push_str(&s.value.to_string_lossy());
            true
        }
        Expr::Tpl(tpl) => {
            template_text(tpl, text);
            true
        }
        Expr::Paren(paren) => concatenated_text(unwrap(&paren.expr), text),
        _ => {
            if !text.ends_with(TEMPLATE_HOLE) {
                text.push(TEMPLATE_HOLE);
            }
            false
        }
    }
}

#[cfg(test)]
mod request_redirect_tests {
    use crate::parse::parse;
    use crate::source::SourceFile;

    /// The line of the file's first redirect from the request, where `FileFacts::request_redirect` says it starts.
    fn first(code: &str) -> Option<usize> {
        let file = SourceFile::new("a.js".into(), code.to_string());
        let parsed = parse(&file, &file.code).expect("parses");
        let facts = super::analyse_tracking(&file, &parsed, Some(&["redirect", "location"]));
        facts.request_redirect.map(|at| file.line(at as usize))
    }

    #[test]
    fn the_first_redirect_whose_argument_reads_the_request() {
        assert_eq!(first("res.redirect('/home');\nres.redirect(next);\nres.redirect(req.query.next);\n"), Some(3));
        assert_eq!(first("res.location(`${request.body.back}`);\nres.redirect(req.query.next);\n"), Some(1));
        assert_eq!(first("res.redirect(302, '/a' + req.params.id);\n"), Some(1));
        assert_eq!(first("res.redirect('/home');\nres.redirect('back');\nres.redirect(req.query.next);\n"), Some(2));
        // A string, a name, or code that does not read the request: none.
        assert_eq!(first("res.redirect('req.query');\nres.redirect(req);\nres.redirect(base + path);\n"), None);
        assert_eq!(first("res.send(req.query.next);\n"), None);
    }
}

#[cfg(test)]
mod name_set_tests {
    use super::NameSet;

    #[test]
    fn holds_the_names_it_was_made_of_and_no_other() {
        let set = NameSet::new(["app", "sessionStore", "redisClient", "é", "app"]);
        for name in ["app", "sessionStore", "redisClient", "é"] {
            assert!(set.contains(name), "{name}");
        }
        for name in ["", "ap", "App", "sessionstore", "store", "redisClient2", "e"] {
            assert!(!set.contains(name), "{name}");
        }
        assert!(!NameSet::default().contains("app"));
    }

    #[test]
    fn a_name_a_transform_picks_is_not_taken_by_others() {
        // A hundred thousand names as code and generated code write them, numbered and by their letters: none of the
        // names the transforms give new bindings counts as taken (each would in one file of the 4 billion / 120,000
        // its hash could meet: a file has some hundreds of names).
        let mut names: Vec<String> = (0..100_000).map(|i| format!("name{i}")).collect();
        names.extend((0..26 * 26 * 26).map(|i| {
            let letter = |n: usize| char::from(b'a' + u8::try_from(n % 26).unwrap_or(0));
            format!("{}{}{}", letter(i / 676), letter(i / 26), letter(i))
        }));
        let set = NameSet::new(&names);
        let picked = [
            "helmet",
            "session",
            "store",
            "sessionStore",
            "RedisStore",
            "redisClient",
            "createClient",
            "MongoStore",
            "pgSession",
            "PgStore",
            "SequelizeStore",
            "KnexStore",
            "crypto",
            "fs",
            "path",
            "os",
            "devSecret",
        ];
        for name in
            picked.iter().flat_map(|p| std::iter::once(p.to_string()).chain((2..10).map(move |n| format!("{p}{n}"))))
        {
            assert!(!set.contains(&name), "{name}");
        }
        assert!(names.iter().all(|n| set.contains(n)));
    }
}

#[cfg(test)]
mod pack_tests {
    use crate::parse::parse;
    use crate::source::SourceFile;

    /// Every source file of the fixtures (800 and more, all the transforms' cases): analysed, packed and unpacked,
    /// its lists read the same from the bytes as before, and the same again once opened.
    #[test]
    fn every_fixtures_lists_read_back_the_same_packed_and_unpacked() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
        let mut files = 0;
        let mut listed = 0;
        for entry in ignore::WalkBuilder::new(&root).standard_filters(false).build().flatten() {
            let path = entry.path();
            if !matches!(path.extension().and_then(|e| e.to_str()), Some("js" | "mjs" | "cjs" | "ts" | "tsx" | "mts")) {
                continue;
            }
            let Ok(code) = std::fs::read_to_string(path) else { continue };
            let file = SourceFile::new(path.to_path_buf(), code);
            let Ok(parsed) = parse(&file, &file.code) else { continue };
            let mut facts = super::analyse(&file, &parsed);
            let open = super::Lists {
                registrations: facts.registrations().into(),
                member_calls: facts.member_calls().into(),
                local_calls: facts.local_calls().into(),
                property_reads: facts.property_reads().into(),
                env_defaults: facts.env_defaults().into(),
            };
            facts.pack();
            assert!(matches!(facts.lists, super::HeldLists::Packed(_)), "{}", path.display());
            let packed = super::Lists {
                registrations: facts.registrations().into(),
                member_calls: facts.member_calls().into(),
                local_calls: facts.local_calls().into(),
                property_reads: facts.property_reads().into(),
                env_defaults: facts.env_defaults().into(),
            };
            assert_eq!(packed, open, "{}", path.display());
            facts.unpack();
            let super::HeldLists::Open(unpacked) = &facts.lists else { panic!("{} stays packed", path.display()) };
            assert_eq!(**unpacked, open, "{}", path.display());
            files += 1;
            listed += open.registrations.len() + open.member_calls.len() + open.local_calls.len();
        }
        assert!(files > 700 && listed > 4_000, "{files} files, {listed} registrations and calls");
    }
}
