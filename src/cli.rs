//! The command line: flags, transform selection, output and exit codes.
//!
//! Exit codes: 0 nothing to do or success; 1 changes are due (`--check` only); 2 an error (a file that could not
//! be handled, files with uncommitted changes under `--write`, bad usage); 3 a requested migration is held back
//! (code it could not rewrite, the project's Node, or an Express 2 manifest keeps Express on its major).

use std::fmt::Write as _;
use std::io::{IsTerminal, Write as _};
use std::path::{Path, PathBuf};

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};

use crate::discover::display_path;
use crate::outcome::{ErrorKind, FileError, RunResult};
use crate::pipeline;
use crate::report::{self, Mode};
use crate::settings::{SettingsGroup, SettingsInput};
use crate::transform::{Options, Transform};
use crate::transforms::registry;
use crate::write;

/// Exit code: nothing to do, or everything done.
pub const EXIT_OK: i32 = 0;
/// Exit code: `--check` found changes to make.
pub const EXIT_CHANGES: i32 = 1;
/// Exit code: something could not be handled, or bad usage.
pub const EXIT_ERROR: i32 = 2;
/// Exit code: a migration that was asked for (`--express 5`, or the 3 -> 4 move a run makes by default) is held back
/// in some project: the version stays, and the `major-change` (or `node`) finding says what blocks it.
pub const EXIT_HELD_BACK: i32 = 3;

/// Fixes the security posture of Express apps in their code: helmet, session stores, cookie flags, Express
/// upgrades. Shows a diff (dry run) unless --write is given.
#[derive(Debug, Parser)]
#[command(name = "express-harden", version, args_conflicts_with_subcommands = true)]
#[command(after_help = "Exit codes: 0 nothing to do or success; 1 changes due (--check); 2 errors or bad usage; 3 a \
                  requested migration held back (--express).")]
pub struct Cli {
    /// Files or folders to fix (folders are walked, honouring .gitignore and skipping node_modules that git does not
    /// track, and test code unless --include-tests). Default: the configuration's paths.include, else the current
    /// folder.
    pub paths: Vec<PathBuf>,

    /// Apply the changes (atomically) and print what was written.
    #[arg(long, conflicts_with = "check")]
    pub write: bool,

    /// Write nothing; exit 1 when anything would change (a CI gate). The advisories transform's changes for
    /// advisories below --fail-on are shown but do not fail it. Exit 2 when a lockfile cannot be read or does not
    /// match package.json, or a project has no lockfile and the ranges it declares admit an affected version.
    #[arg(long)]
    pub check: bool,

    /// Show the diff and write nothing: the default, accepted so that a script can say so.
    #[arg(long, conflicts_with_all = ["write", "check", "interactive"])]
    pub dry_run: bool,

    /// Show each change (a transform's part of a file, a version bump) and ask: yes, no, all remaining, quit. Then
    /// write what was accepted, with only the packages that code needs. Needs a terminal.
    #[arg(short, long, conflicts_with_all = ["write", "check"])]
    pub interactive: bool,

    /// With --write or --interactive: afterwards, update each changed manifest's lockfile with its package manager
    /// (lockfile only, scripts off). It also lets the advisories ask the registry for the releases of the parents to
    /// raise: without --write, a preview of that plan that writes nothing and runs no package manager.
    #[arg(long)]
    pub lockfile: bool,

    /// With --lockfile: pass this environment variable (repeatable) to the package manager, which otherwise sees none
    /// that looks like a credential (NPM_TOKEN, NODE_AUTH_TOKEN, ...). A command-line flag only, on purpose: the
    /// configuration file belongs to the repository, which must not be able to ask for your secrets.
    #[arg(long, value_name = "NAME", requires = "lockfile")]
    pub lockfile_env: Vec<std::ffi::OsString>,

    /// With --write or --interactive, also change files that have uncommitted changes in git.
    #[arg(long)]
    pub allow_dirty: bool,

