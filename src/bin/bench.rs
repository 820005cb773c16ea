//! `bench`: measures the full dry run against a parse-only pass over the same synthetic project.
//!
//! ```text
//! cargo run --release --bin bench -- [--files 2000] [--runs 3] [--dir PATH] [--keep]
//! ```
//!
//! The parent generates a deterministic corpus of Express-style and plain modules, then re-invokes itself once per
//! measured phase (`--phase run|parse DIR`, hidden) so that each phase's peak memory is its own. A child times only
//! its work (not process start), reads its peak RSS (`VmHWM`) at the end and prints one JSON line; the parent
//! reports medians. See `docs/benchmark.md` for what each figure means.

use std::fmt::Write as _;
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

/// Target from the issue: the dry run within this factor of the parse-only time.
const RATIO_TARGET: f64 = 1.5;
/// Target from the issue: peak memory of the dry run below this many MB.
const MEMORY_TARGET_MB: f64 = 200.0;
/// Left in every generated corpus so that `--dir` can safely regenerate a folder it made before.
const MARKER: &str = ".express-harden-bench";
/// Prefix of the one line a child prints for its parent.
const RESULT_PREFIX: &str = "bench-result ";
/// Fixed seed: the corpus is the same on every run and every machine.
const SEED: u64 = 0x2545_f491_4f6c_dd1d;

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
    let args = Args::parse();
    let outcome = match (args.phase, &args.phase_dir) {
        (Some(phase), Some(dir)) => measure_phase(phase, dir),
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

/// The dry run exactly as `express-harden DIR` does it: run every transform, render every diff and the summary.
fn measure_run(dir: &Path) -> Result<Measurement, String> {
    let transforms = cli::select_transforms(&[], &[])?;
    let paths = [dir.to_path_buf()];
    let start = Instant::now();
    let result = pipeline::run(&paths, &transforms);
    // The CLI writes these to stdout and stderr; counting them is the sink.
    let mut output_bytes = 0;
    for change in &result.changes {
        output_bytes += std::hint::black_box(report::unified_diff(change)).len();
    }
    output_bytes += std::hint::black_box(report::summary(&result, Mode::DryRun, false)).len();
    let elapsed_ms = start.elapsed().as_secs_f64() * 1000.0;

    // Outside the timing: the size of what was scanned, for the report.
    let bytes =
        discover::discover(&paths).sources.iter().filter_map(|p| std::fs::metadata(p).ok()).map(|m| m.len()).sum();
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

fn bench(args: &Args) -> Result<(), String> {
    let corpus = Corpus::create(args)?;
    let outcome = bench_in(args, &corpus);
    drop(corpus);
    outcome
}

fn bench_in(args: &Args, corpus: &Corpus) -> Result<(), String> {
    let started = Instant::now();
    let stats = generate(&corpus.dir, args.files as usize)?;
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
    let mut parse_runs = Vec::new();
    let mut dry_runs = Vec::new();
    for _ in 0..args.runs {
        parse_runs.push(run_child(&exe, Phase::Parse, &corpus.dir)?);
        dry_runs.push(run_child(&exe, Phase::Run, &corpus.dir)?);
    }
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
    if corpus.keep {
        say!("corpus kept at {}", corpus.dir.display());
    }
    Ok(())
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

impl Summary {
    fn of(runs: &[Measurement]) -> Summary {
        let runs_ms: Vec<f64> = runs.iter().map(|m| m.elapsed_ms).collect();
        let mut sorted = runs_ms.clone();
        sorted.sort_by(f64::total_cmp);
        let median_ms = match sorted.len() {
            0 => f64::NAN,
            n if n % 2 == 1 => sorted[n / 2],
            n => (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0,
        };
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

// ---------------------------------------------------------------------------------------------------------------
// The corpus generator.

/// xorshift64: tiny, deterministic, good enough to vary a corpus.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn percent(&mut self, p: u64) -> bool {
        self.next() % 100 < p
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    App { session: bool },
    Router,
    Middleware,
    Utility,
    Service,
    Mapper,
}

/// Module system and syntax of a generated file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Flavor {
    /// `require` / `module.exports`, in `.js` or `.cjs`.
    CommonJs,
    /// `import` / `export`, in `.mjs` or `.js`.
    Esm,
    /// `import` / `export` with types, in `.ts`.
    TypeScript,
}

/// How a generated file is written.
#[derive(Debug, Clone, Copy)]
struct Style {
    double_quotes: bool,
    semicolons: bool,
    indent: &'static str,
    flavor: Flavor,
}

/// A file to generate.
struct Planned {
    path: PathBuf,
    kind: Kind,
    style: Style,
    resource: usize,
    area: &'static str,
    /// Bytes to aim for.
    target: usize,
}

#[derive(Debug, Default)]
struct CorpusStats {
    files: usize,
    bytes: u64,
    apps: usize,
    apps_with_session: usize,
    routers: usize,
    middleware: usize,
    plain: usize,
    commonjs: usize,
    esm: usize,
    typescript: usize,
    double_quotes: usize,
    no_semicolons: usize,
    tabs: usize,
    four_spaces: usize,
    smallest: usize,
    largest: usize,
}

impl CorpusStats {
    fn composition(&self) -> String {
        format!(
            "{} Express-style ({} apps, {} with express-session; {} routers; {} middleware), {} plain modules; \
             {} CommonJS, {} ESM, {} TypeScript; {} double-quoted, {} without semicolons, {} tab- and {} \
             4-space-indented; {:.1} KB average, {} B to {} B",
            self.apps + self.routers + self.middleware,
            self.apps,
            self.apps_with_session,
            self.routers,
            self.middleware,
            self.plain,
            self.commonjs,
            self.esm,
            self.typescript,
            self.double_quotes,
            self.no_semicolons,
            self.tabs,
            self.four_spaces,
            self.bytes as f64 / self.files.max(1) as f64 / 1000.0,
            self.smallest,
            self.largest
        )
    }
}

const RESOURCES: [&str; 20] = [
    "users",
    "orders",
    "products",
    "invoices",
    "payments",
    "carts",
    "reviews",
    "accounts",
    "teams",
    "projects",
    "tasks",
    "comments",
    "tickets",
    "shipments",
    "coupons",
    "articles",
    "tags",
    "files",
    "reports",
    "webhooks",
];

const AREAS: [&str; 12] = [
    "billing",
    "catalog",
    "identity",
    "support",
    "shipping",
    "content",
    "admin",
    "search",
    "checkout",
    "analytics",
    "notifications",
    "inventory",
];

/// Generates `files` source files (plus package.json, tsconfig.json, a few views) into `dir`.
fn generate(dir: &Path, files: usize) -> Result<CorpusStats, String> {
    let mut rng = Rng(SEED);
    let plan = plan_corpus(&mut rng, files);
    let routers: Vec<&Planned> = plan.iter().filter(|p| p.kind == Kind::Router).collect();

    write(dir, MARKER, "generated by express-harden's bench; safe to delete\n")?;
    write(dir, "package.json", PACKAGE_JSON)?;
    write(dir, "tsconfig.json", TSCONFIG_JSON)?;
    write(dir, ".gitignore", "node_modules/\ndist/\n")?;
    write(dir, "views/index.ejs", VIEW_INDEX)?;
    write(dir, "views/error.ejs", VIEW_ERROR)?;

    let mut stats = CorpusStats { smallest: usize::MAX, ..CorpusStats::default() };
    for (index, file) in plan.iter().enumerate() {
        let text = generate_file(&mut rng, file, index, &routers);
        write(dir, &file.path.to_string_lossy(), &text)?;
        stats.files += 1;
        stats.bytes += text.len() as u64;
        stats.smallest = stats.smallest.min(text.len());
        stats.largest = stats.largest.max(text.len());
        match file.kind {
            Kind::App { session } => {
                stats.apps += 1;
                stats.apps_with_session += usize::from(session);
            }
            Kind::Router => stats.routers += 1,
            Kind::Middleware => stats.middleware += 1,
            Kind::Utility | Kind::Service | Kind::Mapper => stats.plain += 1,
        }
        match file.style.flavor {
            Flavor::CommonJs => stats.commonjs += 1,
            Flavor::Esm => stats.esm += 1,
            Flavor::TypeScript => stats.typescript += 1,
        }
        stats.double_quotes += usize::from(file.style.double_quotes);
        stats.no_semicolons += usize::from(!file.style.semicolons);
        stats.tabs += usize::from(file.style.indent == "\t");
        stats.four_spaces += usize::from(file.style.indent == "    ");
    }
    Ok(stats)
}

fn write(dir: &Path, relative: &str, text: &str) -> Result<(), String> {
    let path = dir.join(relative);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
    }
    std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// Decides every file's kind, style, place and size. Kinds come in exact proportions: 60% Express-style (a quarter
/// of them apps, half of those with express-session; a fifth middleware; the rest routers), 40% plain modules.
fn plan_corpus(rng: &mut Rng, files: usize) -> Vec<Planned> {
    let express = files * 3 / 5;
    let apps = express / 4;
    let middleware = express / 5;
    let routers = express - apps - middleware;
    let mut kinds = Vec::with_capacity(files);
    kinds.extend((0..apps).map(|i| Kind::App { session: i % 2 == 0 }));
    kinds.extend(std::iter::repeat_n(Kind::Router, routers));
    kinds.extend(std::iter::repeat_n(Kind::Middleware, middleware));
    kinds.extend((0..files - express).map(|i| [Kind::Utility, Kind::Service, Kind::Mapper][i % 3]));

    kinds
        .into_iter()
        .enumerate()
        .map(|(index, kind)| {
            let flavor = match rng.below(100) {
                0..=44 => Flavor::CommonJs,
                45..=74 => Flavor::Esm,
                _ => Flavor::TypeScript,
            };
            let ext = match flavor {
                Flavor::CommonJs if rng.percent(10) => "cjs",
                Flavor::Esm if rng.percent(50) => "mjs",
                Flavor::TypeScript => "ts",
                _ => "js",
            };
            let style = Style {
                double_quotes: rng.percent(40),
                semicolons: rng.percent(70),
                indent: match rng.below(100) {
                    0..=59 => "  ",
                    60..=84 => "    ",
                    _ => "\t",
                },
                flavor,
            };
            let resource = rng.below(RESOURCES.len());
            let area = *rng.pick(&AREAS);
            let name = RESOURCES[resource];
            let folder = match kind {
                Kind::App { .. } => format!("src/apps/{area}"),
                Kind::Router => format!("src/routes/{area}"),
                Kind::Middleware => format!("src/middleware/{area}"),
                Kind::Utility => format!("src/lib/{area}"),
                Kind::Service => format!("src/services/{area}"),
                Kind::Mapper => format!("src/models/{area}"),
            };
            let stem = match kind {
                Kind::App { .. } => format!("{area}-server"),
                Kind::Router => name.to_string(),
                Kind::Middleware => format!("{}-guard", singular(name)),
                Kind::Utility => format!("{}-utils", singular(name)),
                Kind::Service => format!("{}-service", singular(name)),
                Kind::Mapper => format!("{}-mapper", singular(name)),
            };
            // Mostly 0.8-3.6 KB, one in ten 5-9 KB. Files stop at the last whole block under their target, so
            // the files come out at about 2.5 KB on average.
            let target = if rng.percent(10) { 5000 + rng.below(4000) } else { 800 + rng.below(2800) };
            Planned {
                path: PathBuf::from(format!("{folder}/{stem}-{index}.{ext}")),
                kind,
                style,
                resource,
                area,
                target,
            }
        })
        .collect()
}

fn singular(plural: &str) -> &str {
    plural.strip_suffix('s').unwrap_or(plural)
}

fn capitalized(word: &str) -> String {
    let mut chars = word.chars();
    chars.next().map_or(String::new(), |c| c.to_uppercase().chain(chars).collect())
}

/// Writes template text in a file's style.
///
/// Templates are written with single quotes, semicolons, two-space indentation, and TypeScript-only text between
/// `«` and `»`; `$x` placeholders are replaced by `vars`. No template line starts with `(`, `[` or a backtick, so
/// dropping semicolons never joins two statements.
fn render(out: &mut String, template: &str, style: &Style, vars: &[(&str, &str)]) {
    let ts = style.flavor == Flavor::TypeScript;
    let mut text = String::with_capacity(template.len() + 64);
    let mut in_types = false;
    for line in template.lines() {
        let mut kept = String::with_capacity(line.len());
        for c in line.chars() {
            match c {
                '«' => in_types = true,
                '»' => in_types = false,
                _ if in_types && !ts => {}
                c => kept.push(c),
            }
        }
        // A line that only held types (a TypeScript field declaration) goes away entirely in JavaScript.
        if kept.trim().is_empty() && !line.trim().is_empty() {
            continue;
        }
        text.push_str(&kept);
        text.push('\n');
    }
    if style.double_quotes {
        text = text.replace('\'', "\"");
    }
    for (key, value) in vars {
        text = text.replace(key, value);
    }
    for line in text.lines() {
        let body = line.trim_start_matches(' ');
        let spaces = line.len() - body.len();
        let body = if style.semicolons { body } else { body.strip_suffix(';').unwrap_or(body) };
        if !body.trim().is_empty() {
            for _ in 0..spaces / 2 {
                out.push_str(style.indent);
            }
            // The odd space of a JSDoc continuation line (` * text`).
            if spaces % 2 == 1 {
                out.push(' ');
            }
            out.push_str(body);
        }
        out.push('\n');
    }
}

fn generate_file(rng: &mut Rng, file: &Planned, index: usize, routers: &[&Planned]) -> String {
    let style = &file.style;
    let ts = style.flavor == Flavor::TypeScript;
    let plural = RESOURCES[file.resource];
    let single = singular(plural);
    let cap = capitalized(single);
    let index_text = index.to_string();
    let handler_object = match file.kind {
        Kind::App { .. } => "app",
        _ => "router",
    };
    let (req, res, next, err) = if ts {
        ("req: Request", "res: Response", "next: NextFunction", "err: HttpError")
    } else {
        ("req", "res", "next", "err")
    };
    let mut out = String::with_capacity(file.target + 1024);
    let mut exports: Vec<String> = Vec::new();

    // Header.
    match file.kind {
        Kind::App { session } => {
            // Apps mount routers written in their own module system when there are any.
            let same: Vec<&Planned> = routers.iter().copied().filter(|r| r.style.flavor == style.flavor).collect();
            let pool = if same.is_empty() { routers.to_vec() } else { same };
            let count = if pool.is_empty() { 0 } else { 2 + rng.below(3) };
            let mounted: Vec<&Planned> = (0..count).map(|_| *rng.pick(&pool)).collect();
            app_header(&mut out, file, session, &mounted);
        }
        Kind::Router => {
            let template = match style.flavor {
                Flavor::CommonJs if index.is_multiple_of(2) => ROUTER_HEADER_CJS_ROUTER,
                Flavor::CommonJs => ROUTER_HEADER_CJS_EXPRESS,
                Flavor::Esm => ROUTER_HEADER_ESM,
                Flavor::TypeScript => ROUTER_HEADER_TS,
            };
            render(&mut out, template, style, &[("$a", file.area), ("$s", single)]);
        }
        Kind::Middleware => {
            let template = if ts { MIDDLEWARE_HEADER_TS } else { MIDDLEWARE_HEADER_JS };
            render(&mut out, template, style, &[]);
        }
        Kind::Utility | Kind::Service | Kind::Mapper => {
            let template = match style.flavor {
                Flavor::CommonJs => PLAIN_HEADER_CJS,
                Flavor::Esm => PLAIN_HEADER_ESM,
                Flavor::TypeScript => PLAIN_HEADER_TS,
            };
            render(&mut out, template, style, &[("$S", &cap)]);
        }
    }

    // Body: blocks until the file reaches about its target size.
    let blocks: &[&str] = match file.kind {
        Kind::App { .. } | Kind::Router => &HANDLER_BLOCKS,
        Kind::Middleware => &MIDDLEWARE_BLOCKS,
        Kind::Utility => &UTILITY_BLOCKS,
        Kind::Service => &SERVICE_BLOCKS,
        Kind::Mapper => &MAPPER_BLOCKS,
    };
    let footer_allowance = 150;
    let mut counter = 0usize;
    // Blocks come in turn from a random start, so that a file repeats itself only once it has used them all.
    let first_block = rng.below(blocks.len());
    loop {
        let template = blocks[(first_block + counter) % blocks.len()];
        // Handlers in a router mostly serve the router's own resource; helpers vary more.
        let other = RESOURCES[rng.below(RESOURCES.len())];
        let (b_plural, b_single, b_cap) = if rng.percent(70) {
            (plural, single, cap.clone())
        } else {
            (other, singular(other), capitalized(singular(other)))
        };
        let k = format!("{index}x{counter}");
        let n = (10 + rng.below(990)).to_string();
        let mut block = String::new();
        render(
            &mut block,
            template,
            style,
            &[
                ("$REQ", req),
                ("$RES", res),
                ("$NEXT", next),
                ("$ERR", err),
                ("$o", handler_object),
                ("$r", b_plural),
                ("$s", b_single),
                ("$S", &b_cap),
                ("$k", &k),
                ("$n", &n),
                ("$i", &index_text),
            ],
        );
        let full = out.len() + block.len() + footer_allowance > file.target;
        if full && counter > 0 {
            break;
        }
        if let Some(name) = declared_name(&block) {
            exports.push(name);
        }
        out.push('\n');
        out.push_str(&block);
        counter += 1;
        if full {
            break;
        }
    }

    // Footer.
    out.push('\n');
    match file.kind {
        Kind::App { .. } => {
            let template = match style.flavor {
                Flavor::CommonJs => APP_FOOTER_CJS,
                Flavor::Esm | Flavor::TypeScript => APP_FOOTER_ESM,
            };
            render(&mut out, template, style, &[("$REQ", req), ("$RES", res), ("$NEXT", next), ("$ERR", err)]);
        }
        Kind::Router => {
            let template =
                if style.flavor == Flavor::CommonJs { "module.exports = router;" } else { "export default router;" };
            render(&mut out, template, style, &[]);
        }
        _ => {
            let list = exports.join(", ");
            let line = if style.flavor == Flavor::CommonJs {
                format!("module.exports = {{ {list} }};")
            } else {
                format!("export {{ {list} }};")
            };
            render(&mut out, &line, style, &[]);
        }
    }
    out
}

/// The name a block declares at top level (`function name(`, `class Name`, `const name =`), for the exports.
fn declared_name(block: &str) -> Option<String> {
    block.lines().find_map(|line| {
        let rest = line
            .strip_prefix("async function ")
            .or_else(|| line.strip_prefix("function "))
            .or_else(|| line.strip_prefix("class "))
            .or_else(|| line.strip_prefix("const "))?;
        let name: String = rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
        (!name.is_empty()).then_some(name)
    })
}

fn app_header(out: &mut String, file: &Planned, session: bool, mounted: &[&Planned]) {
    let style = &file.style;
    let mut text = String::new();
    let from_apps = |router: &Planned| {
        let path = router.path.to_string_lossy().replace("src/", "../../");
        match style.flavor {
            Flavor::CommonJs => path.trim_end_matches(".js").to_string(),
            Flavor::Esm => path,
            Flavor::TypeScript => path.trim_end_matches(".ts").to_string(),
        }
    };
    let names: Vec<String> =
        mounted.iter().enumerate().map(|(i, r)| format!("{}Router{i}", singular(RESOURCES[r.resource]))).collect();
    match style.flavor {
        Flavor::CommonJs => {
            if file.resource.is_multiple_of(3) {
                text.push_str("'use strict';\n\n");
            }
            text.push_str("const path = require('path');\nconst express = require('express');\n");
            if session {
                text.push_str("const session = require('express-session');\n");
            }
            text.push_str("const cookieParser = require('cookie-parser');\nconst morgan = require('morgan');\n");
            for (name, router) in names.iter().zip(mounted) {
                let _ = writeln!(text, "const {name} = require('{}');", from_apps(router));
            }
        }
        Flavor::Esm | Flavor::TypeScript => {
            if style.flavor == Flavor::TypeScript {
                text.push_str("import express, { Request, Response, NextFunction } from 'express';\n");
                text.push_str("import * as path from 'path';\n");
            } else {
                text.push_str("import path from 'path';\nimport express from 'express';\n");
            }
            if session {
                text.push_str("import session from 'express-session';\n");
            }
            text.push_str("import cookieParser from 'cookie-parser';\nimport morgan from 'morgan';\n");
            for (name, router) in names.iter().zip(mounted) {
                let _ = writeln!(text, "import {name} from '{}';", from_apps(router));
            }
            if style.flavor == Flavor::TypeScript {
                text.push_str("\ninterface HttpError extends Error {\n  status?: number;\n}\n");
            }
        }
    }
    text.push_str(APP_SETUP);
    if session {
        text.push_str("app.use(session({ secret: 'keyboard cat', resave: false, saveUninitialized: true }));\n");
    }
    for (name, router) in names.iter().zip(mounted) {
        let _ = writeln!(text, "app.use('/api/{}', {name});", RESOURCES[router.resource]);
    }
    render(out, &text, style, &[]);
}

const PACKAGE_JSON: &str = r#"{
  "name": "bench-corpus",
  "version": "1.0.0",
  "private": true,
  "description": "Synthetic Express project generated by express-harden's benchmark",
  "main": "src/apps/billing/billing-server-0.js",
  "scripts": {
    "start": "node src/apps/billing/billing-server-0.js",
    "build": "tsc",
    "test": "node --test"
  },
  "dependencies": {
    "cookie-parser": "^1.4.7",
    "dotenv": "^16.4.5",
    "ejs": "^3.1.10",
    "express": "^4.22.3",
    "express-session": "^1.18.1",
    "morgan": "^1.10.0"
  },
  "devDependencies": {
    "@types/express": "^4.17.21",
    "@types/express-session": "^1.18.0",
    "@types/node": "^20.11.0",
    "typescript": "^5.4.0"
  }
}
"#;

const TSCONFIG_JSON: &str = r#"{
  "compilerOptions": {
    "target": "es2020",
    "module": "commonjs",
    "esModuleInterop": true,
    "strict": true,
    "outDir": "dist"
  },
  "include": ["src"]
}
"#;

const VIEW_INDEX: &str = r#"<!doctype html>
<html>
  <head>
    <title><%= title %></title>
    <link rel="stylesheet" href="/style.css">
  </head>
  <body>
    <h1><%= title %></h1>
    <ul>
      <% items.forEach(function (item) { %>
        <li><%= item.name %></li>
      <% }) %>
    </ul>
    <script src="/app.js"></script>
  </body>
</html>
"#;

const VIEW_ERROR: &str = r#"<!doctype html>
<html>
  <head><title>Error</title></head>
  <body>
    <h1><%= message %></h1>
    <pre><%= error.status %></pre>
  </body>
</html>
"#;

const APP_SETUP: &str = "
const app = express();
const port = Number(process.env.PORT || 3000);

app.set('views', path.join(process.cwd(), 'views'));
app.set('view engine', 'ejs');
app.set('trust proxy', 1);
app.use(morgan('combined'));
app.use(express.json({ limit: '1mb' }));
app.use(express.urlencoded({ extended: false }));
app.use(cookieParser());
";

const APP_FOOTER_CJS: &str = "\
app.use(($ERR, $REQ, $RES, $NEXT) => {
  const status = err.status || 500;
  res.status(status).render('error', { message: err.message, error: { status } });
});

