//! Edits are byte-range splices on the original text. Every byte outside an edit is kept as it was.

use std::ops::Range;

/// Replace `range` of the code with `text` (an insertion when the range is empty).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    /// Byte range in [`crate::source::SourceFile::code`].
    pub range: Range<usize>,
    /// Replacement text, already in the file's style.
    pub text: String,
    /// Id of the transform that asked for it.
    pub transform: &'static str,
}

impl Edit {
    /// An insertion at `at`.
    pub fn insert(at: usize, text: impl Into<String>, transform: &'static str) -> Edit {
        Edit { range: at..at, text: text.into(), transform }
    }

    /// A replacement of `range`.
    pub fn replace(range: Range<usize>, text: impl Into<String>, transform: &'static str) -> Edit {
        Edit { range, text: text.into(), transform }
    }
}

/// Two edits that touch the same bytes: we refuse rather than guess which one wins.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EditConflict {
    /// The transform whose edit came first in the file.
    pub first: &'static str,
    /// The transform whose edit overlaps it.
    pub second: &'static str,
    /// Byte offset where they meet.
    pub at: usize,
}

/// Sorts edits by position, keeping the given order among insertions at the same point (so "import, then use"
/// stays in that order).
pub fn sort_edits(edits: &mut [Edit]) {
    edits.sort_by_key(|e| (e.range.start, e.range.end));
}

/// Applies edits to `code`. Edits must lie on char boundaries inside `code`; overlapping edits are refused.
pub fn apply(code: &str, edits: &[Edit]) -> Result<String, EditConflict> {
    let mut sorted: Vec<Edit> = edits.to_vec();
    sort_edits(&mut sorted);
    let mut out = String::with_capacity(code.len() + sorted.iter().map(|e| e.text.len()).sum::<usize>());
    let mut cursor = 0usize;
    let mut previous: Option<&Edit> = None;
    for edit in &sorted {
        if edit.range.start < cursor || edit.range.end > code.len() || edit.range.start > edit.range.end {
            return Err(EditConflict {
                first: previous.map_or(edit.transform, |p| p.transform),
                second: edit.transform,
                at: edit.range.start,
            });
        }
        out.push_str(&code[cursor..edit.range.start]);
        out.push_str(&edit.text);
        cursor = edit.range.end;
        previous = Some(edit);
    }
    out.push_str(&code[cursor..]);
    Ok(out)
}

/// Checks that every byte of `original` outside the edits appears unchanged, in order, in `edited`: the promise
/// the engine makes to reviewers. Used by the tests over every fixture.
pub fn untouched_outside_edits(original: &str, edited: &str, edits: &[Edit]) -> bool {
    let mut sorted = edits.to_vec();
    sort_edits(&mut sorted);
    let mut orig_cursor = 0usize;
    let mut new_cursor = 0usize;
    for edit in &sorted {
        let keep = &original[orig_cursor..edit.range.start];
        if edited.get(new_cursor..new_cursor + keep.len()) != Some(keep) {
            return false;
        }
        new_cursor += keep.len();
        if edited.get(new_cursor..new_cursor + edit.text.len()) != Some(edit.text.as_str()) {
            return false;
        }
        new_cursor += edit.text.len();
        orig_cursor = edit.range.end;
    }
    edited.get(new_cursor..) == Some(&original[orig_cursor..])
}

/// Edits that turn `before` into `after`, from a character diff (used when several phases of transforms changed a
/// file, so that the result can still be checked against "every byte outside an edit is unchanged").
pub fn diff_edits(before: &str, after: &str) -> Vec<Edit> {
    let diff = similar::TextDiff::from_chars(before, after);
    let mut edits: Vec<Edit> = Vec::new();
    for op in diff.ops() {
        let old = op.old_range();
        let new = op.new_range();
        if op.tag() == similar::DiffTag::Equal {
            continue;
        }
        let start = char_to_byte(before, old.start);
        let end = char_to_byte(before, old.end);
        let text: String = after.chars().skip(new.start).take(new.len()).collect();
        edits.push(Edit::replace(start..end, text, "merged"));
    }
    edits
}

fn char_to_byte(text: &str, chars: usize) -> usize {
    text.char_indices().nth(chars).map_or(text.len(), |(i, _)| i)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splices_in_order_and_keeps_the_rest() {
        let code = "abcdef";
        let edits = vec![Edit::replace(4..5, "E", "t"), Edit::insert(1, "1", "t"), Edit::insert(1, "2", "t")];
        let out = apply(code, &edits).expect("no conflict");
        assert_eq!(out, "a12bcdEf");
        assert!(untouched_outside_edits(code, &out, &edits));
        assert!(!untouched_outside_edits(code, "a12bcdEF", &edits));
    }

    #[test]
    fn overlapping_edits_are_refused() {
        let edits = vec![Edit::replace(1..4, "x", "a"), Edit::replace(3..5, "y", "b")];
        let err = apply("abcdef", &edits).expect_err("conflict");
        assert_eq!((err.first, err.second, err.at), ("a", "b", 3));
        let inside = vec![Edit::replace(1..4, "x", "a"), Edit::insert(2, "y", "b")];
        assert!(apply("abcdef", &inside).is_err());
    }

    #[test]
    fn diff_edits_reproduce_the_change() {
        let before = "const a = 1;\né();\n";
        let after = "const a = 2;\nextra();\né();\n";
        let edits = diff_edits(before, after);
        assert_eq!(apply(before, &edits).expect("applies"), after);
        assert!(untouched_outside_edits(before, after, &edits));
    }

    #[test]
    fn out_of_range_edit_is_refused_not_a_panic() {
        assert!(apply("ab", &[Edit::insert(5, "x", "t")]).is_err());
    }
}
