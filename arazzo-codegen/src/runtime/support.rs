//! Support code shared by the generated clients. This file is copied into generated code.

/// A credential. It is sent where the security scheme says and shown nowhere else: its
/// `Debug` output is redacted.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(::std::string::String);

impl Secret {
    /// Wraps a credential.
    pub fn new(value: impl ::std::convert::Into<::std::string::String>) -> Self {
        Secret(value.into())
    }

    /// The credential itself, for putting on the wire.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl ::std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl ::std::convert::From<::std::string::String> for Secret {
    fn from(value: ::std::string::String) -> Self {
        Secret(value)
    }
}

impl ::std::convert::From<&str> for Secret {
    fn from(value: &str) -> Self {
        Secret(value.to_string())
    }
}

/// Sets (replaces) a header; the error names the header, never the value.
pub fn set_header(
    request: &mut ::reqwest::Request,
    name: &'static str,
    value: &str,
) -> ::std::result::Result<(), ::std::string::String> {
    let mut value = ::reqwest::header::HeaderValue::from_str(value)
        .map_err(|_| ::std::format!("the value for header `{name}` is not a valid header value"))?;
    if name == "authorization" || name.to_ascii_lowercase().contains("key") {
        value.set_sensitive(true);
    }
    request.headers_mut().insert(name, value);
    ::std::result::Result::Ok(())
}

/// The `Authorization` value of HTTP basic authentication.
pub fn basic(user: &str, password: &str) -> ::std::string::String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let input = ::std::format!("{user}:{password}");
    let bytes = input.as_bytes();
    let mut out = ::std::string::String::from("Basic ");
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The request's body read as JSON, for re-encoding as `what`; `None` without a body.
fn json_body(
    request: &::reqwest::Request,
    what: &str,
) -> ::std::result::Result<::std::option::Option<::serde_json::Value>, ::std::string::String> {
    let ::std::option::Option::Some(body) = request.body() else {
        return ::std::result::Result::Ok(::std::option::Option::None);
    };
    let ::std::option::Option::Some(bytes) = body.as_bytes() else {
        return ::std::result::Result::Err(::std::format!("a streamed request body cannot be sent as {what}"));
    };
    ::serde_json::from_slice(bytes)
        .map(::std::option::Option::Some)
        .map_err(|e| ::std::format!("the request body is not JSON, so it cannot be sent as {what}: {e}"))
}

/// Re-encodes a request's JSON body as a form, field by field in the given styles.
pub fn to_form(
    request: &mut ::reqwest::Request,
    styles: &[(&str, form::Style)],
) -> ::std::result::Result<(), ::std::string::String> {
    let ::std::option::Option::Some(value) = json_body(request, "a form")? else {
        return ::std::result::Result::Ok(());
    };
    let text = form::encode(&value, styles);
    *request.body_mut() = ::std::option::Option::Some(::reqwest::Body::from(text));
    set_header(request, "content-type", "application/x-www-form-urlencoded")
}

/// Re-encodes a request's JSON body as `multipart/form-data`, one part per field; the fields
/// named in `files` go as files.
pub fn to_multipart(
    request: &mut ::reqwest::Request,
    files: &[&str],
) -> ::std::result::Result<(), ::std::string::String> {
    let ::std::option::Option::Some(value) = json_body(request, "multipart/form-data")? else {
        return ::std::result::Result::Ok(());
    };
    // A boundary no part is likely to hold.
    let boundary = ::std::format!("arazzo-boundary-{}", idempotency_key());
    let bytes = form::multipart(&value, files, &boundary);
    *request.body_mut() = ::std::option::Option::Some(::reqwest::Body::from(bytes));
    let content_type = ::std::format!("multipart/form-data; boundary={boundary}");
    set_header(request, "content-type", &content_type)
}

/// Joins base URL and path with exactly one slash: a base URL given with a trailing slash
/// would otherwise leave `//` at the start of the path.
pub fn one_slash(request: &mut ::reqwest::Request) {
    let path = request.url().path();
    if path.starts_with("//") {
        let tidy = ::std::format!("/{}", path.trim_start_matches('/'));
        request.url_mut().set_path(&tidy);
    }
}

