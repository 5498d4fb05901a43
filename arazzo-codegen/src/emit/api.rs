//! What a generated client offers, read back from the client generator's own output: for each
//! operation, the `Client` method that starts its request and the type each setter of that
//! request's builder takes. Workflow code is written against exactly these.

use std::collections::BTreeMap;

use proc_macro2::TokenStream;
use quote::ToTokens;

/// One operation's request builder.
#[derive(Clone, Debug, Default)]
pub struct OpApi {
    /// The `Client` method, e.g. `post_customers`.
    pub method: String,
    /// Setter name to the type it converts its argument into, as tokens.
    pub setters: BTreeMap<String, TokenStream>,
    /// Whether the success response is a raw byte stream rather than JSON.
    pub byte_stream: bool,
    /// Whether the declared error response is a raw byte stream rather than JSON.
    pub error_stream: bool,
    /// Parameters the client leaves out (their Rust name is another parameter's).
    pub dropped: std::collections::BTreeSet<String>,
}

/// The operations of one client, by the `Client` method name.
#[derive(Clone, Debug, Default)]
pub struct ClientApi {
    /// Method name to its builder.
    pub ops: BTreeMap<String, OpApi>,
}

/// Reads the client generator's tokens. Unknown shapes are skipped: a workflow that needs an
/// operation not found here gets an error naming it.
pub fn read(tokens: &TokenStream) -> ClientApi {
    let mut api = ClientApi::default();
    let Ok(file) = syn::parse2::<syn::File>(tokens.clone()) else {
        return api;
    };
    // `impl Client { pub fn get_x(&self) -> builder::GetX<'_> { … } }`
    let mut builders: BTreeMap<String, String> = BTreeMap::new();
    for item in &file.items {
        let syn::Item::Impl(imp) = item else { continue };
        if imp.trait_.is_some() || type_name(&imp.self_ty).as_deref() != Some("Client") {
            continue;
        }
        for it in &imp.items {
            let syn::ImplItem::Fn(f) = it else { continue };
            if let syn::ReturnType::Type(_, ty) = &f.sig.output {
                if let Some(b) = type_name(ty) {
                    builders.insert(b, f.sig.ident.to_string());
                }
            }
        }
    }
    // `pub mod builder { impl<'a> GetX<'a> { pub fn name<V>(…) where V: TryInto<T> … } }`
    for item in &file.items {
        let syn::Item::Mod(m) = item else { continue };
        if m.ident != "builder" {
            continue;
        }
        for it in m.content.iter().flat_map(|(_, items)| items) {
            let syn::Item::Impl(imp) = it else { continue };
            let Some(name) = type_name(&imp.self_ty) else {
                continue;
            };
            let Some(method) = builders.get(&name) else {
                continue;
            };
            let mut op = OpApi {
                method: method.clone(),
                setters: BTreeMap::new(),
                byte_stream: false,
                error_stream: false,
                dropped: Default::default(),
            };
            for f in imp.items.iter().filter_map(|i| match i {
                syn::ImplItem::Fn(f) => Some(f),
                _ => None,
            }) {
                if let Some(t) = setter_type(&f.sig) {
                    op.setters.insert(f.sig.ident.to_string(), t);
                }
                if f.sig.ident == "send" {
                    if let syn::ReturnType::Type(_, ty) = &f.sig.output {
                        op.byte_stream = applies(ty, "ResponseValue", "ByteStream");
                        op.error_stream = applies(ty, "Error", "ByteStream");
                    }
                }
            }
            api.ops.insert(method.clone(), op);
        }
    }
    api
}

fn type_name(ty: &syn::Type) -> Option<String> {
    match ty {
        syn::Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    }
}

/// `T` in `where V: TryInto<T>`.
fn setter_type(sig: &syn::Signature) -> Option<TokenStream> {
    let wc = sig.generics.where_clause.as_ref()?;
    for pred in &wc.predicates {
        let syn::WherePredicate::Type(pt) = pred else {
            continue;
        };
        for bound in &pt.bounds {
            let syn::TypeParamBound::Trait(tb) = bound else {
                continue;
            };
            let last = tb.path.segments.last()?;
            if last.ident != "TryInto" {
                continue;
            }
            if let syn::PathArguments::AngleBracketed(args) = &last.arguments {
                if let Some(syn::GenericArgument::Type(t)) = args.args.first() {
                    return Some(t.to_token_stream());
                }
            }
        }
    }
    None
}

/// Whether the type `outer<inner>` appears in `ty` (`Result<ResponseValue<ByteStream>, …>`
/// holds `ResponseValue<ByteStream>`), by the last segments of the paths.
fn applies(ty: &syn::Type, outer: &str, inner: &str) -> bool {
    let syn::Type::Path(p) = ty else {
        return false;
    };
    let Some(last) = p.path.segments.last() else {
        return false;
    };
    let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
        return false;
    };
    let types = args.args.iter().filter_map(|a| match a {
        syn::GenericArgument::Type(t) => Some(t),
        _ => None,
    });
    let is = |t: &syn::Type| matches!(t, syn::Type::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == inner));
    types.clone().any(|t| last.ident == outer && is(t))
        || types.into_iter().any(|t| applies(t, outer, inner))
}
