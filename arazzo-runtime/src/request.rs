//! What the generated clients' `pre` hook does to a request: credentials, body encodings, and
//! a tidy path.

use base64::Engine;
use serde_json::Value;

use crate::form;

/// Sets (replaces) a header; the error names the header, never the value.
pub fn set_header(
    request: &mut reqwest::Request,
    name: &'static str,
    value: &str,
) -> Result<(), String> {
    use reqwest::header::{HeaderName, AUTHORIZATION, CONTENT_TYPE};
    let key = name
        .as_bytes()
        .windows(3)
        .any(|w| w.eq_ignore_ascii_case(b"key"));
    let sensitive = name == "authorization" || key;
    // The two names every client sets are taken as they are; others are checked (and put in
    // lower case), never trusted to be valid.
    let header = match name {
        "authorization" => AUTHORIZATION,
        "content-type" => CONTENT_TYPE,
        other => HeaderName::from_bytes(other.as_bytes())
            .map_err(|_| format!("`{name}` is not a valid header name"))?,
    };
    insert(request, header, value, sensitive)
}

/// Puts `value` under `name`, marked sensitive or not; the error names the header only.
fn insert(
    request: &mut reqwest::Request,
    name: reqwest::header::HeaderName,
    value: &str,
    sensitive: bool,
) -> Result<(), String> {
    let mut value = reqwest::header::HeaderValue::from_str(value).map_err(|_| {
        format!(
            "the value for header `{}` is not a valid header value",
            name.as_str()
        )
    })?;
    value.set_sensitive(sensitive);
    request.headers_mut().insert(name, value);
    Ok(())
}

/// Sets (replaces) a credential header whose name the generator checked: the value is marked
/// sensitive; the error names the header, never the value.
pub fn set_credential(
    request: &mut reqwest::Request,
    name: reqwest::header::HeaderName,
    value: &str,
) -> Result<(), String> {
    insert(request, name, value, true)
}

/// Takes out the `api-version` header the client generator puts on every request.
pub fn drop_api_version(request: &mut reqwest::Request) {
    // A name made once, at compile time: no parsing per request.
    const API_VERSION: reqwest::header::HeaderName =
        reqwest::header::HeaderName::from_static("api-version");
    request.headers_mut().remove(&API_VERSION);
}

/// The `Authorization` value of HTTP basic authentication.
pub fn basic(user: &str, password: &str) -> String {
    let pair = [user.as_bytes(), b":", password.as_bytes()].concat();
    let mut value = String::with_capacity(6 + pair.len().div_ceil(3) * 4);
    value.push_str("Basic ");
    base64::engine::general_purpose::STANDARD.encode_string(pair, &mut value);
    value
}

/// The request's body as bytes, for re-encoding as `what`; `None` without a body.
fn body_bytes<'a>(request: &'a reqwest::Request, what: &str) -> Result<Option<&'a [u8]>, String> {
    let Some(body) = request.body() else {
        return Ok(None);
    };
    body.as_bytes()
        .map(Some)
        .ok_or_else(|| format!("a streamed request body cannot be sent as {what}"))
}

fn not_json(what: &str, e: serde_json::Error) -> String {
    format!("the request body is not JSON, so it cannot be sent as {what}: {e}")
}

/// Re-encodes a request's JSON body as a form, field by field in the given styles. The JSON
/// text is encoded as it is read (no value is built from it).
pub fn to_form(
    request: &mut reqwest::Request,
    styles: &[(&str, form::Style)],
) -> Result<(), String> {
    let Some(bytes) = body_bytes(request, "a form")? else {
        return Ok(());
    };
    let text = form::encode_json(bytes, styles).map_err(|e| not_json("a form", e))?;
    *request.body_mut() = Some(reqwest::Body::from(text));
    request.headers_mut().insert(
        reqwest::header::CONTENT_TYPE,
        reqwest::header::HeaderValue::from_static("application/x-www-form-urlencoded"),
    );
    Ok(())
}

/// Re-encodes a request's JSON body as `multipart/form-data`, one part per field; the fields
/// named in `files` go as files.
pub fn to_multipart(request: &mut reqwest::Request, files: &[&str]) -> Result<(), String> {
    let Some(bytes) = body_bytes(request, "multipart/form-data")? else {
        return Ok(());
    };
    let value: Value =
        serde_json::from_slice(bytes).map_err(|e| not_json("multipart/form-data", e))?;
    // A boundary no part is likely to hold.
    let boundary = format!("arazzo-boundary-{}", uuid::Uuid::new_v4().simple());
    let bytes = form::multipart(&value, files, &boundary);
    *request.body_mut() = Some(reqwest::Body::from(bytes));
    let content_type = format!("multipart/form-data; boundary={boundary}");
    set_header(request, "content-type", &content_type)
}

