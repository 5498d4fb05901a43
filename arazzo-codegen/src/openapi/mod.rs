//! OpenAPI descriptions: loading (3.0 as is; 3.1 and 3.2 converted to 3.0.3), bundling of
//! external `$ref`s, and an index of operations for the resolver.

pub mod bundle;
pub mod convert;
pub mod normalise;
pub mod repair;
pub mod schemas;
mod shapes;
pub mod typenames;
pub mod walk;

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::diag::Diagnostic;
use crate::expr::Pointer;
use crate::load::{self, FileId, Files};
use crate::source::{self, SourceFile};

/// The HTTP methods a path item may hold.
pub const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Where a parameter goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ParamIn {
    /// In the path template.
    Path,
    /// In the query string.
    Query,
    /// In a header.
    Header,
    /// In a cookie.
    Cookie,
}

impl ParamIn {
    /// Parses `path`, `query`, `header` or `cookie`.
    pub fn parse(s: &str) -> Option<ParamIn> {
        Some(match s {
            "path" => ParamIn::Path,
            "query" => ParamIn::Query,
            "header" => ParamIn::Header,
            "cookie" => ParamIn::Cookie,
            _ => return None,
        })
    }

    /// The name as written in documents.
    pub fn as_str(self) -> &'static str {
        match self {
            ParamIn::Path => "path",
            ParamIn::Query => "query",
            ParamIn::Header => "header",
            ParamIn::Cookie => "cookie",
        }
    }
}

/// A parameter an operation declares.
#[derive(Clone, Debug)]
pub struct OpParam {
    /// Its name.
    pub name: String,
    /// Where it goes.
    pub location: ParamIn,
    /// Whether the operation requires it.
    pub required: bool,
    /// Its schema, with a top-level reference followed; `None` when given by `content`.
    pub schema: Option<Value>,
}

/// One operation of a description.
#[derive(Clone, Debug)]
pub struct Operation {
    /// The path template, e.g. `/customers/{customerId}`.
    pub path: String,
    /// The method, lower case.
    pub method: String,
    /// The declared operationId.
    pub operation_id: Option<String>,
    /// The JSON pointer of the operation object in the (normalised) document.
    pub pointer: String,
    /// Path-level and operation-level parameters, operation-level winning.
    pub parameters: Vec<OpParam>,
    /// The request body's media types, if it has a body.
    pub request_media_types: Vec<String>,
}

impl Operation {
    /// `METHOD /path`, for messages.
    pub fn label(&self) -> String {
        format!("{} {}", self.method.to_uppercase(), self.path)
    }
}

/// A loaded OpenAPI description.
#[derive(Debug)]
pub struct OpenApiDoc {
    /// The file it was read from.
    pub file: FileId,
    /// The document, normalised to 3.0 and bundled.
    pub raw: Value,
    /// The typed document.
    pub api: openapiv3::OpenAPI,
    /// Its operations, in document order.
    pub operations: Vec<Operation>,
    /// The version it was written in.
    pub original_version: String,
}

/// What loading a description produced.
pub struct Loaded {
    /// The document, if it loaded.
    pub doc: Option<OpenApiDoc>,
    /// Errors, warnings and notes.
    pub diagnostics: Vec<Diagnostic>,
    /// Every file read.
    pub inputs: Vec<PathBuf>,
}

