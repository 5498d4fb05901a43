//! Workflows that branch, loop or retry, generated as a state machine: a loop over a `match` on
//! the next step's index. Each step's success and failure actions are tried in order, the first
//! whose criteria hold wins: `end`, `goto` a step or a workflow (which then runs on the same
//! inputs, and this one ends), or (on failure) `retry` with `retryAfter`
//! (a `Retry-After` response header in seconds takes precedence) until `retryLimit` (default 1)
//! is used up, after which the later failure actions are tried; a `retry` that names a workflow
//! or another step runs it first, and control comes back. A workflow's own success and
//! failure actions apply to each step that has none. A step budget bounds loops. The first
//! step, and the step each one goes on to, follow the order the steps run in (the document's,
//! unless 1.1 `dependsOn` moves one).

use proc_macro2::{Literal, TokenStream};
use quote::quote;

use super::Here;
use super::{rust_type, Workflow_};
use crate::diag::Diagnostics;
use crate::infer::Typed;
use crate::resolve::{ActionIr, ActionKind, WorkflowCall};

impl Workflow_<'_> {
    /// The body of a state-machine workflow function.
    pub(super) fn state_body(
        &mut self,
        required: &[String],
        diags: &mut Diagnostics,
    ) -> Result<TokenStream, String> {
        let rt = self.rt();
        let wf = self.wf;
        let count = wf.steps.len();
        let order = self.ir.order.clone();
        let mut decls = TokenStream::new();
        let mut arms = TokenStream::new();
        let mut retries = false;
        // The steps a `retry` runs before trying its own step again: once such a step has
        // run, control goes back to the step that retries (`resume`).
        let excursions: std::collections::BTreeSet<usize> = self
            .ir
            .steps
            .iter()
            .enumerate()
            .flat_map(|(si, s)| {
                s.on_failure.iter().filter_map(move |a| match a.kind {
                    ActionKind::Retry { step: Some(j), .. } if j != si => Some(j),
                    _ => None,
                })
            })
            .collect();
        if !excursions.is_empty() {
            decls.extend(quote! {
                let mut resume: ::std::option::Option<usize> = ::std::option::Option::None;
            });
        }
        for (si, step) in wf.steps.iter().enumerate() {
            let sid = step.step_id.as_str();
            let parts = self.step_parts(si, step, required, diags)?;
            let var = &parts.var;
            let request = &parts.request;
            let (visit, keyed) = (self.visit(si), parts.keyed);
            let mut assigns = TokenStream::new();
            // Outputs are read as optional here: the response that succeeded may be one whose
            // schema lacks them (a 404 that a criterion accepts).
            // One that a later step or the outputs read lives across steps; one only the
            // report reads lives in the step's arm.
            for (name, local, t, read) in &parts.outputs {
                let inner = rust_type(&Typed {
                    required: true,
                    ..t.clone()
                });
                if self.ir.reads.step_output_read(si, name, &self.unsent) {
                    decls.extend(quote! {
                        let mut #local: ::std::option::Option<#inner> = ::std::option::Option::None;
                    });
                    assigns.extend(quote! { #local = #read; });
                } else {
                    assigns.extend(quote! {
                        let #local: ::std::option::Option<#inner> = #read;
                    });
                }
            }
            assigns.extend(self.record_outputs(&parts));
            if excursions.contains(&si) {
                self.sets_next.set(true);
                assigns.extend(quote! {
                    if let ::std::option::Option::Some(back) = resume.take() {
                        next = back;
                        continue 'steps;
                    }
                });
            }
            let mut failed = quote!(::std::option::Option::None);
            for (text, cond) in parts.criteria.iter().rev() {
                let fails = &cond.fails;
                failed = quote! {
                    if #fails { ::std::option::Option::Some(#text) } else { #failed }
                };
            }
            // Actions in order; an action without criteria that always leaves the step makes
            // what follows unreachable, so nothing follows it. (A step without actions of its
            // own has the workflow's.)
            let ir = &self.ir.steps[si];
            let all: Vec<&ActionIr> = ir.on_success.iter().collect();
            let (on_success, left) = self.actions(&all, si, var, true, &mut retries)?;
            let failures = &ir.on_failure;
            let all: Vec<&ActionIr> = failures.iter().collect();
            let (on_failure, failure_left) = self.actions(&all, si, var, false, &mut retries)?;
            // A criterion that does not hold: the failure actions, then (unless one always
            // leaves) the error.
            let unmet = |error: TokenStream| {
                if failure_left {
                    quote! { ::std::option::Option::Some(_) => { #on_failure } }
                } else {
                    quote! {
                        ::std::option::Option::Some(criterion) => {
                            #on_failure
                            return ::std::result::Result::Err(#error);
                        }
                    }
                }
            };
            let fail = unmet(quote! { run.failed(&visit, criterion, #var, #keyed) });
            // Then the next step in the order the steps run in (the document's, unless 1.1
            // `dependsOn` moved one).
            let successor = order
                .iter()
                .position(|&s| s == si)
                .and_then(|p| order.get(p + 1));
            let after = if left {
                TokenStream::new()
            } else if let Some(&next) = successor {
                let next = Literal::usize_unsuffixed(next);
                self.sets_next.set(true);
                quote! { next = #next; }
            } else {
                quote! { break 'steps; }
            };
            let index = Literal::usize_unsuffixed(si);
            if parts.workflow_call {
                // The called workflow's error is this step's failure, and so are outputs that
                // fail the step's criteria: its failure actions run, else it is this workflow's
                // error. After an error there are no outputs, so only the failure actions
                // without criteria apply.
                let call = &parts.call;
                let without_criteria: Vec<&ActionIr> =
                    failures.iter().filter(|a| a.criteria.is_empty()).collect();
                let (bare, bare_left) =
                    self.actions(&without_criteria, si, var, false, &mut retries)?;
                let errored = if bare_left {
                    quote! { ::std::result::Result::Err(_) => { #bare } }
                } else {
                    quote! {
                        ::std::result::Result::Err(error) => {
                            #bare
                            return ::std::result::Result::Err(error);
                        }
                    }
                };
                let unmet = unmet(quote! {
                    Error::Unmet {
                        step: #sid,
                        criterion,
                        outputs: #rt::to_json(&#var),
                    }
                });
                let succeeded = quote! {
                    let _ = &#var;
                    #assigns
                    #on_success
                    #after
                };
                let checked = if parts.criteria.is_empty() {
                    succeeded
                } else {
                    quote! {
                        let failed: ::std::option::Option<&'static str> = #failed;
                        run.criteria(&visit, failed);
                        match failed {
                            ::std::option::Option::None => { #succeeded }
                            #unmet
                        }
                    }
                };
                let (bind, track) = match &parts.status {
                    Some(status) => (
                        quote!((#var, #status)),
                        if self.own_status {
                            quote!(last_status = #status;)
                        } else {
                            quote!(let _ = #status;)
                        },
                    ),
                    None => (quote!(#var), TokenStream::new()),
                };
                arms.extend(quote! {
                    #index => {
                        #visit
                        match #call.await {
                            ::std::result::Result::Ok(#bind) => { #track #checked }
                            #errored
                        }
                    }
                });
                continue;
            }
            let track = if self.own_status {
                quote!(last_status = #var.status;)
            } else {
                TokenStream::new()
            };
            arms.extend(quote! {
                #index => {
                    #visit
                    #request
                    #track
                    let failed: ::std::option::Option<&'static str> = #failed;
                    run.criteria(&visit, failed);
                    match failed {
                        ::std::option::Option::None => {
                            #assigns
                            #on_success
                            #after
                        }
                        #fail
                    }
                }
            });
        }
        let budget = self.input.step_budget;
        // A single step that never goes back reads `next` once and never sets it.
        let mutable = if self.sets_next.get() {
            quote!(mut)
        } else {
            TokenStream::new()
        };
        let attempts = if retries {
            let n = Literal::usize_unsuffixed(count);
            quote! { let mut attempts = [0u32; #n]; }
        } else {
            TokenStream::new()
        };
        // The status of the last response, for callers that read it.
        let last = if self.own_status {
            quote! { let mut last_status: u16 = 0; }
        } else {
            TokenStream::new()
        };
        let first = Literal::usize_unsuffixed(order.first().copied().unwrap_or(0));
        Ok(quote! {
            #decls
            #last
            #attempts
            let #mutable next: usize = #first;
            let mut steps_run: u32 = 0;
            'steps: loop {
                steps_run += 1;
                if steps_run > #budget {
                    return ::std::result::Result::Err(Error::StepBudget { limit: #budget });
                }
                match next {
                    #arms
                    _ => break 'steps,
                }
            }
        })
    }

    /// Success or failure actions in order, and whether one always leaves the step (an action
    /// without criteria that ends or goes elsewhere makes what follows unreachable, so nothing
    /// follows it).
    fn actions(
        &self,
        list: &[&ActionIr],
        si: usize,
        var: &Here,
        success: bool,
        retries: &mut bool,
    ) -> Result<(TokenStream, bool), String> {
        let mut out = TokenStream::new();
        for a in list {
            let (tokens, leaves) = self.action(a, si, var, success, retries)?;
            out.extend(tokens);
            if leaves {
                return Ok((out, true));
            }
        }
        Ok((out, false))
    }

    /// One success or failure action: `if <criteria> { <action> }`, and whether it always
    /// leaves the step (no criteria, and it ends or goes elsewhere).
    fn action(
        &self,
        action: &ActionIr,
        si: usize,
        var: &Here,
        success: bool,
        retries: &mut bool,
    ) -> Result<(TokenStream, bool), String> {
        let rt = self.rt();
        let public = self.input.runtime.public();
        let conds = action
            .criteria
            .iter()
            .map(|c| self.criterion(c, var).map(|t| t.holds))
            .collect::<Result<Vec<_>, String>>()?;
        let body = match (&action.kind, success) {
            (ActionKind::End, true) => quote! {
                run.action(&visit, #public::Action::End);
                break 'steps;
            },
            (ActionKind::End, false) => TokenStream::new(), // the failure that follows ends it
            (ActionKind::GotoStep(j), _) => {
                let target = self.step_id(*j)?;
                let j = Literal::usize_unsuffixed(*j);
                self.sets_next.set(true);
                quote! {
                    run.action(&visit, #public::Action::GotoStep(#target));
                    next = #j;
                    continue 'steps;
                }
            }
            // Control passes to that workflow, on the same inputs; this one then ends.
            (ActionKind::GotoWorkflow(called), _) => {
                let id = called.id.as_str();
                let call = self.call_workflow(called)?;
                quote! {
                    run.action(&visit, #public::Action::GotoWorkflow(#id));
                    #call;
                    break 'steps;
                }
            }
            (
                ActionKind::Retry {
                    step,
                    workflow,
                    limit,
                    after,
                },
                false,
            ) => {
                *retries = true;
                let limit = u32::try_from(*limit).unwrap_or(u32::MAX);
                let here = Literal::usize_unsuffixed(si);
                self.sets_next.set(true);
                // A called workflow has no `Retry-After` header: `retryAfter` alone.
                let delay = if self.workflow_call_in(var).is_some() {
                    quote!(#rt::retry_delay(&::reqwest::header::HeaderMap::new(), #after))
                } else {
                    quote!(#rt::retry_delay(&#var.headers, #after))
                };
                // What runs before the step is tried again: the workflow named (its failure
                // is this workflow's; the wait is read from the failed response before it
                // runs), or the step named, after which control comes back here (`resume`).
                // This step's next visit is the retry (same idempotency key).
                let own = self.step_id(si)?;
                let wait = match (workflow, step.filter(|j| *j != si)) {
                    (Some(called), _) => {
                        let call = self.call_workflow(called)?;
                        quote! {
                            let delay = #delay;
                            run.retry(&visit, #own);
                            #call;
                            #rt::sleep(delay).await;
                            next = #here;
                        }
                    }
                    (None, Some(j)) => {
                        let target = Literal::usize_unsuffixed(j);
                        quote! {
                            run.retry(&visit, #own);
                            #rt::sleep(#delay).await;
                            resume = ::std::option::Option::Some(#here);
                            next = #target;
                        }
                    }
                    (None, None) => quote! {
                        run.retry(&visit, #own);
                        #rt::sleep(#delay).await;
                        next = #here;
                    },
                };
                // The criteria and the attempts left, in one condition.
                return Ok((
                    quote! {
                        if #((#conds) &&)* attempts[#here] < #limit {
                            attempts[#here] += 1;
                            #wait
                            continue 'steps;
                        }
                    },
                    false,
                ));
            }
            (ActionKind::Retry { .. }, true) => {
                return Err("a retry action among success actions".into())
            }
        };
        if body.is_empty() {
            return Ok((TokenStream::new(), false));
        }
        let leaves = !matches!(action.kind, ActionKind::Retry { .. });
        if conds.is_empty() {
            return Ok((body, leaves));
        }
        let cond = if conds.len() == 1 {
            conds[0].clone()
        } else {
            quote!(#((#conds))&&*)
        };
        Ok((quote! { if #cond { #body } }, false))
    }

    /// Running the workflow an action names, to completion (`?`: its failure is this
    /// workflow's): on the same inputs, or (1.1) on those the action's parameters give.
    fn call_workflow(&self, called: &WorkflowCall) -> Result<TokenStream, String> {
        let rt = self.rt();
        let id = called.id.as_str();
        if called.doc != self.input.doc {
            return Err(format!(
                "an action runs `{id}`, which is not a workflow of this document"
            ));
        }
        if self.unavailable.contains(&called.workflow) {
            return Err(format!(
                "an action runs workflow `{id}`, which has no function"
            ));
        }
        let function: syn::Ident =
            syn::parse_str(&self.inner[called.workflow]).map_err(|e| e.to_string())?;
        let inputs = if called.inputs.is_empty() {
            quote!(#rt::from_json(#id, "the inputs, passed on", #rt::to_json(&inputs))?)
        } else {
            // 1.1: the action's parameters are the inputs (optional inputs read as they are:
            // nothing here needs one).
            let mut quiet = Diagnostics::new(false);
            let entries = called
                .inputs
                .iter()
                .map(|(name, read, at)| {
                    let value = self.json(read, &[], &mut quiet, at)?;
                    Ok(quote! { #name: #value })
                })
                .collect::<Result<Vec<_>, String>>()?;
            quote! {
                #rt::from_json(#id, "the inputs the action gives", ::serde_json::json!({ #(#entries),* }))?
            }
        };
        Ok(quote! { ::std::boxed::Box::pin(#function(clients, #inputs, run)).await? })
    }
}
