//! `--format sarif`: a SARIF 2.1.0 log for code scanning. One rule per transform (its proposed changes) and one per
//! kind of finding (from each transform's data file, whose severity is the rule's default level); results with
//! locations; each change's edits as a SARIF `fix`.
//! Nothing here knows a transform by name: rules, results and fixes all come from the run and the registry.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use crate::discover::display_path;
use crate::outcome::{FileChange, RunResult};
use crate::report::Mode;
use crate::transform::{Severity, Transform};

use crate::outcome::ENGINE_RULES;

/// The SARIF schema URI written into the log.
pub const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// The SARIF log of a run over `transforms` (their rules are listed whether or not they have results, so that a code
/// scanning service sees a stable rule set).
pub fn log(
    result: &RunResult,
    transforms: &[Box<dyn Transform>],
    mode: Mode,
    written: &dyn Fn(&FileChange) -> bool,
) -> String {
    let mut rules = Rules::default();
    for transform in transforms {
        let info = transform.info();
        let mut rule = json!({
            "id": info.id,
            "shortDescription": { "text": info.title },
            "fullDescription": { "text": info.rationale },
            "helpUri": info.upstream,
            "help": { "text": format!("{} See {}", info.rationale, info.docs_url()) },
            "defaultConfiguration": { "level": "warning" },
            "properties": { "tags": ["security", "express", "fix-available"] },
        });
        // SARIF wants no `name` that merely repeats the id.
        if info.id.contains('-') {
            rule["name"] = json!(pascal_case(info.id));
        }
        rules.add(info.id, rule);
        for (kind, description) in &info.findings {
            let id = format!("{}/{kind}", info.id);
            let rule = json!({
                "id": id,
                "name": pascal_case(&id),
                "shortDescription": { "text": description },
                "helpUri": info.upstream,
                "help": { "text": format!("{description} Reported by the {} transform; see {}", info.id, info.docs_url()) },
                // The severity the catalogue gives the kind (each result still has the level of its own finding).
                "defaultConfiguration": { "level": info.severity_of(kind).map_or("warning", level) },
                "properties": { "tags": ["security", "express"] },
            });
            rules.add(&id, rule);
        }
    }
    for (id, description, severity) in ENGINE_RULES {
        rules.add(
            id,
            json!({
                "id": id,
                "name": pascal_case(id),
                "shortDescription": { "text": description },
                "defaultConfiguration": { "level": level(severity) },
            }),
        );
    }

    // A rule per advisory the run found, linking to its page.
    for a in &result.advisories {
        if rules.index(&a.id).is_none() {
            // (One advisory may concern several packages, lodash and lodash-es: the rule names each.)
            let mut packages: Vec<&str> =
                result.advisories.iter().filter(|b| b.id == a.id).map(|b| b.package.as_str()).collect();
            packages.sort_unstable();
            packages.dedup();
            let packages = packages.join(", ");
            rules.add(
                &a.id,
                json!({
                    "id": a.id,
                    "shortDescription": { "text": format!("{} ({packages})", a.summary) },
                    "fullDescription": { "text": format!("{}: {}. Aliases: {}.", a.id, a.summary, if a.aliases.is_empty() { "none".to_string() } else { a.aliases.join(", ") }) },
                    "helpUri": a.url,
                    "help": { "text": format!("{} affects {packages} before its fixed versions; see {}", a.id, a.url) },
                    "defaultConfiguration": { "level": a.sarif_level() },
                    "properties": { "tags": ["security", "dependency", "vulnerability"], "security-severity": a.security_severity() },
                }),
            );
        }
    }

    let mut results: Vec<Value> = Vec::new();
    for change in &result.changes {
        let code = crate::source::without_bom(change.original());
        let lines = crate::lines::LineIndex::new(code);
        let uri = uri(&change.path);
        // Results in the order of their first edit, which is the order the tool applies the edits in.
        let in_order = change.edits_in_order();
        for id in &change.transforms_in_edit_order() {
            let edits: Vec<&crate::edit::Edit> = change.edits.iter().filter(|e| e.transform == *id).collect();
            // A transform whose every edit was merged into another's (they touched the same text) has no fix of
            // its own: the result points at the merged edit and says whose fix holds it.
            let shared = change.edits.iter().find(|e| e.merged.contains(id));
            let Some(rule_index) = rules.index(id) else { continue };
            let title =
                transforms.iter().find(|t| t.info().id == *id).map_or(String::new(), |t| t.info().title.clone());
            let deps: Vec<String> = result
                .dependencies
                .iter()
                .filter(|d| d.manifest == change.path && d.transform == *id)
                .map(|d| match &d.from {
                    Some(from) => format!("{} {from} -> {} ({})", d.package, d.to, d.section.label()),
                    None => format!("{} {} added to {}", d.package, d.to, d.section.label()),
                })
                .collect();
            let what = if deps.is_empty() { title.clone() } else { format!("{title}: {}", deps.join("; ")) };
            let written = written(change);
            let status = match (written, edits.is_empty(), shared) {
                (true, _, _) => "fixed by express-harden --write".to_string(),
                (false, true, Some(edit)) => format!("fix proposed as part of the {} fix", edit.transform),
                (false, _, _) => "fix proposed".to_string(),
            };
            let at = edits.first().or(shared.as_ref()).map_or(0, |e| e.range.start);
            let (line, column) = lines.line_col(code, at);
            // After a write the file is fixed: the result says so (`pass`), without a fix whose regions would point
            // into the text as it was before.
            let (kind, level) = if written { ("pass", "none") } else { ("fail", "warning") };
            let mut entry = json!({
                "ruleId": id,
                "ruleIndex": rule_index,
                "level": level,
                "kind": kind,
                "message": { "text": format!("{what} ({status}).") },
                "locations": [location(&uri, json!({ "startLine": line, "startColumn": column }))],
            });
            if !edits.is_empty() && !written {
                let replacements: Vec<Value> = edits
                    .iter()
                    .map(|e| {
                        let (start_line, start_column) = lines.line_col(code, e.range.start);
                        let (end_line, end_column) = lines.line_col(code, e.range.end);
                        json!({
                            "deletedRegion": {
                                "startLine": start_line,
                                "startColumn": start_column,
                                "endLine": end_line,
                                "endColumn": end_column,
                            },
                            "insertedContent": { "text": e.text },
                            // Where the replacement comes in the file's whole change: insertions of two results at
                            // one point apply in this order (SARIF itself orders only the replacements of one fix).
                            "properties": { "order": in_order.iter().position(|o| o == *e).unwrap_or(0) },
                        })
                    })
                    .collect();
                entry["fixes"] = json!([{
                    "description": { "text": title },
                    "artifactChanges": [{ "artifactLocation": artifact(&uri), "replacements": replacements }],
                }]);
            }
            results.push(entry);
        }
    }
    for a in &result.advisories {
        let Some(rule_index) = rules.index(&a.id) else { continue };
        results.push(json!({
            "ruleId": a.id,
            "ruleIndex": rule_index,
            "level": a.sarif_level(),
            "message": { "text": a.message },
            "locations": [location(&uri(&a.manifest), json!({ "startLine": a.line, "startColumn": 1 }))],
            "properties": {
                "package": a.package,
                "installed": a.installed,
                "patched": a.patched,
                "reachability": a.reachability,
                "fix": a.fix.kind,
            },
        }));
    }
    for finding in &result.findings {
        // An advisory's finding is its advisory's result (above).
        if result.advisories.iter().any(|a| a.reported_by(&finding.rule, &finding.path, finding.line, &finding.message))
        {
            continue;
        }
        // A kind missing from its transform's catalog (the fixture tests keep this from happening) still gets a rule.
        let rule_index = match rules.index(&finding.rule) {
            Some(index) => index,
            None => rules.add(
                &finding.rule,
                json!({
                    "id": finding.rule,
                    "shortDescription": { "text": format!("A finding of the {} transform.", finding.transform) },
                    "defaultConfiguration": { "level": "warning" },
                }),
            ),
        };
        results.push(json!({
            "ruleId": finding.rule,
            "ruleIndex": rule_index,
            "level": level(finding.severity),
            "message": { "text": finding.message },
            "locations": [location(
                &uri(&finding.path),
                json!({ "startLine": finding.line, "startColumn": finding.column }),
            )],
        }));
    }
    let notifications: Vec<Value> = result
        .errors
        .iter()
        .map(|e| {
            json!({
                "level": "error",
                "message": { "text": format!("{} {}", display_path(&e.path), e.message) },
                "locations": [{ "physicalLocation": { "artifactLocation": artifact(&uri(&e.path)) } }],
            })
        })
        .collect();
    let mut invocation = json!({ "executionSuccessful": result.errors.is_empty() });
    if !notifications.is_empty() {
        invocation["toolExecutionNotifications"] = Value::Array(notifications);
    }
    let doc = json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": env!("CARGO_PKG_NAME"),
                "version": env!("CARGO_PKG_VERSION"),
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "rules": rules.list,
            } },
            "invocations": [invocation],
            "columnKind": "unicodeCodePoints",
            "properties": { "mode": mode },
            "results": results,
        }],
    });
    serde_json::to_string_pretty(&doc).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}")) + "\n"
}

