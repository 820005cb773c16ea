//! `--format sarif`: a golden file, the official SARIF 2.1.0 schema (from the npm package @microsoft/jest-sarif),
//! Microsoft's SARIF validator (the npm package @microsoft/sarif-multitool-linux), and the fixes applied by hand
//! giving exactly what `--write` writes. The npm packages are installed from tests/sarif-validate's lockfile.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use serde_json::Value;

const REPO: &str = env!("CARGO_MANIFEST_DIR");

/// tests/sarif-validate with its npm packages installed (once per test run).
fn validators() -> &'static Path {
    static READY: OnceLock<PathBuf> = OnceLock::new();
    READY.get_or_init(|| {
        let dir = Path::new(REPO).join("tests/sarif-validate");
        if !dir.join("node_modules/@microsoft/jest-sarif").is_dir()
            || !dir.join("node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool").is_file()
        {
            common::npm_ci(&dir);
        }
        // The package's postinstall script (skipped by --ignore-scripts) only makes the validator executable.
        let tool = dir.join("node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool");
        let status = Command::new("chmod").arg("u+x").arg(&tool).status().expect("chmod");
        assert!(status.success());
        dir
    })
}

fn schema() -> Value {
    let path = validators().join("node_modules/@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut schema: Value = serde_json::from_str(&text).expect("the SARIF schema is JSON");
    // One pattern of the schema (`language`, which the tool never writes) has a stray `]` that JavaScript reads
    // as a literal and Rust's regex engine rejects; it is given its intended form. Every other byte is the schema's.
    let mut patched = 0;
    for definition in ["run", "toolComponent"] {
        let language = &mut schema["definitions"][definition]["properties"]["language"]["pattern"];
        if language == "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$" {
            *language = "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}\\]?$".into();
            patched += 1;
        }
    }
    assert_eq!(patched, 2, "the schema changed: review this patch");
    schema
}

fn schema_errors(doc: &Value) -> Vec<String> {
    let schema = schema();
    let validator = jsonschema::validator_for(&schema).expect("the SARIF schema compiles");
    validator.iter_errors(doc).map(|e| format!("{}: {e}", e.instance_path())).collect()
}

/// What Microsoft's validator says about a log: `(rule id, level, message)` for each of its results.
fn multitool(doc: &str) -> Vec<(String, String, String)> {
    let tmp = tempfile::tempdir().expect("tempdir");
    let input = tmp.path().join("log.sarif");
    let output = tmp.path().join("validation.sarif");
    std::fs::write(&input, doc).expect("write");
    let tool = validators().join("node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool");
    let run = Command::new(&tool)
        .arg("validate")
        .arg(&input)
        .arg("-o")
        .arg(&output)
        .env("DOTNET_SYSTEM_GLOBALIZATION_INVARIANT", "1")
        .output()
        .expect("run the SARIF multitool");
    let report = std::fs::read_to_string(&output).unwrap_or_else(|e| {
        panic!(
            "the validator wrote no report ({e}): {}\n{}",
            String::from_utf8_lossy(&run.stdout),
            String::from_utf8_lossy(&run.stderr)
        )
    });
    let report: Value = serde_json::from_str(&report).expect("the validator's report is JSON");
    let mut found = Vec::new();
    for run in report["runs"].as_array().into_iter().flatten() {
        for result in run["results"].as_array().into_iter().flatten() {
            found.push((
                result["ruleId"].as_str().unwrap_or("").to_string(),
                result["level"].as_str().unwrap_or("warning").to_string(),
                result["message"]["arguments"].to_string(),
            ));
        }
        for notification in run["invocations"][0]["toolExecutionNotifications"].as_array().into_iter().flatten() {
            if notification["level"] == "error" {
                found.push(("notification".to_string(), "error".to_string(), notification["message"].to_string()));
            }
        }
    }
    found
}

/// A copy of an app (examples/ or tests/e2e/) in a temporary folder.
fn copy(from: &str) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::Builder::new().prefix("express-harden-sarif-").tempdir().expect("tempdir");
    let app = tmp.path().join("app");
    common::copy_dir(&Path::new(REPO).join(from), &app);
    (tmp, app)
}

