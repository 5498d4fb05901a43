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
}
