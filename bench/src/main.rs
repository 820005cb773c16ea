//! `bench`: measures the full dry run against a parse-only pass over the same synthetic project.
//!
//! ```text
//! scripts/bench.sh [--files 2000] [--runs 3] [--dir PATH] [--keep]
//! cargo run --release -p express-harden-bench -- [--files 2000] [--runs 3] [--dir PATH] [--keep]
//! ```
//!
//! The parent generates a deterministic corpus of Express-style and plain modules, then re-invokes itself once per
//! measured phase (`--phase run|parse DIR`, hidden) so that each phase's peak memory is its own. A child times only
//! its work (not process start), reads its peak RSS (`VmHWM`) at the end and prints one JSON line; the parent
//! reports medians. See `docs/benchmark.md` for what each figure means.
//!
//! This is a workspace member of its own (`bench/`, not published), so that installing express-harden installs the
//! tool only; the corpus generator is in [`generator`], the JavaScript it writes in `bench/corpus/`.

mod generator;
mod lockfiles;

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

use clap::{Parser, ValueEnum};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use express_harden::report::{self, Mode};
use express_harden::source::SourceFile;
use express_harden::{cli, discover, parse, pipeline};

use generator::{CorpusStats, Layout, MARKER};

/// Target from the issue: the dry run within this factor of the parse-only time.
const RATIO_TARGET: f64 = 1.5;
/// Targets for whole processes (issue 17): the dry run within these factors of the parse-only process, on the mixed
/// corpus and when every file changes, with both cores busy (CPU time over wall time).
const PROCESS_RATIO_TARGET_MIXED: f64 = 1.25;
const PROCESS_RATIO_TARGET_CHANGING: f64 = 2.0;
const UTILISATION_TARGET: f64 = 1.6;
/// Target from the issue: peak memory of the dry run below this many MB.
const MEMORY_TARGET_MB: f64 = 200.0;
/// Prefix of the one line a child prints for its parent.
const RESULT_PREFIX: &str = "bench-result ";

/// Benchmarks the full dry run against a parse-only pass over a generated project.
#[derive(Debug, Parser)]
#[command(name = "bench")]
struct Args {
    /// Number of source files to generate.
    #[arg(long, default_value_t = 2000, value_parser = clap::value_parser!(u32).range(1..))]
    files: u32,

    /// Timed runs of each phase (the median is reported), after one untimed warm-up of each.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..))]
    runs: u32,

    /// Generate the corpus here (a new or empty folder, or one a previous `--dir` run made) and keep it.
    #[arg(long, value_name = "PATH")]
    dir: Option<PathBuf>,

    /// Keep the generated corpus (its path is printed).
    #[arg(long)]
    keep: bool,

    /// The corpus: `mixed` (apps split into modules, a quarter of the files change) or `changing` (every file is an
    /// app that the dry run changes).
    #[arg(long, value_enum, default_value_t = Layout::Mixed)]
    corpus: Layout,

    /// Instead of the dry run: time the inventory of generated lockfiles of this many packages, in each format
    /// (issue 15; in --dir when given).
    #[arg(long, value_name = "PACKAGES")]
    inventory: Option<u32>,

    /// Instead of the dry run: time the whole offline audit (the advisories transform, OSV records from a folder) of
    /// generated lockfiles of this many packages, in each format (issue 15's target: under 100 ms for 3,000).
    #[arg(long, value_name = "PACKAGES")]
    advisories: Option<u32>,

    /// Internal: measure one phase over DIR and print one JSON line.
    #[arg(long, value_enum, hide = true, requires = "phase_dir")]
    phase: Option<Phase>,

    /// Internal: the corpus a `--phase` child measures.
    #[arg(hide = true, requires = "phase")]
    phase_dir: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
enum Phase {
    /// The full dry run, as the CLI does it.
    Run,
    /// Discover, read and parse every source file, nothing else.
    Parse,
}

impl Phase {
    fn arg(self) -> &'static str {
        match self {
            Phase::Run => "run",
            Phase::Parse => "parse",
        }
    }
}