/// The transforms that change examples/basic-app, named so that the golden file does not change when a transform is
/// added (a log lists the rules of the selected transforms only).
const BASIC_APP_TRANSFORMS: &str = "helmet,session-store,session-cookie,res-cookie,secrets,express-version";

fn sarif(dir: &Path, args: &[&str]) -> String {
    let mut all = vec!["--format", "sarif"];
    all.extend_from_slice(args);
    let out = common::express_harden(dir, &all);
    assert!(matches!(out.status.code(), Some(0 | 2 | 3)), "{out:?}");
    String::from_utf8(out.stdout).expect("UTF-8")
}

/// Byte offset of a SARIF (1-based line, 1-based column in code points) position in `text`; lines end at `\n`,
/// `\r\n` or a lone `\r`.
fn offset(text: &str, line: u64, column: u64) -> usize {
    let bytes = text.as_bytes();
    let mut start = 0;
    for _ in 1..line {
        let end = bytes[start..].iter().position(|b| *b == b'\n' || *b == b'\r').expect("the line exists") + start;
        start = if bytes[end] == b'\r' && bytes.get(end + 1) == Some(&b'\n') { end + 2 } else { end + 1 };
    }
    let rest = &text[start..];
    start + rest.char_indices().nth(column as usize - 1).map_or(rest.len(), |(i, _)| i)
}

/// Applies every fix of every result of a log to the files under `dir` together.
fn apply_fixes(dir: &Path, log: &Value) {
    let mut by_file: BTreeMap<String, Vec<(usize, usize, usize, String)>> = BTreeMap::new();
    let mut texts: BTreeMap<String, String> = BTreeMap::new();
    for result in log["runs"][0]["results"].as_array().expect("results") {
        for fix in result["fixes"].as_array().into_iter().flatten() {
            for change in fix["artifactChanges"].as_array().expect("artifactChanges") {
                let uri = change["artifactLocation"]["uri"].as_str().expect("uri").to_string();
                assert_eq!(change["artifactLocation"]["uriBaseId"], "%SRCROOT%");
                let text = texts.entry(uri.clone()).or_insert_with(|| {
                    let full = std::fs::read_to_string(dir.join(&uri)).expect("the fixed file exists");
                    full.strip_prefix('\u{feff}').unwrap_or(&full).to_string()
                });
                for replacement in change["replacements"].as_array().expect("replacements") {
                    let region = &replacement["deletedRegion"];
                    let n = |key: &str| region[key].as_u64().expect("line and column regions");
                    let from = offset(text, n("startLine"), n("startColumn"));
                    let to = offset(text, n("endLine"), n("endColumn"));
                    let inserted = replacement["insertedContent"]["text"].as_str().unwrap_or("").to_string();
                    let order = replacement["properties"]["order"].as_u64().expect("order") as usize;
                    by_file.entry(uri.clone()).or_default().push((order, from, to, inserted));
                }
            }
        }
    }
    for (uri, mut replacements) in by_file {
        let text = &texts[&uri];
        // The tool's order (insertions of two results at one point are otherwise unordered).
        replacements.sort_by_key(|(order, _, _, _)| *order);
        let mut out = String::new();
        let mut cursor = 0;
        for (_, from, to, inserted) in replacements {
            assert!(from >= cursor, "{uri}: the fixes of two results overlap at byte {from}");
            out.push_str(&text[cursor..from]);
            out.push_str(&inserted);
            cursor = to;
        }
        out.push_str(&text[cursor..]);
        let full = std::fs::read_to_string(dir.join(&uri)).expect("read");
        let bom = if full.starts_with('\u{feff}') { "\u{feff}" } else { "" };
        std::fs::write(dir.join(&uri), format!("{bom}{out}")).expect("write");
    }
}

#[test]
fn the_sarif_log_is_stable_valid_against_the_schema_and_matches_its_golden_file() {
    let (_tmp, app) = copy("examples/basic-app");
    let first = sarif(&app, &["--only", BASIC_APP_TRANSFORMS]);
    let second = sarif(&app, &["--only", BASIC_APP_TRANSFORMS]);
    assert_eq!(first, second, "an unchanged repository gives the same log");
    let doc: Value = serde_json::from_str(&first).expect("JSON");
    let errors = schema_errors(&doc);
    assert!(errors.is_empty(), "not valid SARIF 2.1.0:\n{}", errors.join("\n"));
    insta::with_settings!({
        snapshot_path => Path::new(REPO).join("snapshots"),
        prepend_module_to_snapshot => false,
        omit_expression => true,
    }, {
        insta::assert_snapshot!("sarif__basic_app", first);
    });
}

