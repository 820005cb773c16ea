//! Edits inside object literals in the file's own layout: a new property goes after the last one, on its own line
//! in a multi-line object (with the siblings' indentation, keeping or not keeping a trailing comma as the object
//! does) or inline in a one-line object; a value is replaced in place.

use crate::parse::ByteRange;
use std::ops::Range;

use crate::edit::Edit;
use crate::style::Style;
use crate::values::ObjectFacts;

/// Edits that add `prop` (already in the file's style, e.g. `store: new RedisStore({ client })`; it may span lines,
/// later lines being indented relative to the property) as the last property of `obj`.
pub fn add_property(code: &str, comments: &[ByteRange], obj: &ObjectFacts, prop: &str, style: &Style) -> Vec<Edit> {
    let open = obj.range.start() + 1;
    let close = obj.range.end().saturating_sub(1);
    let last_end = obj.props.iter().map(|p| p.range.end()).chain(obj.spreads.iter().map(|s| s.end())).max();
    let Some(last_end) = last_end else {
        // `{}` or `{ }`: write `{ prop }` unless the braces hold comments, which we keep.
        let inner = &code[open..close];
        if inner.trim().is_empty() {
            return vec![Edit::replace(open..close, format!(" {prop} "))];
        }
        return vec![Edit::insert(close, format!(" {prop} "))];
    };
    let first_start = obj.props.iter().map(|p| p.range.start()).chain(obj.spreads.iter().map(|s| s.start())).min();
    let multiline = first_start.is_some_and(|s| code[open..s].contains('\n'));
    let comma = trailing_comma(code, comments, last_end, close);
    if !multiline {
        return match comma {
            Some(c) => vec![Edit::insert(c + 1, format!(" {prop},"))],
            None => vec![Edit::insert(last_end, format!(", {prop}"))],
        };
    }
    let last_start =
        obj.props.iter().map(|p| p.range.start()).chain(obj.spreads.iter().map(|s| s.start())).max().unwrap_or(open);
    let indent = indent_of_line(code, last_start);
    let prop = reindent(prop, &indent, style);
    match comma {
        Some(c) => {
            let at = end_of_line(code, comments, c + 1);
            vec![Edit::insert(at, format!("{}{indent}{prop},", style.eol))]
        }
        None => {
            let at = end_of_line(code, comments, last_end);
            if at == last_end {
                vec![Edit::insert(last_end, format!(",{}{indent}{prop}", style.eol))]
            } else {
                vec![Edit::insert(last_end, ","), Edit::insert(at, format!("{}{indent}{prop}", style.eol))]
            }
        }
    }
}

/// Whether the object's properties start on a line after its `{`.
pub fn is_multiline(code: &str, obj: &ObjectFacts) -> bool {
    let open = obj.range.start() + 1;
    let first = obj.props.iter().map(|p| p.range.start()).chain(obj.spreads.iter().map(|s| s.start())).min();
    match first {
        Some(first) => code[open..first].contains('\n'),
        None => code[open..obj.range.end().saturating_sub(1)].contains('\n'),
    }
}

/// Whether the object ends with a comma after its last property (`{ a, b, }`).
pub fn has_trailing_comma(code: &str, comments: &[ByteRange], obj: &ObjectFacts) -> bool {
    let last_end = obj.props.iter().map(|p| p.range.end()).chain(obj.spreads.iter().map(|s| s.end())).max();
    last_end.is_some_and(|end| trailing_comma(code, comments, end, obj.range.end().saturating_sub(1)).is_some())
}

/// An object literal holding `props`, laid out like `parent`: over several lines (one level deeper, with the
/// parent's trailing-comma habit) when the parent is, on one line otherwise.
pub fn nested_object(
    code: &str,
    comments: &[ByteRange],
    parent: &ObjectFacts,
    props: &[String],
    style: &Style,
) -> String {
    if !is_multiline(code, parent) {
        return format!("{{ {} }}", props.join(", "));
    }
    let unit = &style.indent_unit;
    let trailing = if has_trailing_comma(code, comments, parent) { "," } else { "" };
    let body: Vec<String> = props.iter().map(|p| format!("{unit}{p}")).collect();
    format!("{{\n{}{trailing}\n}}", body.join(",\n"))
}

