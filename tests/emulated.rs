//! The seed workflow end to end against the loopback emulator of both APIs
//! (`seed_emulator`), which checks the keys, reads the Amberflo id from the path,
//! parses Stripe's form body and refuses what Stripe refuses. Written against the workflow's own
//! types only, so it holds whichever descriptions the crate was built from.

use arazzo_runtime::Secret;
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
    Clients {
        amberflo_billing_api: amberflo_billing_api::Client::new(
            &emulator.amberflo_url(),
            amberflo_billing_api::Settings {
                api_key_auth: Some(Secret::new(AMBERFLO_KEY)),
                ..Default::default()
            },
        ),
        stripe_customers_api: stripe_customers_api::Client::new(
            &emulator.stripe_url(),
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
