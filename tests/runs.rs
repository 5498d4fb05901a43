//! Runs with options against the loopback emulator: re-runs with a run key replay instead of
//! creating again, a reused key with other inputs is a typed error, the report lists every
//! step, and time bounds name the step that ran out of time.

use std::time::Duration;

use arazzo_runtime::{Action, RunOptions, Secret};
use seed_emulator::{Config, Customer, Emulator};
use seed_workflows::{
    amberflo_billing_api, stripe_customers_api, sync_customer_to_stripe, Clients, Error,
};

const AMBERFLO_KEY: &str = "af-test-key";
const STRIPE_KEY: &str = "sk_test_emulated";

fn emulator() -> Emulator {
    Emulator::start(Config {
        amberflo_api_key: AMBERFLO_KEY.into(),
        stripe_api_key: STRIPE_KEY.into(),
        customers: vec![Customer {
            customer_id: "cust-001".into(),
            customer_name: "Ada Lovelace".into(),
            customer_email: None,
        }],
    })
    .expect("the emulator starts")
}

fn clients(amberflo: &str, stripe: &str) -> Clients {
    Clients {
        amberflo_billing_api: amberflo_billing_api::Client::new(
            amberflo,
            amberflo_billing_api::Settings {
                api_key_auth: Some(Secret::new(AMBERFLO_KEY)),
                ..Default::default()
            },
        ),
        stripe_customers_api: stripe_customers_api::Client::new(
            stripe,
            stripe_customers_api::Settings {
                basic_auth: Some((Secret::new(STRIPE_KEY), Secret::new(""))),
                ..Default::default()
            },
        ),
    }
}

fn inputs(email: &str) -> sync_customer_to_stripe::Inputs {
    sync_customer_to_stripe::Inputs {
        amberflo_customer_id: Some("cust-001".into()),
        customer_email: Some(email.into()),
    }
}

/// Stripe creates the customer but the response is lost (a 500): the run fails naming the
/// step; runs again with the same run key replay the customer Stripe created.
#[tokio::test]
async fn a_rerun_with_the_same_run_key_replays_instead_of_creating_again() {
    let emu = emulator();
    let clients = clients(&emu.amberflo_url(), &emu.stripe_url());
    let options = RunOptions::new().run_key("cust-001");
    emu.fail_creates(1);
    let first = sync_customer_to_stripe::run(&clients, inputs("ada@example.test"), &options).await;
    let e = first.result.expect_err("the lost response fails the run");
    assert_eq!(
        (e.step(), e.status()),
        (Some("create-stripe-customer"), Some(500))
    );
    let mut ids = Vec::new();
    for _ in 0..2 {
        let again =
            sync_customer_to_stripe::run(&clients, inputs("ada@example.test"), &options).await;
        assert!(again.report.replayed(), "{:?}", again.report);
        ids.push(again.result.expect("replayed").stripe_customer_id);
    }
    assert_eq!(ids[0], ids[1]);
    assert_eq!(emu.stripe_customers().len(), 1);
    assert_eq!(emu.stripe_customers()[0]["id"], ids[0].as_str());
    // Without a run key each run is new: the same customer is created again.
    sync_customer_to_stripe(&clients, inputs("ada@example.test"))
        .await
        .expect("a new run");
    assert_eq!(emu.stripe_customers().len(), 2);
}

/// A run key reused with other inputs sends another body under the same key: Stripe refuses
/// it, and the error says so, naming the step.
#[tokio::test]
async fn a_run_key_reused_with_other_inputs_is_a_typed_idempotency_error() {
    let emu = emulator();
    let clients = clients(&emu.amberflo_url(), &emu.stripe_url());
    let options = RunOptions::new().run_key("job-7");
    sync_customer_to_stripe::run(&clients, inputs("ada@example.test"), &options)
        .await
        .result
        .expect("the first run");
    let e = sync_customer_to_stripe::run(&clients, inputs("other@example.test"), &options)
        .await
        .result
        .expect_err("refused");
    assert!(
        matches!(
            e,
            Error::Idempotency {
                step: "create-stripe-customer",
                status: 400,
                ..
            }
        ),
        "{e:?}"
    );
    assert!(e.to_string().contains("refused the idempotency key"), "{e}");
    assert_eq!(emu.stripe_customers().len(), 1);
}

