//! `sync-customer`: the seed workflow as a command. The workflow function it will call,
//! `seed_workflows::sync_customer_to_stripe`, is generated and tested end to end; the command
//! around it (configuration from the environment, `--json`, the offline `demo`) is not written
//! yet, and this program says so instead of pretending.

use std::process::ExitCode;

fn main() -> ExitCode {
    eprintln!(
        "sync-customer: this command is not written yet; the workflow it wraps, \
         seed_workflows::sync_customer_to_stripe, runs in `cargo test -p seed-workflows --test workflow`"
    );
    ExitCode::from(2)
}
