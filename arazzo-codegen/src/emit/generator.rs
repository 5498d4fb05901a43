//! The client generator (Progenitor), run with its panics contained; and, with every
//! operation kept, leaving out the operations no workflow calls that it fails on.

use std::collections::BTreeSet;

use proc_macro2::TokenStream;
use quote::quote;
use serde_json::Value;

use crate::openapi::normalise::Normalised;

/// What the client generator made: the client's code and the crates it names.
pub struct Made {
    /// The client's code.
    pub tokens: TokenStream,
    /// The crates it names beyond those every file needs.
    pub needs: super::Needs,
}

/// Progenitor, with its panics contained.
pub fn run_progenitor(spec: &openapiv3::OpenAPI) -> Result<Made, String> {
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
        let mut generator = progenitor::Generator::new(&settings);
        let tokens = generator.generate_tokens(spec)?;
        let types = generator.get_type_space();
        let needs = super::Needs {
            chrono: types.uses_chrono(),
            uuid: types.uses_uuid(),
            regress: types.uses_regress(),
            futures: generator.uses_futures(),
        };
        Ok::<_, progenitor::Error>(Made { tokens, needs })
    }));
    std::panic::set_hook(previous);
    match result {
        Ok(Ok(made)) => Ok(made),
        Ok(Err(e)) => Err(e.to_string()),
        Err(payload) => Err(crate::builder::panic_message(payload.as_ref())),
    }
}

/// Why the client generator's output cannot be used.
pub struct Failure {
    /// What went wrong, in words.
    pub message: String,
    /// The types it would define twice in its `types` module.
    pub doubled_types: Vec<String>,
}

impl From<String> for Failure {
    fn from(message: String) -> Self {
        Failure {
            message,
            doubled_types: Vec::new(),
        }
    }
}

/// The client generator's tokens for a normalised description; with `checked`, also refused
/// when they define a name twice (see [`super::defence`]).
pub fn attempt(doc: &Value, checked: bool) -> Result<Made, Failure> {
    let spec: openapiv3::OpenAPI = serde_json::from_value(doc.clone())
        .map_err(|e| format!("the normalised description does not load: {e}"))?;
    let made = run_progenitor(&spec)?;
    if checked {
        let file: syn::File = syn::parse2(made.tokens.clone())
            .map_err(|e| format!("its code does not parse: {e}"))?;
        let doubled = super::defence::check(&file);
        if let Some(d) = doubled.first() {
            return Err(Failure {
                message: format!(
                    "its code would define {} twice in module `{}`",
                    d.what, d.module
                ),
                doubled_types: doubled
                    .iter()
                    .filter(|d| d.module == "types")
                    .filter_map(|d| d.type_name.clone())
                    .collect(),
            });
        }
    }
    Ok(made)
}

/// How many components may be renamed away from types the client generator derives.
const RENAMES: usize = 8;

/// A change [`generate`] made to a component so that the generated names are distinct.
pub enum NameFix {
    /// The component (old name) is generated under another name (new).
    Renamed(String, String),
    /// The component makes two types of one name itself, so it is read as untyped JSON.
    Untyped(String),
}

/// The client generator's tokens for `n`, checked for doubled names. A component whose type
/// name the generator also gives a type it derives (from an `allOf` merge, say) is renamed,
/// and the generator run again; one that makes two types of its own name is read as untyped
/// JSON. Each change is added to `fixes`.
pub fn generate(n: &mut Normalised, fixes: &mut Vec<NameFix>) -> Result<Made, String> {
    let fold = crate::openapi::typenames::fold;
    let mut last = String::new();
    // The components renamed in the round before: (old, new).
    let mut just_renamed: Vec<(String, String)> = Vec::new();
    for _ in 0..=RENAMES {
        let failure = match attempt(&n.doc, true) {
            Ok(made) => {
                fixes.extend(
                    just_renamed
                        .into_iter()
                        .map(|(o, n)| NameFix::Renamed(o, n)),
                );
                return Ok(made);
            }
            Err(f) => f,
        };
        if failure.doubled_types.is_empty() {
            return Err(failure.message);
        }
        let mut renamed_now = Vec::new();
        for t in &failure.doubled_types {
            // The type follows a component just renamed: the component makes both.
            if let Some(i) = just_renamed
                .iter()
                .position(|(_, new)| fold(new) == fold(t))
            {
                let (old, new) = just_renamed.remove(i);
                if !crate::openapi::normalise::untype_schema(&mut n.doc, &new, &old) {
                    return Err(failure.message);
                }
                fixes.push(NameFix::Untyped(old));
            } else {
                match crate::openapi::normalise::rename_schema_typed(&mut n.doc, t) {
                    Some(r) => renamed_now.push(r),
                    None => return Err(failure.message),
                }
            }
        }
        fixes.extend(
            just_renamed
                .into_iter()
                .map(|(o, n)| NameFix::Renamed(o, n)),
        );
        just_renamed = renamed_now;
        last = failure.message;
    }
    Err(last)
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
) -> Option<(Made, Vec<(String, String)>)> {
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
            .map_or_else(|| "only beside other operations".into(), |f| f.message);
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
    operations(&n.doc)
        .iter()
        .find(|op| attempt(&only(&n.doc, &[*op]), false).is_err())
        .and_then(|(path, method)| {
            n.doc
                .get("paths")?
                .get(path)?
                .get(method)?
                .get("operationId")
        })
        .and_then(Value::as_str)
        .map(str::to_string)
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
