//! Lean types: the schemas of an operation's responses cut down to the properties the workflows
//! read, and its request body to the properties they set (plus those the type needs to be
//! sent as before), so the client holds the types a workflow uses rather than every type the
//! description reaches.
//!
//! A cut-down object keeps its kept properties in their declared order, `type`, `nullable` and
//! the `required` names it still has; it never denies unknown properties, so a response with
//! every field the description lists still decodes. A part used whole (`$response.body`
//! without a pointer, a JSONPath query) keeps its schema as declared.

use super::*;
use crate::openapi::deref;

/// The parts of a schema the workflows use: all of it, or some of its members by JSON pointer
/// segment (a property name, or an array index standing for every item).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Used {
    /// The whole schema.
    All,
    /// Only these members (none: the value is not read at all).
    Parts(BTreeMap<String, Used>),
}

impl Default for Used {
    fn default() -> Self {
        Used::Parts(BTreeMap::new())
    }
}

impl Used {
    /// Marks the value at `path` (JSON pointer segments) as used whole.
    pub fn add(&mut self, path: &[String]) {
        let Used::Parts(parts) = self else { return };
        match path.split_first() {
            None => *self = Used::All,
            Some((first, rest)) => parts.entry(first.clone()).or_default().add(rest),
        }
    }

    /// What is used of each item of an array: the members named by an index (or `-`), merged;
    /// `None` when no index is named (only the array itself, its length say, is used).
    pub fn items(&self) -> Option<Used> {
        let Used::Parts(parts) = self else {
            return Some(Used::All);
        };
        let mut items: Option<Used> = None;
        for (k, u) in parts {
            if k == "-" || k.parse::<usize>().is_ok() {
                items.get_or_insert_with(Used::default).merge(u);
            }
        }
        items
    }

    /// Adds everything `other` uses.
    pub fn merge(&mut self, other: &Used) {
        match (&mut *self, other) {
            (Used::All, _) => {}
            (_, Used::All) => *self = Used::All,
            (Used::Parts(mine), Used::Parts(theirs)) => {
                for (k, v) in theirs {
                    mine.entry(k.clone()).or_default().merge(v);
                }
            }
        }
    }
}

/// What the workflows use of one operation.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OperationUse {
    /// What they read of its response bodies (any status).
    pub response: Used,
    /// What they set in its request body.
    pub body: Used,
}

impl OperationUse {
    /// Adds what `other` uses.
    pub fn merge(&mut self, other: &OperationUse) {
        self.response.merge(&other.response);
        self.body.merge(&other.body);
    }
}

/// How deep a cut-down schema may nest; deeper parts are kept as declared.
const MAX_DEPTH: usize = 32;

