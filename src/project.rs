//! The project a source file belongs to: its nearest package.json, the Node version it runs on, and what its views
//! and static HTML load (for the Content-Security-Policy).

use std::path::{Path, PathBuf};

use nodejs_semver::Range as NpmRange;

use crate::fsread::ReadError;
use crate::manifest::ManifestInfo;
use crate::views::ViewScan;

/// Node versions assumed when a project declares none (`engines.node`, `volta.node`, `.nvmrc`, `.node-version`): a current Node 20
/// (packages such as connect-mongo 6 need 20.8 or later).
pub const DEFAULT_NODE: &str = "^20.19.0";

/// A project: everything below one package.json (or, without one, below a path the user gave).
#[derive(Debug, Default)]
pub struct Project {
    /// Folder of the manifest (or the walk root when there is none).
    pub dir: PathBuf,
    /// The nearest package.json, if any.
    pub manifest_path: Option<PathBuf>,
    /// Its parsed content, if it parsed.
    pub manifest: Option<ManifestInfo>,
    /// The package.json of the workspace root the project is a member of ([`crate::lockfile::workspace_root_above`]),
    /// parsed: the packages it lists are installed where the project's code finds them too.
    pub workspace_manifest: Option<ManifestInfo>,
    /// The versions the project's npm lockfile locks for the packages the manifest (or its workspace root's) lists
    /// (what is installed, where the manifest gives only a range).
    pub locked: std::collections::BTreeMap<String, String>,
    /// The Node versions the project runs on, as an npm range, and where that came from.
    pub node: NodeTarget,
    /// Views and static HTML files with what they load, and the source files whose code builds HTML with inline code.
    pub views: Vec<(PathBuf, ViewScan)>,
    /// The first place the project's code sets `X-Frame-Options` itself: the file and its 1-based line.
    pub frame_options_set: Option<(PathBuf, usize)>,
    /// The first place the project's code builds embed code of the app's own pages for users to paste into other
    /// sites (a share dialog's `<iframe src>` snippet, [`crate::code_html::CodeScan::hands_out_embed`]): the file and
    /// its 1-based line.
    pub embed_code: Option<(PathBuf, usize)>,
    /// The first place the project's code sends a page of its own markup with links, forms or resources
    /// ([`crate::code_html::CodeScan::sends_page`]): the file and its 1-based line.
    pub code_pages: Option<(PathBuf, usize)>,
    /// The first place the project's code lets every origin read a response itself (`Access-Control-Allow-Origin:
    /// *` set by hand, as badge services do): the file and its 1-based line.
    pub allows_every_origin: Option<(PathBuf, usize)>,
    /// The first place the project's code sets `Access-Control-Allow-Origin` to a value computed from something it
    /// does not show (`config.clientUrl`): the file, its 1-based line and the value's code
    /// ([`crate::code_html::CodeScan::computed_allow_origin`]).
    pub computed_allow_origin: Option<(PathBuf, usize, String)>,
    /// The first place the project's code turns EJS's `rmWhitespace` on: the file and its 1-based line.
    pub rm_whitespace: Option<(PathBuf, usize)>,
    /// The first place the project's code may turn Pug's `pretty` option on ([`PugPretty`]).
    pub pug_pretty: Option<PugPretty>,
    /// The first place the project's code gives EJS delimiters of its own: the file and its 1-based line.
    pub ejs_delimiters: Option<(PathBuf, usize)>,
    /// The files the code reads and fills with `.replace` before sending, normalised, with the literal strings
    /// replaced (`None`: one is computed): their scripts are not sent as written
    /// ([`crate::code_html::CodeScan::filled`]).
    pub filled: Vec<(PathBuf, Option<Vec<String>>)>,
    /// Values the project's modules export that a package created (database clients, for the session store to
    /// reuse), in path order: of each kind (package, members, `new` or not), the first one of the first two modules
    /// that export one, the only ones a session store can pick (the first not in the file it plans).
    pub instances: Vec<crate::links::ExportedInstance>,
    /// The first place a module of the project reads a nested query value (`req.query.filter.name`), which only a
    /// `qs`-style query parser builds: the file and its 1-based line.
    pub nested_query: Option<(PathBuf, usize)>,
    /// The functions of packages that some module of the project calls, anywhere in it (`("mongoose", "connect")`
    /// for `mongoose.connect(url)` inside a `connectDb()` function): a session store can reach a connection a
    /// package keeps for the whole process (mongoose's default connection) without an import of the module that
    /// opens it.
    pub package_calls: std::collections::BTreeSet<(String, String)>,
    /// The properties of the options object (an object literal argument) of the first call of each of those
    /// functions that passes one, with the source text of each value (`("dbName", "process.env.MONGODB_DB")` for
    /// `mongoose.connect(url, { dbName: process.env.MONGODB_DB })`): what the connection it opens is set to.
    pub package_call_options: std::collections::BTreeMap<(String, String), Vec<(String, String)>>,
    /// The project's tsconfig.json compiles to a target older than ES2018 (regular expressions without named
    /// groups: TypeScript refuses `(?<id>...)`).
    pub ts_before_es2018: bool,
    /// Whether the bundles webpack's dev middleware serves evaluate strings, where the project lists the middleware
    /// (`webpack-dev-middleware`, `webpack-hot-middleware`): read from its webpack configs
    /// ([`crate::bundler::webpack_eval`]).
    pub webpack_eval: Option<WebpackEval>,
    /// The cookies the repository's client code reads (the same for every project of a run: a front end often
    /// lives in a package of its own).
    pub client_cookies: std::sync::Arc<crate::client_cookies::ClientCookies>,
    /// What the project's analysed modules use of packages and of Express (for the reachability of advisories).
    pub code_use: CodeUse,
    /// What each transform noted about the project's analysed files before planning (`Transform::survey`): by
    /// transform id, each file with notes, in path order.
    pub surveys: std::collections::BTreeMap<&'static str, SurveyNotes>,
    /// The project's source files named as a module some transform may create is
    /// ([`crate::transform::Transform::new_module_stems`]), whether analysed or not: no module is created over them.
    pub module_paths_taken: Vec<PathBuf>,
    /// The analysed files of a published library that only show how to use it (`crate::published`: named as
    /// examples or outside its `files`, reached from none of its entry points), each with the packages it imports
    /// that the library declares nowhere.
    pub examples: std::collections::BTreeMap<PathBuf, Vec<String>>,
    /// Whether the `start` script of the published library runs only its example
    /// ([`crate::published::example_start`], reached from none of its entry points): the package is still a library.
    pub start_runs_example: bool,
    /// The folders and files the project's code serves or renders from, where the code names them (normalised), each
    /// with the source file that names it and whether it is a file ([`crate::code_html::Served::Known`]).
    pub served: Vec<(PathBuf, PathBuf, bool)>,
    /// The folders the code serves or renders from whose path it computes at run time and the project's modules do
    /// not tell (`express.static(config.publicDir)` with a `publicDir` from the environment): their pages could not be
    /// read.
    pub computed_folders: Vec<ComputedFolder>,
    /// Whether the package.json lists express on a major before 3 ([`crate::transforms::express4::before_express3`]),
    /// read once: every file's plan of several transforms asks.
    pub before_express3: std::sync::OnceLock<bool>,
    /// Whether one of the views is in an example of its own ([`Project::views_for`]), worked out at the first call
    /// (the views are complete by then: the transforms ask, after the project facts).
    pub views_in_examples: std::sync::OnceLock<bool>,
}

