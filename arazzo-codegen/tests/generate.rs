//! Golden files of generated code: each `tests/generate/*.arazzo.yaml` is generated and the code
//! compared with the `.rs` file beside it (regenerate with `EXPECTORATE=overwrite` after review).
//! The `corpus-clients` crate compiles the same files, so each golden file also compiles; both
//! name `Idempotency-Key` as the `pets` source's idempotency header.

use arazzo_codegen::Builder;

#[test]
fn generated_code_matches_its_golden_file() {
    let mut files: Vec<_> = std::fs::read_dir("tests/generate")
        .expect("tests/generate")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.to_string_lossy().ends_with(".arazzo.yaml"))
        .collect();
    files.sort();
    assert!(!files.is_empty());
    for f in files {
        // As the corpus-clients crate generates them.
        let generated = Builder::new(&f)
            .idempotency_header("pets", "Idempotency-Key")
            .generate();
        let code = generated
            .code
            .unwrap_or_else(|| panic!("{}:\n{}", f.display(), generated.diagnostics.render()));
        expectorate::assert_contents(f.to_string_lossy().replace(".arazzo.yaml", ".rs"), &code);
    }
}

/// The conversions the type check decided are in the code: numbers and booleans fed into strings
/// go as their text, a string into a string is passed as it is.
#[test]
fn numbers_fed_into_strings_are_sent_as_text() {
    let generated = Builder::new("tests/generate/conversions.arazzo.yaml").generate();
    let code = generated.code.expect("generates");
    // Compared without whitespace: the formatter breaks lines where it likes. The steps are in
    // the workflow's inner function.
    let function = |name: &str| -> String {
        code.split(&format!("pub async fn {name}_in("))
            .nth(1)
            .expect("the workflow function")
            .split_whitespace()
            .collect::<String>()
            // Trailing commas come and go with line breaks too.
            .replace(",]", "]")
            .replace(",)", ")")
    };
    let adopt = function("adopt");
    for expected in [
        // The body is built as the client's type: text into its text fields.
        "id:::arazzo_runtime::__private::text(&inputs.sequence)",
        "tag:::std::option::Option::Some(::arazzo_runtime::__private::text(&inputs.vaccinated))",
        // An output that may be missing, read from its JSON into a required field.
        "::serde_json::json!((list_pets_first_name.clone()))",
        ".pet_id(create_pet_id.clone())",
        ".limit(inputs.limit)",
        ".x_request_id([\"req-\",&::arazzo_runtime::__private::text(&inputs.sequence)].concat()",
    ] {
        assert!(adopt.contains(expected), "{expected} not in {adopt}");
    }
    // A string fed into an integer parameter is parsed when the request is built.
    let browse = function("browse");
    let expected = "::arazzo_runtime::__private::parse_json(\"list-pets\",\"limit\",&inputs.limit_text.clone()";
    assert!(browse.contains(expected), "{expected} not in {browse}");
}

/// `Inputs` comes from typify: a nested object is a struct, an enum an enum, a keyword a field
/// renamed by serde, and an input not listed as required an `Option`.
#[test]
fn inputs_are_generated_by_typify() {
    let generated = Builder::new("tests/generate/inputs.arazzo.yaml").generate();
    let code = generated.code.expect("generates");
    let flat: String = code.split_whitespace().collect();
    for expected in [
        "pubstructInputs{",
        "pubpet:InputsPet,",
        "///Thepettocreate.#[derive(",
        "pubnote:::std::option::Option<::std::string::String>,",
        "#[serde(rename=\"type\")]pubtype_:::std::string::String,",
        "pubstructInputsPet{",
        "pubenumInputsPetTag{",
        ".x_request_id(inputs.type_.clone())",
        "note:inputs.note.clone(),",
    ] {
        assert!(
            flat.contains(expected),
            "{expected} not in the generated code"
        );
    }
}

