//! Fixture suites (the contract is tests/fixtures/README.md): every folder `tests/fixtures/<id>/` is the suite of the
//! transform `<id>`, and each of its folders `<case>/` is a small project and one test, `<id>/<case>`. The transform
//! runs over the case alone, with the suite's options (`tests/fixtures/<id>/args`, read by the tool's own command
//! line); the output a user would see must equal the snapshot `snapshots/<id>__<case>.snap`, the engine's promises
//! must hold (the output re-parses, bytes outside the edits are identical, a second run changes nothing), and the
//! case's `expect.txt`, when the suite has such files, must hold.
//!
//! The suites are discovered from the folders: nothing here names one.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::OnceLock;

use libtest_mimic::{Arguments, Failed, Trial};

use express_harden::cli::{resolve_args, Resolved};
use express_harden::discover::{display_path, relative_to_cwd};
use express_harden::edit::untouched_outside_edits;
use express_harden::parse::parse;
use express_harden::pipeline::{run_with, RunResult};
use express_harden::report::unified_diff;
use express_harden::source::SourceFile;
use express_harden::style::is_es5;
use express_harden::transform::Options;
use express_harden::transforms::{all_ids, registry};

fn main() -> ExitCode {
    let args = Arguments::from_args();
    libtest_mimic::run(&args, trials()).exit_code()
}

/// Every test: the slow global checks first (they start while the cases run), the suites, the harness's own tests,
/// then one per case.
fn trials() -> Vec<Trial> {
    let mut trials = vec![
        trial("all_transforms_together_are_idempotent", all_transforms_together_are_idempotent),
        trial("every_written_output_loads_in_node", every_written_output_loads_in_node),
        trial("every_written_output_of_an_es5_file_is_es5", every_written_output_of_an_es5_file_is_es5),
        trial("every_written_output_parses_on_the_declared_node", every_written_output_parses_on_the_declared_node),
        trial("every_emitted_finding_is_in_its_transform_catalog", every_emitted_finding_is_in_its_transform_catalog),
        trial("every_catalog_finding_is_emitted_by_a_fixture", every_catalog_finding_is_emitted_by_a_fixture),
        trial("catalog_descriptions_are_one_short_sentence", catalog_descriptions_are_one_short_sentence),
        trial("harness/expect-parser", harness_expect_parser),
        trial("harness/expect-holds", harness_expect_holds),
        trial("harness/expect-fails", harness_expect_fails),
        trial("harness/expect-real-run", harness_expect_real_run),
    ];
    let (suites, strays) = match suites() {
        Ok(found) => found,
        Err(problem) => {
            trials.push(trial("suites", move || Err(problem)));
            return trials;
        }
    };
    for name in strays {
        trials.push(trial(&format!("suite/{name}"), move || {
            Err(format!(
                "tests/fixtures/{name}/ is no transform's suite: `{name}` is not a transform id (valid ids: {})",
                all_ids().join(", ")
            ))
        }));
    }
    for id in all_ids() {
        if !suites.iter().any(|s| s.id == id) {
            trials.push(trial(&format!("suite/{id}"), move || {
                Err(format!("the transform `{id}` has no suite: there is no folder tests/fixtures/{id}/"))
            }));
        }
    }
    for suite in &suites {
        let checked = suite.clone();
        trials.push(trial(&format!("suite/{}", suite.id), move || check_suite(&checked)));
    }
    for suite in suites {
        for case in &suite.cases {
            let (suite, case) = (suite.clone(), case.clone());
            trials.push(trial(&format!("{}/{case}", suite.id), move || run_case(&suite, &case)));
        }
    }
    trials
}

fn trial(name: &str, check: impl FnOnce() -> Result<(), String> + Send + 'static) -> Trial {
    Trial::test(name, move || check().map_err(Failed::from))
}

/// The repository's root: the tests run there, and the cases are given to the tool relative to it, as a user would
/// type them, so that diffs and findings read naturally.
fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

const FIXTURES: &str = "tests/fixtures";

/// A suite: a transform id and its case folders.
#[derive(Clone)]
struct Suite {
    id: String,
    /// Case folder names, sorted.
    cases: Vec<String>,
    /// Whether some case has an `expect.txt` (then every case must).
    has_expect: bool,
}

impl Suite {
    /// `tests/fixtures/<id>`, relative to the root.
    fn dir(&self) -> PathBuf {
        Path::new(FIXTURES).join(&self.id)
    }
}

/// The suites under tests/fixtures/, and the folders there whose name is no transform id.
fn suites() -> Result<(Vec<Suite>, Vec<String>), String> {
    let ids = all_ids();
    let mut suites = Vec::new();
    let mut strays = Vec::new();
    for name in folders(&root().join(FIXTURES))? {
        if !ids.contains(&name.as_str()) {
            strays.push(name);
            continue;
        }
        let dir = root().join(FIXTURES).join(&name);
        let cases = folders(&dir)?;
        let has_expect = cases.iter().any(|case| dir.join(case).join("expect.txt").is_file());
        suites.push(Suite { id: name, cases, has_expect });
    }
    Ok((suites, strays))
}

/// The names of the folders in `dir`, sorted.
fn folders(dir: &Path) -> Result<Vec<String>, String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut names = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| format!("{}: {e}", dir.display()))?;
        if entry.path().is_dir() {
            let name = entry.file_name();
            let name = name.to_str().ok_or_else(|| format!("{}: a folder name is not UTF-8", dir.display()))?;
            names.push(name.to_string());
        }
    }
    names.sort();
    Ok(names)
}

/// The options of a suite: the words of `tests/fixtures/<id>/args` (none when there is no such file).
fn suite_args(id: &str) -> Result<Vec<String>, String> {
    let file = Path::new(FIXTURES).join(id).join("args");
    let text = match std::fs::read_to_string(root().join(&file)) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(format!("{}: {e}", file.display())),
    };
    if text.lines().filter(|l| !l.trim().is_empty()).count() > 1 {
        return Err(format!("{}: the options go on one line", file.display()));
    }
    Ok(text.split_whitespace().map(str::to_string).collect())
}

