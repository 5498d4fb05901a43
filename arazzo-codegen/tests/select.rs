//! Workflows that stand alone: a build that selects some workflows generates those (and what
//! they call) whatever is wrong with the others, and `skip_invalid_workflows` generates every
//! workflow that checks clean, each other one left out with one warning listing its errors
//! (snapshot in `tests/select/skipping.stderr`).

use arazzo_codegen::{Builder, Severity};

const DOC: &str = "tests/select/skipping.arazzo.yaml";

/// The ids `WORKFLOWS` lists in generated code.
fn listed(code: &str) -> Vec<String> {
    let list = code
        .split("pub const WORKFLOWS: &[&str] = &[")
        .nth(1)
        .and_then(|r| r.split("];").next())
        .expect("the WORKFLOWS list");
    list.split(',')
        .map(|s| s.trim().trim_matches('"').to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

#[test]
fn by_default_one_defective_workflow_fails_the_document() {
    let generated = Builder::new(DOC).generate();
    assert!(generated.code.is_none());
    assert!(generated.diagnostics.has_errors());
}

#[test]
fn skipping_generates_every_workflow_that_checks_clean() {
    let generated = Builder::new(DOC).skip_invalid_workflows(true).generate();
    let text = generated.diagnostics.render();
    let code = generated.code.expect(&text);
    assert_eq!(
        listed(&code),
        ["list-pets", "read-pet", "calls-read-pet"],
        "{text}"
    );
    assert_eq!(generated.diagnostics.count(Severity::Error), 0);
    let skipped: Vec<&str> = generated
        .diagnostics
        .items()
        .iter()
        .filter(|d| d.kind == Some("skipped-workflow"))
        .map(|d| d.message.as_str())
        .collect();
    assert_eq!(skipped.len(), 2, "{text}");
    expectorate::assert_contents("tests/select/skipping.stderr", &text);
    // No function, type or module of a skipped workflow is in the file.
    assert!(!code.contains("pub mod broken"), "{code}");
    assert!(!code.contains("calls_broken"), "{code}");
}

#[test]
fn skipping_makes_the_same_code_as_selecting_the_good_workflows() {
    let skipped = Builder::new(DOC).skip_invalid_workflows(true).generate();
    let selected = Builder::new(DOC)
        .workflows(["list-pets", "calls-read-pet"])
        .generate();
    let selected_text = selected.diagnostics.render();
    assert!(!selected.diagnostics.has_errors(), "{selected_text}");
    // Selecting `calls-read-pet` brings `read-pet`, which it calls.
    let code = selected.code.expect(&selected_text);
    assert_eq!(listed(&code), ["list-pets", "read-pet", "calls-read-pet"]);
    assert_eq!(skipped.code.as_deref(), Some(code.as_str()));
    // The workflows not selected are not reported on at all.
    assert!(!selected_text.contains("broken"), "{selected_text}");
}

#[test]
fn a_selected_workflow_with_errors_still_fails_the_build() {
    let generated = Builder::new(DOC).workflows(["calls-broken"]).generate();
    assert!(generated.code.is_none());
    let text = generated.diagnostics.render();
    assert!(text.contains("has no output `tag`"), "{text}");
}

#[test]
fn an_unknown_workflow_id_is_an_error_with_the_closest_id() {
    let generated = Builder::new(DOC).workflows(["read-pets"]).generate();
    assert!(generated.code.is_none());
    let text = generated.diagnostics.render();
    assert!(text.contains("has the id `read-pets`"), "{text}");
    assert!(text.contains("did you mean `read-pet`?"), "{text}");
}

#[test]
fn strict_mode_refuses_a_skipped_workflow() {
    let generated = Builder::new(DOC)
        .skip_invalid_workflows(true)
        .strict(true)
        .generate();
    assert!(generated.code.is_none());
    let denied = Builder::new(DOC)
        .skip_invalid_workflows(true)
        .deny("skipped-workflow")
        .generate();
    assert!(denied.code.is_none());
}