/// Edits that add several properties after the last one: one per line in a multi-line object, comma-separated in
/// a one-line object.
pub fn add_properties(
    code: &str,
    comments: &[ByteRange],
    obj: &ObjectFacts,
    props: &[String],
    style: &Style,
) -> Vec<Edit> {
    if props.is_empty() {
        return Vec::new();
    }
    let separator = if is_multiline(code, obj) && !obj.props.is_empty() { ",\n" } else { ", " };
    add_property(code, comments, obj, &props.join(separator), style)
}

/// When adding `leading` (first) and `props` (last) to the one-line object `obj` would take its line past the print
/// width ([`crate::codegen::PRINT_WIDTH`], Prettier's), the edits that write it over several lines instead, one
/// property per line, as Prettier would print it: the existing properties keep their text (only the spaces between
/// them change, so other edits inside them still apply), with the file's indentation and trailing-comma habit; a new
/// property whose one-line object value is still too long for its line gets that object over several lines too.
/// `None` when the line stays short enough, the object is already multi-line, or a comment inside it is in the way.
pub fn past_print_width(
    code: &str,
    obj: &ObjectFacts,
    leading: &[String],
    props: &[String],
    comments: &[ByteRange],
    style: &Style,
) -> Option<Vec<Edit>> {
    let new = || leading.iter().chain(props);
    if new().next().is_none() || is_multiline(code, obj) {
        return None;
    }
    let line_start = code[..obj.range.start()].rfind('\n').map_or(0, |i| i + 1);
    let line_end = code[obj.range.end()..].find(['\n', '\r']).map_or(code.len(), |i| obj.range.end() + i);
    let added: usize = new().map(|p| p.chars().count() + 2).sum();
    // (A property over several lines of its own, a store's `MongoStore.create({...})`, puts the object over several
    // lines whatever its width: on one line its lines would run on after the others.)
    let multiline_part = new().any(|p| p.contains('\n'));
    if !multiline_part && code[line_start..line_end].chars().count() + added <= crate::codegen::PRINT_WIDTH {
        return None;
    }
    let mut elements: Vec<Range<usize>> =
        obj.props.iter().map(|p| p.range.range()).chain(obj.spreads.iter().map(|r| r.range())).collect();
    elements.sort_by_key(|r| r.start);
    let open = obj.range.start() + 1;
    let close = obj.range.end().saturating_sub(1);
    let (first, last) = (elements.first()?, elements.last()?);
    // Only spaces and commas between the elements: a comment there keeps the object as it is written.
    let gaps_plain = elements.windows(2).all(|w| code[w[0].end..w[1].start].trim() == ",")
        && code[open..first.start].trim().is_empty()
        && matches!(code[last.end..close].trim(), "" | ",")
        && !comments.iter().any(|c| obj.range.start() < c.start() && c.end() <= obj.range.end());
    if !gaps_plain {
        return None;
    }
    let eol = style.eol;
    let indent = indent_of_line(code, obj.range.start());
    let inner = format!("{indent}{}", style.indent_unit);
    let trailing = if style.trailing_commas { "," } else { "" };
    let line = |p: &String| if p.contains('\n') { reindent(p, &inner, style) } else { within_width(p, &inner, style) };
    let first_lines: String = leading.iter().map(|p| format!("{},{eol}{inner}", line(p))).collect();
    let mut edits = vec![Edit::replace(open..first.start, format!("{eol}{inner}{first_lines}"))];
    edits.extend(elements.windows(2).map(|w| Edit::replace(w[0].end..w[1].start, format!(",{eol}{inner}"))));
    let new: String = props.iter().map(|p| format!(",{eol}{inner}{}", line(p))).collect();
    edits.push(Edit::replace(last.end..close, format!("{new}{trailing}{eol}{indent}")));
    Some(edits)
}

