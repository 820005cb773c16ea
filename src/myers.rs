//! Myers's line diff as the `similar` crate runs it (`similar::algorithms::myers`, version 2: the linear-space
//! divide and conquer with its middle snake), step for step, on lines given as numbers.
//!
//! The unified diffs are built from similar's ops, and their text must not change, so this is the same algorithm
//! making the same choices, not another diff: the same common prefix and suffix stripped at each level, the same
//! diagonals walked in the same order, the same middle snake taken, the same calls to the hook. What differs is only
//! the cost of each step. The lines are numbers ([`numbered`]: equal numbers for equal lines, which is all Myers asks
//! of them), so following a snake compares two integers instead of two strings; the furthest-reaching arrays are
//! plain vectors indexed once per step. On a dry run where every file changes this was the largest cost after
//! parsing (similar's generic code, compiled into ours: 650 to 705 M instructions of 4,240 M for 2,000 files,
//! depending on how it was inlined). The tests compare the two on thousands of generated pairs.
//!
//! Even so it stayed an eighth of that run (520 M): its cost grows with the lines between a file's first change and
//! its last times the lines changed, and a file that gains a hundred-line helper at the top and a line in its middle
//! pays for both. A change whose edits are known is now diffed only on the lines its edits touch
//! (`report::edited_line_ops`); this runs on each of them.

use std::ops::Range;

use similar::algorithms::DiffHook;

/// Numbers for two runs of lines: equal where the lines are equal.
pub fn numbered<'a>(old: &[&'a str], new: &[&'a str]) -> (Vec<u32>, Vec<u32>) {
    let mut seen: rustc_hash::FxHashMap<&'a str, u32> = rustc_hash::FxHashMap::default();
    seen.reserve(old.len() + new.len());
    let mut number = |line: &&'a str| {
        let next = seen.len() as u32;
        *seen.entry(*line).or_insert(next)
    };
    let old = old.iter().map(&mut number).collect();
    let new = new.iter().map(&mut number).collect();
    (old, new)
}

/// Diffs `old` against `new` and reports the result to `hook` (as `similar::algorithms::myers::diff` does, without
/// calling `finish`), each index shifted by `at` (where the runs start in the texts the hook knows: old, new).
pub fn diff<D: DiffHook>(hook: &mut D, old: &[u32], new: &[u32], at: (usize, usize)) -> Result<(), D::Error> {
    let max_d = max_d(old.len(), new.len());
    let mut myers =
        Myers { old, new, at, offset: max_d as isize, forward: vec![0; 2 * max_d], backward: vec![0; 2 * max_d] };
    myers.conquer(hook, 0..old.len(), 0..new.len())
}

/// similar's bound on the furthest-reaching arrays (`max_d`).
fn max_d(len1: usize, len2: usize) -> usize {
    (len1 + len2).div_ceil(2) + 1
}

struct Myers<'a> {
    old: &'a [u32],
    new: &'a [u32],
    /// Where the runs start in the hook's texts: old, new.
    at: (usize, usize),
    /// Where diagonal 0 is in `forward` and `backward`.
    offset: isize,
    /// The furthest x reached on each diagonal, forward and backward (similar's `vf` and `vb`).
    forward: Vec<usize>,
    backward: Vec<usize>,
}

impl Myers<'_> {
    /// similar's `conquer`.
    fn conquer<D: DiffHook>(
        &mut self,
        hook: &mut D,
        mut old: Range<usize>,
        mut new: Range<usize>,
    ) -> Result<(), D::Error> {
        let prefix = common_prefix(&self.old[old.clone()], &self.new[new.clone()]);
        if prefix > 0 {
            hook.equal(self.at.0 + old.start, self.at.1 + new.start, prefix)?;
        }
        old.start += prefix;
        new.start += prefix;
        let suffix = common_suffix(&self.old[old.clone()], &self.new[new.clone()]);
        let suffix_at = (old.end - suffix, new.end - suffix);
        old.end -= suffix;
        new.end -= suffix;
        if old.is_empty() && new.is_empty() {
        } else if new.is_empty() {
            hook.delete(self.at.0 + old.start, old.len(), self.at.1 + new.start)?;
        } else if old.is_empty() {
            hook.insert(self.at.0 + old.start, self.at.1 + new.start, new.len())?;
        } else if let Some((x, y)) = self.middle_snake(old.clone(), new.clone()) {
            self.conquer(hook, old.start..x, new.start..y)?;
            self.conquer(hook, x..old.end, y..new.end)?;
        } else {
            // (Not reached: similar gets here only past a deadline, and there is none.)
            hook.delete(self.at.0 + old.start, old.len(), self.at.1 + new.start)?;
            hook.insert(self.at.0 + old.start, self.at.1 + new.start, new.len())?;
        }
        if suffix > 0 {
            hook.equal(self.at.0 + suffix_at.0, self.at.1 + suffix_at.1, suffix)?;
        }
        Ok(())
    }

    /// similar's `find_middle_snake`: where the middle snake of a shortest path starts. (Diagonal `k` is at index
    /// `k + offset` of the arrays; `i` walks those indexes, two at a time, from diagonal `d` down to `-d`.)
    fn middle_snake(&mut self, old: Range<usize>, new: Range<usize>) -> Option<(usize, usize)> {
        let (n, m) = (old.len(), new.len());
        let delta = n as isize - m as isize;
        let odd = delta & 1 == 1;
        let o = self.offset;
        let (vf, vb) = (&mut self.forward[..], &mut self.backward[..]);
        vf[(1 + o) as usize] = 0;
        vb[(1 + o) as usize] = 0;
        let d_max = max_d(n, m);
        assert!(vf.len() >= d_max && vb.len() >= d_max);
        let (old_run, new_run) = (&self.old[old.clone()], &self.new[new.clone()]);
        for d in 0..d_max as isize {
            let (low, high) = ((o - d) as usize, (o + d) as usize);
            // Where the two searches may meet: |k - delta| <= d - 1 forward (odd delta), <= d backward (even).
            let (meet_low, meet_high) = if odd { (delta - d + 1, delta + d - 1) } else { (delta - d, delta + d) };
            // Forward.
            let mut i = high;
            loop {
                let k = i as isize - o;
                let mut x = if i == low || (i != high && vf[i - 1] < vf[i + 1]) { vf[i + 1] } else { vf[i - 1] + 1 };
                // (As similar computes it: `(x as isize - k) as usize`.)
                let y = x.wrapping_sub(k as usize);
                let (x0, y0) = (x, y);
                if x < n && y < m {
                    x += common_prefix(&old_run[x..], &new_run[y..]);
                }
                vf[i] = x;
                if odd && (meet_low..=meet_high).contains(&k) && x + vb[(o - (k - delta)) as usize] >= n {
                    return Some((x0 + old.start, y0 + new.start));
                }
                if i == low {
                    break;
                }
                i -= 2;
            }
            // Backward.
            let mut i = high;
            loop {
                let k = i as isize - o;
                let mut x = if i == low || (i != high && vb[i - 1] < vb[i + 1]) { vb[i + 1] } else { vb[i - 1] + 1 };
                let mut y = x.wrapping_sub(k as usize);
                if x < n && y < m {
                    let advance = common_suffix(&old_run[..n - x], &new_run[..m - y]);
                    x += advance;
                    y += advance;
                }
                vb[i] = x;
                if !odd && (meet_low..=meet_high).contains(&k) && x + vf[(o - (k - delta)) as usize] >= n {
                    return Some((n - x + old.start, m - y + new.start));
                }
                if i == low {
                    break;
                }
                i -= 2;
            }
        }
        None
    }
}

