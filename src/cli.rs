//! The command line: flags, transform selection, output and exit codes.
//!
//! Exit codes: 0 nothing to do or success; 1 changes are due (`--check` only); 2 an error (a file that could not
//! be handled, files with uncommitted changes under `--write`, bad usage).

use std::io::{IsTerminal, Write as _};
use std::path::{Path, PathBuf};

use clap::{Parser, Subcommand, ValueEnum};

use crate::discover::display_path;
use crate::pipeline::{self, FileError, RunResult};
use crate::report::{self, Mode};
use crate::transform::{self, Options, SecurePolicy, Transform};
use crate::transforms::secrets::EnvNames;
use crate::write;

/// The error recorded for each file that a `--write` refused to touch.
const DIRTY: &str = "has uncommitted changes in git; nothing was written (commit or stash, or pass --allow-dirty)";

/// Exit code: nothing to do, or everything done.
pub const EXIT_OK: i32 = 0;
/// Exit code: `--check` found changes to make.
pub const EXIT_CHANGES: i32 = 1;
/// Exit code: something could not be handled, or bad usage.
pub const EXIT_ERROR: i32 = 2;

/// Fixes the security posture of Express apps in their code: helmet, session stores, cookie flags, Express
/// upgrades. Shows a diff (dry run) unless --write is given.
#[derive(Debug, Parser)]
#[command(name = "express-harden", version, args_conflicts_with_subcommands = true)]
#[command(after_help = "Exit codes: 0 nothing to do or success; 1 changes due (--check); 2 errors or bad usage.")]
pub struct Cli {
    /// Files or folders to fix (folders are walked, honouring .gitignore and skipping node_modules). Default: the
    /// configuration's paths.include, else the current folder.
    pub paths: Vec<PathBuf>,

    /// Apply the changes (atomically) and print what was written.
    #[arg(long, conflicts_with = "check")]
    pub write: bool,

    /// Write nothing; exit 1 when anything would change (a CI gate).
    #[arg(long)]
    pub check: bool,

    /// Show each change (a transform's part of a file, a version bump) and ask: yes, no, all remaining, quit. Then
    /// write what was accepted, with only the packages that code needs. Needs a terminal.
    #[arg(short, long, conflicts_with_all = ["write", "check"])]
    pub interactive: bool,

    /// With --write or --interactive: afterwards, update each changed manifest's lockfile with its package manager
    /// (lockfile only, scripts off).
    #[arg(long)]
    pub lockfile: bool,

    /// With --write or --interactive, also change files that have uncommitted changes in git.
    #[arg(long)]
    pub allow_dirty: bool,

    /// Run only these transforms (comma-separated ids; see `express-harden list`).
    #[arg(long, value_delimiter = ',', value_name = "ID,...")]
    pub only: Vec<String>,

    /// Skip these transforms (comma-separated ids).
    #[arg(long, value_delimiter = ',', value_name = "ID,...")]
    pub skip: Vec<String>,

    /// Session store backend for the session-store transform: redis, mongo, postgres, mysql, sequelize or knex
    /// (default: from the database clients in package.json, else redis).
    #[arg(long, value_name = "BACKEND")]
    pub store: Option<String>,

    /// sameSite value added to cookies that have none.
    #[arg(long, value_enum)]
    pub same_site: Option<SameSite>,

    /// How `secure` is set on cookies that lack it: always, production (secure when NODE_ENV is production, so
    /// plain HTTP keeps working in development) or auto (secure when the request is).
    #[arg(long, value_enum)]
    pub secure_cookies: Option<SecurePolicy>,

    /// The app runs behind N TLS-terminating proxies: `app.set('trust proxy', N)` is added so that secure cookies
    /// are sent.
    #[arg(long, value_name = "N")]
    pub behind_proxy: Option<u32>,

    /// Name given to session cookies that use a default name (`connect.sid`, `session`).
    #[arg(long, value_name = "NAME")]
    pub session_cookie_name: Option<String>,

