//! The file's own style, so that inserted code looks as if its author wrote it: quote character, semicolons,
//! indentation unit and line ending.

/// How a file writes code.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Style {
    /// `'` or `"`.
    pub quote: char,
    /// Whether statements end with `;`.
    pub semicolons: bool,
    /// One level of indentation: a tab or some spaces.
    pub indent_unit: String,
    /// `"\n"` or `"\r\n"`.
    pub eol: &'static str,
    /// Whether multi-line object and array literals end with a comma after their last element (Prettier's
    /// `trailingComma`).
    pub trailing_commas: bool,
    /// Whether the file is written in ES5 syntax ([`is_es5`]): new code then uses `var`, `function` expressions and
    /// strings joined with `+` rather than `const`, arrows and template literals.
    pub es5: bool,
}

impl Default for Style {
    fn default() -> Self {
        Style {
            quote: '\'',
            semicolons: true,
            indent_unit: "  ".to_string(),
            eol: "\n",
            trailing_commas: false,
            es5: false,
        }
    }
}

/// Votes gathered while the analysis walks the tree; ties keep the defaults (single quotes, semicolons).
#[derive(Debug, Default, Clone)]
pub struct StyleVotes {
    /// String literals written with `'`.
    pub single_quotes: usize,
    /// String literals written with `"`.
    pub double_quotes: usize,
    /// Statements that end with `;`.
    pub with_semicolon: usize,
    /// Statements that could end with `;` but do not.
    pub without_semicolon: usize,
    /// Multi-line object and array literals with a comma after their last element.
    pub with_trailing_comma: usize,
    /// Multi-line object and array literals without one.
    pub without_trailing_comma: usize,
}

impl StyleVotes {
    /// Counts a string literal by its first raw character.
    pub fn string_literal(&mut self, raw: &str) {
        match raw.as_bytes().first() {
            Some(b'\'') => self.single_quotes += 1,
            Some(b'"') => self.double_quotes += 1,
            _ => {}
        }
    }

    /// Counts the statement at `range` of `code` by its last byte. One without a semicolon counts only when a line
    /// break (or a comment, or the end of the file) follows it: before a `}` on its line the semicolon is optional
    /// whatever the style (`if (a) { return b }`, and every block of a minified file), so it says nothing.
    pub fn statement(&mut self, code: &str, range: std::ops::Range<usize>) {
        let Some(text) = code.get(range.clone()) else { return };
        if text.trim_end().ends_with(';') {
            self.with_semicolon += 1;
            return;
        }
        let after = code.get(range.end..).unwrap_or("").trim_start_matches([' ', '\t']);
        if !after.starts_with('}') {
            self.without_semicolon += 1;
        }
    }

    /// Counts a literal whose last element ends at `last_end` and which closes just before `end`, when its closing
    /// bracket is on a line of its own (a one-line literal says nothing about trailing commas).
    pub fn closing(&mut self, code: &str, last_end: usize, end: usize) {
        let Some(between) = code.get(last_end..end.saturating_sub(1)) else { return };
        if !between.contains('\n') {
            return;
        }
        if between.trim_start().starts_with(',') {
            self.with_trailing_comma += 1;
        } else {
            self.without_trailing_comma += 1;
        }
    }

    /// Decides the style of `code` from the votes and the text itself.
    pub fn finish(&self, code: &str) -> Style {
        let (indent_unit, eol) = detect_layout(code);
        Style {
            quote: if self.double_quotes > self.single_quotes { '"' } else { '\'' },
            semicolons: self.with_semicolon >= self.without_semicolon,
            indent_unit,
            eol,
            trailing_commas: self.with_trailing_comma > self.without_trailing_comma,
            es5: is_es5(code),
        }
    }
}

