//! Parsing with swc. The tree is only used to learn where things are: every offset handed out is a byte offset
//! into [`SourceFile::code`].

use std::ops::Range;

use swc_common::comments::SingleThreadedComments;
use swc_common::{BytePos, Span, Spanned};
use swc_ecma_ast::{EsVersion, Program};
use swc_ecma_parser::{EsSyntax, Parser, StringInput, Syntax, TsSyntax};

use crate::source::{SourceFile, SourceKind};

/// swc reserves position 0 for "no position", so the text starts at 1 and every span is shifted by one.
const BASE: u32 = 1;

/// A parsed file: the tree and where its comments are.
pub struct Parsed {
    /// The program (a module when it has `import`/`export`, a script otherwise).
    pub program: Program,
    /// Byte ranges of every comment, sorted by start.
    pub comments: Vec<ByteRange>,
}

/// Why a file could not be parsed, with the position a user can jump to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// swc's message.
    pub message: String,
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "syntax error at {}:{}: {}", self.line, self.column, self.message)
    }
}

/// The swc syntax for a kind of file.
pub fn syntax_for(kind: SourceKind) -> Syntax {
    match kind {
        SourceKind::JavaScript => Syntax::Es(EsSyntax {
            jsx: true,
            decorators: true,
            import_attributes: true,
            allow_return_outside_function: true,
            explicit_resource_management: true,
            ..Default::default()
        }),
        SourceKind::TypeScript => Syntax::Typescript(TsSyntax { decorators: true, ..Default::default() }),
        SourceKind::Tsx => Syntax::Typescript(TsSyntax { tsx: true, decorators: true, ..Default::default() }),
    }
}

/// Parses `code` as a file of `kind`. Recoverable errors count as errors: a file swc has doubts about is not one we
/// should edit.
pub fn parse(file: &SourceFile, code: &str) -> Result<Parsed, ParseError> {
    let comments = SingleThreadedComments::default();
    let end = BASE + u32::try_from(code.len()).unwrap_or(u32::MAX - BASE);
    let input = StringInput::new(code, BytePos(BASE), BytePos(end));
    let mut parser = Parser::new(syntax_for(file.kind), input, Some(&comments));
    let result = parser.parse_program();
    let recovered = parser.take_errors();
    let to_error = |span: Span, message: String| {
        let (line, column) = file_line_col(code, offset(span.lo));
        ParseError { line, column, message }
    };
    let program = match result {
        Ok(program) => program,
        Err(err) => return Err(to_error(err.span(), err.kind().msg().to_string())),
    };
    if let Some(err) = recovered.first() {
        return Err(to_error(err.span(), err.kind().msg().to_string()));
    }
    let (leading, trailing) = comments.take_all();
    let mut ranges: Vec<ByteRange> =
        leading.borrow().values().chain(trailing.borrow().values()).flatten().map(|c| span_of(c.span)).collect();
    ranges.sort_by_key(|r| r.start);
    ranges.dedup();
    Ok(Parsed { program, comments: ranges })
}

/// Parses a snippet of new code (a transform's template) as an ES module. Snippets come from a few templates, so each
/// distinct text is parsed once and cloned afterwards.
pub fn parse_snippet(code: &str) -> Result<swc_ecma_ast::Module, String> {
    type Cache = std::sync::Mutex<std::collections::HashMap<String, Result<swc_ecma_ast::Module, String>>>;
    static CACHE: std::sync::OnceLock<Cache> = std::sync::OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(hit) = cache.lock().ok().and_then(|c| c.get(code).cloned()) {
        return hit;
    }
    let parsed = parse_snippet_uncached(code);
    if let Ok(mut c) = cache.lock() {
        // Bounded: templates and the names filled into them are few; anything beyond is parsed every time.
        if c.len() < 4096 {
            c.insert(code.to_string(), parsed.clone());
        }
    }
    parsed
}

