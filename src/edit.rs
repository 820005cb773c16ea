//! Edits are byte-range splices on the original text. Every byte outside an edit is kept as it was.

use std::ops::Range;

/// Replace `range` of the code with `text` (an insertion when the range is empty).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    /// Byte range in [`crate::source::SourceFile::code`].
    pub range: Range<usize>,
    /// Replacement text, already in the file's style.
    pub text: String,
    /// Id of the transform that asked for it (set by the engine when the transform's plan returns).
    pub transform: &'static str,
    /// Other transforms whose changes were merged into this edit (their edits touched the same text).
    pub merged: Vec<&'static str>,
}

impl Edit {
    /// An insertion at `at`.
    pub fn insert(at: usize, text: impl Into<String>) -> Edit {
        Edit { range: at..at, text: text.into(), transform: "", merged: Vec::new() }
    }

    /// A replacement of `range` (a `Range<usize>` or a fact's [`crate::parse::ByteRange`]).
    pub fn replace(range: impl Into<Range<usize>>, text: impl Into<String>) -> Edit {
        Edit { range: range.into(), text: text.into(), transform: "", merged: Vec::new() }
    }

    /// The same edit, attributed to `transform`.
    pub fn by(self, transform: &'static str) -> Edit {
        Edit { transform, ..self }
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

/// Sorts edits (or references to them) by position, keeping the given order among insertions at the same point (so
/// "import, then use" stays in that order).
pub fn sort_edits<E: std::borrow::Borrow<Edit>>(edits: &mut [E]) {
    edits.sort_by_key(|e| (e.borrow().range.start, e.borrow().range.end));
}

/// Applies edits to `code`. Edits must lie on char boundaries inside `code`; overlapping edits are refused.
pub fn apply(code: &str, edits: &[Edit]) -> Result<String, EditConflict> {
    // (References sorted: the edits are not copied.)
    let mut sorted: Vec<&Edit> = edits.iter().collect();
    sort_edits(&mut sorted);
    let mut out = String::with_capacity(code.len() + sorted.iter().map(|e| e.text.len()).sum::<usize>());
    let mut cursor = 0usize;
    let mut previous: Option<&Edit> = None;
    for edit in sorted {
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
        edits.push(Edit::replace(start..end, text).by("merged"));
    }
    edits
}

/// Edits that turn `before` into `after`, whole lines at a time (readable edits for small files such as
/// package.json, where a character diff would splice inside words). Lines end at `\n`, `\r\n` or a lone `\r`, as
/// the diff splits them.
pub fn line_diff_edits(before: &str, after: &str) -> Vec<Edit> {
    let diff = similar::TextDiff::from_lines(before, after);
    let starts = |slices: &[&str]| -> Vec<usize> {
        let mut at = Vec::with_capacity(slices.len() + 1);
        let mut offset = 0;
        at.push(0);
        for slice in slices {
            offset += slice.len();
            at.push(offset);
        }
        at
    };
    let (old, new) = (starts(diff.old_slices()), starts(diff.new_slices()));
    diff.ops()
        .iter()
        .filter(|op| op.tag() != similar::DiffTag::Equal)
        .map(|op| {
            let (o, n) = (op.old_range(), op.new_range());
            Edit::replace(old[o.start]..old[o.end], &after[new[n.start]..new[n.end]]).by("merged")
        })
        .collect()
}

/// `edits` (computed from the texts when [`compose`] could not keep the rounds apart) owned by `owner`, with every
/// other transform of `contributors` listed in `merged`.
pub fn owned_by(edits: Vec<Edit>, owner: &'static str, contributors: &[Edit]) -> Vec<Edit> {
    let mut others: Vec<&'static str> =
        contributors.iter().flat_map(|e| std::iter::once(e.transform).chain(e.merged.iter().copied())).collect();
    others.sort_unstable();
    others.dedup();
    others.retain(|t| *t != owner);
    edits.into_iter().map(|e| Edit { transform: owner, merged: others.clone(), ..e }).collect()
}

/// Composes two rounds of edits into one list on `original`, each edit still attributed to the transform that made
/// it: `first` applies to `original`, `second` to the text `first` produced. A second edit that touches text the
/// first round inserted is merged with it into one edit (attributed to the first round's transform). `None` when the
/// composition would not reproduce the text (the caller then falls back to [`diff_edits`]).
pub fn compose(original: &str, first: &[Edit], second: &[Edit]) -> Option<Vec<Edit>> {
    let mut first = first.to_vec();
    sort_edits(&mut first);
    let mut second = second.to_vec();
    sort_edits(&mut second);
    let intermediate = apply(original, &first).ok()?;
    let expected = apply(&intermediate, &second).ok()?;
    // Where each first edit's text lies in the intermediate text, and how much it moved what follows.
    let mut spans: Vec<(usize, usize, isize)> = Vec::with_capacity(first.len());
    let mut shift: isize = 0;
    for edit in &first {
        let start = edit.range.start.checked_add_signed(shift)?;
        let growth = edit.text.len() as isize - edit.range.len() as isize;
        spans.push((start, start + edit.text.len(), growth));
        shift += growth;
    }
    // An intermediate offset outside the first edits' texts, as an offset into the original. A deletion (an empty
    // span) at the offset counts as before it when `after_deletions`.
    let to_original = |at: usize, after_deletions: bool| -> Option<usize> {
        let moved: isize = spans
            .iter()
            .filter(|(start, end, _)| *end < at || (*end == at && (after_deletions || start < end)))
            .map(|(_, _, growth)| growth)
            .sum();
        at.checked_add_signed(-moved)
    };
    // Items in intermediate offsets, grouped where they overlap.
    #[derive(Clone, Copy)]
    enum Item {
        First(usize),
        Second(usize),
    }
    let mut items: Vec<(usize, usize, Item)> =
        spans.iter().enumerate().map(|(i, s)| (s.0, s.1, Item::First(i))).collect();
    items.extend(second.iter().enumerate().map(|(j, e)| (e.range.start, e.range.end, Item::Second(j))));
    items.sort_by_key(|(start, end, item)| (*start, *end, matches!(item, Item::Second(_))));
    let mut groups: Vec<(usize, usize, Vec<Item>)> = Vec::new();
    for (start, end, item) in items {
        match groups.last_mut() {
            Some((_, group_end, members)) if start < *group_end => {
                *group_end = (*group_end).max(end);
                members.push(item);
            }
            _ => groups.push((start, end, vec![item])),
        }
    }
    let mut out = Vec::with_capacity(groups.len());
    for (start, end, members) in groups {
        match members[..] {
            [Item::First(i)] => out.push(first[i].clone()),
            [Item::Second(j)] => {
                let edit = &second[j];
                let from = to_original(edit.range.start, true)?;
                let to = if edit.range.is_empty() { from } else { to_original(edit.range.end, false)? };
                // (With the transforms merged into it: an object several transforms laid out together.)
                out.push(Edit {
                    merged: edit.merged.clone(),
                    ..Edit::replace(from..to, edit.text.clone()).by(edit.transform)
                });
            }
            _ => {
                let mut from = usize::MAX;
                let mut to = 0;
                let mut inner = Vec::new();
                let mut transform = None;
                let mut merged: Vec<&'static str> = Vec::new();
                for item in &members {
                    match *item {
                        Item::First(i) => {
                            from = from.min(first[i].range.start);
                            to = to.max(first[i].range.end);
                            transform = transform.or(Some(first[i].transform));
                            merged.push(first[i].transform);
                            merged.extend(&first[i].merged);
                        }
                        Item::Second(j) => {
                            let e = &second[j];
                            merged.push(e.transform);
                            merged.extend(&e.merged);
                            // Ends inside a first edit's text are covered by that edit's range.
                            let inside = |at: usize| spans.iter().any(|(s, t, _)| *s < at && at < *t);
                            if !inside(e.range.start) {
                                from = from.min(to_original(e.range.start, true)?);
                            }
                            if !inside(e.range.end) {
                                to = to.max(to_original(e.range.end, false)?);
                            }
                            inner.push(
                                Edit::replace(e.range.start - start..e.range.end - start, e.text.clone())
                                    .by(e.transform),
                            );
                        }
                    }
                }
                let text = apply(intermediate.get(start..end)?, &inner).ok()?;
                let transform = transform.unwrap_or("merged");
                merged.sort_unstable();
                merged.dedup();
                merged.retain(|t| *t != transform);
                out.push(Edit { merged, transform, ..Edit::replace(from..to, text) });
            }
        }
    }
    (apply(original, &out).ok()? == expected).then_some(out)
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
        let edits = vec![Edit::replace(4..5, "E").by("t"), Edit::insert(1, "1").by("t"), Edit::insert(1, "2").by("t")];
        let out = apply(code, &edits).expect("no conflict");
        assert_eq!(out, "a12bcdEf");
        assert!(untouched_outside_edits(code, &out, &edits));
        assert!(!untouched_outside_edits(code, "a12bcdEF", &edits));
    }

    #[test]
    fn overlapping_edits_are_refused() {
        let edits = vec![Edit::replace(1..4, "x").by("a"), Edit::replace(3..5, "y").by("b")];
        let err = apply("abcdef", &edits).expect_err("conflict");
        assert_eq!((err.first, err.second, err.at), ("a", "b", 3));
        let inside = vec![Edit::replace(1..4, "x").by("a"), Edit::insert(2, "y").by("b")];
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
    fn line_diff_edits_replace_whole_lines() {
        let before = "{\n  \"a\": \"1\",\n  \"b\": \"2\"\n}";
        let after = "{\n  \"a\": \"1\",\n  \"b\": \"3\",\n  \"c\": \"4\"\n}";
        let edits = line_diff_edits(before, after);
        assert_eq!(edits, [Edit::replace(14..25, "  \"b\": \"3\",\n  \"c\": \"4\"\n").by("merged")]);
        assert_eq!(apply(before, &edits).expect("applies"), after);
        assert_eq!(apply("x", &line_diff_edits("x", "x\ny")).expect("applies"), "x\ny");
        // Old Mac line endings: the offsets follow the diff's own lines.
        let (before, after) = ("a\rb\rc\r", "a\rB\rc\rd\r");
        assert_eq!(apply(before, &line_diff_edits(before, after)).expect("applies"), after);
    }

    #[test]
    fn composed_edits_keep_their_transforms_and_reproduce_both_rounds() {
        let original = "let a = 1;\nlet b = 2;\nlet c = 3;\n";
        // Round one replaces `1` and inserts a line; round two edits the inserted line and the kept `3`.
        let first = vec![Edit::replace(8..9, "10").by("one"), Edit::insert(11, "x();\n").by("one")];
        let middle = apply(original, &first).expect("applies");
        assert_eq!(middle, "let a = 10;\nx();\nlet b = 2;\nlet c = 3;\n");
        let second = vec![Edit::replace(12..13, "y").by("two"), Edit::replace(36..37, "30").by("two")];
        let last = apply(&middle, &second).expect("applies");
        let composed = compose(original, &first, &second).expect("composes");
        assert_eq!(apply(original, &composed).expect("applies"), last);
        let owners: Vec<&str> = composed.iter().map(|e| e.transform).collect();
        assert_eq!(owners, ["one", "one", "two"]);
        assert_eq!(composed[1], Edit { merged: vec!["two"], ..Edit::insert(11, "y();\n").by("one") });
        assert_eq!(composed[2], Edit::replace(30..31, "30").by("two"));
        // A second-round edit that other transforms were merged into keeps them.
        let shared = vec![Edit { merged: vec!["three"], ..Edit::replace(36..37, "30").by("two") }];
        let composed = compose(original, &first, &shared).expect("composes");
        assert_eq!(composed.last(), Some(&Edit { merged: vec!["three"], ..Edit::replace(30..31, "30").by("two") }));
        // Insertions next to a deletion land on the right side of it.
        let deleted = vec![Edit::replace(0..11, "").by("one")];
        let after = vec![Edit::insert(0, "// hi\n").by("two")];
        let composed = compose(original, &deleted, &after).expect("composes");
        assert_eq!(apply(original, &composed).expect("applies"), "// hi\nlet b = 2;\nlet c = 3;\n");
    }

    #[test]
    fn out_of_range_edit_is_refused_not_a_panic() {
        assert!(apply("ab", &[Edit::insert(5, "x").by("t")]).is_err());
    }
}
