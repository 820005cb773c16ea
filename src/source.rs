//! A source file as read from disk: its text, the bytes that must stay first (BOM), its syntax, and a line index
//! for turning byte offsets into the line and column a user sees.

use std::path::{Path, PathBuf};

/// The most files one thread takes at once in the passes over the files. rayon splits a list only as far as its
/// threads steal from each other, so a thread could be left with a quarter of the list to work through alone, and the
/// files that cost most (the apps, which change) sit together in path order: on 10,000 files the planning's last
/// quarter of a second ran on one core. Small chunks cost rayon a job each, nothing next to a file's work.
pub const PARALLEL_CHUNK: usize = 4;

/// The syntax a file is parsed with, decided by its extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SourceKind {
    /// `.js`, `.cjs`, `.mjs`, `.jsx`: JavaScript with JSX enabled (JSX is harmless for plain JS).
    JavaScript,
    /// `.ts`, `.cts`, `.mts`.
    TypeScript,
    /// `.tsx`.
    Tsx,
}

/// The module system a file's extension forces, when it forces one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExtensionModule {
    /// `.mjs`, `.mts`: always an ES module.
    Esm,
    /// `.cjs`, `.cts`: always CommonJS.
    CommonJs,
    /// Decided by the file's own syntax (and package.json `type`).
    Either,
}

/// Extensions the tool reads as code.
pub const SOURCE_EXTENSIONS: [&str; 8] = ["js", "cjs", "mjs", "jsx", "ts", "cts", "mts", "tsx"];

/// Whether `path` is a source file the tool handles (`.d.ts` declaration files are not).
pub fn is_source_file(path: &Path) -> bool {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return false;
    };
    if name.ends_with(".d.ts") || name.ends_with(".d.mts") || name.ends_with(".d.cts") {
        return false;
    }
    path.extension().and_then(|e| e.to_str()).is_some_and(|ext| SOURCE_EXTENSIONS.contains(&ext))
}

/// Syntax and forced module system for a source path.
pub fn kind_of(path: &Path) -> (SourceKind, ExtensionModule) {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "ts" => (SourceKind::TypeScript, ExtensionModule::Either),
        "mts" => (SourceKind::TypeScript, ExtensionModule::Esm),
        "cts" => (SourceKind::TypeScript, ExtensionModule::CommonJs),
        "tsx" => (SourceKind::Tsx, ExtensionModule::Either),
        "mjs" => (SourceKind::JavaScript, ExtensionModule::Esm),
        "cjs" => (SourceKind::JavaScript, ExtensionModule::CommonJs),
        _ => (SourceKind::JavaScript, ExtensionModule::Either),
    }
}

/// The UTF-8 byte order mark.
pub const BOM: &str = "\u{feff}";

/// `text` without its UTF-8 byte order mark, if it has one: the text every edit offset counts in.
pub fn without_bom(text: &str) -> &str {
    text.strip_prefix(BOM).unwrap_or(text)
}

/// How a file that looks minified is laid out (see [`minified`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Minified {
    /// Bytes per line, on average.
    pub average: usize,
    /// The longest line, in bytes.
    pub longest: usize,
}

/// Whether a source file looks minified (a bundle or generated code, not source a person edits): named `*.min.js`
/// (`.mjs`, `.cjs`), or lines over 110 bytes on average (GitHub Linguist's rule for minified JavaScript) with one
/// over 500. Linear in the file, on bytes (before decoding).
pub fn minified(path: &Path, bytes: &[u8]) -> Option<Minified> {
    let named = path
        .file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| [".min.js", ".min.mjs", ".min.cjs"].iter().any(|ext| n.ends_with(ext)));
    // Every LF ends a line (a CRLF's CR ends it, and the pair counts once), so the lines' average is at most the
    // bytes over the LFs: a file that averages 110 bytes a line or less by that count is not minified, told by one
    // vectorised count rather than a step per line (most files).
    let newlines = memchr::memchr_iter(b'\n', bytes).count();
    if !named && newlines > 0 && bytes.len() / newlines <= 110 {
        return None;
    }
    let Minified { average, longest } = line_lengths(bytes);
    (named || (average > 110 && longest > 500)).then_some(Minified { average, longest })
}