/// The transform `id` alone (with its companions) and the suite's options, as `express-harden --only <id> <args>`
/// would run it. Options that do not exist, paths and transform selections in `args` are errors.
fn resolve_suite(id: &str) -> Result<Resolved, String> {
    let args = suite_args(id)?;
    let file = format!("{FIXTURES}/{id}/args");
    let resolved = resolve_args(["--only", id].into_iter().map(str::to_string).chain(args.iter().cloned()))
        .map_err(|e| format!("{file}: {}", e.trim_end()))?;
    let defaults = resolve_args::<[&str; 0], &str>([]).map_err(|e| format!("no options: {e}"))?;
    if resolved.paths != defaults.paths {
        return Err(format!("{file}: holds something that is no option (paths are not allowed): {}", args.join(" ")));
    }
    // The transform alone, with the companions it brings (a migration and its version bump).
    let selected: Vec<&str> = resolved.transforms.iter().map(|t| t.info().id).collect();
    let companions: Vec<&str> =
        resolved.transforms.iter().find(|t| t.info().id == id).map(|t| t.companions().to_vec()).unwrap_or_default();
    if !selected.contains(&id) || selected.iter().any(|s| *s != id && !companions.contains(s)) {
        return Err(format!("{file}: selects transforms ({}); the suite runs `{id}` alone", selected.join(", ")));
    }
    Ok(resolved)
}

/// What a suite must be beyond its cases: options the tool accepts, at least one case, no snapshot left over from
/// a case that is gone.
fn check_suite(suite: &Suite) -> Result<(), String> {
    let mut problems = Vec::new();
    if let Err(problem) = resolve_suite(&suite.id) {
        problems.push(problem);
    }
    if suite.cases.is_empty() {
        problems.push(format!("{}/ has no case folder", suite.dir().display()));
    }
    let prefix = format!("{}__", suite.id);
    let snapshots = std::fs::read_dir(root().join("snapshots")).map_err(|e| format!("snapshots/: {e}"))?;
    let mut orphans: Vec<String> = snapshots
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .filter(|name| {
            name.strip_prefix(&prefix)
                .and_then(|rest| rest.strip_suffix(".snap"))
                .is_some_and(|case| !suite.cases.iter().any(|c| c == case))
        })
        .collect();
    orphans.sort();
    for name in orphans {
        problems.push(format!("snapshots/{name} belongs to no case folder of {}/ (remove it)", suite.dir().display()));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n"))
    }
}

/// One case: the snapshot, the engine's promises, the case's `expect.txt`.
fn run_case(suite: &Suite, case: &str) -> Result<(), String> {
    let id = &suite.id;
    let rel_case = suite.dir().join(case);
    let Resolved { transforms, options, .. } =
        resolve_suite(id).map_err(|_| format!("the suite's options are wrong (the test suite/{id} says why)"))?;
    let result = run_with(std::slice::from_ref(&rel_case), &transforms, &options);
    let rendered = render(&result, &rel_case);
    let mut problems = Vec::new();
    // The same run with every text parked between the passes and read again, and every file's lists packed (a large
    // project's path), gives the same; so does letting go of the changed files' texts once their diffs are made, as a
    // large project's dry run does.
    let parked = run_with(
        std::slice::from_ref(&rel_case),
        &transforms,
        &Options { park: true, drop_texts: true, ..options.clone() },
    );
    if let Some(kept) = parked.changes.iter().find(|c| !c.is_manifest && !c.texts_dropped()) {
        problems.push(format!("with the texts parked, the texts of {} were not let go", kept.path.display()));
    }
    if render(&parked, &rel_case) != rendered {
        problems.push(format!(
            "with the texts parked and the lists packed between the passes the run differs:\n{}",
            render(&parked, &rel_case)
        ));
    }

    let expect_file = rel_case.join("expect.txt");
    match std::fs::read_to_string(root().join(&expect_file)) {
        Ok(text) => {
            let outcome = Outcome::of(&result, &rel_case);
            problems.extend(check_expect(&text, &outcome, known_rules()));
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if suite.has_expect {
                problems.push(format!(
                    "{} is missing: other cases of {id} have one, so every case of the suite needs one",
                    expect_file.display()
                ));
            }
        }
        Err(e) => problems.push(format!("{}: {e}", expect_file.display())),
    }
    if rel_case.join("args").exists() {
        problems.push(format!(
            "{}: a case has no options of its own; the suite's go in {}",
            rel_case.join("args").display(),
            suite.dir().join("args").display()
        ));
    }
    if let Err(problem) = check_properties(&rel_case, &result, &transforms, &options) {
        problems.push(problem);
    }
    if let Err(problem) = check_snapshot(id, case, rendered) {
        problems.push(problem);
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n"))
    }
}

/// The rendered output against `snapshots/<id>__<case>.snap`, through insta (which writes `.snap.new` files for
/// `cargo insta review`, and under CI=true fails on a missing snapshot without writing one).
fn check_snapshot(id: &str, case: &str, rendered: String) -> Result<(), String> {
    let name = format!("{id}__{case}");
    let file = format!("snapshots/{name}.snap");
    let exists = root().join(&file).is_file();
    let outcome = std::panic::catch_unwind(|| {
        insta::with_settings!({
            snapshot_path => root().join("snapshots"),
            prepend_module_to_snapshot => false,
            omit_expression => true,
            description => format!("{FIXTURES}/{id}/{case}"),
        }, {
            insta::assert_snapshot!(name.clone(), rendered);
        });
    });
    match outcome {
        Ok(()) => Ok(()),
        Err(panic) => {
            let why = panic
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| panic.downcast_ref::<&str>().copied())
                .unwrap_or("insta panicked");
            let what = if exists { "the output differs from" } else { "there is no snapshot" };
            Err(format!(
                "snapshot: {what} {file} (insta printed the new output above; outside CI it wrote it beside, for \
                 `cargo insta review`): {why}"
            ))
        }
    }
}

fn relative(path: &Path, root: &Path) -> String {
    display_path(path.strip_prefix(root).unwrap_or(path))
}

/// `path` relative to the case folder `case`, whichever way each is spelled (the engine gives manifests relative to
/// the current folder, and sources as the walk found them).
fn in_case(path: &Path, case: &Path) -> String {
    let (path, case) = (relative_to_cwd(path), relative_to_cwd(case));
    display_path(path.strip_prefix(&case).unwrap_or(&path))
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
            dep.section.label(),
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
    // The transforms' own next steps (what the operator must do: provide a Redis, set a variable, run the tests
    // after a migration); the engine's generic ones (install the packages, review the diff) are left out.
    for step in &result.transform_steps {
        out.push_str(&format!("next step: {}\n", step.replace(&format!("{prefix}/"), "").replace(&prefix, ".")));
    }
    if out.is_empty() {
        out.push_str("(no change, no finding)\n");
    }
    out
}

