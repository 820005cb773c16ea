//! `advisories`: finds the installed packages that known advisories affect, in every lockfile of the run, ranks
//! each by whether the project's code calls what it concerns, and fixes it with the smallest safe change.
//!
//! ```jsonc
//! // before
//! {
//!   "name": "shop",
//!   "dependencies": {
//!     "body-parser": "1.20.1"
//!   }
//! }
//! // after
//! {
//!   "name": "shop",
//!   "dependencies": {
//!     "body-parser": "1.20.3"
//!   }
//! }
//! ```
//!
//! (with a lockfile that installs body-parser 1.20.1, which GHSA-qwcr-r2fm-qrc7 affects.) The fixes, least risky
//! first: the lockfile moves the package inside the ranges its parents declare (`--lockfile`); the project's own
//! dependency is raised in its range style, never across a major (a `0.x` minor counts as one); an override (npm
//! `overrides`, Yarn `resolutions`) forces the patched version outside a parent's range; otherwise a finding says
//! why nothing is done. The advisories: `transforms/advisories/data.json` (bundled), or OSV records
//! (`--advisories PATH`).

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};

use nodejs_semver::Version;
use serde::Deserialize;

use crate::advisories::{
    Advisory, AdvisoryFix, AdvisoryReport, Database, FixKind, Level, ParentReleases, Reachability, Releases,
};
use crate::inventory::{DepKind, Inventory, Parent};
use crate::lockfile::Manager;
use crate::manifest::DepSection;
use crate::npm_spec::{self, Operator, Spec};
use crate::project::{Project, Unread, UnreadFile};
use crate::settings::{SettingsGroup, SettingsInput};
use crate::transform::{FileContext, FilePlan, ManifestContext, ManifestPlan, ManifestRequest, Transform, Watch};
use crate::transforms::data;

const ID: &str = "advisories";

#[derive(Debug, Deserialize)]
struct Described {
    #[serde(flatten)]
    described: data::Described,
}

fn data() -> &'static Described {
    static DATA: OnceLock<Described> = OnceLock::new();
    DATA.get_or_init(|| data::parse(ID, include_str!("../../transforms/advisories/transform.json")))
}

/// The bundled table (`transforms/advisories/data.json`).
pub fn bundled() -> &'static Database {
    static TABLE: OnceLock<Database> = OnceLock::new();
    TABLE.get_or_init(|| match Database::from_table(include_str!("../../transforms/advisories/data.json")) {
        Ok(db) => db,
        Err(err) => panic!("transforms/advisories/data.json: {err}"),
    })
}

/// The bundled releases of the common parents (`transforms/advisories/parents.json`).
pub fn bundled_parents() -> &'static ParentReleases {
    static TABLE: OnceLock<ParentReleases> = OnceLock::new();
    TABLE.get_or_init(|| match ParentReleases::from_table(include_str!("../../transforms/advisories/parents.json")) {
        Ok(table) => table,
        Err(err) => panic!("transforms/advisories/parents.json: {err}"),
    })
}

/// Where the advisories come from.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Source {
    /// The bundled table.
    #[default]
    Bundled,
    /// The OSV API.
    Osv,
    /// The npm registry's bulk advisory endpoint.
    Npm,
    /// A folder or zip of OSV records.
    Path(PathBuf),
}

impl Source {
    fn parse(text: &str) -> Source {
        match text {
            "bundled" => Source::Bundled,
            "osv" => Source::Osv,
            "npm" => Source::Npm,
            path => Source::Path(PathBuf::from(path)),
        }
    }
}

// The group's flags (no doc comment: clap would make it the command's description).
#[derive(Debug, Default, clap::Args)]
#[command(next_help_heading = "Known advisories (advisories)")]
pub struct AdvisoryFlags {
    /// Where the advisories come from: `bundled` (the table built into the tool, offline), `osv` (the OSV API),
    /// `npm` (the registry's bulk advisory endpoint, as npm audit asks it), or a folder or zip of OSV records (an OSV
    /// ecosystem export such as npm's all.zip, or osv-scanner's offline cache). Only osv and npm use the network.
    #[arg(long = "advisories", value_name = "bundled|osv|npm|PATH")]
    pub advisories: Option<String>,

    /// With --check, fail on advisories of this severity or above that affect an installed package [default: high].
    /// The fixes of advisories below it are still shown (and written by --write) but do not fail --check.
    #[arg(long = "fail-on", value_name = "LEVEL", value_parser = ["low", "moderate", "medium", "high", "critical"])]
    pub fail_on: Option<String>,
}

/// The advisories' flags and configuration key.
pub static ADVISORIES: SettingsGroup = SettingsGroup {
    key: "advisories",
    augment: <AdvisoryFlags as clap::Args>::augment_args,
    check: SettingsGroup::check_as::<AdvisoryConfig>,
};

/// The configuration key: `"advisories": { "source": "bundled", "failOn": "high", "osvUrl": "https://api.osv.dev" }`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct AdvisoryConfig {
    source: Option<String>,
    fail_on: Option<Level>,
    osv_url: Option<String>,
}

transform_struct!(
    Advisories,
    "Finds, ranks and fixes the installed packages known advisories affect.",
    source: Source = Source::Bundled,
    fail_on: Level = Level::High,
    loaded: Option<Arc<Database>> = None,
    osv_url: Option<String> = None,
    // The registry is asked about the parents the bundled releases lack (`--advisories npm`, or `--lockfile`).
    ask_registry: bool = false,
    // What the network sources answered (`--interactive` plans twice: the second run asks about nothing new).
    fetched: Mutex<Fetched> = Mutex::default(),
    // The Express major asked for (`--express`): express-version raises express to it, as the fixes say.
    express: crate::transforms::shared::express_target::ExpressTarget = Default::default(),
);

/// The advisories the network sources gave, and the `name@version`s already asked about.
#[derive(Default)]
struct Fetched {
    db: Option<Arc<Database>>,
    asked: BTreeSet<(String, String)>,
    /// The bundled parents' releases and those the registry answered (`None`: the bundled ones alone).
    parents: Option<Arc<ParentReleases>>,
    /// The parents asked about.
    parents_asked: BTreeSet<String>,
}

/// How old the bundled table's newest advisory may be before a run suggests the network sources: GitHub reviews
/// new npm advisories every week, and the stored copies the table is read from are partial crawls (see
/// transforms/advisories/README.md, "What it lacks"), so a quarter without a newer record is already a gap worth
/// saying.
const STALE_DAYS: i64 = 90;

/// The variable that sets today's date (`YYYY-MM-DD`) for the staleness note (tests).
pub const TODAY_VAR: &str = "EXPRESS_HARDEN_TODAY";

/// What the transform reads in source files: the calls advisories concern, and the imports of the packages the
/// bundled table covers (quoted, so that `ms` does not match `items`).
fn watches() -> &'static [Watch] {
    static WATCH: OnceLock<Vec<Watch>> = OnceLock::new();
    WATCH.get_or_init(|| {
        let mut watch: Vec<Watch> = API_METHODS.iter().copied().map(Watch::Call).collect();
        // `app.set('view engine', 'ejs')`: the engine that renders.
        watch.push(Watch::AlsoCall("set"));
        for package in bundled().covered.iter().flatten() {
            let package: &'static str = package.as_str();
            for quoted in [format!("'{package}"), format!("\"{package}")] {
                watch.push(Watch::Text(Box::leak(quoted.into_boxed_str())));
            }
        }
        watch
    })
}

/// The Express methods the `api` vocabulary names (`res.cookie`, `res.redirect`, ...) whose calls every file that
/// has them is read for, so that "not called" can be said of them. Others (`res.json`, `res.send`, `req.query`: in
/// too many files to read them all) are "called" where a file read anyway uses them, else "unknown".
const API_METHODS: [&str; 15] = [
    "cookie",
    "clearCookie",
    "redirect",
    "location",
    "sendFile",
    "download",
    "render",
    "urlencoded",
    "static",
    "jsonp",
    "login",
    "logout",
    "logIn",
    "logOut",
    "acceptsLanguages",
];

/// The other names an `api` entry goes by in its package: the same function under another spelling, and the
/// package's functions that call it themselves. passport (`lib/http/request.js`) defines `req.login = req.logIn` and
/// `req.logout = req.logOut`, and its `passport.authenticate(...)` middleware logs the user in with `req.logIn`
/// (`lib/middleware/authenticate.js`), which is how most apps log in.
const API_ALIASES: [(&str, &[&str]); 2] =
    [("req.login", &["req.logIn", "passport.authenticate"]), ("req.logout", &["req.logOut"])];

/// An `api` entry and the other names it goes by ([`API_ALIASES`]).
fn api_names(api: &str) -> impl Iterator<Item = &str> {
    let aliases = API_ALIASES.iter().find(|(name, _)| *name == api).map_or(&[][..], |(_, aliases)| *aliases);
    std::iter::once(api).chain(aliases.iter().copied())
}

impl Advisories {
    /// The advisories of the run: fetched, loaded from a path, or the bundled table.
    /// A project with registry dependencies and no lockfile: which versions an install brings is not known, and
    /// nothing was checked. The finding says what to run to make one; it is an error (`--check` exits 2, as npm
    /// audit stops with ENOLOCK) when a declared range admits a version that a known advisory at or above
    /// `--fail-on` affects, a warning otherwise.
    ///
    /// A range whose highest release (the newest the transform knows of, else what its own bounds say) is affected is
    /// raised to the first fixed version, as a locked one would be ([`raised`]: in the author's style, on its line;
    /// across a major it stays reported), as npm and Dependabot do.
    fn no_lockfile(&self, cx: &ManifestContext<'_>, plan: &mut ManifestPlan) -> Option<crate::transform::Finding> {
        let dir = cx.path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(std::path::Path::new("."));
        let root = cx.options.root.as_deref();
        if crate::lockfile::find(dir, root).is_some() || crate::lockfile::ignored(dir, root).is_some() {
            return None;
        }
        let db = self.database();
        let parents = self.parents();
        let mut count = 0;
        let mut risky: Vec<String> = Vec::new();
        let mut made: Vec<String> = Vec::new();
        let mut kept: Vec<String> = Vec::new();
        for section in [DepSection::Dependencies, DepSection::DevDependencies, DepSection::OptionalDependencies] {
            for (key, spec) in cx.info.dependencies(section) {
                let name = alias_of(spec).map_or(key, |(real, _)| real);
                let range = match npm_spec::classify(unaliased(spec)) {
                    Spec::Simple { .. } | Spec::Range(_) => npm_spec::npm_range(unaliased(spec)),
                    Spec::Any => nodejs_semver::Range::parse("*").ok(),
                    Spec::Other(_) => continue,
                };
                count += 1;
                let Some(range) = range else { continue };
                // (Express is raised by the express-version transform when it runs.)
                let by_express_version = name == "express" && cx.options.selected.contains(&"express-version");
                let all: Vec<&Advisory> = db.for_package(name).iter().filter(|a| a.may_affect(&range)).collect();
                // The highest release the range admits, and the advisories that affect it, with the first version
                // that fixes each: from the releases the transform knows, else from the range's own bounds (an
                // advisory whose first fix after the range's lowest version is past the range affects its top).
                let top = parents.get(name).and_then(|r| r.newest_admitted(std::slice::from_ref(&range)));
                let Some(from) = top.clone().or_else(|| range.min_version()) else { continue };
                let at_top: Vec<(&Advisory, Option<Version>)> = all
                    .iter()
                    .map(|a| (*a, a.patched_after(&from.to_string())))
                    .filter(|(a, fix)| match &top {
                        Some(top) => a.affects(&top.to_string()),
                        None => fix.as_ref().is_none_or(|fix| !fix.satisfies(&range)),
                    })
                    .collect();
                let gate: Vec<String> = at_top
                    .iter()
                    .filter(|(a, _)| a.severity.is_none_or(|s| s >= self.fail_on))
                    .map(|(a, _)| format!("{} {}", a.id, a.severity.map_or("severity unknown", Level::label)))
                    .collect();
                let unfixable: Vec<&str> =
                    at_top.iter().filter(|(_, fix)| fix.is_none()).map(|(a, _)| a.id.as_str()).collect();
                let target = at_top.iter().filter_map(|(_, fix)| fix.clone()).max();
                // (Past every advisory of the package, not only those the declared range admits: moment 2.15.2's
                // fix 2.29.2 is inside 2.18.0..2.29.4 of another.)
                let every: Vec<&Advisory> = db.for_package(name).iter().collect();
                let raise = target
                    .and_then(|target| past_others(&every, &unfixable, target).ok())
                    .map(|target| (raised_listed(spec, &from, &target), target));
                match raise {
                    Some((Some(to), _)) if unfixable.is_empty() && !by_express_version => {
                        made.push(format!("{key} {spec} -> {to}"));
                        plan.changes.push(ManifestRequest::new(section, key, to));
                    }
                    // (Express raised across the major by express-version with its code migration in this run.)
                    Some((None, target))
                        if by_express_version
                            && npm_spec::start_major(unaliased(spec)).is_some_and(|current| {
                                crate::transforms::express_version::planned_major(cx, self.express.major, current)
                                    >= target.major
                            }) => {}
                    Some((None, target)) => {
                        kept.push(new_major(name, &target, spec));
                        if !gate.is_empty() {
                            risky.push(format!("{key} {spec} ({})", gate.join(", ")));
                        }
                    }
                    _ if !gate.is_empty() => risky.push(format!("{key} {spec} ({})", gate.join(", "))),
                    _ => {}
                }
            }
        }
        if count == 0 {
            return None;
        }
        let (install, at) = crate::lockfile::install_without_lockfile(dir, root);
        let command = match install {
            "npm install" => "npm install --package-lock-only --ignore-scripts",
            "pnpm install" => "pnpm install --lockfile-only --ignore-scripts",
            _ => "yarn install --ignore-scripts",
        };
        let message = format!(
            "no lockfile: the versions an install of its {count} registry dependenc{} brings are unknown, and none \
             was checked against known advisories; run `{command}` in {} to make one (and commit it)",
            if count == 1 { "y" } else { "ies" },
            crate::discover::display_path(&at)
        );
        let mut finding = cx.finding("no-lockfile", "", message);
        if !made.is_empty() {
            finding.message.push_str(&format!(
                "; the highest release a declared range admits is affected, so it is raised to the first fixed one: {}",
                made.join(", ")
            ));
        }
        for why in kept {
            finding.message.push_str(&format!("; {why}"));
        }
        if !risky.is_empty() {
            finding.message.push_str(&format!(
                "; what package.json declares admits affected versions: {}: --check does not pass",
                risky.join("; ")
            ));
            finding.severity = crate::transform::Severity::Error;
        }
        Some(finding)
    }

    fn database(&self) -> Arc<Database> {
        static BUNDLED: OnceLock<Arc<Database>> = OnceLock::new();
        let fetched = self.fetched.lock().unwrap_or_else(|e| e.into_inner()).db.clone();
        fetched
            .or_else(|| self.loaded.clone())
            .unwrap_or_else(|| Arc::clone(BUNDLED.get_or_init(|| Arc::new(bundled().clone()))))
    }

    /// The releases of the parents known to this run: the bundled ones, and those the registry answered.
    fn parents(&self) -> Arc<ParentReleases> {
        static BUNDLED: OnceLock<Arc<ParentReleases>> = OnceLock::new();
        let fetched = self.fetched.lock().unwrap_or_else(|e| e.into_inner()).parents.clone();
        fetched.unwrap_or_else(|| Arc::clone(BUNDLED.get_or_init(|| Arc::new(bundled_parents().clone()))))
    }

    /// Asks the network source about the installed packages not asked about yet, and adds what it answers.
    fn fetch(&self, inventories: &mut dyn Iterator<Item = &Inventory>) -> Result<(), (PathBuf, String)> {
        // The offline sources read no lockfile ahead.
        if !matches!(self.source, Source::Osv | Source::Npm) {
            return Ok(());
        }
        let mut state = self.fetched.lock().unwrap_or_else(|e| e.into_inner());
        let mut db = state.db.as_deref().cloned().unwrap_or_default();
        let mut first_lockfile = None;
        // (lockfile folder, lockfile) -> name -> versions, the registry versions only.
        let mut wanted: BTreeMap<(PathBuf, PathBuf), BTreeMap<String, BTreeSet<String>>> = BTreeMap::new();
        for inventory in inventories {
            first_lockfile.get_or_insert_with(|| inventory.path.clone());
            let dir =
                inventory.path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(std::path::Path::new("."));
            let packages = wanted.entry((dir.to_path_buf(), inventory.path.clone())).or_default();
            for p in &inventory.packages {
                if nodejs_semver::Version::parse(&p.version).is_ok()
                    && !state.asked.contains(&(p.name.clone(), p.version.clone()))
                {
                    packages.entry(p.name.clone()).or_default().insert(p.version.clone());
                }
            }
        }
        let failed = |lockfile: &std::path::Path, err: String| {
            (
                lockfile.to_path_buf(),
                format!(
                    "could not be checked against known advisories: {err}; nothing was planned or \
                     written (the default, --advisories bundled, works offline)"
                ),
            )
        };
        match self.source {
            Source::Osv => {
                // A scope the project's .npmrc gives a registry of its own is private: its names are not sent to the
                // public OSV API (as `npm` keeps them from the public registry); they are not checked, and a note says so.
                let mut private: BTreeSet<String> = BTreeSet::new();
                for ((dir, _), packages) in &mut wanted {
                    let npmrc = crate::advisory_net::Npmrc::load(dir);
                    packages.retain(|name, _| {
                        let own = npmrc.has_scope_registry(name);
                        if own {
                            private.insert(name.clone());
                        }
                        !own
                    });
                }
                if !private.is_empty() {
                    eprintln!(
                        "note: {} package{} of a scope with its own registry (.npmrc) not sent to the OSV API, and not \
                         checked: {}",
                        private.len(),
                        if private.len() == 1 { "" } else { "s" },
                        private.into_iter().collect::<Vec<_>>().join(", ")
                    );
                }
                let all: BTreeSet<(String, String)> = wanted
                    .values()
                    .flat_map(|m| m.iter().flat_map(|(n, vs)| vs.iter().map(move |v| (n.clone(), v.clone()))))
                    .collect();
                if !all.is_empty() {
                    let base = self.osv_url.clone().unwrap_or_else(|| crate::advisory_net::OSV_URL.to_string());
                    let cache = crate::advisory_net::osv_cache_dir();
                    let lockfile = first_lockfile.unwrap_or_default();
                    let (records, _) = crate::advisory_net::osv_records(&base, &all, cache.as_deref())
                        .map_err(|e| failed(&lockfile, e))?;
                    let got = Database::from_osv_records(base.clone(), &records).map_err(|e| failed(&lockfile, e))?;
                    db.merge(got);
                    db.source = format!("the OSV API ({base})");
                    state.asked.extend(all);
                }
            }
            Source::Npm => {
                for ((dir, lockfile), packages) in wanted.into_iter().filter(|(_, p)| !p.is_empty()) {
                    let npmrc = crate::advisory_net::Npmrc::load(&dir);
                    let answers = crate::advisory_net::npm_bulk(&npmrc, &packages).map_err(|e| failed(&lockfile, e))?;
                    let source = answers.iter().map(|(r, _)| r.as_str()).collect::<Vec<_>>().join(", ");
                    let got = Database::from_npm_bulk(source.clone(), &answers).map_err(|e| failed(&lockfile, e))?;
                    db.merge(got);
                    db.source = format!("the npm registry's bulk advisories ({source})");
                    state
                        .asked
                        .extend(packages.into_iter().flat_map(|(n, vs)| vs.into_iter().map(move |v| (n.clone(), v))));
                }
            }
            Source::Bundled | Source::Path(_) => return Ok(()),
        }
        db.take_api_from(bundled());
        state.db = Some(Arc::new(db));
        Ok(())
    }
}

