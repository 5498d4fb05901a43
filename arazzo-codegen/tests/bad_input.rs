//! Hostile and broken inputs: each is a located error or a bounded refusal, never a panic or
//! a hang.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use arazzo_codegen::{Builder, Checked};

/// A file in Cargo's scratch folder for integration tests (inside `target/`, reused by every
/// run rather than left behind in the system's temporary folder).
fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("bad-input");
    std::fs::create_dir_all(&dir).expect("scratch folder");
    dir.join(name)
}

fn check_file(path: &Path) -> (Checked, Duration) {
    let start = Instant::now();
    let p = path.to_path_buf();
    let checked = std::panic::catch_unwind(move || Builder::new(&p).check())
        .unwrap_or_else(|_| panic!("panicked on {}", path.display()));
    (checked, start.elapsed())
}

fn first_error(c: &Checked) -> String {
    c.diagnostics
        .items()
        .iter()
        .find(|d| d.severity == arazzo_codegen::Severity::Error)
        .map(|d| format!("{} @ {}", d.message, d.place().unwrap_or_default()))
        .unwrap_or_default()
}

#[test]
fn a_70_mb_file_is_refused_before_it_is_read() {
    let path = scratch("huge.arazzo.yaml");
    let line = "# padding padding padding padding padding padding padding padding padding\n";
    let mut text = String::with_capacity(71 * 1024 * 1024);
    while text.len() < 70 * 1024 * 1024 {
        text.push_str(line);
    }
    std::fs::write(&path, &text).expect("write");
    let (c, took) = check_file(&path);
    let _ = std::fs::remove_file(&path);
    assert!(
        first_error(&c).contains("more than the limit of 67108864"),
        "{}",
        first_error(&c)
    );
    assert!(took < Duration::from_secs(2), "took {took:?}");
}

#[test]
fn deep_nesting_is_a_located_error() {
    for (name, text) in [
        (
            "deep-flow.arazzo.yaml",
            format!(
                "arazzo: 1.0.1\nx: {}{}\n",
                "[".repeat(100_000),
                "]".repeat(100_000)
            ),
        ),
        (
            "just-under-limit.arazzo.yaml",
            format!("arazzo: 1.0.1\nx: {}{}\n", "[".repeat(500), "]".repeat(500)),
        ),
        ("deep-block.arazzo.yaml", {
            let mut t = String::from("arazzo: 1.0.1\n");
            for i in 0..300 {
                t.push_str(&" ".repeat(i));
                t.push_str("a:\n");
            }
            t
        }),
        (
            "deep.arazzo.json",
            format!(
                "{{\"arazzo\": \"1.0.1\", \"x\": {}{}}}",
                "[".repeat(50_000),
                "]".repeat(50_000)
            ),
        ),
    ] {
        let path = scratch(name);
        std::fs::write(&path, text).expect("write");
        let (c, took) = check_file(&path);
        let e = first_error(&c);
        assert!(
            e.contains("recursion limit") || e.contains("not valid YAML"),
            "{name}: {e}"
        );
        assert!(
            e.contains(name),
            "{name}: the error should name the file: {e}"
        );
        assert!(took < Duration::from_secs(5), "{name} took {took:?}");
    }
}

#[test]
fn alias_bombs_are_refused() {
    let mut text = String::from("arazzo: 1.0.1\na0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..12 {
        let prev = format!("*a{}", i - 1);
        text.push_str(&format!("a{i}: &a{i} [{}]\n", vec![prev; 10].join(", ")));
    }
    let path = scratch("bomb.arazzo.yaml");
    std::fs::write(&path, text).expect("write");
    let (c, took) = check_file(&path);
    assert!(c.has_errors());
    assert!(took < Duration::from_secs(5), "took {took:?}");
}

#[test]
fn empty_binary_and_non_utf8_files_are_located_errors() {
    for (name, bytes, needle) in [
        (
            "empty.arazzo.yaml",
            b"".to_vec(),
            "top level is not a mapping",
        ),
        (
            "nul.arazzo.yaml",
            b"arazzo: 1.0.1\n\x00\x01\x02".to_vec(),
            "not valid YAML",
        ),
        (
            "latin1.arazzo.yaml",
            b"arazzo: 1.0.1\ninfo: {title: caf\xe9}\n".to_vec(),
            "not UTF-8",
        ),
        (
            "scalar.arazzo.yaml",
            b"just a string".to_vec(),
            "top level is not a mapping",
        ),
    ] {
        let path = scratch(name);
        std::fs::write(&path, bytes).expect("write");
        let (c, _) = check_file(&path);
        let e = first_error(&c);
        assert!(e.contains(needle), "{name}: {e}");
    }
}

#[test]
fn wrong_shapes_everywhere_never_panic() {
    let shapes = [
        "arazzo: 1.0.1\ninfo: 3\nsourceDescriptions: {}\nworkflows: x\n",
        "arazzo: 1.0.1\ninfo: {title: t, version: v}\nsourceDescriptions: [{name: a, url: {x: 1}}]\nworkflows: []\n",
        "arazzo: 1.0.1\ninfo: {title: t, version: v}\nsourceDescriptions: [{name: a, url: ./a.yaml}]\nworkflows: [{workflowId: w, steps: [{stepId: s, operationId: 5}]}]\n",
        "arazzo: 1.0.1\ninfo: {title: t, version: v}\nsourceDescriptions: [{name: a, url: ./a.yaml, type: graphql}]\nworkflows: [{workflowId: w, steps: []}]\n",
        "arazzo: [1]\n",
        "arazzo: 1.0.1\ninfo: {title: t, version: v}\nsourceDescriptions: [{name: a, url: ./a.yaml}]\nworkflows: [{workflowId: w, steps: [{stepId: s, operationPath: '#', successCriteria: [{condition: '((((((('}], outputs: {o: '{$'}}]}]\n",
    ];
    for (i, text) in shapes.iter().enumerate() {
        let path = scratch(&format!("shape{i}.arazzo.yaml"));
        std::fs::write(&path, text).expect("write");
        let (c, _) = check_file(&path);
        assert!(c.has_errors(), "shape {i} should be rejected");
        for d in c.diagnostics.items() {
            assert!(
                d.location.is_some(),
                "shape {i}: unlocated diagnostic {}",
                d.message
            );
        }
    }
}
