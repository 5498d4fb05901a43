//! `sync-customer` as a user runs it: the offline demo, and real runs configured by the
//! environment against the loopback emulator standing in for both APIs.

use std::net::TcpListener;
use std::process::{Command, Output};
use std::time::Duration;

use seed_emulator::{Config, Customer, Emulator};

fn sync_customer(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_sync-customer"));
    command.args(args);
    for name in [
        "AMBERFLO_API_KEY",
        "STRIPE_API_KEY",
        "AMBERFLO_BASE_URL",
        "STRIPE_BASE_URL",
    ] {
        command.env_remove(name);
    }
    command.envs(env.iter().copied());
    command.output().expect("sync-customer runs")
}

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).expect("UTF-8")
}

fn stderr(out: &Output) -> String {
    String::from_utf8(out.stderr.clone()).expect("UTF-8")
}

fn emulator() -> Emulator {
    Emulator::start(Config {
        amberflo_api_key: "af-key".into(),
        stripe_api_key: "sk_test_key".into(),
        customers: vec![Customer {
            customer_id: "cust-9".into(),
            customer_name: "Grace Hopper".into(),
            customer_email: None,
        }],
    })
    .expect("the emulator starts")
}

fn configured(emu: &(String, String)) -> Vec<(&'static str, &str)> {
    vec![
        ("AMBERFLO_API_KEY", "af-key"),
        ("STRIPE_API_KEY", "sk_test_key"),
        ("AMBERFLO_BASE_URL", emu.0.as_str()),
        ("STRIPE_BASE_URL", emu.1.as_str()),
    ]
}

