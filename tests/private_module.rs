//! A crate may include the generated file in a private module and build with
//! `#![deny(warnings)]`: this test is such a crate. It uses one workflow and none of the rest
//! (other workflows, `run_workflow`, `WORKFLOWS`, typify's conversion errors), which must not
//! be reported as dead code or unused imports.
#![deny(warnings)]

mod seed {
    include!(concat!(env!("OUT_DIR"), "/seed.rs"));
}

#[test]
fn the_generated_file_builds_in_a_private_module() {
    // One workflow is named; everything else in the module goes unused.
    let workflow = seed::sync_customer_to_stripe;
    let _ = workflow;
}