    /// With --write or --interactive, also write outside a git repository, where the changes cannot be reviewed with
    /// `git diff` nor undone with `git checkout`.
    #[arg(long)]
    pub allow_no_vcs: bool,

    /// Run only these transforms (comma-separated ids; see `express-harden list`).
    #[arg(long, value_delimiter = ',', value_name = "ID,...")]
    pub only: Vec<String>,

    /// Skip these transforms (comma-separated ids).
    #[arg(long, value_delimiter = ',', value_name = "ID,...")]
    pub skip: Vec<String>,

    /// Also fix test code and fixtures: files under test/, tests/, __tests__/, spec/, fixtures/, __fixtures__/,
    /// __mocks__/ and files named *.test.* or *.spec.*. Without it they are left alone (the summary counts them),
    /// unless named as PATHS.
    #[arg(long)]
    pub include_tests: bool,

    /// Source files bigger than this are not analysed (each is named in a finding, engine/too-large): bytes, or a
    /// number with K, M or G (1024-based). Default: the configuration's maxFileSize, else 1M.
    #[arg(long, value_name = "SIZE", value_parser = crate::transform::FileSizeLimit::parse)]
    pub max_file_size: Option<crate::transform::FileSizeLimit>,

    /// Also analyse files that look minified (named *.min.js, or lines over 110 bytes on average with one over 500).
    /// Without it each is named in a finding (engine/minified) and left alone.
    #[arg(long)]
    pub include_minified: bool,

    /// Also write the whole change as one unified diff (a/ and b/ prefixes) to this file, for `git apply`.
    #[arg(long, value_name = "PATH")]
    pub diff_file: Option<PathBuf>,

    /// With --write or --interactive: also write the paths of the files written and of the lockfiles updated to this
    /// file (relative to the current folder, each followed by a NUL byte): what a bot should commit, and nothing else.
    #[arg(long, value_name = "PATH")]
    pub written_list: Option<PathBuf>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,

    /// Colour the diff and summary.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// List the transforms with their ids, titles, rationales and documentation links.
    List,
    /// Print shell completions (bash, zsh, fish, elvish, powershell) generated from the command line's definition.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff), generated from the command line's definition.
    Man,
}

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Unified diffs and a summary.
    Text,
    /// One JSON document (schema: docs/output-schema.json).
    Json,
    /// A pull-request body: changes, dependencies, follow-ups, open findings, the diff.
    Markdown,
    /// A SARIF 2.1.0 log for code scanning: a rule per transform and kind of finding, the changes as fixes.
    Sarif,
}

/// When to colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// On a terminal, unless NO_COLOR is set.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

impl ColorChoice {
    /// Whether to colour a stream that is (or is not) a terminal.
    pub fn enabled(self, is_terminal: bool) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => is_terminal && std::env::var_os("NO_COLOR").is_none(),
        }
    }
}

/// The command line: the engine's flags ([`Cli`]) and the flags of every registered transform's settings.
pub fn command() -> clap::Command {
    let all = registry();
    let ids: Vec<&'static str> = all.iter().map(|t| t.info().id).collect();
    groups_of(&all)
        .iter()
        .fold(Cli::command(), |command, group| (group.augment)(command))
        .mut_arg("only", |arg| arg.value_parser(TransformIds(ids.clone())))
        .mut_arg("skip", |arg| arg.value_parser(TransformIds(ids)))
}

/// The values of `--only` and `--skip`: any text (an unknown id is refused by [`select`], which lists the valid
/// ones, for the configuration file's lists too), with the transform ids as the possible values that shell
/// completions offer.
#[derive(Clone)]
struct TransformIds(Vec<&'static str>);

impl clap::builder::TypedValueParser for TransformIds {
    type Value = String;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<String, clap::Error> {
        clap::builder::StringValueParser::new().parse_ref(cmd, arg, value)
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = clap::builder::PossibleValue> + '_>> {
        Some(Box::new(self.0.iter().map(|id| clap::builder::PossibleValue::new(*id))))
    }
}

/// The settings groups of `transforms`, each once, in the order the transforms list them.
fn groups_of(transforms: &[Box<dyn Transform>]) -> Vec<&'static SettingsGroup> {
    let mut groups: Vec<&'static SettingsGroup> = Vec::new();
    for group in transforms.iter().flat_map(|t| t.settings()) {
        if !groups.iter().any(|g| g.key == group.key) {
            groups.push(group);
        }
    }
    groups
}

