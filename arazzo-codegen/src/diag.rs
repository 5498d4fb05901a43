//! Diagnostics: what went wrong or what was repaired, where, and how to fix it, rendered the
//! way rustc renders its own.

use std::fmt;

use crate::source::SourceFile;

/// How serious a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Information about a choice the generator made; never fails a build.
    Note,
    /// A defect the generator repaired; fails the build only in strict mode.
    Warning,
    /// A defect that stops generation.
    Error,
}

impl Severity {
    fn label(self) -> &'static str {
        match self {
            Severity::Note => "note",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// A resolved place in an input file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    /// The file as diagnostics name it.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub col: usize,
    /// How many characters to underline (at least one).
    pub width: usize,
    /// The text of the line, for the snippet.
    pub source_line: Option<String>,
    /// The column of the node within `source_line` (which is a window of a long line).
    pub source_col: usize,
}

/// The widest source line shown; longer lines are windowed around the column.
const WINDOW: usize = 120;

/// `line` windowed around 1-based column `col` (rustc style, `...` where cut), and the column
/// within the window.
fn window(line: &str, col: usize) -> (String, usize) {
    let chars: Vec<char> = line
        .chars()
        .map(|c| if c == '\t' { ' ' } else { c })
        .collect();
    if chars.len() <= WINDOW {
        return (chars.into_iter().collect(), col);
    }
    let start = col
        .saturating_sub(1)
        .saturating_sub(WINDOW / 3)
        .min(chars.len());
    let end = (start + WINDOW).min(chars.len());
    let mut out = String::new();
    let mut at = col - start;
    if start > 0 {
        out.push_str("...");
        at += 3;
    }
    out.extend(&chars[start..end]);
    if end < chars.len() {
        out.push_str("...");
    }
    (out, at)
}

impl Location {
    /// The location of the node at `pointer` in `file`: its key when `at_key` is set and the
    /// node sits in a mapping, else its value. Falls back to the nearest ancestor node, then to
    /// the start of the file.
    pub fn of(file: &SourceFile, pointer: &str, at_key: bool) -> Location {
        let (line, col, width) = match file.locate(pointer) {
            Some((span, exact)) => match (at_key || !exact || span.width == 0, span.key) {
                (true, Some(k)) => {
                    let width = pointer
                        .rsplit('/')
                        .next()
                        .filter(|_| exact)
                        .map_or(1, |t| t.chars().count());
                    (k.line, k.col, width)
                }
                _ => (span.start.line, span.start.col, span.width),
            },
            None => (1, 1, 1),
        };
        Location::at(file, line, col, width)
    }

    /// A location given by line and column.
    pub fn at(file: &SourceFile, line: usize, col: usize, width: usize) -> Location {
        let col = col.max(1);
        let shown = file.line_text(line).map(|l| window(l, col));
        Location {
            file: file.display().to_string(),
            line,
            col,
            width: width.max(1),
            source_col: shown.as_ref().map_or(col, |(_, c)| *c),
            source_line: shown.map(|(l, _)| l),
        }
    }

    /// A location naming only a file.
    pub fn file(name: &str) -> Location {
        Location {
            file: name.to_string(),
            line: 1,
            col: 1,
            width: 1,
            source_line: None,
            source_col: 1,
        }
    }
}

/// One diagnostic.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// How serious it is.
    pub severity: Severity,
    /// What is wrong, or what was repaired.
    pub message: String,
    /// Where, when the diagnostic has a place.
    pub location: Option<Box<Location>>,
    /// How to fix it.
    pub help: Vec<String>,
    /// Further facts.
    pub notes: Vec<String>,
    /// The kind of a warning or note (a name of [`crate::kinds::KINDS`]); errors have none.
    pub kind: Option<&'static str>,
    /// The workflow it belongs to (see [`Diagnostic::workflow`]), kept small.
    workflow: Option<(u32, u32)>,
}

impl Diagnostic {
    /// A diagnostic of the given severity.
    pub fn new(severity: Severity, message: impl Into<String>) -> Self {
        Diagnostic {
            severity,
            message: message.into(),
            location: None,
            help: Vec::new(),
            notes: Vec::new(),
            kind: None,
            workflow: None,
        }
    }

    /// An error.
    pub fn error(message: impl Into<String>) -> Self {
        Self::new(Severity::Error, message)
    }

    /// A warning.
    pub fn warning(message: impl Into<String>) -> Self {
        Self::new(Severity::Warning, message)
    }

    /// A note.
    pub fn note(message: impl Into<String>) -> Self {
        Self::new(Severity::Note, message)
    }

