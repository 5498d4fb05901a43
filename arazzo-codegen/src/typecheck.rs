//! The build-time type check of what a workflow feeds into its requests: each parameter value
//! and each request-body field that is an expression, a template or a literal is compared with
//! the schema the operation declares for it.
//!
//! A value that converts without loss is converted (a number or boolean fed into a string is
//! sent as its text). A string expression fed into a number or boolean parameter or body member
//! is parsed when the request is built, with a warning; a single value fed into a list is sent
//! as a list of one element, with a warning. A value that cannot convert (an array into a
//! string, a string into an object) is a located error.
//! Where either side's schema gives no type, the value is checked when the request is built.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::diag::{Diagnostic, Diagnostics};
use crate::expr::{self, Expr, ValueText};
use crate::infer::{self, Typed, ValueType, WorkflowTypes};
use crate::load::FileId;
use crate::openapi::{OpenApiDoc, Operation};
use crate::resolve::{ActionKind, Target, WorkflowIr};
use crate::source::{child, index};
use crate::workspace::Workspace;

/// How a request value is converted on its way, by its document (an index into
/// [`Workspace::arazzo`]) and the JSON pointer of the value in it; values not listed go as they
/// are.
/// The values of one workflow to convert, by the JSON pointer of the value in its document.
pub type Conversions = BTreeMap<String, Conversion>;

/// A conversion the emitted code applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Conversion {
    /// Send the value's text (a number or boolean into a string).
    Text,
    /// Parse the string as JSON (a number or boolean) when the request is built.
    Parse,
    /// Send a single value as a list of one element (a string fed into a parameter or field
    /// that takes a list), the element parsed as [`Conversion::Parse`] when `parse` is set.
    Wrap {
        /// Whether the element is parsed (a string into a list of numbers or booleans).
        parse: bool,
    },
}

/// Checks every value fed into a request of every loaded document's workflows; sets on each
/// workflow the values to convert.
pub fn check(ws: &Workspace, workflows: &mut [WorkflowIr], diags: &mut Diagnostics) {
    for ir in workflows.iter_mut().filter(|w| !w.skipped) {
        let outer = diags.set_scope(Some((ir.doc, ir.index)));
        ir.conversions = check_workflow(ws, ir, diags);
        diags.set_scope(outer);
    }
}

/// The values of one workflow to convert.
fn check_workflow(ws: &Workspace, ir: &WorkflowIr, diags: &mut Diagnostics) -> Conversions {
    let mut out = Conversions::new();
    {
        let Some(d) = ws.arazzo.get(ir.doc) else {
            return out;
        };
        let wi = ir.index;
        let Some(wf) = d.doc.workflows.get(wi) else {
            return out;
        };
        let cx = Feeds {
            ws,
            file: d.file,
            inputs: wf.inputs.as_ref(),
            types: &ir.types,
        };
        let wat = index("/workflows", wi);
        // 1.1: what an action's `parameters` give the workflow it runs, against its inputs.
        for step in &ir.steps {
            for action in step.on_success.iter().chain(&step.on_failure) {
                let called = match &action.kind {
                    ActionKind::GotoWorkflow(c) => c,
                    ActionKind::Retry {
                        workflow: Some(c), ..
                    } => c,
                    _ => continue,
                };
                let Some(w) = ws
                    .arazzo
                    .get(called.doc)
                    .and_then(|d| d.doc.workflows.get(called.workflow))
                else {
                    continue;
                };
                for (name, _, at) in &called.inputs {
                    let Some(value) = d.raw.pointer(at) else {
                        continue;
                    };
                    let target = infer::input_type(w.inputs.as_ref(), name);
                    let what = format!("input `{name}` of workflow `{}`", called.id);
                    cx.feed(value, &target, false, at, &what, &mut out, diags);
                }
            }
        }
        for (si, step) in wf.steps.iter().enumerate() {
            let Some(Target::Operation {
                openapi, operation, ..
            }) = ir.steps.get(si).map(|s| &s.target)
            else {
                continue;
            };
            let doc = &ws.openapi[*openapi];
            let op = &doc.operations[*operation];
            for p in ir.steps[si].parameters.iter() {
                let Some(location) = p.location else { continue };
                let Some(schema) = op
                    .parameters
                    .iter()
                    .find(|d| d.name == p.name && d.location == location)
                    .and_then(|d| d.schema.as_ref())
                else {
                    continue;
                };
                let target = infer::walk(doc, schema, &[], true);
                let what = format!(
                    "{} parameter `{}` of {}",
                    location.as_str(),
                    p.name,
                    op.label()
                );
                cx.feed(
                    &p.value,
                    &target,
                    true,
                    &child(&p.at, "value"),
                    &what,
                    &mut out,
                    diags,
                );
            }
            let payload = step.request_body.as_ref().and_then(|b| b.payload.as_ref());
            if let (Some(payload), Some(schema)) =
                (payload, infer::request_schema(doc, &op.pointer))
            {
                let at = child(
                    &child(&index(&child(&wat, "steps"), si), "requestBody"),
                    "payload",
                );
                cx.body(
                    doc,
                    op,
                    schema,
                    payload,
                    &mut Vec::new(),
                    &at,
                    &mut out,
                    diags,
                );
            }
        }
    }
    out
}

