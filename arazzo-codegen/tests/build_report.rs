//! What a build script prints to Cargo, and how it fails.

use arazzo_codegen::{build, Builder};

#[test]
fn warnings_become_cargo_warnings_and_every_input_is_watched() {
    let checked = Builder::new("tests/ui/operation-id-case.arazzo.yaml").check();
    let mut out = Vec::new();
    build::report_to(&checked, &mut out).expect("only warnings");
    let text = String::from_utf8(out).expect("utf-8");
    assert_eq!(
        text,
        "cargo:rerun-if-changed=tests/ui/operation-id-case.arazzo.yaml\n\
         cargo:rerun-if-changed=tests/ui/petstore.openapi.yaml\n\
         cargo:warning=tests/ui/operation-id-case.arazzo.yaml:13:22: operationId `listpets` resolved to `listPets` in `pets` (the case differs) (note: `listPets` is GET /pets in `tests/ui/petstore.openapi.yaml`) (help: write `listPets` as the description declares it) [case-mismatch]\n"
    );
}

#[test]
fn errors_fail_the_build_with_the_rendered_text() {
    let checked = Builder::new("tests/ui/unknown-operation.arazzo.yaml").check();
    let mut out = Vec::new();
    let err = build::report_to(&checked, &mut out).expect_err("an unknown operation");
    let text = err.to_string();
    assert!(text
        .starts_with("error: no operation of source `pets` has the operationId `getPetByName`\n"));
    assert!(text.contains("--> tests/ui/unknown-operation.arazzo.yaml:13:22"));
    assert!(text.contains("= help: the closest is `getPetById`"));
    let printed = String::from_utf8(out).expect("utf-8");
    assert!(printed.contains("cargo:rerun-if-changed=tests/ui/unknown-operation.arazzo.yaml"));
    assert!(!printed.contains("cargo:warning"));
}

#[test]
fn strict_mode_fails_on_a_repaired_defect() {
    let checked = Builder::new("tests/ui/operation-id-case.arazzo.yaml")
        .strict(true)
        .check();
    let err = build::report_to(&checked, &mut Vec::new()).expect_err("strict");
    assert!(err
        .to_string()
        .contains("this is an error because strict mode is on"));
}

/// What `build::write_to` prints for the `repaired` fixture, built by `builder`.
fn printed(builder: Builder) -> Result<String, String> {
    let dir = std::env::temp_dir().join(format!("arazzo-build-report-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let generated = builder.generate();
    let mut out = Vec::new();
    let result = build::write_to(&generated, &dir, "repaired.rs", &mut out);
    let text = String::from_utf8(out).expect("utf-8");
    result.map(|()| text).map_err(|e| e.to_string())
}

const REPAIRED: &str = "tests/build_report/repaired.arazzo.yaml";

fn warnings(text: &str) -> Vec<&str> {
    text.lines()
        .filter_map(|l| l.strip_prefix("cargo:warning="))
        .collect()
}

#[test]
fn repairs_of_a_description_are_summarised_in_one_warning() {
    let text = printed(Builder::new(REPAIRED).verbose(false)).expect("generates");
    assert_eq!(
        warnings(&text),
        [
            "tests/build_report/repaired.arazzo.yaml:19:22: operationId `getthing` resolved to `getThing` in `things` (the case differs) (note: `getThing` is GET /things/{id} in `tests/build_report/repaired.openapi.yaml`) (help: write `getThing` as the description declares it) [case-mismatch]",
            "tests/build_report/repaired.openapi.yaml: 4 repairs (dangling-ref 1, parameter 2, schema 1); run `arazzo-codegen check tests/build_report/repaired.arazzo.yaml` to list them, or set ARAZZO_VERBOSE=1",
        ]
    );
}

#[test]
fn verbose_lists_every_repair() {
    let text = printed(Builder::new(REPAIRED).verbose(true)).expect("generates");
    let lines = warnings(&text);
    assert_eq!(lines.len(), 5, "{text}");
    assert!(
        lines.iter().any(
            |l| l.starts_with("tests/build_report/repaired.openapi.yaml:")
                && l.ends_with("[dangling-ref]")
        ),
        "{text}"
    );
}

#[test]
fn an_allowed_kind_is_silent_and_a_denied_one_fails_the_build() {
    let text = printed(
        Builder::new(REPAIRED)
            .allow("parameter")
            .allow("case-mismatch"),
    )
    .expect("generates");
    assert_eq!(
        warnings(&text),
        ["tests/build_report/repaired.openapi.yaml: 2 repairs (dangling-ref 1, schema 1); run `arazzo-codegen check tests/build_report/repaired.arazzo.yaml --allow case-mismatch --allow parameter` to list them, or set ARAZZO_VERBOSE=1"]
    );
    // Allowed wins over strict; the rest of strict still holds.
    let err = printed(
        Builder::new(REPAIRED)
            .strict(true)
            .allow("parameter")
            .allow("dangling-ref")
            .allow("schema"),
    )
    .expect_err("the case mismatch is still an error");
    assert!(err.contains("error[case-mismatch]"), "{err}");
    let err = printed(Builder::new(REPAIRED).deny("dangling-ref")).expect_err("denied");
    assert!(
        err.contains("error[dangling-ref]: `$ref: #/components/schemas/Owner` points at nothing"),
        "{err}"
    );
    assert!(
        err.contains("this is an error because `dangling-ref` is denied"),
        "{err}"
    );
    assert!(!err.contains("error[schema]"), "{err}");
}

#[test]
fn an_unknown_kind_is_an_error_with_the_closest_name() {
    let err = printed(Builder::new(REPAIRED).allow("dangling-refs")).expect_err("unknown");
    assert!(
        err.starts_with("error: `dangling-refs` is not a kind of warning or note"),
        "{err}"
    );
    assert!(err.contains("help: did you mean `dangling-ref`?"), "{err}");
}

#[test]
fn the_summary_names_a_command_with_the_build_scripts_sources() {
    let text = printed(
        Builder::new(REPAIRED)
            .source("things", "tests/build_report/repaired.openapi.yaml")
            .verbose(false),
    )
    .expect("generates");
    assert!(
        text.contains("run `arazzo-codegen check tests/build_report/repaired.arazzo.yaml --source things=tests/build_report/repaired.openapi.yaml` to list them"),
        "{text}"
    );
}

/// A workflow left out is one Cargo warning that lists its errors, each with its place.
#[test]
fn a_skipped_workflow_is_one_cargo_warning_listing_its_errors() {
    let text =
        printed(Builder::new("tests/select/skipping.arazzo.yaml").skip_invalid_workflows(true))
            .expect("generates");
    let skipped: Vec<&str> = warnings(&text)
        .into_iter()
        .filter(|w| w.ends_with("[skipped-workflow]"))
        .collect();
    assert_eq!(
        skipped,
        [
            "tests/select/skipping.arazzo.yaml:35:17: workflow `broken` is not generated: it has 2 errors (note: tests/select/skipping.arazzo.yaml:42:20: `$inputs.petId` is read, but workflow `broken` declares no inputs (help: declare it: `inputs: {type: object, properties: {petId: {type: string}}}`)) (note: tests/select/skipping.arazzo.yaml:46:12: step `read` has no output `tag` (help: its outputs are `name`)) [skipped-workflow]",
            "tests/select/skipping.arazzo.yaml:48:17: workflow `calls-broken` is not generated: it runs or reads workflow `broken`, which is not generated [skipped-workflow]",
        ]
    );
}