impl Advisories {
    /// Asks the registry for the releases of the affected packages and of their parents (direct dependencies, and
    /// the packages right under them) that the bundled releases lack. A failure is a note: no raise of that parent is
    /// planned. (An affected package's own releases tell the release its lockfile refresh moves it to, the newest its
    /// parents admit, and what that release depends on: axios 1.21.1 on proxy-from-env 2, where 1.6.2 had 1.)
    fn fetch_parents(&self, inventories: &[&Inventory]) {
        let db = self.database();
        let known = self.parents();
        let mut wanted: BTreeMap<String, PathBuf> = BTreeMap::new();
        for inventory in inventories {
            let dir =
                inventory.path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(std::path::Path::new("."));
            let affected: Vec<&crate::inventory::Package> = inventory
                .packages
                .iter()
                .filter(|p| db.for_package(&p.name).iter().any(|a| a.affects(&p.version)))
                .collect();
            for p in &affected {
                if known.get(&p.name).is_none() && Version::parse(&p.version).is_ok() {
                    wanted.entry(p.name.clone()).or_insert_with(|| dir.to_path_buf());
                }
            }
            for parent in affected.iter().flat_map(|p| &p.parents) {
                let Parent::Package(q) = parent.parent else { continue };
                let q = &inventory.packages[q];
                // (A package that is not a registry release, a git URL or a folder, has no releases to raise to.)
                // (A parent whose range the lockfile does not record, pnpm's, at any depth: what it declares.)
                let wanted_here = q.chain.len() <= 3 || parent.range.is_none();
                if wanted_here && known.get(&q.name).is_none() && Version::parse(&q.version).is_ok() {
                    wanted.entry(q.name.clone()).or_insert_with(|| dir.to_path_buf());
                }
            }
        }
        {
            let state = self.fetched.lock().unwrap_or_else(|e| e.into_inner());
            wanted.retain(|name, _| !state.parents_asked.contains(name));
        }
        if wanted.is_empty() {
            return;
        }
        // (Asked side by side, eight at a time, with no lock held: a lockfile with many affected packages waits about
        // one answer's time, not their sum.)
        let wanted: Vec<(String, PathBuf)> = wanted.into_iter().collect();
        let answers: Vec<(String, Result<Releases, String>)> = wanted
            .chunks(8)
            .flat_map(|chunk| {
                std::thread::scope(|scope| {
                    let asks: Vec<_> = chunk
                        .iter()
                        .map(|(name, dir)| {
                            scope.spawn(move || {
                                let npmrc = crate::advisory_net::Npmrc::load(dir);
                                crate::advisory_net::packument(&npmrc, name).and_then(|t| Releases::from_packument(&t))
                            })
                        })
                        .collect();
                    let got =
                        asks.into_iter().map(|ask| ask.join().unwrap_or_else(|_| Err("the request failed".into())));
                    chunk.iter().map(|(name, _)| name.clone()).zip(got).collect::<Vec<_>>()
                })
            })
            .collect();
        let mut state = self.fetched.lock().unwrap_or_else(|e| e.into_inner());
        let mut parents = state.parents.as_deref().cloned().unwrap_or_else(|| bundled_parents().clone());
        for (name, got) in answers {
            match got {
                Ok(releases) => parents.insert(name.clone(), releases),
                Err(err) => {
                    eprintln!("note: the releases of {name} could not be read ({err}): no raise of it is planned")
                }
            }
            state.parents_asked.insert(name);
        }
        state.parents = Some(Arc::new(parents));
    }
}

impl Advisories {
    /// pnpm's lockfile records no range between packages: for the parents of the affected packages, the range each
    /// declares, from its installed package.json (`node_modules/.pnpm/<name>@<version>/node_modules/<name>/`), else
    /// from its releases (the bundled parents table, or the registry's answer under `--lockfile`). The inventory with
    /// those ranges; `None` when nothing was learned (another package manager, or nothing to learn).
    fn with_declared_ranges(&self, inventory: &Inventory, root: Option<&std::path::Path>) -> Option<Inventory> {
        if inventory.manager != Manager::Pnpm {
            return None;
        }
        let db = self.database();
        let parents = self.parents();
        let lock_dir = inventory.path.parent().unwrap_or(std::path::Path::new(""));
        let store = lock_dir.join("node_modules").join(".pnpm");
        // The store's folders, listed once when a parent's own is not found by its name (a peer suffix).
        let mut folders: Option<Vec<String>> = None;
        let mut manifests: BTreeMap<usize, Option<serde_json::Value>> = BTreeMap::new();
        let mut learned: Option<Inventory> = None;
        for (i, package) in inventory.packages.iter().enumerate() {
            if !db.for_package(&package.name).iter().any(|a| a.affects(&package.version)) {
                continue;
            }
            for (k, d) in package.parents.iter().enumerate() {
                let (None, Parent::Package(p)) = (&d.range, d.parent) else { continue };
                let parent = &inventory.packages[p];
                let manifest = manifests.entry(p).or_insert_with(|| {
                    let escaped = parent.name.replace('/', "+");
                    let exact = format!("{escaped}@{}", parent.version);
                    let folder = if store.join(&exact).is_dir() {
                        Some(exact)
                    } else {
                        let all = folders.get_or_insert_with(|| {
                            std::fs::read_dir(&store)
                                .map(|dir| {
                                    dir.flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect()
                                })
                                .unwrap_or_default()
                        });
                        all.iter()
                            .find(|f| f.strip_prefix(exact.as_str()).is_some_and(|rest| rest.starts_with('_')))
                            .cloned()
                    };
                    let path = store.join(folder?).join("node_modules").join(&parent.name).join("package.json");
                    let text = crate::fsread::read_text(&path, crate::fsread::TEXT_LIMIT, root).ok()?;
                    let json: serde_json::Value = serde_json::from_str(&text).ok()?;
                    // (Another release installed there than the lockfile's says nothing of this one.)
                    (json["version"] == parent.version.as_str()).then_some(json)
                });
                let installed = manifest.as_ref().and_then(|json| {
                    ["dependencies", "optionalDependencies", "peerDependencies"]
                        .iter()
                        .find_map(|section| json[section][&package.name].as_str().map(str::to_string))
                });
                let range = installed.or_else(|| {
                    let declared = parents.get(&parent.name)?.declared(&parent.version, &package.name)?;
                    (!declared.is_empty()).then(|| declared.to_string())
                });
                if let Some(range) = range {
                    learned.get_or_insert_with(|| inventory.clone()).packages[i].parents[k].range = Some(range);
                }
            }
        }
        learned
    }

    /// The first release after the `last_affected` of an advisory without a known fix that affects an installed
    /// package (its range ends with it) is the fix, checked as the bundled table's `next_release` is, whatever the
    /// source: where the same advisory's fix of another package depends on a later release of it (pug 3.0.3 on
    /// pug-code-gen ^3.0.3), that release is. The releases are the bundled parents' (`parents.json`, offline) and,
    /// with `--lockfile` or `--advisories npm`, the registry's, kept with the parents' (one question per package); a
    /// failure is a note, and the advisory stays without a fix.
    fn fetch_next_releases(&self, inventories: &[&Inventory]) {
        let mut db = self.database();
        let mut wanted: BTreeMap<String, PathBuf> = BTreeMap::new();
        // The packages whose fixes of the same advisories tell what they depend on.
        let mut others: BTreeMap<String, PathBuf> = BTreeMap::new();
        for inventory in inventories {
            let dir =
                inventory.path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(std::path::Path::new("."));
            for p in &inventory.packages {
                for advisory in db.for_package(&p.name).iter().filter(|a| a.affects(&p.version) && a.wants_releases()) {
                    wanted.entry(p.name.clone()).or_insert_with(|| dir.to_path_buf());
                    for (other, _) in db.fixes_of_others(advisory) {
                        others.entry(other).or_insert_with(|| dir.to_path_buf());
                    }
                }
            }
        }
        if wanted.is_empty() {
            return;
        }
        let mut state = self.fetched.lock().unwrap_or_else(|e| e.into_inner());
        let mut parents = state.parents.as_deref().cloned().unwrap_or_else(|| bundled_parents().clone());
        for (name, dir) in wanted.iter().chain(others.iter().filter(|(o, _)| !wanted.contains_key(*o))) {
            if self.ask_registry && parents.get(name).is_none() && state.parents_asked.insert(name.clone()) {
                let npmrc = crate::advisory_net::Npmrc::load(dir);
                match crate::advisory_net::packument(&npmrc, name).and_then(|text| Releases::from_packument(&text)) {
                    Ok(releases) => parents.insert(name.clone(), releases),
                    Err(err) => eprintln!(
                        "note: the releases of {name} could not be read ({err}): no release after its last \
                         affected version is known"
                    ),
                }
            }
        }
        if wanted.keys().all(|name| parents.get(name).is_none()) {
            // (Nothing to learn: the releases are not known offline, or the registry could not say.)
            if self.ask_registry {
                state.parents = Some(Arc::new(parents));
            }
            return;
        }
        let updated = Arc::make_mut(&mut db);
        for name in wanted.keys() {
            let Some(releases) = parents.get(name) else { continue };
            let releases: Vec<Version> = releases.versions().collect();
            // The release of `name` each advisory's fix of another package depends on (`^3.0.3`: 3.0.3).
            let floors: Vec<(String, Vec<Version>)> = updated
                .for_package(name)
                .iter()
                .map(|advisory| {
                    let floors = updated
                        .fixes_of_others(advisory)
                        .into_iter()
                        .filter_map(|(other, fixed)| {
                            match npm_spec::classify(parents.get(&other)?.declared(&fixed, name)?) {
                                Spec::Simple { version, .. } => Some(version),
                                _ => None,
                            }
                        })
                        .collect();
                    (advisory.id.clone(), floors)
                })
                .collect();
            for advisory in updated.for_package_mut(name) {
                let floors = floors.iter().find(|(id, _)| *id == advisory.id).map_or(&[][..], |(_, f)| f.as_slice());
                advisory.learn_releases(&releases, floors);
            }
        }
        state.parents = Some(Arc::new(parents));
        state.db = Some(db);
    }
}

/// Days since 1970-01-01 of a `YYYY-MM-DD` date (the proleptic Gregorian calendar).
fn day_number(date: &str) -> Option<i64> {
    let mut parts = date.get(..10)?.split('-').map(|p| p.parse::<i64>().ok());
    let (y, m, d) = (parts.next()??, parts.next()??, parts.next()??);
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    // Howard Hinnant's days_from_civil.
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 719_468)
}

/// Today, as a day number: `EXPRESS_HARDEN_TODAY` when set, else the clock.
fn today() -> Option<i64> {
    match std::env::var(TODAY_VAR) {
        Ok(date) => day_number(&date),
        Err(_) => std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .ok()
            .and_then(|d| i64::try_from(d.as_secs() / 86_400).ok()),
    }
}

/// The note for a bundled table compiled on `compiled` whose newest advisory was published on `newest`, when that
/// advisory is older than [`STALE_DAYS`] on `today`: the table's gaps are counted from the last advisory it knows (a
/// table compiled yesterday from records that stop a year ago is a year behind), or from `compiled` when no record
/// has a date.
pub fn staleness_note(compiled: &str, newest: Option<&str>, today: i64) -> Option<String> {
    let since = newest.unwrap_or(compiled);
    let age = today - day_number(since)?;
    (age > STALE_DAYS).then(|| match newest {
        Some(newest) => format!(
            "the bundled advisory table's newest advisory was published {newest}, {age} days ago (table compiled \
             {compiled}): advisories published since are not in it; --advisories osv or --advisories npm reads the \
             current ones from the network"
        ),
        None => format!(
            "the bundled advisory table is {age} days old (compiled {compiled}): advisories published since are not \
             in it; --advisories osv or --advisories npm reads the current ones from the network"
        ),
    })
}

impl Transform for Advisories {
    fn info(&self) -> &crate::transform::TransformInfo {
        &self.info
    }

