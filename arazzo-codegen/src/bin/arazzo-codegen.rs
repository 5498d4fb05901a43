//! The `arazzo-codegen` command: check an Arazzo document and its sources, as a build would.

use std::path::PathBuf;
use std::process::ExitCode;

use arazzo_codegen::diag::Level;
use arazzo_codegen::{Builder, SecurityScheme, Settings};
use clap::{Args, Parser, Subcommand};

/// Typed Rust workflow functions from Arazzo 1.0.x documents.
#[derive(Parser)]
#[command(name = "arazzo-codegen", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Load, resolve and check a document, and normalise the sources it uses as generation
    /// would; print every diagnostic. Exits 1 on errors.
    Check(Common),
    /// List the kinds of warnings and notes, by the names `--allow` and `--deny` take.
    Kinds,
    /// Generate the code a build script would, into a file. Exits 1 on errors.
    Generate {
        #[command(flatten)]
        common: Common,
        /// Where to write the generated Rust file.
        #[arg(short = 'o', long = "output", value_name = "FILE")]
        output: PathBuf,
    },
}

#[derive(Args)]
struct Common {
    /// The Arazzo document (YAML or JSON).
    file: PathBuf,
    /// Treat every warning (a repaired defect) as an error.
    #[arg(long)]
    strict: bool,
    /// Generate only this workflow (and those it calls); repeatable. Errors in the others do
    /// not fail the run.
    #[arg(long = "workflow", value_name = "ID")]
    workflows: Vec<String>,
    /// Generate every workflow that checks clean, and leave out each other one with a
    /// `skipped-workflow` warning listing its errors.
    #[arg(long)]
    skip_invalid_workflows: bool,
    /// Read source description NAME from the local file PATH.
    #[arg(long = "source", value_name = "NAME=PATH", value_parser = parse_source)]
    sources: Vec<(String, PathBuf)>,
    /// A JSON or YAML object from source URL to local file (relative to the map file).
    #[arg(long = "source-map", value_name = "FILE")]
    source_maps: Vec<PathBuf>,
    /// Read any source whose `url` is URL from the local file PATH.
    #[arg(long = "source-url", value_name = "URL=PATH", value_parser = parse_source_url)]
    source_urls: Vec<(String, PathBuf)>,
    /// Do not report warnings and notes of this kind (e.g. `dangling-ref`; see `kinds`).
    #[arg(long = "allow", value_name = "KIND")]
    allow: Vec<String>,
    /// Report warnings and notes of this kind as errors.
    #[arg(long = "deny", value_name = "KIND")]
    deny: Vec<String>,
    /// Generate every operation of each source, not only those the workflows call.
    #[arg(long)]
    all_operations: bool,
    /// Keep every response and request body type whole, not only what the workflows use.
    #[arg(long)]
    full_types: bool,
    /// Send an idempotency key in HEADER on every POST and PATCH to source SOURCE.
    #[arg(long = "idempotency-header", value_name = "SOURCE=HEADER", value_parser = parse_source_header)]
    idempotency_headers: Vec<(String, String)>,
    /// Define security scheme SCHEME of source SOURCE, for a description that names it without
    /// defining it: KIND is `basic`, `bearer`, `header:NAME` or `query:NAME`.
    #[arg(long = "security-scheme", value_name = "SOURCE.SCHEME=KIND", value_parser = parse_security_scheme)]
    security_schemes: Vec<((String, String), SecurityScheme)>,
    /// How many steps a workflow that branches or loops may run.
    #[arg(long = "step-budget", value_name = "STEPS", default_value_t = arazzo_codegen::DEFAULT_STEP_BUDGET)]
    step_budget: u32,
    /// The default timeout of one step attempt in milliseconds (0: none).
    #[arg(long = "step-timeout-ms", value_name = "MS", default_value_t = 0)]
    step_timeout_ms: u64,
    /// The path generated code names the runtime crate by.
    #[arg(long = "runtime-path", value_name = "PATH", default_value = arazzo_codegen::DEFAULT_RUNTIME_PATH)]
    runtime_path: String,
    /// The largest input file read, in bytes.
    #[arg(long = "max-file-bytes", value_name = "BYTES")]
    max_file_bytes: Option<u64>,
}

fn parse_source(s: &str) -> Result<(String, PathBuf), String> {
    match s.split_once('=') {
        Some((name, path)) if !name.is_empty() && !path.is_empty() => {
            Ok((name.to_string(), PathBuf::from(path)))
        }
        _ => Err(format!("expected NAME=PATH, got `{s}`")),
    }
}

