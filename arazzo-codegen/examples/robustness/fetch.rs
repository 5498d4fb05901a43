//! The harness's cache outside the repository, the pinned npm packages fetched into it, and
//! the manifest of the crates it builds there.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The cache: `$ARAZZO_HARNESS_CACHE`, default `~/.cache/arazzo-codegen-harness`.
pub fn cache_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("ARAZZO_HARNESS_CACHE") {
        return PathBuf::from(d);
    }
    let home = std::env::var_os("HOME").map_or_else(|| PathBuf::from("."), PathBuf::from);
    home.join(".cache/arazzo-codegen-harness")
}

/// `npm pack NAME@VERSION` into the cache, unpacked once; returns the unpacked `package/`.
pub fn package(cache: &Path, name: &str, version: &str) -> Result<PathBuf, String> {
    let slug = format!(
        "{}-{version}",
        name.trim_start_matches('@').replace('/', "-")
    );
    let dir = cache.join(&slug);
    if dir.join("package/package.json").is_file() {
        return Ok(dir.join("package"));
    }
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let tgz = cache.join(format!("{slug}.tgz"));
    if !tgz.is_file() {
        eprintln!("fetching {name}@{version} with npm pack ...");
        let st = Command::new("npm")
            .args(["pack", &format!("{name}@{version}"), "--silent"])
            .current_dir(cache)
            .stdout(Stdio::null())
            .status()
            .map_err(|e| format!("npm: {e}"))?;
        if !st.success() || !tgz.is_file() {
            return Err(format!("npm pack {name}@{version} failed"));
        }
    }
    let st = Command::new("tar")
        .arg("xzf")
        .arg(&tgz)
        .arg("-C")
        .arg(&dir)
        .status()
        .map_err(|e| format!("tar: {e}"))?;
    if !st.success() {
        return Err(format!("cannot unpack {}", tgz.display()));
    }
    Ok(dir.join("package"))
}

/// The pinned mock server, installed from the npm registry.
pub const PRISM: &str = "@stoplight/prism-cli@5.16.0";

/// `npm install` of the pinned Prism into the cache, once; returns its command.
pub fn prism(cache: &Path) -> Result<PathBuf, String> {
    let dir = cache.join("prism");
    let bin = dir.join("node_modules/.bin/prism");
    if bin.is_file() {
        return Ok(bin);
    }
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    if !dir.join("package.json").is_file() {
        std::fs::write(dir.join("package.json"), "{\"private\": true}\n")
            .map_err(|e| e.to_string())?;
    }
    eprintln!("installing {PRISM} with npm install ...");
    let st = Command::new("npm")
        .args(["install", "--silent", "--no-audit", "--no-fund", PRISM])
        .current_dir(&dir)
        .stdout(Stdio::null())
        .status()
        .map_err(|e| format!("npm: {e}"))?;
    if !st.success() || !bin.is_file() {
        return Err(format!("npm install {PRISM} failed"));
    }
    Ok(bin)
}

/// The manifest of a crate the harness builds: every crate a generated file's header may name,
/// and `extra` dependency lines.
pub fn manifest(name: &str, extra: &str) -> String {
    format!(
        r#"[package]
name = "{name}"
version = "0.0.0"
edition = "2021"
publish = false

[workspace]

[dependencies]
arazzo-runtime = {{ path = {runtime:?} }}
progenitor-client = "0.15"
reqwest = {{ version = "0.13", default-features = false, features = ["json", "query", "stream"] }}
serde = {{ version = "1", features = ["derive"] }}
serde_json = "1"
chrono = {{ version = "0.4", default-features = false, features = ["serde", "std"] }}
uuid = {{ version = "1", features = ["serde"] }}
regress = "0.10"
futures = "0.3"
{extra}"#,
        runtime = concat!(env!("CARGO_MANIFEST_DIR"), "/../arazzo-runtime"),
    )
}
