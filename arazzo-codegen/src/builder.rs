//! The one entry point: a builder that names the document, where its sources are, and how
//! strict to be, and runs the phases.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::diag::{Diagnostic, Diagnostics, Level, Severity};
use crate::emit;
use crate::resolve::{self, WorkflowIr};
use crate::select;
use crate::settings::{SecurityScheme, Settings};
use crate::workspace::{self, SourceOptions, Workspace};

/// Configures and runs the generator on one Arazzo document.
#[derive(Clone, Debug)]
pub struct Builder {
    path: PathBuf,
    settings: Settings,
}

/// The result of [`Builder::check`]: what was loaded and resolved, and every diagnostic.
#[derive(Debug)]
pub struct Checked {
    /// Every diagnostic, in the order found.
    pub diagnostics: Diagnostics,
    /// Every file read, for `cargo:rerun-if-changed`.
    pub inputs: Vec<PathBuf>,
    /// The loaded documents.
    #[doc(hidden)]
    pub workspace: Workspace,
    /// The resolved workflows (empty when loading failed).
    #[doc(hidden)]
    pub workflows: Vec<WorkflowIr>,
    /// How diagnostics are reported to Cargo (see [`Report`]).
    pub report: Report,
}

/// What [`crate::build`] needs to report diagnostics to Cargo.
#[derive(Clone, Debug, Default)]
pub struct Report {
    /// The Arazzo documents read, as diagnostics name them: their warnings are shown one by
    /// one; those of the descriptions are summarised per file unless `verbose`.
    pub documents: Vec<String>,
    /// Every warning and note one by one ([`Builder::verbose`], or `ARAZZO_VERBOSE=1`).
    pub verbose: bool,
    /// The command line that lists every diagnostic, with the builder's sources.
    pub command: String,
}

/// The result of [`Builder::generate`].
#[derive(Debug)]
pub struct Generated {
    /// The generated Rust file, formatted, when there were no errors.
    pub code: Option<String>,
    /// Every diagnostic, in the order found.
    pub diagnostics: Diagnostics,
    /// Every file read, for `cargo:rerun-if-changed`.
    pub inputs: Vec<PathBuf>,
    /// How diagnostics are reported to Cargo.
    pub report: Report,
}

impl Checked {
    /// Whether any error was found.
    pub fn has_errors(&self) -> bool {
        self.diagnostics.has_errors()
    }

    /// How many workflows were resolved, and of their steps how many were linked to an
    /// operation or workflow and how many there are.
    pub fn counts(&self) -> (usize, usize, usize) {
        let steps = self.workflows.iter().flat_map(|w| &w.steps);
        let resolved = steps
            .clone()
            .filter(|s| s.target != crate::resolve::Target::Unresolved)
            .count();
        (self.workflows.len(), resolved, steps.count())
    }
}

impl Builder {
    /// A builder for the Arazzo document at `path` (YAML or JSON).
    pub fn new(path: impl AsRef<Path>) -> Self {
        Builder::with_settings(path, Settings::default())
    }

    /// A builder for the Arazzo document at `path` with every option given at once.
    pub fn with_settings(path: impl AsRef<Path>, settings: Settings) -> Self {
        Builder {
            path: path.as_ref().to_path_buf(),
            settings,
        }
    }

    /// The options set so far.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// The path generated code names the runtime crate by: `::arazzo_runtime` unless set, as
    /// for a crate that depends on `arazzo-runtime`; a crate that re-exports it elsewhere
    /// names that path (like prost-build's `prost_path`).
    pub fn runtime_path(mut self, path: impl Into<String>) -> Self {
        self.settings.runtime_path = path.into();
        self
    }

    /// Reads the source description called `name` from a local file, whatever its `url` says.
    pub fn source(mut self, name: impl Into<String>, path: impl AsRef<Path>) -> Self {
        self.settings
            .by_name
            .insert(name.into(), path.as_ref().to_path_buf());
        self
    }

    /// Reads any source description whose `url` is `url` from a local file.
    pub fn source_url(mut self, url: impl Into<String>, path: impl AsRef<Path>) -> Self {
        self.settings
            .by_url
            .insert(url.into(), path.as_ref().to_path_buf());
        self
    }

    /// Reads URL-to-file mappings from a JSON or YAML object (paths relative to that file).
    pub fn source_map(mut self, path: impl AsRef<Path>) -> Self {
        self.settings.source_maps.push(path.as_ref().to_path_buf());
        self
    }

    /// In strict mode every warning (a repaired defect) is an error.
    pub fn strict(mut self, strict: bool) -> Self {
        self.settings.strict = strict;
        self
    }

    /// The largest input file read, in bytes (64 MiB unless set).
    pub fn max_file_bytes(mut self, bytes: u64) -> Self {
        self.settings.max_file_bytes = bytes;
        self
    }

