//! A visitor over every schema object of an OpenAPI document, wherever it stands: in
//! `components.schemas`, under a `schema` key (parameters, media types, headers), and nested
//! in `properties`, `items`, `additionalProperties`, `not`, `allOf`, `anyOf` and `oneOf`.

use serde_json::{Map, Value};

use crate::source;

/// Calls `f` on each schema object with its JSON pointer, parents before children. `f` may
/// change the schema; the children visited are those it has afterwards.
pub fn schemas(doc: &mut Value, f: &mut dyn FnMut(&mut Map<String, Value>, &str)) {
    let Value::Object(root) = doc else { return };
    if let Some(Value::Object(comp)) = root.get_mut("components") {
        if let Some(Value::Object(list)) = comp.get_mut("schemas") {
            for (name, s) in list.iter_mut() {
                schema(s, &source::child("/components/schemas", name), f);
            }
        }
    }
    for key in ["paths", "components"] {
        if let Some(v) = root.get_mut(key) {
            holders(v, &format!("/{key}"), f);
        }
    }
}

/// Finds `schema` members outside `components.schemas`.
fn holders(v: &mut Value, at: &str, f: &mut dyn FnMut(&mut Map<String, Value>, &str)) {
    match v {
        Value::Object(map) => {
            for (k, child) in map.iter_mut() {
                let here = source::child(at, k);
                if k == "schema" {
                    schema(child, &here, f);
                } else if k != "schemas"
                    && k != "example"
                    && k != "examples"
                    && !k.starts_with("x-")
                {
                    holders(child, &here, f);
                }
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter_mut().enumerate() {
                holders(item, &source::index(at, i), f);
            }
        }
        _ => {}
    }
}

fn schema(v: &mut Value, at: &str, f: &mut dyn FnMut(&mut Map<String, Value>, &str)) {
    let Value::Object(s) = v else { return };
    f(s, at);
    for key in ["items", "not", "additionalProperties"] {
        if let Some(child) = s.get_mut(key) {
            schema(child, &source::child(at, key), f);
        }
    }
    for key in ["allOf", "anyOf", "oneOf"] {
        if let Some(Value::Array(items)) = s.get_mut(key) {
            for (i, item) in items.iter_mut().enumerate() {
                schema(item, &source::index(&source::child(at, key), i), f);
            }
        }
    }
    if let Some(Value::Object(props)) = s.get_mut("properties") {
        for (name, p) in props.iter_mut() {
            schema(p, &source::child(&source::child(at, "properties"), name), f);
        }
    }
}
