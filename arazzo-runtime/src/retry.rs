//! Waiting before a `retry` action runs a step again.

use std::time::{Duration, SystemTime};

/// How long to wait before a retry: the response's `Retry-After` (seconds, or an HTTP date)
/// when it has one, at most an hour; else the action's `retryAfter` seconds.
pub fn retry_delay(headers: &reqwest::header::HeaderMap, retry_after: f64) -> Duration {
    retry_delay_at(headers, retry_after, SystemTime::now())
}

fn retry_delay_at(
    headers: &reqwest::header::HeaderMap,
    retry_after: f64,
    now: SystemTime,
) -> Duration {
    if let Some(asked) = crate::transport::asked_wait(headers, now) {
        return asked;
    }
    let seconds = if retry_after.is_finite() {
        retry_after.clamp(0.0, crate::transport::LONGEST_WAIT)
    } else {
        0.0
    };
    Duration::from_secs_f64(seconds)
}

/// Waits (on the tokio timer).
pub async fn sleep(delay: Duration) {
    tokio::time::sleep(delay).await;
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::{HeaderMap, HeaderValue, RETRY_AFTER};

    fn asking(value: &'static str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(RETRY_AFTER, HeaderValue::from_static(value));
        h
    }

    #[test]
    fn the_response_decides_in_seconds_bounded_by_an_hour() {
        assert_eq!(retry_delay(&asking("2"), 0.5), Duration::from_secs(2));
        assert_eq!(
            retry_delay(&asking("99999"), 0.5),
            Duration::from_secs(3600)
        );
        assert_eq!(
            retry_delay(&HeaderMap::new(), 0.25),
            Duration::from_millis(250)
        );
        assert_eq!(retry_delay(&asking("soon"), 1.0), Duration::from_secs(1));
        assert_eq!(retry_delay(&asking("-3"), 1.0), Duration::from_secs(1));
        assert_eq!(retry_delay(&HeaderMap::new(), f64::NAN), Duration::ZERO);
    }

    #[test]
    fn an_http_date_counts_from_now() {
        let now = httpdate::parse_http_date("Tue, 01 Dec 2026 10:00:00 GMT").unwrap();
        let h = asking("Tue, 01 Dec 2026 10:00:30 GMT");
        assert_eq!(retry_delay_at(&h, 5.0, now), Duration::from_secs(30));
        let past = asking("Tue, 01 Dec 2026 09:00:00 GMT");
        assert_eq!(retry_delay_at(&past, 5.0, now), Duration::ZERO);
    }
}
