//! Catalogue harness: the generator on Arazzo documents written elsewhere.
//!
//! ```sh
//! cargo run --release -p arazzo-codegen --example jentic -- [CATALOGUE] [--shards 4] [--no-compile] [--only SUBSTRING] [--jobs 2] [--prism 30 --seed N]
//! ```
//!
//! `CATALOGUE` is a folder laid out as Jentic's public API catalogue (`../shared/jentic` by
//! default): `workflows/<api>/workflows.arazzo.json`, each naming its OpenAPI description by a
//! URL relative to the catalogue's root (`./apis/openapi/...`). Every document is generated in a
//! child process (so a crash or a hang is counted, not fatal; 60 s each) with
//! `skip_invalid_workflows`, its sources read from the catalogue. Every generated file is then
//! compiled under `#![deny(warnings)]`, each in a private module, in `--shards` crates built one
//! after another. It prints the counts (documents, workflows, workflows with a function,
//! skipped workflows by the kind of their errors, internal errors) and writes every outcome to
//! `jentic-outcomes.json` in the harness cache (`$ARAZZO_HARNESS_CACHE`, default
//! `~/.cache/arazzo-codegen-harness`). With `--prism N`, a seeded sample of N generated
//! documents is then run against Prism (`@stoplight/prism-cli`, installed from the npm registry
//! into the cache) mocking each document's description: every workflow with a function through
//! `run_workflow`, with inputs made from its inputs schema; it counts the runs that succeed,
//! the failures by `Error::kind()`, and the requests Prism refuses. Nothing it writes goes into
//! the repository.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

// (Shared with the robustness harness, which uses the parts this one leaves.)
#[allow(dead_code)]
#[path = "robustness/compile.rs"]
mod compile;
#[allow(dead_code)]
#[path = "robustness/fetch.rs"]
mod fetch;
#[path = "jentic/prism.rs"]
mod prism;

/// A child is stopped after this long.
const CHILD_TIMEOUT: Duration = Duration::from_secs(60);

/// One document's outcome (`name` is what the compile report names it by).
#[derive(Clone, Debug)]
pub struct Outcome {
    name: String,
    verdict: Value,
    millis: u128,
}

struct Options {
    catalogue: PathBuf,
    shards: usize,
    compile: bool,
    only: Option<String>,
    jobs: usize,
    /// How many documents to run against Prism (0: none), and the seed that picks them.
    prism: usize,
    seed: u64,
}