/// The report lists each step: status, requests, duration, the action, its outputs (typed
/// through the `steps` module).
#[tokio::test]
async fn the_report_lists_every_step_with_its_outputs() {
    use sync_customer_to_stripe::steps::{CreateStripeCustomer, GetAmberfloCustomer};
    let emu = emulator();
    let clients = clients(&emu.amberflo_url(), &emu.stripe_url());
    let ran = sync_customer_to_stripe::run(
        &clients,
        inputs("ada@example.test"),
        &RunOptions::new().run_key("r"),
    )
    .await;
    let outputs = ran.result.expect("the run");
    let report = ran.report;
    assert_eq!(report.run_key.as_deref(), Some("r"));
    let steps: Vec<_> = report
        .steps
        .iter()
        .map(|s| (s.step, s.visit, s.attempts, s.requests, s.status, s.action))
        .collect();
    assert_eq!(
        steps,
        [
            ("get-amberflo-customer", 1, 1, 1, Some(200), Action::Next),
            ("create-stripe-customer", 1, 1, 1, Some(200), Action::End),
        ]
    );
    let read: GetAmberfloCustomer = report.outputs().expect("ran").expect("typed");
    assert_eq!(read.customer_name, "Ada Lovelace");
    assert_eq!(read.customer_id, "cust-001");
    let created: CreateStripeCustomer = report.outputs().expect("ran").expect("typed");
    assert_eq!(created.stripe_customer_id, outputs.stripe_customer_id);
    assert!(report.steps.iter().all(|s| s.duration <= report.duration));
    // The report serialises for logs and tools.
    let json = serde_json::to_value(&report).expect("JSON");
    assert_eq!(
        json["steps"][1]["outputs"]["stripeCustomerId"],
        created.stripe_customer_id
    );
}

/// A loopback server that accepts connections and never answers.
fn silent() -> (String, std::net::TcpListener) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    (
        format!("http://{}", listener.local_addr().expect("addr")),
        listener,
    )
}

#[tokio::test]
async fn a_step_timeout_and_a_deadline_name_the_step() {
    let (url, _held) = silent();
    let clients = clients(&url, &url);
    let ran = sync_customer_to_stripe::run(
        &clients,
        inputs("ada@example.test"),
        &RunOptions::new().step_timeout(Duration::from_millis(200)),
    )
    .await;
    let e = ran.result.expect_err("times out");
    assert!(
        matches!(e, Error::Timeout { step: "get-amberflo-customer", after } if after == Duration::from_millis(200)),
        "{e:?}"
    );
    assert_eq!(ran.report.steps[0].action, Action::Fail);
    let ran = sync_customer_to_stripe::run(
        &clients,
        inputs("ada@example.test"),
        &RunOptions::new().deadline(Duration::from_millis(300)),
    )
    .await;
    let e = ran.result.expect_err("out of time");
    assert!(
        matches!(
            e,
            Error::Deadline {
                step: Some("get-amberflo-customer"),
                ..
            }
        ),
        "{e:?}"
    );
    assert_eq!(ran.report.steps[0].action, Action::Unfinished);
}

/// Transport retries, when on, send a lookup that met a 503 again (its `Retry-After: 0`
/// honoured); the report counts both requests of the one step attempt. Off, the 503 reaches
/// the step's criteria.
#[tokio::test]
async fn transport_retries_send_again_after_a_503_only_when_on() {
    let emu = emulator();
    let clients = clients(&emu.amberflo_url(), &emu.stripe_url());
    emu.unavailable_lookups(1);
    let ran = sync_customer_to_stripe::run(
        &clients,
        inputs("ada@example.test"),
        &RunOptions::new().transport_retry(arazzo_runtime::TransportRetry::default()),
    )
    .await;
    ran.result.expect("the retry succeeds");
    let first = &ran.report.steps[0];
    assert_eq!(
        (first.attempts, first.requests, first.status),
        (1, 2, Some(200))
    );
    emu.unavailable_lookups(1);
    let e = sync_customer_to_stripe(&clients, inputs("ada@example.test"))
        .await
        .expect_err("no retries by default");
    assert_eq!(
        (e.step(), e.status()),
        (Some("get-amberflo-customer"), Some(503))
    );
}
