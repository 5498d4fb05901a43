//! The catalogue harness's runs: a seeded sample of generated documents, each run against
//! Prism mocking the document's own description. Every workflow with a function is run through
//! `run_workflow` with inputs made from its inputs schema and every credential setting filled
//! with a dummy value; Prism answers from the description's examples and logs each violation
//! of a request it finds ("Violation: request", one line per violation).

use std::collections::BTreeMap;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

/// One document picked for a run.
pub struct Picked {
    /// The document's name in the catalogue.
    pub name: String,
    /// The Arazzo document.
    pub document: PathBuf,
    /// Its generated file.
    pub code: PathBuf,
    /// Its OpenAPI description (one source: the catalogue's documents name one).
    pub description: PathBuf,
}

/// What the runs of one document gave.
pub struct Runs {
    /// The document.
    pub name: String,
    /// Each workflow run: its id, `ok` or the error's kind, and the error's text.
    pub results: Vec<(String, String, String)>,
    /// The violations Prism found in the requests, one line each, as it logged them.
    pub refused: Vec<String>,
    /// Why nothing ran, when the mock did not start or the runner failed.
    pub failure: Option<String>,
}

/// A child process stopped when dropped.
struct Guard(Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Builds one runner crate holding every picked file, then runs each document against its mock.
pub fn run(cache: &Path, picked: &[Picked]) -> Result<Vec<Runs>, String> {
    let prism = super::fetch::prism(cache)?;
    let dir = cache.join("jentic-prism");
    let src = dir.join("src");
    let _ = std::fs::remove_dir_all(&src);
    std::fs::create_dir_all(&src).map_err(|e| e.to_string())?;
    let manifest = super::fetch::manifest(
        "jentic-prism",
        "tokio = { version = \"1\", features = [\"macros\", \"rt\", \"time\"] }\n",
    );
    std::fs::write(dir.join("Cargo.toml"), manifest).map_err(|e| e.to_string())?;
    let mut main = String::from(RUNNER_HEAD);
    let mut arms = String::new();
    for (k, p) in picked.iter().enumerate() {
        let code = std::fs::read_to_string(&p.code).map_err(|e| e.to_string())?;
        std::fs::write(src.join(format!("m{k}.rs")), &code).map_err(|e| e.to_string())?;
        main.push_str(&format!("mod m{k} {{\n    include!(\"m{k}.rs\");\n}}\n"));
        arms.push_str(&format!(
            "        {k} => run!(m{k}, &all, {{ {} }}),\n",
            clients_literal(&code, &format!("m{k}"))
        ));
    }
    main.push_str(&RUNNER_MAIN.replace("ARMS", &arms));
    std::fs::write(src.join("main.rs"), main).map_err(|e| e.to_string())?;
    let start = Instant::now();
    let built = Command::new("cargo")
        .args(["build", "--quiet"])
        .current_dir(&dir)
        .status()
        .map_err(|e| format!("cargo: {e}"))?;
    if !built.success() {
        return Err("the runner crate does not compile (see above)".into());
    }
    eprintln!("runner built in {:.0} s", start.elapsed().as_secs_f64());
    let runner = dir.join("target/debug/jentic-prism");
    let mut out = Vec::new();
    for (k, p) in picked.iter().enumerate() {
        out.push(one(&prism, &runner, &dir, k, p));
    }
    // Every run, for reading afterwards.
    let all: Vec<Value> = out
        .iter()
        .map(|r| {
            json!({
                "document": r.name,
                "results": r.results.iter().map(|(w, o, e)| json!({"workflow": w, "outcome": o, "error": e})).collect::<Vec<_>>(),
                "refused": r.refused,
                "failure": r.failure,
            })
        })
        .collect();
    let path = cache.join("jentic-prism-runs.json");
    if std::fs::write(&path, Value::Array(all).to_string()).is_ok() {
        println!("- every run: {}", path.display());
    }
    Ok(out)
}

/// Runs document `k` against a mock of its description.
fn one(prism: &Path, runner: &Path, dir: &Path, k: usize, p: &Picked) -> Runs {
    let mut runs = Runs {
        name: p.name.clone(),
        results: Vec::new(),
        refused: Vec::new(),
        failure: None,
    };
    let inputs = match inputs_of(&p.document, &p.description) {
        Ok(i) => i,
        Err(e) => {
            runs.failure = Some(e);
            return runs;
        }
    };
    let inputs_path = dir.join(format!("inputs-{k}.json"));
    let log_path = dir.join(format!("prism-{k}.log"));
    let (Ok(()), Ok(log)) = (
        std::fs::write(&inputs_path, inputs.to_string()),
        std::fs::File::create(&log_path),
    ) else {
        runs.failure = Some("cannot write the run's files".into());
        return runs;
    };
    let Some(port) = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .ok()
        .map(|a| a.port())
    else {
        runs.failure = Some("no free port".into());
        return runs;
    };
    let err = log.try_clone().ok();
    let mock = Command::new(prism)
        .args(["mock", "-h", "127.0.0.1", "-p", &port.to_string()])
        .arg(&p.description)
        .stdout(log)
        .stderr(err.map_or_else(Stdio::null, Stdio::from))
        .spawn();
    let Ok(mock) = mock else {
        runs.failure = Some("prism did not start".into());
        return runs;
    };
    let mock = Guard(mock);
    let start = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        if start.elapsed() > Duration::from_secs(120) {
            let tail: String = std::fs::read_to_string(&log_path)
                .unwrap_or_default()
                .lines()
                .rev()
                .take(3)
                .collect::<Vec<_>>()
                .join(" / ");
            runs.failure = Some(format!("the mock did not listen within 120 s: {tail}"));
            return runs;
        }
        std::thread::sleep(Duration::from_millis(250));
    }
    let out = Command::new(runner)
        .arg(k.to_string())
        .arg(format!("http://127.0.0.1:{port}"))
        .arg(&inputs_path)
        .output();
    drop(mock);
    let log = std::fs::read_to_string(&log_path).unwrap_or_default();
    runs.refused = log
        .lines()
        .filter(|l| l.contains("Violation: request"))
        .map(|l| l.trim().to_string())
        .collect();
    match out {
        Ok(o) => {
            for line in String::from_utf8_lossy(&o.stdout).lines() {
                if let Ok(v) = serde_json::from_str::<Value>(line) {
                    runs.results.push((
                        v["workflow"].as_str().unwrap_or("?").to_string(),
                        v["outcome"].as_str().unwrap_or("?").to_string(),
                        v["error"].as_str().unwrap_or("").to_string(),
                    ));
                }
            }
            if !o.status.success() {
                runs.failure = Some(format!(
                    "the runner failed: {}",
                    String::from_utf8_lossy(&o.stderr)
                        .chars()
                        .take(300)
                        .collect::<String>()
                ));
            }
        }
        Err(e) => runs.failure = Some(format!("the runner did not start: {e}")),
    }
    runs
}

