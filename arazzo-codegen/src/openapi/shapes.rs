//! Repairs of fields written in a shape OpenAPI 3.0's model does not take, met in
//! descriptions that other tools load: a required field left out (an operation's
//! `responses`, `info.version`, a server variable's `default`, a parameter's `schema`), a
//! number or boolean keyword written as a string (`maximum: "20"`, `nullable: "true"`), a
//! list where an object or a single value belongs (`items: [...]`, `properties: []`, `tags:
//! [[...]]`). Each is read the one way it can be meant, with a [`Repair`] saying how.

use serde_json::{Map, Value};

use super::repair::Repair;
use super::{walk, METHODS};
use crate::source::{child, index};

/// Schema keywords that take a number.
const NUMBER_KEYWORDS: &[&str] = &[
    "maximum",
    "minimum",
    "multipleOf",
    "maxLength",
    "minLength",
    "maxItems",
    "minItems",
    "maxProperties",
    "minProperties",
];

/// Schema keywords that take a boolean.
const BOOLEAN_KEYWORDS: &[&str] = &[
    "nullable",
    "readOnly",
    "writeOnly",
    "deprecated",
    "uniqueItems",
    "exclusiveMaximum",
    "exclusiveMinimum",
];

/// Applies the repairs in place, each listed in `out`.
pub fn repair(doc: &mut Value, out: &mut Vec<Repair>) {
    info(doc, out);
    servers(doc, out);
    operations(doc, out);
    walk::schemas(doc, &mut |s, at| schema(s, at, out));
}

fn info(doc: &mut Value, out: &mut Vec<Repair>) {
    // Tags whose name is not a string (they only group operations in documentation).
    if let Some(Value::Array(tags)) = doc.get_mut("tags") {
        let mut k = 0;
        tags.retain(|t| {
            let keep = t.get("name").is_some_and(Value::is_string);
            if !keep {
                out.push(Repair {
                    pointer: index("/tags", k),
                    message: "this tag's `name` is not a string; the tag is dropped".into(),
                });
            }
            k += 1;
            keep
        });
    }
    let Some(Value::Object(info)) = doc.get_mut("info") else {
        return;
    };
    for key in ["description", "termsOfService"] {
        if info.get(key).is_some_and(|v| !v.is_string()) {
            info.remove(key);
            out.push(Repair {
                pointer: child("/info", key),
                message: format!("`info.{key}` must be a string; it is dropped"),
            });
        }
    }
    for key in ["title", "version"] {
        if !info.get(key).is_some_and(Value::is_string) {
            let was = info.insert(key.into(), Value::String(String::new()));
            out.push(Repair {
                pointer: child("/info", key),
                message: match was {
                    None => format!(
                        "`info` has no `{key}`, which OpenAPI requires; an empty one is used"
                    ),
                    Some(v) => {
                        format!("`info.{key}` must be a string, not `{v}`; an empty one is used")
                    }
                },
            });
        }
    }
}

/// Server variables without a `default`: the first of their `enum`, else empty.
fn servers(doc: &mut Value, out: &mut Vec<Repair>) {
    let Some(Value::Array(servers)) = doc.get_mut("servers") else {
        return;
    };
    for (i, server) in servers.iter_mut().enumerate() {
        let Some(Value::Object(vars)) = server.get_mut("variables") else {
            continue;
        };
        for (name, var) in vars.iter_mut() {
            let Value::Object(var) = var else { continue };
            if var.get("default").is_some_and(Value::is_string) {
                continue;
            }
            let first = var
                .get("enum")
                .and_then(Value::as_array)
                .and_then(|e| e.first())
                .and_then(Value::as_str)
                .map(String::from);
            let chosen = first.clone().unwrap_or_default();
            var.insert("default".into(), Value::String(chosen.clone()));
            out.push(Repair {
                pointer: child(&child(&index("/servers", i), "variables"), name),
                message: match first {
                    Some(_) => format!("server variable `{name}` has no `default`, which OpenAPI requires; the first of its `enum`, `{chosen}`, is used"),
                    None => format!("server variable `{name}` has no `default`, which OpenAPI requires; an empty one is used (set the base URL when the client is made)"),
                },
            });
        }
    }
}

