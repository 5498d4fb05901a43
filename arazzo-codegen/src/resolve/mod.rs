//! Resolution and checks: every step linked to its operation or workflow, every parameter to
//! its place, every expression to what it names. All problems are collected; nothing stops at
//! the first.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::criteria::{self, Cond};
use crate::diag::{Diagnostic, Diagnostics, Location};
use crate::expr::{self, Expr, Named, Pointer, Segment, ValueText};
use crate::model::{Action, Criterion, Parameter, Step, Workflow};
use crate::openapi::{self, ParamIn};
use crate::source::{child, index};
use crate::suggest;
use crate::workspace::{self, ArazzoDoc, SourceSlot, Workspace};

mod actions;
mod dependencies;
mod expressions;
mod ir;
mod messages;
mod operations;
mod parameters;
mod selectors;
mod usage;
mod workflow;

use selectors::Selected;

pub use dependencies::StepDep;
pub use expressions::{source_ref, SourceRef};
pub use ir::{ActionIr, ActionKind, BodyIr, CriterionIr, OutputIr, TestIr, ValueIr, WorkflowCall};

/// What a step calls.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// An operation: the OpenAPI document (index into [`Workspace::openapi`]), the operation
    /// (index into its operations) and the source description's name.
    Operation {
        /// Index of the OpenAPI document.
        openapi: usize,
        /// Index of the operation in that document.
        operation: usize,
        /// The name of the source description.
        source: String,
    },
    /// A workflow: the Arazzo document (index into [`Workspace::arazzo`]) and the workflow.
    Workflow {
        /// Index of the Arazzo document.
        doc: usize,
        /// Index of the workflow in it.
        workflow: usize,
    },
    /// Arazzo 1.1: an operation or a channel of an AsyncAPI description (a message step).
    /// Checked, but code generation for it is not supported yet.
    Message {
        /// Index of the AsyncAPI document in [`Workspace::asyncapi`].
        asyncapi: usize,
        /// The operation's id, when the step names an operation.
        operation: Option<String>,
        /// The channel's name, when the step names a channel.
        channel: Option<String>,
        /// The name of the source description.
        source: String,
        /// The JSON pointer of the step's `operationId` or `channelPath`.
        at: String,
    },
    /// The target could not be resolved (an error says why).
    Unresolved,
}

/// A step's parameter, after reusable references are expanded and its place is settled.
#[derive(Clone, Debug, PartialEq)]
pub struct ParamIr {
    /// Its name.
    pub name: String,
    /// Where it goes; `None` for a workflow input.
    pub location: Option<ParamIn>,
    /// Its value: a constant, or a string holding an expression or a template.
    pub value: Value,
    /// The JSON pointer of the parameter object in its document.
    pub at: String,
    /// Its value as read.
    pub read: ValueIr,
}

/// A resolved step.
#[derive(Clone, Debug)]
pub struct StepIr {
    /// The step's id.
    pub id: String,
    /// What it calls.
    pub target: Target,
    /// Its parameters, workflow-level ones included.
    pub parameters: Vec<ParamIr>,
    /// Its request body, as read.
    pub body: Option<BodyIr>,
    /// Its success criteria.
    pub criteria: Vec<CriterionIr>,
    /// Its success actions; the workflow's when it has none of its own.
    pub on_success: Vec<ActionIr>,
    /// Its failure actions; the workflow's when it has none of its own.
    pub on_failure: Vec<ActionIr>,
    /// Its outputs.
    pub outputs: Vec<OutputIr>,
    /// 1.1: the steps it depends on (`dependsOn`), each with the entry as written.
    pub depends_on: Vec<(StepDep, String)>,
    /// 1.1: the longest it may take, in milliseconds (`timeout`).
    pub timeout_ms: Option<u64>,
    /// 1.1: the value of its `in: querystring` parameter (the whole query string), and the
    /// pointer of that value.
    pub querystring: Option<(ValueIr, String)>,
    /// What its outputs, criteria and actions read of the response, and what its body sets:
    /// what lean client types keep, and what the step builds of its response.
    pub uses: crate::openapi::normalise::OperationUse,
}

