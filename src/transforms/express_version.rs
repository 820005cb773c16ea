//! `express-version`: raises Express in package.json to its newest patched version, keeping the author's range
//! style, and moves `@types/express` with the major it describes.
//!
//! ```jsonc
//! // before
//! {
//!   "name": "shop",
//!   "dependencies": {
//!     "express": "^4.16.0"
//!   }
//! }
//! // after
//! {
//!   "name": "shop",
//!   "dependencies": {
//!     "express": "^4.22.3"
//!   }
//! }
//! ```
//!
//! The major is kept (3 goes to 4) unless `--express 5` asks for 5. A change of major needs its code migration
//! (`express4`, `express5`, not written yet): until then it is reported, not made. Versions:
//! `transforms/express-version/data.json`.

use std::sync::OnceLock;

use nodejs_semver::Version;
use serde::Deserialize;

use crate::manifest::DepSection;
use crate::npm_spec::{self, Operator, Spec};
use crate::settings::{SettingsGroup, SettingsInput};
use crate::transform::{
    FileContext, FilePlan, ManifestContext, ManifestPlan, ManifestRequest, Transform, TransformInfo, Watch,
};
use crate::transforms::data;
use crate::transforms::shared::express_target::{ExpressTarget, EXPRESS};
use crate::transforms::shared::registry;

const ID: &str = "express-version";

#[derive(Debug, Deserialize)]
struct VersionData {
    #[serde(flatten)]
    described: data::Described,
    package: String,
    majors: Vec<Major>,
    types_package: String,
}

/// The newest release of one Express major, the Node it needs, and the matching `@types/express`.
#[derive(Debug, Clone, Deserialize)]
pub struct Major {
    /// The major.
    pub major: u64,
    /// Its newest release.
    pub newest: String,
    /// The Node it needs.
    pub node: String,
    /// The newest `@types/express` of that major.
    pub types: String,
    /// The TypeScript that reads those types, when an older one cannot (checked with each TypeScript release: 4.3
    /// stops at @types/express-serve-static-core 5.1's `[key: string | number]`, TS1337).
    #[serde(default)]
    pub types_typescript: Option<String>,
}

fn data() -> &'static VersionData {
    static DATA: OnceLock<VersionData> = OnceLock::new();
    DATA.get_or_init(|| data::parse(ID, include_str!("../../transforms/express-version/data.json")))
}

/// The newest Express and `@types/express` of each major, read from the registry (`--latest`).
type Latest = std::collections::BTreeMap<u64, (String, Option<String>)>;

/// The versions to move to: the bundled table, or the registry's newest (`--latest`).
fn table(latest: Option<&Latest>) -> Vec<Major> {
    let mut majors = data().majors.clone();
    if let Some(latest) = latest {
        for m in &mut majors {
            if let Some((newest, types)) = latest.get(&m.major) {
                m.newest.clone_from(newest);
                if let Some(types) = types {
                    m.types.clone_from(types);
                }
            }
        }
    }
    majors
}

fn major(table: &[Major], n: u64) -> Option<&Major> {
    table.iter().find(|m| m.major == n)
}

transform_struct!(
    ExpressVersion,
    "The express-version transform.",
    target: ExpressTarget = ExpressTarget::default(),
    latest: Option<Latest> = None,
);

