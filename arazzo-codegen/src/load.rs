//! Reading input files into values, with every failure located. Size is bounded here; depth
//! is bounded by the parsers, which refuse nesting deeper than 128 levels.

use std::path::Path;

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::diag::{Diagnostic, Location};
use crate::source::{self, SourceFile};

/// The largest input file read, unless the builder sets another limit.
pub const DEFAULT_MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// The files read in one run; diagnostics refer to them by index.
#[derive(Debug, Default)]
pub struct Files {
    files: Vec<SourceFile>,
}

/// The index of a file in [`Files`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FileId(usize);

impl Files {
    /// Adds a file.
    pub fn add(&mut self, file: SourceFile) -> FileId {
        self.files.push(file);
        FileId(self.files.len() - 1)
    }

    /// The display names of the files, in the order they were read.
    pub fn names(&self) -> Vec<&str> {
        self.files.iter().map(SourceFile::display).collect()
    }

    /// A file by index.
    pub fn get(&self, id: FileId) -> &SourceFile {
        &self.files[id.0]
    }

    /// The location of the node at `pointer` in a file.
    pub fn loc(&self, id: FileId, pointer: &str) -> Location {
        Location::of(self.get(id), pointer, false)
    }

    /// The location of the key of the node at `pointer` in a file.
    pub fn key_loc(&self, id: FileId, pointer: &str) -> Location {
        Location::of(self.get(id), pointer, true)
    }
}

/// Reads a file's text, refusing one larger than `max_bytes` before reading it.
pub fn read_text(path: &Path, display: &str, max_bytes: u64) -> Result<String, Diagnostic> {
    let meta = std::fs::metadata(path).map_err(|e| {
        Diagnostic::error(format!("cannot read `{display}`: {e}")).at(Location::file(display))
    })?;
    if !meta.is_file() {
        return Err(
            Diagnostic::error(format!("`{display}` is not a file")).at(Location::file(display))
        );
    }
    if meta.len() > max_bytes {
        return Err(Diagnostic::error(format!(
            "`{display}` is {} bytes, more than the limit of {max_bytes}",
            meta.len()
        ))
        .at(Location::file(display))
        .help(
            "raise the limit with `Builder::max_file_bytes` if the file is meant to be this large",
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| {
        Diagnostic::error(format!("cannot read `{display}`: {e}")).at(Location::file(display))
    })?;
    String::from_utf8(bytes).map_err(|e| {
        Diagnostic::error(format!(
            "`{display}` is not UTF-8 (invalid byte at offset {})",
            e.utf8_error().valid_up_to()
        ))
        .at(Location::file(display))
    })
}

fn looks_like_json(text: &str) -> bool {
    matches!(text.trim_start().chars().next(), Some('{') | Some('['))
}

/// Parses a file's YAML or JSON text into a value.
pub fn parse_value(file: &SourceFile) -> Result<Value, Diagnostic> {
    let text = file.text();
    let depth = source::flow_depth(text);
    if depth > source::MAX_FLOW_DEPTH {
        return Err(Diagnostic::error(format!(
            "`{}` is not valid YAML or JSON: it nests collections {depth} deep, more than the limit of {}",
            file.display(),
            source::MAX_FLOW_DEPTH
        ))
        .at(Location::file(file.display())));
    }
    if looks_like_json(text) {
        if let Ok(v) = serde_json::from_str::<Value>(text) {
            return Ok(v);
        }
    }
    serde_yaml::from_str::<Value>(text).map_err(|e| {
        let loc = match e.location() {
            Some(l) => Location::at(file, l.line(), l.column(), 1),
            None => Location::file(file.display()),
        };
        let msg = e.to_string();
        let msg = msg.split(" at line ").next().unwrap_or(&msg).to_string();
        Diagnostic::error(format!(
            "`{}` is not valid YAML or JSON: {msg}",
            file.display()
        ))
        .at(loc)
    })
}

/// Deserialises a value into a model type; a failure names the offending node.
pub fn typed<T: DeserializeOwned>(
    file: &SourceFile,
    value: Value,
    what: &str,
) -> Result<T, Diagnostic> {
    serde_path_to_error::deserialize::<_, T>(value).map_err(|e| {
        let mut pointer = String::new();
        for seg in e.path().iter() {
            match seg {
                serde_path_to_error::Segment::Seq { index } => {
                    pointer = source::index(&pointer, *index)
                }
                serde_path_to_error::Segment::Map { key } => pointer = source::child(&pointer, key),
                serde_path_to_error::Segment::Enum { .. }
                | serde_path_to_error::Segment::Unknown => {}
            }
        }
        let inner = e.into_inner().to_string();
        let shown = if pointer.is_empty() {
            "/".to_string()
        } else {
            pointer.clone()
        };
        Diagnostic::error(format!("{what} is malformed at `{shown}`: {inner}"))
            .at(Location::of(file, &pointer, false))
    })
}
