//! The conformance harness: every document of the corpus, resolved (or its located error),
//! generated and compiled (this crate), and, where a jentic folder carries mock responses and
//! expected outputs (`test_config.yaml`), each workflow run against a loopback server that
//! replays those responses, its outputs compared with the expected ones.
//!
//! The table is kept in `tests/conformance.txt` (regenerate with `EXPECTORATE=overwrite` after
//! review); printed with `cargo test -p corpus-clients --test conformance -- --nocapture`.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use serde_json::Value;

fn corpus() -> PathBuf {
    std::env::var_os("ARAZZO_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../../shared/corpus")
        })
}

/// A mock from a test config: method, path (absolute URLs cut to their path), query, reply.
#[derive(Clone, Debug)]
struct Mock {
    method: String,
    path: String,
    query: BTreeMap<String, Vec<String>>,
    status: u16,
    body: String,
}

fn mocks_of(list: &Value) -> Vec<Mock> {
    let Some(items) = list.as_array() else {
        return Vec::new();
    };
    items
        .iter()
        .filter_map(|m| {
            let raw = m.get("path").or_else(|| m.get("url"))?.as_str()?;
            let path = match raw.split_once("://") {
                Some((_, rest)) => rest
                    .find('/')
                    .map_or("/".to_string(), |i| rest[i..].to_string()),
                None => raw.to_string(),
            };
            let query = m
                .get("query_params")
                .or_else(|| m.get("request_params"))
                .and_then(Value::as_object)
                .map(|q| {
                    q.iter()
                        .map(|(k, v)| {
                            let values = match v {
                                Value::Array(items) => items.iter().map(text).collect(),
                                other => vec![text(other)],
                            };
                            (k.clone(), values)
                        })
                        .collect()
                })
                .unwrap_or_default();
            let body = match (m.get("response"), m.get("text")) {
                (Some(r), _) => r.to_string(),
                (None, Some(Value::String(t))) => t.clone(),
                _ => String::new(),
            };
            Some(Mock {
                method: m.get("method")?.as_str()?.to_ascii_uppercase(),
                path,
                query,
                status: m.get("status_code").and_then(Value::as_u64).unwrap_or(200) as u16,
                body,
            })
        })
        .collect()
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                if let Ok(b) = u8::from_str_radix(&s[i + 1..i + 3], 16) {
                    out.push(b);
                    i += 3;
                    continue;
                }
                out.push(b'%');
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Whether a request (path relative to the server, query pairs) is the one a mock describes.
fn matches(
    mock: &Mock,
    method: &str,
    path: &str,
    query: &[(String, String)],
    prefixes: &[String],
) -> bool {
    if mock.method != method {
        return false;
    }
    let path_ok = path == mock.path || prefixes.iter().any(|p| format!("{p}{}", mock.path) == path);
    path_ok
        && mock.query.iter().all(|(k, wanted)| {
            let got: Vec<&str> = query
                .iter()
                .filter(|(n, _)| n == k || n == &format!("{k}[]"))
                .flat_map(|(_, v)| v.split(','))
                .collect();
            wanted.iter().all(|w| got.contains(&w.as_str()))
        })
}

/// A loopback server answering each request with the first mock that matches it.
async fn serve(mocks: Vec<Mock>, prefixes: Vec<String>) -> (String, Arc<Mutex<usize>>) {
    let unmatched = Arc::new(Mutex::new(0));
    let count = Arc::clone(&unmatched);
    let base = seed_emulator::http::serve(move |r| {
        let method = r.method.clone();
        let (path, query) = r.path.split_once('?').unwrap_or((&r.path, ""));
        let query: Vec<(String, String)> = query
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|p| {
                let (k, v) = p.split_once('=').unwrap_or((p, ""));
                (decode(k), decode(v))
            })
            .collect();
        let path = decode(path);
        match mocks
            .iter()
            .find(|m| matches(m, &method, &path, &query, &prefixes))
        {
            Some(m) => (m.status, m.body.clone(), Vec::new()),
            None => {
                *count.lock().expect("lock") += 1;
                let body = format!("{{\"error\":\"no mock for {method} {path}\"}}");
                (404, body, Vec::new())
            }
        }
    })
    .expect("bind");
    (base, unmatched)
}

