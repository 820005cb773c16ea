//! What a transform is: a unit with a stable id, a title, a rationale and a documentation link, that looks at one
//! file's facts and plans edits, dependency changes and findings. Transforms never touch the file system.

use std::ops::Range;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::analysis::FileFacts;
use crate::edit::Edit;
use crate::manifest::DepSection;
use crate::project::Project;
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
}

impl TransformInfo {
    /// The catalogue severity of a kind of finding (`rule` without the `<id>/` prefix); `None` when it is not listed.
    pub fn severity_of(&self, rule: &str) -> Option<Severity> {
        self.severities.get(rule).copied()
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
    /// Section to add it to.
    pub section: DepSection,
    /// Transform asking for it.
    pub transform: &'static str,
}

/// Everything a transform wants for one file.
#[derive(Debug, Default, Clone)]
pub struct FilePlan {
    /// Source edits.
    pub edits: Vec<Edit>,
    /// Packages the new code needs.
    pub dependencies: Vec<DependencyRequest>,
    /// Findings.
    pub findings: Vec<Finding>,
    /// What the operator must do once the change is applied (`set SESSION_SECRET`, `provide a Redis at REDIS_URL`).
    pub next_steps: Vec<String>,
}

/// What a transform sees of one file.
pub struct FileContext<'a> {
    /// The file.
    pub file: &'a SourceFile,
    /// Facts from the analysis.
    pub facts: &'a FileFacts,
    /// The project the file belongs to (its nearest package.json, views, Node version).
    pub project: &'a Project,
    /// Choices the user made on the command line.
    pub options: &'a Options,
}

/// Choices that change what transforms generate.
#[derive(Debug, Clone)]
pub struct Options {
    /// `--store`: the session store backend to use instead of the one guessed from package.json.
    pub store: Option<String>,
    /// `--same-site`: the `sameSite` value added to cookies (`lax` or `strict`).
    pub same_site: String,
    /// `--secure-cookies`: how `secure` is set where it is missing or false.
    pub secure_cookies: SecurePolicy,
    /// `--behind-proxy N`: the app runs behind N TLS-terminating proxies; `trust proxy` is set to N.
    pub behind_proxy: Option<u32>,
    /// `--session-cookie-name`: the name given to session cookies that use a default name.
    pub session_cookie_name: String,
    /// Environment variables literal secrets move to.
    pub env: crate::transforms::secrets::EnvNames,
    /// `--express N`: the Express major to move to (the current one is kept otherwise; 3 goes to 4).
    pub express_major: Option<u64>,
    /// Ids of the transforms that run (a version bump across a major happens only with its code migration).
    pub selected: Vec<&'static str>,
    /// `--latest`: the newest Express (and `@types/express`) of each major, read from the npm registry.
    pub latest: Option<std::collections::BTreeMap<u64, (String, Option<String>)>>,
    /// Glob patterns (gitignore syntax, from the configuration's paths.exclude) of paths to leave out.
    pub exclude: Vec<String>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            store: None,
            same_site: "lax".to_string(),
            secure_cookies: SecurePolicy::Production,
            behind_proxy: None,
            session_cookie_name: "sid".to_string(),
            env: crate::transforms::secrets::default_env(),
            express_major: None,
            selected: Vec::new(),
            latest: None,
            exclude: Vec::new(),
        }
    }
}

/// How `secure` is set on cookies that lack it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SecurePolicy {
    /// `secure: true`: cookies are only sent over HTTPS, in development too.
    Always,
    /// `secure: process.env.NODE_ENV === 'production'`: plain HTTP keeps working in development.
    Production,
    /// `secure: 'auto'`: secure when the request is (express-session and cookie-session only read it from the request).
    Auto,
}

impl SecurePolicy {
    /// The JavaScript expression for the policy.
    pub fn expression(self) -> &'static str {
        match self {
            SecurePolicy::Always => "true",
            SecurePolicy::Production => "process.env.NODE_ENV === 'production'",
            SecurePolicy::Auto => "'auto'",
        }
    }
}

impl FileContext<'_> {
    /// A finding at a byte offset of this file.
    pub fn finding(
        &self,
        transform: &'static str,
        rule: &str,
        at: usize,
        severity: Severity,
        message: String,
    ) -> Finding {
        let (line, column) = self.file.line_col(at);
        Finding {
            rule: format!("{transform}/{rule}"),
            transform,
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

    /// Source text of a range.
    pub fn text(&self, range: Range<usize>) -> &str {
        self.file.code.get(range).unwrap_or("")
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
    /// Transform asking for it.
    pub transform: &'static str,
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
}

/// What a transform sees of one manifest (package.json).
pub struct ManifestContext<'a> {
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
    /// Whether a source file of the project could not be handled in this run, or holds calls a migration could not
    /// prove safe to rewrite: a code migration may be incomplete.
    pub source_errors: bool,
}

impl ManifestContext<'_> {
    /// A finding on the line where `package` is listed (the first line otherwise).
    pub fn finding(
        &self,
        transform: &'static str,
        rule: &str,
        package: &str,
        severity: Severity,
        message: String,
    ) -> Finding {
        let needle = format!("\"{package}\"");
        let offset = self.text.find(&needle).unwrap_or(0);
        let line = self.text[..offset].matches('\n').count() + 1;
        let column = self.text[..offset].rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        Finding {
            rule: format!("{transform}/{rule}"),
            transform,
            path: self.path.to_path_buf(),
            line,
            column,
            message,
            severity,
        }
    }
}

/// One transform.
pub trait Transform: Send + Sync {
    /// Id, title, rationale, links.
    fn info(&self) -> &TransformInfo;

    /// Strings one of which a file must contain for the transform to possibly apply: files that contain none of
    /// any selected transform's needles are never parsed.
    fn needles(&self, options: &Options) -> &'static [&'static str];

    /// Plans the changes for one file.
    fn plan(&self, cx: &FileContext<'_>, plan: &mut FilePlan);

    /// The methods whose calls (`x.method(...)`) the transform reads from [`FileFacts::member_calls`].
    fn tracked_methods(&self, _options: &Options) -> &'static [&'static str] {
        &[]
    }

    /// When the transform runs: code migrations (phase 0) run before the others (phase 1), which then see the
    /// migrated code.
    fn phase(&self) -> u8 {
        1
    }

    /// Plans changes to a project's manifest itself (version bumps). Most transforms have none.
    fn plan_manifest(&self, _cx: &ManifestContext<'_>, _plan: &mut ManifestPlan) {}
}

/// Every transform, in the order their edits are planned.
pub fn registry() -> Vec<Box<dyn Transform>> {
    vec![
        Box::new(crate::transforms::helmet::Helmet::new()),
        Box::new(crate::transforms::session_store::SessionStore::new()),
        Box::new(crate::transforms::session_cookie::SessionCookie::new()),
        Box::new(crate::transforms::cookie_session::CookieSession::new()),
        Box::new(crate::transforms::res_cookie::ResCookie::new()),
        Box::new(crate::transforms::secrets::Secrets::new()),
        Box::new(crate::transforms::express_version::ExpressVersion::new()),
        Box::new(crate::transforms::express4::Express4::new()),
        Box::new(crate::transforms::express5::Express5::new()),
    ]
}

/// Ids of all transforms.
pub fn all_ids() -> Vec<&'static str> {
    registry().iter().map(|t| t.info().id).collect()
}