/// Operations without `responses`, tags written as nested lists, and parameters without
/// `schema` or `in`.
fn operations(doc: &mut Value, out: &mut Vec<Repair>) {
    if let Some(Value::Object(list)) = doc
        .get_mut("components")
        .and_then(|c| c.get_mut("parameters"))
    {
        // A component parameter without a name (an Azure client parameter) cannot be sent;
        // the operations that name it go without it.
        list.retain(|name, p| {
            let named = p.get("name").is_some() || p.get("$ref").is_some();
            if !named {
                out.push(Repair {
                    pointer: child("/components/parameters", name),
                    message: format!("component parameter `{name}` has no `name`; it is dropped, and the operations that name it are called without it"),
                });
            }
            named
        });
        for (name, p) in list.iter_mut() {
            let at = child("/components/parameters", name);
            parameters(std::slice::from_mut(p), "", &|_| at.clone(), out);
        }
    }
    let Some(Value::Object(paths)) = doc.get_mut("paths") else {
        return;
    };
    for (path, item) in paths.iter_mut() {
        let Value::Object(item) = item else { continue };
        let path_at = child("/paths", path);
        // An operation written as a `$ref` that bundling could not resolve: nothing to call.
        let dangling: Vec<String> = item
            .iter()
            .filter(|(m, op)| {
                METHODS.contains(&m.as_str())
                    && op.get("$ref").is_some()
                    && op.get("responses").is_none()
            })
            .map(|(m, _)| m.clone())
            .collect();
        for method in dangling {
            item.remove(&method);
            out.push(Repair {
                pointer: child(&path_at, &method),
                message: "this operation is a `$ref` that points at nothing; it is left out".into(),
            });
        }
        if let Some(Value::Array(params)) = item.get_mut("parameters") {
            let at = child(&path_at, "parameters");
            parameters(params, path, &|i| index(&at, i), out);
        }
        for (method, op) in item.iter_mut() {
            if !METHODS.contains(&method.as_str()) {
                continue;
            }
            let Value::Object(op) = op else { continue };
            let at = child(&path_at, method);
            if !op.get("responses").is_some_and(Value::is_object) {
                op.insert(
                    "responses".into(),
                    serde_json::json!({"default": {"description": ""}}),
                );
                out.push(Repair {
                    pointer: at.clone(),
                    message: "this operation has no `responses`, which OpenAPI requires; it is read as declaring no response body".into(),
                });
            }
            if let Some(Value::Array(tags)) = op.get_mut("tags") {
                if tags.iter().any(|t| !t.is_string()) {
                    let flat: Vec<Value> = tags
                        .iter()
                        .flat_map(|t| match t {
                            Value::Array(inner) => inner.clone(),
                            other => vec![other.clone()],
                        })
                        .filter(Value::is_string)
                        .collect();
                    *tags = flat;
                    out.push(Repair {
                        pointer: child(&at, "tags"),
                        message: "`tags` must list strings; the nested lists are flattened".into(),
                    });
                }
            }
            if let Some(Value::Array(params)) = op.get_mut("parameters") {
                let at = child(&at, "parameters");
                parameters(params, path, &|i| index(&at, i), out);
            }
        }
    }
}