/// Two Arazzo documents whose workflows call each other cannot nest their `Clients`: a located
/// error at the step that calls back, not a stack overflow or a type of infinite size.
#[test]
fn documents_that_call_each_other_are_a_located_error() {
    let generated = Builder::new("tests/generate/cycle/a.arazzo.yaml").generate();
    assert!(generated.code.is_none());
    let text = generated.diagnostics.render();
    assert!(
        text.contains("whose workflows call back into this document"),
        "{text}"
    );
    assert!(text.contains("cycle/b.arazzo.yaml:20:21"), "{text}");
}

/// Of two parameters of one operation with one Rust name the client keeps the first; a step
/// that sets the other gets a located error, not a request that silently sends the first.
#[test]
fn setting_a_parameter_the_client_left_out_is_a_located_error() {
    let generated = Builder::new("tests/generate/names/dropped-parameter.arazzo.yaml").generate();
    assert!(generated.code.is_none());
    let errors = located_errors(&generated);
    assert_eq!(
        errors,
        vec!["parameter `maxResults` of step `read` cannot be sent: the generated client leaves it out, as its Rust name is taken (by another parameter of the operation, or by a method of the request builder) @ tests/generate/names/dropped-parameter.arazzo.yaml:18:17"]
    );
}

/// `Builder::step_timeout_ms` is the default step timeout of every run the generated code
/// starts (a run's own `RunOptions::step_timeout` overrides it, in the runtime).
#[test]
fn the_builders_step_timeout_is_each_runs_default() {
    let code = |b: Builder| b.generate().code.expect("generates");
    let default = code(Builder::new("tests/generate/conversions.arazzo.yaml"));
    assert!(default.contains("Run::start(options, 0u64)"));
    let set = code(Builder::new("tests/generate/conversions.arazzo.yaml").step_timeout_ms(1500));
    assert_eq!(set.matches("Run::start(options, 1500u64)").count(), 2);
    assert!(!set.contains("Run::start(options, 0u64)"));
}

#[test]
fn lean_types_hold_what_the_workflows_use_and_full_types_everything() {
    let code = |b: Builder| b.generate().code.expect("generates");
    let doc = "tests/generate/responses.arazzo.yaml";
    let lean = code(Builder::new(doc));
    let full = code(Builder::new(doc).full_types(true));
    let all = code(Builder::new(doc).keep_all_operations(true));
    // The repository's `language` is never read: only the whole types have it.
    assert!(!lean.contains("pub language:"), "{lean}");
    assert!(full.contains("pub language:"), "{full}");
    // Keeping every operation keeps every type whole too.
    assert!(all.contains("pub language:"), "{all}");
    assert!(full.lines().count() > lean.lines().count());
    // The workflow functions are the same either way.
    let workflows = |c: &str| c[c.find("pub struct Clients").expect("clients")..].to_string();
    assert_eq!(workflows(&lean), workflows(&full));
}

/// reqwest has no shorthand for OPTIONS or TRACE, which Progenitor's clients call: a step that
/// calls such an operation is a located error, never a client that does not compile.
#[test]
fn a_step_that_calls_an_options_operation_is_a_located_error() {
    let generated = Builder::new("tests/generate/methods/options.arazzo.yaml").generate();
    assert!(generated.code.is_none());
    let errors = located_errors(&generated);
    assert_eq!(
        errors,
        vec!["the generated client cannot send OPTIONS requests (it sends GET, PUT, POST, DELETE, HEAD and PATCH) @ tests/generate/methods/methods.openapi.yaml:8:5"]
    );
}

/// Each error of a generation, with its place: "message @ file:line:col".
fn located_errors(generated: &arazzo_codegen::Generated) -> Vec<String> {
    generated
        .diagnostics
        .items()
        .iter()
        .filter(|d| d.severity == arazzo_codegen::Severity::Error)
        .map(|d| format!("{} @ {}", d.message, d.place().unwrap_or_default()))
        .collect()
}
