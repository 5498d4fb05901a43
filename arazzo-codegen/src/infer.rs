//! Types of outputs: each step and workflow output's runtime expression is followed into the
//! schema it reads (an operation's response, the workflow's inputs, another output) to a Rust
//! type, and whether a value is always there.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::diag::{Diagnostic, Diagnostics};
use crate::expr::{self, Expr, MessagePart, Named, Pointer, ValueText};
use crate::openapi::{self, OpenApiDoc};
use crate::resolve::{Target, WorkflowIr};
use crate::source::{child, index};
use crate::workspace::Workspace;

/// The type of a value, as far as its schema says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ValueType {
    /// A string.
    String,
    /// An integer.
    Integer,
    /// A number.
    Number,
    /// A boolean.
    Boolean,
    /// An array of one type.
    Array(Box<ValueType>),
    /// Any JSON value; the reason says why nothing narrower is known.
    Json(String),
}

impl ValueType {
    /// The Rust type, fully qualified.
    pub fn rust(&self) -> String {
        match self {
            ValueType::String => "::std::string::String".into(),
            ValueType::Integer => "i64".into(),
            ValueType::Number => "f64".into(),
            ValueType::Boolean => "bool".into(),
            ValueType::Array(t) => format!("::std::vec::Vec<{}>", t.rust()),
            ValueType::Json(_) => "::serde_json::Value".into(),
        }
    }
}

/// What is known of an output.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Typed {
    /// Its type.
    pub ty: ValueType,
    /// Whether the value is always present (and not null) when the step succeeds.
    pub required: bool,
}

impl Typed {
    fn json(reason: impl Into<String>) -> Self {
        Typed {
            ty: ValueType::Json(reason.into()),
            required: false,
        }
    }

    /// The Rust type of the field: the type, or an `Option` of it.
    pub fn rust(&self) -> String {
        if self.required {
            self.ty.rust()
        } else {
            format!("::std::option::Option<{}>", self.ty.rust())
        }
    }
}

/// The types of one workflow's outputs.
#[derive(Clone, Debug, Default)]
pub struct WorkflowTypes {
    /// Step id to output name to type.
    pub steps: BTreeMap<String, BTreeMap<String, Typed>>,
    /// Workflow output name to type.
    pub outputs: BTreeMap<String, Typed>,
    /// The outputs of the workflows that run before it (`$workflows.<id>.outputs.<name>`), by id.
    pub depends: BTreeMap<String, BTreeMap<String, Typed>>,
}

/// The types of every workflow, by its document (an index into [`Workspace::arazzo`]) and id.
pub type Types = BTreeMap<(usize, String), WorkflowTypes>;

/// Infers the output types of every workflow of every loaded document; a workflow that calls
/// another (a `workflowId` step, `dependsOn`) is typed after it, so the called workflow's output
/// types carry over. Outputs whose schema gives no type are `serde_json::Value`, with a note
/// saying why.
pub fn infer(ws: &Workspace, workflows: &[WorkflowIr], diags: &mut Diagnostics) -> Types {
    let mut cx = Inferrer {
        ws,
        workflows,
        done: Types::new(),
        busy: Vec::new(),
    };
    for (di, d) in ws.arazzo.iter().enumerate() {
        for wi in 0..d.doc.workflows.len() {
            cx.workflow(di, wi, diags);
        }
    }
    cx.done
}

struct Inferrer<'a> {
    ws: &'a Workspace,
    workflows: &'a [WorkflowIr],
    done: Types,
    /// The workflows being typed (a call back into one of them is typed as JSON).
    busy: Vec<(usize, usize)>,
}