/// The promises of the engine, checked on one case.
fn check_properties(
    case: &Path,
    result: &RunResult,
    transforms: &[Box<dyn express_harden::transform::Transform>],
    options: &express_harden::transform::Options,
) -> Result<(), String> {
    for change in result.changes.iter().filter(|c| !c.is_manifest) {
        let file = SourceFile::new(change.path.clone(), change.original().to_string());
        let updated = SourceFile::new(change.path.clone(), change.updated().into_owned());
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
        std::fs::write(copy.join(rel), &*change.updated()).map_err(|e| e.to_string())?;
    }
    let second = run_with(std::slice::from_ref(&copy), transforms, options);
    if !second.changes.is_empty() {
        return Err(format!("second run changed {}", render(&second, &copy)));
    }
    if second.errors.len() != result.errors.len() {
        return Err(format!("second run errors differ: {:?}", second.errors));
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------------------------
// expect.txt

/// What `expect.txt` is checked against: a run's result, with paths relative to the case folder.
#[derive(Debug, Default)]
struct Outcome {
    /// The files of the case folder (before the run).
    files: BTreeSet<String>,
    /// Changed files -> the added and removed lines of their diff (without the `+`/`-` and the line end).
    changes: BTreeMap<String, (Vec<String>, Vec<String>)>,
    /// Dependency changes: manifest, section, package, spec before, spec after.
    dependencies: Vec<(String, String, String, Option<String>, String)>,
    /// Findings: rule, file, line.
    findings: Vec<(String, String, usize)>,
    /// Errors: file, message.
    errors: Vec<(String, String)>,
}

impl Outcome {
    fn of(result: &RunResult, case: &Path) -> Outcome {
        let mut files = BTreeSet::new();
        list_files(case, case, &mut files);
        Outcome {
            files,
            changes: result
                .changes
                .iter()
                .map(|change| (in_case(&change.path, case), diff_lines(&unified_diff(change))))
                .collect(),
            dependencies: result
                .dependencies
                .iter()
                .map(|d| {
                    let manifest = in_case(&d.manifest, case);
                    (manifest, d.section.key().to_string(), d.package.clone(), d.from.clone(), d.to.clone())
                })
                .collect(),
            findings: result.findings.iter().map(|f| (f.rule.clone(), in_case(&f.path, case), f.line)).collect(),
            errors: result.errors.iter().map(|e| (in_case(&e.path, case), e.message.clone())).collect(),
        }
    }
}

fn list_files(root: &Path, dir: &Path, out: &mut BTreeSet<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            list_files(root, &path, out);
        } else {
            out.insert(in_case(&path, root));
        }
    }
}

/// The added and removed lines of a unified diff.
fn diff_lines(diff: &str) -> (Vec<String>, Vec<String>) {
    let (mut added, mut removed) = (Vec::new(), Vec::new());
    let mut in_hunk = false;
    for line in diff.lines() {
        if line.starts_with("@@") {
            in_hunk = true;
        } else if !in_hunk {
            // The `--- a/...` and `+++ b/...` header.
        } else if let Some(text) = line.strip_prefix('+') {
            added.push(text.to_string());
        } else if let Some(text) = line.strip_prefix('-') {
            removed.push(text.to_string());
        }
    }
    (added, removed)
}

/// The rules a finding assertion may name: those of the transforms' catalogs, and the engine's own.
fn known_rules() -> &'static BTreeSet<String> {
    static RULES: OnceLock<BTreeSet<String>> = OnceLock::new();
    RULES.get_or_init(|| {
        registry()
            .iter()
            .flat_map(|t| {
                let info = t.info();
                info.findings.keys().map(|name| format!("{}/{name}", info.id)).collect::<Vec<_>>()
            })
            .chain(express_harden::outcome::ENGINE_RULES.iter().map(|(rule, ..)| rule.to_string()))
            .collect()
    })
}

/// One assertion of an `expect.txt` (the table of tests/fixtures/README.md).
#[derive(Debug, PartialEq, Eq)]
enum Assertion {
    NoChange,
    Change(String),
    Unchanged(String),
    Added(String, String),
    Removed(String, String),
    Dependency { section: Option<String>, package: String, spec: String },
    NoDependency(Option<String>),
    Finding { rule: String, at: Option<(String, usize)> },
    NoFinding(Option<String>),
    Error(String),
    NoError,
}

const SECTIONS: [&str; 4] = ["dependencies", "devDependencies", "peerDependencies", "optionalDependencies"];

/// A line of `expect.txt`: `None` for a blank line or a description (`#`), else the assertion, or why it is none.
fn parse_line(line: &str, rules: &BTreeSet<String>) -> Option<Result<Assertion, String>> {
    let line = line.trim();
    if line.is_empty() || line.starts_with('#') {
        return None;
    }
    Some(parse_assertion(line, rules))
}

fn parse_assertion(line: &str, rules: &BTreeSet<String>) -> Result<Assertion, String> {
    let file = |word: &str| word.strip_prefix("./").unwrap_or(word).to_string();
    let rule = |word: &str| {
        if rules.contains(word) {
            Ok(word.to_string())
        } else {
            Err(format!("`{word}` is no rule of a transform's catalog (transforms/<id>/data.json `findings`)"))
        }
    };
    for (sign, added) in [('+', true), ('-', false)] {
        if let Some(rest) = line.strip_prefix(sign).filter(|rest| rest.starts_with(char::is_whitespace)) {
            let Some((path, text)) = rest.split_once(':') else {
                return Err(format!("expected `{sign} FILE: TEXT`"));
            };
            let (path, text) = (file(path.trim()), text.trim().to_string());
            if path.is_empty() || path.contains(char::is_whitespace) || text.is_empty() {
                return Err(format!("expected `{sign} FILE: TEXT` (a FILE, and a TEXT that is not blank)"));
            }
            return Ok(if added { Assertion::Added(path, text) } else { Assertion::Removed(path, text) });
        }
    }
    let words: Vec<&str> = line.split_whitespace().collect();
    match words[..] {
        ["no", "change"] => Ok(Assertion::NoChange),
        ["change", path] => Ok(Assertion::Change(file(path))),
        ["unchanged", path] => Ok(Assertion::Unchanged(file(path))),
        ["dependency", package, spec] => {
            Ok(Assertion::Dependency { section: None, package: package.to_string(), spec: spec.to_string() })
        }
        ["dependency", section, package, spec] if SECTIONS.contains(&section) => Ok(Assertion::Dependency {
            section: Some(section.to_string()),
            package: package.to_string(),
            spec: spec.to_string(),
        }),
        ["dependency", section, _, _] => Err(format!("`{section}` is no section ({})", SECTIONS.join(", "))),
        ["dependency", ..] => Err("expected `dependency [SECTION] PACKAGE SPEC`".to_string()),
        ["no", "dependency"] => Ok(Assertion::NoDependency(None)),
        ["no", "dependency", package] => Ok(Assertion::NoDependency(Some(package.to_string()))),
        ["finding", name] => Ok(Assertion::Finding { rule: rule(name)?, at: None }),
        ["finding", name, at] => {
            let place = at.rsplit_once(':').and_then(|(path, line)| Some((file(path), line.parse::<usize>().ok()?)));
            match place {
                Some((path, line)) if !path.is_empty() && line > 0 => {
                    Ok(Assertion::Finding { rule: rule(name)?, at: Some((path, line)) })
                }
                _ => Err(format!("`{at}` is not FILE:LINE")),
            }
        }
        ["finding", ..] => Err("expected `finding RULE [FILE:LINE]`".to_string()),
        ["no", "finding"] => Ok(Assertion::NoFinding(None)),
        // A kind of finding that another transform reports may be ruled out for this one (`no finding
        // res-cookie/trust-proxy`: only the session transforms report it); the transform and the kind must both
        // exist, so that a typo cannot pass.
        ["no", "finding", name] => match name.split_once('/') {
            Some((id, kind))
                if rules.contains(&name.to_string())
                    || (rules.iter().any(|r| r.starts_with(&format!("{id}/")))
                        && rules.iter().any(|r| r.ends_with(&format!("/{kind}")))) =>
            {
                Ok(Assertion::NoFinding(Some(name.to_string())))
            }
            _ => Err(format!("`{name}` is no rule of a transform's catalog (transforms/<id>/data.json `findings`)")),
        },
        ["error", path] => Ok(Assertion::Error(file(path))),
        ["no", "error"] => Ok(Assertion::NoError),
        _ => Err("not an assertion (see the table in tests/fixtures/README.md)".to_string()),
    }
}

