//! Benchmark of generation, lean types beside full types, in one run: for the seed workflow on
//! the real upstream descriptions, the GitHub workflows of the `github` example (its first three
//! steps, and all five) on GitHub's own description, and a one-step workflow on the largest
//! description of the corpus, the time `Builder::generate` takes (what a build script spends),
//! the lines generated, and the time `cargo build` takes to compile the generated module on its
//! own, with the full / lean ratios. Then the cold `cargo build` of a new consumer crate set up
//! as the README says (a build script calling the library), and the units that took longest.
//!
//! ```sh
//! cargo run --release -p arazzo-codegen --example generation_bench [-- --no-cold | --cold-only]
//! ```
//!
//! The corpus is read from `$ARAZZO_CORPUS` or `../shared/corpus`; GitHub's description is
//! fetched once with `npm pack @octokit/openapi@23.0.2` into the harness's cache (its rows are
//! skipped without it). Scratch crates go under `target/generation-bench/`.

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

/// One mode's figures: generation time, lines, compile time (or why not).
struct Figures {
    took: Duration,
    lines: usize,
    compiled: Result<Duration, String>,
}

fn measure(builder: &Builder, dir: &Path) -> Result<Figures, String> {
    let (took, code) = generate(builder);
    let code = code.map_err(|e| format!("generation failed: {e}"))?;
    Ok(Figures {
        took,
        lines: code.lines().count(),
        compiled: compile(dir, &code),
    })
}

fn secs(d: Duration) -> String {
    format!("{:.1} s", d.as_secs_f64())
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
    // One target folder for every scratch crate: the dependencies are built once.
    let target = dir.parent().unwrap_or(dir).join("target");
    let build = || {
        Command::new(env!("CARGO"))
            .arg("build")
            .arg("--quiet")
            .env("CARGO_TARGET_DIR", &target)
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
    let cold = !std::env::args().any(|a| a == "--no-cold");
    let table = !std::env::args().any(|a| a == "--cold-only");
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

    let mut cases = Vec::new();
    cases.push(Case {
        name: "seed, upstream Amberflo and Stripe descriptions (2 operations)".into(),
        builder: Builder::new(corpus.join("seed/fin-amberflo-customer-to-stripe-customer.yml"))
            .source_map(corpus.join("remote-url-map.json"))
            .security_scheme(
                "stripeCustomersApi",
                "basicAuth",
                arazzo_codegen::SecurityScheme::HttpBasic,
            )
            .security_scheme(
                "stripeCustomersApi",
                "bearerAuth",
                arazzo_codegen::SecurityScheme::HttpBearer,
            )
            .idempotency_header("stripeCustomersApi", "Idempotency-Key"),
    });
    if table {
        match github_cases(&scratch) {
            Ok(more) => cases.extend(more),
            Err(e) => println!("GitHub rows skipped: {e}"),
        }
        cases.push(largest_case(&corpus, &scratch));
    } else {
        cases.clear();
    }

    println!("| case | generation, lean / full (median of {RUNS}) | lines, lean / full | compile of the module, lean / full | full / lean: lines, compile |");
    println!("| --- | --- | --- | --- | --- |");
    for (i, case) in cases.iter().enumerate() {
        let lean = measure(&case.builder, &scratch.join(format!("case{i}-lean")));
        let full = measure(
            &case.builder.clone().full_types(true),
            &scratch.join(format!("case{i}-full")),
        );
        let (lean, full) = match (lean, full) {
            (Ok(l), Ok(f)) => (l, f),
            (Err(e), _) | (_, Err(e)) => {
                println!("| {} | {e} | | | |", case.name);
                continue;
            }
        };
        let compile = |f: &Figures| match &f.compiled {
            Ok(t) => secs(*t),
            Err(e) => e.clone(),
        };
        let compile_ratio = match (&lean.compiled, &full.compiled) {
            (Ok(l), Ok(f)) => format!("{:.1}x", f.as_secs_f64() / l.as_secs_f64()),
            _ => "-".into(),
        };
        println!(
            "| {} | {:.0} ms / {:.0} ms | {} / {} | {} / {} | {:.1}x, {compile_ratio} |",
            case.name,
            lean.took.as_secs_f64() * 1000.0,
            full.took.as_secs_f64() * 1000.0,
            lean.lines,
            full.lines,
            compile(&lean),
            compile(&full),
            full.lines as f64 / lean.lines.max(1) as f64,
        );
    }
    if cold {
        match cold_consumer_build(&corpus, &scratch) {
            Ok(()) => {}
            Err(e) => println!("cold consumer build failed: {e}"),
        }
    }
}

/// The `github` example's workflow on GitHub's description: its first three steps, and all five.
fn github_cases(scratch: &Path) -> Result<Vec<Case>, String> {
    let cache = fetch::cache_dir();
    std::fs::create_dir_all(&cache).map_err(|e| e.to_string())?;
    let package = fetch::package(&cache, "@octokit/openapi", "23.0.2")?;
    let description = package.join("generated/api.github.com.json");
    let five = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/github/triage.arazzo.yaml"
    ));
    let mut doc: serde_json::Value =
        serde_yaml::from_str(&std::fs::read_to_string(&five).map_err(|e| e.to_string())?)
            .map_err(|e| e.to_string())?;
    let workflow = &mut doc["workflows"][0];
    if let Some(steps) = workflow["steps"].as_array_mut() {
        steps.truncate(3);
    }
    if let Some(outputs) = workflow["outputs"].as_object_mut() {
        outputs.retain(|_, v| {
            ["getRepository", "listOpenPulls", "getPull"]
                .iter()
                .any(|s| v.as_str().is_some_and(|v| v.contains(&format!(".{s}."))))
        });
    }
    let three = scratch.join("github-three-steps.arazzo.yaml");
    std::fs::write(
        &three,
        serde_yaml::to_string(&doc).map_err(|e| e.to_string())?,
    )
    .map_err(|e| e.to_string())?;
    Ok(vec![
        Case {
            name: "GitHub, 3 steps (repos/get, pulls/list, pulls/get)".into(),
            builder: Builder::new(&three).source("github", &description),
        },
        Case {
            name: "GitHub, 5 steps (the `github` example)".into(),
            builder: Builder::new(&five).source("github", &description),
        },
    ])
}

