//! Runtime expressions in values, outputs and strings: each linked to what it names.

use super::*;

impl<'a> Resolver<'a> {
    pub(super) fn check_output(
        &mut self,
        cx: &WfCx<'a>,
        place: Place,
        at: &str,
        name: &str,
        v: &Value,
    ) -> Option<OutputIr> {
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
        if let (true, Value::Object(m)) = (self.is_selector(v), v) {
            let (e, query) = match self.selector(cx, place, at, m, true)? {
                Selected::One(e) => (e, None),
                Selected::Many(e, q) => (e, Some(q)),
            };
            return Some(OutputIr {
                name: name.to_string(),
                expr: Some(e),
                query,
            });
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
            return None;
        };
        if let Ok(ValueText::Literal) = expr::classify(s, false) {
            self.push(
                Diagnostic::error(format!(
                    "output `{name}` is the constant `{s}`, not a runtime expression"
                ))
                .at(self.loc(at))
                .help("an output's value is an expression such as `$response.body#/id`"),
            );
            return None;
        }
        self.check_string(cx, place, at, s, false);
        let e = expr::parse(s)
            .ok()
            .or_else(|| expr::repair(s).and_then(|r| expr::parse(&r).ok()));
        Some(OutputIr {
            name: name.to_string(),
            expr: e.map(|e| self.dialect(cx, e)),
            query: None,
        })
    }

    /// An expression with the dotted-path repair the checker reports (with a warning) applied:
    /// `$steps.a.outputs.b.c.d` reads into output `b` (`$steps.a.outputs.b#/c/d`), and so does
    /// `$workflows.w.outputs.b.c`.
    pub(super) fn dialect(&self, cx: &WfCx<'a>, e: Expr) -> Expr {
        let steps = &cx.wf.steps;
        let siblings = &self.d.doc.workflows;
        expr::read_into_outputs(
            e,
            &|step, output| {
                steps
                    .iter()
                    .any(|s| s.step_id == step && s.outputs.contains_key(output))
            },
            &|id, output| {
                siblings
                    .iter()
                    .any(|w| w.workflow_id == id && w.outputs.contains_key(output))
            },
        )
    }

    /// Syntax only, for values outside any workflow.
    pub(super) fn check_value_syntax(&mut self, v: &Value, at: &str, lenient: bool) {
        if let Value::String(s) = v {
            if let Err(e) = expr::classify(s, lenient) {
                self.syntax_error(at, "expression", &e);
            }
        }
    }

