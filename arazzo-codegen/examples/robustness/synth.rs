//! The child's work: a one-step workflow synthesised for one description, generated.

use std::path::Path;

use arazzo_codegen::openapi::{deref, METHODS};
use arazzo_codegen::source::escape_token as escape;
use serde_json::{json, Map, Value};

/// Why a description gets no workflow: an outcome kind and its cause.
type Skip = (&'static str, String);

/// The step's target, its required parameters as (name, location), and JSON pointers into its
/// success response to read as outputs.
type Target = (Value, Vec<(String, String)>, Vec<String>);

fn pick(doc: &Value) -> Result<Target, Skip> {
    let Some(paths) = doc.get("paths").and_then(Value::as_object) else {
        return Err(("no-operation", "the description has no paths".into()));
    };
    let mut first_path: Option<(String, String)> = None;
    let mut chosen: Option<(String, String, String)> = None;
    'outer: for (path, item) in paths {
        let item = deref(doc, item);
        for m in METHODS {
            let Some(op) = item.get(*m) else { continue };
            if first_path.is_none() {
                first_path = Some((path.clone(), (*m).to_string()));
            }
            if let Some(id) = op.get("operationId").and_then(Value::as_str) {
                chosen = Some((path.clone(), (*m).to_string(), id.to_string()));
                break 'outer;
            }
        }
    }
    let (path, method, target) = match (chosen, first_path) {
        (Some((p, m, id)), _) => (
            p,
            m,
            json!({ "operationId": format!("$sourceDescriptions.api.{id}") }),
        ),
        (None, Some((p, m))) => {
            let ptr = format!("{{$sourceDescriptions.api.url}}#/paths/{}/{m}", escape(&p));
            (p, m, json!({ "operationPath": ptr }))
        }
        (None, None) => return Err(("no-operation", "the description has no operation".into())),
    };
    let item = deref(doc, &paths[&path]);
    let op = deref(doc, &item[&method]);
    let mut params = Vec::new();
    let lists = [op.get("parameters"), item.get("parameters")];
    for list in lists.into_iter().flatten() {
        for p in list.as_array().into_iter().flatten() {
            let p = deref(doc, p);
            let (Some(name), Some(loc)) = (
                p.get("name").and_then(Value::as_str),
                p.get("in").and_then(Value::as_str),
            ) else {
                continue;
            };
            let required = loc == "path" || p.get("required") == Some(&Value::Bool(true));
            if !required || loc == "cookie" {
                continue;
            }
            if params.iter().any(|(n, l)| n == name && l == loc) {
                continue;
            }
            if p.get("content").is_none() {
                let schema = p.get("schema").map_or(&Value::Null, |s| deref(doc, s));
                let ty = schema.get("type");
                let ty = match ty {
                    Some(Value::Array(a)) => a.iter().find(|t| *t != "null").cloned(),
                    t => t.cloned(),
                };
                if let Some(Value::String(t)) = ty {
                    if t == "array" || t == "object" {
                        return Err((
                            "skipped",
                            format!(
                                "required parameter `{name}` is an {t}: a string input cannot fit"
                            ),
                        ));
                    }
                }
            }
            params.push((name.to_string(), loc.to_string()));
        }
    }
    Ok((target, params, reads(doc, op)))
}

/// Up to three pointers into the first JSON success response: a top-level property (of the
/// items, for an array), a nested one where there is one, so lean types are cut on real schemas.
fn reads(doc: &Value, op: &Value) -> Vec<String> {
    let Some(responses) = op.get("responses").and_then(Value::as_object) else {
        return Vec::new();
    };
    let Some(schema) = responses
        .iter()
        .filter(|(code, _)| code.starts_with('2'))
        .filter_map(|(_, r)| {
            let r = deref(doc, r);
            let content = r.get("content")?.as_object()?;
            let (_, media) = content.iter().find(|(mt, _)| mt.contains("json"))?;
            media.get("schema")
        })
        .next()
    else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut at = String::new();
    let mut s = deref(doc, schema);
    if let Some(items) = s.get("items") {
        at.push_str("/0");
        s = deref(doc, items);
    }
    let props = properties(doc, s);
    for (name, p) in props.iter().take(2) {
        out.push(format!("{at}/{name}"));
        if let Some((inner, _)) = properties(doc, deref(doc, p)).into_iter().next() {
            out.push(format!("{at}/{name}/{inner}"));
            break;
        }
    }
    out.truncate(3);
    out
}

/// The properties of an object schema and of its `allOf` members, those whose names need no
/// escaping in a pointer.
fn properties(doc: &Value, s: &Value) -> Vec<(String, Value)> {
    let plain = |k: &str| {
        !k.is_empty()
            && k.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
    };
    let mut out: Vec<(String, Value)> = s
        .get("properties")
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .filter(|(k, _)| plain(k))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        })
        .unwrap_or_default();
    for member in s
        .get("allOf")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        out.extend(properties(doc, deref(doc, member)));
    }
    out
}