/// What to write for one spec.
#[derive(Debug, PartialEq, Eq)]
pub enum Decision {
    /// Replace the spec.
    Set(String),
    /// Leave it; the range already admits the newest patch but the lockfile may hold an older one.
    LockfileMustMove,
    /// Leave it: nothing to do.
    Keep,
    /// Replace a non-range spec (`*`, `latest`) with an explicit range.
    Pin(String),
    /// Not a range: never rewritten.
    Unclassifiable(&'static str),
    /// The target is another major: its code migration must come with it, so the bump is reported, not made, until
    /// the migration transform exists.
    MajorChange(String),
}

/// Whether Express `major` runs on the project's Node (per the bundled table): a code migration to a major the
/// project cannot run would leave code and version apart.
pub fn runs_on(major: u64, node: &crate::project::NodeTarget) -> bool {
    data().majors.iter().any(|m| m.major == major && node.supports(&m.node))
}

/// The decision for an Express spec, given the major the user asked for (if any) and the newest major the project's
/// Node runs.
pub fn decide(spec: &str, requested_major: Option<u64>, newest_runnable: u64, table: &[Major]) -> Decision {
    // Never down: 3 goes to 4, a requested major is honoured when Node allows it, a newer major stays.
    let target_for = |current: u64| -> u64 {
        let wanted = requested_major.unwrap_or(0).max(current).max(4);
        wanted.min(newest_runnable.max(current.max(4)))
    };
    match npm_spec::classify(spec) {
        Spec::Other(what) => Decision::Unclassifiable(what),
        Spec::Any => {
            let target = requested_major.unwrap_or(newest_runnable).min(newest_runnable);
            match major(table, target) {
                Some(m) => Decision::Pin(npm_spec::write(Operator::Caret, &m.newest)),
                None => Decision::Keep,
            }
        }
        Spec::Simple { op, version } => {
            let Some(target) = major(table, target_for(version.major)) else { return Decision::Keep };
            let Ok(newest) = Version::parse(&target.newest) else { return Decision::Keep };
            if version.major != target.major {
                return Decision::MajorChange(npm_spec::write(op, &target.newest));
            }
            if version >= newest {
                return Decision::Keep;
            }
            Decision::Set(npm_spec::write(op, &target.newest))
        }
        Spec::Range(range) => {
            let Some(min) = range.min_version() else { return Decision::Keep };
            // (`<4.0.0` is on Express 3, what npm installs for it, not on the 0.x it starts at.)
            let current = npm_spec::start_major(spec).unwrap_or(min.major);
            let Some(target) = major(table, target_for(current)) else { return Decision::Keep };
            let Ok(newest) = Version::parse(&target.newest) else { return Decision::Keep };
            // (In the author's width: `4.13.x` -> `~4.22.3`, `4.x` -> `^4.22.3`.)
            let op = npm_spec::range_operator(&range);
            if current != target.major {
                return Decision::MajorChange(npm_spec::write(op, &target.newest));
            }
            if range.satisfies(&newest) {
                if min < newest {
                    Decision::LockfileMustMove
                } else {
                    Decision::Keep
                }
            } else {
                Decision::Set(npm_spec::write(op, &target.newest))
            }
        }
    }
}

/// The newest Express major the project's Node runs (per the bundled table; 4 when none is known to).
fn newest_runnable(node: &crate::project::NodeTarget) -> u64 {
    data().majors.iter().filter(|m| node.supports(&m.node)).map(|m| m.major).max().unwrap_or(4)
}

/// The major express-version moves Express `current` to in the project of `cx`, for the major the user asked for:
/// it is honoured when the project's Node runs it and its code migration runs in this run and is complete (no
/// blocker); otherwise Express stays on its major (3 goes to 4). What the advisories say express is raised to.
pub fn planned_major(cx: &ManifestContext<'_>, requested: Option<u64>, current: u64) -> u64 {
    let newest_runnable = newest_runnable(&cx.project.node);
    let own = current.max(4);
    let target = requested.unwrap_or(0).max(own).min(newest_runnable.max(own));
    let blocked = cx.source_errors || !cx.blockers.is_empty();
    // (Express 2 and older stay: no transform migrates their code to 3.)
    if current < 3 {
        return current;
    }
    // (3 moves to 4 with express4's migration, and no further in one run: express5 reads Express 4 code.)
    if current == 3 {
        return if cx.options.selected.contains(&"express4") && !blocked { 4 } else { 3 };
    }
    let migrated = match (current, target) {
        (4, 5) => cx.options.selected.contains(&"express5") && !blocked,
        _ => return target,
    };
    if migrated {
        target
    } else {
        own
    }
}

/// Whether the project's TypeScript (when it has one) reads the `@types/express` of `target`.
fn types_readable(target: &Major, project: &crate::project::Project) -> bool {
    match (&target.types_typescript, project.installed("typescript")) {
        (Some(needs), Some(installed)) => npm_spec::allows_all(needs, &installed),
        _ => true,
    }
}

/// Whether a run without `--express` (or with `--express 5`) moves the `@types/express` of `project`, a project on
/// Express 5, to 5's types: its express range moves to 5's patched release, and its @types/express is written on an
/// older major that its TypeScript can leave (from the bundled table: `--latest` may move to a newer release, never to
/// another major). Code typed for 4's types (`req.params.id` as a `string`) must then be typed for 5's. The types the
/// code compiles against are those its package.json lists, else its workspace root's; they move with the express
/// range of the manifest that lists them (a manifest that lists no express keeps its @types/express).
pub fn moves_types_to_5(project: &crate::project::Project) -> bool {
    let d = data();
    let table = table(None);
    let own_types = project.manifest.as_ref().is_some_and(|m| !m.dependency_all(&d.types_package).is_empty());
    let types_manifest = if own_types { &project.manifest } else { &project.workspace_manifest };
    let Some(manifest) = types_manifest else { return false };
    let Some(target) = major(&table, 5) else { return false };
    let newest = newest_runnable(&project.node);
    let moves =
        manifest.dependency_all(&d.package).iter().any(|(_, spec)| match decide(spec, Some(5), newest, &table) {
            Decision::Set(to) | Decision::Pin(to) => npm_spec::start_major(&to) == Some(5),
            _ => false,
        });
    moves
        && types_readable(target, project)
        && manifest
            .dependency_all(&d.types_package)
            .iter()
            .any(|(_, spec)| matches!(npm_spec::classify(spec), Spec::Simple { version, .. } if version.major < 5))
}

impl Transform for ExpressVersion {
    fn info(&self) -> &TransformInfo {
        &self.info
    }

