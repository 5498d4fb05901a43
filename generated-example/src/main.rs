//! `sync-customer`: the seed workflow as a command, built on the generated
//! `seed_workflows::sync_customer_to_stripe`.
//!
//! ```text
//! sync-customer --amberflo-customer-id ID --customer-email EMAIL [--json]
//! sync-customer demo [--json]
//! ```
//!
//! The first form calls the real APIs, configured by the environment: `AMBERFLO_API_KEY`,
//! `STRIPE_API_KEY`, `AMBERFLO_BASE_URL` (default `https://app.amberflo.io`) and
//! `STRIPE_BASE_URL` (default `https://api.stripe.com`). `demo` runs the same workflow against a
//! built-in emulator of both APIs on loopback and prints what went over the wire.
//!
//! Exit codes: 0 success; 1 the workflow failed (one line on stderr names the step and the
//! status); 2 the command line or the environment is wrong (nothing was sent).

mod demo;

use std::process::ExitCode;
use std::time::Duration;

use arazzo_runtime::Secret;
use clap::{Args, Parser, Subcommand};
use seed_workflows::{
    amberflo_billing_api, stripe_customers_api, sync_customer_to_stripe, Clients, Error,
};

/// Copy an Amberflo billing customer into Stripe: read it by id, then create a Stripe customer
/// with its name, the given e-mail address, and the Amberflo id in its metadata.
#[derive(Parser)]
#[command(
    name = "sync-customer",
    version,
    subcommand_negates_reqs = true,
    args_conflicts_with_subcommands = true,
    after_help = "Environment: AMBERFLO_API_KEY and STRIPE_API_KEY (required); AMBERFLO_BASE_URL \
                  (default https://app.amberflo.io) and STRIPE_BASE_URL (default \
                  https://api.stripe.com).\nExit codes: 0 success, 1 the workflow failed, 2 the \
                  command line or environment is wrong."
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    run: Run,
}

#[derive(Args)]
struct Run {
    /// The customer's id in Amberflo.
    #[arg(long, value_name = "ID", required = true)]
    amberflo_customer_id: Option<String>,
    /// The e-mail address the Stripe customer gets.
    #[arg(long, value_name = "EMAIL", required = true)]
    customer_email: Option<String>,
    /// Print exactly one JSON object, `{"customerName": ..., "stripeCustomerId": ...}`.
    #[arg(long)]
    json: bool,
}

#[derive(Subcommand)]
enum Command {
    /// Run the workflow against a built-in emulator of both APIs on loopback (offline) and print
    /// each request and response, then the outputs.
    Demo(demo::DemoArgs),
}

/// How long one request may take, connecting included.
const TIMEOUT: Duration = Duration::from_secs(30);

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("sync-customer: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match cli.command {
        Some(Command::Demo(args)) => runtime.block_on(demo::run(args)),
        None => runtime.block_on(run(cli.run)),
    }
}

/// The workflow against the configured APIs.
async fn run(args: Run) -> ExitCode {
    let config = match Environment::read(|name| std::env::var(name).ok()) {
        Ok(config) => config,
        Err(message) => {
            eprintln!("sync-customer: {message}");
            return ExitCode::from(2);
        }
    };
    let clients = match clients(&config) {
        Ok(clients) => clients,
        Err(message) => {
            eprintln!("sync-customer: {message}");
            return ExitCode::from(2);
        }
    };
    let inputs = sync_customer_to_stripe::Inputs {
        amberflo_customer_id: args.amberflo_customer_id,
        customer_email: args.customer_email,
    };
    report(sync_customer_to_stripe(&clients, inputs).await, args.json)
}

/// The configuration the environment gives.
struct Environment {
    amberflo_api_key: Secret,
    stripe_api_key: Secret,
    amberflo_base_url: String,
    stripe_base_url: String,
}

