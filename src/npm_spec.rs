//! Classification of npm dependency specs before anything parses them as ranges: only some specs are ranges
//! (`^4.16.0`, `~4.17.1`, `4.12.4`, `4.x`, `>=4 <5`); others are tags (`latest`), "anything" (`*`, ``), or not
//! versions at all (`npm:express@^4`, git URLs, `workspace:*`, `file:`), and those are never rewritten.

use nodejs_semver::{Range, Version};

/// The operator of a one-comparator spec, kept when the version is raised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operator {
    /// `^1.2.3`
    Caret,
    /// `~1.2.3`
    Tilde,
    /// `1.2.3` (or `=1.2.3`, `v1.2.3`)
    Exact,
}

/// What a spec is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Spec {
    /// `^x.y.z`, `~x.y.z` or an exact version: the version can be raised keeping the operator.
    Simple {
        /// The operator.
        op: Operator,
        /// The version written (partial versions are filled with zeros).
        version: Version,
    },
    /// Any other range npm accepts (`4.x`, `>=4 <5`, `4.16 - 4.18`, `^4 || ^5`).
    Range(Range),
    /// Anything goes: `*`, `x`, `latest`, the empty string.
    Any,
    /// Not a version range: an alias, a URL, a path, a workspace reference, another dist-tag.
    Other(&'static str),
}

/// A spec as an npm range, when it is one (`latest`, `*`, git URLs and aliases say nothing about the version).
pub fn npm_range(spec: &str) -> Option<Range> {
    match classify(spec) {
        Spec::Simple { .. } | Spec::Range(_) => Range::parse(spec.trim()).ok(),
        _ => None,
    }
}

/// The lowest version `spec` admits, when it is an npm range: remembered per thread (every file's helmet plan asks it
/// of the listed and the chosen helmet specs).
pub fn min_version(spec: &str) -> Option<Version> {
    thread_local! {
        static KNOWN: std::cell::RefCell<rustc_hash::FxHashMap<String, Option<Version>>> = Default::default();
    }
    KNOWN.with(|cell| {
        if let Some(found) = cell.borrow().get(spec) {
            return found.clone();
        }
        let found = npm_range(spec).and_then(|r| r.min_version());
        let mut known = cell.borrow_mut();
        if known.len() < 4096 {
            known.insert(spec.to_string(), found.clone());
        }
        found
    })
}

/// Whether some version is in both specs (a spec that is no range is taken to fit: nothing is known against it).
pub fn overlaps(a: &str, b: &str) -> bool {
    remembered("overlaps", a, b, || match (npm_range(a), npm_range(b)) {
        (Some(a), Some(b)) => a.allows_any(&b),
        _ => true,
    })
}

/// Whether every version `spec` admits is in `needs` (both npm ranges; `true` when `spec` is no range, such as
/// `latest`, which installs the newest).
pub fn allows_all(needs: &str, spec: &str) -> bool {
    remembered("allows_all", needs, spec, || match (Range::parse(needs.trim()), npm_range(spec)) {
        (Ok(needs), Some(spec)) => needs.allows_all(&spec),
        _ => true,
    })
}

/// The answer of `test` (a name) for the specs `a` and `b`, worked out by `answer` the first time this thread asks.
/// Every file's plan asks the same few questions (does the project's Node run helmet 8, does the declared range
/// take the store's version): parsing the two ranges each time was a fortieth of a dry run where every file
/// changes. At most a few thousand answers are kept.
pub(crate) fn remembered(test: &str, a: &str, b: &str, answer: impl FnOnce() -> bool) -> bool {
    type Answers = (String, rustc_hash::FxHashMap<String, bool>);
    thread_local! {
        static ANSWERS: std::cell::RefCell<Answers> = Default::default();
    }
    use std::fmt::Write as _;
    ANSWERS.with(|cell| {
        // (An answer that asks another question works that one out afresh.)
        let Ok(mut answers) = cell.try_borrow_mut() else { return answer() };
        let (key, known) = &mut *answers;
        // (`a`'s length in the key: "x" and "yz" are not "xy" and "z".)
        key.clear();
        let _ = write!(key, "{test}\0{}\0{a}{b}", a.len());
        if let Some(&value) = known.get(key.as_str()) {
            return value;
        }
        let value = answer();
        if known.len() < 4096 {
            known.insert(key.clone(), value);
        }
        value
    })
}

