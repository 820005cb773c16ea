//! Fixture cases: every folder under `tests/fixtures/<transform>/<case>/` is a small project. The transform runs
//! over it alone, and the snapshot `snapshots/<transform>__<case>.snap` holds the diff, findings and errors a user
//! would see. Over every case the test also checks the engine's promises: the output re-parses, bytes outside the
//! edits are identical, and a second run changes nothing.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use express_harden::cli::select_transforms;
use express_harden::discover::display_path;
use express_harden::edit::untouched_outside_edits;
use express_harden::parse::parse;
use express_harden::pipeline::{run_with, RunResult};
use express_harden::report::unified_diff;
use express_harden::source::SourceFile;
use express_harden::transform::Options;
use express_harden::transforms::{all_ids, registry};

fn cases(transform: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(transform);
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    cases
}

fn relative(path: &Path, root: &Path) -> String {
    display_path(path.strip_prefix(root).unwrap_or(path))
}

/// What a user sees, with paths relative to the case folder.
fn render(result: &RunResult, root: &Path) -> String {
    let mut out = String::new();
    let prefix = display_path(root);
    for change in &result.changes {
        let diff = unified_diff(change).replace(&format!("a/{prefix}/"), "a/").replace(&format!("b/{prefix}/"), "b/");
        out.push_str(&diff.replace('\r', "␍"));
        if !diff.ends_with('\n') {
            out.push('\n');
        }
    }
    for dep in &result.dependencies {
        out.push_str(&format!(
            "dependency: {} {} {} {:?} -> {}\n",
            relative(&dep.manifest, root),
            dep.section.key(),
            dep.package,
            dep.from,
            dep.to
        ));
    }
    for f in &result.findings {
        out.push_str(&format!(
            "finding: {}:{}:{} {} [{}] {}\n",
            relative(&f.path, root),
            f.line,
            f.column,
            f.severity.label(),
            f.rule,
            f.message.replace(&format!("{prefix}/"), "")
        ));
    }
    for e in &result.errors {
        out.push_str(&format!("error: {} {}\n", relative(&e.path, root), e.message));
    }
    if out.is_empty() {
        out.push_str("(no change, no finding)\n");
    }
    out
}

/// The promises of the engine, checked on one case.
fn check_properties(transform: &str, case: &Path, result: &RunResult, options: &Options) -> Result<(), String> {
    for change in result.changes.iter().filter(|c| !c.is_manifest) {
        let file = SourceFile::new(change.path.clone(), change.original.clone());
        let updated = SourceFile::new(change.path.clone(), change.updated.clone());
        if file.bom != updated.bom {
            return Err(format!("{}: BOM not kept", change.path.display()));
        }
        parse(&updated, &updated.code).map_err(|e| format!("{}: output does not parse: {e}", change.path.display()))?;
        if !untouched_outside_edits(&file.code, &updated.code, &change.edits) {
            return Err(format!("{}: bytes outside the edits changed", change.path.display()));
        }
    }
    // A second run over the written result changes nothing.
    let tmp = tempfile::tempdir().map_err(|e| e.to_string())?;
    let copy = tmp.path().join("case");
    common::copy_dir(case, &copy);
    for change in &result.changes {
        let rel = change.path.strip_prefix(case).map_err(|e| e.to_string())?;
        std::fs::write(copy.join(rel), &change.updated).map_err(|e| e.to_string())?;
    }
    let transforms = configured(Some(transform), transform);
    let second = run_with(std::slice::from_ref(&copy), &transforms, options);
    if !second.changes.is_empty() {
        return Err(format!("second run changed {}", render(&second, &copy)));
    }
    if second.errors.len() != result.errors.len() {
        return Err(format!("second run errors differ: {:?}", second.errors));
    }
    Ok(())
}

/// The command-line options a fixture suite runs with: express5's cases need `--express 5`. (Temporary, until the
/// discovered harness reads suite options from files.)
fn suite_args(transform: &str) -> Vec<String> {
    match transform {
        "express5" => vec!["--express".to_string(), "5".to_string()],
        _ => Vec::new(),
    }
}

