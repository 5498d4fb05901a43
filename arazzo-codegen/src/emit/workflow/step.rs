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
                let read_later = self.ir.reads.step_output_read(si, name, &self.unsent);
                let local = self.locals.output(si, name, read_later);
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
            let local = self.locals.output(si, name, read_later);
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
            outputs.push((local, t, read));
        }
        // The criteria read the called workflow's outputs (there is no response).
        let criteria = self.ir.steps[si]
            .criteria
            .iter()
            .map(|c| Ok((c.text.clone(), self.criterion(c, &var)?)))
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
        let (request, var) = (&parts.request, &parts.var);
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
                quote!(Error::Failed {
                    step: #sid,
                    criterion: #text,
                    status: #var.status,
                    body: ::std::option::Option::Some(#var.body),
                })
            };
            checks.extend(quote! {
                if #fails {
                    return ::std::result::Result::Err(#error);
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
}
