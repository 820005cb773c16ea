//! Deeply nested input: the stack the per-file work runs on, and the guard that leaves alone a file too deep for it.
//!
//! swc's parser, its visitors, our own walks over expressions and the drop of a tree all recurse once (or a few
//! times) per level of nesting, so a file of a few thousand nested parentheses, arrays, functions, or a long
//! `a + a + ...` or `.use(...).use(...)` chain, overflows a small stack, and a stack overflow aborts the whole
//! process. Two things keep one file from costing the whole run:
//!
//! - [`pool`]: the per-file work runs in a rayon pool whose threads have big stacks ([`STACK_SIZE`], reserved, not
//!   committed: a thread touches only the pages it uses).
//! - [`check`]: before a file is parsed, the guard decides whether its nesting fits that stack. Every level of
//!   nesting takes at least one byte of source, so a file of at most [`Limits::safe_bytes`] bytes fits whatever its
//!   shape, and is not even scanned. A bigger file is scanned ([`nesting`]: brackets, JSX elements and the operators
//!   and keywords chained at one level, a conservative estimate of the depth of its tree); beyond
//!   [`Limits::max_levels`] it is left alone and reported.
//!
//! The constants come from measurements: the stack one level (and one byte) of the worst of 38 shapes costs,
//! parsed, analysed, planned, verified and dropped, in debug and release builds ([`MEASURED_PER_LEVEL`],
//! [`MEASURED_PER_BYTE`]).

use std::sync::OnceLock;

use crate::source::SourceKind;

/// The stack of each thread that parses and walks files. Reserved address space: only what a file's nesting uses is
/// ever touched.
pub const STACK_SIZE: usize = 256 << 20;

/// Smaller stacks tried, in order, when a system refuses to reserve [`STACK_SIZE`] per thread (strict overcommit).
const FALLBACK_STACK_SIZES: [usize; 3] = [64 << 20, 16 << 20, 4 << 20];

/// The most stack one level of nesting (as [`nesting`] counts it) was measured to take, for the whole per-file work
/// (parse, analysis, transforms, verification, drop), over 38 shapes: 3,362 bytes in a debug build (`f(f(f(...)))`),
/// 3,265 in a release build (`((((...))))`: the parser's frames are bigger when optimised). The same bound serves
/// both builds.
const MEASURED_PER_LEVEL: usize = 3_400;

/// The most stack one byte of source was measured to take, over the same shapes: 1,495 bytes in a debug build
/// (`f()()()...`), 1,621 in a release build (`((((...))))`).
const MEASURED_PER_BYTE: usize = 1_650;

/// Only half of the stack is handed out: the shapes not measured may cost more, and the frames above a file's work
/// need some.
const MARGIN: usize = 2;

/// What a stack of a given size allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The stack of the threads the work runs on.
    pub stack: usize,
    /// Files up to this size fit the stack whatever their shape (a level of nesting takes at least a byte), and are
    /// not scanned.
    pub safe_bytes: usize,
    /// The deepest nesting (as [`nesting`] counts it) a bigger file may have.
    pub max_levels: usize,
}

impl Limits {
    /// The limits of a stack of `stack` bytes: with [`STACK_SIZE`], files up to 81,344 bytes are not scanned and
    /// the deepest nesting allowed is 39,475 levels.
    pub fn for_stack(stack: usize) -> Limits {
        Limits {
            stack,
            safe_bytes: stack / MARGIN / MEASURED_PER_BYTE,
            max_levels: stack / MARGIN / MEASURED_PER_LEVEL,
        }
    }
}

/// The pool the per-file work runs in, and the limits of its stacks.
pub fn pool() -> &'static (rayon::ThreadPool, Limits) {
    static POOL: OnceLock<(rayon::ThreadPool, Limits)> = OnceLock::new();
    POOL.get_or_init(|| {
        for stack in std::iter::once(STACK_SIZE).chain(FALLBACK_STACK_SIZES) {
            let built = rayon::ThreadPoolBuilder::new()
                .stack_size(stack)
                .thread_name(|i| format!("express-harden-{i}"))
                .build();
            if let Ok(pool) = built {
                return (pool, Limits::for_stack(stack));
            }
        }
        // Threads of the default size, and limits that say so.
        let pool = rayon::ThreadPoolBuilder::new().build().expect("a thread pool");
        (pool, Limits::for_stack(2 << 20))
    })
}