fn input_name(name: &str, taken: &[String]) -> String {
    let mut s: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    if s.is_empty() || s.starts_with(|c: char| c.is_ascii_digit()) {
        s.insert(0, 'p');
    }
    let base = s.clone();
    let mut k = 2;
    while taken.contains(&s) {
        s = format!("{base}_{k}");
        k += 1;
    }
    s
}

/// The synthesised Arazzo document for `desc`, or the reason there is none.
pub fn document(desc: &Value) -> Result<Value, Skip> {
    let (target, params, reads) = pick(desc)?;
    let mut props = Map::new();
    let mut required = Vec::new();
    let mut parameters = Vec::new();
    let mut taken: Vec<String> = Vec::new();
    for (name, loc) in &params {
        let input = input_name(name, &taken);
        taken.push(input.clone());
        props.insert(input.clone(), json!({ "type": "string" }));
        required.push(Value::String(input.clone()));
        parameters.push(json!({ "name": name, "in": loc, "value": format!("$inputs.{input}") }));
    }
    let mut outputs = Map::new();
    outputs.insert("status".into(), json!("$statusCode"));
    for (i, pointer) in reads.iter().enumerate() {
        outputs.insert(
            format!("read{i}"),
            json!(format!("$response.body#{pointer}")),
        );
    }
    let mut step = json!({
        "stepId": "call",
        "parameters": parameters,
        "outputs": outputs
    });
    if let (Value::Object(s), Value::Object(t)) = (&mut step, target) {
        s.extend(t);
    }
    Ok(json!({
        "arazzo": "1.0.1",
        "info": { "title": "robustness harness", "version": "1.0.0" },
        "sourceDescriptions": [{ "name": "api", "url": "api.json", "type": "openapi" }],
        "workflows": [{
            "workflowId": "call",
            "inputs": { "type": "object", "properties": props, "required": required },
            "steps": [step],
            "outputs": { "status": "$steps.call.outputs.status" }
        }]
    }))
}

fn slug(desc: &Path) -> String {
    let s = desc.display().to_string();
    let s = s.rsplit("/api/").next().unwrap_or(&s).to_string();
    s.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

/// Synthesises, generates and writes one description's code; returns the verdict as JSON.
pub fn one(desc: &Path, work: &Path, all: bool) -> Value {
    let text = match std::fs::read_to_string(desc) {
        Ok(t) => t,
        Err(e) => return json!({ "kind": "unreadable", "cause": e.to_string() }),
    };
    let parsed: Value = match serde_json::from_str(&text) {
        Ok(v) => v,
        Err(e) => return json!({ "kind": "unreadable", "cause": e.to_string() }),
    };
    let doc = match document(&parsed) {
        Ok(d) => d,
        Err((kind, cause)) => return json!({ "kind": kind, "cause": cause }),
    };
    let slug = slug(desc);
    let arazzo = work.join(format!("{slug}.arazzo.json"));
    let body = serde_json::to_string_pretty(&doc).unwrap_or_default();
    if let Err(e) = std::fs::write(&arazzo, body) {
        return json!({ "kind": "harness", "cause": e.to_string() });
    }
    let generated = arazzo_codegen::Builder::new(&arazzo)
        .source("api", desc)
        .keep_all_operations(all)
        .generate();
    let errors: Vec<&arazzo_codegen::Diagnostic> = generated
        .diagnostics
        .items()
        .iter()
        .filter(|d| d.severity == arazzo_codegen::Severity::Error)
        .collect();
    match (&generated.code, errors.first()) {
        (Some(code), None) => {
            let out = work.join(format!("{slug}.rs"));
            if let Err(e) = std::fs::write(&out, code) {
                return json!({ "kind": "harness", "cause": e.to_string() });
            }
            json!({ "kind": "generated", "lines": code.lines().count(), "code": out })
        }
        (_, Some(first)) => {
            let internal = errors.iter().any(|d| d.message.contains("internal error"));
            let d = errors
                .iter()
                .find(|d| d.message.contains("internal error"))
                .unwrap_or(first);
            let kind = if internal {
                "internal-error"
            } else if d.location.is_some() {
                "located-error"
            } else {
                "unlocated-error"
            };
            json!({ "kind": kind, "cause": without_paths(&d.message) })
        }
        (None, None) => json!({ "kind": "internal-error", "cause": "no code and no error" }),
    }
}

/// The message without parenthesised file paths, so that one defect groups as one cause.
fn without_paths(message: &str) -> String {
    let mut out = String::new();
    let mut rest = message;
    while let Some(i) = rest.find(" (") {
        let Some(j) = rest[i..].find(')') else { break };
        out.push_str(&rest[..i]);
        let inner = &rest[i..i + j + 1];
        if !inner.contains('/') {
            out.push_str(inner);
        }
        rest = &rest[i + j + 1..];
    }
    out.push_str(rest);
    out.chars().take(400).collect()
}
