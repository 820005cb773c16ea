//! The flow: discover -> prefilter -> parse -> analyse -> plan -> merge -> verify, then the package.json changes the
//! planned code needs. Nothing here writes to disk: [`crate::write`] does, when asked.

use std::collections::{BTreeMap, BTreeSet};

use rustc_hash::FxHashMap as HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rayon::prelude::*;

use crate::analysis::analyse_tracking;
use crate::analysis::{CallSite, FileFacts};
use crate::client_cookies::ClientCookies;
use crate::discover::display_path;
use crate::early_errors::{self, EarlyError};
use crate::edit::{self, Edit};
use crate::links::{self, FileLinks};
use crate::manifest::{self, DepSection, ManifestInfo};
use crate::parse::parse;
use crate::project::{NodeTarget, Project, PugPretty};
use crate::source::{ExtensionModule, SourceFile, SourceKind};
use crate::transform::{
    DependencyRequest, FileContext, FilePlan, Finding, ManifestContext, ManifestPlan, ManifestRequest, Options, Phase,
    Severity, Transform,
};
use crate::values::Value;
use crate::views;

pub use crate::outcome::{DependencyChange, ErrorKind, FileChange, FileError, RunResult};

/// What the planning of one file gives. (The change and the error boxed: the planning gathers one for every file
/// found, 100,000 in a large project, and most files plan nothing: 88 bytes each rather than 280.)
#[derive(Default)]
struct Planned {
    change: Option<Box<FileChange>>,
    findings: Vec<Finding>,
    dependencies: Vec<(Option<PathBuf>, DependencyRequest, PathBuf)>,
    next_steps: Vec<String>,
    error: Option<Box<FileError>>,
    /// The modules its change imports ([`FilePlan::new_modules`]), kept only with the change.
    new_modules: Vec<crate::transform::NewModule>,
}

impl Planned {
    /// A file the tool failed on: nothing planned, the file named.
    fn failed(path: &Path, kind: ErrorKind) -> Planned {
        Planned {
            change: None,
            findings: Vec::new(),
            dependencies: Vec::new(),
            next_steps: Vec::new(),
            new_modules: Vec::new(),
            error: Some(Box::new(FileError::new(
                path,
                kind,
                "could not be handled: express-harden failed on it (a bug: please report it with this file); left \
                 alone",
            ))),
        }
    }
}

/// Runs every transform in `transforms` over `paths` with default options.
pub fn run(paths: &[PathBuf], transforms: &[Box<dyn Transform>]) -> RunResult {
    run_with(paths, transforms, &Options::default())
}

/// Runs every transform in `transforms` over `paths`.
pub fn run_with(paths: &[PathBuf], transforms: &[Box<dyn Transform>], options: &Options) -> RunResult {
    run_selected(paths, transforms, options, &Selection::default())
}

/// The parts of a run a reviewer kept (`--interactive`). By default everything runs.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Selection {
    /// Files limited to some transforms: a file listed here is changed by these only.
    pub allowed: BTreeMap<PathBuf, Vec<&'static str>>,
    /// `(file, transform id)` parts the reviewer declined. For a package.json only its version bumps are asked about:
    /// the packages that accepted code needs are added with that code.
    pub declined: BTreeSet<(PathBuf, &'static str)>,
}

impl Selection {
    /// Whether the transform `id` runs on `path`.
    pub fn keeps(&self, path: &Path, id: &'static str) -> bool {
        self.allowed.get(path).is_none_or(|ids| ids.contains(&id))
            && (self.declined.is_empty() || !self.declined.contains(&(path.to_path_buf(), id)))
    }

    fn is_empty(&self) -> bool {
        self.allowed.is_empty() && self.declined.is_empty()
    }

    /// The options one file (or manifest) is planned with: `selected` lists only the transforms that run on it, and,
    /// for a manifest, a code migration declined in any file of its project counts as not selected (the major
    /// version moves only together with its migration).
    fn options_for(
        &self,
        path: &Path,
        in_project: Option<&dyn Fn(&Path) -> bool>,
        migrations: &[&str],
        options: &Options,
    ) -> Option<Options> {
        if self.is_empty() {
            return None;
        }
        let migration_declined = |id: &str| {
            in_project.is_some_and(|in_project| self.declined.iter().any(|(p, t)| *t == id && in_project(p)))
        };
        let selected = options
            .selected
            .iter()
            .copied()
            .filter(|id| self.keeps(path, id))
            .filter(|id| !(migrations.contains(id) && migration_declined(id)))
            .collect();
        Some(Options { selected, ..options.clone() })
    }
}

/// Runs the transforms over `paths`, keeping only the parts in `selection`. The work runs on the threads of
/// [`crate::depth::pool`] (big stacks), the caller waiting.
pub fn run_selected(
    paths: &[PathBuf],
    transforms: &[Box<dyn Transform>],
    options: &Options,
    selection: &Selection,
) -> RunResult {
    crate::depth::on_big_stack(|| run_on_this_thread(paths, transforms, options, selection))
}

/// The files of the run: `paths` walked, or, given paths narrower than their project (`scope`), the project's walk
/// (`walk_paths`) with what the given paths' own walk adds.
fn discover(
    paths: &[PathBuf],
    walk_paths: &[PathBuf],
    scope: Option<&[PathBuf]>,
    walk: &crate::discover::WalkOptions<'_>,
) -> crate::discover::Discovered {
    match scope {
        None => crate::discover::discover_with(paths, walk),
        Some(_) => {
            // The given paths are walked as given too (a test file named on the command line, a file in an ignored
            // folder): what the project's walk leaves out of them is added, and their walk's errors and skipped test
            // files are the ones reported.
            let mut found = crate::discover::discover_with(walk_paths, walk);
            let own = crate::discover::discover_with(paths, walk);
            let known: rustc_hash::FxHashSet<PathBuf> =
                found.sources.iter().map(|p| crate::discover::scope_key(p)).collect();
            found.sources.extend(own.sources.into_iter().filter(|p| !known.contains(&crate::discover::scope_key(p))));
            found.errors = own.errors;
            found.tests_skipped = own.tests_skipped;
            found
        }
    }
}

