//! The transform catalogue (`transforms/<id>/`) against the code: each README's "## Findings" table lists exactly the
//! kinds of findings of its data.json with their severities (and engine rules the engine really reports for the
//! example), every finding the fixture snapshots record has its catalogue severity, and each README's before/after
//! example is what the transform really writes.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use express_harden::pipeline::{run_with, RunResult};
use express_harden::transform::Severity;
use express_harden::transforms::registry;

const REPO: &str = env!("CARGO_MANIFEST_DIR");

fn readme(id: &str) -> String {
    let path = Path::new(REPO).join("transforms").join(id).join("README.md");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn severity(word: &str) -> Option<Severity> {
    match word {
        "error" => Some(Severity::Error),
        "warning" => Some(Severity::Warning),
        "info" => Some(Severity::Info),
        _ => None,
    }
}

/// One row of a README's Findings table.
#[derive(Debug)]
struct Row {
    /// `transform/rule` or `engine/rule`.
    rule: String,
    severity: Severity,
}

/// The rows of the table of the `## Findings` section: `| rule | severity | meaning |`, one backticked rule per row,
/// a severity word and a meaning that is not empty. A section without a table lists nothing (a transform that
/// reports nothing says so in words). A missing section or a malformed table is an error naming the line.
fn findings_table(text: &str) -> Result<Vec<Row>, String> {
    let mut lines = text.lines();
    if !lines.by_ref().any(|l| l.trim_end() == "## Findings") {
        return Err("no `## Findings` section".to_string());
    }
    let section = lines.take_while(|l| !l.starts_with("# ") && !l.starts_with("## "));
    let mut table = section.skip_while(|l| !l.starts_with('|')).take_while(|l| l.starts_with('|'));
    let Some(header) = table.next() else { return Ok(Vec::new()) };
    let cells = |line: &str| -> Vec<String> {
        // The meaning may hold `|` (inside code): only the first two separators split.
        let inner = line.trim().trim_start_matches('|').trim_end_matches('|');
        inner.splitn(3, '|').map(|c| c.trim().to_string()).collect()
    };
    if cells(header) != ["rule", "severity", "meaning"] {
        return Err(format!("the table's header is not `| rule | severity | meaning |`: {header}"));
    }
    table.next(); // |---|---|---|
    let mut rows = Vec::new();
    for line in table {
        let [rule, sev, meaning] = <[String; 3]>::try_from(cells(line)).map_err(|_| format!("not 3 cells: {line}"))?;
        let rule = rule
            .strip_prefix('`')
            .and_then(|r| r.strip_suffix('`'))
            .filter(|r| !r.contains('`') && r.contains('/'))
            .ok_or_else(|| format!("the rule cell is not one `transform/rule`: {line}"))?;
        let severity = severity(&sev).ok_or_else(|| format!("`{sev}` is not error, warning or info: {line}"))?;
        if meaning.is_empty() {
            return Err(format!("no meaning: {line}"));
        }
        rows.push(Row { rule: rule.to_string(), severity });
    }
    Ok(rows)
}

/// Each README's Findings table lists every kind of finding of the transform's catalogue with its severity, and
/// nothing else but engine rules (which the example test checks the engine really reports).
#[test]
fn every_readme_findings_table_matches_the_catalogue() {
    let mut problems = Vec::new();
    for transform in registry() {
        let info = transform.info();
        let id = info.id;
        let rows = match findings_table(&readme(id)) {
            Ok(rows) => rows,
            Err(e) => {
                problems.push(format!("transforms/{id}/README.md: {e}"));
                continue;
            }
        };
        let mut listed = BTreeMap::new();
        for row in &rows {
            if listed.insert(row.rule.clone(), row.severity).is_some() {
                problems.push(format!("transforms/{id}/README.md: {} is listed twice", row.rule));
            }
            if row.rule.starts_with("engine/") {
                continue;
            }
            let Some(name) = row.rule.strip_prefix(&format!("{id}/")) else {
                problems.push(format!("transforms/{id}/README.md: {} is not a rule of {id}", row.rule));
                continue;
            };
            match info.severity_of(name) {
                None => problems.push(format!("transforms/{id}/README.md: {} is not in data.json", row.rule)),
                Some(s) if s != row.severity => problems.push(format!(
                    "transforms/{id}/README.md: {} is {} in the README but {} in data.json",
                    row.rule,
                    row.severity.label(),
                    s.label()
                )),
                Some(_) => {}
            }
        }
        for (name, severity) in &info.severities {
            let rule = format!("{id}/{name}");
            if !listed.contains_key(&rule) {
                problems.push(format!("transforms/{id}/README.md: {rule} ({}) is missing", severity.label()));
            }
        }
    }
    assert!(problems.is_empty(), "README findings tables out of step with data.json:\n{}", problems.join("\n"));
}

/// Each data file names its transform (`id`) and its README (`docs`: what `express-harden list` and SARIF link to).
/// A transform whose data.json is a table in a format of its own (advisories) describes itself in `transform.json`.
#[test]
fn every_data_file_names_its_transform_and_readme() {
    let mut problems = Vec::new();
    for transform in registry() {
        let info = transform.info();
        let id = info.id;
        let folder = Path::new(REPO).join("transforms").join(id);
        let own = folder.join("transform.json");
        let path = if own.is_file() { own } else { folder.join("data.json") };
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let data: serde_json::Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        if data["id"] != id {
            problems.push(format!("transforms/{id}/data.json: `id` is {}, not \"{id}\"", data["id"]));
        }
        let readme = format!("transforms/{id}/README.md");
        if info.docs != readme {
            problems.push(format!("transforms/{id}/data.json: `docs` is {:?}, not {readme:?}", info.docs));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Every finding the fixture snapshots record (`finding: path:line:col SEVERITY [rule] message`) has the severity
/// its catalogue gives its rule: the catalogue (and so SARIF's default levels) says what the code does.
#[test]
fn every_finding_in_the_fixture_snapshots_has_its_catalogue_severity() {
    let infos: BTreeMap<&str, _> = registry().into_iter().map(|t| (t.info().id, t)).collect();
    let mut problems = Vec::new();
    let mut seen = 0;
    let dir = Path::new(REPO).join("snapshots");
    for entry in std::fs::read_dir(&dir).expect("snapshots").flatten() {
        let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
        for line in text.lines().filter_map(|l| l.strip_prefix("finding: ")) {
            let mut words = line.split(' ');
            let (_at, sev, rule) = (words.next(), words.next().unwrap_or(""), words.next().unwrap_or(""));
            let rule = rule.trim_start_matches('[').trim_end_matches(']');
            let Some((id, name)) = rule.split_once('/') else { continue };
            if id == "engine" {
                continue;
            }
            seen += 1;
            let expected = infos.get(id).and_then(|t| t.info().severity_of(name));
            if expected.map(Severity::label) != Some(sev) {
                problems.push(format!(
                    "{}: {rule} is {sev}, the catalogue says {}",
                    entry.file_name().to_string_lossy(),
                    expected.map_or("nothing", Severity::label)
                ));
            }
        }
    }
    assert!(seen > 100, "the snapshots record findings as `finding: path:line:col SEVERITY [rule] message`");
    assert!(problems.is_empty(), "findings whose severity is not the catalogue's:\n{}", problems.join("\n"));
}

/// A README's example: the file it is written to, its text before and after, and the findings the README says the
/// run reports for it (a paragraph after the block starting `Here the run also reports`, naming each rule in
/// backticks), if it says.
struct Example {
    file: &'static str,
    before: String,
    after: String,
    reports: Option<BTreeSet<String>>,
}

/// The first fenced block (```js, ```ts or, for package.json, ```jsonc) holding a line `// before` and a later line
/// `// after` (either may say more after the words: `// after (package.json has no database client: Redis)`).
/// Each part is its lines without the blank lines around them, ending with a newline.
fn example(text: &str) -> Option<Example> {
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        let Some(lang) = line.strip_prefix("```") else { continue };
        let block: Vec<&str> = lines.by_ref().take_while(|l| !l.starts_with("```")).collect();
        let file = match lang.trim() {
            "js" => "app.js",
            "ts" => "app.ts",
            "jsonc" => "package.json",
            _ => continue,
        };
        let Some(b) = block.iter().position(|l| l.starts_with("// before")) else { continue };
        let Some(a) = block.iter().position(|l| l.starts_with("// after")).filter(|a| *a > b) else { continue };
        let part = |lines: &[&str]| {
            let start = lines.iter().position(|l| !l.trim().is_empty()).unwrap_or(lines.len());
            let end = lines.iter().rposition(|l| !l.trim().is_empty()).map_or(start, |e| e + 1);
            lines[start..end].iter().map(|l| format!("{l}\n")).collect::<String>()
        };
        let paragraph: Vec<&str> =
            lines.skip_while(|l| l.trim().is_empty()).take_while(|l| !l.trim().is_empty()).collect();
        let paragraph = paragraph.join(" ");
        let reports = paragraph
            .starts_with("Here the run also reports")
            .then(|| paragraph.split('`').skip(1).step_by(2).filter(|w| w.contains('/')).map(str::to_string).collect());
        return Some(Example { file, before: part(&block[b + 1..a]), after: part(&block[a + 1..]), reports });
    }
    None
}

/// The `express` range of the package.json next to an example: `^4.22.3`, unless the README says otherwise in a
/// comment before the example (`<!-- example: express ~3.21.2 -->`: express4 migrates Express 3 projects).
fn example_express(readme: &str) -> String {
    readme
        .lines()
        .find_map(|l| {
            l.trim().strip_prefix("<!-- example: express ")?.strip_suffix("-->").map(|v| v.trim().to_string())
        })
        .unwrap_or_else(|| "^4.22.3".to_string())
}

/// The options the transform's fixture suite runs with (`tests/fixtures/<id>/args`: express5 needs `--express 5`).
fn suite_args(id: &str) -> Vec<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(id).join("args");
    std::fs::read_to_string(path).map(|a| a.split_whitespace().map(str::to_string).collect()).unwrap_or_default()
}

/// Runs transform `id` alone (as `express-harden --only <id>` with its suite's options) over `dir`.
fn run_alone(id: &str, dir: &Path) -> RunResult {
    let args = ["--only".to_string(), id.to_string()].into_iter().chain(suite_args(id));
    let resolved = express_harden::cli::resolve_args(args).unwrap_or_else(|e| panic!("{id}: {e}"));
    run_with(&[dir.to_path_buf()], &resolved.transforms, &resolved.options)
}

fn temp_project(files: &[(&str, &str)]) -> (tempfile::TempDir, PathBuf) {
    // Not tempfile's default `.tmpXXXX`: no dot folder in the path.
    let tmp = tempfile::Builder::new().prefix("express-harden-catalogue-").tempdir().expect("tempdir");
    let dir = tmp.path().join("app");
    std::fs::create_dir_all(&dir).expect("mkdir");
    for (name, text) in files {
        std::fs::write(dir.join(name), text).expect("write");
    }
    (tmp, dir)
}

/// Runs transform `id` alone over an example's before part, next to a minimal package.json naming `express` (unless
/// the example is the package.json): the run, and the text it gives the example's file (the before part when it
/// changes nothing). The temporary folder lives as long as the first value.
fn run_example(id: &str, example: &Example, express: &str) -> (tempfile::TempDir, RunResult, String) {
    let manifest = format!("{{\n  \"dependencies\": {{\n    \"express\": \"{express}\"\n  }}\n}}\n");
    let mut files = vec![(example.file, example.before.as_str())];
    if example.file != "package.json" {
        files.push(("package.json", manifest.as_str()));
    }
    // A transform that reads the lockfile (advisories) has the one its example installs beside it.
    let lock = Path::new(REPO).join("transforms").join(id).join("example-package-lock.json");
    let lock = std::fs::read_to_string(lock).unwrap_or_default();
    if !lock.is_empty() {
        files.push(("package-lock.json", lock.as_str()));
    }
    let (tmp, dir) = temp_project(&files);
    let result = run_alone(id, &dir);
    // (Paths come back as the pipeline shows them: a manifest's relative to the current folder.)
    let target = dir.join(example.file).canonicalize().expect("written");
    let written = result
        .changes
        .iter()
        .find(|c| c.path.canonicalize().is_ok_and(|p| p == target))
        .map_or_else(|| example.before.clone(), |c| c.updated().into_owned());
    (tmp, result, written)
}

/// Each README's before/after example is what the transform writes: the before part, in a project with a minimal
/// package.json, run through the transform alone, gives exactly the after part. Where the README's Findings table
/// lists engine rules, the example without any package.json gives each of them with the listed severity.
#[test]
fn every_readme_example_is_what_the_transform_writes() {
    let mut problems = Vec::new();
    for transform in registry() {
        let id = transform.info().id;
        let text = readme(id);
        let Some(example) = example(&text) else {
            problems.push(format!(
                "transforms/{id}/README.md: no ```js/```ts/```jsonc block with `// before` and `// after`"
            ));
            continue;
        };
        let (_tmp, result, written) = run_example(id, &example, &example_express(&text));
        if !result.errors.is_empty() {
            problems.push(format!("transforms/{id}/README.md: the example could not be handled: {:?}", result.errors));
        }
        if written != example.after {
            problems.push(format!(
                "transforms/{id}/README.md: the example's after part is not what the tool writes.\n--- README\n{}--- tool\n{written}---",
                example.after
            ));
        }
        if let Some(said) = &example.reports {
            let reported: BTreeSet<String> = result.findings.iter().map(|f| f.rule.clone()).collect();
            if *said != reported {
                problems.push(format!(
                    "transforms/{id}/README.md: the example is said to report {said:?}, the tool reports {reported:?}"
                ));
            }
        }

        // Engine rules in the Findings table: reported for the example when no package.json is found above it.
        let engine: Vec<Row> =
            findings_table(&text).unwrap_or_default().into_iter().filter(|r| r.rule.starts_with("engine/")).collect();
        if engine.is_empty() {
            continue;
        }
        let (_tmp, alone) = temp_project(&[(example.file, example.before.as_str())]);
        let result = run_alone(id, &alone);
        for row in engine {
            if !result.findings.iter().any(|f| f.rule == row.rule && f.severity == row.severity) {
                problems.push(format!(
                    "transforms/{id}/README.md: {} ({}) is not reported for the example without a package.json: {:?}",
                    row.rule,
                    row.severity.label(),
                    result.findings.iter().map(|f| (&f.rule, f.severity)).collect::<Vec<_>>()
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}

/// The before -> after example each transform's module opens with (its doc comment, the rust-analyzer way) is what
/// the transform writes too, in a project set up as for its README's example: the two examples cannot drift from
/// the tool (nor from each other's truth).
#[test]
fn every_module_doc_example_is_what_the_transform_writes() {
    let mut problems = Vec::new();
    for transform in registry() {
        let id = transform.info().id;
        let module =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("src/transforms").join(format!("{}.rs", id.replace('-', "_")));
        let source = std::fs::read_to_string(&module).unwrap_or_else(|e| panic!("{}: {e}", module.display()));
        let doc: String = source
            .lines()
            .take_while(|l| l.starts_with("//!"))
            .map(|l| format!("{}\n", l.strip_prefix("//! ").or_else(|| l.strip_prefix("//!")).unwrap_or(l)))
            .collect();
        let shown = format!("src/transforms/{}.rs", id.replace('-', "_"));
        let Some(example) = example(&doc) else {
            problems.push(format!(
                "{shown}: the module doc has no ```js/```ts/```jsonc block with `// before` and `// after`"
            ));
            continue;
        };
        let (_tmp, _, written) = run_example(id, &example, &example_express(&readme(id)));
        if written != example.after {
            problems.push(format!(
                "{shown}: the module doc's after part is not what the tool writes.\n--- doc\n{}--- tool\n{written}---",
                example.after
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}
