//! Where new top-level code goes (imports, requires, helpers): one rule for every transform. After the last
//! top-level import of a given module when the file has one (helmet's import next to express's), else after the
//! last top-level import, else after the prologue (a shebang, `'use strict'` and other directives stay first), else
//! before the first statement.

use crate::edit::Edit;
use crate::layout;
use crate::parse::ByteRange;
use crate::transform::FileContext;

/// The statement new top-level code follows, if any: the last top-level import of `module` (when given and
/// present), else the last top-level import, else the prologue.
fn anchor(cx: &FileContext<'_>, module: Option<&str>) -> Option<ByteRange> {
    let facts = cx.facts;
    module
        .and_then(|module| facts.bindings_of(module).filter(|b| b.top_level).map(|b| b.stmt).last())
        .or_else(|| facts.top_level_imports.last().copied())
        .or(facts.prologue_end)
}

/// The style of import statements inserted next to the imports of `module` ([`insert`]): the file's, but with the
/// quotes and semicolons of the import statements around the insertion point (the one it follows and the one after
/// it), when they agree, else of most of the file's top-level imports, else the file's. A file whose imports are
/// written `import x from "x";` and whose other code `f('a')` gets a new import like its imports.
pub fn style(cx: &FileContext<'_>, module: Option<&str>) -> crate::style::Style {
    let facts = cx.facts;
    let mut style = facts.style.clone();
    let imports = &facts.top_level_imports;
    let Some(anchor) = anchor(cx, module).filter(|a| imports.contains(a)) else { return style };
    let next = imports.iter().find(|i| i.start() >= anchor.end());
    let neighbours: Vec<&ByteRange> = std::iter::once(&anchor).chain(next).collect();
    // Each question on the neighbours first, then on all the imports; `None` when they are split evenly.
    let decide = |of: &dyn Fn(&str) -> Option<bool>| -> Option<bool> {
        [neighbours.clone(), imports.iter().collect()].into_iter().find_map(|group| {
            let votes: Vec<bool> =
                group.iter().filter_map(|r| cx.file.code.get(r.start()..r.end())).filter_map(of).collect();
            let yes = votes.iter().filter(|v| **v).count();
            let no = votes.len() - yes;
            (yes != no).then_some(yes > no)
        })
    };
    // (The first quote of `import x from 'x'`, `const x = require("x")` is its specifier's.)
    let double = |text: &str| text.chars().find(|c| matches!(c, '\'' | '"')).map(|c| c == '"');
    if let Some(double) = decide(&double) {
        style.quote = if double { '"' } else { '\'' };
    }
    if let Some(semicolons) = decide(&|text: &str| Some(text.trim_end().ends_with(';'))) {
        style.semicolons = semicolons;
    }
    style
}

/// Inserts `text` (statements printed in the file's style, several joined by its line ending) on its own line(s)
/// where new top-level code goes, next to the imports of `module` when it is given.
pub fn insert(cx: &FileContext<'_>, text: &str, module: Option<&str>) -> Edit {
    let facts = cx.facts;
    let style = &facts.style;
    if let Some(anchor) = anchor(cx, module) {
        let point = layout::after_statement(&cx.file.code, &facts.comments, anchor.end());
        let indent = cx.file.indent_at(anchor.start()).to_string();
        return Edit::insert(point.offset, layout::statement_after(point, text, &indent, style));
    }
    // The file's first imports: a block of their own, a blank line before its code.
    before_first_statement(cx, text, &format!("{}{}", style.eol, style.eol))
}

/// `receiver.set(name, value)` on its own line right after `stmt` (the statement that creates an app), at its
/// indentation and in the file's style: an app setting (`'trust proxy'`, `'query parser'`). `value` is source text.
pub fn app_setting(cx: &FileContext<'_>, stmt: &ByteRange, receiver: &str, name: &str, value: &str) -> Edit {
    let facts = cx.facts;
    let indent = cx.file.indent_at(stmt.start()).to_string();
    let semi = if facts.style.semicolons { ";" } else { "" };
    let snippet = format!("{receiver}.set({}, {value}){semi}", cx.quoted(name));
    let point = layout::after_statement(&cx.file.code, &facts.comments, stmt.end());
    Edit::insert(point.offset, layout::statement_after(point, &snippet, &indent, &facts.style))
}

/// Inserts `text` as a paragraph of its own (a blank line before and after) after the imports. When the code that
/// follows the imports starts on the next line, a blank line is added after the paragraph too, if the file separates
/// its top-level statements by blank lines anywhere (a file written without any stays so).
pub fn insert_paragraph(cx: &FileContext<'_>, text: &str) -> Edit {
    let facts = cx.facts;
    let code = &cx.file.code;
    let eol = facts.style.eol;
    if let Some(anchor) = anchor(cx, None) {
        let point = layout::after_statement(code, &facts.comments, anchor.end());
        // The line after the insertion point's: blank (or none) already separates.
        let rest = &code[point.offset..];
        let next = rest.strip_prefix("\r\n").or_else(|| rest.strip_prefix(['\n', '\r'])).unwrap_or(rest);
        let separated = !point.own_line || next.split(['\n', '\r']).next().unwrap_or("").trim().is_empty();
        let blank_lines = facts.top_level_stmts.windows(2).any(|w| {
            let gap: Vec<&str> = code.get(w[0].end()..w[1].start()).unwrap_or("").split('\n').collect();
            gap.len() > 2 && gap[1..gap.len() - 1].iter().any(|line| line.trim().is_empty())
        });
        let after = if separated || !blank_lines { "" } else { eol };
        return Edit::insert(point.offset, format!("{eol}{eol}{text}{after}"));
    }
    before_first_statement(cx, text, &format!("{eol}{eol}"))
}

/// A file with no import and no prologue: the text goes on the line of the first statement, before it (after
/// anything else on that line, such as a comment, it goes first with a space).
fn before_first_statement(cx: &FileContext<'_>, text: &str, separator: &str) -> Edit {
    let first = cx.facts.first_statement.map_or(0, |s| s as usize);
    match layout::line_start_before(&cx.file.code, first) {
        Some(line_start) => Edit::insert(line_start, format!("{text}{separator}")),
        None => Edit::insert(first, format!("{text} ")),
    }
}
