//! What happens to one request on its way out, within a run: a client-side rate limit per
//! source, and (opt-in) retries of connection errors, 429 and 503 with exponential backoff and
//! jitter. The run's step sets the context ([`within`]); the client's `exec` hook ([`execute`]
//! in `exchange.rs`) reads it. Outside a run a request is sent once, as it is.

use std::future::Future;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use futures_util::future::Either;
use tokio::time::Instant;

use crate::run::RunOptions;

/// Transport retries: for connection errors, `429 Too Many Requests` and `503 Service
/// Unavailable`, only for requests that are safe to send again (idempotent methods, or a
/// request that carries an idempotency key). Waits grow exponentially from `base` with
/// jitter, up to `max_delay`; a `Retry-After` header (seconds or an HTTP date) is honoured
/// instead when the response has one. Bounded by `attempts` in all and by `total` time.
///
/// These retries are below the workflow: a document's `retry` actions keep their own
/// meaning and see only the last response.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TransportRetry {
    /// Sends in all, the first included (at least 1).
    pub attempts: u32,
    /// The first wait.
    pub base: Duration,
    /// The longest wait.
    pub max_delay: Duration,
    /// No retry starts whose wait would end later than this after the first send.
    pub total: Duration,
}

impl Default for TransportRetry {
    fn default() -> Self {
        TransportRetry {
            attempts: 4,
            base: Duration::from_millis(200),
            max_delay: Duration::from_secs(10),
            total: Duration::from_secs(30),
        }
    }
}

impl TransportRetry {
    /// The wait before send `attempt + 1`: `base * 2^(attempt-1)`, at most `max_delay`, of
    /// which the second half is random (so that clients that failed together spread out).
    pub(crate) fn backoff(&self, attempt: u32) -> Duration {
        let exp = self
            .base
            .saturating_mul(1u32 << attempt.saturating_sub(1).min(20));
        let full = exp.min(self.max_delay);
        full / 2 + full.mul_f64(fastrand::f64() / 2.0)
    }
}

/// A client-side rate limit: requests are spaced at least `1 / per_second` apart, in the
/// order they ask (no bursts).
#[derive(Debug)]
pub struct RateLimit {
    interval: Duration,
    next: Mutex<Option<Instant>>,
}

impl RateLimit {
    /// At most `per_second` requests a second (a value that is not positive means no limit).
    pub fn new(per_second: f64) -> Self {
        let interval = if per_second.is_finite() && per_second > 0.0 {
            Duration::from_secs_f64(1.0 / per_second)
        } else {
            Duration::ZERO
        };
        RateLimit {
            interval,
            next: Mutex::new(None),
        }
    }

    /// Waits for this request's slot.
    pub async fn acquire(&self) {
        if self.interval.is_zero() {
            return;
        }
        let slot = {
            let mut next = self.next.lock().unwrap_or_else(|p| p.into_inner());
            let now = Instant::now();
            let slot = next.map_or(now, |n| n.max(now));
            *next = Some(slot + self.interval);
            slot
        };
        tokio::time::sleep_until(slot).await;
    }
}

/// What a step attempt tells the requests it sends: one allocation per attempt, which the
/// task-local holds by pointer (it is swapped in and out on every poll).
#[derive(Clone)]
pub(crate) struct Context(pub(crate) Arc<Attempt>);

/// The attempt a [`Context`] points to.
pub(crate) struct Attempt {
    pub(crate) options: Arc<RunOptions>,
    /// The source the step calls (its rate limit).
    pub(crate) source: &'static str,
    /// The request carries an idempotency key.
    pub(crate) keyed: bool,
    /// Requests sent so far by this attempt (transport retries included).
    pub(crate) sent: AtomicU32,
    /// Arazzo 1.1 `in: querystring`: the whole query string, sent in place of the client's.
    pub(crate) query: Option<Arc<str>>,
}

impl std::ops::Deref for Context {
    type Target = Attempt;

    fn deref(&self) -> &Attempt {
        &self.0
    }
}

tokio::task_local! {
    static CONTEXT: Context;
}

/// Whether the current task is a step attempt of a run (whose responses are read whole).
pub(crate) fn in_step() -> bool {
    CONTEXT.try_with(|_| ()).is_ok()
}