/// The average and the longest line of `bytes`, step by step.
fn line_lengths(bytes: &[u8]) -> Minified {
    let (mut lines, mut total, mut longest, mut start) = (0, 0, 0, 0);
    // Lines end at LF, CRLF or a lone CR (classic Mac files are not minified).
    for end in memchr::memchr2_iter(b'\n', b'\r', bytes).chain(std::iter::once(bytes.len())) {
        if end == start && end > 0 && bytes.get(end) == Some(&b'\n') && bytes[end - 1] == b'\r' {
            start = end + 1;
            continue;
        }
        if end > start || end < bytes.len() {
            lines += 1;
        }
        total += end - start;
        longest = longest.max(end - start);
        start = end + 1;
    }
    Minified { average: total / lines.max(1), longest }
}

/// The packages a file's text may import, those `keep` accepts: every name written right after a quote (`'`, `"` or
/// `` ` ``) and followed by a quote or a `/` (after the scope, for `@scope/name`), as in `require('lodash')`,
/// `from "lodash/template"`, `` import(`@scope/pkg`) ``. A module specifier that names a package is always spelled so,
/// which makes this the cheap, sound test of whether the file can import it (no parse: other strings count too).
/// Linear in the file, on bytes (before decoding).
pub fn named_packages(bytes: &[u8], keep: impl Fn(&str) -> bool) -> PackageNames {
    // (npm's longest name.)
    const LONGEST: usize = 214;
    let mut found = std::collections::BTreeSet::new();
    for at in memchr::memchr3_iter(b'\'', b'"', b'`', bytes) {
        let rest = &bytes[at + 1..];
        let scoped = rest.first() == Some(&b'@');
        let (mut slash, mut end) = (None, None);
        for (i, &b) in rest.iter().enumerate().take(LONGEST + 1) {
            match b {
                b'\'' | b'"' | b'`' => {
                    end = Some(i);
                    break;
                }
                b'/' if scoped && slash.is_none() => slash = Some(i),
                b'/' => {
                    end = Some(i);
                    break;
                }
                b'@' if i == 0 => {}
                b if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') => {}
                _ => break,
            }
        }
        // (A scope alone, `'@scope'` or `'@scope/'`, names no package, nor does a path, `'./x'`.)
        let Some(end) = end.filter(|&end| end > 0 && (!scoped || slash.is_some_and(|s| s > 1 && end > s + 1))) else {
            continue;
        };
        if matches!(rest[0], b'.' | b'_') {
            continue;
        }
        let Ok(name) = std::str::from_utf8(&rest[..end]) else { continue };
        if !found.contains(name) && keep(name) {
            found.insert(name.to_string());
        }
    }
    PackageNames(found.into_iter().map(String::into_boxed_str).collect())
}

/// The package names a text names ([`named_packages`]), sorted, each once. (A boxed slice: every file the prefilter
/// leaves unread holds its names until it is planned, and a `BTreeSet` of one name takes a node made for eleven.)
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PackageNames(Box<[Box<str>]>);

impl PackageNames {
    /// Whether `name` is one of them.
    pub fn contains(&self, name: &str) -> bool {
        self.0.binary_search_by(|p| (**p).cmp(name)).is_ok()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The names, sorted.
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|p| &**p)
    }
}

/// Whether `text` starts with a BOM, and the text after it.
fn split_bom(text: String) -> (bool, String) {
    match text.strip_prefix(BOM) {
        Some(rest) => (true, rest.to_string()),
        None => (false, text),
    }
}

/// A file's text split into the BOM (kept aside so that it stays first) and the code the parser sees.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The path as the user named it (relative paths stay relative so that diffs read well).
    pub path: PathBuf,
    /// Whether the file starts with a UTF-8 BOM; `code` does not include it.
    pub bom: bool,
    /// The text after the BOM. Every byte offset in the engine is an offset into this string.
    pub code: String,
    /// Syntax chosen from the extension.
    pub kind: SourceKind,
    /// Module system forced by the extension.
    pub ext_module: ExtensionModule,
    /// Where its lines start, worked out when first asked (a rewritten text's only when a line is reported in it or it
    /// is analysed again; at the latest when the text is parked, which keeps it).
    lines: std::sync::OnceLock<crate::lines::LineIndex>,
    /// While the text is parked (see [`SourceFile::park`]): what tells it again.
    parked: Option<Fingerprint>,
}

