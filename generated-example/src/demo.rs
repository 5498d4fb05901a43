//! `sync-customer demo`: the workflow against the loopback emulator of both APIs, offline.

use std::process::ExitCode;

use arazzo_runtime::{RunOptions, Secret};
use clap::Args;
use seed_emulator::{Api, Config, Customer, Emulator, Exchange};
use seed_workflows::{
    amberflo_billing_api, stripe_customers_api, sync_customer_to_stripe, Clients,
};

const AMBERFLO_KEY: &str = "af_demo_key";
const STRIPE_KEY: &str = "sk_test_demo";

/// The demo's options; the defaults name the customer the emulator holds.
#[derive(Args)]
pub struct DemoArgs {
    /// The Amberflo customer to copy (the emulator holds `cust-001` and `cust 002/ü&"%`).
    #[arg(long, value_name = "ID", default_value = "cust-001")]
    amberflo_customer_id: String,
    /// The e-mail address the Stripe customer gets.
    #[arg(long, value_name = "EMAIL", default_value = "ada@example.test")]
    customer_email: String,
    /// Print only the outputs as one JSON object on stdout; the traffic goes to stderr.
    #[arg(long)]
    json: bool,
}

/// Starts the emulator, runs the workflow, prints the traffic and the outputs.
pub async fn run(args: DemoArgs) -> ExitCode {
    let emulator = match Emulator::start(Config {
        amberflo_api_key: AMBERFLO_KEY.into(),
        stripe_api_key: STRIPE_KEY.into(),
        customers: vec![
            Customer {
                customer_id: "cust-001".into(),
                customer_name: "Ada Lovelace".into(),
                customer_email: Some("ada@example.test".into()),
            },
            Customer {
                customer_id: "cust 002/ü&\"%".into(),
                customer_name: "Zoë & \"Co\" 100%/x".into(),
                customer_email: None,
            },
        ],
    }) {
        Ok(emulator) => emulator,
        Err(e) => {
            eprintln!("sync-customer: cannot start the emulator on loopback: {e}");
            return ExitCode::from(2);
        }
    };
    let clients = Clients {
        amberflo_billing_api: amberflo_billing_api::Client::new(
            &emulator.amberflo_url(),
            amberflo_billing_api::Settings {
                api_key_auth: Some(Secret::new(AMBERFLO_KEY)),
                ..Default::default()
            },
        ),
        stripe_customers_api: stripe_customers_api::Client::new(
            &emulator.stripe_url(),
            stripe_customers_api::Settings {
                basic_auth: Some((Secret::new(STRIPE_KEY), Secret::new(""))),
                ..Default::default()
            },
        ),
    };
    let mut text = format!(
        "Emulated Amberflo at {} and Stripe at {} (loopback; nothing leaves this machine).\n\
         Running sync-customer-to-stripe with amberfloCustomerId={:?}, customerEmail={:?}.\n",
        emulator.amberflo_url(),
        emulator.stripe_url(),
        args.amberflo_customer_id,
        args.customer_email,
    );
    // The run key, as in a real run: the Amberflo customer id.
    let options = RunOptions::new().run_key(args.amberflo_customer_id.clone());
    let inputs = sync_customer_to_stripe::Inputs {
        amberflo_customer_id: Some(args.amberflo_customer_id),
        customer_email: Some(args.customer_email),
    };
    let result = sync_customer_to_stripe::run(&clients, inputs, &options)
        .await
        .result;
    for exchange in emulator.exchanges() {
        text.push('\n');
        text.push_str(&render(&exchange));
    }
    if args.json {
        eprint!("{text}");
    } else {
        println!("{text}");
        if result.is_ok() {
            println!("Outputs:");
        }
    }
    crate::report(result, args.json)
}

/// One exchange as it went over the wire, credentials redacted.
fn render(exchange: &Exchange) -> String {
    let api = match exchange.api {
        Api::Amberflo => "Amberflo",
        Api::Stripe => "Stripe",
    };
    let request = String::from_utf8_lossy(&exchange.request);
    let (head, body) = request.split_once("\r\n\r\n").unwrap_or((&request, ""));
    let mut out = format!("--> {api}\n");
    for line in head.lines() {
        match line.split_once(':') {
            Some((name, _))
                if name.eq_ignore_ascii_case("authorization")
                    || name.eq_ignore_ascii_case("x-api-key") =>
            {
                out.push_str(&format!("{name}: <redacted>\n"));
            }
            _ => {
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    if !body.is_empty() {
        out.push('\n');
        out.push_str(body);
        out.push('\n');
    }
    let response = serde_json::to_string_pretty(&exchange.response)
        .unwrap_or_else(|_| exchange.response.to_string());
    out.push_str(&format!("<-- {api} {}\n{response}\n", exchange.status));
    out
}