/// Checks `expect.txt` against a run: one problem per line that is no assertion or does not hold, as
/// `expect.txt:LINE: <the line>: <what was found instead>`.
fn check_expect(text: &str, outcome: &Outcome, rules: &BTreeSet<String>) -> Vec<String> {
    let mut problems = Vec::new();
    let mut assertions = 0;
    for (index, line) in text.lines().enumerate() {
        let problem = match parse_line(line, rules) {
            None => continue,
            Some(Err(why)) => why,
            Some(Ok(assertion)) => {
                assertions += 1;
                match holds(&assertion, outcome) {
                    Ok(()) => continue,
                    Err(found) => found,
                }
            }
        };
        problems.push(format!("expect.txt:{}: {}: {problem}", index + 1, line.trim()));
    }
    if assertions == 0 && problems.is_empty() {
        problems.push("expect.txt: no assertion (a description alone checks nothing)".to_string());
    }
    problems
}

/// At most a few items, for a message.
fn few(items: impl IntoIterator<Item = String>) -> String {
    let items: Vec<String> = items.into_iter().collect();
    let shown: Vec<String> =
        items
            .iter()
            .take(5)
            .map(|s| {
                if s.chars().count() > 80 {
                    format!("{}…", s.chars().take(80).collect::<String>())
                } else {
                    s.clone()
                }
            })
            .collect();
    match items.len() {
        0 => "none".to_string(),
        n if n > shown.len() => format!("{} and {} more", shown.join(", "), n - shown.len()),
        _ => shown.join(", "),
    }
}

fn quoted<'a>(lines: impl IntoIterator<Item = &'a String>) -> Vec<String> {
    lines.into_iter().map(|l| format!("`{}`", l.trim())).collect()
}

/// Whether an assertion holds; if not, what was found instead.
fn holds(assertion: &Assertion, outcome: &Outcome) -> Result<(), String> {
    let changed = || format!("changed: {}", few(outcome.changes.keys().cloned()));
    let dep = |d: &(String, String, String, Option<String>, String)| {
        let from = d.3.as_deref().map_or("added".to_string(), |from| format!("from {from}"));
        format!("{} {} {} ({from}, {})", d.2, d.4, d.1, d.0)
    };
    let finding = |f: &(String, String, usize)| format!("{} at {}:{}", f.0, f.1, f.2);
    let ok_if = |ok: bool, found: String| if ok { Ok(()) } else { Err(found) };
    match assertion {
        Assertion::NoChange => ok_if(outcome.changes.is_empty(), changed()),
        Assertion::Change(path) => ok_if(outcome.changes.contains_key(path), format!("no diff; {}", changed())),
        Assertion::Unchanged(path) => {
            if !outcome.files.contains(path) {
                return Err("the case has no such file".to_string());
            }
            match outcome.changes.get(path) {
                None => Ok(()),
                Some((added, removed)) => Err(format!("it has a diff (+{} -{})", added.len(), removed.len())),
            }
        }
        Assertion::Added(path, text) | Assertion::Removed(path, text) => {
            let added = matches!(assertion, Assertion::Added(..));
            let Some((plus, minus)) = outcome.changes.get(path) else {
                return Err(format!("{path} has no diff; {}", changed()));
            };
            let lines = if added { plus } else { minus };
            let kind = if added { "added" } else { "removed" };
            ok_if(
                lines.iter().any(|line| line.contains(text.as_str())),
                format!("no {kind} line contains it; {kind} lines: {}", few(quoted(lines))),
            )
        }
        Assertion::Dependency { section, package, spec } => {
            let named: Vec<_> = outcome.dependencies.iter().filter(|d| &d.2 == package).collect();
            let exact = named.iter().any(|d| &d.4 == spec && section.as_ref().is_none_or(|s| &d.1 == s));
            let found = if named.is_empty() {
                format!("no dependency change names {package}; changes: {}", few(outcome.dependencies.iter().map(dep)))
            } else {
                format!("found {}", few(named.iter().map(|d| dep(d))))
            };
            ok_if(exact, found)
        }
        Assertion::NoDependency(package) => {
            let named: Vec<_> =
                outcome.dependencies.iter().filter(|d| package.as_ref().is_none_or(|p| &d.2 == p)).collect();
            ok_if(named.is_empty(), format!("found {}", few(named.iter().map(|d| dep(d)))))
        }
        Assertion::Finding { rule, at } => {
            let same_rule: Vec<_> = outcome.findings.iter().filter(|f| &f.0 == rule).collect();
            let found = match at {
                None => same_rule.is_empty(),
                Some((path, line)) => !same_rule.iter().any(|f| &f.1 == path && f.2 == *line),
            };
            let others = if same_rule.is_empty() {
                format!("findings: {}", few(outcome.findings.iter().map(finding)))
            } else {
                format!("found {}", few(same_rule.iter().map(|f| finding(f))))
            };
            ok_if(!found, others)
        }
        Assertion::NoFinding(rule) => {
            let named: Vec<_> = outcome.findings.iter().filter(|f| rule.as_ref().is_none_or(|r| &f.0 == r)).collect();
            ok_if(named.is_empty(), format!("found {}", few(named.iter().map(|f| finding(f)))))
        }
        Assertion::Error(path) => ok_if(
            outcome.errors.iter().any(|e| &e.0 == path),
            format!("errors: {}", few(outcome.errors.iter().map(|e| format!("{}: {}", e.0, e.1)))),
        ),
        Assertion::NoError => ok_if(
            outcome.errors.is_empty(),
            format!("found {}", few(outcome.errors.iter().map(|e| format!("{}: {}", e.0, e.1)))),
        ),
    }
}

