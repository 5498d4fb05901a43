//! A workflow's function: its inputs, dependencies, steps in order or as a state machine, and
//! outputs; and the dispatcher that runs a workflow by id.

use super::*;

impl Workflow_<'_> {
    pub(super) fn function(
        &mut self,
        ident: &str,
        diags: &mut Diagnostics,
    ) -> Result<TokenStream, String> {
        let rt = self.rt();
        let wf = self.wf;
        self.unsent = self.unsent_parameters();
        let (inputs_struct, required_inputs) = self.inputs_struct(diags);
        self.state_machine = self.ir.branches;
        // The workflows it depends on run first, in order, on the same inputs.
        let mut body = TokenStream::new();
        let siblings = &self.document().doc.workflows;
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
                syn::parse_str(&self.inner[wi]).map_err(|e| e.to_string())?;
            let local = dependency_local(dep);
            // A workflow whose callers read its status returns that too.
            let bind = if self.with_status.contains(&wi) {
                quote!((#local, _))
            } else {
                quote!(#local)
            };
            body.extend(quote! {
                let #bind = ::std::boxed::Box::pin(#function(
                    clients,
                    #rt::from_json(#dep, "the inputs, passed on", #rt::to_json(&inputs))?,
                    run,
                ))
                .await?;
                let _ = &#local;
            });
        }
        if self.state_machine {
            body.extend(self.state_body(&required_inputs, diags)?);
        } else {
            // In the order they run in (1.1 `dependsOn` may move a step later).
            for &si in &self.ir.order {
                let step = wf.steps.get(si).ok_or("a step out of range")?;
                body.extend(self.step(si, step, &required_inputs, diags)?);
            }
            // The status of the last response, for callers that read it.
            if self.own_status {
                let last = *self.ir.order.last().ok_or("a workflow without steps")?;
                let status = self.status_of(&self.here(last))?;
                body.extend(quote! { let last_status: u16 = #status; });
            }
        }
        let mut out_fields = Vec::new();
        let mut out_values = Vec::new();
        let names: Vec<&str> = self.ir.outputs.iter().map(|o| o.name.as_str()).collect();
        one_field_each("outputs", &names)?;
        for step in &wf.steps {
            let names: Vec<&str> = step.outputs.keys().map(String::as_str).collect();
            one_field_each(&format!("step `{}`'s outputs", step.step_id), &names)?;
        }
        for o in &self.ir.outputs {
            let name = &o.name;
            let f = field(name);
            let mut t = self.ir.types.outputs.get(name).cloned().unwrap_or(Typed {
                ty: ValueType::Json("unknown".into()),
                required: false,
            });
            if self.state_machine && matches!(o.expr, Some(Expr::Steps(_))) {
                // The step may not have run on the path taken.
                t.required = false;
            }
            let ty = rust_type(&t);
            let doc = match &t.ty {
                ValueType::Json(reason) => format!("`{name}`: untyped JSON ({reason})."),
                _ => format!("`{name}`."),
            };
            out_fields.push(quote! { #[doc = #doc] #[serde(rename = #name)] pub #f: #ty, });
            let e = o.expr.as_ref().ok_or("a workflow output does not parse")?;
            let value = self.output_value(e, name, &t)?;
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
        // A state machine whose steps never go back is a loop that never loops.
        let allow = if self.state_machine && !self.sets_next.get() {
            quote!(#[allow(clippy::never_loop)])
        } else {
            TokenStream::new()
        };
        let mod_doc = format!(
            "The inputs and outputs of workflow `{}`, its steps' outputs, and `run`, which runs it with options.",
            wf.workflow_id
        );
        let steps_module = self.steps_module();
        let public = self.input.runtime.public();
        let inner: syn::Ident =
            syn::parse_str(&self.inner[self.index]).map_err(|e| e.to_string())?;
        let id = wf.workflow_id.as_str();
        let document = self.document_name();
        let timeout = self.input.step_timeout_ms;
        // Steps that call this workflow read the status of its last response.
        let (returns, returned, outputs_of) = if self.own_status {
            (
                quote!((#module::Outputs, u16)),
                quote!((#module::Outputs { #(#out_values)* }, last_status)),
                quote!(.map(|(outputs, _)| outputs)),
            )
        } else {
            (
                quote!(#module::Outputs),
                quote!(#module::Outputs { #(#out_values)* }),
                TokenStream::new(),
            )
        };
        let inner_doc = format!(
            "Workflow `{id}` within a caller's run (its steps, `goto` and `dependsOn` call it)."
        );
        let types = quote! {
            #[doc = #mod_doc]
            pub mod #module {
                #inputs_struct
                /// The workflow's outputs.
                #[derive(::std::clone::Clone, ::std::fmt::Debug, ::std::cmp::PartialEq, ::serde::Serialize, ::serde::Deserialize)]
                pub struct Outputs { #(#out_fields)* }
                #steps_module
                /// Runs the workflow with `options` (a run key for its idempotency keys, time
                /// bounds, transport retries, rate limits): its result, and a report of every
                /// step that ran.
                pub async fn run(
                    clients: &super::Clients,
                    inputs: Inputs,
                    options: &#public::RunOptions,
                ) -> #public::Reported<Outputs> {
                    let run = #rt::Run::start(options, #timeout);
                    let result = run.drive(super::#inner(clients, inputs, &run)).await #outputs_of;
                    run.finish(result)
                }
            }
        };
        Ok(quote! {
            #types
            #[doc = #doc]
            pub async fn #module(clients: &Clients, inputs: #module::Inputs) -> ::std::result::Result<#module::Outputs, Error> {
                // The result only: no deadline to drive by, no report to finish.
                let run = #rt::Run::start(&#rt::result_only(), #timeout);
                #inner(clients, inputs, &run).await #outputs_of
            }
            #[doc = #inner_doc]
            #[doc(hidden)]
            #allow
            pub async fn #inner(clients: &Clients, inputs: #module::Inputs, run: &#rt::Run) -> ::std::result::Result<#returns, Error> {
                let run = &run.workflow(#document, #id);
                #unused
                #body
                ::std::result::Result::Ok(#returned)
            }
        })
    }

    /// The document's file name: with the workflow id, what identifies a workflow in derived
    /// idempotency keys (the same on every machine, wherever the file lies).
    pub(super) fn document_name(&self) -> String {
        let display = self.input.ws.files.get(self.file).display();
        std::path::Path::new(display)
            .file_name()
            .map_or_else(|| display.to_string(), |n| n.to_string_lossy().into_owned())
    }

    /// [`Self::document_name`] of document `doc` of the workspace.
    pub(super) fn document_name_of(&self, doc: usize) -> String {
        let Some(d) = self.input.ws.arazzo.get(doc) else {
            return String::new();
        };
        let display = self.input.ws.files.get(d.file).display();
        std::path::Path::new(display)
            .file_name()
            .map_or_else(|| display.to_string(), |n| n.to_string_lossy().into_owned())
    }

    /// The `Inputs` type, and the names of the inputs that are always present. The type comes
    /// from typify; where typify cannot read the schema, each property is a plain field (a
    /// scalar, else JSON), with a note saying why.
    pub(super) fn inputs_struct(&mut self, diags: &mut Diagnostics) -> (TokenStream, Vec<String>) {
        let schema = self.wf.inputs.clone().unwrap_or(Value::Null);
        if schema.get("properties").is_some() {
            match super::super::inputs::with_typify(&schema, &self.wf.workflow_id) {
                Ok(t) => {
                    self.needs.add(&t.needs);
                    self.error_module = t.error_module.clone();
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
        let properties: Vec<(&String, &Value)> = schema
            .get("properties")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .collect();
        // Distinct field names, even for inputs whose Rust names would be one.
        let names: Vec<&str> = properties.iter().map(|(n, _)| n.as_str()).collect();
        let idents = crate::names::distinct(&names, Case::Snake);
        let mut input_fields = BTreeMap::new();
        let fields: Vec<TokenStream> = properties.iter().zip(&idents).map(|((name, s), ident)| {
            let f: syn::Ident = syn::parse_str(ident).unwrap_or_else(|_| field(name));
            let ty = rust_type(&Typed {
                ty: crate::infer::scalar(s).unwrap_or(ValueType::Json(String::new())),
                required: true,
            });
            let optional = !required.contains(name);
            let field_ty = if optional {
                quote!(::std::option::Option<#ty>)
            } else {
                ty.clone()
            };
            input_fields.insert(
                name.to_string(),
                super::super::inputs::InputField {
                    ident: f.clone(),
                    optional,
                    ty: syn::parse2(field_ty).unwrap_or_else(|_| syn::parse_quote!(::serde_json::Value)),
                },
            );
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
        }).collect();
        self.input_fields = input_fields;
        let tokens = quote! {
            /// The workflow's inputs.
            #[derive(::std::clone::Clone, ::std::fmt::Debug, ::std::default::Default, ::std::cmp::PartialEq, ::serde::Serialize, ::serde::Deserialize)]
            pub struct Inputs { #(#fields)* }
        };
        (tokens, required)
    }

    /// The parameters of the workflow's steps that are not sent, since the client has no
    /// setter for them (the pointers of their places): what they read is not read.
    pub(super) fn unsent_parameters(&self) -> Vec<String> {
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
}

/// `Clients::with_base_urls`, `WORKFLOWS` and `run_workflow`: every workflow function by its id,
/// with JSON inputs and outputs, for tools that choose the workflow at run time.
pub(super) fn dispatch(input: &Input<'_>, functions: &[(String, String)]) -> TokenStream {
    let rt = input.runtime.private();
    let public = input.runtime.public();
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
        #public::Reported {
            result: ::std::result::Result::Err(Error::UnknownWorkflow {
                workflow: workflow_id.to_string(),
            }),
            report: ::std::default::Default::default(),
        }
    };
    let arms: Vec<TokenStream> = functions
        .iter()
        .filter_map(|(id, ident)| {
            let f: syn::Ident = syn::parse_str(ident).ok()?;
            Some(quote! {
                #id => match ::serde_json::from_value::<#f::Inputs>(inputs) {
                    ::std::result::Result::Ok(inputs) => {
                        #f::run(clients, inputs, options).await.map(|outputs| #rt::to_json(&outputs))
                    }
                    ::std::result::Result::Err(e) => #public::Reported {
                        result: ::std::result::Result::Err(Error::Inputs { cause: e.to_string() }),
                        report: ::std::default::Default::default(),
                    },
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
            run_workflow_with(clients, workflow_id, inputs, &::std::default::Default::default())
                .await
                .result
        }

        /// Runs the workflow `workflow_id` with inputs given as JSON and `options`: its
        /// outputs as JSON, and the run's report.
        pub async fn run_workflow_with(
            clients: &Clients,
            workflow_id: &str,
            inputs: ::serde_json::Value,
            options: &#public::RunOptions,
        ) -> #public::Reported<::serde_json::Value> {
            let _ = (clients, &inputs, options);
            #body
        }
    }
}

/// An error when two of `names` (outputs) would be one Rust field, which the structs that hold
/// them cannot have: the workflow then gets no function, with a note saying why.
fn one_field_each(what: &str, names: &[&str]) -> Result<(), String> {
    let mut seen: BTreeMap<String, &str> = BTreeMap::new();
    for n in names {
        let f = field(n).to_string();
        if let Some(first) = seen.insert(f.clone(), n) {
            return Err(format!(
                "{what} `{first}` and `{n}` would both be the Rust field `{f}`"
            ));
        }
    }
    Ok(())
}
