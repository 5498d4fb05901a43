//! Arazzo 1.1 message steps: a step's `operationId` or `channelPath` linked to an AsyncAPI
//! source, and the fields only such steps have (`action`, `correlationId`) checked.

use super::*;

impl<'a> Resolver<'a> {
    /// The help for a step that names no target, or several.
    pub(super) fn one_target_help(&self) -> &'static str {
        if self.d.doc.version() >= crate::model::Version::V1_1 {
            "give exactly one of `operationId`, `operationPath`, `channelPath` or `workflowId`"
        } else {
            "give exactly one of `operationId`, `operationPath` or `workflowId`"
        }
    }

    fn asyncapi_sources(&self) -> Vec<(&'a str, usize)> {
        self.d
            .sources
            .iter()
            .filter_map(|(n, s)| match s {
                SourceSlot::AsyncApi(i) => Some((n.as_str(), *i)),
                _ => None,
            })
            .collect()
    }

    /// The message target an `operationId` names, when it names one: an operation of an
    /// AsyncAPI source given by name, or an id only AsyncAPI sources declare. `None` leaves
    /// the id to the OpenAPI sources (which report what they cannot find).
    pub(super) fn message_operation(&mut self, text: &str, at: &str) -> Option<Target> {
        let asyncapi = self.asyncapi_sources();
        if asyncapi.is_empty() {
            return None;
        }
        if let Some(rest) = text.strip_prefix("$sourceDescriptions.") {
            let (src, id) = rest.split_once('.')?;
            let (name, i) = *asyncapi.iter().find(|(n, _)| *n == src)?;
            return Some(self.message_in(name, i, id, at));
        }
        let in_openapi = self.openapi_sources().iter().any(|&(_, i)| {
            self.ws.openapi[i]
                .operations
                .iter()
                .any(|o| o.operation_id.as_deref() == Some(text))
        });
        if in_openapi {
            return None;
        }
        let declaring: Vec<(&str, usize)> = asyncapi
            .iter()
            .copied()
            .filter(|&(_, i)| self.ws.asyncapi[i].has_operation(text))
            .collect();
        match declaring.as_slice() {
            [(name, i)] => Some(self.message_in(name, *i, text, at)),
            [] if self.openapi_sources().is_empty() => match asyncapi.as_slice() {
                [(name, i)] => Some(self.message_in(name, *i, text, at)),
                _ => {
                    self.push(
                        Diagnostic::error(format!(
                            "operationId `{text}` is declared by no AsyncAPI source"
                        ))
                        .at(self.loc(at)),
                    );
                    Some(Target::Unresolved)
                }
            },
            [] => None,
            several => {
                let names: Vec<&str> = several.iter().map(|(n, _)| *n).collect();
                self.push(
                    Diagnostic::error(format!(
                        "operationId `{text}` is declared by several sources: {}",
                        suggest::list(&names)
                    ))
                    .at(self.loc(at))
                    .help(format!(
                        "qualify it: `$sourceDescriptions.{}.{text}`",
                        names[0]
                    )),
                );
                Some(Target::Unresolved)
            }
        }
    }

    fn message_in(&mut self, source: &str, i: usize, id: &str, at: &str) -> Target {
        let doc = &self.ws.asyncapi[i];
        if !doc.has_operation(id) {
            let names: Vec<&str> = doc.operations.iter().map(String::as_str).collect();
            let mut d = Diagnostic::error(format!(
                "AsyncAPI source `{source}` has no operation `{id}`"
            ))
            .at(self.loc(at));
            d = match suggest::closest(id, &names) {
                Some(c) => d.help(format!("did you mean `{c}`?")),
                None if names.is_empty() => d.help("its description lists no `operations`"),
                None => d.help(format!("its operations are {}", suggest::list(&names))),
            };
            self.push(d);
            return Target::Unresolved;
        }
        Target::Message {
            asyncapi: i,
            operation: Some(id.to_string()),
            channel: None,
            source: source.to_string(),
            at: at.to_string(),
        }
    }

    /// A step's `channelPath`: `{$sourceDescriptions.<name>.url}#/channels/<channel>` (or
    /// `$sourceDescriptions.<name>#/channels/<channel>`), naming a channel of an AsyncAPI
    /// source.
    pub(super) fn channel_path(&mut self, text: &str, at: &str) -> Target {
        let loc = self.loc(at);
        let form = "write `{$sourceDescriptions.<name>.url}#/channels/<channel>`";
        let Some((head, fragment)) = text.split_once('#') else {
            // A bare channel name of the only AsyncAPI source: read as the full form.
            if let [(name, i)] = self.asyncapi_sources().as_slice() {
                if self.ws.asyncapi[*i].channels.iter().any(|c| c == text) {
                    let fixed = format!(
                        "{{$sourceDescriptions.{name}.url}}#/channels/{}",
                        crate::source::escape_token(text)
                    );
                    self.push(
                        Diagnostic::warning(format!(
                            "channelPath `{text}` is not the Arazzo 1.1 form; read as `{fixed}`"
                        ))
                        .kind("arazzo-spelling")
                        .at(loc)
                        .help(format!("write `{fixed}`")),
                    );
                    return self.channel_path(&fixed, at);
                }
            }
            self.push(
                Diagnostic::error(format!("channelPath `{text}` names no channel"))
                    .at(loc)
                    .help(form),
            );
            return Target::Unresolved;
        };
        let src = head
            .strip_prefix("{$sourceDescriptions.")
            .and_then(|r| r.strip_suffix(".url}"))
            .or_else(|| head.strip_prefix("$sourceDescriptions."));
        let Some(src) = src else {
            self.push(
                Diagnostic::error(format!(
                    "channelPath `{text}` does not name a source description"
                ))
                .at(loc)
                .help(form),
            );
            return Target::Unresolved;
        };
        let i = match self.d.sources.get(src) {
            Some(SourceSlot::AsyncApi(i)) => *i,
            Some(SourceSlot::Unavailable) => return Target::Unresolved,
            Some(_) => {
                self.push(
                    Diagnostic::error(format!(
                        "channelPath names source `{src}`, which is not an AsyncAPI description"
                    ))
                    .at(loc)
                    .help("a channel belongs to an AsyncAPI source (`type: asyncapi`); an OpenAPI operation is named with `operationId` or `operationPath`"),
                );
                return Target::Unresolved;
            }
            None => {
                let mut d =
                    Diagnostic::error(format!("no source description is named `{src}`")).at(loc);
                if let Some(h) = workspace::source_hint(src, self.d) {
                    d = d.help(h);
                }
                self.push(d);
                return Target::Unresolved;
            }
        };
        let channel = fragment
            .strip_prefix("/channels/")
            .map(|c| c.replace("~1", "/").replace("~0", "~"));
        let doc = &self.ws.asyncapi[i];
        match channel {
            Some(c) if doc.channels.contains(&c) => Target::Message {
                asyncapi: i,
                operation: None,
                channel: Some(c),
                source: src.to_string(),
                at: at.to_string(),
            },
            _ => {
                let names: Vec<&str> = doc.channels.iter().map(String::as_str).collect();
                let mut d = Diagnostic::error(format!(
                    "channelPath `{text}` names no channel of source `{src}`"
                ))
                .at(loc);
                if !names.is_empty() {
                    d = d.help(format!("its channels are {}", suggest::list(&names)));
                }
                self.push(d);
                Target::Unresolved
            }
        }
    }

    /// `action` and `correlationId`: a message step's (`correlationId` with `receive` only);
    /// on an OpenAPI step they mean nothing and are ignored (with a warning); a workflow step
    /// may not have them.
    pub(super) fn check_message_fields(&mut self, s: &Step, at: &str, target: &Target) {
        let message = matches!(target, Target::Message { .. });
        let action = s.action.as_deref();
        if let Some(a) = action {
            if !matches!(a, "send" | "receive") {
                self.push(
                    Diagnostic::error(format!("`action: {a}` is not `send` or `receive`"))
                        .at(self.loc(&child(at, "action"))),
                );
            }
        }
        if s.channel_path.is_some() && action.is_none() {
            self.push(
                Diagnostic::error(format!(
                    "step `{}` names a channel but no `action`",
                    s.step_id
                ))
                .at(self.key_loc(&child(at, "channelPath")))
                .help(
                    "say whether the step sends or receives: `action: send` or `action: receive`",
                ),
            );
        }
        if s.correlation_id.is_some() && action.is_some_and(|a| a != "receive") {
            self.push(
                Diagnostic::error(format!(
                    "step `{}` has a `correlationId` but does not receive",
                    s.step_id
                ))
                .at(self.key_loc(&child(at, "correlationId")))
                .help("a correlationId selects the message a `receive` step waits for"),
            );
        }
        if s.correlation_id.is_some() && action == Some("receive") {
            self.check_correlation(s, at, target);
        }
        let is_workflow_step = s.workflow_id.is_some();
        for (field, given) in [
            ("action", action.is_some()),
            ("correlationId", s.correlation_id.is_some()),
        ] {
            if !given || message {
                continue;
            }
            let place = self.key_loc(&child(at, field));
            if is_workflow_step {
                self.push(
                    Diagnostic::error(format!(
                        "step `{}` calls a workflow and has `{field}`, which only a message step has",
                        s.step_id
                    ))
                    .at(place),
                );
            } else if matches!(target, Target::Operation { .. }) {
                self.push(
                    Diagnostic::warning(format!(
                        "`{field}` applies to AsyncAPI steps only; step `{}` calls an OpenAPI operation, so it is ignored",
                        s.step_id
                    ))
                    .kind("unknown-field")
                    .at(place),
                );
            }
        }
    }

    /// A `receive` step's `correlationId` is matched where the AsyncAPI message says its
    /// correlation id is: one of the messages the step may receive must define one.
    fn check_correlation(&mut self, s: &Step, at: &str, target: &Target) {
        let Target::Message {
            asyncapi,
            operation,
            channel,
            source,
            ..
        } = target
        else {
            return;
        };
        let doc = &self.ws.asyncapi[*asyncapi];
        let (correlates, what) = match (operation, channel) {
            (Some(id), _) => (doc.operation_correlates(id), format!("operation `{id}`")),
            (None, Some(name)) => (doc.channel_correlates(name), format!("channel `{name}`")),
            (None, None) => return,
        };
        if !correlates {
            self.push(
                Diagnostic::error(format!(
                    "step `{}` has a `correlationId`, but no message of {what} in AsyncAPI source `{source}` defines one",
                    s.step_id
                ))
                .at(self.key_loc(&child(at, "correlationId")))
                .help("the description says where a message carries its correlation id (`correlationId: {location: ...}` on the message); add it there, or leave the step's `correlationId` out"),
            );
        }
    }
}
