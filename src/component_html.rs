//! What the markup of a front end's components loads: the `<template>` of a Vue single-file component, the markup of a
//! Svelte component (outside its `<script>` and `<style>`), and the JSX elements of a script (`.jsx`, `.tsx`, JSX in
//! `.js`). Their elements end up in the pages the app serves as the elements of a static page do, so an `<object
//! data="/icon.svg">` there needs `object-src 'self'` as it does in `index.html`, and an `<img
//! src="https://cdn.example.com/x.png">` that host in img-src.
//!
//! The markup is turned into plain HTML (each element's tag and attributes, at their lines, text left out) and read by
//! the views' scanner ([`views::scan_view`]); only what an element loads is kept: the hosts of its URLs, the app's own
//! files in `<object>`/`<embed>`, the URLs known only at run time, and the ids and classes of the elements that load
//! something. Inline code is not: a component's `<script>` and `<style>` blocks are its code and its styles, which the
//! compiler bundles (a `<script>` written in a Vue template is dropped), and its event handlers (`@click`, `on:click`,
//! `onClick={...}`) are listeners the framework adds, not attributes the policy checks.
//!
//! A bound attribute (`:data="url"`, `v-bind:src`, `src={url}`) is read as the views' scanner reads a template value:
//! a string literal as that URL (`:src="'/img/logo.png'"`), a literal followed by more (`'/img/' + name`, a template
//! literal) as that start and a run-time part, a local asset the bundler copies (`require('./logo.png')`, a name
//! imported from `./logo.svg`, a module constant holding a string) as the app's own file, and anything else as a URL
//! known only at run time (its host unknown: the directive allows every host, and a finding says so); `null`,
//! `undefined` and `false` drop the attribute.

use std::collections::HashMap;
use std::path::Path;

use swc_ecma_ast::{
    Decl, Expr, ImportSpecifier, JSXAttrName, JSXAttrOrSpread, JSXAttrValue, JSXElementName, JSXExpr,
    JSXOpeningElement, Lit, ModuleDecl, ModuleItem, Program, Stmt, VarDeclKind,
};
use swc_ecma_visit::{Visit, VisitWith};

use crate::source::SourceFile;
use crate::views::{self, ViewScan};

/// What stands for a part of a URL only known at run time: a template fragment to the views' scanner.
const RUNTIME_PART: &str = "<%%>";

/// The elements the views' scanner reads a URL of: a component file that names none of them (as `<name`) loads
/// nothing the policy governs, and is not read further.
const LOADING_TAGS: [&str; 14] = [
    "<object", "<embed", "<img", "<iframe", "<frame", "<video", "<audio", "<source", "<track", "<image", "<link",
    "<form", "<input", "<button",
];

/// Whether `path` is a file whose markup [`scan_component`] reads: a `.vue` or `.svelte` component, or a script that
/// may hold JSX (`.jsx`, `.tsx`, `.js`, `.mjs`, `.cjs`). Test files (`*.test.jsx`, `*.spec.js`, `*.stories.tsx`, or
/// under `__tests__`) render no page of the app.
#[must_use]
pub fn is_component_file(path: &Path) -> bool {
    let Some(ext) = path.extension().and_then(|e| e.to_str()) else { return false };
    if !matches!(ext, "vue" | "svelte" | "jsx" | "tsx" | "js" | "mjs" | "cjs") {
        return false;
    }
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
    let test = [".test.", ".spec.", ".stories.", ".story."].iter().any(|t| name.contains(t))
        || path.components().any(|c| c.as_os_str() == "__tests__");
    !test
}