/// Why a workflow stopped.
#[derive(Debug)]
pub enum Error {
    /// An input the workflow needs was not given.
    MissingInput {
        /// The input's name.
        input: &'static str,
    },
    /// `run_workflow` was asked for a workflow that has no function.
    UnknownWorkflow {
        /// The id asked for.
        workflow: ::std::string::String,
    },
    /// `run_workflow` was given inputs that do not fit the workflow's `Inputs`.
    Inputs {
        /// Why they do not fit.
        cause: ::std::string::String,
    },
    /// The workflow ran more steps than its budget allows (a `goto` loop that did not end).
    StepBudget {
        /// The budget.
        limit: u32,
    },
    /// A step's request could not be built, sent, or its response read.
    Request {
        /// The step's id.
        step: &'static str,
        /// What went wrong.
        cause: ::std::string::String,
    },
    /// A step's response did not meet its success criteria.
    Failed {
        /// The step's id.
        step: &'static str,
        /// The criterion that did not hold, as written.
        criterion: &'static str,
        /// The response's status.
        status: u16,
        /// The response's body, when it had one.
        body: ::std::option::Option<::serde_json::Value>,
    },
    /// A step that calls a workflow: the workflow's outputs did not meet the step's success
    /// criteria.
    Unmet {
        /// The step's id.
        step: &'static str,
        /// The criterion that did not hold, as written.
        criterion: &'static str,
        /// The called workflow's outputs.
        outputs: ::serde_json::Value,
    },
    /// A step's response lacks an output the workflow needs, or holds one of another type.
    Output {
        /// The step's id.
        step: &'static str,
        /// The output's name.
        output: &'static str,
        /// What is wrong with it.
        cause: ::std::string::String,
    },
}

impl Error {
    /// The id of the step that failed, if a step failed.
    pub fn step(&self) -> ::std::option::Option<&'static str> {
        match self {
            Error::MissingInput { .. }
            | Error::StepBudget { .. }
            | Error::UnknownWorkflow { .. }
            | Error::Inputs { .. } => ::std::option::Option::None,
            Error::Request { step, .. }
            | Error::Failed { step, .. }
            | Error::Unmet { step, .. }
            | Error::Output { step, .. } => ::std::option::Option::Some(step),
        }
    }

    /// The status of the response that failed the workflow, if one did.
    pub fn status(&self) -> ::std::option::Option<u16> {
        match self {
            Error::Failed { status, .. } => ::std::option::Option::Some(*status),
            _ => ::std::option::Option::None,
        }
    }
}

impl ::std::fmt::Display for Error {
    fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
        match self {
            Error::MissingInput { input } => ::std::write!(f, "the input `{input}` is missing"),
            Error::UnknownWorkflow { workflow } => {
                ::std::write!(f, "there is no function for workflow `{workflow}`")
            }
            Error::Inputs { cause } => ::std::write!(f, "the inputs do not fit: {cause}"),
            Error::StepBudget { limit } => {
                ::std::write!(f, "the workflow ran {limit} steps without ending (its step budget)")
            }
            Error::Request { step, cause } => ::std::write!(f, "step `{step}`: {cause}"),
            Error::Failed { step, criterion, status, .. } => {
                ::std::write!(f, "step `{step}`: status {status}; `{criterion}` does not hold")
            }
            Error::Unmet { step, criterion, .. } => {
                ::std::write!(f, "step `{step}`: the called workflow's outputs do not meet `{criterion}`")
            }
            Error::Output { step, output, cause } => {
                ::std::write!(f, "step `{step}`: output `{output}`: {cause}")
            }
        }
    }
}

impl ::std::error::Error for Error {}

/// A step's response: its status, headers, and body as JSON (`null` when it had none), and the
/// URL requested.
pub struct Exchange {
    /// The status.
    pub status: u16,
    /// The headers.
    pub headers: ::reqwest::header::HeaderMap,
    /// The body.
    pub body: ::serde_json::Value,
    /// The URL requested (`$url`); empty when the client did not say.
    pub url: ::std::string::String,
}

/// The response header under which the generated clients hand back the URL they requested
/// (Progenitor's responses do not keep it); [`Exchange::new`] takes it out again.
pub const REQUEST_URL_HEADER: &str = "x-arazzo-request-url";

impl Exchange {
    /// An exchange from a response's parts; the URL comes out of the headers.
    pub fn new(
        status: u16,
        mut headers: ::reqwest::header::HeaderMap,
        body: ::serde_json::Value,
    ) -> Self {
        let url = headers
            .remove(REQUEST_URL_HEADER)
            .and_then(|v| v.to_str().ok().map(::std::string::ToString::to_string))
            .unwrap_or_default();
        Exchange { status, headers, body, url }
    }
}

