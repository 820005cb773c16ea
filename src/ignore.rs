//! The per-line opt-out: a comment `// express-harden-ignore` (or `/* express-harden-ignore */`) on the line above a
//! statement or property, or after it on its line, keeps every transform from changing it; `// express-harden-ignore res-cookie helmet` keeps
//! only the transforms it names. The engine drops what a transform planned there, with a finding that says so, so a
//! second run and `--check` leave it as it is.

use std::ops::Range;

use swc_ecma_ast::{ModuleItem, PropOrSpread, Stmt};
use swc_ecma_visit::{Visit, VisitWith};

use crate::edit::Edit;
use crate::parse::{parse, range_of, ByteRange};
use crate::source::SourceFile;
use crate::transform::{FilePlan, Finding, Severity};

/// The word that starts an opt-out comment.
pub const DIRECTIVE: &str = "express-harden-ignore";

/// The engine's rule for a change an opt-out comment kept from being made.
pub const RULE: &str = "engine/ignored";

/// The engine's rule for an opt-out comment that names something that is not a transform (`res-cooky`).
pub const UNKNOWN_RULE: &str = "engine/unknown-ignore-id";

/// A warning for each opt-out comment of `file` (whose comments are at `comments`) that names an id not in `known`:
/// a misspelt id keeps nothing from being changed, which a user who wrote it would not notice otherwise.
#[must_use]
pub fn unknown_ids(file: &SourceFile, comments: &[ByteRange], known: &[&str]) -> Vec<Finding> {
    let mut out = Vec::new();
    for range in comments {
        let Some(ids) = file.code.get(range.range()).and_then(directive_ids) else { continue };
        let (unknown, valid): (Vec<&String>, Vec<&String>) = ids.iter().partition(|id| !known.contains(&id.as_str()));
        if unknown.is_empty() {
            continue;
        }
        let (line, column) = file.line_col(range.start());
        let names = unknown.iter().map(|id| format!("`{id}`")).collect::<Vec<_>>().join(", ");
        let effect = if valid.is_empty() {
            "it keeps no change from being made".to_string()
        } else {
            let valid = valid.iter().map(|id| id.as_str()).collect::<Vec<_>>().join(", ");
            format!("it keeps only the changes of {valid} from being made")
        };
        let what = if unknown.len() == 1 { "is not a transform id" } else { "are not transform ids" };
        out.push(Finding {
            rule: UNKNOWN_RULE.to_string(),
            transform: "engine",
            path: file.path.clone(),
            line,
            column,
            message: format!(
                "this {DIRECTIVE} comment names {names}, which {what} ({effect}); the ids are: {}",
                known.join(", ")
            ),
            severity: Severity::Warning,
        });
    }
    out
}

/// One opt-out comment and the code it covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ignore {
    /// The transforms it names; empty: every transform.
    pub ids: Vec<String>,
    /// 1-based line of the comment.
    pub line: usize,
    /// Where the statement or property it is about starts: on the line below it, or after it on its own line.
    pub target: usize,
    /// From the start of the comment's line (code a transform inserts before the statement goes there) to the end
    /// of the statement's last line (where code that goes with it is inserted), or to the end of the property (new
    /// properties inserted after it are not about it).
    pub covers: Range<usize>,
}

impl Ignore {
    fn applies_to(&self, id: &str) -> bool {
        self.ids.is_empty() || self.ids.iter().any(|i| i == id)
    }
}

