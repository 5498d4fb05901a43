//! The `arazzo-codegen` command, run as a user runs it.

mod common;

use std::process::{Command, Output};

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_arazzo-codegen"))
        .args(args)
        .output()
        .expect("run arazzo-codegen")
}

fn seed_args(strict: bool) -> Vec<String> {
    let specs = common::corpus().join("seed/specs");
    let mut a = vec![
        "check".to_string(),
        "../arazzo/fin-amberflo-customer-to-stripe-customer.yml".to_string(),
        "--source".to_string(),
        format!(
            "amberfloBillingApi={}",
            specs.join("amberflo-billing-openapi.yaml").display()
        ),
        "--source".to_string(),
        format!(
            "stripeCustomersApi={}",
            specs.join("stripe-customers-api-openapi.yml").display()
        ),
    ];
    if strict {
        a.push("--strict".into());
    }
    a
}

/// The kinds of the warnings the seed and its real descriptions give with lean types: the
/// schemas the workflow does not use, and their defects, are not handed on.
const SEED_KINDS: [&str; 6] = [
    "case-mismatch",
    "media-type",
    "optional-input",
    "parameter-location",
    "response",
    "security",
];

/// With whole types, the repairs of every schema Stripe's customer reaches come too.
const SEED_KINDS_FULL: [&str; 9] = [
    "case-mismatch",
    "dangling-ref",
    "media-type",
    "optional-input",
    "parameter-location",
    "ref-siblings",
    "response",
    "schema",
    "security",
];

#[test]
fn the_seed_checks_with_exactly_its_known_defects() {
    seed_checks(false, &SEED_KINDS);
    seed_checks(true, &SEED_KINDS_FULL);
}

fn seed_checks(full_types: bool, expected: &[&str]) {
    let mut args = seed_args(false);
    if full_types {
        args.push("--full-types".into());
    }
    let out = run(&args.iter().map(String::as_str).collect::<Vec<_>>());
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let warnings: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("warning"))
        .collect();
    // The document's two, then what generation adds: the repairs of the real descriptions,
    // and an optional input feeding a required value.
    let kinds: std::collections::BTreeSet<&str> = warnings
        .iter()
        .filter_map(|w| w.strip_prefix("warning[")?.split(']').next())
        .collect();
    assert_eq!(kinds.into_iter().collect::<Vec<_>>(), expected, "{stderr}");
    assert!(
        warnings[0].contains("`customerId` is given `in: query`"),
        "{stderr}"
    );
    assert!(
        warnings[1].contains("`postCustomers` resolved to `PostCustomers`"),
        "{stderr}"
    );
    assert!(!stderr.lines().any(|l| l.starts_with("error")), "{stderr}");
    let places: Vec<&str> = stderr
        .lines()
        .filter(|l| l.trim_start().starts_with("-->"))
        .filter(|l| l.contains("fin-amberflo"))
        .collect();
    assert_eq!(
        places,
        [
            "  --> ../arazzo/fin-amberflo-customer-to-stripe-customer.yml:37:17",
            "  --> ../arazzo/fin-amberflo-customer-to-stripe-customer.yml:46:61",
            "  --> ../arazzo/fin-amberflo-customer-to-stripe-customer.yml:38:20",
        ]
    );
    assert!(stdout.contains("2 of 2 step(s) resolved"), "{stdout}");
}

#[test]
fn strict_mode_turns_the_seed_warnings_into_errors() {
    let args = seed_args(true);
    let out = run(&args.iter().map(String::as_str).collect::<Vec<_>>());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert_eq!(
        stderr.lines().filter(|l| l.starts_with("error[")).count(),
        2,
        "check stops at the document's errors: {stderr}"
    );
    assert!(stderr.contains("2 errors emitted"), "{stderr}");
}

#[test]
fn allowed_kinds_are_silent_even_in_strict_mode() {
    let mut args = seed_args(true);
    for kind in SEED_KINDS {
        args.extend(["--allow".to_string(), kind.to_string()]);
    }
    let out = run(&args.iter().map(String::as_str).collect::<Vec<_>>());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        !stderr.contains("warning") && !stderr.contains("error"),
        "{stderr}"
    );
    let mut args = seed_args(false);
    args.extend(["--deny", "case-mismatch"].map(String::from));
    let out = run(&args.iter().map(String::as_str).collect::<Vec<_>>());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("error[case-mismatch]"), "{stderr}");
    assert!(stderr.contains("warning[parameter-location]"), "{stderr}");
}

