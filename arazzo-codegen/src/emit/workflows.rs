//! One typed `async fn` per workflow: `Inputs` from the inputs schema, `Outputs` typed by
//! [`crate::infer`], each step's request built through the generated client's own builder, its
//! success criteria checked, and its outputs read from the response.
//!
//! A step that calls a workflow (of this document, or of an Arazzo source through its module)
//! passes its parameters as that workflow's inputs and reads its typed outputs. A workflow that
//! needs what is not generated yet is left out with a note saying what.

mod conditions;
mod control;

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::Value;

use super::api::OpApi;
use crate::diag::{Diagnostic, Diagnostics};
use crate::expr::{self, Expr, MessagePart, Segment, ValueText};
use crate::infer::{Typed, ValueType, WorkflowTypes};
use crate::load::FileId;
use crate::model::{Step, Workflow};
use crate::names::{self, Case};
use crate::resolve::{Target, WorkflowIr};
use crate::source::{child, index};
use crate::typecheck::Conversion;
use crate::workspace::Workspace;

/// A client module the workflows can call: its identifier and its operations by pointer.
pub struct ClientRef {
    /// The module (and `Clients` field) identifier.
    pub ident: String,
    /// Operation pointer to its request builder.
    pub ops: BTreeMap<String, OpApi>,
}

/// The generated code of another Arazzo document whose workflows this one's steps call.
pub struct DocRef {
    /// The path from this document's code to that document's module (`m`, or `super::m`).
    pub path: TokenStream,
    /// The field of this document's `Clients` that holds that document's `Clients`.
    pub field: syn::Ident,
    /// The function name of each of its workflows, by index.
    pub functions: Vec<String>,
    /// Its workflows that got no function.
    pub unavailable: BTreeSet<usize>,
    /// The function that also returns the last response's status, of each of its workflows a
    /// caller needs that of, by index.
    pub status_functions: BTreeMap<usize, String>,
}

/// What the workflow functions of one document are generated from.
pub struct Input<'a> {
    /// The loaded documents.
    pub ws: &'a Workspace,
    /// The document (an index into [`Workspace::arazzo`]) whose workflows these are.
    pub doc: usize,
    /// The documents its steps call, by index.
    pub callees: &'a BTreeMap<usize, DocRef>,
    /// The resolved workflows.
    pub workflows: &'a [WorkflowIr],
    /// Inferred output types.
    pub types: &'a crate::infer::Types,
    /// Client modules by source name.
    pub clients: &'a BTreeMap<String, ClientRef>,
    /// How many steps a state-machine workflow may run before it fails.
    pub step_budget: u32,
    /// The idempotency-key header of each source that has one.
    pub idempotency: &'a BTreeMap<String, String>,
    /// Request values to send as their text (see [`crate::typecheck`]).
    pub conversions: &'a crate::typecheck::Conversions,
    /// Identifiers already taken at the top of the file (the client modules).
    pub taken: Vec<String>,
    /// The workflows (document, index) whose callers read the status of their last response
    /// (`$statusCode` on a step that calls them).
    pub status_read: &'a BTreeSet<(usize, usize)>,
    /// How the code names the runtime crate.
    pub runtime: &'a super::Runtime,
}

/// What [`emit`] made of one document.
pub struct Emitted {
    /// The `Clients` struct, the workflow functions and the dispatcher.
    pub tokens: TokenStream,
    /// The function name of each workflow, by index.
    pub functions: Vec<String>,
    /// The workflows that got no function.
    pub unavailable: BTreeSet<usize>,
    /// The functions that also return the last status, by workflow index.
    pub status_functions: BTreeMap<usize, String>,
    /// The crates its code names beyond those every file needs.
    pub needs: super::Needs,
}