    fn watch(&self) -> &'static [Watch] {
        watches()
    }

    fn settings(&self) -> Vec<&'static SettingsGroup> {
        vec![&ADVISORIES, &crate::transforms::shared::express_target::EXPRESS]
    }

    fn configure(&mut self, input: &SettingsInput<'_>) -> Result<(), String> {
        self.express = crate::transforms::shared::express_target::ExpressTarget::read(input)?;
        let flags: AdvisoryFlags = input.flags()?;
        let config: AdvisoryConfig = input.config(ADVISORIES.key)?.unwrap_or_default();
        if let Some(source) = flags.advisories.or(config.source) {
            self.source = Source::parse(&source);
        }
        if let Some(level) = flags.fail_on.as_deref().and_then(Level::parse).or(config.fail_on) {
            self.fail_on = level;
        }
        self.osv_url =
            std::env::var(crate::advisory_net::OSV_URL_VAR).ok().filter(|u| !u.is_empty()).or(config.osv_url);
        // (`--lockfile` is the command line's: it runs the package manager, which asks the registry anyway.)
        let lockfile = input.matches.and_then(|m| m.try_get_one::<bool>("lockfile").ok().flatten().copied());
        self.ask_registry = self.source == Source::Npm || lockfile == Some(true);
        Ok(())
    }

    fn prepare(&mut self) -> Result<(), String> {
        self.loaded = match &self.source {
            Source::Bundled => {
                let compiled = bundled().compiled.as_deref().unwrap_or_default();
                let newest = bundled().all().into_iter().filter_map(|a| a.published.as_deref()).max();
                if let Some(note) = today().and_then(|today| staleness_note(compiled, newest, today)) {
                    eprintln!("note: {note}");
                }
                None
            }
            // (Asked when the run's lockfiles are known: `prepare_inventories`.) A folder of the keyword's name here
            // (OSV's export lays npm's records out as `npm/all.zip`) is refused: the user may mean it, and the keyword
            // would send the project's package names over the network instead.
            Source::Osv | Source::Npm => {
                let keyword = if self.source == Source::Osv { "osv" } else { "npm" };
                if std::path::Path::new(keyword).exists() {
                    return Err(format!(
                        "--advisories {keyword} asks {} over the network, but a folder `{keyword}` is here too: write \
                         `./{keyword}` to read the OSV records in it, or move it to use the network source",
                        if keyword == "osv" { "the OSV API" } else { "the npm registry" }
                    ));
                }
                None
            }
            Source::Path(path) => {
                let mut db = Database::load_osv(path)?;
                db.take_api_from(bundled());
                Some(Arc::new(db))
            }
        };
        Ok(())
    }

    fn prepare_inventories(&self, inventories: &mut dyn Iterator<Item = &Inventory>) -> Result<(), (PathBuf, String)> {
        let inventories: Vec<&Inventory> = inventories.collect();
        self.fetch(&mut inventories.iter().copied())?;
        if self.ask_registry {
            self.fetch_parents(&inventories);
        }
        self.fetch_next_releases(&inventories);
        Ok(())
    }

    fn plan(&self, _cx: &FileContext<'_>, _plan: &mut FilePlan) {}

    fn plan_manifest(&self, cx: &ManifestContext<'_>, plan: &mut ManifestPlan) {
        if let Some((own, workspace, manager, used)) = cx.inventory.ignored() {
            let display = crate::discover::display_path;
            let lock = used.map(|path| display(&path));
            let (by, names) = match manager {
                Manager::Pnpm => ("pnpm", "pnpm-workspace.yaml"),
                Manager::Yarn1 => ("Yarn", "package.json"),
                _ => ("npm", "package.json"),
            };
            plan.findings.push(cx.finding(
                "ignored-lockfile",
                "",
                format!(
                    "{} is ignored by {by}: this project is a workspace of {}, {}; this file is neither read nor \
                     updated (delete it)",
                    display(&own),
                    display(&workspace.join(names)),
                    lock.map_or_else(
                        || "whose lockfile (there is none yet) will install it".to_string(),
                        |lock| format!("whose lockfile, {lock}, installs it: its packages are checked there")
                    )
                ),
            ));
        }
        if let Some((ignored, shrinkwrap)) = cx.inventory.shadowed() {
            let display = crate::discover::display_path;
            plan.findings.push(cx.finding(
                "ignored-lockfile",
                "",
                format!(
                    "{} is ignored by npm: npm installs from {} next to it; this file is neither read nor updated \
                     (delete it)",
                    display(&ignored),
                    display(&shrinkwrap)
                ),
            ));
        }
        let Some(read) = cx.inventory.get() else {
            let finding = self.no_lockfile(cx, plan);
            plan.findings.extend(finding);
            return;
        };
        let inventory = match read {
            Ok(inventory) => inventory,
            Err(err) => {
                plan.findings.push(cx.finding(
                    "unreadable-lockfile",
                    "",
                    format!("{err}: its packages were not checked against known advisories"),
                ));
                return;
            }
        };
        for (member, key, message) in out_of_sync(cx, inventory) {
            // (A workspace member's on its own package.json, on the line of the dependency.)
            let text =
                member.as_ref().and_then(|path| crate::fsread::read_text(path, crate::fsread::TEXT_LIMIT, None).ok());
            plan.findings.push(match (&member, &text) {
                (Some(path), Some(text)) => cx.finding_in(path, text, "lockfile-out-of-sync", &key, message),
                _ => cx.finding("lockfile-out-of-sync", &key, message),
            });
        }
        // (pnpm's lockfile records no range between packages: those learned from node_modules or the registry.)
        let learned = self.with_declared_ranges(inventory, cx.options.root.as_deref());
        let inventory = learned.as_ref().unwrap_or(inventory);
        let db = self.database();
        // The installed copies of each affected name@version.
        let mut affected: BTreeMap<(&str, &str), Copies<'_>> = BTreeMap::new();
        let names: rustc_hash::FxHashSet<&str> = inventory.packages.iter().map(|p| p.name.as_str()).collect();
        let installed = |name: &str| names.contains(name);
        for (i, package) in inventory.packages.iter().enumerate() {
            let hits = db.for_installed(&package.name, &installed);
            if hits.is_empty() {
                continue;
            }
            let hits: Vec<&Advisory> = hits.into_iter().filter(|a| a.affects(&package.version)).collect();
            if hits.is_empty() {
                continue;
            }
            let entry = affected.entry((&package.name, &package.version)).or_default();
            entry.0.push(i);
            if entry.1.is_empty() {
                entry.1 = hits;
            }
        }
        let mut overrides: BTreeMap<String, String> = BTreeMap::new();
        // The project's own dependencies are planned first: a package whose parent this run raises comes with the
        // raise rather than with an override (express 4.20.0 depends on a fixed send already).
        let affected: Vec<_> = affected.into_iter().collect();
        let own_first = |root: bool| {
            affected.iter().enumerate().filter(move |(_, ((name, _), _))| cx.info.dependency(name).is_some() == root)
        };
        // The others by depth, parents before the packages under them: a package whose parent the lockfile refresh of
        // this run moves comes with that refresh (express moved within `^4.17.1` brings a fixed body-parser).
        let depth = |i: usize| affected[i].1 .0.iter().map(|&c| inventory.packages[c].chain.len()).min().unwrap_or(0);
        let mut others: Vec<usize> = own_first(false).map(|(i, _)| i).collect();
        others.sort_by_key(|&i| depth(i));
        // (Each after the affected packages it is installed under, the shallowest first; in a cycle, the first left.)
        // (What each is installed under, and how many entries of each name are still to plan, read once.)
        let above: Vec<Vec<&str>> = (0..affected.len())
            .map(|i| {
                let own = affected[i].0 .0;
                let mut names: Vec<&str> = affected[i]
                    .1
                     .0
                    .iter()
                    .flat_map(|&c| &inventory.packages[c].parents)
                    .filter_map(|d| match d.parent {
                        Parent::Package(p) => Some(inventory.packages[p].name.as_str()),
                        Parent::Root(_) => None,
                    })
                    .filter(|name| *name != own)
                    .collect();
                names.sort_unstable();
                names.dedup();
                names
            })
            .collect();
        let mut waiting: BTreeMap<&str, usize> = BTreeMap::new();
        for &i in &others {
            *waiting.entry(affected[i].0 .0).or_default() += 1;
        }
        let mut sorted = Vec::with_capacity(others.len());
        while !others.is_empty() {
            let next = others.iter().position(|&i| above[i].iter().all(|p| waiting.get(p).is_none_or(|n| *n == 0)));
            let i = others.remove(next.unwrap_or(0));
            if let Some(n) = waiting.get_mut(affected[i].0 .0) {
                *n -= 1;
            }
            sorted.push(i);
        }
        let order: Vec<usize> = own_first(true).map(|(i, _)| i).chain(sorted).collect();
        let mut raised = Raises::default();
        let mut fixes: Vec<Option<AdvisoryFix>> = vec![None; affected.len()];
        // The package.json entries that carry each package's fix.
        let mut carried: Vec<Vec<Carried>> = vec![Vec::new(); affected.len()];
        // The advisories a package's fix leaves for another line of releases (id -> why), by package.
        let mut left: Vec<BTreeMap<String, AdvisoryFix>> = vec![BTreeMap::new(); affected.len()];
        for i in order {
            let ((name, version), (copies, hits)) = &affected[i];
            // Malware (a `MAL-` record): no release is a fix, the package is to be removed; the package's other
            // advisories are fixed as usual (never by a release a malware record lists: `all` keeps them).
            let (malware, hits): (Vec<&Advisory>, Vec<&Advisory>) = hits.iter().partition(|a| a.malicious());
            for advisory in &malware {
                left[i].insert(advisory.id.clone(), remove_malware(inventory, name, version, copies, advisory));
            }
            if hits.is_empty() {
                fixes[i] = malware.first().map(|a| remove_malware(inventory, name, version, copies, a));
                continue;
            }
            let hits = &hits;
            let all = db.for_installed(name, &installed);
            raised.carriers.clear();
            let mut fix = self.fix(cx, inventory, name, version, copies, hits, &all, plan, &mut overrides, &mut raised);
            carried[i] = std::mem::take(&mut raised.carriers);
            // No fix for them all (one needs a new major): the advisories fixed on the installed line of releases are
            // still fixed (axios 0.21.1's high advisory by 0.21.2, its moderate one only by 1.6.0), the others left.
            if let (FixKind::None, Ok(at)) = (fix.kind, Version::parse(version)) {
                let (near, far): (Vec<&Advisory>, Vec<&Advisory>) =
                    hits.iter().partition(|a| a.patched_after(version).is_some_and(|v| line_of(&v) == line_of(&at)));
                if !near.is_empty() && !far.is_empty() {
                    let near_all: Vec<&Advisory> =
                        all.iter().filter(|a| !far.iter().any(|f| f.id == a.id)).copied().collect();
                    let partial = self.fix(
                        cx,
                        inventory,
                        name,
                        version,
                        copies,
                        &near,
                        &near_all,
                        plan,
                        &mut overrides,
                        &mut raised,
                    );
                    if partial.kind != FixKind::None {
                        for advisory in far {
                            let why = AdvisoryFix::new(
                                FixKind::None,
                                format!(
                                    "{}; the {} planned for its advisories fixed on the {} line leaves this one",
                                    fix.description.trim_end_matches('.'),
                                    partial.kind.words(),
                                    describe_line(&at)
                                ),
                            );
                            left[i].insert(advisory.id.clone(), why);
                        }
                        fix = partial;
                        carried[i] = std::mem::take(&mut raised.carriers);
                    }
                }
            }
            fixes[i] = Some(fix);
        }
        // A parent raised by a later pick past the release an earlier fix named (express to 4.20.0 for body-parser,
        // then to 4.21.2 for path-to-regexp): the fix names the release written, and what that one depends on.
        let parents = self.parents();
        for (((name, _), _), fix) in affected.iter().zip(&mut fixes) {
            let Some(fix) = fix.as_mut().filter(|f| f.kind == FixKind::Bump) else { continue };
            for (parent, to) in &raised.to {
                let Some(releases) = parents.get(parent) else { continue };
                let said = format!("{parent} is raised to ");
                let Some(at) = fix.description.find(&said) else { continue };
                let rest = &fix.description[at + said.len()..];
                let before = rest.split([',', ' ']).next().unwrap_or_default();
                if before == to.to_string() || Version::parse(before).is_err() {
                    continue;
                }
                let depends = |release: &str| {
                    let range = releases.declared(release, name)?;
                    Some(Child { name, target: to, all: &[] }.depends(range))
                };
                let (Some(old), Some(new)) = (depends(before), depends(&to.to_string())) else { continue };
                // ("raised to 4.21.1, which depends on ...", or "raised to 4.21.1 (4.20.0 still depends on ...;
                // 4.21.1 depends on ...)".)
                let written = match rest[before.len()..].strip_prefix(" (").and_then(|r| r.split_once(')')) {
                    Some((why, _)) if why.ends_with(&format!("{before} {old}")) => format!("{said}{before} ({why})"),
                    _ => format!("{said}{before}, which {old}"),
                };
                fix.description = fix.description.replace(&written, &format!("{said}{to}, which {new}"));
            }
        }
        // A dependency raised past its own fix, so that a package it depends on comes fixed too, says so.
        for (((name, _), _), fix) in affected.iter().zip(&mut fixes) {
            if let (Some(fix), Some(why)) = (fix.as_mut(), raised.past_fix.get(*name)) {
                if fix.kind == FixKind::Bump {
                    fix.description = why.clone();
                }
            }
        }
        // The workspace members the lockfile installs: their manifests (a finding about a package only a member
        // depends on is placed there) and their projects (whose code may call what an advisory concerns).
        let lock_dir = inventory.path.parent().unwrap_or(std::path::Path::new(""));
        let members: BTreeMap<usize, PathBuf> = inventory
            .roots
            .iter()
            .enumerate()
            .filter(|(_, r)| !r.path.is_empty())
            .map(|(i, r)| (i, lock_dir.join(&r.path).join("package.json")))
            .collect();
        let member_projects: Vec<&Project> = members.values().filter_map(|path| project_at(cx, path)).collect();
        // (How many routes lead to each package: read once, for the reports' paths.)
        let mut route_counts: Option<Vec<u64>> = None;
        let mut described: rustc_hash::FxHashMap<Parent, String> = rustc_hash::FxHashMap::default();
        for (((((name, version), (copies, hits)), fix), left), carried) in
            affected.into_iter().zip(fixes).zip(left).zip(carried)
        {
            let Some(fix) = fix else { continue };
            // Where the finding goes: the line of the project's dependency that leads to a copy (the copy itself, or
            // the direct dependency a parent is installed through), in the lockfile's own package.json when one is
            // reached from it, else in the member's.
            let mut leads: Vec<(usize, &str, Option<&str>)> = Vec::new();
            for &i in &copies {
                for d in &inventory.packages[i].parents {
                    match d.parent {
                        Parent::Root(r) => leads.push((r, name, d.range.as_deref())),
                        Parent::Package(p) => {
                            let parent = &inventory.packages[p];
                            let via = match parent.chain.get(1) {
                                Some(Parent::Package(q)) => &inventory.packages[*q],
                                _ => parent,
                            };
                            if let Some(Parent::Root(r)) = parent.chain.first() {
                                // (The range tells an alias's key: `"cp": "npm:cookie-parser@1.4.6"`.)
                                let range = via.parents.iter().find(|d| d.parent == Parent::Root(*r));
                                leads.push((*r, via.name.as_str(), range.and_then(|d| d.range.as_deref())));
                            }
                        }
                    }
                }
            }
            let lead = leads.iter().find(|(r, _, _)| !members.contains_key(r)).or(leads.first());
            let member_manifest = lead.and_then(|(r, _, _)| members.get(r)).and_then(|path| {
                let text = crate::fsread::read_text(path, crate::fsread::TEXT_LIMIT, None).ok()?;
                Some((path, text))
            });
            let info = match member_manifest {
                Some((path, _)) => project_at(cx, path).and_then(|p| p.manifest.as_ref()),
                None => Some(cx.info),
            };
            let direct = lead.map_or(name.to_string(), |(_, listed, range)| manifest_key(info, listed, *range));
            // Every route to each copy (as npm audit lists them), each copy's shortest first, at most MAX_PATHS; the
            // others counted.
            let each = (crate::advisories::MAX_PATHS / copies.len().max(1)).max(1);
            let counts = route_counts.get_or_insert_with(|| inventory.route_counts());
            let (mut paths, mut routes) = (Vec::new(), 0u64);
            for &i in &copies {
                let (found, total) = inventory.routes(i, each, counts);
                routes = routes.saturating_add(total);
                // (Each node described once per lockfile: the routes of a deep tree pass the same nodes many times.)
                for route in &found {
                    for &n in route {
                        described.entry(n).or_insert_with(|| inventory.describe(n));
                    }
                    let names: Vec<&str> = route.iter().filter_map(|n| described.get(n).map(String::as_str)).collect();
                    paths.push(names.join(" > "));
                }
            }
            let paths_omitted = routes.saturating_sub(paths.len() as u64);
            // The packages through which the copies are installed (their parents, and the shortest chains to them).
            let ancestors: std::collections::BTreeSet<&str> = copies
                .iter()
                .flat_map(|&i| {
                    let package = &inventory.packages[i];
                    let parents = package.parents.iter().map(|d| d.parent);
                    let chain = package.chain.iter().rev().skip(1).copied();
                    parents.chain(chain)
                })
                .filter_map(|node| match node {
                    Parent::Package(p) => Some(inventory.packages[p].name.as_str()),
                    Parent::Root(_) => None,
                })
                .filter(|n| *n != name)
                .collect();
            for advisory in hits {
                // (No release of malware is a fix.)
                let patched = advisory.patched_after(version).map(|v| v.to_string()).filter(|_| !advisory.malicious());
                let watched = self.watched(&advisory.package);
                let (reachability, reason) = std::iter::once(cx.project)
                    .chain(member_projects.iter().copied())
                    .map(|project| reachability(advisory, project, watched, &ancestors))
                    .min_by_key(|(r, _)| match r {
                        Reachability::Called => 0,
                        Reachability::Unknown => 1,
                        Reachability::NotCalled => 2,
                    })
                    .unwrap_or((Reachability::Unknown, String::new()));
                let severity = advisory.severity;
                // (A record that gives no severity at all, nor a CVSS v3 vector, cannot be graded: it fails the gate.)
                let gate = severity.is_none_or(|s| s >= self.fail_on);
                let shown = crate::discover::display_path(&inventory.path);
                // An advisory no version fixes stays, whatever the fix of the package's others.
                let (fix, carriers) = if let Some(why) = left.get(&advisory.id) {
                    (why.clone(), Vec::new())
                } else if patched.is_none() && fix.kind != FixKind::None {
                    (unfixed(name, advisory, &fix), Vec::new())
                } else {
                    let mut carriers: Vec<crate::advisories::Carrier> = carried
                        .iter()
                        .map(|(manifest, section, key)| crate::advisories::Carrier {
                            manifest: manifest.clone().unwrap_or_else(|| cx.path.to_path_buf()),
                            section: *section,
                            key: key.clone(),
                        })
                        .collect();
                    carriers.sort();
                    carriers.dedup();
                    (fix.clone(), carriers)
                };
                let fixed = fix.kind != FixKind::None;
                let message = format!(
                    "{name}@{version} ({shown}) is affected by {} ({}{}): {}. {}; {}. {}",
                    advisory.id,
                    severity.map_or(
                        "severity unknown: the record gives none, and --check counts it as failing",
                        Level::label
                    ),
                    if advisory.aliases.is_empty() {
                        String::new()
                    } else {
                        format!(", {}", advisory.aliases.join(", "))
                    },
                    // (A summary that ends its sentence keeps one period: "via the `pretty` option.")
                    advisory.summary.strip_suffix('.').unwrap_or(&advisory.summary),
                    match (&patched, advisory.lists_no_fix()) {
                        _ if advisory.malicious() => format!(
                            "It is a malicious-package record: {name} {version} is malware, not a bug, and no version \
                             of it is safe"
                        ),
                        (Some(p), _) => format!("Fixed in {p}"),
                        (None, Some(which)) => format!(
                            "The advisory lists no fixed version: per its record, {which} of {name} is affected"
                        ),
                        (None, None) => "No fixed version is known".to_string(),
                    },
                    // (An advisory that concerns the package itself, `import`, is used, not called.)
                    match (reachability, advisory.api.iter().all(|api| api == "import")) {
                        (Reachability::Called, false) => format!("the code calls what it concerns ({reason})"),
                        (Reachability::Called, true) => format!("the code uses what it concerns ({reason})"),
                        (Reachability::NotCalled, false) =>
                            format!("the code does not call what it concerns ({reason})"),
                        (Reachability::NotCalled, true) => format!("the code does not use what it concerns ({reason})"),
                        (Reachability::Unknown, false) =>
                            format!("whether the code calls what it concerns is unknown ({reason})"),
                        (Reachability::Unknown, true) =>
                            format!("whether the code uses what it concerns is unknown ({reason})"),
                    },
                    fix.description
                );
                let rule = if fixed { "fix-planned" } else { "vulnerable" };
                let finding = match &member_manifest {
                    Some((path, text)) => cx.finding_in(path, text, rule, &direct, message),
                    None => cx.finding(rule, &direct, message),
                };
                plan.advisories.push(AdvisoryReport {
                    id: advisory.id.clone(),
                    aliases: advisory.aliases.clone(),
                    package: name.to_string(),
                    installed: version.to_string(),
                    patched,
                    severity: severity.map(|s| s.label().to_string()),
                    summary: advisory.summary.clone(),
                    url: format!("https://osv.dev/vulnerability/{}", advisory.id),
                    lockfile: inventory.path.clone(),
                    manifest: finding.path.clone(),
                    line: finding.line,
                    paths: paths.clone(),
                    paths_omitted,
                    reachability,
                    reachability_reason: reason,
                    fix,
                    carriers,
                    moves: raised.moves.get(&(name.to_string(), version.to_string())).cloned().unwrap_or_default(),
                    unasked: raised.unasked.get(&(name.to_string(), version.to_string())).cloned().unwrap_or_default(),
                    gate,
                    rule: finding.rule.clone(),
                    message: finding.message.clone(),
                });
                plan.findings.push(finding);
            }
        }
        for (package, spec) in overrides {
            let section = match inventory.manager {
                Manager::Npm => DepSection::Overrides,
                Manager::Pnpm => DepSection::PnpmOverrides,
                Manager::Yarn1 | Manager::YarnBerry => DepSection::Resolutions,
            };
            plan.changes.push(ManifestRequest::new(section, package, spec));
        }
    }
}

/// The installed copies of one `name@version` (indices into the inventory's packages) and the advisories affecting it.
type Copies<'a> = (Vec<usize>, Vec<&'a Advisory>);

/// The key a manifest lists `name` under, given the range it declares: the alias of `"cookie-old":
/// "npm:cookie@0.3.1"`, else the name.
fn manifest_key(info: Option<&crate::manifest::ManifestInfo>, name: &str, range: Option<&str>) -> String {
    let alias = |(key, spec): (&str, &str)| {
        let aliased = spec.strip_prefix("npm:").and_then(|a| a.rsplit_once('@')).is_some_and(|(real, _)| real == name);
        (key != name && aliased && Some(spec) == range).then(|| key.to_string())
    };
    info.and_then(|info| DepSection::ALL.iter().find_map(|&section| info.dependencies(section).find_map(alias)))
        .unwrap_or_else(|| name.to_string())
}

/// The packages whose tarball the copy `i` ships in (bundleDependencies): its nearest ancestors not bundled
/// themselves (minimist inside rc inside fsevents: fsevents), described.
fn bundlers(inventory: &Inventory, i: usize) -> Vec<String> {
    let mut found = Vec::new();
    let mut seen = BTreeSet::from([i]);
    let mut next = vec![i];
    while let Some(at) = next.pop() {
        for d in &inventory.packages[at].parents {
            match d.parent {
                Parent::Package(p) if inventory.packages[p].bundled => {
                    if seen.insert(p) {
                        next.push(p);
                    }
                }
                parent => found.push(inventory.describe(parent)),
            }
        }
    }
    found
}

/// The project of the run whose manifest is `path` (`./a/package.json` and `a/package.json` are the same).
fn project_at<'a>(cx: &ManifestContext<'a>, path: &std::path::Path) -> Option<&'a Project> {
    cx.projects.iter().find(|(p, _)| crate::root::same_path(p, path)).map(|(_, project)| project)
}

/// A version's line of releases in words: `0.21.x`, `4.x`.
fn describe_line(v: &Version) -> String {
    match line_of(v) {
        (0, minor) => format!("0.{minor}.x"),
        (major, _) => format!("{major}.x"),
    }
}

/// The line of releases a version belongs to, as npm counts breaking changes: the major, or the minor under 1.0.0.
fn line_of(v: &Version) -> (u64, u64) {
    if v.major == 0 {
        (0, v.minor)
    } else {
        (v.major, 0)
    }
}

/// The project's own dependencies a manifest's plan raises: to which release, and the description of a raise past
/// the dependency's own fix (so that a package it depends on comes fixed too).
#[derive(Default)]
struct Raises {
    to: BTreeMap<String, Version>,
    past_fix: BTreeMap<String, String>,
    /// The parents the lockfile refresh moves for a package's installed version (their specs admit a release that
    /// fixes it). Per version: another copy of the same package that moves with its parent does not take the place of
    /// this copy's own refresh (request's qs 6.5.2 is refreshed itself while express's qs 6.7.0 moves with express).
    moves: BTreeMap<(String, String), Vec<String>>,
    /// The parents of a package's installed version that a raise could fix it through but whose releases are not
    /// known offline (not in the bundled parents table, the registry not asked): `--lockfile` asks the registry and
    /// may plan a raise the dry run does not show.
    unasked: BTreeMap<(String, String), Vec<String>>,
    /// The packages this run's lockfile refresh (or override) moves for advisories of their own, by name and installed
    /// version, and the release each moves to (the newest the bundled parents table knows that every parent's range,
    /// or the override, admits). Per version: the override of debug 3.2.6 moves no copy of debug 2.2.0, nor does a
    /// refresh of the copies every parent's range lets move move one a parent pins (mocha 2.5.3's debug `2.2.0`).
    refreshed: BTreeMap<(String, String), Version>,
    /// The package.json entries that carry the fix being planned (see [`Carried`]).
    carriers: Vec<Carried>,
}

/// A package.json entry that carries a fix: the manifest (`None`: the plan's own), the section and the key (see
/// [`crate::advisories::Carrier`]).
type Carried = (Option<PathBuf>, DepSection, String);

