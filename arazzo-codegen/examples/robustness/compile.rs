//! Compiling a sample of generated files in one crate, under `#![deny(warnings)]`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use serde_json::Value;

use super::Outcome;

/// A reproducible pick of `n` items (xorshift on `seed`, Fisher-Yates).
pub fn pick<'a>(items: &[&'a Outcome], n: usize, seed: u64) -> Vec<&'a Outcome> {
    let mut v: Vec<&Outcome> = items.to_vec();
    let mut x = seed | 1;
    for i in (1..v.len()).rev() {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let j = (x % (i as u64 + 1)) as usize;
        v.swap(i, j);
    }
    v.truncate(n);
    v.sort_by(|a, b| a.name.cmp(&b.name));
    v
}

/// What rustc said about the sample.
pub struct Report {
    files: usize,
    lines: usize,
    seconds: f64,
    /// Module (description) to its errors and warnings, as `code: message`.
    errors: BTreeMap<String, Vec<String>>,
    warnings: BTreeMap<String, Vec<String>>,
    /// Messages not attributed to a module.
    other: Vec<String>,
}

impl Report {
    /// Prints the counts and every message, by description.
    pub fn print(&self, title: &str) {
        let n_err: usize = self.errors.values().map(Vec::len).sum();
        let n_warn: usize = self.warnings.values().map(Vec::len).sum();
        println!(
            "\n### Compiled sample ({title}): {} files, {} lines, `cargo build` in {:.1} s",
            self.files, self.lines, self.seconds
        );
        println!(
            "- files that compile without error or warning: {} of {}",
            self.files
                - self
                    .errors
                    .keys()
                    .chain(self.warnings.keys())
                    .collect::<std::collections::BTreeSet<_>>()
                    .len(),
            self.files
        );
        println!(
            "- rustc errors: {n_err} in {} files; warnings: {n_warn} in {} files",
            self.errors.len(),
            self.warnings.len()
        );
        for (what, map) in [("error", &self.errors), ("warning", &self.warnings)] {
            for (name, msgs) in map {
                println!("  - {what}s in {name}:");
                for m in msgs.iter().take(5) {
                    println!("    - {m}");
                }
                if msgs.len() > 5 {
                    println!("    - … and {} more", msgs.len() - 5);
                }
            }
        }
        for m in self.other.iter().take(10) {
            println!("  - {m}");
        }
    }
}

/// Writes a crate holding each file as a private module and builds it.
pub fn compile(dir: &Path, files: &[(String, PathBuf)]) -> Result<Report, String> {
    let src = dir.join("src");
    let _ = std::fs::remove_dir_all(&src);
    std::fs::create_dir_all(&src).map_err(|e| e.to_string())?;
    std::fs::write(
        dir.join("Cargo.toml"),
        super::fetch::manifest(
            "robustness-sample",
            "tokio = { version = \"1\", features = [\"time\"] }\n",
        ),
    )
    .map_err(|e| e.to_string())?;
    let mut lib = String::from("//! The robustness harness's sample.\n#![deny(warnings)]\n\n");
    let mut modules: BTreeMap<String, String> = BTreeMap::new();
    let mut lines = 0;
    for (i, (name, path)) in files.iter().enumerate() {
        let code = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
        lines += code.lines().count();
        let file = format!("m{i}.rs");
        std::fs::write(src.join(&file), code).map_err(|e| e.to_string())?;
        lib.push_str(&format!(
            "// {name}\nmod m{i} {{\n    include!(\"{file}\");\n}}\n"
        ));
        modules.insert(file, name.clone());
    }
    std::fs::write(src.join("lib.rs"), lib).map_err(|e| e.to_string())?;
    let start = Instant::now();
    let out = Command::new("cargo")
        .args(["build", "--message-format=json", "--quiet"])
        .current_dir(dir)
        .output()
        .map_err(|e| format!("cargo: {e}"))?;
    let seconds = start.elapsed().as_secs_f64();
    let mut report = Report {
        files: files.len(),
        lines,
        seconds,
        errors: BTreeMap::new(),
        warnings: BTreeMap::new(),
        other: Vec::new(),
    };
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let Ok(v) = serde_json::from_str::<Value>(line) else {
            continue;
        };
        if v["reason"] != "compiler-message" || v["target"]["name"] != "robustness_sample" {
            continue;
        }
        let msg = &v["message"];
        let level = msg["level"].as_str().unwrap_or("");
        let code = msg["code"]["code"].as_str().unwrap_or("-");
        let text = msg["message"].as_str().unwrap_or("");
        if text.starts_with("aborting due to") || text.contains("warnings emitted") {
            continue;
        }
        let file = msg["spans"]
            .as_array()
            .and_then(|s| s.iter().find(|s| s["is_primary"] == true).or(s.first()))
            .and_then(|s| s["file_name"].as_str())
            .map(|f| f.rsplit('/').next().unwrap_or(f).to_string());
        let line_no = msg["spans"][0]["line_start"].as_u64().unwrap_or(0);
        let entry = format!("{code}: {text} (line {line_no})");
        let owner = file.and_then(|f| modules.get(&f).cloned());
        // Under `deny(warnings)` a lint is reported as an error; its code names the lint.
        let level = if level == "error" && !code.starts_with('E') && code != "-" {
            "warning"
        } else {
            level
        };
        match (level, owner) {
            ("error", Some(o)) => report.errors.entry(o).or_default().push(entry),
            ("warning", Some(o)) => report.warnings.entry(o).or_default().push(entry),
            (_, _) => report.other.push(format!("{level} {entry}")),
        }
    }
    if !out.status.success() && report.errors.is_empty() && report.other.is_empty() {
        report.other.push(format!(
            "cargo failed: {}",
            String::from_utf8_lossy(&out.stderr)
                .chars()
                .take(2000)
                .collect::<String>()
        ));
    }
    Ok(report)
}
