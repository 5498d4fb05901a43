//! Loading a document and everything it names: its source descriptions, found through the
//! user's mappings or relative to the document, and Arazzo-type sources with their own sources.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::diag::{Diagnostic, Diagnostics, Location};
use crate::load::{self, FileId, Files};
use crate::model::{Document, SourceType, Version};
use crate::openapi::{self, OpenApiDoc};
use crate::source::{self, SourceFile};
use crate::{fields, suggest};

/// Where to find sources, from the builder or the command line.
#[derive(Clone, Debug, Default)]
pub struct SourceOptions {
    /// Source description name to local file.
    pub by_name: BTreeMap<String, PathBuf>,
    /// Source description URL to local file.
    pub by_url: BTreeMap<String, PathBuf>,
    /// The largest file read.
    pub max_file_bytes: u64,
}

/// What a source description of a document turned into.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SourceSlot {
    /// An OpenAPI description: an index into [`Workspace::openapi`].
    OpenApi(usize),
    /// An Arazzo document: an index into [`Workspace::arazzo`].
    Arazzo(usize),
    /// An AsyncAPI description (Arazzo 1.1): an index into [`Workspace::asyncapi`].
    AsyncApi(usize),
    /// It could not be loaded (an error says why).
    Unavailable,
}

/// A loaded Arazzo document.
#[derive(Debug)]
pub struct ArazzoDoc {
    /// The file it was read from.
    pub file: FileId,
    /// The typed document.
    pub doc: Document,
    /// The untyped document, for payloads and positions.
    pub raw: Value,
    /// Its source descriptions by name.
    pub sources: BTreeMap<String, SourceSlot>,
}

/// Everything one run loaded.
#[derive(Debug, Default)]
pub struct Workspace {
    /// The files read.
    pub files: Files,
    /// Arazzo documents; the first is the one the user named.
    pub arazzo: Vec<ArazzoDoc>,
    /// OpenAPI descriptions.
    pub openapi: Vec<OpenApiDoc>,
    /// AsyncAPI descriptions (Arazzo 1.1 sources).
    pub asyncapi: Vec<crate::asyncapi::AsyncApiDoc>,
    /// Every path read, for `cargo:rerun-if-changed`.
    pub inputs: Vec<PathBuf>,
    by_path: BTreeMap<PathBuf, SourceSlot>,
}

/// Loads `path` and its sources. Returns the workspace even when parts failed: the diagnostics
/// say which; a root document that could not be read leaves `arazzo` empty.
pub fn load(path: &Path, opts: &SourceOptions, diags: &mut Diagnostics) -> Workspace {
    let mut ws = Workspace::default();
    let display = path.to_string_lossy().into_owned();
    ws.load_arazzo(path, &display, opts, diags, 0);
    ws
}

/// Reads a source map file: a JSON or YAML object from URL to a path relative to the map
/// file. Keys starting with `_` are comments.
pub fn read_source_map(
    path: &Path,
    max_bytes: u64,
) -> Result<BTreeMap<String, PathBuf>, Diagnostic> {
    let display = path.to_string_lossy().into_owned();
    let text = load::read_text(path, &display, max_bytes)?;
    let file = SourceFile::new(display.clone(), text);
    let value = load::parse_value(&file)?;
    let Value::Object(map) = value else {
        return Err(
            Diagnostic::error("a source map must be an object from URL to file path")
                .at(Location::of(&file, "", false)),
        );
    };
    let dir = path.parent().unwrap_or(Path::new(""));
    let mut out = BTreeMap::new();
    for (url, target) in map {
        if url.starts_with('_') {
            continue;
        }
        let Value::String(t) = target else {
            return Err(Diagnostic::error(format!(
                "the source map entry for `{url}` must be a file path"
            ))
            .at(Location::of(&file, &source::child("", &url), false)));
        };
        out.insert(url, dir.join(t));
    }
    Ok(out)
}

const MAX_ARAZZO_DEPTH: usize = 8;

fn display_of(path: &Path) -> String {
    let s = path.to_string_lossy();
    s.strip_prefix("./").unwrap_or(&s).to_string()
}