// ---------------------------------------------------------------------------------------------------------------
// The harness's own tests: the expect.txt checker on hand-made outcomes and on a real run.

/// A made-up outcome: app.js changed, package.json got helmet, one finding, one error.
fn sample_outcome() -> Outcome {
    let (added, removed) = diff_lines(
        "--- a/app.js\n+++ b/app.js\n@@ -1,3 +1,4 @@\n const express = require('express');\n+const helmet = \
         require('helmet');\n-app.use(cors());\n+app.use(helmet());\r\n \n",
    );
    Outcome {
        files: ["app.js", "lib/util.js", "package.json", "views/index.ejs"].map(str::to_string).into(),
        changes: [("app.js".to_string(), (added, removed)), ("package.json".to_string(), (vec![], vec![]))].into(),
        dependencies: vec![(
            "package.json".to_string(),
            "dependencies".to_string(),
            "helmet".to_string(),
            None,
            "^8.1.0".to_string(),
        )],
        findings: vec![("helmet/partial".to_string(), "app.js".to_string(), 7)],
        errors: vec![("lib/broken.js".to_string(), "could not be parsed".to_string())],
    }
}

fn sample_rules() -> BTreeSet<String> {
    ["helmet/partial", "helmet/csp-external", "engine/no-manifest"].map(str::to_string).into()
}

fn expect_eq<T: std::fmt::Debug + PartialEq>(what: &str, got: T, want: T) -> Result<(), String> {
    if got == want {
        Ok(())
    } else {
        Err(format!("{what}:\n  got  {got:?}\n  want {want:?}"))
    }
}

fn harness_expect_parser() -> Result<(), String> {
    let rules = sample_rules();
    let parse = |line: &str| parse_line(line, &rules);
    expect_eq("comment", parse("  # why this case exists"), None)?;
    expect_eq("blank", parse("   "), None)?;
    expect_eq("no change", parse("no change"), Some(Ok(Assertion::NoChange)))?;
    expect_eq("change ./", parse("change ./src/app.js"), Some(Ok(Assertion::Change("src/app.js".into()))))?;
    expect_eq(
        "added, TEXT trimmed, colons kept",
        parse("+ app.js:   app.use(helmet({ a: 1 }));  "),
        Some(Ok(Assertion::Added("app.js".into(), "app.use(helmet({ a: 1 }));".into()))),
    )?;
    expect_eq("removed", parse("- app.js: cors"), Some(Ok(Assertion::Removed("app.js".into(), "cors".into()))))?;
    expect_eq(
        "dependency with section",
        parse("dependency devDependencies @types/express ^5.0.6"),
        Some(Ok(Assertion::Dependency {
            section: Some("devDependencies".into()),
            package: "@types/express".into(),
            spec: "^5.0.6".into(),
        })),
    )?;
    expect_eq(
        "finding at",
        parse("finding helmet/partial src/app.js:12"),
        Some(Ok(Assertion::Finding { rule: "helmet/partial".into(), at: Some(("src/app.js".into(), 12)) })),
    )?;
    expect_eq("engine rule", parse("no finding engine/no-manifest").map(|r| r.is_ok()), Some(true))?;
    expect_eq("misspelt engine rule", parse("no finding engine/no-manifst").map(|r| r.is_ok()), Some(false))?;
    for bad in [
        "changes app.js",
        "+app.js: x",
        "+ app.js",
        "+ app.js:   ",
        "- : x",
        "dependency helmet",
        "dependency deps helmet ^8",
        "finding helmet/partal",
        "no finding helmet/partal",
        "finding helmet/partial app.js",
        "finding helmet/partial app.js:0",
        "no change please",
        "error",
    ] {
        if !matches!(parse(bad), Some(Err(_))) {
            return Err(format!("`{bad}` should be refused, got {:?}", parse(bad)));
        }
    }
    Ok(())
}

fn harness_expect_holds() -> Result<(), String> {
    let text = "\
# app.js gets helmet; the CORS line goes.

change app.js
change ./package.json
unchanged lib/util.js
+ app.js: const helmet = require('helmet');
+ app.js: app.use(helmet())
- app.js: app.use(cors());
dependency helmet ^8.1.0
dependency dependencies helmet ^8.1.0
no dependency express
finding helmet/partial
finding helmet/partial app.js:7
no finding helmet/csp-external
error lib/broken.js
";
    expect_eq("problems", check_expect(text, &sample_outcome(), &sample_rules()), vec![])?;
    let nothing = Outcome { files: ["app.js".to_string()].into(), ..Outcome::default() };
    let text = "no change\nunchanged app.js\nno dependency\nno finding\nno error\n";
    expect_eq("problems on an empty run", check_expect(text, &nothing, &sample_rules()), vec![])
}

fn harness_expect_fails() -> Result<(), String> {
    let text = "\
# Every assertion below is false, or no assertion.
no change
change views/index.ejs
unchanged app.js
unchanged lib/utils.js
+ app.js: helmet.contentSecurityPolicy
- package.json: express
+ lib/util.js: x
dependency helmet ^7.0.0
dependency devDependencies helmet ^8.1.0
dependency cookie-parser ^1.4.7
no dependency helmet
no dependency
finding helmet/csp-external
finding helmet/partial app.js:8
no finding helmet/partial
no finding
error app.js
no error
frobnicate app.js
";
    let want = [
        "expect.txt:2: no change: changed: app.js, package.json",
        "expect.txt:3: change views/index.ejs: no diff; changed: app.js, package.json",
        "expect.txt:4: unchanged app.js: it has a diff (+2 -1)",
        "expect.txt:5: unchanged lib/utils.js: the case has no such file",
        "expect.txt:6: + app.js: helmet.contentSecurityPolicy: no added line contains it; added lines: `const helmet \
         = require('helmet');`, `app.use(helmet());`",
        "expect.txt:7: - package.json: express: no removed line contains it; removed lines: none",
        "expect.txt:8: + lib/util.js: x: lib/util.js has no diff; changed: app.js, package.json",
        "expect.txt:9: dependency helmet ^7.0.0: found helmet ^8.1.0 dependencies (added, package.json)",
        "expect.txt:10: dependency devDependencies helmet ^8.1.0: found helmet ^8.1.0 dependencies (added, \
         package.json)",
        "expect.txt:11: dependency cookie-parser ^1.4.7: no dependency change names cookie-parser; changes: helmet \
         ^8.1.0 dependencies (added, package.json)",
        "expect.txt:12: no dependency helmet: found helmet ^8.1.0 dependencies (added, package.json)",
        "expect.txt:13: no dependency: found helmet ^8.1.0 dependencies (added, package.json)",
        "expect.txt:14: finding helmet/csp-external: findings: helmet/partial at app.js:7",
        "expect.txt:15: finding helmet/partial app.js:8: found helmet/partial at app.js:7",
        "expect.txt:16: no finding helmet/partial: found helmet/partial at app.js:7",
        "expect.txt:17: no finding: found helmet/partial at app.js:7",
        "expect.txt:18: error app.js: errors: lib/broken.js: could not be parsed",
        "expect.txt:19: no error: found lib/broken.js: could not be parsed",
        "expect.txt:20: frobnicate app.js: not an assertion (see the table in tests/fixtures/README.md)",
    ];
    let got = check_expect(text, &sample_outcome(), &sample_rules());
    for (index, (got, want)) in got.iter().zip(want).enumerate() {
        expect_eq(&format!("problem {index}"), got.as_str(), want)?;
    }
    expect_eq("number of problems", got.len(), want.len())?;
    expect_eq(
        "a description alone",
        check_expect("# nothing to check\n\n", &sample_outcome(), &sample_rules()),
        vec!["expect.txt: no assertion (a description alone checks nothing)".to_string()],
    )
}

