//! The seed workflow end to end, through the generated `sync_customer_to_stripe`, against a
//! loopback server. Written against the workflow's own types only, so it holds whichever
//! descriptions the crate was built from.

mod common;

use arazzo_runtime::Secret;
use common::{server, text};
use seed_workflows::{
    amberflo_billing_api, stripe_customers_api, sync_customer_to_stripe, Clients, Error,
};

fn clients(base: &str) -> Clients {
    Clients {
        amberflo_billing_api: amberflo_billing_api::Client::new(
            base,
            amberflo_billing_api::Settings {
                api_key_auth: Some(Secret::new("af-key")),
                ..Default::default()
            },
        ),
        stripe_customers_api: stripe_customers_api::Client::new(
            base,
            stripe_customers_api::Settings {
                basic_auth: Some((Secret::new("sk_test_1"), Secret::new(""))),
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

const CUSTOMER: &str = r#"{"id":"af-1","customerId":"cust-001","customerName":"Ada & Co"}"#;
const CREATED: &str = r#"{"id":"cus_123","object":"customer","created":1,"livemode":false,"metadata":{"amberflo_customer_id":"cust-001"},"name":"Ada & Co"}"#;

#[tokio::test]
async fn the_workflow_returns_typed_outputs() {
    let (base, seen) = server(vec![(200, CUSTOMER), (200, CREATED)]).await;
    let out = sync_customer_to_stripe(&clients(&base), inputs("cust-001", "ada@example.test"))
        .await
        .expect("the workflow succeeds");
    assert_eq!(out.customer_name, "Ada & Co");
    assert_eq!(out.stripe_customer_id, "cus_123");
    let requests = seen.lock().expect("lock").clone();
    assert_eq!(requests.len(), 2);
    assert!(text(&requests[0]).starts_with("GET /customers/cust-001 HTTP/1.1\r\n"));
    let create = text(&requests[1]);
    assert!(
        create.starts_with("POST /v1/customers HTTP/1.1\r\n"),
        "{create}"
    );
    assert!(
        create.ends_with("\r\n\r\nemail=ada%40example.test&metadata[amberflo_customer_id]=cust-001&name=Ada+%26+Co"),
        "{create}"
    );
}

#[tokio::test]
async fn an_unknown_amberflo_customer_stops_before_stripe() {
    let (base, seen) = server(vec![(404, r#"{"message":"not found"}"#), (200, CREATED)]).await;
    let err = sync_customer_to_stripe(&clients(&base), inputs("nobody", "a@b.test"))
        .await
        .expect_err("a 404 fails the first step");
    assert_eq!(err.step(), Some("get-amberflo-customer"));
    assert_eq!(err.status(), Some(404));
    assert!(
        matches!(&err, Error::Failed { body: Some(b), .. } if b["message"] == "not found"),
        "{err:?}"
    );
    assert_eq!(
        seen.lock().expect("lock").len(),
        1,
        "no Stripe request is made"
    );
}

#[tokio::test]
async fn stripe_errors_name_the_create_step() {
    for status in [400u16, 401] {
        let (base, _) = server(vec![
            (200, CUSTOMER),
            (
                status,
                r#"{"error":{"type":"invalid_request_error","message":"No such parameter"}}"#,
            ),
        ])
        .await;
        let err = sync_customer_to_stripe(&clients(&base), inputs("cust-001", "a@b.test"))
            .await
            .expect_err("Stripe refuses");
        assert_eq!(err.step(), Some("create-stripe-customer"), "{err}");
        assert_eq!(err.status(), Some(status), "{err}");
    }
}

#[tokio::test]
async fn a_missing_input_is_a_typed_error_before_any_request() {
    let (base, seen) = server(vec![]).await;
    let err = sync_customer_to_stripe(&clients(&base), sync_customer_to_stripe::Inputs::default())
        .await
        .expect_err("no customer id");
    assert!(
        matches!(
            err,
            Error::MissingInput {
                input: "amberfloCustomerId"
            }
        ),
        "{err:?}"
    );
    assert!(seen.lock().expect("lock").is_empty());
}

#[tokio::test]
async fn awkward_characters_round_trip() {
    let customer = r#"{"customerId":"cust 003/ü&\"%","customerName":"Zoë & \"Co\" 100%/x"}"#;
    let (base, seen) = server(vec![(200, customer), (200, CREATED)]).await;
    let out = sync_customer_to_stripe(
        &clients(&base),
        inputs("cust 003/ü&\"%", "zoë+1@example.test"),
    )
    .await
    .expect("the workflow succeeds");
    assert_eq!(out.customer_name, "Zoë & \"Co\" 100%/x");
    let requests = seen.lock().expect("lock").clone();
    // The id is one path segment: `/`, `"`, `%`, space and non-ASCII are escaped.
    assert!(
        text(&requests[0]).starts_with("GET /customers/cust%20003%2F%C3%BC&%22%25 HTTP/1.1\r\n"),
        "{}",
        text(&requests[0])
    );
    let create = text(&requests[1]);
    assert!(
        create.ends_with(
            "\r\n\r\nemail=zo%C3%AB%2B1%40example.test\
             &metadata[amberflo_customer_id]=cust+003%2F%C3%BC%26%22%25\
             &name=Zo%C3%AB+%26+%22Co%22+100%25%2Fx"
        ),
        "{create}"
    );
}