/// Joins base URL and path with exactly one slash: a base URL given with a trailing slash
/// would otherwise leave `//` at the start of the path.
pub fn one_slash(request: &mut reqwest::Request) {
    let path = request.url().path();
    if path.starts_with("//") {
        let tidy = format!("/{}", path.trim_start_matches('/'));
        request.url_mut().set_path(&tidy);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn post(body: &str) -> reqwest::Request {
        let mut r = reqwest::Request::new(
            reqwest::Method::POST,
            "http://api.test//v1/customers".parse().unwrap(),
        );
        *r.body_mut() = Some(reqwest::Body::from(body.to_string()));
        r
    }

    #[test]
    fn headers_are_set_by_any_valid_name_and_keys_are_sensitive() {
        let mut r = post("{}");
        set_header(&mut r, "X-API-Key", "k").unwrap();
        set_header(&mut r, "authorization", "Basic a").unwrap();
        set_header(&mut r, "content-type", "text/plain").unwrap();
        let h = r.headers();
        assert!(h["x-api-key"].is_sensitive() && h["authorization"].is_sensitive());
        assert!(!h["content-type"].is_sensitive());
        assert_eq!(h["content-type"], "text/plain");
        // A bad name is an error naming it, not a panic.
        let e = set_header(&mut r, "bad name", "v").unwrap_err();
        assert!(e.contains("`bad name`"), "{e}");
    }

    #[test]
    fn credentials_by_checked_name_are_sensitive_and_bad_values_name_the_header_only() {
        let mut r = post("{}");
        let name = reqwest::header::HeaderName::from_static("x-api-key");
        set_credential(&mut r, name.clone(), "k").unwrap();
        set_credential(&mut r, reqwest::header::AUTHORIZATION, "Basic a").unwrap();
        assert!(r.headers()["x-api-key"].is_sensitive());
        assert_eq!(r.headers()["authorization"], "Basic a");
        assert!(r.headers()["authorization"].is_sensitive());
        let e = set_credential(&mut r, name, "bad\nvalue").unwrap_err();
        assert_eq!(
            e,
            "the value for header `x-api-key` is not a valid header value"
        );
    }

    #[test]
    fn basic_credentials_are_base64() {
        assert_eq!(basic("sk_test", ""), "Basic c2tfdGVzdDo=");
        assert_eq!(
            basic("Aladdin", "open sesame"),
            "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=="
        );
    }

    #[test]
    fn credentials_are_sensitive_and_bad_values_name_the_header_only() {
        let mut r = post("{}");
        set_header(&mut r, "authorization", "Bearer t").unwrap();
        set_header(&mut r, "x-api-key", "k").unwrap();
        set_header(&mut r, "accept", "application/json").unwrap();
        assert!(r.headers()["authorization"].is_sensitive());
        assert!(r.headers()["x-api-key"].is_sensitive());
        assert!(!r.headers()["accept"].is_sensitive());
        let e = set_header(&mut r, "x-api-key", "bad\nvalue").unwrap_err();
        assert_eq!(
            e,
            "the value for header `x-api-key` is not a valid header value"
        );
    }

    #[test]
    fn a_json_body_goes_as_a_form() {
        let mut r = post(r#"{"metadata":{"id":"c 1"},"name":"Ada L"}"#);
        to_form(&mut r, &[]).unwrap();
        let body = r.body().and_then(reqwest::Body::as_bytes).unwrap();
        assert_eq!(body, b"metadata[id]=c+1&name=Ada+L");
        assert_eq!(
            r.headers()["content-type"],
            "application/x-www-form-urlencoded"
        );
    }

    #[test]
    fn a_json_body_goes_as_multipart_with_a_fresh_boundary() {
        let mut r = post(r#"{"file":"bytes","note":"n"}"#);
        to_multipart(&mut r, &["file"]).unwrap();
        let content_type = r.headers()["content-type"].to_str().unwrap().to_string();
        let boundary = content_type
            .strip_prefix("multipart/form-data; boundary=")
            .unwrap();
        let body = String::from_utf8(r.body().and_then(reqwest::Body::as_bytes).unwrap().to_vec())
            .unwrap();
        assert!(body.starts_with(&format!("--{boundary}\r\n")));
        assert!(body.contains("name=\"file\"; filename=\"file\""));
        assert!(body.ends_with(&format!("--{boundary}--\r\n")));
    }

    #[test]
    fn a_body_that_is_not_json_cannot_be_re_encoded() {
        let mut r = post("not json");
        let e = to_form(&mut r, &[]).unwrap_err();
        assert!(e.starts_with("the request body is not JSON"), "{e}");
        let mut empty = reqwest::Request::new(reqwest::Method::GET, "http://a/".parse().unwrap());
        assert!(to_form(&mut empty, &[]).is_ok());
        assert!(empty.body().is_none());
    }

    #[test]
    fn a_doubled_slash_after_the_base_url_is_one() {
        let mut r = post("");
        one_slash(&mut r);
        assert_eq!(r.url().as_str(), "http://api.test/v1/customers");
    }
}
