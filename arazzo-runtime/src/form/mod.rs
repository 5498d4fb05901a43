//! Form encoding (`application/x-www-form-urlencoded`) of a JSON request body, field by field
//! in the style the operation's `encoding` gives, and `multipart/form-data`.
//!
//! Bracketed keys (`metadata[key]=value`) are written with literal brackets, as form-encoded
//! APIs that take nested objects expect; every other byte is encoded by `form_urlencoded`.

use serde::de::DeserializeSeed;
use serde_json::Value;

mod stream;

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

/// Encodes the members of a JSON body given as text (an object; anything else encodes as
/// nothing), as they are read: no value is built. Fields named in `styles` use that style;
/// other objects and arrays are encoded as deep objects. Nulls are left out; `true`/`false`
/// and numbers are written as JSON writes them. The error says why the text is not JSON.
pub fn encode_json(text: &[u8], styles: &[(&str, Style)]) -> Result<String, serde_json::Error> {
    // The form is about as long as the JSON text (quotes and braces go, escapes come): room
    // for it at once, not grown member by member.
    let mut out = String::with_capacity(text.len() + text.len() / 4);
    let mut deserializer = serde_json::Deserializer::from_slice(text);
    stream::Body {
        out: &mut out,
        styles,
    }
    .deserialize(&mut deserializer)?;
    deserializer.end()?;
    Ok(out)
}

/// One field in the `form` style, exploded or not; a scalar is written as it is.
fn field(out: &mut String, name: &str, value: &Value, style: Style) {
    match (style, value) {
        (Style::FormExplode, Value::Array(items)) => {
            for item in items {
                pair(out, name, item);
            }
        }
        (Style::FormExplode, Value::Object(members)) => {
            for (k, v) in members {
                pair(out, k, v);
            }
        }
        (Style::Form, Value::Array(items)) => {
            let joined: Vec<String> = items.iter().filter_map(scalar).collect();
            push(out, name, &joined.join(","));
        }
        (Style::Form, Value::Object(members)) => {
            let joined: Vec<String> = members
                .iter()
                .filter_map(|(k, v)| scalar(v).map(|v| format!("{k},{v}")))
                .collect();
            push(out, name, &joined.join(","));
        }
        _ => pair(out, name, value),
    }
}

fn pair(out: &mut String, key: &str, value: &Value) {
    if let Some(v) = scalar(value) {
        push(out, key, &v);
    }
}

fn scalar(value: &Value) -> Option<String> {
    match value {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

fn push(out: &mut String, key: &str, value: &str) {
    if !out.is_empty() {
        out.push('&');
    }
    // The key's brackets stay as they are; the text between them is encoded.
    let mut rest = key;
    while let Some(i) = rest.find(['[', ']']) {
        out.extend(form_urlencoded::byte_serialize(&rest.as_bytes()[..i]));
        out.push_str(&rest[i..=i]);
        rest = &rest[i + 1..];
    }
    out.extend(form_urlencoded::byte_serialize(rest.as_bytes()));
    out.push('=');
    out.extend(form_urlencoded::byte_serialize(value.as_bytes()));
}

/// Encodes the members of `body` (an object) as `multipart/form-data` parts separated by
/// `boundary`, in the body's order. Nulls are left out; a string is the part's content as it
/// is; an object or array is its JSON text (`Content-Type: application/json`); other values are
/// their JSON text. Fields named in `files` are sent as files (with a `filename` and
/// `Content-Type: application/octet-stream`).
pub fn multipart(body: &Value, files: &[&str], boundary: &str) -> Vec<u8> {
    let mut out = Vec::new();
    if let Value::Object(fields) = body {
        for (name, value) in fields {
            let content = match value {
                Value::Null => continue,
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            // Quotes and line breaks in a name are percent-encoded, as browsers do.
            let quoted = name
                .replace('"', "%22")
                .replace('\r', "%0D")
                .replace('\n', "%0A");
            let mut head =
                format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{quoted}\"");
            if files.contains(&name.as_str()) {
                head.push_str(&format!(
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
    out.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    out
}

#[cfg(test)]
mod tests;
