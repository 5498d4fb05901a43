//! A request body built as the client's own type sends what its payload's JSON would: the
//! fixture `tests/generate/bodies` runs against a loopback server, and the body it sent is
//! compared, byte for byte, with the same payload read into the client's type from JSON and
//! written out again (what generated code did before it built bodies directly). Lean and
//! whole types (the `full-types` feature) both.

use std::sync::{Arc, Mutex};

use corpus_clients::fixture_bodies as bodies;
use serde_json::json;

// The body's type: named after the operation where lean types cut the component.
#[cfg(not(feature = "full-types"))]
use bodies::shop::types::CreateOrderBody as Body;
#[cfg(feature = "full-types")]
use bodies::shop::types::Order as Body;

/// Answers every request with a created order, keeping the bodies it was sent.
async fn server() -> (String, Arc<Mutex<Vec<String>>>) {
    let seen: Arc<Mutex<Vec<String>>> = Arc::default();
    let record = Arc::clone(&seen);
    let base = seed_emulator::http::serve(move |r| {
        let body = String::from_utf8_lossy(&r.body).into_owned();
        record.lock().expect("lock").push(body);
        (201, r#"{"id":"o-1"}"#.to_string(), Vec::new())
    })
    .expect("bind");
    (base, seen)
}

/// The bytes the payload's JSON, read into the client's body type, is written as.
fn through_json(payload: serde_json::Value) -> String {
    let typed: Body = serde_json::from_value(payload).expect("the payload fits the body type");
    serde_json::to_string(&typed).expect("serialises")
}

fn inputs(note: Option<&str>, channel: Option<&str>) -> bodies::order::Inputs {
    bodies::order::Inputs {
        sku: "SKU-1".into(),
        quantity: 3,
        street: "1 Rue".into(),
        note: note.map(str::to_string),
        channel: channel.map(str::to_string),
    }
}

/// The fixture's payload with these inputs, as JSON.
fn payload(note: Option<&str>, channel: Option<&str>) -> serde_json::Value {
    json!({
        "sku": "SKU-1",
        "quantity": 3,
        "price": 9.5,
        "gift": true,
        "colour": "green",
        "note": note,
        "channel": channel,
        "reference": note,
        "ship-to": { "street": "1 Rue", "city": "Lyon" },
        "tags": ["gift", "SKU-1-tag"],
        "labels": { "source": "arazzo" },
        "code": 42
    })
}

#[tokio::test]
async fn a_body_built_directly_sends_what_its_json_would() {
    let (base, seen) = server().await;
    let clients = bodies::Clients::with_base_urls(|_| base.clone());
    for (note, channel) in [(None, None), (Some("leave at door"), Some("web"))] {
        let out = bodies::order(&clients, inputs(note, channel))
            .await
            .expect("the order is created");
        assert_eq!(out.id, "o-1");
        let sent = seen.lock().expect("lock").pop().expect("a request");
        assert_eq!(sent, through_json(payload(note, channel)));
    }
    // The optional members are left out when their inputs are.
    assert_eq!(
        through_json(payload(None, None)),
        r#"{"code":42,"colour":"green","gift":true,"labels":{"source":"arazzo"},"price":9.5,"quantity":3,"reference":null,"ship-to":{"city":"Lyon","street":"1 Rue"},"sku":"SKU-1","tags":["gift","SKU-1-tag"]}"#
    );
}

#[tokio::test]
async fn a_value_the_body_type_refuses_is_the_error_its_json_gave() {
    let (base, seen) = server().await;
    let clients = bodies::Clients::with_base_urls(|_| base.clone());
    // `channel` takes at most 12 characters.
    let err = bodies::order(&clients, inputs(None, Some("a channel too long")))
        .await
        .expect_err("refused before it is sent");
    let bodies::Error::Request { step, cause } = err else {
        panic!("a request error, not {err:?}");
    };
    assert_eq!(step, "create");
    let from_json = serde_json::from_value::<Body>(payload(None, Some("a channel too long")))
        .expect_err("the JSON is refused too")
        .to_string();
    assert_eq!(
        cause,
        "request body at `/channel`: longer than 12 characters"
    );
    assert!(
        from_json.starts_with("longer than 12 characters"),
        "{from_json}"
    );
    assert!(seen.lock().expect("lock").is_empty(), "nothing is sent");
}