/// Sends a request as a generated client does, and marks the response with the URL requested
/// (see [`REQUEST_URL_HEADER`]). With `whole`, the response is held in an empty stand-in that
/// [`release`] hands back whole, so the client never decodes it.
pub async fn execute(
    client: &::reqwest::Client,
    request: ::reqwest::Request,
    whole: bool,
) -> ::reqwest::Result<::reqwest::Response> {
    let url = request.url().to_string();
    let mut response = client.execute(request).await?;
    if let ::std::result::Result::Ok(value) = ::reqwest::header::HeaderValue::from_str(&url) {
        response.headers_mut().insert(REQUEST_URL_HEADER, value);
    }
    if !whole {
        return ::std::result::Result::Ok(response);
    }
    let mut stand_in = ::http::Response::new(::std::vec::Vec::<u8>::new());
    *stand_in.status_mut() = response.status();
    stand_in.extensions_mut().insert(Held(::std::sync::Arc::new(::std::sync::Mutex::new(
        ::std::option::Option::Some(response),
    ))));
    ::std::result::Result::Ok(::reqwest::Response::from(stand_in))
}

/// A response held by [`execute`] for [`release`].
#[derive(Clone)]
struct Held(::std::sync::Arc<::std::sync::Mutex<::std::option::Option<::reqwest::Response>>>);

/// The client's `post` hook: a response held by [`execute`] comes back as
/// `Error::UnexpectedResponse`, whole, before the client decodes anything; others go on.
#[allow(clippy::result_large_err)] // the hook's signature is Progenitor's
pub fn release<E>(
    result: &::reqwest::Result<::reqwest::Response>,
) -> ::std::result::Result<(), ::progenitor_client::Error<E>> {
    let held = result
        .as_ref()
        .ok()
        .and_then(|r| r.extensions().get::<Held>())
        .and_then(|h| h.0.lock().ok().and_then(|mut r| r.take()));
    match held {
        ::std::option::Option::Some(r) => {
            ::std::result::Result::Err(::progenitor_client::Error::UnexpectedResponse(r))
        }
        ::std::option::Option::None => ::std::result::Result::Ok(()),
    }
}

/// Reads a generated client's result into a status and a JSON body. A response with an error
/// status is a response too: the step's criteria decide.
pub async fn exchange<T, E>(
    step: &'static str,
    result: ::std::result::Result<
        ::progenitor_client::ResponseValue<T>,
        ::progenitor_client::Error<E>,
    >,
) -> ::std::result::Result<Exchange, Error>
where
    T: ::serde::Serialize,
    E: ::serde::Serialize + ::std::fmt::Debug,
{
    let json = |v: ::std::result::Result<::serde_json::Value, ::serde_json::Error>| {
        v.map_err(|e| Error::Request { step, cause: ::std::format!("the response does not serialise: {e}") })
    };
    match result {
        ::std::result::Result::Ok(v) => {
            let (status, headers) = (v.status().as_u16(), v.headers().clone());
            ::std::result::Result::Ok(Exchange::new(status, headers, json(::serde_json::to_value(v.into_inner()))?))
        }
        ::std::result::Result::Err(::progenitor_client::Error::ErrorResponse(v)) => {
            let (status, headers) = (v.status().as_u16(), v.headers().clone());
            ::std::result::Result::Ok(Exchange::new(status, headers, json(::serde_json::to_value(v.into_inner()))?))
        }
        ::std::result::Result::Err(::progenitor_client::Error::UnexpectedResponse(r)) => {
            let (status, headers) = (r.status().as_u16(), r.headers().clone());
            let bytes = r.bytes().await.map_err(|e| Error::Request { step, cause: causes(&e) })?;
            ::std::result::Result::Ok(Exchange::new(status, headers, json_or_text(&bytes)))
        }
        ::std::result::Result::Err(e) => {
            ::std::result::Result::Err(Error::Request { step, cause: causes(&e) })
        }
    }
}

