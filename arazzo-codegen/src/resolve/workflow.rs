//! A workflow: its parameters, dependencies, steps, outputs and actions, and the order in
//! which steps may run.

use super::*;

impl<'a> Resolver<'a> {
    pub(super) fn workflow(&mut self, di: usize, wi: usize, wf: &'a Workflow) -> WorkflowIr {
        let at = index("/workflows", wi);
        self.reads.clear();
        self.facts = Reads::default();
        let inputs = self.input_names(wf, &at);
        let (order, cycle) = super::dependencies::execution_order(wf);
        if !cycle.is_empty() {
            self.dependency_cycle(wf, &at, &cycle);
        }
        let before = reach_before(wf, self.d, &order);
        let mut cx = WfCx {
            wf,
            cycle: !cycle.is_empty(),
            at: at.clone(),
            inputs,
            before,
            called_outputs: BTreeMap::new(),
            wf_params: Vec::new(),
        };
        let mut wf_params: Vec<(String, Option<String>, Value, String, ValueIr)> = Vec::new();
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
            let read = self.check_value(&cx, Place::Workflow, &child(&pat, "value"), &value, false);
            wf_params.push((name, location, value, pat, read));
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
        let mut outputs = Vec::new();
        for (name, v) in &wf.outputs {
            let oat = child(&child(&at, "outputs"), name);
            outputs.extend(self.check_output(&cx, Place::Workflow, &oat, name, v));
        }
        let success_actions = self.check_actions(
            &cx,
            Place::WorkflowAction,
            &child(&at, "successActions"),
            &wf.success_actions,
            false,
        );
        let failure_actions = self.check_actions(
            &cx,
            Place::WorkflowAction,
            &child(&at, "failureActions"),
            &wf.failure_actions,
            true,
        );
        // The workflow's actions apply to each step that has none of its own.
        for (step, s) in steps.iter_mut().zip(&wf.steps) {
            if s.on_success.is_empty() {
                step.on_success = success_actions.clone();
            }
            if s.on_failure.is_empty() {
                step.on_failure = failure_actions.clone();
            }
        }
        let branches = wf.has_actions();
        let depends_on = self.dependencies(wi, wf, di, &steps);
        WorkflowIr {
            doc: di,
            index: wi,
            skipped: false,
            id: wf.workflow_id.clone(),
            steps,
            order,
            depends_on,
            reads: std::mem::take(&mut self.facts),
            outputs,
            branches,
            types: Default::default(),
            conversions: Default::default(),
        }
    }

    /// The workflows that run before workflow `wi`: those it lists, then those it reads without
    /// listing (with a warning saying the generator runs them first). A workflow one of its
    /// steps calls is read from that step instead.
    pub(super) fn dependencies(
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
    pub(super) fn input_names(&mut self, wf: &Workflow, at: &str) -> Option<BTreeSet<String>> {
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

    pub(super) fn find_workflow(&self, id: &str) -> Option<(usize, usize)> {
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

    pub(super) fn unknown_workflow(&mut self, id: &str, loc: Location) {
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
                Some(SourceSlot::AsyncApi(_)) => self.push(
                    Diagnostic::error(format!(
                        "source `{src}` is an AsyncAPI description, not an Arazzo document"
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

    pub(super) fn step(&mut self, cx: &mut WfCx<'a>, si: usize, s: &'a Step) -> StepIr {
        let at = index(&child(&cx.at, "steps"), si);
        let given: Vec<&str> = [
            ("operationId", s.operation_id.is_some()),
            ("operationPath", s.operation_path.is_some()),
            ("channelPath", s.channel_path.is_some()),
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
                        .help(self.one_target_help()),
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
                    .help(self.one_target_help()),
                );
                Target::Unresolved
            }
            ["operationId"] => {
                let text = s.operation_id.as_deref().unwrap_or_default();
                let oat = child(&at, "operationId");
                match self.message_operation(text, &oat) {
                    Some(t) => t,
                    None => {
                        let given: Vec<(&str, Option<&str>)> = s
                            .parameters
                            .iter()
                            .filter_map(|p| Some((p.name.as_deref()?, p.location.as_deref())))
                            .collect();
                        self.operation_id(text, &oat, &given)
                    }
                }
            }
            ["channelPath"] => self.channel_path(
                s.channel_path.as_deref().unwrap_or_default(),
                &child(&at, "channelPath"),
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
        self.check_message_fields(s, &at, &target);
        let depends_on = self.step_depends_on(cx, si, s, &at);
        let (parameters, querystring) = self.parameters(cx, si, s, &at, &target);
        let body = s
            .request_body
            .as_ref()
            .map(|b| self.request_body(cx, si, b, &child(&at, "requestBody"), &target));
        let mut criteria = Vec::new();
        for (ci, c) in s.success_criteria.iter().enumerate() {
            let at = index(&child(&at, "successCriteria"), ci);
            criteria.extend(self.criterion(cx, Place::Response(si), &at, c));
        }
        let on_success = self.check_actions(
            cx,
            Place::Response(si),
            &child(&at, "onSuccess"),
            &s.on_success,
            false,
        );
        let on_failure = self.check_actions(
            cx,
            Place::Response(si),
            &child(&at, "onFailure"),
            &s.on_failure,
            true,
        );
        let mut outputs = Vec::new();
        for (name, v) in &s.outputs {
            let oat = child(&child(&at, "outputs"), name);
            outputs.extend(self.check_output(cx, Place::Response(si), &oat, name, v));
        }
        let mut step = StepIr {
            id: s.step_id.clone(),
            target,
            parameters,
            body,
            criteria,
            on_success,
            on_failure,
            outputs,
            depends_on,
            timeout_ms: s.timeout,
            querystring,
            uses: Default::default(),
        };
        step.uses = super::usage::operation_use(&step);
        step
    }

    /// Reports each cycle among the workflows that run before others (listed in `dependsOn`
    /// or read through `$workflows.<id>`), once.
    pub(super) fn check_depends_on_cycles(&mut self, irs: &[WorkflowIr]) {
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
                            let d = Diagnostic::error(format!(
                                "{what} forms a cycle: {}",
                                cycle.join(" -> ")
                            ))
                            .at(self.loc(&at))
                            .help("a workflow cannot depend, directly or not, on itself")
                            .in_workflow(irs.get(w).map(|ir| (ir.doc, w)));
                            self.push(d);
                        }
                    }
                    _ => {}
                }
            }
        }
    }
}

/// For each step, the steps that may have run before it: those from which it can be reached
/// by falling through or by `goto` (retries included).
pub(super) fn reach_before(wf: &Workflow, d: &ArazzoDoc, order: &[usize]) -> Vec<BTreeSet<usize>> {
    let n = wf.steps.len();
    let id_of: BTreeMap<&str, usize> = wf
        .steps
        .iter()
        .enumerate()
        .map(|(i, s)| (s.step_id.as_str(), i))
        .collect();
    let comps = d.doc.components.as_ref();
    let mut succ: Vec<BTreeSet<usize>> = vec![BTreeSet::new(); n];
    // Each step leads to the next in the order they run in.
    for pair in order.windows(2) {
        succ[pair[0]].insert(pair[1]);
    }
    for (i, s) in wf.steps.iter().enumerate() {
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
