//! A step in straight-line code, and a step that calls a workflow.

use super::*;

impl Workflow_<'_> {
    /// A step that calls another workflow, of this document or of an Arazzo source: its
    /// inputs from the step's parameters, its outputs read as `$outputs.<name>`, typed as the
    /// called workflow's. The called workflow's error is this workflow's error.
    pub(super) fn workflow_step(
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
            let f: syn::Ident = syn::parse_str(&self.inner[workflow]).map_err(|e| e.to_string())?;
            let with_status = self.with_status.contains(&workflow);
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
                .functions
                .get(workflow)
                .and_then(|f| syn::parse_str(f).ok())
                .ok_or("an unknown workflow")?;
            let (path, field) = (&other.path, &other.field);
            let with_status = other.with_status.contains(&workflow);
            (quote!(#path::#f), quote!(&clients.#field), with_status)
        };
        let var = self.here(si);
        let status = with_status.then(|| self.locals.status(var.step));
        let called_types = crate::resolve::workflow_ir(self.input.workflows, doc, workflow)
            .map(|w| w.types.outputs.clone())
            .unwrap_or_default();
        let mut entries = Vec::new();
        for p in self.ir.steps[si]
            .parameters
            .iter()
            .filter(|p| p.location.is_none())
        {
            let value = self.value(&p.read, false, required, diags, &child(&p.at, "value"))?;
            let name = p.name.as_str();
            entries.push(quote! { #name: #value });
        }
        let mut outputs = Vec::new();
        for o in &self.ir.steps[si].outputs {
            let name = o.name.as_str();
            let e = o.expr.clone();
            if let (Some(Expr::StatusCode), Some(status)) = (&e, &status) {
                let local = self.locals.output(si, name);
                let read = if self.state_machine {
                    quote!(::std::option::Option::Some(i64::from(#status)))
                } else {
                    quote!(i64::from(#status))
                };
                let t = Typed {
                    ty: ValueType::Integer,
                    required: true,
                };
                outputs.push((name.to_string(), local, t, read));
                continue;
            }
            let Some(Expr::Outputs(n)) = e else {
                return Err(format!(
                    "output `{name}` of step `{sid}` does not read `$outputs.<name>`"
                ));
            };
            let f = field(&n.name);
            let pointer = n.pointer.map(|p| p.to_string()).unwrap_or_default();
            let local = self.locals.output(si, name);
            // Read whole, an output keeps the called workflow's type (an `Option` here).
            // (The type inferred for the step output is the one to keep.)
            let inferred = self.ir.types.steps.get(sid).and_then(|o| o.get(name));
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
            outputs.push((name.to_string(), local, t, read));
        }
        // The criteria read the called workflow's outputs (there is no response).
        let criteria = self.ir.steps[si]
            .criteria
            .iter()
            .map(|c| Ok((c.text.clone(), self.criterion(c, &var)?)))
            .collect::<Result<Vec<_>, String>>()?;
        let mut call = quote! {
            ::std::boxed::Box::pin(#function(
                #clients,
                #rt::from_json(#sid, "the called workflow's inputs", ::serde_json::json!({ #(#entries),* }))?,
                run,
            ))
        };
        // 1.1: a step's own `timeout` bounds the called workflow.
        if let Some(ms) = self.ir.steps[si].timeout_ms {
            call = quote!(run.within(&visit, #ms, #call));
        }
        let (bind, read_status) = match &status {
            Some(status) => (quote!((#var, #status)), quote!(let _ = #status;)),
            None => (quote!(#var), TokenStream::new()),
        };
        Ok(StepParts {
            workflow_call: true,
            keyed: false,
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
    pub(super) fn step(
        &mut self,
        si: usize,
        step: &Step,
        required: &[String],
        diags: &mut Diagnostics,
    ) -> Result<TokenStream, String> {
        let rt = self.rt();
        let sid = step.step_id.as_str();
        let parts = self.step_parts(si, step, required, diags)?;
        let (request, var, keyed) = (&parts.request, &parts.var, parts.keyed);
        let visit = self.visit(si);
        let mut checks = TokenStream::new();
        for (text, cond) in &parts.criteria {
            let fails = &cond.fails;
            // A step that calls a workflow has its outputs, not a response.
            let error = if parts.workflow_call {
                quote!(Error::Unmet {
                    step: #sid,
                    criterion: #text,
                    outputs: #rt::to_json(&#var),
                })
            } else {
                quote!(run.failed(&visit, #text, #var, #keyed))
            };
            checks.extend(quote! {
                if #fails {
                    return ::std::result::Result::Err(#error);
                }
            });
        }
        let outputs = parts.outputs.iter().map(|(_, local, t, read)| {
            let ty = rust_type(t);
            quote! { let #local: #ty = #read; }
        });
        let record = self.record_outputs(&parts);
        Ok(quote! {
            #visit
            #request
            #checks
            run.criteria(&visit, ::std::option::Option::None);
            #(#outputs)*
            #record
        })
    }

    /// `run.outputs(&visit, ..)`: the step is done; its outputs go in the run's report (built
    /// only when the caller gets the report). Their types are kept for the `steps` module.
    pub(super) fn record_outputs(&mut self, parts: &StepParts) -> TokenStream {
        let rt = self.rt();
        let entries = parts
            .outputs
            .iter()
            .map(|(name, local, _, _)| quote! { (#name, #rt::to_json(&#local)) });
        let types = parts
            .outputs
            .iter()
            .map(|(name, _, t, _)| {
                // In a state machine each output is an `Option` until its step has run.
                let ty = if self.state_machine {
                    let inner = rust_type(&Typed {
                        required: true,
                        ..t.clone()
                    });
                    quote!(::std::option::Option<#inner>)
                } else {
                    rust_type(t)
                };
                (name.clone(), ty)
            })
            .collect();
        self.step_output_types.push((parts.var.step, types));
        quote! { run.outputs(&visit, || ::std::vec![#(#entries),*]); }
    }
}

impl Workflow_<'_> {
    /// The `steps` module: one type per step that has outputs, holding them as the run's
    /// report records them (`report.outputs::<steps::X>()`).
    pub(super) fn steps_module(&self) -> TokenStream {
        let public = self.input.runtime.public();
        let id = self.wf.workflow_id.as_str();
        let mut taken: Vec<String> = Vec::new();
        let mut types = TokenStream::new();
        let mut seen = BTreeSet::new();
        for (si, fields) in &self.step_output_types {
            if fields.is_empty() || !seen.insert(*si) {
                continue;
            }
            let Some(step) = self.wf.steps.get(*si) else {
                continue;
            };
            let sid = step.step_id.as_str();
            let mut name = names::ident(sid, Case::Camel)
                .trim_start_matches("r#")
                .to_string();
            while taken.contains(&name) {
                name.push('_');
            }
            taken.push(name.clone());
            let Ok(ty) = syn::parse_str::<syn::Ident>(&name) else {
                continue;
            };
            let fields = fields.iter().map(|(output, t)| {
                let f = field(output);
                let doc = format!("Output `{output}`.");
                quote! { #[doc = #doc] #[serde(rename = #output)] pub #f: #t, }
            });
            let doc = format!("The outputs of step `{sid}`.");
            types.extend(quote! {
                #[doc = #doc]
                #[derive(::std::clone::Clone, ::std::fmt::Debug, ::std::cmp::PartialEq, ::serde::Serialize, ::serde::Deserialize)]
                pub struct #ty { #(#fields)* }
                impl #public::StepOutputs for #ty {
                    const WORKFLOW: &'static str = #id;
                    const STEP: &'static str = #sid;
                }
            });
        }
        if types.is_empty() {
            return TokenStream::new();
        }
        quote! {
            /// The outputs of its steps, typed, as a run's report holds them.
            pub mod steps {
                #types
            }
        }
    }
}
