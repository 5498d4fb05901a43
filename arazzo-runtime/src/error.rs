//! Why a workflow stopped.

use std::fmt;

/// Why a workflow stopped. Every generated workflow function in a crate returns this type,
/// whichever document it comes from.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// An input the workflow needs was not given.
    MissingInput {
        /// The input's name.
        input: &'static str,
    },
    /// `run_workflow` was asked for a workflow that has no function.
    UnknownWorkflow {
        /// The id asked for.
        workflow: String,
    },
    /// `run_workflow` was given inputs that do not fit the workflow's `Inputs`.
    Inputs {
        /// Why they do not fit.
        cause: String,
    },
    /// The workflow ran more steps than its budget allows (a `goto` loop that did not end).
    StepBudget {
        /// The budget.
        limit: u32,
    },
    /// A step's request could not be built, sent, or its response read.
    Request {
        /// The step's id.
        step: &'static str,
        /// What went wrong.
        cause: String,
    },
    /// A step's response did not meet its success criteria.
    Failed {
        /// The step's id.
        step: &'static str,
        /// The criterion that did not hold, as written.
        criterion: &'static str,
        /// The response's status.
        status: u16,
        /// The response's body, when it had one.
        body: Option<serde_json::Value>,
    },
    /// A step that calls a workflow: the workflow's outputs did not meet the step's success
    /// criteria.
    Unmet {
        /// The step's id.
        step: &'static str,
        /// The criterion that did not hold, as written.
        criterion: &'static str,
        /// The called workflow's outputs.
        outputs: serde_json::Value,
    },
    /// A step's response lacks an output the workflow needs, or holds one of another type.
    Output {
        /// The step's id.
        step: &'static str,
        /// The output's name.
        output: &'static str,
        /// What is wrong with it.
        cause: String,
    },
    /// A step's attempt took longer than the step timeout.
    Timeout {
        /// The step's id.
        step: &'static str,
        /// The timeout.
        after: std::time::Duration,
    },
    /// A step depends on (Arazzo 1.1 `dependsOn`) a step that has not finished in this run.
    Dependency {
        /// The step's id.
        step: &'static str,
        /// The step it depends on, as the document names it.
        needs: &'static str,
    },
    /// The run took longer than its deadline.
    Deadline {
        /// The step that was running, if one was.
        step: Option<&'static str>,
        /// The deadline.
        after: std::time::Duration,
    },
    /// The API refused the step's idempotency key: the key was used before with another
    /// request (a run key reused for different inputs), or a request with it is in progress.
    Idempotency {
        /// The step's id.
        step: &'static str,
        /// The response's status.
        status: u16,
        /// The response's body.
        body: Option<serde_json::Value>,
    },
}

impl Error {
    /// A short name of the error's kind, without data (safe to log): `failed`, `timeout`, …
    pub fn kind(&self) -> &'static str {
        match self {
            Error::MissingInput { .. } => "missing_input",
            Error::UnknownWorkflow { .. } => "unknown_workflow",
            Error::Inputs { .. } => "inputs",
            Error::StepBudget { .. } => "step_budget",
            Error::Request { .. } => "request",
            Error::Failed { .. } => "failed",
            Error::Unmet { .. } => "unmet",
            Error::Output { .. } => "output",
            Error::Timeout { .. } => "timeout",
            Error::Dependency { .. } => "dependency",
            Error::Deadline { .. } => "deadline",
            Error::Idempotency { .. } => "idempotency",
        }
    }

    /// The id of the step that failed, if a step failed.
    pub fn step(&self) -> Option<&'static str> {
        match self {
            Error::MissingInput { .. }
            | Error::StepBudget { .. }
            | Error::UnknownWorkflow { .. }
            | Error::Inputs { .. } => None,
            Error::Request { step, .. }
            | Error::Failed { step, .. }
            | Error::Unmet { step, .. }
            | Error::Output { step, .. }
            | Error::Timeout { step, .. }
            | Error::Dependency { step, .. }
            | Error::Idempotency { step, .. } => Some(step),
            Error::Deadline { step, .. } => *step,
        }
    }

    /// The status of the response that failed the workflow, if one did.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Failed { status, .. } | Error::Idempotency { status, .. } => Some(*status),
            _ => None,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::MissingInput { input } => write!(f, "the input `{input}` is missing"),
            Error::UnknownWorkflow { workflow } => {
                write!(f, "there is no function for workflow `{workflow}`")
            }
            Error::Inputs { cause } => write!(f, "the inputs do not fit: {cause}"),
            Error::StepBudget { limit } => {
                write!(
                    f,
                    "the workflow ran {limit} steps without ending (its step budget)"
                )
            }
            Error::Request { step, cause } => write!(f, "step `{step}`: {cause}"),
            Error::Failed {
                step,
                criterion,
                status,
                ..
            } => write!(
                f,
                "step `{step}`: status {status}; `{criterion}` does not hold"
            ),
            Error::Unmet {
                step, criterion, ..
            } => write!(
                f,
                "step `{step}`: the called workflow's outputs do not meet `{criterion}`"
            ),
            Error::Output {
                step,
                output,
                cause,
            } => write!(f, "step `{step}`: output `{output}`: {cause}"),
            Error::Timeout { step, after } => {
                write!(f, "step `{step}`: no answer within {} ms (its step timeout)", after.as_millis())
            }
            Error::Dependency { step, needs } => write!(
                f,
                "step `{step}` depends on `{needs}`, which has not finished in this run"
            ),
            Error::Deadline { step: Some(step), after } => write!(
                f,
                "step `{step}`: the run's deadline ({} ms) passed",
                after.as_millis()
            ),
            Error::Deadline { step: None, after } => {
                write!(f, "the run's deadline ({} ms) passed", after.as_millis())
            }
            Error::Idempotency { step, status, .. } => write!(
                f,
                "step `{step}`: status {status}; the API refused the idempotency key (was the run key used before with other inputs?)"
            ),
        }
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::Error;

    #[test]
    fn a_failed_step_names_step_status_and_criterion() {
        let e = Error::Failed {
            step: "create",
            criterion: "$statusCode == 200",
            status: 402,
            body: None,
        };
        assert_eq!(e.step(), Some("create"));
        assert_eq!(e.status(), Some(402));
        assert_eq!(
            e.to_string(),
            "step `create`: status 402; `$statusCode == 200` does not hold"
        );
    }

    #[test]
    fn errors_outside_steps_name_no_step() {
        let e = Error::MissingInput { input: "id" };
        assert_eq!(e.step(), None);
        assert_eq!(e.status(), None);
        assert_eq!(e.to_string(), "the input `id` is missing");
        let e = Error::Output {
            step: "read",
            output: "name",
            cause: "missing".into(),
        };
        assert_eq!(e.step(), Some("read"));
        assert_eq!(e.to_string(), "step `read`: output `name`: missing");
    }
}