/// Runs `future` (a step attempt) with `context` seen by its requests.
pub(crate) fn within<F: std::future::Future>(
    context: Context,
    future: F,
) -> impl std::future::Future<Output = F::Output> {
    CONTEXT.scope(context, future)
}

/// Arazzo 1.1 `in: querystring`: the current step attempt's query string, written in place of
/// the one the client built.
pub(crate) fn put_query(request: &mut reqwest::Request) {
    let _ = CONTEXT.try_with(|context| {
        if let Some(query) = &context.query {
            request.url_mut().set_query(Some(query));
        }
    });
}

/// Sends `request` as the current step attempt says: after its source's rate limit, and again
/// on a transient failure when transport retries are on. What to do is decided when called;
/// the future returned holds only reqwest's own (a paced send is boxed), since it lives
/// inside every generated client's future, which a step moves.
pub(crate) fn send(
    client: &reqwest::Client,
    request: reqwest::Request,
) -> impl Future<Output = reqwest::Result<reqwest::Response>> + Send + '_ {
    let paced_by = CONTEXT
        .try_with(|context| {
            let limit = context.options.rate_limits.get(context.source).cloned();
            let safe = context.keyed || request.method().is_idempotent();
            let policy = context.options.transport_retry.filter(|_| safe);
            if limit.is_none() && policy.is_none() {
                context.sent.fetch_add(1, Ordering::Relaxed);
                None
            } else {
                Some((context.clone(), limit, policy))
            }
        })
        .ok()
        .flatten();
    match paced_by {
        None => Either::Left(client.execute(request)),
        Some((context, limit, policy)) => Either::Right(Box::pin(async move {
            paced(client, request, &context, limit, policy).await
        })),
    }
}

/// [`send`] under a rate limit or with transport retries.
async fn paced(
    client: &reqwest::Client,
    request: reqwest::Request,
    context: &Context,
    limit: Option<Arc<RateLimit>>,
    policy: Option<TransportRetry>,
) -> reqwest::Result<reqwest::Response> {
    let started = Instant::now();
    let mut attempt = 1u32;
    let mut request = request;
    loop {
        // A copy to send again, unless this is the last send; a body that cannot be cloned
        // (a stream) is sent once.
        let spare = policy
            .filter(|p| attempt < p.attempts)
            .and_then(|_| request.try_clone());
        if let Some(limit) = &limit {
            limit.acquire().await;
        }
        context.sent.fetch_add(1, Ordering::Relaxed);
        let result = client.execute(request).await;
        let (Some(policy), Some(spare)) = (policy, spare) else {
            return result;
        };
        let wait = match &result {
            Err(e) if e.is_connect() => policy.backoff(attempt),
            Ok(r) if matches!(r.status().as_u16(), 429 | 503) => {
                asked_wait(r.headers(), SystemTime::now()).unwrap_or(policy.backoff(attempt))
            }
            _ => return result,
        };
        if started.elapsed() + wait > policy.total {
            return result;
        }
        let why = match &result {
            Ok(r) => format!("status {}", r.status().as_u16()),
            Err(_) => "connection error".to_string(),
        };
        tracing::warn!(
            attempt,
            wait_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX),
            why = why.as_str(),
            "transport retry"
        );
        tokio::time::sleep(wait).await;
        attempt += 1;
        request = spare;
    }
}

/// The longest wait a response can ask for, in seconds.
pub(crate) const LONGEST_WAIT: f64 = 3600.0;

/// The wait a `Retry-After` header asks for (seconds or an HTTP date), at most an hour.
pub(crate) fn asked_wait(
    headers: &reqwest::header::HeaderMap,
    now: SystemTime,
) -> Option<Duration> {
    let v = headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    let seconds = match v.parse::<f64>() {
        Ok(s) => s,
        Err(_) => {
            let at = httpdate::parse_http_date(v).ok()?;
            at.duration_since(now).map_or(0.0, |d| d.as_secs_f64())
        }
    };
    (seconds.is_finite() && seconds >= 0.0)
        .then(|| Duration::from_secs_f64(seconds.min(LONGEST_WAIT)))
}

#[cfg(test)]
mod tests;
