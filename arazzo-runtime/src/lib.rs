//! Run-time support for the code [arazzo-codegen] generates.
//!
//! A crate that generates workflows at build time depends on this crate, as a crate with a
//! Progenitor client depends on `progenitor-client`. What users name is public here:
//!
//! - [`Error`], why a workflow stopped: one type for every generated document in a crate;
//! - [`Secret`], a credential that never shows in `Debug` output;
//! - [`RunOptions`], what a caller sets for one run (`<workflow>::run`): a run key from which
//!   idempotency keys are derived, a step timeout, a deadline, transport retries, rate limits;
//! - [`Report`], what a run did, step by step, returned beside its result ([`Reported`]);
//! - [`batch`], a workflow over many inputs with bounded concurrency and progress.
//!
//! Runs are traced with the `tracing` crate: a `workflow` span per workflow run and a `step`
//! span per step attempt (step id, operation id, method, path template, attempt, status,
//! duration), with events for answers, criteria and actions. Fields never hold credentials,
//! filled URLs or bodies.
//!
//! Everything else is called by generated code only and lives in [`__private`], which is
//! not part of the public API: it changes with the generator, and the generated file's
//! header names the version of this crate it needs.
//!
//! [arazzo-codegen]: https://github.com/arazzo-codegen/arazzo-codegen
#![deny(missing_docs)]

mod batch;
mod conditions;
mod error;
mod exchange;
mod form;
mod request;
mod retry;
mod run;
mod secret;
mod select;
mod transport;
mod values;

pub use batch::{batch, Progress};
pub use error::Error;
pub use run::{Action, Report, Reported, RunOptions, StepOutputs, StepReport};
pub use secret::Secret;
pub use transport::{RateLimit, TransportRetry};

/// The version of this crate, which the generated file's header names.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Helpers the generated clients and workflows call. Not public API: names and signatures
/// follow the generator, not semantic versioning.
#[doc(hidden)]
pub mod __private {
    pub use crate::conditions::{compare, json_path, truthy, Op};
    pub use crate::exchange::{
        exchange, exchange_bare_errors, exchange_stream, execute, json_or_text, send_whole,
        Exchange, REQUEST_URL_HEADER,
    };
    pub use crate::form::Style;
    pub use crate::request::{
        basic, drop_api_version, one_slash, set_credential, set_header, to_form, to_multipart,
    };
    pub use crate::retry::{retry_delay, sleep};
    pub use crate::run::{result_only, Call, Run, Visit};
    pub use crate::select::{json_selected, Select};
    pub use crate::values::{
        at, from_json, from_string, header, one_element, optional_output, output,
        parameter_from_json, parse_json, ran, replace, required, scalar_from_text, text, to_json,
    };
    pub use crate::{Error, Secret};
    /// The regex crate, for criteria of type `regex`.
    pub use ::regex;
    /// The JSONPath crate, for criteria of type `jsonpath` that are full RFC 9535 queries.
    pub use ::serde_json_path;
}
