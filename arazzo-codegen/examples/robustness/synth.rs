//! The child's work: a one-step workflow synthesised for one description, generated.

use std::path::Path;

use arazzo_codegen::openapi::{deref, METHODS};
use arazzo_codegen::source::escape_token as escape;
use serde_json::{json, Map, Value};

/// Why a description gets no workflow: an outcome kind and its cause.
type Skip = (&'static str, String);

/// What a run synthesises and keeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Run {
    /// The first operation, the others pruned.
    Pruned,
    /// The first operation, every operation kept.
    All,
    /// The first operation that takes an object as its JSON or form body, sent with a payload
    /// that sets its required properties and up to three others; the others pruned.
    Bodies,
}

impl Run {
    /// The child's command-line flag.
    pub fn flag(self) -> &'static str {
        match self {
            Run::Pruned => "--pruned",
            Run::All => "--all",
            Run::Bodies => "--bodies",
        }
    }

    /// The run a child's flag names.
    pub fn from_flag(flag: Option<&str>) -> Run {
        match flag {
            Some("--all") => Run::All,
            Some("--bodies") => Run::Bodies,
            _ => Run::Pruned,
        }
    }
}

/// The step's target, its required parameters as (name, location), JSON pointers into its
/// success response to read as outputs, and (when bodies are asked for) its body's media type
/// and schema.
type Target<'d> = (
    Value,
    Vec<(String, String)>,
    Vec<String>,
    Option<(String, &'d Value)>,
);

fn pick(doc: &Value, bodies: bool) -> Result<Target<'_>, Skip> {
    let Some(paths) = doc.get("paths").and_then(Value::as_object) else {
        return Err(("no-operation", "the description has no paths".into()));
    };
    let mut first_path: Option<(String, String)> = None;
    let mut chosen: Option<(String, String, String)> = None;
    'outer: for (path, item) in paths {
        let item = deref(doc, item);
        for m in METHODS {
            let Some(op) = item.get(*m) else { continue };
            if bodies && body_schema(doc, op).is_none() {
                continue;
            }
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
        (None, None) if bodies => {
            return Err((
                "no-body-operation",
                "no operation takes an object as its JSON or form body".into(),
            ))
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
    let body = body_schema(doc, op).filter(|_| bodies);
    Ok((target, params, reads(doc, op), body))
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

/// The media type and schema of an operation's request body, where it is an object (with
/// properties) sent as JSON or as a form.
fn body_schema<'d>(doc: &'d Value, op: &'d Value) -> Option<(String, &'d Value)> {
    let body = deref(doc, op.get("requestBody")?);
    let content = body.get("content")?.as_object()?;
    let (media, m) = content
        .iter()
        .find(|(mt, _)| mt.contains("json") || *mt == "application/x-www-form-urlencoded")?;
    let schema = deref(doc, m.get("schema")?);
    (!properties(doc, schema).is_empty()).then(|| (media.clone(), schema))
}

/// The inputs a payload reads: name, whether it is required.
type Inputs = Vec<(String, bool)>;

/// A payload value for a schema: the first of an enum, a constant of its type, a string input
/// (required where the property is), an object of its required properties and up to three
/// others, a list of one; `None` for what it cannot write.
fn payload(
    doc: &Value,
    schema: &Value,
    required: bool,
    depth: usize,
    inputs: &mut Inputs,
) -> Option<Value> {
    let s = deref(doc, schema);
    if let Some(first) = s
        .get("enum")
        .and_then(Value::as_array)
        .and_then(|e| e.first())
    {
        return (!first.is_null()).then(|| first.clone());
    }
    let ty = match s.get("type") {
        Some(Value::Array(a)) => a.iter().find(|t| *t != "null").cloned(),
        t => t.cloned(),
    };
    let props = properties(doc, s);
    // A reference wrapped to carry a description: the member that has a type.
    let members = s.get("allOf").and_then(Value::as_array);
    if ty.is_none() && props.is_empty() {
        let mut members = members.into_iter().flatten();
        return members.find_map(|m| payload(doc, m, required, depth + 1, inputs));
    }
    match ty.as_ref().and_then(Value::as_str) {
        Some("string") => {
            let taken: Vec<String> = inputs.iter().map(|(n, _)| n.clone()).collect();
            let name = input_name(&format!("body_{}", inputs.len()), &taken);
            inputs.push((name.clone(), required));
            Some(Value::String(format!("$inputs.{name}")))
        }
        Some("integer") => Some(json!(1)),
        Some("number") => Some(json!(1.5)),
        Some("boolean") => Some(json!(true)),
        Some("array") => {
            let item = payload(doc, s.get("items")?, true, depth + 1, inputs)?;
            Some(json!([item]))
        }
        Some("object") | None if !props.is_empty() && depth < 3 => {
            let mut listed: Vec<&Value> = s
                .get("required")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .collect();
            for member in s
                .get("allOf")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let member = deref(doc, member);
                listed.extend(
                    member
                        .get("required")
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten(),
                );
            }
            let mut out = Map::new();
            let mut optional = 0;
            for (name, p) in &props {
                let is_required = listed.iter().any(|r| r.as_str() == Some(name));
                if !is_required {
                    if optional == 3 {
                        continue;
                    }
                    optional += 1;
                }
                if let Some(v) = payload(doc, p, is_required, depth + 1, inputs) {
                    out.insert(name.clone(), v);
                }
            }
            Some(Value::Object(out))
        }
        _ => None,
    }
}

/// The synthesised Arazzo document for `desc`, or the reason there is none.
pub fn document(desc: &Value, run: Run) -> Result<Value, Skip> {
    let bodies = run == Run::Bodies;
    let (target, params, reads, body) = pick(desc, bodies)?;
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
    if let Some((media, schema)) = body {
        let mut inputs = Vec::new();
        let value = payload(desc, schema, true, 0, &mut inputs)
            .ok_or(("skipped", "the body cannot be written".to_string()))?;
        for (name, is_required) in inputs {
            props.insert(name.clone(), json!({ "type": "string" }));
            if is_required {
                required.push(Value::String(name));
            }
        }
        step["requestBody"] = json!({ "contentType": media, "payload": value });
    }
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
pub fn one(desc: &Path, work: &Path, run: Run) -> Value {
    let all = run == Run::All;
    let text = match std::fs::read_to_string(desc) {
        Ok(t) => t,
        Err(e) => return json!({ "kind": "unreadable", "cause": e.to_string() }),
    };
    let parsed: Value = match serde_json::from_str(&text) {
        Ok(v) => v,
        Err(e) => return json!({ "kind": "unreadable", "cause": e.to_string() }),
    };
    let doc = match document(&parsed, run) {
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