/// A new property `prop` (`cookie: { httpOnly: true, ... }`) on a line of its own at `indent`: as it is when it fits
/// in the print width, else with its one-line object value over several lines, one property per line.
fn within_width(prop: &str, indent: &str, style: &Style) -> String {
    // (Its line ends with a comma.)
    if indent.chars().count() + prop.chars().count() < crate::codegen::PRINT_WIDTH {
        return prop.to_string();
    }
    let Some((key, value)) = prop.split_once(": {") else { return prop.to_string() };
    let Some(body) = value.strip_suffix('}').map(str::trim).filter(|b| !b.is_empty()) else {
        return prop.to_string();
    };
    let Some(items) = top_level_items(body) else { return prop.to_string() };
    let deeper = format!("{indent}{}", style.indent_unit);
    let trailing = if style.trailing_commas { "," } else { "" };
    let eol = style.eol;
    let lines: Vec<String> = items.iter().map(|item| format!("{deeper}{item}")).collect();
    format!("{key}: {{{eol}{}{trailing}{eol}{indent}}}", lines.join(&format!(",{eol}")))
}

/// The comma-separated items of `text` (the inside of an object literal this tool printed on one line), split at
/// the commas outside brackets and strings; `None` when a bracket or string is left open.
fn top_level_items(text: &str) -> Option<Vec<String>> {
    let mut items = Vec::new();
    let (mut depth, mut quote, mut start) = (0usize, None, 0);
    let mut chars = text.char_indices();
    while let Some((i, c)) = chars.next() {
        match (quote, c) {
            (Some(_), '\\') => {
                chars.next();
            }
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"' | '`') => quote = Some(c),
            (None, '(' | '[' | '{') => depth += 1,
            (None, ')' | ']' | '}') => depth = depth.checked_sub(1)?,
            (None, ',') if depth == 0 => {
                items.push(text[start..i].trim().to_string());
                start = i + 1;
            }
            _ => {}
        }
    }
    if depth != 0 || quote.is_some() {
        return None;
    }
    let last = text[start..].trim();
    if !last.is_empty() {
        items.push(last.to_string());
    }
    Some(items)
}

/// Edits that add `prop` as the first property of `obj` (before any comment lines that belong to the current first
/// one): no trailing-comma question arises, and the new property reads first, as in most documentation.
pub fn add_first_property(
    code: &str,
    comments: &[ByteRange],
    obj: &ObjectFacts,
    prop: &str,
    style: &Style,
) -> Vec<Edit> {
    add_first_properties(code, comments, obj, &[prop.to_string()], style)
}

/// [`add_first_property`] for several properties, in their order.
pub fn add_first_properties(
    code: &str,
    comments: &[ByteRange],
    obj: &ObjectFacts,
    props: &[String],
    style: &Style,
) -> Vec<Edit> {
    let first = obj.props.iter().map(|p| p.range.start()).chain(obj.spreads.iter().map(|s| s.start())).min();
    match first {
        Some(first) => add_before(code, comments, obj, first, props, style),
        None => add_properties(code, comments, obj, props, style),
    }
}

/// Edits that add `props` right before the element of `obj` starting at `element` (a property or a spread), each
/// followed by a comma: on lines of their own in a multi-line object (above the comment lines that belong to the
/// element), inline otherwise.
pub fn add_before(
    code: &str,
    comments: &[ByteRange],
    obj: &ObjectFacts,
    element: usize,
    props: &[String],
    style: &Style,
) -> Vec<Edit> {
    if props.is_empty() {
        return Vec::new();
    }
    let open = obj.range.start() + 1;
    if !code[open..element].contains('\n') {
        let text: String = props.iter().map(|p| format!("{p}, ")).collect();
        return vec![Edit::insert(element, text)];
    }
    let indent = indent_of_line(code, element);
    let at = crate::layout::before_statement(code, comments, element).filter(|&at| at > open);
    let lines: Vec<String> = props.iter().map(|p| format!("{},", reindent(p, &indent, style))).collect();
    match at {
        Some(at) => {
            let text: String = lines.iter().map(|l| format!("{indent}{l}{}", style.eol)).collect();
            vec![Edit::insert(at, text)]
        }
        // Code before the element on its line (`{ a,\n  ...spread }`): the new lines go after that code's line.
        None => vec![Edit::insert(
            element,
            format!("{}{}{indent}", lines.join(&format!("{}{indent}", style.eol)), style.eol),
        )],
    }
}