    /// The workflow it belongs to, as (document index, workflow index), when it was found
    /// while that workflow was checked: what `skip_invalid_workflows` skips.
    pub fn workflow(&self) -> Option<(usize, usize)> {
        self.workflow.map(|(d, w)| (d as usize, w as usize))
    }

    /// Records that it belongs to workflow `key` (document index, workflow index), unless it
    /// already belongs to one.
    pub fn in_workflow(mut self, key: Option<(usize, usize)>) -> Self {
        if self.workflow.is_none() {
            self.workflow =
                key.and_then(|(d, w)| Some((u32::try_from(d).ok()?, u32::try_from(w).ok()?)));
        }
        self
    }

    /// Sets the location.
    pub fn at(mut self, location: Location) -> Self {
        self.location = Some(Box::new(location));
        self
    }

    /// Adds a line of help.
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help.push(help.into());
        self
    }

    /// Sets the kind (a name of [`crate::kinds::KINDS`]).
    pub fn kind(mut self, kind: &'static str) -> Self {
        self.kind = Some(kind);
        self
    }

    /// Adds a note line.
    pub fn with_note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }

    /// `file:line:col` of the diagnostic, if it has a place.
    pub fn place(&self) -> Option<String> {
        self.location
            .as_ref()
            .map(|l| format!("{}:{}:{}", l.file, l.line, l.col))
    }

    /// A single line for `cargo:warning=`: `file:line:col: message (note: ...) (help: ...)`.
    pub fn one_line(&self) -> String {
        let mut s = String::new();
        if let Some(p) = self.place() {
            s.push_str(&p);
            s.push_str(": ");
        }
        s.push_str(&self.message);
        for n in &self.notes {
            s.push_str(" (note: ");
            s.push_str(n);
            s.push(')');
        }
        for h in &self.help {
            s.push_str(" (help: ");
            s.push_str(h);
            s.push(')');
        }
        if let Some(k) = self.kind {
            s.push_str(" [");
            s.push_str(k);
            s.push(']');
        }
        s.replace('\n', " ")
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            Some(k) => writeln!(f, "{}[{k}]: {}", self.severity.label(), self.message)?,
            None => writeln!(f, "{}: {}", self.severity.label(), self.message)?,
        }
        let gutter = self
            .location
            .as_ref()
            .map_or(1, |l| l.line.to_string().len());
        let pad = " ".repeat(gutter);
        if let Some(loc) = &self.location {
            writeln!(f, "{pad}--> {}:{}:{}", loc.file, loc.line, loc.col)?;
            if let Some(line) = &loc.source_line {
                let col = loc.source_col.max(1);
                let avail = line.chars().count().saturating_sub(col - 1).max(1);
                let width = loc.width.min(avail);
                writeln!(f, "{pad} |")?;
                writeln!(f, "{} | {}", loc.line, line)?;
                writeln!(f, "{pad} | {}{}", " ".repeat(col - 1), "^".repeat(width))?;
            }
        }
        for n in &self.notes {
            writeln!(f, "{pad} = note: {n}")?;
        }
        for h in &self.help {
            writeln!(f, "{pad} = help: {h}")?;
        }
        Ok(())
    }
}

/// What becomes of the warnings and notes of one kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    /// Not reported.
    Allow,
    /// Reported as an error.
    Deny,
}

/// The diagnostics of one run, in the order they were found.
#[derive(Clone, Debug, Default)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
    strict: bool,
    levels: std::collections::BTreeMap<String, Level>,
    allowed: usize,
    /// The workflow being checked: a diagnostic pushed without one is stamped with it.
    scope: Option<(usize, usize)>,
    /// Workflows left out of generation: what is found in them is not recorded.
    excluded: std::collections::BTreeSet<(usize, usize)>,
}

impl Diagnostics {
    /// An empty collection; in strict mode every warning is recorded as an error.
    pub fn new(strict: bool) -> Self {
        Diagnostics {
            strict,
            ..Default::default()
        }
    }

    /// An empty collection with a level for some kinds: an allowed kind is not recorded (not
    /// even in strict mode), a denied one is recorded as an error.
    pub fn with_levels(strict: bool, levels: std::collections::BTreeMap<String, Level>) -> Self {
        Diagnostics {
            strict,
            levels,
            ..Default::default()
        }
    }

    /// Sets the workflow being checked (document index, workflow index), or none; returns the
    /// one set before, for the caller to put back.
    pub fn set_scope(&mut self, scope: Option<(usize, usize)>) -> Option<(usize, usize)> {
        std::mem::replace(&mut self.scope, scope)
    }

