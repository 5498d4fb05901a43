//! OpenAPI 3.1 (and 3.2) to 3.0.3, on the untyped document: the JSON Schema 2020-12 forms that
//! 3.0 lacks are rewritten to their 3.0 equivalents, and what has none is dropped. Each kind of
//! change is counted, so the caller can say exactly what was done.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

/// What the conversion changed, by kind, with counts.
#[derive(Debug, Default)]
pub struct Changes(BTreeMap<&'static str, usize>);

impl Changes {
    fn add(&mut self, what: &'static str) {
        *self.0.entry(what).or_default() += 1;
    }

    /// A sentence listing the changes, e.g. "3 type arrays with `null` to `nullable`".
    pub fn summary(&self) -> String {
        if self.0.is_empty() {
            return "no schema needed changes".into();
        }
        self.0
            .iter()
            .map(|(what, n)| format!("{n} × {what}"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Rewrites a 3.1/3.2 document in place as 3.0.3.
pub fn to_30(doc: &mut Value) -> Changes {
    let mut changes = Changes::default();
    let Value::Object(root) = doc else {
        return changes;
    };
    root.insert("openapi".into(), Value::String("3.0.3".into()));
    for key in ["webhooks", "jsonSchemaDialect"] {
        if root.remove(key).is_some() {
            changes.add("top-level field without a 3.0 equivalent removed");
        }
    }
    if let Some(Value::Object(info)) = root.get_mut("info") {
        if info.remove("summary").is_some() {
            changes.add("`info.summary` removed");
        }
        if let Some(Value::Object(lic)) = info.get_mut("license") {
            if lic.remove("identifier").is_some() {
                changes.add("`license.identifier` removed");
            }
        }
    }
    root.entry("paths")
        .or_insert_with(|| Value::Object(Map::new()));
    if let Some(Value::Object(comp)) = root.get_mut("components") {
        if comp.remove("pathItems").is_some() {
            changes.add("`components.pathItems` removed");
        }
    }
    querystring(root, &mut changes);
    super::walk::schemas(doc, &mut |s, _| schema(s, &mut changes));
    changes
}

/// OpenAPI 3.2's `in: querystring` parameters (the whole query string as one value) have no
/// 3.0 form: they are left out of the client, and an Arazzo `in: querystring` parameter sends
/// the query string whole. References to such a component go with it.
fn querystring(root: &mut Map<String, Value>, changes: &mut Changes) {
    let is_querystring = |p: &Value| p.get("in").and_then(Value::as_str) == Some("querystring");
    let mut dropped_refs = Vec::new();
    if let Some(Value::Object(params)) = root
        .get_mut("components")
        .and_then(|c| c.get_mut("parameters"))
    {
        let names: Vec<String> = params
            .iter()
            .filter(|(_, p)| is_querystring(p))
            .map(|(n, _)| n.clone())
            .collect();
        for n in names {
            params.remove(&n);
            dropped_refs.push(format!(
                "#/components/parameters/{}",
                crate::source::escape_token(&n)
            ));
        }
    }
    let Some(Value::Object(paths)) = root.get_mut("paths") else {
        return;
    };
    for item in paths.values_mut() {
        let Value::Object(item) = item else { continue };
        let lists = item.iter_mut().filter_map(|(k, v)| {
            let holds = k == "parameters" || super::METHODS.contains(&k.as_str());
            match (holds, v) {
                (true, Value::Array(list)) => Some(list),
                (true, Value::Object(op)) => match op.get_mut("parameters") {
                    Some(Value::Array(list)) => Some(list),
                    _ => None,
                },
                _ => None,
            }
        });
        for list in lists {
            let before = list.len();
            list.retain(|p| {
                let reference = p.get("$ref").and_then(Value::as_str);
                !is_querystring(p)
                    && !reference.is_some_and(|r| dropped_refs.iter().any(|d| d == r))
            });
            for _ in list.len()..before {
                changes.add(
                    "`in: querystring` parameter left out of the client (an Arazzo `in: querystring` parameter sends it)",
                );
            }
        }
    }
}

const DROPPED: &[&str] = &[
    "$schema",
    "$id",
    "$anchor",
    "$comment",
    "$defs",
    "contentEncoding",
    "contentMediaType",
    "contentSchema",
    "prefixItems",
    "if",
    "then",
    "else",
    "dependentSchemas",
    "dependentRequired",
    "unevaluatedProperties",
    "unevaluatedItems",
    "propertyNames",
    "patternProperties",
    "minContains",
    "maxContains",
    "contains",
];

/// Rewrites one schema object (its subschemas are visited by the walker).
fn schema(s: &mut Map<String, Value>, changes: &mut Changes) {
    if s.contains_key("$ref") && s.len() > 1 {
        let r = s.remove("$ref").unwrap_or(Value::Null);
        let keep: Vec<String> = s
            .keys()
            .filter(|k| !matches!(k.as_str(), "description" | "summary"))
            .cloned()
            .collect();
        if keep.is_empty() {
            s.clear();
            s.insert("$ref".into(), r);
            changes.add("`$ref` with only a description: description dropped");
            return;
        }
        if s.contains_key("enum") || s.contains_key("const") {
            // The siblings say exactly which values are allowed: they are the schema.
            changes.add("`$ref` beside its own `enum`: the enum kept, the reference dropped");
        } else {
            let mut only_ref = Map::new();
            only_ref.insert("$ref".into(), r);
            s.insert("allOf".into(), Value::Array(vec![Value::Object(only_ref)]));
            changes.add("`$ref` with sibling keywords wrapped in `allOf`");
        }
    }
    if let Some(t) = s.get("type").cloned() {
        if t.is_array() {
            for what in type_list(s) {
                changes.add(what);
            }
        } else if t.as_str() == Some("null") {
            s.remove("type");
            s.insert("nullable".into(), Value::Bool(true));
            s.insert("enum".into(), Value::Array(vec![Value::Null]));
            changes.add("`type: null` to `nullable` with `enum: [null]`");
        }
    }
    if let Some(c) = s.remove("const") {
        s.insert("enum".into(), Value::Array(vec![c]));
        changes.add("`const` to a one-value `enum`");
    }
    for (excl, bound) in [
        ("exclusiveMinimum", "minimum"),
        ("exclusiveMaximum", "maximum"),
    ] {
        if let Some(n @ Value::Number(_)) = s.get(excl).cloned() {
            s.insert(bound.into(), n);
            s.insert(excl.into(), Value::Bool(true));
            changes.add("numeric exclusive bound to a bound with a boolean flag");
        }
    }
    if let Some(Value::Array(ex)) = s.remove("examples") {
        if let Some(first) = ex.into_iter().next() {
            s.entry("example").or_insert(first);
        }
        changes.add("schema `examples` to `example`");
    }
    for key in DROPPED {
        if s.remove(*key).is_some() {
            changes.add("JSON Schema keyword without a 3.0 equivalent removed");
        }
    }
}

/// Rewrites a `type` list (`[integer, "null"]`) in 3.0 form: one type stays a `type`, several
/// become an `anyOf`, `null` becomes `nullable: true`. Returns what was done; nothing when
/// `type` is not a list.
pub fn type_list(s: &mut Map<String, Value>) -> Vec<&'static str> {
    let mut done = Vec::new();
    let Some(Value::Array(types)) = s.get("type").cloned() else {
        return done;
    };
    let non_null: Vec<Value> = types
        .iter()
        .filter(|t| t.as_str() != Some("null"))
        .cloned()
        .collect();
    let nullable = non_null.len() < types.len();
    match non_null.len() {
        0 => {
            s.remove("type");
            s.insert("nullable".into(), Value::Bool(true));
            done.push("`type: null` to `nullable`");
        }
        1 => {
            s.insert("type".into(), non_null[0].clone());
            if !nullable {
                done.push("type array to a single `type`");
            }
        }
        _ => {
            s.remove("type");
            let any: Vec<Value> = non_null
                .into_iter()
                .map(|t| {
                    let mut m = Map::new();
                    m.insert("type".into(), t);
                    Value::Object(m)
                })
                .collect();
            s.insert("anyOf".into(), Value::Array(any));
            done.push("type array with several types to `anyOf`");
        }
    }
    if nullable {
        s.insert("nullable".into(), Value::Bool(true));
        done.push("type array with `null` to `nullable: true`");
    }
    done
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn querystring_parameters_are_left_out_with_their_references() {
        let mut doc = json!({
            "openapi": "3.2.0",
            "info": {"title": "t", "version": "1"},
            "components": {"parameters": {
                "Whole": {"name": "q", "in": "querystring", "content": {}},
                "Limit": {"name": "limit", "in": "query", "schema": {"type": "integer"}}
            }},
            "paths": {"/s": {
                "parameters": [{"name": "q2", "in": "querystring", "content": {}}],
                "get": {"parameters": [
                    {"$ref": "#/components/parameters/Whole"},
                    {"$ref": "#/components/parameters/Limit"},
                    {"name": "x", "in": "header", "schema": {"type": "string"}}
                ], "responses": {}}
            }}
        });
        let changes = to_30(&mut doc);
        assert_eq!(doc["paths"]["/s"]["parameters"], json!([]));
        assert_eq!(
            doc["paths"]["/s"]["get"]["parameters"],
            json!([
                {"$ref": "#/components/parameters/Limit"},
                {"name": "x", "in": "header", "schema": {"type": "string"}}
            ])
        );
        assert!(doc["components"]["parameters"].get("Whole").is_none());
        assert!(changes
            .summary()
            .starts_with("2 × `in: querystring` parameter left out"));
    }

    #[test]
    fn converts_schema_forms() {
        let mut doc = json!({
            "openapi": "3.1.0",
            "info": {"title": "t", "version": "1", "summary": "s"},
            "components": {"schemas": {"A": {
                "type": "object",
                "properties": {
                    "a": {"type": ["string", "null"]},
                    "b": {"const": "x"},
                    "c": {"type": "integer", "exclusiveMinimum": 0},
                    "d": {"$ref": "#/components/schemas/B", "description": "d"},
                    "f": {"$ref": "#/components/schemas/B", "type": "string", "enum": ["x"]},
                    "e": {"type": ["string", "integer"], "examples": [1]}
                }
            }}}
        });
        let changes = to_30(&mut doc);
        assert_eq!(doc["openapi"], "3.0.3");
        assert_eq!(doc["paths"], json!({}));
        let p = &doc["components"]["schemas"]["A"]["properties"];
        assert_eq!(p["a"], json!({"type": "string", "nullable": true}));
        assert_eq!(p["b"], json!({"enum": ["x"]}));
        assert_eq!(
            p["c"],
            json!({"type": "integer", "minimum": 0, "exclusiveMinimum": true})
        );
        assert_eq!(p["d"], json!({"$ref": "#/components/schemas/B"}));
        assert_eq!(
            p["e"],
            json!({"anyOf": [{"type": "string"}, {"type": "integer"}], "example": 1})
        );
        assert_eq!(p["f"], json!({"type": "string", "enum": ["x"]}));
        assert!(changes.summary().contains("`const` to a one-value `enum`"));
    }
}