#[test]
fn the_demo_prints_the_traffic_and_the_outputs_offline() {
    let out = sync_customer(&["demo"], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    for expected in [
        "GET /customers/cust-001 HTTP/1.1",
        "x-api-key: <redacted>",
        "POST /v1/customers HTTP/1.1",
        "content-type: application/x-www-form-urlencoded",
        "email=ada%40example.test&metadata[amberflo_customer_id]=cust-001&name=Ada+Lovelace",
        "<-- Stripe 200",
        "customerName      Ada Lovelace\nstripeCustomerId  cus_Emulated000001\n",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
    assert!(!text.contains("af_demo_key") && !text.contains("sk_test_demo"));
}

#[test]
fn the_demo_with_json_prints_one_object() {
    let out = sync_customer(&["demo", "--json"], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "{\"customerName\":\"Ada Lovelace\",\"stripeCustomerId\":\"cus_Emulated000001\"}\n"
    );
}

#[test]
fn a_run_prints_the_outputs_as_json() {
    let emu = emulator();
    let urls = (emu.amberflo_url(), emu.stripe_url());
    let out = sync_customer(
        &[
            "--amberflo-customer-id",
            "cust-9",
            "--customer-email",
            "grace@example.test",
            "--json",
        ],
        &configured(&urls),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("one JSON object");
    assert_eq!(
        json,
        serde_json::json!({ "customerName": "Grace Hopper", "stripeCustomerId": "cus_Emulated000001" })
    );
    assert_eq!(emu.stripe_customers()[0]["email"], "grace@example.test");
}

#[test]
fn a_failed_step_is_one_line_naming_step_and_status() {
    let emu = emulator();
    let urls = (emu.amberflo_url(), emu.stripe_url());
    let out = sync_customer(
        &[
            "--amberflo-customer-id",
            "nobody",
            "--customer-email",
            "a@example.test",
        ],
        &configured(&urls),
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stdout(&out), "");
    assert_eq!(
        stderr(&out),
        "sync-customer: step `get-amberflo-customer`: status 404; `$statusCode == 200` does not hold: Customer nobody does not exist\n"
    );

    let mut env = configured(&urls);
    env[1].1 = "sk_test_other";
    let out = sync_customer(
        &[
            "--amberflo-customer-id",
            "cust-9",
            "--customer-email",
            "a@example.test",
        ],
        &env,
    );
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with("sync-customer: step `create-stripe-customer`: status 401;"),
        "{err}"
    );
}

#[test]
fn missing_keys_are_refused_before_any_request() {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.set_nonblocking(true).expect("nonblocking");
    let url = format!("http://{}", listener.local_addr().expect("address"));
    let out = sync_customer(
        &[
            "--amberflo-customer-id",
            "cust-9",
            "--customer-email",
            "a@example.test",
        ],
        &[
            ("STRIPE_API_KEY", "sk_test_key"),
            ("AMBERFLO_BASE_URL", &url),
            ("STRIPE_BASE_URL", &url),
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        "sync-customer: AMBERFLO_API_KEY not set; export the API key (nothing was sent), or try `sync-customer demo`\n"
    );
    std::thread::sleep(Duration::from_millis(50));
    assert!(listener.accept().is_err(), "no connection was made");
}

/// `RUST_LOG=info`: a line per step naming the step, its status and duration on stderr; no
/// credential anywhere; stdout still one JSON object.
#[test]
fn info_logs_name_each_step_with_status_and_duration_and_no_credential() {
    let emu = emulator();
    let urls = (emu.amberflo_url(), emu.stripe_url());
    let mut env = configured(&urls);
    env.push(("RUST_LOG", "info"));
    let out = sync_customer(
        &[
            "--amberflo-customer-id",
            "cust-9",
            "--customer-email",
            "grace@example.test",
            "--json",
        ],
        &env,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let logs = stderr(&out);
    for step in ["get-amberflo-customer", "create-stripe-customer"] {
        let line = logs
            .lines()
            .find(|l| l.contains("step answered") && l.contains(&format!("step=\"{step}\"")))
            .unwrap_or_else(|| panic!("a line for {step} in:\n{logs}"));
        assert!(line.contains("status=200"), "{line}");
        assert!(line.contains("duration_ms="), "{line}");
    }
    let basic = "c2tfdGVzdF9rZXk6"; // base64 of "sk_test_key:"
    for secret in ["af-key", "sk_test_key", basic] {
        assert!(!logs.contains(secret), "{secret} in:\n{logs}");
        assert!(!stdout(&out).contains(secret));
    }
    let outputs: serde_json::Value = serde_json::from_str(stdout(&out).trim()).expect("JSON");
    assert_eq!(outputs["customerName"], "Grace Hopper");
    // Without RUST_LOG, nothing is logged on success.
    let out = sync_customer(
        &[
            "--amberflo-customer-id",
            "cust-9",
            "--customer-email",
            "grace@example.test",
            "--json",
        ],
        &configured(&urls),
    );
    assert!(out.status.success());
    assert_eq!(stderr(&out), "");
}

/// Runs of the same customer share a run key (its id): the second replays the first's
/// customer; `--new-run` creates another.
#[test]
fn the_run_key_defaults_to_the_customer_id() {
    let emu = emulator();
    let urls = (emu.amberflo_url(), emu.stripe_url());
    let args = [
        "--amberflo-customer-id",
        "cust-9",
        "--customer-email",
        "grace@example.test",
        "--json",
    ];
    let id = |out: &Output| -> String {
        assert!(out.status.success(), "{}", stderr(out));
        let v: serde_json::Value = serde_json::from_str(stdout(out).trim()).expect("JSON");
        v["stripeCustomerId"].as_str().expect("an id").to_string()
    };
    let first = id(&sync_customer(&args, &configured(&urls)));
    let second = id(&sync_customer(&args, &configured(&urls)));
    assert_eq!(first, second);
    assert_eq!(emu.stripe_customers().len(), 1);
    let mut fresh = args.to_vec();
    fresh.push("--new-run");
    let third = id(&sync_customer(&fresh, &configured(&urls)));
    assert_ne!(third, first);
    let mut keyed = args.to_vec();
    keyed.extend(["--run-key", "another-job"]);
    let fourth = id(&sync_customer(&keyed, &configured(&urls)));
    assert_ne!(fourth, first);
    assert_eq!(emu.stripe_customers().len(), 3);
}

/// Run options that make no sense are refused before anything is sent.
#[test]
fn a_zero_step_timeout_is_refused_before_any_request() {
    let emu = emulator();
    let urls = (emu.amberflo_url(), emu.stripe_url());
    let out = sync_customer(
        &[
            "--amberflo-customer-id",
            "cust-9",
            "--customer-email",
            "grace@example.test",
            "--step-timeout",
            "0",
        ],
        &configured(&urls),
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("--step-timeout must be a positive number of seconds"));
    assert!(emu.exchanges().is_empty());
}
