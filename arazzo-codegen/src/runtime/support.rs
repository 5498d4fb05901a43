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

/// Re-encodes a request's JSON body as a form, field by field in the given styles.
pub fn to_form(
    request: &mut ::reqwest::Request,
    styles: &[(&str, form::Style)],
) -> ::std::result::Result<(), ::std::string::String> {
    let ::std::option::Option::Some(body) = request.body() else {
        return ::std::result::Result::Ok(());
    };
    let ::std::option::Option::Some(bytes) = body.as_bytes() else {
        return ::std::result::Result::Err("a streamed request body cannot be form-encoded".into());
    };
    let value: ::serde_json::Value = ::serde_json::from_slice(bytes)
        .map_err(|e| ::std::format!("the request body is not JSON, so it cannot be form-encoded: {e}"))?;
    let text = form::encode(&value, styles);
    *request.body_mut() = ::std::option::Option::Some(::reqwest::Body::from(text));
    set_header(request, "content-type", "application/x-www-form-urlencoded")
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
            Error::MissingInput { .. } => ::std::option::Option::None,
            Error::Request { step, .. } | Error::Failed { step, .. } | Error::Output { step, .. } => {
                ::std::option::Option::Some(step)
            }
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
            Error::Request { step, cause } => ::std::write!(f, "step `{step}`: {cause}"),
            Error::Failed { step, criterion, status, .. } => {
                ::std::write!(f, "step `{step}`: status {status}; `{criterion}` does not hold")
            }
            Error::Output { step, output, cause } => {
                ::std::write!(f, "step `{step}`: output `{output}`: {cause}")
            }
        }
    }
}

impl ::std::error::Error for Error {}

/// A step's response: its status, and its body as JSON (`null` when it had none).
pub struct Exchange {
    /// The status.
    pub status: u16,
    /// The body.
    pub body: ::serde_json::Value,
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
            let status = v.status().as_u16();
            ::std::result::Result::Ok(Exchange { status, body: json(::serde_json::to_value(v.into_inner()))? })
        }
        ::std::result::Result::Err(::progenitor_client::Error::ErrorResponse(v)) => {
            let status = v.status().as_u16();
            ::std::result::Result::Ok(Exchange { status, body: json(::serde_json::to_value(v.into_inner()))? })
        }
        ::std::result::Result::Err(::progenitor_client::Error::UnexpectedResponse(r)) => {
            let status = r.status().as_u16();
            let bytes = r.bytes().await.map_err(|e| Error::Request { step, cause: causes(&e) })?;
            let body = ::serde_json::from_slice(&bytes).unwrap_or_else(|_| {
                if bytes.is_empty() {
                    ::serde_json::Value::Null
                } else {
                    ::serde_json::Value::String(::std::string::String::from_utf8_lossy(&bytes).into_owned())
                }
            });
            ::std::result::Result::Ok(Exchange { status, body })
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
