use reqwest::header::HeaderMap;
use serde_json::json;

use super::*;

fn exchange(status: u16, body: Value) -> Exchange {
    Exchange::new(status, HeaderMap::new(), body)
}

const CALL: Call = Call {
    source: "api",
    operation: "createThing",
    method: "POST",
    path: "/things/{id}",
};

#[tokio::test]
async fn a_retry_repeats_the_visit_and_its_key_a_goto_makes_a_new_one() {
    let root = Run::start(&RunOptions::default(), 0);
    let run = root.workflow("doc.yml", "wf");
    let first = run.visit("create");
    let key = run.key(&first);
    run.send(&first, &CALL, true, async {
        Ok(exchange(500, Value::Null))
    })
    .await
    .unwrap();
    run.retry(&first, "create");
    let again = run.visit("create");
    assert_eq!((again.number, again.attempt), (1, 2));
    assert_eq!(run.key(&again), key);
    run.outputs(&again, || vec![("id", json!("t1"))]);
    let replayed = {
        let mut h = HeaderMap::new();
        h.insert("idempotent-replayed", "true".parse().unwrap());
        Exchange::new(200, h, Value::Null)
    };
    run.send(&again, &CALL, true, async { Ok(replayed) })
        .await
        .unwrap();
    let later = run.visit("create");
    assert_eq!((later.number, later.attempt), (2, 1));
    assert_ne!(run.key(&later), key);
    let reported = root.finish(Ok(()));
    let steps = &reported.report.steps;
    assert_eq!(steps.len(), 2);
    assert_eq!((steps[0].attempts, steps[0].requests), (2, 0));
    assert_eq!(steps[0].status, Some(200));
    assert!(steps[0].replayed && reported.report.replayed());
    assert_eq!(steps[0].outputs["id"], "t1");
    assert_eq!(steps[0].action, Action::Next);
    // A step visited but never finished stays unfinished in a run that succeeded.
    assert_eq!(steps[1].action, Action::Unfinished);
}

#[tokio::test]
async fn a_result_only_run_builds_no_outputs_but_finishes_its_steps() {
    let root = Run::start(&result_only(), 0);
    let run = root.workflow("doc.yml", "wf");
    let v = run.visit("read");
    run.send(&v, &CALL, false, async { Ok(exchange(200, Value::Null)) })
        .await
        .unwrap();
    run.outputs(&v, || unreachable!("nobody reads the report's outputs"));
    let steps = root.finish(Ok(())).report.steps;
    assert_eq!(steps.len(), 1);
    assert!(steps[0].outputs.is_empty());
    assert_eq!(steps[0].action, Action::End);
}

#[test]
fn keys_derive_from_the_run_key_and_repeat_across_runs() {
    let options = RunOptions::new().run_key("cust-1");
    let key = |options: &RunOptions| {
        let root = Run::start(options, 0);
        let run = root.workflow("doc.yml", "wf");
        let v = run.visit("create");
        run.key(&v)
    };
    assert_eq!(key(&options), key(&options));
    assert_ne!(key(&options), key(&RunOptions::new().run_key("cust-2")));
    let random = RunOptions::new();
    assert_ne!(key(&random), key(&random));
}

#[test]
fn a_refused_key_is_a_typed_error_naming_the_step() {
    let root = Run::start(&RunOptions::default(), 0);
    let run = root.workflow("doc.yml", "wf");
    let v = run.visit("create");
    let refused = json!({"error": {"type": "idempotency_error", "message": "Keys for idempotent requests can only be used with the same parameters"}});
    let e = run.failed(
        &v,
        "$statusCode == 200",
        exchange(400, refused.clone()),
        true,
    );
    assert!(
        matches!(
            e,
            Error::Idempotency {
                step: "create",
                status: 400,
                ..
            }
        ),
        "{e:?}"
    );
    // Without a key sent, or another error, it is a failed criterion.
    let e = run.failed(&v, "$statusCode == 200", exchange(400, refused), false);
    assert!(matches!(e, Error::Failed { .. }));
    let other = json!({"error": {"type": "invalid_request_error"}});
    let e = run.failed(&v, "$statusCode == 200", exchange(400, other), true);
    assert!(matches!(e, Error::Failed { .. }));
    let problem =
        json!({"type": "https://example.com/problems/idempotency-key-reused", "title": "Conflict"});
    let e = run.failed(&v, "$statusCode == 201", exchange(422, problem), true);
    assert_eq!(e.kind(), "idempotency");
}

#[tokio::test(start_paused = true)]
async fn a_step_timeout_names_the_step() {
    let options = RunOptions::new().step_timeout(Duration::from_millis(50));
    let root = Run::start(&options, 0);
    let run = root.workflow("doc.yml", "wf");
    let v = run.visit("slow");
    let e = run
        .send(&v, &CALL, false, async {
            tokio::time::sleep(Duration::from_secs(5)).await;
            Ok(exchange(200, Value::Null))
        })
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Timeout { step: "slow", .. }), "{e:?}");
    let reported = root.finish::<()>(Err(e));
    assert_eq!(reported.report.steps[0].action, Action::Fail);
    assert!(reported.report.steps[0]
        .error
        .as_deref()
        .is_some_and(|e| e.contains("step timeout")));
}

