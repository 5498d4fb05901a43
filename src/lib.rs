//! The seed workflow, "Amberflo customer to Stripe customer", checked at build time by
//! arazzo-codegen from `arazzo/fin-amberflo-customer-to-stripe-customer.yml`.
//!
//! The build script loads the document and its two OpenAPI descriptions, resolves every step,
//! parameter and expression, and fails the build with located errors on a wiring mistake. The
//! typed workflow function generated from it is not part of this crate yet.
