//! The last line of defence: the generated file, parsed, checked for what rustc would reject
//! by name (an item defined twice in a module, an associated function defined twice for a
//! type, a trait implemented twice for a type). What is found becomes an internal error, so
//! that a file that cannot compile is never handed to rustc.

use std::collections::{BTreeMap, BTreeSet};

use quote::ToTokens;

/// One name defined twice: the module path and what is doubled.
#[derive(Debug, PartialEq, Eq)]
pub struct Doubled {
    /// The module, as `a::b` (empty for the file's root).
    pub module: String,
    /// What is defined twice, in words.
    pub what: String,
    /// The name, when a type or module is what is doubled.
    pub type_name: Option<String>,
}

/// Every doubled definition in `file`.
pub fn check(file: &syn::File) -> Vec<Doubled> {
    let mut out = Vec::new();
    items(&file.items, "", &mut out);
    out
}

fn compact(t: &impl ToTokens) -> String {
    t.to_token_stream()
        .to_string()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join("")
}

fn items(list: &[syn::Item], module: &str, out: &mut Vec<Doubled>) {
    // Types and modules share one namespace; functions, constants and statics another.
    let mut types: BTreeSet<String> = BTreeSet::new();
    let mut values: BTreeSet<String> = BTreeSet::new();
    let mut inherent: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut traits: BTreeSet<(String, String)> = BTreeSet::new();
    let mut doubled = |what: String, type_name: Option<String>| {
        out.push(Doubled {
            module: module.to_string(),
            what,
            type_name,
        })
    };
    for item in list {
        let (ty, value) = match item {
            syn::Item::Struct(s) => (Some(s.ident.to_string()), None),
            syn::Item::Enum(e) => (Some(e.ident.to_string()), None),
            syn::Item::Type(t) => (Some(t.ident.to_string()), None),
            syn::Item::Trait(t) => (Some(t.ident.to_string()), None),
            syn::Item::Union(u) => (Some(u.ident.to_string()), None),
            syn::Item::Mod(m) => (Some(m.ident.to_string()), None),
            syn::Item::Fn(f) => (None, Some(f.sig.ident.to_string())),
            syn::Item::Const(c) => (None, Some(c.ident.to_string())),
            syn::Item::Static(s) => (None, Some(s.ident.to_string())),
            _ => (None, None),
        };
        if let Some(t) = ty {
            if !types.insert(t.clone()) {
                doubled(format!("type or module `{t}`"), Some(t.clone()));
            }
        }
        if let Some(v) = value {
            if !values.insert(v.clone()) {
                doubled(format!("function or constant `{v}`"), None);
            }
        }
        if let syn::Item::Impl(imp) = item {
            // Generic impls (`impl<T> From<T> for X`) may legitimately repeat a trait.
            if !imp.generics.params.is_empty() {
                continue;
            }
            let self_ty = compact(&imp.self_ty);
            match &imp.trait_ {
                Some((_, path, _)) => {
                    if !traits.insert((self_ty.clone(), compact(path))) {
                        doubled(
                            format!("implementation of `{}` for `{self_ty}`", compact(path)),
                            None,
                        );
                    }
                }
                None => {
                    let fns = inherent.entry(self_ty.clone()).or_default();
                    for it in &imp.items {
                        if let syn::ImplItem::Fn(f) = it {
                            if !fns.insert(f.sig.ident.to_string()) {
                                doubled(
                                    format!("associated function `{self_ty}::{}`", f.sig.ident),
                                    None,
                                );
                            }
                        }
                    }
                }
            }
        }
    }
    for item in list {
        if let syn::Item::Mod(m) = item {
            if let Some((_, inner)) = &m.content {
                let path = if module.is_empty() {
                    m.ident.to_string()
                } else {
                    format!("{module}::{}", m.ident)
                };
                items(inner, &path, out);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_what_rustc_would_reject_by_name() {
        let file: syn::File = syn::parse_quote! {
            pub mod types {
                pub struct A;
                pub enum A { X }
                impl Clone for A { fn clone(&self) -> Self { A } }
                impl Clone for A { fn clone(&self) -> Self { A } }
                impl A { fn f() {} }
                impl A { fn f() {} }
                impl<T> From<T> for B {}
                impl<T> From<T> for B {}
                pub fn g() {}
            }
            pub fn g() {}
        };
        let found: Vec<String> = check(&file)
            .into_iter()
            .map(|d| format!("{}: {}", d.module, d.what))
            .collect();
        assert_eq!(
            found,
            vec![
                "types: type or module `A`",
                "types: implementation of `Clone` for `A`",
                "types: associated function `A::f`",
            ]
        );
    }
}