/// A folder served from a path computed at run time ([`Project::computed_folders`]).
#[derive(Debug, Clone)]
pub struct ComputedFolder {
    /// The source file that serves it, and the 1-based line.
    pub file: PathBuf,
    pub line: usize,
    /// The expression as written.
    pub text: String,
    /// The files whose apps may serve it: the file, the modules it imports and those that import it, each through
    /// any number of modules.
    pub related: std::collections::BTreeSet<PathBuf>,
}

impl Project {
    /// The views of the project ([`Project::views`]) that the app of `file` may serve or render. An app in an
    /// example of its own (`examples/blog/server.js`, see [`crate::published::example_unit`]) does not serve the views
    /// and pages of another example (`examples/shop/views`), unless a file of its example names their folder; every
    /// other app may serve any of them.
    pub fn views_for<'a>(&'a self, file: &Path) -> impl Iterator<Item = &'a (PathBuf, ViewScan)> + 'a {
        let unit_in = |dir: &Path, path: &Path| -> Option<PathBuf> {
            crate::published::example_unit(crate::root::absolute(path).strip_prefix(dir).ok()?)
        };
        // (Where no view is in an example, every app may serve every view: nothing to work out for each file, which
        // asks several times.)
        let examples = *self.views_in_examples.get_or_init(|| {
            let dir = crate::root::absolute(&self.dir);
            self.views.iter().any(|(path, _)| unit_in(&dir, path).is_some())
        });
        let dir = if examples { crate::root::absolute(&self.dir) } else { PathBuf::new() };
        let unit_of = move |path: &Path| unit_in(&dir, path);
        let unit = if examples { unit_of(file) } else { None };
        // (The folders the files of this example name: another example's views there are served too.)
        let named: Vec<(PathBuf, bool)> = match &unit {
            Some(unit) => self
                .served
                .iter()
                .filter(|(from, _, _)| unit_of(from).as_ref() == Some(unit))
                .map(|(_, path, file)| (crate::root::absolute(path), *file))
                .collect(),
            None => Vec::new(),
        };
        self.views.iter().filter(move |(path, _)| {
            let Some(unit) = &unit else { return true };
            match unit_of(path) {
                Some(other) if other != *unit => {
                    let path = crate::root::absolute(path);
                    named.iter().any(|(served, file)| if *file { path == *served } else { path.starts_with(served) })
                }
                _ => true,
            }
        })
    }

    /// Whether `path` is example code of a published library ([`Project::examples`]).
    pub fn is_example(&self, path: &std::path::Path) -> bool {
        self.examples.contains_key(path)
    }
}

