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
    let builder =
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
            .idempotency_header("stripeCustomersApi", "Idempotency-Key");
    // The workflow crate as users get it (lean types), and the same document with whole types
    // for the tests that call the clients directly with fields no step sets (its warnings,
    // the same plus the repairs of schemas no step uses, are not repeated).
    let lean = builder.clone().generate();
    let full = builder.full_types(true).generate();
    let written = arazzo_codegen::build::write(&lean, &out_dir, "seed.rs").and_then(|()| {
        arazzo_codegen::build::write_to(&full, &out_dir, "seed_full_types.rs", &mut std::io::sink())
    });
    if let Err(e) = written {
        eprintln!("{e}");
        std::process::exit(1);
    }
}