/// Whether `code` is written in ES5 syntax: it declares with `var` and nowhere uses `const`, `let`, an arrow (`=>`), a
/// template literal, a class or an import. Comments and the contents of strings do not count (a comment that quotes
/// `` `req.session` `` says nothing of the code's syntax); the test is on the text, without a parse.
pub fn is_es5(code: &str) -> bool {
    let es5 = |code: &str| {
        let word = |w: &str| {
            code.match_indices(w).any(|(i, _)| {
                let before =
                    code[..i].chars().next_back().is_none_or(|c| !(c.is_alphanumeric() || c == '_' || c == '$'));
                let after = code[i + w.len()..].chars().next().is_some_and(char::is_whitespace);
                before && after
            })
        };
        // (The two searches that most modern files end first; then the words.)
        !code.contains("=>")
            && !code.contains('`')
            && word("var")
            && !["const", "let", "class", "import"].into_iter().any(word)
    };
    // (Most files give the answer on their text as it is; only a file with `var` whose text says otherwise is looked
    // at again without its comments and strings.)
    es5(code) || (code.contains("var ") && es5(&without_comments_and_strings(code)))
}

/// `code` with each comment and each string's contents blanked (spaces; line breaks kept). A regular expression
/// literal is read as code: one that holds a quote may blank the rest of its line, which can only make a file look
/// more like ES5 (new code in ES5 syntax is valid everywhere).
fn without_comments_and_strings(code: &str) -> String {
    let bytes = code.as_bytes();
    let mut out = bytes.to_vec();
    let mut blank = |from: usize, to: usize| {
        out[from..to].iter_mut().filter(|b| **b != b'\n').for_each(|b| *b = b' ');
    };
    let mut i = 0;
    while i < bytes.len() {
        i = match (bytes[i], bytes.get(i + 1)) {
            (b'/', Some(b'/')) => {
                let end = memchr::memchr(b'\n', &bytes[i..]).map_or(bytes.len(), |n| i + n);
                blank(i, end);
                end
            }
            (b'/', Some(b'*')) => {
                let end = memchr::memmem::find(&bytes[i + 2..], b"*/").map_or(bytes.len(), |n| i + 2 + n + 2);
                blank(i, end);
                end
            }
            (b'\'' | b'"', _) => {
                let end = crate::depth::skip_string(bytes, i);
                let closed = end > i + 1 && bytes[end - 1] == bytes[i];
                blank(i + 1, if closed { end - 1 } else { end });
                end
            }
            _ => i + 1,
        };
    }
    // (Whole characters are blanked, each byte by a space, and the rest is kept as it was: the text is still UTF-8.)
    String::from_utf8(out).unwrap_or_default()
}

/// `"\r\n"` when most line breaks are CRLF.
pub fn detect_eol(code: &str) -> &'static str {
    detect_layout(code).1
}

/// The indentation unit: a tab when most indented lines start with one, otherwise the most common increase in
/// leading spaces between consecutive lines (2 when the file gives no evidence).
pub fn detect_indent_unit(code: &str) -> String {
    detect_layout(code).0
}