impl Inferrer<'_> {
    /// The output types of workflow `wi` of document `di`, typed on first use; what is found
    /// is recorded against that workflow.
    fn workflow(
        &mut self,
        di: usize,
        wi: usize,
        diags: &mut Diagnostics,
    ) -> Option<BTreeMap<String, Typed>> {
        let outer = diags.set_scope(Some((di, wi)));
        let types = self.workflow_types(di, wi, diags);
        diags.set_scope(outer);
        types
    }

    fn workflow_types(
        &mut self,
        di: usize,
        wi: usize,
        diags: &mut Diagnostics,
    ) -> Option<BTreeMap<String, Typed>> {
        let ws = self.ws;
        let d = ws.arazzo.get(di)?;
        let wf = d.doc.workflows.get(wi)?;
        let key = (di, wf.workflow_id.clone());
        if let Some(t) = self.done.get(&key) {
            return Some(t.outputs.clone());
        }
        if self.busy.contains(&(di, wi)) {
            return None;
        }
        let ir = crate::resolve::workflow_ir(self.workflows, di, wi).filter(|w| !w.skipped)?;
        self.busy.push((di, wi));
        let at = index("/workflows", wi);
        let v11 = d.doc.version() >= crate::model::Version::V1_1;
        let mut types = WorkflowTypes::default();
        for &dep in &ir.depends_on {
            if let Some(outputs) = self.workflow(di, dep, diags) {
                let id = d.doc.workflows[dep].workflow_id.clone();
                types.depends.insert(id, outputs);
            }
        }
        for (si, step) in wf.steps.iter().enumerate() {
            let target = ir.steps.get(si).map(|s| &s.target);
            let called = match target {
                Some(Target::Workflow { doc, workflow }) => self.workflow(*doc, *workflow, diags),
                _ => None,
            };
            let mut outs = BTreeMap::new();
            for (name, v) in &step.outputs {
                let oat = child(&child(&index(&child(&at, "steps"), si), "outputs"), name);
                let cx = Context {
                    inputs: wf.inputs.as_ref(),
                    known: &types,
                    target,
                    called: called.as_ref(),
                };
                // A 1.1 Selector Object is typed as the expression resolution read it as.
                let selected = ir
                    .steps
                    .get(si)
                    .and_then(|s| s.outputs.iter().find(|o| &o.name == name));
                // 1.1: a read into a step output that holds a response body is typed from
                // the response schema (an `Option`: the value may be missing).
                let through = selected
                    .filter(|o| o.query.is_none() && v11)
                    .and_then(|o| o.expr.as_ref())
                    .and_then(|e| through_step_output(ws, ir, wf, e));
                let t = through.unwrap_or_else(|| match (v.as_str(), selected) {
                    (Some(s), _) => of_text(ws, &cx, s),
                    // The list of what a JSONPath query selects: always there, maybe empty.
                    (None, Some(o)) if o.query.is_some() => Typed {
                        ty: ValueType::Json("the list of what a JSONPath selector selects".into()),
                        required: true,
                    },
                    (None, Some(o)) => match &o.expr {
                        Some(e) => of_expr(ws, &cx, e),
                        None => Typed::json("the output is not an expression"),
                    },
                    (None, None) => Typed::json("the output is not an expression"),
                });
                note_untyped(ws, d.file, &oat, name, &t, diags);
                outs.insert(name.clone(), t);
            }
            types.steps.insert(step.step_id.clone(), outs);
        }
        for (name, v) in &wf.outputs {
            let oat = child(&child(&at, "outputs"), name);
            let cx = Context::request(wf.inputs.as_ref(), &types);
            let selected = ir
                .outputs
                .iter()
                .find(|o| &o.name == name)
                .and_then(|o| o.expr.as_ref());
            // 1.1: as a step output's.
            let through = selected
                .filter(|_| v11)
                .and_then(|e| through_step_output(ws, ir, wf, e));
            let t = through.unwrap_or_else(|| match (v.as_str(), selected) {
                (Some(s), _) => of_text(ws, &cx, s),
                (None, Some(e)) => of_expr(ws, &cx, e),
                (None, None) => Typed::json("the output is not an expression"),
            });
            note_untyped(ws, d.file, &oat, name, &t, diags);
            types.outputs.insert(name.clone(), t);
        }
        self.busy.retain(|b| *b != (di, wi));
        let outputs = types.outputs.clone();
        self.done.insert(key, types);
        Some(outputs)
    }
}

