//! A progress bar on stderr for long runs: the pipeline counts the files it has read and planned ([`Progress`]), and
//! the command line shows the count ([`Bar`]) when the run lasts longer than about a second, on a terminal, in the
//! text format only (never in JSON, SARIF or markdown, whose readers are programs, and never when stderr is not a
//! terminal). The bar is cleared before anything else is printed.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// How long a run goes before the bar appears; `EXPRESS_HARDEN_PROGRESS_DELAY_MS` changes it (the tests show it at
/// once).
const DELAY: Duration = Duration::from_millis(1000);

/// How far a run is: units of work known and done (each source file is read once and planned once: two units).
#[derive(Debug, Default)]
pub struct Progress {
    total: AtomicUsize,
    done: AtomicUsize,
}

impl Progress {
    /// Adds `n` units of work to do.
    pub fn add_total(&self, n: usize) {
        self.total.fetch_add(n, Ordering::Relaxed);
    }

    /// One unit done.
    pub fn advance(&self) {
        self.done.fetch_add(1, Ordering::Relaxed);
    }

    /// Units done, and known.
    fn get(&self) -> (usize, usize) {
        (self.done.load(Ordering::Relaxed), self.total.load(Ordering::Relaxed))
    }
}

/// The bar's thread: it waits out the delay, then draws `progress` until [`Bar::finish`].
pub struct Bar {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Bar {
    /// Starts showing `progress` on stderr after the delay.
    pub fn start(progress: Arc<Progress>) -> Bar {
        let stop = Arc::new(AtomicBool::new(false));
        let delay = std::env::var("EXPRESS_HARDEN_PROGRESS_DELAY_MS")
            .ok()
            .and_then(|ms| ms.parse().ok())
            .map_or(DELAY, Duration::from_millis);
        let stopped = Arc::clone(&stop);
        let thread = std::thread::spawn(move || draw(&progress, &stopped, delay));
        Bar { stop, thread: Some(thread) }
    }

    /// Stops and clears the bar (a no-op when it never appeared).
    pub fn finish(mut self) {
        self.end();
    }

    fn end(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for Bar {
    fn drop(&mut self) {
        self.end();
    }
}

fn draw(progress: &Progress, stop: &AtomicBool, delay: Duration) {
    let tick = Duration::from_millis(50);
    let start = Instant::now();
    while start.elapsed() < delay {
        if stop.load(Ordering::Relaxed) {
            return;
        }
        std::thread::sleep(tick.min(delay.saturating_sub(start.elapsed())));
    }
    let bar = indicatif::ProgressBar::with_draw_target(None, indicatif::ProgressDrawTarget::stderr());
    let style = indicatif::ProgressStyle::with_template("planning {pos}/{len} files [{bar:30}] {elapsed}")
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
        .progress_chars("=> ");
    bar.set_style(style);
    loop {
        // Read before drawing: the state when the run ends is drawn once before the bar is cleared.
        let stopping = stop.load(Ordering::Relaxed);
        // Units are halves of files (read, then planned).
        let (done, total) = progress.get();
        // Nothing to show until the walk has found the files.
        if total > 0 {
            bar.set_length(total.div_ceil(2) as u64);
            bar.set_position((done / 2) as u64);
            bar.tick();
        }
        if stopping {
            break;
        }
        std::thread::sleep(tick);
    }
    bar.finish_and_clear();
}
