//! Reading and format-preserving editing of `package.json`.
//!
//! ```text
//! {                                   {
//!     "name": "app",                      "name": "app",
//!     "dependencies": {                   "dependencies": {
//!         "express": "^4.18.2"                "express": "^4.18.2",
//!     }                          ->           "helmet": "^8.3.0"
//! }                                       }
//!                                     }
//! ```
//!
//! The manifest ends up in a pull request next to the code changes, so an edit must read like a
//! person made it: every byte outside the edited entry stays as it was (indentation, key order,
//! escapes, blank lines, CRLF, the trailing newline or its absence), and the inserted text copies
//! the file's own style.
//!
//! The edits are computed as one byte-range splice on the original text, located with the
//! ranged AST of `jsonc-parser`. Its `cst` module was tried first and rejected for inserting:
//! it always writes `": "` after a key (even in `"a":"1"` files), turns a single-line manifest
//! into a multi-line one with a default two-space indent, and deletes blank lines at the start and
//! end of any object it inserts into. Splicing keeps every one of those bytes.
//!
//! Parsing is strict JSON (no comments, no trailing commas), because npm reads the file with
//! `JSON.parse`: a manifest npm cannot read is reported, not edited. Every edit is re-parsed
//! before it is returned, so a caller never receives invalid JSON.

use std::cmp::Ordering;
use std::fmt;
use std::path::{Path, PathBuf};

use jsonc_parser::ast::{Object, ObjectProp, ObjectPropName, Value};
use jsonc_parser::common::Range;
use jsonc_parser::{parse_to_ast, CollectOptions, ParseOptions};

/// The four sections npm reads dependencies from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub enum DepSection {
    /// `dependencies`: installed for the app at run time.
    Dependencies,
    /// `devDependencies`: installed only for development and builds.
    DevDependencies,
    /// `peerDependencies`: expected to be provided by the host project.
    PeerDependencies,
    /// `optionalDependencies`: installed when possible; a failure does not fail the install.
    OptionalDependencies,
    /// npm's `overrides`: the version every copy of a package resolves to, whatever its parents declare (not a
    /// dependency section: [`DepSection::ALL`] leaves it out).
    Overrides,
    /// Yarn's `resolutions`: the same for Yarn.
    Resolutions,
    /// pnpm's `overrides`, inside the `pnpm` object of package.json (read by pnpm from 5.10).
    #[serde(rename = "pnpm.overrides")]
    PnpmOverrides,
}

impl DepSection {
    /// Every dependency section, in the order [`ManifestInfo::dependency`] searches them.
    pub const ALL: [DepSection; 4] = [
        DepSection::Dependencies,
        DepSection::DevDependencies,
        DepSection::PeerDependencies,
        DepSection::OptionalDependencies,
    ];

    /// Every section [`ManifestInfo`] reads: the dependency sections ([`DepSection::ALL`]), then the override ones, in
    /// the enum's order (a section's place in it is its index).
    const EVERY: [DepSection; 7] = [
        DepSection::Dependencies,
        DepSection::DevDependencies,
        DepSection::PeerDependencies,
        DepSection::OptionalDependencies,
        DepSection::Overrides,
        DepSection::Resolutions,
        DepSection::PnpmOverrides,
    ];

    /// The key of this section in `package.json`.
    pub fn key(self) -> &'static str {
        match self {
            DepSection::Dependencies => "dependencies",
            DepSection::DevDependencies => "devDependencies",
            DepSection::PeerDependencies => "peerDependencies",
            DepSection::OptionalDependencies => "optionalDependencies",
            DepSection::Overrides => "overrides",
            DepSection::Resolutions => "resolutions",
            DepSection::PnpmOverrides => "overrides",
        }
    }

    /// Its name as outputs show it: the key, with the object it is in (`pnpm.overrides`).
    pub fn label(self) -> &'static str {
        match self {
            DepSection::PnpmOverrides => "pnpm.overrides",
            other => other.key(),
        }
    }

    /// The object of `package.json` the section is in, when it is not the top level (`pnpm`).
    pub fn parent(self) -> Option<&'static str> {
        (self == DepSection::PnpmOverrides).then_some("pnpm")
    }
}

/// Why a manifest could not be read or edited. The message names the reason but not the path:
/// the caller knows which file it read and adds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManifestError {
    /// Human-readable reason, e.g. `not valid JSON: Expected colon at line 3 column 9`.
    pub message: String,
}

impl ManifestError {
    fn new(message: impl Into<String>) -> ManifestError {
        ManifestError { message: message.into() }
    }
}

impl fmt::Display for ManifestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ManifestError {}

/// The nearest `package.json` at or above `start_dir`, looking no higher than `root` (see
/// [`crate::root::folders_up_to`]). Anything but a folder named package.json counts (a FIFO, a link, a device):
/// reading it says why it cannot be used, rather than a manifest further up being used instead.
pub fn find_nearest_manifest(start_dir: &Path, root: Option<&Path>) -> Option<PathBuf> {
    crate::root::folders_up_to(start_dir, root)
        .into_iter()
        .map(|dir| dir.join("package.json"))
        .find(|candidate| std::fs::symlink_metadata(candidate).is_ok_and(|m| !m.is_dir()))
}

/// Parsed, read-only view of a manifest, for transforms that decide what to change.
///
/// When a key appears twice, the last one counts, as with `JSON.parse`.
#[derive(Debug, Clone, Default)]
pub struct ManifestInfo {
    /// Per section (indexed like `DepSection::EVERY`: the dependency sections, then npm's `overrides`, Yarn's
    /// `resolutions` and `pnpm.overrides`): entries in file order; `None` for a spec that is not a string (which npm
    /// cannot install and we never report as a spec; npm's nested override form, an object, is one).
    sections: [Vec<(String, Option<String>)>; 7],
    engines_node: Option<String>,
    volta_node: Option<String>,
    module_type: Option<String>,
    name: Option<String>,
    entry: Option<String>,
    workspaces: Vec<String>,
    version: Option<String>,
    private: bool,
    bin: Vec<String>,
    files: Option<Vec<String>>,
    start: Option<String>,
}

impl ManifestInfo {
    /// Parses manifest text. Fails on text npm could not read (invalid JSON, a top-level value
    /// that is not an object); tolerates odd values (a section that is not an object is treated
    /// as empty) because reading should not block on what an edit would fix.
    ///
    /// # Errors
    /// The text is not strict JSON, is empty, or its top-level value is not an object.
    pub fn parse(text: &str) -> Result<ManifestInfo, ManifestError> {
        let (_, body) = split_bom(text);
        let root = parse_root(body)?;
        let mut info = ManifestInfo::default();
        for (slot, section) in info.sections.iter_mut().zip(DepSection::EVERY) {
            // (`pnpm.overrides` is in the `pnpm` object.)
            let parent = match section.parent() {
                None => Some(&root),
                Some(parent) => match last_prop(&root, parent).map(|p| &p.value) {
                    Some(Value::Object(object)) => Some(object),
                    _ => None,
                },
            };
            if let Some(Value::Object(object)) = parent.and_then(|o| last_prop(o, section.key())).map(|p| &p.value) {
                *slot = object
                    .properties
                    .iter()
                    .map(|prop| (prop_name(prop).to_string(), string_value(&prop.value)))
                    .collect();
            }
        }
        if let Some(Value::Object(engines)) = last_prop(&root, "engines").map(|p| &p.value) {
            info.engines_node = last_prop(engines, "node").and_then(|p| string_value(&p.value));
        }
        if let Some(Value::Object(volta)) = last_prop(&root, "volta").map(|p| &p.value) {
            info.volta_node = last_prop(volta, "node").and_then(|p| string_value(&p.value));
        }
        info.module_type = last_prop(&root, "type").and_then(|p| string_value(&p.value));
        info.name = last_prop(&root, "name").and_then(|p| string_value(&p.value));
        // The entry other packages of a workspace import: `exports` (a string, or `.` of an object, plain or with a
        // `require`/`import`/`default` condition), else `main`.
        let exports_entry = last_prop(&root, "exports").and_then(|p| match &p.value {
            Value::Object(o) => last_prop(o, ".").and_then(|dot| match &dot.value {
                Value::Object(conditions) => ["require", "import", "node", "default"]
                    .iter()
                    .find_map(|c| last_prop(conditions, c).and_then(|p| string_value(&p.value))),
                other => string_value(other),
            }),
            other => string_value(other),
        });
        info.entry = exports_entry.or_else(|| last_prop(&root, "main").and_then(|p| string_value(&p.value)));
        // `workspaces`: an array of patterns, or Yarn 1's `{ "packages": [...] }`.
        let workspaces = last_prop(&root, "workspaces").and_then(|p| match &p.value {
            Value::Object(o) => last_prop(o, "packages").map(|p| &p.value),
            other => Some(other),
        });
        if let Some(Value::Array(patterns)) = workspaces {
            info.workspaces = patterns.elements.iter().filter_map(string_value).collect();
        }
        info.version = last_prop(&root, "version").and_then(|p| string_value(&p.value));
        info.private =
            last_prop(&root, "private").is_some_and(|p| matches!(p.value, Value::BooleanLit(ref b) if b.value));
        // `bin`: a path, or an object of command -> path.
        info.bin = match last_prop(&root, "bin").map(|p| &p.value) {
            Some(Value::Object(o)) => o.properties.iter().filter_map(|p| string_value(&p.value)).collect(),
            Some(other) => string_value(other).into_iter().collect(),
            None => Vec::new(),
        };
        info.files = match last_prop(&root, "files").map(|p| &p.value) {
            Some(Value::Array(patterns)) => Some(patterns.elements.iter().filter_map(string_value).collect()),
            _ => None,
        };
        info.start = match last_prop(&root, "scripts").map(|p| &p.value) {
            Some(Value::Object(scripts)) => last_prop(scripts, "start").and_then(|p| string_value(&p.value)),
            _ => None,
        };
        Ok(info)
    }

    /// The section and spec of `package` in the first section that lists it (dependencies, then
    /// dev, peer, optional).
    pub fn dependency(&self, package: &str) -> Option<(DepSection, String)> {
        self.dependency_all(package).into_iter().next()
    }

