//! Generates, for every Arazzo document of the corpus that checks without errors, the clients
//! of the sources its workflows use, and the generator's own golden fixtures (`tests/generate`). A document that checks but does not generate fails the
//! build; so does generated code that does not compile.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn documents(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            documents(&p, out);
        } else if p
            .extension()
            .is_some_and(|e| e == "yaml" || e == "yml" || e == "json")
            && std::fs::read_to_string(&p).is_ok_and(|t| {
                t.lines()
                    .take(5)
                    .any(|l| l.trim_start_matches(['{', '"', ' ']).starts_with("arazzo"))
            })
        {
            out.push(p);
        }
    }
}

fn main() {
    println!("cargo:rerun-if-env-changed=ARAZZO_CORPUS");
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets it"));
    let corpus = std::env::var_os("ARAZZO_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| manifest.join("../../../../shared/corpus"));
    if !corpus.join("README.md").is_file() {
        eprintln!(
            "the Arazzo corpus is not at {} (set ARAZZO_CORPUS)",
            corpus.display()
        );
        std::process::exit(1);
    }
    println!("cargo:rerun-if-changed={}", corpus.display());
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets it"));
    let full_types = std::env::var_os("CARGO_FEATURE_FULL_TYPES").is_some();
    let map = corpus.join("remote-url-map.json");
    let mut docs = Vec::new();
    documents(&corpus, &mut docs);
    let mut index = String::new();
    let mut table = String::new();
    let mut dispatch = String::new();
    let mut failures = Vec::new();
    for doc in &docs {
        let rel = doc
            .strip_prefix(&corpus)
            .unwrap_or(doc)
            .display()
            .to_string();
        let generated = arazzo_codegen::Builder::new(doc)
            .source_map(&map)
            .full_types(full_types)
            .generate();
        let warnings = generated
            .diagnostics
            .count(arazzo_codegen::Severity::Warning);
        // Every warning and note has a kind a user can allow or deny.
        for d in generated.diagnostics.items() {
            if d.severity != arazzo_codegen::Severity::Error
                && !d.kind.is_some_and(arazzo_codegen::kinds::is_kind)
            {
                failures.push(format!(
                    "{rel}: a diagnostic without a kind: {}",
                    d.one_line()
                ));
            }
        }
        match &generated.code {
            Some(code) => {
                // A module named after the document's path, so tests can name it.
                let module = arazzo_codegen::names::ident(&rel, arazzo_codegen::names::Case::Snake);
                let file = format!("{module}.rs");
                std::fs::write(out.join(&file), code).expect("write generated code");
                let _ = writeln!(index, "/// `{rel}`\npub mod {module} {{ include!(concat!(env!(\"OUT_DIR\"), \"/{file}\")); }}");
                // Public workflow functions: less `run_workflow`, `run_workflow_with` and each
                // inner function (which takes the caller's run).
                let functions = code.matches("\npub async fn ").count()
                    - 2
                    - code
                        .matches("\n    run: &::arazzo_runtime::__private::Run,")
                        .count();
                let _ = writeln!(
                    table,
                    "    ({rel:?}, \"generated\", {warnings}, {}, {functions}, {:?}),",
                    code.lines().count(),
                    reason(&generated.diagnostics, &corpus)
                );
                let _ = writeln!(
                    dispatch,
                    "        {rel:?} => Some({module}::run_workflow_with(&{module}::Clients::with_base_urls(base), workflow, inputs, &Default::default()).await),"
                );
            }
            None => {
                let checked = arazzo_codegen::Builder::new(doc).source_map(&map).check();
                if !checked.has_errors() {
                    failures.push(format!(
                        "{rel}: checks clean but does not generate:\n{}",
                        generated.diagnostics.render()
                    ));
                }
                let _ = writeln!(
                    table,
                    "    ({rel:?}, \"not resolvable\", {warnings}, 0, 0, {:?}),",
                    reason(&generated.diagnostics, &corpus)
                );
            }
        }
    }
    // The generator's own golden fixtures (tests/generate) compile here too.
    let fixtures = manifest.join("../generate");
    for doc in &fixtures_in(&fixtures) {
        let generated = arazzo_codegen::Builder::new(doc)
            .idempotency_header("pets", "Idempotency-Key")
            .full_types(full_types)
            .generate();
        include_module(&out, &mut index, &mut failures, doc, "fixture_", generated);
    }
    // The project's own Arazzo 1.1 documents (tests/arazzo-1.1): their relative source URL
    // resolves against their `$self`, which names the Amberflo billing description of the
    // corpus.
    let billing = corpus.join("amberflo/openapi/amberflo-billing-openapi.yaml");
    for doc in &fixtures_in(&manifest.join("../arazzo-1.1")) {
        let generated = arazzo_codegen::Builder::new(doc)
            .source_url(
                "https://billing.example.test/openapi/amberflo-billing-openapi.yaml",
                &billing,
            )
            .full_types(full_types)
            .generate();
        include_module(
            &out,
            &mut index,
            &mut failures,
            doc,
            "arazzo_1_1_",
            generated,
        );
    }
    if !failures.is_empty() {
        eprintln!("{}", failures.join("\n"));
        std::process::exit(1);
    }
    let _ = writeln!(
        index,
        "/// Every corpus document: path, verdict, warnings, generated lines, workflow functions, and\n/// why it (or a workflow of it) has no code.\npub const DOCUMENTS: &[(&str, &str, usize, usize, usize, &str)] = &[\n{table}];"
    );
    let _ = writeln!(
        index,
        "/// Runs a workflow of a generated corpus document by id, each source at the URL `base` gives:\n/// its outputs and report; `None` when the document has no code.\npub async fn run(document: &str, workflow: &str, base: &dyn Fn(&str) -> String, inputs: serde_json::Value) -> Option<arazzo_runtime::Reported<serde_json::Value>> {{\n    match document {{\n{dispatch}        _ => None,\n    }}\n}}"
    );
    std::fs::write(out.join("index.rs"), index).expect("write index");
}

/// The `.arazzo.yaml` files of a folder of the project's fixtures, sorted (and watched).
fn fixtures_in(dir: &Path) -> Vec<PathBuf> {
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut docs: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    docs.retain(|p| p.to_string_lossy().ends_with(".arazzo.yaml"));
    docs.sort();
    docs
}

/// Writes a fixture's generated code and includes it as module `<prefix><file stem>`; a
/// fixture that does not generate is a failure.
fn include_module(
    out: &Path,
    index: &mut String,
    failures: &mut Vec<String>,
    doc: &Path,
    prefix: &str,
    generated: arazzo_codegen::Generated,
) {
    let Some(code) = &generated.code else {
        failures.push(format!(
            "{}: does not generate:\n{}",
            doc.display(),
            generated.diagnostics.render()
        ));
        return;
    };
    let stem = doc
        .file_name()
        .map(|n| n.to_string_lossy().replace(".arazzo.yaml", ""))
        .unwrap_or_default();
    let module = format!(
        "{prefix}{}",
        arazzo_codegen::names::ident(&stem, arazzo_codegen::names::Case::Snake)
    );
    let file = format!("{module}.rs");
    std::fs::write(out.join(&file), code).expect("write generated code");
    let _ = writeln!(
        index,
        "/// `{}`\npub mod {module} {{ include!(concat!(env!(\"OUT_DIR\"), \"/{file}\")); }}",
        doc.display()
    );
}

/// Why a document, or some workflow of it, has no code: its first error, else the notes saying
/// which workflows have no function and why. Empty when everything has code.
fn reason(diags: &arazzo_codegen::diag::Diagnostics, corpus: &Path) -> String {
    // Paths inside the corpus are given from its root, wherever it is on this machine.
    let roots: Vec<String> = [Some(corpus.to_path_buf()), corpus.canonicalize().ok()]
        .into_iter()
        .flatten()
        .map(|r| format!("{}/", r.display()))
        .collect();
    let relative = |text: &str| {
        roots
            .iter()
            .fold(text.to_string(), |t, root| t.replace(root.as_str(), ""))
    };
    let located = |d: &arazzo_codegen::diag::Diagnostic| {
        let at = d
            .location
            .as_ref()
            .map(|l| format!("{}:{}:{}: ", relative(&l.file), l.line, l.col))
            .unwrap_or_default();
        format!("{at}{}", relative(&d.message))
    };
    if let Some(e) = diags
        .items()
        .iter()
        .find(|d| d.severity == arazzo_codegen::Severity::Error)
    {
        return located(e);
    }
    diags
        .items()
        .iter()
        .filter(|d| d.message.starts_with("no function is generated"))
        .map(|d| {
            d.message
                .replacen("no function is generated for ", "", 1)
                .replacen(" yet: ", ": ", 1)
        })
        .collect::<Vec<_>>()
        .join("; ")
}
