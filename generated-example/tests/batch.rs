//! `sync-customer batch` against the loopback emulator: 1,000 customers, 16 at a time, at most
//! 100 requests a second to each API; killed about half-way and started again, it creates
//! nothing twice.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use seed_emulator::{Config, Customer, Emulator};

const CUSTOMERS: usize = 1000;

fn batch(emu: &Emulator, input: &std::path::Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_sync-customer"));
    command
        .args(["batch", "--input"])
        .arg(input)
        .args(["--concurrency", "16", "--rate-limit", "100"])
        .env("AMBERFLO_API_KEY", "af-key")
        .env("STRIPE_API_KEY", "sk_test_key")
        .env("AMBERFLO_BASE_URL", emu.amberflo_url())
        .env("STRIPE_BASE_URL", emu.stripe_url())
        .env_remove("RUST_LOG")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    command
}

#[test]
fn a_batch_killed_half_way_and_run_again_creates_each_customer_once() {
    let customers: Vec<Customer> = (1..=CUSTOMERS)
        .map(|i| Customer {
            customer_id: format!("cust-{i:05}"),
            customer_name: format!("Customer {i}"),
            customer_email: None,
        })
        .collect();
    let mut csv = String::from("amberfloCustomerId,customerEmail\n");
    for c in &customers {
        csv.push_str(&format!(
            "{},{}@example.test\n",
            c.customer_id, c.customer_id
        ));
    }
    let dir = std::env::temp_dir().join(format!("sync-customer-batch-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary directory");
    let input = dir.join("customers.csv");
    std::fs::write(&input, csv).expect("the input");
    let emu = Emulator::start(Config {
        amberflo_api_key: "af-key".into(),
        stripe_api_key: "sk_test_key".into(),
        customers,
    })
    .expect("the emulator starts");

    // Killed once about half the customers exist.
    let mut first = batch(&emu, &input)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the batch starts");
    let started = Instant::now();
    while emu.stripe_customer_count() < CUSTOMERS / 2 {
        assert!(started.elapsed() < Duration::from_secs(60), "too slow");
        std::thread::sleep(Duration::from_millis(20));
    }
    first.kill().expect("kill");
    let _ = first.wait();
    let created = emu.stripe_customer_count();
    assert!(created < CUSTOMERS, "{created}");

    // Again, whole: every customer synced, none twice.
    let started = Instant::now();
    let out = batch(&emu, &input).output().expect("the batch runs");
    let wall = started.elapsed().as_secs_f64();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert_eq!(emu.stripe_customer_count(), CUSTOMERS);
    let lines: Vec<serde_json::Value> = BufReader::new(&out.stdout[..])
        .lines()
        .map(|l| serde_json::from_str(&l.expect("a line")).expect("JSON"))
        .collect();
    assert_eq!(lines.len(), CUSTOMERS);
    let replayed = lines.iter().filter(|l| l["replayed"] == true).count();
    assert!(
        replayed >= created.saturating_sub(16),
        "{replayed} of {created}"
    );
    assert!(lines
        .iter()
        .all(|l| l["outputs"]["stripeCustomerId"].is_string()));
    let summary = stderr.lines().last().unwrap_or_default();
    assert!(
        summary.contains(&format!("1000 synced ({replayed} replayed")),
        "{summary}"
    );
    // Two requests a customer, each API limited to 100 a second: 200 a second in all.
    let rate = (2 * CUSTOMERS) as f64 / wall;
    assert!(
        (180.0..=220.0).contains(&rate),
        "{rate:.1} requests/s in {wall:.2} s"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