/// The transform alone (or every transform), configured with the suite's options.
fn configured(transform: Option<&str>, suite: &str) -> Vec<Box<dyn express_harden::transform::Transform>> {
    let only: Vec<String> = transform.map(|t| vec!["--only".to_string(), t.to_string()]).unwrap_or_default();
    express_harden::cli::resolve_args(only.into_iter().chain(suite_args(suite))).expect("suite options").transforms
}

fn suite_options(_transform: &str) -> Options {
    Options::default()
}

fn run_fixtures(transform: &str) {
    run_fixtures_with(transform, &suite_options(transform));
}

fn run_fixtures_with(transform: &str, options: &Options) {
    let mut failures = Vec::new();
    let all = cases(transform);
    assert!(!all.is_empty(), "no fixture cases for {transform}");
    for case in all {
        let name = case.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string();
        let transforms = configured(Some(transform), transform);
        // Relative paths, as a user would type them, so diffs and findings read naturally.
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let rel_case = case.strip_prefix(root).unwrap_or(&case).to_path_buf();
        let result = run_with(std::slice::from_ref(&rel_case), &transforms, options);
        let rendered = render(&result, &rel_case);
        if let Err(problem) = check_properties(transform, &rel_case, &result, options) {
            failures.push(format!("{name}: {problem}"));
        }
        let snapshot = std::panic::catch_unwind(|| {
            insta::with_settings!({
                snapshot_path => root.join("snapshots"),
                prepend_module_to_snapshot => false,
                omit_expression => true,
                description => format!("tests/fixtures/{transform}/{name}"),
            }, {
                insta::assert_snapshot!(format!("{transform}__{name}"), rendered);
            });
        });
        if snapshot.is_err() {
            failures.push(format!("{name}: snapshot differs"));
        }
    }
    assert!(failures.is_empty(), "fixture failures:\n{}", failures.join("\n"));
}

#[test]
fn helmet_fixtures() {
    run_fixtures("helmet");
}

#[test]
fn helmet_has_at_least_25_cases() {
    assert!(cases("helmet").len() >= 25);
}

#[test]
fn session_store_fixtures() {
    run_fixtures("session-store");
}

#[test]
fn session_store_has_at_least_30_cases() {
    assert!(cases("session-store").len() >= 30);
}

#[test]
fn session_cookie_fixtures() {
    run_fixtures("session-cookie");
}

#[test]
fn cookie_session_fixtures() {
    run_fixtures("cookie-session");
}

#[test]
fn res_cookie_fixtures() {
    run_fixtures("res-cookie");
}

#[test]
fn secrets_fixtures() {
    run_fixtures("secrets");
}

#[test]
fn cookie_transforms_have_at_least_35_cases() {
    let total: usize =
        ["session-cookie", "cookie-session", "res-cookie", "secrets"].iter().map(|t| cases(t).len()).sum();
    assert!(total >= 35, "{total}");
}

#[test]
fn express_version_fixtures() {
    run_fixtures("express-version");
}

#[test]
fn express4_fixtures() {
    run_fixtures("express4");
}

#[test]
fn express4_has_at_least_20_cases() {
    assert!(cases("express4").len() >= 20);
}

/// Every transform together over every fixture: the combined output re-parses (the engine verifies it) and a second
/// run changes nothing, which is what a developer fixing a project in one go relies on.
#[test]
fn all_transforms_together_are_idempotent() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path().join("fixtures");
    common::copy_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures"), &root);
    let transforms = select_transforms(&[], &[]).expect("all transforms");
    let first = run_with(std::slice::from_ref(&root), &transforms, &Options::default());
    assert!(first.changes.len() > 100, "{}", first.changes.len());
    for change in &first.changes {
        std::fs::write(&change.path, &change.updated).expect("write");
    }
    let second = run_with(std::slice::from_ref(&root), &transforms, &Options::default());
    let again: Vec<String> = second.changes.iter().map(|c| c.path.display().to_string()).collect();
    assert!(again.is_empty(), "a second run changed {again:?}");
    assert_eq!(second.errors.len(), first.errors.len(), "{:?}", second.errors);
}