fn parse_args() -> Result<Options, String> {
    let mut o = Options {
        catalogue: PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/jentic")),
        shards: 4,
        compile: true,
        only: None,
        jobs: 2,
        prism: 0,
        seed: 20261207,
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut num = |what: &str| -> Result<usize, String> {
            args.next()
                .and_then(|v| v.parse().ok())
                .ok_or_else(|| format!("{what} takes a number"))
        };
        match a.as_str() {
            "--shards" => o.shards = num("--shards")?.max(1),
            "--jobs" => o.jobs = num("--jobs")?.max(1),
            "--prism" => o.prism = num("--prism")?,
            "--seed" => o.seed = num("--seed")? as u64,
            "--no-compile" => o.compile = false,
            "--only" => o.only = args.next(),
            other if !other.starts_with("--") => o.catalogue = PathBuf::from(other),
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    Ok(o)
}

/// Decodes `%XX` escapes of a URL path (a catalogue folder may be named `v4 - Hunt Valley`).
fn percent_decoded(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = (bytes[i] == b'%')
            .then(|| s.get(i + 1..i + 3))
            .flatten()
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match hex {
            Some(b) => {
                out.push(b);
                i += 3;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The child: generates one document with its sources read from the catalogue, writes the
/// code, and prints one JSON line.
fn child(doc: &Path, catalogue: &Path, out: &Path) {
    let text = std::fs::read_to_string(doc).unwrap_or_default();
    let raw: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
    let ids: Vec<String> = raw["workflows"]
        .as_array()
        .map(|w| {
            w.iter()
                .filter_map(|w| w["workflowId"].as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default();
    let mut builder = arazzo_codegen::Builder::new(doc).skip_invalid_workflows(true);
    for s in raw["sourceDescriptions"].as_array().into_iter().flatten() {
        let (Some(name), Some(url)) = (s["name"].as_str(), s["url"].as_str()) else {
            continue;
        };
        if let Some(rel) = url.strip_prefix("./") {
            builder = builder.source(name, catalogue.join(percent_decoded(rel)));
        }
    }
    let generated = builder.generate();
    let mut skipped = Vec::new();
    let mut errors = Vec::new();
    for d in generated.diagnostics.items() {
        if d.kind == Some("skipped-workflow") {
            skipped.push(json!({"message": d.message, "errors": d.notes}));
        } else if d.severity == arazzo_codegen::Severity::Error {
            errors.push(d.one_line());
        }
    }
    let (functions, lines) = match &generated.code {
        Some(code) => {
            if let Err(e) = std::fs::write(out, code) {
                errors.push(format!("cannot write {}: {e}", out.display()));
            }
            (listed(code), code.lines().count())
        }
        None => (Vec::new(), 0),
    };
    let internal = errors.iter().any(|e| e.contains("internal error"));
    let verdict = json!({
        "workflows": ids.len(),
        "functions": functions,
        "skipped": skipped,
        "errors": errors,
        "internal": internal,
        "code": generated.code.is_some().then(|| out.display().to_string()),
        "lines": lines,
    });
    println!("{verdict}");
}

/// The ids `WORKFLOWS` lists in generated code.
fn listed(code: &str) -> Vec<String> {
    code.split("pub const WORKFLOWS: &[&str] = &[")
        .nth(1)
        .and_then(|r| r.split("];").next())
        .map(|list| {
            list.split(',')
                .map(|s| s.trim().trim_matches('"').to_string())
                .filter(|s| !s.is_empty())
                .collect()
        })
        .unwrap_or_default()
}

fn run_child(exe: &Path, doc: &Path, catalogue: &Path, out: &Path, name: &str) -> Outcome {
    let start = Instant::now();
    let mut outcome = Outcome {
        name: name.to_string(),
        verdict: json!({"crash": "could not start the child"}),
        millis: 0,
    };
    let child = Command::new(exe)
        .arg("--one")
        .arg(doc)
        .arg(catalogue)
        .arg(out)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn();
    let Ok(mut child) = child else {
        return outcome;
    };
    loop {
        match child.try_wait() {
            Ok(Some(_)) => break,
            Ok(None) if start.elapsed() > CHILD_TIMEOUT => {
                let _ = child.kill();
                let _ = child.wait();
                outcome.verdict = json!({"timeout": CHILD_TIMEOUT.as_secs()});
                outcome.millis = start.elapsed().as_millis();
                return outcome;
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(_) => break,
        }
    }
    let stdout = child
        .wait_with_output()
        .map(|o| o.stdout)
        .unwrap_or_default();
    outcome.millis = start.elapsed().as_millis();
    outcome.verdict = String::from_utf8_lossy(&stdout)
        .lines()
        .last()
        .and_then(|l| serde_json::from_str(l).ok())
        .unwrap_or_else(|| json!({"crash": "the child died without a verdict"}));
    outcome
}

/// Folds an error's text so that one kind of defect is one row: places, quoted names and
/// numbers are left out.
fn fold(line: &str) -> String {
    // `file:line:col: message (help: …)`: the message alone.
    let msg = line
        .split_once(": ")
        .filter(|(place, _)| place.contains(':') && !place.contains(' '))
        .map_or(line, |(_, m)| m);
    let msg = msg.split(" (help:").next().unwrap_or(msg);
    let msg = msg.split(" (note:").next().unwrap_or(msg);
    // `GET /a/{id}`: the operation's label, as one word.
    let words: Vec<&str> = msg.split(' ').collect();
    let mut kept: Vec<&str> = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let method = ["GET", "PUT", "POST", "DELETE", "PATCH", "HEAD", "OPTIONS"];
        if method.contains(&words[i]) && words.get(i + 1).is_some_and(|p| p.starts_with('/')) {
            kept.push("OPERATION");
            i += 2;
        } else {
            kept.push(words[i]);
            i += 1;
        }
    }
    let msg = kept.join(" ");
    let mut out = String::new();
    let mut in_tick = false;
    for c in msg.chars() {
        if c == '`' {
            in_tick = !in_tick;
            out.push_str(if in_tick { "`…" } else { "`" });
        } else if !in_tick {
            if c.is_ascii_digit() {
                if !out.ends_with('N') {
                    out.push('N');
                }
            } else {
                out.push(c);
            }
        }
    }
    out.chars().take(160).collect()
}

fn documents(catalogue: &Path) -> Vec<(String, PathBuf)> {
    let mut out = Vec::new();
    if let Ok(rd) = std::fs::read_dir(catalogue.join("workflows")) {
        for e in rd.flatten() {
            let doc = e.path().join("workflows.arazzo.json");
            if doc.is_file() {
                out.push((e.file_name().to_string_lossy().into_owned(), doc));
            }
        }
    }
    out.sort();
    out
}

fn report(outcomes: &[Outcome]) {
    let n = |v: &Value| v.as_u64().unwrap_or(0) as usize;
    let workflows: usize = outcomes.iter().map(|o| n(&o.verdict["workflows"])).sum();
    let functions: usize = outcomes
        .iter()
        .map(|o| o.verdict["functions"].as_array().map_or(0, Vec::len))
        .sum();
    let generated = outcomes
        .iter()
        .filter(|o| !o.verdict["code"].is_null())
        .count();
    let internal: Vec<&str> = outcomes
        .iter()
        .filter(|o| o.verdict["internal"] == true)
        .map(|o| o.name.as_str())
        .collect();
    let timeouts: Vec<&str> = outcomes
        .iter()
        .filter(|o| !o.verdict["timeout"].is_null())
        .map(|o| o.name.as_str())
        .collect();
    let crashes: Vec<&str> = outcomes
        .iter()
        .filter(|o| !o.verdict["crash"].is_null())
        .map(|o| o.name.as_str())
        .collect();
    let skipped: usize = outcomes
        .iter()
        .map(|o| o.verdict["skipped"].as_array().map_or(0, Vec::len))
        .sum();
    println!("\n## Documents: {}", outcomes.len());
    println!("- documents that generate: {generated}");
    println!(
        "- workflows: {workflows}; with a function: {functions} ({:.1}%); skipped: {skipped}",
        functions as f64 * 100.0 / workflows.max(1) as f64
    );
    println!("- internal errors: {} {internal:?}", internal.len());
    println!(
        "- timeouts (over {} s): {} {timeouts:?}",
        CHILD_TIMEOUT.as_secs(),
        timeouts.len()
    );
    println!("- crashes: {} {crashes:?}", crashes.len());
    let mut times: Vec<u128> = outcomes.iter().map(|o| o.millis).collect();
    times.sort();
    println!(
        "- time per document (child, wall): median {} ms, max {} ms",
        times.get(times.len() / 2).copied().unwrap_or(0),
        times.last().copied().unwrap_or(0)
    );
    // Documents that do not generate at all, by their first error.
    let mut failed: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for o in outcomes.iter().filter(|o| o.verdict["code"].is_null()) {
        let first = o.verdict["errors"][0].as_str().unwrap_or("(no error)");
        failed.entry(fold(first)).or_default().push(o.name.clone());
    }
    table(
        "Documents that do not generate, by their first error",
        "count",
        failed,
    );
    // Skipped workflows, each counted once under each kind of error it has.
    let mut kinds: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for o in outcomes {
        for s in o.verdict["skipped"].as_array().into_iter().flatten() {
            let message = s["message"].as_str().unwrap_or("");
            let id = message.split('`').nth(1).unwrap_or("?");
            let mut seen = std::collections::BTreeSet::new();
            let errors: Vec<&str> = s["errors"]
                .as_array()
                .map(|e| e.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            if errors.is_empty() {
                seen.insert(fold(message.split(": ").nth(1).unwrap_or(message)));
            }
            for e in errors {
                seen.insert(fold(e));
            }
            for k in seen {
                kinds.entry(k).or_default().push(format!("{}/{id}", o.name));
            }
        }
    }
    table(
        "Skipped workflows by kind of error (a workflow counts under each of its kinds)",
        "workflows",
        kinds,
    );
}

/// A table of rows (a kind of error and what has it), most first, five examples each.
fn table(title: &str, counted: &str, rows: BTreeMap<String, Vec<String>>) {
    println!("\n### {title}\n\n| {counted} | error | e.g. |\n| --- | --- | --- |");
    let mut rows: Vec<_> = rows.into_iter().collect();
    rows.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then(a.0.cmp(&b.0)));
    for (e, names) in rows {
        println!(
            "| {} | {} | {} |",
            names.len(),
            e.replace('|', "\\|"),
            names.iter().take(5).cloned().collect::<Vec<_>>().join(", ")
        );
    }
}

fn main() {
    let argv: Vec<String> = std::env::args().collect();
    if argv.get(1).map(String::as_str) == Some("--one") && argv.len() >= 5 {
        child(
            Path::new(&argv[2]),
            Path::new(&argv[3]),
            Path::new(&argv[4]),
        );
        return;
    }
    let opts = match parse_args() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    let mut docs = documents(&opts.catalogue);
    if docs.is_empty() {
        eprintln!("no documents under {}/workflows", opts.catalogue.display());
        std::process::exit(1);
    }
    if let Some(only) = &opts.only {
        docs.retain(|(n, _)| n.contains(only.as_str()));
    }
    let cache = fetch::cache_dir();
    let work = cache.join("jentic-work");
    let _ = std::fs::remove_dir_all(&work);
    if let Err(e) = std::fs::create_dir_all(&work) {
        eprintln!("cannot create {}: {e}", work.display());
        std::process::exit(1);
    }
    let exe = match std::env::current_exe() {
        Ok(e) => e,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    };
    println!(
        "# Catalogue harness\n\ncatalogue: {}; {} documents",
        opts.catalogue.display(),
        docs.len()
    );
    let start = Instant::now();
    let next = std::sync::atomic::AtomicUsize::new(0);
    let results = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..opts.jobs {
            s.spawn(|| loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                let Some((name, doc)) = docs.get(i) else {
                    break;
                };
                let out = work.join(format!("{}.rs", name.replace(['~', '.'], "_")));
                let o = run_child(&exe, doc, &opts.catalogue, &out, name);
                if let Ok(mut r) = results.lock() {
                    r.push(o);
                }
            });
        }
    });
    let mut outcomes = results.into_inner().unwrap_or_default();
    outcomes.sort_by(|a, b| a.name.cmp(&b.name));
    report(&outcomes);
    println!(
        "- wall time of the generation: {:.1} s with {} jobs",
        start.elapsed().as_secs_f64(),
        opts.jobs
    );
    let all: Value = outcomes
        .iter()
        .map(|o| (o.name.clone(), o.verdict.clone()))
        .collect::<serde_json::Map<_, _>>()
        .into();
    let path = cache.join("jentic-outcomes.json");
    if std::fs::write(&path, all.to_string()).is_ok() {
        println!("- every outcome: {}", path.display());
    }
    if opts.compile {
        compile_all(&cache, &outcomes, opts.shards);
    }
    if opts.prism > 0 {
        run_on_prism(&cache, &opts, &outcomes);
    }
}

/// Runs a seeded sample of the generated documents against Prism.
fn run_on_prism(cache: &Path, opts: &Options, outcomes: &[Outcome]) {
    let with_functions: Vec<&Outcome> = outcomes
        .iter()
        .filter(|o| {
            o.verdict["functions"]
                .as_array()
                .is_some_and(|f| !f.is_empty())
        })
        .collect();
    let picked: Vec<prism::Picked> = compile::pick(&with_functions, opts.prism, opts.seed)
        .into_iter()
        .filter_map(|o| {
            let document = opts
                .catalogue
                .join("workflows")
                .join(&o.name)
                .join("workflows.arazzo.json");
            let raw: Value =
                serde_json::from_str(&std::fs::read_to_string(&document).ok()?).ok()?;
            let url = raw["sourceDescriptions"][0]["url"].as_str()?;
            let description = opts
                .catalogue
                .join(percent_decoded(url.strip_prefix("./")?));
            Some(prism::Picked {
                name: o.name.clone(),
                document,
                code: PathBuf::from(o.verdict["code"].as_str()?),
                description,
            })
        })
        .collect();
    println!(
        "\n(Prism sample: seed {}, {} documents: {})",
        opts.seed,
        picked.len(),
        picked
            .iter()
            .map(|p| p.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    );
    match prism::run(cache, &picked) {
        Ok(runs) => prism::report(&runs),
        Err(e) => println!("\nthe Prism runs failed to run: {e}"),
    }
}

/// Compiles every generated file, shard by shard.
fn compile_all(cache: &Path, outcomes: &[Outcome], shards: usize) {
    let files: Vec<(String, PathBuf)> = outcomes
        .iter()
        .filter_map(|o| {
            o.verdict["code"]
                .as_str()
                .map(|c| (o.name.clone(), PathBuf::from(c)))
        })
        .collect();
    let krate = cache.join("jentic-compile");
    for k in 0..shards {
        let shard: Vec<(String, PathBuf)> = files
            .iter()
            .enumerate()
            .filter(|(i, _)| i % shards == k)
            .map(|(_, f)| f.clone())
            .collect();
        match compile::compile(&krate, &shard) {
            Ok(r) => r.print(&format!("shard {} of {}", k + 1, shards)),
            Err(e) => println!("\ncompiling shard {} failed to run: {e}", k + 1),
        }
    }
}
