//! `sync-customer`: the seed workflow as a command, built on the generated
//! `seed_workflows::sync_customer_to_stripe`.
//!
//! ```text
//! sync-customer --amberflo-customer-id ID --customer-email EMAIL [--json] [--run-key KEY | --new-run]
//! sync-customer batch --input FILE [--concurrency N] [--rate-limit PER_SECOND]
//! sync-customer demo [--json]
//! sync-customer emulator [--customers N]
//! ```
//!
//! The first two forms call the real APIs, configured by the environment: `AMBERFLO_API_KEY`,
//! `STRIPE_API_KEY`, `AMBERFLO_BASE_URL` (default `https://app.amberflo.io`) and
//! `STRIPE_BASE_URL` (default `https://api.stripe.com`). `demo` runs the same workflow against a
//! built-in emulator of both APIs on loopback and prints what went over the wire; `emulator`
//! serves that emulator until stopped, for trying `batch` offline.
//!
//! Every run has a run key, by default the Amberflo customer id: Stripe's idempotency keys are
//! derived from it, so running the same customer again (after a timeout, a crash, a lost
//! response) replays the customer Stripe created instead of creating a second one.
//!
//! Logs go to stderr, filtered by `RUST_LOG` (default: warnings only), so stdout holds only
//! the outputs.
//!
//! Exit codes: 0 success; 1 the workflow failed (one line on stderr names the step and the
//! status), or a customer of a batch did; 2 the command line or the environment is wrong
//! (nothing was sent).

mod batch;
mod demo;
mod emulate;

use std::process::ExitCode;
use std::time::Duration;

use arazzo_runtime::{RunOptions, Secret, TransportRetry};
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
    /// The run key Stripe's idempotency keys are derived from (default: the Amberflo
    /// customer id, so that running a customer again never creates a second Stripe customer).
    #[arg(long, value_name = "KEY", conflicts_with = "new_run")]
    run_key: Option<String>,
    #[command(flatten)]
    options: RunFlags,
}

/// What every run may set.
#[derive(Args, Clone, Debug)]
pub struct RunFlags {
    /// Random idempotency keys: this run creates a new Stripe customer even if an earlier run
    /// for the same Amberflo customer did.
    #[arg(long)]
    new_run: bool,
    /// How long one step may take, in seconds.
    #[arg(long, value_name = "SECONDS")]
    step_timeout: Option<f64>,
    /// How long the whole run may take, in seconds.
    #[arg(long, value_name = "SECONDS")]
    deadline: Option<f64>,
    /// Send a request again after a connection error, a 429 or a 503 (up to 4 sends in 30 s,
    /// honouring `Retry-After`; only requests safe to repeat).
    #[arg(long)]
    retry: bool,
}

impl RunFlags {
    /// `base` with the time bounds and retries the flags set (checked: a bound must be a
    /// positive number of seconds). The run key is set per run, by [`RunFlags::keyed`].
    pub fn options(&self, base: &RunOptions) -> Result<RunOptions, String> {
        let mut options = base.clone();
        let seconds = |flag: &str, s: f64| {
            Duration::try_from_secs_f64(s)
                .ok()
                .filter(|d| !d.is_zero())
                .ok_or(format!(
                    "--{flag} must be a positive number of seconds, not {s}"
                ))
        };
        if let Some(s) = self.step_timeout {
            options = options.step_timeout(seconds("step-timeout", s)?);
        }
        if let Some(s) = self.deadline {
            options = options.deadline(seconds("deadline", s)?);
        }
        if self.retry {
            options = options.transport_retry(TransportRetry::default());
        }
        Ok(options)
    }

    /// `options` with `run_key`, unless `--new-run` is given.
    pub fn keyed(&self, options: &RunOptions, run_key: Option<&str>) -> RunOptions {
        match run_key.filter(|_| !self.new_run) {
            Some(key) => options.clone().run_key(key),
            None => options.clone(),
        }
    }
}

#[derive(Subcommand)]
enum Command {
    /// Run the workflow against a built-in emulator of both APIs on loopback (offline) and print
    /// each request and response, then the outputs.
    Demo(demo::DemoArgs),
    /// Sync many customers: one JSON line per customer on stdout, progress and a summary on
    /// stderr.
    Batch(batch::BatchArgs),
    /// Serve the emulator of both APIs on loopback until stopped, printing the environment
    /// that points `sync-customer` at it.
    Emulator(emulate::EmulatorArgs),
}

/// How long one request may take, connecting included.
const TIMEOUT: Duration = Duration::from_secs(30);

fn main() -> ExitCode {
    let cli = Cli::parse();
    logs();
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
        Some(Command::Batch(args)) => runtime.block_on(batch::run(args)),
        Some(Command::Emulator(args)) => emulate::run(&args),
        None => runtime.block_on(run(cli.run)),
    }
}

/// Logs to stderr, filtered by `RUST_LOG` (default: warnings only).
fn logs() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
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
    let run_key = args.run_key.clone().or(args.amberflo_customer_id.clone());
    let options = match args.options.options(&RunOptions::new()) {
        Ok(options) => args.options.keyed(&options, run_key.as_deref()),
        Err(message) => {
            eprintln!("sync-customer: {message}");
            return ExitCode::from(2);
        }
    };
    let inputs = sync_customer_to_stripe::Inputs {
        amberflo_customer_id: args.amberflo_customer_id,
        customer_email: args.customer_email,
    };
    let ran = sync_customer_to_stripe::run(&clients, inputs, &options).await;
    report(ran.result, args.json)
}

/// The configuration the environment gives.
pub struct Environment {
    amberflo_api_key: Secret,
    stripe_api_key: Secret,
    amberflo_base_url: String,
    stripe_base_url: String,
}

impl Environment {
    /// Reads the four variables; every missing key is named in the one error.
    pub fn read(var: impl Fn(&str) -> Option<String>) -> Result<Environment, String> {
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
pub fn clients(config: &Environment) -> Result<Clients, String> {
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
pub fn failure_line(err: &Error) -> String {
    let mut line = err.to_string();
    if let Error::Failed {
        body: Some(body), ..
    }
    | Error::Idempotency {
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