/// Why a parked text is not read again: it is no longer the text the facts were made of (see [`SourceFile::unpark`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChangedOnDisk;

impl std::fmt::Display for ChangedOnDisk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("changed on disk while express-harden was reading the project; left alone (run it again)")
    }
}

/// What tells a text again once it is no longer held: its length and a hash of its bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Fingerprint {
    len: usize,
    hash: u64,
}

impl Fingerprint {
    fn of(code: &str) -> Fingerprint {
        use std::hash::Hasher;
        let mut hasher = rustc_hash::FxHasher::default();
        hasher.write(code.as_bytes());
        Fingerprint { len: code.len(), hash: hasher.finish() }
    }
}

impl SourceFile {
    /// Builds a source file from its full text (BOM included, if any).
    pub fn new(path: PathBuf, text: String) -> SourceFile {
        let (bom, code) = split_bom(text);
        let (kind, ext_module) = kind_of(&path);
        SourceFile { path, bom, code, kind, ext_module, lines: std::sync::OnceLock::new(), parked: None }
    }

    /// Drops the text, keeping its line index and what tells it again. Between the passes a project's files are only
    /// looked at through their facts (and line numbers): holding every file's text until it is planned would double
    /// what the run holds (issue 17). [`SourceFile::unpark`] reads it again before the file is planned.
    pub fn park(&mut self) {
        if self.parked.is_none() {
            self.line_index();
            self.parked = Some(Fingerprint::of(&self.code));
            self.code = String::new();
        }
    }

    /// Whether the text is parked: `code` is empty until [`SourceFile::unpark`].
    pub fn is_parked(&self) -> bool {
        self.parked.is_some()
    }

    /// Whether express-harden edits this text: not one whose lines mostly end with a lone CR (classic Mac line
    /// endings), whose new code's layout it would have to guess, nor a parked one (its text is not at hand). A change
    /// that needs an edit here as well as elsewhere (a cookie renamed in one module and cleared in another) is made
    /// whole or not at all.
    pub fn takes_edits(&self) -> bool {
        !self.is_parked() && !crate::lines::mostly_lone_cr(&self.code)
    }

    /// Reads a parked text again from disk (from the page cache, in practice), through the same checks as the first
    /// read (`root`: no link out of the project). A text that is no longer the one the facts were made of (the file
    /// changed or went away while the tool was running) is not read: its facts' offsets would point into other code.
    pub fn unpark(&mut self, root: Option<&Path>) -> Result<(), ChangedOnDisk> {
        let Some(parked) = self.parked else { return Ok(()) };
        let changed = |_| ChangedOnDisk;
        // (At most the parked length and a BOM: a file that grew is not the same file, and is not read whole.)
        let limit = parked.len as u64 + BOM.len() as u64;
        let bytes = crate::fsread::read(&self.path, limit, root).map_err(changed)?;
        let text = String::from_utf8(bytes).map_err(|_| ChangedOnDisk)?;
        let (bom, code) = split_bom(text);
        if bom != self.bom || Fingerprint::of(&code) != parked {
            return Err(ChangedOnDisk);
        }
        self.code = code;
        self.parked = None;
        Ok(())
    }

    /// A copy with its text, read again when it is parked (see [`SourceFile::unpark`]).
    pub fn unparked(&self, root: Option<&Path>) -> Result<SourceFile, ChangedOnDisk> {
        let mut file = self.clone();
        file.unpark(root)?;
        Ok(file)
    }

    /// The 1-based line holding byte `offset` (known while the text is parked).
    pub fn line(&self, offset: usize) -> usize {
        self.line_index().line(offset)
    }

    /// The line index, made of the text the first time (the text is never parked before: see [`SourceFile::park`]).
    fn line_index(&self) -> &crate::lines::LineIndex {
        self.lines.get_or_init(|| crate::lines::LineIndex::new(&self.code))
    }

    /// The full text as it is on disk for `code` (the BOM put back first).
    pub fn full_text(&self, code: &str) -> String {
        if self.bom {
            format!("{BOM}{code}")
        } else {
            code.to_string()
        }
    }