/// A resolved workflow.
#[derive(Clone, Debug)]
pub struct WorkflowIr {
    /// Index of its document in [`Workspace::arazzo`].
    pub doc: usize,
    /// Its index among its document's workflows.
    pub index: usize,
    /// Whether it is left out of generation (not selected, or skipped for its errors): later
    /// phases pass it over, and nothing that calls it is generated.
    pub skipped: bool,
    /// The workflow's id.
    pub id: String,
    /// Its steps, in the document's order.
    pub steps: Vec<StepIr>,
    /// The order they run in (indices into `steps`): the document's, unless Arazzo 1.1
    /// `dependsOn` moves a step later.
    pub order: Vec<usize>,
    /// The workflows of the same document that run before it, in order: those `dependsOn`
    /// lists, then those it reads through `$workflows.<id>` without listing them.
    pub depends_on: Vec<usize>,
    /// What its expressions read.
    pub reads: Reads,
    /// Its outputs.
    pub outputs: Vec<OutputIr>,
    /// Whether it has success or failure actions of its own, or a step has some: then its
    /// steps may be skipped or repeated.
    pub branches: bool,
    /// The types of its outputs and of its steps' outputs (set by [`crate::infer`]).
    pub types: crate::infer::WorkflowTypes,
    /// The values fed into requests that are converted (set by [`crate::typecheck`]).
    pub conversions: crate::typecheck::Conversions,
}

/// What a workflow's expressions read, each read with where it stands (the JSON pointer of the
/// value that holds it, in the document), so that code generation knows which values it must
/// keep and which locals are read, and can leave out reads in values it does not send.
#[derive(Clone, Debug, Default)]
pub struct Reads {
    /// Where `$inputs.…` is read.
    pub inputs: Vec<String>,
    /// Where each step output is read (`$steps.<id>.outputs.<name>` and the dialects read as
    /// it), by (step index, output name).
    pub step_outputs: BTreeMap<(usize, String), Vec<String>>,
    /// Whether anything reads `$request.body`.
    pub request_body: bool,
    /// The steps whose criteria, outputs or actions read `$statusCode`.
    pub status_code: BTreeSet<usize>,
    /// Whether the workflow-level actions (which apply to every step) read `$statusCode`.
    pub status_code_in_workflow_actions: bool,
    /// Whether an action runs another workflow (a `goto` or a `retry`), on this workflow's
    /// inputs unless it gives its own.
    pub workflow_goto: bool,
}

impl Reads {
    /// Whether output `name` of step `si` is read anywhere but inside the places `dropped`
    /// (pointers of values the generated code does not send).
    pub fn step_output_read(&self, si: usize, name: &str, dropped: &[String]) -> bool {
        self.step_outputs
            .get(&(si, name.to_string()))
            .is_some_and(|places| places.iter().any(|p| !within_any(p, dropped)))
    }

    /// Whether `$inputs` is read anywhere but inside the places `dropped`.
    pub fn inputs_read(&self, dropped: &[String]) -> bool {
        self.inputs.iter().any(|p| !within_any(p, dropped))
    }
}

/// Whether the pointer `at` is one of `places` or inside one.
fn within_any(at: &str, places: &[String]) -> bool {
    places.iter().any(|p| {
        at == p
            || at
                .strip_prefix(p.as_str())
                .is_some_and(|r| r.starts_with('/'))
    })
}

/// The IR of workflow `wi` of document `doc`, among every resolved workflow.
pub fn workflow_ir(workflows: &[WorkflowIr], doc: usize, wi: usize) -> Option<&WorkflowIr> {
    workflows.iter().find(|w| w.doc == doc && w.index == wi)
}

/// Resolves and checks every workflow of every loaded Arazzo document.
pub fn resolve(ws: &Workspace, diags: &mut Diagnostics) -> Vec<WorkflowIr> {
    let mut out = Vec::new();
    for (di, d) in ws.arazzo.iter().enumerate() {
        let mut r = Resolver {
            ws,
            d,
            diags,
            reads: BTreeMap::new(),
            facts: Reads::default(),
        };
        r.check_document();
        let first = out.len();
        for (wi, wf) in d.doc.workflows.iter().enumerate() {
            let outer = r.diags.set_scope(Some((di, wi)));
            out.push(r.workflow(di, wi, wf));
            r.diags.set_scope(outer);
        }
        r.check_depends_on_cycles(&out[first..]);
    }
    out
}

struct Resolver<'a> {
    ws: &'a Workspace,
    d: &'a ArazzoDoc,
    diags: &'a mut Diagnostics,
    /// The workflows of this document the current workflow reads through `$workflows.<id>`,
    /// each with where it is first read.
    reads: BTreeMap<usize, Location>,
    /// What the current workflow's expressions read.
    facts: Reads,
}

/// What an expression may read at the place it stands.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Place {
    /// A step's parameters or body: before its response.
    Request(usize),
    /// A step's criteria, outputs and actions: with its response.
    Response(usize),
    /// Workflow outputs.
    Workflow,
    /// Workflow-level success and failure actions: they apply to each step, with its response.
    WorkflowAction,
}

