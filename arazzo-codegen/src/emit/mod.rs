//! Emission: the generated Rust file, as text formatted by prettyplease.

pub mod api;
pub mod clients;
mod defence;
mod documents;
mod generator;
pub mod inputs;
pub mod workflows;

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::TokenStream;
use quote::{quote, ToTokens};

use crate::builder::{Checked, SecurityScheme};
use crate::diag::{Diagnostic, Diagnostics};
use crate::names::{self, Case};
use crate::resolve::Target;

const SUPPORT: &str = include_str!("../runtime/support.rs");
const FORM: &str = include_str!("../runtime/form.rs");
const STREAM: &str = include_str!("../runtime/stream.rs");

/// The support module every generated file carries; `streams` adds the reader of non-JSON
/// responses (which needs the `futures-core` crate).
pub fn support_module(streams: bool) -> Result<TokenStream, String> {
    let support: syn::File = syn::parse_str(SUPPORT).map_err(|e| format!("support code: {e}"))?;
    let form: syn::File = syn::parse_str(FORM).map_err(|e| format!("form encoder: {e}"))?;
    let (support, form) = (support.items, form.items);
    let stream = if streams {
        let stream: syn::File =
            syn::parse_str(STREAM).map_err(|e| format!("stream reader: {e}"))?;
        let items = stream.items;
        quote! {
            /// Reading responses that are not JSON.
            pub mod stream {
                #(#items)*
            }
        }
    } else {
        TokenStream::new()
    };
    Ok(quote! {
        /// Code the generated clients share.
        #[allow(dead_code)]
        pub mod arazzo_support {
            #(#support)*
            /// Form encoding of request bodies.
            pub mod form {
                #(#form)*
            }
            #stream
        }
    })
}

/// Generates the file for a checked document: one client module per OpenAPI source its
/// workflows use, and for each Arazzo source whose workflows they call, a module with that
/// document's clients and workflows. Returns the code (when nothing failed) and the
/// generation's diagnostics.
pub fn generate(
    checked: &Checked,
    keep_all: bool,
    step_budget: u32,
    security: &BTreeMap<(String, String), SecurityScheme>,
    idempotency: &BTreeMap<String, String>,
    origin: &str,
) -> (Option<String>, Vec<Diagnostic>) {
    let ws = &checked.workspace;
    let mut diags = Diagnostics::new(false);
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
    let mut done: BTreeMap<usize, workflows::Emitted> = BTreeMap::new();
    let mut parts = Vec::new();
    let mut streams = false;
    for &di in &docs.order {
        let doc = Doc {
            checked,
            di,
            keep_all,
            step_budget,
            security,
            idempotency,
            status_read: &status_read,
        };
        let callees = docs.callees_of(ws, di, &done);
        let top = if di == 0 { taken.clone() } else { Vec::new() };
        let Some((tokens, emitted)) = doc.tokens(&callees, top, &mut diags) else {
            continue;
        };
        // Only workflow code reads non-JSON responses; the client modules are not searched.
        streams |= emitted
            .tokens
            .to_string()
            .contains("arazzo_support :: stream :: exchange");
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
                        use super::arazzo_support;
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
    let support = match support_module(streams) {
        Ok(s) => s,
        Err(e) => {
            diags.push(Diagnostic::error(format!("internal error: {e}")));
            return (None, diags.into_vec());
        }
    };
    if diags.has_errors() {
        return (None, diags.into_vec());
    }
    let tokens = quote! { #support #(#parts)* };
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
    (Some(format_file(&file, origin)), diags.into_vec())
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
            a.path().is_ident("allow") && a.to_token_stream().to_string().contains("dead_code")
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
    keep_all: bool,
    step_budget: u32,
    security: &'a BTreeMap<(String, String), SecurityScheme>,
    idempotency: &'a BTreeMap<String, String>,
    status_read: &'a BTreeSet<(usize, usize)>,
}

impl Doc<'_> {
    /// The client modules and workflow code of the document; `None` when a client failed.
    fn tokens(
        &self,
        callees: &BTreeMap<usize, workflows::DocRef>,
        mut taken: Vec<String>,
        diags: &mut Diagnostics,
    ) -> Option<(TokenStream, workflows::Emitted)> {
        let ws = &self.checked.workspace;
        let d = ws.arazzo.get(self.di)?;
        // The operations each OpenAPI source must keep, by the pointers the resolver linked.
        let mut used: BTreeMap<&str, (usize, BTreeSet<String>)> = BTreeMap::new();
        for w in self.checked.workflows.iter().filter(|w| w.doc == self.di) {
            for s in &w.steps {
                if let Target::Operation {
                    openapi,
                    operation,
                    source,
                } = &s.target
                {
                    used.entry(source.as_str())
                        .or_insert_with(|| (*openapi, BTreeSet::new()))
                        .1
                        .insert(ws.openapi[*openapi].operations[*operation].pointer.clone());
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
                keep_all: self.keep_all,
                security: self.security,
                idempotency_header: self.idempotency.get(*name).map(String::as_str),
            };
            if let Some(m) = clients::client_module(&spec, &ws.files, diags) {
                tokens.extend(m.tokens);
                clients.insert(
                    name.to_string(),
                    workflows::ClientRef {
                        ident: ident.clone(),
                        ops: m.ops,
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
        let input = workflows::Input {
            ws,
            doc: self.di,
            callees,
            workflows: &self.checked.workflows,
            types: &self.checked.types,
            step_budget: self.step_budget,
            idempotency: self.idempotency,
            conversions: &self.checked.conversions,
            clients: &clients,
            taken,
            status_read: self.status_read,
        };
        let emitted = workflows::emit(&input, diags);
        tokens.extend(emitted.tokens.clone());
        Some((tokens, emitted))
    }
}

/// Formats the parsed file with the `@generated` header.
fn format_file(file: &syn::File, origin: &str) -> String {
    let code = prettyplease::unparse(file);
    let mut needs = vec![
        "progenitor-client 0.15",
        "reqwest 0.13 (json, query, stream)",
        "http 1",
        "serde (derive)",
        "serde_json",
    ];
    for (path, krate) in [
        ("::chrono::", "chrono (serde)"),
        ("::uuid::", "uuid (serde)"),
        ("::regress::", "regress"),
        ("::regex::", "regex (criteria of type regex)"),
        (
            "::serde_json_path::",
            "serde_json_path 0.7 (JSONPath criteria)",
        ),
        ("::tokio::", "tokio (time; for retries)"),
        (
            "::futures_core::",
            "futures-core (for responses that are not JSON)",
        ),
    ] {
        if code.contains(path) {
            needs.push(krate);
        }
    }
    format!(
        "// @generated by arazzo-codegen from `{origin}`. Do not edit: change the document and rebuild.\n\
         // It needs these crates as dependencies: {}.\n\n{code}",
        needs.join(", ")
    )
}
