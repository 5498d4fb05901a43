//! Request bodies: media types, form and multipart encodings.

use super::*;

impl Normaliser<'_> {
    pub(super) fn request_body(&mut self, body: &Value, id: &str, at: &str) -> Option<Value> {
        let mut body = self.inline(body);
        let content = body
            .get("content")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        if content.is_empty() {
            self.change(
                "media-type",
                at,
                "the request body lists no media type; it is dropped",
            );
            return None;
        }
        let rank = |mt: &str| {
            let mt = mt.to_ascii_lowercase();
            let mt = mt.split(';').next().unwrap_or_default().trim();
            if is_json(mt) {
                0
            } else if mt == "application/x-www-form-urlencoded" {
                1
            } else if mt == "multipart/form-data" {
                2
            } else if mt == "application/octet-stream" || mt.starts_with("text/plain") {
                3
            } else if matches!(mt, "" | "*/*" | "*" | "application/*") {
                4
            } else if mt.starts_with("text/")
                || mt.ends_with("+xml")
                || matches!(
                    mt,
                    "application/xml" | "application/yaml" | "application/x-yaml"
                )
            {
                5
            } else {
                6
            }
        };
        let (declared, media) = content.iter().min_by_key(|(mt, _)| rank(mt))?;
        let mut media = media.clone();
        // Media types the client has no encoder of its own for: a wildcard takes JSON, a
        // textual type a string, anything else raw bytes, each sent with the declared type.
        let chosen = match rank(declared) {
            4 => {
                self.change("media-type", &source::child(at, "content"), format!("request media type `{declared}` takes any body; it is built and sent as JSON"));
                "application/json".to_string()
            }
            5 => {
                self.change("media-type", &source::child(at, "content"), format!("request media type `{declared}` is text; the body is a string sent with `Content-Type: {declared}`"));
                self.content_types.insert(id.to_string(), declared.clone());
                media["schema"] = serde_json::json!({"type": "string"});
                "text/plain".to_string()
            }
            6 => {
                self.change("media-type", &source::child(at, "content"), format!("request media type `{declared}` is sent as raw bytes with `Content-Type: {declared}`"));
                self.content_types.insert(id.to_string(), declared.clone());
                media["schema"] = serde_json::json!({"type": "string", "format": "binary"});
                "application/octet-stream".to_string()
            }
            _ => declared.clone(),
        };
        if content.len() > 1 {
            let others: Vec<&str> = content
                .keys()
                .filter(|k| *k != declared)
                .map(String::as_str)
                .collect();
            self.change(
                "media-type",
                at,
                format!(
                    "the request body has several media types; `{declared}` is used, not {}",
                    crate::suggest::list(&others)
                ),
            );
        }
        if media.get("schema").is_none() {
            media["schema"] = Value::Object(Map::new());
        }
        let mut chosen = chosen;
        if rank(&chosen) == 0 && chosen != "application/json" {
            self.change("media-type", &source::child(at, "content"), format!("request media type `{chosen}` is JSON; the body is built as JSON and sent with `Content-Type: {chosen}`"));
            self.content_types.insert(id.to_string(), chosen.clone());
            chosen = "application/json".into();
        }
        if chosen.to_ascii_lowercase().starts_with("text/plain")
            && media
                .get("schema")
                .is_some_and(|s| s.get("type").and_then(Value::as_str) != Some("string"))
        {
            media["schema"] = serde_json::json!({"type": "string"});
            self.change(
                "media-type",
                &source::child(at, "content"),
                format!("the `{chosen}` body's schema is not a string; the body is taken as text"),
            );
        }
        if chosen.eq_ignore_ascii_case("application/octet-stream")
            && media
                .get("schema")
                .is_some_and(|s| s.get("type").and_then(Value::as_str) != Some("string"))
        {
            media["schema"] = serde_json::json!({"type": "string", "format": "binary"});
            self.change(
                "media-type",
                &source::child(at, "content"),
                format!(
                    "the `{chosen}` body's schema is not a string; the body is taken as raw bytes"
                ),
            );
        }
        if chosen.eq_ignore_ascii_case("application/x-www-form-urlencoded") {
            let mut enc = FormEncoding::default();
            if let Some(Value::Object(fields)) = media.get("encoding") {
                for (field, e) in fields {
                    let style = e.get("style").and_then(Value::as_str).unwrap_or("form");
                    let explode = e
                        .get("explode")
                        .and_then(Value::as_bool)
                        .unwrap_or(style == "form");
                    let s = match (style, explode) {
                        ("deepObject", _) => FieldStyle::DeepObject,
                        ("form", true) => FieldStyle::FormExplode,
                        _ => FieldStyle::Form,
                    };
                    enc.fields.insert(field.clone(), s);
                }
            }
            self.forms.insert(id.to_string(), enc);
            chosen = "application/json".into();
        }
        let multipart = chosen.eq_ignore_ascii_case("multipart/form-data");
        if multipart {
            let files = self.file_fields(media.get("schema").unwrap_or(&Value::Null));
            let sent = if files.is_empty() {
                String::new()
            } else {
                format!(
                    "; file fields: {}",
                    crate::suggest::list(&files.iter().map(String::as_str).collect::<Vec<_>>())
                )
            };
            self.change("media-type", &source::child(at, "content"), format!("the multipart body is built as JSON and sent as `multipart/form-data`, one part per field{sent}"));
            self.multipart.insert(id.to_string(), files);
            chosen = "application/json".into();
        }
        if media
            .as_object_mut()
            .and_then(|m| m.remove("encoding"))
            .is_some()
        {
            self.change("media-type", 
                &source::child(at, "content"),
                if multipart {
                    "the multipart body's `encoding` (content types per part) is not applied: a string part goes as it is, an object or array as JSON"
                } else {
                    "the body's `encoding` is applied by the generated client's form encoder"
                },
            );
        }
        let mut c = Map::new();
        c.insert(chosen, media);
        body["content"] = Value::Object(c);
        Some(body)
    }

    /// The properties of a multipart body's schema that are files (`format: binary` or
    /// `base64`).
    pub(super) fn file_fields(&self, schema: &Value) -> Vec<String> {
        let schema = self.inline(schema);
        let Some(Value::Object(props)) = schema.get("properties") else {
            return Vec::new();
        };
        props
            .iter()
            .filter(|(_, p)| {
                matches!(
                    self.inline(p).get("format").and_then(Value::as_str),
                    Some("binary" | "base64")
                )
            })
            .map(|(name, _)| name.clone())
            .collect()
    }
}