    /// Environment variable for express-session's (and cookie-session's) secret.
    #[arg(long, value_name = "NAME")]
    pub session_secret_env: Option<String>,

    /// Environment variable for cookie-session's keys (comma-separated).
    #[arg(long, value_name = "NAME")]
    pub session_keys_env: Option<String>,

    /// Environment variable for cookie-parser's secret.
    #[arg(long, value_name = "NAME")]
    pub cookie_secret_env: Option<String>,

    /// Read the newest Express versions from the npm registry (through `npm view`) instead of the bundled table.
    #[arg(long)]
    pub latest: bool,

    /// Move Express to this major (4 or 5); by default the current major is kept (3 goes to 4).
    #[arg(long, value_name = "MAJOR", value_parser = clap::value_parser!(u64).range(4..=5))]
    pub express: Option<u64>,

    /// Also write the whole change as one unified diff (a/ and b/ prefixes) to this file, for `git apply`.
    #[arg(long, value_name = "PATH")]
    pub diff_file: Option<PathBuf>,

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

/// sameSite values the tool adds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SameSite {
    /// Sent on top-level navigations from other sites (OAuth redirects and links keep working).
    Lax,
    /// Never sent from other sites.
    Strict,
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

/// Picks the transforms `--only` and `--skip` ask for; an unknown id is an error listing the valid ones.
pub fn select_transforms(only: &[String], skip: &[String]) -> Result<Vec<Box<dyn Transform>>, String> {
    let valid = transform::all_ids();
    for (flag, ids) in [("--only", only), ("--skip", skip)] {
        for id in ids {
            if !valid.contains(&id.as_str()) {
                return Err(format!("unknown transform `{id}` in {flag}; valid ids: {}", valid.join(", ")));
            }
        }
    }
    Ok(transform::registry()
        .into_iter()
        .filter(|t| only.is_empty() || only.iter().any(|id| id == t.info().id))
        .filter(|t| !skip.iter().any(|id| id == t.info().id))
        .collect())
}

/// Runs the command line and returns the exit code.
pub fn main_with(cli: Cli) -> i32 {
    match cli.command {
        Some(Command::List) => {
            print_list();
            return EXIT_OK;
        }
        Some(Command::Completions { shell }) => {
            let mut command = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(shell, &mut command, "express-harden", &mut std::io::stdout());
            return EXIT_OK;
        }
        Some(Command::Man) => {
            let page = clap_mangen::Man::new(<Cli as clap::CommandFactory>::command());
            return match page.render(&mut std::io::stdout()) {
                Ok(()) => EXIT_OK,
                Err(err) => {
                    eprintln!("error: could not print the man page: {err}");
                    EXIT_ERROR
                }
            };
        }
        None => {}
    }
    for (given, flag) in [(cli.lockfile, "--lockfile"), (cli.allow_dirty, "--allow-dirty")] {
        if given && !cli.write && !cli.interactive {
            eprintln!("error: {flag} needs --write or --interactive (it applies to writing)");
            return EXIT_ERROR;
        }
    }
    if cli.interactive && cli.format != Format::Text {
        eprintln!("error: --interactive shows diffs and asks on a terminal: it works with --format text only");
        return EXIT_ERROR;
    }
    if cli.interactive && !std::io::stdin().is_terminal() {
        eprintln!(
            "error: --interactive asks on a terminal, and standard input is not one; nothing was written (use \
             --write to apply every change, or --only/--skip to choose transforms)"
        );
        return EXIT_ERROR;
    }
    let Resolved { paths, transforms, options } = match resolve(&cli, Path::new(".")) {
        Ok(resolved) => resolved,
        Err(message) => {
            eprintln!("error: {message}");
            return EXIT_ERROR;
        }
    };
    let color = cli.color.enabled(std::io::stdout().is_terminal());
    let color_summary = cli.color.enabled(std::io::stderr().is_terminal());
    let mode = if cli.write || cli.interactive {
        Mode::Write
    } else if cli.check {
        Mode::Check
    } else {
        Mode::DryRun
    };

    let mut result = pipeline::run_with(&paths, &transforms, &options);
    let mut written: Vec<PathBuf> = Vec::new();
    let mut lockfile_lines = Vec::new();
    if cli.interactive && !result.changes.is_empty() {
        // Refuse before asking anything, rather than after the review.
        if !cli.allow_dirty && refuse_dirty(&mut result) {
            print_dirty(&result);
            eprint!("{}", report::summary(&pipeline::only_written(&result, &[]), mode, color_summary));
            return EXIT_ERROR;
        }
        let stdin = std::io::stdin();
        let review = crate::interactive::review(
            &paths,
            &transforms,
            &options,
            &result,
            color,
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
                result = pipeline::run_selected(&paths, &transforms, &options, &review.selection);
            }
            Err(err) => {
                eprintln!("error: the review stopped ({err}); nothing was written");
                return EXIT_ERROR;
            }
        }
    }
    if mode == Mode::Write && !result.changes.is_empty() {
        written = write_all(&mut result, cli.allow_dirty);
        if cli.lockfile {
            lockfile_lines = update_lockfiles(&mut result, &written);
        }
    }