/// Numbers compare by value (1001 and 1001.0 are one number).
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

/// One test case of a jentic folder, run; the row's `ran` and `matched` cells and the reason.
async fn run_case(folder: &str, config: &Value, case: &Value) -> (String, String, String, String) {
    let id = case
        .get("id")
        .and_then(Value::as_str)
        .unwrap_or("?")
        .to_string();
    let spec = case.get("arazzo_spec").and_then(Value::as_str);
    let doc = corpus_clients::DOCUMENTS
        .iter()
        .filter(|d| d.0.starts_with(&format!("jentic/{folder}/")))
        .filter(|d| d.1 != "not resolvable" || !d.0.ends_with("test_config.yaml"))
        .find(|d| {
            spec.is_none_or(|s| d.0.ends_with(s))
                && !d.0.ends_with(".openapi.yaml")
                && !d.0.ends_with(".openapi.json")
                && !d.0.ends_with("test_config.yaml")
                && !d.0.ends_with("_api.yaml")
        });
    let Some((doc, verdict, ..)) = doc else {
        return (id, "no".into(), "-".into(), "no document".into());
    };
    if *verdict != "generated" {
        return (
            id,
            "no".into(),
            "-".into(),
            "the document does not resolve".into(),
        );
    }
    let mut mocks = mocks_of(case.get("custom_mocks").unwrap_or(&Value::Null));
    if let Some(Value::Object(by_source)) = config.get("custom_mocks") {
        for list in by_source.values() {
            mocks.extend(mocks_of(list));
        }
    }
    let bases: BTreeMap<String, String> = config
        .get("base_urls")
        .and_then(Value::as_object)
        .map(|m| m.iter().map(|(k, v)| (k.clone(), text(v))).collect())
        .unwrap_or_default();
    let prefixes: Vec<String> = bases
        .values()
        .filter_map(|u| {
            u.split_once("://").map(|(_, rest)| {
                rest.find('/').map_or(String::new(), |i| {
                    rest[i..].trim_end_matches('/').to_string()
                })
            })
        })
        .collect();
    let (server, unmatched) = serve(mocks, prefixes.clone()).await;
    let base = |source: &str| -> String {
        let prefix = bases
            .get(source)
            .or_else(|| bases.values().next())
            .and_then(|u| u.split_once("://"))
            .map(|(_, rest)| {
                rest.find('/').map_or(String::new(), |i| {
                    rest[i..].trim_end_matches('/').to_string()
                })
            })
            .unwrap_or_default();
        format!("{server}{prefix}")
    };
    let inputs = case
        .get("inputs")
        .or_else(|| case.get("params"))
        .cloned()
        .unwrap_or(Value::Null);
    let inputs = if inputs.is_null() {
        Value::Object(Default::default())
    } else {
        inputs
    };
    let result = corpus_clients::run(doc, &id, &base, inputs).await;
    let expect_success = case
        .get("expect_success")
        .and_then(Value::as_bool)
        .unwrap_or(true);
    let Some(reported) = result else {
        return (id, "no".into(), "-".into(), "no code".into());
    };
    let report = reported.report;
    let result = reported.result.map_err(|e| e.to_string());
    let missing = *unmatched.lock().expect("lock");
    match (result, expect_success) {
        (Err(e), _) if e.starts_with("there is no function") => (
            id,
            "no".into(),
            "-".into(),
            "the workflow has no function (see the document's row)".into(),
        ),
        (Err(e), true) => (
            id,
            "yes".into(),
            "no".into(),
            format!(
                "failed: {e}{}",
                if missing > 0 {
                    format!(" ({missing} requests matched no mock)")
                } else {
                    String::new()
                }
            ),
        ),
        (Err(_), false) => (id, "yes".into(), "yes".into(), "failed, as expected".into()),
        (Ok(_), false) => (
            id,
            "yes".into(),
            "no".into(),
            "succeeded; the test expects failure".into(),
        ),
        (Ok(out), true) => {
            let expected = case
                .get("expected_outputs")
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default();
            let (step_keys, keys): (Vec<_>, Vec<_>) = expected
                .iter()
                .partition(|(k, _)| k.contains('.') && out.get(k.as_str()).is_none());
            let mut checked = 0;
            let mut wrong = Vec::new();
            for (name, v) in &keys {
                checked += 1;
                if !out.get(name.as_str()).is_some_and(|a| same(a, v)) {
                    wrong.push(format!(
                        "`{name}`: expected {}, got {}",
                        short(v),
                        out.get(name.as_str()).map_or("nothing".into(), short)
                    ));
                }
            }
            // `<step>.<output>`: the output of the last visit of that step, from the run's
            // report.
            for (key, v) in &step_keys {
                checked += 1;
                let got = step_output(&report, key);
                if !got.is_some_and(|a| same(a, v)) {
                    wrong.push(format!(
                        "`{key}` (a step output): expected {}, got {}",
                        short(v),
                        got.map_or("nothing".into(), short)
                    ));
                }
            }
            let note = match step_keys.len() {
                0 => String::new(),
                m => format!(" ({m} of them step outputs, from the run's report)"),
            };
            if wrong.is_empty() {
                (
                    id,
                    "yes".into(),
                    "yes".into(),
                    format!("{checked} outputs{note}"),
                )
            } else {
                (
                    id,
                    "yes".into(),
                    "no".into(),
                    format!("{}{note}", wrong.join("; ")),
                )
            }
        }
    }
}