/// An error and each of its sources, on one line: "error sending request: connection refused".
fn causes(error: &dyn ::std::error::Error) -> ::std::string::String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let ::std::option::Option::Some(cause) = source {
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
    result: ::std::result::Result<
        ::progenitor_client::ResponseValue<T>,
        ::progenitor_client::Error<E>,
    >,
) -> ::std::result::Result<Exchange, Error>
where
    T: ::serde::Serialize,
{
    match result {
        ::std::result::Result::Err(::progenitor_client::Error::ErrorResponse(v)) => {
            let (status, headers) = (v.status().as_u16(), v.headers().clone());
            ::std::result::Result::Ok(Exchange::new(status, headers, ::serde_json::Value::Null))
        }
        ::std::result::Result::Ok(v) => exchange::<T, ()>(step, ::std::result::Result::Ok(v)).await,
        ::std::result::Result::Err(e) => exchange::<T, ()>(step, ::std::result::Result::Err(e.into_untyped())).await,
    }
}

/// Converts a parameter's JSON value into the type its setter takes; one value given for an
/// array parameter is an array of one (`type=track` for `type: array`); a number or boolean
/// given for a text parameter is its text.
pub fn parameter_from_json<T: ::serde::de::DeserializeOwned>(
    step: &'static str,
    what: &'static str,
    value: ::serde_json::Value,
) -> ::std::result::Result<T, Error> {
    match ::serde_json::from_value::<T>(value.clone()) {
        ::std::result::Result::Ok(v) => ::std::result::Result::Ok(v),
        // A number or boolean for a parameter the client takes as text (the description said
        // it could be one of several types): its text.
        ::std::result::Result::Err(e) if value.is_number() || value.is_boolean() => {
            ::serde_json::from_value(::serde_json::Value::String(value.to_string()))
                .or_else(|_| ::serde_json::from_value(::serde_json::Value::Array(::std::vec![value])))
                .map_err(|_| Error::Request { step, cause: ::std::format!("{what}: {e}") })
        }
        ::std::result::Result::Err(e) if !value.is_array() => {
            ::serde_json::from_value(::serde_json::Value::Array(::std::vec![value]))
                .map_err(|_| Error::Request { step, cause: ::std::format!("{what}: {e}") })
        }
        ::std::result::Result::Err(e) => {
            ::std::result::Result::Err(Error::Request { step, cause: ::std::format!("{what}: {e}") })
        }
    }
}

/// A body as JSON when it is JSON, else as text; `null` when empty.
pub fn json_or_text(bytes: &[u8]) -> ::serde_json::Value {
    if bytes.is_empty() {
        return ::serde_json::Value::Null;
    }
    ::serde_json::from_slice(bytes).unwrap_or_else(|_| {
        ::serde_json::Value::String(::std::string::String::from_utf8_lossy(bytes).into_owned())
    })
}

/// Converts a JSON value into the type a request setter takes.
pub fn from_json<T: ::serde::de::DeserializeOwned>(
    step: &'static str,
    what: &'static str,
    value: ::serde_json::Value,
) -> ::std::result::Result<T, Error> {
    ::serde_json::from_value(value)
        .map_err(|e| Error::Request { step, cause: ::std::format!("{what}: {e}") })
}

/// Parses a string fed into a number or boolean parameter.
pub fn parse_json(
    step: &'static str,
    parameter: &'static str,
    text: &str,
) -> ::std::result::Result<::serde_json::Value, Error> {
    match ::serde_json::from_str::<::serde_json::Value>(text.trim()) {
        ::std::result::Result::Ok(v @ (::serde_json::Value::Number(_) | ::serde_json::Value::Bool(_))) => {
            ::std::result::Result::Ok(v)
        }
        _ => ::std::result::Result::Err(Error::Request {
            step,
            cause: ::std::format!("parameter `{parameter}`: `{text}` is not a number or a boolean"),
        }),
    }
}

/// Reads an output at a JSON pointer of a body; a missing or null value is an error.
pub fn output<T: ::serde::de::DeserializeOwned>(
    step: &'static str,
    output: &'static str,
    body: &::serde_json::Value,
    pointer: &str,
) -> ::std::result::Result<T, Error> {
    match body.pointer(pointer) {
        ::std::option::Option::None | ::std::option::Option::Some(::serde_json::Value::Null) => {
            ::std::result::Result::Err(Error::Output { step, output, cause: ::std::format!("the response has no value at `{pointer}`") })
        }
        ::std::option::Option::Some(v) => ::serde_json::from_value(v.clone())
            .map_err(|e| Error::Output { step, output, cause: e.to_string() }),
    }
}

