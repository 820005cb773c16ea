//! Line and column numbers, with one definition of a line for every output (text, JSON, markdown, SARIF): a line
//! ends at `\n`, `\r\n` or a lone `\r`, as editors and SARIF viewers count them (JavaScript also ends lines at
//! U+2028 and U+2029; editors do not, and neither does this). Lines and columns are 1-based and
//! columns count characters (Unicode code points), as SARIF's `columnKind` says.

/// Where each line of a text starts. Offsets are kept as `u32` (the index lives as long as its file's facts: half
/// the room); a text of 4 GiB or more, which no source limit lets through, keeps its first 4 GiB of lines.
#[derive(Debug, Clone, Default)]
pub struct LineIndex {
    starts: Box<[u32]>,
}

impl LineIndex {
    /// Indexes `text`.
    pub fn new(text: &str) -> LineIndex {
        let bytes = text.as_bytes();
        let mut starts = vec![0];
        for i in memchr::memchr2_iter(b'\n', b'\r', bytes) {
            // A `\r` followed by `\n` ends its line at the `\n`.
            if bytes[i] == b'\n' || bytes.get(i + 1) != Some(&b'\n') {
                let Ok(start) = u32::try_from(i + 1) else { break };
                starts.push(start);
            }
        }
        LineIndex { starts: starts.into_boxed_slice() }
    }

    /// The 0-based number of the line holding byte `offset`.
    fn index_of(&self, offset: usize) -> usize {
        self.starts.partition_point(|&start| start as usize <= offset).saturating_sub(1)
    }

    /// The 1-based line holding byte `offset`.
    pub fn line(&self, offset: usize) -> usize {
        self.index_of(offset) + 1
    }

    /// Byte offset where the line holding `offset` starts.
    pub fn line_start(&self, offset: usize) -> usize {
        self.starts[self.index_of(offset)] as usize
    }

    /// 1-based line and column (in characters) of byte `offset` of `text` (the text this index was made of).
    pub fn line_col(&self, text: &str, offset: usize) -> (usize, usize) {
        let line = self.index_of(offset);
        let start = self.starts[line] as usize;
        let column = text.get(start..offset.min(text.len())).map_or(0, |s| s.chars().count());
        (line + 1, column + 1)
    }
}

/// Whether most line breaks of `text` are a lone CR (classic Mac line endings).
pub fn mostly_lone_cr(text: &str) -> bool {
    let bytes = text.as_bytes();
    let lone_cr = memchr::memchr_iter(b'\r', bytes).filter(|&i| bytes.get(i + 1) != Some(&b'\n')).count();
    lone_cr > 0 && lone_cr > memchr::memchr_iter(b'\n', bytes).count()
}

/// 1-based line and column of one offset, for a text read once (an index pays off from the second look-up).
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    LineIndex::new(text).line_col(text, offset)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_end_at_lf_crlf_and_lone_cr() {
        let text = "a\r\nb\rc\nä d";
        let index = LineIndex::new(text);
        assert_eq!(index.line_col(text, 0), (1, 1));
        assert_eq!(index.line_col(text, 1), (1, 2), "the \\r of a \\r\\n is still on line 1");
        assert_eq!(index.line_col(text, 3), (2, 1));
        assert_eq!(index.line_col(text, 5), (3, 1));
        assert_eq!(index.line_col(text, 7), (4, 1));
        assert_eq!(index.line_col(text, 10), (4, 3), "columns count characters, not bytes");
        assert_eq!(index.line_start(10), 7);
        assert_eq!(line_col(text, 10), (4, 3));
        assert_eq!(line_col(text, 99), (4, 4), "past the end: the end");
        assert_eq!(line_col("a\r\nb", 2), (1, 3), "the \\n of a CRLF ends its own line");
        assert_eq!(LineIndex::new("").line_col("", 0), (1, 1));
    }

    #[test]
    fn classic_mac_files_are_told_apart() {
        assert!(mostly_lone_cr("a\rb\rc"));
        assert!(!mostly_lone_cr("a\r\nb\r\n"));
        assert!(!mostly_lone_cr("a\nb\n// stray \r in a comment\n"));
        assert!(!mostly_lone_cr(""));
    }
}