struct Feeds<'a> {
    ws: &'a Workspace,
    file: FileId,
    inputs: Option<&'a Value>,
    types: &'a WorkflowTypes,
}

impl Feeds<'_> {
    /// Walks a payload alongside the request body's schema.
    #[allow(clippy::too_many_arguments)]
    fn body(
        &self,
        doc: &OpenApiDoc,
        op: &Operation,
        schema: &Value,
        value: &Value,
        path: &mut Vec<String>,
        at: &str,
        out: &mut Conversions,
        diags: &mut Diagnostics,
    ) {
        match value {
            Value::Object(fields) => {
                for (k, v) in fields {
                    path.push(k.clone());
                    self.body(doc, op, schema, v, path, &child(at, k), out, diags);
                    path.pop();
                }
            }
            Value::Array(items) => {
                for (i, v) in items.iter().enumerate() {
                    path.push(i.to_string());
                    self.body(doc, op, schema, v, path, &index(at, i), out, diags);
                    path.pop();
                }
            }
            leaf => {
                let target = infer::walk(doc, schema, path, true);
                let what = if path.is_empty() {
                    format!("the request body of {}", op.label())
                } else {
                    format!(
                        "field `{}` of the request body of {}",
                        path.join("."),
                        op.label()
                    )
                };
                self.feed(leaf, &target, true, at, &what, out, diags);
            }
        }
    }

    /// Compares one value with the type its destination takes: a request's parameter or body
    /// member when `request` (a string there may be parsed, a single value sent as a list),
    /// else a workflow's input.
    #[allow(clippy::too_many_arguments)]
    fn feed(
        &self,
        value: &Value,
        target: &Typed,
        request: bool,
        at: &str,
        what: &str,
        out: &mut Conversions,
        diags: &mut Diagnostics,
    ) {
        let (source, shown) = match value {
            Value::String(s) => match classify(s) {
                Some(ValueText::Expr(e)) => (
                    infer::of_request_value(self.ws, self.inputs, self.types, s),
                    Some(e),
                ),
                // Templates and literal strings are text.
                _ => (known(ValueType::String), None),
            },
            Value::Number(n) if n.is_i64() || n.is_u64() => (known(ValueType::Integer), None),
            Value::Number(_) => (known(ValueType::Number), None),
            Value::Bool(_) => (known(ValueType::Boolean), None),
            _ => return,
        };
        match convert(&source.ty, &target.ty) {
            Convert::AsIs => {}
            Convert::ToText => {
                out.insert(at.to_string(), Conversion::Text);
            }
            Convert::No
                if request && shown.is_some() && wraps(&source.ty, &target.ty).is_some() =>
            {
                let parse = wraps(&source.ty, &target.ty) == Some(true);
                out.insert(at.to_string(), Conversion::Wrap { parse });
                let written = value.as_str().unwrap_or_default();
                let element = if parse {
                    ", its element parsed when the request is built"
                } else {
                    ""
                };
                diags.push(
                    Diagnostic::warning(format!(
                        "`{written}` is {} but {what} takes {}; it is sent as a list of one element{element}",
                        describe(&source.ty),
                        describe(&target.ty)
                    ))
                    .kind("dialect")
                    .at(self.ws.files.loc(self.file, at))
                    .help(match &shown {
                        Some(Expr::Inputs(n)) => format!(
                            "declare the input `{}` as `type: array` in the inputs schema",
                            n.name
                        ),
                        _ => format!("feed a list: `[{written}]`"),
                    }),
                );
            }
            Convert::No if request && shown.is_some() && source.ty == ValueType::String => {
                // The string may hold the number: parameters are text on the wire, and a
                // body's member is parsed before it is sent.
                if matches!(
                    target.ty,
                    ValueType::Integer | ValueType::Number | ValueType::Boolean
                ) {
                    out.insert(at.to_string(), Conversion::Parse);
                    let mut d = Diagnostic::warning(format!(
                        "`{}` is a string but {what} takes {}; it is parsed when the request is built",
                        value.as_str().unwrap_or_default(),
                        describe(&target.ty)
                    )).kind("string-conversion")
                    .at(self.ws.files.loc(self.file, at))
                    .with_note("a value that does not parse fails the step before the request is sent");
                    if let Some(Expr::Inputs(n)) = &shown {
                        d = d.help(format!(
                            "declare the input `{}` as {} in the inputs schema",
                            n.name,
                            schema_of(&target.ty)
                        ));
                    }
                    diags.push(d);
                } else {
                    self.mismatch(value, &source, target, shown, at, what, diags);
                }
            }
            Convert::No => {
                // A literal string fed into a number is left to the request builder; YAML
                // writers often quote numbers, and the text may parse.
                if shown.is_none() && matches!(value, Value::String(_)) {
                    return;
                }
                self.mismatch(value, &source, target, shown, at, what, diags);
            }
        }
    }

    /// The error for a value that cannot reach its destination.
    #[allow(clippy::too_many_arguments)]
    fn mismatch(
        &self,
        value: &Value,
        source: &Typed,
        target: &Typed,
        shown: Option<Expr>,
        at: &str,
        what: &str,
        diags: &mut Diagnostics,
    ) {
        let written = match value {
            Value::String(s) => format!("`{s}`"),
            other => format!("`{other}`"),
        };
        let mut d = Diagnostic::error(format!(
            "{written} is {} but {what} takes {}",
            describe(&source.ty),
            describe(&target.ty)
        ))
        .at(self.ws.files.loc(self.file, at))
        .with_note("the value cannot be converted; the request could never be built");
        d = match shown {
            Some(Expr::Inputs(n)) => d.help(format!(
                "declare the input `{}` as {} in the inputs schema, or feed another value",
                n.name,
                schema_of(&target.ty)
            )),
            _ => d.help(format!("feed a value that is {}", describe(&target.ty))),
        };
        diags.push(d);
    }
}