if (require.main === module) {
  app.listen(port, () => {
    console.log(`listening on http://localhost:${port}`);
  });
}

module.exports = app;
";

const APP_FOOTER_ESM: &str = "\
app.use(($ERR, $REQ, $RES, $NEXT) => {
  const status = err.status || 500;
  res.status(status).render('error', { message: err.message, error: { status } });
});

if (process.env.NODE_ENV !== 'test') {
  app.listen(port, () => {
    console.log(`listening on http://localhost:${port}`);
  });
}

export default app;
";

const ROUTER_HEADER_CJS_ROUTER: &str = "\
const { Router } = require('express');
const $sService = require('../../services/$a/$s-service');

const router = Router();
";

const ROUTER_HEADER_CJS_EXPRESS: &str = "\
const express = require('express');
const $sService = require('../../services/$a/$s-service');

const router = express.Router();
";

const ROUTER_HEADER_ESM: &str = "\
import express from 'express';
import * as $sService from '../../services/$a/$s-service.js';

const router = express.Router();
";

const ROUTER_HEADER_TS: &str = "\
import { Router, Request, Response, NextFunction } from 'express';
import * as $sService from '../../services/$a/$s-service';

const router = Router();
";

const MIDDLEWARE_HEADER_JS: &str = "\
/** @typedef {import('express').Request} Request */
/** @typedef {import('express').Response} Response */
/** @typedef {import('express').NextFunction} NextFunction */
";

