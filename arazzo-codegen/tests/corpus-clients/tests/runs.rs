//! Generated workflows run against a loopback server that replays responses: every branch of
//! the Amberflo upsert and offboard workflows, a goto loop bounded by the step budget, retries
//! that honour Retry-After and then give way to a failure action, regex and jsonpath criteria,
//! workflows of the same document and of an Arazzo source called from steps, a description
//! whose names collide in Rust, and responses that do not fit their schema where nothing reads.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use corpus_clients::amberflo_arazzo_amberflo_offboard_customer_if_no_invoices_workflow_yml as offboard;
use corpus_clients::amberflo_arazzo_amberflo_upsert_customer_workflow_yml as upsert;
use corpus_clients::fixture_control as control;
use corpus_clients::fixture_names as names;
use corpus_clients::fixture_responses as responses;
use corpus_clients::fixture_sources as sources;
use corpus_clients::fixture_subworkflows as sub;

/// A response to replay: status, body, extra headers.
type Reply = (u16, &'static str, &'static [(&'static str, &'static str)]);

/// What the server saw: `METHOD /path`, when, the body, and the head (lower case).
type Seen = Arc<Mutex<Vec<(String, Instant, String, String)>>>;

/// Replays `replies` in order, the last one for ever after; one request per connection.
async fn server(replies: Vec<Reply>) -> (String, Seen) {
    let seen: Seen = Arc::default();
    let record = Arc::clone(&seen);
    let mut n = 0;
    let base = seed_emulator::http::serve(move |r| {
        let request = format!("{} {}", r.method, r.path);
        let body = String::from_utf8_lossy(&r.body).into_owned();
        let lower = r.head().to_ascii_lowercase();
        record
            .lock()
            .expect("lock")
            .push((request, Instant::now(), body, lower));
        let (status, body, headers) = replies[n.min(replies.len() - 1)];
        n += 1;
        let headers = headers
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        (status, body.to_string(), headers)
    })
    .expect("bind");
    (base, seen)
}

fn requests(seen: &Seen) -> Vec<String> {
    seen.lock()
        .expect("lock")
        .iter()
        .map(|(r, ..)| r.clone())
        .collect()
}

const CUSTOMER: &str = r#"{"id":"1","customerId":"c-1","customerName":"Ada"}"#;

fn upsert_inputs() -> upsert::upsert_customer::Inputs {
    serde_json::from_value(serde_json::json!({
        "apiKey": "k", "customerId": "c-1", "customerName": "Ada"
    }))
    .expect("inputs")
}

#[tokio::test]
async fn upsert_updates_a_customer_that_exists() {
    let (base, seen) = server(vec![(200, CUSTOMER, &[]), (200, CUSTOMER, &[])]).await;
    let clients = upsert::Clients {
        billing_api: upsert::billing_api::Client::new(&base, Default::default()),
    };
    let out = upsert::upsert_customer(&clients, upsert_inputs())
        .await
        .expect("runs");
    assert_eq!(requests(&seen), ["GET /customers/c-1", "PUT /customers"]);
    assert_eq!(out.updated_customer_id.as_deref(), Some("c-1"));
    assert_eq!(out.created_customer_id, None);
}

