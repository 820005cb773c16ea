//! Verification of a rewritten file by parsing only what the edits change.
//!
//! The pipeline verifies every file it rewrites: the result must parse, and load in Node (no new early error). A
//! parse of the whole result costs as much as the first pass's parse of the file, and where every file changes it was
//! most of the run's parsing. Yet most of a rewritten file is the original's text, already parsed: the edits touch a
//! few top-level statements (the `session({...})` call, the line that creates the app), and insert a few whole
//! statements (a helper, a client set up, an import). [`verified_in_pieces`] parses those pieces alone, and says yes
//! only where the whole result must then parse and load too; else the caller parses the whole, as before.

use std::ops::Range;

use swc_ecma_ast::{Decl, ModuleItem, Program, Stmt};

use crate::analysis::FileFacts;
use crate::early_errors::{self, Mode, TopNames};
use crate::edit::Edit;
use crate::parse::ByteRange;
use crate::source::{ExtensionModule, SourceFile, SourceKind};

/// An insertion of at least this many bytes of whole statements is parsed once per run on its own, however many
/// files it goes into ([`crate::parse::parse_inserted`]): the secrets helper went into every file of a project where
/// every file changed. (Below this, parsing a text on its own and looking it up cost about what parsing it in the
/// file does.)
const LARGE: usize = 512;

/// Whether `updated`, the text `edits` make of `file` (whose facts are `facts`), parses and loads in Node, told by
/// parsing only the pieces the edits change. `false` when that cannot tell: the caller parses the whole.
///
/// The pieces: each group of edits with the original top-level statements they touch (a region), and each large
/// insertion of whole statements (parsed once per run). Everything else in the result is the original's top-level
/// statements, unchanged. The whole then parses as its pieces and its unchanged statements do, one after the other,
/// because:
/// - each piece parses on its own as top-level code of the file's kind (a module's items in a module; a script's
///   statements in a script, strict if the file is), ending with its last statement;
/// - nothing but blank space and comments lies between a piece and what is next to it, and a piece starts after the
///   shebang and the directive prologue (and does not start one: a directive would make the file strict);
/// - no statement can go on into the next one: the first ends with `;` (a function or class declaration ends too),
///   or the next starts with a word that cannot continue a statement (`function`, `const`, a name: not `in`,
///   `instanceof`, `as`, `satisfies`, `of`) on a later line. Where a piece leaves nothing (statements deleted), the
///   statements on either side of it are checked so.
///
/// And it loads as the original does, with no new early error, because an early error is either inside one top-level
/// statement (the pieces are checked, and the unchanged statements are the original's) or two declarations of one
/// name at the top level (or two exports of one name). The pieces are checked together; a name they declare that the
/// original never mentions clashes with nothing else, and any other name may not be declared (or exported) more often
/// than the original code the pieces replace did, counted by lexical and var-like declarations.
pub fn verified_in_pieces(file: &SourceFile, facts: &FileFacts, edits: &[Edit], updated: &str) -> bool {
    in_pieces(file, facts, edits, updated).is_some()
}

/// The ranges in `updated` of its top-level statements, as [`verified_in_pieces`] finds them when it says yes.
fn in_pieces(file: &SourceFile, facts: &FileFacts, edits: &[Edit], updated: &str) -> Option<Vec<ByteRange>> {
    let units = units(file, facts, edits, updated)?;
    Some(units.into_iter().flat_map(|u| u.statements).collect())
}

/// A unit of the result: a piece, or an unchanged top-level statement of the original.
struct Unit {
    /// Where it is in the original: a statement's range, a region's, an insertion's point.
    original: (usize, usize),
    /// Where it is in the result.
    result: (usize, usize),
    /// Where its first token starts in the result, and whether that token is a word that starts a statement anew
    /// (see [`starts_a_statement`]), or a quote; `None` for a piece that leaves no statement.
    first: Option<(usize, bool, bool)>,
    /// Where its last statement ends in the result, and whether it ends so that nothing can go on with it.
    last: Option<(usize, bool)>,
    /// Whether it is a piece.
    piece: bool,
    /// Its top-level statements' ranges in the result.
    statements: Vec<ByteRange>,
}