/// What the webpack config of a project that runs webpack's dev middleware (`webpack-dev-middleware`) makes its
/// bundles do: with `devtool` unset in `mode: 'development'` (webpack's default devtool there is `eval`: "The 'eval'
/// devtool has been used (maybe by default in mode: 'development')", its EvalDevToolModulePlugin) or set to an `eval*`
/// one, each module is wrapped in `eval()`, which `script-src` blocks without `'unsafe-eval'`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebpackEval {
    /// The config and the 1-based line of the `devtool` (or, without one, the `mode`) that decides it; `None` when no
    /// config was found (the dev middleware is given one built in code elsewhere): then it is assumed.
    pub config: Option<(PathBuf, usize)>,
    /// Whether the value is computed (`mode: process.env.NODE_ENV === 'production' ? 'production' : 'development'`):
    /// the bundles evaluate only where it says development.
    pub computed: bool,
    /// Whether a `devtool` decides it (an `eval*` one), rather than a development `mode` without one.
    pub devtool: bool,
}

/// What the analysed modules of a project use: the packages they import, the methods they call, and the Express
/// usages that advisories concern. Only the files a run analyses are counted: a transform that reads these facts
/// watches the needles that make a file that has them analysed. The scripts of single-file components (`.vue`,
/// `.svelte`, `.astro`) count for the packages they import and call, not for the Express API (they are client code).
/// Where the project's code may turn Pug's `pretty` option on, which sends each text block of several lines
/// re-indented to its depth in the page ([`crate::views::InlineCode::pretty_differs`]).
#[derive(Debug, Clone)]
pub struct PugPretty {
    /// The file and the 1-based line of the first place.
    pub path: PathBuf,
    pub line: usize,
    /// Every place sets it to a literal that turns it on (`true`, an indentation string); otherwise some value is
    /// computed at run time (`app.get('env') === 'development'`), and pages may be sent either way.
    pub sure: bool,
}