    /// How many steps a workflow that branches or loops may run before it fails with
    /// `Error::StepBudget` (default 1000): a bound on `goto` loops.
    pub fn step_budget(mut self, steps: u32) -> Self {
        self.settings.step_budget = steps;
        self
    }

    /// The default timeout of one step attempt (sending, waiting, reading the response), in
    /// milliseconds; 0, the default, sets none. A run's `RunOptions::step_timeout` overrides
    /// it; a step that takes longer fails with `Error::Timeout` naming the step.
    pub fn step_timeout_ms(mut self, millis: u64) -> Self {
        self.settings.step_timeout_ms = millis;
        self
    }

    /// Sends an idempotency key in `header` (for Stripe, `Idempotency-Key`) on every POST and
    /// PATCH a workflow makes to `source`: a fresh key per step, the same key on each retry, so
    /// that a retried create makes one object. The header is declared on those operations, so
    /// the client's builders take it too.
    pub fn idempotency_header(
        mut self,
        source: impl Into<String>,
        header: impl Into<String>,
    ) -> Self {
        self.settings
            .idempotency
            .insert(source.into(), header.into());
        self
    }

    /// Generate every operation of each source's client, not only those the workflows call
    /// (with whole types: it implies [`Builder::full_types`]).
    pub fn keep_all_operations(mut self, keep: bool) -> Self {
        self.settings.keep_all_operations = keep;
        self
    }

    /// Keep every response and request body type whole, as the description declares it, for
    /// code that also calls the clients directly. By default (lean types) a response type holds
    /// only the properties the workflows read, and a request body type those they set, the
    /// required ones and those with a default; both decode and send exactly as the whole types
    /// would for what the workflows do.
    pub fn full_types(mut self, full: bool) -> Self {
        self.settings.full_types = full;
        self
    }

    /// Defines security scheme `scheme` for source `source`, for a description that requires
    /// the scheme without defining it. A scheme the description does define is used as defined.
    pub fn security_scheme(
        mut self,
        source: impl Into<String>,
        scheme: impl Into<String>,
        kind: SecurityScheme,
    ) -> Self {
        self.settings
            .security
            .insert((source.into(), scheme.into()), kind);
        self
    }

    /// Does not report warnings and notes of `kind` (a name of [`crate::kinds::KINDS`], like
    /// `dangling-ref`), not even in strict mode. An unknown name is an error.
    pub fn allow(mut self, kind: impl Into<String>) -> Self {
        self.settings.levels.insert(kind.into(), Level::Allow);
        self
    }

    /// Reports warnings and notes of `kind` as errors. An unknown name is an error.
    pub fn deny(mut self, kind: impl Into<String>) -> Self {
        self.settings.levels.insert(kind.into(), Level::Deny);
        self
    }

    /// Generates only the workflows with these ids (and those they call, run through actions
    /// or read the outputs of); errors in the other workflows do not fail the build. An id the
    /// document does not have is an error.
    pub fn workflows<I, S>(mut self, ids: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.settings.workflows = ids.into_iter().map(Into::into).collect();
        self
    }

    /// Generates every workflow that checks clean; each workflow with errors, and each that
    /// calls one, is left out with one `skipped-workflow` warning that names it and lists its
    /// errors. Off by default: an error in any workflow fails the build. An error that belongs
    /// to no workflow (a description that does not load) still fails it.
    pub fn skip_invalid_workflows(mut self, skip: bool) -> Self {
        self.settings.skip_invalid_workflows = skip;
        self
    }

    /// Reports every warning and note to Cargo one by one; by default the repairs of each
    /// description are summarised in one warning per file. Unset, `ARAZZO_VERBOSE=1` says.
    pub fn verbose(mut self, verbose: bool) -> Self {
        self.settings.verbose = Some(verbose);
        self
    }

    /// Checks the document, then generates the clients of the sources its workflows use.
    /// The code is `None` when there are errors; the diagnostics say why.
    pub fn generate(&self) -> Generated {
        self.generate_checked(self.check())
    }

