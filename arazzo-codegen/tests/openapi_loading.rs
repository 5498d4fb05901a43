//! Loading OpenAPI descriptions: bundling of sibling files and conversion of 3.1.

mod common;

use std::path::Path;

use arazzo_codegen::load::Files;
use arazzo_codegen::openapi;
use arazzo_codegen::Severity;

#[test]
fn sibling_file_refs_are_bundled_into_components() {
    let mut files = Files::default();
    let loaded = openapi::load(
        Path::new("tests/bundle/api.openapi.yaml"),
        "tests/bundle/api.openapi.yaml",
        &mut files,
        1 << 20,
    );
    let doc = loaded.doc.expect("the description loads");
    let raw = &doc.raw;
    let op = &raw["paths"]["/pets/{petId}"]["get"];
    assert_eq!(op["parameters"][0]["$ref"], "#/components/parameters/PetId");
    // The imported `Pet` collides with the local one and is renamed.
    assert_eq!(
        op["responses"]["200"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/Pet2"
    );
    assert_eq!(raw["components"]["schemas"]["Pet"]["type"], "string");
    // A ref inside the imported schema to its own file's components is imported too.
    assert_eq!(
        raw["components"]["schemas"]["Pet2"]["properties"]["owner"]["$ref"],
        "#/components/schemas/Owner"
    );
    assert_eq!(
        raw["components"]["schemas"]["Owner"]["properties"]["name"]["type"],
        "string"
    );
    // A whole-file ref is imported under the file's name.
    assert_eq!(
        op["responses"]["404"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/error"
    );
    // Extensions are opaque: their refs are left alone (a property named `x-…` is no
    // extension).
    assert_eq!(
        raw["components"]["schemas"]["Pet2"]["x-note"]["$ref"],
        "not-followed.yaml"
    );
    // A file that cannot be read is a warning at the ref, and the ref stays as written.
    let warning = loaded
        .diagnostics
        .iter()
        .find(|d| d.severity == Severity::Warning)
        .expect("a warning for absent.yaml");
    assert!(
        warning.message.contains("absent.yaml"),
        "{}",
        warning.message
    );
    assert_eq!(
        warning.place().as_deref(),
        Some("tests/bundle/api.openapi.yaml:24:30")
    );
    assert_eq!(
        op["responses"]["500"]["content"]["application/json"]["schema"]["$ref"],
        "./absent.yaml#/Oops"
    );
    assert!(loaded.inputs.iter().any(|p| p.ends_with("common.yaml")));
    assert!(loaded.inputs.iter().any(|p| p.ends_with("error.yaml")));
    // The operation index sees the bundled parameter.
    let get = doc
        .operations
        .iter()
        .find(|o| o.operation_id.as_deref() == Some("getPet"))
        .expect("getPet");
    assert_eq!(get.parameters.len(), 1);
    assert_eq!(get.parameters[0].name, "petId");
}

#[test]
fn openapi_31_documents_of_the_corpus_load_as_30() {
    let corpus = common::corpus();
    for rel in [
        "oai-examples/oauth.openapi.yaml",
        "jentic/discord/discord.openapi.json",
        "redocly/cafe.yaml",
    ] {
        let path = corpus.join(rel);
        let mut files = Files::default();
        let loaded = openapi::load(&path, rel, &mut files, 16 << 20);
        let errors: Vec<String> = loaded
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .map(|d| d.to_string())
            .collect();
        assert!(errors.is_empty(), "{rel}: {errors:#?}");
        let doc = loaded.doc.expect("loads");
        assert_eq!(doc.raw["openapi"], "3.0.3");
        assert!(doc.original_version.starts_with("3.1") || doc.original_version.starts_with("3.2"));
        let converted = loaded
            .diagnostics
            .iter()
            .find(|d| d.message.contains("converted to 3.0.3"))
            .expect("a note");
        assert!(converted
            .place()
            .is_some_and(|p| p.starts_with(&format!("{rel}:"))));
    }
}

/// A `$ref` is a URI fragment: a parameter shared through a percent-encoded reference is
/// found, so the operation is known to require it.
#[test]
fn percent_encoded_references_are_followed() {
    let mut files = Files::default();
    let path = "tests/bundle/escaped-refs.openapi.yaml";
    let loaded = openapi::load(Path::new(path), path, &mut files, 1 << 20);
    let doc = loaded.doc.expect("the description loads");
    let builds = doc
        .operations
        .iter()
        .find(|o| o.operation_id.as_deref() == Some("listBuilds"))
        .expect("listBuilds");
    let names: Vec<(&str, bool)> = builds
        .parameters
        .iter()
        .map(|p| (p.name.as_str(), p.required))
        .collect();
    assert_eq!(names, vec![("project", true)]);
}