fn parse_snippet_uncached(code: &str) -> Result<swc_ecma_ast::Module, String> {
    let end = BASE + u32::try_from(code.len()).unwrap_or(u32::MAX - BASE);
    let input = StringInput::new(code, BytePos(BASE), BytePos(end));
    let mut parser = Parser::new(syntax_for(SourceKind::TypeScript), input, None);
    let module = parser.parse_module().map_err(|e| e.kind().msg().to_string())?;
    match parser.take_errors().first() {
        Some(err) => Err(err.kind().msg().to_string()),
        None => Ok(module),
    }
}

/// New top-level statements (`code`: a helper function, a client set up) parsed on their own, as they would be
/// parsed at the top level of a file of `kind` that is a module (`module`) or a script (strict: code valid in strict
/// mode is valid in sloppy mode too), with where `code` starts in the text its spans count in (after the directive of
/// a script). Recoverable errors count as errors. The texts a run inserts are few and repeated in file after file, so
/// each distinct one is parsed once (see [`crate::pipeline`]'s verification, which parses a rewritten file without
/// them), up to a budget.
pub fn parse_inserted(code: &str, kind: SourceKind, module: bool) -> Option<(std::sync::Arc<Program>, usize)> {
    // (By kind and mode, then by text: a text is looked up without copying it.)
    type Parsed = Option<(std::sync::Arc<Program>, usize)>;
    type Cache = std::sync::Mutex<rustc_hash::FxHashMap<(SourceKind, bool), rustc_hash::FxHashMap<String, Parsed>>>;
    static CACHE: std::sync::OnceLock<Cache> = std::sync::OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(hit) = cache.lock().ok().and_then(|c| c.get(&(kind, module))?.get(code).cloned()) {
        return hit;
    }
    let prefix = if module { 0 } else { STRICT.len() };
    let parsed = parse_inserted_uncached(code, kind, module).map(|p| (std::sync::Arc::new(p), prefix));
    // Bounded by the texts' size (a tree is some tens of times its text): the 2,000 files of the benchmark where every
    // file changes insert 142 distinct texts, 322 KB, and their trees hold about 7 MB. Beyond the budget, each is
    // parsed where it is met.
    const BUDGET: usize = 512 * 1024;
    static KEPT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    use std::sync::atomic::Ordering::Relaxed;
    if let Ok(mut c) = cache.lock() {
        // (Counted under the lock, once per text: two threads may both have parsed it.)
        let texts = c.entry((kind, module)).or_default();
        if !texts.contains_key(code) && KEPT.load(Relaxed) + code.len() <= BUDGET {
            KEPT.fetch_add(code.len(), Relaxed);
            texts.insert(code.to_string(), parsed.clone());
        }
    }
    parsed
}

/// The byte ranges of a program's top-level statements (a module's items), in order.
pub fn item_spans(program: &Program) -> Vec<ByteRange> {
    match program {
        Program::Module(m) => m.body.iter().map(span_of_node).collect(),
        Program::Script(s) => s.body.iter().map(span_of_node).collect(),
    }
}

/// (A script's code is parsed after a directive that makes it strict, then left without the directive.)
const STRICT: &str = "'use strict';\n";

fn parse_inserted_uncached(code: &str, kind: SourceKind, module: bool) -> Option<Program> {
    parse_top_level(code, kind, module, true, None)
}

/// `code` (whole top-level statements, with blank space and comments around them) parsed as it would be at the top
/// level of a file of `kind`: as a module's items (`module`), or as a script's statements, after a `'use strict'`
/// directive when `strict`. Recoverable errors count as errors. With where `code` starts in the text the program's
/// spans count in (after that directive).
pub fn parse_piece(code: &str, kind: SourceKind, module: bool, strict: bool) -> Option<(Program, usize)> {
    let program = parse_top_level(code, kind, module, strict, None)?;
    Some((program, if !module && strict { STRICT.len() } else { 0 }))
}

