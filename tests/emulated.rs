//! The seed workflow end to end against the loopback emulator of both APIs
//! (`seed_emulator`), which checks the keys, reads the Amberflo id from the path,
//! parses Stripe's form body and refuses what Stripe refuses; and runs with options (run keys,
//! reports, time bounds, transport retries). Written against the workflow's own types only, so
//! it holds whichever descriptions the crate was built from.

use std::time::Duration;

use arazzo_runtime::{Action, RunOptions, Secret};
use seed_emulator::{Api, Config, Customer, Emulator};
use seed_workflows::{
    amberflo_billing_api, stripe_customers_api, sync_customer_to_stripe, Clients, Error,
};
use serde_json::json;

const AMBERFLO_KEY: &str = "af-test-key";
const STRIPE_KEY: &str = "sk_test_emulated";

fn emulator(customers: &[(&str, &str)]) -> Emulator {
    Emulator::start(Config {
        amberflo_api_key: AMBERFLO_KEY.into(),
        stripe_api_key: STRIPE_KEY.into(),
        customers: customers
            .iter()
            .map(|(id, name)| Customer {
                customer_id: (*id).into(),
                customer_name: (*name).into(),
                customer_email: None,
            })
            .collect(),
    })
    .expect("the emulator starts")
}

fn clients(emulator: &Emulator, stripe_key: &str) -> Clients {
    clients_at(&emulator.amberflo_url(), &emulator.stripe_url(), stripe_key)
}

/// Clients of the two APIs at these base URLs.
fn clients_at(amberflo: &str, stripe: &str, stripe_key: &str) -> Clients {
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
                basic_auth: Some((Secret::new(stripe_key), Secret::new(""))),
                ..Default::default()
            },
        ),
    }
}

fn inputs(id: &str, email: &str) -> sync_customer_to_stripe::Inputs {
    sync_customer_to_stripe::Inputs {
        amberflo_customer_id: Some(id.into()),
        customer_email: Some(email.into()),
    }
}

fn stripe_requests(emulator: &Emulator) -> usize {
    emulator
        .exchanges()
        .iter()
        .filter(|e| e.api == Api::Stripe)
        .count()
}

#[tokio::test]
async fn a_customer_is_copied_to_stripe() {
    let emu = emulator(&[("cust-001", "Ada Lovelace")]);
    let out = sync_customer_to_stripe(
        &clients(&emu, STRIPE_KEY),
        inputs("cust-001", "ada@example.test"),
    )
    .await
    .expect("the workflow succeeds");
    assert_eq!(out.customer_name, "Ada Lovelace");
    let created = emu.stripe_customers();
    assert_eq!(created.len(), 1);
    assert_eq!(out.stripe_customer_id, created[0]["id"]);
    assert_eq!(created[0]["name"], "Ada Lovelace");
    assert_eq!(created[0]["email"], "ada@example.test");
    assert_eq!(
        created[0]["metadata"],
        json!({ "amberflo_customer_id": "cust-001" })
    );
    let statuses: Vec<(Api, u16)> = emu.exchanges().iter().map(|e| (e.api, e.status)).collect();
    assert_eq!(statuses, [(Api::Amberflo, 200), (Api::Stripe, 200)]);
}

#[tokio::test]
async fn an_unknown_amberflo_customer_is_a_404_of_the_first_step() {
    let emu = emulator(&[("cust-001", "Ada Lovelace")]);
    let err = sync_customer_to_stripe(
        &clients(&emu, STRIPE_KEY),
        inputs("nobody", "ada@example.test"),
    )
    .await
    .expect_err("no such customer");
    assert_eq!(err.step(), Some("get-amberflo-customer"), "{err}");
    assert_eq!(err.status(), Some(404), "{err}");
    assert_eq!(stripe_requests(&emu), 0, "no Stripe request is made");
}

#[tokio::test]
async fn a_wrong_amberflo_key_is_a_401_of_the_first_step() {
    let emu = emulator(&[("cust-001", "Ada Lovelace")]);
    let mut clients = clients(&emu, STRIPE_KEY);
    clients.amberflo_billing_api = amberflo_billing_api::Client::new(
        &emu.amberflo_url(),
        amberflo_billing_api::Settings {
            api_key_auth: Some(Secret::new("wrong")),
            ..Default::default()
        },
    );
    let err = sync_customer_to_stripe(&clients, inputs("cust-001", "ada@example.test"))
        .await
        .expect_err("the key is wrong");
    assert_eq!(
        (err.step(), err.status()),
        (Some("get-amberflo-customer"), Some(401))
    );
    assert_eq!(stripe_requests(&emu), 0);
}

