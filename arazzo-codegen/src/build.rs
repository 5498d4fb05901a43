//! The thin layer for build scripts: what Cargo needs to hear, and nothing else.

use std::fmt;
use std::io::Write;

use std::path::Path;

use std::collections::BTreeMap;

use crate::builder::{Checked, Generated, Report};
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

/// `cargo:rerun-if-changed` for every input, and `cargo:warning=` lines: each warning and note
/// of the Arazzo documents (or of no file), and per description one line counting its repairs
/// by kind (each one when verbose).
fn cargo_lines(
    inputs: &[std::path::PathBuf],
    diagnostics: &crate::Diagnostics,
    report: &Report,
    out: &mut impl Write,
) -> Result<(), BuildError> {
    let mut lines = String::new();
    for input in inputs {
        lines.push_str(&format!("cargo:rerun-if-changed={}\n", input.display()));
    }
    // Per description: counts of warnings and of notes, by kind.
    let mut summaries: BTreeMap<&str, [BTreeMap<&str, usize>; 2]> = BTreeMap::new();
    for d in diagnostics.items() {
        if d.severity == Severity::Error {
            continue;
        }
        let file = d.location.as_ref().map(|l| l.file.as_str());
        match file {
            Some(f) if !report.verbose && !report.documents.iter().any(|a| a == f) => {
                let counts = summaries.entry(f).or_default();
                let i = usize::from(d.severity == Severity::Note);
                *counts[i].entry(d.kind.unwrap_or("other")).or_default() += 1;
            }
            _ => lines.push_str(&format!("cargo:warning={}\n", d.one_line())),
        }
    }
    for (file, [warnings, notes]) in &summaries {
        let mut parts = Vec::new();
        for (what, counts) in [("repair", warnings), ("note", notes)] {
            let n: usize = counts.values().sum();
            if n > 0 {
                let kinds: Vec<String> = counts.iter().map(|(k, c)| format!("{k} {c}")).collect();
                let s = if n == 1 { "" } else { "s" };
                parts.push(format!("{n} {what}{s} ({})", kinds.join(", ")));
            }
        }
        lines.push_str(&format!(
            "cargo:warning={file}: {}; run `{}` to list them, or set ARAZZO_VERBOSE=1\n",
            parts.join(" and "),
            report.command
        ));
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
    cargo_lines(&checked.inputs, &checked.diagnostics, &checked.report, out)?;
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

/// [`write()`], writing Cargo's lines to `out`.
pub fn write_to(
    generated: &Generated,
    dir: &Path,
    file_name: &str,
    out: &mut impl Write,
) -> Result<(), BuildError> {
    cargo_lines(
        &generated.inputs,
        &generated.diagnostics,
        &generated.report,
        out,
    )?;
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
