//! The seed workflow, "Amberflo customer to Stripe customer", generated at build time by
//! arazzo-codegen from `arazzo/fin-amberflo-customer-to-stripe-customer.yml`.
//!
//! The build script loads the document and its two OpenAPI descriptions, resolves every step,
//! parameter and expression, fails the build with located errors on a wiring mistake, and
//! generates one typed client module per API: [`amberflo_billing_api`] and
//! [`stripe_customers_api`]. Look at the generated code with
//! `cargo run -p arazzo-codegen -- generate arazzo/fin-amberflo-customer-to-stripe-customer.yml --source amberfloBillingApi=specs/amberflo-billing-openapi.yaml --source stripeCustomersApi=specs/stripe-customers-api-openapi.yml --security-scheme stripeCustomersApi.basicAuth=basic --security-scheme stripeCustomersApi.bearerAuth=bearer --idempotency-header stripeCustomersApi=Idempotency-Key -o seed.rs`
//! (the build warns with the same command, `check` in place of `generate`).
#![deny(warnings)]

include!(concat!(env!("OUT_DIR"), "/seed.rs"));
