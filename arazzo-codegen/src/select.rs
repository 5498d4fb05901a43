//! Which workflows are generated: those a build selects (with what they call), and, with
//! `skip_invalid_workflows`, every workflow that checks clean, each other one left out with a
//! warning that lists its errors. The driver ([`crate::builder`]) runs the phases again with
//! the left-out workflows excluded until nothing more is left out.

use std::collections::{BTreeMap, BTreeSet};

use crate::diag::{Diagnostic, Severity};
use crate::resolve::{ActionKind, Target, WorkflowIr};
use crate::source::{child, index};
use crate::workspace::Workspace;

/// A workflow, as (document index, workflow index).
pub type WorkflowKey = (usize, usize);

/// Why a workflow is left out.
#[derive(Clone, Debug)]
pub enum Reason {
    /// Its own errors.
    Errors(Vec<Diagnostic>),
    /// It calls, or reads the outputs of, a workflow that is left out.
    Calls(WorkflowKey),
}

/// The workflows `w` runs or reads: those its steps call, those its actions go to or retry
/// through, and those of its document it depends on.
pub fn callees(w: &WorkflowIr) -> BTreeSet<WorkflowKey> {
    let mut out: BTreeSet<WorkflowKey> = w.depends_on.iter().map(|&d| (w.doc, d)).collect();
    for s in &w.steps {
        if let Target::Workflow { doc, workflow } = s.target {
            out.insert((doc, workflow));
        }
        for a in s.on_success.iter().chain(&s.on_failure) {
            match &a.kind {
                ActionKind::GotoWorkflow(c)
                | ActionKind::Retry {
                    workflow: Some(c), ..
                } => {
                    out.insert((c.doc, c.workflow));
                }
                _ => {}
            }
        }
    }
    out
}

/// The workflows the selected ids of the root document reach (themselves included), and the
/// ids that name no workflow of it.
pub fn reached(
    workflows: &[WorkflowIr],
    selected: &[String],
) -> (BTreeSet<WorkflowKey>, Vec<String>) {
    let mut keep = BTreeSet::new();
    let mut unknown = Vec::new();
    let mut queue = Vec::new();
    for id in selected {
        match workflows.iter().find(|w| w.doc == 0 && &w.id == id) {
            Some(w) => queue.push((w.doc, w.index)),
            None => unknown.push(id.clone()),
        }
    }
    while let Some(k) = queue.pop() {
        if !keep.insert(k) {
            continue;
        }
        if let Some(w) = crate::resolve::workflow_ir(workflows, k.0, k.1) {
            queue.extend(callees(w));
        }
    }
    (keep, unknown)
}

/// The workflows not yet left out that call one that is (directly or through others), each
/// with the left-out workflow it calls.
pub fn callers_of(
    workflows: &[WorkflowIr],
    left_out: &BTreeSet<WorkflowKey>,
) -> BTreeMap<WorkflowKey, WorkflowKey> {
    let mut out: BTreeMap<WorkflowKey, WorkflowKey> = BTreeMap::new();
    loop {
        let mut grew = false;
        for w in workflows {
            let k = (w.doc, w.index);
            if left_out.contains(&k) || out.contains_key(&k) {
                continue;
            }
            if let Some(c) = callees(w)
                .into_iter()
                .find(|c| left_out.contains(c) || out.contains_key(c))
            {
                out.insert(k, c);
                grew = true;
            }
        }
        if !grew {
            return out;
        }
    }
}

/// The workflows to leave out besides those already `left_out`, each with why: those that
/// `items` record errors against, and those that call one that is left out.
pub fn more_to_leave_out(
    workflows: &[WorkflowIr],
    left_out: &BTreeSet<WorkflowKey>,
    items: &[Diagnostic],
) -> BTreeMap<WorkflowKey, Reason> {
    let mut why: BTreeMap<WorkflowKey, Reason> = BTreeMap::new();
    for d in items.iter().filter(|d| d.severity == Severity::Error) {
        if let Some(k) = d.workflow().filter(|k| !left_out.contains(k)) {
            match why.entry(k).or_insert_with(|| Reason::Errors(Vec::new())) {
                Reason::Errors(errors) => errors.push(d.clone()),
                Reason::Calls(_) => {}
            }
        }
    }
    let mut out = left_out.clone();
    out.extend(why.keys().copied());
    for (k, callee) in callers_of(workflows, &out) {
        why.insert(k, Reason::Calls(callee));
    }
    why
}

/// The warning for a workflow left out: it names the workflow and lists its errors, each on a
/// line of its own with its place, or the left-out workflow it calls.
pub fn skipped_warning(ws: &Workspace, key: WorkflowKey, why: &Reason) -> Diagnostic {
    let id = |k: WorkflowKey| {
        ws.arazzo
            .get(k.0)
            .and_then(|d| d.doc.workflows.get(k.1))
            .map_or_else(String::new, |w| w.workflow_id.clone())
    };
    let mut d = match why {
        Reason::Errors(errors) => {
            let n = errors.len();
            let mut d = Diagnostic::warning(format!(
                "workflow `{}` is not generated: it has {n} error{}",
                id(key),
                if n == 1 { "" } else { "s" }
            ));
            for e in errors {
                d = d.with_note(e.one_line());
            }
            d
        }
        Reason::Calls(callee) => Diagnostic::warning(format!(
            "workflow `{}` is not generated: it runs or reads workflow `{}`, which is not generated",
            id(key),
            id(*callee)
        )),
    }
    .kind("skipped-workflow");
    if let Some(doc) = ws.arazzo.get(key.0) {
        d = d.at(ws
            .files
            .loc(doc.file, &child(&index("/workflows", key.1), "workflowId")));
    }
    d
}