/// What the markup of the component file `path` (text `text`) loads, as a view's scan of it (lines are the file's);
/// `None` when it loads nothing the policy governs, or is no markup it reads (a script without JSX, one that does not
/// parse).
#[must_use]
pub fn scan_component(path: &Path, text: &str) -> Option<ViewScan> {
    let text = crate::source::without_bom(text);
    // (One pass over the text: at each `<`, whether a tag of LOADING_TAGS starts there.)
    let bytes = text.as_bytes();
    let loading = |at: usize| LOADING_TAGS.iter().any(|tag| bytes[at..].starts_with(tag.as_bytes()));
    if !memchr::memchr_iter(b'<', bytes).any(loading) {
        return None;
    }
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or_default();
    let html = match ext {
        "vue" | "svelte" => {
            let known = crate::source::component_script(path, text)
                .and_then(|file| Some(known_values(&crate::parse::parse(&file, &file.code).ok()?.program)))
                .unwrap_or_default();
            let svelte = ext == "svelte";
            let region = if svelte { Some(0..text.len()) } else { vue_template(text) }?;
            markup_html(text, region, svelte, &known)
        }
        _ => {
            let file = SourceFile::new(path.to_path_buf(), text.to_string());
            let parsed = crate::parse::parse(&file, &file.code).ok()?;
            jsx_html(&file, &parsed.program)?
        }
    };
    let scan = views::scan_view(Path::new("component.htm"), &html);
    let kept = ViewScan {
        external: scan.external,
        runtime_hosts: scan.runtime_hosts,
        own_objects: scan.own_objects,
        element_ids: scan.element_ids,
        ..ViewScan::default()
    };
    let loads = !kept.external.is_empty() || !kept.runtime_hosts.is_empty() || !kept.own_objects.is_empty();
    loads.then_some(kept)
}

/// The byte range of a Vue component's template: from the end of its first `<template ...>` tag to its last
/// `</template>` (nested `<template v-if>` blocks are inside). `None` without one.
fn vue_template(text: &str) -> Option<std::ops::Range<usize>> {
    let open = find_tag(text, 0, "template")?;
    let start = open + text[open..].find('>')? + 1;
    let end = text.rfind("</template").filter(|&end| end >= start)?;
    Some(start..end)
}

/// Where the next tag `<name` (followed by whitespace, `>` or `/`) starts at or after `from`, ASCII case ignored.
fn find_tag(text: &str, from: usize, name: &str) -> Option<usize> {
    let b = text.as_bytes();
    let mut at = from;
    while let Some(i) = memchr::memchr(b'<', b.get(at..)?) {
        let open = at + i;
        let after = open + 1 + name.len();
        let named = b.get(open + 1..after).is_some_and(|n| n.eq_ignore_ascii_case(name.as_bytes()));
        if named && b.get(after).is_none_or(|c| c.is_ascii_whitespace() || matches!(c, b'>' | b'/')) {
            return Some(open);
        }
        at = open + 1;
    }
    None
}

/// The line breaks of `text`, which stand for it in the HTML made (so that every line stays where it was).
fn breaks(text: &str) -> String {
    "\n".repeat(text.bytes().filter(|b| *b == b'\n').count())
}

/// The end (past the closing brace) of the braced expression opening at `open` (`{` at `open`), skipping strings,
/// template literals and nested braces; the text's end when it is not closed.
fn brace_end(b: &[u8], open: usize) -> usize {
    let mut depth = 0usize;
    let mut i = open;
    while i < b.len() {
        match b[i] {
            b'{' => depth += 1,
            b'}' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return i + 1;
                }
            }
            q @ (b'"' | b'\'' | b'`') => {
                i += 1;
                while i < b.len() && b[i] != q {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
            }
            _ => {}
        }
        i += 1;
    }
    b.len()
}

/// The markup between `region` of a Vue template or a Svelte component (`svelte`) as HTML: every element's tag with
/// the attributes that may name a URL, bound ones read with [`bound_value`], text, comments, mustaches and Svelte's
/// blocks (`{#if}`, `{expr}`) left out, `<script>` and `<style>` elements too; each line where it was.
fn markup_html(text: &str, region: std::ops::Range<usize>, svelte: bool, known: &HashMap<String, String>) -> String {
    let b = text.as_bytes();
    let mut out = breaks(&text[..region.start]);
    let mut i = region.start;
    let end = region.end;
    while i < end {
        let rest = &b[i..end];
        let skip_to = if rest.starts_with(b"<!--") {
            Some(text[i..end].find("-->").map_or(end, |e| i + e + 3))
        } else if svelte && rest[0] == b'{' {
            Some(brace_end(&b[..end], i))
        } else if !svelte && rest.starts_with(b"{{") {
            Some(text[i..end].find("}}").map_or(end, |e| i + e + 2))
        } else if rest.starts_with(b"</") {
            Some(text[i..end].find('>').map_or(end, |e| i + e + 1))
        } else if rest[0] == b'<' && rest.get(1).is_some_and(u8::is_ascii_alphabetic) {
            let name_len = rest[1..]
                .iter()
                .position(|c| c.is_ascii_whitespace() || matches!(c, b'>' | b'/'))
                .unwrap_or(rest.len() - 1);
            let name = &text[i + 1..i + 1 + name_len];
            if name.eq_ignore_ascii_case("script") || name.eq_ignore_ascii_case("style") {
                // (The element with its body: code and styles, not markup.)
                let close = format!("</{}", name.to_ascii_lowercase());
                let lower = text[i..end].to_ascii_lowercase();
                let body_end = lower.find(&close).map_or(end, |e| i + e);
                Some(text[body_end..end].find('>').map_or(end, |e| body_end + e + 1))
            } else {
                i = tag_html(text, i, i + 1 + name_len, end, svelte, known, &mut out);
                None
            }
        } else {
            Some(i + text[i..end].chars().next().map_or(1, char::len_utf8))
        };
        if let Some(to) = skip_to {
            out.push_str(&breaks(&text[i..to]));
            i = to;
        }
    }
    out
}

