//! Line and column numbers, with one definition of a line for every output (text, JSON, markdown, SARIF): a line
//! ends at `\n`, `\r\n` or a lone `\r`, as editors and SARIF viewers count them (JavaScript also ends lines at
//! U+2028 and U+2029; editors do not, and neither does this). Lines and columns are 1-based and
//! columns count characters (Unicode code points), as SARIF's `columnKind` says.

/// Where each line of a text starts. The index lives as long as its file's facts (every analysed file's, from the first
/// pass until the file is planned), so it is kept small: each line's start as two bytes, counted from the start of its
/// block of [`BLOCK`] lines, whose start takes four (a text where a block of lines spans 64 KiB or more keeps every
/// start in four bytes); 17 MB at the 100,000-file benchmark as four bytes a line. A text of 4 GiB or more, which no
/// source limit lets through, keeps its first 4 GiB of lines.
#[derive(Debug, Clone)]
pub struct LineIndex {
    starts: Starts,
}

/// The lines in a block of [`Starts::Near`].
const BLOCK: usize = 64;

#[derive(Debug, Clone)]
enum Starts {
    /// Line `i` starts at `blocks[i / BLOCK] + near[i]`.
    Near { blocks: Box<[u32]>, near: Box<[u16]> },
    /// Every start.
    Wide(Box<[u32]>),
}

impl LineIndex {
    /// Indexes `text`.
    pub fn new(text: &str) -> LineIndex {
        let (mut blocks, mut near) = (vec![0_u32], vec![0_u16]);
        for start in Self::starts(text) {
            if near.len() % BLOCK == 0 {
                blocks.push(start);
                near.push(0);
                continue;
            }
            let Some(block) = blocks.last().and_then(|b| u16::try_from(start - b).ok()) else {
                return LineIndex { starts: Starts::Wide(std::iter::once(0).chain(Self::starts(text)).collect()) };
            };
            near.push(block);
        }
        LineIndex { starts: Starts::Near { blocks: blocks.into_boxed_slice(), near: near.into_boxed_slice() } }
    }

    /// The start of every line after the first.
    fn starts(text: &str) -> impl Iterator<Item = u32> + '_ {
        let bytes = text.as_bytes();
        memchr::memchr2_iter(b'\n', b'\r', bytes)
            // A `\r` followed by `\n` ends its line at the `\n`.
            .filter(|&i| bytes[i] == b'\n' || bytes.get(i + 1) != Some(&b'\n'))
            .map_while(|i| u32::try_from(i + 1).ok())
    }

    /// Where the 0-based line `line` starts.
    fn start(&self, line: usize) -> usize {
        match &self.starts {
            Starts::Near { blocks, near } => blocks[line / BLOCK] as usize + usize::from(near[line]),
            Starts::Wide(starts) => starts[line] as usize,
        }
    }

    /// The 0-based number of the line holding byte `offset`.
    fn index_of(&self, offset: usize) -> usize {
        match &self.starts {
            Starts::Near { blocks, near } => {
                let block = blocks.partition_point(|&start| start as usize <= offset).saturating_sub(1);
                let first = block * BLOCK;
                let lines = &near[first..near.len().min(first + BLOCK)];
                let base = blocks[block] as usize;
                first + lines.partition_point(|&start| base + usize::from(start) <= offset).saturating_sub(1)
            }
            Starts::Wide(starts) => starts.partition_point(|&start| start as usize <= offset).saturating_sub(1),
        }
    }

    /// The 1-based line holding byte `offset`.
    pub fn line(&self, offset: usize) -> usize {
        self.index_of(offset) + 1
    }

    /// Byte offset where the line holding `offset` starts.
    pub fn line_start(&self, offset: usize) -> usize {
        self.start(self.index_of(offset))
    }

    /// 1-based line and column (in characters) of byte `offset` of `text` (the text this index was made of).
    pub fn line_col(&self, text: &str, offset: usize) -> (usize, usize) {
        let line = self.index_of(offset);
        let start = self.start(line);
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

    /// Each offset's line and line start, as a list of every line's start gives them.
    fn check_against_every_start(text: &str) {
        let index = LineIndex::new(text);
        let starts: Vec<usize> = std::iter::once(0).chain(LineIndex::starts(text).map(|s| s as usize)).collect();
        for offset in 0..=text.len() + 1 {
            let line = starts.partition_point(|&s| s <= offset) - 1;
            assert_eq!((index.line(offset), index.line_start(offset)), (line + 1, starts[line]), "offset {offset}");
        }
    }

    #[test]
    fn blocks_of_lines_near_and_far() {
        // Short lines: two bytes a line. Lines over several blocks, a block's first and last line, an empty text, a
        // text that is one line break.
        let short: String = (0..300).map(|i| format!("line {i}\n")).collect();
        let index = LineIndex::new(&short);
        assert!(matches!(index.starts, Starts::Near { .. }));
        check_against_every_start(&short);
        check_against_every_start("");
        check_against_every_start("\n");
        check_against_every_start(&"\r\n".repeat(BLOCK * 2 + 1));
        // A block of lines that spans 64 KiB or more: four bytes a line, the same answers.
        let long = format!("{}{}\n{}", "a\n".repeat(10), "x".repeat(70_000), "b\n".repeat(100));
        let index = LineIndex::new(&long);
        assert!(matches!(index.starts, Starts::Wide(_)));
        check_against_every_start(&long);
        // A long line that ends a block: the next block starts after it, every line near its block's start.
        let first_long = format!("{}{}\n{}", "a\n".repeat(BLOCK - 1), "x".repeat(70_000), "b\n".repeat(100));
        assert!(matches!(LineIndex::new(&first_long).starts, Starts::Near { .. }));
        check_against_every_start(&first_long);
    }

    #[test]
    fn classic_mac_files_are_told_apart() {
        assert!(mostly_lone_cr("a\rb\rc"));
        assert!(!mostly_lone_cr("a\r\nb\r\n"));
        assert!(!mostly_lone_cr("a\nb\n// stray \r in a comment\n"));
        assert!(!mostly_lone_cr(""));
    }
}