    fn watch(&self) -> &'static [Watch] {
        // Works on package.json only: no source file needs parsing for it.
        &[]
    }

    fn settings(&self) -> Vec<&'static SettingsGroup> {
        vec![&EXPRESS]
    }

    fn configure(&mut self, input: &SettingsInput<'_>) -> Result<(), String> {
        self.target = ExpressTarget::read(input)?;
        Ok(())
    }

    fn prepare(&mut self) -> Result<(), String> {
        self.latest = if self.target.latest { Some(latest_versions()?) } else { None };
        Ok(())
    }

    fn plan(&self, _cx: &FileContext<'_>, _plan: &mut FilePlan) {}

    fn plan_manifest(&self, cx: &ManifestContext<'_>, plan: &mut ManifestPlan) {
        let d = data();
        let table = table(self.latest.as_ref());
        let newest_runnable = newest_runnable(&cx.project.node);
        if let Some(requested) = self.target.major {
            // (A package.json that lists no Express, a front end's or a worker's beside the app's, has nothing to
            // hold back: its Node says nothing about the app's.)
            let lists_express = !cx.info.dependency_all(&d.package).is_empty();
            if requested > newest_runnable && lists_express {
                // A move asked for and not made, as one that code holds back: a CI job that asked for 5 must be able
                // to tell (exit 3). (Not where Express is already on that major or newer, nor where it is not listed.)
                let below = |spec: &String| npm_spec::start_major(spec).is_some_and(|current| current < requested);
                if cx.info.dependency_all(&d.package).iter().any(|(_, spec)| below(spec)) {
                    plan.held_back = true;
                }
                plan.findings.push(cx.finding(
                    "node",
                    &d.package,
                    format!(
                        "Express {requested} needs Node {} but the project runs on {} ({}): Express stays on {}",
                        major(&table, requested).map_or("", |m| m.node.as_str()),
                        cx.project.node.range,
                        cx.project.node.source,
                        newest_runnable
                    ),
                ));
            }
        }
        let mut new_major = None;
        for (section, spec) in cx.info.dependency_all(&d.package) {
            // Never down: an older major asked for is not made, and the run says so.
            if let (Some(requested), Some(current)) = (self.target.major, npm_spec::start_major(&spec)) {
                if current > requested {
                    plan.findings.push(cx.finding(
                        "newer-than-requested",
                        &d.package,
                        format!(
                            "express `{spec}` is already on Express {current}, newer than the {requested} asked for \
                             with --express: kept on {current} (express-harden never moves a major down)"
                        ),
                    ));
                }
            }
            let decision = match decide(&spec, self.target.major, newest_runnable, &table) {
                // A peer range states what the package works with: broad on purpose, no lockfile behind it.
                Decision::LockfileMustMove if section == DepSection::PeerDependencies => Decision::Keep,
                other => other,
            };
            // Express 2 (or older): its code needs the 2 -> 3 migration, which no transform makes, before express4's,
            // which leaves it alone (`app.get('env')` reads no setting on Express 2). Version and code stay, and the
            // run says why; with the migrations selected, that is a move held back.
            if let (Some(current @ 0..=2), Decision::MajorChange(to)) = (npm_spec::start_major(&spec), &decision) {
                if cx.options.selected.contains(&"express4") {
                    plan.held_back = true;
                }
                plan.findings.push(cx.finding("major-change", &d.package, express2_message(&spec, current, to)));
                continue;
            }
            // Express 3 -> 4 happens together with its code migration, when the express4 transform runs, and 4 -> 5
            // with express5's; only when that migration is complete: the version and the code always agree.
            let migrated = |to: &str| {
                (npm_spec::start_major(to) == Some(4)
                    && npm_spec::start_major(&spec) == Some(3)
                    && cx.options.selected.contains(&"express4"))
                    || (npm_spec::start_major(to) == Some(5)
                        && npm_spec::start_major(&spec) == Some(4)
                        && cx.options.selected.contains(&"express5"))
            };
            let blocked = cx.source_errors || !cx.blockers.is_empty();
            // Express 3 asked to 5: the express5 migration reads Express 4 code, so this run makes the move to 4 with
            // express4's migration, and holds the move to 5 back (never Express 3 left under migrated code).
            let mut five_held_back = None;
            let decision = match decision {
                Decision::MajorChange(to)
                    if npm_spec::start_major(&to) == Some(5)
                        && npm_spec::start_major(&spec) == Some(3)
                        && cx.options.selected.contains(&"express4") =>
                {
                    match decide(&spec, Some(4), newest_runnable, &table) {
                        Decision::MajorChange(to4) => {
                            five_held_back = Some(to);
                            Decision::MajorChange(to4)
                        }
                        _ => Decision::MajorChange(to),
                    }
                }
                // `*` or `latest` over code that called Express 3 API, rewritten for Express 4 in this run (as for
                // `>=3.0.0`): Express 5 needs its own migration of that code.
                Decision::Pin(to) if npm_spec::start_major(&to) == Some(5) && rewrote_express3_calls(cx) => {
                    match major(&table, 4) {
                        Some(four) => {
                            five_held_back = Some(to);
                            Decision::Pin(npm_spec::write(Operator::Caret, &four.newest))
                        }
                        None => Decision::Pin(to),
                    }
                }
                other => other,
            };
            let decision = match decision {
                Decision::MajorChange(to) if migrated(&to) && !blocked => Decision::Set(to),
                other => other,
            };
            // (Without --express 5, a pin over rewritten Express 3 calls says why it is 4 in its own finding.)
            let asked_five = self.target.major == Some(5);
            if let (Some(five), Decision::Set(to) | Decision::Pin(to)) = (&five_held_back, &decision) {
                if asked_five {
                    plan.held_back = true;
                    let how = if matches!(decision, Decision::Set(_)) {
                        format!("moves to {to} with the code's migration to Express 4 in this run")
                    } else {
                        format!(
                            "is pinned to {to}, the major the code's Express 3 calls are rewritten for in this run \
                             (express4/{})",
                            crate::transforms::express4::EXPRESS3_CALL
                        )
                    };
                    plan.findings.push(cx.finding(
                        "major-change",
                        &d.package,
                        format!(
                            "express `{spec}` {how}; the move to {five} asked for with --express 5 is held back: the \
                             express5 migration reads Express 4 code, which this run only writes. Apply this change, \
                             then run again with --express 5"
                        ),
                    ));
                }
            }
            // Held back, the version still moves to the newest patched release of its own major.
            let decision = match decision {
                Decision::MajorChange(to) if migrated(&to) => {
                    plan.held_back = true;
                    plan.findings.push(cx.finding("major-change", &d.package, held_back_message(&spec, &to, cx)));
                    match decide(&spec, npm_spec::start_major(&spec), newest_runnable, &table) {
                        Decision::MajorChange(_) => Decision::Keep,
                        within => within,
                    }
                }
                other => other,
            };
            match decision {
                Decision::MajorChange(to) => plan.findings.push(cx.finding("major-change", &d.package, {
                    format!(
                        "express `{spec}` should move to {to}, a new major whose API changes need a code \
                             migration that this run does not make: not rewritten (the 3 -> 4 migration runs with the \
                             express4 transform)"
                    )
                })),
                Decision::Set(to) => {
                    new_major = npm_spec::start_major(&to);
                    // (3 goes to 4 on a Node older than any patched Express runs: said, as for a pin.)
                    if let Some(m) = new_major.and_then(|n| major(&table, n)) {
                        if !cx.project.node.supports(&m.node) && npm_spec::start_major(&spec) != new_major {
                            plan.findings.push(cx.finding(
                                "node",
                                &d.package,
                                format!(
                                    "express `{spec}` moves to {to}, which needs Node {}, and the project runs on {} \
                                     ({}): no patched Express runs there; raise the project's Node",
                                    m.node, cx.project.node.range, cx.project.node.source
                                ),
                            ));
                        }
                    }
                    plan.changes.push(change(section, &d.package, to));
                }
                Decision::Pin(to) => {
                    new_major = npm_spec::start_major(&to);
                    let which = match new_major.and_then(|n| major(&table, n)) {
                        Some(m) if !cx.project.node.supports(&m.node) => format!(
                            "the oldest patched line, though it needs Node {} and the project runs on {} ({}): no \
                             patched Express runs there; raise the project's Node",
                            m.node, cx.project.node.range, cx.project.node.source
                        ),
                        _ if five_held_back.is_some() => format!(
                            "the major the code's Express 3 calls are rewritten for in this run (express4/{}); Express \
                             5 needs its own migration of that code: apply this run, then run again with --express 5",
                            crate::transforms::express4::EXPRESS3_CALL
                        ),
                        _ => "the newest release that runs on the project's Node".to_string(),
                    };
                    plan.findings.push(cx.finding(
                        "not-a-range",
                        &d.package,
                        format!(
                            "express was `{spec}`, which installs whatever is newest on the day: pinned to {to}, \
                             {which}"
                        ),
                    ));
                    plan.changes.push(change(section, &d.package, to));
                }
                Decision::LockfileMustMove => plan.findings.push(cx.finding(
                    "lockfile-must-move",
                    &d.package,
                    format!(
                        "express `{spec}` already admits the newest patched release, but a lockfile may still hold \
                         an older one: run `npm update express` (or your package manager's equivalent)"
                    ),
                )),
                Decision::Keep => {}
                Decision::Unclassifiable(what) => plan.findings.push(cx.finding(
                    "unclassifiable",
                    &d.package,
                    format!(
                        "express is `{spec}`, {what}: not rewritten; make sure it resolves to a patched release \
                         (4.22.3 or 5.3.0 or newer)"
                    ),
                )),
            }
        }
        // @types/express describes one Express major: it follows the new one, unless the project's TypeScript cannot
        // read its types (tsc would stop at them): then it stays, and a finding says what to raise first.
        let Some(target) = new_major.and_then(|n| major(&table, n)) else { return };
        let typescript = cx.project.installed("typescript");
        let unreadable = !types_readable(target, cx.project);
        for (section, spec) in cx.info.dependency_all(&d.types_package) {
            if let Spec::Simple { op, version } = npm_spec::classify(&spec) {
                if version.major == target.major {
                    continue;
                }
                if unreadable {
                    let needs = target.types_typescript.as_deref().unwrap_or_default().trim_start_matches(">=");
                    plan.findings.push(cx.finding(
                        "typescript",
                        &d.types_package,
                        format!(
                            "{} `{spec}` stays: the project's TypeScript ({}) cannot read the types of Express {} \
                             (@types/express {} needs TypeScript {needs} or newer; tsc would stop in them), so the code \
                             is still type-checked with Express {}'s; raise TypeScript to {needs} or newer, then {} to \
                             ^{}",
                            d.types_package,
                            typescript.as_deref().unwrap_or_default(),
                            target.major,
                            target.types,
                            version.major,
                            d.types_package,
                            target.types
                        ),
                    ));
                    continue;
                }
                plan.changes.push(change(section, &d.types_package, npm_spec::write(op, &target.types)));
            }
        }
        if new_major.is_some() {
            plan.next_steps.push(
                "Express was raised in package.json: once the changed packages are installed, run the app's tests \
                 against the new version"
                    .to_string(),
            );
        }
    }
}

