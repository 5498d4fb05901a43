// The workflow has no output `customerEmail`.
fn email(out: seed_workflows::sync_customer_to_stripe::Outputs) -> String {
    out.customer_email
}

fn main() {}
