//! Helpers shared by the integration tests.

use std::path::PathBuf;

/// The conformance corpus: `$ARAZZO_CORPUS`, or `shared/corpus` beside the checkout.
/// A missing corpus fails the test: a test that silently skips cannot fail.
pub fn corpus() -> PathBuf {
    let dir = match std::env::var_os("ARAZZO_CORPUS") {
        Some(d) => PathBuf::from(d),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus"),
    };
    assert!(
        dir.join("README.md").is_file(),
        "the Arazzo corpus is not at {} (set ARAZZO_CORPUS to its folder)",
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
