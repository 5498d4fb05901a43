//! Schema repairs before the client generator sees a description: what its type engine
//! rejects or turns into Rust that does not compile, read the one way it can be read. Each
//! repair is returned with its place so the normaliser can report it.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::walk;

/// One repair: the schema's pointer and what was done.
pub type Repair = (String, String);

/// Whether `v` is a value of JSON Schema type `ty`.
fn fits(ty: &str, v: &Value) -> bool {
    match ty {
        "string" => v.is_string(),
        "integer" => v.is_i64() || v.is_u64() || v.as_f64().is_some_and(|f| f.fract() == 0.0),
        "number" => v.is_number(),
        "boolean" => v.is_boolean(),
        "array" => v.is_array(),
        "object" => v.is_object(),
        _ => true,
    }
}

fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// The type a schema declares, or that all its `enum` values share.
fn declared_type(schema: &Value) -> Option<&'static str> {
    schema.as_object().and_then(declared_type_of)
}

/// [`declared_type`] of a schema object.
fn declared_type_of(schema: &Map<String, Value>) -> Option<&'static str> {
    if let Some(t) = schema.get("type").and_then(Value::as_str) {
        return ["string", "integer", "number", "boolean", "array", "object"]
            .into_iter()
            .find(|k| *k == t);
    }
    let values = schema.get("enum")?.as_array()?;
    let kinds: std::collections::BTreeSet<&'static str> = values
        .iter()
        .filter(|v| !v.is_null())
        .map(json_type)
        .collect();
    match kinds.into_iter().collect::<Vec<_>>().as_slice() {
        [one] => Some(one),
        _ => None,
    }
}

/// Whether two declared types admit the same values (an integer is a number).
fn same_kind(a: &str, b: &str) -> bool {
    let numeric = |t: &str| t == "integer" || t == "number";
    a == b || (numeric(a) && numeric(b))
}

/// The declared type of each component schema.
fn component_types(doc: &Value) -> BTreeMap<String, &'static str> {
    doc.pointer("/components/schemas")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter_map(|(name, s)| Some((name.clone(), declared_type(s)?)))
        .collect()
}

/// The declared type of a `oneOf`/`anyOf` member, following a reference to a component.
fn member_type(
    member: &Value,
    components: &BTreeMap<String, &'static str>,
) -> Option<&'static str> {
    let Some(r) = member.get("$ref").and_then(Value::as_str) else {
        return declared_type(member);
    };
    let name = r.strip_prefix("#/components/schemas/")?;
    components
        .get(&name.replace("~1", "/").replace("~0", "~"))
        .copied()
}