/// The type of `$steps.<step>.outputs.<output>#/pointer` where that output is the response
/// body (or a part of it) of an operation: the schema's type at the whole pointer, optional;
/// `None` when it is not such a read or the schema gives no type.
fn through_step_output(
    ws: &Workspace,
    ir: &crate::resolve::WorkflowIr,
    wf: &crate::model::Workflow,
    e: &Expr,
) -> Option<Typed> {
    let Expr::Steps(n) = e else { return None };
    let pointer = n.pointer.as_ref().filter(|p| !p.is_root())?;
    let (step, output) = n.step_output(|_, _| false)?;
    let si = wf.steps.iter().position(|s| s.step_id == step)?;
    let s = ir.steps.get(si)?;
    let o = s
        .outputs
        .iter()
        .find(|o| o.name == output && o.query.is_none())?;
    let Some(Expr::Response(MessagePart::Body(base))) = &o.expr else {
        return None;
    };
    let mut tokens = base.as_ref().map(|p| p.0.clone()).unwrap_or_default();
    tokens.extend(pointer.0.iter().cloned());
    let cx = Context {
        inputs: None,
        known: &WorkflowTypes::default(),
        target: Some(&s.target),
        called: None,
    };
    let whole = Expr::Response(MessagePart::Body(Some(Pointer(tokens))));
    let t = of_expr(ws, &cx, &whole);
    (!matches!(t.ty, ValueType::Json(_))).then_some(Typed {
        required: false,
        ..t
    })
}

/// What an expression is typed against.
struct Context<'c> {
    /// The workflow's inputs schema.
    inputs: Option<&'c Value>,
    /// The types known so far: earlier steps' outputs and the workflows run before.
    known: &'c WorkflowTypes,
    /// What the step calls, for its outputs (`None` elsewhere).
    target: Option<&'c Target>,
    /// For a step that calls a workflow, that workflow's output types (`$outputs.<name>`).
    called: Option<&'c BTreeMap<String, Typed>>,
}

impl<'c> Context<'c> {
    /// The context of a value with no response to read.
    fn request(inputs: Option<&'c Value>, known: &'c WorkflowTypes) -> Self {
        Context {
            inputs,
            known,
            target: None,
            called: None,
        }
    }
}

fn note_untyped(
    ws: &Workspace,
    file: crate::load::FileId,
    at: &str,
    name: &str,
    t: &Typed,
    diags: &mut Diagnostics,
) {
    if let ValueType::Json(reason) = &t.ty {
        diags.push(
            Diagnostic::note(format!(
                "output `{name}` is untyped JSON (`serde_json::Value`): {reason}"
            ))
            .kind("untyped-output")
            .at(ws.files.loc(file, at)),
        );
    }
}

/// The type of a value written as `text` in a request (no response to read): what it reads from
/// the workflow's inputs or the outputs of earlier steps.
pub(crate) fn of_request_value(
    ws: &Workspace,
    inputs: Option<&Value>,
    known: &WorkflowTypes,
    text: &str,
) -> Typed {
    of_text(ws, &Context::request(inputs, known), text)
}

/// The type of a runtime expression fed into a request.
pub(crate) fn of_request_expr(
    ws: &Workspace,
    inputs: Option<&Value>,
    known: &WorkflowTypes,
    e: &Expr,
) -> Typed {
    of_expr(ws, &Context::request(inputs, known), e)
}

/// The type of an output written as `text`.
fn of_text(ws: &Workspace, cx: &Context<'_>, text: &str) -> Typed {
    match expr::classify(text, false) {
        Ok(ValueText::Expr(e)) => of_expr(ws, cx, &e),
        Ok(ValueText::Template(_) | ValueText::Literal) => Typed {
            ty: ValueType::String,
            required: true,
        },
        Err(_) => match expr::repair(text).and_then(|t| expr::parse(&t).ok()) {
            Some(e) => of_expr(ws, cx, &e),
            None => Typed::json("the expression does not parse"),
        },
    }
}

