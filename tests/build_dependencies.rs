//! A crate that takes the generator as a build dependency, as the README shows
//! (`default-features = false`), does not compile the command line's dependencies: this
//! package is such a crate, and `cargo tree` says what its build compiles.

use std::process::Command;

/// The crates `cargo tree` lists for a package, following the given kinds of edges.
fn tree(package: &str, edges: &str) -> Vec<String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args([
            "tree",
            "--offline",
            "--prefix",
            "none",
            "-e",
            edges,
            "-p",
            package,
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo runs");
    assert!(
        out.status.success(),
        "cargo tree failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .map(str::to_string)
        .collect()
}

#[test]
fn the_build_script_does_not_compile_clap() {
    let seed = tree("seed-workflows", "normal,build");
    assert!(seed.iter().any(|c| c == "arazzo-codegen"), "{seed:?}");
    assert!(!seed.iter().any(|c| c == "clap"), "{seed:?}");
    // The command, with its default features, does: the check above can tell.
    let command = tree("arazzo-codegen", "normal");
    assert!(command.iter().any(|c| c == "clap"), "{command:?}");
}
