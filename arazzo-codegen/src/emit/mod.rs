//! Emission: the generated Rust file, as text formatted by prettyplease.

pub mod api;
pub mod clients;
mod defence;
mod documents;
mod generator;
pub mod inputs;
pub mod workflow;

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::TokenStream;
use quote::{quote, ToTokens};

use crate::builder::Checked;
use crate::diag::{Diagnostic, Diagnostics};
use crate::names::{self, Case};
use crate::openapi::normalise::OperationUse;
use crate::resolve::Target;
use crate::settings::Settings;

/// How generated code names the runtime crate.
#[derive(Clone)]
pub struct Runtime {
    path: syn::Path,
}

impl Runtime {
    /// The runtime at `path` (`::arazzo_runtime`); an error says why the path is not one.
    pub fn new(path: &str) -> Result<Self, String> {
        syn::parse_str::<syn::Path>(path)
            .map(|path| Runtime { path })
            .map_err(|e| format!("the runtime path `{path}` is not a Rust path: {e}"))
    }

    /// The crate: what users name (`Error`, `Secret`).
    pub fn public(&self) -> TokenStream {
        self.path.to_token_stream()
    }

    /// The helpers only generated code calls.
    pub fn private(&self) -> TokenStream {
        let p = &self.path;
        quote!(#p::__private)
    }
}

/// Generates the file for a checked document: one client module per OpenAPI source its
/// workflows use, and for each Arazzo source whose workflows they call, a module with that
/// document's clients and workflows. Returns the code (when nothing failed) and the
/// generation's diagnostics.
pub fn generate(
    checked: &Checked,
    settings: &Settings,
    origin: &str,
) -> (Option<String>, Vec<Diagnostic>) {
    let ws = &checked.workspace;
    let mut diags = Diagnostics::new(false);
    let runtime =
        match Runtime::new(&settings.runtime_path) {
            Ok(r) => r,
            Err(e) => {
                diags.push(Diagnostic::error(e).help(
                    "give a path like `::arazzo_runtime` or `crate::support::arazzo_runtime`",
                ));
                return (None, diags.into_vec());
            }
        };
    let Some(root) = ws.arazzo.first() else {
        return (None, diags.into_vec());
    };
    let Some(docs) = documents::plan(ws, &checked.workflows, &mut diags) else {
        return (None, diags.into_vec());
    };
    let root_names: Vec<&str> = root.sources.keys().map(String::as_str).collect();
    let mut taken = names::distinct(&root_names, Case::Snake);
    taken.extend(docs.modules.values().cloned());
    let status_read = documents::status_read(ws, &checked.workflows);
    let mut done: BTreeMap<usize, workflow::Emitted> = BTreeMap::new();
    let mut parts = Vec::new();
    let mut needs = Needs::default();
    for &di in &docs.order {
        let doc = Doc {
            checked,
            di,
            settings,
            runtime: &runtime,
            status_read: &status_read,
        };
        let callees = docs.callees_of(ws, di, &done);
        let top = if di == 0 { taken.clone() } else { Vec::new() };
        let Some((tokens, emitted)) = doc.tokens(&callees, top, &mut needs, &mut diags) else {
            continue;
        };
        done.insert(di, emitted);
        parts.push(match docs.modules.get(&di) {
            Some(module) => {
                let m: syn::Ident = match syn::parse_str(module) {
                    Ok(m) => m,
                    Err(e) => {
                        diags.push(Diagnostic::error(format!("internal error: {e}")));
                        continue;
                    }
                };
                let doc = format!(
                    "The clients and workflows of `{}`, an Arazzo source.",
                    ws.files.get(ws.arazzo[di].file).display()
                );
                quote! {
                    #[doc = #doc]
                    pub mod #m {
                        #tokens
                    }
                }
            }
            None => tokens,
        });
    }
    // The root document's code comes last in the order; it goes first in the file.
    if let Some(root) = parts.pop() {
        parts.insert(0, root);
    }
    if diags.has_errors() {
        return (None, diags.into_vec());
    }
    let tokens = quote! { #(#parts)* };
    let mut file: syn::File = match syn::parse2(tokens) {
        Ok(f) => f,
        Err(e) => {
            diags.push(Diagnostic::error(format!(
                "internal error: generated code does not parse: {e}"
            )));
            return (None, diags.into_vec());
        }
    };
    allow_unused(&mut file);
    let doubled = defence::check(&file);
    if !doubled.is_empty() {
        for d in doubled {
            let module = if d.module.is_empty() {
                "the file's root".to_string()
            } else {
                format!("module `{}`", d.module)
            };
            diags.push(
                Diagnostic::error(format!(
                    "internal error: the generated code would define {} twice in {module}; no code is written, since rustc would reject it",
                    d.what
                ))
                .at(crate::diag::Location::file(origin))
                .help("this is a gap in arazzo-codegen's naming; please report it with the descriptions the document names"),
            );
        }
        return (None, diags.into_vec());
    }
    (Some(format_file(&file, origin, &needs)), diags.into_vec())
}

/// Marks every top-level item `#[allow(dead_code)]`: a crate that includes the file in a
/// private module and calls one workflow must not be warned about the others.
fn allow_unused(file: &mut syn::File) {
    let allow: syn::Attribute = syn::parse_quote!(#[allow(dead_code)]);
    for item in &mut file.items {
        let attrs = match item {
            syn::Item::Fn(i) => &mut i.attrs,
            syn::Item::Struct(i) => &mut i.attrs,
            syn::Item::Enum(i) => &mut i.attrs,
            syn::Item::Const(i) => &mut i.attrs,
            syn::Item::Static(i) => &mut i.attrs,
            syn::Item::Mod(i) => &mut i.attrs,
            syn::Item::Type(i) => &mut i.attrs,
            syn::Item::Impl(i) => &mut i.attrs,
            _ => continue,
        };
        let allowed = attrs.iter().any(|a| {
            let mut dead_code = false;
            if a.path().is_ident("allow") {
                let _ = a.parse_nested_meta(|m| {
                    dead_code |= m.path.is_ident("dead_code");
                    Ok(())
                });
            }
            dead_code
        });
        if !allowed {
            attrs.push(allow.clone());
        }
    }
}

/// The settings with which one document's code is generated.
struct Doc<'a> {
    checked: &'a Checked,
    di: usize,
    settings: &'a Settings,
    runtime: &'a Runtime,
    status_read: &'a BTreeSet<(usize, usize)>,
}

impl Doc<'_> {
    /// The client modules and workflow code of the document; `None` when a client failed.
    fn tokens(
        &self,
        callees: &BTreeMap<usize, workflow::DocRef>,
        mut taken: Vec<String>,
        needs: &mut Needs,
        diags: &mut Diagnostics,
    ) -> Option<(TokenStream, workflow::Emitted)> {
        let ws = &self.checked.workspace;
        let d = ws.arazzo.get(self.di)?;
        // The operations each OpenAPI source must keep, by the pointers the resolver linked,
        // and what the steps use of each.
        let mut used: BTreeMap<&str, (usize, BTreeSet<String>)> = BTreeMap::new();
        let mut uses: BTreeMap<&str, BTreeMap<String, OperationUse>> = BTreeMap::new();
        for w in self
            .checked
            .workflows
            .iter()
            .filter(|w| w.doc == self.di && !w.skipped)
        {
            for s in &w.steps {
                if let Target::Operation {
                    openapi,
                    operation,
                    source,
                } = &s.target
                {
                    let pointer = &ws.openapi[*openapi].operations[*operation].pointer;
                    used.entry(source.as_str())
                        .or_insert_with(|| (*openapi, BTreeSet::new()))
                        .1
                        .insert(pointer.clone());
                    uses.entry(source.as_str())
                        .or_default()
                        .entry(pointer.clone())
                        .or_default()
                        .merge(&s.uses);
                }
            }
        }
        let names: Vec<&str> = d.sources.keys().map(String::as_str).collect();
        let idents = names::distinct(&names, Case::Snake);
        let mut tokens = TokenStream::new();
        let mut clients = BTreeMap::new();
        let before = diags.has_errors();
        for (name, ident) in names.iter().zip(&idents) {
            let Some((doc, ops)) = used.get(name) else {
                continue;
            };
            let spec = clients::ClientSource {
                module: ident,
                source: name,
                doc: &ws.openapi[*doc],
                used: ops,
                keep_all: self.settings.keep_all_operations,
                lean: (!self.settings.full_types && !self.settings.keep_all_operations)
                    .then(|| uses.get(name))
                    .flatten(),
                security: &self.settings.security,
                idempotency_header: self.settings.idempotency.get(*name).map(String::as_str),
                runtime: self.runtime,
            };
            if let Some(m) = clients::client_module(&spec, &ws.files, diags) {
                needs.add(&m.needs);
                tokens.extend(m.tokens);
                clients.insert(
                    name.to_string(),
                    workflow::ClientRef {
                        ident: ident.clone(),
                        ops: m.ops,
                        types: m.types,
                    },
                );
            }
        }
        if diags.has_errors() && !before {
            return None;
        }
        for ident in idents {
            if !taken.contains(&ident) {
                taken.push(ident);
            }
        }
        let input = workflow::Input {
            ws,
            doc: self.di,
            callees,
            workflows: &self.checked.workflows,
            step_budget: self.settings.step_budget,
            step_timeout_ms: self.settings.step_timeout_ms,
            idempotency: &self.settings.idempotency,
            runtime: self.runtime,
            clients: &clients,
            taken,
            status_read: self.status_read,
        };
        let emitted = workflow::emit(&input, diags);
        needs.add(&emitted.needs);
        tokens.extend(emitted.tokens.clone());
        Some((tokens, emitted))
    }
}