fn run_on_this_thread(
    paths: &[PathBuf],
    transforms: &[Box<dyn Transform>],
    options: &Options,
    selection: &Selection,
) -> RunResult {
    let options = &Options { selected: transforms.iter().map(|t| t.info().id).collect(), ..options.clone() };
    let mut timings = Timings::from_env();
    let root = options.root.as_deref();
    let walk = crate::discover::WalkOptions { exclude: &options.exclude, root, include_tests: options.include_tests };
    // A file or folder narrower than its project is read with the rest of the project, and alone changed.
    let (walk_paths, scope) = crate::discover::with_context(paths, root);
    // A module several files share is made for a whole project: given narrower paths, a run changes only them, so each
    // of their files keeps what it needs to itself.
    let options = &Options { new_modules: options.new_modules && scope.is_none(), ..options.clone() };
    let mut needles: Vec<String> =
        transforms.iter().flat_map(|t| t.watch().iter().filter_map(|w| w.needle())).collect();
    // Apps and routers are created where express is named: the linking starts there (the modules they import are
    // read after the prefilter, whatever they name), so what they register elsewhere is known to every transform.
    needles.push("express".to_string());
    // (The prefilter's automaton, a few milliseconds of one core for the advisories' hundreds of needles, is built
    // while the walk waits on the file system.)
    let (found, needles) =
        rayon::join(|| discover(paths, &walk_paths, scope.as_deref(), &walk), || Prefilter::new(needles));
    let in_scope = |path: &Path| {
        scope.as_ref().is_none_or(|given| {
            let path = crate::discover::scope_key(path);
            given.iter().any(|g| path.starts_with(g))
        })
    };
    let progress = options.progress.as_deref();
    if let Some(progress) = progress {
        progress.add_total(2 * found.sources.len());
    }
    let given = found.sources.iter().filter(|p| in_scope(p)).count();
    let mut result = RunResult {
        files_scanned: given,
        context_files: found.sources.len() - given,
        tests_skipped: found.tests_skipped.iter().filter(|p| in_scope(p)).count(),
        root: options.root.clone(),
        ..RunResult::default()
    };
    result.errors.extend(found.errors.into_iter().filter(|e| in_scope(&e.path)));

    let manifests = ManifestIndex::build(found.sources.iter().chain(&found.views), root);
    let mut projects = build_projects(&manifests, &found.manifests, &found.views, root, &mut result.errors);
    let stems: Vec<&str> = transforms.iter().flat_map(|t| t.new_module_stems()).copied().collect();
    if !stems.is_empty() {
        for source in &found.sources {
            if source.file_stem().and_then(|s| s.to_str()).is_some_and(|stem| stems.contains(&stem)) {
                if let Some(project) = manifests.nearest(source).and_then(|m| projects.get_mut(&m)) {
                    project.module_paths_taken.push(source.clone());
                }
            }
        }
    }

    let mut tracked: Vec<&str> = transforms
        .iter()
        .flat_map(|t| t.watch().iter().chain(projects.values().flat_map(|p| t.watch_project(p))))
        .filter_map(|w| w.method())
        .collect();
    tracked.sort_unstable();
    tracked.dedup();
    // Code migrations: a version bump waits for its migration (a declined one counts as not selected).
    let migrations: Vec<&str> =
        transforms.iter().filter(|t| t.phase() == Phase::Migration).map(|t| t.info().id).collect();

    // First pass: every file the prefilter keeps is parsed and analysed.
    // Client code that reads cookies, met while the sources are read (res-cookie must not make them httpOnly).
    let client_code: Mutex<Vec<(PathBuf, String)>> = Mutex::default();
    // The packages the manifests list: of a file the prefilter leaves unread, which of them it may import.
    let listed: rustc_hash::FxHashSet<String> = projects
        .values()
        .filter_map(|p| p.manifest.as_ref())
        .flat_map(|m| m.dependency_names().map(str::to_string))
        .collect();
    let kept = Kept {
        texts: Budget::new(if options.park { 0 } else { KEPT_TEXT_BUDGET }),
        lists: Budget::new(if options.park { 0 } else { KEPT_LISTS_BUDGET }),
    };
    let releases = crate::Releases::default();
    let scan = |path: &PathBuf, needles: Option<&Prefilter>, client: Option<&Mutex<Vec<(PathBuf, String)>>>| {
        releases.tick();
        // One file must never cost the run: a panic while reading it (a bug here or in the parser) leaves that file
        // alone, named, and the others go on.
        let scanned = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let needles = needles.map(|n| (n, &listed));
            scan_file(path, needles, client, &tracked, options, &kept)
        }))
        .unwrap_or_else(|_| Scan::Failed(Box::new(Planned::failed(path, ErrorKind::Internal)), None));
        if let (Some(progress), Some(_)) = (progress, needles) {
            progress.advance();
        }
        scanned
    };
    timings.phase("discovery and manifests");
    let mut scans: Vec<Scan> = found
        .sources
        .par_iter()
        .with_max_len(crate::source::PARALLEL_CHUNK)
        .map(|path| scan(path, Some(&needles), Some(&client_code)))
        .collect();
    let client_cookies = std::sync::Arc::new(
        ClientCookies::scan(found.views.iter().chain(&found.components), root)
            .with(client_code.into_inner().unwrap_or_else(|e| e.into_inner())),
    );
    for project in projects.values_mut() {
        project.client_cookies = std::sync::Arc::clone(&client_cookies);
    }
    let mut no_project = Project { client_cookies: std::sync::Arc::clone(&client_cookies), ..Project::default() };
    timings.phase("first pass (prefilter, parse, analyse)");
    // Then the modules they import, even those that name nothing the prefilter looks for (controllers, options
    // objects, database clients), until no analysed file imports an unread one.
    let tsconfigs: Vec<(PathBuf, crate::tsconfig::PathAliases)> = projects
        .iter()
        .filter_map(|(manifest, p)| Some((manifest.clone(), crate::tsconfig::read(&p.dir, root)?)))
        .collect();
    let aliases = tsconfigs.iter().map(|(_, t)| t.clone()).collect();
    let resolver = links::Resolver::new(&found.sources, workspace_packages(&projects)).with_aliases(aliases);
    let mut frontier: Vec<usize> = (0..scans.len()).filter(|i| matches!(scans[*i], Scan::Analysed(_))).collect();
    // The entry points of published libraries too (their `main`, `bin`, `start` script), with what they import: which
    // of a library's files are only its examples depends on what they reach.
    let entries: BTreeMap<PathBuf, (Vec<usize>, Vec<Option<usize>>)> = projects
        .iter()
        .filter(|(_, p)| p.manifest.as_ref().is_some_and(ManifestInfo::published))
        .map(|(manifest, p)| {
            let points = p.manifest.as_ref().map(crate::published::entry_points).unwrap_or_default();
            // (The manifest as the discovered files spell their paths, which the resolver knows them by.)
            let importer =
                found.sources.iter().find(|s| manifests.nearest(s).as_ref() == Some(manifest)).and_then(|s| {
                    let relative = relative_to(&p.dir, &crate::root::relative_to_cwd(s))?.components().count();
                    Some(s.ancestors().nth(relative)?.join("package.json"))
                });
            let resolve = |points: &[String]| -> Vec<Option<usize>> {
                let Some(importer) = &importer else { return vec![None; points.len()] };
                points.iter().map(|point| resolver.resolve(importer, &format!("./{point}"))).collect()
            };
            let found = resolve(&points).into_iter().flatten().collect();
            // (The files a `start` script names that are the library's example, not its entry points.)
            let starts = p.manifest.as_ref().map(crate::published::start_files).unwrap_or_default();
            let example_starts = starts
                .iter()
                .all(|file| p.manifest.as_ref().is_some_and(|m| crate::published::example_start(Path::new(file), m)));
            let example_starts = if example_starts && !starts.is_empty() { resolve(&starts) } else { Vec::new() };
            (manifest.clone(), (found, example_starts))
        })
        .collect();
    let example_starts: BTreeMap<PathBuf, Vec<Option<usize>>> =
        entries.iter().map(|(manifest, (_, starts))| (manifest.clone(), starts.clone())).collect();
    let entries: BTreeMap<PathBuf, Vec<usize>> =
        entries.into_iter().map(|(manifest, (found, _))| (manifest, found)).collect();
    for &i in entries.values().flatten().chain(example_starts.values().flatten().flatten()) {
        if matches!(scans[i], Scan::Skipped(..)) {
            scans[i] = scan(&found.sources[i], None, None);
            frontier.extend(matches!(scans[i], Scan::Analysed(_)).then_some(i));
        }
    }
    loop {
        // (Resolved on every core: the first round resolves every import of every analysed file.)
        let wanted: BTreeSet<usize> = frontier
            .par_iter()
            .with_max_len(crate::source::PARALLEL_CHUNK)
            .flat_map_iter(|&i| match &scans[i] {
                Scan::Analysed(a) => imported_specs(&a.1)
                    .filter_map(|spec| resolver.resolve(&found.sources[i], spec))
                    .filter(|t| matches!(scans[*t], Scan::Skipped(..)))
                    .collect::<Vec<_>>(),
                _ => Vec::new(),
            })
            .collect();
        if wanted.is_empty() {
            break;
        }
        let newly: Vec<(usize, Scan)> = wanted
            .into_iter()
            .collect::<Vec<_>>()
            .into_par_iter()
            .with_max_len(crate::source::PARALLEL_CHUNK)
            .map(|i| (i, scan(&found.sources[i], None, None)))
            .collect();
        frontier = newly.iter().filter(|(_, s)| matches!(s, Scan::Analysed(_))).map(|(i, _)| *i).collect();
        for (i, s) in newly {
            scans[i] = s;
        }
    }
    // What each file's code sends, taken out of the scans: only the project facts below read it (the planning does
    // not), and they take it rather than copy it (a copy of every file's was a twentieth of the heap's peak).
    let sends: Vec<Option<Box<crate::code_html::CodeScan>>> = scans
        .iter_mut()
        .map(|s| match s {
            Scan::Analysed(a) => a.2.take(),
            Scan::Skipped(found, _) | Scan::Failed(_, found) => found.take(),
        })
        .collect();
    // Linking: what each module is to the others.
    let mut inputs: Vec<Option<links::LinkInput<'_>>> = scans
        .iter()
        .zip(&found.sources)
        .map(|(s, path)| match s {
            Scan::Analysed(a) => Some(links::LinkInput::new(path, &a.0, &a.1, root)),
            _ => None,
        })
        .collect();
    timings.phase("imported modules (rounds)");
    let mut project_links = links::link(&inputs, &resolver);
    inputs.iter_mut().flatten().for_each(links::LinkInput::forget_text);
    timings.phase("links::link");
    for (manifest, tsconfig) in tsconfigs {
        if let Some(project) = projects.get_mut(&manifest) {
            project.ts_before_es2018 = tsconfig.target_before_es2018();
        }
    }
    timings.phase("project facts: tsconfig");
    links::exported_instances(&inputs, &resolver, |i, instance| {
        if let Some(project) = manifests.nearest(&found.sources[i]).and_then(|m| projects.get_mut(&m)) {
            if is_pickable(&project.instances, &instance) {
                project.instances.push(instance);
            }
        }
    });
    // (The analysed files of each published library, found in one pass over the files.)
    let mut members: BTreeMap<PathBuf, Vec<usize>> = BTreeMap::new();
    if !entries.is_empty() {
        for (i, _) in inputs.iter().enumerate().filter(|(_, input)| input.is_some()) {
            if let Some(manifest) = manifests.nearest(&found.sources[i]).filter(|m| entries.contains_key(m)) {
                members.entry(manifest).or_default().push(i);
            }
        }
    }
    for (manifest, roots) in &entries {
        let Some(project) = projects.get_mut(manifest) else { continue };
        let files = members.get(manifest).map_or(&[][..], Vec::as_slice);
        project.examples = examples_of(project, roots, files, &inputs, &found.sources, &resolver);
        // (A `start` script that runs only the library's example, each file read and none reached from its entries.)
        let starts = example_starts.get(manifest).map_or(&[][..], Vec::as_slice);
        project.start_runs_example = !starts.is_empty()
            && starts.iter().all(|i| i.is_some_and(|i| project.examples.contains_key(&found.sources[i])));
    }
    timings.phase("project facts: instances, examples");
    // What the code sends (HTML with inline code, its own X-Frame-Options): helmet's headers must fit it (a file the
    // scanner fails on only loses that evidence).
    // (Each file's taken as it comes: gathered first into a list of their own, unboxed, they were the run's peak of
    // memory, a copy of every one with the list's spare room.)
    let built = sends.into_iter().enumerate().filter_map(|(i, scanned)| Some((i, scanned?)));
    // What each project serves: its view files count only where it serves or renders them.
    let mut served: HashMap<PathBuf, Option<Vec<(PathBuf, bool)>>> = HashMap::default();
    let mut built_html = Vec::new();
    let mut connects = Vec::new();
    let mut computed_folders = Vec::new();
    for (i, scan) in built {
        let (front_end, scan) = (inputs[i].is_none(), *scan);
        let path = &found.sources[i];
        let Some(manifest) = manifests.nearest(path) else { continue };
        let Some(project) = projects.get_mut(&manifest) else { continue };
        if let Some(line) = scan.sets_frame_options {
            project.frame_options_set.get_or_insert_with(|| (path.clone(), line));
        }
        if let Some(line) = scan.hands_out_embed {
            project.embed_code.get_or_insert_with(|| (path.clone(), line));
        }
        if let Some(line) = scan.sends_page {
            project.code_pages.get_or_insert_with(|| (path.clone(), line));
        }
        if let Some(line) = scan.allows_every_origin {
            project.allows_every_origin.get_or_insert_with(|| (path.clone(), line));
        }
        if let Some((line, value)) = scan.computed_allow_origin {
            project.computed_allow_origin.get_or_insert_with(|| (path.clone(), line, value));
        }
        if let Some(line) = scan.rm_whitespace {
            project.rm_whitespace.get_or_insert_with(|| (path.clone(), line));
        }
        if let Some((line, sure)) = scan.pug_pretty {
            let first = project.pug_pretty.get_or_insert_with(|| PugPretty { path: path.clone(), line, sure });
            first.sure &= sure;
        }
        if let Some(line) = scan.ejs_delimiters {
            project.ejs_delimiters.get_or_insert_with(|| (path.clone(), line));
        }
        for filled in scan.filled {
            let from = match filled.base {
                crate::code_html::Base::FileDir => parent_dir(path),
                crate::code_html::Base::Cwd => project.dir.clone(),
            };
            let file = crate::discover::scope_key(&from.join(filled.path.trim_start_matches('/')));
            project.filled.push((file, filled.searches));
        }
        let known = served.entry(manifest.clone()).or_insert_with(|| Some(Vec::new()));
        for item in scan.served {
            // (The file whose code gives the path, its base, the path under it, and whether it names a file.)
            let (giver, base, rel, file) = match item {
                crate::code_html::Served::Known { base, path: rel, file } => (i, base, rel, file),
                crate::code_html::Served::Unknown(computed) => match resolved_path(&computed, i, &inputs, &resolver) {
                    // (A path another module of the project gives: `config.publicDir`.)
                    Some((at, base, rel)) => (at, base, rel, !computed.folder),
                    None => {
                        *known = None;
                        if computed.folder && !package_folder(&computed, i, &inputs, &resolver) {
                            computed_folders.push((manifest.clone(), i, computed.line, computed.text));
                        }
                        continue;
                    }
                },
            };
            let from = match base {
                crate::code_html::Base::FileDir => parent_dir(&found.sources[giver]),
                crate::code_html::Base::Cwd => project.dir.clone(),
            };
            // (`__dirname + '/public'`: the path is under the base whatever its first character.)
            let served = crate::root::normalize(&from.join(rel.trim_start_matches('/')));
            project.served.push((path.clone(), served.clone(), file));
            if let Some(list) = known.as_mut() {
                list.push((served, file));
            }
        }
        if let Some(connect) = scan.connect {
            connects.push((manifest.clone(), path.clone(), front_end, *connect));
        }
        if let Some(html) = scan.html {
            built_html.push((manifest, path.clone(), *html));
        }
    }
    // (A file that could not be read or parsed may serve anything; one set aside on purpose, a minified bundle, is no
    // server code.)
    for (i, scanned) in scans.iter().enumerate() {
        let unread = matches!(scanned, Scan::Failed(p, _) if p.error.is_some());
        if let (true, Some(manifest)) = (unread, manifests.nearest(&found.sources[i])) {
            served.insert(manifest, None);
        }
    }
    // (The view engines the code names, `app.set('view engine', 'liquid')`, `app.engine('liquid', ...)`: their files
    // are views too, see `engine_views`.)
    // (Every member call of every file is looked at: on both cores, the sets joined.)
    let engines: HashMap<PathBuf, BTreeSet<String>> = inputs
        .par_iter()
        .zip(&found.sources)
        .fold(HashMap::<PathBuf, BTreeSet<String>>::default, |mut engines, (input, path)| {
            let (Some(input), Some(manifest)) = (input, manifests.nearest_ref(path)) else { return engines };
            for call in input.facts.member_calls().iter() {
                let named = match (call.method.as_ref(), &call.args[..]) {
                    ("set", [Value::Str(setting, _), Value::Str(engine, _), ..]) if setting == "view engine" => engine,
                    ("engine", [Value::Str(engine, _), _, ..]) => engine,
                    _ => continue,
                };
                let ext = named.trim_start_matches('.');
                if !ext.is_empty() && !views::is_view_file(Path::new(&format!("x.{ext}"))) {
                    engines.entry(manifest.to_path_buf()).or_default().insert(ext.to_string());
                }
            }
            engines
        })
        .reduce(HashMap::default, |mut all, some| {
            for (manifest, names) in some {
                all.entry(manifest).or_default().extend(names);
            }
            all
        });
    for (manifest, project) in &mut projects {
        if project.ejs_delimiters.is_some() {
            // EJS's template code is not written `<% %>`: no script of a view it may render is known to be fixed.
            for (path, scan) in &mut project.views {
                if crate::views::may_be_ejs(path) {
                    scan.inline.iter_mut().for_each(|code| (code.hash, code.trimmed_hash) = (None, None));
                }
            }
        }
        if project.pug_pretty.is_some() {
            // Pug may send its `script.` blocks of several lines re-indented to their depth in the page, which the
            // view alone does not tell (a layout, an include or a mixin may nest it): no hash is known for them.
            for (_, scan) in &mut project.views {
                scan.inline.iter_mut().filter(|code| code.pretty_differs).for_each(|code| code.hash = None);
            }
        }
        match served.get(manifest) {
            Some(Some(list)) => {
                // (Every app of a project that serves the same folder names it again: each folder is looked at once,
                // in the order first named. 3,000 stats of `views` on the 20,000-file corpus.)
                let mut named = rustc_hash::FxHashSet::default();
                let list: Vec<(PathBuf, bool)> = list.iter().filter(|s| named.insert(*s)).cloned().collect();
                keep_served_views(project, &list);
                served_builds(project, &list, root);
                engine_views(project, &list, engines.get(manifest), root);
            }
            None => {
                keep_served_views(project, &[]);
                engine_views(project, &[], engines.get(manifest), root);
            }
            Some(None) => {}
        }
    }
    // What scripts connect to counts for the files the app serves (where that is unknown, the front-end files: those
    // the analysis skipped).
    let served_here = |manifest: &PathBuf, path: &Path, front_end: bool| match served.get(manifest) {
        Some(Some(list)) => {
            let path = crate::discover::scope_key(path);
            list.iter().any(|(dir, file)| !file && path.starts_with(crate::discover::scope_key(dir)))
        }
        Some(None) => front_end,
        None => false,
    };
    for (manifest, path, front_end, connect) in connects {
        if served_here(&manifest, &path, front_end) {
            built_html.push((manifest, path, connect));
        }
    }
    // (A WebAssembly module the app serves is compiled by its pages' scripts, whether the run reads them or not.)
    for path in &found.wasm {
        let Some(manifest) = manifests.owner(path) else { continue };
        if served_here(&manifest, path, true) {
            built_html.push((manifest, path.clone(), views::ViewScan { wasm: vec![1], ..views::ViewScan::default() }));
        }
    }
    // (The folders served from a path computed at run time that the links do not tell, with the modules linked to the
    // one that serves them: the policy of their apps cannot be checked against their pages.)
    if !computed_folders.is_empty() {
        let edges: Vec<Vec<usize>> = inputs
            .iter()
            .zip(&found.sources)
            .map(|(input, path)| match input {
                Some(input) => imported_specs(input.facts).filter_map(|spec| resolver.resolve(path, spec)).collect(),
                None => Vec::new(),
            })
            .collect();
        let mut importers = vec![Vec::new(); edges.len()];
        for (i, targets) in edges.iter().enumerate() {
            for &target in targets {
                importers[target].push(i);
            }
        }
        for (manifest, i, line, text) in computed_folders {
            let Some(project) = projects.get_mut(&manifest) else { continue };
            let related = reached(&edges, i).into_iter().chain(reached(&importers, i));
            project.computed_folders.push(crate::project::ComputedFolder {
                file: found.sources[i].clone(),
                line,
                text,
                related: related.map(|j| found.sources[j].clone()).collect(),
            });
        }
    }
    for (manifest, path, html) in built_html {
        if let Some(project) = projects.get_mut(&manifest) {
            project.views.push((path, html));
        }
    }
    // (The markup of the front end's components, in a project that serves pages (as for the object URLs they make,
    // below): what a Vue template, Svelte markup or a JSX element loads counts as a page's, see `crate::component_html`.)
    let serving: BTreeSet<&PathBuf> = projects.iter().filter(|(_, p)| !p.views.is_empty()).map(|(m, _)| m).collect();
    let candidates: Vec<(PathBuf, &PathBuf)> = found
        .components
        .iter()
        .chain(&found.sources)
        .filter(|path| crate::component_html::is_component_file(path))
        .filter_map(|path| Some((manifests.owner(path)?, path)))
        .filter(|(manifest, _)| serving.contains(manifest))
        .collect();
    let markup: Vec<(PathBuf, PathBuf, views::ViewScan)> = candidates
        .par_iter()
        .with_max_len(crate::source::PARALLEL_CHUNK)
        .filter_map(|(manifest, path)| {
            let bytes = crate::fsread::read(path, crate::fsread::SOURCE_LIMIT, root).ok()?;
            let scan = crate::component_html::scan_component(path, std::str::from_utf8(&bytes).ok()?)?;
            Some((manifest.clone(), (*path).clone(), scan))
        })
        .collect();
    for (manifest, path, scan) in markup {
        if let Some(project) = projects.get_mut(&manifest) {
            project.views.push((path, scan));
        }
    }
    // (Functions of the pages' scripts that connect to the URL their callers pass, `api('/todos')`: what the scripts
    // the app serves and its pages pass them, see `views::resolve_wrappers`.)
    for (manifest, project) in &mut projects {
        if project.views.iter().all(|(_, scan)| scan.wrappers.is_empty()) {
            continue;
        }
        let scripts = found.sources.iter().enumerate().filter(|(i, path)| {
            manifests.nearest(path).as_ref() == Some(manifest) && served_here(manifest, path, inputs[*i].is_none())
        });
        let pages = project.views.iter().map(|(path, _)| path).filter(|path| views::is_view_file(path));
        let texts: Vec<(PathBuf, String)> = scripts
            .map(|(_, path)| path)
            .chain(pages)
            .filter_map(|path| {
                Some((path.clone(), crate::fsread::read_text(path, crate::fsread::TEXT_LIMIT, root).ok()?))
            })
            .collect();
        views::resolve_wrappers(&mut project.views, &texts);
    }
    // (The elements that show object URLs, by the ids of the pages' markup; Leaflet's stylesheet imported by the app's
    // own stylesheets.)
    for (manifest, project) in &mut projects {
        views::resolve_object_urls(&mut project.views);
        views::indent_partials(&mut project.views);
        filled_views(project, root);
        let dirs = served.get(manifest).cloned().flatten().unwrap_or_default();
        linked_stylesheets(project, &dirs, root);
    }
    // (Front-end components, `.vue`, that make object URLs, in a project that serves pages: a directive the policy
    // opens to every host gets blob: too, see `views::ViewScan::object_urls_made`.)
    for path in &found.components {
        let Some(project) = manifests.owner(path).and_then(|m| projects.get_mut(&m)) else { continue };
        if project.views.is_empty() {
            continue;
        }
        let Ok(bytes) = crate::fsread::read(path, crate::fsread::SOURCE_LIMIT, root) else { continue };
        if let Some(at) = memchr::memmem::find(&bytes, b"createObjectURL(") {
            let line = crate::lines::line_col(&String::from_utf8_lossy(&bytes), at).0;
            project
                .views
                .push((path.clone(), views::ViewScan { object_urls_made: vec![line], ..views::ViewScan::default() }));
        }
    }
    // (Front-end packages a bundler builds into the pages of a project that serves some: see `views::package_scan`.)
    for (manifest, project) in &mut projects {
        let Some(info) = project.manifest.as_ref().filter(|_| !project.views.is_empty()) else { continue };
        let Ok(text) = read_manifest(manifest, root) else { continue };
        let mut scan = views::package_scan(&text, |package| !info.dependency_all(package).is_empty());
        // (A source of the project that imports one of Vue's full builds itself: read only where vue is listed.)
        let imported = match scan.unsure.iter().any(|(_, package)| *package == "vue") {
            true => found.sources.iter().filter(|path| manifests.nearest(path).as_ref() == Some(manifest)).find_map(
                |path| {
                    let text = crate::fsread::read_text(path, crate::fsread::TEXT_LIMIT, root).ok()?;
                    Some((path.clone(), crate::bundler::full_vue_import(&text)?))
                },
            ),
            false => None,
        };
        let imported = imported.as_ref().map(|(path, line)| (path.as_path(), *line));
        if let Some(config) = crate::bundler::settle_vue(&mut scan, manifest, &text, root, imported) {
            project.views.push(config);
        }
        if !scan.is_empty() {
            project.views.push((manifest.clone(), scan));
        }
    }
    // (htmx's attributes evaluate where a page of the project loads htmx.)
    for project in projects.values_mut() {
        views::htmx_evaluations(&mut project.views);
    }
    timings.phase("project facts: served, views");
    // (On both cores: each run of files gathers what its files say per project, and the runs are joined in file order,
    // so that what is kept "first" is the first file's.)
    let found_use = inputs
        .par_iter_mut()
        .zip(&found.sources)
        .fold(HashMap::<PathBuf, ProjectUse>::default, |mut found_use, (input, path)| {
            let Some(input) = input else { return found_use };
            if let Some(manifest) = manifests.nearest_ref(path).filter(|m| projects.contains_key(*m)) {
                let here = match found_use.get_mut(manifest) {
                    Some(here) => here,
                    None => found_use.entry(manifest.to_path_buf()).or_default(),
                };
                code_use(path, input.facts, input.source, &mut here.code_use);
                for (call, site) in package_calls(input.facts) {
                    let options = site.call.args.iter().find_map(|a| match a {
                        Value::Object(o) => Some(o),
                        _ => None,
                    });
                    if let Some(options) = options.filter(|_| !here.package_call_options.contains_key(&call)) {
                        let text = |v: &Value| input.file().code.get(v.range().range()).unwrap_or_default().to_string();
                        let props =
                            options.props.iter().filter_map(|p| Some((p.key.as_deref()?.to_string(), text(&p.value))));
                        here.package_call_options.insert(call.clone(), props.collect());
                    }
                    here.package_calls.insert(call);
                }
                if here.nested_query.is_none() {
                    if let Some(read) = input.facts.property_reads().iter().find(|r| r.property == "query-nested") {
                        here.nested_query = Some((path.clone(), input.source.line(read.range.start())));
                    }
                }
            }
            // (A text read again for the code's use is not kept past its file.)
            input.forget_text();
            found_use
        })
        .reduce(HashMap::default, |mut earlier, later| {
            for (manifest, found) in later {
                earlier.entry(manifest).or_default().absorb(found);
            }
            earlier
        });
    for (manifest, found) in found_use {
        if let Some(project) = projects.get_mut(&manifest) {
            found.add_to(project);
        }
    }
    // (Single-file components, `.vue`, `.svelte`, `.astro`: the packages their scripts import and call count as the
    // project's code's, as a `.js` module's would. Not the Express API they may seem to use: they are client code
    // (the frontmatter of an Astro page aside), and a `$.cookie(...)` there sets no cookie of the server's.)
    let components: Vec<(PathBuf, Result<crate::project::CodeUse, crate::project::UnreadFile>)> = found
        .components
        .par_iter()
        .with_max_len(crate::source::PARALLEL_CHUNK)
        .filter_map(|path| {
            let manifest = manifests.owner(path).filter(|m| projects.contains_key(m))?;
            Some((manifest, component_use(path, root)?))
        })
        .collect();
    for (manifest, used) in components {
        let Some(project) = projects.get_mut(&manifest) else { continue };
        match used {
            Ok(used) => project.code_use.absorb(used),
            Err(unread) => project.code_use.unread.push(unread),
        }
    }
    timings.phase("project facts: code use");
    // The files of each project the run did not analyse (left unread by the prefilter, set aside on purpose, or
    // unreadable): what their code calls is not known, beyond what their text names. (Those set aside are read again
    // for that: they are few; an unreadable one may use anything.)
    // (One search for the tracked calls, `.cookie(`, then the texts the transforms watch, `connect.sid`.)
    let mut watched_texts: Vec<&str> = transforms.iter().flat_map(|t| t.watch()).filter_map(|w| w.text()).collect();
    watched_texts.sort_unstable();
    watched_texts.dedup();
    let calls = aho_corasick::AhoCorasick::new(
        tracked.iter().map(|m| format!(".{m}(")).chain(watched_texts.iter().map(|t| t.to_string())),
    )
    .ok();
    for (scanned, path) in scans.iter().zip(&found.sources) {
        use crate::project::{Named, Unread};
        let (why, text) = match scanned {
            Scan::Analysed(_) => continue,
            Scan::Skipped(_, packages) => {
                (Unread::Prefiltered, Some(Named { packages: packages.clone(), ..Named::default() }))
            }
            Scan::Failed(planned, _) => {
                let why = match (&planned.error, planned.findings.first()) {
                    (Some(e), _) if e.kind == ErrorKind::Syntax => Unread::Syntax,
                    (Some(e), _) if e.kind == ErrorKind::TooDeep => Unread::TooDeep,
                    (Some(_), _) => Unread::Unreadable,
                    (None, Some(f)) if f.rule == "engine/too-large" => Unread::TooLarge,
                    (None, Some(f)) if f.rule == "engine/minified" => Unread::Minified,
                    (None, _) => Unread::SetAside,
                };
                let limit = options.max_file_size.0.max(crate::fsread::SOURCE_LIMIT);
                let bytes = match why {
                    Unread::Unreadable => None,
                    _ => crate::fsread::read(path, limit, root).ok(),
                };
                let text = bytes.zip(calls.as_ref()).map(|(bytes, calls)| {
                    let mut named =
                        Named { packages: crate::source::named_packages(&bytes, |_| true), ..Named::default() };
                    for found in calls.find_overlapping_iter(&bytes[..]) {
                        match found.pattern().as_usize().checked_sub(tracked.len()) {
                            None => named.calls.insert(tracked[found.pattern().as_usize()].to_string()),
                            Some(t) => named.texts.insert(watched_texts[t].to_string()),
                        };
                    }
                    named
                });
                (why, text)
            }
        };
        if let Some(project) = manifests.nearest(path).and_then(|m| projects.get_mut(&m)) {
            project.code_use.unread.push(crate::project::UnreadFile { path: path.clone(), why, text });
        }
    }
    timings.phase("project facts: unread files");
    // What the transforms note about each file for choices across the project (`Transform::survey`), recorded in
    // path order whatever the threads' order.
    let no_links = FileLinks::default();
    let surveyed: Vec<(usize, &'static str, Vec<String>)> = inputs
        .par_iter()
        .with_max_len(crate::source::PARALLEL_CHUNK)
        .enumerate()
        .flat_map_iter(|(i, input)| {
            let path = &found.sources[i];
            let project = manifests.nearest(path).and_then(|m| projects.get(&m)).unwrap_or(&no_project);
            // (A parked text read again for the surveys alone, once for every transform that asks for it: not kept
            // past them.)
            let mut text: Option<Option<SourceFile>> = None;
            let notes: Vec<(usize, &'static str, Vec<String>)> = match input {
                Some(input) => transforms
                    .iter()
                    .filter(|t| selection.keeps(path, t.info().id))
                    .filter_map(|t| {
                        let cx = FileContext {
                            transform: t.info(),
                            file: input.source,
                            facts: input.facts,
                            links: project_links.get(i).unwrap_or(&no_links),
                            project,
                            options,
                            requested: &[],
                        };
                        let file = match t.surveys(&cx) {
                            crate::transform::Survey::Nothing => return None,
                            crate::transform::Survey::Lines => input.source,
                            crate::transform::Survey::Text => {
                                text.get_or_insert_with(|| input.read_again()).as_ref().unwrap_or(input.source)
                            }
                        };
                        let cx = FileContext { file, ..cx };
                        let notes = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| t.survey(&cx))).ok()?;
                        (!notes.is_empty()).then_some((i, t.info().id, notes))
                    })
                    .collect(),
                None => Vec::new(),
            };
            notes
        })
        .collect();
    for (i, id, notes) in surveyed {
        let path = &found.sources[i];
        let project = match manifests.nearest(path) {
            Some(m) => projects.get_mut(&m),
            None => None,
        }
        .unwrap_or(&mut no_project);
        project.surveys.entry(id).or_default().push(path.clone(), notes);
    }
    timings.phase("project facts: surveys");
    drop(inputs);
    let projects = projects;
    let no_project = no_project;

    // What became of each file the walk found (the rest could not be read: their errors say why).
    for scanned in scans.iter().zip(&found.sources).filter(|(_, path)| in_scope(path)).map(|(s, _)| s) {
        match scanned {
            Scan::Skipped(..) => result.files_skipped += 1,
            Scan::Analysed(_) => result.files_parsed += 1,
            Scan::Failed(p, _) if p.error.as_ref().is_some_and(|e| e.kind == ErrorKind::Syntax) => {
                result.files_unparsable += 1;
            }
            // Left alone on purpose (too large, minified), with the finding that says so.
            Scan::Failed(p, _) if p.error.is_none() => result.files_set_aside += 1,
            Scan::Failed(..) => {}
        }
    }

    // Second pass: each transform plans each analysed file, knowing its links.
    let plan_one = |i: usize, mut file: SourceFile, mut facts: FileFacts, held_back: bool, outside: bool| -> Planned {
        let path = &found.sources[i];
        releases.tick();
        facts.unpack();
        let parked = file.is_parked();
        if let Err(changed) = file.unpark(root) {
            let error = FileError::new(path, ErrorKind::ChangedOnDisk, changed.to_string());
            return Planned { error: Some(Box::new(error)), ..Planned::default() };
        }
        let manifest = manifests.nearest(path);
        let project = manifest.as_ref().and_then(|m| projects.get(m)).unwrap_or(&no_project);
        settle_era(&mut facts, project);
        // (An example of a published library whose own packages the library does not declare runs nowhere the tool
        // knows: left alone, since its changes would add packages to the library.)
        if let Some(missing) = project.examples.get(path).filter(|missing| !missing.is_empty()) {
            return Planned { findings: vec![example_finding(path, project, missing)], ..Planned::default() };
        }
        let chosen: Vec<&dyn Transform> =
            transforms.iter().map(|t| t.as_ref()).filter(|t| selection.keeps(path, t.info().id)).collect();
        let own = selection.options_for(path, None, &[], options);
        let base = own.as_ref().unwrap_or(options);
        let held = held_back.then(|| Options { held_back: true, held_back_outside_paths: outside, ..base.clone() });
        let options = held.as_ref().unwrap_or(base);
        let file_links = project_links.get(i).unwrap_or(&no_links);
        let mut planned = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            plan_file(file, facts, file_links, project, manifest, &chosen, &tracked, options)
        }))
        .unwrap_or_else(|_| Planned::failed(path, ErrorKind::Internal));
        // (A large project's changed files, whose texts were parked: held to the end of the run, only their diffs are
        // shown.)
        if let Some(change) = planned.change.as_mut().filter(|_| parked && options.drop_texts) {
            change.drop_texts();
        }
        planned
    };
    timings.phase("project facts: the rest");
    let mut planned: Vec<Planned> = scans
        .into_par_iter()
        .with_max_len(crate::source::PARALLEL_CHUNK)
        .enumerate()
        .map(|(i, scanned)| {
            let planned = match scanned {
                Scan::Skipped(..) => Planned::default(),
                Scan::Failed(planned, _) => *planned,
                Scan::Analysed(analysed) => {
                    let (file, facts, _) = *analysed;
                    plan_one(i, file, facts, false, false)
                }
            };
            if let Some(progress) = progress {
                progress.advance();
            }
            planned
        })
        .collect();

    // What holds a migration's major back, per manifest: a file that could not be handled, and the findings of
    // code migrations that mean code was left unmigrated (an error or a finding belongs to the project whose
    // manifest is the file's nearest, not to every project above it, whatever the spelling of the paths).
    timings.phase("planning (plan, verify, diff)");
    // (A migration's change an opt-out comment kept from being made is code left unmigrated too.)
    let blocking = |f: &Finding| {
        transforms.iter().any(|t| {
            t.info().id == f.transform
                && t.phase() == Phase::Migration
                && (f.rule == crate::ignore::RULE
                    || f.rule == crate::outcome::OUTSIDE_PATHS
                    || f.rule
                        .strip_prefix(t.info().id)
                        .and_then(|r| r.strip_prefix('/'))
                        .is_some_and(|r| t.info().blocks(r)))
        })
    };
    // Given narrower paths, only the manifests that own one of them (or lie within one) are planned: a project nested
    // in the one read for context is not the run's.
    let scoped_manifests: Option<BTreeSet<PathBuf>> = scope.as_ref().map(|_| {
        let owners = found.sources.iter().filter(|s| in_scope(s)).filter_map(|s| manifests.owner(s));
        owners.chain(projects.keys().filter(|m| in_scope(m)).cloned()).collect()
    });
    let mut outside_errors: Vec<FileError> = Vec::new();
    // Files outside the paths given are planned like the others (what they would need tells what the given ones may
    // do), then left as they are: a code migration one of them needs holds the major back, said on it.
    for (i, plan) in planned.iter_mut().enumerate().filter(|(i, _)| !in_scope(&found.sources[*i])) {
        // (A file of a project nested in the one read for context is no concern of the run.)
        let ours = manifests
            .owner(&found.sources[i])
            .is_some_and(|m| scoped_manifests.as_ref().is_some_and(|s| s.contains(&m)));
        if !ours {
            *plan = Planned::default();
            continue;
        }
        let needed: Vec<&'static str> = plan
            .change
            .as_ref()
            .map(|c| c.transforms.iter().copied().filter(|t| migrations.contains(t)).collect())
            .unwrap_or_default();
        // (A file that could not be handled may hold code a migration needs: as in a run on the whole project, it
        // holds a major change back, and is then reported.)
        outside_errors.extend(plan.error.take().map(|e| *e));
        let kept = plan.findings.iter().filter(|f| blocking(f)).cloned().collect();
        *plan = Planned { findings: kept, ..Planned::default() };
        for id in needed {
            plan.findings.push(Finding {
                rule: crate::outcome::OUTSIDE_PATHS.to_string(),
                transform: id,
                path: found.sources[i].clone(),
                line: 1,
                column: 1,
                message: format!(
                    "the {id} migration would change this file, which is outside the paths given: the major version \
                     is held back until it is migrated too (run express-harden on the project's folder)"
                ),
                severity: crate::outcome::engine_severity(crate::outcome::OUTSIDE_PATHS),
            });
        }
    }
    // A workspace member whose code loads the Express its workspace root lists moves with the root's version: what
    // holds the member's migration back holds the root's move back, and a root held back holds back its members'
    // migrations (member's manifest -> root's, both as `projects` spells them; `None`: the root is no project of the
    // run).
    let express_members: BTreeMap<PathBuf, Option<PathBuf>> = projects
        .iter()
        .filter(|(_, p)| p.from_workspace_root("express"))
        .map(|(path, p)| {
            let manifest = crate::lockfile::workspace_root_above(&p.dir, root).map(|d| d.join("package.json"));
            let key = manifest.and_then(|m| projects.keys().find(|k| crate::root::same_path(k, &m)).cloned());
            (path.clone(), key)
        })
        .collect();
    let express_roots: BTreeMap<&PathBuf, &PathBuf> =
        express_members.iter().filter_map(|(member, root)| Some((member, root.as_ref()?))).collect();
    let mut blockers: BTreeMap<PathBuf, Vec<Finding>> = BTreeMap::new();
    for finding in planned.iter().flat_map(|p| &p.findings).filter(|f| blocking(f)) {
        if let Some(owner) = manifests.owner(&finding.path) {
            if let Some(root) = express_roots.get(&owner) {
                blockers.entry((*root).clone()).or_default().push(finding.clone());
            }
            blockers.entry(owner).or_default().push(finding.clone());
        }
    }
    for list in blockers.values_mut() {
        list.sort_by(|a, b| (&a.path, a.line, a.column).cmp(&(&b.path, b.line, b.column)));
    }
    let failed_files: Vec<PathBuf> = result
        .errors
        .iter()
        .chain(planned.iter().filter_map(|p| p.error.as_deref()))
        .chain(&outside_errors)
        .map(|e| e.path.clone())
        .collect();

    // Manifest-level plans (version bumps), for every project found.
    let mut bumps: BTreeMap<PathBuf, Vec<ManifestRequest>> = BTreeMap::new();
    let mut elsewhere: Vec<(PathBuf, ManifestRequest)> = Vec::new();
    let mut held_back: BTreeSet<PathBuf> = BTreeSet::new();
    // (The members among them held back only because their root's package.json is outside the paths given.)
    let mut held_back_outside: BTreeSet<PathBuf> = BTreeSet::new();
    let mut transform_steps = BTreeSet::new();
    let mut manifest_paths: Vec<&PathBuf> = projects.keys().collect();
    manifest_paths.sort();
    let manifest_dirs: std::sync::Arc<BTreeSet<PathBuf>> =
        std::sync::Arc::new(manifest_paths.iter().map(|p| manifest_dir(p).to_path_buf()).collect());
    let inventories: BTreeMap<&PathBuf, crate::inventory::LazyInventory> = manifest_paths
        .iter()
        .map(|p| {
            (*p, crate::inventory::LazyInventory::new(manifest_dir(p), root, std::sync::Arc::clone(&manifest_dirs)))
        })
        .collect();
    for transform in transforms.iter().filter(|t| options.selected.contains(&t.info().id)) {
        let mut read = inventories.values().filter_map(|l| l.get()).filter_map(|r| r.as_ref().ok());
        if let Err((path, message)) = transform.prepare_inventories(&mut read) {
            // Nothing planned is kept: the run stops here.
            result.errors.push(FileError::new(path, ErrorKind::Unreadable, message));
            return result;
        }
    }
    let manifest_paths: Vec<&PathBuf> =
        manifest_paths.into_iter().filter(|m| scoped_manifests.as_ref().is_none_or(|s| s.contains(*m))).collect();
    let planned_manifests: BTreeSet<&PathBuf> = manifest_paths.iter().copied().collect();
    for path in manifest_paths {
        let project = &projects[path];
        // (A manifest that cannot be read was reported when its project was built.)
        let (Some(info), Ok(text)) = (&project.manifest, read_manifest(path, root)) else { continue };
        let source_errors = failed_files.iter().any(|f| {
            manifests.owner(f).is_some_and(|owner| owner == *path || express_roots.get(&owner) == Some(&path))
        });
        let owns = |file: &Path| manifests.owner(file).as_deref() == Some(path.as_path());
        let own = selection.options_for(path, Some(&owns), &migrations, options);
        let options = own.as_ref().unwrap_or(options);
        let project_blockers = blockers.get(path).map_or(&[][..], Vec::as_slice);
        let mut plan = ManifestPlan::default();
        let inventory = &inventories[path];
        for transform in transforms.iter().filter(|t| options.selected.contains(&t.info().id)) {
            let id = transform.info().id;
            let cx = ManifestContext {
                transform: transform.info(),
                path,
                text: &text,
                info,
                project,
                options,
                source_errors,
                blockers: project_blockers,
                inventory,
                projects: &projects,
            };
            let before = (
                plan.changes.len(),
                plan.findings.len(),
                plan.next_steps.len(),
                plan.advisories.len(),
                plan.elsewhere.len(),
            );
            // A panic on one manifest leaves it alone, named; the run goes on.
            let planned = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                transform.plan_manifest(&cx, &mut plan);
            }));
            if planned.is_err() {
                plan.changes.truncate(before.0);
                plan.findings.truncate(before.1);
                plan.next_steps.truncate(before.2);
                plan.advisories.truncate(before.3);
                plan.elsewhere.truncate(before.4);
                result.errors.push(FileError::new(
                    path,
                    ErrorKind::Internal,
                    format!("could not be handled: express-harden's {id} transform failed on it (a bug: please report it with this file); left alone"),
                ));
                continue;
            }
            plan.changes[before.0..].iter_mut().for_each(|c| c.transform = id);
            plan.findings[before.1..].iter_mut().for_each(|f| f.transform = id);
            plan.elsewhere[before.4..].iter_mut().for_each(|(_, c)| c.transform = id);
        }
        elsewhere.append(&mut plan.elsewhere);
        result.findings.extend(plan.findings);
        result.advisories.extend(plan.advisories);
        if plan.held_back {
            held_back.insert(path.clone());
        }
        if !plan.changes.is_empty() {
            transform_steps.extend(plan.next_steps);
            bumps.entry(path.clone()).or_default().extend(plan.changes);
        }
    }
    // A member whose Express is its workspace root's, with the root's package.json outside the run (not in the paths
    // given): the root's version does not move, so the member's code does not migrate to the next major either (an
    // Express 5 root needs no move).
    for (member, root_manifest) in &express_members {
        if !planned_manifests.contains(member)
            || root_manifest.as_ref().is_some_and(|r| planned_manifests.contains(r))
            || projects[member]
                .listed_all("express")
                .iter()
                .all(|(_, spec)| crate::npm_spec::start_major(spec) == Some(5))
        {
            continue;
        }
        let mut needed: BTreeSet<&'static str> = BTreeSet::new();
        for (i, plan) in planned.iter().enumerate() {
            if manifests.owner(&found.sources[i]).as_ref() != Some(member) {
                continue;
            }
            let transforms = plan.change.as_ref().map(|c| c.transforms.as_slice()).unwrap_or_default();
            needed.extend(transforms.iter().copied().filter(|t| migrations.contains(t)));
        }
        if needed.is_empty() {
            continue;
        }
        held_back.insert(member.clone());
        held_back_outside.insert(member.clone());
        let root_dir = crate::lockfile::workspace_root_above(&projects[member].dir, root);
        let root_manifest = root_dir.map_or_else(
            || "the workspace root's package.json".to_string(),
            |d| crate::root::display_path(&d.join("package.json")),
        );
        for id in needed {
            result.findings.push(Finding {
                rule: crate::outcome::OUTSIDE_PATHS.to_string(),
                transform: id,
                path: member.clone(),
                line: 1,
                column: 1,
                message: format!(
                    "this project runs the Express that {root_manifest} lists, which is outside the paths given: the \
                     {id} migration is held back until that version moves with it (run express-harden on the \
                     workspace root)"
                ),
                severity: crate::outcome::engine_severity(crate::outcome::OUTSIDE_PATHS),
            });
        }
    }
    // A file read for context that could not be handled is said where it held a major change back.
    for error in outside_errors {
        if manifests.owner(&error.path).is_some_and(|m| held_back.contains(&m)) {
            result.errors.push(error);
        }
    }
    // Changes a manifest's plan makes to another manifest of the run (a workspace member's own dependency), where
    // that manifest's selection keeps the transform.
    for (target, change) in elsewhere {
        let Some(path) = projects.keys().find(|p| crate::root::same_path(p, &target)) else { continue };
        if selection.keeps(path, change.transform) && scoped_manifests.as_ref().is_none_or(|s| s.contains(path)) {
            bumps.entry(path.clone()).or_default().push(change);
        }
    }
    drop(failed_files);
    result.held_back = held_back.iter().cloned().collect();

    // Where a migration's major is held back, the files its migrations changed are planned again, writing only
    // what runs on the current major (and claiming no migration).
    if !held_back.is_empty() {
        let again: Vec<usize> = (0..planned.len())
            .filter(|&i| {
                planned[i].change.as_ref().is_some_and(|c| c.transforms.iter().any(|t| migrations.contains(t)))
                    && manifests.owner(&found.sources[i]).is_some_and(|m| {
                        held_back.contains(&m) || express_roots.get(&m).is_some_and(|r| held_back.contains(*r))
                    })
            })
            .collect();
        let replanned: Vec<(usize, Planned)> = again
            .into_par_iter()
            .with_max_len(crate::source::PARALLEL_CHUNK)
            .map(|i| {
                let replanned = match scan_file(&found.sources[i], None, None, &tracked, options, &kept) {
                    Scan::Analysed(analysed) => {
                        let (file, facts, _) = *analysed;
                        let outside =
                            manifests.owner(&found.sources[i]).is_some_and(|m| held_back_outside.contains(&m));
                        plan_one(i, file, facts, true, outside)
                    }
                    Scan::Failed(planned, _) => *planned,
                    Scan::Skipped(..) => Planned::default(),
                };
                (i, replanned)
            })
            .collect();
        for (i, mut p) in replanned {
            // A change an opt-out comment kept from being made may be why the major is held back: it stays reported.
            let kept: Vec<Finding> = planned[i]
                .findings
                .iter()
                .filter(|f| f.rule == crate::ignore::RULE && !p.findings.contains(f))
                .cloned()
                .collect();
            p.findings.extend(kept);
            planned[i] = p;
        }
    }
    project_links.clear();

    timings.phase("manifests planned, held-back files planned again");
    let mut requests: BTreeMap<Option<PathBuf>, Vec<(DependencyRequest, PathBuf)>> = BTreeMap::new();
    // (requester, module): the modules the changes import, each asked for by every file that imports it.
    let mut module_requests: Vec<(PathBuf, crate::transform::NewModule)> = Vec::new();
    for p in planned {
        if let Some(change) = &p.change {
            transform_steps.extend(p.next_steps);
            module_requests.extend(p.new_modules.into_iter().map(|m| (change.path.clone(), m)));
        }
        result.changes.extend(p.change.map(|c| *c));
        result.findings.extend(p.findings);
        result.errors.extend(p.error.map(|e| *e));
        for (manifest, request, source) in p.dependencies {
            requests.entry(manifest).or_default().push((request, source));
        }
    }
    let mut additions: BTreeMap<PathBuf, Vec<(DependencyRequest, PathBuf)>> = BTreeMap::new();
    for (manifest, requests) in requests {
        match manifest {
            Some(manifest) => {
                additions.insert(manifest, requests);
            }
            None => report_missing_manifest(&requests, &mut result),
        }
    }
    let touched: BTreeSet<PathBuf> = bumps.keys().chain(additions.keys()).cloned().collect();
    let no_examples = BTreeMap::new();
    for manifest in touched {
        let changes = bumps.remove(&manifest).unwrap_or_default();
        let added = additions.remove(&manifest).unwrap_or_default();
        let errors_before = result.errors.len();
        // A manifest that could not be read or parsed was reported when its project was built: once is enough.
        let unusable = projects.get(&manifest).is_some_and(|p| p.manifest.is_none());
        if !unusable {
            let examples = projects.get(&manifest).map(|p| &p.examples).unwrap_or(&no_examples);
            let workspace = projects.get(&manifest).and_then(|p| p.workspace_manifest.as_ref());
            apply_manifest(&manifest, examples, workspace, &changes, &added, root, &mut result);
        }
        // Code whose packages could not be recorded (the manifest cannot be read or edited) is not written either:
        // half a change (code without its package.json entry) leaves an app that does not start.
        if unusable || result.errors.len() > errors_before {
            let needing: BTreeSet<&PathBuf> = added.iter().map(|(_, source)| source).collect();
            let withdrawn: Vec<PathBuf> = result
                .changes
                .iter()
                .filter(|c| !c.is_manifest && needing.contains(&c.path))
                .map(|c| c.path.clone())
                .collect();
            result.changes.retain(|c| c.is_manifest || !needing.contains(&c.path));
            // Said once, with the manifest's own error: the files are the consequence, not other errors.
            if !withdrawn.is_empty() {
                let files: Vec<String> = withdrawn.iter().map(|p| crate::discover::display_path(p)).collect();
                let (need, are) = if files.len() == 1 { ("needs", "is") } else { ("need", "are") };
                let left = format!("{} {need} packages from it and {are} left alone", files.join(", "));
                match result.errors.iter_mut().find(|e| e.path == manifest) {
                    Some(error) => error.message = format!("{}; {left}", error.message),
                    None => result.errors.push(FileError::new(
                        manifest.clone(),
                        ErrorKind::BadManifest,
                        format!("could not be changed; {left}"),
                    )),
                }
            }
        }
    }

    create_modules(module_requests, options.drop_texts, &mut result);
    result.changes.sort_by(|a, b| (a.is_manifest, &a.path).cmp(&(b.is_manifest, &b.path)));
    result.findings.sort_by(|a, b| (&a.path, a.line, a.column, &a.rule).cmp(&(&b.path, b.line, b.column, &b.rule)));
    result.findings.dedup();
    result.errors.sort_by(|a, b| a.path.cmp(&b.path));
    // A manifest that cannot be read is met both when its project is built and when it is to be edited.
    let mut seen = BTreeSet::new();
    result.errors.retain(|e| seen.insert((e.path.clone(), e.message.clone())));
    result.transform_steps = transform_steps.into_iter().collect();
    result.next_steps = next_steps(&result);
    timings.phase("package.json edits, results gathered and sorted");
    result
}

