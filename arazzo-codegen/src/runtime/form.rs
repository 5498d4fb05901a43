//! Form encoding (`application/x-www-form-urlencoded`) of a JSON request body, field by field
//! in the style the operation's `encoding` gives. This file is copied into generated code.

/// How one field goes on the wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    /// `name[key]=value` for objects, `name[0]=value` for arrays, recursively.
    DeepObject,
    /// `name=a&name=b` for arrays; `key=value` for each member of an object.
    FormExplode,
    /// `name=a,b` for arrays; `name=key,value` for objects.
    Form,
}

/// Encodes the members of `body` (an object; anything else encodes as nothing). Fields named
/// in `styles` use that style; other objects and arrays are encoded as deep objects. Nulls are
/// left out; `true`/`false` and numbers are written as JSON writes them.
pub fn encode(body: &::serde_json::Value, styles: &[(&str, Style)]) -> ::std::string::String {
    let mut out = ::std::string::String::new();
    let ::serde_json::Value::Object(fields) = body else {
        return out;
    };
    for (name, value) in fields {
        let style = styles
            .iter()
            .find(|(n, _)| *n == name.as_str())
            .map_or(Style::DeepObject, |(_, s)| *s);
        match (style, value) {
            (Style::FormExplode, ::serde_json::Value::Array(items)) => {
                for item in items {
                    pair(&mut out, name, item);
                }
            }
            (Style::FormExplode, ::serde_json::Value::Object(members)) => {
                for (k, v) in members {
                    pair(&mut out, k, v);
                }
            }
            (Style::Form, ::serde_json::Value::Array(items)) => {
                let joined: ::std::vec::Vec<::std::string::String> =
                    items.iter().filter_map(scalar).collect();
                push(&mut out, name, &joined.join(","));
            }
            (Style::Form, ::serde_json::Value::Object(members)) => {
                let joined: ::std::vec::Vec<::std::string::String> = members
                    .iter()
                    .filter_map(|(k, v)| scalar(v).map(|v| ::std::format!("{k},{v}")))
                    .collect();
                push(&mut out, name, &joined.join(","));
            }
            _ => deep(&mut out, name, value),
        }
    }
    out
}

fn deep(out: &mut ::std::string::String, key: &str, value: &::serde_json::Value) {
    match value {
        ::serde_json::Value::Object(members) => {
            for (k, v) in members {
                deep(out, &::std::format!("{key}[{k}]"), v);
            }
        }
        ::serde_json::Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                deep(out, &::std::format!("{key}[{i}]"), v);
            }
        }
        v => pair(out, key, v),
    }
}

fn pair(out: &mut ::std::string::String, key: &str, value: &::serde_json::Value) {
    if let ::std::option::Option::Some(v) = scalar(value) {
        push(out, key, &v);
    }
}

fn scalar(value: &::serde_json::Value) -> ::std::option::Option<::std::string::String> {
    match value {
        ::serde_json::Value::Null => ::std::option::Option::None,
        ::serde_json::Value::String(s) => ::std::option::Option::Some(s.clone()),
        other => ::std::option::Option::Some(other.to_string()),
    }
}

fn push(out: &mut ::std::string::String, key: &str, value: &str) {
    if !out.is_empty() {
        out.push('&');
    }
    escape(out, key, true);
    out.push('=');
    escape(out, value, false);
}

/// Percent-encodes as the URL standard's `application/x-www-form-urlencoded` serializer does
/// (space as `+`), except that a key keeps its `[` and `]`.
fn escape(out: &mut ::std::string::String, text: &str, is_key: bool) {
    for b in text.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'*' | b'-' | b'.' | b'_' => {
                out.push(char::from(b))
            }
            b'[' | b']' if is_key => out.push(char::from(b)),
            b' ' => out.push('+'),
            b => out.push_str(&::std::format!("%{b:02X}")),
        }
    }
}

/// Encodes the members of `body` (an object) as `multipart/form-data` parts separated by
/// `boundary`, in the body's order. Nulls are left out; a string is the part's content as it
/// is; an object or array is its JSON text (`Content-Type: application/json`); other values are
/// their JSON text. Fields named in `files` are sent as files (with a `filename` and
/// `Content-Type: application/octet-stream`).
pub fn multipart(
    body: &::serde_json::Value,
    files: &[&str],
    boundary: &str,
) -> ::std::vec::Vec<u8> {
    let mut out = ::std::vec::Vec::new();
    if let ::serde_json::Value::Object(fields) = body {
        for (name, value) in fields {
            let content = match value {
                ::serde_json::Value::Null => continue,
                ::serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            // Quotes and line breaks in a name are percent-encoded, as browsers do.
            let quoted = name
                .replace('"', "%22")
                .replace('\r', "%0D")
                .replace('\n', "%0A");
            let mut head =
                ::std::format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{quoted}\"");
            if files.contains(&name.as_str()) {
                head.push_str(&::std::format!(
                    "; filename=\"{quoted}\"\r\nContent-Type: application/octet-stream"
                ));
            } else if value.is_object() || value.is_array() {
                head.push_str("\r\nContent-Type: application/json");
            }
            head.push_str("\r\n\r\n");
            out.extend_from_slice(head.as_bytes());
            out.extend_from_slice(content.as_bytes());
            out.extend_from_slice(b"\r\n");
        }
    }
    out.extend_from_slice(::std::format!("--{boundary}--\r\n").as_bytes());
    out
}