/// The checker on a real run, so that the outcome's paths (relative to the case folder) and diff lines are those a
/// fixture case gets.
fn harness_expect_real_run() -> Result<(), String> {
    let tmp = tempfile::tempdir().map_err(|e| e.to_string())?;
    let case = tmp.path().join("case");
    std::fs::create_dir_all(case.join("src")).map_err(|e| e.to_string())?;
    std::fs::write(case.join("package.json"), "{\n  \"dependencies\": {\n    \"express\": \"^4.21.2\"\n  }\n}\n")
        .map_err(|e| e.to_string())?;
    std::fs::write(
        case.join("src/app.js"),
        "const express = require('express');\nconst app = express();\napp.get('/', (req, res) => \
         res.send('ok'));\napp.listen(3000);\n",
    )
    .map_err(|e| e.to_string())?;
    let Resolved { transforms, options, .. } = resolve_args(["--only", "helmet"])?;
    let result = run_with(std::slice::from_ref(&case), &transforms, &options);
    let outcome = Outcome::of(&result, &case);
    let text = "\
change src/app.js
change package.json
+ src/app.js: require('helmet')
+ src/app.js: app.use(helmet(
+ package.json: \"helmet\"
no dependency express
no error
no finding engine/no-manifest
unchanged src/app.js
no change
";
    let got = check_expect(text, &outcome, known_rules());
    let lines: Vec<&str> = got.iter().filter_map(|p| p.split(':').nth(1)).collect();
    expect_eq("failing lines", lines, vec!["9", "10"]).map_err(|e| format!("{e}\n{}", got.join("\n")))?;
    if !outcome.dependencies.iter().any(|d| d.0 == "package.json" && d.2 == "helmet") {
        return Err(format!("no helmet dependency on package.json: {:?}", outcome.dependencies));
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------------------------
// Global checks.

/// Every transform together over every fixture: the combined output re-parses (the engine verifies it) and a second
/// run changes nothing, which is what a developer fixing a project in one go relies on.
fn all_transforms_together_are_idempotent() -> Result<(), String> {
    let tmp = tempfile::tempdir().map_err(|e| e.to_string())?;
    let copy = tmp.path().join("fixtures");
    common::copy_dir(&root().join(FIXTURES), &copy);
    let Resolved { transforms, options, .. } = resolve_args::<[&str; 0], &str>([])?;
    let first = run_with(std::slice::from_ref(&copy), &transforms, &options);
    if first.changes.len() <= 100 {
        return Err(format!("only {} files changed over every fixture", first.changes.len()));
    }
    for change in &first.changes {
        std::fs::write(&change.path, &*change.updated()).map_err(|e| e.to_string())?;
    }
    let second = run_with(std::slice::from_ref(&copy), &transforms, &options);
    let again: Vec<String> = second.changes.iter().map(|c| c.path.display().to_string()).collect();
    if !again.is_empty() {
        return Err(format!("a second run changed {again:?}"));
    }
    if second.errors.len() != first.errors.len() {
        return Err(format!("the second run's errors differ: {:?}", second.errors));
    }
    Ok(())
}

/// A written file that Node refuses is a bug: every JavaScript file the tool writes over the fixtures (all
/// transforms together with the default options and with each suite's options, and each suite's transform alone as
/// its cases run it, [`written_over_fixtures`]) is checked as `node --check` would check it, and must load whenever
/// its original does. TypeScript and JSX files are left out: Node cannot read them. One Node process checks every file
/// (`tests/node-check/check.js`).
fn every_written_output_loads_in_node() -> Result<(), String> {
    let tmp = tempfile::tempdir().map_err(|e| e.to_string())?;
    let written = written_over_fixtures(tmp.path())?;
    let verdicts = node_check(&both_sides(&written), tmp.path())?;
    let mut refused = Vec::new();
    for (what, out, original) in &written {
        let (Some(before), Some(after)) = (verdicts.get(original), verdicts.get(out)) else {
            return Err(format!("no verdict for {} or {}", original.display(), out.display()));
        };
        if let (Ok(()), Err(message)) = (before, after) {
            refused.push(format!("{} ({what}): {message}", relative(original, root())));
        }
        if let (true, Err(message)) = (original == out, after) {
            refused.push(format!("{} (a new module, {what}): {message}", out.display()));
        }
    }
    if refused.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "Node refuses files the tool wrote (their originals load, or they are new):\n{}",
            refused.join("\n")
        ))
    }
}

/// Code added to a file written in ES5 is ES5 too (an old browser bundle, an Express 3 app on an old Node, a linter
/// set to ES5 would refuse it otherwise): every JavaScript file the tool writes over the fixtures
/// ([`written_over_fixtures`]) whose original is written in ES5 (acorn reads it with `ecmaVersion: 5`, and it declares
/// with `var`: a file without declarations, such as `module.exports = {...}`, says nothing of its era) must still read
/// as ES5. acorn is installed from `tests/es5-check/package-lock.json` on first use.
fn every_written_output_of_an_es5_file_is_es5() -> Result<(), String> {
    let tmp = tempfile::tempdir().map_err(|e| e.to_string())?;
    let written = written_over_fixtures(tmp.path())?;
    let verdicts = es5_check(&both_sides(&written), tmp.path())?;
    let mut es5_originals = 0;
    let mut refused = Vec::new();
    for (what, out, original) in &written {
        let (Some(before), Some(after)) = (verdicts.get(original), verdicts.get(out)) else {
            return Err(format!("no verdict for {} or {}", original.display(), out.display()));
        };
        let declares_with_var = std::fs::read_to_string(original).is_ok_and(|code| is_es5(&code));
        if before.is_ok() && declares_with_var {
            es5_originals += 1;
            if let Err(message) = after {
                refused.push(format!("{} ({what}): {message}", relative(original, root())));
            }
        }
    }
    if es5_originals < 5 {
        return Err(format!("only {es5_originals} ES5 files written over every fixture"));
    }
    if refused.is_empty() {
        Ok(())
    } else {
        Err(format!("the tool wrote ES2015+ code into ES5 files:\n{}", refused.join("\n")))
    }
}

/// Code added to a project that declares an old Node (`engines.node` `>=12`) is code that Node parses: every JavaScript
/// file the tool writes over the fixtures ([`written_over_fixtures`]) whose case declares a Node older than 14 must
/// still read (acorn) as the ECMAScript version of that Node's syntax when its original does (Node 8: ES2017, 10:
/// ES2018, 12: ES2019; optional chaining and `??` are ES2020, Node 14).
fn every_written_output_parses_on_the_declared_node() -> Result<(), String> {
    let tmp = tempfile::tempdir().map_err(|e| e.to_string())?;
    let written = written_over_fixtures(tmp.path())?;
    let mut by_version: BTreeMap<u32, Vec<&(String, PathBuf, PathBuf)>> = BTreeMap::new();
    for entry in &written {
        if let Some(version) = declared_node_major(&entry.2).and_then(ecma_version_of_node) {
            by_version.entry(version).or_default().push(entry);
        }
    }
    let mut checked = 0;
    let mut refused = Vec::new();
    for (version, entries) in &by_version {
        let mut files: Vec<&PathBuf> = entries.iter().flat_map(|(_, out, original)| [out, original]).collect();
        files.sort();
        files.dedup();
        let verdicts = es_check(&files, *version, tmp.path())?;
        for (what, out, original) in entries {
            let (Some(before), Some(after)) = (verdicts.get(original), verdicts.get(out)) else {
                return Err(format!("no verdict for {} or {}", original.display(), out.display()));
            };
            if before.is_ok() {
                checked += 1;
                if let Err(message) = after {
                    refused.push(format!("{} ({what}, ES{version}): {message}", relative(original, root())));
                }
            }
        }
    }
    if checked == 0 {
        return Err("no file written over the fixtures declares a Node older than 14".to_string());
    }
    if refused.is_empty() {
        Ok(())
    } else {
        Err(format!("the tool wrote syntax the declared Node cannot parse:\n{}", refused.join("\n")))
    }
}

/// The oldest Node major `engines.node` of the nearest package.json above `file` (within its fixture case) admits:
/// the first number of the range (`>=12`, `^10.13.0`, `12.x`).
fn declared_node_major(file: &Path) -> Option<u32> {
    let fixtures = root().join(FIXTURES);
    let mut dir = file.parent()?;
    while dir.starts_with(&fixtures) && dir != fixtures {
        if let Ok(text) = std::fs::read_to_string(dir.join("package.json")) {
            let manifest: serde_json::Value = serde_json::from_str(&text).ok()?;
            let range = manifest.get("engines")?.get("node")?.as_str()?;
            let digits: String =
                range.chars().skip_while(|c| !c.is_ascii_digit()).take_while(char::is_ascii_digit).collect();
            return digits.parse().ok();
        }
        dir = dir.parent()?;
    }
    None
}

/// The ECMAScript version whose syntax Node `major` parses, for the Nodes older than 14 (`None` from 14 on).
fn ecma_version_of_node(major: u32) -> Option<u32> {
    match major {
        0..=9 => Some(2017),
        10..=11 => Some(2018),
        12..=13 => Some(2019),
        _ => None,
    }
}

/// Each written file and each original of [`written_over_fixtures`], once.
fn both_sides(written: &[(String, PathBuf, PathBuf)]) -> Vec<&PathBuf> {
    let mut files: Vec<&PathBuf> = written.iter().flat_map(|(_, out, original)| [out, original]).collect();
    files.sort();
    files.dedup();
    files
}

/// Every JavaScript file the tool writes over the fixtures, written under `scratch`: (what ran, the written file, its
/// original, or itself for a module the run creates). The runs: all transforms together with the default options and with each suite's options, and each
/// suite's transform alone as its cases run it.
fn written_over_fixtures(scratch: &Path) -> Result<Vec<(String, PathBuf, PathBuf)>, String> {
    let (suites, _) = suites()?;
    let defaults = resolve_args::<[&str; 0], &str>([])?;
    // (what ran, the folder it ran over (relative to FIXTURES), the transforms and options).
    let mut runs: Vec<(String, PathBuf, Resolved)> = vec![("every transform".to_string(), PathBuf::new(), defaults)];
    for suite in &suites {
        let args = suite_args(&suite.id)?;
        if !args.is_empty() {
            runs.push((
                format!("every transform with {}", args.join(" ")),
                PathBuf::from(&suite.id),
                resolve_args(&args)?,
            ));
        }
        runs.push((format!("{} alone", suite.id), PathBuf::from(&suite.id), resolve_suite(&suite.id)?));
    }
    let mut written: Vec<(String, PathBuf, PathBuf)> = Vec::new();
    for (i, (what, dir, Resolved { transforms, options, .. })) in runs.iter().enumerate() {
        let copy = scratch.join(format!("run-{i}"));
        common::copy_dir(&root().join(FIXTURES).join(dir), &copy);
        let result = run_with(std::slice::from_ref(&copy), transforms, options);
        for change in result.changes.iter().filter(|c| !c.is_manifest) {
            let ext = change.path.extension().and_then(|e| e.to_str()).unwrap_or("");
            if !["js", "mjs", "cjs"].contains(&ext) {
                continue;
            }
            std::fs::write(&change.path, &*change.updated()).map_err(|e| e.to_string())?;
            let rel = change.path.strip_prefix(&copy).map_err(|e| e.to_string())?;
            // (A new module has no original: it stands for itself, and must load.)
            let original = if change.created { change.path.clone() } else { root().join(FIXTURES).join(dir).join(rel) };
            written.push((what.clone(), change.path.clone(), original));
        }
    }
    if written.len() < 100 {
        return Err(format!("only {} JavaScript files written over every fixture", written.len()));
    }
    Ok(written)
}

/// acorn's verdict on each file (`Err` holds its message and the line) read as ES5, from one `node` process running
/// `tests/es5-check/check.js`; acorn is installed there with `npm ci` when it is not yet.
fn es5_check(files: &[&PathBuf], scratch: &Path) -> Result<BTreeMap<PathBuf, Result<(), String>>, String> {
    es_check(files, 5, scratch)
}

/// acorn's verdict on each file read as ECMAScript `version` (5, 2017, 2019, ...), as [`es5_check`] runs it.
fn es_check(files: &[&PathBuf], version: u32, scratch: &Path) -> Result<BTreeMap<PathBuf, Result<(), String>>, String> {
    let dir = root().join("tests/es5-check");
    // (One install at a time: the tests run in parallel, and a second `npm ci` empties node_modules while the first
    // one's check reads acorn from it. Found on a fresh clone: "Cannot find module 'acorn'".)
    static INSTALL: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let installing = INSTALL.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    if !dir.join("node_modules/acorn/package.json").exists() {
        let npm = std::process::Command::new("npm")
            .args(["ci", "--ignore-scripts", "--no-audit", "--no-fund"])
            .current_dir(&dir)
            .output()
            .map_err(|e| format!("npm must be installed (scripts/test.sh installs it): {e}"))?;
        if !npm.status.success() {
            return Err(format!("npm ci in tests/es5-check failed: {}", String::from_utf8_lossy(&npm.stderr)));
        }
    }
    drop(installing);
    script_verdicts("tests/es5-check/check.js", &[], &[&version.to_string()], files, scratch)
}

/// Node's verdict on each file (`Err` holds its message), from one `node` process running
/// `tests/node-check/check.js`.
fn node_check(files: &[&PathBuf], scratch: &Path) -> Result<BTreeMap<PathBuf, Result<(), String>>, String> {
    script_verdicts("tests/node-check/check.js", &["--experimental-vm-modules", "--no-warnings"], &[], files, scratch)
}

/// The verdict on each file (`Err` holds its message) of one `node` process (with `flags`) running `script` (a
/// path from the repository's root) over a list of the files, then `args`; the script prints one JSON line per file,
/// `{"file": ..., "ok": true}` or `{"file": ..., "ok": false, "message": ...}`.
fn script_verdicts(
    script: &str,
    flags: &[&str],
    args: &[&str],
    files: &[&PathBuf],
    scratch: &Path,
) -> Result<BTreeMap<PathBuf, Result<(), String>>, String> {
    let list = scratch.join(format!("check-list{}.txt", args.join("-")));
    let names: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
    std::fs::write(&list, names.join("\n")).map_err(|e| e.to_string())?;
    let out = std::process::Command::new("node")
        .args(flags)
        .arg(root().join(script))
        .arg(&list)
        .args(args)
        .output()
        .map_err(|e| format!("node must be installed (Node 20 or later): {e}"))?;
    if !out.status.success() {
        return Err(format!("{script} failed: {}", String::from_utf8_lossy(&out.stderr)));
    }
    let mut verdicts = BTreeMap::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let v: serde_json::Value = serde_json::from_str(line).map_err(|e| format!("{e}: {line}"))?;
        let file = PathBuf::from(v["file"].as_str().unwrap_or_default());
        let verdict = match v["ok"].as_bool() {
            Some(true) => Ok(()),
            _ => Err(v["message"].as_str().unwrap_or("refused").to_string()),
        };
        verdicts.insert(file, verdict);
    }
    Ok(verdicts)
}

