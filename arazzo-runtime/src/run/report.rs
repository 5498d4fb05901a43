//! What a run did: every step visit with its status, attempts, duration, the action taken and
//! its outputs.

use std::time::Duration;

use serde::Serialize;
use serde_json::{Map, Value};

use crate::Error;

/// A run's result and its report (what `<workflow>::run` returns).
#[derive(Debug)]
pub struct Reported<T> {
    /// The workflow's outputs, or why it stopped.
    pub result: Result<T, Error>,
    /// Every step that ran.
    pub report: Report,
}

impl<T> Reported<T> {
    /// The result alone.
    pub fn into_result(self) -> Result<T, Error> {
        self.result
    }

    /// The same report with the outputs mapped by `f`.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Reported<U> {
        Reported {
            result: self.result.map(f),
            report: self.report,
        }
    }
}

/// Every step visit of a run, in the order the steps started.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Report {
    /// The run key, when one was given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub run_key: Option<String>,
    /// How long the run took.
    #[serde(serialize_with = "millis")]
    pub duration: Duration,
    /// The steps, in the order they started (a step run again by a `goto` is listed again;
    /// one repeated by a `retry` action is one entry with more attempts).
    pub steps: Vec<StepReport>,
}

/// One visit of a step.
#[derive(Clone, Debug, Serialize)]
pub struct StepReport {
    /// The id of the workflow the step is in.
    pub workflow: &'static str,
    /// The step's id.
    pub step: &'static str,
    /// Which visit of the step in the run this is, from 1.
    pub visit: u32,
    /// How many times the step was attempted in this visit (its `retry` actions), from 1.
    pub attempts: u32,
    /// Requests sent, transport retries included (0 for a step that calls a workflow).
    pub requests: u32,
    /// The last response's status (none for a step that calls a workflow, or that got none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// Whether the API said it replayed an earlier response for the request's idempotency
    /// key (an `Idempotent-Replayed: true` header, as Stripe sends).
    pub replayed: bool,
    /// Time spent in the step, every attempt and wait included.
    #[serde(serialize_with = "millis")]
    pub duration: Duration,
    /// What the workflow did next.
    pub action: Action,
    /// The step's outputs by name, as JSON (see [`StepOutputs`] for a typed view).
    pub outputs: Map<String, Value>,
    /// Why the run stopped here, when it did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// What a workflow did after a step.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "target", rename_all = "camelCase")]
pub enum Action {
    /// Went on to the next step.
    Next,
    /// Ended the workflow.
    End,
    /// Went to the step with this id.
    GotoStep(&'static str),
    /// Went to the workflow with this id.
    GotoWorkflow(&'static str),
    /// Ran the step again (a `retry` action).
    Retry,
    /// Stopped the run with an error.
    Fail,
    /// The run stopped (its deadline, or its future was dropped) while the step ran.
    Unfinished,
}

/// A step's outputs as a typed value: the generator writes one such type per step that has
/// outputs, in the workflow's `steps` module.
pub trait StepOutputs: serde::de::DeserializeOwned {
    /// The id of the workflow the step is in.
    const WORKFLOW: &'static str;
    /// The step's id.
    const STEP: &'static str;
}

impl Report {
    /// Whether any step's response was replayed for its idempotency key: the run repeated
    /// work an earlier run with the same run key had done.
    pub fn replayed(&self) -> bool {
        self.steps.iter().any(|s| s.replayed)
    }

    /// The visits of step `step` of workflow `workflow`, in order.
    pub fn visits<'a>(
        &'a self,
        workflow: &'a str,
        step: &'a str,
    ) -> impl Iterator<Item = &'a StepReport> + 'a {
        self.steps
            .iter()
            .filter(move |s| s.workflow == workflow && s.step == step)
    }

    /// The typed outputs of the last visit of a step, when it ran and read them; an error
    /// when they do not fit the type (which the generated types rule out).
    pub fn outputs<T: StepOutputs>(&self) -> Option<Result<T, serde_json::Error>> {
        let last = self.visits(T::WORKFLOW, T::STEP).last()?;
        Some(serde_json::from_value(Value::Object(last.outputs.clone())))
    }
}

fn millis<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64(d.as_secs_f64() * 1000.0)
}
