//! Parameters (reusable ones expanded, each put in its place) and request bodies.

use super::*;

impl<'a> Resolver<'a> {
    pub(super) fn expand_reference(
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

    pub(super) fn parameters(
        &mut self,
        cx: &WfCx<'a>,
        si: usize,
        s: &'a Step,
        at: &str,
        target: &Target,
    ) -> (Vec<ParamIr>, Option<(ValueIr, String)>) {
        let mut out: Vec<ParamIr> = Vec::new();
        // 1.1: the step's `in: querystring` parameter, its value and the value's pointer.
        let mut querystring: Option<(ValueIr, String)> = None;
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
        let mut all: Vec<(String, Option<String>, Value, String, bool, ValueIr)> = cx
            .wf_params
            .iter()
            .filter(|(_, l, ..)| l.is_none() == is_workflow_step)
            .map(|(n, l, v, p, r)| (n.clone(), l.clone(), v.clone(), p.clone(), true, r.clone()))
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
            let read =
                self.check_value(cx, Place::Request(si), &child(&pat, "value"), &value, false);
            all.push((name, location, value, pat, false, read));
        }
        for (mut name, location, value, pat, from_workflow, read) in all {
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
                (_, Some("querystring")) if self.d.doc.version() >= crate::model::Version::V1_1 => {
                    // 1.1 (from OpenAPI 3.2): the whole query string as one value, sent in
                    // place of the query the client would build.
                    if querystring.is_some() {
                        self.push(
                            Diagnostic::error(format!(
                                "parameter `{name}` is a second `in: querystring` parameter"
                            ))
                            .at(self.loc(&pat))
                            .help("a request has one query string"),
                        );
                    } else {
                        querystring = Some((read, child(&pat, "value")));
                    }
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
                existing.read = read;
                continue;
            }
            out.push(ParamIr {
                name,
                location,
                value,
                at: pat,
                read,
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
        (out, querystring)
    }

    /// Checks a parameter's declared location against the operation; returns where it goes. A
    /// name the operation does not declare, but that matches one declared name when case, `_`
    /// and `-` are ignored (`pet_id` for `petId`), is read as that name, with a warning.
    pub(super) fn place_parameter(
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

    pub(super) fn request_body(
        &mut self,
        cx: &WfCx<'a>,
        si: usize,
        body: &'a crate::model::RequestBody,
        at: &str,
        target: &Target,
    ) -> BodyIr {
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
        let payload = body
            .payload
            .as_ref()
            .map(|p| self.check_value(cx, Place::Request(si), &child(at, "payload"), p, true));
        let mut replacements = Vec::new();
        for (ri, r) in body.replacements.iter().enumerate() {
            let rat = index(&child(at, "replacements"), ri);
            // 1.1: the target may be written as a JSONPath (read as the pointer it stands for).
            let kind = match &r.target_selector_type {
                Some(t) => {
                    let v = serde_json::to_value(t).unwrap_or(Value::Null);
                    self.expression_type(&v, &child(&rat, "targetSelectorType"))
                }
                None => Some("jsonpointer"),
            };
            let mut target = r.target.clone();
            match kind {
                Some("jsonpath") => match selectors::singular_path(&r.target) {
                    Ok(tokens) => target = expr::Pointer(tokens).to_string(),
                    Err(why) => self.push(
                        Diagnostic::error(format!("replacement target `{}` {why}", r.target))
                            .at(self.loc(&child(&rat, "target")))
                            .help("a target names one place: write a path of names and indexes such as `$.items[0].id`"),
                    ),
                },
                Some("xpath") => self.push(
                    Diagnostic::error("`xpath` replacement targets are not supported: they address XML, and the generated clients send JSON")
                        .at(self.loc(&child(&rat, "targetSelectorType"))),
                ),
                Some(_) if !r.target.starts_with('/') && !r.target.is_empty() && !r.target.starts_with("//") => {
                    self.push(
                        Diagnostic::error(format!(
                            "replacement target `{}` is not a JSON pointer",
                            r.target
                        ))
                        .at(self.loc(&child(&rat, "target")))
                        .help("a JSON pointer starts with `/`, e.g. `/customer/name`"),
                    );
                }
                Some(_) => {
                    if let Err((_, m)) = Pointer::parse_uri_fragment(&r.target) {
                        self.push(
                            Diagnostic::error(format!("replacement target: {m}"))
                                .at(self.loc(&child(&rat, "target"))),
                        );
                    }
                }
                None => {}
            }
            let read = self.check_value(
                cx,
                Place::Request(si),
                &child(&rat, "value"),
                &r.value,
                false,
            );
            replacements.push((target, read));
        }
        BodyIr {
            payload,
            replacements,
        }
    }
}
