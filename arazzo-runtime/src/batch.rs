//! Running a workflow over many inputs: bounded concurrency, progress through a callback. Rate
//! limits come from the [`RunOptions`](crate::RunOptions) the runs share (clone one value
//! into every run, and its limits are shared).

use std::future::Future;
use std::time::{Duration, Instant};

use futures_util::StreamExt;

use crate::run::Reported;

/// How a batch is going, after each run that finished.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Progress {
    /// Runs finished.
    pub done: usize,
    /// Of those, runs that failed.
    pub failed: usize,
    /// Runs in all.
    pub total: usize,
    /// Time since the batch started.
    pub elapsed: Duration,
}

/// Runs `run` on every item, at most `concurrency` at a time (at least one), and calls
/// `finished` with each item's index, its result and report, and the progress so far, in the
/// order the runs finish. Returns the progress at the end.
pub async fn batch<I, T, F, Fut>(
    items: Vec<I>,
    concurrency: usize,
    run: F,
    mut finished: impl FnMut(usize, Reported<T>, Progress),
) -> Progress
where
    F: Fn(I) -> Fut,
    Fut: Future<Output = Reported<T>>,
{
    let started = Instant::now();
    let total = items.len();
    let mut progress = Progress {
        done: 0,
        failed: 0,
        total,
        elapsed: Duration::ZERO,
    };
    let run = &run;
    let mut runs = futures_util::stream::iter(items.into_iter().enumerate())
        .map(|(i, item)| async move { (i, run(item).await) })
        .buffer_unordered(concurrency.max(1));
    while let Some((i, reported)) = runs.next().await {
        progress.done += 1;
        progress.failed += usize::from(reported.result.is_err());
        progress.elapsed = started.elapsed();
        finished(i, reported, progress);
    }
    progress.elapsed = started.elapsed();
    progress
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::run::Report;
    use crate::Error;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[tokio::test]
    async fn every_item_runs_once_within_the_concurrency_bound() {
        let (running, peak) = (AtomicUsize::new(0), AtomicUsize::new(0));
        let mut seen = Vec::new();
        let end = batch(
            (0..40u32).collect(),
            4,
            |n| {
                let (running, peak) = (&running, &peak);
                async move {
                    let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                    peak.fetch_max(now, Ordering::SeqCst);
                    tokio::time::sleep(Duration::from_millis(2)).await;
                    running.fetch_sub(1, Ordering::SeqCst);
                    let result = if n % 10 == 3 {
                        Err(Error::MissingInput { input: "x" })
                    } else {
                        Ok(n)
                    };
                    Reported {
                        result,
                        report: Report::default(),
                    }
                }
            },
            |i, r, p| {
                assert_eq!(
                    r.result.as_ref().ok().copied().unwrap_or(i as u32),
                    i as u32
                );
                seen.push(i);
                assert_eq!(p.done, seen.len());
            },
        )
        .await;
        seen.sort_unstable();
        assert_eq!(seen, (0..40).collect::<Vec<_>>());
        assert_eq!((end.done, end.failed, end.total), (40, 4, 40));
        assert_eq!(peak.load(Ordering::SeqCst), 4);
    }
}
