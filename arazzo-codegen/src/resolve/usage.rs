//! What a step uses of the operation it calls: the parts of the response its outputs,
//! criteria and actions read, and the parts of the request body its payload and replacements
//! set. Lean client types are cut down to these, and a step builds only what it reads of its
//! response.

use super::{BodyIr, CriterionIr, StepIr, TestIr, ValueIr};
use crate::criteria::{Cond, Nav};
use crate::expr::{Expr, MessagePart, Pointer};
use crate::openapi::normalise::{OperationUse, Used};

/// What `step` uses of its operation's responses and request body.
pub fn operation_use(step: &StepIr) -> OperationUse {
    let mut u = OperationUse::default();
    for o in &step.outputs {
        if let Some(e) = &o.expr {
            read(&mut u.response, e, &[]);
        }
    }
    let actions = step.on_success.iter().chain(&step.on_failure);
    for c in step
        .criteria
        .iter()
        .chain(actions.flat_map(|a| a.criteria.iter()))
    {
        criterion(&mut u.response, c);
    }
    if let Some(body) = &step.body {
        u.body = set(body);
    }
    u
}

/// Marks what `e` reads of the response body, followed by `then` (member names or indices).
fn read(used: &mut Used, e: &Expr, then: &[String]) {
    if let Expr::Response(MessagePart::Body(pointer)) = e {
        let mut path: Vec<String> = pointer.as_ref().map(|p| p.0.clone()).unwrap_or_default();
        path.extend(then.iter().cloned());
        used.add(&path);
    }
}

fn criterion(used: &mut Used, c: &CriterionIr) {
    match &c.test {
        TestIr::Simple(cond) => condition(used, cond),
        // The text matched is the whole value.
        TestIr::Regex { context, .. } => read(used, context, &[]),
        TestIr::Path { context, path, .. } => read(used, context, path),
        // A query may select anything below its context.
        TestIr::Query { context, .. } => read(used, context, &[]),
        TestIr::Built { context, parts, .. } => {
            read(used, context, &[]);
            for p in parts {
                if let crate::expr::Segment::Expr(e, _) = p {
                    read(used, e, &[]);
                }
            }
        }
    }
}

fn condition(used: &mut Used, c: &Cond) {
    match c {
        Cond::Lit(_) => {}
        Cond::Expr(e, _, navs) => {
            let then: Vec<String> = navs
                .iter()
                .map(|n| match n {
                    Nav::Member(m) => m.clone(),
                    Nav::Index(i) => i.to_string(),
                })
                .collect();
            read(used, e, &then);
        }
        Cond::Not(a) => condition(used, a),
        Cond::And(a, b) | Cond::Or(a, b) | Cond::Cmp(a, _, b) => {
            condition(used, a);
            condition(used, b);
        }
    }
}

/// What a payload and its replacements set: the members of object literals, each value
/// whole; a payload that is not an object literal sets the whole body.
fn set(body: &BodyIr) -> Used {
    let mut used = Used::default();
    match &body.payload {
        None => {}
        Some(ValueIr::Object(members)) => members_set(&mut used, &[], members),
        Some(_) => used.add(&[]),
    }
    for (target, _) in &body.replacements {
        match Pointer::parse(target) {
            Ok(p) => used.add(&p.0),
            Err(_) => used.add(&[]),
        }
    }
    used
}

fn members_set(used: &mut Used, at: &[String], members: &[(String, ValueIr)]) {
    for (name, value) in members {
        let mut path = at.to_vec();
        path.push(name.clone());
        match value {
            ValueIr::Object(inner) if !inner.is_empty() => members_set(used, &path, inner),
            _ => used.add(&path),
        }
    }
}