/// What the configuration file may name, given the transforms (the whole registry).
pub fn known(transforms: &[Box<dyn Transform>]) -> crate::config::Known {
    crate::config::Known { ids: transforms.iter().map(|t| t.info().id).collect(), groups: groups_of(transforms) }
}

/// Picks the transforms `--only` and `--skip` ask for, with default settings; an unknown id is an error listing the
/// valid ones.
pub fn select_transforms(only: &[String], skip: &[String]) -> Result<Vec<Box<dyn Transform>>, String> {
    select(registry(), only, skip)
}

/// Keeps the transforms of `all` that `--only` and `--skip` ask for.
fn select(all: Vec<Box<dyn Transform>>, only: &[String], skip: &[String]) -> Result<Vec<Box<dyn Transform>>, String> {
    let valid: Vec<&str> = all.iter().map(|t| t.info().id).collect();
    for (flag, ids) in [("--only", only), ("--skip", skip)] {
        for id in ids {
            if !valid.contains(&id.as_str()) {
                return Err(format!("unknown transform `{id}` in {flag}; valid ids: {}", valid.join(", ")));
            }
        }
    }
    // A selected transform's companions come along (a migration and the version bump its code needs), unless
    // skipped by name.
    let mut wanted: Vec<&str> = only.iter().map(String::as_str).collect();
    for t in all.iter().filter(|t| only.iter().any(|id| id == t.info().id)) {
        wanted.extend(t.companions());
    }
    Ok(all
        .into_iter()
        .filter(|t| only.is_empty() || wanted.contains(&t.info().id))
        .filter(|t| !skip.iter().any(|id| id == t.info().id))
        .collect())
}

/// Parses the process's command line (exiting with clap's message on bad usage) and runs it.
pub fn main() -> i32 {
    crate::tune_allocator();
    let matches = command().get_matches();
    match Cli::from_arg_matches(&matches) {
        Ok(cli) => main_with(cli, &matches),
        Err(err) => err.exit(),
    }
}

/// Runs the command line and returns the exit code, for a process that exits with it (the run's result is not freed).
pub fn main_with(cli: Cli, matches: &clap::ArgMatches) -> i32 {
    match cli.command {
        Some(Command::List) => return print_stdout(list().as_bytes()),
        Some(Command::Completions { shell }) => {
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut command(), "express-harden", &mut script);
            return print_stdout(&script);
        }
        Some(Command::Man) => {
            let mut page = Vec::new();
            return match clap_mangen::Man::new(command()).render(&mut page) {
                Ok(()) => print_stdout(&page),
                Err(err) => {
                    eprintln!("error: could not print the man page: {err}");
                    EXIT_ERROR
                }
            };
        }
        None => {}
    }
    if let Err(message) = check_usage(&cli) {
        eprintln!("error: {message}");
        return EXIT_ERROR;
    }
    // Resolve -> run -> apply -> emit.
    let mut resolved = match resolve(&cli, Some(matches), Path::new(".")) {
        Ok(resolved) => resolved,
        Err(message) => {
            eprintln!("error: {message}");
            return EXIT_ERROR;
        }
    };
    // The tool reads and writes nothing outside the project root of the folder it runs in.
    resolved.options.root = Some(resolved.root.clone());
    if let Err(message) = check_vcs(&cli, &resolved.root) {
        eprintln!("error: {message}");
        return EXIT_ERROR;
    }
    let output = Output::of(&cli);
    resolved.options.drop_texts = drops_texts(output.mode, cli.format);
    resolved.options.new_modules = !cli.interactive && cli.format != Format::Sarif;
    let Some(mut result) = run(&cli, &resolved, &output) else { return EXIT_ERROR };
    if output.mode == Mode::Check {
        unseen_lockfiles_fail(&mut result);
    }
    let applied = apply(&cli, &resolved, &mut result);
    emit(&cli, &resolved, &output, &mut result, &applied);
    let code = if !result.errors.is_empty() {
        EXIT_ERROR
    } else if !result.held_back.is_empty() {
        EXIT_HELD_BACK
    } else if output.mode == Mode::Check && check_fails(&result) {
        EXIT_CHANGES
    } else {
        EXIT_OK
    };
    // The process exits with the code: the result's memory (every changed file's text twice, its diff) is the
    // system's to take back at once, not freed block by block first (at 100,000 files, tens of milliseconds of one
    // core after the output is written).
    std::mem::forget(result);
    code
}