/// Loads an OpenAPI description from `path`, shown as `display`.
pub fn load(path: &Path, display: &str, files: &mut Files, max_bytes: u64) -> Loaded {
    let mut out = Loaded {
        doc: None,
        diagnostics: Vec::new(),
        inputs: vec![path.to_path_buf()],
    };
    let text = match load::read_text(path, display, max_bytes) {
        Ok(t) => t,
        Err(d) => {
            out.diagnostics.push(d);
            return out;
        }
    };
    let file = files.add(SourceFile::new(display.to_string(), text));
    let mut raw = match load::parse_value(files.get(file)) {
        Ok(v) => v,
        Err(d) => {
            out.diagnostics.push(d);
            return out;
        }
    };
    let version = match (raw.get("openapi"), raw.get("swagger")) {
        (Some(Value::String(v)), _) => v.clone(),
        (_, Some(_)) => {
            out.diagnostics.push(
                Diagnostic::error(format!(
                    "`{display}` is Swagger 2.0, which is not supported"
                ))
                .at(files.key_loc(file, "/swagger"))
                .help("convert it to OpenAPI 3.0 (for example with swagger2openapi)"),
            );
            return out;
        }
        (Some(_), _) => {
            out.diagnostics.push(
                Diagnostic::error("the `openapi` version must be a string such as \"3.0.3\"")
                    .at(files.loc(file, "/openapi")),
            );
            return out;
        }
        (None, None) => {
            out.diagnostics.push(
                Diagnostic::error(format!(
                    "`{display}` is not an OpenAPI description: it has no `openapi` field"
                ))
                .at(files.loc(file, "")),
            );
            return out;
        }
    };
    if version.starts_with("3.1.") || version.starts_with("3.2.") {
        let changes = convert::to_30(&mut raw);
        let d = if version.starts_with("3.2.") {
            Diagnostic::warning(format!(
                "OpenAPI {version} is read as 3.1 and converted to 3.0.3; features new in 3.2 are not used"
            )).kind("openapi-version")
        } else {
            Diagnostic::note(format!("OpenAPI {version} converted to 3.0.3"))
                .kind("openapi-version")
        };
        out.diagnostics.push(
            d.at(files.loc(file, "/openapi"))
                .with_note(changes.summary()),
        );
    } else if !version.starts_with("3.0.") {
        out.diagnostics.push(
            Diagnostic::error(format!("OpenAPI version `{version}` is not supported"))
                .at(files.loc(file, "/openapi"))
                .help(
                    "versions 3.0.x are read as they are; 3.1.x and 3.2.x are converted to 3.0.3",
                ),
        );
        return out;
    }
    let bundled = bundle::bundle(&mut raw, path, file, files, max_bytes);
    let failed = bundled
        .diagnostics
        .iter()
        .any(|d| d.severity == crate::diag::Severity::Error);
    out.diagnostics.extend(bundled.diagnostics);
    out.inputs.extend(bundled.inputs);
    if failed {
        return out;
    }
    for r in repair::structural(&mut raw) {
        out.diagnostics.push(
            Diagnostic::warning(r.message)
                .kind("structure")
                .at(files.key_loc(file, &r.pointer)),
        );
    }
    let api = match load::typed::<openapiv3::OpenAPI>(
        files.get(file),
        raw.clone(),
        "the OpenAPI description",
    ) {
        Ok(api) => api,
        Err(d) => {
            // The typed model buffers untagged enums, which hides the failing node; find it.
            let d = match locate_failure(&raw) {
                Some((at, msg)) => Diagnostic::error(format!(
                    "the OpenAPI description is malformed at `{at}`: {msg}"
                ))
                .at(files.loc(file, &at)),
                None => d,
            };
            out.diagnostics.push(d);
            return out;
        }
    };
    let operations = index_operations(&raw);
    out.doc = Some(OpenApiDoc {
        file,
        raw,
        api,
        operations,
        original_version: version,
    });
    out
}

/// The node a local `$ref` (`#/…`, a URI fragment: percent-encoded, then `~0`/`~1`) points
/// at, if any.
pub fn local_ref<'v>(doc: &'v Value, r: &str) -> Option<&'v Value> {
    let ptr = Pointer::parse_uri_fragment(r.strip_prefix('#')?).ok()?;
    bundle::lookup(doc, &ptr)
}

/// Follows a local `$ref` (`#/…`) chain, at most a few levels deep.
pub fn deref<'v>(doc: &'v Value, mut v: &'v Value) -> &'v Value {
    for _ in 0..16 {
        match v
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| local_ref(doc, r))
        {
            Some(t) => v = t,
            None => return v,
        }
    }
    v
}

fn params_of(doc: &Value, list: Option<&Value>) -> Vec<OpParam> {
    let Some(Value::Array(items)) = list else {
        return Vec::new();
    };
    items
        .iter()
        .filter_map(|p| {
            let p = deref(doc, p);
            let name = p.get("name")?.as_str()?.to_string();
            let location = ParamIn::parse(p.get("in")?.as_str()?)?;
            // OpenAPI: header parameters with these names "SHALL be ignored"; the media types
            // and the security schemes govern them.
            if location == ParamIn::Header
                && ["accept", "content-type", "authorization"]
                    .contains(&name.to_ascii_lowercase().as_str())
            {
                return None;
            }
            let required = p.get("required").and_then(Value::as_bool).unwrap_or(false)
                || location == ParamIn::Path;
            let schema = p.get("schema").map(|s| deref(doc, s).clone());
            Some(OpParam {
                name,
                location,
                required,
                schema,
            })
        })
        .collect()
}

fn index_operations(doc: &Value) -> Vec<Operation> {
    let mut out = Vec::new();
    let Some(Value::Object(paths)) = doc.get("paths") else {
        return out;
    };
    for (path, item) in paths {
        let item = deref(doc, item);
        let shared = params_of(doc, item.get("parameters"));
        for method in METHODS {
            let Some(op) = item.get(*method) else {
                continue;
            };
            let mut parameters = params_of(doc, op.get("parameters"));
            for s in &shared {
                if !parameters
                    .iter()
                    .any(|p| p.name == s.name && p.location == s.location)
                {
                    parameters.push(s.clone());
                }
            }
            let request_media_types = op
                .get("requestBody")
                .map(|b| deref(doc, b))
                .and_then(|b| b.get("content"))
                .and_then(Value::as_object)
                .map(|c| c.keys().cloned().collect())
                .unwrap_or_default();
            out.push(Operation {
                path: path.clone(),
                method: (*method).to_string(),
                operation_id: op
                    .get("operationId")
                    .and_then(Value::as_str)
                    .map(str::to_string),
                pointer: source::child(&source::child("/paths", path), method),
                parameters,
                request_media_types,
            });
        }
    }
    out
}

