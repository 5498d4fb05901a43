//! Normalisation of one OpenAPI description before client generation: pruned to the operations
//! the workflows use (and the components they reach), and rewritten so that the client
//! generator's assumptions hold. Every change is reported as a repair with its place.
//!
//! The generator assumes one request media type without `encoding`, one success type and one
//! error type per operation, required path parameters, and unique operationIds that stay
//! unique in snake case. Form bodies are handed to it as JSON; the encoding table recorded here
//! tells the generated client how to put them on the wire.

use std::collections::{BTreeMap, BTreeSet};

use heck::ToSnakeCase;
use serde_json::{Map, Value};

use super::local_ref as lookup;
use super::METHODS;
use crate::source;

mod bodies;
mod components;
mod lean;
mod names;
mod operations;
mod responses;

pub use lean::{OperationUse, Used};
pub use names::{rename_schema_typed, untype_schema};

/// One change made to the description, or one defect that could not be repaired.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    /// The node concerned (a JSON pointer into the description as loaded).
    pub pointer: String,
    /// What was wrong and what was done.
    pub message: String,
    /// Whether generation cannot go on.
    pub fatal: bool,
    /// The kind of a change that is not fatal (see [`crate::kinds`]).
    pub kind: &'static str,
}

/// How one form field goes on the wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum FieldStyle {
    /// `name[key]=value` for objects, `name[0]=value` for arrays (Stripe's convention).
    DeepObject,
    /// `name=a&name=b` for arrays, `key=value` for objects (OpenAPI `form`, explode).
    FormExplode,
    /// `name=a,b` for arrays and `name=k,v` for objects (OpenAPI `form`, no explode).
    Form,
}

/// The form encoding of one operation's body: the style of each field that has one.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FormEncoding {
    /// Field name to style; fields not listed are encoded as deep objects when they are
    /// objects or arrays, which is what form servers that accept nesting expect.
    pub fields: BTreeMap<String, FieldStyle>,
}

/// The result of normalising one description.
#[derive(Debug)]
pub struct Normalised {
    /// The description to hand to the client generator.
    pub doc: Value,
    /// operationId (as given to the generator) to the form encoding of its body.
    pub forms: BTreeMap<String, FormEncoding>,
    /// Declared operationId to the operationId given to the generator, where they differ or
    /// where the declared one was missing (keyed by the operation's pointer then).
    pub renamed: BTreeMap<String, String>,
    /// Every change, in the order made.
    pub changes: Vec<Change>,
    /// Parameters left out because their Rust name is another's: (operation pointer, name).
    pub dropped_params: BTreeSet<(String, String)>,
    /// operationId (as given to the generator) to the JSON media type its body is sent as,
    /// where that is not `application/json`.
    pub content_types: BTreeMap<String, String>,
    /// operationId (as given to the generator) of each body sent as `multipart/form-data`, to
    /// the fields that go as files.
    pub multipart: BTreeMap<String, Vec<String>>,
}

/// Methods of the generated `Client` (its own and its hook trait's) that an operation's
/// method must not shadow.
const CLIENT_METHODS: &[&str] = &[
    "new",
    "new_with_client",
    "baseurl",
    "client",
    "api_version",
    "inner",
    "pre",
    "post",
    "exec",
    "whole_responses",
];

/// Normalises `raw`. `used` lists the JSON pointers of the operations the workflows call;
/// with `keep_all` the other operations are kept too, and one that cannot be generated is
/// left out with a warning (a used one that cannot be generated is an error). With `lean`
/// (what the workflows use of each operation, by pointer), the schemas of the operations'
/// responses and request bodies are cut down to that; without it they are kept whole.
pub fn normalise(
    raw: &Value,
    used: &BTreeSet<String>,
    keep_all: bool,
    lean: Option<&BTreeMap<String, OperationUse>>,
) -> Normalised {
    let keep = (!keep_all).then_some(used);
    let mut n = Normaliser {
        raw,
        changes: Vec::new(),
        forms: BTreeMap::new(),
        renamed: BTreeMap::new(),
        dropped_params: BTreeSet::new(),
        content_types: BTreeMap::new(),
        multipart: BTreeMap::new(),
        lifted: BTreeMap::new(),
    };
    let doc = n.run(keep, used, lean);
    Normalised {
        doc,
        forms: n.forms,
        renamed: n.renamed,
        changes: n.changes,
        dropped_params: n.dropped_params,
        content_types: n.content_types,
        multipart: n.multipart,
    }
}

struct Normaliser<'a> {
    raw: &'a Value,
    changes: Vec<Change>,
    forms: BTreeMap<String, FormEncoding>,
    renamed: BTreeMap<String, String>,
    dropped_params: BTreeSet<(String, String)>,
    content_types: BTreeMap<String, String>,
    multipart: BTreeMap<String, Vec<String>>,
    /// Components lifted out of the middle of others: (kind, name) to the reference they
    /// replace.
    lifted: BTreeMap<(String, String), String>,
}

