//! Benchmark of client generation: for the seed workflow (with the real upstream descriptions)
//! and for the largest description in the corpus, the time `Builder::generate` takes (what a
//! build script spends), the lines generated with and without pruning, and the time `cargo
//! build` takes to compile the generated module on its own.
//!
//! ```sh
//! cargo run --release -p arazzo-codegen --example generation_bench
//! ```
//!
//! The corpus is read from `$ARAZZO_CORPUS` or `../shared/corpus`. Scratch crates go under
//! `target/generation-bench/`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

#[path = "robustness/fetch.rs"]
#[allow(dead_code)] // the bench uses only the manifest
mod fetch;

use arazzo_codegen::Builder;

const RUNS: usize = 5;

struct Case {
    name: String,
    builder: Builder,
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn generate(builder: &Builder) -> (Duration, Result<String, String>) {
    let mut times = Vec::new();
    let mut last = Err(String::new());
    for _ in 0..RUNS {
        let start = Instant::now();
        let g = builder.generate();
        times.push(start.elapsed());
        last = g.code.ok_or_else(|| {
            let first = g
                .diagnostics
                .items()
                .iter()
                .find(|d| d.severity == arazzo_codegen::Severity::Error)
                .map(|d| d.message.clone())
                .unwrap_or_default();
            first.chars().take(200).collect()
        });
    }
    (median(times), last)
}

/// Compiles `code` as the only module of a scratch crate; returns the time of a build of that
/// crate alone (its dependencies are built first, untimed).
fn compile(dir: &Path, code: &str) -> Result<Duration, String> {
    std::fs::create_dir_all(dir.join("src")).map_err(|e| e.to_string())?;
    std::fs::write(
        dir.join("Cargo.toml"),
        fetch::manifest("bench-generated", ""),
    )
    .map_err(|e| e.to_string())?;
    std::fs::write(dir.join("src/lib.rs"), "pub mod dependencies_only {}\n")
        .map_err(|e| e.to_string())?;
    let build = || {
        Command::new(env!("CARGO"))
            .arg("build")
            .arg("--quiet")
            .current_dir(dir)
            .status()
            .map_err(|e| e.to_string())
    };
    if !build()?.success() {
        return Err("the dependencies do not build".into());
    }
    std::fs::write(dir.join("src/generated.rs"), code).map_err(|e| e.to_string())?;
    std::fs::write(
        dir.join("src/lib.rs"),
        "#![deny(warnings)]\ninclude!(\"generated.rs\");\n",
    )
    .map_err(|e| e.to_string())?;
    let start = Instant::now();
    let ok = build()?.success();
    let took = start.elapsed();
    if ok {
        Ok(took)
    } else {
        Err("the generated module does not compile".into())
    }
}

fn main() {
    let corpus = std::env::var_os("ARAZZO_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/corpus"))
        });
    let scratch = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../target/generation-bench"
    ));
    std::fs::create_dir_all(&scratch).expect("scratch folder");

    // The largest description, called through a one-step workflow written for the purpose.
    let mut largest: Option<(u64, PathBuf)> = None;
    let mut stack = vec![corpus.clone()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if std::fs::read_to_string(&p)
                .is_ok_and(|t| t.contains("\"openapi\"") || t.starts_with("openapi:"))
            {
                let size = e.metadata().map(|m| m.len()).unwrap_or(0);
                if largest.as_ref().is_none_or(|(s, _)| size > *s) {
                    largest = Some((size, p));
                }
            }
        }
    }
    let (size, spec) = largest.expect("the corpus has OpenAPI descriptions");
    let raw: serde_json::Value =
        serde_yaml::from_str(&std::fs::read_to_string(&spec).expect("read")).expect("parse");
    let first_op = raw["paths"]
        .as_object()
        .and_then(|ps| {
            ps.values()
                .flat_map(|i| i.as_object().into_iter().flat_map(|m| m.values()))
                .find_map(|o| o.get("operationId")?.as_str())
        })
        .expect("an operationId")
        .to_string();
    let doc = scratch.join("largest.arazzo.yaml");
    std::fs::write(
        &doc,
        format!(
            "arazzo: 1.0.1\ninfo: {{title: bench, version: '1'}}\nsourceDescriptions:\n  - {{name: api, url: '{}', type: openapi}}\n\
             workflows:\n  - workflowId: one\n    steps:\n      - stepId: call\n        operationId: {first_op}\n",
            spec.display()
        ),
    )
    .expect("write workflow");

    let cases = [
        Case {
            name: "seed (real upstream descriptions)".into(),
            builder: Builder::new(corpus.join("seed/fin-amberflo-customer-to-stripe-customer.yml"))
                .source_map(corpus.join("remote-url-map.json")),
        },
        Case {
            name: format!(
                "largest description: {} ({size} bytes), one operation (`{first_op}`)",
                spec.strip_prefix(&corpus).unwrap_or(&spec).display()
            ),
            builder: Builder::new(&doc),
        },
    ];
    println!("| case | pruning | generation (median of {RUNS}) | generated lines | compile of the module |");
    println!("| --- | --- | --- | --- | --- |");
    for (i, case) in cases.iter().enumerate() {
        for keep_all in [false, true] {
            let builder = case.builder.clone().keep_all_operations(keep_all);
            let (took, code) = generate(&builder);
            let pruning = if keep_all { "all operations" } else { "pruned" };
            match code {
                Ok(code) => {
                    let lines = code.lines().count();
                    let compiled =
                        match compile(&scratch.join(format!("case{i}-{keep_all}")), &code) {
                            Ok(t) => format!("{:.1} s", t.as_secs_f64()),
                            Err(e) => e,
                        };
                    println!(
                        "| {} | {pruning} | {:.0} ms | {lines} | {compiled} |",
                        case.name,
                        took.as_secs_f64() * 1000.0
                    );
                }
                Err(e) => println!(
                    "| {} | {pruning} | {:.0} ms | generation failed: {e} | |",
                    case.name,
                    took.as_secs_f64() * 1000.0
                ),
            }
        }
    }
}
