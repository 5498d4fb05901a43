//! Responses: the success and error bodies the client generator can decode.

use super::*;

impl Normaliser<'_> {
    pub(super) fn responses(&mut self, responses: &Value, at: &str) -> Value {
        let mut out: Map<String, Value> = Map::new();
        let Value::Object(rs) = responses else {
            return Value::Object(out);
        };
        for (code, r) in rs {
            // An informational status (`101 Switching Protocols`) is never a call's final
            // response: the client reads the others.
            if code.starts_with('1') {
                self.change(
                    "response",
                    &source::child(at, code),
                    format!(
                        "status {code} is informational, never a final response; it is not read"
                    ),
                );
                continue;
            }
            let mut r = self.inline(r);
            // The client types no response header (`$response.header.*` reads the response
            // as sent), so their descriptions, and any dangling reference in them, are not
            // handed on.
            if let Some(m) = r.as_object_mut() {
                m.remove("headers");
            }
            if let Some(Value::Object(content)) = r.get("content").cloned() {
                let json = content
                    .iter()
                    .find(|(mt, _)| mt.to_ascii_lowercase().contains("json"))
                    .or_else(|| content.iter().next());
                if let Some((mt, media)) = json {
                    if content.len() > 1 {
                        self.change(
                            "media-type",
                            &source::child(at, code),
                            format!("the response has several media types; `{mt}` is read"),
                        );
                    }
                    let mut media = media.clone();
                    if media.get("schema").is_none() {
                        media["schema"] = Value::Object(Map::new());
                    }
                    let mut mt = mt.clone();
                    if is_json(&mt) && mt != "application/json" {
                        self.change(
                            "media-type",
                            &source::child(at, code),
                            format!("response media type `{mt}` is read as JSON"),
                        );
                        mt = "application/json".into();
                    }
                    let mut c = Map::new();
                    c.insert(mt, media);
                    r["content"] = Value::Object(c);
                }
            }
            if r.get("description").is_none() {
                r["description"] = Value::String(String::new());
            }
            out.insert(code.clone(), r);
        }
        let is_success = |c: &str| c.starts_with('2');
        let has_success = out.keys().any(|c| is_success(c));
        if has_success {
            if let Some(d) = out.remove("default") {
                for range in ["4XX", "5XX"] {
                    out.entry(range.to_string()).or_insert_with(|| d.clone());
                }
                self.change(
                    "response",
                    &source::child(at, "default"),
                    "the `default` response is read as the error response for 4XX and 5XX statuses",
                );
            }
        } else if out.len() > 1 {
            // No success status is listed, only errors and `default`: the client generator would
            // write two catch-all arms.
            if let Some(d) = out.remove("default") {
                for range in ["2XX", "4XX", "5XX"] {
                    out.entry(range.to_string()).or_insert_with(|| d.clone());
                }
                self.change("response", 
                    &source::child(at, "default"),
                    "no success response is listed; the `default` response is read for 2XX, 4XX and 5XX statuses",
                );
            }
        }
        let body_of = |r: &Value| {
            r.get("content")
                .and_then(Value::as_object)
                .and_then(|c| c.values().next())
                .and_then(|m| m.get("schema"))
                .cloned()
        };
        // A status a range already covers would be an unreachable arm after it.
        let ranges: Vec<String> = out
            .keys()
            .filter(|c| c.len() == 3 && c.is_ascii() && c[1..].eq_ignore_ascii_case("xx"))
            .cloned()
            .collect();
        for range in ranges {
            let covered: Vec<String> = out
                .keys()
                .filter(|c| {
                    c.len() == 3
                        && c.bytes().all(|b| b.is_ascii_digit())
                        && c.as_bytes()[0] == range.as_bytes()[0]
                })
                .cloned()
                .collect();
            for c in covered {
                out.remove(&c);
                self.change(
                    "response",
                    &source::child(at, &c),
                    format!(
                        "status {c} is read as part of `{range}`, which the description also lists"
                    ),
                );
            }
        }
        // One success type.
        let success: Vec<(String, Option<Value>)> = out
            .iter()
            .filter(|(c, _)| is_success(c))
            .map(|(c, r)| (c.clone(), body_of(r)))
            .collect();
        let kinds: BTreeSet<String> = success
            .iter()
            .map(|(_, s)| s.as_ref().map_or("none".into(), Value::to_string))
            .collect();
        if kinds.len() > 1 {
            let with_body: Vec<&(String, Option<Value>)> =
                success.iter().filter(|(_, s)| s.is_some()).collect();
            let distinct_bodies: BTreeSet<String> = with_body
                .iter()
                .filter_map(|(_, s)| s.as_ref().map(Value::to_string))
                .collect();
            // JSON beside another media type: the client has one response type, and only raw
            // bytes hold both.
            let json = |c: &String| {
                out.get(c)
                    .and_then(|r| r.get("content"))
                    .and_then(Value::as_object)
                    .and_then(|m| m.keys().next())
                    .is_some_and(|mt| mt.contains("json"))
            };
            let mixed =
                with_body.iter().any(|(c, _)| json(c)) && with_body.iter().any(|(c, _)| !json(c));
            if mixed || distinct_bodies.len() > 1 {
                for (c, _) in &with_body {
                    let Some(r) = out.get_mut(c) else { continue };
                    if mixed {
                        r["content"] = serde_json::json!({"application/octet-stream":
                            {"schema": {"type": "string", "format": "binary"}}});
                    } else if let Some(Value::Object(content)) = r.get_mut("content") {
                        for media in content.values_mut() {
                            media["schema"] = Value::Object(Map::new());
                        }
                    }
                }
                let codes: Vec<&str> = with_body.iter().map(|(c, _)| c.as_str()).collect();
                let reading = if mixed {
                    ", not all JSON; each is read as raw bytes"
                } else {
                    "; each is read as untyped JSON"
                };
                self.change(
                    "response",
                    at,
                    format!(
                        "success responses {} have different bodies{reading}",
                        crate::suggest::list(&codes)
                    ),
                );
            }
            let empty: Vec<String> = success
                .iter()
                .filter(|(_, s)| s.is_none())
                .map(|(c, _)| c.clone())
                .collect();
            for c in &empty {
                out.remove(c);
            }
            if !empty.is_empty() {
                self.change("response", at, format!("success responses without a body ({}) are dropped beside those with one; such a status is reported as unexpected", crate::suggest::list(&empty.iter().map(String::as_str).collect::<Vec<_>>())));
            }
        }
        // One error type.
        let errors: Vec<(String, Option<Value>)> = out
            .iter()
            .filter(|(c, _)| !is_success(c))
            .map(|(c, r)| (c.clone(), body_of(r)))
            .collect();
        let kinds: BTreeSet<String> = errors
            .iter()
            .map(|(_, s)| s.as_ref().map_or("none".into(), Value::to_string))
            .collect();
        if kinds.len() > 1 {
            for (c, _) in &errors {
                if let Some(r) = out.get_mut(c) {
                    r["content"] = serde_json::json!({"application/json": {"schema": {}}});
                }
            }
            self.change(
                "response",
                at,
                format!(
                    "error responses {} have different bodies; each is read as untyped JSON",
                    crate::suggest::list(
                        &errors.iter().map(|(c, _)| c.as_str()).collect::<Vec<_>>()
                    )
                ),
            );
        }
        Value::Object(out)
    }
}