const MIDDLEWARE_HEADER_TS: &str = "\
import type { Request, Response, NextFunction, RequestHandler } from 'express';

interface HttpError extends Error {
  status?: number;
}
";

const PLAIN_HEADER_CJS: &str = "\
const crypto = require('crypto');
const { promisify } = require('util');

const sleep = promisify(setTimeout);
";

const PLAIN_HEADER_ESM: &str = "\
import crypto from 'crypto';
import { promisify } from 'util';

const sleep = promisify(setTimeout);
";

const PLAIN_HEADER_TS: &str = "\
import * as crypto from 'crypto';
import { promisify } from 'util';

const sleep = promisify(setTimeout);

export interface $SRow {
  id: number;
  name: string | null;
  created_at: Date | string;
  tags?: string[];
  owner_id?: number;
}

export interface $SRecord {
  id: string;
  name: string;
  createdAt: string;
  tags: string[];
}
";

const HANDLER_BLOCKS: [&str; 6] = [
    "\
$o.get('/$r', async ($REQ, $RES, $NEXT) => {
  try {
    const page = Number(req.query.page || 1);
    const limit = Math.min(Number(req.query.limit || 20), 100);
    const items = await $sService.list({ page, limit, sort: req.query.sort || 'createdAt' });
    res.json({ page, limit, items });
  } catch (err) {
    next(err);
  }
});
",
    "\
$o.get('/$r/:id', async ($REQ, $RES, $NEXT) => {
  try {
    const $s = await $sService.findById(req.params.id);
    if (!$s) {
      return res.status(404).json({ error: '$s not found' });
    }
    res.json($s);
  } catch (err) {
    next(err);
  }
});
",
    "\
// Creates one $s; the body is validated here because the service trusts its input.
$o.post('/$r', async ($REQ, $RES, $NEXT) => {
  const { name, description } = req.body;
  if (!name || typeof name !== 'string' || name.length > $n) {
    return res.status(400).json({ error: 'name is required (at most $n characters)' });
  }
  try {
    const created = await $sService.create({ name: name.trim(), description, ownerId: req.user && req.user.id });
    res.status(201).location(`/$r/${created.id}`).json(created);
  } catch (err) {
    next(err);
  }
});
",
    "\
$o.put('/$r/:id', async ($REQ, $RES, $NEXT) => {
  try {
    const updated = await $sService.update(req.params.id, {
      name: req.body.name,
      description: req.body.description,
      updatedAt: new Date(),
    });
    if (!updated) {
      return res.sendStatus(404);
    }
    res.json(updated);
  } catch (err) {
    next(err);
  }
});
",
    "\
$o.delete('/$r/:id', async ($REQ, $RES, $NEXT) => {
  try {
    await $sService.remove(req.params.id);
    res.status(204).end();
  } catch (err) {
    next(err);
  }
});
",
    "\
/**
 * A cheap summary of one $s: only the fields the client asks for.
 */