/// Repairs every schema of `doc` in place.
pub fn repair(doc: &mut Value) -> Vec<Repair> {
    let mut out = Vec::new();
    let mut titles = 0usize;
    let mut array_keywords = 0usize;
    let mut typed_enums = 0usize;
    let components = component_types(doc);
    walk::schemas(doc, &mut |s, at| {
        // A `type` that is a schema object, not a type name: alone (or with a description)
        // it is the schema meant; beside other keywords it is dropped.
        if let Some(Value::Object(inner)) = s.get("type").cloned() {
            if s.keys().all(|k| k == "type" || k == "description") {
                let description = s.remove("description");
                *s = inner;
                if let Some(d) = description {
                    s.entry("description").or_insert(d);
                }
                out.push((at.to_string(), "the schema's `type` is a schema object, not a type name; it is read as that schema".into()));
            } else {
                s.remove("type");
                out.push((
                    at.to_string(),
                    "the schema's `type` is an object, not a type name; it is dropped".into(),
                ));
            }
        } else if s.get("type").is_some_and(|t| !t.is_string()) {
            s.remove("type");
            out.push((
                at.to_string(),
                "the schema's `type` is not a type name; it is dropped".into(),
            ));
        }
        // A `type` that no alternative has: the alternatives say what the value is.
        if let Some(t) = s.get("type").and_then(Value::as_str).map(str::to_string) {
            for key in ["oneOf", "anyOf"] {
                let Some(Value::Array(members)) = s.get(key) else {
                    continue;
                };
                let others: Option<Vec<&str>> = members
                    .iter()
                    .map(|m| member_type(m, &components))
                    .collect();
                if s.contains_key("properties")
                    || !others.is_some_and(|o| !o.is_empty() && o.iter().all(|m| !same_kind(m, &t)))
                {
                    continue;
                }
                s.remove("type");
                if t == "object" {
                    s.remove("additionalProperties");
                }
                out.push((at.to_string(), format!("`type: {t}` fits none of the `{key}` alternatives; the schema is read as the alternatives alone")));
                break;
            }
        }
        // A title names a type in the client generator, whatever else has that name.
        if s.remove("title").is_some() {
            titles += 1;
        }
        let structural = [
            "properties",
            "items",
            "enum",
            "allOf",
            "anyOf",
            "oneOf",
            "$ref",
        ]
        .iter()
        .any(|k| s.contains_key(*k));
        if let (None, false, Some(Value::String(f))) =
            (s.get("type"), structural, s.get("format").cloned())
        {
            let t = match f.as_str() {
                "int32" | "int64" | "integer" => "integer",
                "float" | "double" | "number" => "number",
                _ => "string",
            };
            s.insert("type".into(), Value::String(t.into()));
            out.push((
                at.to_string(),
                format!("a schema with `format: {f}` and no `type` is read as `type: {t}`"),
            ));
        }
        // A `required` name that is no property but has the Rust name of one would become a
        // second field of that name: it is dropped from `required`.
        let fields: BTreeMap<String, String> = s
            .get("properties")
            .and_then(Value::as_object)
            .into_iter()
            .flat_map(|p| p.keys())
            .map(|n| (crate::names::ident(n, crate::names::Case::Snake), n.clone()))
            .collect();
        if let Some(Value::Array(required)) = s.get_mut("required") {
            required.retain(|r| {
                let Some(r) = r.as_str() else { return true };
                match fields.get(&crate::names::ident(r, crate::names::Case::Snake)) {
                    Some(p) if p != r => {
                        out.push((at.to_string(), format!("`required` names `{r}`, which is no property but has the Rust name of property `{p}`; it is dropped from `required`")));
                        false
                    }
                    _ => true,
                }
            });
        }
        // Two properties with one Rust field name: no struct can hold both, so the schema is
        // read as untyped JSON, which keeps every member for what the workflows read.
        let twins = s
            .get("properties")
            .and_then(Value::as_object)
            .and_then(|props| {
                let mut fields: BTreeMap<String, &String> = BTreeMap::new();
                props.keys().find_map(|name| {
                    let field = crate::names::ident(name, crate::names::Case::Snake);
                    match fields.get(&field) {
                        Some(first) => Some(((*first).clone(), name.clone())),
                        None => {
                            fields.insert(field, name);
                            None
                        }
                    }
                })
            });
        if let Some((first, second)) = twins {
            s.retain(|k, _| k == "description" || k == "nullable");
            out.push((at.to_string(), format!("properties `{first}` and `{second}` have the same Rust field name; the schema is read as untyped JSON")));
            return;
        }
        // An untyped enum of strings (or booleans) is typed by its values: the type engine
        // cannot read a nullable one otherwise.
        if !s.contains_key("type") {
            if let Some(t @ ("string" | "boolean")) = declared_type_of(s) {
                s.insert("type".into(), Value::String(t.into()));
                typed_enums += 1;
            }
        }
        // `items` beside `properties` with no `type`: an object and an array at once, which the
        // type engine cannot read; the properties say more.
        if !s.contains_key("type") && s.contains_key("properties") && s.remove("items").is_some() {
            out.push((at.to_string(), "a schema with `properties` and `items` but no `type` is read as an object; `items` is dropped".into()));
        }
        let ty = s.get("type").and_then(Value::as_str).map(str::to_string);
        // Array keywords on what is not an array make the type engine read it as one.
        if ty.as_deref() != Some("array") && !s.contains_key("items") {
            let dropped: Vec<&str> = ["uniqueItems", "minItems", "maxItems"]
                .into_iter()
                .filter(|k| s.remove(*k).is_some())
                .collect();
            if !dropped.is_empty() {
                array_keywords += 1;
            }
        }
        if let Some(t) = ty.as_deref() {
            if matches!(t, "object" | "array" | "boolean") && s.contains_key("format") {
                let f = s.remove("format").unwrap_or_default();
                out.push((at.to_string(), format!("format {f} on a schema of type `{t}` means nothing to the client generator; it is dropped")));
            }
        }
        if let Some(Value::Array(values)) = s.get("enum") {
            let bad = match ty.as_deref() {
                Some(t) => values.iter().any(|v| !v.is_null() && !fits(t, v)),
                None => {
                    let kinds: std::collections::BTreeSet<&str> = values
                        .iter()
                        .filter(|v| !v.is_null())
                        .map(json_type)
                        .collect();
                    kinds.len() > 1
                }
            };
            if bad {
                s.remove("enum");
                out.push((
                    at.to_string(),
                    format!(
                        "the enum's values are not all of {}; it is read without the enum",
                        ty.as_deref()
                            .map_or("one type".to_string(), |t| format!("type `{t}`"))
                    ),
                ));
            }
        }
        if let Some(d) = s.get("default") {
            let nullable = s.get("nullable") == Some(&Value::Bool(true));
            // A schema with `properties` and no `type` is read as an object.
            let read_as = ty
                .as_deref()
                .or_else(|| s.contains_key("properties").then_some("object"));
            let typed = if d.is_null() {
                nullable || read_as.is_none()
            } else {
                read_as.is_none_or(|t| fits(t, d))
            };
            // An object default must hold what the schema requires, with values of the
            // declared types (checked one level deep).
            let complete = match d {
                Value::Object(given) => {
                    let required = s.get("required").and_then(Value::as_array);
                    let props = s.get("properties").and_then(Value::as_object);
                    required
                        .into_iter()
                        .flatten()
                        .filter_map(Value::as_str)
                        .all(|r| given.contains_key(r))
                        && given
                            .iter()
                            .all(|(k, v)| match props.and_then(|p| p.get(k)) {
                                // A member the schema does not list: the type engine refuses it.
                                None => props.is_none(),
                                Some(p) => {
                                    declared_type(p).is_none_or(|t| v.is_null() || fits(t, v))
                                        && p.get("enum")
                                            .and_then(Value::as_array)
                                            .is_none_or(|e| e.contains(v))
                                }
                            })
                }
                // An array default's elements must be of the items' type.
                Value::Array(elements) => s.get("items").is_none_or(|items| {
                    declared_type(items)
                        .is_none_or(|t| elements.iter().all(|v| v.is_null() || fits(t, v)))
                        && items
                            .get("enum")
                            .and_then(Value::as_array)
                            .is_none_or(|e| elements.iter().all(|v| e.contains(v)))
                }),
                _ => true,
            };
            // Under `anyOf`/`oneOf`, or an object or array under `allOf`, the type engine checks
            // the default against the combination and may refuse what fits.
            let combined = ["anyOf", "oneOf"].iter().any(|k| s.contains_key(*k))
                || (s.contains_key("allOf") && (d.is_object() || d.is_array()));
            let ok = typed
                && complete
                && !combined
                && s.get("enum")
                    .and_then(Value::as_array)
                    .is_none_or(|a| a.contains(d));
            if !ok {
                let shown: String = d.to_string().chars().take(40).collect();
                s.remove("default");
                out.push((
                    at.to_string(),
                    if combined {
                        format!("default {shown} stands on a combined schema, which the client generator cannot check it against; it is dropped")
                    } else {
                        format!("default {shown} does not fit the schema; it is dropped")
                    },
                ));
            }
        }
    });
    if typed_enums > 0 {
        out.push((
            String::new(),
            format!("{typed_enums} enums without a `type` are given the type their values share"),
        ));
    }
    if array_keywords > 0 {
        out.push((
            String::new(),
            format!("{array_keywords} schemas that are not arrays carry `uniqueItems`, `minItems` or `maxItems`; those are dropped"),
        ));
    }
    if titles > 0 {
        out.push((
            String::new(),
            format!("{titles} schema `title`s are not used as Rust type names (types are named from where their schema stands, so two schemas with one title cannot collide)"),
        ));
    }
    let mut docs = 0usize;
    sanitise_docs(doc, false, &mut docs);
    if docs > 0 {
        out.push((
            String::new(),
            format!("{docs} descriptions hold a carriage return or `*/`, which Rust doc comments cannot; they are rewritten"),
        ));
    }
    out
}