#[tokio::test]
async fn stripe_refusing_the_body_is_a_400_of_the_create_step() {
    let emu = emulator(&[("cust-001", "Ada Lovelace")]);
    let err = sync_customer_to_stripe(
        &clients(&emu, STRIPE_KEY),
        inputs("cust-001", "not an address"),
    )
    .await
    .expect_err("Stripe refuses the e-mail address");
    assert_eq!(err.step(), Some("create-stripe-customer"), "{err}");
    assert_eq!(err.status(), Some(400), "{err}");
    assert!(
        matches!(&err, Error::Failed { body: Some(b), .. } if b["error"]["code"] == "email_invalid"),
        "{err:?}"
    );
    assert!(emu.stripe_customers().is_empty());
}

#[tokio::test]
async fn a_wrong_stripe_key_is_a_401_of_the_create_step() {
    let emu = emulator(&[("cust-001", "Ada Lovelace")]);
    let err = sync_customer_to_stripe(
        &clients(&emu, "sk_test_wrong"),
        inputs("cust-001", "ada@example.test"),
    )
    .await
    .expect_err("the key is wrong");
    assert_eq!(
        (err.step(), err.status()),
        (Some("create-stripe-customer"), Some(401))
    );
    assert!(
        matches!(&err, Error::Failed { body: Some(b), .. } if b["error"]["code"] == "api_key_invalid"),
        "{err:?}"
    );
}

#[tokio::test]
async fn awkward_ids_and_names_round_trip() {
    let id = "cust 003/ü&\"%";
    let name = "Zoë & \"Co\" 100%/x";
    let emu = emulator(&[("cust 003", "the wrong customer"), (id, name)]);
    let out = sync_customer_to_stripe(&clients(&emu, STRIPE_KEY), inputs(id, "zoë+1@example.test"))
        .await
        .expect("the workflow succeeds");
    assert_eq!(out.customer_name, name);
    let created = emu.stripe_customers();
    assert_eq!(created[0]["name"], name);
    assert_eq!(created[0]["email"], "zoë+1@example.test");
    assert_eq!(created[0]["metadata"]["amberflo_customer_id"], id);
}

/// The emulator itself refuses what Stripe refuses, so the tests above could fail.
#[test]
fn the_emulated_stripe_refuses_unknown_parameters() {
    use std::io::{Read, Write};
    let emu = emulator(&[]);
    let addr = emu.stripe_url();
    let mut sock =
        std::net::TcpStream::connect(addr.trim_start_matches("http://")).expect("connect");
    let body = "name=Ada&nickname=A";
    write!(
        sock,
        "POST /v1/customers HTTP/1.1\r\nhost: x\r\nauthorization: Bearer {STRIPE_KEY}\r\n\
         content-type: application/x-www-form-urlencoded\r\ncontent-length: {}\r\n\
         connection: close\r\n\r\n{body}",
        body.len()
    )
    .expect("write");
    let mut reply = String::new();
    let _ = sock.read_to_string(&mut reply);
    assert!(reply.starts_with("HTTP/1.1 400 "), "{reply}");
    let json: serde_json::Value =
        serde_json::from_str(reply.split("\r\n\r\n").nth(1).expect("a body")).expect("JSON");
    assert_eq!(
        json,
        json!({ "error": {
            "code": "parameter_unknown",
            "doc_url": "https://stripe.com/docs/error-codes/parameter-unknown",
            "message": "Received unknown parameter: nickname",
            "param": "nickname",
            "type": "invalid_request_error"
        }})
    );
    assert!(emu.stripe_customers().is_empty());
}

