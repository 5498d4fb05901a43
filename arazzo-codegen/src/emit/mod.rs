//! Emission: the generated Rust file, as text formatted by prettyplease.

pub mod api;
pub mod clients;
pub mod inputs;
pub mod workflows;

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::TokenStream;
use quote::quote;

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
/// workflows use. Returns the code (when nothing failed) and the generation's diagnostics.
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
    // The operations each OpenAPI source must keep, by the pointers the resolver linked.
    let mut used: BTreeMap<&str, (usize, BTreeSet<String>)> = BTreeMap::new();
    for w in checked.workflows.iter().filter(|w| w.doc == 0) {
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
    let names: Vec<&str> = root.sources.keys().map(String::as_str).collect();
    let idents = names::distinct(&names, Case::Snake);
    let mut modules = Vec::new();
    let mut clients = BTreeMap::new();
    for (name, ident) in names.iter().zip(&idents) {
        let Some((doc, ops)) = used.get(name) else {
            continue;
        };
        let spec = clients::ClientSource {
            module: ident,
            source: name,
            doc: &ws.openapi[*doc],
            used: ops,
            keep_all,
            security,
            idempotency_header: idempotency.get(*name).map(String::as_str),
        };
        if let Some(m) = clients::client_module(&spec, &ws.files, &mut diags) {
            modules.push(m.tokens);
            clients.insert(
                name.to_string(),
                workflows::ClientRef {
                    ident: ident.clone(),
                    ops: m.ops,
                },
            );
        }
    }
    let mut streams = false;
    if !diags.has_errors() {
        let input = workflows::Input {
            ws,
            workflows: &checked.workflows,
            types: &checked.types,
            step_budget,
            idempotency,
            conversions: &checked.conversions,
            clients: &clients,
            taken: idents.clone(),
        };
        let functions = workflows::emit(&input, &mut diags);
        // Only workflow code reads non-JSON responses; the client modules are not searched.
        streams = functions
            .to_string()
            .contains("arazzo_support :: stream :: exchange");
        modules.push(functions);
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
    match format_file(quote! { #support #(#modules)* }, origin) {
        Ok(code) => (Some(code), diags.into_vec()),
        Err(e) => {
            diags.push(Diagnostic::error(format!("internal error: {e}")));
            (None, diags.into_vec())
        }
    }
}

/// Formats tokens as a file with the `@generated` header.
pub fn format_file(tokens: TokenStream, origin: &str) -> Result<String, String> {
    let file: syn::File =
        syn::parse2(tokens).map_err(|e| format!("generated code does not parse: {e}"))?;
    let code = prettyplease::unparse(&file);
    let mut needs = vec![
        "progenitor-client 0.15",
        "reqwest 0.13 (json, query, stream)",
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
    Ok(format!(
        "// @generated by arazzo-codegen from `{origin}`. Do not edit: change the document and rebuild.\n\
         // It needs these crates as dependencies: {}.\n\n{code}",
        needs.join(", ")
    ))
}