    /// Every (section, spec) entry for `package`, in [`DepSection::ALL`] order. A package can be
    /// listed more than once (commonly in both `peerDependencies` and `devDependencies`).
    pub fn dependency_all(&self, package: &str) -> Vec<(DepSection, String)> {
        DepSection::ALL
            .iter()
            .zip(&self.sections)
            .filter_map(|(&section, entries)| {
                let (_, spec) = entries.iter().rev().find(|(name, _)| name == package)?;
                Some((section, spec.clone()?))
            })
            .collect()
    }

    /// The entries of `section` (a dependency section, or one of the overrides: npm's `overrides`, Yarn's
    /// `resolutions`, `pnpm.overrides`) in file order (a name listed twice keeps its last spec, as `JSON.parse` does),
    /// but for the specs that are not strings (npm's nested overrides among them).
    pub fn dependencies(&self, section: DepSection) -> impl Iterator<Item = (&str, &str)> {
        let entries = &self.sections[section as usize];
        entries.iter().enumerate().filter_map(move |(i, (name, spec))| {
            let last = !entries[i + 1..].iter().any(|(later, _)| later == name);
            Some((name.as_str(), spec.as_deref()?)).filter(|_| last)
        })
    }

    /// The `workspaces` patterns (an array, or the `packages` of an object), strings only.
    pub fn workspaces(&self) -> &[String] {
        &self.workspaces
    }

    /// The folders (relative to `dir`, the manifest's own, with `/` separators) of the workspaces it names that hold
    /// a package.json: literal folders and `dir/*` patterns (`**` and other globs are matched as `dir/*`: one level),
    /// less the `!folder` exclusions.
    pub fn workspace_folders(&self, dir: &Path) -> Vec<String> {
        workspace_folders(self.workspaces(), dir)
    }

    /// The names of every package the manifest lists, in any dependency section.
    pub fn dependency_names(&self) -> impl Iterator<Item = &str> {
        self.sections[..DepSection::ALL.len()].iter().flatten().map(|(name, _)| name.as_str())
    }

    /// `engines.node`, if present and a string.
    pub fn engines_node(&self) -> Option<String> {
        self.engines_node.clone()
    }

    /// `volta.node` (the Node version Volta pins for the project), if present and a string.
    pub fn volta_node(&self) -> Option<String> {
        self.volta_node.clone()
    }

    /// The package's `name`, if present and a string.
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// The package's own `version`, when it has one.
    pub fn version(&self) -> Option<&str> {
        self.version.as_deref()
    }

    /// The file other packages import (`exports['.']`, else `main`), relative to the package's folder.
    pub fn entry(&self) -> Option<&str> {
        self.entry.as_deref()
    }

    /// Whether the package is published to a registry: it has a `name` and a `version` and is not `private`.
    pub fn published(&self) -> bool {
        self.name.is_some() && self.version.is_some() && !self.private
    }

    /// The files its `bin` names (a path, or the paths of an object of commands), relative to its folder.
    pub fn bin(&self) -> &[String] {
        &self.bin
    }

    /// The `files` patterns (what is published), when the package lists them.
    pub fn files(&self) -> Option<&[String]> {
        self.files.as_deref()
    }

    /// The `start` script (what `npm start` runs), if present and a string.
    pub fn start_script(&self) -> Option<&str> {
        self.start.as_deref()
    }

    /// The `type` field (`"module"` / `"commonjs"`), if present and a string.
    pub fn module_type(&self) -> Option<String> {
        self.module_type.clone()
    }
}

/// The folders (relative to `dir`, with `/` separators) that workspace `patterns` (package.json's `workspaces`,
/// pnpm-workspace.yaml's `packages`) name and that hold a package.json: literal folders and `dir/*` patterns (`**`
/// and other globs are matched as `dir/*`: one level), less the `!folder` exclusions.
pub fn workspace_folders(patterns: &[String], dir: &Path) -> Vec<String> {
    let mut folders = Vec::new();
    let excluded: Vec<&str> = patterns.iter().filter_map(|p| p.strip_prefix('!')).collect();
    for pattern in patterns.iter().filter(|p| !p.starts_with('!')) {
        let pattern = pattern.trim_start_matches("./").trim_end_matches('/');
        match pattern.find(['*', '?', '[', '{']) {
            None if dir.join(pattern).join("package.json").is_file() => folders.push(pattern.to_string()),
            None => {}
            Some(at) => {
                let base = pattern[..at].trim_end_matches('/');
                let Ok(entries) = std::fs::read_dir(dir.join(base)) else { continue };
                for entry in entries.flatten() {
                    if entry.file_type().is_ok_and(|t| t.is_dir()) && entry.path().join("package.json").is_file() {
                        let name = entry.file_name().to_string_lossy().into_owned();
                        folders.push(if base.is_empty() { name } else { format!("{base}/{name}") });
                    }
                }
            }
        }
    }
    folders.retain(|f| !excluded.iter().any(|x| x.trim_start_matches("./").trim_end_matches('/') == f));
    folders.sort();
    folders.dedup();
    folders
}

/// The spec a parsed manifest gives `key` in `section` when it is a string (`None` for an object value), any section:
/// a dependency section's entry, an override's, and the `"."` of npm's nested form (`"cookie-parser": { ".": "1.4.6",
/// "cookie": "0.4.1" }`).
fn spec_in(top: &Object<'_>, section: DepSection, key: &str) -> Option<String> {
    let object = match section.parent() {
        Some(parent) => match &last_prop(top, parent)?.value {
            Value::Object(object) => object,
            _ => return None,
        },
        None => top,
    };
    match &last_prop(object, section.key())?.value {
        Value::Object(entries) => match &last_prop(entries, key)?.value {
            // (npm's nested form: its `"."` is the package's own spec.)
            Value::Object(inner) if section == DepSection::Overrides => string_value(&last_prop(inner, ".")?.value),
            value => string_value(value),
        },
        _ => None,
    }
}

/// Whether the project saves exact versions (`"express": "4.17.1"`), so that a package the tool adds or raises gets a
/// version of its own rather than a range: `save-exact` in its `.npmrc` (`npmrc`, the file's text) says so either way;
/// without it, the manifest's own entries do, when at least two of the registry versions in `dependencies` and
/// `devDependencies` are exact and ranges (`^4.17.21`, `~1.2.0`, `14.x`) are at most one in five of them. (Specs that
/// name no registry version, `file:`, git URLs, `npm:` aliases, tags, count for neither.)
pub fn saves_exact(info: &ManifestInfo, npmrc: Option<&str>) -> bool {
    if let Some(setting) = npmrc.and_then(npmrc_save_exact) {
        return setting;
    }
    let (mut exact, mut ranges) = (0usize, 0usize);
    for section in [DepSection::Dependencies, DepSection::DevDependencies] {
        for (_, spec) in info.dependencies(section) {
            let spec = spec.trim();
            if exact_version(spec).is_some() {
                exact += 1;
            } else if is_registry_range(spec) {
                ranges += 1;
            }
        }
    }
    exact >= 2 && ranges * 5 <= exact + ranges
}

/// The `save-exact` setting of an `.npmrc` (`save-exact=true`, spaces allowed around `=`; `#` and `;` start
/// comments; the last one counts, as npm reads it).
fn npmrc_save_exact(text: &str) -> Option<bool> {
    text.lines().rev().find_map(|line| {
        let line = line.trim();
        if line.starts_with('#') || line.starts_with(';') {
            return None;
        }
        let (key, value) = line.split_once('=')?;
        (key.trim() == "save-exact").then(|| value.trim().trim_matches('"') == "true")
    })
}

/// `spec` when it names one version (`4.17.1`, `=4.17.1`, `v4.17.1`, `1.0.0-rc.1`), without its `=` or `v`.
pub fn exact_version(spec: &str) -> Option<&str> {
    let version = spec.strip_prefix('=').or_else(|| spec.strip_prefix('v')).unwrap_or(spec);
    let core = version.split(['-', '+']).next().unwrap_or_default();
    let parts: Vec<&str> = core.split('.').collect();
    let numeric = parts.len() == 3 && parts.iter().all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()));
    numeric.then_some(version)
}

/// Whether `spec` is a range of registry versions (rather than one version, a tag, a URL, a path or an alias).
fn is_registry_range(spec: &str) -> bool {
    !spec.is_empty()
        && spec.chars().all(|c| c.is_ascii_alphanumeric() || " .^~<>=|*-+".contains(c))
        && spec.chars().any(|c| c.is_ascii_digit() || c == '*')
        && exact_version(spec).is_none()
}

/// The spec a package the tool adds gets in a manifest that saves exact versions ([`saves_exact`]): the version a
/// caret or tilde range starts at (`^8.3.0` -> `8.3.0`, the version the transform's code is written for); any other
/// spec as it is.
pub fn exact_spec(spec: &str) -> String {
    let version = spec.strip_prefix('^').or_else(|| spec.strip_prefix('~')).unwrap_or(spec);
    exact_version(version).map_or_else(|| spec.to_string(), str::to_string)
}

/// Returns `text` with `package` set to `spec` in `section`, and the string spec `section` gave `package` before
/// ([`spec_in`]), read from the same parse.
///
/// An existing entry keeps its place and only its value's string literal changes (nothing at all
/// when the spec is already equal); an npm override in the nested form gets its `"."` set, the entries under it
/// kept. A new entry goes at its sorted position when the section is
/// sorted, else at the end; a missing section is created next to the other dependency sections.
/// Only `section` is touched, even if `package` is also listed elsewhere.
///
/// The result is not checked to parse: a run that makes many changes parses the manifest once per change, and
/// checks the last text once with [`verify_manifest`] (which it must do before writing it).
///
/// # Errors
/// The text is not a JSON object (see [`ManifestInfo::parse`]) or `section` is not an object.
pub fn set_dependency_from(
    text: &str,
    section: DepSection,
    package: &str,
    spec: &str,
) -> Result<(String, Option<String>), ManifestError> {
    let top = parse_root(split_bom(text).1)?;
    let from = spec_in(&top, section, package);
    set_parsed(text, &top, section, package, spec).map(|edited| (edited, from))
}