#[derive(Debug, Clone, Default)]
pub struct CodeUse {
    /// Packages imported or required (the specifier's package name: `lodash` for `lodash/template`).
    pub imports: std::collections::BTreeSet<String>,
    /// Packages whose default export is called (`multer()`, `fileUpload()`, `require('multer')()`).
    pub default_calls: std::collections::BTreeSet<String>,
    /// Packages whose module itself is called as a function, not constructed: a factory handed something
    /// (`require('connect-redis')(session)`, `connectRedis(session)` of `import connectRedis from 'connect-redis'`).
    pub factory_calls: std::collections::BTreeSet<String>,
    /// Package functions called in the forms [`Project::package_calls`] leaves out, package and function: on an
    /// inline require (`require('cookie').serialize(...)`), and a package's per-function module called
    /// (`require('lodash/template')(s)`, `import template from 'lodash/template.js'`).
    pub functions: std::collections::BTreeSet<(String, String)>,
    /// Packages some module reaches in a way whose calls are not followed: a dynamic `import('lodash')`, or a
    /// re-export (`export { template } from 'lodash'`, `export * from 'lodash'`). That nothing calls their API cannot
    /// be said.
    pub opaque: std::collections::BTreeSet<String>,
    /// Methods called on some object (`x.cookie(...)`), among those the selected transforms watch.
    pub methods: std::collections::BTreeSet<String>,
    /// Properties read on some object (`req.query`), among the analysis's tracked ones.
    pub properties: std::collections::BTreeSet<String>,
    /// The view engines the apps set (`app.set('view engine', 'ejs')`).
    pub view_engines: std::collections::BTreeSet<String>,
    /// The first redirect to a URL taken from the request (`res.redirect(req.query.next)`), file and line.
    pub request_redirect: Option<(PathBuf, usize)>,
    /// The first route path with a parameter or pattern (`/users/:id`, `/files/*`), file and line.
    pub route_pattern: Option<(PathBuf, usize)>,
    /// The project's source files the run did not analyse, in the walk's order, each with why: what they call is not
    /// known, so nothing they may call is "not called" while there is one.
    pub unread: Vec<UnreadFile>,
    /// How many of the analysed files are written in ES5 syntax, and how many in a later edition (files whose syntax
    /// tells neither way count for neither): new code in a file that tells neither way takes the majority's.
    pub es5_files: usize,
    pub later_files: usize,
    /// How many source files were analysed, and how many Express apps (`express()` calls) they create.
    pub analysed_files: usize,
    pub apps: usize,
}

impl CodeUse {
    /// Whether most of the analysed files whose syntax tells are written in ES5 ([`CodeUse::es5_files`]).
    pub fn mostly_es5(&self) -> bool {
        self.es5_files > self.later_files
    }

    /// Adds what later files say: the sets joined; of what is kept once (the first redirect, the first route pattern),
    /// this one's where it has it.
    pub fn absorb(&mut self, later: CodeUse) {
        let CodeUse {
            imports,
            default_calls,
            factory_calls,
            functions,
            opaque,
            methods,
            properties,
            view_engines,
            request_redirect,
            route_pattern,
            unread,
            es5_files,
            later_files,
            analysed_files,
            apps,
        } = later;
        self.imports.extend(imports);
        self.default_calls.extend(default_calls);
        self.factory_calls.extend(factory_calls);
        self.functions.extend(functions);
        self.opaque.extend(opaque);
        self.methods.extend(methods);
        self.properties.extend(properties);
        self.view_engines.extend(view_engines);
        self.request_redirect = self.request_redirect.take().or(request_redirect);
        self.route_pattern = self.route_pattern.take().or(route_pattern);
        self.unread.extend(unread);
        self.es5_files += es5_files;
        self.later_files += later_files;
        self.analysed_files += analysed_files;
        self.apps += apps;
    }
}

/// A source file of a project that the run did not analyse ([`CodeUse::unread`]), why, and what its text names.
#[derive(Debug, Clone)]
pub struct UnreadFile {
    pub path: PathBuf,
    pub why: Unread,
    /// What its text names, where it could be read as text; `None` where it could not (an I/O error, not UTF-8, over
    /// [`crate::fsread::SOURCE_LIMIT`]): it may use anything.
    pub text: Option<Named>,
}

/// What the text of a file the run did not analyse names ([`UnreadFile::text`]).
#[derive(Debug, Clone, Default)]
pub struct Named {
    /// The packages it may import ([`crate::source::named_packages`]). Of a file the prefilter left unread, only the
    /// packages some manifest of the run lists are kept (it names none that the prefilter watches, but
    /// in comment lines).
    pub packages: crate::source::PackageNames,
    /// The tracked methods whose calls (`.cookie(`) its text has (none, in a file the prefilter left unread).
    pub calls: std::collections::BTreeSet<String>,
    /// The texts the transforms watch ([`crate::transform::Watch::Text`]: `connect.sid`) that its text has (none, in
    /// a file the prefilter left unread, where they are at most in comment lines).
    pub texts: std::collections::BTreeSet<String>,
}

impl UnreadFile {
    /// Whether the file may import `package`: its text names it as a module specifier may, or could not be read.
    pub fn may_import(&self, package: &str) -> bool {
        self.text.as_ref().is_none_or(|named| named.packages.contains(package))
    }

    /// Whether its text is known to have `text`, one the transforms watch ([`Named::texts`]).
    pub fn names(&self, text: &str) -> bool {
        self.text.as_ref().is_some_and(|named| named.texts.contains(text))
    }

