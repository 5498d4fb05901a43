//! Helpers shared by the integration tests.

use std::path::PathBuf;

/// The conformance corpus: `$ARAZZO_CORPUS`, or `shared/corpus` beside the checkout.
/// A missing corpus fails the test: a test that silently skips cannot fail.
pub fn corpus() -> PathBuf {
    shared("ARAZZO_CORPUS", "corpus", "README.md", "the Arazzo corpus")
}

/// The Arazzo 1.1 folder (text, schema, schema tests): `$ARAZZO_1_1`, or `shared/arazzo-1.1`
/// beside the checkout. Missing, it fails the test.
#[allow(dead_code)]
pub fn arazzo_1_1() -> PathBuf {
    shared(
        "ARAZZO_1_1",
        "arazzo-1.1",
        "schema.yaml",
        "the Arazzo 1.1 folder",
    )
}

/// A folder of shared test data: `$var`, or `shared/<name>` beside the checkout; it must hold
/// `marker`.
fn shared(var: &str, name: &str, marker: &str, what: &str) -> PathBuf {
    let dir = match std::env::var_os(var) {
        Some(d) => PathBuf::from(d),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../shared")
            .join(name),
    };
    assert!(
        dir.join(marker).is_file(),
        "{what} is not at {} (set {var} to its folder)",
        dir.display()
    );
    dir.canonicalize().unwrap_or(dir)
}

/// Reads a JSON file of the corpus.
#[allow(dead_code)]
pub fn corpus_json(rel: &str) -> serde_json::Value {
    let path = corpus().join(rel);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}