$o.get('/$r/:id/summary', ($REQ, $RES) => {
  const fields = String(req.query.fields || 'id,name').split(',');
  const summary«: Record<string, string>» = {};
  for (const field of fields) {
    summary[field] = req.params.id + ':' + field;
  }
  res.set('Cache-Control', 'private, max-age=$n');
  res.send(summary);
});
",
];

const MIDDLEWARE_BLOCKS: [&str; 4] = [
    "\
/**
 * Lets the request through only when the signed-in user has `role`.
 * @param {string} role
 */
function requireRole$k(role«: string») {
  return function ($REQ, $RES, $NEXT) {
    const user = req.user;
    if (!user || !Array.isArray(user.roles) || user.roles.indexOf(role) === -1) {
      return res.status(403).json({ error: 'forbidden', needs: role });
    }
    next();
  };
}
",
    "\
function rateLimit$k(limit = $n, windowMs = 60000) {
  const hits«: Map<string, { count: number; resetAt: number }>» = new Map();
  return function ($REQ, $RES, $NEXT) {
    const key = req.ip || 'unknown';
    const now = Date.now();
    const entry = hits.get(key) || { count: 0, resetAt: now + windowMs };
    if (now > entry.resetAt) {
      entry.count = 0;
      entry.resetAt = now + windowMs;
    }
    entry.count += 1;
    hits.set(key, entry);
    if (entry.count > limit) {
      res.set('Retry-After', String(Math.ceil((entry.resetAt - now) / 1000)));
      return res.status(429).send('too many requests');
    }
    next();
  };
}
",
    "\
function requestTimer$k($REQ, $RES, $NEXT) {
  const started = process.hrtime.bigint();
  res.on('finish', () => {
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    if (ms > $n) {
      console.warn(`slow request ${req.method} ${req.originalUrl}: ${ms.toFixed(1)} ms`);
    }
  });
  next();
}
",
    "\
function handle$SErrors$k($ERR, $REQ, $RES, $NEXT) {
  if (res.headersSent) {
    return next(err);
  }
  const status = err.status && err.status >= 400 ? err.status : 500;
  res.status(status).json({
    error: status === 500 ? 'internal error' : err.message,
    requestId: req.get('x-request-id') || null,
  });
}
",
];

