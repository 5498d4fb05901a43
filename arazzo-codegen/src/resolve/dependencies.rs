//! Arazzo 1.1 step-level `dependsOn`: each entry linked to the step it names, in this
//! workflow, another workflow of this document, or a workflow of an Arazzo source.
//!
//! Steps run in the order the document lists them (after `goto`s): a step may depend on a
//! step of its own workflow that comes before it, which the run checks has finished when the
//! workflow can skip it. A dependency on a later step would need the steps reordered, which
//! this generator does not do; it says so where the dependency is written.

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

impl<'a> Resolver<'a> {
    /// Checks a step's `dependsOn` (`si` is the step's index) and links each entry.
    pub(super) fn step_depends_on(
        &mut self,
        cx: &WfCx<'a>,
        si: usize,
        s: &Step,
        at: &str,
    ) -> Vec<StepDep> {
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
                out.push(dep);
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
            return self.step_of(w, step, at).then(|| StepDep::Other {
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
            return self.step_of(w, step, at).then(|| StepDep::Other {
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
        if ti > si {
            self.push(
                Diagnostic::error(format!(
                    "step `{}` depends on `{step}`, which comes after it",
                    steps[si].step_id
                ))
                .at(self.loc(at))
                .help(format!(
                    "steps run in the order the workflow lists them: move `{step}` before `{}`",
                    steps[si].step_id
                )),
            );
            return None;
        }
        Some(StepDep::Local(ti))
    }

    fn step_of(&mut self, w: &Workflow, step: &str, at: &str) -> bool {
        if w.steps.iter().any(|s| s.step_id == step) {
            return true;
        }
        let names: Vec<&str> = w.steps.iter().map(|s| s.step_id.as_str()).collect();
        let mut d = Diagnostic::error(format!("workflow `{}` has no step `{step}`", w.workflow_id))
            .at(self.loc(at));
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
