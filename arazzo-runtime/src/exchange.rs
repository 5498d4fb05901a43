//! Sending a generated client's request and reading its response, whatever its status, into
//! an [`Exchange`] that criteria and outputs read.

use std::pin::Pin;

use progenitor_client::{ByteStream, ResponseValue};
use reqwest::header::{HeaderMap, HeaderValue};
use serde_json::Value;

use crate::select::{json_selected, Select};
use crate::Error;

/// A step's response: its status, headers, and body as JSON (`null` when it had none), and the
/// URL requested.
#[derive(Debug)]
pub struct Exchange {
    /// The status.
    pub status: u16,
    /// The headers.
    pub headers: HeaderMap,
    /// The body: what the step reads of it (see [`Select`]), or all of it.
    pub body: Value,
    /// The URL requested (`$url`); empty when the client did not say.
    pub url: String,
    /// The body as received, when `body` holds only what the step reads of it.
    raw: Option<bytes::Bytes>,
}

/// The response header under which the generated clients hand back the URL they requested
/// (Progenitor's responses do not keep it); [`Exchange::new`] takes it out again.
pub const REQUEST_URL_HEADER: &str = "x-arazzo-request-url";

/// [`REQUEST_URL_HEADER`] as a header name, made once at compile time: no parsing per response.
const REQUEST_URL: reqwest::header::HeaderName =
    reqwest::header::HeaderName::from_static(REQUEST_URL_HEADER);

impl Exchange {
    /// An exchange from a response's parts; the URL comes out of the headers.
    pub fn new(status: u16, mut headers: HeaderMap, body: Value) -> Self {
        let url = headers
            .remove(&REQUEST_URL)
            .and_then(|v| v.to_str().ok().map(ToString::to_string))
            .unwrap_or_default();
        Exchange {
            status,
            headers,
            body,
            url,
            raw: None,
        }
    }

    /// The whole body, for an error that shows it: parsed again from the body as received when
    /// only part of it was read.
    pub fn into_body(self) -> Value {
        match self.raw {
            Some(raw) => json_or_text(&raw),
            None => self.body,
        }
    }

    /// This exchange with its body as received, of which `select` says what to read.
    fn with_body(mut self, raw: bytes::Bytes, select: &Select) -> Self {
        self.body = json_selected(&raw, select);
        if *select != Select::All {
            self.raw = Some(raw);
        }
        self
    }
}

/// The clients' `pre` hook, last: a request whose response is read whole (with `whole`, or
/// within a run's step, whose workflows read every response whole) is sent here, as a
/// generated client sends (within a run: after the source's rate limit, with transport retries
/// when they are on), and its response comes back as `Error::UnexpectedResponse`, before the
/// client decodes anything (a failed send as `Error::CommunicationError`). Other requests go
/// on to the client's `exec` hook ([`execute`]).
///
/// The response keeps the URL requested (`$url`: with an Arazzo 1.1 query string, the one
/// sent) where its own differs after a redirect.
pub async fn send_whole<E>(
    client: &reqwest::Client,
    request: &mut reqwest::Request,
    whole: bool,
) -> Result<(), progenitor_client::Error<E>> {
    if !(whole || crate::transport::in_step()) {
        return Ok(());
    }
    crate::transport::put_query(request);
    // The client is left a request that is never sent.
    let unsent = reqwest::Request::new(reqwest::Method::GET, request.url().clone());
    let sending = std::mem::replace(request, unsent);
    let mut response = crate::transport::send(client, sending)
        .await
        .map_err(progenitor_client::Error::CommunicationError)?;
    if response.url() != request.url() {
        let url = RequestUrl {
            url: request.url().to_string(),
            in_header: false,
        };
        response.extensions_mut().insert(url);
    }
    Err(progenitor_client::Error::UnexpectedResponse(response))
}

