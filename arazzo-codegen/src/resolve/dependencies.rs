//! Arazzo 1.1 step-level `dependsOn`: each entry linked to the step it names, in this
//! workflow, another workflow of this document, or a workflow of an Arazzo source.
//!
//! In a workflow without actions (it runs its steps once each, in one sequence) that uses
//! `dependsOn`, the steps run in an order that satisfies every dependency, explicit and implicit
//! (a step that reads `$steps.<id>.…` runs after that step): the document's order where it
//! allows, a step moved later only as far as its dependencies need. A workflow with actions
//! is ordered the same way by its `dependsOn` entries alone (a step there may read the outputs
//! of a later one that a `goto` back has run): its first step is the first in that order, and
//! a step with no action that leaves it goes on to the next in that order; a `goto` goes where
//! it says. There a dependency that may not have finished (a `goto` can skip a step) is
//! checked at run time, and so is one on a step of another workflow.
//!
//! Also the 1.1 reading of `$workflows.<id>.steps.<step>.outputs.<name>`, a value read
//! through the form of a `dependsOn` entry.

use super::*;

/// A step another step depends on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StepDep {
    /// A step of the same workflow, by index.
    Local(usize),
    /// A step of another workflow: its document (index into [`Workspace::arazzo`]), the
    /// workflow's id and the step's id.
    Other {
        /// The document.
        doc: usize,
        /// The workflow's id.
        workflow: String,
        /// The step's id.
        step: String,
    },
}

/// The order a workflow's steps run in (indices into its steps), and, if the dependencies
/// form a cycle, the steps on it. Without `dependsOn`, the document's order. In a workflow
/// with actions only `dependsOn` counts: there a step may read the outputs of a later one
/// that a `goto` back has run, which is no reason to move it.
pub(super) fn execution_order(wf: &Workflow) -> (Vec<usize>, Vec<usize>) {
    let n = wf.steps.len();
    let document: Vec<usize> = (0..n).collect();
    if wf.steps.iter().all(|s| s.depends_on.is_none()) {
        return (document, Vec::new());
    }
    let implicit = !wf.has_actions();
    let index = |id: &str| wf.steps.iter().position(|s| s.step_id == id);
    let own = format!("$workflows.{}.steps.", wf.workflow_id);
    // after[s]: the steps that must run before step s.
    let mut after: Vec<BTreeSet<usize>> = vec![BTreeSet::new(); n];
    for (si, s) in wf.steps.iter().enumerate() {
        for entry in s.depends_on.iter().flatten() {
            let local = entry.strip_prefix(&own).unwrap_or(entry);
            if let Some(t) = index(local).filter(|t| *t != si) {
                after[si].insert(t);
            }
        }
        if !implicit {
            continue;
        }
        // What the step reads of other steps' outputs, wherever in the step it stands.
        let text = serde_json::to_string(s).unwrap_or_default();
        for (ti, t) in wf.steps.iter().enumerate() {
            if ti != si && text.contains(&format!("$steps.{}.", t.step_id)) {
                after[si].insert(ti);
            }
        }
    }
    let mut order = Vec::with_capacity(n);
    let mut placed = vec![false; n];
    while order.len() < n {
        // The first step, in the document's order, whose dependencies have all run.
        let next = (0..n).find(|&s| !placed[s] && after[s].iter().all(|&t| placed[t]));
        match next {
            Some(s) => {
                placed[s] = true;
                order.push(s);
            }
            None => {
                let cycle = (0..n).filter(|&s| !placed[s]).collect();
                return (document, cycle);
            }
        }
    }
    (order, Vec::new())
}

impl<'a> Resolver<'a> {
    /// Reports the steps whose dependencies form a cycle, at each one's `dependsOn`.
    pub(super) fn dependency_cycle(&mut self, wf: &Workflow, at: &str, cycle: &[usize]) {
        let names: Vec<&str> = cycle
            .iter()
            .map(|&s| wf.steps[s].step_id.as_str())
            .collect();
        for &s in cycle {
            let sat = index(&child(at, "steps"), s);
            if wf.steps[s].depends_on.is_some() {
                self.push(
                    Diagnostic::error(format!(
                        "the dependencies of steps {} form a cycle, so no order runs them",
                        suggest::list(&names)
                    ))
                    .at(self.key_loc(&child(&sat, "dependsOn"))),
                );
            }
        }
    }

