//! What a generated client offers, read back from the client generator's own output: for each
//! operation, the `Client` method that starts its request and the type each setter of that
//! request's builder takes. Workflow code is written against exactly these.

use std::collections::{BTreeMap, BTreeSet};

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
    /// What its `types` module holds that a request body is built from.
    pub types: TypesApi,
}

/// The types of a client's `types` module that generated code can build a value of directly,
/// with the same result as deserialising the value's JSON.
#[derive(Clone, Debug, Default)]
pub struct TypesApi {
    /// Structs with named public fields and no (de)serialisation of their own, by name.
    pub structs: BTreeMap<String, StructApi>,
    /// Types a `String` converts into with `TryFrom` exactly as its JSON text deserialises: a
    /// string newtype (a constrained string) or an enum of unit variants (a string enum).
    pub from_string: BTreeSet<String>,
}

/// A struct of a client's `types` module.
#[derive(Clone, Debug, Default)]
pub struct StructApi {
    /// Its fields, in the order declared.
    pub fields: Vec<FieldApi>,
}

/// A field of a [`StructApi`].
#[derive(Clone, Debug)]
pub struct FieldApi {
    /// The Rust field name.
    pub ident: syn::Ident,
    /// The JSON member it is read from.
    pub name: String,
    /// Its type, as the `types` module writes it.
    pub ty: syn::Type,
    /// Whether JSON without the member deserialises it as its `Default` (`#[serde(default)]`,
    /// or an `Option`).
    pub omissible: bool,
}

/// Reads the client generator's tokens. Unknown shapes are skipped: a workflow that needs an
/// operation not found here gets an error naming it.
pub fn read(tokens: &TokenStream) -> ClientApi {
    let mut api = ClientApi::default();
    let Ok(file) = syn::parse2::<syn::File>(tokens.clone()) else {
        return api;
    };
    api.types = types(&file);
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

/// What `pub mod types { … }` holds that a body is built from.
fn types(file: &syn::File) -> TypesApi {
    let mut out = TypesApi::default();
    for item in items_of(file) {
        match item {
            syn::Item::Struct(s) => {
                let newtype = matches!(&s.fields, syn::Fields::Unnamed(f)
                    if f.unnamed.len() == 1 && f.unnamed.iter().all(|f| is_string(&f.ty)));
                if newtype {
                    out.from_string.insert(s.ident.to_string());
                } else if let Some(st) = struct_api(s) {
                    out.structs.insert(s.ident.to_string(), st);
                }
            }
            syn::Item::Enum(e) if e.variants.iter().all(|v| v.fields.is_empty()) => {
                out.from_string.insert(e.ident.to_string());
            }
            _ => {}
        }
    }
    // A newtype or enum counts only where the module converts a `String` into it.
    let converts: BTreeSet<String> = items_of(file)
        .filter_map(|item| match item {
            syn::Item::Impl(imp) => from_string_impl(imp),
            _ => None,
        })
        .collect();
    out.from_string.retain(|t| converts.contains(t));
    out
}

/// The items of `pub mod types`.
fn items_of(file: &syn::File) -> impl Iterator<Item = &syn::Item> {
    file.items
        .iter()
        .filter_map(|item| match item {
            syn::Item::Mod(m) if m.ident == "types" => m.content.as_ref().map(|(_, items)| items),
            _ => None,
        })
        .flatten()
}

/// `X` of `impl TryFrom<String> for X`.
fn from_string_impl(imp: &syn::ItemImpl) -> Option<String> {
    let (_, path, _) = imp.trait_.as_ref()?;
    let last = path.segments.last()?;
    if last.ident != "TryFrom" {
        return None;
    }
    let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    match args.args.first()? {
        syn::GenericArgument::Type(t) if is_string(t) => type_name(&imp.self_ty),
        _ => None,
    }
}

/// `::std::string::String` (a bare `String` may be a type of the module's own).
fn is_string(ty: &syn::Type) -> bool {
    *ty == syn::parse_quote!(::std::string::String)
}

/// A struct with named public fields whose serde attributes are only renames, defaults and
/// conditions on serialising; `None` for any other.
fn struct_api(s: &syn::ItemStruct) -> Option<StructApi> {
    if !s.generics.params.is_empty() {
        return None;
    }
    for attr in &s.attrs {
        let known = attr.path().is_ident("doc") || attr.path().is_ident("derive");
        let lenient = attr.path().is_ident("serde")
            && attr
                .parse_nested_meta(|meta| match meta.path.is_ident("deny_unknown_fields") {
                    true => Ok(()),
                    false => Err(meta.error("not read")),
                })
                .is_ok();
        if !(known || lenient) {
            return None;
        }
    }
    let syn::Fields::Named(named) = &s.fields else {
        return None;
    };
    let mut fields = Vec::new();
    for f in &named.named {
        let ident = f.ident.clone()?;
        if !matches!(f.vis, syn::Visibility::Public(_)) {
            return None;
        }
        let mut name = ident.to_string().trim_start_matches("r#").to_string();
        let (mut default, mut default_fn, mut must_give) = (false, false, false);
        for attr in &f.attrs {
            if attr.path().is_ident("doc") {
                continue;
            }
            if !attr.path().is_ident("serde") {
                return None;
            }
            attr.parse_nested_meta(|meta| {
                if meta.path.is_ident("rename") {
                    name = meta.value()?.parse::<syn::LitStr>()?.value();
                } else if meta.path.is_ident("default") && meta.input.peek(syn::Token![=]) {
                    // A default the module's own function gives (private to it): the field
                    // is built where the payload sets it, else the body is read from JSON.
                    meta.value()?.parse::<syn::LitStr>()?;
                    default_fn = true;
                } else if meta.path.is_ident("default") {
                    default = true;
                } else if meta.path.is_ident("deserialize_with") {
                    // A required member that may be null: an `Option` that must be given.
                    let with = meta.value()?.parse::<syn::LitStr>()?.value();
                    if with != "::std::option::Option::deserialize" {
                        return Err(meta.error("not read"));
                    }
                    must_give = true;
                } else if meta.path.is_ident("skip_serializing_if") {
                    meta.value()?.parse::<syn::LitStr>()?;
                } else {
                    return Err(meta.error("not read"));
                }
                Ok(())
            })
            .ok()?;
        }
        let omissible = !default_fn && !must_give && (default || option_of(&f.ty).is_some());
        fields.push(FieldApi {
            ident,
            name,
            ty: f.ty.clone(),
            omissible,
        });
    }
    Some(StructApi { fields })
}

/// `T` of `::std::option::Option<T>`.
pub fn option_of(ty: &syn::Type) -> Option<&syn::Type> {
    generic_of(ty, &["std", "option", "Option"])
}

/// The one type argument of the type at `path` (`::std::option::Option`, say), written in full
/// from the root (as typify writes it; a bare `Option` may be a type of the module's own).
pub fn generic_of<'t>(ty: &'t syn::Type, path: &[&str]) -> Option<&'t syn::Type> {
    match type_args(ty, path)?.as_slice() {
        [t] => Some(t),
        _ => None,
    }
}