/// express5 runs with `--express 5`.
#[test]
fn express5_fixtures() {
    run_fixtures("express5");
}

#[test]
fn express5_has_at_least_40_cases() {
    assert!(cases("express5").len() >= 40);
}

/// Every finding rule the fixture cases produce, with the cases that produce it. Each case runs as its suite runs it
/// (its transform alone, with the suite's options) and with every transform together, with the default options and
/// with the suite's: some rules are reported by whichever transform comes first (`trust-proxy`) or only when another
/// transform is not selected (`express-version/major-change`).
fn emitted_rules() -> &'static BTreeMap<String, BTreeSet<String>> {
    static RULES: OnceLock<BTreeMap<String, BTreeSet<String>>> = OnceLock::new();
    RULES.get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let all = select_transforms(&[], &[]).expect("all transforms");
        let mut rules: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for suite in all_ids() {
            let alone = configured(Some(suite), suite);
            let all_suite = configured(None, suite);
            let runs = [(&alone, Options::default()), (&all, Options::default()), (&all_suite, Options::default())];
            for case in cases(suite) {
                let rel_case = case.strip_prefix(root).unwrap_or(&case).to_path_buf();
                let name = format!("{suite}/{}", case.file_name().and_then(|n| n.to_str()).unwrap_or_default());
                for (transforms, options) in &runs {
                    let result = run_with(std::slice::from_ref(&rel_case), transforms, options);
                    for f in &result.findings {
                        rules.entry(f.rule.clone()).or_default().insert(name.clone());
                    }
                }
            }
        }
        rules
    })
}

/// Each `transform/rule` a fixture produces is described in that transform's data.json `findings` (the SARIF rules
/// come from there); the engine's own rules (`engine/...`) belong to no transform.
#[test]
fn every_emitted_finding_is_in_its_transform_catalog() {
    let transforms = registry();
    let mut missing = Vec::new();
    for (rule, cases) in emitted_rules() {
        let from = cases.iter().take(3).cloned().collect::<Vec<_>>().join(", ");
        let Some((id, name)) = rule.split_once('/') else {
            missing.push(format!("{rule}: no `transform/` prefix (from {from})"));
            continue;
        };
        if id == "engine" {
            continue;
        }
        match transforms.iter().find(|t| t.info().id == id) {
            Some(t) if t.info().findings.contains_key(name) => {}
            Some(_) => missing.push(format!("{rule}: not in transforms/{id}/data.json findings (from {from})")),
            None => missing.push(format!("{rule}: no transform `{id}` (from {from})")),
        }
    }
    assert!(missing.is_empty(), "findings missing from the catalogs:\n{}", missing.join("\n"));
}

/// Each rule of a catalog is produced by at least one fixture case, so that no catalog entry describes a finding that
/// cannot happen (or was renamed).
#[test]
fn every_catalog_finding_is_emitted_by_a_fixture() {
    let emitted = emitted_rules();
    let mut unused = Vec::new();
    for t in registry() {
        let info = t.info();
        for name in info.findings.keys() {
            let rule = format!("{}/{name}", info.id);
            if !emitted.contains_key(&rule) {
                unused.push(rule);
            }
        }
    }
    assert!(unused.is_empty(), "catalog rules no fixture case produces:\n{}", unused.join("\n"));
}

/// Catalog descriptions are SARIF short descriptions: one line of at most 160 characters, ending with a period.
#[test]
fn catalog_descriptions_are_one_short_sentence() {
    let mut bad = Vec::new();
    for t in registry() {
        let info = t.info();
        for (name, text) in &info.findings {
            let chars = text.chars().count();
            if text.trim().is_empty() || chars > 160 || text.contains('\n') || !text.ends_with('.') {
                bad.push(format!("{}/{name} ({chars} chars): {text:?}", info.id));
            }
        }
    }
    assert!(bad.is_empty(), "catalog descriptions that are not one short sentence:\n{}", bad.join("\n"));
}