/// [`set_dependency_from`]'s edit of `text`, whose body (without a byte order mark) parsed as `top`.
fn set_parsed(
    text: &str,
    top: &Object<'_>,
    section: DepSection,
    package: &str,
    spec: &str,
) -> Result<String, ManifestError> {
    let (bom, body) = split_bom(text);
    let style = FileStyle::detect(body, top);
    // A section inside another object (`pnpm.overrides`): that object is where it goes, and a missing one is made
    // with it.
    let nested = match section.parent() {
        None => None,
        Some(parent) => match last_prop(top, parent) {
            Some(prop) => match &prop.value {
                Value::Object(object) => Some(object),
                _ => return Err(ManifestError::new(format!("\"{parent}\" is not an object"))),
            },
            None => {
                let colon = FileStyle::colon(body, [top]);
                let entry = format!("{}{colon}{}", json_string(package), json_string(spec));
                let layout = Layout::of(body, top, &style);
                let text = match &layout {
                    Layout::Inline { pad, .. } => {
                        format!("\"{parent}\"{colon}{{{pad}\"{}\"{colon}{{{pad}{entry}{pad}}}{pad}}}", section.key())
                    }
                    Layout::CommaFirst { .. } => {
                        let outer = aligned_colon(body, top, &json_string(parent)).unwrap_or_else(|| colon.to_string());
                        format!("\"{parent}\"{outer}{{ \"{}\"{colon}{{ {entry} }} }}", section.key())
                    }
                    Layout::Multiline { indent } => {
                        let (nl, unit) = (style.newline, &style.indent_unit);
                        format!(
                            "\"{parent}\"{colon}{{{nl}{indent}{unit}\"{}\"{colon}{{{nl}{indent}{unit}{unit}{entry}{nl}{indent}{unit}}}{nl}{indent}}}",
                            section.key()
                        )
                    }
                };
                let edited = insert_property(body, top, top.properties.len(), &layout, &style, &text).apply(body)?;
                return Ok(format!("{bom}{edited}"));
            }
        },
    };
    let root = nested.unwrap_or(top);
    let root_layout = match Layout::of(body, root, &style) {
        // `"pnpm": {}` in a multi-line file opens up like its siblings.
        Layout::Inline { .. } if root.properties.is_empty() && Layout::of(body, top, &style).is_multiline() => {
            Layout::Multiline { indent: format!("{}{}", line_indent(body, root.range.start), style.indent_unit) }
        }
        layout => layout,
    };

    let splice = match last_prop(root, section.key()) {
        Some(section_prop) => {
            let Value::Object(deps) = &section_prop.value else {
                return Err(not_an_object(section));
            };
            if let Some(existing) = last_prop(deps, package) {
                // (npm's nested form, `"cookie-parser": { ".": "1.4.6", "cookie": "0.7.2" }`: its `"."` is the
                // package's own spec, and the entries under it stay.)
                let (existing, nested) = match &existing.value {
                    Value::Object(inner) if section == DepSection::Overrides => (last_prop(inner, "."), Some(inner)),
                    _ => (Some(existing), None),
                };
                match (existing, nested) {
                    (Some(existing), _) if string_value(&existing.value).as_deref() == Some(spec) => {
                        return Ok(text.to_string());
                    }
                    (Some(existing), _) => Splice::replace(existing.value_range(), json_string(spec)),
                    (None, Some(inner)) => {
                        let colon = FileStyle::colon(body, [inner, deps]);
                        let entry = format!("\".\"{colon}{}", json_string(spec));
                        insert_property(body, inner, 0, &Layout::of(body, inner, &style), &style, &entry)
                    }
                    (None, None) => return Err(not_an_object(section)),
                }
            } else {
                let name = json_string(package);
                let colon = aligned_colon(body, deps, &name)
                    .unwrap_or_else(|| FileStyle::colon(body, [deps, root]).to_string());
                let entry = format!("{name}{colon}{}", json_string(spec));
                let names: Vec<&str> = deps.properties.iter().map(prop_name).collect();
                let index = sorted_insert_index(&names, package).unwrap_or(names.len());
                let layout = match Layout::of(body, deps, &style) {
                    // `"dependencies": {}` in a multi-line file opens up like its siblings.
                    Layout::Inline { .. } if deps.properties.is_empty() && root_layout.is_multiline() => {
                        Layout::Multiline {
                            indent: format!("{}{}", line_indent(body, deps.range.start), style.indent_unit),
                        }
                    }
                    layout => layout,
                };
                insert_property(body, deps, index, &layout, &style, &entry)
            }
        }
        None => {
            let colon = FileStyle::colon(body, [root]);
            let key = json_string(section.key());
            let entry = format!("{}{colon}{}", json_string(package), json_string(spec));
            let section_text = match &root_layout {
                Layout::Inline { pad, .. } => format!("{key}{colon}{{{pad}{entry}{pad}}}"),
                // (On one line, comma first after its siblings: `, "dependencies" : { "helmet" : "^8.3.0" }`.)
                Layout::CommaFirst { .. } => {
                    let outer = aligned_colon(body, root, &key).unwrap_or_else(|| colon.to_string());
                    // (Alone in its object, the entry has no column to keep: one space each side, as padded.)
                    let inner = if colon.starts_with(' ') { " : " } else { colon };
                    format!("{key}{outer}{{ {}{inner}{} }}", json_string(package), json_string(spec))
                }
                Layout::Multiline { indent } => {
                    let (nl, unit) = (style.newline, &style.indent_unit);
                    format!("{key}{colon}{{{nl}{indent}{unit}{entry}{nl}{indent}}}")
                }
            };
            let index = if nested.is_some() { root.properties.len() } else { new_section_index(root, section) };
            insert_property(body, root, index, &root_layout, &style, &section_text)
        }
    };
    let edited = splice.apply(body)?;
    Ok(format!("{bom}{edited}"))
}

/// Returns `text` without `package` in `section`, taking the separating comma and the line it
/// stood on with it; the last entry leaves an empty `{}` section behind, as `npm uninstall` does.
/// Returns the text unchanged when the section or the entry is absent.
///
/// # Errors
/// The text is not a JSON object (see [`ManifestInfo::parse`]) or `section` is not an object.
pub fn remove_dependency(text: &str, section: DepSection, package: &str) -> Result<String, ManifestError> {
    let (bom, body) = split_bom(text);
    let mut current = body.to_string();
    let mut changed = false;
    // `JSON.parse` keeps the last of duplicate keys, so a removal that left an earlier duplicate
    // would bring the old entry back: remove them all, one splice per pass.
    loop {
        let top = parse_root(&current)?;
        let root = match section.parent().map(|parent| last_prop(&top, parent).map(|p| &p.value)) {
            None => &top,
            Some(Some(Value::Object(object))) => object,
            Some(_) => break,
        };
        let Some(section_prop) = last_prop(root, section.key()) else {
            break;
        };
        let Value::Object(deps) = &section_prop.value else {
            return Err(not_an_object(section));
        };
        let props = &deps.properties;
        let Some(index) = props.iter().rposition(|p| prop_name(p) == package) else {
            break;
        };
        let cut = if props.len() == 1 {
            Range::new(deps.range.start + 1, deps.range.end.saturating_sub(1))
        } else if let Some(next) = props.get(index + 1) {
            // Up to the next entry, which then starts where the removed one did.
            Range::new(props[index].range.start, next.range.start)
        } else {
            // The last entry: from the end of the one before it, so its comma goes too.
            Range::new(props[index - 1].range.end, props[index].range.end)
        };
        let edited = Splice::replace(cut, String::new()).apply(&current)?;
        current = edited;
        changed = true;
    }
    if !changed {
        return Ok(text.to_string());
    }
    verify(&current)?;
    Ok(format!("{bom}{current}"))
}

/// Where a missing section goes among the root keys: `dependencies` before the other dependency
/// sections (where npm writes it), any other section after the last dependency section.
fn new_section_index(root: &Object<'_>, section: DepSection) -> usize {
    let position = |s: DepSection| root.properties.iter().rposition(|p| prop_name(p) == s.key());
    let end = root.properties.len();
    if section == DepSection::Dependencies {
        return position(DepSection::DevDependencies)
            .or_else(|| {
                [DepSection::PeerDependencies, DepSection::OptionalDependencies].into_iter().filter_map(position).min()
            })
            .unwrap_or(end);
    }
    DepSection::ALL.into_iter().filter_map(position).max().map_or(end, |i| i + 1)
}

/// Where `name` goes if `names` are sorted (by npm's order or by plain byte order, whichever
/// they follow); `None` when they are not sorted, and a new name is then appended.
fn sorted_insert_index(names: &[&str], name: &str) -> Option<usize> {
    let orders: [fn(&str, &str) -> Ordering; 2] = [npm_order, |a: &str, b: &str| a.cmp(b)];
    orders.into_iter().find_map(|order| {
        let sorted = names.windows(2).all(|pair| order(pair[0], pair[1]) != Ordering::Greater);
        sorted.then(|| names.iter().position(|n| order(name, n) == Ordering::Less).unwrap_or(names.len()))
    })
}

/// Approximates `a.localeCompare(b, "en")`, the order npm writes dependencies in: punctuation
/// before digits before letters, letters compared ignoring case first, then lower case first.
fn npm_order(a: &str, b: &str) -> Ordering {
    // ICU's root collation order for ASCII punctuation and symbols, as a rank by byte (`NONE`: not one of them).
    const NONE: u8 = u8::MAX;
    const PUNCTUATION: [u8; 128] = {
        let order = b"_-,;:!?.'\"()[]{}@*/\\&#%`^+<=>|~$";
        let mut rank = [NONE; 128];
        let mut i = 0;
        while i < order.len() {
            rank[order[i] as usize] = i as u8;
            i += 1;
        }
        rank
    };
    fn primary(c: char) -> (u8, u32) {
        if let Some(&rank) = PUNCTUATION.get(c as usize).filter(|&&r| r != NONE) {
            (0, rank as u32)
        } else if c.is_ascii_digit() {
            (2, c as u32)
        } else if c.is_alphabetic() {
            (3, c.to_lowercase().next().unwrap_or(c) as u32)
        } else {
            (1, c as u32)
        }
    }
    a.chars()
        .map(primary)
        .cmp(b.chars().map(primary))
        .then_with(|| a.chars().map(char::is_uppercase).cmp(b.chars().map(char::is_uppercase)))
        .then_with(|| a.cmp(b))
}

/// npm reads the file with `JSON.parse`, so accept exactly JSON: jsonc-parser's defaults would let
/// comments and trailing commas through into a manifest npm then refuses.
fn strict_json() -> ParseOptions {
    ParseOptions {
        allow_comments: false,
        allow_loose_object_property_names: false,
        allow_trailing_commas: false,
        allow_missing_commas: false,
        allow_single_quoted_strings: false,
        allow_hexadecimal_numbers: false,
        allow_unary_plus_numbers: false,
        allow_bare_decimal_point_numbers: false,
        allow_non_finite_numbers: false,
        allow_extended_string_escapes: false,
    }
}