    /// 1-based line and column (in characters) of a byte offset into `code`.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        debug_assert!(!self.is_parked(), "the column of a parked text");
        self.line_index().line_col(&self.code, offset)
    }

    /// Byte offset where the line holding `offset` starts.
    pub fn line_start_of(&self, offset: usize) -> usize {
        self.line_index().line_start(offset)
    }

    /// The leading whitespace of the line holding `offset`.
    pub fn indent_at(&self, offset: usize) -> &str {
        debug_assert!(!self.is_parked(), "the indent of a parked text");
        let start = self.line_start_of(offset);
        let rest = &self.code[start..];
        let len = rest.len() - rest.trim_start_matches([' ', '\t']).len();
        &rest[..len]
    }
}

/// The code of a single-file component (`.vue`, `.svelte`, `.astro`) as a source file of its own: the contents of its
/// `<script>` blocks (`<script setup>`, Svelte's `<script context="module">`) and an Astro file's frontmatter (between
/// its opening `---` lines), at their own offsets, with every other byte but line breaks made a space, so that lines
/// and offsets are the component's. `lang="ts"` (or an Astro file) reads it as TypeScript, `lang="tsx"` as TSX; the
/// blocks of a component are one module, as its compiler makes them. `None` where it has no code (a template alone).
/// Like the other text scans it is forgiving: a `<script>` inside an HTML comment counts too.
pub fn component_script(path: &Path, text: &str) -> Option<SourceFile> {
    let astro = path.extension().is_some_and(|e| e == "astro");
    let body = without_bom(text);
    let lower = body.to_ascii_lowercase();
    let mut blocks: Vec<std::ops::Range<usize>> = Vec::new();
    let mut kind = if astro { SourceKind::TypeScript } else { SourceKind::JavaScript };
    if astro {
        // (The frontmatter: a first line `---`, up to the next line that is `---`.)
        let first = body.trim_start_matches(['\n', '\r', ' ', '\t']);
        if let Some(after) = first.strip_prefix("---") {
            let start = body.len() - after.len();
            let mut at = start;
            for line in after.split_inclusive('\n') {
                if line.trim_end() == "---" && at > start {
                    blocks.push(start..at);
                    break;
                }
                at += line.len();
            }
        }
    }
    let mut from = 0;
    while let Some(found) = lower[from..].find("<script") {
        let open = from + found;
        let after = open + "<script".len();
        from = after;
        if !lower[after..].starts_with(|c: char| c == '>' || c.is_ascii_whitespace()) {
            continue;
        }
        let Some(close) = lower[after..].find('>').map(|i| after + i) else { break };
        let attributes = &lower[after..close];
        from = close + 1;
        if attributes.ends_with('/') {
            continue;
        }
        let Some(end) = lower[from..].find("</script").map(|i| from + i) else { break };
        // (`lang="ts"`, `lang='tsx'`, `lang=ts`.)
        let lang = attributes.find("lang").map(|i| {
            let value = attributes[i + "lang".len()..].trim_start();
            let value = value.strip_prefix('=').unwrap_or_default().trim_start().trim_start_matches(['"', '\'']);
            value.split(|c: char| !c.is_ascii_alphanumeric()).next().unwrap_or_default()
        });
        match lang {
            Some("tsx") => kind = SourceKind::Tsx,
            Some("ts" | "typescript") if kind == SourceKind::JavaScript => kind = SourceKind::TypeScript,
            _ => {}
        }
        blocks.push(from..end);
        from = end;
    }
    if blocks.iter().all(|b| body[b.clone()].trim().is_empty()) {
        return None;
    }
    let mut code = body.as_bytes().to_vec();
    let mut kept = 0;
    // (In their order: a `<script` written inside the frontmatter starts within it.)
    for block in &blocks {
        for byte in code.get_mut(kept..block.start).unwrap_or_default() {
            if !matches!(*byte, b'\n' | b'\r') {
                *byte = b' ';
            }
        }
        kept = kept.max(block.end);
    }
    for byte in &mut code[kept..] {
        if !matches!(*byte, b'\n' | b'\r') {
            *byte = b' ';
        }
    }
    // (Only whole characters were replaced, each byte by a space: still UTF-8.)
    let code = String::from_utf8(code).ok()?;
    let mut file = SourceFile::new(path.to_path_buf(), code);
    file.kind = kind;
    file.ext_module = ExtensionModule::Esm;
    Some(file)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minified_files_are_told_by_name_or_by_long_lines_whatever_their_line_ends() {
        let app = Path::new("app.js");
        let source = "const express = require('express');\n".repeat(40);
        assert_eq!(minified(app, source.as_bytes()), None);
        assert_eq!(minified(app, source.replace('\n', "\r\n").as_bytes()), None, "CRLF");
        assert_eq!(minified(app, source.replace('\n', "\r").as_bytes()), None, "lone CR");
        let bundle = format!("{}\n", "var a=1;".repeat(100));
        assert_eq!(minified(app, bundle.as_bytes()), Some(Minified { average: 800, longest: 800 }));
        assert_eq!(
            minified(app, bundle.replace('\n', "\r\n").as_bytes()),
            Some(Minified { average: 800, longest: 800 })
        );
        // One long line among many short ones (a data URL, a long string) is source, not a bundle.
        let long_string = format!("{source}const logo = '{}';\n{source}", "A".repeat(5_000));
        assert_eq!(minified(app, long_string.as_bytes()), None);
        assert!(minified(Path::new("public/vendor.min.js"), b"var a;\n").is_some(), "by name");
        assert_eq!(minified(app, b""), None);
    }

    #[test]
    fn the_count_of_line_feeds_answers_as_the_lines_measured_one_by_one_would() {
        // Texts of every mix of line lengths around the limits and of line ends (LF, CRLF, lone CR, none at the end).
        let app = Path::new("app.js");
        let mut seed = 0x2545_f491_u32;
        let mut next = move |n: u32| {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            seed % n
        };
        for _ in 0..4_000 {
            let mut text = String::new();
            for _ in 0..=next(12) {
                let length = [next(40), 100 + next(30), 480 + next(60), next(2_000)][next(4) as usize];
                text.push_str(&"x".repeat(length as usize));
                text.push_str(["\n", "\r\n", "\r", "\n\n", ""][next(5) as usize]);
            }
            let measured = line_lengths(text.as_bytes());
            let expected = (measured.average > 110 && measured.longest > 500).then_some(measured);
            assert_eq!(minified(app, text.as_bytes()), expected, "{text:?}");
        }
    }

    #[test]
    fn the_packages_a_text_names_are_those_quoted_before_a_quote_or_a_slash() {
        let code = br#"const _ = require('lodash'); import t from "lodash.template/index.js";
            import(`@scope/pkg/sub`); x = a['ms'] + "items" + 'it\'s' + '@scope' + '@scope/' + "use strict";
            y = 'cookie-parser' + "@a/b" + '/abs' + './rel' + 'q s'"#;
        let named = named_packages(code, |_| true);
        let all: Vec<&str> = named.iter().collect();
        assert_eq!(
            all,
            ["@a/b", "@scope/pkg", "cookie-parser", "items", "lodash", "lodash.template", "ms", "s"],
            "a string that is a plain word counts too: the test is sound, not exact"
        );
        let kept = named_packages(code, |name| name.starts_with("lodash"));
        assert_eq!(kept.iter().collect::<Vec<_>>(), ["lodash", "lodash.template"]);
        assert!(kept.contains("lodash") && kept.contains("lodash.template") && !kept.contains("lodash.t"));
        // (A name must end at a quote or a slash: `lodash` inside `'lodashy'` or `'lodash x'` is not it.)
        assert!(named_packages(b"'lodashy' 'lodash x'", |name| name == "lodash").is_empty());
    }

    #[test]
    fn declaration_files_are_not_sources() {
        assert!(is_source_file(Path::new("src/app.ts")));
        assert!(is_source_file(Path::new("a.cjs")));
        assert!(!is_source_file(Path::new("types/express.d.ts")));
        assert!(!is_source_file(Path::new("views/index.ejs")));
    }

    #[test]
    fn bom_is_kept_aside_and_put_back() {
        let file = SourceFile::new("a.js".into(), format!("{BOM}let a = 1;\n"));
        assert!(file.bom);
        assert_eq!(file.code, "let a = 1;\n");
        assert_eq!(file.full_text("x"), format!("{BOM}x"));
    }

    #[test]
    fn a_parked_text_is_read_again_only_while_it_is_the_same() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let path = dir.path().join("app.js");
        let text = format!("{BOM}const a = 1;\nconst b = 2;\n");
        std::fs::write(&path, &text).expect("written");
        let mut file = SourceFile::new(path.clone(), text.clone());
        file.park();
        assert!(file.is_parked());
        assert_eq!(file.code, "", "the text is not held");
        assert_eq!(file.line(14), 2, "line numbers are known while parked");
        let again = file.unparked(Some(dir.path())).expect("the same text");
        assert_eq!((again.code.as_str(), again.bom), (&text[BOM.len()..], true));
        assert!(!again.is_parked());
        // Changed in place, same length: the facts' offsets would point into other code.
        std::fs::write(&path, text.replace('1', "9")).expect("written");
        assert_eq!(file.unparked(Some(dir.path())).map(|f| f.code), Err(ChangedOnDisk), "changed");
        // Grown, the BOM dropped, gone: the same.
        std::fs::write(&path, format!("{text}// more\n")).expect("written");
        assert!(file.unparked(Some(dir.path())).is_err(), "grown");
        std::fs::write(&path, &text[BOM.len()..]).expect("written");
        assert!(file.unparked(Some(dir.path())).is_err(), "BOM dropped");
        std::fs::remove_file(&path).expect("removed");
        assert!(file.unparked(Some(dir.path())).is_err(), "gone");
        // Put back as it was: read again.
        std::fs::write(&path, &text).expect("written");
        file.unpark(Some(dir.path())).expect("the same text again");
        assert_eq!(file.code, &text[BOM.len()..]);
    }

    #[test]
    fn line_and_column_are_one_based() {
        let file = SourceFile::new("a.js".into(), "ab\ncé\nx".to_string());
        assert_eq!(file.line_col(0), (1, 1));
        assert_eq!(file.line_col(3), (2, 1));
        assert_eq!(file.line_col(6), (2, 3));
        assert_eq!(file.line_col(7), (3, 1));
        assert_eq!(file.indent_at(7), "");
    }

    #[test]
    fn a_component_keeps_its_scripts_at_their_lines() {
        let vue = "<template>\n  <p>é</p>\n</template>\n<script>\nexport default {};\n</script>\n\
                   <script setup lang=\"ts\">\nimport axios from 'axios';\n</script>\n<style>p { x: 1 }</style>\n";
        let file = component_script(Path::new("a/App.vue"), vue).expect("it has code");
        assert_eq!(file.kind, SourceKind::TypeScript);
        assert_eq!(file.code.len(), vue.len());
        assert_eq!(file.code.lines().nth(4), Some("export default {};"));
        assert_eq!(file.code.lines().nth(7), Some("import axios from 'axios';"));
        assert_eq!(file.code.lines().nth(1).map(str::trim), Some(""));
        assert!(!file.code.contains("<style>") && !file.code.contains("x: 1"));
        // Svelte's TSX is read as such; an Astro page's frontmatter is TypeScript.
        let svelte = "<script context=\"module\" lang='tsx'>\nexport const x = 1;\n</script>\n<h1>{x}</h1>\n";
        assert_eq!(component_script(Path::new("A.svelte"), svelte).map(|f| f.kind), Some(SourceKind::Tsx));
        let astro =
            "---\nimport marked from 'marked';\nconst html = marked.parse(text);\n---\n<div set:html={html} />\n";
        let file = component_script(Path::new("page.astro"), astro).expect("it has code");
        assert_eq!(file.kind, SourceKind::TypeScript);
        assert_eq!(file.code.lines().nth(1), Some("import marked from 'marked';"));
        assert!(!file.code.contains("---") && !file.code.contains("<div"));
        // A template alone, or an external script, has no code.
        assert!(component_script(Path::new("B.vue"), "<template><p>hi</p></template>\n").is_none());
        assert!(component_script(Path::new("C.vue"), "<script src=\"./c.js\"></script>\n").is_none());
    }
}
