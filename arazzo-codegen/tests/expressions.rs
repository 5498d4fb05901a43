//! The runtime-expression and condition parsers against the corpus's test vectors.

mod common;

use arazzo_codegen::criteria;
use arazzo_codegen::expr::{self, Segment};

fn strings(v: &serde_json::Value, key: &str) -> Vec<String> {
    v[key]
        .as_array()
        .unwrap_or_else(|| panic!("no `{key}` list"))
        .iter()
        .map(|s| s.as_str().expect("string").to_string())
        .collect()
}

#[test]
fn every_valid_runtime_expression_parses() {
    let v = common::corpus_json("expressions/runtime-expressions.json");
    let valid = strings(&v, "valid");
    assert!(
        valid.len() >= 70,
        "expected the corpus's 74 valid expressions"
    );
    for e in &valid {
        if let Err(err) = expr::parse(e) {
            panic!("`{e}` should parse: {err}");
        }
    }
}

/// The parser reads both versions; a 1.0 document that uses a 1.1 expression is rejected by
/// the checker (see `tests/ui/expressions-1-1-in-1-0`).
#[test]
fn the_arazzo_1_1_expressions_parse() {
    let v = common::corpus_json("expressions/runtime-expressions.json");
    let only = strings(&v, "valid_arazzo_1_1_only");
    assert_eq!(only.len(), 9);
    for e in &only {
        if let Err(err) = expr::parse(e) {
            panic!("`{e}` should parse: {err}");
        }
    }
}

#[test]
fn every_invalid_runtime_expression_is_rejected_with_a_position() {
    let v = common::corpus_json("expressions/runtime-expressions.json");
    let mut checked = 0;
    for e in strings(&v, "invalid").iter() {
        let err = expr::parse(e).expect_err(e);
        assert!(
            err.offset <= e.chars().count(),
            "`{e}`: offset {} beyond the text",
            err.offset
        );
        checked += 1;
    }
    assert_eq!(checked, 11);
}

#[test]
fn embedded_expressions_are_extracted_as_the_vectors_say() {
    let v = common::corpus_json("expressions/runtime-expressions.json");
    let cases = v["extract_cases"].as_array().expect("extract_cases");
    assert_eq!(cases.len(), 38);
    for case in cases {
        let template = case["template"].as_str().expect("template");
        let want: Vec<String> = case["expressions"]
            .as_array()
            .expect("expressions")
            .iter()
            .map(|s| s.as_str().expect("string").to_string())
            .collect();
        let got: Vec<String> = match expr::parse_template(template) {
            Ok(segs) => segs
                .iter()
                .filter_map(|s| match s {
                    Segment::Expr(_, at) => {
                        let body: String = template.chars().skip(*at).collect();
                        Some(body[..body.find('}').expect("closing brace")].to_string())
                    }
                    Segment::Text(_) => None,
                })
                .collect(),
            Err(_) => Vec::new(),
        };
        assert_eq!(got, want, "template `{template}`");
    }
}

#[test]
fn every_valid_condition_parses_and_every_invalid_one_is_rejected() {
    let v = common::corpus_json("expressions/criteria-conditions.json");
    let valid = strings(&v, "valid");
    assert_eq!(valid.len(), 40);
    for c in &valid {
        if let Err(err) = criteria::parse(c) {
            panic!("`{c}` should parse: {err}");
        }
    }
    let invalid = strings(&v, "invalid");
    assert_eq!(invalid.len(), 9);
    for c in invalid.iter() {
        let err = criteria::parse(c).expect_err(c);
        assert!(
            err.offset <= c.chars().count(),
            "`{c}`: offset {}",
            err.offset
        );
    }
}

#[test]
fn conditions_of_the_evaluation_vectors_parse() {
    let v = common::corpus_json("expressions/criteria-evaluation.json");
    for case in v["cases"].as_array().expect("cases") {
        let c = case["condition"].as_str().expect("condition");
        criteria::parse(c).unwrap_or_else(|e| panic!("`{c}`: {e}"));
    }
    for case in v["error_cases"].as_array().expect("error_cases") {
        let c = case["condition"].as_str().expect("condition");
        assert!(criteria::parse(c).is_err(), "`{c}` should be rejected");
    }
}