fn units(file: &SourceFile, facts: &FileFacts, edits: &[Edit], updated: &str) -> Option<Vec<Unit>> {
    let code = file.code.as_str();
    let items = &facts.top_level_stmts;
    let module = facts.program_module;
    let kind = file.kind;
    // (A directive prologue that says `'use strict'` makes a script strict; a module is strict.)
    let directives = items.iter().take_while(|r| code[r.range()].starts_with(['\'', '"'])).count();
    let strict = module
        || items[..directives]
            .iter()
            .any(|r| matches!(code[r.range()].trim_end_matches(';').trim_end(), "'use strict'" | "\"use strict\""));
    // (The shebang's line, its line break included: the end of a line comment.)
    let head = if code.starts_with("#!") { code.find('\n').map_or(code.len(), |i| i + 1) } else { 0 };
    // Nothing may change before here: the shebang, the directives.
    let fixed_end = items[..directives].last().map_or(head, |r| r.end());
    // Where code other than directives starts: a piece there may not start with a string (a new directive).
    let code_start = items.get(directives).map_or(code.len(), |r| r.start());
    let comments = &facts.comments;
    // Whether code put at `at` would be in a comment: inside one, or at the end of a line comment (before the line
    // break that ends it).
    let inside_comment = |at: usize| {
        let i = comments.partition_point(|c| c.end() < at);
        comments
            .get(i)
            .is_some_and(|c| c.start() < at && (at < c.end() || (at == c.end() && !code[c.range()].starts_with("/*"))))
    };

    let mut sorted: Vec<&Edit> = edits.iter().collect();
    sorted.sort_by_key(|e| (e.range.start, e.range.end));
    // The new statements of a large insertion of whole statements: its text without the blank space around it,
    // which must hold a line break before them.
    let statements = |edit: &Edit| -> Option<Range<usize>> {
        let text = edit.text.as_str();
        let start = text.len() - text.trim_start().len();
        let end = text.trim_end().len();
        (edit.range.is_empty() && end >= start + LARGE && text[..start].contains('\n')).then_some(start..end)
    };
    // Regions: each other edit with the statements it overlaps (an insertion at a statement's start or end overlaps
    // none), merged where they overlap or meet. (lo, hi, first and last edit in `sorted`.)
    let mut regions: Vec<(usize, usize, usize, usize)> = Vec::new();
    for (k, edit) in sorted.iter().enumerate() {
        if statements(edit).is_some() {
            continue;
        }
        let (mut lo, mut hi) = (edit.range.start, edit.range.end);
        let mut i = items.partition_point(|it| it.end() <= lo);
        while let Some(it) = items.get(i).filter(|it| it.start() < hi) {
            lo = lo.min(it.start());
            hi = hi.max(it.end());
            i += 1;
        }
        match regions.last_mut() {
            Some(region) if lo <= region.1 => {
                region.0 = region.0.min(lo);
                region.1 = region.1.max(hi);
                region.3 = k;
            }
            _ => regions.push((lo, hi, k, k)),
        }
    }
    // Where each edit's text is in the result.
    let mut placed: Vec<usize> = Vec::with_capacity(sorted.len());
    let mut delta: isize = 0;
    for edit in &sorted {
        placed.push(edit.range.start.checked_add_signed(delta)?);
        delta += edit.text.len() as isize - edit.range.len() as isize;
    }
    let mut units: Vec<Unit> = Vec::new();
    let mut programs: Vec<(usize, std::sync::Arc<Program>, usize)> = Vec::new();
    // The regions.
    for &(lo, hi, first, last) in &regions {
        if lo < fixed_end || inside_comment(lo) || inside_comment(hi) {
            return None;
        }
        let start = placed[first].checked_sub(sorted[first].range.start - lo)?;
        let end = placed[last] + sorted[last].text.len() + (hi - sorted[last].range.end);
        let text = updated.get(start..end)?;
        let (program, prefix) = crate::parse::parse_piece(text, kind, module, strict)?;
        let unit = piece_unit(text, &program, prefix, (start, end), (lo, hi))?;
        programs.push((start, std::sync::Arc::new(program), prefix));
        units.push(unit);
    }
    // The large insertions: at a point between statements, outside the regions' edits.
    for (k, edit) in sorted.iter().enumerate() {
        let Some(range) = statements(edit) else { continue };
        let at = edit.range.start;
        let in_statement = items.get(items.partition_point(|it| it.end() <= at)).is_some_and(|it| it.start() < at);
        let in_region = regions.iter().any(|&(lo, hi, first, last)| (lo < at && at < hi) || (first < k && k < last));
        if at < fixed_end || inside_comment(at) || in_statement || in_region {
            return None;
        }
        let text = &edit.text[range.clone()];
        let (program, prefix) = crate::parse::parse_inserted(text, kind, module)?;
        let start = placed[k] + range.start;
        let unit = piece_unit(text, &program, prefix, (start, start + text.len()), (at, at))?;
        programs.push((start, program, prefix));
        units.push(unit);
    }
    // The original's statements the regions leave as they were.
    let mut k = 0;
    let mut shift: isize = 0;
    for it in items.iter() {
        let (s, e) = (it.start(), it.end());
        if regions.iter().any(|&(lo, hi, ..)| lo <= s && e <= hi) {
            continue;
        }
        while let Some(edit) = sorted.get(k).filter(|edit| edit.range.start <= s) {
            shift += edit.text.len() as isize - edit.range.len() as isize;
            k += 1;
        }
        let (ns, ne) = (s.checked_add_signed(shift)?, e.checked_add_signed(shift)?);
        let text = &code[s..e];
        units.push(Unit {
            original: (s, e),
            result: (ns, ne),
            first: Some((ns, starts_a_statement(text), text.starts_with(['\'', '"']))),
            last: Some((ne, text.ends_with(';'))),
            piece: false,
            statements: vec![ByteRange::new(ns, ne)],
        });
    }
    units.sort_by_key(|u| u.result);
    // A module stays one: some statement of its own imports or exports.
    if module
        && !programs
            .iter()
            .any(|(_, p, _)| matches!(&**p, Program::Module(m) if m.body.iter().any(|i| i.is_module_decl())))
        && !units.iter().any(|u| !u.piece && module_decl(&code[u.original.0..u.original.1]))
    {
        return None;
    }

    // The directives stay as they were: the first statement after them does not start with a string (after a piece, a
    // string could be a new directive, or one the original had after other code).
    if units
        .iter()
        .filter(|u| u.original.1 > fixed_end || u.piece)
        .find_map(|u| u.first)
        .is_some_and(|(_, _, quote)| quote)
        && units.iter().any(|u| u.piece && u.original.0 <= code_start)
    {
        return None;
    }
    // Between units next to a piece: blank space and comments in the original, and statements that cannot join.
    let mut previous: Option<&Unit> = None;
    // (Whether a piece that leaves no statement lies between the previous unit and this one.)
    let mut gone = false;
    for (i, unit) in units.iter().enumerate() {
        if unit.piece {
            let before = i.checked_sub(1).map_or(head, |j| units[j].original.1);
            let after = units.get(i + 1).map_or(code.len(), |u| u.original.0);
            if (before < unit.original.0 && !blank(&code[before..unit.original.0]))
                || (unit.original.1 < after && !blank(&code[unit.original.1..after]))
            {
                return None;
            }
        }
        let Some((first, fresh, _)) = unit.first else {
            gone = true;
            continue;
        };
        if let Some(before) = previous.filter(|p| p.piece || unit.piece || gone) {
            let (end, hard) = before.last?;
            let between = updated.get(end..first)?;
            let open = continued_by_a_word(updated.get(..end)?);
            if !(hard || (fresh && !open && between.contains(['\n', '\r', '\u{2028}', '\u{2029}']))) {
                return None;
            }
        }
        previous = Some(unit);
        gone = false;
    }
    // (A piece last: nothing after it can go on with it.)

    // Early errors: the pieces' own, and the names they declare at the top level.
    programs.sort_by_key(|(start, ..)| *start);
    let mode =
        Mode { module: file.ext_module == ExtensionModule::Esm || module, typescript: kind != SourceKind::JavaScript };
    let pieces: Vec<&Program> = programs.iter().map(|(_, p, _)| &**p).collect();
    let (errors, top) = early_errors::check_pieces(&pieces, mode, strict)?;
    if !errors.is_empty() {
        return None;
    }
    let known = |top: &TopNames| top.declared.keys().any(|name| facts.name_taken(name)) || !top.exported.is_empty();
    if known(&top) {
        // What the regions declared before the edits.
        let mut before: Vec<Program> = Vec::new();
        for &(lo, hi, ..) in &regions {
            before.push(crate::parse::parse_piece(&code[lo..hi], kind, module, strict)?.0);
        }
        let before: Vec<&Program> = before.iter().collect();
        let (_, old) = early_errors::check_pieces(&before, mode, strict)?;
        for (name, (lexical, var)) in &top.declared {
            let (was_lexical, was_var) = old.declared.get(name).copied().unwrap_or_default();
            if facts.name_taken(name) && (*lexical > was_lexical || *var > was_var) {
                return None;
            }
        }
        for (name, count) in &top.exported {
            if *count > old.exported.get(name).copied().unwrap_or_default() {
                return None;
            }
        }
    }
    Some(units)
}

