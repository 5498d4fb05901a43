//! The serde model of an Arazzo 1.0.x or 1.1.x document. The fields 1.1 added are read from
//! 1.1 documents only: in a 1.0 document they are unknown fields (warned about, then ignored),
//! as they were before 1.1 existed.
//!
//! Every object keeps its `x-` extensions. Fields the specification does not define are kept
//! with them and reported as warnings (see `fields`); they never fail a parse.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Specification extensions (`x-…`) and any unknown fields of an object.
pub type Extensions = BTreeMap<String, Value>;

/// The root of an Arazzo document.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Document {
    /// The Arazzo version: `1.0.x` or `1.1.x`.
    pub arazzo: String,
    /// 1.1: the document's own URI (its identity, and the base of its relative references).
    #[serde(default, rename = "$self")]
    pub self_uri: Option<String>,
    /// Metadata about the workflows.
    pub info: Info,
    /// The API descriptions and Arazzo documents the workflows use.
    pub source_descriptions: Vec<SourceDescription>,
    /// The workflows.
    pub workflows: Vec<Workflow>,
    /// Reusable objects.
    #[serde(default)]
    pub components: Option<Components>,
    /// Extensions.
    #[serde(flatten)]
    pub extensions: Extensions,
}

/// Metadata about the document.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Info {
    /// A human-readable title.
    pub title: String,
    /// A short summary.
    #[serde(default)]
    pub summary: Option<String>,
    /// A description (CommonMark).
    #[serde(default)]
    pub description: Option<String>,
    /// The document's version.
    pub version: String,
    /// Extensions.
    #[serde(flatten)]
    pub extensions: Extensions,
}

/// The kind of a source description.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SourceType {
    /// An OpenAPI description.
    Openapi,
    /// Another Arazzo document.
    Arazzo,
    /// 1.1: an AsyncAPI description.
    Asyncapi,
}

/// A source description: an OpenAPI description or an Arazzo document the workflows use.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SourceDescription {
    /// The name by which expressions refer to it.
    pub name: String,
    /// Where it is: a URL or a path relative to this document.
    pub url: String,
    /// What it is; the specification lets it be omitted.
    #[serde(default, rename = "type")]
    pub kind: Option<SourceType>,
    /// Extensions.
    #[serde(flatten)]
    pub extensions: Extensions,
}

/// A workflow.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Workflow {
    /// Its id, unique within the document.
    pub workflow_id: String,
    /// A short summary.
    #[serde(default)]
    pub summary: Option<String>,
    /// A description.
    #[serde(default)]
    pub description: Option<String>,
    /// The inputs, as a JSON Schema.
    #[serde(default)]
    pub inputs: Option<Value>,
    /// Workflows that must run first.
    #[serde(default)]
    pub depends_on: Vec<String>,
    /// The steps, in order.
    pub steps: Vec<Step>,
    /// Actions when the workflow succeeds.
    #[serde(default)]
    pub success_actions: Vec<Action>,
    /// Actions when the workflow fails.
    #[serde(default)]
    pub failure_actions: Vec<Action>,
    /// Outputs, by name: runtime expressions.
    #[serde(default)]
    pub outputs: BTreeMap<String, Value>,
    /// Parameters applied to every step.
    #[serde(default)]
    pub parameters: Vec<Parameter>,
    /// Extensions.
    #[serde(flatten)]
    pub extensions: Extensions,
}

/// A step of a workflow.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Step {
    /// Its id, unique within the workflow.
    pub step_id: String,
    /// A description.
    #[serde(default)]
    pub description: Option<String>,
    /// The operation to call, by operationId.
    #[serde(default)]
    pub operation_id: Option<String>,
    /// The operation to call, by a JSON pointer into a source.
    #[serde(default)]
    pub operation_path: Option<String>,
    /// The workflow to call.
    #[serde(default)]
    pub workflow_id: Option<String>,
    /// 1.1: the AsyncAPI channel to send to or receive from, by a JSON pointer into a source.
    #[serde(default)]
    pub channel_path: Option<String>,
    /// 1.1: `send` or `receive`, for an AsyncAPI step.
    #[serde(default)]
    pub action: Option<String>,
    /// 1.1: the correlation id a received message must carry.
    #[serde(default)]
    pub correlation_id: Option<String>,
    /// 1.1: the longest the step may take, in milliseconds.
    #[serde(default)]
    pub timeout: Option<u64>,
    /// 1.1: steps that must be done before this one (`None` when the field is absent).
    #[serde(default)]
    pub depends_on: Option<Vec<String>>,
    /// Parameters of the operation or the workflow.
    #[serde(default)]
    pub parameters: Vec<Parameter>,
    /// The request body.
    #[serde(default)]
    pub request_body: Option<RequestBody>,
    /// Conditions that must all hold for the step to succeed.
    #[serde(default)]
    pub success_criteria: Vec<Criterion>,
    /// Actions when the step succeeds.
    #[serde(default)]
    pub on_success: Vec<Action>,
    /// Actions when the step fails.
    #[serde(default)]
    pub on_failure: Vec<Action>,
    /// Outputs, by name: runtime expressions.
    #[serde(default)]
    pub outputs: BTreeMap<String, Value>,
    /// Extensions.
    #[serde(flatten)]
    pub extensions: Extensions,
}