/// The entries that list the registry package `name` in the manifests at `at` (`None`: the plan's own): the carriers
/// of a fix that raises it there, or counts on its raise.
fn entries_of(cx: &ManifestContext<'_>, at: &[Option<PathBuf>], name: &str) -> Vec<Carried> {
    at.iter()
        .flat_map(|m| {
            let listed = manifest_at(cx, m.as_deref()).map(|info| listed(info, name)).unwrap_or_default();
            listed.into_iter().map(move |(section, key, _)| (m.clone(), section, key))
        })
        .collect()
}

/// An affected package whose parent may be raised: its name, the version that fixes it, and all its advisories.
struct Child<'a> {
    name: &'a str,
    target: &'a Version,
    all: &'a [&'a Advisory],
}

impl Child<'_> {
    /// Whether a parent declaring `range` for the package gets a fixed one: the package manager picks the newest
    /// version the range admits, so a range that admits the target does, and a range past the target does when its
    /// lowest version is not affected; `""` (no such dependency) does too.
    fn resolves_fixed(&self, range: &str) -> bool {
        if range.is_empty() {
            return true;
        }
        let Some(r) = npm_spec::npm_range(range) else { return false };
        self.target.satisfies(&r)
            || r.min_version().is_some_and(|m| m > *self.target && !self.all.iter().any(|a| a.affects(&m.to_string())))
    }

    /// The release of `parent` the lockfile update moves it to where every manifest at `at` lists it in a spec that
    /// admits a fixed release but is no version to raise (`*`, `>=1.4.0`): the newest release those specs admit, when
    /// it is on the installed one's line, no advisory of `parent` affects it, it depends on a fixed package, and it
    /// moves no other dependency to a new line ([`breaks_line`]: then `Err` with why).
    #[allow(clippy::too_many_arguments)]
    fn release_within(
        &self,
        cx: &ManifestContext<'_>,
        inventory: &Inventory,
        parents: &ParentReleases,
        at: &[Option<PathBuf>],
        releases: &Releases,
        parent: &str,
        installed: &Version,
        db: &Database,
    ) -> Result<(Version, String), Option<String>> {
        let newest = releases.versions().filter(|v| admits(cx, at, parent, v)).max().ok_or(None)?;
        if newest <= *installed
            || line_of(&newest) != line_of(installed)
            || db.for_package(parent).iter().any(|a| a.affects(&newest.to_string()))
        {
            return Err(None);
        }
        let range = releases.declared(&newest.to_string(), self.name).ok_or(None)?.to_string();
        if !self.resolves_fixed(&range) {
            return Err(None);
        }
        match breaks_line(inventory, parents, releases, parent, installed, &newest, self.name, false) {
            Some(why) => Err(Some(why)),
            None => Ok((newest, range)),
        }
    }

    /// What a parent declaring `range` depends on, in words.
    fn depends(&self, range: &str) -> String {
        if range.is_empty() {
            format!("no longer depends on {}", self.name)
        } else {
            format!("depends on {} {range}", self.name)
        }
    }

    /// The first release of `parent` from `from` on, on the line of its installed release, that no advisory of
    /// `parent` affects, that depends on a fixed package and that moves no other dependency to a new line
    /// ([`breaks_line`]): that release and the range it declares; else why the newest release of the line it
    /// passed over is refused, when one is.
    #[allow(clippy::too_many_arguments)]
    fn parent_release(
        &self,
        inventory: &Inventory,
        parents: &ParentReleases,
        releases: &Releases,
        parent: &str,
        installed: &Version,
        from: &Version,
        db: &Database,
    ) -> Result<(Version, String), Option<String>> {
        let mut refused = None;
        // (A raise to the installed release is none.)
        let candidates =
            fixed_on_line(releases, installed, db.for_package(parent)).filter(|v| v >= from && v > installed);
        for v in candidates {
            let Some(range) = releases.declared(&v.to_string(), self.name) else { continue };
            if let Some(why) = breaks_line(inventory, parents, releases, parent, installed, &v, self.name, false) {
                refused = Some(why);
                continue;
            }
            if self.resolves_fixed(range) {
                return Ok((v, range.to_string()));
            }
        }
        Err(refused)
    }
}

/// The known releases of `releases` on `installed`'s line of releases that none of `advisories` affects, in the
/// order the releases are listed in.
fn fixed_on_line<'a, A: std::borrow::Borrow<Advisory>>(
    releases: &'a Releases,
    installed: &'a Version,
    advisories: &'a [A],
) -> impl Iterator<Item = Version> + 'a {
    releases
        .versions()
        .filter(move |v| line_of(v) == line_of(installed))
        .filter(move |v| !advisories.iter().any(|a| a.borrow().affects(&v.to_string())))
}

/// Why moving the installed `package` from `from` to the release `to` (a raise, a refresh or an override) would change
/// more than its own version: `to` resolves a dependency or peer that `from` had installed (the copy under it) to
/// another line of releases (a new major, or a new minor under 1.0.0: connect-mongo 4.6.0 makes mongodb a peer
/// `^4.1.0`, so npm 7+ installs driver 4 at the top where 3.6 was), or asks for a peer that the copy the project
/// installs does not satisfy. `fixing` is the affected package the move is for: its own move on its line is the fix,
/// not a break. `None` when nothing of the sort is known (`releases`: what the move's releases declare; `parents`: the
/// releases of the dependencies, to see the one a range resolves to). `peers_only` for an override, which moves the
/// affected package on its own line of releases and nothing else: a dependency of that release on a new major comes
/// as its own copy of it (debug 2.6.9's ms 2.0.0 where debug 2.2.0 had ms 0.7.1; the project's own copy, if it lists
/// the dependency, stays); only a peer, which it shares with the project, is checked.
#[allow(clippy::too_many_arguments)]
fn breaks_line(
    inventory: &Inventory,
    parents: &ParentReleases,
    releases: &Releases,
    package: &str,
    from: &Version,
    to: &Version,
    fixing: &str,
    peers_only: bool,
) -> Option<String> {
    let (from_s, to_s) = (from.to_string(), to.to_string());
    let copies: Vec<usize> = (0..inventory.packages.len())
        .filter(|&i| inventory.packages[i].name == package && inventory.packages[i].version == from_s)
        .collect();
    let installed = |dependency: &str, peer: bool| -> Option<&str> {
        let of = |parent: &dyn Fn(Parent) -> bool| {
            inventory
                .packages
                .iter()
                .find(|p| p.name == dependency && p.parents.iter().any(|d| parent(d.parent)))
                .map(|p| p.version.as_str())
        };
        of(&|parent| matches!(parent, Parent::Package(p) if copies.contains(&p)))
            // (A peer is looked up where the package is: the project's own copy.)
            .or_else(|| if peer { of(&|parent| matches!(parent, Parent::Root(_))) } else { None })
    };
    for dependency in releases.dependency_names() {
        let Some(range) = releases.declared(&to_s, dependency).filter(|r| !r.is_empty()) else { continue };
        let peer = releases.peer(&to_s, dependency).is_some_and(|p| p == range);
        if peers_only && !peer {
            continue;
        }
        let Some(current) = installed(dependency, peer) else { continue };
        let (Ok(current_v), Some(admits)) = (Version::parse(current), npm_spec::npm_range(range)) else { continue };
        if current_v.satisfies(&admits) {
            continue;
        }
        // The release the range resolves to: the newest one known, else its lowest.
        let resolves = parents.get(dependency).and_then(|r| r.newest_admitted(std::slice::from_ref(&admits)));
        let Some(resolves) = resolves.or_else(|| admits.min_version()) else { continue };
        let was_dependency = releases.declared(&from_s, dependency).is_some_and(|r| !r.is_empty())
            && releases.peer(&from_s, dependency).is_none_or(str::is_empty);
        let asks = match (peer, was_dependency) {
            (true, true) => format!("makes {dependency} a peer {range}"),
            (true, false) => format!("asks for the peer {dependency} {range}"),
            (false, _) => format!("depends on {dependency} {range}"),
        };
        // (A dependency of its own on a new `0.x` minor is the package's own business, vouched for by its line:
        // Express 4.20.0's cookie 0.6.0, send 0.19.0; so is the affected package it is raised for, on any line
        // (cookie-parser 1.4.7's cookie 0.7.2, passport-jwt 4.0.1's jsonwebtoken 9). Another dependency on a new
        // major, or a peer on any new line, which it shares with the project, is not.)
        let new_line = line_of(&resolves) != line_of(&current_v);
        if new_line && (peer || resolves.major != current_v.major && dependency != fixing) {
            let which =
                if current_v.major == 0 && resolves.major == 0 { "a new minor under 1.0.0" } else { "a new major" };
            return Some(format!(
                "{package} {to} {asks}; the project installs {dependency} {current} — {which}, not raised"
            ));
        }
        if peer && dependency != fixing && !new_line {
            return Some(format!(
                "{package} {to} {asks}; the project installs {dependency} {current}, which does not satisfy it — not \
                 raised"
            ));
        }
    }
    None
}

/// The registry package an npm alias names, and the spec after it: `npm:cookie-parser@1.4.6` ->
/// (`cookie-parser`, `1.4.6`).
fn alias_of(spec: &str) -> Option<(&str, &str)> {
    spec.strip_prefix("npm:").and_then(|a| a.rsplit_once('@')).filter(|(real, _)| !real.is_empty())
}

/// The spec of the registry package, through an alias: `npm:cookie-parser@*` -> `*`; any other spec as it is.
fn unaliased(spec: &str) -> &str {
    alias_of(spec).map_or(spec, |(_, inner)| inner)
}

/// [`raised`], through an alias: `npm:cookie-parser@1.4.6` -> `npm:cookie-parser@1.4.7`.
fn raised_listed(spec: &str, installed: &Version, target: &Version) -> Option<String> {
    match alias_of(spec) {
        Some((real, inner)) => raised(inner, installed, target).map(|to| format!("npm:{real}@{to}")),
        None => raised(spec, installed, target),
    }
}

/// The manifests that list the installed `parent` themselves: `None` for the plan's own, else a workspace member's
/// package.json (the lockfile's folder joined with the member's).
fn listing_manifests(inventory: &Inventory, parent: &crate::inventory::Package) -> Vec<Option<PathBuf>> {
    let lock_dir = inventory.path.parent().unwrap_or(std::path::Path::new(""));
    let mut at: Vec<Option<PathBuf>> = parent
        .parents
        .iter()
        .filter_map(|d| match d.parent {
            Parent::Root(r) => {
                let member = &inventory.roots[r].path;
                Some((!member.is_empty()).then(|| lock_dir.join(member).join("package.json")))
            }
            Parent::Package(_) => None,
        })
        .collect();
    at.dedup();
    if at.is_empty() {
        at.push(None);
    }
    at
}

/// What the lockfile and the package.json files of the projects it installs disagree on, said as a finding: a
/// registry dependency a package.json lists that the lockfile does not install for it, or one the lockfile installs
/// for a project whose package.json no longer lists it. The package manager's frozen install refuses such a lockfile
/// (`npm ci`: "Missing: ejs@3.1.6 from lock file"), and what it installs instead is not known: `--check` does not
/// pass it. (Yarn 1's lockfile records no project: only what it misses is seen.) One finding per package.json that
/// disagrees: its path (`None`: the plan's own; else a workspace member's), the key of the first dependency the
/// lockfile misses (its line is the finding's; none when only packages it no longer lists are), and the message.
fn out_of_sync(cx: &ManifestContext<'_>, inventory: &Inventory) -> Vec<(Option<PathBuf>, String, String)> {
    let lock_dir = inventory.path.parent().unwrap_or(std::path::Path::new(""));
    let (install, frozen) = match inventory.manager {
        Manager::Npm => ("npm install", "npm ci"),
        Manager::Pnpm => ("pnpm install", "pnpm install --frozen-lockfile"),
        Manager::Yarn1 => ("yarn install", "yarn install --frozen-lockfile"),
        Manager::YarnBerry => ("yarn install", "yarn install --immutable"),
    };
    // A workspace member another lists in a range its own version satisfies (`"api": "1.0.0"`, `*`) is linked, not
    // installed from the registry; one it does not satisfy is fetched from the registry, which the lockfile does not
    // install (`npm ci`: "Missing: ms@2.1.3 from lock file", for a member named ms at 1.0.0 listed as `^2.0.0`). Each
    // member by name, with its own version (`None`: not known, taken as satisfied).
    let members: BTreeMap<&str, Option<&str>> = inventory
        .roots
        .iter()
        .filter_map(|r| {
            let manifest = lock_dir.join(&r.path).join("package.json");
            let info = manifest_at(cx, (!r.path.is_empty()).then_some(manifest.as_path()));
            Some((r.name.as_deref()?, info.and_then(|i| i.version())))
        })
        .collect();
    // The version of the member `key` names that `spec` does not admit (a `workspace:` spec, which is no registry
    // spec, never gets here).
    let sibling_left_out = |key: &str, spec: &str| -> Option<Option<&str>> {
        let version = *members.get(key)?;
        let admits = match (version.map(Version::parse), npm_spec::npm_range(spec)) {
            (Some(Ok(version)), Some(range)) => version.satisfies(&range),
            _ => true,
        };
        (!admits).then_some(version)
    };
    let mut found = Vec::new();
    for (r, root) in inventory.roots.iter().enumerate() {
        let manifest = lock_dir.join(&root.path).join("package.json");
        let Some(info) = manifest_at(cx, (!root.path.is_empty()).then_some(manifest.as_path())) else { continue };
        // Each package the project depends on: its locked version, and the spec the lockfile records for it.
        let installed: Vec<(&str, &str, Option<&str>)> = inventory
            .packages
            .iter()
            .filter_map(|p| {
                let edge = p.parents.iter().find(|d| d.parent == Parent::Root(r))?;
                Some((p.name.as_str(), p.version.as_str(), edge.range.as_deref()))
            })
            .collect();
        let satisfied = |key: &str, spec: &str| {
            let real = alias_of(spec).map_or(key, |(real, _)| real);
            installed
                .iter()
                .filter(|(name, ..)| *name == real)
                .any(|(_, version, locked)| locks_spec(inventory.manager, spec, version, *locked))
        };
        let registry = |spec: &str| {
            matches!(npm_spec::classify(unaliased(spec)), Spec::Simple { .. } | Spec::Range(_) | Spec::Any)
                && (!spec.starts_with("npm:") || alias_of(spec).is_some())
        };
        // (Each with how it is named: `express 4.22.3 (locked at 4.21.2)`.)
        let missing: Vec<(&str, String)> =
            [DepSection::Dependencies, DepSection::DevDependencies, DepSection::OptionalDependencies]
                .into_iter()
                .flat_map(|section| info.dependencies(section))
                .filter(|(key, spec)| {
                    registry(spec) && (!members.contains_key(key) || sibling_left_out(key, spec).is_some())
                })
                .filter(|(key, spec)| !satisfied(key, spec))
                .map(|(key, spec)| {
                    let real = alias_of(spec).map_or(key, |(real, _)| real);
                    let locked: Vec<&str> =
                        installed.iter().filter(|(name, ..)| *name == real).map(|(_, version, _)| *version).collect();
                    let named = match (sibling_left_out(key, spec).flatten(), locked.as_slice()) {
                        (Some(own), _) => format!("{key} {spec} (the workspace's own {key} is {own})"),
                        (None, []) => format!("{key} {spec}"),
                        (None, _) => format!("{key} {spec} (locked at {})", locked.join(", ")),
                    };
                    (key, named)
                })
                .collect();
        let gone: BTreeSet<&str> = inventory
            .packages
            .iter()
            .filter(|p| {
                p.parents.iter().any(|d| d.parent == Parent::Root(r) && d.range.as_deref().is_none_or(&registry))
            })
            .map(|p| p.name.as_str())
            .filter(|name| listed(info, name).is_empty() && info.dependency_all(name).is_empty())
            .collect();
        let at = crate::discover::display_path(&manifest);
        let mut problems: Vec<String> = Vec::new();
        if !missing.is_empty() {
            let listed: Vec<&str> = missing.iter().map(|(_, named)| named.as_str()).collect();
            problems.push(format!("{at} lists {} that the lockfile does not install", listed.join(", ")));
        }
        if !gone.is_empty() {
            let gone: Vec<&str> = gone.into_iter().collect();
            problems.push(format!("the lockfile installs {} that {at} no longer lists", gone.join(", ")));
        }
        // pnpm records the root's `pnpm.overrides` in the lockfile (`overrides:`) and refuses a frozen install when
        // they differ (ERR_PNPM_LOCKFILE_CONFIG_MISMATCH).
        // (pnpm 10 also reads them from pnpm-workspace.yaml: not compared, so a project that keeps them there is
        // not told a wrong mismatch.)
        let root_dir = cx.options.root.as_deref();
        let workspace_overrides = || {
            crate::fsread::read_text(&lock_dir.join("pnpm-workspace.yaml"), crate::fsread::LOCKFILE_LIMIT, root_dir)
                .is_ok_and(|text| text.lines().any(|l| l.starts_with("overrides:")))
        };
        if r == 0 && inventory.manager == Manager::Pnpm && !workspace_overrides() {
            let declared: BTreeMap<&str, &str> = info.dependencies(DepSection::PnpmOverrides).collect();
            let recorded: BTreeMap<&str, &str> =
                inventory.overrides.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            if declared != recorded {
                let differ: Vec<String> = declared
                    .iter()
                    .filter(|(k, v)| recorded.get(*k) != Some(*v))
                    .map(|(k, v)| format!("{k} {v}"))
                    .chain(recorded.keys().filter(|k| !declared.contains_key(*k)).map(|k| format!("{k} (removed)")))
                    .collect();
                problems.push(format!("{at}'s pnpm.overrides differ from the lockfile's: {}", differ.join(", ")));
            }
        }
        if problems.is_empty() {
            continue;
        }
        let message = format!(
            "{} is out of sync with {at}: {}. `{frozen}` refuses it, and what an install brings is not what the \
             lockfile says: its packages are checked as the lockfile has them, and --check does not pass; run \
             `{install}` to bring the lockfile in line",
            crate::discover::display_path(&inventory.path),
            problems.join("; ")
        );
        let key = missing.first().map_or_else(String::new, |(key, _)| key.to_string());
        found.push(((!root.path.is_empty()).then_some(manifest), key, message));
    }
    found
}

/// Whether the lockfile's `version` of a package, which it records as depended on with `locked`, is what the
/// manifest's `spec` installs without a new resolution: pnpm's frozen install wants the spec it recorded, character
/// for character (`satisfiesPackageManifest`: "specifiers in the lockfile don't match specifiers in package.json");
/// npm ci (and Yarn, which looks the spec up as written) wants the locked version in the spec's range ("Invalid: lock
/// file's express@4.21.2 does not satisfy express@4.22.3"). A spec that is no range (a tag, `*`) is taken as met.
fn locks_spec(manager: Manager, spec: &str, version: &str, locked: Option<&str>) -> bool {
    if manager == Manager::Pnpm {
        return locked.is_none_or(|locked| locked.trim() == spec.trim());
    }
    match (npm_spec::npm_range(unaliased(spec)), Version::parse(version)) {
        (Some(range), Ok(version)) => version.satisfies(&range),
        _ => true,
    }
}

/// The parsed manifest at `at` (`None`: the plan's own).
fn manifest_at<'a>(
    cx: &ManifestContext<'a>,
    at: Option<&std::path::Path>,
) -> Option<&'a crate::manifest::ManifestInfo> {
    match at {
        None => Some(cx.info),
        Some(path) => project_at(cx, path).and_then(|p| p.manifest.as_ref()),
    }
}

