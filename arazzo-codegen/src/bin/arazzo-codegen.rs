//! The `arazzo-codegen` command: check an Arazzo document and its sources, as a build would.

use std::path::PathBuf;
use std::process::ExitCode;

use arazzo_codegen::resolve::Target;
use arazzo_codegen::Builder;
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
        /// Generate every operation of each source, not only those the workflows call.
        #[arg(long)]
        all_operations: bool,
    },
}

#[derive(Args)]
struct Common {
    /// The Arazzo document (YAML or JSON).
    file: PathBuf,
    /// Treat every warning (a repaired defect) as an error.
    #[arg(long)]
    strict: bool,
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

impl Common {
    fn builder(&self) -> Builder {
        let mut b = Builder::new(&self.file).strict(self.strict);
        for (name, path) in &self.sources {
            b = b.source(name, path);
        }
        for m in &self.source_maps {
            b = b.source_map(m);
        }
        for (url, path) in &self.source_urls {
            b = b.source_url(url, path);
        }
        for k in &self.allow {
            b = b.allow(k);
        }
        for k in &self.deny {
            b = b.deny(k);
        }
        b
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
        Command::Generate {
            common,
            output,
            all_operations,
        } => {
            let generated = common
                .builder()
                .keep_all_operations(all_operations)
                .generate();
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
            let steps: usize = checked.workflows.iter().map(|w| w.steps.len()).sum();
            let resolved = checked
                .workflows
                .iter()
                .flat_map(|w| &w.steps)
                .filter(|s| s.target != Target::Unresolved)
                .count();
            let workflows = checked.workflows.len();
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