/// The opt-out comments of `file` (whose comments are at `comments`) that cover some code. Parses the file again, only
/// when it holds one.
#[must_use]
pub fn find(file: &SourceFile, comments: &[ByteRange]) -> Vec<Ignore> {
    let directives: Vec<(Vec<String>, Range<usize>)> = comments
        .iter()
        .filter_map(|range| Some((directive_ids(file.code.get(range.range())?)?, range.range())))
        .collect();
    if directives.is_empty() {
        return Vec::new();
    }
    let Ok(parsed) = parse(file, &file.code) else { return Vec::new() };
    let mut starts = Starts::default();
    parsed.program.visit_with(&mut starts);
    directives
        .into_iter()
        .filter_map(|(ids, comment)| {
            let (line, _) = file.line_col(comment.start);
            let (end_line, _) = file.line_col(comment.end);
            let line_start = file.line_start_of(comment.start);
            let trailing = !file.code[line_start..comment.start].trim().is_empty();
            let (target, property) = if trailing {
                // After code on its line (`res.cookie(...); // express-harden-ignore`): the statement or property
                // it trails, the one that ends last before it on that line (the outermost of those).
                starts
                    .ranges
                    .iter()
                    .filter(|(r, _)| r.end <= comment.start && file.line_col(r.end).0 == line)
                    .max_by_key(|(r, _)| (r.end, std::cmp::Reverse(r.start)))?
            } else {
                // The first statement or property that starts after the comment, on its last line or the next one;
                // the outermost of those that start there.
                starts
                    .ranges
                    .iter()
                    .filter(|(r, _)| r.start >= comment.end && file.line_col(r.start).0 <= end_line + 1)
                    .min_by_key(|(r, _)| (r.start, std::cmp::Reverse(r.end)))?
            };
            let start = if trailing { file.line_start_of(target.start) } else { line_start };
            let end = if *property { target.end } else { line_end(&file.code, target.end) };
            Some(Ignore { ids, line, target: target.start, covers: start..end })
        })
        .collect()
}

/// The offset after the line break (`\n`, `\r\n` or a lone `\r`) that ends the line holding `at` (the end of the
/// text on the last line).
fn line_end(code: &str, at: usize) -> usize {
    let Some(n) = code.get(at..).and_then(|rest| rest.find(['\n', '\r'])) else { return code.len() };
    let after = at + n + 1;
    if code.as_bytes()[at + n] == b'\r' && code.as_bytes().get(after) == Some(&b'\n') {
        after + 1
    } else {
        after
    }
}

/// The transform ids of an opt-out comment (`//` or `/* */` with its delimiters), or `None` when it is not one.
fn directive_ids(comment: &str) -> Option<Vec<String>> {
    let body = comment.strip_prefix("//").or_else(|| comment.strip_prefix("/*")?.strip_suffix("*/"))?;
    let body = body.trim().trim_start_matches('*').trim();
    let rest = body.strip_prefix(DIRECTIVE)?;
    if !(rest.is_empty() || rest.starts_with(char::is_whitespace) || rest.starts_with(':')) {
        return None;
    }
    // Ids, up to a `--` that starts a reason: `// express-harden-ignore res-cookie -- read by the widget`.
    let ids = rest
        .trim_start_matches(':')
        .split_whitespace()
        .take_while(|w| *w != "--")
        .flat_map(|w| w.split(','))
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect();
    Some(ids)
}

/// Where statements and object properties start and end, each with whether it is a property.
#[derive(Default)]
struct Starts {
    ranges: Vec<(Range<usize>, bool)>,
}

impl Visit for Starts {
    fn visit_module_item(&mut self, item: &ModuleItem) {
        self.ranges.push((range_of(item), false));
        item.visit_children_with(self);
    }

    fn visit_stmt(&mut self, stmt: &Stmt) {
        self.ranges.push((range_of(stmt), false));
        stmt.visit_children_with(self);
    }

    fn visit_prop_or_spread(&mut self, prop: &PropOrSpread) {
        self.ranges.push((range_of(prop), true));
        prop.visit_children_with(self);
    }
}

/// Where one transform's part of a [`FilePlan`] starts: the lengths of its lists before the transform planned.
#[derive(Debug, Clone, Copy)]
pub struct PlanStart {
    edits: usize,
    new_objects: usize,
    dependencies: usize,
    findings: usize,
    next_steps: usize,
}