/// The entries of a manifest that depend on the registry package `name`, peer dependencies aside: under its name, or
/// an alias of it (`"cp": "npm:cookie-parser@1.4.6"`), as (section, key, spec).
fn listed(info: &crate::manifest::ManifestInfo, name: &str) -> Vec<(DepSection, String, String)> {
    DepSection::ALL
        .iter()
        .filter(|s| **s != DepSection::PeerDependencies)
        .flat_map(|&section| {
            info.dependencies(section)
                .filter(|(key, spec)| *key == name || alias_of(spec).is_some_and(|(real, _)| real == name))
                .map(move |(key, spec)| (section, key.to_string(), spec.to_string()))
        })
        .collect()
}

/// The specs of `name` in the manifest at `at`, raised from `installed` to `to` on their line (with whether each
/// changes: a spec that already admits nothing below `to`, package.json ahead of its lockfile, stays); `None` when
/// the manifest does not list it, or a spec cannot be raised on its line.
fn raised_specs(
    cx: &ManifestContext<'_>,
    at: Option<&std::path::Path>,
    name: &str,
    installed: &Version,
    to: &Version,
) -> Option<Vec<(DepSection, String, String, bool)>> {
    let ahead =
        |spec: &str| npm_spec::npm_range(unaliased(spec)).and_then(|r| r.min_version()).is_some_and(|min| min >= *to);
    let specs: Vec<_> = listed(manifest_at(cx, at)?, name)
        .into_iter()
        .map(|(section, key, spec)| {
            if ahead(&spec) {
                return Some((section, key, spec, false));
            }
            // (A range that admits `to` already, `>=1.4.0`, is the lockfile's to move: see `admits`.)
            if let Spec::Range(range) = npm_spec::classify(unaliased(&spec)) {
                if to.satisfies(&range) {
                    return None;
                }
            }
            Some((section, key, raised_listed(&spec, installed, to)?, true))
        })
        .collect::<Option<_>>()?;
    (!specs.is_empty()).then_some(specs)
}

/// Whether every manifest at `at` lists `name` in specs that can be raised from `installed` to `to` on their line.
fn can_raise(cx: &ManifestContext<'_>, at: &[Option<PathBuf>], name: &str, installed: &Version, to: &Version) -> bool {
    at.iter().all(|m| raised_specs(cx, m.as_deref(), name, installed, to).is_some())
}

/// Whether every manifest at `at` lists `name` in specs that already admit `to` but are no version to raise in their
/// style (`*`, `latest`, `>=1.4.0`): the lockfile update moves it, the manifests stay.
fn admits(cx: &ManifestContext<'_>, at: &[Option<PathBuf>], name: &str, to: &Version) -> bool {
    at.iter().all(|m| {
        let specs = manifest_at(cx, m.as_deref()).map(|info| listed(info, name)).unwrap_or_default();
        !specs.is_empty()
            && specs.iter().all(|(_, _, spec)| match npm_spec::classify(unaliased(spec)) {
                Spec::Any => true,
                Spec::Range(range) => to.satisfies(&range),
                Spec::Simple { .. } | Spec::Other(_) => false,
            })
    })
}

/// Raises `name` from `installed` to `to` in the manifests at `at` (replacing a raise planned before): the specs
/// written, with the manifest of each, or `None` when one cannot be raised on its line.
fn raise_dependency(
    cx: &ManifestContext<'_>,
    plan: &mut ManifestPlan,
    at: &[Option<PathBuf>],
    name: &str,
    installed: &Version,
    to: &Version,
) -> Option<String> {
    let all: Vec<_> =
        at.iter().map(|m| Some((m, raised_specs(cx, m.as_deref(), name, installed, to)?))).collect::<Option<_>>()?;
    let mut written = Vec::new();
    for (manifest, specs) in all {
        let shown = manifest.as_deref().map_or_else(|| "package.json".to_string(), crate::discover::display_path);
        for (section, key, spec, change) in specs {
            if change {
                match manifest {
                    None => {
                        plan.changes.retain(|c| c.package != key);
                        plan.changes.push(ManifestRequest::new(section, &key, spec.clone()));
                    }
                    Some(path) => {
                        plan.elsewhere.retain(|(p, c)| !(p == path && c.package == key));
                        plan.elsewhere.push((path.clone(), ManifestRequest::new(section, &key, spec.clone())));
                    }
                }
            }
            written.push(format!("{spec} in {shown}"));
        }
    }
    written.dedup();
    Some(written.join(", "))
}

impl Advisories {
    /// `spec` of the project's own `name` raised from `installed` to `target` on its line ([`raised`]), when the
    /// release it then installs (the newest it admits, as far as the bundled parents table knows `name`'s releases)
    /// moves no dependency of `name` to another line ([`breaks_line`]); else raised to the first later release of the
    /// line that no advisory of `all` affects and whose spec installs a release that does not; else why not.
    fn raise_keeping_lines(
        &self,
        inventory: &Inventory,
        name: &str,
        spec: &str,
        installed: &Version,
        target: &Version,
        all: &[&Advisory],
    ) -> Result<String, String> {
        let parents = self.parents();
        let Some(releases) = parents.get(name) else {
            return raised(spec, installed, target).ok_or_else(String::new);
        };
        // The raised spec to `to`, and why the release it installs is refused, if it is.
        let check = |to: &Version| -> Option<(String, Option<String>)> {
            let written = raised(spec, installed, to)?;
            let resolves = npm_spec::npm_range(&written)
                .and_then(|r| releases.newest_admitted(std::slice::from_ref(&r)))
                .unwrap_or_else(|| to.clone());
            Some((written, breaks_line(inventory, &parents, releases, name, installed, &resolves, name, false)))
        };
        let Some((written, refused)) = check(target) else { return Err(String::new()) };
        let Some(why) = refused else { return Ok(written) };
        let later = fixed_on_line(releases, installed, all).filter(|v| v > target).find_map(|v| match check(&v)? {
            (written, None) => Some(written),
            _ => None,
        });
        later.ok_or(why)
    }

    /// Whether the prefilter reads the files that import `package` (else "not called" could not be told).
    fn watched(&self, package: &str) -> bool {
        bundled().covers(package)
    }

