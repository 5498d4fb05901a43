//! The stable names of the kinds of warnings and notes (repairs made, choices taken), by which
//! a user raises or silences them (`Builder::allow`, `Builder::deny`, `--allow`, `--deny`), as
//! rustc and clippy name their lints. Errors have no kind: they are always shown.

/// Every kind, with what it covers.
pub const KINDS: &[(&str, &str)] = &[
    // The Arazzo document.
    ("arazzo-spelling", "a non-1.0.1 spelling in the Arazzo document read the one clear way (versions, operationIds, operationPaths, expressions outside `{…}`)"),
    ("dialect", "a form outside the Arazzo grammar whose meaning is plain, read as that meaning (an index after an output's name, `$response.headers`, a pointer without its leading `/`, a single value fed to a list)"),
    ("literal-text", "a `$`-word that is not an expression, sent as literal text"),
    ("identifier-characters", "a workflow id, source name or output name with characters the specification does not allow"),
    ("unknown-field", "a field the Arazzo or OpenAPI object does not define, ignored"),
    ("implicit-dependency", "a workflow reads another's outputs without `dependsOn`; it runs first"),
    ("duplicate-operation-id", "an operationId one description declares on several operations, resolved to the one the step's parameters fit"),
    ("case-mismatch", "an operationId or parameter name matched though it differs in case, `_` or `-`"),
    ("parameter-location", "a parameter given the wrong `in`, or an `in` where none applies; sent where the operation says"),
    ("missing-parameter", "a required parameter a step does not give"),
    ("undeclared-header", "a header parameter the operation does not declare, sent as given"),
    ("request-body", "a body for an operation that declares none, or of a media type it does not list"),
    ("action", "an action without `name`, or with retry fields on a non-retry action"),
    ("workflow-status", "`$statusCode` read on a step that calls a workflow"),
    ("string-conversion", "a string fed into a number or boolean, parsed when the request is built"),
    ("optional-input", "an optional input that feeds a required value"),
    ("unsent-parameter", "a parameter the generated client has no setter for"),
    ("unused-source", "a local file given for a source the document does not name"),
    ("untyped-output", "an output typed `serde_json::Value`, and why"),
    ("skipped-workflow", "a workflow left out of generation for its errors (`skip_invalid_workflows`), with them listed"),
    ("no-function", "a workflow with no generated function, and why"),
    ("plain-inputs", "workflow inputs generated as plain fields, and why"),
    // The OpenAPI descriptions.
    ("openapi-version", "a description converted from OpenAPI 3.1 or 3.2 to 3.0.3"),
    ("bundled", "components bundled from other files"),
    ("dangling-ref", "a `$ref` that points at nothing, read as an open schema or left unresolved"),
    ("ref-siblings", "fields beside a `$ref`, which OpenAPI 3.0 ignores, dropped"),
    ("structure", "a description that would not load as written (boolean schemas, type lists, `required` not a list, responses without `description`, `$ref` callbacks), repaired"),
    ("schema", "a schema keyword the client generator cannot use (defaults, enums, formats, patterns, titles, array keywords on non-arrays), dropped or rewritten"),
    ("renamed", "a name that would collide once written in Rust, renamed or read another way"),
    ("parameter", "a parameter the client cannot take as described (cookies, `content`, styles, undeclared path parameters), repaired"),
    ("media-type", "a request or response media type read as another (JSON variants, multipart, forms)"),
    ("response", "responses the client cannot take as described (no success, ranges beside statuses, differing error bodies, headers), repaired"),
    ("left-out", "an operation no workflow calls that cannot be generated, left out of the client"),
    ("security", "a security scheme that is missing, guessed, or not applied by the client"),
];

/// Whether `name` is a kind.
pub fn is_kind(name: &str) -> bool {
    KINDS.iter().any(|(k, _)| *k == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kind_names_are_unique_and_lower_kebab_case() {
        let mut names: Vec<&str> = KINDS.iter().map(|(k, _)| *k).collect();
        for n in &names {
            assert!(n.chars().all(|c| c.is_ascii_lowercase() || c == '-'), "{n}");
        }
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), KINDS.len());
    }
}