fn parse_top_level(
    code: &str,
    kind: SourceKind,
    module: bool,
    strict: bool,
    comments: Option<&SingleThreadedComments>,
) -> Option<Program> {
    let prefixed = !module && strict;
    let text =
        if prefixed { std::borrow::Cow::Owned(format!("{STRICT}{code}")) } else { std::borrow::Cow::Borrowed(code) };
    let end = BASE + u32::try_from(text.len()).ok()?;
    let input = StringInput::new(&text, BytePos(BASE), BytePos(end));
    let mut parser = Parser::new(syntax_for(kind), input, comments.map(|c| c as &dyn swc_common::comments::Comments));
    let program = if module {
        Program::Module(parser.parse_module().ok()?)
    } else {
        let mut script = parser.parse_script().ok()?;
        if prefixed {
            (!script.body.is_empty()).then(|| script.body.remove(0))?;
        }
        Program::Script(script)
    };
    parser.take_errors().is_empty().then_some(program)
}

/// Target used when the engine prints new code.
pub const PRINT_TARGET: EsVersion = EsVersion::EsNext;

/// A byte range of a source file, kept in eight bytes rather than a `Range<usize>`'s sixteen: the facts hold millions
/// of ranges between the passes (a fifth of their room at 100,000 files). Files are at most `u32::MAX` bytes (swc's
/// positions are `u32`), so every offset fits. Sliced and compared like a range; [`ByteRange::range`] gives the
/// `Range<usize>` back. The end is kept plus one, never zero, so that an `Option<ByteRange>` (a call's function scope,
/// held for every call) takes eight bytes too rather than twelve; an end at or past `u32::MAX - 1`, which only a text
/// of 4 GiB could have, reads `u32::MAX - 1`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ByteRange {
    start: u32,
    /// The end plus one.
    end: std::num::NonZeroU32,
}

impl serde::Serialize for ByteRange {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        serde::Serialize::serialize(&(self.start, self.end.get() - 1), s)
    }
}

impl<'de> serde::Deserialize<'de> for ByteRange {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<ByteRange, D::Error> {
        let (start, end): (u32, u32) = serde::Deserialize::deserialize(d)?;
        Ok(ByteRange::new(start as usize, end as usize))
    }
}

impl Default for ByteRange {
    fn default() -> ByteRange {
        ByteRange::new(0, 0)
    }
}

impl ByteRange {
    /// The range `start..end`.
    pub fn new(start: usize, end: usize) -> ByteRange {
        let narrow = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        ByteRange { start: narrow(start), end: std::num::NonZeroU32::MIN.saturating_add(narrow(end)) }
    }

    /// The first byte.
    pub fn start(self) -> usize {
        self.start as usize
    }

    /// The byte after the last.
    pub fn end(self) -> usize {
        (self.end.get() - 1) as usize
    }

    /// As a `Range<usize>`.
    pub fn range(self) -> Range<usize> {
        self.start()..self.end()
    }

    /// How many bytes.
    pub fn len(self) -> usize {
        self.end().saturating_sub(self.start())
    }

    /// Whether it spans no byte.
    pub fn is_empty(self) -> bool {
        self.end() <= self.start()
    }

    /// Whether `at` is one of its bytes.
    pub fn contains(self, at: &usize) -> bool {
        self.start() <= *at && *at < self.end()
    }
}

impl std::fmt::Debug for ByteRange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}..{}", self.start(), self.end())
    }
}

impl From<Range<usize>> for ByteRange {
    fn from(r: Range<usize>) -> ByteRange {
        ByteRange::new(r.start, r.end)
    }
}

impl From<ByteRange> for Range<usize> {
    fn from(r: ByteRange) -> Range<usize> {
        r.range()
    }
}

impl PartialEq<Range<usize>> for ByteRange {
    fn eq(&self, other: &Range<usize>) -> bool {
        self.range() == *other
    }
}

impl PartialEq<ByteRange> for Range<usize> {
    fn eq(&self, other: &ByteRange) -> bool {
        *self == other.range()
    }
}

impl std::ops::Index<ByteRange> for str {
    type Output = str;
    fn index(&self, r: ByteRange) -> &str {
        &self[r.range()]
    }
}

impl std::ops::Index<ByteRange> for String {
    type Output = str;
    fn index(&self, r: ByteRange) -> &str {
        &self[r.range()]
    }
}

/// The byte range of a span, compact.
pub fn span_of(span: Span) -> ByteRange {
    ByteRange::new(offset(span.lo), offset(span.hi))
}