#[tokio::test(start_paused = true)]
async fn the_generators_step_timeout_applies_unless_the_run_sets_one() {
    let root = Run::start(&RunOptions::default(), 20);
    let run = root.workflow("doc.yml", "wf");
    let v = run.visit("slow");
    let slow = async {
        tokio::time::sleep(Duration::from_millis(30)).await;
        Ok(exchange(200, Value::Null))
    };
    assert!(run.send(&v, &CALL, false, slow).await.is_err());
    let root = Run::start(&RunOptions::new().step_timeout(Duration::from_secs(1)), 20);
    let run = root.workflow("doc.yml", "wf");
    let v = run.visit("slow");
    let slow = async {
        tokio::time::sleep(Duration::from_millis(30)).await;
        Ok(exchange(200, Value::Null))
    };
    assert!(run.send(&v, &CALL, false, slow).await.is_ok());
}

#[tokio::test(start_paused = true)]
async fn a_deadline_stops_the_run_and_names_the_running_step() {
    let options = RunOptions::new().deadline(Duration::from_millis(100));
    let root = Run::start(&options, 0);
    let run = root.workflow("doc.yml", "wf");
    let body = async {
        let v = run.visit("first");
        run.send(&v, &CALL, false, async { Ok(exchange(200, Value::Null)) })
            .await?;
        run.outputs(&v, Vec::new);
        let v = run.visit("second");
        run.send(&v, &CALL, false, async {
            tokio::time::sleep(Duration::from_secs(10)).await;
            Ok(exchange(200, Value::Null))
        })
        .await?;
        Ok(())
    };
    let result = root.drive(body).await;
    let e = result.unwrap_err();
    assert!(
        matches!(
            e,
            Error::Deadline {
                step: Some("second"),
                ..
            }
        ),
        "{e:?}"
    );
    let report = root.finish::<()>(Err(e)).report;
    let actions: Vec<Action> = report.steps.iter().map(|s| s.action).collect();
    assert_eq!(actions, [Action::Next, Action::Unfinished]);
}

#[test]
fn a_runs_futures_can_be_spawned() {
    fn send<T: Send>(_: &T) {}
    let root = Run::start(&RunOptions::default(), 0);
    let visit = root.visit("s");
    let f = root.drive(async {
        root.send(&visit, &CALL, false, async {
            Ok(exchange(200, Value::Null))
        })
        .await
    });
    send(&f);
}

#[tokio::test]
async fn a_dependency_holds_once_its_step_has_finished_in_this_run() {
    let root = Run::start(&RunOptions::default(), 0);
    let run = root.workflow("doc.yml", "wf");
    let first = run.visit("first");
    let second = run.visit("second");
    let e = run
        .require(&second, ("doc.yml", "wf", "first"), "first")
        .unwrap_err();
    assert!(
        matches!(
            e,
            Error::Dependency {
                step: "second",
                needs: "first"
            }
        ),
        "{e:?}"
    );
    assert_eq!(
        e.to_string(),
        "step `second` depends on `first`, which has not finished in this run"
    );
    run.outputs(&first, Vec::new);
    run.require(&second, ("doc.yml", "wf", "first"), "first")
        .unwrap();
    // A step of another workflow of the run counts once it has finished there.
    let other = root.workflow("doc.yml", "other");
    let third = other.visit("third");
    assert!(other
        .require(
            &third,
            ("doc.yml", "wf", "second"),
            "$workflows.wf.steps.second"
        )
        .is_err());
}

/// A step that takes 10 s, with its own timeout of 1.5 s, in a run with `options`: its error.
async fn slow_step(options: RunOptions) -> Error {
    let root = Run::start(&options, 0);
    let run = root.workflow("doc.yml", "wf");
    let v = run.visit("slow");
    let slow = async {
        tokio::time::sleep(Duration::from_secs(10)).await;
        Ok(exchange(200, Value::Null))
    };
    run.send_within(&v, &CALL, false, 1500, slow)
        .await
        .unwrap_err()
}

#[tokio::test(start_paused = true)]
async fn a_step_timeout_bounds_its_step_and_the_shorter_run_timeout_wins() {
    let e = slow_step(RunOptions::default()).await;
    assert!(
        matches!(e, Error::Timeout { step: "slow", after } if after == Duration::from_millis(1500)),
        "{e:?}"
    );
    let e = slow_step(RunOptions::new().step_timeout(Duration::from_millis(300))).await;
    assert!(
        matches!(e, Error::Timeout { after, .. } if after == Duration::from_millis(300)),
        "{e:?}"
    );
}