/// The indentation unit ([`detect_indent_unit`]) and the line ending ([`detect_eol`]) of `code`, in one pass over its
/// lines (this runs on every analysed file).
fn detect_layout(code: &str) -> (String, &'static str) {
    let bytes = code.as_bytes();
    let mut tabs = 0usize;
    let mut spaces = 0usize;
    let mut deltas = [0usize; 9];
    let mut previous = 0usize;
    let mut start = 0usize;
    let (mut lf, mut crlf) = (0usize, 0usize);
    while start < bytes.len() {
        let end = match memchr::memchr(b'\n', &bytes[start..]) {
            Some(i) => {
                let end = start + i;
                lf += 1;
                crlf += usize::from(end > 0 && bytes[end - 1] == b'\r');
                end
            }
            None => bytes.len(),
        };
        let line = &bytes[start..end];
        start = end + 1;
        let lead = line.iter().take_while(|b| **b == b' ' || **b == b'\t').count();
        let rest = &line[lead..];
        // Blank lines say nothing; continuation lines of block comments (` * foo`) are aligned, not indented.
        // (A line is blank when what follows its spaces and tabs is whitespace too: only such lines are scanned.)
        let blank =
            rest.first().is_none_or(|b| b.is_ascii_whitespace() && rest.iter().all(|b| b.is_ascii_whitespace()));
        if blank || rest.first() == Some(&b'*') {
            continue;
        }
        if line.first() == Some(&b'\t') {
            tabs += 1;
            previous = 0;
            continue;
        }
        if lead > 0 {
            spaces += 1;
        }
        if lead > previous && lead - previous <= 8 {
            deltas[lead - previous] += 1;
        }
        previous = lead;
    }
    let eol = if crlf > 0 && crlf * 2 >= lf { "\r\n" } else { "\n" };
    if tabs > spaces {
        return ("\t".to_string(), eol);
    }
    let best =
        (1..deltas.len()).filter(|&d| deltas[d] > 0).max_by_key(|&d| (deltas[d], std::cmp::Reverse(d))).unwrap_or(2);
    (" ".repeat(best), eol)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indentation_units() {
        assert_eq!(detect_indent_unit("a {\n  b {\n    c\n  }\n}\n"), "  ");
        assert_eq!(detect_indent_unit("a {\n    b {\n        c\n    }\n}\n"), "    ");
        assert_eq!(detect_indent_unit("a {\n\tb {\n\t\tc\n\t}\n}\n"), "\t");
        assert_eq!(detect_indent_unit("a\nb\n"), "  ");
        assert_eq!(detect_indent_unit("/**\n * doc\n */\nf {\n    x\n}\n"), "    ");
    }

    #[test]
    fn es5_is_told_from_the_text() {
        assert!(is_es5("var a = require('a');\nfunction f() { return 'x' + a; }\n"));
        assert!(!is_es5("var a = 1;\nconst b = 2;\n"));
        assert!(!is_es5("var a = (x) => x;\n"));
        assert!(!is_es5("var a = `x`;\n"));
        assert!(!is_es5("function f() {}\n"), "no var: nothing says it is ES5");
        assert!(is_es5("var constant = 1, letters = 'abc';\n"), "words that start with a keyword");
        assert!(is_es5("// reference `req.session`\nvar a = 1; /* const x => y */\n"), "comments say nothing");
        assert!(is_es5("var a = 'let it be', b = \"=> \\\" `\";\n"), "nor do strings");
        assert!(!is_es5("var a = 1; // a comment\nconst b = `x`;\n"), "code after a comment counts");
        assert!(!is_es5("var a = '//'; const b = 2;\n"), "a comment's marks in a string start none");
    }

    #[test]
    fn line_endings() {
        assert_eq!(detect_eol("a\r\nb\r\n"), "\r\n");
        assert_eq!(detect_eol("a\nb\n"), "\n");
        assert_eq!(detect_eol("a\r\nb\r\nc\n"), "\r\n");
        assert_eq!(detect_eol("a\r\nb\nc\nd\n"), "\n");
    }

    #[test]
    fn votes() {
        let mut v = StyleVotes::default();
        v.string_literal("\"a\"");
        v.string_literal("\"b\"");
        v.string_literal("'c'");
        let code = "a()\nb()\nc();\n";
        v.statement(code, 0..3);
        v.statement(code, 4..7);
        v.statement(code, 8..12);
        let s = v.finish("x\n");
        assert_eq!(s.quote, '"');
        assert!(!s.semicolons);
    }

    #[test]
    fn a_statement_closed_by_its_block_on_the_same_line_casts_no_vote() {
        // Minified code, and one-line blocks in a file with semicolons: the semicolon before `}` is optional.
        let code = "f();function a(b){if(b){return [b]}return b}g();h();";
        let mut v = StyleVotes::default();
        v.statement(code, 0..4);
        v.statement(code, 24..34);
        v.statement(code, 35..43);
        v.statement(code, 44..48);
        assert!(v.finish(code).semicolons);
        assert_eq!((v.with_semicolon, v.without_semicolon), (2, 0));
    }
}