/// The clients' `exec` hook, for a request [`send_whole`] did not send: sent as a generated
/// client sends, and its response marked with the URL requested (see
/// [`REQUEST_URL_HEADER`]).
///
/// What to do is decided when called; the future holds little more than reqwest's own.
pub fn execute(
    client: &reqwest::Client,
    request: reqwest::Request,
) -> impl std::future::Future<Output = reqwest::Result<reqwest::Response>> + Send + '_ {
    let url = request.url().to_string();
    let sending = crate::transport::send(client, request);
    async move {
        let mut response = sending.await?;
        mark(&mut response, &url);
        // Should the client hand it back whole after all (a status it does not declare).
        let in_header = RequestUrl {
            url,
            in_header: true,
        };
        response.extensions_mut().insert(in_header);
        Ok(response)
    }
}

/// Puts the URL requested in the response's headers.
fn mark(response: &mut reqwest::Response, url: &str) {
    if let Ok(value) = HeaderValue::from_str(url) {
        response.headers_mut().insert(REQUEST_URL, value);
    }
}

/// The URL requested, kept with a response whose own URL differs (a redirect) or that
/// [`execute`] marked (`in_header`: the response's headers say it too, and must not).
#[derive(Clone)]
struct RequestUrl {
    url: String,
    in_header: bool,
}

/// Reads a generated client's result into a status and a JSON body, of which `select` says
/// what the step reads. A response with an error status is a response too: the step's criteria
/// decide.
pub async fn exchange<T, E>(
    step: &'static str,
    select: &Select,
    result: Result<ResponseValue<T>, progenitor_client::Error<E>>,
) -> Result<Exchange, Error>
where
    T: serde::Serialize,
    E: serde::Serialize + std::fmt::Debug,
{
    match result {
        Ok(v) => typed(step, v),
        Err(progenitor_client::Error::ErrorResponse(v)) => typed(step, v),
        Err(progenitor_client::Error::UnexpectedResponse(r)) => whole(step, select, r).await,
        Err(e) => Err(Error::Request {
            step,
            cause: causes(&e),
        }),
    }
}

/// A response the client decoded, back as JSON.
fn typed<T: serde::Serialize>(step: &'static str, v: ResponseValue<T>) -> Result<Exchange, Error> {
    let (status, headers) = (v.status().as_u16(), v.headers().clone());
    let body = serde_json::to_value(v.into_inner()).map_err(|e| Error::Request {
        step,
        cause: format!("the response does not serialise: {e}"),
    })?;
    Ok(Exchange::new(status, headers, body))
}

/// A response read whole: JSON when it is JSON (what `select` says of it), else text.
async fn whole(
    step: &'static str,
    select: &Select,
    mut r: reqwest::Response,
) -> Result<Exchange, Error> {
    // The headers are moved out: reading the body needs only the body.
    let (status, headers) = (r.status().as_u16(), std::mem::take(r.headers_mut()));
    let (url, in_header) = match r.extensions_mut().remove::<RequestUrl>() {
        Some(RequestUrl { url, in_header }) => (url, in_header),
        None => (r.url().as_str().to_owned(), false),
    };
    let bytes = r.bytes().await.map_err(|e| Error::Request {
        step,
        cause: causes(&e),
    })?;
    let mut x = Exchange {
        status,
        headers,
        body: Value::Null,
        url,
        raw: None,
    };
    if in_header {
        x.headers.remove(&REQUEST_URL);
    }
    Ok(x.with_body(bytes, select))
}

/// An error and each of its sources, on one line: "error sending request: connection refused".
fn causes(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let more = cause.to_string();
        if !text.contains(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        source = cause.source();
    }
    text
}

/// [`exchange`] for an operation whose declared error response is not JSON: such a response
/// counts by its status and headers (its body is `null`).
pub async fn exchange_bare_errors<T, E>(
    step: &'static str,
    select: &Select,
    result: Result<ResponseValue<T>, progenitor_client::Error<E>>,
) -> Result<Exchange, Error>
where
    T: serde::Serialize,
{
    match result {
        Err(progenitor_client::Error::ErrorResponse(v)) => {
            let (status, headers) = (v.status().as_u16(), v.headers().clone());
            Ok(Exchange::new(status, headers, Value::Null))
        }
        Ok(v) => exchange::<T, ()>(step, select, Ok(v)).await,
        Err(e) => exchange::<T, ()>(step, select, Err(e.into_untyped())).await,
    }
}

