//! Repairs of defects that would stop a description from loading at all, each reported with
//! the place it was made and what was done.

use serde_json::{Map, Value};

use super::{walk, METHODS};
use crate::source;

/// One repair: where (a JSON pointer into the description), and what was done.
#[derive(Debug)]
pub struct Repair {
    /// The node repaired.
    pub pointer: String,
    /// What was wrong and what was done.
    pub message: String,
}

/// Applies the repairs in place and lists them.
pub fn structural(doc: &mut Value) -> Vec<Repair> {
    let mut out = Vec::new();
    super::shapes::repair(doc, &mut out);
    three_one_forms(doc, &mut out);
    callbacks(doc, &mut out);
    walk::schemas(doc, &mut |s, at| {
        for key in ["pattern", "format"] {
            if let Some(v) = s.get(key).filter(|v| !v.is_string()) {
                let shown = v.to_string();
                s.remove(key);
                out.push(Repair {
                    pointer: source::child(at, key),
                    message: format!(
                        "a schema's `{key}` must be a string, not `{shown}`; it is dropped"
                    ),
                });
            }
        }
        if let Some(r) = s.get("required") {
            if !r.is_array() {
                let shown = r.to_string();
                s.remove("required");
                out.push(Repair {
                    pointer: source::child(at, "required"),
                    message: format!(
                        "a schema's `required` must list property names, not `{shown}`; it is dropped (mark the parent's `required` list instead)"
                    ),
                });
            }
        }
    });
    let mut responses: Vec<(String, &mut Map<String, Value>)> = Vec::new();
    let Value::Object(root) = doc else { return out };
    let (paths, comps) = {
        let mut paths = None;
        let mut comps = None;
        for (k, v) in root.iter_mut() {
            match k.as_str() {
                "paths" => paths = Some(v),
                "components" => comps = Some(v),
                _ => {}
            }
        }
        (paths, comps)
    };
    if let Some(Value::Object(paths)) = paths {
        for (path, item) in paths.iter_mut() {
            let Value::Object(item) = item else { continue };
            for (method, op) in item.iter_mut() {
                if !METHODS.contains(&method.as_str()) {
                    continue;
                }
                if let Some(Value::Object(rs)) = op.get_mut("responses") {
                    let at = source::child(
                        &source::child(&source::child("/paths", path), method),
                        "responses",
                    );
                    for (code, r) in rs.iter_mut() {
                        if let Value::Object(r) = r {
                            responses.push((source::child(&at, code), r));
                        }
                    }
                }
            }
        }
    }
    if let Some(Value::Object(comps)) = comps {
        if let Some(Value::Object(rs)) = comps.get_mut("responses") {
            for (name, r) in rs.iter_mut() {
                if let Value::Object(r) = r {
                    responses.push((source::child("/components/responses", name), r));
                }
            }
        }
    }
    for (at, r) in responses {
        if !r.contains_key("$ref") && !r.contains_key("description") {
            r.insert("description".into(), Value::String(String::new()));
            out.push(Repair {
                pointer: at,
                message: "this response has no `description`, which OpenAPI requires; an empty one is used".into(),
            });
        }
    }
    out
}

/// Callback entries written as a `$ref` (which OpenAPI's model does not take there) are
/// replaced by what they point at, or dropped when that is not found: no client code is
/// generated from callbacks.
fn callbacks(doc: &mut Value, out: &mut Vec<Repair>) {
    // First find them (and what they point at), then change them.
    let mut found: Vec<(String, String, String, Option<Value>)> = Vec::new();
    for (path, item) in doc
        .get("paths")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        for (method, op) in item.as_object().into_iter().flatten() {
            for (name, cb) in op
                .get("callbacks")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
            {
                if let Some(r) = cb.get("$ref").and_then(Value::as_str) {
                    let target = super::local_ref(doc, r).filter(|t| t.is_object()).cloned();
                    found.push((path.clone(), method.clone(), name.clone(), target));
                }
            }
        }
    }
    for (path, method, name, target) in found {
        let at = source::child(
            &source::child(
                &source::child(&source::child("/paths", &path), &method),
                "callbacks",
            ),
            &name,
        );
        let Some(Value::Object(list)) = doc
            .get_mut("paths")
            .and_then(|p| p.get_mut(&path))
            .and_then(|i| i.get_mut(&method))
            .and_then(|o| o.get_mut("callbacks"))
        else {
            continue;
        };
        match target {
            Some(t) => {
                list.insert(name.clone(), t);
                out.push(Repair { pointer: at, message: format!("callback `{name}` is a `$ref`, which OpenAPI's model does not take here; what it points at is used") });
            }
            None => {
                list.remove(&name);
                out.push(Repair { pointer: at, message: format!("callback `{name}` is a `$ref` to nothing; it is dropped (callbacks are not generated)") });
            }
        }
    }
}

