//! What a run found and planned: the changed files, the dependency changes, the files that could not be handled.
//! The pipeline produces it; reports, writing and the command line read it.

use std::path::PathBuf;

use serde::Serialize;

use crate::edit::{self, Edit};
use crate::fsread::ReadError;
use crate::manifest::DepSection;
use crate::transform::{Finding, Severity};

/// The engine's finding for a file outside the paths a run was given that a code migration would change.
pub const OUTSIDE_PATHS: &str = "engine/outside-paths";

/// The kinds of findings the engine itself reports, outside any transform: rule, one-line description, severity.
pub const ENGINE_RULES: [(&str, &str, Severity); 7] = [
    (
        "engine/no-manifest",
        "A change needs a package, but no package.json was found above the file to add it to.",
        Severity::Warning,
    ),
    (
        "engine/too-large",
        "A source file over the size limit (--max-file-size, 1 MiB by default) was not analysed.",
        Severity::Warning,
    ),
    // (A vendored library such as jquery.min.js is the usual one: nothing to look at.)
    (
        "engine/minified",
        "A source file that looks minified was not analysed (--include-minified to include it).",
        Severity::Info,
    ),
    (
        crate::ignore::RULE,
        "A change was not made because an express-harden-ignore comment on the line above asks so.",
        Severity::Info,
    ),
    (
        OUTSIDE_PATHS,
        "A file outside the paths given needs a code migration, which the run does not make: the major version is held \
         back (run on the project's folder to migrate it).",
        Severity::Warning,
    ),
    (
        crate::published::RULE,
        "An example file of a published library needs packages the library does not declare, so it was left alone.",
        Severity::Info,
    ),
    (
        crate::ignore::UNKNOWN_RULE,
        "An express-harden-ignore comment names something that is not a transform id; it keeps nothing for that name.",
        Severity::Warning,
    ),
];

/// The severity of an engine rule of [`ENGINE_RULES`].
pub fn engine_severity(rule: &str) -> Severity {
    ENGINE_RULES.iter().find(|(r, ..)| *r == rule).map_or(Severity::Warning, |(.., severity)| *severity)
}

/// A file the run would change.
#[derive(Debug, Clone)]
pub struct FileChange {
    /// Path as discovered.
    pub path: PathBuf,
    /// Whether it is a package.json.
    pub is_manifest: bool,
    /// The full text on disk (BOM included); empty once let go ([`FileChange::drop_texts`]).
    original: String,
    /// Whether the texts were let go: only the diff is left ([`FileChange::drop_texts`]).
    dropped: bool,
    /// The full new text, when its edits do not make it of `original` ([`FileChange::updated`] gives it either way):
    /// held from a file's planning to the run's end, for every changed file, it was a third of a large run's peak.
    updated: Option<String>,
    /// Ids of the transforms that changed it.
    pub transforms: Vec<&'static str>,
    /// The edits, as offsets into the text after the BOM, each attributed to its transform.
    pub edits: Vec<Edit>,
    /// The unified diff, computed with the rest of the file's work (in parallel) so that printing it costs nothing.
    pub diff: Option<String>,
    /// Whether the file is new: the run creates it (a module the changed files import), and nothing is at its path.
    pub created: bool,
}

impl FileChange {
    /// A change of `original` (the whole text on disk, byte order mark included) to `updated`, made by `edits` (offsets
    /// into the text after the byte order mark).
    pub fn new(
        path: PathBuf,
        is_manifest: bool,
        original: String,
        updated: String,
        transforms: Vec<&'static str>,
        edits: Vec<Edit>,
    ) -> FileChange {
        FileChange {
            path,
            is_manifest,
            original,
            dropped: false,
            updated: Some(updated),
            transforms,
            edits,
            diff: None,
            created: false,
        }
    }

    /// A new file at `path` (nothing is there) holding `text`, made by `transform` ([`FileChange::created`]): one
    /// edit, the whole text inserted into an empty one.
    pub fn create(path: PathBuf, text: String, transform: &'static str) -> FileChange {
        let edits = vec![Edit::insert(0, text.clone()).by(transform)];
        let mut change = FileChange::new(path, false, String::new(), text, vec![transform], edits);
        change.created = true;
        change.compact();
        change
    }