/// Whether `--check` fails: a change is due, or an advisory at or above `--fail-on` affects an installed package. The
/// advisories transform's own changes fix advisories: below the threshold they are shown (and `--write` writes them)
/// but do not fail the gate, whichever their fix (a raise changes package.json, a lockfile refresh nothing); with
/// one at or above it, the gate fails anyway.
fn check_fails(result: &RunResult) -> bool {
    // The transforms that report advisories: their rules' prefix (`advisories/fix-planned`).
    let advising: Vec<&str> = result.advisories.iter().filter_map(|a| a.rule.split('/').next()).collect();
    result.advisories.iter().any(|a| a.gate)
        || result.changes.iter().any(|c| c.transforms.is_empty() || c.transforms.iter().any(|t| !advising.contains(t)))
}

/// `--check` does not pass when a lockfile could not be read: its packages were not checked against the advisories
/// (a truncated package-lock.json, a pnpm lockfile of a version the tool does not read). Each is an error.
fn unseen_lockfiles_fail(result: &mut RunResult) {
    let unseen = result.findings.iter().filter_map(|f| match f.rule.as_str() {
        "advisories/unreadable-lockfile" => Some(("the lockfile could not be read", f)),
        "advisories/lockfile-out-of-sync" => Some(("the lockfile is not what will be installed", f)),
        "advisories/no-lockfile" if f.severity == crate::transform::Severity::Error => {
            Some(("there is no lockfile, and the versions package.json admits include affected ones", f))
        }
        _ => None,
    });
    let errors: Vec<FileError> = unseen
        .map(|(why, f)| {
            let message = format!("--check cannot pass: {why}: {}", f.message);
            FileError::new(&f.path, ErrorKind::Lockfile, message)
        })
        .collect();
    result.errors.extend(errors);
}

/// Combinations of flags that make no sense, refused before anything runs.
fn check_usage(cli: &Cli) -> Result<(), String> {
    // (`--lockfile` alone previews what `--write --lockfile` plans: the registry is asked, nothing is written.)
    for (given, flag) in [
        (cli.allow_dirty, "--allow-dirty"),
        (cli.allow_no_vcs, "--allow-no-vcs"),
        (cli.written_list.is_some(), "--written-list"),
    ] {
        if given && !cli.write && !cli.interactive {
            return Err(format!("{flag} needs --write or --interactive (it applies to writing)"));
        }
    }
    if cli.interactive && cli.format != Format::Text {
        return Err("--interactive shows diffs and asks on a terminal: it works with --format text only".to_string());
    }
    if cli.interactive && !std::io::stdin().is_terminal() {
        return Err("--interactive asks on a terminal, and standard input is not one; nothing was written (use \
                    --write to apply every change, or --only/--skip to choose transforms)"
            .to_string());
    }
    Ok(())
}

