//! Run-time support for the code [arazzo-codegen] generates.
//!
//! A crate that generates workflows at build time depends on this crate, as a crate with a
//! Progenitor client depends on `progenitor-client`. What users name is public here:
//!
//! - [`Error`], why a workflow stopped: one type for every generated document in a crate;
//! - [`Secret`], a credential that never shows in `Debug` output.
//!
//! Everything else is called by generated code only and lives in [`__private`], which is
//! not part of the public API: it changes with the generator, and the generated file's
//! header names the version of this crate it needs.
//!
//! [arazzo-codegen]: https://github.com/arazzo-codegen/arazzo-codegen
#![deny(missing_docs)]

mod conditions;
mod error;
mod exchange;
mod form;
mod idempotency;
mod request;
mod retry;
mod secret;
mod values;

pub use error::Error;
pub use secret::Secret;

/// The version of this crate, which the generated file's header names.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Helpers the generated clients and workflows call. Not public API: names and signatures
/// follow the generator, not semantic versioning.
#[doc(hidden)]
pub mod __private {
    pub use crate::conditions::{compare, json_path, truthy, Op};
    pub use crate::exchange::{
        exchange, exchange_bare_errors, exchange_stream, execute, json_or_text, release, Exchange,
        REQUEST_URL_HEADER,
    };
    pub use crate::form::Style;
    pub use crate::idempotency::idempotency_key;
    pub use crate::request::{basic, one_slash, set_header, to_form, to_multipart};
    pub use crate::retry::{retry_delay, sleep};
    pub use crate::values::{
        at, from_json, header, optional_output, output, parameter_from_json, parse_json, ran,
        replace, required, text, to_json,
    };
    pub use crate::{Error, Secret};
    /// The regex crate, for criteria of type `regex`.
    pub use ::regex;
    /// The JSONPath crate, for criteria of type `jsonpath` that are full RFC 9535 queries.
    pub use ::serde_json_path;
}