    /// Whether the file may call `method` (`x.method(...)`): its text has `.method(`, or could not be read.
    pub fn may_call(&self, method: &str) -> bool {
        self.text.as_ref().is_none_or(|named| named.calls.contains(method))
    }
}

/// Why a source file was not analysed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unread {
    /// The prefilter left it unread: it names nothing a selected transform watches (no package the advisory table
    /// covers, no watched call), so only a package the prefilter does not watch may be used there.
    Prefiltered,
    /// It does not parse.
    Syntax,
    /// It nests too deeply to be walked.
    TooDeep,
    /// It is over the size limit for one source file.
    TooLarge,
    /// It looks minified.
    Minified,
    /// Set aside for another reason the engine named in a finding.
    SetAside,
    /// It could not be read (an I/O error, not UTF-8).
    Unreadable,
}

impl Unread {
    /// Why, as a reason says it after the file's path (`legacy.js does not parse`).
    pub fn says(self) -> &'static str {
        match self {
            Unread::Prefiltered => "names no package it watches",
            Unread::Syntax => "does not parse",
            Unread::TooDeep => "nests too deeply",
            Unread::TooLarge => "is too large",
            Unread::Minified => "looks minified",
            Unread::SetAside => "was set aside",
            Unread::Unreadable => "could not be read",
        }
    }
}

/// What one transform noted about a project's files ([`crate::transform::Transform::survey`]): each file with notes,
/// in path order, and the notes indexed by their prefix (the text up to and including the first `:`, or the whole
/// note when it has none). Every file's plan may read the survey, so a plan asks for the notes it needs by prefix
/// rather than scanning every file's: such scans made planning quadratic in the project's size (a project of thousands
/// of apps, each noting where it listens, scanned them all for each app).
#[derive(Debug, Default)]
pub struct SurveyNotes {
    files: Vec<(PathBuf, Vec<String>)>,
    /// By prefix: each note as (file, note) indexes into `files`, in path order.
    by_prefix: rustc_hash::FxHashMap<String, Vec<(u32, u32)>>,
    /// By prefix: each distinct text after the prefix, with where it first appears and where it first appears in
    /// another file (file and note indexes): enough to place it among the notes of every file but a given one.
    distinct: rustc_hash::FxHashMap<String, Vec<DistinctNote>>,
    /// Where each (prefix, text) is in `distinct`.
    seen: rustc_hash::FxHashMap<(String, String), usize>,
    /// Whether the files came in strictly increasing path order (as the pipeline pushes them), so that a file is
    /// found by a binary search.
    unsorted: bool,
}

/// A distinct note text of [`SurveyNotes`], with where it first appears and where it first appears in another file
/// (file and note indexes), and its spread: how many files note it and the deepest folder that holds them all, made
/// on the first ask ([`SurveyNotes::spread`]).
#[derive(Debug)]
struct DistinctNote {
    text: String,
    first: (u32, u32),
    second: Option<(u32, u32)>,
    spread: std::sync::OnceLock<(usize, PathBuf)>,
}

/// A note's prefix: up to and including its first `:`, or the whole note.
fn note_prefix(note: &str) -> &str {
    note.find(':').map_or(note, |i| &note[..=i])
}

impl SurveyNotes {
    /// Adds a file's notes (files come in path order).
    pub fn push(&mut self, path: PathBuf, notes: Vec<String>) {
        let file = self.files.len() as u32;
        for (n, note) in notes.iter().enumerate() {
            let prefix = note_prefix(note);
            let rest = &note[prefix.len()..];
            let at = (file, n as u32);
            self.by_prefix.entry(prefix.to_string()).or_default().push(at);
            let distinct = self.distinct.entry(prefix.to_string()).or_default();
            match self.seen.entry((prefix.to_string(), rest.to_string())) {
                std::collections::hash_map::Entry::Occupied(i) => {
                    let note = &mut distinct[*i.get()];
                    if note.first.0 != file && note.second.is_none() {
                        note.second = Some(at);
                    }
                    note.spread.take();
                }
                std::collections::hash_map::Entry::Vacant(i) => {
                    i.insert(distinct.len());
                    let spread = std::sync::OnceLock::new();
                    distinct.push(DistinctNote { text: rest.to_string(), first: at, second: None, spread });
                }
            }
        }
        self.unsorted |= self.files.last().is_some_and(|(last, _)| *last >= path);
        self.files.push((path, notes));
    }