/// Rewrites text that a Rust doc comment cannot hold in `description` and `summary`.
/// `properties`: `v` is a `properties` map, whose keys are names, not keywords.
fn sanitise_docs(v: &mut Value, properties: bool, count: &mut usize) {
    match v {
        Value::Object(m) => {
            for (k, child) in m.iter_mut() {
                let value = k == "example" || k == "examples" || k == "enum" || k == "default";
                if value && !properties {
                    continue;
                }
                if let (true, Value::String(text)) =
                    (k == "description" || k == "summary", &mut *child)
                {
                    if text.contains('\r') || text.contains("*/") {
                        *text = text
                            .replace("\r\n", "\n")
                            .replace('\r', "\n")
                            .replace("*/", "* /");
                        *count += 1;
                    }
                    continue;
                }
                sanitise_docs(child, k == "properties", count);
            }
        }
        Value::Array(items) => items
            .iter_mut()
            .for_each(|c| sanitise_docs(c, false, count)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn repairs_what_the_type_engine_rejects() {
        let mut doc = json!({"components": {"schemas": {
            "A": {"type": "object", "title": "B", "format": "uri-map", "description": "a\r\nb */",
                  "properties": {
                      "n": {"type": "integer", "default": "ten"},
                      "e": {"enum": [true, 1]},
                      "s": {"type": "string", "enum": ["x"], "default": "y"},
                      "ok": {"type": "string", "default": "z"},
                      "f": {"format": "date-time"},
                      "u": {"type": "string", "uniqueItems": false},
                      "t": {"enum": ["x", "y"], "nullable": true},
                      "d": {"type": "object", "required": ["a"], "default": {},
                            "properties": {"a": {"type": "string"}}},
                      "c": {"anyOf": [{"type": "string"}, {"type": "object"}], "default": "black"},
                      "twins": {"type": "object", "required": ["ID"],
                                "properties": {"id": {"type": "string"}, "ID": {"type": "string"}}},
                      "r": {"type": "object", "required": ["json_schema", "name", "other"],
                            "properties": {"jsonSchema": {}, "name": {"type": "string"}}},
                      "w": {"type": {"type": "string", "enum": ["a"]}},
                      "ip": {"items": {"type": "string"}, "properties": {"a": {"type": "string"}}},
                      "nested": {"type": "array", "default": ["a"], "items": {"type": "array", "items": {}}},
                      "od": {"type": "object", "default": {"a": "x", "id": 1},
                             "properties": {"a": {"type": "string", "enum": ["x"]}}},
                      "o": {"type": "object", "additionalProperties": false,
                            "oneOf": [{"$ref": "#/components/schemas/S"}, {"type": "string"}]}
                  }},
            "S": {"enum": ["a"]}
        }}});
        let r = repair(&mut doc);
        let a = &doc["components"]["schemas"]["A"];
        assert!(a.get("title").is_none() && a.get("format").is_none());
        assert_eq!(a["description"], "a\nb * /");
        assert!(a["properties"]["n"].get("default").is_none());
        assert!(a["properties"]["e"].get("enum").is_none());
        assert!(a["properties"]["s"].get("default").is_none());
        assert_eq!(a["properties"]["ok"]["default"], "z");
        assert_eq!(a["properties"]["f"]["type"], "string");
        let o = &a["properties"]["o"];
        assert!(o.get("type").is_none() && o.get("additionalProperties").is_none());
        assert!(a["properties"]["u"].get("uniqueItems").is_none());
        assert_eq!(a["properties"]["t"]["type"], "string");
        assert!(a["properties"]["d"].get("default").is_none());
        assert_eq!(a["properties"]["twins"], json!({}));
        assert!(a["properties"]["c"].get("default").is_none());
        assert_eq!(a["properties"]["r"]["required"], json!(["name", "other"]));
        assert_eq!(
            a["properties"]["w"],
            json!({"type": "string", "enum": ["a"]})
        );
        assert!(a["properties"]["ip"].get("items").is_none());
        assert!(a["properties"]["nested"].get("default").is_none());
        assert!(a["properties"]["od"].get("default").is_none());
        assert_eq!(r.len(), 18, "{r:?}");
    }
}
