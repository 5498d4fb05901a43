//! One operation: its id, parameters, body and responses made fit for the client generator.

use super::*;

impl Normaliser<'_> {
    pub(super) fn operation(
        &mut self,
        op: &Value,
        item: &Value,
        path: &str,
        method: &str,
        at: &str,
        used: &mut BTreeMap<String, String>,
    ) -> Value {
        let mut op = match op {
            Value::Object(m) => m.clone(),
            _ => Map::new(),
        };
        // The clients send through reqwest's method shorthands, of which there is none for
        // these two.
        if matches!(method, "options" | "trace") {
            let upper = method.to_ascii_uppercase();
            self.fatal(
                at,
                format!("the generated client cannot send {upper} requests (it sends GET, PUT, POST, DELETE, HEAD and PATCH)"),
            );
        }
        // operationId: present, unique, and unique once in snake case.
        let declared = op
            .get("operationId")
            .and_then(Value::as_str)
            .map(str::to_string);
        let base = declared.clone().unwrap_or_else(|| {
            format!("{method}_{}", path.replace(['{', '}'], "")).to_snake_case()
        });
        // An id named like one of the client's own methods gets a suffix first.
        let stem = if CLIENT_METHODS.contains(&base.to_snake_case().as_str()) {
            let stem = format!("{base}_operation");
            self.change("renamed", &source::child(at, "operationId"), format!("operationId `{base}` would shadow the generated client's own `{}` method; it is generated as `{stem}`", base.to_snake_case()));
            stem
        } else {
            base.clone()
        };
        let mut id = stem.clone();
        let mut k = 2;
        let clash = used.get(&id.to_snake_case()).cloned();
        while used.contains_key(&id.to_snake_case()) {
            id = format!("{stem}_{k}");
            k += 1;
        }
        if let Some(other) = clash {
            let msg = if declared.as_deref() == Some(other.as_str()) {
                format!("operationId `{base}` is declared twice; this one is generated as `{id}`")
            } else {
                format!("operationId `{base}` collides with `{other}` once written in snake case; this one is generated as `{id}`")
            };
            self.change("renamed", &source::child(at, "operationId"), msg);
        }
        if declared.is_none() {
            self.change(
                "renamed",
                at,
                format!("this operation has no operationId; it is generated as `{id}`"),
            );
        }
        used.insert(id.to_snake_case(), id.clone());
        if declared.as_deref() != Some(id.as_str()) {
            self.renamed.insert(
                declared.clone().unwrap_or_else(|| at.to_string()),
                id.clone(),
            );
        }
        op.insert("operationId".into(), Value::String(id.clone()));
        for key in ["tags", "callbacks", "servers", "externalDocs"] {
            op.remove(key);
        }
        // Parameters: path-level ones merged in; path parameters required; cookies dropped.
        let mut params: Vec<Value> = Vec::new();
        let mut seen = BTreeSet::new();
        let own = op
            .get("parameters")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let shared = item
            .get("parameters")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let own_at = source::child(at, "parameters");
        let shared_at = source::child(&source::child("/paths", path), "parameters");
        for (i, p, base_at) in own
            .iter()
            .enumerate()
            .map(|(i, p)| (i, p, &own_at))
            .chain(shared.iter().enumerate().map(|(i, p)| (i, p, &shared_at)))
        {
            let p_at = source::index(base_at, i);
            let mut p = self.inline(p);
            let (Some(name), Some(loc)) = (
                p.get("name").and_then(Value::as_str).map(str::to_string),
                p.get("in").and_then(Value::as_str).map(str::to_string),
            ) else {
                if let Some(r) = p.get("$ref").and_then(Value::as_str) {
                    // Reported where the reference was read; the operation goes without it.
                    self.change("dangling-ref", &p_at, format!("parameter `$ref: {r}` points at nothing; the operation is called without it"));
                } else {
                    self.fatal(&p_at, "a parameter needs `name` and `in`");
                }
                continue;
            };
            if !seen.insert((name.clone(), loc.clone())) {
                continue;
            }
            if loc == "cookie" {
                self.change("parameter", &p_at, format!("cookie parameter `{name}` is not sent: the generated client cannot send cookies"));
                continue;
            }
            if loc == "path" && p.get("required") != Some(&Value::Bool(true)) {
                p["required"] = Value::Bool(true);
                self.change("parameter", &p_at, format!("path parameter `{name}` is not marked `required: true`; path parameters always are"));
            }
            if loc == "path" && !path.contains(&format!("{{{name}}}")) {
                self.change(
                    "parameter",
                    &p_at,
                    format!("path parameter `{name}` does not appear in `{path}`; it is dropped"),
                );
                continue;
            }
            if let Some(content) = p.as_object_mut().and_then(|m| m.remove("content")) {
                let mt = content
                    .as_object()
                    .and_then(|c| c.keys().next().cloned())
                    .unwrap_or_default();
                p["schema"] = serde_json::json!({"type": "string"});
                self.change("parameter", &p_at, format!("parameter `{name}` is described by `content` ({mt}); it is taken as a string, to be given already serialised"));
            }
            if p.get("schema").is_none() {
                p["schema"] = Value::Object(Map::new());
                self.change(
                    "parameter",
                    &p_at,
                    format!("parameter `{name}` has no schema; any JSON value is accepted"),
                );
            }
            let style = p.get("style").and_then(Value::as_str).map(str::to_string);
            if let Some(style @ ("deepObject" | "spaceDelimited" | "pipeDelimited")) =
                style.as_deref().filter(|_| loc == "query")
            {
                p.as_object_mut().map(|m| m.remove("style"));
                p["schema"] = serde_json::json!({"type": "string"});
                self.change("parameter", &p_at, format!("{style} query parameter `{name}` is taken as a string; give it already encoded"));
            } else if loc == "query" && {
                let schema = self.inline(&p["schema"]);
                schema.get("type").and_then(Value::as_str) == Some("object")
                    || (schema.get("type").is_none() && schema.get("properties").is_some())
            } {
                // The client generator has no way to put an object into a query.
                p["schema"] = serde_json::json!({"type": "string"});
                self.change("parameter", &p_at, format!("query parameter `{name}` is an object, which the client cannot put in a query; it is taken as a string; give it already encoded"));
            } else if loc == "path" && {
                let schema = self.inline(&p["schema"]);
                schema.get("oneOf").is_some() || schema.get("anyOf").is_some()
            } {
                // The client writes a path parameter with `Display`, which a union of types
                // the client generator makes does not always have.
                p["schema"] = serde_json::json!({"type": "string"});
                self.change("parameter", &p_at, format!("path parameter `{name}` is one of several schemas; it is taken as a string"));
            } else if (loc == "path" || loc == "header") && {
                let schema = self.inline(&p["schema"]);
                matches!(
                    schema.get("type").and_then(Value::as_str),
                    Some("array" | "object")
                ) || (schema.get("type").is_none()
                    && (schema.get("properties").is_some() || schema.get("items").is_some()))
            } {
                // The client writes path and header values with `Display`, which the lists
                // and structs the client generator makes have not.
                p["schema"] = serde_json::json!({"type": "string"});
                self.change("parameter", &p_at, format!("{loc} parameter `{name}` is an array or an object, which the client cannot write into a {loc}; it is taken as a string; give it already serialised"));
            } else if (loc == "path" || loc == "header") && {
                let schema = self.inline(&p["schema"]);
                schema.get("nullable") == Some(&Value::Bool(true))
                    || non_null_branch(&schema).is_some()
            } {
                // A path always holds a value, and a header is sent with one or not at all;
                // the client writes both with `Display`, which an `Option` has not. (`anyOf`
                // a schema and `null`, as 3.1 writes it, is the schema.)
                let mut schema = self.inline(&p["schema"]);
                if let Some(branch) = non_null_branch(&schema) {
                    schema = branch;
                }
                if let Some(map) = schema.as_object_mut() {
                    map.remove("nullable");
                }
                p["schema"] = schema;
                let why = if loc == "path" {
                    "a path always holds a value"
                } else {
                    "a header is sent with a value or not at all"
                };
                self.change("parameter", &p_at, format!("{loc} parameter `{name}` is `nullable`, but {why}; it is read as not nullable"));
            }
            let rust = crate::names::ident(&name, crate::names::Case::Snake);
            // The client's request builder has methods of its own: a setter of that name
            // would define one twice.
            let has_body = op.get("requestBody").is_some();
            if matches!(rust.as_str(), "new" | "send")
                || (has_body && matches!(rust.as_str(), "body" | "body_map"))
            {
                self.dropped_params.insert((at.to_string(), name.clone()));
                self.change("renamed", &p_at, format!("{loc} parameter `{name}` would be the client's request-builder method `{rust}`, which the builder has already; it is left out of the client (a workflow that sets it is an error)"));
                continue;
            }
            if let Some(other) = params.iter().find(|q| {
                q["name"]
                    .as_str()
                    .is_some_and(|n| crate::names::ident(n, crate::names::Case::Snake) == rust)
            }) {
                let other = format!(
                    "{} `{}`",
                    other["in"].as_str().unwrap_or(""),
                    other["name"].as_str().unwrap_or("")
                );
                self.dropped_params.insert((at.to_string(), name.clone()));
                self.change("renamed", &p_at, format!("{loc} parameter `{name}` has the same Rust name as {other} of this operation; it is left out of the client (a workflow that sets it is an error)"));
                continue;
            }
            params.push(p);
        }
        for name in path_names(path) {
            if !params
                .iter()
                .any(|p| p["in"] == "path" && p["name"] == name.as_str())
            {
                params.push(serde_json::json!({"name": name, "in": "path", "required": true, "schema": {"type": "string"}}));
                self.change("parameter", at, format!("path parameter `{name}` of `{path}` is not declared; it is taken as a string"));
            }
        }
        op.insert("parameters".into(), Value::Array(params));
        if let Some(body) = op.get("requestBody").cloned() {
            match self.request_body(&body, &id, &source::child(at, "requestBody")) {
                Some(b) => op.insert("requestBody".into(), b),
                None => op.remove("requestBody"),
            };
        }
        let responses = op
            .get("responses")
            .cloned()
            .unwrap_or(Value::Object(Map::new()));
        op.insert(
            "responses".into(),
            self.responses(&responses, &source::child(at, "responses")),
        );
        Value::Object(op)
    }
}

/// The one branch of an `anyOf` or `oneOf` of two that is not `null` alone (`{type: null}`, or
/// its 3.0 form `{nullable: true, enum: [null]}`).
fn non_null_branch(schema: &Value) -> Option<Value> {
    let is_null = |b: &Value| {
        b.get("type").and_then(Value::as_str) == Some("null")
            || (b.get("nullable") == Some(&Value::Bool(true))
                && b.get("enum") == Some(&serde_json::json!([null])))
    };
    ["anyOf", "oneOf"]
        .iter()
        .find_map(|k| match schema.get(*k)?.as_array()?.as_slice() {
            [a, b] if is_null(b) && !is_null(a) => Some(a.clone()),
            [a, b] if is_null(a) && !is_null(b) => Some(b.clone()),
            _ => None,
        })
}