/// With `EXPRESS_HARDEN_TIMINGS` set, the wall time of each phase of a run, printed on stderr as it ends (for the
/// benchmark and profiling; like rustc's `-Z time-passes`).
/// Also the CPU time of the process's threads over the phase, so that a phase's use of the cores shows.
struct Timings(Option<(std::time::Instant, Option<u64>)>);

impl Timings {
    fn from_env() -> Timings {
        Timings(std::env::var_os("EXPRESS_HARDEN_TIMINGS").map(|_| (std::time::Instant::now(), Self::cpu_micros())))
    }

    /// User and system time of every thread of the process so far, in microseconds (`getrusage`, as the benchmark
    /// reads it).
    #[cfg(unix)]
    fn cpu_micros() -> Option<u64> {
        // SAFETY: getrusage only writes the struct it is given.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        if unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) } != 0 {
            return None;
        }
        let micros =
            |t: libc::timeval| Some(u64::try_from(t.tv_sec).ok()? * 1_000_000 + u64::try_from(t.tv_usec).ok()?);
        Some(micros(usage.ru_utime)? + micros(usage.ru_stime)?)
    }

    #[cfg(not(unix))]
    fn cpu_micros() -> Option<u64> {
        None
    }

    fn phase(&mut self, name: &str) {
        // (At each phase's end, whether timed or not: see the function.)
        crate::release_freed_memory();
        if let Some((start, cpu)) = self.0.as_mut() {
            // The resident set now (Linux), to see what each phase keeps.
            let rss = std::fs::read_to_string("/proc/self/statm")
                .ok()
                .and_then(|s| s.split_whitespace().nth(1).and_then(|p| p.parse::<u64>().ok()))
                .map_or_else(String::new, |pages| format!("  rss {:>6} MB", pages * 4096 / 1_000_000));
            let now = Self::cpu_micros();
            let used = match (now, *cpu) {
                (Some(now), Some(before)) => format!("  cpu {:>7.1} ms", now.saturating_sub(before) as f64 / 1000.0),
                _ => String::new(),
            };
            eprintln!("timing: {:>8.1} ms{used}{rss}  {name}", start.elapsed().as_secs_f64() * 1000.0);
            *start = std::time::Instant::now();
            *cpu = now;
        }
    }
}