/// Whether the express4 transform rewrote, in this run, calls of Express 3 API in code of the project of `cx`, whose
/// package.json is not on Express 3.
fn rewrote_express3_calls(cx: &ManifestContext<'_>) -> bool {
    let rule = format!("express4/{}", crate::transforms::express4::EXPRESS3_CALL);
    cx.blockers.iter().any(|f| f.rule == rule)
}

/// Why a requested major is held back, naming every blocker with its place (at most ten, then how many more).
fn held_back_message(spec: &str, to: &str, cx: &ManifestContext<'_>) -> String {
    let current = npm_spec::start_major(spec).map_or_else(|| spec.to_string(), |m| m.to_string());
    let express3_rule = format!("express4/{}", crate::transforms::express4::EXPRESS3_CALL);
    let (express3, others): (Vec<&crate::transform::Finding>, Vec<&crate::transform::Finding>) =
        cx.blockers.iter().partition(|f| f.rule == express3_rule);
    let places = |list: &[&crate::transform::Finding]| {
        let mut places: Vec<String> = list
            .iter()
            .take(10)
            .map(|f| format!("{}:{} {}", crate::discover::display_path(&f.path), f.line, f.rule))
            .collect();
        if list.len() > 10 {
            places.push(format!("and {} more", list.len() - 10));
        }
        places.join(", ")
    };
    let count = |n: usize, one: &str, many: &str| if n == 1 { format!("1 {one}") } else { format!("{n} {many}") };
    let mut reasons = Vec::new();
    if !express3.is_empty() {
        let what = count(express3.len(), "Express 3 call", "Express 3 calls");
        reasons.push(format!(
            "{what} that stop the app on Express 4 and 5 ({}), rewritten for Express 4 in this run where their \
             findings say so: the express5 migration reads that code once it is written",
            places(&express3)
        ));
    }
    if !others.is_empty() {
        let what =
            count(others.len(), "place the migration could not rewrite", "places the migration could not rewrite");
        reasons.push(format!("{what} ({})", places(&others)));
    }
    if cx.source_errors {
        reasons.push("files it could not handle (see the errors)".to_string());
    }
    let next = if others.is_empty() && !cx.source_errors {
        "Apply this run, then run again with --express 5"
    } else {
        "Migrate those places by hand (see their findings) and run again"
    };
    format!(
        "express `{spec}` stays on {current}: the move to {to} is held back, because the code keeps {}; the changes \
         that only run on the new major are held back too. {next}",
        reasons.join(" and ")
    )
}