/// The byte range of any node, compact.
pub fn span_of_node<T: Spanned>(node: &T) -> ByteRange {
    span_of(node.span())
}

/// Byte offset of a position.
pub fn offset(pos: BytePos) -> usize {
    pos.0.saturating_sub(BASE) as usize
}

/// Byte range of a span.
pub fn range(span: Span) -> Range<usize> {
    offset(span.lo)..offset(span.hi)
}

/// Byte range of any node.
pub fn range_of<T: Spanned>(node: &T) -> Range<usize> {
    range(node.span())
}

fn file_line_col(code: &str, offset: usize) -> (usize, usize) {
    crate::lines::line_col(code, offset)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(name: &str, code: &str) -> SourceFile {
        SourceFile::new(name.into(), code.to_string())
    }

    #[test]
    fn spans_are_byte_offsets_into_the_code() {
        let f = file("a.js", "const é = 1; // c\nfoo();\n");
        let parsed = parse(&f, &f.code).expect("parses");
        let Program::Script(script) = &parsed.program else { panic!("script expected") };
        let r = range_of(&script.body[1]);
        assert_eq!(&f.code[r], "foo();");
        assert_eq!(parsed.comments.len(), 1);
        assert_eq!(&f.code[parsed.comments[0]], "// c");
    }

    #[test]
    fn syntax_errors_carry_a_position() {
        let f = file("a.js", "function (\n");
        let err = parse(&f, &f.code).err().expect("fails");
        assert_eq!(err.line, 1);
        assert!(err.to_string().starts_with("syntax error at 1:"));
    }

    #[test]
    fn typescript_and_jsx_parse() {
        let f = file("a.ts", "import e = require('express');\nconst app: e.Express = e();\n");
        assert!(parse(&f, &f.code).is_ok());
        let f = file("a.jsx", "const x = <App a=\"1\" />;\n");
        assert!(parse(&f, &f.code).is_ok());
        let f = file("a.tsx", "const x = <App<string> a={1} />;\n");
        assert!(parse(&f, &f.code).is_ok());
    }

    #[test]
    fn byte_ranges_slice_compare_and_convert_like_ranges() {
        let code = "const a = 'x';";
        let r = ByteRange::new(6, 7);
        assert_eq!(&code[r], "a");
        assert_eq!(r.range(), 6..7);
        assert_eq!(Range::from(r), 6..7);
        assert_eq!(ByteRange::from(10..13), ByteRange::new(10, 13));
        assert_eq!(r, 6..7);
        assert_eq!(6..7, r);
        assert_eq!((r.start(), r.end(), r.len(), r.is_empty()), (6, 7, 1, false));
        assert!(r.contains(&6) && !r.contains(&7));
        assert!(ByteRange::new(3, 3).is_empty() && ByteRange::default().is_empty());
        assert_eq!(format!("{r:?}"), "6..7");
        assert!(ByteRange::new(1, 9) < ByteRange::new(2, 3));
        assert_eq!(std::mem::size_of::<ByteRange>(), 8);
        assert_eq!(std::mem::size_of::<Option<ByteRange>>(), 8);
        assert_eq!(ByteRange::new(0, 0).end(), 0);
        // (No file is 4 GiB: offsets past `u32::MAX - 1` saturate rather than wrap.)
        assert_eq!(ByteRange::new(5, usize::MAX).end(), u32::MAX as usize - 1);
        assert_eq!(ByteRange::new(usize::MAX, usize::MAX).start(), u32::MAX as usize);
    }

    #[test]
    fn spans_give_the_byte_ranges_of_their_nodes() {
        let f = file("a.js", "let x = 1;\n// c\n");
        let parsed = parse(&f, &f.code).expect("parses");
        let Program::Script(script) = &parsed.program else { panic!("a script") };
        assert_eq!(&f.code[span_of_node(&script.body[0])], "let x = 1;");
        assert_eq!(span_of_node(&script.body[0]).range(), range_of(&script.body[0]));
        assert_eq!(&f.code[parsed.comments[0]], "// c");
    }
}