/// The unit of a piece: `text`, parsed as `program` (spans after `prefix`), at `start` in the result and `original`
/// in the original. `None` when something other than blank space and comments comes before its first statement (a
/// decorator: it would belong to the statement) or anything but blank space after its last.
fn piece_unit(
    text: &str,
    program: &Program,
    prefix: usize,
    result: (usize, usize),
    original: (usize, usize),
) -> Option<Unit> {
    let spans: Vec<ByteRange> = crate::parse::item_spans(program);
    let start = result.0;
    let (Some(first_span), Some(last_span)) = (spans.first(), spans.last()) else {
        return (blank(text) && !ends_in_line_comment(text)).then_some(Unit {
            original,
            result,
            first: None,
            last: None,
            piece: true,
            statements: Vec::new(),
        });
    };
    let first = first_span.start().checked_sub(prefix)?;
    let last = last_span.end().checked_sub(prefix)?;
    if blank_prefix(text) != first || !text.get(last..)?.trim().is_empty() {
        return None;
    }
    let declaration = |stmt: &Stmt| match stmt {
        Stmt::Decl(Decl::Fn(f)) => f.function.body.is_some(),
        Stmt::Decl(Decl::Class(c)) => !c.declare,
        _ => false,
    };
    let last_declared = match program {
        Program::Module(m) => matches!(m.body.last(), Some(ModuleItem::Stmt(stmt)) if declaration(stmt)),
        Program::Script(s) => s.body.last().is_some_and(declaration),
    };
    let rest = &text[first..];
    Some(Unit {
        original,
        result,
        first: Some((start + first, starts_a_statement(rest), rest.starts_with(['\'', '"']))),
        last: Some((start + last, text[..last].ends_with(';') || last_declared)),
        piece: true,
        statements: spans
            .iter()
            .map(|r| ByteRange::new(start + r.start() - prefix, start + r.end() - prefix))
            .collect(),
    })
}

