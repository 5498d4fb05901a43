//! AsyncAPI 3 descriptions, the sources of Arazzo 1.1 message steps: read far enough to link
//! a step's `operationId` or `channelPath` to an operation or a channel, and to say whether
//! their messages carry a correlation id. Generating code for these steps is not supported
//! yet (the builder says so, at the step).

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::Value;

use crate::diag::Diagnostic;
use crate::load::{self, FileId, Files};
use crate::source::SourceFile;

/// An AsyncAPI description, indexed.
#[derive(Debug)]
pub struct AsyncApiDoc {
    /// The file it was read from.
    pub file: FileId,
    /// The ids of its operations (the keys of `operations`), in the order it lists them.
    pub operations: Vec<String>,
    /// The names of its channels (the keys of `channels`).
    pub channels: Vec<String>,
    /// The operations of which a message (their own, their channel's or their reply's)
    /// defines a `correlationId` with a `location`.
    pub correlated_operations: BTreeSet<String>,
    /// The channels of which a message defines a `correlationId` with a `location`.
    pub correlated_channels: BTreeSet<String>,
}

/// Loads an AsyncAPI description; an error says why it could not be read.
pub fn load(
    path: &Path,
    display: &str,
    files: &mut Files,
    max_bytes: u64,
) -> Result<AsyncApiDoc, Diagnostic> {
    let text = load::read_text(path, display, max_bytes)?;
    let file = files.add(SourceFile::new(display.to_string(), text));
    let raw = load::parse_value(files.get(file))?;
    match raw.get("asyncapi") {
        Some(Value::String(v)) if v.starts_with("3.") => {}
        Some(v) => {
            let shown = v.as_str().map_or_else(|| v.to_string(), str::to_string);
            return Err(Diagnostic::error(format!(
                "`{display}` is AsyncAPI `{shown}`; Arazzo 1.1 message steps are read from AsyncAPI 3"
            ))
            .at(files.loc(file, "/asyncapi")));
        }
        None => {
            let what = if raw.get("openapi").is_some() {
                " (it looks like an OpenAPI description: write `type: openapi`)"
            } else {
                ""
            };
            return Err(Diagnostic::error(format!(
                "`{display}` is not an AsyncAPI description: it has no `asyncapi` field{what}"
            ))
            .at(files.loc(file, "")));
        }
    }
    let keys = |field: &str| {
        raw.get(field)
            .and_then(Value::as_object)
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default()
    };
    let (operations, channels): (Vec<String>, Vec<String>) = (keys("operations"), keys("channels"));
    let (mut correlated_operations, mut correlated_channels) = (BTreeSet::new(), BTreeSet::new());
    for name in &channels {
        let channel = raw.get("channels").and_then(|c| c.get(name));
        if channel.is_some_and(|c| correlates(&raw, &channel_messages(&raw, c))) {
            correlated_channels.insert(name.clone());
        }
    }
    for id in &operations {
        let Some(op) = raw.get("operations").and_then(|o| o.get(id)) else {
            continue;
        };
        let op = follow(&raw, op);
        // The operation's own messages, else its channel's; and those of its reply.
        let mut messages: Vec<&Value> = op
            .get("messages")
            .and_then(Value::as_array)
            .map(|m| m.iter().collect())
            .unwrap_or_default();
        if messages.is_empty() {
            if let Some(c) = op.get("channel") {
                messages = channel_messages(&raw, c);
            }
        }
        if let Some(reply) = op.get("reply").map(|r| follow(&raw, r)) {
            messages.extend(
                reply
                    .get("messages")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten(),
            );
        }
        if correlates(&raw, &messages) {
            correlated_operations.insert(id.clone());
        }
    }
    Ok(AsyncApiDoc {
        file,
        operations,
        channels,
        correlated_operations,
        correlated_channels,
    })
}

/// `value`, or what its local `$ref` (`#/...`) points to, followed a few times; a reference
/// that leads nowhere is the value itself.
fn follow<'v>(raw: &'v Value, value: &'v Value) -> &'v Value {
    let mut v = value;
    for _ in 0..8 {
        let Some(r) = v.get("$ref").and_then(Value::as_str) else {
            break;
        };
        match r.strip_prefix('#').and_then(|p| raw.pointer(p)) {
            Some(next) => v = next,
            None => break,
        }
    }
    v
}

/// The messages of a channel (given or referenced).
fn channel_messages<'v>(raw: &'v Value, channel: &'v Value) -> Vec<&'v Value> {
    follow(raw, channel)
        .get("messages")
        .and_then(Value::as_object)
        .map(|m| m.values().collect())
        .unwrap_or_default()
}

/// Whether one of `messages` defines a `correlationId` with a `location`.
fn correlates(raw: &Value, messages: &[&Value]) -> bool {
    messages.iter().any(|m| {
        follow(raw, m)
            .get("correlationId")
            .map(|c| follow(raw, c))
            .and_then(|c| c.get("location"))
            .is_some_and(Value::is_string)
    })
}

impl AsyncApiDoc {
    /// Whether it has an operation with id `id`.
    pub fn has_operation(&self, id: &str) -> bool {
        self.operations.iter().any(|o| o == id)
    }

    /// Whether a message of operation `id` (its own, its channel's or its reply's) defines a
    /// `correlationId` with a `location`.
    pub fn operation_correlates(&self, id: &str) -> bool {
        self.correlated_operations.contains(id)
    }

    /// Whether a message of channel `name` defines a `correlationId` with a `location`.
    pub fn channel_correlates(&self, name: &str) -> bool {
        self.correlated_channels.contains(name)
    }
}
