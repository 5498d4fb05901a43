//! The Arazzo 1.1 schema tests (`shared/arazzo-1.1/schema-tests`, read in place; `$ARAZZO_1_1`
//! may point elsewhere), their fictional sources mapped to the stand-ins of
//! `tests/arazzo-1.1/stand-ins.json`: each `fail/` document is rejected for its own defect,
//! each `pass/` one checks (AsyncAPI steps included) and generates, but for the located "not
//! supported yet" at an AsyncAPI step; the verdict of each is recorded in
//! `tests/arazzo-1.1/verdicts.txt` (regenerate with `EXPECTORATE=overwrite` after review).
//! A `pass/` document rejected for a defect only a checker sees still resolves: its sources
//! load and every step's target is found (its verdict says `rejected, resolves`), unless the
//! defect is the target itself (the characterization tests of unresolvable strings).

mod common;

use std::path::{Path, PathBuf};

use arazzo_codegen::resolve::Target;
use arazzo_codegen::{Builder, Severity};

/// The builder for a document, every fictional source URL mapped to its stand-in.
fn builder(doc: &Path) -> Builder {
    let here = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/arazzo-1.1");
    let text = std::fs::read_to_string(here.join("stand-ins.json")).expect("stand-ins.json");
    let map: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(&text).expect("stand-ins.json is a JSON object");
    let corpus = common::corpus();
    let mut b = Builder::new(doc);
    for (key, file) in map.iter().filter(|(k, _)| !k.starts_with('_')) {
        let (_, url) = key.split_once(' ').expect("`<type> <url>`");
        let file = file.as_str().expect("a path");
        let path = match file.strip_prefix("corpus:") {
            Some(rel) => corpus.join(rel),
            None => here.join(file),
        };
        b = b.source_url(url, path);
    }
    b
}

fn documents(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("schema tests")
        .map(|e| e.expect("entry").path())
        .collect();
    out.sort();
    out
}

/// The `pass/` documents (valid to the schema) that have a defect the schema cannot see, and
/// an error each must be rejected with.
const OWN_DEFECTS: &[(&str, &str)] = &[
    // Characterizations: strings the schema lets through.
    (
        "characterization-async-invalid-channelPath-string.arazzo.yaml",
        "names no channel",
    ),
    (
        "characterization-openapi-invalid-operationPath-string.arazzo.yaml",
        "has no `#` JSON pointer",
    ),
    // Reads `$inputs.user` with no inputs declared.
    ("parameter-with-selector.arazzo.yaml", "declares no inputs"),
    // `$steps.previous.outputs`: no step `previous`, and no output named.
    (
        "payload-replacement-using-selector.arazzo.yaml",
        "does not name a step output",
    ),
    // XPath selects from XML; the generated clients read JSON (a located error, as in 1.0).
    (
        "criterion-with-extended-xpath.arazzo.yaml",
        "`xpath` criteria are not supported",
    ),
    // The specification's examples, with the defects the corpus README lists for 1.0.
    (
        "bnpl-example.yaml",
        "reads its own outputs before its request is sent",
    ),
    (
        "pet-coupons-example.yaml",
        "has no query parameter `pet_tags`",
    ),
];

/// The `pass/` documents whose defect is a step's target (a string the schema lets through
/// where an expression naming an operation or a channel belongs): they cannot resolve.
const UNRESOLVABLE: &[&str] = &[
    "characterization-async-invalid-channelPath-string.arazzo.yaml",
    "characterization-openapi-invalid-operationPath-string.arazzo.yaml",
];

/// Whether every workflow of the document was resolved with each step's target found.
fn resolves(doc: &Path) -> bool {
    let checked = builder(doc).check();
    !checked.workflows.is_empty()
        && checked.workflows.iter().all(|w| {
            w.steps
                .iter()
                .all(|s| !matches!(s.target, Target::Unresolved))
        })
}

/// Whether an error is about finding a source rather than the document itself.
fn about_a_source(message: &str) -> bool {
    message.contains("no local file is mapped") || message.contains("does not exist")
}

#[test]
fn the_schema_tests_get_their_recorded_verdicts() {
    let root = common::arazzo_1_1();
    let tests = root.join("schema-tests");
    let prefix = format!("{}/", tests.display());
    let own = format!("{}/tests/", env!("CARGO_MANIFEST_DIR"));
    let mut text = String::new();
    let mut problems = Vec::new();
    for verdict in ["fail", "pass"] {
        for doc in documents(&tests.join(verdict)) {
            let rel = doc
                .strip_prefix(&tests)
                .expect("under the tests")
                .display()
                .to_string();
            let generated = builder(&doc).generate();
            let d = &generated.diagnostics;
            let errors: Vec<String> = d
                .items()
                .iter()
                .filter(|x| x.severity == Severity::Error)
                .map(|x| x.message.clone())
                .collect();
            let outcome = match (&generated.code, errors.is_empty()) {
                (Some(_), _) => "generated",
                (None, false)
                    if errors
                        .iter()
                        .all(|e| e.contains("not supported by code generation yet")) =>
                {
                    "checks, not generated"
                }
                _ if verdict == "pass" && resolves(&doc) => "rejected, resolves",
                _ => "rejected",
            };
            text.push_str(&format!("{outcome:<22}{rel}\n"));
            for x in d.items().iter().filter(|x| x.severity != Severity::Note) {
                let label = if x.severity == Severity::Error {
                    "error"
                } else {
                    "warning"
                };
                // Paths are given from the schema tests' folder, or the project's tests folder.
                let place = x
                    .place()
                    .unwrap_or_default()
                    .replace(&prefix, "")
                    .replace(&own, "");
                text.push_str(&format!(
                    "    {label} {place} {}\n",
                    x.message.replace(&prefix, "").replace(&own, "")
                ));
            }
            if errors.iter().any(|e| about_a_source(e)) {
                problems.push(format!("{rel}: a source is not found: {errors:#?}"));
            }
            match (verdict, outcome) {
                ("fail", "rejected" | "rejected, resolves") => {}
                ("fail", _) => problems.push(format!("{rel}: a fail/ document is not rejected")),
                // A pass/ document checks: it generates, or stops only at what generation does
                // not support yet; unless it has a defect only a checker sees (listed).
                ("pass", "generated" | "checks, not generated") => {}
                ("pass", "rejected") if !UNRESOLVABLE.iter().any(|name| rel.ends_with(name)) => {
                    problems.push(format!(
                        "{rel}: a pass/ document does not resolve: {errors:#?}"
                    ))
                }
                _ => match OWN_DEFECTS.iter().find(|(name, _)| rel.ends_with(name)) {
                    Some((_, needle)) if errors.iter().any(|e| e.contains(needle)) => {}
                    _ => problems.push(format!(
                        "{rel}: a pass/ document does not check: {errors:#?}"
                    )),
                },
            }
        }
    }
    println!("{text}");
    expectorate::assert_contents("tests/arazzo-1.1/verdicts.txt", &text);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