#[test]
fn the_schema_check_rejects_broken_logs() {
    let (_tmp, app) = copy("examples/basic-app");
    let doc: Value = serde_json::from_str(&sarif(&app, &[])).expect("JSON");
    let mut bad_level = doc.clone();
    bad_level["runs"][0]["results"][0]["level"] = "severe".into();
    let mut no_version = doc.clone();
    no_version.as_object_mut().expect("object").remove("version");
    let mut bad_region = doc.clone();
    bad_region["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] = 0.into();
    for broken in [bad_level, no_version, bad_region] {
        assert!(!schema_errors(&broken).is_empty(), "the schema check must catch a broken log");
    }
}

#[test]
fn every_transform_and_kind_of_finding_is_a_rule_and_every_result_points_at_its_rule() {
    let (_tmp, app) = copy("examples/basic-app");
    let doc: Value = serde_json::from_str(&sarif(&app, &[])).expect("JSON");
    let rules = doc["runs"][0]["tool"]["driver"]["rules"].as_array().expect("rules");
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().expect("id")).collect();
    for transform in express_harden::transforms::registry() {
        let info = transform.info();
        assert!(ids.contains(&info.id), "no rule for the {} transform", info.id);
        for kind in info.findings.keys() {
            assert!(ids.contains(&format!("{}/{kind}", info.id).as_str()), "no rule for {}/{kind}", info.id);
        }
    }
    assert_eq!(rules.len(), ids.iter().collect::<std::collections::BTreeSet<_>>().len(), "rule ids are unique");
    let results = doc["runs"][0]["results"].as_array().expect("results");
    assert!(results.len() >= 8, "changes and findings are results: {results:#?}");
    for result in results {
        let index = result["ruleIndex"].as_u64().expect("ruleIndex") as usize;
        assert_eq!(rules[index]["id"], result["ruleId"]);
        assert!(result["locations"][0]["physicalLocation"]["region"]["startLine"].as_u64().is_some());
    }
    // Both files of the app are there, with fixes: the code and its package.json.
    let fixed: Vec<&str> = results
        .iter()
        .filter(|r| r["fixes"].is_array())
        .map(|r| r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].as_str().expect("uri"))
        .collect();
    assert!(fixed.contains(&"app.js") && fixed.contains(&"package.json"), "{fixed:?}");
}

/// A log lists the rules of the transforms that ran (and the engine's), not those left out by `--only`: a rule in
/// the log was checked.
#[test]
fn the_rules_are_those_of_the_selected_transforms() {
    let (_tmp, app) = copy("examples/basic-app");
    let doc: Value = serde_json::from_str(&sarif(&app, &["--only", "helmet"])).expect("JSON");
    let rules = doc["runs"][0]["tool"]["driver"]["rules"].as_array().expect("rules");
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().expect("id")).collect();
    let helmet = express_harden::transforms::registry().into_iter().find(|t| t.info().id == "helmet").expect("helmet");
    let mut expected = vec!["helmet".to_string()];
    expected.extend(helmet.info().findings.keys().map(|kind| format!("helmet/{kind}")));
    expected.extend(express_harden::outcome::ENGINE_RULES.iter().map(|(rule, ..)| rule.to_string()));
    assert_eq!(ids, expected);
}