/// What a child reports.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Measurement {
    phase: Phase,
    /// Wall time of the work only.
    elapsed_ms: f64,
    /// Source files discovered.
    files: usize,
    /// Source files parsed.
    parsed: usize,
    /// Bytes of the discovered source files.
    bytes: u64,
    /// Run: files that could not be handled. Parse: files that did not parse.
    errors: usize,
    /// The first of those errors, for the report.
    first_error: Option<String>,
    /// Run: files the dry run would change (sources and manifests).
    changes: usize,
    /// Run: bytes of diff and summary the dry run prints.
    output_bytes: usize,
    /// Peak resident set size of the child, from `/proc/self/status` (`VmHWM`).
    peak_rss_kb: Option<u64>,
}

/// `println!` that does not panic when stdout is closed early (`bench | head`): the corpus is still cleaned up.
macro_rules! say {
    ($($arg:tt)*) => {{
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

fn main() -> ExitCode {
    express_harden::tune_allocator();
    let args = Args::parse();
    let outcome = match (args.phase, &args.phase_dir) {
        (Some(phase), Some(dir)) => measure_phase(phase, dir),
        _ if args.inventory.is_some() => inventory(&args),
        _ if args.advisories.is_some() => audit(&args),
        _ => bench(&args),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("bench: error: {message}");
            ExitCode::from(2)
        }
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Child: one phase.

fn measure_phase(phase: Phase, dir: &Path) -> Result<(), String> {
    let measurement = match phase {
        Phase::Run => measure_run(dir)?,
        Phase::Parse => measure_parse(dir),
    };
    let line = serde_json::to_string(&measurement).map_err(|e| format!("cannot encode the result: {e}"))?;
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{RESULT_PREFIX}{line}").map_err(|e| format!("cannot print the result: {e}"))
}

/// The dry run exactly as `express-harden` run in DIR does it: the transforms configured as the command line
/// configures them (flags, `express-harden.json`), the run confined to the project root, every diff and the summary
/// rendered. (The registry's transforms as they are, unconfigured, held a sixth more memory from the first pass on.)
fn measure_run(dir: &Path) -> Result<Measurement, String> {
    // (This child measures one phase and exits: entering the corpus changes nothing of the parent's.)
    std::env::set_current_dir(dir).map_err(|e| format!("cannot enter {}: {e}", dir.display()))?;
    let mut resolved = cli::resolve_args(["."])?;
    resolved.options.root = Some(resolved.root.clone());
    let (transforms, paths) = (&resolved.transforms, &resolved.paths);
    let start = Instant::now();
    let result = pipeline::run_with(paths, transforms, &resolved.options);
    // The CLI writes these to stdout and stderr; counting them is the sink.
    let mut output_bytes = 0;
    for change in &result.changes {
        output_bytes += std::hint::black_box(report::unified_diff(change)).len();
    }
    output_bytes += std::hint::black_box(report::summary(&result, Mode::DryRun, false)).len();
    let elapsed_ms = start.elapsed().as_secs_f64() * 1000.0;

    // Outside the timing: the size of what was scanned, for the report.
    let bytes =
        discover::discover(paths).sources.iter().filter_map(|p| std::fs::metadata(p).ok()).map(|m| m.len()).sum();
    Ok(Measurement {
        phase: Phase::Run,
        elapsed_ms,
        files: result.files_scanned,
        parsed: result.files_parsed,
        bytes,
        errors: result.errors.len(),
        first_error: result.errors.first().map(|e| format!("{}: {}", e.path.display(), e.message)),
        changes: result.changes.len(),
        output_bytes,
        peak_rss_kb: peak_rss_kb(),
    })
}

/// The honest baseline: the same walk, then read and parse every source file in parallel, with no prefilter.
fn measure_parse(dir: &Path) -> Measurement {
    let start = Instant::now();
    let found = discover::discover(&[dir.to_path_buf()]);
    let outcomes: Vec<(u64, Option<String>)> = found
        .sources
        .par_iter()
        .map(|path| {
            let text = match std::fs::read_to_string(path) {
                Ok(text) => text,
                Err(err) => return (0, Some(format!("{}: cannot be read: {err}", path.display()))),
            };
            let bytes = text.len() as u64;
            let file = SourceFile::new(path.clone(), text);
            let error = parse::parse(&file, &file.code).err().map(|e| format!("{}: {e}", path.display()));
            (bytes, error)
        })
        .collect();
    let elapsed_ms = start.elapsed().as_secs_f64() * 1000.0;

    let errors: Vec<&String> = outcomes.iter().filter_map(|(_, e)| e.as_ref()).collect();
    Measurement {
        phase: Phase::Parse,
        elapsed_ms,
        files: found.sources.len(),
        parsed: outcomes.len() - errors.len(),
        bytes: outcomes.iter().map(|(b, _)| b).sum(),
        errors: errors.len(),
        first_error: errors.first().map(|e| e.to_string()),
        changes: 0,
        output_bytes: 0,
        peak_rss_kb: peak_rss_kb(),
    }
}

/// Peak resident set size of this process in kB, when the platform tells (Linux).
fn peak_rss_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.trim_start_matches("VmHWM:").trim().trim_end_matches("kB").trim().parse().ok()
}

// ---------------------------------------------------------------------------------------------------------------
// Parent: generate, measure, report.

/// `--inventory N`: the lockfiles in a temporary folder (or `--dir`), timed.
fn inventory(args: &Args) -> Result<(), String> {
    let corpus = Corpus::create(args)?;
    lockfiles::bench(&corpus.dir, args.inventory.unwrap_or_default() as usize, args.runs)
}

/// `--advisories N`: the offline audit of generated lockfiles in a temporary folder (or `--dir`), timed.
fn audit(args: &Args) -> Result<(), String> {
    let corpus = Corpus::create(args)?;
    lockfiles::audit(&corpus.dir, args.advisories.unwrap_or_default() as usize, args.runs)
}

fn bench(args: &Args) -> Result<(), String> {
    let corpus = Corpus::create(args)?;
    let outcome = bench_in(args, &corpus);
    drop(corpus);
    outcome
}

fn bench_in(args: &Args, corpus: &Corpus) -> Result<(), String> {
    let started = Instant::now();
    let stats = generator::generate(&corpus.dir, args.files as usize, args.corpus)?;
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    say!(
        "express-harden benchmark: {} source files, {:.2} MB ({} threads available)",
        stats.files,
        mb(stats.bytes),
        threads
    );
    say!("corpus: {} (generated in {:.1} s)", corpus.dir.display(), started.elapsed().as_secs_f64());
    say!("  {}", stats.composition());
    say!("");

    // Two cores shared with a build or a test run give figures that say more about the neighbours.
    if let Some(load) = load_average().filter(|l| *l >= 0.5) {
        say!("note: the load average is {load:.2} before the measurement; other processes may skew the figures");
        say!("");
    }
    let exe = std::env::current_exe().map_err(|e| format!("cannot find the bench binary itself: {e}"))?;
    // The warm-up fills the file cache and checks that both phases work before anything is timed.
    for phase in [Phase::Parse, Phase::Run] {
        let warm = run_child(&exe, phase, &corpus.dir)?;
        check(&warm, &stats)?;
    }
    let cli = exe.with_file_name(format!("express-harden{}", std::env::consts::EXE_SUFFIX));
    if !cli.is_file() {
        return Err(format!(
            "{} is missing: build it too (`cargo build --release --bin express-harden`, as scripts/bench.sh does)",
            cli.display()
        ));
    }
    let output = corpus.dir.with_extension("out");
    let mut parse_runs = Vec::new();
    let mut dry_runs = Vec::new();
    let mut parse_processes = Vec::new();
    let mut cli_processes = Vec::new();
    for _ in 0..args.runs {
        parse_runs.push(run_child(&exe, Phase::Parse, &corpus.dir)?);
        dry_runs.push(run_child(&exe, Phase::Run, &corpus.dir)?);
        parse_processes.push(whole_process(Command::new(&exe).args(["--phase", "parse"]).arg(&corpus.dir), None)?);
        // Run in the corpus, as a user would (a path outside the folder the tool runs in is refused).
        cli_processes.push(whole_process(Command::new(&cli).arg(".").current_dir(&corpus.dir), Some(&output))?);
    }
    let _ = std::fs::remove_file(&output);
    for m in parse_runs.iter().chain(&dry_runs) {
        check(m, &stats)?;
    }

    let parse = Summary::of(&parse_runs);
    let run = Summary::of(&dry_runs);
    say!("{:<12} {:>10} {:>10} {:>8} {:>13}   runs (ms)", "phase", "median ms", "files/s", "MB/s", "peak RSS MB");
    for (name, s) in [("parse-only", &parse), ("dry run", &run)] {
        say!(
            "{:<12} {:>10.1} {:>10.0} {:>8.2} {:>13}   {}",
            name,
            s.median_ms,
            stats.files as f64 / (s.median_ms / 1000.0),
            mb(stats.bytes) / (s.median_ms / 1000.0),
            s.peak_rss_mb.map_or("n/a".to_string(), |m| format!("{m:.1}")),
            s.runs_ms.iter().map(|t| format!("{t:.0}")).collect::<Vec<_>>().join(", ")
        );
    }
    say!("");
    if let Some(last) = dry_runs.last() {
        say!(
            "dry run: {} files scanned, {} parsed (prefilter skipped {}), {} would change, {} errors, {:.2} MB of diff \
             and summary",
            last.files,
            last.parsed,
            last.files.saturating_sub(last.parsed),
            last.changes,
            last.errors,
            mb(last.output_bytes as u64)
        );
        if let Some(error) = &last.first_error {
            say!("  first error: {error}");
        }
    }

    let ratio = run.median_ms / parse.median_ms;
    say!(
        "ratio dry run / parse-only: {ratio:.2}x (target <= {RATIO_TARGET}x): {} (fastest runs: {:.2}x)",
        if ratio <= RATIO_TARGET { "ok" } else { "MISSED" },
        run.fastest_ms / parse.fastest_ms
    );
    match run.peak_rss_mb {
        Some(peak) => say!(
            "peak memory of the dry run: {peak:.0} MB (target < {MEMORY_TARGET_MB:.0} MB): {}",
            if peak < MEMORY_TARGET_MB { "ok" } else { "MISSED" }
        ),
        None => say!("peak memory of the dry run: not available on this platform (needs /proc/self/status)"),
    }

    // What a user waits for: whole processes, start to exit, the dry run's output written to a file.
    say!("");
    say!("whole processes (start to exit; the CLI's output written to a file):");
    say!("{:<26} {:>10} {:>10} {:>13} {:>13}", "process", "wall ms", "CPU ms", "CPU / wall", "peak RSS MB");
    let parse_p = ProcessSummary::of(&parse_processes);
    let cli_p = ProcessSummary::of(&cli_processes);
    for (name, s) in [("parse-only (bench --phase)", &parse_p), ("express-harden DIR", &cli_p)] {
        say!(
            "{:<26} {:>10.1} {:>10.1} {:>13.2} {:>13.1}",
            name,
            s.wall_ms,
            s.cpu_ms,
            s.cpu_ms / s.wall_ms,
            s.peak_rss_mb
        );
    }
    let (target, corpus_name) = match args.corpus {
        Layout::Mixed => (PROCESS_RATIO_TARGET_MIXED, "mixed corpus"),
        Layout::Changing => (PROCESS_RATIO_TARGET_CHANGING, "every file changes"),
    };
    let process_ratio = cli_p.wall_ms / parse_p.wall_ms;
    say!(
        "ratio express-harden / parse-only, whole processes ({corpus_name}): {process_ratio:.2}x wall (target <= \
         {target}x): {}; {:.2}x CPU",
        if process_ratio <= target { "ok" } else { "MISSED" },
        cli_p.cpu_ms / parse_p.cpu_ms
    );
    let utilisation = cli_p.cpu_ms / cli_p.wall_ms;
    say!(
        "CPU utilisation of express-harden: {utilisation:.2} of {threads} threads (target >= {UTILISATION_TARGET} on 2 \
         cores): {}",
        if utilisation >= UTILISATION_TARGET { "ok" } else { "MISSED" }
    );
    if corpus.keep {
        say!("corpus kept at {}", corpus.dir.display());
    }
    Ok(())
}

/// A whole process as the parent sees it.
struct Process {
    wall_ms: f64,
    /// User and system time.
    cpu_ms: f64,
    peak_rss_kb: u64,
}

/// Runs `command` to its end (stdout and stderr to `output`, or discarded) and measures it: wall time from spawn to
/// exit, and the process's own CPU time and peak memory (`wait4`).
fn whole_process(command: &mut Command, output: Option<&Path>) -> Result<Process, String> {
    let sink = |file: Option<&Path>| -> Result<std::process::Stdio, String> {
        match file {
            Some(path) => std::fs::File::create(path)
                .map(std::process::Stdio::from)
                .map_err(|e| format!("cannot create {}: {e}", path.display())),
            None => Ok(std::process::Stdio::null()),
        }
    };
    let start = Instant::now();
    let child = command
        .stdout(sink(output)?)
        .stderr(sink(output.map(|p| p.with_extension("err")).as_deref())?)
        .spawn()
        .map_err(|e| format!("cannot start {command:?}: {e}"))?;
    let pid = libc::pid_t::try_from(child.id()).map_err(|_| "a process id out of range".to_string())?;
    let mut status = 0;
    // SAFETY: `usage` is a plain C struct that wait4 fills; the child is ours and not waited for elsewhere.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let wall_ms = start.elapsed().as_secs_f64() * 1000.0;
    let errors = output.map(|p| p.with_extension("err"));
    let stderr = errors.as_ref().and_then(|p| std::fs::read_to_string(p).ok()).unwrap_or_default();
    if let Some(path) = &errors {
        let _ = std::fs::remove_file(path);
    }
    if waited != pid || !libc::WIFEXITED(status) || libc::WEXITSTATUS(status) > 1 {
        let tail: Vec<&str> = stderr.lines().rev().take(5).collect();
        return Err(format!("{command:?} failed (wait status {status}): {}", tail.join(" / ")));
    }
    let ms = |t: libc::timeval| t.tv_sec as f64 * 1000.0 + t.tv_usec as f64 / 1000.0;
    Ok(Process {
        wall_ms,
        cpu_ms: ms(usage.ru_utime) + ms(usage.ru_stime),
        peak_rss_kb: u64::try_from(usage.ru_maxrss).unwrap_or(0),
    })
}

/// Medians of whole processes (the highest peak memory).
struct ProcessSummary {
    wall_ms: f64,
    cpu_ms: f64,
    peak_rss_mb: f64,
}

impl ProcessSummary {
    fn of(runs: &[Process]) -> ProcessSummary {
        ProcessSummary {
            wall_ms: median(&sorted(runs.iter().map(|p| p.wall_ms))),
            cpu_ms: median(&sorted(runs.iter().map(|p| p.cpu_ms))),
            peak_rss_mb: runs.iter().map(|p| mb(p.peak_rss_kb * 1024)).fold(0.0, f64::max),
        }
    }
}

/// A measurement that does not cover the generated files means the figures would be about something else.
fn check(m: &Measurement, stats: &CorpusStats) -> Result<(), String> {
    if m.files != stats.files {
        return Err(format!(
            "the {} phase found {} source files, {} were generated (is the corpus folder inside a .gitignored or \
             skipped folder such as target/ or build/? pick another --dir)",
            m.phase.arg(),
            m.files,
            stats.files
        ));
    }
    if m.phase == Phase::Parse && m.errors > 0 {
        return Err(format!(
            "{} generated files do not parse, so the baseline would be wrong (a bug in the generator): {}",
            m.errors,
            m.first_error.as_deref().unwrap_or("no detail")
        ));
    }
    Ok(())
}

fn run_child(exe: &Path, phase: Phase, dir: &Path) -> Result<Measurement, String> {
    let output = Command::new(exe)
        .arg("--phase")
        .arg(phase.arg())
        .arg(dir)
        .output()
        .map_err(|e| format!("cannot start {} for the {} phase: {e}", exe.display(), phase.arg()))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let line = stdout.lines().find_map(|l| l.strip_prefix(RESULT_PREFIX));
    match line {
        Some(line) if output.status.success() => serde_json::from_str(line)
            .map_err(|e| format!("the {} phase printed a result that cannot be read ({e}): {line}", phase.arg())),
        _ => Err(format!(
            "the {} phase failed ({}): {}",
            phase.arg(),
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        )),
    }
}

struct Summary {
    median_ms: f64,
    /// The least disturbed run: when the machine is busy, the ratio of these says more than the medians.
    fastest_ms: f64,
    runs_ms: Vec<f64>,
    /// The highest peak over the timed runs (memory is reported conservatively).
    peak_rss_mb: Option<f64>,
}

/// `values` in increasing order.
fn sorted(values: impl Iterator<Item = f64>) -> Vec<f64> {
    let mut values: Vec<f64> = values.collect();
    values.sort_by(f64::total_cmp);
    values
}

/// The median of sorted values (NaN for none).
fn median(sorted: &[f64]) -> f64 {
    match sorted.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => sorted[n / 2],
        n => (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0,
    }
}

impl Summary {
    fn of(runs: &[Measurement]) -> Summary {
        let runs_ms: Vec<f64> = runs.iter().map(|m| m.elapsed_ms).collect();
        let sorted = sorted(runs_ms.iter().copied());
        let median_ms = median(&sorted);
        let peak_rss_mb = runs.iter().filter_map(|m| m.peak_rss_kb).max().map(|kb| mb(kb * 1024));
        let fastest_ms = sorted.first().copied().unwrap_or(f64::NAN);
        Summary { median_ms, fastest_ms, runs_ms, peak_rss_mb }
    }
}

/// The one-minute load average, where the platform tells (Linux).
fn load_average() -> Option<f64> {
    std::fs::read_to_string("/proc/loadavg").ok()?.split_whitespace().next()?.parse().ok()
}

/// Megabytes of 10^6 bytes, for data and memory alike.
fn mb(bytes: u64) -> f64 {
    bytes as f64 / 1_000_000.0
}

/// The folder the corpus is generated in; removed on drop unless kept.
struct Corpus {
    dir: PathBuf,
    keep: bool,
}

impl Corpus {
    fn create(args: &Args) -> Result<Corpus, String> {
        match &args.dir {
            Some(dir) => {
                prepare_dir(dir)?;
                Ok(Corpus { dir: absolute(dir)?, keep: true })
            }
            None => {
                let stamp =
                    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
                let dir = std::env::temp_dir().join(format!("express-harden-bench-{}-{stamp}", std::process::id()));
                std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
                Ok(Corpus { dir, keep: args.keep })
            }
        }
    }
}

impl Drop for Corpus {
    fn drop(&mut self) {
        if !self.keep {
            if let Err(err) = std::fs::remove_dir_all(&self.dir) {
                eprintln!("bench: could not delete the corpus {}: {err}", self.dir.display());
            }
        }
    }
}

/// `--dir` must be new, empty, or a corpus this tool generated before (then it is regenerated from scratch).
fn prepare_dir(dir: &Path) -> Result<(), String> {
    if dir.exists() {
        if !dir.is_dir() {
            return Err(format!("--dir {} is not a folder", dir.display()));
        }
        let mut entries = std::fs::read_dir(dir).map_err(|e| format!("cannot read --dir {}: {e}", dir.display()))?;
        if entries.next().is_some() {
            if !dir.join(MARKER).is_file() {
                return Err(format!(
                    "--dir {} is not empty and was not made by this benchmark; pick a new or empty folder",
                    dir.display()
                ));
            }
            std::fs::remove_dir_all(dir).map_err(|e| format!("cannot clear the old corpus {}: {e}", dir.display()))?;
        }
    }
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create --dir {}: {e}", dir.display()))
}

fn absolute(dir: &Path) -> Result<PathBuf, String> {
    std::fs::canonicalize(dir).map_err(|e| format!("cannot resolve {}: {e}", dir.display()))
}