    /// Leaves these workflows out: what is found in them from now on is not recorded.
    pub fn exclude(&mut self, workflows: impl IntoIterator<Item = (usize, usize)>) {
        self.excluded.extend(workflows);
    }

    /// Whether an error belongs to no workflow (a document's or a description's).
    pub fn has_unscoped_errors(&self) -> bool {
        self.items
            .iter()
            .any(|d| d.severity == Severity::Error && d.workflow.is_none())
    }

    /// Records a diagnostic.
    pub fn push(&mut self, mut d: Diagnostic) {
        d = d.in_workflow(self.scope);
        let level = d.kind.and_then(|k| self.levels.get(k).copied());
        if d.severity != Severity::Error {
            match level {
                Some(Level::Allow) => {
                    self.allowed += 1;
                    return;
                }
                Some(Level::Deny) => {
                    d.severity = Severity::Error;
                    let k = d.kind.unwrap_or_default();
                    d.notes
                        .push(format!("this is an error because `{k}` is denied"));
                }
                None if self.strict && d.severity == Severity::Warning => {
                    d.severity = Severity::Error;
                    d.notes
                        .push("this is an error because strict mode is on".into());
                }
                None => {}
            }
        }
        if d.workflow().is_some_and(|w| self.excluded.contains(&w)) {
            return;
        }
        self.items.push(d);
    }

    /// How many warnings and notes were not recorded because their kind is allowed.
    pub fn allowed(&self) -> usize {
        self.allowed
    }

    /// Whether any error was recorded.
    pub fn has_errors(&self) -> bool {
        self.items.iter().any(|d| d.severity == Severity::Error)
    }

    /// How many diagnostics of a severity were recorded.
    pub fn count(&self, severity: Severity) -> usize {
        self.items.iter().filter(|d| d.severity == severity).count()
    }

    /// All diagnostics, in the order found.
    pub fn items(&self) -> &[Diagnostic] {
        &self.items
    }

    /// Orders the diagnostics by file (in `files` order), line and column; those without a
    /// place come first. The sort is stable, so diagnostics at one place keep their order.
    pub fn sort_by_place(&mut self, files: &[&str]) {
        self.items.sort_by_key(|d| {
            d.location.as_ref().map(|l| {
                let f = files
                    .iter()
                    .position(|f| *f == l.file)
                    .unwrap_or(files.len());
                (f, l.line, l.col)
            })
        });
    }

    /// Takes the diagnostics out.
    pub fn into_vec(self) -> Vec<Diagnostic> {
        self.items
    }

    /// Renders them all, and a summary line, as rustc does.
    pub fn render(&self) -> String {
        let mut s = String::new();
        for d in &self.items {
            s.push_str(&d.to_string());
            s.push('\n');
        }
        let (e, w) = (self.count(Severity::Error), self.count(Severity::Warning));
        if e > 0 || w > 0 {
            s.push_str(&summary(e, w));
            s.push('\n');
        }
        s
    }
}

fn summary(errors: usize, warnings: usize) -> String {
    let plural = |n: usize, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
    match (errors, warnings) {
        (0, w) => format!("{} emitted", plural(w, "warning")),
        (e, 0) => format!("{} emitted", plural(e, "error")),
        (e, w) => format!("{}; {} emitted", plural(e, "error"), plural(w, "warning")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_line_is_windowed_around_the_column() {
        let line = format!("{}\"needle\"{}", "a".repeat(5_000), "b".repeat(5_000));
        let file = SourceFile::new("min.json".into(), line);
        let d = Diagnostic::warning("found it").at(Location::at(&file, 1, 5_002, 6));
        let text = d.to_string();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[1], " --> min.json:1:5002");
        assert!(
            lines[3].starts_with("1 | ...a") && lines[3].ends_with("b..."),
            "{}",
            lines[3]
        );
        assert!(lines[3].chars().count() < 140, "{}", lines[3]);
        // The caret stands under the needle.
        let caret = lines[4].find('^').unwrap_or(0);
        assert_eq!(&lines[3][caret..caret + 6], "needle");
        assert_eq!(lines[4].matches('^').count(), 6);
    }

    #[test]
    fn a_short_line_is_shown_whole() {
        let file = SourceFile::new("a.yaml".into(), "key: value".into());
        let d = Diagnostic::error("bad").at(Location::at(&file, 1, 6, 5));
        assert_eq!(
            d.to_string(),
            "error: bad\n --> a.yaml:1:6\n  |\n1 | key: value\n  |      ^^^^^\n"
        );
    }
}