/// Properties a transform wants in an object literal that is not written yet: the options of a call made without
/// arguments (`session()`), to go at `at`, right before its closing parenthesis. Several transforms may each want
/// some properties in the same new object; they cannot each write `{ ... }` there, so they plan parts, and the engine
/// writes one object holding every part planned at one point ([`new_object_edits`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectPart {
    /// Where the object goes.
    pub at: usize,
    /// The properties, each in the file's style (`store: new RedisStore({ client })`); a property may span lines,
    /// its later lines indented relative to its first one.
    pub props: Vec<String>,
    /// Whether these properties go before the parts that are not leading (as a store or a secret reads first in
    /// the options, while the cookie's flags come last); among themselves, parts keep the order they were planned in.
    pub leading: bool,
    /// The one-line object literal the properties go into, when it is already written (`session({ secret })`; `at`
    /// is then its start): written over several lines when every part together takes its line past the print width
    /// ([`past_print_width`]), else each part is added in place.
    pub into: Option<Box<ObjectFacts>>,
    /// Id of the transform that planned the part (set by the engine, like an edit's).
    pub transform: &'static str,
}

impl ObjectPart {
    /// Properties for the new object at `at`.
    pub fn new(at: usize, props: Vec<String>, leading: bool) -> ObjectPart {
        ObjectPart { at, props, leading, into: None, transform: "" }
    }

    /// Properties for the one-line object `obj`.
    pub fn into(obj: &ObjectFacts, props: Vec<String>, leading: bool) -> ObjectPart {
        ObjectPart { into: Some(Box::new(obj.clone())), ..ObjectPart::new(obj.range.start(), props, leading) }
    }
}

/// One insertion per point where parts were planned: an object literal holding the properties of every part there,
/// leading parts first, each part's properties in their order. `{ a }` for a single one-line property; otherwise one
/// property per line, one level deeper than the line of `at`, with the file's trailing-comma habit. The edit belongs
/// to the transform of the first part planned there and lists the others as merged.
pub fn new_object_edits(code: &str, comments: &[ByteRange], parts: &[ObjectPart], style: &Style) -> Vec<Edit> {
    let mut points: Vec<usize> = parts.iter().map(|p| p.at).collect();
    points.sort_unstable();
    points.dedup();
    points
        .into_iter()
        .flat_map(|at| {
            let here: Vec<&ObjectPart> = parts.iter().filter(|p| p.at == at).collect();
            let ordered = here.iter().filter(|p| p.leading).chain(here.iter().filter(|p| !p.leading));
            let props: Vec<&String> = ordered.flat_map(|p| &p.props).collect();
            let Some(owner) = here.first().map(|p| p.transform) else { return Vec::new() };
            let mut merged: Vec<&'static str> = here.iter().map(|p| p.transform).filter(|t| *t != owner).collect();
            merged.sort_unstable();
            merged.dedup();
            if let Some(obj) = here.iter().find_map(|p| p.into.as_deref()) {
                return existing_object_edits(code, comments, obj, &here, (owner, merged), style);
            }
            let text = match props.as_slice() {
                [] => return Vec::new(),
                [only] if !only.contains('\n') => format!("{{ {only} }}"),
                _ => {
                    let indent = indent_of_line(code, at);
                    let inner = format!("{indent}{}", style.indent_unit);
                    let eol = style.eol;
                    let lines: Vec<String> =
                        props.iter().map(|p| format!("{inner}{}", reindent(p, &inner, style))).collect();
                    let trailing = if style.trailing_commas { "," } else { "" };
                    format!("{{{eol}{}{trailing}{eol}{indent}}}", lines.join(&format!(",{eol}")))
                }
            };
            vec![Edit { merged, ..Edit::insert(at, text).by(owner) }]
        })
        .collect()
}

/// The parts planned for the one-line object `obj`: over several lines, by `owner` (listing the `merged` others),
/// when together they take its line past the print width; else each part in place, by its own transform.
fn existing_object_edits(
    code: &str,
    comments: &[ByteRange],
    obj: &ObjectFacts,
    parts: &[&ObjectPart],
    (owner, merged): (&'static str, Vec<&'static str>),
    style: &Style,
) -> Vec<Edit> {
    let props = |leading: bool| -> Vec<String> {
        parts.iter().filter(|p| p.leading == leading).flat_map(|p| p.props.iter().cloned()).collect()
    };
    if let Some(edits) = past_print_width(code, obj, &props(true), &props(false), comments, style) {
        return edits.into_iter().map(|e| Edit { merged: merged.clone(), ..e.by(owner) }).collect();
    }
    let mut edits = Vec::new();
    for part in parts {
        let mine = match part.leading {
            true => add_first_properties(code, comments, obj, &part.props, style),
            false => add_properties(code, comments, obj, &part.props, style),
        };
        edits.extend(mine.into_iter().map(|e| e.by(part.transform)));
    }
    edits
}