/// The create carries an idempotency key; the emulated Stripe, like Stripe, applies a create
/// once per key.
#[tokio::test]
async fn the_create_carries_an_idempotency_key_stripe_honours() {
    let emu = emulator(&[("cust-001", "Ada Lovelace")]);
    sync_customer_to_stripe(
        &clients(&emu, STRIPE_KEY),
        inputs("cust-001", "ada@example.test"),
    )
    .await
    .expect("the workflow succeeds");
    let create = emu
        .exchanges()
        .into_iter()
        .find(|e| e.api == Api::Stripe)
        .expect("a create");
    let head = String::from_utf8_lossy(&create.request).to_ascii_lowercase();
    let key = head
        .lines()
        .find_map(|l| l.strip_prefix("idempotency-key: "))
        .expect("an idempotency-key header")
        .to_string();
    assert_eq!(key.len(), 36, "{key}");
    let sent_body = String::from_utf8_lossy(&create.request)
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .expect("a body");
    // The same request again, with the same key, is replayed and creates nothing new; the
    // same key with another body is refused, as Stripe refuses it.
    let send = |body: &str| {
        use std::io::{Read, Write};
        let addr = emu.stripe_url();
        let mut sock =
            std::net::TcpStream::connect(addr.trim_start_matches("http://")).expect("connect");
        write!(
            sock,
            "POST /v1/customers HTTP/1.1\r\nhost: x\r\nauthorization: Bearer {STRIPE_KEY}\r\n\
             idempotency-key: {key}\r\ncontent-type: application/x-www-form-urlencoded\r\n\
             content-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        )
        .expect("write");
        let mut reply = String::new();
        let _ = sock.read_to_string(&mut reply);
        reply
    };
    let reply = send(&sent_body);
    assert!(reply.contains("\"name\":\"Ada Lovelace\""), "{reply}");
    assert!(reply.contains("idempotent-replayed: true"), "{reply}");
    let reply = send("name=Someone+else");
    assert!(reply.starts_with("HTTP/1.1 400"), "{reply}");
    assert!(reply.contains("\"type\":\"idempotency_error\""), "{reply}");
    assert_eq!(emu.stripe_customers().len(), 1);
}

// Runs with options: re-runs with a run key replay instead of creating again, a reused key with
// other inputs is a typed error, the report lists every step, time bounds name the step that ran
// out of time, and transport retries send again after a 503.

/// Stripe creates the customer but the response is lost (a 500): the run fails naming the
/// step; runs again with the same run key replay the customer Stripe created.
#[tokio::test]
async fn a_rerun_with_the_same_run_key_replays_instead_of_creating_again() {
    let emu = emulator(&[("cust-001", "Ada Lovelace")]);
    let clients = clients(&emu, STRIPE_KEY);
    let options = RunOptions::new().run_key("cust-001");
    emu.fail_creates(1);
    let first =
        sync_customer_to_stripe::run(&clients, inputs("cust-001", "ada@example.test"), &options)
            .await;
    let e = first.result.expect_err("the lost response fails the run");
    assert_eq!(
        (e.step(), e.status()),
        (Some("create-stripe-customer"), Some(500))
    );
    let mut ids = Vec::new();
    for _ in 0..2 {
        let again = sync_customer_to_stripe::run(
            &clients,
            inputs("cust-001", "ada@example.test"),
            &options,
        )
        .await;
        assert!(again.report.replayed(), "{:?}", again.report);
        ids.push(again.result.expect("replayed").stripe_customer_id);
    }
    assert_eq!(ids[0], ids[1]);
    assert_eq!(emu.stripe_customers().len(), 1);
    assert_eq!(emu.stripe_customers()[0]["id"], ids[0].as_str());
    // Without a run key each run is new: the same customer is created again.
    sync_customer_to_stripe(&clients, inputs("cust-001", "ada@example.test"))
        .await
        .expect("a new run");
    assert_eq!(emu.stripe_customers().len(), 2);
}

/// A run key reused with other inputs sends another body under the same key: Stripe refuses
/// it, and the error says so, naming the step.
#[tokio::test]
async fn a_run_key_reused_with_other_inputs_is_a_typed_idempotency_error() {
    let emu = emulator(&[("cust-001", "Ada Lovelace")]);
    let clients = clients(&emu, STRIPE_KEY);
    let options = RunOptions::new().run_key("job-7");
    sync_customer_to_stripe::run(&clients, inputs("cust-001", "ada@example.test"), &options)
        .await
        .result
        .expect("the first run");
    let e =
        sync_customer_to_stripe::run(&clients, inputs("cust-001", "other@example.test"), &options)
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
    let emu = emulator(&[("cust-001", "Ada Lovelace")]);
    let clients = clients(&emu, STRIPE_KEY);
    let ran = sync_customer_to_stripe::run(
        &clients,
        inputs("cust-001", "ada@example.test"),
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
    let clients = clients_at(&url, &url, STRIPE_KEY);
    let ran = sync_customer_to_stripe::run(
        &clients,
        inputs("cust-001", "ada@example.test"),
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
        inputs("cust-001", "ada@example.test"),
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
    let emu = emulator(&[("cust-001", "Ada Lovelace")]);
    let clients = clients(&emu, STRIPE_KEY);
    emu.unavailable_lookups(1);
    let ran = sync_customer_to_stripe::run(
        &clients,
        inputs("cust-001", "ada@example.test"),
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
    let e = sync_customer_to_stripe(&clients, inputs("cust-001", "ada@example.test"))
        .await
        .expect_err("no retries by default");
    assert_eq!(
        (e.step(), e.status()),
        (Some("get-amberflo-customer"), Some(503))
    );
}