/// Runs `work` on a thread of the pool (a big stack), waiting for it.
pub fn on_big_stack<R: Send>(work: impl FnOnce() -> R + Send) -> R {
    pool().0.install(work)
}

/// The most label repeats ([`Nesting::label_repeats`]) a file may have: swc would hold an error of about 160 bytes
/// for each (measured: 5,000 nested `l:` take 1.9 GB), so this bounds that to about 30 MB.
pub const MAX_LABEL_REPEATS: usize = 200_000;

/// `k` labels of one name repeat at most `k (k - 1) / 2` times: a file with fewer colons than this cannot exceed
/// [`MAX_LABEL_REPEATS`], and is not scanned for them.
const LABEL_COLONS: usize = 633;

/// Why a file is left alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TooDeep {
    /// Nested deeper than the stack allows (as [`nesting`] counts).
    Levels(usize),
    /// Labels nested in labels of the same name, this many times.
    Labels(usize),
}

impl std::fmt::Display for TooDeep {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TooDeep::Levels(levels) => write!(f, "is nested too deeply to analyse safely ({levels} levels)"),
            TooDeep::Labels(repeats) => write!(
                f,
                "nests labels in labels of the same name ({repeats} times): a syntax error whose report would take \
                 memory quadratic in the nesting"
            ),
        }
    }
}

/// Whether a file's code can be parsed and walked safely: it fits the stack, and its labels do not make the parser's
/// error list blow up.
pub fn check(code: &str, kind: SourceKind, limits: &Limits) -> Result<(), TooDeep> {
    let big = code.len() > limits.safe_bytes;
    if !big && memchr::memchr_iter(b':', code.as_bytes()).take(LABEL_COLONS).count() < LABEL_COLONS {
        return Ok(());
    }
    let found = nesting(code, kind != SourceKind::TypeScript);
    if big && found.levels > limits.max_levels {
        Err(TooDeep::Levels(found.levels))
    } else if found.label_repeats > MAX_LABEL_REPEATS {
        Err(TooDeep::Labels(found.label_repeats))
    } else {
        Ok(())
    }
}

/// What the scanner is inside of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Frame {
    /// A bracket of code (`(`, `[`, `{`, the `${` of a template or the `{` of a JSX expression). `header`: the parenthesis after
    /// `if`, `while`, `for`, `with`, `switch` or `catch` (a statement follows it).
    Code { outer: usize, base: usize, header: bool },
    /// The text of a template literal.
    Template { outer: usize },
    /// A JSX tag, from `<` to `>` or `/>`.
    JsxTag { outer: usize, closing: bool },
    /// The children of a JSX element, up to its closing tag.
    JsxChildren { outer: usize },
}

/// What the previous token leaves: whether an expression just ended (then `/` divides, `<` compares, and a new
/// operand starts a new statement).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Prev {
    /// An operand or a closing bracket.
    End,
    /// An operator, an opening bracket, a keyword, or the start.
    Start,
}

/// Keywords that chain: each nests what follows (or what precedes) one level deeper.
const NESTING_KEYWORDS: [&str; 16] = [
    "typeof",
    "void",
    "delete",
    "new",
    "await",
    "yield",
    "in",
    "instanceof",
    "extends",
    "else",
    "do",
    "keyof",
    "as",
    "satisfies",
    "of",
    "infer",
];

/// Keywords that introduce a statement with a parenthesised header and a body.
const HEADER_KEYWORDS: [&str; 6] = ["if", "while", "for", "with", "switch", "catch"];