    /// [`Builder::generate`] from what [`Builder::check`] of this builder returned, so that a
    /// caller that looked at the check does not load and resolve everything again.
    pub fn generate_checked(&self, mut checked: Checked) -> Generated {
        // Only for a document that checks: its own errors come first.
        if !checked.has_errors() {
            let unsupported = not_generated(&checked);
            for d in self.skip_for(&mut checked, unsupported) {
                checked.diagnostics.push(d);
            }
        }
        let code = if checked.has_errors() {
            None
        } else {
            let origin = self.path.display().to_string();
            match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| loop {
                let (code, diags) = emit::generate(&checked, &self.settings, &origin);
                let errors: Vec<Diagnostic> = diags
                    .iter()
                    .filter(|d| d.severity == Severity::Error)
                    .cloned()
                    .collect();
                // Left out for errors of its own: generate again without them.
                if code.is_none()
                    && !errors.is_empty()
                    && self.skip_for(&mut checked, errors).is_empty()
                {
                    continue;
                }
                break (code, diags);
            })) {
                Ok((code, diags)) => {
                    for d in diags {
                        checked.diagnostics.push(d);
                    }
                    code.filter(|_| !checked.diagnostics.has_errors())
                }
                Err(payload) => {
                    checked.diagnostics.push(
                        Diagnostic::error(format!(
                            "internal error while generating code for `{origin}`: {}",
                            panic_message(payload.as_ref())
                        ))
                        .help(
                            "this is a bug in arazzo-codegen; please report it with the document",
                        ),
                    );
                    None
                }
            }
        };
        Generated {
            code,
            diagnostics: checked.diagnostics,
            inputs: checked.inputs,
            report: checked.report,
        }
    }

    /// Loads, resolves and checks the document and its sources. A panic inside a dependency
    /// is contained here and reported as an internal error naming the document.
    pub fn check(&self) -> Checked {
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.run_check())) {
            Ok(checked) => checked,
            Err(payload) => {
                let what = panic_message(payload.as_ref());
                let mut diagnostics = Diagnostics::new(self.settings.strict);
                let report = self.report(Vec::new());
                diagnostics.push(
                    Diagnostic::error(format!(
                        "internal error while checking `{}`: {what}",
                        self.path.display()
                    ))
                    .help("this is a bug in arazzo-codegen; please report it with the document"),
                );
                Checked {
                    diagnostics,
                    inputs: vec![self.path.clone()],
                    workspace: Workspace::default(),
                    workflows: Vec::new(),
                    report,
                }
            }
        }
    }

    /// How diagnostics are to be reported, for the Arazzo documents named.
    fn report(&self, documents: Vec<String>) -> Report {
        let verbose = self.settings.verbose.unwrap_or_else(|| {
            std::env::var("ARAZZO_VERBOSE").is_ok_and(|v| !v.is_empty() && v != "0")
        });
        let mut command = format!("arazzo-codegen check {}", self.path.display());
        for flag in self.settings.flags() {
            command.push(' ');
            command.push_str(&flag);
        }
        Report {
            documents,
            verbose,
            command,
        }
    }

    fn run_check(&self) -> Checked {
        let mut diags =
            Diagnostics::with_levels(self.settings.strict, self.settings.levels.clone());
        for kind in self
            .settings
            .levels
            .keys()
            .filter(|k| !crate::kinds::is_kind(k))
        {
            let names: Vec<&str> = crate::kinds::KINDS.iter().map(|(k, _)| *k).collect();
            let mut d = Diagnostic::error(format!("`{kind}` is not a kind of warning or note"));
            if let Some(close) = crate::suggest::closest(kind, &names) {
                d = d.help(format!("did you mean `{close}`?"));
            }
            diags.push(d.with_note(format!("the kinds are {}", names.join(", "))));
        }
        let mut by_url = BTreeMap::new();
        let mut inputs = Vec::new();
        for m in &self.settings.source_maps {
            inputs.push(m.clone());
            match workspace::read_source_map(m, self.settings.max_file_bytes) {
                Ok(map) => by_url.extend(map),
                Err(d) => diags.push(d),
            }
        }
        by_url.extend(self.settings.by_url.clone());
        let opts = SourceOptions {
            by_name: self.settings.by_name.clone(),
            by_url,
            max_file_bytes: self.settings.max_file_bytes,
        };
        let ws = workspace::load(&self.path, &opts, &mut diags);
        inputs.extend(ws.inputs.iter().map(|p| workspace::normal(p)));
        inputs.sort();
        inputs.dedup();
        let (workflows, mut diags) = self.check_workflows(&ws, diags);
        for name in self.settings.by_name.keys() {
            let known = ws
                .arazzo
                .first()
                .is_some_and(|d| d.doc.source_descriptions.iter().any(|s| &s.name == name));
            if !known && !ws.arazzo.is_empty() {
                diags.push(Diagnostic::warning(format!(
                    "a local file is given for source `{name}`, but the document has no source of that name"
                )).kind("unused-source"));
            }
        }
        diags.sort_by_place(&ws.files.names());
        let documents = ws
            .arazzo
            .iter()
            .map(|d| ws.files.get(d.file).display().to_string())
            .collect();
        let report = self.report(documents);
        Checked {
            diagnostics: diags,
            inputs,
            workspace: ws,
            workflows,
            report,
        }
    }
}

