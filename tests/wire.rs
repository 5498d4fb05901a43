//! The seed's two requests on the wire: a raw TCP server on loopback records the exact bytes
//! the generated clients send.

mod common;

use arazzo_runtime::Secret;
use common::{server, text};
// Direct client calls, with body fields no step sets: the same document generated with whole
// types (`Builder::full_types`), as code that calls the clients directly would use it.
mod full_types {
    include!(concat!(env!("OUT_DIR"), "/seed_full_types.rs"));
}
use full_types::{amberflo_billing_api as amberflo, stripe_customers_api as stripe};

#[tokio::test]
async fn amberflo_lookup_goes_by_path_with_the_api_key() {
    let (base, seen) = server(vec![(
        200,
        r#"{"id":"1","customerId":"cust 003/ü","customerName":"Ada & Co"}"#,
    )])
    .await;
    let settings = amberflo::Settings {
        api_key_auth: Some(Secret::new("af-key")),
        ..Default::default()
    };
    // A trailing slash on the base URL must not double the path's slash.
    let client = amberflo::Client::new(&format!("{base}/"), settings);
    let customer = client
        .get_customer_by_id()
        .customer_id("cust 003/ü")
        .send()
        .await
        .expect("the lookup succeeds")
        .into_inner();
    assert_eq!(customer.customer_name, "Ada & Co");
    let requests = seen.lock().expect("lock").clone();
    assert_eq!(
        text(&requests[0]),
        format!(
            "GET /customers/cust%20003%2F%C3%BC HTTP/1.1\r\naccept: application/json\r\nx-api-key: af-key\r\nhost: {}\r\n\r\n",
            base.trim_start_matches("http://")
        )
    );
}

#[tokio::test]
async fn stripe_create_sends_a_form_with_deep_object_metadata() {
    let (base, seen) = server(vec![(
        200,
        r#"{"id":"cus_123","object":"customer","created":1,"livemode":false,"metadata":{"amberflo_customer_id":"cust-001"},"name":"Ada & Co","email":"ada@example.test"}"#,
    )])
    .await;
    let settings = stripe::Settings {
        basic_auth: Some((Secret::new("sk_test_123"), Secret::new(""))),
        ..Default::default()
    };
    let client = stripe::Client::new(&base, settings);
    let mut metadata = std::collections::BTreeMap::new();
    metadata.insert("amberflo_customer_id".to_string(), "cust-001".to_string());
    let body = stripe::types::PostCustomersBody {
        name: Some("Ada & Co".parse().expect("name")),
        email: Some("ada@example.test".parse().expect("email")),
        metadata,
        expand: vec!["tax".into(), "sources".into()],
        description: None,
        phone: None,
    };
    let created = client
        .post_customers()
        .body(body)
        .send()
        .await
        .expect("the creation succeeds")
        .into_inner();
    assert_eq!(created.id, "cus_123");
    let requests = seen.lock().expect("lock").clone();
    let form = "email=ada%40example.test&expand[0]=tax&expand[1]=sources&metadata[amberflo_customer_id]=cust-001&name=Ada+%26+Co";
    assert_eq!(
        text(&requests[0]),
        format!(
            "POST /v1/customers HTTP/1.1\r\naccept: application/json\r\ncontent-type: application/x-www-form-urlencoded\r\nauthorization: Basic c2tfdGVzdF8xMjM6\r\nhost: {}\r\ncontent-length: {}\r\n\r\n{form}",
            base.trim_start_matches("http://"),
            form.len()
        )
    );
}

#[tokio::test]
async fn the_api_version_header_is_sent_only_when_asked_for() {
    let (base, seen) = server(vec![(200, r#"{"customerId":"c","customerName":"n"}"#)]).await;
    let settings = amberflo::Settings {
        send_api_version: true,
        ..Default::default()
    };
    let client = amberflo::Client::new(&base, settings);
    client
        .get_customer_by_id()
        .customer_id("c")
        .send()
        .await
        .expect("lookup");
    let requests = seen.lock().expect("lock").clone();
    let sent = text(&requests[0]);
    assert!(sent.contains("\r\napi-version: 1.0.0\r\n"), "{sent}");
    assert!(!sent.contains("x-api-key"), "no key was configured: {sent}");
}

#[test]
fn credentials_stay_out_of_debug_output() {
    let settings = stripe::Settings {
        basic_auth: Some((Secret::new("sk_live_secret"), Secret::new(""))),
        bearer_auth: Some(Secret::new("sk_live_secret")),
        send_api_version: false,
        whole_responses: false,
    };
    let shown = format!(
        "{settings:?} {:?}",
        stripe::Client::new("http://x", settings.clone())
    );
    assert!(!shown.contains("sk_live_secret"), "{shown}");
    assert!(shown.contains("<redacted>"), "{shown}");
}
