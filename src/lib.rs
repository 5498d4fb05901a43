//! The seed workflow, "Amberflo customer to Stripe customer", generated at build time by
//! arazzo-codegen from `arazzo/fin-amberflo-customer-to-stripe-customer.yml`.
//!
//! The build script loads the document and its two OpenAPI descriptions, resolves every step,
//! parameter and expression, fails the build with located errors on a wiring mistake, and
//! generates one typed client module per API: [`amberflo_billing_api`] and
//! [`stripe_customers_api`]. Look at the generated code with
//! `cargo run -p arazzo-codegen -- generate arazzo/fin-amberflo-customer-to-stripe-customer.yml --source-map specs/source-map.yaml -o seed.rs`.
#![deny(warnings)]

include!(concat!(env!("OUT_DIR"), "/seed.rs"));
