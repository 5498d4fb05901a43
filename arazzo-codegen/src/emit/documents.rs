//! Which Arazzo documents get code: the one the user named, and each Arazzo source whose
//! workflows a generated step calls (transitively). Each such source gets a module of its own,
//! with its clients and workflows, generated before the documents that call it.

use std::collections::{BTreeMap, BTreeSet};

use quote::quote;

use super::workflow::DocRef;
use crate::diag::{Diagnostic, Diagnostics};
use crate::names::{self, Case};
use crate::resolve::{Target, WorkflowIr};
use crate::source::{child, index};
use crate::workspace::{SourceSlot, Workspace};

/// The documents to generate, and how they are named.
pub struct Plan {
    /// The documents in the order they are generated: each after those it calls; the root last.
    pub order: Vec<usize>,
    /// The module of each document other than the root, at the top of the file.
    pub modules: BTreeMap<usize, String>,
    /// For each document, the documents its steps call.
    calls: BTreeMap<usize, BTreeSet<usize>>,
}

/// Plans the documents to generate; `None` (with an error) when documents call each other's
/// workflows in a cycle, which nested `Clients` cannot hold.
pub fn plan(ws: &Workspace, workflows: &[WorkflowIr], diags: &mut Diagnostics) -> Option<Plan> {
    // Each call from one document into another, with where the first one is written.
    let mut calls: BTreeMap<usize, BTreeMap<usize, String>> = BTreeMap::new();
    for di in 0..ws.arazzo.len() {
        for ir in workflows.iter().filter(|w| w.doc == di && !w.skipped) {
            let wi = ir.index;
            for (si, s) in ir.steps.iter().enumerate() {
                if let Target::Workflow { doc, .. } = s.target {
                    if doc != di {
                        let at = child(
                            &index(&child(&index("/workflows", wi), "steps"), si),
                            "workflowId",
                        );
                        calls.entry(di).or_default().entry(doc).or_insert(at);
                    }
                }
            }
        }
        calls.entry(di).or_default();
    }
    // Depth first from the root: post-order, and any way back is a cycle.
    let callees = |di: usize| -> Vec<usize> {
        calls
            .get(&di)
            .map(|c| c.keys().rev().copied().collect())
            .unwrap_or_default()
    };
    let mut order = Vec::new();
    let mut state = vec![0u8; ws.arazzo.len()];
    if ws.arazzo.is_empty() {
        return None;
    }
    state[0] = 1;
    let mut stack: Vec<(usize, Vec<usize>)> = vec![(0, callees(0))];
    while let Some((di, pending)) = stack.last_mut() {
        let di = *di;
        let Some(next) = pending.pop() else {
            state[di] = 2;
            order.push(di);
            stack.pop();
            continue;
        };
        match state.get(next).copied() {
            Some(0) => {
                state[next] = 1;
                stack.push((next, callees(next)));
            }
            Some(1) => {
                let at = calls
                    .get(&di)
                    .and_then(|c| c.get(&next))
                    .cloned()
                    .unwrap_or_default();
                diags.push(
                    Diagnostic::error(format!(
                        "this step calls a workflow of `{}`, whose workflows call back into this document",
                        ws.files.get(ws.arazzo[next].file).display()
                    ))
                    .at(ws.files.loc(ws.arazzo[di].file, &at))
                    .help("Arazzo documents whose workflows call each other in a cycle are not supported; move the workflows into one document"),
                );
                return None;
            }
            _ => {}
        }
    }
    // Module names: breadth first from the root, each named after the source that first
    // reaches it.
    let root_names: Vec<&str> = ws.arazzo[0].sources.keys().map(String::as_str).collect();
    let mut taken = names::distinct(&root_names, Case::Snake);
    let mut modules = BTreeMap::new();
    let mut queue = std::collections::VecDeque::from([0usize]);
    while let Some(di) = queue.pop_front() {
        for &callee in calls.get(&di).map(|c| c.keys()).into_iter().flatten() {
            if callee == 0 || modules.contains_key(&callee) {
                continue;
            }
            let Some((field, _)) = field_of(ws, di, callee) else {
                continue;
            };
            let module = if di == 0 {
                field
            } else {
                let mut m = field;
                while taken.contains(&m) {
                    m.push('_');
                }
                taken.push(m.clone());
                m
            };
            modules.insert(callee, module);
            queue.push_back(callee);
        }
    }
    Some(Plan {
        order,
        modules,
        calls: calls
            .into_iter()
            .map(|(k, v)| (k, v.into_keys().collect()))
            .collect(),
    })
}