/// Words after which an operand continues the construct (`async x => ...`, `get x()`, `return x`): they never end an
/// expression.
const LEADING_WORDS: [&str; 24] = [
    "async",
    "get",
    "set",
    "static",
    "let",
    "var",
    "const",
    "return",
    "throw",
    "case",
    "export",
    "default",
    "import",
    "from",
    "type",
    "declare",
    "abstract",
    "readonly",
    "public",
    "private",
    "protected",
    "override",
    "accessor",
    "function",
];

/// JavaScript's punctuators, longest first (maximal munch), without the brackets.
const PUNCTUATORS: [&str; 47] = [
    ">>>=", "...", "===", "!==", "**=", "<<=", ">>=", ">>>", "&&=", "||=", "??=", "=>", "==", "!=", "<=", ">=", "&&",
    "||", "??", "?.", "++", "--", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "**", "<<", ">>", "=", "+", "-", "*",
    "%", "<", ">", "&", "|", "^", "!", "~", "?", ":",
];

/// What [`nesting`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Nesting {
    /// The estimated depth.
    pub levels: usize,
    /// How many times a label was opened inside an open label of the same name: swc reports each such pair as an
    /// error, so `l: l: l: ...` takes memory quadratic in its length.
    pub label_repeats: usize,
}

/// An estimate of how deeply `code` nests, at least the depth of its syntax tree for the shapes that nest: every
/// bracket and JSX element opens a level, and at one level every operator, `.`, chaining keyword or bracketed group
/// (a call, a subscript) goes one deeper, until a `,`, a `;` or the start of a new statement. Strings, comments,
/// regular expressions and JSX text are skipped. Linear, and never recursive. Labels are counted on the way.
pub fn nesting(code: &str, jsx: bool) -> Nesting {
    let bytes = code.as_bytes();
    // Labels (`name:` at the start of a statement) still open, with the number of frames when each was opened, and
    // how many of each name are open.
    let mut labels: Vec<(&str, usize)> = Vec::new();
    let mut open_labels: rustc_hash::FxHashMap<&str, usize> = rustc_hash::FxHashMap::default();
    let mut label_repeats = 0usize;
    // At the start of a statement (where a word followed by `:` is a label).
    let mut statement_start = true;
    // The word just read, when it started a statement.
    let mut label_word: Option<&str> = None;
    // The token just read is `=>`.
    let mut arrow = false;
    let mut frames: Vec<Frame> = Vec::new();
    let mut depth = 0usize;
    let mut deepest = 0usize;
    let mut prev = Prev::Start;
    // The keyword before the next `(` made it a statement header.
    let mut header_next = false;
    // The depth before the last `,` or `;`.
    let mut before_separator = 0usize;
    let mut i = 0;
    if bytes.starts_with(b"#!") {
        i = memchr::memchr(b'\n', bytes).unwrap_or(bytes.len());
    }
    macro_rules! deeper {
        () => {{
            depth += 1;
            deepest = deepest.max(depth);
        }};
    }
    // The depth a separator returns to: the level the innermost bracket opened.
    let base = |frames: &[Frame]| match frames.last() {
        Some(Frame::Code { base, .. }) => *base,
        _ => 0,
    };
    // The labels opened with `level` frames or more end (their statement or their bracket ended).
    macro_rules! close_labels {
        ($level:expr) => {{
            let level: usize = $level;
            while labels.last().is_some_and(|(_, at)| *at >= level) {
                if let Some((name, _)) = labels.pop() {
                    if let Some(count) = open_labels.get_mut(name) {
                        *count -= 1;
                    }
                }
            }
        }};
    }
    // A new statement starts at this level (after a `;` or by automatic semicolon insertion).
    macro_rules! new_statement {
        () => {{
            depth = base(&frames);
            // The labels of the statement that ended, opened at this level.
            close_labels!(frames.len());
        }};
    }
    while i < bytes.len() {
        match frames.last().copied() {
            Some(Frame::Template { outer }) => {
                match bytes[i] {
                    b'\\' => i += 2,
                    b'`' => {
                        frames.pop();
                        depth = outer + 1;
                        deepest = deepest.max(depth);
                        prev = Prev::End;
                        i += 1;
                    }
                    b'$' if bytes.get(i + 1) == Some(&b'{') => {
                        frames.push(Frame::Code { outer: depth, base: depth + 1, header: false });
                        deeper!();
                        prev = Prev::Start;
                        i += 2;
                    }
                    _ => i += 1,
                }
                continue;
            }
            Some(Frame::JsxChildren { outer }) => {
                match bytes[i] {
                    b'{' => {
                        frames.push(Frame::Code { outer: depth, base: depth + 1, header: false });
                        deeper!();
                        prev = Prev::Start;
                    }
                    b'<' => {
                        let closing = next_non_space(bytes, i + 1) == Some(b'/');
                        if closing {
                            // The element ends with its closing tag (read as a tag, then dropped).
                            frames.pop();
                            depth = outer;
                        }
                        frames.push(Frame::JsxTag { outer: depth, closing });
                        deeper!();
                    }
                    _ => {}
                }
                i += 1;
                continue;
            }
            Some(Frame::JsxTag { outer, closing }) => {
                match bytes[i] {
                    b'"' | b'\'' => i = skip_jsx_string(bytes, i),
                    b'{' => {
                        frames.push(Frame::Code { outer: depth, base: depth + 1, header: false });
                        deeper!();
                        prev = Prev::Start;
                        i += 1;
                    }
                    b'<' => {
                        // An element as an attribute's value.
                        frames.push(Frame::JsxTag { outer: depth, closing: false });
                        deeper!();
                        i += 1;
                    }
                    b'/' if bytes.get(i + 1) == Some(&b'>') => {
                        frames.pop();
                        depth = element_end(&frames, outer);
                        prev = Prev::End;
                        i += 2;
                    }
                    b'>' => {
                        frames.pop();
                        if closing {
                            depth = element_end(&frames, outer);
                            prev = Prev::End;
                        } else {
                            frames.push(Frame::JsxChildren { outer });
                        }
                        i += 1;
                    }
                    _ => i += 1,
                }
                continue;
            }
            Some(Frame::Code { .. }) | None => {}
        }
        let b = bytes[i];
        if matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c) {
            i += 1;
            continue;
        }
        if b == b'/' && matches!(bytes.get(i + 1), Some(b'/' | b'*')) {
            i = if bytes[i + 1] == b'/' {
                memchr::memchr(b'\n', &bytes[i..]).map_or(bytes.len(), |n| i + n)
            } else {
                memchr::memmem::find(&bytes[i + 2..], b"*/").map_or(bytes.len(), |n| i + 2 + n + 2)
            };
            continue;
        }
        // Every token but a word that starts a statement ends the chance of a label.
        let word_before = label_word.take();
        let at_statement_start = std::mem::replace(&mut statement_start, false);
        let after_arrow = std::mem::replace(&mut arrow, false);
        match b {
            b'/' if prev == Prev::Start => {
                i = skip_regex(bytes, i);
                prev = Prev::End;
            }
            b'\'' | b'"' => {
                if prev == Prev::End {
                    new_statement!();
                }
                i = skip_string(bytes, i);
                prev = Prev::End;
            }
            b'`' => {
                // A template (tagged when an expression precedes it).
                frames.push(Frame::Template { outer: depth });
                deeper!();
                i += 1;
            }
            b'(' | b'[' | b'{' => {
                let header = b == b'(' && header_next;
                header_next = false;
                frames.push(Frame::Code { outer: depth, base: depth + 1, header });
                deeper!();
                // A block (its statements may have labels), not an object literal (whose keys are not labels): a `{`
                // that starts a statement, follows `)` or a name (a body), or an arrow.
                statement_start = b == b'{' && (at_statement_start || prev == Prev::End || after_arrow);
                prev = Prev::Start;
                i += 1;
            }
            b')' | b']' | b'}' => {
                if let Some(Frame::Code { outer, header, .. }) = frames.last().copied() {
                    frames.pop();
                    close_labels!(frames.len() + 1);
                    if !matches!(frames.last(), None | Some(Frame::Code { .. })) {
                        // Back in a template's text or a JSX element: `${...}` and `{...}` are its parts, not a chain.
                        depth = outer;
                        i += 1;
                        continue;
                    }
                    depth = outer + 1;
                    deepest = deepest.max(depth);
                    prev = if header { Prev::Start } else { Prev::End };
                    statement_start = header || b == b'}';
                }
                i += 1;
            }
            b';' | b',' => {
                before_separator = depth;
                new_statement!();
                header_next = false;
                prev = Prev::Start;
                statement_start = b == b';';
                i += 1;
            }
            b'<' if jsx && prev == Prev::Start && jsx_tag_starts(bytes, i + 1) => {
                frames.push(Frame::JsxTag { outer: depth, closing: false });
                deeper!();
                i += 1;
            }
            b'0'..=b'9' => {
                if prev == Prev::End {
                    new_statement!();
                }
                i += 1;
                while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_' || bytes[i] == b'.') {
                    i += 1;
                }
                prev = Prev::End;
            }
            b'.' if bytes.get(i + 1).is_some_and(u8::is_ascii_digit) => {
                // A number such as `.5`.
                if prev == Prev::End {
                    new_statement!();
                }
                i += 1;
                while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                    i += 1;
                }
                prev = Prev::End;
            }
            _ if is_word_byte(b) || b == b'#' || b == b'\\' => {
                let start = i;
                i += 1;
                while i < bytes.len() && (is_word_byte(bytes[i]) || bytes[i] == b'\\') {
                    i += 1;
                }
                let word = &code[start..i];
                if word == "else" {
                    // `if (a) b; else ...`: the statement before the `;` is still open.
                    depth = depth.max(before_separator);
                }
                if NESTING_KEYWORDS.contains(&word) {
                    deeper!();
                    prev = Prev::Start;
                    statement_start = matches!(word, "else" | "do");
                } else if HEADER_KEYWORDS.contains(&word) {
                    if prev == Prev::End {
                        new_statement!();
                    }
                    deeper!();
                    header_next = true;
                    prev = Prev::Start;
                } else if LEADING_WORDS.contains(&word) {
                    if prev == Prev::End {
                        new_statement!();
                    }
                    prev = Prev::Start;
                } else {
                    let new = prev == Prev::End;
                    if new {
                        // Two operands in a row: a new statement (automatic semicolon insertion).
                        new_statement!();
                    }
                    if at_statement_start || new {
                        label_word = Some(word);
                    }
                    prev = Prev::End;
                }
            }
            _ => {
                let rest = &bytes[i..];
                match PUNCTUATORS.iter().find(|p| rest.starts_with(p.as_bytes())) {
                    Some(p) => {
                        deeper!();
                        i += p.len();
                        arrow = *p == "=>";
                        if *p == ":" {
                            if let Some(name) = word_before {
                                // A label: repeats of an open one are counted.
                                let open = open_labels.entry(name).or_insert(0);
                                label_repeats += *open;
                                *open += 1;
                                labels.push((name, frames.len()));
                                statement_start = true;
                            }
                        }
                        // `a++`/`a--` end an expression; every other operator expects one.
                        prev = if (*p == "++" || *p == "--") && prev == Prev::End { Prev::End } else { Prev::Start };
                    }
                    // `@` (decorators), and bytes no code uses: each counts, in case.
                    None => {
                        deeper!();
                        prev = Prev::Start;
                        i += 1;
                    }
                }
            }
        }
    }
    Nesting { levels: deepest, label_repeats }
}

