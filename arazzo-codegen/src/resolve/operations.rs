//! Linking a step's `operationId` or `operationPath` to an operation of an OpenAPI source.

use super::*;

impl<'a> Resolver<'a> {
    /// One description declares operationId `id` on several operations (`exact`): the one
    /// whose path parameters the step's parameters fit (and, among several, that declares
    /// every parameter the step gives) is taken, with a warning naming the others; where none
    /// or several fit, an error lists each as an `operationPath`.
    fn duplicate_operation_id(
        &mut self,
        source: &str,
        id: &str,
        exact: &[(&str, usize, usize)],
        at: &str,
        given: &[(&str, Option<&str>)],
    ) -> Target {
        let ops: Vec<(usize, usize, &crate::openapi::Operation)> = exact
            .iter()
            .map(|&(_, i, oi)| (i, oi, &self.ws.openapi[i].operations[oi]))
            .collect();
        let fits = |op: &crate::openapi::Operation| {
            let template = path_template_names(&op.path);
            template.iter().all(|t| {
                given
                    .iter()
                    .any(|(n, l)| n == t && l.is_none_or(|l| l == "path"))
            }) && given
                .iter()
                .filter(|(_, l)| *l == Some("path"))
                .all(|(n, _)| template.contains(n))
        };
        let mut fitting: Vec<&(usize, usize, &crate::openapi::Operation)> =
            ops.iter().filter(|(_, _, op)| fits(op)).collect();
        // Among those, the ones that declare every parameter the step gives.
        let declares_all = |op: &crate::openapi::Operation| {
            given
                .iter()
                .all(|(n, _)| op.parameters.iter().any(|p| p.name == *n))
        };
        if fitting.len() > 1 && fitting.iter().filter(|o| declares_all(o.2)).count() >= 1 {
            fitting.retain(|o| declares_all(o.2));
        }
        let labels = |list: &mut dyn Iterator<Item = &crate::openapi::Operation>| {
            list.map(|op| format!("`{}`", op.label()))
                .collect::<Vec<_>>()
                .join(", ")
        };
        if let [(i, oi, op)] = fitting.as_slice() {
            let others = labels(&mut ops.iter().filter(|o| o.1 != *oi).map(|o| o.2));
            self.push(
                Diagnostic::warning(format!(
                    "operationId `{id}` is declared by {} operations of source `{source}`; the step's parameters fit `{}`, not {others}",
                    ops.len(),
                    op.label()
                ))
                .kind("duplicate-operation-id")
                .at(self.loc(at))
                .help(format!(
                    "write `operationPath: {}` to say which",
                    operation_path(source, op)
                )),
            );
            return Target::Operation {
                openapi: *i,
                operation: *oi,
                source: source.to_string(),
            };
        }
        let why = if fitting.is_empty() {
            "the step's parameters fit none of them"
        } else {
            "the step's parameters fit several of them"
        };
        let mut d = Diagnostic::error(format!(
            "operationId `{id}` is declared by {} operations of source `{source}`, and {why}",
            ops.len()
        ))
        .at(self.loc(at));
        for (_, _, op) in &ops {
            d = d.help(format!(
                "for {}, write `operationPath: {}`",
                op.label(),
                operation_path(source, op)
            ));
        }
        self.push(d);
        Target::Unresolved
    }

    pub(super) fn openapi_sources(&self) -> Vec<(&'a str, usize)> {
        self.d
            .sources
            .iter()
            .filter_map(|(n, s)| match s {
                SourceSlot::OpenApi(i) => Some((n.as_str(), *i)),
                _ => None,
            })
            .collect()
    }

    pub(super) fn any_unavailable(&self) -> bool {
        self.d
            .sources
            .values()
            .any(|s| *s == SourceSlot::Unavailable)
    }

    /// The operation `text` names; `given` are the step's parameters (name and `in`), which
    /// choose among operations of one description that share the operationId.
    pub(super) fn operation_id(
        &mut self,
        text: &str,
        at: &str,
        given: &[(&str, Option<&str>)],
    ) -> Target {
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
        let mut sources_named: Vec<&str> = exact.iter().map(|(n, ..)| *n).collect();
        sources_named.dedup();
        if let ([one], true) = (sources_named.as_slice(), exact.len() > 1) {
            return self.duplicate_operation_id(one, id, &exact, at, given);
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
                    let t = self.operation_id(&fixed, at, given);
                    if t != Target::Unresolved {
                        self.push(
                            Diagnostic::warning(format!(
                                "operationId `{id}` is not an Arazzo {} form; read as `{fixed}`",
                                self.spec_version()
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
    pub(super) fn openapi_source(&mut self, src: &str, loc: &Location) -> Option<usize> {
        if !self.d.sources.contains_key(src) {
            // A source named with another case, when only one name matches.
            let folded: Vec<&String> = self
                .d
                .sources
                .keys()
                .filter(|k| k.eq_ignore_ascii_case(src))
                .collect();
            if let [name] = folded.as_slice() {
                if let Some(SourceSlot::OpenApi(i)) = self.d.sources.get(name.as_str()) {
                    self.push(
                        Diagnostic::warning(format!(
                            "source `{src}` resolved to `{name}` (the case differs)"
                        ))
                        .kind("case-mismatch")
                        .at(loc.clone())
                        .help(format!("write `{name}` as `sourceDescriptions` names it")),
                    );
                    return Some(*i);
                }
            }
        }
        let d = match self.d.sources.get(src) {
            Some(SourceSlot::OpenApi(i)) => return Some(*i),
            Some(SourceSlot::Unavailable) => return None,
            Some(SourceSlot::Arazzo(_)) => Diagnostic::error(format!(
                "source `{src}` is an Arazzo document, not an OpenAPI description"
            ))
            .help("call one of its workflows with `workflowId` instead"),
            Some(SourceSlot::AsyncApi(_)) => Diagnostic::error(format!(
                "source `{src}` is an AsyncAPI description, not an OpenAPI description"
            ))
            .help("name one of its operations with `operationId`, or a channel with `channelPath`"),
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

    pub(super) fn source_name(&self, src: &str) -> &'a str {
        self.d
            .sources
            .keys()
            .find(|k| k.as_str() == src)
            .map_or("", String::as_str)
    }

    pub(super) fn operation_path(&mut self, text: &str, at: &str) -> Target {
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
                    Diagnostic::warning(format!("operationPath `{head}#…` is not the Arazzo {} form; read as `{{$sourceDescriptions.{s}.url}}#…`", self.spec_version())).kind("arazzo-spelling")
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
}

/// The names a path template holds in braces (`/a/{id}/b/{x}`: `id`, `x`).
fn path_template_names(path: &str) -> Vec<&str> {
    path.split('{')
        .skip(1)
        .filter_map(|p| p.split_once('}').map(|(n, _)| n))
        .collect()
}

/// The `operationPath` that names `op` of source `source`.
fn operation_path(source: &str, op: &crate::openapi::Operation) -> String {
    format!("{{$sourceDescriptions.{source}.url}}#{}", op.pointer)
}