/// npm strips a UTF-8 byte order mark before parsing, and so do we; it is put back on output.
fn split_bom(text: &str) -> (&'static str, &str) {
    match text.strip_prefix('\u{feff}') {
        Some(rest) => ("\u{feff}", rest),
        None => ("", text),
    }
}

fn parse_root(body: &str) -> Result<Object<'_>, ManifestError> {
    let parsed = parse_to_ast(body, &CollectOptions::default(), &strict_json()).map_err(|err| {
        ManifestError::new(format!(
            "not valid JSON: {} at line {} column {}",
            err.kind(),
            err.line_display(),
            err.column_display()
        ))
    })?;
    match parsed.value {
        Some(Value::Object(root)) => Ok(root),
        Some(_) => Err(ManifestError::new("the top-level value is not an object")),
        None => Err(ManifestError::new("the file is empty; a package.json holds a JSON object")),
    }
}

fn not_an_object(section: DepSection) -> ManifestError {
    ManifestError::new(format!("\"{}\" is not an object", section.key()))
}

/// Checks that edited manifest text (with or without a byte order mark) still parses as JSON npm accepts.
///
/// # Errors
/// An internal error naming why it does not: the edit is then not to be written.
pub fn verify_manifest(text: &str) -> Result<(), ManifestError> {
    verify(split_bom(text).1)
}

fn verify(body: &str) -> Result<(), ManifestError> {
    parse_root(body).map(|_| ()).map_err(|err| {
        ManifestError::new(format!(
            "internal error: the edit would make the file invalid ({err}); it was left unchanged"
        ))
    })
}

fn prop_name<'b>(prop: &'b ObjectProp<'_>) -> &'b str {
    match &prop.name {
        ObjectPropName::String(lit) => &lit.value,
        ObjectPropName::Word(word) => word.value,
    }
}

/// The property `JSON.parse` would keep: the last one with that name.
fn last_prop<'o, 'a>(object: &'o Object<'a>, name: &str) -> Option<&'o ObjectProp<'a>> {
    object.properties.iter().rev().find(|p| prop_name(p) == name)
}

fn string_value(value: &Value<'_>) -> Option<String> {
    match value {
        Value::StringLit(lit) => Some(lit.value.to_string()),
        _ => None,
    }
}

trait PropRanges {
    fn name_range(&self) -> Range;
    fn value_range(&self) -> Range;
}

impl PropRanges for ObjectProp<'_> {
    fn name_range(&self) -> Range {
        match &self.name {
            ObjectPropName::String(lit) => lit.range,
            ObjectPropName::Word(word) => word.range,
        }
    }

    fn value_range(&self) -> Range {
        match &self.value {
            Value::StringLit(v) => v.range,
            Value::NumberLit(v) => v.range,
            Value::BooleanLit(v) => v.range,
            Value::Object(v) => v.range,
            Value::Array(v) => v.range,
            Value::NullKeyword(v) => v.range,
        }
    }
}