impl Normaliser<'_> {
    fn change(&mut self, kind: &'static str, pointer: &str, message: impl Into<String>) {
        self.changes.push(Change {
            pointer: pointer.to_string(),
            message: message.into(),
            fatal: false,
            kind,
        });
    }

    fn fatal(&mut self, pointer: &str, message: impl Into<String>) {
        self.changes.push(Change {
            pointer: pointer.to_string(),
            message: message.into(),
            fatal: true,
            kind: "",
        });
    }

    /// Follows a `$ref` to a component of the given kind, inlining it.
    fn inline(&self, v: &Value) -> Value {
        let mut v = v;
        for _ in 0..16 {
            match v
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| lookup(self.raw, r))
            {
                Some(t) => v = t,
                None => break,
            }
        }
        v.clone()
    }

    fn run(
        &mut self,
        keep: Option<&BTreeSet<String>>,
        used: &BTreeSet<String>,
        lean: Option<&BTreeMap<String, OperationUse>>,
    ) -> Value {
        let mut out = Map::new();
        for key in ["openapi", "info", "servers", "security"] {
            if let Some(v) = self.raw.get(key) {
                out.insert(key.into(), v.clone());
            }
        }
        let mut paths = Map::new();
        let mut used_ids: BTreeMap<String, String> = BTreeMap::new();
        if let Some(Value::Object(raw_paths)) = self.raw.get("paths") {
            for (path, item) in raw_paths {
                let item = self.inline(item);
                let item_at = source::child("/paths", path);
                // `{+name}` (reserved expansion) is read as `{name}`.
                let plain = path.replace("{+", "{");
                let mut new_item = Map::new();
                for m in METHODS {
                    let op_at = source::child(&item_at, m);
                    let Some(op) = item.get(*m) else { continue };
                    if keep.is_some_and(|k| !k.contains(&op_at)) {
                        continue;
                    }
                    let before = self.changes.len();
                    let mut op = self.operation(op, &item, &plain, m, &op_at, &mut used_ids);
                    if let Some(u) = lean.and_then(|l| l.get(&op_at)) {
                        self.lean_operation(&mut op, u);
                    }
                    let failed = self.changes[before..].iter().any(|c| c.fatal);
                    if failed && !used.contains(&op_at) {
                        for c in &mut self.changes[before..] {
                            c.fatal = false;
                        }
                        self.change("left-out", &op_at, "this operation is left out of the client: no workflow calls it, and it cannot be generated (see above)");
                        continue;
                    }
                    new_item.insert((*m).to_string(), op);
                }
                if !new_item.is_empty() {
                    if plain != *path {
                        self.change("parameter", &item_at, format!("path `{path}` uses reserved expansion (`{{+name}}`); it is read as `{plain}`, so a `/` in such a value is percent-encoded"));
                    }
                    paths.insert(plain, Value::Object(new_item));
                }
            }
        }
        out.insert("paths".into(), Value::Object(paths));
        let mut doc = Value::Object(out);
        let components = self.components_reached(&mut doc);
        if let Value::Object(out) = &mut doc {
            if !components.is_empty() {
                out.insert("components".into(), Value::Object(components));
            }
        }
        for (at, message) in super::schemas::repair(&mut doc) {
            self.change("schema", &at, message);
        }
        self.enums(&mut doc);
        self.schema_names(&mut doc);
        doc
    }
}

fn rewrite_refs(v: &mut Value, map: &BTreeMap<String, String>) {
    match v {
        Value::Object(m) => {
            if let Some(Value::String(r)) = m.get_mut("$ref") {
                if let Some(new) = map.get(r.as_str()) {
                    *r = new.clone();
                }
            }
            m.values_mut().for_each(|c| rewrite_refs(c, map));
        }
        Value::Array(items) => items.iter_mut().for_each(|c| rewrite_refs(c, map)),
        _ => {}
    }
}

/// Whether a (lower-case) media type is JSON: `application/json`, with parameters or not, or a
/// `+json` type such as `application/vnd.api+json`.
fn is_json(mt: &str) -> bool {
    let essence = mt.split(';').next().unwrap_or_default().trim();
    essence.eq_ignore_ascii_case("application/json")
        || essence.to_ascii_lowercase().ends_with("+json")
}

/// The `{name}` parameters of a path template.
fn path_names(path: &str) -> Vec<String> {
    path.split('{')
        .skip(1)
        .filter_map(|s| s.split_once('}').map(|(n, _)| n.to_string()))
        .collect()
}

/// The kind of component a reference into the middle of one (`[kind, "name/rest"]`) points
/// at: a schema when the path passes through a schema keyword, else the component's kind.
fn lifted_kind(parts: &[String]) -> String {
    const SCHEMA_KEYS: &[&str] = &[
        "schema",
        "properties",
        "items",
        "allOf",
        "anyOf",
        "oneOf",
        "not",
        "additionalProperties",
        "definitions",
    ];
    let through_schema = parts
        .get(1)
        .is_some_and(|rest| rest.split('/').skip(1).any(|s| SCHEMA_KEYS.contains(&s)));
    if through_schema {
        "schemas".into()
    } else {
        parts.first().cloned().unwrap_or_default()
    }
}