fn common_prefix(a: &[u32], b: &[u32]) -> usize {
    a.iter().zip(b).take_while(|(a, b)| a == b).count()
}

fn common_suffix(a: &[u32], b: &[u32]) -> usize {
    a.iter().rev().zip(b.iter().rev()).take_while(|(a, b)| a == b).count()
}

/// A small xorshift generator for tests that generate texts: `next(n)` is below `n`.
#[cfg(test)]
pub(crate) fn generator(mut seed: u64) -> impl FnMut(u64) -> u64 {
    move |n| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed % n
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use similar::algorithms::{myers, Capture};

    /// The ops of similar's Myers and of ours, on the same lines.
    fn both(old: &[&str], new: &[&str]) -> (Vec<similar::DiffOp>, Vec<similar::DiffOp>) {
        let mut theirs = Capture::new();
        let _ = myers::diff(&mut theirs, old, 0..old.len(), new, 0..new.len());
        let mut ours = Capture::new();
        let (a, b) = numbered(old, new);
        let _ = diff(&mut ours, &a, &b, (0, 0));
        (theirs.into_ops(), ours.into_ops())
    }

    #[test]
    fn the_same_ops_as_similar_on_generated_pairs() {
        let mut next = generator(0x9e37_79b9_7f4a_7c15);
        // Small alphabets (many equal lines, where a shortest script can be had many ways), edits of every kind,
        // and the shape of the dry run's diffs: a few lines around long insertions.
        let alphabet = ["a", "b", "}", "", "});", "x", "  next();", "const a = 1;"];
        for round in 0..3000 {
            let letters = 2 + next(alphabet.len() as u64 - 1) as usize;
            let len = match round % 5 {
                0 => 100 + next(200),
                1 => next(4),
                _ => next(40),
            };
            let old: Vec<&str> = (0..len).map(|_| alphabet[next(letters as u64) as usize]).collect();
            let mut new = old.clone();
            for _ in 0..=next(8) {
                let at = next(new.len() as u64 + 1) as usize;
                match next(4) {
                    0 => {
                        let block = if round % 3 == 0 { next(120) } else { 1 + next(3) };
                        for _ in 0..block {
                            new.insert(at, alphabet[next(letters as u64) as usize]);
                        }
                    }
                    1 if at < new.len() => {
                        new.remove(at);
                    }
                    2 if at < new.len() => new[at] = "y",
                    _ => new.insert(at, "z"),
                }
            }
            let (theirs, ours) = both(&old, &new);
            assert_eq!(ours, theirs, "{old:?} -> {new:?}");
        }
    }

    #[test]
    fn empty_sides_and_shifted_indices() {
        assert_eq!(both(&[], &[]).1, both(&[], &[]).0);
        assert_eq!(both(&["a"], &[]).1, both(&["a"], &[]).0);
        assert_eq!(both(&[], &["a", "b"]).1, both(&[], &["a", "b"]).0);
        let (a, b) = numbered(&["a", "b"], &["b", "c"]);
        let mut ours = Capture::new();
        let _ = diff(&mut ours, &a, &b, (10, 10));
        let mut theirs = Capture::new();
        let (old, new) = (
            ["-"; 10].iter().chain(&["a", "b"]).copied().collect::<Vec<_>>(),
            ["-"; 10].iter().chain(&["b", "c"]).copied().collect::<Vec<_>>(),
        );
        let _ = myers::diff(&mut theirs, &old, 10..12, &new, 10..12);
        assert_eq!(ours.into_ops(), theirs.into_ops());
    }
}