impl Normaliser<'_> {
    /// Cuts the response and request body schemas of the normalised operation `op` down to
    /// what `used` says the workflows use.
    pub(super) fn lean_operation(&self, op: &mut Value, used: &OperationUse) {
        if let Some(Value::Object(responses)) = op.get_mut("responses") {
            for r in responses.values_mut() {
                for_each_schema(r, |s| *s = self.lean(s, &used.response, false, 0));
            }
        }
        if let Some(body) = op.get_mut("requestBody") {
            for_each_schema(body, |s| *s = self.lean(s, &used.body, true, 0));
        }
    }

    /// `schema` cut down to `used`. For a request body (`body`), an object also keeps its
    /// required properties and those with a default, which its type sends when unset.
    fn lean(&self, schema: &Value, used: &Used, body: bool, depth: usize) -> Value {
        let Used::Parts(parts) = used else {
            return schema.clone();
        };
        if depth > MAX_DEPTH {
            return schema.clone();
        }
        let s = deref(self.raw, schema);
        if s.get("$ref").is_some() {
            // A reference to nothing: the components step reports it.
            return schema.clone();
        }
        if parts.is_empty() && !body {
            // Not read at all: any JSON value decodes.
            return Value::Object(Map::new());
        }
        let mut out = Map::new();
        if s.get("nullable") == Some(&Value::Bool(true)) {
            out.insert("nullable".into(), Value::Bool(true));
        }
        if let Some(object) = self.object_view(s) {
            let mut properties = Map::new();
            for (name, prop) in &object.properties {
                let kept = match parts.get(name) {
                    Some(u) => Some(self.lean(prop, u, body, depth + 1)),
                    None if body
                        && (object.required.contains(name)
                            || deref(self.raw, prop).get("default").is_some()) =>
                    {
                        Some(prop.clone())
                    }
                    None => None,
                };
                if let Some(p) = kept {
                    properties.insert(name.clone(), p);
                }
            }
            // A body that sets a member the schema does not list sends it through
            // `additionalProperties`, kept as declared.
            if body && parts.keys().any(|k| !object.properties.contains_key(k)) {
                match &object.additional {
                    Some(extra) => {
                        out.insert("additionalProperties".into(), extra.clone());
                    }
                    None => return schema.clone(),
                }
            }
            if !body && properties.is_empty() {
                // None of the members read is declared here (an error body, say).
                return Value::Object(Map::new());
            }
            let required: Vec<Value> = object
                .required
                .iter()
                .filter(|r| properties.contains_key(*r))
                .map(|r| Value::String(r.clone()))
                .collect();
            out.insert("type".into(), Value::String("object".into()));
            out.insert("properties".into(), Value::Object(properties));
            if !required.is_empty() {
                out.insert("required".into(), Value::Array(required));
            }
            return Value::Object(out);
        }
        if let Some(items) = array_items(s) {
            if body {
                return schema.clone();
            }
            // An index stands for every item; `length` (JSONPath criteria) is the array's own.
            let every = used.items().unwrap_or_default();
            out.insert("type".into(), Value::String("array".into()));
            out.insert("items".into(), self.lean(items, &every, false, depth + 1));
            return Value::Object(out);
        }
        // Of `anyOf` or `oneOf` alone, each alternative is cut down alike; one that the members
        // do not fit keeps its shape.
        let alternatives = ["anyOf", "oneOf"]
            .into_iter()
            .find_map(|key| Some((key, s.get(key)?.as_array()?)));
        match alternatives {
            Some((key, alts)) if !body && s.get("allOf").is_none() => {
                let alts = alts
                    .iter()
                    .map(|a| self.lean(a, used, false, depth + 1))
                    .collect();
                out.insert(key.into(), Value::Array(alts));
                Value::Object(out)
            }
            _ => schema.clone(),
        }
    }

    /// The properties of an object schema, its `allOf` members merged, when that is all it is.
    fn object_view(&self, s: &Value) -> Option<ObjectView> {
        let mut view = ObjectView::default();
        self.collect_object(s, &mut view, 0).then_some(view)
    }

    fn collect_object(&self, s: &Value, view: &mut ObjectView, depth: usize) -> bool {
        if depth > 8 {
            return false;
        }
        let s = deref(self.raw, s);
        let Value::Object(m) = s else { return false };
        if m.contains_key("anyOf") || m.contains_key("oneOf") || m.contains_key("not") {
            return false;
        }
        let declared = m.get("type").and_then(Value::as_str);
        if declared.is_some_and(|t| t != "object") || m.contains_key("$ref") {
            return false;
        }
        let mut any = declared == Some("object") || m.contains_key("properties");
        if let Some(Value::Object(props)) = m.get("properties") {
            for (k, v) in props {
                if !view.properties.contains_key(k) {
                    view.properties.insert(k.clone(), v.clone());
                }
            }
        }
        if let Some(Value::Array(req)) = m.get("required") {
            for r in req.iter().filter_map(Value::as_str) {
                if !view.required.iter().any(|x| x == r) {
                    view.required.push(r.to_string());
                }
            }
        }
        match m.get("additionalProperties") {
            Some(Value::Bool(false)) | None => {}
            Some(extra) => view.additional = Some(extra.clone()),
        }
        if let Some(Value::Array(members)) = m.get("allOf") {
            for member in members {
                if !self.collect_object(member, view, depth + 1) {
                    return false;
                }
                any = true;
            }
        }
        any
    }
}

/// An object schema's properties (in declared order), required names and
/// `additionalProperties` schema, over its `allOf` members.
#[derive(Default)]
struct ObjectView {
    properties: Map<String, Value>,
    required: Vec<String>,
    additional: Option<Value>,
}

/// The `items` schema of an array schema.
fn array_items(s: &Value) -> Option<&Value> {
    let declared = s.get("type").and_then(Value::as_str);
    match (declared, s.get("items")) {
        (Some("array") | None, Some(items)) if items.is_object() => Some(items),
        _ => None,
    }
}

