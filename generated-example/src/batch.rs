//! `sync-customer batch`: the workflow over many customers, with bounded concurrency and a
//! rate limit per API, on the runtime's batch helper.

use std::cell::RefCell;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use arazzo_runtime::{Error, Progress, Reported, RunOptions};
use clap::Args;
use seed_workflows::sync_customer_to_stripe::{self, Inputs, Outputs};
use serde_json::{json, Value};

use crate::{clients, failure_line, Environment, RunFlags};

/// The batch's options.
#[derive(Args)]
pub struct BatchArgs {
    /// The customers: JSON lines (`{"amberfloCustomerId": .., "customerEmail": ..}`) or CSV
    /// (`amberfloCustomerId,customerEmail`, a header row optional).
    #[arg(long, value_name = "FILE")]
    input: PathBuf,
    /// How many customers are synced at once.
    #[arg(long, value_name = "N", default_value_t = 16)]
    concurrency: usize,
    /// Requests a second to each API at most (0: no limit). Stripe allows 25 in test mode and
    /// 100 live.
    #[arg(long, value_name = "PER_SECOND", default_value_t = 25.0)]
    rate_limit: f64,
    #[command(flatten)]
    options: RunFlags,
}

/// The sources of the workflow's document, whose requests are rate limited.
const SOURCES: [&str; 2] = ["amberfloBillingApi", "stripeCustomersApi"];

/// Counts for the summary.
#[derive(Default)]
struct Tally {
    synced: usize,
    replayed: usize,
    failed: usize,
    requests: u64,
}

/// Syncs every customer of the input; exit 1 when any failed.
pub async fn run(args: BatchArgs) -> ExitCode {
    let prepared = Environment::read(|name| std::env::var(name).ok())
        .and_then(|config| clients(&config))
        .and_then(|clients| Ok((clients, read_input(&args.input)?)))
        .and_then(|(clients, inputs)| {
            let mut base = RunOptions::new();
            if args.rate_limit > 0.0 {
                for source in SOURCES {
                    base = base.rate_limit(source, args.rate_limit);
                }
            }
            // The flags are checked once, before anything is sent.
            Ok((clients, inputs, args.options.options(&base)?))
        });
    let (clients, inputs, options) = match prepared {
        Ok(p) => p,
        Err(message) => {
            eprintln!("sync-customer: {message}");
            return ExitCode::from(2);
        }
    };
    let ids: Vec<String> = inputs
        .iter()
        .map(|i| i.amberflo_customer_id.clone().unwrap_or_default())
        .collect();
    let total = inputs.len();
    let tally = RefCell::new(Tally::default());
    let bar = std::io::stderr().is_terminal().then(|| {
        let bar = indicatif::ProgressBar::new(total as u64);
        if let Ok(style) = indicatif::ProgressStyle::with_template(
            "{bar:40} {pos}/{len} customers, {msg} [{elapsed_precise}, {eta} left]",
        ) {
            bar.set_style(style);
        }
        bar
    });
    let mut last_line = Instant::now();
    let started = Instant::now();
    let work = arazzo_runtime::batch(
        inputs,
        args.concurrency,
        |inputs: Inputs| {
            let options = args
                .options
                .keyed(&options, inputs.amberflo_customer_id.as_deref());
            let clients = &clients;
            async move { sync_customer_to_stripe::run(clients, inputs, &options).await }
        },
        |i, reported, progress| {
            let mut t = tally.borrow_mut();
            println!("{}", line(&ids[i], &reported, &mut t));
            match &bar {
                Some(bar) => {
                    bar.set_position(progress.done as u64);
                    bar.set_message(format!("{} failed", progress.failed));
                }
                None if last_line.elapsed() >= Duration::from_secs(5) || progress.done == total => {
                    last_line = Instant::now();
                    eprintln!("sync-customer: {}", progress_line(&progress));
                }
                None => {}
            }
        },
    );
    let interrupted = tokio::select! {
        _ = work => false,
        _ = tokio::signal::ctrl_c() => true,
    };
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    let t = tally.into_inner();
    let elapsed = started.elapsed().as_secs_f64();
    let done = t.synced + t.failed;
    eprintln!(
        "sync-customer: {done} of {total} customers in {elapsed:.1} s: {} synced ({} replayed: created by an earlier run with the same run key, not again), {} failed; {} requests, {:.1} requests/s",
        t.synced,
        t.replayed,
        t.failed,
        t.requests,
        t.requests as f64 / elapsed.max(1e-9),
    );
    if interrupted {
        eprintln!(
            "sync-customer: interrupted; run the same input again: what was created is replayed, not created twice"
        );
        return ExitCode::from(130);
    }
    if t.failed > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// One customer's line: its outputs, or the typed error.
fn line(id: &str, reported: &Reported<Outputs>, t: &mut Tally) -> Value {
    t.requests += reported
        .report
        .steps
        .iter()
        .map(|s| u64::from(s.requests))
        .sum::<u64>();
    match &reported.result {
        Ok(outputs) => {
            t.synced += 1;
            let replayed = reported.report.replayed();
            t.replayed += usize::from(replayed);
            json!({ "amberfloCustomerId": id, "outputs": outputs, "replayed": replayed })
        }
        Err(e) => {
            t.failed += 1;
            json!({ "amberfloCustomerId": id, "error": error(e) })
        }
    }
}

/// The error as JSON: its kind, step, status and one-line message.
fn error(e: &Error) -> Value {
    json!({
        "kind": e.kind(),
        "step": e.step(),
        "status": e.status(),
        "message": failure_line(e),
    })
}

fn progress_line(p: &Progress) -> String {
    format!(
        "{}/{} customers, {} failed, {:.1} s",
        p.done,
        p.total,
        p.failed,
        p.elapsed.as_secs_f64()
    )
}

/// The customers of a JSON-lines or CSV file.
fn read_input(path: &PathBuf) -> Result<Vec<Inputs>, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    parse_input(&text).map_err(|e| format!("{}:{e}", path.display()))
}

