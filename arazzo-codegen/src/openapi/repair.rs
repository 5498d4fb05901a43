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
    three_one_forms(doc, &mut out);
    walk::schemas(doc, &mut |s, at| {
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
}