fn fails<T: serde::de::DeserializeOwned>(v: &Value) -> Option<String> {
    serde_json::from_value::<T>(v.clone())
        .err()
        .map(|e| e.to_string())
}

/// The deepest node of a schema that does not deserialise, and why.
fn schema_failure(v: &Value, at: &str) -> Option<(String, String)> {
    let msg = fails::<openapiv3::ReferenceOr<openapiv3::Schema>>(v)?;
    let mut children: Vec<(String, &Value)> = Vec::new();
    if let Some(Value::Object(props)) = v.get("properties") {
        for (k, p) in props {
            children.push((source::child(&source::child(at, "properties"), k), p));
        }
    }
    for key in ["items", "additionalProperties", "not"] {
        if let Some(c @ Value::Object(_)) = v.get(key) {
            children.push((source::child(at, key), c));
        }
    }
    for key in ["allOf", "anyOf", "oneOf"] {
        if let Some(Value::Array(items)) = v.get(key) {
            for (i, c) in items.iter().enumerate() {
                children.push((source::index(&source::child(at, key), i), c));
            }
        }
    }
    children
        .into_iter()
        .find_map(|(p, c)| schema_failure(c, &p))
        .or_else(|| Some((at.to_string(), msg)))
}

/// The deepest failing node under an object that holds schemas in `schema` and `content`.
fn holder_failure<T: serde::de::DeserializeOwned>(v: &Value, at: &str) -> Option<(String, String)> {
    let msg = fails::<openapiv3::ReferenceOr<T>>(v)?;
    let mut found = v
        .get("schema")
        .and_then(|s| schema_failure(s, &source::child(at, "schema")));
    if let Some(Value::Object(content)) = v.get("content") {
        for (mt, m) in content {
            let here = source::child(&source::child(at, "content"), mt);
            found = found.or_else(|| {
                m.get("schema")
                    .and_then(|s| schema_failure(s, &source::child(&here, "schema")))
            });
        }
    }
    found.or_else(|| Some((at.to_string(), msg)))
}

fn list_failure<T: serde::de::DeserializeOwned>(
    v: &Value,
    key: &str,
    at: &str,
) -> Option<(String, String)> {
    v.get(key).and_then(Value::as_array).and_then(|items| {
        items
            .iter()
            .enumerate()
            .find_map(|(i, p)| holder_failure::<T>(p, &source::index(&source::child(at, key), i)))
    })
}

fn operation_failure(op: &Value, at: &str) -> Option<(String, String)> {
    let msg = fails::<openapiv3::Operation>(op)?;
    list_failure::<openapiv3::Parameter>(op, "parameters", at)
        .or_else(|| {
            op.get("requestBody").and_then(|b| {
                holder_failure::<openapiv3::RequestBody>(b, &source::child(at, "requestBody"))
            })
        })
        .or_else(|| {
            op.get("responses")
                .and_then(Value::as_object)
                .and_then(|rs| {
                    rs.iter().find_map(|(code, r)| {
                        holder_failure::<openapiv3::Response>(
                            r,
                            &source::child(&source::child(at, "responses"), code),
                        )
                    })
                })
        })
        .or_else(|| Some((at.to_string(), msg)))
}

/// Where a document that the typed model rejects goes wrong, as precisely as can be found.
fn locate_failure(raw: &Value) -> Option<(String, String)> {
    if let Some(Value::Object(paths)) = raw.get("paths") {
        for (path, item) in paths {
            let pat = source::child("/paths", path);
            let Some(msg) = fails::<openapiv3::ReferenceOr<openapiv3::PathItem>>(item) else {
                continue;
            };
            return list_failure::<openapiv3::Parameter>(item, "parameters", &pat)
                .or_else(|| {
                    METHODS
                        .iter()
                        .find_map(|m| operation_failure(item.get(*m)?, &source::child(&pat, m)))
                })
                .or(Some((pat, msg)));
        }
    }
    let comps = raw.get("components")?;
    if let Some(Value::Object(schemas)) = comps.get("schemas") {
        for (name, s) in schemas {
            if let Some(f) = schema_failure(s, &source::child("/components/schemas", name)) {
                return Some(f);
            }
        }
    }
    None
}
