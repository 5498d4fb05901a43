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
}

/// A resolved workflow.
#[derive(Clone, Debug)]
pub struct WorkflowIr {
    /// Index of its document in [`Workspace::arazzo`].
    pub doc: usize,
    /// The workflow's id.
    pub id: String,
    /// Its steps, in order.
    pub steps: Vec<StepIr>,
    /// The workflows of the same document that run before it, in order: those `dependsOn`
    /// lists, then those it reads through `$workflows.<id>` without listing them.
    pub depends_on: Vec<usize>,
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
        };
        r.check_document();
        let first = out.len();
        for (wi, wf) in d.doc.workflows.iter().enumerate() {
            out.push(r.workflow(di, wi, wf));
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
    at: String,
    inputs: Option<BTreeSet<String>>,
    /// For each step, the steps that may have run before it.
    before: Vec<BTreeSet<usize>>,
    /// For a workflowId step, the outputs of the workflow it calls.
    called_outputs: BTreeMap<usize, BTreeSet<String>>,
    /// The workflow-level parameters, expanded and checked once: name, `in`, value, pointer.
    wf_params: Vec<(String, Option<String>, Value, String)>,
}

fn is_id(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

impl<'a> Resolver<'a> {
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
        self.push(
            Diagnostic::warning(format!(
                "`{written}` is not Arazzo 1.0.1; read as `{reading}`"
            ))
            .kind("arazzo-spelling")
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
                self.push(
                    Diagnostic::error(format!("two workflows have the id `{}`", wf.workflow_id))
                        .at(self.loc(&at)),
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

    fn workflow(&mut self, di: usize, wi: usize, wf: &'a Workflow) -> WorkflowIr {
        let at = index("/workflows", wi);
        self.reads.clear();
        let inputs = self.input_names(wf, &at);
        let before = reach_before(wf, self.d);
        let mut cx = WfCx {
            wf,
            at: at.clone(),
            inputs,
            before,
            called_outputs: BTreeMap::new(),
            wf_params: Vec::new(),
        };
        let mut wf_params: Vec<(String, Option<String>, Value, String)> = Vec::new();
        for (i, p) in wf.parameters.iter().enumerate() {
            let pat = index(&child(&at, "parameters"), i);
            let Some((name, location, value)) = self.expand_reference(p, &pat) else {
                continue;
            };
            if wf_params
                .iter()
                .any(|(n, l, ..)| *n == name && *l == location)
            {
                self.push(
                    Diagnostic::error(format!("workflow parameter `{name}` is given twice"))
                        .at(self.loc(&pat))
                        .help("parameters must be unique by `name` and `in`"),
                );
                continue;
            }
            self.check_value(&cx, Place::Workflow, &child(&pat, "value"), &value, false);
            wf_params.push((name, location, value, pat));
        }
        cx.wf_params = wf_params;
        for (i, dep) in wf.depends_on.iter().enumerate() {
            if self.find_workflow(dep).is_none() {
                let loc = self.loc(&index(&child(&at, "dependsOn"), i));
                self.unknown_workflow(dep, loc);
            }
        }
        let mut ids = BTreeSet::new();
        for (si, s) in wf.steps.iter().enumerate() {
            if !ids.insert(s.step_id.as_str()) {
                self.push(
                    Diagnostic::error(format!(
                        "two steps of `{}` have the id `{}`",
                        wf.workflow_id, s.step_id
                    ))
                    .at(self.loc(&child(&index(&child(&at, "steps"), si), "stepId"))),
                );
            }
        }
        if wf.steps.is_empty() {
            self.push(
                Diagnostic::error(format!("workflow `{}` has no steps", wf.workflow_id))
                    .at(self.key_loc(&child(&at, "steps"))),
            );
        }
        let mut steps = Vec::new();
        for (si, s) in wf.steps.iter().enumerate() {
            steps.push(self.step(&mut cx, si, s));
        }
        for (name, v) in &wf.outputs {
            self.check_output(
                &cx,
                Place::Workflow,
                &child(&child(&at, "outputs"), name),
                name,
                v,
            );
        }
        self.check_actions(
            &cx,
            Place::WorkflowAction,
            &child(&at, "successActions"),
            &wf.success_actions,
            false,
        );
        self.check_actions(
            &cx,
            Place::WorkflowAction,
            &child(&at, "failureActions"),
            &wf.failure_actions,
            true,
        );
        let depends_on = self.dependencies(wi, wf, di, &steps);
        WorkflowIr {
            doc: di,
            id: wf.workflow_id.clone(),
            steps,
            depends_on,
        }
    }

    /// The workflows that run before workflow `wi`: those it lists, then those it reads without
    /// listing (with a warning saying the generator runs them first). A workflow one of its
    /// steps calls is read from that step instead.
    fn dependencies(
        &mut self,
        wi: usize,
        wf: &Workflow,
        di: usize,
        steps: &[StepIr],
    ) -> Vec<usize> {
        let index_of = |id: &str| {
            self.d
                .doc
                .workflows
                .iter()
                .position(|w| w.workflow_id == id)
        };
        let mut deps: Vec<usize> = wf.depends_on.iter().filter_map(|d| index_of(d)).collect();
        let reads = std::mem::take(&mut self.reads);
        for (read, loc) in reads {
            let called = steps.iter().any(|s| {
                s.target
                    == Target::Workflow {
                        doc: di,
                        workflow: read,
                    }
            });
            if read == wi || deps.contains(&read) || called {
                continue;
            }
            let id = &self.d.doc.workflows[read].workflow_id;
            self.push(
                Diagnostic::warning(format!(
                    "workflow `{}` reads the outputs of `{id}` without listing it in `dependsOn`; `{id}` runs first, on the same inputs, as if it were listed",
                    wf.workflow_id
                )).kind("implicit-dependency")
                .at(loc)
                .help(format!("add `dependsOn: [{id}]` to workflow `{}`", wf.workflow_id)),
            );
            deps.push(read);
        }
        deps
    }

    /// The names of a workflow's inputs (none when its schema lists no properties, as when it
    /// is not an object), or `None` when it has no inputs schema or its `$ref` is dangling.
    fn input_names(&mut self, wf: &Workflow, at: &str) -> Option<BTreeSet<String>> {
        let schema = wf.inputs.as_ref()?;
        let schema = match schema.get("$ref").and_then(Value::as_str) {
            Some(r) => {
                let name = r.strip_prefix("#/components/inputs/");
                match name.and_then(|n| self.d.doc.components.as_ref()?.inputs.get(n)) {
                    Some(s) => s,
                    None => {
                        self.push(
                            Diagnostic::error(format!(
                                "inputs `$ref: {r}` does not name a schema in `components.inputs`"
                            ))
                            .at(self.loc(&child(&child(at, "inputs"), "$ref"))),
                        );
                        return None;
                    }
                }
            }
            None => schema,
        };
        // Only properties become fields of `Inputs`: a schema without them (an open object,
        // a string) names no input the generated code could read.
        let props = schema.get("properties").and_then(Value::as_object);
        Some(props.into_iter().flat_map(|p| p.keys().cloned()).collect())
    }

    fn find_workflow(&self, id: &str) -> Option<(usize, usize)> {
        if let Some(rest) = id.strip_prefix("$sourceDescriptions.") {
            let (src, wf) = rest.split_once('.')?;
            let SourceSlot::Arazzo(di) = *self.d.sources.get(src)? else {
                return None;
            };
            let wf = wf.strip_prefix("workflows.").unwrap_or(wf);
            let wi = self.ws.arazzo[di]
                .doc
                .workflows
                .iter()
                .position(|w| w.workflow_id == wf)?;
            return Some((di, wi));
        }
        let di = self
            .ws
            .arazzo
            .iter()
            .position(|a| std::ptr::eq(a, self.d))?;
        let wi = self
            .d
            .doc
            .workflows
            .iter()
            .position(|w| w.workflow_id == id)?;
        Some((di, wi))
    }

    fn unknown_workflow(&mut self, id: &str, loc: Location) {
        if let Some(rest) = id.strip_prefix("$sourceDescriptions.") {
            let src = rest.split('.').next().unwrap_or(rest);
            match self.d.sources.get(src) {
                None => {
                    let mut d =
                        Diagnostic::error(format!("no source description is named `{src}`"))
                            .at(loc);
                    if let Some(h) = workspace::source_hint(src, self.d) {
                        d = d.help(h);
                    }
                    self.push(d);
                }
                Some(SourceSlot::Unavailable) => {}
                Some(SourceSlot::OpenApi(_)) => self.push(
                    Diagnostic::error(format!(
                        "source `{src}` is an OpenAPI description, not an Arazzo document"
                    ))
                    .at(loc),
                ),
                Some(SourceSlot::Arazzo(di)) => {
                    let names: Vec<&str> = self.ws.arazzo[*di]
                        .doc
                        .workflows
                        .iter()
                        .map(|w| w.workflow_id.as_str())
                        .collect();
                    let mut d =
                        Diagnostic::error(format!("`{id}` names no workflow of source `{src}`"))
                            .at(loc);
                    if rest.contains(".workflows.") {
                        d = d.help(format!(
                            "write `$sourceDescriptions.{src}.<workflowId>`, without `.workflows.`"
                        ));
                    } else if !names.is_empty() {
                        d = d.help(format!("its workflows are {}", suggest::list(&names)));
                    }
                    self.push(d);
                }
            }
            return;
        }
        let names: Vec<&str> = self
            .d
            .doc
            .workflows
            .iter()
            .map(|w| w.workflow_id.as_str())
            .collect();
        let mut d = Diagnostic::error(format!("no workflow has the id `{id}`")).at(loc);
        if let Some(c) = suggest::closest(id, &names) {
            d = d.help(format!("did you mean `{c}`?"));
        }
        self.push(d);
    }

    fn step(&mut self, cx: &mut WfCx<'a>, si: usize, s: &'a Step) -> StepIr {
        let at = index(&child(&cx.at, "steps"), si);
        let given: Vec<&str> = [
            ("operationId", s.operation_id.is_some()),
            ("operationPath", s.operation_path.is_some()),
            ("workflowId", s.workflow_id.is_some()),
        ]
        .iter()
        .filter(|(_, g)| *g)
        .map(|(n, _)| *n)
        .collect();
        let target = match given.as_slice() {
            [] => {
                self.push(
                    Diagnostic::error(format!("step `{}` names nothing to call", s.step_id))
                        .at(self.key_loc(&child(&at, "stepId")))
                        .help("give exactly one of `operationId`, `operationPath` or `workflowId`"),
                );
                Target::Unresolved
            }
            [_, second, ..] => {
                self.push(
                    Diagnostic::error(format!(
                        "step `{}` gives both `{}` and `{second}`",
                        s.step_id, given[0]
                    ))
                    .at(self.key_loc(&child(&at, second)))
                    .help("give exactly one of `operationId`, `operationPath` or `workflowId`"),
                );
                Target::Unresolved
            }
            ["operationId"] => self.operation_id(
                s.operation_id.as_deref().unwrap_or_default(),
                &child(&at, "operationId"),
            ),
            ["operationPath"] => self.operation_path(
                s.operation_path.as_deref().unwrap_or_default(),
                &child(&at, "operationPath"),
            ),
            _ => {
                let id = s.workflow_id.as_deref().unwrap_or_default();
                match self.find_workflow(id) {
                    Some((doc, workflow)) => {
                        let called = &self.ws.arazzo[doc].doc.workflows[workflow];
                        cx.called_outputs
                            .insert(si, called.outputs.keys().cloned().collect());
                        Target::Workflow { doc, workflow }
                    }
                    None => {
                        let loc = self.loc(&child(&at, "workflowId"));
                        self.unknown_workflow(id, loc);
                        Target::Unresolved
                    }
                }
            }
        };
        if self.d.raw.pointer(&child(&at, "successCriteria")) == Some(&Value::Array(Vec::new())) {
            self.push(
                Diagnostic::error(format!(
                    "step `{}` has an empty `successCriteria` list",
                    s.step_id
                ))
                .at(self.key_loc(&child(&at, "successCriteria")))
                .help("give at least one criterion, or leave `successCriteria` out"),
            );
        }
        let parameters = self.parameters(cx, si, s, &at, &target);
        if let Some(body) = &s.request_body {
            self.request_body(cx, si, body, &child(&at, "requestBody"), &target);
        }
        for (ci, c) in s.success_criteria.iter().enumerate() {
            self.criterion(
                cx,
                Place::Response(si),
                &index(&child(&at, "successCriteria"), ci),
                c,
            );
        }
        self.check_actions(
            cx,
            Place::Response(si),
            &child(&at, "onSuccess"),
            &s.on_success,
            false,
        );
        self.check_actions(
            cx,
            Place::Response(si),
            &child(&at, "onFailure"),
            &s.on_failure,
            true,
        );
        for (name, v) in &s.outputs {
            self.check_output(
                cx,
                Place::Response(si),
                &child(&child(&at, "outputs"), name),
                name,
                v,
            );
        }
        StepIr {
            id: s.step_id.clone(),
            target,
            parameters,
        }
    }

    fn openapi_sources(&self) -> Vec<(&'a str, usize)> {
        self.d
            .sources
            .iter()
            .filter_map(|(n, s)| match s {
                SourceSlot::OpenApi(i) => Some((n.as_str(), *i)),
                _ => None,
            })
            .collect()
    }

    fn any_unavailable(&self) -> bool {
        self.d
            .sources
            .values()
            .any(|s| *s == SourceSlot::Unavailable)
    }

    fn operation_id(&mut self, text: &str, at: &str) -> Target {
        let loc = self.loc(at);
        let (sources, id, qualified): (Vec<(&str, usize)>, &str, bool) =
            match text.strip_prefix("$sourceDescriptions.") {
                Some(rest) => {
                    let Some((src, id)) = rest.split_once('.') else {
                        self.push(
                            Diagnostic::error(format!("`{text}` does not name an operation"))
                                .at(loc)
                                .help("write `$sourceDescriptions.<source>.<operationId>`"),
                        );
                        return Target::Unresolved;
                    };
                    match self.openapi_source(src, &loc) {
                        Some(i) => (vec![(self.source_name(src), i)], id, true),
                        None => return Target::Unresolved,
                    }
                }
                None => (self.openapi_sources(), text, false),
            };
        let exact: Vec<(&str, usize, usize)> = sources
            .iter()
            .flat_map(|&(n, i)| {
                self.ws.openapi[i]
                    .operations
                    .iter()
                    .enumerate()
                    .filter(|(_, o)| o.operation_id.as_deref() == Some(id))
                    .map(move |(oi, _)| (n, i, oi))
            })
            .collect();
        if let [(n, i, oi)] = exact.as_slice() {
            return Target::Operation {
                openapi: *i,
                operation: *oi,
                source: n.to_string(),
            };
        }
        if exact.len() > 1 {
            let names: Vec<&str> = exact.iter().map(|(n, ..)| *n).collect();
            self.push(
                Diagnostic::error(format!(
                    "operationId `{id}` is declared by several sources: {}",
                    suggest::list(&names)
                ))
                .at(loc)
                .help(format!(
                    "qualify it: `$sourceDescriptions.{}.{id}`",
                    names[0]
                )),
            );
            return Target::Unresolved;
        }
        // The `<source>.<operationId>` dialect.
        if !qualified {
            if let Some((src, rest)) = id.split_once('.') {
                if let Some(SourceSlot::OpenApi(_)) = self.d.sources.get(src) {
                    let fixed = format!("$sourceDescriptions.{src}.{rest}");
                    let t = self.operation_id(&fixed, at);
                    if t != Target::Unresolved {
                        self.push(
                            Diagnostic::warning(format!(
                                "operationId `{id}` is not an Arazzo 1.0.1 form; read as `{fixed}`"
                            ))
                            .kind("arazzo-spelling")
                            .at(self.loc(at))
                            .help(format!("write `{fixed}`")),
                        );
                    }
                    return t;
                }
            }
        }
        let lower = id.to_lowercase();
        let lower = lower.as_str();
        let folded: Vec<(&str, usize, usize, String)> = sources
            .iter()
            .flat_map(|&(n, i)| {
                self.ws.openapi[i]
                    .operations
                    .iter()
                    .enumerate()
                    .filter_map(move |(oi, o)| {
                        let oid = o.operation_id.as_deref()?;
                        (oid.to_lowercase() == lower).then(|| (n, i, oi, oid.to_string()))
                    })
            })
            .collect();
        if let [(n, i, oi, declared)] = folded.as_slice() {
            let op = &self.ws.openapi[*i].operations[*oi];
            let id_at = text.chars().count() - id.chars().count();
            self.push(
                Diagnostic::warning(format!(
                    "operationId `{id}` resolved to `{declared}` in `{n}` (the case differs)"
                ))
                .kind("case-mismatch")
                .at(self.loc_in(at, id_at, id.chars().count()))
                .with_note(format!(
                    "`{declared}` is {} in `{}`",
                    op.label(),
                    self.ws.files.get(self.ws.openapi[*i].file).display()
                ))
                .help(format!("write `{declared}` as the description declares it")),
            );
            return Target::Operation {
                openapi: *i,
                operation: *oi,
                source: n.to_string(),
            };
        }
        if sources.is_empty() {
            if !self.any_unavailable() {
                self.push(
                    Diagnostic::error(format!(
                        "operationId `{id}` cannot resolve: the document has no OpenAPI source"
                    ))
                    .at(loc),
                );
            }
            return Target::Unresolved;
        }
        let all: Vec<&str> = sources
            .iter()
            .flat_map(|&(_, i)| {
                self.ws.openapi[i]
                    .operations
                    .iter()
                    .filter_map(|o| o.operation_id.as_deref())
            })
            .collect();
        let close = suggest::ranked(id, &all, 3);
        let where_ = if qualified {
            format!("source `{}`", sources[0].0)
        } else {
            "any source".to_string()
        };
        let mut d = Diagnostic::error(format!(
            "no operation of {where_} has the operationId `{id}`"
        ))
        .at(loc);
        d = if folded.len() > 1 {
            d.help(format!(
                "it matches several operations when case is ignored: {}",
                suggest::list(&folded.iter().map(|f| f.3.as_str()).collect::<Vec<_>>())
            ))
        } else if close.is_empty() {
            d.help("no declared operationId is close to it")
        } else {
            let verb = if close.len() == 1 { "is" } else { "are" };
            d.help(format!("the closest {verb} {}", suggest::list(&close)))
        };
        if !qualified && self.any_unavailable() {
            return Target::Unresolved;
        }
        self.push(d);
        Target::Unresolved
    }

    /// The OpenAPI description a source name stands for. Reports a name that is unknown or
    /// names an Arazzo document; a source that failed to load was reported when it failed.
    fn openapi_source(&mut self, src: &str, loc: &Location) -> Option<usize> {
        let d = match self.d.sources.get(src) {
            Some(SourceSlot::OpenApi(i)) => return Some(*i),
            Some(SourceSlot::Unavailable) => return None,
            Some(SourceSlot::Arazzo(_)) => Diagnostic::error(format!(
                "source `{src}` is an Arazzo document, not an OpenAPI description"
            ))
            .help("call one of its workflows with `workflowId` instead"),
            None => {
                let d = Diagnostic::error(format!("no source description is named `{src}`"));
                match workspace::source_hint(src, self.d) {
                    Some(h) => d.help(h),
                    None => d,
                }
            }
        };
        self.push(d.at(loc.clone()));
        None
    }

    fn source_name(&self, src: &str) -> &'a str {
        self.d
            .sources
            .keys()
            .find(|k| k.as_str() == src)
            .map_or("", String::as_str)
    }

    fn operation_path(&mut self, text: &str, at: &str) -> Target {
        let loc = self.loc(at);
        let Some((head, fragment)) = text.split_once('#') else {
            self.push(
                Diagnostic::error(format!("operationPath `{text}` has no `#` JSON pointer"))
                    .at(loc)
                    .help(
                        "write `{$sourceDescriptions.<source>.url}#/paths/<escaped path>/<method>`",
                    ),
            );
            return Target::Unresolved;
        };
        let src = if let Some(s) = head
            .strip_prefix("{$sourceDescriptions.")
            .and_then(|s| s.strip_suffix(".url}"))
        {
            s
        } else {
            let s = head
                .strip_prefix("$sourceDescriptions.")
                .map(|s| s.strip_suffix(".url").unwrap_or(s))
                .unwrap_or(head);
            if self.d.sources.contains_key(s) {
                self.push(
                    Diagnostic::warning(format!("operationPath `{head}#…` is not the Arazzo 1.0.1 form; read as `{{$sourceDescriptions.{s}.url}}#…`")).kind("arazzo-spelling")
                        .at(loc.clone())
                        .help(format!("write `{{$sourceDescriptions.{s}.url}}#{fragment}`")),
                );
            }
            s
        };
        let Some(i) = self.openapi_source(src, &loc) else {
            return Target::Unresolved;
        };
        let pointer = match Pointer::parse_uri_fragment(fragment) {
            Ok(p) => p,
            Err((_, m)) => {
                self.push(
                    Diagnostic::error(format!("operationPath has a malformed JSON pointer: {m}"))
                        .at(loc),
                );
                return Target::Unresolved;
            }
        };
        let doc = &self.ws.openapi[i];
        let pointer_text = pointer.to_string();
        if let Some(oi) = doc
            .operations
            .iter()
            .position(|o| o.pointer == pointer_text)
        {
            return Target::Operation {
                openapi: i,
                operation: oi,
                source: src.to_string(),
            };
        }
        let toks = &pointer.0;
        let item = match toks.as_slice() {
            [p, path, ..] if p == "paths" => doc.raw.get("paths").and_then(|ps| ps.get(path)),
            _ => None,
        };
        let mut d = Diagnostic::error(format!(
            "operationPath `#{fragment}` does not point at an operation of `{src}`"
        ))
        .at(loc);
        d = match (item, toks.len()) {
            (Some(item), 2) => {
                let methods: Vec<&str> = openapi::METHODS
                    .iter()
                    .copied()
                    .filter(|m| item.get(*m).is_some())
                    .collect();
                d.with_note("it points at a path item, which holds operations by method")
                    .help(match methods.as_slice() {
                        [] => "that path item declares no operations".to_string(),
                        ms => {
                            format!("add the method: `#{fragment}/{}`", ms[0]).to_string()
                                + &if ms.len() > 1 {
                                    format!(" (it has {})", suggest::list(ms))
                                } else {
                                    String::new()
                                }
                        }
                    })
            }
            (Some(item), _) => {
                let methods: Vec<&str> = openapi::METHODS
                    .iter()
                    .copied()
                    .filter(|m| item.get(*m).is_some())
                    .collect();
                d.help(format!(
                    "that path declares {}",
                    if methods.is_empty() {
                        "no operations".to_string()
                    } else {
                        suggest::list(&methods)
                    }
                ))
            }
            (None, _) => {
                let paths: Vec<&str> = doc.operations.iter().map(|o| o.path.as_str()).collect();
                let want = toks.get(1).map_or("", String::as_str);
                match suggest::closest(want, &paths) {
                    Some(c) => d.help(format!("did you mean the path `{c}`?")),
                    None => {
                        d.help("the pointer must be `/paths/<path with `/` written `~1`>/<method>`")
                    }
                }
            }
        };
        self.push(d);
        Target::Unresolved
    }

    fn expand_reference(
        &mut self,
        p: &'a Parameter,
        at: &str,
    ) -> Option<(String, Option<String>, Value)> {
        if let Some(r) = &p.reference {
            let name = r.strip_prefix("$components.parameters.");
            let found = name.and_then(|n| self.d.doc.components.as_ref()?.parameters.get(n));
            let Some(c) = found else {
                let names: Vec<&str> = self
                    .d
                    .doc
                    .components
                    .as_ref()
                    .map(|c| c.parameters.keys().map(String::as_str).collect())
                    .unwrap_or_default();
                let mut d = Diagnostic::error(format!(
                    "`{r}` names no parameter in `components.parameters`"
                ))
                .at(self.loc(&child(at, "reference")));
                if let Some(c) = suggest::closest(name.unwrap_or(r), &names) {
                    d = d.help(format!("did you mean `$components.parameters.{c}`?"));
                }
                self.push(d);
                return None;
            };
            let value = p
                .value
                .clone()
                .or_else(|| c.value.clone())
                .unwrap_or(Value::Null);
            return Some((c.name.clone()?, c.location.clone(), value));
        }
        let Some(name) = &p.name else {
            self.push(
                Diagnostic::error("a parameter needs a `name` (or a `reference` to a component)")
                    .at(self.loc(at)),
            );
            return None;
        };
        if p.value.is_none() {
            self.push(
                Diagnostic::error(format!("parameter `{name}` has no `value`")).at(self.loc(at)),
            );
            return None;
        }
        Some((
            name.clone(),
            p.location.clone(),
            p.value.clone().unwrap_or(Value::Null),
        ))
    }

    fn parameters(
        &mut self,
        cx: &WfCx<'a>,
        si: usize,
        s: &'a Step,
        at: &str,
        target: &Target,
    ) -> Vec<ParamIr> {
        let mut out: Vec<ParamIr> = Vec::new();
        let mut seen: BTreeSet<(String, Option<String>)> = BTreeSet::new();
        let op = match target {
            Target::Operation {
                openapi, operation, ..
            } => Some(&self.ws.openapi[*openapi].operations[*operation]),
            _ => None,
        };
        // Workflow-level parameters apply where they fit: those with `in` to operation steps,
        // those without to workflow steps. Their values were checked once, for the workflow.
        let is_workflow_step = matches!(target, Target::Workflow { .. });
        let mut all: Vec<(String, Option<String>, Value, String, bool)> = cx
            .wf_params
            .iter()
            .filter(|(_, l, ..)| l.is_none() == is_workflow_step)
            .map(|(n, l, v, p)| (n.clone(), l.clone(), v.clone(), p.clone(), true))
            .collect();
        for (i, p) in s.parameters.iter().enumerate() {
            let pat = index(&child(at, "parameters"), i);
            let Some((name, location, value)) = self.expand_reference(p, &pat) else {
                continue;
            };
            if !seen.insert((name.clone(), location.clone())) {
                self.push(
                    Diagnostic::error(format!("parameter `{name}` is given twice"))
                        .at(self.loc(&pat))
                        .help("a step's parameters must be unique by `name` and `in`"),
                );
                continue;
            }
            self.check_value(cx, Place::Request(si), &child(&pat, "value"), &value, false);
            all.push((name, location, value, pat, false));
        }
        for (mut name, location, value, pat, from_workflow) in all {
            let location = match (target, location.as_deref()) {
                (Target::Workflow { doc, workflow }, loc) => {
                    if loc.is_some() && !from_workflow {
                        self.push(
                            Diagnostic::warning(format!("parameter `{name}` of a workflow step has `in`; it is ignored")).kind("parameter-location")
                                .at(self.loc(&child(&pat, "in")))
                                .help("a workflow step's parameters are the called workflow's inputs and have no location"),
                        );
                    }
                    let called = &self.ws.arazzo[*doc].doc.workflows[*workflow];
                    if let Some(props) = called
                        .inputs
                        .as_ref()
                        .and_then(|i| i.get("properties"))
                        .and_then(Value::as_object)
                    {
                        if !props.contains_key(&name) {
                            let names: Vec<&str> = props.keys().map(String::as_str).collect();
                            let mut d = Diagnostic::error(format!(
                                "workflow `{}` has no input `{name}`",
                                called.workflow_id
                            ))
                            .at(self.loc(&child(&pat, "name")));
                            if let Some(c) = suggest::closest(&name, &names) {
                                d = d.help(format!("did you mean `{c}`?"));
                            }
                            self.push(d);
                        }
                    }
                    None
                }
                (_, None) => {
                    let hint = op
                        .and_then(|o| o.parameters.iter().find(|d| d.name == name))
                        .map(|d| {
                            format!("the operation declares it `in: {}`", d.location.as_str())
                        });
                    let mut d = Diagnostic::error(format!("parameter `{name}` has no `in`"))
                        .at(self.loc(&pat))
                        .help("a parameter of an operation step must say where it goes: `in: path`, `query`, `header` or `cookie`");
                    if let Some(h) = hint {
                        d = d.with_note(h);
                    }
                    self.push(d);
                    continue;
                }
                (_, Some(l)) => match ParamIn::parse(l) {
                    Some(l) => self.place_parameter(op, &mut name, l, &pat),
                    None => {
                        self.push(
                            Diagnostic::error(format!("`in: {l}` is not a parameter location"))
                                .at(self.loc(&child(&pat, "in")))
                                .help("use `path`, `query`, `header` or `cookie`"),
                        );
                        continue;
                    }
                },
            };
            if let Some(existing) = out
                .iter_mut()
                .find(|q| q.name == name && q.location == location)
            {
                existing.value = value;
                existing.at = pat;
                continue;
            }
            out.push(ParamIr {
                name,
                location,
                value,
                at: pat,
            });
        }
        if let Some(op) = op {
            for req in op.parameters.iter().filter(|p| p.required) {
                let given = out.iter().any(|p| {
                    p.location == Some(req.location)
                        && if req.location == ParamIn::Header {
                            p.name.eq_ignore_ascii_case(&req.name)
                        } else {
                            p.name == req.name
                        }
                });
                if !given {
                    let d = if req.location == ParamIn::Path {
                        Diagnostic::error(format!(
                            "step `{}` does not give the path parameter `{}` that {} requires",
                            s.step_id,
                            req.name,
                            op.label()
                        ))
                    } else {
                        Diagnostic::warning(format!(
                            "step `{}` does not give the required {} parameter `{}` of {}",
                            s.step_id,
                            req.location.as_str(),
                            req.name,
                            op.label()
                        ))
                        .kind("missing-parameter")
                    };
                    self.push(d.at(self.key_loc(&child(at, "stepId"))).help(format!(
                        "add `- name: {}` with `in: {}` and a `value`",
                        req.name,
                        req.location.as_str()
                    )));
                }
            }
        }
        out
    }

    /// Checks a parameter's declared location against the operation; returns where it goes. A
    /// name the operation does not declare, but that matches one declared name when case, `_`
    /// and `-` are ignored (`pet_id` for `petId`), is read as that name, with a warning.
    fn place_parameter(
        &mut self,
        op: Option<&openapi::Operation>,
        name: &mut String,
        l: ParamIn,
        pat: &str,
    ) -> Option<ParamIn> {
        let Some(op) = op else { return Some(l) };
        let loose = |s: &str| -> String {
            s.chars()
                .filter(|c| *c != '_' && *c != '-')
                .flat_map(char::to_lowercase)
                .collect()
        };
        let exact = op.parameters.iter().any(|d| {
            d.name == *name || (d.location == ParamIn::Header && d.name.eq_ignore_ascii_case(name))
        });
        let close: Vec<&openapi::OpParam> = op
            .parameters
            .iter()
            .filter(|d| loose(&d.name) == loose(name))
            .collect();
        if let (false, [d]) = (exact, close.as_slice()) {
            self.push(
                Diagnostic::warning(format!(
                    "parameter `{name}` is read as `{}`, the name {} declares (they differ only in case, `_` or `-`)",
                    d.name,
                    op.label()
                )).kind("case-mismatch")
                .at(self.loc(&child(pat, "name")))
                .help(format!("write `name: {}`", d.name)),
            );
            *name = d.name.clone();
        }
        let name: &str = name;
        let declared: Vec<&openapi::OpParam> = op
            .parameters
            .iter()
            .filter(|d| {
                d.name == name
                    || (d.location == ParamIn::Header
                        && l == ParamIn::Header
                        && d.name.eq_ignore_ascii_case(name))
            })
            .collect();
        if declared.iter().any(|d| d.location == l) {
            return Some(l);
        }
        if let Some(d) = declared.first() {
            self.push(
                Diagnostic::warning(format!(
                    "parameter `{name}` is given `in: {}`, but {} declares it `in: {}`; it is sent in the {}",
                    l.as_str(),
                    op.label(),
                    d.location.as_str(),
                    d.location.as_str()
                )).kind("parameter-location")
                .at(self.loc(&child(pat, "in")))
                .help(format!("write `in: {}`", d.location.as_str())),
            );
            return Some(d.location);
        }
        if l == ParamIn::Header {
            self.push(
                Diagnostic::note(format!(
                    "header `{name}` is not declared by {}; it is sent as given",
                    op.label()
                ))
                .kind("undeclared-header")
                .at(self.loc(&child(pat, "name"))),
            );
            return Some(l);
        }
        let names: Vec<&str> = op.parameters.iter().map(|p| p.name.as_str()).collect();
        let mut d = Diagnostic::error(format!(
            "{} has no {} parameter `{name}`",
            op.label(),
            l.as_str()
        ))
        .at(self.loc(&child(pat, "name")));
        d = match suggest::closest(name, &names) {
            Some(c) => d.help(format!("did you mean `{c}`?")),
            None if names.is_empty() => d.help("the operation declares no parameters"),
            None => d.help(format!("it declares {}", suggest::list(&names))),
        };
        self.push(d);
        Some(l)
    }

    fn request_body(
        &mut self,
        cx: &WfCx<'a>,
        si: usize,
        body: &'a crate::model::RequestBody,
        at: &str,
        target: &Target,
    ) {
        if let Target::Operation {
            openapi, operation, ..
        } = target
        {
            let op = &self.ws.openapi[*openapi].operations[*operation];
            if op.request_media_types.is_empty() {
                self.push(
                    Diagnostic::warning(format!(
                        "{} declares no request body; the step's body is sent anyway",
                        op.label()
                    ))
                    .kind("request-body")
                    .at(self.key_loc(at)),
                );
            } else if let Some(ct) = &body.content_type {
                let base = ct.split(';').next().unwrap_or(ct).trim().to_lowercase();
                if !op
                    .request_media_types
                    .iter()
                    .any(|m| m.to_lowercase() == base)
                {
                    self.push(
                        Diagnostic::warning(format!(
                            "{} does not accept `{ct}`; it accepts {}",
                            op.label(),
                            suggest::list(
                                &op.request_media_types
                                    .iter()
                                    .map(String::as_str)
                                    .collect::<Vec<_>>()
                            )
                        ))
                        .kind("request-body")
                        .at(self.loc(&child(at, "contentType"))),
                    );
                }
            }
        }
        if let Some(p) = &body.payload {
            self.check_value(cx, Place::Request(si), &child(at, "payload"), p, true);
        }
        for (ri, r) in body.replacements.iter().enumerate() {
            let rat = index(&child(at, "replacements"), ri);
            if !r.target.starts_with('/') && !r.target.is_empty() && !r.target.starts_with("//") {
                self.push(
                    Diagnostic::error(format!(
                        "replacement target `{}` is not a JSON pointer",
                        r.target
                    ))
                    .at(self.loc(&child(&rat, "target")))
                    .help("a JSON pointer starts with `/`, e.g. `/customer/name`"),
                );
            } else if let Err((_, m)) = Pointer::parse_uri_fragment(&r.target) {
                self.push(
                    Diagnostic::error(format!("replacement target: {m}"))
                        .at(self.loc(&child(&rat, "target"))),
                );
            }
            self.check_value(
                cx,
                Place::Request(si),
                &child(&rat, "value"),
                &r.value,
                false,
            );
        }
    }

    fn criterion(&mut self, cx: &WfCx<'a>, place: Place, at: &str, c: &Criterion) {
        let kind = c.kind.as_ref().map_or("simple", |k| k.name());
        if !matches!(kind, "simple" | "regex" | "jsonpath" | "xpath") {
            self.push(
                Diagnostic::error(format!(
                    "criterion type `{kind}` is not one of `simple`, `regex`, `jsonpath`, `xpath`"
                ))
                .at(self.loc(&child(at, "type"))),
            );
            return;
        }
        if let Some(ctx) = &c.context {
            match expr::parse(ctx) {
                Ok(e) => {
                    self.check_expr(cx, place, &child(at, "context"), &e, 0, ctx.chars().count())
                }
                Err(e) => self.syntax_error(&child(at, "context"), "context", &e),
            }
        } else if kind != "simple" {
            self.push(
                Diagnostic::error(format!("a `{kind}` criterion needs a `context`"))
                    .at(self.key_loc(&child(at, "condition")))
                    .help("the context is the runtime expression the condition is applied to, e.g. `context: $response.body`"),
            );
        }
        let cat = child(at, "condition");
        match kind {
            "regex" => {
                if let Err(e) = regex::Regex::new(&c.condition) {
                    // The crate's message draws the pattern over lines; its last line says why.
                    let text = e.to_string();
                    let why = text.lines().last().unwrap_or_default();
                    let why = why.trim().trim_start_matches("error: ");
                    self.push(
                        Diagnostic::error(format!("this regex does not compile: {why}"))
                            .at(self.loc(&cat))
                            .help("regex criteria use the syntax of Rust's `regex` crate (no look-around or back-references)"),
                    );
                }
            }
            "jsonpath" => {
                let read = criteria::json_path(&c.condition).is_ok()
                    || serde_json_path::JsonPath::parse(&c.condition).is_ok();
                if !read {
                    self.push(
                        Diagnostic::error("this is neither an RFC 9535 JSONPath query nor a path with a comparison")
                            .at(self.loc(&cat))
                            .help("write a query such as `$[?@.status == 'open']`, or a path and a comparison such as `$.items.length > 0`"),
                    );
                }
            }
            "xpath" => self.push(
                Diagnostic::error("`xpath` criteria are not supported: they select from XML, and the generated clients read JSON")
                    .at(self.loc(&child(at, "type")))
                    .help("test the JSON body with a `jsonpath` criterion, e.g. `context: $response.body` and `condition: $.items.length > 0`"),
            ),
            _ => {}
        }
        if kind == "simple" {
            match criteria::parse(&c.condition) {
                Ok(cond) => {
                    for (e, off) in Cond::exprs(&cond) {
                        let width = expr_width(&c.condition, off);
                        self.check_expr(cx, place, &child(at, "condition"), e, off, width);
                    }
                }
                Err(e) => self.syntax_error(&child(at, "condition"), "condition", &e),
            }
        }
    }

    fn syntax_error(&mut self, at: &str, what: &str, e: &expr::SyntaxError) {
        self.push(
            Diagnostic::error(format!("malformed {what}: {}", e.message))
                .at(self.loc_in(at, e.offset, 1)),
        );
    }

    fn check_actions(
        &mut self,
        cx: &WfCx<'a>,
        place: Place,
        at: &str,
        actions: &'a [Action],
        failure: bool,
    ) {
        let kind_key = if failure {
            "failureActions"
        } else {
            "successActions"
        };
        for (ai, a) in actions.iter().enumerate() {
            let aat = index(at, ai);
            let action = match &a.reference {
                Some(r) => {
                    let name = r
                        .strip_prefix(&format!("$components.{kind_key}."))
                        .unwrap_or("");
                    let found = self.d.doc.components.as_ref().and_then(|c| {
                        if failure {
                            c.failure_actions.get(name)
                        } else {
                            c.success_actions.get(name)
                        }
                    });
                    match found {
                        Some(a) => a,
                        None => {
                            self.push(
                                Diagnostic::error(format!(
                                    "`{r}` names no action in `components.{kind_key}`"
                                ))
                                .at(self.loc(&child(&aat, "reference"))),
                            );
                            continue;
                        }
                    }
                }
                None => a,
            };
            let t = action.kind.as_deref().unwrap_or("");
            let allowed: &[&str] = if failure {
                &["end", "goto", "retry"]
            } else {
                &["end", "goto"]
            };
            if !allowed.contains(&t) {
                self.push(
                    Diagnostic::error(format!(
                        "action type `{t}` is not one of {}",
                        suggest::list(allowed)
                    ))
                    .at(self.loc(&child(&aat, "type"))),
                );
                continue;
            }
            if action.name.is_none() && a.reference.is_none() {
                self.push(
                    Diagnostic::warning("an action should have a `name`")
                        .kind("action")
                        .at(self.loc(&aat)),
                );
            }
            match (t, &action.step_id, &action.workflow_id) {
                ("goto", None, None) => self.push(
                    Diagnostic::error("a `goto` action needs a `stepId` or a `workflowId`")
                        .at(self.loc(&aat)),
                ),
                (_, Some(_), Some(_)) => self.push(
                    Diagnostic::error("an action cannot give both `stepId` and `workflowId`")
                        .at(self.key_loc(&child(&aat, "workflowId"))),
                ),
                (_, Some(step), None) if !cx.wf.steps.iter().any(|s| &s.step_id == step) => {
                    let names: Vec<&str> = cx.wf.steps.iter().map(|s| s.step_id.as_str()).collect();
                    let mut d = Diagnostic::error(format!(
                        "no step of `{}` has the id `{step}`",
                        cx.wf.workflow_id
                    ))
                    .at(self.loc(&child(&aat, "stepId")));
                    if let Some(c) = suggest::closest(step, &names) {
                        d = d.help(format!("did you mean `{c}`?"));
                    }
                    self.push(d);
                }
                (_, None, Some(wf)) if self.find_workflow(wf).is_none() => {
                    let loc = self.loc(&child(&aat, "workflowId"));
                    self.unknown_workflow(wf, loc);
                }
                _ => {}
            }
            if let Some(r) = action.retry_after {
                if r < 0.0 || !r.is_finite() {
                    self.push(
                        Diagnostic::error("`retryAfter` must be a non-negative number of seconds")
                            .at(self.loc(&child(&aat, "retryAfter"))),
                    );
                }
            }
            if t != "retry" && (action.retry_after.is_some() || action.retry_limit.is_some()) {
                self.push(
                    Diagnostic::warning("`retryAfter` and `retryLimit` apply only to `retry` actions; they are ignored").kind("action")
                        .at(self.loc(&aat)),
                );
            }
            for (ci, c) in action.criteria.iter().enumerate() {
                self.criterion(cx, place, &index(&child(&aat, "criteria"), ci), c);
            }
        }
    }

    fn check_output(&mut self, cx: &WfCx<'a>, place: Place, at: &str, name: &str, v: &Value) {
        if !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
            || name.is_empty()
        {
            self.push(
                Diagnostic::warning(format!("output name `{name}` has characters other than letters, digits, `.`, `_` and `-`")).kind("identifier-characters")
                    .at(self.key_loc(at)),
            );
        }
        let Value::String(s) = v else {
            self.push(
                Diagnostic::error(format!(
                    "output `{name}` must be a runtime expression, not {}",
                    kind_of(v)
                ))
                .at(self.loc(at))
                .help("an output's value is an expression such as `$response.body#/id`"),
            );
            return;
        };
        if let Ok(ValueText::Literal) = expr::classify(s, false) {
            self.push(
                Diagnostic::error(format!(
                    "output `{name}` is the constant `{s}`, not a runtime expression"
                ))
                .at(self.loc(at))
                .help("an output's value is an expression such as `$response.body#/id`"),
            );
            return;
        }
        self.check_string(cx, place, at, s, false);
    }

    /// Syntax only, for values outside any workflow.
    fn check_value_syntax(&mut self, v: &Value, at: &str, lenient: bool) {
        if let Value::String(s) = v {
            if let Err(e) = expr::classify(s, lenient) {
                self.syntax_error(at, "expression", &e);
            }
        }
    }

    fn check_value(&mut self, cx: &WfCx<'a>, place: Place, at: &str, v: &Value, lenient: bool) {
        match v {
            Value::String(s) => self.check_string(cx, place, at, s, lenient),
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    self.check_value(cx, place, &index(at, i), item, lenient);
                }
            }
            Value::Object(m) => {
                for (k, item) in m {
                    self.check_value(cx, place, &child(at, k), item, lenient);
                }
            }
            _ => {}
        }
    }

    fn check_string(&mut self, cx: &WfCx<'a>, place: Place, at: &str, s: &str, lenient: bool) {
        match expr::classify(s, lenient) {
            Ok(ValueText::Expr(e)) => self.check_expr(cx, place, at, &e, 0, s.chars().count()),
            Ok(ValueText::Template(segs)) => {
                for seg in segs {
                    if let Segment::Expr(e, off) = seg {
                        let w = expr_width(s, off);
                        self.check_expr(cx, place, at, &e, off, w);
                    }
                }
            }
            Ok(ValueText::Literal) => {
                let Some(i) = bare_expression(s) else { return };
                let w = expr_width(s, i);
                let word: String = s.chars().skip(i).take(w).collect();
                let fixed: String = s.chars().take(i).collect::<String>()
                    + "{"
                    + &word
                    + "}"
                    + &s.chars().skip(i + w).collect::<String>();
                let known = expr::ROOTS
                    .iter()
                    .any(|r| word.starts_with(r.trim_end_matches('.')));
                if known && expr::classify(&fixed, lenient).is_ok() {
                    self.push(
                        Diagnostic::warning(format!("`{word}` stands outside `{{…}}` in a constant string; read as `{fixed}`")).kind("arazzo-spelling")
                            .at(self.loc_in(at, i, w))
                            .help(format!("write `{fixed}`")),
                    );
                    self.check_string(cx, place, at, &fixed, lenient);
                } else {
                    self.push(
                        Diagnostic::warning(format!("`{word}` is not an Arazzo 1.0.1 expression; the string is sent as literal text")).kind("literal-text")
                            .at(self.loc_in(at, i, w))
                            .help("expressions start with one of the roots `$url`, `$method`, `$statusCode`, `$request`, `$response`, `$inputs`, `$outputs`, `$steps`, `$workflows`, `$sourceDescriptions`, `$components`, and are embedded in text as `{$…}`"),
                    );
                }
            }
            Err(e) => match expr::repair(s) {
                Some(fixed) => {
                    self.read_as(s.to_string(), fixed.clone(), self.loc(at));
                    self.check_string(cx, place, at, &fixed, lenient);
                }
                None => self.syntax_error(at, "expression", &e),
            },
        }
    }

    fn check_expr(
        &mut self,
        cx: &WfCx<'a>,
        place: Place,
        at: &str,
        e: &Expr,
        off: usize,
        width: usize,
    ) {
        let loc = self.loc_in(at, off, width);
        match e {
            Expr::Inputs(n) => self.check_input(cx, n, loc),
            Expr::Steps(n) => self.check_step_ref(cx, place, n, loc),
            Expr::Outputs(n) => {
                let defined: Option<BTreeSet<String>> = match place {
                    Place::Response(si) if cx.called_outputs.contains_key(&si) => cx.called_outputs.get(&si).cloned(),
                    _ => Some(cx.wf.outputs.keys().cloned().collect()),
                };
                if let Some(defined) = defined {
                    if !defined.contains(&n.name) {
                        let names: Vec<&str> = defined.iter().map(String::as_str).collect();
                        let mut d = Diagnostic::error(format!("`$outputs.{}` names no output", n.name)).at(loc);
                        if let Some(c) = suggest::closest(&n.name, &names) {
                            d = d.help(format!("did you mean `{c}`?"));
                        }
                        self.push(d);
                    }
                }
            }
            Expr::Workflows(n) => {
                let Some((wf, field, name)) = n.split_at_field(&["outputs", "inputs"]) else {
                    self.push(
                        Diagnostic::error(format!("`$workflows.{}` does not name an input or output", n.name))
                            .at(loc)
                            .help("write `$workflows.<workflowId>.outputs.<name>`"),
                    );
                    return;
                };
                match self.find_workflow(wf) {
                    None => self.unknown_workflow(wf, loc),
                    Some((di, wi)) => {
                        if std::ptr::eq(&self.ws.arazzo[di], self.d) && field == "outputs" {
                            self.reads.entry(wi).or_insert_with(|| loc.clone());
                        }
                        let w = &self.ws.arazzo[di].doc.workflows[wi];
                        let known: Vec<String> = if field == "outputs" {
                            w.outputs.keys().cloned().collect()
                        } else {
                            w.inputs
                                .as_ref()
                                .and_then(|i| i.get("properties"))
                                .and_then(Value::as_object)
                                .map(|p| p.keys().cloned().collect())
                                .unwrap_or_else(|| vec![name.to_string()])
                        };
                        let dotted_read = dotted(name, |o| known.iter().any(|k| k == o)).filter(|_| n.pointer.is_none());
                        if let Some((head, ptr)) = dotted_read {
                            self.read_as(format!("$workflows.{}",
                                    n.name), format!("$workflows.{wf}.{field}.{head}#{ptr}"), loc);
                        } else if !known.iter().any(|k| k == name) {
                            let names: Vec<&str> = known.iter().map(String::as_str).collect();
                            let mut d = Diagnostic::error(format!("workflow `{wf}` has no {} `{name}`", field.trim_end_matches('s'))).at(loc);
                            if let Some(c) = suggest::closest(name, &names) {
                                d = d.help(format!("did you mean `{c}`?"));
                            }
                            self.push(d);
                        }
                    }
                }
            }
            Expr::SourceDescriptions(rest) => {
                let src = rest.split('.').next().unwrap_or(rest);
                if !self.d.sources.contains_key(src) {
                    let mut d = Diagnostic::error(format!("no source description is named `{src}`")).at(loc);
                    if let Some(h) = workspace::source_hint(src, self.d) {
                        d = d.help(h);
                    }
                    self.push(d);
                }
            }
            Expr::Components(rest) => {
                let (kind, name) = rest.split_once('.').unwrap_or((rest, ""));
                let c = self.d.doc.components.clone().unwrap_or_default();
                let names: Option<Vec<&String>> = match kind {
                    "parameters" => Some(c.parameters.keys().collect()),
                    "successActions" => Some(c.success_actions.keys().collect()),
                    "failureActions" => Some(c.failure_actions.keys().collect()),
                    "inputs" => Some(c.inputs.keys().collect()),
                    _ => None,
                };
                match names {
                    None => self.push(
                        Diagnostic::error(format!("`$components.{kind}` is not a kind of component"))
                            .at(loc)
                            .help("the kinds are `inputs`, `parameters`, `successActions` and `failureActions`"),
                    ),
                    Some(names) if !names.iter().any(|n| *n == name) => self.push(
                        Diagnostic::error(format!("`$components.{rest}` names no component")).at(loc),
                    ),
                    _ => {}
                }
            }
            Expr::StatusCode | Expr::Response(_) => match place {
                // The specification's own example tests `$statusCode` on a workflow step.
                Place::Response(si) if cx.called_outputs.contains_key(&si) && *e == Expr::StatusCode => self.push(
                    Diagnostic::warning("this step calls a workflow, which has no response of its own; `$statusCode` is read as the status of the called workflow's last response").kind("workflow-status")
                        .at(loc)
                        .help("a step that calls a workflow succeeds when the workflow does; test the workflow's outputs with `$outputs.<name>`"),
                ),
                Place::Response(si) if cx.called_outputs.contains_key(&si) => self.push(
                    Diagnostic::error("this step calls a workflow, so it has no response to read")
                        .at(loc)
                        .help("a step that calls a workflow succeeds when the workflow does; its criteria and outputs read the workflow's outputs with `$outputs.<name>`"),
                ),
                Place::Request(_) => self.push(
                    Diagnostic::error("the response is not available here: it is read before the request is sent")
                        .at(loc)
                        .help("read response values in `successCriteria`, `outputs` or actions, and pass them on with `$steps.<id>.outputs.<name>`"),
                ),
                Place::Workflow => self.push(
                    Diagnostic::error("a workflow-level expression cannot read a response")
                        .at(loc)
                        .help("expose the value as a step output and read it with `$steps.<id>.outputs.<name>`"),
                ),
                Place::Response(_) | Place::WorkflowAction => {}
            },
            Expr::Url | Expr::Method | Expr::Request(_) => {
                if let Place::Response(si) = place {
                    if cx.called_outputs.contains_key(&si) {
                        self.push(
                            Diagnostic::error("this step calls a workflow, so it has no request to read")
                                .at(loc)
                                .help("a step that calls a workflow passes its parameters as the workflow's inputs; read those with `$inputs` in that workflow"),
                        );
                        return;
                    }
                }
                if place == Place::Workflow {
                    self.push(Diagnostic::error("a workflow-level expression cannot read a request").at(loc));
                }
            }
        }
    }

    fn check_input(&mut self, cx: &WfCx<'a>, n: &Named, loc: Location) {
        let Some(inputs) = &cx.inputs else {
            if cx.wf.inputs.is_none() {
                self.push(
                    Diagnostic::error(format!("`$inputs.{}` is read, but workflow `{}` declares no inputs", n.name, cx.wf.workflow_id))
                        .at(loc)
                        .help(format!("declare it: `inputs: {{type: object, properties: {{{}: {{type: string}}}}}}`", n.name)),
                );
            }
            return;
        };
        if inputs.contains(&n.name) {
            return;
        }
        if let Some((head, ptr)) =
            dotted(&n.name, |i| inputs.contains(i)).filter(|_| n.pointer.is_none())
        {
            self.read_as(
                format!("$inputs.{}", n.name),
                format!("$inputs.{head}#{ptr}"),
                loc,
            );
            return;
        }
        let names: Vec<&str> = inputs.iter().map(String::as_str).collect();
        let mut d = Diagnostic::error(format!(
            "workflow `{}` has no input `{}`",
            cx.wf.workflow_id, n.name
        ))
        .at(loc);
        d = match suggest::closest(&n.name, &names) {
            Some(c) => d.help(format!("did you mean `{c}`?")),
            None if names.is_empty() => d.help(
                "its inputs schema lists no properties; inputs are the properties of an object schema",
            ),
            None => d.help(format!("its inputs are {}", suggest::list(&names))),
        };
        self.push(d);
    }

    fn check_step_ref(&mut self, cx: &WfCx<'a>, place: Place, n: &Named, loc: Location) {
        let (step, output) = match n.split_at_field(&["outputs"]) {
            Some((step, _, output)) => (step, output),
            None => {
                let (step, rest) = n.name.split_once('.').unwrap_or((&n.name, ""));
                let defines = cx
                    .wf
                    .steps
                    .iter()
                    .any(|s| s.step_id == step && s.outputs.contains_key(rest));
                if defines {
                    self.read_as(
                        format!("$steps.{}", n.name),
                        format!("$steps.{step}.outputs.{rest}"),
                        loc.clone(),
                    );
                    (step, rest)
                } else {
                    self.push(
                        Diagnostic::error(format!(
                            "`$steps.{}` does not name a step output",
                            n.name
                        ))
                        .at(loc)
                        .help(format!("write `$steps.{step}.outputs.{rest}`")),
                    );
                    return;
                }
            }
        };
        let Some(si) = cx.wf.steps.iter().position(|s| s.step_id == step) else {
            let names: Vec<&str> = cx.wf.steps.iter().map(|s| s.step_id.as_str()).collect();
            let mut d = Diagnostic::error(format!(
                "no step of `{}` has the id `{step}`",
                cx.wf.workflow_id
            ))
            .at(loc);
            if let Some(c) = suggest::closest(step, &names) {
                d = d.help(format!("did you mean `{c}`?"));
            }
            self.push(d);
            return;
        };
        let runs_before = match place {
            Place::Request(cur) => cx.before[cur].contains(&si),
            Place::Response(cur) => cur == si || cx.before[cur].contains(&si),
            Place::Workflow | Place::WorkflowAction => true,
        };
        if place == Place::Request(si) {
            self.push(
                Diagnostic::error(format!("step `{step}` reads its own outputs before its request is sent"))
                    .at(loc)
                    .help("a step's outputs exist only after its response; take the value from an earlier step"),
            );
            return;
        }
        if !runs_before {
            let cur = match place {
                Place::Request(c) | Place::Response(c) => cx.wf.steps[c].step_id.as_str(),
                Place::Workflow | Place::WorkflowAction => "",
            };
            self.push(
                Diagnostic::error(format!("step `{step}` cannot have run before step `{cur}`, so its outputs are not available here"))
                    .at(loc)
                    .help("move the step earlier, or reach this step from it with a `goto`"),
            );
            return;
        }
        let outputs = &cx.wf.steps[si].outputs;
        if let Some((head, ptr)) =
            dotted(output, |o| outputs.contains_key(o)).filter(|_| n.pointer.is_none())
        {
            self.read_as(
                format!("$steps.{}", n.name),
                format!("$steps.{step}.outputs.{head}#{ptr}"),
                loc,
            );
            return;
        }
        if !outputs.contains_key(output) {
            let names: Vec<&str> = outputs.keys().map(String::as_str).collect();
            let mut d =
                Diagnostic::error(format!("step `{step}` has no output `{output}`")).at(loc);
            d = match suggest::closest(output, &names) {
                Some(c) => d.help(format!("did you mean `{c}`?")),
                None if names.is_empty() => d.help(format!(
                    "add it to the outputs of `{step}`, e.g. `{output}: $response.body#/{output}`"
                )),
                None => d.help(format!("its outputs are {}", suggest::list(&names))),
            };
            self.push(d);
        }
    }

    /// Reports each cycle among the workflows that run before others (listed in `dependsOn`
    /// or read through `$workflows.<id>`), once.
    fn check_depends_on_cycles(&mut self, irs: &[WorkflowIr]) {
        let wfs = &self.d.doc.workflows;
        // 0 = unvisited, 1 = on the stack, 2 = done.
        let mut state = vec![0u8; wfs.len()];
        let mut reported = BTreeSet::new();
        for start in 0..wfs.len() {
            let mut stack: Vec<(usize, usize)> = vec![(start, 0)];
            if state[start] != 0 {
                continue;
            }
            state[start] = 1;
            while let Some(&mut (w, ref mut next)) = stack.last_mut() {
                let deps = irs.get(w).map_or(&[][..], |ir| &ir.depends_on[..]);
                if *next >= deps.len() {
                    state[w] = 2;
                    stack.pop();
                    continue;
                }
                let t = deps[*next];
                *next += 1;
                match state[t] {
                    0 => {
                        state[t] = 1;
                        stack.push((t, 0));
                    }
                    1 => {
                        let pos = stack.iter().position(|(x, _)| *x == t).unwrap_or(0);
                        let mut cycle: Vec<&str> = stack[pos..]
                            .iter()
                            .map(|(x, _)| wfs[*x].workflow_id.as_str())
                            .collect();
                        cycle.push(wfs[t].workflow_id.as_str());
                        let key: BTreeSet<&str> = cycle.iter().copied().collect();
                        if reported.insert(key.into_iter().collect::<Vec<_>>().join(",")) {
                            let wat = index("/workflows", w);
                            let listed = wfs[w]
                                .depends_on
                                .iter()
                                .position(|d| *d == wfs[t].workflow_id);
                            let (at, what) = match listed {
                                Some(k) => (index(&child(&wat, "dependsOn"), k), "`dependsOn`"),
                                None => (
                                    child(&wat, "workflowId"),
                                    "`dependsOn` with the workflows read through `$workflows`",
                                ),
                            };
                            self.push(
                                Diagnostic::error(format!(
                                    "{what} forms a cycle: {}",
                                    cycle.join(" -> ")
                                ))
                                .at(self.loc(&at))
                                .help("a workflow cannot depend, directly or not, on itself"),
                            );
                        }
                    }
                    _ => {}
                }
            }
        }
    }
}