/// Reads an optional output at a JSON pointer of a body.
pub fn optional_output<T: ::serde::de::DeserializeOwned>(
    step: &'static str,
    output: &'static str,
    body: &::serde_json::Value,
    pointer: &str,
) -> ::std::result::Result<::std::option::Option<T>, Error> {
    match body.pointer(pointer) {
        ::std::option::Option::None | ::std::option::Option::Some(::serde_json::Value::Null) => {
            ::std::result::Result::Ok(::std::option::Option::None)
        }
        ::std::option::Option::Some(v) => ::serde_json::from_value(v.clone())
            .map(::std::option::Option::Some)
            .map_err(|e| Error::Output { step, output, cause: e.to_string() }),
    }
}

/// An input the workflow needs.
pub fn required<T>(
    value: ::std::option::Option<T>,
    input: &'static str,
) -> ::std::result::Result<T, Error> {
    value.ok_or(Error::MissingInput { input })
}

/// A value as text in a string template: strings as they are, other JSON as JSON.
pub fn text<T: ::serde::Serialize>(value: &T) -> ::std::string::String {
    match ::serde_json::to_value(value) {
        ::std::result::Result::Ok(::serde_json::Value::String(s)) => s,
        ::std::result::Result::Ok(::serde_json::Value::Null) => ::std::string::String::new(),
        ::std::result::Result::Ok(v) => v.to_string(),
        ::std::result::Result::Err(_) => ::std::string::String::new(),
    }
}

/// A value as JSON, for conditions.
pub fn to_json<T: ::serde::Serialize>(value: &T) -> ::serde_json::Value {
    ::serde_json::to_value(value).unwrap_or(::serde_json::Value::Null)
}

/// The value at a JSON pointer, `null` when there is none.
pub fn at(value: &::serde_json::Value, pointer: &str) -> ::serde_json::Value {
    value.pointer(pointer).cloned().unwrap_or(::serde_json::Value::Null)
}

/// A response header as a JSON string, `null` when absent (names are case-insensitive).
pub fn header(headers: &::reqwest::header::HeaderMap, name: &str) -> ::serde_json::Value {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map_or(::serde_json::Value::Null, |v| ::serde_json::Value::String(v.to_string()))
}

/// Follows a JSONPath of members and indices; `length` of an array or string is its length.
pub fn json_path(value: &::serde_json::Value, path: &[&str]) -> ::serde_json::Value {
    let mut current = value.clone();
    for segment in path {
        current = match (&current, *segment) {
            (::serde_json::Value::Array(items), "length") => ::serde_json::Value::from(items.len()),
            (::serde_json::Value::String(s), "length") => ::serde_json::Value::from(s.chars().count()),
            (::serde_json::Value::Array(items), i) => match i.parse::<usize>() {
                ::std::result::Result::Ok(i) => items.get(i).cloned().unwrap_or(::serde_json::Value::Null),
                ::std::result::Result::Err(_) => ::serde_json::Value::Null,
            },
            (::serde_json::Value::Object(map), key) => map.get(key).cloned().unwrap_or(::serde_json::Value::Null),
            _ => ::serde_json::Value::Null,
        };
    }
    current
}

/// Whether a value counts as true in a condition: `true`, a non-zero number, a non-empty string,
/// array or object.
pub fn truthy(value: &::serde_json::Value) -> bool {
    match value {
        ::serde_json::Value::Null => false,
        ::serde_json::Value::Bool(b) => *b,
        ::serde_json::Value::Number(n) => n.as_f64().is_some_and(|n| n != 0.0),
        ::serde_json::Value::String(s) => !s.is_empty(),
        ::serde_json::Value::Array(a) => !a.is_empty(),
        ::serde_json::Value::Object(o) => !o.is_empty(),
    }
}

