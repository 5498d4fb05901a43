//! A loopback server that records the exact bytes of each request it gets (read with the
//! emulator crate's request reader).

use std::sync::{Arc, Mutex};

/// Serves canned responses, one per request in order, and records each request's bytes.
pub async fn server(responses: Vec<(u16, &'static str)>) -> (String, Arc<Mutex<Vec<Vec<u8>>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let record = Arc::clone(&seen);
    let mut replies = responses.into_iter();
    let base = seed_emulator::http::serve(move |request| {
        record.lock().expect("lock").push(request.raw.clone());
        match replies.next() {
            Some((status, body)) => (status, body.to_string(), Vec::new()),
            None => (
                500,
                r#"{"error":"no more canned responses"}"#.into(),
                Vec::new(),
            ),
        }
    })
    .expect("bind loopback");
    (base, seen)
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).expect("utf-8 request")
}
