//! What a transform is: a unit with a stable id, a title, a rationale and a documentation link, that looks at one
//! file's facts and plans edits, dependency changes and findings. Transforms never touch the file system.

use std::ops::Range;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::analysis::FileFacts;
use crate::edit::Edit;
use crate::manifest::DepSection;
use crate::project::Project;
use crate::settings::{SettingsGroup, SettingsInput};
use crate::source::SourceFile;

/// What a user reads about a transform (`express-harden list`, reports).
#[derive(Debug, Clone, Serialize)]
pub struct TransformInfo {
    /// Stable id used by `--only`/`--skip` and in every report.
    pub id: &'static str,
    /// One line.
    pub title: String,
    /// Why the change is worth making, for a reviewer.
    pub rationale: String,
    /// Our documentation of the transform.
    pub docs: String,
    /// The upstream documentation of what it installs.
    pub upstream: String,
    /// The kinds of findings it reports: rule (without the `<id>/` prefix) -> one-line description.
    pub findings: std::collections::BTreeMap<String, String>,
    /// The severity of each kind of finding (same keys as `findings`).
    pub severities: std::collections::BTreeMap<String, Severity>,
    /// The kinds of findings of a code migration that mean code was left unmigrated (an Express 5 breaker that stays
    /// as it is): one of them in a project holds its major version back.
    pub blocking: std::collections::BTreeSet<String>,
}

impl TransformInfo {
    /// The web address of [`TransformInfo::docs`] (a file of the repository) as of this version's release tag: an
    /// installed binary has no checkout to open the path in.
    pub fn docs_url(&self) -> String {
        format!("{}/blob/v{}/{}", env!("CARGO_PKG_REPOSITORY"), env!("CARGO_PKG_VERSION"), self.docs)
    }

    /// The catalogue severity of a kind of finding (`rule` without the `<id>/` prefix); `None` when it is not listed.
    pub fn severity_of(&self, rule: &str) -> Option<Severity> {
        self.severities.get(rule).copied()
    }

    /// Whether a finding of this kind means code was left unmigrated, which holds the major version back.
    pub fn blocks(&self, rule: &str) -> bool {
        self.blocking.contains(rule)
    }

    /// The severity of a finding the transform reports: the catalogue's (a kind missing from the catalogue counts as
    /// a warning; the fixture tests fail on it).
    pub fn severity(&self, rule: &str) -> Severity {
        self.severity_of(rule).unwrap_or(Severity::Warning)
    }
}

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Something that is very likely a vulnerability and was not fixed.
    Error,
    /// Something a human must look at.
    Warning,
    /// Context for a change that was made.
    Info,
}

impl Severity {
    /// The word shown to users.
    pub fn label(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// Something the tool reports rather than fixes (or explains about a fix).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// `transform/rule`, e.g. `helmet/partial`.
    pub rule: String,
    /// The transform that reported it.
    pub transform: &'static str,
    /// File it is about.
    pub path: PathBuf,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// What is wrong and what to do.
    pub message: String,
    /// How serious it is.
    pub severity: Severity,
}

/// A package the planned code needs in the nearest package.json.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DependencyRequest {
    /// npm package name.
    pub package: String,
    /// Range to add when the manifest does not list the package in any section.
    pub spec: String,
    /// Section to add it to, unless the package it serves says otherwise (see `serves`).
    pub section: DepSection,
    /// The package the new one works for (`express` for helmet, `express-session` for a session store): a package
    /// for `dependencies` goes to `devDependencies` when the manifest lists the one it serves only there (an app
    /// whose Express is a development tool, such as a test server, gets its helmet where its Express is).
    pub serves: Option<String>,
    /// The planned code needs the versions `spec` names: a listed range with no version in common with it (helmet
    /// `^2.3.0` under code written for helmet 8) is raised to `spec`, where it is listed.
    pub raises_listed: bool,
    /// Transform asking for it (set by the engine).
    pub transform: &'static str,
}

impl DependencyRequest {
    /// A package the planned code needs (the engine attributes it to the planning transform).
    pub fn new(package: impl Into<String>, spec: impl Into<String>, section: DepSection) -> DependencyRequest {
        DependencyRequest {
            package: package.into(),
            spec: spec.into(),
            section,
            serves: None,
            raises_listed: false,
            transform: "",
        }
    }