/// Reads `a.b.c` as the name `a` (the longest dotted prefix that `known` accepts) and the
/// JSON pointer `/b/c`, the dialect some tools use for navigating into a value.
fn dotted(name: &str, known: impl Fn(&str) -> bool) -> Option<(String, String)> {
    name.char_indices()
        .rev()
        .filter(|&(_, c)| c == '.')
        .find_map(|(i, _)| {
            let head = &name[..i];
            known(head).then(|| {
                let ptr: Vec<String> = name[i + 1..]
                    .split('.')
                    .map(crate::source::escape_token)
                    .collect();
                (head.to_string(), format!("/{}", ptr.join("/")))
            })
        })
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a mapping",
    }
}

/// The width of the expression starting at character `off` of `s`.
fn expr_width(s: &str, off: usize) -> usize {
    s.chars()
        .skip(off)
        .take_while(|c| !c.is_whitespace() && !"}=!<>&|()".contains(*c))
        .count()
}

/// The character offset of a `$root` written outside `{…}` in a constant string.
fn bare_expression(s: &str) -> Option<usize> {
    let chars: Vec<char> = s.chars().collect();
    (0..chars.len()).find(|&i| {
        chars[i] == '$'
            && (i == 0 || chars[i - 1] != '{')
            && chars.get(i + 1).is_some_and(|c| c.is_ascii_alphabetic())
            && {
                let rest: String = chars[i..].iter().collect();
                let word: String = rest[1..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric())
                    .collect();
                rest[1 + word.len()..].starts_with('.')
            }
    })
}

