//! The client generator (Progenitor), run with its panics contained; and, with every
//! operation kept, leaving out the operations no workflow calls that it fails on.

use std::collections::BTreeSet;

use proc_macro2::TokenStream;
use quote::quote;
use serde_json::Value;

use crate::openapi::normalise::Normalised;

/// Progenitor, with its panics contained.
pub fn run_progenitor(spec: &openapiv3::OpenAPI) -> Result<TokenStream, String> {
    let mut settings = progenitor::GenerationSettings::new();
    settings
        .with_interface(progenitor::InterfaceStyle::Builder)
        .with_tag(progenitor::TagStyle::Merged)
        .with_inner_type(quote!(Settings))
        .with_map_type("::std::collections::BTreeMap")
        .with_hooks(progenitor::HooksMode::Expected);
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        progenitor::Generator::new(&settings).generate_tokens(spec)
    }));
    std::panic::set_hook(previous);
    match result {
        Ok(Ok(tokens)) => Ok(tokens),
        Ok(Err(e)) => Err(e.to_string()),
        Err(payload) => Err(crate::builder::panic_message(payload.as_ref())),
    }
}

/// The client generator's tokens for a normalised description; with `checked`, also refused
/// when they define a name twice (see [`super::defence`]).
pub fn attempt(doc: &Value, checked: bool) -> Result<TokenStream, String> {
    let spec: openapiv3::OpenAPI = serde_json::from_value(doc.clone())
        .map_err(|e| format!("the normalised description does not load: {e}"))?;
    let tokens = run_progenitor(&spec)?;
    if checked {
        let file: syn::File =
            syn::parse2(tokens.clone()).map_err(|e| format!("its code does not parse: {e}"))?;
        if let Some(d) = super::defence::check(&file).first() {
            return Err(format!(
                "its code would define {} twice in module `{}`",
                d.what, d.module
            ));
        }
    }
    Ok(tokens)
}

/// An operation of a normalised description: its path and method.
type Op = (String, String);

/// Every operation of `doc`, in order.
fn operations(doc: &Value) -> Vec<Op> {
    let mut out = Vec::new();
    for (path, item) in doc
        .get("paths")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        for method in item.as_object().into_iter().flatten().map(|(m, _)| m) {
            if crate::openapi::METHODS.contains(&method.as_str()) {
                out.push((path.clone(), method.clone()));
            }
        }
    }
    out
}

/// `doc` with only the operations listed (and the paths that hold them).
fn only(doc: &Value, ops: &[&Op]) -> Value {
    let mut out = doc.clone();
    if let Some(Value::Object(paths)) = out.get_mut("paths") {
        paths.retain(|path, item| {
            if let Value::Object(item) = item {
                item.retain(|m, _| {
                    !crate::openapi::METHODS.contains(&m.as_str())
                        || ops.iter().any(|(p, om)| p == path && om == m)
                });
            }
            ops.iter().any(|(p, _)| p == path)
        });
    }
    out
}

/// The operations of `candidates` that `generates` refuses beside `fixed`, found by halving:
/// a half that generates is cleared whole.
fn failing<'a>(
    doc: &Value,
    fixed: &[&'a Op],
    candidates: &[&'a Op],
    generates: &dyn Fn(&Value) -> bool,
) -> Vec<&'a Op> {
    let all: Vec<&Op> = fixed.iter().chain(candidates).copied().collect();
    if candidates.is_empty() || generates(&only(doc, &all)) {
        return Vec::new();
    }
    if let [one] = candidates {
        return vec![*one];
    }
    let (a, b) = candidates.split_at(candidates.len() / 2);
    let mut out = failing(doc, fixed, a, generates);
    out.extend(failing(doc, fixed, b, generates));
    out
}

/// Leaves out of `n` the operations no workflow calls that the client generator fails on,
/// and generates the rest: the tokens, and each operation left out (its pointer in the
/// description) with the generator's reason. `None` when that does not help.
pub fn leave_out_failing(
    n: &mut Normalised,
    used: &BTreeSet<String>,
) -> Option<(TokenStream, Vec<(String, String)>)> {
    let ops = operations(&n.doc);
    let pointer =
        |(path, method): &Op| crate::source::child(&crate::source::child("/paths", path), method);
    let (fixed, candidates): (Vec<&Op>, Vec<&Op>) =
        ops.iter().partition(|op| used.contains(&pointer(op)));
    if attempt(&only(&n.doc, &fixed), true).is_err() {
        return None;
    }
    let bad = failing(&n.doc, &fixed, &candidates, &|d| attempt(d, true).is_ok());
    if bad.is_empty() {
        return None;
    }
    let mut left_out = Vec::new();
    for op in &bad {
        let mut alone = fixed.clone();
        alone.push(op);
        let why = attempt(&only(&n.doc, &alone), true)
            .err()
            .unwrap_or_else(|| "only beside other operations".into());
        left_out.push((pointer(op), why));
    }
    let kept: Vec<&Op> = ops.iter().filter(|op| !bad.contains(op)).collect();
    let rest = only(&n.doc, &kept);
    let tokens = attempt(&rest, true).ok()?;
    n.doc = rest;
    Some((tokens, left_out))
}

/// The first operation that fails on its own, to name in the report.
pub fn culprit(n: &Normalised) -> Option<String> {
    let paths = n.doc.get("paths")?.as_object()?;
    for (path, item) in paths {
        for (method, op) in item.as_object()? {
            let mut one = n.doc.clone();
            let mut only = serde_json::Map::new();
            let mut single = serde_json::Map::new();
            single.insert(method.clone(), op.clone());
            only.insert(path.clone(), Value::Object(single));
            one["paths"] = Value::Object(only);
            if attempt(&one, false).is_err() {
                return op
                    .get("operationId")
                    .and_then(Value::as_str)
                    .map(str::to_string);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn halving_finds_each_operation_that_fails() {
        let ops: Vec<Op> = (0..9)
            .map(|i| (format!("/p{i}"), "get".to_string()))
            .collect();
        let paths: serde_json::Map<String, Value> = ops
            .iter()
            .map(|(p, _)| (p.clone(), json!({"get": {}, "parameters": []})))
            .collect();
        let doc = json!({ "paths": paths });
        // The generator refuses a document holding /p2 or /p7.
        let generates = |d: &Value| {
            let paths = d["paths"].as_object().expect("paths");
            !paths.contains_key("/p2") && !paths.contains_key("/p7")
        };
        let fixed = [&ops[0]];
        let candidates: Vec<&Op> = ops[1..].iter().collect();
        let bad = failing(&doc, &fixed, &candidates, &generates);
        assert_eq!(bad, [&ops[2], &ops[7]]);
        let kept: Vec<&Op> = ops.iter().filter(|o| !bad.contains(o)).collect();
        let rest = only(&doc, &kept);
        assert!(generates(&rest));
        assert_eq!(rest["paths"].as_object().map(|p| p.len()), Some(7));
        assert_eq!(operations(&rest).len(), 7);
    }
}