/// The depth after an element that opened at `outer`: one deeper in code (an operand of a chain), the same among
/// other children.
fn element_end(frames: &[Frame], outer: usize) -> usize {
    match frames.last() {
        None | Some(Frame::Code { .. }) => outer + 1,
        _ => outer,
    }
}

/// Letters, digits, `_`, `$` and every non-ASCII byte (identifiers may hold any Unicode letter).
fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$' || b >= 0x80
}

fn next_non_space(bytes: &[u8], from: usize) -> Option<u8> {
    bytes[from.min(bytes.len())..].iter().copied().find(|b| !b.is_ascii_whitespace())
}

/// Whether `<` at `from - 1` opens a JSX element or fragment: a name or `>` follows.
fn jsx_tag_starts(bytes: &[u8], from: usize) -> bool {
    bytes.get(from).is_some_and(|&b| b == b'>' || b.is_ascii_alphabetic() || b == b'_' || b == b'$' || b >= 0x80)
}

/// Past a quoted string starting at `at` (it ends at its quote, or at the end of the line when unterminated).
pub(crate) fn skip_string(bytes: &[u8], at: usize) -> usize {
    let quote = bytes[at];
    let mut i = at + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'\n' => return i,
            c if c == quote => return i + 1,
            _ => i += 1,
        }
    }
    bytes.len()
}

