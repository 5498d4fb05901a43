//! What the generated workflow costs at run time: one `sync_customer_to_stripe` run in-process
//! against the loopback emulator, beside a hand-written reqwest function that makes the same
//! two requests (the idempotency key included) to the same emulator on the same reqwest clients;
//! and the whole-process time of `sync-customer` per run.
//!
//! ```sh
//! cargo build --release -p generated-example   # for the whole-process figure
//! cargo run --release --example workflow_bench
//! ```
//!
//! Runs alternate between the two functions one by one, so drift in the machine's load falls on
//! both alike. It prints the medians and their ratio (generated / hand-written).
//!
//! `-- --pairs N` runs N pairs untimed and stops, for counting instructions instead of time,
//! which this machine's noise does not touch:
//!
//! ```sh
//! for f in sync_customer_to_stripe hand_written; do
//!   valgrind --tool=callgrind --toggle-collect="*$f*" --callgrind-out-file=/tmp/$f.out \
//!     target/release/examples/workflow_bench --pairs 300
//! done   # each "I refs" total over 320 runs (300, and the 20 warm-up runs)
//! ```
//!
//! `-- --only generated` or `-- --only hand-written` runs one side alone (timed, or with
//! `--pairs`, for counting what the client's thread does per run: everything it runs, the
//! runtime's I/O driver included, less a `--pairs 0` run):
//!
//! ```sh
//! for side in generated hand-written; do for n in 0 300; do
//!   valgrind --tool=callgrind --separate-threads=yes --cache-sim=yes \
//!     --callgrind-out-file=/tmp/$side-$n.out \
//!     target/release/examples/workflow_bench --only $side --pairs $n
//! done; done   # the `summary:` line of each `-01` file (the main thread); (300 - 0) / 300
//! ```

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use arazzo_runtime::Secret;
use seed_emulator::{Config, Customer, Emulator};
use seed_workflows::{
    amberflo_billing_api, stripe_customers_api, sync_customer_to_stripe, Clients,
};

const AMBERFLO_KEY: &str = "af-bench";
const STRIPE_KEY: &str = "sk_test_bench";
const ROUNDS: usize = 20;
const RUNS_PER_ROUND: usize = 50;
const PROCESS_RUNS: usize = 30;

/// The same two requests, written by hand with reqwest, as a careful user would, on the
/// generated clients' own reqwest clients (so both use the same connections, the same emulator
/// threads, the same settings): an idempotency key on the create, as the generated code sends.
async fn hand_written(
    (amberflo_http, stripe_http): (&reqwest::Client, &reqwest::Client),
    amberflo: &str,
    stripe: &str,
    id: &str,
    email: &str,
) -> Result<(String, String), String> {
    let mut url = reqwest::Url::parse(amberflo).map_err(|e| e.to_string())?;
    url.path_segments_mut()
        .map_err(|_| "base URL")?
        .pop_if_empty()
        .extend(["customers", id]);
    let response = amberflo_http
        .get(url)
        .header("x-api-key", AMBERFLO_KEY)
        .header("accept", "application/json")
        .send()
        .await
        .map_err(|e| e.to_string())?;
    if response.status() != 200 {
        return Err(format!("amberflo: {}", response.status()));
    }
    let customer: serde_json::Value = response.json().await.map_err(|e| e.to_string())?;
    let name = customer["customerName"]
        .as_str()
        .ok_or("no customerName")?
        .to_string();
    let customer_id = customer["customerId"].as_str().ok_or("no customerId")?;
    let form = [
        ("email", email),
        ("metadata[amberflo_customer_id]", customer_id),
        ("name", name.as_str()),
    ]
    .iter()
    .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
    .collect::<Vec<_>>()
    .join("&");
    let response = stripe_http
        .post(format!("{stripe}/v1/customers"))
        .basic_auth(STRIPE_KEY, Some(""))
        .header("idempotency-key", uuid::Uuid::new_v4().to_string())
        .header("content-type", "application/x-www-form-urlencoded")
        .header("accept", "application/json")
        .body(form)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    if response.status() != 200 {
        return Err(format!("stripe: {}", response.status()));
    }
    let created: serde_json::Value = response.json().await.map_err(|e| e.to_string())?;
    let stripe_id = created["id"].as_str().ok_or("no id")?.to_string();
    Ok((name, stripe_id))
}

/// Form encoding of one key or value, keeping Stripe's brackets readable.
fn encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'*' | b'[' | b']' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn micros(d: Duration) -> String {
    format!("{:.1} µs", d.as_secs_f64() * 1e6)
}