/// [`exchange`] for an operation whose response is not JSON (the client hands it over as a
/// byte stream): the body is read whole, as JSON when it is JSON, else as text.
pub async fn exchange_stream<E>(
    step: &'static str,
    select: &Select,
    result: Result<ResponseValue<ByteStream>, progenitor_client::Error<E>>,
) -> Result<Exchange, Error> {
    let failed = |cause: String| Error::Request { step, cause };
    match result {
        Ok(v) => {
            let (status, headers) = (v.status().as_u16(), v.headers().clone());
            let bytes = collect(v.into_inner_stream())
                .await
                .map_err(|e| failed(causes(&e)))?;
            Ok(Exchange::new(status, headers, Value::Null).with_body(bytes.into(), select))
        }
        // A declared error response of a non-JSON operation: its status and headers count.
        Err(progenitor_client::Error::ErrorResponse(v)) => {
            let (status, headers) = (v.status().as_u16(), v.headers().clone());
            Ok(Exchange::new(status, headers, Value::Null))
        }
        Err(progenitor_client::Error::UnexpectedResponse(r)) => whole(step, select, r).await,
        Err(e) => Err(failed(e.into_untyped().to_string())),
    }
}

/// Every chunk of a body stream.
async fn collect<S, B>(mut stream: Pin<Box<S>>) -> reqwest::Result<Vec<u8>>
where
    S: futures_core::Stream<Item = reqwest::Result<B>> + ?Sized,
    B: AsRef<[u8]>,
{
    let mut out = Vec::new();
    while let Some(chunk) =
        std::future::poll_fn(|cx| futures_core::Stream::poll_next(stream.as_mut(), cx)).await
    {
        out.extend_from_slice(chunk?.as_ref());
    }
    Ok(out)
}

