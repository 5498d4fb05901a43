//! Bundling: `$ref`s to other local files are copied into the document's `components`, so that
//! what follows sees one self-contained document.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::diag::{Diagnostic, Location};
use crate::expr::Pointer;
use crate::load::{self, FileId, Files};
use crate::source::{self, SourceFile};

/// The most external components one document may pull in.
const MAX_IMPORTS: usize = 10_000;

struct Bundler<'a> {
    files: &'a mut Files,
    max_bytes: u64,
    docs: BTreeMap<PathBuf, Option<(FileId, Value)>>,
    done: BTreeMap<(PathBuf, String), String>,
    added: BTreeMap<String, Map<String, Value>>,
    taken: BTreeMap<String, Vec<String>>,
    diags: Vec<Diagnostic>,
    inputs: Vec<PathBuf>,
}

/// What bundling read and reported.
pub struct Bundled {
    /// Errors (a missing file or target) and notes.
    pub diagnostics: Vec<Diagnostic>,
    /// The extra files read.
    pub inputs: Vec<PathBuf>,
}

/// Replaces every `$ref` to another local file in `doc` (read from `path`, loaded as `file`)
/// with a reference to a copy of its target in `components`.
pub fn bundle(
    doc: &mut Value,
    path: &Path,
    file: FileId,
    files: &mut Files,
    max_bytes: u64,
) -> Bundled {
    let mut b = Bundler {
        files,
        max_bytes,
        docs: BTreeMap::new(),
        done: BTreeMap::new(),
        added: BTreeMap::new(),
        taken: BTreeMap::new(),
        diags: Vec::new(),
        inputs: Vec::new(),
    };
    if let Some(Value::Object(comp)) = doc.get("components") {
        for (kind, v) in comp {
            if let Value::Object(m) = v {
                b.taken.insert(kind.clone(), m.keys().cloned().collect());
            }
        }
    }
    let base = path.to_path_buf();
    b.rewrite(doc, &base, file, "", false);
    if !b.added.is_empty() {
        let n: usize = b.added.values().map(Map::len).sum();
        if let Value::Object(root) = doc {
            let comp = root
                .entry("components")
                .or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(comp) = comp {
                for (kind, items) in std::mem::take(&mut b.added) {
                    let slot = comp
                        .entry(kind)
                        .or_insert_with(|| Value::Object(Map::new()));
                    if let Value::Object(slot) = slot {
                        slot.extend(items);
                    }
                }
            }
        }
        b.diags.push(
            Diagnostic::note(format!(
                "bundled {n} component(s) from {} other file(s) into `{}`",
                b.inputs.len(),
                b.files.get(file).display()
            ))
            .kind("bundled")
            .at(Location::file(b.files.get(file).display())),
        );
    }
    Bundled {
        diagnostics: b.diags,
        inputs: b.inputs,
    }
}