/// A JSON string literal with the escapes `JSON.stringify` would write.
fn json_string(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// One replacement of a byte range of the original text: the only bytes an edit changes.
struct Splice {
    range: Range,
    text: String,
}

impl Splice {
    fn replace(range: Range, text: String) -> Splice {
        Splice { range, text }
    }

    fn insert(at: usize, text: String) -> Splice {
        Splice { range: Range::new(at, at), text }
    }

    fn apply(&self, body: &str) -> Result<String, ManifestError> {
        let (Some(before), Some(after)) = (body.get(..self.range.start), body.get(self.range.end..)) else {
            return Err(ManifestError::new("internal error: an edit fell outside the file; it was left unchanged"));
        };
        Ok(format!("{before}{}{after}", self.text))
    }
}

/// What the whole file says about how new text should look.
struct FileStyle {
    newline: &'static str,
    indent_unit: String,
    /// The top-level object is written comma first.
    comma_first: bool,
}

impl FileStyle {
    fn detect(body: &str, root: &Object<'_>) -> FileStyle {
        let newline = match body.find(['\n', '\r']) {
            Some(i) if body[i..].starts_with("\r\n") => "\r\n",
            // Classic Mac line ends: a lone CR.
            Some(i) if body[i..].starts_with('\r') => "\r",
            _ => "\n",
        };
        let indent_unit = indent_unit(body, root).unwrap_or_else(|| "  ".to_string());
        let comma_first = comma_first_lead(body, root, false).is_some();
        FileStyle { newline, indent_unit, comma_first }
    }

    /// What stands between a key and its value, copied from the first of `objects` that has an
    /// entry, so `"a":"1"` files get `"b":"2"`.
    fn colon<'t, const N: usize>(body: &'t str, objects: [&Object<'_>; N]) -> &'t str {
        objects
            .iter()
            .find_map(|object| object.properties.first())
            .and_then(|prop| body.get(prop.name_range().end..prop.value_range().start))
            .filter(|sep| sep.contains(':') && sep.chars().all(|c| c == ':' || c == ' ' || c == '\t'))
            .unwrap_or(": ")
    }
}

/// The indentation step, taken from the first object whose entries are on their own lines: its
/// entries' indentation minus the indentation of the line it opens on.
fn indent_unit(body: &str, object: &Object<'_>) -> Option<String> {
    if let Some(first) = object.properties.first() {
        if gap_has_newline(body, object.range.start + 1, first.range.start) {
            let inner = line_indent(body, first.range.start);
            let outer = line_indent(body, object.range.start);
            if let Some(unit) = inner.strip_prefix(outer).filter(|u| !u.is_empty()) {
                return Some(unit.to_string());
            }
        }
    }
    object.properties.iter().find_map(|prop| match &prop.value {
        Value::Object(child) => indent_unit(body, child),
        _ => None,
    })
}

/// The spaces and tabs that start the line `pos` is on (up to `pos`).
fn line_indent(body: &str, pos: usize) -> &str {
    let Some(before) = body.get(..pos) else {
        return "";
    };
    let line_start = before.rfind(['\n', '\r']).map_or(0, |i| i + 1);
    let line = &before[line_start..];
    let end = line.find(|c| c != ' ' && c != '\t').unwrap_or(line.len());
    &line[..end]
}

fn gap_has_newline(body: &str, start: usize, end: usize) -> bool {
    body.get(start..end).is_some_and(|gap| gap.contains(['\n', '\r']))
}

/// How the entries of one object are laid out.
enum Layout {
    /// One entry per line, each starting with `indent`.
    Multiline { indent: String },
    /// All on one line: `pad` after `{` and before `}`, `gap` after each comma.
    Inline { pad: String, gap: String },
    /// One entry per line, comma first (`{ "a" : "1"` then `, "b" : "2"` on the next line): each entry after the
    /// first starts its line with `lead` (the indentation, the comma and the blanks after it).
    CommaFirst { lead: String },
}

impl Layout {
    fn of(body: &str, object: &Object<'_>, style: &FileStyle) -> Layout {
        let props = &object.properties;
        let open = object.range.start + 1;
        let close = object.range.end.saturating_sub(1);
        let mut gaps = Vec::with_capacity(props.len() + 1);
        let mut previous_end = open;
        for prop in props {
            gaps.push((previous_end, prop.range.start));
            previous_end = prop.range.end;
        }
        gaps.push((previous_end, close));

        let multiline = gaps.iter().any(|&(start, end)| gap_has_newline(body, start, end));
        if multiline {
            if let Some(lead) = comma_first_lead(body, object, style.comma_first) {
                return Layout::CommaFirst { lead };
            }
            // Indentation of the first entry that starts its own line; an empty object gets one
            // step more than the line it opens on.
            let indent = props
                .iter()
                .zip(&gaps)
                .find(|(_, (start, end))| gap_has_newline(body, *start, *end))
                .map(|(prop, _)| line_indent(body, prop.range.start).to_string())
                .unwrap_or_else(|| format!("{}{}", line_indent(body, object.range.start), style.indent_unit));
            return Layout::Multiline { indent };
        }
        let blank = |s: &str| s.chars().all(|c| c == ' ' || c == '\t');
        let pad = props
            .first()
            .and_then(|first| body.get(open..first.range.start))
            .filter(|s| blank(s))
            .unwrap_or("")
            .to_string();
        let gap = match props.get(1) {
            Some(second) => body
                .get(props[0].range.end..second.range.start)
                .map(|between| between.trim_start_matches([' ', '\t']).trim_start_matches(',').to_string())
                .filter(|s| blank(s))
                .unwrap_or_default(),
            None => pad.clone(),
        };
        Layout::Inline { pad, gap }
    }

    fn is_multiline(&self) -> bool {
        matches!(self, Layout::Multiline { .. } | Layout::CommaFirst { .. })
    }
}

/// The start of an entry's line in a comma-first object (`  , `): every entry after the first starts its own line
/// with a comma (npm's own style once, still in old manifests). An object of one entry is comma-first when it opens
/// on a line of its own, its entry beside the brace and its closing brace on another line, in a file whose top-level
/// object is comma-first: its comma goes under the brace.
fn comma_first_lead(body: &str, object: &Object<'_>, file_comma_first: bool) -> Option<String> {
    let props = &object.properties;
    let blank = |s: &str| s.chars().all(|c| c == ' ' || c == '\t');
    let lead_of = |prop: &ObjectProp<'_>| -> Option<String> {
        let before = body.get(..prop.range.start)?;
        let line_start = before.rfind(['\n', '\r']).map_or(0, |i| i + 1);
        let lead = &before[line_start..];
        let (indent, rest) = lead.split_once(',')?;
        (blank(indent) && blank(rest)).then(|| lead.to_string())
    };
    if props.len() >= 2 {
        let leads: Vec<Option<String>> = props[1..].iter().map(lead_of).collect();
        return match leads.first() {
            Some(Some(first)) if leads.iter().all(Option::is_some) => Some(first.clone()),
            _ => None,
        };
    }
    let first = props.first().filter(|_| file_comma_first)?;
    let open = object.range.start;
    let before = body.get(..open)?;
    let indent = &before[before.rfind(['\n', '\r']).map_or(0, |i| i + 1)..];
    let opens_its_line = blank(indent);
    let beside = body.get(open + 1..first.range.start).filter(|gap| blank(gap))?;
    let closes_below = gap_has_newline(body, first.range.end, object.range.end.saturating_sub(1));
    (opens_its_line && closes_below).then(|| format!("{indent},{beside}"))
}

/// The separator between a new entry's name and its value where `object` aligns its colons (`"express"     :` over
/// `"jade"        :`, the names padded to one width, a longer one followed by one space): the new name padded to that
/// width (one space at least); `None` where it does not, or has fewer than two entries to tell.
fn aligned_colon(body: &str, object: &Object<'_>, name: &str) -> Option<String> {
    let props = &object.properties;
    if props.len() < 2 {
        return None;
    }
    // (name width, blanks before the colon) of each entry, and what follows the first colon.
    let mut entries = Vec::with_capacity(props.len());
    let mut after = None;
    for prop in props {
        let sep = body.get(prop.name_range().end..prop.value_range().start)?;
        let (before, rest) = sep.split_once(':')?;
        // (An object value may open on the next line: `"dependencies"  :` then `{` below.)
        if !before.chars().all(|c| c == ' ') || !rest.chars().all(char::is_whitespace) {
            return None;
        }
        let name_width = body.get(prop.name_range().start..prop.name_range().end)?.chars().count();
        entries.push((name_width, before.len()));
        if !rest.contains(['\n', '\r']) {
            after.get_or_insert(rest);
        }
    }
    let width = entries.iter().find(|(_, blanks)| *blanks > 1).map(|(name, blanks)| name + blanks)?;
    let aligned =
        entries.iter().all(|&(name, blanks)| if blanks > 1 { name + blanks == width } else { name + blanks >= width });
    if !aligned {
        return None;
    }
    let pad = width.saturating_sub(name.chars().count()).max(1);
    Some(format!("{}:{}", " ".repeat(pad), after?))
}

/// Inserts `entry` before `object.properties[index]`, or after the last property when `index`
/// is past the end, in the given layout.
fn insert_property(
    body: &str,
    object: &Object<'_>,
    index: usize,
    layout: &Layout,
    style: &FileStyle,
    entry: &str,
) -> Splice {
    let props = &object.properties;
    let nl = style.newline;

    let Some(last) = props.last() else {
        // Whatever stood between the braces (nothing, or blanks) is replaced.
        let inner = Range::new(object.range.start + 1, object.range.end.saturating_sub(1));
        let text = match layout {
            Layout::Multiline { indent } => {
                format!("{nl}{indent}{entry}{nl}{}", line_indent(body, object.range.start))
            }
            Layout::Inline { pad, .. } => format!("{pad}{entry}{pad}"),
            Layout::CommaFirst { .. } => format!(" {entry} "),
        };
        return Splice::replace(inner, text);
    };

    match (props.get(index), layout) {
        (Some(next), Layout::Multiline { .. }) => {
            // The new entry takes `next`'s place, and `next` moves to a line of its own with the
            // indentation it had.
            let previous_end =
                index.checked_sub(1).and_then(|i| props.get(i)).map_or(object.range.start + 1, |p| p.range.end);
            let separator = if gap_has_newline(body, previous_end, next.range.start) {
                format!("{nl}{}", line_indent(body, next.range.start))
            } else {
                " ".to_string()
            };
            Splice::insert(next.range.start, format!("{entry},{separator}"))
        }
        (Some(next), Layout::Inline { gap, .. }) => Splice::insert(next.range.start, format!("{entry},{gap}")),
        // The new entry takes `next`'s place; `next` moves to a line of its own, comma first.
        (Some(next), Layout::CommaFirst { lead }) => Splice::insert(next.range.start, format!("{entry}{nl}{lead}")),
        (None, Layout::CommaFirst { lead }) => Splice::insert(last.range.end, format!("{nl}{lead}{entry}")),
        (None, Layout::Multiline { indent }) => Splice::insert(last.range.end, format!(",{nl}{indent}{entry}")),
        (None, Layout::Inline { gap, .. }) => Splice::insert(last.range.end, format!(",{gap}{entry}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use DepSection::*;

    /// [`set_dependency_from`]'s text, checked as a run checks it before writing.
    fn set_dependency(text: &str, section: DepSection, package: &str, spec: &str) -> Result<String, ManifestError> {
        let (edited, _) = set_dependency_from(text, section, package, spec)?;
        verify_manifest(&edited)?;
        Ok(edited)
    }

    /// [`spec_in`] of a manifest's text (`None`: not a manifest).
    fn override_spec(text: &str, section: DepSection, key: &str) -> Option<String> {
        spec_in(&parse_root(split_bom(text).1).ok()?, section, key)
    }

    /// Sets `package` and checks the result is valid JSON that lists it with `spec`.
    fn set(before: &str, section: DepSection, package: &str, spec: &str) -> String {
        let after = set_dependency(before, section, package, spec).expect("edit succeeds");
        let value: serde_json::Value = serde_json::from_str(after.trim_start_matches('\u{feff}')).expect("valid JSON");
        assert_eq!(value[section.key()][package], spec, "{after}");
        after
    }

    fn remove(before: &str, section: DepSection, package: &str) -> String {
        let after = remove_dependency(before, section, package).expect("edit succeeds");
        let value: serde_json::Value = serde_json::from_str(&after).expect("valid JSON");
        assert!(value[section.key()].get(package).is_none(), "{after}");
        after
    }

    /// Each section reads its own entries: the override sections too, `pnpm.overrides` inside `pnpm` (before, they
    /// read `dependencies`).
    #[test]
    fn every_section_reads_its_own_entries() {
        let text = r#"{ "dependencies": { "express": "4.22.1" }, "overrides": { "qs": "6.14.1", "a": { ".": "1" } },
            "resolutions": { "cookie": "0.7.2" }, "pnpm": { "overrides": { "ms": "2.1.3", "ms": "2.1.4" } } }"#;
        let info = ManifestInfo::parse(text).expect("a manifest");
        let read = |section| info.dependencies(section).map(|(k, v)| format!("{k} {v}")).collect::<Vec<_>>();
        assert_eq!(read(Dependencies), ["express 4.22.1"]);
        assert_eq!(read(Overrides), ["qs 6.14.1"], "npm's nested form is no string");
        assert_eq!(read(Resolutions), ["cookie 0.7.2"]);
        assert_eq!(read(PnpmOverrides), ["ms 2.1.4"], "the last of a key, as JSON.parse");
        assert_eq!(info.dependency_names().collect::<Vec<_>>(), ["express"], "overrides list no dependency");
        assert_eq!(info.dependency("qs"), None);
    }

    /// npm's nested override (`"cookie-parser": { ".": "1.4.6", "cookie": "0.4.1" }`): its `"."` is the package's
    /// own spec, set in place (or added first) with the entries under it kept; `override_spec` reads it.
    #[test]
    fn an_npm_nested_override_gets_its_dot_set() {
        let before = "{\n  \"overrides\": {\n    \"cookie-parser\": {\n      \".\": \"1.4.6\",\n      \"cookie\": \
                      \"0.4.1\"\n    }\n  }\n}\n";
        let got = set_dependency(before, Overrides, "cookie-parser", "1.4.7").expect("edit");
        assert_eq!(got, before.replace("1.4.6", "1.4.7"));
        assert_eq!(set_dependency(&got, Overrides, "cookie-parser", "1.4.7").expect("again"), got, "idempotent");
        assert_eq!(override_spec(before, Overrides, "cookie-parser").as_deref(), Some("1.4.6"));
        let without = "{\n  \"overrides\": {\n    \"cookie-parser\": {\n      \"cookie\": \"0.4.1\"\n    }\n  }\n}\n";
        let got = set_dependency(without, Overrides, "cookie-parser", "1.4.7").expect("edit");
        assert_eq!(
            got,
            "{\n  \"overrides\": {\n    \"cookie-parser\": {\n      \".\": \"1.4.7\",\n      \"cookie\": \"0.4.1\"\n    }\n  \
             }\n}\n"
        );
        // (Yarn's `resolutions` have no nested form.)
        assert_eq!(
            override_spec(before.replace("overrides", "resolutions").as_str(), Resolutions, "cookie-parser"),
            None
        );
    }

    #[test]
    fn pnpm_overrides_go_inside_the_pnpm_object() {
        let check = |before: &str, after: &str| {
            let got = set_dependency(before, PnpmOverrides, "cookie", "~0.7.0").expect("edit succeeds");
            assert_eq!(got, after);
            let value: serde_json::Value = serde_json::from_str(&got).expect("valid JSON");
            assert_eq!(value["pnpm"]["overrides"]["cookie"], "~0.7.0");
            assert_eq!(set_dependency(&got, PnpmOverrides, "cookie", "~0.7.0").expect("again"), got, "idempotent");
            let removed = remove_dependency(&got, PnpmOverrides, "cookie").expect("remove");
            let value: serde_json::Value = serde_json::from_str(&removed).expect("valid JSON");
            assert!(value["pnpm"]["overrides"].get("cookie").is_none(), "{removed}");
        };
        // No `pnpm` object: made, in the file's indentation.
        check(
            "{\n  \"name\": \"app\",\n  \"dependencies\": {\n    \"express\": \"^4.18.2\"\n  }\n}\n",
            "{\n  \"name\": \"app\",\n  \"dependencies\": {\n    \"express\": \"^4.18.2\"\n  },\n  \"pnpm\": {\n    \
             \"overrides\": {\n      \"cookie\": \"~0.7.0\"\n    }\n  }\n}\n",
        );
        // A `pnpm` object without overrides, and one with.
        check(
            "{\n  \"name\": \"app\",\n  \"pnpm\": {\n    \"onlyBuiltDependencies\": []\n  }\n}\n",
            "{\n  \"name\": \"app\",\n  \"pnpm\": {\n    \"onlyBuiltDependencies\": [],\n    \"overrides\": {\n      \
             \"cookie\": \"~0.7.0\"\n    }\n  }\n}\n",
        );
        check(
            "{\n  \"pnpm\": {\n    \"overrides\": {\n      \"qs\": \"^6.11.0\"\n    }\n  }\n}\n",
            "{\n  \"pnpm\": {\n    \"overrides\": {\n      \"cookie\": \"~0.7.0\",\n      \"qs\": \"^6.11.0\"\n    }\n  }\n}\n",
        );
        // A top-level `overrides` (npm's) is not pnpm's.
        let npm = "{\n  \"overrides\": {\n    \"cookie\": \"0.4.0\"\n  }\n}\n";
        let got = set_dependency(npm, PnpmOverrides, "cookie", "~0.7.0").expect("edit");
        let value: serde_json::Value = serde_json::from_str(&got).expect("valid JSON");
        assert_eq!(value["overrides"]["cookie"], "0.4.0");
        assert!(set_dependency("{ \"pnpm\": 1 }", PnpmOverrides, "a", "1").is_err());
    }

    #[test]
    fn appends_to_a_sorted_two_space_section() {
        let before = "{\n  \"name\": \"app\",\n  \"dependencies\": {\n    \"express\": \"^4.18.2\"\n  }\n}\n";
        assert_eq!(
            set(before, Dependencies, "helmet", "^8.3.0"),
            "{\n  \"name\": \"app\",\n  \"dependencies\": {\n    \"express\": \"^4.18.2\",\n    \"helmet\": \"^8.3.0\"\n  }\n}\n"
        );
    }

    #[test]
    fn inserts_in_the_middle_with_four_spaces() {
        let before = "{\n    \"dependencies\": {\n        \"cookie-parser\": \"^1.4.6\",\n        \"morgan\": \"^1.10.0\"\n    }\n}\n";
        assert_eq!(
            set(before, Dependencies, "helmet", "^8.3.0"),
            "{\n    \"dependencies\": {\n        \"cookie-parser\": \"^1.4.6\",\n        \"helmet\": \"^8.3.0\",\n        \"morgan\": \"^1.10.0\"\n    }\n}\n"
        );
    }

    #[test]
    fn inserts_at_the_start_with_tabs() {
        let before = "{\n\t\"name\": \"app\",\n\t\"dependencies\": {\n\t\t\"express\": \"^5.3.0\"\n\t}\n}\n";
        assert_eq!(
            set(before, Dependencies, "cookie-parser", "^1.4.7"),
            "{\n\t\"name\": \"app\",\n\t\"dependencies\": {\n\t\t\"cookie-parser\": \"^1.4.7\",\n\t\t\"express\": \"^5.3.0\"\n\t}\n}\n"
        );
    }

    #[test]
    fn sorted_positions_start_middle_end() {
        let before = "{\n  \"dependencies\": {\n    \"b\": \"1\",\n    \"d\": \"1\"\n  }\n}";
        assert_eq!(
            set(before, Dependencies, "a", "2"),
            "{\n  \"dependencies\": {\n    \"a\": \"2\",\n    \"b\": \"1\",\n    \"d\": \"1\"\n  }\n}"
        );
        assert_eq!(
            set(before, Dependencies, "c", "2"),
            "{\n  \"dependencies\": {\n    \"b\": \"1\",\n    \"c\": \"2\",\n    \"d\": \"1\"\n  }\n}"
        );
        assert_eq!(
            set(before, Dependencies, "e", "2"),
            "{\n  \"dependencies\": {\n    \"b\": \"1\",\n    \"d\": \"1\",\n    \"e\": \"2\"\n  }\n}"
        );
    }

    #[test]
    fn unsorted_section_gets_the_entry_appended() {
        let before = "{\n  \"dependencies\": {\n    \"morgan\": \"1\",\n    \"body-parser\": \"1\"\n  }\n}\n";
        assert_eq!(
            set(before, Dependencies, "helmet", "^8.3.0"),
            "{\n  \"dependencies\": {\n    \"morgan\": \"1\",\n    \"body-parser\": \"1\",\n    \"helmet\": \"^8.3.0\"\n  }\n}\n"
        );
    }

    #[test]
    fn follows_npm_order_with_scopes_and_capitals() {
        // npm sorts with localeCompare: case is ignored first, so "JSONStream" sits between "body-parser" and
        // "lodash", and "@scope/x" comes before "7zip-bin" (byte order says otherwise for both).
        let before = "{\n  \"dependencies\": {\n    \"@types/node\": \"1\",\n    \"7zip-bin\": \"1\",\n    \"body-parser\": \"1\",\n    \"JSONStream\": \"1\",\n    \"lodash\": \"1\"\n  }\n}\n";
        assert_eq!(
            set(before, Dependencies, "express", "2"),
            "{\n  \"dependencies\": {\n    \"@types/node\": \"1\",\n    \"7zip-bin\": \"1\",\n    \"body-parser\": \"1\",\n    \"express\": \"2\",\n    \"JSONStream\": \"1\",\n    \"lodash\": \"1\"\n  }\n}\n"
        );
    }

    #[test]
    fn follows_byte_order_when_the_file_does() {
        let before = "{\n  \"dependencies\": {\n    \"Zed\": \"1\",\n    \"apple\": \"1\"\n  }\n}\n";
        assert_eq!(
            set(before, Dependencies, "Beta", "2"),
            "{\n  \"dependencies\": {\n    \"Beta\": \"2\",\n    \"Zed\": \"1\",\n    \"apple\": \"1\"\n  }\n}\n"
        );
        assert_eq!(
            set(before, Dependencies, "mango", "2"),
            "{\n  \"dependencies\": {\n    \"Zed\": \"1\",\n    \"apple\": \"1\",\n    \"mango\": \"2\"\n  }\n}\n"
        );
    }

    #[test]
    fn keeps_lone_cr_line_endings() {
        let before = "{\r  \"dependencies\": {\r    \"express\": \"^4.18.2\"\r  }\r}\r";
        let after = set(before, Dependencies, "helmet", "^8.3.0");
        assert_eq!(
            after,
            "{\r  \"dependencies\": {\r    \"express\": \"^4.18.2\",\r    \"helmet\": \"^8.3.0\"\r  }\r}\r"
        );
        let created = set(before, DevDependencies, "supertest", "^7.0.0");
        assert!(!created.contains('\n'), "{created:?}");
    }

    #[test]
    fn keeps_crlf_line_endings() {
        let before =
            "{\r\n  \"name\": \"app\",\r\n  \"dependencies\": {\r\n    \"express\": \"^4.18.2\"\r\n  }\r\n}\r\n";
        let after = set(before, Dependencies, "helmet", "^8.3.0");
        assert_eq!(
            after,
            "{\r\n  \"name\": \"app\",\r\n  \"dependencies\": {\r\n    \"express\": \"^4.18.2\",\r\n    \"helmet\": \"^8.3.0\"\r\n  }\r\n}\r\n"
        );
        assert_eq!(after.matches('\n').count(), after.matches("\r\n").count(), "no bare LF");

        let created = set(before, DevDependencies, "supertest", "^7.0.0");
        assert_eq!(
            created,
            "{\r\n  \"name\": \"app\",\r\n  \"dependencies\": {\r\n    \"express\": \"^4.18.2\"\r\n  },\r\n  \"devDependencies\": {\r\n    \"supertest\": \"^7.0.0\"\r\n  }\r\n}\r\n"
        );
        assert_eq!(created.matches('\n').count(), created.matches("\r\n").count(), "no bare LF");

        let emptied = set("{\r\n  \"dependencies\": {}\r\n}\r\n", Dependencies, "helmet", "1");
        assert_eq!(emptied, "{\r\n  \"dependencies\": {\r\n    \"helmet\": \"1\"\r\n  }\r\n}\r\n");
    }

    #[test]
    fn trailing_newline_or_its_absence_is_kept() {
        let without = "{\n  \"dependencies\": {\n    \"a\": \"1\"\n  }\n}";
        assert_eq!(
            set(without, Dependencies, "b", "1"),
            "{\n  \"dependencies\": {\n    \"a\": \"1\",\n    \"b\": \"1\"\n  }\n}"
        );
        let with = format!("{without}\n");
        assert_eq!(
            set(&with, Dependencies, "b", "1"),
            "{\n  \"dependencies\": {\n    \"a\": \"1\",\n    \"b\": \"1\"\n  }\n}\n"
        );
        let with_blank_lines = format!("{without}\n\n\n");
        assert!(set(&with_blank_lines, Dependencies, "b", "1").ends_with("}\n\n\n"));
    }

    #[test]
    fn empty_section_opens_up_in_the_file_style() {
        assert_eq!(
            set("{\n  \"name\": \"app\",\n  \"dependencies\": {}\n}\n", Dependencies, "helmet", "^8.3.0"),
            "{\n  \"name\": \"app\",\n  \"dependencies\": {\n    \"helmet\": \"^8.3.0\"\n  }\n}\n"
        );
        assert_eq!(
            set("{\n    \"dependencies\": {},\n    \"license\": \"MIT\"\n}", Dependencies, "helmet", "^8.3.0"),
            "{\n    \"dependencies\": {\n        \"helmet\": \"^8.3.0\"\n    },\n    \"license\": \"MIT\"\n}"
        );
        assert_eq!(
            set("{\n\t\"dependencies\": { }\n}\n", Dependencies, "helmet", "^8.3.0"),
            "{\n\t\"dependencies\": {\n\t\t\"helmet\": \"^8.3.0\"\n\t}\n}\n"
        );
        assert_eq!(
            set("{\n  \"dependencies\": {\n  }\n}\n", Dependencies, "helmet", "^8.3.0"),
            "{\n  \"dependencies\": {\n    \"helmet\": \"^8.3.0\"\n  }\n}\n"
        );
    }

    #[test]
    fn missing_dependencies_goes_before_dev_dependencies() {
        let before = "{\n  \"name\": \"app\",\n  \"devDependencies\": {\n    \"jest\": \"^29.0.0\"\n  },\n  \"license\": \"MIT\"\n}\n";
        assert_eq!(
            set(before, Dependencies, "helmet", "^8.3.0"),
            "{\n  \"name\": \"app\",\n  \"dependencies\": {\n    \"helmet\": \"^8.3.0\"\n  },\n  \"devDependencies\": {\n    \"jest\": \"^29.0.0\"\n  },\n  \"license\": \"MIT\"\n}\n"
        );
    }

    #[test]
    fn missing_dependencies_goes_before_peer_or_optional_else_at_the_end() {
        let with_peer = "{\n  \"name\": \"lib\",\n  \"peerDependencies\": {\n    \"express\": \"*\"\n  }\n}\n";
        assert_eq!(
            set(with_peer, Dependencies, "helmet", "^8.3.0"),
            "{\n  \"name\": \"lib\",\n  \"dependencies\": {\n    \"helmet\": \"^8.3.0\"\n  },\n  \"peerDependencies\": {\n    \"express\": \"*\"\n  }\n}\n"
        );
        let bare = "{\n  \"name\": \"app\",\n  \"version\": \"1.0.0\"\n}\n";
        assert_eq!(
            set(bare, Dependencies, "helmet", "^8.3.0"),
            "{\n  \"name\": \"app\",\n  \"version\": \"1.0.0\",\n  \"dependencies\": {\n    \"helmet\": \"^8.3.0\"\n  }\n}\n"
        );
    }

    #[test]
    fn other_missing_sections_go_after_the_last_dependency_section() {
        let before = "{\n  \"dependencies\": {\n    \"express\": \"1\"\n  },\n  \"license\": \"MIT\"\n}\n";
        assert_eq!(
            set(before, DevDependencies, "jest", "2"),
            "{\n  \"dependencies\": {\n    \"express\": \"1\"\n  },\n  \"devDependencies\": {\n    \"jest\": \"2\"\n  },\n  \"license\": \"MIT\"\n}\n"
        );
        assert_eq!(
            set("{\n  \"name\": \"x\"\n}", OptionalDependencies, "fsevents", "2"),
            "{\n  \"name\": \"x\",\n  \"optionalDependencies\": {\n    \"fsevents\": \"2\"\n  }\n}"
        );
    }

    #[test]
    fn empty_root_object() {
        assert_eq!(set("{}", Dependencies, "helmet", "1"), "{\"dependencies\": {\"helmet\": \"1\"}}");
        assert_eq!(
            set("{\n}\n", Dependencies, "helmet", "1"),
            "{\n  \"dependencies\": {\n    \"helmet\": \"1\"\n  }\n}\n"
        );
    }

    #[test]
    fn single_line_manifests_stay_on_one_line() {
        assert_eq!(
            set("{\"name\":\"x\"}", Dependencies, "helmet", "^8.3.0"),
            "{\"name\":\"x\",\"dependencies\":{\"helmet\":\"^8.3.0\"}}"
        );
        assert_eq!(
            set("{ \"name\": \"x\", \"version\": \"1.0.0\" }\n", Dependencies, "helmet", "^8.3.0"),
            "{ \"name\": \"x\", \"version\": \"1.0.0\", \"dependencies\": { \"helmet\": \"^8.3.0\" } }\n"
        );
        assert_eq!(
            set("{\"name\":\"x\",\"dependencies\":{\"express\":\"1\",\"morgan\":\"1\"}}", Dependencies, "helmet", "2"),
            "{\"name\":\"x\",\"dependencies\":{\"express\":\"1\",\"helmet\":\"2\",\"morgan\":\"1\"}}"
        );
        assert_eq!(
            set("{\"name\":\"x\",\"dependencies\":{}}", Dependencies, "helmet", "2"),
            "{\"name\":\"x\",\"dependencies\":{\"helmet\":\"2\"}}"
        );
        assert_eq!(
            set("{\"dependencies\":{\"a\":\"1\"},\"devDependencies\":{\"b\":\"1\"}}", PeerDependencies, "c", "2"),
            "{\"dependencies\":{\"a\":\"1\"},\"devDependencies\":{\"b\":\"1\"},\"peerDependencies\":{\"c\":\"2\"}}"
        );
    }

    #[test]
    fn copies_the_spacing_around_colons() {
        let before = "{\n  \"name\":\"x\",\n  \"dependencies\":{\n    \"a\":\"1\"\n  }\n}\n";
        assert_eq!(
            set(before, Dependencies, "b", "2"),
            "{\n  \"name\":\"x\",\n  \"dependencies\":{\n    \"a\":\"1\",\n    \"b\":\"2\"\n  }\n}\n"
        );
        assert_eq!(
            set(before, DevDependencies, "c", "3"),
            "{\n  \"name\":\"x\",\n  \"dependencies\":{\n    \"a\":\"1\"\n  },\n  \"devDependencies\":{\n    \"c\":\"3\"\n  }\n}\n"
        );
    }

    #[test]
    fn comma_first_manifests_get_one_entry_per_line_comma_first() {
        let before = "{ \"name\"          : \"x\"\n, \"dependencies\"  :\n  { \"express\"     : \"2.3.x\"\n  , \"jade\"        : \"0.x\"\n  }\n}\n";
        // First (beside the brace, the old first entry behind a comma on its own line), middle, last.
        assert_eq!(
            set(before, Dependencies, "body-parser", "^1"),
            "{ \"name\"          : \"x\"\n, \"dependencies\"  :\n  { \"body-parser\" : \"^1\"\n  , \"express\"     : \"2.3.x\"\n  , \"jade\"        : \"0.x\"\n  }\n}\n"
        );
        assert_eq!(
            set(before, Dependencies, "helmet", "^8"),
            "{ \"name\"          : \"x\"\n, \"dependencies\"  :\n  { \"express\"     : \"2.3.x\"\n  , \"helmet\"      : \"^8\"\n  , \"jade\"        : \"0.x\"\n  }\n}\n"
        );
        assert_eq!(
            set(before, Dependencies, "express-session-longer", "^1"),
            "{ \"name\"          : \"x\"\n, \"dependencies\"  :\n  { \"express\"     : \"2.3.x\"\n  , \"express-session-longer\" : \"^1\"\n  , \"jade\"        : \"0.x\"\n  }\n}\n"
        );
        assert_eq!(
            set(before, Dependencies, "morgan", "^1"),
            "{ \"name\"          : \"x\"\n, \"dependencies\"  :\n  { \"express\"     : \"2.3.x\"\n  , \"jade\"        : \"0.x\"\n  , \"morgan\"      : \"^1\"\n  }\n}\n"
        );
        // A new section goes last, comma first, on one line.
        assert_eq!(
            set(before, DevDependencies, "mocha", "^10"),
            "{ \"name\"          : \"x\"\n, \"dependencies\"  :\n  { \"express\"     : \"2.3.x\"\n  , \"jade\"        : \"0.x\"\n  }\n, \"devDependencies\" : { \"mocha\" : \"^10\" }\n}\n"
        );
        // A section of one entry in a comma-first file: its comma goes under the brace.
        let one = "{ \"name\" : \"x\"\n, \"dependencies\" :\n  { \"express\" : \"2.3.x\"\n  }\n}\n";
        assert_eq!(
            set(one, Dependencies, "jade", "0.x"),
            "{ \"name\" : \"x\"\n, \"dependencies\" :\n  { \"express\" : \"2.3.x\"\n  , \"jade\" : \"0.x\"\n  }\n}\n"
        );
    }

    /// `after` is `before` with one run of text inserted and nothing else changed.
    fn assert_pure_insertion(before: &str, after: &str) {
        let prefix = before.bytes().zip(after.bytes()).take_while(|(a, b)| a == b).count();
        let suffix = before.bytes().rev().zip(after.bytes().rev()).take_while(|(a, b)| a == b).count();
        assert!(prefix + suffix >= before.len(), "more than an insertion:\n{before}\n---\n{after}");
    }

    #[test]
    fn inserting_only_ever_adds_bytes() {
        let fixtures = [
            "{\n  \"name\": \"app\",\n  \"dependencies\": {\n    \"b\": \"1\",\n    \"d\": \"1\"\n  },\n  \"devDependencies\": {\n    \"jest\": \"1\"\n  }\n}\n",
            "{\r\n\t\"description\": \"caf\\u00e9 \\/\",\r\n\t\"peerDependencies\": {\r\n\t\t\"x\": \"*\"\r\n\t}\r\n}",
            "{\"name\":\"x\",\"optionalDependencies\":{\"z\":\"1\"}}",
            "{ \"name\" : \"x\" }",
            "{\n    \"scripts\": {\n        \"test\": \"jest\"\n    }\n}",
        ];
        for before in fixtures {
            for section in DepSection::ALL {
                for package in ["a", "c", "zz", "@scope/pkg"] {
                    assert_pure_insertion(before, &set(before, section, package, "^1.0.0"));
                }
            }
        }
    }

    #[test]
    fn replacing_a_spec_changes_only_its_literal() {
        let before = "{\n  \"dependencies\": {\n    \"express\":   \"~4.17.1\" ,\n    \"helmet\": \"^3.0.0\"\n  },\n  \"x\": \"caf\\u00e9\"\n}";
        let after = set(before, Dependencies, "express", "^4.22.3");
        let old = "\"~4.17.1\"";
        let at = before.find(old).unwrap();
        assert_eq!(&after[..at], &before[..at]);
        assert_eq!(&after[at..at + 9], "\"^4.22.3\"");
        assert_eq!(&after[at + 9..], &before[at + old.len()..]);
    }

    #[test]
    fn setting_the_same_spec_changes_nothing() {
        // The literal may be written with escapes; equal decoded values mean no edit at all.
        let before = "{\"dependencies\": {\"helmet\": \"\\u005e8.3.0\"}}";
        assert_eq!(set_dependency(before, Dependencies, "helmet", "^8.3.0").unwrap(), before);
    }

    #[test]
    fn replaces_the_entry_npm_reads_when_duplicated() {
        let before = "{\"dependencies\": {\"a\": \"1\", \"a\": \"2\"}}";
        assert_eq!(set(before, Dependencies, "a", "3"), "{\"dependencies\": {\"a\": \"1\", \"a\": \"3\"}}");
    }

    #[test]
    fn escapes_elsewhere_are_preserved() {
        let before = "{\n  \"description\": \"caf\\u00e9 \\/ x\",\n  \"dependencies\": {\n    \"a\": \"1\"\n  }\n}\n";
        assert_eq!(
            set(before, Dependencies, "b", "2"),
            "{\n  \"description\": \"caf\\u00e9 \\/ x\",\n  \"dependencies\": {\n    \"a\": \"1\",\n    \"b\": \"2\"\n  }\n}\n"
        );
    }

    #[test]
    fn new_names_and_specs_are_escaped() {
        let after = set("{}", Dependencies, "we\"ird\\", "tab\there\u{1}");
        assert_eq!(after, "{\"dependencies\": {\"we\\\"ird\\\\\": \"tab\\there\\u0001\"}}");
        assert_eq!(json_string("é/ü"), serde_json::to_string("é/ü").unwrap());
    }

    #[test]
    fn keeps_blank_lines_inside_the_section() {
        let before = "{\n  \"dependencies\": {\n\n    \"a\": \"1\"\n\n  }\n}\n";
        assert_eq!(
            set(before, Dependencies, "b", "2"),
            "{\n  \"dependencies\": {\n\n    \"a\": \"1\",\n    \"b\": \"2\"\n\n  }\n}\n"
        );
    }

    #[test]
    fn keeps_a_byte_order_mark() {
        let after = set("\u{feff}{\"name\":\"x\"}", Dependencies, "a", "1");
        assert_eq!(after, "\u{feff}{\"name\":\"x\",\"dependencies\":{\"a\":\"1\"}}");
        assert_eq!(
            ManifestInfo::parse("\u{feff}{\"type\":\"module\"}").unwrap().module_type().as_deref(),
            Some("module")
        );
    }

    #[test]
    fn removes_a_middle_entry() {
        let before = "{\n  \"dependencies\": {\n    \"a\": \"1\",\n    \"b\": \"2\",\n    \"c\": \"3\"\n  }\n}\n";
        assert_eq!(
            remove(before, Dependencies, "b"),
            "{\n  \"dependencies\": {\n    \"a\": \"1\",\n    \"c\": \"3\"\n  }\n}\n"
        );
        assert_eq!(
            remove(before, Dependencies, "a"),
            "{\n  \"dependencies\": {\n    \"b\": \"2\",\n    \"c\": \"3\"\n  }\n}\n"
        );
    }

    #[test]
    fn removes_the_last_entry() {
        let before = "{\r\n  \"dependencies\": {\r\n    \"a\": \"1\",\r\n    \"b\": \"2\"\r\n  }\r\n}";
        assert_eq!(remove(before, Dependencies, "b"), "{\r\n  \"dependencies\": {\r\n    \"a\": \"1\"\r\n  }\r\n}");
    }

    #[test]
    fn removing_the_only_entry_leaves_an_empty_section() {
        let before = "{\n  \"dependencies\": {\n    \"a\": \"1\"\n  },\n  \"license\": \"MIT\"\n}\n";
        assert_eq!(remove(before, Dependencies, "a"), "{\n  \"dependencies\": {},\n  \"license\": \"MIT\"\n}\n");
    }

    #[test]
    fn removes_on_a_single_line_and_all_duplicates() {
        assert_eq!(
            remove("{\"dependencies\":{\"a\":\"1\",\"b\":\"2\"}}", Dependencies, "a"),
            "{\"dependencies\":{\"b\":\"2\"}}"
        );
        assert_eq!(
            remove("{ \"dependencies\": { \"a\": \"1\", \"b\": \"2\" } }", Dependencies, "b"),
            "{ \"dependencies\": { \"a\": \"1\" } }"
        );
        assert_eq!(
            remove("{\"dependencies\":{\"a\":\"1\",\"b\":\"2\",\"a\":\"3\"}}", Dependencies, "a"),
            "{\"dependencies\":{\"b\":\"2\"}}"
        );
    }

    #[test]
    fn removing_what_is_absent_changes_nothing() {
        let before = "{\n  \"dependencies\": {\n    \"a\": \"1\"\n  }\n}";
        assert_eq!(remove_dependency(before, Dependencies, "b").unwrap(), before);
        assert_eq!(remove_dependency(before, DevDependencies, "a").unwrap(), before);
        // Only the named section is touched.
        let both = "{\"dependencies\":{\"a\":\"1\"},\"devDependencies\":{\"a\":\"1\"}}";
        assert_eq!(remove(both, DevDependencies, "a"), "{\"dependencies\":{\"a\":\"1\"},\"devDependencies\":{}}");
    }

    #[test]
    fn manifest_info_answers_queries() {
        let info = ManifestInfo::parse(
            r#"{
  "type": "module",
  "engines": { "node": ">=18" },
  "dependencies": { "\u0065xpress": "^4.18.2", "bad": 5 },
  "devDependencies": { "express": "^5.3.0", "jest": "^29.0.0" },
  "peerDependencies": { "express": "*" }
}"#,
        )
        .unwrap();
        assert_eq!(info.dependency("express"), Some((Dependencies, "^4.18.2".to_string())));
        assert_eq!(info.dependency("jest"), Some((DevDependencies, "^29.0.0".to_string())));
        assert_eq!(info.dependency("helmet"), None);
        assert_eq!(info.dependency("bad"), None, "a spec that is not a string is no spec");
        assert_eq!(
            info.dependency_all("express"),
            vec![
                (Dependencies, "^4.18.2".to_string()),
                (DevDependencies, "^5.3.0".to_string()),
                (PeerDependencies, "*".to_string())
            ]
        );
        assert_eq!(info.engines_node().as_deref(), Some(">=18"));
        assert_eq!(info.module_type().as_deref(), Some("module"));

        let bare = ManifestInfo::parse("{\"dependencies\": \"oops\"}").unwrap();
        assert_eq!(bare.dependency("x"), None);
        assert_eq!(bare.engines_node(), None);
        assert_eq!(bare.module_type(), None);
    }

    #[test]
    fn manifest_info_uses_the_last_duplicate_like_json_parse() {
        let info = ManifestInfo::parse(
            "{\"type\":\"commonjs\",\"type\":\"module\",\"dependencies\":{\"a\":\"1\",\"a\":\"2\"}}",
        )
        .unwrap();
        assert_eq!(info.module_type().as_deref(), Some("module"));
        assert_eq!(info.dependency("a"), Some((Dependencies, "2".to_string())));
    }

    #[test]
    fn invalid_json_is_an_error_with_a_position() {
        let err = set_dependency("{\n  \"name\": \"x\"\n  \"version\": \"1\"\n}", Dependencies, "a", "1").unwrap_err();
        assert!(err.message.starts_with("not valid JSON: "), "{err}");
        // The parser reports where the missing comma belongs: after `"x"`.
        assert_eq!(err.message, "not valid JSON: Expected comma at line 2 column 14");

        let trailing = ManifestInfo::parse("{\"name\": \"x\",}").unwrap_err();
        assert!(trailing.message.contains("line 1 column"), "{trailing}");

        let commented = remove_dependency("{\n  // hi\n  \"dependencies\": {}\n}", Dependencies, "a").unwrap_err();
        assert_eq!(commented.message, "not valid JSON: Comments are not allowed at line 2 column 3");

        assert_eq!(ManifestInfo::parse("[1]").unwrap_err().message, "the top-level value is not an object");
        assert!(ManifestInfo::parse("").unwrap_err().message.contains("empty"));
        assert!(ManifestInfo::parse("{\"a\": \"\\q\"}").is_err());
        assert!(ManifestInfo::parse("{\"a\": 1} x").is_err());
    }

    #[test]
    fn a_section_that_is_not_an_object_is_an_error_to_edit() {
        let err = set_dependency("{\"dependencies\": []}", Dependencies, "a", "1").unwrap_err();
        assert_eq!(err.to_string(), "\"dependencies\" is not an object");
        let err = remove_dependency("{\"devDependencies\": null}", DevDependencies, "a").unwrap_err();
        assert_eq!(err.message, "\"devDependencies\" is not an object");
    }

    #[test]
    fn a_spec_that_is_not_a_string_is_replaced_whole() {
        assert_eq!(
            set("{\"dependencies\":{\"a\":{\"x\":1},\"b\":\"1\"}}", Dependencies, "a", "^2.0.0"),
            "{\"dependencies\":{\"a\":\"^2.0.0\",\"b\":\"1\"}}"
        );
    }

    #[test]
    fn truncated_manifests_are_errors_not_panics() {
        let full = "\u{feff}{\r\n  \"name\": \"caf\\u00e9\",\r\n  \"dependencies\": {\r\n    \"é\": \"1\",\r\n    \"b\": \"2\"\r\n  }\r\n}\r\n";
        let closing_brace = full.rfind('}').unwrap();
        for (end, _) in full.char_indices().take_while(|&(i, _)| i <= closing_brace) {
            let text = &full[..end];
            assert!(ManifestInfo::parse(text).is_err(), "{text:?}");
            assert!(set_dependency(text, Dependencies, "a", "1").is_err(), "{text:?}");
            assert!(remove_dependency(text, Dependencies, "b").is_err(), "{text:?}");
        }
        assert!(set_dependency(full, Dependencies, "a", "1").is_ok());
    }

    #[test]
    fn odd_input_never_panics() {
        for text in [
            "",
            "{",
            "}",
            "{\"",
            "\u{feff}",
            "{\"dependencies\":{\"a\":",
            "{/* c */}",
            "{\"a\":1}\u{0}",
            "\"\\u12\"",
            "{\"é\":{}}",
        ] {
            let _ = ManifestInfo::parse(text);
            let _ = set_dependency(text, Dependencies, "a", "1");
            let _ = remove_dependency(text, Dependencies, "a");
        }
    }

    #[test]
    fn section_keys_and_serialization() {
        let keys: Vec<&str> = DepSection::ALL.iter().map(|s| s.key()).collect();
        assert_eq!(keys, ["dependencies", "devDependencies", "peerDependencies", "optionalDependencies"]);
        for section in DepSection::ALL {
            assert_eq!(serde_json::to_string(&section).unwrap(), format!("\"{}\"", section.key()));
        }
    }

    #[test]
    fn finds_the_nearest_manifest_upwards() {
        let base = std::env::temp_dir().join(format!(
            "express-harden-manifest-{}-{:?}",
            std::process::id(),
            std::thread::current().id()
        ));
        let nested = base.join("app/src/routes");
        std::fs::create_dir_all(&nested).unwrap();
        std::fs::write(base.join("package.json"), "{}").unwrap();
        std::fs::write(base.join("app/package.json"), "{}").unwrap();
        // A directory named package.json is not a manifest.
        std::fs::create_dir_all(base.join("app/src/package.json")).unwrap();

        assert_eq!(find_nearest_manifest(&nested, None), Some(base.join("app/package.json")));
        assert_eq!(find_nearest_manifest(&base.join("app"), None), Some(base.join("app/package.json")));
        std::fs::remove_file(base.join("app/package.json")).unwrap();
        assert_eq!(find_nearest_manifest(&nested, None), Some(base.join("package.json")));
        // Never above the project root.
        let root = base.join("app").canonicalize().unwrap();
        assert_eq!(find_nearest_manifest(&nested, Some(&root)), None);
        std::fs::remove_dir_all(&base).unwrap();
    }
}
