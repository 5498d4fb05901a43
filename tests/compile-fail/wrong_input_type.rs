// An input declared `type: string` does not take a number.
fn main() {
    let _ = seed_workflows::sync_customer_to_stripe::Inputs {
        amberflo_customer_id: Some(42),
        customer_email: None,
    };
}