/// A source file after the first pass.
enum Scan {
    /// The prefilter found nothing the transforms look at: not analysed. What markup its code builds, if any (it is
    /// decoded and parsed only when the cheap test of [`crate::code_html`] finds some), and the listed packages it
    /// may import ([`crate::project::Named::packages`]).
    Skipped(Option<Box<crate::code_html::CodeScan>>, crate::source::PackageNames),
    /// Could not be analysed (unreadable, not UTF-8, too deep, not parsed) or set aside (too large, minified): the
    /// error or the finding, nothing planned; and what a byte search of its text shows it needs in a browser
    /// ([`crate::code_html::wasm_only`]).
    Failed(Box<Planned>, Option<Box<crate::code_html::CodeScan>>),
    /// Parsed and analysed, with what its code sends ([`crate::code_html::scan_parsed`]).
    /// (Boxed: most files send nothing, and the facts of every analysed file are held until it is planned.)
    Analysed(Box<(SourceFile, FileFacts, Option<Box<crate::code_html::CodeScan>>)>),
}

/// The specifiers a file imports or requires, in any form the linker follows.
fn imported_specs(facts: &FileFacts) -> impl Iterator<Item = &str> {
    let calls = facts.calls.iter().flat_map(|site| {
        let inline = site.call.callee.as_ref().and_then(|c| c.inline_require.as_deref());
        let args = site.call.args.iter().filter_map(|arg| match arg {
            crate::values::Value::Call(c) => match (c.callee.as_ref(), c.args.first()) {
                (Some(callee), Some(crate::values::Value::Str(spec, _)))
                    if callee.path == "require" && callee.binding.is_none() =>
                {
                    Some(spec.as_str())
                }
                _ => None,
            },
            _ => None,
        });
        inline.into_iter().chain(args)
    });
    let uses = facts.uses.iter().flat_map(|u| {
        u.middleware.iter().filter_map(|m| match m {
            crate::analysis::Middleware::RequireCall { module } => Some(module.as_str()),
            _ => None,
        })
    });
    facts
        .bindings
        .iter()
        .map(|b| b.module.as_str())
        .chain(facts.exports.iter().filter_map(|e| e.from.as_deref()))
        .chain(calls)
        .chain(uses)
        .filter(|spec| !spec.starts_with("node:"))
}

/// The nodes `edges` reach from `start`, `start` included.
fn reached(edges: &[Vec<usize>], start: usize) -> BTreeSet<usize> {
    let mut seen = BTreeSet::from([start]);
    let mut next = vec![start];
    while let Some(i) = next.pop() {
        for &target in edges.get(i).map_or(&[][..], Vec::as_slice) {
            if seen.insert(target) {
                next.push(target);
            }
        }
    }
    seen
}