    /// The same request, for a package that serves `package` (it follows that one's section).
    pub fn serving(self, package: impl Into<String>) -> DependencyRequest {
        DependencyRequest { serves: Some(package.into()), ..self }
    }

    /// The same request, for code that runs only on the versions `spec` names (see `raises_listed`).
    pub fn raising_listed(self) -> DependencyRequest {
        DependencyRequest { raises_listed: true, ..self }
    }

    /// Whether the request raises a manifest's `listed` spec of its package: it is for code that runs only on the
    /// versions it names ([`DependencyRequest::raising_listed`]), and `listed` admits none of them. (Otherwise the
    /// listing stays: the package is there, on a version the request admits.)
    pub fn raises(&self, listed: &str) -> bool {
        self.raises_listed && !crate::npm_spec::overlaps(listed, &self.spec)
    }

    /// The section the package goes to in a manifest that does not list it yet: `devDependencies` when the
    /// requested section is `dependencies` and the manifest lists the package it serves in `devDependencies` and in no
    /// section installed for the app at run time (`dependencies`, `optionalDependencies`, `peerDependencies`: a
    /// library whose Express is a peer needs helmet at run time all the same); otherwise the requested one.
    pub fn section_in(&self, manifest: &crate::manifest::ManifestInfo) -> DepSection {
        let Some(served) = &self.serves else { return self.section };
        let listed: Vec<DepSection> = manifest.dependency_all(served).into_iter().map(|(s, _)| s).collect();
        if self.section == DepSection::Dependencies
            && !listed.is_empty()
            && listed.iter().all(|s| *s == DepSection::DevDependencies)
        {
            DepSection::DevDependencies
        } else {
            self.section
        }
    }
}

/// Everything a transform wants for one file.
#[derive(Debug, Default, Clone)]
pub struct FilePlan {
    /// Source edits.
    pub edits: Vec<Edit>,
    /// Properties for object literals that are not written yet (the options of `session()`): the engine writes one
    /// object per point for the parts of every transform ([`crate::objects::new_object_edits`]).
    pub new_objects: Vec<crate::objects::ObjectPart>,
    /// Packages the new code needs.
    pub dependencies: Vec<DependencyRequest>,
    /// Findings.
    pub findings: Vec<Finding>,
    /// What the operator must do once the change is applied (`set SESSION_SECRET`, `provide a Redis at REDIS_URL`).
    pub next_steps: Vec<String>,
    /// New modules the edits import ([`Options::new_modules`]). Every file of a project that asks for the same path
    /// asks for the same module, printed in its own style: the engine creates it once, in the style of the first of
    /// them (by path) whose change is made, and not at all when none is, or when something is at that path.
    pub new_modules: Vec<NewModule>,
}

/// A module to create ([`FilePlan::new_modules`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewModule {
    /// Where, as the discovered files spell their paths.
    pub path: std::path::PathBuf,
    /// Its whole text.
    pub text: String,
    /// The transform that asks for it (set by the engine, as for edits).
    pub transform: &'static str,
}

/// What a transform sees of one file.
pub struct FileContext<'a> {
    /// The transform that is planning: findings made through this context are its own, with the severity its
    /// catalogue gives them.
    pub transform: &'a TransformInfo,
    /// The file.
    pub file: &'a SourceFile,
    /// Facts from the analysis.
    pub facts: &'a FileFacts,
    /// What the rest of the project does with this file's functions, objects and apps, and what its imports are.
    pub links: &'a crate::links::FileLinks,
    /// The project the file belongs to (its nearest package.json, views, Node version).
    pub project: &'a Project,
    /// The run's options.
    pub options: &'a Options,
    /// The dependencies the earlier phases of this file's plan asked for in this run (a code migration's raise of a
    /// package it rewrote the code for, `connect-redis` for the store factory express4 moves to express-session): a
    /// later phase plans against the versions the run leaves, as a second run would.
    pub requested: &'a [DependencyRequest],
}

/// What [`Transform::survey`] needs of a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Survey {
    /// It notes nothing there: not called.
    Nothing,
    /// Its facts, links and line numbers: called with the text parked.
    Lines,
    /// Its text too: called once the text is read again.
    Text,
}