/// Every finding rule the fixture cases produce, with the cases that produce it. Each case runs as its suite runs it
/// (its transform alone, with the suite's options) and with every transform together, with the default options and
/// with the suite's, and without the transform's companions (skipped by name): some rules are reported by whichever
/// transform comes first (`trust-proxy`) or only when another transform is not selected
/// (`express-version/major-change`, `express5/version-skipped`). A suite whose options are wrong is left out (its
/// `suite/<id>` test fails).
fn emitted_rules() -> &'static BTreeMap<String, BTreeSet<String>> {
    static RULES: OnceLock<BTreeMap<String, BTreeSet<String>>> = OnceLock::new();
    RULES.get_or_init(|| {
        let mut rules: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        let Ok((suites, _)) = suites() else { return rules };
        for suite in suites {
            let Ok(args) = suite_args(&suite.id) else { continue };
            let mut runs = vec![resolve_suite(&suite.id), resolve_args::<[&str; 0], &str>([])];
            if !args.is_empty() {
                runs.push(resolve_args(&args));
            }
            // The transform without its companions, skipped by name (`--skip express-version`).
            let companions: Vec<String> = registry()
                .iter()
                .find(|t| t.info().id == suite.id)
                .map(|t| t.companions().iter().map(|c| c.to_string()).collect())
                .unwrap_or_default();
            if !companions.is_empty() {
                let mut alone =
                    vec!["--only".to_string(), suite.id.clone(), "--skip".to_string(), companions.join(",")];
                alone.extend(args.iter().cloned());
                runs.push(resolve_args(&alone));
            }
            let runs: Vec<Resolved> = runs.into_iter().filter_map(Result::ok).collect();
            for case in &suite.cases {
                let rel_case = suite.dir().join(case);
                let name = format!("{}/{case}", suite.id);
                for Resolved { transforms, options, .. } in &runs {
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
fn every_emitted_finding_is_in_its_transform_catalog() -> Result<(), String> {
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
    if missing.is_empty() {
        Ok(())
    } else {
        Err(format!("findings missing from the catalogs:\n{}", missing.join("\n")))
    }
}

/// Each rule of a catalog is produced by at least one fixture case, so that no catalog entry describes a finding that
/// cannot happen (or was renamed).
fn every_catalog_finding_is_emitted_by_a_fixture() -> Result<(), String> {
    // A file over the size limit (1 MiB) would be a megabyte of fixture, and a fixture is run on its whole folder:
    // `tests/cli.rs` produces these (`a_file_over_the_size_limit_is_named_and_left_alone_unless_included`,
    // `a_file_is_hardened_with_its_project_read_for_context_and_nothing_else_changes`).
    const PRODUCED_ELSEWHERE: [&str; 2] = ["engine/too-large", "engine/outside-paths"];
    let emitted = emitted_rules();
    let unused: Vec<String> = known_rules()
        .iter()
        .filter(|rule| !emitted.contains_key(*rule) && !PRODUCED_ELSEWHERE.contains(&rule.as_str()))
        .cloned()
        .collect();
    if unused.is_empty() {
        Ok(())
    } else {
        Err(format!("catalog rules no fixture case produces:\n{}", unused.join("\n")))
    }
}

/// Catalog descriptions are SARIF short descriptions: one line of at most 160 characters, ending with a period.
fn catalog_descriptions_are_one_short_sentence() -> Result<(), String> {
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
    if bad.is_empty() {
        Ok(())
    } else {
        Err(format!("catalog descriptions that are not one short sentence:\n{}", bad.join("\n")))
    }
}