const UTILITY_BLOCKS: [&str; 4] = [
    "\
/**
 * Formats a number with a fixed precision and an optional suffix.
 */
function format$S$k(value«: number | null | undefined», options«: { precision?: number; suffix?: string }» = {})«: string» {
  const precision = options.precision === undefined ? 2 : options.precision;
  if (value === null || value === undefined || Number.isNaN(Number(value))) {
    return '';
  }
  const factor = Math.pow(10, precision);
  const rounded = Math.round(Number(value) * factor) / factor;
  return rounded.toFixed(precision) + (options.suffix || '');
}
",
    "\
function slugify$k(text«: string»)«: string» {
  return String(text)
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, $n);
}
",
    "\
async function retry$k«<T>»(task«: () => Promise<T>», attempts = 3, delayMs = $n)«: Promise<T>» {
  let lastError«: unknown»;
  for (let attempt = 1; attempt <= attempts; attempt += 1) {
    try {
      return await task();
    } catch (error) {
      lastError = error;
      await sleep(delayMs * attempt);
    }
  }
  throw lastError;
}
",
    "\
const $sDefaults$k = Object.freeze({
  pageSize: $n,
  maxPageSize: 500,
  sortBy: 'createdAt',
  direction: 'desc',
  token: crypto.randomBytes(8).toString('hex'),
});
",
];

