//! GitHub end to end: a five-step workflow of our own on GitHub's official description,
//! generated, compiled under `#![deny(warnings)]` and run against a loopback mock that answers
//! with the description's own response examples.
//!
//! ```sh
//! cargo run --release -p arazzo-codegen --example github
//! ```
//!
//! It fetches `@octokit/openapi` (GitHub's description) with `npm pack` and installs
//! `@stoplight/prism-cli` (the mock, which also validates every request against the
//! description) with `npm install`, both pinned, into the harness's cache outside the
//! repository (`$ARAZZO_HARNESS_CACHE`, default `~/.cache/arazzo-codegen-harness`). The
//! workflow is `examples/github/triage.arazzo.yaml`: repos/get, pulls/list, pulls/get,
//! issues/create and issues/create-comment, with path, query and JSON body parameters and
//! outputs read from nested response fields. Every workflow output is compared with the value
//! its JSON pointer finds in the example the mock answers with, and every request the mock
//! refused or found invalid is reported. Needs the network the first time; nothing it writes
//! goes into the repository.

use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, ExitCode};
use std::time::{Duration, Instant};

use serde_json::Value;

#[path = "robustness/fetch.rs"]
mod fetch;

const DESCRIPTION: (&str, &str) = ("@octokit/openapi", "23.0.2");
const SOURCE: &str = "github";

const MAIN: &str = r#"//! Runs the generated `triage_repository` against the base URL given, printing its outputs.
#![deny(warnings)]

mod generated {
    include!("workflows.rs");
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> std::process::ExitCode {
    let base = std::env::args().nth(1).unwrap_or_default();
    let clients = generated::Clients {
        github: generated::github::Client::new(&base, Default::default()),
    };
    let inputs = generated::triage_repository::Inputs {
        owner: "octocat".into(),
        repo: "Hello-World".into(),
        title: "Triage the open pull request".into(),
        labels: vec!["triage".into()],
    };
    match generated::triage_repository(&clients, inputs).await {
        Ok(outputs) => match serde_json::to_string(&outputs) {
            Ok(text) => {
                println!("{text}");
                std::process::ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("{e}");
                std::process::ExitCode::FAILURE
            }
        },
        Err(e) => {
            eprintln!("{e}");
            std::process::ExitCode::FAILURE
        }
    }
}
"#;

fn main() -> ExitCode {
    match run() {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("github: {e}");
            ExitCode::from(2)
        }
    }
}

/// A child process stopped when dropped.
struct Guard(Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn run() -> Result<bool, String> {
    let cache = fetch::cache_dir();
    std::fs::create_dir_all(&cache).map_err(|e| e.to_string())?;
    let package = fetch::package(&cache, DESCRIPTION.0, DESCRIPTION.1)?;
    let description = package.join("generated/api.github.com.json");
    let document = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/github/triage.arazzo.yaml");

    // Check and generate, as a build script would.
    let start = Instant::now();
    let generated = arazzo_codegen::Builder::new(&document)
        .source(SOURCE, &description)
        .generate();
    let generate_time = start.elapsed();
    let Some(code) = &generated.code else {
        return Err(format!(
            "the workflow does not generate:\n{}",
            generated.diagnostics.render()
        ));
    };
    println!("## GitHub end to end ({} {})", DESCRIPTION.0, DESCRIPTION.1);
    println!(
        "- generated: {} lines in {:.2} s, {} warnings (repairs of the description)",
        code.lines().count(),
        generate_time.as_secs_f64(),
        generated
            .diagnostics
            .count(arazzo_codegen::Severity::Warning)
    );

    // Compile it, as a private module, under `#![deny(warnings)]`.
    let dir = cache.join("github-run");
    std::fs::create_dir_all(dir.join("src")).map_err(|e| e.to_string())?;
    let manifest = fetch::manifest(
        "github-run",
        "tokio = { version = \"1\", features = [\"macros\", \"rt\", \"time\"] }\n",
    );
    for (file, text) in [
        ("Cargo.toml", manifest.as_str()),
        ("src/main.rs", MAIN),
        ("src/workflows.rs", code.as_str()),
    ] {
        std::fs::write(dir.join(file), text).map_err(|e| format!("{file}: {e}"))?;
    }
    let start = Instant::now();
    let built = Command::new("cargo")
        .args(["build", "--quiet"])
        .current_dir(&dir)
        .status()
        .map_err(|e| format!("cargo: {e}"))?;
    if !built.success() {
        println!("- compiled: FAILED (see above)");
        return Ok(false);
    }
    println!(
        "- compiled under #![deny(warnings)] in {:.1} s (`cargo build` of {}, dependencies included when cold)",
        start.elapsed().as_secs_f64(),
        dir.display()
    );

    // The mock: Prism, answering with the description's examples.
    let prism = fetch::prism(&cache)?;
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map_err(|e| e.to_string())?
        .port();
    let log_path = dir.join("prism.log");
    let log = std::fs::File::create(&log_path).map_err(|e| e.to_string())?;
    let err = log.try_clone().map_err(|e| e.to_string())?;
    let mock = Guard(
        Command::new(&prism)
            .args(["mock", "-h", "127.0.0.1", "-p", &port.to_string()])
            .arg(&description)
            .stdout(log)
            .stderr(err)
            .spawn()
            .map_err(|e| format!("prism: {e}"))?,
    );
    let start = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        if start.elapsed() > Duration::from_secs(180) {
            return Err(format!(
                "the mock did not start; see {}",
                log_path.display()
            ));
        }
        std::thread::sleep(Duration::from_millis(250));
    }
    println!(
        "- mock listening after {:.1} s",
        start.elapsed().as_secs_f64()
    );

    let start = Instant::now();
    let out = Command::new(dir.join("target/debug/github-run"))
        .arg(format!("http://127.0.0.1:{port}"))
        .output()
        .map_err(|e| format!("github-run: {e}"))?;
    let run_time = start.elapsed();
    drop(mock);
    let log = std::fs::read_to_string(&log_path).unwrap_or_default();
    let requests: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("[HTTP SERVER]") && l.contains("Request received"))
        .filter(|l| !l.contains("] get / "))
        .collect();
    // Prism validates each request before answering (its parameters, and its body as far as
    // Prism reads the schema); a refusal is logged as a violation of `request` (violations of
    // `response` are the description's examples not fitting it).
    let refused: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("Violation: request") || l.contains("did not pass the validation"))
        .collect();
    if !out.status.success() {
        println!(
            "- run: FAILED in {:.2} s: {}",
            run_time.as_secs_f64(),
            String::from_utf8_lossy(&out.stderr).trim()
        );
        return Ok(false);
    }
    println!(
        "- run: {} requests in {:.2} s, {} refused by the mock's request validation",
        requests.len(),
        run_time.as_secs_f64(),
        refused.len()
    );
    for r in &refused {
        println!("  - {r}");
    }
    let outputs: Value = serde_json::from_slice(&out.stdout)
        .map_err(|e| format!("the outputs are not JSON: {e}"))?;
    let expected = expected_outputs(&document, &description)?;
    println!("\n| output | from the description's example | the workflow's |\n| --- | --- | --- |");
    let mut ok = refused.is_empty();
    for (name, want) in &expected {
        let got = outputs.get(name).cloned().unwrap_or(Value::Null);
        let same = &got == want;
        ok &= same;
        println!(
            "| `{name}` | `{want}` | `{got}`{} |",
            if same { "" } else { " (differs)" }
        );
    }
    ok &= expected.len() == outputs.as_object().map_or(0, |o| o.len());
    println!("\n{}", if ok { "ok" } else { "FAILED" });
    Ok(ok)
}