/// Parameters without `in` or without a type; `at_of(i)` is the pointer of the `i`th.
fn parameters(
    params: &mut [Value],
    path: &str,
    at_of: &dyn Fn(usize) -> String,
    out: &mut Vec<Repair>,
) {
    for (i, p) in params.iter_mut().enumerate() {
        let Value::Object(p) = p else { continue };
        if p.contains_key("$ref") {
            continue;
        }
        let here = at_of(i);
        let name = p.get("name").and_then(Value::as_str).map(String::from);
        if !p.contains_key("in") {
            if let Some(name) = &name {
                let place = if path.contains(&format!("{{{name}}}")) {
                    "path"
                } else {
                    "query"
                };
                p.insert("in".into(), Value::String(place.into()));
                out.push(Repair {
                    pointer: here.clone(),
                    message: format!("parameter `{name}` has no `in`, which OpenAPI requires; it is read as a {place} parameter ({})", if place == "path" { "the path template names it" } else { "the path template does not name it" }),
                });
            }
        }
        if !p.contains_key("schema") && !p.contains_key("content") {
            // A Swagger 2 parameter keeps its type beside the name.
            let mut schema = Map::new();
            for key in [
                "type", "format", "items", "enum", "default", "minimum", "maximum", "pattern",
            ] {
                if let Some(v) = p.remove(key) {
                    schema.insert(key.into(), v);
                }
            }
            let how = if schema.is_empty() {
                schema.insert("type".into(), Value::String("string".into()));
                "it is read as a string".to_string()
            } else {
                "the type written beside its name (a Swagger 2 form) is read as its schema"
                    .to_string()
            };
            p.insert("schema".into(), Value::Object(schema));
            out.push(Repair {
                pointer: here,
                message: format!(
                    "parameter `{}` has neither `schema` nor `content`; {how}",
                    name.as_deref().unwrap_or("?")
                ),
            });
        }
    }
}

/// A schema's keywords in shapes the model does not take.
fn schema(s: &mut Map<String, Value>, at: &str, out: &mut Vec<Repair>) {
    schema_type(s, at, out);
    // `null` among the values of `enum`: OpenAPI 3.0 allows it only with `nullable`.
    let lists_null = s
        .get("enum")
        .and_then(Value::as_array)
        .is_some_and(|values| values.iter().any(Value::is_null) && values.len() > 1);
    if lists_null && s.get("nullable") != Some(&Value::Bool(true)) {
        s.insert("nullable".into(), Value::Bool(true));
        out.push(Repair {
            pointer: child(at, "enum"),
            message:
                "`enum` lists `null` without `nullable`; the schema is read as `nullable: true`"
                    .into(),
        });
    }
    // An `enum` without a `type`: the type all its values share.
    if !s.contains_key("type") && !s.contains_key("$ref") {
        if let Some(Value::Array(values)) = s.get("enum") {
            let of = |v: &Value| match v {
                Value::String(_) => Some("string"),
                Value::Bool(_) => Some("boolean"),
                Value::Number(n) if n.is_i64() || n.is_u64() => Some("integer"),
                Value::Number(_) => Some("number"),
                _ => None,
            };
            let mut kinds: Vec<Option<&str>> =
                values.iter().filter(|v| !v.is_null()).map(of).collect();
            kinds.dedup();
            if let [Some(t)] = kinds.as_slice() {
                let t = t.to_string();
                s.insert("type".into(), Value::String(t.clone()));
                out.push(Repair {
                    pointer: at.to_string(),
                    message: format!("this `enum` has no `type`; its values are all of type `{t}`, which is used"),
                });
            }
        }
    }
    for key in NUMBER_KEYWORDS {
        let Some(Value::String(text)) = s.get(*key) else {
            continue;
        };
        let text = text.clone();
        let parsed: Option<serde_json::Number> = serde_json::from_str(text.trim()).ok();
        let message = match parsed {
            Some(n) => {
                s.insert((*key).into(), Value::Number(n));
                format!(
                    "`{key}` must be a number, not the string `\"{text}\"`; it is read as {text}"
                )
            }
            None => {
                s.remove(*key);
                format!("`{key}` must be a number, not the string `\"{text}\"`; it is dropped")
            }
        };
        out.push(Repair {
            pointer: child(at, key),
            message,
        });
    }
    for key in BOOLEAN_KEYWORDS {
        let Some(Value::String(text)) = s.get(*key) else {
            continue;
        };
        let text = text.clone();
        let message = match text.trim() {
            b @ ("true" | "false") => {
                s.insert((*key).into(), Value::Bool(b == "true"));
                format!("`{key}` must be a boolean, not the string `\"{text}\"`; it is read as {b}")
            }
            _ => {
                s.remove(*key);
                format!("`{key}` must be a boolean, not the string `\"{text}\"`; it is dropped")
            }
        };
        out.push(Repair {
            pointer: child(at, key),
            message,
        });
    }
    // `items` as a list: JSON Schema's tuple form.
    if let Some(Value::Array(items)) = s.get("items") {
        let items = items.clone();
        let (one, how) = match items.as_slice() {
            [] => (serde_json::json!({}), "any value".to_string()),
            [only] => (only.clone(), "its one schema".to_string()),
            several => (
                serde_json::json!({ "anyOf": several }),
                "any of its schemas (positions are not kept)".to_string(),
            ),
        };
        s.insert("items".into(), one);
        out.push(Repair {
            pointer: child(at, "items"),
            message: format!("`items` is a list (JSON Schema's tuple form), which OpenAPI 3.0 does not take; each item is read as {how}"),
        });
    }
    // `properties` as a list, or a property that is not a schema (a keyword written among
    // the properties).
    match s.get_mut("properties") {
        Some(Value::Array(list)) => {
            let empty = list.is_empty();
            s.insert("properties".into(), Value::Object(Map::new()));
            out.push(Repair {
                pointer: child(at, "properties"),
                message: if empty {
                    "`properties` is an empty list, not a mapping; it is read as no properties"
                        .into()
                } else {
                    "`properties` is a list, not a mapping from names to schemas; it is dropped"
                        .into()
                },
            });
        }
        Some(Value::Object(props)) => {
            let bad: Vec<String> = props
                .iter()
                .filter(|(_, v)| !v.is_object() && !v.is_boolean())
                .map(|(k, _)| k.clone())
                .collect();
            for name in bad {
                props.remove(&name);
                out.push(Repair {
                    pointer: child(&child(at, "properties"), &name),
                    message: format!("property `{name}` is not a schema (a keyword written among the properties?); it is dropped"),
                });
            }
        }
        _ => {}
    }
}

