//! What a caller may set for one run of a workflow.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use crate::transport::{RateLimit, TransportRetry};

/// Options for one run of a workflow (`<workflow>::run(&clients, inputs, &options)`). The
/// default is what the plain workflow function does: random idempotency keys, the generator's
/// step timeout if it set one, no deadline, no transport retries, no rate limit.
///
/// Cloning is cheap and clones share their rate limits, so the runs of a batch that clone one
/// value are limited together.
#[derive(Clone, Debug, Default)]
pub struct RunOptions {
    pub(crate) run_key: Option<String>,
    pub(crate) step_timeout: Option<Duration>,
    pub(crate) deadline: Option<Duration>,
    pub(crate) transport_retry: Option<TransportRetry>,
    pub(crate) rate_limits: BTreeMap<String, Arc<RateLimit>>,
    /// Set by the plain workflow function, which hands back the result only: the report's
    /// steps keep no outputs, durations, statuses or request counts (nothing builds them).
    pub(crate) result_only: bool,
}

/// The plain workflow function's options: the default, for a caller that reads the result
/// only (not the report's outputs).
pub fn result_only() -> RunOptions {
    RunOptions {
        result_only: true,
        ..RunOptions::default()
    }
}

impl RunOptions {
    /// Default options.
    pub fn new() -> Self {
        Self::default()
    }

    /// Derive every idempotency key of the run from `key` (with the document, workflow id,
    /// step id and the how-many-th visit of the step), so that a run repeated with the same
    /// key sends the same keys and the API replays what it did instead of doing it again.
    /// Choose a key that names the work, such as the id of the record being synced.
    pub fn run_key(mut self, key: impl Into<String>) -> Self {
        self.run_key = Some(key.into());
        self
    }

    /// The run key, if one is set.
    pub fn key(&self) -> Option<&str> {
        self.run_key.as_deref()
    }

    /// How long one attempt of a step may take (sending, waiting, reading the response, and
    /// any transport retries). Overrides the generator's default.
    pub fn step_timeout(mut self, timeout: Duration) -> Self {
        self.step_timeout = Some(timeout);
        self
    }

    /// How long the whole run may take, from its start.
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.deadline = Some(deadline);
        self
    }

    /// Retry requests that meet a connection error, a 429 or a 503 (see [`TransportRetry`]).
    pub fn transport_retry(mut self, retry: TransportRetry) -> Self {
        self.transport_retry = Some(retry);
        self
    }

    /// At most `per_second` requests a second to the source named `source` (its name in the
    /// Arazzo document), across every run that shares these options.
    pub fn rate_limit(mut self, source: impl Into<String>, per_second: f64) -> Self {
        self.rate_limits
            .insert(source.into(), Arc::new(RateLimit::new(per_second)));
        self
    }
}