/// The output `<step>.<output>` that `key` names, of the last visit of that step in `report`.
fn step_output<'r>(report: &'r arazzo_runtime::Report, key: &str) -> Option<&'r Value> {
    report.steps.iter().rev().find_map(|s| {
        let output = key.strip_prefix(s.step)?.strip_prefix('.')?;
        s.outputs.get(output)
    })
}

fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 60 {
        format!("{}…", s.chars().take(60).collect::<String>())
    } else {
        s
    }
}

#[tokio::test]
async fn the_conformance_table() {
    let mut table = String::from(
        "# document | resolved | generated | compiled | workflow functions | reason\n",
    );
    for (doc, verdict, _, _, fns, reason) in corpus_clients::DOCUMENTS {
        let generated = *verdict == "generated";
        let yes = |b: bool| if b { "yes" } else { "no" };
        table.push_str(&format!(
            "{doc} | {} | {} | {} | {fns} | {}\n",
            yes(generated),
            yes(generated),
            yes(generated),
            if reason.is_empty() { "-" } else { reason }
        ));
    }
    table.push_str("\n# jentic test case | ran | outputs matched | reason\n");
    let mut folders: Vec<PathBuf> = std::fs::read_dir(corpus().join("jentic"))
        .expect("the jentic folder")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("test_config.yaml").is_file())
        .collect();
    folders.sort();
    let (mut ran, mut matched, mut cases) = (0, 0, 0);
    for folder in folders {
        let name = folder
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        let text = std::fs::read_to_string(folder.join("test_config.yaml")).expect("read");
        let config: Value = serde_yaml::from_str(&text).expect("YAML");
        for case in config
            .get("workflows")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let (id, r, m, why) = run_case(&name, &config, case).await;
            cases += 1;
            ran += usize::from(r == "yes");
            matched += usize::from(m == "yes");
            table.push_str(&format!("jentic/{name} `{id}` | {r} | {m} | {why}\n"));
        }
    }
    table.push_str(&format!(
        "\n{cases} cases: {ran} ran, {matched} matched their expected outputs\n"
    ));
    println!("{table}");
    expectorate::assert_contents("tests/conformance.txt", &table);
    assert!(cases >= 15, "the jentic cases are read");
}
