//! The names of a workflow function's locals, made from step ids: `get_customer` holds that
//! step's exchange, `get_customer_name` its output `name`, `key_for_get_customer` its
//! idempotency key. Every name is distinct from the others and from the names the function uses besides
//! (its parameters, its own locals, the functions it calls); a step whose names would collide
//! falls back to `step_<n>` names.

use std::collections::BTreeSet;

use proc_macro2::Ident;
use quote::format_ident;

use crate::model::Step;
use crate::names::{self, Case};

/// Names the generated function uses besides the steps' locals.
const FIXED: &[&str] = &[
    "inputs",
    "clients",
    "run",
    "visit",
    "failed",
    "steps_run",
    "next",
    "attempts",
    "last_status",
    // Closure parameters of regex and JSONPath criteria.
    "re",
    "p",
];

/// The locals of one workflow function.
#[derive(Clone, Debug, Default)]
pub(super) struct Locals {
    /// The stem of each step's names, by step index.
    stems: Vec<String>,
}

impl Locals {
    /// Names for the steps of a workflow whose function also uses the names `reserved`.
    pub(super) fn new(steps: &[Step], reserved: &[String]) -> Self {
        let mut taken: BTreeSet<String> = FIXED.iter().map(|s| s.to_string()).collect();
        taken.extend(reserved.iter().cloned());
        let mut stems = Vec::new();
        for (si, step) in steps.iter().enumerate() {
            // (A step id that starts with a digit gets a word first: an identifier cannot.)
            let own = match suffix(&step.step_id) {
                s if s.starts_with(|c: char| c.is_ascii_digit()) => format!("step_{s}"),
                s => s,
            };
            let fallback = format!("step_{si}");
            let candidates = [own, fallback.clone(), format!("{fallback}_")];
            let chosen = candidates
                .iter()
                .find(|stem| {
                    let names = Self::names_of(stem, step);
                    names.iter().all(|n| !taken.contains(n))
                })
                .cloned()
                .unwrap_or_else(|| format!("{fallback}_{}", taken.len()));
            taken.extend(Self::names_of(&chosen, step));
            stems.push(chosen);
        }
        Locals { stems }
    }

    /// Every name a step with this stem may take.
    fn names_of(stem: &str, step: &Step) -> Vec<String> {
        let mut out = vec![
            stem.to_string(),
            format!("body_sent_by_{stem}"),
            format!("key_for_{stem}"),
            format!("status_of_{stem}"),
        ];
        for name in step.outputs.keys() {
            out.push(joined(stem, name));
        }
        out
    }

    fn stem(&self, si: usize) -> String {
        self.stems
            .get(si)
            .cloned()
            .unwrap_or_else(|| format!("step_{si}"))
    }

    /// The exchange of step `si`.
    pub(super) fn exchange(&self, si: usize) -> Ident {
        format_ident!("{}", self.stem(si))
    }

    /// Output `name` of step `si`.
    pub(super) fn output(&self, si: usize, name: &str) -> Ident {
        format_ident!("{}", joined(&self.stem(si), name))
    }

    /// The request body step `si` sent, kept for `$request.body`.
    pub(super) fn request_body(&self, si: usize) -> Ident {
        format_ident!("body_sent_by_{}", self.stem(si))
    }

    /// The idempotency key of step `si`'s request.
    pub(super) fn key(&self, si: usize) -> Ident {
        format_ident!("key_for_{}", self.stem(si))
    }

    /// The status a called workflow returned to step `si`.
    pub(super) fn status(&self, si: usize) -> Ident {
        format_ident!("status_of_{}", self.stem(si))
    }
}

/// A name in snake case as a plain identifier: a keyword gets a trailing `_`.
fn snake(name: &str) -> String {
    let id = names::ident(name, Case::Snake);
    match id.strip_prefix("r#") {
        Some(k) => format!("{k}_"),
        None => id,
    }
}

/// The local of output `name` of the step whose names start with `stem`: one `_` between
/// them, whatever either ends or starts with (`type_` and `204 No Content` give
/// `type_204_no_content`).
fn joined(stem: &str, name: &str) -> String {
    format!("{}_{}", stem.trim_end_matches('_'), suffix(name))
}

/// A name as the end of a snake-case identifier: without the leading `_` an identifier that
/// starts with a digit takes (`204 No Content` gives `_204_no_content`), so that joining it
/// after `_` does not make two in a row, which is not snake case.
fn suffix(name: &str) -> String {
    let s = snake(name);
    let trimmed = s.trim_start_matches('_');
    if trimmed.is_empty() {
        "output".to_string()
    } else {
        trimmed.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(id: &str, outputs: &[&str]) -> Step {
        let outputs: serde_json::Map<String, serde_json::Value> = outputs
            .iter()
            .map(|o| (o.to_string(), serde_json::Value::from("$statusCode")))
            .collect();
        serde_json::from_value(serde_json::json!({
            "stepId": id, "operationId": "x", "outputs": outputs
        }))
        .expect("a step")
    }

    #[test]
    fn locals_are_named_from_step_ids() {
        let l = Locals::new(&[step("get-customer", &["customerName"])], &[]);
        assert_eq!(l.exchange(0), "get_customer");
        assert_eq!(l.output(0, "customerName"), "get_customer_customer_name");
        assert_eq!(l.key(0), "key_for_get_customer");
    }

    #[test]
    fn an_output_name_starting_with_a_digit_makes_a_snake_case_local() {
        let l = Locals::new(
            &[
                step("pause", &["204 No Content"]),
                step("4od-get", &["x"]),
                step("type", &["name"]),
            ],
            &[],
        );
        assert_eq!(l.output(0, "204 No Content"), "pause_204_no_content");
        assert_eq!(l.exchange(1), "step_4od_get");
        assert_eq!(l.request_body(1), "body_sent_by_step_4od_get");
        assert_eq!(l.output(2, "name"), "type_name");
    }

    #[test]
    fn colliding_names_fall_back_to_step_numbers() {
        let steps = [
            step("a", &["key"]),
            step("a_key", &[]),
            step("a-b", &[]),
            step("A", &["b"]),
            step("inputs", &[]),
            step("type", &[]),
            step("adopt", &[]),
            step("step_1", &[]),
            step("run", &[]),
            step("visit", &[]),
        ];
        let l = Locals::new(&steps, &["adopt".to_string()]);
        assert_eq!(l.exchange(0), "a");
        // `a_key` is the output `key` of step `a`.
        assert_eq!(l.exchange(1), "step_1");
        assert_eq!(l.exchange(2), "a_b");
        // `a` again; and with it, its output `b` would be `a_b`.
        assert_eq!(l.exchange(3), "step_3");
        assert_eq!(l.exchange(4), "step_4");
        assert_eq!(l.exchange(5), "type_");
        assert_eq!(l.exchange(6), "step_6");
        // `step_1` is taken by the second step.
        assert_eq!(l.exchange(7), "step_7");
        // `run` and `visit` are the run and the step's visit.
        assert_eq!(l.exchange(8), "step_8");
        assert_eq!(l.exchange(9), "step_9");
    }
}
