//! Snapshots of rendered diagnostics: each `tests/ui/*.arazzo.yaml` is checked and its
//! rendered diagnostics compared with the `.stderr` file beside it (regenerate with
//! `EXPECTORATE=overwrite` after review).

use std::collections::BTreeSet;
use std::path::PathBuf;

use arazzo_codegen::Builder;

fn fixtures() -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir("tests/ui")
        .expect("tests/ui")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.to_string_lossy().ends_with(".arazzo.yaml"))
        .collect();
    out.sort();
    out
}

#[test]
fn rendered_diagnostics_match_their_snapshots() {
    let mut messages = BTreeSet::new();
    let files = fixtures();
    assert!(files.len() >= 10, "expected the UI fixtures in tests/ui");
    for f in &files {
        let checked = Builder::new(f).check();
        let text = checked.diagnostics.render();
        assert!(!text.is_empty(), "{} produced no diagnostics", f.display());
        let name = f.to_string_lossy().replace(".arazzo.yaml", ".stderr");
        expectorate::assert_contents(&name, &text);
        for d in checked.diagnostics.items() {
            messages.insert(d.message.clone());
        }
    }
    assert!(
        messages.len() >= 10,
        "the snapshots should hold at least ten distinct diagnostics, found {}",
        messages.len()
    );
}