/// Crates the generated code names beyond those every file needs, each flagged where the code
/// that names it is made (as typify's `uses_chrono`).
#[derive(Clone, Copy, Debug, Default)]
pub struct Needs {
    /// `chrono`, for date and time types.
    pub chrono: bool,
    /// `uuid`, for UUID types.
    pub uuid: bool,
    /// `regress`, for schema patterns.
    pub regress: bool,
    /// `futures-core`, for clients that hand responses over as streams.
    pub futures: bool,
}

impl Needs {
    /// Adds what `other` needs.
    pub fn add(&mut self, other: &Needs) {
        self.chrono |= other.chrono;
        self.uuid |= other.uuid;
        self.regress |= other.regress;
        self.futures |= other.futures;
    }
}

/// Formats the parsed file with the `@generated` header, which names the crates it needs.
fn format_file(file: &syn::File, origin: &str, needs: &Needs) -> String {
    let code = prettyplease::unparse(file);
    let runtime = format!("arazzo-runtime {}", RUNTIME_VERSION);
    let mut list = vec![
        runtime.as_str(),
        "progenitor-client 0.15",
        "reqwest 0.13 (json, query, stream)",
        "serde (derive)",
        "serde_json",
    ];
    for (needed, krate) in [
        (needs.chrono, "chrono (serde)"),
        (needs.uuid, "uuid (serde)"),
        (needs.regress, "regress"),
        (needs.futures, "futures-core"),
    ] {
        if needed {
            list.push(krate);
        }
    }
    format!(
        "// @generated by arazzo-codegen from `{origin}`. Do not edit: change the document and rebuild.\n\
         // It needs these crates as dependencies: {}.\n\n{code}",
        list.join(", ")
    )
}

/// The version of `arazzo-runtime` generated code needs: the one released with this generator.
pub const RUNTIME_VERSION: &str = "0.1";