/// For each step, the steps that may have run before it: those from which it can be reached
/// by falling through or by `goto` (retries included).
fn reach_before(wf: &Workflow, d: &ArazzoDoc) -> Vec<BTreeSet<usize>> {
    let n = wf.steps.len();
    let id_of: BTreeMap<&str, usize> = wf
        .steps
        .iter()
        .enumerate()
        .map(|(i, s)| (s.step_id.as_str(), i))
        .collect();
    let comps = d.doc.components.as_ref();
    let mut succ: Vec<BTreeSet<usize>> = vec![BTreeSet::new(); n];
    for (i, s) in wf.steps.iter().enumerate() {
        if i + 1 < n {
            succ[i].insert(i + 1);
        }
        for a in s.on_success.iter().chain(&s.on_failure) {
            let a = match &a.reference {
                Some(r) => {
                    let name = r.rsplit('.').next().unwrap_or("");
                    match comps.and_then(|c| {
                        c.success_actions
                            .get(name)
                            .or_else(|| c.failure_actions.get(name))
                    }) {
                        Some(a) => a,
                        None => continue,
                    }
                }
                None => a,
            };
            if a.kind.as_deref() == Some("retry") && a.step_id.is_none() {
                succ[i].insert(i);
            }
            if let Some(t) = a.step_id.as_deref().and_then(|t| id_of.get(t)) {
                succ[i].insert(*t);
            }
        }
    }
    let mut before = vec![BTreeSet::new(); n];
    for s in 0..n {
        let mut seen = BTreeSet::new();
        let mut todo: Vec<usize> = succ[s].iter().copied().collect();
        while let Some(t) = todo.pop() {
            if seen.insert(t) {
                todo.extend(succ[t].iter().copied());
            }
        }
        for t in seen {
            before[t].insert(s);
        }
    }
    before
}
