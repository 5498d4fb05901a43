//! The thin layer for build scripts: what Cargo needs to hear, and nothing else.

use std::fmt;
use std::io::Write;

use std::path::Path;

use crate::builder::{Checked, Generated};
use crate::diag::Severity;

/// A failed build: the rendered diagnostics.
#[derive(Debug)]
pub struct BuildError(String);

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for BuildError {}

/// `cargo:rerun-if-changed` for every input, `cargo:warning=` for every warning and note.
fn cargo_lines(
    inputs: &[std::path::PathBuf],
    diagnostics: &crate::Diagnostics,
    out: &mut impl Write,
) -> Result<(), BuildError> {
    let mut lines = String::new();
    for input in inputs {
        lines.push_str(&format!("cargo:rerun-if-changed={}\n", input.display()));
    }
    for d in diagnostics.items() {
        if d.severity != Severity::Error {
            lines.push_str(&format!("cargo:warning={}\n", d.one_line()));
        }
    }
    out.write_all(lines.as_bytes())
        .map_err(|e| BuildError(format!("cannot write to Cargo: {e}")))
}

/// Prints `cargo:rerun-if-changed` for every input and `cargo:warning=` for every warning and
/// note; returns the rendered diagnostics as an error when there are errors.
pub fn report(checked: &Checked) -> Result<(), BuildError> {
    report_to(checked, &mut std::io::stdout().lock())
}

/// [`report`], writing Cargo's lines to `out`.
pub fn report_to(checked: &Checked, out: &mut impl Write) -> Result<(), BuildError> {
    cargo_lines(&checked.inputs, &checked.diagnostics, out)?;
    if checked.has_errors() {
        return Err(BuildError(checked.diagnostics.render()));
    }
    Ok(())
}

/// Writes the generated code to `dir/file_name` (only when it changed, so that Cargo does not
/// rebuild for nothing), prints Cargo's lines, and returns the rendered errors when there are
/// any.
pub fn write(generated: &Generated, dir: &Path, file_name: &str) -> Result<(), BuildError> {
    write_to(generated, dir, file_name, &mut std::io::stdout().lock())
}

/// [`write`], writing Cargo's lines to `out`.
pub fn write_to(
    generated: &Generated,
    dir: &Path,
    file_name: &str,
    out: &mut impl Write,
) -> Result<(), BuildError> {
    cargo_lines(&generated.inputs, &generated.diagnostics, out)?;
    let Some(code) = &generated.code else {
        return Err(BuildError(generated.diagnostics.render()));
    };
    let path = dir.join(file_name);
    if std::fs::read_to_string(&path).ok().as_deref() != Some(code.as_str()) {
        std::fs::write(&path, code)
            .map_err(|e| BuildError(format!("cannot write `{}`: {e}", path.display())))?;
    }
    Ok(())
}
