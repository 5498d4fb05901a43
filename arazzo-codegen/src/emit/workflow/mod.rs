//! One typed `async fn` per workflow: `Inputs` from the inputs schema, `Outputs` typed by
//! [`crate::infer`], each step's request built through the generated client's own builder, its
//! success criteria checked, and its outputs read from the response.
//!
//! A step that calls a workflow (of this document, or of an Arazzo source through its module)
//! passes its parameters as that workflow's inputs and reads its typed outputs. A workflow that
//! needs what is not generated yet is left out with a note saying what.

mod body;
mod conditions;
mod control;
mod function;
mod locals;
mod reads;
mod request;
mod step;
mod values;

use conditions::Test;

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::TokenStream;
use quote::{format_ident, quote, ToTokens};
use serde_json::Value;

use super::api::OpApi;
use crate::diag::{Diagnostic, Diagnostics};
use crate::expr::{self, Expr, MessagePart, Segment};
use crate::infer::{Typed, ValueType};
use crate::load::FileId;
use crate::model::{Step, Workflow};
use crate::names::{self, Case};
use crate::resolve::StepDep;
use crate::resolve::{Target, ValueIr, WorkflowIr};
use crate::source::{child, index};
use crate::typecheck::Conversion;
use crate::workspace::Workspace;

/// A client module the workflows can call: its identifier and its operations by pointer.
pub struct ClientRef {
    /// The module (and `Clients` field) identifier.
    pub ident: String,
    /// Operation pointer to its request builder.
    pub ops: BTreeMap<String, OpApi>,
    /// What its `types` module holds that a request body is built from.
    pub types: super::api::TypesApi,
}

/// The generated code of another Arazzo document whose workflows this one's steps call.
pub struct DocRef {
    /// The path from this document's code to that document's module (`m`, or `super::m`).
    pub path: TokenStream,
    /// The field of this document's `Clients` that holds that document's `Clients`.
    pub field: syn::Ident,
    /// The function a step calls, of each of its workflows, by index (see
    /// [`Emitted::inner`]).
    pub functions: Vec<String>,
    /// Its workflows that got no function.
    pub unavailable: BTreeSet<usize>,
    /// Its workflows whose callers read the last response's status (their inner function
    /// returns it too), by index.
    pub with_status: BTreeSet<usize>,
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
    /// Client modules by source name.
    pub clients: &'a BTreeMap<String, ClientRef>,
    /// How many steps a state-machine workflow may run before it fails.
    pub step_budget: u32,
    /// The default timeout of a step attempt in milliseconds (0: none).
    pub step_timeout_ms: u64,
    /// The idempotency-key header of each source that has one.
    pub idempotency: &'a BTreeMap<String, String>,
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
    /// The inner function of each workflow, by index: it runs the workflow within a caller's
    /// run (steps that call it, `goto` and `dependsOn` use it).
    pub inner: Vec<String>,
    /// The workflows that got no function.
    pub unavailable: BTreeSet<usize>,
    /// The workflows whose inner function also returns the last status, by index.
    pub with_status: BTreeSet<usize>,
    /// The crates its code names beyond those every file needs.
    pub needs: super::Needs,
}