/// Writes the tag opening at `open` (its name ends at `name_end`) as HTML into `out`; returns the offset after it.
fn tag_html(
    text: &str,
    open: usize,
    name_end: usize,
    end: usize,
    svelte: bool,
    known: &HashMap<String, String>,
    out: &mut String,
) -> usize {
    let b = text.as_bytes();
    out.push_str(&text[open..name_end]);
    let mut i = name_end;
    while i < end {
        let c = b[i];
        if c.is_ascii_whitespace() {
            out.push(if c == b'\n' { '\n' } else { ' ' });
            i += 1;
            continue;
        }
        if c == b'>' {
            out.push('>');
            return i + 1;
        }
        if b[i..end].starts_with(b"/>") {
            out.push_str("/>");
            return i + 2;
        }
        let start = i;
        if svelte && c == b'{' {
            // (Svelte's shorthand `{src}`, for `src={src}`; a spread `{...props}` says nothing.)
            let close = brace_end(&b[..end], i);
            let inner = text[i + 1..close.saturating_sub(1).max(i + 1)].trim();
            if !inner.is_empty() && inner.bytes().all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'$')) {
                let value = known.get(inner).map_or(RUNTIME_PART, String::as_str);
                push_attribute(out, inner, value);
            }
            out.push_str(&breaks(&text[start..close]));
            i = close;
            continue;
        }
        while i < end && !b[i].is_ascii_whitespace() && !matches!(b[i], b'=' | b'>') && !b[i..].starts_with(b"/>") {
            i += 1;
        }
        let name = &text[start..i];
        if name.is_empty() {
            // (A stray character: skipped.)
            i += text[i..].chars().next().map_or(1, char::len_utf8);
            continue;
        }
        let mut j = i;
        while j < end && b[j].is_ascii_whitespace() {
            j += 1;
        }
        // (The value: its text, whether it is an expression, and the offset after it.)
        let mut value: Option<(&str, bool)> = None;
        if j < end && b[j] == b'=' {
            j += 1;
            while j < end && b[j].is_ascii_whitespace() {
                j += 1;
            }
            match b.get(j) {
                Some(q @ (b'"' | b'\'')) => {
                    let mut k = j + 1;
                    while k < end && b[k] != *q {
                        k = if svelte && b[k] == b'{' { brace_end(&b[..end], k) } else { k + 1 };
                    }
                    value = Some((&text[j + 1..k.min(end)], false));
                    j = (k + 1).min(end);
                }
                Some(b'{') if svelte => {
                    let close = brace_end(&b[..end], j);
                    value = Some((&text[j + 1..close.saturating_sub(1).max(j + 1)], true));
                    j = close;
                }
                _ => {
                    let mut k = j;
                    while k < end && !b[k].is_ascii_whitespace() && b[k] != b'>' {
                        k += 1;
                    }
                    value = Some((&text[j..k], false));
                    j = k;
                }
            }
            i = j;
        }
        let consumed = &text[start..i];
        if let Some((name, value)) = attribute(name, value, svelte, known) {
            push_attribute(out, &name, &value);
        }
        out.push_str(&breaks(consumed));
    }
    end
}

