//! One run of a workflow: its options, the visits of its steps, their idempotency keys,
//! spans and report. Generated workflow functions make one [`Run`] per call and report each
//! step to it; callers see [`RunOptions`] and [`Report`].
//!
//! Dropping a run's future midway (a deadline, a `select!`, a cancelled task) stops it between
//! two awaits: the generated code keeps no state outside the future, so nothing is left half
//! written on this side. A request already sent may still have taken effect on the server; a
//! run repeated with the same run key sends the same idempotency keys, so the API replays it.

mod keys;
mod options;
mod report;

use std::future::Future;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use serde_json::Value;
use tracing::Instrument;

pub use options::{result_only, RunOptions};
pub use report::{Action, Report, Reported, StepOutputs, StepReport};

use crate::exchange::Exchange;
use crate::transport;
use crate::Error;

/// The operation a step calls, for spans and rate limits.
#[derive(Clone, Copy, Debug)]
pub struct Call {
    /// The source's name in the Arazzo document.
    pub source: &'static str,
    /// The operation's id.
    pub operation: &'static str,
    /// The HTTP method, upper case.
    pub method: &'static str,
    /// The path template (not the filled URL, which may hold identifiers).
    pub path: &'static str,
}

/// One visit of a step: which step, which visit of it in the run, which attempt.
#[derive(Clone, Copy, Debug)]
pub struct Visit {
    step: &'static str,
    number: u32,
    attempt: u32,
    entry: usize,
}

/// A run of a workflow, as generated code sees it; a workflow called by a step runs in a
/// [`Run::workflow`] of its caller's run (same options, keys and report).
pub struct Run {
    shared: Arc<Shared>,
    doc: &'static str,
    workflow: &'static str,
    span: tracing::Span,
}

struct Shared {
    options: Arc<RunOptions>,
    step_timeout: Option<Duration>,
    started: Instant,
    state: Mutex<State>,
}