impl PlanStart {
    /// The current end of each of `plan`'s lists.
    #[must_use]
    pub fn of(plan: &FilePlan) -> PlanStart {
        PlanStart {
            edits: plan.edits.len(),
            new_objects: plan.new_objects.len(),
            dependencies: plan.dependencies.len(),
            findings: plan.findings.len(),
            next_steps: plan.next_steps.len(),
        }
    }
}

/// Drops from `plan` what transform `id` planned after `start` inside code an opt-out comment covers for it (its
/// edits, its new-object parts, its findings there), and reports each comment that kept something. When only
/// supporting edits are left (insertions among the imports, before the first other statement: the import or helper
/// the dropped code needed; up to the end of the line of `support_end`), they go too, with the transform's packages
/// and next steps.
pub fn apply(
    file: &SourceFile,
    ignores: &[Ignore],
    id: &'static str,
    plan: &mut FilePlan,
    start: PlanStart,
    support_end: usize,
) {
    let support_end = line_end(&file.code, support_end);
    let covering = |at: usize| ignores.iter().find(|i| i.applies_to(id) && i.covers.contains(&at));
    let mut used: Vec<&Ignore> = Vec::new();
    let mut kept_edits: Vec<Edit> = Vec::new();
    for edit in plan.edits.drain(start.edits..) {
        match covering(edit.range.start) {
            Some(ignore) => used.push(ignore),
            None => kept_edits.push(edit),
        }
    }
    let mut kept_parts = Vec::new();
    for part in plan.new_objects.drain(start.new_objects..) {
        match covering(part.at) {
            Some(ignore) => used.push(ignore),
            None => kept_parts.push(part),
        }
    }
    if used.is_empty() {
        plan.edits.extend(kept_edits);
        plan.new_objects.extend(kept_parts);
        return;
    }
    if kept_parts.is_empty() && kept_edits.iter().all(|e| e.range.is_empty() && e.range.start <= support_end) {
        kept_edits.clear();
        plan.dependencies.truncate(start.dependencies);
        plan.next_steps.truncate(start.next_steps);
    }
    plan.edits.extend(kept_edits);
    plan.new_objects.extend(kept_parts);
    used.sort_by_key(|i| i.line);
    used.dedup();
    // What the transform says about the code it was asked to leave alone (a flag it would have added) goes too.
    let lines: Vec<(usize, usize)> = used
        .iter()
        .map(|i| (file.line_col(i.covers.start).0, file.line_col(i.covers.end.saturating_sub(1)).0))
        .collect();
    let mut index = 0;
    plan.findings.retain(|f| {
        index += 1;
        index <= start.findings || !lines.iter().any(|(first, last)| (*first..=*last).contains(&f.line))
    });
    for ignore in used {
        let (line, column) = file.line_col(ignore.target);
        plan.findings.push(Finding {
            rule: RULE.to_string(),
            transform: id,
            path: file.path.clone(),
            line,
            column,
            message: format!("the {id} change here was skipped by the {DIRECTIVE} comment on line {}", ignore.line),
            severity: Severity::Info,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn ignores(code: &str) -> Vec<(Vec<String>, usize, String)> {
        let file = SourceFile::new(PathBuf::from("a.js"), code.to_string());
        let comments = parse(&file, &file.code).map(|p| p.comments).unwrap_or_default();
        find(&file, &comments)
            .into_iter()
            .map(|i| (i.ids, i.line, file.code[i.target..i.covers.end].to_string()))
            .collect()
    }

    #[test]
    fn unknown_ids_are_reported_with_the_known_ones() {
        let code = "// express-harden-ignore res-cooky\nres.cookie('a', 'b');\n// express-harden-ignore helmet, nope\nf();\n// express-harden-ignore res-cookie\ng();\n";
        let file = SourceFile::new(PathBuf::from("a.js"), code.to_string());
        let comments = parse(&file, &file.code).map(|p| p.comments).unwrap_or_default();
        let found = unknown_ids(&file, &comments, &["helmet", "res-cookie"]);
        let got: Vec<(usize, &str)> = found.iter().map(|f| (f.line, f.message.as_str())).collect();
        assert_eq!(
            got,
            [
                (1, "this express-harden-ignore comment names `res-cooky`, which is not a transform id (it keeps no change from being made); the ids are: helmet, res-cookie"),
                (3, "this express-harden-ignore comment names `nope`, which is not a transform id (it keeps only the changes of helmet from being made); the ids are: helmet, res-cookie"),
            ]
        );
    }

    #[test]
    fn directive_forms() {
        assert_eq!(directive_ids("// express-harden-ignore"), Some(vec![]));
        assert_eq!(directive_ids("//express-harden-ignore res-cookie"), Some(vec!["res-cookie".to_string()]));
        assert_eq!(
            directive_ids("/* express-harden-ignore helmet,res-cookie */"),
            Some(vec!["helmet".into(), "res-cookie".into()])
        );
        assert_eq!(
            directive_ids("// express-harden-ignore: helmet -- embedded page"),
            Some(vec!["helmet".to_string()])
        );
        assert_eq!(directive_ids("// express-harden-ignored"), None);
        assert_eq!(directive_ids("// see express-harden-ignore"), None);
        assert_eq!(directive_ids("/** express-harden-ignore */"), Some(vec![]));
    }

    #[test]
    fn covers_the_statement_below_to_the_end_of_its_line() {
        let code =
            "const a = 1;\n// express-harden-ignore res-cookie\nres.cookie('t', v, {\n  maxAge: 1,\n});\nnext();\n";
        assert_eq!(
            ignores(code),
            vec![(vec!["res-cookie".to_string()], 2, "res.cookie('t', v, {\n  maxAge: 1,\n});\n".to_string())]
        );
    }

    #[test]
    fn covers_a_property_and_a_statement_on_the_same_line() {
        let code = "app.use(session({\n  // express-harden-ignore\n  cookie: { secure: false },\n  secret: s,\n}));\n/* express-harden-ignore helmet */ const app2 = express();\n";
        let got = ignores(code);
        assert_eq!(got[0], (vec![], 2, "cookie: { secure: false }".to_string()));
        assert_eq!(got[1], (vec!["helmet".to_string()], 6, "const app2 = express();\n".to_string()));
    }

    #[test]
    fn line_breaks_of_every_kind() {
        for eol in ["\n", "\r\n", "\r"] {
            let code = ["f();", "// express-harden-ignore", "g(1);", "h();", ""].join(eol);
            assert_eq!(ignores(&code), vec![(vec![], 2, format!("g(1);{eol}"))], "{eol:?}");
        }
    }

    #[test]
    fn a_trailing_comment_covers_the_code_it_trails_not_the_next_line() {
        let code = "res.cookie('token', 't', { maxAge: 1000 }); // express-harden-ignore res-cookie\nres.cookie('jwt', 't');\n";
        let found = ignores(code);
        assert_eq!(found.len(), 1);
        let (ids, line, covered) = &found[0];
        assert_eq!((ids.as_slice(), *line), (["res-cookie".to_string()].as_slice(), 1));
        assert!(covered.starts_with("res.cookie('token'") && !covered.contains("jwt"), "{covered:?}");
        let object =
            "app.use(session({\n  secret: 'keyboard cat', // express-harden-ignore secrets\n  resave: false,\n}));\n";
        let found = ignores(object);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].2, "secret: 'keyboard cat'");
    }

    #[test]
    fn a_comment_with_nothing_below_it_covers_nothing() {
        assert!(ignores("f();\n// express-harden-ignore\n\n\ng();\n").is_empty());
        // (A comment after code on its line is about that code.)
        assert_eq!(ignores("f(); // express-harden-ignore\n").len(), 1);
    }
}