#[test]
fn a_source_map_file_maps_remote_urls() {
    let corpus = common::corpus();
    let doc = corpus.join("seed/fin-amberflo-customer-to-stripe-customer.yml");
    let map = corpus.join("remote-url-map.json");
    let out = run(&[
        "check",
        doc.to_str().expect("utf-8 path"),
        "--source-map",
        map.to_str().expect("utf-8 path"),
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn an_unmapped_remote_source_is_a_located_error_with_a_hint() {
    let out = run(&[
        "check",
        "../arazzo/fin-amberflo-customer-to-stripe-customer.yml",
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr.contains("source `amberfloBillingApi` is the remote URL"),
        "{stderr}"
    );
    assert!(
        stderr.contains("--> ../arazzo/fin-amberflo-customer-to-stripe-customer.yml:13:10"),
        "{stderr}"
    );
    assert!(
        stderr.contains("--source amberfloBillingApi=PATH"),
        "{stderr}"
    );
}

#[test]
fn bad_arguments_are_refused_with_usage() {
    let out = run(&["check", "x.yaml", "--source", "no-equals-sign"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("expected NAME=PATH"));
    let out = run(&["check", "does-not-exist.yaml"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read `does-not-exist.yaml`"));
}

/// The seed's build-script settings: its sources, Stripe's security schemes, Stripe's
/// idempotency header, and a runtime path of its own.
fn seed_builder() -> arazzo_codegen::Builder {
    use arazzo_codegen::SecurityScheme;
    arazzo_codegen::Builder::new("../arazzo/fin-amberflo-customer-to-stripe-customer.yml")
        .source_map("../specs/source-map.yaml")
        .security_scheme("stripeCustomersApi", "basicAuth", SecurityScheme::HttpBasic)
        .security_scheme(
            "stripeCustomersApi",
            "bearerAuth",
            SecurityScheme::HttpBearer,
        )
        .idempotency_header("stripeCustomersApi", "Idempotency-Key")
        .runtime_path("crate::support::arazzo_runtime")
        .step_budget(50)
        .step_timeout_ms(2500)
}

/// `arazzo-codegen generate` with the flags that give the builder's settings.
fn generate_seed(out: &std::path::Path) -> String {
    let builder = seed_builder();
    let mut args = vec![
        "generate".to_string(),
        "../arazzo/fin-amberflo-customer-to-stripe-customer.yml".to_string(),
    ];
    for flag in builder.settings().flags() {
        args.extend(flag.split(' ').map(str::to_string));
    }
    args.extend(["-o".to_string(), out.display().to_string()]);
    let run = run(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    std::fs::read_to_string(out).expect("the file was written")
}

#[test]
fn generate_writes_what_a_build_script_would() {
    let out = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("generate-seed.rs");
    let written = generate_seed(&out);
    let built = seed_builder().generate().code.expect("generates");
    assert_eq!(written, built);
    assert!(written.starts_with("// @generated by arazzo-codegen"));
    assert!(written.contains("pub mod amberflo_billing_api"));
    assert!(written.contains("pub mod stripe_customers_api"));
    assert!(written.contains("pub async fn sync_customer_to_stripe("));
    // Every setting took effect: the idempotency header, the schemes, the runtime path.
    assert!(written.contains(".idempotency_key("));
    assert!(written.contains("pub basic_auth:"));
    assert!(written.contains("crate::support::arazzo_runtime::__private::exchange("));
    // Deterministic: a second run writes the same bytes.
    assert_eq!(generate_seed(&out), written);
}

#[test]
fn a_malformed_security_scheme_flag_says_what_is_expected() {
    let out = run(&[
        "check",
        "../arazzo/fin-amberflo-customer-to-stripe-customer.yml",
        "--security-scheme",
        "stripeCustomersApi.basicAuth=digest",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("`digest` is not a kind of scheme: use `basic`, `bearer`, `header:NAME` or `query:NAME`"),
        "{stderr}"
    );
}
