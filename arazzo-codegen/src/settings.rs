//! Every option of a generation, in one value: the [`crate::Builder`] sets it, the command
//! line sets it from flags, and the phases read it.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::diag::Level;

/// The step budget of a workflow that branches or loops, unless the builder sets another.
pub const DEFAULT_STEP_BUDGET: u32 = 1000;

/// The path generated code names the runtime crate by, unless the builder sets another.
pub const DEFAULT_RUNTIME_PATH: &str = "::arazzo_runtime";

/// A security scheme the builder supplies for a description that names it without defining it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SecurityScheme {
    /// HTTP basic authentication.
    HttpBasic,
    /// HTTP bearer authentication.
    HttpBearer,
    /// An API key sent in the named header.
    ApiKeyHeader(String),
    /// An API key sent as the named query parameter.
    ApiKeyQuery(String),
}

/// How one document is read and its code generated.
#[derive(Clone, Debug)]
pub struct Settings {
    /// Local files of source descriptions, by source name.
    pub by_name: BTreeMap<String, PathBuf>,
    /// Local files of source descriptions, by URL.
    pub by_url: BTreeMap<String, PathBuf>,
    /// Files mapping URLs to local files.
    pub source_maps: Vec<PathBuf>,
    /// Every warning is an error.
    pub strict: bool,
    /// The largest input file read, in bytes.
    pub max_file_bytes: u64,
    /// Generate every operation of each client, not only those the workflows call.
    pub keep_all_operations: bool,
    /// Keep the response and request body schemas whole, not cut down to what the workflows
    /// read and set (implied by `keep_all_operations`).
    pub full_types: bool,
    /// How many steps a workflow that branches or loops may run.
    pub step_budget: u32,
    /// The default timeout of one step attempt, in milliseconds (0: none); a run's
    /// `RunOptions::step_timeout` overrides it.
    pub step_timeout_ms: u64,
    /// The idempotency-key header of each source that takes one.
    pub idempotency: BTreeMap<String, String>,
    /// Security schemes supplied for descriptions that name them without defining them, by
    /// (source, scheme).
    pub security: BTreeMap<(String, String), SecurityScheme>,
    /// Kinds of warnings and notes allowed or denied.
    pub levels: BTreeMap<String, Level>,
    /// Report every warning and note one by one (unset: `ARAZZO_VERBOSE` says).
    pub verbose: Option<bool>,
    /// The path generated code names the runtime crate by (`::arazzo_runtime`).
    pub runtime_path: String,
    /// Generate only these workflows of the document (and those they call); empty: all.
    pub workflows: Vec<String>,
    /// Generate every workflow that checks clean; each other workflow is left out with one
    /// `skipped-workflow` warning listing its errors, instead of failing the build.
    pub skip_invalid_workflows: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            by_name: BTreeMap::new(),
            by_url: BTreeMap::new(),
            source_maps: Vec::new(),
            strict: false,
            max_file_bytes: crate::load::DEFAULT_MAX_FILE_BYTES,
            keep_all_operations: false,
            full_types: false,
            step_budget: DEFAULT_STEP_BUDGET,
            step_timeout_ms: 0,
            idempotency: BTreeMap::new(),
            security: BTreeMap::new(),
            levels: BTreeMap::new(),
            verbose: None,
            runtime_path: DEFAULT_RUNTIME_PATH.to_string(),
            workflows: Vec::new(),
            skip_invalid_workflows: false,
        }
    }
}

impl Settings {
    /// The `arazzo-codegen` flags that give these settings (those not at their defaults), so
    /// that a command line reproduces what a build script does.
    pub fn flags(&self) -> Vec<String> {
        let mut out = Vec::new();
        for (name, path) in &self.by_name {
            out.push(format!("--source {name}={}", path.display()));
        }
        for map in &self.source_maps {
            out.push(format!("--source-map {}", map.display()));
        }
        for (url, path) in &self.by_url {
            out.push(format!("--source-url {url}={}", path.display()));
        }
        if self.strict {
            out.push("--strict".into());
        }
        for id in &self.workflows {
            out.push(format!("--workflow {id}"));
        }
        if self.skip_invalid_workflows {
            out.push("--skip-invalid-workflows".into());
        }
        if self.keep_all_operations {
            out.push("--all-operations".into());
        }
        if self.full_types {
            out.push("--full-types".into());
        }
        for (source, header) in &self.idempotency {
            out.push(format!("--idempotency-header {source}={header}"));
        }
        for ((source, scheme), kind) in &self.security {
            let kind = match kind {
                SecurityScheme::HttpBasic => "basic".to_string(),
                SecurityScheme::HttpBearer => "bearer".to_string(),
                SecurityScheme::ApiKeyHeader(name) => format!("header:{name}"),
                SecurityScheme::ApiKeyQuery(name) => format!("query:{name}"),
            };
            out.push(format!("--security-scheme {source}.{scheme}={kind}"));
        }
        if self.step_budget != DEFAULT_STEP_BUDGET {
            out.push(format!("--step-budget {}", self.step_budget));
        }
        if self.step_timeout_ms != 0 {
            out.push(format!("--step-timeout-ms {}", self.step_timeout_ms));
        }
        if self.runtime_path != DEFAULT_RUNTIME_PATH {
            out.push(format!("--runtime-path {}", self.runtime_path));
        }
        if self.max_file_bytes != crate::load::DEFAULT_MAX_FILE_BYTES {
            out.push(format!("--max-file-bytes {}", self.max_file_bytes));
        }
        for (kind, level) in &self.levels {
            let flag = match level {
                Level::Allow => "--allow",
                Level::Deny => "--deny",
            };
            out.push(format!("{flag} {kind}"));
        }
        out
    }
}