impl Environment {
    /// Reads the four variables; every missing key is named in the one error.
    fn read(var: impl Fn(&str) -> Option<String>) -> Result<Environment, String> {
        let key = |name: &str| var(name).filter(|v| !v.trim().is_empty());
        let amberflo = key("AMBERFLO_API_KEY");
        let stripe = key("STRIPE_API_KEY");
        let (amberflo_api_key, stripe_api_key) = match (amberflo, stripe) {
            (Some(a), Some(s)) => (Secret::new(a), Secret::new(s)),
            (a, s) => {
                let missing: Vec<&str> = [
                    ("AMBERFLO_API_KEY", a.is_none()),
                    ("STRIPE_API_KEY", s.is_none()),
                ]
                .iter()
                .filter(|(_, missing)| *missing)
                .map(|(name, _)| *name)
                .collect();
                return Err(format!(
                    "{} not set; export the API key{} (nothing was sent), or try `sync-customer demo`",
                    missing.join(" and "),
                    if missing.len() > 1 { "s" } else { "" },
                ));
            }
        };
        let url = |name: &str, default: &str| -> Result<String, String> {
            let value = key(name).unwrap_or_else(|| default.to_string());
            match reqwest::Url::parse(&value) {
                Ok(u) if matches!(u.scheme(), "http" | "https") => Ok(value),
                _ => Err(format!("{name} is not an http(s) URL: `{value}`")),
            }
        };
        Ok(Environment {
            amberflo_api_key,
            stripe_api_key,
            amberflo_base_url: url("AMBERFLO_BASE_URL", "https://app.amberflo.io")?,
            stripe_base_url: url("STRIPE_BASE_URL", "https://api.stripe.com")?,
        })
    }
}

/// One client per API; Stripe takes the secret key as the basic-auth user name.
fn clients(config: &Environment) -> Result<Clients, String> {
    let http = || {
        reqwest::Client::builder()
            .connect_timeout(TIMEOUT)
            .timeout(TIMEOUT)
            .build()
            .map_err(|e| format!("cannot set up HTTP: {e}"))
    };
    Ok(Clients {
        amberflo_billing_api: amberflo_billing_api::Client::new_with_client(
            &config.amberflo_base_url,
            http()?,
            amberflo_billing_api::Settings {
                api_key_auth: Some(config.amberflo_api_key.clone()),
                ..Default::default()
            },
        ),
        stripe_customers_api: stripe_customers_api::Client::new_with_client(
            &config.stripe_base_url,
            http()?,
            stripe_customers_api::Settings {
                basic_auth: Some((config.stripe_api_key.clone(), Secret::new(""))),
                ..Default::default()
            },
        ),
    })
}

/// Prints the outputs (exit 0) or one line naming the failed step and status (exit 1).
fn report(result: Result<sync_customer_to_stripe::Outputs, Error>, json: bool) -> ExitCode {
    match result {
        Ok(outputs) if json => match serde_json::to_string(&outputs) {
            Ok(text) => {
                println!("{text}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("sync-customer: cannot write the outputs as JSON: {e}");
                ExitCode::FAILURE
            }
        },
        Ok(outputs) => {
            println!("customerName      {}", outputs.customer_name);
            println!("stripeCustomerId  {}", outputs.stripe_customer_id);
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("sync-customer: {}", failure_line(&err));
            ExitCode::FAILURE
        }
    }
}

/// The error on one line, with the API's own message when its body carries one.
fn failure_line(err: &Error) -> String {
    let mut line = err.to_string();
    if let Error::Failed {
        body: Some(body), ..
    } = err
    {
        let message = body
            .pointer("/error/message")
            .or_else(|| body.pointer("/message"))
            .and_then(|m| m.as_str());
        if let Some(message) = message {
            line.push_str(": ");
            line.push_str(message);
        }
    }
    line.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |name| {
            pairs
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        }
    }

    #[test]
    fn every_missing_key_is_named() {
        let err = Environment::read(env(&[("STRIPE_API_KEY", " ")])).err();
        assert_eq!(
            err.as_deref(),
            Some("AMBERFLO_API_KEY and STRIPE_API_KEY not set; export the API keys (nothing was sent), or try `sync-customer demo`")
        );
        let err = Environment::read(env(&[("AMBERFLO_API_KEY", "a")])).err();
        assert!(err.is_some_and(|e| e.starts_with("STRIPE_API_KEY not set; export the API key ")));
    }

    #[test]
    fn base_urls_default_and_are_checked() {
        let keys = [("AMBERFLO_API_KEY", "a"), ("STRIPE_API_KEY", "s")];
        let config = Environment::read(env(&keys)).expect("valid");
        assert_eq!(config.amberflo_base_url, "https://app.amberflo.io");
        assert_eq!(config.stripe_base_url, "https://api.stripe.com");
        let mut bad = keys.to_vec();
        bad.push(("STRIPE_BASE_URL", "api.stripe.com"));
        assert_eq!(
            Environment::read(env(&bad)).err().as_deref(),
            Some("STRIPE_BASE_URL is not an http(s) URL: `api.stripe.com`")
        );
    }
}