    /// Checks a step's `dependsOn` (`si` is the step's index) and links each entry.
    pub(super) fn step_depends_on(
        &mut self,
        cx: &WfCx<'a>,
        si: usize,
        s: &Step,
        at: &str,
    ) -> Vec<(StepDep, String)> {
        let Some(list) = &s.depends_on else {
            return Vec::new();
        };
        let dat = child(at, "dependsOn");
        if list.is_empty() {
            self.push(
                Diagnostic::error(format!(
                    "step `{}` has an empty `dependsOn` list",
                    s.step_id
                ))
                .at(self.key_loc(&dat))
                .help("name at least one step, or leave `dependsOn` out"),
            );
            return Vec::new();
        }
        let mut out = Vec::new();
        let mut seen = BTreeSet::new();
        for (i, entry) in list.iter().enumerate() {
            let eat = index(&dat, i);
            if !seen.insert(entry.as_str()) {
                self.push(
                    Diagnostic::error(format!("`dependsOn` names `{entry}` twice"))
                        .at(self.loc(&eat)),
                );
                continue;
            }
            if let Some(dep) = self.dependency(cx, si, entry, &eat) {
                out.push((dep, entry.clone()));
            }
        }
        out
    }

    fn dependency(&mut self, cx: &WfCx<'a>, si: usize, entry: &str, at: &str) -> Option<StepDep> {
        if let Some(rest) = entry.strip_prefix("$workflows.") {
            let (wf, step) = rest.split_once(".steps.").or_else(|| {
                self.malformed_dependency(entry, at);
                None
            })?;
            let Some(w) = self.d.doc.workflows.iter().find(|w| w.workflow_id == wf) else {
                self.unknown_workflow(wf, self.loc(at));
                return None;
            };
            if w.workflow_id == cx.wf.workflow_id {
                return self.local_dependency(cx, si, step, at);
            }
            return self.step_of(w, step, self.loc(at)).then(|| StepDep::Other {
                doc: self.doc_index(),
                workflow: wf.to_string(),
                step: step.to_string(),
            });
        }
        if let Some(rest) = entry.strip_prefix("$sourceDescriptions.") {
            let parsed = rest
                .split_once('.')
                .and_then(|(src, r)| Some((src, r.split_once(".steps.")?)));
            let Some((src, (wf, step))) = parsed else {
                self.malformed_dependency(entry, at);
                return None;
            };
            let di = match self.d.sources.get(src) {
                Some(SourceSlot::Arazzo(di)) => *di,
                Some(SourceSlot::Unavailable) => return None,
                _ => {
                    self.push(
                        Diagnostic::error(format!(
                            "`dependsOn` entry `{entry}` names source `{src}`, which is not an Arazzo document"
                        ))
                        .at(self.loc(at)),
                    );
                    return None;
                }
            };
            let doc = &self.ws.arazzo[di].doc;
            let Some(w) = doc.workflows.iter().find(|w| w.workflow_id == wf) else {
                self.push(
                    Diagnostic::error(format!("`{wf}` names no workflow of source `{src}`"))
                        .at(self.loc(at)),
                );
                return None;
            };
            return self.step_of(w, step, self.loc(at)).then(|| StepDep::Other {
                doc: di,
                workflow: wf.to_string(),
                step: step.to_string(),
            });
        }
        if entry.starts_with('$') {
            self.malformed_dependency(entry, at);
            return None;
        }
        self.local_dependency(cx, si, entry, at)
    }