    /// The full text on disk (BOM included). Empty once the texts are let go ([`FileChange::drop_texts`]), which a run
    /// does only where nothing asks for them.
    pub fn original(&self) -> &str {
        debug_assert!(!self.dropped, "the original of {} was let go", self.path.display());
        &self.original
    }

    /// Lets go of the texts of a change whose diff is made, the original and the new: all a run that shows diffs and
    /// writes nothing (a dry run or `--check`, in text, JSON or Markdown) prints of it is its diff
    /// ([`crate::transform::Options::drop_texts`]). In a large project the changed files' texts were held from each
    /// one's planning until the output: at 100,000 files (23,500 changed) the resident set after the planning was
    /// 420 MB with them, 375 MB without.
    pub fn drop_texts(&mut self) {
        if self.diff.is_some() && !self.is_manifest {
            self.original = String::new();
            self.updated = None;
            self.dropped = true;
        }
    }

    /// Whether the texts were let go ([`FileChange::drop_texts`]).
    pub fn texts_dropped(&self) -> bool {
        self.dropped
    }

    /// Lets go of the new text when the edits make it of `original` (as they do but where a change was made some other
    /// way): [`FileChange::updated`] makes it again when asked.
    pub fn compact(&mut self) {
        if let Some(updated) = self.updated.take() {
            let made = *self.edited() == *updated;
            if !made {
                self.updated = Some(updated);
            }
        }
    }

    /// The full new text (empty once the texts are let go, [`FileChange::drop_texts`]).
    pub fn updated(&self) -> std::borrow::Cow<'_, str> {
        debug_assert!(!self.dropped, "the texts of {} were let go", self.path.display());
        match &self.updated {
            Some(updated) => std::borrow::Cow::Borrowed(updated),
            None => self.edited(),
        }
    }

    /// `original` with the edits made (the byte order mark kept), or `original` when they do not apply.
    fn edited(&self) -> std::borrow::Cow<'_, str> {
        if self.edits.is_empty() {
            return std::borrow::Cow::Borrowed(&self.original);
        }
        let code = crate::source::without_bom(&self.original);
        let bom = &self.original[..self.original.len() - code.len()];
        match edit::apply(code, &self.edits) {
            Ok(edited) if bom.is_empty() => std::borrow::Cow::Owned(edited),
            Ok(edited) => std::borrow::Cow::Owned(format!("{bom}{edited}")),
            Err(_) => std::borrow::Cow::Borrowed(&self.original),
        }
    }

    /// The edits in the order they apply (by position; insertions at one point keep their planned order).
    pub fn edits_in_order(&self) -> Vec<Edit> {
        let mut edits = self.edits.clone();
        edit::sort_edits(&mut edits);
        edits
    }

    /// The transforms that changed the file, in the order of their first edit (a transform whose edits were all
    /// merged into another's comes last).
    pub fn transforms_in_edit_order(&self) -> Vec<&'static str> {
        let edits = self.edits_in_order();
        let mut ids = self.transforms.clone();
        ids.sort_by_key(|id| edits.iter().position(|e| e.transform == *id).unwrap_or(usize::MAX));
        ids
    }
}

/// A file that could not be handled, and why. The file is left alone; the others proceed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileError {
    /// The file.
    pub path: PathBuf,
    /// What kind of failure it is (the output shows the message; the tool decides by the kind).
    #[serde(skip)]
    pub kind: ErrorKind,
    /// The reason, phrased for a user.
    pub message: String,
}

impl FileError {
    /// An error of `kind` about `path`.
    pub fn new(path: impl Into<PathBuf>, kind: ErrorKind, message: impl Into<String>) -> FileError {
        FileError { path: path.into(), kind, message: message.into() }
    }

    /// The error for a file [`crate::fsread`] did not read.
    pub fn unread(path: impl Into<PathBuf>, err: &ReadError) -> FileError {
        let kind = match err {
            ReadError::OutsideRoot { .. } => ErrorKind::OutsideRoot,
            ReadError::NotUtf8(_) => ErrorKind::NotUtf8,
            _ => ErrorKind::Unreadable,
        };
        let message = if err.is_refusal() { format!("{err}; left alone") } else { err.to_string() };
        FileError::new(path, kind, message)
    }
}