/// The attribute `name` with `value` (its text, and whether it is a Svelte expression) as HTML: `None` for a
/// directive or a handler, which names no URL (`@click`, `v-if`, `on:click`, `bind:this`), and for a bound value that
/// drops the attribute.
fn attribute(
    name: &str,
    value: Option<(&str, bool)>,
    svelte: bool,
    known: &HashMap<String, String>,
) -> Option<(String, String)> {
    if svelte {
        if name.contains(':') {
            return None;
        }
        let text = match value {
            None => String::new(),
            Some((expression, true)) => bound_value(expression, known)?,
            // (`src="/img/{name}.png"`: each braced part known only at run time, unless it is a literal.)
            Some((quoted, false)) => braced_parts(quoted, known),
        };
        return Some((name.to_string(), text));
    }
    let bound = name.strip_prefix("v-bind:").or_else(|| name.strip_prefix(':'));
    if let Some(bound) = bound {
        // (Modifiers, `:src.prop`; a dynamic argument, `:[name]`, names no attribute known here.)
        let bound = bound.split('.').next().unwrap_or_default();
        if bound.is_empty() || bound.starts_with('[') {
            return None;
        }
        let text = bound_value(value.map_or("", |(v, _)| v), known)?;
        return Some((bound.to_string(), text));
    }
    if name.starts_with('@') || name.starts_with('#') || name.starts_with("v-") {
        return None;
    }
    Some((name.to_string(), value.map_or(String::new(), |(v, _)| v.to_string())))
}

/// A quoted Svelte attribute value with its braced parts replaced by what [`bound_value`] reads of them (a run-time
/// part where it reads nothing).
fn braced_parts(quoted: &str, known: &HashMap<String, String>) -> String {
    let b = quoted.as_bytes();
    let mut out = String::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'{' {
            let close = brace_end(b, i);
            let inner = &quoted[i + 1..close.saturating_sub(1).max(i + 1)];
            out.push_str(&bound_value(inner, known).unwrap_or_default());
            i = close;
        } else {
            let c = quoted[i..].chars().next().unwrap_or(' ');
            out.push(c);
            i += c.len_utf8();
        }
    }
    out
}

/// What a bound attribute's expression gives, as the views' scanner reads a value: see the module doc. `None` for
/// `null`, `undefined` or `false` (the attribute is not set) and an empty expression.
fn bound_value(expression: &str, known: &HashMap<String, String>) -> Option<String> {
    let e = expression.trim();
    if e.is_empty() || matches!(e, "null" | "undefined" | "false") {
        return None;
    }
    if let Some(value) = known.get(e) {
        return Some(value.clone());
    }
    // (`require('./logo.png')`, `require("@/assets/logo.png")`: a file the bundler copies, the app's own.)
    if let Some(arg) = e.strip_prefix("require(").and_then(|r| r.strip_suffix(')')) {
        if let Some((path, "")) = leading_string(arg.trim(), known) {
            return Some(format!("./{}", path.trim_start_matches(['.', '/', '@', '~'])));
        }
    }
    match leading_string(e, known) {
        Some((literal, "")) => Some(literal),
        Some((literal, _)) => Some(format!("{literal}{RUNTIME_PART}")),
        None => Some(RUNTIME_PART.to_string()),
    }
}

/// The string literal `e` starts with (`'...'`, `"..."`, or a template literal, whose `${}` parts are run-time parts
/// unless they name a value `known`) and the text after it, trimmed.
fn leading_string<'e>(e: &'e str, known: &HashMap<String, String>) -> Option<(String, &'e str)> {
    let b = e.as_bytes();
    let q = *b.first().filter(|q| matches!(q, b'"' | b'\'' | b'`'))?;
    let mut out = String::new();
    let mut i = 1;
    while i < b.len() && b[i] != q {
        if b[i] == b'\\' && i + 1 < b.len() {
            out.push(char::from(b[i + 1]));
            i += 2;
        } else if q == b'`' && b[i..].starts_with(b"${") {
            let close = brace_end(b, i + 1);
            let part = e[i + 2..close.saturating_sub(1).max(i + 2)].trim();
            out.push_str(known.get(part).map_or(RUNTIME_PART, String::as_str));
            i = close;
        } else {
            let c = e[i..].chars().next()?;
            out.push(c);
            i += c.len_utf8();
        }
    }
    (i < b.len()).then(|| (out, e[i + 1..].trim()))
}

/// Writes ` name="value"` (the value's quotes escaped) into `out`.
fn push_attribute(out: &mut String, name: &str, value: &str) {
    out.push(' ');
    out.push_str(name);
    out.push_str("=\"");
    out.push_str(&value.replace('"', "&quot;"));
    out.push('"');
}