/// Classifies a spec.
pub fn classify(spec: &str) -> Spec {
    let s = spec.trim();
    if s.is_empty() || s == "*" || s.eq_ignore_ascii_case("x") || s == "latest" {
        return Spec::Any;
    }
    let other = [
        ("npm:", "an npm alias"),
        ("workspace:", "a workspace reference"),
        ("file:", "a local path"),
        ("link:", "a local link"),
        ("git+", "a git URL"),
        ("git:", "a git URL"),
        ("git@", "a git URL"),
        ("http:", "a URL"),
        ("https:", "a URL"),
        ("github:", "a GitHub reference"),
        ("gitlab:", "a GitLab reference"),
        ("bitbucket:", "a Bitbucket reference"),
        ("./", "a local path"),
        ("../", "a local path"),
        ("/", "a local path"),
        ("~/", "a local path"),
    ];
    if let Some((_, what)) = other.iter().find(|(prefix, _)| s.starts_with(prefix)) {
        return Spec::Other(what);
    }
    // `user/repo` is a GitHub shorthand.
    if s.contains('/') {
        return Spec::Other("a GitHub reference");
    }
    let (op, rest) = match s.as_bytes()[0] {
        b'^' => (Some(Operator::Caret), &s[1..]),
        b'~' => (Some(Operator::Tilde), s[1..].trim_start_matches('>')),
        b'=' => (Some(Operator::Exact), &s[1..]),
        b'0'..=b'9' | b'v' => (Some(Operator::Exact), s.trim_start_matches('v')),
        _ => (None, s),
    };
    if let Some(op) = op {
        let rest = rest.trim();
        let numeric =
            !rest.is_empty() && rest.split('.').all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
        let parts = rest.split('.').count();
        if numeric && (parts == 3 || (op != Operator::Exact && parts < 3)) {
            // (`~4` is `>=4.0.0 <5.0.0`, what `^4` means: raised, it keeps taking minor updates.)
            let op = if op == Operator::Tilde && parts == 1 { Operator::Caret } else { op };
            let full = match parts {
                1 => format!("{rest}.0.0"),
                2 => format!("{rest}.0"),
                _ => rest.to_string(),
            };
            if let Ok(version) = Version::parse(&full) {
                return Spec::Simple { op, version };
            }
        }
    }
    match Range::parse(s) {
        Ok(range) => Spec::Range(range),
        Err(_) => Spec::Other("a dist-tag or a spec npm does not read as a range"),
    }
}

/// The major a spec is written for (`^4.16.0`, `4.x`, `>=4 <5`, `>=4.0.0`, `^4 || ^5` -> 4); `None` for anything that
/// is not a range. A range with no lower bound is on the highest major it admits, the one npm installs (`<4.0.0` and
/// `<=3.21.2` -> 3, not the 0.x they start at); one open at both ends is on none.
pub fn start_major(spec: &str) -> Option<u64> {
    match classify(spec) {
        Spec::Simple { version, .. } => Some(version.major),
        Spec::Range(range) => {
            let min = range.min_version()?;
            if (min.major, min.minor, min.patch) != (0, 0, 0) {
                return Some(min.major);
            }
            top_major(&range)
        }
        Spec::Any | Spec::Other(_) => None,
    }
}

/// The highest major `range` admits, when it is closed above.
fn top_major(range: &Range) -> Option<u64> {
    let from = |major: u64| Range::parse(format!(">={major}.0.0"));
    // (Open above: no major is its last. The bound is past any real package's major.)
    if from(10_000).is_ok_and(|r| range.allows_any(&r)) {
        return None;
    }
    let mut top = 0;
    while from(top + 1).is_ok_and(|r| range.allows_any(&r)) {
        top += 1;
    }
    Some(top)
}

/// The operator a raised `range` is written with, so that the new spec admits updates as far as the author's did:
/// `~` for a range that takes patch updates only (`4.13.x`, `4.13.*`, `4.13`, `>=4.13.0 <4.14.0`: it admits no
/// release of the next minor), `^` for any other (`4.x`, `1.x.x`, `4`, `>=4 <5`). The raised version is the spec's
/// lower bound either way, so the vulnerable releases below it stay out (`~4.22.3`, not `4.22.x`).
pub fn range_operator(range: &Range) -> Operator {
    let Some(min) = range.min_version() else { return Operator::Caret };
    let next_minor = Range::parse(format!(">={}.{}.0", min.major, min.minor + 1));
    if next_minor.is_ok_and(|next| !range.allows_any(&next)) {
        Operator::Tilde
    } else {
        Operator::Caret
    }
}