    fn local_dependency(
        &mut self,
        cx: &WfCx<'a>,
        si: usize,
        step: &str,
        at: &str,
    ) -> Option<StepDep> {
        let steps = &cx.wf.steps;
        let Some(ti) = steps.iter().position(|s| s.step_id == step) else {
            let names: Vec<&str> = steps.iter().map(|s| s.step_id.as_str()).collect();
            let mut d = Diagnostic::error(format!(
                "`dependsOn` names `{step}`, which is no step of `{}`",
                cx.wf.workflow_id
            ))
            .at(self.loc(at));
            if let Some(c) = suggest::closest(step, &names) {
                d = d.help(format!("did you mean `{c}`?"));
            }
            self.push(d);
            return None;
        };
        if ti == si {
            self.push(
                Diagnostic::error(format!("step `{step}` depends on itself")).at(self.loc(at)),
            );
            return None;
        }
        if cx.cycle {
            return None;
        }
        Some(StepDep::Local(ti))
    }

    /// Whether workflow `w` has step `step`; if not, an error at `loc` says so.
    fn step_of(&mut self, w: &Workflow, step: &str, loc: Location) -> bool {
        if w.steps.iter().any(|s| s.step_id == step) {
            return true;
        }
        let names: Vec<&str> = w.steps.iter().map(|s| s.step_id.as_str()).collect();
        let mut d =
            Diagnostic::error(format!("workflow `{}` has no step `{step}`", w.workflow_id)).at(loc);
        if let Some(c) = suggest::closest(step, &names) {
            d = d.help(format!("did you mean `{c}`?"));
        }
        self.push(d);
        false
    }

    fn malformed_dependency(&mut self, entry: &str, at: &str) {
        self.push(
            Diagnostic::error(format!("`dependsOn` entry `{entry}` does not name a step"))
                .at(self.loc(at))
                .help("write a step id of this workflow, `$workflows.<workflowId>.steps.<stepId>`, or `$sourceDescriptions.<name>.<workflowId>.steps.<stepId>`"),
        );
    }

    fn doc_index(&self) -> usize {
        self.ws
            .arazzo
            .iter()
            .position(|d| std::ptr::eq(d, self.d))
            .unwrap_or(0)
    }
}

impl Resolver<'_> {
    /// `$workflows.<id>.steps.<step>.outputs.<name>`: the output of a step of another
    /// workflow. Outside the 1.1 ABNF (which reads a workflow's `inputs` and `outputs`), but
    /// the form of its `dependsOn` entries, and 1.1's own schema tests read values so: in a
    /// 1.1 document it is checked and read as that output, with a warning; in 1.0, an error.
    /// Code generation does not read another workflow's step outputs (the workflow gets no
    /// function, with a note saying why).
    pub(super) fn other_workflow_step_output(
        &mut self,
        owner: &str,
        step: &str,
        field: &str,
        name: &str,
        written: &str,
        loc: Location,
    ) {
        let help = format!(
            "give workflow `{owner}` an output with the value and read `$workflows.{owner}.outputs.<name>`"
        );
        if self.d.doc.version() < crate::model::Version::V1_1 || field != "outputs" {
            self.push(
                Diagnostic::error(format!(
                    "`$workflows.{written}` reads a step's output; a `$workflows.<id>` expression reads a workflow's `inputs` or `outputs`"
                ))
                .at(loc)
                .help(help),
            );
            return;
        }
        let Some((di, wi)) = self.find_workflow(owner) else {
            self.unknown_workflow(owner, loc);
            return;
        };
        let w = &self.ws.arazzo[di].doc.workflows[wi];
        if !self.step_of(w, step, loc.clone()) {
            return;
        }
        let Some(s) = w.steps.iter().find(|s| s.step_id == step) else {
            return;
        };
        if !s.outputs.contains_key(name) {
            let names: Vec<&str> = s.outputs.keys().map(String::as_str).collect();
            let mut d = Diagnostic::error(format!(
                "step `{step}` of workflow `{owner}` has no output `{name}`"
            ))
            .at(loc);
            if let Some(c) = suggest::closest(name, &names) {
                d = d.help(format!("did you mean `{c}`?"));
            }
            self.push(d);
            return;
        }
        self.push(
            Diagnostic::warning(format!(
                "`$workflows.{written}` is not in the Arazzo 1.1 ABNF; read as output `{name}` of step `{step}` of workflow `{owner}`"
            ))
            .kind("arazzo-spelling")
            .at(loc)
            .help(help),
        );
    }
}
