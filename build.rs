//! Generates the seed's workflow crate from `arazzo/fin-amberflo-customer-to-stripe-customer.yml`
//! into `$OUT_DIR/seed.rs`.
//!
//! The two OpenAPI descriptions come from `specs/` (the project's own), or from the folder named
//! by `ARAZZO_SPECS_DIR` (same file names), e.g. the real upstream copies.

use std::path::PathBuf;

fn main() {
    println!("cargo:rerun-if-env-changed=ARAZZO_SPECS_DIR");
    let specs = std::env::var_os("ARAZZO_SPECS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("specs"));
    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let generated =
        arazzo_codegen::Builder::new("arazzo/fin-amberflo-customer-to-stripe-customer.yml")
            .source(
                "amberfloBillingApi",
                specs.join("amberflo-billing-openapi.yaml"),
            )
            .source(
                "stripeCustomersApi",
                specs.join("stripe-customers-api-openapi.yml"),
            )
            // Stripe takes the secret key as HTTP basic (key as user name) or bearer; the
            // upstream copy of its description names these schemes without defining them.
            .security_scheme(
                "stripeCustomersApi",
                "basicAuth",
                arazzo_codegen::SecurityScheme::HttpBasic,
            )
            .security_scheme(
                "stripeCustomersApi",
                "bearerAuth",
                arazzo_codegen::SecurityScheme::HttpBearer,
            )
            // Stripe applies a create once per `Idempotency-Key`; retries reuse the key.
            .idempotency_header("stripeCustomersApi", "Idempotency-Key")
            .generate();
    if let Err(e) = arazzo_codegen::build::write(&generated, &out_dir, "seed.rs") {
        eprintln!("{e}");
        std::process::exit(1);
    }
}