fn main() {
    let emulator = Emulator::start(Config {
        amberflo_api_key: AMBERFLO_KEY.into(),
        stripe_api_key: STRIPE_KEY.into(),
        customers: vec![Customer {
            customer_id: "cust-001".into(),
            customer_name: "Ada Lovelace".into(),
            customer_email: None,
        }],
    })
    .expect("the emulator starts");
    let (amberflo, stripe) = (emulator.amberflo_url(), emulator.stripe_url());
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let clients = Clients {
        amberflo_billing_api: amberflo_billing_api::Client::new(
            &amberflo,
            amberflo_billing_api::Settings {
                api_key_auth: Some(Secret::new(AMBERFLO_KEY)),
                ..Default::default()
            },
        ),
        stripe_customers_api: stripe_customers_api::Client::new(
            &stripe,
            stripe_customers_api::Settings {
                basic_auth: Some((Secret::new(STRIPE_KEY), Secret::new(""))),
                ..Default::default()
            },
        ),
    };
    // The hand-written function sends on the generated clients' reqwest clients.
    use progenitor_client::ClientInfo;
    let http = (
        clients.amberflo_billing_api.client(),
        clients.stripe_customers_api.client(),
    );
    let inputs = || sync_customer_to_stripe::Inputs {
        amberflo_customer_id: Some("cust-001".into()),
        customer_email: Some("ada@example.test".into()),
    };
    let pairs: Option<usize> = std::env::args()
        .skip_while(|a| a != "--pairs")
        .nth(1)
        .and_then(|n| n.parse().ok());
    // `--only generated` or `--only hand-written` runs one side alone: timed, or with
    // `--pairs`, for counting what the whole process does (emulator threads and runtime
    // included).
    let only = std::env::args().skip_while(|a| a != "--only").nth(1);
    let (run_generated, run_hand) = match only.as_deref() {
        Some("generated") => (true, false),
        Some("hand-written") => (false, true),
        _ => (true, true),
    };
    let (mut generated, mut hand) = (Vec::new(), Vec::new());
    runtime.block_on(async {
        // Warm both connection pools and the emulator's threads (with `--pairs`, this is
        // all there is).
        for _ in 0..20 + pairs.unwrap_or(0) {
            if run_generated {
                sync_customer_to_stripe(&clients, inputs())
                    .await
                    .expect("generated run");
            }
            if run_hand {
                hand_written(http, &amberflo, &stripe, "cust-001", "ada@example.test")
                    .await
                    .expect("hand-written run");
            }
        }
        if pairs.is_some() {
            return;
        }
        for i in 0..ROUNDS * RUNS_PER_ROUND {
            // Alternate which goes first, so neither always meets a warm or a cold moment.
            for generated_turn in [i % 2 == 0, i % 2 != 0] {
                let t = Instant::now();
                if generated_turn && run_generated {
                    let out = sync_customer_to_stripe(&clients, inputs())
                        .await
                        .expect("generated run");
                    generated.push(t.elapsed());
                    std::hint::black_box(out);
                } else if !generated_turn && run_hand {
                    let out =
                        hand_written(http, &amberflo, &stripe, "cust-001", "ada@example.test")
                            .await
                            .expect("hand-written run");
                    hand.push(t.elapsed());
                    std::hint::black_box(out);
                }
            }
        }
    });
    if let Some(n) = pairs {
        println!("{n} pairs run (and 20 to warm up)");
        return;
    }
    if !(run_generated && run_hand) {
        let (side, times) = if run_generated {
            ("generated", generated)
        } else {
            ("hand-written", hand)
        };
        let runs = times.len();
        println!(
            "{side} alone, median of {runs} runs: {}",
            micros(median(times))
        );
        return;
    }
    let runs = generated.len();
    let (g, h) = (median(generated), median(hand));
    println!("one workflow run in-process (two requests on loopback), median of {runs} runs each:");
    println!("  generated sync_customer_to_stripe: {}", micros(g));
    println!("  hand-written reqwest function:     {}", micros(h));
    println!(
        "  ratio generated / hand-written:    {:.3}",
        g.as_secs_f64() / h.as_secs_f64()
    );

    let binary = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("target"))
        .join("release/sync-customer");
    if !binary.is_file() {
        println!(
            "whole-process time: skipped ({} not built; run `cargo build --release -p generated-example`)",
            binary.display()
        );
        return;
    }
    let mut process = Vec::new();
    for _ in 0..PROCESS_RUNS {
        let t = Instant::now();
        let out = Command::new(&binary)
            .args([
                "--amberflo-customer-id",
                "cust-001",
                "--customer-email",
                "ada@example.test",
                "--json",
            ])
            .env("AMBERFLO_API_KEY", AMBERFLO_KEY)
            .env("STRIPE_API_KEY", STRIPE_KEY)
            .env("AMBERFLO_BASE_URL", &amberflo)
            .env("STRIPE_BASE_URL", &stripe)
            .output()
            .expect("sync-customer runs");
        process.push(t.elapsed());
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    println!(
        "whole process `sync-customer --json` against the emulator, median of {PROCESS_RUNS} runs: {:.2} ms",
        median(process).as_secs_f64() * 1e3
    );
}