/// Compares two values as Arazzo's simple conditions do: numbers as numbers (a string holding a
/// number compares as one), strings case-insensitively, other values by equality only.
pub fn compare(a: &::serde_json::Value, op: &str, b: &::serde_json::Value) -> bool {
    use ::std::cmp::Ordering;
    use ::serde_json::Value;
    let number = |v: &Value| match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse::<f64>().ok(),
        _ => ::std::option::Option::None,
    };
    let ordering: ::std::option::Option<Ordering> = match (a, b) {
        (Value::String(x), Value::String(y)) => ::std::option::Option::Some(x.to_lowercase().cmp(&y.to_lowercase())),
        _ => match (number(a), number(b)) {
            (::std::option::Option::Some(x), ::std::option::Option::Some(y)) => x.partial_cmp(&y),
            _ if a == b => ::std::option::Option::Some(Ordering::Equal),
            _ => ::std::option::Option::None,
        },
    };
    match op {
        "==" => ordering == ::std::option::Option::Some(Ordering::Equal),
        "!=" => ordering != ::std::option::Option::Some(Ordering::Equal),
        "<" => ordering == ::std::option::Option::Some(Ordering::Less),
        "<=" => matches!(ordering, ::std::option::Option::Some(Ordering::Less | Ordering::Equal)),
        ">" => ordering == ::std::option::Option::Some(Ordering::Greater),
        ">=" => matches!(ordering, ::std::option::Option::Some(Ordering::Greater | Ordering::Equal)),
        _ => false,
    }
}

/// An output of a step that may not have run: the value, or an error naming the step.
pub fn ran<T>(
    value: ::std::option::Option<T>,
    step: &'static str,
    output: &'static str,
) -> ::std::result::Result<T, Error> {
    value.ok_or_else(|| Error::Output {
        step,
        output,
        cause: "the step has not run, or its response had no value there".into(),
    })
}

/// How long to wait before a retry: the response's `Retry-After` seconds when it has them (at
/// most an hour), else the action's `retryAfter`.
pub fn retry_delay(headers: &::reqwest::header::HeaderMap, retry_after: f64) -> ::std::time::Duration {
    let header = headers
        .get(::reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s >= 0.0);
    let seconds = header.unwrap_or(retry_after).clamp(0.0, 3600.0);
    ::std::time::Duration::from_secs_f64(seconds)
}

/// Puts `value` into `body` at a JSON pointer (a requestBody replacement): objects on the way
/// are created, an array index replaces (`-` appends); the empty pointer replaces the whole body.
pub fn replace(body: &mut ::serde_json::Value, pointer: &str, value: ::serde_json::Value) {
    if pointer.is_empty() {
        *body = value;
        return;
    }
    let tokens: ::std::vec::Vec<::std::string::String> = pointer
        .split('/')
        .skip(1)
        .map(|t| t.replace("~1", "/").replace("~0", "~"))
        .collect();
    let ::std::option::Option::Some(last) = tokens.len().checked_sub(1) else {
        return;
    };
    let mut node = body;
    for (i, token) in tokens.iter().enumerate() {
        if node.is_null() {
            *node = ::serde_json::Value::Object(::serde_json::Map::new());
        }
        node = match node {
            ::serde_json::Value::Array(items) => {
                let index = if token == "-" { items.len() } else { token.parse().unwrap_or(items.len()) };
                if index >= items.len() {
                    items.push(::serde_json::Value::Null);
                    let end = items.len() - 1;
                    &mut items[end]
                } else {
                    &mut items[index]
                }
            }
            ::serde_json::Value::Object(map) => map.entry(token.clone()).or_insert(::serde_json::Value::Null),
            other => {
                // A scalar on the way is replaced by an object holding the rest.
                *other = ::serde_json::Value::Object(::serde_json::Map::new());
                match other {
                    ::serde_json::Value::Object(map) => map.entry(token.clone()).or_insert(::serde_json::Value::Null),
                    _ => return,
                }
            }
        };
        if i == last {
            *node = value;
            return;
        }
    }
}

/// A fresh idempotency key: 128 bits in the UUID text form, from the process's random hasher
/// keys, the time and a counter (unique, not secret).
pub fn idempotency_key() -> ::std::string::String {
    use ::std::hash::{BuildHasher, Hasher};
    static COUNTER: ::std::sync::atomic::AtomicU64 = ::std::sync::atomic::AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, ::std::sync::atomic::Ordering::Relaxed);
    let nanos = ::std::time::SystemTime::now()
        .duration_since(::std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let half = |i: u64| {
        let mut h = ::std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u64(n);
        h.write_u64(i);
        h.write_u128(nanos);
        h.finish()
    };
    let (a, b) = (half(0), half(1));
    ::std::format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0x0fff,
        ((b >> 48) & 0x3fff) | 0x8000,
        b & 0xffff_ffff_ffff
    )
}
