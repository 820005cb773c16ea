//! Where new lines go in existing text: after a statement (past a comment that trails it on the same line) or
//! before one, with the file's indentation and line ending.

use crate::parse::ByteRange;

use crate::style::Style;

/// A place to insert a new statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InsertPoint {
    /// Byte offset.
    pub offset: usize,
    /// Whether the new statement gets its own line (otherwise the line already holds more code and the new
    /// statement follows on it, after a space).
    pub own_line: bool,
}

/// The point after the statement ending at `end`: the end of its line, past spaces and comments that trail it. When
/// other code follows on the same line, right after the statement instead.
pub fn after_statement(code: &str, comments: &[ByteRange], end: usize) -> InsertPoint {
    let bytes = code.as_bytes();
    let mut pos = end;
    loop {
        while pos < bytes.len() && (bytes[pos] == b' ' || bytes[pos] == b'\t') {
            pos += 1;
        }
        if pos >= bytes.len() || bytes[pos] == b'\n' || bytes[pos] == b'\r' {
            return InsertPoint { offset: pos, own_line: true };
        }
        match comments.binary_search_by_key(&pos, |c| c.start()) {
            Ok(i) if !code[comments[i]].contains('\n') => pos = comments[i].end(),
            _ => return InsertPoint { offset: end, own_line: false },
        }
    }
}

/// Text to insert at `point` so that `snippet` becomes a statement of its own after the previous one. On a line that
/// holds more code after it, the snippet ends with a semicolon whatever the file's style (`a() b()` does not parse).
pub fn statement_after(point: InsertPoint, snippet: &str, indent: &str, style: &Style) -> String {
    if point.own_line {
        format!("{}{indent}{snippet}", style.eol)
    } else if snippet.ends_with(';') {
        format!(" {snippet}")
    } else {
        format!(" {snippet};")
    }
}

/// Where new statements go before the statement starting at `start`: the start of its line, or of the comment
/// lines directly above it (a comment about a statement stays with it).
pub fn before_statement(code: &str, comments: &[ByteRange], start: usize) -> Option<usize> {
    let mut at = line_start_before(code, start)?;
    loop {
        let i = comments.partition_point(|c| c.end() <= at);
        let Some(previous) = i.checked_sub(1).map(|i| &comments[i]) else { return Some(at) };
        let between = &code[previous.end()..at];
        // Only whitespace and exactly one line break between the comment and the statement's line.
        if between.trim().is_empty() && between.matches('\n').count() == 1 {
            match line_start_before(code, previous.start()) {
                Some(line) => at = line,
                None => return Some(at),
            }
        } else {
            return Some(at);
        }
    }
}

/// The start of the line holding `start` when only whitespace precedes it there; `None` when code does.
pub fn line_start_before(code: &str, start: usize) -> Option<usize> {
    let line_start = code[..start].rfind('\n').map_or(0, |i| i + 1);
    code[line_start..start].trim().is_empty().then_some(line_start)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::single_range_in_vec_init)]
    use super::*;

    #[test]
    fn after_statement_skips_trailing_comments() {
        let code = "a(); // x\nb();";
        let p = after_statement(code, &[(5..9).into()], 4);
        assert_eq!(p, InsertPoint { offset: 9, own_line: true });
        let code = "a(); /* x */ b();";
        assert_eq!(after_statement(code, &[(5..12).into()], 4), InsertPoint { offset: 4, own_line: false });
        let code = "a();\r\nb();";
        assert_eq!(after_statement(code, &[], 4), InsertPoint { offset: 4, own_line: true });
        let code = "a()";
        assert_eq!(after_statement(code, &[], 3), InsertPoint { offset: 3, own_line: true });
    }

    #[test]
    fn before_statement_keeps_comments_with_their_statement() {
        let code = "a();\n\n// about b\n/* more */\nb();\n";
        let b = code.find("b();").expect("b");
        let comments = [
            ByteRange::new(code.find("//").expect("c1"), code.find("about b").expect("c1") + 7),
            ByteRange::new(code.find("/*").expect("c2"), code.find("*/").expect("c2") + 2),
        ];
        assert_eq!(before_statement(code, &comments, b), Some(code.find("// about").expect("c1")));
        assert_eq!(before_statement("x();\ny();", &[], 5), Some(5));
    }

    #[test]
    fn line_start_only_when_blank_before() {
        assert_eq!(line_start_before("x;\n  y;", 5), Some(3));
        assert_eq!(line_start_before("x; y;", 3), None);
    }
}
