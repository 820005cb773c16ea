//! Data a transform reads from `transforms/<id>/data.json` (embedded at build time, so a version bump is a data
//! change and the binary still works offline).

use serde::Deserialize;

use crate::project::NodeTarget;
use crate::transform::{Severity, TransformInfo};

/// What every transform's data file says about it for users (`express-harden list`, reports).
#[derive(Debug, Clone, Deserialize)]
pub struct Described {
    /// One line.
    pub title: String,
    /// Why the change is worth making.
    pub rationale: String,
    /// Our description of the transform.
    pub docs: String,
    /// The upstream documentation of what it installs.
    pub upstream: String,
    /// The kinds of findings the transform reports: rule (without the `<id>/` prefix) -> its severity and one-line
    /// description.
    #[serde(default)]
    pub findings: std::collections::BTreeMap<String, FindingKind>,
}

/// A kind of finding in a transform's catalogue.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FindingKind {
    /// The severity the transform reports it with (the default level of its SARIF rule).
    pub severity: Severity,
    /// One line (SARIF's short description).
    pub description: String,
    /// For a code migration: the finding means code was left unmigrated, and holds the major version back.
    #[serde(default)]
    pub blocks: bool,
}

impl Described {
    /// The transform's info under `id`.
    pub fn info(&self, id: &'static str) -> TransformInfo {
        TransformInfo {
            id,
            title: self.title.clone(),
            rationale: self.rationale.clone(),
            docs: self.docs.clone(),
            upstream: self.upstream.clone(),
            findings: self.findings.iter().map(|(rule, kind)| (rule.clone(), kind.description.clone())).collect(),
            severities: self.findings.iter().map(|(rule, kind)| (rule.clone(), kind.severity)).collect(),
            blocking: self.findings.iter().filter(|(_, kind)| kind.blocks).map(|(rule, _)| rule.clone()).collect(),
        }
    }
}

/// A package version a transform may add, with the Node versions it runs on.
#[derive(Debug, Clone, Deserialize)]
pub struct PackageVersion {
    /// The range written to package.json.
    pub spec: String,
    /// The package's `engines.node`.
    pub node: String,
}

/// The newest version in `versions` (newest first) that runs on every Node of `target`; `None` when none does.
pub fn pick_version<'a>(versions: &'a [PackageVersion], target: &NodeTarget) -> Option<&'a PackageVersion> {
    versions.iter().find(|v| target.supports(&v.node))
}

/// Parses embedded data; the tests of each transform parse it, so a broken file fails the build's tests.
pub fn parse<T: for<'de> Deserialize<'de>>(id: &str, json: &str) -> T {
    match serde_json::from_str(json) {
        Ok(data) => data,
        Err(err) => panic!("transforms/{id}/data.json is invalid: {err}"),
    }
}