struct WfCx<'w> {
    wf: &'w Workflow,
    /// Whether the steps' dependencies form a cycle (reported once, for the workflow).
    cycle: bool,
    at: String,
    inputs: Option<BTreeSet<String>>,
    /// For each step, the steps that may have run before it.
    before: Vec<BTreeSet<usize>>,
    /// For a workflowId step, the outputs of the workflow it calls.
    called_outputs: BTreeMap<usize, BTreeSet<String>>,
    /// The workflow-level parameters, expanded and checked once: name, `in`, value, pointer.
    wf_params: Vec<(String, Option<String>, Value, String, ValueIr)>,
}

fn is_id(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

impl<'a> Resolver<'a> {
    /// The version a spelling warning names: the one the document says it is.
    fn spec_version(&self) -> &'static str {
        match self.d.doc.version() {
            crate::model::Version::V1_0 => "1.0.1",
            crate::model::Version::V1_1 => "1.1",
        }
    }

    fn file(&self) -> crate::load::FileId {
        self.d.file
    }

    fn loc(&self, at: &str) -> Location {
        self.ws.files.loc(self.file(), at)
    }

    fn key_loc(&self, at: &str) -> Location {
        self.ws.files.key_loc(self.file(), at)
    }

    /// The location of a piece of a string value: `offset` characters in, `width` wide.
    fn loc_in(&self, at: &str, offset: usize, width: usize) -> Location {
        let mut l = self.loc(at);
        let quoted = l
            .source_line
            .as_deref()
            .and_then(|s| s.chars().nth(l.source_col.saturating_sub(1)))
            .is_some_and(|c| c == '"' || c == '\'');
        let single_line = l
            .source_line
            .as_deref()
            .is_some_and(|s| s.chars().count() >= l.source_col + offset + usize::from(quoted));
        if single_line {
            l.col += offset + usize::from(quoted);
            l.source_col += offset + usize::from(quoted);
            l.width = width.max(1);
        }
        l
    }

    fn push(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }

    /// A non-standard spelling read the one way it can be meant.
    fn read_as(&mut self, written: String, reading: String, loc: Location) {
        self.read_as_kind("arazzo-spelling", written, reading, loc);
    }

    /// A form outside the grammar read the one way it can be meant, warned under `kind`.
    fn read_as_kind(
        &mut self,
        kind: &'static str,
        written: String,
        reading: String,
        loc: Location,
    ) {
        self.push(
            Diagnostic::warning(format!(
                "`{written}` is not Arazzo {}; read as `{reading}`",
                self.spec_version()
            ))
            .kind(kind)
            .at(loc)
            .help(format!("write `{reading}`")),
        );
    }

    fn check_document(&mut self) {
        for (key, what) in [
            ("sourceDescriptions", "source description"),
            ("workflows", "workflow"),
        ] {
            if self.d.raw.get(key) == Some(&Value::Array(Vec::new())) {
                self.push(
                    Diagnostic::error(format!(
                        "`{key}` is empty; a document needs at least one {what}"
                    ))
                    .at(self.key_loc(&child("", key))),
                );
            }
        }
        let mut seen = BTreeSet::new();
        for (wi, wf) in self.d.doc.workflows.iter().enumerate() {
            let at = child(&index("/workflows", wi), "workflowId");
            if !seen.insert(wf.workflow_id.as_str()) {
                // The second one is the defect: the first keeps its id.
                let di = self.ws.arazzo.iter().position(|x| std::ptr::eq(x, self.d));
                self.push(
                    Diagnostic::error(format!("two workflows have the id `{}`", wf.workflow_id))
                        .at(self.loc(&at))
                        .in_workflow(di.map(|di| (di, wi))),
                );
            }
            if !is_id(&wf.workflow_id) {
                self.push(
                    Diagnostic::warning(format!(
                        "workflowId `{}` has characters other than letters, digits, `_` and `-`",
                        wf.workflow_id
                    )).kind("identifier-characters")
                    .at(self.loc(&at))
                    .help("expressions such as `$workflows.<id>.outputs.x` cannot name it reliably; the generated function name is derived from it"),
                );
            }
        }
        for (i, sd) in self.d.doc.source_descriptions.iter().enumerate() {
            if !is_id(&sd.name) {
                self.push(
                    Diagnostic::warning(format!(
                        "source description name `{}` has characters other than letters, digits, `_` and `-`",
                        sd.name
                    )).kind("identifier-characters")
                    .at(self.loc(&child(&index("/sourceDescriptions", i), "name"))),
                );
            }
        }
        if let Some(c) = &self.d.doc.components {
            for (name, p) in &c.parameters {
                let at = child("/components/parameters", name);
                if p.name.is_none() {
                    self.push(
                        Diagnostic::error(format!("component parameter `{name}` has no `name`"))
                            .at(self.loc(&at)),
                    );
                }
                if let Some(v) = &p.value {
                    self.check_value_syntax(v, &child(&at, "value"), false);
                }
            }
        }
    }
}