#[test]
fn microsofts_sarif_validator_accepts_the_logs() {
    let (_tmp, app) = copy("examples/basic-app");
    std::fs::write(app.join("broken.js"), "const express = require('express');\nconst app = express(;\n")
        .expect("write");
    let (_tmp3, express3) = copy("tests/e2e/express3-app");
    for log in [sarif(&app, &[]), sarif(&express3, &[])] {
        let complaints: Vec<_> = multitool(&log)
            .into_iter()
            // The tool has no public home page to name in `informationUri` (a recommendation, not a requirement).
            .filter(|(rule, _, _)| rule != "SARIF2005")
            .collect();
        assert!(complaints.is_empty(), "the SARIF validator complains: {complaints:#?}\n{log}");
    }
    let doc: Value = serde_json::from_str(&sarif(&app, &[])).expect("JSON");
    let invocation = &doc["runs"][0]["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], false, "a file that could not be handled fails the run");
    let notification = &invocation["toolExecutionNotifications"][0];
    assert_eq!(notification["level"], "error");
    assert_eq!(notification["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], "broken.js");
}

/// Runs `--format sarif` and `--write --format sarif` on two copies of `from`, applies the fixes to the first, and
/// compares. (With SARIF each file keeps its own secrets helper: its fixes edit files that exist, so the run creates no
/// module, whether it writes or not.)
fn fixes_equal_write(from: &Path, args: &[&str]) -> bool {
    let tmp = tempfile::Builder::new().prefix("express-harden-sarif-").tempdir().expect("tempdir");
    let (fixed, written) = (tmp.path().join("fixed"), tmp.path().join("written"));
    common::copy_dir(from, &fixed);
    common::copy_dir(from, &written);
    let log: Value = serde_json::from_str(&sarif(&fixed, args)).expect("JSON");
    apply_fixes(&fixed, &log);
    let mut write_args = vec!["--write", "--allow-no-vcs", "--format", "sarif"];
    write_args.extend_from_slice(args);
    let out = common::express_harden(&written, &write_args);
    assert!(matches!(out.status.code(), Some(0 | 2 | 3)), "{out:?}");
    let same = common::tree(&fixed) == common::tree(&written);
    if !same {
        eprintln!("{}: the SARIF fixes differ from --write", from.display());
    }
    same
}

#[test]
fn over_every_fixture_the_fixes_give_what_write_writes() {
    let root = Path::new(REPO).join("tests/fixtures");
    let mut suites: Vec<PathBuf> = std::fs::read_dir(&root).expect("fixtures").flatten().map(|e| e.path()).collect();
    suites.sort();
    let mut cases = 0;
    let mut differ = Vec::new();
    for suite in suites.iter().filter(|s| s.is_dir()) {
        // The suite's options (`tests/fixtures/<id>/args`: express5 needs `--express 5`), as the fixture harness reads
        // them; every transform runs, so that the fixes of several transforms in one file are composed too.
        let args = std::fs::read_to_string(suite.join("args")).unwrap_or_default();
        let args: Vec<&str> = args.split_whitespace().collect();
        let mut dirs: Vec<PathBuf> = std::fs::read_dir(suite).expect("suite").flatten().map(|e| e.path()).collect();
        dirs.sort();
        for case in dirs.iter().filter(|d| d.is_dir()) {
            cases += 1;
            if !fixes_equal_write(case, &args) {
                differ.push(case.display().to_string());
            }
        }
    }
    assert!(cases > 200, "only {cases} fixture cases found");
    assert!(differ.is_empty(), "the SARIF fixes differ from --write in:\n{}", differ.join("\n"));
}

#[test]
fn line_endings_bom_and_non_ascii_text_keep_the_regions_right() {
    let tmp = tempfile::Builder::new().prefix("express-harden-sarif-").tempdir().expect("tempdir");
    let convert = |name: &str, change: &dyn Fn(&str) -> String| {
        let app = tmp.path().join(name);
        common::copy_dir(&Path::new(REPO).join("examples/basic-app"), &app);
        for file in ["app.js", "package.json"] {
            let text = std::fs::read_to_string(app.join(file)).expect("read");
            std::fs::write(app.join(file), change(&text)).expect("write");
        }
        app
    };
    let variants = [
        convert("crlf", &|t| t.replace('\n', "\r\n")),
        convert("cr", &|t| t.replace('\n', "\r")),
        convert("bom", &|t| format!("\u{feff}{t}")),
        convert("non-ascii", &|t| {
            if t.starts_with('{') {
                t.replace("\"description\": \"", "\"description\": \"Grüße, 日本語 ✓ ")
            } else {
                format!("// Grüße, 日本語 ✓\n{t}").replace("'keyboard cat'", "'ключ'")
            }
        }),
    ];
    for app in &variants {
        let log: Value = serde_json::from_str(&sarif(app, &[])).expect("JSON");
        let fixes = log["runs"][0]["results"].as_array().expect("results").iter().filter(|r| r["fixes"].is_array());
        if app.ends_with("cr") {
            // Classic Mac line endings: the source is not edited (package.json may be: the Express bump), and the
            // log says why.
            let on_app = fixes.filter(|r| r.to_string().contains("app.js")).count();
            assert_eq!(on_app, 0, "{}: a lone-CR source file is left alone", app.display());
            let notes = log["runs"][0]["invocations"][0]["toolExecutionNotifications"].to_string();
            assert!(notes.contains("lone CR"), "{notes}");
        } else {
            assert!(fixes.count() >= 6, "{}: the app is fixed in both files", app.display());
        }
        assert!(fixes_equal_write(app, &[]), "{}", app.display());
    }
}

#[test]
fn after_a_write_the_results_say_fixed_and_carry_no_fix() {
    let (_tmp, app) = copy("examples/basic-app");
    let out = common::express_harden(&app, &["--write", "--allow-no-vcs", "--format", "sarif"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let log: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let changes: Vec<&Value> =
        log["runs"][0]["results"].as_array().expect("results").iter().filter(|r| r["kind"].is_string()).collect();
    assert!(!changes.is_empty());
    for result in changes {
        assert_eq!(result["kind"], "pass", "{result:#}");
        assert_eq!(result["level"], "none");
        assert!(result["fixes"].is_null(), "a fix would point into the text before the write: {result:#}");
        assert!(result["message"]["text"].as_str().expect("text").contains("fixed by express-harden --write"));
    }
    assert!(schema_errors(&log).is_empty());
}

#[test]
fn applying_every_fix_gives_exactly_what_write_writes() {
    // The second app is migrated from Express 3 first: its edits come from two phases and are composed.
    for (from, args) in [("examples/basic-app", &[][..]), ("tests/e2e/express3-app", &[][..])] {
        let (_a, fixed) = copy(from);
        let (_b, written) = copy(from);
        let log: Value = serde_json::from_str(&sarif(&fixed, args)).expect("JSON");
        // Every transform that changed a file owns at least one of its edits.
        for result in log["runs"][0]["results"].as_array().expect("results") {
            let message = result["message"]["text"].as_str().expect("message");
            if result["kind"] == "fail" && !message.contains("as part of the") {
                assert!(result["fixes"][0]["artifactChanges"][0]["replacements"][0].is_object(), "{result:#}");
            }
        }
        // Each fix also applies on its own (a reviewer may take one alert's fix and not another's): the file stays
        // valid JavaScript or JSON.
        for (n, result) in log["runs"][0]["results"].as_array().expect("results").iter().enumerate() {
            if !result["fixes"].is_array() {
                continue;
            }
            let (_c, alone) = copy(from);
            let single = serde_json::json!({ "runs": [{ "results": [result] }] });
            apply_fixes(&alone, &single);
            let uri = result["fixes"][0]["artifactChanges"][0]["artifactLocation"]["uri"].as_str().expect("uri");
            let text = std::fs::read_to_string(alone.join(uri)).expect("read");
            if uri.ends_with(".json") {
                assert!(serde_json::from_str::<Value>(&text).is_ok(), "result {n}'s fix alone breaks {uri}");
            } else {
                let check =
                    Command::new("node").arg("--check").arg(alone.join(uri)).output().expect("node is installed");
                assert!(check.status.success(), "result {n}'s fix alone breaks {uri}: {check:?}");
            }
        }
        apply_fixes(&fixed, &log);
        // (As SARIF's own run writes it: no module created, see `fixes_equal_write`.)
        let mut write_args = vec!["--write", "--allow-no-vcs", "--format", "sarif"];
        write_args.extend_from_slice(args);
        let out = common::express_harden(&written, &write_args);
        assert_eq!(out.status.code(), Some(0), "{out:?}");
        let (fixed_tree, written_tree) = (common::tree(&fixed), common::tree(&written));
        for (path, text) in &written_tree {
            assert_eq!(
                fixed_tree.get(path),
                Some(text),
                "{from}: the SARIF fixes of {} differ from --write",
                path.display()
            );
        }
        assert_eq!(fixed_tree.len(), written_tree.len());
        assert_ne!(common::tree(&fixed), common::tree(&Path::new(REPO).join(from)), "{from}: nothing was fixed");
    }
}