    /// Every file with notes, in path order.
    pub fn files(&self) -> &[(PathBuf, Vec<String>)] {
        &self.files
    }

    /// The prefixes of the notes (in no particular order).
    pub fn prefixes(&self) -> impl Iterator<Item = &str> {
        self.by_prefix.keys().map(String::as_str)
    }

    /// The notes that start with `prefix` (as [`note_prefix`] cuts it), each with its file and its text after the
    /// prefix, in path order.
    pub fn notes<'a>(&'a self, prefix: &str) -> impl Iterator<Item = (&'a Path, &'a str)> + 'a {
        let at = self.by_prefix.get(prefix).map_or(&[][..], Vec::as_slice);
        let skip = prefix.len();
        at.iter().map(move |&(file, n)| {
            let (path, notes) = &self.files[file as usize];
            (path.as_path(), &notes[n as usize][skip..])
        })
    }

    /// The distinct texts after `prefix` that a file other than `own` notes, in the order of their first note outside
    /// `own` (as a scan of the other files' notes in path order would first meet them).
    pub fn noted_elsewhere(&self, prefix: &str, own: &Path) -> Vec<&str> {
        let at = self.distinct.get(prefix).map_or(&[][..], Vec::as_slice);
        let mut found: Vec<((u32, u32), &str)> = at
            .iter()
            .filter_map(|note| {
                let place = if self.files[note.first.0 as usize].0 != own { Some(note.first) } else { note.second };
                place.map(|p| (p, note.text.as_str()))
            })
            .collect();
        found.sort_unstable();
        found.into_iter().map(|(_, text)| text).collect()
    }

    /// How many files note exactly `prefix` followed by `text`, and the deepest folder that holds them all (the
    /// longest run of leading components their folders share). `None` when no file notes it. Made once for each
    /// note, on its first ask: a plan of every file may ask, and a scan of the files for each ask made planning
    /// quadratic in the project's size.
    pub fn spread(&self, prefix: &str, text: &str) -> Option<(usize, &Path)> {
        let index = *self.seen.get(&(prefix.to_string(), text.to_string()))?;
        let note = self.distinct.get(prefix)?.get(index)?;
        let (count, folder) = note.spread.get_or_init(|| {
            let mut count = 0;
            let mut last = None;
            let mut shared: Option<PathBuf> = None;
            for (path, noted) in self.notes(prefix) {
                if noted != text || last == Some(path) {
                    continue;
                }
                last = Some(path);
                count += 1;
                let folder = path.parent().unwrap_or(Path::new(""));
                shared = Some(match shared {
                    None => folder.to_path_buf(),
                    Some(shared) => shared
                        .components()
                        .zip(folder.components())
                        .take_while(|(a, b)| a == b)
                        .map(|(a, _)| a)
                        .collect(),
                });
            }
            (count, shared.unwrap_or_default())
        });
        Some((*count, folder.as_path()))
    }

    /// Whether the file at `path` notes exactly `prefix` followed by `text`.
    pub fn noted_by(&self, path: &Path, prefix: &str, text: &str) -> bool {
        let at = if self.unsorted {
            self.files.iter().position(|(p, _)| p == path)
        } else {
            self.files.binary_search_by(|(p, _)| p.as_path().cmp(path)).ok()
        };
        at.is_some_and(|i| {
            self.files[i].1.iter().any(|note| note_prefix(note) == prefix && &note[prefix.len()..] == text)
        })
    }
}

impl Project {
    /// What transform `id` noted about the project's files (`Transform::survey`).
    pub fn survey(&self, id: &str) -> &SurveyNotes {
        static NONE: std::sync::LazyLock<SurveyNotes> = std::sync::LazyLock::new(SurveyNotes::default);
        self.surveys.get(id).unwrap_or(&NONE)
    }

    /// The versions of `package` the project runs: the one its npm lockfile locks, else the range package.json lists
    /// ([`Project::listed`]; `None` when it lists none, or no range).
    pub fn installed(&self, package: &str) -> Option<String> {
        let listed = self.listed(package)?;
        self.locked.get(package).cloned().or(Some(listed).filter(|spec| crate::npm_spec::npm_range(spec).is_some()))
    }