impl Bundler<'_> {
    /// Rewrites refs in `v`, which lives in `base` (file `file`, at `at`). Internal refs of an
    /// external file (`external`) point into that file and are imported too.
    fn rewrite(&mut self, v: &mut Value, base: &Path, file: FileId, at: &str, external: bool) {
        match v {
            Value::Object(map) => {
                if let Some(Value::String(r)) = map.get("$ref") {
                    let r = r.clone();
                    let site = source::child(at, "$ref");
                    if let Some(local) = self.resolve_ref(&r, base, file, &site, external) {
                        map.insert("$ref".into(), Value::String(local));
                    }
                }
                // In a `properties` map, `x-…` is a property name.
                let properties = at.ends_with("/properties");
                for (k, child) in map.iter_mut() {
                    // Extensions are opaque: a `$ref` inside one is not OpenAPI's to resolve.
                    if k != "$ref" && (properties || !k.starts_with("x-")) {
                        let here = source::child(at, k);
                        self.rewrite(child, base, file, &here, external);
                    }
                }
            }
            Value::Array(items) => {
                for (i, item) in items.iter_mut().enumerate() {
                    let here = source::index(at, i);
                    self.rewrite(item, base, file, &here, external);
                }
            }
            _ => {}
        }
    }

    fn resolve_ref(
        &mut self,
        r: &str,
        base: &Path,
        file: FileId,
        site: &str,
        external: bool,
    ) -> Option<String> {
        let (file_part, fragment) = match r.split_once('#') {
            Some((f, frag)) => (f, frag),
            None => (r, ""),
        };
        if file_part.is_empty() && !external {
            return None;
        }
        if file_part.contains("://") {
            self.diags.push(
                Diagnostic::error(format!(
                    "`$ref: {r}` points at a remote document, which is not fetched"
                ))
                .at(self.files.loc(file, site))
                .help(
                    "save the document beside the description and refer to it by a relative path",
                ),
            );
            return None;
        }
        let target_path = if file_part.is_empty() {
            base.to_path_buf()
        } else {
            base.parent().unwrap_or(Path::new("")).join(file_part)
        };
        let key = (target_path.clone(), fragment.to_string());
        if let Some(local) = self.done.get(&key) {
            return Some(local.clone());
        }
        if self.done.len() >= MAX_IMPORTS {
            self.diags.push(
                Diagnostic::error(format!(
                    "more than {MAX_IMPORTS} external components; bundling stopped"
                ))
                .at(self.files.loc(file, site)),
            );
            return None;
        }
        let (ext_file, ext_doc) = self.load(&target_path, file, site)?;
        let pointer = match Pointer::parse_uri_fragment(fragment) {
            Ok(p) => p,
            Err((_, m)) => {
                self.diags.push(
                    Diagnostic::error(format!("`$ref: {r}` has a malformed JSON pointer: {m}"))
                        .at(self.files.loc(file, site)),
                );
                return None;
            }
        };
        let Some(target) = lookup(&ext_doc, &pointer).cloned() else {
            self.diags.push(
                Diagnostic::error(format!(
                    "`$ref: {r}`: `{}` has nothing at `#{fragment}`",
                    self.files.get(ext_file).display()
                ))
                .at(self.files.loc(file, site)),
            );
            return None;
        };
        let (kind, wanted) = match pointer.0.as_slice() {
            [c, kind, name] if c == "components" => (kind.clone(), name.clone()),
            _ => (
                "schemas".to_string(),
                pointer.0.last().cloned().unwrap_or_else(|| {
                    target_path
                        .file_stem()
                        .map_or("External".into(), |s| s.to_string_lossy().into_owned())
                }),
            ),
        };
        let name = self.unique(&kind, &wanted);
        let local = format!("#/components/{}/{}", kind, source::escape_token(&name));
        self.done.insert(key, local.clone());
        let mut copy = target;
        let at = format!("/{}", pointer.to_string().trim_start_matches('/'));
        self.rewrite(&mut copy, &target_path, ext_file, &at, true);
        self.added.entry(kind).or_default().insert(name, copy);
        Some(local)
    }

    fn unique(&mut self, kind: &str, wanted: &str) -> String {
        let taken = self.taken.entry(kind.to_string()).or_default();
        let mut name = wanted.to_string();
        let mut n = 2;
        while taken.contains(&name) {
            name = format!("{wanted}{n}");
            n += 1;
        }
        taken.push(name.clone());
        name
    }

    fn load(&mut self, path: &Path, from: FileId, site: &str) -> Option<(FileId, Value)> {
        if let Some(cached) = self.docs.get(path) {
            return cached.clone();
        }
        let display = path.to_string_lossy().into_owned();
        let loaded = match load::read_text(path, &display, self.max_bytes) {
            Ok(text) => {
                let f = SourceFile::new(display, text);
                match load::parse_value(&f) {
                    Ok(v) => {
                        let id = self.files.add(f);
                        self.inputs.push(path.to_path_buf());
                        Some((id, v))
                    }
                    Err(d) => {
                        self.diags.push(d);
                        None
                    }
                }
            }
            Err(d) => {
                self.diags.push(
                    Diagnostic::warning(format!("{}; the `$ref` is left unresolved", d.message))
                        .kind("dangling-ref")
                        .at(self.files.loc(from, site)),
                );
                None
            }
        };
        self.docs.insert(path.to_path_buf(), loaded.clone());
        loaded
    }
}

/// The value at a JSON pointer.
pub fn lookup<'v>(v: &'v Value, pointer: &Pointer) -> Option<&'v Value> {
    pointer.0.iter().try_fold(v, |v, t| match v {
        Value::Object(m) => m.get(t),
        Value::Array(a) => t.parse::<usize>().ok().and_then(|i| a.get(i)),
        _ => None,
    })
}