/// `URL=PATH`, split at the last `=` (a URL may hold one, a path rarely does).
fn parse_source_url(s: &str) -> Result<(String, PathBuf), String> {
    match s.rsplit_once('=') {
        Some((url, path)) if !url.is_empty() && !path.is_empty() => {
            Ok((url.to_string(), PathBuf::from(path)))
        }
        _ => Err(format!("expected URL=PATH, got `{s}`")),
    }
}

/// `SOURCE=HEADER`.
fn parse_source_header(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((source, header)) if !source.is_empty() && !header.is_empty() => {
            Ok((source.to_string(), header.to_string()))
        }
        _ => Err(format!("expected SOURCE=HEADER, got `{s}`")),
    }
}

/// `SOURCE.SCHEME=KIND`, the source name split at its last `.` before the `=`.
fn parse_security_scheme(s: &str) -> Result<((String, String), SecurityScheme), String> {
    let (key, kind) = s
        .split_once('=')
        .ok_or_else(|| format!("expected SOURCE.SCHEME=KIND, got `{s}`"))?;
    let (source, scheme) = key
        .rsplit_once('.')
        .filter(|(a, b)| !a.is_empty() && !b.is_empty())
        .ok_or_else(|| format!("expected SOURCE.SCHEME before `=`, got `{key}`"))?;
    let kind = match kind.split_once(':') {
        None if kind == "basic" => SecurityScheme::HttpBasic,
        None if kind == "bearer" => SecurityScheme::HttpBearer,
        Some(("header", name)) if !name.is_empty() => SecurityScheme::ApiKeyHeader(name.into()),
        Some(("query", name)) if !name.is_empty() => SecurityScheme::ApiKeyQuery(name.into()),
        _ => {
            return Err(format!(
                "`{kind}` is not a kind of scheme: use `basic`, `bearer`, `header:NAME` or `query:NAME`"
            ))
        }
    };
    Ok(((source.to_string(), scheme.to_string()), kind))
}

impl Common {
    /// The settings the flags give, as a build script's builder calls would.
    fn builder(&self) -> Builder {
        let mut s = Settings {
            by_name: self.sources.iter().cloned().collect(),
            by_url: self.source_urls.iter().cloned().collect(),
            source_maps: self.source_maps.clone(),
            strict: self.strict,
            keep_all_operations: self.all_operations,
            full_types: self.full_types,
            step_budget: self.step_budget,
            step_timeout_ms: self.step_timeout_ms,
            idempotency: self.idempotency_headers.iter().cloned().collect(),
            security: self.security_schemes.iter().cloned().collect(),
            runtime_path: self.runtime_path.clone(),
            workflows: self.workflows.clone(),
            skip_invalid_workflows: self.skip_invalid_workflows,
            ..Settings::default()
        };
        if let Some(bytes) = self.max_file_bytes {
            s.max_file_bytes = bytes;
        }
        for k in &self.allow {
            s.levels.insert(k.clone(), Level::Allow);
        }
        for k in &self.deny {
            s.levels.insert(k.clone(), Level::Deny);
        }
        Builder::with_settings(&self.file, s)
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Kinds => {
            for (kind, what) in arazzo_codegen::kinds::KINDS {
                println!("{kind:<22} {what}");
            }
            ExitCode::SUCCESS
        }
        Command::Generate { common, output } => {
            let generated = common.builder().generate();
            eprint!("{}", generated.diagnostics.render());
            let Some(code) = generated.code else {
                println!("failed: {}: nothing written", common.file.display());
                return ExitCode::FAILURE;
            };
            if let Err(e) = std::fs::write(&output, &code) {
                eprintln!("error: cannot write `{}`: {e}", output.display());
                return ExitCode::FAILURE;
            }
            println!(
                "ok: {}: {} lines written to {}",
                common.file.display(),
                code.lines().count(),
                output.display()
            );
            ExitCode::SUCCESS
        }
        Command::Check(args) => {
            let builder = args.builder();
            let checked = builder.check();
            let (workflows, resolved, steps) = checked.counts();
            // What generation adds (the repairs of the descriptions) is listed too.
            let diagnostics = if checked.has_errors() {
                checked.diagnostics
            } else {
                builder.generate_checked(checked).diagnostics
            };
            eprint!("{}", diagnostics.render());
            let failed = diagnostics.has_errors();
            let verdict = if failed { "failed" } else { "ok" };
            println!(
                "{verdict}: {}: {} workflow(s), {resolved} of {steps} step(s) resolved",
                args.file.display(),
                workflows,
            );
            if failed {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            }
        }
    }
}