/// The path with `.` removed and `dir/..` folded, without touching the file system.
pub(crate) fn normal(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir
                if out
                    .components()
                    .next_back()
                    .is_some_and(|l| matches!(l, std::path::Component::Normal(_))) =>
            {
                out.pop();
            }
            c => out.push(c),
        }
    }
    out
}

impl Workspace {
    fn load_arazzo(
        &mut self,
        path: &Path,
        display: &str,
        opts: &SourceOptions,
        diags: &mut Diagnostics,
        depth: usize,
    ) -> Option<usize> {
        self.inputs.push(path.to_path_buf());
        let text = match load::read_text(path, display, opts.max_file_bytes) {
            Ok(t) => t,
            Err(d) => {
                diags.push(d);
                return None;
            }
        };
        let file = self.files.add(SourceFile::new(display.to_string(), text));
        let raw = match load::parse_value(self.files.get(file)) {
            Ok(v) => v,
            Err(d) => {
                diags.push(d);
                return None;
            }
        };
        let version = check_header(&self.files, file, &raw, diags)?;
        for d in fields::unknown_fields(&self.files, file, &raw, version) {
            diags.push(d);
        }
        let mut read = raw.clone();
        if version < Version::V1_1 {
            fields::strip_1_1_fields(&mut read);
        }
        let mut doc: Document = match load::typed(self.files.get(file), read, "the Arazzo document")
        {
            Ok(d) => d,
            Err(d) => {
                diags.push(d);
                return None;
            }
        };
        inline_input_refs(&mut doc);
        if let Some(uri) = &doc.self_uri {
            if let Some(d) = check_self(uri) {
                diags.push(d.at(self.files.loc(file, "/$self")));
            }
        }
        let index = self.arazzo.len();
        self.by_path.insert(normal(path), SourceSlot::Arazzo(index));
        self.arazzo.push(ArazzoDoc {
            file,
            doc,
            raw,
            sources: BTreeMap::new(),
        });
        let root_opts_names = depth == 0;
        let sds = self.arazzo[index].doc.source_descriptions.clone();
        let mut sources = BTreeMap::new();
        for (i, sd) in sds.iter().enumerate() {
            let at = source::index("/sourceDescriptions", i);
            if sources.contains_key(&sd.name) {
                diags.push(
                    Diagnostic::error(format!("two source descriptions are named `{}`", sd.name))
                        .at(self.files.loc(file, &source::child(&at, "name"))),
                );
                continue;
            }
            let base = self.arazzo[index].doc.self_uri.clone();
            let slot = match self.locate(
                path,
                base.as_deref(),
                &sd.name,
                &sd.url,
                opts,
                root_opts_names,
            ) {
                Ok(p) => {
                    let kind = sd.kind.unwrap_or_else(|| sniff(&p));
                    self.load_source(&p, kind, opts, diags, depth, file, &at)
                }
                Err(d) => {
                    diags.push(d.at(self.files.loc(file, &source::child(&at, "url"))));
                    SourceSlot::Unavailable
                }
            };
            sources.insert(sd.name.clone(), slot);
        }
        self.arazzo[index].sources = sources;
        Some(index)
    }