/// Past a JSX attribute string (no escapes; it may span lines).
fn skip_jsx_string(bytes: &[u8], at: usize) -> usize {
    let quote = bytes[at];
    memchr::memchr(quote, &bytes[at + 1..]).map_or(bytes.len(), |n| at + 1 + n + 1)
}

/// Past a regular expression literal starting at `at` (its flags included).
fn skip_regex(bytes: &[u8], at: usize) -> usize {
    let mut i = at + 1;
    let mut class = false;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 1,
            b'\n' => return i,
            b'[' => class = true,
            b']' => class = false,
            b'/' if !class => {
                i += 1;
                while i < bytes.len() && is_word_byte(bytes[i]) {
                    i += 1;
                }
                return i;
            }
            _ => {}
        }
        i += 1;
    }
    bytes.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn js(code: &str) -> usize {
        nesting(code, true).levels
    }

    #[test]
    fn flat_code_is_shallow() {
        let statements = "const a = b + c;\n".repeat(10_000);
        assert!(js(&statements) <= 3, "{}", js(&statements));
        let asi = "a = b\nc = d\nfoo()\n".repeat(10_000);
        assert!(js(&asi) <= 3, "{}", js(&asi));
        let data = format!("module.exports = [{}];\n", "{ a: -1, b: 'x' }, ".repeat(10_000));
        assert!(js(&data) <= 6, "{}", js(&data));
        let minified = "function a(b){return b+1}function c(d){return d*2}".repeat(5_000);
        assert!(js(&minified) <= 6, "{}", js(&minified));
        let class = format!("class A {{\n{}}}\n", "  m(a) { return a; }\n".repeat(5_000));
        let semicolonless = "const a = 1\nlet b = c\nfoo(a)\nreturn b\n".repeat(5_000);
        assert!(js(&semicolonless) <= 4, "{}", js(&semicolonless));
        let children = format!("x = <ul>{}</ul>;\n", "<li>{t('a')}, {b}</li>{c}".repeat(5_000));
        assert!(js(&children) <= 8, "{}", js(&children));
        assert!(js(&class) <= 6, "{}", js(&class));
        let strings = "const s = '(((((((((' + \"[[[[[[\" + `{{{{{{` + /\\(\\(\\(/; // ((((((\n".repeat(1_000);
        assert!(js(&strings) <= 6, "{}", js(&strings));
        let jsx = "const x = <div className=\"a\">Don't {\"stop\"}, no; <br /> <p>text</p></div>;\n".repeat(1_000);
        assert!(js(&jsx) <= 8, "{}", js(&jsx));
        let else_if = "if (a) { b(); } else if (c) { d(); }\n".repeat(1_000);
        assert!(js(&else_if) <= 10, "{}", js(&else_if));
    }

    #[test]
    fn every_deep_shape_counts_at_least_its_depth() {
        let n = 1_000;
        let shapes = [
            format!("x = {}1{};", "(".repeat(n), ")".repeat(n)),
            format!("x = {}1;", "() => ".repeat(n)),
            format!("x = {}1;", "a => ".repeat(n)),
            format!("{}{}", "function f() {".repeat(n), "}".repeat(n)),
            format!("x = {}{};", "[".repeat(n), "]".repeat(n)),
            format!("app{};", ".use(a)".repeat(n)),
            format!("x = a{};", "\n+a".repeat(n)),
            format!("x = a{};", ".b".repeat(n)),
            format!("x = {}a;", "!".repeat(n)),
            format!("x = {}a;", "- ".repeat(n)),
            format!("x = {}c;", "a ? b : ".repeat(n)),
            format!("{}x;", "a = ".repeat(n)),
            format!("{}x;", "if (a) ".repeat(n)),
            format!("{}x;", "l: ".repeat(n)),
            format!("x = {}X;", "new ".repeat(n)),
            format!("x = {}a;", "await ".repeat(n)),
            format!("x = {}{};", "<a>,".repeat(n), "</a>".repeat(n)),
            format!("x = {}{};", "`${".repeat(n), "}`".repeat(n)),
            format!("x = f{};", "()".repeat(n)),
            format!("x = a{};", "[0]".repeat(n)),
            "if (a) {} else ".repeat(n) + "{}",
            "if (a) b; else ".repeat(n) + "c;",
        ];
        for code in shapes {
            let found = js(&code);
            assert!(found >= n, "{found} < {n} for {}...", &code[..40.min(code.len())]);
        }
        let types = format!("type T = {}X{};", "Array<".repeat(n), ">".repeat(n));
        assert!(nesting(&types, false).levels >= n);
    }

    #[test]
    fn the_default_stack_allows_files_up_to_80_kb_unscanned_and_39_475_levels() {
        let limits = Limits::for_stack(STACK_SIZE);
        assert_eq!((limits.safe_bytes, limits.max_levels), (81_344, 39_475));
    }

    #[test]
    fn small_files_are_not_scanned_and_deep_big_ones_are_refused() {
        let limits = Limits { stack: 0, safe_bytes: 100, max_levels: 500 };
        let deep = format!("x = {}1{};", "(".repeat(60), ")".repeat(60));
        assert_eq!(check(&deep, SourceKind::JavaScript, &limits), Ok(()));
        let deeper = format!("x = {}1{};", "(".repeat(600), ")".repeat(600));
        assert_eq!(check(&deeper, SourceKind::JavaScript, &limits), Err(TooDeep::Levels(601)));
        let wide = "a = (b);\n".repeat(1_000);
        assert_eq!(check(&wide, SourceKind::JavaScript, &limits), Ok(()));
    }

    #[test]
    fn labels_nested_in_labels_of_their_name_are_counted() {
        let repeats = |code: &str| nesting(code, true).label_repeats;
        assert_eq!(repeats(&"l: ".repeat(1_000)), 1_000 * 999 / 2);
        assert_eq!(repeats(&"l: { ".repeat(100)), 100 * 99 / 2);
        assert_eq!(repeats("a: for (;;) { b: for (;;) { break a; } }\na: for (;;) {}\n"), 0);
        assert_eq!(repeats(&"const x = { a: 1, b: { c: 2 } };\n".repeat(10_000)), 0);
        assert_eq!(repeats(&format!("x = {}1{};", "{a: ".repeat(1_000), "}".repeat(1_000))), 0);
        assert_eq!(repeats(&format!("x = {}1{};", "f({a: ".repeat(1_000), "})".repeat(1_000))), 0);
        assert_eq!(repeats(&"f = () => { l: ".repeat(100)), 100 * 99 / 2);
        assert_eq!(repeats(&"function f() { l: ".repeat(100)), 100 * 99 / 2);
        assert_eq!(repeats(&"interface A {\n  id: string;\n  name: string\n}\n".repeat(10_000)), 0);
        assert_eq!(repeats(&"switch (x) { case 1: a(); break; default: b(); }\n".repeat(10_000)), 0);
        assert_eq!(repeats(&"x = a ? b : c;\n".repeat(10_000)), 0);
        let limits = Limits::for_stack(STACK_SIZE);
        let chain = "l: ".repeat(1_000);
        assert_eq!(check(&chain, SourceKind::JavaScript, &limits), Err(TooDeep::Labels(499_500)));
    }
}