/// A body as JSON when it is JSON, else as text; `null` when empty.
pub fn json_or_text(bytes: &[u8]) -> Value {
    if bytes.is_empty() {
        return Value::Null;
    }
    serde_json::from_slice(bytes)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(bytes).into_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(status: u16, body: &str) -> reqwest::Response {
        let mut r = http::Response::new(body.as_bytes().to_vec());
        *r.status_mut() = http::StatusCode::from_u16(status).unwrap();
        reqwest::Response::from(r)
    }

    #[test]
    fn bodies_read_as_json_or_text() {
        assert_eq!(json_or_text(b""), Value::Null);
        assert_eq!(json_or_text(br#"{"a":1}"#), serde_json::json!({"a": 1}));
        assert_eq!(json_or_text(b"plain"), Value::String("plain".into()));
    }

    #[test]
    fn the_url_comes_out_of_the_headers() {
        let mut headers = HeaderMap::new();
        headers.insert(REQUEST_URL_HEADER, HeaderValue::from_static("http://x/y"));
        headers.insert("etag", HeaderValue::from_static("1"));
        let e = Exchange::new(200, headers, Value::Null);
        assert_eq!(e.url, "http://x/y");
        assert!(e.headers.get(REQUEST_URL_HEADER).is_none());
        assert!(e.headers.get("etag").is_some());
    }

    /// A server on loopback that answers one request with `status` and `body`.
    async fn answering(status: u16, body: &'static str) -> String {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move {
            let (mut socket, _) = listener.accept().await.unwrap();
            let mut buf = [0u8; 4096];
            let _ = socket.read(&mut buf).await.unwrap();
            let answer = format!(
                "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            socket.write_all(answer.as_bytes()).await.unwrap();
        });
        url
    }

    #[tokio::test]
    async fn a_response_read_whole_comes_back_before_the_client_decodes_it() {
        let base = answering(404, r#"{"message":"no such customer"}"#).await;
        let client = reqwest::Client::new();
        let url = format!("{base}/customers/7");
        let mut request = reqwest::Request::new(reqwest::Method::POST, url.parse().unwrap());
        let Err(e) = send_whole::<()>(&client, &mut request, true).await else {
            panic!("a response read whole comes back as UnexpectedResponse")
        };
        // What the client is left with is never sent.
        assert_eq!(request.method(), reqwest::Method::GET);
        let x = exchange::<(), ()>("read", &Select::All, Err(e))
            .await
            .unwrap();
        assert_eq!(x.status, 404);
        assert_eq!(x.url, url);
        assert_eq!(x.body["message"], "no such customer");
    }

    #[tokio::test]
    async fn the_url_requested_is_the_one_sent_with_a_steps_own_query_string() {
        use crate::run::RunOptions;
        use crate::transport::{within, Attempt, Context};
        let base = answering(200, "{}").await;
        let client = reqwest::Client::new();
        let url = format!("{base}/search?q=client");
        let context = Context(std::sync::Arc::new(Attempt {
            options: std::sync::Arc::new(RunOptions::default()),
            source: "api",
            keyed: false,
            sent: Default::default(),
            query: Some("q=step".into()),
        }));
        let mut request = reqwest::Request::new(reqwest::Method::GET, url.parse().unwrap());
        let result = within(context, send_whole::<()>(&client, &mut request, false)).await;
        let x = exchange::<(), ()>("search", &Select::All, result.map(|()| unreachable!()))
            .await
            .unwrap();
        assert_eq!(x.status, 200);
        assert_eq!(x.url, format!("{base}/search?q=step"));
    }

    #[tokio::test]
    async fn a_response_the_exec_hook_marked_and_the_client_handed_back_shows_no_mark() {
        let base = answering(418, r#"{"teapot":true}"#).await;
        let client = reqwest::Client::new();
        let url = format!("{base}/brew");
        let request = reqwest::Request::new(reqwest::Method::GET, url.parse().unwrap());
        let response = execute(&client, request).await.unwrap();
        assert!(response.headers().contains_key(REQUEST_URL_HEADER));
        let e = progenitor_client::Error::<()>::UnexpectedResponse(response);
        let x = exchange::<(), ()>("brew", &Select::All, Err(e))
            .await
            .unwrap();
        assert_eq!((x.status, x.url.as_str()), (418, url.as_str()));
        assert!(!x.headers.contains_key(REQUEST_URL_HEADER));
        assert_eq!(x.body["teapot"], true);
    }

    #[tokio::test]
    async fn a_request_not_read_whole_is_left_to_the_client() {
        let client = reqwest::Client::new();
        let mut request =
            reqwest::Request::new(reqwest::Method::POST, "http://a.test/x".parse().unwrap());
        assert!(send_whole::<()>(&client, &mut request, false).await.is_ok());
        assert_eq!(request.method(), reqwest::Method::POST);
    }

    #[tokio::test]
    async fn a_step_builds_only_what_it_reads_and_an_error_shows_the_whole_body() {
        const ID: Select = Select::Members {
            keys: &[("id", Select::All)],
            items: None,
        };
        let r = response(
            200,
            r#"{"id":"c1","name":"Ada","address":{"city":"London"}}"#,
        );
        let e = progenitor_client::Error::<()>::UnexpectedResponse(r);
        let x = exchange::<(), ()>("read", &ID, Err(e)).await.unwrap();
        assert_eq!(x.body, serde_json::json!({"id": "c1"}));
        assert_eq!(x.into_body()["address"]["city"], "London");
    }

    #[tokio::test]
    async fn typed_results_are_read_as_json_with_their_status() {
        let ok = ResponseValue::new(
            serde_json::json!({"id": "c1"}),
            reqwest::StatusCode::CREATED,
            HeaderMap::new(),
        );
        let x = exchange::<_, ()>("create", &Select::All, Ok(ok))
            .await
            .unwrap();
        assert_eq!((x.status, x.body["id"].as_str()), (201, Some("c1")));
        let failed: Result<ResponseValue<()>, _> =
            Err(progenitor_client::Error::<()>::InvalidRequest("bad".into()));
        let e = exchange("create", &Select::All, failed).await.unwrap_err();
        assert_eq!(e.step(), Some("create"));
    }

    /// Every generated client's future holds this one, and a step moves that future: it
    /// holds reqwest's own future and the URL, not a request or a retry loop (2.3 KB once).
    #[test]
    fn the_exec_hook_future_stays_small() {
        let client = reqwest::Client::new();
        let request =
            reqwest::Request::new(reqwest::Method::GET, "http://a.test/".parse().unwrap());
        let future = execute(&client, request);
        assert!(
            std::mem::size_of_val(&future) <= 128,
            "{}",
            std::mem::size_of_val(&future)
        );
    }
}
