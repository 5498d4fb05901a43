//! The thin layer for build scripts: what Cargo needs to hear, and nothing else.

use std::fmt;

use crate::builder::Checked;
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

/// Prints `cargo:rerun-if-changed` for every input and `cargo:warning=` for every warning and
/// note; returns the rendered diagnostics as an error when there are errors.
pub fn report(checked: &Checked) -> Result<(), BuildError> {
    for input in &checked.inputs {
        println!("cargo:rerun-if-changed={}", input.display());
    }
    for d in checked.diagnostics.items() {
        if d.severity != Severity::Error {
            println!("cargo:warning={}", d.one_line());
        }
    }
    if checked.has_errors() {
        return Err(BuildError(checked.diagnostics.render()));
    }
    Ok(())
}
