//! arazzo-codegen: typed Rust workflow functions from Arazzo 1.0.x documents, generated at
//! build time.
//!
//! The run is a sequence of phases in one driver ([`Builder::check`], [`Builder::generate`]):
//! load (the document and every source it names), resolve and check (every operation,
//! parameter and expression linked, every problem collected), infer output types, check what
//! is fed into requests, and emit. Each phase reports through [`Diagnostics`]; a phase that
//! found errors stops the run at its boundary.
//!
//! The public API is the [`Builder`] and its [`Settings`], the build-script layer ([`build`]),
//! and the diagnostics ([`diag`], [`kinds`]). The phases' modules are visible only for this
//! repository's own tests and harnesses (hidden from the documentation) and are not public API.
//!
//! ```no_run
//! // build.rs
//! let checked = arazzo_codegen::Builder::new("arazzo/workflow.yml")
//!     .source("petStore", "specs/petstore.yaml")
//!     .check();
//! if let Err(e) = arazzo_codegen::build::report(&checked) {
//!     eprintln!("{e}");
//!     std::process::exit(1);
//! }
//! ```

#[doc(hidden)]
pub mod asyncapi;
pub mod build;
mod builder;
#[doc(hidden)]
pub mod criteria;
pub mod diag;
mod emit;
#[doc(hidden)]
pub mod expr;
mod fields;
#[doc(hidden)]
pub mod infer;
pub mod kinds;
#[doc(hidden)]
pub mod load;
#[doc(hidden)]
pub mod model;
#[doc(hidden)]
pub mod names;
#[doc(hidden)]
pub mod openapi;
#[doc(hidden)]
pub mod resolve;
mod select;
pub mod settings;
#[doc(hidden)]
pub mod source;
mod suggest;
#[doc(hidden)]
pub mod typecheck;
#[doc(hidden)]
pub mod workspace;

pub use builder::{Builder, Checked, Generated, Report};
pub use diag::{Diagnostic, Diagnostics, Location, Severity};
pub use settings::{SecurityScheme, Settings, DEFAULT_RUNTIME_PATH, DEFAULT_STEP_BUDGET};