/// An object literal holding `props`, as a property of an object [`new_object_edits`] writes over several lines:
/// itself over several lines (one level deeper, later lines relative to the property's first), with the file's
/// trailing-comma habit.
pub fn nested_in_new_object(props: &[String], style: &Style) -> String {
    let unit = &style.indent_unit;
    let trailing = if style.trailing_commas { "," } else { "" };
    let body: Vec<String> = props.iter().map(|p| format!("{unit}{p}")).collect();
    format!("{{\n{}{trailing}\n}}", body.join(",\n"))
}

/// The offset of a comma after `after` and before `close`, skipping whitespace and comments.
fn trailing_comma(code: &str, comments: &[ByteRange], after: usize, close: usize) -> Option<usize> {
    let mut pos = after;
    while pos < close {
        if let Some(c) = comments.iter().find(|c| c.start() == pos) {
            pos = c.end();
            continue;
        }
        match code.as_bytes()[pos] {
            b',' => return Some(pos),
            b' ' | b'\t' | b'\r' | b'\n' => pos += 1,
            _ => return None,
        }
    }
    None
}

/// The end of the line holding `from`, past spaces and one-line comments; `from` itself when code follows.
fn end_of_line(code: &str, comments: &[ByteRange], from: usize) -> usize {
    let point = crate::layout::after_statement(code, comments, from);
    if point.own_line {
        point.offset
    } else {
        from
    }
}

/// Leading whitespace of the line holding `at`.
pub fn indent_of_line(code: &str, at: usize) -> String {
    let start = code[..at].rfind('\n').map_or(0, |i| i + 1);
    let rest = &code[start..];
    rest[..rest.len() - rest.trim_start_matches([' ', '\t']).len()].to_string()
}

/// Indents the second and later lines of `text` by `indent` and uses the style's line ending. Where `indent` is made
/// of spaces and the file's unit is a tab (or the reverse: a file of mixed indentation, `\tsecret` then `  resave`),
/// the levels `text` brings are written in `indent`'s kind, so that no line starts with spaces then a tab.
pub fn reindent(text: &str, indent: &str, style: &Style) -> String {
    let unit: &str = &style.indent_unit;
    let local = local_unit(indent, unit);
    // (One pass: each `\n` or `\r\n` becomes the line ending and the indent; a lone `\r` stays.)
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    let mut start = 0;
    let mut first = true;
    for end in memchr::memchr_iter(b'\n', text.as_bytes()) {
        let line = &text[start..end];
        let line = line.strip_suffix('\r').unwrap_or(line);
        match first {
            true => out.push_str(line),
            false => out.push_str(&relevel(line, unit, local)),
        }
        first = false;
        out.push_str(style.eol);
        out.push_str(indent);
        start = end + 1;
    }
    let last = &text[start..];
    match first {
        true => out.push_str(last),
        false => out.push_str(&relevel(last, unit, local)),
    }
    out
}

/// The unit of indentation of `indent`'s kind where it is not the file's `unit`'s: two or four spaces (as `indent`
/// is a multiple of four or not) for a tab-indented file, a tab for a space-indented one.
fn local_unit(indent: &str, unit: &str) -> Option<&'static str> {
    let spaces = !indent.is_empty() && indent.bytes().all(|b| b == b' ');
    let tabs = !indent.is_empty() && indent.bytes().all(|b| b == b'\t');
    match (spaces, tabs, unit.starts_with('\t')) {
        (true, _, true) if indent.len().is_multiple_of(4) => Some("    "),
        (true, _, true) => Some("  "),
        (_, true, false) if !unit.is_empty() => Some("\t"),
        _ => None,
    }
}

