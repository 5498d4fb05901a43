//! What resolution keeps of a workflow for the phases after it: each criterion, output and
//! action parsed once, with the repairs the checker reported applied, and every reference
//! resolved. Code generation reads these instead of the document's text.

use crate::criteria::{CmpOp, Cond, Literal};
use crate::expr::{Expr, Segment};

/// A success criterion, or a criterion of an action.
#[derive(Clone, Debug)]
pub struct CriterionIr {
    /// The condition as written, for error messages.
    pub text: String,
    /// What it tests.
    pub test: TestIr,
}

/// What a criterion tests.
#[derive(Clone, Debug)]
pub enum TestIr {
    /// A simple condition.
    Simple(Cond),
    /// A regular expression over the context's text.
    Regex {
        /// The value matched.
        context: Expr,
        /// The pattern (checked to compile).
        pattern: String,
    },
    /// A JSONPath of member and index steps, with an optional comparison.
    Path {
        /// The value the path starts from.
        context: Expr,
        /// The steps.
        path: Vec<String>,
        /// The comparison, if any: without one the criterion holds when the path finds a value.
        comparison: Option<(CmpOp, Literal)>,
    },
    /// A full RFC 9535 query (filters, wildcards): it holds when it selects anything.
    Query {
        /// The value queried.
        context: Expr,
        /// The query (checked to parse).
        query: String,
    },
    /// Arazzo 1.1: a regex or a JSONPath query with `{$…}` expressions embedded, built when
    /// the criterion is tested; one that then does not compile fails the criterion.
    Built {
        /// A regular expression (else a JSONPath query).
        regex: bool,
        /// The value matched or queried.
        context: Expr,
        /// The text, literal pieces and expressions.
        parts: Vec<Segment>,
    },
}

/// A success or failure action, a reusable one replaced by the action it names.
#[derive(Clone, Debug)]
pub struct ActionIr {
    /// What it does.
    pub kind: ActionKind,
    /// The criteria that must all hold for it to apply.
    pub criteria: Vec<CriterionIr>,
}

/// What an action does.
#[derive(Clone, Debug, PartialEq)]
pub enum ActionKind {
    /// Ends the workflow (on success), or lets the failure that follows end it.
    End,
    /// Goes to a step of the workflow, by index.
    GotoStep(usize),
    /// Passes control to a workflow, which runs on the same inputs, or (1.1) on the inputs
    /// the action's `parameters` give; this one then ends.
    GotoWorkflow(WorkflowCall),
    /// Runs a step again (by index; the failing step itself when `None`), after running a
    /// workflow first when one is named.
    Retry {
        /// The step to run.
        step: Option<usize>,
        /// The workflow run before the step is tried again (the step is the failing one).
        workflow: Option<WorkflowCall>,
        /// How many times, at most (default 1).
        limit: u64,
        /// Seconds to wait unless the response says (default 0).
        after: f64,
    },
}

/// A workflow an action runs: on the same inputs as the workflow the action is in, or on
/// those the action's `parameters` give.
#[derive(Clone, Debug, PartialEq)]
pub struct WorkflowCall {
    /// The document.
    pub doc: usize,
    /// The workflow.
    pub workflow: usize,
    /// Its id, as written.
    pub id: String,
    /// 1.1: the inputs given, each with the pointer of its value; none: the same inputs.
    pub inputs: Vec<(String, ValueIr, String)>,
}

/// A step's or workflow's output: its name and the expression it reads.
#[derive(Clone, Debug)]
pub struct OutputIr {
    /// The output's name.
    pub name: String,
    /// The expression, repaired as the checker reported; `None` when the value is not one
    /// expression (a template, say), which code generation cannot read.
    pub expr: Option<Expr>,
    /// 1.1: a JSONPath selector that may select several values (checked to parse): the output
    /// is the list of what it selects in the value `expr` reads (the response body).
    pub query: Option<String>,
}

/// A value fed into a request (a parameter's value, a payload, a replacement), as the checker
/// read it: every string that holds a runtime expression parsed, with the repairs it reported
/// applied.
#[derive(Clone, Debug, PartialEq)]
pub enum ValueIr {
    /// `null`, a boolean or a number.
    Const(serde_json::Value),
    /// A constant string.
    Text(String),
    /// A string that is one runtime expression.
    Expr(Expr),
    /// A string with `{$…}` expressions embedded.
    Template(Vec<Segment>),
    /// An object, its members in order.
    Object(Vec<(String, ValueIr)>),
    /// An array.
    Array(Vec<ValueIr>),
}

/// A step's request body: its payload and replacements, as read.
#[derive(Clone, Debug, PartialEq)]
pub struct BodyIr {
    /// The payload.
    pub payload: Option<ValueIr>,
    /// Each replacement's target pointer and value, in order.
    pub replacements: Vec<(String, ValueIr)>,
}