const SERVICE_BLOCKS: [&str; 3] = [
    "\
/**
 * Keeps $r in memory for a while in front of the slower store.
 */
class $SCache$k {
  «private »entries«: Map<string, { value: unknown; expires: number }>» = new Map();
  «private readonly ttlMs: number;»

  constructor(ttlMs«: number» = $n * 1000) {
    this.ttlMs = ttlMs;
  }

  get(key«: string»)«: unknown» {
    const entry = this.entries.get(key);
    if (!entry || entry.expires < Date.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  set(key«: string», value«: unknown»)«: void» {
    this.entries.set(key, { value, expires: Date.now() + this.ttlMs });
  }
}
",
    "\
class $SRepository$k {
  «private readonly db: { query(sql: string, params: unknown[]): Promise<{ rows: $SRow[] }> };»

  constructor(db«: { query(sql: string, params: unknown[]): Promise<{ rows: $SRow[] }> }») {
    this.db = db;
  }

  async findById(id«: number»)«: Promise<$SRow | undefined>» {
    const result = await this.db.query('select * from $r where id = $1', [id]);
    return result.rows[0];
  }

  async list(limit = $n, offset = 0)«: Promise<$SRow[]>» {
    const result = await this.db.query('select * from $r order by id limit $1 offset $2', [limit, offset]);
    return result.rows;
  }
}
",
    "\
async function sync$S$k(source«: { fetch(): Promise<$SRow[]> }», target«: { save(rows: $SRow[]): Promise<void> }»)«: Promise<number>» {
  const rows = await source.fetch();
  const fresh = rows.filter((row) => row.name !== null);
  for (let start = 0; start < fresh.length; start += $n) {
    await target.save(fresh.slice(start, start + $n));
  }
  return fresh.length;
}
",
];