/// The `Clients` struct and the workflow functions of one document.
pub fn emit(input: &Input<'_>, diags: &mut Diagnostics) -> Emitted {
    let Some(root) = input.ws.arazzo.get(input.doc) else {
        return Emitted {
            tokens: TokenStream::new(),
            functions: Vec::new(),
            unavailable: BTreeSet::new(),
            status_functions: BTreeMap::new(),
            needs: super::Needs::default(),
        };
    };
    let public = input.runtime.public();
    let fields = input.clients.iter().map(|(source, c)| {
        let f = format_ident!("{}", c.ident.trim_start_matches("r#"));
        let m: syn::Ident = syn::parse_str(&c.ident).unwrap_or_else(|_| format_ident!("unnamed"));
        let doc = format!("The client of source `{source}`.");
        quote! { #[doc = #doc] pub #f: #m::Client, }
    });
    let nested = input.callees.values().map(|c| {
        let (f, path) = (&c.field, &c.path);
        let doc = format!("The clients of the workflows of source `{f}`.");
        quote! { #[doc = #doc] pub #f: #path::Clients, }
    });
    let mut out = quote! {
        /// One client per source the workflows call.
        #[derive(Clone, Debug)]
        pub struct Clients { #(#fields)* #(#nested)* }
        pub use #public::Error;
    };
    let ids: Vec<&str> = root
        .doc
        .workflows
        .iter()
        .map(|w| w.workflow_id.as_str())
        .collect();
    let mut taken = input.taken.clone();
    let mut idents = Vec::new();
    for id in &ids {
        let mut ident = names::ident(id, Case::Snake);
        while taken.contains(&ident) {
            ident.push('_');
        }
        taken.push(ident.clone());
        idents.push(ident);
    }
    // A workflow whose callers read its last status also gets a function returning it.
    let mut status_functions = BTreeMap::new();
    for (wi, ident) in idents.iter().enumerate() {
        if input.status_read.contains(&(input.doc, wi)) {
            let mut name = format!("{}_with_status", ident.trim_start_matches("r#"));
            while taken.contains(&name) {
                name.push('_');
            }
            taken.push(name.clone());
            status_functions.insert(wi, name);
        }
    }
    // A workflow that calls one with no function gets none either: repeat until nothing changes.
    let mut unavailable: BTreeMap<usize, Diagnostic> = BTreeMap::new();
    loop {
        let mut generated = TokenStream::new();
        let mut needs = super::Needs::default();
        let mut kept = Vec::new();
        let mut failed = false;
        let mut functions = Vec::new();
        let workflows = root
            .doc
            .workflows
            .iter()
            .zip(input.workflows.iter().filter(|w| w.doc == input.doc))
            .enumerate();
        for (wi, (wf, ir)) in workflows {
            if unavailable.contains_key(&wi) {
                continue;
            }
            let at = index("/workflows", wi);
            let mut w = Workflow_ {
                input,
                wf,
                ir,
                file: root.file,
                at: at.clone(),
                unsent: Vec::new(),
                types: input
                    .types
                    .get(&(input.doc, wf.workflow_id.clone()))
                    .cloned()
                    .unwrap_or_default(),
                input_fields: BTreeMap::new(),
                state_machine: false,
                idents: idents.clone(),
                own_status: status_functions.get(&wi).cloned(),
                status_functions: status_functions.clone(),
                unavailable: unavailable.keys().copied().collect(),
                output_locals: Vec::new(),
                needs: super::Needs::default(),
                sets_next: std::cell::Cell::new(false),
            };
            let mut scratch = Diagnostics::new(false);
            match w.function(&idents[wi], &mut scratch) {
                Ok(tokens) => {
                    needs.add(&w.needs);
                    generated.extend(tokens);
                    kept.extend(scratch.into_vec());
                    functions.push((wf.workflow_id.clone(), idents[wi].clone()));
                }
                Err(why) => {
                    failed = true;
                    let note = Diagnostic::note(format!(
                        "no function is generated for workflow `{}` yet: {why}",
                        wf.workflow_id
                    ))
                    .kind("no-function")
                    .at(input.ws.files.loc(root.file, &child(&at, "workflowId")));
                    unavailable.insert(wi, note);
                }
            }
        }
        if !failed {
            out.extend(generated);
            out.extend(dispatch(input, &functions));
            let missing = unavailable.keys().copied().collect();
            for d in kept.into_iter().chain(unavailable.into_values()) {
                diags.push(d);
            }
            return Emitted {
                tokens: out,
                functions: idents,
                unavailable: missing,
                status_functions,
                needs,
            };
        }
    }
}

#[allow(non_camel_case_types)]
struct Workflow_<'a> {
    input: &'a Input<'a>,
    wf: &'a Workflow,
    ir: &'a WorkflowIr,
    file: FileId,
    at: String,
    types: WorkflowTypes,
    /// The workflow as JSON text, to find which step outputs later expressions read.
    /// The places (pointers of parameters) whose values are not sent: their reads do not count.
    unsent: Vec<String>,
    /// The fields of `Inputs` by input name (set by `inputs_struct`).
    input_fields: BTreeMap<String, super::inputs::InputField>,
    /// Whether the function is a state machine (steps may be skipped or repeated), so that step
    /// outputs are `Option`s until their step has run.
    state_machine: bool,
    /// The function name of each workflow of the document, by index.
    idents: Vec<String>,
    /// The function that also returns the last status, of the workflows whose callers read it.
    status_functions: BTreeMap<usize, String>,
    /// This workflow's function that also returns its last status, when a caller reads it.
    own_status: Option<String>,
    /// The workflows that get no function (a step calling one cannot be generated).
    unavailable: std::collections::BTreeSet<usize>,
    /// The locals that hold step outputs, to mark those nothing reads.
    output_locals: Vec<String>,
    /// The crates the function's code names beyond those every file needs.
    needs: super::Needs,
    /// Whether the state machine's code sets `next` (falls through, goes to or retries a
    /// step), so that it is declared `mut`.
    sets_next: std::cell::Cell<bool>,
}

/// What a step is made of, before it is put in straight-line code or a state machine.
struct StepParts {
    /// Whether the step calls a workflow (its "exchange" is the workflow's outputs).
    workflow_call: bool,
    /// For a workflow step: the call, a future of the called workflow's result.
    call: TokenStream,
    /// In a state machine, the local holding the step's idempotency key across retries.
    idempotency: Option<syn::Ident>,
    /// `let step_N = exchange(..).await?;`
    request: TokenStream,
    /// The local holding the exchange.
    var: Here,
    /// For a workflow step whose callee returns its last status: the local holding it.
    status: Option<syn::Ident>,
    /// Each success criterion, as written and compiled.
    criteria: Vec<(String, TokenStream)>,
    /// Each output: its local, its type, and the expression reading it.
    outputs: Vec<(syn::Ident, Typed, TokenStream)>,
}

fn rust_type(t: &Typed) -> TokenStream {
    syn::parse_str::<syn::Type>(&t.rust())
        .map_or_else(|_| quote!(::serde_json::Value), |ty| quote!(#ty))
}

fn field(name: &str) -> syn::Ident {
    let id = names::ident(name, Case::Snake);
    syn::parse_str(&id).unwrap_or_else(|_| format_ident!("field"))
}

impl Workflow_<'_> {
    /// The path of the runtime's helpers.
    fn rt(&self) -> TokenStream {
        self.input.runtime.private()
    }

    fn function(&mut self, ident: &str, diags: &mut Diagnostics) -> Result<TokenStream, String> {
        let rt = self.rt();
        let wf = self.wf;
        self.unsent = self.unsent_parameters();
        let (inputs_struct, required_inputs) = self.inputs_struct(diags);
        self.state_machine = !wf.success_actions.is_empty()
            || !wf.failure_actions.is_empty()
            || wf
                .steps
                .iter()
                .any(|s| !s.on_success.is_empty() || !s.on_failure.is_empty());
        // The workflows it depends on run first, in order, on the same inputs.
        let mut body = TokenStream::new();
        let siblings = &self.input.ws.arazzo[self.input.doc].doc.workflows;
        for &wi in &self.ir.depends_on {
            let dep = siblings
                .get(wi)
                .map(|w| w.workflow_id.as_str())
                .ok_or("it depends on an unknown workflow")?;
            if self.unavailable.contains(&wi) {
                return Err(format!(
                    "it depends on workflow `{dep}`, which has no function"
                ));
            }
            let function: syn::Ident =
                syn::parse_str(&self.idents[wi]).map_err(|e| e.to_string())?;
            let local = dependency_local(dep);
            body.extend(quote! {
                let #local = ::std::boxed::Box::pin(#function(
                    clients,
                    #rt::from_json(#dep, "the inputs, passed on", #rt::to_json(&inputs))?,
                ))
                .await?;
                let _ = &#local;
            });
        }
        if self.state_machine {
            body.extend(self.state_body(&required_inputs, diags)?);
        } else {
            for (si, step) in wf.steps.iter().enumerate() {
                body.extend(self.step(si, step, &required_inputs, diags)?);
            }
            // The status of the last response, for callers that read it.
            if self.own_status.is_some() {
                let last = wf
                    .steps
                    .len()
                    .checked_sub(1)
                    .ok_or("a workflow without steps")?;
                let status = self.status_of(&Here::new(last))?;
                body.extend(quote! { let last_status: u16 = #status; });
            }
        }
        let mut out_fields = Vec::new();
        let mut out_values = Vec::new();
        for (name, v) in &wf.outputs {
            let f = field(name);
            let mut t = self.types.outputs.get(name).cloned().unwrap_or(Typed {
                ty: ValueType::Json("unknown".into()),
                required: false,
            });
            if self.state_machine && v.as_str().is_some_and(|s| s.contains("$steps.")) {
                // The step may not have run on the path taken.
                t.required = false;
            }
            let ty = rust_type(&t);
            let doc = match &t.ty {
                ValueType::Json(reason) => format!("`{name}`: untyped JSON ({reason})."),
                _ => format!("`{name}`."),
            };
            out_fields.push(quote! { #[doc = #doc] #[serde(rename = #name)] pub #f: #ty, });
            let text = v.as_str().ok_or("an output is not an expression")?;
            let value = self.output_value(text)?;
            out_values.push(quote! { #f: #value, });
        }
        let module: syn::Ident = syn::parse_str(ident).map_err(|e| e.to_string())?;
        // `inputs` is always a parameter; a function that reads none says so.
        let reads_inputs = self.ir.reads.inputs_read(&self.unsent)
            || !self.ir.depends_on.is_empty()
            || self.ir.reads.workflow_goto;
        let unused = if reads_inputs {
            TokenStream::new()
        } else {
            quote!(let _ = &inputs;)
        };
        let doc = [wf.summary.as_deref(), wf.description.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join("\n\n");
        let doc = if doc.is_empty() {
            format!("Workflow `{}`.", wf.workflow_id)
        } else {
            doc
        };
        let mod_doc = format!("The inputs and outputs of workflow `{}`.", wf.workflow_id);
        let types = quote! {
            #[doc = #mod_doc]
            pub mod #module {
                #inputs_struct
                /// The workflow's outputs.
                #[derive(::std::clone::Clone, ::std::fmt::Debug, ::std::cmp::PartialEq, ::serde::Serialize, ::serde::Deserialize)]
                pub struct Outputs { #(#out_fields)* }
            }
        };
        if let Some(with_status) = &self.own_status {
            // Steps that call this workflow read the status of its last response.
            let with_status: syn::Ident = syn::parse_str(with_status).map_err(|e| e.to_string())?;
            let status_doc = format!(
                "Workflow `{}`, and the status of its last response (which steps that call it read as `$statusCode`).",
                wf.workflow_id
            );
            return Ok(quote! {
                #types
                #[doc = #doc]
                pub async fn #module(clients: &Clients, inputs: #module::Inputs) -> ::std::result::Result<#module::Outputs, Error> {
                    #with_status(clients, inputs).await.map(|(outputs, _)| outputs)
                }
                #[doc = #status_doc]
                #[allow(clippy::nonminimal_bool, clippy::never_loop)]
                pub(crate) async fn #with_status(clients: &Clients, inputs: #module::Inputs) -> ::std::result::Result<(#module::Outputs, u16), Error> {
                    #unused
                    #body
                    ::std::result::Result::Ok((#module::Outputs { #(#out_values)* }, last_status))
                }
            });
        }
        Ok(quote! {
            #types
            #[doc = #doc]
            // Criteria are compiled as written; a state machine whose steps never go back is
            // still a loop.
            #[allow(clippy::nonminimal_bool, clippy::never_loop)]
            pub async fn #module(clients: &Clients, inputs: #module::Inputs) -> ::std::result::Result<#module::Outputs, Error> {
                #unused
                #body
                ::std::result::Result::Ok(#module::Outputs { #(#out_values)* })
            }
        })
    }

    /// The `Inputs` type, and the names of the inputs that are always present. The type comes
    /// from typify; where typify cannot read the schema, each property is a plain field (a
    /// scalar, else JSON), with a note saying why.
    fn inputs_struct(&mut self, diags: &mut Diagnostics) -> (TokenStream, Vec<String>) {
        let schema = self.wf.inputs.clone().unwrap_or(Value::Null);
        if schema.get("properties").is_some() {
            match super::inputs::with_typify(&schema, &self.wf.workflow_id) {
                Ok(t) => {
                    self.needs.add(&t.needs);
                    let present = t
                        .fields
                        .iter()
                        .filter(|(_, f)| !f.optional)
                        .map(|(name, _)| name.clone())
                        .collect();
                    self.input_fields = t.fields;
                    return (t.tokens, present);
                }
                Err(why) => diags.push(
                    Diagnostic::note(format!(
                        "the inputs of workflow `{}` are plain fields: {why}",
                        self.wf.workflow_id
                    ))
                    .kind("plain-inputs")
                    .at(self
                        .input
                        .ws
                        .files
                        .loc(self.file, &child(&self.at, "inputs"))),
                ),
            }
        }
        let required: Vec<String> = schema
            .get("required")
            .and_then(Value::as_array)
            .map(|r| {
                r.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default();
        let fields = schema.get("properties").and_then(Value::as_object).into_iter().flatten().map(|(name, s)| {
            let f = field(name);
            let ty = rust_type(&Typed {
                ty: crate::infer::scalar(s).unwrap_or(ValueType::Json(String::new())),
                required: true,
            });
            let doc = s.get("description").and_then(Value::as_str).map_or_else(|| format!("`{name}`."), str::to_string);
            if required.contains(name) {
                quote! { #[doc = #doc] #[serde(rename = #name)] pub #f: #ty, }
            } else {
                quote! {
                    #[doc = #doc]
                    #[serde(rename = #name, default, skip_serializing_if = "::std::option::Option::is_none")]
                    pub #f: ::std::option::Option<#ty>,
                }
            }
        });
        let tokens = quote! {
            /// The workflow's inputs.
            #[derive(::std::clone::Clone, ::std::fmt::Debug, ::std::default::Default, ::std::cmp::PartialEq, ::serde::Serialize, ::serde::Deserialize)]
            pub struct Inputs { #(#fields)* }
        };
        (tokens, required)
    }

    /// The parameters of the workflow's steps that are not sent, since the client has no
    /// setter for them (the pointers of their places): what they read is not read.
    fn unsent_parameters(&self) -> Vec<String> {
        let mut out = Vec::new();
        for s in &self.ir.steps {
            let Target::Operation {
                openapi,
                operation,
                source,
            } = &s.target
            else {
                continue;
            };
            let pointer = &self.input.ws.openapi[*openapi].operations[*operation].pointer;
            let Some(op) = self
                .input
                .clients
                .get(source)
                .and_then(|c| c.ops.get(pointer))
            else {
                continue;
            };
            for p in s.parameters.iter().filter(|p| p.location.is_some()) {
                if op.dropped.contains(&p.name) || setter_of(op, &p.name).is_none() {
                    out.push(p.at.clone());
                }
            }
        }
        out
    }

    /// A step's request, its success criteria, and the reads of its outputs.
    fn step_parts(
        &mut self,
        si: usize,
        step: &Step,
        required: &[String],
        diags: &mut Diagnostics,
    ) -> Result<StepParts, String> {
        let rt = self.rt();
        let sid = step.step_id.as_str();
        let sat = index(&child(&self.at, "steps"), si);
        if let Some(Target::Workflow { doc, workflow }) = self.ir.steps.get(si).map(|s| &s.target) {
            return self.workflow_step(si, step, (*doc, *workflow), required, diags);
        }
        let Some(Target::Operation {
            openapi,
            operation,
            source,
        }) = self.ir.steps.get(si).map(|s| &s.target)
        else {
            return Err(format!("step `{sid}` does not call an operation of this document's sources or one of its workflows"));
        };
        let pointer = &self.input.ws.openapi[*openapi].operations[*operation].pointer;
        let client = self
            .input
            .clients
            .get(source)
            .ok_or_else(|| format!("no client for `{source}`"))?;
        let op = client.ops.get(pointer).ok_or_else(|| {
            format!("the client of `{source}` lacks the operation of step `{sid}`")
        })?;
        // A response that is not JSON comes as a byte stream, read whole.
        let exchange = if op.byte_stream {
            quote!(#rt::exchange_stream)
        } else if op.error_stream {
            quote!(#rt::exchange_bare_errors)
        } else {
            quote!(#rt::exchange)
        };
        let module: syn::Ident = syn::parse_str(&client.ident).map_err(|e| e.to_string())?;
        let clients_field = format_ident!("{}", client.ident.trim_start_matches("r#"));
        let method = format_ident!("{}", op.method);
        let mut setters = TokenStream::new();
        for p in self.ir.steps[si]
            .parameters
            .iter()
            .filter(|p| p.location.is_some())
        {
            if op.dropped.contains(&p.name) {
                diags.push(
                    Diagnostic::error(format!("parameter `{}` of step `{sid}` cannot be sent: the operation has another parameter with the same Rust name, and the client keeps that one", p.name))
                        .at(self.input.ws.files.loc(self.file, &p.at))
                        .help("see the warning on the description for the parameter kept"),
                );
                continue;
            }
            let Some((setter, ty)) = setter_of(op, &p.name) else {
                diags.push(
                    Diagnostic::warning(format!("parameter `{}` of step `{sid}` is not sent: the generated client has no setter for it", p.name)).kind("unsent-parameter")
                        .at(self.input.ws.files.loc(self.file, &child(&sat, "parameters"))),
                );
                continue;
            };
            let vat = child(&p.at, "value");
            let name_for_parse = p.name.as_str();
            let conversion = self
                .input
                .conversions
                .get(&(self.input.doc, vat.clone()))
                .copied();
            let converted = conversion == Some(Conversion::Text);
            let mut value = self.value(&p.value, true, required, diags, &vat)?;
            match conversion {
                Some(Conversion::Text) => value = quote!(#rt::text(&#value)),
                Some(Conversion::Parse) => {
                    value = quote!(#rt::parse_json(#sid, #name_for_parse, &#value)?)
                }
                None => {}
            }
            let name = p.name.as_str();
            let s = format_ident!("{setter}");
            let setter_type = ty.to_string().replace(' ', "");
            let source = if converted {
                Some(ValueType::String)
            } else {
                self.plain_type(&p.value)
            };
            if source.is_some_and(|t| t.rust() == setter_type) {
                // A value of the type the setter takes: no round trip through JSON.
                setters.extend(quote! { .#s(#value) });
            } else {
                let ty = qualify(ty, &module);
                let json = if conversion == Some(Conversion::Parse) {
                    value
                } else {
                    quote!(::serde_json::json!(#value))
                };
                setters.extend(quote! {
                    .#s(#rt::parameter_from_json::<#ty>(#sid, #name, #json)?)
                });
            }
        }
        let mut body_decl = TokenStream::new();
        if let Some(payload) = step.request_body.as_ref().and_then(|b| b.payload.as_ref()) {
            let ty = op
                .setters
                .get("body")
                .ok_or_else(|| format!("the operation of step `{sid}` takes no body"))?;
            let ty = qualify(ty, &module);
            let bat = child(&sat, "requestBody");
            let value = self.json(payload, required, diags, &child(&bat, "payload"))?;
            // Replacements are applied in order, each at its JSON pointer.
            let mut replacements = TokenStream::new();
            let listed = step.request_body.iter().flat_map(|b| &b.replacements);
            for (ri, r) in listed.enumerate() {
                let target = r.target.as_str();
                if !(target.is_empty() || target.starts_with('/')) {
                    return Err(format!(
                        "a replacement of step `{sid}` targets `{target}`, which is not a JSON pointer"
                    ));
                }
                let rat = child(&index(&child(&bat, "replacements"), ri), "value");
                let v = self.json(&r.value, required, diags, &rat)?;
                replacements.extend(quote! {
                    #rt::replace(&mut body, #target, ::serde_json::json!(#v));
                });
            }
            let mut body = if replacements.is_empty() {
                quote!(::serde_json::json!(#value))
            } else {
                quote!({
                    let mut body = ::serde_json::json!(#value);
                    #replacements
                    body
                })
            };
            // Kept in a local when an expression reads it back (`$request.body`).
            if self.ir.reads.request_body {
                let local = format_ident!("step_{si}_request_body");
                body_decl = quote! { let #local: ::serde_json::Value = #body; };
                body = quote!(#local.clone());
            }
            setters.extend(quote! {
                .body(#rt::from_json::<#ty>(#sid, "request body", #body)?)
            });
        }
        // An idempotency key for a POST or PATCH to a source that takes one: fresh for each
        // run of the step, the same on its retries.
        let mut key_decl = TokenStream::new();
        let mut idempotency = None;
        let method_writes = matches!(
            self.input.ws.openapi[*openapi].operations[*operation]
                .method
                .as_str(),
            "post" | "patch"
        );
        if let Some(header) = self.input.idempotency.get(source).filter(|_| method_writes) {
            let setter = names::ident(header, Case::Snake);
            let setter = setter.trim_start_matches("r#");
            if op.setters.contains_key(setter) {
                let key = format_ident!("step_{si}_key");
                let s = format_ident!("{setter}");
                setters.extend(quote!(.#s(#key)));
                if self.state_machine {
                    // Underscored: the reset after success is not read when the step cannot run again.
                    let held = format_ident!("_step_{si}_idempotency_key");
                    key_decl = quote! {
                        let #key = #held.get_or_insert_with(#rt::idempotency_key).clone();
                    };
                    idempotency = Some(held);
                } else {
                    key_decl = quote! { let #key = #rt::idempotency_key(); };
                }
            }
        }
        let var = Here::new(si);
        let criteria: Vec<(String, TokenStream)> = if step.success_criteria.is_empty() {
            vec![(
                "a 2xx status".to_string(),
                quote!((200..300).contains(&#var.status)),
            )]
        } else {
            step.success_criteria
                .iter()
                .map(|c| Ok((c.condition.clone(), self.criterion(c, &var)?)))
                .collect::<Result<_, String>>()?
        };
        let mut outputs = Vec::new();
        for (name, v) in &step.outputs {
            let t = self.output_type(sid, name);
            // Read by a later expression? Unread outputs are still checked against the response.
            let read_later = self.ir.reads.step_output_read(si, name, &self.unsent);
            let prefix = if read_later { "" } else { "_" };
            let local = format_ident!(
                "{prefix}step_{si}_{}",
                names::ident(name, Case::Snake).trim_start_matches("r#")
            );
            self.output_locals.push(local.to_string());
            let ty = rust_type(&t);
            let text = v.as_str().ok_or(format!(
                "output `{name}` of step `{sid}` is not an expression"
            ))?;
            let e = self
                .parse_any(text)
                .ok_or(format!("output `{name}` of step `{sid}` does not parse"))?;
            // The read, and whether it is an `Option` already.
            let (read, optional) = match e {
                Expr::Response(MessagePart::Body(ref ptr))
                | Expr::Request(MessagePart::Body(ref ptr)) => {
                    let ptr = ptr.as_ref().map(|p| p.to_string()).unwrap_or_default();
                    let body = match e {
                        Expr::Request(_) => self.request_body(&var)?,
                        _ => quote!(#var.body),
                    };
                    if t.required && !self.state_machine {
                        (
                            quote!(#rt::output::<#ty>(#sid, #name, &#body, #ptr)?),
                            false,
                        )
                    } else {
                        let inner = rust_type(&Typed {
                            required: true,
                            ..t.clone()
                        });
                        (
                            quote!(#rt::optional_output::<#inner>(#sid, #name, &#body, #ptr)?),
                            true,
                        )
                    }
                }
                Expr::Request(ref part) => {
                    let v = self.request_parameter(part, &var)?;
                    (
                        quote!({
                            let v: ::serde_json::Value = #v;
                            (!v.is_null()).then(|| #rt::text(&v))
                        }),
                        true,
                    )
                }
                Expr::StatusCode => (quote!(i64::from(#var.status)), false),
                Expr::Url => (quote!(#var.url.clone()), false),
                Expr::Method => {
                    let m = self
                        .method_of(&var)
                        .ok_or("`$method` outside an operation step")?;
                    (quote!(::std::string::String::from(#m)), false)
                }
                Expr::Response(MessagePart::Header(h)) => {
                    let h = h.as_str();
                    (
                        quote!(#rt::header(&#var.headers, #h).as_str().map(str::to_string)),
                        true,
                    )
                }
                Expr::Steps(ref n) if n.pointer.is_some() => {
                    let v = self.step_output_in_json(n)?;
                    (
                        quote!(::std::option::Option::Some(#v).filter(|v| !v.is_null())),
                        true,
                    )
                }
                Expr::Steps(ref n) if self.state_machine => {
                    let (local, t) = self.step_output_local(n)?;
                    (copied(&local, &t), true)
                }
                Expr::Steps(ref n) => (self.step_local(n)?, !t.required),
                Expr::Inputs(ref n) if n.pointer.is_none() => {
                    (self.input_field(&n.name), !t.required)
                }
                _ => {
                    return Err(format!(
                        "output `{name}` of step `{sid}` reads what this stage does not read yet"
                    ))
                }
            };
            // In a state machine every output is an `Option` until its step has run.
            let read = if self.state_machine && !optional {
                quote!(::std::option::Option::Some(#read))
            } else {
                read
            };
            outputs.push((local, t, read));
        }
        Ok(StepParts {
            workflow_call: false,
            call: TokenStream::new(),
            status: None,
            idempotency,
            request: quote! {
                #key_decl
                #body_decl
                let #var = #exchange(
                    #sid,
                    clients.#clients_field.whole_responses().#method() #setters .send().await,
                ).await?;
            },
            var,
            criteria,
            outputs,
        })
    }

    /// A step that calls another workflow, of this document or of an Arazzo source: its
    /// inputs from the step's parameters, its outputs read as `$outputs.<name>`, typed as the
    /// called workflow's. The called workflow's error is this workflow's error.
    fn workflow_step(
        &mut self,
        si: usize,
        step: &Step,
        (doc, workflow): (usize, usize),
        required: &[String],
        diags: &mut Diagnostics,
    ) -> Result<StepParts, String> {
        let rt = self.rt();
        let sid = step.step_id.as_str();
        let callee = self
            .input
            .ws
            .arazzo
            .get(doc)
            .and_then(|d| d.doc.workflows.get(workflow))
            .ok_or("an unknown workflow")?;
        // A callee whose last status is read is called through its function that returns it.
        let (function, clients, with_status) = if doc == self.input.doc {
            if self.unavailable.contains(&workflow) {
                return Err(format!(
                    "step `{sid}` calls workflow `{}`, which has no function",
                    callee.workflow_id
                ));
            }
            let name = self
                .status_functions
                .get(&workflow)
                .unwrap_or(&self.idents[workflow]);
            let f: syn::Ident = syn::parse_str(name).map_err(|e| e.to_string())?;
            let with_status = self.status_functions.contains_key(&workflow);
            (quote!(#f), quote!(clients), with_status)
        } else {
            let other = self.input.callees.get(&doc).ok_or_else(|| {
                format!("step `{sid}` calls a workflow of a document whose code is not generated")
            })?;
            if other.unavailable.contains(&workflow) {
                return Err(format!(
                    "step `{sid}` calls workflow `{}` of source `{}`, which has no function",
                    callee.workflow_id, other.field
                ));
            }
            let f: syn::Ident = other
                .status_functions
                .get(&workflow)
                .or_else(|| other.functions.get(workflow))
                .and_then(|f| syn::parse_str(f).ok())
                .ok_or("an unknown workflow")?;
            let (path, field) = (&other.path, &other.field);
            let with_status = other.status_functions.contains_key(&workflow);
            (quote!(#path::#f), quote!(&clients.#field), with_status)
        };
        let var = Here::new(si);
        let status = with_status.then(|| status_local(&var));
        let called_types = self
            .input
            .types
            .get(&(doc, callee.workflow_id.clone()))
            .map(|t| t.outputs.clone())
            .unwrap_or_default();
        let mut entries = Vec::new();
        for p in self.ir.steps[si]
            .parameters
            .iter()
            .filter(|p| p.location.is_none())
        {
            let value = self.value(&p.value, false, required, diags, &child(&p.at, "value"))?;
            let name = p.name.as_str();
            entries.push(quote! { #name: #value });
        }
        let mut outputs = Vec::new();
        for (name, v) in &step.outputs {
            let text = v.as_str().ok_or(format!(
                "output `{name}` of step `{sid}` is not an expression"
            ))?;
            let e = parse_any(text);
            if let (Some(Expr::StatusCode), Some(status)) = (&e, &status) {
                let local = format_ident!(
                    "step_{si}_{}",
                    names::ident(name, Case::Snake).trim_start_matches("r#")
                );
                self.output_locals.push(local.to_string());
                let read = if self.state_machine {
                    quote!(::std::option::Option::Some(i64::from(#status)))
                } else {
                    quote!(i64::from(#status))
                };
                let t = Typed {
                    ty: ValueType::Integer,
                    required: true,
                };
                outputs.push((local, t, read));
                continue;
            }
            let Some(Expr::Outputs(n)) = e else {
                return Err(format!(
                    "output `{name}` of step `{sid}` does not read `$outputs.<name>`"
                ));
            };
            let f = field(&n.name);
            let pointer = n.pointer.map(|p| p.to_string()).unwrap_or_default();
            let read_later = self.ir.reads.step_output_read(si, name, &self.unsent);
            let prefix = if read_later { "" } else { "_" };
            let local = format_ident!(
                "{prefix}step_{si}_{}",
                names::ident(name, Case::Snake).trim_start_matches("r#")
            );
            self.output_locals.push(local.to_string());
            // Read whole, an output keeps the called workflow's type (an `Option` here).
            // (The type inferred for the step output is the one to keep.)
            let inferred = self.types.steps.get(sid).and_then(|o| o.get(name));
            let typed = called_types
                .get(&n.name)
                .filter(|t| pointer.is_empty() && Some(*t) == inferred);
            let whole = |t: &Typed| copied(quote!(#var.#f), t);
            let (t, read) = match typed {
                // In a state machine every output is an `Option` until its step has run.
                Some(t) if t.required && self.state_machine => {
                    let read = whole(t);
                    (t.clone(), quote!(::std::option::Option::Some(#read)))
                }
                Some(t) => (t.clone(), whole(t)),
                None => (
                    Typed {
                        ty: ValueType::Json("the output of another workflow".into()),
                        required: false,
                    },
                    quote! {
                        ::std::option::Option::Some(#rt::at(&#rt::to_json(&#var.#f), #pointer))
                            .filter(|v| !v.is_null())
                    },
                ),
            };
            outputs.push((local, t, read));
        }
        // The criteria read the called workflow's outputs (there is no response).
        let criteria = step
            .success_criteria
            .iter()
            .map(|c| Ok((c.condition.clone(), self.criterion(c, &var)?)))
            .collect::<Result<Vec<_>, String>>()?;
        let call = quote! {
            ::std::boxed::Box::pin(#function(
                #clients,
                #rt::from_json(#sid, "the called workflow's inputs", ::serde_json::json!({ #(#entries),* }))?,
            ))
        };
        let (bind, read_status) = match &status {
            Some(status) => (quote!((#var, #status)), quote!(let _ = #status;)),
            None => (quote!(#var), TokenStream::new()),
        };
        Ok(StepParts {
            workflow_call: true,
            idempotency: None,
            request: quote! {
                let #bind = #call.await?;
                let _ = &#var;
                #read_status
            },
            call,
            var,
            status,
            criteria,
            outputs,
        })
    }

    /// A step of a straight-line workflow: request, criteria, outputs.
    fn step(
        &mut self,
        si: usize,
        step: &Step,
        required: &[String],
        diags: &mut Diagnostics,
    ) -> Result<TokenStream, String> {
        let rt = self.rt();
        let sid = step.step_id.as_str();
        let parts = self.step_parts(si, step, required, diags)?;
        let (request, var) = (&parts.request, &parts.var);
        let mut checks = TokenStream::new();
        for (text, cond) in parts.criteria.iter().filter(|_| parts.workflow_call) {
            checks.extend(quote! {
                if !(#cond) {
                    return ::std::result::Result::Err(Error::Unmet {
                        step: #sid,
                        criterion: #text,
                        outputs: #rt::to_json(&#var),
                    });
                }
            });
        }
        for (text, cond) in parts.criteria.iter().filter(|_| !parts.workflow_call) {
            checks.extend(quote! {
                if !(#cond) {
                    return ::std::result::Result::Err(Error::Failed {
                        step: #sid,
                        criterion: #text,
                        status: #var.status,
                        body: ::std::option::Option::Some(#var.body),
                    });
                }
            });
        }
        let outputs = parts.outputs.iter().map(|(local, t, read)| {
            let ty = rust_type(t);
            quote! { let #local: #ty = #read; }
        });
        Ok(quote! {
            #request
            #checks
            #(#outputs)*
        })
    }

    /// A value for a parameter (`strict`: a required input must be present) or a payload.
    fn value(
        &self,
        v: &Value,
        strict: bool,
        required: &[String],
        diags: &mut Diagnostics,
        at: &str,
    ) -> Result<TokenStream, String> {
        match v {
            Value::String(s) => self.string(s, strict, required, diags, at),
            other => self.json(other, required, diags, at),
        }
    }

    fn json(
        &self,
        v: &Value,
        required: &[String],
        diags: &mut Diagnostics,
        at: &str,
    ) -> Result<TokenStream, String> {
        let rt = self.rt();
        Ok(match v {
            Value::Object(m) => {
                let entries = m
                    .iter()
                    .map(|(k, v)| {
                        let value = self.json(v, required, diags, &child(at, k))?;
                        Ok(quote! { #k: #value })
                    })
                    .collect::<Result<Vec<_>, String>>()?;
                quote! { { #(#entries),* } }
            }
            Value::Array(items) => {
                let items = items
                    .iter()
                    .enumerate()
                    .map(|(i, v)| self.json(v, required, diags, &index(at, i)))
                    .collect::<Result<Vec<_>, String>>()?;
                quote! { [ #(#items),* ] }
            }
            Value::Null => quote!(null),
            leaf => {
                let e = match leaf {
                    Value::String(s) => self.string(s, false, required, diags, at)?,
                    Value::Bool(b) => quote!(#b),
                    _ => leaf
                        .to_string()
                        .parse()
                        .map_err(|_| "a number".to_string())?,
                };
                let key = (self.input.doc, at.to_string());
                if self.input.conversions.get(&key) == Some(&Conversion::Text) {
                    quote! { (#rt::text(&#e)) }
                } else {
                    quote! { (#e) }
                }
            }
        })
    }

    fn string(
        &self,
        s: &str,
        strict: bool,
        required: &[String],
        diags: &mut Diagnostics,
        at: &str,
    ) -> Result<TokenStream, String> {
        let rt = self.rt();
        let classified = expr::classify(s, true)
            .ok()
            .or_else(|| expr::repair(s).and_then(|r| expr::classify(&r, true).ok()));
        match classified {
            Some(ValueText::Expr(e)) => self.expr(&self.dialect(e), strict, required, diags, at),
            Some(ValueText::Template(segs)) => {
                let parts = segs
                    .iter()
                    .map(|seg| match seg {
                        Segment::Text(t) => Ok(quote!(#t)),
                        Segment::Expr(e, _) => {
                            let e = self.dialect(e.clone());
                            let v = self.expr(&e, strict, required, diags, at)?;
                            Ok(quote!(&#rt::text(&#v)))
                        }
                    })
                    .collect::<Result<Vec<_>, String>>()?;
                Ok(quote! { [#(#parts),*].concat() })
            }
            _ => Ok(quote!(#s)),
        }
    }

    fn expr(
        &self,
        e: &Expr,
        strict: bool,
        required: &[String],
        diags: &mut Diagnostics,
        at: &str,
    ) -> Result<TokenStream, String> {
        let rt = self.rt();
        match e {
            Expr::Inputs(n) => {
                if let Some(value) = self.input_in_json(n) {
                    return Ok(value);
                }
                let name = n.name.as_str();
                let value = self.input_field(name);
                if required.iter().any(|r| r == name) {
                    Ok(value)
                } else if strict {
                    diags.push(
                        Diagnostic::warning(format!(
                            "`$inputs.{name}` feeds a required value but the input is optional; a run without it fails with a missing-input error"
                        )).kind("optional-input")
                        .at(self.input.ws.files.loc(self.file, at))
                        .help(format!("list `{name}` under the inputs schema's `required`")),
                    );
                    Ok(quote!(#rt::required(#value, #name)?))
                } else {
                    Ok(value)
                }
            }
            Expr::Steps(n) if n.pointer.is_some() => self.step_output_in_json(n),
            Expr::Steps(n) => self.step_local(n),
            Expr::Workflows(n) => self.workflow_output(n),
            _ => Err("a value reads what this stage does not read yet".into()),
        }
    }

    /// The scalar type of a parameter value that is always there: text, a template, an input
    /// (a missing one is an error before the request), or a required output.
    fn plain_type(&self, v: &Value) -> Option<ValueType> {
        let Value::String(s) = v else {
            return None;
        };
        let t =
            crate::infer::of_request_value(self.input.ws, self.wf.inputs.as_ref(), &self.types, s);
        let present = match self.parse_any(s) {
            Some(Expr::Inputs(n)) => n.pointer.is_none(),
            Some(Expr::Steps(_)) => t.required,
            Some(_) => false,
            None => return Some(ValueType::String),
        };
        let scalar = matches!(
            t.ty,
            ValueType::String | ValueType::Integer | ValueType::Number | ValueType::Boolean
        );
        (present && scalar).then_some(t.ty)
    }

    /// An expression parsed, repaired where the checker repaired it (with a warning): besides
    /// the repairs of [`expr::repair`], a dotted path after a step or workflow output
    /// (`$steps.a.outputs.b.c.d`) reads into the output (`$steps.a.outputs.b#/c/d`).
    fn parse_any(&self, text: &str) -> Option<Expr> {
        parse_any(text).map(|e| self.dialect(e))
    }

    /// [`Self::parse_any`]'s repair of dotted paths after outputs, on a parsed expression.
    fn dialect(&self, e: Expr) -> Expr {
        let split = |n: &expr::Named, field: &str, known: &dyn Fn(&str, &str) -> bool| {
            let (head, _, rest) = n.split_at_field(&[field])?;
            if known(head, rest) {
                return None;
            }
            let (output, path) = rest.split_once('.')?;
            if !known(head, output) {
                return None;
            }
            let mut tokens: Vec<String> = path.split('.').map(str::to_string).collect();
            tokens.extend(n.pointer.iter().flat_map(|p| p.0.iter().cloned()));
            Some(expr::Named {
                name: format!("{head}.{field}.{output}"),
                pointer: Some(expr::Pointer(tokens)),
            })
        };
        match e {
            Expr::Steps(n) => {
                let known = |step: &str, output: &str| {
                    self.wf
                        .steps
                        .iter()
                        .any(|s| s.step_id == step && s.outputs.contains_key(output))
                };
                Expr::Steps(split(&n, "outputs", &known).unwrap_or(n))
            }
            Expr::Workflows(n) => {
                let siblings = &self.input.ws.arazzo[self.input.doc].doc.workflows;
                let known = |id: &str, output: &str| {
                    siblings
                        .iter()
                        .any(|w| w.workflow_id == id && w.outputs.contains_key(output))
                };
                Expr::Workflows(split(&n, "outputs", &known).unwrap_or(n))
            }
            other => other,
        }
    }

    /// The step whose exchange (or called workflow's outputs) is in `var`: step N's is the
    /// local `step_N`.
    fn step_of(&self, var: &Here) -> Option<(usize, &Step)> {
        Some((var.step, self.wf.steps.get(var.step)?))
    }

    /// `$request.body` of the step whose exchange is in `var` (`step_N`): the body it sent, as
    /// JSON (`null` for a step without one).
    fn request_body(&self, var: &Here) -> Result<TokenStream, String> {
        let (_, step) = self.step_of(var).ok_or("a request body outside a step")?;
        if step
            .request_body
            .as_ref()
            .and_then(|b| b.payload.as_ref())
            .is_none()
        {
            return Ok(quote!(::serde_json::Value::Null));
        }
        let local = format_ident!("{}_request_body", var.var);
        Ok(quote!(#local))
    }

    /// The HTTP method (upper case, as `$method` reads it) of the operation step whose exchange
    /// is in `var` (`step_N`).
    fn method_of(&self, var: &Here) -> Option<String> {
        let (si, _) = self.step_of(var)?;
        match &self.ir.steps.get(si)?.target {
            Target::Operation {
                openapi, operation, ..
            } => {
                let op = self
                    .input
                    .ws
                    .openapi
                    .get(*openapi)?
                    .operations
                    .get(*operation)?;
                Some(op.method.to_uppercase())
            }
            _ => None,
        }
    }

    /// The step whose result is in `var` (`step_N`), when it calls a workflow: its index and
    /// the workflow it calls (document, index).
    fn workflow_call_in(&self, var: &Here) -> Option<(usize, usize, usize)> {
        let (si, _) = self.step_of(var)?;
        match self.ir.steps.get(si)?.target {
            Target::Workflow { doc, workflow } => Some((si, doc, workflow)),
            _ => None,
        }
    }

    /// The local variable holding a step output, and the output's type.
    fn step_output_local(&self, n: &expr::Named) -> Result<(syn::Ident, Typed), String> {
        let (step, output) = self.step_and_output(n)?;
        if n.pointer.is_some() {
            return Err("a step output is read through a JSON pointer".into());
        }
        let si = self
            .wf
            .steps
            .iter()
            .position(|s| s.step_id == step)
            .ok_or("an unknown step")?;
        let local = format_ident!(
            "step_{si}_{}",
            names::ident(output, Case::Snake).trim_start_matches("r#")
        );
        Ok((local, self.output_type(step, output)))
    }

    /// The type inferred for output `output` of step `step` (untyped JSON if none was).
    fn output_type(&self, step: &str, output: &str) -> Typed {
        self.types
            .steps
            .get(step)
            .and_then(|o| o.get(output))
            .cloned()
            .unwrap_or(Typed {
                ty: ValueType::Json("unknown".into()),
                required: false,
            })
    }

    /// The step and output a `$steps.` expression names: `<step>.outputs.<output>`, or the
    /// `<step>.<output>` dialect when `<output>` is an output of `<step>` (the checker warned).
    fn step_and_output<'n>(&self, n: &'n expr::Named) -> Result<(&'n str, &'n str), String> {
        n.step_output(|step, output| {
            self.wf
                .steps
                .iter()
                .any(|s| s.step_id == step && s.outputs.contains_key(output))
        })
        .ok_or_else(|| "a step reference without `.outputs.`".to_string())
    }

    /// A step output read into with a JSON pointer, as JSON (`null` where there is nothing).
    fn step_output_in_json(&self, n: &expr::Named) -> Result<TokenStream, String> {
        let rt = self.rt();
        let plain = expr::Named {
            name: n.name.clone(),
            pointer: None,
        };
        let (local, _) = self.step_output_local(&plain)?;
        let pointer = n
            .pointer
            .as_ref()
            .map(|p| p.to_string())
            .unwrap_or_default();
        Ok(quote!(#rt::at(&#rt::to_json(&#local), #pointer)))
    }

    /// A step output read earlier in the function, as a value of its type. In a state machine a
    /// required output whose step has not run is an error.
    fn step_local(&self, n: &expr::Named) -> Result<TokenStream, String> {
        let rt = self.rt();
        let (local, t) = self.step_output_local(n)?;
        let value = if is_copy(&t.ty) {
            quote!(#local)
        } else {
            quote!(#local.clone())
        };
        if self.state_machine && t.required {
            let (step, output) = self.step_and_output(n)?;
            Ok(quote!(#rt::ran(#value, #step, #output)?))
        } else {
            Ok(value)
        }
    }

    /// `$workflows.<id>.outputs.<name>`: an output of a workflow run before this one, as JSON.
    fn workflow_output(&self, n: &expr::Named) -> Result<TokenStream, String> {
        let rt = self.rt();
        let (id, output) = self.workflow_and_output(n)?;
        let local = dependency_local(id);
        let f = field(output);
        let pointer = n
            .pointer
            .as_ref()
            .map(|p| p.to_string())
            .unwrap_or_default();
        Ok(quote!(#rt::at(&#rt::to_json(&#local.#f), #pointer)))
    }

    /// The workflow and output `$workflows.<id>.outputs.<name>` names; the workflow must run
    /// before this one.
    fn workflow_and_output<'n>(&self, n: &'n expr::Named) -> Result<(&'n str, &'n str), String> {
        let (id, _, output) = n
            .split_at_field(&["outputs"])
            .ok_or("a workflow reference without `.outputs.`")?;
        let siblings = &self.input.ws.arazzo[self.input.doc].doc.workflows;
        let runs_before = self
            .ir
            .depends_on
            .iter()
            .any(|&wi| siblings.get(wi).is_some_and(|w| w.workflow_id == id));
        if !runs_before {
            return Err(format!(
                "it reads `$workflows.{id}`, a workflow that does not run before it"
            ));
        }
        Ok((id, output))
    }

    /// `$workflows.<id>.outputs.<name>` read whole, as a value of the type inferred for it;
    /// `None` when its type is not known.
    fn workflow_output_typed(&self, n: &expr::Named) -> Result<Option<TokenStream>, String> {
        let (id, output) = self.workflow_and_output(n)?;
        let known = self.types.depends.get(id).and_then(|o| o.get(output));
        let (local, f) = (dependency_local(id), field(output));
        Ok(known.map(|t| copied(quote!(#local.#f), t)))
    }

    /// An input read into (`$inputs.a#/b`, or the `$inputs.a.b` dialect the checker repairs)
    /// as JSON, `null` where there is nothing; `None` for a plain `$inputs.a`.
    fn input_in_json(&self, n: &expr::Named) -> Option<TokenStream> {
        let rt = self.rt();
        let (name, dotted) = match n.name.split_once('.') {
            Some((head, rest)) => (
                head,
                format!(
                    "/{}",
                    rest.replace('~', "~0").replace('/', "~1").replace('.', "/")
                ),
            ),
            None => (n.name.as_str(), String::new()),
        };
        let pointer = format!(
            "{dotted}{}",
            n.pointer
                .as_ref()
                .map(|p| p.to_string())
                .unwrap_or_default()
        );
        if pointer.is_empty() {
            return None;
        }
        let base = self.input_field(name);
        Some(quote!(#rt::at(&#rt::to_json(&#base), #pointer)))
    }

    /// `inputs.<field>`, cloned unless its type is `Copy`.
    fn input_field(&self, name: &str) -> TokenStream {
        let f = self
            .input_fields
            .get(name)
            .map_or_else(|| field(name), |f| f.ident.clone());
        let copy = self
            .wf
            .inputs
            .as_ref()
            .and_then(|i| i.get("properties"))
            .and_then(|p| p.get(name))
            .and_then(crate::infer::scalar)
            .is_some_and(|t| is_copy(&t));
        if copy {
            quote!(inputs.#f)
        } else {
            quote!(inputs.#f.clone())
        }
    }

    fn output_value(&self, text: &str) -> Result<TokenStream, String> {
        let e = self
            .parse_any(text)
            .ok_or("a workflow output does not parse")?;
        match &e {
            Expr::Steps(n) if n.pointer.is_some() => {
                let v = self.step_output_in_json(n)?;
                Ok(quote!(::std::option::Option::Some(#v).filter(|v| !v.is_null())))
            }
            Expr::Steps(n) if self.state_machine => {
                let (local, t) = self.step_output_local(n)?;
                Ok(copied(&local, &t))
            }
            Expr::Steps(n) => self.step_local(n),
            Expr::Workflows(n) => {
                let whole = n.pointer.as_ref().is_none_or(|p| p.is_root());
                // Of the type inferred for it, `Option` or not.
                if let Some(read) = self.workflow_output_typed(n)?.filter(|_| whole) {
                    return Ok(read);
                }
                let v = self.workflow_output(n)?;
                Ok(quote!(::std::option::Option::Some(#v).filter(|v| !v.is_null())))
            }
            Expr::Inputs(n) => Ok(match self.input_in_json(n) {
                Some(v) => quote!(::std::option::Option::Some(#v).filter(|v| !v.is_null())),
                None => self.input_field(&n.name),
            }),
            _ => Err("a workflow output reads what this stage does not read yet".into()),
        }
    }
}

/// `Clients::with_base_urls`, `WORKFLOWS` and `run_workflow`: every workflow function by its id,
/// with JSON inputs and outputs, for tools that choose the workflow at run time.
fn dispatch(input: &Input<'_>, functions: &[(String, String)]) -> TokenStream {
    let rt = input.runtime.private();
    let fields = input.clients.iter().map(|(source, c)| {
        let f = format_ident!("{}", c.ident.trim_start_matches("r#"));
        let m: syn::Ident = syn::parse_str(&c.ident).unwrap_or_else(|_| format_ident!("unnamed"));
        quote! { #f: #m::Client::new(&base(#source), ::std::default::Default::default()), }
    });
    let nested = input.callees.values().map(|c| {
        let (f, path) = (&c.field, &c.path);
        quote! { #f: #path::Clients::with_base_urls(&base), }
    });
    let ids = functions.iter().map(|(id, _)| id.as_str());
    let unknown = quote! {
        ::std::result::Result::Err(Error::UnknownWorkflow {
            workflow: workflow_id.to_string(),
        })
    };
    let arms: Vec<TokenStream> = functions
        .iter()
        .filter_map(|(id, ident)| {
            let f: syn::Ident = syn::parse_str(ident).ok()?;
            Some(quote! {
                #id => {
                    let inputs: #f::Inputs = ::serde_json::from_value(inputs)
                        .map_err(|e| Error::Inputs { cause: e.to_string() })?;
                    ::std::result::Result::Ok(#rt::to_json(&#f(clients, inputs).await?))
                }
            })
        })
        .collect();
    let body = if arms.is_empty() {
        unknown
    } else {
        quote! {
            match workflow_id {
                #(#arms)*
                _ => #unknown,
            }
        }
    };
    quote! {
        impl Clients {
            /// One client per source with default settings (no credentials), each at the base
            /// URL `base` gives for the source's name.
            pub fn with_base_urls(base: impl Fn(&str) -> ::std::string::String) -> Self {
                let _ = &base;
                Clients { #(#fields)* #(#nested)* }
            }
        }

        /// The id of every workflow that has a function.
        pub const WORKFLOWS: &[&str] = &[#(#ids),*];

        /// Runs the workflow `workflow_id` with inputs given as JSON; its outputs as JSON.
        pub async fn run_workflow(
            clients: &Clients,
            workflow_id: &str,
            inputs: ::serde_json::Value,
        ) -> ::std::result::Result<::serde_json::Value, Error> {
            let _ = (clients, &inputs);
            #body
        }
    }
}

/// A place's value: copied when its type is `Copy` (an `Option` of one is too), else cloned.
fn copied(place: impl quote::ToTokens, t: &Typed) -> TokenStream {
    if is_copy(&t.ty) {
        quote!(#place)
    } else {
        quote!(#place.clone())
    }
}

/// The local holding the status a called workflow returns beside its outputs, for the step
/// whose result is in `var` (`status_of_step_N`: output locals all start `step_`).
fn status_local(var: &Here) -> syn::Ident {
    format_ident!("status_of_{}", var.var)
}

/// Where an expression is read: the step whose exchange the local `var` holds.
#[derive(Clone)]
pub(super) struct Here {
    /// The step's index.
    step: usize,
    /// The local.
    var: syn::Ident,
}

impl Here {
    /// The exchange of step `si`.
    fn new(si: usize) -> Self {
        Here {
            step: si,
            var: format_ident!("step_{si}"),
        }
    }
}

impl quote::ToTokens for Here {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        self.var.to_tokens(tokens);
    }
}

/// The client's setter for a parameter, and the type it takes. Progenitor names a setter for
/// a keyword with a trailing `_` (`type_`).
fn setter_of<'o>(op: &'o OpApi, name: &str) -> Option<(String, &'o TokenStream)> {
    let plain = names::ident(name, Case::Snake)
        .trim_start_matches("r#")
        .to_string();
    [plain.clone(), format!("{plain}_")]
        .into_iter()
        .find_map(|s| op.setters.get(&s).map(|ty| (s, ty)))
}

/// The local holding the outputs of a workflow depended on.
fn dependency_local(id: &str) -> syn::Ident {
    format_ident!(
        "depends_on_{}",
        names::ident(id, Case::Snake).trim_start_matches("r#")
    )
}

/// Whether values of a type are `Copy` in Rust (so also their `Option`).
fn is_copy(t: &ValueType) -> bool {
    matches!(
        t,
        ValueType::Integer | ValueType::Number | ValueType::Boolean
    )
}

fn parse_any(text: &str) -> Option<Expr> {
    expr::parse(text)
        .ok()
        .or_else(|| expr::repair(text).and_then(|r| expr::parse(&r).ok()))
}

/// `types::X` of a client module, as seen from the top of the generated file.
fn qualify(ty: &TokenStream, module: &syn::Ident) -> TokenStream {
    // Every path that starts at `types` (`Vec<types::X>` too), not only a leading one.
    let mut out = TokenStream::new();
    let mut after_colons = false;
    for t in ty.clone() {
        match &t {
            proc_macro2::TokenTree::Ident(i) if i == "types" && !after_colons => {
                out.extend(quote!(#module::));
                out.extend(std::iter::once(t.clone()));
                after_colons = false;
            }
            proc_macro2::TokenTree::Group(g) => {
                let mut group =
                    proc_macro2::Group::new(g.delimiter(), qualify(&g.stream(), module));
                group.set_span(g.span());
                out.extend(std::iter::once(proc_macro2::TokenTree::Group(group)));
                after_colons = false;
            }
            proc_macro2::TokenTree::Punct(p) => {
                after_colons = p.as_char() == ':';
                out.extend(std::iter::once(t.clone()));
            }
            _ => {
                after_colons = false;
                out.extend(std::iter::once(t.clone()));
            }
        }
    }
    out
}