/// What the engine itself is asked to do in a run (each transform's own settings live in the transform, see
/// [`Transform::configure`]).
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Ids of the transforms that run on the file or manifest being planned (a version bump across a major happens
    /// only with its code migration).
    pub selected: Vec<&'static str>,
    /// Glob patterns (gitignore syntax, from the configuration's paths.exclude) of paths to leave out.
    pub exclude: Vec<String>,
    /// The project root (canonical; the command line sets it to [`crate::discover::project_root`] of the folder it
    /// runs in): paths that resolve outside it are refused, manifests and lockfiles are looked up no higher, and no
    /// file is read through a symbolic link that leads out of it. `None`: no bound. The run's result carries it
    /// ([`crate::outcome::RunResult::root`]) for the writer.
    pub root: Option<std::path::PathBuf>,
    /// Also fix test code and fixtures (`--include-tests`, `includeTests`): files under `test/`, `tests/`,
    /// `__tests__/`, `spec/`, `fixtures/`, `__fixtures__/`, `__mocks__/` and files named `*.test.*` or `*.spec.*`
    /// ([`crate::discover::is_test_code`]). Without it the walk leaves them alone and counts them
    /// ([`crate::outcome::RunResult::tests_skipped`]); a path named on the command line that is test code is taken.
    pub include_tests: bool,
    /// The code migrations' new major is held back for the project being planned ([`ManifestPlan::held_back`]):
    /// write only changes that also run on the current major (Express 4 reads `'/{*splat}'` literally), and claim
    /// no migration.
    pub held_back: bool,
    /// With [`Options::held_back`]: what holds the major back is that the project runs the Express its workspace
    /// root lists, whose package.json is outside the paths given (an `engine/outside-paths` finding on the project's
    /// package.json says so), not a finding of its own or a major-change finding on a manifest of the run.
    pub held_back_outside_paths: bool,
    /// Counts the files read and planned, for a progress bar ([`crate::progress`]); `None`: nobody is watching.
    pub progress: Option<std::sync::Arc<crate::progress::Progress>>,
    /// Source files bigger than this are not read (`--max-file-size`, `maxFileSize`): each gets an
    /// `engine/too-large` finding naming it.
    pub max_file_size: FileSizeLimit,
    /// Also read files that look minified (`--include-minified`, `includeMinified`); without it each gets an
    /// `engine/minified` finding ([`crate::source::minified`]).
    pub include_minified: bool,
    /// Parks every analysed file's text between the passes and reads it again where it is needed, and packs its lists
    /// ([`crate::analysis::FileFacts::pack`]), as a run does past its budgets for kept texts and open lists (16 MiB
    /// each): for tests of that path, which a small project never takes.
    pub park: bool,
    /// Lets go of the texts of each changed file whose text was parked once its diff is made
    /// ([`crate::outcome::FileChange::drop_texts`]): for a run that writes nothing and prints diffs, not the texts (a
    /// dry run or `--check`, in text, JSON or Markdown; SARIF places its fixes in the original text).
    pub drop_texts: bool,
    /// The run may create a module that several changed files import rather than write the same code into each (the
    /// secrets transform's helper, when two or more files of a project need it): on for the command line, off for the
    /// interactive review (whose questions are each file's parts, answered one by one) and for SARIF (whose fixes edit
    /// files that exist).
    pub new_modules: bool,
}

/// The size above which a source file is not read: 1 MiB unless set (like Biome's `files.maxSize`: bigger is
/// generated code or a bundle, not an app's source).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileSizeLimit(pub u64);

impl Default for FileSizeLimit {
    fn default() -> Self {
        FileSizeLimit(1 << 20)
    }
}

impl FileSizeLimit {
    /// Reads `1048576`, `512K`, `512KiB`, `2M`, `2MB`, `1G` (the units are 1024-based, as ripgrep's
    /// `--max-filesize` reads them; any case).
    pub fn parse(text: &str) -> Result<FileSizeLimit, String> {
        let text = text.trim();
        let not_a_size = || format!("`{text}` is not a size: write bytes, or a number with K, M or G (1024-based)");
        let digits = text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len());
        let (number, unit) = text.split_at(digits);
        let shift = match unit.to_ascii_lowercase().as_str() {
            "" | "b" => 0,
            "k" | "kb" | "kib" => 10,
            "m" | "mb" | "mib" => 20,
            "g" | "gb" | "gib" => 30,
            _ => return Err(not_a_size()),
        };
        let number: u64 = number.parse().map_err(|_| not_a_size())?;
        number
            .checked_mul(1 << shift)
            .filter(|bytes| *bytes > 0)
            .map(FileSizeLimit)
            .ok_or_else(|| format!("`{text}` is not a size above zero"))
    }
}