const MAPPER_BLOCKS: [&str; 3] = [
    "\
function to$SRecord$k(row«: $SRow»)«: $SRecord» {
  return {
    id: String(row.id),
    name: row.name ? row.name.trim() : '',
    createdAt: row.created_at instanceof Date ? row.created_at.toISOString() : String(row.created_at),
    tags: Array.isArray(row.tags) ? row.tags.slice(0, 10) : [],
  };
}
",
    "\
function from$SRecord$k(record«: $SRecord», ownerId«: number»)«: Partial<$SRow>» {
  const row«: Partial<$SRow>» = {
    name: record.name || null,
    tags: record.tags.filter(Boolean),
    owner_id: ownerId,
  };
  if (record.createdAt) {
    row.created_at = new Date(record.createdAt);
  }
  return row;
}
",
    "\
/**
 * Groups $r by the first tag, keeping at most $n per group.
 */
function group$S$k(records«: $SRecord[]»)«: Record<string, $SRecord[]>» {
  const groups«: Record<string, $SRecord[]>» = {};
  for (const record of records) {
    const key = record.tags[0] || 'untagged';
    const group = groups[key] || (groups[key] = []);
    if (group.length < $n) {
      group.push(record);
    }
  }
  return groups;
}
",
];

#[cfg(test)]
mod tests {
    use super::*;