/// A `type` that is not one of OpenAPI's: a programming language's name for one (`int32`,
/// `bool`, `double`) read as OpenAPI's, `null` as a nullable schema, anything else dropped.
fn schema_type(s: &mut Map<String, Value>, at: &str, out: &mut Vec<Repair>) {
    let Some(Value::String(t)) = s.get("type") else {
        return;
    };
    let t = t.clone();
    if matches!(
        t.as_str(),
        "string" | "number" | "integer" | "boolean" | "array" | "object"
    ) {
        return;
    }
    let (ty, format) = match t.to_ascii_lowercase().as_str() {
        "int" | "long" | "int64" => (Some("integer"), Some("int64")),
        "int32" => (Some("integer"), Some("int32")),
        "float" => (Some("number"), Some("float")),
        "double" | "decimal" => (Some("number"), Some("double")),
        "bool" => (Some("boolean"), None),
        "str" | "text" => (Some("string"), None),
        "string" | "number" | "integer" | "boolean" | "array" | "object" => (
            OPENAPI_TYPES
                .iter()
                .copied()
                .find(|x| x.eq_ignore_ascii_case(&t)),
            None,
        ),
        _ => (None, None),
    };
    let message = match ty {
        Some(ty) => {
            s.insert("type".into(), Value::String(ty.into()));
            if let Some(f) = format.filter(|_| !s.contains_key("format")) {
                s.insert("format".into(), Value::String(f.into()));
            }
            format!("`type: {t}` is not an OpenAPI type; it is read as `{ty}`")
        }
        None if t == "null" => {
            s.remove("type");
            s.insert("nullable".into(), Value::Bool(true));
            "`type: null` is not an OpenAPI 3.0 type; the schema is read as `nullable` (any value or null)".to_string()
        }
        None => {
            s.remove("type");
            format!("`type: {t}` is not an OpenAPI type; it is dropped (any value)")
        }
    };
    out.push(Repair {
        pointer: child(at, "type"),
        message,
    });
}

