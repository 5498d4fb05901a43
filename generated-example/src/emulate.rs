//! `sync-customer emulator`: the loopback emulator of both APIs, served until stopped, for
//! trying `sync-customer` and `sync-customer batch` offline.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Args;
use seed_emulator::{Config, Customer, Emulator};

/// The keys the served emulator accepts.
const AMBERFLO_KEY: &str = "af_emulated_key";
const STRIPE_KEY: &str = "sk_test_emulated";

/// The emulator's options.
#[derive(Args)]
pub struct EmulatorArgs {
    /// How many Amberflo customers it holds (`cust-00001`, ...).
    #[arg(long, value_name = "N", default_value_t = 1000)]
    customers: usize,
    /// Also write them as a CSV input for `sync-customer batch`.
    #[arg(long, value_name = "FILE")]
    write_input: Option<PathBuf>,
}

/// The customers the emulator holds: `cust-00001` ... with names and e-mail addresses.
pub fn customers(n: usize) -> Vec<Customer> {
    (1..=n)
        .map(|i| Customer {
            customer_id: format!("cust-{i:05}"),
            customer_name: format!("Customer {i}"),
            customer_email: Some(format!("customer{i}@example.test")),
        })
        .collect()
}

/// Serves until killed; prints the environment to use, then every 5 s how many Stripe
/// customers exist.
pub fn run(args: &EmulatorArgs) -> ExitCode {
    let held = customers(args.customers);
    if let Some(path) = &args.write_input {
        let mut text = String::from("amberfloCustomerId,customerEmail\n");
        for c in &held {
            text.push_str(&format!(
                "{},{}\n",
                c.customer_id,
                c.customer_email.as_deref().unwrap_or_default()
            ));
        }
        if let Err(e) = std::fs::write(path, text) {
            eprintln!("sync-customer: cannot write {}: {e}", path.display());
            return ExitCode::from(2);
        }
    }
    let emulator = match Emulator::start(Config {
        amberflo_api_key: AMBERFLO_KEY.into(),
        stripe_api_key: STRIPE_KEY.into(),
        customers: held,
    }) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("sync-customer: cannot start the emulator on loopback: {e}");
            return ExitCode::from(2);
        }
    };
    println!(
        "export AMBERFLO_API_KEY={AMBERFLO_KEY} STRIPE_API_KEY={STRIPE_KEY} AMBERFLO_BASE_URL={} STRIPE_BASE_URL={}",
        emulator.amberflo_url(),
        emulator.stripe_url()
    );
    let _ = std::io::stdout().flush();
    let mut last = usize::MAX;
    loop {
        std::thread::sleep(Duration::from_secs(5));
        let now = emulator.stripe_customer_count();
        if now != last {
            eprintln!("sync-customer emulator: {now} Stripe customers");
            last = now;
        }
    }
}