/// Why Express `spec`, on major `current` (2 or older), stays. A range is on the oldest major it allows (`>=2 <4` is
/// on 2, though npm installs 3.21.2 for it): the code says it runs there, so only a migration from there is faithful.
fn express2_message(spec: &str, current: u64, to: &str) -> String {
    format!(
        "express `{spec}` is on Express {current} (the oldest release it allows, which its code must run on): it stays, \
         and no code is migrated. The move to {to} needs the app migrated to Express 3 first, which no transform does \
         (express.createServer() no longer returns an http.Server, layouts and partials left res.render, \
         app.helpers/app.dynamicHelpers became app.locals/res.locals, app.error, app.register and req.flash are gone), \
         and the 3 -> 4 rewrite does not run on Express 2 (app.get('env') is a route lookup there). Its session and \
         cookies are not hardened either: express.session there is connect 1.x's, which reads the cookie name from \
         `key`, writes no SameSite and knows no `trust proxy` (a secret written in the code is still moved to the \
         environment). Migrate the app to Express 3 by hand (https://github.com/expressjs/express/wiki/Migrating-from-2.x-to-3.x), then run again"
    )
}

fn change(section: DepSection, package: &str, to: String) -> ManifestRequest {
    ManifestRequest::new(section, package, to)
}

/// The newest Express and `@types/express` of each major, from the npm registry's metadata (`npm view`).
fn latest_versions() -> Result<Latest, String> {
    let express = registry::newest_of_each_major("express")?;
    let types = registry::newest_of_each_major("@types/express")?;
    Ok(express.into_iter().map(|(major, newest)| (major, (newest, types.get(&major).cloned()))).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decisions_for_specs_seen_in_real_manifests() {
        let set = |s: &str| Decision::Set(s.to_string());
        let table: Vec<(&str, Option<u64>, Decision)> = vec![
            ("^4.16.0", None, set("^4.22.3")),
            ("~4.17.1", None, set("~4.22.3")),
            ("4.12.4", None, set("4.22.3")),
            ("=4.12.4", None, set("4.22.3")),
            ("^4", None, set("^4.22.3")),
            ("^4.22.3", None, Decision::Keep),
            ("4.22.3", None, Decision::Keep),
            ("^4.23.0", None, Decision::Keep),
            ("4.x", None, Decision::LockfileMustMove),
            (">=4 <5", None, Decision::LockfileMustMove),
            ("4", None, Decision::LockfileMustMove),
            (">=4.16.0 <4.20.0", None, set("^4.22.3")),
            ("^3.21.2", None, Decision::MajorChange("^4.22.3".to_string())),
            ("3.x", None, Decision::MajorChange("^4.22.3".to_string())),
            ("~3.4.8", Some(5), Decision::MajorChange("~5.3.0".to_string())),
            ("^4.16.0", Some(5), Decision::MajorChange("^5.3.0".to_string())),
            ("^5.0.0", None, set("^5.3.0")),
            ("^5.3.0", None, Decision::Keep),
            ("5.x", None, Decision::LockfileMustMove),
            ("*", None, Decision::Pin("^5.3.0".to_string())),
            ("latest", None, Decision::Pin("^5.3.0".to_string())),
            ("", None, Decision::Pin("^5.3.0".to_string())),
            ("*", Some(4), Decision::Pin("^4.22.3".to_string())),
            ("^5.1.0", Some(4), set("^5.3.0")),
            ("npm:express@^4", None, Decision::Unclassifiable("an npm alias")),
            ("git+https://github.com/expressjs/express.git", None, Decision::Unclassifiable("a git URL")),
            ("workspace:*", None, Decision::Unclassifiable("a workspace reference")),
            ("file:../express", None, Decision::Unclassifiable("a local path")),
        ];
        assert!(table.len() >= 25);
        for (spec, requested, expected) in table {
            assert_eq!(decide(spec, requested, 5, &data().majors), expected, "{spec:?} with --express {requested:?}");
        }
    }

    #[test]
    fn old_node_keeps_express_4() {
        let t = &data().majors;
        assert_eq!(decide("^4.16.0", Some(5), 4, t), Decision::Set("^4.22.3".to_string()));
        assert_eq!(decide("*", None, 4, t), Decision::Pin("^4.22.3".to_string()));
    }
}
