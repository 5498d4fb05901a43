//! Sending a generated client's request and reading its response, whatever its status, into
//! an [`Exchange`] that criteria and outputs read.

use std::pin::Pin;
use std::sync::{Arc, Mutex};

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

impl Exchange {
    /// An exchange from a response's parts; the URL comes out of the headers.
    pub fn new(status: u16, mut headers: HeaderMap, body: Value) -> Self {
        let url = headers
            .remove(REQUEST_URL_HEADER)
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

    /// An exchange from a response's parts and its body as received, of which `select` says
    /// what to read.
    fn read(status: u16, headers: HeaderMap, raw: bytes::Bytes, select: &Select) -> Self {
        let body = json_selected(&raw, select);
        let mut x = Exchange::new(status, headers, body);
        if *select != Select::All {
            x.raw = Some(raw);
        }
        x
    }
}

/// Sends a request as a generated client does (within a run: after the source's rate limit,
/// with transport retries when they are on), and marks the response with the URL requested
/// (see [`REQUEST_URL_HEADER`]; a response held whole keeps it beside it instead). With
/// `whole`, or within a run's step (workflows read every
/// response whole), the response is held in an empty stand-in that [`release`] hands back
/// whole, so the client never decodes it.
///
/// What to do is decided when called; the future holds little more than reqwest's own.
pub fn execute(
    client: &reqwest::Client,
    request: reqwest::Request,
    whole: bool,
) -> impl std::future::Future<Output = reqwest::Result<reqwest::Response>> + Send + '_ {
    let whole = whole || crate::transport::in_step();
    let url = request.url().to_string();
    let sending = crate::transport::send(client, request);
    async move {
        let mut response = sending.await?;
        if whole {
            // Read back by `whole`, from the response itself.
            response.extensions_mut().insert(RequestUrl(url));
            Ok(hold(response))
        } else {
            mark(&mut response, &url);
            Ok(response)
        }
    }
}

/// Puts the URL requested in the response's headers.
fn mark(response: &mut reqwest::Response, url: &str) {
    if let Ok(value) = HeaderValue::from_str(url) {
        response.headers_mut().insert(REQUEST_URL_HEADER, value);
    }
}

/// An empty stand-in with the response's status and URL, holding the response for [`release`].
fn hold(response: reqwest::Response) -> reqwest::Response {
    use reqwest::ResponseBuilderExt;
    // Given its URL, the stand-in does not parse a placeholder one. (A builder given only a
    // URL and a body does not fail; were it to, the stand-in would do without the URL.)
    let mut stand_in = http::Response::builder()
        .url(response.url().clone())
        .body(Vec::<u8>::new())
        .unwrap_or_else(|_| http::Response::new(Vec::new()));
    *stand_in.status_mut() = response.status();
    stand_in
        .extensions_mut()
        .insert(Held(Arc::new(Mutex::new(Some(response)))));
    reqwest::Response::from(stand_in)
}

/// The URL requested, kept with a response held whole.
#[derive(Clone)]
struct RequestUrl(String);

/// A response held by [`execute`] for [`release`].
#[derive(Clone)]
struct Held(Arc<Mutex<Option<reqwest::Response>>>);

/// The client's `post` hook: a response held by [`execute`] comes back as
/// `Error::UnexpectedResponse`, whole, before the client decodes anything; others go on.
#[allow(clippy::result_large_err)] // the hook's signature is Progenitor's
pub fn release<E>(
    result: &reqwest::Result<reqwest::Response>,
) -> Result<(), progenitor_client::Error<E>> {
    let held = result
        .as_ref()
        .ok()
        .and_then(|r| r.extensions().get::<Held>())
        .and_then(|h| h.0.lock().ok().and_then(|mut r| r.take()));
    match held {
        Some(r) => Err(progenitor_client::Error::UnexpectedResponse(r)),
        None => Ok(()),
    }
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
    let url = r.extensions_mut().remove::<RequestUrl>().map(|u| u.0);
    let bytes = r.bytes().await.map_err(|e| Error::Request {
        step,
        cause: causes(&e),
    })?;
    let mut x = Exchange::read(status, headers, bytes, select);
    if let Some(url) = url {
        x.url = url;
    }
    Ok(x)
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
            Ok(Exchange::read(status, headers, bytes.into(), select))
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

    #[tokio::test]
    async fn a_held_response_is_released_whole_and_read_as_it_was_sent() {
        let mut r = response(404, r#"{"message":"no such customer"}"#);
        mark(&mut r, "http://api/customers/7");
        let held = hold(r);
        assert_eq!(held.status(), 404);
        let released = release::<()>(&Ok(held));
        let Err(e) = released else {
            panic!("a held response is released as UnexpectedResponse")
        };
        let x = exchange::<(), ()>("read", &Select::All, Err(e))
            .await
            .unwrap();
        assert_eq!(x.status, 404);
        assert_eq!(x.url, "http://api/customers/7");
        assert_eq!(x.body["message"], "no such customer");
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
        let released = release::<()>(&Ok(hold(r)));
        let Err(e) = released else {
            panic!("a held response is released as UnexpectedResponse")
        };
        let x = exchange::<(), ()>("read", &ID, Err(e)).await.unwrap();
        assert_eq!(x.body, serde_json::json!({"id": "c1"}));
        assert_eq!(x.into_body()["address"]["city"], "London");
    }

    #[test]
    fn a_response_not_held_goes_on() {
        assert!(release::<()>(&Ok(response(200, "{}"))).is_ok());
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
        let future = execute(&client, request, false);
        assert!(
            std::mem::size_of_val(&future) <= 128,
            "{}",
            std::mem::size_of_val(&future)
        );
    }
}
