//! Which fields each Arazzo object defines, so that an unknown field is reported (as a
//! warning, with the closest known name) instead of silently ignored.

use serde_json::Value;

use crate::diag::Diagnostic;
use crate::load::{FileId, Files};
use crate::source;
use crate::suggest;

#[derive(Clone, Copy)]
enum Kind {
    Document,
    Info,
    Source,
    Workflow,
    Step,
    Parameter,
    RequestBody,
    Replacement,
    Criterion,
    CriterionType,
    Action,
    Components,
}

#[derive(Clone, Copy)]
enum Shape {
    Leaf,
    Obj(Kind),
    List(Kind),
    Map(Kind),
    /// A string, or an object of the kind.
    NameOr(Kind),
}

fn fields(kind: Kind) -> (&'static str, &'static [(&'static str, Shape)]) {
    use Shape::*;
    match kind {
        Kind::Document => (
            "the Arazzo document",
            &[
                ("arazzo", Leaf),
                ("info", Obj(Kind::Info)),
                ("sourceDescriptions", List(Kind::Source)),
                ("workflows", List(Kind::Workflow)),
                ("components", Obj(Kind::Components)),
            ],
        ),
        Kind::Info => (
            "the Info object",
            &[
                ("title", Leaf),
                ("summary", Leaf),
                ("description", Leaf),
                ("version", Leaf),
            ],
        ),
        Kind::Source => (
            "a Source Description",
            &[("name", Leaf), ("url", Leaf), ("type", Leaf)],
        ),
        Kind::Workflow => (
            "a Workflow",
            &[
                ("workflowId", Leaf),
                ("summary", Leaf),
                ("description", Leaf),
                ("inputs", Leaf),
                ("dependsOn", Leaf),
                ("steps", List(Kind::Step)),
                ("successActions", List(Kind::Action)),
                ("failureActions", List(Kind::Action)),
                ("outputs", Leaf),
                ("parameters", List(Kind::Parameter)),
            ],
        ),
        Kind::Step => (
            "a Step",
            &[
                ("stepId", Leaf),
                ("description", Leaf),
                ("operationId", Leaf),
                ("operationPath", Leaf),
                ("workflowId", Leaf),
                ("parameters", List(Kind::Parameter)),
                ("requestBody", Obj(Kind::RequestBody)),
                ("successCriteria", List(Kind::Criterion)),
                ("onSuccess", List(Kind::Action)),
                ("onFailure", List(Kind::Action)),
                ("outputs", Leaf),
            ],
        ),
        Kind::Parameter => (
            "a Parameter",
            &[
                ("name", Leaf),
                ("in", Leaf),
                ("value", Leaf),
                ("reference", Leaf),
            ],
        ),
        Kind::RequestBody => (
            "a Request Body",
            &[
                ("contentType", Leaf),
                ("payload", Leaf),
                ("replacements", List(Kind::Replacement)),
            ],
        ),
        Kind::Replacement => (
            "a Payload Replacement",
            &[("target", Leaf), ("value", Leaf)],
        ),
        Kind::Criterion => (
            "a Criterion",
            &[
                ("context", Leaf),
                ("condition", Leaf),
                ("type", NameOr(Kind::CriterionType)),
            ],
        ),
        Kind::CriterionType => (
            "a Criterion Expression Type",
            &[("type", Leaf), ("version", Leaf)],
        ),
        Kind::Action => (
            "an action",
            &[
                ("name", Leaf),
                ("type", Leaf),
                ("workflowId", Leaf),
                ("stepId", Leaf),
                ("retryAfter", Leaf),
                ("retryLimit", Leaf),
                ("criteria", List(Kind::Criterion)),
                ("reference", Leaf),
                ("value", Leaf),
            ],
        ),
        Kind::Components => (
            "the Components object",
            &[
                ("inputs", Leaf),
                ("parameters", Map(Kind::Parameter)),
                ("successActions", Map(Kind::Action)),
                ("failureActions", Map(Kind::Action)),
            ],
        ),
    }
}

/// Warns about every field of the document that Arazzo 1.0.1 does not define and that is not
/// an `x-` extension.
pub fn unknown_fields(files: &Files, file: FileId, root: &Value) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    walk(files, file, root, "", Kind::Document, &mut out);
    out
}

fn walk(files: &Files, file: FileId, v: &Value, at: &str, kind: Kind, out: &mut Vec<Diagnostic>) {
    let Value::Object(map) = v else { return };
    let (what, known) = fields(kind);
    for (key, child) in map {
        let here = source::child(at, key);
        if key.starts_with("x-") {
            continue;
        }
        match known.iter().find(|(k, _)| k == key) {
            Some((_, shape)) => visit(files, file, child, &here, *shape, out),
            None => {
                let names: Vec<&str> = known.iter().map(|(k, _)| *k).collect();
                let mut d =
                    Diagnostic::warning(format!("`{key}` is not a field of {what}; it is ignored"))
                        .kind("unknown-field")
                        .at(files.key_loc(file, &here));
                d = match suggest::closest(key, &names) {
                    Some(c) => d.help(format!("did you mean `{c}`?")),
                    None => d.help(format!(
                        "the fields are {}; extensions start with `x-`",
                        names
                            .iter()
                            .map(|n| format!("`{n}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )),
                };
                out.push(d);
            }
        }
    }
}

fn visit(
    files: &Files,
    file: FileId,
    v: &Value,
    at: &str,
    shape: Shape,
    out: &mut Vec<Diagnostic>,
) {
    match (shape, v) {
        (Shape::Obj(k) | Shape::NameOr(k), Value::Object(_)) => walk(files, file, v, at, k, out),
        (Shape::List(k), Value::Array(items)) => {
            for (i, item) in items.iter().enumerate() {
                walk(files, file, item, &source::index(at, i), k, out);
            }
        }
        (Shape::Map(k), Value::Object(m)) => {
            for (name, item) in m {
                walk(files, file, item, &source::child(at, name), k, out);
            }
        }
        _ => {}
    }
}