/// The values a component's script makes known by name for its markup: a name imported from a file that is no module
/// (`import logo from './logo.svg'`, a file the bundler copies: the app's own) and a module-level `const` holding a
/// string literal.
fn known_values(program: &Program) -> HashMap<String, String> {
    let mut known = HashMap::new();
    let Program::Module(module) = program else { return known };
    for item in &module.body {
        match item {
            ModuleItem::ModuleDecl(ModuleDecl::Import(import)) => {
                let Some(source) = import.src.value.as_str() else { continue };
                let ext = Path::new(source).extension().and_then(|e| e.to_str()).unwrap_or_default();
                let asset = !ext.is_empty()
                    && !crate::source::SOURCE_EXTENSIONS.contains(&ext)
                    && !matches!(ext, "vue" | "svelte" | "json" | "css" | "scss" | "sass" | "less");
                if !asset {
                    continue;
                }
                for specifier in &import.specifiers {
                    if let ImportSpecifier::Default(default) = specifier {
                        let own = format!("./{}", source.trim_start_matches(['.', '/', '@', '~']));
                        known.insert(default.local.sym.to_string(), own);
                    }
                }
            }
            ModuleItem::Stmt(Stmt::Decl(Decl::Var(var))) if var.kind == VarDeclKind::Const => {
                for decl in &var.decls {
                    let (Some(name), Some(init)) = (decl.name.as_ident(), decl.init.as_deref()) else { continue };
                    if let Some(value) = string_of(init) {
                        known.insert(name.id.sym.to_string(), value);
                    }
                }
            }
            _ => {}
        }
    }
    known
}

/// A string literal's text, or a template literal's with its `${}` parts as run-time parts.
fn string_of(expr: &Expr) -> Option<String> {
    match expr {
        Expr::Lit(Lit::Str(s)) => Some(s.value.as_str()?.to_string()),
        Expr::Tpl(t) => {
            let mut out = String::new();
            for (n, quasi) in t.quasis.iter().enumerate() {
                out.push_str(quasi.cooked.as_ref().and_then(|c| c.as_str()).unwrap_or(RUNTIME_PART));
                if n < t.exprs.len() {
                    out.push_str(RUNTIME_PART);
                }
            }
            Some(out)
        }
        Expr::Paren(p) => string_of(&p.expr),
        _ => None,
    }
}

/// The JSX elements of a parsed script as HTML (see [`markup_html`]): each HTML element (a lower-case name; a
/// component, `<Logo />`, is markup of its own file) with its attributes at their lines. `None` when it has none.
fn jsx_html(file: &SourceFile, program: &Program) -> Option<String> {
    let mut collector = Jsx { file, known: known_values(program), out: String::new(), line: 1 };
    program.visit_with(&mut collector);
    (!collector.out.is_empty()).then_some(collector.out)
}

struct Jsx<'a> {
    file: &'a SourceFile,
    known: HashMap<String, String>,
    out: String,
    /// The line the HTML made so far ends on.
    line: usize,
}

impl Jsx<'_> {
    /// Line breaks up to the 1-based line of `offset` (none when the HTML is past it already).
    fn advance_to_line_of(&mut self, offset: usize) {
        let line = self.file.line(offset);
        while self.line < line {
            self.out.push('\n');
            self.line += 1;
        }
    }

    /// What an attribute's JSX value gives (see [`bound_value`]): `None` drops the attribute.
    fn value(&self, value: Option<&JSXAttrValue>) -> Option<String> {
        match value {
            None => Some(String::new()),
            Some(JSXAttrValue::Str(s)) => s.value.as_str().map(str::to_string),
            Some(JSXAttrValue::JSXExprContainer(container)) => match &container.expr {
                JSXExpr::JSXEmptyExpr(_) => None,
                JSXExpr::Expr(expr) => self.expression(expr),
            },
            Some(_) => Some(RUNTIME_PART.to_string()),
        }
    }

    fn expression(&self, expr: &Expr) -> Option<String> {
        match expr {
            Expr::Lit(Lit::Null(_)) | Expr::Lit(Lit::Bool(swc_ecma_ast::Bool { value: false, .. })) => None,
            Expr::Ident(i) if i.sym == *"undefined" => None,
            Expr::Ident(i) => Some(self.known.get(&*i.sym).cloned().unwrap_or_else(|| RUNTIME_PART.to_string())),
            Expr::Paren(p) => self.expression(&p.expr),
            Expr::Tpl(t) => {
                let mut out = String::new();
                for (n, quasi) in t.quasis.iter().enumerate() {
                    out.push_str(quasi.cooked.as_ref().and_then(|c| c.as_str()).unwrap_or(RUNTIME_PART));
                    if let Some(part) = t.exprs.get(n) {
                        out.push_str(&self.expression(part).unwrap_or_default());
                    }
                }
                Some(out)
            }
            Expr::Bin(bin) if bin.op == swc_ecma_ast::BinaryOp::Add => {
                let start = self.expression(&bin.left)?;
                Some(if start.ends_with(RUNTIME_PART) { start } else { format!("{start}{RUNTIME_PART}") })
            }
            _ => Some(string_of(expr).unwrap_or_else(|| RUNTIME_PART.to_string())),
        }
    }
}