fn of_expr(ws: &Workspace, cx: &Context<'_>, e: &Expr) -> Typed {
    let (inputs, known, target) = (cx.inputs, cx.known, cx.target);
    let text = |ty| Typed { ty, required: true };
    match e {
        Expr::StatusCode => text(ValueType::Integer),
        Expr::Url | Expr::Method | Expr::SelfUri | Expr::SourceDescriptions(_) => {
            text(ValueType::String)
        }
        Expr::Response(MessagePart::Body(ptr)) | Expr::Request(MessagePart::Body(ptr)) => {
            let response = matches!(e, Expr::Response(_));
            let Some(Target::Operation {
                openapi, operation, ..
            }) = target
            else {
                return Typed::json("it does not read the response of an operation");
            };
            let doc = &ws.openapi[*openapi];
            let op = &doc.operations[*operation];
            let schema = if response {
                response_schema(doc, &op.pointer)
            } else {
                request_schema(doc, &op.pointer)
            };
            match schema {
                Some(s) => walk(doc, s, ptr.as_ref().map_or(&[][..], |p| &p.0[..]), true),
                None => Typed::json(format!(
                    "{} declares no JSON {} body",
                    op.label(),
                    if response {
                        "success response"
                    } else {
                        "request"
                    }
                )),
            }
        }
        Expr::Response(MessagePart::Header(_)) | Expr::Request(_) => Typed {
            ty: ValueType::String,
            required: false,
        },
        Expr::Inputs(Named { name, pointer }) => {
            let Some(schema) = inputs
                .and_then(|i| i.get("properties"))
                .and_then(|p| p.get(name))
            else {
                return Typed::json(format!("the inputs schema does not describe `{name}`"));
            };
            let required = inputs
                .and_then(|i| i.get("required"))
                .and_then(Value::as_array)
                .is_some_and(|r| r.iter().any(|v| v == name));
            let mut t = walk_plain(schema, pointer.as_ref().map_or(&[][..], |p| &p.0[..]));
            t.required &= required;
            t
        }
        Expr::Steps(n) => {
            // `<step>.outputs.<output>`, or the `<step>.<output>` dialect the checker repairs.
            let named = n.step_output(|step, output| {
                known
                    .steps
                    .get(step)
                    .is_some_and(|o| o.contains_key(output))
            });
            let Some((step, output)) = named else {
                return Typed::json("it does not name a step output");
            };
            match known.steps.get(step).and_then(|o| o.get(output)) {
                Some(t) if n.pointer.as_ref().is_none_or(Pointer::is_root) => t.clone(),
                Some(_) => Typed::json("it reads into a step output with a JSON pointer"),
                None => Typed::json(format!("the type of `{step}.{output}` is not known here")),
            }
        }
        Expr::Outputs(Named { name, pointer }) => match cx.called.and_then(|o| o.get(name)) {
            Some(t) if pointer.as_ref().is_none_or(Pointer::is_root) => t.clone(),
            Some(_) => Typed::json("it reads into another workflow's output with a JSON pointer"),
            None => Typed::json("the called workflow's output types are not known here"),
        },
        Expr::Workflows(n) => {
            let read = n
                .split_at_field(&["outputs"])
                .and_then(|(id, _, output)| known.depends.get(id)?.get(output));
            match read {
                Some(t) if n.pointer.as_ref().is_none_or(Pointer::is_root) => t.clone(),
                Some(_) => {
                    Typed::json("it reads into another workflow's output with a JSON pointer")
                }
                None => Typed::json("it does not name an output of a workflow run before"),
            }
        }
        _ => Typed::json("its type is not inferred"),
    }
}

/// The JSON schema of the first success response of an operation.
fn response_schema<'d>(doc: &'d OpenApiDoc, op_pointer: &str) -> Option<&'d Value> {
    let op = doc.raw.pointer(op_pointer)?;
    let responses = op.get("responses")?.as_object()?;
    let (_, r) = responses
        .iter()
        .filter(|(c, _)| c.starts_with('2'))
        .min_by(|a, b| a.0.cmp(b.0))?;
    let r = openapi::deref(&doc.raw, r);
    json_schema(doc, r.get("content")?)
}

/// The schema of an operation's request body: the JSON one, else the first media type's.
pub(crate) fn request_schema<'d>(doc: &'d OpenApiDoc, op_pointer: &str) -> Option<&'d Value> {
    let op = doc.raw.pointer(op_pointer)?;
    let body = openapi::deref(&doc.raw, op.get("requestBody")?);
    let content = body.get("content")?;
    json_schema(doc, content).or_else(|| content.as_object()?.values().next()?.get("schema"))
}

