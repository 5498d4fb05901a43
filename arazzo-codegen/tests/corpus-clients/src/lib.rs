//! The clients arazzo-codegen generates for every resolvable workflow of the conformance
//! corpus, compiled together under `#![deny(warnings)]`.
#![deny(warnings)]

include!(concat!(env!("OUT_DIR"), "/index.rs"));