/// JSON lines when the first non-blank line starts with `{`, else CSV; errors name the line.
fn parse_input(text: &str) -> Result<Vec<Inputs>, String> {
    let json_lines = text
        .lines()
        .find(|l| !l.trim().is_empty())
        .is_some_and(|l| l.trim_start().starts_with('{'));
    if json_lines {
        return text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
            .map(|(n, l)| serde_json::from_str(l).map_err(|e| format!("{}: {e}", n + 1)))
            .collect();
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let mut out = Vec::new();
    for (n, record) in reader.records().enumerate() {
        let record = record.map_err(|e| format!("{}: {e}", n + 1))?;
        let field = |i: usize| record.get(i).filter(|v| !v.is_empty()).map(str::to_string);
        if n == 0 && field(0).as_deref() == Some("amberfloCustomerId") {
            continue;
        }
        if record.len() > 2 {
            return Err(format!(
                "{}: {} fields; expected amberfloCustomerId,customerEmail",
                n + 1,
                record.len()
            ));
        }
        let Some(id) = field(0) else {
            return Err(format!("{}: no amberfloCustomerId", n + 1));
        };
        out.push(Inputs {
            amberflo_customer_id: Some(id),
            customer_email: field(1),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::parse_input;

    #[test]
    fn csv_with_or_without_a_header_and_json_lines_are_read() {
        let csv = "amberfloCustomerId,customerEmail\ncust-1,a@x.test\n\"cust,2\",\ncust-3\n";
        let read = parse_input(csv).unwrap();
        assert_eq!(read.len(), 3);
        assert_eq!(read[1].amberflo_customer_id.as_deref(), Some("cust,2"));
        assert_eq!(read[1].customer_email, None);
        assert_eq!(read[2].customer_email, None);
        let jsonl = "{\"amberfloCustomerId\":\"c1\",\"customerEmail\":\"a@x.test\"}\n\n{\"amberfloCustomerId\":\"c2\"}\n";
        let read = parse_input(jsonl).unwrap();
        assert_eq!(read[0].customer_email.as_deref(), Some("a@x.test"));
        assert_eq!(read.len(), 2);
    }

    #[test]
    fn bad_lines_are_named() {
        let err = parse_input("{\"amberfloCustomerId\":\"c1\"}\n{oops\n").unwrap_err();
        assert!(err.starts_with("2: "), "{err}");
        let err = parse_input("a,b,c\n").unwrap_err();
        assert!(err.starts_with("1: 3 fields"), "{err}");
        let err = parse_input("c1\n,x@y.test\n").unwrap_err();
        assert_eq!(err, "2: no amberfloCustomerId");
    }
}