fn json_schema<'d>(doc: &'d OpenApiDoc, content: &'d Value) -> Option<&'d Value> {
    let content = content.as_object()?;
    let (_, media) = content
        .iter()
        .find(|(mt, _)| mt.to_ascii_lowercase().contains("json"))?;
    Some(openapi::deref(&doc.raw, media.get("schema")?))
}

/// Follows `tokens` into a schema of `doc`, resolving references and merging `allOf`.
pub(crate) fn walk(doc: &OpenApiDoc, schema: &Value, tokens: &[String], required: bool) -> Typed {
    let schema = openapi::deref(&doc.raw, schema);
    let Some((first, rest)) = tokens.split_first() else {
        return leaf(doc, schema, required);
    };
    let nullable = schema
        .get("nullable")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let mut parts = vec![schema];
    if let Some(Value::Array(all)) = schema.get("allOf") {
        parts.extend(all.iter().map(|s| openapi::deref(&doc.raw, s)));
    }
    for part in &parts {
        if let Some(p) = part.get("properties").and_then(|p| p.get(first)) {
            let listed = parts.iter().any(|q| {
                q.get("required")
                    .and_then(Value::as_array)
                    .is_some_and(|r| r.iter().any(|v| v == first.as_str()))
            });
            return walk(doc, p, rest, required && listed && !nullable);
        }
    }
    if let Some(items) = schema.get("items") {
        if first.parse::<usize>().is_ok() {
            return walk(doc, items, rest, false);
        }
    }
    if let Some(extra @ Value::Object(_)) = schema.get("additionalProperties") {
        return walk(doc, extra, rest, false);
    }
    Typed::json(format!("the schema does not describe `{first}`"))
}

fn leaf(doc: &OpenApiDoc, schema: &Value, required: bool) -> Typed {
    let nullable = schema
        .get("nullable")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let ty = scalar(schema).unwrap_or_else(|| match schema.get("type").and_then(Value::as_str) {
        Some("array") => match schema.get("items") {
            Some(items) => match leaf(doc, openapi::deref(&doc.raw, items), true).ty {
                ValueType::Json(_) => {
                    ValueType::Array(Box::new(ValueType::Json("items of no simple type".into())))
                }
                t => ValueType::Array(Box::new(t)),
            },
            None => ValueType::Array(Box::new(ValueType::Json("items without a schema".into()))),
        },
        Some("object") => ValueType::Json("it is an object".into()),
        _ => ValueType::Json("the schema gives no type".into()),
    });
    Typed {
        ty,
        required: required && !nullable,
    }
}

/// The type of a schema whose `type` is a JSON scalar; `None` for anything else.
pub fn scalar(schema: &Value) -> Option<ValueType> {
    match schema.get("type").and_then(Value::as_str) {
        Some("string") => Some(ValueType::String),
        Some("integer") => Some(ValueType::Integer),
        Some("number") => Some(ValueType::Number),
        Some("boolean") => Some(ValueType::Boolean),
        _ => None,
    }
}

/// The type of input `name` of a workflow whose inputs schema is `inputs`.
pub(crate) fn input_type(inputs: Option<&Value>, name: &str) -> Typed {
    match inputs {
        Some(schema) => walk_plain(schema, &[name.to_string()]),
        None => Typed::json(format!("the workflow declares no input `{name}`")),
    }
}

/// [`walk`] for a schema outside any OpenAPI document (workflow inputs).
fn walk_plain(schema: &Value, tokens: &[String]) -> Typed {
    let Some((first, rest)) = tokens.split_first() else {
        let array = schema.get("type").and_then(Value::as_str) == Some("array");
        let ty = scalar(schema)
            .or_else(|| {
                let items = schema.get("items").filter(|_| array)?;
                Some(ValueType::Array(Box::new(scalar(items)?)))
            })
            .unwrap_or_else(|| ValueType::Json("the inputs schema gives no simple type".into()));
        return Typed { ty, required: true };
    };
    match schema.get("properties").and_then(|p| p.get(first)) {
        Some(p) => {
            let listed = schema
                .get("required")
                .and_then(Value::as_array)
                .is_some_and(|r| r.iter().any(|v| v == first.as_str()));
            let mut t = walk_plain(p, rest);
            t.required &= listed;
            t
        }
        None => Typed::json(format!("the inputs schema does not describe `{first}`")),
    }
}
