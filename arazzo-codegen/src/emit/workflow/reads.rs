//! Reading what earlier steps, the request, the workflow's inputs and called workflows hold.

use super::*;
use quote::ToTokens;

impl Workflow_<'_> {
    /// The step whose exchange (or called workflow's outputs) is in `var`: step N's is the
    /// local `step_N`.
    pub(super) fn step_of(&self, var: &Here) -> Option<(usize, &Step)> {
        Some((var.step, self.wf.steps.get(var.step)?))
    }

    /// `$request.body` of the step whose exchange is in `var` (`step_N`): the body it sent, as
    /// JSON (`null` for a step without one).
    pub(super) fn request_body(&self, var: &Here) -> Result<TokenStream, String> {
        let (_, step) = self.step_of(var).ok_or("a request body outside a step")?;
        if step
            .request_body
            .as_ref()
            .and_then(|b| b.payload.as_ref())
            .is_none()
        {
            return Ok(quote!(::serde_json::Value::Null));
        }
        let local = self.locals.request_body(var.step);
        Ok(quote!(#local))
    }

    /// The HTTP method (upper case, as `$method` reads it) of the operation step whose exchange
    /// is in `var` (`step_N`).
    pub(super) fn method_of(&self, var: &Here) -> Option<String> {
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
    pub(super) fn workflow_call_in(&self, var: &Here) -> Option<(usize, usize, usize)> {
        let (si, _) = self.step_of(var)?;
        match self.ir.steps.get(si)?.target {
            Target::Workflow { doc, workflow } => Some((si, doc, workflow)),
            _ => None,
        }
    }

    /// The local variable holding a step output, and the output's type.
    pub(super) fn step_output_local(&self, n: &expr::Named) -> Result<(syn::Ident, Typed), String> {
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
        let local = self.locals.output(si, output);
        Ok((local, self.output_type(step, output)))
    }

    /// The type inferred for output `output` of step `step` (untyped JSON if none was).
    pub(super) fn output_type(&self, step: &str, output: &str) -> Typed {
        self.ir
            .types
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
    pub(super) fn step_and_output<'n>(
        &self,
        n: &'n expr::Named,
    ) -> Result<(&'n str, &'n str), String> {
        n.step_output(|step, output| {
            self.wf
                .steps
                .iter()
                .any(|s| s.step_id == step && s.outputs.contains_key(output))
        })
        .ok_or_else(|| "a step reference without `.outputs.`".to_string())
    }

    /// A step output read into with a JSON pointer, as JSON (`null` where there is nothing).
    pub(super) fn step_output_in_json(&self, n: &expr::Named) -> Result<TokenStream, String> {
        let rt = self.rt();
        let (local, pointer) = self.step_output_and_pointer(n)?;
        Ok(quote!(#rt::at(&#rt::to_json(&#local), #pointer)))
    }

    /// The local of the step output `n` reads into, and the pointer it reads at.
    fn step_output_and_pointer(&self, n: &expr::Named) -> Result<(syn::Ident, String), String> {
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
        Ok((local, pointer))
    }

    /// An output read through a JSON pointer into a step output, as the type `t` the response
    /// schema gives it (an `Option`); a value of another type is `Error::Output` of output
    /// `name` of step `step` (for a workflow output, the step it reads).
    pub(super) fn typed_step_output_read(
        &self,
        n: &expr::Named,
        step: &str,
        name: &str,
        t: &Typed,
    ) -> Result<TokenStream, String> {
        let rt = self.rt();
        let (local, pointer) = self.step_output_and_pointer(n)?;
        let inner = super::rust_type(&Typed {
            required: true,
            ..t.clone()
        });
        Ok(quote!(
            #rt::optional_output::<#inner>(#step, #name, &#rt::to_json(&#local), #pointer)?
        ))
    }

    /// A step output read earlier in the function, as a value of its type. In a state machine a
    /// required output whose step has not run is an error.
    pub(super) fn step_local(&self, n: &expr::Named) -> Result<TokenStream, String> {
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
    pub(super) fn workflow_output(&self, n: &expr::Named) -> Result<TokenStream, String> {
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
    pub(super) fn workflow_and_output<'n>(
        &self,
        n: &'n expr::Named,
    ) -> Result<(&'n str, &'n str), String> {
        let (id, _, output) = n
            .split_at_field(&["outputs"])
            .ok_or("a workflow reference without `.outputs.`")?;
        if let Some((owner, step)) = id.split_once(".steps.") {
            return Err(format!(
                "it reads output `{output}` of step `{step}` of workflow `{owner}`, and generated code does not read another workflow's step outputs"
            ));
        }
        let siblings = &self.document().doc.workflows;
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
    pub(super) fn workflow_output_typed(
        &self,
        n: &expr::Named,
    ) -> Result<Option<TokenStream>, String> {
        let (id, output) = self.workflow_and_output(n)?;
        let known = self.ir.types.depends.get(id).and_then(|o| o.get(output));
        let (local, f) = (dependency_local(id), field(output));
        Ok(known.map(|t| copied(quote!(#local.#f), t)))
    }

    /// An input read into (`$inputs.a#/b`, or the `$inputs.a.b` dialect the checker repairs)
    /// as JSON, `null` where there is nothing; `None` for a plain `$inputs.a`.
    pub(super) fn input_in_json(&self, n: &expr::Named) -> Option<TokenStream> {
        let rt = self.rt();
        // An input's own name may hold dots (`parameters.skip`): the dialect reads into the
        // longest declared name before a dot, as the checker did.
        let properties = self
            .wf
            .inputs
            .as_ref()
            .and_then(|i| i.get("properties"))
            .and_then(Value::as_object);
        let declared = |name: &str| properties.is_some_and(|p| p.contains_key(name));
        let head = if declared(&n.name) {
            None
        } else {
            n.name
                .char_indices()
                .rev()
                .filter(|&(_, c)| c == '.')
                .map(|(i, _)| i)
                .find(|&i| declared(&n.name[..i]))
        };
        let (name, dotted) = match head {
            Some(i) => (
                &n.name[..i],
                format!(
                    "/{}",
                    n.name[i + 1..]
                        .replace('~', "~0")
                        .replace('/', "~1")
                        .replace('.', "/")
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
    pub(super) fn input_field(&self, name: &str) -> TokenStream {
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

    /// Whether the workflow's outputs read step output `n` once, whole: then building them is
    /// its last use.
    fn last_read(&self, n: &expr::Named) -> bool {
        let Ok((step, output)) = self.step_and_output(n) else {
            return false;
        };
        let Some(si) = self.wf.steps.iter().position(|s| s.step_id == step) else {
            return false;
        };
        let outputs = child(&self.at, "outputs");
        let by_outputs = self
            .ir
            .reads
            .step_outputs
            .get(&(si, output.to_string()))
            .map_or(0, |places| {
                places
                    .iter()
                    .filter(|p| {
                        p.strip_prefix(outputs.as_str())
                            .is_some_and(|r| r.starts_with('/'))
                    })
                    .count()
            });
        n.pointer.is_none() && by_outputs == 1
    }

    /// The value of workflow output `name`, of type `t`, from the expression it reads.
    pub(super) fn output_value(
        &self,
        e: &Expr,
        name: &str,
        t: &Typed,
    ) -> Result<TokenStream, String> {
        match e {
            // 1.1: typed from the response schema (see `infer`): read and checked.
            Expr::Steps(n) if n.pointer.is_some() && !matches!(t.ty, ValueType::Json(_)) => {
                let (step, _) = n
                    .step_output(|_, _| false)
                    .ok_or("a workflow output that names no step output")?;
                self.typed_step_output_read(n, step, name, t)
            }
            Expr::Steps(n) if n.pointer.is_some() => {
                let v = self.step_output_in_json(n)?;
                Ok(quote!(::std::option::Option::Some(#v).filter(|v| !v.is_null())))
            }
            // Outputs are built last: a local no other output reads is moved, not cloned.
            Expr::Steps(n) if self.last_read(n) => {
                Ok(self.step_output_local(n)?.0.to_token_stream())
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