    /// The fix for the installed copies of `name@version`, planning its manifest change when it has one.
    #[allow(clippy::too_many_arguments)]
    fn fix(
        &self,
        cx: &ManifestContext<'_>,
        inventory: &Inventory,
        name: &str,
        version: &str,
        copies: &[usize],
        hits: &[&Advisory],
        all: &[&Advisory],
        plan: &mut ManifestPlan,
        overrides: &mut BTreeMap<String, String>,
        raises: &mut Raises,
    ) -> AdvisoryFix {
        let none = |description: String| AdvisoryFix::new(FixKind::None, description);
        // The version that fixes every advisory of this copy that has a fix (one without stays reported: see
        // `unfixed`).
        let mut target: Option<Version> = None;
        let mut unfixable = Vec::new();
        for advisory in hits {
            match advisory.patched_after(version) {
                Some(v) => target = Some(target.map_or(v.clone(), |t| t.max(v))),
                None => unfixable.push(advisory.id.as_str()),
            }
        }
        let Some(target) = target else {
            if let [advisory] = hits {
                if let Some(which) = advisory.lists_no_fix() {
                    return none(no_fix_listed(name, advisory, &which));
                }
            }
            return none(format!("No fixed version of {name} is known for {}: not fixed", unfixable.join(", ")));
        };
        // Nor one that another advisory affects (axios 0.21.4's fix 1.6.0 is inside 1.3.2..1.7.4 of another): the
        // first version past them all, or a second run would move the package again. (The advisories without a fix
        // affect it too, and stay.)
        let target = match past_others(all, &unfixable, target) {
            Ok(target) => target,
            Err((target, other)) => {
                return none(format!(
                    "{target}, which fixes the advisories of {name} {version}, is affected by {} and no version after \
                     it is known to be fixed: not fixed",
                    other.id
                ))
            }
        };
        let Ok(installed) = Version::parse(version) else {
            return none(format!("{name} {version} is not a registry version: not fixed"));
        };
        // A copy inside its parent's tarball (bundleDependencies) moves only with a release of that parent.
        if copies.iter().all(|&i| inventory.packages[i].bundled) {
            let mut parents: Vec<String> = copies.iter().flat_map(|&i| bundlers(inventory, i)).collect();
            parents.sort();
            parents.dedup();
            return none(format!(
                "{name} {version} is bundled inside {} (bundleDependencies): neither the lockfile nor an override \
                 changes it; only a release of that package that bundles {name} {target} or later fixes it",
                parents.join(", ")
            ));
        }
        // Its own dependency in this manifest.
        let own: Vec<(DepSection, String)> =
            cx.info.dependency_all(name).into_iter().filter(|(s, _)| *s != DepSection::PeerDependencies).collect();
        // The project's own pin (npm `overrides`, Yarn `resolutions`, `pnpm.overrides`) wins over every other fix.
        if let Some(pin) = user_pin(cx.text, inventory.manager, name, &installed, &target) {
            let fix = pin.fix(plan, &own, name, &installed, &target);
            if fix.kind == FixKind::Override {
                raises.carriers.push((None, pin.section, pin.key.clone()));
                raises.carriers.extend(own.iter().map(|(section, _)| (None, *section, name.to_string())));
            }
            // (The project's own dependency moved with its pin: a package under it is looked up at the new release.)
            if fix.kind == FixKind::Override && !own.is_empty() {
                raises.to.insert(name.to_string(), target.clone());
            }
            return fix;
        }
        // (Only a copy the project or a workspace member lists: express-version moves what package.json says, not
        // the express a dev server depends on, as webpack-dev-server's in a React front end's lockfile.)
        let express_raised = |parent: &crate::inventory::Package| {
            parent.name == "express"
                && cx.options.selected.contains(&"express-version")
                && parent.parents.iter().any(|d| matches!(d.parent, Parent::Root(_)))
        };
        let parents = self.parents();
        let db = self.database();
        let child = Child { name, target: &target, all };
        // The release of express the express-version transform raises it to: the newest of the major it moves to
        // (its own, 3 goes to 4, or the one asked for with --express when its migration is complete).
        let express_to = |installed: &str| -> Option<Version> {
            let current = Version::parse(installed).ok()?.major;
            let major = crate::transforms::express_version::planned_major(cx, self.express.major, current);
            parents.get("express")?.versions().filter(|v| v.major == major).max()
        };
        let is_root_dependency = copies.iter().any(|&i| {
            inventory.packages[i]
                .parents
                .iter()
                .any(|d| matches!(d.parent, Parent::Root(r) if inventory.roots[r].path.is_empty()))
        });
        // Every parent's declared range admits the target: the lockfile moves. (A parent raised by this run is not
        // counted: what its new release declares is, below.)
        let fits = copies.iter().all(|&i| {
            inventory.packages[i]
                .parents
                .iter()
                .all(|d| d.range.as_deref().and_then(npm_spec::npm_range).is_some_and(|r| target.satisfies(&r)))
        });
        // (A workspace member's own express too: express-version raises it in the member's package.json.)
        let direct_anywhere =
            copies.iter().any(|&i| inventory.packages[i].parents.iter().any(|d| matches!(d.parent, Parent::Root(_))));
        if name == "express" && cx.options.selected.contains(&"express-version") && (!own.is_empty() || direct_anywhere)
        {
            let mut at: Vec<Option<PathBuf>> =
                copies.iter().flat_map(|&i| listing_manifests(inventory, &inventory.packages[i])).collect();
            at.push(None);
            at.sort();
            at.dedup();
            raises.carriers.extend(entries_of(cx, &at, name));
            return AdvisoryFix::new(
                FixKind::Bump,
                "express is raised to its newest patched release by the express-version transform".into(),
            );
        }
        // (A lockfile that installs workspace members: pnpm's update goes through them.)
        let workspace = inventory.roots.iter().any(|r| !r.path.is_empty());
        let update = update_command(inventory.manager, name, workspace);
        // Who runs the update of `packages`, in words.
        let runs_for = |packages: &str| match inventory.manager {
            Manager::Npm => crate::advisories::RUN_BY_LOCKFILE.to_string(),
            // (`yarn upgrade` does not move a transitive package: see `lockfile::refresh`.)
            Manager::Yarn1 => format!(
                "the entries of {packages} in yarn.lock removed first, so that Yarn resolves them again; \
                 {}",
                crate::advisories::RUN_BY_LOCKFILE
            ),
            Manager::Pnpm => crate::advisories::RUN_BY_LOCKFILE.to_string(),
            Manager::YarnBerry => "run it yourself".to_string(),
        };
        let runs = runs_for(name);
        // What the lockfile update does for `ranges` (every copy's parents', or the project's own specs), when the
        // release it installs, the newest they admit, moves a dependency or peer to a new line ([`breaks_line`]): that
        // release, why, and (the package manager picks it, not this tool) the first fixed one they admit that does not,
        // to lock by hand. The end of the finding.
        let refused_update = |ranges: &[nodejs_semver::Range]| -> Option<String> {
            let releases = parents.get(name)?;
            let breaks = |to: &Version| breaks_line(inventory, &parents, releases, name, &installed, to, name, false);
            let to = releases.newest_admitted(ranges)?;
            let why = breaks(&to)?;
            let keeps = fixed_on_line(releases, &installed, all)
                .filter(|v| *v >= target && *v < to && ranges.iter().all(|r| v.satisfies(r)))
                .filter(|v| breaks(v).is_none())
                .min();
            let by_hand = keeps.map_or_else(
                || "move it by hand, checking what that dependency's new line changes".to_string(),
                |v| format!("{name} {v} is fixed and keeps them: lock it at {v} by hand"),
            );
            // (breaks_line's "…, not raised" is said here as "not refreshed".)
            let why = why.strip_suffix(" — not raised").or_else(|| why.strip_suffix(", not raised")).unwrap_or(&why);
            Some(format!(
                "{to}, and {why}: not refreshed (the package manager picks that release, not this tool); {by_hand}"
            ))
        };
        // [`refused_update`] for the project's own `specs` (for `*`, `latest` and the like the newest release, which
        // `latest` names but for a dist-tag moved back).
        let update_breaks = |specs: &[&str]| -> Option<String> {
            let range = |spec: &&str| match npm_spec::classify(spec) {
                Spec::Any => nodejs_semver::Range::parse("*").ok(),
                _ => npm_spec::npm_range(spec),
            };
            let ranges: Option<Vec<_>> = specs.iter().map(range).collect();
            refused_update(&ranges?)
        };
        if fits {
            // The project's own override of it that admits the fix too (`"qs": "^6.5.2"`) replaces those ranges: the
            // lockfile takes the newest release it admits.
            if let Some(Pin { section, key, spec, .. }) =
                user_range(cx.text, inventory.manager, name, &installed, &target)
            {
                let entry = format!("package.json's own `{}` entry `\"{key}\": \"{spec}\"`", section.label());
                if let Some(refused) = update_breaks(&[&spec]) {
                    return none(format!(
                        "{entry} replaces the ranges its parents declare for every copy, but the lockfile update \
                         moves {name} to the newest release it admits, {refused}"
                    ));
                }
                let newest = npm_spec::npm_range(&spec)
                    .and_then(|range| parents.get(name)?.newest_admitted(&[range]))
                    .map_or_else(|| format!("the newest release `{spec}` admits"), |v| format!("{v}"));
                return AdvisoryFix::new(
                    FixKind::LockfileRefresh,
                    format!(
                        "{entry} replaces the ranges its parents declare for every copy: the lockfile moves {name} to \
                         {newest}, which may be past {target} and past what its parents declare (`{update}`, {runs})",
                    ),
                );
            }
            // The release the refresh moves it to, when the bundled parents table knows its releases: the newest one
            // every parent's range admits (what the packages under it then resolve to is read from it). The package
            // manager picks it, not this tool: when it moves a dependency or peer to a new line ([`breaks_line`]),
            // no refresh is planned.
            let ranges: Option<Vec<_>> = copies
                .iter()
                .flat_map(|&i| &inventory.packages[i].parents)
                .map(|d| d.range.as_deref().and_then(npm_spec::npm_range))
                .collect();
            if let Some(refused) = ranges.as_deref().and_then(refused_update) {
                return none(format!(
                    "{target} fits the ranges its parents declare, but the lockfile update moves {name} to the newest \
                     release they admit, {refused}"
                ));
            }
            if let Some(newest) = ranges.and_then(|ranges| parents.get(name)?.newest_admitted(&ranges)) {
                raises.refreshed.insert((name.to_string(), version.to_string()), newest);
            }
            // (Offline, the release the update picks is not known when the bundled table lacks the package: said, as
            // `--write --lockfile` asks the registry first and may refuse the refresh.)
            let unknown = if parents.get(name).is_none() && !self.ask_registry {
                format!(
                    "; the update picks the newest release they admit, and the releases of {name} are not in the \
                     bundled table: --lockfile asks the registry whether that release moves a dependency to a new \
                     major (and refreshes nothing if it does)"
                )
            } else {
                String::new()
            };
            return AdvisoryFix::new(
                FixKind::LockfileRefresh,
                format!(
                    "{target} fits the ranges its parents declare: the lockfile moves it (`{update}`, {runs}){unknown}"
                ),
            );
        }
        // Copies that different changes fix (a project's own dependency, a parent's raise): each copy's own fix.
        let listed_by_project =
            |i: &usize| inventory.packages[*i].parents.iter().any(|d| matches!(d.parent, Parent::Root(_)));
        if copies.iter().any(listed_by_project) && !copies.iter().all(listed_by_project) {
            let each = |copy: usize| {
                // (An override planned for one copy is dropped: see `fix_each`.)
                let mut no_overrides = BTreeMap::new();
                self.fix(cx, inventory, name, version, &[copy], hits, all, plan, &mut no_overrides, raises)
            };
            let (fix, refreshed) = fix_each(inventory, name, copies, each);
            let key = (name.to_string(), version.to_string());
            if refreshed && !raises.moves.contains_key(&key) {
                raises.moves.entry(key).or_default().push(name.to_string());
            }
            return fix;
        }
        if is_root_dependency && !own.is_empty() {
            // package.json already asks for the fix or later (an earlier run raised it, its lockfile is behind): kept,
            // never lowered; the lockfile update moves the package.
            let floor = |spec: &str| npm_spec::npm_range(spec).and_then(|r| r.min_version()).filter(|m| *m >= target);
            if let Some(floor) = own.iter().map(|(_, spec)| floor(spec)).collect::<Option<Vec<Version>>>() {
                let specs: Vec<&str> = own.iter().map(|(_, spec)| spec.as_str()).collect();
                if let Some(refused) = update_breaks(&specs) {
                    return none(format!(
                        "package.json already asks for {name} {}, which the lockfile is behind, but the lockfile \
                         update moves {name} to the newest release it admits, {refused}",
                        specs.join(", ")
                    ));
                }
                raises.to.insert(name.to_string(), floor.into_iter().max().unwrap_or_else(|| target.clone()));
                return AdvisoryFix::new(
                    FixKind::LockfileRefresh,
                    format!(
                        "package.json already asks for {name} {}, which the lockfile is behind: the lockfile update \
                         moves it (`{update}`, {runs})",
                        specs.join(", ")
                    ),
                );
            }
            let mut made = Vec::new();
            for (section, spec) in &own {
                let to = match npm_spec::classify(spec) {
                    Spec::Simple { .. } | Spec::Range(_) if raised(spec, &installed, &target).is_some() => {
                        match self.raise_keeping_lines(inventory, name, spec, &installed, &target, all) {
                            Ok(to) => to,
                            Err(why) => {
                                return none(format!(
                                    "the fix, {name} {target}, moves a dependency of {name} to another line: {why}; \
                                     move to it by hand, checking what that dependency's new line changes"
                                ))
                            }
                        }
                    }
                    Spec::Simple { .. } | Spec::Range(_) => return none(new_major(name, &target, spec)),
                    Spec::Any => {
                        if let Some(refused) = update_breaks(&[spec]) {
                            return none(format!(
                                "`{spec}` admits {target}, but the lockfile update moves {name} to the newest release \
                                 it admits, {refused}"
                            ));
                        }
                        return AdvisoryFix::new(
                            FixKind::LockfileRefresh,
                            format!("`{spec}` admits {target}: the lockfile moves it (`{update}`, {runs})"),
                        );
                    }
                    Spec::Other(what) => return none(format!("{name} is `{spec}`, {what}: not rewritten")),
                };
                made.push(to.clone());
                raises.carriers.push((None, *section, name.to_string()));
                plan.changes.push(ManifestRequest::new(*section, name, to));
            }
            raises.to.insert(name.to_string(), target.clone());
            return AdvisoryFix::new(FixKind::Bump, format!("{name} is raised to {} in package.json", made.join(", ")));
        }
        // Every parent that leaves the target out is a workspace member that lists the package itself, in a range
        // that can move to it on the same line: raised in the member's package.json, as its own dependency would be.
        let blocking: Vec<&crate::inventory::Dependent> = copies
            .iter()
            .flat_map(|&i| &inventory.packages[i].parents)
            .filter(|d| !d.range.as_deref().and_then(npm_spec::npm_range).is_some_and(|r| target.satisfies(&r)))
            .collect();
        let lock_dir = inventory.path.parent().unwrap_or(std::path::Path::new(""));
        // (A parent this run raises or refreshes to a release that depends on a fixed package brings its copy along.)
        let comes_with_parent = |d: &&&crate::inventory::Dependent| -> bool {
            let Parent::Package(p) = d.parent else { return false };
            let parent = &inventory.packages[p];
            let to = raises
                .to
                .get(&parent.name)
                .or_else(|| raises.refreshed.get(&(parent.name.clone(), parent.version.clone())))
                .cloned()
                .or_else(|| express_raised(parent).then(|| express_to(&parent.version)).flatten());
            to.and_then(|to| {
                parents.get(&parent.name)?.declared(&to.to_string(), name).map(|r| child.resolves_fixed(r))
            })
            .unwrap_or(false)
        };
        let in_members: Option<Vec<(PathBuf, DepSection, String)>> = blocking
            .iter()
            .filter(|d| !comes_with_parent(d))
            .map(|d| {
                let Parent::Root(r) = d.parent else { return None };
                let member = &inventory.roots[r].path;
                let section = match d.kind {
                    DepKind::Prod => DepSection::Dependencies,
                    DepKind::Dev => DepSection::DevDependencies,
                    DepKind::Optional => DepSection::OptionalDependencies,
                    DepKind::Peer => return None,
                };
                let to = raised(d.range.as_deref()?, &installed, &target)?;
                (!member.is_empty()).then(|| (lock_dir.join(member).join("package.json"), section, to))
            })
            .collect();
        if let Some(members) = in_members.filter(|m| !m.is_empty()) {
            let mut made = Vec::new();
            for (manifest, section, to) in members {
                made.push(format!("{to} in {}", crate::discover::display_path(&manifest)));
                // The member's package.json as it is, not the lockfile's range: a spec a run before raised past the
                // target (for another advisory of a package it brings) is ahead of its lockfile, and never lowered.
                let ahead = raised_specs(cx, Some(&manifest), name, &installed, &target)
                    .is_some_and(|specs| specs.iter().all(|(_, _, _, change)| !change));
                if !ahead {
                    raises.carriers.push((Some(manifest.clone()), section, name.to_string()));
                    plan.elsewhere.push((manifest, ManifestRequest::new(section, name, to)));
                }
            }
            made.dedup();
            // (Raised by this run, as a root's own dependency is: a package it brings says so, and where that needs a
            // later release, this fix says it goes past its own.)
            raises.to.insert(name.to_string(), target.clone());
            return AdvisoryFix::new(FixKind::Bump, format!("{name} is raised to {}", made.join(", ")));
        }
        // Workspace members that list it in a spec the fix is a new line for: theirs to move.
        let member_specs: Option<Vec<String>> = blocking
            .iter()
            .map(|d| {
                let Parent::Root(r) = d.parent else { return None };
                let member = &inventory.roots[r].path;
                let range = d.range.as_deref()?;
                let version = unaliased(range);
                let on_a_line = matches!(npm_spec::classify(version), Spec::Simple { .. } | Spec::Range(_));
                (!member.is_empty() && on_a_line).then(|| format!("`{range}` in {}", inventory.describe(d.parent)))
            })
            .collect();
        if let Some(specs) = member_specs.filter(|m| !m.is_empty()) {
            return none(format!(
                "the fix, {name} {target}, is on another line of releases than {} (a new major, or a new minor under \
                 1.0.0, whose API may change): not raised; move to it by hand, checking its changelog",
                specs.join(", ")
            ));
        }
        // Every parent that leaves the target out is moved by this run's lockfile refresh (for an advisory of its
        // own) to a release that declares a range resolving to a fixed version: the package comes with that refresh.
        let with_refresh: Option<Vec<(String, &str)>> = blocking
            .iter()
            .map(|d| {
                let Parent::Package(p) = d.parent else { return None };
                let crate::inventory::Package { name: parent, version: at, .. } = &inventory.packages[p];
                let release = raises.refreshed.get(&(parent.clone(), at.clone()))?;
                let range = parents.get(parent)?.declared(&release.to_string(), name)?;
                child
                    .resolves_fixed(range)
                    .then(|| (format!("{parent} moves to {release}, which {}", child.depends(range)), range))
            })
            .collect();
        if let Some(found) = with_refresh.filter(|s| !s.is_empty()) {
            let mut said: Vec<&str> = found.iter().map(|(text, _)| text.as_str()).collect();
            said.sort();
            said.dedup();
            let mut moved: Vec<String> = blocking
                .iter()
                .filter_map(|d| match d.parent {
                    Parent::Package(p) => Some(inventory.packages[p].name.clone()),
                    Parent::Root(_) => None,
                })
                .collect();
            moved.sort();
            moved.dedup();
            // The release it then resolves to, for the packages under it.
            let ranges: Option<Vec<_>> = found.iter().map(|(_, range)| npm_spec::npm_range(range)).collect();
            if let Some(newest) = ranges.and_then(|ranges| parents.get(name)?.newest_admitted(&ranges)) {
                raises.refreshed.insert((name.to_string(), version.to_string()), newest);
            }
            raises.moves.insert((name.to_string(), version.to_string()), moved);
            return AdvisoryFix::new(
                FixKind::LockfileRefresh,
                format!(
                    "the lockfile refresh or override this run plans for its parents moves it: {}",
                    said.join("; ")
                ),
            );
        }
        // A transitive package outside a parent's range: an override, scoped to the affected line, and only where it
        // keeps every parent on the line of releases it declares.
        let declares = |d: &&crate::inventory::Dependent| {
            format!(
                "{} declares {}",
                inventory.describe(d.parent),
                d.range.as_deref().unwrap_or("a range the lockfile does not record")
            )
        };
        let outside: Vec<String> = blocking.iter().map(declares).collect();
        let outside = outside.join("; ");
        // A parent's range that is not known (pnpm's lockfile records none between packages, and neither node_modules
        // nor, without --lockfile, the registry said): not claimed to leave the fix out.
        let unknown = blocking.iter().any(|d| d.range.is_none());
        let mut beyond = if unknown {
            let asked = if self.ask_registry {
                "the registry did not say"
            } else {
                "the registry is asked only with --lockfile"
            };
            format!(
                "Whether {target} is inside what its parents declare is not known ({outside}: {} records no range \
                 between packages, node_modules does not have the parent installed, and {asked})",
                crate::discover::display_path(&inventory.path)
            )
        } else {
            format!("{target} is outside what its parents declare ({outside})")
        };
        let spec = if installed.major == 0 { format!("~{target}") } else { format!("^{target}") };
        // The project's own pin of a parent to raise (`"cookie-parser": "1.4.6"`, npm's `"cookie-parser": { ".":
        // "1.4.6" }`): the package manager installs what it says whatever the parent's spec (npm refuses the raise:
        // EOVERRIDE), so it moves with the raise, as a pin of the package itself would (on the line of releases, which
        // a raise never leaves): the pin, its new spec and the words saying so; when it cannot, the finding's reason,
        // naming it (nothing is raised).
        let parent_pin = |parent: &str, from: &Version, release: &Version| {
            let Some(pin) = user_pin(cx.text, inventory.manager, parent, from, release).filter(|p| !p.nested) else {
                return Ok((None, String::new()));
            };
            let section = pin.section.label();
            match pin.moved(from, release) {
                Some(to) => {
                    let with = format!(
                        " (package.json's own `{section}` entry {} with it: {})",
                        pin.entry(&pin.spec),
                        pin.entry(&to)
                    );
                    Ok((Some((pin, to)), with))
                }
                None => Err(format!(
                    "{beyond}; {parent} {release} depends on a fixed \
                     {name}, but package.json's own `{section}` entry {}{} keeps {parent} {from} and cannot be moved \
                     to {release} on its line: {parent} is not raised; change or remove that entry by hand",
                    pin.entry(&pin.spec),
                    pin.line(cx.text).map_or_else(String::new, |l| format!(" (package.json:{l})"))
                )),
            }
        };
        // Every parent that leaves the target out is one of the project's own dependencies: raised by this run
        // already (for an advisory of its own, or by express-version), or raised here to the first release of its
        // line that depends on a fixed package (cookie-parser 1.4.7 depends on cookie 0.7.2, 1.4.6 on 0.4.1). The
        // package comes with the raise: the lockfile update moves it inside the new parent's range.
        // (A parent under one of them, serve-static under express, comes with that one's raise: what the new
        // release of the one brings of the other is looked up.)
        let direct: Option<Vec<(&crate::inventory::Package, Option<&crate::inventory::Package>)>> = blocking
            .iter()
            .map(|d| {
                let Parent::Package(p) = d.parent else { return None };
                let parent = &inventory.packages[p];
                match parent.chain[..] {
                    [_, _] => Some((parent, None)),
                    // (A lockfile that package.json no longer matches, a Yarn one after a raise, links the package
                    // to no project: one package.json lists stands for a direct dependency.)
                    [] if cx.info.dependency(&parent.name).is_some() => Some((parent, None)),
                    [_, Parent::Package(via), _]
                        if inventory.packages[via].chain.len() == 2
                            && parent.parents.iter().all(|d| d.parent == Parent::Package(via)) =>
                    {
                        Some((parent, Some(&inventory.packages[via])))
                    }
                    _ => None,
                }
            })
            .collect();
        // (Why a parent's raise was refused: said with the fix planned instead, or with the reason none is.)
        let mut refused: Option<String> = None;
        if let Some(mut direct) = direct.filter(|d| !d.is_empty()) {
            direct.sort_by(|a, b| a.0.name.cmp(&b.0.name));
            direct.dedup_by(|a, b| a.0.name == b.0.name);
            let wanted = direct.len();
            let mut said = Vec::new();
            let mut planned = Vec::new();
            // The parents the lockfile moves (one each), and the names the manifests list them by.
            let mut refreshed: Vec<String> = Vec::new();
            let mut refreshed_keys: Vec<String> = Vec::new();
            // (The entries of the raises counted on: the fix's carriers once every parent is accounted for.)
            let mut counted: Vec<Carried> = Vec::new();
            for (parent, via) in direct {
                if let Some(via) = via {
                    let to = raises.to.get(&via.name).cloned().or_else(|| {
                        if express_raised(via) {
                            express_to(&via.version)
                        } else {
                            None
                        }
                    });
                    let comes = to.and_then(|to| {
                        let range = parents.get(&via.name)?.declared(&to.to_string(), &parent.name)?;
                        if range.is_empty() {
                            return Some(format!("{} {to} no longer depends on {}", via.name, parent.name));
                        }
                        let releases = parents.get(&parent.name)?;
                        let range = npm_spec::npm_range(range)?;
                        let release = releases.newest_admitted(&[range])?;
                        let declared = releases.declared(&release.to_string(), name)?;
                        child.resolves_fixed(declared).then(|| {
                            format!(
                                "{} comes as {release} with {} {to}, and {}",
                                parent.name,
                                via.name,
                                child.depends(declared)
                            )
                        })
                    });
                    match comes {
                        Some(text) => {
                            said.push(text);
                            counted.extend(entries_of(cx, &listing_manifests(inventory, via), &via.name));
                        }
                        None => break,
                    }
                    continue;
                }
                let releases = parents.get(&parent.name);
                let Ok(from) = Version::parse(&parent.version) else { break };
                let by_express_version = express_raised(parent);
                let already = raises.to.get(&parent.name).cloned().or_else(|| {
                    if by_express_version {
                        express_to(&parent.version)
                    } else {
                        None
                    }
                });
                // The manifests that list it: the plan's own, or workspace members' (raised in each).
                let at = listing_manifests(inventory, parent);
                let Some(to) = already else {
                    // Not raised yet: the first release of its line that depends on a fixed package.
                    let found =
                        releases.map(|r| child.parent_release(inventory, &parents, r, &parent.name, &from, &from, &db));
                    if let Some(Err(Some(why))) = &found {
                        refused = Some(why.clone());
                    }
                    if let Some((release, range)) = found
                        .and_then(Result::ok)
                        .filter(|(release, _)| can_raise(cx, &at, &parent.name, &from, release))
                    {
                        let (pin, with) = match parent_pin(&parent.name, &from, &release) {
                            Ok(pin) => pin,
                            Err(why) => return none(why),
                        };
                        said.push(format!(
                            "{} is raised to {release}, which {}{with}",
                            parent.name,
                            child.depends(&range)
                        ));
                        planned.push((parent, release, None, at, pin));
                        continue;
                    }
                    // A spec that admits a fixed release already (`*`, `>=1.4.0`): the lockfile moves the parent.
                    let within = releases
                        .map(|r| child.release_within(cx, inventory, &parents, &at, r, &parent.name, &from, &db));
                    match within {
                        Some(Ok((release, range))) => {
                            said.push(format!(
                                "{} moves to {release} within the range package.json declares for it, and {release} {}",
                                parent.name,
                                child.depends(&range)
                            ));
                            // Under the names the manifests list it by (an alias's own: `"cp": "npm:cookie-parser@*"`).
                            let mut keys: Vec<String> = at
                                .iter()
                                .filter_map(|m| manifest_at(cx, m.as_deref()))
                                .flat_map(|info| listed(info, &parent.name).into_iter().map(|(_, key, _)| key))
                                .collect();
                            if keys.is_empty() {
                                keys.push(parent.name.clone());
                            }
                            refreshed_keys.extend(keys);
                            refreshed_keys.sort();
                            refreshed_keys.dedup();
                            refreshed.push(parent.name.clone());
                            continue;
                        }
                        Some(Err(why)) => {
                            refused = why.or(refused);
                            break;
                        }
                        None => break,
                    }
                };
                let declared = releases.and_then(|r| r.declared(&to.to_string(), name));
                match declared {
                    Some(range) if child.resolves_fixed(range) => {
                        said.push(format!(
                            "{} is raised to {to}{}, which {}",
                            parent.name,
                            if by_express_version { " by express-version" } else { "" },
                            child.depends(range)
                        ));
                        counted.extend(entries_of(cx, &at, &parent.name));
                    }
                    // The new release still depends on an affected one: a later release of its line that fixes both
                    // (never past what express-version chose).
                    Some(range) => {
                        let later = releases
                            .filter(|_| !by_express_version)
                            .map(|r| child.parent_release(inventory, &parents, r, &parent.name, &from, &to, &db));
                        let (release, fixed) = match later {
                            Some(Ok(found)) => found,
                            later => {
                                let why = match later {
                                    Some(Err(Some(why))) => format!(" ({why})"),
                                    _ => String::new(),
                                };
                                return none(format!(
                                    "{beyond}; {} is raised by this run to \
                                     {to}, which still {}, and no later release of its line that this run may raise it \
                                     to depends on a fixed {name}{why}: not fixed",
                                    parent.name,
                                    child.depends(range)
                                ));
                            }
                        };
                        let (pin, with) = match parent_pin(&parent.name, &from, &release) {
                            Ok(pin) => pin,
                            Err(why) => return none(why),
                        };
                        said.push(format!(
                            "{} is raised to {release} ({to} still {}; {release} {}){with}",
                            parent.name,
                            child.depends(range),
                            child.depends(&fixed)
                        ));
                        planned.push((parent, release, Some(to), at, pin));
                    }
                    None => {
                        said.push(format!(
                            "{} is raised by this run (if its new release still depends on an affected {name}, the \
                             next run says what to do)",
                            parent.name
                        ));
                        counted.extend(entries_of(cx, &at, &parent.name));
                    }
                }
            }
            if said.len() == wanted {
                let mut manifests: Vec<String> = Vec::new();
                for (parent, release, past, at, pin) in planned {
                    let Ok(from) = Version::parse(&parent.version) else { continue };
                    let Some(specs) = raise_dependency(cx, plan, &at, &parent.name, &from, &release) else { continue };
                    counted.extend(entries_of(cx, &at, &parent.name));
                    if let Some((pin, to)) = pin {
                        pin.plan_move(plan, &to);
                        counted.push((None, pin.section, pin.key.clone()));
                    }
                    manifests.extend(at.iter().map(|m| {
                        m.as_deref().map_or_else(|| "package.json".to_string(), crate::discover::display_path)
                    }));
                    if let Some(own_fix) = past {
                        raises.past_fix.insert(
                            parent.name.clone(),
                            format!(
                                "{} is raised to {specs}: past {own_fix}, to the first release of its line that also \
                                 depends on a fixed {name}",
                                parent.name
                            ),
                        );
                    }
                    raises.to.insert(parent.name.clone(), release);
                }
                manifests.sort();
                manifests.dedup();
                if manifests.is_empty() {
                    // (Raised by this run already, for an advisory of its own.)
                    manifests.push("package.json".to_string());
                }
                raises.carriers.extend(counted);
                if refreshed.len() == wanted {
                    // Only parents whose specs admit the fixed release: the lockfile update moves them.
                    let update = update_command(inventory.manager, &refreshed_keys.join(" "), workspace);
                    let runs = runs_for(&refreshed_keys.join(", "));
                    raises.moves.entry((name.to_string(), version.to_string())).or_default().extend(refreshed_keys);
                    return AdvisoryFix::new(
                        FixKind::LockfileRefresh,
                        format!(
                            "{beyond}; {}: the lockfile moves them \
                             (`{update}`, {runs})",
                            said.join("; ")
                        ),
                    );
                }
                raises.moves.entry((name.to_string(), version.to_string())).or_default().extend(refreshed_keys);
                // (Raised to releases that no longer depend on it, as Express 5 on path-to-regexp: the copy goes.)
                let dropped = said.iter().all(|s| s.ends_with(&format!("no longer depends on {name}")));
                let moves = if dropped { "removes that copy of" } else { "moves" };
                let range = if dropped { "" } else { " inside the new range" };
                return AdvisoryFix::new(
                    FixKind::Bump,
                    format!(
                        "{beyond}; {}: the lockfile update of {} {moves} {name}{range}",
                        said.join("; "),
                        manifests.join(", ")
                    ),
                );
            }
        }
        if let Some(why) = &refused {
            beyond = format!("{beyond}; {why}");
        }
        // Every route to it passes a package this run raises (or refreshes) to a release that no longer depends on it
        // or on the package between (Express 3's connect 2, body-parser 1.13 and send 0.13 under express raised to 4
        // by express-version): it leaves the tree with those raises, and needs no fix of its own (an override would
        // force a package nothing installs any longer).
        let raised_to = |p: &crate::inventory::Package| -> Option<Version> {
            let direct = p.parents.iter().any(|d| matches!(d.parent, Parent::Root(_)));
            let by_run = raises.to.get(&p.name).cloned().filter(|_| direct);
            let by_express = || express_raised(p).then(|| express_to(&p.version)).flatten().filter(|_| direct);
            by_run.or_else(by_express).or_else(|| raises.refreshed.get(&(p.name.clone(), p.version.clone())).cloned())
        };
        if let Some((by, cut)) = leaves_tree(inventory, copies, &child, &raised_to, &parents) {
            for p in cut {
                let parent = &inventory.packages[p];
                raises.carriers.extend(entries_of(cx, &listing_manifests(inventory, parent), &parent.name));
            }
            return AdvisoryFix::new(
                FixKind::Bump,
                format!(
                    "Every package that depends on {name} {version} leaves the tree with this run's raises ({}): it \
                     needs no fix of its own",
                    by.join("; ")
                ),
            );
        }
        // The project's own dependency on the package: npm refuses an override that contradicts it (EOVERRIDE), and
        // the other package managers would move it too.
        let in_projects: Vec<String> = copies
            .iter()
            .flat_map(|&i| &inventory.packages[i].parents)
            .filter(|d| matches!(d.parent, Parent::Root(_)))
            .map(|d| inventory.describe(d.parent))
            .collect();
        if !own.is_empty() || !in_projects.is_empty() {
            if own.is_empty() {
                // A workspace member lists it itself: a root override would change the member's own dependency too.
                return none(format!(
                    "{beyond}, and {} depends on {name} itself (an \
                     override would change that dependency too): not overridden; raise the parents to releases that \
                     depend on a fixed {name}",
                    in_projects.join(", ")
                ));
            }
            return none(format!(
                "{beyond}, and package.json depends on {name} itself \
                 (an override would change that dependency too): not overridden; raise the parents to releases that \
                 depend on a fixed {name}"
            ));
        }
        // A parent whose range is on another line (a new major, or a `0.x` minor) would get an API it was not written
        // for (package-json 4 under got 11): reported with the parent to raise. Where the lockfile does not record the
        // range (pnpm, between packages), the installed version's line stands for it.
        let off_line: Vec<String> = blocking
            .iter()
            .filter(|d| {
                let line = match d.range.as_deref() {
                    Some(range) => npm_spec::npm_range(range).and_then(|r| r.min_version()).map(|m| line_of(&m)),
                    None => Some(line_of(&installed)),
                };
                line != Some(line_of(&target))
            })
            .map(declares)
            .collect();
        if !off_line.is_empty() && unknown {
            return none(format!(
                "{target} is on another line of releases than the installed {version} (a new major, or a new minor \
                 under 1.0.0, whose API may change), and the ranges its parents declare are not known ({}: {} records \
                 no range between packages): not overridden; raise that parent to a release that depends on a fixed \
                 {name}",
                off_line.join("; "),
                crate::discover::display_path(&inventory.path)
            ));
        }
        if !off_line.is_empty() {
            // A parent none of whose known releases (the bundled table's, or the registry's with --lockfile) depends
            // on a fixed package cannot be raised to one (request, whose last release declares tough-cookie ~2.5.0).
            let mut stuck: Vec<String> = blocking
                .iter()
                .filter_map(|d| match d.parent {
                    Parent::Package(p) => Some(&inventory.packages[p]),
                    Parent::Root(_) => None,
                })
                .filter(|p| {
                    // (Only a raise, to its installed release or a later one: request 2.0 did not depend on it.)
                    let Ok(installed) = Version::parse(&p.version) else { return false };
                    parents.get(&p.name).is_some_and(|releases| {
                        releases.versions().filter(|v| *v >= installed).all(|v| {
                            releases.declared(&v.to_string(), name).is_some_and(|range| !child.resolves_fixed(range))
                        })
                    })
                })
                .map(|p| p.name.clone())
                .collect();
            stuck.sort();
            stuck.dedup();
            // Parents whose releases only the registry knows, not asked without --lockfile (mkdirp over minimist).
            let mut unasked: Vec<String> = blocking
                .iter()
                .filter_map(|d| match d.parent {
                    Parent::Package(p) => Some(&inventory.packages[p]),
                    Parent::Root(_) => None,
                })
                .filter(|p| !self.ask_registry && parents.get(&p.name).is_none() && Version::parse(&p.version).is_ok())
                .map(|p| p.name.clone())
                .collect();
            unasked.sort();
            unasked.dedup();
            let advice = if !unasked.is_empty() {
                let key = (name.to_string(), version.to_string());
                raises.unasked.entry(key).or_default().extend(unasked.iter().cloned());
                format!(
                    "raise that parent to a release that depends on a fixed {name}; the releases of {} are not in the \
                     bundled table and were not looked up: --lockfile asks the registry and may plan that raise (run \
                     with --lockfile to see it before --write --lockfile)",
                    unasked.join(", ")
                )
            } else if let Some(why) = &refused {
                why.clone()
            } else if stuck.is_empty() {
                format!("raise that parent to a release that depends on a fixed {name}")
            } else {
                format!(
                    "no release of {} depends on a fixed {name}: replace {}, or override {name} across the line \
                     yourself",
                    stuck.join(" or "),
                    if stuck.len() == 1 { "it" } else { "them" }
                )
            };
            return none(format!(
                "{target} is on another line of releases than its parents declare ({}; a new major, or a new minor under \
                 1.0.0, whose API may change): not overridden; {advice}",
                off_line.join("; ")
            ));
        }
        let (key, scope) = match inventory.manager {
            // npm and pnpm match an override key's range against the range each parent declares: only the copies of
            // this line move.
            Manager::Npm | Manager::Pnpm => {
                let line = line_of(&target);
                let line = if line.0 == 0 { format!("0.{}.x", line.1) } else { format!("{}.x", line.0) };
                (format!("{name}@{line}"), format!("the copies of {name} on {line}"))
            }
            // Yarn's `resolutions` have no version scope: every copy moves, so every copy must be on this line and
            // older than the fix.
            Manager::Yarn1 | Manager::YarnBerry => {
                let others: Vec<&str> = inventory
                    .packages
                    .iter()
                    .filter(|p| {
                        p.name == name
                            && !Version::parse(&p.version).is_ok_and(|v| line_of(&v) == line_of(&target) && v < target)
                    })
                    .map(|p| p.version.as_str())
                    .collect();
                if !others.is_empty() {
                    return none(format!(
                        "{beyond}; Yarn's `resolutions` would also move \
                         {name} {} (not affected, or on another line): not overridden; raise the parents to releases \
                         that depend on a fixed {name}",
                        others.join(", ")
                    ));
                }
                (name.to_string(), format!("every copy of {name}"))
            }
        };
        match inventory.manager {
            // pnpm reads `pnpm.overrides` of package.json from 5.10 until 11.2, which reads only pnpm-workspace.yaml's.
            Manager::Pnpm if pnpm_reads_workspace_yaml_only(cx.text) => none(format!(
                "{beyond}: add `overrides: {{ \"{key}\": \"{spec}\" }}` \
                 to pnpm-workspace.yaml (the pnpm this project names reads overrides only there; not written by this \
                 tool)"
            )),
            manager => {
                let field = match manager {
                    Manager::Npm => "overrides",
                    Manager::Pnpm => "pnpm.overrides",
                    Manager::Yarn1 | Manager::YarnBerry => "resolutions",
                };
                // The release the override brings (the newest its spec admits), when its releases are known: it
                // must not move a peer to another line (a dependency of its own on a new major comes with it, nested
                // where the project's copy differs: the reason not to override that dependency across its line, not
                // this package on its own).
                let brings = npm_spec::npm_range(&spec).and_then(|range| parents.get(name)?.newest_admitted(&[range]));
                let breaks = brings.as_ref().and_then(|to| {
                    breaks_line(inventory, &parents, parents.get(name)?, name, &installed, to, name, true)
                });
                if let Some(why) = breaks {
                    return none(format!(
                        "{beyond}; `{field}` would force {scope} to {spec} (`\"{key}\": \"{spec}\"`), but {why}: not \
                         overridden"
                    ));
                }
                // Two affected versions of one line: the higher fix.
                let keep = overrides.get(&key).and_then(|s| Version::parse(s.trim_start_matches(['^', '~'])).ok());
                if keep.is_none_or(|k| k < target) {
                    overrides.insert(key.clone(), spec.clone());
                }
                let section = match manager {
                    Manager::Npm => DepSection::Overrides,
                    Manager::Pnpm => DepSection::PnpmOverrides,
                    Manager::Yarn1 | Manager::YarnBerry => DepSection::Resolutions,
                };
                raises.carriers.push((None, section, key.clone()));
                // (What it brings, for the packages under it.)
                if let Some(newest) = brings {
                    raises.refreshed.insert((name.to_string(), version.to_string()), newest);
                }
                AdvisoryFix::new(
                    FixKind::Override,
                    format!(
                        "{beyond}, on the line {}: `{field}` forces {scope} to {spec} (`\"{key}\": \"{spec}\"`)",
                        if unknown { "of the installed version" } else { "they declare" }
                    ),
                )
            }
        }
    }
}