/// OpenAPI 3.0's types.
const OPENAPI_TYPES: &[&str] = &["string", "number", "integer", "boolean", "array", "object"];

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn repaired(mut doc: Value) -> (Value, Vec<String>) {
        let mut out = Vec::new();
        repair(&mut doc, &mut out);
        (
            doc,
            out.into_iter()
                .map(|r| format!("{}: {}", r.pointer, r.message))
                .collect(),
        )
    }

    #[test]
    fn required_fields_left_out_are_filled_in() {
        let (doc, said) = repaired(json!({
            "openapi": "3.0.3",
            "info": {"title": "t"},
            "servers": [{"url": "https://{region}.x.test/{v}", "variables": {
                "region": {"enum": ["eu", "us"]}, "v": {}}}],
            "paths": {"/a/{id}": {"get": {
                "tags": [["A"], "B"],
                "parameters": [
                    {"name": "id", "required": true, "schema": {"type": "string"}},
                    {"name": "q", "in": "query", "type": "integer", "format": "int32"},
                    {"name": "r", "in": "query"}
                ]}},
                "/b": {"get": {"$ref": "resources/missing.yml"}}}
        }));
        assert_eq!(doc["info"]["version"], "");
        assert_eq!(doc["servers"][0]["variables"]["region"]["default"], "eu");
        assert_eq!(doc["servers"][0]["variables"]["v"]["default"], "");
        let op = &doc["paths"]["/a/{id}"]["get"];
        assert_eq!(op["responses"], json!({"default": {"description": ""}}));
        assert_eq!(op["tags"], json!(["A", "B"]));
        assert_eq!(op["parameters"][0]["in"], "path");
        assert_eq!(
            op["parameters"][1]["schema"],
            json!({"type": "integer", "format": "int32"})
        );
        assert!(op["parameters"][1].get("type").is_none());
        assert_eq!(op["parameters"][2]["schema"], json!({"type": "string"}));
        assert_eq!(doc["paths"]["/b"], json!({}));
        assert_eq!(said.len(), 9, "{said:#?}");
        assert!(said
            .iter()
            .any(|s| s.starts_with("/info/version: `info` has no `version`")));
    }

    #[test]
    fn keywords_in_the_wrong_shape_are_read_as_meant() {
        let (doc, said) = repaired(json!({
            "openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {},
            "components": {"schemas": {
                "A": {"type": "integer", "maximum": "20", "minimum": "x", "nullable": "true"},
                "B": {"type": "array", "items": [{"type": "string"}]},
                "C": {"type": "array", "items": [{"type": "string"}, {"type": "integer"}]},
                "D": {"type": "object", "properties": []},
                "E": {"type": "object", "properties": {"a": {"type": "string"}, "oneOf": [{}]}},
                "F": {"anyOf": [{"type": "int32"}, {"type": "null"}, {"type": "Boolean"}, {"type": "thing"}]},
                "G": {"type": "integer", "enum": [0, 10, null]},
                "H": {"nullable": true, "enum": [0, 10, null]}
            }}
        }));
        let s = &doc["components"]["schemas"];
        assert_eq!(
            s["A"],
            json!({"type": "integer", "maximum": 20, "nullable": true})
        );
        assert_eq!(s["B"]["items"], json!({"type": "string"}));
        assert_eq!(
            s["C"]["items"],
            json!({"anyOf": [{"type": "string"}, {"type": "integer"}]})
        );
        assert_eq!(s["D"]["properties"], json!({}));
        assert_eq!(s["E"]["properties"], json!({"a": {"type": "string"}}));
        assert_eq!(
            s["F"]["anyOf"],
            json!([{"type": "integer", "format": "int32"}, {"nullable": true}, {"type": "boolean"}, {}])
        );
        assert_eq!(
            s["G"],
            json!({"type": "integer", "enum": [0, 10, null], "nullable": true})
        );
        assert_eq!(
            s["H"],
            json!({"type": "integer", "enum": [0, 10, null], "nullable": true})
        );
        // (`H` was nullable already: only its type is added.)
        assert_eq!(said.len(), 13, "{said:#?}");
    }
}