    /// The spec of `package` in the project's package.json (its first section that lists it), else in its workspace
    /// root's ([`Project::workspace_manifest`]): the package the project's code loads, either way.
    pub fn listed(&self, package: &str) -> Option<String> {
        let own = self.manifest.as_ref().and_then(|m| m.dependency(package));
        own.or_else(|| self.workspace_manifest.as_ref()?.dependency(package)).map(|(_, spec)| spec)
    }

    /// Every spec of `package` in the project's package.json (one per section that lists it), else in its workspace
    /// root's ([`Project::listed`]).
    pub fn listed_all(&self, package: &str) -> Vec<(crate::manifest::DepSection, String)> {
        let own = self.manifest.as_ref().map(|m| m.dependency_all(package)).unwrap_or_default();
        match own.is_empty() {
            true => self.workspace_manifest.as_ref().map(|m| m.dependency_all(package)).unwrap_or_default(),
            false => own,
        }
    }

    /// Whether the project's code loads the `package` its workspace root lists, its own package.json listing none.
    pub fn from_workspace_root(&self, package: &str) -> bool {
        self.manifest.as_ref().is_some_and(|m| m.dependency_all(package).is_empty())
            && self.workspace_manifest.as_ref().is_some_and(|w| !w.dependency_all(package).is_empty())
    }

    /// Whether the project lists `package` (in any section, [`Project::listed_all`]) with a range that starts at
    /// `major`.
    pub fn lists_major(&self, package: &str, major: u64) -> bool {
        self.listed_all(package).iter().any(|(_, spec)| crate::npm_spec::start_major(spec) == Some(major))
    }
}

/// Node versions a project runs on.
#[derive(Debug, Clone)]
pub struct NodeTarget {
    /// An npm range (`>=18`, `20.x`).
    pub range: String,
    /// `engines.node`, `volta.node`, `.nvmrc`, `.node-version` or `default`.
    pub source: &'static str,
}

impl Default for NodeTarget {
    fn default() -> Self {
        NodeTarget { range: DEFAULT_NODE.to_string(), source: "default" }
    }
}

impl NodeTarget {
    /// Reads the Node target of the project in `dir` (`.nvmrc` and `.node-version` are read there only, never above,
    /// through [`crate::fsread`] and within `root`), with the files that exist but could not be read.
    pub fn detect(
        dir: &Path,
        manifest: Option<&ManifestInfo>,
        root: Option<&Path>,
    ) -> (NodeTarget, Vec<(PathBuf, ReadError)>) {
        let mut unread = Vec::new();
        if let Some(range) = manifest.and_then(ManifestInfo::engines_node) {
            if NpmRange::parse(&range).is_ok() {
                return (NodeTarget { range, source: "engines.node" }, unread);
            }
        }
        // Volta pins one version (`"volta": { "node": "18.17.0" }`).
        if let Some(range) = manifest.and_then(ManifestInfo::volta_node) {
            if NpmRange::parse(&range).is_ok() {
                return (NodeTarget { range, source: "volta.node" }, unread);
            }
        }
        for (file, source) in [(".nvmrc", ".nvmrc"), (".node-version", ".node-version")] {
            let path = dir.join(file);
            let text = match crate::fsread::read_text(&path, crate::fsread::TEXT_LIMIT, root) {
                Ok(text) => text,
                Err(err) if err.is_missing() => continue,
                Err(err) => {
                    unread.push((path, err));
                    continue;
                }
            };
            let version = crate::source::without_bom(&text).trim().trim_start_matches('v');
            // `lts/*` and names cannot be turned into numbers offline.
            if version.chars().next().is_some_and(|c| c.is_ascii_digit()) {
                let range = if version.contains('.') { version.to_string() } else { format!("{version}.x") };
                if NpmRange::parse(&range).is_ok() {
                    return (NodeTarget { range, source }, unread);
                }
            }
        }
        (NodeTarget::default(), unread)
    }