/// Why the project's own `spec` of `name` is not raised to `target`: a new line of releases.
fn new_major(name: &str, target: &Version, spec: &str) -> String {
    format!(
        "the fix, {name} {target}, is a new major for `{spec}` (its API may change): not raised; move to it by hand, \
         checking its changelog"
    )
}

/// `target` moved past every advisory of `all` (but those of `unfixable`) that affects it, to the first version they
/// leave (axios 0.21.4's fix 1.6.0 is inside 1.3.2..1.7.4 of another); `Err` with the version and the advisory
/// that affects it when no later version is known to be fixed.
fn past_others<'a>(
    all: &[&'a Advisory],
    unfixable: &[&str],
    mut target: Version,
) -> Result<Version, (Version, &'a Advisory)> {
    loop {
        let at = target.to_string();
        let Some(other) = all.iter().find(|a| !unfixable.contains(&a.id.as_str()) && a.affects(&at)) else {
            return Ok(target);
        };
        match other.patched_after(&at) {
            Some(next) if next > target => target = next,
            _ => return Err((target, other)),
        }
    }
}

/// Whether every copy in `copies` leaves the tree with this run's raises: each route to it passes a package that
/// `raised_to` moves to a release whose declared range (`parents`) no longer admits the next package of the route (or
/// no longer depends on it). Returns the raises that cut the routes, in words, and the raised packages (indices into
/// the inventory's packages); `None` when some copy stays (or a copy
/// is reached from no project, or a raised release's dependencies are not known: it is then counted as staying).
fn leaves_tree(
    inventory: &Inventory,
    copies: &[usize],
    child: &Child<'_>,
    raised_to: &dyn Fn(&crate::inventory::Package) -> Option<Version>,
    parents: &ParentReleases,
) -> Option<(Vec<String>, BTreeSet<usize>)> {
    struct Walk<'a> {
        inventory: &'a Inventory,
        child: &'a Child<'a>,
        raised_to: &'a dyn Fn(&crate::inventory::Package) -> Option<Version>,
        parents: &'a ParentReleases,
        stays: Vec<Option<bool>>,
        cut: BTreeSet<String>,
        raised: BTreeSet<usize>,
    }
    impl Walk<'_> {
        /// Whether `package` stays under `parent` raised to `to`: unless the release no longer depends on it, or
        /// gets a fixed copy of the affected package through it (it is that package, or the release of it the new
        /// range resolves to depends on a fixed one or not at all). What is not known keeps it.
        fn kept(&self, parent: &str, to: &Version, package: &crate::inventory::Package) -> bool {
            let Some(range) = self.parents.get(parent).and_then(|r| r.declared(&to.to_string(), &package.name)) else {
                return true;
            };
            if range.is_empty() {
                return false;
            }
            if package.name == self.child.name {
                return !self.child.resolves_fixed(range);
            }
            let Some(admits) = npm_spec::npm_range(range) else { return true };
            if Version::parse(&package.version).is_ok_and(|v| v.satisfies(&admits)) {
                return true;
            }
            // (Replaced by the newest release its new range admits: what that one declares.)
            let Some(releases) = self.parents.get(&package.name) else { return true };
            let declared = releases
                .newest_admitted(&[admits])
                .and_then(|release| releases.declared(&release.to_string(), self.child.name));
            !declared.is_some_and(|range| self.child.resolves_fixed(range))
        }

        fn stays(&mut self, i: usize) -> bool {
            if let Some(known) = self.stays[i] {
                return known;
            }
            // (A package on the walk counts as staying: a cycle never makes anything leave.)
            self.stays[i] = Some(true);
            let package = &self.inventory.packages[i];
            let mut stays = false;
            for d in &package.parents {
                let Parent::Package(p) = d.parent else {
                    stays = true;
                    break;
                };
                let parent = &self.inventory.packages[p];
                if let Some(to) = (self.raised_to)(parent) {
                    if !self.kept(&parent.name, &to, package) {
                        self.cut.insert(format!("{} is raised to {to}", parent.name));
                        self.raised.insert(p);
                        continue;
                    }
                }
                if self.stays(p) {
                    stays = true;
                    break;
                }
            }
            self.stays[i] = Some(stays);
            stays
        }
    }
    let mut walk = Walk {
        inventory,
        child,
        raised_to,
        parents,
        stays: vec![None; inventory.packages.len()],
        cut: BTreeSet::new(),
        raised: BTreeSet::new(),
    };
    for &i in copies {
        if inventory.packages[i].chain.is_empty() || walk.stays(i) {
            return None;
        }
    }
    (!walk.cut.is_empty()).then(|| (walk.cut.into_iter().collect(), walk.raised))
}

/// The fix of copies of `name` that different changes fix (a workspace member lists one itself, a parent installs
/// another): each copy's own (`fix_one`), planned; where some copy cannot be fixed, none is claimed for the package
/// (what is planned stays, and the reason for each copy left is given). No copy is overridden: an override would
/// change the others' dependencies too. Also whether a copy is the lockfile refresh's to move.
fn fix_each(
    inventory: &Inventory,
    name: &str,
    copies: &[usize],
    mut fix_one: impl FnMut(usize) -> AdvisoryFix,
) -> (AdvisoryFix, bool) {
    let (mut fixed, mut left, mut bump, mut refreshed) = (Vec::new(), Vec::new(), false, false);
    for &i in copies {
        let copy = &inventory.packages[i];
        let at = copy.chain.iter().map(|&n| inventory.describe(n)).collect::<Vec<_>>().join(" > ");
        let fix = fix_one(i);
        match fix.kind {
            FixKind::None => left.push(format!("{at}: {}", fix.description)),
            FixKind::Override => left.push(format!(
                "{at}: an override would also move the other copies of {name}, which the projects list themselves: \
                 not overridden"
            )),
            FixKind::Bump | FixKind::LockfileRefresh => {
                bump |= fix.kind == FixKind::Bump;
                refreshed |= fix.kind == FixKind::LockfileRefresh;
                fixed.push(format!("{at}: {}", fix.description));
            }
        }
    }
    if left.is_empty() {
        let kind = if bump { FixKind::Bump } else { FixKind::LockfileRefresh };
        return (AdvisoryFix::new(kind, format!("each copy is fixed on its own: {}", fixed.join("; "))), refreshed);
    }
    let fixed = if fixed.is_empty() { String::new() } else { format!("fixed: {}; ", fixed.join("; ")) };
    let description = format!("not every copy can be fixed: {fixed}left: {}", left.join("; "));
    (AdvisoryFix::new(FixKind::None, description), refreshed)
}

/// `spec` raised to `target` in its own style when that stays on its line of releases (an exact version on the
/// installed one's line): `1.20.1` -> `1.20.3`, `~0.4.1` -> `~0.4.2`, a range -> `^target`, or `~target` for one
/// that takes patch updates only (`1.10.x`, [`npm_spec::range_operator`]); `None` for a new major
/// or a spec that is not a version or range.
fn raised(spec: &str, installed: &Version, target: &Version) -> Option<String> {
    match npm_spec::classify(spec) {
        Spec::Simple { op, version: from }
            if line_of(&from) == line_of(target) || op == Operator::Exact && line_of(installed) == line_of(target) =>
        {
            Some(npm_spec::write(op, &target.to_string()))
        }
        // An exact prerelease (`2.0.0-rc.4`) stays exact.
        Spec::Range(_)
            if Version::parse(spec.trim().trim_start_matches(['=', 'v'])).is_ok()
                && line_of(installed) == line_of(target) =>
        {
            Some(npm_spec::write(Operator::Exact, &target.to_string()))
        }
        Spec::Range(range) if range.min_version().is_some_and(|m| line_of(&m) == line_of(target)) => {
            Some(npm_spec::write(npm_spec::range_operator(&range), &target.to_string()))
        }
        _ => None,
    }
}

/// The fix of a malicious-package record ([`Advisory::malicious`]): none, since no release of malware is a fix; the
/// package is to be removed (from package.json, or with the dependency that brings it), and every machine that
/// installed it treated as compromised, as the records say.
fn remove_malware(
    inventory: &Inventory,
    name: &str,
    version: &str,
    copies: &[usize],
    advisory: &Advisory,
) -> AdvisoryFix {
    let mut direct = false;
    let mut through: Vec<String> = Vec::new();
    for &c in copies {
        match inventory.packages[c].chain[..] {
            [] | [_] | [_, _] => direct = true,
            [_, via, ..] => through.push(inventory.describe(via)),
        }
    }
    through.sort();
    through.dedup();
    let mut how = Vec::new();
    if direct || through.is_empty() {
        how.push(format!("remove {name} from package.json"));
    }
    if !through.is_empty() {
        how.push(format!("remove or replace {}, which brings it", through.join(", ")));
    }
    AdvisoryFix::new(
        FixKind::None,
        format!(
            "{} marks {name} {version} as malware: there is no fixed version to raise it to, so nothing is changed; \
             {}, and treat every machine that installed it as compromised (rotate the secrets it could read)",
            advisory.id,
            how.join(", and ")
        ),
    )
}

/// Why an advisory whose record lists no fixed version is not fixed: no release to move to.
fn no_fix_listed(name: &str, advisory: &Advisory, which: &str) -> String {
    format!(
        "{} lists no fixed version of {name} (per its record, {which} is affected): there is no release to move to: \
         not fixed",
        advisory.id
    )
}

/// The fix of an advisory no version fixes, when the package's other advisories have one (`planned`).
fn unfixed(name: &str, advisory: &Advisory, planned: &AdvisoryFix) -> AdvisoryFix {
    let why = match advisory.lists_no_fix() {
        Some(which) => no_fix_listed(name, advisory, &which),
        None => format!("No fixed version of {name} is known for {}: not fixed", advisory.id),
    };
    AdvisoryFix::new(
        FixKind::None,
        format!("{why} (the fix planned for its other advisories, {}, leaves it)", planned.kind.words_with_article()),
    )
}

/// An entry of the project's own overrides (npm `overrides`, Yarn `resolutions`, `pnpm.overrides`) that keeps an
/// affected version: the package manager installs what it says, whatever a lockfile refresh or a parent's raise asks.
struct Pin {
    section: DepSection,
    key: String,
    spec: String,
    /// Under another package's entry (npm's nested form, `"cookie-parser": { "cookie": "0.4.1" }`): `key` is the
    /// path, `cookie-parser > cookie`, and the entry is only named, never changed.
    nested: bool,
    /// The `"."` of npm's nested form, the package's own spec (`"cookie-parser": { ".": "1.4.6", ... }`).
    dot: bool,
}

