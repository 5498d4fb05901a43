//! AsyncAPI 3 descriptions, the sources of Arazzo 1.1 message steps: read far enough to link
//! a step's `operationId` or `channelPath` to an operation or a channel and to check its
//! `action`. Generating code for these steps is not supported yet (the builder says so, at the
//! step).

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
    /// Its operations, in the order the description lists them.
    pub operations: Vec<MessageOperation>,
    /// The names of its channels (the keys of `channels`).
    pub channels: Vec<String>,
}

/// An operation of an AsyncAPI description.
#[derive(Clone, Debug)]
pub struct MessageOperation {
    /// Its id (its key under `operations`).
    pub id: String,
    /// `send` or `receive`, as the description says.
    pub action: Option<String>,
    /// The name of the channel its `channel` refers to (`#/channels/<name>`).
    pub channel: Option<String>,
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
    let channels = raw
        .get("channels")
        .and_then(Value::as_object)
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default();
    let operations = raw
        .get("operations")
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .map(|(id, op)| MessageOperation {
                    id: id.clone(),
                    action: op.get("action").and_then(Value::as_str).map(str::to_string),
                    channel: op
                        .pointer("/channel/$ref")
                        .and_then(Value::as_str)
                        .and_then(|r| r.strip_prefix("#/channels/"))
                        .map(|name| name.replace("~1", "/").replace("~0", "~")),
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(AsyncApiDoc {
        file,
        operations,
        channels,
    })
}

impl AsyncApiDoc {
    /// The operation with id `id`.
    pub fn operation(&self, id: &str) -> Option<&MessageOperation> {
        self.operations.iter().find(|o| o.id == id)
    }
}