    /// Whether a package needing `needs` (an engines range) runs on every Node version of this target.
    pub fn supports(&self, needs: &str) -> bool {
        crate::npm_spec::remembered("supports", needs, &self.range, || {
            match (NpmRange::parse(needs), NpmRange::parse(&self.range)) {
                (Ok(needs), Ok(target)) => needs.allows_all(&target),
                _ => false,
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The notes of every file but `own` with `prefix`, as the plans read them before the index: a scan in path order.
    fn scanned<'a>(files: &'a [(PathBuf, Vec<String>)], prefix: &str, own: &Path) -> Vec<&'a str> {
        let mut out: Vec<&str> = Vec::new();
        for (_, notes) in files.iter().filter(|(path, _)| path != own) {
            for rest in notes.iter().filter_map(|n| n.strip_prefix(prefix)) {
                if note_prefix(&format!("{prefix}{rest}")) == prefix && !out.contains(&rest) {
                    out.push(rest);
                }
            }
        }
        out
    }

    #[test]
    fn survey_notes_answer_as_a_scan_of_the_other_files_would() {
        let files: Vec<(PathBuf, Vec<String>)> = vec![
            ("a.js".into(), vec!["redis:url=A".into(), "listen:3".into(), "redis:url=B".into()]),
            ("b.js".into(), vec!["redis:url=B".into(), "12".into()]),
            ("c.js".into(), vec!["redis:url=A".into(), "redis:property=db.url".into(), "listen:3".into()]),
            ("d.js".into(), vec!["redis:url=C".into()]),
        ];
        let mut survey = SurveyNotes::default();
        for (path, notes) in &files {
            survey.push(path.clone(), notes.clone());
        }
        for own in ["a.js", "b.js", "c.js", "d.js", "e.js"] {
            for prefix in ["redis:", "listen:", "12", "nothing:"] {
                assert_eq!(survey.noted_elsewhere(prefix, Path::new(own)), scanned(&files, prefix, Path::new(own)));
            }
        }
        // From a.js, B is met first (in b.js), then A (in c.js).
        assert_eq!(survey.noted_elsewhere("redis:", Path::new("a.js")), ["url=B", "url=A", "property=db.url", "url=C"]);
        let listens: Vec<(&Path, &str)> = survey.notes("listen:").collect();
        assert_eq!(listens, [(Path::new("a.js"), "3"), (Path::new("c.js"), "3")]);
        let mut prefixes: Vec<&str> = survey.prefixes().collect();
        prefixes.sort_unstable();
        assert_eq!(prefixes, ["12", "listen:", "redis:"]);
        assert_eq!(survey.files().len(), 4);
    }

    #[test]
    fn a_notes_spread_counts_its_files_and_finds_the_folder_that_holds_them() {
        let mut survey = SurveyNotes::default();
        survey.push("/p/src/a/x.js".into(), vec!["helper:js cjs".into(), "helper:js cjs".into()]);
        survey.push("/p/src/a/y.ts".into(), vec!["helper:ts esm".into()]);
        survey.push("/p/src/ab/z.js".into(), vec!["helper:js cjs".into()]);
        survey.push("/p/srcs/w.js".into(), vec!["helper:js esm".into(), "other".into()]);
        assert_eq!(survey.spread("helper:", "js cjs"), Some((2, Path::new("/p/src"))));
        assert_eq!(survey.spread("helper:", "ts esm"), Some((1, Path::new("/p/src/a"))));
        assert_eq!(survey.spread("helper:", "js esm"), Some((1, Path::new("/p/srcs"))));
        assert_eq!(survey.spread("helper:", "mjs esm"), None);
        assert!(survey.noted_by(Path::new("/p/src/ab/z.js"), "helper:", "js cjs"));
        assert!(!survey.noted_by(Path::new("/p/src/ab/z.js"), "helper:", "ts esm"));
        assert!(!survey.noted_by(Path::new("/p/src/b.js"), "helper:", "js cjs"));
        assert!(survey.noted_by(Path::new("/p/srcs/w.js"), "other", ""));
        // Files out of path order are still found.
        survey.push("/p/a.js".into(), vec!["helper:js cjs".into()]);
        assert!(survey.noted_by(Path::new("/p/a.js"), "helper:", "js cjs"));
        assert!(survey.noted_by(Path::new("/p/src/a/x.js"), "helper:", "js cjs"));
        assert_eq!(survey.spread("helper:", "js cjs"), Some((3, Path::new("/p"))));
    }

    #[test]
    fn supports_compares_ranges() {
        let t = NodeTarget { range: ">=16".into(), source: "engines.node" };
        assert!(!t.supports(">=18.0.0"));
        assert!(t.supports(">=16.0.0"));
        let t = NodeTarget::default();
        assert!(t.supports(">=18.0.0"));
        assert!(!t.supports(">=22"));
        let t = NodeTarget { range: "^20 || ^22".into(), source: "engines.node" };
        assert!(t.supports(">=18.0.0"));
    }
}