impl Visit for Jsx<'_> {
    fn visit_jsx_opening_element(&mut self, element: &JSXOpeningElement) {
        element.visit_children_with(self);
        let JSXElementName::Ident(name) = &element.name else { return };
        if !name.sym.starts_with(|c: char| c.is_ascii_lowercase()) {
            return;
        }
        self.advance_to_line_of(crate::parse::range_of(element).start);
        // (Each element on a line of its own past the earlier ones: two on one line stay on it.)
        self.out.push('<');
        self.out.push_str(&name.sym);
        for attr in &element.attrs {
            let JSXAttrOrSpread::JSXAttr(attr) = attr else { continue };
            let JSXAttrName::Ident(attr_name) = &attr.name else { continue };
            // (React's names of the attributes the scanner reads: `srcSet`, `formAction`, `xlinkHref`.)
            let html_name = match &*attr_name.sym {
                "srcSet" => "srcset",
                "formAction" => "formaction",
                "xlinkHref" => "xlink:href",
                "className" => "class",
                other if other.starts_with("on") => continue,
                other => other,
            };
            let Some(value) = self.value(attr.value.as_ref()) else { continue };
            self.advance_to_line_of(crate::parse::range_of(attr).start);
            push_attribute(&mut self.out, html_name, &value);
        }
        self.out.push_str(if element.self_closing { "/>" } else { ">" });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::views::ResourceKind;

    fn scan(name: &str, text: &str) -> ViewScan {
        scan_component(Path::new(name), text).unwrap_or_default()
    }

    fn hosts(scan: &ViewScan) -> Vec<(usize, ResourceKind, &str)> {
        scan.external.iter().map(|e| (e.line, e.kind, e.origin.as_str())).collect()
    }

    fn runtime(scan: &ViewScan) -> Vec<(usize, ResourceKind)> {
        scan.runtime_hosts.iter().map(|r| (r.line, r.kind)).collect()
    }

    #[test]
    fn a_vue_template_is_read_as_a_page_and_its_script_and_style_are_not() {
        let vue = "<script setup>\nimport logo from './assets/logo.svg'\nconst cdn = 'https://cdn.example.com/a.png'\n\
                   </script>\n<template>\n  <header>\n    <object width=\"40\" data=\"/icon.svg\" />\n    \
                   <embed :src=\"logo\">\n    <img :src=\"cdn\" @click=\"go\">\n    <img\n      \
                   :src=\"user.avatar\">\n    <iframe v-bind:src=\"'https://player.example.com/' + id\"></iframe>\n    \
                   <img src=\"https://img.example.com/x.png\" :alt=\"a > b ? 'x' : 'y'\">\n    <p>{{ a < b }}</p>\n\
                   <object :data=\"null\"></object>\n    <template v-if=\"x\"><embed src=\"/doc.pdf\"></template>\n  \
                   </header>\n</template>\n<style>\n.a { background: url(https://bg.example.com/x.png) }\n</style>\n";
        let got = scan("App.vue", vue);
        assert_eq!(got.own_objects, vec![7, 8, 16]);
        assert_eq!(
            hosts(&got),
            vec![
                (9, ResourceKind::Image, "https://cdn.example.com"),
                (12, ResourceKind::Frame, "https://player.example.com"),
                (13, ResourceKind::Image, "https://img.example.com"),
            ]
        );
        assert_eq!(runtime(&got), vec![(11, ResourceKind::Image)]);
        assert!(got.inline.is_empty());
    }

    #[test]
    fn a_component_without_loading_elements_or_template_gives_nothing() {
        assert_eq!(scan_component(Path::new("A.vue"), "<template><p>{{ hi }}</p></template>\n"), None);
        assert_eq!(
            scan_component(Path::new("B.vue"), "<script>\nexport default { template: '<object>' }\n</script>\n"),
            None
        );
        assert_eq!(scan_component(Path::new("C.jsx"), "export const C = () => <p onClick={go}>hi</p>;\n"), None);
        assert_eq!(
            scan_component(Path::new("D.js"), "const html = '<img src=\"https://x.example.com/a.png\">';\n"),
            None
        );
    }

    #[test]
    fn svelte_markup_with_braced_values_shorthands_and_blocks() {
        let svelte = "<script>\n  import pdf from './guide.pdf';\n  let src = '/x.png';\n</script>\n\n\
                      {#if a < b}\n  <object data={pdf} title=\"guide\"></object>\n  <img {src} on:click={go}>\n  \
                      <img src=\"https://img.example.com/{name}.png\">\n  <embed src=\"/files/{name}.pdf\">\n\
                      {/if}\n<style>\n  img { border: 0 }\n</style>\n";
        let got = scan("Guide.svelte", svelte);
        assert_eq!(got.own_objects, vec![7, 10]);
        assert_eq!(hosts(&got), vec![(9, ResourceKind::Image, "https://img.example.com")]);
        // (`let` is no constant: its value may change.)
        assert_eq!(runtime(&got), vec![(8, ResourceKind::Image)]);
    }

    #[test]
    fn jsx_elements_at_their_lines_components_and_handlers_left_out() {
        let jsx = "import icon from './icon.svg';\nconst HOST = 'https://docs.example.com';\n\
                   export function Logo({ url }) {\n  return (\n    <div onClick={() => go('<img>')}>\n      \
                   <object data=\"/icon.svg\" width={40} />\n      <embed\n        src={icon} />\n      \
                   <Frame src=\"https://ignored.example.com\" />\n      <iframe src={`${HOST}/guide`} />\n      \
                   <object data={url} />\n      <img srcSet=\"https://a.example.com/x.png 2x\" src={undefined} />\n\
                   </div>\n  );\n}\n";
        let got = scan("Logo.jsx", jsx);
        assert_eq!(got.own_objects, vec![6, 8]);
        assert_eq!(
            hosts(&got),
            vec![
                (10, ResourceKind::Frame, "https://docs.example.com"),
                (12, ResourceKind::Image, "https://a.example.com")
            ]
        );
        assert_eq!(runtime(&got), vec![(11, ResourceKind::Object)]);
        let tsx = "export const A = (p: { u: string }) => <object data={'/a.svg' as string} />;\n";
        assert_eq!(scan("A.tsx", tsx).runtime_hosts.len() + scan("A.tsx", tsx).own_objects.len(), 1);
    }

    #[test]
    fn bound_values_are_read_as_template_values() {
        let known = HashMap::from([("logo".to_string(), "./logo.svg".to_string())]);
        let read = |e: &str| bound_value(e, &known);
        assert_eq!(read("'/icon.svg'").as_deref(), Some("/icon.svg"));
        assert_eq!(read("\"/img/\" + name").as_deref(), Some("/img/<%%>"));
        assert_eq!(read("`https://${host}/x`").as_deref(), Some("https://<%%>/x"));
        assert_eq!(read("require('@/assets/a.png')").as_deref(), Some("./assets/a.png"));
        assert_eq!(read("logo").as_deref(), Some("./logo.svg"));
        assert_eq!(read("user.avatar").as_deref(), Some("<%%>"));
        assert_eq!(read(" null "), None);
        assert_eq!(read("false"), None);
    }

    #[test]
    fn test_files_and_other_extensions_are_no_components() {
        assert!(is_component_file(Path::new("src/App.vue")));
        assert!(is_component_file(Path::new("src/App.js")));
        assert!(!is_component_file(Path::new("src/App.test.jsx")));
        assert!(!is_component_file(Path::new("src/__tests__/App.jsx")));
        assert!(!is_component_file(Path::new("src/page.astro")));
        assert!(!is_component_file(Path::new("src/a.ts")));
    }
}
