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
         cargo:warning=tests/ui/operation-id-case.arazzo.yaml:13:22: operationId `listpets` resolved to `listPets` in `pets` (the case differs) (help: write `listPets` as the description declares it)\n"
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
