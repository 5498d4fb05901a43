//! `sync-customer`: the seed workflow as a command. It will run on the function that
//! arazzo-codegen generates for the seed; until that generator exists, it says so and exits.

use std::process::ExitCode;

fn main() -> ExitCode {
    eprintln!(
        "sync-customer: the typed workflow function is not generated yet; \
         `cargo run -p arazzo-codegen -- check …` checks the seed workflow today"
    );
    ExitCode::from(2)
}