/// `line` with its leading levels of `unit` written as as many `local` ones ([`local_unit`]).
fn relevel<'a>(line: &'a str, unit: &str, local: Option<&str>) -> std::borrow::Cow<'a, str> {
    let Some(local) = local.filter(|_| !unit.is_empty()) else { return std::borrow::Cow::Borrowed(line) };
    let mut rest = line;
    let mut levels = 0;
    while let Some(r) = rest.strip_prefix(unit) {
        rest = r;
        levels += 1;
    }
    match levels {
        0 => std::borrow::Cow::Borrowed(line),
        n => std::borrow::Cow::Owned(format!("{}{rest}", local.repeat(n))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::analyse;
    use crate::parse::parse;
    use crate::source::SourceFile;
    use crate::values::Value;

    type AddFn = fn(&str, &[ByteRange], &ObjectFacts, &str, &Style) -> Vec<Edit>;

    /// Adds `store: x` with `add_fn` to the options object of the `session(...)` call in `code`.
    fn apply_to_options(code: &str, add_fn: AddFn) -> String {
        let file = SourceFile::new("a.js".into(), code.to_string());
        let parsed = parse(&file, &file.code).expect("parses");
        let facts = analyse(&file, &parsed);
        let call = facts.calls.iter().find(|c| c.call.callee.as_ref().is_some_and(|c| c.path == "session"));
        let Some(Value::Object(obj)) = call.and_then(|c| c.call.args.first()) else { panic!("no object") };
        let edits = add_fn(&file.code, &facts.comments, obj, "store: x", &facts.style);
        let out = crate::edit::apply(&file.code, &edits).expect("applies");
        parse(&file, &out).expect("still parses");
        out
    }

    fn add(code: &str) -> String {
        apply_to_options(code, add_property)
    }

    fn add_first(code: &str) -> String {
        apply_to_options(code, add_first_property)
    }

    /// A file of mixed indentation: a nested object added after a property indented with spaces, in a tab-indented
    /// file, gets spaces for its levels too (not two spaces then a tab); and the reverse.
    #[test]
    fn levels_follow_the_kind_of_the_indent_they_go_under() {
        let tabs = Style { indent_unit: "\t".into(), ..Style::default() };
        let text = "cookie: {\n\thttpOnly: true,\n\t\tdeep: 1\n}";
        assert_eq!(reindent(text, "  ", &tabs), "cookie: {\n    httpOnly: true,\n      deep: 1\n  }");
        assert_eq!(reindent(text, "\t", &tabs), "cookie: {\n\t\thttpOnly: true,\n\t\t\tdeep: 1\n\t}");
        let spaces = Style { indent_unit: "  ".into(), ..Style::default() };
        let text = "cookie: {\n  httpOnly: true\n}";
        assert_eq!(reindent(text, "\t", &spaces), "cookie: {\n\t\thttpOnly: true\n\t}");
        assert_eq!(reindent(text, "    ", &spaces), "cookie: {\n      httpOnly: true\n    }");
    }

    /// The one-pass [`reindent`] against its definition: `\r\n` to `\n`, then every line after the first indented.
    #[test]
    fn reindent_is_replace_split_join() {
        // (Indents of the unit's kind: what [`levels_follow_the_kind_of_the_indent_they_go_under`] covers aside.)
        let crlf = Style { eol: "\r\n", indent_unit: "\t".into(), ..Style::default() };
        for text in ["", "a", "a\nb", "a\r\nb\n", "\r\r\n\n\r", "x\ry\n\n  z\r\n", "\n"] {
            for (indent, style) in [("  ", &Style::default()), ("\t", &crlf), ("", &Style::default())] {
                let expected =
                    text.replace("\r\n", "\n").split('\n').collect::<Vec<_>>().join(&format!("{}{indent}", style.eol));
                assert_eq!(reindent(text, indent, style), expected, "{text:?} {indent:?}");
            }
        }
    }

    const HEAD: &str = "const session = require('express-session');\n";

    #[test]
    fn multiline_without_trailing_comma() {
        let code = format!("{HEAD}app.use(session({{\n  secret: 's',\n  resave: false\n}}));\n");
        assert_eq!(
            add(&code),
            format!("{HEAD}app.use(session({{\n  secret: 's',\n  resave: false,\n  store: x\n}}));\n")
        );
    }

    #[test]
    fn multiline_with_trailing_comma_and_comment() {
        let code = format!("{HEAD}app.use(session({{\n    secret: 's', // signs\n    resave: false, // no\n}}));\n");
        assert_eq!(
            add(&code),
            format!(
                "{HEAD}app.use(session({{\n    secret: 's', // signs\n    resave: false, // no\n    store: x,\n}}));\n"
            )
        );
    }

    #[test]
    fn multiline_last_property_with_comment_and_no_comma() {
        let code = format!("{HEAD}app.use(session({{\n\tsecret: 's' // signs\n}}));\n");
        assert_eq!(add(&code), format!("{HEAD}app.use(session({{\n\tsecret: 's', // signs\n\tstore: x\n}}));\n"));
    }

    #[test]
    fn single_line_objects() {
        let code = format!("{HEAD}app.use(session({{ secret: 's' }}));\n");
        assert_eq!(add(&code), format!("{HEAD}app.use(session({{ secret: 's', store: x }}));\n"));
        let code = format!("{HEAD}app.use(session({{}}));\n");
        assert_eq!(add(&code), format!("{HEAD}app.use(session({{ store: x }}));\n"));
    }

    #[test]
    fn first_property_in_each_layout() {
        let code = format!("{HEAD}app.use(session({{\n  // signs cookies\n  secret: 's',\n}}));\n");
        assert_eq!(
            add_first(&code),
            format!("{HEAD}app.use(session({{\n  store: x,\n  // signs cookies\n  secret: 's',\n}}));\n")
        );
        let code = format!("{HEAD}app.use(session({{ secret: 's' }}));\n");
        assert_eq!(add_first(&code), format!("{HEAD}app.use(session({{ store: x, secret: 's' }}));\n"));
        let code = format!("{HEAD}app.use(session({{ ...base,\n  secret: 's' }}));\n");
        assert_eq!(add_first(&code), format!("{HEAD}app.use(session({{ store: x, ...base,\n  secret: 's' }}));\n"));
    }

    #[test]
    fn several_properties_follow_the_layout() {
        let file = SourceFile::new(
            "a.js".into(),
            format!("{HEAD}a(session({{\n  secret: 's',\n}}));\nb(session({{ secret: 's' }}));\n"),
        );
        let parsed = parse(&file, &file.code).expect("parses");
        let facts = analyse(&file, &parsed);
        let objects: Vec<&ObjectFacts> = facts
            .calls
            .iter()
            .filter_map(|c| match c.call.args.first() {
                Some(Value::Object(o)) => Some(&**o),
                _ => None,
            })
            .collect();
        let props = ["a: 1".to_string(), "b: 2".to_string()];
        let mut edits = add_properties(&file.code, &facts.comments, objects[0], &props, &facts.style);
        edits.extend(add_properties(&file.code, &facts.comments, objects[1], &props, &facts.style));
        let out = crate::edit::apply(&file.code, &edits).expect("applies");
        assert_eq!(out, format!("{HEAD}a(session({{\n  secret: 's',\n  a: 1,\n  b: 2,\n}}));\nb(session({{ secret: 's', a: 1, b: 2 }}));\n"));
    }

    #[test]
    fn parts_at_one_point_make_one_object() {
        let code = "const app = express();\n  app.use(session());\n";
        let at = code.find("())").expect("call") + 1;
        let part = |props: &[&str], leading: bool, transform: &'static str| ObjectPart {
            transform,
            ..ObjectPart::new(at, props.iter().map(|p| p.to_string()).collect(), leading)
        };
        let style = Style::default();
        // One one-line property: on one line.
        let edits = new_object_edits(code, &[], &[part(&["secret: s"], true, "b")], &style);
        assert_eq!(
            crate::edit::apply(code, &edits).expect("applies"),
            code.replace("session()", "session({ secret: s })")
        );
        assert_eq!((edits[0].transform, edits[0].merged.clone()), ("b", vec![]));
        // Several parts: leading parts first, each in planned order, one per line below the line's indentation; a
        // property over several lines is indented with it; the edit is the first planner's, listing the others.
        let parts = [
            part(&["store: x"], true, "a"),
            part(&["name: 'sid'", "cookie: {\n  secure: true\n}"], false, "c"),
            part(&["secret: s"], true, "b"),
        ];
        let edits = new_object_edits(code, &[], &parts, &style);
        assert_eq!(edits.len(), 1);
        assert_eq!((edits[0].transform, edits[0].merged.clone()), ("a", vec!["b", "c"]));
        assert_eq!(
            crate::edit::apply(code, &edits).expect("applies"),
            "const app = express();\n  app.use(session({\n    store: x,\n    secret: s,\n    name: 'sid',\n    \
             cookie: {\n      secure: true\n    }\n  }));\n"
        );
        // The file's trailing commas and line endings.
        let crlf = code.replace('\n', "\r\n");
        let style = Style { trailing_commas: true, eol: "\r\n", indent_unit: "\t".into(), ..Style::default() };
        let parts = [ObjectPart { at: at + 1, ..part(&["a: 1", "b: 2"], false, "a") }];
        assert_eq!(
            crate::edit::apply(&crlf, &new_object_edits(&crlf, &[], &parts, &style)).expect("applies"),
            "const app = express();\r\n  app.use(session({\r\n  \ta: 1,\r\n  \tb: 2,\r\n  }));\r\n"
        );
        assert!(new_object_edits(code, &[], &[part(&[], true, "a")], &Style::default()).is_empty());
    }

    /// Parts several transforms plan for one existing one-line object: in place while the line fits, over several
    /// lines (leading parts first, a nested object still too long over several lines too) once it does not.
    #[test]
    fn parts_for_an_existing_one_line_object() {
        let layout = |code: &str, parts: &[(&[&str], bool, &'static str)]| {
            let file = SourceFile::new("a.js".into(), format!("{HEAD}{code}"));
            let parsed = parse(&file, &file.code).expect("parses");
            let facts = analyse(&file, &parsed);
            let call = facts.calls.iter().find(|c| c.call.callee.as_ref().is_some_and(|c| c.path == "session"));
            let Some(Value::Object(obj)) = call.and_then(|c| c.call.args.first()) else { panic!("no object") };
            let parts: Vec<ObjectPart> = parts
                .iter()
                .map(|(props, leading, transform)| ObjectPart {
                    transform,
                    ..ObjectPart::into(obj, props.iter().map(|p| p.to_string()).collect(), *leading)
                })
                .collect();
            let edits = new_object_edits(&file.code, &facts.comments, &parts, &facts.style);
            let out = crate::edit::apply(&file.code, &edits).expect("applies");
            (out.strip_prefix(HEAD).unwrap_or(&out).to_string(), edits)
        };
        let (short, edits) =
            layout("app.use(session({ secret: s }));\n", &[(&["store: x"], true, "a"), (&["name: 'sid'"], false, "b")]);
        assert_eq!(short, "app.use(session({ store: x, secret: s, name: 'sid' }));\n");
        assert_eq!(edits.iter().map(|e| e.transform).collect::<Vec<_>>(), ["a", "b"]);
        let cookie = "cookie: { httpOnly: true, secure: process.env.NODE_ENV === 'production', sameSite: 'lax' }";
        let (long, edits) = layout(
            "  app.use(session({ secret: s, resave: false }));\n",
            &[(&["name: 'sid'", cookie], false, "b"), (&["store: new RedisStore({ client: redisClient })"], true, "a")],
        );
        assert_eq!(
            long,
            "  app.use(session({\n    store: new RedisStore({ client: redisClient }),\n    secret: s,\n    resave: false,\n    \
             name: 'sid',\n    cookie: {\n      httpOnly: true,\n      secure: process.env.NODE_ENV === 'production',\n      \
             sameSite: 'lax'\n    }\n  }));\n"
        );
        assert!(edits.iter().all(|e| e.transform == "b" && e.merged == ["a"]));
        assert_eq!(
            top_level_items("a: f(1, 2), b: 'x, y', c: { d: 1, e: [2, 3] }"),
            Some(vec!["a: f(1, 2)".into(), "b: 'x, y'".into(), "c: { d: 1, e: [2, 3] }".into()])
        );
        assert_eq!(top_level_items("a: f(1, 2"), None);
    }

    #[test]
    fn crlf_objects() {
        let code = format!("{HEAD}app.use(session({{\r\n  secret: 's'\r\n}}));\r\n")
            .replace(HEAD, &HEAD.replace('\n', "\r\n"));
        let out = add(&code);
        assert!(out.contains("secret: 's',\r\n  store: x\r\n}"), "{out:?}");
    }
}