/// Inputs for each workflow of the document, made from its inputs schema; an input declared a
/// string that feeds a parameter or a body member directly is the text of a value that fits
/// that parameter's or member's schema in the description (the catalogue declares most inputs
/// as strings, whatever they feed).
fn inputs_of(document: &Path, description: &Path) -> Result<Value, String> {
    let text = std::fs::read_to_string(document).map_err(|e| e.to_string())?;
    let doc: Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
    let source = doc["sourceDescriptions"][0]["name"]
        .as_str()
        .unwrap_or_default();
    let checked = arazzo_codegen::Builder::new(document)
        .source(source, description)
        .skip_invalid_workflows(true)
        .check();
    let mut out = serde_json::Map::new();
    for w in doc["workflows"].as_array().into_iter().flatten() {
        let Some(id) = w["workflowId"].as_str() else {
            continue;
        };
        let mut value = value_of(&w["inputs"], 0);
        let targets = checked
            .workflows
            .iter()
            .find(|ir| ir.doc == 0 && ir.id == id)
            .map(|ir| fed_schemas(&checked.workspace, ir))
            .unwrap_or_default();
        if let Value::Object(fields) = &mut value {
            for (name, v) in fields.iter_mut() {
                let declared = &w["inputs"]["properties"][name];
                let text = matches!(
                    declared.get("type").and_then(Value::as_str),
                    Some("string") | None
                );
                if let (true, Some(target)) = (text, targets.get(name)) {
                    *v = match value_of(target, 0) {
                        Value::String(s) => Value::String(s),
                        other => Value::String(other.to_string()),
                    };
                }
            }
        }
        out.insert(id.to_string(), value);
    }
    Ok(Value::Object(out))
}

