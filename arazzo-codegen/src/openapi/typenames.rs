//! The names the client generator derives for inline schemas (`Subscription` property
//! `schedule` becomes `SubscriptionSchedule`, an operation's inline body `PostXBody`), so that a
//! component whose Rust name one of them would take can be renamed before generation.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::source;

/// How names compare: Rust identifiers that differ only in case or separators collide in
/// the generator's own conversions, so they are compared folded.
pub fn fold(name: &str) -> String {
    name.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The type name of `s` by the project's one naming function.
fn pascal(s: &str) -> String {
    crate::names::ident(s, crate::names::Case::Camel)
}

/// Whether the generator makes a named type of this inline schema.
fn named(s: &Value) -> bool {
    let Some(m) = s.as_object() else { return false };
    if m.contains_key("$ref") {
        return false;
    }
    let many = |k: &str| {
        m.get(k)
            .and_then(Value::as_array)
            .is_some_and(|a| a.len() > 1)
    };
    m.get("properties")
        .and_then(Value::as_object)
        .is_some_and(|p| !p.is_empty())
        || m.contains_key("enum")
        || many("oneOf")
        || many("anyOf")
        || many("allOf")
        || (m.get("type").and_then(Value::as_str) == Some("string")
            && ["pattern", "minLength", "maxLength"]
                .iter()
                .any(|k| m.contains_key(*k)))
}

/// Folded derived name to the pointer of the inline schema that gets it.
pub fn derived(doc: &Value) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let place = Place { doc, depth: 0 };
    if let Some(Value::Object(list)) = doc.pointer("/components/schemas") {
        for (name, s) in list {
            visit(
                &place,
                s,
                &pascal(name),
                &source::child("/components/schemas", name),
                true,
                &mut out,
            );
        }
    }
    if let Some(Value::Object(paths)) = doc.get("paths") {
        for (path, item) in paths {
            for (method, op) in item.as_object().into_iter().flatten() {
                let Some(id) = op.get("operationId").and_then(Value::as_str) else {
                    continue;
                };
                let at = source::child(&source::child("/paths", path), method);
                let base = pascal(id);
                for (i, p) in op
                    .get("parameters")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .enumerate()
                {
                    if let (Some(n), Some(s)) =
                        (p.get("name").and_then(Value::as_str), p.get("schema"))
                    {
                        let here = source::child(
                            &source::index(&source::child(&at, "parameters"), i),
                            "schema",
                        );
                        visit(
                            &place,
                            s,
                            &format!("{base}{}", pascal(n)),
                            &here,
                            false,
                            &mut out,
                        );
                    }
                }
                let bodies = [
                    ("requestBody", format!("{base}Body")),
                    ("responses", format!("{base}Response")),
                ];
                for (key, name) in bodies {
                    let Some(v) = op.get(key) else { continue };
                    for_each_media_schema(v, &source::child(&at, key), &mut |s, here| {
                        visit(&place, s, &name, here, false, &mut out);
                    });
                }
            }
        }
    }
    out
}

fn for_each_media_schema(v: &Value, at: &str, f: &mut dyn FnMut(&Value, &str)) {
    match v {
        Value::Object(m) => {
            for (k, child) in m {
                let here = source::child(at, k);
                if k == "schema" {
                    f(child, &here);
                } else if k != "example" && k != "examples" {
                    for_each_media_schema(child, &here, f);
                }
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                for_each_media_schema(item, &source::index(at, i), f);
            }
        }
        _ => {}
    }
}

/// Where a schema stands while the names inside it are derived.
struct Place<'a> {
    /// The description, to follow `allOf` references.
    doc: &'a Value,
    /// How many `allOf` references were followed to get here.
    depth: usize,
}

fn visit(
    place: &Place<'_>,
    s: &Value,
    name: &str,
    at: &str,
    root: bool,
    out: &mut BTreeMap<String, String>,
) {
    if !root && named(s) {
        out.entry(fold(name)).or_insert_with(|| at.to_string());
    }
    let Some(m) = s.as_object() else { return };
    if let Some(Value::Object(props)) = m.get("properties") {
        for (p, child) in props {
            let here = source::child(&source::child(at, "properties"), p);
            visit(
                place,
                child,
                &format!("{name}{}", pascal(p)),
                &here,
                false,
                out,
            );
        }
    }
    if let Some(items) = m.get("items") {
        visit(
            place,
            items,
            &format!("{name}Item"),
            &source::child(at, "items"),
            false,
            out,
        );
    }
    if let Some(extra @ Value::Object(_)) = m.get("additionalProperties") {
        let here = source::child(at, "additionalProperties");
        visit(place, extra, &format!("{name}Value"), &here, false, out);
    }
    for key in ["allOf", "anyOf", "oneOf"] {
        for (i, member) in m
            .get(key)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            let here = source::index(&source::child(at, key), i);
            // Members are merged or become variants; their own inline parts are named from
            // the parent. An `allOf` member that is a reference is merged too, so the inline
            // parts of the component it names are named from this parent as well.
            visit(place, member, name, &here, true, out);
            let target = member
                .get("$ref")
                .and_then(Value::as_str)
                .filter(|_| key == "allOf" && place.depth < 8)
                .and_then(|r| super::local_ref(place.doc, r));
            if let Some(target) = target {
                let deeper = Place {
                    doc: place.doc,
                    depth: place.depth + 1,
                };
                visit(&deeper, target, name, &here, true, out);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn predicts_property_and_body_names() {
        let doc = json!({
            "components": {"schemas": {
                "Subscription": {"type": "object", "properties": {
                    "schedule": {"type": "object", "properties": {"id": {"type": "string"}}},
                    "plain": {"type": "string"},
                    "tags": {"type": "array", "items": {"enum": ["a", "b"]}}
                }}
            }},
            "paths": {"/x": {"post": {"operationId": "post_x",
                "requestBody": {"content": {"application/json": {"schema": {"type": "object", "properties": {"a": {"type": "string"}}}}}}}}}
        });
        let d = derived(&doc);
        let keys: Vec<&str> = d.keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            vec!["postxbody", "subscriptionschedule", "subscriptiontagsitem"]
        );
        assert_eq!(
            d["subscriptionschedule"],
            "/components/schemas/Subscription/properties/schedule"
        );
    }

    #[test]
    fn follows_references_an_all_of_merges() {
        let doc = json!({"components": {"schemas": {
            "Solution": {"allOf": [{"$ref": "#/components/schemas/SolutionKind"}]},
            "SolutionKind": {"type": "object", "properties": {"kind": {"enum": ["a", "b"]}}}
        }}});
        let d = derived(&doc);
        // Merged into `Solution`, the enum `kind` is `SolutionKind`, the component's own name.
        assert!(d.contains_key("solutionkind"), "{d:?}");
    }
}
