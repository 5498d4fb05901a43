//! Which fields each Arazzo object defines, so that an unknown field is reported (as a
//! warning, with the closest known name) instead of silently ignored.

use serde_json::Value;

use crate::diag::Diagnostic;
use crate::load::{FileId, Files};
use crate::model::Version;
use crate::source;
use crate::suggest;

#[derive(Clone, Copy, PartialEq, Eq)]
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

/// The fields Arazzo 1.1 added to each object.
const ADDED_IN_1_1: &[(Kind, &str, Shape)] = &[
    (Kind::Document, "$self", Shape::Leaf),
    (Kind::Step, "channelPath", Shape::Leaf),
    (Kind::Step, "action", Shape::Leaf),
    (Kind::Step, "correlationId", Shape::Leaf),
    (Kind::Step, "timeout", Shape::Leaf),
    (Kind::Step, "dependsOn", Shape::Leaf),
    (
        Kind::Replacement,
        "targetSelectorType",
        Shape::NameOr(Kind::CriterionType),
    ),
    (Kind::Action, "parameters", Shape::List(Kind::Parameter)),
];

/// The fields an object of `kind` has in a document of `version`.
fn known(kind: Kind, version: Version) -> (&'static str, Vec<(&'static str, Shape)>) {
    let (what, base) = fields(kind);
    let mut all = base.to_vec();
    if version >= Version::V1_1 {
        all.extend(
            ADDED_IN_1_1
                .iter()
                .filter(|(k, ..)| *k == kind)
                .map(|(_, name, shape)| (*name, *shape)),
        );
    }
    (what, all)
}

/// Warns about every field of the document that its Arazzo version does not define and that
/// is not an `x-` extension.
pub fn unknown_fields(
    files: &Files,
    file: FileId,
    root: &Value,
    version: Version,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut walker = Walker {
        files,
        file,
        version,
        out: &mut out,
    };
    walker.walk(root, "", Kind::Document);
    out
}

/// Takes the fields Arazzo 1.1 added out of a 1.0 document, so that the model reads the
/// document as it did before 1.1 (they are unknown fields there: warned about, then ignored).
pub fn strip_1_1_fields(root: &mut Value) {
    strip(root, Kind::Document);
}

fn strip(v: &mut Value, kind: Kind) {
    let Value::Object(map) = v else { return };
    for (k, name, _) in ADDED_IN_1_1 {
        if *k == kind {
            map.remove(*name);
        }
    }
    let (_, base) = fields(kind);
    for (name, shape) in base {
        let Some(child) = map.get_mut(*name) else {
            continue;
        };
        match (shape, child) {
            (Shape::Obj(k) | Shape::NameOr(k), v @ Value::Object(_)) => strip(v, *k),
            (Shape::List(k), Value::Array(items)) => items.iter_mut().for_each(|i| strip(i, *k)),
            (Shape::Map(k), Value::Object(m)) => m.values_mut().for_each(|i| strip(i, *k)),
            _ => {}
        }
    }
}

struct Walker<'a> {
    files: &'a Files,
    file: FileId,
    version: Version,
    out: &'a mut Vec<Diagnostic>,
}

impl Walker<'_> {
    fn walk(&mut self, v: &Value, at: &str, kind: Kind) {
        let Value::Object(map) = v else { return };
        let (what, known) = known(kind, self.version);
        for (key, child) in map {
            let here = source::child(at, key);
            if key.starts_with("x-") {
                continue;
            }
            match known.iter().find(|(k, _)| k == key) {
                Some((_, shape)) => self.visit(child, &here, *shape),
                None => self.unknown(kind, what, &known, key, &here),
            }
        }
    }

    fn unknown(&mut self, kind: Kind, what: &str, known: &[(&str, Shape)], key: &str, here: &str) {
        let names: Vec<&str> = known.iter().map(|(k, _)| *k).collect();
        let mut d = Diagnostic::warning(format!("`{key}` is not a field of {what}; it is ignored"))
            .kind("unknown-field")
            .at(self.files.key_loc(self.file, here));
        let added = ADDED_IN_1_1
            .iter()
            .any(|(k, name, _)| *k == kind && *name == key);
        d = if self.version < Version::V1_1 && added {
            d.help("Arazzo 1.1 added it; this document says it is 1.0 (`arazzo: 1.1.0` reads it)")
        } else {
            match suggest::closest(key, &names) {
                Some(c) => d.help(format!("did you mean `{c}`?")),
                None => d.help(format!(
                    "the fields are {}; extensions start with `x-`",
                    names
                        .iter()
                        .map(|n| format!("`{n}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )),
            }
        };
        self.out.push(d);
    }

    fn visit(&mut self, v: &Value, at: &str, shape: Shape) {
        match (shape, v) {
            (Shape::Obj(k) | Shape::NameOr(k), Value::Object(_)) => self.walk(v, at, k),
            (Shape::List(k), Value::Array(items)) => {
                for (i, item) in items.iter().enumerate() {
                    self.walk(item, &source::index(at, i), k);
                }
            }
            (Shape::Map(k), Value::Object(m)) => {
                for (name, item) in m {
                    self.walk(item, &source::child(at, name), k);
                }
            }
            _ => {}
        }
    }
}
