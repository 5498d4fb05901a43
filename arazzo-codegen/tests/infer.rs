//! Output types inferred from the schemas the expressions read, recorded in
//! `tests/infer/types.txt` (regenerate with `EXPECTORATE=overwrite` after review).

mod common;

use std::path::Path;

use arazzo_codegen::infer::{self, Typed, ValueType};
use arazzo_codegen::{Builder, Diagnostics};

fn types_of(builder: Builder) -> std::collections::BTreeMap<String, infer::WorkflowTypes> {
    let checked = builder.check();
    assert!(!checked.has_errors(), "{}", checked.diagnostics.render());
    let mut diags = Diagnostics::new(false);
    // The document named (index 0), by workflow id.
    infer::infer(&checked.workspace, &checked.workflows, &mut diags)
        .into_iter()
        .filter(|((doc, _), _)| *doc == 0)
        .map(|((_, id), t)| (id, t))
        .collect()
}

fn table(
    label: &str,
    types: &std::collections::BTreeMap<String, infer::WorkflowTypes>,
    out: &mut String,
) {
    for (wf, t) in types {
        for (step, outs) in &t.steps {
            for (name, ty) in outs {
                out.push_str(&format!("{label} {wf} step {step}.{name}: {}\n", ty.rust()));
            }
        }
        for (name, ty) in &t.outputs {
            out.push_str(&format!("{label} {wf} output {name}: {}\n", ty.rust()));
        }
    }
}

#[test]
fn seed_outputs_are_typed_from_the_response_schemas() {
    let seed = "../arazzo/fin-amberflo-customer-to-stripe-customer.yml";
    let ours = types_of(
        Builder::new(seed)
            .source(
                "amberfloBillingApi",
                "../specs/amberflo-billing-openapi.yaml",
            )
            .source(
                "stripeCustomersApi",
                "../specs/stripe-customers-api-openapi.yml",
            ),
    );
    let wf = &ours["sync-customer-to-stripe"];
    let string = Typed {
        ty: ValueType::String,
        required: true,
    };
    assert_eq!(wf.outputs["customerName"], string);
    assert_eq!(wf.outputs["stripeCustomerId"], string);
    assert_eq!(wf.steps["get-amberflo-customer"]["customerId"], string);

    let corpus = common::corpus();
    let upstream = types_of(
        Builder::new(corpus.join("seed/fin-amberflo-customer-to-stripe-customer.yml"))
            .source_map(corpus.join("remote-url-map.json")),
    );
    let mut text = String::new();
    table("ours", &ours, &mut text);
    table("upstream", &upstream, &mut text);
    for entry in std::fs::read_dir(corpus.join("amberflo/arazzo")).expect("amberflo") {
        let path = entry.expect("entry").path();
        let name = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("?")
            .to_string();
        let types = types_of(
            Builder::new(&path).source_map(Path::new(&corpus).join("remote-url-map.json")),
        );
        table(&name, &types, &mut text);
    }
    let mut lines: Vec<&str> = text.lines().collect();
    lines.sort();
    let sorted = lines.join("\n") + "\n";
    expectorate::assert_contents("tests/infer/types.txt", &sorted);
    let untyped = lines
        .iter()
        .filter(|l| l.contains("serde_json::Value"))
        .count();
    println!("{} outputs, {untyped} untyped", lines.len());
}