/// The kinds of failure a run can meet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// A path given on the command line or met by the walk could not be listed or read.
    Unreadable,
    /// A source file is not UTF-8 text.
    NotUtf8,
    /// A file's name (or a folder's on its path) is not UTF-8.
    BadName,
    /// A path resolves outside the project root (through `..`, an absolute path or a symbolic link).
    OutsideRoot,
    /// A source file nests too deeply to be parsed and walked on the stack the tool has.
    TooDeep,
    /// A source file does not parse.
    Syntax,
    /// A package.json is not valid JSON or not an object.
    BadManifest,
    /// Two transforms want to change the same code.
    Conflict,
    /// The planned result would not parse, or Node would refuse it (an early error the original does not have): a
    /// bug of the tool.
    Unverified,
    /// `--write` refused: the file has uncommitted changes in git.
    Dirty,
    /// `--write` refused: the file cannot be written safely (a symbolic link out of the project, hard links,
    /// read-only, another user's).
    Unsafe,
    /// The file changed on disk between planning and writing.
    ChangedOnDisk,
    /// Writing a file failed.
    WriteFailed,
    /// A lockfile could not be brought up to date.
    Lockfile,
    /// The file is of a kind the tool does not edit (lone-CR line endings).
    Unsupported,
    /// The tool (or its parser) failed on the file: a bug.
    Internal,
}

/// One dependency added or changed in a manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DependencyChange {
    /// The package.json.
    pub manifest: PathBuf,
    /// The section (`dependencies`, ...).
    pub section: DepSection,
    /// Package name.
    pub package: String,
    /// The spec before (`null` when added).
    pub from: Option<String>,
    /// The spec after.
    pub to: String,
    /// The transform that needed it.
    pub transform: &'static str,
}

/// Everything a run found and planned.
#[derive(Debug, Default, Clone)]
pub struct RunResult {
    /// Changed files (sources first, then manifests), sorted by path.
    pub changes: Vec<FileChange>,
    /// Findings, sorted by path and line.
    pub findings: Vec<Finding>,
    /// Files that could not be handled.
    pub errors: Vec<FileError>,
    /// Manifest changes.
    pub dependencies: Vec<DependencyChange>,
    /// Source files seen by the walk.
    pub files_scanned: usize,
    /// Source files parsed and analysed.
    pub files_parsed: usize,
    /// Source files the prefilter left alone: they name nothing a selected transform looks for (nor does a module
    /// that matters import them), so they were not even decoded.
    pub files_skipped: usize,
    /// Source files that do not parse (each has its error).
    pub files_unparsable: usize,
    /// Source files left alone on purpose, too large or minified (each has its `engine/` finding).
    pub files_set_aside: usize,
    /// Source files the walk left alone as test code or fixtures ([`crate::discover::is_test_code`]); 0 with
    /// [`crate::transform::Options::include_tests`].
    pub tests_skipped: usize,
    /// Source files of the project read for context only: the run was given narrower paths (a file, a folder), and
    /// changes only those ([`crate::discover::with_context`]).
    pub context_files: usize,
    /// Manifests whose requested code migration (`--express 5`, or Express 3 -> 4 with the express4 transform) did
    /// not happen: the major version is held back because code was left unmigrated (see their `major-change`
    /// finding).
    pub held_back: Vec<PathBuf>,
    /// Things the user must do after applying the changes.
    pub next_steps: Vec<String>,
    /// The transforms' own next steps (part of `next_steps`), kept to recompute it for what was written.
    pub transform_steps: Vec<String>,
    /// Lockfiles brought up to date by `--lockfile`.
    pub updated_lockfiles: Vec<PathBuf>,
    /// The project root the run was confined to ([`crate::transform::Options::root`]; canonical): nothing outside
    /// it was read, and the writer writes nothing outside it. `None`: the run had
    /// no bound (a library caller that passes its own paths).
    pub root: Option<PathBuf>,
    /// Known advisories affecting installed packages, one per (advisory, lockfile, package version), in lockfile,
    /// package and id order.
    pub advisories: Vec<crate::advisories::AdvisoryReport>,
}