impl FileContext<'_> {
    /// A finding of the planning transform at a byte offset of this file; its severity is the catalogue's.
    pub fn finding(&self, rule: &str, at: usize, message: String) -> Finding {
        let (line, column) = self.file.line_col(at);
        let severity = self.transform.severity(rule);
        Finding {
            rule: format!("{}/{rule}", self.transform.id),
            transform: self.transform.id,
            path: self.file.path.clone(),
            line,
            column,
            message,
            severity,
        }
    }

    /// A string literal in the file's quote style (the other quote when that avoids escapes).
    pub fn quoted(&self, value: &str) -> String {
        crate::codegen::str_lit(value, self.facts.style.quote).raw.map(|r| r.to_string()).unwrap_or_default()
    }

    /// Source text of a range (a `Range<usize>` or a fact's [`crate::parse::ByteRange`]).
    pub fn text(&self, range: impl Into<Range<usize>>) -> &str {
        self.file.code.get(range.into()).unwrap_or("")
    }
}

/// A dependency a transform wants changed in a manifest that lists it (a version bump).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManifestRequest {
    /// The section the package is listed in.
    pub section: DepSection,
    /// npm package name.
    pub package: String,
    /// The new spec.
    pub to: String,
    /// Transform asking for it (set by the engine).
    pub transform: &'static str,
}

impl ManifestRequest {
    /// A change of `package`'s spec in `section` (the engine attributes it to the planning transform).
    pub fn new(section: DepSection, package: impl Into<String>, to: impl Into<String>) -> ManifestRequest {
        ManifestRequest { section, package: package.into(), to: to.into(), transform: "" }
    }
}

/// What a transform wants for one manifest.
#[derive(Debug, Default, Clone)]
pub struct ManifestPlan {
    /// Changes to dependencies already listed.
    pub changes: Vec<ManifestRequest>,
    /// Findings about the manifest.
    pub findings: Vec<Finding>,
    /// What the operator must do once the change is applied.
    pub next_steps: Vec<String>,
    /// A code migration's major version was asked for but is held back for this manifest (its code keeps
    /// something the migration could not rewrite, or a file could not be handled): the engine plans the files the
    /// manifest serves again with [`Options::held_back`], so that no change that needs the new major is written.
    pub held_back: bool,
    /// Known advisories affecting the packages its lockfile installs.
    pub advisories: Vec<crate::advisories::AdvisoryReport>,
    /// Changes to other manifests of the run: a workspace member's own dependency, which the root's lockfile installs
    /// (the path as the lockfile's folder joined with the member's).
    pub elsewhere: Vec<(std::path::PathBuf, ManifestRequest)>,
}

/// What a transform sees of one manifest (package.json).
pub struct ManifestContext<'a> {
    /// The transform that is planning: findings made through this context are its own, with the severity its
    /// catalogue gives them.
    pub transform: &'a TransformInfo,
    /// The manifest's path.
    pub path: &'a std::path::Path,
    /// Its text.
    pub text: &'a str,
    /// Parsed.
    pub info: &'a crate::manifest::ManifestInfo,
    /// Its project (Node target).
    pub project: &'a Project,
    /// Choices the user made on the command line.
    pub options: &'a Options,
    /// Whether a source file of the project could not be handled in this run: a code migration may be incomplete.
    pub source_errors: bool,
    /// The findings of code migrations in the files this manifest serves that mean code was left unmigrated
    /// ([`TransformInfo::blocks`]), in path and line order: each holds the major version back.
    pub blockers: &'a [Finding],
    /// The packages its lockfile resolves, read when first asked for ([`crate::inventory::LazyInventory::get`]).
    pub inventory: &'a crate::inventory::LazyInventory,
    /// The run's projects, by manifest path (a workspace member's, which the root's lockfile installs).
    pub projects: &'a rustc_hash::FxHashMap<std::path::PathBuf, Project>,
}