/// What a path the code computes at run time (`express.static(config.publicDir)` in the module `from`) is, where the
/// project's modules tell ([`links::value_behind`]): the module whose code gives it, its base and the path under it.
fn resolved_path(
    computed: &crate::code_html::Computed,
    from: usize,
    inputs: &[Option<links::LinkInput<'_>>],
    resolver: &links::Resolver,
) -> Option<(usize, crate::code_html::Base, String)> {
    let (at, value) = links::value_behind(inputs, resolver, from, computed.names.as_deref()?)?;
    let facts = inputs.get(at)?.as_ref()?.facts;
    let (base, path) = crate::code_html::path_of_value(&value, &|name| facts.top_level_const(name).cloned())?;
    Some((at, base, path))
}

/// Whether a path the code computes at run time is a folder a package gives
/// (`require('swagger-ui-dist').getAbsoluteFSPath()`): the package's files, no page of the app.
fn package_folder(
    computed: &crate::code_html::Computed,
    from: usize,
    inputs: &[Option<links::LinkInput<'_>>],
    resolver: &links::Resolver,
) -> bool {
    let Some(names) = computed.names.as_deref() else { return false };
    let Some((at, Value::Call(call) | Value::New(call))) = links::value_behind(inputs, resolver, from, names) else {
        return false;
    };
    let Some(callee) = &call.callee else { return false };
    let module = callee.inline_require.as_deref().or(callee.binding.as_ref().map(|b| b.module.as_str()));
    let path = inputs.get(at).and_then(Option::as_ref).map(|input| input.path);
    module.is_some_and(|module| {
        !module.starts_with('.')
            && !crate::published::is_builtin(module)
            && path.is_some_and(|path| resolver.resolve(path, module).is_none())
    })
}

/// The analysed files (`files`) of the published library of `project` that only show how to use it: named as examples
/// (`sample.js`, `examples/`, `demo*`, `scripts/`) or outside its `files`, and reached from none of its entry points
/// (`roots`) through the project's imports; each with the packages it imports that the library declares nowhere.
fn examples_of(
    project: &Project,
    roots: &[usize],
    files: &[usize],
    inputs: &[Option<links::LinkInput<'_>>],
    sources: &[PathBuf],
    resolver: &links::Resolver,
) -> BTreeMap<PathBuf, Vec<String>> {
    let Some(info) = project.manifest.as_ref() else { return BTreeMap::new() };
    let mut reached: BTreeSet<usize> = roots.iter().copied().collect();
    let mut next: Vec<usize> = roots.to_vec();
    while let Some(i) = next.pop() {
        let Some(Some(input)) = inputs.get(i) else { continue };
        for target in imported_specs(input.facts).filter_map(|spec| resolver.resolve(&sources[i], spec)) {
            if reached.insert(target) {
                next.push(target);
            }
        }
    }
    files
        .iter()
        .filter(|i| !reached.contains(i))
        .filter_map(|&i| {
            let input = inputs.get(i)?.as_ref()?;
            let relative = relative_to(&project.dir, &crate::root::relative_to_cwd(&sources[i]))?.to_path_buf();
            let example = crate::published::looks_like_example(&relative)
                || info.files().is_some_and(|files| crate::published::outside_files(&relative, files));
            example.then(|| {
                let is_project = |spec: &str| resolver.resolve(&sources[i], spec).is_some();
                (sources[i].clone(), crate::published::undeclared(imported_specs(input.facts), info, is_project))
            })
        })
        .collect()
}

/// What the files of one project, or of a run of them, say of its code's use (see [`code_use`]).
#[derive(Default)]
struct ProjectUse {
    code_use: crate::project::CodeUse,
    package_calls: BTreeSet<(String, String)>,
    package_call_options: std::collections::BTreeMap<(String, String), Vec<(String, String)>>,
    nested_query: Option<(PathBuf, usize)>,
}

impl ProjectUse {
    /// Adds what files after these say: sets joined, and of what is kept once, the earlier files' kept.
    fn absorb(&mut self, later: ProjectUse) {
        self.code_use.absorb(later.code_use);
        self.package_calls.extend(later.package_calls);
        for (call, options) in later.package_call_options {
            self.package_call_options.entry(call).or_insert(options);
        }
        if self.nested_query.is_none() {
            self.nested_query = later.nested_query;
        }
    }

    /// Adds it to the project's (what the project already has counts as earlier).
    fn add_to(self, project: &mut Project) {
        let mut earlier = ProjectUse {
            code_use: std::mem::take(&mut project.code_use),
            package_calls: std::mem::take(&mut project.package_calls),
            package_call_options: std::mem::take(&mut project.package_call_options),
            nested_query: project.nested_query.take(),
        };
        earlier.absorb(self);
        let ProjectUse { code_use, package_calls, package_call_options, nested_query } = earlier;
        (project.code_use, project.package_calls) = (code_use, package_calls);
        (project.package_call_options, project.nested_query) = (package_call_options, nested_query);
    }
}

/// New code in a file whose syntax tells neither way (`module.exports = { ... }`) is written in the edition of most of
/// the project's files: `var` and `function` in an ES5 project. Applied to every analysis a plan reads (its first, and
/// each after a phase's edits).
fn settle_era(facts: &mut FileFacts, project: &Project) {
    if facts.style.era_unknown && project.code_use.mostly_es5() {
        facts.style.es5 = true;
    }
}

/// Adds what one analysed file uses to its project's [`crate::project::CodeUse`].
fn code_use(path: &Path, facts: &FileFacts, source: &SourceFile, out: &mut crate::project::CodeUse) {
    out.analysed_files += 1;
    out.apps += facts.apps.len();
    if !facts.style.era_unknown {
        if facts.style.es5 {
            out.es5_files += 1;
        } else {
            out.later_files += 1;
        }
    }
    // (The package's name is the start of the specifier: borrowed, and copied only into a set that lacks it. Every
    // file of a project imports the same few packages.)
    fn package_of(spec: &str) -> Option<&str> {
        if spec.starts_with('.') || spec.starts_with('/') || spec.starts_with("node:") {
            return None;
        }
        let mut parts = spec.split('/');
        let first = parts.next()?;
        Some(match (first.starts_with('@'), parts.next()) {
            (true, Some(second)) => &spec[..first.len() + 1 + second.len()],
            _ => first,
        })
    }
    fn add(set: &mut BTreeSet<String>, name: &str) {
        if !set.contains(name) {
            set.insert(name.to_string());
        }
    }
    for package in facts.bindings.iter().filter_map(|b| package_of(&b.module)) {
        add(&mut out.imports, package);
    }
    for package in facts.inline_requires.iter().filter_map(|m| package_of(m)) {
        add(&mut out.imports, package);
    }
    let opaque = facts
        .opaque_modules
        .iter()
        .chain(facts.exports.iter().filter_map(|e| e.from.as_ref()))
        .filter_map(|m| package_of(m));
    for package in opaque {
        add(&mut out.imports, package);
        add(&mut out.opaque, package);
    }
    // A package's export named anywhere (passed to `util.promisify`, kept in an object, re-exported) counts as
    // called: what is handed on is called elsewhere.
    out.functions
        .extend(facts.package_refs.iter().filter_map(|(m, e)| Some((package_of(m)?.to_string(), e.to_string()))));
    // `lodash/template` (or `lodash/template.js`) is lodash's `template`.
    let function_module = |module: &str| -> Option<(String, String)> {
        let package = package_of(module)?;
        let rest = module.get(package.len() + 1..)?;
        let name = rest.strip_suffix(".js").unwrap_or(rest);
        (!name.is_empty() && !name.contains('/')).then(|| (package.to_string(), name.to_string()))
    };
    for site in &facts.calls {
        let Some(callee) = site.call.callee.as_ref() else { continue };
        let module = match (&callee.binding, &callee.inline_require) {
            (Some(binding), _) if binding.kind == crate::bindings::ImportKind::Module => &binding.module,
            (None, Some(module)) => module,
            _ => continue,
        };
        match &*callee.members {
            [] => {
                if let Some(package) = package_of(module) {
                    add(&mut out.default_calls, package);
                    if !site.is_new {
                        add(&mut out.factory_calls, package);
                    }
                }
                out.functions.extend(function_module(module));
            }
            [member] if callee.binding.is_none() => {
                out.functions.extend(package_of(module).map(|p| (p.to_string(), member.to_string())));
            }
            _ => {}
        }
    }
    for read in facts.property_reads().iter() {
        add(&mut out.properties, &read.property);
    }
    for call in facts.member_calls().iter() {
        add(&mut out.methods, &call.method);
        if let [crate::values::Value::Str(setting, _), crate::values::Value::Str(engine, _), ..] = &call.args[..] {
            if call.method == "set" && setting == "view engine" {
                out.view_engines.insert(engine.to_string());
            }
        }
    }
    if out.request_redirect.is_none() {
        if let Some(at) = facts.request_redirect {
            out.request_redirect = Some((path.to_path_buf(), source.line(at as usize)));
        }
    }
    if out.route_pattern.is_none() {
        let pattern = |p: &str| p.contains([':', '*', '(', '?', '+']);
        let registrations = facts.registrations();
        let found = registrations.iter().find(|r| {
            r.method != "use"
                && (r.path.as_ref().is_some_and(|(p, _)| pattern(p)) || r.paths.iter().any(|(p, _)| pattern(p)))
        });
        if let Some(r) = found {
            out.route_pattern = Some((path.to_path_buf(), source.line(r.range.start())));
        }
    }
}

/// What the scripts of a single-file component use, of what [`code_use`] gathers: the packages it imports, calls
/// (`axios.get(...)`, counted with the functions called in forms [`Project::package_calls`] leaves out, which no other
/// transform reads) or reaches in a way that is not followed. A component that does not parse, or cannot be read, is
/// an unread file ([`crate::project::UnreadFile`]) that may import anything its text names. `None`: it has no script.
fn component_use(
    path: &Path,
    root: Option<&Path>,
) -> Option<Result<crate::project::CodeUse, crate::project::UnreadFile>> {
    use crate::project::{Named, Unread, UnreadFile};
    let unread = |why, text: Option<&[u8]>| {
        let text =
            text.map(|bytes| Named { packages: crate::source::named_packages(bytes, |_| true), ..Named::default() });
        Some(Err(UnreadFile { path: path.to_path_buf(), why, text }))
    };
    let bytes = match crate::fsread::read(path, crate::fsread::SOURCE_LIMIT, root) {
        Ok(bytes) => bytes,
        Err(crate::fsread::ReadError::TooLarge { .. }) => return unread(Unread::TooLarge, None),
        Err(_) => return unread(Unread::Unreadable, None),
    };
    let Ok(text) = std::str::from_utf8(&bytes) else { return unread(Unread::Unreadable, None) };
    let file = crate::source::component_script(path, text)?;
    let Ok(parsed) = parse(&file, &file.code) else { return unread(Unread::Syntax, Some(&bytes)) };
    let facts = crate::analysis::analyse(&file, &parsed);
    let mut all = crate::project::CodeUse::default();
    code_use(path, &facts, &file, &mut all);
    let crate::project::CodeUse { imports, default_calls, factory_calls, mut functions, opaque, .. } = all;
    functions.extend(package_calls(&facts).map(|(call, _)| call));
    Some(Ok(crate::project::CodeUse { imports, default_calls, factory_calls, functions, opaque, ..Default::default() }))
}

/// The folder of a manifest (`.` for a bare `package.json`).
fn manifest_dir(path: &Path) -> &Path {
    path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."))
}

/// The package functions a file calls (`mongoose.connect(...)`, `connect(...)` imported from mongoose), anywhere in
/// it: package and function name.
fn package_calls(facts: &FileFacts) -> impl Iterator<Item = ((String, String), &CallSite)> + '_ {
    facts.calls.iter().filter_map(|site| {
        let callee = site.call.callee.as_ref()?;
        let binding = callee.binding.as_ref()?;
        if binding.module.starts_with('.') || binding.module.starts_with('/') {
            return None;
        }
        let function = match (&binding.kind, &*callee.members) {
            (crate::bindings::ImportKind::Module, [member]) => member.clone(),
            (crate::bindings::ImportKind::Named(name), []) => name.clone(),
            _ => return None,
        };
        Some(((binding.module.to_string(), function.to_string()), site))
    })
}

/// Whether a project keeps `instance` among its exported instances, after `kept` (found before it, in path order). A
/// session store reuses the first instance of a kind (package, members, `new` or not) that is not in the file being
/// planned: the first one of the first module that exports one, or in that module itself the first one of the second.
/// Only those two can ever be picked; keeping every other one made each session's lookup scan all the project's
/// clients (quadratic in a project with thousands of client modules).
fn is_pickable(kept: &[links::ExportedInstance], instance: &links::ExportedInstance) -> bool {
    let same_kind: Vec<&links::ExportedInstance> = kept
        .iter()
        .filter(|k| {
            k.module == instance.module
                && k.members == instance.members
                && k.is_new == instance.is_new
                && k.called_again == instance.called_again
        })
        .collect();
    same_kind.len() < 2 && !same_kind.iter().any(|k| k.file == instance.file)
}

/// The packages of the project's workspaces: name, folder and entry, from the manifests found.
fn workspace_packages(projects: &HashMap<PathBuf, Project>) -> Vec<(String, PathBuf, Option<String>)> {
    projects
        .values()
        .filter_map(|p| {
            let info = p.manifest.as_ref()?;
            Some((info.name()?.to_string(), p.dir.clone(), info.entry().map(str::to_string)))
        })
        .collect()
}

/// The first pass's search of each file's bytes: the needles the transforms watch (the prefilter), and those of the
/// cheap tests of what code sends ([`crate::code_html::hint_needles`]).
struct Prefilter {
    /// The automaton as [`views::search_for`] builds it (a DFA, without aho-corasick's own prefilter), held as its own
    /// type rather than behind `AhoCorasick`, whose every step through the text is a dynamic call (19 instructions a
    /// byte, 91 M of a 2,000-file dry run; about 5 with the steps inlined).
    search: aho_corasick::dfa::DFA,
    /// How many of the needles are the transforms' (the first ones).
    watched: usize,
    /// What each of the others hints at.
    hints: Vec<crate::code_html::Hint>,
}

impl Prefilter {
    /// One automaton for all of them: a file is read once however many needles the transforms watch (the advisories
    /// watch every package their table covers); built once, for a few hundred needles, in well under a millisecond.
    fn new(watched: Vec<String>) -> Prefilter {
        let (hinting, hints): (Vec<&str>, Vec<crate::code_html::Hint>) = crate::code_html::hint_needles().unzip();
        let needles: Vec<&str> = watched.iter().map(String::as_str).chain(hinting).collect();
        match aho_corasick::dfa::DFA::builder().prefilter(false).build(&needles) {
            Ok(search) => Prefilter { search, watched: watched.len(), hints },
            Err(err) => panic!("the prefilter's needles do not build an automaton: {err}"),
        }
    }

    /// Whether `bytes` name a needle the transforms watch, and the cheap tests' hints: every occurrence of every
    /// needle, overlapping ones included (what `find_overlapping_iter` reports), from one walk of the automaton. (Not
    /// inlined into [`scan_file`], where the walk's state did not fit in registers: 15 instructions a byte, 8 here.)
    #[inline(never)]
    fn read(&self, bytes: &[u8]) -> (bool, crate::code_html::Hints) {
        use aho_corasick::automaton::Automaton;
        let mut found = (false, crate::code_html::Hints::default());
        let search = &self.search;
        // (An unanchored DFA always has a start state; the needles are not empty, so it matches nothing itself.)
        let Ok(mut sid) = search.start_state(aho_corasick::Anchored::No) else { return (true, found.1) };
        for (at, &byte) in bytes.iter().enumerate() {
            sid = search.next_state(aho_corasick::Anchored::No, sid, byte);
            if search.is_special(sid) {
                if search.is_match(sid) {
                    self.record(sid, bytes, at + 1, &mut found);
                } else if search.is_dead(sid) {
                    break;
                }
            }
        }
        found
    }

    /// Records the needles that end at `end` (the match state `sid`).
    #[cold]
    fn record(
        &self,
        sid: aho_corasick::automaton::StateID,
        bytes: &[u8],
        end: usize,
        found: &mut (bool, crate::code_html::Hints),
    ) {
        use aho_corasick::automaton::Automaton;
        let search = &self.search;
        for i in 0..search.match_len(sid) {
            let pattern = search.match_pattern(sid, i);
            let start = end - search.pattern_len(pattern);
            match pattern.as_usize().checked_sub(self.watched) {
                // (A watched needle counts where code may have it: not in a comment line.)
                None => found.0 = found.0 || !on_comment_line(bytes, start),
                Some(h) => found.1.record(self.hints[h], bytes, start),
            }
        }
    }
}

/// Whether the byte at `at` is in a comment by the look of its line: the line starts (after indentation) with `//`, or
/// with `/*` or `*` (a block comment's first line or a continuation line, as JSDoc writes them) and does not close
/// the comment before `at`. A needle found there names nothing the code does (`/** @param {import('express').Request}
/// req */`, `// app.use(helmet())` left commented out), so it does not make the file analysed by itself: a file that
/// differs from another only by its comments gets the same treatment. (A block comment whose lines do not start with
/// `*` is not recognised: its needles still count, as before. A line starting with `*` that is code, a multiplication
/// continued on a new line, is not worth a lexer.)
fn on_comment_line(bytes: &[u8], at: usize) -> bool {
    // (A line ends at LF, CRLF or a lone CR, as JavaScript's do.)
    let line_start = memchr::memrchr2(b'\n', b'\r', &bytes[..at]).map_or(0, |nl| nl + 1);
    let mut line = &bytes[line_start..at];
    if line_start == 0 {
        line = line.strip_prefix("\u{feff}".as_bytes()).unwrap_or(line);
    }
    let line = line.trim_ascii_start();
    if line.starts_with(b"//") {
        return true;
    }
    (line.starts_with(b"/*") || line.starts_with(b"*")) && memchr::memmem::find(line, b"*/").is_none()
}

/// How many bytes of analysed files' texts a run keeps between the passes ([`Budget`]).
const KEPT_TEXT_BUDGET: usize = 16 << 20;

/// How many bytes of analysed files' [`crate::analysis::Lists`] a run keeps open between the passes (as
/// [`FileFacts::lists_size`] counts them); past it, a file's lists are packed ([`FileFacts::pack`]).
const KEPT_LISTS_BUDGET: usize = 16 << 20;

/// What a run keeps of the analysed files between the passes: texts, and lists open.
struct Kept {
    texts: Budget,
    lists: Budget,
}

/// The bytes of text a run may still keep between the passes. A text kept is not read again (its links, the code's use,
/// the surveys and its plan each opened the file again: on 2,000 files, 5,100 opens and 11,000 stats against
/// parse-only's 2,100 and 2,400); past the budget, texts are parked ([`SourceFile::park`]) so that a large project's
/// memory does not grow with its texts. (A file that changes on disk while the tool runs is still never written over:
/// [`crate::write`] compares before writing.)
struct Budget(std::sync::atomic::AtomicUsize);

impl Budget {
    fn new(bytes: usize) -> Budget {
        Budget(std::sync::atomic::AtomicUsize::new(bytes))
    }

    /// Takes `bytes` from the budget: `false` (and nothing taken) when fewer are left.
    fn take(&self, bytes: usize) -> bool {
        use std::sync::atomic::Ordering::Relaxed;
        self.0.fetch_update(Relaxed, Relaxed, |left| left.checked_sub(bytes)).is_ok()
    }
}

#[cfg(test)]
mod text_budget_tests {
    use super::Budget;

    #[test]
    fn a_text_is_kept_while_the_budget_holds_it_whole() {
        let budget = Budget::new(10);
        assert!(budget.take(6));
        assert!(!budget.take(5), "5 bytes do not fit in the 4 left");
        assert!(budget.take(4));
        assert!(budget.take(0));
        assert!(!budget.take(1));
        assert!(!Budget::new(0).take(1), "a budget of nothing parks every text");
    }
}

/// Adds the new modules the changes import ([`crate::transform::FilePlan::new_modules`]) to the run's changes: each
/// once, as the first (by path) of the files whose change is still in the run printed it. A module that cannot be
/// made (something is at its path, or its text would not parse) takes the changes that import it out of the run,
/// with an error naming it: code that imports a module that is not there does not start. With `drop_texts`
/// ([`Options::drop_texts`]) only its diff is kept.
fn create_modules(requests: Vec<(PathBuf, crate::transform::NewModule)>, drop_texts: bool, result: &mut RunResult) {
    let changed: BTreeSet<&Path> = result.changes.iter().map(|c| c.path.as_path()).collect();
    // By module: its importers, and the text of the first of them.
    let mut modules: BTreeMap<PathBuf, (Vec<PathBuf>, crate::transform::NewModule)> = BTreeMap::new();
    for (requester, module) in requests {
        if !changed.contains(requester.as_path()) {
            continue;
        }
        match modules.entry(module.path.clone()) {
            std::collections::btree_map::Entry::Vacant(entry) => {
                entry.insert((vec![requester], module));
            }
            std::collections::btree_map::Entry::Occupied(mut entry) => {
                let (importers, first) = entry.get_mut();
                if importers.iter().all(|i| requester < *i) {
                    *first = module;
                }
                importers.push(requester);
            }
        }
    }
    for (path, (mut importers, module)) in modules {
        importers.sort();
        let taken = std::fs::symlink_metadata(&path).is_ok();
        let source = SourceFile::new(path.clone(), module.text.clone());
        let parses = !taken && parse(&source, &source.code).is_ok();
        if parses {
            let mut change = FileChange::create(path, module.text, module.transform);
            change.diff = Some(crate::report::unified_diff(&change));
            if drop_texts {
                change.drop_texts();
            }
            result.changes.push(change);
            continue;
        }
        let why = if taken {
            "something is at that path already"
        } else {
            "its text would not parse (a bug in express-harden: please report it)"
        };
        let names: Vec<String> = importers.iter().map(|p| crate::discover::display_path(p)).collect();
        result.changes.retain(|c| !importers.contains(&c.path));
        result.errors.push(FileError::new(
            &path,
            ErrorKind::Conflict,
            format!(
                "could not be created as the module {} would import: {why}; {} left alone",
                names.join(", "),
                if names.len() == 1 { "it is" } else { "they are" }
            ),
        ));
    }
}

/// Reads, parses and analyses one source file (when it mentions one of `needles`, if given; else it is skipped with
/// which packages of the given set it may import). Errors stay with the file; they never stop the run. With
/// `client`, a file that uses a client-side cookie API is recorded there (whatever the prefilter and the size limit
/// say: client code is rarely the server's).
fn scan_file(
    path: &Path,
    needles: Option<(&Prefilter, &rustc_hash::FxHashSet<String>)>,
    client: Option<&Mutex<Vec<(PathBuf, String)>>>,
    tracked: &[&str],
    options: &Options,
    kept: &Kept,
) -> Scan {
    let record_client = |bytes: &[u8]| {
        if let Some(client) = client.filter(|_| crate::client_cookies::is_client_code(bytes)) {
            let text = String::from_utf8_lossy(bytes).into_owned();
            client.lock().unwrap_or_else(|e| e.into_inner()).push((path.to_path_buf(), text));
        }
    };
    // (What a file the run cannot read needs in a browser, by a byte search of its text: see `Scan::Failed`.)
    let needs = |bytes: &[u8]| crate::code_html::wasm_only(bytes).map(Box::new);
    let failed = |error: FileError, needs: Option<Box<crate::code_html::CodeScan>>| {
        Scan::Failed(Box::new(Planned { error: Some(Box::new(error)), ..Planned::default() }), needs)
    };
    let fail = |kind: ErrorKind, message: String| FileError::new(path, kind, message);
    // Not read at all above the size limit: a bundle or generated code (like Biome's files.maxSize), named.
    let limit = options.max_file_size.0;
    let bytes = match crate::fsread::read(path, limit, options.root.as_deref()) {
        Ok(bytes) => {
            record_client(&bytes);
            bytes
        }
        Err(crate::fsread::ReadError::TooLarge { size, .. }) => {
            // (A client bundle bigger than the limit may still read a cookie, or compile WebAssembly: looked at, not
            // analysed.)
            let bytes = crate::fsread::read(path, crate::fsread::SOURCE_LIMIT, options.root.as_deref()).ok();
            if let Some(bytes) = &bytes {
                record_client(bytes);
            }
            let message = format!(
                "not analysed: {} is over the {} limit for one source file (a bundle or generated code, most likely); \
                 to include it, pass --max-file-size {} or set \"maxFileSize\" in express-harden.json",
                crate::fsread::human(size),
                crate::fsread::amount(limit),
                crate::fsread::amount_flag(size),
            );
            return skipped(path, "engine/too-large", message, bytes.as_deref().and_then(needs));
        }
        Err(err) => return failed(FileError::unread(path, &err), None),
    };
    // The prefilter: a file that mentions none of the needles outside comment lines cannot matter (unless a module
    // that matters imports it), and is not even decoded.
    // (The same search answers the cheap tests of what the code sends.)
    let (watched, hints) = match needles {
        Some((needles, _)) => needles.read(&bytes),
        None => (true, crate::code_html::Hints::of(&bytes)),
    };
    if let (false, Some((_, listed))) = (watched, needles) {
        let packages = crate::source::named_packages(&bytes, |name| listed.contains(name));
        // (What markup its code builds is all helmet needs of it, from the bytes read here; a file the scanner fails
        // on only loses that evidence.)
        let markup = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            crate::code_html::scan_unanalysed(path, bytes, hints, options.include_minified)
        }));
        return Scan::Skipped(markup.ok().flatten().map(Box::new), packages);
    }
    if !options.include_minified {
        if let Some(layout) = crate::source::minified(path, &bytes) {
            let message = format!(
                "not analysed: it looks minified (lines of {} bytes on average, the longest {}): a bundle is rebuilt \
                 from its sources, which are the ones to fix; to include it, pass --include-minified or set \
                 \"includeMinified\": true in express-harden.json",
                layout.average, layout.longest
            );
            return skipped(path, "engine/minified", message, needs(&bytes));
        }
    }
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(err) => {
            let at = err.utf8_error().valid_up_to();
            let error =
                fail(ErrorKind::NotUtf8, format!("is not UTF-8 text (invalid byte at offset {at}); left alone"));
            return failed(error, needs(err.as_bytes()));
        }
    };
    let file = SourceFile::new(path.to_path_buf(), text);
    // Deep nesting would overflow the stack the parse and the walks below recurse on, and labels nested in labels of
    // their name would fill memory with the parser's errors (either way the whole process would die): such a file is
    // left alone.
    if let Err(too_deep) = crate::depth::check(&file.code, file.kind, &crate::depth::pool().1) {
        return failed(fail(ErrorKind::TooDeep, format!("{too_deep}; left alone")), needs(file.code.as_bytes()));
    }
    let parsed = match parse(&file, &file.code) {
        Ok(parsed) => parsed,
        Err(err) => {
            let error = fail(ErrorKind::Syntax, format!("does not parse ({err}); left alone"));
            return failed(error, needs(file.code.as_bytes()));
        }
    };
    let mut facts = analyse_tracking(&file, &parsed, Some(tracked));
    // What its code sends (markup, headers, what it serves), from the same tree; a file the scanner fails on only loses
    // that evidence.
    let sends = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        crate::code_html::scan_parsed(&file, &parsed.program, hints)
    }))
    .ok()
    .flatten()
    .map(Box::new);
    drop(parsed);
    // Kept until the file is planned, after every file is read and linked: the text too while the run's budget for
    // texts lasts, else it is parked and read again then.
    let mut file = file;
    if !kept.texts.take(file.code.len()) {
        file.park();
    }
    if !kept.lists.take(facts.lists_size()) {
        facts.pack();
    }
    Scan::Analysed(Box::new((file, facts, sends)))
}