/// `op` applied to `version` as text (`^4.22.3`).
pub fn write(op: Operator, version: &str) -> String {
    match op {
        Operator::Caret => format!("^{version}"),
        Operator::Tilde => format!("~{version}"),
        Operator::Exact => version.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembered_answers_are_those_of_their_own_question() {
        assert!(!overlaps("^4.0.0", "^5.0.0"));
        assert!(!overlaps("^4.0.0", "^5.0.0"));
        assert!(overlaps("^4.0.0", "4.x"));
        assert!(allows_all(">=18", "^20.0.0"));
        assert!(!allows_all(">=20", ">=18"));
        assert!(!allows_all(">=20", ">=18"));
        // The same specs asked by another test, and specs that run together the same way, are other questions.
        assert!(remembered("one", "x", "yz", || true));
        assert!(!remembered("two", "x", "yz", || false));
        assert!(!remembered("one", "xy", "z", || false));
        assert!(remembered("one", "x", "yz", || false));
    }

    fn kind(spec: &str) -> String {
        match classify(spec) {
            Spec::Simple { op, version } => format!("{op:?} {version}"),
            Spec::Range(_) => "range".to_string(),
            Spec::Any => "any".to_string(),
            Spec::Other(what) => format!("other: {what}"),
        }
    }

    #[test]
    fn specs_seen_in_real_manifests() {
        let table = [
            ("^4.16.0", "Caret 4.16.0"),
            ("~4.17.1", "Tilde 4.17.1"),
            ("4.12.4", "Exact 4.12.4"),
            ("=4.12.4", "Exact 4.12.4"),
            ("v4.12.4", "Exact 4.12.4"),
            ("^4", "Caret 4.0.0"),
            ("~4.17", "Tilde 4.17.0"),
            ("4", "range"),
            ("4.x", "range"),
            ("4.17.x", "range"),
            (">=4 <5", "range"),
            (">=4.16.0", "range"),
            ("4.16 - 4.18", "range"),
            ("^4.0.0 || ^5.0.0", "range"),
            ("*", "any"),
            ("x", "any"),
            ("latest", "any"),
            ("", "any"),
            ("npm:express@^4", "other: an npm alias"),
            ("git+https://github.com/expressjs/express.git", "other: a git URL"),
            ("github:expressjs/express", "other: a GitHub reference"),
            ("expressjs/express#4.x", "other: a GitHub reference"),
            ("https://example.com/express.tgz", "other: a URL"),
            ("workspace:*", "other: a workspace reference"),
            ("file:../express", "other: a local path"),
            ("next", "other: a dist-tag or a spec npm does not read as a range"),
            ("^3.21.2", "Caret 3.21.2"),
            ("~>4.1.0", "Tilde 4.1.0"),
            ("~4", "Caret 4.0.0"),
        ];
        for (spec, expected) in table {
            assert_eq!(kind(spec), expected, "{spec:?}");
        }
    }

    #[test]
    fn a_raised_range_keeps_its_width() {
        let table = [
            ("4.13.x", Operator::Tilde),
            ("4.13.X", Operator::Tilde),
            ("4.13.*", Operator::Tilde),
            ("4.13", Operator::Tilde),
            (">=4.13.0 <4.14.0", Operator::Tilde),
            ("0.4.x", Operator::Tilde),
            ("4.x", Operator::Caret),
            ("1.x.x", Operator::Caret),
            ("4", Operator::Caret),
            ("4.*.*", Operator::Caret),
            (">=4 <5", Operator::Caret),
            (">=4.13.0", Operator::Caret),
            ("<4.0.0", Operator::Caret),
            ("^4.0.0 || ^5.0.0", Operator::Caret),
        ];
        for (spec, expected) in table {
            let Spec::Range(range) = classify(spec) else { panic!("{spec:?} is no range") };
            assert_eq!(range_operator(&range), expected, "{spec:?}");
        }
    }

    #[test]
    fn writes_keep_the_operator() {
        assert_eq!(write(Operator::Caret, "4.22.3"), "^4.22.3");
        assert_eq!(write(Operator::Tilde, "4.22.3"), "~4.22.3");
        assert_eq!(write(Operator::Exact, "4.22.3"), "4.22.3");
    }

    #[test]
    fn a_range_with_no_lower_bound_is_on_the_highest_major_it_admits() {
        let table = [
            ("^3.21.2", Some(3)),
            ("~3.4.8", Some(3)),
            ("3.x", Some(3)),
            (">=3 <4", Some(3)),
            ("<4.0.0", Some(3)),
            ("<4", Some(3)),
            ("<=3.21.2", Some(3)),
            ("<0.5.0", Some(0)),
            (">=2 <4", Some(2)),
            ("^3 || ^4", Some(3)),
            ("^4.18.0 || ^5.0.0", Some(4)),
            (">=3.0.0", Some(3)),
            (">=4.16.0", Some(4)),
            ("*", None),
            ("latest", None),
        ];
        for (spec, expected) in table {
            assert_eq!(start_major(spec), expected, "{spec:?}");
        }
    }
}