fn classify(s: &str) -> Option<ValueText> {
    expr::classify(s, true)
        .ok()
        .or_else(|| expr::repair(s).and_then(|r| expr::classify(&r, true).ok()))
}

fn known(ty: ValueType) -> Typed {
    Typed { ty, required: true }
}

/// How a value of one type reaches a destination of another.
#[derive(Debug, PartialEq, Eq)]
pub enum Convert {
    /// As it is (or checked when the request is built, where a side is untyped).
    AsIs,
    /// As its text: a number or boolean into a string.
    ToText,
    /// Not at all.
    No,
}

/// Whether a single value of type `from` goes into a list of type `to` as its one element:
/// `Some(false)` as it is, `Some(true)` parsed (a string into a list of numbers or booleans),
/// `None` not at all.
fn wraps(from: &ValueType, to: &ValueType) -> Option<bool> {
    use ValueType::*;
    let (scalar, Array(item)) = (from, to) else {
        return None;
    };
    if !matches!(scalar, String | Integer | Number | Boolean) {
        return None;
    }
    match (convert(scalar, item), scalar, &**item) {
        (Convert::AsIs, ..) => Some(false),
        (Convert::No, String, Integer | Number | Boolean) => Some(true),
        _ => None,
    }
}

/// The conversion from `from` to `to`.
pub fn convert(from: &ValueType, to: &ValueType) -> Convert {
    use ValueType::*;
    match (from, to) {
        (Json(_), _) | (_, Json(_)) => Convert::AsIs,
        (a, b) if a == b => Convert::AsIs,
        (Integer, Number) => Convert::AsIs,
        (Integer | Number | Boolean, String) => Convert::ToText,
        (Array(a), Array(b)) => match convert(a, b) {
            Convert::AsIs => Convert::AsIs,
            _ => Convert::No,
        },
        _ => Convert::No,
    }
}

fn describe(t: &ValueType) -> String {
    match t {
        ValueType::String => "a string".into(),
        ValueType::Integer => "an integer".into(),
        ValueType::Number => "a number".into(),
        ValueType::Boolean => "a boolean".into(),
        ValueType::Array(inner) => format!("an array of {}", plural(inner)),
        ValueType::Json(_) => "any JSON".into(),
    }
}

fn plural(t: &ValueType) -> String {
    match t {
        ValueType::String => "strings".into(),
        ValueType::Integer => "integers".into(),
        ValueType::Number => "numbers".into(),
        ValueType::Boolean => "booleans".into(),
        ValueType::Array(inner) => format!("arrays of {}", plural(inner)),
        ValueType::Json(_) => "JSON values".into(),
    }
}

fn schema_of(t: &ValueType) -> String {
    match t {
        ValueType::String => "`type: string`".into(),
        ValueType::Integer => "`type: integer`".into(),
        ValueType::Number => "`type: number`".into(),
        ValueType::Boolean => "`type: boolean`".into(),
        ValueType::Array(_) => "`type: array`".into(),
        ValueType::Json(_) => "an object".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversions() {
        use ValueType::*;
        assert_eq!(convert(&String, &String), Convert::AsIs);
        assert_eq!(convert(&Integer, &Number), Convert::AsIs);
        assert_eq!(convert(&Integer, &String), Convert::ToText);
        assert_eq!(convert(&Boolean, &String), Convert::ToText);
        assert_eq!(convert(&String, &Integer), Convert::No);
        assert_eq!(convert(&Number, &Integer), Convert::No);
        assert_eq!(convert(&Array(Box::new(String)), &String), Convert::No);
        assert_eq!(convert(&Json("?".into()), &Integer), Convert::AsIs);
    }
}
