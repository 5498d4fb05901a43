use std::sync::atomic::AtomicU32;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

use super::*;

/// A server that answers each connection's request with the next of `answers` (status and
/// extra headers), then closes; the number of requests it got.
async fn server(answers: Vec<(u16, &'static str)>) -> (String, Arc<AtomicU32>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/x", listener.local_addr().unwrap());
    let count = Arc::new(AtomicU32::new(0));
    let seen = Arc::clone(&count);
    tokio::spawn(async move {
        for (status, headers) in answers {
            let (mut conn, _) = listener.accept().await.unwrap();
            let mut buf = vec![0u8; 4096];
            let _ = conn.read(&mut buf).await;
            seen.fetch_add(1, Ordering::SeqCst);
            let reply = format!(
                "HTTP/1.1 {status} X\r\ncontent-length: 2\r\nconnection: close\r\n{headers}\r\n{{}}"
            );
            let _ = conn.write_all(reply.as_bytes()).await;
        }
    });
    (url, count)
}

/// A step attempt's context, and a handle on it for reading what it sent.
fn context(retry: Option<TransportRetry>, keyed: bool) -> (Context, Context) {
    let mut options = RunOptions::default();
    if let Some(r) = retry {
        options = options.transport_retry(r);
    }
    let c = Context(Arc::new(Attempt {
        options: Arc::new(options),
        source: "api",
        keyed,
        sent: AtomicU32::new(0),
        query: None,
    }));
    (c.clone(), c)
}

fn quick() -> TransportRetry {
    TransportRetry {
        attempts: 3,
        base: Duration::from_millis(1),
        max_delay: Duration::from_millis(5),
        total: Duration::from_secs(5),
    }
}

async fn status_of(method: reqwest::Method, url: &str, c: Context) -> u16 {
    let client = reqwest::Client::new();
    let request = client.request(method, url).body("{}").build().unwrap();
    // `send` reads the context when it is called, as the client's `exec` hook calls it: within
    // the step.
    within(c, async { send(&client, request).await })
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn a_503_and_a_429_are_sent_again_when_retries_are_on() {
    let (url, count) = server(vec![(503, ""), (429, "retry-after: 0\r\n"), (200, "")]).await;
    let (c, sent) = context(Some(quick()), false);
    assert_eq!(status_of(reqwest::Method::GET, &url, c).await, 200);
    assert_eq!(
        (
            count.load(Ordering::SeqCst),
            sent.sent.load(Ordering::SeqCst)
        ),
        (3, 3)
    );
}

#[tokio::test]
async fn retries_are_bounded_by_attempts() {
    let (url, count) = server(vec![(503, ""); 5]).await;
    let (c, _) = context(Some(quick()), false);
    assert_eq!(status_of(reqwest::Method::GET, &url, c).await, 503);
    assert_eq!(count.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn a_post_is_sent_again_only_with_an_idempotency_key() {
    let (url, count) = server(vec![(503, ""), (200, "")]).await;
    let (c, _) = context(Some(quick()), false);
    assert_eq!(status_of(reqwest::Method::POST, &url, c).await, 503);
    assert_eq!(count.load(Ordering::SeqCst), 1);
    let (url, count) = server(vec![(503, ""), (200, "")]).await;
    let (c, _) = context(Some(quick()), true);
    assert_eq!(status_of(reqwest::Method::POST, &url, c).await, 200);
    assert_eq!(count.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn without_retries_a_request_is_sent_once() {
    let (url, count) = server(vec![(503, ""), (200, "")]).await;
    let (c, _) = context(None, true);
    assert_eq!(status_of(reqwest::Method::GET, &url, c).await, 503);
    assert_eq!(count.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_refused_connection_is_retried_then_reported() {
    // A port nothing listens on: bind, note the port, close.
    let url = {
        let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
        format!("http://{}/x", l.local_addr().unwrap())
    };
    let (c, sent) = context(Some(quick()), false);
    let client = reqwest::Client::new();
    let request = client.get(&url).build().unwrap();
    let result = within(c, async { send(&client, request).await }).await;
    assert!(result.is_err_and(|e| e.is_connect()));
    assert_eq!(sent.sent.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn retry_after_as_a_date_or_seconds_is_honoured_and_bounded() {
    let now = SystemTime::now();
    let mut h = reqwest::header::HeaderMap::new();
    h.insert("retry-after", "7".parse().unwrap());
    assert_eq!(asked_wait(&h, now), Some(Duration::from_secs(7)));
    let later = httpdate::fmt_http_date(now + Duration::from_secs(120));
    h.insert("retry-after", later.parse().unwrap());
    let w = asked_wait(&h, now).unwrap();
    assert!(w <= Duration::from_secs(120) && w >= Duration::from_secs(119));
    h.insert("retry-after", "999999".parse().unwrap());
    assert_eq!(asked_wait(&h, now), Some(Duration::from_secs(3600)));
    h.insert("retry-after", "soon".parse().unwrap());
    assert_eq!(asked_wait(&h, now), None);
}

#[test]
fn backoff_grows_with_jitter_up_to_the_bound() {
    let r = TransportRetry {
        attempts: 10,
        base: Duration::from_millis(100),
        max_delay: Duration::from_millis(1000),
        total: Duration::from_secs(60),
    };
    for _ in 0..50 {
        let first = r.backoff(1);
        assert!(first >= Duration::from_millis(50) && first <= Duration::from_millis(100));
        let third = r.backoff(3);
        assert!(third >= Duration::from_millis(200) && third <= Duration::from_millis(400));
        assert!(r.backoff(30) <= Duration::from_millis(1000));
    }
}

#[tokio::test(start_paused = true)]
async fn a_rate_limit_spaces_requests() {
    let limit = RateLimit::new(100.0);
    let started = Instant::now();
    for _ in 0..11 {
        limit.acquire().await;
    }
    // The first goes at once, the next ten 10 ms apart.
    assert_eq!(started.elapsed(), Duration::from_millis(100));
}