/// The `Clients` field (the source's identifier among the document's sources) and source name
/// through which document `di` reaches document `callee`.
fn field_of(ws: &Workspace, di: usize, callee: usize) -> Option<(String, String)> {
    let d = ws.arazzo.get(di)?;
    let names: Vec<&str> = d.sources.keys().map(String::as_str).collect();
    let idents = names::distinct(&names, Case::Snake);
    names
        .iter()
        .zip(idents)
        .find(|(n, _)| matches!(d.sources.get(**n), Some(SourceSlot::Arazzo(i)) if *i == callee))
        .map(|(n, i)| (i, n.to_string()))
}

/// The workflows (document, index) whose callers read the status of their last response:
/// those called by a step that reads `$statusCode`, and (since their last step may be such a
/// call) every workflow those call in turn.
pub fn status_read(ws: &Workspace, workflows: &[WorkflowIr]) -> BTreeSet<(usize, usize)> {
    let calls = |di: usize, wi: usize| -> Vec<(usize, usize, bool)> {
        let Some(ir) = crate::resolve::workflow_ir(workflows, di, wi).filter(|w| !w.skipped) else {
            return Vec::new();
        };
        // A step's criteria come from the step (reusable actions included) and the
        // workflow's actions.
        let shared = ir.reads.status_code_in_workflow_actions;
        ir.steps
            .iter()
            .enumerate()
            .filter_map(|(si, s)| match s.target {
                Target::Workflow { doc, workflow } => {
                    Some((doc, workflow, shared || ir.reads.status_code.contains(&si)))
                }
                _ => None,
            })
            .collect()
    };
    let mut marked = BTreeSet::new();
    let mut queue: Vec<(usize, usize)> = Vec::new();
    for (di, d) in ws.arazzo.iter().enumerate() {
        for wi in 0..d.doc.workflows.len() {
            for (doc, workflow, reads) in calls(di, wi) {
                if reads && marked.insert((doc, workflow)) {
                    queue.push((doc, workflow));
                }
            }
        }
    }
    while let Some((di, wi)) = queue.pop() {
        for (doc, workflow, _) in calls(di, wi) {
            if marked.insert((doc, workflow)) {
                queue.push((doc, workflow));
            }
        }
    }
    marked
}

impl Plan {
    /// The documents that document `di` calls, as its code refers to them; `done` holds the
    /// function names and functionless workflows of each document generated so far.
    pub fn callees_of(
        &self,
        ws: &Workspace,
        di: usize,
        done: &BTreeMap<usize, super::workflow::Emitted>,
    ) -> BTreeMap<usize, DocRef> {
        let mut out = BTreeMap::new();
        for &callee in self.calls.get(&di).into_iter().flatten() {
            let (Some(module), Some(emitted), Some((field, _))) = (
                self.modules.get(&callee),
                done.get(&callee),
                field_of(ws, di, callee),
            ) else {
                continue;
            };
            let (Ok(module), Ok(field)) = (
                syn::parse_str::<syn::Ident>(module),
                syn::parse_str::<syn::Ident>(&field),
            ) else {
                continue;
            };
            let path = if di == 0 {
                quote!(#module)
            } else {
                quote!(super::#module)
            };
            out.insert(
                callee,
                DocRef {
                    path,
                    field,
                    functions: emitted.inner.clone(),
                    unavailable: emitted.unavailable.clone(),
                    with_status: emitted.with_status.clone(),
                },
            );
        }
        out
    }
}