/// The finding on an example file of a published library that is left alone: it imports `missing`, which the library
/// declares nowhere.
fn example_finding(path: &Path, project: &Project, missing: &[String]) -> Finding {
    let name = project.manifest.as_ref().and_then(ManifestInfo::name).unwrap_or("the package");
    let names = missing.iter().map(|m| format!("`{m}`")).collect::<Vec<_>>().join(", ");
    Finding {
        rule: crate::published::RULE.to_string(),
        transform: "engine",
        path: path.to_path_buf(),
        line: 1,
        column: 1,
        message: format!(
            "left alone: this is example code of the published library `{name}` (named as an example or outside its \
             `files`, and reached from none of its entry points), and it needs {names}, which the library does not \
             declare: a change here would add packages to what the library's users install. To harden it, declare \
             what it needs in devDependencies and run again"
        ),
        severity: crate::outcome::engine_severity(crate::published::RULE),
    }
}

/// A source file left unread or unparsed on purpose, with the engine's finding that names it and says how to include
/// it.
fn skipped(path: &Path, rule: &str, message: String, needs: Option<Box<crate::code_html::CodeScan>>) -> Scan {
    let finding = Finding {
        rule: rule.to_string(),
        transform: "engine",
        path: path.to_path_buf(),
        line: 1,
        column: 1,
        message,
        severity: crate::outcome::engine_severity(rule),
    };
    Scan::Failed(Box::new(Planned { findings: vec![finding], ..Planned::default() }), needs)
}

/// Plans one analysed source file. Errors stay with the file; they never stop the run.
#[allow(clippy::too_many_arguments)]
fn plan_file(
    file: SourceFile,
    facts: FileFacts,
    file_links: &FileLinks,
    project: &Project,
    manifest: Option<PathBuf>,
    transforms: &[&dyn Transform],
    tracked: &[&str],
    options: &Options,
) -> Planned {
    let path = file.path.clone();
    let path = path.as_path();
    let mut planned = Planned::default();
    let fail = |kind: ErrorKind, message: String| Box::new(FileError::new(path, kind, message));
    // An opt-out comment that names no transform keeps nothing: said once per file, on the original.
    if file.code.contains(crate::ignore::DIRECTIVE) {
        let mut known = crate::transforms::all_ids();
        known.extend(transforms.iter().map(|t| t.info().id));
        known.sort_unstable();
        known.dedup();
        planned.findings.extend(crate::ignore::unknown_ids(&file, &facts.comments, &known));
    }
    // The original's early errors, looked up only when a result has some (parsing it again is cheaper than keeping
    // every file's tree for a case that should not happen).
    let mut original_early: Option<Vec<EarlyError>> = None;

    // Transforms run in phases: code migrations first, then the others on the migrated code (a session hardened
    // inside `app.configure(...)` must be hardened where the migration puts it). Each phase's result is verified.
    let mut phases: Vec<Phase> = transforms.iter().map(|t| t.phase()).collect();
    phases.sort_unstable();
    phases.dedup();
    // The file as the previous phases left it (the original until a phase changes it: no copy before then).
    let mut rewritten: Option<SourceFile> = None;
    let mut current_facts = facts;
    // The links' ranges are the original's: after a phase changes the file, they move with its edits.
    let mut current_links: Option<FileLinks> = None;
    let mut all_edits: Vec<Edit> = Vec::new();
    let mut ids: Vec<&'static str> = Vec::new();
    let mut phases_with_edits = 0;
    // The modules the transforms' edits import: the change's, when their edits are in it.
    let mut new_modules: Vec<crate::transform::NewModule> = Vec::new();
    let mut earlier_requests: Vec<crate::transform::DependencyRequest> = Vec::new();
    for (index, phase) in phases.iter().enumerate() {
        let current = rewritten.as_ref().unwrap_or(&file);
        let mut plan = FilePlan::default();
        let ignores = crate::ignore::find(current, &current_facts.comments);
        // Insertions up to here are what other code needs (imports, helpers): see `ignore::apply`.
        let support_end = current_facts
            .top_level_imports
            .last()
            .map(|r| r.end())
            .or(current_facts.first_statement.map(|s| s as usize))
            .unwrap_or(0);
        for transform in transforms.iter().filter(|t| t.phase() == *phase) {
            // The engine attributes what the transform planned: transforms never pass their id around.
            let id = transform.info().id;
            let cx = FileContext {
                transform: transform.info(),
                file: current,
                facts: &current_facts,
                links: current_links.as_ref().unwrap_or(file_links),
                project,
                options,
                requested: &earlier_requests,
            };
            let before = (plan.edits.len(), plan.dependencies.len(), plan.findings.len(), plan.new_objects.len());
            let modules_before = plan.new_modules.len();
            let start = crate::ignore::PlanStart::of(&plan);
            transform.plan(&cx, &mut plan);
            plan.new_modules[modules_before..].iter_mut().for_each(|m| m.transform = id);
            plan.edits[before.0..].iter_mut().for_each(|e| e.transform = id);
            plan.dependencies[before.1..].iter_mut().for_each(|d| d.transform = id);
            plan.findings[before.2..].iter_mut().for_each(|f| f.transform = id);
            plan.new_objects[before.3..].iter_mut().for_each(|p| p.transform = id);
            if !ignores.is_empty() {
                crate::ignore::apply(current, &ignores, id, &mut plan, start, support_end);
            }
        }
        // The parts several transforms planned for one new object become one object literal.
        // So do the parts several transforms planned for one existing one-line object (over several lines when
        // together they take it past the print width).
        plan.edits.extend(crate::objects::new_object_edits(
            &current.code,
            &current_facts.comments,
            &plan.new_objects,
            &current_facts.style,
        ));
        planned.findings.extend(plan.findings);
        planned.next_steps.extend(plan.next_steps);
        new_modules.extend(plan.new_modules);
        earlier_requests.extend(plan.dependencies.iter().cloned());
        for request in plan.dependencies {
            planned.dependencies.push((manifest.clone(), request, path.to_path_buf()));
        }
        if plan.edits.is_empty() {
            continue;
        }
        let updated = match edit::apply(&current.code, &plan.edits) {
            Ok(updated) => updated,
            Err(conflict) => {
                planned.error = Some(fail(
                    ErrorKind::Conflict,
                    format!(
                        "the {} and {} transforms want to change the same code (offset {}); left alone, run them one \
                     at a time with --only",
                        conflict.first, conflict.second, conflict.at
                    ),
                ));
                planned.dependencies.clear();
                return planned;
            }
        };
        // Verify: what we show or write must parse.
        let next = SourceFile::new(path.to_path_buf(), current.full_text(&updated));
        // (The last phase's result is not analysed again: only the pieces the edits change are parsed where that
        // tells; else, or when that cannot tell, the whole.)
        let last = index + 1 == phases.len();
        let reparsed = if last && crate::verify::verified_in_pieces(current, &current_facts, &plan.edits, &updated) {
            None
        } else {
            Some(match parse(&next, &next.code) {
                Ok(reparsed) => reparsed,
                Err(err) => {
                    planned.error = Some(fail(
                        ErrorKind::Unverified,
                        format!(
                    "the rewritten file would not parse ({err}); left alone. This is a bug in express-harden: please \
                     report it"
                ),
                    ));
                    planned.dependencies.clear();
                    return planned;
                }
            })
        };
        // Verify: what we show or write must load in Node, unless the original did not either (a name the original
        // already declares twice is the file's own problem, as before).
        let result_errors = reparsed
            .as_ref()
            .map(|reparsed| early_errors::check(&reparsed.program, early_mode(&next, &reparsed.program)))
            .unwrap_or_default();
        let new_error = if result_errors.is_empty() {
            None
        } else {
            let original_errors = original_early.get_or_insert_with(|| match parse(&file, &file.code) {
                Ok(parsed) => early_errors::check(&parsed.program, early_mode(&file, &parsed.program)),
                Err(_) => Vec::new(),
            });
            result_errors.into_iter().find(|e| !original_errors.iter().any(|o| o.kind == e.kind && o.name == e.name))
        };
        if let Some(early) = new_error {
            let (line, column) = next.line_col(early.at);
            planned.error = Some(fail(
                ErrorKind::Unverified,
                format!(
                    "the rewritten file would not load in Node ({early}, at {line}:{column} of the result); left \
                     alone. This is a bug in express-harden: please report it"
                ),
            ));
            planned.dependencies.clear();
            return planned;
        }
        // (A transform whose part went into another's edit, its properties of a new object, changed the file too.)
        ids.extend(plan.edits.iter().flat_map(|e| std::iter::once(e.transform).chain(e.merged.iter().copied())));
        // The edits so far, on the original text, each still owned by its transform (reports group them so).
        all_edits = if phases_with_edits == 0 {
            plan.edits
        } else {
            edit::compose(&file.code, &all_edits, &plan.edits).unwrap_or_else(|| {
                // Cannot happen for edits that apply (the tests check every fixture); whole: owned by the first.
                let first = all_edits.first().map_or("merged", |e| e.transform);
                let contributors: Vec<Edit> = all_edits.iter().chain(&plan.edits).cloned().collect();
                edit::owned_by(edit::diff_edits(&file.code, &updated), first, &contributors)
            })
        };
        phases_with_edits += 1;
        if let (false, Some(reparsed)) = (last, &reparsed) {
            current_facts = analyse_tracking(&next, reparsed, Some(tracked));
            settle_era(&mut current_facts, project);
            current_links = Some(file_links.shifted(&all_edits));
        }
        rewritten = Some(next);
    }
    if phases_with_edits == 0 {
        return planned;
    }
    if !file.takes_edits() {
        // The layout of new code (indentation, line starts) is read at LF; rather than guess, such files are not
        // edited. Their findings go too: several explain a change that is not made (the error says why).
        planned.error = Some(fail(
            ErrorKind::Unsupported,
            "ends its lines with a lone CR (classic Mac line endings), which express-harden does not edit; left \
             alone: convert it to LF or CRLF (for example `dos2unix -c mac FILE`) and run again"
                .to_string(),
        ));
        planned.dependencies.clear();
        planned.findings.clear();
        planned.next_steps.clear();
        return planned;
    }
    ids.sort();
    ids.dedup();
    let original = file.full_text(&file.code);
    let current = rewritten.as_ref().unwrap_or(&file);
    let updated = current.full_text(&current.code);
    let edits = all_edits;
    let mut change = FileChange::new(path.to_path_buf(), false, original, updated, ids, edits);
    change.diff = Some(crate::report::unified_diff(&change));
    change.compact();
    new_modules.retain(|m| change.transforms.contains(&m.transform));
    planned.new_modules = new_modules;
    planned.change = Some(Box::new(change));
    planned
}

/// How Node reads a file: as an ES module when its extension says so or it has `import`/`export` (a `.js` file of a
/// `"type": "module"` package without either reads as a script here: that only matters for a function declared
/// twice at its top level, which the original would then show too).
fn early_mode(file: &SourceFile, program: &swc_ecma_ast::Program) -> early_errors::Mode {
    early_errors::Mode {
        module: file.ext_module == ExtensionModule::Esm || matches!(program, swc_ecma_ast::Program::Module(_)),
        typescript: file.kind != SourceKind::JavaScript,
    }
}

/// Nearest package.json of every folder that holds a discovered file, looked up once per folder.
struct ManifestIndex {
    by_dir: HashMap<PathBuf, Option<PathBuf>>,
    /// The project root the lookups stop at.
    root: Option<PathBuf>,
}

impl ManifestIndex {
    fn build<'a>(files: impl Iterator<Item = &'a PathBuf>, root: Option<&Path>) -> ManifestIndex {
        // A hash set: ordering thousands of paths compares them component by component, which costs more than the
        // lookups themselves.
        let dirs: rustc_hash::FxHashSet<PathBuf> = files.map(|f| parent_dir(f)).collect();
        let by_dir = dirs
            .into_iter()
            .collect::<Vec<_>>()
            .into_par_iter()
            .map(|dir| {
                let found = manifest::find_nearest_manifest(&dir, root).map(|m| crate::discover::relative_to_cwd(&m));
                (dir, found)
            })
            .collect();
        ManifestIndex { by_dir, root: root.map(Path::to_path_buf) }
    }

    fn nearest(&self, file: &Path) -> Option<PathBuf> {
        self.nearest_ref(file).map(Path::to_path_buf)
    }

    /// [`ManifestIndex::nearest`], borrowed (looked up for every file in the passes between the first and planning).
    fn nearest_ref(&self, file: &Path) -> Option<&Path> {
        self.by_dir.get(parent_of(file)).and_then(Option::as_deref)
    }

    /// The manifest of the project a path belongs to (as the manifests are keyed: relative to the current folder),
    /// for a discovered file or any other path.
    fn owner(&self, path: &Path) -> Option<PathBuf> {
        match self.by_dir.get(parent_of(path)) {
            Some(found) => found.clone(),
            None => manifest::find_nearest_manifest(&parent_dir(path), self.root.as_deref())
                .map(|m| crate::discover::relative_to_cwd(&m)),
        }
    }
}

/// `path` relative to the folder `dir` (`.` is the current folder, which discovered paths do not spell out).
fn relative_to<'a>(dir: &Path, path: &'a Path) -> Option<&'a Path> {
    match dir == Path::new(".") {
        true => Some(path.strip_prefix(".").unwrap_or(path)),
        false => path.strip_prefix(dir).ok(),
    }
}

fn parent_dir(file: &Path) -> PathBuf {
    parent_of(file).to_path_buf()
}