/// The `Clients` struct and the workflow functions of one document.
pub fn emit(input: &Input<'_>, diags: &mut Diagnostics) -> Emitted {
    let Some(root) = input.ws.arazzo.get(input.doc) else {
        return Emitted {
            tokens: TokenStream::new(),
            inner: Vec::new(),
            unavailable: BTreeSet::new(),
            with_status: BTreeSet::new(),
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
    // The file's own names at the top: the dispatcher, and typify's `error` module.
    let mut taken = input.taken.clone();
    taken.extend(["run_workflow", "run_workflow_with", "error"].map(String::from));
    let mut idents = Vec::new();
    for id in &ids {
        let mut ident = names::ident(id, Case::Snake);
        while taken.contains(&ident) {
            ident.push('_');
        }
        taken.push(ident.clone());
        idents.push(ident);
    }
    // Each workflow's inner function, which runs it within a caller's run; a workflow whose
    // callers read its last status returns that too.
    let mut inner = Vec::new();
    let with_status: BTreeSet<usize> = (0..idents.len())
        .filter(|wi| input.status_read.contains(&(input.doc, *wi)))
        .collect();
    for ident in &idents {
        // (`error_` gives `error_in`: two underscores in a row are not snake case.)
        let mut name = format!(
            "{}_in",
            ident.trim_start_matches("r#").trim_end_matches('_')
        );
        while taken.contains(&name) {
            name.push('_');
        }
        taken.push(name.clone());
        inner.push(name);
    }
    // A workflow that calls one with no function gets none either: repeat until nothing changes.
    // (A workflow left out of generation is one from the start, and gets no note here: the
    // builder has said why.)
    let mut unavailable: BTreeMap<usize, Option<Diagnostic>> = input
        .workflows
        .iter()
        .filter(|w| w.doc == input.doc && w.skipped)
        .map(|w| (w.index, None))
        .collect();
    loop {
        let mut generated = TokenStream::new();
        let mut needs = super::Needs::default();
        // typify's `error` module, once for the document's workflows.
        let mut error_module: Option<TokenStream> = None;
        let mut kept = Vec::new();
        let mut failed = false;
        let mut functions = Vec::new();
        for (wi, wf) in root.doc.workflows.iter().enumerate() {
            if unavailable.contains_key(&wi) {
                continue;
            }
            let Some(ir) = crate::resolve::workflow_ir(input.workflows, input.doc, wi) else {
                continue;
            };
            let at = index("/workflows", wi);
            // The names the function uses besides its steps' locals.
            let mut reserved: Vec<String> = idents
                .iter()
                .chain(&inner)
                .map(|i| i.trim_start_matches("r#").to_string())
                .collect();
            let siblings = &root.doc.workflows;
            reserved.extend(ir.depends_on.iter().filter_map(|&d| {
                siblings
                    .get(d)
                    .map(|w| dependency_local(&w.workflow_id).to_string())
            }));
            let mut w = Workflow_ {
                input,
                wf,
                ir,
                index: wi,
                step_output_types: Vec::new(),
                file: root.file,
                at: at.clone(),
                unsent: Vec::new(),
                input_fields: BTreeMap::new(),
                state_machine: false,
                inner: inner.clone(),
                own_status: with_status.contains(&wi),
                with_status: with_status.clone(),
                unavailable: unavailable.keys().copied().collect(),
                locals: locals::Locals::new(&wf.steps, &reserved),
                needs: super::Needs::default(),
                sets_next: std::cell::Cell::new(false),
                error_module: None,
            };
            let mut scratch = Diagnostics::new(false);
            match w.function(&idents[wi], &mut scratch) {
                Ok(tokens) => {
                    needs.add(&w.needs);
                    if error_module.is_none() {
                        error_module = w.error_module.take();
                    }
                    generated.extend(tokens);
                    kept.extend(
                        scratch
                            .into_vec()
                            .into_iter()
                            .map(|d| d.in_workflow(Some((input.doc, wi)))),
                    );
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
                    unavailable.insert(wi, Some(note));
                }
            }
        }
        if !failed {
            out.extend(error_module);
            out.extend(generated);
            out.extend(function::dispatch(input, &functions));
            let missing = unavailable.keys().copied().collect();
            for d in kept.into_iter().chain(unavailable.into_values().flatten()) {
                diags.push(d);
            }
            return Emitted {
                tokens: out,
                inner,
                unavailable: missing,
                with_status,
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
    /// The workflow's index in its document.
    index: usize,
    /// The outputs each step records in the run's report, with their types, by step index
    /// (set as the steps are made; the `steps` module's types are made from them).
    step_output_types: Vec<(usize, Vec<(String, TokenStream)>)>,
    file: FileId,
    at: String,
    /// The workflow as JSON text, to find which step outputs later expressions read.
    /// The places (pointers of parameters) whose values are not sent: their reads do not count.
    unsent: Vec<String>,
    /// The fields of `Inputs` by input name (set by `inputs_struct`).
    input_fields: BTreeMap<String, super::inputs::InputField>,
    /// Whether the function is a state machine (steps may be skipped or repeated), so that step
    /// outputs are `Option`s until their step has run.
    state_machine: bool,
    /// The inner function of each workflow of the document, by index.
    inner: Vec<String>,
    /// The workflows whose callers read their last status (their inner function returns it).
    with_status: BTreeSet<usize>,
    /// Whether callers read this workflow's last status (its inner function returns it).
    own_status: bool,
    /// The workflows that get no function (a step calling one cannot be generated).
    unavailable: std::collections::BTreeSet<usize>,
    /// The names of the function's locals.
    locals: locals::Locals,
    /// The crates the function's code names beyond those every file needs.
    needs: super::Needs,
    /// typify's `error` module, when the `Inputs` types use it (see [`super::inputs`]).
    error_module: Option<TokenStream>,
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
    /// Whether the step's request carries an idempotency key.
    keyed: bool,
    /// `let step_N = exchange(..).await?;`
    request: TokenStream,
    /// The local holding the exchange.
    var: Here,
    /// For a workflow step whose callee returns its last status: the local holding it.
    status: Option<syn::Ident>,
    /// Each success criterion, as written and compiled.
    criteria: Vec<(String, Test)>,
    /// Each output: its name, its local, its type, and the expression reading it.
    outputs: Vec<(String, syn::Ident, Typed, TokenStream)>,
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

    /// The Arazzo document the workflow is in.
    fn document(&self) -> &crate::workspace::ArazzoDoc {
        &self.input.ws.arazzo[self.input.doc]
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

/// Where an expression is read: the step whose exchange the local `var` holds.
#[derive(Clone)]
pub(super) struct Here {
    /// The step's index.
    step: usize,
    /// The local.
    var: syn::Ident,
}

impl Workflow_<'_> {
    /// `let visit = run.visit("<step id>");`: a visit of step `si` starts.
    /// The start of a visit of step `si`, and (Arazzo 1.1) a check of each step it depends on
    /// that may not have finished: one of another workflow, or of this one when steps can be
    /// skipped.
    fn visit(&self, si: usize) -> TokenStream {
        let Some(step) = self.wf.steps.get(si) else {
            return TokenStream::new();
        };
        let sid = step.step_id.as_str();
        let mut out = quote! { let visit = run.visit(#sid); };
        let deps = self.ir.steps.get(si).map_or(&[][..], |s| &s.depends_on[..]);
        for (dep, needs) in deps {
            let (doc, workflow, id) = match dep {
                StepDep::Local(_) if !self.ir.branches => continue,
                StepDep::Local(ti) => (
                    self.document_name(),
                    self.wf.workflow_id.clone(),
                    self.wf
                        .steps
                        .get(*ti)
                        .map_or_else(String::new, |s| s.step_id.clone()),
                ),
                StepDep::Other {
                    doc,
                    workflow,
                    step,
                } => (self.document_name_of(*doc), workflow.clone(), step.clone()),
            };
            out.extend(quote! { run.require(&visit, (#doc, #workflow, #id), #needs)?; });
        }
        out
    }

    /// The id of step `si`, for an action that goes there.
    fn step_id(&self, si: usize) -> Result<&str, String> {
        self.wf
            .steps
            .get(si)
            .map(|s| s.step_id.as_str())
            .ok_or_else(|| format!("an action goes to step {si}, which does not exist"))
    }

    /// The exchange of step `si`.
    fn here(&self, si: usize) -> Here {
        Here {
            step: si,
            var: self.locals.exchange(si),
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

/// `types::X` of a client module, as seen from the top of the generated file: every path
/// that starts at `types` (`Vec<types::X>` too), not only a leading one, gets the module.
fn qualify(ty: &TokenStream, module: &syn::Ident) -> TokenStream {
    struct Qualify<'m>(&'m syn::Ident);
    impl syn::visit_mut::VisitMut for Qualify<'_> {
        fn visit_path_mut(&mut self, path: &mut syn::Path) {
            if path.leading_colon.is_none()
                && path.segments.first().is_some_and(|s| s.ident == "types")
            {
                path.segments
                    .insert(0, syn::PathSegment::from(self.0.clone()));
            }
            syn::visit_mut::visit_path_mut(self, path);
        }
    }
    match syn::parse2::<syn::Type>(ty.clone()) {
        Ok(mut t) => {
            syn::visit_mut::VisitMut::visit_type_mut(&mut Qualify(module), &mut t);
            t.to_token_stream()
        }
        Err(_) => ty.clone(),
    }
}