/// Like `cargo fix`, `--write` and `--interactive` refuse to change files outside a git work tree (`root`, the
/// project root, holds no `.git`), where the change could be neither reviewed nor undone, unless `--allow-no-vcs`.
fn check_vcs(cli: &Cli, root: &Path) -> Result<(), String> {
    if !(cli.write || cli.interactive) || cli.allow_no_vcs || root.join(".git").symlink_metadata().is_ok() {
        return Ok(());
    }
    Err(format!(
        "nothing was written: {} is not in a git repository, so the changes could not be reviewed (git diff) nor \
         undone (git checkout). Run express-harden in a git work tree with the files committed, or pass \
         --allow-no-vcs to write anyway",
        root.display()
    ))
}

/// How the run is shown.
struct Output {
    mode: Mode,
    /// Colour the diff (stdout).
    color: bool,
    /// Colour the summary (stderr).
    color_summary: bool,
    /// Show a progress bar on stderr while the run is planned (when it lasts): in the text format, on a terminal.
    progress: bool,
}

impl Output {
    fn of(cli: &Cli) -> Output {
        let mode = if cli.write || cli.interactive {
            Mode::Write
        } else if cli.check {
            Mode::Check
        } else {
            Mode::DryRun
        };
        Output {
            mode,
            color: cli.color.enabled(std::io::stdout().is_terminal()),
            color_summary: cli.color.enabled(std::io::stderr().is_terminal()),
            progress: cli.format == Format::Text && std::io::stderr().is_terminal(),
        }
    }
}

/// Plans the run; with `--interactive`, asks about each part and plans again with what was accepted. `None` when
/// the run stopped (a refusal or a review that failed; the reason is printed).
fn run(cli: &Cli, resolved: &Resolved, output: &Output) -> Option<RunResult> {
    let Resolved { paths, transforms, options, .. } = resolved;
    let mut result = if output.progress {
        let progress = std::sync::Arc::new(crate::progress::Progress::default());
        let bar = crate::progress::Bar::start(std::sync::Arc::clone(&progress));
        let result = pipeline::run_with(paths, transforms, &Options { progress: Some(progress), ..options.clone() });
        bar.finish();
        result
    } else {
        pipeline::run_with(paths, transforms, options)
    };
    if !cli.interactive || result.changes.is_empty() {
        return Some(result);
    }
    // Refuse before asking anything, rather than after the review.
    if write::refuse(&mut result, cli.allow_dirty) {
        print_dirty(&result);
        eprint!("{}", report::summary(&pipeline::only_written(&result, &[]), output.mode, output.color_summary));
        return None;
    }
    let stdin = std::io::stdin();
    let review = crate::interactive::review(
        paths,
        transforms,
        options,
        &result,
        output.color,
        &mut stdin.lock(),
        &mut std::io::stdout(),
    );
    match review {
        Ok(review) => {
            let _ = writeln!(
                std::io::stdout(),
                "{} accepted, {} declined{}",
                review.accepted,
                review.declined,
                if review.quit { " (quit: the rest left out)" } else { "" }
            );
            Some(pipeline::run_selected(paths, transforms, options, &review.selection))
        }
        Err(err) => {
            eprintln!("error: the review stopped ({err}); nothing was written");
            None
        }
    }
}

/// What applying the run did.
#[derive(Default)]
struct Applied {
    /// The files written.
    written: Vec<PathBuf>,
    /// Notes about the write (links written through, stale temporary files removed), shown on stderr.
    notes: Vec<String>,
    /// One line per lockfile brought up to date.
    lockfile_lines: Vec<String>,
}

