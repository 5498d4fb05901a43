//! AsyncAPI 3 descriptions, the sources of Arazzo 1.1 message steps: read far enough to link
//! a step's `operationId` or `channelPath` to an operation or a channel. Generating code for
//! these steps is not supported yet (the builder says so, at the step).

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
    let (operations, channels) = (keys("operations"), keys("channels"));
    Ok(AsyncApiDoc {
        file,
        operations,
        channels,
    })
}

impl AsyncApiDoc {
    /// Whether it has an operation with id `id`.
    pub fn has_operation(&self, id: &str) -> bool {
        self.operations.iter().any(|o| o == id)
    }
}