/// Boolean schemas (`true`, `false`) where OpenAPI 3.0 wants objects, and `type` lists (a
/// 3.1 form, also met in 3.0 descriptions), rewritten in place.
fn three_one_forms(doc: &mut Value, out: &mut Vec<Repair>) {
    boolean_schemas(doc, "", false, out);
    walk::schemas(doc, &mut |s, at| {
        let Some(types @ Value::Array(_)) = s.get("type").cloned() else {
            return;
        };
        let done = super::convert::type_list(s);
        out.push(Repair {
            pointer: at.to_string(),
            message: format!(
                "`type: {types}` is an OpenAPI 3.1 form; it is read as 3.0: {}",
                done.join(", ")
            ),
        });
    });
}

fn boolean_schemas(v: &mut Value, at: &str, is_schema: bool, out: &mut Vec<Repair>) {
    if is_schema {
        if let Value::Bool(b) = v {
            let b = *b;
            *v = if b {
                Value::Object(Map::new())
            } else {
                serde_json::json!({ "not": {} })
            };
            out.push(Repair {
                pointer: at.to_string(),
                message: format!("the boolean schema `{b}` is written as its object form"),
            });
            return;
        }
    }
    match v {
        Value::Object(m) => {
            let in_schema = is_schema;
            for (k, child) in m.iter_mut() {
                if k == "example"
                    || k == "examples"
                    || k == "enum"
                    || k == "default"
                    || k.starts_with("x-")
                {
                    continue;
                }
                let here = crate::source::child(at, k);
                match (k.as_str(), &mut *child) {
                    ("properties", Value::Object(props)) if in_schema => {
                        for (name, p) in props.iter_mut() {
                            boolean_schemas(p, &crate::source::child(&here, name), true, out);
                        }
                    }
                    ("allOf" | "anyOf" | "oneOf", Value::Array(items)) if in_schema => {
                        for (i, item) in items.iter_mut().enumerate() {
                            boolean_schemas(item, &crate::source::index(&here, i), true, out);
                        }
                    }
                    ("items" | "not", _) if in_schema => boolean_schemas(child, &here, true, out),
                    ("schema", _) => boolean_schemas(child, &here, true, out),
                    ("schemas", Value::Object(list)) => {
                        for (name, s) in list.iter_mut() {
                            boolean_schemas(s, &crate::source::child(&here, name), true, out);
                        }
                    }
                    // `additionalProperties: true|false` is valid 3.0; its object form is a schema.
                    ("additionalProperties", Value::Object(_)) if in_schema => {
                        boolean_schemas(child, &here, true, out)
                    }
                    _ => boolean_schemas(child, &here, false, out),
                }
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter_mut().enumerate() {
                boolean_schemas(item, &crate::source::index(at, i), false, out);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn repairs_boolean_required_and_missing_descriptions() {
        let mut doc = json!({
            "paths": {"/a": {"get": {"responses": {"200": {"content": {"application/json": {
                "schema": {"type": "object", "required": true,
                           "properties": {"x": {"type": "string", "required": false}}}
            }}}}}}},
            "components": {"responses": {"E": {"description": "e"}}}
        });
        let repairs = structural(&mut doc);
        let at: Vec<&str> = repairs.iter().map(|r| r.pointer.as_str()).collect();
        assert_eq!(
            at,
            vec![
                "/paths/~1a/get/responses/200/content/application~1json/schema/required",
                "/paths/~1a/get/responses/200/content/application~1json/schema/properties/x/required",
                "/paths/~1a/get/responses/200",
            ]
        );
        let s = &doc["paths"]["/a"]["get"]["responses"]["200"];
        assert_eq!(s["description"], "");
        assert!(s["content"]["application/json"]["schema"]
            .get("required")
            .is_none());
    }

    #[test]
    fn rewrites_boolean_schemas_and_type_lists() {
        let mut doc = json!({"components": {"schemas": {
            "A": {"type": "object", "additionalProperties": false,
                  "properties": {"x": true, "y": {"type": ["integer", "null"]}}}
        }}});
        let r = structural(&mut doc);
        let a = &doc["components"]["schemas"]["A"];
        assert_eq!(a["additionalProperties"], false);
        assert_eq!(a["properties"]["x"], json!({}));
        assert_eq!(
            a["properties"]["y"],
            json!({"type": "integer", "nullable": true})
        );
        assert_eq!(r.len(), 2, "{r:?}");
    }

    #[test]
    fn callback_references_and_non_string_patterns_are_repaired() {
        let mut doc = json!({
            "paths": {"/a": {"get": {"callbacks": {
                "found": {"$ref": "#/components/callbacks/hook"},
                "lost": {"$ref": "#/components/callbacks/none"}
            }, "responses": {"200": {"description": "ok"}}}}},
            "components": {
                "callbacks": {"hook": {"{$request.body#/url}": {"post": {"responses": {"200": {"description": "ok"}}}}}},
                "schemas": {"T": {"type": "string", "pattern": 0}}
            }
        });
        let r = structural(&mut doc);
        let cbs = &doc["paths"]["/a"]["get"]["callbacks"];
        assert!(cbs["found"].get("{$request.body#/url}").is_some());
        assert!(cbs.get("lost").is_none());
        assert!(doc["components"]["schemas"]["T"].get("pattern").is_none());
        assert_eq!(r.len(), 3, "{r:?}");
    }
}