impl ManifestContext<'_> {
    /// A finding of the planning transform on the line where `package` is listed (the first line otherwise).
    pub fn finding(&self, rule: &str, package: &str, message: String) -> Finding {
        self.finding_in(self.path, self.text, rule, package, message)
    }

    /// [`ManifestContext::finding`] in another manifest of the run (`path`, whose text is `text`): a workspace
    /// member's.
    pub fn finding_in(
        &self,
        path: &std::path::Path,
        text: &str,
        rule: &str,
        package: &str,
        message: String,
    ) -> Finding {
        let transform = self.transform.id;
        let severity = self.transform.severity(rule);
        let needle = format!("\"{package}\"");
        let offset = text.find(&needle).unwrap_or(0);
        let (line, column) = crate::lines::line_col(text, offset);
        Finding {
            rule: format!("{transform}/{rule}"),
            transform,
            path: path.to_path_buf(),
            line,
            column,
            message,
            severity,
        }
    }
}

/// When a transform runs. Code migrations run first; the other transforms then see the migrated code (a session
/// hardened inside `app.configure(...)` must be hardened where the migration puts it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Phase {
    /// Moves code to another major version of a package (express4, express5).
    Migration,
    /// Everything else.
    Harden,
}

/// What a transform reads in a file, as one list: the engine derives from it both the prefilter (a file that
/// mentions none of the transform's [`Watch::Text`] or [`Watch::Call`] needles is not parsed for it) and the member
/// calls the analysis records ([`Watch::Call`] and [`Watch::AlsoCall`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Watch {
    /// Text a file must contain for the transform to apply (a package name: `"express-session"`).
    Text(&'static str),
    /// Calls `x.NAME(...)` the transform reads; a file that contains `.NAME(` is read for it.
    Call(&'static str),
    /// Calls `x.NAME(...)` the transform reads in files that are read for another reason (`app.set(...)` next to a
    /// session); their text alone does not make a file worth reading.
    AlsoCall(&'static str),
}

impl Watch {
    /// The text whose presence makes a file worth parsing, if this entry has one.
    pub fn needle(self) -> Option<String> {
        match self {
            Watch::Text(text) => Some(text.to_string()),
            Watch::Call(name) => Some(format!(".{name}(")),
            Watch::AlsoCall(_) => None,
        }
    }

    /// The text of a [`Watch::Text`] entry.
    pub fn text(self) -> Option<&'static str> {
        match self {
            Watch::Text(text) => Some(text),
            Watch::Call(_) | Watch::AlsoCall(_) => None,
        }
    }

    /// The method whose calls the analysis records, if this entry has one.
    pub fn method(self) -> Option<&'static str> {
        match self {
            Watch::Text(_) => None,
            Watch::Call(name) | Watch::AlsoCall(name) => Some(name),
        }
    }
}

/// One transform. The registry in `src/transforms/mod.rs` lists them all; nothing else in the engine names one.
pub trait Transform: Send + Sync {
    /// Id, title, rationale, links, finding kinds.
    fn info(&self) -> &TransformInfo;

    /// What the transform reads in source files (empty: it reads no source file).
    fn watch(&self) -> &'static [Watch];