/// A parameter, or a Reusable Object that refers to one in the components.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Parameter {
    /// The parameter's name (absent on a reusable reference).
    #[serde(default)]
    pub name: Option<String>,
    /// Where it goes: `path`, `query`, `header` or `cookie`.
    #[serde(default, rename = "in")]
    pub location: Option<String>,
    /// The value: a constant or a runtime expression.
    #[serde(default)]
    pub value: Option<Value>,
    /// A `$components.parameters.…` reference.
    #[serde(default)]
    pub reference: Option<String>,
    /// Extensions.
    #[serde(flatten)]
    pub extensions: Extensions,
}

/// A request body.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestBody {
    /// The media type.
    #[serde(default)]
    pub content_type: Option<String>,
    /// The payload, of any shape; strings may be runtime expressions.
    #[serde(default)]
    pub payload: Option<Value>,
    /// Values to put into the payload at JSON pointers.
    #[serde(default)]
    pub replacements: Vec<PayloadReplacement>,
    /// Extensions.
    #[serde(flatten)]
    pub extensions: Extensions,
}

/// A value to put into a payload.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PayloadReplacement {
    /// A JSON pointer (or XPath, or 1.1 JSONPath) into the payload.
    pub target: String,
    /// 1.1: how `target` is written.
    #[serde(default)]
    pub target_selector_type: Option<CriterionType>,
    /// The value: a constant or a runtime expression.
    pub value: Value,
    /// Extensions.
    #[serde(flatten)]
    pub extensions: Extensions,
}

/// The Arazzo versions read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Version {
    /// 1.0.0 and 1.0.1.
    V1_0,
    /// 1.1.x.
    V1_1,
}

impl Version {
    /// The version a document's `arazzo` field names, if it is one this generator reads.
    pub fn of(arazzo: &str) -> Option<Version> {
        let patch = |rest: &str| {
            let number = rest.split('-').next().unwrap_or(rest);
            !number.is_empty() && number.bytes().all(|b| b.is_ascii_digit())
        };
        if let Some(rest) = arazzo.strip_prefix("1.0.") {
            return patch(rest).then_some(Version::V1_0);
        }
        if let Some(rest) = arazzo.strip_prefix("1.1.") {
            return patch(rest).then_some(Version::V1_1);
        }
        None
    }
}

impl Workflow {
    /// Whether it or a step of it has success or failure actions: then its steps may be
    /// skipped or repeated.
    pub fn has_actions(&self) -> bool {
        !self.success_actions.is_empty()
            || !self.failure_actions.is_empty()
            || self
                .steps
                .iter()
                .any(|s| !s.on_success.is_empty() || !s.on_failure.is_empty())
    }
}

impl Document {
    /// The document's version (1.0 for a version string this generator would not read).
    pub fn version(&self) -> Version {
        Version::of(&self.arazzo).unwrap_or(Version::V1_0)
    }
}

/// The type of a criterion: a name, or a name with a version.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(untagged)]
pub enum CriterionType {
    /// `simple`, `regex`, `jsonpath` or `xpath`.
    Name(String),
    /// A Criterion Expression Type Object.
    Versioned {
        /// `jsonpath` or `xpath`.
        #[serde(rename = "type")]
        kind: String,
        /// The dialect's version.
        version: String,
    },
}

impl CriterionType {
    /// The type's name.
    pub fn name(&self) -> &str {
        match self {
            CriterionType::Name(n) => n,
            CriterionType::Versioned { kind, .. } => kind,
        }
    }
}

/// A success criterion.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Criterion {
    /// The runtime expression the condition applies to (required for non-simple types).
    #[serde(default)]
    pub context: Option<String>,
    /// The condition.
    pub condition: String,
    /// The condition language; `simple` when absent.
    #[serde(default, rename = "type")]
    pub kind: Option<CriterionType>,
    /// Extensions.
    #[serde(flatten)]
    pub extensions: Extensions,
}

/// A success or failure action, or a Reusable Object that refers to one.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Action {
    /// The action's name.
    #[serde(default)]
    pub name: Option<String>,
    /// `end`, `goto` or (failure only) `retry`.
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    /// A workflow to go to.
    #[serde(default)]
    pub workflow_id: Option<String>,
    /// A step to go to.
    #[serde(default)]
    pub step_id: Option<String>,
    /// Seconds to wait before a retry.
    #[serde(default)]
    pub retry_after: Option<f64>,
    /// How many times to retry.
    #[serde(default)]
    pub retry_limit: Option<u64>,
    /// 1.1: the inputs of the workflow a `goto` or `retry` runs.
    #[serde(default)]
    pub parameters: Vec<Parameter>,
    /// When the action applies.
    #[serde(default)]
    pub criteria: Vec<Criterion>,
    /// A `$components.successActions.…` or `$components.failureActions.…` reference.
    #[serde(default)]
    pub reference: Option<String>,
    /// Extensions.
    #[serde(flatten)]
    pub extensions: Extensions,
}

/// Reusable objects.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Components {
    /// Reusable input schemas.
    #[serde(default)]
    pub inputs: BTreeMap<String, Value>,
    /// Reusable parameters.
    #[serde(default)]
    pub parameters: BTreeMap<String, Parameter>,
    /// Reusable success actions.
    #[serde(default)]
    pub success_actions: BTreeMap<String, Action>,
    /// Reusable failure actions.
    #[serde(default)]
    pub failure_actions: BTreeMap<String, Action>,
    /// Extensions.
    #[serde(flatten)]
    pub extensions: Extensions,
}