/// The pin in `manifest` (the lockfile's package.json) of `name` that admits `installed` and not `target`: its key
/// names the package (`cookie`, `cookie@0.4.x`, Yarn's `**/cookie` or `cookie-parser/cookie`, pnpm's
/// `cookie-parser>cookie`), with a range, if any, that admits `installed`.
fn user_pin(manifest: &str, manager: Manager, name: &str, installed: &Version, target: &Version) -> Option<Pin> {
    // (A spec that is no registry version, `file:`, `github:`, a git URL, installs from there whatever the version.)
    let holds = |spec: &str| {
        npm_spec::npm_range(spec).is_some_and(|range| installed.satisfies(&range) && !target.satisfies(&range))
            || Pin::source_of(spec).is_some()
    };
    user_entry(manifest, manager, name, installed, holds)
}

/// The entry of `manifest`'s overrides (npm `overrides`, Yarn `resolutions`, `pnpm.overrides`) that names `name`
/// (see [`user_pin`]) with a spec that admits both `installed` and `target` (`"qs": "^6.5.2"`): the package manager
/// resolves every copy by it, not by the ranges its parents declare.
fn user_range(manifest: &str, manager: Manager, name: &str, installed: &Version, target: &Version) -> Option<Pin> {
    let admits =
        |spec: &str| npm_spec::npm_range(spec).is_some_and(|r| installed.satisfies(&r) && target.satisfies(&r));
    user_entry(manifest, manager, name, installed, admits)
}

/// The entry of `manifest`'s overrides that names `name` (a range in its key admitting `installed`) with a spec
/// `wanted` accepts.
fn user_entry(
    manifest: &str,
    manager: Manager,
    name: &str,
    installed: &Version,
    wanted: impl Fn(&str) -> bool,
) -> Option<Pin> {
    let json: serde_json::Value = serde_json::from_str(manifest).ok()?;
    let (section, entries) = match manager {
        Manager::Npm => (DepSection::Overrides, json.get("overrides")?),
        Manager::Pnpm => (DepSection::PnpmOverrides, json.get("pnpm")?.get("overrides")?),
        Manager::Yarn1 | Manager::YarnBerry => (DepSection::Resolutions, json.get("resolutions")?),
    };
    let names_it = |key: &str| {
        // (Where a name may start: the key's start, or after a `/` or `>` that does not end a scope, `@types/`.)
        let mut starts = vec![0];
        for (i, c) in key.match_indices(['/', '>']) {
            let segment = key[..i].rfind(['/', '>']).map_or(0, |s| s + 1);
            if c == ">" || !key[segment..].starts_with('@') {
                starts.push(i + 1);
            }
        }
        starts.into_iter().map(|i| &key[i..]).any(|rest| match rest.strip_prefix(name) {
            Some("") => true,
            Some(range) => {
                range.strip_prefix('@').is_some_and(|r| npm_spec::npm_range(r).is_some_and(|r| installed.satisfies(&r)))
            }
            None => false,
        })
    };
    entries.as_object()?.iter().find_map(|(key, value)| match value {
        serde_json::Value::String(spec) => (names_it(key) && wanted(spec)).then(|| Pin {
            section,
            key: key.clone(),
            spec: spec.clone(),
            nested: false,
            dot: false,
        }),
        // (npm's nested form: `"cookie-parser": { ".": "1.4.6", "cookie": "0.4.1" }` pins cookie-parser itself with
        // its `"."`, and cookie under cookie-parser.)
        serde_json::Value::Object(inner) if manager == Manager::Npm => inner.iter().find_map(|(child, spec)| {
            let spec = spec.as_str()?;
            let dot = child == ".";
            let names = if dot { names_it(key) } else { names_it(child) };
            (names && wanted(spec)).then(|| Pin {
                section,
                key: if dot { key.clone() } else { format!("{key} > {child}") },
                spec: spec.to_string(),
                nested: !dot,
                dot,
            })
        }),
        _ => None,
    })
}

impl Pin {
    /// What a spec that is no registry version installs from (`a local path` for `file:vendor/qs.tgz`, `a GitHub
    /// reference`, `a git URL`); `None` for a version, a range, a tag or an npm alias.
    fn source_of(spec: &str) -> Option<&'static str> {
        match npm_spec::classify(spec) {
            Spec::Other(what)
                if !spec.trim().starts_with("npm:")
                    && what != "a workspace reference"
                    && !what.starts_with("a dist-tag") =>
            {
                Some(what)
            }
            _ => None,
        }
    }

    /// The entry as package.json writes it, with `spec`: `"cookie": "0.4.1"`, `"cookie-parser": { ".": "1.4.6" }`.
    fn entry(&self, spec: &str) -> String {
        let key = &self.key;
        if self.dot {
            format!("`\"{key}\": {{ \".\": \"{spec}\" }}`")
        } else {
            format!("`\"{key}\": \"{spec}\"`")
        }
    }

    /// The line of package.json (`manifest`) the entry is on: its key, or its `"."`, after the section's.
    fn line(&self, manifest: &str) -> Option<usize> {
        let section = manifest.find(&format!("\"{}\"", self.section.parent().unwrap_or(self.section.key())))?;
        let last = self.key.rsplit(" > ").next().unwrap_or(&self.key);
        let mut at = section + manifest[section..].find(&format!("\"{last}\""))?;
        if self.dot {
            at += manifest[at..].find("\".\"")?;
        }
        Some(crate::lines::line_col(manifest, at).0)
    }

    /// The pin's spec moved to `target` on its line, as a raise would write it (`None`: a nested entry, or another
    /// line).
    fn moved(&self, installed: &Version, target: &Version) -> Option<String> {
        raised(&self.spec, installed, target).filter(|_| !self.nested)
    }

    /// Plans the pin's move to `to` (see [`Pin::moved`]), replacing one planned before.
    fn plan_move(&self, plan: &mut ManifestPlan, to: &str) {
        plan.changes.retain(|c| !(c.section == self.section && c.package == self.key));
        plan.changes.push(ManifestRequest::new(self.section, self.key.clone(), to.to_string()));
    }

    /// The pin moved to `target` on its line (planned in `plan`), with the project's own dependency on the package
    /// (`own`, in package.json) raised alike (npm refuses an override that differs from it: EOVERRIDE), or a finding
    /// that names it as what keeps `installed`: no other fix can work while it stays.
    fn fix(
        &self,
        plan: &mut ManifestPlan,
        own: &[(DepSection, String)],
        name: &str,
        installed: &Version,
        target: &Version,
    ) -> AdvisoryFix {
        let (section, key, spec) = (self.section.label(), &self.key, &self.spec);
        if let Some(source) = Pin::source_of(spec) {
            return AdvisoryFix::new(
                FixKind::None,
                format!(
                    "package.json's own `{section}` entry {} installs {name} {installed} from {source}, not from the \
                     registry: nothing is planned, and nothing else can move {name} while it stays; \
                     point it at {target} or later, or remove it, by hand",
                    self.entry(spec)
                ),
            );
        }
        match self.moved(installed, target) {
            Some(to) => {
                self.plan_move(plan, &to);
                let mut raised_too = Vec::new();
                for (dep_section, dep_spec) in own {
                    if let Some(dep_to) = raised(dep_spec, installed, target).filter(|t| t != dep_spec) {
                        raised_too.push(format!("`{}` {dep_spec} -> {dep_to}", dep_section.label()));
                        plan.changes.push(ManifestRequest::new(*dep_section, name, dep_to));
                    }
                }
                let with = if raised_too.is_empty() {
                    String::new()
                } else {
                    format!(", and its own dependency on {name} with it ({})", raised_too.join(", "))
                };
                AdvisoryFix::new(
                    FixKind::Override,
                    format!(
                        "package.json's own `{section}` entry {} keeps {name} {installed}: changed to {}, on the same \
                         line of releases{with}",
                        self.entry(spec),
                        self.entry(&to)
                    ),
                )
            }
            None => AdvisoryFix::new(
                FixKind::None,
                if self.nested {
                    format!(
                        "package.json's own `{section}` entry `{key}`: `\"{spec}\"` keeps {name} {installed}: not \
                         changed (a nested entry), and nothing else can move {name} while it stays; change it to \
                         {target} or later, or remove it, by hand"
                    )
                } else {
                    format!(
                        "package.json's own `{section}` entry {} keeps {name} {installed}, and the fix, {target}, is \
                         on another line of releases (its API may change): not changed, and nothing else can move \
                         {name} while it stays; change or remove that entry by hand",
                        self.entry(spec)
                    )
                },
            ),
        }
    }
}

/// Whether the manifest's `packageManager` names a pnpm that no longer reads the `pnpm` field of package.json
/// (11.2 and later: overrides are read from pnpm-workspace.yaml only).
fn pnpm_reads_workspace_yaml_only(manifest: &str) -> bool {
    let Ok(json) = serde_json::from_str::<serde_json::Value>(manifest) else { return false };
    let Some(version) = json["packageManager"].as_str().and_then(|pm| pm.strip_prefix("pnpm@")) else { return false };
    let version = version.split('+').next().unwrap_or(version);
    Version::parse(version).is_ok_and(|v| (v.major, v.minor) >= (11, 2))
}

/// The package manager's command that moves `package` inside its parents' ranges, lockfile only, run in the
/// lockfile's folder. pnpm's names `--no-save` (else it rewrites the ranges of package.json), and `-r` where the
/// lockfile installs workspace members (`workspace`: at the workspace's root, pnpm updates only the root project's
/// packages without it).
pub fn update_command(manager: Manager, package: &str, workspace: bool) -> String {
    match manager {
        Manager::Npm => format!("npm update {package} --package-lock-only --ignore-scripts --no-audit"),
        Manager::Pnpm => {
            let recursive = if workspace { " -r" } else { "" };
            format!("pnpm update{recursive} {package} --lockfile-only --no-save --ignore-scripts")
        }
        Manager::Yarn1 => "yarn install --ignore-scripts".to_string(),
        Manager::YarnBerry => format!("yarn up -R {package} --mode=update-lockfile"),
    }
}

/// Whether the project's code calls what `advisory` concerns, and why that verdict. `ancestors`: the packages through
/// which the affected package is installed. The code may not call a dependency's API itself and still reach it through
/// a package it uses (express-session serializes every session cookie with `cookie`): where the advisory names the
/// package's own API and the code uses one of those packages, that is "unknown", never "not called". Express is the
/// exception when the advisory names the Express API that reaches the package (`res.cookie` for `cookie`): that is
/// looked for instead.
fn reachability(
    advisory: &Advisory,
    project: &Project,
    watched: bool,
    ancestors: &std::collections::BTreeSet<&str>,
) -> (Reachability, String) {
    if advisory.api.is_empty() {
        return (Reachability::Unknown, "the advisory does not say which API it concerns".to_string());
    }
    let uses = &project.code_use;
    let render_engine = |engine: &str| {
        let ext = match engine {
            "handlebars" => "hbs",
            other => other,
        };
        uses.view_engines.contains(engine)
            || uses.view_engines.contains(ext)
            || uses.methods.contains("render")
                && project.views.iter().any(|(path, _)| {
                    path.extension().is_some_and(|e| e == ext || (engine == "handlebars" && e == "handlebars"))
                })
    };
    // A call not seen is "not called" unless the package is reached through `import('lodash')` or a re-export,
    // where what is called on it is not followed.
    let followed = |package: &str, called: bool| (called || !uses.opaque.contains(package)).then_some(called);
    let mut unknown = Vec::new();
    for api in advisory.api.iter().flat_map(|api| api_names(api)) {
        let called = if let Some(engine) = api.strip_prefix("render:") {
            Some(render_engine(engine) || uses.imports.contains(engine))
        } else if api == "redirect:request-url" {
            Some(uses.request_redirect.is_some())
        } else if api == "route-path" {
            Some(uses.route_pattern.is_some())
        } else if api == "import" {
            Some(uses.imports.contains(&advisory.package))
        } else if let Some(package) = api.strip_suffix("()") {
            followed(package, uses.default_calls.contains(package))
        } else if let Some((object, member)) = api.split_once('.') {
            match object {
                // `express.urlencoded(...)`: a call of the express module's export (files naming express are
                // always read).
                "express" => {
                    let function = ("express".to_string(), member.to_string());
                    Some(project.package_calls.contains(&function) || uses.functions.contains(&function))
                }
                "res" | "app" | "req" => {
                    let seen = uses.methods.contains(member) || uses.properties.contains(member);
                    // Only the watched methods are looked for in every file: of the others, absence says nothing.
                    if seen || API_METHODS.contains(&member) {
                        Some(seen)
                    } else {
                        None
                    }
                }
                package => {
                    let function = (package.to_string(), member.to_string());
                    let called = project.package_calls.contains(&function)
                        || uses.functions.contains(&function)
                        || (uses.imports.contains(package) && uses.methods.contains(member));
                    followed(package, called)
                }
            }
        } else {
            None
        };
        match called {
            Some(true) => {
                let place = match api {
                    "redirect:request-url" => uses.request_redirect.as_ref(),
                    "route-path" => uses.route_pattern.as_ref(),
                    _ => None,
                };
                if api == "import" {
                    return (Reachability::Called, format!("a module imports {}", advisory.package));
                }
                let at =
                    place.map_or_else(String::new, |(p, l)| format!(" at {}:{l}", crate::discover::display_path(p)));
                return (Reachability::Called, format!("{api}{at}"));
            }
            Some(false) => {}
            None => unknown.push(api),
        }
    }
    if !unknown.is_empty() || !watched {
        let how = if uses.opaque.contains(&advisory.package) {
            format!(" (a module imports {} with import() or re-exports it)", advisory.package)
        } else {
            String::new()
        };
        return (Reachability::Unknown, format!("{} cannot be told from the code{how}", advisory.api.join(", ")));
    }
    let own_api = advisory.api.iter().any(|api| {
        api == "import"
            || api.strip_suffix("()").is_some_and(|p| p == advisory.package)
            || api.split_once('.').is_some_and(|(p, _)| p == advisory.package)
    });
    let express_api = advisory.api.iter().any(|api| {
        api == "route-path" || api.split_once('.').is_some_and(|(p, _)| matches!(p, "res" | "req" | "app" | "express"))
    });
    if own_api {
        if let Some(through) =
            ancestors.iter().find(|a| project.code_use.imports.contains(**a) && !(**a == "express" && express_api))
        {
            return (
                Reachability::Unknown,
                format!("no module of the project {} itself, but it uses {through}, which may", uses_api(advisory)),
            );
        }
        // A view engine is handed the views, and compiles them with the package, without a module importing it:
        // Express loads the engine a view's extension names (`app.set('view engine', 'hbs')` requires hbs, which
        // compiles each view with handlebars.compile), and consolidate renders with the engine its export is named
        // after (`app.engine('html', cons.handlebars)`). What the views are compiled with is the app's own templates,
        // so not "called": the advisory may concern input they never are (a template from a request).
        let renders_with = |engine: &str| {
            uses.view_engines.contains(engine)
                || uses.methods.contains("render")
                    && project.views.iter().any(|(path, _)| path.extension().is_some_and(|e| e == engine))
        };
        let consolidate = ("consolidate".to_string(), advisory.package.clone());
        let engine = match ancestors.iter().find(|a| **a != "express" && renders_with(a)) {
            Some(engine) => Some(engine.to_string()),
            None => (project.package_calls.contains(&consolidate) || uses.functions.contains(&consolidate))
                .then(|| format!("consolidate's {}", advisory.package)),
        };
        if let Some(engine) = engine {
            return (
                Reachability::Unknown,
                format!(
                    "no module of the project {} itself, but its views are rendered through {engine}, which may",
                    uses_api(advisory)
                ),
            );
        }
        // A package the project lists that the prefilter does not watch (mkdirp, over minimist) may be used in a file
        // it left unread (a CLI script that names nothing else): "not called" is said only of code the run read.
        let listed = |a: &str| project.manifest.as_ref().is_some_and(|m| !m.dependency_all(a).is_empty());
        // (Only the files whose text names it as a module specifier may: `'mkdirp'`, `"mkdirp/`.)
        let skipped = |a: &str| uses.unread.iter().filter(|f| f.why == Unread::Prefiltered && f.may_import(a)).count();
        if let Some((through, skipped)) = ancestors
            .iter()
            .filter(|a| listed(a) && **a != "express" && !bundled().covers(a))
            .map(|a| (a, skipped(a)))
            .find(|(_, skipped)| *skipped > 0)
        {
            return (
                Reachability::Unknown,
                format!(
                    "no module the run read {} itself, but the project depends on {through}, which may, and {} it \
                     did not read (naming no package it watches) may use {through}",
                    uses_api(advisory),
                    if skipped == 1 { "1 file".to_string() } else { format!("{skipped} files") }
                ),
            );
        }
    }
    // A file the run did not analyse (it does not parse, is too large or minified) may call it, where its text names
    // what it would call it through (a minified bundle of browser code names no server package).
    let may_reach = |file: &UnreadFile| {
        let api_reached = advisory.api.iter().flat_map(|api| api_names(api)).any(|api| {
            if let Some(engine) = api.strip_prefix("render:") {
                let ext = if engine == "handlebars" { "hbs" } else { engine };
                file.may_import(engine)
                    || file.may_import(ext)
                    || file.may_import(&advisory.package)
                    || file.may_call("render")
            } else if api == "redirect:request-url" {
                file.may_call("redirect") || file.may_call("location")
            } else if api == "route-path" {
                // (A router module names nothing: it is handed the app, and any string may be a pattern.)
                true
            } else if api == "import" {
                file.may_import(&advisory.package)
            } else if let Some(package) = api.strip_suffix("()") {
                file.may_import(package)
            } else if let Some((object, member)) = api.split_once('.') {
                match object {
                    "res" | "app" | "req" => !API_METHODS.contains(&member) || file.may_call(member),
                    package => file.may_import(package),
                }
            } else {
                true
            }
        });
        api_reached || own_api && ancestors.iter().any(|a| file.may_import(a) && !(*a == "express" && express_api))
    };
    let unread: Vec<&UnreadFile> =
        uses.unread.iter().filter(|f| f.why != Unread::Prefiltered && may_reach(f)).collect();
    if let Some(UnreadFile { path: first, why, .. }) = unread.first() {
        let why = why.says();
        let others = match unread.len() - 1 {
            0 => String::new(),
            1 => " (and 1 other file was not read)".to_string(),
            n => format!(" (and {n} other files were not read)"),
        };
        return (
            Reachability::Unknown,
            format!(
                "no module the run read {}, but {} {why}{others}: what it calls is not known",
                uses_api(advisory),
                crate::discover::display_path(first)
            ),
        );
    }
    (Reachability::NotCalled, format!("no module {}", uses_api(advisory)))
}

/// What using an advisory's `api` is, as the reasons say it: `uses res.cookie, cookie.serialize`, and `imports qs`
/// for `import` (never "uses import").
fn uses_api(advisory: &Advisory) -> String {
    let (imports, others): (Vec<&String>, Vec<&String>) = advisory.api.iter().partition(|api| *api == "import");
    let mut said = Vec::new();
    if !others.is_empty() {
        said.push(format!("uses {}", others.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")));
    }
    if !imports.is_empty() {
        said.push(format!("imports {}", advisory.package));
    }
    said.join(" or ")
}