    /// What the transform also reads in the source files of `project`, a project of the run (express5 reads the
    /// calls Express 5 removed in a project already on Express 5, without `--express 5`). Only the calls count: the
    /// prefilter is made while the projects are found, so their texts do not make a file read. Nothing by default.
    fn watch_project(&self, _project: &crate::project::Project) -> &'static [Watch] {
        &[]
    }

    /// Plans the changes for one file.
    fn plan(&self, cx: &FileContext<'_>, plan: &mut FilePlan);

    /// What the transform notes about one file before any file is planned, for choices that must agree across the
    /// project (the secrets transform notes the JWT secrets each module holds, so that different ones get different
    /// variables and equal ones the same). The notes of every file of a project are in `Project::surveys`, in path
    /// order, when the transform plans. None by default. Called only where [`Transform::surveys`] says so.
    fn survey(&self, _cx: &FileContext<'_>) -> Vec<String> {
        Vec::new()
    }

    /// What [`Transform::survey`] needs of this file, from a cheap look at its facts and links (the text of `cx.file`
    /// is parked here, see [`crate::source::SourceFile::park`]: line numbers only). Nothing by default.
    fn surveys(&self, _cx: &FileContext<'_>) -> Survey {
        Survey::Nothing
    }

    /// The names (before the extension) of the modules the transform may create ([`FilePlan::new_modules`]): the
    /// project's files of these names are in [`crate::project::Project::module_paths_taken`]. None by default.
    fn new_module_stems(&self) -> &'static [&'static str] {
        &[]
    }

    /// When the transform runs.
    fn phase(&self) -> Phase {
        Phase::Harden
    }

    /// Transforms that run whenever this one is selected, unless skipped by name: a code migration brings the
    /// version bump that makes its code run (`--only express5` raises Express too).
    fn companions(&self) -> &'static [&'static str] {
        &[]
    }

    /// Plans changes to a project's manifest itself (version bumps). Most transforms have none.
    fn plan_manifest(&self, _cx: &ManifestContext<'_>, _plan: &mut ManifestPlan) {}

    /// The settings groups the transform reads (its flags and configuration keys).
    fn settings(&self) -> Vec<&'static SettingsGroup> {
        Vec::new()
    }

    /// Reads the transform's settings; an error is a usage error that names the flag or key. Every registered
    /// transform is configured (so a bad flag fails whatever `--only` says): keep this cheap, with no I/O.
    fn configure(&mut self, _input: &SettingsInput<'_>) -> Result<(), String> {
        Ok(())
    }

    /// Prepares a transform that will run, after the command line is checked: the place for slow or outside work its
    /// settings ask for (`--latest` reads the npm registry). An error stops the run before anything is planned.
    fn prepare(&mut self) -> Result<(), String> {
        Ok(())
    }

    /// Sees what the run's lockfiles install before any manifest is planned, for work that needs all of them at once
    /// (the advisories' network sources ask about every installed package in one batch). Reading them is left to the
    /// transform (`inventories` reads each when reached): one that needs none costs nothing. An error (the file it is
    /// about, and what went wrong) stops the run: nothing is planned or written, and the error is reported.
    fn prepare_inventories(
        &self,
        _inventories: &mut dyn Iterator<Item = &crate::inventory::Inventory>,
    ) -> Result<(), (std::path::PathBuf, String)> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::ManifestInfo;

    fn manifest(sections: &str) -> ManifestInfo {
        ManifestInfo::parse(&format!("{{ \"name\": \"a\"{sections} }}")).expect("parses")
    }

    #[test]
    fn a_package_follows_the_section_of_the_package_it_serves() {
        let store = || DependencyRequest::new("connect-redis", "^9.0.0", DepSection::Dependencies);
        let dev_only = manifest(", \"devDependencies\": { \"express-session\": \"^1.19.0\" }");
        assert_eq!(store().serving("express-session").section_in(&dev_only), DepSection::DevDependencies);
        // Without `serves`, or serving a package the manifest does not list: the requested section.
        assert_eq!(store().section_in(&dev_only), DepSection::Dependencies);
        assert_eq!(store().serving("express").section_in(&dev_only), DepSection::Dependencies);
        // Listed for run time too (a library's peer, an app's dependency): dependencies.
        let peer = manifest(
            ", \"peerDependencies\": { \"express\": \"^4 || ^5\" }, \"devDependencies\": { \"express\": \"^5.3.0\" }",
        );
        assert_eq!(store().serving("express").section_in(&peer), DepSection::Dependencies);
        let both = manifest(
            ", \"dependencies\": { \"express\": \"^5.3.0\" }, \"devDependencies\": { \"express\": \"^5.3.0\" }",
        );
        assert_eq!(store().serving("express").section_in(&both), DepSection::Dependencies);
        // A types package stays in devDependencies whatever it serves.
        let types = DependencyRequest::new("@types/connect-pg-simple", "^7.0.3", DepSection::DevDependencies);
        let runtime = manifest(", \"dependencies\": { \"express-session\": \"^1.19.0\" }");
        assert_eq!(types.serving("express-session").section_in(&runtime), DepSection::DevDependencies);
    }
}