/// Writes the changes (with `--write` or after a review), updates the lockfiles (`--lockfile`) and writes the
/// patch file (`--diff-file`); failures become errors of the result.
fn apply(cli: &Cli, resolved: &Resolved, result: &mut RunResult) -> Applied {
    let mut applied = Applied::default();
    if (cli.write || cli.interactive) && !result.changes.is_empty() {
        let written = write::write_changes(result, cli.allow_dirty);
        applied.written = written.paths;
        applied.notes = written.notes;
        if cli.lockfile {
            applied.lockfile_lines = crate::relock::update_written(result, &mut applied.written, &cli.lockfile_env);
            if cli.write {
                recheck_rewritten_lockfiles(cli, resolved, result, &mut applied);
            }
        }
    }
    // Advisories fixed inside their parents' ranges: the lockfile moves them (with or without a manifest change),
    // unless the write was refused or failed, or an error is about that lockfile's project (see `refresh_advised`).
    let write_failed = result.errors.iter().any(|e| {
        matches!(
            e.kind,
            ErrorKind::Dirty
                | ErrorKind::Unsafe
                | ErrorKind::ChangedOnDisk
                | ErrorKind::WriteFailed
                | ErrorKind::Internal
        )
    });
    if cli.write && cli.lockfile && !write_failed {
        let refreshed = crate::relock::refresh_advised(result, &cli.lockfile_env);
        if !refreshed.is_empty() {
            // (The refreshes done are no longer steps to take.)
            result.next_steps = pipeline::next_steps(result);
        }
        applied.lockfile_lines.extend(refreshed);
    }
    if let Some(path) = &cli.written_list {
        let list: String =
            applied.written.iter().chain(&result.updated_lockfiles).map(|p| format!("{}\0", display_path(p))).collect();
        if let Err(err) = std::fs::write(path, list) {
            result.errors.push(FileError::new(path, ErrorKind::WriteFailed, format!("could not be written: {err}")));
        }
    }
    if let Some(path) = &cli.diff_file {
        let patch: String = result.changes.iter().map(report::unified_diff).collect();
        if let Err(err) = std::fs::write(path, patch) {
            result.errors.push(FileError::new(path, ErrorKind::WriteFailed, format!("could not be written: {err}")));
        }
    }
    applied
}

/// A lockfile the run could not read (an npm 2 or 3 npm-shrinkwrap.json, with no lockfileVersion) that npm has just
/// rewritten is read now: the run is planned again, and what the advisories find in it (a raise in package.json) is
/// written and its lockfile updated in this run, not left for the next run to find.
fn recheck_rewritten_lockfiles(cli: &Cli, resolved: &Resolved, result: &mut RunResult, applied: &mut Applied) {
    let manifests = crate::relock::unread_then_updated(result);
    if manifests.is_empty() || !result.errors.is_empty() {
        return;
    }
    let Resolved { paths, transforms, options, .. } = resolved;
    let mut recheck = pipeline::run_with(paths, transforms, options);
    // Only the advisories' changes of those manifests: any other is the next run's.
    let advising: Vec<&str> =
        result.findings.iter().filter(|f| f.rule == "advisories/unreadable-lockfile").map(|f| f.transform).collect();
    recheck.changes.retain(|c| {
        manifests.contains(&c.path)
            && c.transforms.iter().all(|t| advising.contains(t))
            && result
                .changes
                .iter()
                .find(|first| first.path == c.path)
                .is_none_or(|first| *first.updated() == *c.original())
    });
    recheck.dependencies.retain(|d| recheck.changes.iter().any(|c| c.path == d.manifest));
    if recheck.changes.is_empty() {
        crate::relock::merge_recheck(result, recheck, &manifests, &[]);
        return;
    }
    // (The manifests were written by this run a moment ago: their changes in git are the run's own.)
    let allow_dirty = cli.allow_dirty || recheck.changes.iter().all(|c| applied.written.contains(&c.path));
    let mut written = write::write_changes(&mut recheck, allow_dirty).paths;
    applied.lockfile_lines.extend(crate::relock::update_written(&mut recheck, &mut written, &cli.lockfile_env));
    for path in &written {
        if !applied.written.contains(path) {
            applied.written.push(path.clone());
        }
    }
    crate::relock::merge_recheck(result, recheck, &manifests, &written);
}