/// How much of `text` is blank space and comments from its start.
fn blank_prefix(text: &str) -> usize {
    let mut at = 0;
    loop {
        let rest = &text[at..];
        let trimmed = rest.trim_start();
        at += rest.len() - trimmed.len();
        if trimmed.starts_with("//") {
            at += trimmed.find(['\n', '\r', '\u{2028}', '\u{2029}']).unwrap_or(trimmed.len());
        } else if let Some(comment) = trimmed.strip_prefix("/*") {
            match comment.find("*/") {
                Some(end) => at += end + 4,
                None => return at,
            }
        } else {
            return at;
        }
    }
}

/// Whether a top-level statement's text is an import or export declaration (not `import(...)` nor `import.meta`).
fn module_decl(text: &str) -> bool {
    let word = |w: &str| {
        text.strip_prefix(w).filter(|rest| !rest.starts_with(|c: char| c.is_alphanumeric() || c == '_' || c == '$'))
    };
    word("export").is_some() || word("import").is_some_and(|rest| !rest.trim_start().starts_with(['(', '.']))
}

/// Whether blank `text` ends in a line comment, which would go on into what follows it on its line.
fn ends_in_line_comment(text: &str) -> bool {
    let mut at = 0;
    loop {
        let rest = text[at..].trim_start();
        at = text.len() - rest.len();
        if rest.starts_with("//") {
            match rest.find(['\n', '\r', '\u{2028}', '\u{2029}']) {
                Some(end) => at += end,
                None => return true,
            }
        } else if let Some(end) = rest.strip_prefix("/*").and_then(|c| c.find("*/")) {
            at += end + 4;
        } else {
            return false;
        }
    }
}