impl Builder {
    /// With `skip_invalid_workflows`, leaves out the workflows `errors` belong to (and their
    /// callers), each with its warning, and returns nothing; otherwise, or when an error
    /// belongs to no workflow, returns the errors to report.
    fn skip_for(&self, checked: &mut Checked, errors: Vec<Diagnostic>) -> Vec<Diagnostic> {
        if !self.settings.skip_invalid_workflows || errors.iter().any(|d| d.workflow().is_none()) {
            return errors;
        }
        let left_out: BTreeSet<select::WorkflowKey> = checked
            .workflows
            .iter()
            .filter(|w| w.skipped)
            .map(|w| (w.doc, w.index))
            .collect();
        let why = select::more_to_leave_out(&checked.workflows, &left_out, &errors);
        // (Nothing new to leave out would make the caller's loop run for ever.)
        if why.is_empty() {
            return errors;
        }
        for w in &mut checked.workflows {
            w.skipped |= why.contains_key(&(w.doc, w.index));
        }
        for (k, reason) in &why {
            let d = select::skipped_warning(&checked.workspace, *k, reason);
            checked.diagnostics.push(d);
        }
        Vec::new()
    }

    /// Resolves and checks the workflows, then types them, on top of what loading found
    /// (`base`). Workflows not selected are left out from the start; with
    /// `skip_invalid_workflows`, each workflow with errors (and each that calls one) is left out
    /// too, and the phases run again without them until nothing more is left out.
    fn check_workflows(
        &self,
        ws: &Workspace,
        mut base: Diagnostics,
    ) -> (Vec<WorkflowIr>, Diagnostics) {
        let mut left_out: BTreeSet<select::WorkflowKey> = BTreeSet::new();
        if !self.settings.workflows.is_empty() {
            let mut scratch = base.clone();
            let all = resolve::resolve(ws, &mut scratch);
            let (keep, unknown) = select::reached(&all, &self.settings.workflows);
            left_out.extend(
                all.iter()
                    .map(|w| (w.doc, w.index))
                    .filter(|k| !keep.contains(k)),
            );
            let ids: Vec<&str> = all
                .iter()
                .filter(|w| w.doc == 0)
                .map(|w| w.id.as_str())
                .collect();
            for id in unknown {
                let mut d = Diagnostic::error(format!(
                    "no workflow of `{}` has the id `{id}`",
                    self.path.display()
                ));
                if let Some(c) = crate::suggest::closest(&id, &ids) {
                    d = d.help(format!("did you mean `{c}`?"));
                }
                base.push(d.with_note(format!("its workflows are {}", crate::suggest::list(&ids))));
            }
        }
        let mut skipped: BTreeMap<select::WorkflowKey, select::Reason> = BTreeMap::new();
        loop {
            let mut diags = base.clone();
            diags.exclude(left_out.iter().copied());
            // Structural checks need only the document; a source that failed to load makes
            // the checks that need it stay silent, so every other problem is still reported.
            let mut workflows = resolve::resolve(ws, &mut diags);
            for w in &mut workflows {
                w.skipped = left_out.contains(&(w.doc, w.index));
            }
            // Types need every link in place; they are inferred, and what the workflows feed
            // into requests checked against them, only when resolution found no error. Both
            // end up on the workflows' IR.
            if !diags.has_errors() {
                let mut types = crate::infer::infer(ws, &workflows, &mut diags);
                for w in &mut workflows {
                    w.types = types.remove(&(w.doc, w.id.clone())).unwrap_or_default();
                }
                crate::typecheck::check(ws, &mut workflows, &mut diags);
            }
            if self.settings.skip_invalid_workflows && !diags.has_unscoped_errors() {
                let why = select::more_to_leave_out(&workflows, &left_out, diags.items());
                if !why.is_empty() {
                    left_out.extend(why.keys().copied());
                    skipped.extend(why);
                    continue;
                }
            }
            for (k, why) in &skipped {
                diags.push(select::skipped_warning(ws, *k, why));
            }
            return (workflows, diags);
        }
    }
}

/// The text a panic was raised with.
pub(crate) fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown cause".into())
}

/// An error at each step the checker reads but code generation does not support yet (an
/// AsyncAPI message step).
fn not_generated(checked: &Checked) -> Vec<Diagnostic> {
    let ws = &checked.workspace;
    let mut out = Vec::new();
    for wf in checked.workflows.iter().filter(|w| !w.skipped) {
        let Some(doc) = ws.arazzo.get(wf.doc) else {
            continue;
        };
        for step in &wf.steps {
            if let crate::resolve::Target::Message { at, .. } = &step.target {
                let d = Diagnostic::error(format!(
                        "step `{}` of `{}` cannot be generated: AsyncAPI (message) steps are not supported by code generation yet",
                        step.id, wf.id
                    ))
                    .at(ws.files.loc(doc.file, at))
                    .help("`arazzo-codegen check` reads and checks it; a later version generates it")
                    .in_workflow(Some((wf.doc, wf.index)));
                out.push(d);
            }
        }
    }
    out
}
