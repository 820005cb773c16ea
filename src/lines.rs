//! Line and column numbers, with one definition of a line for every output (text, JSON, markdown, SARIF): a line
//! ends at `\n`, `\r\n` or a lone `\r`, as editors and SARIF viewers count them (JavaScript also ends lines at
//! U+2028 and U+2029; editors do not, and neither does this). Lines and columns are 1-based and
//! columns count characters (Unicode code points), as SARIF's `columnKind` says.

/// Where each line of a text starts. The index lives as long as its file's facts (every analysed file's, from the first
/// pass until the file is planned), so it is kept small: one block of memory, each line's start in two bytes counted
/// from the start of its block of [`BLOCK`] lines, whose start takes four (a text where a block of lines spans 64 KiB
/// or more keeps every start in four bytes). At the 100,000-file benchmark, four bytes a line took 17 MB. A text of
/// 4 GiB or more, which no source limit lets through, keeps its first 4 GiB of lines (and its first 2^31 - 1 lines).
#[derive(Debug, Clone)]
pub struct LineIndex {
    /// The number of lines `n` (with [`WIDE`] set when every start takes four bytes), then either
    /// - each line's start less its block's, two bytes each, two lines a word (the first in the low half), then the
    ///   start of each block of [`BLOCK`] lines;
    /// - or ([`WIDE`]) each line's start.
    data: Box<[u32]>,
}

/// The lines in a block.
const BLOCK: usize = 64;

/// In [`LineIndex::data`]'s first word: every start takes four bytes.
const WIDE: u32 = 1 << 31;

impl LineIndex {
    /// Indexes `text`.
    pub fn new(text: &str) -> LineIndex {
        // (About one word for two lines of some 30 bytes: grown if need be, made exact when boxed.)
        let mut data: Vec<u32> = Vec::with_capacity(2 + text.len() / 48);
        data.push(0);
        let (mut blocks, mut block) = (vec![0_u32], 0_u32);
        // Line 0 starts at 0 (its block's start), in the low half of the first word.
        let (mut lines, mut low) = (1_usize, 0_u32);
        for start in Self::starts(text) {
            let offset = if lines % BLOCK == 0 {
                blocks.push(start);
                block = start;
                0
            } else {
                match u16::try_from(start - block) {
                    Ok(offset) => u32::from(offset),
                    Err(_) => {
                        let starts: Vec<u32> = std::iter::once(0).chain(Self::starts(text)).collect();
                        let lines = starts.len() as u32 | WIDE;
                        return LineIndex { data: std::iter::once(lines).chain(starts).collect() };
                    }
                }
            };
            if lines % 2 == 0 {
                low = offset;
            } else {
                data.push(low | offset << 16);
            }
            lines += 1;
        }
        if lines % 2 == 1 {
            data.push(low);
        }
        data[0] = lines as u32;
        data.extend_from_slice(&blocks);
        LineIndex { data: data.into_boxed_slice() }
    }

    /// The start of every line after the first (2^31 - 2 of them at most).
    fn starts(text: &str) -> impl Iterator<Item = u32> + '_ {
        let bytes = text.as_bytes();
        memchr::memchr2_iter(b'\n', b'\r', bytes)
            // A `\r` followed by `\n` ends its line at the `\n`.
            .filter(|&i| bytes[i] == b'\n' || bytes.get(i + 1) != Some(&b'\n'))
            .map_while(|i| u32::try_from(i + 1).ok())
            .take(WIDE as usize - 2)
    }

    /// The number of lines.
    fn lines(&self) -> usize {
        (self.data[0] & !WIDE) as usize
    }

    /// Whether every start takes four bytes.
    fn wide(&self) -> bool {
        self.data[0] & WIDE != 0
    }

    /// The start of each block of lines (of each line, when [`LineIndex::wide`]).
    fn blocks(&self) -> &[u32] {
        if self.wide() {
            return &self.data[1..];
        }
        &self.data[1 + self.lines().div_ceil(2)..]
    }

    /// Where the 0-based line `line` starts.
    fn start(&self, line: usize) -> usize {
        if self.wide() {
            return self.data[1 + line] as usize;
        }
        let word = self.data[1 + line / 2];
        self.blocks()[line / BLOCK] as usize + (word >> (16 * (line % 2)) & 0xffff) as usize
    }

    /// The 0-based number of the line holding byte `offset`.
    fn index_of(&self, offset: usize) -> usize {
        let block = self.blocks().partition_point(|&start| start as usize <= offset).saturating_sub(1);
        if self.wide() {
            return block;
        }
        // The last line of the block that starts at or before `offset` (its first does).
        let lines = block * BLOCK..self.lines().min((block + 1) * BLOCK);
        let (mut low, mut high) = (lines.start, lines.end);
        while high - low > 1 {
            let middle = low + (high - low) / 2;
            if self.start(middle) <= offset {
                low = middle;
            } else {
                high = middle;
            }
        }
        low
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
        assert!(!index.wide());
        check_against_every_start(&short);
        check_against_every_start("");
        check_against_every_start("\n");
        check_against_every_start(&"\r\n".repeat(BLOCK * 2 + 1));
        // A block of lines that spans 64 KiB or more: four bytes a line, the same answers.
        let long = format!("{}{}\n{}", "a\n".repeat(10), "x".repeat(70_000), "b\n".repeat(100));
        let index = LineIndex::new(&long);
        assert!(index.wide());
        check_against_every_start(&long);
        // A long line that ends a block: the next block starts after it, every line near its block's start.
        let first_long = format!("{}{}\n{}", "a\n".repeat(BLOCK - 1), "x".repeat(70_000), "b\n".repeat(100));
        assert!(!LineIndex::new(&first_long).wide());
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
