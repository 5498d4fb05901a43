//! Success criteria and success and failure actions.

use super::expressions::expr_width;
use super::*;

impl<'a> Resolver<'a> {
    /// Checks a criterion; what it tests, parsed, when it has no error.
    pub(super) fn criterion(
        &mut self,
        cx: &WfCx<'a>,
        place: Place,
        at: &str,
        c: &Criterion,
    ) -> Option<CriterionIr> {
        let kind = c.kind.as_ref().map_or("simple", |k| k.name());
        if !matches!(kind, "simple" | "regex" | "jsonpath" | "xpath") {
            self.push(
                Diagnostic::error(format!(
                    "criterion type `{kind}` is not one of `simple`, `regex`, `jsonpath`, `xpath`"
                ))
                .at(self.loc(&child(at, "type"))),
            );
            return None;
        }
        if let (Some(k @ crate::model::CriterionType::Versioned { .. }), true) =
            (&c.kind, self.d.doc.version() >= crate::model::Version::V1_1)
        {
            // 1.1: an Expression Type Object, whose versions are listed.
            let v = serde_json::to_value(k).unwrap_or(Value::Null);
            self.expression_type(&v, &child(at, "type"))?;
        }
        let mut context = None;
        if let Some(ctx) = &c.context {
            match expr::parse(ctx) {
                Ok(e) => {
                    self.check_expr(cx, place, &child(at, "context"), &e, 0, ctx.chars().count());
                    context = Some(self.dialect(cx, e));
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
        let text = c.condition.clone();
        // 1.1: a regex or JSONPath condition may embed `{$…}` expressions.
        let embeds = self.d.doc.version() >= crate::model::Version::V1_1
            && matches!(kind, "regex" | "jsonpath")
            && c.condition.contains("{$");
        if embeds {
            return match self.check_string(cx, place, &cat, &c.condition, true) {
                ValueIr::Template(parts) => context.map(|context| CriterionIr {
                    text: text.clone(),
                    test: TestIr::Built {
                        regex: kind == "regex",
                        context,
                        parts,
                    },
                }),
                _ => None,
            };
        }
        let test = match kind {
            "regex" => match regex::Regex::new(&c.condition) {
                Ok(_) => context.map(|context| TestIr::Regex {
                    context,
                    pattern: text.clone(),
                }),
                Err(e) => {
                    // The crate's message draws the pattern over lines; its last line says why.
                    let text = e.to_string();
                    let why = text.lines().last().unwrap_or_default();
                    let why = why.trim().trim_start_matches("error: ");
                    self.push(
                        Diagnostic::error(format!("this regex does not compile: {why}"))
                            .at(self.loc(&cat))
                            .help("regex criteria use the syntax of Rust's `regex` crate (no look-around or back-references)"),
                    );
                    None
                }
            },
            "jsonpath" => match criteria::json_path(&c.condition) {
                Ok((path, comparison)) => context.map(|context| TestIr::Path {
                    context,
                    path,
                    comparison,
                }),
                Err(_) if serde_json_path::JsonPath::parse(&c.condition).is_ok() => {
                    context.map(|context| TestIr::Query {
                        context,
                        query: text.clone(),
                    })
                }
                Err(_) => {
                    self.push(
                        Diagnostic::error("this is neither an RFC 9535 JSONPath query nor a path with a comparison")
                            .at(self.loc(&cat))
                            .help("write a query such as `$[?@.status == 'open']`, or a path and a comparison such as `$.items.length > 0`"),
                    );
                    None
                }
            },
            "xpath" => {
                self.push(
                    Diagnostic::error("`xpath` criteria are not supported: they select from XML, and the generated clients read JSON")
                        .at(self.loc(&child(at, "type")))
                        .help("test the JSON body with a `jsonpath` criterion, e.g. `context: $response.body` and `condition: $.items.length > 0`"),
                );
                None
            }
            _ => match criteria::parse(&c.condition) {
                Ok(cond) => {
                    for (e, off) in Cond::exprs(&cond) {
                        let width = expr_width(&c.condition, off);
                        self.check_expr(cx, place, &child(at, "condition"), e, off, width);
                    }
                    Some(TestIr::Simple(cond.map_exprs(&|e| self.dialect(cx, e))))
                }
                Err(e) => {
                    self.syntax_error(&child(at, "condition"), "condition", &e);
                    None
                }
            },
        };
        test.map(|test| CriterionIr { text, test })
    }

    pub(super) fn syntax_error(&mut self, at: &str, what: &str, e: &expr::SyntaxError) {
        self.push(
            Diagnostic::error(format!("malformed {what}: {}", e.message))
                .at(self.loc_in(at, e.offset, 1)),
        );
    }

    pub(super) fn check_actions(
        &mut self,
        cx: &WfCx<'a>,
        place: Place,
        at: &str,
        actions: &'a [Action],
        failure: bool,
    ) -> Vec<ActionIr> {
        let mut out = Vec::new();
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
                ("goto" | "retry", None, Some(_)) => self.facts.workflow_goto = true,
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
            let criteria: Vec<CriterionIr> = action
                .criteria
                .iter()
                .enumerate()
                .filter_map(|(ci, c)| {
                    self.criterion(cx, place, &index(&child(&aat, "criteria"), ci), c)
                })
                .collect();
            let inputs = self.action_parameters(cx, place, &aat, action, t);
            let step_index = |id: &String| cx.wf.steps.iter().position(|s| &s.step_id == id);
            let kind = match (t, &action.step_id, &action.workflow_id) {
                ("end", ..) => Some(ActionKind::End),
                ("goto", Some(step), None) => step_index(step).map(ActionKind::GotoStep),
                ("goto", None, Some(id)) => self.find_workflow(id).map(|(doc, workflow)| {
                    ActionKind::GotoWorkflow(WorkflowCall {
                        doc,
                        workflow,
                        id: id.clone(),
                        inputs,
                    })
                }),
                ("retry", None, Some(id)) => {
                    self.find_workflow(id)
                        .map(|(doc, workflow)| ActionKind::Retry {
                            step: None,
                            workflow: Some(WorkflowCall {
                                doc,
                                workflow,
                                id: id.clone(),
                                inputs,
                            }),
                            limit: action.retry_limit.unwrap_or(1),
                            after: action.retry_after.unwrap_or(0.0),
                        })
                }
                ("retry", step, None) => match step {
                    Some(s) => step_index(s).map(Some),
                    None => Some(None),
                }
                .map(|step| ActionKind::Retry {
                    step,
                    workflow: None,
                    limit: action.retry_limit.unwrap_or(1),
                    after: action.retry_after.unwrap_or(0.0),
                }),
                _ => None,
            };
            if let Some(kind) = kind {
                out.push(ActionIr { kind, criteria });
            }
        }
        out
    }

    /// 1.1: an action's `parameters`, the inputs of the workflow a `goto` or `retry` runs:
    /// each without `in`, unique, and an input the workflow has.
    fn action_parameters(
        &mut self,
        cx: &WfCx<'a>,
        place: Place,
        at: &str,
        action: &'a Action,
        kind: &str,
    ) -> Vec<(String, ValueIr, String)> {
        if action.parameters.is_empty() {
            return Vec::new();
        }
        let pat = child(at, "parameters");
        let Some(wf) = action.workflow_id.as_deref() else {
            self.push(
                Diagnostic::error("an action's `parameters` are the inputs of the workflow it runs, and it names no `workflowId`")
                    .at(self.key_loc(&pat)),
            );
            return Vec::new();
        };
        if kind != "goto" && kind != "retry" {
            self.push(
                Diagnostic::error(format!(
                    "`parameters` of a `{kind}` action are not supported: only a `goto` or `retry` to a workflow takes inputs"
                ))
                .at(self.key_loc(&pat)),
            );
            return Vec::new();
        }
        let called = self
            .find_workflow(wf)
            .map(|(doc, w)| &self.ws.arazzo[doc].doc.workflows[w]);
        let props: Option<Vec<String>> = called
            .and_then(|w| w.inputs.as_ref())
            .and_then(|i| i.get("properties"))
            .and_then(Value::as_object)
            .map(|m| m.keys().cloned().collect());
        let mut out: Vec<(String, ValueIr, String)> = Vec::new();
        for (i, p) in action.parameters.iter().enumerate() {
            let at = index(&pat, i);
            let Some((name, location, value)) = self.expand_reference(p, &at) else {
                continue;
            };
            if location.is_some() {
                self.push(
                    Diagnostic::error(format!(
                        "parameter `{name}` of an action has `in`; an action's parameters are workflow inputs"
                    ))
                    .at(self.key_loc(&child(&at, "in")))
                    .help("leave `in` out"),
                );
                continue;
            }
            if out.iter().any(|(n, ..)| *n == name) {
                self.push(
                    Diagnostic::error(format!("parameter `{name}` is given twice"))
                        .at(self.loc(&at)),
                );
                continue;
            }
            if let Some(names) = &props {
                if !names.contains(&name) {
                    let list: Vec<&str> = names.iter().map(String::as_str).collect();
                    let mut d = Diagnostic::error(format!("workflow `{wf}` has no input `{name}`"))
                        .at(self.loc(&child(&at, "name")));
                    if let Some(c) = suggest::closest(&name, &list) {
                        d = d.help(format!("did you mean `{c}`?"));
                    }
                    self.push(d);
                    continue;
                }
            }
            let vat = child(&at, "value");
            let read = self.check_value(cx, place, &vat, &value, false);
            out.push((name, read, vat));
        }
        out
    }
}