/// The schema in the description of what each input feeds directly (a parameter, or a member
/// of a JSON body), the first one found.
fn fed_schemas(
    ws: &arazzo_codegen::workspace::Workspace,
    ir: &arazzo_codegen::resolve::WorkflowIr,
) -> BTreeMap<String, Value> {
    use arazzo_codegen::expr::Expr;
    use arazzo_codegen::resolve::{Target, ValueIr};
    let mut out = BTreeMap::new();
    for step in &ir.steps {
        let Target::Operation {
            openapi, operation, ..
        } = &step.target
        else {
            continue;
        };
        let Some(d) = ws.openapi.get(*openapi) else {
            continue;
        };
        let Some(op) = d.operations.get(*operation) else {
            continue;
        };
        for p in &step.parameters {
            if let ValueIr::Expr(Expr::Inputs(n)) = &p.read {
                if let Some(schema) = op
                    .parameters
                    .iter()
                    .find(|q| q.name == p.name)
                    .and_then(|q| q.schema.clone())
                {
                    out.entry(n.name.clone())
                        .or_insert_with(|| deref(&d.raw, &schema).clone());
                }
            }
        }
        let Some(ValueIr::Object(members)) = step.body.as_ref().and_then(|b| b.payload.as_ref())
        else {
            continue;
        };
        let body = d
            .raw
            .pointer(&op.pointer)
            .and_then(|o| o["requestBody"]["content"].as_object())
            .and_then(|c| c.values().next())
            .map(|m| deref(&d.raw, &m["schema"]).clone())
            .unwrap_or(Value::Null);
        for (field, v) in members {
            if let ValueIr::Expr(Expr::Inputs(n)) = v {
                let schema = deref(&d.raw, &body["properties"][field]);
                if !schema.is_null() {
                    out.entry(n.name.clone()).or_insert_with(|| schema.clone());
                }
            }
        }
    }
    out
}

/// `v`, its local `$ref`s followed.
fn deref<'a>(raw: &'a Value, v: &'a Value) -> &'a Value {
    let mut v = v;
    for _ in 0..16 {
        match v
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix('#'))
            .and_then(|p| raw.pointer(p))
        {
            Some(t) => v = t,
            None => break,
        }
    }
    v
}

/// A value that fits `schema`: its example, default or first enum value, else one of its
/// type (every property of an object, one element of a list).
fn value_of(schema: &Value, depth: usize) -> Value {
    for key in ["example", "default"] {
        if let Some(v) = schema.get(key) {
            return v.clone();
        }
    }
    if let Some(v) = schema.get("enum").and_then(|e| e.get(0)) {
        return v.clone();
    }
    if depth > 6 {
        return Value::Null;
    }
    match schema.get("type").and_then(Value::as_str) {
        Some("integer") => json!(1),
        Some("number") => json!(1.5),
        Some("boolean") => json!(true),
        Some("array") => json!([value_of(&schema["items"], depth + 1)]),
        Some("object") | None if schema.get("properties").is_some() => {
            let props: serde_json::Map<String, Value> = schema["properties"]
                .as_object()
                .into_iter()
                .flatten()
                .map(|(k, s)| (k.clone(), value_of(s, depth + 1)))
                .collect();
            Value::Object(props)
        }
        Some("object") => json!({}),
        _ => json!(match schema.get("format").and_then(Value::as_str) {
            Some("date-time") => "2024-01-02T03:04:05Z",
            Some("date") => "2024-01-02",
            Some("email") => "user@example.com",
            Some("uuid") => "00000000-0000-4000-8000-000000000000",
            Some("uri" | "url") => "https://example.com/",
            _ => "1",
        }),
    }
}