#[tokio::test]
async fn upsert_creates_a_customer_that_does_not() {
    let (base, seen) = server(vec![
        (404, r#"{"message":"no"}"#, &[]),
        (200, CUSTOMER, &[]),
    ])
    .await;
    let clients = upsert::Clients {
        billing_api: upsert::billing_api::Client::new(&base, Default::default()),
    };
    let out = upsert::upsert_customer(&clients, upsert_inputs())
        .await
        .expect("runs");
    assert_eq!(requests(&seen), ["GET /customers/c-1", "POST /customers"]);
    assert_eq!(out.created_customer_id.as_deref(), Some("c-1"));
    assert_eq!(out.updated_customer_id, None);
}

fn offboard_inputs() -> offboard::offboard_customer_if_no_invoices::Inputs {
    serde_json::from_value(serde_json::json!({ "apiKey": "k", "customerId": "c-1" }))
        .expect("inputs")
}

#[tokio::test]
async fn offboard_deletes_a_customer_without_invoices() {
    let (base, seen) = server(vec![
        (200, CUSTOMER, &[]),
        (200, "[]", &[]),
        (200, CUSTOMER, &[]),
    ])
    .await;
    let clients = offboard::Clients {
        billing_api: offboard::billing_api::Client::new(&base, Default::default()),
    };
    let out = offboard::offboard_customer_if_no_invoices(&clients, offboard_inputs())
        .await
        .expect("runs");
    let seen = requests(&seen);
    assert_eq!(seen.len(), 3, "{seen:?}");
    assert!(
        seen[1].starts_with("GET /payments-billing-customer-product-invoice?"),
        "{seen:?}"
    );
    assert_eq!(seen[2], "DELETE /customers/c-1");
    assert_eq!(out.deleted_customer_id.as_deref(), Some("c-1"));
}

#[tokio::test]
async fn offboard_keeps_a_customer_with_invoices() {
    let (base, seen) = server(vec![
        (200, CUSTOMER, &[]),
        (200, r#"[{"invoiceId":"i-1"}]"#, &[]),
    ])
    .await;
    let clients = offboard::Clients {
        billing_api: offboard::billing_api::Client::new(&base, Default::default()),
    };
    let out = offboard::offboard_customer_if_no_invoices(&clients, offboard_inputs())
        .await
        .expect("runs");
    assert_eq!(requests(&seen).len(), 2, "no delete");
    assert_eq!(out.deleted_customer_id, None);
    assert_eq!(out.customer_id.as_deref(), Some("c-1"));
}

fn pets(base: &str) -> control::Clients {
    control::Clients {
        pets: control::pets::Client::new(base, Default::default()),
    }
}

#[tokio::test]
async fn a_goto_loop_ends_when_its_condition_stops_holding() {
    let pending = r#"{"id":"p","name":"Rex","tag":"pending"}"#;
    let adopted = r#"{"id":"p","name":"Rex","tag":"adopted"}"#;
    let (base, seen) = server(vec![
        (200, pending, &[]),
        (200, pending, &[]),
        (200, adopted, &[]),
    ])
    .await;
    let out = control::wait_until_adopted(
        &pets(&base),
        control::wait_until_adopted::Inputs { pet_id: "p".into() },
    )
    .await
    .expect("runs");
    assert_eq!(
        requests(&seen).len(),
        3,
        "string comparison is case-insensitive"
    );
    assert_eq!(out.tag.as_deref(), Some("adopted"));
}

#[tokio::test]
async fn a_goto_loop_that_never_ends_is_stopped_by_the_step_budget() {
    let pending = r#"{"id":"p","name":"Rex","tag":"pending"}"#;
    let (base, seen) = server(vec![(200, pending, &[])]).await;
    let err = control::wait_until_adopted(
        &pets(&base),
        control::wait_until_adopted::Inputs { pet_id: "p".into() },
    )
    .await
    .expect_err("the loop does not end");
    assert!(
        matches!(err, control::Error::StepBudget { limit: 1000 }),
        "{err:?}"
    );
    assert_eq!(requests(&seen).len(), 1000);
}

#[tokio::test]
async fn a_retry_waits_as_long_as_retry_after_says() {
    let rex = r#"{"id":"p","name":"Rex"}"#;
    let (base, seen) = server(vec![(503, "{}", &[("retry-after", "1")]), (200, rex, &[])]).await;
    let out = control::read_with_retries(
        &pets(&base),
        control::read_with_retries::Inputs { pet_id: "p".into() },
    )
    .await
    .expect("the retry succeeds");
    assert_eq!(out.name.as_deref(), Some("Rex"));
    assert_eq!(out.asked.as_deref(), Some("p"), "`$request.path.petId`");
    assert_eq!(out.first, None, "the fallback did not run");
    let seen = seen.lock().expect("lock").clone();
    assert_eq!(seen.len(), 2);
    let waited = seen[1].1 - seen[0].1;
    assert!(
        waited >= Duration::from_millis(990),
        "the header's 1 s beats retryAfter's 0.05 s: {waited:?}"
    );
}

#[tokio::test]
async fn retries_used_up_give_way_to_the_next_failure_action() {
    let list = r#"[{"id":"d","name":"Fido","tag":"DOG"}]"#;
    let (base, seen) = server(vec![
        (503, "{}", &[]),
        (503, "{}", &[]),
        (503, "{}", &[]),
        (200, list, &[]),
    ])
    .await;
    let started = Instant::now();
    let out = control::read_with_retries(
        &pets(&base),
        control::read_with_retries::Inputs { pet_id: "p".into() },
    )
    .await
    .expect("the fallback succeeds");
    assert_eq!(
        requests(&seen),
        ["GET /pets/p", "GET /pets/p", "GET /pets/p", "GET /pets"],
        "two retries (retryLimit), then the goto"
    );
    assert!(
        started.elapsed() >= Duration::from_millis(100),
        "retryAfter 0.05 s, twice"
    );
    assert_eq!(
        out.first.as_deref(),
        Some("Fido"),
        "jsonpath `$[0].tag == 'dog'` held"
    );
}

#[tokio::test]
async fn a_regex_criterion_that_fails_fails_the_step() {
    let other = r#"{"id":"p","name":"Max"}"#;
    let (base, seen) = server(vec![(200, other, &[]), (200, "[]", &[])]).await;
    let err = control::read_with_retries(
        &pets(&base),
        control::read_with_retries::Inputs { pet_id: "p".into() },
    )
    .await
    .expect_err("`^Rex` does not match, and the list's jsonpath fails on []");
    assert_eq!(err.step(), Some("list"), "{err}");
    assert_eq!(requests(&seen), ["GET /pets/p", "GET /pets"]);
}

#[tokio::test]
async fn a_workflow_step_calls_the_other_workflow_and_reads_its_outputs() {
    let created = r#"{"id":"pet-Rex","name":"Rex","tag":"cat"}"#;
    let (base, seen) = server(vec![(201, created, &[]), (200, created, &[])]).await;
    let clients = sub::Clients {
        pets: sub::pets::Client::new(&base, Default::default()),
    };
    let out = sub::create_then_read(
        &clients,
        sub::create_then_read::Inputs { name: "Rex".into() },
    )
    .await
    .expect("runs");
    // Typed as the called workflow types it: a `String` (the pet's `id` is required).
    let id: String = out.id;
    assert_eq!(id, "pet-Rex", "the called workflow's output");
    assert_eq!(out.name, "Rex");
    let seen = seen.lock().expect("lock").clone();
    assert_eq!(seen[0].0, "POST /pets");
    let body: serde_json::Value = serde_json::from_str(&seen[0].2).expect("a JSON body");
    assert_eq!(
        body,
        serde_json::json!({ "id": "pet-Rex", "name": "Rex", "tag": "cat" }),
        "the replacements set `tag` and replaced `id`"
    );
    assert_eq!(
        seen[1].0, "GET /pets/pet-Rex",
        "the sub-workflow's output fed the next step"
    );
}

fn idempotency_key(head: &str) -> Option<String> {
    head.lines()
        .find_map(|l| l.strip_prefix("idempotency-key:"))
        .map(|v| v.trim().to_string())
}

#[tokio::test]
async fn a_retried_create_carries_the_same_idempotency_key() {
    let created = r#"{"id":"p-1","name":"Rex"}"#;
    let (base, seen) = server(vec![
        (503, "{}", &[]),
        (201, created, &[]),
        (201, created, &[]),
    ])
    .await;
    let inputs = || control::create_with_retry::Inputs { name: "Rex".into() };
    let out = control::create_with_retry(&pets(&base), inputs())
        .await
        .expect("the retry succeeds");
    assert_eq!(out.id.as_deref(), Some("p-1"));
    // `$request.body#/name`: what was sent, compared with the response and kept as an output.
    assert_eq!(out.sent.as_deref(), Some("Rex"));
    control::create_with_retry(&pets(&base), inputs())
        .await
        .expect("a second run");
    let seen = seen.lock().expect("lock").clone();
    let keys: Vec<Option<String>> = seen
        .iter()
        .map(|(.., head)| idempotency_key(head))
        .collect();
    assert_eq!(seen.len(), 3);
    assert!(keys[0].is_some(), "{:?}", seen[0].3);
    assert_eq!(keys[0], keys[1], "the retry reuses the key");
    assert_ne!(keys[1], keys[2], "a new run of the step has a new key");
    assert_eq!(keys[0].as_deref().map(str::len), Some(36), "{keys:?}");
}

#[tokio::test]
async fn a_workflow_depended_on_runs_first_and_its_outputs_are_read() {
    let created = r#"{"id":"p-9","name":"Rex","tag":"cat"}"#;
    let (base, seen) = server(vec![(201, created, &[]), (200, created, &[])]).await;
    let clients = sub::Clients {
        pets: sub::pets::Client::new(&base, Default::default()),
    };
    let out = sub::read_created(
        &clients,
        sub::read_created::Inputs {
            name: "Rex".into(),
            tag: "cat".into(),
        },
    )
    .await
    .expect("runs");
    assert_eq!(
        requests(&seen),
        ["POST /pets", "GET /pets/p-9"],
        "create-pet first"
    );
    let created: String = out.created;
    assert_eq!(created, "p-9", "typed as the depended-on workflow's output");
    assert_eq!(out.name, "Rex");
}

#[tokio::test]
async fn a_workflow_failure_action_applies_to_its_steps() {
    let rex = r#"{"id":"p","name":"Rex"}"#;
    let inputs = || control::read_with_workflow_retry::Inputs { pet_id: "p".into() };
    let (base, seen) = server(vec![(503, "{}", &[]), (200, rex, &[])]).await;
    let out = control::read_with_workflow_retry(&pets(&base), inputs())
        .await
        .expect("the workflow's retry succeeds");
    assert_eq!(out.name.as_deref(), Some("Rex"));
    // `$method` in the criterion (compared case-insensitively) and as an output.
    assert_eq!(out.method.as_deref(), Some("GET"));
    // `$url`: the URL requested, as the client sent it.
    assert_eq!(out.url, Some(format!("{base}/pets/p")));
    assert_eq!(requests(&seen).len(), 2);

    let (base, seen) = server(vec![(503, "{}", &[])]).await;
    let err = control::read_with_workflow_retry(&pets(&base), inputs())
        .await
        .expect_err("one retry, then the failure");
    assert_eq!((err.step(), err.status()), (Some("read"), Some(503)));
    assert_eq!(requests(&seen).len(), 2, "retryLimit 1");
}

#[tokio::test]
async fn a_goto_to_a_workflow_hands_over_on_the_same_inputs() {
    let inputs = || sub::read_or_create::Inputs {
        name: "Rex".into(),
        tag: "cat".into(),
    };
    let created = r#"{"id":"pet-Rex","name":"Rex","tag":"cat"}"#;
    let clients = |base: &str| sub::Clients {
        pets: sub::pets::Client::new(base, Default::default()),
    };
    let (base, seen) = server(vec![(404, "{}", &[]), (201, created, &[])]).await;
    sub::read_or_create(&clients(&base), inputs())
        .await
        .expect("hands over");
    assert_eq!(
        requests(&seen),
        ["GET /pets/Rex", "POST /pets"],
        "create-pet ran"
    );

    let (base, seen) = server(vec![(200, created, &[])]).await;
    let out = sub::read_or_create(&clients(&base), inputs())
        .await
        .expect("found");
    assert_eq!(requests(&seen), ["GET /pets/Rex"], "no hand-over");
    assert_eq!(out.found.as_deref(), Some("Rex"));
}

#[tokio::test]
async fn a_failed_sub_workflow_runs_the_step_failure_actions() {
    let inputs = || sub::create_or_list::Inputs { name: "Rex".into() };
    let clients = |base: &str| sub::Clients {
        pets: sub::pets::Client::new(base, Default::default()),
    };
    let listed = r#"[{"id":"p-1","name":"Fido"}]"#;
    let (base, seen) = server(vec![(500, "{}", &[]), (200, listed, &[])]).await;
    let out = sub::create_or_list(&clients(&base), inputs())
        .await
        .expect("falls back");
    assert_eq!(requests(&seen), ["POST /pets", "GET /pets"]);
    assert_eq!(out.first.as_deref(), Some("Fido"));

    let created = r#"{"id":"pet-Rex","name":"Rex","tag":"dog"}"#;
    let (base, seen) = server(vec![(201, created, &[])]).await;
    let out = sub::create_or_list(&clients(&base), inputs())
        .await
        .expect("creates");
    assert_eq!(requests(&seen), ["POST /pets"], "success ends the workflow");
    assert_eq!(out.first, None);
}

fn sources_clients(base: &str) -> sources::Clients {
    sources::Clients::with_base_urls(|_| base.to_string())
}

#[tokio::test]
async fn a_step_calls_a_workflow_of_an_arazzo_source_typed() {
    let rex = r#"{"id":"7","name":"Rex","tag":"cat"}"#;
    let made = r#"{"id":"friend-of-7","name":"friend of Rex"}"#;
    let (base, seen) = server(vec![(200, rex, &[]), (201, made, &[])]).await;
    let out = sources::greet_pet(
        &sources_clients(&base),
        sources::greet_pet::Inputs { id: "7".into() },
    )
    .await
    .expect("runs");
    // The catalogue's `name` is required by the pet schema: a `String`; `tag` is not: an `Option`.
    let found: String = out.found;
    let tag: Option<String> = out.tag;
    assert_eq!((found.as_str(), tag.as_deref()), ("Rex", Some("cat")));
    assert_eq!(out.created, "friend-of-7");
    let seen = seen.lock().expect("lock").clone();
    assert_eq!(
        seen[0].0, "GET /pets/7",
        "the catalogue's workflow ran first"
    );
    let body: serde_json::Value = serde_json::from_str(&seen[1].2).expect("a JSON body");
    assert_eq!(
        body["name"], "friend of Rex",
        "its output fed this document's step"
    );
}

#[tokio::test]
async fn a_workflow_step_whose_outputs_fail_its_criteria_fails() {
    let nobody = r#"{"id":"7","name":"Nobody"}"#;
    let (base, seen) = server(vec![(200, nobody, &[])]).await;
    let err = sources::greet_pet(
        &sources_clients(&base),
        sources::greet_pet::Inputs { id: "7".into() },
    )
    .await
    .expect_err("the criterion compares case-insensitively: `Nobody` is `nobody`");
    assert!(
        matches!(&err, sources::Error::Unmet { step: "find", outputs, .. } if outputs["name"] == "Nobody"),
        "{err:?}"
    );
    assert_eq!(requests(&seen), ["GET /pets/7"], "nothing created");
}

#[tokio::test]
async fn a_workflow_step_is_retried_then_its_failure_actions_go_on() {
    let inputs = || sources::find_with_retry::Inputs { id: "7".into() };
    let listed = r#"[{"id":"1","name":"Fido"}]"#;
    // The called workflow fails (404), is retried once, fails again: `give-up` goes to `list`.
    let (base, seen) = server(vec![(404, "{}", &[]), (404, "{}", &[]), (200, listed, &[])]).await;
    let out = sources::find_with_retry(&sources_clients(&base), inputs())
        .await
        .expect("falls back to the list");
    assert_eq!(requests(&seen), ["GET /pets/7", "GET /pets/7", "GET /pets"]);
    assert_eq!((out.found, out.first.as_deref()), (None, Some("Fido")));

    // Outputs that fail the criteria: the first failure action's own criterion reads them.
    let dog = r#"{"id":"7","name":"Rex","tag":"dog"}"#;
    let (base, seen) = server(vec![(200, dog, &[]), (200, listed, &[])]).await;
    let out = sources::find_with_retry(&sources_clients(&base), inputs())
        .await
        .expect("not a cat: the list");
    assert_eq!(requests(&seen), ["GET /pets/7", "GET /pets"], "no retry");
    assert_eq!(out.first.as_deref(), Some("Fido"));

    let cat = r#"{"id":"7","name":"Tom","tag":"cat"}"#;
    let (base, seen) = server(vec![(200, cat, &[])]).await;
    let out = sources::find_with_retry(&sources_clients(&base), inputs())
        .await
        .expect("a cat");
    assert_eq!(requests(&seen), ["GET /pets/7"], "success ends it");
    assert_eq!(out.found.as_deref(), Some("Tom"));
}

#[tokio::test]
async fn a_workflow_read_without_depends_on_runs_first() {
    let rex = r#"{"id":"7","name":"Rex","tag":"cat"}"#;
    let made = r#"{"id":"friend-of-7","name":"friend of Rex"}"#;
    let (base, seen) = server(vec![(200, rex, &[]), (201, made, &[]), (200, made, &[])]).await;
    let out = sources::after_greeting(
        &sources_clients(&base),
        sources::after_greeting::Inputs { id: "7".into() },
    )
    .await
    .expect("runs");
    assert_eq!(
        requests(&seen),
        ["GET /pets/7", "POST /pets", "GET /pets/friend-of-7"],
        "greet-pet (and the catalogue's find-pet) first"
    );
    assert_eq!(out.greeted, "Rex");
    assert_eq!(out.name, "friend of Rex");
}

#[tokio::test]
async fn a_state_machine_runs_its_dependency_and_reads_a_called_workflows_status() {
    let rex = r#"{"id":"7","name":"Rex","tag":"cat"}"#;
    let made = r#"{"id":"friend-of-7","name":"friend of Rex"}"#;
    let (base, seen) = server(vec![(200, rex, &[]), (201, made, &[]), (200, made, &[])]).await;
    let out = sources::greet_and_check(
        &sources_clients(&base),
        sources::greet_and_check::Inputs { id: "7".into() },
    )
    .await
    .expect("runs");
    assert_eq!(
        requests(&seen),
        ["GET /pets/7", "POST /pets", "GET /pets/friend-of-7"],
        "greet-pet (a dependency) first, then the catalogue's find-pet"
    );
    assert_eq!(out.greeted, "Rex");
    // `$statusCode` of a step that calls a workflow: its last response's.
    assert_eq!(out.status, Some(200));
    assert_eq!(out.checked.as_deref(), Some("friend of Rex"));
}

/// A description whose names collide in Rust (`tests/generate/names`): the renamed operation
/// (`post` is `post_operation`) still calls `POST /ping`, the parameter kept of two with one
/// Rust name goes where it is declared, a `+json` body goes out with its declared media type,
/// and a multipart body as multipart parts.
#[tokio::test]
async fn renamed_names_still_reach_the_wire_as_declared() {
    let sub = r#"{"id":"s-1","schedule":{"phase":"trial"}}"#;
    let (base, seen) = server(vec![
        (200, sub, &[]),
        (201, sub, &[]),
        (204, "", &[]),
        (204, "", &[]),
    ])
    .await;
    let out = names::read_subscription(
        &names::Clients::with_base_urls(|_| base.clone()),
        names::read_subscription::Inputs {
            subscription_id: "s-1".into(),
        },
    )
    .await
    .expect("runs");
    assert_eq!(out.id, "s-1");
    assert_eq!(out.phase.as_deref(), Some("trial"));
    assert_eq!(out.created, "s-1");
    let seen = seen.lock().expect("lock").clone();
    let lines: Vec<&str> = seen.iter().map(|(r, ..)| r.as_str()).collect();
    assert_eq!(
        lines,
        vec![
            "GET /subscriptions/s-1?MaxResults=10",
            "POST /subscriptions",
            "POST /subscriptions/s-1/documents",
            "POST /ping"
        ]
    );
    // The multipart body: one part per field, the binary one as a file.
    let head = &seen[2].3;
    let boundary = head
        .split("content-type: multipart/form-data; boundary=")
        .nth(1)
        .and_then(|rest| rest.split("\r\n").next())
        .expect("a multipart content type");
    assert_eq!(
        seen[2].2,
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"file\"\r\nContent-Type: application/octet-stream\r\n\r\nPDF bytes\r\n\
             --{boundary}\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nrenewal\r\n--{boundary}--\r\n"
        )
    );
    assert!(
        seen[1]
            .3
            .contains("content-type: application/vnd.billing+json\r\n"),
        "{}",
        seen[1].3
    );
    assert!(!seen[0].3.contains("maxresults:"), "{}", seen[0].3);
}

async fn read_repo(reply: &'static str) -> Result<responses::read_repo::Outputs, responses::Error> {
    let (base, _) = server(vec![(200, reply, &[])]).await;
    responses::read_repo(
        &responses::Clients::with_base_urls(|_| base.clone()),
        responses::read_repo::Inputs { name: "r".into() },
    )
    .await
}

#[tokio::test]
async fn a_step_reads_only_the_fields_it_uses() {
    // `name` and `language` are required but missing, `visibility` is out of its enum, the
    // owner's `id` is a string and an unknown field is there: nothing reads them.
    let out = read_repo(
        r#"{"id":"r-1","stars":5,"visibility":"internal","owner":{"login":"ada","id":"x"},"extra":[1],"additionalProperties":"kept"}"#,
    )
    .await
    .expect("fields the workflow does not read do not matter");
    assert_eq!((out.id.as_str(), out.owner.as_str()), ("r-1", "ada"));
    assert_eq!(
        out.note.as_deref(),
        Some("kept"),
        "a property named `additionalProperties`"
    );
    let err = read_repo(r#"{"id":"r-1","stars":5,"visibility":"secret","owner":{"login":"ada"}}"#)
        .await
        .expect_err("the double-quoted JSONPath comparison fails");
    assert_eq!(err.step(), Some("read"), "{err}");
}

#[tokio::test]
async fn a_field_the_workflow_reads_must_fit_its_type() {
    let missing = read_repo(r#"{"stars":5,"owner":{"login":"ada"}}"#)
        .await
        .expect_err("`id` is read and missing");
    assert_eq!(missing.step(), Some("read"), "{missing}");
    assert!(missing.to_string().contains("`id`"), "{missing}");
    let mistyped = read_repo(r#"{"id":"r-1","stars":5,"owner":{"login":7}}"#)
        .await
        .expect_err("`owner/login` is read and not a string");
    assert!(mistyped.to_string().contains("`owner`"), "{mistyped}");
    let criterion = read_repo(r#"{"id":"r-1","stars":"many","owner":{"login":"ada"}}"#)
        .await
        .expect_err("`stars` is read by a criterion and is not a number");
    assert_eq!(criterion.step(), Some("read"), "{criterion}");
}

#[tokio::test]
async fn a_number_goes_into_a_path_parameter_of_several_types_as_its_text() {
    let (base, seen) = server(vec![(200, r#"{"id":"r-42"}"#, &[])]).await;
    let out = responses::read_repo_by_number(
        &responses::Clients::with_base_urls(|_| base.clone()),
        Default::default(),
    )
    .await
    .expect("runs");
    assert_eq!(out.id, "r-42");
    assert_eq!(requests(&seen), ["GET /repos/42"]);
}