    if let Some(path) = &cli.diff_file {
        let patch: String = result.changes.iter().map(report::unified_diff).collect();
        if let Err(err) = std::fs::write(path, patch) {
            result.errors.push(FileError { path: path.clone(), message: format!("could not be written: {err}") });
        }
    }
    let mut stdout = std::io::stdout().lock();
    match cli.format {
        Format::Json => {
            let doc = report::json(&result, mode, &|c| written.contains(&c.path));
            let _ = stdout.write_all(doc.as_bytes());
        }
        Format::Sarif => {
            let doc = crate::sarif::log(&result, &transforms, mode, &|c| written.contains(&c.path));
            let _ = stdout.write_all(doc.as_bytes());
        }
        Format::Markdown => {
            let shown = if mode == Mode::Write { pipeline::only_written(&result, &written) } else { result.clone() };
            let _ = stdout.write_all(crate::markdown::body(&shown).as_bytes());
        }
        Format::Text => {
            for change in &result.changes {
                match mode {
                    Mode::DryRun => {
                        let diff = report::unified_diff(change);
                        let diff = if color { report::colorize(&diff) } else { diff };
                        let _ = stdout.write_all(diff.as_bytes());
                    }
                    Mode::Check => {
                        let _ = writeln!(
                            stdout,
                            "would change {} ({})",
                            display_path(&change.path),
                            change.transforms.join(", ")
                        );
                    }
                    Mode::Write if written.contains(&change.path) => {
                        let (added, removed) = report::line_counts(change);
                        let _ = writeln!(
                            stdout,
                            "wrote {} ({}; +{added} -{removed})",
                            display_path(&change.path),
                            change.transforms.join(", ")
                        );
                    }
                    Mode::Write => {}
                }
            }
            for line in &lockfile_lines {
                let _ = writeln!(stdout, "{line}");
            }
            let _ = stdout.flush();
            print_dirty(&result);
            let shown = if mode == Mode::Write { pipeline::only_written(&result, &written) } else { result.clone() };
            eprint!("{}", report::summary(&shown, mode, color_summary));
        }
    }

    if !result.errors.is_empty() {
        EXIT_ERROR
    } else if mode == Mode::Check && !result.changes.is_empty() {
        EXIT_CHANGES
    } else {
        EXIT_OK
    }
}

/// What a command line asks for, resolved against the configuration file: the paths, the transforms (configured)
/// and the engine's options.
pub struct Resolved {
    /// What to fix.
    pub paths: Vec<PathBuf>,
    /// The transforms to run, in registry order.
    pub transforms: Vec<Box<dyn Transform>>,
    /// The engine's options.
    pub options: Options,
}