    #[allow(clippy::too_many_arguments)]
    fn load_source(
        &mut self,
        p: &Path,
        kind: SourceType,
        opts: &SourceOptions,
        diags: &mut Diagnostics,
        depth: usize,
        from: FileId,
        at: &str,
    ) -> SourceSlot {
        let key = normal(p);
        if let Some(slot) = self.by_path.get(&key) {
            return *slot;
        }
        let display = display_of(&key);
        if !p.is_file() {
            diags.push(
                Diagnostic::error(format!("source file `{display}` does not exist"))
                    .at(self.files.loc(from, &source::child(at, "url")))
                    .help("a relative `url` is read from the document's folder; map the source elsewhere with `--source NAME=PATH` or `.source(NAME, PATH)`"),
            );
            self.inputs.push(p.to_path_buf());
            return SourceSlot::Unavailable;
        }
        let slot = match kind {
            SourceType::Openapi => {
                let loaded = openapi::load(p, &display, &mut self.files, opts.max_file_bytes);
                self.inputs.extend(loaded.inputs);
                for d in loaded.diagnostics {
                    diags.push(d);
                }
                match loaded.doc {
                    Some(doc) => {
                        self.openapi.push(doc);
                        SourceSlot::OpenApi(self.openapi.len() - 1)
                    }
                    None => SourceSlot::Unavailable,
                }
            }
            SourceType::Asyncapi => {
                self.inputs.push(p.to_path_buf());
                match crate::asyncapi::load(p, &display, &mut self.files, opts.max_file_bytes) {
                    Ok(doc) => {
                        self.asyncapi.push(doc);
                        SourceSlot::AsyncApi(self.asyncapi.len() - 1)
                    }
                    Err(d) => {
                        diags.push(d);
                        SourceSlot::Unavailable
                    }
                }
            }
            SourceType::Arazzo => {
                if depth >= MAX_ARAZZO_DEPTH {
                    diags.push(
                        Diagnostic::error(format!(
                            "Arazzo sources nest more than {MAX_ARAZZO_DEPTH} deep"
                        ))
                        .at(self.files.loc(from, at)),
                    );
                    SourceSlot::Unavailable
                } else {
                    match self.load_arazzo(p, &display, opts, diags, depth + 1) {
                        Some(i) => SourceSlot::Arazzo(i),
                        None => SourceSlot::Unavailable,
                    }
                }
            }
        };
        self.by_path.insert(key, slot);
        slot
    }

    /// Where a source is: mapped by name (root document only), mapped by URL, a `file:` URL,
    /// or a path relative to the document. With a `$self` (`base`), a relative URL is first
    /// resolved against it (RFC 3986), and the URL it makes is looked up in the map; one not
    /// mapped is read relative to the document, where a copy beside it would be.
    fn locate(
        &self,
        doc_path: &Path,
        base: Option<&str>,
        name: &str,
        url: &str,
        opts: &SourceOptions,
        use_names: bool,
    ) -> Result<PathBuf, Diagnostic> {
        if use_names {
            if let Some(p) = opts.by_name.get(name) {
                return Ok(p.clone());
            }
        }
        if let Some(p) = opts.by_url.get(url) {
            return Ok(p.clone());
        }
        // A relative `$self` is itself resolved against where the document was read.
        let retrieval = std::path::absolute(doc_path)
            .ok()
            .and_then(|p| url::Url::from_file_path(p).ok());
        let resolved = base
            .filter(|_| !url.contains("://"))
            .and_then(|b| match url::Url::parse(b) {
                Ok(u) => Some(u),
                Err(_) => retrieval.as_ref()?.join(b).ok(),
            })
            .and_then(|b| b.join(url).ok());
        if let Some(full) = resolved {
            if let Some(p) = opts.by_url.get(full.as_str()) {
                return Ok(p.clone());
            }
            if full.scheme() == "file" {
                if let Ok(p) = full.to_file_path() {
                    return Ok(p);
                }
            }
        }
        if let Some(rest) = url.strip_prefix("file://") {
            return Ok(PathBuf::from(rest));
        }
        if url.contains("://") {
            return Err(Diagnostic::error(format!(
                "source `{name}` is the remote URL `{url}`, and no local file is mapped to it"
            ))
            .help(format!(
                "map it to a local copy: `--source {name}=PATH` on the command line, `.source(\"{name}\", PATH)` in build.rs, or an entry for the URL in a source map file (`--source-map FILE`)"
            )));
        }
        let dir = doc_path.parent().unwrap_or(Path::new(""));
        Ok(dir.join(url))
    }
}

/// What is wrong with a `$self`, if anything: it is a URI reference without a fragment.
fn check_self(uri: &str) -> Option<Diagnostic> {
    if uri.contains('#') {
        return Some(
            Diagnostic::error(format!("`$self` `{uri}` has a fragment"))
                .help("`$self` names the whole document: leave out the `#…` part"),
        );
    }
    let base = url::Url::parse("file:///");
    let parsed = match url::Url::parse(uri) {
        Ok(u) => Ok(u),
        Err(url::ParseError::RelativeUrlWithoutBase) => base.and_then(|b| b.join(uri)),
        Err(e) => Err(e),
    };
    parsed
        .err()
        .map(|e| Diagnostic::error(format!("`$self` `{uri}` is not a URI reference: {e}")))
}