/// Each workflow output of the document, with the value its step output's JSON pointer finds
/// in the first example of the lowest success response of the step's operation: what the
/// mock answers with.
fn expected_outputs(document: &Path, description: &Path) -> Result<Vec<(String, Value)>, String> {
    let text = std::fs::read_to_string(document).map_err(|e| e.to_string())?;
    let doc: Value = serde_yaml::from_str(&text).map_err(|e| e.to_string())?;
    let text = std::fs::read_to_string(description).map_err(|e| e.to_string())?;
    let api: Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
    let workflow = &doc["workflows"][0];
    let steps = workflow["steps"].as_array().cloned().unwrap_or_default();
    let mut out = Vec::new();
    for (name, expr) in workflow["outputs"].as_object().into_iter().flatten() {
        let expr = expr.as_str().unwrap_or_default();
        let (step_id, output) = expr
            .strip_prefix("$steps.")
            .and_then(|r| r.split_once(".outputs."))
            .ok_or(format!("output `{name}` is not a step output"))?;
        let step = steps
            .iter()
            .find(|s| s["stepId"] == step_id)
            .ok_or(format!("no step `{step_id}`"))?;
        let pointer = step["outputs"][output]
            .as_str()
            .and_then(|e| e.strip_prefix("$response.body#"))
            .ok_or(format!(
                "step output `{step_id}.{output}` is not a body pointer"
            ))?;
        let example = example_of(&api, step["operationId"].as_str().unwrap_or_default())
            .ok_or(format!("no example for step `{step_id}`"))?;
        out.push((
            name.clone(),
            example.pointer(pointer).cloned().unwrap_or(Value::Null),
        ));
    }
    Ok(out)
}

/// The first JSON example of the lowest 2xx response of the operation.
fn example_of(api: &Value, operation_id: &str) -> Option<Value> {
    let operation = api["paths"]
        .as_object()?
        .values()
        .filter_map(Value::as_object)
        .flat_map(|item| item.values())
        .find(|op| op["operationId"] == operation_id)?;
    let responses = operation["responses"].as_object()?;
    let (_, response) = responses
        .iter()
        .filter(|(status, _)| status.starts_with('2'))
        .min_by_key(|(status, _)| status.as_str())?;
    let response = follow(api, response);
    let media = &response["content"]["application/json"];
    let example = match media["examples"].as_object() {
        Some(all) => follow(api, all.values().next()?)["value"].clone(),
        None => media["example"].clone(),
    };
    Some(example)
}

/// A local `$ref`'s target, or the value itself.
fn follow<'a>(api: &'a Value, v: &'a Value) -> &'a Value {
    match v["$ref"].as_str().and_then(|r| r.strip_prefix('#')) {
        Some(pointer) => api.pointer(pointer).unwrap_or(v),
        None => v,
    }
}