/// Whether `text` is only blank space and comments.
fn blank(text: &str) -> bool {
    blank_prefix(text) == text.len()
}

/// Whether a statement that ends `code` (without `;`) may go on with a word on a later line: it ends with a word such
/// as `let` (in a script, `let` alone is a statement, and `let` then a name on the next line is a declaration) or
/// TypeScript's `declare` and `type`.
fn continued_by_a_word(code: &str) -> bool {
    let start = code.trim_end_matches(|c: char| c.is_ascii_alphanumeric() || c == '_' || c == '$').len();
    let word = &code[start..];
    [
        "let",
        "async",
        "await",
        "yield",
        "using",
        "declare",
        "abstract",
        "type",
        "interface",
        "namespace",
        "module",
        "global",
        "enum",
        "static",
        "accessor",
        "readonly",
        "get",
        "set",
        "public",
        "private",
        "protected",
        "override",
    ]
    .contains(&word)
}

/// Whether `code` starts with a word that, on a line after a complete statement, cannot go on with it (a keyword such
/// as `function` or `const`, or a name): not a binary operator (`in`, `instanceof`, TypeScript's `as` and `satisfies`)
/// nor `of`.
pub fn starts_a_statement(code: &str) -> bool {
    let end = code.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '$')).unwrap_or(code.len());
    let word = &code[..end];
    word.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_' || c == '$')
        && !["in", "instanceof", "as", "satisfies", "of"].contains(&word)
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::early_errors::EarlyErrorKind;
    use crate::parse::parse;

    /// A helper function long enough to be parsed once per run (over 512 bytes), in the style `semi` (a
    /// statement-ending `;` or none).
    fn helper(name: &str, semi: &str) -> String {
        let body: String = (0..12)
            .map(|i| format!("  const value{i} = process.env.SECRET_{i} || 'development value {i}'{semi}\n"))
            .collect();
        format!("function {name}() {{\n{body}  return value0{semi}\n}}")
    }

    /// What a parse of the whole result says, as the pipeline judges it: `None` when it does not parse or has an
    /// early error the original has not (by rule and name), else its top-level statements' ranges.
    fn whole(name: &str, code: &str, updated: &str) -> Option<Vec<ByteRange>> {
        /// A parse's top-level statements and its early errors (by rule and name).
        type Judged = (Vec<ByteRange>, Vec<(EarlyErrorKind, String)>);
        let errors = |text: &str| -> Option<Judged> {
            let file = SourceFile::new(PathBuf::from(name), text.to_string());
            let parsed = parse(&file, &file.code).ok()?;
            let mode = Mode {
                module: file.ext_module == ExtensionModule::Esm || matches!(parsed.program, Program::Module(_)),
                typescript: file.kind != SourceKind::JavaScript,
            };
            let errors = early_errors::check(&parsed.program, mode).into_iter().map(|e| (e.kind, e.name)).collect();
            Some((crate::parse::item_spans(&parsed.program), errors))
        };
        let (_, original) = errors(code)?;
        let (spans, result) = errors(updated)?;
        result.iter().all(|e| original.contains(e)).then_some(spans)
    }

    /// What the check says of the edits to `code` (a file named `name`): the result's top-level statements when it
    /// says yes. With what a parse of the whole says.
    fn verified(name: &str, code: &str, edits: &[Edit]) -> (Option<Vec<ByteRange>>, Option<Vec<ByteRange>>) {
        let file = SourceFile::new(PathBuf::from(name), code.to_string());
        let parsed = parse(&file, &file.code).expect("the original parses");
        let facts = crate::analysis::analyse(&file, &parsed);
        let updated = crate::edit::apply(code, edits).expect("edits apply");
        (in_pieces(&file, &facts, edits, &updated), whole(name, code, &updated))
    }

    fn yes(name: &str, code: &str, edits: &[Edit]) -> bool {
        let (fast, full) = verified(name, code, edits);
        assert!(fast.is_none() || fast == full, "{name}: {code:?} with {edits:?}: {fast:?} against {full:?}");
        fast.is_some()
    }

    #[test]
    fn the_pieces_an_edit_changes_are_verified_alone() {
        let code = "const express = require('express');\n\nconst app = express();\napp.use(session({ secret: 'x' }));\napp.listen(3000);\n";
        let at = |needle: &str| code.find(needle).expect("in the code");
        // A new statement after the app's, an option changed, an import added.
        let edits = [
            Edit::insert(at("\napp.use"), "\napp.use(helmet());"),
            Edit::replace(at("'x'")..at("'x'") + 3, "process.env.SECRET"),
            Edit::insert(at("\n\n"), "\nconst helmet = require('helmet');"),
        ];
        assert!(yes("app.js", code, &edits));
        // A large helper, parsed once for the run, beside them.
        let helper = helper("requiredSecret", ";");
        let mut with_helper = edits.to_vec();
        with_helper.push(Edit::insert(at("\n\n"), format!("\n\n{helper}")));
        assert!(yes("app.js", code, &with_helper));
        // Without semicolons, before a statement that starts with a word.
        let plain = helper.replace(';', "");
        let code_plain = code.replace(';', "");
        let blank = code_plain.find("\n\n").expect("a blank line");
        assert!(yes("app.js", &code_plain, &[Edit::insert(blank, format!("\n\n{plain}\n"))]));
        // A statement deleted.
        let listen = at("app.listen");
        assert!(yes("app.js", code, &[Edit::replace(listen..code.len(), "")]));
        // In TypeScript and in a module.
        let module = code.replace("const express = require('express');", "import express from 'express';");
        let import = module.find("\n\n").expect("a blank line");
        assert!(yes("app.ts", &module, &[Edit::insert(import, "\nimport helmet from 'helmet';")]));
        assert!(yes("app.mjs", &module, &[Edit::insert(import, "\nimport helmet from 'helmet';")]));
        // A decorated class: its decorators are part of it.
        let class = "@dec\nclass A { x = 1 }\n";
        assert!(yes("app.ts", class, &[Edit::replace(19..20, "2")]));
    }

    #[test]
    fn pieces_that_could_join_what_is_around_them_or_clash_are_parsed_whole() {
        let semi = helper("requiredSecret", ";");
        let plain = helper("requiredSecret", "");
        let iife = format!("(function () {{\n{semi}\n}})();");
        // (Large insertions at the blank line, or at `// a note`'s end.)
        let large: Vec<(&str, String, String)> = vec![
            // It starts with `(`: after a statement without `;` it would be called.
            ("app.js", "const a = b\n\nrun();\n".into(), iife.clone()),
            // It ends without `;` and the next statement starts with `(` or `[`.
            ("app.js", "const a = 1;\n\n(async () => {})();\n".into(), format!("{semi}\nconst z = a")),
            ("app.js", "const a = 1;\n\n[1, 2].forEach(run);\n".into(), format!("{semi}\nconst z = a")),
            // A TypeScript signature last (a function with no body), then `(`.
            ("app.ts", "const a = 1;\n\n(async () => {})();\n".into(), format!("{semi}\nfunction sig(): void")),
            // Inside a function, not between top-level statements.
            ("app.js", "function outer() {\n  run();\n\n}\n".into(), semi.clone()),
            // A name the file declares already.
            ("app.js", "const requiredSecret = 1;\n\nrun();\n".into(), semi.clone()),
            // `import` in a CommonJS script.
            ("app.js", "const a = require('a');\n\nrun();\n".into(), format!("import fs from 'fs';\n{semi}")),
            // After a decorator that belongs to the class below.
            ("app.ts", "@Injectable()\n\nclass A {}\n".into(), semi.clone()),
            // Text that is no statements of its own.
            ("app.js", "const a = 1;\n\nrun();\n".into(), format!("{semi}\n}}")),
            // Inside a comment: its end would follow the new code.
            ("app.js", "run();\n// a note\n\nstop();\n".into(), semi.clone()),
            // Not strict: `with` (the file is sloppy, but the check parses new code as strict).
            ("app.js", "var a = 1;\n\nrun();\n".into(), format!("{plain}\nwith (a) {{ run() }}\n")),
        ];
        for (name, code, text) in large {
            let at = match code.find("// a note") {
                Some(note) => note + 4,
                None => code.find("\n\n").expect("a blank line") + 1,
            };
            assert!(!yes(name, &code, &[Edit::insert(at, format!("\n{text}\n"))]), "{code:?} with {text:?}");
        }
        // Small edits: (file, code, where, replacing how many bytes, with what).
        let small: Vec<(&str, &str, &str, usize, &str)> = vec![
            // A statement deleted between two that then join: `b = a(run)`.
            ("app.js", "b = a\nstop();\n(run)\n", "stop", 8, ""),
            // A statement that now ends without `;` before one that starts with `(`.
            ("app.js", "b = a;\n(run)\n", ";", 1, ""),
            // A new statement that starts with `(` after one without `;`.
            ("app.js", "b = a\nrun()\n", "run", 0, "(x)\n"),
            // A name declared again, beside its first declaration or away from it.
            ("app.js", "const app = express();\nrun();\n", "run", 0, "const app = 1;\n"),
            ("app.js", "const app = express();\nrun();\n", "express()", 9, "express(); let run"),
            ("app.js", "let a = 1;\nrun();\n", "run()", 5, "var a"),
            ("app.mjs", "export const a = 1;\nrun();\n", "run()", 5, "export { run as a }"),
            // A `const` of a CommonJS module's own names.
            ("app.js", "run();\n", "run()", 5, "const require = 1"),
            // Before the shebang, inside the directives, or a new directive first.
            ("app.js", "#!/usr/bin/env node\nrun();\n", "#!", 0, "a();\n"),
            ("app.js", "'use strict';\nrun();\n", "'use strict'", 12, "'use sloppy'"),
            ("app.js", "run();\n", "run", 0, "'use strict';\n"),
            // Sloppy code in a strict file.
            ("app.js", "'use strict';\nrun();\n", "run()", 5, "with (a) run()"),
            // A module whose only import goes: it would be read as a script.
            ("app.mjs", "import a from 'a';\nrun();\n", "import a from 'a';", 18, "const a = 1;"),
            // Inside a comment.
            ("app.js", "run(); /* note */\nstop();\n", "note", 0, "a(); "),
            // An unfinished comment or statement.
            ("app.js", "run();\nstop();\n", "stop", 0, "/* "),
            ("app.js", "run();\nstop();\n", "stop", 0, "if (a) "),
            // A declaration cut down to `let`, which takes the next line's name.
            ("app.js", "let c = 1\nrun();\n", "c = 1", 5, "\n"),
        ];
        for (name, code, needle, len, text) in small {
            let at = code.find(needle).expect("in the code");
            let edits = [Edit::replace(at..at + len, text)];
            assert!(!yes(name, code, &edits), "{name}: {code:?} with {edits:?}");
        }
    }

    #[test]
    fn what_is_verified_in_pieces_is_verified_whole_too() {
        // Generated files and edits: new statements, tokens and comments at line starts and anywhere, ranges
        // replaced or deleted, and large insertions. Whenever the check says yes, a parse of the whole says yes, with
        // the top-level statements the check found.
        let mut next = crate::myers::generator(0x5851_f42d_4c95_7f2d);
        let lines = [
            "const a = b",
            "const a = b;",
            "let c = 1",
            "var a = 2;",
            "run()",
            "run();",
            "(run)()",
            "[1, 2].map(run)",
            "`t`",
            "/re/.test(s)",
            "+x",
            "if (a) run()",
            "if (a) run(); else stop()",
            "if (a) { var d = 1 }",
            "function f() {}",
            "class K {}",
            "x = { a: 1 }",
            "label: for (;;) break label",
            "// note",
            "/* note */",
            "",
            "'use strict';",
            "import z from 'z';",
            "export const e = 1;",
            "export { c as e };",
            "export default run",
            "}",
            "async function g() { await 1 }",
            "@dec",
            "let x = function () {}",
        ];
        let snippets = [
            "",
            "\n",
            ";",
            "(",
            ")",
            "{",
            "}",
            "(x)",
            "[0]",
            " + 1",
            "/",
            "in y",
            "as T",
            "run();",
            "run()",
            "\nrun()\n",
            "app.use(helmet());",
            "\napp.use(helmet());",
            "const helmet = require('helmet');\n",
            "let c = 2;",
            "var a;",
            "function f() {}",
            "class Z {}",
            "export { run };",
            "export const e = 2;",
            "import y from 'y';\n",
            "'use strict';\n",
            "// c\n",
            "/* c */",
            "/*",
            "`",
            "with (a) run();",
            "@dec\n",
            "if (a) ",
            "else b();",
        ];
        let semi = helper("requiredSecret", ";");
        let plain = helper("requiredSecret", "");
        let texts = [
            semi.clone(),
            plain.clone(),
            format!("{semi}\nconst after = 1"),
            format!("(function () {{\n{semi}\n}})()"),
            format!("{plain}\nlet c = 2"),
            format!("import fs from 'fs';\n{semi}"),
            format!("{semi}\nin"),
            format!("{plain}\nconst c = 3"),
        ];
        let (mut accepted, mut with_regions, mut rounds, mut tried) = (0, 0, 6000, 0);
        while rounds > 0 {
            rounds -= 1;
            let name = ["a.js", "a.mjs", "a.ts"][next(3) as usize];
            let mut code: String =
                (0..1 + next(8)).map(|_| format!("{}\n", lines[next(lines.len() as u64) as usize])).collect();
            if next(8) == 0 {
                code.insert_str(0, "#!/usr/bin/env node\n");
            }
            let file = SourceFile::new(PathBuf::from(name), code.clone());
            if parse(&file, &code).is_err() {
                continue;
            }
            let starts: Vec<usize> = std::iter::once(0).chain(code.match_indices('\n').map(|(i, _)| i + 1)).collect();
            let mut edits: Vec<Edit> = Vec::new();
            for _ in 0..1 + next(3) {
                let at = if next(2) == 0 {
                    starts[next(starts.len() as u64) as usize]
                } else {
                    next(code.len() as u64 + 1) as usize
                };
                let edit = match next(4) {
                    0 => {
                        let text = &texts[next(texts.len() as u64) as usize];
                        let (before, after) =
                            (["\n", "\n\n", " ", ""][next(4) as usize], ["\n", "", " "][next(3) as usize]);
                        Edit::insert(at, format!("{before}{text}{after}"))
                    }
                    1 => Edit::insert(at, snippets[next(snippets.len() as u64) as usize]),
                    2 => {
                        let end = (at + next(12) as usize).min(code.len());
                        Edit::replace(at..end, snippets[next(snippets.len() as u64) as usize])
                    }
                    _ => {
                        let line = next(starts.len() as u64) as usize;
                        let end = starts.get(line + 1).copied().unwrap_or(code.len());
                        Edit::replace(starts[line]..end, "")
                    }
                };
                // (Edits that overlap would not apply.)
                if edits.iter().all(|e| e.range.end <= edit.range.start || edit.range.end <= e.range.start) {
                    edits.push(edit);
                }
            }
            tried += 1;
            let (fast, full) = verified(name, &code, &edits);
            if fast.is_some() {
                accepted += 1;
                with_regions += usize::from(edits.iter().any(|e| e.text.len() < LARGE));
                assert_eq!(fast, full, "{name}: {code:?} with {edits:?}");
            }
        }
        assert!(accepted > 600 && with_regions > 300, "{accepted} {with_regions} of {tried}");
    }
}
