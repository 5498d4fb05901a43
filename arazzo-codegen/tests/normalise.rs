//! Golden tests of the normaliser: for each kind of repair, a small description in
//! `tests/normalise/<kind>.yaml`, and the normalised description with the list of changes in
//! `<kind>.out.yaml` (regenerate with `EXPECTORATE=overwrite` after review).

use std::collections::BTreeSet;

use arazzo_codegen::openapi::normalise::normalise;

#[test]
fn each_repair_kind_matches_its_golden_file() {
    let mut inputs: Vec<_> = std::fs::read_dir("tests/normalise")
        .expect("tests/normalise")
        .map(|e| e.expect("entry").path())
        .filter(|p| {
            p.extension().is_some_and(|e| e == "yaml")
                && !p.to_string_lossy().ends_with(".out.yaml")
        })
        .collect();
    inputs.sort();
    assert!(inputs.len() >= 12, "expected one fixture per repair kind");
    for input in inputs {
        let text = std::fs::read_to_string(&input).expect("read");
        let raw: serde_json::Value = serde_yaml::from_str(&text).expect("fixture is YAML");
        let prune = input.to_string_lossy().ends_with("prune.yaml");
        let used: BTreeSet<String> = [
            "/paths/~1kept/get".to_string(),
            "/paths/~1kept/options".to_string(),
        ]
        .into();
        let n = normalise(&raw, &used, !prune, None);
        let mut out = String::from("# changes\n");
        for c in &n.changes {
            let kind = if c.fatal {
                "error".to_string()
            } else {
                format!("warning[{}]", c.kind)
            };
            out.push_str(&format!("# {kind} at {}: {}\n", c.pointer, c.message));
        }
        for (op, enc) in &n.forms {
            out.push_str(&format!("# form encoding of {op}: {:?}\n", enc.fields));
        }
        out.push_str(&serde_yaml::to_string(&n.doc).expect("YAML"));
        let golden = input.to_string_lossy().replace(".yaml", ".out.yaml");
        expectorate::assert_contents(&golden, &out);
        if !input.to_string_lossy().ends_with("operation-ids.yaml") {
            assert!(
                !n.changes.is_empty() || n.forms.len() + usize::from(prune) > 0,
                "{}: no repair",
                input.display()
            );
        }
        // The normalised description is one Progenitor's model reads.
        serde_json::from_value::<openapiv3::OpenAPI>(n.doc).expect("openapiv3 reads it");
    }
}

#[test]
fn a_component_is_renamed_or_untyped_by_its_rust_type_name() {
    use arazzo_codegen::openapi::normalise::{rename_schema_typed, untype_schema};
    let mut doc = serde_json::json!({
        "paths": {"/a": {"get": {"responses": {"200": {"description": "ok", "content":
            {"application/json": {"schema": {"$ref": "#/components/schemas/team_links"}}}}}}}},
        "components": {"schemas": {
            "team_links": {"description": "Links.", "type": "object"},
            "team_links2": {"type": "string"}
        }}
    });
    // `TeamLinks` is the Rust name of `team_links`; `team_links2` is taken, so `team_links3`.
    let renamed = rename_schema_typed(&mut doc, "TeamLinks");
    assert_eq!(
        renamed,
        Some(("team_links".to_string(), "team_links3".to_string()))
    );
    let at = "/paths/~1a/get/responses/200/content/application~1json/schema/$ref";
    assert_eq!(
        doc.pointer(at),
        Some(&serde_json::json!("#/components/schemas/team_links3"))
    );
    assert_eq!(rename_schema_typed(&mut doc, "NoSuchType"), None);
    // Untyped under its first name again, keeping its description.
    assert!(untype_schema(&mut doc, "team_links3", "team_links"));
    assert_eq!(
        doc["components"]["schemas"]["team_links"],
        serde_json::json!({"description": "Links."})
    );
    assert_eq!(
        doc.pointer(at),
        Some(&serde_json::json!("#/components/schemas/team_links"))
    );
}