    pub(super) fn check_value(
        &mut self,
        cx: &WfCx<'a>,
        place: Place,
        at: &str,
        v: &Value,
        lenient: bool,
    ) -> ValueIr {
        match v {
            Value::String(s) => self.check_string(cx, place, at, s, lenient),
            Value::Array(items) => ValueIr::Array(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| self.check_value(cx, place, &index(at, i), item, lenient))
                    .collect(),
            ),
            Value::Object(m) if self.is_selector(v) => {
                match self.selector(cx, place, at, m, false) {
                    Some(Selected::One(e)) => ValueIr::Expr(e),
                    // Reported; nothing is generated.
                    _ => ValueIr::Const(Value::Null),
                }
            }
            Value::Object(m) => ValueIr::Object(
                m.iter()
                    .map(|(k, item)| {
                        let read = self.check_value(cx, place, &child(at, k), item, lenient);
                        (k.clone(), read)
                    })
                    .collect(),
            ),
            other => ValueIr::Const(other.clone()),
        }
    }

    pub(super) fn check_string(
        &mut self,
        cx: &WfCx<'a>,
        place: Place,
        at: &str,
        s: &str,
        lenient: bool,
    ) -> ValueIr {
        match expr::classify(s, lenient) {
            Ok(ValueText::Expr(e)) => {
                self.check_expr(cx, place, at, &e, 0, s.chars().count());
                ValueIr::Expr(self.dialect(cx, e))
            }
            Ok(ValueText::Template(segs)) => {
                for seg in &segs {
                    if let Segment::Expr(e, off) = seg {
                        let w = expr_width(s, *off);
                        self.check_expr(cx, place, at, e, *off, w);
                    }
                }
                ValueIr::Template(
                    segs.into_iter()
                        .map(|seg| match seg {
                            Segment::Expr(e, off) => Segment::Expr(self.dialect(cx, e), off),
                            text => text,
                        })
                        .collect(),
                )
            }
            Ok(ValueText::Literal) => {
                let Some(i) = bare_expression(s) else {
                    return ValueIr::Text(s.to_string());
                };
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
                    self.check_string(cx, place, at, &fixed, lenient)
                } else {
                    self.push(
                        Diagnostic::warning(format!("`{word}` is not an Arazzo 1.0.1 expression; the string is sent as literal text")).kind("literal-text")
                            .at(self.loc_in(at, i, w))
                            .help("expressions start with one of the roots `$url`, `$method`, `$statusCode`, `$request`, `$response`, `$inputs`, `$outputs`, `$steps`, `$workflows`, `$sourceDescriptions`, `$components`, and are embedded in text as `{$…}`"),
                    );
                    ValueIr::Text(s.to_string())
                }
            }
            Err(e) => match expr::repaired(s) {
                Some((fixed, kind)) => {
                    self.read_as_kind(kind, s.to_string(), fixed.clone(), self.loc(at));
                    self.check_string(cx, place, at, &fixed, lenient)
                }
                None => {
                    self.syntax_error(at, "expression", &e);
                    ValueIr::Text(s.to_string())
                }
            },
        }
    }

    pub(super) fn check_expr(
        &mut self,
        cx: &WfCx<'a>,
        place: Place,
        at: &str,
        e: &Expr,
        off: usize,
        width: usize,
    ) {
        let loc = self.loc_in(at, off, width);
        match (e, place) {
            (Expr::Inputs(_), _) => self.facts.inputs.push(at.to_string()),
            (Expr::Request(expr::MessagePart::Body(_)), _) => self.facts.request_body = true,
            (Expr::StatusCode, Place::Response(si)) => {
                self.facts.status_code.insert(si);
            }
            (Expr::StatusCode, Place::WorkflowAction) => {
                self.facts.status_code_in_workflow_actions = true;
            }
            _ => {}
        }
        match e {
            Expr::Inputs(n) => self.check_input(cx, n, loc),
            Expr::Steps(n) => self.check_step_ref(cx, place, at, n, loc),
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
                if let Some((owner, step)) = wf.split_once(".steps.") {
                    self.other_workflow_step_output(owner, step, field, name, &n.name, loc);
                    return;
                }
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
                        let path_read = if known.iter().any(|k| k == name) || n.pointer.is_some() {
                            None
                        } else {
                            expr::output_path(name, |o| known.iter().any(|k| k == o))
                        };
                        if let Some((head, steps)) = path_read {
                            let base = format!("$workflows.{wf}.{field}.{head}");
                            self.read_path(format!("$workflows.{}", n.name), &base, &steps, loc);
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
                } else if let Some(SourceRef::Nothing) = self.source_ref(rest) {
                    let field = rest.split_once('.').map_or("", |(_, f)| f);
                    self.push(
                        Diagnostic::error(format!("`$sourceDescriptions.{rest}` names nothing: source `{src}` has no operation, workflow or field `{field}`"))
                            .at(loc)
                            .help("after the source's name comes an operationId or workflowId of it, or one of its fields: `url`, `name`, `type`"),
                    );
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
            Expr::SelfUri | Expr::Message(_)
                if self.d.doc.version() < crate::model::Version::V1_1 =>
            {
                self.push(
                    Diagnostic::error("`$self` and `$message` are Arazzo 1.1 expressions; this document says it is 1.0")
                        .at(loc)
                        .help("write `arazzo: 1.1.0` to use them"),
                );
            }
            Expr::SelfUri => {
                if self.d.doc.self_uri.is_none() {
                    self.push(
                        Diagnostic::error("`$self` reads the document's `$self`, which it does not have")
                            .at(loc)
                            .help("give the document its URI: `$self: https://…`"),
                    );
                }
            }
            Expr::Message(_) => {
                let message_step = match place {
                    Place::Response(si) | Place::Request(si) => matches!(
                        cx.wf.steps.get(si),
                        Some(s) if s.action.is_some() || s.channel_path.is_some()
                    ),
                    _ => false,
                };
                if !message_step {
                    self.push(
                        Diagnostic::error("`$message` reads the message of an AsyncAPI step, and this is not one")
                            .at(loc),
                    );
                }
            }
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

    pub(super) fn check_input(&mut self, cx: &WfCx<'a>, n: &Named, loc: Location) {
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

    pub(super) fn check_step_ref(
        &mut self,
        cx: &WfCx<'a>,
        place: Place,
        at: &str,
        n: &Named,
        loc: Location,
    ) {
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
        let path_read = if outputs.contains_key(output) || n.pointer.is_some() {
            None
        } else {
            expr::output_path(output, |o| outputs.contains_key(o))
        };
        let read = path_read.as_ref().map_or(output, |(head, _)| *head);
        self.facts
            .step_outputs
            .entry((si, read.to_string()))
            .or_default()
            .push(at.to_string());
        if let Some((head, steps)) = path_read {
            let base = format!("$steps.{step}.outputs.{head}");
            self.read_path(format!("$steps.{}", n.name), &base, &steps, loc);
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
}

impl Resolver<'_> {
    /// A path after an output's or input's name (`data[0].id`), read into it as a pointer with
    /// a warning: `arazzo-spelling` for members alone (`.a.b`), `dialect` where it indexes. A
    /// `[*]` (every element) is an error that names the form to write instead.
    fn read_path(&mut self, written: String, base: &str, steps: &[expr::PathStep], loc: Location) {
        let Some(tokens) = expr::path_pointer(steps) else {
            self.push(
                Diagnostic::error(format!(
                    "`{written}` reads every element (`[*]`) of an output, which an expression cannot hold"
                ))
                .at(loc)
                .help(format!(
                    "give the step an output that selects the list instead: `{{context: $response.body, selector: '$[*]…', type: jsonpath}}` (Arazzo 1.1), or read one element: `{base}#/0/…`"
                )),
            );
            return;
        };
        let pointer: Vec<String> = tokens
            .iter()
            .map(|t| crate::source::escape_token(t))
            .collect();
        let reading = format!("{base}#/{}", pointer.join("/"));
        let indexes = steps.iter().any(|s| matches!(s, expr::PathStep::Index(_)));
        let kind = if indexes {
            "dialect"
        } else {
            "arazzo-spelling"
        };
        self.read_as_kind(kind, written, reading, loc);
    }
}

/// Reads `a.b.c` as the name `a` (the longest dotted prefix that `known` accepts) and the
/// JSON pointer `/b/c`, the dialect some tools use for navigating into a value.
pub(super) fn dotted(name: &str, known: impl Fn(&str) -> bool) -> Option<(String, String)> {
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

pub(super) fn kind_of(v: &Value) -> &'static str {
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
pub(super) fn expr_width(s: &str, off: usize) -> usize {
    s.chars()
        .skip(off)
        .take_while(|c| !c.is_whitespace() && !"}=!<>&|()".contains(*c))
        .count()
}

/// The character offset of a `$root` written outside `{…}` in a constant string.
pub(super) fn bare_expression(s: &str) -> Option<usize> {
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

/// What `$sourceDescriptions.<name>.<ref>` names, looked up in the order Arazzo 1.1 gives: an
/// operationId or workflowId of the source, then a field of its Source Description Object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SourceRef {
    /// An operation or a workflow of the source.
    Operation,
    /// A field's value (`url`, `name`, `type`, or an extension), known when the code is made.
    Field(String),
    /// Neither.
    Nothing,
}

impl Resolver<'_> {
    /// What `<name>.<ref>` names in this document; `None` without a `.<ref>` or a source.
    pub(super) fn source_ref(&self, rest: &str) -> Option<SourceRef> {
        source_ref(self.ws, self.d, rest)
    }
}

/// [`SourceRef`] of `<name>.<ref>` in document `d`; `None` without a `.<ref>` or a source.
pub fn source_ref(ws: &Workspace, d: &ArazzoDoc, rest: &str) -> Option<SourceRef> {
    let (src, field) = rest.split_once('.')?;
    let slot = d.sources.get(src)?;
    let declares = match slot {
        SourceSlot::OpenApi(i) => ws.openapi[*i]
            .operations
            .iter()
            .any(|o| o.operation_id.as_deref() == Some(field)),
        SourceSlot::Arazzo(i) => ws.arazzo[*i]
            .doc
            .workflows
            .iter()
            .any(|w| w.workflow_id == field),
        SourceSlot::AsyncApi(i) => ws.asyncapi[*i].has_operation(field),
        SourceSlot::Unavailable => return None,
    };
    if declares {
        return Some(SourceRef::Operation);
    }
    let sd = d.doc.source_descriptions.iter().find(|s| s.name == src)?;
    let value = match field {
        "url" => Some(sd.url.clone()),
        "name" => Some(sd.name.clone()),
        "type" => sd
            .kind
            .and_then(|k| serde_json::to_value(k).ok())
            .and_then(|v| v.as_str().map(str::to_string)),
        other => sd
            .extensions
            .get(other)
            .and_then(Value::as_str)
            .map(str::to_string),
    };
    Some(value.map_or(SourceRef::Nothing, SourceRef::Field))
}
