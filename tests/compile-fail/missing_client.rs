// Every source the workflows call needs its client.
fn clients(amberflo: seed_workflows::amberflo_billing_api::Client) -> seed_workflows::Clients {
    seed_workflows::Clients {
        amberflo_billing_api: amberflo,
    }
}

fn main() {}
