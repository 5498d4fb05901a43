//! The project's Arazzo 1.1 document (`tests/arazzo-1.1/amberflo.arazzo.yaml`, on the Amberflo
//! billing description of the corpus, found through its `$self`) runs each branch against a
//! loopback server: selectors in outputs and in a parameter value, typed; a step `timeout`; a
//! step that depends on another; a `goto` and a `retry` that give their workflow inputs.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use arazzo_runtime::{Action, Error, RunOptions};
use corpus_clients::arazzo_1_1_amberflo as doc;

/// Replays `replies` in order (the last for ever after), each after `delay`; what was asked
/// (method and target, and the body when there is one).
fn server(replies: Vec<(u16, &'static str)>, delay: Duration) -> (String, Arc<Mutex<Vec<String>>>) {
    let seen: Arc<Mutex<Vec<String>>> = Arc::default();
    let record = Arc::clone(&seen);
    let mut n = 0;
    let base = seed_emulator::http::serve(move |r| {
        let mut line = format!("{} {}", r.method, r.path);
        if !r.body.is_empty() {
            line = format!("{line} {}", String::from_utf8_lossy(&r.body));
        }
        record.lock().expect("lock").push(line);
        std::thread::sleep(delay);
        let (status, body) = replies[n.min(replies.len() - 1)];
        n += 1;
        (status, body.to_string(), Vec::new())
    })
    .expect("bind");
    (base, seen)
}

fn clients(base: &str) -> doc::Clients {
    doc::Clients {
        billing: doc::billing::Client::new(base, Default::default()),
    }
}

/// `read-twice` for customer `c-1`, each source at `base`.
async fn read_twice(base: &str) -> Result<doc::read_twice::Outputs, Error> {
    let inputs = doc::read_twice::Inputs {
        customer_id: "c-1".into(),
    };
    doc::read_twice(&clients(base), inputs).await
}

/// `e` is the failure of step `step` on a response with status `status`.
fn assert_failed(e: &Error, step: &str, status: u16) {
    assert!(
        matches!(e, Error::Failed { step: s, status: st, .. } if *s == step && *st == status),
        "{e:?}"
    );
}

/// `e` is the failure of step `step` because criterion `criterion` did not hold.
fn assert_unmet(e: &Error, step: &str, criterion: &str) {
    assert!(
        matches!(e, Error::Failed { step: s, criterion: c, .. } if *s == step && *c == criterion),
        "{e:?}"
    );
}

fn asked(seen: &Arc<Mutex<Vec<String>>>) -> Vec<String> {
    seen.lock().expect("lock").clone()
}

const FIRST: &str = r#"{"customerId":"c-9","customerName":"Ada","customerEmail":"ada@example.test","enabled":true}"#;
const SECOND: &str = r#"{"customerId":"c-9","customerName":"Ada","enabled":false}"#;

#[tokio::test]
async fn selectors_read_typed_outputs_and_feed_the_next_request() {
    let (base, seen) = server(vec![(200, FIRST), (200, SECOND)], Duration::ZERO);
    let out = read_twice(&base).await.expect("runs");
    // A JSONPath selector of a required string field is a `String`, not JSON.
    let name: String = out.name;
    assert_eq!(name, "Ada");
    assert_eq!(out.email.as_deref(), Some("ada@example.test"));
    assert_eq!(out.enabled, Some(false));
    // A workflow output selected from a step output that holds a whole body: typed from the
    // response schema through the selector.
    let id: Option<String> = out.id;
    assert_eq!(id.as_deref(), Some("c-9"));
    // The second request's id is selected from the first response (`$.customerId`).
    assert_eq!(asked(&seen), ["GET /customers/c-1", "GET /customers/c-9"]);
}

#[tokio::test]
async fn step_outputs_that_read_into_another_step_output_are_typed() {
    let (base, _) = server(vec![(200, FIRST), (200, SECOND)], Duration::ZERO);
    let inputs = doc::read_twice::Inputs {
        customer_id: "c-1".into(),
    };
    let reported = doc::read_twice::run(&clients(&base), inputs, &RunOptions::default()).await;
    reported.result.expect("runs");
    let again = reported
        .report
        .outputs::<doc::read_twice::steps::ReadAgain>()
        .expect("read-again ran")
        .expect("typed");
    // Typed from the response schema through the first step's output, not JSON.
    let first_name: Option<String> = again.first_name;
    let first_email: Option<String> = again.first_email;
    assert_eq!(first_name.as_deref(), Some("Ada"));
    assert_eq!(first_email.as_deref(), Some("ada@example.test"));
}

#[tokio::test]
async fn criteria_with_embedded_expressions_compare_with_earlier_outputs() {
    // The second answer names another customer: the regex built from the first fails.
    let other = r#"{"customerId":"c-10","customerName":"Ada","enabled":true}"#;
    let (base, _) = server(vec![(200, FIRST), (200, other)], Duration::ZERO);
    let e = read_twice(&base).await.expect_err("fails");
    assert_unmet(
        &e,
        "read-again",
        "^{$steps.read.outputs.customer#/customerId}$",
    );
    // Another name: the JSONPath query built from the first answer selects nothing.
    let renamed = r#"{"customerId":"c-9","customerName":"Bea","enabled":true}"#;
    let (base, _) = server(vec![(200, FIRST), (200, renamed)], Duration::ZERO);
    let e = read_twice(&base).await.expect_err("fails");
    assert_unmet(&e, "read-again", "$[?@ == '{$steps.read.outputs.name}']");
}

#[tokio::test]
async fn a_step_timeout_fails_the_step_that_takes_longer() {
    let (base, seen) = server(vec![(200, FIRST)], Duration::from_millis(2600));
    let started = std::time::Instant::now();
    let e = read_twice(&base).await.expect_err("times out");
    assert!(
        matches!(e, Error::Timeout { step: "read", after } if after == Duration::from_millis(2000)),
        "{e:?}"
    );
    assert!(started.elapsed() < Duration::from_millis(2500));
    assert_eq!(asked(&seen), ["GET /customers/c-1"]);
}

#[tokio::test]
async fn a_failed_first_step_stops_before_the_step_that_depends_on_it() {
    let (base, seen) = server(vec![(404, r#"{"message":"no"}"#)], Duration::ZERO);
    let e = read_twice(&base).await.expect_err("fails");
    assert_failed(&e, "read", 404);
    assert_eq!(asked(&seen), ["GET /customers/c-1"]);
}

#[tokio::test]
async fn an_enabled_customer_ends_the_triage() {
    let (base, seen) = server(vec![(200, FIRST)], Duration::ZERO);
    let inputs = doc::triage::Inputs {
        customer_id: "c-1".into(),
    };
    let out = doc::triage(&clients(&base), inputs).await.expect("runs");
    assert_eq!(out.name.as_deref(), Some("Ada"));
    assert_eq!(asked(&seen), ["GET /customers/c-1"]);
}

#[tokio::test]
async fn a_disabled_customer_goes_to_report_disabled_with_the_inputs_the_action_gives() {
    let (base, seen) = server(vec![(200, SECOND)], Duration::ZERO);
    let inputs = doc::triage::Inputs {
        customer_id: "c-1".into(),
    };
    let reported = doc::triage::run(&clients(&base), inputs, &RunOptions::default()).await;
    let out = reported.result.expect("runs");
    assert_eq!(out.name.as_deref(), Some("Ada"));
    assert_eq!(asked(&seen), ["GET /customers/c-1", "GET /customers/c-1"]);
    let report = reported.report;
    let look: Vec<_> = report.visits("triage", "look").collect();
    assert_eq!(look.len(), 1);
    assert_eq!(look[0].action, Action::GotoWorkflow("report-disabled"));
    // The called workflow saw the inputs the action's `parameters` gave.
    let confirm = report
        .outputs::<doc::report_disabled::steps::Confirm>()
        .expect("confirm ran")
        .expect("typed");
    // `{$self}` in the value is the document's own URI; a source's field is its value.
    assert_eq!(
        confirm.label,
        "disabled customer, seen by https://billing.example.test/workflows/customer-checks.arazzo.yaml \
         in ../openapi/amberflo-billing-openapi.yaml"
    );
    assert_eq!(confirm.enabled, Some(false));
}

#[tokio::test]
async fn a_step_listed_before_what_it_depends_on_runs_after_it() {
    let (base, seen) = server(vec![(200, FIRST), (200, SECOND)], Duration::ZERO);
    let inputs = doc::listed_out_of_order::Inputs {
        customer_id: "c-1".into(),
    };
    let out = doc::listed_out_of_order(&clients(&base), inputs)
        .await
        .expect("runs");
    assert_eq!(out.name, "Ada");
    // `first` (listed second) ran first; `again` read its answer.
    assert_eq!(asked(&seen), ["GET /customers/c-1", "GET /customers/c-9"]);
}

#[tokio::test]
async fn a_querystring_parameter_is_the_whole_query_string() {
    let list = r#"[{"customerId":"c-1","customerName":"Ada","enabled":true},
        {"customerId":"c-2","customerName":"Bea","enabled":false},
        {"customerId":"c-3","customerName":"Cy","enabled":true}]"#;
    let (base, seen) = server(vec![(200, list)], Duration::ZERO);
    let inputs = doc::search::Inputs {
        customer_id: "c 1".into(),
    };
    let out = doc::search(&clients(&base), inputs).await.expect("runs");
    assert_eq!(out.first.as_deref(), Some("Ada"));
    // A JSONPath filter selects several values: the output lists them, typed as JSON.
    let enabled: serde_json::Value = out.enabled;
    assert_eq!(enabled, serde_json::json!(["c-1", "c-3"]));
    // Sent as written, the space percent-encoded as a URL's query requires.
    assert_eq!(asked(&seen), ["GET /customers?search=c%201&pageSize=10"]);
}

#[tokio::test]
async fn a_typed_selection_that_does_not_fit_its_type_is_an_output_error() {
    // The schema says `customerId` is a string; this answer holds a number.
    let first = r#"{"customerId":9,"customerName":"Ada","enabled":true}"#;
    let second = r#"{"customerId":9,"customerName":"Ada","enabled":true}"#;
    let (base, _) = server(vec![(200, first), (200, second)], Duration::ZERO);
    let e = read_twice(&base).await.expect_err("fails");
    assert!(
        matches!(
            e,
            Error::Output {
                step: "read",
                output: "id",
                ..
            }
        ),
        "{e:?}"
    );
}

/// `read-or-create` for customer `c-1`, named `Ada`.
async fn read_or_create(base: &str) -> arazzo_runtime::Reported<doc::read_or_create::Outputs> {
    let inputs = doc::read_or_create::Inputs {
        customer_id: "c-1".into(),
        name: "Ada".into(),
    };
    doc::read_or_create::run(&clients(base), inputs, &RunOptions::default()).await
}

const MISSING: &str = r#"{"message":"no such customer"}"#;
const CREATED: &str = r#"{"customerId":"c-1","customerName":"Ada"}"#;

#[tokio::test]
async fn a_retry_runs_its_workflow_with_the_inputs_it_gives_then_the_step_again() {
    let (base, seen) = server(
        vec![(404, MISSING), (200, CREATED), (200, CREATED)],
        Duration::ZERO,
    );
    let reported = read_or_create(&base).await;
    let out = reported.result.expect("runs");
    assert_eq!(out.name.as_deref(), Some("Ada"));
    assert_eq!(
        asked(&seen),
        [
            "GET /customers/c-1",
            r#"POST /customers {"customerId":"c-1","customerName":"Ada"}"#,
            "GET /customers/c-1",
        ]
    );
    // One visit of the step, attempted twice: the retry, and the read that found it.
    let read: Vec<_> = reported.report.visits("read-or-create", "read").collect();
    assert_eq!(
        read.iter()
            .map(|v| (v.attempts, v.status))
            .collect::<Vec<_>>(),
        [(2, Some(200))]
    );
    let create: Vec<_> = reported.report.visits("create", "create").collect();
    assert_eq!(create.len(), 1);
}

#[tokio::test]
async fn a_retry_through_a_workflow_stops_at_its_limit() {
    // Still missing after the create: one retry is all the action allows.
    let (base, seen) = server(
        vec![(404, MISSING), (200, CREATED), (404, MISSING)],
        Duration::ZERO,
    );
    let e = read_or_create(&base).await.result.expect_err("fails");
    assert_failed(&e, "read", 404);
    assert_eq!(asked(&seen).len(), 3);
}

#[tokio::test]
async fn a_retry_whose_workflow_fails_fails_with_it() {
    let (base, seen) = server(vec![(404, MISSING), (400, MISSING)], Duration::ZERO);
    let e = read_or_create(&base).await.result.expect_err("fails");
    assert_failed(&e, "create", 400);
    // The step is not tried again after its workflow failed.
    assert_eq!(asked(&seen).len(), 2);
}

/// `check-then-read` for customer `c-1`.
async fn check_then_read(base: &str) -> arazzo_runtime::Reported<doc::check_then_read::Outputs> {
    let inputs = doc::check_then_read::Inputs {
        customer_id: "c-1".into(),
    };
    doc::check_then_read::run(&clients(base), inputs, &RunOptions::default()).await
}

#[tokio::test]
async fn in_a_workflow_with_actions_a_step_runs_after_the_later_listed_step_it_depends_on() {
    let (base, _) = server(vec![(200, FIRST), (200, SECOND)], Duration::ZERO);
    let reported = check_then_read(&base).await;
    let out = reported.result.expect("runs");
    // `check` (listed second) ran first and read FIRST; `read` then read SECOND.
    assert_eq!(out.enabled, Some(true));
    assert_eq!(out.name.as_deref(), Some("Ada"));
    let order: Vec<&str> = reported.report.steps.iter().map(|s| s.step).collect();
    assert_eq!(order, ["check", "read"]);
}

#[tokio::test]
async fn in_a_workflow_with_actions_an_end_before_the_dependent_step_skips_it() {
    let (base, seen) = server(vec![(200, SECOND)], Duration::ZERO);
    let out = check_then_read(&base).await.result.expect("runs");
    assert_eq!((out.enabled, out.name), (Some(false), None));
    assert_eq!(asked(&seen), ["GET /customers/c-1"]);
}

#[tokio::test]
async fn a_retry_that_names_a_step_runs_it_then_comes_back_to_the_failed_step() {
    let (base, seen) = server(
        vec![(404, MISSING), (200, "[]"), (200, FIRST)],
        Duration::ZERO,
    );
    let inputs = doc::read_after_listing::Inputs {
        customer_id: "c-1".into(),
    };
    let reported =
        doc::read_after_listing::run(&clients(&base), inputs, &RunOptions::default()).await;
    let out = reported.result.expect("runs");
    assert_eq!(out.name.as_deref(), Some("Ada"));
    // `list` (listed after `read`) ran, then `read` again, which ended the workflow.
    assert_eq!(
        asked(&seen),
        ["GET /customers/c-1", "GET /customers", "GET /customers/c-1"]
    );
    let visits: Vec<(&str, u32)> = reported
        .report
        .steps
        .iter()
        .map(|s| (s.step, s.attempts))
        .collect();
    assert_eq!(visits, [("read", 2), ("list", 1)]);
}
