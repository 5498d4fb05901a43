//! arazzo-codegen: typed Rust workflow functions from Arazzo 1.0.x documents, generated at
//! build time.
//!
//! The run is a sequence of phases in one driver ([`Builder::check`]): load (the document and
//! every source it names, see [`workspace`]), resolve and check (every operation, parameter and
//! expression linked, every problem collected, see [`resolve`]). Each phase reports through
//! [`Diagnostics`]; a phase that found errors stops the run at its boundary.
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

pub mod build;
mod builder;
pub mod criteria;
pub mod diag;
mod emit;
pub mod expr;
mod fields;
pub mod infer;
pub mod kinds;
pub mod load;
pub mod model;
pub mod names;
pub mod openapi;
pub mod resolve;
pub mod settings;
pub mod source;
mod suggest;
pub mod typecheck;
pub mod workspace;

pub use builder::{Builder, Checked, Generated, Report};
pub use diag::{Diagnostic, Diagnostics, Location, Severity};
pub use settings::{SecurityScheme, Settings, DEFAULT_RUNTIME_PATH, DEFAULT_STEP_BUDGET};