/// The `Clients` value of a generated file (module `m`): each source's client at the base URL,
/// with every credential setting of its `Settings` (an `Option<Secret>`) filled in.
fn clients_literal(code: &str, m: &str) -> String {
    let mut fields = Vec::new();
    let Some(clients) = code
        .split("pub struct Clients {")
        .nth(1)
        .and_then(|r| r.split('}').next())
    else {
        return "Clients {}".into();
    };
    for line in clients.lines() {
        let line = line.trim();
        let Some((field, ty)) = line
            .strip_prefix("pub ")
            .and_then(|l| l.trim_end_matches(',').split_once(": "))
        else {
            continue;
        };
        let Some(module) = ty.strip_suffix("::Client") else {
            continue;
        };
        let settings = secrets_of(code, module)
            .iter()
            .map(|f| format!("{f}: Some(::arazzo_runtime::Secret::new(\"dummy-credential\")), "))
            .collect::<String>();
        fields.push(format!(
            "{field}: {m}::{module}::Client::new(&base, {m}::{module}::Settings {{ {settings}..Default::default() }})"
        ));
    }
    format!("{m}::Clients {{ {} }}", fields.join(", "))
}

/// The credential fields of module `module`'s `Settings`.
fn secrets_of(code: &str, module: &str) -> Vec<String> {
    let Some(body) = code
        .split(&format!("pub mod {module} {{"))
        .nth(1)
        .and_then(|r| r.split("pub struct Settings {").nth(1))
        .and_then(|r| r.split('}').next())
    else {
        return Vec::new();
    };
    body.lines()
        .filter_map(|l| {
            let (name, ty) = l.trim().strip_prefix("pub ")?.split_once(": ")?;
            ty.contains("Option<::arazzo_runtime::Secret>")
                .then(|| name.to_string())
        })
        .collect()
}

/// Counts by outcome, and the refusals, as the harness prints them.
pub fn report(runs: &[Runs]) {
    let mut outcomes: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    let mut total = 0;
    for r in runs {
        for (w, o, e) in &r.results {
            total += 1;
            outcomes.entry(o.as_str()).or_default().push(format!(
                "{}/{w}: {}",
                r.name,
                e.chars().take(200).collect::<String>()
            ));
        }
    }
    let refused: usize = runs.iter().map(|r| r.refused.len()).sum();
    println!(
        "\n## Runs against Prism: {} documents, {total} workflow runs, {refused} violations found in requests by Prism's validation",
        runs.len()
    );
    for (o, list) in &outcomes {
        println!("- {o}: {}", list.len());
        if *o != "ok" {
            for e in list.iter().take(5) {
                println!("  - {e}");
            }
        }
    }
    for r in runs {
        if let Some(f) = &r.failure {
            println!("- {}: {f}", r.name);
        }
        for line in &r.refused {
            println!(
                "- refused in {}: {}",
                r.name,
                line.chars().take(300).collect::<String>()
            );
        }
    }
}

const RUNNER_HEAD: &str =
    "//! Runs the workflows of one generated document against a base URL.\n#![deny(warnings)]\n\n";

const RUNNER_MAIN: &str = r#"
macro_rules! run {
    ($m:ident, $all:expr, $clients:expr) => {{
        let (all, clients): (&serde_json::Value, _) = ($all, $clients);
        for id in $m::WORKFLOWS {
            let inputs = all.get(*id).cloned().unwrap_or(serde_json::Value::Null);
            let run = $m::run_workflow(&clients, id, inputs);
            let line = match tokio::time::timeout(std::time::Duration::from_secs(30), run).await {
                Ok(Ok(_)) => serde_json::json!({"workflow": id, "outcome": "ok"}),
                Ok(Err(e)) => serde_json::json!({"workflow": id, "outcome": e.kind(), "error": e.to_string()}),
                Err(_) => serde_json::json!({"workflow": id, "outcome": "harness_timeout"}),
            };
            println!("{line}");
        }
    }};
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let k: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(usize::MAX);
    let base = args.get(2).cloned().unwrap_or_default();
    let all: serde_json::Value = args
        .get(3)
        .and_then(|p| std::fs::read_to_string(p).ok())
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or(serde_json::Value::Null);
    match k {
ARMS        _ => eprintln!("no document {k}"),
    }
}
"#;
