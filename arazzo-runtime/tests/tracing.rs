//! The spans and events a run emits, in a test binary of their own: tracing caches, per
//! callsite and for the whole process, whether anyone listens, and a test on another thread
//! that meets the same callsites with no subscriber can race this test's subscriber (a test
//! that failed now and then inside the crate's unit tests).

use std::sync::{Arc, Mutex};

use arazzo_runtime::__private::{Call, Exchange, Run};
use arazzo_runtime::{Action, RunOptions};
use reqwest::header::HeaderMap;
use serde_json::json;

const CALL: Call = Call {
    source: "api",
    operation: "createThing",
    method: "POST",
    path: "/things/{id}",
};

/// A writer into a shared buffer, for the fmt subscriber.
#[derive(Clone, Default)]
struct Buffer(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Buffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn steps_are_traced_with_their_operation_status_and_duration() {
    let buffer = Buffer::default();
    let writer = buffer.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .with_max_level(tracing::Level::INFO)
        .finish();
    // The interest callsites cached before this subscriber was in place is rebuilt.
    let _guard = tracing::subscriber::set_default(subscriber);
    tracing::callsite::rebuild_interest_cache();
    let root = Run::start(&RunOptions::new().run_key("k-1"), 0);
    let run = root.workflow("doc.yml", "wf");
    let v = run.visit("create");
    run.send(&v, &CALL, true, async {
        Ok(Exchange::new(
            201,
            HeaderMap::new(),
            json!({"secret": "body"}),
        ))
    })
    .await
    .unwrap();
    run.action(&v, Action::End);
    let text = String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap();
    for expected in [
        "workflow{workflow=\"wf\" run_key=\"k-1\"}",
        "step=\"create\"",
        "operation=\"createThing\"",
        "method=\"POST\"",
        "path=\"/things/{id}\"",
        "attempt=1",
        "status=201",
        "duration_ms=",
        "action=End",
    ] {
        assert!(text.contains(expected), "{expected} in:\n{text}");
    }
    assert!(!text.contains("body"), "{text}");
}