/// A one-step workflow written for the purpose, on the largest description of the corpus.
fn largest_case(corpus: &Path, scratch: &Path) -> Case {
    let mut largest: Option<(u64, PathBuf)> = None;
    let mut stack = vec![corpus.to_path_buf()];
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
    Case {
        name: format!(
            "largest corpus description: {} ({size} bytes), one operation (`{first_op}`)",
            spec.strip_prefix(corpus).unwrap_or(&spec).display()
        ),
        builder: Builder::new(&doc),
    }
}

/// Builds, from nothing (its own target folder), a new crate set up as the README's "Use from a
/// build script" says, generating the seed on the upstream descriptions; prints the wall time
/// and the units that took longest (from `cargo build --timings`).
fn cold_consumer_build(corpus: &Path, scratch: &Path) -> Result<(), String> {
    let repo = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/.."));
    let dir = scratch.join("consumer");
    let target = scratch.join("consumer-target");
    let _ = std::fs::remove_dir_all(&target);
    std::fs::create_dir_all(dir.join("src")).map_err(|e| e.to_string())?;
    let manifest = format!(
        r#"[package]
name = "consumer"
version = "0.0.0"
edition = "2021"
publish = false

[workspace]

[build-dependencies]
arazzo-codegen = {{ path = {codegen:?}, default-features = false }}

[dependencies]
arazzo-runtime = {{ path = {runtime:?} }}
progenitor-client = "0.15"
reqwest = {{ version = "0.13", default-features = false, features = ["json", "query", "stream", "rustls"] }}
serde = {{ version = "1", features = ["derive"] }}
serde_json = "1"
"#,
        codegen = repo.join("arazzo-codegen"),
        runtime = repo.join("arazzo-runtime"),
    );
    let build_rs = format!(
        r#"fn main() {{
    let out = std::path::PathBuf::from(std::env::var_os("OUT_DIR").unwrap());
    let generated = arazzo_codegen::Builder::new({doc:?})
        .source_map({map:?})
        .security_scheme("stripeCustomersApi", "basicAuth", arazzo_codegen::SecurityScheme::HttpBasic)
        .security_scheme("stripeCustomersApi", "bearerAuth", arazzo_codegen::SecurityScheme::HttpBearer)
        .idempotency_header("stripeCustomersApi", "Idempotency-Key")
        .generate();
    if let Err(e) = arazzo_codegen::build::write(&generated, &out, "workflows.rs") {{
        eprintln!("{{e}}");
        std::process::exit(1);
    }}
}}
"#,
        doc = corpus.join("seed/fin-amberflo-customer-to-stripe-customer.yml"),
        map = corpus.join("remote-url-map.json"),
    );
    for (file, text) in [
        ("Cargo.toml", manifest.as_str()),
        ("build.rs", build_rs.as_str()),
        (
            "src/lib.rs",
            "#![deny(warnings)]\nmod workflows {\n    include!(concat!(env!(\"OUT_DIR\"), \"/workflows.rs\"));\n}\npub use workflows::*;\n",
        ),
    ] {
        std::fs::write(dir.join(file), text).map_err(|e| e.to_string())?;
    }
    // The workspace's lock file, so the consumer builds the versions the project tests.
    std::fs::copy(repo.join("Cargo.lock"), dir.join("Cargo.lock")).map_err(|e| e.to_string())?;
    let start = Instant::now();
    // The compiler beside this Cargo: a dependency's own `rust-toolchain` file must not pick
    // another one through rustup's proxy.
    let rustc = Path::new(env!("CARGO")).with_file_name("rustc");
    let mut command = Command::new(env!("CARGO"));
    if rustc.is_file() {
        command.env("RUSTC", &rustc);
    }
    let status = command
        .args(["build", "--quiet", "--timings"])
        .env("CARGO_TARGET_DIR", &target)
        .current_dir(&dir)
        .status()
        .map_err(|e| e.to_string())?;
    let took = start.elapsed();
    if !status.success() {
        return Err("cargo build failed".into());
    }
    println!();
    println!(
        "Cold `cargo build` (debug) of a new consumer crate (README's build.rs, the seed on the upstream descriptions): {}",
        secs(took)
    );
    let html = std::fs::read_to_string(target.join("cargo-timings/cargo-timing.html"))
        .map_err(|e| format!("no timings: {e}"))?;
    let units = html
        .split("const UNIT_DATA = ")
        .nth(1)
        .and_then(|rest| rest.split(";\n").next())
        .and_then(|json| serde_json::from_str::<serde_json::Value>(json).ok())
        .ok_or("the timings page has no unit data")?;
    let mut units: Vec<(f64, String)> = units
        .as_array()
        .into_iter()
        .flatten()
        .map(|u| {
            let name = format!(
                "{} {}{}",
                u["name"].as_str().unwrap_or("?"),
                u["version"].as_str().unwrap_or(""),
                match u["mode"].as_str() {
                    Some("run-custom-build") => " (build script run)",
                    Some("build")
                        if u["target"]
                            .as_str()
                            .is_some_and(|t| t.contains("build-script")) =>
                        " (build script)",
                    _ => "",
                }
            );
            (u["duration"].as_f64().unwrap_or(0.0), name)
        })
        .collect();
    units.sort_by(|a, b| b.0.total_cmp(&a.0));
    let total: f64 = units.iter().map(|u| u.0).sum();
    println!(
        "{} units, {:.1} s of compile time in all (2 jobs in parallel); the longest:",
        units.len(),
        total
    );
    for (d, name) in units.iter().take(12) {
        println!("- {name}: {d:.1} s");
    }
    Ok(())
}