/// [`parent_dir`], borrowed.
fn parent_of(file: &Path) -> &Path {
    match file.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

fn build_projects(
    manifests: &ManifestIndex,
    walked_manifests: &[PathBuf],
    view_files: &[PathBuf],
    root: Option<&Path>,
    errors: &mut Vec<FileError>,
) -> HashMap<PathBuf, Project> {
    let mut projects: HashMap<PathBuf, Project> = HashMap::default();
    let walked: Vec<PathBuf> = walked_manifests.iter().map(|m| crate::discover::relative_to_cwd(m)).collect();
    let unique: BTreeSet<&PathBuf> = manifests.by_dir.values().flatten().chain(walked.iter()).collect();
    for manifest_path in unique {
        let dir = parent_dir(manifest_path);
        let manifest = match read_manifest(manifest_path, root) {
            Ok(text) => match ManifestInfo::parse(&text) {
                Ok(info) => Some(info),
                Err(err) => {
                    errors.push(FileError::new(
                        manifest_path.clone(),
                        ErrorKind::BadManifest,
                        format!("is not usable: {err}"),
                    ));
                    None
                }
            },
            Err(err) => {
                errors.push(FileError::unread(manifest_path.clone(), &err));
                None
            }
        };
        let (node, unread) = NodeTarget::detect(&dir, manifest.as_ref(), root);
        let workspace_manifest = crate::lockfile::workspace_root_above(&dir, root)
            .and_then(|d| read_manifest(&d.join("package.json"), root).ok())
            .and_then(|text| ManifestInfo::parse(&text).ok());
        let locked = manifest.as_ref().map_or_else(Default::default, |m| {
            let names = m.dependency_names().chain(workspace_manifest.iter().flat_map(|w| w.dependency_names()));
            crate::lockfile::npm_locked_versions(&dir, root, names)
        });
        errors.extend(unread.iter().map(|(path, err)| FileError::unread(path.clone(), err)));
        let webpack_eval = manifest
            .as_ref()
            .filter(|m| crate::bundler::DEV_MIDDLEWARE.iter().any(|p| !m.dependency_all(p).is_empty()))
            .and_then(|_| crate::bundler::webpack_eval(&dir, root));
        projects.insert(
            manifest_path.clone(),
            Project {
                dir,
                manifest_path: Some(manifest_path.clone()),
                manifest,
                workspace_manifest,
                locked,
                node,
                views: Vec::new(),
                frame_options_set: None,
                embed_code: None,
                code_pages: None,
                allows_every_origin: None,
                computed_allow_origin: None,
                rm_whitespace: None,
                pug_pretty: None,
                ejs_delimiters: None,
                instances: Vec::new(),
                nested_query: None,
                package_calls: Default::default(),
                package_call_options: Default::default(),
                ts_before_es2018: false,
                webpack_eval,
                client_cookies: Default::default(),
                code_use: Default::default(),
                surveys: Default::default(),
                module_paths_taken: Vec::new(),
                examples: Default::default(),
                start_runs_example: false,
                served: Vec::new(),
                computed_folders: Vec::new(),
                views_in_examples: std::sync::OnceLock::new(),
                before_express3: std::sync::OnceLock::new(),
                filled: Vec::new(),
            },
        );
    }
    type Scanned = (PathBuf, Option<PathBuf>, views::ViewScan);
    let scans: Vec<Result<Scanned, FileError>> = view_files
        .par_iter()
        .filter_map(|path| {
            let text = match crate::fsread::read(path, crate::fsread::SOURCE_LIMIT, root) {
                Ok(text) => text,
                Err(err) => return Some(Err(FileError::unread(path, &err))),
            };
            let text = String::from_utf8_lossy(&text);
            // A view the scanner fails on only loses its CSP evidence (a panic here must not end the run).
            // (A view with nothing the policy meets is kept too: it is a page the app serves, which helmet's
            // upgrade-insecure-requests would break over plain HTTP.)
            let scan = std::panic::catch_unwind(|| views::scan_view(path, &text)).ok()?;
            Some(Ok((path.clone(), manifests.nearest(path), scan)))
        })
        .collect();
    let (scans, unread): (Vec<_>, Vec<_>) = scans.into_iter().partition(Result::is_ok);
    errors.extend(unread.into_iter().filter_map(Result::err));
    for (path, manifest, scan) in scans.into_iter().filter_map(Result::ok) {
        if let Some(project) = manifest.and_then(|m| projects.get_mut(&m)) {
            project.views.push((path, scan));
        }
    }
    projects
}

/// Reads the app's own stylesheets that `project`'s pages link ([`views::ViewScan::own_css`]) for the `@import` of
/// Leaflet's stylesheet from another host, which then counts as the page's own link (the markers' icons come from
/// there). A URL from the site's root is looked for in the folders the app serves (`served`: folders and files; its
/// `public` folder when none is known), a relative one beside the page; a file not there (a build's output) says
/// nothing.
fn linked_stylesheets(project: &mut Project, served: &[(PathBuf, bool)], root: Option<&Path>) {
    let public = [(project.dir.join("public"), false)];
    let dirs: Vec<&PathBuf> = served
        .iter()
        .chain(if served.is_empty() { &public[..] } else { &[] })
        .filter(|(_, f)| !f)
        .map(|(d, _)| d)
        .collect();
    let mut read: BTreeMap<PathBuf, Option<views::ViewScan>> = BTreeMap::new();
    let dir = crate::root::normalize(&project.dir);
    for (page, scan) in &mut project.views {
        for (line, url) in std::mem::take(&mut scan.own_css) {
            let (leaflet, loaded) = imported_leaflet(&parent_dir(page), &url, &dirs, &dir, root, &mut read, 0);
            // (What the stylesheet loads from other hosts, its `url()` images and fonts and the stylesheets it
            // imports, counts as the page's, at the line of its link; Leaflet's stylesheet is among them.)
            scan.external.extend(loaded.into_iter().map(|r| views::ExternalResource { line, ..r }));
            scan.leaflet_css.extend(leaflet.into_iter().map(|r| views::ExternalResource { line, ..r }));
        }
    }
}

/// Leaflet's stylesheets from other hosts that the app's own stylesheet at `url` (linked from a file in `from`)
/// imports, itself or through the stylesheets of the app's own it imports in turn (`app.css` -> `vendor.css` ->
/// unpkg's `leaflet.css`; followed up to four deep, which also ends a cycle; each file read once: `read` remembers
/// what it holds); and everything those stylesheets load from other hosts (`url(https://images.example.com/a.png)`,
/// fonts, imported stylesheets).
fn imported_leaflet(
    from: &Path,
    url: &str,
    dirs: &[&PathBuf],
    project: &Path,
    root: Option<&Path>,
    read: &mut BTreeMap<PathBuf, Option<views::ViewScan>>,
    depth: usize,
) -> (Vec<views::ExternalResource>, Vec<views::ExternalResource>) {
    let path = url.split(['?', '#']).next().unwrap_or_default();
    let candidates: Vec<PathBuf> = match path.strip_prefix('/') {
        Some(rel) => dirs.iter().map(|d| d.join(rel)).collect(),
        None => vec![from.join(path)],
    };
    // (Only the project's own files: `../../x.css` from a page may lead anywhere.)
    let mut files = candidates.into_iter().map(|c| crate::root::normalize(&c)).filter(|f| f.starts_with(project));
    let Some(file) = files.find(|file| {
        let css = read.entry(file.clone()).or_insert_with(|| {
            let text = crate::fsread::read(file, crate::fsread::SOURCE_LIMIT, root).ok()?;
            Some(views::scan_stylesheet(&String::from_utf8_lossy(&text)))
        });
        css.is_some()
    }) else {
        return (Vec::new(), Vec::new());
    };
    let Some(css) = read.get(&file).cloned().flatten() else { return (Vec::new(), Vec::new()) };
    let (mut found, mut loaded) = (css.leaflet_css, css.external);
    if depth < 4 {
        let here = parent_dir(&file);
        for (_, inner) in &css.own_css {
            let (leaflet, more) = imported_leaflet(&here, inner, dirs, project, root, read, depth + 1);
            found.extend(leaflet);
            loaded.extend(more);
        }
    }
    for list in [&mut found, &mut loaded] {
        list.sort_by(|a, b| (a.kind, &a.origin).cmp(&(b.kind, &b.origin)));
        list.dedup_by(|a, b| a.origin == b.origin && a.kind == b.kind);
    }
    (found, loaded)
}

/// The scripts of the files the code fills before sending ([`Project::filled`]) are not sent as written: a script that
/// holds a string the code replaces has no hash (its text varies: 'unsafe-inline'), the others keep theirs; with a
/// replaced string the code computes (or one across lines), none has.
fn filled_views(project: &mut Project, root: Option<&Path>) {
    let filled = std::mem::take(&mut project.filled);
    for (page, scan) in &mut project.views {
        let key = crate::discover::scope_key(page);
        let Some((_, searches)) = filled.iter().find(|(file, _)| *file == key) else { continue };
        let scripts = |scan: &views::ViewScan| -> Vec<usize> {
            (0..scan.inline.len()).filter(|&i| scan.inline[i].kind == views::InlineKind::Script).collect()
        };
        let mine = scripts(scan);
        let searches = searches.as_ref().filter(|list| list.iter().all(|s| !s.is_empty() && !s.contains('\n')));
        let text = crate::fsread::read(page, crate::fsread::SOURCE_LIMIT, root).ok();
        let refilled = searches.zip(text).map(|(list, text)| {
            // (Each replaced string as a template tag: the scanner takes a script that holds one as varying.)
            let mut text = String::from_utf8_lossy(&text).into_owned();
            for search in list {
                text = text.replace(search.as_str(), "{{filled}}");
            }
            views::scan_view(page, &text)
        });
        let theirs = refilled.as_ref().map(scripts);
        for (n, &i) in mine.iter().enumerate() {
            let hash = match (&refilled, &theirs) {
                (Some(again), Some(theirs)) if theirs.len() == mine.len() => again.inline[theirs[n]].hash.clone(),
                _ => None,
            };
            if hash.is_none() {
                let code = &mut scan.inline[i];
                (code.hash, code.trimmed_hash) = (None, None);
                code.more_hashes.clear();
            }
        }
    }
    project.filled = filled;
}

/// Keeps the view files (HTML and templates) of `project` that the app can send: those under a folder it serves or
/// renders views from (`served`, normalised, each with whether it names a file; Express's default views folder,
/// `views` in the project's folder, always counts), or a file it sends. HTML the app never sends (`docs/index.html`,
/// a README's assets) says nothing of the pages the Content-Security-Policy must fit. A served folder that is not in
/// the checkout (a build's output, which copies HTML from elsewhere) leaves every file counted.
fn keep_served_views(project: &mut Project, served: &[(PathBuf, bool)]) {
    if served.iter().any(|(path, file)| !file && !path.is_dir()) {
        return;
    }
    // (Compared absolute: the project's folder is relative to the current one, a file found by a walk from an absolute
    // path is absolute.)
    let key = crate::discover::scope_key;
    let views_dir = key(&project.dir.join("views"));
    let served: Vec<(PathBuf, bool)> = served.iter().map(|(path, file)| (key(path), *file)).collect();
    project.views.retain(|(path, _)| {
        let path = key(path);
        path.starts_with(&views_dir)
            || served.iter().any(|(served, file)| if *file { &path == served } else { path.starts_with(served) })
    });
}

/// The pages of the build output `project` serves (`express.static(path.join(__dirname, 'client/build'))`, a
/// `res.sendFile` of its index.html), which the walk leaves out as generated ([`crate::discover::SKIPPED_DIRS`]): read
/// for the policy only, never changed. A build folder the checkout does not hold (not built yet, or git-ignored: built
/// at deploy time, perhaps differently from the copy here) is not read: the front end that builds it says what its
/// pages need ([`crate::bundler::front_end_build`]).
fn served_builds(project: &mut Project, served: &[(PathBuf, bool)], root: Option<&Path>) {
    // (Absolute, as in `keep_served_views`.)
    let key = crate::discover::scope_key;
    let dir = key(&project.dir);
    let mut done = BTreeSet::new();
    for (path, file) in served {
        let path = &key(path);
        let Ok(below) = path.strip_prefix(&dir) else { continue };
        let names: Vec<&str> = below.iter().filter_map(|c| c.to_str()).collect();
        // (A package's files served from node_modules are no pages of the app.)
        if names.contains(&"node_modules") || !names.iter().any(|n| crate::discover::SKIPPED_DIRS.contains(n)) {
            continue;
        }
        let folder = if *file { parent_dir(path) } else { path.clone() };
        if !done.insert(folder.clone()) {
            continue;
        }
        if !folder.is_dir() || git_ignored(&folder, &dir) {
            project.views.extend(crate::bundler::front_end_build(&folder, &dir, root).unwrap_or_default());
            continue;
        }
        let mut pages = Vec::new();
        files_named(&folder, 0, &|ext| ext == "html" || ext == "htm", &mut pages);
        for page in pages {
            if project.views.iter().any(|(known, _)| key(known) == page) {
                continue;
            }
            if let Ok(text) = crate::fsread::read(&page, crate::fsread::SOURCE_LIMIT, root) {
                let scan = views::scan_view(&page, &String::from_utf8_lossy(&text));
                project.views.push((page, scan));
            }
        }
    }
}

/// The views of the engines `engines` the code names whose extensions the walk does not collect (`.liquid`, `.eta`,
/// `.twig`, `.marko`), in the folders the app renders views from or serves (`served`; Express's default `views`
/// folder always): scanned as the other engines' views are, HTML with template tags.
fn engine_views(
    project: &mut Project,
    served: &[(PathBuf, bool)],
    engines: Option<&BTreeSet<String>>,
    root: Option<&Path>,
) {
    let Some(engines) = engines else { return };
    let views_dir = crate::root::normalize(&project.dir.join("views"));
    let mut folders: BTreeSet<&Path> = served.iter().filter(|(_, file)| !file).map(|(dir, _)| dir.as_path()).collect();
    folders.insert(&views_dir);
    let mut pages = Vec::new();
    for folder in folders {
        files_named(folder, 0, &|ext| engines.contains(ext), &mut pages);
    }
    pages.sort();
    pages.dedup();
    for page in pages {
        if let Ok(text) = crate::fsread::read(&page, crate::fsread::SOURCE_LIMIT, root) {
            let scan = views::scan_view(&page, &String::from_utf8_lossy(&text));
            project.views.push((page, scan));
        }
    }
}

/// The files in `folder` and below whose extensions `wanted` takes (at most 500, eight folders deep, node_modules left
/// out; links not followed), in name order.
fn files_named(folder: &Path, depth: usize, wanted: &dyn Fn(&str) -> bool, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(folder) else { return };
    let mut entries: Vec<_> = entries.filter_map(Result::ok).collect();
    entries.sort_by_key(std::fs::DirEntry::file_name);
    for entry in entries {
        let Ok(kind) = entry.file_type() else { continue };
        let path = entry.path();
        if out.len() >= 500 {
            return;
        } else if kind.is_dir() && depth < 8 && entry.file_name() != "node_modules" {
            files_named(&path, depth + 1, wanted, out);
        } else if kind.is_file() && path.extension().and_then(|e| e.to_str()).is_some_and(wanted) {
            out.push(path);
        }
    }
}

/// Whether a `.gitignore` in `folder`'s parents, up to `top`, leaves `folder` out of the checkout (the nearest one
/// that names it decides, as git does).
fn git_ignored(folder: &Path, top: &Path) -> bool {
    for dir in folder.ancestors().skip(1).take_while(|d| d.starts_with(top)) {
        let file = dir.join(".gitignore");
        if !file.is_file() {
            continue;
        }
        let (rules, _) = ignore::gitignore::Gitignore::new(&file);
        match rules.matched_path_or_any_parents(folder, true) {
            ignore::Match::Ignore(_) => return true,
            ignore::Match::Whitelist(_) => return false,
            ignore::Match::None => {}
        }
    }
    false
}

/// Changes one manifest: first the version bumps of listed dependencies, then what the planned code needs (a package
/// the manifest already lists, in any section, is reused; so is one that the root of the workspace the manifest is a
/// member of, `workspace`, lists, unless the code needs other versions).
fn apply_manifest(
    manifest: &Path,
    examples: &BTreeMap<PathBuf, Vec<String>>,
    workspace: Option<&ManifestInfo>,
    changes: &[ManifestRequest],
    requests: &[(DependencyRequest, PathBuf)],
    root: Option<&Path>,
    result: &mut RunResult,
) {
    let original = match read_manifest(manifest, root) {
        Ok(text) => text,
        Err(err) => {
            result.errors.push(FileError::unread(manifest, &err));
            return;
        }
    };
    let mut m = ManifestEdit { text: original.clone(), original, edits: Vec::new(), ids: BTreeSet::new() };
    for change in changes {
        let fix = format!("set {} to {}", change.package, change.to);
        m.set(
            DependencyChange {
                manifest: manifest.to_path_buf(),
                section: change.section,
                package: change.package.clone(),
                // (Read by `set`: an override the project already has is changed, not new.)
                from: None,
                to: change.to.clone(),
                transform: change.transform,
            },
            &fix,
            result,
        );
    }
    // One rule for every package added or raised: a project that saves exact versions gets one
    // (`manifest::saves_exact`).
    let exact = !requests.is_empty() && saves_exact(manifest, &m.original, root);
    let mut seen = BTreeSet::new();
    for (request, _) in requests {
        if !seen.insert(request.package.clone()) {
            continue;
        }
        let exact_request;
        let request = if exact {
            exact_request = DependencyRequest { spec: manifest::exact_spec(&request.spec), ..request.clone() };
            &exact_request
        } else {
            request
        };
        let info = match ManifestInfo::parse(&m.text) {
            Ok(info) => info,
            Err(err) => {
                result.errors.push(FileError::new(
                    manifest,
                    ErrorKind::BadManifest,
                    format!("is not usable ({err}); add {} {} yourself", request.package, request.spec),
                ));
                return;
            }
        };
        if let Some((listed_section, listed)) = info.dependency(&request.package) {
            if request.raises(&listed) {
                // (A raise keeps the entry's own style: an exact pin stays exact, whatever the rest of the manifest
                // does, as express-version and the advisories raise theirs.)
                let pinned;
                let request = if manifest::exact_version(listed.trim()).is_some() && !exact {
                    pinned = DependencyRequest { spec: manifest::exact_spec(&request.spec), ..request.clone() };
                    &pinned
                } else {
                    request
                };
                let fix = format!("set {} to {}", request.package, request.spec);
                m.set(requested(request, manifest, listed_section), &fix, result);
            }
            continue;
        }
        // (The workspace root's copy is the one the member's code already loads, and the one its code was planned for:
        // another in the member's package.json would shadow it.)
        let from_root = workspace.and_then(|w| w.dependency(&request.package));
        if from_root.is_some_and(|(_, spec)| !request.raises(&spec)) {
            continue;
        }
        let mut section = request.section_in(&info);
        // Code that only the project's examples or demos use needs the package in development only: it never goes
        // into the dependencies a published library's users install.
        let dir = parent_dir(manifest);
        let only_examples = requests.iter().filter(|(r, _)| r.package == request.package).all(|(_, source)| {
            examples.contains_key(source) || relative_to(&dir, source).is_some_and(crate::published::in_example_folder)
        });
        if only_examples && section == DepSection::Dependencies {
            section = DepSection::DevDependencies;
        }
        let fix = format!("add {} {}", request.package, request.spec);
        m.set(requested(request, manifest, section), &fix, result);
    }
    // (Each change was made without checking the text parses; the last text is checked once.)
    let checked = if m.text == m.original { Ok(()) } else { manifest::verify_manifest(&m.text) };
    if let Err(err) = checked {
        let dependencies = std::mem::take(&mut result.dependencies);
        result.dependencies = dependencies.into_iter().filter(|d| d.manifest != manifest).collect();
        result.errors.push(FileError::new(
            manifest,
            ErrorKind::BadManifest,
            format!("cannot be edited ({err}); make its dependency changes yourself"),
        ));
        return;
    }
    if m.text != m.original {
        let ids = m.ids.into_iter().collect();
        result.changes.push(FileChange::new(manifest.to_path_buf(), true, m.original, m.text, ids, m.edits));
    }
}

/// Whether the project of `manifest` (its text) saves exact versions: `save-exact` in the `.npmrc` beside it, else in
/// the nearest one above it inside `root` (a workspace's), else its entries ([`manifest::saves_exact`]).
fn saves_exact(manifest: &Path, text: &str, root: Option<&Path>) -> bool {
    let Ok(info) = ManifestInfo::parse(text) else { return false };
    let dir = parent_dir(manifest);
    let read = |d: &Path| crate::fsread::read_text(&d.join(".npmrc"), crate::fsread::TEXT_LIMIT, root).ok();
    let npmrc = read(&dir).or_else(|| {
        let root = root?;
        dir.ancestors().skip(1).take_while(|d| d.starts_with(root)).find_map(read)
    });
    manifest::saves_exact(&info, npmrc.as_deref())
}

/// The change that sets a requested package to its spec in `section` of `manifest` (its `from` is read by
/// [`ManifestEdit::set`]).
fn requested(request: &DependencyRequest, manifest: &Path, section: DepSection) -> DependencyChange {
    DependencyChange {
        manifest: manifest.to_path_buf(),
        section,
        package: request.package.clone(),
        from: None,
        to: request.spec.clone(),
        transform: request.transform,
    }
}

/// A package.json's text (a regular file of at most [`crate::fsread::TEXT_LIMIT`], not read through a link out of
/// the root).
fn read_manifest(path: &Path, root: Option<&Path>) -> Result<String, crate::fsread::ReadError> {
    crate::fsread::read_text(path, crate::fsread::TEXT_LIMIT, root)
}

/// A package.json edited step by step, each step owned by the transform that asked for it.
struct ManifestEdit {
    original: String,
    text: String,
    edits: Vec<Edit>,
    ids: BTreeSet<&'static str>,
}

impl ManifestEdit {
    /// Makes one dependency change (nothing when the text already says it); a manifest that cannot be edited is an
    /// error saying what to do by hand (`fix`: "add helmet ^8.3.0").
    /// The change's `from` is what the section says before it (none: the package is new there).
    fn set(&mut self, mut change: DependencyChange, fix: &str, result: &mut RunResult) {
        match manifest::set_dependency_from(&self.text, change.section, &change.package, &change.to) {
            Ok((updated, from)) if updated != self.text => {
                change.from = from;
                self.step(updated, change, &mut result.dependencies)
            }
            Ok(_) => {}
            Err(err) => result.errors.push(FileError::new(
                &change.manifest,
                ErrorKind::BadManifest,
                format!("cannot be edited ({err}); {fix} yourself"),
            )),
        }
    }

    /// Takes the text after one dependency change, and records the change.
    fn step(&mut self, updated: String, change: DependencyChange, dependencies: &mut Vec<DependencyChange>) {
        record_step(&self.original, &self.text, &updated, change.transform, &mut self.edits);
        self.text = updated;
        self.ids.insert(change.transform);
        dependencies.push(change);
    }
}

/// Adds one manifest edit step (`before` -> `after`, by `transform`) to the edits on the original text.
fn record_step(original: &str, before: &str, after: &str, transform: &'static str, edits: &mut Vec<Edit>) {
    use crate::source::without_bom;
    let (original, before, after) = (without_bom(original), without_bom(before), without_bom(after));
    let step = edit::owned_by(edit::line_diff_edits(before, after), transform, &[]);
    let composed = match edit::apply(before, &step) {
        Ok(text) if text == after => edit::compose(original, edits, &step),
        _ => None,
    };
    // Otherwise: whole lines from the original, owned by this step's transform and listing the earlier ones.
    *edits = composed.unwrap_or_else(|| edit::owned_by(edit::line_diff_edits(original, after), transform, edits));
}

fn report_missing_manifest(requests: &[(DependencyRequest, PathBuf)], result: &mut RunResult) {
    for (request, source) in requests {
        result.findings.push(Finding {
            rule: "engine/no-manifest".to_string(),
            transform: request.transform,
            path: source.clone(),
            line: 1,
            column: 1,
            message: format!(
                "no package.json above this file: install {} yourself (npm install {}@{})",
                request.package, request.package, request.spec
            ),
            severity: Severity::Warning,
        });
    }
}

/// The part of a run that was written: changes to files not in `written` (and their dependency changes and next
/// steps) are dropped, so that a summary after `--write` tells only what happened.
pub fn only_written(result: &RunResult, written: &[PathBuf]) -> RunResult {
    // (Lockfiles updated by `--lockfile` are in `updated_lockfiles`, so their step no longer says they are stale.)
    let mut kept = result.clone();
    kept.changes.retain(|c| written.contains(&c.path));
    kept.dependencies.retain(|d| written.contains(&d.manifest));
    kept.next_steps = next_steps(&kept);
    kept
}

/// What to do after the run: the transforms' own steps and each changed manifest's install, then each lockfile
/// refresh the advisories plan that this run did not apply (`--write --lockfile` applies them).
pub fn next_steps(result: &RunResult) -> Vec<String> {
    let mut steps = changed_steps(result);
    for (lockfile, planned) in crate::relock::pending_refreshes(result) {
        steps.push(format!(
            "refresh {} to fix {}: run express-harden again with --write --lockfile (it runs the package manager's \
             lockfile-only update of {})",
            display_path(&lockfile),
            planned.fixes.join(", "),
            planned.packages.join(", ")
        ));
    }
    // Raises the dry run could not plan offline: --lockfile asks the registry and may plan them.
    let mut unasked: Vec<&str> = result.advisories.iter().flat_map(|a| &a.unasked).map(String::as_str).collect();
    unasked.sort_unstable();
    unasked.dedup();
    if !unasked.is_empty() {
        steps.push(format!(
            "the releases of {} were not looked up (not in the bundled table; the registry is asked only with \
             --lockfile), so this plan may raise less than --write --lockfile does: run with --lockfile to see that \
             plan",
            unasked.join(", ")
        ));
    }
    steps
}

fn changed_steps(result: &RunResult) -> Vec<String> {
    if result.changes.is_empty() {
        return Vec::new();
    }
    let mut steps = result.transform_steps.clone();
    let manifests: BTreeSet<&PathBuf> = result.dependencies.iter().map(|d| &d.manifest).collect();
    for manifest in manifests {
        let dir = parent_dir(manifest);
        let packages: Vec<String> = result
            .dependencies
            .iter()
            .filter(|d| &d.manifest == manifest)
            .map(|d| {
                use crate::manifest::DepSection::{Overrides, PnpmOverrides, Resolutions};
                // An override's key may hold a range of its own (`ws@7.x`): the section, the key, and what it forces.
                match d.section {
                    Overrides | Resolutions | PnpmOverrides => {
                        format!("{} {} -> {}", d.section.label(), d.package, d.to)
                    }
                    _ => format!("{}@{}", d.package, d.to),
                }
            })
            .collect();
        steps.push(match crate::lockfile::find(&dir, result.root.as_deref()) {
            Some(lock) if result.updated_lockfiles.contains(&lock.path) => {
                format!(
                    "install the changed packages ({}): run `{}` in {}",
                    packages.join(", "),
                    lock.frozen_install(),
                    display_path(&lock.dir)
                )
            }
            Some(lock) => format!(
                "{} changed ({}), so {} is stale and `{}` would fail: run `{}` in {}{}, then install",
                display_path(manifest),
                packages.join(", "),
                display_path(&lock.path),
                lock.frozen_install(),
                lock.command_line(),
                display_path(&lock.dir),
                // (Not when --lockfile was given and could not update it: the error says why.)
                if result.errors.iter().any(|e| e.path == lock.path) { "" } else { " (or use --write --lockfile)" }
            ),
            None => {
                let (install, at) = crate::lockfile::install_without_lockfile(&dir, result.root.as_deref());
                format!(
                    "install the changed packages ({}): run `{install}` in {}",
                    packages.join(", "),
                    display_path(&at)
                )
            }
        });
    }
    steps
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_analysed_files_box_fits_the_allocators_512_byte_blocks() {
        // Every analysed file's text, facts and what it sends are one block, held from the first pass until the file
        // is planned. mimalloc's block sizes go 512, 640: at 513 bytes each file would take 128 more (8 MB at the
        // 100,000-file benchmark). A field added to `FileFacts` or `SourceFile` must keep it within 512 bytes.
        type Analysed = (SourceFile, FileFacts, Option<Box<crate::code_html::CodeScan>>);
        assert!(std::mem::size_of::<Analysed>() <= 512, "{} bytes", std::mem::size_of::<Analysed>());
    }

    #[test]
    fn one_search_tells_the_watched_needles_and_every_hint_even_where_they_overlap() {
        let prefilter = Prefilter::new(vec!["send".to_string(), "express".to_string()]);
        // `send` is watched and starts `sendFile(`, a hint of serving: both are found.
        let (watched, hints) = prefilter.read(b"res.sendFile(page)");
        assert!(watched);
        assert_eq!(hints, crate::code_html::Hints { serving: true, ..Default::default() });
        let (watched, hints) = prefilter.read(b"el.innerHTML = '<b onclick=\"go()\">'; fetch('/x')");
        assert!(!watched);
        assert_eq!(hints, crate::code_html::Hints { markup: true, script_calls: true, ..Default::default() });
        // A quoted attribute that is no handler's is no hint.
        assert_eq!(prefilter.read(b"const a = '<b class=\"x\">';").1, crate::code_html::Hints::default());
    }

    #[test]
    fn a_watched_needle_counts_outside_comment_lines_only() {
        let prefilter = Prefilter::new(vec!["express".to_string(), ".cookie(".to_string()]);
        let watched = |text: &str| prefilter.read(text.as_bytes()).0;
        // In comment lines: JSDoc on one line and on several, line comments (indented, after a BOM, a triple-slash
        // directive), a block comment on one line.
        for text in [
            "/** @typedef {import('express').Request} Request */\nmodule.exports = (req, res, next) => next();\n",
            "/**\n * @param {import('express').Response} res\n */\nfunction f(res) {}\n",
            "  // res.cookie('a', 'b');\nconst x = 1;\n",
            "\u{feff}// express\n",
            "/* express */\n",
            "\t/// <reference types=\"express\" />\n",
        ] {
            assert!(!watched(text), "{text:?}");
        }
        // Code: after a comment closed on its line, on a line that starts with code, in a string; and a block comment
        // whose lines do not start with `*` (not recognised: it counts, as before).
        for text in [
            "/* shared */ const express = require('express');\n",
            " */ app.use(express.json());\n",
            "// the app\nconst express = require('express');\n",
            // (Lines ended by a lone CR, classic Mac, and by CRLF.)
            "// the app\rconst express = require('express');\r",
            "// the app\r\nconst express = require('express');\r\n",
            "const x = 1; // express\n",
            "const u = 'http://example.com/express';\n",
            "/*\n  const app = express();\n*/\n",
            "res.cookie('a', 'b');",
        ] {
            assert!(watched(text), "{text:?}");
        }
    }

    #[test]
    fn the_inlined_walk_finds_what_the_overlapping_search_finds() {
        let watched: Vec<String> = ["send", "express", "'lodash", ".use(", "session"].map(String::from).into();
        let prefilter = Prefilter::new(watched.clone());
        let (hinting, hints): (Vec<&str>, Vec<crate::code_html::Hint>) = crate::code_html::hint_needles().unzip();
        let needles: Vec<&str> = watched.iter().map(String::as_str).chain(hinting).collect();
        let reference = views::search_for(&needles).expect("the needles build");
        let texts = [
            "",
            "send",
            "res.sendFile(page); app.use(express.static('public'))",
            "el.innerHTML = '<b onclick=\"go()\">'; fetch('/x'); eval(s)",
            "const _ = require('lodash'); res.setHeader('X-Frame-Options', 'DENY')",
            "x = '<script src=a>' + \"<div onload='f()'>\" + 'Access-Control-Allow-Origin'",
            "app.use(session({ secret: 'x' })); new Worker(URL.createObjectURL(b))",
        ];
        for text in texts {
            let mut expected = (false, crate::code_html::Hints::default());
            for found in reference.find_overlapping_iter(text) {
                match found.pattern().as_usize().checked_sub(watched.len()) {
                    None => expected.0 = true,
                    Some(i) => expected.1.record(hints[i], text.as_bytes(), found.start()),
                }
            }
            assert_eq!(prefilter.read(text.as_bytes()), expected, "{text:?}");
        }
    }

    use crate::transform::{TransformInfo, Watch};

    /// Inserts its text at the start of every file: a stand-in for a transform that declares a name.
    struct Prepend {
        info: TransformInfo,
        text: &'static str,
    }

    impl Prepend {
        fn boxed(text: &'static str) -> Box<dyn Transform> {
            let info = TransformInfo {
                id: "prepend",
                title: String::new(),
                rationale: String::new(),
                docs: String::new(),
                upstream: String::new(),
                findings: Default::default(),
                severities: Default::default(),
                blocking: Default::default(),
            };
            Box::new(Prepend { info, text })
        }
    }

    impl Transform for Prepend {
        fn info(&self) -> &TransformInfo {
            &self.info
        }

        fn watch(&self) -> &'static [Watch] {
            &[Watch::Text("")]
        }

        fn plan(&self, _cx: &FileContext<'_>, plan: &mut FilePlan) {
            plan.edits.push(Edit::insert(0, self.text));
        }
    }

    fn run_on(name: &str, code: &str, insert: &'static str) -> RunResult {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join(name);
        std::fs::write(&path, code).expect("write");
        run(&[path], &[Prepend::boxed(insert)])
    }

    #[test]
    fn only_the_exported_instances_a_session_store_can_pick_are_kept() {
        let instance = |file: &str, export: &str, module: &str| links::ExportedInstance {
            file: PathBuf::from(file),
            export: export.into(),
            local: None,
            module: module.into(),
            members: Vec::new(),
            is_new: true,
            called_again: false,
            db: None,
        };
        let found = [
            instance("a.js", "cache", "ioredis"),
            instance("a.js", "sessions", "ioredis"),
            instance("b.js", "default", "pg"),
            instance("c.js", "default", "ioredis"),
            instance("d.js", "default", "ioredis"),
            instance("e.js", "default", "pg"),
            instance("f.js", "default", "pg"),
        ];
        let mut kept: Vec<links::ExportedInstance> = Vec::new();
        for i in found {
            if is_pickable(&kept, &i) {
                kept.push(i);
            }
        }
        let kept: Vec<(&str, &str)> = kept.iter().map(|k| (k.file.to_str().unwrap(), k.export.as_str())).collect();
        assert_eq!(kept, [("a.js", "cache"), ("b.js", "default"), ("c.js", "default"), ("e.js", "default")]);
    }

    #[test]
    fn a_result_node_would_refuse_is_not_planned() {
        let result = run_on("a.js", "const x = 1;\nlet y;\n", "const { x } = require('x');\n");
        assert!(result.changes.is_empty(), "{:?}", result.changes);
        assert_eq!(result.errors.len(), 1);
        assert_eq!(result.errors[0].kind, ErrorKind::Unverified);
        assert_eq!(
            result.errors[0].message,
            "the rewritten file would not load in Node (`x` is declared twice in the same scope, at 2:7 of the \
             result); left alone. This is a bug in express-harden: please report it"
        );

        let result = run_on("a.mjs", "export const a = 1;\n", "const b = 2;\nexport { b as a };\n");
        assert!(result.changes.is_empty());
        assert!(result.errors[0].message.contains("`a` is exported twice"), "{:?}", result.errors);

        let result = run_on("a.js", "function f() {\n  { var z; }\n}\n", "let z;\n");
        assert!(result.errors.is_empty(), "{:?}", result.errors);
        assert_eq!(result.changes.len(), 1);
    }

    #[test]
    fn the_originals_own_early_errors_are_not_blamed_on_the_tool() {
        // The original already declares `a` twice: Node refuses it either way, and the new `b` is fine.
        let result = run_on("a.js", "let a;\nlet a;\n", "let b;\n");
        assert!(result.errors.is_empty(), "{:?}", result.errors);
        assert_eq!(result.changes.len(), 1);
        // A new clash is still the tool's.
        let result = run_on("a.js", "let a;\nlet a;\nconst c = 1;\n", "let c;\n");
        assert!(result.changes.is_empty());
        assert!(result.errors[0].message.contains("`c` is declared twice"), "{:?}", result.errors);
    }
}

/// One change of a file made in two steps of a run: `first`, written, then `then`, planned on what `first` wrote
/// ([`crate::relock::merge_recheck`]). Its edits are on `first`'s original, each owned by its transform.
pub fn followed_by(first: &FileChange, then: &FileChange) -> FileChange {
    let mut edits = first.edits.clone();
    let (before, after) = (first.updated(), then.updated());
    let mut ids = first.transforms.clone();
    if let Some(id) = then.transforms.first() {
        record_step(first.original(), &before, &after, id, &mut edits);
    }
    for id in &then.transforms {
        if !ids.contains(id) {
            ids.push(id);
        }
    }
    let mut change = FileChange::new(
        first.path.clone(),
        first.is_manifest,
        first.original().to_string(),
        after.into_owned(),
        ids,
        edits,
    );
    change.diff = Some(crate::report::unified_diff(&change));
    change
}