    fn sources(dir: &Path) -> Vec<(PathBuf, String)> {
        discover::discover(&[dir.to_path_buf()])
            .sources
            .into_iter()
            .map(|path| {
                let text = std::fs::read_to_string(&path).expect("readable");
                (path.strip_prefix(dir).expect("inside the corpus").to_path_buf(), text)
            })
            .collect()
    }

    #[test]
    fn every_generated_file_parses_and_plain_modules_never_mention_express() {
        let dir = tempfile::tempdir().expect("temp dir");
        let stats = generate(dir.path(), 300).expect("generated");
        let files = sources(dir.path());
        assert_eq!(files.len(), 300);
        assert_eq!(stats.files, 300);
        assert_eq!(stats.apps_with_session, stats.apps.div_ceil(2));
        for (path, text) in &files {
            let file = SourceFile::new(path.clone(), text.clone());
            if let Err(err) = parse::parse(&file, &file.code) {
                panic!("{} does not parse: {err}\n{text}", path.display());
            }
            let plain = ["lib", "services", "models"].iter().any(|d| path.starts_with(Path::new("src").join(d)));
            assert_eq!(plain, !text.contains("express"), "{}", path.display());
        }
    }

    #[test]
    fn the_corpus_is_the_same_every_time() {
        let (a, b) = (tempfile::tempdir().expect("temp dir"), tempfile::tempdir().expect("temp dir"));
        generate(a.path(), 50).expect("generated");
        generate(b.path(), 50).expect("generated");
        assert_eq!(sources(a.path()), sources(b.path()));
    }

    #[test]
    fn templates_take_the_file_style() {
        let template = "function f(a«: number»)«: string» {\n  «let typed: number;»\n  return 'x' + a;\n}\n";
        let js = Style { double_quotes: true, semicolons: false, indent: "\t", flavor: Flavor::Esm };
        let mut out = String::new();
        render(&mut out, template, &js, &[]);
        assert_eq!(out, "function f(a) {\n\treturn \"x\" + a\n}\n");
        let ts = Style { double_quotes: false, semicolons: true, indent: "    ", flavor: Flavor::TypeScript };
        let mut out = String::new();
        render(&mut out, template, &ts, &[]);
        assert_eq!(out, "function f(a: number): string {\n    let typed: number;\n    return 'x' + a;\n}\n");
    }
}