/// Prints the run in the chosen format.
fn emit(cli: &Cli, resolved: &Resolved, output: &Output, result: &mut RunResult, applied: &Applied) {
    let Output { mode, color, color_summary, .. } = *output;
    let written = &applied.written;
    for note in &applied.notes {
        eprintln!("note: {note}");
    }
    let mut stdout = std::io::stdout().lock();
    match cli.format {
        Format::Json => {
            let doc = report::json(result, mode, &|c| written.contains(&c.path));
            let _ = stdout.write_all(doc.as_bytes());
        }
        Format::Sarif => {
            let doc = crate::sarif::log(result, &resolved.transforms, mode, &|c| written.contains(&c.path));
            let _ = stdout.write_all(doc.as_bytes());
        }
        Format::Markdown => {
            let shown = shown_result(result, mode, written);
            let _ = stdout.write_all(crate::markdown::body(&shown, &resolved.transforms).as_bytes());
        }
        Format::Text => {
            for change in &result.changes {
                match mode {
                    Mode::DryRun => {
                        let diff = report::unified_diff(change);
                        let diff = if color { report::colorize(&diff) } else { diff };
                        // The reader has gone (`| head`): the other diffs would go nowhere; the summary still goes.
                        if stdout.write_all(diff.as_bytes()).is_err_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
                        {
                            break;
                        }
                    }
                    Mode::Check => {
                        let _ = writeln!(
                            stdout,
                            "would {} {} ({})",
                            if change.created { "create" } else { "change" },
                            display_path(&change.path),
                            change.transforms.join(", ")
                        );
                    }
                    Mode::Write if written.contains(&change.path) => {
                        let (added, removed) = report::line_counts(change);
                        let _ = writeln!(
                            stdout,
                            "{} {} ({}; +{added} -{removed})",
                            if change.created { "created" } else { "wrote" },
                            display_path(&change.path),
                            change.transforms.join(", ")
                        );
                    }
                    Mode::Write => {}
                }
            }
            for line in &applied.lockfile_lines {
                let _ = writeln!(stdout, "{line}");
            }
            let _ = stdout.flush();
            print_dirty(result);
            let shown = shown_result(result, mode, written);
            eprint!("{}", report::summary(&shown, mode, color_summary));
        }
    }
}

/// The result a report shows: what was written, after `--write`; otherwise the result itself (borrowed: a copy
/// would hold every change's texts twice at the end of the run).
fn shown_result<'r>(result: &'r RunResult, mode: Mode, written: &[PathBuf]) -> std::borrow::Cow<'r, RunResult> {
    if mode == Mode::Write {
        std::borrow::Cow::Owned(pipeline::only_written(result, written))
    } else {
        std::borrow::Cow::Borrowed(result)
    }
}

/// What a command line asks for, resolved against the configuration file: the paths, the transforms (configured)
/// and the engine's options.
pub struct Resolved {
    /// What to fix.
    pub paths: Vec<PathBuf>,
    /// The transforms to run, in registry order.
    pub transforms: Vec<Box<dyn Transform>>,
    /// The engine's options. Their `root` is left unset: [`main_with`] confines the run to [`Resolved::root`];
    /// other callers of [`resolve_args`] (the fixture tests, whose cases are copied to temporary folders) choose.
    pub options: Options,
    /// The project root of the folder resolved against ([`crate::root::project_root`]).
    pub root: PathBuf,
}

/// Parses a command line (without the program name) as the tool does, with the configuration of the current
/// folder, and resolves it. The fixture tests run each suite through this.
pub fn resolve_args<I, S>(args: I) -> Result<Resolved, String>
where
    I: IntoIterator<Item = S>,
    S: Into<std::ffi::OsString> + Clone,
{
    let program = std::iter::once(std::ffi::OsString::from("express-harden"));
    let matches =
        command().try_get_matches_from(program.chain(args.into_iter().map(Into::into))).map_err(|e| e.to_string())?;
    let cli = Cli::from_arg_matches(&matches).map_err(|e| e.to_string())?;
    resolve(&cli, Some(&matches), Path::new("."))
}