/// Parses a command line (without the program name) as the tool does, with the configuration of the current
/// folder, and resolves it. The fixture tests run each suite through this.
pub fn resolve_args<I, S>(args: I) -> Result<Resolved, String>
where
    I: IntoIterator<Item = S>,
    S: Into<std::ffi::OsString> + Clone,
{
    let cli = Cli::try_parse_from(
        std::iter::once(std::ffi::OsString::from("express-harden")).chain(args.into_iter().map(Into::into)),
    )
    .map_err(|e| e.to_string())?;
    resolve(&cli, Path::new("."))
}

/// Resolves the command line against the configuration file of `dir` (a flag given on the command line wins).
pub fn resolve(cli: &Cli, dir: &Path) -> Result<Resolved, String> {
    // The configuration file, under the flags: a flag given on the command line wins.
    let config = crate::config::load(dir)?.map(|(config, _)| config).unwrap_or_default();
    let only = if cli.only.is_empty() { config.transforms.only.clone() } else { cli.only.clone() };
    let skip = if cli.skip.is_empty() { config.transforms.skip.clone() } else { cli.skip.clone() };
    let paths: Vec<PathBuf> = match (&cli.paths[..], &config.paths.include[..]) {
        ([], []) => vec![PathBuf::from(".")],
        ([], include) => include.to_vec(),
        (given, _) => given.to_vec(),
    };
    let store = cli.store.clone().or(config.store.clone());
    let transforms = select_transforms(&only, &skip)?;
    if let Some(store) = &store {
        let valid = crate::transforms::session_store::store_flags();
        if !valid.contains(&store.as_str()) {
            return Err(format!("unknown store `{store}` in --store; valid values: {}", valid.join(", ")));
        }
    }
    let defaults = Options::default();
    let same_site = match (cli.same_site, config.cookies.same_site) {
        (Some(SameSite::Strict), _) | (None, Some(crate::config::SameSiteValue::Strict)) => "strict",
        _ => "lax",
    };
    let options = Options {
        store,
        same_site: same_site.to_string(),
        secure_cookies: cli.secure_cookies.or(config.cookies.secure.map(Into::into)).unwrap_or(defaults.secure_cookies),
        behind_proxy: cli.behind_proxy.or(config.cookies.behind_proxy),
        session_cookie_name: cli
            .session_cookie_name
            .clone()
            .or(config.cookies.name.clone())
            .unwrap_or(defaults.session_cookie_name),
        env: EnvNames {
            session_secret: cli
                .session_secret_env
                .clone()
                .or(config.env.session_secret.clone())
                .unwrap_or(defaults.env.session_secret),
            session_keys: cli
                .session_keys_env
                .clone()
                .or(config.env.session_keys.clone())
                .unwrap_or(defaults.env.session_keys),
            cookie_secret: cli
                .cookie_secret_env
                .clone()
                .or(config.env.cookie_secret.clone())
                .unwrap_or(defaults.env.cookie_secret),
        },
        express_major: cli.express.or(config.express),
        selected: Vec::new(),
        latest: None,
        exclude: config.paths.exclude.clone(),
    };
    let options = if cli.latest { Options { latest: Some(latest_versions()?), ..options } } else { options };
    Ok(Resolved { paths, transforms, options })
}

/// Records an error for each changed file with uncommitted changes in git; whether there was one.
fn refuse_dirty(result: &mut RunResult) -> bool {
    let targets: Vec<PathBuf> = result.changes.iter().map(|c| c.path.clone()).collect();
    let dirty = write::dirty_files(&targets);
    let any = !dirty.is_empty();
    for path in dirty {
        result.errors.push(FileError { path, message: DIRTY.to_string() });
    }
    any
}

/// Tells which files blocked a write because of uncommitted changes.
fn print_dirty(result: &RunResult) {
    let refused: Vec<&FileError> = result.errors.iter().filter(|e| e.message == DIRTY).collect();
    if !refused.is_empty() {
        let list: Vec<String> = refused.iter().map(|e| format!("  {}", display_path(&e.path))).collect();
        eprintln!(
            "error: nothing was written: these files have uncommitted changes in git:\n{}\ncommit or stash them \
             first so that the tool's changes can be reviewed on their own, or pass --allow-dirty",
            list.join("\n")
        );
    }
}

