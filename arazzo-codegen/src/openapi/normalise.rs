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
/// left out with a warning (a used one that cannot be generated is an error).
pub fn normalise(raw: &Value, used: &BTreeSet<String>, keep_all: bool) -> Normalised {
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
    let doc = n.run(keep, used);
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

    fn run(&mut self, keep: Option<&BTreeSet<String>>, used: &BTreeSet<String>) -> Value {
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
                    let op = self.operation(op, &item, &plain, m, &op_at, &mut used_ids);
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

    /// Schemas whose names would give the same Rust type name as another schema, or as a
    /// type the client generator derives for an inline schema (`Subscription.schedule` is
    /// `SubscriptionSchedule`), are renamed, numbered, and every reference follows. Renaming
    /// changes the names derived inside the renamed schema, so this runs until nothing moves.
    fn schema_names(&mut self, doc: &mut Value) {
        for _ in 0..4 {
            if !self.schema_names_once(doc) {
                return;
            }
        }
    }

    fn schema_names_once(&mut self, doc: &mut Value) -> bool {
        let Some(Value::Object(schemas)) = doc.get("components").and_then(|c| c.get("schemas"))
        else {
            return false;
        };
        let derived = super::typenames::derived(doc);
        let names: Vec<String> = schemas.keys().cloned().collect();
        let fold = type_key;
        let mut taken: BTreeSet<String> = BTreeSet::new();
        let mut renames: BTreeMap<String, String> = BTreeMap::new();
        for name in &names {
            let key = fold(name);
            let inline = derived.get(&key);
            if inline.is_none() && taken.insert(key) {
                continue;
            }
            let mut k = 2;
            let new = loop {
                let candidate = format!("{name}{k}");
                let key = fold(&candidate);
                if !names.contains(&candidate) && !derived.contains_key(&key) && taken.insert(key) {
                    break candidate;
                }
                k += 1;
            };
            let why = match inline {
                Some(at) => {
                    format!("the type the client generator derives for the inline schema at `{at}`")
                }
                None => "another schema".to_string(),
            };
            self.change("renamed", 
                &source::child("/components/schemas", name),
                format!("schema `{name}` would get the same Rust name as {why}; it is generated as `{new}`"),
            );
            renames.insert(name.clone(), new);
        }
        if renames.is_empty() {
            return false;
        }
        rename_schemas(doc, &renames);
        true
    }

    /// String enums whose values collide as Rust variant names, or give names that are not
    /// ASCII, are read as plain strings.
    fn enums(&mut self, doc: &mut Value) {
        let mut found = Vec::new();
        let mut narrowed = Vec::new();
        let mut unusual = Vec::new();
        super::walk::schemas(doc, &mut |s, at| {
            if !s.contains_key("enum") {
                return;
            }
            let combined: Vec<&str> = ["allOf", "anyOf", "oneOf"]
                .into_iter()
                .filter(|k| s.contains_key(*k))
                .collect();
            if !combined.is_empty() {
                narrowed.push((at.to_string(), combined.join(", ")));
                for k in combined {
                    s.remove(k);
                }
                // What only the alternatives needed goes with them when the values are scalars.
                let scalars = s
                    .get("enum")
                    .and_then(Value::as_array)
                    .is_some_and(|v| v.iter().all(|x| !x.is_array() && !x.is_object()));
                if scalars {
                    for k in ["items", "properties", "additionalProperties"] {
                        s.remove(k);
                    }
                }
            }
            let mut seen: BTreeMap<String, String> = BTreeMap::new();
            let values: Vec<String> = s
                .get("enum")
                .and_then(Value::as_array)
                .map(|v| {
                    v.iter()
                        .filter_map(Value::as_str)
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default();
            for v in values {
                let name = crate::names::ident(&v, crate::names::Case::Camel);
                if !name.is_ascii() {
                    // rustc warns on some non-ASCII identifiers (`uncommon_codepoints`), and
                    // only a crate can allow that.
                    unusual.push((at.to_string(), v));
                    s.remove("enum");
                    return;
                }
                // The client generator writes a name that starts with a digit after an `X`,
                // so `2C` and `X2C` are one name.
                let key = name
                    .strip_prefix('_')
                    .filter(|r| r.starts_with(|c: char| c.is_ascii_digit()))
                    .map_or_else(|| name.clone(), |r| format!("X{r}"));
                if let Some(first) = seen.insert(key, v.clone()) {
                    found.push((at.to_string(), first, v));
                    s.remove("enum");
                    return;
                }
            }
        });
        for (at, combined) in narrowed {
            self.change("schema", &at, format!("an `enum` beside `{combined}` is read as the enum alone (its values already say what is allowed)"));
        }
        for (at, v) in unusual {
            self.change("renamed", &at, format!("enum value `{v}` would give a Rust name that is not ASCII; the enum is read as its base type"));
        }
        for (at, a, b) in found {
            self.change("renamed", &at, format!("enum values `{a}` and `{b}` would get the same Rust name; the enum is read as its base type"));
        }
    }

    fn operation(
        &mut self,
        op: &Value,
        item: &Value,
        path: &str,
        method: &str,
        at: &str,
        used: &mut BTreeMap<String, String>,
    ) -> Value {
        let mut op = match op {
            Value::Object(m) => m.clone(),
            _ => Map::new(),
        };
        // operationId: present, unique, and unique once in snake case.
        let declared = op
            .get("operationId")
            .and_then(Value::as_str)
            .map(str::to_string);
        let base = declared.clone().unwrap_or_else(|| {
            format!("{method}_{}", path.replace(['{', '}'], "")).to_snake_case()
        });
        // An id named like one of the client's own methods gets a suffix first.
        let stem = if CLIENT_METHODS.contains(&base.to_snake_case().as_str()) {
            let stem = format!("{base}_operation");
            self.change("renamed", &source::child(at, "operationId"), format!("operationId `{base}` would shadow the generated client's own `{}` method; it is generated as `{stem}`", base.to_snake_case()));
            stem
        } else {
            base.clone()
        };
        let mut id = stem.clone();
        let mut k = 2;
        let clash = used.get(&id.to_snake_case()).cloned();
        while used.contains_key(&id.to_snake_case()) {
            id = format!("{stem}_{k}");
            k += 1;
        }
        if let Some(other) = clash {
            let msg = if declared.as_deref() == Some(other.as_str()) {
                format!("operationId `{base}` is declared twice; this one is generated as `{id}`")
            } else {
                format!("operationId `{base}` collides with `{other}` once written in snake case; this one is generated as `{id}`")
            };
            self.change("renamed", &source::child(at, "operationId"), msg);
        }
        if declared.is_none() {
            self.change(
                "renamed",
                at,
                format!("this operation has no operationId; it is generated as `{id}`"),
            );
        }
        used.insert(id.to_snake_case(), id.clone());
        if declared.as_deref() != Some(id.as_str()) {
            self.renamed.insert(
                declared.clone().unwrap_or_else(|| at.to_string()),
                id.clone(),
            );
        }
        op.insert("operationId".into(), Value::String(id.clone()));
        for key in ["tags", "callbacks", "servers", "externalDocs"] {
            op.remove(key);
        }
        // Parameters: path-level ones merged in; path parameters required; cookies dropped.
        let mut params: Vec<Value> = Vec::new();
        let mut seen = BTreeSet::new();
        let own = op
            .get("parameters")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let shared = item
            .get("parameters")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let own_at = source::child(at, "parameters");
        let shared_at = source::child(&source::child("/paths", path), "parameters");
        for (i, p, base_at) in own
            .iter()
            .enumerate()
            .map(|(i, p)| (i, p, &own_at))
            .chain(shared.iter().enumerate().map(|(i, p)| (i, p, &shared_at)))
        {
            let p_at = source::index(base_at, i);
            let mut p = self.inline(p);
            let (Some(name), Some(loc)) = (
                p.get("name").and_then(Value::as_str).map(str::to_string),
                p.get("in").and_then(Value::as_str).map(str::to_string),
            ) else {
                self.fatal(&p_at, "a parameter needs `name` and `in`");
                continue;
            };
            if !seen.insert((name.clone(), loc.clone())) {
                continue;
            }
            if loc == "cookie" {
                self.change("parameter", &p_at, format!("cookie parameter `{name}` is not sent: the generated client cannot send cookies"));
                continue;
            }
            if loc == "path" && p.get("required") != Some(&Value::Bool(true)) {
                p["required"] = Value::Bool(true);
                self.change("parameter", &p_at, format!("path parameter `{name}` is not marked `required: true`; path parameters always are"));
            }
            if loc == "path" && !path.contains(&format!("{{{name}}}")) {
                self.change(
                    "parameter",
                    &p_at,
                    format!("path parameter `{name}` does not appear in `{path}`; it is dropped"),
                );
                continue;
            }
            if let Some(content) = p.as_object_mut().and_then(|m| m.remove("content")) {
                let mt = content
                    .as_object()
                    .and_then(|c| c.keys().next().cloned())
                    .unwrap_or_default();
                p["schema"] = serde_json::json!({"type": "string"});
                self.change("parameter", &p_at, format!("parameter `{name}` is described by `content` ({mt}); it is taken as a string, to be given already serialised"));
            }
            if p.get("schema").is_none() {
                p["schema"] = Value::Object(Map::new());
                self.change(
                    "parameter",
                    &p_at,
                    format!("parameter `{name}` has no schema; any JSON value is accepted"),
                );
            }
            let style = p.get("style").and_then(Value::as_str).map(str::to_string);
            if let Some(style @ ("deepObject" | "spaceDelimited" | "pipeDelimited")) =
                style.as_deref().filter(|_| loc == "query")
            {
                p.as_object_mut().map(|m| m.remove("style"));
                p["schema"] = serde_json::json!({"type": "string"});
                self.change("parameter", &p_at, format!("{style} query parameter `{name}` is taken as a string; give it already encoded"));
            } else if loc == "query" && {
                let schema = self.inline(&p["schema"]);
                schema.get("type").and_then(Value::as_str) == Some("object")
                    || (schema.get("type").is_none() && schema.get("properties").is_some())
            } {
                // The client generator has no way to put an object into a query.
                p["schema"] = serde_json::json!({"type": "string"});
                self.change("parameter", &p_at, format!("query parameter `{name}` is an object, which the client cannot put in a query; it is taken as a string; give it already encoded"));
            } else if loc == "path" && {
                let schema = self.inline(&p["schema"]);
                schema.get("oneOf").is_some() || schema.get("anyOf").is_some()
            } {
                // The client writes a path parameter with `Display`, which a union of types
                // the client generator makes does not always have.
                p["schema"] = serde_json::json!({"type": "string"});
                self.change("parameter", &p_at, format!("path parameter `{name}` is one of several schemas; it is taken as a string"));
            }
            let rust = crate::names::ident(&name, crate::names::Case::Snake);
            if let Some(other) = params.iter().find(|q| {
                q["name"]
                    .as_str()
                    .is_some_and(|n| crate::names::ident(n, crate::names::Case::Snake) == rust)
            }) {
                let other = format!(
                    "{} `{}`",
                    other["in"].as_str().unwrap_or(""),
                    other["name"].as_str().unwrap_or("")
                );
                self.dropped_params.insert((at.to_string(), name.clone()));
                self.change("renamed", &p_at, format!("{loc} parameter `{name}` has the same Rust name as {other} of this operation; it is left out of the client (a workflow that sets it is an error)"));
                continue;
            }
            params.push(p);
        }
        for name in path_names(path) {
            if !params
                .iter()
                .any(|p| p["in"] == "path" && p["name"] == name.as_str())
            {
                params.push(serde_json::json!({"name": name, "in": "path", "required": true, "schema": {"type": "string"}}));
                self.change("parameter", at, format!("path parameter `{name}` of `{path}` is not declared; it is taken as a string"));
            }
        }
        op.insert("parameters".into(), Value::Array(params));
        if let Some(body) = op.get("requestBody").cloned() {
            match self.request_body(&body, &id, &source::child(at, "requestBody")) {
                Some(b) => op.insert("requestBody".into(), b),
                None => op.remove("requestBody"),
            };
        }
        let responses = op
            .get("responses")
            .cloned()
            .unwrap_or(Value::Object(Map::new()));
        op.insert(
            "responses".into(),
            self.responses(&responses, &source::child(at, "responses")),
        );
        Value::Object(op)
    }

    fn request_body(&mut self, body: &Value, id: &str, at: &str) -> Option<Value> {
        let mut body = self.inline(body);
        let content = body
            .get("content")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        if content.is_empty() {
            self.change(
                "media-type",
                at,
                "the request body lists no media type; it is dropped",
            );
            return None;
        }
        let rank = |mt: &str| {
            let mt = mt.to_ascii_lowercase();
            if is_json(&mt) {
                0
            } else if mt == "application/x-www-form-urlencoded" {
                1
            } else if mt == "multipart/form-data" {
                2
            } else if mt == "application/octet-stream" || mt.starts_with("text/plain") {
                3
            } else {
                4
            }
        };
        let (chosen, media) = content.iter().min_by_key(|(mt, _)| rank(mt))?;
        if rank(chosen) == 4 {
            self.fatal(at, format!("request media type `{chosen}` cannot be sent by the generated client (it sends JSON, forms, multipart forms, text and bytes)"));
            return None;
        }
        if content.len() > 1 {
            let others: Vec<&str> = content
                .keys()
                .filter(|k| *k != chosen)
                .map(String::as_str)
                .collect();
            self.change(
                "media-type",
                at,
                format!(
                    "the request body has several media types; `{chosen}` is used, not {}",
                    crate::suggest::list(&others)
                ),
            );
        }
        let mut media = media.clone();
        if media.get("schema").is_none() {
            media["schema"] = Value::Object(Map::new());
        }
        let mut chosen = chosen.clone();
        if rank(&chosen) == 0 && chosen != "application/json" {
            self.change("media-type", &source::child(at, "content"), format!("request media type `{chosen}` is JSON; the body is built as JSON and sent with `Content-Type: {chosen}`"));
            self.content_types.insert(id.to_string(), chosen.clone());
            chosen = "application/json".into();
        }
        if chosen.eq_ignore_ascii_case("application/octet-stream")
            && media
                .get("schema")
                .is_some_and(|s| s.get("type").and_then(Value::as_str) != Some("string"))
        {
            media["schema"] = serde_json::json!({"type": "string", "format": "binary"});
            self.change(
                "media-type",
                &source::child(at, "content"),
                format!(
                    "the `{chosen}` body's schema is not a string; the body is taken as raw bytes"
                ),
            );
        }
        if chosen.eq_ignore_ascii_case("application/x-www-form-urlencoded") {
            let mut enc = FormEncoding::default();
            if let Some(Value::Object(fields)) = media.get("encoding") {
                for (field, e) in fields {
                    let style = e.get("style").and_then(Value::as_str).unwrap_or("form");
                    let explode = e
                        .get("explode")
                        .and_then(Value::as_bool)
                        .unwrap_or(style == "form");
                    let s = match (style, explode) {
                        ("deepObject", _) => FieldStyle::DeepObject,
                        ("form", true) => FieldStyle::FormExplode,
                        _ => FieldStyle::Form,
                    };
                    enc.fields.insert(field.clone(), s);
                }
            }
            self.forms.insert(id.to_string(), enc);
            chosen = "application/json".into();
        }
        let multipart = chosen.eq_ignore_ascii_case("multipart/form-data");
        if multipart {
            let files = self.file_fields(media.get("schema").unwrap_or(&Value::Null));
            let sent = if files.is_empty() {
                String::new()
            } else {
                format!(
                    "; file fields: {}",
                    crate::suggest::list(&files.iter().map(String::as_str).collect::<Vec<_>>())
                )
            };
            self.change("media-type", &source::child(at, "content"), format!("the multipart body is built as JSON and sent as `multipart/form-data`, one part per field{sent}"));
            self.multipart.insert(id.to_string(), files);
            chosen = "application/json".into();
        }
        if media
            .as_object_mut()
            .and_then(|m| m.remove("encoding"))
            .is_some()
        {
            self.change("media-type", 
                &source::child(at, "content"),
                if multipart {
                    "the multipart body's `encoding` (content types per part) is not applied: a string part goes as it is, an object or array as JSON"
                } else {
                    "the body's `encoding` is applied by the generated client's form encoder"
                },
            );
        }
        let mut c = Map::new();
        c.insert(chosen, media);
        body["content"] = Value::Object(c);
        Some(body)
    }

    /// The properties of a multipart body's schema that are files (`format: binary` or
    /// `base64`).
    fn file_fields(&self, schema: &Value) -> Vec<String> {
        let schema = self.inline(schema);
        let Some(Value::Object(props)) = schema.get("properties") else {
            return Vec::new();
        };
        props
            .iter()
            .filter(|(_, p)| {
                matches!(
                    self.inline(p).get("format").and_then(Value::as_str),
                    Some("binary" | "base64")
                )
            })
            .map(|(name, _)| name.clone())
            .collect()
    }

    fn responses(&mut self, responses: &Value, at: &str) -> Value {
        let mut out: Map<String, Value> = Map::new();
        let Value::Object(rs) = responses else {
            return Value::Object(out);
        };
        for (code, r) in rs {
            let mut r = self.inline(r);
            // The client types no response header (`$response.header.*` reads the response
            // as sent), so their descriptions, and any dangling reference in them, are not
            // handed on.
            if let Some(m) = r.as_object_mut() {
                m.remove("headers");
            }
            if let Some(Value::Object(content)) = r.get("content").cloned() {
                let json = content
                    .iter()
                    .find(|(mt, _)| mt.to_ascii_lowercase().contains("json"))
                    .or_else(|| content.iter().next());
                if let Some((mt, media)) = json {
                    if content.len() > 1 {
                        self.change(
                            "media-type",
                            &source::child(at, code),
                            format!("the response has several media types; `{mt}` is read"),
                        );
                    }
                    let mut media = media.clone();
                    if media.get("schema").is_none() {
                        media["schema"] = Value::Object(Map::new());
                    }
                    let mut mt = mt.clone();
                    if is_json(&mt) && mt != "application/json" {
                        self.change(
                            "media-type",
                            &source::child(at, code),
                            format!("response media type `{mt}` is read as JSON"),
                        );
                        mt = "application/json".into();
                    }
                    let mut c = Map::new();
                    c.insert(mt, media);
                    r["content"] = Value::Object(c);
                }
            }
            if r.get("description").is_none() {
                r["description"] = Value::String(String::new());
            }
            out.insert(code.clone(), r);
        }
        let is_success = |c: &str| c.starts_with('2');
        let has_success = out.keys().any(|c| is_success(c));
        if has_success {
            if let Some(d) = out.remove("default") {
                for range in ["4XX", "5XX"] {
                    out.entry(range.to_string()).or_insert_with(|| d.clone());
                }
                self.change(
                    "response",
                    &source::child(at, "default"),
                    "the `default` response is read as the error response for 4XX and 5XX statuses",
                );
            }
        } else if out.len() > 1 {
            // No success status is listed, only errors and `default`: the client generator would
            // write two catch-all arms.
            if let Some(d) = out.remove("default") {
                for range in ["2XX", "4XX", "5XX"] {
                    out.entry(range.to_string()).or_insert_with(|| d.clone());
                }
                self.change("response", 
                    &source::child(at, "default"),
                    "no success response is listed; the `default` response is read for 2XX, 4XX and 5XX statuses",
                );
            }
        }
        let body_of = |r: &Value| {
            r.get("content")
                .and_then(Value::as_object)
                .and_then(|c| c.values().next())
                .and_then(|m| m.get("schema"))
                .cloned()
        };
        // A status a range already covers would be an unreachable arm after it.
        let ranges: Vec<String> = out
            .keys()
            .filter(|c| c.len() == 3 && c.is_ascii() && c[1..].eq_ignore_ascii_case("xx"))
            .cloned()
            .collect();
        for range in ranges {
            let covered: Vec<String> = out
                .keys()
                .filter(|c| {
                    c.len() == 3
                        && c.bytes().all(|b| b.is_ascii_digit())
                        && c.as_bytes()[0] == range.as_bytes()[0]
                })
                .cloned()
                .collect();
            for c in covered {
                out.remove(&c);
                self.change(
                    "response",
                    &source::child(at, &c),
                    format!(
                        "status {c} is read as part of `{range}`, which the description also lists"
                    ),
                );
            }
        }
        // One success type.
        let success: Vec<(String, Option<Value>)> = out
            .iter()
            .filter(|(c, _)| is_success(c))
            .map(|(c, r)| (c.clone(), body_of(r)))
            .collect();
        let kinds: BTreeSet<String> = success
            .iter()
            .map(|(_, s)| s.as_ref().map_or("none".into(), Value::to_string))
            .collect();
        if kinds.len() > 1 {
            let with_body: Vec<&(String, Option<Value>)> =
                success.iter().filter(|(_, s)| s.is_some()).collect();
            let distinct_bodies: BTreeSet<String> = with_body
                .iter()
                .filter_map(|(_, s)| s.as_ref().map(Value::to_string))
                .collect();
            // JSON beside another media type: the client has one response type, and only raw
            // bytes hold both.
            let json = |c: &String| {
                out.get(c)
                    .and_then(|r| r.get("content"))
                    .and_then(Value::as_object)
                    .and_then(|m| m.keys().next())
                    .is_some_and(|mt| mt.contains("json"))
            };
            let mixed =
                with_body.iter().any(|(c, _)| json(c)) && with_body.iter().any(|(c, _)| !json(c));
            if mixed || distinct_bodies.len() > 1 {
                for (c, _) in &with_body {
                    let Some(r) = out.get_mut(c) else { continue };
                    if mixed {
                        r["content"] = serde_json::json!({"application/octet-stream":
                            {"schema": {"type": "string", "format": "binary"}}});
                    } else if let Some(Value::Object(content)) = r.get_mut("content") {
                        for media in content.values_mut() {
                            media["schema"] = Value::Object(Map::new());
                        }
                    }
                }
                let codes: Vec<&str> = with_body.iter().map(|(c, _)| c.as_str()).collect();
                let reading = if mixed {
                    ", not all JSON; each is read as raw bytes"
                } else {
                    "; each is read as untyped JSON"
                };
                self.change(
                    "response",
                    at,
                    format!(
                        "success responses {} have different bodies{reading}",
                        crate::suggest::list(&codes)
                    ),
                );
            }
            let empty: Vec<String> = success
                .iter()
                .filter(|(_, s)| s.is_none())
                .map(|(c, _)| c.clone())
                .collect();
            for c in &empty {
                out.remove(c);
            }
            if !empty.is_empty() {
                self.change("response", at, format!("success responses without a body ({}) are dropped beside those with one; such a status is reported as unexpected", crate::suggest::list(&empty.iter().map(String::as_str).collect::<Vec<_>>())));
            }
        }
        // One error type.
        let errors: Vec<(String, Option<Value>)> = out
            .iter()
            .filter(|(c, _)| !is_success(c))
            .map(|(c, r)| (c.clone(), body_of(r)))
            .collect();
        let kinds: BTreeSet<String> = errors
            .iter()
            .map(|(_, s)| s.as_ref().map_or("none".into(), Value::to_string))
            .collect();
        if kinds.len() > 1 {
            for (c, _) in &errors {
                if let Some(r) = out.get_mut(c) {
                    r["content"] = serde_json::json!({"application/json": {"schema": {}}});
                }
            }
            self.change(
                "response",
                at,
                format!(
                    "error responses {} have different bodies; each is read as untyped JSON",
                    crate::suggest::list(
                        &errors.iter().map(|(c, _)| c.as_str()).collect::<Vec<_>>()
                    )
                ),
            );
        }
        Value::Object(out)
    }

    /// Copies into the pruned document every component it reaches, replacing references to
    /// components that do not exist.
    fn components_reached(&mut self, doc: &mut Value) -> Map<String, Value> {
        let mut comps: BTreeMap<String, Map<String, Value>> = BTreeMap::new();
        let mut todo: Vec<(String, String)> = Vec::new();
        let mut dangling: BTreeMap<String, (String, usize)> = BTreeMap::new();
        self.scan(doc, "", &mut todo, &mut dangling);
        if let Some(Value::Object(schemes)) = self
            .raw
            .get("components")
            .and_then(|c| c.get("securitySchemes"))
        {
            comps.insert("securitySchemes".into(), schemes.clone());
        }
        while let Some((kind, name)) = todo.pop() {
            if comps.get(&kind).is_some_and(|m| m.contains_key(&name)) {
                continue;
            }
            let lifted = self
                .lifted
                .get(&(kind.clone(), name.clone()))
                .and_then(|r| lookup(self.raw, r));
            let Some(mut v) = lifted
                .or_else(|| {
                    self.raw
                        .get("components")
                        .and_then(|c| c.get(&kind))
                        .and_then(|k| k.get(&name))
                })
                .cloned()
            else {
                continue;
            };
            let at = source::child(&source::child("/components", &kind), &name);
            self.scan(&mut v, &at, &mut todo, &mut dangling);
            comps.entry(kind).or_default().insert(name, v);
        }
        for (r, (first, count)) in dangling {
            let more = match count {
                0 | 1 => String::new(),
                2 => " (and 1 other place)".to_string(),
                n => format!(" (and {} other places)", n - 1),
            };
            self.change("dangling-ref", &first, format!("`$ref: {r}` points at nothing; it is read as an open schema (any JSON value){more}"));
        }
        comps
            .into_iter()
            .map(|(k, v)| {
                let sorted: BTreeMap<String, Value> = v.into_iter().collect();
                (k, Value::Object(sorted.into_iter().collect()))
            })
            .collect()
    }

    /// The component name for a reference into the middle of one (`#/components/schemas/A/properties/b`
    /// becomes `A_b`), reported once.
    /// Lifts the target of `r`, a reference into the middle of a component, into a component
    /// of `kind` of its own; returns its name.
    fn lift(&mut self, r: &str, kind: &str, parts: &[String]) -> String {
        if let Some(((_, name), _)) = self.lifted.iter().find(|(_, from)| *from == r) {
            return name.clone();
        }
        let segments: Vec<&str> = parts[1].split('/').collect();
        let base = format!(
            "{}_{}",
            segments.first().copied().unwrap_or_default(),
            segments.last().copied().unwrap_or_default()
        );
        let exists = |n: &str| {
            self.raw
                .get("components")
                .and_then(|c| c.get(kind))
                .and_then(|k| k.get(n))
                .is_some()
                || self.lifted.contains_key(&(kind.to_string(), n.to_string()))
        };
        let mut name = base.clone();
        let mut k = 2;
        while exists(&name) {
            name = format!("{base}{k}");
            k += 1;
        }
        self.change(
            "structure",
            &format!("/components/{}/{}", parts[0], parts[1]),
            format!("`$ref: {r}` points into another component; what is there is generated as component `{name}` of `components.{kind}`"),
        );
        self.lifted
            .insert((kind.to_string(), name.clone()), r.to_string());
        name
    }

    fn scan(
        &mut self,
        v: &mut Value,
        at: &str,
        todo: &mut Vec<(String, String)>,
        dangling: &mut BTreeMap<String, (String, usize)>,
    ) {
        match v {
            Value::Object(m) => {
                if let Some(Value::String(r)) = m.get("$ref").cloned() {
                    let parts: Vec<String> = r
                        .strip_prefix("#/components/")
                        .map(|rest| {
                            rest.splitn(2, '/')
                                .map(|s| s.replace("~1", "/").replace("~0", "~"))
                                .collect()
                        })
                        .unwrap_or_default();
                    let exists = lookup(self.raw, &r).is_some();
                    if at.ends_with("/schema")
                        && parts.len() == 2
                        && parts[0] == "responses"
                        && !parts[1].contains('/')
                        && exists
                    {
                        // A schema that is a response: the schema of that response's body.
                        let body = lookup(self.raw, &r)
                            .and_then(|resp| resp.get("content")?.as_object()?.values().next())
                            .and_then(|media| media.get("schema"))
                            .cloned()
                            .unwrap_or_else(|| Value::Object(Map::new()));
                        self.change("dangling-ref", at, format!("`$ref: {r}` stands for a schema but names a response; the schema of that response's body is read"));
                        *v = body;
                        self.scan(v, at, todo, dangling);
                        return;
                    }
                    if parts.len() == 2 && exists && parts[1].contains('/') {
                        // A reference into the middle of a component: lifted into its own, a
                        // schema when it points at one (`parameters/id/schema`).
                        let kind = lifted_kind(&parts);
                        let name = self.lift(&r, &kind, &parts);
                        m.insert(
                            "$ref".into(),
                            Value::String(format!(
                                "#/components/{kind}/{}",
                                source::escape_token(&name)
                            )),
                        );
                        m.retain(|k, _| k == "$ref");
                        todo.push((kind, name));
                    } else if parts.len() == 2 && exists {
                        todo.push((parts[0].clone(), parts[1].clone()));
                        if m.len() > 1 {
                            let extra: Vec<String> =
                                m.keys().filter(|k| *k != "$ref").cloned().collect();
                            m.retain(|k, _| k == "$ref");
                            self.change("ref-siblings", at, format!("`$ref` has sibling fields ({}), which OpenAPI 3.0 ignores; they are dropped", extra.join(", ")));
                        }
                    } else {
                        let e = dangling
                            .entry(r.clone())
                            .or_insert((source::child(at, "$ref"), 0));
                        e.1 += 1;
                        m.clear();
                    }
                    return;
                }
                // In a `properties` map, `example`, `examples` and `x-…` are property names.
                let properties = at.ends_with("/properties");
                for (k, child) in m.iter_mut() {
                    let value = k.starts_with("x-") || k == "example" || k == "examples";
                    if value && !properties {
                        continue;
                    }
                    let here = source::child(at, k);
                    self.scan(child, &here, todo, dangling);
                }
            }
            Value::Array(items) => {
                for (i, item) in items.iter_mut().enumerate() {
                    let here = source::index(at, i);
                    self.scan(item, &here, todo, dangling);
                }
            }
            _ => {}
        }
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

/// Renames the component schema whose Rust type name is `type_name`, which the client
/// generator also gives another type it derives: a collision found in its output.
/// Returns the old and new names, or `None` when no component has that name.
pub fn rename_schema_typed(doc: &mut Value, type_name: &str) -> Option<(String, String)> {
    let fold = type_key;
    let schemas = doc.get("components")?.get("schemas")?.as_object()?;
    let key = fold(type_name);
    let old = schemas.keys().find(|n| fold(n) == key)?.clone();
    let taken: BTreeSet<String> = schemas.keys().map(|n| fold(n)).collect();
    let derived = super::typenames::derived(doc);
    let new = (2..)
        .map(|k| format!("{old}{k}"))
        .find(|c| !taken.contains(&fold(c)) && !derived.contains_key(&fold(c)))?;
    rename_schemas(doc, &[(old.clone(), new.clone())].into());
    Some((old, new))
}

/// Reads component schema `name` as untyped JSON (keeping its description), under the name
/// `original` again. Returns whether there was such a component.
pub fn untype_schema(doc: &mut Value, name: &str, original: &str) -> bool {
    let Some(Value::Object(schemas)) = doc.get_mut("components").and_then(|c| c.get_mut("schemas"))
    else {
        return false;
    };
    let Some(Value::Object(schema)) = schemas.get_mut(name) else {
        return false;
    };
    schema.retain(|k, _| k == "description");
    rename_schemas(doc, &[(name.to_string(), original.to_string())].into());
    true
}

/// How the Rust type name of schema `name` compares with others (see `typenames::fold`).
fn type_key(name: &str) -> String {
    super::typenames::fold(&crate::names::ident(name, crate::names::Case::Camel))
}

/// Renames component schemas (old name to new) and every `$ref` to them.
fn rename_schemas(doc: &mut Value, renames: &BTreeMap<String, String>) {
    if let Some(Value::Object(schemas)) =
        doc.get_mut("components").and_then(|c| c.get_mut("schemas"))
    {
        for (old, new) in renames {
            if let Some(v) = schemas.remove(old) {
                schemas.insert(new.clone(), v);
            }
        }
    }
    let map: BTreeMap<String, String> = renames
        .iter()
        .map(|(o, n)| {
            (
                format!("#/components/schemas/{}", source::escape_token(o)),
                format!("#/components/schemas/{}", source::escape_token(n)),
            )
        })
        .collect();
    rewrite_refs(doc, &map);
}