/// Resolves the command line against the configuration file of `dir` (a flag given on the command line wins): the
/// paths, and the selected transforms, each configured from its settings.
pub fn resolve(cli: &Cli, matches: Option<&clap::ArgMatches>, dir: &Path) -> Result<Resolved, String> {
    let mut all = registry();
    let known = known(&all);
    let root = crate::root::project_root(dir);
    let config = crate::config::load(dir, &known, Some(&root))?.map(|(config, _)| config).unwrap_or_default();
    let only = if cli.only.is_empty() { config.transforms.only.clone() } else { cli.only.clone() };
    let skip = if cli.skip.is_empty() { config.transforms.skip.clone() } else { cli.skip.clone() };
    let paths: Vec<PathBuf> = match (&cli.paths[..], &config.paths.include[..]) {
        ([], []) => vec![PathBuf::from(".")],
        ([], include) => include.to_vec(),
        (given, _) => given.to_vec(),
    };
    // Every transform reads its settings, run or not: a bad flag is an error whatever `--only` says.
    let input = SettingsInput { matches, config: Some(&config.settings) };
    for transform in &mut all {
        transform.configure(&input)?;
    }
    let mut transforms = select(all, &only, &skip)?;
    for transform in &mut transforms {
        transform.prepare()?;
    }
    let include_tests = cli.include_tests || config.include_tests.unwrap_or(false);
    let options = Options {
        selected: Vec::new(),
        exclude: config.paths.exclude.clone(),
        root: None,
        include_tests,
        held_back: false,
        held_back_outside_paths: false,
        progress: None,
        max_file_size: cli.max_file_size.or(config.max_file_size).unwrap_or_default(),
        include_minified: cli.include_minified || config.include_minified.unwrap_or(false),
        park: false,
        drop_texts: false,
        new_modules: true,
    };
    Ok(Resolved { paths, transforms, options, root })
}

/// Whether a run lets go of the changed files' texts once their diffs are made ([`Options::drop_texts`]): writing (and
/// the interactive review, which writes) and SARIF's fixes read the texts; the other outputs show the diffs.
fn drops_texts(mode: Mode, format: Format) -> bool {
    mode != Mode::Write && format != Format::Sarif
}

/// Tells which files blocked a write because of uncommitted changes.
fn print_dirty(result: &RunResult) {
    let refused: Vec<&FileError> = result.errors.iter().filter(|e| e.kind == ErrorKind::Dirty).collect();
    if !refused.is_empty() {
        let list: Vec<String> = refused.iter().map(|e| format!("  {}", display_path(&e.path))).collect();
        eprintln!(
            "error: nothing was written: these files have uncommitted changes in git:\n{}\ncommit or stash them \
             first so that the tool's changes can be reviewed on their own, or pass --allow-dirty",
            list.join("\n")
        );
    }
}

/// `express-harden list`: each transform with its title, rationale, and documentation links (the README in the
/// repository at this version's tag, and upstream).
fn list() -> String {
    let mut out = String::new();
    for t in registry() {
        let info = t.info();
        let _ = writeln!(
            out,
            "{}\n  {}\n  why: {}\n  docs: {} ({})\n",
            info.id,
            info.title,
            info.rationale,
            info.docs_url(),
            info.upstream
        );
    }
    out
}

/// Writes `bytes` to standard output. A closed pipe (`express-harden list | head -1`) is not an error: the reader
/// had what it wanted, so the run ends quietly with exit 0, as ripgrep does.
fn print_stdout(bytes: &[u8]) -> i32 {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(bytes).and_then(|()| stdout.flush()) {
        Ok(()) => EXIT_OK,
        Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => EXIT_OK,
        Err(err) => {
            eprintln!("error: could not write to standard output: {err}");
            EXIT_ERROR
        }
    }
}

#[cfg(test)]
mod drop_texts_tests {
    use super::{drops_texts, Format, Mode};

    #[test]
    fn only_runs_that_show_diffs_and_write_nothing_let_the_texts_go() {
        for format in [Format::Text, Format::Json, Format::Markdown, Format::Sarif] {
            assert!(!drops_texts(Mode::Write, format), "{format:?}");
            for mode in [Mode::DryRun, Mode::Check] {
                assert_eq!(drops_texts(mode, format), format != Format::Sarif, "{mode:?} {format:?}");
            }
        }
    }
}
