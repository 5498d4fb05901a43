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
