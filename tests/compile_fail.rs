//! Misusing the generated API does not compile: the expected compiler errors are in
//! `tests/compile-fail/*.stderr` (regenerate with `TRYBUILD=overwrite` after review).

#[test]
fn misuse_of_the_generated_api_does_not_compile() {
    trybuild::TestCases::new().compile_fail("tests/compile-fail/*.rs");
}