/// Replaces each `$ref` to `#/components/inputs/<name>` in the workflows' inputs schemas by
/// the schema it names, so that every later phase reads one schema. A reference that names
/// nothing stays (the resolver reports it); nesting stops at 32 levels.
fn inline_input_refs(doc: &mut Document) {
    let Some(components) = doc.components.as_ref() else {
        return;
    };
    let named = components.inputs.clone();
    for wf in &mut doc.workflows {
        if let Some(schema) = wf.inputs.as_mut() {
            inline(schema, &named, 0);
        }
    }
}

fn inline(v: &mut Value, named: &BTreeMap<String, Value>, depth: usize) {
    if depth > 32 {
        return;
    }
    let target = v
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix("#/components/inputs/"))
        .and_then(|n| named.get(n));
    if let Some(target) = target {
        *v = target.clone();
        return inline(v, named, depth + 1);
    }
    match v {
        Value::Object(map) => map.values_mut().for_each(|x| inline(x, named, depth + 1)),
        Value::Array(items) => items.iter_mut().for_each(|x| inline(x, named, depth + 1)),
        _ => {}
    }
}

/// Whether a file that a source names without a `type` looks like an Arazzo document.
fn sniff(path: &Path) -> SourceType {
    let head = std::fs::read_to_string(path).unwrap_or_default();
    let is_arazzo = head
        .lines()
        .take(50)
        .any(|l| l.trim_start_matches(['{', ' ', '"']).starts_with("arazzo"));
    if is_arazzo {
        SourceType::Arazzo
    } else {
        SourceType::Openapi
    }
}

/// Checks that the value is an object with a supported `arazzo` version, and says which.
fn check_header(
    files: &Files,
    file: FileId,
    raw: &Value,
    diags: &mut Diagnostics,
) -> Option<Version> {
    let display = files.get(file).display().to_string();
    let Value::Object(map) = raw else {
        diags.push(
            Diagnostic::error(format!(
                "`{display}` is not an Arazzo document: its top level is not a mapping"
            ))
            .at(files.loc(file, "")),
        );
        return None;
    };
    match map.get("arazzo") {
        None => {
            let what = if map.contains_key("openapi") || map.contains_key("swagger") {
                " (it looks like an OpenAPI description)"
            } else {
                ""
            };
            diags.push(
                Diagnostic::error(format!(
                    "`{display}` is not an Arazzo document: it has no `arazzo` field{what}"
                ))
                .at(files.loc(file, "")),
            );
            None
        }
        Some(Value::String(v)) if v == "1.0.0" || v == "1.0.1" => Some(Version::V1_0),
        Some(Value::String(v)) if v.starts_with("1.0.") => {
            diags.push(
                Diagnostic::warning(format!("Arazzo version `{v}` is read as 1.0.1"))
                    .kind("arazzo-spelling")
                    .at(files.loc(file, "/arazzo")),
            );
            Some(Version::V1_0)
        }
        Some(Value::String(v)) if Version::of(v) == Some(Version::V1_1) => Some(Version::V1_1),
        Some(v) => {
            let shown = match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            diags.push(
                Diagnostic::error(format!("Arazzo version `{shown}` is not supported"))
                    .at(files.loc(file, "/arazzo"))
                    .help("this generator reads Arazzo 1.0.0, 1.0.1 and 1.1.x; write the version as a string, e.g. `arazzo: 1.1.0`"),
            );
            None
        }
    }
}

/// Suggestion helper used by the resolver for source names.
pub fn source_hint(name: &str, doc: &ArazzoDoc) -> Option<String> {
    let names: Vec<&str> = doc.sources.keys().map(String::as_str).collect();
    suggest::closest(name, &names).map(|c| format!("did you mean `{c}`?"))
}