/// A step: its document, its workflow's id and its id.
pub type StepKey = (&'static str, &'static str, &'static str);

#[derive(Default)]
struct State {
    /// The report's entry of each step's last visit (its number is the entry's `visit`). A
    /// list: a run has few steps, and a search compares them cheaper than hashing them would.
    last: Vec<(StepKey, usize)>,
    /// Steps whose next visit repeats their last (a `retry` action).
    retrying: Vec<StepKey>,
    steps: Vec<StepReport>,
    /// What the run keeps of each entry beside the report.
    meta: Vec<Meta>,
    /// The entry of the step running.
    current: Option<usize>,
}

/// Beside a report entry: when the visit started, whether the step finished, and its random
/// idempotency key once one is asked for.
struct Meta {
    started: Instant,
    done: bool,
    key: Option<String>,
}

impl Run {
    /// A new run with `options`; `step_timeout_ms` is the generator's default per-step
    /// timeout (0: none).
    pub fn start(options: &RunOptions, step_timeout_ms: u64) -> Run {
        let step_timeout = options
            .step_timeout
            .or((step_timeout_ms > 0).then(|| Duration::from_millis(step_timeout_ms)));
        Run {
            shared: Arc::new(Shared {
                options: Arc::new(options.clone()),
                step_timeout,
                started: Instant::now(),
                state: Mutex::default(),
            }),
            doc: "",
            workflow: "",
            span: tracing::Span::current(),
        }
    }

    /// The run of workflow `workflow` of document `doc` within this one, in its own span.
    pub fn workflow(&self, doc: &'static str, workflow: &'static str) -> Run {
        let run_key = self.shared.options.run_key.as_deref();
        let span = tracing::info_span!(parent: &self.span, "workflow", workflow, run_key);
        Run {
            shared: Arc::clone(&self.shared),
            doc,
            workflow,
            span,
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.shared
            .state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Runs the workflow's future within the run's deadline, if it has one. The future is
    /// not boxed: each step's request is (see [`Run::send`]), so what the workflow holds
    /// itself is its steps' values, and a copy into a box of its own cost more than it saved.
    pub async fn drive<T>(
        &self,
        future: impl Future<Output = Result<T, Error>>,
    ) -> Result<T, Error> {
        let future = std::pin::pin!(future);
        let Some(deadline) = self.shared.options.deadline else {
            return future.await;
        };
        let left = deadline.saturating_sub(self.shared.started.elapsed());
        match tokio::time::timeout(left, future).await {
            Ok(result) => result,
            Err(_) => {
                let state = self.state();
                let step = state
                    .current
                    .and_then(|i| state.steps.get(i))
                    .map(|s| s.step);
                tracing::warn!(parent: &self.span, step, "the run's deadline passed");
                Err(Error::Deadline {
                    step,
                    after: deadline,
                })
            }
        }
    }

    /// The result and the report of the run.
    pub fn finish<T>(self, result: Result<T, Error>) -> Reported<T> {
        let mut state = self.state();
        let State { steps, meta, .. } = &mut *state;
        let last = steps.len().checked_sub(1);
        for (i, (entry, meta)) in steps.iter_mut().zip(meta.iter()).enumerate() {
            if entry.action != Action::Unfinished {
                continue;
            }
            entry.action = match (&result, meta.done) {
                (Ok(_), true) if Some(i) == last => Action::End,
                (_, true) => Action::Next,
                (Err(Error::Deadline { .. }), false) => Action::Unfinished,
                (Err(_), false) => Action::Fail,
                (Ok(_), false) => Action::Unfinished,
            };
        }
        if let Err(e) = &result {
            let failed = steps
                .iter_mut()
                .rev()
                .find(|s| Some(s.step) == e.step() && s.action != Action::Next);
            if let Some(entry) = failed {
                entry.error = Some(e.to_string());
            }
        }
        let report = Report {
            run_key: self.shared.options.run_key.clone(),
            duration: self.shared.started.elapsed(),
            steps: std::mem::take(steps),
        };
        Reported { result, report }
    }

    /// Starts a visit of step `step`: a new one, or (after [`Run::retry`]) another attempt
    /// of the last.
    pub fn visit(&self, step: &'static str) -> Visit {
        let key = (self.doc, self.workflow, step);
        let mut state = self.state();
        let at = state.last.iter().position(|(k, _)| *k == key);
        let last = at.map(|i| state.last[i].1);
        let retried = match state.retrying.iter().position(|k| *k == key) {
            Some(i) => {
                state.retrying.swap_remove(i);
                true
            }
            None => false,
        };
        if let (true, Some(entry)) = (retried, last) {
            if let Some(s) = state.steps.get_mut(entry) {
                s.attempts += 1;
                s.action = Action::Unfinished;
                let visit = Visit {
                    step,
                    number: s.visit,
                    attempt: s.attempts,
                    entry,
                };
                state.current = Some(entry);
                return visit;
            }
        }
        let number = last
            .and_then(|i| state.steps.get(i))
            .map_or(1, |s| s.visit + 1);
        let entry = state.steps.len();
        state.steps.push(StepReport {
            workflow: self.workflow,
            step,
            visit: number,
            attempts: 1,
            requests: 0,
            status: None,
            replayed: false,
            duration: Duration::ZERO,
            action: Action::Unfinished,
            outputs: serde_json::Map::new(),
            error: None,
        });
        state.meta.push(Meta {
            started: Instant::now(),
            done: false,
            key: None,
        });
        match at {
            Some(i) => state.last[i].1 = entry,
            None => state.last.push((key, entry)),
        }
        state.current = Some(entry);
        Visit {
            step,
            number,
            attempt: 1,
            entry,
        }
    }

    /// The idempotency key of a visit: derived from the run key when there is one, else random
    /// for the visit. Either way every attempt of the visit sends the same key.
    pub fn key(&self, visit: &Visit) -> String {
        if let Some(run_key) = &self.shared.options.run_key {
            let step = (self.doc, self.workflow, visit.step);
            return keys::derived(run_key, step, visit.number);
        }
        let mut state = self.state();
        match state.meta.get_mut(visit.entry) {
            Some(meta) => meta.key.get_or_insert_with(keys::random).clone(),
            None => keys::random(),
        }
    }

    /// Changes the visit's report entry and what the run keeps beside it, and brings its
    /// duration up to now.
    fn update(&self, visit: &Visit, change: impl FnOnce(&mut StepReport, &mut Meta)) {
        let mut state = self.state();
        let State { steps, meta, .. } = &mut *state;
        if let (Some(entry), Some(meta)) = (steps.get_mut(visit.entry), meta.get_mut(visit.entry)) {
            change(entry, meta);
            if !self.shared.options.result_only {
                entry.duration = meta.started.elapsed();
            }
        }
    }

    /// Sends a step's request: `future` is the exchange. One span per attempt; the step
    /// timeout bounds it; its requests see the run's rate limits and transport retries. The
    /// exchange is boxed at once (a generated client's future is large; this keeps the
    /// workflow's own future small).
    pub fn send<'a, F>(
        &'a self,
        visit: &'a Visit,
        call: &'a Call,
        keyed: bool,
        future: F,
    ) -> impl Future<Output = Result<Exchange, Error>> + 'a
    where
        F: Future<Output = Result<Exchange, Error>> + 'a,
    {
        self.attempt(visit, call, keyed, None, None, Box::pin(future))
    }

    /// [`Run::send`] for a step with its own timeout (Arazzo 1.1 `timeout`, in milliseconds):
    /// it bounds each attempt, as does the run's step timeout when that is shorter.
    pub fn send_within<'a, F>(
        &'a self,
        visit: &'a Visit,
        call: &'a Call,
        keyed: bool,
        timeout_ms: u64,
        future: F,
    ) -> impl Future<Output = Result<Exchange, Error>> + 'a
    where
        F: Future<Output = Result<Exchange, Error>> + 'a,
    {
        self.attempt(visit, call, keyed, Some(timeout_ms), None, Box::pin(future))
    }

    /// [`Run::send`] for a step with an Arazzo 1.1 `in: querystring` parameter: `query` is
    /// sent as the request's whole query string, in place of the one the client builds; with
    /// `timeout_ms`, as [`Run::send_within`].
    pub fn send_query<'a, F>(
        &'a self,
        visit: &'a Visit,
        call: &'a Call,
        keyed: bool,
        timeout_ms: Option<u64>,
        query: impl AsRef<str>,
        future: F,
    ) -> impl Future<Output = Result<Exchange, Error>> + 'a
    where
        F: Future<Output = Result<Exchange, Error>> + 'a,
    {
        let query = Some(query.as_ref().into());
        self.attempt(visit, call, keyed, timeout_ms, query, Box::pin(future))
    }

    /// The bound of a step: its own timeout (ms), or the run's step timeout if that is shorter
    /// or the step has none.
    fn step_limit(&self, timeout_ms: Option<u64>) -> Option<Duration> {
        let own = timeout_ms.map(Duration::from_millis);
        match (own, self.shared.step_timeout) {
            (Some(own), Some(run)) => Some(own.min(run)),
            (own, run) => own.or(run),
        }
    }

    /// A step that calls a workflow, with its own timeout (Arazzo 1.1 `timeout`): the called
    /// workflow must finish within it.
    pub async fn within<T>(
        &self,
        visit: &Visit,
        timeout_ms: u64,
        future: impl Future<Output = Result<T, Error>>,
    ) -> Result<T, Error> {
        let own = Duration::from_millis(timeout_ms);
        let limit = self.step_limit(Some(timeout_ms)).unwrap_or(own);
        tokio::time::timeout(limit, future)
            .await
            .unwrap_or(Err(Error::Timeout {
                step: visit.step,
                after: limit,
            }))
    }

    /// Arazzo 1.1 `dependsOn`: an error unless step `step` of workflow `workflow` (of document
    /// `doc`) has finished in this run; `needs` is the entry as the document writes it.
    pub fn require(
        &self,
        visit: &Visit,
        (doc, workflow, step): StepKey,
        needs: &'static str,
    ) -> Result<(), Error> {
        let state = self.state();
        let done = state
            .last
            .iter()
            .find(|(k, _)| *k == (doc, workflow, step))
            .and_then(|(_, entry)| state.meta.get(*entry))
            .is_some_and(|m| m.done);
        if done {
            Ok(())
        } else {
            Err(Error::Dependency {
                step: visit.step,
                needs,
            })
        }
    }

    /// One attempt of a step's request. Only the awaiting is generic (one copy per step);
    /// what comes before and after is shared by every step ([`Run::begin`], [`Run::end`]).
    async fn attempt<F>(
        &self,
        visit: &Visit,
        call: &Call,
        keyed: bool,
        timeout_ms: Option<u64>,
        query: Option<Arc<str>>,
        future: std::pin::Pin<Box<F>>,
    ) -> Result<Exchange, Error>
    where
        F: Future<Output = Result<Exchange, Error>>,
    {
        let (span, context) = self.begin(visit, call, keyed, query);
        let sent = context.clone();
        let started = Instant::now();
        let attempt = transport::within(context, future).instrument(span.clone());
        let result = match self.step_limit(timeout_ms) {
            Some(limit) => {
                tokio::time::timeout(limit, attempt)
                    .await
                    .unwrap_or(Err(Error::Timeout {
                        step: visit.step,
                        after: limit,
                    }))
            }
            None => attempt.await,
        };
        self.end(visit, &span, &sent, started, &result);
        result
    }

    /// The span and the transport context of an attempt.
    fn begin(
        &self,
        visit: &Visit,
        call: &Call,
        keyed: bool,
        query: Option<Arc<str>>,
    ) -> (tracing::Span, transport::Context) {
        let span = tracing::info_span!(
            parent: &self.span,
            "step",
            workflow = self.workflow,
            step = visit.step,
            operation = call.operation,
            method = call.method,
            path = call.path,
            attempt = visit.attempt,
            status = tracing::field::Empty,
            duration_ms = tracing::field::Empty,
        );
        let context = transport::Context(Arc::new(transport::Attempt {
            options: Arc::clone(&self.shared.options),
            source: call.source,
            keyed,
            sent: AtomicU32::new(0),
            query,
        }));
        (span, context)
    }

    /// What an attempt ended with, traced and kept in the report.
    fn end(
        &self,
        visit: &Visit,
        span: &tracing::Span,
        sent: &transport::Context,
        started: Instant,
        result: &Result<Exchange, Error>,
    ) {
        let status = result.as_ref().ok().map(|x| x.status);
        // The duration is read only where something keeps it: the span, an event, the report.
        let duration_ms = || millis(started.elapsed());
        if !span.is_disabled() {
            span.record("duration_ms", duration_ms());
            if let Some(status) = status {
                span.record("status", status);
            }
        }
        match (result, status) {
            (_, Some(status)) => {
                tracing::info!(parent: span, step = visit.step, status, duration_ms = duration_ms(), attempt = visit.attempt, "step answered");
            }
            (Err(e), None) => {
                tracing::warn!(parent: span, step = visit.step, error = e.kind(), duration_ms = duration_ms(), attempt = visit.attempt, "step got no response");
            }
            (Ok(_), None) => {}
        }
        // The plain workflow function drops the report: nothing to keep in it.
        if self.shared.options.result_only {
            return;
        }
        // Only a request with an idempotency key can be a replay.
        const REPLAYED: reqwest::header::HeaderName =
            reqwest::header::HeaderName::from_static("idempotent-replayed");
        let replayed = sent.keyed
            && result.as_ref().is_ok_and(|x| {
                x.headers
                    .get(&REPLAYED)
                    .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"true"))
            });
        let requests = sent.sent.load(Ordering::Relaxed);
        self.update(visit, |s, _| {
            s.requests += requests;
            s.status = status.or(s.status);
            s.replayed = replayed;
        });
    }

    /// The step's criteria: all held (`None`) or the first that did not.
    pub fn criteria(&self, visit: &Visit, failed: Option<&'static str>) {
        match failed {
            None => tracing::debug!(parent: &self.span, step = visit.step, "success criteria hold"),
            Some(criterion) => {
                tracing::info!(parent: &self.span, step = visit.step, criterion, "a success criterion does not hold")
            }
        }
    }

    /// The error for a step whose criterion `criterion` did not hold on `exchange`: an
    /// [`Error::Idempotency`] when the request carried an idempotency key and the API says it
    /// refused the key, else [`Error::Failed`].
    pub fn failed(
        &self,
        visit: &Visit,
        criterion: &'static str,
        exchange: Exchange,
        keyed: bool,
    ) -> Error {
        self.criteria(visit, Some(criterion));
        // The error shows the whole body, not only what the step reads of it.
        let status = exchange.status;
        let body = exchange.into_body();
        if keyed && refuses_key(status, &body) {
            return Error::Idempotency {
                step: visit.step,
                status,
                body: Some(body),
            };
        }
        Error::Failed {
            step: visit.step,
            criterion,
            status,
            body: Some(body),
        }
    }

    /// The step's outputs, read: the step is done.
    pub fn outputs(&self, visit: &Visit, outputs: impl FnOnce() -> Vec<(&'static str, Value)>) {
        let reported = !self.shared.options.result_only;
        self.update(visit, |s, meta| {
            if reported {
                s.outputs = outputs()
                    .into_iter()
                    .map(|(k, v)| (k.to_string(), v))
                    .collect();
            }
            meta.done = true;
        });
    }

    /// The action taken after the step.
    pub fn action(&self, visit: &Visit, action: Action) {
        tracing::info!(parent: &self.span, step = visit.step, action = ?action, "action");
        self.update(visit, |s, _| s.action = action);
    }

    /// A `retry` action: the step is run again from `target` (itself, or an earlier step),
    /// whose next visit is another attempt of its last (same idempotency key).
    pub fn retry(&self, visit: &Visit, target: &'static str) {
        self.action(visit, Action::Retry);
        let key = (self.doc, self.workflow, target);
        let mut state = self.state();
        if !state.retrying.contains(&key) {
            state.retrying.push(key);
        }
    }
}

/// Whether an error response says the API refused an idempotency key (reused with another
/// request, or still in use): a 400, 409 or 422 whose error type, code or title names
/// idempotency (Stripe's `idempotency_error`, RFC 9457 problem types of the IETF draft).
fn refuses_key(status: u16, body: &Value) -> bool {
    matches!(status, 400 | 409 | 422)
        && ["/error/type", "/error/code", "/type", "/code", "/title"]
            .iter()
            .filter_map(|p| body.pointer(p).and_then(Value::as_str))
            .any(|s| s.to_ascii_lowercase().contains("idempoten"))
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests;