/// Calls `f` on the schema of each media type of a response or request body.
fn for_each_schema(owner: &mut Value, mut f: impl FnMut(&mut Value)) {
    if let Some(Value::Object(content)) = owner.get_mut("content") {
        for media in content.values_mut() {
            if let Some(s) = media.get_mut("schema") {
                f(s);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn description() -> Value {
        json!({
            "openapi": "3.0.3",
            "info": {"title": "t", "version": "1"},
            "paths": {"/things": {"post": {
                "operationId": "makeThing",
                "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/NewThing"}}}},
                "responses": {
                    "200": {"description": "", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}},
                    "default": {"description": "", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}
                }
            }}},
            "components": {"schemas": {
                "Thing": {"allOf": [
                    {"$ref": "#/components/schemas/Named"},
                    {"type": "object", "additionalProperties": false, "required": ["id", "tags"], "properties": {
                        "id": {"type": "string"},
                        "tags": {"type": "array", "items": {"$ref": "#/components/schemas/Tag"}},
                        "owner": {"anyOf": [{"type": "string"}, {"$ref": "#/components/schemas/Owner"}]},
                        "huge": {"$ref": "#/components/schemas/Huge"}
                    }}
                ]},
                "Named": {"type": "object", "properties": {"name": {"type": "string"}}},
                "Tag": {"type": "object", "properties": {"label": {"type": "string"}, "colour": {"type": "string"}}},
                "Owner": {"type": "object", "properties": {"login": {"type": "string"}, "huge": {"$ref": "#/components/schemas/Huge"}}},
                "Huge": {"type": "object", "properties": {"a": {"type": "string"}}},
                "Problem": {"type": "object", "properties": {"title": {"type": "string"}}},
                "NewThing": {"type": "object", "required": ["name"], "properties": {
                    "name": {"type": "string"},
                    "colour": {"type": "string", "default": "red"},
                    "note": {"type": "string"},
                    "owner": {"$ref": "#/components/schemas/Owner"},
                    "extra": {"type": "object", "required": ["kind"], "properties": {
                        "kind": {"type": "string"}, "size": {"type": "integer"}, "unused": {"type": "string"}
                    }}
                }}
            }}
        })
    }

    fn lean(use_: OperationUse) -> Value {
        let raw = description();
        let used: BTreeSet<String> = ["/paths/~1things/post".to_string()].into();
        let uses: BTreeMap<String, OperationUse> =
            [("/paths/~1things/post".to_string(), use_)].into();
        normalise(&raw, &used, false, Some(&uses)).doc
    }

    fn path(p: &str) -> Vec<String> {
        p.split('/').skip(1).map(String::from).collect()
    }

    #[test]
    fn a_response_keeps_what_is_read_and_decodes_the_rest() {
        let mut u = OperationUse::default();
        for p in ["/id", "/name", "/tags/0/label", "/owner/login"] {
            u.response.add(&path(p));
        }
        let doc = lean(u);
        let op = &doc["paths"]["/things"]["post"];
        let ok = &op["responses"]["200"]["content"]["application/json"]["schema"];
        assert_eq!(
            ok,
            &json!({"type": "object", "required": ["id", "tags"], "properties": {
                "name": {"type": "string"},
                "id": {"type": "string"},
                "tags": {"type": "array", "items": {"type": "object", "properties": {"label": {"type": "string"}}}},
                "owner": {"anyOf": [{"type": "string"}, {"type": "object", "properties": {"login": {"type": "string"}}}]}
            }})
        );
        // The error body declares none of the members read: it is any JSON.
        let problem = &op["responses"]["4XX"]["content"]["application/json"]["schema"];
        assert_eq!(problem, &json!({}));
        // Components only the cut parts reached are gone.
        let schemas = doc["components"]["schemas"]
            .as_object()
            .cloned()
            .unwrap_or_default();
        assert!(!schemas.contains_key("Huge"), "{schemas:?}");
        assert!(!schemas.contains_key("Thing"), "{schemas:?}");
    }

    #[test]
    fn a_body_keeps_what_is_set_the_required_and_the_defaults() {
        let mut u = OperationUse::default();
        u.body.add(&path("/note"));
        u.body.add(&path("/extra/size"));
        let doc = lean(u);
        let body = &doc["paths"]["/things"]["post"]["requestBody"]["content"]["application/json"]
            ["schema"];
        assert_eq!(
            body,
            &json!({"type": "object", "required": ["name"], "properties": {
                "name": {"type": "string"},
                "colour": {"type": "string", "default": "red"},
                "note": {"type": "string"},
                "extra": {"type": "object", "required": ["kind"], "properties": {
                    "kind": {"type": "string"}, "size": {"type": "integer"}
                }}
            }})
        );
    }

    #[test]
    fn a_whole_read_keeps_the_whole_schema() {
        let mut u = OperationUse::default();
        u.response.add(&[]);
        u.body.add(&[]);
        let doc = lean(u);
        let op = &doc["paths"]["/things"]["post"];
        assert_eq!(
            op["responses"]["200"]["content"]["application/json"]["schema"],
            json!({"$ref": "#/components/schemas/Thing"})
        );
        assert_eq!(
            op["requestBody"]["content"]["application/json"]["schema"],
            json!({"$ref": "#/components/schemas/NewThing"})
        );
        assert!(doc["components"]["schemas"].get("Huge").is_some());
    }
}
