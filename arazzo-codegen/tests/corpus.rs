//! Every file of the corpus through the checker: no panic, and the verdict recorded in
//! `tests/corpus/verdicts.txt` (regenerate with `EXPECTORATE=overwrite` after review).

mod common;

use std::path::{Path, PathBuf};

use arazzo_codegen::{Builder, Checked, Severity};

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("corpus folder")
        .map(|e| e.expect("entry").path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            files(&p, out);
        } else if p
            .extension()
            .is_some_and(|e| e == "yaml" || e == "yml" || e == "json")
        {
            out.push(p);
        }
    }
}

fn check(corpus: &Path, file: &Path) -> Checked {
    let map = corpus.join("remote-url-map.json");
    let path = file.to_path_buf();
    std::panic::catch_unwind(move || Builder::new(&path).source_map(&map).check())
        .unwrap_or_else(|_| panic!("the checker panicked on {}", file.display()))
}

fn report(corpus: &Path) -> (String, Vec<(String, Checked)>) {
    let mut all = Vec::new();
    files(corpus, &mut all);
    let prefix = format!("{}/", corpus.display());
    let mut text = String::new();
    let mut results = Vec::new();
    for f in &all {
        let rel = f
            .strip_prefix(corpus)
            .expect("under corpus")
            .display()
            .to_string();
        let checked = check(corpus, f);
        let d = &checked.diagnostics;
        let verdict = if d.has_errors() {
            "errors"
        } else if d.count(Severity::Warning) > 0 {
            "warnings"
        } else {
            "ok"
        };
        text.push_str(&format!("{verdict:<9}{rel}\n"));
        for diag in d.items().iter().filter(|d| d.severity != Severity::Note) {
            let label = if diag.severity == Severity::Error {
                "error"
            } else {
                "warning"
            };
            let place = diag.place().unwrap_or_default().replace(&prefix, "");
            text.push_str(&format!(
                "    {label} {place} {}\n",
                diag.message.replace(&prefix, "")
            ));
        }
        results.push((rel, checked));
    }
    (text, results)
}

#[test]
fn every_corpus_file_gets_its_recorded_verdict() {
    let corpus = common::corpus();
    let (text, results) = report(&corpus);
    println!("{text}");
    expectorate::assert_contents("tests/corpus/verdicts.txt", &text);

    let errors_of = |name: &str| -> Vec<String> {
        let (_, c) = results
            .iter()
            .find(|(r, _)| r == name)
            .unwrap_or_else(|| panic!("{name} not in the corpus"));
        c.diagnostics
            .items()
            .iter()
            .filter(|d| d.severity != Severity::Note)
            .map(|d| d.message.clone())
            .collect()
    };
    // All twelve Amberflo workflows resolve, with nothing to repair.
    let amberflo: Vec<&(String, Checked)> = results
        .iter()
        .filter(|(r, _)| r.starts_with("amberflo/arazzo/"))
        .collect();
    assert_eq!(amberflo.len(), 12);
    for (r, c) in amberflo {
        assert!(!c.has_errors(), "{r} should resolve");
        assert!(c.workflows.iter().all(|w| w
            .steps
            .iter()
            .all(|s| s.target != arazzo_codegen::resolve::Target::Unresolved)));
    }
    // The defects the corpus README lists for the specification's own examples.
    let has = |name: &str, needle: &str| {
        let found = errors_of(name);
        assert!(
            found.iter().any(|m| m.contains(needle)),
            "{name}: no diagnostic contains {needle:?}; got {found:#?}"
        );
    };
    has(
        "oai-examples/FAPI-PAR.arazzo.yaml",
        "`PAR` resolved to `Par`",
    );
    has(
        "oai-examples/bnpl-arazzo.yaml",
        "`$steps.retrieveFinalizedPaymentPlan.finalizedPaymentPlan` is not Arazzo 1.0.1",
    );
    has(
        "oai-examples/bnpl-arazzo.yaml",
        "has no query parameter `redirectAuthToken`",
    );
    has(
        "oai-examples/LoginAndRetrievePets.arazzo.yaml",
        "does not point at an operation",
    );
    has(
        "oai-examples/ExtendedParametersExample.arazzo.yaml",
        "animals.yaml` does not exist",
    );
    has(
        "oai-examples/pet-coupons.arazzo.yaml",
        "has no query parameter `pet_tags`",
    );
    // `pet_id` for the path parameter `petId`: repaired, with a warning that names it.
    has(
        "oai-examples/pet-coupons.arazzo.yaml",
        "parameter `pet_id` is read as `petId`",
    );
    // Every schema test that must fail does, for a reason of its own (its sources are
    // fictional, so an unmapped remote URL does not count).
    for (r, c) in &results {
        if r.starts_with("oai-schema-tests/fail/") {
            let own = c.diagnostics.items().iter().any(|d| {
                d.severity == Severity::Error && !d.message.contains("no local file is mapped")
            });
            assert!(own, "{r} must be rejected for its own defect");
        }
    }
}