/// The rules of the log, and where each id is in the list (`ruleIndex`).
#[derive(Default)]
struct Rules {
    list: Vec<Value>,
    index: BTreeMap<String, usize>,
}

impl Rules {
    /// Adds a rule; its index.
    fn add(&mut self, id: &str, rule: Value) -> usize {
        self.index.insert(id.to_string(), self.list.len());
        self.list.push(rule);
        self.list.len() - 1
    }

    fn index(&self, id: &str) -> Option<usize> {
        self.index.get(id).copied()
    }
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// A path as a relative URI reference (forward slashes, percent-encoded where a URI needs it), against the folder
/// the tool ran in.
fn uri(path: &std::path::Path) -> String {
    let mut shown = display_path(path).replace('\\', "/");
    // Outside the folder the tool ran in: an absolute path (made a `file:` URI by `artifact`).
    if shown == ".." || shown.starts_with("../") {
        if let Ok(absolute) = path.canonicalize().or_else(|_| std::path::absolute(path)) {
            shown = absolute.to_string_lossy().replace('\\', "/");
        }
    }
    let shown = shown.strip_prefix("./").unwrap_or(&shown).to_string();
    let mut out = String::with_capacity(shown.len());
    for byte in shown.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' | b'@' | b'+' => {
                out.push(byte as char)
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// An artifact: relative to `%SRCROOT%` (the folder the tool ran in), or a `file:` URI for a path outside it.
fn artifact(uri: &str) -> Value {
    if uri.starts_with('/') {
        json!({ "uri": format!("file://{uri}") })
    } else {
        json!({ "uri": uri, "uriBaseId": "%SRCROOT%" })
    }
}

fn location(uri: &str, region: Value) -> Value {
    json!({ "physicalLocation": { "artifactLocation": artifact(uri), "region": region } })
}

/// `session-store/opaque-options` -> `SessionStoreOpaqueOptions` (SARIF's rule `name`).
fn pascal_case(id: &str) -> String {
    id.split(['-', '/'])
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut chars = w.chars();
            chars.next().map_or(String::new(), |c| c.to_ascii_uppercase().to_string() + chars.as_str())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_become_relative_uri_references() {
        assert_eq!(uri(std::path::Path::new("./src/app.js")), "src/app.js");
        assert_eq!(uri(std::path::Path::new("my app/ä.js")), "my%20app/%C3%A4.js");
        assert_eq!(pascal_case("session-store/opaque-options"), "SessionStoreOpaqueOptions");
        assert!(uri(std::path::Path::new("../elsewhere/app.js")).starts_with('/'));
    }
}