/// Writes every change, or nothing when some target has uncommitted changes (unless allowed): writing half of a
/// change (the code without its package.json entry) would leave an app that does not start.
fn write_all(result: &mut RunResult, allow_dirty: bool) -> Vec<PathBuf> {
    if !allow_dirty && refuse_dirty(result) {
        return Vec::new();
    }
    let mut written = Vec::new();
    for change in &result.changes {
        // Guard against a file edited between planning and writing: never overwrite what we did not read.
        match std::fs::read_to_string(&change.path) {
            Ok(now) if now == change.original => {}
            Ok(_) => {
                result.errors.push(FileError {
                    path: change.path.clone(),
                    message: "changed on disk while express-harden ran; not written, run again".to_string(),
                });
                continue;
            }
            Err(err) => {
                result.errors.push(FileError { path: change.path.clone(), message: format!("cannot be read: {err}") });
                continue;
            }
        }
        match write::write_atomic(&change.path, &change.updated) {
            Ok(()) => written.push(change.path.clone()),
            Err(err) => result
                .errors
                .push(FileError { path: change.path.clone(), message: format!("could not be written: {err}") }),
        }
    }
    written
}

/// Runs the lockfile-only update of every written manifest's lockfile; failures become errors (the written files
/// stay written).
fn update_lockfiles(result: &mut RunResult, written: &[PathBuf]) -> Vec<String> {
    let mut lines = Vec::new();
    let mut done: Vec<PathBuf> = Vec::new();
    for change in result.changes.iter().filter(|c| c.is_manifest && written.contains(&c.path)) {
        let dir = change.path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(std::path::Path::new("."));
        let Some(lock) = crate::lockfile::find(dir) else { continue };
        if done.contains(&lock.path) {
            continue;
        }
        done.push(lock.path.clone());
        let packages: Vec<String> =
            result.dependencies.iter().filter(|d| d.manifest == change.path).map(|d| d.package.clone()).collect();
        match crate::lockfile::update(&lock, &packages) {
            Ok(summary) => {
                lines.push(format!("updated {} ({summary})", display_path(&lock.path)));
                result.updated_lockfiles.push(lock.path.clone());
            }
            Err(message) => result.errors.push(FileError { path: lock.path.clone(), message }),
        }
    }
    lines
}

/// The newest Express and `@types/express` of each major, from the npm registry's metadata (`npm view`).
fn latest_versions() -> Result<std::collections::BTreeMap<u64, (String, Option<String>)>, String> {
    let versions = |package: &str| -> Result<Vec<String>, String> {
        let out =
            std::process::Command::new("npm").args(["view", package, "versions", "--json"]).output().map_err(|e| {
                format!(
                    "--latest needs npm to read the registry ({e}); run without --latest to use the bundled versions"
                )
            })?;
        if !out.status.success() {
            return Err(format!(
                "--latest could not read {package}'s versions from the npm registry: {}; run without --latest to use \
                 the bundled versions",
                String::from_utf8_lossy(&out.stderr).lines().next().unwrap_or("npm failed")
            ));
        }
        serde_json::from_slice::<Vec<String>>(&out.stdout)
            .map_err(|e| format!("--latest: unexpected answer from npm: {e}"))
    };
    let express = crate::transforms::express_version::newest_per_major(&versions("express")?);
    let types = crate::transforms::express_version::newest_per_major(&versions("@types/express")?);
    Ok(express.into_iter().map(|(major, newest)| (major, (newest, types.get(&major).cloned()))).collect())
}

fn print_list() {
    for t in transform::registry() {
        let info = t.info();
        println!(
            "{}\n  {}\n  why: {}\n  docs: {} ({})\n",
            info.id, info.title, info.rationale, info.docs, info.upstream
        );
    }
}