/// The type arguments of the type at `path`, written in full from the root; `None` for another
/// type, or one with other generic arguments.
pub fn type_args<'t>(ty: &'t syn::Type, path: &[&str]) -> Option<Vec<&'t syn::Type>> {
    let syn::Type::Path(p) = ty else { return None };
    let segments: Vec<String> = p
        .path
        .segments
        .iter()
        .map(|s| s.ident.to_string())
        .collect();
    if p.qself.is_some() || p.path.leading_colon.is_none() || segments != path {
        return None;
    }
    let syn::PathArguments::AngleBracketed(args) = &p.path.segments.last()?.arguments else {
        return None;
    };
    args.args
        .iter()
        .map(|a| match a {
            syn::GenericArgument::Type(t) => Some(t),
            _ => None,
        })
        .collect()
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

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    fn types_of(items: TokenStream) -> TypesApi {
        read(&quote!(pub mod types { #items })).types
    }

    #[test]
    fn plain_structs_are_read_with_renames_and_defaults() {
        let t = types_of(quote! {
            #[derive(::serde::Deserialize, ::serde::Serialize)]
            pub struct Body {
                #[serde(rename = "ship-to")]
                pub ship_to: ShipTo,
                #[serde(default, skip_serializing_if = "::std::vec::Vec::is_empty")]
                pub tags: ::std::vec::Vec<::std::string::String>,
                #[serde(skip_serializing_if = "::std::option::Option::is_none")]
                pub note: ::std::option::Option<::std::string::String>,
                pub r#type: i64,
                #[serde(default = "defaults::default_u64::<i64, 5>")]
                pub count: ::std::option::Option<i64>,
                #[serde(deserialize_with = "::std::option::Option::deserialize")]
                pub nullable: ::std::option::Option<i64>,
            }
        });
        let body = &t.structs["Body"];
        let read: Vec<(String, String, bool)> = body
            .fields
            .iter()
            .map(|f| (f.ident.to_string(), f.name.clone(), f.omissible))
            .collect();
        assert_eq!(
            read,
            [
                ("ship_to".into(), "ship-to".into(), false),
                ("tags".into(), "tags".into(), true),
                ("note".into(), "note".into(), true),
                ("r#type".into(), "type".into(), false),
                // Its default is the module's own: left out, it is read from JSON.
                ("count".into(), "count".into(), false),
                // Required and nullable: given, or the body is read from JSON.
                ("nullable".into(), "nullable".into(), false),
            ]
        );
    }

    #[test]
    fn structs_with_serde_of_their_own_are_left_to_json() {
        let t = types_of(quote! {
            pub struct Flattened {
                pub a: i64,
                #[serde(flatten)]
                pub extra: ::serde_json::Map<::std::string::String, ::serde_json::Value>,
            }
            #[serde(try_from = "Raw")]
            pub struct Converted { pub a: i64 }
            pub struct Custom {
                #[serde(deserialize_with = "crate::lenient")]
                pub a: i64,
            }
            pub struct Private { a: i64 }
            #[deprecated]
            pub struct Old { pub a: i64 }
        });
        assert!(t.structs.is_empty(), "{:?}", t.structs.keys());
    }

    #[test]
    fn only_string_newtypes_and_unit_enums_convert_from_strings() {
        let t = types_of(quote! {
            pub struct Sku(::std::string::String);
            impl ::std::convert::TryFrom<::std::string::String> for Sku {}
            pub enum Colour { Red, Green }
            impl ::std::convert::TryFrom<::std::string::String> for Colour {}
            pub enum Code { String(::std::string::String), Integer(i64) }
            impl ::std::convert::TryFrom<::std::string::String> for Code {}
            pub struct Unchecked(::std::string::String);
        });
        let from: Vec<&str> = t.from_string.iter().map(String::as_str).collect();
        assert_eq!(from, ["Colour", "Sku"]);
    }
}
